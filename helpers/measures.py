"""The constructed measures of the study: capital stock, DEA-Malmquist and growth-accounting TFP,
entropy-weight and PCA indices of the digital economy, the location quotient, and backcasting.

Convention: every panel is a pandas object indexed by a (province, year) MultiIndex with integer
years - a Series for one variable, a DataFrame (columns = variables) for several. Results use the
same index, sorted. Bad input (a missing cell, a gap in the years, a non-positive value where a
log or DEA needs a positive one) raises ValueError naming the series, the province and the year.
All functions are pure: they never modify their arguments. The DEA programmes solved are kept for
reuse within the process (_SOLVED, keyed by everything that defines them).
"""
import hashlib
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import block_diag, coo_matrix


INDEX = ["province", "year"]
# CHNCapitalStock's initial stock for Chongqing in 1996 (1952 prices): Sichuan's 1995 stock (1,090)
# times the ratio of Chongqing's to Sichuan's 1996 capital formation (313/850; gfcf: 313.61, 850.35);
# R/CompK_ZJ.R. Sichuan's own stock is not reduced by it, as in the package.
CHONGQING_K1996 = 1090 * 313 / 850
ENTROPY_SHIFT = 0.0001


# --- validation ---------------------------------------------------------------------------------

def _check_index(obj, name):
    if list(obj.index.names) != INDEX:
        raise ValueError(f"{name}: index must be (province, year), got {list(obj.index.names)}")
    if obj.index.has_duplicates:
        province, year = obj.index[obj.index.duplicated()][0]
        raise ValueError(f"{name}: more than one value for {province} in {year}")


def _check_values(obj, name, positive=False):
    """No missing cell (and, if `positive`, no value <= 0) in a Series or in any DataFrame column."""
    _check_index(obj, name)
    frame = obj.to_frame(name) if isinstance(obj, pd.Series) else obj
    for column in frame:
        values = frame[column]
        label = name if isinstance(obj, pd.Series) else f"{name}[{column!r}]"
        missing = values.isna().to_numpy()
        if missing.any():
            province, year = values.index[missing][0]
            raise ValueError(f"{label} has no value for {province} in {year}")
        if positive and (values <= 0).any():
            province, year = values.index[(values <= 0).to_numpy()][0]
            raise ValueError(f"{label} must be positive (it enters a log or a DEA) but is "
                             f"{values[(province, year)]} for {province} in {year}")


def _require(obj, name, keys):
    """`obj` has a row for each (province, year) in `keys`."""
    present = set(obj.index)
    for province, year in keys:
        if (province, year) not in present:
            raise ValueError(f"{name} has no value for {province} in {year}")


def _check_years(obj, name, years):
    """Every province of `obj` has every year of `years`."""
    provinces = obj.index.get_level_values("province").unique()
    _require(obj, name, [(province, year) for province in sorted(provinces) for year in years])


def _contiguous(obj, name):
    """Every province's years run without a gap from its first to its last year."""
    for province, group in obj.groupby(level="province", sort=True):
        years = group.index.get_level_values("year")
        _require(obj, name, [(province, year) for year in range(years.min(), years.max() + 1)])


def _aligned(**series):
    """The named Series side by side; each must have a value wherever any of them has one."""
    for name, values in series.items():
        _check_index(values, name)
    index = pd.MultiIndex.from_tuples(
        sorted(set().union(*(values.index for values in series.values()))), names=INDEX)
    frame = pd.DataFrame({name: values.reindex(index) for name, values in series.items()})
    for name in series:
        _check_values(frame[name], name)
    return frame


# --- 1. capital stock ---------------------------------------------------------------------------

