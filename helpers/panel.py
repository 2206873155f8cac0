"""The analysis panel: the paper's eight variables (tfp, digital, virtual, gov, cs, open, ur, ind) and
their alternatives, built from the extracts in data/raw/ for 30 provinces (no Tibet) x 2011-2021.

Every construction choice is a named function here and a row of the codebook (CODEBOOK below); every
filled cell is flagged in a `*_filled` column. Series are pandas Series indexed (province, year).
"""
from pathlib import Path

import numpy as np
import pandas as pd

from . import constructions, measures, paper, paths
from .files import InputError, atomic_write, read_table
from .provinces import NAMES, PROVINCES, SAMPLE
from .sources import read_extract

YEARS = (2011, 2021)
BASE_YEAR = 2010  # constant prices of real GDP and capital
# National total of internet broadband subscribers in 2021, 万户 (NBS, China Statistical Yearbook
# 2022, as quoted in ../shared/sources/SOURCES.md); the sources hold no 2021 provincial values.
BROADBAND_2021_NATIONAL = 53578.7
ALL_YEARS = range(YEARS[0], YEARS[1] + 1)
LATE_YEARS = range(2013, YEARS[1] + 1)  # the years of the series that start in 2013


# --- reading ------------------------------------------------------------------------------------

def series(name: str, folder=paths.RAW) -> pd.Series:
    """An extract the panel reads (EXTRACTS, which declares the unit it expects), as a Series indexed
    (province, year), named after it."""
    frame = read_extract(name, EXTRACTS[name], folder=folder)
    return frame.set_index(["province", "year"])["value"].rename(name)


def window(values: pd.Series, provinces=SAMPLE, years=ALL_YEARS) -> pd.Series:
    """`values` on the panel grid; a missing or non-finite cell is an error naming the series,
    province and year."""
    grid = pd.MultiIndex.from_product([list(provinces), list(years)], names=["province", "year"])
    out = values.reindex(grid)
    bad = out.index[~np.isfinite(out.to_numpy(dtype=float))]
    if len(bad):
        province, year = bad[0]
        problem = "no value" if pd.isna(out[(province, year)]) else f"the value {out[(province, year)]}"
        raise ValueError(f"{values.name}: {problem} for {province} in {year} "
                         f"({len(bad)} province-years of the panel without a finite value)")
    return out


def ratio(numerator: pd.Series, denominator: pd.Series, provinces=SAMPLE, years=ALL_YEARS) -> pd.Series:
    """numerator / denominator on the grid, once both inputs are checked there: a missing,
    non-finite or (in the denominator) zero cell is an error naming the input series, province and year."""
    top, bottom = window(numerator, provinces, years), window(denominator, provinces, years)
    zero = bottom.index[bottom.to_numpy() == 0]
    if len(zero):
        province, year = zero[0]
        raise ValueError(f"{denominator.name}: zero for {province} in {year}, so "
                         f"{numerator.name} / {denominator.name} is undefined")
    return top / bottom


def spliced(*parts: tuple[pd.Series, range]) -> pd.Series:
    """One series on the panel grid from (values, years) pieces, each checked on its years (window);
    named after its pieces."""
    pieces = [window(values, years=years) for values, years in parts]
    return window(pd.concat(pieces).rename(" then ".join(str(values.name) for values, _ in parts)))


# --- output, capital, labour, TFP ----------------------------------------------------------------

def real_gdp(gdp: pd.Series, index: pd.Series, base_year=BASE_YEAR) -> pd.Series:
    """Real GDP at `base_year` prices: Y_t = GDP_base x prod_{s=base+1..t} (index_s / 100), with the
    real index at previous year = 100 (vintage a, the only one with the index for every year)."""
    later = index[index.index.get_level_values("year") > base_year] / 100
    growth = later.sort_index().groupby(level="province").cumprod()
    base = gdp.xs(base_year, level="year")
    levels = growth.mul(base, level="province")
    start = base.to_frame().assign(year=base_year).set_index("year", append=True).iloc[:, 0]
    return pd.concat([start, levels]).sort_index().rename("real_gdp")


