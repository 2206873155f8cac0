"""The multiverse (specification curve; Simonsohn, Simmons & Nelson 2020; Steegen et al. 2016): every
combination of the defensible choices, estimated at once, and tested jointly.

The universe is declared once, as data (CHOICES), from the project's own declarations: every `tfp`,
`digital` and `virtual` construction of the grid (panel.MEASURES), no controls or the five
(panel.CONTROLS), the four estimators (models.SPECS), five samples, and for the regional claim the four
regions. Inference is the province-clustered covariance of models.estimate for every specification.

The estimator is models.estimate made vectorised by Frisch-Waugh-Lovell: within one block (sample,
estimator, controls) the fixed effects and the controls are partialled out of every outcome and every
regressor once (one least-squares projection), and each slope is then d'y / d'd of two residualised
columns; its clustered variance is G/(G-1) (N-1)/(N-K) sum_g (d_g'u_g)^2 / (d'd)^2 with u = y - b d the
full model's residuals (module docstring of helpers.models), t tests with G-1 degrees of freedom.
"""
import time

import numpy as np
import pandas as pd
from scipy import stats

from . import constructions, forensics, models, panel, scorecard
from .provinces import MUNICIPALITIES, REGIONS

WINSOR_SHARE = 0.01  # as notebook 06's default
SAMPLES = ("full", "no filled cells", "no municipalities", "digital lagged", "winsorised")
# The universe, one choice per key, each with its options.
CHOICES = {
    "outcome": panel.MEASURES["tfp"],
    "regressor": panel.MEASURES["digital"],
    "moderator": panel.MEASURES["virtual"],  # H2 only
    "controls": {"none": [], "five": panel.CONTROLS},
    "spec": models.SPECS,
    "sample": SAMPLES,
    "region": REGIONS,  # the regional claim only
}
CHOICES_OF = {"tfp": CHOICES["outcome"], "digital": CHOICES["regressor"], "virtual": CHOICES["moderator"]}
# The paper's own path: Table 4 (2), Table 6 (2), Table 7.
PUBLISHED_PATH = {"outcome": "tfp", "regressor": "digital", "moderator": "virtual", "controls": "five",
                  "spec": "twoway", "sample": "full"}
CLAIMED_REGIONS = ["East", "West", "Northeast"]  # Table 7: significant; Central not


# --- data -----------------------------------------------------------------------------------------

def wide(data: pd.DataFrame) -> pd.DataFrame:
    """The panel with every construction of tfp, digital and virtual as a column (the grid's cache)."""
    names = [n for variable in ("tfp", "digital", "virtual") for n in CHOICES_OF[variable]]
    return data.join(forensics.columns([n for n in names if n not in data]))



def sample(data: pd.DataFrame, name: str) -> pd.DataFrame:
    """The rows (and, when lagged or winsorised, the values) of one sample of the wide panel: full;
    no filled cell (the `filled` flag); no municipality; every digital construction lagged one year
    within its province (2011 drops out); every model column winsorised at WINSOR_SHARE per tail."""
    digital = CHOICES["regressor"]
    if name == "full":
        return data
    if name == "no filled cells":
        return data[~data["filled"]]
    if name == "no municipalities":
        return data[~data.index.get_level_values("province").isin(MUNICIPALITIES)]
    if name == "digital lagged":
        lagged = data.assign(**{d: models.lag(data, d) for d in digital})
        return lagged[lagged.index.get_level_values("year") > lagged.index.get_level_values("year").min()]
    if name == "winsorised":
        return panel.winsorise(data, [*CHOICES["outcome"], *digital, *CHOICES["moderator"], *panel.CONTROLS],
                               WINSOR_SHARE)
    raise ValueError(f"sample must be one of {SAMPLES}, got {name!r}")


# --- the vectorised estimator ---------------------------------------------------------------------

