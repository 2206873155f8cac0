"""An interrupted run, at several moments, on a small copy of the project (tests/fake_project.py):
every file is left old or new and complete, and the next run finishes the job."""
import json
import os
import re
import signal
import subprocess
import sys
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from helpers import run
from tests.fake_project import FIGURES, PROCESSED, checkout, finish, interruptible, start, state  # noqa: F401 (checkout: a fixture)

# The runner with one step of its start-up held until the test interrupts it: it says when it is there.
HELD = """import sys, time
from helpers import paths, run
def held(*args, **kwargs):
    print("held", flush=True)
    time.sleep(600)
setattr({owner}, "{step}", held)
run.main(sys.argv[1:])
"""
# The runner with its first import of papermill (which reads notebooks) held: the slow imports of
# notebook libraries happen inside main, where a Ctrl-C is handled.
HELD_IMPORT = """import sys, time
class Held:
    def find_spec(self, name, path=None, target=None):
        if name == "papermill":
            print("held", flush=True)
            time.sleep(600)
sys.meta_path.insert(0, Held())
from helpers import run
run.main(sys.argv[1:])
"""


def wait_for(condition, timeout=60):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "the moment never came"
        time.sleep(0.005)


def since(start):
    """Conditions on what a run started at `start` has done so far."""
    def replaced(path):
        return path.exists() and path.stat().st_mtime > start
    return replaced


def test_an_interrupted_run_leaves_every_file_old_or_new_and_the_next_run_recovers(checkout):
    """Runs stopped at three moments, one after another (each the next one's starting point), then a
    run whose Ctrl-C comes once nothing is left to start, so that it finishes."""
    figures = [checkout / FIGURES / f"{stem}.{ext}" for stem in ("01_a", "02_b") for ext in ("png", "pdf")]
    notebooks = [checkout / "notebooks" / f"{stem}.ipynb" for stem in ("01_a", "02_b")]
    moments = [  # when to stop the run, and how
        ("as the first figure is replaced", signal.SIGKILL, lambda replaced: any(map(replaced, figures))),
        ("between notebooks", signal.SIGKILL, lambda replaced: any(map(replaced, notebooks))),
        ("in the first notebooks, 03_c waiting for 01_a (Ctrl-C)", signal.SIGINT,
         lambda replaced: replaced(checkout / "build" / "partial" / "01_a.ipynb")),
    ]
    original = {p.name: p.read_bytes() for p in (checkout / "notebooks").glob("*.ipynb")}
    seen = set()
    for moment, how, condition in moments:
        start_time = time.time()
        process = start(checkout)
        wait_for(lambda: condition(since(start_time)) or process.poll() is not None)
        os.killpg(process.pid, how)
        output = finish(process)
        time.sleep(1.5)  # orphaned kernels notice their runner is gone within a second
        found = state(checkout)
        assert "broken" not in found.values(), (moment, found)
        for name, data in original.items():  # a notebook is the original or a complete executed one
            assert (checkout / "notebooks" / name).read_bytes() == data or found[name] == "new", moment
        if how == signal.SIGINT:  # no new notebook started; those running finished or failed
            assert re.search(r"interrupted: letting .*01_a.* finish", output), output
            assert "03_c" not in output.split("interrupted: letting")[1], output  # it never started
            assert process.returncode == 130 and output.endswith(run.INTERRUPTED + "\n"), output
        seen |= set(found.values())
    assert seen == {"old", "new"}  # the moments fell inside the runs
    start_time, process = time.time(), start(checkout)
    wait_for(lambda: since(start_time)(checkout / "build" / "partial" / "03_c.ipynb") or process.poll() is not None)
    os.killpg(process.pid, signal.SIGINT)
    output = finish(process)
    assert process.returncode == 0 and "nothing else could start" in output and "3 of 3 notebooks ran" in output, output
    assert set(state(checkout).values()) == {"new"}
    leftovers = [p for f in (FIGURES, PROCESSED, "notebooks") for p in (checkout / f).glob(".*")]
    assert leftovers == []


def test_a_second_ctrl_c_stops_at_once_and_the_rerun_is_recorded_as_interrupted(checkout, tmp_path):
    """Notebook 02_b is made to hang (ignoring Ctrl-C) after saving its figure: the first Ctrl-C waits
    for it, the second abandons it, leaves its partial notebook for inspection, names it, where it is
    and what it replaced, and ends with the usual line."""
    hanging = checkout / "notebooks" / "02_b.ipynb"
    nb = nbformat.read(hanging, as_version=4)
    nb.cells.append(new_code_cell("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(600)"))
    nbformat.write(nb, hanging)
    out = tmp_path / "alt"
    process = start(checkout, "--out", str(out))
    wait_for(lambda: (out / "notebooks" / "01_a.ipynb").exists() or process.poll() is not None)
    os.killpg(process.pid, signal.SIGINT)
    while "interrupted: letting" not in (line := process.stdout.readline()):
        assert line, "the run ended at the first Ctrl-C"
    assert "02_b" in line, line
    os.killpg(process.pid, signal.SIGINT)
    output = finish(process, timeout=60)
    assert process.returncode == 130 and output.endswith(run.INTERRUPTED + "\n"), output
    assert f"STOPPED 02_b: left partly executed at {out / 'partial' / '02_b.ipynb'}\n" in output, output
    assert (f"  before stopping it replaced {FIGURES}/02_b.pdf {FIGURES}/02_b.png (its other exhibits are as "
            f"they were)\n") in output, output
    facts = json.loads((out / "run.json").read_text())
    assert facts["interrupted"] is True and facts["finished"] is False
    # 03_c may be running when the second Ctrl-C comes; a notebook is counted complete once stored
    assert facts["notebooks_planned"] == ["01_a", "02_b", "03_c"] and facts["notebooks_completed"][0] == "01_a"
    assert "02_b" not in facts["notebooks_completed"]
    assert all((out / "notebooks" / f"{s}.ipynb").exists() for s in facts["notebooks_completed"])
    assert (out / "partial" / "02_b.ipynb").exists() and not (out / "notebooks" / "02_b.ipynb").exists()
    with run.lock(checkout):  # released
        pass
    assert set(state(checkout).values()) == {"old"}


@pytest.mark.parametrize("script", [HELD_IMPORT,  # importing the notebook libraries
                                    HELD.format(owner="run", step="parse_settings"),  # before the lock is taken
                                    HELD.format(owner="paths", step="seed")],  # holding the lock, copying into --out
                         ids=["importing", "checking settings", "copying inputs"])
def test_ctrl_c_during_start_up_says_one_line_and_exits_130(checkout, tmp_path, script):
    process = subprocess.Popen([sys.executable, "-c", script, "--out", str(tmp_path / "alt")],
                               cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    assert process.stdout.readline() == "held\n", process.communicate()
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130 and errors == run.INTERRUPTED + "\n", errors
    with run.lock(checkout):  # released
        pass
    assert set(state(checkout).values()) == {"old"}
