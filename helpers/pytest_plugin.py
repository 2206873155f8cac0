"""What every pytest run needs, `make test` or `pytest notebooks/05_baseline.ipynb` alike; pytest loads
it first (pyproject: -p helpers.pytest_plugin), and with it the package, whose import-time settings then
apply to the other plugins (nbval reads notebooks)."""
import os
import shutil

import pytest

from . import paths
from .run import kernel_environment, socket_kernels

TEST = paths.TEST  # where the notebooks nbval executes write
EMPTIED = pytest.StashKey[bool]()

# The BLAS of the runner's kernels, for the kernels nbval starts and for this process, whose numpy is
# not loaded yet (pyproject's warning filters name no category that would import it): the tests then
# compute to the last bit as the notebooks do, and the forensic grid's cache is keyed by what computed it.
# With them, as for the runner's kernels, this checkout first on PYTHONPATH.
os.environ.update(kernel_environment())


def pytest_configure(config):
    """The notebooks nbval executes write under TEST: never to the committed exhibits, nor to
    build/interactive/ as in JupyterLab (where 01_data would print its record's path); its kernels
    listen on Unix sockets, not TCP ports (run.socket_kernels says why). nbval's
    sanitiser (pyproject: --nbval-sanitize-with, relative to the working directory) is also looked for
    from the repository root, so that pytest run from notebooks/ finds it."""
    os.environ[paths.OUT_VARIABLE] = str(TEST)
    import nbval.kernel  # starts its kernels with the KernelManager it names: on Unix sockets, as the runner's
    nbval.kernel.KernelManager = socket_kernels(nbval.kernel.KernelManager)
    sanitiser = getattr(config.option, "nbval_sanitize_with", None)
    if sanitiser and not os.path.exists(sanitiser) and (config.rootpath / sanitiser).exists():
        config.option.nbval_sanitize_with = str(config.rootpath / sanitiser)


def pytest_collection_finish(session):
    """A run in one process knows here what it will run (make test's workers leave it to the main process)."""
    if not hasattr(session.config, "workerinput"):
        empty_before_notebooks(session.config, [item.nodeid for item in session.items])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    """With -n, the main process learns what will run from each worker before any test starts."""
    empty_before_notebooks(node.config, ids)


def empty_before_notebooks(config, ids) -> None:
    """Empty TEST once per run, before the first test, if a notebook is among the tests that will run
    (`ids`, after -k and the like), so that none reads an earlier run's outputs; a run without notebooks,
    such as one of unit tests while make test runs, or --collect-only, leaves it as it is."""
    if config.stash.get(EMPTIED, False) or config.option.collectonly:
        return
    if any(nodeid.partition("::")[0].endswith(".ipynb") for nodeid in ids):
        shutil.rmtree(TEST, ignore_errors=True)
        config.stash[EMPTIED] = True
