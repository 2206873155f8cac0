"""Labour inputs: year-end employment, in total and by sector, and urban-unit employment."""
from functools import cache

import pandas as pd

from .. import config
from .common import Series, read_nbs_csv, source, tidy, wide

EMPLOYMENT = ("muweiabc__govfund", "分省份按三次产业分从业人员数（就业人员数）1985-2023年数据.xlsx")
URBAN_UNITS = ("RenJiyi163__panel_data_analysis_for_thesis", "分省年度数据 (3).csv")

CSY = "NBS, China Statistical Yearbook, 'Number of employed persons at year-end by three strata of industry'"
EMPLOYMENT_BREAKS = (
    "Level breaks where provinces re-benchmark on censuses and labour-force surveys: 2010 "
    "(Inner Mongolia +22 %, Jilin +21 %, Xinjiang +40 %, Shanxi +13 %, Heilongjiang +12 %, Hebei +9 %, "
    "Henan -13 %); Shanghai 2011 +19 % and 2013 +23 %; Tianjin 2006 +32 %, 2007 -23 %, 2008 +16 %, "
    "2011 +30 %; Beijing 2004 +21 %; Anhui 2020 -26 %, Qinghai 2020 -15.5 %, Hunan 2020 -10.5 %; "
    "2021 on census-benchmarked (Beijing 2021 -8 %). Early years have gaps (several provinces "
    "only every few years before 1978).")
SECTOR_BREAKS = (f"{EMPLOYMENT_BREAKS} The three sectors do not add up to the total for Shaanxi "
                 "2012-2019 (by up to 515 万人) and Xinjiang 2010-2019 (by up to 115 万人).")


@cache
def _employment_panel() -> pd.DataFrame:
    """Sheet 面板数据: one row per province-year (and 中国), from 1949; the year sheets repeat it."""
    return pd.read_excel(source(*EMPLOYMENT), sheet_name="面板数据")


def _employment(column: str) -> pd.DataFrame:
    """One column of the panel, from 1952 (the extracts' first year)."""
    return tidy(_employment_panel(), "省份名称", "年度标识", column, keep=config.SOURCE_YEARS)


def _urban_units() -> pd.DataFrame:
    """NBS provincial-database export '城镇单位就业人员(万人)', 2008-2024 (2024 is beyond the
    extracts' span and left out)."""
    return wide(read_nbs_csv(source(*URBAN_UNITS)), "地区", keep=config.SOURCE_YEARS)


def _sector(name: str, column: str, label: str) -> Series:
    return Series(
        name=f"employment_{name}",
        description=f"Year-end employment in the {label} sector ({column.split('（')[0]})",
        unit="万人",
        vintage="CSY as published, provincial yearbooks where the CSY lacks a year",
        primary_source=CSY,
        files=(EMPLOYMENT,),
        read=lambda: _employment(column),
        breaks=SECTOR_BREAKS,
    )


SERIES = [
    Series(
        name="employment",
        description="Year-end employment, total (就业人员)",
        unit="万人",
        vintage="CSY as published, provincial yearbooks where the CSY lacks a year",
        primary_source=CSY,
        files=(EMPLOYMENT,),
        read=lambda: _employment("就业人员"),
        breaks=EMPLOYMENT_BREAKS,
    ),
    _sector("primary", "第一产业就业人员（万人）", "primary"),
    _sector("secondary", "第二产业就业人员（万人）", "secondary"),
    _sector("tertiary", "第三产业就业人员（万人）", "tertiary"),
    Series(
        name="employment_urban_units",
        description="Employment in urban units (城镇单位就业人员), year-end, private units excluded",
        unit="万人",
        vintage="NBS provincial database, export of the latest 20 years (values 2008-2024)",
        primary_source="NBS provincial database / China Statistical Yearbook, 'Number of employed persons in urban units'",
        files=(URBAN_UNITS,),
        read=_urban_units,
        breaks=("Coverage widened in 2013 (province sum 15,237 in 2012, 18,108 in 2013); industry "
                "classification changed in 2012 (affects industry detail, not the total)."),
    ),
]
