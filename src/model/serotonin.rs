//! Spinal extracellular serotonin, normalised to its pre-disease level.
//!
//! dS/dt = k (R - S): release is proportional to the surviving descending raphe projections
//! R, clearance (reuptake, MAO) is first order with rate k = ln 2 / t½. At baseline R = S = 1.

/// Rate of change of normalised spinal 5-HT.
pub fn rate(serotonin: f64, raphe: f64, clearance_rate: f64) -> f64 {
    clearance_rate * (raphe - serotonin)
}

/// 5-HT when clearance (rate k) is fast compared with raphe loss (hazard h), `since_onset`
/// days after raphe loss began (negative before). For R = e^{−h τ} and S(0) = 1 the exact
/// solution is S = (k R − h e^{−k τ}) / (k − h): R·k/(k − h) once the ~1 h transient is over.
pub fn quasi_steady(raphe: f64, hazard: f64, clearance_rate: f64, since_onset: f64) -> f64 {
    if since_onset <= 0.0 || clearance_rate <= hazard {
        return raphe;
    }
    (clearance_rate * raphe - hazard * (-clearance_rate * since_onset).exp()) / (clearance_rate - hazard)
}
