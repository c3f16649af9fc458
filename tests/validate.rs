//! `raphe validate`: the facts of science.md §6 as data. The bundled facts pass (known misses
//! reported, not failed); a fact the model does not meet fails the command; bad files are
//! refused naming the file and the field, and nothing is written.

use assert_cmd::Command;
use predicates::prelude::*;

fn raphe() -> Command {
    Command::cargo_bin("raphe").unwrap()
}

/// `raphe validate --facts DIR`.
fn validate(facts: &std::path::Path) -> Command {
    let mut c = raphe();
    c.arg("validate").arg("--facts").arg(facts);
    c
}

#[test]
fn the_bundled_facts_pass_and_are_written_down() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("validation");
    raphe()
        .args(["validate", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 failed"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("validation.json")).unwrap()).unwrap();
    let numbers: Vec<u64> =
        json["facts"].as_array().unwrap().iter().map(|f| f["number"].as_u64().unwrap()).collect();
    assert_eq!(numbers, (1..=15).collect::<Vec<_>>(), "every fact of science.md §6, once");
    for check in json["checks"].as_array().unwrap() {
        let verdict = check["verdict"].as_str().unwrap();
        assert!(["pass", "known_miss"].contains(&verdict), "{check}");
        assert!(check["simulated"].as_array().is_some_and(|v| !v.is_empty()), "{check}");
    }
    assert!(out.join("manifest.json").is_file());
}

#[test]
fn the_bundled_facts_are_the_files_of_models_validation() {
    let mut on_disk: Vec<(String, String)> = std::fs::read_dir("models/validation")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    on_disk.sort();
    let bundled: Vec<(String, String)> =
        raphe::bundled::VALIDATION.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    assert_eq!(on_disk, bundled);
}

const FACT: &str = r#"
[fact]
number = 1
statement = "a test fact"
source = "this test"

[[check]]
name = "death day"
metric = "death_day"
expect = EXPECT
"#;

#[test]
fn a_fact_the_model_misses_fails_the_command_unless_documented() {
    let dir = tempfile::tempdir().unwrap();
    let facts = dir.path().join("facts");
    std::fs::create_dir(&facts).unwrap();
    let write = |text: &str| std::fs::write(facts.join("f.toml"), text).unwrap();
    // The default patient dies on day 1964: a fact asking for death before day 100 fails.
    write(&FACT.replace("EXPECT", "{ max = 100 }"));
    validate(&facts)
        .assert()
        .failure()
        .stdout(predicate::str::contains("FAIL"))
        .stderr(predicate::str::contains("1 validation check(s) failed"));
    // Documented as a known miss: reported, not failed.
    write(&FACT.replace("EXPECT", "{ max = 100 }\nknown_miss = \"a test\""));
    validate(&facts).assert().success().stdout(predicate::str::contains("known miss"));
    // A known miss that passes says so.
    write(&FACT.replace("EXPECT", "{ min = 100 }\nknown_miss = \"a test\""));
    validate(&facts).assert().success().stdout(predicate::str::contains("known miss passes"));
}

#[test]
fn bad_validation_files_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let facts = dir.path().join("facts");
    std::fs::create_dir(&facts).unwrap();
    let out = dir.path().join("out");
    let cases = [
        (FACT.replace("EXPECT", "{}"), "check[0].expect"),
        (
            FACT.replace("metric = \"death_day\"", "column = \"pic\"").replace("EXPECT", "{ min = 1 }"),
            "check[0].statistic",
        ),
        (
            FACT.replace("EXPECT", "{ min = 1 }\nkind = \"cohort\"\nstatistic = \"median\""),
            "check[0].patients",
        ),
        (FACT.replace("EXPECT", "{ min = 1 }\ndays = \"six years\""), "check[0].days"),
        (FACT.replace("EXPECT", "{ min = 1 }\nwhatever = 1"), "whatever"),
    ];
    for (text, field) in cases {
        std::fs::write(facts.join("f.toml"), text).unwrap();
        validate(&facts)
            .arg("--out")
            .arg(&out)
            .assert()
            .failure()
            .stderr(predicate::str::contains("f.toml").and(predicate::str::contains(field)));
        assert!(!out.exists(), "nothing written for {field}");
    }
    // A run that cannot be made (unknown metric) is an error in the table, and fails.
    std::fs::write(
        facts.join("f.toml"),
        FACT.replace("death_day", "no_such_metric").replace("EXPECT", "{ min = 1 }"),
    )
    .unwrap();
    validate(&facts)
        .assert()
        .failure()
        .stdout(predicate::str::contains("ERROR").and(predicate::str::contains("unknown metric")));
}
