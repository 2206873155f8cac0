"""Read the tidy extracts in data/raw/ and refuse bad ones loudly: every check names the file,
the line and the problem, and says what to do."""
import hashlib
import os
import tempfile
from pathlib import Path

import pandas as pd

from . import paths
from .provinces import NAMES, NATIONAL

COLUMNS = ["province", "year", "value"]
YEARS = (1949, 2024)  # the span the sources cover (the capital stock needs 1952 on)
MANIFEST_COLUMNS = [
    "name", "file", "description", "unit", "vintage", "primary_source", "compilation", "licence",
    "years", "provinces", "cells_2011_2021", "gaps_2011_2021", "breaks", "sign", "sha256",
]
FIX = "Rebuild it with `make extract` (needs ../shared/sources) or restore it with `git checkout data/raw`."


class ExtractError(ValueError):
    """An extract that is missing, malformed or does not match its manifest."""


def atomic_write(path: Path, data: bytes) -> None:
    """Write bytes to a temporary file beside `path`, then rename: never a half-written file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fail(where: str, problem: str, line=None):
    at = f", line {line}" if line is not None else ""
    raise ExtractError(f"{where}{at}: {problem}. {FIX}")


SIGNS = ("non-negative", "any")


def validate(frame: pd.DataFrame, where: str, sign: str = "non-negative") -> pd.DataFrame:
    """Check columns, dtypes, province names, year range, duplicates and, unless `sign` is 'any'
    (a series that can fall below zero), signs of a tidy frame. Line numbers count the CSV header
    as line 1."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing or len(frame.columns) != len(COLUMNS):
        _fail(where, f"columns are {list(frame.columns)}, expected {COLUMNS}"
              + (f" (missing {', '.join(missing)})" if missing else ""))
    for col in ("year", "value"):
        bad = frame.index[pd.to_numeric(frame[col], errors="coerce").isna()]
        if len(bad):
            i = bad[0]
            _fail(where, f"{col} {frame.at[i, col]!r} is not a number", i + 2)
    unknown = frame.index[~frame["province"].isin([*NAMES, NATIONAL])]
    if len(unknown):
        i = unknown[0]
        _fail(where, f"unknown province {frame.at[i, 'province']!r} (expected one of the 31 English "
                     f"names in helpers.provinces, or {NATIONAL!r} for a national series)", i + 2)
    years = pd.to_numeric(frame["year"])
    if (years != years.round()).any():
        i = frame.index[years != years.round()][0]
        _fail(where, f"year {frame.at[i, 'year']!r} is not a whole number", i + 2)
    outside = frame.index[~years.between(*YEARS)]
    if len(outside):
        i = outside[0]
        _fail(where, f"year {frame.at[i, 'year']} outside {YEARS[0]}-{YEARS[1]}", i + 2)
    dup = frame.index[frame.duplicated(["province", "year"], keep="first")]
    if len(dup):
        i = dup[0]
        _fail(where, f"duplicated province-year ({frame.at[i, 'province']}, {frame.at[i, 'year']})", i + 2)
    negative = frame.index[pd.to_numeric(frame["value"]) < 0]
    if sign != "any" and len(negative):
        i = negative[0]
        _fail(where, f"negative value {frame.at[i, 'value']} for ({frame.at[i, 'province']}, "
                     f"{frame.at[i, 'year']})", i + 2)
    return frame


def manifest(folder: Path = paths.RAW) -> pd.DataFrame:
    """The manifest of the extracts, one row per series."""
    path = Path(folder) / "MANIFEST.csv"
    if not path.exists():
        raise ExtractError(f"{path}: the manifest is missing. {FIX}")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns) != MANIFEST_COLUMNS:
        _fail(str(path), f"columns are {list(table.columns)}, expected {MANIFEST_COLUMNS}")
    return table.set_index("name")


def read_extract(name: str, unit: str | None = None, folder: Path = paths.RAW) -> pd.DataFrame:
    """Read data/raw/<name>.csv after checking it against its manifest row (checksum, and `unit`
    when given) and validating its content. Returns columns province, year (int), value (float)."""
    table = manifest(folder)
    if name not in table.index:
        raise ExtractError(f"{Path(folder) / 'MANIFEST.csv'}: no series {name!r}; known: "
                           f"{', '.join(table.index)}")
    row = table.loc[name]
    path = Path(folder) / row["file"]
    if not path.exists():
        raise ExtractError(f"{path}: the extract is missing. {FIX}")
    if unit is not None and unit != row["unit"]:
        raise ExtractError(f"{path}: unit is {row['unit']!r} in the manifest, the caller expects "
                           f"{unit!r}; convert explicitly instead of reading it as {unit!r}")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != row["sha256"]:
        _fail(str(path), f"checksum {digest[:12]}… does not match the manifest's {row['sha256'][:12]}… "
                         "(the file was edited after extraction)")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    validate(frame, str(path), row["sign"])
    return frame.astype({"year": int, "value": float})


def read_all(folder: Path = paths.RAW) -> dict[str, pd.DataFrame]:
    """Every extract the manifest lists, validated, by name."""
    return {name: read_extract(name, folder=folder) for name in manifest(folder).index}


def spot_check(extracts: dict[str, pd.DataFrame], printed: pd.DataFrame) -> pd.DataFrame:
    """Put our value beside each printed one (columns series, province, year, printed as text).
    `match` holds when ours rounds to the printed value at the printed number of decimals."""
    out = printed.copy()
    ours = []
    for row in printed.itertuples():
        frame = extracts[row.series]
        hit = frame.loc[(frame["province"] == row.province) & (frame["year"] == int(row.year)), "value"]
        ours.append(hit.iloc[0] if len(hit) else float("nan"))
    out["ours"] = ours
    decimals = out["printed"].astype(str).str.partition(".")[2].str.len()
    tolerance = 0.5 * 10.0 ** (-decimals) + 1e-9
    out["match"] = (out["ours"] - out["printed"].astype(float)).abs() <= tolerance
    return out
