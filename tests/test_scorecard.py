import json

import numpy as np
import pandas as pd
import pytest

from helpers import config, models, panel, paths, scorecard, tables
from helpers.files import InputError
from tests.test_tables import fit


def write(folder, table, fits):
    tables.long(fits).to_csv(folder / f"{table}_estimates.csv", index=False)


@pytest.fixture
def estimates(tmp_path):
    """Estimates of Tables 4, 6 and 7 as the notebooks write them: H1 strong, H2 weak, and the
    regions East and West significant and positive, the Northeast significant but negative."""
    strong = {"digital": 0.7, "Constant": 0.5}
    write(tmp_path, "table4", {"(1)": fit(strong, {"digital": 0.1, "Constant": 0.1}),
                               "(2)": fit(strong, {"digital": 0.1, "Constant": 0.1})})
    weak = {"virtual x digital": 0.1, "Constant": 0.5}
    write(tmp_path, "table6", {"(1)": fit(weak, {"virtual x digital": 1.0, "Constant": 0.1}),
                               "(2)": fit(weak, {"virtual x digital": 1.0, "Constant": 0.1})})
    pd.DataFrame({"region": ["East", "Central", "West", "Northeast"], "coef": [1.0, 1.0, 1.0, -1.0],
                  "wild bootstrap p": [0.01, 0.5, 0.02, 0.01]}).to_csv(tmp_path / "table7_wild_bootstrap.csv", index=False)
    return tmp_path


def test_verdicts_follow_our_estimates(estimates):
    tmp_path = estimates
    verdicts = scorecard.verdicts(tmp_path).set_index("claim")["holds in our data"]
    assert verdicts.tolist() == [True, False, False]  # Northeast is negative, so the pattern fails
    assert scorecard.verdicts(tmp_path)["paper"][0] == "0.708*** (t = 3.60), Table 4 (2)"


def test_summary_shares(tmp_path):
    coefs = pd.DataFrame({"table": ["t", "t", "t", "u"], "term": ["digital", "gov", "Constant", "digital"],
                          "same_sign": [True, False, True, True], "same_level": [True, True, True, False],
                          "in_our_ci": [False, False, True, True]})
    table = scorecard.summary(coefs)  # the constant left out, as closeness leaves it out
    assert table.loc["t", "coefficients"] == 2 and table.loc["t", "same_sign"] == 0.5 and table.loc["u", "in_our_ci"] == 1
    assert table.loc["t", "in_our_ci"] == 0


@pytest.mark.usefixtures("repo_unchanged")
def test_truncated_estimates_name_the_file(tmp_path):
    write(tmp_path, "table4", {"(1)": fit({"digital": 0.7, "Constant": 0.5}, {"digital": 0.1, "Constant": 0.1})})
    path = tmp_path / "table4_estimates.csv"
    path.write_text(path.read_text()[:-5])
    with pytest.raises(InputError, match=r"table4_estimates.csv, line \d+: \d fields where the header has \d+ "
                                         r"\(the line is cut short.*Rerun the notebook that writes table4"):
        scorecard.estimates(tmp_path, "table4")


def test_missing_estimates_name_the_notebook_that_writes_them(tmp_path):
    """A rerun's folder without the table (tmp_path/figures is empty): the message names notebook 05."""
    with pytest.raises(InputError, match=r"table4_estimates.csv: the file is missing. "
                                         r"notebooks/05_baseline.ipynb writes it"):
        scorecard.estimates(tmp_path / "figures", "table4")


def test_at_every_level_a_rerun_may_choose_the_paper_claims_its_regional_pattern():
    """The smallest alpha a rerun may set is the smallest level the stars show; there the paper still
    claims East, West and Northeast (its Table 7), and below it, no region."""
    low, high = config.RANGES["alpha"]
    assert low == min(tables.STAR_LEVELS.values())
    for alpha in (low, config.ALPHA, high):
        assert scorecard.claimed_regions(alpha) == ["East", "West", "Northeast"]
    assert scorecard.claimed_regions(low / 2) == []