def capital_stock(investment, price_index, delta=0.096, base_year=2010, initial="zhang2004",
                  rebase_initial=False):
    """Capital stock by the perpetual inventory method of Zhang, Wu & Zhang (2004), as coded in
    the R package CHNCapitalStock (`CompK(method = "ZJ", bt = base_year)`, common2016/CapitalStock).

    K_t = (1 - delta) K_{t-1} + I_t P_b / P_t for every year after a province's first year t0,
    with I nominal investment (gross fixed capital formation), P a fixed-base investment price index
    (1952 = 1 in the package) and P_b its value in `base_year`; delta defaults to the package's 0.096
    (1 - 0.904 in Zhang et al.); the project passes config.DEPRECIATION (helpers.variables.capital).
    Initial stock, `initial="zhang2004"`: K_t0 = (I_t0 / P_t0) / 0.1, real first-year investment over
    the 10% ratio of Zhang et al. (K_1952 = I_1952 / 0.1); a Series indexed by province overrides
    this for the provinces it lists, at the index's base prices (e.g. {"Chongqing": CHONGQING_K1996}
    for Chongqing, whose series start in 1996, as the package does; its index continues Sichuan's,
    so a base_year before 1996 needs Sichuan's P for that year, as in the package).

    `rebase_initial=False` follows the package: its K_t0 stays at index-base (1952) prices while the
    flows are at `base_year` prices, which reproduces its published values (at 2000 prices Beijing
    K_2000 = 7,066.979, Chongqing K_2000 = 2,143.611). `True` multiplies K_t0 by P_b as well, so
    K equals the 1952-price stock times P_b exactly (Chongqing K_2000 = 3,373.885); the two differ
    by K_t0 (P_b - 1)(1 - delta)^(t - t0), negligible for provinces starting in 1952.
    Each province's investment years must be contiguous; the price index must cover them and
    `base_year`. Returns K (same units as I, `base_year` prices) indexed like `investment`.
    """
    _check_values(investment, "investment")
    _contiguous(investment, "investment")
    _check_values(price_index, "price_index", positive=True)
    if not (isinstance(initial, pd.Series) or initial == "zhang2004"):
        raise ValueError(f'initial must be "zhang2004" or a Series by province, got {initial!r}')
    stocks = []
    for province, flows in investment.groupby(level="province", sort=True):
        years = list(flows.index.get_level_values("year"))
        _require(price_index, "price_index", [(province, year) for year in [*years, base_year]])
        prices = price_index.xs(province, level="province")
        real = flows.to_numpy() * prices[base_year] / prices[years].to_numpy()
        if isinstance(initial, pd.Series) and province in initial.index:
            k0 = initial[province]
        else:
            k0 = flows.iloc[0] / prices[years[0]] / 0.1
        stock = np.empty(len(real))
        stock[0] = k0 * prices[base_year] if rebase_initial else k0
        for t in range(1, len(real)):
            stock[t] = (1 - delta) * stock[t - 1] + real[t]
        stocks.append(pd.Series(stock, index=flows.index))
    return pd.concat(stocks).sort_index().rename("capital")


# --- 2. DEA and the Malmquist index -------------------------------------------------------------

RTS = ("crs", "vrs")
ORIENTATIONS = ("output", "input")


def _stacked(programme, labels, what):
    """Solve independent LPs, one per label, as one HiGHS programme (`linprog`): programme(units)
    gives linprog's c, A_ub, b_ub, A_eq, b_eq of the LPs of the listed units (positions in `labels`)
    stacked block-diagonally, and where each unit's variables start. Returns each unit's solution.
    If the stack fails, the units are solved one by one and the first failing one is named by its
    label (province, year)."""
    def solve(units):
        lp, starts = programme(units)
        return linprog(**lp, method="highs"), starts
    solution, starts = solve(np.arange(len(labels)))
    if not solution.success:
        for unit, (province, year) in enumerate(labels):
            single, _ = solve([unit])
            if not single.success:
                raise ValueError(f"{what} has no solution for {province} in {year}: {single.message}")
        raise RuntimeError(f"{what} failed: {solution.message}")
    return np.split(solution.x, starts[1:])


def _diagonal(blocks):
    """The programme of LP blocks, each a dict c, A_ub, b_ub, A_eq, b_eq (dense; A_eq in all blocks
    or in none), stacked block-diagonally for `_stacked`, and where each block's variables start."""
    eq = [b for b in blocks if b.get("A_eq") is not None]
    if eq and len(eq) != len(blocks):
        raise ValueError("blocks must all or none have equality constraints")
    rows = sum(len(b["b_ub"]) for b in blocks)
    lp = {"c": np.concatenate([b["c"] for b in blocks]),
          "A_ub": block_diag([b["A_ub"] for b in blocks], format="csr") if rows else None,
          "b_ub": np.concatenate([b["b_ub"] for b in blocks]) if rows else None,
          "A_eq": block_diag([b["A_eq"] for b in blocks], format="csr") if eq else None,
          "b_eq": np.concatenate([b["b_eq"] for b in blocks]) if eq else None}
    return lp, np.cumsum([0] + [len(b["c"]) for b in blocks[:-1]])


