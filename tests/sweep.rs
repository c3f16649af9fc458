//! Sweeps: byte-identical results whatever the thread count, a failing run recorded and the sweep
//! going on, bad sweep files refused with the field named and nothing written; every example
//! sweep loads; every summary metric a sweep may name is in the summary.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn sweep(file: &Path, threads: usize, out: &Path) -> assert_cmd::assert::Assert {
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("sweep")
        .arg(file)
        .args(["--threads", &threads.to_string(), "--out"])
        .arg(out)
        .assert()
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = repo("models/sweeps/disease_lhs.toml");
    sweep(&file, 1, &dir.path().join("one")).success();
    sweep(&file, 2, &dir.path().join("two")).success();
    let one = std::fs::read(dir.path().join("one/runs.csv")).unwrap();
    let two = std::fs::read(dir.path().join("two/runs.csv")).unwrap();
    assert_eq!(one, two);
    assert_eq!(String::from_utf8(one).unwrap().lines().count(), 1 + 64);
    assert!(dir.path().join("one/manifest.json").is_file());
}

#[test]
fn a_failing_run_is_recorded_and_the_sweep_goes_on() {
    // Loading refuses a range outside a physical bound, so widen a loaded sweep's range to
    // reach 0 min (the PIC time constant must be > 0): the run there fails with its reason in
    // runs.csv, the other runs, and the sweep completes.
    let dir = tempfile::tempdir().unwrap();
    let text = "[sweep]\nname = \"fail\"\nmodel = \"human_als\"\ndesign = \"grid\"\nmetrics = [\"spasm_auc\"]\nduration = { value = 1, unit = \"year\" }\n[[factor]]\ntarget = \"model.pic_time_constant\"\nunit = \"min\"\nrange = [1, 10]\nlevels = 2\n";
    let file = dir.path().join("fail.toml");
    std::fs::write(&file, text).unwrap();
    let mut sweep = raphe::sweep::Sweep::load(&file).unwrap();
    sweep.factors[0].low = 0.0;
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mut tx = raphe::output::transaction::Transaction::begin(&out, "sweep", false).unwrap();
    let outcome =
        raphe::sweep::run_all(&sweep, &mut tx, raphe::sweep::RunOptions::whole(), &|_, _| {}).unwrap();
    tx.commit(serde_json::json!({})).unwrap();
    assert_eq!((outcome.runs, outcome.failed), (2, 1));
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].contains("failed: pic_time_constant = 0 min is outside its physical bound"), "{csv}");
    assert!(rows[1].contains(",ok,"), "{csv}");
}

#[test]
fn ranges_simulate_would_refuse_are_refused_when_the_sweep_loads() {
    // Each was a sweep of "ok" or of failed runs with exit 0 (issue 10).
    let dir = tempfile::tempdir().unwrap();
    let oral = std::fs::read_to_string(repo("models/sweeps/baclofen_dose_interval.toml")).unwrap();
    let header = |scenario: &str, duration: &str| {
        format!("[sweep]\nname = \"bad\"\nmodel = \"human_als\"\nscenario = \"{scenario}\"\ndesign = \"grid\"\nmetrics = [\"spasm_auc\"]\nduration = {{ value = {duration}, unit = \"day\" }}\n")
    };
    let factor = |target: &str, unit: &str, range: &str| {
        format!("[[factor]]\ntarget = \"{target}\"\nunit = \"{unit}\"\nrange = {range}\nlevels = 3\n")
    };
    for (text, field, says) in [
        (
            header("baclofen_oral_tid", "100") + &factor("dosing.0.amount", "mg", "[1, 1e6]"),
            "factor[0].range",
            "hard bound",
        ),
        (
            header("baclofen_oral_tid", "100") + &factor("dosing.0.interval", "h", "[0, 12]"),
            "factor[0].range",
            "1 min",
        ),
        (
            header("baclofen_oral_tid", "100") + &factor("dosing.0.start", "day", "[-1000, 0]"),
            "factor[0].range",
            "day 0 to 36525",
        ),
        (
            header("baclofen_oral_tid", "100") + &factor("dosing.0.start", "day", "[0, 1e7]"),
            "factor[0].range",
            "36525",
        ),
        (
            header("baclofen_intrathecal_late", "100") + &factor("infusion.0.rate", "ug/day", "[-200, 100]"),
            "factor[0].range",
            "rate > 0",
        ),
        (
            header("baclofen_oral_tid", "0") + &factor("dosing.0.amount", "mg", "[5, 10]"),
            "sweep.duration",
            "days",
        ),
        (
            header("baclofen_oral_tid", "1e9") + &factor("dosing.0.amount", "mg", "[5, 10]"),
            "sweep.duration",
            "36525",
        ),
        (
            // Each factor alone is fine; together (60 mg every hour) the daily dose is not.
            header("baclofen_oral_tid", "100")
                + &factor("dosing.0.amount", "mg", "[5, 60]")
                + &factor("dosing.0.interval", "h", "[1, 8]"),
            "factor[0].range and factor[1].range",
            "10 times the label maximum",
        ),
        (oral.replace("levels = 5", "levels = 1000000000000"), "factor", "at most 100000000 runs"),
    ] {
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, &text).unwrap();
        let out = dir.path().join("out");
        sweep(&file, 1, &out)
            .failure()
            .stderr(predicate::str::contains(field).and(predicate::str::contains(says)));
        assert!(!out.join("runs.csv").exists(), "{text}");
    }
}

