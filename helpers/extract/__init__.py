"""The maintainer step `make extract`: read the source workbooks in ../shared/sources and write
one tidy extract per series to data/raw/, with MANIFEST.csv giving unit, vintage, provenance,
coverage, gaps, breaks and checksum. Everything is read, validated and checked for plausibility
(sources.plausible) before anything is written."""
import hashlib
import shutil
from pathlib import Path

import pandas as pd

from .. import config, paths
from ..provinces import NAMES, NATIONAL
from ..files import atomic_write, csv_bytes, read_csv, sha256
from ..sources import MANIFEST_COLUMNS, ExtractError, consistent, coverage, plausible, validate
from . import capital, digital, gdp, labour, population, public
from .common import Series, source

SERIES: list[Series] = [
    *gdp.SERIES, *capital.SERIES, *labour.SERIES, *public.SERIES, *population.SERIES, *digital.SERIES,
]


REGISTER_COLUMNS = ["folder", "file", "repository", "repo_path", "commit", "commit_check", "licence", "sha256"]
# What to do when a table read from the checked source workbooks fails a check of its form (the fault
# is in its reader) or of its plausibility (in the reader, or, for a value that is right, in the checks).
READER_FIX = "Nothing was written: fix the reader in helpers/extract/."
CHECKS_FIX = "Nothing was written: fix the reader in helpers/extract/ or, if the value is right, data/checks/."


def compilations() -> pd.DataFrame:
    """data/sources.csv: for every source file, the public repository, commit, licence and sha256."""
    path, fix = paths.DATA / "sources.csv", "Restore it with `git checkout data/sources.csv`."
    table = read_csv(path, fix)
    if list(table.columns) != REGISTER_COLUMNS:
        raise ExtractError(f"{path}: columns are {list(table.columns)}, expected {REGISTER_COLUMNS}. {fix}")
    return table


def check_sources(series: list[Series], register: pd.DataFrame) -> None:
    """Every source file the series read is present and byte for byte the one data/sources.csv
    registers (its sha256): a changed, truncated or re-saved copy stops the extraction before anything
    is read, instead of being signed into the manifest. A new vintage is registered there first."""
    for folder, file in dict.fromkeys(f for s in series for f in s.files):
        path = source(folder, file)
        row = register[(register.folder == folder) & (register.file == file)]
        if row.empty:
            raise ExtractError(f"source {path} is not registered in data/sources.csv; nothing was written")
        found = hashlib.sha256(path.read_bytes()).hexdigest()
        if found != row["sha256"].iloc[0]:
            raise ExtractError(f"source {path}: sha256 {found[:12]}… is not the {row['sha256'].iloc[0][:12]}… "
                               "data/sources.csv registers (a changed or damaged copy? a new vintage is "
                               "registered there first); nothing was written")


def manifest_row(series: Series, frame: pd.DataFrame, data: bytes, register: pd.DataFrame) -> dict:
    rows = [register[(register.folder == d) & (register.file == f)] for d, f in series.files]
    found = pd.concat(rows)
    return {
        "name": series.name,
        "file": f"{series.name}.csv",
        "description": series.description,
        "unit": series.unit,
        "vintage": series.vintage,
        "primary_source": series.primary_source,
        "compilation": "; ".join(f"{r.repository}@{r.commit[:12] or 'unknown'}:{r.repo_path or r.file}"
                                 for r in found.itertuples()),
        "licence": "; ".join(sorted(set(found["licence"]))),
        **coverage(frame),
        "breaks": series.breaks,
        "sign": series.sign,
        "sha256": sha256(data),
    }


def extract_all(out: Path = paths.RAW, only=None) -> pd.DataFrame:
    """Rebuild the extracts (all, or the names in `only`) into `out`, replaced as a whole (replace);
    returns the manifest."""
    register = compilations()
    chosen = [s for s in SERIES if only is None or s.name in only]
    check_sources(chosen, register)
    built = []
    for series in chosen:
        where = f"{series.name} (from {', '.join(f for _, f in series.files)})"
        try:
            frame = series.read()
        except (ValueError, KeyError) as error:  # a cell or a province name tidy() cannot read
            raise ExtractError(f"{where}: {error.args[0] if error.args else error}; nothing was written") from None
        frame = validate(frame, where, series.sign, lines=False, fix=READER_FIX)
        plausible(frame, series.name, where, lines=False, fix=CHECKS_FIX)
        built.append((series, frame, csv_bytes(frame)))
    consistent({s.name: frame for s, frame, _ in built}, str(out), fix=CHECKS_FIX)
    manifest = pd.DataFrame([manifest_row(s, f, b, register) for s, f, b in built], columns=MANIFEST_COLUMNS)
    replace(out, {**{f"{s.name}.csv": data for s, _, data in built}, "MANIFEST.csv": csv_bytes(manifest)})
    return manifest


def replace(out: Path, files: dict[str, bytes]) -> None:
    """Write `files` into a new folder beside `out`, then put it in the place of `out` by two renames:
    the extracts and their manifest change together, never one without the others (a write that fails,
    e.g. on a full disk, leaves `out` as it was). A run killed between the two renames left `out`
    only as the old folder: it is put back first."""
    new, old = out.with_name(f".{out.name}.new"), out.with_name(f".{out.name}.old")
    if old.exists() and not out.exists():
        old.rename(out)
    for folder in (new, old):
        shutil.rmtree(folder, ignore_errors=True)
    try:
        new.mkdir(parents=True)
        for name, data in files.items():
            atomic_write(new / name, data)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if out.exists():
        out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)