def _dea_inputs(inputs, output, frontier_inputs, frontier_output, reference):
    for obj, name in [(inputs, "inputs"), (output, "output"),
                      (frontier_inputs, "frontier_inputs"), (frontier_output, "frontier_output")]:
        _check_values(obj, name, positive=True)
    _require(output, "output", inputs.index)
    _require(frontier_output, "frontier_output", frontier_inputs.index)
    x = inputs.to_numpy(float)
    y = output.reindex(inputs.index).to_numpy(float)
    fx = frontier_inputs[inputs.columns].to_numpy(float)
    fy = frontier_output.reindex(frontier_inputs.index).to_numpy(float)
    reference = (np.ones((len(x), len(fx)), bool) if reference is None
                 else np.asarray(reference, bool))
    if reference.shape != (len(x), len(fx)):
        raise ValueError(f"reference must be units x frontier units {(len(x), len(fx))}, "
                         f"got {reference.shape}")
    if not reference.any(axis=1).all():
        province, year = inputs.index[~reference.any(axis=1)][0]
        raise ValueError(f"the reference set is empty for {province} in {year}")
    return x, y, fx, fy, reference


# The optimum (phi or theta) of every DEA programme solved in this process, by what determines it
# (`_programmes`): a programme that several calls pose (the grid's constructions evaluate the same
# units against the same frontiers many times) is solved once.
_SOLVED: dict[tuple, float] = {}


def _dominates(fx, fy, rts):
    """dominates[j, k]: frontier unit j dominates unit k, x_j <= x_k and y_j >= y_k (under CRS after
    scaling both to one unit of output, x_j / y_j <= x_k / y_k), strictly in one of them or, for
    equal units, j before k. Then k lies in the technology of j alone (free disposal), so dropping k
    from a reference set holding j leaves the technology, hence every DEA score, unchanged."""
    points = fx / fy[:, None] if rts == "crs" else np.c_[fx, -fy]
    weak = (points[:, None, :] <= points[None, :, :]).all(axis=2)
    strict = (points[:, None, :] < points[None, :, :]).any(axis=2)
    order = np.arange(len(points))
    return weak & (strict | (order[:, None] < order[None, :]))


def _programmes(x, y, fx, fy, reference, rts, orientation):
    """Each unit's DEA programme: its reference set without the units another of its units dominates
    (`_dominates`; the relation is transitive and acyclic, so every dropped unit is dominated by a kept
    one), and its key in _SOLVED, made of returns to scale, orientation, the unit's data and a digest
    of the kept units' data. Returns the kept sets (units x frontier units) and the keys."""
    dominates = _dominates(fx, fy, rts)
    sets = [row.tobytes() for row in np.packbits(reference, axis=1)]
    spanning = {}
    for members, key in zip(reference, sets):
        if key not in spanning:
            kept = members & ~dominates[members].any(axis=0)
            spanning[key] = kept, hashlib.blake2b(np.c_[fx[kept], fy[kept]].tobytes(), digest_size=16).digest()
    kept = np.array([spanning[key][0] for key in sets])
    return kept, [(rts, orientation, x_o.tobytes(), float(y_o), spanning[key][1]) for x_o, y_o, key in zip(x, y, sets)]


def _dea_stack(x, y, fx, fy, kept, rts, orientation):
    """The DEA programmes of the units (rows of x, y) against their reference units (kept[o], rows of
    fx, fy), stacked for `_stacked`. Each unit's variables: phi (output orientation) or theta (input),
    then lambda_j, all >= 0. Output: phi y_o - sum lambda_j y_j <= 0, sum lambda_j x_ij <= x_io;
    input: sum lambda_j x_ij - theta x_io <= 0, -sum lambda_j y_j <= -y_o; VRS: sum lambda_j = 1."""
    n, m = x.shape
    unit, member = np.nonzero(kept)  # a lambda per pair (unit, reference unit), by unit
    score = np.searchsorted(unit, np.arange(n)) + np.arange(n)  # each unit's phi or theta
    lam = np.arange(len(unit)) + unit + 1  # and its lambdas after it
    # Each unit's m + 1 rows: the output row, then the input rows (output orientation), or the reverse.
    first = np.arange(n) * (m + 1)
    y_row, x_rows = (0, 1 + np.arange(m)) if orientation == "output" else (m, np.arange(m))
    rows = [first[unit] + y_row, *(first[unit] + r for r in x_rows)]
    columns = [lam] * (m + 1)
    values = [-fy[member], *fx[member].T]
    if orientation == "output":  # + phi y_o in the output row
        rows, columns, values = [*rows, first + y_row], [*columns, score], [*values, y]
        b_ub = np.c_[np.zeros(n), x]
    else:  # - theta x_io in each input row
        rows, columns, values = [*rows, *(first + r for r in x_rows)], [*columns, *[score] * m], [*values, *-x.T]
        b_ub = np.c_[np.zeros((n, m)), -y]
    c = np.zeros(len(unit) + n)
    c[score] = -1.0 if orientation == "output" else 1.0
    lp = {"c": c, "b_ub": b_ub.ravel(),
          "A_ub": coo_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
                             shape=(n * (m + 1), len(c))).tocsr()}
    if rts == "vrs":
        lp.update(A_eq=coo_matrix((np.ones(len(unit)), (unit, lam)), shape=(n, len(c))).tocsr(), b_eq=np.ones(n))
    return lp, score


