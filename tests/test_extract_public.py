import pandas as pd
import pytest

from helpers.extract import public
from helpers.extract.common import source, wide
from helpers.provinces import NATIONAL
from tests.conftest import needs_sources

EXTRACTS = {s.name: s for s in public.SERIES}


def read(name):
    return EXTRACTS[name].read()


def _pair(a, b, years):
    both = read(a).merge(read(b), on=["province", "year"])
    return both[both["year"].between(*years)]


@needs_sources
def test_budget_coverage_and_local_totals():
    """Province sums equal the local-government total of the national final accounts (CSY,
    'Main items of government revenue and expenditure': total minus central expenditure)."""
    budget = read("budget_expenditure")
    assert len(budget) == 31 * 18 and budget["year"].min() == 2007 and budget["year"].max() == 2024
    sums = budget.groupby("year")["value"].sum()
    for year, total in {2011: 92733.68, 2015: 150335.62, 2019: 203743.22, 2021: 210623.04}.items():
        assert sums[year] == pytest.approx(total, abs=0.05), year


@needs_sources
def test_budget_matches_eps_copy():
    """127ww's EPS extract (中国宏观经济数据库) holds the same series for 2011-2023."""
    eps = pd.read_excel(source("127ww__nqp-spatial-development", "中国宏观经济数据库-年度（分省级）.xlsx"),
                        header=None)
    years = [int(y) for y in eps.iloc[0, 2:]]
    rows = eps[eps[0] == "一般公共预算支出（亿元）"].iloc[:, 1:]
    rows.columns = ["地区", *years]
    both = read("budget_expenditure").merge(wide(rows, "地区"), on=["province", "year"])
    assert len(both) == 31 * 13
    assert (both["value_x"] - both["value_y"]).abs().max() < 0.015


@needs_sources
def test_retail_vintages():
    """SOURCES.md: macs30200 equals airuimeng1 for 2013-2019 (to 0.05); the later database
    vintage differs from 2019 on; 2014->2015 'growth' runs from -41 % to +68 %."""
    same = _pair("retail_sales_macs", "retail_sales_airuimeng", (2013, 2019))
    assert len(same) == 31 * 7
    assert (same["value_x"] - same["value_y"]).abs().max() < 0.05
    later = _pair("retail_sales_nbs_later", "retail_sales_airuimeng", (2016, 2022))
    agree = (later["value_x"] - later["value_y"]).abs() < 0.05
    assert agree[later["year"] <= 2018].all() and not agree[later["year"] >= 2019].any()
    macs = read("retail_sales_macs").pivot(index="province", columns="year", values="value")
    jump = (macs[2015] / macs[2014] - 1) * 100
    assert jump.min() == pytest.approx(-41, abs=0.5) and jump.max() == pytest.approx(68, abs=0.5)


@needs_sources
def test_trade_usd_totals_and_corrupt_2006():
    """Province sums equal China's imports plus exports (CSY, 亿美元): 2005 14,219.1;
    2011 36,418.6; 2014 43,015.3. The file's 2006 sums to 27,760 against 17,604 and is left out."""
    usd = read("trade_usd")
    assert sorted(usd["year"].unique()) == [2005, *range(2007, 2015)]
    assert len(usd) == 31 * 9
    sums = usd.groupby("year")["value"].sum() / 1e4  # 万美元 -> 亿美元
    for year, total in {2005: 14219.1, 2011: 36418.6, 2014: 43015.3}.items():
        assert sums[year] == pytest.approx(total, abs=0.1), year


@needs_sources
def test_trade_cny_is_usd_at_official_rate():
    """trade_cny (亿元) = trade_usd (万美元) x rate / 10,000, in total and province by province."""
    rate = read("usd_cny").set_index("year")["value"]
    assert (read("usd_cny")["province"] == NATIONAL).all()
    assert len(read("trade_cny")) == 31 * 10
    both = _pair("trade_cny", "trade_usd", (2013, 2014))
    assert len(both) == 62
    both["rate"] = both["value_x"] / both["value_y"] * 1e4
    assert (both["rate"].round(4) == both["year"].map(rate)).all()
    sums = both.groupby("year")[["value_x", "value_y"]].sum()
    for year in (2013, 2014):
        assert round(sums.at[year, "value_x"] / sums.at[year, "value_y"] * 1e4, 4) == rate[year]
