"""Estimators against references with known answers and against independent computations."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from helpers import models
from helpers.panel import CONTROLS


@pytest.fixture(scope="module")
def grunfeld():
    g = sm.datasets.grunfeld.load_pandas().data
    g = g[g["firm"] != "American Steel"].rename(columns={"firm": "province"})
    g["year"] = g["year"].astype(int)
    return g.set_index(["province", "year"])


@pytest.fixture(scope="module")
def data(analysis_panel):
    return analysis_panel


def test_grunfeld_within_estimates_and_stata_clustered_errors(grunfeld):
    """Stata: xtreg invest mvalue kstock, fe vce(robust) on the 10 Grunfeld firms."""
    fit = models.estimate(grunfeld, "invest", ["value", "capital"], spec="province_fe")
    assert fit.params["value"] == pytest.approx(0.110124, abs=5e-7)
    assert fit.params["capital"] == pytest.approx(0.310065, abs=5e-7)
    assert fit.std_errors["value"] == pytest.approx(0.0151945, abs=5e-8)
    assert fit.std_errors["capital"] == pytest.approx(0.0527518, abs=5e-8)


def test_twoway_equals_dummy_variable_regression(data):
    """Slopes of the two-way within estimator = OLS with province and year dummies (FWL)."""
    fit = models.estimate(data, "tfp", ["digital", *CONTROLS])
    frame = data.reset_index()
    lsdv = smf.ols("tfp ~ digital + gov + cs + open + ur + ind + C(province) + C(year)", data=frame).fit()
    for term in ["digital", *CONTROLS]:
        assert fit.params[term] == pytest.approx(lsdv.params[term], rel=1e-9)
    assert fit.r2 == pytest.approx(lsdv.rsquared, rel=1e-9)
    assert fit.adj_r2 == pytest.approx(lsdv.rsquared_adj, rel=1e-9)


def test_clustered_errors_follow_the_xtreg_fe_convention(data):
    """Sandwich on the dummy-variable regression, clusters = provinces, scaled by
    G/(G-1) (N-1)/(N-K) with K = slopes + constant + 10 year effects (province effects nested)."""
    fit = models.estimate(data, "tfp", ["digital", *CONTROLS])
    frame = data.reset_index()
    lsdv = smf.ols("tfp ~ digital + gov + cs + open + ur + ind + C(province) + C(year)", data=frame).fit()
    X = lsdv.model.exog
    u = lsdv.resid.to_numpy()
    groups = pd.factorize(frame["province"])[0]
    bread = np.linalg.pinv(X.T @ X)
    scores = np.zeros((groups.max() + 1, X.shape[1]))
    np.add.at(scores, groups, X * u[:, None])
    n, g, k = len(u), groups.max() + 1, 6 + 1 + 10
    v = bread @ scores.T @ scores @ bread * g / (g - 1) * (n - 1) / (n - k)
    names = lsdv.model.exog_names
    for term in ["digital", *CONTROLS]:
        i = names.index(term)
        assert fit.std_errors[term] == pytest.approx(np.sqrt(v[i, i]), rel=1e-8)


def test_conventional_errors_are_those_of_the_dummy_variable_regression(data):
    """s^2 (X'X)^-1 with s^2 = SSR / (N - K), K counting every province and year dummy (statsmodels'
    OLS on the dummies), and t tests with N - K degrees of freedom; for every estimator."""
    formulas = {"twoway": " + C(province) + C(year)", "province_fe": " + C(province)", "pooled_year": " + C(year)",
                "pooled": ""}
    frame = data.reset_index()
    for spec, effects in formulas.items():
        fit = models.estimate(data, "tfp", ["digital", *CONTROLS], spec=spec, cov_type="unadjusted")
        lsdv = smf.ols("tfp ~ digital + gov + cs + open + ur + ind" + effects, data=frame).fit()
        assert fit.df_resid == lsdv.df_resid, spec
        for term in ["digital", *CONTROLS]:
            assert fit.std_errors[term] == pytest.approx(lsdv.bse[term], rel=1e-9), (spec, term)
            assert fit.pvalues[term] == pytest.approx(lsdv.pvalues[term], rel=1e-6), (spec, term)


def test_within_share_is_the_two_way_demeaned_variation_of_a_balanced_panel(data):
    """x - mean_i - mean_t + mean (the closed form on a balanced panel), on the panel and on random data."""
    rng = np.random.default_rng(3)
    noise = pd.DataFrame({"noise": rng.normal(size=len(data))}, index=data.index)
    frame = data[["digital", "gov"]].join(noise)
    x = frame - frame.groupby(level="province").transform("mean") - frame.groupby(level="year").transform("mean") + frame.mean()
    expected = (x**2).sum() / ((frame - frame.mean()) ** 2).sum()
    np.testing.assert_allclose(models.within_share(frame, list(frame)).to_numpy(), expected.to_numpy(), rtol=1e-10)
    residuals = models.two_way_residuals(frame, list(frame)).reindex(x.index)
    np.testing.assert_allclose(residuals.to_numpy(), x.to_numpy(), rtol=1e-8, atol=1e-12)


def test_lag_never_crosses_provinces():
    index = pd.MultiIndex.from_tuples([("A", 2011), ("A", 2012), ("B", 2011), ("B", 2013)], names=["province", "year"])
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}, index=index)
    lagged = models.lag(frame, "x")
    assert lagged.name == "L.x"
    assert np.isnan(lagged[("A", 2011)]) and lagged[("A", 2012)] == 1.0
    assert np.isnan(lagged[("B", 2011)]) and np.isnan(lagged[("B", 2013)])  # 2012 missing for B
    twice = models.lag(frame, "x", 2)  # notebook 06, exercise 4
    assert twice.name == "L2.x" and twice[("B", 2013)] == 3.0 and twice.drop(("B", 2013)).isna().all()
    by_year = models.lag(frame.swaplevel().sort_index(), "x")  # indexed (year, province): the same lags
    pd.testing.assert_series_equal(by_year.swaplevel().reindex(index), lagged)


def test_centred_interaction_leaves_the_product_coefficient_unchanged(data):
    raw = data.assign(product=data["digital"] * data["virtual"])
    plain = models.estimate(raw, "tfp", ["digital", "virtual", "product"])
    centred = data[["tfp"]].join(models.centred_interaction(data, "digital", "virtual"))
    fit = models.estimate(centred, "tfp", ["digital", "virtual", "virtual x digital"])
    assert fit.params["virtual x digital"] == pytest.approx(plain.params["product"], rel=1e-9)
    # the centred main effect is the raw one evaluated at the mean of virtual
    at_mean = plain.params["digital"] + plain.params["product"] * data["virtual"].mean()
    assert fit.params["digital"] == pytest.approx(at_mean, rel=1e-9)


def test_marginal_effect_at_zero_is_the_main_effect(data):
    centred = models.centred_interaction(data, "digital", "virtual")
    frame = data[["tfp"]].join(centred)
    fit = models.estimate(frame, "tfp", ["digital", "virtual", "virtual x digital"])
    at = [0.0, 1.0, -1.5, 2.0]  # beyond 0 and 1, where m = m^2 would hide a variance term in m instead of m^2
    me = models.marginal_effect(fit, "digital", "virtual x digital", at)
    assert me.loc[0, "effect"] == pytest.approx(fit.params["digital"])
    assert me.loc[0, "se"] == pytest.approx(fit.std_errors["digital"])
    v = fit.vcov.loc[["digital", "virtual x digital"], ["digital", "virtual x digital"]].to_numpy()
    for i, m in enumerate(at):  # d/d digital at centred virtual m: beta_digital + m beta_product
        assert me.loc[i, "effect"] == pytest.approx(fit.params["digital"] + m * fit.params["virtual x digital"])
        assert me.loc[i, "se"] == pytest.approx(np.sqrt(np.array([1.0, m]) @ v @ np.array([1.0, m])))
    # clustered: t(29) 97.5 % quantile 2.0452 (printed tables), the degrees of freedom of G - 1 = 29
    assert fit.df_resid == 29
    np.testing.assert_allclose(me["upper"] - me["effect"], 2.0452 * me["se"], rtol=1e-4)
    np.testing.assert_allclose(me["effect"] - me["lower"], 2.0452 * me["se"], rtol=1e-4)


def test_wald_with_one_term_is_the_squared_t(data):
    fit = models.estimate(data, "tfp", ["digital", *CONTROLS])
    f, p = models.wald(fit, ["digital"])
    assert f == pytest.approx(fit.tstats["digital"] ** 2) and p == pytest.approx(fit.pvalues["digital"])


@pytest.mark.filterwarnings("ignore:The design matrix is rank-deficient")  # by design: province dummies span the region ones
def test_equal_slopes_are_the_separate_regional_regressions_and_their_chow_test(data):
    """Each region's slope in equal_slopes' model is its own two-way regression's (Table 7), since every
    region has its own year effects; the F is the Chow test by sums of squares, homoskedastic errors:
    ((SSR_r - SSR_u) / 3) / (SSR_u / (N - K_u)), SSR_u of the four regional regressions, SSR_r of one
    slope with region-by-year and province dummies, K_u their parameters (statsmodels)."""
    regions = ["East", "Central", "West", "Northeast"]
    fit, f, _ = models.equal_slopes(data, "tfp", "digital", regions, cov_type="unadjusted")
    for region in regions:
        alone = models.estimate(data[data["region"] == region], "tfp", ["digital"]).params["digital"]
        pooled = fit.params["digital"] + fit.params.get(f"digital x {region}", 0.0)
        assert pooled == pytest.approx(alone, rel=1e-9)
    long = data[["tfp", "digital", "region"]].reset_index()
    separate = [smf.ols("tfp ~ digital + C(province) + C(year)", data=long[long["region"] == r]).fit() for r in regions]
    ssr_u = sum(s.ssr for s in separate)
    df_u = len(long) - sum(s.df_model + 1 for s in separate)
    ssr_r = smf.ols("tfp ~ digital + C(province) + C(region):C(year)", data=long).fit().ssr
    assert f == pytest.approx((ssr_r - ssr_u) / 3 / (ssr_u / df_u), rel=1e-8)


def test_vif_is_one_over_one_minus_auxiliary_r2(data):
    aux = smf.ols("digital ~ gov + cs + open + ur + ind", data=data).fit()
    assert models.vif(data, ["digital", *CONTROLS])["digital"] == pytest.approx(1 / (1 - aux.rsquared))


def test_within_r2_is_against_the_variation_left_by_both_effects(data):
    frame = data.reset_index()
    full = smf.ols("tfp ~ digital + gov + cs + open + ur + ind + C(province) + C(year)", data=frame).fit()
    effects = smf.ols("tfp ~ C(province) + C(year)", data=frame).fit()
    fit = models.estimate(data, "tfp", ["digital", *CONTROLS])
    assert fit.r2_within == pytest.approx(1 - full.ssr / effects.ssr, rel=1e-9)


def test_clustered_p_values_use_g_minus_one_degrees_of_freedom(data):
    from scipy import stats
    fit = models.estimate(data, "tfp", ["digital", *CONTROLS])
    assert fit.df_resid == 29
    assert fit.pvalues["digital"] == pytest.approx(2 * stats.t.sf(abs(fit.tstats["digital"]), 29))


def test_constant_is_the_mean_province_effect_of_the_base_year(data):
    """xtreg, fe convention: the dummy-variable regression without a constant has one intercept per
    province (2011 is the base year); the printed constant is their mean."""
    fit = models.estimate(data, "tfp", ["digital", *CONTROLS])
    lsdv = smf.ols("tfp ~ 0 + digital + gov + cs + open + ur + ind + C(province) + C(year)", data=data.reset_index()).fit()
    assert fit.params["Constant"] == pytest.approx(lsdv.params.filter(like="C(province)").mean(), rel=1e-9)


def test_constant_of_an_unbalanced_panel_weights_the_province_effects_by_their_rows(data):
    """The same dummy-variable regression on a panel without Beijing's 2011-2015 and Hebei's 2021: the
    constant is the mean of the base-year intercepts weighted by each province's rows, not their mean."""
    unbalanced = data.drop([*(("Beijing", year) for year in range(2011, 2016)), ("Hebei", 2021)])
    fit = models.estimate(unbalanced, "tfp", ["digital", *CONTROLS])
    lsdv = smf.ols("tfp ~ 0 + digital + gov + cs + open + ur + ind + C(province) + C(year)", data=unbalanced.reset_index()).fit()
    intercepts = lsdv.params.filter(like="C(province)").rename(lambda name: name[len("C(province)["):-1])
    rows = unbalanced.index.get_level_values("province").value_counts()
    assert fit.params["Constant"] == pytest.approx((intercepts * rows).sum() / rows.sum(), rel=1e-9)
    assert abs(fit.params["Constant"] - intercepts.mean()) > 1e-3


