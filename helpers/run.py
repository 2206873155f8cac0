"""Execute the notebooks headless with papermill and store them without the run's timestamps,
durations and random ids, so that a rerun changes no committed byte.

    .venv/bin/python -m helpers.run                  # every notebook, in place (what `make reproduce` does)
    .venv/bin/python -m helpers.run --only 01_data   # one notebook, in place, with its default settings
    .venv/bin/python -m helpers.run --set key=value --out build/alt   # other settings, into another folder
    .venv/bin/python -m helpers.run --kernels Prescott --out build/sse3  # as an older CPU computes (OTHER_KERNELS)

A notebook starts as soon as the notebooks writing what it reads (paths.CHAIN) have finished, two at a
time. A rerun into --out reads the committed inputs it needs when no setting changes them, and otherwise
runs their producer into the same folder; it records its settings, the commit and the package versions
in <out>/run.json. Settings and other kernels are refused without --out: they would rewrite the
committed exhibits.
Every file is replaced only when complete (notebooks are executed into a temporary file under build/),
and one run at a time may use a checkout.
"""
import argparse
import ast
import difflib
import fcntl
import functools
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

from . import config, constructions, environment, paths

KERNEL = "python3"
DURATIONS = paths.BUILD / "durations.json"  # seconds per notebook in the last run, for the order of the next
WORKERS = 2  # the machines this runs on have two cores


def haswell_kernels(cpuinfo: str) -> bool:
    """Whether a CPU (its /proc/cpuinfo) runs OpenBLAS's Haswell kernels: it has AVX2 and FMA."""
    flags = re.search(r"^flags\s*:(.*)$", cpuinfo, flags=re.M)
    return flags is not None and {"avx2", "fma"} <= set(flags.group(1).split())


def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:  # not Linux: OpenBLAS picks its kernels itself
        return ""


# The BLAS of every kernel. One thread: two kernels share two cores, and the last bits of a result do
# not depend on how many threads the library picked. OpenBLAS's Haswell kernels wherever the CPU has
# them: OpenBLAS otherwise picks kernels by CPU (AVX-512 ones on newer CPUs) that round differently in
# the last bits; so an AVX-512 machine writes the exhibits byte for byte as an AVX2 machine does
# (measured: every exhibit and notebook, AMD EPYC machines with and without AVX-512).
BLAS = {**{name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")},
        **({"OPENBLAS_CORETYPE": "Haswell"} if haswell_kernels(_cpuinfo()) else {})}


# OpenBLAS's kernels of older x86-64 CPUs (SSE3, SSE4.2, AVX), which any newer one runs: with --kernels a
# rerun computes as such a CPU would, so that make verify shows how far the last digits move across machines.
OTHER_KERNELS = ("Prescott", "Nehalem", "Sandybridge")


def kernel_environment(kernels: str = None) -> dict:
    """What every kernel a run starts inherits: BLAS (with OpenBLAS's `kernels` if given), and this
    checkout first on PYTHONPATH, so that its notebooks import the helpers beside them even where .venv
    was built by another checkout (whose editable install points there), and run.json's commit is the
    commit of the code that ran."""
    others = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(paths.ROOT)]
    return {**BLAS, **({"OPENBLAS_CORETYPE": kernels} if kernels else {}),
            "PYTHONPATH": os.pathsep.join([str(paths.ROOT), *others])}


def check_kernels(kernels: str) -> None:
    """Refuse `kernels` (an OpenBLAS core type) where OpenBLAS runs with them the kernels it runs anyway
    (e.g. x86 names on an ARM machine): the rerun would compare nothing."""
    try:
        asked, usual = (environment.kernels_with(kernel_environment(k)) for k in (kernels, None))
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"--kernels {kernels}: cannot ask OpenBLAS which kernels it runs: {error.stderr.strip()}") from None
    if asked == usual:
        raise SystemExit(f"--kernels {kernels}: OpenBLAS runs its {usual} kernels with it, as it does by default on this "
                         f"machine; there is nothing to compare")


# A kernel starts with the signal mask of the thread that launched it, where Ctrl-C is blocked
# (block_interrupt); it unblocks Ctrl-C once it runs, so that it can be interrupted as usual.
UNBLOCK_INTERRUPT = "import signal; signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); del signal"
# The kernel's own log says nothing a reader of the console can act on, such as a KeyboardInterrupt
# when the client interrupts it before shutting it down. Errors in cells still reach the runner
# through the notebook.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", f"--IPKernelApp.exec_lines={UNBLOCK_INTERRUPT}"]
# What Ctrl-C leaves (main): files are replaced only when complete, so a rerun finishes the job.
INTERRUPTED = "interrupted: every file is as before or completely rewritten; run the same command again to finish"
# The (low, high) range of each numeric setting (helpers.config); the measures (tfp, digital, virtual)
# choose from the constructions of their variable.
RANGES = config.RANGES
# How a setting's error names the type of its default.
KINDS = {int: "an integer", float: "a number with a decimal point", str: "a string", list: "a list",
         bool: "True or False"}


