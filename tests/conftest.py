import pytest

from helpers import paths

needs_sources = pytest.mark.skipif(
    not paths.SOURCES.exists(),
    reason=f"source workbooks not found at {paths.SOURCES} (they sit beside the repository in CI)",
)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    """Under pytest-xdist (make test: --dist loadgroup) the cells of one notebook stay together, in
    order, in one kernel; every other test may go to either process."""
    for item in items:
        if item.nodeid.split("::")[0].endswith(".ipynb"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
