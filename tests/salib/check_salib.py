"""Cross-check raphe's Sobol' indices against SALib (run by .ci/test in a venv).

1. Ishigami: SALib samples and analyses; raphe's estimator gets the same outputs and must give
   the same S1 and ST (same Saltelli 2010 / Jansen formulas), and both must lie within sampling
   error of the analytic values.
2. A raphe metric: `raphe sensitivity` runs a small Sobol' sweep; SALib analyses the same runs
   (raphe's design uses SALib's block order) and must agree with raphe's sensitivity.csv.
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


def ishigami(tmp):
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
    n = 4096
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=7)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    salib = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=7)
    path = tmp / "y.csv"
    path.write_text("\n".join(repr(float(v)) for v in y))
    ours = json.loads(subprocess.check_output([str(EXAMPLE), str(path), str(n), "3"], text=True))
    analytic = [(0.3139, 0.5576), (0.4424, 0.4424), (0.0, 0.2437)]
    for i in range(3):
        close(ours[i]["first"], salib["S1"][i], 1e-9, f"Ishigami S1[{i}] same data")
        close(ours[i]["total"], salib["ST"][i], 1e-9, f"Ishigami ST[{i}] same data")
        close(ours[i]["first"], analytic[i][0], 3 * salib["S1_conf"][i] + 0.01, f"Ishigami S1[{i}] analytic")
        close(ours[i]["total"], analytic[i][1], 3 * salib["ST_conf"][i] + 0.01, f"Ishigami ST[{i}] analytic")
    print("Ishigami: raphe = SALib on the same data; both within sampling error of the analytic indices")


def raphe_metric(tmp):
    out = tmp / "sens"
    subprocess.check_call([str(RAPHE), "sensitivity", str(ROOT / "tests" / "salib" / "mouse_sobol.toml"), "--out", str(out)],
                          stdout=subprocess.DEVNULL)
    with open(out / "runs.csv") as f:
        rows = list(csv.DictReader(f))
    y = np.array([float(r["spasm_auc"]) for r in rows])
    d = 2
    n = len(y) // (d + 2)
    problem = {"num_vars": d, "names": ["raphe_hazard", "umn_inhibition_loss"], "bounds": [[0, 1]] * d}
    salib = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=1)
    with open(out / "sensitivity.csv") as f:
        ours = list(csv.DictReader(f))
    for i, row in enumerate(ours):
        close(float(row["S1"]), salib["S1"][i], 1e-9, f"spasm_auc S1[{i}]")
        close(float(row["ST"]), salib["ST"][i], 1e-9, f"spasm_auc ST[{i}]")
        # Bootstrap intervals: both are 95% intervals from resampling; their widths agree roughly.
        width = float(row["S1_high"]) - float(row["S1_low"])
        if not 0.3 * 2 * salib["S1_conf"][i] <= width <= 3 * 2 * salib["S1_conf"][i] + 1e-12:
            sys.exit(f"FAIL spasm_auc S1[{i}] interval width {width} vs SALib {2 * salib['S1_conf'][i]}")
    print(f"raphe metric spasm_auc ({n} base samples): raphe = SALib")


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
        ishigami(Path(t))
        raphe_metric(Path(t))