def notebooks() -> list[Path]:
    """The numbered notebooks, in the paper's order."""
    return sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def read(path: Path):
    """A notebook, or a one-line error naming the file."""
    import nbformat  # here and below, not at the top: a Ctrl-C during these slow imports reaches main
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several kinds for a damaged file
        raise SystemExit(f"{path}: not a valid notebook ({type(error).__name__}: {str(error).splitlines()[0][:120]}); "
                         f"restore it with: git checkout -- {path.name}") from None


def defaults(notebook: Path) -> dict:
    """The parameters a notebook declares in its first cell tagged 'parameters' (the one papermill
    fills), with their defaults, as papermill's translator reads them from the notebook read once."""
    from papermill.translators import PythonTranslator
    cells = [cell for cell in read(notebook).cells if "parameters" in cell.metadata.get("tags", [])]
    found = PythonTranslator.inspect(cells[0]) if cells else []
    return {p.name: ast.literal_eval(p.default) for p in found}


def producers(stem: str) -> set[str]:
    """The notebooks that write a file `stem` reads."""
    return {paths.producer(name) for name in paths.CHAIN.get(stem, ((), ()))[0]} - {None}


def upstream(stem: str) -> set[str]:
    """Every notebook `stem` depends on, directly or through another."""
    found = set()
    for producer in producers(stem):
        found |= {producer} | upstream(producer)
    return found


def chain(stems: list[str]) -> dict[str, set[str]]:
    """The notebooks to run, each with those among them it waits for; first the ones more notebooks
    wait for (so that the scorecard is not left to run alone at the end), then the ones that took
    longest last time (DURATIONS), so that a long notebook does not start last."""
    waiting = {stem: sum(stem in upstream(other) for other in stems) for stem in stems}
    last = durations()
    order = sorted(stems, key=lambda s: (-waiting[s], -last.get(s, 0)))
    return {stem: producers(stem) & set(stems) for stem in order}


def durations() -> dict[str, float]:
    """Seconds per notebook in the last run (DURATIONS); empty if there is none yet."""
    try:
        return json.loads(DURATIONS.read_text())
    except (OSError, ValueError):
        return {}


