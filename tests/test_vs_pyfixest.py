"""Every model the notebooks export, against pyfixest (a port of R's fixest), on the panel built from
the shipped extracts.

Coefficients agree to 1e-8; standard errors to 1e-8 with pyfixest's default small-sample factor
(fixest's: the province effects nested in the clusters are discarded but for one parameter, which
stands for the constant, and the year effects count T-1 levels), which is the `xtreg, fe` count this
compendium states: K = slopes + constant + year dummies. R-squared (inclusive, adjusted, within) agree to 1e-6.
Wild bootstrap p-values agree within their Monte-Carlo error."""
import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from helpers import config, models, panel, robustness
from helpers.panel import CONTROLS
from helpers.provinces import REGIONS

FORMULA = {"twoway": "{y} ~ {x} | province + year", "province_fe": "{y} ~ {x} | province",
           "pooled_year": "{y} ~ {x} | year", "pooled": "{y} ~ {x}"}


def pyfixest_fit(frame: pd.DataFrame, y: str, x: list[str], spec: str):
    long = frame[[y, *x]].dropna().rename(columns=safe).reset_index()
    long["cluster"] = pd.factorize(long["province"])[0]  # wildboottest needs numeric cluster ids
    formula = FORMULA[spec].format(y=safe(y), x=" + ".join(safe(c) for c in x))
    return pf.feols(formula, data=long, vcov={"CRV1": "province"})


def safe(name: str) -> str:
    """A column name pyfixest's formulas accept ('virtual x digital' -> 'virtual_x_digital')."""
    return name.replace(" ", "_").replace(".", "_")


def exported_models(data: pd.DataFrame) -> dict:
    """(frame, y, x, spec) of every model with clustered errors in notebooks 05, 07 and 08 (those of
    notebook 06 come from helpers.robustness itself, test_robustness_checks_equal_pyfixest)."""
    x2 = ["digital", *CONTROLS]
    lagged = data.assign(**{"L.digital": models.lag(data, "digital")})
    product = "virtual x digital"
    moderated = data[["tfp", *CONTROLS]].join(models.centred_interaction(data, "digital", "virtual"))
    cases = {f"table4 ({i}) {spec}": (data, "tfp", x, spec)
             for i, x in [(1, ["digital"]), (2, x2)] for spec in models.SPECS}
    cases["table5"] = (lagged, "tfp", ["L.digital", *CONTROLS], "twoway")
    cases["table6 (1)"] = (moderated, "tfp", ["digital", "virtual", product], "twoway")
    cases["table6 (2)"] = (moderated, "tfp", ["digital", "virtual", product, *CONTROLS], "twoway")
    for region in REGIONS:
        cases[f"table7 {region}"] = (data[data["region"] == region], "tfp", ["digital"], "twoway")
    return cases


@pytest.fixture(scope="module")
def cases(analysis_panel):
    return exported_models(analysis_panel)


NAMES = [*[f"table4 ({i}) {spec}" for i in (1, 2) for spec in models.SPECS], "table5", "table6 (1)",
         "table6 (2)", *[f"table7 {region}" for region in REGIONS]]


# The models of the estimate tables notebooks 05, 07 and 08 export, built here afresh: each column is a case.
EXPORTED = {"table4_estimates": {"(1)": "table4 (1) twoway", "(2)": "table4 (2) twoway"},
            "table5_estimates": {"(1)": "table5"},
            "table6_estimates": {"(1)": "table6 (1)", "(2)": "table6 (2)"},
            "table7_estimates": {region: f"table7 {region}" for region in REGIONS}}


def test_every_exported_model_is_checked(cases):
    """Every model in the exported estimates is a case, with the same coefficients (so a case that no
    longer is the exported model, or an exported model without a case, fails); and the cases are the
    ones the parametrised tests run. The stored exports are the thing under test: they are what a
    reader of the compendium sees, and what the cross-check must cover."""
    from helpers import paths
    assert sorted(cases) == sorted(NAMES)
    for table, columns in EXPORTED.items():
        exported = pd.read_csv(paths.FIGURES / f"{table}.csv").query("statistic == 'coef'")
        assert sorted(exported["column"].unique()) == sorted(columns), table
        for column, name in columns.items():
            frame, y, x, spec = cases[name]
            coef = exported[exported["column"] == column].set_index("term")["value"]
            ours = models.estimate(frame, y, x, spec=spec).params
            assert sorted(coef.index) == sorted(ours.index), name
            # 1e-6: the notebooks estimate on panel.csv, whose values are written to ten significant digits
            np.testing.assert_allclose(ours[coef.index].to_numpy(), coef.to_numpy(), rtol=1e-6, err_msg=name)


