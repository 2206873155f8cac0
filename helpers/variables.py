"""The variables of the analysis panel built from the extracts in data/raw/, one named function per
construction: reading onto the panel grid (30 provinces x the panel years, helpers.config), output,
capital, labour and TFP, the digital-economy indicators and indices, virtual agglomeration. Series are
pandas Series indexed (province, year); every filled cell has a flag.
"""
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from . import config, constructions, measures, paths
from .provinces import NAMES, SAMPLE
from .sources import FIX, consistent, read_extract

ALL_YEARS = range(config.PANEL_YEARS[0], config.PANEL_YEARS[1] + 1)
LATE_YEARS = range(config.LATE_START, config.PANEL_YEARS[1] + 1)  # the years of the series that start late


def _unit(unit: str):
    return field(metadata={"unit": unit})


@dataclass(frozen=True)
class Extracts:
    """The extracts the panel reads, each a Series indexed (province, year), declared with the unit the
    constructions assume (sources.read_extract checks it against the manifest)."""
    gdp_a: pd.Series = _unit("亿元")
    gdp_b: pd.Series = _unit("亿元")
    gdp_c: pd.Series = _unit("亿元")
    gdp_index: pd.Series = _unit("previous year=100")
    gfcf: pd.Series = _unit("亿元")
    investment_price_index: pd.Series = _unit("1952=1")
    employment: pd.Series = _unit("万人")
    employment_urban_units: pd.Series = _unit("万人")
    urban_unit_employment_total: pd.Series = _unit("万人")
    it_employment: pd.Series = _unit("万人")
    population: pd.Series = _unit("万人")
    broadband_subscribers: pd.Series = _unit("万户")
    broadband_ports: pd.Series = _unit("万个")
    telecom_volume: pd.Series = _unit("亿元")
    mobile_subscribers: pd.Series = _unit("万户")
    dfiic: pd.Series = _unit("index")
    software_revenue: pd.Series = _unit("亿元")
    budget_expenditure: pd.Series = _unit("亿元")
    retail_sales_macs: pd.Series = _unit("亿元")
    retail_sales_airuimeng: pd.Series = _unit("亿元")
    retail_sales_nbs_later: pd.Series = _unit("亿元")
    trade_cny: pd.Series = _unit("亿元")
    trade_usd: pd.Series = _unit("万美元")
    usd_cny: pd.Series = _unit("CNY per USD")
    urbanisation: pd.Series = _unit("%")
    va_primary_a: pd.Series = _unit("亿元")
    va_secondary_a: pd.Series = _unit("亿元")
    va_tertiary_a: pd.Series = _unit("亿元")
    va_secondary_b: pd.Series = _unit("亿元")
    va_tertiary_b: pd.Series = _unit("亿元")
    # read for the checks only: with it the three sectors of vintage (b) sum to GDP (sources.RATIOS)
    va_primary_b: pd.Series = _unit("亿元")

    @classmethod
    def read(cls, folder: Path = paths.RAW) -> "Extracts":
        """Every extract from `folder` (series), alone and beside the others (sources.consistent)."""
        frames = {name: read_extract(name, unit, folder=folder) for name, unit in EXTRACTS.items()}
        consistent(frames, str(folder))
        return cls(**{name: _indexed(frame, name) for name, frame in frames.items()})


# The extracts the panel reads and the unit of each.
EXTRACTS = {f.name: f.metadata["unit"] for f in fields(Extracts)}


# --- reading ------------------------------------------------------------------------------------

def series(name: str, folder: Path = paths.RAW) -> pd.Series:
    """An extract the panel reads (EXTRACTS, which declares the unit it expects), as a Series indexed
    (province, year), named after it."""
    return _indexed(read_extract(name, EXTRACTS[name], folder=folder), name)


def _indexed(frame: pd.DataFrame, name: str) -> pd.Series:
    """An extract's values indexed (province, year), named `name`."""
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

