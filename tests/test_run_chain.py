"""The runner end to end on a small copy of the project (tests/fake_project.py): where the files land
with a relative --out, a later notebook reading a committed input, every failure reported. The outputs
read here are the copy's, built by the `checkout` fixture and written by the run under test: what that
run leaves is the thing under test."""
import json
import os
import re
import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell

from tests.fake_project import FIGURES, OLD, OUTPUTS, PROCESSED, checkout, finish, start, state  # noqa: F401 (checkout: a fixture)


def test_a_relative_out_puts_everything_under_the_folder_named_from_where_the_command_ran(checkout, tmp_path):
    shell = tmp_path / "elsewhere"
    shell.mkdir()
    output = finish(start(checkout, "--out", "rerun/one", cwd=shell))
    assert "3 of 3 notebooks ran" in output, output
    out = shell / "rerun" / "one"
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted(OUTPUTS + ["notebooks/01_a.ipynb", "notebooks/02_b.ipynb", "notebooks/03_c.ipynb", "run.json"])
    assert set(state(checkout).values()) == {"old"}  # the committed files are untouched
    assert not list((checkout / "notebooks").glob("*/")) and not list(shell.glob("notebooks"))


def test_a_rerun_of_a_later_notebook_reads_the_committed_input(checkout, tmp_path):
    # fail=0 is 01_a's default: it does not change what 01_a writes, so 01_a need not run.
    output = finish(start(checkout, "--only", "03_c", "--set", "fail=0", "--out", str(tmp_path / "later")))
    assert "1 of 1 notebook ran" in output, output
    assert (tmp_path / "later" / PROCESSED / "a.csv").read_bytes() == OLD


def test_every_failing_notebook_is_reported_and_what_needs_them_is_not_run(checkout, tmp_path):
    output = finish(start(checkout, "--set", "fail=1", "--out", str(tmp_path / "failing")))
    assert re.search(r"FAILED 01_a.ipynb: cell \d+ failed with AssertionError: asked to fail", output), output
    assert re.search(r"FAILED 02_b.ipynb: cell \d+ failed with AssertionError", output), output
    assert "NOT RUN 03_c" in output and "0 of 3 notebooks ran" in output
    assert "before failing it replaced" not in output  # they failed before writing anything
    assert (tmp_path / "failing" / "partial" / "01_a.ipynb").exists()


def test_a_notebook_failing_after_its_saves_names_the_exhibits_it_replaced(checkout):
    """A failure after the figures are saved: the set of exhibits is mixed until the next run, and the
    runner names the new ones and how to restore the committed ones."""
    failing = checkout / "notebooks" / "02_b.ipynb"
    nb = nbformat.read(failing, as_version=4)
    nb.cells.append(new_code_cell('raise RuntimeError("late")'))
    nbformat.write(nb, failing)
    output = finish(start(checkout, "--only", "02_b"))
    assert re.search(r"FAILED 02_b.ipynb: cell \d+ failed with RuntimeError: late", output), output
    new = f"{FIGURES}/02_b.pdf {FIGURES}/02_b.png"
    assert (f"  before failing it replaced {new} (its other exhibits are as they were); "
            f"git checkout -- {new} restores the committed ones") in output, output
    found = state(checkout)  # the copy's outputs, written by this run: what it left is under test
    assert (found["02_b.png"], found["02_b.pdf"], found["02_b.ipynb"], found["01_a.png"]) == ("new", "new", "old", "old")


def test_kernels_import_the_helpers_of_the_checkout_that_runs_them(checkout, tmp_path):
    """Where .venv is another checkout's (its editable install points there, here to the repository),
    a process given the copy's kernel_environment imports the copy's helpers, wherever it starts."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    given = json.loads(subprocess.check_output(
        [sys.executable, "-c", "import json; from helpers import run; print(json.dumps(run.kernel_environment()))"],
        cwd=checkout, env=env, text=True))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    found = subprocess.check_output([sys.executable, "-c", "import helpers; print(helpers.__file__)"],
                                    cwd=elsewhere, env={**env, **given}, text=True)
    assert found.strip() == str(checkout / "helpers" / "__init__.py")
