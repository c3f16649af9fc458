"""Cross-check raphe's Sobol' indices against SALib (run by .ci/test in a venv).

1. Ishigami: SALib samples and analyses (with and without second-order indices); raphe's
   estimator gets the same outputs and must give the same S1, ST and S2 (same Saltelli 2010 /
   Jansen / Saltelli 2002 formulas), and all must lie within sampling error of the analytic values.
2. A raphe metric: `raphe sensitivity` runs small Sobol' sweeps (one with second-order indices);
   SALib analyses the same runs (raphe's design uses SALib's block order) and must agree with
   raphe's sensitivity.csv and sensitivity_second_order.csv.
3. The Sobol' sequence behind raphe's Saltelli design: its unscrambled points equal SciPy's
   `qmc.Sobol(scramble=False)` (same Joe-Kuo direction numbers, same Gray-code order).
"""
import csv, json, math, subprocess, sys, tempfile
from pathlib import Path

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

ROOT = Path(__file__).resolve().parents[2]
# Where cargo put the binaries (CARGO_TARGET_DIR, build.target-dir or ./target).
TARGET = Path(json.loads(subprocess.run(
    ["cargo", "metadata", "--format-version", "1", "--no-deps"],
    cwd=ROOT, check=True, capture_output=True, text=True).stdout)["target_directory"])
RAPHE = TARGET / "release" / "raphe"
EXAMPLE = TARGET / "release" / "examples" / "sobol_indices"
POINTS = TARGET / "release" / "examples" / "sobol_points"


def close(a, b, tol, what):
    if not abs(a - b) <= tol:
        sys.exit(f"FAIL {what}: raphe {a} vs SALib {b} (tolerance {tol})")


def ishigami(tmp, second_order):
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
    n = 4096
    x = sobol_sample.sample(problem, n, calc_second_order=second_order, seed=7)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    salib = sobol_analyze.analyze(problem, y, calc_second_order=second_order, seed=7)
    path = tmp / "y.csv"
    path.write_text("\n".join(repr(float(v)) for v in y))
    args = [str(EXAMPLE), str(path), str(n), "3"] + (["second-order"] if second_order else [])
    ours = json.loads(subprocess.check_output(args, text=True))
    analytic = [(0.3139, 0.5576), (0.4424, 0.4424), (0.0, 0.2437)]
    for i, idx in enumerate(ours["indices"]):
        close(idx["first"], salib["S1"][i], 1e-9, f"Ishigami S1[{i}] same data")
        close(idx["total"], salib["ST"][i], 1e-9, f"Ishigami ST[{i}] same data")
        close(idx["first"], analytic[i][0], 3 * salib["S1_conf"][i] + 0.01, f"Ishigami S1[{i}] analytic")
        close(idx["total"], analytic[i][1], 3 * salib["ST_conf"][i] + 0.01, f"Ishigami ST[{i}] analytic")
    # Analytic second order: only x1 and x3 interact, S13 = ST3 = 0.2437.
    analytic_s2 = {(0, 1): 0.0, (0, 2): 0.2437, (1, 2): 0.0}
    if second_order and len(ours["second_order"]) != 3:
        sys.exit(f"FAIL Ishigami: {len(ours['second_order'])} second-order pairs, not 3")
    for pair in ours["second_order"]:
        j, k = pair["j"], pair["k"]
        close(pair["second"], salib["S2"][j, k], 1e-9, f"Ishigami S2[{j},{k}] same data")
        close(pair["second"], analytic_s2[(j, k)], 3 * salib["S2_conf"][j, k] + 0.01, f"Ishigami S2[{j},{k}] analytic")
    what = "S1, ST and S2" if second_order else "S1 and ST"
    print(f"Ishigami: raphe = SALib on the same data ({what}); both within sampling error of the analytic indices")


