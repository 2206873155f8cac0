"""The multiverse (specification curve; Simonsohn, Simmons & Nelson 2020; Steegen et al. 2016): every
combination of the declared choices, estimated at once, and tested jointly.

The universe is declared once, as data (CHOICES), from the project's own declarations: every `tfp`,
`digital` and `virtual` construction of the grid (panel.MEASURES), no controls or the five
(panel.CONTROLS), the four estimators (models.SPECS), five samples, two covariances of
models.estimate (clustered by province, Driscoll-Kraay; not the conventional one, ANALYTIC says why)
and, where clusters are few, the wild cluster bootstrap (INFERENCE), and for the regional claim the
four regions.

The estimator is models.estimate made vectorised by Frisch-Waugh-Lovell: within one block (sample,
estimator, controls) the fixed effects and the controls are partialled out of every outcome and every
regressor once (one least-squares projection), and each slope is then d'y / d'd of two residualised
columns; its clustered variance is G/(G-1) (N-1)/(N-K) sum_g (d_g'u_g)^2 / (d'd)^2 with u = y - b d the
full model's residuals (module docstring of helpers.models), t tests with G-1 degrees of freedom;
the Driscoll-Kraay variance sums the same scores by year instead (slopes).
"""
import time

import numpy as np
import pandas as pd

from . import config, constructions, forensics, models, panel, scorecard, tables
from .provinces import REGIONS, without_municipalities

# Inference: clustered by province and Driscoll-Kraay (ANALYTIC); where a sample has fewer than
# config.FEW_CLUSTERS provinces (the regions), also the restricted wild cluster bootstrap of
# models.wild_cluster_bootstrap (its weights, draws and seed), on the core universe only: 9,999 draws
# for each of the full regional universe's 650,000 regressions would take hours.
# Conventional errors (models.estimate's 'unadjusted') are not in the universe: they assume a province's
# errors independent from year to year, which a TFP level panel contradicts (notebook 05: the clustered
# standard error of the paper's path is 3.3 times the conventional one).
ANALYTIC = ("cluster", "driscoll_kraay")
INFERENCE = (*ANALYTIC, "wild_bootstrap")
SAMPLES = ("full", "no filled cells", "no municipalities", "digital lagged", "winsorised")
# The universe, one choice per key, each with its options.
CHOICES = {
    "outcome": panel.MEASURES["tfp"],
    "regressor": panel.MEASURES["digital"],
    "moderator": panel.MEASURES["virtual"],  # H2 only
    "controls": {"none": [], "five": panel.CONTROLS},
    "spec": models.SPECS,
    "sample": SAMPLES,
    "inference": INFERENCE,
    "region": REGIONS,  # the regional claim only
}
# The paper's own path: Table 4 (2), Table 6 (2), Table 7.
PUBLISHED_PATH = {"outcome": "tfp", "regressor": "digital", "moderator": "virtual", "controls": "five",
                  "spec": "twoway", "sample": "full", "inference": "cluster"}
KEYS = ["outcome", "regressor", "controls", "spec", "sample", "inference"]  # the choices of one H1 specification


# --- data -----------------------------------------------------------------------------------------

def wide(data: pd.DataFrame) -> pd.DataFrame:
    """The panel with every construction of tfp, digital and virtual as a column (the grid's cache)."""
    names = [*CHOICES["outcome"], *CHOICES["regressor"], *CHOICES["moderator"]]
    return data.join(forensics.columns([n for n in names if n not in data]))


def sample(data: pd.DataFrame, name: str) -> pd.DataFrame:
    """The rows (and, when re-estimated, lagged or winsorised, the values) of one sample of the wide
    panel: full; no filled cell (the `filled` flag; every digital index re-estimated on those rows,
    forensics.unfilled, as notebook 06's check); no municipality; every digital construction lagged one year
    within its province (2011 drops out; in H2 the product is then lagged digital x virtual); every
    model column winsorised at panel.winsorise's default share per tail (1 %, as notebook 06)."""
    digital = CHOICES["regressor"]
    if name == "full":
        return data
    if name == "no filled cells":
        kept = data[~data["filled"]]
        return kept.assign(**forensics.unfilled(digital).reindex(kept.index))
    if name == "no municipalities":
        return without_municipalities(data)
    if name == "digital lagged":
        lagged = data.assign(**{d: models.lag(data, d) for d in digital})
        return lagged[lagged.index.get_level_values("year") > lagged.index.get_level_values("year").min()]
    if name == "winsorised":
        return panel.winsorise(data, [*CHOICES["outcome"], *digital, *CHOICES["moderator"], *panel.CONTROLS])
    raise ValueError(f"sample must be one of {SAMPLES}, got {name!r}")


# --- the vectorised estimator ---------------------------------------------------------------------

def slopes(Y: np.ndarray, X: np.ndarray, groups: np.ndarray, k: int, years: np.ndarray,
           absorbed: int = 0) -> tuple[np.ndarray, ...]:
    """For x a column of X (N, m) and y a column of Y (N, ny), both residualised on everything else
    in the model (Frisch-Waugh-Lovell): the slope b = x'y / x'x and its clustered and Driscoll-Kraay
    standard errors (_errors) from the scores x_i u_i, u = y - b x. Arrays (m, ny)."""
    xy = X[:, :, None] * Y[:, None, :]
    xx = (X**2).sum(axis=0)[:, None]
    b = xy.sum(axis=0) / xx
    xu = xy - b[None] * (X**2)[:, :, None]  # x_i u_i
    xi = (np.eye(years.max() + 1)[years].T @ xu.reshape(len(xu), -1)).reshape(-1, *b.shape)
    scores = np.add.reduceat(xu, _starts(groups), axis=0)
    return (b, *_errors((scores**2).sum(axis=0), len(scores), xi, xx, len(groups), k, absorbed))