def parse_settings(pairs: list[str], chosen: list[Path]) -> dict:
    """'name=value' pairs checked against the parameters the chosen notebooks and the notebooks they
    depend on declare, and against their choices or range (allowed)."""
    valid = {}
    for nb in chosen:
        for stem in sorted(upstream(nb.stem)):
            valid.update(defaults(nb.parent / f"{stem}.ipynb"))
        valid.update(defaults(nb))
    valid.pop("out", None)
    settings, given = {}, {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if name == "out":
            raise SystemExit("out is not a setting: give the folder with --out")
        if not sep:
            raise SystemExit(f"--set {pair}: expected NAME=VALUE; valid names: {', '.join(sorted(valid))}")
        if name not in valid:
            raise SystemExit(f"{why_refused(name, [nb.stem for nb in chosen], valid)}; valid names: {', '.join(sorted(valid))}")
        if name in settings:
            raise SystemExit(f"setting {name} given twice (--set {given[name]} and --set {pair}); give it once")
        value = literal(text)
        check_kind(name, value, valid[name], shown=repr(text))
        value = float(value) if type(valid[name]) is float else value
        check_value(name, value, valid[name])
        settings[name], given[name] = value, pair
    return settings


def why_refused(name: str, stems: list[str], valid) -> str:
    """Why a setting is refused: another notebook's (not read by the chosen ones or those they wait
    for), or unknown, with the name it may be a typo of (the same letters, else the closest, in any
    case: TFP gives tfp), first among the valid names, then among every notebook's."""
    if name in config.PARAMETERS:
        return f"setting {name} is not read by {', '.join(stems)} or the notebooks {'they wait' if len(stems) > 1 else 'it waits'} for"
    for names in (sorted(valid), sorted(config.PARAMETERS)):  # another notebook's, if none of these is close
        folded = {v.lower(): v for v in names}
        near = ([v for v in names if sorted(v.lower()) == sorted(name.lower())]
                or [folded[v] for v in difflib.get_close_matches(name.lower(), folded, n=1)])
        if near:
            readers = "" if near[0] in valid else f", read by {', '.join(s for s in paths.CHAIN if near[0] in own_defaults(s))}"
            return f"unknown setting {name!r} (did you mean {near[0]}{readers}?)"
    return f"unknown setting {name!r}"


def literal(text: str):
    """The Python literal `text` spells (3, 0.1, [2013, 2020]), else the text itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def allowed(name: str):
    """The choices (a list) or the range (a tuple) of a setting, None if it has neither."""
    if name in config.MEASURE_DEFAULTS:
        return constructions.names(name)
    if name == "cov_type":
        return list(config.COV_TYPES)
    return RANGES.get(name)


def check_kind(name, value, default, shown: str = None) -> None:
    """A setting must be of its default's type (an integer where the default is one, a list where it
    is a list; a number with a decimal point may be written as an integer, winsor_share=0); `shown` is
    the value as the user gave it (default: its repr)."""
    if type(value) is not type(default) and not (type(default) is float and type(value) is int):
        raise SystemExit(f"setting {name}={shown or repr(value)}: expected {KINDS.get(type(default), 'a value')} "
                         f"like the default {default!r}")


def check_value(name, value, default=None) -> None:
    """A setting must respect its declared choices or range (a measure may be empty: its default);
    a list the length and element type of its default, in increasing order."""
    allowed_values = allowed(name)
    if isinstance(allowed_values, list) and value not in allowed_values and not (name in config.MEASURE_DEFAULTS
                                                                                 and value == ""):
        shown = (", ".join(allowed_values) if len(allowed_values) <= 12 else
                 f"{', '.join(allowed_values[:6])}, ... ({len(allowed_values)} in all, figures/10_grid.csv lists them)")
        folded = {v.lower(): v for v in allowed_values}  # in any case: TFP gives tfp
        near = [folded[v] for v in difflib.get_close_matches(str(value).lower(), folded, n=1)]
        raise SystemExit(f"setting {name}={value!r}: {f'did you mean {near[0]}? ' if near else ''}choose one of {shown}")
    if isinstance(value, list):
        if len(value) != len(default) or any(type(v) is not type(d) for v, d in zip(value, default)):
            raise SystemExit(f"setting {name}={value!r}: expected a list of {len(default)} values, each "
                             f"{KINDS.get(type(default[0]), 'a value')}, like {default!r}")
        if value != sorted(value):
            raise SystemExit(f"setting {name}={value!r}: expected increasing values like {default!r}")
        values = value
    else:
        values = [value]
    if isinstance(allowed_values, tuple) and not all(allowed_values[0] <= v <= allowed_values[1] for v in values):
        raise SystemExit(f"setting {name}={value!r}: must lie between {allowed_values[0]} and {allowed_values[1]}")


def check_settings(settings: dict) -> None:
    """check_kind and check_value for the settings a notebook starts with, wherever it runs
    (JupyterLab, papermill, the runner), as a ValueError in the notebook; papermill's -p passes a
    list as a string, so a string where none belongs says how to pass it (-y, YAML). Settings other
    than the defaults (changed) are printed with a reminder that the notebook's text quotes the
    default run."""
    for name, value in settings.items():
        default = config.PARAMETERS.get(name)
        try:
            check_kind(name, value, default)
            check_value(name, value, default)
        except SystemExit as error:
            raise ValueError(f"{error}{_yaml_hint(name, value, default)}") from None
    if other := changed(settings):
        print(f"settings other than the defaults: {', '.join(f'{k}={v!r}' for k, v in other.items())}; "
              "the text of this notebook quotes the numbers of the default run, the outputs are this run's")


def _yaml_hint(name, value, default) -> str:
    """For text that spells a value of the default's kind ("[2019, 2021]", what papermill -p passes
    for a list): how to give it with papermill; else nothing."""
    if not isinstance(value, str) or isinstance(default, str):
        return ""
    try:
        check_kind(name, literal(value), default)
    except SystemExit:
        return ""
    return f"; if you passed it with papermill -p, give it as YAML: -y \"{name}: {value}\""


def typed(argv: list[str], out: Path = None) -> str:
    """The runner's command line with `argv` (and --out `out`), to paste into a shell in the working
    directory: the Python running now, and `out`, relative to there inside the checkout
    (.venv/bin/python from the repository, ../.venv/bin/python from notebooks/), absolute outside it."""
    def shown(path: Path) -> str:
        return os.path.relpath(path) if Path.cwd().is_relative_to(paths.ROOT) and path.is_relative_to(paths.ROOT) else str(path)
    return shlex.join([shown(Path(sys.executable)), "-m", "helpers.run", *argv, *(["--out", shown(out)] if out else [])])


def named(settings: dict) -> str:
    """A folder under build/ named after the settings (build/reps-999_seed-7), for a message to suggest:
    one that cannot already hold a run with other settings (build/defaults for none)."""
    return "build/" + ("_".join(f"{k}-{re.sub(r'[^A-Za-z0-9._]+', '-', str(v)).strip('-')}" for k, v in settings.items())
                       or "defaults")


def check_out(out: Path, settings: dict) -> Path:
    """The --out folder, resolved once against the working directory: not a file, nor in the committed
    tree (paths.own_folder; the message suggests a folder named after the settings)."""
    try:
        out = paths.own_folder(out, f"--out {paths.ROOT / named(settings)}").resolve()
    except ValueError as error:
        raise SystemExit(f"--out {error}") from None
    if out.exists() and not out.is_dir():
        raise SystemExit(f"--out {out}: is a file, not a folder")
    return out


def writable(out: Path) -> None:
    """Create the --out folder if missing and check that files can be written in it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".probe.{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise SystemExit(f"--out {out}: cannot write there ({error.strerror})") from None


