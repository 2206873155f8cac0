"""Execute the notebooks headless with papermill, in order, and store them without the run's
timestamps, durations and random ids, so that a rerun changes no committed byte.

    python -m helpers.run                       # every notebook, in place (what `make reproduce` does)
    python -m helpers.run --only 01_data        # one notebook
    python -m helpers.run --set key=value --out build/alt   # other settings, into another folder
"""
import argparse
import ast
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill

from . import paths
from .panel import MEASURES

KERNEL = "python3"
WORKERS = 2  # the machines this runs on have two cores
# Values a setting may take beyond its type: a list of choices or a (low, high) range.
CHOICES = {**MEASURES, "winsor_share": (0.0, 0.25), "reps": (99, 99999), "alpha": (0.001, 0.2)}
# Notebooks of one stage depend only on earlier stages, so a stage runs in parallel.
STAGES = [("01_data", "02_variables"),
          ("03_descriptives", "04_correlation", "05_baseline", "06_robustness", "07_moderation", "08_heterogeneity"),
          ("09_replication_scorecard",), ("10_forensics",), ("11_multiverse",)]


def notebooks() -> list[Path]:
    """The numbered notebooks, in the paper's order."""
    return sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def defaults(notebook: Path) -> dict:
    """The parameters a notebook declares in its cell tagged 'parameters', with their defaults."""
    found = papermill.inspect_notebook(str(notebook))
    return {name: ast.literal_eval(p["default"]) for name, p in found.items()}


def parse_settings(pairs: list[str], chosen: list[Path]) -> dict:
    """'name=value' pairs checked against the parameters the chosen notebooks declare."""
    valid = {}
    for nb in chosen:
        valid.update(defaults(nb))
    settings = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or name not in valid:
            raise SystemExit(f"unknown setting {pair!r}; valid names: {', '.join(sorted(valid))}")
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = text
        if type(value) is not type(valid[name]):
            raise SystemExit(f"setting {name}={text!r}: expected a {type(valid[name]).__name__} "
                             f"like the default {valid[name]!r}")
        check_value(name, value)
        settings[name] = value
    return settings


def check_value(name, value) -> None:
    """A setting with declared choices or a range must respect them."""
    allowed = CHOICES.get(name)
    if isinstance(allowed, list) and value not in allowed:
        raise SystemExit(f"setting {name}={value!r}: choose one of {', '.join(allowed)}")
    if isinstance(allowed, tuple) and not allowed[0] <= value <= allowed[1]:
        raise SystemExit(f"setting {name}={value!r}: must lie between {allowed[0]} and {allowed[1]}")


def strip(path: Path) -> None:
    """Remove what papermill and nbclient stamp into a notebook on each run."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


def execute(notebook: Path, target: Path, parameters: dict) -> None:
    """Run one notebook with papermill into `target`; a failure names the notebook and cell and
    leaves the partly executed notebook at `target` for inspection."""
    target.parent.mkdir(parents=True, exist_ok=True)
    own = {k: v for k, v in parameters.items() if k in defaults(notebook)}
    try:
        papermill.execute_notebook(str(notebook), str(target), parameters=own, kernel_name=KERNEL,
                                   cwd=str(notebook.parent), progress_bar=False, log_output=False)
    except papermill.PapermillExecutionError as error:
        raise SystemExit(f"{notebook.name}: cell {error.exec_count} failed with {error.ename}: "
                         f"{error.evalue}\nthe partly executed notebook is at {target}") from None
    finally:
        if target.exists():
            strip(target)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", default=[], help="notebook stem, e.g. 01_data")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--out", type=Path, help="folder for notebooks and outputs of a rerun")
    args = parser.parse_args(argv)
    chosen = [nb for nb in notebooks() if not args.only or nb.stem in args.only]
    if args.only and len(chosen) != len(args.only):
        raise SystemExit(f"unknown notebook in {args.only}; have {[nb.stem for nb in notebooks()]}")
    settings = parse_settings(args.set, chosen)
    if args.out:
        settings["out"] = str(args.out.resolve())
    run_stages(stages(chosen), lambda nb: run_one(nb, args.out, settings))


def run_stages(groups, run) -> None:
    """Call run(item) for every item, a group after the other, WORKERS items of a group at a time;
    the first failure is raised."""
    for group in groups:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            list(pool.map(run, group))


def stages(chosen: list[Path]) -> list[list[Path]]:
    """The chosen notebooks grouped by STAGES, in order; a notebook not listed runs alone, last."""
    order = {stem: i for i, stage in enumerate(STAGES) for stem in stage}
    groups = {}
    for nb in chosen:
        groups.setdefault(order.get(nb.stem, len(STAGES) + len(groups)), []).append(nb)
    return [groups[k] for k in sorted(groups)]


def run_one(notebook: Path, out: Path | None, settings: dict) -> None:
    target = out.resolve() / "notebooks" / notebook.name if out else notebook
    print(f"running {notebook.name}", file=sys.stderr)
    execute(notebook, target, settings)


if __name__ == "__main__":
    main()
