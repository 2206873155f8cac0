"""`make bench`: time the whole chain as `make reproduce` runs it (each notebook once what it reads is
written, two at a time), each notebook within it, and a floor: as many papermill runs, with the same
dependencies, of a notebook that only imports the stack; each twice, alternated, keeping the best.
Prints the ratio total / floor beside its goal (GOAL), then the heavy computations inside notebooks
08, 10 and 11 each on its own (the wild cluster bootstrap per region, the forensic grid cold and warm,
the multiverse's steps), and writes the timings to build/bench.csv. Runs into build/bench/, so the
committed notebooks and exhibits are not touched; the chain reads the forensic grid from its cache
(build/cache/) as make reproduce does, and the grid's cold computation is timed on its own."""
import argparse
import csv
import os
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from . import paths
from .run import StoppedAtOnce, chain, execute, kernel_environment, lock, notebooks, schedule, stop_at_once

OUT = paths.BENCH
REPEATS = 2  # the best of two runs of each: a shared machine's other work only ever adds time
GOAL = 1.3  # the notebooks' own work should add at most 30 % to the floor
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


def timed(items: dict, run) -> tuple[float, dict]:
    """schedule(items, run) with wall times, in total and per item; a failure stops the benchmark."""
    seconds = {}

    def one(item):
        start = time.perf_counter()
        run(item)
        seconds[item] = time.perf_counter() - start

    start = time.perf_counter()
    failed, _ = schedule(items, one)
    if failed:
        raise SystemExit("\n".join(str(error) for error in failed.values()))
    return time.perf_counter() - start, seconds


def components() -> list[tuple]:
    """Seconds of the heavy computations inside the notebooks, each timed on its own."""
    from . import forensics, models, multiverse, panel
    from .provinces import REGIONS
    data, rows = panel.load(), []
    for region in REGIONS:
        start = time.perf_counter()
        boot = models.wild_cluster_bootstrap(data[data["region"] == region], "tfp", ["digital"], "digital")
        draws = f"all {boot.reps} weight vectors" if boot.exact else f"{boot.reps:,} draws"
        rows.append(("component", f"wild bootstrap, {region}, {draws}", time.perf_counter() - start))
    grid = forensics.bench()
    rows += [("component", f"forensic grid ({grid['constructions']} constructions), cold", grid["cold_seconds"]),
             ("component", "forensic grid, warm (cache)", grid["warm_seconds"])]
    rows += [("component", f"multiverse: {step}", seconds) for step, seconds in multiverse.bench().items()]
    return [(kind, what, round(seconds, 3)) for kind, what, seconds in rows]


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()  # --help says what it does, and nothing runs
    os.environ.update(kernel_environment())
    os.environ[paths.OUT_VARIABLE] = str(OUT)
    order = chain([nb.stem for nb in notebooks()])
    floor_nb = floor_notebook(OUT / "floor" / "00_floor.ipynb")
    chain_runs, floor_runs = [], []
    with lock():
        for _ in range(REPEATS):  # alternated, so that a change in the machine's load hits both
            chain_runs.append(timed(order, lambda stem: execute(paths.NOTEBOOKS / f"{stem}.ipynb",
                                                                OUT / "notebooks" / f"{stem}.ipynb", {})))
            floor_runs.append(timed(order, lambda stem: execute(floor_nb, OUT / "floor" / f"run_{stem}.ipynb", {}))[0])
    total, per_notebook = min(chain_runs, key=lambda run: run[0])
    floor = min(floor_runs)
    rows = [("notebook", stem, round(s, 2)) for stem, s in per_notebook.items()]
    rows += [("total", f"make reproduce (all notebooks), best of {REPEATS}", round(total, 2)),
             ("floor", f"import-only notebooks, best of {REPEATS}", round(floor, 2)),
             ("ratio", f"total / floor (goal: at most {GOAL})", round(total / floor, 2))]
    rows += components()
    path = paths.ROOT / "build" / "bench.csv"
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows([("kind", "what", "seconds"), *rows])
    width = max(len(what) for _, what, _ in rows)
    for kind, what, value in rows:
        print(f"{kind:9s} {what:{width}s} {value:8.2f}")
    print(f"written to {path.relative_to(paths.ROOT)}")


if __name__ == "__main__":
    try:
        main()
    except StoppedAtOnce:
        stop_at_once()
