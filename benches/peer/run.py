"""Peer benchmark (issue 13): raphe (fast and full paths) against libRoadRunner on raphe's own
SBML export, the same 6-year scenarios, interleaved in one run on this machine.

In-process: raphe's `simulate` called in a loop with the model loaded (examples/peer_timing.rs);
libRoadRunner's `simulate` after loading and JIT-compiling the SBML, reset between runs. Both
at relative tolerance 1e-8 (raphe's default; libRoadRunner with one absolute tolerance per
state), output every 0.1 day; the spasm AUC at raphe's death day is compared, so the timings
are of agreeing results. Whole-process: `raphe simulate` against a Python process that loads
the SBML and simulates. Sweep throughput: runs/s of a 200-run LHS over the LMN hazard (raphe
sweep, 1 thread, whole process) against libRoadRunner resetting, changing the parameter and
re-simulating in a loop (in-process).

    .venv/bin/python benches/peer/run.py path/to/target/release [rounds]
"""
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import libsbml
import numpy as np
import roadrunner

roadrunner.Logger.setLevel(roadrunner.Logger.LOG_ERROR)
RELEASE = Path(sys.argv[1]) if sys.argv[1] != "--process" else None
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 and RELEASE else 5
RAPHE = str(RELEASE / "raphe") if RELEASE else ""
TIMING = str(RELEASE / "examples" / "peer_timing") if RELEASE else ""
SCENARIOS = ["untreated", "baclofen_oral_tid", "baclofen_intrathecal_late", "cyproheptadine_oral", "tizanidine_oral_tid"]
STEP = 0.1
DURATION = 2191.5


