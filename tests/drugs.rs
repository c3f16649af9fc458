//! Every drug in the library moves its target in the right direction, at its typical dose, in
//! a patient (or mouse) whose spinal 5-HT is depleted; side effects appear where the drug file
//! declares them; dose limits warn or refuse.

mod common;
use common::*;
use raphe::bundled;
use raphe::model::Species;
use raphe::pharmacology::drug::{Mechanism, MechanismKind};
use raphe::pharmacology::{Library, Scenario};
use raphe::simulate::{simulate, Fidelity, Sample, Settings, Trajectory};
use std::path::Path;

struct Case {
    treated: Trajectory,
    untreated: Trajectory,
    window: (f64, f64),
}

impl Case {
    fn mean(&self, treated: bool, f: impl Fn(&Sample) -> f64) -> f64 {
        let t = if treated { &self.treated } else { &self.untreated };
        mean_between(t, self.window.0, self.window.1, f)
    }
}

/// One typical dose of `drug` by its first route at a depleted-5-HT time; compared 1-6 h later.
fn give_once(drug: &str) -> Case {
    let d = Library::default().find(drug).unwrap().unwrap();
    let species = if d.pk.contains_key(&Species::Human) { Species::Human } else { Species::Mouse };
    let m = model(if species == Species::Human { "human_als" } else { "sod1_g86r_mouse" });
    let day = if species == Species::Human { 1500.0 } else { 112.0 };
    let dose = d.doses[&species].typical_dose_mg();
    let route = d.routes[0].name();
    let text = format!(
        "[scenario]\nname = \"one_dose\"\ndescription = \"one typical dose\"\n[[dosing]]\ndrug = \"{drug}\"\nroute = \"{route}\"\nregimen = \"{dose} mg once\"\nstart = {{ value = {day}, unit = \"day\" }}\n"
    );
    let sc = Scenario::from_toml(Path::new("one_dose.toml"), &text, &m, &Library::default()).unwrap();
    let mut settings = Settings::for_model(&m, Fidelity::Fast);
    settings.duration = day + 1.0;
    settings.output_step = 1.0 / 24.0;
    Case {
        treated: simulate(&m, &sc, &settings).unwrap(),
        untreated: simulate(&m, &Scenario::untreated(), &settings).unwrap(),
        window: (day + 1.0 / 24.0, day + 6.0 / 24.0),
    }
}

trait Typical {
    fn typical_dose_mg(&self) -> f64;
}

impl Typical for raphe::pharmacology::drug::DoseLimits {
    fn typical_dose_mg(&self) -> f64 {
        self.typical.expect("every drug file gives a typical dose")
    }
}

#[test]
fn every_drug_moves_its_target_the_right_way() {
    for (name, _) in bundled::DRUGS {
        let d = Library::default().find(name).unwrap().unwrap();
        let c = give_once(name);
        let activity = |t| c.mean(t, |s| s.readouts.receptor_activity);
        let excitability = |t| c.mean(t, |s| s.readouts.excitability);
        let serotonin = |t| c.mean(t, |s| s.serotonin);
        let spasm = |t| c.mean(t, |s| s.readouts.spasm);
        match (d.mechanism_kind, d.mechanism) {
            (MechanismKind::Ht2Ligand, Mechanism::Ht2Ligand { efficacy_2c, .. }) => {
                if efficacy_2c > 1.0 {
                    assert!(activity(true) > activity(false), "{name}: agonist should raise 5-HT2 activity");
                } else {
                    assert!(
                        activity(true) < activity(false),
                        "{name}: (inverse) antagonist should lower 5-HT2 activity"
                    );
                }
            }
            (MechanismKind::SerotoninReuptakeInhibitor | MechanismKind::SerotoninPrecursor, _) => {
                assert!(serotonin(true) > serotonin(false), "{name}: should raise spinal 5-HT");
            }
            (MechanismKind::EcCouplingBlocker, _) => {
                assert!(spasm(true) < spasm(false), "{name}: should weaken spasms");
            }
            _ => {
                assert!(excitability(true) < excitability(false), "{name}: should lower reflex excitability")
            }
        }
    }
}

