//! Pharmacodynamics: from CSF concentrations to the model's [`DrugEffects`].

use super::drug::Mechanism;
use super::pk::{OneCompartment, PkState};
use crate::model::DrugEffects;

/// A drug bound to one body: its PK constants and its action.
#[derive(Debug, Clone)]
pub struct BoundDrug {
    pub name: String,
    pub pk: OneCompartment,
    pub mechanism: Mechanism,
    /// g/mol, to turn mg/L into nM.
    pub molar_mass: f64,
}

/// mg/L → nM.
fn nanomolar(mg_per_l: f64, molar_mass: f64) -> f64 {
    mg_per_l * 1e6 / molar_mass
}

/// Combined effect of all drugs at their current CSF concentrations.
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
            Mechanism::GabaBAgonist { emax, ec50, hill } => {
                let ch = c.powf(hill);
                effects.reflex_gain *= 1.0 - emax * ch / (ch + ec50.powf(hill));
            }
        }
    }
    effects
}
