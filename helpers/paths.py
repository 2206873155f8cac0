"""Every path the compendium uses, resolved from the package, never from the working directory,
and what each notebook reads and writes (the chain the runner schedules)."""
import fcntl
import hashlib
import json
import os
import sys
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RAW = DATA / "raw"
MANIFEST = RAW / "MANIFEST.csv"
PAPER = DATA / "paper"
CHECKS = DATA / "checks"
PROCESSED = DATA / "processed"
FIGURES = ROOT / "figures"
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
INTERACTIVE = BUILD / "interactive"
# Folders of build/ the tools keep for themselves, refused as a run's folder (own_folder): their
# owners empty or rewrite them.
CACHE = BUILD / "cache"  # the forensic grid (helpers.forensics)
PARTIAL = BUILD / "partial"  # the partly executed notebooks of runs in place (helpers.run)
TEST = BUILD / "test"  # what the notebooks nbval executes write, emptied by pytest (helpers.pytest_plugin)
BENCH = BUILD / "bench"  # make bench's runs (helpers.bench)
BOOK = BUILD / "book"  # make book's site, emptied by each build (helpers.book)
KEPT = {CACHE: "the forensic grid's cache", PARTIAL: "the partly executed notebooks of make reproduce",
        TEST: "what make test writes", BENCH: "make bench's runs", BOOK: "make book's site",
        INTERACTIVE: "the runs of notebooks opened in JupyterLab"}
RUNNER = ".venv/bin/python -m helpers.run"  # the runner as a message tells a user to start it (from the repository)

# The third-party source workbooks sit beside the repository, never inside it.
SOURCES = Path(os.environ.get("COMPENDIUM_SOURCES", ROOT.parent / "shared" / "sources")).resolve()

# The folder a notebook writes under when its parameter `out` is empty. The runner sets it (to the
# repository for `make reproduce`); unset, as in JupyterLab, it is INTERACTIVE.
OUT_VARIABLE = "COMPENDIUM_OUT"
# What a folder's run.json holds when its notebooks ran outside the runner (record).
OUTSIDE_THE_RUNNER = "runs outside the runner (JupyterLab, papermill)"
# Beside the committed inputs copied into a folder of runs outside the runner: the hash of each copy (keep_seeded).
SEEDED = ".seeded.json"

# What each notebook reads and writes, relative to the folder a run writes under. The repository's own
# inputs (data/raw, data/paper, data/checks) are read from the repository and not listed. Each file
# has one producer; the runner orders the notebooks by these declarations.
PANEL = ("data/processed/panel.csv",)
# The exports of notebooks 05-08 the scorecard (notebook 09) reads, each beside the record of the
# settings it was made with (helpers.scorecard.estimated_with compares them).
SCORED = ("table4_estimates", "table5_estimates", "table6_estimates", "table7_estimates", "table7_wild_bootstrap")
CHAIN = {
    "01_data": ((), ("figures/01_*",)),
    "02_variables": ((), ("data/processed/panel.csv", "data/processed/CODEBOOK.csv", "figures/02_*")),
    "03_descriptives": (PANEL + ("data/processed/CODEBOOK.csv",), ("figures/table2.*", "figures/03_*")),
    "04_correlation": (PANEL, ("figures/table3*", "figures/04_*")),
    "05_baseline": (PANEL, ("figures/table4*", "figures/05_*")),
    "06_robustness": (PANEL, ("figures/table5*", "figures/06_*")),
    "07_moderation": (PANEL, ("figures/table6*", "figures/07_*")),
    "08_heterogeneity": (PANEL, ("figures/table7*", "figures/08_*")),
    "09_replication_scorecard": (PANEL + tuple(f"figures/{name}.{ext}" for name in SCORED for ext in ("csv", "settings.json"))
                                 + ("figures/11_numbers.csv", "figures/11_numbers.settings.json"), ("figures/09_*",)),
    "10_forensics": (PANEL, ("figures/10_*",)),
    "11_multiverse": (PANEL, ("figures/11_*",)),
}


