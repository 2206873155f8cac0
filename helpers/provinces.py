"""The 31 mainland provinces: GB/T 2260 code, Chinese and English name, and the four regions
(East 10, Central 6, West 12 with Tibet, Northeast 3) of the NBS division the paper uses."""
import re

import pandas as pd

# code, Chinese short name, full Chinese name, English name, region
_TABLE = [
    (11, "北京", "北京市", "Beijing", "East"),
    (12, "天津", "天津市", "Tianjin", "East"),
    (13, "河北", "河北省", "Hebei", "East"),
    (14, "山西", "山西省", "Shanxi", "Central"),
    (15, "内蒙古", "内蒙古自治区", "Inner Mongolia", "West"),
    (21, "辽宁", "辽宁省", "Liaoning", "Northeast"),
    (22, "吉林", "吉林省", "Jilin", "Northeast"),
    (23, "黑龙江", "黑龙江省", "Heilongjiang", "Northeast"),
    (31, "上海", "上海市", "Shanghai", "East"),
    (32, "江苏", "江苏省", "Jiangsu", "East"),
    (33, "浙江", "浙江省", "Zhejiang", "East"),
    (34, "安徽", "安徽省", "Anhui", "Central"),
    (35, "福建", "福建省", "Fujian", "East"),
    (36, "江西", "江西省", "Jiangxi", "Central"),
    (37, "山东", "山东省", "Shandong", "East"),
    (41, "河南", "河南省", "Henan", "Central"),
    (42, "湖北", "湖北省", "Hubei", "Central"),
    (43, "湖南", "湖南省", "Hunan", "Central"),
    (44, "广东", "广东省", "Guangdong", "East"),
    (45, "广西", "广西壮族自治区", "Guangxi", "West"),
    (46, "海南", "海南省", "Hainan", "East"),
    (50, "重庆", "重庆市", "Chongqing", "West"),
    (51, "四川", "四川省", "Sichuan", "West"),
    (52, "贵州", "贵州省", "Guizhou", "West"),
    (53, "云南", "云南省", "Yunnan", "West"),
    (54, "西藏", "西藏自治区", "Tibet", "West"),
    (61, "陕西", "陕西省", "Shaanxi", "West"),
    (62, "甘肃", "甘肃省", "Gansu", "West"),
    (63, "青海", "青海省", "Qinghai", "West"),
    (64, "宁夏", "宁夏回族自治区", "Ningxia", "West"),
    (65, "新疆", "新疆维吾尔自治区", "Xinjiang", "West"),
]

PROVINCES = pd.DataFrame(_TABLE, columns=["code", "name_zh", "name_zh_full", "province", "region"])
REGIONS = ["East", "Central", "West", "Northeast"]
NAMES = list(PROVINCES["province"])
# The paper's sample: every province but Tibet (no Hong Kong, Macao or Taiwan in the data at all).
SAMPLE = [p for p in NAMES if p != "Tibet"]
# The four province-level municipalities (直辖市).
MUNICIPALITIES = ["Beijing", "Tianjin", "Shanghai", "Chongqing"]
# The row name of a national series (e.g. the exchange rate) in a tidy extract.
NATIONAL = "China"

# Romanisations, English forms and informal Chinese forms met in the sources.
_EXTRA = {
    "Inner Mongolia": ["Neimenggu", "Nei Mongol", "Inner Mongolia Autonomous Region"],
    "Tibet": ["Xizang", "西藏省"],
    "Shaanxi": ["Shannxi"],  # the sources' spelling that keeps Shaanxi apart from Shanxi
    "Guangxi": ["Guangxi Zhuang Autonomous Region", "广西省"],
    "Ningxia": ["Ningxia Hui Autonomous Region"],
    "Xinjiang": ["Xinjiang Uygur Autonomous Region", "Xinjiang Uyghur Autonomous Region", "新疆省"],
}


def _key(name):
    """Lower case, no spaces, hyphens or 'province'/'municipality' suffixes."""
    key = re.sub(r"[\s\-_'’]", "", str(name)).lower()
    return re.sub(r"(province|municipality|city|shi|sheng)$", "", key) or key


def _aliases():
    table = {}
    for row in PROVINCES.itertuples():
        names = [row.province, row.name_zh, row.name_zh_full, str(row.code)]
        for name in names + _EXTRA.get(row.province, []):
            table[_key(name)] = row.province
    return table


_ALIASES = _aliases()


def canonical(name):
    """The English name of a province given any of its forms ('北京市', '北京', 'Beijing',
    'Inner Mongolia', '内蒙古自治区', 'Shannxi', 11). Raises KeyError naming an unknown name."""
    try:
        return _ALIASES[_key(name)]
    except KeyError:
        raise KeyError(f"unknown province name {name!r}") from None


def region(name):
    """The paper's region (East, Central, West, Northeast) of a province."""
    return PROVINCES.set_index("province").at[canonical(name), "region"]