def test_constant_standard_error_is_xtreg_fe_s(data):
    """xtreg, fe: the constant of OLS on the data demeaned by province with the overall means added back
    (y_it - ybar_i + ybar, each regressor and year dummy alike), with the clustered sandwich of the module
    docstring; statsmodels' cluster covariance applies the same G/(G-1) (N-1)/(N-K)."""
    x = ["digital", *CONTROLS]
    columns = pd.concat([data[["tfp", *x]], models.year_dummies(data)], axis=1)
    province = data.index.get_level_values("province")
    restored = columns - columns.groupby(province).transform("mean") + columns.mean()
    ols = sm.OLS(restored["tfp"], sm.add_constant(restored.drop(columns="tfp"))).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(province)[0]})
    fit = models.estimate(data, "tfp", x)
    assert fit.params["Constant"] == pytest.approx(ols.params["const"], rel=1e-9)
    assert fit.std_errors["Constant"] == pytest.approx(ols.bse["const"], rel=1e-8)


def test_options_are_checked_before_estimating(data):
    with pytest.raises(ValueError, match=r"spec must be one of \('twoway'"):
        models.estimate(data, "tfp", ["digital"], spec="two-way")
    with pytest.raises(ValueError, match="cov_type must be one of"):
        models.estimate(data, "tfp", ["digital"], cov_type="clustered")


