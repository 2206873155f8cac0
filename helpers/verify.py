"""`make verify`: rerun every notebook into build/verify/ and compare what it wrote with the committed
exhibits, one line per exhibit: identical (same bytes), within tolerance, or different.

- Numbers (CSV, Markdown and LaTeX tables, data/processed): equal within |a - b| <= ATOL + RTOL |b|
  (numpy.isclose); the text around them must be the same.
- Figures: the PNG pixels; within tolerance when the root-mean-square difference is at most
  RMS_TOLERANCE (0-255 scale). A PDF is judged by the PNG drawn from the same figure.
Exits non-zero only when an exhibit is different or missing.

    python -m helpers.verify                 # rerun into build/verify, then compare
    python -m helpers.verify --no-run DIR    # compare DIR (a finished rerun) with the repository
"""
import argparse
import io
import re
import sys
from pathlib import Path

import numpy as np

from . import paths, run

RTOL, ATOL = 1e-8, 1e-12
RMS_TOLERANCE = 1.0
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
FOLDERS = ("figures", "data/processed")


def numbers_agree(a: str, b: str) -> tuple[bool, float]:
    """Two texts that differ at most in their numbers, each within tolerance; returns whether they
    agree and the largest relative difference found."""
    if NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return False, float("inf")
    x = np.array([float(v) for v in NUMBER.findall(a)])
    y = np.array([float(v) for v in NUMBER.findall(b)])
    if len(x) == 0:
        return True, 0.0
    largest = float(np.max(np.abs(x - y) / np.maximum(np.abs(y), ATOL)))
    return bool(np.all(np.isclose(x, y, rtol=RTOL, atol=ATOL))), largest


def text_agree(new: bytes, old: bytes) -> tuple[bool, float]:
    """CSV, Markdown, LaTeX and other text, number by number (a row or a column more changes the text
    around the numbers: a difference)."""
    return numbers_agree(new.decode("utf-8"), old.decode("utf-8"))


def pixels(data: bytes) -> np.ndarray:
    """A PNG's pixels on the 0-255 scale."""
    import matplotlib.image
    return matplotlib.image.imread(io.BytesIO(data), format="png") * 255.0


def figure_agree(new: bytes, old: bytes) -> tuple[bool, float]:
    """Two PNGs of the same size whose pixels differ by at most RMS_TOLERANCE (root mean square)."""
    a, b = pixels(new), pixels(old)
    if a.shape != b.shape:
        return False, float("inf")
    rms = float(np.sqrt(np.mean((a - b) ** 2)))
    return rms <= RMS_TOLERANCE, rms


def compare(exhibit: str, new: dict[str, bytes], old: dict[str, bytes]) -> tuple[str, str]:
    """The verdict on one exhibit (its files by suffix, rerun and committed) and a note."""
    if set(new) != set(old):
        missing = sorted(set(old) - set(new))
        extra = sorted(set(new) - set(old))
        return "different", (f"not written: {', '.join(missing)} " if missing else "") + \
                            (f"not committed: {', '.join(extra)}" if extra else "")
    if all(new[s] == old[s] for s in new):
        return "identical", ""
    notes, verdict = [], "within tolerance"
    for suffix in sorted(s for s in new if new[s] != old[s]):
        if suffix == ".pdf":
            if ".png" not in new:
                return "different", "PDF bytes differ and there is no PNG to compare"
            notes.append("PDF bytes differ (judged by the PNG)")
            continue
        judge = figure_agree if suffix == ".png" else text_agree
        agree, size = judge(new[suffix], old[suffix])
        what = "pixel RMS" if suffix == ".png" else "largest relative difference"
        notes.append(f"{suffix[1:]}: " + ("text or size differs" if size == float("inf") else f"{what} {size:.2g}"))
        if not agree:
            verdict = "different"
    return verdict, "; ".join(notes)


def exhibits(root: Path) -> dict[str, dict[str, bytes]]:
    """The files a run writes under `root`, grouped by exhibit (folder and stem)."""
    found = {}
    for folder in FOLDERS:
        for path in sorted((root / folder).glob("[!.]*")):
            if path.is_file():
                found.setdefault(f"{folder}/{path.stem}", {})[path.suffix] = path.read_bytes()
    return found


def report(rerun: Path) -> int:
    """Print the verdict per exhibit and a summary; returns the number of exhibits that differ."""
    new, old = exhibits(rerun), exhibits(paths.ROOT)
    counts = {"identical": 0, "within tolerance": 0, "different": 0}
    print(f"replication report: {rerun} against the committed exhibits "
          f"(numbers: rtol {RTOL:g}, atol {ATOL:g}; figures: pixel RMS <= {RMS_TOLERANCE:g} of 255)")
    for exhibit in sorted(set(new) | set(old)):
        verdict, note = compare(exhibit, new.get(exhibit, {}), old.get(exhibit, {}))
        counts[verdict] += 1
        print(f"  {verdict.upper() if verdict == 'different' else verdict:17s} {exhibit}" + (f"  ({note})" if note else ""))
    print(", ".join(f"{n} {verdict}" for verdict, n in counts.items()))
    return counts["different"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-run", action="store_true", help="compare a finished rerun without running")
    parser.add_argument("folder", nargs="?", type=Path, default=paths.BUILD / "verify")
    args = parser.parse_args(argv)
    if not args.no_run:
        try:
            run.main(["--out", str(args.folder)])
        except SystemExit as stop:
            if stop.code not in (0, None, 1):  # 1: notebooks failed; their exhibits are reported below
                raise
    sys.exit(1 if report(args.folder.resolve()) else 0)


if __name__ == "__main__":
    main()