def _scores(x, y, fx, fy, reference, rts, orientation, labels):
    """`dea_efficiency` on arrays its callers have checked: each unit (rows of x, y) against the
    frontier units (rows of fx, fy) of its row of `reference`. Returns D = 1 / phi or theta."""
    if rts not in RTS or orientation not in ORIENTATIONS:
        raise ValueError(f"rts must be one of {RTS} and orientation one of {ORIENTATIONS}, "
                         f"got {rts!r}, {orientation!r}")
    kept, keys = _programmes(x, y, fx, fy, reference, rts, orientation)
    new = {}
    for unit, key in enumerate(keys):
        if key not in _SOLVED:
            new.setdefault(key, unit)
    if new:
        units = list(new.values())
        solutions = _stacked(lambda chosen: _dea_stack(x[units][chosen], y[units][chosen], fx, fy,
                                                       kept[units][chosen], rts, orientation),
                             labels[units], f"DEA ({rts}, {orientation})")
        _SOLVED.update(zip(new, (solution[0] for solution in solutions)))
    score = np.array([_SOLVED[key] for key in keys])
    return 1 / score if orientation == "output" else score


def dea_efficiency(inputs, output, frontier_inputs, frontier_output, rts="crs",
                   orientation="output", reference=None):
    """Farrell efficiency of each unit against a DEA frontier (Charnes, Cooper & Rhodes 1978 under
    constant returns, `rts="crs"`; Banker, Charnes & Cooper 1984 under variable returns, "vrs").

    Output orientation: phi = max phi s.t. sum_j lambda_j y_j >= phi y, sum_j lambda_j x_j <= x,
    lambda >= 0 (and sum_j lambda_j = 1 under VRS); returns the output distance D = 1 / phi (Färe,
    Grosskopf, Norris & Zhang 1994). Input orientation: theta = min theta s.t. sum_j lambda_j x_j <=
    theta x, sum_j lambda_j y_j >= y; returns theta. Under CRS the two coincide.

    `inputs` (DataFrame, one column per input) and `output` (Series) are the evaluated units; the
    frontier is spanned by the units of `frontier_inputs`/`frontier_output`, for unit o only those
    with reference[o, j] True (a boolean units x frontier-units array; default all), e.g. without o
    itself for super-efficiency (Andersen & Petersen 1993). A unit outside its frontier scores
    above 1. Reference units that another one dominates are left out (`_programmes`, which leaves
    the scores unchanged); the LPs not solved before in this process (_SOLVED) are stacked
    block-diagonally into one HiGHS call (`linprog`); an infeasible one (possible under VRS outside
    the frontier's sample) is an error naming the unit. Returns the scores indexed like `inputs`.
    """
    x, y, fx, fy, reference = _dea_inputs(inputs, output, frontier_inputs, frontier_output, reference)
    return pd.Series(_scores(x, y, fx, fy, reference, rts, orientation, inputs.index), index=inputs.index,
                     name="distance")


