//! The time grid of a run: output times, doses, degeneration onsets and infusion edges cut the
//! run into segments on which every input is constant; and the stretches where the segment
//! pattern repeats (regular dosing), which the quadrature path summarises period by period.

use super::{settings_output_times, Settings, SAME_TIME};
use crate::model::Model;
use crate::pharmacology::scenario::MAX_DRUGS;
use crate::pharmacology::{DoseEvent, Rates, Scenario};
use std::ops::Range;

/// A piece of the run between two breakpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    /// Doses given at `start` (indices into [`Plan::doses`]).
    pub doses: Range<u32>,
    /// `start` is an output time (recorded before the doses).
    pub output: bool,
    /// `start` is a degeneration onset (the slow states' rates jump there).
    pub onset: bool,
    /// Infusion rates during the segment (index into [`Plan::rate_sets`]; they change rarely).
    pub rates: u32,
}

impl Segment {
    pub fn length(&self) -> f64 {
        self.end - self.start
    }
}

/// Breakpoints and segments of one run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub duration: f64,
    pub doses: Vec<DoseEvent>,
    pub segments: Vec<Segment>,
    /// The distinct infusion rate sets, per drug slot.
    pub rate_sets: Vec<[Rates; MAX_DRUGS]>,
}

/// `repeats` copies, back to back, of the `length` segments starting at segment `first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    pub first: usize,
    pub length: usize,
    pub repeats: usize,
}

impl Stretch {
    /// Index of the first segment of period `r`.
    pub fn period_start(&self, r: usize) -> usize {
        self.first + r * self.length
    }

    /// One past the last segment.
    pub fn end(&self) -> usize {
        self.period_start(self.repeats)
    }
}

/// Longest pattern searched for, in segments (a day of hourly doses with outputs fits).
const MAX_PATTERN: usize = 256;

impl Plan {
    pub fn new(model: &Model, scenario: &Scenario, settings: &Settings) -> Plan {
        let duration = settings.duration;
        let outputs = settings_output_times(settings);
        let doses = scenario.doses_until(duration);
        let inside = |t: &f64| *t > 0.0 && *t < duration;
        let onsets: Vec<f64> = model.onsets().into_iter().filter(inside).collect();
        let mut edges: Vec<f64> = scenario.infusion_times().into_iter().filter(inside).collect();
        edges.sort_by(f64::total_cmp);
        let mut cuts: Vec<f64> = onsets.iter().chain(&edges).copied().collect();
        cuts.sort_by(f64::total_cmp);

        // Merge the sorted streams (outputs, doses, onsets and infusion edges) into segments;
        // times closer than SAME_TIME are one breakpoint, at the earliest of them.
        let near = |a: f64, b: f64| (a - b).abs() < SAME_TIME;
        let mut segments = Vec::with_capacity(outputs.len() + doses.len());
        let mut rate_sets = vec![scenario.rates_at(0.0)];
        let (mut next_output, mut next_dose, mut next_cut, mut next_edge) = (0, 0, 0, 0);
        let mut t = 0.0;
        loop {
            let output = next_output < outputs.len() && near(outputs[next_output], t);
            next_output += output as usize;
            let first = next_dose;
            while next_dose < doses.len() && doses[next_dose].time < t + SAME_TIME {
                next_dose += 1;
            }
            while next_cut < cuts.len() && cuts[next_cut] < t + SAME_TIME {
                next_cut += 1;
            }
            // Rates change only at infusion edges.
            let mut changed = false;
            while next_edge < edges.len() && edges[next_edge] < t + SAME_TIME {
                next_edge += 1;
                changed = true;
            }
            if changed {
                rate_sets.push(scenario.rates_at(t));
            }
            // The earliest head of the three streams (written out: an iterator chain over
            // options was half of the planning time).
            let mut end = f64::INFINITY;
            if let Some(&x) = outputs.get(next_output) {
                end = end.min(x);
            }
            if let Some(d) = doses.get(next_dose) {
                end = end.min(d.time);
            }
            if let Some(&x) = cuts.get(next_cut) {
                end = end.min(x);
            }
            if end == f64::INFINITY {
                break;
            }
            segments.push(Segment {
                start: t,
                end,
                doses: first as u32..next_dose as u32,
                output,
                onset: onsets.iter().any(|&o| near(o, t)),
                rates: (rate_sets.len() - 1) as u32,
            });
            t = end;
        }
        Plan { duration, doses, segments, rate_sets }
    }

    /// Infusion rates during segment `k`.
    pub fn rates(&self, k: usize) -> &[Rates; MAX_DRUGS] {
        &self.rate_sets[self.segments[k].rates as usize]
    }

    /// Doses of segment `k`.
    pub fn doses_of(&self, k: usize) -> &[DoseEvent] {
        let r = &self.segments[k].doses;
        &self.doses[r.start as usize..r.end as usize]
    }