def _starts(groups: np.ndarray) -> np.ndarray:
    """The first row of each cluster; the rows of a cluster must be contiguous."""
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    if len(starts) != groups.max() + 1:
        raise ValueError("the rows of each cluster must be contiguous")
    return starts


def _errors(squares, n_groups, xi: np.ndarray, xx: np.ndarray, n, k: int, absorbed) -> tuple[np.ndarray, ...]:
    """Standard errors of slopes from sum_g s_g^2, the squared scores summed by cluster, over the
    n_groups clusters G, their scores summed by year xi (T, ...) and x'x (arrays broadcast, so that N,
    G and the absorbed effects may differ by draw): clustered sqrt(c sum_g s_g^2) / x'x,
    c = G/(G-1) (N-1)/(N-K), K = k; Driscoll-Kraay as
    models.estimate (linearmodels' kernel covariance, debiased) sqrt(N / (N - K - absorbed) sum_l w_l
    sum_t xi_t xi_{t+l} (twice for l > 0)) / x'x, Bartlett weights w_l = 1 - l / (L + 1),
    L = floor(4 (T / 100)^(2/9)); `absorbed` counts the province effects absorbed (G - 1)."""
    se = np.sqrt(models._cluster_scale(n, n_groups, k) * squares) / xx
    lags = int(np.floor(4 * (len(xi) / 100) ** (2 / 9)))
    s = (xi**2).sum(axis=0) + sum(2 * (1 - lag / (lags + 1)) * (xi[lag:] * xi[:-lag]).sum(axis=0)
                                  for lag in range(1, lags + 1))
    return se, np.sqrt(n / (n - k - absorbed) * s) / xx


def _absorbed(spec: str, groups: np.ndarray) -> int:
    """Province effects absorbed beside the constant: G - 1 with province effects, else 0."""
    return groups.max() if models.EFFECTS[spec]["province"] else 0


def _inference(se, se_dk, n_groups, n_years) -> dict:
    """Standard errors and t-test degrees of freedom per inference: G - 1 clustered, T - 1 Driscoll-Kraay."""
    return {"cluster": (se, n_groups - 1), "driscoll_kraay": (se_dk, n_years - 1)}


class Sample:
    """One sample's model columns as a float array and its province and year codes: what the
    estimator needs, extracted once and reused by every block and draw."""

    def __init__(self, frame: pd.DataFrame, name: str = "sample"):
        names = [c for c in frame.columns if c not in ("name_zh", "region", "filled")]
        self.name, self.index = name, {column: i for i, column in enumerate(names)}
        self.values = frame[names].to_numpy(dtype=float)
        self.groups, self.years = models.codes(frame)
        self.provinces = frame.index.get_level_values("province").unique().to_numpy()  # in the order of the codes
        self.rows = frame.index

    def columns(self, names: list[str]) -> np.ndarray:
        """The columns `names`; a missing value is refused (models.estimate would drop its row, and
        every block of a sample shares the same rows)."""
        values = self.values[:, [self.index[n] for n in names]]
        if np.isnan(values).any():
            row, column = np.argwhere(np.isnan(values))[0]
            raise ValueError(f"multiverse sample {self.name!r}: {names[column]} is missing for "
                             f"{' '.join(map(str, self.rows[row]))}, "
                             "and every specification of a sample is estimated on the same rows")
        return values

    def counts(self, drawn: np.ndarray) -> np.ndarray:
        """How often each draw (a row of province names, repeats allowed) picks each of the sample's
        provinces, (draws, provinces); a drawn province the sample does not hold is left out."""
        return (np.asarray(drawn)[:, :, None] == self.provinces[None, None, :]).sum(axis=1)


def _design(frame: Sample, controls: list[str], spec: str, n_slopes: int) -> tuple[np.ndarray, int]:
    """An orthonormal basis (models.basis) of what every slope is partialled on, the effects of `spec`
    and the `controls`, and K of the small-sample factor (models.small_sample_k). A control collinear
    with the effects or the other controls, or a design without residual degrees of freedom, is
    refused (models.check_design), as models.estimate refuses it."""
    Z = np.hstack([models.effects(frame.groups, frame.years, spec), frame.columns(controls)])
    models.check_design(Z, controls, f"multiverse sample {frame.name!r}, {spec}", slopes=n_slopes)
    return models.basis(Z), models.small_sample_k(spec, n_slopes + len(controls), frame.years)


def _refuse_absorbed(frame: Sample, spec: str, names, before: np.ndarray, after: np.ndarray) -> None:
    """A column whose sum of squares after partialling (`after`) is at most models.NO_VARIATION of the one
    before has no variation of its own beside the model's other columns (absorbed by the effects, the
    controls or the other terms), and its slope would be a ratio of rounding errors: refused, as
    models.estimate refuses it."""
    absorbed = np.ravel(after <= models.NO_VARIATION * before)
    if absorbed.any():
        raise ValueError(f"multiverse sample {frame.name!r}, {spec}: no variation of its own beside the model's "
                         f"other columns for {', '.join(np.ravel(names)[absorbed])} (models.estimate refuses such a model)")


