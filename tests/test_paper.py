"""The transcription of the published tables is read strictly: a damaged or truncated file stops
with the file, line and problem in every reader, never a TypeError deep in a notebook."""
import shutil

import pytest

from helpers import panel, paper, paths, scorecard, tables
from helpers.files import InputError

pytestmark = pytest.mark.usefixtures("repo_unchanged")


@pytest.fixture
def folder(tmp_path):
    shutil.copy(paths.PAPER / "published.csv", tmp_path / "published.csv")
    return tmp_path


def damage(folder, edit):
    path = folder / "published.csv"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")


def test_shipped_transcription_is_complete():
    rows = paper.rows()
    assert set(rows["table"]) == set(paper.TABLES) and len(rows) == 160
    assert (rows.loc[rows["statistic"].isin(paper.STARRED), "stars"].between(0, 3)).all()
    assert rows.loc[~rows["statistic"].isin(paper.STARRED), "stars"].isna().all()
    assert scorecard.TABLES == {t: paper.TABLES[t] for t in ["table4", "table5", "table6", "table7"]}


@pytest.mark.parametrize("edit, message", [
    (lambda t: "".join(t.splitlines(keepends=True)[:-3]), r"published.csv: table7 lacks n of N in column Northeast \(a truncated file\?\)"),
    (lambda t: "".join(t.splitlines(keepends=True)[:-22]), r"published.csv: table7 lacks adj_r2 of Adj-R2 in column East"),
    (lambda t: t[:-20], r"published.csv, line 161: 3 fields where the header has 6 \(the line is cut short"),
    (lambda t: t.replace("table4,(2),ind,coef,0.032,0", "table4,(2),ind,coef,0.032,"), r"published.csv, line 87: stars '' for statistic 'coef'"),
    (lambda t: t.replace("table4,(2),ind,t,1.48,", "table4,(2),ind,t,n/a,"), r"published.csv, line 88: value 'n/a' is not a finite number"),
    (lambda t: t.replace("table4,(2),ind,t,1.48,", "table4,(2),ind,t,inf,"), r"published.csv, line 88: value 'inf' is not a finite number"),
    (lambda t: t.replace("table4,(2),ur,coef,-0.447,2\n", "").replace("table4,(2),ur,t,-2.05,\n", ""),
     r"published.csv: table4 lacks coef of ur in column \(2\) \(a truncated file\?\)"),
    (lambda t: t.replace("table4,(2),ind,t,1.48,", "table4,(2),ind,t,,"), r"published.csv, line 88: an empty cell"),
    (lambda t: "", r"published.csv: the file is empty"),
])
def test_damaged_transcription_names_file_and_line(folder, edit, message):
    damage(folder, edit)
    for read in (lambda: paper.rows(folder), lambda: tables.published("table4", folder),
                 lambda: panel.printed_moments(folder)):
        with pytest.raises(InputError, match=message + r".*git checkout data/paper/published.csv"):
            read()
