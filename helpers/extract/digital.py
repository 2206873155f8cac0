"""Digital-economy inputs: the Peking University Digital Financial Inclusion Index and its
sub-indices, telecom business volume with its price base, the NBS information-infrastructure,
informatisation and IT-employment indicators, broadband subscribers and internet penetration."""
from functools import cache

import pandas as pd
import pyreadstat

from ..provinces import PROVINCES
from .common import Series, source, tidy, wide

PKU = ("pedrohcgs__claude-code-my-workflow_PR124", "PKU_DFIIC_province.dta")
PANEL_127WW = ("127ww__nqp-spatial-development", "面板原始数据_合并版v2.xlsx")
AIRUIMENG = ("airuimeng1__UG_thesis_code_repository", "independent V.xlsx")
BROADBAND = ("gchen3__Disaster_management_China", "database3.dta")
PENETRATION = ("NFUNM086__interactive_final", "internet.csv")

PKU_SOURCE = ("Peking University Institute of Digital Finance, Digital Financial Inclusion Index of China "
              "(PKU-DFIIC), provincial level; Guo, Wang, Wang, Kong, Zhang & Cheng (2020), "
              "China Economic Quarterly 19(4)")
CSY = "NBS, China Statistical Yearbook and NBS provincial database"


# --- PKU-DFIIC ---------------------------------------------------------------------------------

@cache
def _pku() -> pd.DataFrame:
    """PKU_DFIIC_province.dta: one row per province-year 2011-2023, one column per (sub-)index."""
    frame, _ = pyreadstat.read_dta(source(*PKU))
    return frame


def _dfiic(name: str, column: str, label: str, breaks: str = "") -> Series:
    return Series(
        name=name,
        description=f"PKU Digital Financial Inclusion Index, {label}",
        unit="index",
        vintage="PKU-DFIIC 2011-2023 release",
        primary_source=PKU_SOURCE,
        files=(PKU,),
        read=lambda: tidy(_pku(), "prov_name", "year", column),
        breaks=breaks,
    )


UNPUBLISHED = "sub-index not published after 2018 (absent, not zero)"
DFIIC = [
    _dfiic("dfiic", "index_aggregate", "total index (数字普惠金融总指数)"),
    _dfiic("dfiic_breadth", "coverage_breadth", "coverage breadth (覆盖广度)"),
    _dfiic("dfiic_depth", "usage_depth", "usage depth (使用深度)"),
    _dfiic("dfiic_digitisation", "digitization_level", "digitisation level (数字化程度)"),
    _dfiic("dfiic_payment", "payment", "payment sub-index (支付业务指数)"),
    _dfiic("dfiic_insurance", "insurance", "insurance sub-index (保险业务指数)"),
    _dfiic("dfiic_monetary_fund", "monetary_fund", "monetary fund sub-index (货币基金指数)",
           f"starts 2013; {UNPUBLISHED}"),
    _dfiic("dfiic_investment", "investment", "investment sub-index (投资业务指数)", "starts 2014"),
    _dfiic("dfiic_credit", "credit", "credit sub-index (信贷业务指数)"),
    _dfiic("dfiic_credit_investigation", "credit_investigation",
           "credit investigation sub-index (信用业务指数)", f"starts 2015; {UNPUBLISHED}"),
]


# --- 127ww panel: telecom business volume, software product revenue ---------------------------

@cache
def _panel_127ww() -> pd.DataFrame:
    """面板原始数据_合并版v2.xlsx: long panel, 31 provinces x 2011-2023, columns '省份', '年份'."""
    return pd.read_excel(source(*PANEL_127WW))


TELECOM = "电信业务总量（亿元）"


def price_base(year: int) -> int:
    """The price-base year of NBS telecom business volume: 2010 prices to 2015, 2015 prices
    2016-2020, previous-year prices from 2021 (MIIT/NBS: '按上年价格计算')."""
    if year <= 2015:
        return 2010
    if year <= 2020:
        return 2015
    return year - 1


def _telecom_volume() -> pd.DataFrame:
    return tidy(_panel_127ww(), "省份", "年份", TELECOM)


def _telecom_price_base() -> pd.DataFrame:
    frame = _telecom_volume()
    return frame.assign(value=frame["year"].map(price_base).astype(float))


TELECOM_BREAKS = ("price base changes: 2010 prices 2011-2015, 2015 prices 2016-2020, previous-year prices "
                  "from 2021 (2021 at 2020, 2022 at 2021, 2023 at 2022 prices); levels jump at each change "
                  "(Beijing 923 in 2015, 593 in 2016; 3,248 in 2020, 513 in 2021)")

