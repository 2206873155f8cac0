import os
import platform
import shutil

import pandas as pd
import pytest

from helpers import paths, run

# In CI (CI=true) the sources sit beside the repository: there a test that needs them runs, and fails
# if they are missing, rather than skip.
needs_sources = pytest.mark.skipif(
    not paths.SOURCES.exists() and not os.environ.get("CI"),
    reason=f"source workbooks not found at {paths.SOURCES} (they sit beside the repository in CI)",
)
# OpenBLAS's x86 kernels (run.OTHER_KERNELS) run only on an x86-64 CPU.
needs_x86 = pytest.mark.skipif(platform.machine() != "x86_64", reason="OpenBLAS's x86 kernels (run.OTHER_KERNELS) need an x86-64 CPU")

# make test hands whole files to two processes in the order collected; these, the longest (pytest
# --durations), go first, so that no long file is left to run while the other process waits.
LONGEST_FIRST = ("tests/test_run_interrupted.py", "tests/test_book.py", "notebooks/11_multiverse.ipynb",
                 "tests/test_multiverse.py", "tests/test_run_chain.py")


def pytest_collection_modifyitems(items):
    """The files of LONGEST_FIRST first, in that order; the others after them as collected."""
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def pytest_terminal_summary(terminalreporter):
    """One line per reason for the skipped tests, with their count (pyproject's -rfE leaves out the
    per-test lines: without ../shared every test that compares with the sources is skipped)."""
    reasons = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = (report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)).removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in reasons.items():
        terminalreporter.write_line(f"{count} skipped: {reason}")


def beside(extract: pd.Series, copy: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """An extract's values (by province and year) and a second copy of them (a tidy frame) on their
    common province-years, and the absolute gap between the two."""
    both = pd.concat([extract, copy.set_index(["province", "year"])["value"]], axis=1,
                     keys=["extract", "copy"], join="inner")
    return both, (both["extract"] - both["copy"]).abs()


def _state():
    """Size and modification time of every file in the data, figures and notebooks folders of the repository."""
    return {p: (p.stat().st_size, p.stat().st_mtime_ns)
            for top in (paths.DATA, paths.FIGURES, paths.NOTEBOOKS) for p in sorted(top.rglob("*")) if p.is_file()}


@pytest.fixture
def repo_unchanged():
    """Fails the test if it created, removed or touched a file in the data, figures or notebooks folders;
    if a run (make reproduce) holds the checkout meanwhile, the run is named instead of the test."""
    before = _state()
    yield
    after = _state()
    changed = sorted(str(p) for p in set(before) | set(after) if before.get(p) != after.get(p))
    if changed and (running := run.holder()):
        pytest.fail(f"a run is using this checkout ({running}) and rewrote files during this test: {changed}; "
                    f"run the tests when it has finished")
    assert not changed, f"the test changed files of the repository: {changed}"


@pytest.fixture
def raw(tmp_path):
    """A copy of data/raw to break."""
    shutil.copytree(paths.RAW, tmp_path / "raw")
    return tmp_path / "raw"


@pytest.fixture(scope="session")
def built():
    """What notebook 02 builds from the shipped extracts (data/raw): the panel, the index weights and
    the rest of panel.Built; built once per test process, so tests derive from it and never modify it."""
    from helpers import panel
    return panel.build()


@pytest.fixture(scope="session")
def analysis_panel(built):
    """The analysis panel as notebook 02 builds it, but independent of what the last run wrote;
    indexed (province, year)."""
    return built.panel.set_index(["province", "year"])