    /// The last segment of the stretch from segment `k` on over which nothing changes: the
    /// segments after `k` up to it start with no dose, onset or infusion edge (only, perhaps,
    /// an output time), so one integration can cover them.
    pub fn smooth_until(&self, k: usize) -> usize {
        let rates = self.segments[k].rates;
        let continues = |s: &Segment| s.doses.is_empty() && !s.onset && s.rates == rates;
        k + self.segments[k + 1..].iter().take_while(|s| continues(s)).count()
    }

    /// Segments `a` and `b` have the same length, flags, rates and doses (times aside).
    fn alike(&self, a: usize, b: usize) -> bool {
        let (x, y) = (&self.segments[a], &self.segments[b]);
        let same_dose =
            |d: &DoseEvent, e: &DoseEvent| d.drug == e.drug && d.amount == e.amount && d.route == e.route;
        x.output == y.output
            && !x.onset
            && !y.onset
            && x.doses.len() == y.doses.len()
            && (x.length() - y.length()).abs() < SAME_TIME
            && (x.rates == y.rates || self.rate_sets[x.rates as usize] == self.rate_sets[y.rates as usize])
            && self.doses_of(a).iter().zip(self.doses_of(b)).all(|(d, e)| same_dose(d, e))
    }

    /// Number of output times (segments starting at one, and the end).
    pub fn output_count(&self) -> usize {
        self.segments.iter().filter(|s| s.output).count() + 1
    }

    /// Maximal runs of at least `min_repeats` back-to-back copies of a segment pattern, in time
    /// order and not overlapping. Each pattern is the shortest that repeats where it starts.
    pub fn stretches(&self, min_repeats: usize) -> Vec<Stretch> {
        let n = self.segments.len();
        let repeats_at = |i: usize, m: usize, r: usize| (0..m).all(|j| self.alike(i + j, i + r * m + j));
        let mut found = Vec::new();
        let mut i = 0;
        while i < n {
            let pattern =
                (1..=MAX_PATTERN.min((n - i) / 2)).find(|&m| self.alike(i, i + m) && repeats_at(i, m, 1));
            if let Some(m) = pattern {
                let mut repeats = 2;
                while i + (repeats + 1) * m <= n && repeats_at(i, m, repeats) {
                    repeats += 1;
                }
                if repeats >= min_repeats {
                    found.push(Stretch { first: i, length: m, repeats });
                    i += repeats * m;
                    continue;
                }
            }
            i += 1;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::super::output_times;
    use super::*;
    use crate::pharmacology::Route;

    /// A plan of oral doses (time, amount) and outputs every `step`, without a model.
    fn plan_with(doses: &[(f64, f64)], duration: f64, step: f64) -> Plan {
        let outputs = output_times(duration, step);
        let events: Vec<DoseEvent> = doses
            .iter()
            .map(|&(time, amount)| DoseEvent { time, drug: 0, amount, route: Route::Oral })
            .collect();
        let mut breakpoints: Vec<f64> = outputs.clone();
        breakpoints.extend(events.iter().map(|d| d.time));
        breakpoints.sort_by(f64::total_cmp);
        breakpoints.dedup_by(|a, b| (*a - *b).abs() < SAME_TIME);
        let mut segments = Vec::new();
        let mut next = 0;
        for w in breakpoints.windows(2) {
            let first = next;
            while next < events.len() && (events[next].time - w[0]).abs() < SAME_TIME {
                next += 1;
            }
            segments.push(Segment {
                start: w[0],
                end: w[1],
                doses: first as u32..next as u32,
                output: outputs.iter().any(|&o| (o - w[0]).abs() < SAME_TIME),
                onset: false,
                rates: 0,
            });
        }
        Plan { duration, doses: events, segments, rate_sets: vec![Default::default()] }
    }

    fn tid(from: f64, days: usize, amount: f64) -> Vec<(f64, f64)> {
        (0..3 * days).map(|i| (from + i as f64 / 3.0, amount)).collect()
    }

    #[test]
    fn regular_dosing_is_one_stretch_of_daily_periods() {
        let plan = plan_with(&tid(0.0, 30, 5.0), 30.0, 1.0);
        assert_eq!(plan.stretches(4), vec![Stretch { first: 0, length: 3, repeats: 30 }]);
    }

    #[test]
    fn a_dose_change_starts_a_new_stretch() {
        let mut doses = tid(0.0, 20, 5.0);
        doses.extend(tid(20.0, 20, 10.0));
        let found = plan_with(&doses, 40.0, 1.0).stretches(4);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].first, found[0].repeats), (0, 20));
        assert_eq!((found[1].first, found[1].length, found[1].repeats), (60, 3, 20));
    }

    #[test]
    fn irregular_doses_have_no_stretch_and_outputs_alone_do() {
        let doses: Vec<(f64, f64)> = (0..12).map(|i| (0.37 * (i * i) as f64 / 7.0, 1.0)).collect();
        let plan = plan_with(&doses, 20.0, 1.0);
        let found = plan.stretches(4);
        // Only the dose-free tail (outputs alone, period one day) repeats.
        assert!(found.iter().all(|s| s.length == 1 && plan.segments[s.first].start > 6.0), "{found:?}");
    }
}
