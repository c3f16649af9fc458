//! Side effects between output times. Harms depend on drug concentrations only, which have a
//! closed form, so they are followed on a fine grid (every 15 min) whatever the output step:
//! each output sample carries the peak since the previous one and the running integral, and
//! summary peaks and window means do not depend on `--output-step`. Drug exposure (Cmax,
//! trough, AUC, time above levels: [`super::exposure`]) is followed on the same grid.

use super::exposure::{Concentrations, Exposure, Level};
use super::plan::Plan;
use crate::model::Harms;
use crate::pharmacology::effects::{self, BoundDrug};
use crate::pharmacology::scenario::MAX_DRUGS;
use crate::pharmacology::{DoseEvent, PkState, Rates};

/// What is followed between output times, by output.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Followed {
    /// (highest side effects since the previous output, ∫ side effect dt from the start).
    pub harms: Vec<(Harms, Harms)>,
    /// Drug exposure from the start (empty when not followed).
    pub exposure: Vec<Exposure>,
}

impl Followed {
    fn push(&mut self, peak: Harms, integral: Harms, exposure: Option<Exposure>) {
        self.harms.push((peak, integral));
        self.exposure.extend(exposure);
    }
}

/// Side effects and, when `exposure` gives the levels to follow (possibly none), drug exposure
/// at each output time of `plan`.
///
/// Regular dosing ([`Plan::stretches`]) is followed period by period until the PK state at the
/// start of a period repeats (periodic steady state); every later period then has the same
/// harms, so one period's record (peaks at its outputs, integral per segment) is replayed.
pub fn at_outputs(drugs: &[BoundDrug], plan: &Plan, exposure: Option<&[Level]>) -> Followed {
    at_outputs_with(drugs, plan, exposure, true)
}

/// Periods before a stretch may be replayed, and the settling test (as the quadrature path).
const MIN_REPEATS: usize = 12;
const PK_SETTLED: f64 = 1e-10;

