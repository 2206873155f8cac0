"""`make verify`: rerun every notebook into build/verify/ and compare what it wrote with the committed
exhibits (as at HEAD: a `make reproduce` that rewrote the working tree does not change them), one line
per exhibit: identical (same bytes), within tolerance, or different.

- Numbers (CSV, Markdown and LaTeX tables, data/processed): equal within |a - b| <= ATOL + RTOL |b|
  (numpy.isclose); the text around them must be the same.
- Figures: the PNG pixels; within tolerance when the root-mean-square difference is at most
  RMS_TOLERANCE (0-255 scale). A PDF must be a complete PDF file, and is judged by the PNG drawn from
  the same figure (a number drawn at config.FIGURE_DIGITS may move a PDF's coordinates and no pixel).
- A file that cannot be read (not a PNG, not UTF-8 text) is different.
Exits non-zero only when an exhibit is different or missing.

    python -m helpers.verify                     # rerun into build/verify, then compare
    python -m helpers.verify --kernels Prescott  # the same as an older CPU computes (run.OTHER_KERNELS)
    python -m helpers.verify --no-run DIR        # compare DIR (a finished rerun) with the repository
"""
import argparse
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from . import paths, run

RTOL, ATOL = 1e-8, 1e-12
RMS_TOLERANCE = 1.0
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
PDF = re.compile(rb"%PDF-.*%%EOF\s*", re.S)  # a PDF file from its header to its end-of-file marker
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
            if not PDF.fullmatch(new[suffix]):
                return "different", "not a complete PDF file"
            if ".png" not in new:
                return "different", "PDF bytes differ and there is no PNG to compare"
            notes.append("PDF bytes differ (judged by the PNG)")
            continue
        judge = figure_agree if suffix == ".png" else text_agree
        try:
            agree, size = judge(new[suffix], old[suffix])
        except (ValueError, SyntaxError, OSError) as error:  # not a PNG, not UTF-8 text
            return "different", f"{suffix[1:]}: cannot be read ({type(error).__name__}: {error})"
        what = "pixel RMS" if suffix == ".png" else "largest relative difference"
        unequal = "image size differs" if suffix == ".png" else "text around the numbers differs"
        notes.append(f"{suffix[1:]}: " + (unequal if size == float("inf") else f"{what} {size:.2g}"))
        if not agree:
            verdict = "different"
    return verdict, "; ".join(notes)


def written(root: Path) -> dict[str, bytes]:
    """The files a run writes under `root` (FOLDERS, not their subfolders), by path relative to it."""
    return {f"{folder}/{path.name}": path.read_bytes()
            for folder in FOLDERS for path in sorted((root / folder).glob("[!.]*")) if path.is_file()}


def committed(root: Path) -> tuple[dict[str, bytes], str]:
    """The files under FOLDERS as committed at HEAD of the checkout `root` (what `make reproduce` may
    have rewritten in the working tree), and where they come from; outside a git checkout (an
    archive), the files as they are, said so."""
    git = ["git", "-C", str(root)]
    try:
        top = subprocess.run([*git, "rev-parse", "--show-toplevel", "--short", "HEAD"], capture_output=True, text=True, check=True)
        if Path(top.stdout.split()[0]).resolve() != root.resolve():
            raise ValueError(f"{root} is inside another repository")
        names = subprocess.run([*git, "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", *FOLDERS],
                               capture_output=True, check=True).stdout.decode().split("\0")
        names = [name for name in names if name and Path(name).parent.as_posix() in FOLDERS
                 and not Path(name).name.startswith(".")]  # as written() finds them
        batch = subprocess.run([*git, "cat-file", "--batch"], input="".join(f"HEAD:{name}\n" for name in names).encode(),
                               capture_output=True, check=True).stdout
    except (OSError, ValueError, subprocess.CalledProcessError) as problem:
        reason = problem.stderr.strip() if isinstance(problem, subprocess.CalledProcessError) else str(problem)
        return written(root), f"the files in {root} (no commit to compare with: {reason or 'git failed'})"
    files, at = {}, 0
    for name in names:  # each blob: "<sha> blob <size>\n<content>\n"
        header_end = batch.index(b"\n", at)
        size = int(batch[at:header_end].split()[2])
        files[name] = batch[header_end + 1:header_end + 1 + size]
        at = header_end + 1 + size + 1
    return files, f"the exhibits committed at {top.stdout.split()[1]}"


