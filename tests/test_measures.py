"""Tests of helpers.measures against hand-computed examples and independent computations."""
import itertools
import math

import numpy as np
import pandas as pd
import pyreadr
import pytest
from scipy.optimize import linprog

from helpers import measures, paths
from tests.conftest import needs_sources

INDEX = ["province", "year"]


def panel_series(values, name=None):
    """{(province, year): value} -> Series on the (province, year) MultiIndex."""
    index = pd.MultiIndex.from_tuples(list(values), names=INDEX)
    return pd.Series(list(values.values()), index=index, name=name, dtype=float)


def random_panel(provinces, years, columns, seed):
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product([provinces, years], names=INDEX)
    return pd.DataFrame(rng.uniform(1, 10, (len(index), len(columns))), index=index, columns=columns)


# --- capital stock ------------------------------------------------------------------------------
# A: 1952-1955, I = 1, 2, 3, 4, P = 1, 1.25, 1.5, 2.
# B: investment 1953-1956, I = 4, 1, 3, 2; P = 1, 2, 2, 1.5, 2 over 1952-1956 (P covers more years).

INVESTMENT = panel_series({("A", 1952): 1, ("A", 1953): 2, ("A", 1954): 3, ("A", 1955): 4,
                           ("B", 1953): 4, ("B", 1954): 1, ("B", 1955): 3, ("B", 1956): 2})
PRICES = panel_series({("A", 1952): 1, ("A", 1953): 1.25, ("A", 1954): 1.5, ("A", 1955): 2,
                       ("B", 1952): 1, ("B", 1953): 2, ("B", 1954): 2, ("B", 1955): 1.5,
                       ("B", 1956): 2})


def test_capital_stock_by_hand_at_1952_prices():
    k = measures.capital_stock(INVESTMENT, PRICES, delta=0.1, base_year=1952)
    # A: K52 = 1 / 0.1 = 10; K53 = 0.9 * 10 + 2 / 1.25 = 10.6; K54 = 0.9 * 10.6 + 3 / 1.5 = 11.54;
    #    K55 = 0.9 * 11.54 + 4 / 2 = 12.386.
    # B: K53 = (4 / 2) / 0.1 = 20; K54 = 18 + 1 / 2 = 18.5; K55 = 16.65 + 3 / 1.5 = 18.65;
    #    K56 = 16.785 + 2 / 2 = 17.785.
    expected = [10, 10.6, 11.54, 12.386, 20, 18.5, 18.65, 17.785]
    np.testing.assert_allclose(k.to_numpy(), expected)
    assert k.index.equals(INVESTMENT.index) and k.name == "capital"


def test_capital_stock_rebased_as_chncapitalstock_and_consistently():
    package = measures.capital_stock(INVESTMENT, PRICES, delta=0.1, base_year=1954)
    # Flows at 1954 prices (P_A = 1.5, P_B = 2), initial stock left at 1952 prices as CompK does.
    # A: 10; 9 + 2 * 1.5 / 1.25 = 11.4; 10.26 + 3 = 13.26; 11.934 + 4 * 1.5 / 2 = 14.934.
    # B: 20; 18 + 1 = 19; 17.1 + 3 * 2 / 1.5 = 21.1; 18.99 + 2 = 20.99.
    np.testing.assert_allclose(package.to_numpy(),
                               [10, 11.4, 13.26, 14.934, 20, 19, 21.1, 20.99])
    consistent = measures.capital_stock(INVESTMENT, PRICES, delta=0.1, base_year=1954,
                                        rebase_initial=True)
    at_1952 = measures.capital_stock(INVESTMENT, PRICES, delta=0.1, base_year=1952)
    np.testing.assert_allclose(consistent.to_numpy(),
                               at_1952.to_numpy() * np.repeat([1.5, 2], 4))


def test_capital_stock_default_depreciation_and_initial_override():
    k = measures.capital_stock(INVESTMENT, PRICES, base_year=1952,
                               initial=pd.Series({"B": 30.0}))
    assert k[("A", 1953)] == pytest.approx(0.904 * 10 + 1.6)  # delta = 0.096
    assert k[("B", 1953)] == 30 and k[("B", 1954)] == pytest.approx(0.904 * 30 + 0.5)


@pytest.mark.parametrize("investment, prices, message", [
    (INVESTMENT.drop(("A", 1954)), PRICES, "investment has no value for A in 1954"),
    (INVESTMENT.where(INVESTMENT.index != ("B", 1955)), PRICES, "investment has no value for B in 1955"),
    (INVESTMENT, PRICES.drop(("B", 1952)), "price_index has no value for B in 1952"),
    (INVESTMENT, PRICES.where(PRICES.index != ("A", 1953), 0.0),
     "price_index must be positive.*0.0 for A in 1953"),
])
def test_capital_stock_bad_input_names_series_province_year(investment, prices, message):
    with pytest.raises(ValueError, match=message):
        measures.capital_stock(investment, prices, base_year=1952)


def test_panel_index_is_required():
    with pytest.raises(ValueError, match=r"index must be \(province, year\)"):
        measures.capital_stock(INVESTMENT.reset_index(drop=True), PRICES)


