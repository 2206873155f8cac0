"""Reading an extract refuses broken input with a message naming file, line and problem."""
import re
import shutil
import subprocess
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pandas as pd
import pytest

from helpers import config, panel, paths, sources
from helpers.files import InputError
from helpers.sources import ExtractError, exempt, limits, manifest, read_all, read_extract

from .damage import lines, resign, rewrite, scale, set_value

pytestmark = pytest.mark.usefixtures("repo_unchanged")

NAME = "gdp_a"
UNIT = "亿元"


def test_every_shipped_extract_reads_clean():
    extracts = read_all()
    assert len(extracts) == len(manifest())
    for frame in extracts.values():
        assert list(frame.columns) == ["province", "year", "value"]


def test_duplicated_province_year(raw):
    rewrite(raw, NAME, lambda t: t + lines(t)[1])
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line \d+: duplicated province-year \(Beijing, 1952\)"):
        read_extract(NAME, UNIT, folder=raw)


@pytest.mark.parametrize("name, edit, message", [
    (NAME, lambda t: "".join(r for r in lines(t) if ",1952," not in r), r"years is '1953-2022', the manifest says '1952-2022'"),
    ("broadband_subscribers", lambda t: t + "Beijing,2021,900\n",
     r"years is '2011-2021', the manifest says '2011-2020'; cells_2011_2021 is '311', the manifest says '310'; "
     r"gaps_2011_2021 is '2021 Tianjin Hebei .*', the manifest says '2021 all'"),
])
def test_an_extract_that_covers_other_cells_than_its_manifest_says_is_refused(raw, name, edit, message):
    """Its checksum re-signed by hand, not rebuilt by make extract: first years dropped (a capital
    stock would then start elsewhere), a row added (broadband 2021 is filled from another series)."""
    path = raw / f"{name}.csv"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    resign(raw, name, coverage=False)
    with pytest.raises(ExtractError, match=rf"{name}.csv: {message} \(the manifest and the extract disagree"):
        read_extract(name, manifest(raw).at[name, "unit"], folder=raw)


@pytest.mark.parametrize("written, problem", [("19S2", "is not a number"), ("1952.5", "is not a whole number"),
                                              ("1852", "outside {}-{}".format(*config.SOURCE_YEARS))])
def test_a_bad_year_names_its_line_and_province(raw, written, problem):
    rewrite(raw, NAME, lambda t: t.replace("Beijing,1952,", f"Beijing,{written},", 1))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line 2: year '?{written}'? of Beijing {problem}"):
        read_extract(NAME, UNIT, folder=raw)


@pytest.mark.parametrize("written", [" 1952", "1952.0"])
def test_a_year_written_another_way_is_the_same_year(raw, written):
    """A duplicate with the year written with a space or as a float is still a duplicate, and a year
    written 1952.0 alone reads as 1952."""
    rewrite(raw, NAME, lambda t: t + lines(t)[1].replace(",1952,", f",{written},"))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line \d+: duplicated province-year \(Beijing, {written}\)"):
        read_extract(NAME, UNIT, folder=raw)
    rewrite(raw, NAME, lambda t: "".join(lines(t)[:-1]).replace("Beijing,1952,", f"Beijing,{written},", 1))
    frame = read_extract(NAME, UNIT, folder=raw)
    assert frame["year"].dtype == int and frame.at[0, "year"] == 1952


def test_unknown_province(raw):
    rewrite(raw, NAME, lambda t: t.replace("Beijing,1952", "Atlantis,1952", 1))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line 2: unknown province 'Atlantis'"):
        read_extract(NAME, UNIT, folder=raw)


def test_text_in_numeric_column(raw):
    rewrite(raw, NAME, set_value(3, lambda old: "n/a"))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line 4: value 'n/a' for \(Beijing, 1954\) is not a number"):
        read_extract(NAME, UNIT, folder=raw)


def test_missing_column(raw):
    rewrite(raw, NAME, lambda t: "".join(r.rsplit(",", 1)[0] + "\n" for r in lines(t)))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv: columns are \['province', 'year'\].*missing value"):
        read_extract(NAME, UNIT, folder=raw)


def test_negative_gdp(raw):
    rewrite(raw, NAME, set_value(5, lambda old: f"-{old}"))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line 6: negative value -[\d.]+ for \(Beijing, 1956\)"):
        read_extract(NAME, UNIT, folder=raw)


def test_checksum_mismatch(raw):
    path = raw / f"{NAME}.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("16251.93", "16251.94"), encoding="utf-8")
    with pytest.raises(ExtractError, match=rf"{NAME}.csv: checksum .* does not match the manifest"):
        read_extract(NAME, UNIT, folder=raw)


