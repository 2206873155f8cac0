"""Tests of helpers.constructions and helpers.forensics: the grid's declaration, its agreement with
the panel's own measures, the fingerprint metric by hand, the cache and bad input."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import constructions, files, forensics, panel, provinces, run
from helpers.constructions import BY_NAME, GRID


@pytest.fixture(scope="module")
def builder():
    return forensics.Builder()


def test_grid_names_are_unique_settings_and_cover_every_family():
    assert len(BY_NAME) == len(GRID)
    assert {c.family for c in GRID} == set(constructions.CITATIONS)


@pytest.mark.parametrize("name", ["tfp", "tfp_solow", "tfp_urban", "digital", "digital_pca",
                                  "digital_dfiic", "virtual", "virtual_software"])
def test_grid_reproduces_the_panels_own_measures(builder, analysis_panel, name):
    """The grid's declaration of each panel measure (its options) builds the panel's column: a check of
    the declaration, not of the methods, which tests/test_measures.py checks by hand."""
    ours = builder.column(BY_NAME[name]).reindex(analysis_panel.index)
    np.testing.assert_allclose(ours, analysis_panel[name], rtol=1e-9)


def test_grid_variants_change_what_they_declare(builder, analysis_panel):
    # 10.96 % depreciation: a smaller capital stock, so a higher growth-accounting residual.
    high = builder.column(BY_NAME["tfp_growth_a40_total_d1096"])
    low = builder.column(BY_NAME["tfp_growth_a40_total_d96"])
    assert (high > low).all()
    # Against 31 provinces instead of 30 the LQ's reference share changes a little, not the ranking.
    lq31 = builder.column(BY_NAME["virtual_lq_it_employment_employment_urban_units_31"])
    assert not np.allclose(lq31.reindex(analysis_panel.index), analysis_panel["virtual"])
    assert lq31.corr(analysis_panel["virtual"], method="spearman") > 0.99
    # Super-efficiency is the CCR score below the frontier and above 1 on it.
    ccr = builder.column(BY_NAME["tfp_eff_contemporaneous_crs_out_total_d96"])
    super_ccr = builder.column(BY_NAME["tfp_super_ccr_total_d96"])
    np.testing.assert_allclose(super_ccr[ccr < 1 - 1e-9], ccr[ccr < 1 - 1e-9], rtol=1e-8)
    assert (super_ccr[ccr > 1 - 1e-9] >= 1 - 1e-9).all()
    # A cumulative Malmquist level starts at 1 in 2011.
    cumulative = builder.column(BY_NAME["tfp_malm_global_vrs_inp_cumulative_urban_d96"])
    np.testing.assert_allclose(cumulative.xs(2011, level="year"), 1)


def entropy_by_hand(x):
    """sum_j w_j x'_ij, x' = min-max + 0.0001, w_j = (1 - e_j) / sum(1 - e), e_j = -1/ln(n) sum p ln p."""
    normalised = (x - x.min()) / (x.max() - x.min()) + 0.0001
    p = normalised / normalised.sum()
    d = 1 + (p * np.log(p)).sum() / np.log(len(x))
    return (normalised * d / d.sum()).sum(axis=1)


def test_digital_methods_by_their_formulas(builder, analysis_panel):
    x = analysis_panel[list(constructions.INDICATOR_SETS["subs"])]
    year = x.index.get_level_values("year")
    pooled = (x - x.min()) / (x.max() - x.min())
    low, high = x.groupby(level="year").transform("min"), x.groupby(level="year").transform("max")
    z = (x - x.mean()) / x.std()
    loadings = np.linalg.svd(z.to_numpy(), full_matrices=False)[2][0]  # first principal axis, by SVD
    scores = z @ (loadings * np.sign(loadings.sum()))
    entropy_by_year = pd.concat([entropy_by_hand(x[year == t]) for t in sorted(set(year))])
    expected = {"equal": pooled.mean(axis=1), "equal_by_year": ((x - low) / (high - low)).mean(axis=1),
                "zscore": z.mean(axis=1), "pca_minmax": (scores - scores.min()) / (scores.max() - scores.min()),
                "entropy_by_year": entropy_by_year}
    for method, values in expected.items():
        ours = builder.column(BY_NAME[f"digital_{method}_subs"]).reindex(analysis_panel.index)
        np.testing.assert_allclose(ours, values.reindex(analysis_panel.index), rtol=1e-9, err_msg=method)


def test_fingerprint_by_hand(analysis_panel):
    # gov against the print (Table 2: 0.249 / 0.103 / 0.107 / 0.643; Table 3: open -0.414,
    # ur -0.339, ind 0.105), shifted by 0.05: every moment but the sd moves by 0.05.
    controls = analysis_panel[forensics.CONTROLS]
    shifted = controls[["gov"]] + 0.05
    row = forensics.fingerprint(shifted, controls, "gov").iloc[0]
    gov = controls["gov"] + 0.05
    moments = np.array([gov.mean(), gov.std(), gov.min(), gov.max()])
    expected_moments = np.abs(moments - [0.249, 0.103, 0.107, 0.643]).max() / 0.103
    r = [gov.corr(controls[c]) for c in ["open", "ur", "ind"]]
    expected_r = np.abs(np.array(r) - [-0.414, -0.339, 0.105]).max()
    assert row["moment_gap"] == pytest.approx(expected_moments)
    assert row["correlation_gap"] == pytest.approx(expected_r)
    assert row["distance"] == pytest.approx(max(expected_moments, expected_r))
    assert expected_moments == pytest.approx(0.05 / 0.103, abs=0.005)


def test_fingerprint_ranks_ties_in_the_order_given(analysis_panel):
    # gov and gov scaled by 1 - 1e-13 have distances that differ only in the last digits: they keep
    # the order of the columns given, whichever comes first.
    controls = analysis_panel[forensics.CONTROLS]
    pair = {"gov": controls["gov"], "scaled": controls["gov"] * (1 - 1e-13)}
    for order in (["gov", "scaled"], ["scaled", "gov"]):
        table = forensics.fingerprint(pd.DataFrame({name: pair[name] for name in order}), controls, "gov")
        assert list(table.index) == order
    assert table.loc["gov", "distance"] != table.loc["scaled", "distance"]


def test_tolerance_is_the_rounding_of_the_print(analysis_panel):
    # gov, open and ur are the authors' numbers: they differ from the print only by its rounding to
    # three decimals, at most 0.0005 / sd_p in moments (sd_p = 0.103 for gov) and 0.0005 in r.
    tolerance = forensics.tolerance(analysis_panel[forensics.CONTROLS])
    assert 0 < tolerance <= 0.0005 / 0.103


def test_joint_correlations_of_the_panel_measures(analysis_panel):
    table = forensics.joint(analysis_panel, {"tfp": ["tfp"], "digital": ["digital"], "virtual": ["virtual"]})
    printed, ours = table.iloc[0], table.iloc[1]
    assert printed["tfp ~ digital"] == 0.452 and printed["digital ~ virtual"] == 0.367
    assert ours["tfp ~ digital"] == pytest.approx(analysis_panel["tfp"].corr(analysis_panel["digital"]))
    gaps = [abs(ours[p] - printed[p]) for p in ["tfp ~ digital", "tfp ~ virtual", "digital ~ virtual"]]
    assert ours["gap"] == pytest.approx(max(gaps))


CHEAP = ["tfp_solow", "tfp_growth_a33_urban_d96", "digital_equal_subs", "virtual"]


def test_cache_is_written_once_and_read_back(monkeypatch, tmp_path):
    monkeypatch.setattr(forensics, "GRID", [BY_NAME[n] for n in CHEAP])
    first = forensics.grid(cache=tmp_path)
    assert list(first.columns) == CHEAP and len(list(tmp_path.glob("*.pkl"))) == 1

    def not_again(folder):
        raise AssertionError("the cache should have been read")
    monkeypatch.setattr(forensics, "_compute", not_again)
    pd.testing.assert_frame_equal(forensics.grid(cache=tmp_path), first)
    pd.testing.assert_frame_equal(forensics.columns(["virtual"], cache=tmp_path), first[["virtual"]])
    with pytest.raises(ValueError, match="'tfp_nonsense' is not a construction"):
        forensics.columns(["tfp_nonsense"], cache=tmp_path)


def test_select_reads_a_grid_construction_the_panel_does_not_carry(monkeypatch, tmp_path, analysis_panel):
    monkeypatch.setattr(forensics, "GRID", [BY_NAME[n] for n in CHEAP])
    monkeypatch.setattr(forensics, "CACHE", tmp_path)
    chosen = panel.select(analysis_panel, tfp="tfp_growth_a33_urban_d96", virtual="virtual")
    urban = panel.window(panel.series("employment_urban_units"))
    data = analysis_panel.assign(labour=urban)
    expected = data["real_gdp"] / (data["capital"] ** (1 / 3) * data["labour"] ** (2 / 3))
    np.testing.assert_allclose(chosen["tfp"], expected, rtol=1e-9)
    assert len(list(tmp_path.glob("*.pkl"))) == 1


def test_cache_key_follows_the_extracts_and_the_declaration(monkeypatch, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in sorted({*panel.EXTRACTS, *forensics.EXTRA}):
        (raw / f"{name}.csv").write_bytes((panel.paths.RAW / f"{name}.csv").read_bytes())
    before = forensics.key(raw)
    assert before == forensics.key()
    (raw / "employment.csv").write_bytes((raw / "employment.csv").read_bytes() + b"\n")
    assert forensics.key(raw) != before
    monkeypatch.setattr(forensics, "GRID", GRID[:-1])
    assert forensics.key() != before


def test_cache_key_follows_the_blas_kernels(monkeypatch):
    """Other OpenBLAS kernels round the grid's last bits differently: they do not share a cache."""
    monkeypatch.setitem(run.BLAS, "OPENBLAS_CORETYPE", "Haswell")  # declared on any CPU, for this test
    before = forensics.key()
    monkeypatch.setenv("OPENBLAS_CORETYPE", os.environ.get("OPENBLAS_CORETYPE", "") + "X")  # other kernels
    assert forensics.key() != before