@needs_sources
def test_capital_stock_reproduces_chncapitalstock_reference_values():
    asset = pyreadr.read_r(paths.SOURCES / "common2016__CapitalStock" / "asset.rda")["asset"]
    asset = asset.assign(province=asset["prv"], year=asset["yr"].astype(int)).set_index(INDEX)
    # As CompK: Chongqing starts in 1996 from a fixed stock; for a base before 1996 it uses Sichuan's P.
    prices = pd.concat([asset["InvestPrice"], panel_series({("chongqing", 1952): 1.0})])
    initial = pd.Series({"chongqing": measures.CHONGQING_K1996})
    k2000 = measures.capital_stock(asset["invest"], prices, base_year=2000, initial=initial)
    k1952 = measures.capital_stock(asset["invest"], prices, base_year=1952, initial=initial)
    # tests/testthat/test-provinces.R of common2016/CapitalStock
    assert k2000[("beijing", 2000)] == pytest.approx(7066.979, abs=1e-3)
    assert k1952[("beijing", 1952)] == pytest.approx(7.9)
    assert k2000[("chongqing", 2000)] == pytest.approx(2143.611, abs=1e-3)
    assert k1952[("chongqing", 1997)] == pytest.approx(434.2679, abs=1e-4)


# --- DEA and Malmquist --------------------------------------------------------------------------

def one_year(frame, year):
    return frame.xs(year, level="year", drop_level=False)


def brute_force_distance(x, y, frontier_x, frontier_y):
    """CRS output distance with two inputs by enumerating the LP's vertices: at an optimum at most
    two lambdas are positive; one unit scaled until an input binds, or two units with both binding."""
    best = 0.0
    for j in range(len(frontier_y)):
        best = max(best, min(x / frontier_x[j]) * frontier_y[j])
    for j, k in itertools.combinations(range(len(frontier_y)), 2):
        pair = np.column_stack([frontier_x[j], frontier_x[k]])
        if abs(np.linalg.det(pair)) > 1e-12:
            weights = np.linalg.solve(pair, x)
            if (weights >= 0).all():
                best = max(best, weights @ frontier_y[[j, k]])
    return y / best


@pytest.mark.parametrize("seed", range(10))
def test_one_input_efficiency_is_productivity_over_best_productivity(seed):
    data = random_panel(list("ABCDEF"), [2011], ["y", "x"], seed=100 + seed)
    d = measures.dea_efficiency(data[["x"]], data["y"], data[["x"]], data["y"])
    productivity = data["y"] / data["x"]
    np.testing.assert_allclose(d, productivity / productivity.max(), rtol=1e-9)
    assert d[productivity.idxmax()] == pytest.approx(1)


def test_two_input_efficiency_by_hand():
    # A = (2, 4; 1), B = (4, 2; 1), C = (4, 4; 1). For C: lambda_A = lambda_B = 2/3 meets both inputs
    # (2/3 * 2 + 2/3 * 4 = 4), output 4/3, so phi = 4/3 and D = 0.75; A and B lie on the frontier.
    data = panel_series({("A", 2011): 1, ("B", 2011): 1, ("C", 2011): 1}, "y").to_frame()
    data["x1"], data["x2"] = [2, 4, 4], [4, 2, 4]
    d = measures.dea_efficiency(data[["x1", "x2"]], data["y"], data[["x1", "x2"]], data["y"])
    np.testing.assert_allclose(d, [1, 1, 0.75], rtol=1e-9)


@pytest.mark.parametrize("seed", range(10))
def test_two_input_efficiency_against_vertex_enumeration_including_other_period(seed):
    frontier = random_panel(list("ABCDEFG"), [2011], ["y", "x1", "x2"], seed=200 + seed)
    units = random_panel(list("ABCDEFG"), [2012], ["y", "x1", "x2"], seed=300 + seed)
    # One later unit beyond the earlier frontier: sum_j lambda_j x1_j <= x1 bounds the output the
    # frontier can reach at x by max_j y_j x1 / min_j x1_j.
    units.iloc[0, units.columns.get_loc("y")] = 1.01 * frontier["y"].max() * units["x1"].iloc[0] / frontier["x1"].min()
    for evaluated in (frontier, units):
        d = measures.dea_efficiency(evaluated[["x1", "x2"]], evaluated["y"],
                                    frontier[["x1", "x2"]], frontier["y"])
        expected = [brute_force_distance(row[["x1", "x2"]].to_numpy(), row["y"],
                                         frontier[["x1", "x2"]].to_numpy(), frontier["y"].to_numpy())
                    for _, row in evaluated.iterrows()]
        np.testing.assert_allclose(d, expected, rtol=1e-7)
    assert (d > 1).any()  # a later period's unit can lie beyond the earlier frontier


