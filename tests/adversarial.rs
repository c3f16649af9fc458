//! Adversarial use of the command line (issue 10): two writers on one folder, chunks and shards
//! cut short or edited, stale and partial output sets, signals, kills at random points, and the
//! inputs that took unbounded memory or time. Each test failed before the fix it pins.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn raphe() -> Command {
    let mut c = Command::cargo_bin("raphe").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn raphe_process() -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("raphe"));
    c.current_dir(env!("CARGO_MANIFEST_DIR")).stdout(Stdio::null()).stderr(Stdio::piped());
    c
}

/// A sweep of `runs` LHS runs over two years (five chunks of 256 for 1,280), fast enough to
/// run whole several times in a test.
fn lhs_sweep(dir: &Path, name: &str, runs: usize, seed: u64) -> PathBuf {
    let text = format!(
        "[sweep]\nname = \"{name}\"\nmodel = \"human_als\"\ndesign = \"lhs\"\nsamples = {runs}\nseed = {seed}\nduration = {{ value = 2, unit = \"year\" }}\nmetrics = [\"spasm_auc\", \"motor_onset_day\"]\n\n[[factor]]\ntarget = \"model.raphe_hazard\"\nunit = \"%/month\"\nrange = [1, 4]\n\n[[factor]]\ntarget = \"model.umn_hazard\"\nunit = \"%/month\"\nrange = [0.5, 2]\n"
    );
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn sweep_into(file: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    raphe().arg("sweep").arg(file).args(["--threads", "2"]).args(extra).arg("--out").arg(out).assert()
}

/// Every file name in a folder, sorted (hidden ones too).
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().file_name().into_string().unwrap()).collect())
        .unwrap_or_default();
    n.sort();
    n
}

fn chunk_files(out: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out.join(".chunks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    files
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn two_sweeps_started_together_never_mix_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (lhs_sweep(dir.path(), "seed_a", 1280, 4), lhs_sweep(dir.path(), "seed_b", 1280, 5));
    let reference = dir.path().join("reference");
    sweep_into(&a, &reference.join("a"), &[]).success();
    sweep_into(&b, &reference.join("b"), &[]).success();
    let out = dir.path().join("shared");
    let first = raphe_process().arg("sweep").arg(&a).arg("--out").arg(&out).spawn().unwrap();
    // The second starts while the first is writing (after its first chunk of five).
    let started = Instant::now();
    while !out.join(".chunks/0000000.json").exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "no chunk written");
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = raphe_process().arg("sweep").arg(&b).arg("--out").arg(&out).output().unwrap();
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success());
    assert!(!second.status.success(), "the second writer must be refused");
    let message = String::from_utf8_lossy(&second.stderr);
    assert!(message.contains("pid") && message.contains("seed_a.toml"), "{message}");
    let got = std::fs::read(out.join("runs.csv")).unwrap();
    assert_eq!(got, std::fs::read(reference.join("a/runs.csv")).unwrap(), "runs.csv is sweep a's, whole");
    assert_eq!(manifest(&out)["sweep_file"].as_str().unwrap(), a.display().to_string());
    raphe::output::transaction::verify(&out, &[]).unwrap();
}