def test_missing_extract_and_unknown_series(raw):
    (raw / f"{NAME}.csv").unlink()
    with pytest.raises(ExtractError, match=rf"{NAME}.csv: the extract is missing.*make extract"):
        read_extract(NAME, UNIT, folder=raw)
    with pytest.raises(ExtractError, match="no series 'gdp_z'"):
        read_extract("gdp_z", UNIT, folder=raw)


def test_wrong_unit(raw):
    with pytest.raises(ExtractError, match=rf"{NAME}.csv: unit is '亿元' in the manifest, the caller expects '万元'"):
        read_extract(NAME, unit="万元", folder=raw)
    assert len(read_extract(NAME, unit=UNIT, folder=raw)) > 0


def test_spot_check_rounds_at_printed_decimals():
    from helpers.sources import spot_check
    extracts = {"s": pd.DataFrame({"province": ["Beijing"], "year": [2011], "value": [923.4]})}
    printed = pd.DataFrame({"series": ["s", "s", "s"], "province": ["Beijing"] * 3, "year": [2011] * 3,
                            "printed": ["923", "923.4", "923.5"]})
    assert spot_check(extracts, printed)["match"].tolist() == [True, True, False]


# --- values that are wrong although the file is well formed and re-signed ----------------------------

def test_non_finite_value(raw):
    rewrite(raw, NAME, set_value(("Beijing", 2015), lambda old: "inf"))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line \d+: value 'inf' for \(Beijing, 2015\) is not a finite number"):
        read_extract(NAME, UNIT, folder=raw)


@pytest.mark.parametrize("name, unit", [("gdp_a", "亿元"), ("employment", "万人")])
def test_value_times_1000_is_outside_the_range_of_the_series(raw, name, unit):
    rewrite(raw, name, set_value(("Hebei", 2015), lambda old: float(old) * 1000))
    with pytest.raises(ExtractError, match=rf"{name}.csv, line \d+: value [\d.e+]+ for \(Hebei, 2015\) outside "
                                           r"the range [\d.]+ to [\d.]+ of data/checks/plausibility.csv"):
        read_extract(name, unit, folder=raw)


def test_value_times_10_is_a_jump_beyond_the_threshold(raw):
    """Tibet's GDP x 10 stays inside the range of all provinces, but not inside Tibet's own path."""
    rewrite(raw, NAME, set_value(("Tibet", 2015), lambda old: float(old) * 10))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line \d+: value [\d.]+ for \(Tibet, 2015\) after [\d.]+ "
                                           r"in 2014: a jump by a factor 1\d\.\d*, more than the 3 of"):
        read_extract(NAME, UNIT, folder=raw)


@pytest.mark.parametrize("name, unit, province, year, factor", [("employment", "万人", "Ningxia", 2021, 10),
                                                              ("telecom_volume", "亿元", "Hebei", 2021, 3)])
def test_a_unit_slip_at_a_break_of_all_provinces_stands_out_from_their_median(raw, name, unit, province, year, factor):
    """A break of all provinces ('all YEAR') exempts every jump into and out of YEAR from max_jump, but
    a province moved by a factor its neighbours were not is still refused."""
    rewrite(raw, name, set_value((province, year), lambda old: float(old) * factor))
    with pytest.raises(ExtractError, match=rf"{name}.csv, line \d+: value [\d.]+ for \({province}, {year}\) after [\d.]+ in "
                                           rf"{year - 1}: a change by [\d.]+ where the provinces' median is [\d.]+, apart by a "
                                           r"factor [\d.]+, more than the [\d.]+ of data/checks/plausibility.csv at a break"):
        read_extract(name, unit, folder=raw)


@pytest.mark.parametrize("name, unit, province, factor, series", [
    ("population", "万人", "Ningxia", 10, "gdp_a"), ("employment", "万人", "Zhejiang", 1.9, "employment"),
    ("budget_expenditure", "亿元", "Hainan", 10, "budget_expenditure"), ("mobile_subscribers", "万户", "Guangdong", 0.1, "mobile_subscribers")])
def test_a_wrong_unit_over_a_whole_province_is_caught_by_its_value_per_resident(raw, name, unit, province, factor, series):
    """x10, /10 (or, for employment, x1.9: more than one worker per resident) in every year of one
    province keeps each series inside its own range and free of jumps, but its value per resident
    (or, for population, every other series' value per resident) leaves the range of
    data/checks/plausibility.csv, in a read of all extracts and in the panel's."""
    rewrite(raw, name, scale(province, factor))
    assert len(read_extract(name, unit, folder=raw))  # alone, it passes
    low, high = (f"{sources.limits().at[series, f'per_resident_{end}']:g}" for end in ("low", "high"))
    with pytest.raises(ExtractError, match=rf"{series}.csv and population.csv: {series} per resident is [\d.e-]+ for "
                                           rf"\({province}, \d+\), outside {low} to {high} \({paths.CHECKS / 'plausibility.csv'}, per_resident_low.*"
                                           r"if data/checks/ was edited, restore it"):
        read_all(raw)
    with pytest.raises(ExtractError, match=rf"{series} per resident"):
        panel.build(raw)


