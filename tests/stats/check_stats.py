"""Cross-check raphe's trial statistics against lifelines and SciPy (run by .ci/test in a venv).

`check_stats.py STATS_CHECK` generates datasets with a fixed seed (small, medium and large arms,
tied times, heavy censoring, an arm where everyone fails, unequal group sizes, a Cox model with
one binary and one continuous covariate), runs raphe's `stats_check` example on them and
compares every number with the reference implementation:

- lifelines: KaplanMeierFitter (survival, 95% interval, event table, median, S(t) at given
  times), logrank_test, CoxPHFitter (params_, standard_errors_, log_likelihood_, p-values, HR
  intervals);
- SciPy: ttest_ind (pooled and Welch, with the 95% CI), mannwhitneyu (asymptotic, continuity
  corrected), fisher_exact, chi2_contingency (Yates), binomtest(...).proportion_ci (exact).

Tolerance 1e-6, absolute below 1 and relative above. Degenerate inputs (constant data, an empty
row, no trials, a constant covariate) must be raphe errors where the references give NaN, p = 1
without a statistic, or raise. Any mismatch ends with `FAIL ...`.
"""
import json, math, subprocess, sys, tempfile, warnings
from pathlib import Path

import numpy as np
import pandas as pd
import lifelines
import scipy
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test
from scipy import stats

TOL = 1e-6
worst = {}  # family -> largest scaled difference seen


def close(family, what, ours, ref):
    """ours vs ref within TOL (relative above 1); None stands for an infinite value."""
    ours = math.inf if ours is None else float(ours)
    ref = float(ref)
    if math.isinf(ref) or math.isinf(ours):
        if ours != ref:
            sys.exit(f"FAIL {family} {what}: raphe {ours} vs reference {ref}")
        return
    scaled = abs(ours - ref) / max(1.0, abs(ref))
    if not scaled <= TOL:
        sys.exit(f"FAIL {family} {what}: raphe {ours!r} vs reference {ref!r} (difference {abs(ours - ref):.3g})")
    worst[family] = max(worst.get(family, 0.0), scaled)


def ok(family, what, result):
    if not isinstance(result, dict) or "error" in result:
        sys.exit(f"FAIL {family} {what}: raphe gave {result!r}")
    return result


def r10(x):
    """Ten decimals: serde_json (without float_roundtrip) parses such short numbers exactly, so
    both sides see the same doubles; longer ones may come out one ulp off."""
    return round(float(x), 10)


def arm(rng, n, rate, censor_rate, ties=False, censor=True):
    t = rng.exponential(1.0 / rate, n)
    c = rng.exponential(1.0 / censor_rate, n) if censor else np.full(n, np.inf)
    time, event = np.minimum(t, c), t <= c
    if ties:
        time = np.ceil(time * 4.0) / 4.0  # follow-up visits every quarter
    return [{"time": r10(x), "event": bool(e)} for x, e in zip(time, event)]


def cox_data(rng, n, ties, censor_rate):
    x1 = rng.integers(0, 2, n).astype(float)
    x2 = rng.normal(60.0, 9.0, n)  # age-like: not centred, so the internal centring matters
    t = rng.exponential(1.0 / (0.2 * np.exp(0.7 * x1 + 0.04 * (x2 - 60.0))))
    c = rng.exponential(1.0 / censor_rate, n)
    time, event = np.minimum(t, c), t <= c
    if ties:
        time = np.ceil(time)
    return {"obs": [{"time": r10(a), "event": bool(e)} for a, e in zip(time, event)],
            "x": [[float(a), r10(b)] for a, b in zip(x1, x2)]}


