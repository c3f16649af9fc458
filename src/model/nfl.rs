//! Serum neurofilament light (NfL): released in proportion to the rate of axonal loss and
//! cleared first order. dN/dt = k (N₀ + G · loss − N), loss in %/month of motor neurons.

use crate::units::DAYS_PER_MONTH;

/// Rate of motor neuron loss in %/month from per-day loss rates.
pub fn loss_percent_per_month(loss_per_day: f64) -> f64 {
    100.0 * loss_per_day * DAYS_PER_MONTH
}

/// dN/dt in pg/mL/day.
pub fn rate(nfl: f64, baseline: f64, gain: f64, loss_per_day: f64, clearance_rate: f64) -> f64 {
    clearance_rate * (baseline + gain * loss_percent_per_month(loss_per_day) - nfl)
}
