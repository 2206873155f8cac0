"""Damaging copies of the inputs: edit an extract and re-sign it in the manifest (as `make extract`
would after a faulty source edit), so that only the content checks can object."""
import hashlib

import pandas as pd

from helpers import sources
from helpers.files import InputError, read_csv


def resign(raw, name, coverage=True):
    """Write the sha256 of raw/<name>.csv into the manifest of `raw` and, if `coverage` and the file
    reads as an extract, what it covers (sources.coverage), as make extract would; content that
    sources.validate refuses is refused before the coverage is compared."""
    table = pd.read_csv(raw / "MANIFEST.csv", dtype=str, keep_default_na=False)
    path, row = raw / f"{name}.csv", table["name"] == name
    table.loc[row, "sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    if coverage:
        try:
            frame = sources.validate(read_csv(path, ""), str(path), table.loc[row, "sign"].iloc[0])
            table.loc[row, list(sources.coverage(frame))] = list(sources.coverage(frame).values())
        except InputError:
            pass
    table.to_csv(raw / "MANIFEST.csv", index=False, lineterminator="\n")


def rewrite(raw, name, edit):
    """Apply `edit` to the CSV text of an extract and re-sign it."""
    path = raw / f"{name}.csv"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    resign(raw, name)


def lines(text):
    return text.splitlines(keepends=True)


def row_of(text, province, year):
    """The line index (0 = header) of a province-year in the CSV text of an extract."""
    return next(i for i, r in enumerate(lines(text)) if r.startswith(f"{province},{year},"))


def set_value(row, value):
    """An edit for `rewrite`: the value of data row `row` (0 = header), or of (province, year),
    becomes value(old)."""
    def edit(text):
        rows = lines(text)
        i = row_of(text, *row) if isinstance(row, tuple) else row
        province, year, old = rows[i].rstrip("\n").split(",")
        rows[i] = f"{province},{year},{value(old)}\n"
        return "".join(rows)
    return edit


def scale(province, factor):
    """An edit for `rewrite`: every value of `province` times `factor` (a wrong unit over a whole
    province)."""
    def edit(text):
        return "".join(f"{r.rsplit(',', 1)[0]},{float(r.rsplit(',', 1)[1]) * factor:g}\n"
                       if r.startswith(f"{province},") else r for r in lines(text))
    return edit


def drop(province, year):
    """An edit for `rewrite`: the row of (province, year) removed."""
    def edit(text):
        rows = lines(text)
        del rows[row_of(text, province, year)]
        return "".join(rows)
    return edit