def test_printed_stars_are_read_at_the_chosen_level():
    """*** guarantees p < 0.01, ** p < 0.05, * p < 0.1: significance at alpha needs that bound <= alpha."""
    assert [scorecard.printed_significant(s, 0.05) for s in (0, 1, 2, 3)] == [False, False, True, True]
    assert [scorecard.printed_significant(s, 0.10) for s in (0, 1, 2, 3)] == [False, True, True, True]
    assert [scorecard.printed_significant(s, 0.01) for s in (0, 1, 2, 3)] == [False, False, False, True]
    assert [scorecard.printed_significant(s, 0.03) for s in (0, 1, 2, 3)] == [False, False, False, True]


def test_regional_claim_and_ours_use_the_same_level(estimates):
    """The paper's Table 7 stars: East, West and Northeast *** (p < 0.01), Central none. At 1 % the
    claim is still those three; ours (East 0.01, West 0.02) now holds for none of them."""
    tmp_path = estimates
    table = scorecard.verdicts(tmp_path, alpha=0.01).set_index("claim")
    assert table.loc["Regional pattern", "paper"] == ("positive and significant at 1 %: East, West, Northeast; "
                                                      "the others not significant (Table 7)")
    assert table.loc["Regional pattern", "our_evidence"] == "significant (wild bootstrap): positive none; negative none"
    at_5 = scorecard.verdicts(tmp_path).set_index("claim").loc["Regional pattern", "our_evidence"]
    assert at_5 == "significant (wild bootstrap): positive East, West; negative Northeast"


def test_a_bootstrap_table_without_a_region_is_an_error_naming_it(estimates):
    """Without its Centre row the pattern would hold for want of evidence."""
    path = estimates / "table7_wild_bootstrap.csv"
    pd.read_csv(path).query("region != 'Central'").to_csv(path, index=False)
    with pytest.raises(InputError, match=rf"{path}: no row for Central\. Rerun notebooks/08_heterogeneity"):
        scorecard.verdicts(estimates)


def test_the_regional_pattern_fails_where_an_unclaimed_region_is_significant_in_either_direction():
    """The paper: significant in the East, West and Northeast, the Centre not significant (中部地区不显著).
    A Centre significantly negative breaks the pattern as one significantly positive does; one not
    significant, or without an estimate, does not; a claimed region without an estimate does."""
    coef = pd.Series({"East": 1.0, "Central": -1.0, "West": 1.0, "Northeast": 1.0})
    p = pd.Series({"East": 0.01, "Central": 0.01, "West": 0.01, "Northeast": 0.01})
    assert not scorecard.regional_pattern(coef, p)
    assert not scorecard.regional_pattern(coef.replace(-1.0, 1.0), p)
    assert scorecard.regional_pattern(coef, p.where(p.index != "Central", 0.2))
    assert scorecard.regional_pattern(coef, p.where(p.index != "Central", np.nan))
    assert not scorecard.regional_pattern(coef, p.where(p.index != "Central", 0.2).where(p.index != "West", np.nan))


def test_verdict_text():
    strong = fit({"digital": 0.7, "Constant": 0.5}, {"digital": 0.1, "Constant": 0.1})
    weak = fit({"digital": 0.7, "Constant": 0.5}, {"digital": 0.5, "Constant": 0.1})
    assert scorecard.verdict(strong, "digital") == "supported"
    assert scorecard.verdict(weak, "digital", alpha=0.1) == "not supported at 10 %"


