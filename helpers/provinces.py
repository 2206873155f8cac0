"""The 31 mainland provinces: GB/T 2260 code, Chinese and English name, and their region (the four
regions of the NBS division the paper uses, East 10, Central 6, West 12 with Tibet, Northeast 3,
declared in helpers.config.REGIONS)."""
import re

import pandas as pd

from . import config

# code, Chinese short name, full Chinese name, English name
_TABLE = [
    (11, "北京", "北京市", "Beijing"),
    (12, "天津", "天津市", "Tianjin"),
    (13, "河北", "河北省", "Hebei"),
    (14, "山西", "山西省", "Shanxi"),
    (15, "内蒙古", "内蒙古自治区", "Inner Mongolia"),
    (21, "辽宁", "辽宁省", "Liaoning"),
    (22, "吉林", "吉林省", "Jilin"),
    (23, "黑龙江", "黑龙江省", "Heilongjiang"),
    (31, "上海", "上海市", "Shanghai"),
    (32, "江苏", "江苏省", "Jiangsu"),
    (33, "浙江", "浙江省", "Zhejiang"),
    (34, "安徽", "安徽省", "Anhui"),
    (35, "福建", "福建省", "Fujian"),
    (36, "江西", "江西省", "Jiangxi"),
    (37, "山东", "山东省", "Shandong"),
    (41, "河南", "河南省", "Henan"),
    (42, "湖北", "湖北省", "Hubei"),
    (43, "湖南", "湖南省", "Hunan"),
    (44, "广东", "广东省", "Guangdong"),
    (45, "广西", "广西壮族自治区", "Guangxi"),
    (46, "海南", "海南省", "Hainan"),
    (50, "重庆", "重庆市", "Chongqing"),
    (51, "四川", "四川省", "Sichuan"),
    (52, "贵州", "贵州省", "Guizhou"),
    (53, "云南", "云南省", "Yunnan"),
    (54, "西藏", "西藏自治区", "Tibet"),
    (61, "陕西", "陕西省", "Shaanxi"),
    (62, "甘肃", "甘肃省", "Gansu"),
    (63, "青海", "青海省", "Qinghai"),
    (64, "宁夏", "宁夏回族自治区", "Ningxia"),
    (65, "新疆", "新疆维吾尔自治区", "Xinjiang"),
]

NAMES = [row[3] for row in _TABLE]


def regions() -> pd.Series:
    """The region of each province as helpers.config.REGIONS declares it (read when called), indexed
    by province; a province missing or listed twice is an error."""
    pairs = [(province, region) for region, members in config.REGIONS.items() for province in members]
    listed = [province for province, _ in pairs]
    if sorted(listed) != sorted(NAMES):
        odd = sorted({p for p in listed if listed.count(p) > 1} | (set(NAMES) ^ set(listed)))
        raise ValueError(f"config.REGIONS must list each of the {len(NAMES)} provinces once; check {odd}")
    return pd.Series(dict(pairs), name="region").rename_axis("province").reindex(NAMES)


PROVINCES = pd.DataFrame(_TABLE, columns=["code", "name_zh", "name_zh_full", "province"]).join(
    regions(), on="province")
REGIONS = list(config.REGIONS)
# The paper's sample: every province but Tibet (no Hong Kong, Macao or Taiwan in the data at all).
SAMPLE = [p for p in NAMES if p != "Tibet"]
# The four province-level municipalities (直辖市).
MUNICIPALITIES = ["Beijing", "Tianjin", "Shanghai", "Chongqing"]


def without_municipalities(frame):
    """The rows of a frame indexed (province, year) outside the four municipalities (a robustness
    sample of notebook 06 and the multiverse)."""
    return frame[~frame.index.get_level_values("province").isin(MUNICIPALITIES)]
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
