//! Helpers shared by the integration tests: bundled presets and scenarios, runs, lookups.
#![allow(dead_code)]

use raphe::bundled;
use raphe::model::Model;
use raphe::pharmacology::{Library, Scenario};
use raphe::simulate::{self, Fidelity, Sample, Settings, Summary, Trajectory};
use std::path::Path;

pub const PRESETS: [&str; 2] = ["human_als", "sod1_g86r_mouse"];

pub fn model(name: &str) -> Model {
    let (file, text) = bundled::model(name).expect("bundled model");
    Model::from_toml(Path::new(&file), text).expect("bundled model loads")
}

pub fn scenario(name: &str, model: &Model) -> Scenario {
    let (file, text) = bundled::scenario(name).expect("bundled scenario");
    Scenario::from_toml(Path::new(&file), text, model, &Library::default()).expect("bundled scenario loads")
}

/// The preset each bundled scenario is written for.
pub fn scenario_model(scenario: &str) -> &'static str {
    if scenario.contains("mouse") {
        "sod1_g86r_mouse"
    } else {
        "human_als"
    }
}

pub fn run(model: &Model, scenario: &Scenario, fidelity: Fidelity, output_step: f64) -> Trajectory {
    let mut settings = Settings::for_model(model, fidelity);
    settings.output_step = output_step;
    simulate::simulate(model, scenario, &settings).expect("simulation runs")
}

pub fn natural_history(model: &Model) -> (Trajectory, Summary) {
    let traj = run(model, &Scenario::untreated(), Fidelity::Fast, model.default_output_step);
    let summary = Summary::of(model, &traj);
    (traj, summary)
}

/// Mean of `value` over samples with day in [from, to).
pub fn mean_between(traj: &Trajectory, from: f64, to: f64, value: impl Fn(&Sample) -> f64) -> f64 {
    let v: Vec<f64> = traj.samples.iter().filter(|s| s.day >= from && s.day < to).map(value).collect();
    assert!(!v.is_empty(), "no samples in [{from}, {to})");
    v.iter().sum::<f64>() / v.len() as f64
}
