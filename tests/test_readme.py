"""Every result the README states follows from a number the notebooks export (figures/) or the paper
prints (data/paper): each sentence below is rebuilt from those files and must appear in the README.
The stored exports are the thing under test here: the README quotes them, so a rerun that changes an
exported number fails this test until the README says the new number."""
import pandas as pd
import pytest

from helpers import paths, tables


def readme() -> str:
    """The README as one line of text, markdown escapes removed."""
    return " ".join((paths.ROOT / "README.md").read_text(encoding="utf-8").split()).replace("\\*", "*")


def number(x: float, digits: int = 3) -> str:
    """As the README prints it: fixed decimals, a true minus sign."""
    return f"{x:.{digits}f}".replace("-", "−")


def percent(share: float) -> str:
    return f"{100 * share:.1f} %"


def stars(p: float) -> str:
    return "*" * sum(p < level for level in (0.1, 0.05, 0.01))


def estimates(name: str) -> pd.Series:
    return pd.read_csv(paths.FIGURES / f"{name}.csv").set_index(["column", "term", "statistic"])["value"]


def csv(name: str, **options) -> pd.DataFrame:
    return pd.read_csv(paths.FIGURES / f"{name}.csv", **options)


def printed(table: str, column: str, term: str, statistic: str = "coef") -> float:
    rows = tables.published(table).set_index(["column", "term", "statistic"])["value"]
    return rows[(column, term, statistic)]


def paper() -> list[str]:
    """What the README says the paper finds, as data/paper/published.csv holds the print."""
    def cell(table, term):
        rows = tables.published(table).query("column == '(2)' and term == @term").set_index("statistic")
        return rows.at["coef", "printed"] + "*" * int(rows.at["coef", "stars"]), rows.at["t", "printed"]
    (h1, t), (h2, _) = cell("table4", "digital"), cell("table6", "virtual x digital")
    return [f"(Table 4: {h1}, t = {t})", f"(Table 6: product {h2})"]


def baseline() -> list[str]:
    fit = estimates("table4_estimates")
    closeness = csv("table4_closeness", index_col=0)
    # "pooled OLS with year dummies is closest by the mean absolute gap of the slopes, pooled OLS without
    # them in significance levels, and both agree in sign more often"
    assert closeness["mean_abs_gap"].idxmin() == "pooled OLS + year dummies"
    assert closeness["same_level"].idxmax() == "pooled OLS"
    sign = closeness["same_sign"]
    assert min(sign["pooled OLS"], sign["pooled OLS + year dummies"]) > max(sign["two-way FE"], sign["province FE only"])
    coef, t = fit[("(2)", "digital", "coef")], fit[("(2)", "digital", "t")]
    return [f"close in size to the published one ({number(coef)} vs {number(printed('table4', '(2)', 'digital'))}) "
            f"but **not significant** (t = {number(t, 2)})",
            f"without controls it is near zero ({number(fit[('(1)', 'digital', 'coef')])}, "
            f"t = {number(fit[('(1)', 'digital', 't')], 2)})"]


def errors() -> list[str]:
    """How the paper read its t statistics, which its stars show (notebooks 05, 08 and 09)."""
    stars_ = csv("table7_stars", index_col="region").loc["Northeast"]
    assert stars_["printed"] == stars_["conventional stars"] == "***" != stars_["clustered stars"]
    table4 = csv("table4_errors", index_col=["column", "errors"])
    se = table4["se"]
    printed = csv("09_stars")
    follow = {reading: (printed["printed"].fillna("") == printed[f"{reading} stars"].fillna("")).sum()
              for reading in ("normal", "residual", "clustered")}
    assert follow["normal"] == len(printed)  # "all"
    starless = printed["printed"].isna().sum()
    return [f"beside all {len(printed)} of its t statistics ({len(printed) - starless} with stars, {starless} without) the "
            f"stars printed or left off are those of the t read against the normal, and all {follow['residual']} those "
            f"of the residual degrees of freedom of its two-way models, beside {follow['clustered']} those "
            "of the G − 1 degrees of freedom of clustered errors",
            f"Northeast, t = {number(stars_['t'], 2)}***, is significant at 1 % with the "
            f"{stars_['conventional df']} degrees of freedom of conventional errors, not with the "
            f"{stars_['clustered df']} of clustered errors",
            f"(t = {number(table4.at[('(2)', 'conventional'), 't'], 2)}, `figures/table4_errors.md`)",
            f"the clustered standard error is {se[('(2)', 'clustered by province')] / se[('(2)', 'conventional')]:.1f} "
            "times as large"]


