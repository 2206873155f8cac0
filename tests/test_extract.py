"""The shipped extracts still follow from the source workbooks, byte for byte."""
import pandas as pd
import pytest

from helpers import paths
from helpers.extract import SERIES, extract_all, gaps
from helpers.sources import manifest
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


@pytest.mark.usefixtures("repo_unchanged")
def test_extraction_refuses_an_implausible_value_before_writing(tmp_path, monkeypatch):
    """A faulty source edit (GDP of one province-year x 1000) is not signed into a manifest."""
    from dataclasses import replace

    from helpers import extract
    from helpers.sources import ExtractError, read_extract

    frame = read_extract("gdp_a", "亿元")
    frame.loc[(frame["province"] == "Hebei") & (frame["year"] == 2015), "value"] *= 1000
    monkeypatch.setattr(extract, "SERIES", [replace(s, read=lambda: frame) if s.name == "gdp_a" else s
                                            for s in extract.SERIES])
    with pytest.raises(ExtractError, match=r"gdp_a \(from gdp.xlsx\), line \d+: value [\d.e+]+ for \(Hebei, 2015\) outside the range"):
        extract.extract_all(tmp_path / "raw", only=["gdp_a"])
    assert not (tmp_path / "raw").exists()
