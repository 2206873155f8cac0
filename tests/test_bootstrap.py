"""The wild cluster bootstrap against a brute force: for every weight vector, a dummy-variable
regression of y* on X with province and year dummies and its own clustered sandwich."""
import itertools

import numpy as np
import pandas as pd
import pytest

from helpers import models


def design(seed: int, n_groups: int, n_years: int, k: int, effect: float) -> pd.DataFrame:
    """A balanced panel with province and year effects, k regressors x0..x{k-1} and y = effect x0 + e."""
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product([[f"p{g}" for g in range(n_groups)], range(2011, 2011 + n_years)],
                                       names=["province", "year"])
    frame = pd.DataFrame(rng.normal(size=(len(index), k)), index=index, columns=[f"x{i}" for i in range(k)])
    province_effect = np.repeat(rng.normal(size=n_groups), n_years)
    year_effect = np.tile(rng.normal(size=n_years), n_groups)
    noise = rng.normal(size=len(index)) * np.repeat(rng.uniform(0.5, 2.0, size=n_groups), n_years)
    return frame.assign(y=effect * frame["x0"] + province_effect + year_effect + noise)


def dummy_matrix(frame: pd.DataFrame, x: list[str]) -> np.ndarray:
    """[x, constant, province dummies but the first, year dummies but the first]."""
    province = frame.index.get_level_values("province")
    year = frame.index.get_level_values("year")
    return np.column_stack([frame[x].to_numpy(), np.ones(len(frame)),
                            pd.get_dummies(province, drop_first=True, dtype=float).to_numpy(),
                            pd.get_dummies(year, drop_first=True, dtype=float).to_numpy()])


def brute_force(frame: pd.DataFrame, x: list[str], test: str, weight_vectors: np.ndarray) -> tuple[float, np.ndarray]:
    """t and every t* of `test` (regressions)."""
    return regressions(frame, x, [test], weight_vectors, lambda b, v: b[0] / np.sqrt(v[0, 0]))


def brute_force_wald(frame: pd.DataFrame, x: list[str], terms: list[str], weight_vectors: np.ndarray) -> tuple[float, np.ndarray]:
    """F and every F* of the Wald test of `terms`, F = b' V^-1 b / q (regressions)."""
    return regressions(frame, x, terms, weight_vectors, lambda b, v: b @ np.linalg.solve(v, b) / len(b))


def regressions(frame: pd.DataFrame, x: list[str], terms: list[str], weight_vectors: np.ndarray, statistic):
    """statistic(b, V) of the coefficients of `terms` on the data and on every y* = restricted fit +
    v_g x restricted residual (the restricted fit without `terms`), each from its own dummy-variable
    regression and clustered sandwich with G/(G-1) (N-1)/(N-K), K = slopes + constant + year dummies
    (province dummies nested in clusters)."""
    groups = pd.factorize(frame.index.get_level_values("province"))[0]
    n, n_groups = len(frame), groups.max() + 1
    k = len(x) + frame.index.get_level_values("year").nunique()
    full, tested = dummy_matrix(frame, x), [x.index(term) for term in terms]
    restricted = np.delete(full, tested, axis=1)

    def of(y):
        bread = np.linalg.pinv(full.T @ full)
        beta = bread @ full.T @ y
        scores = np.array([full[groups == g].T @ (y - full @ beta)[groups == g] for g in range(n_groups)])
        v = bread @ scores.T @ scores @ bread * n_groups / (n_groups - 1) * (n - 1) / (n - k)
        return statistic(beta[tested], v[np.ix_(tested, tested)])

    y = frame["y"].to_numpy()
    fitted_r = restricted @ np.linalg.lstsq(restricted, y, rcond=None)[0]
    return of(y), np.array([of(fitted_r + (y - fitted_r) * w[groups]) for w in weight_vectors])


DESIGNS = [(seed, 3 + seed % 3, 4 + seed % 4, 1 + seed % 3, [0.0, 0.3, 1.0][seed % 3]) for seed in range(30)]


