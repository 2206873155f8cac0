"""Which construction of tfp, digital and virtual reproduces the paper's descriptive tables?

`grid()` computes every construction declared in helpers.constructions from the extracts (cached on
disk, keyed by the extracts' and the code's checksums); `fingerprint()` measures each one's distance
to the printed Table 2 moments and Table 3 correlations with the controls; `tolerance()` is the
distance the controls that are the authors' own data reach on the same metric.
"""
import fcntl
import hashlib
import os
import pickle
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import constructions, files, measures, panel, paths, table2, tables, variables
from .constructions import BY_NAME, GRID
from .provinces import NAMES, SAMPLE
from .run import BLAS

CACHE = paths.CACHE
# Every module of the package: the grid reaches most of them through panel.build (the extracts'
# readers, the provinces, the paper's declarations), and a module left out would serve a stale grid.
CODE = sorted(Path(__file__).parent.glob("*.py"))
EXTRA = ["gfcf", "investment_price_index", "employment", "employment_urban_units", "broadband_ports",
         "population", "it_employment", "urban_unit_employment_total", "software_revenue", "gdp_a"]
REFERENCE = {30: SAMPLE, 31: NAMES}
# The share of the IT sector is taken within one source: IT over all urban-unit employment of the
# same compilation (as the panel's it_share); the LQ's total is then the named extract.
SHARE_BASE = {"employment_urban_units": "urban_unit_employment_total"}
CONTROLS = list(table2.KEPT)  # the paper's five controls, whose printed moments and correlations are compared
EXACT = [v for v, (_, exact) in table2.KEPT.items() if exact]  # the authors' own numbers (notebook 02)
# The fingerprint's correlations: with the controls whose printed correlations we reproduce (not cs,
# whose construction could not be found: its own correlations miss the print by up to 0.06).
MATCHED = ["gov", "open", "ur", "ind"]
# Distances and gaps are ranked at this many decimals: constructions that tie mathematically (e.g. an
# index and its min-max rescaling) keep the grid's order instead of one set by the last bits.
RANK_DECIMALS = 12


# --- the constructions ----------------------------------------------------------------------------

class Builder:
    """The grid's columns from the extracts in `folder`, each set of DEA inputs built once."""

    def __init__(self, folder=paths.RAW):
        self.folder = folder
        self.s = {name: panel.series(name, folder) for name in EXTRA}
        # The panel, and broadband ports per 100 people, the indicator sets' alternative to subscribers.
        self.built = panel.build(folder).panel.set_index(["province", "year"]).assign(
            ports=variables.late_ratio(self.s["broadband_ports"], self.s["population"], "ports", per=100)[0])
        self.memo = {}

    def inputs(self, labour, delta):
        """Real GDP, the capital stock with depreciation `delta` and the `labour` extract."""
        key = ("inputs", labour, delta)
        if key not in self.memo:
            self.memo[key] = variables.production(self.built["real_gdp"], self.s["gfcf"], self.s["investment_price_index"],
                                                  self.s[labour], delta).sort_index()
        return self.memo[key]

    def tfp(self, o):
        """A TFP construction (families malmquist, efficiency, super_ccr, super_sbm, growth)."""
        data = self.inputs(constructions.LABOUR[o["labour"]], constructions.DELTA[o["delta"]])
        if o["family"] == "growth":
            if o["alpha"] == "estimated":
                return panel.tfp_solow(data)[0]
            return measures.growth_accounting_tfp(data["real_gdp"], data["capital"], data["labour"],
                                                  constructions.ALPHA[o["alpha"]])
        if o["family"] == "super_ccr":
            year = data.index.get_level_values("year").to_numpy()
            reference = (year[:, None] == year[None, :]) & ~np.eye(len(year), dtype=bool)
            return measures.dea_efficiency(data[["capital", "labour"]], data["real_gdp"],
                                           data[["capital", "labour"]], data["real_gdp"],
                                           reference=reference)
        if o["family"] == "super_sbm":
            return pd.concat(measures.sbm_super_efficiency(group[["capital", "labour"]], group["real_gdp"])
                             for _, group in data.groupby(level="year")).sort_index()
        if o["family"] == "efficiency":
            return measures.efficiency(data, "real_gdp", ["capital", "labour"], o["frontier"], o["rts"], o["orientation"])
        return variables.tfp_malmquist(data, o["frontier"], o["rts"], o["orientation"], o["level"])["tfp"]

    def digital(self, o, rows=None):
        """A digital-economy index (family index: indicator set x method) or the PKU index / 100;
        estimated on the rows of the boolean Series `rows` if given (its normalisation and weights
        from them only)."""
        if o["family"] == "single":
            values = self.built[o["indicator"]] / 100
            return values if rows is None else values[rows]
        x, method = self.built[list(constructions.INDICATOR_SETS[o["indicators"]])], o["method"]
        x = x if rows is None else x[rows]
        if method == "entropy":
            return measures.entropy_index(x)
        if method == "entropy_by_year":
            return x.groupby(level="year", group_keys=False).apply(measures.entropy_index).sort_index()
        if method in ("equal", "equal_by_year"):
            return measures.minmax(x, by_year=method == "equal_by_year").mean(axis=1)
        if method == "critic":
            normalised = measures.minmax(x)
            return normalised @ measures.critic_weights(normalised)
        if method in ("pca", "pca_minmax"):
            scores = measures.pca_index(x).scores
            return scores if method == "pca" else measures.minmax(scores.to_frame())["index"]
        if method == "zscore":
            return measures.standardise(x).mean(axis=1)
        raise ValueError(f"unknown index method {method!r}")

    def virtual(self, o):
        """Location quotient of `sector` in `total` against the `reference` provinces (30 or 31),
        its 2011-2012 shares backcast as the panel's it_share (variables.late_ratio, virtual_lq)."""
        provinces = REFERENCE[o["reference"]]
        share, _ = variables.late_ratio(self.s[o["sector"]], self.s[SHARE_BASE.get(o["total"], o["total"])],
                                        "share", provinces)
        return variables.virtual_lq(share, self.s[o["total"]], provinces)

    def column(self, construction, rows=None):
        """One construction on the panel grid, or a digital index on `rows` (Builder.digital); a
        failure names the construction."""
        options = {**construction.settings, "family": construction.family}
        try:
            if rows is None:
                return panel.window(getattr(self, construction.variable)(options).rename(construction.name))
            return self.digital(options, rows).rename(construction.name)
        except ValueError as error:
            raise ValueError(f"construction {construction.name}: {error}") from None