def producer(path) -> str | None:
    """The notebook that writes `path` (a file under the repository or a run's folder, matched by its
    last folders and name against CHAIN), None for a file no notebook writes."""
    parts = Path(path).parts
    for stem, (_, writes) in CHAIN.items():
        if any(fnmatch("/".join(parts[-(pattern.count("/") + 1):]), pattern) for pattern in writes):
            return stem
    return None


def written(stem: str, root: Path, since: float) -> list[Path]:
    """The files under `root` that notebook `stem` writes (CHAIN) modified at or after `since` (time.time())."""
    return sorted(p for pattern in CHAIN[stem][1] for p in Path(root).glob(pattern) if p.stat().st_mtime >= since)


def own_folder(out, example: str) -> Path:
    """`out` (~ expanded; relative to the working directory) as the folder of a run given one: refused
    (ValueError, naming `example` of a folder to use) if it resolves to the committed tree, i.e. the
    repository or a folder in it outside build/ (build/ itself holds every rerun, so none goes there),
    or to a folder the tools keep in build/ (KEPT)."""
    folder = Path(out).expanduser()
    resolved = folder.resolve()
    where = "" if folder.is_absolute() else f" ({out} from {Path.cwd()})"
    for kept, holds in KEPT.items():
        if resolved == kept or kept in resolved.parents:
            also = " (a notebook given an empty out writes there)" if kept == INTERACTIVE else ""
            raise ValueError(f"{resolved}{where}: build/{kept.name}/ holds {holds}{also}; a run goes in a folder "
                             f"of its own under build/, e.g. {example}")
    if resolved == ROOT or (ROOT in resolved.parents and BUILD not in resolved.parents):
        tree = "not build/ itself, which holds every run's folder" if resolved == BUILD else "never in the committed tree"
        raise ValueError(f"{resolved}{where}: inside the repository a run goes in a folder of its own under build/, "
                         f"{tree}; e.g. {example}")
    return folder


def output(out: str = "") -> Path:
    """The folder a notebook writes under: `out` if given (a rerun; never the committed tree, whatever
    starts the notebook: own_folder), else the one the runner names in $COMPENDIUM_OUT, else
    build/interactive/. Any folder but the repository and the runner's own --out (where the runner puts
    the inputs) holds the committed inputs the notebooks read (keep_seeded), so that a run in JupyterLab
    or by papermill reads what make reproduce would and never rewrites a committed exhibit; a folder
    holding a run of the runner is refused first (_outside_the_runner), before anything is copied."""
    if out:
        try:
            folder = own_folder(out, f"out={os.path.relpath(BUILD)}/<name> (a relative out is taken from {Path.cwd()}), "
                                     f"or a rerun by the runner: {RUNNER} --only <notebook> --set <name>=<value> --out build/<name>")
        except ValueError as error:
            raise ValueError(f"out={error}") from None
        if os.environ.get(OUT_VARIABLE):  # the runner's rerun: its inputs are the runner's to give
            return folder
    else:
        folder = Path(os.environ.get(OUT_VARIABLE) or INTERACTIVE)
        if folder.resolve() == ROOT:
            return folder
    _outside_the_runner(folder / "run.json", out)
    keep_seeded(folder)
    return folder


def record(out: str, notebook: str, **settings) -> Path | None:
    """Outside the runner (JupyterLab, papermill from a shell), enter the notebook's settings into
    run.json of the folder it writes to (`out`, else INTERACTIVE), each notebook with its last run's
    settings, commit and package versions (environment.facts); returns the record. A notebook is named
    by the file JupyterLab gives its kernel (JPY_SESSION_NAME: a copy under its own name), else by its
    own name (`notebook`, e.g. 05_baseline.ipynb: papermill does not tell a kernel which notebook it
    runs). A run of the runner ($COMPENDIUM_OUT set) is recorded by the runner (<out>/run.json), so
    nothing is written then."""
    if os.environ.get(OUT_VARIABLE):
        return None
    from . import environment
    from .files import atomic_write  # pandas, loaded only when something is recorded
    path = output(out) / "run.json"  # refused if a run of the runner holds it
    name = Path(os.environ.get("JPY_SESSION_NAME") or notebook).name
    entry = {"settings": settings, **environment.facts()}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(".run.json.lock"), "a") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # notebooks started at once each keep their entry
        try:
            notebooks = json.loads(path.read_text())["notebooks"]
        except (OSError, ValueError, KeyError, TypeError):
            notebooks = {}
        notebooks[name] = entry
        facts = {"what": OUTSIDE_THE_RUNNER + "; each notebook with the settings, commit and packages of its last run",
                 "notebooks": dict(sorted(notebooks.items()))}
        atomic_write(path, (json.dumps(facts, indent=1, ensure_ascii=False) + "\n").encode())
    return path


