"""The multiverse: the vectorised estimator against models.estimate on random specifications (H1 and
H2, every sample, estimator and control set, grid constructions included), the null curve against an
explicitly resampled panel, the draws, the regional pattern and the joint p-value by hand."""
import numpy as np
import pandas as pd
import pytest
from linearmodels.panel.utility import AbsorbingEffectError
from scipy import stats

from helpers import constructions, models, multiverse, panel, robustness
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
    frames = multiverse.frames(wide)
    curve = multiverse.curve(frames, small, moderation)
    assert len(curve) == 2 * 2 * (2 if moderation else 1) * 2 * 4 * 5 * 2
    for i in np.random.default_rng(7).choice(len(curve), 40, replace=False):
        row = curve.iloc[i]
        coef, se, p = _reference(frames[row["sample"]], row, moderation)
        _close(row["coef"], coef)
        _close(row["se"], se)
        _close(row["p"], p)
        sd = frames[row["sample"]].std(numeric_only=True)  # the std scale: coef x sd(regressor) [x sd(moderator)] / sd(outcome)
        scale = sd[row["regressor"]] * (sd[row["moderator"]] if moderation else 1) / sd[row["outcome"]]
        _close(row["std"], coef * scale)


def _resampled(frame, draw):
    """The provinces of `draw` that `frame` holds, each pick a province of its own (name#k)."""
    held = set(frame.index.get_level_values("province"))
    picks = [frame.xs(p, level="province", drop_level=False) for p in draw if p in held]
    out = pd.concat(picks)
    k = np.repeat(np.arange(len(picks)), [len(pick) for pick in picks]).astype(str)
    out.index = pd.MultiIndex.from_arrays([out.index.get_level_values("province") + "#" + k,
                                           out.index.get_level_values("year")], names=out.index.names)
    return out


@pytest.mark.parametrize("moderation", [False, True])
def test_every_draw_equals_models_estimate_on_the_resampled_panel(wide, small, analysis_panel, moderation):
    """Random specifications of every sample (each balanced: no filled cells 2013-2020, digital lagged
    2012-2021; no municipalities: draws with fewer provinces), estimator and control set, on random
    draws."""
    frames = multiverse.frames(wide)
    drawn = multiverse.draws(analysis_panel, 4, seed=3)
    b, se, df = multiverse.drawn_estimates(multiverse.prepared(frames), small, drawn, moderation)
    curve = multiverse.analytic(multiverse.curve(frames, small, moderation))
    assert b.shape == se.shape == df.shape == (4, len(curve))
    rng = np.random.default_rng(5)
    for d, i in zip(rng.integers(4, size=40), rng.choice(len(curve), 40, replace=False)):
        row = curve.iloc[i]
        coef, se_, p = _reference(_resampled(frames[row["sample"]], drawn[d]), row, moderation)
        _close(b[d, i], coef)
        _close(se[d, i], se_)
        _close(2 * stats.t.sf(abs(b[d, i] / se[d, i]), df[d, i]), p)


def test_a_panel_whose_first_province_starts_late_keeps_its_years_in_calendar_order(wide, small, analysis_panel):
    """Driscoll-Kraay multiplies the scores of neighbouring years: with the first province's 2011 and
    2012 dropped, years numbered as they first appear would put 2011 and 2012 after 2021. Every
    Driscoll-Kraay specification (clustered errors do not depend on the years' order), H1 and H2,
    observed and on random draws, against models.estimate."""
    full = multiverse.frames(wide, ["full"])["full"]
    province, year = (full.index.get_level_values(level) for level in ("province", "year"))
    frames = {"full": full[~((province == province[0]) & (year <= year.min() + 1))]}
    u = {**small, "spec": ["twoway", "pooled"]}
    drawn = multiverse.draws(analysis_panel, 2, seed=4)
    resampled = [_resampled(frames["full"], draw) for draw in drawn]
    for moderation in (False, True):
        curve = multiverse.curve(frames, u, moderation)
        assert set(curve["inference"]) == {"cluster", "driscoll_kraay"}
        b, se, _ = multiverse.drawn_estimates(multiverse.prepared(frames), u, drawn, moderation)
        for i, row in curve[curve["inference"] == "driscoll_kraay"].iterrows():
            coef, se_, _ = _reference(frames["full"], row, moderation)
            _close(row["coef"], coef)
            _close(row["se"], se_)
            coef, se_, _ = _reference(resampled[i % 2], row, moderation)
            _close(b[i % 2, i], coef)
            _close(se[i % 2, i], se_)


