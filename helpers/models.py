"""The paper's estimators: two-way fixed effects (province and year) with standard errors clustered
by province, their labelled alternatives, and the few-cluster inference of the regional models.

Conventions, those of Stata's `xtreg, fe` with year dummies and `vce(cluster province)`:
- Clustered covariance V = G/(G-1) (N-1)/(N-K) (X'X)^-1 (sum_g X_g'u_g u_g'X_g) (X'X)^-1 on the
  within-transformed data; K counts the slopes, the constant and the T-1 year dummies but not the
  province effects, which are nested in the province clusters. linearmodels gives exactly this when
  the year effects enter as dummies beside a constant and only the province effects are absorbed;
  absorbing both would count the province effects too. R's fixest and pyfixest count the same K by
  default: the effects nested in the clusters are discarded but for one parameter, which stands for
  the constant, and the year effects count T-1 levels (tests/test_vs_pyfixest.py). Both drop by default
  a province observed once (a singleton), which is kept here as `xtreg` keeps it (N, G and G-1 count
  it); the panel has none.
- Constant: ybar - xbar'b - dbar'g over the rows used (d the year dummies, g their coefficients), as
  `xtreg, fe` prints it: in a balanced panel the mean of the province effects in the base year 2011,
  in an unbalanced one their mean weighted by each province's rows; reghdfe's constant, ybar - xbar'b,
  averages over the years instead.
- Driscoll-Kraay (linearmodels' kernel covariance, debiased): unlike the clustered factor, its
  residual degrees of freedom count the G-1 absorbed province effects (N - K - G + 1); its t tests
  use T-1 degrees of freedom.
- Conventional ('unadjusted', what `xtreg, fe` and reghdfe print without a vce option): s^2 (X'X)^-1,
  s^2 = SSR / (N - K - G + 1) with the absorbed province effects counted, t tests with those N - K - G + 1
  degrees of freedom. It assumes errors independent across years within a province. The paper does not
  say which errors it used; its stars show only t read with many degrees of freedom, which these give
  and so do clustered errors read against the normal or the residual degrees of freedom (notebook 09).
"""
import itertools
from dataclasses import dataclass, field, replace
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats
from scipy.linalg import solve_triangular

from . import config

Spec = Literal["twoway", "province_fe", "pooled_year", "pooled"]
CovType = Literal[config.COV_TYPES]  # declared in config, where a run's settings are checked against them
Weights = Literal["webb", "rademacher"]
SPECS: tuple[Spec, ...] = get_args(Spec)
# The fixed effects of each estimator: province effects (absorbed) and year effects (dummies).
EFFECTS: dict[Spec, dict[str, bool]] = {spec: {"province": spec in ("twoway", "province_fe"),
                                               "year": spec in ("twoway", "pooled_year")} for spec in SPECS}
COV_LABELS = {"cluster": "clustered by province", "driscoll_kraay": "Driscoll-Kraay", "unadjusted": "conventional"}


def _check_option(name: str, value, option_type) -> None:
    """Refuse a value that is not one of the Literal type's options, naming them."""
    if value not in get_args(option_type):
        raise ValueError(f"{name} must be one of {get_args(option_type)}, got {value!r}")


@dataclass
class Fit:
    """What a regression table needs from one estimated column."""

    params: pd.Series
    std_errors: pd.Series
    vcov: pd.DataFrame = field(repr=False)  # covariance matrix of params
    nobs: int
    df_resid: int  # degrees of freedom of the t tests
    r2_within: float
    r2: float  # inclusive of the fixed effects
    adj_r2: float  # inclusive, adjusted for every parameter, fixed effects included
    effects: dict[str, bool]  # {"province": bool, "year": bool}
    cov_type: str  # label of the covariance, e.g. "clustered by province"

    @property
    def tstats(self) -> pd.Series:
        return self.params / self.std_errors

    @property
    def pvalues(self) -> pd.Series:
        return pd.Series(p_value(self.tstats, self.df_resid), index=self.params.index)

    def interval(self, level=config.CONFIDENCE) -> pd.DataFrame:
        """Confidence interval from the t distribution with df_resid degrees of freedom."""
        q = critical(self.df_resid, level)
        return pd.DataFrame({"lower": self.params - q * self.std_errors, "upper": self.params + q * self.std_errors})


