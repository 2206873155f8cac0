"""The analysis panel: each construction checked on a hand example, the whole panel on real data."""
import dataclasses
import os
import stat

import numpy as np
import pandas as pd
import pytest

from helpers import config, measures, panel, paths, variables
from helpers.files import InputError
from helpers.provinces import NAMES, SAMPLE
from helpers.sources import ExtractError

from .damage import drop, lines, rewrite, set_value

pytestmark = pytest.mark.usefixtures("repo_unchanged")


def s(values, name="x"):
    """A Series indexed (province, year) from {(province, year): value}."""
    index = pd.MultiIndex.from_tuples(values, names=["province", "year"])
    return pd.Series(list(values.values()), index=index, name=name)


def test_real_gdp_chains_the_index_from_the_base_year():
    gdp = s({("A", 2010): 100.0, ("A", 2011): 999.0, ("B", 2010): 50.0, ("B", 2011): 999.0})
    index = s({("A", 2011): 110.0, ("A", 2012): 105.0, ("B", 2011): 90.0, ("B", 2012): 100.0})
    y = panel.real_gdp(gdp, index, 2010)
    assert y[("A", 2010)] == 100 and y[("A", 2011)] == pytest.approx(110) and y[("A", 2012)] == pytest.approx(115.5)
    assert y[("B", 2012)] == pytest.approx(45)


def test_window_names_series_province_and_year():
    values = s({("Beijing", 2011): 1.0}, name="population")
    with pytest.raises(ValueError, match="population: no value for Beijing in 2012"):
        panel.window(values, provinces=["Beijing"], years=[2011, 2012])


def test_broadband_2021_follows_port_growth_and_sums_to_the_national_total():
    subscribers = s({(p, 2020): 100.0 + i for i, p in enumerate(NAMES)})
    ports = s({**{(p, 2020): 10.0 for p in NAMES}, **{(p, 2021): 10.0 + (i % 3) for i, p in enumerate(NAMES)}})
    filled = panel.broadband_2021(subscribers, ports)
    assert filled.sum() == pytest.approx(config.BROADBAND_2021_NATIONAL)
    raw = [(100.0 + i) * (10.0 + (i % 3)) / 10 for i in range(len(NAMES))]
    assert filled[(NAMES[4], 2021)] == pytest.approx(raw[4] * config.BROADBAND_2021_NATIONAL / sum(raw))


def test_relative_telecom_by_hand():
    """Every province volume 1 and population 1, but Beijing 2011 volume 32: the 31-province value
    is (30 + 32) / 31 = 2 per person, so Beijing is 16 and every other province 0.5 in 2011."""
    years = panel.ALL_YEARS
    volume = s({(p, y): 32.0 if (p, y) == ("Beijing", 2011) else 1.0 for p in NAMES for y in years})
    population = s({(p, y): 1.0 for p in NAMES for y in years})
    rel = panel.telecom_per_capita(volume, population)
    assert rel[("Beijing", 2011)] == pytest.approx(16) and rel[("Hebei", 2011)] == pytest.approx(0.5)
    assert rel[("Beijing", 2012)] == pytest.approx(1) and ("Tibet", 2011) not in rel.index


def test_trade_before_2013_converted_at_the_official_rate():
    usd = s({("A", 2012): 20000.0, ("A", 2013): 1.0})  # 万美元
    cny = s({("A", 2013): 12.0})  # 亿元
    rate = s({("China", 2012): 6.3125, ("China", 2013): 6.1932})
    trade = panel.trade_cny(cny, usd, rate)
    assert trade[("A", 2012)] == pytest.approx(2 * 6.3125) and trade[("A", 2013)] == 12.0


def test_reconstruct_keeps_the_candidate_that_matches():
    exact = s({("A", 2011): 1.0, ("A", 2012): 3.0})
    printed = pd.Series({"mean": 2.0, "sd": np.sqrt(2), "min": 1.0, "max": 3.0}).round(3)
    table = panel.reconstruct({"off": exact + 0.5, "exact": exact}, printed)
    assert table.index[0] == "exact" and table.loc["exact", "distance"] == 0
    assert table.loc["off", "distance"] == 0.5