@pytest.mark.parametrize("seed", range(10))
def test_malmquist_with_one_input_is_the_productivity_ratio(seed):
    data = random_panel(list("ABCDE"), range(2011, 2015), ["y", "x"], seed=400 + seed)
    result = measures.malmquist(data, "y", ["x"])
    productivity = data["y"] / data["x"]
    growth = productivity / productivity.groupby(level="province").shift(1)
    np.testing.assert_allclose(result["M"], growth.dropna().sort_index(), rtol=1e-8)
    np.testing.assert_allclose(result["EC"] * result["TC"], result["M"], rtol=1e-12)
    assert list(result.columns) == ["EC", "TC", "M"]
    assert set(result.index.get_level_values("year")) == {2012, 2013, 2014}


@pytest.mark.parametrize("seed", range(10))
def test_malmquist_with_two_inputs_against_vertex_enumeration(seed):
    data = random_panel(list("ABCDE"), [2011, 2012], ["y", "x1", "x2"], seed=500 + seed)
    inputs = ["x1", "x2"]

    def d(frontier_year, year):
        frontier, units = one_year(data, frontier_year), one_year(data, year)
        return np.array([brute_force_distance(x, y, frontier[inputs].to_numpy(),
                                              frontier["y"].to_numpy())
                         for x, y in zip(units[inputs].to_numpy(), units["y"])])

    ec = d(2012, 2012) / d(2011, 2011)
    tc = np.sqrt(d(2011, 2012) / d(2012, 2012) * d(2011, 2011) / d(2012, 2011))
    result = measures.malmquist(data, "y", inputs)
    np.testing.assert_allclose(result["EC"], ec, rtol=1e-7)
    np.testing.assert_allclose(result["TC"], tc, rtol=1e-7)
    np.testing.assert_allclose(result["M"], ec * tc, rtol=1e-7)


def test_malmquist_refuses_unbalanced_or_non_positive_panels():
    data = random_panel(list("ABC"), range(2011, 2014), ["y", "x"], seed=6)
    with pytest.raises(ValueError, match="panel has no value for B in 2012"):
        measures.malmquist(data.drop(("B", 2012)), "y", ["x"])
    data.loc[("C", 2013), "x"] = -1.0
    with pytest.raises(ValueError, match=r"panel\['x'\] must be positive.*C in 2013"):
        measures.malmquist(data, "y", ["x"])


@pytest.mark.parametrize("seed", range(10))
def test_tfp_level_anchors_on_first_year_efficiency(seed):
    data = random_panel(list("ABCD"), range(2011, 2015), ["y", "x"], seed=700 + seed)
    first = one_year(data, 2011)
    efficiency = measures.dea_efficiency(first[["x"]], first["y"], first[["x"]], first["y"])
    level = measures.tfp_level(measures.malmquist(data, "y", ["x"]), efficiency)
    # One input, one output: A_t = (y_t / x_t) / max_j (y_j / x_j) in 2011.
    productivity = data["y"] / data["x"]
    np.testing.assert_allclose(level, productivity / productivity.xs(2011, level="year").max(),
                               rtol=1e-8)
    assert level.index.equals(data.index) and level.name == "tfp"
    with pytest.raises(ValueError, match="efficiency_first_year has no value for D in 2011"):
        measures.tfp_level(measures.malmquist(data, "y", ["x"]), efficiency.drop(("D", 2011)))


# --- growth accounting --------------------------------------------------------------------------

def cobb_douglas_panel(alpha, seed, noise=0.0):
    rng = np.random.default_rng(seed)
    provinces, years = [f"P{i}" for i in range(8)], range(2011, 2022)
    index = pd.MultiIndex.from_product([provinces, years], names=INDEX)
    labour = pd.Series(rng.uniform(100, 1000, len(index)), index=index)
    capital = pd.Series(rng.uniform(500, 5000, len(index)), index=index)
    province_effect = np.repeat(rng.normal(0, 0.3, len(provinces)), len(years))
    year_effect = np.tile(np.linspace(0, 0.2, len(years)), len(provinces))
    tfp = np.exp(province_effect + year_effect + rng.normal(0, noise, len(index)))
    output = tfp * capital**alpha * labour ** (1 - alpha)
    return output, capital, labour, tfp


def test_growth_accounting_recovers_tfp():
    output, capital, labour, tfp = cobb_douglas_panel(0.4, seed=8)
    np.testing.assert_allclose(measures.growth_accounting_tfp(output, capital, labour, 0.4), tfp,
                               rtol=1e-10)


def test_growth_accounting_refuses_bad_input():
    output, capital, labour, _ = cobb_douglas_panel(0.4, seed=9)
    with pytest.raises(ValueError, match="labour must be positive.*P3 in 2015"):
        measures.growth_accounting_tfp(output, capital, labour.where(
            labour.index != ("P3", 2015), 0.0), 0.4)
    with pytest.raises(ValueError, match="capital has no value for P0 in 2011"):
        measures.growth_accounting_tfp(output, capital.drop(("P0", 2011)), labour, 0.4)


def test_capital_share_two_way_fixed_effects():
    exact = cobb_douglas_panel(0.37, seed=10)[:3]
    assert measures.capital_share(*exact) == pytest.approx(0.37, abs=1e-10)
    noisy = cobb_douglas_panel(0.37, seed=11, noise=0.01)[:3]
    assert measures.capital_share(*noisy) == pytest.approx(0.37, abs=0.02)


