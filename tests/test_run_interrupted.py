"""An interrupted run, at several moments, on a small copy of the project (tests/fake_project.py):
every file is left old or new and complete, and the next run finishes the job."""
import os
import re
import signal
import time

import pytest

from tests.fake_project import FIGURES, PROCESSED, checkout, finish, start, state  # noqa: F401 (checkout: a fixture)


def wait_for(condition, timeout=60):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "the moment never came"
        time.sleep(0.005)


MOMENTS = {  # when to stop the run, and how
    "as the first figure is replaced": (signal.SIGKILL, lambda root: "new" in [v for k, v in state(root).items() if k.endswith((".png", ".pdf"))]),
    "between notebooks": (signal.SIGKILL, lambda root: "new" in (state(root)["01_a.ipynb"], state(root)["02_b.ipynb"])),
    "in the last notebook (Ctrl-C)": (signal.SIGINT, lambda root: (root / "build" / "partial" / "03_c.ipynb").exists()),
}


@pytest.mark.parametrize("moment", MOMENTS)
def test_an_interrupted_run_leaves_every_file_old_or_new_and_the_next_run_recovers(checkout, moment):
    how, condition = MOMENTS[moment]
    original = {p.name: p.read_bytes() for p in (checkout / "notebooks").glob("*.ipynb")}
    process = start(checkout)
    wait_for(lambda: condition(checkout) or process.poll() is not None)
    os.killpg(process.pid, how)
    output = finish(process)
    time.sleep(1.5)  # orphaned kernels notice their runner is gone within a second
    found = state(checkout)
    assert "broken" not in found.values() and "new" in found.values(), found
    for name, data in original.items():  # a notebook is the original or a complete executed one
        assert (checkout / "notebooks" / name).read_bytes() == data or found[name] == "new"
    if how == signal.SIGINT:
        assert re.search(r"interrupted: letting .*03_c.* finish", output), output  # no new notebook started
    output = finish(start(checkout))
    assert "3 of 3 notebooks ran" in output, output
    assert set(state(checkout).values()) == {"new"}
    leftovers = [p for f in (FIGURES, PROCESSED, "notebooks") for p in (checkout / f).glob(".*")]
    assert leftovers == []
