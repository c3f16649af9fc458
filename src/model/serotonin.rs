//! Spinal extracellular serotonin, normalised to its pre-disease level.
//!
//! dS/dt = k (R - S): release is proportional to the surviving descending raphe projections
//! R, clearance (reuptake, MAO) is first order with rate k = ln 2 / t½. At baseline R = S = 1.

/// Rate of change of normalised spinal 5-HT.
pub fn rate(serotonin: f64, raphe: f64, clearance_rate: f64) -> f64 {
    clearance_rate * (quasi_steady(raphe) - serotonin)
}

/// 5-HT when clearance is fast compared with raphe loss (the fast path).
pub fn quasi_steady(raphe: f64) -> f64 {
    raphe
}
