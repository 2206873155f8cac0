import ast
import json

import nbformat
import pytest

from helpers import config, notebook, run


@pytest.fixture
def out(tmp_path, analysis_panel):
    """A rerun folder holding the panel as notebook 02 writes it."""
    folder = tmp_path / "data" / "processed"
    folder.mkdir(parents=True)
    analysis_panel.reset_index().to_csv(folder / "panel.csv", index=False)
    return tmp_path


def test_start_selects_the_run_measures_and_exports_with_its_settings(out, analysis_panel, capsys):
    nb = notebook.start(str(out), "05_baseline.ipynb", tfp="tfp_solow", digital="digital_pca", virtual="virtual", reps=99)
    assert capsys.readouterr().out.startswith("settings other than the defaults: tfp='tfp_solow', digital='digital_pca', reps=99;")
    assert nb.data["tfp"].equals(analysis_panel["tfp_solow"]) and nb.data["digital"].equals(analysis_panel["digital_pca"])
    assert nb.panel["tfp"].equals(analysis_panel["tfp"]) and nb.figures == out / "figures"
    nb.export(nb.data[["tfp"]].head(2), "t", formats=["csv"])
    settings = json.loads((out / "figures" / "t.settings.json").read_text())
    assert settings == {"tfp": "tfp_solow", "digital": "digital_pca", "virtual": "virtual", "reps": 99, "alpha": config.ALPHA,
                        "sample": "30 provinces, 2011-2021, N = 330"}
    nb.outputs()
    assert capsys.readouterr().out.split() == [str(out / "figures" / "t.csv"), str(out / "figures" / "t.settings.json")]


def test_export_of_fits_records_each_fit(out):
    from helpers import models
    nb = notebook.start(str(out), "05_baseline.ipynb", tfp="tfp", digital="digital", virtual="virtual")
    fits = {"cl": models.estimate(nb.data, "tfp", ["digital"]),
            "dk": models.estimate(nb.data.iloc[:300], "tfp", ["digital"], cov_type="driscoll_kraay"),
            "pooled": models.estimate(nb.data, "tfp", ["digital"], spec="pooled")}
    nb.export(nb.data[["tfp"]].head(1), "f", fits=fits, formats=["csv"])
    recorded = json.loads((out / "figures" / "f.settings.json").read_text())["fits"]
    assert recorded == {"cl": {"N": 330, "effects": "province, year", "covariance": "clustered by province"},
                        "dk": {"N": 300, "effects": "province, year", "covariance": "Driscoll-Kraay"},
                        "pooled": {"N": 330, "effects": "none", "covariance": "clustered by province"}}


def test_a_notebook_level_alpha_is_recorded(out):
    nb = notebook.start(str(out), "05_baseline.ipynb", alpha=0.1)
    assert nb.settings == {"alpha": 0.1} and nb.data.equals(nb.panel)


def test_an_unknown_measure_is_refused(out):
    """By the runner's check, before anything is read (a parameters cell edited in JupyterLab)."""
    with pytest.raises(ValueError, match=r"setting tfp='tfp_x': did you mean tfp\? choose one of tfp, "):
        notebook.start(str(out), "05_baseline.ipynb", tfp="tfp_x", digital="digital", virtual="virtual")


def test_start_in_jupyterlab_records_the_settings_it_resolved(out, monkeypatch):
    from helpers import paths
    monkeypatch.setattr(paths, "INTERACTIVE", out)  # holds the panel, as a seeded build/interactive/ would
    monkeypatch.delenv(paths.OUT_VARIABLE, raising=False)
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/08_heterogeneity.ipynb")
    notebook.start("", "05_baseline.ipynb", tfp="", digital="digital_pca", virtual="", reps=99)
    recorded = json.loads((out / "run.json").read_text())["notebooks"]["08_heterogeneity.ipynb"]["settings"]
    defaults = config.MEASURE_DEFAULTS  # the empty measures resolved
    assert recorded == {"tfp": defaults["tfp"], "digital": "digital_pca", "virtual": defaults["virtual"], "reps": 99,
                        "alpha": config.ALPHA}


def test_in_jupyterlab_a_panel_notebook_02_wrote_there_is_named_when_it_is_not_the_committed_one(tmp_path, monkeypatch,
                                                                                                   capsys):
    from helpers import paths
    monkeypatch.delenv(paths.OUT_VARIABLE, raising=False)
    committed = b"province,year,tfp\nBeijing,2011,1.0\n"
    monkeypatch.setattr(paths, "ROOT", tmp_path / "repository")
    for root in (paths.ROOT, tmp_path):  # the repository, and a folder of runs holding its copy
        (root / paths.PANEL[0]).parent.mkdir(parents=True)
        (root / paths.PANEL[0]).write_bytes(committed)
    folder = tmp_path / "data" / "processed"
    notebook.say_own_panel(folder)
    assert capsys.readouterr().out == ""
    (folder / "panel.csv").write_bytes(committed.replace(b"Beijing", b"Peking", 1))  # notebook 02, edited
    notebook.say_own_panel(folder)
    assert capsys.readouterr().out == (f"reading {folder / 'panel.csv'}: this folder's own panel (notebook 02 wrote it "
                                       f"here), not the committed {paths.PANEL[0]}; remove it to read that\n")
    monkeypatch.setenv(paths.OUT_VARIABLE, str(tmp_path))  # a run of the runner: its folder's panel is the run's
    notebook.say_own_panel(folder)
    assert capsys.readouterr().out == ""


def test_every_notebook_names_itself_in_its_set_up():
    """Each notebook gives its own file name to notebook.start or paths.record (papermill does not tell a
    kernel which notebook it runs): a name copied from another notebook would mix two entries of run.json."""
    for path in run.notebooks():
        calls = [node for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"
                 for node in ast.walk(ast.parse(cell.source)) if isinstance(node, ast.Call)
                 and ast.unparse(node.func) in ("notebook.start", "paths.record")]
        assert len(calls) == 1, (path.name, len(calls))
        assert ast.literal_eval(calls[0].args[1]) == path.name