def test_a_slip_the_value_per_resident_does_not_catch_as_data_readme_says(raw):
    """data/README.md's example of the limit: Tianjin's investment divided by 10 stays above half the
    smallest value per resident, and passes that check; its ratio to GDP (sources.RATIOS) catches it."""
    rewrite(raw, "gfcf", scale("Tianjin", 0.1))
    sources.per_resident({name: read_extract(name, unit, folder=raw) for name, unit in [("gfcf", "亿元"), ("population", "万人")]},
                         str(raw))
    with pytest.raises(ExtractError, match=r"gfcf / gdp_a is [\d.]+ for \(Tianjin, \d+\), outside 0.08 to 2 \(from 1990\)"):
        read_all(raw)
    assert ("Tianjin's investment divided by 10, which the investment's ratio to GDP, below, catches"
            in " ".join((paths.DATA / "README.md").read_text(encoding="utf-8").split()))


def test_the_ranges_per_resident_are_half_the_smallest_and_twice_the_largest_in_the_panel_years():
    """Each range per resident is half the smallest and twice the largest value / population of the
    series in the panel's years, rounded outward to three significant digits (by decimal arithmetic
    here), the top at most 1 for a count of people; given for exactly the series counted in money,
    people or things, population aside; computed here from the CSV files."""
    def outward(x, rounding):
        exact = Decimal(repr(float(x)))
        return float(exact.quantize(Decimal(1).scaleb(exact.adjusted() - 2), rounding=rounding))
    table = pd.read_csv(paths.CHECKS / "plausibility.csv").set_index("series")
    units = pd.read_csv(paths.RAW / "MANIFEST.csv").set_index("name")["unit"]
    population = pd.read_csv(paths.RAW / "population.csv").set_index(["province", "year"])["value"]
    counted = {name for name in table.index if units[name] in ("亿元", "万美元", "万人", "万户", "万个", "公里")} - {"population"}
    assert set(table.index[table["per_resident_low"].notna()]) == counted and len(counted) > 30
    first, last = config.PANEL_YEARS
    for name in counted:
        values = pd.read_csv(paths.RAW / f"{name}.csv").set_index(["province", "year"])["value"]
        ratio = (values / population).dropna()
        ratio = ratio[[first <= year <= last for _, year in ratio.index]]
        top = outward(ratio.max() * 2, ROUND_CEILING)
        assert table.at[name, "per_resident_low"] == outward(ratio.min() / 2, ROUND_FLOOR), name
        assert table.at[name, "per_resident_high"] == (min(top, 1) if units[name] == "万人" else top), name


@pytest.mark.parametrize("name, ratio", [("va_tertiary_a", r"1.[4-6]\d*"), ("va_primary_b", r"1.[1-3]\d*")])
def test_a_sector_doubled_over_a_whole_province_breaks_the_sum_of_gdp(raw, name, ratio):
    """x2 in every year of Hainan's value added of one sector passes that series' own checks, but the
    three sectors no longer sum to GDP, in a read of all extracts and in the panel's."""
    vintage = name[-1]
    rewrite(raw, name, scale("Hainan", 2))
    assert len(read_extract(name, "亿元", folder=raw))  # alone, it passes
    files = rf"va_primary_{vintage}.csv, va_secondary_{vintage}.csv, va_tertiary_{vintage}.csv and gdp_{vintage}.csv"
    with pytest.raises(ExtractError, match=rf"{files}: \(va_primary_{vintage} \+ va_secondary_{vintage} \+ va_tertiary_{vintage}\) / "
                                           rf"gdp_{vintage} is {ratio} for \(Hainan, \d+\), outside 0.9\d+ to 1.001"):
        read_all(raw)
    with pytest.raises(ExtractError, match=rf"\(va_primary_{vintage} \+ va_secondary_{vintage} \+ va_tertiary_{vintage}\) / gdp_{vintage}"):
        panel.build(raw)


@pytest.mark.parametrize("name, unit, ratio", [("retail_sales_macs", "亿元", "retail_sales_macs / retail_sales_airuimeng is 2"),
                                               ("urban_unit_employment_total", "万人", "employment_urban_units / urban_unit_employment_total is 0.5")])
def test_a_compilation_doubled_over_a_whole_province_departs_from_the_other(raw, name, unit, ratio):
    """x2 in every year of Hainan passes the series' own checks, not the same quantity from another compilation."""
    rewrite(raw, name, scale("Hainan", 2))
    assert len(read_extract(name, unit, folder=raw))  # alone, it passes
    with pytest.raises(ExtractError, match=rf"\.csv: {ratio}\d* for \(Hainan, \d+\), outside 0.99 to 1.01 \(sources.RATIOS"):
        read_all(raw)