def block(frame: Sample, outcomes: list[str], regressors: list[str], controls: list[str],
          spec: str) -> tuple[np.ndarray, dict]:
    """Coefficient of each regressor (alone beside `controls`) on each outcome, arrays (regressors,
    outcomes), and per inference (ANALYTIC) its standard errors and the t tests' degrees of freedom."""
    groups, years = frame.groups, frame.years
    Y, X = (frame.columns(c) for c in (outcomes, regressors))
    U, k = _design(frame, controls, spec, 1)
    Y, X_ = models.residualise(U, Y, X)
    _refuse_absorbed(frame, spec, regressors, (X**2).sum(axis=0), (X_**2).sum(axis=0))
    b, se, se_dk = slopes(Y, X_, groups, k, years, _absorbed(spec, groups))
    return b, _inference(se, se_dk, groups.max() + 1, years.max() + 1)


def wild_block(frame: Sample, outcomes: list[str], regressors: list[str], controls: list[str], spec: str,
               reps: int = config.BOOTSTRAP["reps"], seed: int = config.BOOTSTRAP["seed"],
               weights: str = config.BOOTSTRAP["weights"]) -> tuple[np.ndarray, ...]:
    """models.wild_cluster_bootstrap (restricted, the same weight vectors) of every regressor (alone
    beside `controls`) on every outcome of a block, for any estimator (models.wild_restricted). Returns b,
    its clustered se, t* (draws, regressors, outcomes) and whether the draws are exact."""
    Y, X = (frame.columns(c) for c in (outcomes, regressors))
    U, k = _design(frame, controls, spec, 1)
    return models.wild_restricted(Y, X, U, frame.groups, k, reps, seed, weights)


def moderation_block(frame: Sample, outcomes: list[str], regressors: list[str], moderators: list[str],
                     controls: list[str], spec: str) -> tuple[np.ndarray, dict]:
    """Coefficient of the centred product d x v in the model with d, v, their product and `controls`
    (models.centred_interaction), arrays (regressors, moderators, outcomes), and per inference its
    standard errors and degrees of freedom (block).

    With everything residualised on the effects and controls, the product p = d_i v_j and each
    outcome y are taken off (d_i, v_j) by the closed-form 2 x 2 normal equations (p.., y.. =
    y - beta_d d_i - beta_v v_j); then b = p..'y / p..'p.. and the scores of a run of rows (a cluster,
    a year) are sum p.. u = P_g'Y_g - beta_d sum p.. d_i - beta_v sum p.. v_j - b sum p..^2, so that no
    array of rows x regressors x moderators x outcomes is formed."""
    groups, years = frame.groups, frame.years
    Y, D, V = (frame.columns(c) for c in (outcomes, regressors, moderators))
    D, V = D - D.mean(axis=0), V - V.mean(axis=0)
    n, nd, nv = len(Y), D.shape[1], V.shape[1]
    U, k = _design(frame, controls, spec, 3)
    product = D[:, :, None] * V[:, None, :]
    Y, D_, V_, P = models.residualise(U, Y, D, V, product.reshape(n, -1))
    _refuse_absorbed(frame, spec, [*regressors, *moderators], (np.hstack([D, V])**2).sum(axis=0),
                     (np.hstack([D_, V_])**2).sum(axis=0))
    D, V, P = D_, V_, P.reshape(n, nd, nv)
    a, c, r = (D**2).sum(axis=0)[:, None], (V**2).sum(axis=0)[None, :], D.T @ V
    det = a * c - r**2
    _refuse_absorbed(frame, spec, [[f"{v} (beside {d})" for v in moderators] for d in regressors], a * c, det)
    u1, u2 = np.einsum("ni,nij->ij", D, P), np.einsum("nj,nij->ij", V, P)
    P = P - ((c * u1 - r * u2) / det) * D[:, :, None] - ((a * u2 - r * u1) / det) * V[:, None, :]
    e1, e2 = (D.T @ Y)[:, None], (V.T @ Y)[None]
    beta_d = (c[..., None] * e1 - r[..., None] * e2) / det[..., None]
    beta_v = (a[..., None] * e2 - r[..., None] * e1) / det[..., None]
    flat, pp = P.reshape(n, -1), (P**2).sum(axis=0)[..., None]
    _refuse_absorbed(frame, spec, [[f"{v} x {d}" for v in moderators] for d in regressors],
                     (product**2).sum(axis=0), pp[..., 0])
    b = (flat.T @ Y).reshape(nd, nv, -1) / pp
    cross = [P * D[:, :, None], P * V[:, None, :], P**2]

    def scores(order: np.ndarray, starts: np.ndarray) -> np.ndarray:
        py = np.stack([flat[run].T @ Y[run] for run in np.split(order, starts[1:])]).reshape(len(starts), nd, nv, -1)
        pd_, pv, p2 = (np.add.reduceat(A[order], starts)[..., None] for A in cross)
        return py - beta_d * pd_ - beta_v * pv - b * p2

    by_year = np.argsort(years, kind="stable")
    year_starts = np.flatnonzero(np.r_[True, np.diff(years[by_year]) != 0])
    by_province = scores(np.arange(n), _starts(groups))
    se, se_dk = _errors((by_province**2).sum(axis=0), len(by_province), scores(by_year, year_starts), pp, n, k,
                        _absorbed(spec, groups))
    return b, _inference(se, se_dk, groups.max() + 1, years.max() + 1)