def real_gdp(gdp: pd.Series, index: pd.Series, base_year: int) -> pd.Series:
    """Real GDP at `base_year` prices: Y_t = GDP_base x prod_{s=base+1..t} (index_s / 100), with the
    real index at previous year = 100 (vintage a, the only one with the index for every year)."""
    later = index[index.index.get_level_values("year") > base_year] / 100
    growth = later.sort_index().groupby(level="province").cumprod()
    base = gdp.xs(base_year, level="year")
    levels = growth.mul(base, level="province")
    start = base.to_frame().assign(year=base_year).set_index("year", append=True).iloc[:, 0]
    return pd.concat([start, levels]).sort_index().rename("real_gdp")


def capital(gfcf: pd.Series, price: pd.Series, delta: float, base_year: int) -> pd.Series:
    """Capital stock at `base_year` prices by perpetual inventory with depreciation rate `delta`
    (config.DEPRECIATION in the panel; measures.capital_stock, with Chongqing's 1996 stock as in
    CHNCapitalStock). A province whose investment starts later than the others', Chongqing aside, is an
    error: its stock would start from that year's investment alone."""
    initial = pd.Series({"Chongqing": measures.CHONGQING_K1996})
    starts = gfcf.index.to_frame(index=False).groupby("province")["year"].min()
    late = starts[(starts > starts.min()) & ~starts.index.isin(initial.index)]
    if len(late):
        raise ValueError(f"{gfcf.name}: {late.index[0]}'s years start in {late.iloc[0]}, the other provinces' in "
                         f"{starts.min()}, so its capital stock would start from {late.iloc[0]}'s investment alone "
                         f"(measures.capital_stock). {FIX}")
    return measures.capital_stock(gfcf, price, delta=delta, base_year=base_year, initial=initial)


def production(gdp: pd.Series, gfcf: pd.Series, price: pd.Series, labour: pd.Series, delta: float) -> pd.DataFrame:
    """Output and inputs of the TFP measures on the panel grid: real GDP (`gdp`), the capital stock at
    config.BASE_YEAR prices with depreciation `delta` (capital; the panel's is config.DEPRECIATION) and
    `labour`."""
    return pd.DataFrame({"real_gdp": window(gdp),
                         "capital": window(capital(gfcf, price, delta, config.BASE_YEAR)),
                         "labour": window(labour)})


LEVELS = ("anchored", "cumulative")


def tfp_malmquist(inputs: pd.DataFrame, frontier="adjacent", rts="crs", orientation="output",
                  level="anchored") -> pd.DataFrame:
    """DEA-Malmquist TFP (Färe et al. 1994; measures.malmquist): output real GDP, inputs capital and
    labour, over the provinces of `inputs`; the panel's is CRS, output-oriented, with adjacent-period
    frontiers. Returns EC, TC, M and the level tfp = A_t0 x cumulative M (measures.tfp_level), with
    A_t0 the first year's DEA efficiency against its own frontier ("anchored") or 1 ("cumulative")."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    changes = measures.malmquist(inputs, "real_gdp", ["capital", "labour"], frontier, rts, orientation)
    first = inputs.xs(inputs.index.get_level_values("year").min(), level="year", drop_level=False)
    start = (measures.efficiency(first, "real_gdp", ["capital", "labour"], "contemporaneous", rts, orientation)
             if level == "anchored" else pd.Series(1.0, index=first.index))
    tfp = measures.tfp_level(changes, start)
    return changes.reindex(tfp.index).assign(tfp=tfp)


def tfp_solow(inputs: pd.DataFrame) -> tuple[pd.Series, float]:
    """Growth-accounting TFP, ln A = ln Y - a ln K - (1 - a) ln L, with the capital elasticity a
    estimated on the panel (measures.capital_share, two-way fixed effects). Returns A and a."""
    alpha = measures.capital_share(inputs["real_gdp"], inputs["capital"], inputs["labour"])
    return measures.growth_accounting_tfp(inputs["real_gdp"], inputs["capital"], inputs["labour"], alpha), alpha


# --- digital economy (Zhao, Zhang & Liang 2020) ----------------------------------------------------

def broadband_2021(subscribers: pd.Series, ports: pd.Series) -> pd.Series:
    """2021 broadband subscribers, which no source holds by province: each province's 2020 value
    grown with its 2020->2021 growth of broadband access ports, then scaled so that the 31 provinces
    sum to the national 2021 total (config.BROADBAND_2021_NATIONAL)."""
    before = window(subscribers, NAMES, [2020]).xs(2020, level="year")
    ports = window(ports, NAMES, [2020, 2021]).unstack("year")
    raw = before * ports[2021] / ports[2020]
    filled = raw * config.BROADBAND_2021_NATIONAL / raw.sum()
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
    from the average growth of each province's first three observations (measures.backcast).
    Returns it named `name` and its flag `<name>_filled`; a gap after the first year stays an error
    (window)."""
    values = values.dropna().rename(name)
    value, flag = measures.backcast(values[values.index.get_level_values("province").isin(provinces)], ALL_YEARS)
    return window(value, provinces), window(flag.rename(f"{name}_filled"), provinces)


