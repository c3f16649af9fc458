//! The manifest beside every output: what was run (model, parameters, scenario, drugs, with
//! content hashes), how (settings), and by what (version, git revision, command line).

use crate::model::Model;
use crate::params::Resolved;
use crate::pharmacology::Scenario;
use crate::simulate::Settings;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// SHA-256 of a text, hex.
pub fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Serialize)]
struct FileRecord<'a> {
    path: String,
    sha256: String,
    name: &'a str,
}

#[derive(Serialize)]
struct Manifest<'a> {
    raphe_version: &'static str,
    git_revision: &'static str,
    command: Vec<String>,
    model: FileRecord<'a>,
    /// Species of the model preset (figures choose their time unit from it).
    species: crate::model::Species,
    parameters: &'a [Resolved],
    scenario: Option<FileRecord<'a>>,
    scenario_text: &'a str,
    drugs: Vec<FileRecord<'a>>,
    dosing_tables: Vec<FileRecord<'a>>,
    dosing: &'a [crate::pharmacology::scenario::Dosing],
    infusions: &'a [crate::pharmacology::scenario::Infusion],
    exercise: &'a [crate::pharmacology::exercise::ExerciseBlock],
    settings: &'a Settings,
    seed: Option<u64>,
}

/// The manifest of a simulation (the output transaction adds the outputs it lists).
pub fn manifest_json(
    model: &Model,
    scenario: &Scenario,
    settings: &Settings,
    command: Vec<String>,
) -> serde_json::Value {
    let path =
        |p: &Option<std::path::PathBuf>| p.as_ref().map_or("<in memory>".into(), |p| p.display().to_string());
    let m = Manifest {
        raphe_version: env!("CARGO_PKG_VERSION"),
        git_revision: env!("RAPHE_GIT_REVISION"),
        command,
        model: FileRecord { path: path(&model.source), sha256: sha256(&model.text), name: &model.name },
        species: model.species,
        parameters: &model.resolved,
        scenario: scenario.source.as_ref().map(|_| FileRecord {
            path: path(&scenario.source),
            sha256: sha256(&scenario.text),
            name: &scenario.name,
        }),
        scenario_text: &scenario.text,
        drugs: scenario
            .drug_files
            .iter()
            .map(|d| FileRecord {
                path: d.source.display().to_string(),
                sha256: sha256(&d.text),
                name: &d.name,
            })
            .collect(),
        dosing_tables: scenario
            .tables
            .iter()
            .map(|(p, t)| FileRecord {
                path: p.display().to_string(),
                sha256: sha256(t),
                name: "dosing table",
            })
            .collect(),
        dosing: &scenario.dosing,
        infusions: &scenario.infusions,
        exercise: &scenario.exercise,
        settings,
        // The model is deterministic; sweeps (later) record their seed here.
        seed: None,
    };
    serde_json::to_value(&m).expect("manifest serialises")
}
