"""The GDP extracts against values printed in SOURCES.md and second copies of the same tables."""
import pandas as pd
import pytest

from helpers.extract import gdp
from helpers.extract.common import source, tidy, wide
from tests.conftest import beside, needs_sources

EXTRACTS = {s.name: s for s in gdp.SERIES}
SECTORS = ("primary", "secondary", "tertiary")
HUANGWT = ("Huangwt1122__Digital-Technology-Innovation-Carbon-Productivity-Research-Project",
           "Gross domestic product.csv")


def _values(name):
    return EXTRACTS[name].read().set_index(["province", "year"])["value"]


@needs_sources
@pytest.mark.parametrize("name, beijing_2011, guangdong_2021", [
    ("gdp_a", 16251.93, 124369.67), ("gdp_b", 17188.8, 124719.5), ("gdp_c", 17653.3, 127577.4)])
def test_values_printed_in_sources(name, beijing_2011, guangdong_2021):
    values = _values(name)
    assert values["Beijing", 2011] == pytest.approx(beijing_2011, abs=0.005)
    assert values["Guangdong", 2021] == pytest.approx(guangdong_2021, abs=0.005)


@needs_sources
def test_coverage():
    for name in EXTRACTS:
        frame = EXTRACTS[name].read()
        years = (2008, 2019) if name.endswith("_b") and name.startswith("va_") else (2011, 2021)
        inside = frame[frame["year"].between(*years)]
        assert len(inside) == 31 * (years[1] - years[0] + 1), name
    assert _values("gdp_a").index.get_level_values("year").min() == 1952


@needs_sources
def test_gdp_a_agrees_with_eps_copy():
    """127ww's EPS extract of the CSY (2011-2023, 亿元, 2021 rounded to 0.1). Its 2023 row is first
    published, so gdp_a must not carry the compilation's 5th-census 2023 values."""
    table = pd.read_excel(source("127ww__nqp-spatial-development", "中国宏观经济数据库-年度（分省级）.xlsx"),
                          header=None)
    rows = table[table[0].astype(str).str.startswith("地区生产总值")].iloc[:, 1:]
    rows.columns = ["province", *table.iloc[0, 2:].astype(int)]
    both, gap = beside(_values("gdp_a"), wide(rows, "province"))
    assert len(both) == 31 * 12
    assert gap.max() <= 0.05 + 1e-9


@needs_sources
def test_gdp_a_and_sectors_agree_with_huangwt_copy():
    """Huangwt1122's CSY copy, 2010-2022, GDP and the three sectors to the last digit."""
    table = pd.read_csv(source(*HUANGWT))
    columns = {"gdp_a": "Gross Regional Product", "va_primary_a": "Primary Industry",
               "va_secondary_a": "Secondary Industry", "va_tertiary_a": "Tertiary Industry"}
    for name, column in columns.items():
        both, gap = beside(_values(name), tidy(table, "Province", "Fiscal Year", column))
        assert len(both) == 31 * 13, name
        assert gap.max() < 1e-6, name


@needs_sources
def test_sectors_a_keep_the_2013_pre_revision_trap():
    """SOURCES.md: 2013 sectors fall short of the revised 2013 GDP; every other panel year adds up."""
    parts = sum(_values(f"va_{s}_a") for s in SECTORS)
    shortfall = (parts / _values("gdp_a") - 1).unstack("year").loc[:, 2011:2021]
    assert shortfall[2013].between(-0.016, -0.001).all()
    assert shortfall.drop(columns=2013).abs().max().max() < 1e-5


@needs_sources
def test_gdp_b_agrees_with_nbs_export():
    """VasantLong's NBS export (GBK, 2011-2019) spells 广西省, 西藏省, 新疆省."""
    table = pd.read_csv(source("VasantLong__campus_DA", "分省年度数据.csv"), encoding="gb18030")
    both, gap = beside(_values("gdp_b"), wide(table, "地区"))
    assert len(both) == 31 * 9
    assert gap.max() < 1e-6


@needs_sources
def test_sectors_b_come_with_gdp_b():
    """macs30200's GDP column equals gdp_b, and its three sectors add up to it (to rounding)."""
    table = pd.read_csv(source(*gdp.MACS))
    both, gap = beside(_values("gdp_b"), tidy(table, "Province", "Year", "GDP"))
    assert len(both) == 31 * 12 and gap.max() <= 0.05 + 1e-9
    parts = sum(_values(f"va_{s}_b") for s in SECTORS)
    assert (parts - both["copy"]).abs().max() <= 0.1 + 1e-9


@needs_sources
def test_gdp_c_agrees_with_govfund_sheet2():
    """gdp.xlsx Sheet2 is a wide copy of the 5th-census revision, 2015-2024 (2024 preliminary)."""
    table = pd.read_excel(source(*gdp.YEARBOOK), sheet_name="Sheet2")
    both, gap = beside(_values("gdp_c"), wide(table.rename(columns={table.columns[0]: "地区"}), "地区"))
    assert len(both) == 31 * 9
    assert gap.max() < 1e-6


@needs_sources
def test_gdp_index_is_real_growth_without_the_nominal_breaks():
    """Nominal growth over real growth (an implied deflator) falls below 0.9 in 2011-2021 only at
    the downward level cuts of gdp_a listed in its breaks; the real index does not follow them."""
    index = _values("gdp_index")
    nominal = _values("gdp_a")
    deflator = (nominal / nominal.groupby(level="province").shift() / (index / 100)).dropna()
    panel = deflator[deflator.index.get_level_values("year").isin(range(2011, 2022))]
    cuts = {("Liaoning", 2016), ("Inner Mongolia", 2017), ("Tianjin", 2019), ("Jilin", 2019),
            ("Heilongjiang", 2019), ("Shandong", 2019)}
    assert set(panel[panel < 0.9].index) == cuts
    assert panel.between(0.7, 1.25).all()
    assert index[index.index.get_level_values("year") >= 2011].between(90, 120).all()
