//! The fast multiscale path agrees with the full-resolution path: spasm burden and spinal 5-HT
//! within 1%, on both presets untreated and on every bundled scenario.

mod common;
use common::*;
use raphe::bundled;
use raphe::pharmacology::Scenario;
use raphe::simulate::{Fidelity, Summary};

fn compare(model_name: &str, scenario_name: Option<&str>) {
    compare_every(model_name, scenario_name, None);
}

/// Compare on the model's output grid, or every `step` days.
fn compare_every(model_name: &str, scenario_name: Option<&str>, step: Option<f64>) {
    let m = model(model_name);
    let sc = scenario_name.map_or_else(Scenario::untreated, |s| scenario(s, &m));
    let step = step.unwrap_or(m.default_output_step);
    let full = run(&m, &sc, Fidelity::Full, step);
    let fast = run(&m, &sc, Fidelity::Fast, step);
    let (sf, sq) = (Summary::of(&m, &full), Summary::of(&m, &fast));
    let rel = |a: f64, b: f64| (a - b).abs() / a.abs().max(1e-12);
    let label = format!("{model_name} / {}", sc.name);
    let bound = 0.01;
    assert!(sf.spasm_auc > 0.0, "{label}: no spasms to compare");
    assert!(
        rel(sf.spasm_auc, sq.spasm_auc) < bound,
        "{label}: spasm AUC full {} fast {}",
        sf.spasm_auc,
        sq.spasm_auc
    );
    let mean = |t: &raphe::simulate::Trajectory| {
        t.samples.iter().map(|s| s.serotonin).sum::<f64>() / t.samples.len() as f64
    };
    assert!(rel(mean(&full), mean(&fast)) < 0.01, "{label}: mean 5-HT");
    // Pointwise scale: the largest spasm anywhere in the run (the course goes on after death).
    let scale = full.samples.iter().map(|s| s.readouts.spasm).fold(1e-3, f64::max);
    for (a, b) in full.samples.iter().zip(&fast.samples) {
        assert!((a.serotonin - b.serotonin).abs() < 0.01 * a.serotonin, "{label}: 5-HT at day {}", a.day);
        // The fast path hands the readouts the activity it computed for the quasi-steady PIC.
        let (x, y) = (a.readouts.receptor_activity, b.readouts.receptor_activity);
        assert!((x - y).abs() < 0.01 * x, "{label}: receptor activity at day {}: full {x} fast {y}", a.day);
        // Pointwise, the quasi-steady PIC leads the integrated one by its ~10 min lag, which
        // the steep spasm threshold amplifies: allow 2% of the peak.
        assert!(
            (a.readouts.spasm - b.readouts.spasm).abs() < 2.0 * bound * scale,
            "{label}: spasm at day {}: full {} fast {} (pic {} {}) auc {} {}",
            a.day,
            a.readouts.spasm,
            b.readouts.spasm,
            a.pic,
            b.pic,
            sf.spasm_auc,
            sq.spasm_auc
        );
    }
}

#[test]
fn paths_agree_untreated_human() {
    compare("human_als", None);
}

#[test]
fn paths_agree_untreated_mouse() {
    compare("sod1_g86r_mouse", None);
}

#[test]
fn paths_agree_on_every_bundled_scenario() {
    for (name, _) in bundled::SCENARIOS {
        compare(scenario_model(name), Some(name));
    }
}

#[test]
fn only_fast_acting_drugs_make_the_fast_path_integrate_the_pic() {
    for (name, _) in bundled::SCENARIOS {
        let m = model(scenario_model(name));
        let sc = scenario(name, &m);
        let fast = raphe::simulate::fast_acting_drugs(&m, &sc.drugs);
        // Mouse PK of the tool compounds is fast (t½ under an hour); human drugs are slow.
        let uses_mouse_ht2_ligand = name.contains("mouse") && !sc.drugs.is_empty();
        assert_eq!(!fast.is_empty(), uses_mouse_ht2_ligand, "{name}");
    }
}

