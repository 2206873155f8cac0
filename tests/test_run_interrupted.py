"""An interrupted run, at several moments, on a small copy of the project (tests/fake_project.py):
every file is left old or new and complete, and the next run finishes the job."""
import os
import re
import signal
import time

from tests.fake_project import FIGURES, PROCESSED, checkout, finish, start, state  # noqa: F401 (checkout: a fixture)


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
    run left alone."""
    figures = [checkout / FIGURES / f"{stem}.{ext}" for stem in ("01_a", "02_b") for ext in ("png", "pdf")]
    notebooks = [checkout / "notebooks" / f"{stem}.ipynb" for stem in ("01_a", "02_b")]
    moments = [  # when to stop the run, and how
        ("as the first figure is replaced", signal.SIGKILL, lambda replaced: any(map(replaced, figures))),
        ("between notebooks", signal.SIGKILL, lambda replaced: any(map(replaced, notebooks))),
        ("in the last notebook (Ctrl-C)", signal.SIGINT,
         lambda replaced: replaced(checkout / "build" / "partial" / "03_c.ipynb")),
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
            assert re.search(r"interrupted: letting .*03_c.* finish", output), output
        seen |= set(found.values())
    assert seen == {"old", "new"}  # the moments fell inside the runs
    output = finish(start(checkout))
    assert "3 of 3 notebooks ran" in output, output
    assert set(state(checkout).values()) == {"new"}
    leftovers = [p for f in (FIGURES, PROCESSED, "notebooks") for p in (checkout / f).glob(".*")]
    assert leftovers == []
