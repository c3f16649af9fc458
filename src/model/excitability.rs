//! Motoneuron excitability: the persistent inward current (PIC) facilitated by 5-HT2B/2C
//! activity, and reflex excitability once inhibition is taken into account.
//!
//! PIC = PIC_max · A^n / (A^n + A½^n), with A the receptor activity relative to baseline and
//! n the Hill coefficient of the receptor → G-protein → conductance cascade (Destexhe &
//! Sejnowski 1995, n = 4). dPIC/dt = (PIC∞(A) − PIC)/τ.
//! Reflex excitability E = (PIC/PIC₀) · g_drugs / (1 − w·(1 − U)): PIC relative to baseline,
//! times drug gain on reflex transmission, divided by the inhibition left after UMN loss.

/// Quasi-steady PIC (nA) at receptor activity `activity` (x baseline); `hill`: half-maximal
/// activity and coefficient.
pub fn pic_steady(activity: f64, pic_max: f64, hill: crate::math::Hill) -> f64 {
    pic_max * hill.at(activity.max(0.0))
}

/// dPIC/dt.
pub fn pic_rate(pic: f64, steady: f64, time_constant: f64) -> f64 {
    (steady - pic) / time_constant
}

/// Disinhibition of segmental reflex pathways by UMN loss: 1/(remaining inhibition) − 1, zero
/// in the healthy cord. Long polysynaptic EPSPs, which trigger spasms, and the exaggerated
/// stretch reflex of spasticity appear only when descending inhibition is lost.
pub fn disinhibition(umn_survival: f64, umn_inhibition_loss: f64) -> f64 {
    1.0 / (1.0 - umn_inhibition_loss * (1.0 - umn_survival.clamp(0.0, 1.0))) - 1.0
}

/// Reflex excitability relative to a healthy baseline (1 before disease and drugs).
pub fn reflex_excitability(
    pic_ratio: f64,
    umn_survival: f64,
    umn_inhibition_loss: f64,
    drug_gain: f64,
) -> f64 {
    let inhibition = 1.0 - umn_inhibition_loss * (1.0 - umn_survival);
    pic_ratio * drug_gain / inhibition
}
