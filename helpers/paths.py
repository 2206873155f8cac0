"""Every path the compendium uses, resolved from the package, never from the working directory."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RAW = DATA / "raw"
MANIFEST = RAW / "MANIFEST.csv"
PAPER = DATA / "paper"
CHECKS = DATA / "checks"
PROCESSED = DATA / "processed"
FIGURES = ROOT / "figures"
NOTEBOOKS = ROOT / "notebooks"

# The third-party source workbooks sit beside the repository, never inside it.
SOURCES = Path(os.environ.get("COMPENDIUM_SOURCES", ROOT.parent / "shared" / "sources")).resolve()


def figures(out: str = "") -> Path:
    """Where exhibits go: figures/ of the repository, or <out>/figures for a rerun elsewhere."""
    return Path(out) / "figures" if out else FIGURES


def processed(out: str = "") -> Path:
    """Where generated data go: data/processed/, or <out>/data/processed for a rerun elsewhere."""
    return Path(out) / "data" / "processed" if out else PROCESSED