def p_value(t, df):
    """Two-sided p-value of a t statistic with df degrees of freedom: 2 P(T_df > |t|) (numbers or arrays)."""
    return 2 * stats.t.sf(np.abs(t), df)


def critical(df, level=config.CONFIDENCE):
    """The t quantile t_{(1 + level) / 2, df} of a two-sided interval at `level` (by default config.CONFIDENCE)."""
    return stats.t.ppf(0.5 + level / 2, df)


def lag(data: pd.DataFrame, column: str, periods: int = 1) -> pd.Series:
    """`column` lagged within each province (never across provinces): x_{i,t-periods} (notebook 06's
    exercise 4 lags by two years). The panel
    must be indexed by province and year, in either order; a missing year gives a missing lag, not the
    previous row."""
    values = data[column]
    shifted = values.copy()
    shifted.index = pd.MultiIndex.from_arrays(
        [values.index.get_level_values(level) + periods if level == "year" else values.index.get_level_values(level)
         for level in values.index.names],
        names=values.index.names)
    return shifted.reindex(values.index).rename(f"L{periods}.{column}" if periods != 1 else f"L.{column}")


def year_dummies(data: pd.DataFrame) -> pd.DataFrame:
    """One dummy per year but the first."""
    years = data.index.get_level_values("year")
    dummies = pd.get_dummies(years, prefix="year", drop_first=True, dtype=float)
    dummies.index = data.index
    return dummies


def estimate(data: pd.DataFrame, y: str, x: list[str], spec: Spec = "twoway", cov_type: CovType = config.COV_TYPE) -> Fit:
    """OLS of `y` on `x` and a constant with fixed effects; rows with a missing value are dropped.

    Parameters
    ----------
    data : panel indexed (province, year).
    y, x : the outcome and the regressors (column names).
    spec : 'twoway' province and year effects (the paper's model); 'province_fe' province effects
        only; 'pooled_year' year dummies only; 'pooled' no effects.
    cov_type : 'cluster' by province (xtreg, fe convention, module docstring), 'driscoll_kraay'
        (Driscoll & Kraay 1998, Bartlett kernel, linearmodels' default bandwidth
        floor(4 (T/100)^(2/9)): 2 lags for T = 8 to 11 years) or 'unadjusted' (conventional,
        homoskedastic and independent errors).

    Returns
    -------
    Fit with the slopes and 'Constant', their standard errors and covariance, N, the t tests'
    degrees of freedom (G-1 clustered, T-1 Driscoll-Kraay, N-K-G+1 conventional) and the R-squared
    measures.
    """
    # Imported here, not at the top: statsmodels and linearmodels take seconds to import, which the
    # notebooks that never estimate through them need not pay.
    import statsmodels.api as sm
    from linearmodels import PanelOLS

    _check_option("spec", spec, Spec)
    _check_option("cov_type", cov_type, CovType)
    frame = data[[y, *x]].dropna()
    exog = sm.add_constant(frame[x])
    if EFFECTS[spec]["year"]:
        exog = exog.join(year_dummies(frame))
    entity = EFFECTS[spec]["province"]
    n_params = exog.shape[1] + (frame.index.get_level_values("province").nunique() - 1 if entity else 0)
    if len(frame) <= n_params:
        raise ValueError(f"{y} on {', '.join(x)} ({spec}): {len(frame)} rows for {n_params} parameters leave no "
                         "residual degree of freedom")
    model = PanelOLS(frame[y], exog, entity_effects=entity)
    if cov_type == "cluster":
        check_clusters(codes(frame)[0], spec, f"{y} on {', '.join(x)} ({spec})")
        result = model.fit(cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True)
    else:
        result = model.fit(cov_type={"driscoll_kraay": "kernel", "unadjusted": "unadjusted"}[cov_type], debiased=True)
    keep = ["const", *x]
    names = {"const": "Constant"}
    effects_only = exog.drop(columns=x)  # the constant and any year dummies
    return Fit(
        params=result.params[keep].rename(names),
        std_errors=result.std_errors[keep].rename(names),
        vcov=result.cov.loc[keep, keep].rename(index=names, columns=names),
        nobs=int(result.nobs),
        df_resid=_df_resid(frame, cov_type, n_params),
        r2_within=_within_r2(frame[y], effects_only, result.resids) if entity else float("nan"),
        r2=float(result.rsquared_inclusive),
        adj_r2=float(1 - (1 - result.rsquared_inclusive) * (result.nobs - 1) / (result.nobs - n_params)),
        effects=dict(EFFECTS[spec]),
        cov_type=COV_LABELS[cov_type],
    )