def capital(gfcf: pd.Series, price: pd.Series, base_year=BASE_YEAR, delta=0.096) -> pd.Series:
    """Capital stock at `base_year` prices by perpetual inventory, delta = 9.6 % (Zhang, Wu & Zhang
    2004; measures.capital_stock, with Chongqing's 1996 stock as in CHNCapitalStock)."""
    initial = pd.Series({"Chongqing": measures.CHONGQING_K1996})
    return measures.capital_stock(gfcf, price, delta=delta, base_year=base_year, initial=initial)


def tfp_malmquist(inputs: pd.DataFrame) -> pd.DataFrame:
    """DEA-Malmquist TFP (Färe et al. 1994): output real GDP, inputs capital and labour, CRS,
    output-oriented, adjacent-period frontiers over the sample provinces. Returns EC, TC, M and the
    level tfp = (2011 DEA efficiency) x cumulative M (measures.tfp_level)."""
    changes = measures.malmquist(inputs, "real_gdp", ["capital", "labour"])
    first = inputs.xs(YEARS[0], level="year", drop_level=False)
    efficiency = measures.dea_efficiency(first[["capital", "labour"]], first["real_gdp"],
                                         first[["capital", "labour"]], first["real_gdp"])
    level = measures.tfp_level(changes, efficiency)
    return changes.reindex(level.index).assign(tfp=level)


def tfp_solow(inputs: pd.DataFrame) -> tuple[pd.Series, float]:
    """Growth-accounting TFP, ln A = ln Y - a ln K - (1 - a) ln L, with the capital elasticity a
    estimated on the panel (measures.capital_share, two-way fixed effects). Returns A and a."""
    alpha = measures.capital_share(inputs["real_gdp"], inputs["capital"], inputs["labour"])
    return measures.growth_accounting_tfp(inputs["real_gdp"], inputs["capital"], inputs["labour"], alpha), alpha


# --- digital economy (Zhao, Zhang & Liang 2020) ----------------------------------------------------

def broadband_2021(subscribers: pd.Series, ports: pd.Series) -> pd.Series:
    """2021 broadband subscribers, which no source holds by province: each province's 2020 value
    grown with its 2020->2021 growth of broadband access ports, then scaled so that the 31 provinces
    sum to the national 2021 total (BROADBAND_2021_NATIONAL)."""
    before = window(subscribers, NAMES, [2020]).xs(2020, level="year")
    ports = window(ports, NAMES, [2020, 2021]).unstack("year")
    raw = before * ports[2021] / ports[2020]
    filled = raw * BROADBAND_2021_NATIONAL / raw.sum()
    return filled.to_frame("value").assign(year=2021).set_index("year", append=True)["value"]


def internet_penetration(subscribers, ports, population) -> tuple[pd.Series, pd.Series]:
    """Internet penetration = broadband subscribers per 100 people (万户 / 万人 x 100); 2021 filled by
    broadband_2021. Returns the indicator and its fill flag."""
    filled = broadband_2021(subscribers, ports)
    both = pd.concat([subscribers, filled]).sort_index().rename(subscribers.name)
    value = (ratio(both, population) * 100).rename("internet")
    flag = pd.Series(value.index.isin(filled.index), index=value.index, name="internet_filled")
    return value, flag


def backcast_sample(values: pd.Series, name: str, provinces=SAMPLE) -> tuple[pd.Series, pd.Series]:
    """A ratio that starts in 2013, on the panel grid of `provinces`: 2011-2012 backcast log-linearly
    from each province's first three years of growth (measures.backcast). Returns it named `name`
    and its flag `<name>_filled`; a gap after the first year stays an error (window)."""
    values = values.dropna().rename(name)
    value, flag = measures.backcast(values[values.index.get_level_values("province").isin(provinces)], ALL_YEARS)
    return window(value, provinces), window(flag.rename(f"{name}_filled"), provinces)


def it_share(it_employment, urban_total) -> tuple[pd.Series, pd.Series]:
    """Internet-related employment share = IT-sector (信息传输、软件和信息技术服务业) over all
    urban-unit employment, both from one source (2013 on); 2011-2012 backcast. Returns the share
    and its flag."""
    return backcast_sample(ratio(it_employment, urban_total, years=LATE_YEARS), "it_share")


