"""Read the tidy extracts in data/raw/ and refuse bad ones loudly: every check names the file,
the line and the problem, and says what to do. Besides form (columns, names, years, signs, finite
numbers) and the manifest (checksum, unit), each extract must be plausible: inside the range its
series has shown, without year-on-year jumps beyond its documented threshold except at the breaks
the manifest lists (data/checks/plausibility.csv), and equal to every printed value quoted for it
(data/checks/printed_values.csv)."""
import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd

from . import config, paths
from .files import InputError, digest, first_row, read_csv
from .provinces import NAMES, NATIONAL

COLUMNS = ["province", "year", "value"]
MANIFEST_COLUMNS = [
    "name", "file", "description", "unit", "vintage", "primary_source", "compilation", "licence",
    "years", "provinces", "cells_2011_2021", "gaps_2011_2021", "breaks", "sign", "sha256",
]
LIMIT_COLUMNS = ["series", "low", "high", "max_jump", "exempt", "max_break_jump", "per_resident_low",
                 "per_resident_high", "note"]
PRINTED_COLUMNS = ["series", "province", "year", "printed", "printed_in"]
FIX = "Rebuild it with `make extract` (needs ../shared/sources) or restore it with `git checkout data/raw`."
FIX_CHECKS = "Restore it with `git checkout data/checks`."
# An extract that matches its checksum but fails a check: the check or the extraction changed.
FIX_EITHER = ("The extract matches its manifest's checksum: if data/checks/ was edited, restore it with "
              "`git checkout data/checks`; else rebuild the extract with `make extract` (needs ../shared/sources).")


class ExtractError(InputError):
    """An extract that is missing, malformed, implausible or does not match its manifest."""


def _fail(where: str, problem: str, line=None, fix=FIX):
    at = f", line {line}" if line is not None else ""
    raise ExtractError(f"{where}{at}: {problem}." + (f" {fix}" if fix else ""))


def validate(frame: pd.DataFrame, where: str, sign: str = "non-negative", lines: bool = True,
             fix: str = FIX) -> pd.DataFrame:
    """Check columns, dtypes, finite values, province names, year range, duplicates (of the years as
    numbers: 2015, " 2015" and 2015.0 are one year) and, unless `sign` is 'any' (a series that can fall
    below zero), signs of a tidy frame. Line numbers count the CSV header as line 1; without `lines`
    (a frame read from a source workbook, not from a CSV) the province and year alone name the row.
    `fix` says what to do. Returns the frame with year as int and value as float."""
    def fail(problem, i=None):
        _fail(where, problem, None if i is None else _line(i, lines), fix)

    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing or len(frame.columns) != len(COLUMNS):
        fail(f"columns are {list(frame.columns)}, expected {COLUMNS}"
             + (f" (missing {', '.join(missing)})" if missing else ""))
    for col in ("year", "value"):
        numbers = pd.to_numeric(frame[col], errors="coerce")
        bad = frame.index[~np.isfinite(numbers.astype(float))]
        if len(bad):
            i = bad[0]
            what = "is not a number" if pd.isna(numbers[i]) else "is not a finite number"
            fail(f"{col} {frame.at[i, col]!r}" + (_for(frame, i) if col == "value" else _of(frame, i)) + f" {what}", i)
    unknown = frame.index[~frame["province"].isin([*NAMES, NATIONAL])]
    if len(unknown):
        i = unknown[0]
        fail(f"unknown province {frame.at[i, 'province']!r} (expected one of the 31 English "
             f"names in helpers.provinces, or {NATIONAL!r} for a national series)", i)
    years = pd.to_numeric(frame["year"])
    if (years != years.round()).any():
        i = frame.index[years != years.round()][0]
        fail(f"year {frame.at[i, 'year']!r}{_of(frame, i)} is not a whole number", i)
    outside = frame.index[~years.between(*config.SOURCE_YEARS)]
    if len(outside):
        i = outside[0]
        fail(f"year {frame.at[i, 'year']}{_of(frame, i)} outside {config.SOURCE_YEARS[0]}-{config.SOURCE_YEARS[1]}", i)
    dup = frame.index[frame.assign(year=years).duplicated(["province", "year"], keep="first")]
    if len(dup):
        i = dup[0]
        fail(f"duplicated province-year ({frame.at[i, 'province']}, {frame.at[i, 'year']})", i)
    negative = frame.index[pd.to_numeric(frame["value"]) < 0]
    if sign != "any" and len(negative):
        i = negative[0]
        fail(f"negative value {frame.at[i, 'value']}{_for(frame, i)}", i)
    return frame.assign(year=years.astype(int), value=pd.to_numeric(frame["value"]).astype(float))


