"""The replication scorecard: every published coefficient of Tables 4-7 beside ours, read from the
estimates the analysis notebooks wrote, and the paper's hypotheses judged on our numbers."""
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from . import config, models, paper, paths, tables
from .files import InputError, read_record, read_table
from .provinces import REGIONS, SAMPLE, region

# The published tables and their columns (our notebooks name their columns as the paper does).
TABLES = {t: paper.TABLES[t] for t in ["table4", "table5", "table6", "table7"]}
ALPHA = config.ALPHA  # re-exported: one significance level (helpers.config)


def estimates(figures: Path, table: str) -> pd.DataFrame:
    """Our estimates of one table, as the notebook wrote them (figures/<table>_estimates.csv)."""
    return read_table(Path(figures) / f"{table}_estimates.csv", f"Rerun the notebook that writes {table} (make reproduce).")


# The settings that change the exports the scorecard reads: the measures, and the standard errors of
# the estimates of Tables 4-7 (the wild cluster bootstrap is clustered whatever the run's errors).
MEASURES, ERRORS = list(config.MEASURE_DEFAULTS), "cov_type"
BOOTSTRAP = ("reps", "seed")  # the draws of the regional wild bootstrap, whose p-values the regional verdict reads


def estimated_with(figures: Path) -> dict[str, str]:
    """The measures and standard errors with which the exports the scorecard reads (paths.SCORED) were
    made, from their settings records, and the draws of the wild bootstrap (BOOTSTRAP); an error
    naming the files if the measures or errors differ (a notebook rerun alone with other settings),
    which the scorecard would otherwise mix."""
    made, draws = {}, {}
    for name in paths.SCORED:
        path = Path(figures) / f"{name}.settings.json"
        record = read_record(path, f"Rerun the notebook that writes {name} (make reproduce).")
        made[path] = {k: record.get(k) for k in [*MEASURES, *([ERRORS] if name.endswith("_estimates") else [])]}
        if name == "table7_wild_bootstrap":
            draws = {k: record[k] for k in BOOTSTRAP if k in record}
    if any(len({m[k] for m in made.values() if k in m}) > 1 for k in [*MEASURES, ERRORS]):
        raise InputError("the estimates were made with different settings, which the scorecard would mix:\n"
                         + "\n".join(f"  {path}: {', '.join(f'{k}={v}' for k, v in m.items())}" for path, m in made.items())
                         + f"\nrerun them together with the same settings, e.g. {paths.RUNNER} --only "
                           "09_replication_scorecard --set name=value --out FOLDER (it runs notebooks 05-08 first); in "
                           "JupyterLab, give notebooks 05-08 the same values of these settings in their parameters cells, run "
                           "them again, then this one")
    return {**{k: v for m in made.values() for k, v in m.items()}, **draws}


def coefficients(figures: Path) -> pd.DataFrame:
    """Every published coefficient of Tables 4-7 beside ours (tables.compare), with a table column."""
    parts = [tables.compare(estimates(figures, t), t, {c: c for c in columns}).assign(table=t)
             for t, columns in TABLES.items()]
    frame = pd.concat(parts, ignore_index=True)
    return frame[["table", *[c for c in frame if c != "table"]]]


def summary(coefs: pd.DataFrame) -> pd.DataFrame:
    """Per table: number of published slope coefficients (tables.slopes: constants left out, as in
    every summary of a comparison) and the shares that agree in sign, in significance level, and
    that lie in our interval (config.CONFIDENCE)."""
    grouped = tables.slopes(coefs).groupby("table")
    return grouped[tables.SHARES].mean().assign(coefficients=grouped.size())[["coefficients", *tables.SHARES]]


def statistics(estimates_long: pd.DataFrame, column: str, term: str) -> pd.Series:
    """coef, se, t, p, lower, upper of one term in one column of our estimates."""
    rows = estimates_long[(estimates_long["column"] == column) & (estimates_long["term"] == term)]
    return rows.set_index("statistic")["value"]


def supports(coef, p, alpha: float = ALPHA):
    """A claimed positive effect is supported: the coefficient is positive with p < alpha
    (elementwise for arrays and Series)."""
    return (coef > 0) & (p < alpha)


