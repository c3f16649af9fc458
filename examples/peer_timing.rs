//! In-process timing of one raphe simulation for the peer benchmark (`benches/peer/run.py`):
//! the model and scenario are loaded once, then `simulate` is timed `reps` times. Prints one
//! line of JSON: the times in seconds and the run's spasm AUC (to check agreement).
//!
//!   cargo run --release --example peer_timing -- human_als baclofen_oral_tid fast 30 0.1

use raphe::model::Model;
use raphe::pharmacology::{Library, Scenario};
use raphe::simulate::{simulate, Fidelity, Settings, Summary};
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, model_name, scenario_name, fidelity, reps, step] = &args[..] else {
        eprintln!("usage: peer_timing MODEL SCENARIO|untreated fast|full REPS OUTPUT_STEP_DAYS");
        std::process::exit(2);
    };
    let (file, text) = raphe::bundled::model(model_name).expect("a bundled model");
    let model = Model::from_toml(Path::new(&file), text).expect("model loads");
    let scenario = if scenario_name == "untreated" {
        Scenario::untreated()
    } else {
        let (file, text) = raphe::bundled::scenario(scenario_name).expect("a bundled scenario");
        Scenario::from_toml(Path::new(&file), text, &model, &Library::default()).expect("scenario loads")
    };
    let fidelity = if fidelity == "full" { Fidelity::Full } else { Fidelity::Fast };
    let mut settings = Settings::for_model(&model, fidelity);
    settings.output_step = step.parse().expect("a step in days");
    settings.track_harms = false;
    let reps: usize = reps.parse().expect("a number of repetitions");
    let mut times = Vec::with_capacity(reps);
    let (mut auc, mut death) = (0.0, None);
    for _ in 0..reps {
        let t = Instant::now();
        let traj = black_box(simulate(&model, &scenario, &settings).expect("runs"));
        times.push(t.elapsed().as_secs_f64());
        let summary = Summary::of(&model, &traj);
        (auc, death) = (summary.spasm_auc, summary.death_day);
    }
    println!("{}", serde_json::json!({ "times": times, "spasm_auc": auc, "death_day": death }));
}
