import pytest

from helpers.provinces import MUNICIPALITIES, NAMES, PROVINCES, SAMPLE, canonical, region, without_municipalities


@pytest.mark.parametrize("alias, expected", [
    ("北京市", "Beijing"), ("北京", "Beijing"), ("Beijing", "Beijing"), (" beijing ", "Beijing"),
    ("Inner Mongolia", "Inner Mongolia"), ("内蒙古自治区", "Inner Mongolia"), ("内蒙古", "Inner Mongolia"),
    ("Neimenggu", "Inner Mongolia"), ("Shannxi", "Shaanxi"), ("陕西省", "Shaanxi"), ("Shanxi", "Shanxi"),
    ("山西", "Shanxi"), ("广西壮族自治区", "Guangxi"), ("新疆维吾尔自治区", "Xinjiang"), ("Xizang", "Tibet"),
    ("黑龙江省", "Heilongjiang"), (44, "Guangdong"), ("Guangdong Province", "Guangdong"),
])
def test_aliases_resolve_to_one_id(alias, expected):
    assert canonical(alias) == expected


def test_unknown_name_is_an_error_naming_it():
    with pytest.raises(KeyError, match="Atlantis"):
        canonical("Atlantis")
    with pytest.raises(KeyError, match="香港"):
        canonical("香港")


def test_regions_as_in_the_paper():
    counts = PROVINCES["region"].value_counts().to_dict()
    assert counts == {"East": 10, "Central": 6, "West": 12, "Northeast": 3}
    assert region("西藏") == "West" and region("辽宁省") == "Northeast" and region("Hainan") == "East"
    # Table 7 sample sizes: 11 years x (10, 6, 11 without Tibet, 3) provinces.
    sample = PROVINCES[PROVINCES["province"].isin(SAMPLE)]
    assert (sample["region"].value_counts() * 11).to_dict() == {"East": 110, "West": 121, "Central": 66, "Northeast": 33}


def test_codes_and_names_are_unique():
    assert len(NAMES) == 31 and len(set(NAMES)) == 31
    assert PROVINCES["code"].is_unique and PROVINCES["name_zh"].is_unique
    assert len(SAMPLE) == 30 and "Tibet" not in SAMPLE


def test_the_municipalities_are_the_provinces_whose_full_name_ends_in_shi(analysis_panel):
    """The four province-level municipalities, as their full Chinese names say (市, against 省 and
    自治区); the robustness sample without them keeps the other 26 of the paper's 30."""
    assert set(MUNICIPALITIES) == set(PROVINCES.loc[PROVINCES["name_zh_full"].str.endswith("市"), "province"])
    assert len(MUNICIPALITIES) == 4
    kept = without_municipalities(analysis_panel).index.get_level_values("province")
    assert kept.nunique() == 26 and not set(kept) & set(MUNICIPALITIES)
