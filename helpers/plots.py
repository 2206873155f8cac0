"""One figure style for every exhibit, and saving that is byte-identical across reruns."""
import base64
import io
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import config
from .files import atomic_write_all

# PNG and PDF writers stamp the software version and the creation date; drop both.
PNG_METADATA = {"Software": None}
PDF_METADATA = {"Creator": None, "Producer": None, "CreationDate": None}
INLINE = "module://matplotlib_inline.backend_inline"  # the backend of a notebook's kernel
INTERVAL = f"{100 * config.CONFIDENCE:g} % interval"  # the label of every confidence interval drawn


def style() -> None:
    """The compendium's figure style."""
    import seaborn as sns  # with scipy, a second or more: only the style needs it, saving does not
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    matplotlib.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight",
                                "pdf.fonttype": 42, "svg.hashsalt": "compendium"})


# 10**k for k = 0..309 (the last inf), each parsed from its decimal string and so correctly rounded:
# numpy's vectorised power may differ in the last bit between CPUs (its SIMD kernels do), and so would
# every number a figure is drawn from.
POWERS_OF_TEN = np.array([float(f"1e{k}") for k in range(310)])


def rounded(data, digits: int = config.FIGURE_DIGITS):
    """`data` (a number, array, Series or DataFrame) with each float rounded to `digits` significant
    digits, what every figure is drawn from (config.FIGURE_DIGITS says why); zero, NaN, infinities,
    numbers too small to scale (below about 1e-300), integers, text and the index are left as they
    are. Only IEEE-exact arithmetic and POWERS_OF_TEN are used, so the result is the same on every
    machine and, where the scale 10**shift is exact (|shift| <= 22), the double nearest the decimal
    rounding of x (half to even), but for x within a rounding error of a tie."""
    if isinstance(data, pd.DataFrame):
        return data.apply(lambda column: rounded(column, digits))
    if isinstance(data, pd.Series):
        return pd.Series(rounded(data.to_numpy(), digits), data.index, name=data.name) \
            if pd.api.types.is_float_dtype(data) else data
    x = np.asarray(data, dtype=float)
    size = np.abs(np.where(np.isfinite(x) & (x != 0), x, 1.0))
    # log10's last bit may differ between machines, but floor(log10|x|) then moves only for x within
    # a rounding error of a power of ten, which rounds to that power with either number of digits.
    shift = digits - 1 - np.floor(np.log10(size)).astype(int)
    scale = POWERS_OF_TEN[np.minimum(np.abs(shift), 309)]
    with np.errstate(over="ignore", invalid="ignore"):  # the cases left as they are
        out = np.where(shift >= 0, np.round(x * scale) / scale, np.round(x / scale) * scale)
    return np.where(np.isfinite(x) & (x != 0) & np.isfinite(scale), out, x)[()]  # [()]: a number for a number


def save(fig: plt.Figure, name: str, folder: Path) -> list[Path]:
    """Save `fig` as folder/name.png and folder/name.pdf with fixed metadata, both rendered in memory
    before either is written, then written together (files.atomic_write_all: an interrupted save
    leaves the old files); returns the paths. The layout and the tight bounding box (padded by
    savefig.pad_inches) are computed once, at savefig.dpi, and both formats drawn from them, where
    savefig would compute both again for each format: a third of the saving time."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    dpi, saved_dpi = fig.dpi, matplotlib.rcParams["savefig.dpi"]
    fig.dpi = dpi if saved_dpi == "figure" else saved_dpi  # laid out at the PNG's resolution, as savefig does
    try:
        fig.draw_without_rendering()  # runs the figure's layout engine, if any
        box = fig.get_tightbbox().padded(matplotlib.rcParams["savefig.pad_inches"])
    finally:
        fig.dpi = dpi
    engine = fig.get_layout_engine()
    fig.set_layout_engine(None)  # the layout is done: savefig then draws each format only once
    rendered = {}
    try:
        for ext, metadata in (("png", PNG_METADATA), ("pdf", PDF_METADATA)):
            buffer = io.BytesIO()
            fig.savefig(buffer, format=ext, metadata=metadata, bbox_inches=box)
            rendered[ext] = buffer.getvalue()
    finally:
        fig.set_layout_engine(engine)
    files = {folder / f"{name}.{ext}": data for ext, data in rendered.items()}
    atomic_write_all(files)
    if matplotlib.get_backend() == INLINE:
        show(fig, rendered["png"], name)
    return list(files)


def show(fig: plt.Figure, png: bytes, name: str) -> None:
    """In a notebook, the saved PNG as the figure's output, at the size the inline backend would give
    it (figure.dpi, not savefig.dpi), and the figure closed: the backend would otherwise draw it once
    more, about a fifth of the chain's time."""
    from IPython.display import display
    saved_dpi = matplotlib.rcParams["savefig.dpi"]
    width = int.from_bytes(png[16:20], "big") * fig.dpi / (fig.dpi if saved_dpi == "figure" else saved_dpi)
    plt.close(fig)
    display({"image/png": base64.b64encode(png).decode(), "text/plain": f"<{name}: saved as PNG and PDF>"},
            raw=True, metadata={"image/png": {"width": round(width)}})


def coefficients(ax: plt.Axes, coefs: pd.DataFrame, label: str | None = None) -> None:
    """One term across fits as points with interval bars (`coef`, `lower`, `upper` of each row, as
    `tables.coefficients` gives them, drawn rounded), row i at height i read from the top, a line at zero."""
    coefs = rounded(coefs[["coef", "lower", "upper"]])
    y = range(len(coefs))
    ax.errorbar(coefs["coef"], y, xerr=[coefs["coef"] - coefs["lower"], coefs["upper"] - coefs["coef"]],
                fmt="o", capsize=3, label=label)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(list(y), coefs.index)
    ax.invert_yaxis()