#[test]
fn resume_recomputes_chunks_that_were_emptied_cut_or_edited() {
    let dir = tempfile::tempdir().unwrap();
    let file = lhs_sweep(dir.path(), "chunks", 1280, 9);
    let whole = dir.path().join("whole");
    sweep_into(&file, &whole, &[]).success();
    let expected = std::fs::read(whole.join("runs.csv")).unwrap();
    type Damage = (&'static str, fn(&Path));
    let damages: [Damage; 3] = [
        ("emptied", |p| std::fs::write(p, "").unwrap()),
        ("cut mid-line", |p| {
            let text = std::fs::read_to_string(p).unwrap();
            std::fs::write(p, &text[..text.len() - 7]).unwrap();
        }),
        ("a digit changed", |p| {
            let text = std::fs::read_to_string(p).unwrap();
            let at = text.rfind(|c: char| c.is_ascii_digit() && c != '9').unwrap();
            let mut bytes = text.into_bytes();
            bytes[at] += 1;
            std::fs::write(p, bytes).unwrap();
        }),
    ];
    for (what, damage) in damages {
        let out = dir.path().join(what.replace(' ', "_"));
        sweep_into(&file, &out, &["--stop-after-chunks", "3"]).failure();
        let chunks = chunk_files(&out);
        assert_eq!(chunks.len(), 3, "{what}");
        damage(&chunks[1]);
        sweep_into(&file, &out, &["--resume"])
            .success()
            .stdout(predicate::str::contains("1 kept chunks did not match their checksum"));
        assert_eq!(std::fs::read(out.join("runs.csv")).unwrap(), expected, "{what}");
        assert_eq!(manifest(&out)["runs"], 1280);
        raphe::output::transaction::verify(&out, &[]).unwrap();
    }
}

#[test]
fn merge_refuses_a_shard_that_does_not_match_its_manifest_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = lhs_sweep(dir.path(), "shards", 300, 3);
    let shards: Vec<PathBuf> = (0..2).map(|k| dir.path().join(format!("shard{k}"))).collect();
    for (k, s) in shards.iter().enumerate() {
        sweep_into(&file, s, &["--shard", &format!("{k}/2")]).success();
    }
    let runs = shards[1].join("runs.csv");
    let good = std::fs::read_to_string(&runs).unwrap();
    let out = dir.path().join("merged");
    for bad in [good[..good.len() - 5].to_string(), good.replacen(",ok,", ",ok,1", 1)] {
        std::fs::write(&runs, &bad).unwrap();
        raphe().arg("merge").args(&shards).arg("--out").arg(&out).assert().failure().stderr(
            predicate::str::contains("shard1").and(predicate::str::contains("does not match its manifest")),
        );
        assert!(!out.join("runs.csv").exists() && !out.join("manifest.json").exists());
    }
    std::fs::write(&runs, good).unwrap();
    raphe().arg("merge").args(&shards).arg("--out").arg(&out).assert().success();
    raphe::output::transaction::verify(&out, &[]).unwrap();
    // A simulate folder is not a shard.
    let sim = dir.path().join("sim");
    raphe().args(["simulate", "--days", "30", "--out"]).arg(&sim).assert().success();
    raphe()
        .arg("merge")
        .arg(&shards[0])
        .arg(&sim)
        .arg("--out")
        .arg(dir.path().join("m2"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("raphe simulate").and(predicate::str::contains("not of a sweep shard")),
        );
}

#[test]
fn a_folder_holds_one_commands_results_and_force_replaces_them_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    raphe().args(["sensitivity", "models/sweeps/spasm_morris.toml", "--out"]).arg(&out).assert().success();
    assert!(out.join("sensitivity.csv").exists());
    let sweep = lhs_sweep(dir.path(), "small", 20, 1);
    sweep_into(&sweep, &out, &[]).failure().stderr(
        predicate::str::contains("raphe sensitivity")
            .and(predicate::str::contains("sensitivity.csv"))
            .and(predicate::str::contains("--force")),
    );
    raphe().args(["simulate", "--days", "30", "--out"]).arg(&out).assert().failure();
    sweep_into(&sweep, &out, &["--force"]).success();
    assert_eq!(names(&out), ["manifest.json", "runs.csv", "runs.parquet"], "the old sensitivity.csv is gone");
    // A simulate rerun with --plot, then without: the old figures go with the old results.
    let sim = dir.path().join("sim");
    raphe().args(["simulate", "--days", "400", "--plot", "--out"]).arg(&sim).assert().success();
    assert!(sim.join("figures/course.svg").exists());
    raphe().args(["simulate", "--days", "300", "--out"]).arg(&sim).assert().success();
    assert!(!sim.join("figures/course.svg").exists(), "figures of the replaced run are removed");
    raphe::output::transaction::verify(&sim, &[]).unwrap();
}

