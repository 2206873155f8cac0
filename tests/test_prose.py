"""Every number the notebooks' prose quotes is one a notebook shows or exports: a decimal with two or
more digits after the point, or a percentage with one, in a markdown cell (outside the exercises'
solutions, which quote reruns with other settings) must round from a number the notebook's stored
outputs or its own exports print (paths.CHAIN), or stand as printed in another notebook's export, the
codebook or a declaration of helpers/ it cites. The stored outputs are the thing under test here, as
the README's in tests/test_readme.py: the prose is typed by hand, so a rerun that changes a number it
quotes fails this test until the prose says the new one. A loose net: a number of two decimals often
rounds from some other number a notebook prints, so a change to one of them can pass; one of three
decimals rarely does."""
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import nbformat
import pytest

from helpers import paths
from helpers.run import notebooks

SOLUTIONS = re.compile(r"<details>.*?</details>", re.S)
QUOTED = re.compile(r"(?<![\w.])(\d+\.\d{2,})(?!\d)|(?<![\w.])(\d+\.\d)\s?%")
NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+")


def shown(nb) -> str:
    """The text of a notebook's stored outputs."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts += [output.get("data", {}).get(kind, "") for kind in ("text/plain", "text/html")]
    return "\n".join(parts)


def text_of(files) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def exported(patterns) -> list:
    """The CSV and markdown exports matching the patterns of paths.CHAIN."""
    return sorted(p for pattern in patterns for p in paths.ROOT.glob(pattern) if p.suffix in (".csv", ".md"))


def rounds_from(quoted: str, numbers: list[str]) -> bool:
    """Some number printed with at least as many decimals rounds to `quoted`, sign aside (half up or to even)."""
    places = len(quoted.split(".")[1])
    step, target = Decimal(1).scaleb(-places), Decimal(quoted)
    return any(abs(Decimal(x)).quantize(step, rounding) == target
               for x in numbers if len(x.split(".")[1]) >= places for rounding in (ROUND_HALF_UP, ROUND_HALF_EVEN))


def printed(quoted: str, text: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(quoted)}(?!\d)", text) is not None


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda path: path.stem)
def test_every_number_the_prose_quotes_is_one_a_notebook_shows_or_exports(notebook):
    nb = nbformat.read(notebook, as_version=4)
    near = NUMBER.findall(shown(nb) + text_of(exported(paths.CHAIN[notebook.stem][1])))
    far = text_of([*exported(["figures/*"]), paths.ROOT / "data" / "processed" / "CODEBOOK.csv",
                   *sorted((paths.ROOT / "helpers").rglob("*.py"))])
    missing = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for decimal, percent in QUOTED.findall(SOLUTIONS.sub("", cell.source)):
            forms = [decimal] if decimal else [percent, str(Decimal(percent) / 100)]
            if not any(rounds_from(form, near) or printed(form, far) for form in forms):
                missing.append(f"cell {i}: {decimal or percent + ' %'}")
    assert not missing, f"{notebook.name} quotes numbers it neither shows nor exports: {'; '.join(missing)}"
