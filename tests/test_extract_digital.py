"""Digital-economy extracts against values printed in SOURCES.md, national totals and second copies."""
import pandas as pd
import pyreadstat
import pytest

from helpers.extract import digital
from helpers.extract.common import read_nbs_csv, source, tidy
from helpers.provinces import PROVINCES, canonical
from tests.conftest import needs_sources

BY_NAME = {s.name: s for s in digital.SERIES}


def read(name: str) -> pd.DataFrame:
    return BY_NAME[name].read()


def value(frame: pd.DataFrame, province: str, year: int) -> float:
    return frame.set_index(["province", "year"]).at[(province, year), "value"]


def pair(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """The cells both frames hold, values side by side as value_x, value_y."""
    return left.merge(right, on=["province", "year"])


def cells(frame: pd.DataFrame, first: int, last: int) -> int:
    return frame["year"].between(first, last).sum()


@needs_sources
def test_dfiic_spot_values_and_coverage():
    frame = read("dfiic")
    assert value(frame, "Beijing", 2011) == pytest.approx(79.41, abs=0.005)
    assert value(frame, "Shanghai", 2021) == pytest.approx(458.97, abs=0.005)
    for name in ("dfiic", "dfiic_breadth", "dfiic_depth", "dfiic_digitisation"):
        assert cells(read(name), 2011, 2021) == 341, name


@needs_sources
def test_dfiic_equals_the_copy_in_127ww():
    copy = tidy(digital._panel_127ww(), "省份", "年份", "数字普惠金融总指数")
    both = pair(read("dfiic"), copy)
    assert len(both) == 31 * 13
    assert (both["value_x"] - both["value_y"]).abs().max() < 1e-9


@needs_sources
def test_unpublished_dfiic_subindices_stay_gaps():
    for name in ("dfiic_monetary_fund", "dfiic_credit_investigation"):
        assert read(name)["year"].max() == 2018, name


@needs_sources
def test_telecom_volume_and_price_base_at_the_breaks():
    volume, base = read("telecom_volume"), read("telecom_price_base")
    printed = {2015: (923, 2010), 2016: (593, 2015), 2020: (3248, 2015), 2021: (513, 2020)}
    for year, (level, base_year) in printed.items():
        assert round(value(volume, "Beijing", year)) == level
        assert value(base, "Beijing", year) == base_year
    assert volume[["province", "year"]].equals(base[["province", "year"]])
    assert cells(volume, 2011, 2021) == 341


@needs_sources
def test_telecom_volume_from_2021_is_at_previous_year_prices():
    """MIIT bulletins: 1.7 万亿 in 2021 at 2020 prices, 1.75 万亿 in 2022 at 2021 prices (+21.3 % in
    volume: at 2020 prices 2022 would be about 2.07 万亿)."""
    totals = read("telecom_volume").groupby("year")["value"].sum()
    assert totals[2021] == pytest.approx(17_000, rel=0.02)
    assert totals[2022] == pytest.approx(17_500, rel=0.02)
    assert digital.price_base(2022) == 2021


@needs_sources
def test_airuimeng_telecom_revenue_column_is_telecom_volume():
    """The sheet's 'Telecommunications Business Revenue' is in fact 电信业务总量: not a series of its own."""
    label = "Telecommunications Business Revenue (100 million yuan)"
    both = pair(read("telecom_volume"), tidy(digital._airuimeng(), "province", "year", label))
    assert len(both) == 31 * 11
    assert (both["value_x"] - both["value_y"]).abs().max() < 0.05


@needs_sources
def test_airuimeng_magnitudes_match_national_totals():
    """Province sums 2021 against MIIT's 2021 communication-statistics bulletin: mobile subscribers
    16.43 亿户, broadband access ports 10.18 亿个, base stations 996 万个, software revenue 94,994 亿元."""
    expected = {"mobile_subscribers": 164_300, "broadband_ports": 101_800, "mobile_base_stations": 996,
                "software_revenue": 94_994}
    for name, total in expected.items():
        frame = read(name)
        assert frame.loc[frame["year"] == 2021, "value"].sum() == pytest.approx(total, rel=0.01), name


@needs_sources
def test_airuimeng_coverage():
    """Complete for 2013-2021 (SOURCES.md: 279 cells), mobile internet users from 2014."""
    for series in digital.AIRUIMENG_SERIES:
        first = 2014 if series.name == "mobile_internet_users" else 2013
        assert cells(series.read(), first, 2021) == 31 * (2022 - first), series.name


@needs_sources
def test_it_employment_within_total_urban_unit_employment():
    both = pair(read("it_employment"), read("urban_unit_employment_total"))
    assert len(both) == 31 * 11
    assert (both["value_x"] <= both["value_y"]).all()


@needs_sources
def test_urban_unit_employment_agrees_with_the_nbs_export():
    """The NBS export prints 0.1 万人; the airuimeng1 copy keeps more digits."""
    path = source("RenJiyi163__panel_data_analysis_for_thesis", "分省年度数据 (3).csv")
    nbs = read_nbs_csv(path).melt(id_vars="地区", var_name="year", value_name="value")
    both = pair(read("urban_unit_employment_total"), tidy(nbs, "地区", "year", "value"))
    assert len(both) == 31 * 11
    assert (both["value_x"] - both["value_y"]).abs().max() <= 0.05 + 1e-9


@needs_sources
def test_software_product_revenue_is_part_of_software_business_revenue():
    product = read("software_revenue_127ww")
    assert cells(product, 2012, 2021) == 299
    assert "Tibet" not in set(product["province"])
    both = pair(product, read("software_revenue"))
    assert len(both) == 30 * 11 - 2
    assert (both["value_x"] < both["value_y"]).all()


@needs_sources
def test_broadband_subscribers_printed_values_and_national_totals():
    frame = read("broadband_subscribers")
    assert value(frame, "Beijing", 2011) == 510.8
    assert value(frame, "Guangdong", 2012) == 1903.6
    totals = frame.groupby("year")["value"].sum()
    for year, national in {2011: 15000.1, 2012: 17518.2, 2019: 44927.8, 2020: 48354.9}.items():
        assert totals[year] == pytest.approx(national, abs=0.05), year
    assert cells(frame, 2011, 2021) == 310 and frame["year"].max() == 2020


@needs_sources
def test_broadband_procode_order_matches_the_files_own_names():
    raw, _ = pyreadstat.read_dta(source(*digital.BROADBAND), usecols=["procode", "province"])
    labels = raw.drop_duplicates("procode").sort_values("procode")["province"].map(canonical)
    assert list(labels) == list(PROVINCES.sort_values("code")["province"])


@needs_sources
def test_internet_penetration_coverage_and_range():
    frame = read("internet_penetration")
    assert cells(frame, 2011, 2016) == 186 and frame["year"].min() == 2010
    assert frame["value"].between(10, 100).all()
    assert value(frame, "Beijing", 2011) > value(frame, "Guizhou", 2011)