#[test]
fn temporaries_of_a_killed_run_are_removed_and_an_interrupted_rerun_leaves_the_old_results_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = lhs_sweep(dir.path(), "rerun", 1280, 2);
    let out = dir.path().join("out");
    sweep_into(&file, &out, &[]).success();
    let before = std::fs::read(out.join("runs.csv")).unwrap();
    // A rerun killed part-way (and a parquet write killed half-way) ...
    sweep_into(&file, &out, &["--stop-after-chunks", "2"]).failure();
    std::fs::write(out.join(".runs.parquet.tmp-424242"), "half a parquet").unwrap();
    // ... leaves the committed results exactly as they were, checkable against the manifest.
    assert_eq!(std::fs::read(out.join("runs.csv")).unwrap(), before);
    raphe::output::transaction::verify(&out, &[]).unwrap();
    sweep_into(&file, &out, &["--resume"]).success();
    assert_eq!(names(&out), ["manifest.json", "runs.csv", "runs.parquet"]);
}

/// Send `signal` to a sweep once it has written its first chunk; it must finish that chunk,
/// leave no temporary file, say how to resume, and exit 128 + signal.
fn interrupt(signal: &str, code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let file = lhs_sweep(dir.path(), "signal", 2560, 6);
    let out = dir.path().join("out");
    let child =
        raphe_process().arg("sweep").arg(&file).args(["--threads", "2", "--out"]).arg(&out).spawn().unwrap();
    let started = Instant::now();
    while !out.join(".chunks/0000000.json").exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "no chunk written");
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = std::process::Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(code), "{signal}");
    let message = String::from_utf8_lossy(&done.stderr);
    assert!(message.contains("interrupted after") && message.contains("--resume"), "{message}");
    let leftovers: Vec<String> =
        names(&out).into_iter().chain(names(&out.join(".chunks"))).filter(|n| n.contains(".tmp")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(!out.join("runs.csv").exists() && !out.join(".raphe.lock").exists());
    sweep_into(&file, &out, &["--resume"]).success();
}

#[test]
fn sigint_ends_a_sweep_cleanly_with_130() {
    interrupt("-INT", 130);
}

#[test]
fn sigterm_ends_a_sweep_cleanly_with_143() {
    interrupt("-TERM", 143);
}

#[test]
fn sweeps_killed_at_random_points_resume_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = lhs_sweep(dir.path(), "kills", 2560, 8);
    let whole = dir.path().join("whole");
    let timer = Instant::now();
    sweep_into(&file, &whole, &[]).success();
    let length = timer.elapsed().as_millis() as u64;
    let expected: Vec<Vec<u8>> =
        ["runs.csv", "runs.parquet"].iter().map(|f| std::fs::read(whole.join(f)).unwrap()).collect();
    // Kill times from a seeded generator (xorshift), spread over the first half of a whole
    // run's length (the k-th attempt may run k tenths longer, so a loaded machine finishes).
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next_delay = |attempt: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        Duration::from_millis(10 + state % (length * (5 + attempt) / 10).max(20))
    };
    let mut kills = 0;
    for trial in 0..4 {
        let out = dir.path().join(format!("trial{trial}"));
        for kill in 0.. {
            assert!(kill < 40, "the sweep never finished");
            kills += usize::from(kill > 0);
            let mut child = raphe_process()
                .arg("sweep")
                .arg(&file)
                .args(["--resume", "--threads", "2", "--out"])
                .arg(&out)
                .spawn()
                .unwrap();
            std::thread::sleep(next_delay(kill));
            if child.try_wait().unwrap().is_some() {
                break;
            }
            child.kill().unwrap();
            child.wait().unwrap();
        }
        if !out.join("manifest.json").exists() || out.join(".chunks").exists() {
            sweep_into(&file, &out, &["--resume"]).success();
        }
        for (name, want) in ["runs.csv", "runs.parquet"].iter().zip(&expected) {
            assert_eq!(&std::fs::read(out.join(name)).unwrap(), want, "trial {trial}: {name}");
        }
        raphe::output::transaction::verify(&out, &[]).unwrap();
    }
    assert!(kills >= 4, "only {kills} kills: the sweep is too quick for this test");
}