def late_ratio(numerator: pd.Series, denominator: pd.Series, name: str, provinces=SAMPLE,
               per: int = 1) -> tuple[pd.Series, pd.Series]:
    """per x numerator / denominator of a series that starts in 2013 (config.LATE_START; a share, or
    per = 100 a count per 100 people), on the panel grid of `provinces` with 2011-2012 backcast
    (backcast_sample). Returns it named `name` and its flag."""
    return backcast_sample(ratio(numerator, denominator, provinces, LATE_YEARS) * per, name, provinces)


def it_share(it_employment, urban_total) -> tuple[pd.Series, pd.Series]:
    """Internet-related employment share = IT-sector (信息传输、软件和信息技术服务业) over all
    urban-unit employment, both from one source (2013 on); 2011-2012 backcast. Returns the share
    and its flag."""
    return late_ratio(it_employment, urban_total, "it_share")


def telecom_per_capita(volume, population) -> pd.Series:
    """Internet-related output per capita = telecom business volume per person relative to the
    31-province value of the same year: (V_it / P_it) / (sum_j V_jt / sum_j P_jt). Dividing by the
    same year's total removes the price base, which changes in 2016 and 2021."""
    both = pd.concat({"volume": window(volume, NAMES), "population": window(population, NAMES)}, axis=1)
    totals = both.groupby(level="year").transform("sum")
    return window(((both["volume"] / both["population"])
                   / (totals["volume"] / totals["population"])).rename("telecom"))


def mobile_per_100(subscribers, population) -> tuple[pd.Series, pd.Series]:
    """Mobile subscribers per 100 people (2013 on); 2011-2012 backcast (late_ratio)."""
    return late_ratio(subscribers, population, "mobile", per=100)


INDICATORS = list(constructions.INDICATOR_SETS["subs"])  # the panel's index: five indicators, broadband subscribers


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

def virtual_lq(share: pd.Series, total: pd.Series, provinces=SAMPLE) -> pd.Series:
    """Virtual agglomeration = location quotient of a sector over `provinces` (measures.location_quotient),
    e_it = share_it x E_it with E the `total` (the panel: IT-sector share of urban-unit employment)."""
    total = window(total, provinces)
    return measures.location_quotient(share * total, total).rename("virtual")


def virtual_software(revenue: pd.Series, gdp: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Alternative: location quotient of software business revenue relative to GDP; 2011-2012
    backcast like it_share. Returns the LQ and its flag."""
    share, flag = late_ratio(revenue, gdp, "software")
    return virtual_lq(share, gdp).rename("virtual_software"), flag