#[test]
fn declared_side_effects_appear() {
    for (name, _) in bundled::DRUGS {
        let d = Library::default().find(name).unwrap().unwrap();
        let c = give_once(name);
        let h = d.harms;
        let peak = |f: fn(&Sample) -> f64| c.treated.samples.iter().map(f).fold(0.0, f64::max);
        assert_eq!(h.sedation.emax > 0.0, peak(|s| s.readouts.harms.sedation) > 0.0, "{name}: sedation");
        assert_eq!(
            h.hypotension.emax > 0.0,
            peak(|s| s.readouts.harms.hypotension) > 0.0,
            "{name}: hypotension"
        );
        assert_eq!(h.weakness.emax > 0.0, peak(|s| s.readouts.harms.weakness) > 0.0, "{name}: weakness");
        assert_eq!(
            h.respiratory.emax > 0.0,
            peak(|s| s.readouts.harms.respiratory_depression) > 0.0,
            "{name}: respiratory"
        );
        // Untreated: no harm at all.
        assert!(c
            .untreated
            .samples
            .iter()
            .all(|s| s.readouts.harms.sedation == 0.0 && s.readouts.harms.weakness == 0.0));
    }
}

#[test]
fn every_drug_file_is_bundled() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/drugs");
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_str().unwrap();
        assert!(bundled::drug(stem).is_some(), "{stem} is not bundled");
    }
}

fn human_scenario(body: &str) -> raphe::Result<Scenario> {
    let m = model("human_als");
    let text = format!("[scenario]\nname = \"t\"\ndescription = \"t\"\n{body}");
    Scenario::from_toml(Path::new("limits.toml"), &text, &m, &Library::default())
}

#[test]
fn above_label_maximum_warns_and_above_hard_bound_fails() {
    let ok = human_scenario("[[dosing]]\ndrug = \"baclofen\"\nroute = \"oral\"\nregimen = \"20 mg tid\"\nstart = { value = 0, unit = \"day\" }\n").unwrap();
    assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
    let high = human_scenario("[[dosing]]\ndrug = \"baclofen\"\nroute = \"oral\"\nregimen = \"40 mg tid\"\nstart = { value = 0, unit = \"day\" }\n").unwrap();
    assert!(
        high.warnings.iter().any(|w| w.contains("baclofen") && w.contains("label maximum")),
        "{:?}",
        high.warnings
    );
    let err = human_scenario("[[dosing]]\ndrug = \"baclofen\"\nroute = \"oral\"\nregimen = \"5 g once\"\nstart = { value = 0, unit = \"day\" }\n").unwrap_err().to_string();
    assert!(
        err.contains("limits.toml") && err.contains("hard bound") && err.contains("hard_max_single"),
        "{err}"
    );
}

#[test]
fn daily_totals_count_boluses_and_infused_amounts() {
    // Intrathecal boluses add up over the day: 1.5 mg every hour is 36 mg/day.
    let err = human_scenario("[[dosing]]\ndrug = \"baclofen\"\nroute = \"intrathecal\"\nregimen = \"1.5 mg q1h\"\nstart = { value = 0, unit = \"day\" }\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("intrathecal_max_daily"), "{err}");
    // A 50 ug test bolus given over one minute is a small amount, whatever its rate.
    human_scenario("[[dosing_table]]\ndrug = \"baclofen\"\nfile = \"x.csv\"\ntime_unit = \"day\"\namount_unit = \"ug\"\n").unwrap_err();
    let short = human_scenario("[[infusion]]\ndrug = \"baclofen\"\nroute = \"intrathecal\"\nrate = { value = 72, unit = \"mg/day\" }\nstart = { value = 0, unit = \"day\" }\nstop = { value = 1, unit = \"min\" }\n");
    assert!(short.is_ok(), "{:?}", short.err());
    // An IV infusion far above the label is refused; 10 mg over an hour does not even warn.
    let huge = human_scenario("[[infusion]]\ndrug = \"diazepam\"\nroute = \"iv\"\nrate = { value = 5000, unit = \"mg/day\" }\nstart = { value = 0, unit = \"day\" }\n");
    assert!(huge.unwrap_err().to_string().contains("label maximum"));
    let hour = human_scenario("[[infusion]]\ndrug = \"diazepam\"\nroute = \"iv\"\nrate = { value = 10, unit = \"mg/h\" }\nstart = { value = 0, unit = \"day\" }\nstop = { value = 1, unit = \"h\" }\n").unwrap();
    assert!(hour.warnings.is_empty(), "{:?}", hour.warnings);
}