def _outside_the_runner(path: Path, out: str) -> None:
    """Refuse a folder whose run.json (`path`) records a run of the runner (its command): a run outside
    it would mix its exhibits with that run's and replace its record. `out` is the folder the notebook
    was given, empty for the default one."""
    try:
        command = json.loads(path.read_text(encoding="utf-8")).get("command")
    except (OSError, ValueError, AttributeError):  # missing or not a record: record starts it afresh
        return
    if command:
        how = "give out a folder of its own" if out else f"remove it (rm -r {path.parent}) or give out a folder of its own"
        raise ValueError(f"{path.parent}: its run.json records a run of the runner ({command}), which this run would "
                         f"mix with its own; {how}, e.g. build/<name>")


def figures(out: str = "") -> Path:
    """Where exhibits go: <output>/figures (the repository's figures/ when the runner says so)."""
    return output(out) / "figures"


def processed(out: str = "") -> Path:
    """Where generated data go: <output>/data/processed."""
    return output(out) / "data" / "processed"


def inputs(stems=CHAIN) -> list[str]:
    """The files the given notebooks read, in declaration order, each once."""
    return list(dict.fromkeys(f for stem in stems for f in CHAIN[stem][0]))


def seed(root: Path, files: list[str]) -> dict[str, bytes]:
    """Copy committed inputs from the repository into `root`, each written atomically
    (files.atomic_write); returns what was copied."""
    from .files import atomic_write, missing  # pandas, loaded only when inputs are copied
    copied = {}
    for name in files:
        try:
            data = (ROOT / name).read_bytes()
        except FileNotFoundError:
            raise missing(ROOT / name, f"Restore it: git checkout -- {name}") from None
        (Path(root) / name).parent.mkdir(parents=True, exist_ok=True)
        atomic_write(Path(root) / name, data)
        copied[name] = data
    return copied


def keep_seeded(root: Path) -> list[str]:
    """Give a folder of runs outside the runner every committed input a notebook reads: each copied if
    missing, and again if the committed file has changed since (a git pull, make reproduce) while the
    folder still holds the copy (its hash in <root>/SEEDED). A file a notebook wrote there is kept, and
    so is one the record does not know (a folder from before it) unless it equals the committed file,
    said once; a copy whose committed file is gone is kept, and a committed file missing from the
    repository is not copied (the notebook reading it says what to do). Returns the inputs copied."""
    from .files import atomic_write
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".seeded.lock", "a") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # notebooks started at once copy and record in turn
        try:
            copies = json.loads((root / SEEDED).read_text())
        except (OSError, ValueError):
            copies = {}
        due, found = [], {}
        for name in inputs():
            if not (ROOT / name).exists():  # kept if copied before; else the notebook reading it says why (files.missing)
                continue
            if not (root / name).exists():
                due.append(name)
            else:
                here, committed = _digest((root / name).read_bytes()), _digest((ROOT / name).read_bytes())
                if name not in copies:
                    found[name] = here if here == committed else None  # None: the folder's own, kept
                    if found[name] is None:
                        print(f"{root / name}: kept, though it is not the committed {name}; remove it to read that",
                              file=sys.stderr)
                elif copies[name] == here != committed:
                    due.append(name)
        copies.update({**found, **{name: _digest(data) for name, data in seed(root, due).items()}})
        if due or found:
            atomic_write(root / SEEDED, (json.dumps(copies, indent=1, sort_keys=True) + "\n").encode())
    return due


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
