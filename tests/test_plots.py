import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from helpers import plots  # noqa: E402


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
