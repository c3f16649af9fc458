//! Side effects between output times. Harms depend on drug concentrations only, which have a
//! closed form, so they are followed on a fine grid (every 15 min) whatever the output step:
//! each output sample carries the peak since the previous one and the running integral, and
//! summary peaks and window means do not depend on `--output-step`.

use super::plan::Plan;
use crate::model::Harms;
use crate::pharmacology::effects::{self, BoundDrug};
use crate::pharmacology::scenario::MAX_DRUGS;
use crate::pharmacology::{DoseEvent, PkState, Rates};

/// (peak since the previous output, ∫ harm dt from the start) at each output time of `plan`.
pub fn at_outputs(drugs: &[BoundDrug], plan: &Plan) -> Vec<(Harms, Harms)> {
    let mut tracker = HarmTracker::new(drugs);
    let mut out = Vec::new();
    for (k, seg) in plan.segments.iter().enumerate() {
        if seg.output {
            out.push((tracker.take_peak(), tracker.integral()));
        }
        for event in plan.doses_of(k) {
            tracker.dose(event);
        }
        tracker.advance(seg.start, seg.end, plan.rates(k));
    }
    out.push((tracker.take_peak(), tracker.integral()));
    out
}

/// Spacing of the harm grid, days (15 min).
const STEP: f64 = 1.0 / 96.0;

fn each(h: &Harms) -> [f64; 4] {
    [h.sedation, h.hypotension, h.respiratory_depression, h.weakness]
}

fn from(v: [f64; 4]) -> Harms {
    Harms { sedation: v[0], hypotension: v[1], respiratory_depression: v[2], weakness: v[3] }
}

/// Follows drug harms through a run.
pub struct HarmTracker<'a> {
    drugs: &'a [BoundDrug],
    pk: [PkState; MAX_DRUGS],
    /// Peak since the last [`Self::take_peak`].
    peak: [f64; 4],
    /// ∫ harm dt since the start, day.
    integral: [f64; 4],
}

impl<'a> HarmTracker<'a> {
    pub fn new(drugs: &'a [BoundDrug]) -> Self {
        HarmTracker { drugs, pk: [PkState::default(); MAX_DRUGS], peak: [0.0; 4], integral: [0.0; 4] }
    }

    fn harms(&self, pk: &[PkState; MAX_DRUGS]) -> [f64; 4] {
        each(&effects::combined(self.drugs, pk).harms)
    }

    pub fn dose(&mut self, event: &DoseEvent) {
        let Some(d) = self.drugs.get(event.drug) else { return };
        self.pk[event.drug] = d.pk.dosed(self.pk[event.drug], event.amount, event.route);
        let now = self.harms(&self.pk);
        for (p, h) in self.peak.iter_mut().zip(now) {
            *p = p.max(h);
        }
    }

    /// Follow the harms from `t0` to `t1` under constant infusion `rates`.
    pub fn advance(&mut self, t0: f64, t1: f64, rates: &[Rates; MAX_DRUGS]) {
        if self.drugs.is_empty() || t1 <= t0 {
            return;
        }
        // Nothing left in the body and nothing running in: harms are zero, skip the grid.
        let empty = self.pk.iter().all(|s| s.to_array().iter().all(|x| x.abs() < 1e-12))
            && rates.iter().all(|r| r.is_zero());
        if empty {
            return;
        }
        let n = ((t1 - t0) / STEP).ceil().max(1.0) as usize;
        let dt = (t1 - t0) / n as f64;
        let start = self.pk;
        let mut before = self.harms(&start);
        for i in 1..=n {
            let mut pk = start;
            for ((s, d), r) in pk.iter_mut().zip(self.drugs).zip(rates) {
                *s = d.pk.propagate(*s, i as f64 * dt, *r);
            }
            let after = self.harms(&pk);
            for j in 0..4 {
                self.integral[j] += 0.5 * (before[j] + after[j]) * dt;
                self.peak[j] = self.peak[j].max(after[j]);
            }
            before = after;
            if i == n {
                self.pk = pk;
            }
        }
    }

    /// The peak since the last call (then reset to the current level).
    pub fn take_peak(&mut self) -> Harms {
        let peak = from(self.peak);
        self.peak = self.harms(&self.pk);
        peak
    }

    /// ∫ harm dt from the start of the run, day.
    pub fn integral(&self) -> Harms {
        from(self.integral)
    }
}
