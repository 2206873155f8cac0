"""The analysis panel: the paper's eight variables (tfp, digital, virtual, gov, cs, open, ur, ind) and
their alternatives for 30 provinces (no Tibet) x the panel years, assembled from the constructions
(helpers.variables) and the Table 2 reconstruction of the controls (helpers.table2), with its codebook,
and the analysis settings a run chooses from (select, winsorise). Every decision it rests on is in
helpers.config; reading and writing the files is helpers.panel_io.

The names notebooks and tests use are importable from here (panel.load, panel.window, ...).
"""
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import config, constructions, measures, paper, paths
from .panel_io import CODEBOOK_COLUMNS, MODEL_COLUMNS, check, load, load_codebook  # noqa: F401  (the panel's public names)
from .panel_io import write as write_files
from .provinces import PROVINCES, regions
from .table2 import (KEPT, MOMENTS, agreement, control_candidates, kept, moments, printed_moments,  # noqa: F401
                     reconstruct, trade_cny)
from .variables import (ALL_YEARS, EXTRACTS, INDICATORS, Extracts,  # noqa: F401
                        broadband_2021, digital_indices, internet_penetration, it_share,
                        mobile_per_100, production, ratio, real_gdp, series, telecom_per_capita, tfp_malmquist,
                        tfp_solow, virtual_lq, virtual_software, window)

PAPER_VARIABLES = paper.VARIABLES
# The measures a rerun may choose for the paper's three constructed variables: the panel's columns
# (tfp, tfp_solow, tfp_urban; digital, digital_pca, digital_dfiic; virtual, virtual_software), then
# every other construction of the forensic grid (helpers.constructions).
MEASURES = {variable: constructions.names(variable) for variable in config.MEASURE_DEFAULTS}


def __getattr__(name: str):
    """panel.CONTROLS is config.CONTROLS, read when asked for (a change there reaches every caller)."""
    if name == "CONTROLS":
        return config.CONTROLS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Built:
    """The panel and what its construction estimated or chose.

    panel: one row per province and year (columns as the codebook); weights: entropy weight of each
    indicator; loadings: first-component PCA loadings; capital_elasticity: the capital share a of
    tfp_solow; reconstruction: by control, its candidates' moments beside the printed ones (table2);
    choices: by control, the construction kept."""
    panel: pd.DataFrame
    weights: pd.Series
    loadings: pd.Series
    capital_elasticity: float
    reconstruction: dict[str, pd.DataFrame]
    choices: dict[str, str]


def build(folder: Path = paths.RAW) -> Built:
    """Every variable of the panel from the extracts in `folder`, with the decisions of helpers.config
    (base year, depreciation rate, regions)."""
    s = Extracts.read(folder)
    gdp_base, index = window(s.gdp_a, years=[config.BASE_YEAR]), window(s.gdp_index)
    inputs = production(real_gdp(gdp_base, index, config.BASE_YEAR), s.gfcf, s.investment_price_index, s.employment,
                        config.DEPRECIATION)
    malmquist = tfp_malmquist(inputs)
    urban = tfp_malmquist(inputs.assign(labour=window(s.employment_urban_units)))
    solow, elasticity = tfp_solow(inputs)
    internet, internet_filled = internet_penetration(s.broadband_subscribers, s.broadband_ports, s.population)
    share, share_filled = it_share(s.it_employment, s.urban_unit_employment_total)
    mobile, mobile_filled = mobile_per_100(s.mobile_subscribers, s.population)
    indicators = pd.DataFrame({"internet": internet, "it_share": share,
                               "telecom": telecom_per_capita(s.telecom_volume, s.population),
                               "mobile": mobile, "dfiic": window(s.dfiic)})
    indices, weights, loadings = digital_indices(indicators)
    software, software_filled = virtual_software(s.software_revenue, s.gdp_a)
    printed = printed_moments()
    reconstruction, choices, controls = {}, {}, {}
    for var, candidates in control_candidates(s).items():
        reconstruction[var] = reconstruct(candidates, printed.loc[var])
        choices[var] = kept(var, reconstruction[var])
        controls[var] = candidates[choices[var]]
    flags = pd.DataFrame({"internet_filled": internet_filled, "it_share_filled": share_filled,
                          "mobile_filled": mobile_filled, "software_filled": software_filled})
    data = pd.DataFrame({
        "tfp": malmquist["tfp"], "digital": indices["digital"], "virtual": virtual_lq(share, s.employment_urban_units),
        **controls,
        "tfp_solow": solow, "tfp_urban": urban["tfp"], "digital_pca": indices["digital_pca"], "digital_dfiic": indices["digital_dfiic"],
        "virtual_software": software,
        "ec": malmquist["EC"], "tc": malmquist["TC"], "m": malmquist["M"], **inputs, **indicators,
        **flags, "filled": flags[["internet_filled", "it_share_filled", "mobile_filled"]].any(axis=1),
    })
    names = PROVINCES.set_index("province")[["name_zh"]].join(regions())
    data = data.join(names, on="province").reset_index()
    data = data[["province", "name_zh", "region", "year", *[c for c in data if c not in
                                                          ("province", "name_zh", "region", "year")]]]
    check(data, f"the panel built from {folder}")
    return Built(data, weights, loadings, elasticity, reconstruction, choices)