def raphe_times(scenario, fidelity, reps):
    out = subprocess.run([TIMING, "human_als", scenario, fidelity, str(reps), str(STEP)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def load_rr(xml):
    rr = roadrunner.RoadRunner(xml)
    doc = libsbml.readSBMLFromString(xml)
    m = doc.getModel()
    states = [m.getRule(k).getVariable() for k in range(m.getNumRules()) if m.getRule(k).isRate()]
    rr.integrator.relative_tolerance = 1e-8
    rr.integrator.maximum_num_steps = 10**7
    for sid in states:
        rr.integrator.setIndividualTolerance(sid, 1e-10 * (10.0 if sid == "nfl" else 1.0))
    rr.timeCourseSelections = ["time", "spasm_auc"]
    return rr


def rr_run(rr):
    rr.resetAll()
    return rr.simulate(0, DURATION, int(round(DURATION / STEP)) + 1)


def auc_at(result, day):
    return float(np.interp(day, result[:, 0], result[:, 1]))


med = statistics.median


def main():
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in SCENARIOS:
            xml_path = Path(tmp) / f"{scenario}.xml"
            args = ["--scenario", scenario] if scenario != "untreated" else []
            subprocess.run([RAPHE, "export-sbml", *args, "--out", str(xml_path)], check=True, stdout=subprocess.DEVNULL)
            xml = xml_path.read_text()
            t = time.perf_counter()
            rr = load_rr(xml)
            load = time.perf_counter() - t
            fast, full, peer = [], [], []
            for _ in range(ROUNDS):  # interleaved A/B/C rounds
                f = raphe_times(scenario, "fast", 10)
                fast += f["times"]
                g = raphe_times(scenario, "full", 1)
                full += g["times"]
                t = time.perf_counter()
                result = rr_run(rr)
                peer.append(time.perf_counter() - t)
            death = f["death_day"] or DURATION
            agree = abs(auc_at(result, death) - g["spasm_auc"]) / g["spasm_auc"]
            agree_fast = abs(f["spasm_auc"] - g["spasm_auc"]) / g["spasm_auc"]
            rows.append((scenario, fast, full, peer, load, agree, agree_fast))
            print(f"{scenario}: done", file=sys.stderr)
        print("In-process, 6-year human model, rows every 0.1 day (median and minimum of each; ratio = libRoadRunner / raphe median)")
        print(f"{'scenario':<28} {'raphe fast':>14} {'raphe full':>14} {'libRoadRunner':>16} {'fast x':>8} {'full x':>8} {'AUC diff RR':>12} {'AUC fast-full':>14}")
        for scenario, fast, full, peer, load, agree, agree_fast in rows:
            print(
                f"{scenario:<28} {med(fast)*1e3:8.1f} ({min(fast)*1e3:.1f}) {med(full)*1e3:8.0f} ({min(full)*1e3:.0f}) {med(peer)*1e3:10.0f} ({min(peer)*1e3:.0f}) "
                f"{med(peer)/med(fast):8.0f} {med(peer)/med(full):8.2f} {agree:12.1e} {agree_fast:14.1e}"
            )
        sys.stdout.flush()
        # Whole process: raphe simulate vs python + roadrunner (load, JIT, simulate).
        proc = []
        for scenario in ["untreated", "baclofen_oral_tid"]:
            args = ["--scenario", scenario] if scenario != "untreated" else []
            xml_path = Path(tmp) / f"{scenario}.xml"
            rp, pp = [], []
            for _ in range(3):
                t = time.perf_counter()
                subprocess.run([RAPHE, "simulate", *args, "--output-step", str(STEP), "--out", str(Path(tmp) / "p"), "--force"], check=True, stdout=subprocess.DEVNULL)
                rp.append(time.perf_counter() - t)
                t = time.perf_counter()
                subprocess.run([sys.executable, __file__, "--process", str(xml_path)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                pp.append(time.perf_counter() - t)
            proc.append((scenario, rp, pp))
    print("Whole process (median of 3): raphe simulate (fast, writes CSV/Parquet) vs Python + libRoadRunner (load, JIT, simulate)")
    for scenario, rp, pp in proc:
        print(f"{scenario:<28} raphe {med(rp):.2f} s   libRoadRunner {med(pp):.2f} s   ratio {med(pp)/med(rp):.1f}")
    print(f"libRoadRunner load + JIT: {', '.join(f'{r[0]} {r[4]:.2f} s' for r in rows)}")
    sweep_throughput()


SWEEP = """[sweep]
name = "peer"
model = "human_als"
scenario = "SCENARIO"
design = "lhs"
samples = 200
seed = 1
metrics = ["spasm_auc"]

[[factor]]
target = "model.lmn_hazard"
unit = "%/month"
range = [1.5, 3.5]
"""


def sweep_throughput():
    """Runs/s of a 200-run LHS over the LMN hazard: `raphe sweep` on 1 thread (whole process)
    against libRoadRunner changing the parameter and re-simulating in a loop (in-process, so
    in its favour: no process start, no output files)."""
    print("Sweep throughput (1 thread, 200 runs of the 6-year model, end-point output)")
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in ["untreated", "baclofen_oral_tid"]:
            text = SWEEP.replace('scenario = "SCENARIO"\n', "" if scenario == "untreated" else f'scenario = "{scenario}"\n')
            path = Path(tmp) / "peer.toml"
            path.write_text(text)
            t = time.perf_counter()
            subprocess.run([RAPHE, "sweep", str(path), "--threads", "1", "--out", str(Path(tmp) / "out"), "--force"], check=True, stdout=subprocess.DEVNULL)
            raphe_rate = 200 / (time.perf_counter() - t)
            xml_path = Path(tmp) / "m.xml"
            args = ["--scenario", scenario] if scenario != "untreated" else []
            subprocess.run([RAPHE, "export-sbml", *args, "--out", str(xml_path)], check=True, stdout=subprocess.DEVNULL)
            rr = load_rr(xml_path.read_text())
            n = 20 if scenario == "untreated" else 3
            t = time.perf_counter()
            for k in range(n):
                rr.resetAll()
                rr["lmn_hazard"] = (1.5 + 2.0 * (k + 0.5) / n) / 100 / 30.4375
                rr.simulate(0, DURATION, 2)
            rr_rate = n / (time.perf_counter() - t)
            print(f"{scenario:<28} raphe {raphe_rate:8.1f} runs/s   libRoadRunner {rr_rate:6.2f} runs/s   ratio {raphe_rate/rr_rate:.0f}")


if __name__ == "__main__":
    if sys.argv[1] == "--process":  # one whole libRoadRunner process: load, JIT, simulate
        rr_run(load_rr(Path(sys.argv[2]).read_text()))
    else:
        main()