def test_null_curve_equals_the_resampled_panel_with_the_effect_removed(wide, small, analysis_panel):
    frames = multiverse.frames(wide, ["no municipalities"])
    u = {**small, "spec": ["twoway", "pooled"]}
    observed = multiverse.curve(frames, u)
    draw = multiverse.draws(analysis_panel, 1, seed=3)
    b, se, df = multiverse.drawn_estimates(multiverse.prepared(frames), u, draw)
    t, p = multiverse._null_t(b[0], se[0], df[0], observed["coef"].to_numpy())
    frame = frames["no municipalities"]
    for i in [0, 5, len(observed) - 2, len(observed) - 1]:
        row = observed.iloc[i]
        null = frame.assign(y=frame[row["outcome"]] - row["coef"] * frame[row["regressor"]])  # y - b x
        fit = models.estimate(_resampled(null, draw[0]), "y", [row["regressor"], *multiverse.CHOICES["controls"][row["controls"]]],
                              spec=row["spec"], cov_type=row["inference"])
        _close(b[0, i] - row["coef"], fit.params[row["regressor"]])
        _close(t[i], fit.tstats[row["regressor"]])
        _close(p[i], fit.pvalues[row["regressor"]])
        assert df[0, i] == fit.df_resid


def test_a_draw_that_leaves_digital_no_variation_of_its_own_gives_no_estimate(wide):
    """One Northeast province drawn three times: beside year effects every pick is the same, and the
    regression has nothing to estimate from; with province effects alone it has a coefficient
    (models.estimate's), but its picks' scores cancel, and the clustered variance is rounding error
    (estimate's standard error below 1e-10 of the coefficient): no test."""
    frames = multiverse.in_region(multiverse.frames(wide, ["full"]), "Northeast")
    u = multiverse.universe(core=True, spec=["twoway", "pooled_year", "province_fe"], inference=["cluster"])
    drawn = np.array([["Liaoning"] * 3])
    b, se, _ = multiverse.drawn_estimates(multiverse.prepared(frames), u, drawn)
    curve = multiverse.curve(frames, u)
    alone = (curve["spec"] == "province_fe").to_numpy()
    assert np.isnan(b[0, ~alone]).all() and np.isnan(se[0]).all()
    for i in np.flatnonzero(alone):
        coef, se_, _ = _reference(_resampled(frames["full"], drawn[0]), curve.iloc[i], False)
        _close(b[0, i], coef)
        assert abs(se_) < 1e-10 * abs(coef)


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")  # linearmodels, on the degenerate draws
def test_a_draw_whose_clustered_scores_cancel_is_no_test_with_clustered_errors(wide):
    """Two Northeast provinces drawn (one twice) beside year effects: the year effects and the
    normal equation set every pick's score to zero, so the clustered variance is rounding error
    (models.estimate's standard error NaN or below 1e-3 of the same specification's Driscoll-Kraay
    one) and the standard error NaN here, and _null_t gives no t; the coefficient and the
    Driscoll-Kraay error are estimate's. With province effects alone the clustered error is estimate's."""
    frames = multiverse.in_region(multiverse.frames(wide, ["full"]), "Northeast")
    u = multiverse.universe(core=True, spec=["twoway", "pooled_year", "province_fe"])
    drawn = np.array([["Liaoning", "Liaoning", "Jilin"]])
    b, se, df = multiverse.drawn_estimates(multiverse.prepared(frames), u, drawn)
    curve = multiverse.analytic(multiverse.curve(frames, u))
    resampled = _resampled(frames["full"], drawn[0])
    degenerate = ((curve["inference"] == "cluster") & (curve["spec"] != "province_fe")).to_numpy()
    assert degenerate.sum() == len(curve) / 3 and np.isnan(se[0, degenerate]).all() and np.isfinite(se[0, ~degenerate]).all()
    assert np.isnan(multiverse._null_t(b[0], se[0], df[0], curve["coef"].to_numpy())[0][degenerate]).all()
    driscoll_kraay = {tuple(row[KEYS_BUT_INFERENCE]): se[0, i] for i, (_, row) in enumerate(curve.iterrows())
                      if row["inference"] == "driscoll_kraay"}
    for i, (_, row) in enumerate(curve.iterrows()):
        coef, se_, _ = _reference(resampled, row, False)
        _close(b[0, i], coef)
        if degenerate[i]:
            assert not abs(se_) >= 1e-3 * driscoll_kraay[tuple(row[KEYS_BUT_INFERENCE])]
        else:
            _close(se[0, i], se_)


