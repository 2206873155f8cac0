"""The multiverse: the vectorised estimator against models.estimate on random specifications (H1 and
H2, every sample, estimator and control set, grid constructions included), the null curve against an
explicitly resampled panel, the draws, the regional pattern and the joint p-value by hand."""
import numpy as np
import pandas as pd
import pytest

from helpers import models, multiverse, panel
from helpers.provinces import PROVINCES, REGIONS


@pytest.fixture(scope="module")
def wide(analysis_panel):
    return multiverse.wide(analysis_panel)


@pytest.fixture(scope="module")
def small():
    """Two outcomes, two regressors and two moderators, one of each from beyond the panel's measures,
    drawn at random; every control set, estimator and sample."""
    rng = np.random.default_rng(11)
    pick = {key: [multiverse.CHOICES[key][0], rng.choice(multiverse.CHOICES[key][3:])]
            for key in ("outcome", "regressor", "moderator")}
    return multiverse.universe(**pick)


def _close(ours, theirs):
    assert abs(ours - theirs) <= 1e-8 * max(1.0, abs(theirs)), (ours, theirs)


def _reference(frame, row, moderation):
    """models.estimate of the specification in `row` on `frame`: coefficient, se and p of its term."""
    terms = [row["regressor"]]
    if moderation:
        frame = frame[[row["outcome"], *panel.CONTROLS]].join(
            models.centred_interaction(frame, row["regressor"], row["moderator"]))
        terms = [row["regressor"], row["moderator"], f"{row['moderator']} x {row['regressor']}"]
    fit = models.estimate(frame, row["outcome"], [*terms, *multiverse.CHOICES["controls"][row["controls"]]],
                          spec=row["spec"], cov_type=row["inference"])
    return fit.params[terms[-1]], fit.std_errors[terms[-1]], fit.pvalues[terms[-1]]


@pytest.mark.parametrize("moderation", [False, True])
def test_random_specifications_equal_models_estimate(wide, small, moderation):
    curve = multiverse.curve(multiverse.frames(wide), small, moderation)
    assert len(curve) == 2 * 2 * (2 if moderation else 1) * 2 * 4 * 5 * 2
    for i in np.random.default_rng(7).choice(len(curve), 40, replace=False):
        row = curve.iloc[i]
        coef, se, p = _reference(multiverse.sample(wide, row["sample"]), row, moderation)
        _close(row["coef"], coef)
        _close(row["se"], se)
        _close(row["p"], p)


def test_null_curve_equals_the_resampled_panel_with_the_effect_removed(wide, small, analysis_panel):
    frames = multiverse.frames(wide, ["no municipalities"])
    u = {**small, "spec": ["twoway", "pooled"]}
    observed = multiverse.curve(frames, u)
    draw = multiverse.draws(analysis_panel, 1, seed=3)[0]
    b, se, df = multiverse.estimates(multiverse.prepared(frames), u, draw=draw)
    t, p = multiverse._null_t(b, se, df, observed["coef"].to_numpy())
    frame = frames["no municipalities"]
    for i in [0, 5, len(observed) - 2, len(observed) - 1]:
        row = observed.iloc[i]
        # y - b x on the drawn provinces, each pick a province of its own
        null = frame.assign(y=frame[row["outcome"]] - row["coef"] * frame[row["regressor"]])
        picks = [null.xs(p, level="province", drop_level=False) for p in draw if p in frame.index.get_level_values(0)]
        resampled = pd.concat([pick.rename(index=lambda name: f"{name}#{k}", level="province")
                               for k, pick in enumerate(picks)])
        fit = models.estimate(resampled, "y", [row["regressor"], *multiverse.CHOICES["controls"][row["controls"]]],
                              spec=row["spec"], cov_type=row["inference"])
        _close(b[i] - row["coef"], fit.params[row["regressor"]])
        _close(t[i], fit.tstats[row["regressor"]])
        _close(p[i], fit.pvalues[row["regressor"]])
        assert df[i] == fit.df_resid


