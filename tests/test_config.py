"""Each analysis decision lives in helpers.config: a change there (and nowhere else in the code) reaches
the panel, its codebook, the settings of a run and the models. The notebooks' parameter defaults,
literals that papermill needs, equal the values there."""
import numpy as np
import pandas as pd
import pytest

from helpers import config, constructions, models, notebook, panel, panel_io, paths, provinces, run, scorecard

pytestmark = pytest.mark.usefixtures("repo_unchanged")


@pytest.fixture(scope="module")
def built_with():
    """A panel built from the shipped extracts after changing config as `changes` says."""
    def build(**changes):
        with pytest.MonkeyPatch.context() as patch:
            for name, value in changes.items():
                patch.setattr(config, name, value)
            built = panel.build()
            return built, panel.codebook(built).set_index("column")
    return build


def test_every_notebook_parameter_is_declared_with_its_default_in_config():
    """Declared, so that a notebook checks its type and range wherever it runs (run.check_settings)."""
    found = 0
    for nb in run.notebooks():
        for name, default in run.defaults(nb).items():
            if name != "out":
                assert name in config.PARAMETERS and default == config.PARAMETERS[name], (nb.name, name, default)
                found += 1
    # years (01), tfp/digital/virtual (03-08), cov_type (05-08), winsor_share (06), reps and seed (08),
    # alpha (09), top (10), draws and seed (11)
    assert found == 1 + 3 * 6 + 4 + 1 + 2 + 1 + 1 + 2


def test_every_numeric_setting_of_a_run_has_its_range_in_config():
    for nb in run.notebooks():
        for name in set(run.defaults(nb)) - {"out", "cov_type"} - set(config.MEASURE_DEFAULTS):
            assert run.allowed(name) == config.RANGES[name], (nb.name, name)


def test_the_standard_errors_a_run_may_choose_are_those_models_estimate_accepts(analysis_panel):
    """Each is accepted and labelled; tests/test_vs_pyfixest.py checks the standard errors of each."""
    assert run.allowed("cov_type") == list(config.COV_TYPES)
    assert config.COV_TYPE in config.COV_TYPES
    for cov_type in config.COV_TYPES:
        fit = models.estimate(analysis_panel, "tfp", ["digital"], cov_type=cov_type)
        assert fit.cov_type == models.COV_LABELS[cov_type]


def test_the_modules_read_their_decisions_from_config():
    """Changed in config before the modules are imported, a decision reaches them: a copy written out
    in a module (equal today) would not follow."""
    import subprocess
    import sys
    script = ("from helpers import config\n"
              "config.ALPHA = 0.123\n"
              "config.REGIONS = dict(reversed(list(config.REGIONS.items())))\n"
              "from helpers import provinces, scorecard\n"
              "print(scorecard.ALPHA, provinces.REGIONS)\n")
    printed = subprocess.run([sys.executable, "-c", script], cwd=paths.ROOT, capture_output=True, text=True, check=True).stdout
    assert printed == f"0.123 {list(reversed(list(config.REGIONS)))}\n"
    assert scorecard.ALPHA is config.ALPHA and panel.CONTROLS is config.CONTROLS
    assert config.RANGES["years"] == config.SOURCE_YEARS
    # The forensic grid's panel-named TFP constructions use the panel's depreciation rate.
    for name in ("tfp", "tfp_solow", "tfp_urban"):
        assert constructions.DELTA[constructions.BY_NAME[name].settings["delta"]] == config.DEPRECIATION
    assert constructions._delta_key(0.1096) == "d1096" and constructions._delta_key(0.05) == "d5"
    assert config.SOURCE_YEARS[0] <= 1952 and config.SOURCE_YEARS[1] >= config.PANEL_YEARS[1]


def test_depreciation_rate_changes_capital_tfp_and_the_codebook(built_with, analysis_panel):
    built, book = built_with(DEPRECIATION=0.1096)
    changed = built.panel.set_index(["province", "year"])
    # Perpetual inventory: K_t - (1 - delta) K_t-1 is the same real investment I_t P_b / P_t whatever delta.
    def investment(data, delta):
        k = data["capital"].unstack("year")
        return (k.loc[:, 2012:] - (1 - delta) * k.loc[:, 2011:2020].to_numpy()).stack()
    assert np.allclose(investment(changed, 0.1096), investment(analysis_panel, 0.096), rtol=1e-9)
    assert (changed["capital"] < analysis_panel["capital"]).all()
    assert not np.allclose(changed["tfp"], analysis_panel["tfp"])
    assert book.at["capital", "formula"].startswith("K_t = 0.8904 K_t-1 + I_t P_2010 / P_t")


