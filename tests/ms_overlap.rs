//! The ALS-MS overlap preset (seed 003, `models/als_ms_overlap.toml`): MS lesions cut the upper
//! motor neuron pathway through a loss process independent of the ALS hazards, which adds
//! spasticity and raises NfL; and `extends`, which lets the preset list only what differs.

mod common;

use assert_cmd::Command;
use common::{model, natural_history, run};
use raphe::model::Model;
use raphe::pharmacology::Scenario;
use raphe::simulate::Fidelity;
use std::path::Path;

fn raphe() -> Command {
    Command::cargo_bin("raphe").unwrap()
}

#[test]
fn the_ms_pathway_loss_is_exponential_and_independent_of_the_als_hazards() {
    let overlap = model("als_ms_overlap");
    let hazard = overlap.params.ms_hazard;
    assert!(hazard > 0.0);
    // Much faster or slower ALS: the MS pathway follows its own hazard, exactly.
    for (umn, lmn) in [(1.0, 1.0), (3.0, 0.2), (0.1, 4.0)] {
        let p = &overlap.params;
        let m = overlap
            .with_parameters(&[("umn_hazard", p.umn_hazard * umn), ("lmn_hazard", p.lmn_hazard * lmn)])
            .unwrap();
        for fidelity in [Fidelity::Fast, Fidelity::Full] {
            let traj = run(&m, &Scenario::untreated(), fidelity, 30.0);
            for s in &traj.samples {
                let exact = (-hazard * (s.day - p.ms_onset).max(0.0)).exp();
                assert!((s.core.ms_pathway - exact).abs() < 1e-7 * exact, "{fidelity:?} day {}", s.day);
            }
        }
    }
}

#[test]
fn without_ms_the_overlap_preset_is_human_als_exactly() {
    let als = model("human_als");
    let no_ms = model("als_ms_overlap").with_parameters(&[("ms_hazard", 0.0), ("ms_nfl_gain", 0.0)]).unwrap();
    assert_eq!(als.params, no_ms.params, "every other parameter is inherited");
    let (a, _) = natural_history(&als);
    let (b, _) = natural_history(&no_ms);
    for (x, y) in a.samples.iter().zip(&b.samples) {
        assert_eq!(x.core, y.core, "day {}", x.day);
    }
    let population = |m: &Model| format!("{:?}", m.population);
    assert_eq!(population(&als), population(&no_ms), "the population is inherited");
}

#[test]
fn ms_lesions_add_spasticity_and_nfl_to_als() {
    let (als, als_summary) = natural_history(&model("human_als"));
    let (overlap, overlap_summary) = natural_history(&model("als_ms_overlap"));
    let death = als_summary.death_day.unwrap().min(overlap_summary.death_day.unwrap());
    let mut more_tone = 0;
    let mut alive = 0;
    for (a, o) in als.samples.iter().zip(&overlap.samples).filter(|(a, _)| a.day > 30.0 && a.day < death) {
        assert!(o.core.umn_pathway() < a.core.umn_pathway(), "day {}", a.day);
        assert!(o.core.nfl > a.core.nfl, "NfL day {}", a.day);
        assert!(o.readouts.ashworth >= a.readouts.ashworth - 1e-12, "tone day {}", a.day);
        assert!(o.readouts.spasm >= a.readouts.spasm - 1e-12, "spasms day {}", a.day);
        assert!(o.readouts.motor_function <= a.readouts.motor_function, "function day {}", a.day);
        more_tone += usize::from(o.readouts.ashworth > a.readouts.ashworth + 1e-6);
        alive += 1;
    }
    assert!(more_tone * 2 > alive, "tone is higher for most of the course ({more_tone} of {alive} days)");
    // Spasms come earlier and weigh more; the ALS hazards are the same, so death moves little.
    assert!(overlap_summary.spasm_onset_day.unwrap() < als_summary.spasm_onset_day.unwrap());
    assert!(overlap_summary.spasm_auc > als_summary.spasm_auc);
    assert!((overlap_summary.death_day.unwrap() - als_summary.death_day.unwrap()).abs() < 60.0);
}

