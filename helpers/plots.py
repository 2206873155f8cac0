"""One figure style for every exhibit, and saving that is byte-identical across reruns."""
import io
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from .files import atomic_write

# PNG and PDF writers stamp the software version and the creation date; drop both.
PNG_METADATA = {"Software": None}
PDF_METADATA = {"Creator": None, "Producer": None, "CreationDate": None}


def style() -> None:
    """The compendium's figure style."""
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    matplotlib.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight",
                                "pdf.fonttype": 42, "svg.hashsalt": "compendium"})


def save(fig: plt.Figure, name: str, folder: Path) -> list[Path]:
    """Save `fig` as folder/name.png and folder/name.pdf with fixed metadata, each rendered in memory
    and written atomically (an interrupted save leaves the old file); returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for ext, metadata in (("png", PNG_METADATA), ("pdf", PDF_METADATA)):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=ext, metadata=metadata)
        written.append(folder / f"{name}.{ext}")
        atomic_write(written[-1], buffer.getvalue())
    return written


def coefficients(ax: plt.Axes, coefs: pd.DataFrame, label: str | None = None) -> None:
    """One term across fits as points with interval bars (`coef`, `lower`, `upper` of each row, as
    `tables.coefficients` gives them), row i at height i read from the top, a line at zero."""
    y = range(len(coefs))
    ax.errorbar(coefs["coef"], y, xerr=[coefs["coef"] - coefs["lower"], coefs["upper"] - coefs["coef"]],
                fmt="o", capsize=3, label=label)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(list(y), coefs.index)
    ax.invert_yaxis()
