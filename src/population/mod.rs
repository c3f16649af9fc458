//! Virtual patients: log-normal inter-individual variability of named model parameters and of
//! drug constants, drawn from a seeded generator so that a cohort is the same on every machine.
//!
//! A parameter with typical value θ and coefficient of variation CV is drawn as θ·exp(ω·z),
//! ω = sqrt(ln(1 + CV²)), z ~ N(0, 1), so θ is the median (the NONMEM convention for
//! exponential random effects).

pub mod spec;

pub use spec::{Patient, Population};

use crate::model::Model;
use crate::pharmacology::drug::Mechanism;
use crate::pharmacology::Scenario;

/// SplitMix64 with Box–Muller normals: tiny, fast and identical across platforms and thread
/// counts (each patient gets its own stream from the seed and its index).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The stream of patient `index` in a cohort seeded with `seed`.
    pub fn new(seed: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(index.wrapping_add(1)));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// Log-normal factor with median 1 and coefficient of variation `cv`.
    pub fn lognormal_factor(&mut self, cv: f64) -> f64 {
        let omega = (1.0 + cv * cv).ln().sqrt();
        (omega * self.normal()).exp()
    }
}

/// What a drug-level random effect scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrugConstant {
    Clearance,
    Volume,
    /// EC50 of the drug's main action (reflex, 5-HT, force; 5-HT2 affinities).
    Potency,
    HypotensionEc50,
    SedationEc50,
}

impl DrugConstant {
    /// The name used in `[population.drugs.<drug>]` and in cohort columns.
    pub fn name(self) -> &'static str {
        match self {
            DrugConstant::Clearance => "clearance",
            DrugConstant::Volume => "volume",
            DrugConstant::Potency => "potency",
            DrugConstant::HypotensionEc50 => "hypotension_ec50",
            DrugConstant::SedationEc50 => "sedation_ec50",
        }
    }
}

/// A random effect: a model parameter by name, or a drug constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Model { parameter: String, cv: f64 },
    Drug { drug: String, constant: DrugConstant, cv: f64 },
}

/// Patient `index` of a cohort: the model and scenario with its random effects applied.
/// Fractions stay fractions: a drawn value is clipped to the parameter's physical bound.
pub fn patient(
    model: &Model,
    scenario: &Scenario,
    effects: &[Effect],
    seed: u64,
    index: u64,
) -> Result<(Model, Scenario), String> {
    let mut rng = Rng::new(seed, index);
    let mut model = model.clone();
    let mut scenario = scenario.clone();
    for e in effects {
        match e {
            Effect::Model { parameter, cv } => {
                let typical = model
                    .params
                    .get(parameter)
                    .ok_or_else(|| format!("unknown model parameter `{parameter}`"))?;
                let value = typical * rng.lognormal_factor(*cv);
                let def = crate::model::parameters::DEFS.iter().find(|d| d.name == parameter).expect("known");
                let value = match def.bound {
                    crate::params::Bound::Fraction | crate::params::Bound::PositiveFraction => value.min(1.0),
                    _ => value,
                };
                model = model.with_parameter(parameter, value).expect("known parameter");
            }
            Effect::Drug { drug, constant, cv } => {
                let factor = rng.lognormal_factor(*cv);
                let d = scenario
                    .drugs
                    .iter_mut()
                    .find(|d| &d.name == drug)
                    .ok_or_else(|| format!("drug `{drug}` is not in scenario `{}`", scenario.name))?;
                scale(d, *constant, factor);
            }
        }
    }
    Ok((model, scenario))
}

pub(crate) fn scale(d: &mut crate::pharmacology::BoundDrug, constant: DrugConstant, f: f64) {
    let mut pk = d.pk.constants();
    match constant {
        DrugConstant::Clearance => pk.elimination_rate *= f,
        DrugConstant::Volume => {
            // Same clearance, larger volume: k = CL/V falls.
            pk.volume *= f;
            pk.elimination_rate /= f;
        }
        DrugConstant::Potency => match &mut d.mechanism {
            Mechanism::Ht2Ligand { ki_2b, ki_2c, .. } => {
                *ki_2b *= f;
                *ki_2c *= f;
            }
            Mechanism::Reflex { ec50, .. }
            | Mechanism::SerotoninClearance { ec50, .. }
            | Mechanism::SerotoninRelease { ec50, .. }
            | Mechanism::MuscleForce { ec50, .. } => *ec50 *= f,
        },
        DrugConstant::HypotensionEc50 => d.harms.hypotension.ec50 *= f,
        DrugConstant::SedationEc50 => d.harms.sedation.ec50 *= f,
    }
    // Rebuild so the closed form's rate separation holds for the new constants.
    d.pk = crate::pharmacology::OneCompartment::new(pk);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normals_have_unit_moments_and_are_reproducible() {
        let mut r = Rng::new(42, 0);
        let z: Vec<f64> = (0..200_000).map(|_| r.normal()).collect();
        let mean = z.iter().sum::<f64>() / z.len() as f64;
        let var = z.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / z.len() as f64;
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.01, "{mean} {var}");
        assert_eq!(Rng::new(42, 3).next_u64(), Rng::new(42, 3).next_u64());
        assert_ne!(Rng::new(42, 3).next_u64(), Rng::new(42, 4).next_u64());
    }

    #[test]
    fn lognormal_factor_has_the_requested_cv_and_median_one() {
        let mut r = Rng::new(7, 0);
        let mut f: Vec<f64> = (0..200_000).map(|_| r.lognormal_factor(0.4)).collect();
        let mean = f.iter().sum::<f64>() / f.len() as f64;
        let sd = (f.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / f.len() as f64).sqrt();
        f.sort_by(f64::total_cmp);
        assert!((f[f.len() / 2] - 1.0).abs() < 0.01);
        assert!((sd / mean - 0.4).abs() < 0.01, "cv {}", sd / mean);
    }
}