#[test]
fn paths_agree_within_hours_of_a_fast_acting_dose() {
    // Every 15 min, so the 40-minute action of SB206553 is sampled, not only daily troughs.
    compare_every("sod1_g86r_mouse", Some("sb206553_mouse_acute"), Some(1.0 / 96.0));
}

/// The quadrature path (regular dosing summarised period by period) against the full path:
/// oral baclofen tid started mid-day, so outputs fall inside dosing intervals, on daily,
/// quarter-day and 30-day output grids. The cumulative spasm AUC must agree at every output.
#[test]
fn quadrature_path_follows_the_full_path_on_regular_dosing() {
    let m = model("human_als");
    let mut sc = scenario("baclofen_oral_tid", &m);
    sc.dosing[0].start = 400.3;
    assert!(raphe::simulate::quadrature_path::applies(&m, &sc.drugs));
    for step in [1.0, 0.25, 30.0] {
        let mut settings = raphe::simulate::Settings::for_model(&m, Fidelity::Full);
        settings.duration = 4.0 * 365.25;
        settings.output_step = step;
        settings.track_harms = false;
        let full = raphe::simulate::simulate(&m, &sc, &settings).unwrap();
        settings.fidelity = Fidelity::Fast;
        let fast = raphe::simulate::simulate(&m, &sc, &settings).unwrap();
        assert_eq!(full.samples.len(), fast.samples.len());
        let total = full.samples.last().unwrap().core.spasm_auc;
        assert!(total > 1.0, "spasms to compare");
        for (a, b) in full.samples.iter().zip(&fast.samples) {
            assert!(
                (a.core.spasm_auc - b.core.spasm_auc).abs() < 1e-4 * total,
                "step {step}, day {}: AUC full {} fast {}",
                a.day,
                a.core.spasm_auc,
                b.core.spasm_auc
            );
            assert!((a.core.ht2c_density - b.core.ht2c_density).abs() < 1e-6, "density at day {}", a.day);
        }
    }
}

/// The fast path's PIC (docs/model.md §7): exactly its quasi-steady value P∞ when no 5-HT2
/// ligand is present (the disease moves P∞ over months, so the lag τ·dP∞/dt is ~1e-5 of P);
/// with a 5-HT2 ligand, P∞ corrected to first order in τ for the drug-driven change, which is
/// closer to the integrated PIC than P∞ over the hours after a dose.
#[test]
fn the_fast_path_pic_is_quasi_steady_and_lag_corrected_only_for_ligands() {
    let m = model("human_als");
    let untreated = run(&m, &Scenario::untreated(), Fidelity::Fast, 1.0);
    for s in &untreated.samples {
        let steady = m.pic_steady(s.readouts.receptor_activity);
        assert_eq!(s.pic, steady, "untreated: P = P∞ at day {}", s.day);
    }
    let sc = scenario("cyproheptadine_oral", &m);
    let start = sc.dosing[0].start;
    let mut settings = raphe::simulate::Settings::for_model(&m, Fidelity::Fast);
    settings.output_step = 1.0 / 288.0;
    settings.duration = start + 2.0;
    let fast = raphe::simulate::simulate(&m, &sc, &settings).unwrap();
    settings.fidelity = Fidelity::Full;
    settings.tolerances.relative = 1e-11;
    let full = raphe::simulate::simulate(&m, &sc, &settings).unwrap();
    let (mut lagged, mut steady) = (0.0, 0.0);
    for (f, r) in fast.samples.iter().zip(&full.samples).filter(|(f, _)| f.day >= start) {
        let p_inf = m.pic_steady(f.readouts.receptor_activity);
        lagged += (f.pic - r.pic).abs();
        steady += (p_inf - r.pic).abs();
        assert!((f.pic - r.pic).abs() < 5e-3 * r.pic, "day {}: fast {} full {}", f.day, f.pic, r.pic);
    }
    assert!(lagged < 0.5 * steady, "the lag term halves the error: {lagged} vs P∞ {steady}");
}
