"""A small copy of the project in a temporary folder, for running the runner as a user would from a
shell: three notebooks (the first two at once, the third reading what the first writes), committed
outputs marked 'old'."""
import os
import re
import shutil
import signal
import subprocess
import sys

import matplotlib.image
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers import paths

FIGURES, PROCESSED = "figures", "data" + "/processed"  # the copy's own folders, as in the project
CHAIN = f'''CHAIN = {{
    "01_a": ((), ("{FIGURES}/01_*", "{PROCESSED}/a.csv")),
    "02_b": ((), ("{FIGURES}/02_*",)),
    "03_c": (("{PROCESSED}/a.csv",), ("{FIGURES}/03_*",)),
}}
'''
SETUP = """assert not fail, "asked to fail"  # before the imports: a failing notebook fails at once
import time
import matplotlib.pyplot as plt
from helpers import paths, plots
from helpers.files import atomic_write
root = paths.output(out)
fig, ax = plt.subplots(figsize=(4, 3))
ax.plot(range(5000))
"""
SAVES = """for i in range(2):  # more than one save, so that an interruption can fall inside one
    plots.save(fig, NAME, root / "figures")
    time.sleep(0.1)
"""
OUTPUTS = [f"{FIGURES}/{stem}.{ext}" for stem in ("01_a", "02_b", "03_c") for ext in ("pdf", "png")] + [f"{PROCESSED}/a.csv"]
OLD = b"old\n"
NEW_CSV = b"a,new\n" * 1000


def fake_notebook(path, *sources):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    parameters = new_code_cell('out = ""\nfail = 0')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(new_code_cell(s) for s in sources)]
    nbformat.write(nb, path)


@pytest.fixture
def checkout(tmp_path):
    """A copy of helpers/ with CHAIN replaced, three notebooks, and committed outputs marked 'old'."""
    root = tmp_path / "project"
    shutil.copytree(paths.ROOT / "helpers", root / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    source = (root / "helpers" / "paths.py").read_text()
    (root / "helpers" / "paths.py").write_text(re.sub(r"CHAIN = \{.*?\n\}\n", lambda m: CHAIN, source, flags=re.S))
    (root / "notebooks").mkdir()
    fake_notebook(root / "notebooks" / "01_a.ipynb", SETUP, SAVES.replace("NAME", '"01_a"'),
                  '(root / "data" / "processed").mkdir(parents=True, exist_ok=True)\n'
                  'atomic_write(root / "data" / "processed" / "a.csv", b"a,new\\n" * 1000)')
    fake_notebook(root / "notebooks" / "02_b.ipynb", SETUP, SAVES.replace("NAME", '"02_b"'))
    fake_notebook(root / "notebooks" / "03_c.ipynb", SETUP, 'text = (root / "data" / "processed" / "a.csv").read_text()',
                  SAVES.replace("NAME", '"03_c"'))
    for name in OUTPUTS:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(OLD)
    return root


def start(root, *args, cwd=None):
    """python -m helpers.run in its own process group, importing the copy's helpers (the kernels too),
    with Ctrl-C's default handling (interruptible)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop(paths.OUT_VARIABLE, None)
    return subprocess.Popen([sys.executable, "-m", "helpers.run", *args], cwd=cwd or root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            preexec_fn=interruptible)


def interruptible() -> None:
    """Restore SIGINT's default in a child before it starts Python, which then turns it into
    KeyboardInterrupt: a shell that starts the tests in the background (`make test &`) ignores SIGINT,
    and its children inherit that, so a test of Ctrl-C would otherwise interrupt nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def finish(process, timeout=120) -> str:
    output, _ = process.communicate(timeout=timeout)
    return output


def state(root) -> dict:
    """Every output file of the copy: 'old', 'new' (complete) or 'broken'."""
    found = {}
    for folder in (FIGURES, PROCESSED, "notebooks"):
        for path in sorted((root / folder).glob("[!.]*")):
            data = path.read_bytes()
            if path.suffix == ".ipynb":
                nb = nbformat.reads(data.decode(), as_version=4)  # raises if half-written
                found[path.name] = "new" if any(c.get("outputs") or c.get("execution_count") for c in nb.cells) else "old"
            elif data == OLD:
                found[path.name] = "old"
            elif path.suffix == ".png":
                found[path.name] = "new" if matplotlib.image.imread(path).shape[0] > 100 else "broken"
            elif path.suffix == ".pdf":
                found[path.name] = "new" if data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF") else "broken"
            else:
                found[path.name] = "new" if data == NEW_CSV else "broken"
    return found


