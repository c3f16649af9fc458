//! The `raphe` binary as a newcomer meets it: good runs write their files, bad input names the
//! file, the field and what is allowed, exits non-zero and writes nothing.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn raphe() -> Command {
    Command::cargo_bin("raphe").unwrap()
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn simulate_default_model_writes_all_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    raphe()
        .args(["simulate", "--days", "1200", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("motor onset").and(predicate::str::contains("human_als")));
    for f in ["trajectory.csv", "trajectory.columns.json", "summary.json", "manifest.json"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let csv = std::fs::read_to_string(out.join("trajectory.csv")).unwrap();
    assert!(csv.starts_with("day,"));
    assert_eq!(csv.lines().count(), 1 + 1201);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "serotonin_below_80pct_day",
        "motor_onset_day",
        "spasm_onset_day",
        "peak_spasm",
        "spasm_auc",
        "alsfrs_slope_per_month",
        "death_day",
    ] {
        assert!(summary.get(key).is_some(), "summary lacks {key}");
    }
    assert!(summary["death_day"].is_null(), "alive at day 1200");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["model"]["sha256"].as_str().unwrap().len(), 64);
    assert!(manifest["git_revision"].is_string() && manifest["raphe_version"].is_string());
    assert!(manifest["parameters"].as_array().unwrap().len() > 30);
    // No temporary files left behind.
    for e in std::fs::read_dir(&out).unwrap() {
        assert!(!e.unwrap().file_name().to_string_lossy().contains(".tmp"));
    }
}

