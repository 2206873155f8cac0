import pytest

from helpers import paths

needs_sources = pytest.mark.skipif(
    not paths.SOURCES.exists(),
    reason=f"source workbooks not found at {paths.SOURCES} (they sit beside the repository in CI)",
)


@pytest.fixture(scope="session")
def analysis_panel():
    """The analysis panel built from the shipped extracts (data/raw), as notebook 02 builds it, but
    independent of what the last run wrote; indexed (province, year)."""
    from helpers import panel
    return panel.build()["panel"].set_index(["province", "year"])