@pytest.mark.parametrize("kept, said", [
    ([0.30000000000000004, 0.1, 0.0, 1.0], "reproduces the printed Table 2 row"),  # equal at three decimals
    ([0.3, 0.1, 0.0, 1.2], "mean, sd and min as printed, max differs"),
    ([0.3, 0.1, 0.001, 1.2], "mean and sd as printed, min and max differ"),
    ([0.4, 0.2, 0.1, 1.2], "closest candidate to the printed Table 2 row, every moment differs")])
def test_agreement_names_the_moments_as_printed(kept, said):
    printed = pd.Series({"mean": 0.3, "sd": 0.1, "min": 0.0, "max": 1.0})
    table = pd.DataFrame([kept, [0.3, 0.1, 0.0, 1.0]], columns=panel.MOMENTS)  # the first row is the one kept
    assert panel.agreement(table, printed) == said


def test_codebook_says_how_each_control_compares_with_table_2(built):
    """Exact where KEPT says so; ind as notebook 02 shows it (its maximum alone differs); the breaks of
    GDP as first published where the ratio divides by it (gov and cs, not open, whose GDP is vintage b)."""
    said = panel.codebook(built).set_index("column")["choice"]
    for var, (label, exact) in panel.KEPT.items():
        assert said[var].startswith(f"{label}: ") and ("reproduces the printed Table 2 row" in said[var]) == exact
        assert (panel.GDP_A_BREAKS in said[var]) == (var in ("gov", "cs"))
    assert panel.GDP_A_BREAKS in said["virtual_software"]  # software revenue / GDP (a) by province
    assert "revision of retail sales from 2015" in said["cs"]  # MANIFEST.csv, retail_sales_macs
    assert "mean, sd and min as printed, max differs" in said["ind"]

def test_panel_shape_and_sample(built):
    data = built.panel
    assert len(data) == 330 and sorted(data["province"].unique()) == sorted(SAMPLE)
    assert not data[panel.PAPER_VARIABLES].isna().any().any()
    assert data.groupby("region")["province"].nunique().to_dict() == {"Central": 6, "East": 10, "Northeast": 3, "West": 11}


def test_fill_flags_mark_exactly_the_filled_years(built):
    data = built.panel
    assert set(data.loc[data["internet_filled"], "year"]) == {2021}
    assert set(data.loc[data["it_share_filled"], "year"]) == {2011, 2012}
    assert set(data.loc[data["mobile_filled"], "year"]) == {2011, 2012}
    clean = data[~data["filled"]]
    assert sorted(clean["year"].unique()) == list(range(2013, 2021)) and len(clean) == 30 * 8


