import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import tables
from helpers.models import Fit


def fit(coef, se, n=330, df=29):
    params = pd.Series(coef)
    return Fit(params=params, std_errors=pd.Series(se), vcov=pd.DataFrame(np.diag(pd.Series(se) ** 2), params.index, params.index),
               nobs=n, df_resid=df, r2_within=0.5, r2=0.9, adj_r2=0.88, effects={"province": True, "year": True},
               cov_type="clustered by province")


def test_describe_by_hand():
    """x = 1, 2, 3, 10: mean 4, sd sqrt(50/3); y skips its missing cell: 1, 3, 5."""
    data = pd.DataFrame({"x": [1.0, 2.0, 3.0, 10.0], "y": [1.0, np.nan, 3.0, 5.0], "z": 0.0})
    expected = pd.DataFrame({"N": [4, 3], "mean": [4.0, 3.0], "sd": [np.sqrt(50 / 3), 2.0], "min": [1.0, 1.0],
                             "median": [2.5, 3.0], "max": [10.0, 5.0]}, index=["x", "y"])
    pd.testing.assert_frame_equal(tables.describe(data, ["x", "y"]), expected, check_dtype=False)


def test_stars_thresholds():
    assert [tables.stars(p) for p in [0.005, 0.01, 0.03, 0.05, 0.07, 0.1, 0.5]] == ["***", "**", "**", "*", "*", "", ""]


def test_correlation_p_values_match_scipy():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(50, 3)), columns=list("abc"))
    frame["b"] += frame["a"]
    r, p = tables.correlations(frame, ["a", "b", "c"])
    ref = stats.pearsonr(frame["a"], frame["b"])
    assert r.loc["a", "b"] == pytest.approx(ref.statistic) and p.loc["a", "b"] == pytest.approx(ref.pvalue)
    tri = tables.lower_triangle(r, p)
    assert tri.loc["a", "a"] == "1" and tri.loc["a", "b"] == "" and tri.loc["b", "a"].endswith("***")


def test_regression_table_layout():
    table = tables.regression_table({"(1)": fit({"digital": 0.5, "Constant": 1.0}, {"digital": 0.1, "Constant": 1.0})},
                                    ["digital", "gov", "Constant"])
    assert list(table.index) == ["digital", "", "gov", "", "Constant", "", "Province FE", "Year FE", "N", "Adj-R2", "Within R2"]
    assert table.iloc[0, 0] == "0.500***" and table.iloc[1, 0] == "(5.00)"  # t = 5 with 29 df
    assert table.iloc[2, 0] == "" and table.iloc[4, 0] == "1.000" and table.loc["N", "(1)"] == "330"


def test_compare_marks_sign_level_and_interval():
    ours = tables.long({"ours": fit({"digital": 0.70, "Constant": 0.2}, {"digital": 0.40, "Constant": 0.1})})
    table = tables.compare(ours, "table4", {"(2)": "ours"})
    row = table.set_index("term").loc["digital"]
    # published 0.708*** (t 3.60); ours 0.70 with t 1.75 and 29 df: p about 0.09, one star
    assert row["same_sign"] and not row["same_level"] and row["in_our_ci"] and row["ours_stars"] == "*"
    assert row["published"] == 0.708 and row["published_stars"] == "***"


def test_compare_counts_an_estimate_without_a_number_as_agreeing_in_nothing():
    """Table 4 (2) prints ind without a star: an estimate of ours whose p (or every statistic) is NaN
    is in the comparison, with neither the same sign, nor the same level, nor the value in our interval
    (unhandled, no star read as 'the same level', and a row of NaN left the comparison)."""
    fits = {"ours": fit({"digital": 0.70, "ind": 0.1, "gov": 0.2, "Constant": 0.2},
                        {"digital": 0.40, "ind": np.nan, "gov": np.nan, "Constant": 0.1})}
    ours = tables.long(fits)
    ours.loc[ours["term"] == "gov", "value"] = np.nan
    table = tables.compare(ours, "table4", {"(2)": "ours"}).set_index("term")
    assert table.loc["ind", "published_stars"] == "" and table.loc["ind", "ours_stars"] == ""
    assert not table.loc["ind", ["same_level", "in_our_ci"]].any() and table.loc["ind", "same_sign"]
    assert not table.loc["gov", ["same_sign", "same_level", "in_our_ci"]].any()
    # a term one of our columns did not estimate at all is left out, even where another column has it
    other = tables.long({"ours": fit({"digital": 0.70, "Constant": 0.2}, {"digital": 0.40, "Constant": 0.1}),
                         "more": fit({"digital": 0.70, "ind": 0.1, "Constant": 0.2}, {"digital": 0.40, "ind": 0.1, "Constant": 0.1})})
    assert sorted(tables.compare(other, "table4", {"(2)": "ours"})["term"]) == ["Constant", "digital"]


def test_export_writes_three_formats(tmp_path):
    table = pd.DataFrame({"x": ["1", "2"]}, index=pd.Index(["a", "b"], name="term"))
    paths = tables.export(table, "t", tmp_path)
    assert sorted(p.suffix for p in paths) == [".csv", ".md", ".tex"]
    assert (tmp_path / "t.md").read_text() == "| term | x |\n|---|---|\n| a | 1 |\n| b | 2 |\n"
    assert "\\begin{tabular}" in (tmp_path / "t.tex").read_text()