@pytest.mark.parametrize("name", NAMES)
def test_estimates_equal_pyfixest(cases, name):
    agree_with_pyfixest(*cases[name])


@pytest.mark.parametrize("spec", models.SPECS)
def test_conventional_errors_equal_pyfixest(analysis_panel, spec):
    """Table 4 (2) with conventional errors (notebook 05): pyfixest's iid errors and degrees of freedom."""
    x = ["digital", *CONTROLS]
    ours = models.estimate(analysis_panel, "tfp", x, spec=spec, cov_type="unadjusted")
    long = analysis_panel[["tfp", *x]].reset_index()
    theirs = pf.feols(FORMULA[spec].format(y="tfp", x=" + ".join(x)), data=long, vcov="iid")
    np.testing.assert_allclose(ours.std_errors[x].to_numpy(), theirs.se()[x].to_numpy(), rtol=1e-8)
    assert ours.df_resid == theirs._df_t


@pytest.mark.parametrize("spec", models.SPECS)
def test_driscoll_kraay_errors_equal_pyfixest(analysis_panel, spec):
    """Table 4 (2) with Driscoll-Kraay errors (notebook 06): pyfixest's DK sandwich without small-sample
    factors, Bartlett kernel with linearmodels' bandwidth floor(4 (T/100)^(2/9)), times the factor the
    models docstring states, sqrt(N / (N - K)) with K every parameter, absorbed province effects included;
    t tests with T - 1 degrees of freedom."""
    x = ["digital", *CONTROLS]
    ours = models.estimate(analysis_panel, "tfp", x, spec=spec, cov_type="driscoll_kraay")
    long = analysis_panel[["tfp", *x]].reset_index().assign(panel=lambda d: pd.factorize(d["province"])[0])
    n_years, n_provinces = long["year"].nunique(), long["province"].nunique()
    lags = int(np.floor(4 * (n_years / 100) ** (2 / 9)))
    assert lags == 2  # as the README and notebook 06 state
    theirs = pf.feols(FORMULA[spec].format(y="tfp", x=" + ".join(x)), data=long, vcov="DK",
                      vcov_kwargs={"lag": lags, "time_id": "year",
                                   "panel_id": "panel"}, ssc=pf.ssc(k_adj=False, G_adj=False))
    effects = models.EFFECTS[spec]
    k = len(x) + 1 + (n_years - 1 if effects["year"] else 0) + (n_provinces - 1 if effects["province"] else 0)
    np.testing.assert_allclose(ours.std_errors[x].to_numpy(),
                               theirs.se()[x].to_numpy() * np.sqrt(len(long) / (len(long) - k)), rtol=1e-8)
    assert ours.df_resid == n_years - 1


def test_robustness_checks_equal_pyfixest(analysis_panel):
    """Every check of notebook 06 with clustered errors, as helpers.robustness builds it, so a new
    check is cross-checked as soon as it is declared."""
    base = robustness.Baseline(panel.select(analysis_panel), analysis_panel, dict(config.MEASURE_DEFAULTS),
                               config.WINSOR_SHARE)
    checked = robustness.run(base)
    clustered = {label: fit for label, fit in checked.fits.items() if fit.cov_type == models.COV_LABELS["cluster"]}
    assert len(clustered) > 5, list(clustered)
    for label, fit in clustered.items():
        agree_with_pyfixest(checked.samples[label], "tfp", list(fit.params.drop("Constant").index), "twoway")


def agree_with_pyfixest(frame: pd.DataFrame, y: str, x: list[str], spec: str) -> None:
    """Coefficients and standard errors to 1e-8, R-squared to 1e-6."""
    ours = models.estimate(frame, y, x, spec=spec)
    theirs = pyfixest_fit(frame, y, x, spec)
    slopes = ours.params.drop("Constant")
    np.testing.assert_allclose(slopes.to_numpy(), theirs.coef()[[safe(c) for c in x]].to_numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.std_errors.drop("Constant").to_numpy(), theirs.se()[[safe(c) for c in x]].to_numpy(),
                               rtol=1e-8)
    assert ours.nobs == theirs._N
    assert ours.r2 == pytest.approx(theirs._r2, rel=1e-6)
    assert ours.adj_r2 == pytest.approx(theirs._adj_r2, rel=1e-6)
    if ours.effects["province"]:
        assert ours.r2_within == pytest.approx(theirs._r2_within, rel=1e-6)


