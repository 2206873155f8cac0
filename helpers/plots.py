"""One figure style for every exhibit, and saving that is byte-identical across reruns."""
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

# PNG and PDF writers stamp the software version and the creation date; drop both.
PNG_METADATA = {"Software": None}
PDF_METADATA = {"Creator": None, "Producer": None, "CreationDate": None}


def style() -> None:
    """The compendium's figure style."""
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    matplotlib.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight",
                                "pdf.fonttype": 42, "svg.hashsalt": "compendium"})


def save(fig: plt.Figure, name: str, folder: Path) -> list[Path]:
    """Save `fig` as folder/name.png and folder/name.pdf with fixed metadata; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    png, pdf = folder / f"{name}.png", folder / f"{name}.pdf"
    fig.savefig(png, metadata=PNG_METADATA)
    fig.savefig(pdf, metadata=PDF_METADATA)
    return [png, pdf]


def coefficients(ax: plt.Axes, coefs: pd.DataFrame, label: str | None = None) -> None:
    """One term across fits as points with interval bars (`coef`, `lower`, `upper` of each row, as
    `tables.coefficients` gives them), row i at height i read from the top, a line at zero."""
    y = range(len(coefs))
    ax.errorbar(coefs["coef"], y, xerr=[coefs["coef"] - coefs["lower"], coefs["upper"] - coefs["coef"]],
                fmt="o", capsize=3, label=label)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(list(y), coefs.index)
    ax.invert_yaxis()