# --- the joint test's estimator: every draw of provinces at once ---------------------------------------

def _normal_solve(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Solutions G of the stacked normal equations A G = B (A = W_S'W_S of each draw), by the
    pseudo-inverse of A scaled to a unit diagonal, whose eigenvalues below models.NO_VARIATION of the largest
    count as zero: a draw that makes columns collinear (every pick the same province) still gets the
    least-squares projection, with a solution of minimum norm, as models.basis does for one design."""
    if not A.shape[1]:  # nothing to partial out (province effects alone, no controls)
        return B
    scale = np.sqrt(np.diagonal(A, axis1=1, axis2=2))
    scale = np.where(scale > 0, scale, 1.0)[:, :, None]
    values, vectors = np.linalg.eigh(A / scale / scale.transpose(0, 2, 1))
    kept = values > models.NO_VARIATION * values.max(axis=1, keepdims=True)
    inverse = (vectors * np.where(kept, 1 / np.where(kept, values, 1), 0)[:, None, :]) @ vectors.transpose(0, 2, 1)
    return (inverse / scale / scale.transpose(0, 2, 1)) @ B


def drawn_block(frame: Sample, counts: np.ndarray, outcomes: list[str], regressors: list[str],
                controls: list[str], spec: str, moderators: list[str] = None) -> tuple[np.ndarray, dict]:
    """block (moderation_block if `moderators` are given) on every draw of provinces at once: arrays
    (draws, regressors [x moderators], outcomes) and per inference the standard errors and degrees
    of freedom. A draw picking province g c_g times (`counts`, Sample.counts) is the sample with each
    row of g weighted c_g, every pick a cluster and a province effect of its own.

    W holds the model's columns: the effects a province effect does not absorb (a constant unless
    province effects; year dummies with year effects), the controls, the regressors [the moderators
    and each product d x v], the outcomes; under province effects demeaned within province, which
    partials them out of every pick. A draw's cross-products are sum_g c_g W_g'W_g; the coefficients
    G of each tested column x and each outcome y on the columns it is partialled on solve their normal
    equations (_normal_solve), x.. = x - W_S G_x, y.. = y - W_S G_y (Frisch-Waugh-Lovell) and
    b = sum c x..y.. / sum c x..^2 (the product's coefficient does not depend on centring d and v,
    which moves only the coefficients on d, v and the constant). Scores x.. u, u = y.. - b x.., are
    summed by province (the same for each pick: sum_g c_g s_g^2 over G = sum_g c_g clusters) and by
    year, weighted; N = sum_g c_g N_g (_errors). Driscoll-Kraay errors take the sample's years, T, as
    every draw's: equal to models.estimate on the resampled panel while no draw leaves out a whole year,
    as none can in the balanced samples of `frames` (an unbalanced one would differ in T and the lags)."""
    groups, years, starts = frame.groups, frame.years, _starts(frame.groups)
    province, n = models.EFFECTS[spec]["province"], len(groups)
    X, Y = frame.columns(regressors), frame.columns(outcomes)
    columns = [np.ones((n, 1))] if not province else []
    if models.EFFECTS[spec]["year"]:
        columns.append(np.eye(years.max() + 1)[years][:, 1:])
    columns.append(frame.columns(controls))
    base = list(range(sum(c.shape[1] for c in columns)))
    nx, q = X.shape[1], len(base)
    if moderators is None:
        W = np.hstack([*columns, X, Y])
        tests = [(base, [q + i for i in range(nx)])]  # every regressor beside the same columns
    else:
        V = frame.columns(moderators)
        nv = V.shape[1]
        W = np.hstack([*columns, X, V, (X[:, :, None] * V[:, None, :]).reshape(n, -1), Y])
        tests = [([*base, q + i, q + nx + j], [q + nx + nv + i * nv + j]) for i in range(nx) for j in range(nv)]
    if province:
        W = W - (np.add.reduceat(W, starts) / np.diff(np.r_[starts, n])[:, None])[groups]
    m, ny = W.shape[1], Y.shape[1]
    cross = np.add.reduceat(W[:, :, None] * W[:, None, :], starts)
    M = (counts @ cross.reshape(len(cross), -1)).reshape(-1, m, m)
    weights, n_groups = counts[:, groups], counts.sum(axis=1)
    k = models.small_sample_k(spec, (1 if moderators is None else 3) + len(controls), years)
    absorbed = n_groups - 1 if province else 0
    # A draw of two provinces beside year effects (of one province otherwise) has every pick's score zero:
    # each year's dummy ties the two provinces' residuals, w_A u_At = -w_B u_Bt, and their partialled x
    # alike, so s_B = (w_A / w_B)^2 s_A, and the normal equation of x, w_A s_A + w_B s_B = 0, sets both
    # to zero. Its clustered variance is rounding error, which the test of squares below can miss.
    tied = (counts > 0).sum(axis=1) <= (2 if models.EFFECTS[spec]["year"] else 1)
    by_year = np.eye(years.max() + 1)[years]
    b, se, se_dk = [], [], []
    for partial, tested in tests:
        targets, nt = [*tested, *range(m - ny, m)], len(tested)
        A, B = M[:, partial][:, :, partial], M[:, partial][:, :, targets]
        coefficients = np.zeros((len(counts), m, len(targets)))
        coefficients[:, partial] = -_normal_solve(A, B)
        coefficients[:, targets, np.arange(len(targets))] = 1
        R = W @ coefficients  # (draws, rows, [x.. of each tested column, y.. of each outcome])
        x, y = R[..., :nt], R[..., nt:]
        xx = (weights[..., None] * x**2).sum(axis=1)
        # a draw can leave a tested column no variation of its own (e.g. one province drawn three
        # times, beside year effects): no estimate, rather than a ratio of rounding errors
        xx[xx <= models.NO_VARIATION * (weights[..., None] * W[:, tested] ** 2).sum(axis=1)] = np.nan
        xx = xx[..., None]  # (draws, tested, 1)
        b_ = np.swapaxes(weights[..., None] * x, 1, 2) @ y / xx
        scores = x[..., None] * (y[:, :, None, :] - b_[:, None] * x[..., None])  # (draws, rows, tested, outcomes)
        squares = (counts[..., None, None] * np.add.reduceat(scores, starts, axis=1) ** 2).sum(axis=1)
        xi = np.moveaxis(by_year.T @ (weights[..., None] * scores.reshape(*weights.shape, -1)), 1, 0)
        clustered, errors = _errors(squares, n_groups[:, None, None], xi.reshape(len(xi), *b_.shape), xx,
                                    weights.sum(axis=1)[:, None, None], k, np.reshape(absorbed, (-1, 1, 1)))
        # a draw whose clusters' scores cancel (`tied`, or otherwise to rounding) has a clustered
        # variance of rounding errors: no test, rather than a t of 1e14
        rows = (weights[..., None, None] * scores**2).sum(axis=1)
        clustered = np.where(tied[:, None, None] | (squares <= models.NO_VARIATION * rows), np.nan, clustered)
        for out, value in zip((b, se, se_dk), (b_, clustered, errors)):
            out.append(value)
    b, se, se_dk = (np.concatenate(a, axis=1) for a in (b, se, se_dk))
    return b, _inference(se, se_dk, n_groups, years.max() + 1)


def drawn_estimates(samples: dict[str, Sample], u: dict, drawn: np.ndarray, moderation: bool = False):
    """`estimates` on every draw of provinces (rows of `drawn`, see draws; drawn_block): coef, se and
    degrees of freedom, arrays (draws, specifications) in the order of `estimates`."""
    out = []
    for name, spec, label in _blocks(samples, u):
        frame = samples[name]
        b, inference = drawn_block(frame, frame.counts(drawn), u["outcome"], u["regressor"], u["controls"][label],
                                   spec, u["moderator"] if moderation else None)
        b = b.reshape(len(drawn), -1)
        for inference_ in _analytic_options(u):
            se, df = inference[inference_]
            out.append((b, se.reshape(b.shape), np.broadcast_to(np.reshape(df, (-1, 1)), b.shape)))
    return tuple(np.concatenate(parts, axis=1) for parts in zip(*out))


# --- the curves -----------------------------------------------------------------------------------

def frames(data: pd.DataFrame, samples=SAMPLES) -> dict[str, pd.DataFrame]:
    """Each sample of the wide panel."""
    return {name: sample(data, name) for name in samples}


def in_region(frames_: dict[str, pd.DataFrame], region: str) -> dict[str, pd.DataFrame]:
    """Each sample restricted to one region's provinces (after lagging or winsorising on the whole
    panel)."""
    return {name: frame[frame["region"] == region] for name, frame in frames_.items()}


def universe(core: bool = False, **only) -> dict:
    """The choices of CHOICES (all options, or those in `only`); `core` keeps for outcome, regressor
    and moderator only the panel's own measures (notebook 02's, chosen before any regression); the
    wild cluster bootstrap is an inference of the core only (INFERENCE)."""
    own = set(constructions.PANEL_NAMES.values())
    chosen = {key: list(options) if key != "controls" else dict(options) for key, options in CHOICES.items()}
    if core:
        chosen.update({key: [o for o in chosen[key] if o in own] for key in ("outcome", "regressor", "moderator")})
    else:
        chosen["inference"] = list(ANALYTIC)
    chosen.update(only)
    return chosen


def _axes(u: dict, moderation: bool) -> dict:
    return {"regressor": u["regressor"], **({"moderator": u["moderator"]} if moderation else {}), "outcome": u["outcome"]}


def _blocks(samples: dict, u: dict) -> list[tuple[str, str, str]]:
    """(sample, spec, controls) of every block, in the order of `estimates`."""
    return [(name, spec, label) for name in samples for spec in u["spec"] for label in u["controls"]]


def estimates(samples: dict[str, Sample], u: dict, moderation: bool = False):
    """coef, se and degrees of freedom of every specification of the universe `u` with analytic
    inference (ANALYTIC) on the samples (Sample of each of frames), flat arrays in the order of
    `curve`: blocks (sample, spec, controls, inference), within a block regressor x [moderator x]
    outcome."""
    out = []
    for name, spec, label in _blocks(samples, u):
        columns = u["controls"][label]
        if moderation:
            b, inference = moderation_block(samples[name], u["outcome"], u["regressor"], u["moderator"], columns, spec)
        else:
            b, inference = block(samples[name], u["outcome"], u["regressor"], columns, spec)
        for inference_ in _analytic_options(u):
            se, df = inference[inference_]
            out.append((b.ravel(), se.ravel(), np.full(b.size, df)))
    return tuple(np.concatenate(parts) for parts in zip(*out))


def _analytic_options(u: dict) -> list[str]:
    """The inference options of `u` computed analytically (ANALYTIC); `analytic` picks their rows."""
    return [i for i in u["inference"] if i in ANALYTIC]


def wild(samples: dict[str, Sample], u: dict) -> tuple[list[tuple], tuple]:
    """The blocks (sample, spec, controls, "wild_bootstrap") of the H1 universe `u` whose sample has
    fewer than config.FEW_CLUSTERS provinces, and coef, se, p (models.bootstrap_p) and degrees of
    freedom (G - 1, for intervals) of their specifications, flat as `estimates`."""
    if "wild_bootstrap" not in u["inference"]:
        return [], ()
    blocks, out = [], []
    for name, spec, label in _blocks(samples, u):
        frame = samples[name]
        if frame.groups.max() + 1 >= config.FEW_CLUSTERS:
            continue
        b, se, t_star, _ = wild_block(frame, u["outcome"], u["regressor"], u["controls"][label], spec)
        blocks.append((name, spec, label, "wild_bootstrap"))
        out.append((b.ravel(), se.ravel(), models.bootstrap_p(b / se, t_star).ravel(), np.full(b.size, frame.groups.max())))
    return blocks, tuple(np.concatenate(parts) for parts in zip(*out)) if out else ()


def prepared(frames_: dict[str, pd.DataFrame]) -> dict[str, Sample]:
    """The Sample of each frame."""
    return {name: Sample(frame, name) for name, frame in frames_.items()}


def labels(blocks: list[tuple], u: dict, samples: list[str], moderation: bool = False) -> pd.DataFrame:
    """The choices of every specification, as categorical columns: for each block (sample, spec,
    controls, inference) every regressor x [moderator x] outcome, the last varying fastest."""
    axes, outer_keys = _axes(u, moderation), ("sample", "spec", "controls", "inference")
    inner = np.indices([len(o) for o in axes.values()]).reshape(len(axes), -1)
    categories = {**axes, "controls": list(u["controls"]), "spec": list(u["spec"]), "sample": list(samples),
                  "inference": list(INFERENCE)}
    outer = np.array([[categories[key].index(option) for key, option in zip(outer_keys, b)] for b in blocks]).reshape(-1, 4)
    codes = {**{key: np.tile(c, len(blocks)) for key, c in zip(axes, inner)},
             **{key: np.repeat(outer[:, i], inner.shape[1]) for i, key in enumerate(outer_keys)}}
    return pd.DataFrame({key: pd.Categorical.from_codes(codes[key], categories[key])
                         for key in [*axes, "controls", "spec", "sample", "inference"]})


def curve(frames_: dict, u: dict, moderation: bool = False) -> pd.DataFrame:
    """One row per specification: its choices (labels), coef, se, t, p (with its inference: clustered,
    G-1 df; Driscoll-Kraay, T-1 df; the wild cluster bootstrap where clusters are few, `wild`) and
    `std`, the coefficient on a scale comparable across constructions: coef x sd(regressor)
    [x sd(moderator)] / sd(outcome), standard deviations on the estimation sample (`scale` is the
    factor). The wild bootstrap's rows come after the analytic ones."""
    samples = prepared(frames_)
    blocks = [(*block_, i) for block_ in _blocks(samples, u) for i in _analytic_options(u)]
    b, se, df = estimates(samples, u, moderation)
    p = models.p_value(b / se, df)
    boot_blocks, boot = ([], ()) if moderation else wild(samples, u)
    if boot_blocks:
        blocks += boot_blocks
        b, se, p, df = (np.concatenate([a, w]) for a, w in zip((b, se, p, df), boot))
    axes = _axes(u, moderation)
    ratio = {}
    for name, frame in frames_.items():
        sd = {key: frame[columns].std().to_numpy() for key, columns in axes.items()}
        r = np.multiply.outer(sd["regressor"], sd["moderator"]) if moderation else sd["regressor"]
        ratio[name] = np.multiply.outer(r, 1 / sd["outcome"]).ravel()
    scale = np.concatenate([ratio[name] for name, *_ in blocks])
    return labels(blocks, u, list(frames_), moderation).assign(
        coef=b, se=se, t=b / se, p=p, df=df, scale=scale, std=b * scale, std_se=se * scale)