@pytest.mark.parametrize("name, unit, ratio", [("trade_cny", "亿元", "0.001"), ("trade_usd", "万美元", "1e-05")])
def test_trade_in_a_wrong_unit_over_a_whole_province_departs_from_the_rate(raw, name, unit, ratio):
    """x10 in every year of Hainan's trade, in yuan or in dollars, passes the series' own checks, but
    trade in yuan is no longer trade in dollars at the official rate (x 10^-4, 亿元 over 万美元), in
    every read of all extracts and in the panel's."""
    rewrite(raw, name, scale("Hainan", 10))
    assert len(read_extract(name, unit, folder=raw))  # alone, it passes
    with pytest.raises(ExtractError, match=rf"trade_cny.csv, trade_usd.csv and usd_cny.csv: trade_cny / \(trade_usd x usd_cny\) "
                                           rf"is {ratio} for \(Hainan, 2013\), outside 9.99e-05 to 0.0001001 \(sources.RATIOS"):
        read_all(raw)
    with pytest.raises(ExtractError, match=r"trade_cny / \(trade_usd x usd_cny\)"):
        panel.build(raw)


def test_provinces_swapped_in_the_base_year_of_real_gdp_break_the_sum_of_gdp(raw):
    """Jiangsu's and Zhejiang's GDP (a) of 2010 swapped: each stays in its range and its jumps, but
    2010's GDP sets every later year's real GDP (variables.real_gdp), so the sectors must sum to it."""
    frame = pd.read_csv(raw / "gdp_a.csv", dtype={"value": str}).set_index(["province", "year"])["value"]
    rewrite(raw, "gdp_a", set_value(("Jiangsu", 2010), lambda _: frame[("Zhejiang", 2010)]))
    rewrite(raw, "gdp_a", set_value(("Zhejiang", 2010), lambda _: frame[("Jiangsu", 2010)]))
    sectors = {name: read_extract(name, "亿元", folder=raw) for name in ["gdp_a", *(s.format("a") for s in sources.SECTORS)]}
    with pytest.raises(ExtractError, match=r"gdp_a is 1.\d+ for \(Jiangsu, 2010\), outside 0.98 to 1.001 \(from 2010\)"):
        sources.consistent(sectors, str(raw))
    with pytest.raises(ExtractError, match=r"\(Jiangsu, 201[01]\)"):  # and beside every other extract
        read_all(raw)


def test_a_misplaced_digit_of_the_real_growth_index_is_caught_by_the_implied_deflator(raw):
    """Anhui's index of 2015 (previous year = 100) with 100 added: inside the index's own range, which
    holds its history from 1952, but GDP then grows at about half the real rate, and real GDP from 2015
    on would double (variables.real_gdp)."""
    rewrite(raw, "gdp_index", set_value(("Anhui", 2015), lambda old: f"{float(old) + 100:g}"))
    assert len(read_extract("gdp_index", "previous year=100", folder=raw))  # alone, it passes
    match = (r"gdp_a.csv and gdp_index.csv: gdp_a / \(previous gdp_a x gdp_index / 100\) is 0.5\d* for \(Anhui, 2015\), "
             r"outside 0.6 to 1.5 \(from 2011; sources.CHANGES")
    with pytest.raises(ExtractError, match=match):
        read_all(raw)
    with pytest.raises(ExtractError, match=match):
        panel.build(raw)


@pytest.mark.parametrize("year, index, refused", [(2011, 105.0, False), (2011, 205.0, True), (2011, 72.0, True),
                                                  (2010, 205.0, False)])
def test_the_implied_deflator_is_checked_after_the_base_year(year, index, refused):
    """By hand: GDP from 100 to 110 with a real index of 105 is a deflator change of 110 / 105 = 1.048;
    with 205, 0.537, and with 72, 1.528, outside 0.6 to 1.5; 2010, the base year, chains no index."""
    extracts = {"gdp_a": _extract(("Beijing", year - 1, 100.0), ("Beijing", year, 110.0)),
                "gdp_index": _extract(("Beijing", year, index))}
    if refused:
        with pytest.raises(ExtractError, match=rf"is {110 / index:.3g} for \(Beijing, {year}\), outside 0.6 to 1.5"):
            sources.changes(extracts, "raw")
    else:
        sources.changes(extracts, "raw")


@pytest.mark.parametrize("province, year, factor, bounds", [("Hebei", 2008, 10, r"-0.1 to 2 \(sources.RATIOS"),
                                                             ("Hebei", 2010, 0.1, r"0.08 to 2 \(from 1990\)")])