def test_a_model_without_residual_degrees_of_freedom_is_refused_here_and_in_the_multiverse(data):
    """Three provinces over two years, two-way effects and two slopes: 6 rows for 6 parameters (the
    constant, one year dummy, two province effects, two slopes). Unrefused, estimate divided by zero
    in the adjusted R-squared and the multiverse gave a clustered standard error of rounding noise."""
    from helpers import multiverse
    small = data.loc[(["Beijing", "Tianjin", "Hebei"], [2011, 2012]), :]
    with pytest.raises(ValueError, match=r"^tfp on digital, gov \(twoway\): 6 rows for 6 parameters leave no residual"):
        models.estimate(small, "tfp", ["digital", "gov"])
    models.estimate(data.loc[(["Beijing", "Tianjin", "Hebei"], [2011, 2012, 2013]), :], "tfp", ["digital", "gov"])
    frame = multiverse.prepared(multiverse.frames(small.assign(filled=False), ["full"]))["full"]
    with pytest.raises(ValueError, match=r"^multiverse sample 'full', twoway: 6 rows for 6 parameters leave no residual"):
        multiverse.block(frame, ["tfp"], ["digital"], ["gov"], "twoway")


def test_two_provinces_beside_year_effects_have_no_clustered_test(data):
    """By hand, in the dummy-variable regression of two provinces with year dummies: each province's
    score of the slope, sum_t x~_it u_it with x~ the regressor left by the dummies (Frisch-Waugh-Lovell:
    the slope's row of the sandwich), is zero to rounding, so the clustered variance is rounding error.
    estimate and the bootstrap refuse it; Driscoll-Kraay errors, province effects alone and a third
    province pass."""
    two = data.loc[["Beijing", "Tianjin"]].reset_index()
    u = smf.ols("tfp ~ digital + C(province) + C(year)", data=two).fit().resid
    x = smf.ols("digital ~ C(province) + C(year)", data=two).fit().resid
    terms = (x * u).to_numpy()
    assert np.abs(terms.reshape(2, -1).sum(axis=1)).max() < 1e-12 * np.abs(terms).sum()
    two = data.loc[["Beijing", "Tianjin"]]
    refused = r"^tfp on digital \({spec}\): {n} province\(s\) with rows of their own beside the effects"
    for spec in ("twoway", "pooled_year"):
        with pytest.raises(ValueError, match=refused.format(spec=spec, n=2)):
            models.estimate(two, "tfp", ["digital"], spec=spec)
    with pytest.raises(ValueError, match=r"^wild cluster bootstrap of digital: 2 province\(s\)"):
        models.wild_cluster_bootstrap(two, "tfp", ["digital"], "digital")
    one_year_of_hebei = pd.concat([two, data.loc[[("Hebei", 2011)]]])
    with pytest.raises(ValueError, match=refused.format(spec="twoway", n=2)):
        models.estimate(one_year_of_hebei, "tfp", ["digital"])
    with pytest.raises(ValueError, match=refused.format(spec="pooled", n=1)):
        models.estimate(data.loc[["Beijing"]], "tfp", ["digital"], spec="pooled")
    models.estimate(two, "tfp", ["digital"], cov_type="driscoll_kraay")
    models.estimate(two, "tfp", ["digital"], spec="province_fe")
    models.estimate(data.loc[["Beijing", "Tianjin", "Hebei"]], "tfp", ["digital"])


def test_critical_values_of_the_t_table():
    """t_{0.975} with 10 degrees of freedom is 2.228 (printed t tables), with infinitely many the
    normal's 1.960; a 90 % interval uses t_{0.95, 10} = 1.812."""
    assert models.critical(10) == pytest.approx(2.228139, abs=1e-6)
    assert models.critical(np.inf) == pytest.approx(1.959964, abs=1e-6)
    assert models.critical(10, 0.90) == pytest.approx(1.812461, abs=1e-6)
    # and back: those t values have two-sided p-values 0.05 and 0.10, whatever their sign
    np.testing.assert_allclose(models.p_value(np.array([2.228139, -1.812461]), 10), [0.05, 0.10], atol=1e-6)