def regional(frames_: dict, u: dict) -> pd.DataFrame:
    """The H1 universe `u` (without its region choice) estimated in each region of the samples
    `frames_` (in_region): one row per
    specification, each region's coef, t and p, and `holds`: the paper's regional pattern at ALPHA
    (pattern: digital positive and significant in the East, West and Northeast, the Centre not
    significant in either direction), as scorecard.verdicts judges Table 7."""
    curves = {region: curve(in_region(frames_, region), u) for region in u["region"]}
    chosen = next(iter(curves.values()))[KEYS]
    if not all(c[KEYS].equals(chosen) for c in curves.values()):
        raise ValueError("the regions' universes differ (a region has as many provinces as config.FEW_CLUSTERS?)")
    wide_ = chosen.assign(**{f"{region} {statistic}": c[statistic].to_numpy() for region, c in curves.items()
                             for statistic in ("coef", "t", "p", "df", "std")})
    return wide_.assign(holds=pattern(wide_, u["region"]))


def pattern(frame: pd.DataFrame, regions, alpha: float = scorecard.ALPHA, claimed=None) -> np.ndarray:
    """True where the paper's regional pattern holds (scorecard.regional_pattern: positive with p < alpha
    in the regions it claims at alpha, `claimed`, not significant elsewhere), from the columns
    '<region> t' and '<region> p' of `frame`."""
    return scorecard.regional_pattern({r: frame[f"{r} t"].to_numpy() for r in regions},
                                      {r: frame[f"{r} p"].to_numpy() for r in regions}, regions, alpha, claimed)


