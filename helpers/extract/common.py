"""Building blocks of the extraction step: locate a source workbook, read the common NBS export
format, and turn any province-by-year table into the tidy (province, year, value) shape."""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from .. import paths
from ..provinces import NAMES, NATIONAL, canonical
from ..sources import ExtractError

# Rows in source tables that are aggregates, not provinces.
AGGREGATES = {"全国", "中国", "总计", "合计", "全国合计", "China", "National", "Total", "中央", "中央本级"}


@dataclass(frozen=True)
class Series:
    """One tidy extract: data/raw/<name>.csv, described by its row in the manifest."""

    name: str
    description: str
    unit: str
    vintage: str
    primary_source: str  # the publisher's table or release
    files: tuple  # (folder, file) pairs under the sources folder
    read: Callable[[], pd.DataFrame] = field(repr=False)
    breaks: str = ""
    sign: str = "non-negative"  # or "any" for a series that can fall below zero


def source(folder: str, file: str) -> Path:
    """Path of a source workbook; a clear error when the sources are not beside the repository."""
    path = paths.SOURCES / folder / file
    if not path.is_file():
        raise ExtractError(f"source workbook {path} is missing: `make extract` needs ../shared/sources "
                           "(or COMPENDIUM_SOURCES pointing at it); nothing was written")
    return path


def tidy(frame: pd.DataFrame, province: str, year: str, value: str, *, keep=None) -> pd.DataFrame:
    """(province, year, value) with canonical English province names, integer years and float
    values, sorted; aggregate rows dropped, blank cells dropped (gaps); unknown names and cells that
    are neither blank nor a number an error naming the province and year."""
    out = frame[[province, year, value]].copy()
    out.columns = ["province", "year", "value"]
    out = out[~out["province"].astype(str).str.strip().isin(AGGREGATES)]
    out["province"] = out["province"].map(canonical)
    years = pd.to_numeric(out["year"].astype(str).str.replace("年", "").str.strip(), errors="coerce")
    _refuse(out, years.isna(), "year")
    out["year"] = years.astype(int)
    values = pd.to_numeric(out["value"], errors="coerce")
    _refuse(out, values.isna() & out["value"].notna() & out["value"].astype(str).str.strip().ne(""), "value")
    out = out.assign(value=values.astype(float)).dropna(subset=["value"])
    if keep is not None:
        out = out[out["year"].between(*keep)]
    return out.sort_values(["province", "year"], key=_province_order).reset_index(drop=True)


def _refuse(frame: pd.DataFrame, bad: pd.Series, column: str) -> None:
    """A ValueError naming the first row where `bad` holds: its province, year and cell."""
    if bad.any():
        row = frame[bad].iloc[0]
        raise ValueError(f"{row['province']}, year {row['year']}: the {column} {row[column]!r} is not a number"
                         + (f" ({bad.sum()} such cells)" if bad.sum() > 1 else ""))


def wide(frame: pd.DataFrame, province: str, **kwargs) -> pd.DataFrame:
    """tidy() for a table with one row per province and one column per year ('2021年' or 2021)."""
    years = [c for c in frame.columns if c != province]
    long = frame.melt(id_vars=province, value_vars=years, var_name="year", value_name="value")
    return tidy(long, province, "year", "value", **kwargs)


def read_nbs_csv(path: Path) -> pd.DataFrame:
    """An NBS provincial-database export: GB18030, three header lines, a '地区' column, year
    columns '2021年', footnotes below the table. Returns the table, footnotes removed."""
    table = pd.read_csv(path, encoding="gb18030", skiprows=3)
    table = table[table["地区"].notna() & table.iloc[:, 1:].notna().any(axis=1)]
    return table[~table["地区"].astype(str).str.startswith(("注", "数据来源"))]


def _province_order(column: pd.Series) -> pd.Series:
    """Sort provinces in NBS (GB/T 2260 code) order, years numerically."""
    if column.name != "province":
        return column
    return column.map({name: i for i, name in enumerate([*NAMES, NATIONAL])})