def _line(i: int, lines: bool) -> int | None:
    """The CSV line of row i (the header is line 1), if the frame was read from a CSV (`lines`)."""
    return i + 2 if lines else None


def _for(frame: pd.DataFrame, i) -> str:
    """' for (province, year)' of row i: with the line, or alone, what names the row."""
    return f" for ({frame.at[i, 'province']}, {frame.at[i, 'year']})"


def _of(frame: pd.DataFrame, i) -> str:
    """' of province' of row i, for a message about its year."""
    return f" of {frame.at[i, 'province']}"


def _table(path: Path, columns: list[str], fix: str, numbers=()) -> pd.DataFrame:
    """A CSV of the compendium's own (manifest, checks) with exactly `columns`, a number in each
    cell of the columns `numbers`; parsed and checked once for each content of the file (reading
    every extract consults the same three files), so the frame is shared: derive, never modify."""
    if not path.exists():
        raise ExtractError(f"{path}: the file is missing. {fix}")
    return _checked_table(path, digest(path), tuple(columns), fix, tuple(numbers))


@functools.lru_cache(maxsize=32)
def _checked_table(path: Path, content: str, columns: tuple, fix: str, numbers: tuple) -> pd.DataFrame:
    """_table's work for one file and its content (`content`, the digest: an edited file is read afresh)."""
    table = read_csv(path, fix)
    if tuple(table.columns) != columns:
        _fail(str(path), f"columns are {list(table.columns)}, expected {list(columns)}", fix=fix)
    for col in numbers:
        bad = table.index[pd.to_numeric(table[col], errors="coerce").isna()]
        if len(bad):
            _fail(str(path), f"{col} {table.at[bad[0], col]!r} is not a number", bad[0] + 2, fix)
    return table


def _refuse(table: pd.DataFrame, bad, path: Path, problem, fix: str) -> None:
    """Stop at the first row of `table` where the boolean `bad` holds; `problem(row)` says what is wrong."""
    i = first_row(bad)
    if i is not None:
        _fail(str(path), problem(table.iloc[i]), i + 2, fix)


def manifest(folder: Path = paths.RAW) -> pd.DataFrame:
    """The manifest of the extracts, one row per series."""
    path = Path(folder) / "MANIFEST.csv"
    table = _table(path, MANIFEST_COLUMNS, FIX)
    _refuse(table, table["name"].duplicated(), path, lambda row: f"series {row['name']!r} is listed twice", FIX)
    unlisted = sorted({extract.stem for extract in Path(folder).glob("*.csv")} - {path.stem, *table["name"]})
    if unlisted:
        raise InputError(f"{path}: no row for the extract {unlisted[0]}.csv beside it (a truncated manifest?). {FIX}")
    return table.set_index("name")