# --- codebook ---------------------------------------------------------------------------------------

# GDP as first published (vintage a) in a ratio: its level breaks in the panel's years (MANIFEST.csv, gdp_a)
GDP_A_BREAKS = ("GDP (a)'s level breaks (the 2019 benchmark to the 4th economic census, Liaoning 2016, "
                "Inner Mongolia 2017; MANIFEST.csv) carry into it")


def codebook(built: Built) -> pd.DataFrame:
    """One row per panel column: definition, formula, unit, source extracts, construction choice."""
    printed = printed_moments()  # each control: the construction kept, and how it compares with Table 2
    said = {var: f"{built.choices[var]}: {agreement(table, printed.loc[var])}"
                 + (f"; {GDP_A_BREAKS}" if "GDP (a)" in built.choices[var] else "")
            for var, table in built.reconstruction.items()}
    first, last = config.PANEL_YEARS
    backcast = f"{first}-{config.LATE_START - 1}"  # the years the late-starting indicators are backcast
    base, keep = config.BASE_YEAR, 1 - config.DEPRECIATION
    weights = ", ".join(f"{k} {v:.3f}" for k, v in built.weights.items())
    rows = [
        ("province", "Province (canonical English name)", "", "", "helpers.provinces", ""),
        ("name_zh", "Province, Chinese short name", "", "", "helpers.provinces", ""),
        ("region", f"NBS region: {', '.join(config.REGIONS)}", "", "", "helpers.provinces", "as the paper, Table 7"),
        ("year", "Year", "", "", "", f"{first}-{last}"),
        ("tfp", "Total factor productivity, DEA-Malmquist level (main)",
         f"D_{first}({first}) x prod M; M = EC x TC, output-oriented CRS DEA, output real_gdp, inputs capital and labour, "
         "adjacent-period frontiers of the 30 sample provinces (Färe et al. 1994)", f"index ({first} frontier = 1)",
         "gdp_a, gdp_index, gfcf, investment_price_index, employment", f"level anchored on each province's {first} efficiency"),
        ("digital", "Digital-economy index, entropy-weight method (main)",
         f"sum_j w_j x'_j, x' = pooled min-max of the five indicators + {measures.ENTROPY_SHIFT:g}; e_j = -1/ln(n) sum p ln p, "
         "w_j = (1 - e_j) / sum (1 - e)", "index (0-1)", "internet, it_share, telecom, mobile, dfiic",
         f"Zhao, Zhang & Liang (2020) indicators; weights {weights}"),
        ("virtual", "Virtual agglomeration: location quotient of IT-sector employment (main)",
         "(e_it / E_it) / (sum_i e_it / sum_i E_it) over the 30 provinces; e = it_share x E, "
         "E = urban-unit employment", "ratio", "it_employment, urban_unit_employment_total, employment_urban_units",
         f"{backcast} from the backcast it_share (flag it_share_filled); within a year proportional to it_share, "
         "one of the indicators of digital"),
        ("gov", "Government intervention", "general public budget expenditure / GDP", "ratio",
         "budget_expenditure, gdp_a/b/c", said["gov"]),
        ("cs", "Social consumption", "retail sales of consumer goods / GDP", "ratio",
         "retail_sales_*, gdp_a/b/c", f"{said['cs']}; so does the revision of retail sales from 2015"),
        ("open", "Openness", "imports + exports in CNY / GDP (2011-2012: USD x official annual rate)", "ratio",
         "trade_cny, trade_usd, usd_cny, gdp_a/b/c", said["open"]),
        ("ur", "Urbanisation", "urban share of year-end resident population", "share (0-1)", "urbanisation",
         said["ur"]),
        ("ind", "Industrial structure", "tertiary / secondary value added", "ratio",
         "va_tertiary_a/b, va_secondary_a/b", said["ind"]),
        ("tfp_solow", "Total factor productivity, growth-accounting residual (alternative)",
         f"Y / (K^a L^(1-a)), a = {built.capital_elasticity:.4f} estimated by two-way FE on ln(Y/L) = a ln(K/L)",
         "level ((亿元 / 万人)^(1-a))", "real_gdp, capital, labour", "alpha estimated, not fixed; labour's level breaks carry into it"),
        ("tfp_urban", "Total factor productivity, DEA-Malmquist level with urban-unit employment as labour (alternative)",
         "as tfp, labour = urban-unit employment (without the level breaks of total employment, but narrower, "
         "and its coverage widened in 2013)",
         f"index ({first} frontier = 1)", "as tfp, employment_urban_units", ""),
        ("digital_pca", "Digital-economy index, first principal component (alternative)",
         "z-scored indicators x first eigenvector of their correlation matrix, loadings signed positive",
         "score", "internet, it_share, telecom, mobile, dfiic", ""),
        ("digital_dfiic", "Digital-economy index, PKU-DFIIC alone / 100 (alternative)", "dfiic / 100",
         "index / 100", "dfiic", ""),
        ("virtual_software", "Virtual agglomeration, location quotient of software business revenue relative to GDP (alternative)",
         "(r_it / GDP_it) / (sum r / sum GDP)", "ratio", "software_revenue, gdp_a",
         f"{backcast} backcast (flag software_filled); {GDP_A_BREAKS}"),
        ("ec", "Malmquist efficiency change, t-1 to t", "D_t(t) / D_t-1(t-1)", "ratio", "", f"missing in {first}"),
        ("tc", "Malmquist technical change, t-1 to t", "sqrt[(D_t-1(t) / D_t(t)) (D_t-1(t-1) / D_t(t-1))]", "ratio", "", f"missing in {first}"),
        ("m", "Malmquist productivity index, t-1 to t", "ec x tc", "ratio", "", f"missing in {first}"),
        ("real_gdp", f"Real GDP at {base} prices", f"GDP_{base} (a) x cumulative real index", f"亿元 ({base} prices)",
         "gdp_a, gdp_index", "vintage a: the only one with the real index for every year"),
        ("capital", f"Capital stock at {base} prices",
         f"K_t = {keep:g} K_t-1 + I_t P_{base} / P_t, K_1952 = I_1952 / 0.1 (Zhang, Wu & Zhang 2004)",
         f"亿元 ({base} prices)", "gfcf, investment_price_index", "CHNCapitalStock convention: Chongqing from its 1996 stock, Sichuan's 1995 stock x 313/850, "
         "left at 1952 prices as the package does (so Chongqing's K is understated, less each year); Sichuan's "
         "stock keeps Chongqing's share before 1996"),
        ("labour", "Employment, year-end", "", "万人", "employment", "level breaks listed in the manifest"),
        ("internet", "Internet penetration: broadband subscribers per 100 people", "subscribers / population x 100",
         "per 100 people", "broadband_subscribers, broadband_ports, population",
         f"2021 = 2020 x port growth, scaled to the national {config.BROADBAND_2021_NATIONAL:,} 万户 (flag internet_filled)"),
        ("it_share", "Internet-related employment share", "IT-sector / all urban-unit employment", "share",
         "it_employment, urban_unit_employment_total", f"{backcast} log-linear backcast (flag it_share_filled)"),
        ("telecom", "Internet-related output per capita, relative", "(V_it / P_it) / (sum V_t / sum P_t) over 31 provinces",
         "ratio to the all-province value", "telecom_volume, population", "relative to the same year removes the price-base changes"),
        ("mobile", "Mobile subscribers per 100 people", "subscribers / population x 100", "per 100 people",
         "mobile_subscribers, population", f"{backcast} log-linear backcast (flag mobile_filled)"),
        ("dfiic", "PKU Digital Financial Inclusion Index", "", "index", "dfiic", "2011-2023 release"),
        ("internet_filled", f"internet is filled ({_span(built.panel, 'internet_filled')})", "", "bool", "", ""),
        ("it_share_filled", f"it_share and virtual are backcast ({backcast})", "", "bool", "", ""),
        ("mobile_filled", f"mobile is backcast ({backcast})", "", "bool", "", ""),
        ("software_filled", f"virtual_software is backcast ({backcast})", "", "bool", "", ""),
        ("filled", "digital or virtual rests on a filled cell", "internet_filled or it_share_filled or mobile_filled",
         "bool", "", f"False defines the robustness sample {_span(built.panel, 'filled', False)}"),
    ]
    table = pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)
    if list(table["column"]) != list(built.panel.columns):
        raise ValueError("codebook and panel columns differ: "
                         f"{sorted(set(table['column']) ^ set(built.panel.columns))}")
    return table