def test_published_table_keeps_printed_digits_and_fixed_effect_rows():
    table = tables.published_table("table4", ["digital", "Constant"])
    assert table.loc["digital", "(2)"] == "0.708***" and table.iloc[1, 1] == "(3.60)"
    assert table.loc["Year FE", "(1)"] == "YES" and table.loc["N", "(2)"] == "330"
    assert tables.published_table("table5", ["L.digital"]).loc["Year FE", "(1)"] == ""


def test_markdown_joins_header_levels_and_keeps_trailing_zeros():
    table = pd.DataFrame({("ours", "(1)"): [0.2, 0.125, np.nan], ("ours", "N"): [330, 66, 33],
                          ("printed", "(1)"): ["0.0350", "", "1.2709***"]}, index=["a", "b", "c"])
    assert tables.markdown(table) == (
        "|  | ours (1) | ours N | printed (1) |\n"
        "|---|---|---|---|\n"
        "| a | 0.200 | 330 | 0.0350 |\n"
        "| b | 0.125 | 66 |  |\n"
        "| c |  | 33 | 1.2709*** |\n")


def test_coefficients_of_one_term_across_fits():
    fits = {"a": fit({"digital": 0.5, "Constant": 1.0}, {"digital": 0.1, "Constant": 1.0}),
            "b": fit({"digital": -0.2, "Constant": 1.0}, {"digital": 0.4, "Constant": 1.0}, n=300)}
    coefs = tables.coefficients(fits, "digital")
    assert list(coefs.index) == ["a", "b"] and list(coefs.columns) == ["coef", "t", "p", "lower", "upper", "N"]
    # t(29) 97.5 % quantile 2.0452 (printed tables): interval 0.5 -/+ 0.20452, -0.2 -/+ 0.81808
    assert coefs.loc["a", "t"] == pytest.approx(5.0) and coefs.loc["b", "t"] == pytest.approx(-0.5)
    assert coefs.loc["a", "lower"] == pytest.approx(0.29548, abs=1e-4) and coefs.loc["b", "upper"] == pytest.approx(0.61808, abs=1e-4)
    assert coefs.loc["b", "p"] == pytest.approx(0.6208, abs=1e-3) and coefs.loc["b", "N"] == 300  # t = -0.5, 29 df


def test_closeness_to_the_published_table_by_hand():
    from dataclasses import replace
    fits = {"x (1)": replace(fit({"digital": 1.5, "Constant": 0.0}, {"digital": 0.1, "Constant": 1.0}), adj_r2=0.40,
                             r2_within=0.0),
            "x (2)": replace(fit({"digital": 0.9, "Constant": 0.0}, {"digital": 0.5, "Constant": 1.0}), adj_r2=0.50)}
    close = tables.closeness_to("table4", tables.long(fits), {"(1)": "x (1)", "(2)": "x (2)"})
    # published digital 1.661*** (1) and 0.708*** (2), adjusted R-squared 0.387 and 0.484
    assert close["mean_abs_gap"] == pytest.approx((0.161 + 0.192) / 2)
    assert close["same_sign"] == 1 and close["same_level"] == 0.5 and close["in_our_ci"] == 1  # t = 1.8: one star
    assert close["mean_adj_r2_gap"] == pytest.approx((0.013 + 0.016) / 2)
    assert close["mean_within_r2_gap"] == pytest.approx((0.387 + 0.016) / 2)  # within R-squared 0 and 0.5


def test_export_records_its_settings_beside_the_table(tmp_path):
    import json
    table = pd.DataFrame({"x": [1.5, 2.0]}, index=pd.Index(["a", "b"], name="term"))
    plain = tables.export(table, "plain", tmp_path, formats=["csv"])
    written = tables.export(table, "t", tmp_path, formats=["csv"], settings={"tfp": "tfp_solow", "alpha": 0.05})
    assert [p.name for p in written] == ["t.csv", "t.settings.json"] and plain == [tmp_path / "plain.csv"]
    assert (tmp_path / "t.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()
    assert json.loads((tmp_path / "t.settings.json").read_text()) == {"tfp": "tfp_solow", "alpha": 0.05}


def test_compare_correlations_by_hand():
    """Ours 1.5 times every printed correlation, each at p = 0.001 (three stars): the gap is half the
    printed value, every sign agrees and the level agrees exactly where the print has three stars."""
    printed = tables.published("table3").query("statistic == 'r'")
    names = sorted({*printed["term"], *printed["column"]})
    r, p = (pd.DataFrame(np.nan, index=names, columns=names) for _ in range(2))
    for row in printed.itertuples():
        r.loc[row.term, row.column] = 1.5 * row.value
        p.loc[row.term, row.column] = 0.001
    pairs = tables.compare_correlations(r, p)
    assert len(pairs) == len(printed) and pairs.loc["digital ~ tfp", "ours"].endswith("***")
    np.testing.assert_allclose(pairs["gap"], 0.5 * printed["value"].to_numpy())
    assert pairs["same sign"].all()
    assert (pairs["same level"] == (printed["stars"] == 3).to_numpy()).all()
