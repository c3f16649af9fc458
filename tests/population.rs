//! Literature facts about treatments that concern groups of patients (science.md §6, facts 7
//! and 9), checked on seeded virtual cohorts. The variabilities are assumptions (listed here).

mod common;
use common::*;
use raphe::pharmacology::{Library, Scenario};
use raphe::population::{patient, DrugConstant, Effect};
use raphe::simulate::{simulate, Fidelity, Settings};
use std::path::Path;

const SEED: u64 = 20_260_101;

fn drug_effect(drug: &str, constant: DrugConstant, cv: f64) -> Effect {
    Effect::Drug { drug: drug.into(), constant, cv }
}

fn model_effect(parameter: &str, cv: f64) -> Effect {
    Effect::Model { parameter: parameter.into(), cv }
}

/// Fact 9: after tizanidine 8 mg about two thirds of patients have a >= 20% fall in blood
/// pressure, with the nadir 2-3 h after the dose (science.md §4). Assumed variability: CL 40%,
/// V 30%, hypotensive EC50 60%.
#[test]
fn fact9_tizanidine_bp_fall_in_two_thirds_of_patients() {
    let m = model("human_als");
    let text = "[scenario]\nname = \"tiz\"\ndescription = \"8 mg once\"\n[[dosing]]\ndrug = \"tizanidine\"\nroute = \"oral\"\nregimen = \"8 mg once\"\nstart = { value = 0.1, unit = \"day\" }\n";
    let sc = Scenario::from_toml(Path::new("tiz.toml"), text, &m, &Library::default()).unwrap();
    let effects = [
        drug_effect("tizanidine", DrugConstant::Clearance, 0.4),
        drug_effect("tizanidine", DrugConstant::Volume, 0.3),
        drug_effect("tizanidine", DrugConstant::HypotensionEc50, 0.6),
    ];
    let n = 300;
    let (mut responders, mut nadir_hours) = (0, Vec::new());
    for i in 0..n {
        let (pm, ps) = patient(&m, &sc, &effects, SEED, i).unwrap();
        let mut settings = Settings::for_model(&pm, Fidelity::Fast);
        settings.duration = 1.1;
        settings.output_step = 1.0 / 288.0;
        let traj = simulate(&pm, &ps, &settings).unwrap();
        let (fall, day) = traj
            .samples
            .iter()
            .map(|s| (s.readouts.harms.hypotension, s.day))
            .fold((0.0, 0.0), |b, v| if v.0 > b.0 { v } else { b });
        if fall >= 0.2 {
            responders += 1;
        }
        nadir_hours.push((day - 0.1) * 24.0);
    }
    let fraction = responders as f64 / n as f64;
    nadir_hours.sort_by(f64::total_cmp);
    let median = nadir_hours[nadir_hours.len() / 2];
    eprintln!("tizanidine cohort: {fraction} with >= 20% fall, median nadir {median} h");
    assert!((0.55..=0.78).contains(&fraction), "{fraction} with >= 20% fall");
    assert!((2.0..=3.0).contains(&median), "median nadir {median} h");
}

/// Fact 7: intrathecal baclofen in late ALS lowers pain by 54% +/- 15% and at least 6 of 8
/// patients improve (McClelland et al. 2008). Virtual patients with established spasms (Penn
/// score of 2 or more before the pump, as in the series) and alive three months later; assumed
/// variability:
/// disease hazards 30%, spasm threshold 20%, non-spastic pain weight 50%, baclofen potency 50%.
#[test]
fn fact7_intrathecal_baclofen_relieves_pain_in_late_als() {
    let m = model("human_als");
    let sc = scenario("baclofen_intrathecal_late", &m);
    let pump = sc.dosing[0].start;
    let effects = [
        model_effect("raphe_hazard", 0.3),
        model_effect("umn_hazard", 0.3),
        model_effect("lmn_hazard", 0.3),
        model_effect("spasm_half_drive", 0.2),
        model_effect("pain_immobility_weight", 0.5),
        drug_effect("baclofen", DrugConstant::Potency, 0.5),
    ];
    let mut reductions = Vec::new();
    for i in 0..120 {
        let (pm, ps) = patient(&m, &sc, &effects, SEED, i).unwrap();
        let mut settings = Settings::for_model(&pm, Fidelity::Fast);
        settings.duration = pump + 100.0;
        let traj = simulate(&pm, &ps, &settings).unwrap();
        let before = |f: fn(&raphe::simulate::Sample) -> f64| mean_between(&traj, pump - 30.0, pump, f);
        let alive_after = traj.samples.last().unwrap().readouts.alive;
        if before(|s| s.readouts.penn) < 2.0 || !alive_after {
            continue;
        }
        let after = mean_between(&traj, pump + 60.0, pump + 90.0, |s| s.readouts.pain);
        reductions.push(1.0 - after / before(|s| s.readouts.pain));
    }
    assert!(reductions.len() >= 40, "only {} eligible virtual patients", reductions.len());
    let mean = reductions.iter().sum::<f64>() / reductions.len() as f64;
    let improved = reductions.iter().filter(|&&r| r >= 0.2).count() as f64 / reductions.len() as f64;
    eprintln!("ITB cohort: {} eligible, mean pain reduction {mean}, improved {improved}", reductions.len());
    assert!((0.39..=0.69).contains(&mean), "mean pain reduction {mean}");
    assert!(improved >= 0.75, "{improved} improved");
}
