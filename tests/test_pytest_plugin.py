"""pytest on one notebook, as a reader may run it, on the small copy of the project (tests/fake_project.py):
the notebooks nbval executes write under build/test/ of the checkout (helpers.pytest_plugin), emptied
first. The outputs read here are the copy's, written by the run under test."""
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from helpers import paths
from helpers.pytest_plugin import runs_notebooks
from tests.fake_project import FIGURES, checkout, state  # noqa: F401 (checkout: a fixture)


def test_pytest_on_one_notebook_writes_under_build_test_and_empties_it_first(checkout):
    (checkout / "pytest.ini").write_text("[pytest]\naddopts = -p helpers.pytest_plugin --nbval-lax -p no:cacheprovider\n")
    stale = checkout / "build" / "test" / FIGURES / "stale.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"from an earlier run")
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    env.pop(paths.OUT_VARIABLE, None)
    done = subprocess.run([sys.executable, "-m", "pytest", "notebooks/03_c.ipynb"], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    test = checkout / "build" / "test"
    assert sorted(p.name for p in (test / FIGURES).iterdir()) == ["03_c.pdf", "03_c.png"]
    assert set(state(checkout).values()) == {"old"}  # the committed files are untouched
    assert not (checkout / "build" / "interactive").exists()


@pytest.mark.parametrize("folder, args, expected", [("", ["notebooks", "tests"], True),  # make test (testpaths)
                                                    ("", ["."], True),
                                                    ("", ["notebooks/05_baseline.ipynb::Cell 3"], True),
                                                    ("notebooks", ["05_baseline.ipynb"], True),
                                                    ("", ["tests/test_run.py::test_x", "tests/test_models.py"], False),
                                                    ("tests", ["."], False)])
def test_only_a_run_that_collects_notebooks_empties_their_folder(folder, args, expected):
    """A run of unit tests alone (as while make test runs) leaves make test's notebooks their outputs."""
    config = SimpleNamespace(invocation_params=SimpleNamespace(dir=paths.ROOT / folder), args=args)
    assert runs_notebooks(config) is expected