/// A run's trajectory.csv as (header, rows), summary.json and trajectory.columns.json.
fn read_run(out: &Path) -> (Vec<String>, Vec<Vec<f64>>, serde_json::Value, serde_json::Value) {
    let csv = std::fs::read_to_string(out.join("trajectory.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines.map(|l| l.split(',').map(|c| c.parse().unwrap()).collect()).collect();
    let json = |f: &str| serde_json::from_str(&std::fs::read_to_string(out.join(f)).unwrap()).unwrap();
    (header, rows, json("summary.json"), json("trajectory.columns.json"))
}

/// Equal but for serde_json's float parsing (not always correctly rounded: may be 1 ulp off).
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-15 * a.abs().max(b.abs())
}

/// Numeric keys of a JSON object, nested keys joined by `.` (arrays count as numeric).
fn numeric_keys(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    for (k, x) in v.as_object().unwrap() {
        let key = format!("{prefix}{k}");
        match x {
            serde_json::Value::Object(_) if k != "units" => numeric_keys(x, &format!("{key}."), out),
            serde_json::Value::Null if k == "benefit_risk" => {}
            serde_json::Value::Number(_) | serde_json::Value::Array(_) | serde_json::Value::Null => {
                out.push(key)
            }
            _ => {}
        }
    }
}

#[test]
fn simulate_writes_the_course_up_to_death_in_the_summary_units() {
    let dir = tempfile::tempdir().unwrap();
    for scenario in [None, Some("tizanidine_single_8mg")] {
        let out = dir.path().join(scenario.unwrap_or("untreated"));
        let mut cmd = raphe();
        cmd.arg("simulate");
        if let Some(s) = scenario {
            cmd.args(["--scenario", s]);
        }
        cmd.arg("--out").arg(&out).assert().success();
        let (header, rows, summary, columns) = read_run(&out);
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let label = scenario.unwrap_or("untreated");
        // The trajectory ends at death: one last row at death_day, dead; alive before it.
        let death = summary["death_day"].as_f64().expect("the default course ends in death");
        let last = rows.last().unwrap();
        assert!(
            same(last[col("day")], death),
            "{label}: last row at {}, death_day {death}",
            last[col("day")]
        );
        assert!(rows.iter().all(|r| r[0] <= last[0]), "{label}: rows after death");
        assert_eq!(last[col("alive")], 0.0, "{label}");
        assert!(rows[..rows.len() - 1].iter().all(|r| r[col("alive")] == 1.0), "{label}");
        // end_day stays the requested end of the run.
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(summary["end_day"], manifest["settings"]["duration"], "{label}");
        assert!(summary["end_day"].as_f64().unwrap() > death);
        // What both files hold agrees: the end of the course, and peaks over the living rows
        // (side effects are followed every 15 min, so their peaks may exceed a daily grid's).
        for (key, column) in [("spasm_auc", "spasm_auc"), ("liver_injury_risk", "liver_injury_risk")] {
            let (a, b) = (summary[key].as_f64().unwrap(), last[col(column)]);
            assert!(same(a, b), "{label}: {key} {a} in summary.json, {b} on the last row");
        }
        let living: Vec<&Vec<f64>> = rows.iter().filter(|r| r[col("alive")] == 1.0).collect();
        let max = |c: &str| living.iter().map(|r| r[col(c)]).fold(0.0, f64::max);
        assert!(same(summary["peak_spasm"].as_f64().unwrap(), max("spasm_intensity")), "{label}");
        assert!(same(summary["peak_nfl"].as_f64().unwrap(), max("nfl")), "{label}");
        for (key, c) in [
            ("peak_sedation", "sedation"),
            ("peak_bp_fall", "bp_fall"),
            ("peak_respiratory_depression", "respiratory_depression"),
            ("peak_drug_weakness", "drug_weakness"),
        ] {
            let (peak, max) = (summary[key].as_f64().unwrap(), max(c));
            assert!(peak >= max - 1e-12 && peak <= 1.0, "{label}: {key} {peak} vs column max {max}");
        }
        // Exposure peaks come from the 15-min grid: at least the highest sampled concentration.
        for (drug, e) in summary["exposure"].as_object().unwrap() {
            for (key, c) in [("plasma_cmax", format!("{drug}_plasma")), ("csf_cmax", format!("{drug}_csf"))] {
                let (peak, max) = (e[key].as_f64().unwrap(), max(&c));
                assert!(peak >= max - 1e-12, "{label}: {drug} {key} {peak} vs column max {max}");
            }
        }
        // Units: every numeric summary key has one, and shared quantities have one unit.
        let units = summary["units"].as_object().unwrap();
        let mut keys = Vec::new();
        numeric_keys(&summary, "", &mut keys);
        for k in &keys {
            assert!(units.contains_key(k), "{label}: summary key {k} has no unit");
        }
        let unit_of = |name: &str| {
            columns.as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()["unit"].clone()
        };
        for (key, c) in [
            ("death_day", "day"),
            ("end_day", "day"),
            ("spasm_auc", "spasm_auc"),
            ("peak_spasm", "spasm_intensity"),
            ("peak_nfl", "nfl"),
            ("peak_sedation", "sedation"),
            ("peak_bp_fall", "bp_fall"),
            ("peak_respiratory_depression", "respiratory_depression"),
            ("peak_drug_weakness", "drug_weakness"),
            ("liver_injury_risk", "liver_injury_risk"),
            ("serotonin_at_motor_onset", "serotonin"),
        ] {
            assert_eq!(units[key], unit_of(c), "{label}: {key} vs column {c}");
        }
        if scenario.is_some() {
            assert!(keys.iter().any(|k| k == "benefit_risk.mean_bp_fall"));
            assert_eq!(units["benefit_risk.mean_bp_fall"], unit_of("bp_fall"));
        }
    }
}

#[test]
fn side_effect_peaks_are_the_trajectory_maxima_with_15_minute_rows() {
    // Rows every 15 min, as the side effects are followed: the summary's peaks are the maxima
    // of the trajectory's columns (same unit, same values).
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo("models/scenarios/tizanidine_single_8mg.toml"))
        .unwrap()
        .replace("start = { value = 1461, unit = \"day\" }", "start = { value = 1, unit = \"day\" }");
    let scenario = dir.path().join("tizanidine_day1.toml");
    std::fs::write(&scenario, text).unwrap();
    let out = dir.path().join("out");
    raphe()
        .args(["simulate", "--days", "2", "--output-step", &(1.0f64 / 96.0).to_string(), "--scenario"])
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let (header, rows, summary, _) = read_run(&out);
    assert_eq!(rows.len(), 1 + 2 * 96);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (key, c) in
        [("peak_sedation", "sedation"), ("peak_bp_fall", "bp_fall"), ("peak_drug_weakness", "drug_weakness")]
    {
        let max = rows.iter().filter(|r| r[col("alive")] == 1.0).map(|r| r[col(c)]).fold(0.0, f64::max);
        let peak = summary[key].as_f64().unwrap();
        assert!(max > 0.0 && (peak - max).abs() <= 1e-6 * max, "{key} {peak} vs max of {c} {max}");
    }
}