def datasets():
    rng = np.random.default_rng(20240611)
    out = []
    for name, (na, nb), ties, censor_rate in [
        ("small", (8, 11), False, 0.1),
        ("medium_ties_heavy_censoring", (25, 40), True, 3.0),
        ("large", (200, 180), False, 0.15),
        ("large_ties", (200, 150), True, 0.3),
    ]:
        ya = rng.normal(10.0, 2.0, na)
        yb = rng.normal(11.0, 3.5, nb)
        if ties:
            ya, yb = np.round(ya), np.round(yb)  # integer scores: many tied ranks
        times = [0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0]
        out.append({
            "name": name,
            "arm_a": arm(rng, na, 0.5, censor_rate, ties),
            "arm_b": arm(rng, nb, 0.8, censor_rate, ties),
            "at_times": times,
            "cox": cox_data(rng, na + nb, ties, censor_rate / 2),
            "y_a": [r10(v) for v in ya], "y_b": [r10(v) for v in yb],
        })
    # Nobody is censored: both curves reach 0, arm b with tied times.
    out.append({"name": "no_censoring", "arm_a": arm(rng, 8, 0.5, 1.0, censor=False),
                "arm_b": arm(rng, 9, 1.0, 1.0, ties=True, censor=False), "at_times": [0.5, 1.0, 2.0]})
    tables = [[[3, 1], [1, 3]], [[8, 2], [1, 5]], [[12, 5], [7, 15]], [[0, 10], [5, 5]],
              [[150, 50], [120, 80]], [[5, 5], [5, 6]], [[1, 30], [9, 21]], [[45, 3], [40, 9]]]
    binoms = [(0, 10), (10, 10), (3, 10), (1, 7), (87, 200), (412, 1000), (999, 1000)]
    for i, table in enumerate(tables):
        out.append({"name": f"table_{i}", "table": table, "binom": binoms[i % len(binoms)]})
    out.append({"name": "binom_last", "binom": binoms[-1]})
    # Degenerate input: the references give NaN or raise, raphe must refuse.
    out.append({"name": "degenerate", "y_a": [2.0, 2.0, 2.0], "y_b": [2.0, 2.0],
                "table": [[0, 0], [3, 4]], "binom": (0, 0),
                "cox": {"obs": [{"time": 1.0, "event": True}, {"time": 2.0, "event": False},
                                {"time": 3.0, "event": True}], "x": [[1.0], [1.0], [1.0]]}})
    return out


def check_km(name, key, data, ours, times):
    ok("kaplan-meier", f"{name} {key}", ours)
    t = np.array([o["time"] for o in data])
    e = np.array([o["event"] for o in data])
    kmf = KaplanMeierFitter().fit(t, e)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_survival_function_
    table = kmf.event_table
    expected_times = [float(x) for x in sf.index if x > 0]
    got_times = [s["time"] for s in ours["steps"]]
    if got_times != expected_times:
        sys.exit(f"FAIL kaplan-meier {name} {key}: times {got_times} vs lifelines {expected_times}")
    for s in ours["steps"]:
        at = f"{name} {key} t={s['time']}"
        close("kaplan-meier", f"{at} survival", s["survival"], sf.loc[s["time"]])
        close("kaplan-meier", f"{at} lower", s["low"], ci.loc[s["time"]].iloc[0])
        close("kaplan-meier", f"{at} upper", s["high"], ci.loc[s["time"]].iloc[1])
        row = table.loc[s["time"]]
        if (s["at_risk"], s["events"], s["censored"]) != (row["at_risk"], row["observed"], row["censored"]):
            sys.exit(f"FAIL kaplan-meier {at}: counts {s} vs lifelines {dict(row)}")
    # lifelines' S is exp(sum of logs): an exact 1/2 can come out a hair above and its median
    # then moves to the next event. raphe counts S within 1e-12 of 0.5 as 0.5 (the definition).
    reached = sf[sf <= 0.5 + 1e-12]
    median = float(reached.index[0]) if len(reached) else math.inf
    exact_half = median != kmf.median_survival_time_
    if exact_half and abs(sf.loc[median] - 0.5) > 1e-12:
        sys.exit(f"FAIL kaplan-meier {name} {key}: median {median} vs lifelines {kmf.median_survival_time_}")
    close("kaplan-meier", f"{name} {key} median", ours["median"], median)
    for q, value in zip(times, ours["at"]):
        close("kaplan-meier", f"{name} {key} S({q})", value, kmf.survival_function_at_times(q).iloc[0])
    return len(ours["steps"]), math.isinf(median), sf.iloc[-1] == 0.0, exact_half