@pytest.mark.parametrize("seed,n_groups,n_years,k,effect", DESIGNS)
def test_every_t_star_equals_a_dummy_variable_regression(seed, n_groups, n_years, k, effect):
    """Exact enumeration, Rademacher and Webb weights, 30 random designs with G = 3-5."""
    frame = design(seed, n_groups, n_years, k, effect)
    x = list(frame.columns[:-1])
    test = x[seed % k]
    for weights in ("rademacher", "webb"):
        values = models.WEIGHTS[weights]
        if len(values) ** n_groups > 1296:  # Webb with 5 clusters: 7,776 regressions; Rademacher covers G = 5
            continue
        boot = models.wild_cluster_bootstrap(frame, "y", x, test, reps=9999, weights=weights)
        vectors = np.array(list(itertools.product(values, repeat=n_groups)))
        t, t_star = brute_force(frame, x, test, vectors)
        assert boot.exact and boot.reps == len(vectors)
        assert boot.statistic == pytest.approx(t, rel=1e-9)
        np.testing.assert_allclose(boot.star, t_star, rtol=1e-8, atol=1e-10)
        assert boot.pvalue == pytest.approx(np.mean(np.abs(t_star) >= abs(t) * (1 - 1e-9)))


def test_observed_t_is_the_clustered_t_of_estimate():
    frame = design(7, 6, 8, 2, 0.5)
    boot = models.wild_cluster_bootstrap(frame, "y", ["x0", "x1"], "x0", reps=999)
    assert boot.statistic == pytest.approx(models.estimate(frame, "y", ["x0", "x1"]).tstats["x0"], rel=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_monte_carlo_t_star_equal_brute_force_on_the_same_draws(seed):
    """Webb weights, G = 6 (46,656 vectors > reps): the seeded draws, each t* by brute force."""
    frame = design(100 + seed, 6, 5, 2, 0.2)
    boot = models.wild_cluster_bootstrap(frame, "y", ["x0", "x1"], "x0", reps=199, seed=seed)
    vectors, exact = models._draws(models.WEIGHTS["webb"], 6, 199, seed)
    assert not boot.exact and not exact
    t, t_star = brute_force(frame, ["x0", "x1"], "x0", vectors)
    np.testing.assert_allclose(boot.star, t_star, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("seed", range(6))
def test_monte_carlo_p_value_is_within_simulation_error_of_the_exact_one(seed):
    """Webb weights, G = 5: the exact p (all 7,776 vectors) against 2,000 seeded draws; the gap
    stays within 4.5 Monte-Carlo standard errors sqrt(p (1 - p) / B)."""
    frame = design(200 + seed, 5, 6, 2, 0.15 * seed)
    exact = models.wild_cluster_bootstrap(frame, "y", ["x0", "x1"], "x0", reps=9999)
    sampled = models.wild_cluster_bootstrap(frame, "y", ["x0", "x1"], "x0", reps=2000, seed=seed)
    assert exact.exact and exact.reps == 6**5 and exact.mc_error == 0
    assert not sampled.exact and sampled.reps == 2000
    p = exact.pvalue
    assert abs(sampled.pvalue - p) <= 4.5 * np.sqrt(p * (1 - p) / 2000) + 1e-12
    assert sampled.mc_error == pytest.approx(np.sqrt(sampled.pvalue * (1 - sampled.pvalue) / 2000))


def test_exact_p_value_does_not_depend_on_the_seed_and_monte_carlo_is_seeded():
    frame = design(3, 4, 5, 2, 0.5)
    assert models.wild_cluster_bootstrap(frame, "y", ["x0", "x1"], "x0", seed=1).pvalue == \
        models.wild_cluster_bootstrap(frame, "y", ["x0", "x1"], "x0", seed=2).pvalue
    wide = design(4, 8, 5, 2, 0.5)
    first = models.wild_cluster_bootstrap(wide, "y", ["x0", "x1"], "x0", reps=499, seed=1)
    again = models.wild_cluster_bootstrap(wide, "y", ["x0", "x1"], "x0", reps=499, seed=1)
    other = models.wild_cluster_bootstrap(wide, "y", ["x0", "x1"], "x0", reps=499, seed=2)
    np.testing.assert_array_equal(first.star, again.star)
    assert not np.array_equal(first.star, other.star)  # the seed is used, not a fixed one


def test_the_draws_are_numpys_seeded_choice_of_webbs_six_weights():
    """Webb's (2014) six-point distribution, typed from the paper: +-sqrt(1.5), +-1, +-sqrt(0.5), mean 0
    and variance 1; Monte-Carlo draws are numpy's default_rng(seed).choice of them, G per draw."""
    webb = np.array([-1.224744871391589, -1.0, -0.7071067811865476, 0.7071067811865476, 1.0, 1.224744871391589])
    np.testing.assert_allclose(models.WEIGHTS["webb"], webb, rtol=1e-15)
    assert models.WEIGHTS["webb"].mean() == pytest.approx(0, abs=1e-15)
    assert (models.WEIGHTS["webb"] ** 2).mean() == pytest.approx(1, rel=1e-15)
    np.testing.assert_array_equal(models.WEIGHTS["rademacher"], [-1.0, 1.0])
    vectors, exact = models._draws(webb, 8, 499, 7)
    assert not exact
    np.testing.assert_array_equal(vectors, np.random.default_rng(7).choice(webb, size=(499, 8)))


def test_ties_count_with_a_relative_tolerance():
    """|t*| = |t| up to rounding counts as reaching it; a clearly smaller |t*| does not."""
    boot = models.Bootstrap(statistic=2.0, star=np.array([2.0 * (1 - 1e-13), -2.0 * (1 + 1e-13), 1.999, 3.0]), exact=True)
    assert boot.pvalue == 0.75


def test_all_equal_weights_reproduce_the_observed_t_and_count_as_ties():
    """With Webb weights and G = 3, the 6 vectors of equal weights give t* = sign(w) t exactly in
    theory (6 of 216 draws); each counts towards the p-value."""
    frame = design(11, 3, 6, 2, 0.4)
    boot = models.wild_cluster_bootstrap(frame, "y", ["x0", "x1"], "x0")
    vectors, _ = models._draws(models.WEIGHTS["webb"], 3, 9999, 0)
    equal = (vectors == vectors[:, :1]).all(axis=1)
    assert equal.sum() == 6
    np.testing.assert_allclose(np.abs(boot.star[equal]), abs(boot.statistic), rtol=1e-9)
    rest = np.abs(boot.star[~equal]) >= abs(boot.statistic)
    assert boot.pvalue == pytest.approx((rest.sum() + 6) / 216)


def test_strong_effect_is_rejected_and_a_null_one_is_not():
    frame = design(9, 8, 11, 2, 2.0)
    assert models.wild_cluster_bootstrap(frame, "y", ["x0", "x1"], "x0", reps=999, seed=1).pvalue < 0.01
    assert models.wild_cluster_bootstrap(frame, "y", ["x0", "x1"], "x1", reps=999, seed=1).pvalue > 0.05


def test_bad_options_are_refused():
    frame = design(1, 4, 5, 2, 0.0)
    with pytest.raises(ValueError, match="weights must be one of"):
        models.wild_cluster_bootstrap(frame, "y", ["x0", "x1"], "x0", weights="Webb")



def test_an_unbalanced_panel_is_bootstrapped_as_the_brute_force_does():
    """Two province-years missing: every t* of the exact enumeration equals the dummy-variable one."""
    frame = design(5, 4, 6, 2, 0.3).drop([("p0", 2011), ("p2", 2014)])
    boot = models.wild_cluster_bootstrap(frame, "y", ["x0", "x1"], "x0")
    vectors, exact = models._draws(models.WEIGHTS["webb"], 4, 9999, 0)
    t, t_star = brute_force(frame, ["x0", "x1"], "x0", vectors)
    assert boot.exact and exact
    assert boot.statistic == pytest.approx(t, rel=1e-9)
    np.testing.assert_allclose(boot.star, t_star, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("seed", range(12))
def test_every_wald_f_star_equals_a_regression_of_its_own(seed):
    """models.wild_wald on 12 random designs (G = 4-8, one to four restrictions, effects zero or
    not): the observed F is models.wald's (linearmodels) and the brute force's, and each of 40 seeded
    draws' F* the brute force's."""
    n_groups, n_years, k = 4 + seed % 5, 4 + seed % 3, 2 + seed % 3
    frame = design(300 + seed, n_groups, n_years, k, [0.0, 0.5][seed % 2])
    x = list(frame.columns[:-1])
    terms = x[: 1 + seed % k] if seed % 2 else x[k - 1 - seed % (k - 1):]
    boot = models.wild_wald(frame, "y", x, terms, reps=40, seed=seed)
    vectors, exact = models._draws(models.WEIGHTS["webb"], n_groups, 40, seed)
    f, f_star = brute_force_wald(frame, x, terms, vectors)
    assert not boot.exact and not exact and boot.reps == 40
    assert boot.statistic == pytest.approx(f, rel=1e-9)
    assert boot.statistic == pytest.approx(models.wald(models.estimate(frame, "y", x), terms)[0], rel=1e-9)
    np.testing.assert_allclose(boot.star, f_star, rtol=1e-8)
    assert boot.pvalue == np.mean(f_star >= f * (1 - 1e-9))


def test_a_wald_test_of_one_term_is_the_squared_t_test():
    """One restriction: F = t^2 and each F* = t*^2 of wild_cluster_bootstrap, on the same draws."""
    frame = design(21, 6, 5, 3, 0.3)
    x = ["x0", "x1", "x2"]
    joint = models.wild_wald(frame, "y", x, ["x1"], reps=199, seed=4)
    single = models.wild_cluster_bootstrap(frame, "y", x, "x1", reps=199, seed=4)
    assert joint.statistic == pytest.approx(single.statistic**2, rel=1e-9)
    np.testing.assert_allclose(joint.star, single.star**2, rtol=1e-8)
    assert joint.pvalue == single.pvalue


def test_wild_wald_refuses_a_regressor_named_twice_or_a_term_not_among_them():
    frame = design(5, 4, 5, 2, 0.0)
    for x, terms in [(["x0", "x0", "x1"], ["x0"]), (["x0", "x1"], ["x0", "x0"]), (["x0"], ["x1"])]:
        with pytest.raises(ValueError, match="x must name each regressor once"):
            models.wild_wald(frame, "y", x, terms)


@pytest.mark.parametrize("noise", [0.0, 1e-7])
def test_the_bootstraps_refuse_a_regressor_the_effects_absorb_as_estimate_refuses_it(noise):
    """A control constant within province (up to noise of 1e-7 of its size) beside province effects:
    models.estimate refuses the model (linearmodels), and so do both bootstraps, whether the control is
    a regressor beside the tested ones or one of them; unrefused, the first dropped out of the
    partialling but still counted in K, and the second gave a ratio of rounding errors."""
    from linearmodels.panel.utility import AbsorbingEffectError
    frame = design(3, 5, 8, 2, 0.5)
    rng = np.random.default_rng(3)
    frame["cz"] = np.repeat(rng.normal(size=5), 8) * (1 + noise * rng.normal(size=40))
    with pytest.raises(AbsorbingEffectError):
        models.estimate(frame, "y", ["x0", "x1", "cz"])
    for test in ("x0", "cz"):
        with pytest.raises(ValueError, match=rf"^wild cluster bootstrap of {test}: no variation of its own beside the "
                                             r"effects and the other columns for cz \(models.estimate refuses"):
            models.wild_cluster_bootstrap(frame, "y", ["x0", "x1", "cz"], test)
    for terms in (["x1"], ["cz"], ["x1", "cz"]):
        with pytest.raises(ValueError, match=rf"^wild cluster bootstrap of {', '.join(terms)}: no variation .* for cz "):
            models.wild_wald(frame, "y", ["x0", "x1", "cz"], terms)


@pytest.mark.parametrize("share, refused", [(1.2e-10, False), (0.8e-10, True)])
def test_check_design_refuses_where_linearmodels_does(share, refused):
    """A control equal to a province constant plus c times a column orthogonal to every other column of
    the model, c chosen so that the share of its sum of squares left beside them (computed here by least
    squares) is just above or just below NO_VARIATION: models.estimate (linearmodels' check of absorbed
    variables) accepts the first and refuses the second, and so do check_design and the bootstrap."""
    from linearmodels.panel.utility import AbsorbingEffectError
    frame = design(3, 6, 8, 2, 0.5)
    rng = np.random.default_rng(3)
    constant = np.repeat(rng.normal(size=6), 8) + 3
    others = dummy_matrix(frame, ["x0", "x1"])
    orthogonal = rng.normal(size=len(frame))
    orthogonal -= others @ np.linalg.lstsq(others, orthogonal, rcond=None)[0]
    c = np.sqrt(share / (1 - share) * (constant @ constant) / (orthogonal @ orthogonal))
    frame["cz"] = constant + c * orthogonal
    residual = frame["cz"] - others @ np.linalg.lstsq(others, frame["cz"], rcond=None)[0]
    assert residual @ residual / (frame["cz"] @ frame["cz"]) == pytest.approx(share, rel=1e-4)
    Z = np.column_stack([others, frame["cz"]])
    assert models.left_beside(Z)[-1] == pytest.approx(share, rel=1e-4)
    if refused:
        with pytest.raises(AbsorbingEffectError):
            models.estimate(frame, "y", ["x0", "x1", "cz"])
        with pytest.raises(ValueError, match="^here: no variation of its own .* for cz "):
            models.check_design(Z, ["cz"], "here")
        with pytest.raises(ValueError, match="for cz "):
            models.wild_cluster_bootstrap(frame, "y", ["x0", "x1", "cz"], "x0", reps=99)
    else:
        models.estimate(frame, "y", ["x0", "x1", "cz"])
        models.check_design(Z, ["cz"], "here")
        models.wild_cluster_bootstrap(frame, "y", ["x0", "x1", "cz"], "x0", reps=99)


def test_check_design_names_the_columns_without_variation_of_their_own():
    """A column of zeros, or two equal columns (a singular Gram matrix), named exactly; a design with as
    many parameters as rows has no residual degree of freedom."""
    rng = np.random.default_rng(8)
    ones, a, b = np.ones(12), rng.normal(size=12), rng.normal(size=12)
    with pytest.raises(ValueError, match=r"^here: no variation of its own beside the effects and the other columns for z "):
        models.check_design(np.column_stack([ones, a, b, np.zeros(12)]), ["a", "b", "z"], "here")
    with pytest.raises(ValueError, match=r" for a, a2 \("):
        models.check_design(np.column_stack([ones, b, a, a]), ["b", "a", "a2"], "here")
    models.check_design(np.column_stack([ones, a, b]), ["a", "b"], "here")
    with pytest.raises(ValueError, match="^here: 12 rows for 12 parameters leave no residual degree of freedom$"):
        models.check_design(np.column_stack([ones, a, b]), ["a"], "here", slopes=9)
    models.check_design(np.column_stack([ones, a, b]), ["a"], "here", slopes=8)


def test_equal_slopes_f_star_keep_each_region_s_year_effects():
    """Every F* of equal_slopes_bootstrap equals brute_force_wald's with region-by-year dummies among the
    regressors, on a design with region-by-year shocks (a restricted fit without them would differ)."""
    frame = design(5, 7, 5, 1, 0.5).assign(region=lambda f: np.where(
        f.index.get_level_values("province").isin(["p0", "p1", "p2"]), "A", "B"))
    in_b = (frame["region"] == "B").to_numpy(dtype=float)
    year = frame.index.get_level_values("year")
    shocks = np.random.default_rng(5).normal(size=year.nunique())[pd.factorize(year)[0]]
    frame = frame.assign(y=frame["y"] + 2 * shocks * in_b, **{"x0 x B": frame["x0"] * in_b})
    region_years = pd.get_dummies(year, drop_first=True, dtype=float).mul(in_b, axis=0).set_index(frame.index)
    dummies = frame.join(region_years.add_prefix("B x "))
    boot = models.equal_slopes_bootstrap(frame, "y", "x0", ["A", "B"], reps=99, seed=3)
    vectors, _ = models._draws(models.WEIGHTS["webb"], 7, 99, 3)
    f, f_star = brute_force_wald(dummies, ["x0", "x0 x B", *dummies.columns[-4:]], ["x0 x B"], vectors)
    assert boot.statistic == pytest.approx(f, rel=1e-8)
    np.testing.assert_allclose(boot.star, f_star, rtol=1e-7)


def test_equal_slopes_bootstrap_draws_impose_one_slope():
    """Slopes that differ by region are rejected, one common slope is not; the observed F is equal_slopes'.
    Six provinces a region: with four, each region's own year effects leave the bootstrap too little
    power to reject even an F of 25 at 1 %."""
    frame = design(31, 12, 6, 1, 0.5).assign(region=lambda f: np.where(
        f.index.get_level_values("province").isin([f"p{g}" for g in range(6)]), "A", "B"))
    common = models.equal_slopes_bootstrap(frame, "y", "x0", ["A", "B"], reps=999, seed=1)
    assert common.statistic == pytest.approx(models.equal_slopes(frame, "y", "x0", ["A", "B"])[1], rel=1e-9)
    assert common.pvalue > 0.05
    steep = frame.assign(y=frame["y"] + 3 * frame["x0"] * (frame["region"] == "B"))
    assert models.equal_slopes_bootstrap(steep, "y", "x0", ["A", "B"], reps=999, seed=1).pvalue < 0.01