#[test]
fn inputs_that_took_unbounded_memory_or_time_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("models/sweeps/baclofen_dose_interval.toml"),
    )
    .unwrap();
    let grid = |levels: &str| base.replacen("levels = 5", &format!("levels = {levels}"), 1);
    let lhs = |design: &str, samples: &str| {
        format!("[sweep]\nname = \"big\"\nmodel = \"human_als\"\ndesign = \"{design}\"\nsamples = {samples}\nmetrics = [\"spasm_auc\"]\n[[factor]]\ntarget = \"model.raphe_hazard\"\nunit = \"%/month\"\nrange = [1, 4]\n[[factor]]\ntarget = \"model.umn_hazard\"\nunit = \"%/month\"\nrange = [0.5, 2]\n")
    };
    let scenario = |dosing: &str| {
        format!("[scenario]\nname = \"worst\"\ndescription = \"adversarial\"\n[[dosing]]\ndrug = \"baclofen\"\nroute = \"oral\"\n{dosing}\n")
    };
    std::fs::write(
        dir.path().join("table.csv"),
        "time,amt,route,rate,ii,addl\n0,0.5,intrathecal,0.1,1,100000\n",
    )
    .unwrap();
    let table = "[scenario]\nname = \"table\"\ndescription = \"adversarial\"\n[[dosing_table]]\nfile = \"table.csv\"\ndrug = \"baclofen\"\ntime_unit = \"day\"\namount_unit = \"mg\"\n";
    let cases: Vec<(&str, String, Vec<&str>, &str)> = vec![
        ("grid of 10^12 levels", grid("1000000000000"), vec![], "at most 100000000 runs"),
        ("grid wrapping past 2^64", grid("4294967296").replacen("levels = 4", "levels = 4294967297", 1), vec![], "at most 100000000 runs"),
        ("LHS of 10^12", lhs("lhs", "1000000000000"), vec![], "at most 100000000 runs"),
        ("Sobol' 2^32", lhs("sobol", "4294967296"), vec![], "at most 100000000 runs"),
        ("regimen every 0.00001 min", scenario("regimen = \"0.000001 mg q0.00001min\"\nstart = { value = 0, unit = \"day\" }"), vec!["simulate"], "once a minute"),
        ("a line starting at day 10^7", scenario("dose = { value = 5, unit = \"mg\" }\ninterval = { value = 8, unit = \"h\" }\nstart = { value = 1e7, unit = \"day\" }"), vec!["simulate"], "36525"),
        ("an infusion row with addl 100000", table.to_string(), vec!["simulate"], "at most 10000 infusion lines"),
    ];
    for (what, text, command, says) in cases {
        let file = dir.path().join("case.toml");
        std::fs::write(&file, &text).unwrap();
        let out = dir.path().join("out");
        let started = Instant::now();
        let mut c = raphe();
        match command.first() {
            Some(&"simulate") => c.arg("simulate").arg("--scenario").arg(&file),
            _ => c.arg("sweep").arg(&file),
        };
        c.arg("--out")
            .arg(&out)
            .assert()
            .failure()
            .stderr(predicate::str::contains(says).and(predicate::str::contains("case.toml")));
        assert!(started.elapsed() < Duration::from_secs(20), "{what} took {:?}", started.elapsed());
        assert!(!out.join("manifest.json").exists(), "{what}");
    }
    // 10^7 trajectory rows (8.4 GB before) and absurd thread counts.
    raphe()
        .args(["simulate", "--days", "3650", "--output-step", "0.000365", "--out"])
        .arg(dir.path().join("rows"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("at most 2000000 rows"));
    raphe()
        .args(["sweep", "models/sweeps/disease_lhs.toml", "--threads", "100000", "--out"])
        .arg(dir.path().join("threads"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a whole number from 1 to"));
    assert!(!dir.path().join("threads").exists(), "a refused flag touches no folder");
}

#[test]
fn messages_name_the_file_the_field_and_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sweep = std::fs::read_to_string(repo.join("models/sweeps/disease_lhs.toml")).unwrap();
    let model = std::fs::read_to_string(repo.join("models/human_als.toml")).unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let sweep_cases = [
        (sweep.replace("seed = 20261121", "seed = -1"), ["sweep.seed", "whole number"]),
        (sweep.replace("samples = 64", "samples = 1e12"), ["sweep.samples", "floating point"]),
        (sweep.replace("range = [1, 4]", "range = [1, 4, 9]"), ["factor[0].range", "two numbers"]),
        (sweep.replace("range = [1.5, 3.5]", "range = [1.5, \"3.5\"]"), ["factor[1].range", "a number"]),
    ];
    for (text, wants) in sweep_cases {
        let file = write("s.toml", &text);
        let mut a = raphe().arg("sweep").arg(&file).arg("--out").arg(dir.path().join("o")).assert().failure();
        for w in wants.iter().chain(&["s.toml"]) {
            a = a.stderr(predicate::str::contains(*w));
        }
    }
    // The model's duration: named as the model file's field, not as a flag never given.
    let huge = model.replacen(
        "duration = { value = 6, unit = \"year\" }",
        "duration = { value = 1e306, unit = \"year\" }",
        1,
    );
    assert_ne!(huge, model, "the model file's duration line changed");
    let file = write("m.toml", &huge);
    raphe().arg("simulate").arg(&file).arg("--out").arg(dir.path().join("o")).assert().failure().stderr(
        predicate::str::contains("m.toml")
            .and(predicate::str::contains("model.duration"))
            .and(predicate::str::contains("--days").not()),
    );
    // Negative numbers reach raphe's own checks (not clap's "use -- -1" tip).
    raphe()
        .args(["simulate", "--days", "-1", "--out"])
        .arg(dir.path().join("o"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("--days -1: must be a positive number of days"));
    // A byte-order mark is accepted in a dosing table as in TOML.
    let table = std::fs::read_to_string(repo.join("models/scenarios/baclofen_itb_trial_table.csv")).unwrap();
    write("baclofen_itb_trial_table.csv", &format!("\u{feff}{table}"));
    let scenario =
        std::fs::read_to_string(repo.join("models/scenarios/baclofen_itb_trial_table.toml")).unwrap();
    let file = write("t.toml", &format!("\u{feff}{scenario}"));
    raphe()
        .arg("simulate")
        .arg("--scenario")
        .arg(&file)
        .args(["--days", "400", "--out"])
        .arg(dir.path().join("t"))
        .assert()
        .success();
    // addl too large is said to be too large, not "not a whole number".
    write("baclofen_itb_trial_table.csv", "time,amt,route,rate,ii,addl\n0,0.1,intrathecal,0,1,200000\n");
    raphe()
        .arg("simulate")
        .arg("--scenario")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("t2"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("baclofen_itb_trial_table.csv:2")
                .and(predicate::str::contains("at most 100000")),
        );
    // A broken drug file in --folder is an error, after the listing.
    std::fs::write(dir.path().join("broken.toml"), "[drug]\nname = \"broken\"\n").unwrap();
    raphe()
        .args(["drugs", "--folder"])
        .arg(dir.path())
        .assert()
        .failure()
        .stdout(predicate::str::contains("baclofen"))
        .stderr(predicate::str::contains("broken"));
    // A constant output's sensitivity indices are said to be undefined (no silent NaN).
    let morris = std::fs::read_to_string(repo.join("models/sweeps/spasm_morris.toml")).unwrap();
    let file = write(
        "constant.toml",
        &morris.replace("metrics = [\"spasm_auc\"", "metrics = [\"withdrawal_risk\", \"spasm_auc\""),
    );
    raphe()
        .arg("sensitivity")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("constant"))
        .assert()
        .success()
        .stderr(predicate::str::contains("`withdrawal_risk` is 0 in every run"));
}

/// Found in review: resume must not join chunks made from an older dosing table, and a run whose
/// scenario is refused only inside the factor box (two lines meeting in one day) fails by name.
#[test]
fn resume_notices_a_changed_dosing_table_and_runs_refused_inside_the_box_fail_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in ["baclofen_itb_trial_table.toml", "baclofen_itb_trial_table.csv"] {
        std::fs::copy(repo.join("models/scenarios").join(f), dir.path().join(f)).unwrap();
    }
    let sweep = dir.path().join("table.toml");
    std::fs::write(&sweep, "[sweep]\nname = \"table\"\nmodel = \"human_als\"\nscenario = \"baclofen_itb_trial_table.toml\"\ndesign = \"lhs\"\nsamples = 600\nduration = { value = 5, unit = \"year\" }\nmetrics = [\"spasm_auc\"]\n[[factor]]\ntarget = \"model.raphe_hazard\"\nunit = \"%/month\"\nrange = [1, 4]\n").unwrap();
    let out = dir.path().join("out");
    sweep_into(&sweep, &out, &["--stop-after-chunks", "1"]).failure();
    let csv = dir.path().join("baclofen_itb_trial_table.csv");
    let table = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, format!("{table}\n")).unwrap();
    sweep_into(&sweep, &out, &["--resume"]).failure().stderr(predicate::str::contains("input file"));

    std::fs::write(dir.path().join("two.toml"), "[scenario]\nname = \"two\"\ndescription = \"two intrathecal lines\"\n[[dosing]]\ndrug = \"baclofen\"\nroute = \"intrathecal\"\ndose = { value = 1.5, unit = \"mg\" }\ninterval = { value = 20, unit = \"day\" }\nstart = { value = 100, unit = \"day\" }\n[[dosing]]\ndrug = \"baclofen\"\nroute = \"intrathecal\"\ndose = { value = 1.5, unit = \"mg\" }\ninterval = { value = 20, unit = \"day\" }\nstart = { value = 90, unit = \"day\" }\n").unwrap();
    let corner = dir.path().join("corner.toml");
    std::fs::write(&corner, "[sweep]\nname = \"corner\"\nmodel = \"human_als\"\nscenario = \"two.toml\"\ndesign = \"grid\"\nduration = { value = 200, unit = \"day\" }\nmetrics = [\"spasm_auc\"]\n[[factor]]\ntarget = \"dosing.1.start\"\nunit = \"day\"\nrange = [90, 110]\nlevels = 3\n").unwrap();
    let out = dir.path().join("corner");
    sweep_into(&corner, &out, &[]).success();
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let rows: Vec<&str> = runs.lines().skip(1).collect();
    assert!(
        rows[1].contains("failed: the scenario at these values is refused")
            && rows[1].contains("intrathecal bound"),
        "{runs}"
    );
    assert!(rows[0].contains(",ok,") && rows[2].contains(",ok,"), "{runs}");
    // The same target twice is refused.
    let twice = std::fs::read_to_string(&corner).unwrap()
        + "[[factor]]\ntarget = \"dosing.1.start\"\nunit = \"day\"\nrange = [90, 110]\nlevels = 2\n";
    std::fs::write(&corner, twice).unwrap();
    sweep_into(&corner, &dir.path().join("twice"), &[])
        .failure()
        .stderr(predicate::str::contains("factor[1].target"));
}