def test_a_misplaced_digit_of_investment_before_the_panel_is_caught_beside_gdp(raw, province, year, factor, bounds):
    """Gross fixed capital formation of one year before 2011 x10 or /10: inside the series' range and
    jumps, but it builds the capital stock of every panel year (Hebei 2008 x10: capital of 2011 x1.97)."""
    rewrite(raw, "gfcf", set_value((province, year), lambda old: f"{float(old) * factor:g}"))
    assert len(read_extract("gfcf", "亿元", folder=raw))  # alone, it passes
    with pytest.raises(ExtractError, match=rf"gfcf.csv and gdp_a.csv: gfcf / gdp_a is [\d.]+ for \({province}, {year}\), "
                                           rf"outside {bounds}"):
        read_all(raw)


@pytest.mark.parametrize("year, factor, refused", [(2010, 3, r"3\.\d+ for \(Hebei, 2010\)"), (1970, 3, None)])
def test_the_investment_price_index_is_held_to_the_yearly_changes_since_1978(raw, year, factor, refused):
    """Hebei's investment price index of one year x3: within the index's range and its jumps, which
    Gansu 1961's x4.35 sets, but from 1978 on a yearly change of 3 is outside 0.5 to 2 (by hand: the
    index moves by 0.67 to 1.63 a year then); in 1970 it is not checked."""
    rewrite(raw, "investment_price_index", set_value(("Hebei", year), lambda old: f"{float(old) * factor:g}"))
    if refused:
        with pytest.raises(ExtractError, match=rf"investment_price_index.csv: investment_price_index / previous "
                                               rf"investment_price_index is {refused}, outside 0.5 to 2 \(from 1978"):
            read_all(raw)
    else:
        read_all(raw)


def test_a_province_whose_investment_starts_late_is_refused_by_the_capital_stock(raw):
    """Hebei's investment of 1952-1990 removed: the extract stays consistent with its (re-signed)
    manifest, which records the years of all provinces together, but Hebei's stock would start in 1991."""
    def early(text):
        return "".join(row for row in lines(text) if not (row.startswith("Hebei,") and int(row.split(",")[1]) <= 1990))
    rewrite(raw, "gfcf", early)
    assert len(read_extract("gfcf", "亿元", folder=raw))  # alone, it passes
    with pytest.raises(ValueError, match=r"^gfcf: Hebei's years start in 1991, the other provinces' in 1952, so its capital "
                                         r"stock would start from 1991's investment alone \(measures.capital_stock\)\. Rebuild"):
        panel.build(raw)


def _extract(*rows):
    """An extract of (province, year, value) rows, as sources.consistent takes it."""
    return pd.DataFrame(list(rows), columns=["province", "year", "value"])


@pytest.mark.parametrize("year, refused", [(2009, False), (2010, True), (2011, True)])
def test_a_ratio_with_a_first_year_is_checked_from_that_year_on(year, refused):
    """By hand: sectors of 10 + 40 + 47 over a GDP of 100 is 0.97, below vintage (a)'s 0.98, which
    holds from the base year of real GDP (2010) on."""
    extracts = {"gdp_a": _extract(("Beijing", year, 100.0)), "va_primary_a": _extract(("Beijing", year, 10.0)),
                "va_secondary_a": _extract(("Beijing", year, 40.0)), "va_tertiary_a": _extract(("Beijing", year, 47.0))}
    if refused:
        with pytest.raises(ExtractError, match=rf"is 0.97 for \(Beijing, {year}\), outside 0.98 to 1.001 \(from 2010\).*"
                                               r"Rebuild it with `make extract`"):
            sources.consistent(extracts, "raw")
    else:
        sources.consistent(extracts, "raw")


@pytest.mark.parametrize("year, refused", [(2010, False), (2011, True), (2021, True), (2022, False)])
def test_the_value_per_resident_is_checked_in_every_panel_year_and_only_there(year, refused):
    """By hand: a GDP of 10,000 亿元 for 100 万人 is 100 per resident, above gdp_a's range; refused in
    2011-2021 only, with the advice given (`fix`)."""
    extracts = {"gdp_a": _extract(("Beijing", year, 10000.0)), "population": _extract(("Beijing", year, 100.0))}
    if refused:
        with pytest.raises(ExtractError, match=rf"gdp_a per resident is 100 for \(Beijing, {year}\).* do this$"):
            sources.consistent(extracts, "raw", fix="do this")
    else:
        sources.consistent(extracts, "raw", fix="do this")


def test_a_read_of_all_extracts_takes_the_value_per_resident_from_the_checks_it_is_given(tmp_path):
    checks = tmp_path / "checks"
    shutil.copytree(paths.CHECKS, checks)
    text = (checks / "plausibility.csv").read_text(encoding="utf-8")
    (checks / "plausibility.csv").write_text(text.replace("Beijing 2001,1.8,0.807,36.8,", "Beijing 2001,1.8,0.807,1,", 1),
                                             encoding="utf-8")
    with pytest.raises(ExtractError, match=rf"gdp_a per resident is [\d.]+ for .*outside 0.807 to 1 \({checks / 'plausibility.csv'}"):
        read_all(paths.RAW, checks)