def verdict(fit, term: str, alpha: float = ALPHA) -> str:
    """'supported' or 'not supported at <alpha>' for a positive effect of `term` in a models.Fit."""
    held = supports(fit.params[term], fit.pvalues[term], alpha)
    return "supported" if held else f"not supported at {percent(alpha)}"


def percent(alpha: float) -> str:
    """A significance level as the text prints it: 0.05 -> '5 %'."""
    return f"{alpha * 100:g} %"


def printed_significant(stars: int, alpha: float = ALPHA) -> bool:
    """A published coefficient is significant at `alpha` only if its stars guarantee p < alpha."""
    return stars > 0 and tables.STAR_LEVELS[stars] <= alpha


def claimed_regions(alpha: float = ALPHA) -> list[str]:
    """The regions where the paper's Table 7 prints a positive `digital` significant at `alpha`."""
    pub7 = tables.published("table7").query("term == 'digital' and statistic == 'coef'")
    return [row["column"] for _, row in pub7.iterrows()
            if row["value"] > 0 and printed_significant(int(row["stars"]), alpha)]


def regional_pattern(t, p, regions=REGIONS, alpha: float = ALPHA, claimed=None):
    """The paper's regional claim holds (Table 7: digital significant in the East, West and Northeast,
    not in the Centre): in each of `regions`, positive with p < alpha (supports) where the paper claims
    it at alpha (`claimed`, by default claimed_regions), not significant at alpha in either direction
    elsewhere. `t` and `p` map each region to its t statistic (or coefficient) and p-value, all scalars
    or all arrays of one shape (elementwise); a NaN p is no significance (notebook 11's joint test
    leaves out a specification without every region's test, multiverse.testable_share)."""
    claimed = claimed_regions(alpha) if claimed is None else claimed
    return np.all([supports(t[r], p[r], alpha) if r in claimed else ~(np.asarray(p[r]) < alpha) for r in regions],
                  axis=0)


def positive_and_significant(estimates_long: pd.DataFrame, column: str, term: str, alpha=ALPHA) -> bool:
    """Our coefficient of `term` in `column` is positive with p < alpha."""
    value = statistics(estimates_long, column, term)
    return supports(value["coef"], value["p"], alpha)


# Where the paper states H1 and H2: (table, column, term) of the published coefficient.
PUBLISHED = {"H1": ("table4", "(2)", "digital"), "H2": ("table6", "(2)", "virtual x digital")}


def verdicts(figures: Path, alpha=ALPHA) -> pd.DataFrame:
    """The paper's claims judged on our numbers at significance level `alpha`:
    H1 digital raises TFP (Table 4 column 2); H2 virtual agglomeration strengthens it (Table 6
    column 2, the product term); the regional pattern (regional_pattern: digital significant in the
    East, West and Northeast, not in the Centre; Table 7, by the wild cluster bootstrap p-values)."""
    h1, h2 = (positive_and_significant(estimates(figures, table), column, term, alpha)
              for table, column, term in (PUBLISHED["H1"], PUBLISHED["H2"]))
    path, fix = Path(figures) / "table7_wild_bootstrap.csv", "Rerun notebooks/08_heterogeneity.ipynb (make reproduce)."
    boot = read_table(path, fix, index_col="region")
    if missing := [r for r in REGIONS if r not in boot.index]:
        raise InputError(f"{path}: no row for {', '.join(missing)}. {fix}")
    coef, p = boot["coef"], boot["wild bootstrap p"]
    claimed = claimed_regions(alpha)
    positive, negative = ([r for r in REGIONS if supports(sign * coef[r], p[r], alpha)] for sign in (1, -1))
    return pd.DataFrame([
        ("H1: digital raises TFP", _printed(*PUBLISHED["H1"]), h1),
        ("H2: virtual agglomeration strengthens it", _printed(*PUBLISHED["H2"]), h2),
        ("Regional pattern", f"positive and significant at {percent(alpha)}: " + ", ".join(claimed)
         + "; the others not significant (Table 7)", bool(regional_pattern(coef, p, REGIONS, alpha, claimed))),
    ], columns=["claim", "paper", "holds in our data"]).assign(
        our_evidence=[_evidence(figures, *PUBLISHED["H1"]), _evidence(figures, *PUBLISHED["H2"]),
                      f"significant (wild bootstrap): positive {', '.join(positive) or 'none'}; "
                      f"negative {', '.join(negative) or 'none'}"])