def test_verdicts_show_the_multiverse_share_beside_them(tmp_path):
    """with_multiverse puts notebook 11's shares beside each claim, at the level 11 used, and the two-way
    counts, which a share rounded to four decimals can hide (4 of 20,000)."""
    pd.DataFrame({"claim": ["H1", "H1", "H1", "H2", "H2", "H2", "regional pattern", "regional pattern", "regional pattern"],
                  "universe": ["full", "full, two-way FE only", "core"] * 3,
                  "supports": [0.3, 0.05, 0.4, 0.2, 0.1, 0.25, 0.01, 0.0, 0.04],
                  "specifications": [10, 20000, 10] * 3, "supporting": [3, 1000, 4, 2, 2000, 2, 0, 4, 0],
                  "joint p (core)": [None, None, 0.01, None, None, 0.3, None, None, 0.02]}).to_csv(tmp_path / "11_numbers.csv", index=False)
    (tmp_path / "11_numbers.settings.json").write_text('{"alpha": 0.1}')
    verdicts = pd.DataFrame({"claim": list(scorecard.MULTIVERSE_CLAIMS), "holds in our data": [False, False, True]})
    table = scorecard.with_multiverse(verdicts, tmp_path)
    assert table["multiverse share supporting at 10 %"].tolist() == [0.3, 0.2, 0.01]
    assert table["two-way FE only"].tolist() == [0.05, 0.1, 0.0]
    assert table["two-way FE only, supporting"].tolist() == ["1,000 of 20,000", "2,000 of 20,000", "4 of 20,000"]
    assert table["joint p (core, every estimator)"].tolist() == [0.01, 0.3, 0.02]


def test_the_scorecard_refuses_estimates_made_with_different_settings(tmp_path):
    """A notebook rerun alone with another index or other standard errors: the scorecard would mix it.
    The wild bootstrap is clustered whatever the run's errors: its record's cov_type is not compared."""
    same = '{"tfp": "tfp", "digital": "digital", "virtual": "virtual", "cov_type": "cluster", "alpha": 0.05}'
    for name in paths.SCORED:
        (tmp_path / f"{name}.settings.json").write_text(same)
    (tmp_path / "table7_wild_bootstrap.settings.json").write_text(same.replace("cluster", "unadjusted"))
    assert scorecard.estimated_with(tmp_path) == {"tfp": "tfp", "digital": "digital", "virtual": "virtual", "cov_type": "cluster"}
    (tmp_path / "table4_estimates.settings.json").write_text(same.replace('"digital": "digital"', '"digital": "digital_pca"'))
    with pytest.raises(InputError, match=r"(?s)different settings.*table4_estimates.settings.json: tfp=tfp, digital=digital_pca"):
        scorecard.estimated_with(tmp_path)
    (tmp_path / "table4_estimates.settings.json").write_text(same)
    (tmp_path / "table6_estimates.settings.json").write_text(same.replace("cluster", "unadjusted"))
    with pytest.raises(InputError, match=r"(?s)table6_estimates.settings.json: .*cov_type=unadjusted.*in JupyterLab, give "
                                         r"notebooks 05-08 the same values of these settings in their parameters cells"):
        scorecard.estimated_with(tmp_path)


def test_the_scorecard_records_the_draws_of_the_bootstrap_its_regional_verdict_reads(tmp_path):
    """Notebook 08 rerun with reps=999 and seed=7: notebook 09's exports record them, as its tables' do."""
    same = {"tfp": "tfp", "digital": "digital", "virtual": "virtual", "cov_type": "cluster", "alpha": 0.05}
    for name in paths.SCORED:
        (tmp_path / f"{name}.settings.json").write_text(json.dumps({**same, "reps": 5, "seed": 5}))
    (tmp_path / "table7_wild_bootstrap.settings.json").write_text(json.dumps({**same, "reps": 999, "seed": 7}))
    assert scorecard.estimated_with(tmp_path) == {"tfp": "tfp", "digital": "digital", "virtual": "virtual",
                                                  "cov_type": "cluster", "reps": 999, "seed": 7}


@pytest.mark.parametrize("content, message", [("{broken", r"table4_estimates.settings.json, line 1: not JSON"),
                                              ("[]", r"table4_estimates.settings.json: a JSON list, not a record")])
