"""The papermill runner: settings are checked before anything runs, run stamps are stripped, and a
failing notebook is named with its cell."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from helpers import run


def notebook(path, *sources, parameters="x = 1\nname = 'a'"):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    cell = new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, *(new_code_cell(s) for s in sources)]
    nbformat.write(nb, path)
    return path


def test_unknown_setting_lists_the_valid_ones(tmp_path):
    nb = notebook(tmp_path / "01_x.ipynb")
    with pytest.raises(SystemExit, match=r"unknown setting 'y=2'; valid names: name, x"):
        run.parse_settings(["y=2"], [nb])


def test_setting_of_the_wrong_type_is_refused(tmp_path):
    nb = notebook(tmp_path / "01_x.ipynb")
    assert run.parse_settings(["x=3", "name=b"], [nb]) == {"x": 3, "name": "b"}
    with pytest.raises(SystemExit, match=r"x='three': expected a int like the default 1"):
        run.parse_settings(["x=three"], [nb])


def test_strip_removes_run_stamps(tmp_path):
    path = notebook(tmp_path / "01_x.ipynb", "print(1)")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00"}
    nb.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    nb.cells[1].metadata["papermill"] = {"duration": 0.1}
    nbformat.write(nb, path)
    run.strip(path)
    text = path.read_text()
    assert "2026-01-01" not in text and "duration" not in text and "papermill" not in text


def test_failure_names_notebook_and_cell_and_keeps_the_partial_run(tmp_path):
    source = notebook(tmp_path / "02_fails.ipynb", "print('before')", "1 / 0")
    target = tmp_path / "out" / "02_fails.ipynb"
    with pytest.raises(SystemExit, match=r"02_fails.ipynb: cell 3 failed with ZeroDivisionError"):
        run.execute(source, target, {})
    kept = nbformat.read(target, as_version=4)
    ran = [c for c in kept.cells if c.cell_type == "code" and c.source == "print('before')"]
    assert ran[0].outputs[0]["text"] == "before\n"


def test_values_outside_the_choices_fail_before_running(tmp_path):
    nb = notebook(tmp_path / "01_x.ipynb", parameters="tfp = 'tfp'\nreps = 9999")
    assert run.parse_settings(["tfp=tfp_solow", "reps=999"], [nb]) == {"tfp": "tfp_solow", "reps": 999}
    with pytest.raises(SystemExit, match=r"tfp='solow': choose one of tfp, tfp_solow, tfp_urban"):
        run.parse_settings(["tfp=solow"], [nb])
    with pytest.raises(SystemExit, match=r"reps=5: must lie between 99 and 99999"):
        run.parse_settings(["reps=5"], [nb])


def test_stages_group_independent_notebooks():
    names = [run.paths.NOTEBOOKS / f"{stem}.ipynb" for stem in ["09_replication_scorecard", "05_baseline", "01_data", "03_descriptives"]]
    grouped = [[p.stem for p in stage] for stage in run.stages(names)]
    assert grouped == [["01_data"], ["05_baseline", "03_descriptives"], ["09_replication_scorecard"]]