# --- entropy weights and PCA --------------------------------------------------------------------

def indicator_panel(seed, provinces=6, years=range(2011, 2016)):
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product([[f"P{i}" for i in range(provinces)], years], names=INDEX)
    common = rng.normal(0, 1, len(index))
    return pd.DataFrame({f"x{j}": np.exp(common * (0.5 + 0.3 * j) + rng.normal(0, 0.5, len(index)))
                         for j in range(4)}, index=index)


def test_entropy_weights_by_hand():
    # a = 1, 2, 4 and b = 3, 3, 6: a' = 0, 1/3, 1 and b' = 0, 0, 1, each + 0.0001.
    data = panel_series({("P1", 2011): 1, ("P2", 2011): 2, ("P3", 2011): 4}, "a").to_frame()
    data["b"] = [3, 3, 6]
    s = 0.0001
    a, b = [0 + s, 1 / 3 + s, 1 + s], [0 + s, 0 + s, 1 + s]

    def entropy(values):
        p = [v / sum(values) for v in values]
        return -(p[0] * math.log(p[0]) + p[1] * math.log(p[1]) + p[2] * math.log(p[2])) / math.log(3)

    d_a, d_b = 1 - entropy(a), 1 - entropy(b)
    weights = measures.entropy_weights(data)
    assert weights["a"] == pytest.approx(d_a / (d_a + d_b), rel=1e-12)
    assert weights["b"] == pytest.approx(d_b / (d_a + d_b), rel=1e-12)
    expected_index = [weights["a"] * a[i] + weights["b"] * b[i] for i in range(3)]
    np.testing.assert_allclose(measures.entropy_index(data), expected_index, rtol=1e-12)


def test_entropy_weights_sum_to_one_and_ignore_row_order():
    data = indicator_panel(seed=12)
    weights = measures.entropy_weights(data)
    assert weights.sum() == pytest.approx(1) and (weights > 0).all()
    shuffled = data.sample(frac=1, random_state=0)
    pd.testing.assert_series_equal(measures.entropy_weights(shuffled), weights, rtol=1e-12)
    pd.testing.assert_series_equal(measures.entropy_index(shuffled).sort_index(),
                                   measures.entropy_index(data), rtol=1e-12)


def test_constant_indicator_gets_no_weight():
    data = indicator_panel(seed=13)
    weights = measures.entropy_weights(data.assign(flat=7.0))
    assert weights["flat"] == pytest.approx(0, abs=1e-12)
    pd.testing.assert_series_equal(weights.drop("flat"), measures.entropy_weights(data), rtol=1e-9)
    with pytest.raises(ValueError, match="every indicator is constant"):
        measures.entropy_weights(data.assign(x0=1.0, x1=1.0, x2=1.0, x3=1.0))


def test_entropy_refuses_missing_cells():
    data = indicator_panel(seed=14)
    data.loc[("P2", 2013), "x1"] = np.nan
    with pytest.raises(ValueError, match=r"indicators\['x1'\] has no value for P2 in 2013"):
        measures.entropy_index(data)


def test_standardise_by_hand_and_refuses_a_constant_indicator():
    # a = 1, 2, 3: mean 2, sd 1; b = 2, 2, 8: mean 4, sd sqrt((4 + 4 + 16) / 2) = sqrt(12).
    data = panel_series({("P1", 2011): 1, ("P2", 2011): 2, ("P3", 2011): 3}, "a").to_frame()
    data["b"] = [2, 2, 8]
    z = measures.standardise(data)
    np.testing.assert_allclose(z["a"], [-1, 0, 1], rtol=1e-12)
    np.testing.assert_allclose(z["b"], np.array([-2, -2, 4]) / math.sqrt(12), rtol=1e-12)
    with pytest.raises(ValueError, match=r"indicators\['c'\] is constant"):
        measures.standardise(data.assign(c=5.0))


@pytest.mark.parametrize("seed", range(10))
def test_pca_index_against_svd(seed):
    data = indicator_panel(seed=1500 + seed)
    result = measures.pca_index(data)
    z = ((data - data.mean()) / data.std(ddof=1)).to_numpy()
    _, singular, vt = np.linalg.svd(z, full_matrices=False)
    first = vt[0] if vt[0].sum() > 0 else -vt[0]
    np.testing.assert_allclose(result.loadings, first, atol=1e-10)
    np.testing.assert_allclose(result.scores, z @ first, atol=1e-10)
    assert result.explained == pytest.approx(singular[0] ** 2 / (singular**2).sum())


def test_pca_sign_follows_the_indicators():
    data = indicator_panel(seed=16)
    result = measures.pca_index(data)
    assert result.loadings.sum() > 0 and (result.loadings > 0).all()
    assert np.corrcoef(result.scores, data.sum(axis=1))[0, 1] > 0.5
    flipped = measures.pca_index(-data)  # same correlations, so same loadings; scores flip
    pd.testing.assert_series_equal(flipped.loadings, result.loadings)
    np.testing.assert_allclose(flipped.scores, -result.scores, atol=1e-10)