def sbm_super_efficiency(inputs, output):
    """Slacks-based efficiency under CRS (Tone 2001) of each unit against the frontier of all the
    units given, and for the units on it (rho = 1) their super-efficiency (Tone 2002), >= 1.

    SBM: rho = min (1 - (1/m) sum_i s_i^- / x_io) / (1 + s^+ / y_o) s.t. x_o = X lambda + s^-,
    y_o = Y lambda - s^+, lambda, s >= 0; by Charnes-Cooper: min t - (1/m) sum S_i^- / x_io s.t.
    t + S^+ / y_o = 1, X Lambda + S^- - t x_o = 0, Y Lambda - S^+ - t y_o = 0.
    Super-SBM: delta = min ((1/m) sum_i xbar_i / x_io) / (ybar / y_o) s.t. xbar >= sum_{j != o}
    lambda_j x_j, ybar <= sum_{j != o} lambda_j y_j, xbar >= x_o, 0 <= ybar <= y_o; linear after
    the same transformation. One output (Series), inputs a DataFrame. Returns rho, or delta where
    rho = 1 (to 1e-9), indexed like `inputs`.
    """
    x, y, _, _, reference = _dea_inputs(inputs, output, inputs, output, None)
    m = x.shape[1]
    sbm = []
    for x_o, y_o in zip(x, y):  # variables t, Lambda (n), S^- (m), S^+
        a_eq = np.vstack([np.r_[1.0, np.zeros(len(y) + m), 1 / y_o],
                          np.c_[-x_o, x.T, np.eye(m), np.zeros(m)],
                          np.r_[-y_o, y, np.zeros(m), -1.0]])
        sbm.append({"c": np.r_[1.0, np.zeros(len(y)), -1 / (m * x_o), 0.0],
                    "A_ub": np.zeros((0, len(y) + m + 2)), "b_ub": np.zeros(0),
                    "A_eq": a_eq, "b_eq": np.r_[1.0, np.zeros(m + 1)]})
    solutions = _stacked(lambda units: _diagonal([sbm[u] for u in units]), inputs.index, "SBM")
    rho = np.array([b["c"] @ s for b, s in zip(sbm, solutions)])
    efficient = np.flatnonzero(rho > 1 - 1e-9)
    blocks = []
    for o in efficient:  # variables t, Lambda (n - 1, without o), xbar (m), ybar
        others = np.arange(len(y)) != o
        x_o, y_o, ref_x, ref_y = x[o], y[o], x[others], y[others]
        k = len(ref_y)
        a_ub = np.vstack([np.c_[np.zeros(m), ref_x.T, -np.eye(m), np.zeros(m)],   # X L <= xbar
                          np.r_[0.0, -ref_y, np.zeros(m), 1.0],                   # ybar <= Y L
                          np.c_[x_o, np.zeros((m, k)), -np.eye(m), np.zeros(m)],  # t x_o <= xbar
                          np.r_[-y_o, np.zeros(k + m), 1.0]])                     # ybar <= t y_o
        blocks.append({"c": np.r_[0.0, np.zeros(k), 1 / (m * x_o), 0.0], "A_ub": a_ub,
                       "b_ub": np.zeros(m + 1 + m + 1),
                       "A_eq": np.r_[0.0, np.zeros(k + m), 1 / y_o][None, :], "b_eq": np.ones(1)})
    if blocks:
        solutions = _stacked(lambda units: _diagonal([blocks[u] for u in units]), inputs.index[efficient],
                             "super-SBM")
        rho[efficient] = [b["c"] @ s for b, s in zip(blocks, solutions)]
    return pd.Series(rho, index=inputs.index, name="sbm")


TECHNOLOGIES = ("contemporaneous", "sequential", "global")
FRONTIERS = ("adjacent", "sequential", "biennial", "global")
# The reference technology of each year under each Malmquist frontier but the biennial one.
PERIOD = {"adjacent": "contemporaneous", "sequential": "sequential", "global": "global"}


def _frontier_years(technology, year, years):
    """The years whose units span the frontier of `year`: {year} ("contemporaneous"), every year up
    to it ("sequential", Tulkens & Vanden Eeckaut 1995) or all `years` ("global", Pastor & Lovell 2005)."""
    if technology == "contemporaneous":
        return {year}
    if technology == "sequential":
        return {s for s in years if s <= year}
    if technology == "global":
        return set(years)
    raise ValueError(f"frontier must be one of {TECHNOLOGIES}, got {technology!r}")


def _pair_frontiers(frontier, year, years):
    """The two frontiers (a, b) of the Malmquist index from `year` to the next, as sets of years:
    the reference technologies of t and t+1 (`_frontier_years`; adjacent: Färe et al. 1994, sequential:
    Shestalova 2003, global: Pastor & Lovell 2005, where a = b), or biennial (Pastor, Asmild & Lovell
    2011) a = b = {t, t+1}."""
    if frontier == "biennial":
        return {year, year + 1}, {year, year + 1}
    return _frontier_years(PERIOD[frontier], year, years), _frontier_years(PERIOD[frontier], year + 1, years)