def plan(chosen: list[str], settings: dict) -> tuple[list[str], list[str]]:
    """The notebooks to run and the committed files to copy for a rerun of `chosen` into another
    folder: a notebook writing what a chosen one reads is run too when a setting changes its output
    (a setting it or a notebook before it declares, not at its default: changed); otherwise its
    committed output is copied."""
    affected = {stem for stem in paths.CHAIN
                if any(changed({name: value for name, value in settings.items() if name in declared}, declared)
                       for declared in map(own_defaults, upstream(stem) | {stem}))}
    run, pending = set(chosen), list(chosen)
    while pending:
        for producer in producers(pending.pop()) & affected - run:
            run.add(producer)
            pending.append(producer)
    ordered = [stem for stem in paths.CHAIN if stem in run]
    copies = [name for name in paths.inputs(ordered) if paths.producer(name) not in ordered]
    return ordered, copies


def own_defaults(stem: str) -> dict:
    """The settings a notebook declares, with their defaults."""
    found = defaults(paths.NOTEBOOKS / f"{stem}.ipynb")
    found.pop("out", None)
    return found


def strip(path: Path) -> None:
    """Remove what papermill and nbclient stamp into a notebook on each run, and join the pieces of
    one stream output (coalesced)."""
    import nbformat
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = coalesced(cell.outputs)
    nbformat.write(nb, path)


def coalesced(outputs: list) -> list:
    """Consecutive outputs of one stream (stdout, stderr) as one: how many pieces a print arrives in
    depends on the kernel's timing (a busy machine splits its line end off)."""
    joined = []
    for output in outputs:
        if joined and output.output_type == joined[-1].output_type == "stream" and output.name == joined[-1].name:
            joined[-1].text += output.text
        else:
            joined.append(output)
    return joined


@functools.cache
def socket_kernels(manager: type) -> type:
    """jupyter_client's kernel `manager` with kernels listening on Unix sockets of their own (a fresh
    name under the temporary folder), not TCP ports: a port is chosen free and bound by the kernel a
    moment later, and a kernel starting meanwhile beside it may take it ("Address already in use": the
    kernel dies before it replies; jupyter/jupyter_client#154). The sockets are removed when the
    kernel stops. The runner's kernels and nbval's (helpers.pytest_plugin) use it."""
    import tempfile
    import uuid

    import traitlets

    class SocketKernelManager(manager):
        transport = traitlets.CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @traitlets.default("ip")
        def _ip_default(self) -> str:  # for ipc, the sockets' path, each channel's number appended
            return os.path.join(tempfile.gettempdir(), f"kernel-{uuid.uuid4().hex}")
    return SocketKernelManager


def execute(notebook: Path, target: Path, parameters: dict, partial: Path = None) -> None:
    """Run one notebook with papermill into a temporary file (`partial`, beside `target` by default),
    strip the run stamps and move it to `target` only when complete. A failure names the notebook
    and cell and leaves the partly executed notebook at `partial` for inspection."""
    import papermill
    from jupyter_client import AsyncKernelManager  # papermill's (nbclient's)
    partial = partial or target.with_name(f".{target.stem}.partial.ipynb")
    for folder in (target.parent, partial.parent):
        folder.mkdir(parents=True, exist_ok=True)
    own = {k: v for k, v in parameters.items() if k in defaults(notebook)}
    try:
        papermill.execute_notebook(str(notebook), str(partial), parameters=own, kernel_name=KERNEL,
                                   cwd=str(notebook.parent), progress_bar=False, log_output=False,
                                   extra_arguments=KERNEL_ARGUMENTS, kernel_manager_class=socket_kernels(AsyncKernelManager))
    except papermill.PapermillExecutionError as error:
        kept = _strip_kept(partial)
        raise SystemExit(f"{notebook.name}: cell {error.exec_count} failed with {error.ename}: "
                         f"{error.evalue}\n  the partly executed notebook is at {kept}") from None
    except BaseException as error:
        kept = _strip_kept(partial)
        raise SystemExit(f"{notebook.name}: {type(error).__name__}: {error}\n"
                         f"  the partly executed notebook is at {kept}") from None
    try:
        strip(partial)
        os.replace(partial, target)
    except OSError as error:
        raise SystemExit(f"{notebook.name}: ran, but could not be stored ({error}); {target} is unchanged") from None