KEYS_BUT_INFERENCE = [key for key in multiverse.KEYS if key != "inference"]


@pytest.mark.parametrize("spec", ["twoway", "pooled_year"])
def test_every_draw_of_two_provinces_beside_year_effects_is_no_clustered_test(wide, spec):
    """The case above, where the year effects set every pick's score to zero (multiverse.drawn_block
    says why), in the moderation model with every construction and the five controls, on the sample
    without filled cells (provinces of unequal length): there the few products left with variation of
    their own have scores that cancel only up to rounding errors larger than those the test of squares
    recognises. No draw of two Northeast provinces gets a clustered error."""
    frame = multiverse.in_region(multiverse.frames(wide, ["no filled cells"]), "Northeast")["no filled cells"]
    sample, u = multiverse.Sample(frame), multiverse.universe()
    provinces = list(sample.provinces)
    drawn = np.array([[a, a, b] for a in provinces for b in provinces if a != b])
    b, inference = multiverse.drawn_block(sample, sample.counts(drawn), u["outcome"], u["regressor"], panel.CONTROLS,
                                          spec, u["moderator"])
    assert np.isfinite(b).any() and np.isnan(inference["cluster"][0]).all()


def test_draws_keep_each_regions_provinces_and_size(analysis_panel):
    drawn = multiverse.draws(analysis_panel, 5, seed=1)
    region = PROVINCES.set_index("province")["region"]
    sizes = analysis_panel.reset_index().groupby("region")["province"].nunique()
    for draw in drawn:
        assert region[draw].value_counts().to_dict() == sizes.to_dict()
        assert len(set(draw)) < len(draw)  # with replacement: a draw of 30 without a repeat has p < 4e-4
    assert len({tuple(d) for d in drawn}) == 5
    np.testing.assert_array_equal(drawn, multiverse.draws(analysis_panel, 5, seed=1))


def test_pattern_and_joint_p_by_hand():
    frame = pd.DataFrame({f"{r} {s}": values for r, s, values in [
        ("East", "t", [3.0, 3.0, 3.0]), ("East", "p", [0.01, 0.01, 0.01]),
        ("Central", "t", [1.0, 3.0, -3.0]), ("Central", "p", [0.4, 0.01, 0.01]),
        ("West", "t", [3.0, 3.0, 3.0]), ("West", "p", [0.01, 0.01, 0.01]),
        ("Northeast", "t", [3.0, 3.0, 3.0]), ("Northeast", "p", [0.04, 0.01, 0.01])]})
    # Central significant breaks the pattern in either direction: the paper says not significant.
    assert multiverse.pattern(frame, REGIONS).tolist() == [True, False, False]
    assert multiverse.joint_p(0.5, pd.Series([0.1, 0.5, 0.7, 0.2])) == 3 / 5
    assert multiverse.joint_p(0.5, pd.Series([0.1, 0.5, np.nan, 0.2])) == 2 / 4  # a draw without a test left out


def test_a_specification_a_draw_cannot_test_counts_neither_way():
    """Draw 1: two of three testable, one holds (1/2); draw 2: none testable (NaN); draw 3: all
    testable, two hold."""
    held = np.array([[True, True, False], [True, False, False], [True, True, False]])
    testable = np.array([[True, False, True], [False, False, False], [True, True, True]])
    np.testing.assert_array_equal(multiverse.testable_share(held, testable), [0.5, np.nan, 2 / 3])