#[test]
fn ms_alone_gives_tone_and_a_steady_nfl_rise_but_no_spasms() {
    // No ALS: raphe, UMN and LMN intact; only MS lesions.
    let m = model("als_ms_overlap")
        .with_parameters(&[("raphe_hazard", 0.0), ("umn_hazard", 0.0), ("lmn_hazard", 0.0)])
        .unwrap();
    let traj = run(&m, &Scenario::untreated(), Fidelity::Fast, 30.0);
    let last = traj.samples.last().unwrap();
    let p = &m.params;
    // NfL at the quasi-steady level of the MS source: N0 + G_MS · h_MS(%/month) · P_MS (the
    // NfL half-life of weeks is short against the years of loss).
    let loss = 100.0 * p.ms_hazard * raphe::units::DAYS_PER_MONTH * last.core.ms_pathway;
    let expected = p.nfl_baseline + p.ms_nfl_gain * loss;
    assert!((last.core.nfl - expected).abs() < 0.01 * expected, "{} vs {expected}", last.core.nfl);
    assert!(last.readouts.ashworth > traj.samples[0].readouts.ashworth + 0.01, "MS lesions raise tone");
    assert!(traj.samples.iter().all(|s| s.readouts.spasm < 1e-12), "no PIC excess, no spasms");
}

#[test]
fn the_overlap_is_a_cohort_subgroup_of_the_same_virtual_patients() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["human_als", "als_ms_overlap"] {
        raphe()
            .args(["cohort", name, "--n", "40", "--seed", "3", "--out"])
            .arg(dir.path().join(name))
            .assert()
            .success();
    }
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name).join("patients.csv")).unwrap();
    let (als, overlap) = (read("human_als"), read("als_ms_overlap"));
    let column = |csv: &str, name: &str| -> Vec<f64> {
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let k = header.iter().position(|h| h.starts_with(name)).unwrap_or_else(|| panic!("no {name}"));
        csv.lines().skip(1).map(|l| l.split(',').nth(k).unwrap().parse().unwrap_or(f64::NAN)).collect()
    };
    // The same seed draws the same patients; MS adds NfL and spasm burden to each of them.
    assert_eq!(column(&als, "model.lmn_hazard"), column(&overlap, "model.lmn_hazard"));
    for (a, o) in column(&als, "peak_nfl").iter().zip(column(&overlap, "peak_nfl")) {
        assert!(o > *a, "peak NfL {o} vs {a}");
    }
    for (a, o) in column(&als, "spasm_auc").iter().zip(column(&overlap, "spasm_auc")) {
        assert!(o >= *a - 1e-9, "spasm AUC {o} vs {a}");
    }
}

#[test]
fn extends_errors_name_the_file_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let header = |extends: &str| {
        format!("[model]\nname = \"variant\"\nextends = \"{extends}\"\ndescription = \"d\"\n[parameters]\n")
    };
    let err = |path: &Path| Model::load(path).unwrap_err().to_string();
    let unknown = write("a.toml", &header("no_such_model"));
    let e = err(&unknown);
    assert!(e.contains("a.toml") && e.contains("model.extends") && e.contains("human_als"), "{e}");
    let cycle = write("self.toml", &header("self"));
    let e = err(&cycle);
    assert!(e.contains("model.extends") && e.contains("cycle"), "{e}");
    let bad_parameter = write("b.toml", &(header("human_als") + "no_such = { value = 1, unit = \"1\" }\n"));
    let e = err(&bad_parameter);
    assert!(e.contains("b.toml") && e.contains("parameters.no_such"), "{e}");
    let no_species = write("c.toml", "[model]\nname = \"x\"\ndescription = \"d\"\n[parameters]\n");
    let e = err(&no_species);
    assert!(e.contains("model.species") && e.contains("extends"), "{e}");
    // A base beside the file wins over a bundled model of the same name, and its text is in
    // the hash the manifest records.
    let base_text = std::fs::read_to_string("models/human_als.toml")
        .unwrap()
        .replace("name = \"human_als\"", "name = \"human_als\"\n# local copy");
    write("human_als.toml", &base_text);
    let variant = Model::load(&write("v.toml", &header("human_als"))).unwrap();
    assert!(variant.text.contains("# local copy"));
    assert_eq!(variant.params, model("human_als").params);
}