def _compute(folder) -> dict[str, pd.DataFrame]:
    """Every construction of the grid, and each digital index re-estimated on the rows without a
    filled cell (panel flag `filled`), as robustness.observed re-estimates the panel's."""
    builder = Builder(folder)
    kept = ~builder.built["filled"].astype(bool)
    return {"grid": pd.DataFrame({c.name: builder.column(c) for c in GRID}),
            "no filled cells": pd.DataFrame({c.name: builder.column(c, kept) for c in GRID if c.variable == "digital"})}


def key(folder=paths.RAW) -> str:
    """sha256 of the extracts the grid reads, the grid's declaration, the code computing it and the
    BLAS it runs with (run.BLAS's variables: other kernels round the last bits differently)."""
    digest = hashlib.sha256()
    digest.update(repr([(name, os.environ.get(name)) for name in BLAS]).encode())
    for name in sorted({*panel.EXTRACTS, *EXTRA}):
        digest.update((Path(folder) / f"{name}.csv").read_bytes())
    digest.update(repr(GRID).encode())
    for path in CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _cached(folder=paths.RAW, cache=None) -> dict[str, pd.DataFrame]:
    """_compute(folder), read from `cache` (default build/cache/, CACHE) when the extracts, the
    declaration and the code are unchanged, else computed and written there atomically (nothing is
    written if any construction fails). A lock makes a second process (notebooks 10 and 11 run side
    by side) wait for the first one's result instead of computing it again."""
    path = Path(cache or CACHE) / f"forensics-{key(folder)}.pkl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / ".forensics.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            files.atomic_write(path, pickle.dumps(_compute(Path(folder))))
        return pd.read_pickle(path)


def grid(folder=paths.RAW, cache=None) -> pd.DataFrame:
    """Every construction of the grid, one column each, indexed (province, year) (_cached)."""
    return _cached(folder, cache)["grid"]


def unfilled(names, folder=paths.RAW, cache=None) -> pd.DataFrame:
    """The named digital constructions re-estimated on the rows without a filled cell (_cached)."""
    return _cached(folder, cache)["no filled cells"][list(names)]


def columns(names, folder=paths.RAW, cache=None) -> pd.DataFrame:
    """The named constructions (settings of a rerun) as columns indexed (province, year)."""
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a construction of the grid (helpers.constructions)")
    return grid(folder, cache)[list(names)]


# --- the fingerprint ------------------------------------------------------------------------------

def printed_correlations() -> pd.Series:
    """Table 3's correlations as printed, indexed by both orders of each pair (a, b)."""
    rows = tables.published("table3")
    rows = rows[rows["statistic"] == "r"]
    forward = rows.set_index(["column", "term"])["value"]
    backward = rows.set_index(["term", "column"])["value"].rename_axis(["column", "term"])
    return pd.concat([forward, backward])