# --- location quotient --------------------------------------------------------------------------

def test_location_quotient_by_hand():
    sector = panel_series({("A", 2011): 1, ("B", 2011): 3, ("A", 2012): 2, ("B", 2012): 2})
    total = panel_series({("A", 2011): 10, ("B", 2011): 10, ("A", 2012): 10, ("B", 2012): 30})
    # 2011: shares 0.1, 0.3, all 4 / 20 = 0.2. 2012: shares 0.2, 1/15, all 4 / 40 = 0.1.
    np.testing.assert_allclose(measures.location_quotient(sector, total), [0.5, 2, 1.5, 2 / 3])


def test_location_quotient_weighted_mean_is_one():
    data = random_panel(list("ABCDEFG"), range(2011, 2016), ["sector", "total"], seed=17)
    lq = measures.location_quotient(data["sector"], data["total"] * 10)
    weighted = (lq * data["total"]).groupby(level="year").sum() / data["total"].groupby(
        level="year").sum()
    np.testing.assert_allclose(weighted, 1, rtol=1e-12)


def test_location_quotient_refuses_bad_input():
    data = random_panel(list("AB"), [2011], ["sector", "total"], seed=18)
    with pytest.raises(ValueError, match="total has no value for B in 2011"):
        measures.location_quotient(data["sector"], data["total"].drop(("B", 2011)))
    with pytest.raises(ValueError, match="sector is negative for A in 2011"):
        measures.location_quotient(-data["sector"], data["total"])


# --- backcast -----------------------------------------------------------------------------------

YEARS = range(2011, 2022)


def test_backcast_is_exact_for_constant_growth():
    late = {("A", year): 100 * 1.1 ** (year - 2011) for year in range(2013, 2022)}
    full = {("B", year): 50 + year - 2011 for year in YEARS}
    series = panel_series({**late, **full}, "mobile")
    filled, flags = measures.backcast(series, YEARS)
    assert filled[("A", 2011)] == pytest.approx(100) and filled[("A", 2012)] == pytest.approx(110)
    assert flags[flags].index.tolist() == [("A", 2011), ("A", 2012)]
    pd.testing.assert_series_equal(filled[~flags], series.sort_index())
    assert flags.name == "mobile_backcast" and len(filled) == 2 * len(YEARS)


def test_backcast_uses_the_first_k_observations_and_skips_missing_cells():
    # Growth 1.5 then 0.96: mean log growth over the first k = 3 observations is ln(1.44) / 2 = ln 1.2.
    values = {("A", 2011): np.nan, ("A", 2012): np.nan, ("A", 2013): 100, ("A", 2014): 150,
              ("A", 2015): 144, ("A", 2016): 400}
    filled, flags = measures.backcast(panel_series(values, "x"), range(2011, 2017))
    assert filled[("A", 2012)] == pytest.approx(100 / 1.2)
    assert filled[("A", 2011)] == pytest.approx(100 / 1.44)
    assert flags.sum() == 2


def test_backcast_refuses_gaps_short_and_non_positive_series():
    gap = panel_series({("A", year): 1.0 + year - 2013 for year in (2013, 2014, 2015, 2017)}, "x")
    with pytest.raises(ValueError, match="x has no value for A in 2016"):
        measures.backcast(gap, range(2011, 2018))
    short = panel_series({("A", 2020): 1.0, ("A", 2021): 2.0}, "x")
    with pytest.raises(ValueError, match="x has 2 observations for A, backcast needs k = 3"):
        measures.backcast(short, YEARS)
    zero = panel_series({("A", year): float(year - 2013) for year in range(2013, 2022)}, "x")
    with pytest.raises(ValueError, match="x must be positive.*A in 2013"):
        measures.backcast(zero, YEARS)


# --- DEA: returns to scale, orientation, super-efficiency, frontiers -------------------------------
# One input, one output: A (2, 1), B (4, 3), C (6, 4), D (5, 2) in 2011. Under CRS the efficiency is
# productivity over the best productivity (B, 0.75): A 0.5 / 0.75, C (4/6) / 0.75, D 0.4 / 0.75.
# Under VRS the frontier runs A-B-C (slopes 1, then 0.5): D reaches y = 2 on A-B at x = 3 (input
# efficiency 3/5) and at x = 5 the frontier on B-C gives y = 3.5 (output distance 2 / 3.5).

FOUR = panel_series({("A", 2011): 1, ("B", 2011): 3, ("C", 2011): 4, ("D", 2011): 2}, "y").to_frame()
FOUR["x"] = [2, 4, 6, 5]


def four(**options):
    return measures.dea_efficiency(FOUR[["x"]], FOUR["y"], FOUR[["x"]], FOUR["y"], **options)


