"""`make bench`: time the whole chain as `make reproduce` runs it (stages, two notebooks at a time),
each notebook within it, and a floor: as many papermill runs, in the same stages, of a notebook that
only imports the stack. Prints the ratio total / floor and writes the timings to build/bench.csv.
Runs into build/bench/, so the committed notebooks and exhibits are not touched."""
import csv
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from . import paths
from .run import execute, notebooks, run_stages, stages

OUT = paths.ROOT / "build" / "bench"
IMPORTS = ("import matplotlib.pyplot, pandas, seaborn, statsmodels.api, linearmodels, scipy.optimize\n"
           "import helpers.panel, helpers.models, helpers.tables")


def floor_notebook(path: Path) -> Path:
    """A notebook with an (empty) parameters cell and one cell importing the stack."""
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    parameters = new_code_cell('out = ""')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, new_code_cell(IMPORTS)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def timed_stages(groups, run) -> tuple[float, dict]:
    """run_stages with wall times, in total and per item."""
    seconds = {}

    def one(item):
        start = time.perf_counter()
        run(item)
        seconds[item] = time.perf_counter() - start

    start = time.perf_counter()
    run_stages(groups, one)
    return time.perf_counter() - start, seconds


def main() -> None:
    settings = {"out": str(OUT)}
    groups = stages(notebooks())
    total, per_notebook = timed_stages(groups, lambda nb: execute(nb, OUT / "notebooks" / nb.name, settings))
    floor_nb = floor_notebook(OUT / "floor" / "00_floor.ipynb")
    floor_groups = [[(floor_nb, i, j) for j in range(len(g))] for i, g in enumerate(groups)]
    floor, _ = timed_stages(floor_groups, lambda item: execute(floor_nb, OUT / "floor" / f"run_{item[1]}_{item[2]}.ipynb", {}))
    rows = [("notebook", nb.stem, round(s, 2)) for nb, s in per_notebook.items()]
    rows += [("total", "make reproduce (all notebooks)", round(total, 2)), ("floor", "import-only notebooks", round(floor, 2)),
             ("ratio", "total / floor", round(total / floor, 2))]
    path = paths.ROOT / "build" / "bench.csv"
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([("kind", "what", "seconds"), *rows])
    for kind, what, value in rows:
        print(f"{kind:9s} {what:40s} {value:8.2f}")
    print(f"written to {path.relative_to(paths.ROOT)}")


if __name__ == "__main__":
    main()