def test_clusters_must_be_contiguous():
    with pytest.raises(ValueError, match="contiguous"):
        multiverse.slopes(np.ones((4, 1)), np.arange(4.0)[:, None], np.array([0, 1, 0, 1]), 2, np.array([0, 0, 1, 1]))


def _one(**only):
    """The paper's own path alone (Table 4 (2), Table 6 (2)), with the options `only` changes."""
    path = {key: [option] for key, option in multiverse.PUBLISHED_PATH.items() if key not in ("sample", "controls")}
    return multiverse.universe(core=True, **{**path, "controls": {"five": panel.CONTROLS}, **only})


def test_a_missing_value_is_refused_naming_the_sample_the_column_and_the_row(wide):
    full = multiverse.frames(wide, ["full"])["full"].copy()
    full.loc[("Hebei", 2015), "ur"] = np.nan
    with pytest.raises(ValueError, match="sample 'full': ur is missing for Hebei 2015"):
        multiverse.curve({"full": full}, _one())


@pytest.mark.parametrize("moderation", [False, True])
def test_a_control_or_regressor_the_model_absorbs_is_refused_as_models_estimate_refuses_it(wide, moderation):
    """A control constant within province beside province effects (exactly, or up to 1e-7 of its size)
    drops out of the projection but would count in K; a digital index constant within province has no variation of its own; a
    moderator equal to twice digital plus a province constant has none beside digital. Each case
    gives a ratio of rounding errors unless refused."""
    full = multiverse.frames(wide, ["full"])["full"]
    by_province = full.groupby(level="province")
    cases = [(full.assign(ur=by_province["ur"].transform("mean")), "for ur ", ["digital"]),
             (full.assign(ur=by_province["ur"].transform("mean") * (1 + 1e-7 * np.sin(np.arange(len(full))))),
              "for ur ", ["digital"]),  # not exactly collinear (test_bootstrap checks the threshold itself)
             (full.assign(digital=by_province["digital"].transform("mean")), "for digital", ["digital"])]
    if moderation:
        cases.append((full.assign(virtual=2 * full["digital"] + by_province["ur"].transform("mean")),
                      r"for virtual \(beside digital\)", ["digital", "virtual"]))
    for frame, message, terms in cases:
        with pytest.raises(ValueError, match=f"sample 'full', twoway: .*{message}"):
            multiverse.curve({"full": frame}, _one(), moderation)
        with pytest.raises(AbsorbingEffectError):  # the reference refuses the same model
            models.estimate(frame, "tfp", [*terms, *panel.CONTROLS], spec="twoway")


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


def test_no_filled_cells_reestimates_each_index_as_notebook_06(wide, analysis_panel):
    """The sample's digital and digital_pca are robustness.observed's: the index re-estimated on the
    rows without a filled cell (panel.digital_indices), not the full panel's index cut down."""
    kept = multiverse.sample(wide, "no filled cells")
    base = robustness.Baseline(analysis_panel, analysis_panel, {"tfp": "tfp", "digital": "digital", "virtual": "virtual"}, 0.01)
    indices, _, _ = panel.digital_indices(analysis_panel.loc[~analysis_panel["filled"], panel.INDICATORS])
    pd.testing.assert_series_equal(kept["digital"], robustness.observed(base)["digital"], rtol=1e-10)
    pd.testing.assert_series_equal(kept["digital_pca"], indices["digital_pca"], rtol=1e-10, check_names=False)
    assert not np.allclose(kept["digital"], wide.loc[kept.index, "digital"])
    pd.testing.assert_series_equal(kept["digital_dfiic"], wide.loc[kept.index, "digital_dfiic"])  # no estimation


def _design(wide, rng):
    """A random region, sample, estimator, control set, outcome and regressor."""
    region, name, spec = rng.choice(REGIONS), rng.choice(multiverse.SAMPLES), rng.choice(models.SPECS)
    controls = rng.choice(["none", "five"])
    outcome, regressor = rng.choice(multiverse.CHOICES["outcome"]), rng.choice(multiverse.CHOICES["regressor"])
    frame = multiverse.in_region(multiverse.frames(wide, [name]), region)[name]
    return frame, str(spec), list(multiverse.CHOICES["controls"][controls]), str(outcome), str(regressor)