def test_a_national_factor_of_a_whole_counts_for_every_province_of_its_year():
    """By hand: 10 万美元 at 6.5 yuan per dollar is 0.0065 亿元. With the rate of 2013 misprinted as 6.1,
    both provinces' 2013 depart from it (the first named), 2014 does not; a year the rate lacks is not
    checked."""
    usd = _extract(("Beijing", 2013, 10.0), ("Beijing", 2014, 20.0), ("Hebei", 2013, 30.0), ("Hebei", 2014, 40.0))
    cny = usd.assign(value=usd["value"] * 6.5e-4)
    rate = _extract(("China", 2012, 7.0), ("China", 2013, 6.5), ("China", 2014, 6.5))
    sources.consistent({"trade_cny": cny, "trade_usd": usd, "usd_cny": rate}, "raw")  # agrees
    sources.consistent({"trade_cny": cny, "trade_usd": usd, "usd_cny": rate[rate["year"] != 2014]}, "raw")  # 2014 not held
    misprinted = rate.assign(value=[7.0, 6.1, 6.5])
    with pytest.raises(ExtractError, match=r"trade_cny / \(trade_usd x usd_cny\) is 0.000107 for \(Beijing, 2013\)"):
        sources.consistent({"trade_cny": cny, "trade_usd": usd, "usd_cny": misprinted}, "raw")


def test_break_jumps_by_hand():
    """Three provinces through a break of all provinces in 2019 (changes 0.5, 0.6, 2.0: median 0.6),
    Hebei's own break in 2020 leaving its changes into and out of 2020 out."""
    frame = pd.DataFrame({"province": ["Beijing"] * 3 + ["Tianjin"] * 3 + ["Hebei"] * 3, "year": [2018, 2019, 2020] * 3,
                          "value": [10, 5, 5, 10, 6, 6.6, 10, 20, 40]})
    jumps = sources.break_jumps(frame, "all 2019; Hebei 2020").set_index(["province", "year"])
    assert sorted(jumps.index) == [("Beijing", 2019), ("Beijing", 2020), ("Hebei", 2019), ("Tianjin", 2019), ("Tianjin", 2020)]
    assert jumps.loc[("Beijing", 2019), "median"] == pytest.approx(0.6)
    assert jumps.loc[("Beijing", 2019), "relative"] == pytest.approx(1.2)
    assert jumps.loc[("Tianjin", 2020), "median"] == pytest.approx(1.05)  # Beijing 1.0, Tianjin 1.1
    assert jumps.loc[("Tianjin", 2020), "relative"] == pytest.approx(1.1 / 1.05)


def test_listed_breaks_are_exempt_from_the_jump_check():
    frame = pd.DataFrame({"province": ["Beijing", "Beijing", "Hebei"], "year": [2019, 2020, 2019]})
    assert exempt(frame, "Beijing 2019").tolist() == [True, True, False]
    assert exempt(frame, "all 2020; Tianjin 2019").tolist() == [False, True, False]


def test_value_that_differs_from_the_printed_one(raw):
    rewrite(raw, NAME, set_value(("Beijing", 2011), lambda old: "16261.93"))
    with pytest.raises(ExtractError, match=rf"{NAME}.csv: \(Beijing, 2011\) is 16261.93, but China Statistical "
                                           r"Yearbook 2012, .* prints 16251.93 \(data/checks/printed_values.csv, line 2; "
                                           r"if that value is mistyped, correct it there\)"):
        read_extract(NAME, UNIT, folder=raw)


def test_unit_changed_in_the_manifest_with_the_values(raw):
    rewrite(raw, NAME, lambda t: "".join(
        r if i == 0 else f"{r.rsplit(',', 1)[0]},{float(r.rsplit(',', 1)[1]) * 1e4}\n" for i, r in enumerate(lines(t))))
    table = pd.read_csv(raw / "MANIFEST.csv", dtype=str, keep_default_na=False)
    table.loc[table["name"] == NAME, "unit"] = "万元"
    table.to_csv(raw / "MANIFEST.csv", index=False, lineterminator="\n")
    with pytest.raises(ExtractError, match=rf"{NAME}.csv: unit is '万元' in the manifest, the caller expects '亿元'"):
        read_extract(NAME, UNIT, folder=raw)


def test_every_series_has_limits_and_every_exemption_is_a_break_of_the_manifest():
    table, known = limits(), manifest()
    assert set(table.index) == set(known.index)
    for name, row in table.iterrows():
        assert (row["low"] < row["high"]) and row["max_jump"] > 1, name
        for item in filter(None, (b.strip() for b in row["exempt"].split(";"))):
            where, year = item.rsplit(" ", 1)  # the province, then the year, in one clause of the note
            named = rf"\b{year}\b" if where == "all" else rf"\b{re.escape(where)}\b[^;()]*?\b{year}\b"
            assert re.search(named, known.at[name, "breaks"]), (name, item)