# The claims of `verdicts` as notebook 11's table of numbers names them.
MULTIVERSE_CLAIMS = {"H1: digital raises TFP": "H1", "H2: virtual agglomeration strengthens it": "H2",
                     "Regional pattern": "regional pattern"}


def with_multiverse(verdicts_: pd.DataFrame, figures: Path) -> pd.DataFrame:
    """The verdicts with, beside each, the share of notebook 11's declared universe that supports
    the claim (figures/11_numbers.csv): the full universe, its two-way FE part (also as a count, since
    a share can round to zero) and the core's joint p-value, at the significance level notebook 11
    used (its settings record)."""
    path, fix = Path(figures) / "11_numbers.csv", "Rerun notebooks/11_multiverse.ipynb (make reproduce)."
    numbers = read_table(path, fix, index_col=["claim", "universe"])
    settings = path.with_suffix(".settings.json")
    alpha = read_record(settings, fix).get("alpha")
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool):
        raise InputError(f"{settings}: alpha is {alpha!r}, not a significance level. {fix}")
    level = percent(alpha)
    claim = verdicts_["claim"].map(MULTIVERSE_CLAIMS)
    share = lambda universe: [numbers.loc[(c, universe), "supports"] for c in claim]  # noqa: E731
    two_way = [numbers.loc[(c, "full, two-way FE only")] for c in claim]
    return verdicts_.assign(**{f"multiverse share supporting at {level}": share("full"),
                               "two-way FE only": share("full, two-way FE only"),
                               "two-way FE only, supporting": [f"{int(row['supporting']):,} of {int(row['specifications']):,}"
                                                               for row in two_way],
                               "joint p (core, every estimator)": [numbers.loc[(c, "core"), "joint p (core)"] for c in claim]})


# The readings of a published t (printed_stars): its degrees of freedom, None for the normal.
READINGS = ("clustered", "residual", "normal")


def printed_stars() -> pd.DataFrame:
    """Every published coefficient of Tables 4-7 with its t and stars, and the stars that t earns read
    with the G - 1 degrees of freedom of errors clustered by province (G: the sample's provinces, by
    region in Table 7), with the residual degrees of freedom of the column's two-way model, N - K -
    (G - 1) - (T - 1) with K its slopes (those the table prints and paper.UNPRINTED) and constant and
    T = N / G its years (those of conventional errors, and those with which linearmodels' PanelOLS
    reads any errors by default), and against the normal: which reading the printed stars follow
    (notebook 09)."""
    rows = []
    for table in TABLES:
        pub = tables.published(table).set_index(["column", "term", "statistic"])
        for column in pub.index.unique("column"):
            n, terms = int(pub.at[(column, "N", "n"), "value"]), pub.xs(column).query("statistic == 't'").index
            clusters = sum(region(p) == column for p in SAMPLE) if table == "table7" else len(SAMPLE)
            k = len(terms) + len(paper.UNPRINTED.get((table, column), []))
            df = {"clustered": clusters - 1, "residual": n - k - (clusters - 1) - (n // clusters - 1),
                  "normal": None}
            for term, _ in terms:
                t, printed = float(pub.at[(column, term, "t"), "value"]), pub.at[(column, term, "coef"), "stars"]
                row = {"table": table, "column": column, "term": term, "t": t,
                       "printed": "*" * (0 if pd.isna(printed) else int(printed))}
                for reading in READINGS:
                    p_ = 2 * stats.norm.sf(abs(t)) if df[reading] is None else models.p_value(t, df[reading])
                    row |= {**({f"{reading} df": df[reading]} if df[reading] else {}),
                            f"{reading} p": p_, f"{reading} stars": tables.stars(p_)}
                rows.append(row)
    return pd.DataFrame(rows)


def _printed(table, column, term) -> str:
    """A published coefficient as printed, with stars and t, e.g. '0.708*** (t = 3.60), Table 4 (2)'."""
    rows = tables.published(table).query("column == @column and term == @term").set_index("statistic")
    return (f"{rows.at['coef', 'printed']}{'*' * int(rows.at['coef', 'stars'])} (t = {rows.at['t', 'printed']}), "
            f"Table {table[-1]} {column}")


def _evidence(figures, table, column, term) -> str:
    value = statistics(estimates(figures, table), column, term)
    return f"{value['coef']:.3f} (t = {value['t']:.2f}, p = {value['p']:.3f})"
