"""The analysis panel on disk: data/processed/panel.csv and its CODEBOOK.csv, checked complete before
anything is written and when read back."""
from pathlib import Path

import numpy as np
import pandas as pd

from . import config, constructions, measures, paper, paths
from .files import InputError, atomic_write_all, csv_bytes, first_row, read_table
from .provinces import PROVINCES, SAMPLE, regions
from .variables import ALL_YEARS, INDICATORS

# The columns a model may use (the paper's variables, the measures the panel carries and the
# indicators notebook 06 re-weights): each needs a finite value in every one of the 330 cells.
MODEL_COLUMNS = list(dict.fromkeys([*paper.VARIABLES, *constructions.PANEL_NAMES.values(), *INDICATORS]))
# What a model column can be by its definition (the codebook's units): the shares lie in [0, 1], the
# entropy index in [0, 1 + the shift of measures.ENTROPY_SHIFT], the PCA score takes any sign, and every
# other column (ratios, levels, indices, counts per 100 people) is positive.
SHARES, ANY_SIGN = ("ur", "it_share"), ("digital_pca",)
# The panel's other columns: flags of filled cells (named *filled, True or False), the Malmquist
# components of tfp (a change from the year before: none in the first year) and, like every other
# column, positive numbers (real GDP, capital, labour).
MALMQUIST = ("ec", "tc", "m")
REBUILD = "Rebuild it with notebooks/02_variables.ipynb (make reproduce)."
CODEBOOK_COLUMNS = ["column", "definition", "formula", "unit", "sources", "choice"]


def write(data: pd.DataFrame, codebook: pd.DataFrame, folder: Path = paths.PROCESSED) -> list[Path]:
    """Write panel.csv and CODEBOOK.csv to `folder` (floats with ten significant digits), both checked
    and rendered before either is written, and written together (files.atomic_write_all)."""
    check(data, "the panel to write")
    folder = Path(folder)
    files = {folder / "panel.csv": csv_bytes(data, digits=10), folder / "CODEBOOK.csv": csv_bytes(codebook, digits=10)}
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_all(files)
    return list(files)


def check(data: pd.DataFrame, where: str, lines: bool = False) -> None:
    """The panel is complete: one row for each sample province and year (30 x 11 = 330), a finite
    value in every cell of MODEL_COLUMNS and the controls (config.CONTROLS), each province's region of
    config.REGIONS and Chinese name, True/False in every flag (`filled` and each *filled) and a
    positive number in every other cell (MALMQUIST: but in the first year). `lines`: errors give the
    CSV line (header = line 1)."""
    columns = list(dict.fromkeys([*MODEL_COLUMNS, *config.CONTROLS]))
    missing = [c for c in ["province", "name_zh", "year", "region", "filled", *columns] if c not in data.columns]
    if missing:
        raise InputError(f"{where}: no column {', '.join(missing)}. {REBUILD}")

    def refuse(bad, problem) -> None:
        """Stop at the first row of the boolean array `bad`, `problem(i)` saying what is wrong with row i."""
        i = first_row(bad)
        if i is not None:
            raise InputError(f"{where}{f', line {i + 2}' if lines else ''}: {problem(i)}. {REBUILD}")

    years = pd.to_numeric(data["year"], errors="coerce")
    refuse(~(years % 1 == 0), lambda i: f"year is {data['year'].iloc[i]!r}, not a year")
    grid = {(p, y) for p in SAMPLE for y in ALL_YEARS}
    cells = list(zip(data["province"], years.astype(int)))
    refuse([c not in grid for c in cells], lambda i: f"unexpected row {cells[i]} (not a sample province and year)")
    absent = sorted(grid.difference(cells))
    if absent or len(cells) != len(grid):
        problem = f"no row for {absent[0][0]} in {absent[0][1]}" if absent else "a province-year appears twice"
        raise InputError(f"{where}: {len(cells)} rows, expected {len(grid)} "
                         f"({len(SAMPLE)} provinces x {len(ALL_YEARS)} years); {problem}. {REBUILD}")
    region = regions().reindex(data["province"]).to_numpy()
    refuse(data["region"].to_numpy() != region,
           lambda i: f"region is {data['region'].iloc[i]} for {cells[i][0]}, not {region[i]} (config.REGIONS)")
    name = PROVINCES.set_index("province")["name_zh"].reindex(data["province"]).to_numpy()
    refuse(data["name_zh"].to_numpy() != name,
           lambda i: f"name_zh is {data['name_zh'].iloc[i]} for {cells[i][0]}, not {name[i]} (helpers.provinces)")
    flags = [c for c in data.columns if c.endswith("filled")]
    for flag in flags:
        refuse(~data[flag].map(lambda v: isinstance(v, (bool, np.bool_)) or v in ("True", "False")),
               lambda i: f"{flag} is {data[flag].iloc[i]!r} for {cells[i][0]} in {cells[i][1]}, not True or False")
    first = years == years.min()
    for column in [c for c in data.columns if c not in ("province", "name_zh", "region", "year", *flags)]:
        values = data[column]
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        if column in MALMQUIST:
            refuse(first & ~np.isnan(numbers),
                   lambda i: f"{column} is {values.iloc[i]} for {cells[i][0]} in {cells[i][1]}, the first year, which has none")
            numbers = np.where(first, 1.0, numbers)
        refuse(~np.isfinite(numbers),
               lambda i: f"{column} is {values.iloc[i]} for {cells[i][0]} in {cells[i][1]}, not a finite number")
        allowed, what = _allowed(column)
        refuse(~allowed(numbers), lambda i: f"{column} is {values.iloc[i]} for {cells[i][0]} in {cells[i][1]}, not {what}")



def _allowed(column: str):
    """Which finite values a column can take by its definition (SHARES, ANY_SIGN), as a test of
    an array, and their name in a message."""
    if column in SHARES:
        return (lambda x: (x >= 0) & (x <= 1)), "a share between 0 and 1"
    if column in ANY_SIGN:
        return (lambda x: np.isfinite(x)), "a finite number"
    if column == "digital":
        top = 1 + measures.ENTROPY_SHIFT
        return (lambda x: (x > 0) & (x <= top)), f"an entropy index between 0 and {top:g}"
    return (lambda x: x > 0), "positive"


def load(folder: Path = paths.PROCESSED) -> pd.DataFrame:
    """The analysis panel as written by notebook 02, indexed (province, year), after checking that
    it reads as a CSV and is complete (check)."""
    path = Path(folder) / "panel.csv"
    data = read_table(path, REBUILD)
    check(data, str(path), lines=True)
    return data.astype({"year": int}).set_index(["province", "year"])  # a year written 2015.0 reads as 2015


def load_codebook(folder: Path = paths.PROCESSED) -> pd.DataFrame:
    """The codebook notebook 02 writes beside the panel, indexed by column, after checking that it
    reads as a CSV with CODEBOOK_COLUMNS and a row for every one of MODEL_COLUMNS."""
    path = Path(folder) / "CODEBOOK.csv"
    book = read_table(path, REBUILD, dtype=str, keep_default_na=False)
    missing = [c for c in CODEBOOK_COLUMNS if c not in book.columns]
    absent = [c for c in MODEL_COLUMNS if c not in set(book.get("column", []))]
    if missing or absent:
        problem = f"no column {', '.join(missing)}" if missing else f"no row for {absent[0]}"
        raise InputError(f"{path}: {problem}. {REBUILD}")
    return book.set_index("column")