def codes(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Province and year of each row as integer codes."""
    return tuple(pd.factorize(frame.index.get_level_values(level))[0] for level in ("province", "year"))


def effects(groups: np.ndarray, years: np.ndarray, spec: str) -> np.ndarray:
    """The columns the estimator partials out: a constant, province dummies (province effects) and
    year dummies (year effects), as models.estimate's `spec`."""
    models._check_option("spec", spec, models.Spec)
    columns = [np.ones((len(groups), 1))]
    if spec in ("twoway", "province_fe"):
        columns.append(np.eye(groups.max() + 1)[groups])
    if spec in ("twoway", "pooled_year"):
        columns.append(np.eye(years.max() + 1)[years])
    return np.hstack(columns)


def residualise(Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """A minus its least-squares projection on the columns of Z (rank-deficient Z allowed)."""
    return A - Z @ np.linalg.lstsq(Z, A, rcond=None)[0]


def slopes(Y: np.ndarray, X: np.ndarray, groups: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For every column x of X and y of Y (both residualised on everything else in the model): the
    slope b = x'y / x'x and its clustered standard error sqrt(c sum_g (x_g'u_g)^2) / x'x, u = y - b x,
    c = G/(G-1) (N-1)/(N-K) with K = k (slopes, constant, year dummies). Arrays (columns of X, of Y)."""
    n_groups = groups.max() + 1
    xx = (X**2).sum(axis=0)
    b = X.T @ Y / xx[:, None]
    scores = np.stack([X[groups == g].T @ Y[groups == g] for g in range(n_groups)])
    scores -= b[None] * (np.eye(n_groups)[groups].T @ X**2)[:, :, None]
    scale = models._cluster_scale(len(groups), n_groups, k)
    return b, np.sqrt(scale * (scores**2).sum(axis=0)) / xx[:, None]


def _k(spec: str, slopes_: int, years: np.ndarray) -> int:
    """K of the small-sample factor: slopes, the constant and T-1 year dummies if year effects."""
    return slopes_ + 1 + (years.max() if spec in ("twoway", "pooled_year") else 0)


def block(frame: pd.DataFrame, outcomes: list[str], regressors: list[str], controls: list[str],
          spec: str, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Coefficient and clustered standard error of each regressor (alone beside `controls`) on each
    outcome, arrays (regressors, outcomes), and the t tests' degrees of freedom G-1. `rows` resamples
    whole provinces: each repeated province is a cluster (and a province effect) of its own."""
    groups, years = codes(frame)
    Y, X, C = (frame[c].to_numpy(dtype=float) for c in (outcomes, regressors, controls))
    if rows is not None:
        Y, X, C, years = Y[rows[:, 0]], X[rows[:, 0]], C[rows[:, 0]], years[rows[:, 0]]
        groups = rows[:, 1]
    Z = np.hstack([effects(groups, years, spec), C])
    b, se = slopes(residualise(Z, Y), residualise(Z, X), groups, _k(spec, 1 + len(controls), years))
    return b, se, groups.max()


def moderation_block(frame: pd.DataFrame, outcomes: list[str], regressors: list[str], moderators: list[str],
                     controls: list[str], spec: str, rows: np.ndarray | None = None):
    """Coefficient and clustered standard error of the centred product d x v in the model with d, v,
    their product and `controls` (models.centred_interaction), arrays (regressors, moderators,
    outcomes), and G-1."""
    groups, years = codes(frame)
    Y, D, V, C = (frame[c].to_numpy(dtype=float) for c in (outcomes, regressors, moderators, controls))
    if rows is not None:
        Y, D, V, C, years = Y[rows[:, 0]], D[rows[:, 0]], V[rows[:, 0]], C[rows[:, 0]], years[rows[:, 0]]
        groups = rows[:, 1]
    D, V = D - D.mean(axis=0), V - V.mean(axis=0)
    Z = np.hstack([effects(groups, years, spec), C])
    Yt, Dt, Vt = residualise(Z, Y), residualise(Z, D), residualise(Z, V)
    P = residualise(Z, (D[:, :, None] * V[:, None, :]).reshape(len(Y), -1))
    k = _k(spec, 3 + len(controls), years)
    b, se = np.empty((D.shape[1], V.shape[1], Y.shape[1])), np.empty((D.shape[1], V.shape[1], Y.shape[1]))
    for i in range(D.shape[1]):
        for j in range(V.shape[1]):
            W = np.column_stack([Dt[:, i], Vt[:, j]])
            p = residualise(W, P[:, i * V.shape[1] + j][:, None])
            b[i, j], se[i, j] = (a[0] for a in slopes(residualise(W, Yt), p, groups, k))
    return b, se, groups.max()


# --- the curves -----------------------------------------------------------------------------------

def _frame(b, se, df, axes: dict) -> pd.DataFrame:
    """One row per specification: its choices (the axes of b), coef, se, t, p."""
    index = pd.MultiIndex.from_product(list(axes.values()), names=list(axes))
    t = (b / se).ravel()
    return pd.DataFrame({"coef": b.ravel(), "se": se.ravel(), "t": t, "p": 2 * stats.t.sf(np.abs(t), df),
                         "df": df}, index=index).reset_index()


def _scale(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Standard deviation (n - 1) of each column on the estimation sample."""
    return frame[columns].std()


def h1(data: pd.DataFrame, outcomes=None, regressors=None, samples=SAMPLES, specs=models.SPECS,
       controls=None, rows=None) -> pd.DataFrame:
    """The H1 universe: the coefficient of each regressor on each outcome in every sample, estimator
    and control set, with `std` = coef x sd(regressor) / sd(outcome) on the estimation sample, a
    scale comparable across constructions. `data`: the wide panel (wide); `rows`: {sample: resampled
    rows} (joint_null)."""
    outcomes, regressors = outcomes or CHOICES["outcome"], regressors or CHOICES["regressor"]
    controls = controls or CHOICES["controls"]
    parts = []
    for name in samples:
        frame = sample(data, name)
        ratio = _scale(frame, regressors).to_numpy()[:, None] / _scale(frame, outcomes).to_numpy()[None]
        for spec in specs:
            for label, columns in controls.items():
                b, se, df = block(frame, outcomes, regressors, columns, spec, None if rows is None else rows[name])
                part = _frame(b, se, df, {"regressor": regressors, "outcome": outcomes})
                parts.append(part.assign(std=(b * ratio).ravel(), std_se=(se * ratio).ravel(),
                                         controls=label, spec=spec, sample=name))
    return pd.concat(parts, ignore_index=True)
