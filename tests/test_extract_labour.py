import pandas as pd
import pytest

from helpers.extract import labour
from helpers.extract.common import source, tidy
from tests.conftest import needs_sources

EXTRACTS = {s.name: s for s in labour.SERIES}


def _wide(name):
    return EXTRACTS[name].read().pivot(index="province", columns="year", values="value")


@needs_sources
def test_coverage():
    for name, extract in EXTRACTS.items():
        frame = extract.read()
        assert len(frame[frame["year"].between(2011, 2021)]) == 341, name
    employment = EXTRACTS["employment"].read()
    assert employment["year"].min() == 1949 and employment["year"].max() == 2023


@needs_sources
def test_employment_breaks_printed_in_sources():
    """SOURCES.md: Shanghai 2011 +19 %, 2013 +23 %; Tianjin 2011 +30 %; 2020 Anhui -26 %,
    Qinghai -15.5 %, Hunan -10.5 %."""
    growth = _wide("employment").pct_change(axis=1) * 100
    for province, year, change in [("Shanghai", 2011, 19), ("Shanghai", 2013, 23), ("Tianjin", 2011, 30),
                                   ("Anhui", 2020, -26), ("Qinghai", 2020, -15.5), ("Hunan", 2020, -10.5)]:
        assert growth.at[province, year] == pytest.approx(change, abs=0.5), (province, year)


@needs_sources
def test_sectors_add_up_except_shaanxi_and_xinjiang():
    total = _wide("employment")
    parts = sum(_wide(f"employment_{s}") for s in ("primary", "secondary", "tertiary"))
    gap = (total - parts).loc[:, 2000:].stack()
    off = gap[gap.abs() > 1]
    assert set(off.index.get_level_values(0)) == {"Shaanxi", "Xinjiang"}
    assert set(off.loc["Shaanxi"].index) == set(range(2012, 2020))
    assert set(off.loc["Xinjiang"].index) == set(range(2010, 2020))


@needs_sources
def test_employment_matches_second_copy():
    """RenJiyi163's 分省年度数据_整合.csv repeats the totals for 2021-2023."""
    other = pd.read_csv(source("RenJiyi163__panel_data_analysis_for_thesis", "分省年度数据_整合.csv"),
                        encoding="utf-8-sig")
    other = tidy(other, "地区", "年份", "就业人员数_万人", keep=(2021, 2023))
    both = EXTRACTS["employment"].read().merge(other, on=["province", "year"])
    assert len(both) == 93
    assert (both["value_x"] - both["value_y"]).abs().max() < 0.05


@needs_sources
def test_urban_units_coverage_widening_2013():
    """SOURCES.md: province sum 15,237 in 2012, 18,108 in 2013."""
    sums = EXTRACTS["employment_urban_units"].read().groupby("year")["value"].sum()
    assert sums[2012] == pytest.approx(15237, abs=1)
    assert sums[2013] == pytest.approx(18108, abs=1)