def limits(checks: Path = paths.CHECKS) -> pd.DataFrame:
    """data/checks/plausibility.csv: per series the range [low, high] and the largest year-on-year
    ratio (max_jump, either direction, between positive values) a value may show, the breaks exempt
    from the jump check ('Province YEAR' or 'all YEAR': the jumps into and out of YEAR) and, for
    series with a break of all provinces, the largest ratio a province's jump there may stand to the
    provinces' median jump (max_break_jump, break_jumps), and, for a series counted in money, people
    or things, the range of its value per resident in the panel's years (per_resident_low and _high,
    per_resident)."""
    path = Path(checks) / "plausibility.csv"
    table = _table(path, LIMIT_COLUMNS, FIX_CHECKS, ["low", "high", "max_jump"]).astype(
        {"low": float, "high": float, "max_jump": float})
    breaks = table["exempt"].fillna("").map(lambda text: any(b.startswith("all ") for b in _breaks(text)))
    bound = pd.to_numeric(table["max_break_jump"], errors="coerce")
    _refuse(table, breaks != (bound > 1), path,
            lambda row: f"max_break_jump {row['max_break_jump']!r} for {row['series']}: a number above 1 is needed for a "
                        "series with a break of all provinces ('all YEAR' in exempt), and none for another", FIX_CHECKS)
    table["max_break_jump"] = bound
    per = table[["per_resident_low", "per_resident_high"]].apply(pd.to_numeric, errors="coerce")
    _refuse(table, per.isna().any(axis=1) & (table[list(per)].fillna("").astype(str) != "").any(axis=1), path,
            lambda row: f"per_resident_low {row['per_resident_low']!r} and per_resident_high {row['per_resident_high']!r} "
                        f"for {row['series']}: two numbers are needed, or neither", FIX_CHECKS)
    table[list(per)] = per
    _refuse(table, per["per_resident_low"] > per["per_resident_high"], path,
            lambda row: f"per_resident_low {row['per_resident_low']:g} is above per_resident_high {row['per_resident_high']:g}",
            FIX_CHECKS)
    _refuse(table, table["series"].duplicated(), path, lambda row: f"series {row['series']!r} is listed twice", FIX_CHECKS)
    _refuse(table, table["low"] > table["high"], path, lambda row: f"low {row['low']:g} is above high {row['high']:g}",
            FIX_CHECKS)
    _refuse(table, [bool(_bad_breaks(b)) for b in table["exempt"].fillna("")], path,
            lambda row: f"exempt break {_bad_breaks(row['exempt'])!r} is not 'Province YEAR' or 'all YEAR'", FIX_CHECKS)
    return table.set_index("series")


def _breaks(text: str) -> list[str]:
    """The items of an exempt cell ('Province YEAR' or 'all YEAR', separated by ';')."""
    return [b.strip() for b in str(text).split(";") if b.strip()]


def _bad_breaks(text: str) -> str:
    """The first item of an exempt cell that is not 'Province YEAR' or 'all YEAR' ('' if none)."""
    for item in _breaks(text):
        where, _, year = item.rpartition(" ")
        if where not in ("all", *NAMES) or not year.isdigit():
            return item
    return ""


def printed(checks: Path = paths.CHECKS) -> pd.DataFrame:
    """data/checks/printed_values.csv: values printed in yearbooks and releases (`printed` kept as
    text, so that its number of decimals is known)."""
    path = Path(checks) / "printed_values.csv"
    table = _table(path, PRINTED_COLUMNS, FIX_CHECKS, ["year", "printed"])
    years = pd.to_numeric(table["year"])
    _refuse(table, years % 1 != 0, path, lambda row: f"year {row['year']!r} is not a whole number", FIX_CHECKS)
    _refuse(table, ~table["province"].isin([*NAMES, NATIONAL]), path,
            lambda row: f"unknown province {row['province']!r}", FIX_CHECKS)
    return table.assign(year=years.astype(int))