#[test]
fn simulate_mouse_with_scenario_file_in_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    for fidelity in ["fast", "full"] {
        let out = dir.path().join(fidelity);
        raphe()
            .arg("simulate")
            .arg(repo("models/sod1_g86r_mouse.toml"))
            .arg("--scenario")
            .arg(repo("models/scenarios/sb206553_mouse_acute.toml"))
            .args(["--fidelity", fidelity, "--out"])
            .arg(&out)
            .assert()
            .success();
        let header = std::fs::read_to_string(out.join("trajectory.csv")).unwrap();
        assert!(header.lines().next().unwrap().contains("sb206553_csf"));
    }
}

#[test]
fn params_lists_every_parameter_with_unit_and_source() {
    let assert = raphe().args(["params", "sod1_g86r_mouse"]).assert().success();
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let model = raphe::model::Model::load(&repo("models/sod1_g86r_mouse.toml")).unwrap();
    for p in &model.resolved {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{} ", p.name)))
            .unwrap_or_else(|| panic!("{} not listed", p.name));
        assert!(
            line.contains(&p.unit) && line.contains(&format!("[{}, {}]", p.range[0], p.range[1])),
            "{line}"
        );
        match &p.source {
            Some(source) => assert!(line.contains(source.as_str()), "{line}"),
            None => assert!(line.contains("ASSUMPTION"), "{line}"),
        }
    }
    assert_eq!(model.resolved.len(), raphe::model::parameters::DEFS.len());
}

/// Run `simulate` on a broken copy of a file and check the error and that nothing was written.
fn rejects<S: AsRef<str>>(file_name: &str, contents: &str, scenario: bool, expect: &[S]) {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join(file_name);
    std::fs::write(&bad, contents).unwrap();
    let out = dir.path().join("out");
    let mut cmd = raphe();
    cmd.arg("simulate");
    if scenario {
        cmd.arg("--scenario").arg(&bad);
    } else {
        cmd.arg(&bad);
    }
    let assert = cmd.arg("--out").arg(&out).assert().failure();
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(err.contains(file_name), "error does not name the file: {err}");
    for e in expect {
        let e = e.as_ref();
        assert!(err.contains(e), "error lacks `{e}`: {err}");
    }
    assert!(!out.exists(), "output written despite the error");
}

/// "bad.toml:N" with N the line of `raphe_hazard` in the human preset.
fn hazard_line() -> String {
    let n = human().lines().position(|l| l.starts_with("raphe_hazard")).unwrap() + 1;
    format!("bad.toml:{n}")
}

fn human() -> String {
    std::fs::read_to_string(repo("models/human_als.toml")).unwrap()
}

fn baclofen_scenario() -> String {
    std::fs::read_to_string(repo("models/scenarios/baclofen_oral_tid.toml")).unwrap()
}

