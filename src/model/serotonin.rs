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
/// S(0) = g/c (the steady state before onset) the exact solution is
/// S = (k g R − (g/c)·h e^{−k c τ}) / (k c − h) (with g = c = 1: R·k/(k − h) once the ~1 h
/// transient is over). Drugs start long after the transient has gone, so in use g and c are
/// the current drug effects and the transient matters only without drugs.
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
    let before = release_gain / clearance_factor;
    let transient = if k * since_onset > 40.0 { 0.0 } else { before * hazard * (-k * since_onset).exp() };
    (clearance_rate * release_gain * raphe - transient) / (k - hazard)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed form against a fine explicit integration of dS/dt = k(g R − c S) from the
    /// steady state g/c at onset, for g ≠ c.
    #[test]
    fn quasi_steady_is_the_exact_solution_for_constant_drug_effects() {
        let (k, h, g, c) = (16.6, 0.002, 1.4, 0.6);
        let (mut s, dt) = (g / c, 1e-5);
        let mut t = 0.0;
        for target in [0.05, 0.2, 1.0, 3.0] {
            while t < target - 1e-12 {
                // RK4 on the linear equation with R = e^{−h t}.
                let f = |t: f64, s: f64| rate(s, (-h * t).exp(), k, g, c);
                let k1 = f(t, s);
                let k2 = f(t + dt / 2.0, s + dt / 2.0 * k1);
                let k3 = f(t + dt / 2.0, s + dt / 2.0 * k2);
                let k4 = f(t + dt, s + dt * k3);
                s += dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
                t += dt;
            }
            let exact = quasi_steady((-h * t).exp(), h, k, t, g, c);
            assert!((exact - s).abs() < 1e-9 * s, "t {t}: closed form {exact}, integrated {s}");
        }
    }
}