def robustness() -> list[str]:
    fit = estimates("06_robustness_estimates").xs("digital", level="term").unstack("statistic")
    clustered = fit.drop(index=["baseline", "Driscoll-Kraay errors"])
    # "none gives a positive coefficient significant at 5 %; three reach 10 % only"
    assert not ((clustered["coef"] > 0) & (clustered["p"] < 0.05)).any()
    at_ten = clustered[(clustered["coef"] > 0) & (clustered["p"] < 0.1)]
    assert sorted(at_ten.index) == ["index: PCA", "no filled cells (2013-2020)", "winsorised 1%/99%"]
    pku, dk = fit.loc["index: PKU-DFIIC"], fit.loc["Driscoll-Kraay errors"]
    return ([f"({number(row['coef'])}{stars(row['p'])}, p = {number(row['p'])}" for _, row in at_ten.iterrows()]
            + [f"*negative* coefficient ({number(pku['coef'])}{stars(pku['p'])})",
               f"change only the standard error ({number(dk['coef'])}{stars(dk['p'])}, p = {number(dk['p'])}), which "
               "supports H1 at face value"])


def forensics() -> list[str]:
    verdict = csv("10_verdict", index_col="variable").loc[["tfp", "digital", "virtual"]]
    controls = csv("10_controls", index_col=0)
    tolerance = verdict["tolerance"].iloc[0]
    assert controls.loc[["gov", "open", "ur"], "distance"].max() == tolerance and not verdict["reproduces"].any()
    gaps = [", ".join(number(g, 2) for g in verdict[column][:2]) + f" and {number(verdict[column].iloc[2], 2)}"
            for column in ("moment_gap", "correlation_gap")]
    return [f"None of {len(csv('10_grid'))} standard constructions",
            f"miss a printed moment by {gaps[0]} printed standard deviations and a printed correlation with the "
            f"controls by {gaps[1]},", f"(`gov`, `open`, `ur`) stay within {tolerance:g}"]


def multiverse() -> list[str]:
    n = csv("11_numbers", index_col=["claim", "universe"])
    p = csv("11_joint", index_col=["claim", "statistic"])["p"]
    share = lambda claim, universe: percent(n.at[(claim, universe), "supports"])  # noqa: E731
    count = lambda claim, universe: f"{n.at[(claim, universe), 'specifications']:,}"  # noqa: E731
    regional = n.loc["regional pattern"]
    assert regional["supports"].max() <= 0.05  # "the pattern fails in 95 % or more of each universe of `11_numbers`"
    assert regional.at["core, wild cluster bootstrap", "supporting"] == 0  # "in none of the 360 ..."
    draws = csv("11_joint")["draws"].unique()
    for claim, statistic in [("H1", "positive and significant"), ("regional pattern", "pattern holds")]:
        assert p[(claim, statistic)] == 1 / (1 + draws[0]) and len(draws) == 1  # "the smallest ... can give"
    return [f"in {share('H1', 'full')} of {count('H1', 'full')} specifications ({share('H1', 'full, clustered errors')} "
            f"with clustered errors) but in only {share('H1', 'full, two-way FE only')} of those",
            f"({share('H1', 'full, two-way FE, clustered errors')} with clustered errors; joint test of that share",
            f"p = {p[('H1', 'positive and significant')]:g} over every estimator, the smallest {draws[0]} draws can give, "
            f"p = {p[('H1, two-way FE only', 'positive and significant')]:g} with two-way effects only, "
            f"{p[('H1, two-way FE only', 'median std')]:g} for their median estimate",
            f"H2 in {share('H2', 'full')} of {count('H2', 'full')} ({share('H2', 'full, clustered errors')} with "
            f"clustered errors; joint p = {p[('H2', 'positive and significant')]:g} for the share, "
            f"{p[('H2', 'median std')]:g} for the median)",
            f"the regional pattern in {share('regional pattern', 'full')} of {count('regional pattern', 'full')}, "
            f"in {regional.at['full, two-way FE only', 'supporting']} of the "
            f"{count('regional pattern', 'full, two-way FE only')} with two-way effects and in none of the "
            f"{count('regional pattern', 'core, wild cluster bootstrap')} core specifications tested by the wild "
            f"cluster bootstrap",
            f"On the {count('regional pattern', 'core')} core specifications with clustered or Driscoll–Kraay errors it "
            f"holds in {share('regional pattern', 'core')}, more often than with no effect in any region "
            f"(joint p = {p[('regional pattern', 'pattern holds')]:g}, the smallest {draws[0]} draws can give)",
            f"counted once, H1 is supported in {share('H1', 'full, affine copies once')}, "
            f"H2 in {share('H2', 'full, affine copies once')}"]


