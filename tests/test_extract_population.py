"""Population and urbanisation extracts against second copies of the same NBS tables."""
import pandas as pd

from helpers.extract import population
from helpers.extract.common import read_nbs_csv, source, tidy, wide
from tests.conftest import beside, needs_sources

EXTRACTS = {s.name: s for s in population.SERIES}
MACRO_127WW = ("127ww__nqp-spatial-development", "中国宏观经济数据库-年度（分省级）.xlsx")


def _values(name):
    return EXTRACTS[name].read().set_index(["province", "year"])["value"]


@needs_sources
def test_coverage():
    for name, extract in EXTRACTS.items():
        frame = extract.read()
        assert len(frame[frame["year"].between(2011, 2021)]) == 341, name
        assert frame["year"].min() == 2000, name


@needs_sources
def test_population_equals_1lmq_copy():
    """1lmq's NBS export (2015-2024) equals VasantLong's where they overlap (2015-2022)."""
    other = wide(read_nbs_csv(source("1lmq__FYP_QMM2_Chinese_Railways", "分省年度数据_年末常住人口.csv")), "地区")
    both, gap = beside(_values("population"), other)
    assert set(both.index.get_level_values("year")) == set(range(2015, 2023))
    assert len(both) == 31 * 8 and gap.max() == 0


@needs_sources
def test_population_equals_127ww_panel():
    """127ww's merged panel repeats the same vintage for 2011-2021 (its 2022 too)."""
    table = pd.read_excel(source("127ww__nqp-spatial-development", "面板原始数据_合并版v2.xlsx"))
    both, gap = beside(_values("population"), tidy(table, "省份", "年份", "总人口（万人）"))
    assert len(both) == 31 * 12 and gap.max() == 0


@needs_sources
def test_urbanisation_agrees_with_eps_and_holds_no_estimates():
    """The EPS extract of the CSY (城镇人口所占比重, 2011-2023) agrees to its rounding; the
    compiler's 2022-2023 extrapolations (up to 0.8 points off) must be gone."""
    table = pd.read_excel(source(*MACRO_127WW), header=None)
    rows = table[table[0].astype(str).str.startswith("城镇人口所占比重")].iloc[:, 1:]
    rows.columns = ["province", *table.iloc[0, 2:].astype(int)]
    both, gap = beside(_values("urbanisation"), wide(rows, "province"))
    years = both.index.get_level_values("year")
    assert len(both[(years >= 2011) & (years <= 2021)]) == 341
    assert gap[years <= 2021].max() < 1e-9
    assert gap.max() <= 0.05 + 1e-9
    assert (years == 2023).sum() == 15


@needs_sources
def test_urbanisation_drops_interpolated_2001_2004():
    """备注: Tianjin, Shanxi and others were interpolated for 2001-2004; their published 2000 and
    2005 stay."""
    tianjin = EXTRACTS["urbanisation"].read().query("province == 'Tianjin'")
    assert not set(tianjin["year"]) & set(range(2001, 2005))
    assert {2000, 2005} <= set(tianjin["year"])