def fingerprint(values: pd.DataFrame, controls: pd.DataFrame, variable: str) -> pd.DataFrame:
    """For each column of `values` (constructions of `variable`, or a control): its four moments
    (Table 2) and its correlations with the controls (Table 3), and the distance to the print
    d = max( max_k |m_k - p_k| / sd_p , max_c |r_c - p_c| ), k over mean, sd, min, max and c over
    the MATCHED controls: the largest gap of a printed moment in units of the printed standard
    deviation or of a printed correlation, whichever is larger. Sorted, closest first (ties at
    RANK_DECIMALS in the order of `values`)."""
    printed = panel.printed_moments().loc[variable]
    r_printed = printed_correlations().loc[variable]
    others = [c for c in CONTROLS if c != variable]
    matched = [c for c in MATCHED if c != variable]
    rows = {}
    for name, x in values.items():
        m = panel.moments(x)
        r = pd.Series({c: x.corr(controls[c]) for c in others})
        moment_gap = ((m - printed) / printed["sd"]).abs().max()
        r_gap = (r[matched] - r_printed[matched]).abs().max()
        rows[name] = {**m, **{f"r_{c}": r[c] for c in others}, "moment_gap": moment_gap,
                      "correlation_gap": r_gap, "distance": max(moment_gap, r_gap)}
    return pd.DataFrame(rows).T.sort_values("distance", kind="stable", key=lambda d: d.round(RANK_DECIMALS))


def controls_fingerprint(controls: pd.DataFrame) -> pd.DataFrame:
    """Each control's own distance to the print on the `fingerprint` metric."""
    table = pd.concat([fingerprint(controls[[c]], controls, c) for c in CONTROLS])
    return table[[*panel.MOMENTS, *[f"r_{c}" for c in CONTROLS], "moment_gap", "correlation_gap", "distance"]]


def tolerance(controls: pd.DataFrame) -> float:
    """The distance that counts as "reproduces the print": the largest distance among the controls
    that are the authors' own data (EXACT), which differ from the print only by its rounding. A
    yardstick of that rounding, not a bound for every variable: a moment rounded to three decimals may
    be off by 0.0005, i.e. 0.0005 / sd_p on the metric: 0.00485 for gov's printed sd of 0.103 and
    0.00455 for digital's 0.110, above the 0.00447 the controls reach; 0.0018 for tfp's 0.283."""
    return float(controls_fingerprint(controls).loc[EXACT, "distance"].max())


def distances(data: pd.DataFrame, controls: pd.DataFrame) -> pd.DataFrame:
    """`fingerprint` of every construction of the grid (columns of `data`), with its variable,
    family and options, sorted by variable and distance."""
    frames = []
    for variable in dict.fromkeys(c.variable for c in GRID):  # tfp, digital, virtual
        names = [c.name for c in GRID if c.variable == variable]
        frames.append(fingerprint(data[names], controls, variable).assign(variable=variable))
    table = pd.concat(frames)
    table["family"] = [BY_NAME[n].family for n in table.index]
    table["options"] = [", ".join(f"{k}={v}" for k, v in BY_NAME[n].options) for n in table.index]
    return table


def verdict(table: pd.DataFrame, tolerance_: float) -> pd.DataFrame:
    """Per variable of a `distances` table (sorted, nearest first): the nearest construction, its
    family and gaps, the distance of the panel's own measure (the row named as the variable), the
    smallest correlation gap of any construction, and whether the nearest reproduces the print: a
    distance within `tolerance_` (what the authors' own controls reach, tolerance)."""
    return pd.DataFrame([
        {"variable": variable, "nearest": rows.index[0], "family": rows["family"].iloc[0],
         "moment_gap": rows["moment_gap"].iloc[0], "correlation_gap": rows["correlation_gap"].iloc[0],
         "distance": rows["distance"].iloc[0], "default_distance": rows.loc[variable, "distance"],
         "closest_correlations": rows["correlation_gap"].min(), "tolerance": tolerance_,
         "reproduces": bool(rows["distance"].iloc[0] <= tolerance_)}
        for variable, rows in table.groupby("variable", sort=False)]).set_index("variable")


def joint(data: pd.DataFrame, chosen: dict[str, list[str]]) -> pd.DataFrame:
    """Correlations among the three constructed variables (Table 3: tfp ~ digital, tfp ~ virtual,
    digital ~ virtual) for each combination of the chosen constructions, beside the print, with
    the largest gap."""
    r_printed = printed_correlations()
    pairs = [("tfp", "digital"), ("tfp", "virtual"), ("digital", "virtual")]
    rows = []
    for t in chosen["tfp"]:
        for d in chosen["digital"]:
            for v in chosen["virtual"]:
                pick = {"tfp": data[t], "digital": data[d], "virtual": data[v]}
                r = {f"{a} ~ {b}": pick[a].corr(pick[b]) for a, b in pairs}
                gap = max(abs(r[f"{a} ~ {b}"] - r_printed[(a, b)]) for a, b in pairs)
                rows.append({"tfp": t, "digital": d, "virtual": v, **r, "gap": gap})
    printed = {"tfp": "printed", "digital": "", "virtual": "", "gap": 0.0,
               **{f"{a} ~ {b}": r_printed[(a, b)] for a, b in pairs}}
    return pd.DataFrame([printed, *sorted(rows, key=lambda row: round(row["gap"], RANK_DECIMALS))])


def bench(folder=paths.RAW) -> dict:
    """Seconds to compute the grid cold (empty cache) and to read it warm (cache present)."""
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        grid(folder, cache)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        grid(folder, cache)
        return {"constructions": len(GRID), "cold_seconds": cold, "warm_seconds": time.perf_counter() - start}
