//! Every model, drug and scenario file in `models/` loads from disk with the strict loader,
//! and every parameter has a unit, a range and a source or an assumption flag.

mod common;
use raphe::model::Model;
use raphe::pharmacology::{Drug, Library, Scenario};
use std::path::{Path, PathBuf};

fn toml_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no files in {}", dir.display());
    files
}

#[test]
fn every_model_loads_with_sourced_parameters() {
    for path in toml_files("models") {
        let m = Model::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.resolved.len(), raphe::model::parameters::DEFS.len());
        for p in &m.resolved {
            assert!(p.source.is_some() || p.assumption, "{}: {}", path.display(), p.name);
            assert!(p.range[0] <= p.file_value && p.file_value <= p.range[1]);
        }
    }
}

#[test]
fn every_drug_loads() {
    for path in toml_files("models/drugs") {
        let d = Drug::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!d.pk.is_empty(), "{}: no PK block", path.display());
    }
}

#[test]
fn every_scenario_loads_with_its_model_from_disk() {
    for path in toml_files("models/scenarios") {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let model = common::model(common::scenario_model(name));
        let sc =
            Scenario::load(&path, &model, &Library::for_scenario(&path)).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !(sc.dosing.is_empty() && sc.infusions.is_empty() && sc.exercise.is_empty()),
            "{name} does nothing"
        );
        assert!(raphe::bundled::scenario(name).is_some(), "{name} is not bundled");
    }
}
