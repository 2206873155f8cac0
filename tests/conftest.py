import pytest

from helpers import paths

needs_sources = pytest.mark.skipif(
    not paths.SOURCES.exists(),
    reason=f"source workbooks not found at {paths.SOURCES} (they sit beside the repository in CI)",
)

