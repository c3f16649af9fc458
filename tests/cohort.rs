//! `raphe cohort`: virtual patients from a model's `[population]`. Deterministic for a seed
//! whatever the thread count, resumable, refused with a clear error on bad population input;
//! the population reproduces science.md §6 facts 5 and 6 (ALSFRS-R slopes, survival).

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn raphe() -> Command {
    Command::cargo_bin("raphe").unwrap()
}

fn column(csv: &str, name: &str) -> Vec<f64> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let k = header
        .iter()
        .position(|h| *h == name || h.starts_with(&format!("{name} [")))
        .unwrap_or_else(|| panic!("no column {name}"));
    lines.map(|l| l.split(',').nth(k).unwrap().parse().unwrap_or(f64::NAN)).collect()
}

fn quantile(mut v: Vec<f64>, p: f64) -> f64 {
    v.retain(|x| !x.is_nan());
    v.sort_by(f64::total_cmp);
    let h = p * (v.len() - 1) as f64;
    let lo = h.floor() as usize;
    v[lo] + (h - h.floor()) * (v[(lo + 1).min(v.len() - 1)] - v[lo])
}

#[test]
fn a_cohort_is_the_same_whatever_the_thread_count_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let d = |x: &str| dir.path().join(x);
    for (name, threads) in [("one", "1"), ("two", "2")] {
        raphe()
            .args(["cohort", "--n", "300", "--seed", "7", "--threads", threads, "--out"])
            .arg(d(name))
            .assert()
            .success();
    }
    let read = |x: &str| std::fs::read_to_string(d(x)).unwrap();
    assert_eq!(read("one/patients.csv"), read("two/patients.csv"));
    assert_eq!(read("one/km_survival.csv"), read("two/km_survival.csv"));
    // Stopped after one chunk, then resumed: the same table.
    raphe()
        .args(["cohort", "--n", "300", "--seed", "7", "--stop-after-chunks", "1", "--out"])
        .arg(d("resumed"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("--resume"));
    raphe()
        .args(["cohort", "--n", "300", "--seed", "7", "--resume", "--out"])
        .arg(d("resumed"))
        .assert()
        .success();
    assert_eq!(read("one/patients.csv"), read("resumed/patients.csv"));
    // Another seed, other patients.
    raphe().args(["cohort", "--n", "300", "--seed", "8", "--out"]).arg(d("other")).assert().success();
    assert_ne!(read("one/patients.csv"), read("other/patients.csv"));
    // Patients differ in what the population says, with the columns of the model file.
    let csv = read("one/patients.csv");
    let header = csv.lines().next().unwrap();
    for c in [
        "patient",
        "phenotype.onset_site.bulbar [1]",
        "covariate.age [year]",
        "model.lmn_hazard [%/month]",
        "status",
        "death_day",
    ] {
        assert!(header.split(',').any(|h| h == c), "no column {c} in {header}");
    }
    let bulbar = column(&csv, "phenotype.onset_site.bulbar");
    let share = bulbar.iter().sum::<f64>() / bulbar.len() as f64;
    assert!((share - 0.3).abs() < 3.0 * (0.3f64 * 0.7 / 300.0).sqrt(), "bulbar share {share}");
    let ages = column(&csv, "covariate.age");
    assert!(ages.iter().all(|a| (25.0..=90.0).contains(a)), "ages within the truncation");
}

#[test]
fn kaplan_meier_tables_are_survival_curves_of_the_patients() {
    let dir = tempfile::tempdir().unwrap();
    raphe().args(["cohort", "--n", "200", "--days", "15y", "--out"]).arg(dir.path()).assert().success();
    let patients = std::fs::read_to_string(dir.path().join("patients.csv")).unwrap();
    let (onset, death) = (column(&patients, "motor_onset_day"), column(&patients, "death_day"));
    let deaths_after_onset = onset.iter().zip(&death).filter(|(o, d)| !o.is_nan() && !d.is_nan()).count();
    let km = std::fs::read_to_string(dir.path().join("km_survival.csv")).unwrap();
    assert!(km.starts_with("time [month],at_risk,events,censored,survival,survival_low,survival_high\n"));
    let rows: Vec<Vec<f64>> =
        km.lines().skip(1).map(|l| l.split(',').map(|x| x.parse().unwrap()).collect()).collect();
    let events: f64 = rows.iter().map(|r| r[2]).sum();
    assert_eq!(events as usize, deaths_after_onset, "one event per death after onset");
    for w in rows.windows(2) {
        assert!(w[1][0] > w[0][0] && w[1][4] <= w[0][4], "times increase, survival does not");
    }
    for r in &rows {
        assert!((0.0..=1.0).contains(&r[4]) && r[5] <= r[4] && r[4] <= r[6], "{r:?}");
    }
    let quantiles = std::fs::read_to_string(dir.path().join("quantiles.csv")).unwrap();
    assert!(quantiles.lines().any(|l| l.starts_with("alsfrs_slope_per_month,points/month,")));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["kind"], "cohort");
    assert_eq!(manifest["seed"], 1);
}

