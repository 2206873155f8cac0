"""Year-end resident population (年末常住人口) and the urbanisation rate (城镇化率), NBS figures as
compiled in public repositories."""
import openpyxl
import pandas as pd

from .common import Series, source, tidy, wide

POPULATION = ("VasantLong__campus_DA", "分省年度-年末常住人口(万人).xlsx")
URBAN = ("muweiabc__govfund", "2000-2023年各省份城镇化水平.xlsx")

# How the urbanisation workbook marks the compiler's own estimates (its sheet 备注): red font for
# 2001-2004 (formulas interpolating linearly between 2000 and 2005), yellow fill for 2022-2023
# (formulas extrapolating at an average growth rate).
RED_FONT, YELLOW_FILL = "FFFF0000", "FFFFFF00"


def _population() -> pd.DataFrame:
    """The NBS database export saved as xlsx: three header lines, '2022年' columns (2000-2022,
    although its header says 1992-2023), footnotes below the table."""
    table = pd.read_excel(source(*POPULATION), skiprows=3)
    return wide(table.dropna(subset=table.columns[1:], how="all"), "地区")


def _estimated(cell) -> bool:
    red = cell.font.color is not None and cell.font.color.rgb == RED_FONT
    return red or cell.fill.fgColor.rgb == YELLOW_FILL


def _urbanisation() -> pd.DataFrame:
    """Sheet 原始版本 (one row per province, one column per year, 2000-2023; some cells are formulas,
    read as their stored results), without the cells the compiler marks as its own estimates.
    Sheet 面板数据 holds the same values, estimates included, in long form."""
    sheet = openpyxl.load_workbook(source(*URBAN), data_only=True)["原始版本"]
    years = [str(cell.value) for cell in sheet[1]]
    cells = [(row[0].value, years[cell.column - 1], cell.value)
             for row in sheet.iter_rows(min_row=2) if row[0].value
             for cell in row[1:] if years[cell.column - 1].isdigit() and not _estimated(cell)]
    return tidy(pd.DataFrame(cells, columns=["province", "year", "value"]), "province", "year", "value")


SERIES = [
    Series("population", "Year-end resident population (年末常住人口)", "万人",
           "NBS provincial database, data to 2022 (2011-2019 as revised after the 2020 census)",
           "NBS, national data provincial annual database (分省年度数据), 年末常住人口", (POPULATION,),
           _population,
           "2005 (1 % sample survey): growth off trend in Hunan, Guangxi, Guizhou (-5 to -6 points), Henan "
           "and Anhui; 2010 (census): Guangxi -6, Shanxi +4, Anhui -3 points; 2011-2019 revised to the "
           "2020 census, 2000-2010 not"),
    Series("urbanisation", "Urbanisation rate (城镇化率): urban resident population as a share of the "
           "year-end resident population (城镇人口比重)", "%",
           "as published in the yearbooks, compiled 2000-2023 (the compiler's estimates removed)",
           "NBS, China Statistical Yearbook, table 'Population by Urban and Rural Residence and Region'; "
           "provincial statistical yearbooks", (URBAN,), _urbanisation,
           "the compiler's estimates are left out (2001-2004 for Tianjin, Shanxi, Shanghai, Shandong, "
           "Hubei, Guangdong, Hainan, Chongqing and Sichuan; 2022 Shanghai and Shaanxi; 2023 16 "
           "provinces); Guangxi 2000-2004 and Liaoning 2022 are the compiler's urban / total population; "
           "2005 jumps as provinces move to the resident-population basis (Beijing 79.5 -> 83.6, Liaoning "
           "47.3 -> 58.7); Liaoning 2000 54.2 -> 2001 45.7"),
]
