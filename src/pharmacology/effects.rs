//! Pharmacodynamics: from concentrations to the model's [`DrugEffects`]. Each mechanism acts
//! where the drug really acts (5-HT2 receptors, 5-HT release or clearance, reflex transmission,
//! muscle force); side effects are Emax functions of the same effect-site (CSF) concentration and
//! combine across drugs as independent actions.

use super::drug::{HarmProfile, Mechanism};
use super::pk::{OneCompartment, PkState};
use crate::model::DrugEffects;

/// A drug bound to one body: its PK constants, its action and its harms.
#[derive(Debug, Clone)]
pub struct BoundDrug {
    pub name: String,
    pub pk: OneCompartment,
    pub mechanism: Mechanism,
    pub harms: HarmProfile,
    /// Liver-injury risk model, if the drug has one.
    pub liver: Option<super::liver::Hepatotoxicity>,
    /// g/mol, to turn mg/L into nM.
    pub molar_mass: f64,
}

/// mg/L → nM.
fn nanomolar(mg_per_l: f64, molar_mass: f64) -> f64 {
    mg_per_l * 1e6 / molar_mass
}

/// emax·c/(c + ec50).
fn emax(c: f64, emax: f64, ec50: f64) -> f64 {
    emax * c / (c + ec50)
}

/// Independent combination of fractional effects: 1 − (1 − a)(1 − b).
fn combine(total: &mut f64, add: f64) {
    *total = 1.0 - (1.0 - *total) * (1.0 - add);
}

/// Combined effect of all drugs at their current concentrations.
pub fn combined(drugs: &[BoundDrug], states: &[PkState]) -> DrugEffects {
    let mut effects = DrugEffects::default();
    for (drug, state) in drugs.iter().zip(states) {
        let c = drug.pk.csf(*state).max(0.0);
        match drug.mechanism {
            Mechanism::Ht2Ligand { ki_2b, ki_2c, efficacy_2b, efficacy_2c } => {
                let nm = nanomolar(c, drug.molar_mass);
                effects.ht2b.add(nm / ki_2b, efficacy_2b);
                effects.ht2c.add(nm / ki_2c, efficacy_2c);
            }
            Mechanism::Reflex { emax, ec50, hill } => {
                let ch = crate::math::power(c, hill);
                effects.reflex_gain *= 1.0 - emax * ch / (ch + crate::math::power(ec50, hill));
            }
            Mechanism::SerotoninClearance { emax: e, ec50 } => {
                effects.serotonin_clearance *= 1.0 - emax(c, e, ec50)
            }
            Mechanism::SerotoninRelease { emax: e, ec50 } => {
                effects.serotonin_release *= 1.0 + emax(c, e, ec50)
            }
            Mechanism::MuscleForce { emax: e, ec50 } => effects.muscle_force *= 1.0 - emax(c, e, ec50),
        }
        // Sedation, blood pressure and breathing are brain(stem) effects; weakness is spinal.
        let brain = drug.pk.supraspinal(*state).max(0.0);
        let h = &drug.harms;
        let harms = &mut effects.harms;
        combine(&mut harms.sedation, h.sedation.at(brain));
        combine(&mut harms.hypotension, h.hypotension.at(brain));
        combine(&mut harms.respiratory_depression, h.respiratory.at(brain));
        combine(&mut harms.weakness, h.weakness.at(c));
    }
    effects
}