def year_on_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Each value beside the one of the year before (columns province, year, value, before, ratio),
    for consecutive years where both are positive; ratio = max(x_t / x_t-1, x_t-1 / x_t)."""
    ordered = frame.sort_values(["province", "year"])
    before = ordered.groupby("province")[["year", "value"]].shift(1)
    both = ordered.assign(before=before["value"])[(before["year"] == ordered["year"] - 1)
                                                  & (before["value"] > 0) & (ordered["value"] > 0)]
    ratio = both["value"] / both["before"]
    return both.assign(ratio=np.maximum(ratio, 1 / ratio))


def break_jumps(frame: pd.DataFrame, breaks: str) -> pd.DataFrame:
    """The year-on-year rows (year_on_year) into and out of each break of all provinces ('all YEAR'
    in `breaks`), but a province's own listed break, with `median`, the provinces' median change
    x_t / x_t-1 in that year, and `relative`, max(c / median, median / c) of the province's change c:
    a break moves the provinces together, and a unit slip in one of them stands out."""
    years = {int(item.split()[1]) + k for item in _breaks(breaks) if item.startswith("all ") for k in (0, 1)}
    own = "; ".join(item for item in _breaks(breaks) if not item.startswith("all "))
    jumps = year_on_year(frame)
    jumps = jumps[jumps["year"].isin(years) & ~exempt(jumps, own)]
    change = jumps["value"] / jumps["before"]
    median = change.groupby(jumps["year"]).transform("median")
    return jumps.assign(median=median, relative=np.maximum(change / median, median / change))


def exempt(frame: pd.DataFrame, breaks: str) -> pd.Series:
    """Rows of `frame` whose year, or the year before, is a listed break ('Province YEAR' or
    'all YEAR', separated by ';')."""
    hit = pd.Series(False, index=frame.index)
    for item in _breaks(breaks):
        where, year = item.rsplit(" ", 1)
        province = True if where == "all" else frame["province"] == where
        hit |= province & frame["year"].isin([int(year), int(year) + 1])
    return hit


def plausible(frame: pd.DataFrame, name: str, where: str, checks: Path = paths.CHECKS, lines: bool = True,
              fix: str = FIX) -> None:
    """The values of extract `name` inside its documented range, its year-on-year ratios within its
    threshold outside the listed breaks and, at a break of all provinces, within their threshold of
    the provinces' median (break_jumps), and equal to every printed value quoted for it; `lines` and
    `fix` as in validate."""
    table = limits(checks)
    if name not in table.index:
        _fail(str(Path(checks) / "plausibility.csv"), f"no limits for series {name!r}; add a row "
              "(range and jump threshold from the series' history, see data/README.md)", fix="")
    row = table.loc[name]
    outside = frame.index[~frame["value"].between(row["low"], row["high"])]
    if len(outside):
        i = outside[0]
        _fail(where, f"value {frame.at[i, 'value']:g} for ({frame.at[i, 'province']}, {frame.at[i, 'year']}) "
                     f"outside the range {row['low']:g} to {row['high']:g} of data/checks/plausibility.csv "
                     "(a wrong unit or a misplaced digit?)", _line(i, lines), fix)
    jumps = year_on_year(frame)
    jumps = jumps[(jumps["ratio"] > row["max_jump"]) & ~exempt(jumps, row["exempt"])]
    if len(jumps):
        i = jumps.index[0]
        j = jumps.loc[i]
        _fail(where, f"value {j['value']:g} for ({j['province']}, {j['year']}) after {j['before']:g} in "
                     f"{j['year'] - 1}: a jump by a factor {j['ratio']:.3g}, more than the {row['max_jump']:g} "
                     "of data/checks/plausibility.csv and not a break listed there", _line(i, lines), fix)
    if row["max_break_jump"] > 1:
        shifted = break_jumps(frame, row["exempt"])
        shifted = shifted[shifted["relative"] > row["max_break_jump"]]
        if len(shifted):
            i = shifted.index[0]
            j = shifted.loc[i]
            _fail(where, f"value {j['value']:g} for ({j['province']}, {j['year']}) after {j['before']:g} in "
                         f"{j['year'] - 1}: a change by {j['value'] / j['before']:.3g} where the provinces' median "
                         f"is {j['median']:.3g}, apart by a factor {j['relative']:.3g}, more than the "
                         f"{row['max_break_jump']:g} of data/checks/plausibility.csv at a break of all provinces "
                         "(a wrong unit or a misplaced digit?)", _line(i, lines), fix)
    quoted = printed(checks)
    quoted = quoted[quoted["series"] == name]
    for check in (spot_check({name: frame}, quoted) if len(quoted) else quoted).itertuples():
        if not check.match:
            ours = "no value" if math.isnan(check.ours) else f"{check.ours:.10g}"
            _fail(where, f"({check.province}, {check.year}) is {ours}, but {check.printed_in} prints "
                         f"{check.printed} (data/checks/printed_values.csv, line {check.Index + 2}; if that value "
                         "is mistyped, correct it there)", fix=fix)


def gaps(frame: pd.DataFrame, years=config.PANEL_YEARS) -> str:
    """The province-years of 2011-2021 missing from an extract, in words ('' when complete)."""
    have = set(zip(frame["province"], frame["year"]))
    units = [NATIONAL] if _national(frame) else NAMES
    missing = {y: [p for p in units if (p, y) not in have] for y in range(years[0], years[1] + 1)}
    parts = []
    for y, provs in missing.items():
        if len(provs) == len(units):
            parts.append(f"{y} all")
        elif provs:
            parts.append(f"{y} " + " ".join(provs))
    return "; ".join(parts)


def coverage(frame: pd.DataFrame) -> dict[str, str]:
    """What an extract covers, as its manifest row records it (MANIFEST_COLUMNS): its first and last
    year, its provinces, and its cells and gaps in 2011-2021."""
    inside = frame[frame["year"].between(*config.PANEL_YEARS)]
    return {"years": f"{frame['year'].min()}-{frame['year'].max()}", "provinces": str(frame["province"].nunique()),
            "cells_2011_2021": str(len(inside)), "gaps_2011_2021": gaps(frame)}


def read_extract(name: str, unit: str, folder: Path = paths.RAW, checks: Path = paths.CHECKS) -> pd.DataFrame:
    """Read data/raw/<name>.csv after checking it against its manifest row (checksum over
    normalised line ends, the `unit` the caller expects, and the years, provinces, cells and gaps
    it covers), validating its content and its plausibility. Returns columns province, year (int),
    value (float)."""
    table = manifest(folder)
    if name not in table.index:
        raise ExtractError(f"{Path(folder) / 'MANIFEST.csv'}: no series {name!r}; known: "
                           f"{', '.join(table.index)}")
    row = table.loc[name]
    path = Path(folder) / row["file"]
    if not path.exists():
        raise ExtractError(f"{path}: the extract is missing. {FIX}")
    if unit != row["unit"]:
        raise ExtractError(f"{path}: unit is {row['unit']!r} in the manifest, the caller expects "
                           f"{unit!r}; convert explicitly instead of reading it as {unit!r}")
    found = digest(path)
    if found != row["sha256"]:
        _fail(str(path), f"checksum {found[:12]}… does not match the manifest's {row['sha256'][:12]}… "
                         "(the file was edited after extraction)")
    frame = read_csv(path, FIX)
    frame = validate(frame, str(path), row["sign"])
    differ = [(key, value) for key, value in coverage(frame).items() if value != row[key]]
    if differ:
        _fail(str(path), "; ".join(f"{key} is {value!r}, the manifest says {row[key]!r}" for key, value in differ)
              + " (the manifest and the extract disagree though the checksum matches: one of them was edited)")
    plausible(frame, name, str(path), checks, fix=FIX_EITHER)
    return frame


def read_all(folder: Path = paths.RAW, checks: Path = paths.CHECKS) -> dict[str, pd.DataFrame]:
    """Every extract the manifest lists, validated, alone and beside the others (consistent), by
    name (for the overview of all series: each in the manifest's own unit; a computation reads its
    inputs with read_extract and its unit)."""
    table = manifest(folder)
    extracts = {name: read_extract(name, table.at[name, "unit"], folder, checks) for name in table.index}
    consistent(extracts, str(folder), checks=checks)
    return extracts


# Extracts that bound each other, (parts, whole, low, high, first year): the sum of the parts over the
# whole (an extract, or a tuple of extracts whose product it is; a national one counts for every
# province of its year) lies within [low, high] in every province-year from the first year on (None:
# every year). Each catches a wrong unit over a whole province, which the range and jumps of each
# series alone let pass.
SECTORS = ("va_primary_{}", "va_secondary_{}", "va_tertiary_{}")
RATIOS = [
    # the three sectors' value added sum to GDP, to rounding (1e-3); in (a) its 2013 sectors are
    # pre-revision, 1.5 % short of GDP at most (sources/SOURCES.md), and years before 2009 come from
    # older vintages (up to 41 % apart; 2009-2012 sum to 1e-6), so from the year whose GDP sets the
    # level of real GDP (config.BASE_YEAR, variables.real_gdp) on, at most 2 % short
    (tuple(sector.format("a") for sector in SECTORS), "gdp_a", 0.98, 1.001,
     min(config.BASE_YEAR, config.PANEL_YEARS[0])),
    (tuple(sector.format("b") for sector in SECTORS), "gdp_b", 0.999, 1.001, None),
    # gross fixed capital formation, which the capital stock accumulates from 1952 on
    # (measures.capital_stock), over GDP: -0.04 (Fujian 1968) to 1.49 (Qinghai 2017), and from 1990 on
    # at least 0.16; a misplaced digit (x10, /10) in a year before the panel's, which the series' own
    # range and jumps (Sichuan 1961: x89.6) let pass, leaves these bounds
    (("gfcf",), "gdp_a", -0.1, 2.0, None),
    (("gfcf",), "gdp_a", 0.08, 2.0, 1990),
    # the same quantity from two compilations, where both have it: within 1 % (they agree to 4e-5
    # and 1.4e-3)
    (("retail_sales_macs",), "retail_sales_airuimeng", 0.99, 1.01, None),
    (("employment_urban_units",), "urban_unit_employment_total", 0.99, 1.01, None),
    # trade in yuan is trade in dollars at the official rate, as the yearbook converts it, where both
    # have the year (2013-2014): 10^-4 (亿元 over 万美元), to 1e-3 (they agree to 1.4e-6)
    (("trade_cny",), ("trade_usd", "usd_cny"), 0.999e-4, 1.001e-4, None),
]

# Yearly changes that bound a series, (series, real index or None, low, high, first year): the series'
# change over the previous year, divided by the real index's (previous year = 100) if one is named,
# lies within [low, high] from the first year on, where the series' own jumps, built on its history
# from 1952, let a misplaced digit pass:
CHANGES = [
    # nominal over real growth of GDP, the change of the implied deflator, in the years real GDP chains
    # the index over (variables.real_gdp: after config.BASE_YEAR): 0.72 to 1.20 in 2011-2022 (the low in
    # 2019, GDP (a)'s census benchmark); 108.7 as 208.7 in the index gives about half
    ("gdp_a", "gdp_index", 0.6, 1.5, config.BASE_YEAR + 1),
    # the investment price index (1952 = 1), which deflates the capital stock's flows: 0.67 to 1.63 a
    # year from 1978 on (x4.35 in Gansu 1961 sets its jumps); one year x3 moves the stock of every
    # later year
    ("investment_price_index", None, 0.5, 2.0, 1978),
]


def changes(extracts: dict[str, pd.DataFrame], where: str, fix: str = FIX) -> None:
    """Each change of CHANGES whose extracts are given within its bounds in every province-year from
    its first year on (consecutive years, year_on_year); an error names the files, the province-year
    and the change."""
    for name, index, low, high, since in CHANGES:
        if not {name, index or name} <= set(extracts):
            continue
        jumps = year_on_year(extracts[name]).set_index(["province", "year"])
        real = extracts[index].set_index(["province", "year"])["value"].reindex(jumps.index) / 100 if index else 1
        change = (jumps["value"] / jumps["before"] / real).dropna().sort_index()
        change = change[change.index.get_level_values("year") >= since]
        outside = change.index[~change.between(low, high)]
        if len(outside):
            province, year = outside[0]
            what, files = ((f"{name} / (previous {name} x {index} / 100)", f"{name}.csv and {index}.csv") if index
                           else (f"{name} / previous {name}", f"{name}.csv"))
            _fail(str(Path(where) / files), f"{what} is {change[outside[0]]:.3g} for ({province}, {year}), outside "
                  f"{low:g} to {high:g} (from {since}; sources.CHANGES; a misplaced digit?)", fix=fix)


def consistent(extracts: dict[str, pd.DataFrame], where: str, fix: str | None = None, checks: Path = paths.CHECKS) -> None:
    """Each ratio of RATIOS whose extracts are all given within its bounds in every province-year
    they all hold, each change of CHANGES within its bounds (changes), and each extract given
    with population within its range per resident (per_resident); an error names the files (in the
    folder `where`), the province-year and the ratio, and says what to do (`fix`; None, a read of
    signed extracts: FIX, or FIX_EITHER for the ranges of data/checks)."""
    per_resident(extracts, where, fix or FIX_EITHER, checks)
    fix = fix or FIX
    changes(extracts, where, fix)
    for parts, whole, low, high, since in RATIOS:
        factors = whole if isinstance(whole, tuple) else (whole,)
        names = (*parts, *factors)
        if not set(names) <= set(extracts):
            continue
        index = functools.reduce(pd.Index.intersection, [extracts[name].set_index(["province", "year"]).index
                                                         for name in names if not _national(extracts[name])])
        index = index[index.get_level_values("year") >= (since or 0)].sort_values()
        ratio = pd.Series(sum(_values(extracts[name], index) for name in parts)
                          / np.prod([_values(extracts[name], index) for name in factors], axis=0), index).dropna()
        outside = ratio.index[~ratio.between(low, high)]
        if len(outside):
            province, year = outside[0]
            top, bottom = (group[0] if len(group) == 1 else f"({sign.join(group)})"
                           for group, sign in ((parts, " + "), (factors, " x ")))
            first, *others = [f"{name}.csv" for name in names]
            _fail(f"{Path(where) / first}{''.join(', ' + name for name in others[:-1])} and {others[-1]}",
                  f"{top} / {bottom} is {ratio[outside[0]]:.3g} for ({province}, {year}), outside {low:g} to "
                  f"{high:g}{f' (from {since})' if since else ''} (sources.RATIOS; a wrong unit in one of them?)", fix=fix)


def _national(frame: pd.DataFrame) -> bool:
    """An extract of national values only (province NATIONAL)."""
    return set(frame["province"]) == {NATIONAL}


def _values(frame: pd.DataFrame, index: pd.MultiIndex) -> np.ndarray:
    """An extract's values at the province-years `index` (NaN where it has none); a national extract's
    value of each year for every province."""
    if _national(frame):
        return index.get_level_values("year").map(frame.set_index("year")["value"]).to_numpy(float)
    return frame.set_index(["province", "year"])["value"].reindex(index).to_numpy(float)


def per_resident(extracts: dict[str, pd.DataFrame], where: str, fix: str = FIX_EITHER, checks: Path = paths.CHECKS) -> None:
    """Each extract given with population, whose row of data/checks/plausibility.csv has a range per
    resident, within it (value / population) in every province-year of the panel's years both hold:
    a wrong unit over a whole province keeps a series inside its own range, not its value per resident."""
    if "population" not in extracts:
        return
    table = limits(checks)
    population = extracts["population"].set_index(["province", "year"])["value"]
    first, last = config.PANEL_YEARS
    for name, frame in extracts.items():
        if name not in table.index or pd.isna(table.at[name, "per_resident_low"]):
            continue
        low, high = table.at[name, "per_resident_low"], table.at[name, "per_resident_high"]
        ratio = (frame.set_index(["province", "year"])["value"] / population).dropna()
        ratio = ratio[ratio.index.get_level_values("year").to_series().between(first, last).to_numpy()]
        outside = ratio.index[~ratio.between(low, high)]
        if len(outside):
            province, year = outside[0]
            _fail(f"{Path(where) / name}.csv and population.csv",
                  f"{name} per resident is {ratio[outside[0]]:.3g} for ({province}, {year}), outside {low:g} to {high:g} "
                  f"({Path(checks) / 'plausibility.csv'}, per_resident_low and per_resident_high; a wrong unit over the province?)",
                  fix=fix)


def spot_check(extracts: dict[str, pd.DataFrame], printed: pd.DataFrame) -> pd.DataFrame:
    """Put our value beside each printed one (columns series, province, year, printed as text);
    a national total printed for a provincial series (province 'China') is compared with the sum of
    the 31 provinces. `match` holds when ours rounds to the printed value at the printed number of
    decimals."""
    unknown = printed.index[~printed["series"].isin(list(extracts))]  # the index: the file's rows (printed)
    if len(unknown):
        _fail("data/checks/printed_values.csv", f"series {printed.at[unknown[0], 'series']!r} is not an extract",
              unknown[0] + 2, FIX_CHECKS)
    out = printed.copy()
    ours = []
    for row in printed.itertuples():
        frame = extracts[row.series]
        year = frame[frame["year"] == int(row.year)]
        if row.province == NATIONAL and NATIONAL not in set(frame["province"]):
            ours.append(year["value"].sum() if len(year) == len(NAMES) else float("nan"))
            continue
        hit = year.loc[year["province"] == row.province, "value"]
        ours.append(hit.iloc[0] if len(hit) else float("nan"))
    out["ours"] = ours
    decimals = out["printed"].astype(str).str.partition(".")[2].str.len()
    tolerance = 0.5 * 10.0 ** (-decimals) + 1e-9
    out["match"] = (out["ours"] - out["printed"].astype(float)).abs() <= tolerance
    return out