# --- files that cannot be read ---------------------------------------------------------------------

def broken(raw, name, data: bytes):
    (raw / f"{name}.csv").write_bytes(data)
    resign(raw, name)


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.encode("utf-8").replace(b"Beijing,2015,", b"Beijing,2015,1,"), r", line \d+: 4 fields where the header has 3"),
    (lambda t: t.replace("Beijing", "北京", 1).encode("gbk"), r", line 2: bytes that are not UTF-8"),
    (lambda t: b"", r": the file is empty"),
    (lambda t: lines(t)[0].encode("utf-8"), r": the file has a header but no rows"),
])
def test_unreadable_extract_names_the_file(raw, edit, message):
    broken(raw, NAME, edit((raw / f"{NAME}.csv").read_text(encoding="utf-8")))
    with pytest.raises(InputError, match=rf"{NAME}.csv{message}.*make extract"):
        read_extract(NAME, UNIT, folder=raw)


@pytest.mark.parametrize("data, message", [
    (lambda t: b"", r"MANIFEST.csv: the file is empty"),
    (lambda t: t.encode("gbk"), r"MANIFEST.csv, line 2: bytes that are not UTF-8"),
])
def test_unreadable_manifest_names_the_file(raw, data, message):
    path = raw / "MANIFEST.csv"
    path.write_bytes(data(path.read_text(encoding="utf-8")))
    with pytest.raises(InputError, match=message):
        read_extract(NAME, UNIT, folder=raw)


# --- line ends ---------------------------------------------------------------------------------------

def test_a_crlf_copy_of_the_extracts_passes_every_check(raw):
    """What a checkout with core.autocrlf=true would give without .gitattributes."""
    for path in raw.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert b"\r\n" in (raw / f"{NAME}.csv").read_bytes()
    extracts = read_all(raw)
    assert len(extracts) == len(manifest(raw)) and extracts[NAME].equals(read_extract(NAME, UNIT))


