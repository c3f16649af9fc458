//! `raphe trial`: the example trials run and reproduce their literature facts (science.md §6
//! facts 7 and 9), results do not depend on the thread count, power grows with the sample
//! size, and a trial file that cannot run is refused naming the file and field.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn raphe() -> Command {
    let mut c = Command::cargo_bin("raphe").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn trial_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/trials").join(format!("{name}.toml"))
}

/// The rows of results.csv (or another table) as maps column → cell.
fn table(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| header.iter().cloned().zip(rec.unwrap().iter().map(String::from)).collect())
        .collect()
}

fn number(row: &std::collections::HashMap<String, String>, key: &str) -> f64 {
    row[key].parse().unwrap_or(f64::NAN)
}

/// Fact 7 (McClelland 2008): pain −54% ± 15%, at least 6 of 8 improve. Over 40 replicates of
/// the 8-patient series in the full population (phenotypes, rater error, placebo response)
/// most patients improve and pain falls clearly, but less than in the series: a mean relative
/// fall of about a third against 54%, and ~71% improved against 6 of 8 (a documented miss,
/// docs/trials.md: pain from immobility, which ITB does not relieve, weighs more in this
/// population). `tests/population.rs` checks the 54% on the fact's own cohort.
#[test]
fn fact7_the_intrathecal_baclofen_series_relieves_pain() {
    let dir = tempfile::tempdir().unwrap();
    raphe()
        .arg("trial")
        .arg(trial_file("itb_late_als"))
        .args(["--replicates", "40", "--out"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("pain_relative_change"));
    let reps = table(&dir.path().join("replicates.csv"));
    let effects = |name: &str| -> Vec<f64> {
        reps.iter().filter(|r| r["endpoint"] == name).map(|r| number(r, "effect")).collect()
    };
    let relative = effects("pain_relative_change");
    assert_eq!(relative.len(), 40);
    let mean = relative.iter().sum::<f64>() / 40.0;
    eprintln!("ITB series: mean relative pain change {mean}");
    assert!((-0.69..=-0.25).contains(&mean), "mean relative pain change {mean}");
    let mut improved = effects("pain_improved");
    improved.sort_by(f64::total_cmp);
    let median = improved[20];
    eprintln!("ITB series: median share improved {median}");
    assert!(median >= 0.6, "{median} improved in the median series");
    let results = table(&dir.path().join("results.csv"));
    assert_eq!(results.iter().find(|r| r["endpoint"] == "pain_improved").unwrap()["n"], "8");
}

/// Fact 9: about two thirds have a >= 20% blood-pressure fall after tizanidine 8 mg (200
/// patients, so the binomial interval is narrow).
#[test]
fn fact9_tizanidine_lowers_blood_pressure_in_two_thirds() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(trial_file("tizanidine_bp"))
        .unwrap()
        .replace("patients_per_arm = 60", "patients_per_arm = 200");
    std::fs::write(dir.path().join("t.toml"), text).unwrap();
    raphe()
        .arg("trial")
        .arg(dir.path().join("t.toml"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .success();
    let results = table(&dir.path().join("out/results.csv"));
    let rate = number(&results[0], "estimate");
    eprintln!("tizanidine 8 mg: {rate} with a >= 20% fall");
    assert!((0.55..=0.78).contains(&rate), "responders {rate}");
    assert!(number(&results[0], "estimate_low") < rate && rate < number(&results[0], "estimate_high"));
}

#[test]
fn a_trial_is_the_same_whatever_the_thread_count_and_power_grows_with_n() {
    let dir = tempfile::tempdir().unwrap();
    let file = trial_file("inverse_agonist_power");
    for (name, threads) in [("one", "1"), ("two", "2")] {
        raphe()
            .arg("trial")
            .arg(&file)
            .args(["--power", "3,12", "--replicates", "40", "--threads", threads, "--out"])
            .arg(dir.path().join(name))
            .assert()
            .success();
    }
    let read = |x: &str| std::fs::read_to_string(dir.path().join(x)).unwrap();
    assert_eq!(read("one/replicates.csv"), read("two/replicates.csv"));
    let manifest: serde_json::Value = serde_json::from_str(&read("one/manifest.json")).unwrap();
    assert_eq!(manifest["kind"], "trial");
    assert_eq!(manifest["arms"][1]["name"], "cyproheptadine");
    assert_eq!(
        manifest["arms"][1]["scenario_sha256"].as_str().map(str::len),
        Some(64),
        "the arm's scenario is hashed"
    );
    assert!(manifest["git_revision"].is_string() && manifest["trial_sha256"].is_string());
    assert_eq!(read("one/patients.csv"), read("two/patients.csv"));
    let power = table(&dir.path().join("one/power.csv"));
    let at = |n: &str| {
        power.iter().find(|r| r["patients_per_arm"] == n && r["endpoint"] == "spasm_change").unwrap().clone()
    };
    let (small, large) = (at("3"), at("12"));
    assert!(
        number(&large, "power") > number(&small, "power") + 0.3,
        "power {} at 3, {} at 12",
        small["power"],
        large["power"]
    );
    assert!(
        number(&small, "power_low") <= number(&small, "power")
            && number(&small, "power") <= number(&small, "power_high")
    );
    // The placebo arm's spasms barely change; the inverse agonist's fall.
    let results = table(&dir.path().join("one/results.csv"));
    let change = |arm: &str| {
        number(
            results.iter().find(|r| r["endpoint"] == "spasm_change" && r["arm"] == arm).unwrap(),
            "estimate",
        )
    };
    assert!(
        change("cyproheptadine") < change("placebo") - 1.0,
        "{} vs {}",
        change("cyproheptadine"),
        change("placebo")
    );
}

#[test]
fn a_trial_that_cannot_run_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let base = std::fs::read_to_string(trial_file("exercise_rct")).unwrap();
    let cases: [(&str, &str, &str); 5] = [
        ("patients_per_arm = 12", "patients_per_arm = 0", "trial.patients_per_arm"),
        ("measure = \"ashworth\"", "measure = \"ashworthh\"", "endpoint[0].measure"),
        ("scenario = \"exercise_stretching\"", "scenario = \"no_such_scenario\"", "no_such_scenario"),
        ("at = { value = 3, unit = \"month\" }", "at = { value = 30, unit = \"year\" }", "endpoint[0].at"),
        (
            "dropout_per_month = 0.02",
            "dropout_per_month = 0.02\ninclusion = { min_penn = 5 }",
            "trial.inclusion.min_penn",
        ),
    ];
    for (from, to, expect) in cases {
        assert!(base.contains(from), "{from}");
        std::fs::write(dir.path().join("bad.toml"), base.replacen(from, to, 1)).unwrap();
        raphe()
            .arg("trial")
            .arg(dir.path().join("bad.toml"))
            .arg("--out")
            .arg(&out)
            .assert()
            .failure()
            .stderr(predicate::str::contains("bad.toml").and(predicate::str::contains(expect)));
        assert!(!out.exists(), "nothing written for {to}");
    }
    // Arms that give no regimen.
    std::fs::write(dir.path().join("bad.toml"), base.replace("scenario = \"exercise_stretching\"\n", ""))
        .unwrap();
    raphe()
        .arg("trial")
        .arg(dir.path().join("bad.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("no arm gives a regimen"));
    // No arms at all.
    let no_arms: String =
        base.split("[[arm]]").next().unwrap().to_string() + &base[base.find("[[endpoint]]").unwrap()..];
    std::fs::write(dir.path().join("bad.toml"), no_arms).unwrap();
    raphe()
        .arg("trial")
        .arg(dir.path().join("bad.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("arm"));
}

#[test]
fn plot_draws_the_power_curve() {
    let dir = tempfile::tempdir().unwrap();
    raphe()
        .arg("trial")
        .arg(trial_file("inverse_agonist_power"))
        .args(["--power", "4,8", "--replicates", "10", "--plot", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let svg = std::fs::read_to_string(dir.path().join("figures/power.svg")).unwrap();
    assert!(svg.contains("patients per arm") && svg.contains("80%"), "axis title and the 80% reference");
}