def test_dea_returns_to_scale_and_orientation_by_hand():
    crs = [0.5 / 0.75, 1, (4 / 6) / 0.75, 0.4 / 0.75]
    np.testing.assert_allclose(four(), crs, rtol=1e-9)
    np.testing.assert_allclose(four(orientation="input"), crs, rtol=1e-9)
    np.testing.assert_allclose(four(rts="vrs", orientation="input"), [1, 1, 1, 3 / 5], rtol=1e-9)
    np.testing.assert_allclose(four(rts="vrs", orientation="output"), [1, 1, 1, 2 / 3.5], rtol=1e-9)
    with pytest.raises(ValueError, match="rts must be one of"):
        four(rts="drs")


def test_super_efficiency_by_hand():
    # Without itself B faces C's productivity 4/6: 0.75 / (4/6) = 1.125; the others are unchanged.
    reference = ~np.eye(4, dtype=bool)
    np.testing.assert_allclose(four(reference=reference),
                               [0.5 / 0.75, 1.125, (4 / 6) / 0.75, 0.4 / 0.75], rtol=1e-9)
    # SBM equals CCR with one input and one output; super-SBM of B is the same ratio 1.125.
    np.testing.assert_allclose(measures.sbm_super_efficiency(FOUR[["x"]], FOUR["y"]),
                               [0.5 / 0.75, 1.125, (4 / 6) / 0.75, 0.4 / 0.75], rtol=1e-8)


def test_sbm_and_super_efficiency_with_two_inputs_by_hand():
    # A = (2, 4; 1), B = (4, 2; 1), C = (4, 4; 1). C: any lambda_A, lambda_B with lambda_A + lambda_B
    # >= 1 gives rho = (1 - (s1 + s2) / 8) / (lambda_A + lambda_B) = 0.75. A without itself: the
    # cheapest bound xbar >= (4, 2) lambda_B + (4, 4) lambda_C, xbar >= (2, 4), ybar = 1 is
    # xbar = (4, 4), delta = (4/2 + 4/4) / 2 = 1.5, and B alike. Radial super-efficiency of A
    # (Andersen & Petersen): (4, 4) lambda <= theta (2, 4) with lambda >= 1 gives theta = 2.
    data = panel_series({("A", 2011): 1, ("B", 2011): 1, ("C", 2011): 1}, "y").to_frame()
    data["x1"], data["x2"] = [2, 4, 4], [4, 2, 4]
    np.testing.assert_allclose(measures.sbm_super_efficiency(data[["x1", "x2"]], data["y"]),
                               [1.5, 1.5, 0.75], rtol=1e-8)
    radial = measures.dea_efficiency(data[["x1", "x2"]], data["y"], data[["x1", "x2"]], data["y"],
                                     reference=~np.eye(3, dtype=bool))
    np.testing.assert_allclose(radial, [2, 2, 0.75], rtol=1e-8)


def test_infeasible_vrs_programme_names_province_and_year():
    unit = panel_series({("E", 2012): 1}, "y").to_frame().assign(x=1.0)  # less input than any
    with pytest.raises(ValueError, match=r"DEA \(vrs, output\) has no solution for E in 2012"):
        measures.dea_efficiency(unit[["x"]], unit["y"], FOUR[["x"]], FOUR["y"], rts="vrs")
    with pytest.raises(ValueError, match="the reference set is empty for E in 2012"):
        measures.dea_efficiency(unit[["x"]], unit["y"], FOUR[["x"]], FOUR["y"], reference=np.zeros((1, 4)))


def test_efficiency_frontiers_with_one_input():
    data = random_panel(list("ABCD"), range(2011, 2015), ["y", "x"], seed=11)
    p = data["y"] / data["x"]
    best = p.groupby(level="year").max()
    year = p.index.get_level_values("year")
    expected = {"contemporaneous": p / best.reindex(year).to_numpy(),
                "sequential": p / best.cummax().reindex(year).to_numpy(),
                "global": p / p.max()}
    for frontier, values in expected.items():
        np.testing.assert_allclose(measures.efficiency(data, "y", ["x"], frontier), values, rtol=1e-8)


def test_unknown_frontiers_are_refused():
    data = random_panel(list("ABC"), range(2011, 2014), ["y", "x"], seed=15)
    with pytest.raises(ValueError, match=r"frontier must be one of \('contemporaneous', 'sequential', 'global'\), got 'biennial'"):
        measures.efficiency(data, "y", ["x"], "biennial")
    with pytest.raises(ValueError, match=r"frontier must be one of \('adjacent', .*got 'contemporaneous'"):
        measures.malmquist(data, "y", ["x"], "contemporaneous")


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("frontier", measures.FRONTIERS)
def test_malmquist_frontiers_with_one_input_give_the_productivity_ratio(frontier, seed):
    data = random_panel(list("ABCDE"), range(2011, 2015), ["y", "x"], seed=1200 + seed)
    result = measures.malmquist(data, "y", ["x"], frontier=frontier)
    productivity = data["y"] / data["x"]
    growth = productivity / productivity.groupby(level="province").shift(1)
    np.testing.assert_allclose(result["M"], growth.dropna().sort_index(), rtol=1e-8)
    # with one input, efficiency is productivity over the year's best: EC by hand, TC = M / EC
    efficiency = productivity / productivity.groupby(level="year").transform("max")
    ec = (efficiency / efficiency.groupby(level="province").shift(1)).dropna().sort_index()
    np.testing.assert_allclose(result["EC"], ec, rtol=1e-8)
    np.testing.assert_allclose(result["TC"], growth.dropna().sort_index() / ec, rtol=1e-8)