/// `text` with its first line that starts with `starts` replaced by `new` (the `[parameters]`
/// line, not a `[population]` line of the same name further down).
fn replace_line(text: &str, starts: &str, new: &str) -> String {
    let mut found = false;
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with(starts) && !found {
                found = true;
                new.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(found, "no line starts with {starts}");
    out.join("\n")
}

#[test]
fn model_range_violation_names_field_line_and_range() {
    let text = replace_line(
        &human(),
        "raphe_hazard",
        r#"raphe_hazard = { value = 50, unit = "%/month", range = [0.5, 10], assumption = true }"#,
    );
    rejects(
        "bad.toml",
        &text,
        false,
        &["parameters.raphe_hazard.value", "plausible range", "[0.5, 10]", &hazard_line()],
    );
}

#[test]
fn model_unknown_field_is_rejected() {
    let text = replace_line(
        &human(),
        "raphe_hazard",
        r#"raphe_hazard = { value = 1.5, unit = "%/month", range = [0.5, 10], assumption = true, colour = "red" }"#,
    );
    rejects("bad.toml", &text, false, &["unknown field", "colour"]);
}

#[test]
fn model_unknown_parameter_is_rejected() {
    let text = human().replacen(
        "[parameters]\n",
        "[parameters]\nraphe_hazzard = { value = 1, unit = \"1\", range = [0, 2], assumption = true }\n",
        1,
    );
    rejects("bad.toml", &text, false, &["raphe_hazzard", "unknown parameter", "raphe_hazard"]);
}

#[test]
fn model_wrong_type_is_rejected() {
    let text = replace_line(
        &human(),
        "raphe_hazard",
        r#"raphe_hazard = { value = "fast", unit = "%/month", range = [0.5, 10], assumption = true }"#,
    );
    rejects("bad.toml", &text, false, &[&hazard_line()]);
}

#[test]
fn model_nan_is_rejected() {
    let text = replace_line(
        &human(),
        "raphe_hazard",
        r#"raphe_hazard = { value = nan, unit = "%/month", range = [0.5, 10], assumption = true }"#,
    );
    rejects("bad.toml", &text, false, &["parameters.raphe_hazard.value", "finite"]);
}

#[test]
fn model_missing_unit_is_rejected() {
    let text = replace_line(
        &human(),
        "raphe_hazard",
        r#"raphe_hazard = { value = 1.5, range = [0.5, 10], assumption = true }"#,
    );
    rejects("bad.toml", &text, false, &["missing field `unit`", &hazard_line()]);
}

#[test]
fn model_wrong_unit_lists_allowed_units() {
    let text = replace_line(
        &human(),
        "raphe_hazard",
        r#"raphe_hazard = { value = 1.5, unit = "mg", range = [0.5, 10], assumption = true }"#,
    );
    rejects("bad.toml", &text, false, &["parameters.raphe_hazard.unit", "\"1/month\""]);
}

#[test]
fn model_parameter_without_source_is_rejected() {
    let text = replace_line(
        &human(),
        "raphe_hazard",
        r#"raphe_hazard = { value = 1.5, unit = "%/month", range = [0.5, 10] }"#,
    );
    rejects("bad.toml", &text, false, &["parameters.raphe_hazard.source", "assumption = true"]);
}

#[test]
fn missing_model_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    raphe()
        .args(["simulate", "no_such_model.toml", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("no_such_model.toml"));
    assert!(!out.exists());
}

#[test]
fn scenario_negative_dose_is_rejected() {
    let text = baclofen_scenario().replace("value = 20, unit = \"mg\"", "value = -20, unit = \"mg\"");
    rejects("bad_scenario.toml", &text, true, &["dosing[0].dose.value", "dose > 0"]);
}

#[test]
fn scenario_dose_unit_mismatch_is_rejected() {
    let text = baclofen_scenario().replace("unit = \"mg\"", "unit = \"mL\"");
    rejects("bad_scenario.toml", &text, true, &["dosing[0].dose.unit", "mg/kg"]);
}

#[test]
fn scenario_unknown_drug_lists_the_library() {
    let text = baclofen_scenario().replace("drug = \"baclofen\"", "drug = \"baclofenn\"");
    rejects("bad_scenario.toml", &text, true, &["unknown drug `baclofenn`", "cyproheptadine"]);
}

#[test]
fn scenario_route_not_allowed_is_rejected() {
    let text = std::fs::read_to_string(repo("models/scenarios/cyproheptadine_oral.toml"))
        .unwrap()
        .replace("route = \"oral\"", "route = \"iv\"");
    rejects("bad_scenario.toml", &text, true, &["dosing[0].route", "oral"]);
}

#[test]
fn scenario_stop_before_start_is_rejected() {
    let text = format!("{}stop = {{ value = 1, unit = \"year\" }}\n", baclofen_scenario());
    rejects("bad_scenario.toml", &text, true, &["dosing[0].stop.value", "later than start"]);
}

#[test]
fn drug_without_pk_for_species_is_rejected() {
    // SB206553 has no human PK: giving it to the human preset must fail clearly.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    raphe()
        .args(["simulate", "human_als", "--scenario"])
        .arg(repo("models/scenarios/sb206553_mouse.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("pk.human").and(predicate::str::contains("mouse")));
    assert!(!out.exists());
}

#[test]
fn bad_flags_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    raphe()
        .args(["simulate", "--days=-5", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--days"));
    raphe()
        .args(["simulate", "--fidelity", "medium", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("fast"));
    assert!(!out.exists());
}

#[test]
fn model_physically_impossible_value_is_rejected() {
    // Even when the file's own range allows it, a negative hazard is impossible.
    let text = replace_line(
        &human(),
        "raphe_hazard",
        r#"raphe_hazard = { value = -5, unit = "%/month", range = [-10, 10], assumption = true }"#,
    );
    rejects(
        "bad.toml",
        &text,
        false,
        &["parameters.raphe_hazard.value", "physically impossible", "a value >= 0"],
    );
}

#[test]
fn model_inconsistent_thresholds_are_rejected() {
    let text = replace_line(
        &human(),
        "death_fvc",
        r#"death_fvc = { value = 0.95, unit = "1", range = [0.1, 0.99], assumption = true }"#,
    );
    rejects("bad.toml", &text, false, &["death_fvc", "before motor onset"]);
}

/// A scenario and a drug folder beside it; returns the scenario path.
fn scenario_with_drug(dir: &Path, drug_file: &str, drug_text: &str, scenario_text: &str) -> PathBuf {
    std::fs::create_dir_all(dir.join("drugs")).unwrap();
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::write(dir.join("drugs").join(drug_file), drug_text).unwrap();
    let path = dir.join("scenarios").join("s.toml");
    std::fs::write(&path, scenario_text).unwrap();
    path
}

fn baclofen_drug() -> String {
    std::fs::read_to_string(repo("models/drugs/baclofen.toml")).unwrap()
}

fn run_scenario_expecting(path: &Path, expect: &[&str]) {
    let out = path.parent().unwrap().join("out");
    let assert =
        raphe().arg("simulate").arg("--scenario").arg(path).arg("--out").arg(&out).assert().failure();
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    for e in expect {
        assert!(err.contains(e), "error lacks `{e}`: {err}");
    }
    assert!(!out.exists());
}

#[test]
fn drug_with_zero_volume_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let drug = baclofen_drug().replace("volume = { value = 0.577", "volume = { value = 0");
    let drug = drug.replace("range = [0.3, 1.2], source = \"derived", "range = [0, 1.2], source = \"derived");
    let path = scenario_with_drug(dir.path(), "baclofen.toml", &drug, &baclofen_scenario());
    run_scenario_expecting(&path, &["baclofen.toml", "pk.human.volume.value", "a value > 0"]);
}

#[test]
fn drug_file_must_name_its_own_drug() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario_with_drug(
        dir.path(),
        "foo.toml",
        &baclofen_drug(),
        &baclofen_scenario().replace("drug = \"baclofen\"", "drug = \"foo\""),
    );
    run_scenario_expecting(&path, &["foo.toml", "drug.name", "name = \"foo\""]);
}

#[test]
fn scenario_interval_below_a_minute_is_rejected() {
    let text = baclofen_scenario()
        .replace("interval = { value = 8, unit = \"h\" }", "interval = { value = 1, unit = \"s\" }");
    rejects("bad_scenario.toml", &text, true, &["dosing[0].interval.value", ">= 1 min"]);
}

#[test]
fn absurd_run_lengths_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    raphe()
        .args(["simulate", "--days", "1e300", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("duration"));
    raphe()
        .args(["simulate", "--output-step", "1e-9", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("output step"));
    assert!(!out.exists());
}

#[test]
fn dosing_after_the_end_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    raphe()
        .args(["simulate", "--scenario", "baclofen_oral_tid", "--days", "500", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("dosing line 0 starts after the end"));
}

#[test]
fn scenario_runs_report_benefit_risk_with_settable_weights() {
    let dir = tempfile::tempdir().unwrap();
    let run = |weights: Option<&Path>, out: &Path| {
        let mut cmd = raphe();
        cmd.args(["simulate", "--scenario", "diazepam_oral", "--out"]).arg(out);
        if let Some(w) = weights {
            cmd.arg("--weights").arg(w);
        }
        cmd.assert().success();
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        s["benefit_risk"].clone()
    };
    let default = run(None, &dir.path().join("a"));
    assert!(
        default["spasm_relief"].as_f64().unwrap() > 0.1,
        "diazepam relieves spasms (graded, docs/model.md §5)"
    );
    assert!(default["mean_sedation"].as_f64().unwrap() > 0.1);
    // Weighting sedation more lowers the score by exactly the extra weight times the sedation.
    let text = std::fs::read_to_string(repo("models/weights/benefit_risk.toml"))
        .unwrap()
        .replace("sedation = 0.5", "sedation = 1.5");
    let heavy = dir.path().join("w.toml");
    std::fs::write(&heavy, text).unwrap();
    let weighted = run(Some(&heavy), &dir.path().join("b"));
    let drop = default["score"].as_f64().unwrap() - weighted["score"].as_f64().unwrap();
    assert!((drop - default["mean_sedation"].as_f64().unwrap()).abs() < 1e-9, "{drop}");
    // Untreated runs have none.
    let out = dir.path().join("c");
    raphe().args(["simulate", "--days", "400", "--out"]).arg(&out).assert().success();
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert!(s["benefit_risk"].is_null());
}

#[test]
fn bad_weights_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo("models/weights/benefit_risk.toml"))
        .unwrap()
        .replace("sedation = 0.5", "sedation = -1");
    let bad = dir.path().join("bad_weights.toml");
    std::fs::write(&bad, text).unwrap();
    let out = dir.path().join("out");
    raphe()
        .args(["simulate", "--scenario", "diazepam_oral", "--weights"])
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("bad_weights.toml").and(predicate::str::contains("weights.sedation")),
        );
    assert!(!out.exists());
}

#[test]
fn dosing_table_with_a_missing_column_names_the_csv_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(repo("models/scenarios/baclofen_itb_trial_table.csv"))
        .unwrap()
        .replace("amt", "amount");
    std::fs::write(dir.path().join("baclofen_itb_trial_table.csv"), csv).unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::copy(repo("models/scenarios/baclofen_itb_trial_table.toml"), &scenario).unwrap();
    let out = dir.path().join("out");
    raphe().args(["simulate", "--scenario"]).arg(&scenario).arg("--out").arg(&out).assert().failure().stderr(
        predicate::str::contains("baclofen_itb_trial_table.csv").and(predicate::str::contains("`amt`")),
    );
    assert!(!out.exists());
}