@pytest.mark.parametrize("region", ["Northeast", "West"])
@pytest.mark.parametrize("controls", ["none", "five"])
def test_wild_block_draws_equal_models_wild_cluster_bootstrap(wide, region, controls):
    """Two-way, full sample: every t* (exact enumeration in the Northeast's 3 provinces, 9,999 seeded
    draws in the West's 11) and the p-value equal models.wild_cluster_bootstrap's. Both run
    models.wild_restricted, so this checks how the block assembles outcomes, regressors and controls;
    the draws themselves are checked against a brute force below and in tests/test_bootstrap.py."""
    frame = multiverse.in_region(multiverse.frames(wide, ["full"]), region)["full"]
    columns = list(multiverse.CHOICES["controls"][controls])
    b, se, t_star, exact = multiverse.wild_block(multiverse.Sample(frame), ["tfp", "tfp_solow"], ["digital"], columns, "twoway")
    for j, outcome in enumerate(["tfp", "tfp_solow"]):
        boot = models.wild_cluster_bootstrap(frame, outcome, ["digital", *columns], "digital")
        assert exact == boot.exact == (region == "Northeast")
        _close(b[0, j] / se[0, j], boot.statistic)
        np.testing.assert_allclose(t_star[:, 0, j], boot.star, rtol=1e-8, atol=1e-8)
        assert models.bootstrap_p(b[0, j] / se[0, j], t_star[:, 0, j]) == boot.pvalue


def test_wild_block_draws_equal_a_brute_force_bootstrap_on_random_designs(wide):
    """Any estimator and sample: the first draws' t* equal those of y* = y - u_r + v_g u_r (u_r the
    residual of the restricted model, by least squares on explicit dummies) re-estimated with
    models.estimate, over random designs."""
    rng = np.random.default_rng(2024)
    for _ in range(6):
        frame, spec, controls, outcome, regressor = _design(wide, rng)
        frame = frame.dropna(subset=[outcome, regressor, *controls])
        _, _, t_star, _ = multiverse.wild_block(multiverse.Sample(frame), [outcome], [regressor], controls, spec)
        province, year = (frame.index.get_level_values(level) for level in ("province", "year"))
        dummies = [np.ones((len(frame), 1))]
        if spec in ("twoway", "province_fe"):
            dummies.append(pd.get_dummies(province).to_numpy(float))
        if spec in ("twoway", "pooled_year"):
            dummies.append(pd.get_dummies(year).to_numpy(float))
        Z = np.hstack([*dummies, frame[controls].to_numpy()])
        y = frame[outcome].to_numpy()
        u_r = y - Z @ np.linalg.lstsq(Z, y, rcond=None)[0]
        v, _ = models._draws(models.WEIGHTS["webb"], province.nunique(), 9999, models.config.BOOTSTRAP["seed"])
        weight = dict(zip(pd.unique(province), range(province.nunique())))
        for d in range(8):
            star = frame.assign(y_star=y - u_r + v[d, [weight[p] for p in province]] * u_r)
            fit = models.estimate(star, "y_star", [regressor, *controls], spec=spec, cov_type="cluster")
            _close(t_star[d, 0, 0], fit.tstats[regressor])