def telecom_per_capita(volume, population) -> pd.Series:
    """Internet-related output per capita = telecom business volume per person relative to the
    31-province value of the same year: (V_it / P_it) / (sum_j V_jt / sum_j P_jt). Dividing by the
    same year's total removes the price base, which changes in 2016 and 2021."""
    both = pd.concat({"volume": window(volume, NAMES), "population": window(population, NAMES)}, axis=1)
    totals = both.groupby(level="year").transform("sum")
    return window(((both["volume"] / both["population"])
                   / (totals["volume"] / totals["population"])).rename("telecom"))


def mobile_per_100(subscribers, population) -> tuple[pd.Series, pd.Series]:
    """Mobile subscribers per 100 people (2013 on); 2011-2012 backcast."""
    return backcast_sample(ratio(subscribers, population, years=LATE_YEARS) * 100, "mobile")


INDICATORS = ["internet", "it_share", "telecom", "mobile", "dfiic"]


def digital_indices(indicators: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The digital-economy index three ways: entropy weights (main), first principal component,
    and the PKU index alone (divided by 100). Returns the indices, the entropy weights and the PCA
    loadings."""
    weights = measures.entropy_weights(indicators)
    pca = measures.pca_index(indicators)
    indices = pd.DataFrame({"digital": measures.entropy_index(indicators),
                            "digital_pca": pca.scores,
                            "digital_dfiic": indicators["dfiic"] / 100})
    return indices, weights, pca.loadings


# --- virtual agglomeration ----------------------------------------------------------------------

def virtual_lq(share: pd.Series, urban_employment: pd.Series) -> pd.Series:
    """Virtual agglomeration = location quotient of IT-sector urban-unit employment over the sample
    provinces (measures.location_quotient), e_it = share_it x E_it with E the urban-unit employment."""
    total = window(urban_employment)
    return measures.location_quotient(share * total, total).rename("virtual")


def virtual_software(revenue: pd.Series, gdp: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Alternative: location quotient of software business revenue relative to GDP; 2011-2012
    backcast like it_share. Returns the LQ and its flag."""
    share, flag = backcast_sample(ratio(revenue, gdp, years=LATE_YEARS), "software")
    gdp = window(gdp)
    return measures.location_quotient(share * gdp, gdp).rename("virtual_software"), flag


# --- controls, reconstructed from the printed Table 2 -------------------------------------------

def trade_cny(trade_cny: pd.Series, trade_usd: pd.Series, usd_cny: pd.Series) -> pd.Series:
    """Imports + exports in 亿元: the CNY series from 2013, before it USD (万美元) x the official
    annual rate / 10,000."""
    rate = usd_cny.xs("China", level="province")
    converted = trade_usd * trade_usd.index.get_level_values("year").map(rate).to_numpy() / 1e4
    return trade_cny.combine_first(converted.dropna()).rename(f"{trade_cny.name}, before it {trade_usd.name} x {usd_cny.name}")


def control_candidates(s: dict) -> dict[str, dict[str, pd.Series]]:
    """For each control, the constructions the sources allow (s: extracts as Series by name)."""
    gdp = {v: s[f"gdp_{v}"] for v in "abc"}
    early, middle = range(YEARS[0], 2013), range(2013, 2016)
    retail = {"macs to 2012, airuimeng 2013-": spliced((s["retail_sales_macs"], early),
                                                      (s["retail_sales_airuimeng"], range(2013, YEARS[1] + 1))),
              "later vintage 2016-, airuimeng, macs": spliced((s["retail_sales_macs"], early),
                                                             (s["retail_sales_airuimeng"], middle),
                                                             (s["retail_sales_nbs_later"], range(2016, YEARS[1] + 1)))}
    trade = trade_cny(s["trade_cny"], s["trade_usd"], s["usd_cny"])
    residual = (window(gdp["a"]) - window(s["va_primary_a"]) - window(s["va_secondary_a"])).rename(
        "gdp_a - va_primary_a - va_secondary_a")
    to_2019, after = range(YEARS[0], 2020), range(2020, YEARS[1] + 1)
    ratios = {
        "gov": {f"budget expenditure / GDP ({v})": ratio(s["budget_expenditure"], gdp[v]) for v in "abc"},
        "cs": {f"retail sales ({r}) / GDP ({v})": ratio(retail[r], gdp[v]) for r in retail for v in "abc"},
        "open": {f"trade in CNY / GDP ({v})": ratio(trade, gdp[v]) for v in "abc"},
        "ur": {"urbanisation rate / 100": window(s["urbanisation"]) / 100},
        "ind": {
            "tertiary / secondary (a)": ratio(s["va_tertiary_a"], s["va_secondary_a"]),
            "tertiary as residual / secondary (a)": ratio(residual, s["va_secondary_a"]),
            "tertiary / secondary (b to 2019, a after)": spliced(
                (ratio(s["va_tertiary_b"], s["va_secondary_b"], years=to_2019), to_2019),
                (ratio(s["va_tertiary_a"], s["va_secondary_a"], years=after), after)),
        },
    }
    return {var: {label: x.rename(var) for label, x in options.items()} for var, options in ratios.items()}


MOMENTS = ["mean", "sd", "min", "max"]


def moments(values: pd.Series) -> pd.Series:
    """Mean, standard deviation (n - 1), minimum and maximum."""
    return pd.Series([values.mean(), values.std(), values.min(), values.max()], index=MOMENTS)


def printed_moments(folder=paths.PAPER) -> pd.DataFrame:
    """Table 2 as printed, by variable: mean, sd (the column printed as 'median'), min, max."""
    table = paper.rows(folder)
    table = table[table["table"] == "table2"].astype({"value": float})
    table = table.pivot(index="term", columns="statistic", values="value")
    return table.rename(columns={"median_as_printed": "sd"})[MOMENTS]


def reconstruct(candidates: dict[str, pd.Series], printed: pd.Series) -> pd.DataFrame:
    """Moments of each candidate beside the printed ones, and the distance: the largest absolute
    gap, across mean, sd, min and max, after rounding ours to the printed three decimals. Sorted,
    closest first; the first row is the construction kept."""
    rows = {label: moments(values).round(3) for label, values in candidates.items()}
    table = pd.DataFrame(rows).T
    table["distance"] = (table[MOMENTS] - printed[MOMENTS]).abs().max(axis=1).round(3)
    return table.sort_values("distance", kind="stable")


def kept(var: str, table: pd.DataFrame) -> str:
    """The construction of `var` the reconstruction keeps (the first row of `table`), which must be
    the one KEPT declares, at distance 0 where KEPT says it reproduces the printed row: otherwise an
    error, never a silent switch of GDP vintage under a codebook that describes the old choice."""
    label, exact = KEPT[var]
    if table.index[0] != label or (exact and table.at[label, "distance"] != 0):
        raise ValueError(f"Table 2 reconstruction of {var}: the closest construction is {table.index[0]!r} "
                         f"(distance {table['distance'].iloc[0]:g}), but the compendium keeps {label!r}"
                         + (" as an exact reproduction" if exact else "") + f" (distance now "
                         f"{table.at[label, 'distance']:g}); an extract it reads changed, check them against "
                         "git (git diff data/raw)")
    return label


# --- the panel -----------------------------------------------------------------------------------

# The extracts the panel reads, each in the unit the constructions below assume.
EXTRACTS = {"gdp_a": "亿元", "gdp_b": "亿元", "gdp_c": "亿元", "gdp_index": "previous year=100", "gfcf": "亿元",
            "investment_price_index": "1952=1", "employment": "万人", "employment_urban_units": "万人",
            "urban_unit_employment_total": "万人", "it_employment": "万人", "population": "万人",
            "broadband_subscribers": "万户", "broadband_ports": "万个", "telecom_volume": "亿元",
            "mobile_subscribers": "万户", "dfiic": "index", "software_revenue": "亿元", "budget_expenditure": "亿元",
            "retail_sales_macs": "亿元", "retail_sales_airuimeng": "亿元", "retail_sales_nbs_later": "亿元",
            "trade_cny": "亿元", "trade_usd": "万美元", "usd_cny": "CNY per USD", "urbanisation": "%",
            "va_primary_a": "亿元", "va_secondary_a": "亿元", "va_tertiary_a": "亿元", "va_secondary_b": "亿元",
            "va_tertiary_b": "亿元"}
PAPER_VARIABLES = paper.VARIABLES
# The construction of each control the Table 2 reconstruction keeps on the shipped extracts, and whether
# it reproduces the printed row exactly (the codebook says which). Another outcome means an input changed.
KEPT = {"gov": ("budget expenditure / GDP (a)", True),
        "cs": ("retail sales (macs to 2012, airuimeng 2013-) / GDP (a)", False),
        "open": ("trade in CNY / GDP (b)", True),
        "ur": ("urbanisation rate / 100", True),
        "ind": ("tertiary / secondary (b to 2019, a after)", False)}
FLAGS = ["internet_filled", "it_share_filled", "mobile_filled", "software_filled"]


def build(folder=paths.RAW) -> dict:
    """Every variable of the panel from the extracts in `folder`. Returns a dict with the panel
    ('panel'), the entropy weights, PCA loadings, capital elasticity ('alpha'), the Table 2
    reconstruction of each control ('reconstruction') and the construction kept ('choices')."""
    s = {name: series(name, folder) for name in EXTRACTS}
    gdp_base, index = window(s["gdp_a"], years=[BASE_YEAR]), window(s["gdp_index"])
    inputs = pd.DataFrame({"real_gdp": window(real_gdp(gdp_base, index)),
                           "capital": window(capital(s["gfcf"], s["investment_price_index"])),
                           "labour": window(s["employment"])})
    malmquist = tfp_malmquist(inputs)
    urban = tfp_malmquist(inputs.assign(labour=window(s["employment_urban_units"])))
    solow, alpha = tfp_solow(inputs)
    internet, internet_filled = internet_penetration(s["broadband_subscribers"], s["broadband_ports"], s["population"])
    share, share_filled = it_share(s["it_employment"], s["urban_unit_employment_total"])
    mobile, mobile_filled = mobile_per_100(s["mobile_subscribers"], s["population"])
    indicators = pd.DataFrame({"internet": internet, "it_share": share,
                               "telecom": telecom_per_capita(s["telecom_volume"], s["population"]),
                               "mobile": mobile, "dfiic": window(s["dfiic"])})
    indices, weights, loadings = digital_indices(indicators)
    software, software_filled = virtual_software(s["software_revenue"], s["gdp_a"])
    printed = printed_moments()
    reconstruction, choices, controls = {}, {}, {}
    for var, candidates in control_candidates(s).items():
        reconstruction[var] = reconstruct(candidates, printed.loc[var])
        choices[var] = kept(var, reconstruction[var])
        controls[var] = candidates[choices[var]]
    flags = pd.DataFrame({"internet_filled": internet_filled, "it_share_filled": share_filled,
                          "mobile_filled": mobile_filled, "software_filled": software_filled})
    data = pd.DataFrame({
        "tfp": malmquist["tfp"], "digital": indices["digital"], "virtual": virtual_lq(share, s["employment_urban_units"]),
        **controls,
        "tfp_solow": solow, "tfp_urban": urban["tfp"], "digital_pca": indices["digital_pca"], "digital_dfiic": indices["digital_dfiic"],
        "virtual_software": software,
        "ec": malmquist["EC"], "tc": malmquist["TC"], "m": malmquist["M"], **inputs, **indicators,
        **flags, "filled": flags[["internet_filled", "it_share_filled", "mobile_filled"]].any(axis=1),
    })
    names = PROVINCES.set_index("province")[["name_zh", "region"]]
    data = data.join(names, on="province").reset_index()
    data = data[["province", "name_zh", "region", "year", *[c for c in data if c not in
                                                          ("province", "name_zh", "region", "year")]]]
    check(data, f"the panel built from {folder}")
    return {"panel": data, "weights": weights, "loadings": loadings, "alpha": alpha,
            "reconstruction": reconstruction, "choices": choices}


# --- codebook and writing --------------------------------------------------------------------------

def codebook(built: dict) -> pd.DataFrame:
    """One row per panel column: definition, formula, unit, source extracts, construction choice."""
    c = built["choices"]
    weights = ", ".join(f"{k} {v:.3f}" for k, v in built["weights"].items())
    rows = [
        ("province", "Province (canonical English name)", "", "", "helpers.provinces", ""),
        ("name_zh", "Province, Chinese short name", "", "", "helpers.provinces", ""),
        ("region", "NBS region: East, Central, West, Northeast", "", "", "helpers.provinces", "as the paper, Table 7"),
        ("year", "Year", "", "", "", "2011-2021"),
        ("tfp", "Total factor productivity, DEA-Malmquist level (main)",
         "D_2011(2011) x prod M; M = EC x TC, output-oriented CRS DEA, output real_gdp, inputs capital and labour, "
         "adjacent-period frontiers of the 30 sample provinces (Färe et al. 1994)", "index (2011 frontier = 1)",
         "gdp_a, gdp_index, gfcf, investment_price_index, employment", "level anchored on each province's 2011 efficiency"),
        ("digital", "Digital-economy index, entropy-weight method (main)",
         "sum_j w_j x'_j, x' = pooled min-max of the five indicators + 0.0001; e_j = -1/ln(n) sum p ln p, "
         "w_j = (1 - e_j) / sum (1 - e)", "index (0-1)", "internet, it_share, telecom, mobile, dfiic",
         f"Zhao, Zhang & Liang (2020) indicators; weights {weights}"),
        ("virtual", "Virtual agglomeration: location quotient of IT-sector employment (main)",
         "(e_it / E_it) / (sum_i e_it / sum_i E_it) over the 30 provinces; e = it_share x E, "
         "E = urban-unit employment", "ratio", "it_employment, urban_unit_employment_total, employment_urban_units",
         "2011-2012 from the backcast it_share (flag it_share_filled)"),
        ("gov", "Government intervention", "general public budget expenditure / GDP", "ratio",
         "budget_expenditure, gdp_a/b/c", f"{c['gov']}: reproduces the printed Table 2 row"),
        ("cs", "Social consumption", "retail sales of consumer goods / GDP", "ratio",
         "retail_sales_*, gdp_a/b/c", f"{c['cs']}: closest candidate to the printed Table 2 row, not exact"),
        ("open", "Openness", "imports + exports in CNY / GDP (2011-2012: USD x official annual rate)", "ratio",
         "trade_cny, trade_usd, usd_cny, gdp_a/b/c", f"{c['open']}: reproduces the printed Table 2 row"),
        ("ur", "Urbanisation", "urban share of year-end resident population", "share (0-1)", "urbanisation",
         f"{c['ur']}: reproduces the printed Table 2 row"),
        ("ind", "Industrial structure", "tertiary / secondary value added", "ratio",
         "va_tertiary_a/b, va_secondary_a/b", f"{c['ind']}: mean, sd and min as printed, max differs"),
        ("tfp_solow", "Total factor productivity, growth-accounting residual (alternative)",
         f"Y / (K^a L^(1-a)), a = {built['alpha']:.4f} estimated by two-way FE on ln(Y/L) = a ln(K/L)",
         "level (10k CNY per unit of composite input)", "real_gdp, capital, labour", "alpha estimated, not fixed"),
        ("tfp_urban", "Total factor productivity, DEA-Malmquist level with urban-unit employment as labour (alternative)",
         "as tfp, labour = urban-unit employment (break-free but narrower, coverage widened in 2013)",
         "index (2011 frontier = 1)", "as tfp, employment_urban_units", ""),
        ("digital_pca", "Digital-economy index, first principal component (alternative)",
         "z-scored indicators x first eigenvector of their correlation matrix, loadings signed positive",
         "score", "internet, it_share, telecom, mobile, dfiic", ""),
        ("digital_dfiic", "Digital-economy index, PKU-DFIIC alone / 100 (alternative)", "dfiic / 100",
         "index / 100", "dfiic", ""),
        ("virtual_software", "Virtual agglomeration, location quotient of software business revenue relative to GDP (alternative)",
         "(r_it / GDP_it) / (sum r / sum GDP)", "ratio", "software_revenue, gdp_a",
         "2011-2012 backcast (flag software_filled)"),
        ("ec", "Malmquist efficiency change, t-1 to t", "D_t(t) / D_t-1(t-1)", "ratio", "", "missing in 2011"),
        ("tc", "Malmquist technical change, t-1 to t", "sqrt[(D_t-1(t) / D_t(t)) (D_t-1(t-1) / D_t(t-1))]", "ratio", "", "missing in 2011"),
        ("m", "Malmquist productivity index, t-1 to t", "ec x tc", "ratio", "", "missing in 2011"),
        ("real_gdp", "Real GDP at 2010 prices", "GDP_2010 (a) x cumulative real index", "亿元 (2010 prices)",
         "gdp_a, gdp_index", "vintage a: the only one with the real index for every year"),
        ("capital", "Capital stock at 2010 prices", "K_t = 0.904 K_t-1 + I_t P_2010 / P_t, K_1952 = I_1952 / 0.1 (Zhang, Wu & Zhang 2004)",
         "亿元 (2010 prices)", "gfcf, investment_price_index", "CHNCapitalStock convention; Chongqing from its 1996 stock"),
        ("labour", "Employment, year-end", "", "万人", "employment", "level breaks listed in the manifest"),
        ("internet", "Internet penetration: broadband subscribers per 100 people", "subscribers / population x 100",
         "per 100 people", "broadband_subscribers, broadband_ports, population",
         f"2021 = 2020 x port growth, scaled to the national {BROADBAND_2021_NATIONAL:,} 万户 (flag internet_filled)"),
        ("it_share", "Internet-related employment share", "IT-sector / all urban-unit employment", "share",
         "it_employment, urban_unit_employment_total", "2011-2012 log-linear backcast (flag it_share_filled)"),
        ("telecom", "Internet-related output per capita, relative", "(V_it / P_it) / (sum V_t / sum P_t) over 31 provinces",
         "ratio to the all-province value", "telecom_volume, population", "relative to the same year removes the price-base changes"),
        ("mobile", "Mobile subscribers per 100 people", "subscribers / population x 100", "per 100 people",
         "mobile_subscribers, population", "2011-2012 log-linear backcast (flag mobile_filled)"),
        ("dfiic", "PKU Digital Financial Inclusion Index", "", "index", "dfiic", "2011-2023 release"),
        ("internet_filled", "internet is filled (2021)", "", "bool", "", ""),
        ("it_share_filled", "it_share and virtual are backcast (2011-2012)", "", "bool", "", ""),
        ("mobile_filled", "mobile is backcast (2011-2012)", "", "bool", "", ""),
        ("software_filled", "virtual_software is backcast (2011-2012)", "", "bool", "", ""),
        ("filled", "digital or virtual rests on a filled cell", "internet_filled or it_share_filled or mobile_filled",
         "bool", "", "False defines the robustness sample 2013-2020"),
    ]
    table = pd.DataFrame(rows, columns=["column", "definition", "formula", "unit", "sources", "choice"])
    if list(table["column"]) != list(built["panel"].columns):
        raise ValueError("codebook and panel columns differ: "
                         f"{sorted(set(table['column']) ^ set(built['panel'].columns))}")
    return table


def encode(frame: pd.DataFrame) -> bytes:
    """CSV bytes with ten significant digits, so that reruns on other machines give the same file."""
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode("utf-8")


def write(built: dict, folder=paths.PROCESSED) -> list:
    """Write panel.csv and CODEBOOK.csv to `folder`, both checked and rendered before either is written."""
    check(built["panel"], "the panel to write")
    files = {"panel.csv": encode(built["panel"]), "CODEBOOK.csv": encode(codebook(built))}
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        atomic_write(folder / name, data)
    return [folder / name for name in files]


# The measures a rerun may choose for the paper's three constructed variables: the panel's columns
# (tfp, tfp_solow, tfp_urban; digital, digital_pca, digital_dfiic; virtual, virtual_software), then
# every other construction of the forensic grid (helpers.constructions).
MEASURES = {variable: constructions.names(variable) for variable in ("tfp", "digital", "virtual")}
CONTROLS = ["gov", "cs", "open", "ur", "ind"]
# The columns a model may use (the measures the panel carries, and the indicators notebook 06
# re-weights): each needs a finite value in every one of the 330 cells.
MODEL_COLUMNS = list(dict.fromkeys([*PAPER_VARIABLES, *constructions.PANEL_NAMES.values(), *INDICATORS]))
REBUILD = "Rebuild it with notebooks/02_variables.ipynb (make reproduce)."


def check(data: pd.DataFrame, where: str, lines: bool = False) -> None:
    """The panel is complete: one row for each sample province and year (30 x 11 = 330), a finite
    value in every cell of MODEL_COLUMNS, a region and a True/False `filled` in every row. `lines`:
    errors give the CSV line (header = line 1)."""
    missing = [c for c in ["province", "year", "region", "filled", *MODEL_COLUMNS] if c not in data.columns]
    if missing:
        raise InputError(f"{where}: no column {', '.join(missing)}. {REBUILD}")
    grid = {(p, y) for p in SAMPLE for y in ALL_YEARS}
    cells = list(zip(data["province"], data["year"]))
    absent, extra = sorted(grid.difference(cells)), [c for c in cells if c not in grid]
    if absent or extra or len(cells) != len(grid):
        problem = (f"no row for {absent[0][0]} in {absent[0][1]}" if absent else
                   f"unexpected row {extra[0]}" if extra else "a province-year appears twice")
        raise InputError(f"{where}: {len(cells)} rows, expected {len(grid)} (30 provinces x 11 years); "
                         f"{problem}. {REBUILD}")
    for column in [*MODEL_COLUMNS, "region", "filled"]:
        values = data[column]
        if column == "region":
            bad = ~values.isin(PROVINCES["region"].unique())
        elif column == "filled":
            bad = ~values.map(lambda v: isinstance(v, (bool, np.bool_)))
        else:
            bad = ~np.isfinite(pd.to_numeric(values, errors="coerce").to_numpy(dtype=float))
        if np.any(bad):
            i = int(np.flatnonzero(np.asarray(bad))[0])
            at = f", line {i + 2}" if lines else ""
            raise InputError(f"{where}{at}: {column} is {values.iloc[i]} for {cells[i][0]} in {cells[i][1]}, "
                             f"not {'a region' if column == 'region' else 'True or False' if column == 'filled' else 'a finite number'}. "
                             f"{REBUILD}")


def select(data: pd.DataFrame, **choices: str) -> pd.DataFrame:
    """The panel with tfp, digital and virtual taken from the chosen measure columns, e.g.
    select(data, tfp="tfp_solow"); an unknown choice is an error listing the valid ones. A
    construction of the grid that the panel does not carry is read from the grid's cache
    (helpers.forensics.columns, computed from data/raw)."""
    for variable, column in choices.items():
        if column not in MEASURES.get(variable, []):
            raise ValueError(f"{variable}={column!r} is not a measure of {variable}; "
                             f"choose one of {MEASURES.get(variable, list(MEASURES))}")
    missing = [column for column in choices.values() if column not in data]
    if missing:
        from .forensics import columns  # the grid builds on this module
        data = data.join(columns(missing))
    return data.assign(**{variable: data[column] for variable, column in choices.items()})


def winsorise(data: pd.DataFrame, columns: list[str], share: float = 0.01) -> pd.DataFrame:
    """Each column clipped at its pooled `share` and 1 - `share` quantiles."""
    clipped = {c: data[c].clip(data[c].quantile(share), data[c].quantile(1 - share)) for c in columns}
    return data.assign(**clipped)


def load(folder=paths.PROCESSED) -> pd.DataFrame:
    """The analysis panel as written by notebook 02, indexed (province, year), after checking that
    it reads as a CSV and is complete (check)."""
    path = Path(folder) / "panel.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run notebooks/02_variables.ipynb (make reproduce)")
    data = read_table(path, REBUILD)
    check(data, str(path), lines=True)
    return data.set_index(["province", "year"])