#[test]
fn intrathecal_milligrams_written_for_micrograms_are_refused() {
    let text = std::fs::read_to_string(repo("models/scenarios/baclofen_intrathecal_late.toml"))
        .unwrap()
        .replace("value = 168, unit = \"ug/day\"", "value = 168, unit = \"mg/day\"");
    rejects("bad_scenario.toml", &text, true, &["intrathecal", "mg written for ug", "intrathecal_max_daily"]);
}

#[test]
fn drugs_lists_the_library() {
    let assert = raphe().arg("drugs").assert().success();
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    for (name, _) in raphe::bundled::DRUGS {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} not listed"));
        assert!(!line.contains("ERROR"), "{line}");
    }
    assert!(text.contains("intrathecal") && text.contains("gaba_b_agonist"));
}

/// One writer per output folder (issue 10): a folder locked by a live raphe (here pid 1, always
/// alive on Linux) is refused at once, naming the holder, and nothing is written; a lock left by
/// a process that is gone is taken over; the lock is released when the command ends.
#[cfg(target_os = "linux")]
#[test]
fn a_second_writer_on_one_output_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    std::fs::create_dir_all(&out).unwrap();
    // Another raphe holds the folder: its lock file, locked by the kernel (here, by this test).
    std::fs::write(
        out.join(".raphe.lock"),
        "1\nnode7\nraphe sweep models/sweeps/disease_lhs.toml --out run\n",
    )
    .unwrap();
    let holder = std::fs::File::open(out.join(".raphe.lock")).unwrap();
    holder.lock().unwrap();
    for args in
        [vec!["simulate", "--days", "100"], vec!["sweep", "models/sweeps/baclofen_dose_interval.toml"]]
    {
        raphe()
            .args(&args)
            .arg("--out")
            .arg(&out)
            .assert()
            .failure()
            .stderr(predicate::str::contains("pid 1").and(predicate::str::contains("disease_lhs.toml")));
    }
    let files: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files.len(), 1, "nothing but the lock: {files:?}");
    // The holder ends (or is killed: the kernel drops its lock): the file left behind is taken.
    drop(holder);
    // Another test thread forking a child in the instant before its exec briefly shares this
    // test's open lock file (flock follows the open file description): allow it to pass.
    let taken = (0..40).any(|_| {
        let ok =
            raphe().args(["simulate", "--days", "100", "--out"]).arg(&out).output().unwrap().status.success();
        if !ok {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        ok
    });
    assert!(taken, "the lock left by an ended holder is taken");
    assert!(out.join("summary.json").exists() && !out.join(".raphe.lock").exists());
}

/// Thread counts are bounded (issue 10): 0 and absurd counts are refused with the limit.
#[test]
fn thread_counts_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    for n in ["0", "100000"] {
        raphe()
            .args(["sweep", "models/sweeps/baclofen_dose_interval.toml", "--threads", n, "--out"])
            .arg(dir.path().join(n))
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(format!("invalid value '{n}' for '--threads"))
                    .and(predicate::str::contains("a whole number from 1 to")),
            );
    }
}