def _span(data: pd.DataFrame, flag: str, value: bool = True) -> str:
    """'first-last' (or the one year) of the rows of the panel whose `flag` is `value`."""
    years = data.loc[data[flag].astype(bool) == value, "year"]
    return str(years.min()) if years.min() == years.max() else f"{years.min()}-{years.max()}"


def write(built: Built, folder: Path = paths.PROCESSED) -> list[Path]:
    """Write the panel and its codebook to `folder` (panel_io.write)."""
    return write_files(built.panel, codebook(built), folder)


# --- the settings of a run ------------------------------------------------------------------------

def select(data: pd.DataFrame, **choices: str) -> pd.DataFrame:
    """The panel with tfp, digital and virtual taken from the chosen measure columns, e.g.
    select(data, tfp="tfp_solow"); a variable not chosen takes its default (config.MEASURE_DEFAULTS).
    An unknown choice is an error listing the valid ones. A construction of the grid that the panel
    does not carry is read from the grid's cache (helpers.forensics.columns, computed from data/raw)."""
    choices = {**config.MEASURE_DEFAULTS, **choices}
    for variable, column in choices.items():
        if column not in MEASURES.get(variable, []):
            raise ValueError(f"{variable}={column!r} is not a measure of {variable}; "
                             f"choose one of {MEASURES.get(variable, list(MEASURES))}")
    missing = [column for column in choices.values() if column not in data]
    if missing:
        from .forensics import columns  # the grid builds on this module
        data = data.join(columns(missing))
    return data.assign(**{variable: data[column] for variable, column in choices.items()})


def winsorise(data: pd.DataFrame, columns: list[str], share: float = config.WINSOR_SHARE) -> pd.DataFrame:
    """Each column clipped at its pooled `share` and 1 - `share` quantiles."""
    frame = data[columns]
    return data.assign(**frame.clip(frame.quantile(share), frame.quantile(1 - share), axis=1))
