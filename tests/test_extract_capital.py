import pandas as pd
import pytest

from helpers.extract import capital
from helpers.extract.common import source, tidy
from helpers.provinces import NAMES
from tests.conftest import needs_sources

EXTRACTS = {s.name: s for s in capital.SERIES}
DELTA = 0.096  # Zhang Jun (2004) depreciation rate, as in CHNCapitalStock
# CHNCapitalStock R/CompK_ZJ.R starts Chongqing's stock in 1996 at this value (Zhang's split of
# Sichuan), whatever the price base.
CHONGQING_K1996 = 1090 * 313 / 850


def _series(name, province):
    frame = EXTRACTS[name].read()
    return frame[frame["province"] == province].set_index("year")["value"]


def perpetual_inventory(province, base):
    """K_t = (1 - 0.096) K_{t-1} + I_t / (P_t / P_base), K_1952 = I_1952 / 0.1, as CHNCapitalStock
    CompK_ZJ does it: the price index is rebased to `base` before deflating, the initial stock is
    not; Chongqing starts in 1996 and, for a base before 1996, is rebased on Sichuan's index."""
    invest = _series("gfcf", province)
    price = _series("investment_price_index", province)
    if province == "Chongqing" and base < 1996:
        price = price / _series("investment_price_index", "Sichuan")[base]
    else:
        price = price / price[base]
    real = invest / price
    years = list(real.index)
    stock = {years[0]: CHONGQING_K1996 if province == "Chongqing" else invest[1952] / 0.1}
    for prev, year in zip(years, years[1:]):
        stock[year] = (1 - DELTA) * stock[prev] + real[year]
    return pd.Series(stock)


@needs_sources
def test_package_test_values_reproduced():
    """CHNCapitalStock tests/testthat/test-provinces.R (printed in SOURCES.md)."""
    assert perpetual_inventory("Beijing", 2000)[2000] == pytest.approx(7066.979, abs=1e-3)
    assert perpetual_inventory("Chongqing", 2000)[2000] == pytest.approx(2143.611, abs=1e-3)
    assert perpetual_inventory("Chongqing", 1952)[1997] == pytest.approx(434.2679, abs=1e-4)
    assert perpetual_inventory("Beijing", 1952)[1952] == pytest.approx(7.9, abs=1e-9)


@needs_sources
def test_coverage_and_base():
    for name in ("gfcf", "investment_price_index"):
        frame = EXTRACTS[name].read()
        assert frame["year"].min() == 1952 and frame["year"].max() == 2022
        assert len(frame[frame["year"].between(2011, 2021)]) == 341
        assert frame[frame["province"] == "Chongqing"]["year"].min() == 1996
    price = EXTRACTS["investment_price_index"].read()
    base = price[price["year"] == 1952]
    assert sorted(base["province"]) == sorted(p for p in NAMES if p != "Chongqing")
    assert (base["value"] == 1).all()
    depreciation = EXTRACTS["depreciation"].read()
    assert depreciation["year"].max() == 2017
    assert len(depreciation[depreciation["year"].between(2011, 2017)]) == 31 * 7


@needs_sources
def test_negative_gfcf_cells_kept_as_stored():
    """Fujian 1967 and 1968 are negative in the package's data; the extract keeps them (sign 'any'),
    so the perpetual inventory sees the same history as the package."""
    from helpers.sources import read_extract
    fujian = read_extract("gfcf", "亿元").query("province == 'Fujian'").set_index("year")["value"]
    assert fujian[1967] == -0.11 and fujian[1968] == -1.06


@needs_sources
def test_fai_total_matches_second_copy():
    """RenJiyi163's 分省年度数据_整合.csv holds the same yearbook totals for 2005-2017; the one
    disagreement is Guangdong 2009 (12,933.12 here, 13,353.15 there)."""
    fai = EXTRACTS["fai"].read()
    assert len(fai) == 31 * 21 and fai["year"].min() == 2003 and fai["year"].max() == 2023
    other = pd.read_csv(source("RenJiyi163__panel_data_analysis_for_thesis", "分省年度数据_整合.csv"),
                        encoding="utf-8-sig")
    other = tidy(other, "地区", "年份", "固定资产投资总额_亿元")
    both = fai.merge(other, on=["province", "year"])
    assert len(both) == 31 * 13 and both["year"].between(2005, 2017).all()
    off = both[(both["value_x"] - both["value_y"]).abs() > 0.05]  # one copy rounds 2014 to 0.1
    assert list(zip(off["province"], off["year"])) == [("Guangdong", 2009)]