def test_draws_keep_each_regions_provinces_and_size(analysis_panel):
    drawn = multiverse.draws(analysis_panel, 5, seed=1)
    region = PROVINCES.set_index("province")["region"]
    sizes = analysis_panel.reset_index().groupby("region")["province"].nunique()
    for draw in drawn:
        assert region[draw].value_counts().to_dict() == sizes.to_dict()
    assert len({tuple(d) for d in drawn}) == 5
    np.testing.assert_array_equal(drawn, multiverse.draws(analysis_panel, 5, seed=1))


def test_pattern_and_joint_p_by_hand():
    frame = pd.DataFrame({f"{r} {s}": values for r, s, values in [
        ("East", "t", [3.0, 3.0, 3.0]), ("East", "p", [0.01, 0.01, 0.01]),
        ("Central", "t", [1.0, 3.0, -3.0]), ("Central", "p", [0.4, 0.01, 0.01]),
        ("West", "t", [3.0, 3.0, 3.0]), ("West", "p", [0.01, 0.01, 0.01]),
        ("Northeast", "t", [3.0, 3.0, 3.0]), ("Northeast", "p", [0.04, 0.01, 0.01])]})
    # Central positive and significant breaks the pattern; negative and significant does not.
    assert multiverse.pattern(frame, REGIONS).tolist() == [True, False, True]
    assert multiverse.joint_p(0.5, pd.Series([0.1, 0.5, 0.7, 0.2])) == 3 / 5


def test_clusters_must_be_contiguous():
    with pytest.raises(ValueError, match="contiguous"):
        multiverse.slopes(np.ones((4, 1)), np.arange(4.0)[:, None], np.array([0, 1, 0, 1]), 2)


def test_core_universe_keeps_the_panels_own_measures():
    core = multiverse.universe(core=True)
    assert core["outcome"] == ["tfp", "tfp_solow", "tfp_urban"]
    assert core["moderator"] == ["virtual", "virtual_software"]


def test_by_option_groups_constructions_by_family_and_counts_support_by_hand():
    frame = pd.DataFrame({"outcome": ["tfp", "tfp_solow", "tfp_urban", "tfp_solow"],
                          "regressor": ["digital", "digital_pca", "digital_dfiic", "digital"],
                          "controls": ["none", "five", "none", "five"], "spec": ["twoway"] * 4,
                          "sample": ["full"] * 4, "inference": ["cluster"] * 4,
                          "coef": [1.0, 2.0, -1.0, 3.0], "p": [0.01, 0.2, 0.01, 0.04], "std": [0.1, 0.2, -0.1, 0.3]})
    table = multiverse.by_option(frame, alpha=0.05)
    # tfp and tfp_urban are Malmquist indices, tfp_solow growth accounting
    assert table.loc[("outcome", "malmquist"), "specifications"] == 2
    assert table.loc[("outcome", "malmquist"), "positive and significant"] == 0.5
    assert table.loc[("outcome", "growth"), "positive and significant"] == 0.5
    assert table.loc[("regressor", "single"), "positive"] == 0.0
    assert table.loc[("controls", "five"), "mean std"] == pytest.approx(0.25)


def test_regional_pattern_reads_the_papers_claim_at_the_same_level():
    """At 5 % the paper claims East, West and Northeast (***); at 0.5 % no printed star is strict
    enough, so the pattern holds exactly where no region of ours is significant."""
    frame = pd.DataFrame({f"{r} {s}": v for r, (t, p) in {"East": (3.0, 0.001), "Central": (1.0, 0.3),
                                                         "West": (2.5, 0.02), "Northeast": (2.8, 0.004)}.items()
                          for s, v in (("t", [t]), ("p", [p]))})
    assert multiverse.pattern(frame, REGIONS, 0.05).tolist() == [True]
    assert multiverse.pattern(frame, REGIONS, 0.005).tolist() == [False]
    assert multiverse.pattern(frame.assign(**{"East p": [0.5], "Northeast p": [0.5]}), REGIONS, 0.005).tolist() == [True]