# --- the numbers to quote, and joint inference (Simonsohn, Simmons & Nelson 2020) ----------------

def affine_copies(data: pd.DataFrame) -> list[str]:
    """The constructions of the universe that are increasing affine transforms of one declared before
    them (correlation 1 to 1e-9 on the wide panel `data`, e.g. a PCA index and its min-max rescaling):
    every specification with one has the t statistic and standardised estimate of its original."""
    copies = []
    for key in ("outcome", "regressor", "moderator"):
        names = list(CHOICES[key])
        r = data[names].corr().to_numpy()
        copies += [name for j, name in enumerate(names) if (r[:j, j] > 1 - 1e-9).any()]
    return copies


def once(frame: pd.DataFrame, copies: list[str]) -> pd.DataFrame:
    """The specifications of a curve that use none of `copies` (affine_copies): each counted once."""
    return frame[~frame[[k for k in ("outcome", "regressor", "moderator") if k in frame]].isin(copies).any(axis=1)]


def published_std(claim: str) -> tuple[float, float]:
    """The published coefficient of a claim (scorecard.PUBLISHED) and the same on the curve's `std`
    scale, with the standard deviations printed in Table 2: coef x sd(digital) [x sd(virtual)] / sd(tfp)."""
    table, column, term = scorecard.PUBLISHED[claim]
    rows = tables.published(table).set_index(["column", "term", "statistic"])["value"]
    sd = panel.printed_moments()["sd"]
    coef = rows[(column, term, "coef")]
    return coef, coef * sd["digital"] * (sd["virtual"] if claim == "H2" else 1) / sd["tfp"]


