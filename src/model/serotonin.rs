//! Spinal extracellular serotonin, normalised to its pre-disease level.
//!
//! dS/dt = k (g·R − c·S): release is proportional to the surviving descending raphe projections
//! R (times g, raised by a precursor such as 5-HTP), clearance (reuptake, MAO) is first order
//! with rate k = ln 2 / t½ (times c, lowered by reuptake inhibitors). At baseline R = S = 1.

/// Rate of change of normalised spinal 5-HT.
pub fn rate(
    serotonin: f64,
    raphe: f64,
    clearance_rate: f64,
    release_gain: f64,
    clearance_factor: f64,
) -> f64 {
    clearance_rate * (release_gain * raphe - clearance_factor * serotonin)
}

/// 5-HT when clearance (rate k·c) is fast compared with raphe loss (hazard h), `since_onset`
/// days after raphe loss began (negative before). For R = e^{−h τ}, constant g and c and
/// S(0) = 1 the exact solution is S = (k g R − h e^{−k c τ}) / (k c − h) (with g = c = 1:
/// R·k/(k − h) once the ~1 h transient is over).
pub fn quasi_steady(
    raphe: f64,
    hazard: f64,
    clearance_rate: f64,
    since_onset: f64,
    release_gain: f64,
    clearance_factor: f64,
) -> f64 {
    let k = clearance_rate * clearance_factor;
    if since_onset <= 0.0 || k <= hazard {
        return release_gain * raphe / clearance_factor;
    }
    // The start-up transient e^{−kτ} is below 1e-17 after 40 clearance time constants
    // (under 3 days for t½ = 1 h): skip the exponential, a measurable cost in long runs.
    let transient = if k * since_onset > 40.0 { 0.0 } else { hazard * (-k * since_onset).exp() };
    (clearance_rate * release_gain * raphe - transient) / (k - hazard)
}