@pytest.mark.parametrize("seed", range(10))
def test_sequential_biennial_and_global_malmquist_against_vertex_enumeration(seed):
    data = random_panel(list("ABCDE"), [2011, 2012, 2013], ["y", "x1", "x2"], seed=1300 + seed)
    inputs = ["x1", "x2"]

    def d(frontier_years, year):
        frontier = data[data.index.get_level_values("year").isin(frontier_years)]
        units = one_year(data, year)
        return np.array([brute_force_distance(x, y, frontier[inputs].to_numpy(), frontier["y"].to_numpy())
                         for x, y in zip(units[inputs].to_numpy(), units["y"])])

    sequential = np.concatenate([np.sqrt(d(range(2011, t), t) / d(range(2011, t), t - 1)
                                         * d(range(2011, t + 1), t) / d(range(2011, t + 1), t - 1))
                                 for t in (2012, 2013)])
    biennial = np.concatenate([d([t - 1, t], t) / d([t - 1, t], t - 1) for t in (2012, 2013)])
    every = [2011, 2012, 2013]
    global_ = np.concatenate([d(every, t) / d(every, t - 1) for t in (2012, 2013)])
    index = pd.MultiIndex.from_tuples([(p, t) for t in (2012, 2013) for p in "ABCDE"], names=INDEX)
    for frontier, expected in [("sequential", sequential), ("biennial", biennial), ("global", global_)]:
        result = measures.malmquist(data, "y", inputs, frontier=frontier)
        np.testing.assert_allclose(result["M"], pd.Series(expected, index=index).sort_index(), rtol=1e-7)


@pytest.mark.parametrize("seed", range(10))
def test_vrs_biennial_and_global_malmquist_are_ratios_of_pooled_scores(seed):
    data = random_panel(list("ABCDE"), [2011, 2012, 2013], ["y", "x1", "x2"], seed=1400 + seed)
    inputs = ["x1", "x2"]

    def scores(years, orientation):
        pooled = data[data.index.get_level_values("year").isin(years)]
        return measures.dea_efficiency(pooled[inputs], pooled["y"], pooled[inputs], pooled["y"],
                                       rts="vrs", orientation=orientation)

    def ratio(score, t):
        return one_year(score, t) / one_year(score, t - 1).droplevel("year").to_numpy()

    for orientation in measures.ORIENTATIONS:
        biennial = pd.concat([ratio(scores([t - 1, t], orientation), t) for t in (2012, 2013)])
        whole = scores([2011, 2012, 2013], orientation)
        global_ = pd.concat([ratio(whole, t) for t in (2012, 2013)])
        for frontier, expected in [("biennial", biennial), ("global", global_)]:
            result = measures.malmquist(data, "y", inputs, frontier, "vrs", orientation)
            np.testing.assert_allclose(result["M"], expected.sort_index(), rtol=1e-8)


def multiplier_score(x_o, y_o, fx, fy, rts, orientation):
    """The DEA score from the multiplier (dual) form over the whole reference set: output
    orientation phi = min v x_o + w s.t. u y_o = 1, v x_j - u y_j + w >= 0, returning 1 / phi; input
    orientation theta = max u y_o + w s.t. v x_o = 1, u y_j - v x_j + w <= 0; u, v >= 0 and w free
    under VRS, 0 under CRS (Charnes, Cooper & Rhodes 1978; Banker, Charnes & Cooper 1984)."""
    m, ones = len(x_o), np.ones(len(fy))
    bounds = [(0, None)] * (m + 1) + [(None, None) if rts == "vrs" else (0, 0)]  # v, u, w
    if orientation == "output":
        result = linprog(np.r_[x_o, 0.0, 1.0], A_ub=-np.c_[fx, -fy, ones], b_ub=0 * ones,
                         A_eq=np.r_[0 * x_o, y_o, 0.0][None, :], b_eq=[1.0], bounds=bounds, method="highs")
        return 1 / result.fun
    result = linprog(-np.r_[0 * x_o, y_o, 1.0], A_ub=np.c_[-fx, fy, ones], b_ub=0 * ones,
                     A_eq=np.r_[x_o, 0.0, 0.0][None, :], b_eq=[1.0], bounds=bounds, method="highs")
    return -result.fun


