"""pytest on one notebook, as a reader may run it, on the small copy of the project (tests/fake_project.py):
the notebooks nbval executes write under build/test/ of the checkout (helpers.pytest_plugin), emptied
first. The outputs read here are the copy's, written by the run under test."""
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from helpers import paths, pytest_plugin
from helpers.pytest_plugin import runs_notebooks
from helpers.run import BLAS
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


def run_config(folder: str, args: list[str], **more) -> SimpleNamespace:
    """What pytest_configure reads of a pytest run started in the repository's `folder` with `args`."""
    return SimpleNamespace(invocation_params=SimpleNamespace(dir=paths.ROOT / folder), args=args, **more)


@pytest.mark.parametrize("folder, args, expected", [("", ["notebooks", "tests"], True),  # make test (testpaths)
                                                    ("", ["."], True),
                                                    ("", ["notebooks/05_baseline.ipynb::Cell 3"], True),
                                                    ("", [str(paths.NOTEBOOKS / "05_baseline.ipynb")], True),
                                                    ("notebooks", ["05_baseline.ipynb"], True),
                                                    ("tests", ["../notebooks"], True),
                                                    ("", ["tests/test_run.py::test_x", "tests/test_models.py"], False),
                                                    ("tests", ["."], False)])
def test_only_a_run_that_collects_from_notebooks_empties_their_folder(folder, args, expected):
    """A run given only tests (as while make test runs) leaves make test's notebooks their outputs."""
    assert runs_notebooks(run_config(folder, args)) is expected


@pytest.mark.parametrize("config, emptied", [(run_config("", ["notebooks"]), True),
                                             (run_config("", ["notebooks"], workerinput={}), False),  # make test's workers
                                             (run_config("", ["tests"]), False)])
def test_the_main_process_alone_empties_the_folder_and_every_process_writes_there(config, emptied, tmp_path, monkeypatch):
    monkeypatch.setattr(pytest_plugin, "TEST", tmp_path / "test")
    monkeypatch.setenv(paths.OUT_VARIABLE, "elsewhere")  # restored afterwards
    (tmp_path / "test").mkdir()
    pytest_plugin.pytest_configure(config)
    assert (tmp_path / "test").exists() is not emptied
    assert os.environ[paths.OUT_VARIABLE] == str(tmp_path / "test")


PROBE = """import ctypes, os
import numpy
from helpers.run import BLAS


def test_blas():
    # numpy's OpenBLAS, asked which kernels it uses and with how many threads
    library, = (numpy.__path__[0] + "/../numpy.libs/" + name for name in os.listdir(numpy.__path__[0] + "/../numpy.libs")
                if name.startswith("libscipy_openblas"))
    blas = ctypes.CDLL(library)
    blas.scipy_openblas_get_corename64_.restype = ctypes.c_char_p
    assert blas.scipy_openblas_get_num_threads64_() == 1
    if "OPENBLAS_CORETYPE" in BLAS:
        assert blas.scipy_openblas_get_corename64_().decode().lower() == BLAS["OPENBLAS_CORETYPE"].lower()
"""


def test_a_pytest_run_without_the_makefile_computes_with_the_runners_blas(tmp_path):
    """pytest reads pyproject's warning filters before any plugin, and a filter naming a pandas category
    loads numpy, and with it OpenBLAS, before the plugin sets its variables."""
    (tmp_path / "test_probe.py").write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if k not in BLAS and k != "MAKEFLAGS"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-c", str(paths.ROOT / "pyproject.toml"),
                           "--rootdir", str(paths.ROOT), str(tmp_path / "test_probe.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
