"""The runner end to end, as a user runs it from a shell, on a small copy of the project in a temporary
folder: three notebooks (the first two at once, the third reading what the first writes). Where the
files land with a relative --out, what an interrupted run leaves, every failure reported."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import matplotlib.image
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers import paths

CHAIN = '''CHAIN = {
    "01_a": ((), ("figures/01_*", "data/processed/a.csv")),
    "02_b": ((), ("figures/02_*",)),
    "03_c": (("data/processed/a.csv",), ("figures/03_*",)),
}
'''
SETUP = """import time
import matplotlib.pyplot as plt
from helpers import paths, plots
from helpers.sources import atomic_write
root = paths.output(out)
assert not fail, "asked to fail"
fig, ax = plt.subplots(figsize=(4, 3))
ax.plot(range(5000))
"""
SAVES = """for i in range(2):  # more than one save, so that an interruption can fall inside one
    plots.save(fig, NAME, root / "figures")
    time.sleep(0.1)
"""
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
    for name in ["figures/01_a.png", "figures/01_a.pdf", "figures/02_b.png", "figures/02_b.pdf",
                 "figures/03_c.png", "figures/03_c.pdf", "data/processed/a.csv"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(OLD)
    return root


def start(root, *args, cwd=None):
    """python -m helpers.run in its own process group, importing the copy's helpers (the kernels too)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop(paths.OUT_VARIABLE, None)
    return subprocess.Popen([sys.executable, "-m", "helpers.run", *args], cwd=cwd or root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def finish(process, timeout=120) -> str:
    output, _ = process.communicate(timeout=timeout)
    return output


def state(root) -> dict:
    """Every output file of the copy: 'old', 'new' (complete) or 'broken'."""
    found = {}
    for folder in ("figures", "data/processed", "notebooks"):
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


def test_a_relative_out_puts_everything_under_the_folder_named_from_where_the_command_ran(checkout, tmp_path):
    shell = tmp_path / "elsewhere"
    shell.mkdir()
    output = finish(start(checkout, "--out", "rerun/one", cwd=shell))
    assert "3 of 3 notebooks ran" in output, output
    out = shell / "rerun" / "one"
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == ["data/processed/a.csv", "figures/01_a.pdf", "figures/01_a.png", "figures/02_b.pdf",
                       "figures/02_b.png", "figures/03_c.pdf", "figures/03_c.png", "notebooks/01_a.ipynb",
                       "notebooks/02_b.ipynb", "notebooks/03_c.ipynb", "run.json"]
    assert set(state(checkout).values()) == {"old"}  # the committed files are untouched
    assert not list((checkout / "notebooks").glob("*/")) and not list(shell.glob("notebooks"))


def test_a_rerun_of_a_later_notebook_reads_the_committed_input(checkout, tmp_path):
    # fail=0 is 01_a's default: it does not change what 01_a writes, so 01_a need not run.
    output = finish(start(checkout, "--only", "03_c", "--set", "fail=0", "--out", str(tmp_path / "later")))
    assert "1 of 1 notebooks ran" in output, output
    assert (tmp_path / "later" / "data" / "processed" / "a.csv").read_bytes() == OLD


def test_every_failing_notebook_is_reported_and_what_needs_them_is_not_run(checkout, tmp_path):
    output = finish(start(checkout, "--set", "fail=1", "--out", str(tmp_path / "failing")))
    assert re.search(r"FAILED 01_a.ipynb: cell \d+ failed with AssertionError: asked to fail", output), output
    assert re.search(r"FAILED 02_b.ipynb: cell \d+ failed with AssertionError", output), output
    assert "NOT RUN 03_c" in output and "0 of 3 notebooks ran" in output
    assert (tmp_path / "failing" / "partial" / "01_a.ipynb").exists()


def wait_for(condition, timeout=60):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "the moment never came"
        time.sleep(0.005)


MOMENTS = {  # when to stop the run, and how
    "as the first figure is replaced": (signal.SIGKILL, lambda root: "new" in [v for k, v in state(root).items() if k.endswith((".png", ".pdf"))]),
    "between notebooks": (signal.SIGKILL, lambda root: "new" in (state(root)["01_a.ipynb"], state(root)["02_b.ipynb"])),
    "in the last notebook (Ctrl-C)": (signal.SIGINT, lambda root: (root / "build" / "partial" / "03_c.ipynb").exists()),
}


@pytest.mark.parametrize("moment", MOMENTS)
def test_an_interrupted_run_leaves_every_file_old_or_new_and_the_next_run_recovers(checkout, moment):
    how, condition = MOMENTS[moment]
    original = {p.name: p.read_bytes() for p in (checkout / "notebooks").glob("*.ipynb")}
    process = start(checkout)
    wait_for(lambda: condition(checkout) or process.poll() is not None)
    os.killpg(process.pid, how)
    output = finish(process)
    time.sleep(1.5)  # orphaned kernels notice their runner is gone within a second
    found = state(checkout)
    assert "broken" not in found.values() and "new" in found.values(), found
    for name, data in original.items():  # a notebook is the original or a complete executed one
        assert (checkout / "notebooks" / name).read_bytes() == data or found[name] == "new"
    if how == signal.SIGINT:
        assert "interrupted: letting 03_c finish" in output and found["03_c.png"] == "new", output
    output = finish(start(checkout))
    assert "3 of 3 notebooks ran" in output, output
    assert set(state(checkout).values()) == {"new"}
    leftovers = [p for f in ("figures", "data/processed", "notebooks") for p in (checkout / f).glob(".*")]
    assert leftovers == []
