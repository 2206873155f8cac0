"""The paper's five controls reconstructed from the printed Table 2: for each, the constructions the
sources allow (GDP vintage, retail-sales splice, ...), their moments beside the printed ones, and the
construction kept (KEPT)."""
import pandas as pd

from . import config, paper, paths
from .provinces import NATIONAL
from .variables import Extracts, ratio, spliced, window


def trade_cny(trade_cny: pd.Series, trade_usd: pd.Series, usd_cny: pd.Series) -> pd.Series:
    """Imports + exports in 亿元: the CNY series from 2013, before it USD (万美元) x the official
    annual rate / 10,000."""
    rate = usd_cny.xs(NATIONAL, level="province")
    converted = trade_usd * trade_usd.index.get_level_values("year").map(rate).to_numpy() / 1e4
    return trade_cny.combine_first(converted.dropna()).rename(f"{trade_cny.name}, before it {trade_usd.name} x {usd_cny.name}")


def control_candidates(s: Extracts) -> dict[str, dict[str, pd.Series]]:
    """For each control, the constructions the sources allow."""
    first, last = config.PANEL_YEARS
    gdp = {v: getattr(s, f"gdp_{v}") for v in "abc"}
    early, middle = range(first, 2013), range(2013, 2016)
    retail = {"macs to 2012, airuimeng 2013-": spliced((s.retail_sales_macs, early),
                                                      (s.retail_sales_airuimeng, range(2013, last + 1))),
              "later vintage 2016-, airuimeng, macs": spliced((s.retail_sales_macs, early),
                                                             (s.retail_sales_airuimeng, middle),
                                                             (s.retail_sales_nbs_later, range(2016, last + 1)))}
    trade = trade_cny(s.trade_cny, s.trade_usd, s.usd_cny)
    residual = (window(gdp["a"]) - window(s.va_primary_a) - window(s.va_secondary_a)).rename(
        "gdp_a - va_primary_a - va_secondary_a")
    to_2019, after = range(first, 2020), range(2020, last + 1)
    ratios = {
        "gov": {f"budget expenditure / GDP ({v})": ratio(s.budget_expenditure, gdp[v]) for v in "abc"},
        "cs": {f"retail sales ({r}) / GDP ({v})": ratio(retail[r], gdp[v]) for r in retail for v in "abc"},
        "open": {f"trade in CNY / GDP ({v})": ratio(trade, gdp[v]) for v in "abc"},
        "ur": {"urbanisation rate / 100": window(s.urbanisation) / 100},
        "ind": {
            "tertiary / secondary (a)": ratio(s.va_tertiary_a, s.va_secondary_a),
            "tertiary as residual / secondary (a)": ratio(residual, s.va_secondary_a),
            "tertiary / secondary (b to 2019, a after)": spliced(
                (ratio(s.va_tertiary_b, s.va_secondary_b, years=to_2019), to_2019),
                (ratio(s.va_tertiary_a, s.va_secondary_a, years=after), after)),
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


def agreement(table: pd.DataFrame, printed: pd.Series) -> str:
    """How the construction kept (the first row of a reconstruct table) compares with the printed row,
    moment by moment at the printed three decimals, as the codebook says it."""
    gaps = (table.iloc[0][MOMENTS] - printed[MOMENTS]).abs().round(3)
    same, differ = [m for m in MOMENTS if gaps[m] == 0], [m for m in MOMENTS if gaps[m] != 0]
    if not differ:
        return "reproduces the printed Table 2 row"
    if not same:
        return "closest candidate to the printed Table 2 row, every moment differs"
    return f"{_listed(same)} as printed, {_listed(differ)} differ{'s' if len(differ) == 1 else ''}"


def _listed(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(filter(None, [", ".join(words[:-1]), words[-1]]))


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



# The construction of each control the Table 2 reconstruction keeps on the shipped extracts, and whether
# it reproduces the printed row exactly (the codebook says which). Another outcome means an input changed.
KEPT = {"gov": ("budget expenditure / GDP (a)", True),
        "cs": ("retail sales (macs to 2012, airuimeng 2013-) / GDP (a)", False),
        "open": ("trade in CNY / GDP (b)", True),
        "ur": ("urbanisation rate / 100", True),
        "ind": ("tertiary / secondary (b to 2019, a after)", False)}
