"""What every analysis notebook (03-11) starts and ends with: the figure style, the panel with the
run's measures, and the exhibits it writes, each table with the settings that produced it."""
import os
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from . import config, panel, paths, plots, run, scorecard, tables
from .models import Fit


def sample(data: pd.DataFrame) -> str:
    """The sample of a panel in words: '30 provinces, 2011-2021, N = 330'."""
    years = data.index.get_level_values("year")
    return (f"{data.index.get_level_values('province').nunique()} provinces, "
            f"{years.min()}-{years.max()}, N = {len(data)}")


def effects(fit: Fit) -> str:
    """The fixed effects a fit absorbs, in words: 'province, year', or 'none'."""
    return ", ".join(e for e, kept in fit.effects.items() if kept) or "none"


def listing(saved: list[Path], out: str = "") -> list[str]:
    """The files a notebook wrote, relative to the repository, or as written for a rerun elsewhere."""
    return [str(path if out else Path(path).relative_to(paths.ROOT)) for path in saved]


@dataclass
class Notebook:
    """The panel a notebook analyses (`data`, with the run's measures; `panel`, every column as
    loaded), where its exhibits go and what it has written so far."""

    data: pd.DataFrame
    panel: pd.DataFrame
    figures: Path
    out: str
    settings: dict  # the run's settings: measures, significance level and the notebook's own
    saved: list[Path] = field(default_factory=list)

    def export(self, table: pd.DataFrame, name: str, fits: dict[str, Fit] | None = None,
               formats=("csv", "md", "tex")) -> None:
        """Write `table` (tables.export) with the settings beside it: the run's settings and the
        sample of the panel, or, when the table comes from `fits`, each fit's N, fixed effects and
        covariance."""
        if fits is None:
            produced = {"sample": sample(self.data)}
        else:
            produced = {"fits": {label: {"N": fit.nobs, "effects": effects(fit),
                                         "covariance": fit.cov_type} for label, fit in fits.items()}}
        self.saved += tables.export(table, name, self.figures, formats, settings={**self.settings, **produced})

    def save(self, fig: plt.Figure, name: str) -> None:
        """Save a figure (plots.save) among the notebook's exhibits."""
        self.saved += plots.save(fig, name, self.figures)

    def outputs(self) -> None:
        """Print the files written so far."""
        print("\n".join(listing(self.saved, self.out)))


def say_own_panel(folder: Path) -> None:
    """Outside the runner (JupyterLab, papermill), say when the panel read from `folder` is the folder's
    own, which notebook 02 wrote there, not the committed one paths.keep_seeded copies: the notebook's
    numbers then follow it, and its text still quotes the committed panel's."""
    here, committed = Path(folder) / "panel.csv", paths.ROOT / paths.PANEL[0]
    if (not os.environ.get(paths.OUT_VARIABLE) and committed.exists() and here.resolve() != committed.resolve()
            and here.read_bytes() != committed.read_bytes()):
        print(f"reading {here}: this folder's own panel (notebook 02 wrote it here), not the committed "
              f"{paths.PANEL[0]}; remove it to read that")


def start(out: str, notebook: str, **settings) -> Notebook:
    """Set up an analysis notebook: figure style, display width, the panel from <out> (or the
    repository) with the measures chosen in `settings` (tfp, digital, virtual; empty: the default of
    config.MEASURE_DEFAULTS) swapped in (panel.select); every setting, with the measures used and the
    significance level (scorecard.ALPHA unless `alpha` is given), is recorded beside the tables the
    notebook exports, kept in `settings` and, outside the runner, entered under the notebook's name
    (`notebook`, its file name) in the run.json of the folder it writes to (paths.record)."""
    run.check_settings(settings)  # as the runner does, for a parameters cell edited in JupyterLab
    plots.style()
    pd.set_option("display.width", 200, "display.max_colwidth", 60)
    processed = paths.processed(out)
    full = panel.load(processed)
    say_own_panel(processed)
    measures = {k: v or config.MEASURE_DEFAULTS[k] for k, v in settings.items() if k in config.MEASURE_DEFAULTS}
    settings = {**settings, **measures, "alpha": settings.get("alpha", scorecard.ALPHA)}
    data = panel.select(full, **measures)
    paths.record(out, notebook, **settings)
    return Notebook(data=data, panel=full, figures=paths.figures(out), out=out, settings=settings)
