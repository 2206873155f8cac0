"""The shipped extracts still follow from the source workbooks, byte for byte."""
import pandas as pd
import pytest

from helpers import paths
from helpers.extract import SERIES, extract_all
from helpers.sources import ExtractError, gaps, manifest
from tests.conftest import needs_sources


@needs_sources
def test_extraction_reproduces_data_raw(tmp_path):
    extract_all(tmp_path)
    built = sorted(p.name for p in tmp_path.iterdir())
    shipped = sorted(p.name for p in paths.RAW.glob("*.csv"))
    assert built == shipped
    for name in built:
        assert (tmp_path / name).read_bytes() == (paths.RAW / name).read_bytes(), name


def test_manifest_lists_every_series_once():
    table = manifest()
    assert sorted(table.index) == sorted(s.name for s in SERIES)
    assert table["unit"].ne("").all() and table["primary_source"].ne("").all()
    assert table["compilation"].str.contains("@").all()


def test_gaps_names_missing_cells():
    frame = pd.DataFrame({"province": ["Beijing"] * 11, "year": range(2011, 2022), "value": 1.0})
    text = gaps(frame)
    assert text.startswith("2011 Tianjin Hebei")
    assert "Beijing" not in text and text.count(";") == 10


def read_instead(monkeypatch, frame_of) -> None:
    """extract_all with gdp_a read by `frame_of()` instead of from its workbook, which is then neither
    read nor checked against its checksum (so the test runs without ../shared/sources)."""
    from dataclasses import replace

    from helpers import extract
    monkeypatch.setattr(extract, "SERIES", [replace(s, read=frame_of) if s.name == "gdp_a" else s for s in extract.SERIES])
    monkeypatch.setattr(extract, "check_sources", lambda *args: None)


@pytest.mark.usefixtures("repo_unchanged")
def test_extraction_refuses_an_implausible_value_before_writing(tmp_path, monkeypatch):
    """A faulty source edit (GDP of one province-year x 1000) is not signed into a manifest."""
    from helpers import extract
    from helpers.sources import read_extract

    frame = read_extract("gdp_a", "亿元")
    frame.loc[(frame["province"] == "Hebei") & (frame["year"] == 2015), "value"] *= 1000
    read_instead(monkeypatch, lambda: frame)
    with pytest.raises(ExtractError, match=r"gdp_a \(from gdp.xlsx\): value [\d.e+]+ for \(Hebei, 2015\) outside the "
                                           r"range .*Nothing was written: fix the reader .* or, if the value is right, data/checks/"):
        extract.extract_all(tmp_path / "raw", only=["gdp_a"])
    assert not (tmp_path / "raw").exists()


@pytest.mark.usefixtures("repo_unchanged")
@pytest.mark.parametrize("damage, problem", [
    (lambda f: pd.concat([f, f[(f["province"] == "Hebei") & (f["year"] == 2015)]]), r"duplicated province-year \(Hebei, 2015\)"),
    (lambda f: f.assign(value=f["value"].where((f["province"] != "Hebei") | (f["year"] != 2015), -1.0)),
     r"negative value -1.0 for \(Hebei, 2015\)")])
def test_a_source_table_failing_a_check_names_its_province_and_year_not_a_line(tmp_path, monkeypatch, damage, problem):
    """A table read from the source workbooks has no lines of its own (the extract's lines do not exist
    yet): the province and year name the row, and the advice is to fix the reader, not to rerun it."""
    from helpers import extract
    from helpers.sources import read_extract

    frame = damage(read_extract("gdp_a", "亿元")).sort_values(["province", "year"]).reset_index(drop=True)
    read_instead(monkeypatch, lambda: frame)
    with pytest.raises(ExtractError, match=r"^gdp_a \(from gdp.xlsx\): " + problem
                       + r"\. Nothing was written: fix the reader in helpers/extract/\.$"):
        extract.extract_all(tmp_path / "raw", only=["gdp_a"])
    assert not (tmp_path / "raw").exists()


@pytest.mark.usefixtures("repo_unchanged")
@pytest.mark.parametrize("column, cell, problem", [
    ("value", "1,234.5", r"Hebei, year 2015: the value '1,234.5' is not a number"),
    ("year", "20l5", r"Hebei, year 20l5: the year '20l5' is not a number"),
    ("province", "Hebie", r"unknown province name 'Hebie'")])
