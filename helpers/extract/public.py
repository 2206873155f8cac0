"""Public finance, consumption and openness: general public budget expenditure, retail sales of
consumer goods (three source vintages, kept apart), imports plus exports in USD and in CNY, and the
official CNY per USD rate that links the two."""
from functools import cache

import pandas as pd
import xlrd

from .. import config
from ..provinces import NATIONAL
from .common import Series, source, tidy, wide

BUDGET = ("RenJiyi163__panel_data_analysis_for_thesis", "一般公共预算等.xls")
INTEGRATED = ("RenJiyi163__panel_data_analysis_for_thesis", "分省年度数据_整合.csv")
CONTROL = ("airuimeng1__UG_thesis_code_repository", "control V.xlsx")
MACS = ("macs30200-s22__replication-materials-nijingwen", "data/MACS30200_data.csv")
RETAIL_LATER = ("Liushenwuzhu-Alpaca__province-economy", "社会消费品总额.csv")

RETAIL = "社会消费品零售总额"
RETAIL_SOURCE = "NBS provincial database / China Statistical Yearbook, 'Total retail sales of consumer goods'"
RETAIL_BREAK = ("2015 on is the revised series, earlier years are not: the 2014->2015 change runs "
                "from -41 % (Jilin) to +68 % (Guizhou)")
TRADE_SOURCE = ("NBS, China Statistical Yearbook, 'Total value of imports and exports by location of "
                "business units' (General Administration of Customs)")

# Official annual average rate of the CNY against the USD (yuan per dollar), as printed in
# SOURCES.md from the NBS China Statistical Yearbook ('Exchange rate', annual average). 2013 and
# 2014 equal the ratio of the CNY to the USD trade series exactly; 2010-2012 are not cross-checked.
USD_CNY = {2010: 6.7695, 2011: 6.4588, 2012: 6.3125, 2013: 6.1932, 2014: 6.1428}


def _budget() -> pd.DataFrame:
    """Sheet1 of 一般公共预算等.xls: years in row 0 from column 4; rows 1-31 hold 一般公共预算支出
    (2007 on) with the province in column 3. Rows 32-62 hold the pre-2007 concept 财政支出
    (2005-2006) and are not read."""
    sheet = xlrd.open_workbook(source(*BUDGET)).sheet_by_index(0)
    years = [int(y) for y in sheet.row_values(0)[4:]]
    table = pd.DataFrame([sheet.row_values(i)[3:] for i in range(1, 32)], columns=["地区", *years])
    return wide(table, "地区", keep=config.SOURCE_YEARS)


@cache
def _control() -> pd.DataFrame:
    """control V.xlsx, sheet 'Control Variables(originaldata)': one row per province-year
    2013-2022; a stray last row without province is dropped."""
    table = pd.read_excel(source(*CONTROL), sheet_name="Control Variables(originaldata)")
    return table.dropna(subset=["province"])


def _control_column(prefix: str) -> pd.DataFrame:
    """The column whose (Chinese + English) label starts with `prefix`."""
    table = _control()
    [column] = [c for c in table.columns if c.startswith(prefix)]
    return tidy(table, "province", "year", column)


def _retail_later() -> pd.DataFrame:
    """社会消费品总额.csv: an NBS database export re-saved as UTF-8 with 2 header lines and every
    field ending in a tab ('北京市\\t,\\t,14092.4\\t,...'); years 2016-2025 (2025 empty, 2024
    beyond the extracts' span); footnotes below the table."""
    table = pd.read_csv(source(*RETAIL_LATER), encoding="utf-8-sig", skiprows=2, sep=r"\t?,", engine="python")
    years = [c for c in table.columns if c.endswith("年")]
    table = table.dropna(subset=years, how="all")[["地区", *years]]
    return wide(table, "地区", keep=config.SOURCE_YEARS)


def _trade_usd() -> pd.DataFrame:
    """分省年度数据_整合.csv, column 进出口总额_万美元 (2005-2014). 2006 is left out: its values
    are not the published ones (province sum 2,776 billion USD against China's 1,760 billion;
    Chongqing 7 times its 2005-2007 neighbours)."""
    table = pd.read_csv(source(*INTEGRATED), encoding="utf-8-sig")
    frame = tidy(table, "地区", "年份", "进出口总额_万美元")
    return frame[frame["year"] != 2006].reset_index(drop=True)