def _strip_kept(partial: Path) -> str:
    """Strip a failed run's notebook if possible, without hiding the failure that matters."""
    if not partial.exists():
        return f"{partial} (not written)"
    try:
        strip(partial)
    except Exception as error:
        return f"{partial} (left as written: {type(error).__name__})"
    return str(partial)


class StoppedAtOnce(KeyboardInterrupt):
    """A second Ctrl-C: the notebooks still running (its args) are abandoned, left in their partial files."""


@contextmanager
def held_interrupt():
    """A Ctrl-C (SIGINT) during the block is held until the block ends, then raised: the block runs
    whole. Starting a notebook is such a block: a Ctrl-C inside the executor's submit could otherwise
    leave a notebook running that the runner does not know of. Outside the main thread, where signals
    are not handled, the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = []
    previous = signal.signal(signal.SIGINT, lambda *_: held.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        raise KeyboardInterrupt


def block_interrupt() -> None:
    """Block Ctrl-C (SIGINT) in a worker thread, where Python would not handle it anyway. A kernel
    is forked in its thread and inherits the mask: unblocked, a Ctrl-C sent to the process group in
    the moment between the fork and the kernel's own session (jupyter_client's start_new_session)
    killed the kernel before it replied; blocked, it stays pending and is discarded once the kernel
    runs (UNBLOCK_INTERRUPT)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def schedule(items: dict, run) -> tuple[dict, list]:
    """Call run(item) for each item of `items` (item -> the items it needs) once those it needs have
    succeeded, WORKERS at a time, first in the order given; returns the failures (item -> error) and
    the items not run because one they need, directly or through another, failed.
    On Ctrl-C, while items start or run, no new item starts, those running finish (their files are
    then complete), and KeyboardInterrupt is raised if an item is left that could have run (if none
    is, it returns as usual); a second Ctrl-C raises StoppedAtOnce without waiting for them (the
    caller ends the process with stop_at_once)."""
    if unknown := set().union(*items.values()) - set(items):
        raise ValueError(f"needed but not scheduled: {', '.join(sorted(unknown))}")
    failed, skipped, done, running = {}, [], set(), {}
    pending = list(items)
    stopping = False
    pool = ThreadPoolExecutor(max_workers=WORKERS, initializer=block_interrupt)
    try:
        while pending or running:
            try:  # Ctrl-C may come while items start as well as while they run
                while blocked := [item for item in pending if items[item] & (set(failed) | set(skipped))]:
                    for item in blocked:  # in any order: those needing them are found in the next pass
                        pending.remove(item)
                        skipped.append(item)
                for item in list(pending):
                    if not stopping and len(running) < WORKERS and items[item] <= done:
                        with held_interrupt():  # started and known as running, or not started at all
                            running[pool.submit(run, item)] = item
                            pending.remove(item)
                if stopping or not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                if not running:
                    raise
                try:  # a second Ctrl-C may come as soon as the line is printed
                    print(f"interrupted: letting {', '.join(map(str, running.values()))} finish "
                          f"(Ctrl-C again to stop at once)", file=sys.stderr, flush=True)
                    finished, stopping = wait(running)[0], True
                except KeyboardInterrupt:
                    raise StoppedAtOnce(*running.values()) from None
            for future in finished:
                item = running.pop(future)
                if future.exception() is None:
                    done.add(item)
                else:
                    failed[item] = future.exception()
    finally:
        pool.shutdown(wait=False)  # everything has finished, or is abandoned
    if stopping and pending:
        raise KeyboardInterrupt
    if pending:
        raise ValueError(f"never ready (they need each other): {', '.join(pending)}")
    if stopping:
        print("nothing else could start: the run ends here", file=sys.stderr, flush=True)
    return failed, skipped