/// Found in review: merge must refuse a shard whose manifest no longer lists runs.csv, and a
/// shard count that does not match the folders given (before allocating by it).
#[test]
fn merge_refuses_unlisted_files_and_impossible_shard_counts() {
    let dir = tempfile::tempdir().unwrap();
    let file = lhs_sweep(dir.path(), "m", 40, 1);
    let shards: Vec<PathBuf> = (0..2).map(|k| dir.path().join(format!("s{k}"))).collect();
    for (k, s) in shards.iter().enumerate() {
        sweep_into(&file, s, &["--shard", &format!("{k}/2")]).success();
    }
    let path = shards[1].join("manifest.json");
    let good = std::fs::read_to_string(&path).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&good).unwrap();
    m["outputs"].as_array_mut().unwrap().retain(|o| o["name"] != "runs.csv");
    std::fs::write(&path, m.to_string()).unwrap();
    raphe()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(dir.path().join("o1"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not list runs.csv"));
    std::fs::write(&path, &good).unwrap();
    for shard in &shards {
        let p = shard.join("manifest.json");
        let mut x: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        x["shard"]["count"] = serde_json::json!(1_000_000_000_000_000u64);
        std::fs::write(&p, x.to_string()).unwrap();
    }
    raphe()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(dir.path().join("o2"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("give each shard exactly once"));
}