def _against(panel, output, inputs, units, frontier_years, rts, orientation):
    """DEA score of the rows `units` of `panel` (checked), each against the frontier of the panel's rows
    in frontier_years(year of the unit) (`_scores`). A frontier of several years holds each of them
    whole, so a unit below its own year's frontier (score under 1 - 1e-6) lies inside it and is left
    out: the scores are unchanged, the programmes smaller."""
    year = panel.index.get_level_values("year").to_numpy()
    x, y, at = panel[inputs].to_numpy(float), panel[output].to_numpy(float), panel.index.get_indexer(units)
    own = _scores(x, y, x, y, year[:, None] == year[None, :], rts, orientation, panel.index)
    masks = {}
    for unit_year in np.unique(year[at]):
        years = list(frontier_years(unit_year))
        masks[unit_year] = np.isin(year, years) & ((own > 1 - 1e-6) | (len(years) == 1))
    return _scores(x[at], y[at], x, y, np.array([masks[t] for t in year[at]]), rts, orientation, units)


def efficiency(panel, output, inputs, frontier="contemporaneous", rts="crs", orientation="output"):
    """DEA score of each province-year against the frontier of its reference technology
    (`_frontier_years`: contemporaneous, sequential or global), `dea_efficiency`'s score through
    `_against`. Returns the scores indexed (province, year)."""
    inputs = list(inputs)
    _check_values(panel[[output, *inputs]], "panel", positive=True)
    years = sorted(panel.index.get_level_values("year").unique())
    panel = panel.sort_index()
    score = _against(panel, output, inputs, panel.index, lambda year: _frontier_years(frontier, year, years),
                     rts, orientation)
    return pd.Series(score, index=panel.index, name="efficiency")


def malmquist(panel, output, inputs, frontier="adjacent", rts="crs", orientation="output"):
    """Malmquist productivity index (Caves, Christensen & Diewert 1982; Färe et al. 1994) from t to
    t+1 with two frontiers a and b (`_pair_frontiers`: adjacent, sequential, biennial or global):
    M = sqrt[(E_a(t+1) / E_a(t)) (E_b(t+1) / E_b(t))], E_s(t) the DEA score (`dea_efficiency`:
    output distance, or input efficiency under orientation="input") of the province's period-t
    data against frontier s. With adjacent frontiers and CRS this is Färe et al.'s index;
    EC = E_t+1(t+1) / E_t(t) against the contemporaneous frontiers (efficiency change) and
    TC = M / EC (technical change; with adjacent frontiers the geometric mean
    sqrt[(E_t(t+1) / E_t+1(t+1)) (E_t(t) / E_t+1(t))]). M > 1 is productivity growth.
    `panel` is a DataFrame with the `output` column and the `inputs` columns; it must be balanced
    (every province in every year of a contiguous span). Returns EC, TC, M indexed (province, t+1).
    """
    if frontier not in FRONTIERS:
        raise ValueError(f"frontier must be one of {FRONTIERS}, got {frontier!r}")
    inputs = list(inputs)
    _check_values(panel[[output, *inputs]], "panel", positive=True)
    years = sorted(panel.index.get_level_values("year").unique())
    _check_years(panel, "panel", range(years[0], years[-1] + 1))
    panel = panel.sort_index()
    before = panel.index[panel.index.get_level_values("year") < years[-1]]
    after = panel.index[panel.index.get_level_values("year") > years[0]]

    def score(units, which, shift):  # E against frontier `which` (0: a, 1: b) of the pair (t, t+1)
        return _against(panel, output, inputs, units,
                        lambda year: _pair_frontiers(frontier, year - shift, years)[which],
                        rts, orientation)

    own = efficiency(panel, output, inputs, "contemporaneous", rts, orientation)
    a_before, a_after = score(before, 0, 0), score(after, 0, 1)  # programmes posed twice are solved once
    b_before, b_after = score(before, 1, 0), score(after, 1, 1)
    m = np.sqrt(a_after / a_before * b_after / b_before)
    ec = own.loc[after].to_numpy() / own.loc[before].to_numpy()
    return pd.DataFrame({"EC": ec, "TC": m / ec, "M": m}, index=after)


