"""The robustness checks of the baseline model (2) (notebook 06), declared as data: each a label, a
change of the sample, the regressors and the covariance, applied to the run's own baseline (its
measures and winsorising share). A check that leaves the model as the baseline has it is skipped.
A new check is one more entry of CHECKS."""
from dataclasses import dataclass
from typing import Callable, NamedTuple

import pandas as pd

from . import config, models, panel
from .models import CovType, Fit
from .panel import CONTROLS
from .provinces import without_municipalities


class Baseline(NamedTuple):
    """The run's model (2): its data (the run's measures swapped in), the panel with every column,
    the measures chosen, the winsorising share, the regressors of tfp and the standard errors."""

    data: pd.DataFrame
    panel: pd.DataFrame
    measures: dict[str, str]  # tfp, digital, virtual -> the column chosen
    winsor_share: float
    regressors: tuple[str, ...] = ("digital", *CONTROLS)
    cov_type: CovType = config.COV_TYPE


@dataclass(frozen=True)
class Check:
    """One check: its label (text, or a function of the baseline), the sample it estimates on and
    its regressors (functions of the baseline; by default the baseline's) and its covariance (by
    default the baseline's)."""

    label: str | Callable[[Baseline], str]
    sample: Callable[[Baseline], pd.DataFrame] = lambda base: base.data
    regressors: Callable[[Baseline], tuple[str, ...]] = lambda base: base.regressors
    cov_type: CovType | None = None

    def title(self, base: Baseline) -> str:
        return self.label(base) if callable(self.label) else self.label


def observed(base: Baseline) -> pd.DataFrame:
    """The rows without any filled cell, the run's digital index re-estimated on them so that no
    filled cell enters its normalisation or weights: the panel's own indices by panel.digital_indices,
    another construction of the grid read from the grid's cache (forensics.unfilled), as panel.select
    reads it."""
    kept, name = base.data[~base.data["filled"]], base.measures["digital"]
    indices, _, _ = panel.digital_indices(kept[panel.INDICATORS])
    if name not in indices:
        from .forensics import unfilled  # the grid builds on the panel
        indices = unfilled([name])
    return kept.assign(digital=indices[name].reindex(kept.index))


def unfilled_label(base: Baseline) -> str:
    """'no filled cells' and the years its rows span."""
    years = base.data.index.get_level_values("year")[~base.data["filled"]]
    return f"no filled cells ({years.min()}-{years.max()})"


def measure(variable: str, column: str) -> Callable[[Baseline], pd.DataFrame]:
    """The panel with `column` as `variable`, the run's other measures kept."""
    return lambda base: panel.select(base.panel, **{**base.measures, variable: column})


def winsorised(base: Baseline) -> pd.DataFrame:
    """tfp and the regressors clipped at the run's winsorising share in each tail."""
    return panel.winsorise(base.data, ["tfp", *base.regressors], base.winsor_share)


# The panel's alternative measures; the one the run uses is its baseline, so that check is skipped.
MEASURE_CHECKS = {"tfp": {"tfp": "TFP: DEA-Malmquist", "tfp_solow": "TFP: growth accounting",
                          "tfp_urban": "TFP: urban-unit labour"},
                  "digital": {"digital": "index: entropy", "digital_pca": "index: PCA",
                              "digital_dfiic": "index: PKU-DFIIC"}}

CHECKS = [
    Check(unfilled_label, observed),
    *[Check(label, measure(variable, column))
      for variable, labels in MEASURE_CHECKS.items() for column, label in labels.items()],
    Check(lambda base: f"winsorised {base.winsor_share:.0%}/{1 - base.winsor_share:.0%}", winsorised),
    Check("without municipalities",
          lambda base: without_municipalities(base.data)),
    # the defensible errors other than the run's (the run's own is its baseline, so that check is skipped)
    Check("clustered errors", cov_type="cluster"),
    Check("Driscoll-Kraay errors", cov_type="driscoll_kraay"),
]


class Checked(NamedTuple):
    """The baseline and every check that differs from it: fits and samples by label, in the order
    of CHECKS after 'baseline'; the labels of the checks skipped as identical to the baseline."""

    fits: dict[str, Fit]
    samples: dict[str, pd.DataFrame]
    skipped: list[str]


def run(base: Baseline) -> Checked:
    """Estimate model (2) on the baseline and under each check of CHECKS."""
    fits = {"baseline": models.estimate(base.data, "tfp", list(base.regressors), cov_type=base.cov_type)}
    samples, skipped = {"baseline": base.data}, []
    for check in CHECKS:
        label, sample, regressors = check.title(base), check.sample(base), tuple(check.regressors(base))
        cov_type = check.cov_type or base.cov_type
        if sample.equals(base.data) and regressors == tuple(base.regressors) and cov_type == base.cov_type:
            skipped.append(label)
            continue
        fits[label] = models.estimate(sample, "tfp", list(regressors), cov_type=cov_type)
        samples[label] = sample
    return Checked(fits, samples, skipped)
