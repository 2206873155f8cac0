"""Damaging copies of the inputs: edit an extract and re-sign it in the manifest (as `make extract`
would after a faulty source edit), so that only the content checks can object."""
import hashlib

import pandas as pd


def resign(raw, name):
    """Write the sha256 of raw/<name>.csv into the manifest of `raw`."""
    table = pd.read_csv(raw / "MANIFEST.csv", dtype=str, keep_default_na=False)
    table.loc[table["name"] == name, "sha256"] = hashlib.sha256((raw / f"{name}.csv").read_bytes()).hexdigest()
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


def drop(province, year):
    """An edit for `rewrite`: the row of (province, year) removed."""
    def edit(text):
        rows = lines(text)
        del rows[row_of(text, province, year)]
        return "".join(rows)
    return edit
