//! Doses fire exactly at their times in both paths: at t = 0, on output times (recorded as
//! troughs, before the dose), between output times, and not at the end of the run.

mod common;
use common::*;
use raphe::pharmacology::{Library, Scenario};
use raphe::simulate::{simulate, Fidelity, Settings};
use std::path::Path;

fn iv_scenario(start: f64) -> (raphe::model::Model, Scenario) {
    let m = model("human_als");
    let text = format!(
        "[scenario]\nname = \"iv_test\"\ndescription = \"daily IV bolus\"\n[[dosing]]\ndrug = \"baclofen\"\nroute = \"iv\"\ndose = {{ value = 100, unit = \"mg\" }}\ninterval = {{ value = 1, unit = \"day\" }}\nstart = {{ value = {start}, unit = \"day\" }}\n"
    );
    let sc = Scenario::from_toml(Path::new("iv_test.toml"), &text, &m, &Library::default()).unwrap();
    (m, sc)
}

fn settings(m: &raphe::model::Model, fidelity: Fidelity) -> Settings {
    let mut s = Settings::for_model(m, fidelity);
    s.duration = 3.0;
    s.output_step = 1.0;
    s
}

#[test]
fn doses_on_output_times_are_recorded_as_troughs() {
    let (m, sc) = iv_scenario(0.0);
    assert_eq!(sc.doses_until(3.0).len(), 3, "doses at days 0, 1, 2; none at the end");
    let pk = sc.drugs[0].pk;
    let (v, k) = (pk.volume, pk.elimination_rate);
    for fidelity in [Fidelity::Fast, Fidelity::Full] {
        let traj = simulate(&m, &sc, &settings(&m, fidelity)).unwrap();
        let plasma: Vec<f64> = traj.samples.iter().map(|s| s.plasma[0]).collect();
        assert_eq!(plasma.len(), 4);
        assert_eq!(plasma[0], 0.0, "{fidelity:?}: day 0 is recorded before the first dose");
        for (day, &c) in plasma.iter().enumerate().skip(1) {
            let expected: f64 = (0..day).map(|i| 100.0 / v * (-k * (day - i) as f64).exp()).sum();
            assert!((c - expected).abs() < 1e-6 * expected, "{fidelity:?} day {day}: {c} vs {expected}");
        }
    }
}

#[test]
fn doses_between_output_times_fire_at_their_time() {
    let (m, sc) = iv_scenario(0.3);
    let pk = sc.drugs[0].pk;
    for fidelity in [Fidelity::Fast, Fidelity::Full] {
        let traj = simulate(&m, &sc, &settings(&m, fidelity)).unwrap();
        let c1 = traj.samples[1].plasma[0];
        let expected = 100.0 / pk.volume * (-pk.elimination_rate * 0.7).exp();
        assert!((c1 - expected).abs() < 1e-6 * expected, "{fidelity:?}: {c1} vs {expected}");
    }
}