def raphe_metric(tmp, sweep_file, names, second_order):
    out = tmp / sweep_file
    subprocess.check_call([str(RAPHE), "sensitivity", str(ROOT / "tests" / "salib" / sweep_file), "--out", str(out)],
                          stdout=subprocess.DEVNULL)
    with open(out / "runs.csv") as f:
        rows = list(csv.DictReader(f))
    y = np.array([float(r["spasm_auc"]) for r in rows])
    d = len(names)
    n = len(y) // (2 * d + 2 if second_order else d + 2)
    problem = {"num_vars": d, "names": names, "bounds": [[0, 1]] * d}
    salib = sobol_analyze.analyze(problem, y, calc_second_order=second_order, seed=1)
    with open(out / "sensitivity.csv") as f:
        ours = list(csv.DictReader(f))
    if len(ours) != d:
        sys.exit(f"FAIL {sweep_file}: {len(ours)} rows in sensitivity.csv, not {d}")
    for i, row in enumerate(ours):
        close(float(row["S1"]), salib["S1"][i], 1e-9, f"spasm_auc S1[{i}]")
        close(float(row["ST"]), salib["ST"][i], 1e-9, f"spasm_auc ST[{i}]")
        # Bootstrap intervals: both are 95% intervals from resampling; their widths agree roughly.
        width = float(row["S1_high"]) - float(row["S1_low"])
        if not 0.3 * 2 * salib["S1_conf"][i] <= width <= 3 * 2 * salib["S1_conf"][i] + 1e-12:
            sys.exit(f"FAIL spasm_auc S1[{i}] interval width {width} vs SALib {2 * salib['S1_conf'][i]}")
    pairs_file = out / "sensitivity_second_order.csv"
    if pairs_file.exists() != second_order:
        sys.exit(f"FAIL {sweep_file}: sensitivity_second_order.csv {'missing' if second_order else 'written'}")
    if second_order:
        with open(pairs_file) as f:
            pairs = list(csv.DictReader(f))
        if len(pairs) != d * (d - 1) // 2:
            sys.exit(f"FAIL {sweep_file}: {len(pairs)} pairs in sensitivity_second_order.csv")
        for row in pairs:
            j, k = names.index(row["factor_j"]), names.index(row["factor_k"])
            close(float(row["S2"]), salib["S2"][j, k], 1e-9, f"spasm_auc S2[{j},{k}]")
            width = float(row["S2_high"]) - float(row["S2_low"])
            if not 0.3 * 2 * salib["S2_conf"][j, k] <= width <= 3 * 2 * salib["S2_conf"][j, k] + 1e-12:
                sys.exit(f"FAIL spasm_auc S2[{j},{k}] interval width {width} vs SALib {2 * salib['S2_conf'][j, k]}")
    print(f"raphe metric spasm_auc ({n} base samples, {d} factors{', second order' if second_order else ''}): raphe = SALib")


def sobol_sequence():
    from scipy.stats import qmc

    n, d = 1024, 64
    text = subprocess.check_output([str(POINTS), str(n), str(d)], text=True)
    ours = np.array([[float(v) for v in line.split(",")] for line in text.splitlines()])
    scipy_points = qmc.Sobol(d=d, scramble=False).random(n)
    worst = float(np.max(np.abs(ours - scipy_points)))
    if worst != 0.0:
        sys.exit(f"FAIL Sobol' sequence differs from SciPy's by up to {worst}")
    print(f"Sobol' sequence: {n} points x {d} dimensions identical to SciPy's")


if __name__ == "__main__":
    sobol_sequence()
    with tempfile.TemporaryDirectory() as t:
        ishigami(Path(t), second_order=False)
        ishigami(Path(t), second_order=True)
        raphe_metric(Path(t), "mouse_sobol.toml", ["model.raphe_hazard", "model.umn_inhibition_loss"], second_order=False)
        raphe_metric(Path(t), "mouse_sobol_second.toml", ["model.raphe_hazard", "model.umn_inhibition_loss", "model.lmn_hazard"],
                     second_order=True)
