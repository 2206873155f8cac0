import base64
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from helpers import config, plots  # noqa: E402


def test_coefficient_plot_draws_each_interval_from_the_top():
    coefs = pd.DataFrame({"coef": [0.5, -0.2], "lower": [0.3, -1.0], "upper": [0.9, 0.1]}, index=["a", "b"])
    fig, ax = plt.subplots()
    plots.coefficients(ax, coefs, label="ours")
    points, _, (bars,) = ax.containers[0].lines  # markers, caps, the horizontal bars
    assert np.allclose(points.get_xdata(), [0.5, -0.2]) and np.allclose(points.get_ydata(), [0, 1])
    segments = [s[:, 0] for s in bars.get_segments()]  # x extent of each bar
    assert np.allclose(segments, [[0.3, 0.9], [-1.0, 0.1]])
    assert ax.yaxis_inverted() and [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert ax.get_legend_handles_labels()[1] == ["ours"]
    plt.close(fig)


def test_rounded_keeps_the_significant_digits_asked():
    assert plots.rounded(123.456789, 6) == 123.457 and plots.rounded(-0.000123456789, 6) == -0.000123457
    assert plots.rounded(98765.4321, 3) == 98800.0 and plots.rounded(0.0996, 2) == 0.1
    assert plots.rounded(0.1 + 0.2, 6) == 0.3  # 0.30000000000000004: last-bit twins draw the same
    assert np.array_equal(plots.rounded([0.0, np.nan, -np.inf, 2.5e-300, 5e-324], 2), [0.0, np.nan, -np.inf, 2.5e-300, 5e-324],
                          equal_nan=True)
    frame = pd.DataFrame({"x": [1.23456789, 2.0], "n": [7, 8], "name": ["a", "b"]}, index=[0.123456789, 1.0])
    out = plots.rounded(frame, 4)
    assert out["x"].tolist() == [1.235, 2.0] and out["n"].tolist() == [7, 8] and out["name"].tolist() == ["a", "b"]
    assert out.index.equals(frame.index) and plots.rounded(frame["x"], 2).tolist() == [1.2, 2.0]


def test_rounded_is_the_decimal_rounding_python_prints_over_many_magnitudes_and_digits():
    """Python's formatting rounds the exact binary value (half to even) and parses back correctly
    rounded, an independent and machine-independent reference; powers of ten and their neighbours
    are where floor(log10|x|) could be a bit off."""
    rng = np.random.default_rng(13)
    x = rng.choice([-1.0, 1.0], 20_000) * rng.uniform(1, 10, 20_000) * 10.0 ** rng.integers(-12, 13, 20_000)  # |shift| <= 22
    for digits in (1, 2, 3, 6, 10):
        assert plots.rounded(x, digits).tolist() == [float(f"{v:.{digits - 1}e}") for v in x]
    tens = np.array([float(f"1e{k}") for k in range(-19, 20)])
    below, above = np.nextafter(tens, 0), np.nextafter(tens, np.inf)
    assert plots.rounded(tens, 3).tolist() == tens.tolist() == plots.rounded(below, 3).tolist() == plots.rounded(above, 3).tolist()
    assert [float(f"{v:.0e}") for v in below * 0.96] == plots.rounded(below * 0.96, 1).tolist()


def test_a_coefficient_plot_draws_rounded_numbers_and_noise_in_the_tenth_digit_leaves_its_bytes(tmp_path):
    coefs = pd.DataFrame({"coef": [0.735123456789, -0.2], "lower": [-0.27, -1.0], "upper": [1.74, 0.1]}, index=["a", "b"])
    saved = []
    for name, frame in [("exact", coefs), ("noisy", coefs * (1 + 3e-10))]:
        fig, ax = plt.subplots()
        plots.coefficients(ax, frame)
        drawn = ax.containers[0].lines[0].get_xdata()
        assert drawn[0] == float(f"{0.735123456789:.{config.FIGURE_DIGITS}g}")
        saved.append([path.read_bytes() for path in plots.save(fig, name, tmp_path)])
        plt.close(fig)
    assert saved[0] == saved[1]  # PNG and PDF


def _saved(tmp_path, monkeypatch, backend) -> tuple[plt.Figure, list]:
    """A figure saved under `backend`, and what was displayed."""
    shown = []
    monkeypatch.setattr(matplotlib, "get_backend", lambda: backend)
    monkeypatch.setattr("IPython.display.display", lambda data, raw, metadata: shown.append((data, metadata)))
    with matplotlib.rc_context({"figure.dpi": 100, "savefig.dpi": 150}):
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1])
        plots.save(fig, "x", tmp_path)
    return fig, shown


def test_in_a_notebook_the_saved_png_is_the_output_and_the_figure_is_not_drawn_again(tmp_path, monkeypatch):
    fig, shown = _saved(tmp_path, monkeypatch, plots.INLINE)
    assert not plt.fignum_exists(fig.number)
    (data, metadata), = shown
    assert base64.b64decode(data["image/png"]) == (tmp_path / "x.png").read_bytes()
    pixels = matplotlib.image.imread(tmp_path / "x.png").shape[1]  # at savefig.dpi; shown at figure.dpi
    assert metadata == {"image/png": {"width": round(pixels * 100 / 150)}}


def test_in_a_script_nothing_is_shown_and_the_figure_is_left_to_its_caller(tmp_path, monkeypatch):
    fig, shown = _saved(tmp_path, monkeypatch, "agg")
    assert shown == [] and plt.fignum_exists(fig.number)
    plt.close(fig)


def test_a_saved_figure_is_the_one_matplotlib_saves_with_a_tight_box_and_keeps_its_layout(tmp_path):
    """plots.save lays the figure out once, at savefig.dpi, for both formats; matplotlib's own savefig,
    laying it out again for each, gives the same picture (but for antialiasing) and page size."""
    with matplotlib.rc_context({"figure.dpi": 100, "savefig.dpi": 150}):
        fig, axes = plt.subplots(1, 2, figsize=(6, 3), layout="constrained")
        for ax in axes:
            image = ax.imshow(np.arange(12.0).reshape(3, 4))
            ax.set(title="a title", ylabel="a longer label", xlabel="x")
        fig.colorbar(image, ax=axes)
        engine = fig.get_layout_engine()
        plots.save(fig, "ours", tmp_path)
        assert fig.get_layout_engine() is engine
        for ext in ("png", "pdf"):
            fig.savefig(tmp_path / f"theirs.{ext}", bbox_inches="tight")
    plt.close(fig)
    ours, theirs = (matplotlib.image.imread(tmp_path / f"{name}.png") for name in ("ours", "theirs"))
    assert ours.shape == theirs.shape and np.abs(ours - theirs).mean() < 0.002
    pages = [re.search(rb"/MediaBox \[ *0 0 ([\d.]+) ([\d.]+) *\]", (tmp_path / f"{n}.pdf").read_bytes()).groups()
             for n in ("ours", "theirs")]
    assert np.allclose(np.array(pages, dtype=float)[0], np.array(pages, dtype=float)[1], atol=1.0), pages