def tfp_level(malmquist_frame, efficiency_first_year):
    """TFP level from Malmquist indices, the anchoring used in this compendium:
    A_t0 = D_t0(t0), the DEA efficiency in the first year, and A_t = A_t0 * prod_{s=t0+1..t} M_s.

    So A is productivity relative to the first-year frontier, comparable across provinces and years
    (with one input and one output, A_t = (y_t / x_t) / max_j (y_j / x_j) in t0).
    `efficiency_first_year` is a Series indexed (province, t0) with t0 the year before the first
    Malmquist year. Returns A indexed (province, year) from t0 on.
    """
    _check_values(malmquist_frame, "malmquist_frame", positive=True)
    _check_values(efficiency_first_year, "efficiency_first_year", positive=True)
    first = malmquist_frame.index.get_level_values("year").min() - 1
    provinces = sorted(malmquist_frame.index.get_level_values("province").unique())
    _require(efficiency_first_year, "efficiency_first_year", [(p, first) for p in provinces])
    start = efficiency_first_year.loc[[(province, first) for province in provinces]]
    growth = malmquist_frame["M"].groupby(level="province").cumprod()
    later = growth.mul(start.droplevel("year"), level="province")
    return pd.concat([start, later]).sort_index().rename("tfp")


# --- 3. growth accounting -----------------------------------------------------------------------

def growth_accounting_tfp(output, capital, labour, alpha):
    """Solow residual under Cobb-Douglas with constant returns: ln A = ln Y - alpha ln K
    - (1 - alpha) ln L (Solow 1957). Returns the level A = Y / (K^alpha L^(1-alpha)), named "tfp".
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    data = _aligned(output=output, capital=capital, labour=labour)
    for name in data:
        _check_values(data[name], name, positive=True)
    log_a = (np.log(data["output"]) - alpha * np.log(data["capital"])
             - (1 - alpha) * np.log(data["labour"]))
    return np.exp(log_a).rename("tfp")


def capital_share(output, capital, labour):
    """Capital elasticity alpha for `growth_accounting_tfp`, estimated as the slope of the intensive
    Cobb-Douglas form with two-way fixed effects: ln(Y/L)_it = alpha ln(K/L)_it + mu_i + tau_t + e_it,
    by OLS with province and year dummies (statsmodels). Constant returns are imposed (the labour
    share is 1 - alpha); the province effects absorb persistent TFP differences and the year effects
    common shocks. Returns the point estimate (float).
    """
    import statsmodels.formula.api as smf  # here: the formula interface takes a second to import

    data = _aligned(output=output, capital=capital, labour=labour)
    for name in data:
        _check_values(data[name], name, positive=True)
    frame = pd.DataFrame({"y": np.log(data["output"] / data["labour"]),
                          "k": np.log(data["capital"] / data["labour"])}).reset_index()
    return float(smf.ols("y ~ k + C(province) + C(year)", data=frame).fit().params["k"])


# --- 4-5. composite indices ---------------------------------------------------------------------

def _entropy_normalised(indicators):
    """x' = (x - min) / (max - min) + 0.0001 over the pooled panel (constant indicator: 0 + 0.0001)."""
    return minmax(indicators) + ENTROPY_SHIFT


def entropy_weights(indicators):
    """Entropy-weight method over the pooled panel of n province-years, for positive (benefit-type,
    higher = more developed) indicators:
    x'_ij = (x_ij - min_j) / (max_j - min_j) + 0.0001, p_ij = x'_ij / sum_i x'_ij,
    e_j = -1/ln(n) sum_i p_ij ln p_ij, d_j = 1 - e_j, w_j = d_j / sum_j d_j.
    A constant indicator has p_ij = 1/n, e_j = 1 and weight 0. Returns w indexed by indicator.
    """
    normalised = _entropy_normalised(indicators)
    p = normalised / normalised.sum()
    entropy = -(p * np.log(p)).sum() / np.log(len(p))
    divergence = (1 - entropy).clip(lower=0)  # e_j <= 1; clip rounding only
    if divergence.sum() == 0:
        raise ValueError("indicators: every indicator is constant, the entropy weights are undefined")
    return (divergence / divergence.sum()).rename("weight")


def entropy_index(indicators):
    """Composite index sum_j w_j x'_ij with the entropy weights and the normalised values x'
    including the 0.0001 shift (so every index value carries the same constant +0.0001, as sum w = 1).
    """
    return (_entropy_normalised(indicators) * entropy_weights(indicators)).sum(axis=1).rename("index")


def minmax(indicators, by_year=False):
    """x' = (x - min) / (max - min) of each indicator over the pooled panel, or within each year
    (`by_year=True`); a constant indicator gives 0."""
    _check_values(indicators, "indicators")
    if by_year:
        group = indicators.groupby(level="year")
        low, high = group.transform("min"), group.transform("max")
    else:
        low, high = indicators.min(), indicators.max()
    return (indicators - low) / (high - low).replace(0, np.inf)