TELECOM_SERIES = [
    Series(
        name="telecom_volume",
        description="Telecom business volume (电信业务总量) at the constant prices of each cell's price-base "
                    "year (see telecom_price_base); not rebased",
        unit="亿元",
        vintage="yearbook as published, price base varying by year",
        primary_source=f"{CSY}, table 'Post and telecommunication services by region' (电信业务总量)",
        files=(PANEL_127WW,),
        read=_telecom_volume,
        breaks=TELECOM_BREAKS,
    ),
    Series(
        name="telecom_price_base",
        description="Price-base year of each telecom business volume (电信业务总量) cell",
        unit="price-base year",
        vintage="NBS/MIIT price-base conventions (2010, 2015, then previous-year prices)",
        primary_source=f"{CSY}, notes to the telecom business volume table; MIIT communication statistics "
                       "bulletins",
        files=(PANEL_127WW,),
        read=_telecom_price_base,
        breaks=TELECOM_BREAKS,
    ),
    Series(
        name="software_revenue_127ww",
        description="Software product revenue (软件产品收入), a component of software business revenue",
        unit="亿元",
        vintage="as compiled in 127ww panel v2 (2012-2023)",
        primary_source="MIIT software-industry statistics as published by NBS (软件产品收入)",
        files=(PANEL_127WW,),
        read=lambda: tidy(_panel_127ww(), "省份", "年份", "软件产品收入（亿元）"),
        breaks="no values for Tibet, Qinghai 2021 and 2023; 1-67 % (median 28 %) of software business "
               "revenue (software_revenue); erratic in small provinces (Inner Mongolia 16.3 in 2016, "
               "5.0 in 2017; Jilin 2019 51.9 between 202 and 105)",
    ),
]


# --- airuimeng1 independent V.xlsx, sheet 'original data' --------------------------------------

@cache
def _airuimeng() -> pd.DataFrame:
    """Sheet 'original data': three header rows (category, sub-category, English label); one row per
    province-year 2013-2023. Columns named by the English label."""
    frame = pd.read_excel(source(*AIRUIMENG), sheet_name="original data", header=[0, 1, 2])
    frame.columns = [labels[-1] for labels in frame.columns]
    return frame


def _nbs(name: str, label: str, description: str, unit: str, table: str, breaks: str = "") -> Series:
    """One indicator of the airuimeng1 sheet, `label` being the compiler's English column label."""
    return Series(
        name=name,
        description=description,
        unit=unit,
        vintage="as compiled in airuimeng1 independent V.xlsx, sheet 'original data' (2013-2023)",
        primary_source=f"{CSY}, {table}",
        files=(AIRUIMENG,),
        read=lambda: tidy(_airuimeng(), "province", "year", label),
        breaks=breaks,
    )


POST = "table 'Post and telecommunication services by region'"
INTERNET = "table 'Internet development by region' (CNNIC data)"
FIRMS = "table 'Informatisation and e-commerce of enterprises by region' (enterprises above designated size)"
JOBS = "table 'Number of employed persons in urban units by region and sector'"