def check_logrank(name, d, r):
    a, b = d["arm_a"], d["arm_b"]
    ref = logrank_test([o["time"] for o in a], [o["time"] for o in b],
                       [o["event"] for o in a], [o["event"] for o in b])
    for key in ("logrank", "logrank_swapped"):
        ours = ok("log-rank", f"{name} {key}", r[key])
        close("log-rank", f"{name} {key} statistic", ours["statistic"], ref.test_statistic)
        close("log-rank", f"{name} {key} p", ours["p_value"], ref.p_value)


def check_cox(name, data, ours):
    ok("cox", name, ours)
    df = pd.DataFrame(data["x"], columns=["x1", "x2"])
    df["T"] = [o["time"] for o in data["obs"]]
    df["E"] = [o["event"] for o in data["obs"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cph = CoxPHFitter().fit(df, "T", "E")
    summary = cph.summary
    for j, col in enumerate(["x1", "x2"]):
        close("cox", f"{name} coef {col}", ours["coefficients"][j], cph.params_[col])
        close("cox", f"{name} se {col}", ours["standard_errors"][j], cph.standard_errors_[col])
        close("cox", f"{name} HR {col}", ours["hazard_ratios"][j], cph.hazard_ratios_[col])
        close("cox", f"{name} HR low {col}", ours["hr_low"][j], summary.loc[col, "exp(coef) lower 95%"])
        close("cox", f"{name} HR high {col}", ours["hr_high"][j], summary.loc[col, "exp(coef) upper 95%"])
        close("cox", f"{name} p {col}", ours["p_values"][j], summary.loc[col, "p"])
    close("cox", f"{name} log-likelihood", ours["log_likelihood"], cph.log_likelihood_)
    return sum(o["event"] for o in data["obs"])


def check_continuous(name, d, r):
    a, b = d["y_a"], d["y_b"]
    for key, equal in (("t_pooled", True), ("t_welch", False)):
        ours = ok("t-test", f"{name} {key}", r[key])
        ref = stats.ttest_ind(a, b, equal_var=equal)
        low, high = ref.confidence_interval(0.95)
        close("t-test", f"{name} {key} difference", ours["mean_difference"], np.mean(a) - np.mean(b))
        close("t-test", f"{name} {key} t", ours["statistic"], ref.statistic)
        close("t-test", f"{name} {key} df", ours["df"], ref.df)
        close("t-test", f"{name} {key} p", ours["p_value"], ref.pvalue)
        close("t-test", f"{name} {key} CI low", ours["ci_low"], low)
        close("t-test", f"{name} {key} CI high", ours["ci_high"], high)
    ours = ok("mann-whitney", name, r["mann_whitney"])
    ref = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic", use_continuity=True)
    close("mann-whitney", f"{name} U", ours["u"], ref.statistic)
    close("mann-whitney", f"{name} p", ours["p_value"], ref.pvalue)


def check_table(name, d, r):
    table = d["table"]
    ours = ok("fisher", name, r["fisher"])
    ref = stats.fisher_exact(table)
    close("fisher", f"{name} odds ratio", ours["odds_ratio"], ref.statistic)
    close("fisher", f"{name} p", ours["p_value"], ref.pvalue)
    ours = ok("chi-squared", name, r["chi2"])
    ref = stats.chi2_contingency(table, correction=True)
    close("chi-squared", f"{name} statistic", ours["statistic"], ref.statistic)
    close("chi-squared", f"{name} p", ours["p_value"], ref.pvalue)


def check_binom(name, d, r):
    k, n = d["binom"]
    if not isinstance(r["binom"], list):
        sys.exit(f"FAIL binomial {name}: raphe gave {r['binom']!r}")
    ci = stats.binomtest(k, n).proportion_ci(0.95, method="exact")
    close("binomial", f"{name} ({k}/{n}) low", r["binom"][0], ci.low)
    close("binomial", f"{name} ({k}/{n}) high", r["binom"][1], ci.high)


def raises(f):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f()
    except Exception:
        return True
    return False


def check_degenerate(d, r):
    """Where the references have no answer (NaN, p = 1 without a statistic, or an exception),
    raphe must return an error rather than a number."""
    a, b, table = d["y_a"], d["y_b"], d["table"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        references = {
            "t_pooled": math.isnan(stats.ttest_ind(a, b).pvalue),
            "t_welch": math.isnan(stats.ttest_ind(a, b, equal_var=False).pvalue),
            "mann_whitney": stats.mannwhitneyu(a, b, method="asymptotic").pvalue == 1.0,
            "fisher": math.isnan(stats.fisher_exact(table).statistic),
            "chi2": raises(lambda: stats.chi2_contingency(table)),
            "binom": raises(lambda: stats.binomtest(*d["binom"])),
            "cox": raises(lambda: CoxPHFitter().fit(pd.DataFrame(
                {"x": [x[0] for x in d["cox"]["x"]], "T": [o["time"] for o in d["cox"]["obs"]],
                 "E": [o["event"] for o in d["cox"]["obs"]]}), "T", "E")),
        }
    for key, degenerate in references.items():
        if not degenerate:
            sys.exit(f"FAIL degenerate {key}: the reference now gives an answer; revisit raphe's error")
        if not (isinstance(r.get(key), dict) and "error" in r[key]):
            sys.exit(f"FAIL degenerate {key}: raphe gave {r.get(key)!r}, not an error")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_stats.py STATS_CHECK_BINARY")
    data = datasets()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "datasets.json"
        path.write_text(json.dumps(data))
        results = json.loads(subprocess.check_output([sys.argv[1], str(path)], text=True))
    if [r["name"] for r in results] != [d["name"] for d in data]:
        sys.exit("FAIL stats_check: results do not follow the datasets")
    counts = {"curves": 0, "steps": 0, "inf_median": 0, "zero": 0, "exact_half": 0, "cox_events": 0}
    for d, r in zip(data, results):
        if d["name"] == "degenerate":
            check_degenerate(d, r)
            continue
        for key in ("km_a", "km_b"):
            if key in r:
                steps, inf_median, zero, half = check_km(d["name"], key, d["arm_" + key[-1]], r[key], d["at_times"])
                counts["exact_half"] += half
                counts["curves"] += 1
                counts["steps"] += steps
                counts["inf_median"] += inf_median
                counts["zero"] += zero
        if "logrank" in r:
            check_logrank(d["name"], d, r)
        if "cox" in d:
            counts["cox_events"] += check_cox(d["name"], d["cox"], r["cox"])
        if "y_a" in d:
            check_continuous(d["name"], d, r)
        if "table" in d:
            check_table(d["name"], d, r)
        if "binom" in d:
            check_binom(d["name"], d, r)
    # The data must exercise the conventions that differ between implementations.
    if counts["inf_median"] == 0 or counts["zero"] == 0:
        sys.exit(f"FAIL datasets: need a curve with an infinite median and one reaching 0 ({counts})")
    n_tables = sum("table" in d for d in data) - 1
    n_cont = sum("y_a" in d for d in data) - 1
    versions = f"lifelines {lifelines.__version__}"
    print(f"kaplan-meier: {counts['curves']} curves, {counts['steps']} steps (survival, 95% CI, counts, "
          f"median, S(t)) = {versions}; max scaled difference {worst['kaplan-meier']:.1e}; "
          f"{counts['exact_half']} median(s) on an exact S = 1/2 that lifelines' rounding moves to the next event")
    print(f"log-rank: {sum('logrank' in r for r in results)} comparisons, both group orders = {versions}; "
          f"max {worst['log-rank']:.1e}")
    print(f"cox: {sum('cox' in d for d in data) - 1} fits, {counts['cox_events']} events (coef, SE, HR CI, p, "
          f"log-likelihood) = {versions}; max {worst['cox']:.1e}")
    print(f"t-test: {n_cont} datasets, pooled and Welch with 95% CI = SciPy {scipy.__version__}; "
          f"max {worst['t-test']:.1e}")
    print(f"mann-whitney: {n_cont} datasets = SciPy; max {worst['mann-whitney']:.1e}")
    print(f"fisher: {n_tables} tables = SciPy; max {worst['fisher']:.1e}")
    print(f"chi-squared: {n_tables} tables (Yates) = SciPy; max {worst['chi-squared']:.1e}")
    print(f"binomial: {sum('binom' in d for d in data) - 1} Clopper-Pearson intervals = SciPy; "
          f"max {worst['binomial']:.1e}")
    print("degenerate input: raphe errors where the references give NaN, a bare p = 1 or raise (7 cases)")


if __name__ == "__main__":
    main()