@pytest.mark.parametrize("rts, orientation", list(itertools.product(measures.RTS, measures.ORIENTATIONS)))
def test_dropping_dominated_frontier_units_keeps_every_score(rts, orientation):
    # 60 units and a copy of each unit that maximises y / x1, y / x2 or y / (x1 + x2), which is
    # efficient: most units are dominated and left out of the programmes, which must still give the
    # scores of the multiplier form over all units, for each unit and, under CRS, each unit without
    # itself in its reference set (super-efficiency).
    data = random_panel([f"P{i}" for i in range(60)], [2011], ["y", "x1", "x2"], seed=22)
    best = list({(data["y"] / inputs).idxmax() for inputs in (data["x1"], data["x2"], data["x1"] + data["x2"])})
    data = pd.concat([data, data.loc[best].rename(index=lambda p: f"copy of {p}", level="province")])
    x, y = data[["x1", "x2"]].to_numpy(), data["y"].to_numpy()
    references = [np.ones((len(y), len(y)), bool)] + ([~np.eye(len(y), dtype=bool)] if rts == "crs" else [])
    for reference in references:
        kept, _ = measures._programmes(x, y, x, y, reference, rts, orientation)
        assert kept.sum(axis=1).max() < len(y) / 2
        ours = measures.dea_efficiency(data[["x1", "x2"]], data["y"], data[["x1", "x2"]], data["y"], rts,
                                       orientation, reference)
        expected = [multiplier_score(x[o], y[o], x[members], y[members], rts, orientation)
                    for o, members in enumerate(reference)]
        np.testing.assert_allclose(ours, expected, rtol=1e-9)


@pytest.mark.parametrize("rts, orientation", list(itertools.product(measures.RTS, measures.ORIENTATIONS)))
def test_frontiers_of_several_years_without_units_below_their_own_year_keep_every_score(rts, orientation):
    # 12 provinces x 4 years: most units lie below their own year's frontier and are left out of the
    # sequential and global frontiers, whose scores must still be those of the multiplier form over
    # every unit of the years they span.
    data = random_panel([f"P{i:02d}" for i in range(12)], range(2011, 2015), ["y", "x1", "x2"], seed=23)
    own = measures.efficiency(data, "y", ["x1", "x2"], "contemporaneous", rts, orientation)
    assert (own < 0.9).mean() > 0.5
    x, y, year = data[["x1", "x2"]].to_numpy(), data["y"].to_numpy(), data.index.get_level_values("year")
    for frontier, spanned in [("sequential", lambda t: year <= t), ("global", lambda t: year > 0)]:
        expected = [multiplier_score(x[o], y[o], x[spanned(t)], y[spanned(t)], rts, orientation)
                    for o, t in enumerate(year)]
        np.testing.assert_allclose(measures.efficiency(data, "y", ["x1", "x2"], frontier, rts, orientation),
                                   expected, rtol=1e-9, err_msg=frontier)


def test_a_programme_posed_again_is_solved_once(monkeypatch):
    data = random_panel(list("ABCDEF"), [2011, 2012], ["y", "x1", "x2"], seed=21)
    first = measures.efficiency(data, "y", ["x1", "x2"], "contemporaneous", "vrs", "input")
    stacked, solved = measures._stacked, []

    def counted(blocks, labels, what):
        solved.extend(labels)
        return stacked(blocks, labels, what)
    monkeypatch.setattr(measures, "_stacked", counted)
    pd.testing.assert_series_equal(measures.efficiency(data, "y", ["x1", "x2"], "contemporaneous", "vrs", "input"), first)
    assert solved == []
    # Ten times the output for A in 2012 puts A on the 2012 frontier: only the 2012 programmes are new.
    changed = data.copy()
    changed.loc[("A", 2012), "y"] *= 10
    again = measures.efficiency(changed, "y", ["x1", "x2"], "contemporaneous", "vrs", "input")
    assert sorted(solved) == sorted(data.index[data.index.get_level_values("year") == 2012])
    pd.testing.assert_series_equal(again.xs(2011, level="year"), first.xs(2011, level="year"))


# --- normalisation and CRITIC ---------------------------------------------------------------------

def test_minmax_pooled_and_by_year():
    x = panel_series({("A", 2011): 1, ("B", 2011): 3, ("A", 2012): 2, ("B", 2012): 10}, "v").to_frame()
    np.testing.assert_allclose(measures.minmax(x)["v"], [0, 2 / 9, 1 / 9, 1])
    np.testing.assert_allclose(measures.minmax(x, by_year=True)["v"], [0, 1, 0, 1])


def test_critic_weights_by_hand():
    # x1 = (0, .5, 1), x2 = (1, 0, .5), x3 = (0, .2, 1): s = .5, .5, sqrt(.28); r12 = -.5,
    # r13 = .5 / sqrt(.28) = .94491, r23 = -.1 / sqrt(.28) = -.18898. C1 = .5 (1.5 + .05509),
    # C2 = .5 (1.5 + 1.18898), C3 = sqrt(.28) (.05509 + 1.18898); w = C / sum C.
    x = pd.DataFrame({"x1": [0, .5, 1], "x2": [1, 0, .5], "x3": [0, .2, 1]},
                     index=pd.MultiIndex.from_tuples([("A", 1), ("B", 1), ("C", 1)], names=INDEX))
    r13, r23 = .5 / math.sqrt(.28), -.1 / math.sqrt(.28)
    c = np.array([.5 * (1.5 + 1 - r13), .5 * (1.5 + 1 - r23), math.sqrt(.28) * (2 - r13 - r23)])
    np.testing.assert_allclose(measures.critic_weights(x), c / c.sum(), rtol=1e-12)