def exhibits(files: dict[str, bytes]) -> dict[str, dict[str, bytes]]:
    """Files by path grouped by exhibit (folder and stem), each a dict of its files by suffix."""
    found = {}
    for name, data in files.items():
        path = Path(name)
        found.setdefault(f"{path.parent.as_posix()}/{path.stem}", {})[path.suffix] = data
    return found


def caveats(rerun: Path) -> list[str]:
    """What the rerun's record (its run.json, if any) says that explains differences: a run that did not
    finish, one with settings other than the defaults (run.changed), or with other OpenBLAS kernels than
    the runner's (run.BLAS)."""
    try:
        found = json.loads((rerun / "run.json").read_text(encoding="utf-8"))
        finished, settings = found.get("finished", True), run.changed(found.get("settings") or {})
        kernels = (found.get("blas") or {}).get("OPENBLAS_CORETYPE")
    except (OSError, ValueError, AttributeError, TypeError):
        return []
    return ([f"note: {rerun}/run.json records a run that did not finish (notebooks completed: "
             f"{', '.join(found.get('notebooks_completed') or []) or 'none'})"] if finished is not True else []) + \
           ([f"note: {rerun}/run.json records settings other than the defaults: {settings}"] if settings else []) + \
           ([f"note: {rerun}/run.json records OpenBLAS's {kernels} kernels, whose last digits may differ"]
            if "blas" in found and kernels != run.BLAS.get("OPENBLAS_CORETYPE") else [])


def report(rerun: Path) -> int:
    """Print the verdict per exhibit and a summary; returns the number of exhibits that differ."""
    files, source = committed(paths.ROOT)
    new, old = exhibits(written(rerun)), exhibits(files)
    counts = {"identical": 0, "within tolerance": 0, "different": 0}
    print(f"replication report: {rerun} against {source} "
          f"(numbers: rtol {RTOL:g}, atol {ATOL:g}; figures: pixel RMS <= {RMS_TOLERANCE:g} of 255)")
    for caveat in caveats(rerun):
        print(caveat)
    for exhibit in sorted(set(new) | set(old)):
        verdict, note = compare(exhibit, new.get(exhibit, {}), old.get(exhibit, {}))
        counts[verdict] += 1
        print(f"  {verdict.upper() if verdict == 'different' else verdict:17s} {exhibit}" + (f"  ({note})" if note else ""))
    print(", ".join(f"{n} {verdict}" for verdict, n in counts.items()))
    return counts["different"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-run", action="store_true", help="compare a finished rerun without running")
    parser.add_argument("--kernels", choices=run.OTHER_KERNELS,
                        help="rerun with OpenBLAS's kernels of an older CPU, as that machine would (into build/verify-<kernels>)")
    parser.add_argument("folder", nargs="?", type=Path, help="the rerun's folder (default build/verify, or build/verify-<kernels>)")
    args = parser.parse_args(argv)
    folder = args.folder or paths.BUILD / ("verify" + (f"-{args.kernels}" if args.kernels else ""))
    if args.no_run and not folder.is_dir():
        raise SystemExit(f"{folder}: no such folder; --no-run compares a finished rerun's folder")
    if not args.no_run:
        try:
            run.main(["--out", str(folder), *(["--kernels", args.kernels] if args.kernels else [])])
        except SystemExit as stop:
            if stop.code not in (0, None, 1):  # 1: notebooks failed; their exhibits are reported below
                raise
    sys.exit(1 if report(folder.resolve()) else 0)


if __name__ == "__main__":
    main()
