"""The runner end to end on a small copy of the project (tests/fake_project.py): where the files land
with a relative --out, a later notebook reading a committed input, every failure reported."""
import re

from tests.fake_project import OLD, OUTPUTS, PROCESSED, checkout, finish, start, state  # noqa: F401 (checkout: a fixture)


def test_a_relative_out_puts_everything_under_the_folder_named_from_where_the_command_ran(checkout, tmp_path):
    shell = tmp_path / "elsewhere"
    shell.mkdir()
    output = finish(start(checkout, "--out", "rerun/one", cwd=shell))
    assert "3 of 3 notebooks ran" in output, output
    out = shell / "rerun" / "one"
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted(OUTPUTS + ["notebooks/01_a.ipynb", "notebooks/02_b.ipynb", "notebooks/03_c.ipynb", "run.json"])
    assert set(state(checkout).values()) == {"old"}  # the committed files are untouched
    assert not list((checkout / "notebooks").glob("*/")) and not list(shell.glob("notebooks"))


def test_a_rerun_of_a_later_notebook_reads_the_committed_input(checkout, tmp_path):
    # fail=0 is 01_a's default: it does not change what 01_a writes, so 01_a need not run.
    output = finish(start(checkout, "--only", "03_c", "--set", "fail=0", "--out", str(tmp_path / "later")))
    assert "1 of 1 notebooks ran" in output, output
    assert (tmp_path / "later" / PROCESSED / "a.csv").read_bytes() == OLD


def test_every_failing_notebook_is_reported_and_what_needs_them_is_not_run(checkout, tmp_path):
    output = finish(start(checkout, "--set", "fail=1", "--out", str(tmp_path / "failing")))
    assert re.search(r"FAILED 01_a.ipynb: cell \d+ failed with AssertionError: asked to fail", output), output
    assert re.search(r"FAILED 02_b.ipynb: cell \d+ failed with AssertionError", output), output
    assert "NOT RUN 03_c" in output and "0 of 3 notebooks ran" in output
    assert (tmp_path / "failing" / "partial" / "01_a.ipynb").exists()
