"""What every pytest run needs, `make test` or `pytest notebooks/05_baseline.ipynb` alike; pytest loads
it first (pyproject: -p helpers.pytest_plugin), and with it the package, whose import-time settings then
apply to the other plugins (nbval reads notebooks)."""
import os
import shutil

from . import paths
from .run import BLAS

TEST = paths.BUILD / "test"  # where the notebooks nbval executes write

# The BLAS of the runner's kernels, for the kernels nbval starts and for this process: set before any
# plugin loads numpy, so that the tests compute to the last bit as the notebooks do.
os.environ.update(BLAS)


def pytest_configure(config):
    """The notebooks nbval executes write under TEST, emptied once per run by the main process (not by
    make test's workers): never to the committed exhibits, nor to build/interactive/ as in JupyterLab,
    whose record a notebook would print in place of its stored output."""
    if not hasattr(config, "workerinput"):
        shutil.rmtree(TEST, ignore_errors=True)
    os.environ[paths.OUT_VARIABLE] = str(TEST)
