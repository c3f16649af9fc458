//! Prints the fast/full agreement (spasm AUC, mean and worst 5-HT) and times for every preset
//! and bundled scenario: `cargo run --release --example agreement`.

use raphe::bundled;
use raphe::model::Model;
use raphe::pharmacology::{Library, Scenario};
use raphe::simulate::{simulate, Fidelity, Settings, Summary};
use std::path::Path;
use std::time::Instant;

fn main() {
    let load = |name: &str| {
        let (f, t) = bundled::model(name).unwrap();
        Model::from_toml(Path::new(&f), t).unwrap()
    };
    let mut cases: Vec<(&str, Option<&str>)> = vec![("human_als", None), ("sod1_g86r_mouse", None)];
    for (s, _) in bundled::SCENARIOS {
        cases.push((if s.contains("mouse") { "sod1_g86r_mouse" } else { "human_als" }, Some(s)));
    }
    println!(
        "{:<38} {:>12} {:>12} {:>10} {:>10} {:>9} {:>9}",
        "case", "AUC full", "AUC fast", "AUC diff", "5-HT max", "full ms", "fast ms"
    );
    for (m, s) in cases {
        let model = load(m);
        let sc = match s {
            Some(s) => {
                let (f, t) = bundled::scenario(s).unwrap();
                Scenario::from_toml(Path::new(&f), t, &model, &Library::default()).unwrap()
            }
            None => Scenario::untreated(),
        };
        let go = |fid| {
            let t = Instant::now();
            let traj = simulate(&model, &sc, &Settings::for_model(&model, fid)).unwrap();
            (traj, t.elapsed().as_secs_f64() * 1e3)
        };
        let ((full, tf), (fast, tq)) = (go(Fidelity::Full), go(Fidelity::Fast));
        let (a, b) = (Summary::of(&model, &full).spasm_auc, Summary::of(&model, &fast).spasm_auc);
        let worst = full
            .samples
            .iter()
            .zip(&fast.samples)
            .map(|(x, y)| ((x.serotonin - y.serotonin) / x.serotonin).abs())
            .fold(0.0, f64::max);
        println!(
            "{:<38} {:>12.4} {:>12.4} {:>9.3}% {:>9.4}% {:>9.1} {:>9.1}",
            format!("{m}/{}", sc.name),
            a,
            b,
            100.0 * (b - a) / a,
            100.0 * worst,
            tf,
            tq
        );
    }
}