@pytest.mark.filterwarnings("ignore:\\s*\\d+ variables dropped due to multicollinearity:UserWarning")  # by design, below
def test_equal_slopes_wald_test_equals_pyfixest(analysis_panel):
    """Notebook 08 (models.equal_slopes): digital and its products with the Central, West and Northeast
    dummies, with province effects and each region's year effects; F of the three products with the
    clustered covariance. The region-by-year effects enter as fixest's i(year, region) beside year
    effects, which pyfixest reduces to their rank itself (as region^year effects it would count the
    four region intercepts that repeat the province effects, and K three too high)."""
    data = analysis_panel
    fit, f, _ = models.equal_slopes(data, "tfp", "digital", REGIONS)
    formula = "tfp ~ digital + i(region, digital, ref='East') + i(year, region) | province + year"
    theirs = pf.feols(formula, data=data[["tfp", "digital", "region"]].reset_index(), vcov={"CRV1": "province"})
    products = [f"region::{r}:digital" for r in ["Central", "West", "Northeast"]]
    np.testing.assert_allclose(fit.params[[f"digital x {r}" for r in ["Central", "West", "Northeast"]]],
                               theirs.coef()[products], rtol=1e-8)
    theirs.wald_test(R=np.eye(len(theirs.coef()))[[list(theirs.coef().index).index(p) for p in products]],
                     distribution="chi2")  # W; pyfixest keeps W / q as _f_statistic
    assert f == pytest.approx(theirs._f_statistic, rel=1e-8)


def test_grunfeld_two_way_equals_pyfixest_and_the_textbook():
    """Grunfeld (10 firms, 1935-1954) with firm and year effects: Baltagi's two-way within estimates
    0.1177 (value) and 0.3579 (capital); pyfixest for every statistic."""
    import statsmodels.api as sm
    g = sm.datasets.grunfeld.load_pandas().data
    g = g[g["firm"] != "American Steel"].rename(columns={"firm": "province"}).assign(year=lambda d: d["year"].astype(int))
    frame = g.set_index(["province", "year"])
    ours = models.estimate(frame, "invest", ["value", "capital"])
    assert ours.params["value"] == pytest.approx(0.1177, abs=5e-5)
    assert ours.params["capital"] == pytest.approx(0.3579, abs=5e-5)
    theirs = pyfixest_fit(frame, "invest", ["value", "capital"], "twoway")
    np.testing.assert_allclose(ours.params[["value", "capital"]], theirs.coef()[["value", "capital"]], rtol=1e-8)
    np.testing.assert_allclose(ours.std_errors[["value", "capital"]], theirs.se()[["value", "capital"]], rtol=1e-8)
    assert ours.r2_within == pytest.approx(theirs._r2_within, rel=1e-6)
    assert ours.adj_r2 == pytest.approx(theirs._adj_r2, rel=1e-6)


@pytest.mark.parametrize("region", REGIONS)
def test_wild_bootstrap_p_values_agree_with_pyfixest(analysis_panel, region):
    """Restricted wild cluster bootstrap, Webb weights, Table 7's model in each region. Ours is exact
    where it enumerates (Northeast) and Monte-Carlo with B = 9,999 elsewhere; pyfixest (wildboottest)
    draws B = 9,999 at random and counts only |t*| > |t| strictly. Tolerance: 4.5 Monte-Carlo standard
    errors of the difference, sqrt(p (1 - p) (1/B_ours + 1/B_theirs)), plus the share of weight vectors
    with all weights equal (6 / 6^G), whose |t*| equals |t| up to rounding and which we count as ties."""
    frame = analysis_panel[analysis_panel["region"] == region]
    ours = models.wild_cluster_bootstrap(frame, "tfp", ["digital"], "digital", reps=9999, seed=1)
    fit = pyfixest_fit(frame, "tfp", ["digital"], "twoway")
    theirs = fit.wildboottest(param="digital", reps=9999, cluster="cluster", weights_type="webb", seed=2)
    p_theirs = float(theirs["Pr(>|t|)"])
    n_groups = frame.index.get_level_values("province").nunique()
    p = ours.pvalue
    tolerance = 4.5 * np.sqrt(p * (1 - p) * ((0 if ours.exact else 1 / ours.reps) + 1 / 9999)) + 6 / 6**n_groups
    assert abs(p - p_theirs) <= tolerance