/// Facts 5 and 6 (science.md §6) on 1,500 patients followed 60 years (so that even the slowest
/// patient's late motor onset is followed ten years: censoring by the end of the run would
/// otherwise fall on the slow patients and bias the Kaplan–Meier tail): ALSFRS-R slope median
/// 0.89–0.99 points/month with the 95% range reaching 1.96 and down to ~0.1, and 10–20% alive
/// ten years after onset (calibrated: the LMN-hazard spread, the classic factor and the slow
/// `course`); median survival from onset 20–48 months (untuned).
#[test]
fn facts_5_and_6_alsfrs_slopes_and_survival_of_the_human_cohort() {
    let dir = tempfile::tempdir().unwrap();
    raphe()
        .args(["cohort", "--n", "1500", "--seed", "2026", "--days", "60y", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let patients = std::fs::read_to_string(dir.path().join("patients.csv")).unwrap();
    let slopes = column(&patients, "alsfrs_slope_per_month");
    let (median, low, high) =
        (quantile(slopes.clone(), 0.5), quantile(slopes.clone(), 0.025), quantile(slopes, 0.975));
    eprintln!("ALSFRS-R slope median {median}, 95% {low}..{high}");
    assert!((0.89..=0.99).contains(&median), "median slope {median}");
    assert!(high >= 1.96 && low <= 0.12, "95% of slopes {low}..{high}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap()).unwrap();
    let survival = &manifest["cohort"]["survival_from_motor_onset"];
    let months = survival["median"].as_f64().unwrap();
    assert_eq!(survival["at"][3][0], 120.0);
    let ten_years = survival["at"][3][1].as_f64().unwrap();
    eprintln!("median survival {months} months; survival at 120 months {ten_years}");
    assert!((20.0..=48.0).contains(&months), "median survival {months} months");
    assert!((0.10..=0.20).contains(&ten_years), "survival 10 years after onset {ten_years}");
}

#[test]
fn bad_cohort_input_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    raphe()
        .args(["cohort", "--n", "0", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--n 0"));
    raphe()
        .args(["cohort", "sod1_g86r_mouse", "--n", "5", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("sweep.model").and(predicate::str::contains("no [population]")));
    let base =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/human_als.toml")).unwrap();
    let cases = [
        (
            "umn_hazard = { distribution = \"lognormal\", cv = 0.5,",
            "umn_hazard = { distribution = \"lognormal\", cv = -0.5,",
            "population.parameters.umn_hazard.cv",
        ),
        (
            "sd = 13, low = 40, high = 120, unit = \"kg\"",
            "sd = 13, low = 120, high = 40, unit = \"kg\"",
            "population.parameters.body_mass.low",
        ),
        (
            "matrix = [[1.0, 0.3], [0.3, 1.0]]",
            "matrix = [[1.0, 1.5], [1.5, 1.0]]",
            "population.correlation.matrix",
        ),
        (
            "name = \"bulbar\"\nshare = 0.3",
            "name = \"bulbar\"\nshare = 0.4",
            "population.phenotype[0].level.share",
        ),
        (
            "sd = 13, low = 40, high = 120, unit = \"kg\"",
            "sd = 13, low = 40, high = 120, unit = \"lb\"",
            "population.parameters.body_mass.unit",
        ),
    ];
    for (from, to, field) in cases {
        assert!(base.contains(from), "{from}");
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, base.replacen(from, to, 1)).unwrap();
        raphe()
            .arg("cohort")
            .arg(&file)
            .args(["--n", "5", "--out"])
            .arg(&out)
            .assert()
            .failure()
            .stderr(predicate::str::contains("bad.toml").and(predicate::str::contains(field)));
    }
    // A correlation that is valid entry by entry but not positive definite.
    let three = base
        .replacen("parameters = [\"lmn_hazard\", \"umn_hazard\"]\nmatrix = [[1.0, 0.3], [0.3, 1.0]]", "parameters = [\"lmn_hazard\", \"umn_hazard\", \"raphe_hazard\"]\nmatrix = [[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]]", 1);
    std::fs::write(dir.path().join("bad.toml"), three).unwrap();
    raphe()
        .arg("cohort")
        .arg(dir.path().join("bad.toml"))
        .args(["--n", "5", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("not positive definite"));
    assert!(!out.exists(), "nothing written");
}

#[test]
fn plot_draws_the_kaplan_meier_curves_and_distributions() {
    let dir = tempfile::tempdir().unwrap();
    raphe().args(["cohort", "--n", "120", "--plot", "--out"]).arg(dir.path()).assert().success();
    for f in ["km_survival.svg", "km_spasm_onset.svg", "distribution_alsfrs_slope_per_month.svg"] {
        let svg = std::fs::read_to_string(dir.path().join("figures").join(f)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"), "{f}");
    }
    let km = std::fs::read_to_string(dir.path().join("figures/km_survival.svg")).unwrap();
    assert!(km.contains("time (month)") && km.contains("95% CI"), "axis title with unit and band legend");
}

#[test]
fn drug_variability_reaches_the_patients_of_a_treated_cohort() {
    let dir = tempfile::tempdir().unwrap();
    raphe()
        .args(["cohort", "--n", "200", "--scenario", "tizanidine_single_8mg", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.path().join("patients.csv")).unwrap();
    let factor = column(&csv, "drug.tizanidine.hypotension_ec50_factor");
    let fall = column(&csv, "peak_bp_fall");
    let (low, high) = (quantile(fall.clone(), 0.1), quantile(fall.clone(), 0.9));
    assert!(high - low > 0.1, "blood-pressure falls differ between patients: {low}..{high}");
    // A less sensitive patient (higher EC50) falls less: the two rank against each other.
    let mut pairs: Vec<(f64, f64)> = factor.into_iter().zip(fall).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let quarter = pairs.len() / 4;
    let mean = |v: &[(f64, f64)]| v.iter().map(|p| p.1).sum::<f64>() / v.len() as f64;
    let (sensitive, resistant) = (mean(&pairs[..quarter]), mean(&pairs[pairs.len() - quarter..]));
    assert!(sensitive > resistant + 0.04, "most sensitive quarter {sensitive} vs least {resistant}");
}
