"""Tables in the paper's style, the published numbers beside ours, and exports to CSV, Markdown
and LaTeX. Significance stars: *** p < 0.01, ** p < 0.05, * p < 0.1."""
import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import config, models, paper, paths
from .files import atomic_write_all
from .models import Fit
from .table2 import moments


# The paper's stars as the largest p-value each level allows: *** p < 0.01, ** p < 0.05, * p < 0.1.
STAR_LEVELS = {3: 0.01, 2: 0.05, 1: 0.10}


def stars(p: float) -> str:
    """'***', '**', '*' or '' for p below 0.01, 0.05, 0.1 (STAR_LEVELS)."""
    return next(("*" * n for n, level in STAR_LEVELS.items() if p < level), "")


# --- descriptive and correlation tables ----------------------------------------------------------

def describe(data: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """N, mean, standard deviation (n - 1), min, median, max of each variable (Table 2's moments,
    table2.moments, with N and the median)."""
    x = data[variables]
    return x.apply(moments).T.assign(N=x.count(), median=x.median())[["N", "mean", "sd", "min", "median", "max"]]


def correlations(data: pd.DataFrame, variables: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pearson correlations and their two-sided p-values, t = r sqrt(n-2) / sqrt(1-r^2)."""
    x = data[variables].dropna()
    r = x.corr()
    n = len(x)
    with np.errstate(divide="ignore"):
        t = r * np.sqrt(n - 2) / np.sqrt(1 - r**2)
    p = pd.DataFrame(models.p_value(t, n - 2), index=r.index, columns=r.columns)
    return r, p


def lower_triangle(r: pd.DataFrame, p: pd.DataFrame, decimals=3) -> pd.DataFrame:
    """Correlations with stars below the diagonal, 1 on it, blank above, as Table 3 prints them."""
    out = pd.DataFrame("", index=r.index, columns=r.columns)
    for i, row in enumerate(r.index):
        for j, col in enumerate(r.columns[: i + 1]):
            out.loc[row, col] = "1" if i == j else f"{r.loc[row, col]:.{decimals}f}{stars(p.loc[row, col])}"
    return out


# --- regression tables -----------------------------------------------------------------------------

def long(fits: dict[str, Fit]) -> pd.DataFrame:
    """Every column's numbers in tidy form: column, term, statistic, value (coef, se, t, p, lower,
    upper for each term; n, adj_r2, r2_within per column)."""
    rows = []
    for column, fit in fits.items():
        ci = fit.interval()
        for term in fit.params.index:
            for statistic, value in [("coef", fit.params[term]), ("se", fit.std_errors[term]),
                                     ("t", fit.tstats[term]), ("p", fit.pvalues[term]),
                                     ("lower", ci.loc[term, "lower"]), ("upper", ci.loc[term, "upper"])]:
                rows.append((column, term, statistic, float(value)))
        rows += [(column, "N", "n", float(fit.nobs)), (column, "Adj-R2", "adj_r2", fit.adj_r2),
                 (column, "Within R2", "r2_within", fit.r2_within)]
    return pd.DataFrame(rows, columns=["column", "term", "statistic", "value"])


def regression_table(fits: dict[str, Fit], terms: list[str], decimals=3) -> pd.DataFrame:
    """The paper's layout: coefficient with stars, t statistic in parentheses beneath, then the
    fixed-effect rows, N, adjusted R-squared (inclusive of the effects) and within R-squared."""
    rows, index = [], []
    for term in terms:
        coef, tstat = [], []
        for fit in fits.values():
            if term in fit.params.index:
                coef.append(f"{fit.params[term]:.{decimals}f}{stars(fit.pvalues[term])}")
                tstat.append(f"({fit.tstats[term]:.2f})")
            else:
                coef.append("")
                tstat.append("")
        rows += [coef, tstat]
        index += [term, ""]
    yes = {True: "YES", False: "NO"}
    rows += [[yes[f.effects.get("province", False)] for f in fits.values()],
             [yes[f.effects.get("year", False)] for f in fits.values()],
             [str(f.nobs) for f in fits.values()],
             [f"{f.adj_r2:.{decimals}f}" for f in fits.values()],
             ["" if np.isnan(f.r2_within) else f"{f.r2_within:.{decimals}f}" for f in fits.values()]]
    index += ["Province FE", "Year FE", "N", "Adj-R2", "Within R2"]
    return pd.DataFrame(rows, index=index, columns=list(fits))


def coefficients(fits: dict[str, Fit], term: str, level=config.CONFIDENCE) -> pd.DataFrame:
    """One term across fits, a row per fit: coefficient, t, p, the `level` interval (t distribution
    with each fit's df_resid) and N."""
    rows = {}
    for column, fit in fits.items():
        ci = fit.interval(level).loc[term]
        rows[column] = {"coef": fit.params[term], "t": fit.tstats[term], "p": fit.pvalues[term],
                        "lower": ci["lower"], "upper": ci["upper"], "N": fit.nobs}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("column")


# --- the published numbers ---------------------------------------------------------------------------

def published(table: str, folder=paths.PAPER) -> pd.DataFrame:
    """Rows of data/paper/published.csv for one table ('table2' ... 'table7'); `printed` keeps the
    number as printed (trailing zeros), `value` is it as a float (NaN for the text of the
    fixed-effect rows)."""
    rows = paper.rows(folder)
    rows = rows[rows["table"] == table].assign(printed=lambda r: r["value"],
                                               value=lambda r: pd.to_numeric(r["value"], errors="coerce"))
    if rows.empty:
        raise KeyError(f"no published table {table!r} in {folder / 'published.csv'}")
    return rows.drop(columns="table").reset_index(drop=True)


def published_table(table: str, terms: list[str]) -> pd.DataFrame:
    """A published regression table in the layout of `regression_table`; the fixed-effect rows show
    what the paper prints (年份/行业固定效应 YES, blank where it prints none)."""
    pub = published(table)
    value = pub.set_index(["column", "term", "statistic"])["printed"]
    star = pub.set_index(["column", "term", "statistic"])["stars"]
    columns = list(dict.fromkeys(pub["column"]))
    out = {}
    for column in columns:
        cells = []
        for term in terms:
            if (column, term, "coef") in value.index:
                text = value[(column, term, "coef")] + "*" * int(star[(column, term, "coef")])
                cells += [text, f"({value[(column, term, 't')]})"]
            else:
                cells += ["", ""]
        fe = value.get((column, "Fixed effects", "fe"), "")
        cells += [fe, fe, value[(column, "N", "n")], value[(column, "Adj-R2", "adj_r2")], ""]
        out[column] = cells
    index = [label for term in terms for label in (term, "")] + ["Province FE", "Year FE", "N", "Adj-R2", "Within R2"]
    return pd.DataFrame(out, index=index)


def compare(ours: pd.DataFrame, table: str, columns: dict[str, str]) -> pd.DataFrame:
    """Each published coefficient beside ours. `columns` maps the published column to ours. Marks
    whether the sign and the significance level (number of stars) agree and whether the published
    value lies in our interval (config.CONFIDENCE)."""
    pub = published(table)
    coefs = pub[pub["statistic"] == "coef"].set_index(["column", "term"])
    tvals = pub[pub["statistic"] == "t"].set_index(["column", "term"])["value"]
    wide = ours.pivot_table(index=["column", "term"], columns="statistic", values="value", dropna=False)
    estimated = set(zip(ours["column"], ours["term"]))  # dropna=False also crosses columns and terms
    rows = []
    for (column, term), row in coefs.iterrows():
        if column not in columns or (columns[column], term) not in estimated:
            continue
        mine = wide.loc[(columns[column], term)]  # an estimate without a number (NaN) agrees in nothing
        rows.append({
            "column": column, "term": term, "published": row["value"], "published_t": tvals[(column, term)],
            "published_stars": "*" * int(row["stars"]), "ours": mine["coef"], "ours_t": mine["t"],
            "ours_stars": stars(mine["p"]), "same_sign": np.sign(row["value"]) == np.sign(mine["coef"]),
            "same_level": pd.notna(mine["p"]) and int(row["stars"]) == len(stars(mine["p"])),
            "in_our_ci": mine["lower"] <= row["value"] <= mine["upper"],
        })
    return pd.DataFrame(rows)


def compare_correlations(r: pd.DataFrame, p: pd.DataFrame) -> pd.DataFrame:
    """Each correlation printed in Table 3 beside ours (`r`, `p`: correlations and their p-values,
    as correlations gives them): printed and ours with their stars, the gap ours - printed, and whether the sign
    and the significance level (number of stars) agree."""
    printed = published("table3")
    rows = []
    for row in printed[printed["statistic"] == "r"].itertuples():
        ours, ours_p = r.loc[row.term, row.column], p.loc[row.term, row.column]
        rows.append({"pair": f"{row.term} ~ {row.column}", "printed": f"{row.printed}{'*' * row.stars}",
                     "ours": f"{ours:.3f}{stars(ours_p)}", "gap": ours - row.value,
                     "same sign": np.sign(ours) == np.sign(row.value), "same level": len(stars(ours_p)) == row.stars})
    return pd.DataFrame(rows).set_index("pair")


# The agreement of each published coefficient with ours that a summary gives as a share (compare).
SHARES = ["same_sign", "same_level", "in_our_ci"]


def slopes(comparison: pd.DataFrame) -> pd.DataFrame:
    """The rows of a `compare` table that are slope coefficients: the constants are left out of every
    summary, since the paper misprints one (Table 4 (2)) and a constant depends on how the fixed
    effects are normalised."""
    return comparison[comparison["term"] != "Constant"]


def closeness(comparison: pd.DataFrame) -> pd.Series:
    """Summary of a `compare` table over the slope coefficients (slopes): mean absolute gap, and the
    shares with the same sign, the same significance level and the published value inside our
    interval (config.CONFIDENCE)."""
    comparison = slopes(comparison)
    return pd.concat([pd.Series({"mean_abs_gap": (comparison["published"] - comparison["ours"]).abs().mean()}),
                      comparison[SHARES].mean()])


def adj_r2_gap(ours: pd.DataFrame, table: str, columns: dict[str, str], statistic: str = "adj_r2") -> float:
    """Mean over the published columns of |published adjusted R-squared - ours|, ours the adjusted
    R-squared (inclusive of the effects) or another statistic of `long` (r2_within: NaN without
    province effects); `ours` in the form of `long`, `columns` maps the published column to ours."""
    pub = published(table)
    pub = pub[pub["statistic"] == "adj_r2"].set_index("column")["value"]
    mine = ours[ours["statistic"] == statistic].set_index("column")["value"]
    return float(np.mean([abs(pub[column] - mine[mapped]) for column, mapped in columns.items()]))


def closeness_to(table: str, ours: pd.DataFrame, columns: dict[str, str]) -> pd.Series:
    """How close one set of our columns (`long` form) comes to a published table: `closeness` of the
    coefficients and the mean absolute gap between the published adjusted R-squared and ours
    (`adj_r2_gap`), inclusive and, should the paper have printed it, within."""
    return pd.concat([closeness(compare(ours, table, columns)),
                      pd.Series({"mean_adj_r2_gap": adj_r2_gap(ours, table, columns),
                                 "mean_within_r2_gap": adj_r2_gap(ours, table, columns, "r2_within")})])


# --- export ------------------------------------------------------------------------------------------

def label(key) -> str:
    """A header or index label; the levels of a MultiIndex joined by a space ('ours (1)')."""
    return " ".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def decimals(column: pd.Series) -> int:
    """The decimals a float column needs: the most of any value written with ten significant digits,
    so a column rounded to three decimals prints 0.200, not 0.2."""
    texts = [f"{v:.10g}" for v in column.dropna()]
    return max((len(t.split(".")[1]) for t in texts if "." in t and "e" not in t), default=0)


def markdown(table: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (index as the first column); each float column written with
    one number of decimals (trailing zeros kept), blank where missing."""
    header = [label(table.index.name or "")] + [label(c) for c in table.columns]
    cells = {}
    for i, (_, column) in enumerate(table.items()):
        if pd.api.types.is_float_dtype(column):
            d = decimals(column)
            cells[i] = ["" if pd.isna(v) else f"{v:.{d}f}" for v in column]
        else:
            cells[i] = ["" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in column]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r, key in enumerate(table.index):
        lines.append("| " + " | ".join([label(key)] + [cells[i][r] for i in range(table.shape[1])]) + " |")
    return "\n".join(lines) + "\n"


def export(table: pd.DataFrame, name: str, folder: Path, formats=("csv", "md", "tex"),
           settings: dict | None = None) -> list[Path]:
    """Write folder/name.csv, .md and .tex (or the `formats` given), and with `settings` (what produced
    the table) folder/name.settings.json beside them, all rendered before any is written and written
    together (files.atomic_write_all); returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        "csv": lambda: table.to_csv(lineterminator="\n", float_format="%.10g"),
        "md": lambda: markdown(table),
        "tex": lambda: table.to_latex(escape=True, float_format="%.10g"),
        "settings.json": lambda: json.dumps(settings, indent=1, ensure_ascii=False) + "\n",
    }
    if settings is not None:
        formats = [*formats, "settings.json"]
    files = {folder / f"{name}.{ext}": texts[ext]().encode("utf-8") for ext in formats}
    atomic_write_all(files)
    return list(files)
