import numpy as np
import pandas as pd
import pytest

from helpers import models, panel, robustness
from helpers.robustness import Baseline, Check

MEASURES = {"tfp": "tfp", "digital": "digital", "virtual": "virtual"}


def baseline(analysis_panel, winsor_share=0.01, **choices):
    measures = {**MEASURES, **choices}
    return Baseline(panel.select(analysis_panel, **measures), analysis_panel, measures, winsor_share)


def digital(fit):
    return fit.params["digital"], fit.std_errors["digital"]


def test_checks_follow_the_run_and_skip_the_baseline(analysis_panel):
    default = robustness.run(baseline(analysis_panel))
    assert default.skipped == ["TFP: DEA-Malmquist", "index: entropy", "clustered errors"]
    assert list(default.fits) == ["baseline", "no filled cells (2013-2020)", "TFP: growth accounting",
                                  "TFP: urban-unit labour", "index: PCA", "index: PKU-DFIIC", "winsorised 1%/99%",
                                  "without municipalities", "Driscoll-Kraay errors"]
    solow = robustness.run(baseline(analysis_panel, tfp="tfp_solow"))
    assert solow.skipped == ["TFP: growth accounting", "index: entropy", "clustered errors"]
    # the DEA measure, now a check, is the default run's baseline; growth accounting is this run's
    assert digital(solow.fits["TFP: DEA-Malmquist"]) == pytest.approx(digital(default.fits["baseline"]))
    assert digital(solow.fits["baseline"]) == pytest.approx(digital(default.fits["TFP: growth accounting"]))
    # the other checks are taken on the run's measures
    regressors = ["digital", "gov", "cs", "open", "ur", "ind"]
    pca = models.estimate(panel.select(analysis_panel, tfp="tfp_solow", digital="digital_pca"), "tfp", regressors)
    assert digital(solow.fits["index: PCA"]) == pytest.approx(digital(pca))


def test_no_filled_cells_reestimates_a_grid_construction(analysis_panel):
    """A run with an index of the grid the panel does not carry (equal weights of the min-max
    normalised indicators) re-estimates that index on the rows without a filled cell: by hand, the
    pooled min-max over those rows only, averaged."""
    base = baseline(analysis_panel, digital="digital_equal_subs")
    kept = analysis_panel[~analysis_panel["filled"]]
    x = kept[["internet", "it_share", "telecom", "mobile", "dfiic"]]
    by_hand = ((x - x.min()) / (x.max() - x.min())).mean(axis=1)
    observed = robustness.observed(base)
    assert observed["digital"].to_numpy() == pytest.approx(by_hand.to_numpy(), rel=1e-12)
    assert not observed["digital"].equals(base.data.loc[kept.index, "digital"])  # not the full panel's, cut down
    fit = robustness.run(base).fits["no filled cells (2013-2020)"]
    direct = models.estimate(kept.assign(digital=by_hand), "tfp", ["digital", *panel.CONTROLS])
    assert digital(fit) == pytest.approx(digital(direct), rel=1e-9)


def test_checks_take_the_runs_standard_errors_and_skip_its_own(analysis_panel):
    """With Driscoll-Kraay errors for the run, that check is its baseline, clustered errors a check; the
    others use the run's errors."""
    base = baseline(analysis_panel)._replace(cov_type="driscoll_kraay")
    checked = robustness.run(base)
    assert "Driscoll-Kraay errors" in checked.skipped and "clustered errors" not in checked.skipped
    assert checked.fits["clustered errors"].cov_type == models.COV_LABELS["cluster"]
    assert {fit.cov_type for label, fit in checked.fits.items() if label != "clustered errors"} == {models.COV_LABELS["driscoll_kraay"]}
    conventional = robustness.run(baseline(analysis_panel)._replace(cov_type="unadjusted"))
    assert {"clustered errors", "Driscoll-Kraay errors"} <= set(conventional.fits)
    direct = models.estimate(robustness.winsorised(base), "tfp", list(base.regressors), cov_type="driscoll_kraay")
    assert digital(checked.fits["winsorised 1%/99%"]) == pytest.approx(digital(direct))


def test_the_winsorised_check_clips_tfp_and_every_regressor_at_their_quantiles_by_hand(analysis_panel):
    """Each of tfp and the regressors (digital and the controls) clipped at its own 1 % and 99 %
    quantiles (numpy's linear interpolation, computed here column by column); nothing else changes."""
    base = baseline(analysis_panel)
    by_hand = base.data.copy()
    for column in ["tfp", *base.regressors]:
        values = by_hand[column].to_numpy()
        by_hand[column] = np.clip(values, np.quantile(values, 0.01), np.quantile(values, 0.99))
    checked = robustness.run(base)
    sample = checked.samples["winsorised 1%/99%"]
    pd.testing.assert_frame_equal(sample, by_hand, rtol=1e-12)
    assert (sample["tfp"] != base.data["tfp"]).sum() >= 2  # both tails moved
    direct = models.estimate(by_hand, "tfp", list(base.regressors))
    assert digital(checked.fits["winsorised 1%/99%"]) == pytest.approx(digital(direct), rel=1e-9)


def test_winsorising_nothing_is_the_baseline_and_is_skipped(analysis_panel):
    checked = robustness.run(baseline(analysis_panel, winsor_share=0.0))
    assert "winsorised 0%/100%" in checked.skipped and "winsorised 0%/100%" not in checked.fits


def test_a_new_check_is_one_entry_of_checks(analysis_panel, monkeypatch):
    later = Check("from 2013", lambda base: base.data[base.data.index.get_level_values("year") >= 2013],
                  regressors=lambda base: ("digital", "gov"), cov_type="driscoll_kraay")
    monkeypatch.setattr(robustness, "CHECKS", [*robustness.CHECKS, later])
    base = baseline(analysis_panel)
    checked = robustness.run(base)
    assert list(checked.fits)[-1] == "from 2013" and len(checked.samples["from 2013"]) == 30 * 9
    direct = models.estimate(base.data.loc[(slice(None), slice(2013, 2021)), :], "tfp", ["digital", "gov"],
                             cov_type="driscoll_kraay")
    assert digital(checked.fits["from 2013"]) == pytest.approx(digital(direct))
