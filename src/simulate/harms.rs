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
///
/// Regular dosing ([`Plan::stretches`]) is followed period by period until the PK state at the
/// start of a period repeats (periodic steady state); every later period then has the same
/// harms, so one period's record (peaks at its outputs, integral per segment) is replayed.
pub fn at_outputs(drugs: &[BoundDrug], plan: &Plan) -> Vec<(Harms, Harms)> {
    at_outputs_with(drugs, plan, true)
}

/// Periods before a stretch may be replayed, and the settling test (as the quadrature path).
const MIN_REPEATS: usize = 12;
const PK_SETTLED: f64 = 1e-10;

fn at_outputs_with(drugs: &[BoundDrug], plan: &Plan, replay: bool) -> Vec<(Harms, Harms)> {
    let mut tracker = HarmTracker::new(drugs);
    let mut out = Vec::with_capacity(plan.output_count());
    let step = |tracker: &mut HarmTracker, out: &mut Vec<(Harms, Harms)>, k: usize| {
        let seg = &plan.segments[k];
        if seg.output {
            out.push((tracker.take_peak(), tracker.integral()));
        }
        for event in plan.doses_of(k) {
            tracker.dose(event);
        }
        tracker.advance(seg.start, seg.end, plan.rates(k));
    };
    let stretches = if replay && !drugs.is_empty() { plan.stretches(MIN_REPEATS) } else { Vec::new() };
    let mut stretches = stretches.iter().peekable();
    let mut k = 0;
    while k < plan.segments.len() {
        let Some(stretch) = stretches.next_if(|s| s.first == k) else {
            step(&mut tracker, &mut out, k);
            k += 1;
            continue;
        };
        let mut scale = [0.0f64; MAX_DRUGS * PkState::LEN];
        let mut previous: Option<[PkState; MAX_DRUGS]> = None;
        let mut r = 0;
        while r < stretch.repeats {
            let now = tracker.pk;
            for (s, x) in scale.iter_mut().zip(now.iter().flat_map(|p| p.to_array())) {
                *s = s.max(x.abs());
            }
            let settled = previous.is_some_and(|p| {
                let (a, b) = (p.iter().flat_map(|x| x.to_array()), now.iter().flat_map(|x| x.to_array()));
                a.zip(b).zip(&scale).all(|((a, b), s)| (a - b).abs() <= PK_SETTLED * s)
            });
            if settled && stretch.repeats - r >= 2 {
                // Record one period, then replay it for the rest of the stretch.
                let first = stretch.period_start(r);
                let mut record = Vec::with_capacity(stretch.length);
                for k in first..first + stretch.length {
                    let before = (out.len(), tracker.integral);
                    step(&mut tracker, &mut out, k);
                    let peak = (out.len() > before.0).then(|| out[before.0].0);
                    let gained: Vec<f64> = (0..4).map(|h| tracker.integral[h] - before.1[h]).collect();
                    record.push((peak, gained));
                }
                for _ in r + 1..stretch.repeats {
                    for (peak, gained) in &record {
                        if let Some(p) = peak {
                            out.push((*p, tracker.integral()));
                        }
                        for (i, g) in tracker.integral.iter_mut().zip(gained) {
                            *i += g;
                        }
                    }
                }
                break;
            }
            previous = Some(now);
            let first = stretch.period_start(r);
            for k in first..first + stretch.length {
                step(&mut tracker, &mut out, k);
            }
            r += 1;
        }
        k = stretch.end();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaying_steady_periods_matches_following_every_period() {
        let model = crate::bundled::load_model("human_als");
        for name in
            ["baclofen_tizanidine_combination", "baclofen_intrathecal_late", "cyproheptadine_titration"]
        {
            let scenario = crate::bundled::load_scenario(name, &model);
            let settings = super::super::Settings::for_model(&model, super::super::Fidelity::Fast);
            let plan = Plan::new(&model, &scenario, &settings);
            let fast = at_outputs_with(&scenario.drugs, &plan, true);
            let slow = at_outputs_with(&scenario.drugs, &plan, false);
            assert_eq!(fast.len(), slow.len());
            for (i, (a, b)) in fast.iter().zip(&slow).enumerate() {
                for (x, y) in each(&a.0).iter().zip(each(&b.0)).chain(each(&a.1).iter().zip(each(&b.1))) {
                    assert!((x - y).abs() <= 1e-7 * y.abs().max(1e-3), "{name}, output {i}: {x} vs {y}");
                }
            }
        }
    }
}