def summary(frame: pd.DataFrame, alpha: float = scorecard.ALPHA) -> pd.Series:
    """Specifications; shares with each sign and with each sign and p < alpha; median of `std`."""
    return pd.Series({"specifications": len(frame), "positive": (frame["coef"] > 0).mean(),
                      "negative": (frame["coef"] < 0).mean(),
                      "positive and significant": scorecard.supports(frame["coef"], frame["p"], alpha).mean(),
                      "negative and significant": scorecard.supports(-frame["coef"], frame["p"], alpha).mean(),
                      "median std": frame["std"].median()})


def draws(data: pd.DataFrame, n: int, seed: int) -> np.ndarray:
    """n draws of the sample's provinces with replacement, within each region (as many as the region
    has), from a generator seeded with `seed`: rows of province names, the same draw for every
    specification."""
    rng = np.random.default_rng(seed)
    by_region = data.reset_index().groupby("region", sort=False)["province"].unique()
    return np.array([np.concatenate([rng.choice(by_region[r], len(by_region[r])) for r in REGIONS])
                     for _ in range(n)])


def _null_t(b, se, df, observed_coef):
    """t and p of each specification under the null, its outcome adjusted by its own estimate
    (y - b x): on the resampled data that regression has coefficient b* - b and the standard error of
    the resampled original (adding b x changes no residual)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, (b - observed_coef) / se, np.nan)  # a degenerate draw (no variation) is no test
    return t, models.p_value(t, df)


def null(frames_: dict, u: dict, observed: pd.DataFrame, drawn: np.ndarray, moderation: bool = False,
         alpha: float = scorecard.ALPHA) -> pd.DataFrame:
    """Per draw of provinces, the curve under the null of no effect: the median `std` and the share
    of the testable specifications positive with p < alpha (testable_share). `observed` is
    curve(frames_, u, moderation); the specifications with analytic inference enter (a bootstrap inside
    each draw would be nested)."""
    observed = analytic(observed)
    coef, scale = observed["coef"].to_numpy(), observed["scale"].to_numpy()
    b, se, df = drawn_estimates(prepared(frames_), u, drawn, moderation)
    t, p = _null_t(b, se, df, coef)
    return pd.DataFrame({"median std": np.nanmedian((b - coef) * scale, axis=1),
                         "positive and significant": testable_share(scorecard.supports(t, p, alpha), np.isfinite(t))})


def regional_null(frames_: dict, u: dict, observed: pd.DataFrame, drawn: np.ndarray,
                  alpha: float = scorecard.ALPHA) -> pd.DataFrame:
    """Per draw, the share of the testable specifications (every region estimable; testable_share)
    in which the regional pattern holds under the null (each region's outcome adjusted by its own
    estimate); `observed` is regional(frames_, u), of which the specifications with analytic
    inference enter (null)."""
    observed, columns = analytic(observed), {}
    for r in u["region"]:
        b, se, df = drawn_estimates(prepared(in_region(frames_, r)), u, drawn)
        t, p = _null_t(b, se, df, observed[f"{r} coef"].to_numpy())
        columns[f"{r} t"], columns[f"{r} p"] = t.ravel(), p.ravel()
    holds = pattern(pd.DataFrame(columns), u["region"], alpha).reshape(len(drawn), -1)
    testable = np.all([np.isfinite(columns[f"{r} t"]) for r in u["region"]], axis=0).reshape(holds.shape)
    return pd.DataFrame({"pattern holds": testable_share(holds, testable)})


def testable_share(held: np.ndarray, testable: np.ndarray) -> np.ndarray:
    """Per draw (row), the share of its testable specifications in which the claim holds: a draw can
    leave a specification without variation of its own (e.g. the Northeast's three provinces drawn
    as one, beside year effects), which is no test, neither for nor against the claim; NaN for a
    draw with none."""
    counted = testable.sum(axis=1)
    with np.errstate(invalid="ignore"):
        return np.where(counted > 0, (held & testable).sum(axis=1) / counted, np.nan)


def analytic(frame: pd.DataFrame) -> pd.DataFrame:
    """The specifications of a curve with analytic inference (ANALYTIC), in their order."""
    return frame[frame["inference"].isin(ANALYTIC)]


def joint_p(observed: float, null_values: pd.Series) -> float:
    """One-sided p-value of an observed statistic against its null draws, (1 + #{null >= observed})
    / (1 + B), B the draws with a value (testable_share)."""
    values = null_values.dropna()
    return float((1 + (values >= observed).sum()) / (1 + len(values)))


# --- which choices matter -------------------------------------------------------------------------

def family(name: str) -> str:
    """A construction as the figures group it: its family in the grid (tfp), the weighting method of a
    digital index (the PKU index alone: 'single'), a virtual construction by its own name (eight)."""
    construction = constructions.BY_NAME[name]
    if construction.variable == "virtual":
        return name
    return construction.settings.get("method", construction.family)


def options(frame: pd.DataFrame) -> pd.DataFrame:
    """The choices of each specification as the figures show them: constructions by family."""
    grouped = {key: _families(frame[key].astype("category")) for key in ("outcome", "regressor", "moderator") if key in frame}
    return frame[[c for c in dict.fromkeys([*CHOICES, *KEYS]) if c in frame and c not in grouped]].assign(**grouped)


def _families(column: pd.Series) -> pd.Series:
    """A categorical column of constructions as a categorical column of their families."""
    names = [family(c) for c in column.cat.categories]
    unique = list(dict.fromkeys(names))
    codes = np.array([unique.index(n) for n in names])[column.cat.codes.to_numpy()]
    return pd.Series(pd.Categorical.from_codes(codes, unique), index=column.index, name=column.name)


def by_option(frame: pd.DataFrame, alpha: float = scorecard.ALPHA) -> pd.DataFrame:
    """Per choice and option (constructions by family): specifications, mean and median `std`, shares
    positive and positive with p < alpha."""
    chosen = options(frame)
    supported = scorecard.supports(frame["coef"], frame["p"], alpha)
    parts = {}
    for choice in [c for c in CHOICES if c in chosen]:
        grouped = pd.DataFrame({"std": frame["std"], "positive": frame["coef"] > 0, "supported": supported}
                               ).groupby(chosen[choice], sort=False, observed=True)
        parts[choice] = pd.DataFrame({"specifications": grouped.size(), "mean std": grouped["std"].mean(),
                                      "median std": grouped["std"].median(), "positive": grouped["positive"].mean(),
                                      "positive and significant": grouped["supported"].mean()})
    return pd.concat(parts, names=["choice", "option"])


def bench(draws_: int = config.NULL_DRAWS) -> dict:
    """Cold and warm seconds of each step of notebook 11 (the data read from the grid's cache), which
    `make bench` prints: the three universes, the core's regional curve with its wild cluster
    bootstrap and the null draws of the core universe (the four joint tests of notebook 11)."""
    timings, start = {}, time.perf_counter()
    data = wide(panel.load())
    fr, u, core, two_way = frames(data), universe(), universe(core=True), universe(core=True, spec=["twoway"])
    timings["data"] = time.perf_counter() - start
    for name, step in [("H1 curve", lambda: curve(fr, u)), ("H1 curve (warm)", lambda: curve(fr, u)),
                       ("H2 curve", lambda: curve(fr, u, True)), ("regional curve", lambda: regional(fr, u)),
                       ("regional curve, core (wild bootstrap included)", lambda: regional(fr, core)),
                       (f"H1 null, {draws_} draws (core)",
                        lambda: null(fr, core, curve(fr, core), draws(data, draws_, 1))),
                       (f"H1 null, two-way FE only, {draws_} draws (core)",
                        lambda: null(fr, two_way, curve(fr, two_way), draws(data, draws_, 1))),
                       (f"H2 null, {draws_} draws (core)",
                        lambda: null(fr, core, curve(fr, core, True), draws(data, draws_, 1), True)),
                       (f"regional null, {draws_} draws (core)",
                        lambda: regional_null(fr, core, regional(fr, core), draws(data, draws_, 1)))]:
        start = time.perf_counter()
        result = step()
        timings[f"{name}: {len(result)} rows"] = time.perf_counter() - start
    return timings
