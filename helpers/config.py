"""Every analysis decision of the compendium, in one place. The panel's construction, its codebook,
the runner's checks of settings, the scorecard and the tests read these names; a notebook's
parameters cell repeats its defaults as literals (papermill needs literals) and a test holds them
equal to the values here. Changing a decision is a change of this file (plus data where new data
are needed).

The order in which notebooks run is not declared here: it follows from what each notebook reads and
writes (helpers.paths.CHAIN), so a second list of stages could only disagree with it.
"""

# --- sample -------------------------------------------------------------------------------------

# The panel's years (the paper's sample period) and the span the source extracts may cover (the
# capital stock's perpetual inventory starts in 1952, so extracts reach back further than the panel).
PANEL_YEARS = (2011, 2021)
SOURCE_YEARS = (1949, 2024)
# The years of the indicators that start in 2013 (IT employment, mobile subscribers, software
# revenue); 2011-2012 are backcast.
LATE_START = 2013
# The regions of Table 7 (the NBS division), each with its provinces; the panel's `region` column
# and the checks of it are read from here. Tibet is listed (the 31-province indicators use it) but
# is not in the sample (helpers.provinces.SAMPLE).
REGIONS = {
    "East": ("Beijing", "Tianjin", "Hebei", "Shanghai", "Jiangsu", "Zhejiang", "Fujian", "Shandong",
             "Guangdong", "Hainan"),
    "Central": ("Shanxi", "Anhui", "Jiangxi", "Henan", "Hubei", "Hunan"),
    "West": ("Inner Mongolia", "Guangxi", "Chongqing", "Sichuan", "Guizhou", "Yunnan", "Tibet",
             "Shaanxi", "Gansu", "Qinghai", "Ningxia", "Xinjiang"),
    "Northeast": ("Liaoning", "Jilin", "Heilongjiang"),
}

# --- construction ---------------------------------------------------------------------------------

BASE_YEAR = 2010  # constant prices of real GDP and the capital stock
DEPRECIATION = 0.096  # capital stock, perpetual inventory (Zhang, Wu & Zhang 2004)
# National total of internet broadband subscribers in 2021, 万户 (NBS, China Statistical Yearbook
# 2022, as quoted in ../shared/sources/SOURCES.md); the sources hold no 2021 provincial values.
BROADBAND_2021_NATIONAL = 53578.7

# --- analysis settings ------------------------------------------------------------------------------

# The measure each of the paper's constructed variables takes unless a run chooses another (the
# choices are helpers.constructions.names(variable)).
MEASURE_DEFAULTS = {"tfp": "tfp", "digital": "digital", "virtual": "virtual"}
CONTROLS = ["gov", "cs", "open", "ur", "ind"]  # the paper's five controls, Table 4
ALPHA = 0.05  # significance level of every verdict
# Standard errors of the paper's tables (notebooks 05-08): clustered by province. The paper does not say
# which it used (its stars show only t read with many degrees of freedom, notebook 09); a rerun may
# choose another of models.CovType: driscoll_kraay or unadjusted (conventional).
COV_TYPE = "cluster"
COV_TYPES = ("cluster", "driscoll_kraay", "unadjusted")
CONFIDENCE = 0.95  # level of every confidence interval (tables, figures, the published value inside ours)
WINSOR_SHARE = 0.01  # share clipped at each tail in the winsorised robustness check
# Wild cluster bootstrap (Table 7): replications, seed and the weights' distribution.
BOOTSTRAP = {"reps": 9999, "seed": 20240101, "weights": "webb"}
# Clustered t tests over-reject with few clusters (Cameron, Gelbach & Miller 2008): below this many
# provinces a sample is also tested by the wild cluster bootstrap (the multiverse's regions, 3-11).
FEW_CLUSTERS = 20
# The multiverse's joint test (notebook 11): province draws under the null, from the same seed.
NULL_DRAWS = 99

# --- figures ------------------------------------------------------------------------------------

# Figures are drawn from numbers rounded to this many significant digits (helpers.plots.rounded).
# Another machine's BLAS changes an estimate in its last digits (we have seen the tenth), enough to
# move a drawn point by a fraction of a pixel and change the bytes of a PNG or PDF; six digits are
# far finer than a figure can show (a millionth of an axis) and far coarser than that noise.
FIGURE_DIGITS = 6

# --- the runner ---------------------------------------------------------------------------------

# The (low, high) range of each numeric setting a rerun may pass; for a list setting (years) the range
# applies to each element. The measures choose from helpers.constructions.names, cov_type from COV_TYPES.
# alpha from 0.01: the scorecard reads the paper's claims from its stars, which show p < 0.01 at best
# (tables.STAR_LEVELS); below it the paper claims no region, and its regional pattern says nothing.
RANGES = {"winsor_share": (0.0, 0.25), "reps": (99, 99999), "alpha": (0.01, 0.2),
          "seed": (0, 2**32 - 1), "years": SOURCE_YEARS,
          "top": (1, 100),  # top: the nearest constructions notebook 10 shows per variable (display only)
          "draws": (19, 9999)}  # draws: province draws of notebook 11's joint test under the null
# The default of each notebook parameter: the decisions above, and notebook 10's `top` (display only)
# (tests/test_config.py holds the notebooks' literals equal to these). The measures' parameters are
# empty: "the default of MEASURE_DEFAULTS" (helpers.notebook.start), so that a new default is a
# change of this file only.
PARAMETERS = {"years": list(PANEL_YEARS), **{variable: "" for variable in MEASURE_DEFAULTS}, "winsor_share": WINSOR_SHARE,
              "reps": BOOTSTRAP["reps"], "seed": BOOTSTRAP["seed"], "alpha": ALPHA, "draws": NULL_DRAWS,
              "cov_type": COV_TYPE, "top": 5}