AIRUIMENG_SERIES = [
    _nbs("optical_cable_length", "Long-Distance Optical Cable Length (km)",
         "Length of long-distance optical cable lines (长途光缆线路长度)", "公里", POST,
         "Sichuan 2019-2021 about double the adjacent years (122-125 thousand km vs 64-67); "
         "Hainan 2018 915 vs about 3,300 around it"),
    _nbs("broadband_ports", "Internet Broadband Access Ports (10,000 units)",
         "Internet broadband access ports (互联网宽带接入端口)", "万个", POST,
         "province sum +42 % in 2015"),
    _nbs("mobile_base_stations", "Mobile Phone Base Stations (10,000 units)",
         "Mobile phone base stations (移动电话基站)", "万个", POST),
    _nbs("mobile_subscribers", "Mobile Phone Subscribers (Year-End, 10,000 households)",
         "Mobile phone subscribers at year end (移动电话年末用户)", "万户", POST),
    _nbs("mobile_internet_users", "Mobile Internet Users (10,000 households)",
         "Mobile internet users (移动互联网用户)", "万户", POST,
         "2013 only Shanghai, Zhejiang, Shandong, Guangxi, Sichuan"),
    _nbs("digital_tv_subscribers", "Digital TV Subscribers (10,000 households)",
         "Digital television subscribers (数字电视用户)", "万户",
         "table 'Radio and television by region' (NRTA data)", "2013-2022 only"),
    _nbs("domain_names", "Number of Internet Domain Names (10,000 units)",
         "Internet domain names (域名数)", "万个", INTERNET,
         "volatile: registrations move between provinces (Shandong 432 in 2013, 199 in 2015; "
         "Fujian 882 in 2017, 325 in 2020)"),
    _nbs("websites", "Number of Internet Websites (10,000 units)",
         "Internet websites (网站数)", "万个", INTERNET, "Shanghai 2016 10.0 vs 37-41 around it"),
    _nbs("software_revenue", "Software Business Revenue (100 million yuan)",
         "Software business revenue (软件业务收入)", "亿元",
         "software-industry revenue by region (MIIT data)",
         "outliers: Inner Mongolia 2021 277.8 (6-30 in other years); Heilongjiang 190 in 2017, "
         "48 in 2018; Liaoning 3,034 in 2015, 1,890 in 2016"),
    _nbs("websites_per_100_firms", "Number of Websites per 100 Enterprises (units)",
         "Websites per 100 enterprises (每百家企业拥有网站数)", "个", FIRMS,
         "Guangxi 41.0 in 2014, 16.0 in 2015"),
    _nbs("ecommerce_firm_share", "Percentage of Enterprises with E-commerce Activities (%)",
         "Share of enterprises with e-commerce transactions (有电子商务交易活动的企业比重)", "%", FIRMS),
    _nbs("ecommerce_sales", "E-commerce Sales Revenue (100 million yuan)",
         "E-commerce sales of enterprises (电子商务销售额)", "亿元", FIRMS,
         "Chongqing 2022 14,206 between 6,723 and 9,407"),
    _nbs("computers_per_100", "Number of Computers per 100 People (units)",
         "Computers in use per 100 persons employed in enterprises (每百人使用计算机数)", "台", FIRMS),
    _nbs("it_employment",
         "Employment in Telecommunications, Software, and IT Services (10,000 persons, Non-private Sector)",
         "Urban-unit employment in information transmission, software and IT services "
         "(信息传输、软件和信息技术服务业城镇单位就业人员)", "万人", JOBS,
         "urban (non-private) units only; Heilongjiang 8.55 in 2020, 5.84 in 2021"),
    _nbs("urban_unit_employment_total", "Total Employment in Non-private Sectors (10,000 persons)",
         "Urban-unit employment, all sectors (城镇单位就业人员), the copy in airuimeng1 independent V.xlsx "
         "(cross-check of the NBS export)", "万人", JOBS,
         "urban (non-private) units only"),
]


# --- Broadband subscribers and internet penetration --------------------------------------------

def _broadband() -> pd.DataFrame:
    """database3.dta `internet` (互联网宽带接入用户, 亿户, float32), keyed by procode 1-31 in NBS
    order: times 10,000 and rounded to 0.1 gives the published 万户."""
    frame, _ = pyreadstat.read_dta(source(*BROADBAND), usecols=["procode", "year", "internet"])
    names = dict(enumerate(PROVINCES.sort_values("code")["province"], start=1))
    frame["province"] = frame["procode"].map(names)
    frame["value"] = (frame["internet"] * 10_000).round(1)
    return tidy(frame, "province", "year", "value")


def _penetration() -> pd.DataFrame:
    """internet.csv: one row per province, columns 'year_2016' ... 'year_2010'."""
    frame = pd.read_csv(source(*PENETRATION))
    return wide(frame.rename(columns=lambda c: c.removeprefix("year_")), "province")


OTHER_SERIES = [
    Series(
        name="broadband_subscribers",
        description="Internet broadband access subscribers (互联网宽带接入用户)",
        unit="万户",
        vintage="yearbook as published (2011-2020); converted from the compiler's 亿户",
        primary_source=f"{CSY}, {POST}",
        files=(BROADBAND,),
        read=_broadband,
        breaks="NBS series breaks in 2015 (national +29 %, Jiangxi +64 %, Beijing +2 %); no 2021 provinces",
    ),
    Series(
        name="internet_penetration",
        description="Internet penetration rate (互联网普及率)",
        unit="%",
        vintage="as compiled in NFUNM086 internet.csv (2010-2016)",
        primary_source="CNNIC Statistical Report on Internet Development in China, as published by NBS",
        files=(PENETRATION,),
        read=_penetration,
    ),
]

SERIES = [*DFIIC, *TELECOM_SERIES, *AIRUIMENG_SERIES, *OTHER_SERIES]