def test_shipped_codebook_formula_comes_from_the_depreciation_rate(built):
    book = panel.codebook(built).set_index("column")
    assert book.at["capital", "formula"].startswith(f"K_t = {1 - config.DEPRECIATION:g} K_t-1")
    assert book.at["capital", "formula"].startswith("K_t = 0.904 K_t-1")


def test_region_definition_changes_the_panel_regions(built_with, analysis_panel):
    east = (*config.REGIONS["East"], *config.REGIONS["Northeast"])
    three = {"East": east, **{r: p for r, p in config.REGIONS.items() if r not in ("East", "Northeast")}}
    built, _ = built_with(REGIONS=three)
    counts = built.panel.groupby("region")["province"].nunique().to_dict()
    assert counts == {"East": 13, "Central": 6, "West": 11}
    assert (built.panel.set_index(["province", "year"])["tfp"] == analysis_panel["tfp"]).all()


def test_region_definition_must_list_every_province_once(monkeypatch):
    shipped = config.REGIONS
    monkeypatch.setattr(config, "REGIONS", {**shipped, "Central": (*shipped["Central"], "Hainan")})
    with pytest.raises(ValueError, match=r"each of the 31 provinces once; check \['Hainan'\]"):
        provinces.regions()
    monkeypatch.setattr(config, "REGIONS", {r: p for r, p in shipped.items() if r != "Northeast"})
    with pytest.raises(ValueError, match=r"check \['Heilongjiang', 'Jilin', 'Liaoning'\]"):
        provinces.regions()


def test_a_new_control_enters_the_models_and_the_panel_check(monkeypatch, analysis_panel):
    monkeypatch.setattr(config, "CONTROLS", [*config.CONTROLS, "dfiic"])
    from helpers.panel import CONTROLS
    assert CONTROLS == ["gov", "cs", "open", "ur", "ind", "dfiic"]
    fit = models.estimate(analysis_panel, "tfp", ["digital", *panel.CONTROLS])
    assert "dfiic" in fit.params.index
    data = analysis_panel.reset_index().drop(columns="dfiic")
    with pytest.raises(panel_io.InputError, match="no column dfiic"):
        panel_io.check(data, "a panel without the new control")


def test_default_tfp_measure_is_what_an_analysis_notebook_takes(monkeypatch, built, analysis_panel, tmp_path):
    """Notebooks 03-08 declare `tfp = ""`: notebook.start gives them config's default, and records it."""
    panel_io.write(built.panel, panel.codebook(built), tmp_path / "data" / "processed")
    monkeypatch.setitem(config.MEASURE_DEFAULTS, "tfp", "tfp_solow")
    nb = notebook.start(str(tmp_path), "03_descriptives.ipynb", tfp="", digital="", virtual="")
    # panel.csv keeps ten significant digits
    np.testing.assert_allclose(nb.data["tfp"], analysis_panel["tfp_solow"], rtol=1e-9)
    assert nb.settings["tfp"] == "tfp_solow" and nb.settings["digital"] == "digital"
    np.testing.assert_allclose(notebook.start(str(tmp_path), "03_descriptives.ipynb", tfp="tfp_urban").data["tfp"],
                               analysis_panel["tfp_urban"], rtol=1e-9)


def test_default_tfp_measure_is_what_select_takes(monkeypatch, analysis_panel):
    assert (panel.select(analysis_panel)["tfp"] == analysis_panel["tfp"]).all()
    monkeypatch.setitem(config.MEASURE_DEFAULTS, "tfp", "tfp_solow")
    chosen = panel.select(analysis_panel)
    assert (chosen["tfp"] == analysis_panel["tfp_solow"]).all()
    assert (chosen["digital"] == analysis_panel["digital"]).all()
    assert constructions.names("tfp")[0] == "tfp_solow"
    assert (panel.select(analysis_panel, tfp="tfp_urban")["tfp"] == analysis_panel["tfp_urban"]).all()


def test_winsorise_default_share_is_the_config_value():
    data = pd.DataFrame({"x": np.arange(101.0)})
    clipped = panel.winsorise(data, ["x"])["x"]
    assert clipped.min() == pytest.approx(100 * config.WINSOR_SHARE)
    assert clipped.max() == pytest.approx(100 * (1 - config.WINSOR_SHARE))
