//! Serum neurofilament light (NfL): released in proportion to the rate of axonal loss and
//! cleared first order. dN/dt = k (N₀ + Σ G_i · loss_i − N), each loss in %/month: motor neurons
//! (ALS) and, in the ALS-MS overlap, corticospinal axons cut by MS lesions.

use crate::units::DAYS_PER_MONTH;

/// Rate of motor neuron loss in %/month from per-day loss rates.
pub fn loss_percent_per_month(loss_per_day: f64) -> f64 {
    100.0 * loss_per_day * DAYS_PER_MONTH
}

/// dN/dt in pg/mL/day, from (gain, loss per day) of each source of axonal loss.
pub fn rate<const N: usize>(nfl: f64, baseline: f64, sources: [(f64, f64); N], clearance_rate: f64) -> f64 {
    let released: f64 = sources.iter().map(|&(gain, loss)| gain * loss_percent_per_month(loss)).sum();
    clearance_rate * (baseline + released - nfl)
}