fn at_outputs_with(drugs: &[BoundDrug], plan: &Plan, exposure: Option<&[Level]>, replay: bool) -> Followed {
    let mut tracker = HarmTracker::new(drugs, exposure);
    let mut out = Followed {
        harms: Vec::with_capacity(plan.output_count()),
        exposure: Vec::with_capacity(if exposure.is_some() { plan.output_count() } else { 0 }),
    };
    let step = |tracker: &mut HarmTracker, out: &mut Followed, k: usize| {
        let seg = &plan.segments[k];
        if seg.output {
            tracker.record(out);
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
                    let before = (out.harms.len(), tracker.integral, tracker.exposure);
                    step(&mut tracker, &mut out, k);
                    // An output is recorded at its segment's start, before the segment's doses.
                    let peak = (out.harms.len() > before.0).then(|| out.harms[before.0].0);
                    let gained: Vec<f64> = (0..4).map(|h| tracker.integral[h] - before.1[h]).collect();
                    record.push((peak, gained, before.2, tracker.exposure));
                }
                for _ in r + 1..stretch.repeats {
                    for (peak, gained, from, to) in &record {
                        if let Some(peak) = peak {
                            let exposure = tracker.follow_exposure.then_some(tracker.exposure);
                            out.push(*peak, tracker.integral(), exposure);
                        }
                        for (i, g) in tracker.integral.iter_mut().zip(gained) {
                            *i += g;
                        }
                        if tracker.follow_exposure {
                            tracker.exposure.replay(from, to);
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
    tracker.record(&mut out);
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

/// Follows drug harms and exposure through a run.
pub struct HarmTracker<'a> {
    drugs: &'a [BoundDrug],
    /// Whether exposure is followed, and the levels whose time above is.
    follow_exposure: bool,
    levels: &'a [Level],
    pk: [PkState; MAX_DRUGS],
    /// Peak since the last [`Self::take_peak`].
    peak: [f64; 4],
    /// ∫ harm dt since the start, day.
    integral: [f64; 4],
    exposure: Exposure,
}

impl<'a> HarmTracker<'a> {
    pub fn new(drugs: &'a [BoundDrug], exposure: Option<&'a [Level]>) -> Self {
        HarmTracker {
            drugs,
            follow_exposure: exposure.is_some(),
            levels: exposure.unwrap_or(&[]),
            pk: [PkState::default(); MAX_DRUGS],
            peak: [0.0; 4],
            integral: [0.0; 4],
            exposure: Exposure::default(),
        }
    }

    fn harms(&self, pk: &[PkState; MAX_DRUGS]) -> [f64; 4] {
        each(&effects::combined(self.drugs, pk).harms)
    }

    /// Plasma and CSF concentration of every drug slot.
    fn concentrations(&self, pk: &[PkState; MAX_DRUGS]) -> Concentrations {
        let mut c = [[0.0; 2]; MAX_DRUGS];
        for ((c, d), s) in c.iter_mut().zip(self.drugs).zip(pk) {
            *c = [d.pk.plasma(*s), d.pk.csf(*s)];
        }
        c
    }

    pub fn dose(&mut self, event: &DoseEvent) {
        let Some(d) = self.drugs.get(event.drug) else { return };
        if self.follow_exposure {
            let before = self.concentrations(&self.pk)[event.drug];
            self.exposure.before_dose(event.drug, before);
        }
        self.pk[event.drug] = d.pk.dosed(self.pk[event.drug], event.amount, event.route);
        let now = self.harms(&self.pk);
        for (p, h) in self.peak.iter_mut().zip(now) {
            *p = p.max(h);
        }
        if self.follow_exposure {
            let after = self.concentrations(&self.pk);
            self.exposure.at(&after);
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
        let mut before_c = self.concentrations(&start);
        let mut previous = start;
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
            let after_c = self.concentrations(&pk);
            let mut areas = [[0.0; 2]; MAX_DRUGS];
            for ((((a, d), r), s1), s0) in areas.iter_mut().zip(self.drugs).zip(rates).zip(&pk).zip(&previous)
            {
                *a = d.pk.areas(*s0, *s1, dt, *r);
            }
            self.exposure.step(&before_c, &after_c, &areas, dt, self.levels);
            before_c = after_c;
            previous = pk;
            if i == n {
                self.pk = pk;
            }
        }
    }

    /// Record an output: the harm peak since the last output (then reset), the harm integral
    /// and, when followed, the exposure.
    fn record(&mut self, out: &mut Followed) {
        let peak = self.take_peak();
        out.push(peak, self.integral(), self.follow_exposure.then_some(self.exposure));
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
    use super::super::exposure::Compartment;
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
            let levels = [
                Level { slot: 0, compartment: Compartment::Plasma, mg_per_l: 0.05 },
                Level { slot: 0, compartment: Compartment::Csf, mg_per_l: 1e-3 },
            ];
            let fast = at_outputs_with(&scenario.drugs, &plan, Some(&levels), true);
            let slow = at_outputs_with(&scenario.drugs, &plan, Some(&levels), false);
            assert_eq!(fast.harms.len(), slow.harms.len());
            assert_eq!(fast.exposure.len(), fast.harms.len());
            for (i, ((a, b), (ea, eb))) in
                fast.harms.iter().zip(&slow.harms).zip(fast.exposure.iter().zip(&slow.exposure)).enumerate()
            {
                let harms =
                    each(&a.0).into_iter().zip(each(&b.0)).chain(each(&a.1).into_iter().zip(each(&b.1)));
                let exposure = |e: &Exposure| {
                    let mut v: Vec<f64> = e.time_above[..2].to_vec();
                    for c in Compartment::ALL {
                        let r = e.of(0, c);
                        v.extend([r.cmax, r.auc, if r.trough.is_nan() { -1.0 } else { r.trough }]);
                    }
                    v
                };
                for (x, y) in harms.chain(exposure(ea).into_iter().zip(exposure(eb))) {
                    assert!((x - y).abs() <= 1e-7 * y.abs().max(1e-3), "{name}, output {i}: {x} vs {y}");
                }
            }
        }
    }
}