def test_wild_bootstrap_enters_the_core_where_clusters_are_few(wide):
    """The core universe's regional curve has a wild bootstrap row per analytic clustered row, with
    the same coef and se; the national curve has none (30 and 26 provinces); the full universe none."""
    core = multiverse.universe(core=True, spec=["twoway", "pooled"], sample=["full", "no municipalities"])
    assert "wild_bootstrap" not in multiverse.universe()["inference"]
    frames = multiverse.frames(wide, core["sample"])
    national = multiverse.curve(frames, core)
    assert set(national["inference"]) == {"cluster", "driscoll_kraay"}
    east = multiverse.curve(multiverse.in_region(frames, "East"), core)
    clustered, boot = (east[east["inference"] == i].reset_index(drop=True) for i in ("cluster", "wild_bootstrap"))
    assert len(boot) == len(clustered) == len(east) / 3
    provinces = {name: frame[frame["region"] == "East"].index.get_level_values("province").nunique()
                 for name, frame in frames.items()}
    assert (boot["df"] == boot["sample"].map(provinces).astype(int) - 1).all()  # G - 1
    pd.testing.assert_frame_equal(boot[["outcome", "regressor", "controls", "spec", "sample", "coef", "se"]],
                                  clustered[["outcome", "regressor", "controls", "spec", "sample", "coef", "se"]])
    row = boot[(boot["spec"] == "twoway") & (boot["sample"] == "full") & (boot["controls"] == "five")
               & (boot["outcome"] == "tfp") & (boot["regressor"] == "digital")].iloc[0]
    frame = frames["full"][frames["full"]["region"] == "East"]
    assert row["p"] == models.wild_cluster_bootstrap(frame, "tfp", ["digital", *panel.CONTROLS], "digital").pvalue


def test_basis_spans_a_rank_deficient_design():
    """A constant beside every dummy: the basis has the rank, and projects as least squares does."""
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(4), 3)
    Z = np.hstack([np.ones((12, 1)), np.eye(4)[groups], rng.normal(size=(12, 1))])
    U = models.basis(Z)
    assert U.shape[1] == 5
    y = rng.normal(size=12)
    np.testing.assert_allclose(y - U @ (U.T @ y), y - Z @ np.linalg.lstsq(Z, y, rcond=None)[0], atol=1e-12)


def test_normal_equations_of_collinear_columns_give_the_projection_of_models_basis():
    rng = np.random.default_rng(2)
    Z, y = rng.normal(size=(40, 4)), rng.normal(size=(40, 2))
    collinear = np.hstack([Z, 2 * Z[:, :1] + Z[:, 1:2]])
    U = models.basis(collinear)
    fitted = collinear @ multiverse._normal_solve((collinear.T @ collinear)[None], (collinear.T @ y)[None])[0]
    np.testing.assert_allclose(fitted, U @ (U.T @ y), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(multiverse._normal_solve((Z.T @ Z)[None], (Z.T @ y)[None])[0],
                               np.linalg.solve(Z.T @ Z, Z.T @ y), rtol=1e-10)


def test_affine_copies_are_the_rescaled_indices_and_repeat_their_t_statistics(wide):
    """The min-max rescalings of the PCA indices, and no other construction; each gives the t statistic
    of the index it rescales (models.estimate, two-way, with the controls)."""
    copies = multiverse.affine_copies(wide)
    assert copies == [n for n in multiverse.CHOICES["regressor"]
                      if dict(constructions.BY_NAME[n].options).get("method") == "pca_minmax"]
    for copy in copies:
        indicators = dict(constructions.BY_NAME[copy].options)["indicators"]
        original = next(n for n in multiverse.CHOICES["regressor"]
                        if constructions.BY_NAME[n].options == (("indicators", indicators), ("method", "pca")))
        t = [models.estimate(wide, "tfp", [x, *panel.CONTROLS]).tstats[x] for x in (original, copy)]
        _close(t[1], t[0])


def test_once_drops_every_specification_with_a_copy():
    frame = pd.DataFrame({"outcome": ["a", "a", "b"], "regressor": ["x", "x2", "x"], "coef": [1.0, 2.0, 3.0]})
    assert multiverse.once(frame, ["x2", "b"])["coef"].tolist() == [1.0]


def test_published_estimates_on_the_std_scale_by_hand():
    """Table 4 (2): 0.708 x sd(digital) 0.110 / sd(tfp) 0.283; Table 6 (2): 0.134 x 0.110 x sd(virtual)
    1.525 / 0.283 (Table 2's printed standard deviations)."""
    assert multiverse.published_std("H1") == pytest.approx((0.708, 0.708 * 0.110 / 0.283))
    assert multiverse.published_std("H2") == pytest.approx((0.134, 0.134 * 0.110 * 1.525 / 0.283))
