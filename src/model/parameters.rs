//! The model's parameters: one definition table, one struct. The same names are used in model
//! files, `raphe params`, manifests and (later) sweeps.

use crate::params::{Bound, ParamDef};
use crate::units::Kind;

macro_rules! parameters {
    ($( $name:ident : $kind:ident / $bound:ident, $desc:literal; )*) => {
        /// Model parameters in internal units (days, nM, nA, pg/mL, kg).
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        pub struct Parameters { $( #[doc = $desc] pub $name: f64, )* }

        /// Definitions of every model parameter, in file order.
        pub const DEFS: &[ParamDef] = &[
            $( ParamDef { name: stringify!($name), kind: Kind::$kind, bound: Bound::$bound, description: $desc }, )*
        ];

        impl Parameters {
            /// Build from values in the order of [`DEFS`].
            pub fn from_values(values: &[f64]) -> Self {
                assert_eq!(values.len(), DEFS.len(), "one value per definition");
                let mut it = values.iter().copied();
                Self { $( $name: it.next().unwrap(), )* }
            }

            /// A parameter by name (for sweeps and tests).
            pub fn get_mut(&mut self, name: &str) -> Option<&mut f64> {
                match name { $( stringify!($name) => Some(&mut self.$name), )* _ => None }
            }

            /// A parameter's value by name.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name { $( stringify!($name) => Some(self.$name), )* _ => None }
            }
        }
    };
}

parameters! {
    body_mass: BodyMass / Positive, "body mass (scales per-kg doses and PK volumes)";
    renal_function: Dimensionless / Positive, "renal function relative to normal (scales renal drug clearance)";
    raphe_onset: Time / NonNegative, "time at which raphe serotonergic neurons start to degenerate";
    raphe_hazard: Rate / NonNegative, "constant hazard of raphe serotonergic neuron loss after onset";
    umn_onset: Time / NonNegative, "time at which upper motor neurons start to degenerate";
    umn_hazard: Rate / NonNegative, "constant hazard of upper motor neuron loss after onset";
    lmn_onset: Time / NonNegative, "time at which lower motor neurons (motor units) start to degenerate";
    lmn_hazard: Rate / NonNegative, "constant hazard of lower motor neuron (motor unit) loss after onset";
    ms_onset: Time / NonNegative, "time at which multiple sclerosis lesions start to cut the upper motor neuron pathway (ALS-MS overlap)";
    ms_hazard: Rate / NonNegative, "constant hazard of corticospinal axon loss from MS lesions after onset (0: no MS)";
    serotonin_half_life: Time / Positive, "half-life of spinal extracellular 5-HT (release to clearance/reuptake)";
    serotonin_baseline: MolarConcentration / Positive, "extracellular spinal 5-HT near motoneurons before disease";
    ht2b_kd_serotonin: MolarConcentration / Positive, "5-HT dissociation constant at 5-HT2B";
    ht2c_kd_serotonin: MolarConcentration / Positive, "5-HT dissociation constant at 5-HT2C";
    ht2b_constitutive_ratio: Dimensionless / Positive, "two-state isomerisation constant L = [R*]/[R] of 5-HT2B";
    ht2c_constitutive_ratio: Dimensionless / Positive, "two-state isomerisation constant L = [R*]/[R] of 5-HT2C";
    ht2b_active_isoform_ratio: Dimensionless / Positive, "isomerisation constant L of the constitutively active 5-HT2B form after denervation";
    ht2c_active_isoform_ratio: Dimensionless / Positive, "isomerisation constant L of the constitutively active (unedited) 5-HT2C isoform";
    ht2b_serotonin_efficacy: Dimensionless / Positive, "5-HT efficacy alpha at 5-HT2B (agonist: > 1)";
    ht2c_serotonin_efficacy: Dimensionless / Positive, "5-HT efficacy alpha at 5-HT2C (agonist: > 1)";
    ht2c_share_of_pic: Dimensionless / Fraction, "share of the PIC-facilitating receptor activity carried by 5-HT2C (rest 5-HT2B)";
    receptor_upregulation_max: Dimensionless / NonNegative, "maximal rise of receptor density (x baseline - 1) when agonist occupancy is lost";
    receptor_upregulation_time: Time / Positive, "time constant of receptor density change (supersensitivity)";
    receptor_desensitisation: Dimensionless / NonNegative, "fall of receptor density (x baseline) per unit of 5-HT occupancy above the healthy one";
    active_isoform_max_share: Dimensionless / Fraction, "share of 5-HT2B/2C receptors in the constitutively active form after complete serotonergic denervation";
    isoform_shift_time: Time / Positive, "time constant of the shift towards constitutively active receptors after denervation";
    pic_max: Current / Positive, "maximal motoneuron persistent inward current";
    pic_half_activity: Dimensionless / Positive, "receptor activity (x baseline) giving half the maximal PIC";
    pic_hill: Dimensionless / Positive, "Hill coefficient of receptor activity to PIC (G-protein cascade)";
    pic_time_constant: Time / Positive, "time constant of PIC facilitation following receptor activity";
    umn_inhibition_loss: Dimensionless / Fraction, "fraction of segmental inhibition of reflexes lost when all upper motor neurons are lost";
    reflex_lmn_exponent: Dimensionless / Positive, "power of LMN survival in the reflex drive (how steeply spasms and tone fade as motor units are lost)";
    spasm_half_drive: Dimensionless / Positive, "reflex drive (surviving motor units x excess excitability) giving half-maximal spasm intensity";
    spasm_hill: Dimensionless / Positive, "steepness of spasm intensity against reflex drive";
    spasm_clinical_threshold: Dimensionless / PositiveFraction, "spasm intensity taken as clinically present (spasm onset)";
    spasm_max_frequency: Rate / Positive, "spasm frequency at spasm intensity 1 with all motor units present";
    tone_pic_threshold: Dimensionless / NonNegative, "PIC (x healthy) above which the disinhibited stretch reflex grows (tone)";
    tone_half_drive: Dimensionless / Positive, "reflex drive giving Modified Ashworth 2 (half the scale)";
    tone_hill: Dimensionless / Positive, "steepness of the Modified Ashworth score against reflex drive";
    pain_spasm_weight: Dimensionless / Fraction, "weight of spasm intensity in the pain score (0-10 scale / 10)";
    pain_tone_weight: Dimensionless / Fraction, "weight of tone (Ashworth / 4) in the pain score";
    pain_immobility_weight: Dimensionless / Fraction, "weight of lost motor function (immobility, joints, cramps) in the pain score";
    umn_function_weight: Dimensionless / Fraction, "share of motor function lost when all upper motor neurons are lost";
    motor_onset_function: Dimensionless / PositiveFraction, "motor function (fraction) at which weakness becomes clinical (motor onset)";
    alsfrs_exponent: Dimensionless / Positive, "curvature of ALSFRS-R against motor function below onset";
    respiratory_reserve_function: Dimensionless / PositiveFraction, "motor function below which FVC falls (respiratory reserve)";
    death_fvc: Dimensionless / Fraction, "FVC (fraction of predicted) at which respiratory failure causes death";
    exercise_tone_reduction: Dimensionless / Fraction, "fraction of tone (Ashworth) removed by a fully trained stretching programme";
    exercise_reference_minutes: Time / Positive, "daily exercise time that gives full training (per day)";
    exercise_training_half_life: Time / Positive, "half-life of building up and losing the training effect";
    nfl_baseline: BiomarkerConcentration / Positive, "serum neurofilament light without neurodegeneration";
    nfl_half_life: Time / Positive, "serum NfL half-life";
    nfl_gain: NflGain / NonNegative, "rise of serum NfL per unit rate of motor neuron loss";
    ms_nfl_gain: NflGain / NonNegative, "rise of serum NfL per unit rate of corticospinal axon loss from MS lesions (MS lesions also cut axons outside the motor pathway)";
}
