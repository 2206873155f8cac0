"""What every pytest run needs, `make test` or `pytest notebooks/05_baseline.ipynb` alike; pytest loads
it first (pyproject: -p helpers.pytest_plugin), and with it the package, whose import-time settings then
apply to the other plugins (nbval reads notebooks)."""
import os
import shutil
from pathlib import Path

from . import paths
from .run import BLAS

TEST = paths.BUILD / "test"  # where the notebooks nbval executes write

# The BLAS of the runner's kernels, for the kernels nbval starts and for this process, whose numpy is
# not loaded yet (pyproject's warning filters name no category that would import it): the tests then
# compute to the last bit as the notebooks do, and the forensic grid's cache is keyed by what computed it.
os.environ.update(BLAS)


def runs_notebooks(config) -> bool:
    """Whether the paths the run collects from (its arguments, else testpaths) hold a notebook."""
    found = (Path(config.invocation_params.dir, arg).resolve() for arg in config.args)
    return any(path.is_relative_to(paths.NOTEBOOKS) or paths.NOTEBOOKS.is_relative_to(path) for path in found)


def pytest_configure(config):
    """The notebooks nbval executes write under TEST: never to the committed exhibits, nor to
    build/interactive/ as in JupyterLab (where 01_data would print its record's path). The main process
    (not make test's workers) empties TEST first when the paths it collects from hold notebooks, so that
    none reads an earlier run's outputs; a run given only files or folders of tests leaves it as it is."""
    if not hasattr(config, "workerinput") and runs_notebooks(config):
        shutil.rmtree(TEST, ignore_errors=True)
    os.environ[paths.OUT_VARIABLE] = str(TEST)