def test_a_damaged_settings_record_is_named(tmp_path, content, message):
    for name in paths.SCORED:
        (tmp_path / f"{name}.settings.json").write_text('{"tfp": "tfp"}')
    (tmp_path / "table4_estimates.settings.json").write_text(content)
    with pytest.raises(InputError, match=message + r".*Rerun the notebook that writes table4_estimates"):
        scorecard.estimated_with(tmp_path)


def test_a_rerun_folder_holds_every_record_the_scorecard_reads(tmp_path):
    """What the runner copies for notebook 09 (paths.CHAIN) is all estimated_with needs."""
    paths.seed(tmp_path, paths.CHAIN["09_replication_scorecard"][0])
    assert scorecard.estimated_with(tmp_path / "figures")["cov_type"] == "cluster"


def test_printed_stars_read_each_published_t_two_ways():
    """t(2) has the closed form p = 1 - |t| / sqrt(t^2 + 2); the normal p = erfc(|t| / sqrt 2)."""
    import math
    stars = scorecard.printed_stars().set_index(["table", "column", "term"])
    published = pd.concat([tables.published(t) for t in scorecard.TABLES])
    assert len(stars) == (published["statistic"] == "t").sum()
    northeast, t = stars.loc[("table7", "Northeast", "digital")], 2.9771
    assert northeast["clustered df"] == 2 and northeast["clustered p"] == pytest.approx(1 - t / math.sqrt(t * t + 2))
    assert northeast["normal p"] == pytest.approx(math.erfc(t / math.sqrt(2)))
    assert (northeast["printed"], northeast["clustered stars"], northeast["normal stars"]) == ("***", "*", "***")
    assert stars.loc[("table7", "West", "digital"), "clustered df"] == 10  # 11 provinces: Tibet is not in the sample
    assert stars.loc[("table4", "(2)", "digital"), "clustered df"] == 29


def test_the_residual_reading_has_the_degrees_of_freedom_of_a_fitted_two_way_model(analysis_panel):
    """Residual degrees of freedom from the printed N and terms, against linearmodels' df_resid of the
    same two-way models fitted with conventional errors: Table 4 (1) and (2), Table 6 (2) (the paper's
    model (2), with digital and virtual beside the product it prints), Table 7's Northeast."""
    stars = scorecard.printed_stars().set_index(["table", "column", "term"])["residual df"]
    data = analysis_panel.assign(**{"virtual x digital": analysis_panel["virtual"] * analysis_panel["digital"]})
    northeast = analysis_panel[analysis_panel["region"] == "Northeast"]
    for (table, column, term), frame, terms in [
            (("table4", "(1)", "digital"), data, ["digital"]),
            (("table4", "(2)", "digital"), data, ["digital", *panel.CONTROLS]),
            (("table6", "(2)", "virtual x digital"), data, ["virtual x digital", "digital", "virtual", *panel.CONTROLS]),
            (("table7", "Northeast", "digital"), northeast, ["digital"])]:
        fit = models.estimate(frame, "tfp", terms, cov_type="unadjusted")
        assert stars[(table, column, term)] == fit.df_resid


def test_table6_stars_do_not_depend_on_digital_and_virtual_beside_the_product():
    """Table 6 prints the product alone: counting only its printed terms, the residual degrees of
    freedom would be two more, and every printed star the same (as notebook 09 says)."""
    stars = scorecard.printed_stars().query("table == 'table6'")
    more = pd.Series(models.p_value(stars["t"], stars["residual df"] + 2), stars.index).map(tables.stars)
    assert (more == stars["printed"]).all() and (stars["residual stars"] == stars["printed"]).all()


def test_a_significance_level_that_is_not_a_number_is_named(tmp_path):
    (tmp_path / "11_numbers.csv").write_text("claim,universe,supports\nH1,full,0.3\n")
    (tmp_path / "11_numbers.settings.json").write_text('{"alpha": "x"}')
    with pytest.raises(InputError, match=r"11_numbers.settings.json: alpha is 'x', not a significance level"):
        scorecard.with_multiverse(pd.DataFrame({"claim": ["H1: digital raises TFP"]}), tmp_path)