def _usd_cny() -> pd.DataFrame:
    return pd.DataFrame({"province": NATIONAL, "year": list(USD_CNY), "value": list(USD_CNY.values())})


SERIES = [
    Series(
        name="budget_expenditure",
        description="General public budget expenditure of local government (一般公共预算支出)",
        unit="亿元",
        vintage="final accounts as published (NBS provincial database)",
        primary_source="NBS, China Statistical Yearbook, 'General public budget expenditure of local governments by region' (Ministry of Finance final accounts)",
        files=(BUDGET,),
        read=_budget,
        breaks=("Starts 2007, the first year of the reformed budget classification; the 2005-2006 "
                "predecessor (财政支出) in the same sheet is not comparable and not extracted."),
    ),
    Series(
        name="retail_sales_macs",
        description=f"Total retail sales of consumer goods ({RETAIL}), vintage compiled in the MACS30200 replication data",
        unit="亿元",
        vintage="as compiled for MACS30200 (spring 2022): 2008-2014 unrevised, 2015-2019 revised",
        primary_source=RETAIL_SOURCE,
        files=(MACS,),
        read=lambda: tidy(pd.read_csv(source(*MACS)), "Province", "Year", "Total_retail_sales"),
        breaks=(f"{RETAIL_BREAK}. 2011-2014 carry 5-6 decimals (e.g. Beijing 2011 7,222.169576), so "
                "they are derived figures, not printed ones."),
    ),
    Series(
        name="retail_sales_airuimeng",
        description=f"Total retail sales of consumer goods ({RETAIL}), vintage compiled in airuimeng1's control variables",
        unit="亿元",
        vintage="as compiled by airuimeng1 (values to 2022); equals retail_sales_macs 2013-2019",
        primary_source=RETAIL_SOURCE,
        files=(CONTROL,),
        read=lambda: _control_column(RETAIL),
        breaks=f"{RETAIL_BREAK}.",
    ),
    Series(
        name="retail_sales_nbs_later",
        description=f"Total retail sales of consumer goods ({RETAIL}), later NBS database vintage",
        unit="亿元",
        vintage="NBS provincial database export with values to 2024 (2018 revised after the 4th economic census)",
        primary_source=RETAIL_SOURCE,
        files=(RETAIL_LATER,),
        read=_retail_later,
        breaks=("Starts 2016. Equals the other two vintages 2016-2018 and differs from 2019 on (by up "
                "to 2 % in 2019, 9 % in 2022; NBS footnote: 2018 revised after the 4th economic census, "
                "2019 adjusted accordingly). Provinces do not add up to the national total, which NBS "
                "corrects separately."),
    ),
    Series(
        name="trade_usd",
        description="Total imports and exports by location of business units (经营单位所在地进出口总额), in US dollars",
        unit="万美元",
        vintage="CSY as published",
        primary_source=TRADE_SOURCE,
        files=(INTEGRATED,),
        read=_trade_usd,
        breaks=("2006 left out: the compilation's 2006 values are not the published ones (province "
                "sum 1.58 times China's total). Ends 2014; the CNY series (trade_cny) starts 2013."),
    ),
    Series(
        name="trade_cny",
        description="Total imports and exports by location of business units (经营单位所在地进出口总额), in yuan",
        unit="亿元",
        vintage="CSY as published (USD converted at the official annual average rate)",
        primary_source=TRADE_SOURCE,
        files=(CONTROL,),
        read=lambda: _control_column("经营单位所在地进出口总额"),
        breaks=("2013-2014 equal trade_usd x the official annual average CNY per USD rate / 10,000 "
                "exactly; 2015 exists only here."),
    ),
    Series(
        name="usd_cny",
        description="Official annual average exchange rate of the yuan (人民币汇率, 年平均价), national",
        unit="CNY per USD",
        vintage="CSY as printed (values held in helpers/extract/public.py, from SOURCES.md)",
        primary_source="NBS, China Statistical Yearbook, 'Exchange rate of RMB against USD (annual average)'; People's Bank of China",
        files=(INTEGRATED, CONTROL),
        read=_usd_cny,
        breaks=("Not read from a data file: five printed values. 2013-2014 confirmed by trade_cny / "
                "trade_usd; 2010-2012 not cross-checked here."),
    ),
]
