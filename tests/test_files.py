"""Reading and writing files: strict CSV reading with errors naming file and line, line ends that do
not matter, atomic writes with the usual permissions."""
import hashlib
import os
import stat

import pandas as pd
import pytest

from helpers import paths, scorecard, tables
from helpers.files import InputError, atomic_write, atomic_write_all, csv_bytes, digest, first_row, read_csv, read_table

pytestmark = pytest.mark.usefixtures("repo_unchanged")
FIX = "Do this."


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "x.csv"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # the write fails midway
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_files_written_together_stay_old_if_any_of_them_fails(tmp_path):
    """The second file fails midway (not bytes): the first, already written to its temporary file,
    is not renamed, and no temporary file is left."""
    first, second = tmp_path / "panel.csv", tmp_path / "CODEBOOK.csv"
    first.write_bytes(b"old panel")
    second.write_bytes(b"old codebook")
    with pytest.raises(TypeError):
        atomic_write_all({first: b"new panel", second: "not bytes"})
    assert (first.read_bytes(), second.read_bytes()) == (b"old panel", b"old codebook")
    assert sorted(tmp_path.iterdir()) == sorted([first, second])
    atomic_write_all({first: b"new panel", second: b"new codebook"})
    assert (first.read_bytes(), second.read_bytes()) == (b"new panel", b"new codebook")


def test_atomic_write_gives_the_umask_mode(tmp_path, umask_022):
    atomic_write(tmp_path / "x.csv", b"a\n")
    assert mode(tmp_path / "x.csv") == 0o644
    os.umask(0o027)
    atomic_write(tmp_path / "y.csv", b"a\n")
    assert mode(tmp_path / "y.csv") == 0o640


def test_exported_tables_are_readable_by_others(tmp_path, umask_022):
    paths = tables.export(pd.DataFrame({"a": [1.5]}), "t", tmp_path)
    assert [mode(p) for p in paths] == [0o644] * 3 and sorted(tmp_path.iterdir()) == sorted(paths)


@pytest.mark.parametrize("content, message", [
    (b"", r"x.csv: the file is empty\. Do this\."),
    (b"\r\n  \n", r"x.csv: the file is empty"),
    (b"province,year,value\n", r"x.csv: the file has a header but no rows\. Do this\."),
    (b"province,year,value\nBeijing,2011,1.5\nBeijing,2012,16,251.9\n",
     r"x.csv, line 3: 4 fields where the header has 3 \(an unquoted comma, e.g. a thousands separator"),
    (b"province,year,value\nBeijing,2011,1.5\nBeij", r"x.csv, line 3: 1 fields where the header has 3 \(the line is cut short"),
    (b"province,year,value\nBeijing,2011,1.5\n\nBeijing,2012,x\n", r"x.csv, line 3: a blank line among the rows; remove it\. Do this\."),
    ("province,year,value\nBeijing,2011,1.5\n北京,2012,2\n".encode("gbk"),
     r"x.csv, line 3: bytes that are not UTF-8 \(GBK or another legacy encoding\?\); save the file as UTF-8"),
])
def test_unreadable_csv_names_file_and_line(tmp_path, content, message):
    (tmp_path / "x.csv").write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_csv(tmp_path / "x.csv", FIX)


def test_blank_lines_after_the_last_row_are_read_as_the_end(tmp_path):
    (tmp_path / "x.csv").write_bytes(b"province,year,value\nBeijing,2011,1.5\n\n\n")
    assert read_csv(tmp_path / "x.csv", FIX).values.tolist() == [["Beijing", "2011", "1.5"]]


@pytest.mark.parametrize("end", [b"\r\n", b"\r"])
def test_crlf_and_cr_read_and_hash_like_lf(tmp_path, end):
    lf = b"province,year,value\nBeijing,2011,\"1,5\"\n"
    (tmp_path / "lf.csv").write_bytes(lf)
    (tmp_path / "crlf.csv").write_bytes(lf.replace(b"\n", end))
    assert read_csv(tmp_path / "crlf.csv", FIX).equals(read_csv(tmp_path / "lf.csv", FIX))
    assert digest(tmp_path / "crlf.csv") == digest(tmp_path / "lf.csv") == hashlib.sha256(lf).hexdigest()
    assert read_csv(tmp_path / "lf.csv", FIX).at[0, "value"] == "1,5"


def test_csv_bytes_rounds_to_the_digits_asked_or_round_trips():
    frame = pd.DataFrame({"x": [1 / 3, 2.0], "name": ["a", "b"]})
    assert csv_bytes(frame, digits=10) == b"x,name\n0.3333333333,a\n2,b\n"
    assert csv_bytes(frame) == b"x,name\n0.3333333333333333,a\n2.0,b\n"


def test_read_table_checks_like_read_csv_then_infers_types(tmp_path):
    (tmp_path / "t.csv").write_bytes(b"\xef\xbb\xbfregion,coef\r\nEast,0.5\r\nWest,-1.25\r\n")  # BOM, CRLF
    table = read_table(tmp_path / "t.csv", FIX, index_col="region")
    assert list(table.index) == ["East", "West"] and table["coef"].tolist() == [0.5, -1.25]
    (tmp_path / "t.csv").write_bytes(b"region,coef\nEast,0.5\nWest,1,250.0\n")
    with pytest.raises(InputError, match=r"t.csv, line 3: 3 fields where the header has 2"):
        read_table(tmp_path / "t.csv", FIX)


def test_a_missing_exhibit_names_the_notebook_that_writes_it(tmp_path, monkeypatch):
    """Notebook 09 reads Table 7's bootstrap from a run's exhibits; without it, the error says which
    notebook to run. (Two committed exhibits are copied only so that the scorecard gets as far as the
    missing one; nothing here depends on their numbers.)"""
    figures = tmp_path / "rerun" / paths.FIGURES.name
    figures.mkdir(parents=True)
    for name in ("table4_estimates.csv", "table6_estimates.csv"):
        (figures / name).write_bytes((paths.FIGURES / name).read_bytes())
    with pytest.raises(InputError, match=rf"{figures / 'table7_wild_bootstrap.csv'}: the file is missing\. "
                                         r"notebooks/08_heterogeneity.ipynb writes it; a folder of a run's own gets it "
                                         r"from the runner.*: \.venv/bin/python -m helpers\.run --only <notebook> --out <folder>"):
        scorecard.verdicts(figures)
    repository = tmp_path / "repository"  # its own exhibits, not a run's folder under build/
    monkeypatch.setattr(paths, "ROOT", repository)
    monkeypatch.setattr(paths, "BUILD", repository / "build")
    with pytest.raises(InputError, match=r"table4_missing.csv: the file is missing\. notebooks/05_baseline.ipynb "
                                         r"writes it; run that notebook first \(make reproduce\)"):
        read_table(repository / "figures" / "table4_missing.csv", FIX)
    with pytest.raises(InputError, match=r"x.csv: the file is missing\. Do this\."):
        read_table(tmp_path / "x.csv", FIX)


def test_first_row_of_a_check():
    assert first_row([False, True, True]) == 1 and first_row(pd.Series([False, False])) is None