def controls() -> list[str]:
    table2 = csv("table2", header=[0, 1], index_col=0)
    ours, paper = table2["ours"], table2["printed"].rename(columns={"sd (printed as median)": "sd"})
    moments = ["mean", "sd", "min", "max"]
    differ = (ours[moments].round(3) != paper[moments]).loc[["gov", "open", "ur", "ind", "cs"]]
    assert not differ.loc[["gov", "open", "ur"]].any().any()
    assert list(differ.columns[differ.loc["ind"]]) == ["max"] and differ.loc["cs"].all()
    pairs = csv("table3_comparison", index_col="pair")["gap"]
    assert all(abs(pairs[pair]) < 0.0005 for pair in ("open ~ gov", "ur ~ gov", "ur ~ open"))
    return ["`ind` differs only in its maximum, `cs` in all four moments",
            f"| `cs` | mean {number(paper.at['cs', 'mean'])}, sd {number(paper.at['cs', 'sd'])}, "
            f"min {number(paper.at['cs', 'min'])}, max {number(paper.at['cs', 'max'])} | "
            f"{', '.join(number(ours.at['cs', m]) for m in moments)} (Anhui 2018)",
            f"| `ind` | max {number(paper.at['ind', 'max'])} | {number(ours.at['ind', 'max'])} |",
            f"means {', '.join(number(paper.at[v, 'mean']) for v in ('tfp', 'digital', 'virtual'))} | "
            f"{', '.join(number(ours.at[v, 'mean']) for v in ('tfp', 'digital', 'virtual'))} |"]


def known_differences() -> list[str]:
    fit = estimates("table4_estimates")
    alternatives = csv("table4_alternatives", index_col=0)
    pooled = alternatives["pooled OLS + year dummies (2)"]  # the coefficient, then (t)
    constant = [number(printed("table4", "(2)", "Constant")), number(printed("table4", "(2)", "Constant", "t"), 2),
                number(fit[("(2)", "Constant", "coef")]), number(fit[("(2)", "Constant", "t")], 2)]
    other_sign = [f"`{term}`" for term in ("gov", "cs", "open", "ur", "ind")
                  if (fit[("(2)", term, "coef")] > 0) != (printed("table4", "(2)", term) > 0)]
    spans = csv("10_spans")
    outside = ~spans["inside"].astype(bool)
    without_cs = int((outside & (spans["statistic"] != "r_cs")).sum())
    return ["| {} ({}), identical to `digital` | {} ({}) |".format(*constant),
            f"{int(outside.sum())} printed moments and correlations lie outside the range of every construction, "
            f"{without_cs} without counting the correlations with `cs`",
            f"in the same column {', '.join(other_sign[:-1])} and {other_sign[-1]} have the other sign",
            f"with province effects alone ({alternatives.at['digital', 'province FE only (2)']})",
            f"gives {pooled.iloc[0].replace('-', '−')} (t = {number(float(pooled.iloc[1].strip('()')), 2)}) for "
            "`digital` itself", adjusted_r2()]


def adjusted_r2() -> str:
    """The known difference in adjusted R-squared: Table 4's columns, then the range over Tables 5-7."""
    r2 = {table: csv(table, header=[0, 1], index_col=0).loc["Adj-R2"].astype(float) for table in
          ("table4", "table5", "table6", "table7")}
    later = {side: pd.concat([r2[t][side] for t in ("table5", "table6", "table7")]) for side in ("published", "ours")}
    spans = {side: f"{number(later[side].min())}–{number(later[side].max())}" for side in later}
    within = csv("table4", header=[0, 1], index_col=0).loc["Within R2", "ours"].astype(float)
    return (f"| Adjusted R-squared | Table 4: {', '.join(map(number, r2['table4']['published']))}; Tables 5–7: "
            f"{spans['published']} | Table 4: {', '.join(map(number, r2['table4']['ours']))}; Tables 5–7: {spans['ours']} "
            f"(inclusive) | not an inclusive R-squared with province effects: a within R-squared (ours: "
            f"{', '.join(map(number, within))} in Table 4)")


@pytest.mark.parametrize("sentences", [paper, baseline, errors, robustness, forensics, multiverse, controls, known_differences],
                         ids=lambda f: f.__name__)
def test_each_result_in_the_readme_follows_from_the_exports(sentences):
    text = readme()
    missing = [s for s in sentences() if s not in text]
    assert not missing, f"README.md does not say what figures/ and data/paper say: {missing}"