def test_a_source_cell_that_is_not_a_number_stops_the_extraction_naming_it(tmp_path, monkeypatch, column, cell, problem):
    """A blank cell is a gap; anything else that is not a number (a thousands separator, a typo) is an
    error naming the series, its source file, the province and the year, and nothing is written."""
    from helpers import extract
    from helpers.extract.common import tidy

    source = pd.DataFrame({"province": ["北京市", "河北省", "河北省"], "year": ["2014年", "2014年", "2015年"],
                           "value": ["", "3,0", "2.5"]}).astype(str)
    source.loc[0, "value"] = "  "  # blank: a gap, not an error
    source.loc[1, "value"] = "3.0"
    source.loc[2, column] = cell
    read_instead(monkeypatch, lambda: tidy(source, "province", "year", "value"))
    with pytest.raises(ExtractError, match=r"gdp_a \(from gdp.xlsx\): " + problem):
        extract.extract_all(tmp_path / "raw", only=["gdp_a"])
    assert not (tmp_path / "raw").exists()
    source.loc[2, column] = {"value": "2.5", "year": "2015年", "province": "河北省"}[column]
    assert tidy(source, "province", "year", "value").to_dict("list") == {
        "province": ["Hebei", "Hebei"], "year": [2014, 2015], "value": [3.0, 2.5]}


@needs_sources
def test_a_changed_or_missing_source_stops_the_extraction_before_reading(tmp_path, monkeypatch):
    """A source workbook that is not byte for byte the registered one (data/sources.csv) is refused,
    and so is a missing one; nothing is written."""
    copy = tmp_path / "sources" / "muweiabc__govfund"
    copy.mkdir(parents=True)
    original = (paths.SOURCES / "muweiabc__govfund" / "gdp.xlsx").read_bytes()
    (copy / "gdp.xlsx").write_bytes(original[:-10])  # truncated
    monkeypatch.setattr(paths, "SOURCES", tmp_path / "sources")
    with pytest.raises(ExtractError, match=r"gdp.xlsx: sha256 \w+… is not the \w+… data/sources.csv registers"):
        extract_all(tmp_path / "raw", only=["gdp_a"])
    (copy / "gdp.xlsx").unlink()
    with pytest.raises(ExtractError, match=r"gdp.xlsx is missing: `make extract` needs"):
        extract_all(tmp_path / "raw", only=["gdp_a"])
    assert not (tmp_path / "raw").exists()


def test_a_damaged_register_of_sources_is_named(tmp_path, monkeypatch):
    from helpers import extract
    (tmp_path / "sources.csv").write_text((paths.DATA / "sources.csv").read_text().replace(",sha256", ",checksum", 1))
    monkeypatch.setattr(paths, "DATA", tmp_path)
    with pytest.raises(ExtractError, match=r"sources.csv: columns are .*'checksum'\], expected .*git checkout data/sources.csv"):
        extract.compilations()


def test_a_run_killed_between_the_two_renames_gets_its_old_extracts_back(tmp_path):
    """The state a kill between `out.rename(old)` and `new.rename(out)` leaves: no out, the old folder
    beside it. The next replace puts it back before anything else, so a write that then fails leaves
    the old extracts in place rather than deleting them."""
    from helpers import extract
    out, old = tmp_path / "raw", tmp_path / ".raw.old"
    old.mkdir()
    (old / "MANIFEST.csv").write_bytes(b"old manifest\n")
    with pytest.raises(TypeError):
        extract.replace(out, {"MANIFEST.csv": "not bytes"})
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"MANIFEST.csv": b"old manifest\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]


def test_the_extracts_and_their_manifest_are_replaced_together(tmp_path, monkeypatch):
    """A write that fails half way (here the manifest, as on a full disk) leaves the old folder whole."""
    from helpers import extract, files
    out = tmp_path / "raw"
    extract.replace(out, {"a.csv": b"old a\n", "MANIFEST.csv": b"old manifest\n"})
    written = []

    def failing(path, data):
        if path.name == "MANIFEST.csv":
            raise OSError(28, "No space left on device")
        written.append(path.name)
        files.atomic_write(path, data)
    monkeypatch.setattr(extract, "atomic_write", failing)
    with pytest.raises(OSError, match="No space left"):
        extract.replace(out, {"a.csv": b"new a\n", "MANIFEST.csv": b"new manifest\n"})
    assert written == ["a.csv"]  # the new extract was written, but not in place
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"a.csv": b"old a\n", "MANIFEST.csv": b"old manifest\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]  # nothing left beside it
    monkeypatch.undo()
    extract.replace(out, {"b.csv": b"b\n", "MANIFEST.csv": b"new manifest\n"})
    assert sorted(p.name for p in out.iterdir()) == ["MANIFEST.csv", "b.csv"]
