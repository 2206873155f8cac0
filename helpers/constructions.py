"""The grid of constructions of the paper's three constructed variables (tfp, digital, virtual),
declared as data: each a name (the setting a rerun passes, e.g. --set tfp=<name>), a family, its
options and the source of the method. helpers.forensics computes them; the panel's own measures
(tfp, tfp_solow, tfp_urban, digital, digital_pca, digital_dfiic, virtual, virtual_software) are
entries of the grid under their panel names.
"""
from dataclasses import dataclass
from itertools import product

# Labour input (extract) and depreciation rate of the capital stock.
LABOUR = {"total": "employment", "urban": "employment_urban_units"}
DELTA = {"d96": 0.096,     # Zhang, Wu & Zhang (2004)
         "d1096": 0.1096}  # Shan (2008)
MALMQUIST = [("adjacent", "crs", "output"), ("sequential", "crs", "output"),
             ("biennial", "crs", "output"), ("global", "crs", "output"),
             ("biennial", "vrs", "output"), ("biennial", "vrs", "input"),
             ("global", "vrs", "output"), ("global", "vrs", "input")]
EFFICIENCY = [(frontier, rts, orientation) for frontier in ("contemporaneous", "sequential", "global")
              for rts, orientation in (("crs", "output"), ("vrs", "output"), ("vrs", "input"))]
# Capital shares of growth accounting: estimated on the panel, or fixed as in the literature.
ALPHA = {"estimated": None, "a33": 1 / 3, "a40": 0.4, "a60": 0.6}
INDICATOR_SETS = {"subs": ("internet", "it_share", "telecom", "mobile", "dfiic"),
                  "ports": ("ports", "it_share", "telecom", "mobile", "dfiic"),
                  "subs_nopku": ("internet", "it_share", "telecom", "mobile"),
                  "ports_nopku": ("ports", "it_share", "telecom", "mobile")}
INDEX_METHODS = ["entropy", "entropy_by_year", "equal", "equal_by_year", "critic", "pca", "pca_minmax",
                 "zscore"]
LQ = [("it_employment", "employment_urban_units"), ("it_employment", "employment"),
      ("it_employment", "population"), ("software_revenue", "gdp_a")]

CITATIONS = {
    "malmquist": "Färe, Grosskopf, Norris & Zhang (1994); sequential: Shestalova (2003); biennial: "
                 "Pastor, Asmild & Lovell (2011); global: Pastor & Lovell (2005); VRS: Ray & Desli (1997)",
    "efficiency": "Charnes, Cooper & Rhodes (1978); Banker, Charnes & Cooper (1984); sequential: "
                  "Tulkens & Vanden Eeckaut (1995); global: Pastor & Lovell (2005)",
    "super_ccr": "Andersen & Petersen (1993)",
    "super_sbm": "Tone (2001, 2002)",
    "growth": "Solow (1957); shares 1/3 Mankiw, Romer & Weil (1992), 0.4 Young (2003), 0.6 Chow (1993)",
    "index": "Zhao, Zhang & Liang (2020); entropy weights; PCA; CRITIC: Diakoulaki, Mavrotas & "
             "Papayannakis (1995)",
    "single": "Guo et al. (2020), the PKU Digital Financial Inclusion Index",
    "lq": "location quotient (Isard 1960), as in the virtual agglomeration literature",
}


@dataclass(frozen=True)
class Construction:
    name: str
    variable: str  # tfp, digital or virtual
    family: str    # a key of CITATIONS
    options: tuple  # (key, value) pairs

    @property
    def settings(self) -> dict:
        return dict(self.options)

    @property
    def citation(self) -> str:
        return CITATIONS[self.family]


def _tfp() -> list[Construction]:
    grid = []
    for labour, delta in product(LABOUR, DELTA):
        base = (("labour", labour), ("delta", delta))
        for (frontier, rts, orientation), level in product(MALMQUIST, ("anchored", "cumulative")):
            grid.append(("malmquist", f"malm_{frontier}_{rts}_{orientation[:3]}_{level}", base + (
                ("frontier", frontier), ("rts", rts), ("orientation", orientation), ("level", level))))
        for frontier, rts, orientation in EFFICIENCY:
            grid.append(("efficiency", f"eff_{frontier}_{rts}_{orientation[:3]}", base + (
                ("frontier", frontier), ("rts", rts), ("orientation", orientation))))
        grid.append(("super_ccr", "super_ccr", base))
        grid.append(("super_sbm", "super_sbm", base))
        for alpha in ALPHA:
            grid.append(("growth", f"growth_{alpha}", base + (("alpha", alpha),)))
    return [Construction(f"tfp_{stem}_{dict(options)['labour']}_{dict(options)['delta']}", "tfp",
                         family, options) for family, stem, options in grid]


def _digital() -> list[Construction]:
    grid = [Construction(f"digital_{method}_{indicators}", "digital", "index",
                         (("indicators", indicators), ("method", method)))
            for indicators, method in product(INDICATOR_SETS, INDEX_METHODS)]
    return grid + [Construction("digital_dfiic", "digital", "single", (("indicator", "dfiic"),))]


def _virtual() -> list[Construction]:
    return [Construction(f"virtual_lq_{sector}_{total}_{reference}", "virtual", "lq",
                         (("sector", sector), ("total", total), ("reference", reference)))
            for (sector, total), reference in product(LQ, (30, 31))]


# The panel's own measures are points of the grid; they keep their panel names.
PANEL_NAMES = {"tfp_malm_adjacent_crs_out_anchored_total_d96": "tfp",
               "tfp_growth_estimated_total_d96": "tfp_solow",
               "tfp_malm_adjacent_crs_out_anchored_urban_d96": "tfp_urban",
               "digital_entropy_subs": "digital", "digital_pca_subs": "digital_pca",
               "digital_dfiic": "digital_dfiic",
               "virtual_lq_it_employment_employment_urban_units_30": "virtual",
               "virtual_lq_software_revenue_gdp_a_30": "virtual_software"}


def _named(construction: Construction) -> Construction:
    name = PANEL_NAMES.get(construction.name, construction.name)
    return Construction(name, construction.variable, construction.family, construction.options)


GRID = [_named(c) for c in [*_tfp(), *_digital(), *_virtual()]]
BY_NAME = {c.name: c for c in GRID}


def names(variable: str) -> list[str]:
    """The settings of `variable`: the panel's measures first (default first), then the grid's."""
    own = [c.name for c in GRID if c.variable == variable and c.name in PANEL_NAMES.values()]
    own.sort(key=lambda name: (name != variable, list(PANEL_NAMES.values()).index(name)))
    return own + [c.name for c in GRID if c.variable == variable and c.name not in own]