#[test]
fn bad_sweep_files_are_refused() {
    let base = std::fs::read_to_string(repo("models/sweeps/baclofen_dose_interval.toml")).unwrap();
    for (edit, expect) in [
        (base.replace("dosing.0.amount", "model.no_such_parameter"), "factor[0].target"),
        (base.replace("range = [5, 25]", "range = [25, 5]"), "factor[0].range"),
        (base.replace("levels = 5", "levels = 0"), "factor[0].levels"),
        (base.replace("unit = \"mg\"", "unit = \"h\""), "factor[0].unit"),
        (base.replace("\"spasm_auc\"", "\"spasm_aucc\""), "sweep.metrics"),
        (base.replace("dosing.0.amount", "dosing.3.amount"), "factor[0].target"),
        (
            format!("{base}\n[sweep.trajectories]\nevery = {{ value = 36, unit = \"h\" }}\ncolumns = [\"pic\"]\n"),
            "sweep.trajectories.every",
        ),
        (
            format!("{base}\n[sweep.trajectories]\nevery = {{ value = 7, unit = \"day\" }}\ncolumns = [\"pics\"]\n"),
            "sweep.trajectories.columns",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad_sweep.toml");
        std::fs::write(&file, edit).unwrap();
        let out = dir.path().join("out");
        sweep(&file, 1, &out)
            .failure()
            .stderr(predicate::str::contains("bad_sweep.toml").and(predicate::str::contains(expect)));
        assert!(!out.exists(), "{expect}: output written");
    }
}

#[test]
fn every_example_sweep_loads_and_every_metric_exists() {
    for e in std::fs::read_dir(repo("models/sweeps")).unwrap() {
        let p = e.unwrap().path();
        raphe::sweep::Sweep::load(&p).unwrap_or_else(|e| panic!("{e}"));
    }
    let m = raphe::model::Model::load(&repo("models/human_als.toml")).unwrap();
    let mut s = raphe::simulate::Settings::for_model(&m, raphe::simulate::Fidelity::Fast);
    s.duration = 10.0;
    let traj = raphe::simulate::simulate(&m, &raphe::pharmacology::Scenario::untreated(), &s).unwrap();
    let v = serde_json::to_value(raphe::simulate::Summary::of(&m, &traj)).unwrap();
    for name in raphe::sweep::metric_names() {
        // Nested keys (benefit_risk.score) live under their object, null without a treatment.
        let (head, _) = name.split_once('.').unwrap_or((&name, ""));
        assert!(v.get(head).is_some(), "{name} not in the summary");
    }
}

#[test]
fn sensitivity_runs_on_a_sobol_sweep_and_refuses_non_powers_of_two() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[sweep]\nname = \"s\"\nmodel = \"sod1_g86r_mouse\"\ndesign = \"sobol\"\nsamples = 32\nseed = 3\nmetrics = [\"spasm_auc\"]\n[[factor]]\ntarget = \"model.raphe_hazard\"\nunit = \"1/week\"\nrange = [0.15, 0.45]\n[[factor]]\ntarget = \"model.nfl_half_life\"\nunit = \"day\"\nrange = [10, 40]\n";
    let file = dir.path().join("s.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("sensitivity")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2, "{csv}");
    assert_eq!(std::fs::read_to_string(out.join("runs.csv")).unwrap().lines().count(), 1 + 32 * 4);
    // Raphe loss drives spasm burden; the NfL half-life has no part in it (ST near 0).
    let st = |row: usize| csv.lines().nth(row).unwrap().split(',').nth(5).unwrap().parse::<f64>().unwrap();
    assert!(st(1) > st(2), "{csv}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, text.replace("samples = 32", "samples = 30")).unwrap();
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("sensitivity")
        .arg(&bad)
        .arg("--out")
        .arg(dir.path().join("out2"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("power of two").and(predicate::str::contains("32")));
    assert!(!dir.path().join("out2").exists());
}

#[test]
fn four_shards_merge_into_exactly_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = repo("models/sweeps/spasm_morris.toml");
    let single = dir.path().join("single");
    sweep(&file, 2, &single).success();
    let shards: Vec<PathBuf> = (0..4).map(|k| dir.path().join(format!("shard{k}"))).collect();
    for (k, out) in shards.iter().enumerate() {
        Command::cargo_bin("raphe")
            .unwrap()
            .arg("sweep")
            .arg(&file)
            .args(["--threads", "1", "--shard", &format!("{k}/4"), "--out"])
            .arg(out)
            .assert()
            .success();
    }
    let merged = dir.path().join("merged");
    // Given out of order on purpose.
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("merge")
        .args([&shards[2], &shards[0], &shards[3], &shards[1]])
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    for file in ["runs.csv", "runs.parquet", "trajectories.csv"] {
        assert_eq!(
            std::fs::read(single.join(file)).unwrap(),
            std::fs::read(merged.join(file)).unwrap(),
            "{file}"
        );
    }
    // A missing shard, or a shard of another sweep, is refused.
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("merge")
        .args([&shards[0], &shards[1], &shards[2]])
        .arg("--out")
        .arg(dir.path().join("m2"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("exactly once"));
    let other = dir.path().join("other");
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("sweep")
        .arg(repo("models/sweeps/disease_lhs.toml"))
        .args(["--shard", "3/4", "--out"])
        .arg(&other)
        .assert()
        .success();
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("merge")
        .args([&shards[0], &shards[1], &shards[2], &other])
        .arg("--out")
        .arg(dir.path().join("m3"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("different sweeps"));
    assert!(!dir.path().join("m2").exists() && !dir.path().join("m3").exists());
    // K >= N is refused before anything is written.
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("sweep")
        .arg(&file)
        .args(["--shard", "4/4", "--out"])
        .arg(dir.path().join("bad"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("0 <= K < N"));
    assert!(!dir.path().join("bad").exists());
}

#[test]
fn subsampled_trajectories_keep_every_nth_row_of_each_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    sweep(&repo("models/sweeps/spasm_morris.toml"), 2, &out).success();
    let text = std::fs::read_to_string(out.join("trajectories.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "run,day,serotonin,spasm_intensity,alsfrs_r");
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let ok: Vec<f64> = runs
        .lines()
        .skip(1)
        .filter(|l| l.contains(",ok,"))
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').map(|c| c.parse().unwrap()).collect()).collect();
    // 6 years of daily rows kept every 90 days while alive (days 0, 90, …), then the last row:
    // at death, or at the end of the run (day 2191.5). Rows of a run together, in run order.
    let mut seen = Vec::new();
    for run in &ok {
        let mine: Vec<&Vec<f64>> = rows.iter().filter(|r| r[0] == *run).collect();
        assert!(mine.len() >= 2, "run {run} has rows");
        let (last, kept) = mine.split_last().unwrap();
        for (i, r) in kept.iter().enumerate() {
            assert_eq!(r[1], 90.0 * i as f64, "run {run}");
            assert!((0.0..=1.0).contains(&r[3]) && (0.0..=48.0).contains(&r[4]));
        }
        assert!(last[1] > kept.last().unwrap()[1] && last[1] <= 2191.5, "run {run}");
        assert!(last[1] == 2191.5 || last[1] < 90.0 * kept.len() as f64, "run {run}: a kept row after death");
        seen.extend(mine);
    }
    assert_eq!(seen.len(), rows.len(), "rows only of runs that succeeded");
    assert!(rows.windows(2).all(|w| w[0][0] <= w[1][0]), "rows in run order");
}

#[test]
fn sweep_trajectories_end_at_each_runs_death() {
    // The kept rows follow trajectory.csv: the last row of each run is at its death_day, dead,
    // with the spasm burden the run's summary records.
    let dir = tempfile::tempdir().unwrap();
    let text = "[sweep]\nname = \"ends\"\nmodel = \"human_als\"\ndesign = \"grid\"\nmetrics = [\"death_day\", \"spasm_auc\", \"end_day\"]\n[sweep.trajectories]\nevery = { value = 30, unit = \"day\" }\ncolumns = [\"spasm_auc\", \"alive\"]\n[[factor]]\ntarget = \"model.lmn_hazard\"\nunit = \"%/month\"\nrange = [1.5, 3.5]\nlevels = 3\n";
    let file = dir.path().join("ends.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    sweep(&file, 2, &out).success();
    let table = |name: &str| -> Vec<Vec<f64>> {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        text.lines().skip(1).map(|l| l.split(',').map(|c| c.parse().unwrap_or(f64::NAN)).collect()).collect()
    };
    let (runs, traces) = (table("runs.csv"), table("trajectories.csv"));
    assert_eq!(runs.len(), 3);
    let mut deaths = 0;
    for r in &runs {
        // run, factor, status, death_day, spasm_auc, end_day
        let (run, death, auc, end) = (r[0], r[3], r[4], r[5]);
        let mine: Vec<&Vec<f64>> = traces.iter().filter(|t| t[0] == run).collect();
        let last = mine.last().unwrap();
        assert_eq!(last[2], auc, "run {run}: spasm_auc of the last row");
        if death.is_nan() {
            assert_eq!((last[1], last[3]), (end, 1.0), "run {run}: alive to the end");
        } else {
            deaths += 1;
            assert_eq!((last[1], last[3]), (death, 0.0), "run {run}: last row at death");
            assert!(mine.iter().all(|t| t[1] <= death), "run {run}: a row after death");
            assert!(death < end, "run {run}: end_day is the requested end");
        }
    }
    assert!(deaths > 0, "some runs die");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["metric_units"]["death_day"], "day");
    assert_eq!(manifest["trajectory_units"]["spasm_auc"], "day");
}

#[test]
fn a_killed_sweep_resumes_to_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = repo("models/sweeps/spasm_sobol.toml"); // 2,560 runs = 10 chunks
    let whole = dir.path().join("whole");
    sweep(&file, 2, &whole).success();
    let out = dir.path().join("killed");
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("sweep")
        .arg(&file)
        .args(["--stop-after-chunks", "3", "--out"])
        .arg(&out)
        .assert()
        .failure();
    assert!(!out.join("runs.csv").exists(), "no runs.csv before the sweep ends");
    let done: usize = std::fs::read_dir(out.join(".chunks"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "csv"))
        .count();
    assert_eq!(done, 3);
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("sweep")
        .arg(&file)
        .args(["--resume", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(std::fs::read(whole.join("runs.csv")).unwrap(), std::fs::read(out.join("runs.csv")).unwrap());
    assert!(!out.join(".chunks").exists());
    // Resuming another sweep's chunks is refused.
    let other = dir.path().join("other");
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("sweep")
        .arg(&file)
        .args(["--stop-after-chunks", "1", "--out"])
        .arg(&other)
        .assert()
        .failure();
    Command::cargo_bin("raphe")
        .unwrap()
        .arg("sweep")
        .arg(repo("models/sweeps/disease_lhs.toml"))
        .args(["--resume", "--out"])
        .arg(&other)
        .assert()
        .failure()
        .stderr(predicate::str::contains("another sweep"));
}

#[test]
fn harm_tracking_is_on_exactly_when_a_harm_metric_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let base = "[sweep]\nname = \"h\"\nmodel = \"human_als\"\nscenario = \"diazepam_oral\"\ndesign = \"grid\"\nMETRICS\n[[factor]]\ntarget = \"dosing.0.amount\"\nunit = \"mg\"\nrange = [2, 5]\nlevels = 2\n";
    let run = |metrics: &str, name: &str| {
        let file = dir.path().join(format!("{name}.toml"));
        std::fs::write(&file, base.replace("METRICS", metrics)).unwrap();
        let out = dir.path().join(name);
        sweep(&file, 2, &out).success();
        let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').skip(3).map(|c| c.parse::<f64>().unwrap()).collect::<Vec<f64>>())
            .collect::<Vec<_>>()
    };
    let plain = run("metrics = [\"spasm_auc\"]", "plain");
    let harms = run("metrics = [\"spasm_auc\", \"peak_sedation\"]", "harms");
    for (p, h) in plain.iter().zip(&harms) {
        assert_eq!(p[0], h[0], "spasm burden does not depend on harm tracking");
        assert!(h[1] > 0.1, "sedation tracked: {}", h[1]);
    }
}
