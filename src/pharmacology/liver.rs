//! Drug-induced liver injury risk (dantrolene, tizanidine), from the dose history alone.
//!
//! hazard(t) = h₀ · (D₂₄(t) / D_ref)^γ · w(t),  h₀ = −ln(1 − I) / W
//! D₂₄ is the amount given in the trailing 24 h (boluses plus infusion), I the cumulative
//! incidence over the early window W at the reference daily dose D_ref, γ the dose exponent,
//! and w = 1 during the first W days of exposure, the late ratio afterwards (injury concentrates
//! in months 1–6; science.md §4). Risk = 1 − exp(−∫ hazard), combined across drugs.

use super::scenario::{DoseEvent, Scenario};

/// Hepatotoxicity constants of one drug (internal units: days, mg/day).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hepatotoxicity {
    pub incidence: f64,
    pub reference_daily_dose: f64,
    pub dose_exponent: f64,
    pub window: f64,
    pub late_ratio: f64,
}

impl Hepatotoxicity {
    /// Hazard per day at a 24-hour dose of `daily` mg, `exposed` days after the first dose.
    pub fn hazard(&self, daily: f64, exposed: f64) -> f64 {
        if daily <= 0.0 {
            return 0.0;
        }
        let base = -(1.0 - self.incidence).ln() / self.window;
        let phase = if exposed < self.window { 1.0 } else { self.late_ratio };
        base * (daily / self.reference_daily_dose).powf(self.dose_exponent) * phase
    }
}

/// Step of the hazard integration, days.
const STEP: f64 = 0.25;

/// Cumulative liver-injury risk at each of `days` (ascending), from the scenario's doses.
pub fn risk_at(scenario: &Scenario, days: &[f64]) -> Vec<f64> {
    let Some(&end) = days.last() else { return vec![] };
    if scenario.drugs.iter().all(|d| d.liver.is_none()) {
        return vec![0.0; days.len()];
    }
    let doses = scenario.doses_until(end);
    let mut cumulative = vec![0.0; days.len()];
    for (k, drug) in scenario.drugs.iter().enumerate() {
        let Some(liver) = drug.liver else { continue };
        let mine: Vec<&DoseEvent> = doses.iter().filter(|d| d.drug == k).collect();
        let first_infusion = scenario.infusions.iter().filter(|i| i.drug == k).map(|i| i.start);
        let Some(first) = mine.iter().map(|d| d.time).chain(first_infusion).reduce(f64::min) else {
            continue;
        };
        let (mut h, mut t, mut next_day) = (0.0, first, 0);
        let (mut lo, mut hi, mut window_sum) = (0, 0, 0.0);
        while next_day < days.len() {
            // Days before t have their cumulative hazard.
            while next_day < days.len() && days[next_day] <= t {
                cumulative[next_day] += h;
                next_day += 1;
            }
            let mid = t + 0.5 * STEP;
            while hi < mine.len() && mine[hi].time <= mid {
                window_sum += mine[hi].amount;
                hi += 1;
            }
            while lo < hi && mine[lo].time <= mid - 1.0 {
                window_sum -= mine[lo].amount;
                lo += 1;
            }
            let rate = scenario.rates_at(mid)[k];
            let daily = window_sum + rate.intrathecal + rate.central;
            h += liver.hazard(daily, mid - first) * STEP;
            t += STEP;
        }
    }
    cumulative.iter().map(|h| 1.0 - (-h).exp()).collect()
}
