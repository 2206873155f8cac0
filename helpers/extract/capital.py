"""Capital inputs: gross fixed capital formation, its price index and depreciation as compiled in
the R package CHNCapitalStock (data `asset`), and fixed-asset investment from the NBS yearbook."""
from functools import cache

import pandas as pd
import pyreadr

from .common import Series, source, tidy

ASSET = ("common2016__CapitalStock", "asset.rda")
FAI = ("muweiabc__govfund", "2003-2023各省分行业全社会固定资产投资额.xlsx")

PACKAGE = ("compiled by Chen Pu in the R package CHNCapitalStock (data `asset`, 2023 update) "
           "following Zhang Jun, Wu & Zhang (2004)")
EXTRAPOLATED = ("NBS stopped publishing provincial levels after 2017: every value from 2018 on is the "
                "2017 level carried forward with the official fixed-asset-investment growth rates")


@cache
def _asset() -> pd.DataFrame:
    """asset.rda: prv (pinyin), yr, invest (固定资本形成总额, 亿元), InvestIndex (its volume index,
    1952 = 100, to 1995), InvestPrice (investment price index, 1952 = 1), depr (固定资产折旧, 亿元)."""
    return pyreadr.read_r(source(*ASSET))["asset"]


def _gfcf() -> pd.DataFrame:
    """invest, as stored, including two negative cells (Fujian 1967 -0.11, 1968 -1.06)."""
    return tidy(_asset(), "prv", "yr", "invest")


def _fai() -> pd.DataFrame:
    """Sheet 总数据: one row per province-year, the total in column '合计/亿元' (the other
    columns are industries)."""
    table = pd.read_excel(source(*FAI), sheet_name="总数据")
    return tidy(table, "地区", "年份", "合计/亿元")


SERIES = [
    Series(
        name="gfcf",
        description="Gross fixed capital formation (固定资本形成总额), current prices",
        unit="亿元",
        vintage="CHNCapitalStock 2023 update: 1952-2017 as published, 2018-2022 extrapolated",
        primary_source=("NBS, China Statistical Yearbook and provincial yearbooks, GRP by expenditure "
                        f"approach, 'Gross fixed capital formation'; {PACKAGE}"),
        files=(ASSET,),
        read=_gfcf,
        breaks=(f"{EXTRAPOLATED}. Chongqing starts 1996 (in Sichuan before). The package fills gaps "
                "with other series: Tibet 1978-1991 total fixed-asset investment and to 1977 capital "
                "construction investment (基本建设投资), Hainan to 1977 capital construction investment, "
                "Jiangxi to 1977 predicted from capital construction investment, Guangdong 1952-1977 "
                "from Wind, Beijing gaps interpolated. Fujian 1967 (-0.11) and 1968 (-1.06) are "
                "negative in the file and kept as stored."),
        sign="any",
    ),
    Series(
        name="investment_price_index",
        description="Investment price index (固定资产投资价格指数) deflating gross fixed capital formation",
        unit="1952=1",
        vintage="CHNCapitalStock 2023 update",
        primary_source=("NBS, China Statistical Yearbook: implicit deflator of gross fixed capital "
                        "formation (value / volume index) to 1995, fixed-asset investment price index "
                        f"1996-2019, retail price index 2020-2022; {PACKAGE}"),
        files=(ASSET,),
        read=lambda: tidy(_asset(), "prv", "yr", "InvestPrice"),
        breaks=("Source changes: implicit GFCF deflator to 1995, fixed-asset investment price index "
                "1996-2019, retail price index (商品零售价格指数) 2020-2022 for all provinces because the "
                "investment price index was discontinued; Tibet uses the retail price index from 1990 "
                "(1 before), Hainan 1 to 1977 and the retail price index 1978-2000, Tianjin the retail "
                "price index x 0.985 to 1988, Guangdong the retail price index to 1978 and Fujian's "
                "index 1996-2000. Chongqing (from 1996) is chained on Sichuan's 1995 level, so its "
                "base is Sichuan 1952 = 1."),
    ),
    Series(
        name="depreciation",
        description="Depreciation of fixed assets (固定资产折旧), current prices, from GRP by income approach",
        unit="亿元",
        vintage="CHNCapitalStock 2023 update (depreciation as published, to 2017)",
        primary_source=("NBS, China Statistical Yearbook, GRP by income approach, 'Depreciation of "
                        f"fixed assets'; {PACKAGE}"),
        files=(ASSET,),
        read=lambda: tidy(_asset(), "prv", "yr", "depr"),
        breaks=("Ends 2017. Starts 1993 for most provinces; 1978 for Beijing, Shanghai, Fujian and "
                "Guangdong; Jiangsu, Jiangxi and Henan 1978, 1980, 1985 and 1990 on; Qinghai 1990; "
                "Chongqing 1996."),
    ),
    Series(
        name="fai",
        description="Total fixed-asset investment (全社会固定资产投资), all industries",
        unit="亿元",
        vintage="as published to 2017, 2018-2023 extrapolated by the compiler",
        primary_source="NBS, China Statistical Yearbook, 'Total investment in fixed assets by region and sector'",
        files=(FAI,),
        read=_fai,
        breaks=(f"{EXTRAPOLATED} (the workbook's note: 2018年后的数据根据官方公布的增长率计算得出). "
                "Official growth rates include NBS's data-quality corrections: Liaoning 2015 -27.5 % "
                "and 2016 -62.7 %, Shanxi 2017 -57.5 %, Gansu 2017 -39.7 %, Inner Mongolia 2018 "
                "-28.3 %, Xinjiang 2018 -25.2 %."),
    ),
]