def _within_r2(y: pd.Series, effects: pd.DataFrame, resids: pd.Series) -> float:
    """Share of the variation left after all fixed effects that the regressors explain:
    1 - SSR / SSR of y on the effects alone."""
    return float(1 - (resids**2).sum() / (_left(y, effects) ** 2).sum())


def _left(y: pd.Series, effects: pd.DataFrame) -> pd.Series:
    """The residuals of y on the fixed effects alone: province effects absorbed, and `effects` (the
    constant, year dummies if any)."""
    from linearmodels import PanelOLS

    return PanelOLS(y, effects, entity_effects=True).fit().resids.rename(y.name)


def _df_resid(frame: pd.DataFrame, cov_type: CovType, n_params: int) -> int:
    """Degrees of freedom of the t tests: the number of clusters less one, provinces (G - 1, as
    Stata and fixest) with clustered errors, years (T - 1) with Driscoll-Kraay errors; N less the
    `n_params` parameters, absorbed effects included, with conventional errors."""
    if cov_type == "unadjusted":
        return len(frame) - n_params
    level = "province" if cov_type == "cluster" else "year"
    return frame.index.get_level_values(level).nunique() - 1


def centred_interaction(data: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """`a`, `b` and their product after centring each on its sample mean; columns keep the names
    a, b and 'a x b'. Centring leaves the product's coefficient unchanged and makes the
    coefficients of a and b their effects at the other's mean."""
    centred = data[[a, b]] - data[[a, b]].mean()
    return centred.assign(**{f"{b} x {a}": centred[a] * centred[b]})


def marginal_effect(fit: Fit, a: str, product: str, b_values) -> pd.DataFrame:
    """d y / d a = beta_a + beta_ab (b - mean b), evaluated at centred values of b, with its standard
    error sqrt(V_aa + b^2 V_{ab,ab} + 2 b V_{a,ab}) and its config.CONFIDENCE interval."""
    b_values = np.asarray(b_values, dtype=float)
    effect = fit.params[a] + fit.params[product] * b_values
    v = fit.vcov
    se = np.sqrt(v.loc[a, a] + b_values**2 * v.loc[product, product] + 2 * b_values * v.loc[a, product])
    q = critical(fit.df_resid)
    return pd.DataFrame({"effect": effect, "se": se, "lower": effect - q * se, "upper": effect + q * se})


def wald(fit: Fit, terms: list[str]) -> tuple[float, float]:
    """Wald test that the coefficients of `terms` are all zero, with the fit's covariance:
    F = b' V^-1 b / q against F(q, df_resid). Returns F and its p-value."""
    b = fit.params[terms].to_numpy()
    v = fit.vcov.loc[terms, terms].to_numpy()
    f = float(b @ np.linalg.solve(v, b) / len(terms))
    return f, float(stats.f.sf(f, len(terms), fit.df_resid))


def equal_slopes(data: pd.DataFrame, y: str, x: str, regions, cov_type: CovType = config.COV_TYPE) -> tuple[Fit, float, float]:
    """Is the slope of x the same in every region (Table 7's question asked at once)? A Chow-type test,
    with the run's covariance, of one model on all rows in which every region has its own slope and its
    own year effects, so that each region's slope is its Table 7 coefficient: y on x, x times the dummy
    of each region but the first (the base) and that region's year dummies, with province and year
    effects; the Wald F of the products (wald). Returns the fit (its slopes, products and constant, the region-year effects among
    its effects; no within R-squared, since those are effects here, not regressors), F and its p-value."""
    frame, products, region_years = _region_slopes(data, y, x, regions)
    fit = estimate(frame, y, [x, *products, *region_years], cov_type=cov_type)
    keep = [x, *products, "Constant"]
    fit = replace(fit, params=fit.params[keep], std_errors=fit.std_errors[keep], vcov=fit.vcov.loc[keep, keep],
                  r2_within=float("nan"), effects={**fit.effects, "region x year": True})
    return fit, *wald(fit, products)


def equal_slopes_bootstrap(data: pd.DataFrame, y: str, x: str, regions, reps: int = config.BOOTSTRAP["reps"],
                           seed: int = config.BOOTSTRAP["seed"],
                           weights: Weights = config.BOOTSTRAP["weights"]) -> "Bootstrap":
    """equal_slopes' clustered Wald test by the restricted wild cluster bootstrap (wild_wald): the
    draws impose one slope in every region and keep each region's year effects."""
    frame, products, region_years = _region_slopes(data, y, x, regions)
    return wild_wald(frame, y, [x, *products, *region_years], products, reps, seed, weights)


def _region_slopes(data: pd.DataFrame, y: str, x: str, regions) -> tuple[pd.DataFrame, list[str], list[str]]:
    """y, x, x times the dummy of each region but the first ('x x region') and that region's dummies
    of every year but the first ('region x year'), the year effects of the regions beyond the common
    ones; returns the frame and the names of the products and of the region-year dummies."""
    in_region = {region: data["region"] == region for region in list(regions)[1:]}
    products = {f"{x} x {region}": data[x] * rows for region, rows in in_region.items()}
    years = year_dummies(data)
    region_years = {f"{region} x {year.removeprefix('year_')}": years[year] * rows
                    for region, rows in in_region.items() for year in years}
    return data[[y, x]].assign(**products, **region_years), list(products), list(region_years)


def vif(data: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Variance inflation factors 1 / (1 - R_j^2), R_j^2 from regressing column j on the others
    and a constant (statsmodels)."""
    import statsmodels.api as sm
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    x = sm.add_constant(data[columns].dropna()).to_numpy()
    return pd.Series([variance_inflation_factor(x, i + 1) for i in range(len(columns))], index=columns, name="VIF")


def two_way_residuals(data: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Each column less its fit on province and year effects alone (in a balanced panel
    x - mean_i - mean_t + mean): the variation the two-way model estimates its slopes from."""
    import statsmodels.api as sm

    frame = data[columns].dropna()
    effects = sm.add_constant(year_dummies(frame))
    return pd.DataFrame({c: _left(frame[c], effects) for c in columns})


def within_share(data: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Share of each column's variation (its sum of squares about the mean) left after province and
    year effects: the sum of squares of two_way_residuals over the total sum of squares."""
    frame = data[columns].dropna()
    return ((two_way_residuals(frame, columns) ** 2).sum() / ((frame - frame.mean()) ** 2).sum()).rename("share left")


# --- few clusters: wild cluster bootstrap ---------------------------------------------------------

WEIGHTS = {"webb": np.array([-np.sqrt(1.5), -1, -np.sqrt(0.5), np.sqrt(0.5), 1, np.sqrt(1.5)]),
           "rademacher": np.array([-1.0, 1.0])}
TIES_RTOL = 1e-9  # |t*| within this relative distance of |t| counts as reaching it


@dataclass(frozen=True)
class Bootstrap:
    """A wild cluster bootstrap test: the observed statistic (the t of H0: beta = 0, or the Wald F of
    a joint H0), its value in each draw (`star`: t*, F*), and whether the draws are every possible
    weight vector (exact p-value) or a seeded Monte-Carlo sample. The p-value compares absolute values
    (bootstrap_p): symmetric for t, the upper tail for F >= 0."""

    statistic: float
    star: np.ndarray = field(repr=False)
    exact: bool

    @property
    def reps(self) -> int:
        return len(self.star)

    @property
    def pvalue(self) -> float:
        return float(bootstrap_p(self.statistic, self.star))

    @property
    def mc_error(self) -> float:
        """Monte-Carlo standard error of the p-value, sqrt(p (1 - p) / B); 0 when exact."""
        return 0.0 if self.exact else float(np.sqrt(self.pvalue * (1 - self.pvalue) / self.reps))


def bootstrap_p(t, t_star: np.ndarray):
    """Symmetric p-value of each t, the share of its draws t* (axis 0) with |t*| >= |t|; ties count,
    with a relative tolerance TIES_RTOL, because draws whose weights are all equal reproduce |t|
    exactly and only floating-point rounding would otherwise decide (Webb weights: 6 of 6^G draws)."""
    return np.mean(np.abs(t_star) >= np.abs(t) * (1 - TIES_RTOL), axis=0)


def wild_cluster_bootstrap(data: pd.DataFrame, y: str, x: list[str], test: str,
                           reps: int = config.BOOTSTRAP["reps"], seed: int = config.BOOTSTRAP["seed"],
                           weights: Weights = config.BOOTSTRAP["weights"]) -> Bootstrap:
    """Restricted wild cluster bootstrap (WCR; Cameron, Gelbach & Miller 2008) of H0: beta_test = 0 in
    the two-way model of `estimate`, clusters = provinces, Webb (2014) six-point weights (or
    'rademacher'): each draw v (one weight per province) gives y* = X_r b_r + v_g u_r from the
    restricted fit (b_r, u_r), and t* is the clustered t of `test` in the two-way regression of y* on
    `x` (wild_draws). When the weights allow no more than `reps` distinct vectors (Webb weights:
    6^G <= reps, G <= 5 at the default 9,999) every one is enumerated and the p-value is exact (it
    does not depend on `seed`); otherwise `reps` vectors are drawn from a generator seeded with `seed`."""
    frame = data[[y, *x]].dropna()
    groups, years = codes(frame)
    Z = _restricted_design(frame, x, [test], groups, years)
    b, se, t_star, exact = wild_restricted(frame[[y]].to_numpy(), frame[[test]].to_numpy(), basis(Z), groups,
                                           small_sample_k("twoway", len(x), years), reps, seed, weights)
    return Bootstrap(statistic=float(b[0, 0] / se[0, 0]), star=t_star[:, 0, 0], exact=exact)


def wild_wald(data: pd.DataFrame, y: str, x: list[str], terms: list[str], reps: int = config.BOOTSTRAP["reps"],
              seed: int = config.BOOTSTRAP["seed"], weights: Weights = config.BOOTSTRAP["weights"]) -> Bootstrap:
    """Restricted wild cluster bootstrap of the Wald test that the coefficients of `terms` are all zero
    in the two-way model of y on x (wald, clustered covariance of `estimate`; Roodman, Nielsen,
    MacKinnon & Webb 2019 on Wald tests of several restrictions): draws as wild_cluster_bootstrap, from
    the fit without `terms`, and F* = b*'V*^-1 b* / q of each. By Frisch-Waugh-Lovell, with U an
    orthonormal basis of the effects and the other regressors (basis), P the q tested columns and u the
    outcome residualised on it (u is the restricted residual): b* = A^-1 sum_g v_g P_g'u_g, A = P'P,
    cluster scores s_g = v_g P_g'u_g - (P_g'U_g) sum_h v_h U_h'u_h - P_g'P_g b*, V* = c A^-1 (sum_g
    s_g s_g') A^-1 with the clustered factor c (v = 1 gives the observed F)."""
    _check_option("weights", weights, Weights)
    if len(set(x)) < len(x) or not set(terms) <= set(x) or len(set(terms)) < len(terms):
        raise ValueError(f"x must name each regressor once and terms must be some of them, got x={x}, terms={terms}")
    frame = data[[y, *x]].dropna()
    groups, years = codes(frame)
    U = basis(_restricted_design(frame, x, terms, groups, years))
    u, P = (A - U @ (U.T @ A) for A in (frame[[y]].to_numpy(), frame[terms].to_numpy()))
    (n, q), n_groups = P.shape, groups.max() + 1
    by_group = np.eye(n_groups)[groups].T
    Pu, Uu = by_group @ (P * u), by_group @ (U * u)
    PU = (by_group @ (P[:, :, None] * U[:, None, :]).reshape(n, -1)).reshape(n_groups, q, -1)
    PP = (by_group @ (P[:, :, None] * P[:, None, :]).reshape(n, -1)).reshape(n_groups, q, q)
    inverse = np.linalg.inv(PP.sum(axis=0))
    scale = _cluster_scale(n, n_groups, small_sample_k("twoway", len(x), years))

    def f(v: np.ndarray) -> np.ndarray:
        b = v @ Pu @ inverse
        scores = v[:, :, None] * Pu - np.einsum("gqr,dr->dgq", PU, v @ Uu) - np.einsum("gqk,dk->dgq", PP, b)
        V = scale * inverse @ np.einsum("dgq,dgk->dqk", scores, scores) @ inverse
        return np.einsum("dq,dq->d", b, np.linalg.solve(V, b[..., None])[..., 0]) / q

    v, exact = _draws(WEIGHTS[weights], n_groups, reps, seed)
    return Bootstrap(statistic=float(f(np.ones((1, n_groups)))[0]), star=f(v), exact=exact)


def _restricted_design(frame: pd.DataFrame, x: list[str], tested: list[str], groups: np.ndarray,
                       years: np.ndarray) -> np.ndarray:
    """The columns of the two-way model of `x` that the `tested` ones are partialled on (the effects and
    the other regressors), once the whole model has passed check_design."""
    others = [c for c in x if c not in tested]
    where = f"wild cluster bootstrap of {', '.join(tested)}"
    check_clusters(groups, "twoway", where)
    Z = np.hstack([effects(groups, years, "twoway"), frame[others].to_numpy()])
    check_design(np.hstack([Z, frame[tested].to_numpy()]), [*others, *tested], where)
    return Z


def wild_restricted(Y: np.ndarray, X: np.ndarray, U: np.ndarray, groups: np.ndarray, k: int, reps: int,
                    seed: int, weights: Weights) -> tuple[np.ndarray, ...]:
    """The restricted wild cluster bootstrap of every column x of X, alone beside the columns U spans
    (an orthonormal basis of the effects and the other regressors, basis), on every column y of Y: y
    and x residualised on U, the weight vectors of `weights` (_draws: all of them if there are at most
    `reps`), then wild_draws. Returns b, its clustered se, t* (draws, m, ny) and whether the draws are
    exact."""
    _check_option("weights", weights, Weights)
    Y, X = residualise(U, Y, X)
    v, exact = _draws(WEIGHTS[weights], groups.max() + 1, reps, seed)
    return (*wild_draws(Y, X, U, groups, k, v), exact)


def wild_draws(Y: np.ndarray, X: np.ndarray, U: np.ndarray, groups: np.ndarray, k: int,
               v: np.ndarray) -> tuple[np.ndarray, ...]:
    """The restricted wild cluster bootstrap of every column x of X (alone beside what U spans) on
    every column y of Y, by Frisch-Waugh-Lovell: U is an orthonormal basis of the effects and the
    other regressors (basis), x and y are residualised on it, so that the restricted residual is y and
    a weight vector v (one per cluster, a row of `v`) gives the residualised y* = M(v_g y):
    b* = sum_g v_g x_g'y_g / x'x (x'U = 0), cluster scores x_g'u*_g = v_g x_g'y_g
    - sum_h (x_g'U_g)(U_h'y_h) v_h - b* x_g'x_g and t* = b* x'x / sqrt(c sum_g (x_g'u*_g)^2), c the
    clustered factor G/(G-1) (N-1)/(N-K), K = k. Returns b and its clustered se, arrays (m, ny), and
    t* (draws, m, ny)."""
    n_groups, (n, m), ny = groups.max() + 1, X.shape, Y.shape[1]
    by_group = np.eye(n_groups)[groups].T  # sums over each cluster's rows
    xy = (by_group @ (X[:, :, None] * Y[:, None, :]).reshape(n, -1)).reshape(n_groups, m, ny)
    xx = by_group @ X**2
    cross = np.einsum("gir,hrj->hgij", (by_group @ (X[:, :, None] * U[:, None, :]).reshape(n, -1)).reshape(n_groups, m, -1),
                      (by_group @ (U[:, :, None] * Y[:, None, :]).reshape(n, -1)).reshape(n_groups, -1, ny))
    total, scale = xx.sum(axis=0)[:, None], _cluster_scale(n, n_groups, k)
    b = xy.sum(axis=0) / total
    se = np.sqrt(scale * ((xy - b * xx[:, :, None])**2).sum(axis=0)) / total
    b_star = (v @ xy.reshape(n_groups, -1)).reshape(len(v), m, ny) / total
    scores = (v[:, :, None, None] * xy - (v @ cross.reshape(n_groups, -1)).reshape(len(v), n_groups, m, ny)
              - b_star[:, None] * xx[None, :, :, None])
    return b, se, b_star * total / np.sqrt(scale * (scores**2).sum(axis=1))


# --- Frisch-Waugh-Lovell: the effects and controls partialled out (the bootstrap, the multiverse) ---

def codes(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Province and year of each row as integer codes: provinces in the order they come, years in
    calendar order, which the Driscoll-Kraay lags follow (in order of appearance, a panel whose first
    province lacks 2011 would number 2011 after 2021)."""
    province, year = (frame.index.get_level_values(level) for level in ("province", "year"))
    return pd.factorize(province)[0], pd.factorize(year, sort=True)[0]


def effects(groups: np.ndarray, years: np.ndarray, spec: str) -> np.ndarray:
    """The columns an estimator of `estimate`'s `spec` partials out: a constant, province dummies
    (province effects) and year dummies (year effects), each set without its first level so that
    the columns are linearly independent."""
    _check_option("spec", spec, Spec)
    columns = [np.ones((len(groups), 1))]
    if EFFECTS[spec]["province"]:
        columns.append(np.eye(groups.max() + 1)[groups][:, 1:])
    if EFFECTS[spec]["year"]:
        columns.append(np.eye(years.max() + 1)[years][:, 1:])
    return np.hstack(columns)


# A column with at most this share of its sum of squares left beside the model's other columns has no
# variation of its own: it is collinear with them (linearmodels, which models.estimate uses, refuses a
# variable with less than 1e-5 of its norm left after the effects, the same share of the sum of squares).
NO_VARIATION = 1e-10


def check_design(Z: np.ndarray, names: list[str], where: str, slopes: int = 0) -> None:
    """Refuse a design (ValueError naming `where`) where one of the named columns, the last len(names)
    of Z after the effects, keeps at most NO_VARIATION of its sum of squares beside Z's other columns
    (left_beside), or where Z and `slopes` further columns leave no residual degree of freedom: a slope
    would be a ratio of rounding errors, or a column would drop out of the basis (basis) but still
    count in K, and models.estimate refuses such a model."""
    n, k = Z.shape
    if n <= k + slopes:
        raise ValueError(f"{where}: {n} rows for {k + slopes} parameters leave no residual degree of freedom")
    left = left_beside(Z)[k - len(names):]
    absorbed = [name for name, share in zip(names, left) if not share > NO_VARIATION]
    if absorbed:
        raise ValueError(f"{where}: no variation of its own beside the effects and the other columns for "
                         f"{', '.join(absorbed)} (models.estimate refuses such a model)")


def check_clusters(groups: np.ndarray, spec: str, where: str) -> None:
    """Refuse clustered errors (ValueError naming `where`) where the clusters' scores cancel by the
    model's structure: with year effects, two provinces (each year's dummy ties their residuals and
    the normal equation of a slope sets both scores to zero; multiverse.drawn_block derives it), or
    one without; with province effects a province of one row has no score. The clustered variance
    would be rounding error and its t of the order of 1e8."""
    rows = np.bincount(groups)
    informative = int((rows > (1 if EFFECTS[spec]["province"] else 0)).sum())
    if informative <= (2 if EFFECTS[spec]["year"] else 1):
        raise ValueError(f"{where}: {informative} province(s) with rows of their own beside the effects ({spec}); "
                         "their clustered scores cancel, so there is no clustered test (use Driscoll-Kraay or "
                         "conventional errors, or more provinces)")


def left_beside(Z: np.ndarray) -> np.ndarray:
    """The share of each column's sum of squares left after its least-squares projection on Z's other
    columns, 1 - R^2 (uncentred): 1 / the diagonal of the inverse of the Gram matrix of Z's unit-norm
    columns; where that matrix is singular (a column of zeros, columns exactly collinear), each
    column's own projection, a column of zeros keeping nothing."""
    norms = np.sqrt((Z**2).sum(axis=0))
    scaled = Z / np.where(norms > 0, norms, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            left = 1 / np.diag(np.linalg.inv(scaled.T @ scaled))
            if np.isfinite(left).all():
                return left
        except np.linalg.LinAlgError:
            pass
    left = np.zeros(Z.shape[1])
    for j in np.flatnonzero(norms):
        others = np.delete(scaled, j, axis=1)
        residual = scaled[:, j] - others @ np.linalg.lstsq(others, scaled[:, j], rcond=None)[0]
        left[j] = residual @ residual
    return left


def basis(Z: np.ndarray) -> np.ndarray:
    """U, an orthonormal basis of the column space of Z: Z L^-T with L L' = Z'Z (Cholesky); where
    that fails or U'U departs from the identity by more than 1e-10 (Z rank-deficient or badly
    conditioned), Z's singular vectors above numpy's rank tolerance."""
    try:
        U = solve_triangular(np.linalg.cholesky(Z.T @ Z), Z.T, lower=True).T
        if np.abs(U.T @ U - np.eye(Z.shape[1])).max() < 1e-10:
            return U
    except np.linalg.LinAlgError:
        pass
    U, s, _ = np.linalg.svd(Z, full_matrices=False)
    return U[:, s > s.max() * max(Z.shape) * np.finfo(float).eps]


def residualise(U: np.ndarray, *arrays: np.ndarray) -> list[np.ndarray]:
    """Each array minus its least-squares projection on the orthonormal columns U (basis): A - U U'A."""
    return [A - U @ (U.T @ A) for A in arrays]


def _draws(values: np.ndarray, n_groups: int, reps: int, seed: int) -> tuple[np.ndarray, bool]:
    """Weight vectors as rows: all len(values)^G of them if there are at most `reps` (exact), else
    `reps` seeded draws."""
    if len(values) ** n_groups <= reps:
        return np.array(list(itertools.product(values, repeat=n_groups))), True
    return np.random.default_rng(seed).choice(values, size=(reps, n_groups)), False


def small_sample_k(spec: str, n_slopes: int, years: np.ndarray) -> int:
    """K of the small-sample factor: the slopes, the constant and T-1 year dummies with year effects."""
    return n_slopes + 1 + (years.max() if EFFECTS[spec]["year"] else 0)


def _cluster_scale(n: int, n_groups: int, k: int) -> float:
    """Small-sample factor of the clustered covariance, G/(G-1) (N-1)/(N-K) (module docstring)."""
    return n_groups / (n_groups - 1) * (n - 1) / (n - k)
