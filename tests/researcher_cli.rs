//! The researcher's command line (issue 11): quick experiments without files, comparing arms,
//! discoverable names, and Unix manners.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn raphe() -> Command {
    let mut c = Command::cargo_bin("raphe").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn set_changes_a_parameter_checked_as_in_files_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (base, fast) = (dir.path().join("base"), dir.path().join("fast"));
    raphe().args(["simulate", "--days", "6y", "--out"]).arg(&base).assert().success();
    raphe()
        .args(["simulate", "--days", "6y", "--set", "raphe_hazard=10%/month", "--out"])
        .arg(&fast)
        .assert()
        .success();
    // Faster serotonergic loss: 5-HT falls below 80% earlier.
    let day = |d: &Path| json(&d.join("summary.json"))["serotonin_below_80pct_day"].as_f64().unwrap();
    assert!(day(&fast) < day(&base) - 30.0, "{} vs {}", day(&fast), day(&base));
    let m = json(&fast.join("manifest.json"));
    assert_eq!(m["overrides"]["set"][0]["name"], "raphe_hazard");
    let p = m["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "raphe_hazard").unwrap().clone();
    assert!((p["file_value"].as_f64().unwrap() - 10.0).abs() < 1e-9, "{p}");
    // Outside the plausible range: refused with the range, allowed with the flag (and recorded).
    raphe()
        .args(["simulate", "--set", "pic_time_constant=600", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("--set").and(predicate::str::contains("[1, 60] min")));
    let beyond = dir.path().join("beyond");
    raphe()
        .args([
            "simulate",
            "--days",
            "1y",
            "--set",
            "pic_time_constant=600",
            "--allow-outside-range",
            "--out",
        ])
        .arg(&beyond)
        .assert()
        .success()
        .stderr(predicate::str::contains("allowed by --allow-outside-range"));
    assert_eq!(json(&beyond.join("manifest.json"))["overrides"]["allow_outside_range"], true);
    raphe()
        .args(["simulate", "--set", "no_such=1", "--out"])
        .arg(dir.path().join("y"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("unknown parameter"));
}

#[test]
fn dose_adds_a_regimen_without_a_file_and_matches_the_bundled_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let (flag, file) = (dir.path().join("flag"), dir.path().join("file"));
    // baclofen_oral_tid is 20 mg q8h oral from year 3.
    raphe()
        .args(["simulate", "--dose", "baclofen 20 mg q8h from 3 year", "--out"])
        .arg(&flag)
        .assert()
        .success();
    raphe().args(["simulate", "--scenario", "baclofen_oral_tid", "--out"]).arg(&file).assert().success();
    let a = json(&flag.join("summary.json"));
    let b = json(&file.join("summary.json"));
    assert_eq!(a["spasm_auc"], b["spasm_auc"]);
    assert_eq!(a["benefit_risk"]["spasm_relief"], b["benefit_risk"]["spasm_relief"]);
    // Every scenario check applies: a dose above the hard bound is refused.
    raphe()
        .args(["simulate", "--dose", "baclofen 2000 mg tid", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("hard bound"));
    raphe()
        .args(["simulate", "--dose", "baclofen 20 mg q8h from soon", "--out"])
        .arg(dir.path().join("x"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("--dose").and(predicate::str::contains("from soon")));
    // An infusion with a route, added to a scenario.
    let both = dir.path().join("both");
    raphe()
        .args([
            "simulate",
            "--scenario",
            "baclofen_oral_tid",
            "--dose",
            "baclofen intrathecal 100 ug/day from 4y",
            "--out",
        ])
        .arg(&both)
        .assert()
        .success();
    assert_eq!(json(&both.join("manifest.json"))["infusions"].as_array().unwrap().len(), 1);
}

#[test]
fn compare_tabulates_arms_on_one_patient() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    raphe()
        .args([
            "compare",
            "--scenario",
            "baclofen_oral_tid",
            "--scenario",
            "tizanidine_oral_tid",
            "--scenario",
            "untreated",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("spasm_auc")
                .and(predicate::str::contains("tizanidine_oral_tid - baclofen_oral_tid")),
        );
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert_eq!(header, "metric,unit,baclofen_oral_tid,tizanidine_oral_tid,untreated,tizanidine_oral_tid_minus_baclofen_oral_tid,untreated_minus_baclofen_oral_tid");
    let row = csv.lines().find(|l| l.starts_with("spasm_auc,")).unwrap();
    let cells: Vec<f64> = row.split(',').skip(2).map(|c| c.parse().unwrap()).collect();
    assert!((cells[3] - (cells[1] - cells[0])).abs() < 1e-9, "{row}");
    assert!(cells[2] > cells[0] && cells[2] > cells[1], "untreated has the largest burden: {row}");
    // Each arm is a simulate folder the plot command reads.
    for arm in ["baclofen_oral_tid", "tizanidine_oral_tid", "untreated"] {
        assert!(out.join("arms").join(arm).join("trajectory.csv").is_file());
    }
    raphe::output::transaction::verify(&out, &["compare.csv", "compare.json"]).unwrap();
    raphe()
        .args(["compare", "--scenario", "baclofen_oral_tid", "--out"])
        .arg(dir.path().join("one"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("two or more"));
}

#[test]
fn names_are_discoverable_in_three_formats() {
    raphe().arg("scenarios").assert().success().stdout(
        predicate::str::contains("tizanidine_oral_tid").and(predicate::str::contains("sod1_g86r_mouse")),
    );
    let metrics = raphe().args(["metrics", "--format", "json"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&metrics.stdout).unwrap();
    let auc = list.as_array().unwrap().iter().find(|m| m["metric"] == "spasm_auc").unwrap();
    assert_eq!((auc["unit"].as_str(), auc["sweep"].as_str()), (Some("day"), Some("yes")));
    let csv = raphe().args(["params", "--format", "csv"]).output().unwrap();
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(
        text.starts_with("parameter,value,unit,range,source\n") && text.contains("raphe_hazard,"),
        "{text}"
    );
    raphe()
        .args(["drugs", "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("baclofen,gaba_b_agonist"));
    raphe()
        .args(["simulate", "--fidelity", "medium", "--out", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fast").and(predicate::str::contains("full")));
}

#[test]
fn unix_manners_version_completions_man_and_closed_pipes() {
    raphe().arg("--version").assert().success().stdout(predicate::str::contains("(git "));
    raphe().args(["completions", "bash"]).assert().success().stdout(predicate::str::contains("_raphe()"));
    raphe().arg("man").assert().success().stdout(predicate::str::contains(".TH raphe 1"));
    // A reader that stops early: raphe ends quietly (SIGPIPE), never with a panic.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("raphe"))
        .args(["params"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn sensitivity_from_a_merged_sweep_equals_running_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/sweeps/spasm_morris.toml");
    let d = |x: &str| dir.path().join(x);
    for k in 0..2 {
        raphe()
            .arg("sweep")
            .arg(&file)
            .args(["--shard", &format!("{k}/2"), "--out"])
            .arg(d(&format!("s{k}")))
            .assert()
            .success();
    }
    raphe().arg("merge").arg(d("s0")).arg(d("s1")).arg("--out").arg(d("merged")).assert().success();
    raphe()
        .args(["sensitivity", "--from"])
        .arg(d("merged"))
        .arg("--out")
        .arg(d("from"))
        .assert()
        .success()
        .stdout(predicate::str::contains("spasm_auc: factor ranked by mu_star:"));
    raphe().arg("sensitivity").arg(&file).arg("--out").arg(d("whole")).assert().success();
    assert_eq!(
        std::fs::read(d("from/sensitivity.csv")).unwrap(),
        std::fs::read(d("whole/sensitivity.csv")).unwrap()
    );
    raphe()
        .args(["sensitivity", "--from"])
        .arg(d("s0"))
        .arg("--out")
        .arg(d("x"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("merge every shard first"));
}

#[test]
fn sobol_second_order_indices_come_with_their_own_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/salib/mouse_sobol_second.toml");
    raphe()
        .arg("sensitivity")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("s2"))
        .assert()
        .success()
        .stdout(predicate::str::contains("spasm_auc: interaction ranked by S2:"))
        .stdout(predicate::str::contains("512 runs"));
    let pairs = std::fs::read_to_string(dir.path().join("s2/sensitivity_second_order.csv")).unwrap();
    let rows: Vec<&str> = pairs.lines().collect();
    assert_eq!(rows[0], "metric,factor_j,factor_k,S2,S2_low,S2_high");
    assert_eq!(rows.len(), 1 + 3, "one row per pair of three factors");
    for row in &rows[1..] {
        let v: Vec<f64> = row.split(',').skip(3).map(|x| x.parse().unwrap()).collect();
        assert!(v[1] <= v[0] && v[0] <= v[2], "S2 inside its interval: {row}");
    }
    // Analysed again from the finished folder: the same tables.
    raphe()
        .args(["sensitivity", "--from"])
        .arg(dir.path().join("s2"))
        .arg("--out")
        .arg(dir.path().join("again"))
        .assert()
        .success();
    assert_eq!(
        pairs,
        std::fs::read_to_string(dir.path().join("again/sensitivity_second_order.csv")).unwrap()
    );
    // Only a Sobol' design has second-order indices.
    let morris = std::fs::read_to_string(file).unwrap().replace("design = \"sobol\"", "design = \"morris\"");
    std::fs::write(dir.path().join("m.toml"), morris).unwrap();
    raphe()
        .arg("sensitivity")
        .arg(dir.path().join("m.toml"))
        .arg("--out")
        .arg(dir.path().join("m"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("sweep.second_order")
                .and(predicate::str::contains("design = \"sobol\"")),
        );
}

#[test]
fn morris_takes_a_chosen_number_of_levels_and_gives_mu_star_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("models/sweeps/spasm_morris.toml"),
    )
    .unwrap();
    let with = |levels: &str| {
        base.replacen("design = \"morris\"", &format!("design = \"morris\"\nmorris_levels = {levels}"), 1)
    };
    let odd = dir.path().join("odd.toml");
    std::fs::write(&odd, with("3")).unwrap();
    raphe()
        .arg("sensitivity")
        .arg(&odd)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("sweep.morris_levels").and(predicate::str::contains("even")));
    let six = dir.path().join("six.toml");
    std::fs::write(&six, with("6")).unwrap();
    let out = dir.path().join("six");
    raphe().arg("sensitivity").arg(&six).arg("--out").arg(&out).assert().success();
    let csv = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    assert!(csv.starts_with("metric,factor,mu_star,mu_star_low,mu_star_high,mu,sigma\n"), "{csv}");
    for line in csv.lines().skip(1) {
        let v: Vec<f64> = line.split(',').skip(2).map(|c| c.parse().unwrap()).collect();
        assert!(v[1] <= v[0] && v[0] <= v[2], "{line}");
    }
    // Six levels move the design off the four-level grid.
    let four = dir.path().join("four");
    raphe().args(["sensitivity", "models/sweeps/spasm_morris.toml", "--out"]).arg(&four).assert().success();
    assert_ne!(std::fs::read(four.join("runs.csv")).unwrap(), std::fs::read(out.join("runs.csv")).unwrap());
}

#[test]
fn a_grid_factor_may_list_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[sweep]\nname = \"doses\"\nmodel = \"human_als\"\nscenario = \"baclofen_oral_tid\"\ndesign = \"grid\"\nduration = { value = 4, unit = \"year\" }\nmetrics = [\"spasm_auc\"]\n[[factor]]\ntarget = \"dosing.0.amount\"\nunit = \"mg\"\nvalues = [5, 10, 20, 25]\n";
    let file = dir.path().join("doses.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    raphe().arg("sweep").arg(&file).arg("--out").arg(&out).assert().success();
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let doses: Vec<f64> =
        csv.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse().unwrap()).collect();
    assert_eq!(doses, [5.0, 10.0, 20.0, 25.0]);
    let auc: Vec<f64> = csv.lines().skip(1).map(|l| l.split(',').nth(3).unwrap().parse().unwrap()).collect();
    assert!(auc.windows(2).all(|w| w[1] < w[0]), "more baclofen, less spasm burden: {auc:?}");
    for (bad, says) in [
        (text.replace("values = [5, 10, 20, 25]", "values = [10, 5]"), "increasing order"),
        (
            text.replace("values = [5, 10, 20, 25]", "values = [5, 10]\nrange = [5, 10]"),
            "either `range` or `values`",
        ),
        (text.replace("design = \"grid\"", "design = \"lhs\"\nsamples = 4"), "grid design"),
        (text.replace("values = [5, 10, 20, 25]", "values = [5, 1000]"), "hard bound"),
    ] {
        std::fs::write(&file, &bad).unwrap();
        raphe()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(dir.path().join("bad"))
            .assert()
            .failure()
            .stderr(predicate::str::contains(says));
    }
}

#[test]
fn benefit_risk_metrics_in_a_sweep_match_simulate() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[sweep]\nname = \"relief\"\nmodel = \"human_als\"\nscenario = \"baclofen_oral_tid\"\ndesign = \"grid\"\nmetrics = [\"benefit_risk.spasm_relief\", \"benefit_risk.mean_sedation\", \"benefit_risk.score\"]\n[[factor]]\ntarget = \"dosing.0.amount\"\nunit = \"mg\"\nvalues = [5, 20]\n";
    let file = dir.path().join("relief.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    raphe().arg("sweep").arg(&file).arg("--out").arg(&out).assert().success();
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let rows: Vec<Vec<f64>> =
        csv.lines().skip(1).map(|l| l.split(',').skip(3).map(|c| c.parse().unwrap()).collect()).collect();
    assert!(
        rows[1][0] > rows[0][0] && rows[1][1] > rows[0][1],
        "more relief and more sedation at 20 mg: {csv}"
    );
    let sim = dir.path().join("sim");
    raphe().args(["simulate", "--scenario", "baclofen_oral_tid", "--out"]).arg(&sim).assert().success();
    let b = &json(&sim.join("summary.json"))["benefit_risk"];
    for (k, key) in ["spasm_relief", "mean_sedation", "score"].iter().enumerate() {
        assert!((rows[1][k] - b[key].as_f64().unwrap()).abs() < 1e-12, "{key}: {} vs {}", rows[1][k], b[key]);
    }
}

#[test]
fn set_changes_a_drug_constant_through_the_drug_loaders_checks() {
    let dir = tempfile::tempdir().unwrap();
    let relief = |extra: &[&str], name: &str| {
        let out = dir.path().join(name);
        raphe()
            .args(["simulate", "--scenario", "baclofen_oral_tid"])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        json(&out.join("summary.json"))["benefit_risk"]["spasm_relief"].as_f64().unwrap()
    };
    let base = relief(&[], "base");
    // A more potent baclofen (lower CSF EC50) relieves more; a faster clearance less.
    assert!(relief(&["--set", "drug.baclofen.reflex_ec50_csf=40"], "potent") > base + 0.05);
    assert!(relief(&["--set", "drug.baclofen.clearance=0.25"], "cleared") < base - 0.02);
    // The same value in another unit gives the same run.
    let a = relief(&["--set", "drug.baclofen.reflex_ec50_csf=40ng/mL"], "ng");
    let b = relief(&["--set", "drug.baclofen.reflex_ec50_csf=0.04mg/L"], "mg");
    assert!((a - b).abs() < 1e-12);
    let fails = |set: &str, says: &str| {
        raphe()
            .args(["simulate", "--scenario", "baclofen_oral_tid", "--set", set, "--out"])
            .arg(dir.path().join("x"))
            .assert()
            .failure()
            .stderr(predicate::str::contains(says));
    };
    fails("drug.baclofen.clearance=1", "plausible range");
    fails("drug.baclofen.no_such=1", "has no parameter");
    fails("drug.tizanidine.clearance=1", "the scenario gives no tizanidine");
    let out = dir.path().join("beyond");
    raphe()
        .args([
            "simulate",
            "--scenario",
            "baclofen_oral_tid",
            "--set",
            "drug.baclofen.clearance=1",
            "--allow-outside-range",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(json(&out.join("manifest.json"))["overrides"]["drug_set"][0]["parameter"], "clearance");
}

#[test]
fn a_sweep_factor_may_be_a_drug_constant() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[sweep]\nname = \"potency\"\nmodel = \"human_als\"\nscenario = \"baclofen_oral_tid\"\ndesign = \"grid\"\nmetrics = [\"spasm_auc\"]\n[[factor]]\ntarget = \"drug.baclofen.reflex_ec50_csf\"\nunit = \"ng/mL\"\nvalues = [40, 84, 160]\n";
    let file = dir.path().join("potency.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    raphe().arg("sweep").arg(&file).arg("--out").arg(&out).assert().success();
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let auc: Vec<f64> = csv.lines().skip(1).map(|l| l.split(',').nth(3).unwrap().parse().unwrap()).collect();
    assert!(auc[0] < auc[1] && auc[1] < auc[2], "a less potent drug leaves more spasm: {csv}");
    // The middle level is the drug file's own value: the same burden as the unchanged scenario.
    let sim = dir.path().join("sim");
    raphe().args(["simulate", "--scenario", "baclofen_oral_tid", "--out"]).arg(&sim).assert().success();
    assert_eq!(auc[1], json(&sim.join("summary.json"))["spasm_auc"].as_f64().unwrap());
    for (bad, says) in [
        (text.replace("values = [40, 84, 160]", "values = [40, 1000]"), "plausible range"),
        (text.replace("reflex_ec50_csf", "no_such"), "has no parameter"),
        (text.replace("drug.baclofen", "drug.tizanidine"), "gives no tizanidine"),
    ] {
        std::fs::write(&file, &bad).unwrap();
        raphe()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(dir.path().join("bad"))
            .assert()
            .failure()
            .stderr(predicate::str::contains(says).and(predicate::str::contains("factor[0]")));
    }
}

#[test]
fn a_day_metric_whose_event_comes_after_the_run_can_be_counted_at_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/sweeps/spasm_morris.toml");
    let (plain, censored) = (dir.path().join("plain"), dir.path().join("censored"));
    raphe()
        .arg("sensitivity")
        .arg(&file)
        .arg("--out")
        .arg(&plain)
        .assert()
        .success()
        .stderr(predicate::str::contains("spasm_onset_day").and(predicate::str::contains("--censor-at-end")));
    raphe()
        .arg("sensitivity")
        .arg(&file)
        .arg("--censor-at-end")
        .arg("--out")
        .arg(&censored)
        .assert()
        .success()
        .stderr(predicate::str::contains("counted at the end of the run"));
    let has =
        |d: &Path| std::fs::read_to_string(d.join("sensitivity.csv")).unwrap().contains("\nspasm_onset_day,");
    assert!(!has(&plain) && has(&censored));
    assert_eq!(json(&censored.join("manifest.json"))["censor_at_end"], true);
}

#[test]
fn a_body_mass_factor_rebinds_the_drugs_to_each_patient() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[sweep]\nname = \"mass\"\nmodel = \"human_als\"\nscenario = \"baclofen_oral_tid\"\ndesign = \"grid\"\nmetrics = [\"spasm_auc\"]\n[[factor]]\ntarget = \"model.body_mass\"\nunit = \"kg\"\nvalues = [50, 100]\n";
    let file = dir.path().join("mass.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    raphe().arg("sweep").arg(&file).arg("--out").arg(&out).assert().success();
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let auc: Vec<f64> = csv.lines().skip(1).map(|l| l.split(',').nth(3).unwrap().parse().unwrap()).collect();
    // The same 20 mg in a larger body: lower levels, less relief.
    assert!(auc[1] > auc[0], "{csv}");
    let sim = dir.path().join("sim");
    raphe()
        .args(["simulate", "--scenario", "baclofen_oral_tid", "--set", "body_mass=100", "--out"])
        .arg(&sim)
        .assert()
        .success();
    assert_eq!(auc[1], json(&sim.join("summary.json"))["spasm_auc"].as_f64().unwrap());
}

#[test]
fn pk_exposure_metrics_are_sweep_metrics_and_scale_with_the_dose() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = r#"
[sweep]
name = "baclofen_exposure"
model = "human_als"
scenario = "baclofen_oral_tid"
design = "grid"
duration = { value = 1500, unit = "day" }
metrics = ["exposure.baclofen.plasma_cmax", "exposure.baclofen.plasma_trough", "exposure.baclofen.plasma_auc", "exposure.baclofen.plasma_time_above(150 ng/mL)", "exposure.baclofen.csf_cmax"]

[[factor]]
target = "dosing.0.amount"
unit = "mg"
values = [10, 20, 40]
"#;
    std::fs::write(dir.path().join("s.toml"), sweep).unwrap();
    raphe()
        .arg("sweep")
        .arg(dir.path().join("s.toml"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("out/runs.csv")).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .rev()
                .take(5)
                .map(|x| x.parse().unwrap())
                .collect::<Vec<f64>>()
                .into_iter()
                .rev()
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 3);
    // Linear PK: Cmax, trough, AUC and CSF Cmax are proportional to the dose.
    for (row, scale) in rows.iter().zip([0.5, 1.0, 2.0]) {
        for c in [0, 1, 2, 4] {
            let want = rows[1][c] * scale;
            assert!((row[c] - want).abs() <= 1e-9 * want, "column {c}: {} vs {want}", row[c]);
        }
    }
    // Time above a fixed level grows with the dose.
    assert!(rows[0][3] < rows[1][3] && rows[1][3] < rows[2][3], "{rows:?}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["metric_units"]["exposure.baclofen.plasma_auc"], "mg·day/L");
    assert_eq!(manifest["metric_units"]["exposure.baclofen.plasma_time_above(150 ng/mL)"], "day");
    // A drug the scenario does not give is refused, naming the ones it does.
    std::fs::write(
        dir.path().join("bad.toml"),
        sweep.replace("exposure.baclofen.csf_cmax", "exposure.tizanidine.csf_cmax"),
    )
    .unwrap();
    raphe()
        .arg("sweep")
        .arg(dir.path().join("bad.toml"))
        .arg("--out")
        .arg(dir.path().join("bad"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("sweep.metrics")
                .and(predicate::str::contains("a drug of the scenario: baclofen")),
        );
}

#[test]
fn a_dose_per_kg_follows_a_body_mass_factor() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[sweep]\nname = \"per_kg\"\nmodel = \"human_als\"\nscenario = \"baclofen_oral_tid\"\ndesign = \"grid\"\nmetrics = [\"exposure.baclofen.plasma_auc\"]\n[[factor]]\ntarget = \"model.body_mass\"\nunit = \"kg\"\nvalues = [50, 100]\n[[factor]]\ntarget = \"dosing.0.amount\"\nunit = \"mg/kg\"\nvalues = [0.2, 0.4]\n";
    let file = dir.path().join("per_kg.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    raphe().arg("sweep").arg(&file).arg("--out").arg(&out).assert().success();
    let csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let auc: Vec<f64> = csv.lines().skip(1).map(|l| l.rsplit(',').next().unwrap().parse().unwrap()).collect();
    // Runs: (50 kg, 0.2), (50 kg, 0.4), (100 kg, 0.2), (100 kg, 0.4): 10, 20, 20 and 40 mg.
    for (run, mass, mg) in [(1, 50, 20), (2, 100, 20)] {
        let sim = dir.path().join(format!("sim{run}"));
        raphe()
            .args([
                "simulate",
                "--set",
                &format!("body_mass={mass}"),
                "--dose",
                &format!("baclofen {mg} mg q8h from 3y"),
            ])
            .arg("--out")
            .arg(&sim)
            .assert()
            .success();
        let want = json(&sim.join("summary.json"))["exposure"]["baclofen"]["plasma_auc"].as_f64().unwrap();
        assert!(
            (auc[run] - want).abs() <= 1e-9 * want,
            "run {run}: {} vs {mg} mg in {mass} kg: {want}",
            auc[run]
        );
    }
}
