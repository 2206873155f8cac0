"""Gross regional product (地区生产总值) in three vintages, its real index and value added by
sector, from NBS tables as compiled in public repositories."""
from functools import cache

import pandas as pd
import pyreadstat

from .common import Series, read_nbs_csv, source, tidy, wide

YEARBOOK = ("muweiabc__govfund", "gdp.xlsx")
CENSUS4 = ("fisheryounggod__gitdata", "china_gdp_prinvince.dta")
CENSUS5 = ("RenJiyi163__panel_data_analysis_for_thesis", "分省年度数据.csv")
MACS = ("macs30200-s22__replication-materials-nijingwen", "data/MACS30200_data.csv")

GDP = "地区生产总值/亿元"
INDEX = "地区生产总值指数(上年=100)"
SECTORS = {"primary": "第一产业", "secondary": "第二产业", "tertiary": "第三产业"}
MACS_SECTORS = {"primary": "First_industry", "secondary": "Second_industry", "tertiary": "Third_industry"}
LAST_AS_PUBLISHED = 2022  # sheet1's 2023-2024 rows repeat Sheet2, the 5th-census revision

CSY_GDP = "NBS, China Statistical Yearbook, table 'Gross Regional Product' (annual editions)"
NBS_DB = "NBS, national data provincial annual database (分省年度数据)"
SECTOR_ZH = {"primary": "第一产业增加值", "secondary": "第二产业增加值", "tertiary": "第三产业增加值"}

BREAKS_A = (
    "2019 is the first year benchmarked to the 4th economic census, 2018 and earlier are not "
    "(2018->2019 Tianjin -25 %, Jilin -22 %, Heilongjiang -17 %, Shandong -7 %); Liaoning 2016 -22 % "
    "and Inner Mongolia 2017 -11 % (downward corrections of earlier reporting); before 2009 the "
    "compilation mixes revisions (sector sums differ from GDP by up to 30 % in 1990-2008; Beijing "
    "+50 % in 2001); Sichuan includes Chongqing up to 1995 while Chongqing is also given from 1978; "
    "the compilation's 2023-2024 rows are 5th-census values and are left out")
BREAKS_SECTORS_A = (
    "2013 is pre-revision: the three sectors sum to 0.1-1.5 % less than the revised 2013 GDP of "
    "gdp_a in all 31 provinces (tertiary as GDP minus primary minus secondary fixes it; not done "
    "here); 2019 4th-census benchmark (tertiary 2018->2019 Anhui +39 %, Yunnan +45 %; secondary "
    "Tianjin -35 %, Jilin -36 %); Liaoning 2016 secondary -34 %; before 2009 sector values and GDP "
    "often come from different revisions; Chongqing 1994 is empty")


@cache
def _yearbook() -> pd.DataFrame:
    """muweiabc's long CSY table (sheet1: GDP, sectors, shares, per-capita GDP and indices),
    1952-2022. Sheet2 is a wide copy of the 5th-census revision for 2015-2024."""
    table = pd.read_excel(source(*YEARBOOK), sheet_name="sheet1")
    return table[table["年份"] <= LAST_AS_PUBLISHED]


def _gdp_a() -> pd.DataFrame:
    return tidy(_yearbook(), "省级", "年份", GDP)


def _gdp_index() -> pd.DataFrame:
    """The real GDP index. Left out: the compiler's 1952 rows of 100 (no 1951 to compare with)
    and Sichuan's only pre-1978 entries, 1957, 1962, 1965, 1970 and 1975, apparently on 1952 = 100."""
    frame = tidy(_yearbook(), "省级", "年份", INDEX)
    filler = (frame["year"] == 1952) & (frame["value"] == 100)
    five_yearly = (frame["province"] == "Sichuan") & (frame["year"] < 1978)
    return frame[~(filler | five_yearly)].reset_index(drop=True)


def _sector_a(sector: str):
    return lambda: tidy(_yearbook(), "省级", "年份", f"地区生产总值-{SECTORS[sector]}/亿元")


def _gdp_b() -> pd.DataFrame:
    """The Stata file: one row per year (1992-2023, 2023 empty), one column per province."""
    table, _ = pyreadstat.read_dta(str(source(*CENSUS4)))
    return tidy(table.melt(id_vars="year", var_name="province"), "province", "year", "value")


def _gdp_c() -> pd.DataFrame:
    """NBS database export, 2006-2024; its footnote: 1992-2023 revised after the 5th census.
    2024, a first release outside that revision, is left out."""
    return wide(read_nbs_csv(source(*CENSUS5)), "地区", keep=(1992, 2023))


def _sector_b(sector: str):
    """macs30200's panel, 2008-2019; its GDP column equals gdp_b."""
    return lambda: tidy(pd.read_csv(source(*MACS)), "Province", "Year", MACS_SECTORS[sector])


def _va_a(sector: str) -> Series:
    zh = SECTOR_ZH[sector]
    return Series(f"va_{sector}_a", f"Value added of the {sector} industry ({zh}), yearbook-as-published "
                  "vintage", "亿元", "a: as first published", CSY_GDP, (YEARBOOK,), _sector_a(sector),
                  BREAKS_SECTORS_A)


def _va_b(sector: str) -> Series:
    zh = SECTOR_ZH[sector]
    return Series(f"va_{sector}_b", f"Value added of the {sector} industry ({zh}), revised after the 4th "
                  "economic census", "亿元", "b: 4th economic census revision", f"{NBS_DB}, {zh}", (MACS,),
                  _sector_b(sector))


SERIES = [
    Series("gdp_a", "Gross regional product (地区生产总值), yearbook-as-published vintage", "亿元",
           "a: as first published", CSY_GDP, (YEARBOOK,), _gdp_a, BREAKS_A),
    Series("gdp_b", "Gross regional product (地区生产总值), revised after the 4th economic census", "亿元",
           "b: 4th economic census revision", f"{NBS_DB}, 地区生产总值", (CENSUS4,), _gdp_b),
    Series("gdp_c", "Gross regional product (地区生产总值), revised after the 5th economic census", "亿元",
           "c: 5th economic census revision", f"{NBS_DB}, 地区生产总值", (CENSUS5,), _gdp_c),
    Series("gdp_index", "Index of gross regional product (地区生产总值指数) at constant prices, "
           "yearbook-as-published vintage", "previous year=100", "a: as first published",
           "NBS, China Statistical Yearbook, table 'Indices of Gross Regional Product' (annual editions)",
           (YEARBOOK,), _gdp_index,
           "nominal level breaks of gdp_a (2019 census benchmark, Liaoning 2016, Inner Mongolia 2017) "
           "do not show in the real growth rates; left out: the compiler's 1952 fillers of 100 (16 "
           "provinces) and Sichuan's five entries for 1957-1975, apparently on 1952 = 100"),
    *[_va_a(sector) for sector in SECTORS],
    *[_va_b(sector) for sector in SECTORS],
]
