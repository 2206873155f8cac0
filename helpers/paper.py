"""The paper's published numbers: data/paper/published.csv (Tables 2-7 as printed, one number per
row; see data/paper/README.md), read and checked for completeness, so that a damaged or truncated
transcription stops with the file, line and problem before any table is compared with it."""
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .files import InputError, read_csv

VARIABLES = ["tfp", "digital", "virtual", "gov", "cs", "open", "ur", "ind"]
COLUMNS = ["table", "column", "term", "statistic", "value", "stars"]
# The columns of each published table (Table 3: lower triangle, `column` the first variable of a pair).
TABLES = {"table2": ["all"], "table3": VARIABLES[:-1], "table4": ["(1)", "(2)"], "table5": ["(1)"],
          "table6": ["(1)", "(2)"], "table7": ["East", "Central", "West", "Northeast"]}
TABLE2 = ["n", "mean", "min", "median_as_printed", "max"]
_CONTROLS = VARIABLES[3:]
# The terms each model column of Tables 4-7 prints (a coefficient and its t each).
TERMS = {("table4", "(1)"): ["digital", "Constant"], ("table4", "(2)"): ["digital", *_CONTROLS, "Constant"],
         ("table5", "(1)"): ["L.digital", *_CONTROLS, "Constant"],
         ("table6", "(1)"): ["virtual x digital", "Constant"],
         ("table6", "(2)"): ["virtual x digital", *_CONTROLS, "Constant"],
         **{("table7", region): ["digital", "Constant"] for region in TABLES["table7"]}}
# The terms of a column's model that its table does not print: Table 6 prints the product alone, but
# the paper's model (2), tfp = b0 + b1 virtual x digital + b2 digital + b3 virtual + ..., holds both.
UNPRINTED = {("table6", column): ["digital", "virtual"] for column in TABLES["table6"]}
STARRED = ("coef", "r")  # the statistics printed with significance stars
FIX = "Restore it with `git checkout data/paper/published.csv`."


def _fail(path, problem, i=None):
    at = f", line {i + 2}" if i is not None else ""
    raise InputError(f"{path}{at}: {problem}. {FIX}")


def _expected(table: str, column: str) -> list[tuple[str, str]]:
    """The (term, statistic) cells a complete column holds."""
    if table == "table2":
        return [(v, s) for v in VARIABLES for s in TABLE2]
    if table == "table3":
        return [(v, "r") for v in VARIABLES[VARIABLES.index(column) + 1:]]
    return [("N", "n"), ("Adj-R2", "adj_r2"), *[(t, s) for t in TERMS[table, column] for s in ("coef", "t")]]


def rows(folder=paths.PAPER) -> pd.DataFrame:
    """Every published number, `value` as printed (text) and `stars` as a nullable integer (missing
    where the statistic carries none). Refuses empty cells, unknown tables, values that are not
    numbers, stars out of 0-3, duplicated cells and missing ones (a truncated file)."""
    path = Path(folder) / "published.csv"
    if not path.exists():
        _fail(path, "the file is missing")
    table = read_csv(path, FIX)
    if list(table.columns) != COLUMNS:
        _fail(path, f"columns are {list(table.columns)}, expected {COLUMNS}")
    for i, row in table.iterrows():
        if "" in (row["table"], row["column"], row["term"], row["statistic"], row["value"]):
            _fail(path, "an empty cell", i)
        if row["table"] not in TABLES or row["column"] not in TABLES[row["table"]]:
            _fail(path, f"unknown table or column ({row['table']}, {row['column']})", i)
        if row["statistic"] != "fe" and not np.isfinite(pd.to_numeric(row["value"], errors="coerce")):
            _fail(path, f"value {row['value']!r} is not a finite number", i)
        if row["stars"] not in (("0", "1", "2", "3") if row["statistic"] in STARRED else ("",)):
            _fail(path, f"stars {row['stars']!r} for statistic {row['statistic']!r} (0-3 for "
                        f"{' and '.join(STARRED)}, empty otherwise)", i)
    cells = table[["table", "column", "term", "statistic"]].apply(tuple, axis=1)
    if cells.duplicated().any():
        _fail(path, f"{cells[cells.duplicated()].iloc[0]} appears twice", int(cells.duplicated().idxmax()))
    have = set(cells)
    for name, columns in TABLES.items():
        for column in columns:
            for term, statistic in _expected(name, column):
                if (name, column, term, statistic) not in have:
                    _fail(path, f"{name} lacks {statistic} of {term} in column {column} (a truncated file?)")
    return table.assign(stars=pd.to_numeric(table["stars"].replace("", None)).astype("Int64"))