def test_cache_key_covers_every_module_the_grid_runs():
    """Every module of the package a fresh process loads to compute the grid (panel.build reaches the
    extracts' readers, the provinces, the paper's declarations) is part of the key."""
    listed = subprocess.run([sys.executable, "-c", "import sys, helpers.forensics; print('\\n'.join(m.__file__ for n, m in "
                             "sys.modules.items() if n.startswith('helpers.')))"], capture_output=True, text=True, check=True)
    loaded = {Path(line) for line in listed.stdout.split()}
    assert {Path(provinces.__file__), Path(files.__file__)} <= loaded <= set(forensics.CODE)


def test_bad_input_names_construction_province_and_year_and_writes_no_cache(monkeypatch, tmp_path):
    name = "tfp_eff_global_vrs_inp_urban_d96"
    monkeypatch.setattr(forensics, "GRID", [BY_NAME["tfp_solow"], BY_NAME[name]])
    inputs = forensics.Builder.inputs

    def zero_urban_labour(self, labour, delta):
        data = inputs(self, labour, delta)
        if labour == "employment_urban_units":
            data = data.copy()
            data.loc[("Hubei", 2015), "labour"] = 0.0
        return data
    monkeypatch.setattr(forensics.Builder, "inputs", zero_urban_labour)
    with pytest.raises(ValueError, match=rf"construction {name}: .*must be positive.*Hubei in 2015"):
        forensics.grid(cache=tmp_path)
    assert list(tmp_path.glob("*.pkl")) == []


