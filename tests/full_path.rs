//! The full path's integrator (Rodas5P with dense output on long stretches, Dopri5 between
//! close doses) is accurate at its default tolerances: every state and readout at every output
//! time agrees with a run at tolerances 10,000 times tighter. The output grid does not change
//! the answer (outputs fall inside Rodas5P's steps, they do not cut them).

mod common;
use common::*;
use raphe::pharmacology::Scenario;
use raphe::simulate::{simulate, Fidelity, Sample, Settings, Tolerances, Trajectory};

fn full(model_name: &str, scenario_name: Option<&str>, step: f64, tol: Tolerances) -> Trajectory {
    let m = model(model_name);
    let sc = scenario_name.map_or_else(Scenario::untreated, |s| scenario(s, &m));
    let mut settings = Settings::for_model(&m, Fidelity::Full);
    settings.output_step = step;
    settings.tolerances = tol;
    simulate(&m, &sc, &settings).expect("runs")
}

/// The quantities compared: the states, then the readouts the figures show.
fn columns(s: &Sample) -> [f64; 10] {
    let c = &s.core;
    [
        c.raphe,
        c.umn,
        c.lmn,
        c.nfl,
        c.spasm_auc,
        s.serotonin,
        s.pic,
        s.readouts.spasm,
        s.readouts.motor_function,
        s.plasma[0],
    ]
}
const NAMES: [&str; 10] =
    ["raphe", "umn", "lmn", "nfl", "spasm_auc", "5-HT", "PIC", "spasm", "function", "plasma"];

/// Largest difference per column, relative to that column's largest value in the run.
fn worst_differences(a: &Trajectory, b: &Trajectory) -> [f64; 10] {
    assert_eq!(a.samples.len(), b.samples.len());
    let mut scale = [0.0f64; 10];
    for s in &b.samples {
        for (m, v) in scale.iter_mut().zip(columns(s)) {
            *m = m.max(v.abs());
        }
    }
    let mut worst = [0.0f64; 10];
    for (x, y) in a.samples.iter().zip(&b.samples) {
        assert_eq!(x.day, y.day);
        for (i, (u, v)) in columns(x).into_iter().zip(columns(y)).enumerate() {
            if scale[i] > 0.0 {
                worst[i] = worst[i].max((u - v).abs() / scale[i]);
            }
        }
    }
    worst
}

fn assert_accurate(model_name: &str, scenario_name: Option<&str>) {
    let default = Tolerances::default();
    let tight = Tolerances { relative: default.relative * 1e-4, absolute: default.absolute * 1e-4 };
    let step = 0.25;
    let worst = worst_differences(
        &full(model_name, scenario_name, step, default),
        &full(model_name, scenario_name, step, tight),
    );
    for (name, w) in NAMES.iter().zip(worst) {
        // 100 times the relative tolerance: the global error of an adaptive method grows over
        // the thousands of steps of a run; measured worst 6e-8 (the spasm readout near onset).
        assert!(
            w < 100.0 * default.relative,
            "{model_name} / {scenario_name:?}: {name} differs by {w:e} of its range"
        );
    }
}

#[test]
fn untreated_human_matches_a_tight_run() {
    assert_accurate("human_als", None);
}

#[test]
fn untreated_mouse_matches_a_tight_run() {
    assert_accurate("sod1_g86r_mouse", None);
}

#[test]
fn intrathecal_pump_matches_a_tight_run() {
    assert_accurate("human_als", Some("baclofen_intrathecal_late"));
}

#[test]
fn oral_5ht2_ligand_matches_a_tight_run() {
    assert_accurate("human_als", Some("cyproheptadine_oral"));
}

#[test]
fn the_output_grid_does_not_change_the_answer() {
    let tol = Tolerances::default();
    for scenario_name in [None, Some("baclofen_intrathecal_late")] {
        let fine = full("human_als", scenario_name, 0.1, tol);
        let coarse = full("human_als", scenario_name, 10.0, tol);
        // Days 0, 10, 20, ... are in both grids.
        let every_hundredth: Vec<&Sample> = fine.samples.iter().step_by(100).collect();
        for (a, b) in every_hundredth.iter().zip(&coarse.samples) {
            assert!((a.day - b.day).abs() < 1e-9);
            for (name, (u, v)) in NAMES.iter().zip(columns(a).into_iter().zip(columns(b))) {
                assert!(
                    (u - v).abs() <= 1e-6 * u.abs().max(1e-3),
                    "{scenario_name:?} day {}: {name} {u} vs {v}",
                    a.day
                );
            }
        }
    }
}