def stop_at_once() -> None:
    """End the process after StoppedAtOnce, with status 130: the threads of the abandoned notebooks
    would otherwise keep it alive until they finish (their kernels stop when the process is gone)."""
    sys.stderr.flush()
    os._exit(130)


@contextmanager
def lock(root: Path = None):
    """Hold build/run.lock for the duration of a run: a second run in the same checkout stops with a
    message instead of writing the same files at the same time."""
    path = (root or paths.ROOT) / "build" / "run.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise SystemExit(f"another run is using this checkout ({handle.read().strip() or 'pid unknown'}); "
                             f"wait for it to finish, then start again") from None
        handle.truncate(0)
        handle.write(f"pid {os.getpid()}, started {time.strftime('%H:%M:%S')}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)


def holder(root: Path = None) -> str | None:
    """Which run holds the checkout's lock (what `lock` wrote: its pid and start time), None if none
    does: read without locking, so that a run starting at that moment is never refused; a run killed
    outright left its line, but its process is gone."""
    try:
        text = ((root or paths.ROOT) / "build" / "run.lock").read_text().strip()
    except FileNotFoundError:
        return None
    pid = re.match(r"pid (\d+),", text)
    if not pid:
        return None  # released: lock() empties the file
    try:
        os.kill(int(pid[1]), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return None
    except PermissionError:  # another user's process, alive
        pass
    return text


def record(out: Path, argv: list[str], settings: dict, planned: list[str], copied: list[str], completed=(),
           failed=(), interrupted: bool = False, finished: bool = True) -> Path:
    """<out>/run.json: the command (typed), where it ran from and the folder it wrote to (resolved from there),
    which notebooks were to run with which settings, which completed and which failed, from which
    commit, with which packages and BLAS, whether the run finished (written first with finished false,
    and again as each notebook completes, so that a run killed outright is recorded too) and whether
    Ctrl-C interrupted it."""
    facts = {"command": typed(argv), "working_directory": os.getcwd(), "out": str(out),
             "settings": settings, "notebooks_planned": planned,
             "notebooks_completed": [stem for stem in planned if stem in completed],
             "failed": sorted(failed), "finished": finished, "interrupted": interrupted,
             "inputs_copied_from_the_repository": copied, **environment.facts()}
    path = out / "run.json"
    from .files import atomic_write  # imports pandas: not before the command line is checked
    atomic_write(path, (json.dumps(facts, indent=1, ensure_ascii=False) + "\n").encode())
    return path


class Completed(list):
    """The notebooks a run has completed, added by the threads that run them. With `write`, each added
    rewrites the run's record (write(the notebooks so far)), so that a run killed outright lists those
    it completed, until `last` writes the final record: no thread's write can then replace it."""

    def __init__(self, write=None):
        super().__init__()
        self.write, self.lock, self.closed = write, threading.Lock(), False

    def append(self, stem: str) -> None:
        with self.lock:
            super().append(stem)
            if self.write and not self.closed:
                self.write(list(self))

    def last(self, write):
        """write(the notebooks completed) once, as the record's final form."""
        with self.lock:
            self.closed = True
            return write(list(self))


def changed(settings: dict, defaults: dict = config.PARAMETERS) -> dict:
    """The settings not at their default (`defaults`; a measure empty or named as its default)."""
    return {name: value for name, value in settings.items()
            if value != defaults.get(name) and value != config.MEASURE_DEFAULTS.get(name)}


def same_settings(out: Path, settings: dict) -> None:
    """Refuse to rerun into a folder that holds a run with other settings or other OpenBLAS kernels (its
    run.json, against `settings` and os.environ): the two runs' outputs would be mixed, and the record
    would describe only the second; or files without a run record (another checkout, someone's own
    files), which the run would overwrite."""
    path = out / "run.json"
    if not path.exists():
        if any(out.iterdir()):
            raise SystemExit(f"--out {out} holds files but no run record (run.json): they are not a rerun's (another "
                             f"checkout?) and would be overwritten; choose a new or empty folder")
        return
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        if str(found.get("what", "")).startswith(paths.OUTSIDE_THE_RUNNER):
            raise SystemExit(f"--out {out} holds {paths.OUTSIDE_THE_RUNNER} (its run.json), which this run would mix "
                             f"with its own: choose another folder")
        before = found["settings"]
        if not isinstance(before, dict):
            raise TypeError("settings is not a mapping")
    except (ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise SystemExit(f"{path}: not a run record ({type(error).__name__}); remove {out} or choose another --out") from None
    if changed(before) != changed(settings):
        raise SystemExit(f"--out {out} holds a run with other settings ({before or 'the defaults'}); the two would "
                         f"be mixed: choose another folder, or remove this one first (rm -r {out})")
    kernels = found.get("blas", {}).get("OPENBLAS_CORETYPE")
    if "blas" in found and kernels != os.environ.get("OPENBLAS_CORETYPE"):
        raise SystemExit(f"--out {out} holds a run computed with OpenBLAS's {kernels or 'own choice of'} kernels, this one "
                         f"with {os.environ.get('OPENBLAS_CORETYPE') or 'its own choice'}; the two would be mixed: choose "
                         f"another folder, or remove this one first (rm -r {out})")


def sweep(root: Path) -> None:
    """Remove the temporary files an interrupted run can leave beside its outputs."""
    for folder in (root / "figures", root / "data" / "processed", root / "notebooks"):
        for leftover in folder.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)


def main(argv=None) -> None:
    """The command line; Ctrl-C at any moment (checking settings, copying inputs, running notebooks)
    ends it with one line and exit status 130, every file left as before or completely rewritten
    and the checkout's lock released (unless the notebooks it lets finish leave none that could
    start: the run then ends as usual, schedule)."""
    try:
        command(sys.argv[1:] if argv is None else argv)
    except ModuleNotFoundError as missing:  # started with a Python other than the project's
        raise SystemExit(f"{missing.name} is not installed for {sys.executable}; the runner needs the project's "
                         f"environment: {paths.RUNNER} (make env builds .venv; make clean-env first if it is damaged)") from None
    except KeyboardInterrupt as interruption:
        print(INTERRUPTED, file=sys.stderr, flush=True)
        if isinstance(interruption, StoppedAtOnce):
            stop_at_once()
        raise SystemExit(130) from None


def command(argv: list[str]) -> None:
    """Check the command line, then run the notebooks it chooses under the checkout's lock."""
    parser = argparse.ArgumentParser(prog=paths.RUNNER, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", default=[], help="notebook stem, e.g. 01_data (repeatable)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help=f"a setting of the notebooks (repeatable), one of {', '.join(sorted(config.PARAMETERS))}")
    parser.add_argument("--out", type=Path, help="folder for the notebooks and outputs of a rerun")
    parser.add_argument("--kernels", choices=OTHER_KERNELS,
                        help="compute with OpenBLAS's kernels of an older CPU, as that machine would (only with --out)")
    args, extra = parser.parse_known_args(argv)
    if extra:  # may be the rest of an unquoted list: --set years=[2013, 2020]
        value = not extra[0].startswith("-")
        unquoted = value and any(v.count("[") > v.count("]") for v in args.set)
        bare = [v for v in args.set if "=" not in v] if value else []
        parser.error(f"unrecognized arguments: {' '.join(extra)}"
                     + ("; quote a value with spaces: --set 'years=[2013, 2020]'" if unquoted else "")
                     + (f"; join a name and its value with =: --set {bare[0]}={extra[0]}" if bare else ""))
    every = notebooks()
    only = list(dict.fromkeys(args.only))
    unknown = set(only) - {nb.stem for nb in every}
    if unknown:
        raise SystemExit(f"unknown notebook {', '.join(sorted(unknown))}; have {', '.join(nb.stem for nb in every)}")
    undeclared = [nb.name for nb in every if nb.stem not in paths.CHAIN]
    if undeclared:
        raise SystemExit(f"{', '.join(undeclared)}: declare what it reads and writes in paths.CHAIN")
    chosen = [nb for nb in every if not only or nb.stem in only]
    settings = parse_settings(args.set, chosen)
    if args.kernels and not args.out:
        raise SystemExit(f"other kernels move the last digits, and without --out they would rewrite the committed exhibits; "
                         f"rerun into a folder of its own: {typed(argv, paths.BUILD / f'kernels-{args.kernels}')}")
    if settings and not args.out and not changed(settings):
        raise SystemExit(f"{', '.join(f'{k}={v!r}' for k, v in settings.items())} "
                         f"{'is the default' if len(settings) == 1 else 'are the defaults'}: run without --set to rerun in "
                         "place (a --set without --out would add a parameters cell to the committed notebooks)")
    if settings and not args.out:
        raise SystemExit(f"settings change results, and without --out they would rewrite the committed exhibits; "
                         f"rerun into a folder of its own: {typed(argv, paths.ROOT / named(settings))}")
    stems, copied = plan([nb.stem for nb in chosen], settings) if args.out else ([nb.stem for nb in chosen], [])
    out = check_out(args.out, settings) if args.out else paths.ROOT
    if args.kernels:
        check_kernels(args.kernels)
    os.environ.update(kernel_environment(args.kernels))  # before the first record, which names the BLAS
    with lock():  # before the folder is created: a run refused by the lock leaves nothing behind
        if args.out:
            writable(out)
            same_settings(out, settings)
            record(out, argv, settings, stems, copied, finished=False)
        sweep(out)
        try:
            paths.seed(out, copied)
        except ValueError as error:  # files.InputError: a committed input is missing
            raise SystemExit(str(error)) from None
        os.environ[paths.OUT_VARIABLE] = str(out)
        completed = Completed((lambda done: record(out, argv, settings, stems, copied, done, finished=False))
                              if args.out else None)
        failed, interrupted, finished = {}, False, False
        if added := [stem for stem in stems if stem not in {nb.stem for nb in chosen}]:
            print(f"also running {', '.join(added)}: {', '.join(nb.stem for nb in chosen)} "
                  f"read{'s' * (len(chosen) == 1)} what they write, which the settings change", file=sys.stderr)
        try:
            failed = run_all(stems, out, settings, completed)
            finished = True
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:  # an interrupted rerun is recorded too, as such
            if args.out:
                path = completed.last(lambda done: record(out, argv, settings, stems, copied, done, failed, interrupted, finished))
                print(f"record of this run: {path}", file=sys.stderr)
    if failed:
        raise SystemExit(1)


def run_all(stems: list[str], out: Path, settings: dict, completed: list) -> dict:
    """Run the notebooks into `out` (the repository: in place), one console line each, adding each
    that completes to `completed` (kept if the run is interrupted); returns the failures."""
    parameters = {**settings, "out": str(out)} if out != paths.ROOT else settings
    partial = paths.PARTIAL if out == paths.ROOT else out / "partial"
    start = time.perf_counter()

    seconds, began_at = durations(), {}

    def one(stem):
        began, began_at[stem] = time.perf_counter(), time.time()
        notebook = paths.NOTEBOOKS / f"{stem}.ipynb"
        execute(notebook, out / "notebooks" / notebook.name, parameters, partial / notebook.name)
        seconds[stem] = round(time.perf_counter() - began, 1)
        completed.append(stem)
        print(f"  {stem:28s} {seconds[stem]:6.1f} s\n", end="", file=sys.stderr, flush=True)  # one write: two threads print

    where = "in place" if out == paths.ROOT else f"into {out}"
    at_a_time = f", {WORKERS} at a time" if len(stems) > 1 else ""
    print(f"running {len(stems)} notebook{'s' * (len(stems) > 1)} {where}{at_a_time}", file=sys.stderr)
    try:
        failed, skipped = schedule(chain(stems), one)
    except StoppedAtOnce as stopped:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the process ends after these lines (stop_at_once)
        for stem in stopped.args:  # each submitted, though its thread may not have begun it
            kept = partial / f"{stem}.ipynb"
            print(f"STOPPED {stem}: {f'left partly executed at {kept}' if kept.exists() else 'stopped as it started'}",
                  file=sys.stderr)
            if stem in began_at:
                say_replaced(stem, out, began_at[stem], "stopping")
        raise
    finally:  # the partly executed notebooks of failed or abandoned runs stay for inspection
        if partial.is_dir() and not any(partial.iterdir()):
            partial.rmdir()
    from .files import atomic_write  # pandas: not needed before the notebooks run
    atomic_write(DURATIONS, (json.dumps(seconds, indent=1, sort_keys=True) + "\n").encode())
    for stem, error in failed.items():  # the runner's own messages name the notebook; others are named here
        print(f"FAILED {error}" if stem in str(error) else f"FAILED {stem}: {type(error).__name__}: {error}", file=sys.stderr)
        say_replaced(stem, out, began_at[stem], "failing")
    for stem in skipped:
        print(f"NOT RUN {stem}: it reads what a failed notebook writes", file=sys.stderr)
    ok = len(stems) - len(failed) - len(skipped)
    print(f"{ok} of {len(stems)} notebook{'s' * (len(stems) > 1)} ran in {time.perf_counter() - start:.0f} s"
          + (f"; {len(failed)} failed, {len(skipped)} not run" if failed or skipped else ""), file=sys.stderr)
    return failed


def say_replaced(stem: str, out: Path, began: float, ending: str) -> None:
    """For a notebook that failed or was stopped (`ending`): the exhibits it replaced before (paths.written)."""
    if replaced := paths.written(stem, out, began):
        names = " ".join(str(p.relative_to(out)) for p in replaced)
        restore = f"; git checkout -- {names} restores the committed ones" if out == paths.ROOT else ""
        print(f"  before {ending} it replaced {names} (its other exhibits are as they were){restore}", file=sys.stderr)


if __name__ == "__main__":
    main()