def test_virtual_is_the_it_employment_location_quotient_from_2013(built):
    """From 2013 the LQ equals the one computed directly from the extracts, as the codebook states it:
    (e_i / E_i) / (sum_i e_i / sum_i E_i) over the 30 provinces, the IT share e_i / E_i taken within
    one compilation (IT over all urban-unit employment), E = urban-unit employment."""
    data = built.panel.set_index(["province", "year"])
    grid = data.index[data.index.get_level_values("year") >= 2013]
    share = (panel.series("it_employment") / panel.series("urban_unit_employment_total")).reindex(grid)
    employment = panel.series("employment_urban_units").reindex(grid)
    by_year = lambda values: values.groupby(level="year").transform("sum")  # noqa: E731
    direct = share / (by_year(share * employment) / by_year(employment))
    np.testing.assert_allclose(data.loc[grid, "virtual"], direct, rtol=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("frontier, rts, orientation", [("adjacent", "crs", "output"), ("global", "vrs", "input")])
def test_malmquist_level_anchored_on_the_first_years_efficiency_or_cumulative(frontier, rts, orientation, seed):
    """M is measures.malmquist's with the frontier, returns to scale and orientation given (that index
    is tested against vertex enumeration); cumulative: 1 in 2011, then the running product of M;
    anchored: that times each province's 2011 DEA score against the 2011 frontier (computed here by
    dea_efficiency on 2011 alone)."""
    rng = np.random.default_rng(300 + seed)
    index = pd.MultiIndex.from_product([list("ABCDE"), range(2011, 2015)], names=["province", "year"])
    inputs = pd.DataFrame(rng.uniform(1, 10, (len(index), 3)), index=index, columns=["real_gdp", "capital", "labour"])
    cumulative = panel.tfp_malmquist(inputs, frontier, rts, orientation, level="cumulative")
    index_m = measures.malmquist(inputs, "real_gdp", ["capital", "labour"], frontier, rts, orientation)["M"]
    np.testing.assert_allclose(cumulative["M"].dropna(), index_m.reindex(cumulative["M"].dropna().index), rtol=1e-12)
    assert cumulative["M"].notna().sum() == 5 * 3
    assert np.allclose(cumulative["tfp"], cumulative["M"].fillna(1).groupby(level="province").cumprod())
    first = inputs.xs(2011, level="year", drop_level=False)
    score = measures.dea_efficiency(first[["capital", "labour"]], first["real_gdp"], first[["capital", "labour"]],
                                    first["real_gdp"], rts=rts, orientation=orientation).droplevel("year")
    anchored = panel.tfp_malmquist(inputs, frontier, rts, orientation)
    assert np.allclose(anchored["tfp"], cumulative["tfp"] * score.reindex(index.get_level_values("province")).to_numpy())
    with pytest.raises(ValueError, match="level must be one of"):
        panel.tfp_malmquist(inputs, level="relative")


def test_late_ratio_per_100_people_backcast_from_constant_growth():
    """50 x 1.1^(t - 2011) per 100 people observed from 2013: backcast log-linearly, 2011 is 50 and
    2012 is 55, and both are flagged; Tibet is on the grid when it is one of the provinces."""
    late = range(2013, 2022)
    count = s({(p, y): 0.5 * 1.1 ** (y - 2011) * 100 for p in ["Tibet"] for y in late}, "count")
    population = s({("Tibet", y): 100.0 for y in late}, "population")
    value, flag = variables.late_ratio(count, population, "per_100", ["Tibet"], per=100)
    assert value[("Tibet", 2011)] == pytest.approx(50) and value[("Tibet", 2012)] == pytest.approx(55)
    assert value[("Tibet", 2021)] == pytest.approx(50 * 1.1 ** 10)
    assert list(flag[flag].index) == [("Tibet", 2011), ("Tibet", 2012)] and flag.name == "per_100_filled"


def test_location_quotient_of_a_share_over_the_provinces_given():
    """Shares 0.1 and 0.3 of totals 10 and 30: sector 1 and 9 of 40, a reference share of 0.25, so
    LQ = 0.4 and 1.2 in every year, Tibet (outside the sample) included when it is a reference province."""
    years = panel.ALL_YEARS
    share = s({(p, y): v for p, v in [("Tibet", 0.1), ("Beijing", 0.3)] for y in years}, "share")
    total = s({(p, y): v for p, v in [("Tibet", 10.0), ("Beijing", 30.0)] for y in years}, "total")
    lq = panel.virtual_lq(share, total, ["Tibet", "Beijing"])
    assert np.allclose(lq.xs("Tibet", level="province"), 0.4) and np.allclose(lq.xs("Beijing", level="province"), 1.2)


def test_controls_that_the_paper_prints_are_reproduced(built):
    """gov, open and ur reproduce the printed Table 2 moments to three decimals."""
    printed = panel.printed_moments()
    data = built.panel
    for var in ["gov", "open", "ur"]:
        ours = panel.moments(data[var]).round(3)
        assert (ours == printed.loc[var]).all(), var


def test_entropy_index_follows_the_formula(built):
    """w_j = (1 - e_j) / sum(1 - e), e_j = -1/ln(n) sum p ln p on the shifted min-max values."""
    data = built.panel.set_index(["province", "year"])
    x = data[panel.INDICATORS]
    normalised = (x - x.min()) / (x.max() - x.min()) + 0.0001
    p = normalised / normalised.sum()
    entropy = -(p * np.log(p)).sum() / np.log(len(x))
    weights = (1 - entropy) / (1 - entropy).sum()
    assert np.allclose(weights, built.weights)
    assert np.allclose((normalised * weights).sum(axis=1), data["digital"])


def test_codebook_describes_every_column(built):
    book = panel.codebook(built)
    assert list(book["column"]) == list(built.panel.columns)
    assert book["definition"].ne("").all()


def test_codebook_refuses_a_panel_whose_columns_it_does_not_describe(built):
    with pytest.raises(ValueError, match=r"codebook and panel columns differ: \['dfiic'\]"):
        panel.codebook(dataclasses.replace(built, panel=built.panel.drop(columns="dfiic")))


def test_missing_province_in_one_extract_stops_the_build(tmp_path, raw):
    rewrite(raw, "population", lambda t: "".join(r for r in lines(t) if not r.startswith("Hebei,")))
    out = tmp_path / "processed"
    with pytest.raises(ValueError, match="no value for Hebei in 2011"):
        panel.write(panel.build(raw), out)
    assert not out.exists()


def test_select_swaps_measures_and_refuses_unknown_ones(built):
    data = built.panel
    chosen = panel.select(data, tfp="tfp_solow", digital="digital_pca")
    assert (chosen["tfp"] == data["tfp_solow"]).all() and (chosen["digital"] == data["digital_pca"]).all()
    with pytest.raises(ValueError, match=r"tfp='gdp' is not a measure of tfp; choose one of \['tfp', 'tfp_solow', 'tfp_urban', "):
        panel.select(data, tfp="gdp")


def test_winsorise_clips_at_pooled_quantiles():
    frame = pd.DataFrame({"x": np.arange(101.0), "y": np.arange(101.0)})
    out = panel.winsorise(frame, ["x"], 0.05)
    assert out["x"].min() == 5 and out["x"].max() == 95 and out["y"].max() == 100


# --- damaged inputs stop the build, naming the input series, province and year ----------------------

@pytest.mark.parametrize("name", ["budget_expenditure", "gdp_a", "retail_sales_airuimeng", "va_secondary_b"])
def test_missing_year_in_a_ratio_input(tmp_path, raw, name):
    rewrite(raw, name, drop("Beijing", 2015))
    out = tmp_path / "processed"
    with pytest.raises(ValueError, match=f"^{name}: no value for Beijing in 2015"):
        panel.write(panel.build(raw), out)
    assert not out.exists()


def test_zero_gdp_is_named_as_gdp(raw):
    rewrite(raw, "gdp_a", set_value(("Beijing", 2015), lambda old: "0"))
    with pytest.raises(ExtractError, match=r"gdp_a.csv, line \d+: value 0 for \(Beijing, 2015\) outside the range"):
        panel.build(raw)


def test_unit_changed_in_the_manifest(raw):
    table = pd.read_csv(raw / "MANIFEST.csv", dtype=str, keep_default_na=False)
    table.loc[table["name"] == "budget_expenditure", "unit"] = "万元"
    table.to_csv(raw / "MANIFEST.csv", index=False, lineterminator="\n")
    with pytest.raises(ExtractError, match="budget_expenditure.csv: unit is '万元' in the manifest, the caller expects '亿元'"):
        panel.build(raw)


def test_ratio_names_the_input_that_is_zero_or_missing():
    gdp = s({("A", 2011): 0.0, ("A", 2012): 2.0}, name="gdp_a")
    sector = s({("A", 2011): 1.0, ("A", 2012): 1.0}, name="software_revenue")
    with pytest.raises(ValueError, match="^gdp_a: zero for A in 2011, so software_revenue / gdp_a is undefined"):
        panel.ratio(sector, gdp, provinces=["A"], years=[2011, 2012])
    assert panel.ratio(sector, gdp, provinces=["A"], years=[2012]).tolist() == [0.5]
    with pytest.raises(ValueError, match="^gdp_a: no value for A in 2013"):
        panel.ratio(pd.concat([sector, s({("A", 2013): 1.0})]).rename(sector.name), gdp, provinces=["A"], years=[2012, 2013])


def test_window_refuses_a_non_finite_value():
    with pytest.raises(ValueError, match="population: the value inf for Beijing in 2011"):
        panel.window(s({("Beijing", 2011): np.inf}, name="population"), provinces=["Beijing"], years=[2011])


def test_reconstruction_that_changes_its_choice_is_an_error():
    exact = s({("A", 2011): 1.0, ("A", 2012): 3.0})
    printed = pd.Series({"mean": 2.0, "sd": np.sqrt(2), "min": 1.0, "max": 3.0}).round(3)
    kept = panel.KEPT["gov"][0]
    assert panel.kept("gov", panel.reconstruct({kept: exact, "other": exact + 1}, printed)) == kept
    with pytest.raises(ValueError, match=r"Table 2 reconstruction of gov: the closest construction is 'other' "
                                         r"\(distance 0\), but the compendium keeps .* as an exact reproduction \(distance now 0.5\)"):
        panel.kept("gov", panel.reconstruct({kept: exact + 0.5, "other": exact}, printed))
    with pytest.raises(ValueError, match="distance now 0.5"):
        panel.kept("gov", panel.reconstruct({kept: exact + 0.5}, printed))


# --- the written panel: complete when written, checked when loaded ------------------------------------

@pytest.fixture
def written(tmp_path, built):
    old = os.umask(0o022)
    try:
        panel.write(built, tmp_path)
    finally:
        os.umask(old)
    return tmp_path


def test_written_panel_loads_and_has_the_usual_permissions(written, built):
    assert [stat.S_IMODE((written / f).stat().st_mode) for f in ["panel.csv", "CODEBOOK.csv"]] == [0o644, 0o644]
    loaded, data = panel.load(written), built.panel.set_index(["province", "year"])
    assert loaded.index.equals(data.index) and np.allclose(loaded[panel.MODEL_COLUMNS], data[panel.MODEL_COLUMNS], rtol=1e-9)


def test_panel_with_a_missing_cell_is_not_written(tmp_path, built):
    damaged = dataclasses.replace(built, panel=built.panel.assign(gov=built.panel["gov"].where(built.panel["year"] != 2015)))
    with pytest.raises(InputError, match="the panel to write: gov is nan for Anhui in 2015, not a finite number"):
        panel.write(damaged, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_year_written_with_a_decimal_point_reads_as_an_integer(written):
    path = written / "panel.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",Central,2015,", ",Central,2015.0,", 1), encoding="utf-8")
    assert panel.load(written).index.get_level_values("year").dtype == "int64"


def _cell(text: str, line: int, column: str, value: str) -> str:
    """`text` (a CSV) with the cell of `column` on line `line` + 1 replaced by `value`."""
    rows = lines(text)
    j = rows[0].rstrip("\n").split(",").index(column)
    fields = rows[line].rstrip("\n").split(",")
    rows[line] = ",".join([*fields[:j], value, *fields[j + 1:]]) + "\n"
    return "".join(rows)


@pytest.mark.parametrize("file, edit, message", [
    ("panel.csv", lambda t: "".join(lines(t)[:199]), r"panel.csv: 198 rows, expected 330 \(30 provinces x 11 years\); no row for "),
    ("panel.csv", lambda t: t[: int(len(t) * 0.6)], r"panel.csv, line 199: \d+ fields where the header has 33 \(the line is cut short"),
    ("panel.csv", lambda t: t.replace("\nBeijing,", "\nAtlantis,", 1), r"panel.csv, line 13: unexpected row \('Atlantis', 2011\)"),
    ("panel.csv", lambda t: t.replace("Anhui,安徽,Central,2015,", "Anhui,安徽,Central,20x5,", 1), r"panel.csv, line 6: year is '20x5', not a year"),
    ("panel.csv", lambda t: t.replace("Anhui,安徽,Central,2015,", "Anhui,安徽,East,2015,", 1),
     r"panel.csv, line 6: region is East for Anhui, not Central \(config.REGIONS\)"),
    ("panel.csv", lambda t: "".join(r if i != 5 else r.rstrip("\n").rsplit(",", 1)[0] + ",yes\n" for i, r in enumerate(lines(t))),
     r"panel.csv, line 6: filled is 'yes' for Anhui in 2015, not True or False"),
    ("panel.csv", lambda t: "".join(r if i != 4 else ",".join(f if j != 4 else "n/a" for j, f in enumerate(r.split(",")))
                                    for i, r in enumerate(lines(t))), r"panel.csv, line 5: tfp is nan for Anhui in 2014, not a finite number"),
    ("panel.csv", lambda t: t.replace("Anhui,安徽,Central,2011,0.7776204881,0.01798995597,0.5559239297,0.2158725283,0.3456210948,0.1241764774,0.448,",
                                      "Anhui,安徽,Central,2011,0.7776204881,0.01798995597,0.5559239297,0.2158725283,0.3456210948,0.1241764774,44.8,", 1),
     r"panel.csv, line 2: ur is 44.8 for Anhui in 2011, not a share between 0 and 1"),
    ("panel.csv", lambda t: t.replace("Anhui,安徽,Central,2011,0.7776204881,0.01798995597,0.5559239297,0.2158725283,",
                                      "Anhui,安徽,Central,2011,0.7776204881,0.01798995597,0.5559239297,-0.2158725283,", 1),
     r"panel.csv, line 2: gov is -0.2158725283 for Anhui in 2011, not positive"),
    ("panel.csv", lambda t: t + lines(t)[3], r"panel.csv: 331 rows, expected 330 \(30 provinces x 11 years\); a province-year appears twice"),
    ("panel.csv", lambda t: t.replace("Anhui,安徽,Central,2011,0.7776204881,0.01798995597,", "Anhui,安徽,Central,2011,0.7776204881,1.5,", 1),
     r"panel.csv, line 2: digital is 1.5 for Anhui in 2011, not an entropy index between 0 and 1.0001"),
    ("panel.csv", lambda t: t.replace("Anhui,安徽,Central,2011,", "Anhui,安微,Central,2011,", 1),
     r"panel.csv, line 2: name_zh is 安微 for Anhui, not 安徽 \(helpers.provinces\)"),
    ("panel.csv", lambda t: _cell(t, 5, "internet_filled", "maybe"),
     r"panel.csv, line 6: internet_filled is 'maybe' for Anhui in 2015, not True or False"),
    ("panel.csv", lambda t: _cell(t, 5, "labour", "12a"), r"panel.csv, line 6: labour is 12a for Anhui in 2015, not a finite number"),
    ("panel.csv", lambda t: _cell(t, 5, "real_gdp", ""), r"panel.csv, line 6: real_gdp is nan for Anhui in 2015, not a finite number"),
    ("panel.csv", lambda t: _cell(t, 5, "ec", ""), r"panel.csv, line 6: ec is nan for Anhui in 2015, not a finite number"),
    ("panel.csv", lambda t: _cell(t, 1, "m", "1.02"), r"panel.csv, line 2: m is 1.02 for Anhui in 2011, the first year, which has none"),
    ("panel.csv", lambda t: _cell(t, 5, "capital", "-3.5"), r"panel.csv, line 6: capital is -3.5 for Anhui in 2015, not positive"),
    ("panel.csv", lambda t: "", r"panel.csv: the file is empty"),
    ("CODEBOOK.csv", lambda t: t.replace("column,definition", "name,definition", 1), r"CODEBOOK.csv: no column column\. "),
    ("CODEBOOK.csv", lambda t: "".join(r for r in lines(t) if not r.startswith("tfp,")), r"CODEBOOK.csv: no row for tfp\. "),
    ("CODEBOOK.csv", lambda t: "", r"CODEBOOK.csv: the file is empty"),
])
def test_damaged_panel_or_codebook_is_refused_when_loaded(written, file, edit, message):
    path = written / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputError, match=message + r".*notebooks/02_variables.ipynb"):
        {"panel.csv": panel.load, "CODEBOOK.csv": panel.load_codebook}[file](written)


def test_a_missing_panel_names_the_notebook_that_writes_it(tmp_path):
    with pytest.raises(InputError, match=r"panel.csv: the file is missing\. notebooks/02_variables.ipynb writes it"):
        panel.load(tmp_path / "rerun" / paths.PROCESSED.relative_to(paths.ROOT))


def test_codebook_reads_back_as_written(written, built):
    book = panel.load_codebook(written)
    assert list(book.index) == list(built.panel.columns)
    assert book.loc["tfp", "unit"] == "index (2011 frontier = 1)" and book.loc["province", "unit"] == ""