def test_two_runs_at_once_compute_the_grid_once(monkeypatch, tmp_path):
    """Notebooks 10 and 11 side by side on a cold cache: the second waits for the first's result."""
    import threading
    import time
    calls = []

    def slow(folder):
        calls.append(folder)
        time.sleep(0.5)
        return {"grid": pd.DataFrame({"x": [1.0]}), "no filled cells": pd.DataFrame({"y": [2.0]})}
    monkeypatch.setattr(forensics, "_compute", slow)
    threads = [threading.Thread(target=forensics.grid, kwargs={"cache": tmp_path}) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert forensics.unfilled(["y"], cache=tmp_path)["y"].tolist() == [2.0]


def test_verdict_by_hand():
    """tfp: the nearest (a) is within the tolerance 0.01 and reproduces; digital: its nearest (b) at
    0.5 does not, its own measure (digital) is at 0.7, and c matches the correlations best (0.05)."""
    table = pd.DataFrame({"variable": ["tfp", "tfp", "digital", "digital", "digital"],
                          "family": ["f1", "f2", "f1", "f2", "f3"],
                          "moment_gap": [0.005, 0.3, 0.5, 0.7, 0.9], "correlation_gap": [0.002, 0.1, 0.2, 0.3, 0.05],
                          "distance": [0.005, 0.3, 0.5, 0.7, 0.9]}, index=["a", "tfp", "b", "digital", "c"])
    verdict = forensics.verdict(table, 0.01)
    assert verdict.loc["tfp", "reproduces"] and not verdict.loc["digital", "reproduces"]
    assert verdict.loc["tfp", "default_distance"] == 0.3 and verdict.loc["digital", "nearest"] == "b"
    assert verdict.loc["digital", "default_distance"] == 0.7 and verdict.loc["digital", "closest_correlations"] == 0.05
