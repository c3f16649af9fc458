//! `raphe export-sbml`: the SBML names every model parameter and every exported trajectory
//! column, doses become counted events, and what is not exported is refused clearly. The
//! numerical agreement with libRoadRunner is `tests/sbml/check_sbml.py` (run by `.ci/test`).

use assert_cmd::Command;
use predicates::prelude::*;

fn raphe() -> Command {
    Command::cargo_bin("raphe").unwrap()
}

fn attribute(xml: &str, id: &str, attribute: &str) -> Option<String> {
    let tag = format!("<parameter id=\"{id}\" ");
    let start = xml.find(&tag)? + tag.len();
    let rest = &xml[start..];
    let key = format!("{attribute}=\"");
    let a = rest.find(&key)? + key.len();
    Some(rest[a..a + rest[a..].find('"')?].to_string())
}

#[test]
fn the_sbml_has_every_parameter_and_column_and_counts_the_doses() {
    let dir = tempfile::tempdir().unwrap();
    let xml_path = dir.path().join("m.xml");
    raphe()
        .args(["export-sbml", "--scenario", "baclofen_oral_tid", "--out"])
        .arg(&xml_path)
        .assert()
        .success()
        .stdout(predicate::str::contains("SBML L3V2"));
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    assert!(xml.contains("level=\"3\" version=\"2\""));
    let model = raphe::model::Model::load(std::path::Path::new("models/human_als.toml")).unwrap();
    for r in &model.resolved {
        let value: f64 =
            attribute(&xml, &r.name, "value").unwrap_or_else(|| panic!("no {}", r.name)).parse().unwrap();
        assert_eq!(value, r.value, "{} in internal units", r.name);
        assert_eq!(attribute(&xml, &r.name, "constant").as_deref(), Some("true"));
    }
    // Every column of the trajectory but those that are not model variables.
    let out = dir.path().join("run");
    raphe()
        .args(["simulate", "--scenario", "baclofen_oral_tid", "--days", "30", "--out"])
        .arg(&out)
        .assert()
        .success();
    let header =
        std::fs::read_to_string(out.join("trajectory.csv")).unwrap().lines().next().unwrap().to_string();
    for column in header.split(',').map(|c| c.split(" [").next().unwrap()) {
        if ["day", "alive", "exercise_training", "liver_injury_risk"].contains(&column) {
            continue;
        }
        assert!(attribute(&xml, column, "value").is_some(), "column {column} is not in the SBML");
    }
    // 20 mg every 8 h from year 3 to the end of the 6-year run: one event counting the doses.
    let doses: f64 = attribute(&xml, "dose0_left", "value").unwrap().parse().unwrap();
    let first: f64 = attribute(&xml, "dose0_next", "value").unwrap().parse().unwrap();
    let interval: f64 = attribute(&xml, "dose0_interval", "value").unwrap().parse().unwrap();
    assert_eq!(first, 1095.75);
    assert!((interval - 1.0 / 3.0).abs() < 1e-12);
    let expected = ((model.default_duration - first) * 3.0).ceil();
    assert_eq!(doses, expected);
    assert!(attribute(&xml, "dose1_next", "value").is_none(), "one run of equal doses");
}

#[test]
fn what_is_not_exported_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("m.xml");
    raphe()
        .args(["export-sbml", "--scenario", "exercise_stretching", "--out"])
        .arg(&xml)
        .assert()
        .failure()
        .stderr(predicate::str::contains("exercise"));
    assert!(!xml.exists());
    raphe()
        .args(["export-sbml", "--rtol", "2", "--out"])
        .arg(&xml)
        .assert()
        .failure()
        .stderr(predicate::str::contains("tolerances"));
    assert!(!xml.exists());
}

#[test]
fn a_drug_setting_for_a_drug_the_scenario_does_not_give_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let xml_path = dir.path().join("m.xml");
    raphe()
        .args([
            "export-sbml",
            "--scenario",
            "baclofen_oral_tid",
            "--set",
            "drug.tizanidine.clearance=1",
            "--out",
        ])
        .arg(&xml_path)
        .assert()
        .failure()
        .stderr(predicate::str::contains("the scenario gives no tizanidine"));
    assert!(!xml_path.exists(), "nothing written");
}