def critic_weights(normalised):
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995) of normalised indicators:
    C_j = s_j sum_k (1 - r_jk), w_j = C_j / sum_k C_k, with s_j the standard deviation (n - 1) and
    r the Pearson correlations: contrast times conflict with the other indicators."""
    _check_values(normalised, "normalised")
    information = normalised.std() * (1 - normalised.corr()).sum()
    return (information / information.sum()).rename("weight")


class PCAIndex(NamedTuple):
    scores: pd.Series
    loadings: pd.Series
    explained: float


def standardise(indicators):
    """z = (x - mean) / sd of each indicator over the pooled panel, sd with n - 1; a constant
    indicator is an error."""
    _check_values(indicators, "indicators")
    constant = indicators.columns[indicators.std() == 0]
    if len(constant):
        raise ValueError(f"indicators[{constant[0]!r}] is constant and cannot be standardised")
    return (indicators - indicators.mean()) / indicators.std()


def pca_index(indicators):
    """First principal component of the indicators standardised over the pooled panel
    (`standardise`): loadings v = the unit eigenvector of the correlation matrix with the largest
    eigenvalue, signed so that sum(v) > 0; scores = Z v.
    Returns scores, loadings and the share of total variance the component explains.
    """
    standardised = standardise(indicators)
    eigenvalues, eigenvectors = np.linalg.eigh(standardised.corr().to_numpy())
    loadings = eigenvectors[:, -1] * np.sign(eigenvectors[:, -1].sum())
    return PCAIndex(scores=(standardised @ loadings).rename("index"),
                    loadings=pd.Series(loadings, index=indicators.columns, name="loading"),
                    explained=float(eigenvalues[-1] / eigenvalues.sum()))


# --- 6. location quotient -----------------------------------------------------------------------

def location_quotient(sector, total):
    """LQ_it = (e_it / E_it) / (sum_i e_it / sum_i E_it), the sector's share of province i's total
    relative to its share in the provinces given, year by year (e.g. employment in the sector and in
    all sectors). LQ > 1 marks a concentration of the sector.
    """
    data = _aligned(sector=sector, total=total)
    _check_values(data["total"], "total", positive=True)
    if (data["sector"] < 0).any():
        province, year = data.index[(data["sector"] < 0).to_numpy()][0]
        raise ValueError(f"sector is negative for {province} in {year}")
    national = data.groupby(level="year").transform("sum")
    return ((data["sector"] / data["total"]) / (national["sector"] / national["total"])).rename("lq")


# --- 7. backcasting -----------------------------------------------------------------------------

def backcast(series, years, k=3):
    """Fill the years before a province's first observation (e.g. a series starting in 2013 when
    the panel starts in 2011) by log-linear extrapolation: with t0 the first observed year and
    g = (ln x_{t0+k-1} - ln x_t0) / (k - 1) the average log growth over the first k observations,
    x_{t0-h} = x_t0 exp(-h g). Observed cells are never changed; a missing year after the first
    observation is a gap, not a late start, and raises. Returns the series over `years` (plus any
    other observed years) and a boolean Series marking the filled cells.
    """
    if k < 2:
        raise ValueError(f"k must be at least 2 (one growth rate), got {k}")
    name = series.name or "series"
    _check_index(series, name)
    observed = series.dropna()
    _check_values(observed, name, positive=True)
    years = sorted(years)
    by_province = dict(list(observed.groupby(level="province")))
    cells, filled = [], []
    for province in sorted(series.index.get_level_values("province").unique()):
        values = by_province.get(province, observed.iloc[:0])
        if len(values) < k:
            raise ValueError(f"{name} has {len(values)} observations for {province}, "
                             f"backcast needs k = {k}")
        observed_years = values.index.get_level_values("year")
        first, last = observed_years.min(), max(observed_years.max(), years[-1])
        _require(values, name, [(province, year) for year in range(first, last + 1)])
        values = values.droplevel("province")
        growth = (np.log(values[first + k - 1]) - np.log(values[first])) / (k - 1)
        early = np.array([year for year in years if year < first], dtype=int)
        cells += [(province, year) for year in early]
        filled.append(values[first] * np.exp(-growth * (first - early)))
    new = pd.Series(np.concatenate(filled), index=pd.MultiIndex.from_tuples(cells, names=INDEX), dtype=float)
    result = pd.concat([observed, new]).sort_index().rename(name)
    flags = pd.Series(result.index.isin(new.index), index=result.index, name=f"{name}_backcast")
    return result, flags
