"""pytest as a reader may run it, on one notebook or a few tests, on the small copy of the project
(tests/fake_project.py): the notebooks nbval executes write under build/test/ of the checkout
(helpers.pytest_plugin), emptied first only if a notebook will run. The outputs read here are the
copy's, written by the run under test."""
import os
import subprocess
import sys
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from helpers import paths, pytest_plugin
from helpers.run import BLAS
from tests.fake_project import FIGURES, checkout, state  # noqa: F401 (checkout: a fixture)


@pytest.mark.parametrize("args, emptied", [(["notebooks/03_c.ipynb"], True),
                                           (["-n", "2", "notebooks/03_c.ipynb"], True),  # as make test runs
                                           (["-k", "test_unit", "test_unit.py", "notebooks/03_c.ipynb"], False)])
def test_pytest_writes_under_build_test_emptied_only_if_a_notebook_runs(checkout, args, emptied):
    (checkout / "pytest.ini").write_text("[pytest]\naddopts = -p helpers.pytest_plugin --dist loadfile --nbval-lax "
                                         "-p no:cacheprovider\n")
    (checkout / "test_unit.py").write_text("def test_unit():\n    pass\n")
    stale = checkout / "build" / "test" / FIGURES / "stale.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"from an earlier run")
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    env.pop(paths.OUT_VARIABLE, None)
    done = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted(p.name for p in (checkout / "build" / "test" / FIGURES).iterdir())
    assert written == (["03_c.pdf", "03_c.png"] if emptied else ["stale.png"])
    assert set(state(checkout).values()) == {"old"}  # the committed files are untouched
    assert not (checkout / "build" / "interactive").exists()


def test_pytest_from_the_notebooks_folder_finds_the_sanitiser_given_from_the_root(checkout):
    """pyproject names tests/nbval_sanitize.cfg relative to the root; nbval opens it from the working directory."""
    (checkout / "pytest.ini").write_text("[pytest]\naddopts = -p helpers.pytest_plugin --nbval-lax -p no:cacheprovider "
                                         "--nbval-sanitize-with=sanitise.cfg\n")
    (checkout / "sanitise.cfg").write_text("[path]\nregex: /\\S+\nreplace: PATH\n")
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-m", "pytest", "03_c.ipynb"], cwd=checkout / "notebooks", env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_nbval_s_kernels_listen_on_unix_sockets_as_the_runner_s_do(checkout):
    """nbval compares the cell's stored output, ipc, with the kernel's own transport (tcp without the plugin)."""
    cell = new_code_cell("from ipykernel.connect import get_connection_info\n"
                         "print(get_connection_info(unpack=True)['transport'])", execution_count=1,
                         outputs=[new_output("stream", name="stdout", text="ipc\n")])
    nbformat.write(new_notebook(cells=[cell], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                       "language": "python"}}), checkout / "transport.ipynb")
    (checkout / "pytest.ini").write_text("[pytest]\naddopts = -p helpers.pytest_plugin --nbval -p no:cacheprovider\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "transport.ipynb"], cwd=checkout,
                          env={**os.environ, "PYTHONPATH": str(checkout)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def a_run(collectonly=False) -> SimpleNamespace:
    """What the plugin reads of a pytest run's configuration."""
    return SimpleNamespace(stash=pytest.Stash(), option=SimpleNamespace(collectonly=collectonly))


@pytest.mark.parametrize("ids, config, emptied", [(["tests/test_run.py::test_x", "notebooks/05_baseline.ipynb::Cell 3"], a_run(), True),
                                                  (["tests/test_run.py::test_x", "tests/test_notebook.py::test_y"], a_run(), False),
                                                  (["notebooks/05_baseline.ipynb::Cell 3"], a_run(collectonly=True), False)])
def test_the_folder_is_emptied_if_a_notebook_will_run(ids, config, emptied, tmp_path, monkeypatch):
    monkeypatch.setattr(pytest_plugin, "TEST", tmp_path / "test")
    (tmp_path / "test").mkdir()
    pytest_plugin.empty_before_notebooks(config, ids)
    assert (tmp_path / "test").exists() is not emptied


def test_the_folder_is_emptied_once_per_run_and_never_by_a_worker(tmp_path, monkeypatch):
    """xdist restarts a crashed worker, which reports its collection again while the others run."""
    monkeypatch.setattr(pytest_plugin, "TEST", tmp_path / "test")
    config, ids = a_run(), ["notebooks/05_baseline.ipynb::Cell 3"]
    pytest_plugin.pytest_xdist_node_collection_finished(SimpleNamespace(config=config), ids)
    (tmp_path / "test").mkdir()  # the notebooks start writing
    pytest_plugin.pytest_xdist_node_collection_finished(SimpleNamespace(config=config), ids)
    worker = SimpleNamespace(config=SimpleNamespace(workerinput={}, **vars(a_run())),
                             items=[SimpleNamespace(nodeid=ids[0])])
    pytest_plugin.pytest_collection_finish(worker)
    assert (tmp_path / "test").exists()


PROBE = """from helpers.environment import openblas, openblas_kernels
from helpers.run import BLAS


def test_blas():
    # numpy's OpenBLAS, asked which kernels it uses and with how many threads
    assert openblas().scipy_openblas_get_num_threads64_() == 1
    if "OPENBLAS_CORETYPE" in BLAS:
        assert openblas_kernels().lower() == BLAS["OPENBLAS_CORETYPE"].lower()
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