@pytest.mark.skipif(shutil.which("git") is None or not (paths.ROOT / ".git").exists(), reason="not a git checkout")
def test_a_clone_with_autocrlf_passes_every_check(tmp_path):
    """A clone as Git for Windows makes it (core.autocrlf=true) of the committed tree: .gitattributes
    keeps the data LF, and every extract passes its checksum and checks."""
    clone = tmp_path / "clone"
    done = subprocess.run(["git", "-c", "core.autocrlf=true", "clone", "--quiet", "--no-hardlinks", str(paths.ROOT), str(clone)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot clone the repository here: {done.stderr.strip()}")
    subprocess.run(["git", "config", "core.autocrlf", "true"], cwd=clone, check=True)
    assert b"\r\n" not in (clone / "data" / "raw" / f"{NAME}.csv").read_bytes()
    assert len(read_all(clone / "data" / "raw", clone / "data" / "checks")) == len(manifest())


def test_printed_national_total_is_compared_with_the_sum_of_the_provinces():
    from helpers.provinces import NAMES
    from helpers.sources import spot_check
    frame = pd.DataFrame({"province": NAMES, "year": 2011, "value": [1.0] * 30 + [2.04]})
    printed = pd.DataFrame({"series": ["s", "s"], "province": ["China", "China"], "year": [2011, 2011],
                            "printed": ["32.0", "32.1"]})
    assert spot_check({"s": frame}, printed)["match"].tolist() == [True, False]
    assert spot_check({"s": frame.iloc[1:]}, printed)["ours"].isna().all()


@pytest.mark.parametrize("name, edit, message", [
    ("plausibility.csv", lambda t: t.replace("gdp_a,0.814,", "gdp_a,O.814,").encode(), r"plausibility.csv, line 2: low 'O.814' is not a number"),
    ("printed_values.csv", lambda t: t.replace("16251.93", "16 251.93").encode(), r"printed_values.csv, line 2: printed '16 251.93' is not a number"),
    ("printed_values.csv", lambda t: t.encode("gbk"), r"printed_values.csv, line \d+: bytes that are not UTF-8"),
    ("plausibility.csv", lambda t: b"", r"plausibility.csv: the file is empty"),
])
def test_damaged_checks_name_the_file(tmp_path, name, edit, message):
    checks = tmp_path / "checks"
    shutil.copytree(paths.CHECKS, checks)
    (checks / name).write_bytes(edit((checks / name).read_text(encoding="utf-8")))
    with pytest.raises(InputError, match=message + r".*git checkout data/checks"):
        read_extract(NAME, UNIT, checks=checks)


def test_manifest_and_checks_are_parsed_once_for_every_extract_and_afresh_when_edited(raw, tmp_path, monkeypatch):
    checks = tmp_path / "checks"  # copies of the committed files, never parsed before
    shutil.copytree(paths.CHECKS, checks)
    parsed = []
    monkeypatch.setattr(sources, "read_csv", lambda path, fix, read=sources.read_csv: parsed.append(path.name) or read(path, fix))
    extracts = read_all(raw, checks)
    assert sorted(name for name in parsed if name not in {f"{n}.csv" for n in extracts}) == \
        ["MANIFEST.csv", "plausibility.csv", "printed_values.csv"]
    text = (checks / "plausibility.csv").read_text(encoding="utf-8")
    (checks / "plausibility.csv").write_text(text.replace("gdp_a,0.814,259000,", "gdp_a,0.814,000001,"), encoding="utf-8")
    with pytest.raises(ExtractError, match=rf"{NAME}.csv, line \d+: value .* outside the range 0.814 to 1 .*"
                                           r"matches its manifest's checksum: if data/checks/ was edited, restore it"):
        read_extract(NAME, UNIT, raw, checks)


@pytest.mark.parametrize("file, edit, message", [
    ("plausibility.csv", lambda t: t.replace("Liaoning 2016", "Liaoning2016", 1),
     r"plausibility.csv, line 2: exempt break 'Liaoning2016' is not 'Province YEAR' or 'all YEAR'"),
    ("plausibility.csv", lambda t: t.replace("gdp_a,0.814,259000,", "gdp_a,259000,0.814,", 1),
     r"plausibility.csv, line 2: low 259000 is above high 0.814"),
    ("plausibility.csv", lambda t: t + lines(t)[1], r"plausibility.csv, line \d+: series 'gdp_a' is listed twice"),
    ("plausibility.csv", lambda t: t.replace("Beijing 2001,1.8,", "Beijing 2001,,", 1),
     r"plausibility.csv, line 2: max_break_jump '' for gdp_a: a number above 1 is needed for a series with a break of all"),
    ("plausibility.csv", lambda t: t.replace("gdp_b,16.6,259000,1.8,,,", "gdp_b,16.6,259000,1.8,,1.5,", 1),
     r"plausibility.csv, line 3: max_break_jump '?1.5'? for gdp_b: .* and none for another"),
    ("plausibility.csv", lambda t: t.replace("Beijing 2001,1.8,0.807,36.8,", "Beijing 2001,1.8,,36.8,", 1),
     r"plausibility.csv, line 2: per_resident_low '' and per_resident_high '36.8' for gdp_a: two numbers are needed, or neither"),
    ("plausibility.csv", lambda t: t.replace("Beijing 2001,1.8,0.807,36.8,", "Beijing 2001,1.8,36.8,0.807,", 1),
     r"plausibility.csv, line 2: per_resident_low 36.8 is above per_resident_high 0.807"),
    ("printed_values.csv", lambda t: "".join(lines(t)[:2]) + lines(t)[1].replace(lines(t)[1].split(",")[1], "Beijng", 1),
     r"printed_values.csv, line 3: unknown province 'Beijng'"),
])
def test_a_damaged_check_file_is_named_not_the_extract(tmp_path, file, edit, message):
    """The compendium's own checks (data/checks) name their own file and line, and say to restore it."""
    checks = tmp_path / "checks"
    shutil.copytree(paths.CHECKS, checks)
    (checks / file).write_text(edit((checks / file).read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputError, match=message + r".*git checkout data/checks"):
        read_extract(NAME, UNIT, checks=checks)


def test_a_series_listed_twice_in_the_manifest_is_named(raw):
    path = raw / "MANIFEST.csv"
    path.write_text(path.read_text(encoding="utf-8") + lines(path.read_text(encoding="utf-8"))[1], encoding="utf-8")
    with pytest.raises(InputError, match=r"MANIFEST.csv, line \d+: series '\w+' is listed twice"):
        read_extract(NAME, UNIT, folder=raw)


def test_an_extract_without_a_manifest_row_is_named(raw):
    """A manifest cut after a whole row would otherwise drop that series without a word."""
    path = raw / "MANIFEST.csv"
    rows = lines(path.read_text(encoding="utf-8"))
    path.write_text("".join(rows[:-1]), encoding="utf-8")
    last = rows[-1].split(",")[0]
    with pytest.raises(InputError, match=rf"MANIFEST.csv: no row for the extract {last}.csv beside it \(a truncated manifest\?\)"):
        read_all(raw)


def test_a_printed_value_of_an_unknown_series_is_named_with_its_line():
    from helpers.sources import printed, spot_check
    quoted = printed()
    quoted.loc[3, "series"] = "gdp_aa"
    with pytest.raises(ExtractError, match=r"printed_values.csv, line 5: series 'gdp_aa' is not an extract\. .*git checkout data/checks"):
        spot_check(read_all(), quoted)
