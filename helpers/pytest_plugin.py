"""What every pytest run needs, `make test` or `pytest notebooks/05_baseline.ipynb` alike; pytest loads
it first (pyproject: -p helpers.pytest_plugin), and with it the package, whose import-time settings then
apply to the other plugins (nbval reads notebooks)."""
import os
import shutil
from pathlib import Path

from . import paths
from .run import BLAS

TEST = paths.BUILD / "test"  # where the notebooks nbval executes write

# The BLAS of the runner's kernels, for the kernels nbval starts and for this process: set before any
# plugin loads numpy, so that the tests compute to the last bit as the notebooks do.
os.environ.update(BLAS)


def runs_notebooks(config) -> bool:
    """Whether the paths the run collects from (its arguments, else testpaths) hold a notebook."""
    found = (Path(config.invocation_params.dir, arg.split("::")[0]).resolve() for arg in config.args)
    return any(path == paths.NOTEBOOKS or paths.NOTEBOOKS in path.parents or path in paths.NOTEBOOKS.parents
               for path in found)


def pytest_configure(config):
    """The notebooks nbval executes write under TEST: never to the committed exhibits, nor to
    build/interactive/ as in JupyterLab, whose record a notebook would print in place of its stored
    output. The main process (not make test's workers) empties TEST first when notebooks run, so that
    none reads an earlier run's outputs; a run of unit tests alone leaves it as it is."""
    if not hasattr(config, "workerinput") and runs_notebooks(config):
        shutil.rmtree(TEST, ignore_errors=True)
    os.environ[paths.OUT_VARIABLE] = str(TEST)
