//! The fast path when no drug feeds back into the slow states (no drug on 5-HT release or
//! clearance, no 5-HT2 ligand fast enough to need the PIC integrated): the slow states are then
//! the drug-free course ([`SlowCourse`], solved once with long steps), and the only
//! drug-dependent state, ∫ spasm dt, is a quadrature of a known function of time.
//!
//! * Segments with irregular doses: Gauss–Kronrod on each segment, PK in closed form.
//! * Regular dosing ([`Stretch`]): once the PK has reached its periodic steady state, every
//!   period has the same drug profile, and the integral over period r is a smooth function
//!   I(r) of the period's position in the disease course. It is computed exactly on an adaptive
//!   set of periods and interpolated (quartic) in between; each panel of four spacings is
//!   accepted when its fourth difference says the interpolation error is below 1e-6 of I.
//!
//! Every output time still gets its exact PK and interpolated slow states. Agreement with the
//! full path: `tests/fidelity.rs`; equations: docs/model.md §7.

use super::gauss_kronrod::{self as gk, POINTS};
use super::paths::{propagate_all, DrugPoint, Snapshot};
use super::plan::{Plan, Stretch};
use super::slow::SlowCourse;
use super::{Sample, Settings};
use crate::error::Result;
use crate::model::Model;
use crate::pharmacology::effects::BoundDrug;
use crate::pharmacology::scenario::MAX_DRUGS;
use crate::pharmacology::{PkState, Rates, Scenario};

/// Regular stretches shorter than this many periods are integrated segment by segment.
const MIN_REPEATS: usize = 12;
/// Periods needed after the PK transient to summarise the rest.
const MIN_STEADY: usize = 8;
/// Largest spacing of exactly computed periods.
const MAX_SPACING: usize = 64;
/// Accepted interpolation error per period: relative to the period integral, and absolute per
/// day of period (spasm intensity is at most 1). The fourth difference overstates the quartic's
/// error by orders of magnitude: with these values the cumulative 5-year tid-baclofen spasm AUC
/// stays within 2e-7 of integrating every period in full (test below).
const PANEL_RELATIVE: f64 = 1e-4;
const PANEL_ABSOLUTE: f64 = 1e-7;
/// Quadrature tolerance of a segment: absolute per day of segment (spasm intensity is at most
/// 1, so 1e-8 over 5 years adds up to less than 2e-5 intensity·day), or relative.
const SEGMENT_ABSOLUTE: f64 = 1e-8;
const SEGMENT_RELATIVE: f64 = 1e-3;
/// The PK is at its periodic steady state when one period changes no amount by more than this
/// fraction of that amount's largest value so far. The remaining deviation shrinks every
/// period, so the summarised periods err by about this fraction times the drug's elasticity.
const PK_SETTLED: f64 = 1e-8;

/// Whether the quadrature path applies: the slow states must not depend on the drugs.
pub fn applies(model: &Model, drugs: &[BoundDrug]) -> bool {
    let states = super::FastStates::for_drugs(model, drugs);
    !states.serotonin && !states.pic
}

/// Simulate; one sample per output time (harm and liver columns are filled by the caller).
pub fn run(model: &Model, scenario: &Scenario, settings: &Settings, plan: &Plan) -> Result<Vec<Sample>> {
    run_with(model, scenario, settings, plan, false)
}

/// [`run`], or with `reference` its reference: every period integrated exactly, every
/// quadrature point evaluated in full (for tests of the summaries).
fn run_with(
    model: &Model,
    scenario: &Scenario,
    settings: &Settings,
    plan: &Plan,
    reference: bool,
) -> Result<Vec<Sample>> {
    let slow = SlowCourse::solve(model, settings.duration, settings.tolerances)?;
    let lag = super::FastStates::for_drugs(model, &scenario.drugs).pic_lag;
    let mut run = Run {
        model,
        scenario,
        plan,
        slow: &slow,
        lag,
        max_spacing: if reference { 1 } else { MAX_SPACING },
        slow_factors: !lag && !reference,
        pk: [PkState::default(); MAX_DRUGS],
        scale: [[0.0; PkState::LEN]; MAX_DRUGS],
        rates_before: [Rates::default(); MAX_DRUGS],
        auc: 0.0,
        samples: Vec::with_capacity(plan.output_count()),
    };
    let stretches = plan.stretches(MIN_REPEATS);
    let mut stretches = stretches.iter().peekable();
    let mut k = 0;
    while k < plan.segments.len() {
        match stretches.next_if(|s| s.first == k) {
            Some(stretch) => {
                run.stretch(stretch);
                k = stretch.end();
            }
            None => {
                run.segment(k);
                k += 1;
            }
        }
    }
    run.record(plan.duration, &run.point_before());
    Ok(run.samples)
}

struct Run<'a> {
    model: &'a Model,
    scenario: &'a Scenario,
    plan: &'a Plan,
    slow: &'a SlowCourse,
    /// The PIC needs its lag term (a 5-HT2 ligand is present).
    lag: bool,
    /// Largest spacing of exactly integrated periods in a regular stretch.
    max_spacing: usize,
    /// Exact periods take the drug-free excitability quadratic across each segment (valid when
    /// no drug acts on 5-HT or its receptors, i.e. without the PIC lag term).
    slow_factors: bool,
    /// PK at the current time, before any dose due then.
    pk: [PkState; MAX_DRUGS],
    /// Largest |amount| seen per drug and compartment (scale of the settling test).
    scale: [[f64; PkState::LEN]; MAX_DRUGS],
    /// Rates of the segment that ended at the current time (left limit, for samples).
    rates_before: [Rates; MAX_DRUGS],
    /// ∫ spasm dt up to the current time.
    auc: f64,
    samples: Vec<Sample>,
}

impl Run<'_> {
    fn drugs(&self) -> &[BoundDrug] {
        &self.scenario.drugs
    }

    fn point(&self, pk: &[PkState; MAX_DRUGS], rates: &[Rates; MAX_DRUGS]) -> DrugPoint {
        DrugPoint::at(self.model, self.drugs(), pk, rates, self.lag)
    }

    fn point_before(&self) -> DrugPoint {
        self.point(&self.pk, &self.rates_before)
    }

    /// Spasm intensity at day `t` with the drugs at `point`.
    fn spasm(&self, t: f64, point: &DrugPoint) -> f64 {
        let core = self.slow.at(t);
        let serotonin = self.model.serotonin_quasi_steady(core.raphe, t, &point.effects);
        let pic = point.pic(self.model, serotonin, &core);
        self.model.spasm(&core, pic, &point.effects)
    }

    /// Record an output at day `t` with the current PK (`point` belongs to it).
    fn record(&mut self, t: f64, point: &DrugPoint) {
        let pk = self.pk;
        self.samples.push(self.sample(t, &pk, point));
    }

    fn sample(&self, t: f64, pk: &[PkState; MAX_DRUGS], point: &DrugPoint) -> Sample {
        let mut core = self.slow.at(t);
        core.spasm_auc = self.auc;
        let serotonin = self.model.serotonin_quasi_steady(core.raphe, t, &point.effects);
        let (pic, activity) = point.pic_and_activity(self.model, serotonin, &core);
        let snapshot = Snapshot { core, serotonin, pic, pk: *pk };
        super::record_with_effects(self.model, self.scenario, t, &snapshot, point.effects, Some(activity))
    }

    fn give_doses(&mut self, k: usize) {
        for event in self.plan.doses_of(k) {
            let drug = &self.scenario.drugs[event.drug];
            self.pk[event.drug] = drug.pk.dosed(self.pk[event.drug], event.amount, event.route);
        }
        self.update_scale();
    }

    /// Track the largest amounts seen (after doses, and at period starts for infusions).
    fn update_scale(&mut self) {
        for (scale, state) in self.scale.iter_mut().zip(&self.pk) {
            for (s, x) in scale.iter_mut().zip(state.to_array()) {
                *s = s.max(x.abs());
            }
        }
    }

    /// ∫ spasm dt over segment `k` from PK state `pk` (after its doses), adaptive.
    fn segment_integral(&self, k: usize, pk: &[PkState; MAX_DRUGS], known: Option<&[f64; POINTS]>) -> f64 {
        let seg = &self.plan.segments[k];
        let mut f = |t: f64| {
            let rates = self.plan.rates(k);
            let at = propagate_all(self.drugs(), pk, t - seg.start, rates);
            self.spasm(t, &self.point(&at, rates))
        };
        let tolerance = SEGMENT_ABSOLUTE * seg.length();
        match known {
            Some(values) => {
                gk::integrate_with(&mut f, seg.start, seg.end, tolerance, SEGMENT_RELATIVE, values)
            }
            None => gk::integrate(&mut f, seg.start, seg.end, tolerance, SEGMENT_RELATIVE),
        }
    }

    /// Segment `k` on its own: output, doses, integral, PK to its end.
    fn segment(&mut self, k: usize) {
        let seg = &self.plan.segments[k];
        if seg.output {
            let point = self.point_before();
            self.record(seg.start, &point);
        }
        self.give_doses(k);
        self.auc += self.segment_integral(k, &self.pk, None);
        self.pk = propagate_all(self.drugs(), &self.pk, seg.length(), self.plan.rates(k));
        self.rates_before = *self.plan.rates(k);
    }

    /// A regular stretch: periods one by one until the PK settles, then the summary.
    fn stretch(&mut self, stretch: &Stretch) {
        let mut previous: Option<[PkState; MAX_DRUGS]> = None;
        for r in 0..stretch.repeats {
            self.update_scale();
            let settled = previous.is_some_and(|p| self.settled(&p));
            if settled && stretch.repeats - r >= MIN_STEADY {
                self.steady(stretch, r);
                return;
            }
            previous = Some(self.pk);
            let first = stretch.period_start(r);
            for k in first..first + stretch.length {
                self.segment(k);
            }
        }
    }

    fn settled(&self, previous: &[PkState; MAX_DRUGS]) -> bool {
        self.pk.iter().zip(previous).zip(&self.scale).all(|((now, before), scale)| {
            let (now, before) = (now.to_array(), before.to_array());
            (0..PkState::LEN).all(|c| (now[c] - before[c]).abs() <= PK_SETTLED * scale[c])
        })
    }

    /// Periods `from..` of a stretch whose PK has settled into its periodic steady state.
    fn steady(&mut self, stretch: &Stretch, from: usize) {
        let pattern = Pattern::new(self, stretch, from);
        let mut panels = Panels { run: self, stretch, pattern: &pattern, cache: Vec::new() };
        let emitted = panels.integrals(from, stretch.repeats);
        let emitted = emitted.chunks_exact(stretch.length);
        // Emit period by period: outputs, then the period's segments.
        for (r, values) in (from..stretch.repeats).zip(emitted) {
            for (j, value) in values.iter().enumerate() {
                let seg = &self.plan.segments[stretch.period_start(r) + j];
                if seg.output {
                    let sample = self.sample(seg.start, &pattern.before[j], &pattern.output_points[j]);
                    self.samples.push(sample);
                }
                self.auc += value;
            }
        }
        self.pk = pattern.before[0];
        self.rates_before = *self.plan.rates(stretch.end() - 1);
    }
}

/// The periodic steady state of one stretch: PK before each segment's doses, drug effects at
/// each segment's quadrature points and at its start (for outputs).
struct Pattern {
    before: Vec<[PkState; MAX_DRUGS]>,
    after: Vec<[PkState; MAX_DRUGS]>,
    output_points: Vec<DrugPoint>,
    /// Drug effects at the Gauss–Kronrod points of each segment.
    points: Vec<[DrugPoint; POINTS]>,
    /// Offsets of those points from the segment start, days.
    offsets: Vec<[f64; POINTS]>,
}

impl Pattern {
    fn new(run: &mut Run, stretch: &Stretch, from: usize) -> Pattern {
        let m = stretch.length;
        let mut p = Pattern {
            before: Vec::with_capacity(m),
            after: Vec::with_capacity(m),
            output_points: Vec::with_capacity(m),
            points: Vec::with_capacity(m),
            offsets: Vec::with_capacity(m),
        };
        let mut rates_before = *run.plan.rates(stretch.period_start(from) + m - 1);
        let start_pk = run.pk;
        for j in 0..m {
            let k = stretch.period_start(from) + j;
            let seg = &run.plan.segments[k];
            let rates = run.plan.rates(k);
            p.before.push(run.pk);
            p.output_points.push(run.point(&run.pk, &rates_before));
            run.give_doses(k);
            p.after.push(run.pk);
            let offsets = gk::points(0.0, seg.length());
            p.points.push(offsets.map(|dt| {
                let at = propagate_all(run.drugs(), &run.pk, dt, rates);
                run.point(&at, rates)
            }));
            p.offsets.push(offsets);
            run.pk = propagate_all(run.drugs(), &run.pk, seg.length(), rates);
            rates_before = *rates;
        }
        run.pk = start_pk;
        p
    }
}

/// Adaptive sampling of the period integrals I_j(r) of a stretch.
struct Panels<'a, 'b> {
    run: &'a Run<'b>,
    stretch: &'a Stretch,
    pattern: &'a Pattern,
    /// Periods computed exactly and not yet passed.
    cache: Vec<(usize, Vec<f64>)>,
}

impl Panels<'_, '_> {
    /// Exact integrals over each segment of period `r`.
    fn exact(&mut self, r: usize) -> Vec<f64> {
        if let Some((_, v)) = self.cache.iter().find(|(p, _)| *p == r) {
            return v.clone();
        }
        let (run, pattern) = (self.run, self.pattern);
        let values: Vec<f64> = (0..self.stretch.length)
            .map(|j| {
                let k = self.stretch.period_start(r) + j;
                let start = run.plan.segments[k].start;
                let length = run.plan.segments[k].length();
                let mut values = [0.0; POINTS];
                if run.slow_factors {
                    // No drug acts on 5-HT or its receptors: drugs only multiply the drug-free
                    // spasm factor, a slow function of time, taken quadratic across the segment
                    // from three evaluations (error ~ (segment / disease time scale)³).
                    let at = |t: f64| {
                        let core = run.slow.at(t);
                        (run.model.drug_free_spasm_factor(t, &core), core.lmn)
                    };
                    let (a, b, c) = (at(start), at(start + 0.5 * length), at(start + length));
                    let quadratic = |y0: f64, y1: f64, y2: f64, s: f64| {
                        y0 + s * (-3.0 * y0 + 4.0 * y1 - y2) + s * s * (2.0 * y0 - 4.0 * y1 + 2.0 * y2)
                    };
                    for ((v, dt), point) in values.iter_mut().zip(&pattern.offsets[j]).zip(&pattern.points[j])
                    {
                        let s = dt / length;
                        let factor = quadratic(a.0, b.0, c.0, s);
                        let lmn = quadratic(a.1, b.1, c.1, s);
                        *v = run.model.spasm_from(factor, lmn, &point.effects);
                    }
                } else {
                    for ((v, dt), point) in values.iter_mut().zip(&pattern.offsets[j]).zip(&pattern.points[j])
                    {
                        *v = run.spasm(start + dt, point);
                    }
                }
                let (estimate, error) = gk::rule(&values, length);
                if gk::accept(estimate, error, SEGMENT_ABSOLUTE * length, SEGMENT_RELATIVE) {
                    estimate
                } else {
                    run.segment_integral(k, &pattern.after[j], Some(&values))
                }
            })
            .collect();
        self.cache.push((r, values.clone()));
        values
    }

    /// Integrals for every period in `from..to`, exact on an adaptive subset, interpolated
    /// between (quartic through five equally spaced exact periods).
    /// Flat: `length` values per period.
    fn integrals(&mut self, from: usize, to: usize) -> Vec<f64> {
        let period: f64 = (0..self.stretch.length)
            .map(|j| self.run.plan.segments[self.stretch.period_start(from) + j].length())
            .sum();
        let mut out = Vec::with_capacity((to - from) * self.stretch.length);
        let mut a = from;
        let max_spacing = self.run.max_spacing;
        let mut spacing = max_spacing;
        while a < to {
            // The five samples a, a + s, …, a + 4s must be periods of the stretch (< to).
            while spacing > 1 && a + 4 * spacing >= to {
                spacing /= 2;
            }
            if a + 4 * spacing >= to {
                for r in a..to {
                    out.extend(self.exact(r));
                }
                break;
            }
            let samples = loop {
                let s: Vec<Vec<f64>> = (0..5).map(|i| self.exact(a + i * spacing)).collect();
                let scale = s.iter().map(|v| v.iter().map(|x| x.abs()).sum::<f64>()).fold(0.0, f64::max);
                let error: f64 = (0..s[0].len())
                    .map(|j| (s[2][j] - (-s[0][j] + 4.0 * s[1][j] + 4.0 * s[3][j] - s[4][j]) / 6.0).abs())
                    .sum();
                if spacing == 1 || error <= PANEL_RELATIVE * scale + PANEL_ABSOLUTE * period {
                    break s;
                }
                spacing /= 2;
            };
            for u in 0..4 * spacing {
                quartic(&samples, u as f64 / spacing as f64, &mut out);
            }
            a += 4 * spacing;
            self.cache.retain(|(r, _)| *r >= a);
            spacing = (2 * spacing).min(max_spacing);
        }
        out
    }
}

/// Value at s ∈ [0, 4] of the quartic through `samples` at 0, 1, 2, 3, 4, per component,
/// appended to `out`; never below zero (the integrals are of a non-negative intensity, and a
/// quartic can dip below zero where spasms start).
fn quartic(samples: &[Vec<f64>], s: f64, out: &mut Vec<f64>) {
    // Lagrange weights Π_{k≠i}(s − k) / Π_{k≠i}(i − k); the denominators are 24, −6, 4, −6, 24.
    let d = [s, s - 1.0, s - 2.0, s - 3.0, s - 4.0];
    let weights = [
        d[1] * d[2] * d[3] * d[4] / 24.0,
        -d[0] * d[2] * d[3] * d[4] / 6.0,
        d[0] * d[1] * d[3] * d[4] / 4.0,
        -d[0] * d[1] * d[2] * d[4] / 6.0,
        d[0] * d[1] * d[2] * d[3] / 24.0,
    ];
    out.extend(
        (0..samples[0].len()).map(|j| (0..5).map(|i| weights[i] * samples[i][j]).sum::<f64>().max(0.0)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summarised_periods_match_full_evaluation_of_every_period() {
        let model = crate::bundled::load_model("human_als");
        let mut scenario = crate::bundled::load_scenario("baclofen_oral_tid", &model);
        scenario.dosing[0].start = 0.3;
        let mut settings = Settings::for_model(&model, super::super::Fidelity::Fast);
        settings.duration = 5.0 * 365.25;
        let plan = Plan::new(&model, &scenario, &settings);
        let summarised = run(&model, &scenario, &settings, &plan).unwrap();
        let exact = run_with(&model, &scenario, &settings, &plan, true).unwrap();
        let total = exact.last().unwrap().core.spasm_auc;
        assert!(total > 1.0);
        for (a, b) in summarised.iter().zip(&exact) {
            assert!((a.core.spasm_auc - b.core.spasm_auc).abs() < 1e-6 * total, "day {}", a.day);
        }
    }

    #[test]
    fn quartic_reproduces_quartics_and_hits_its_nodes() {
        let f = |x: f64| 1.0 + 0.5 * x - 0.3 * x * x + 0.07 * x.powi(3) + 0.01 * x.powi(4);
        let samples: Vec<Vec<f64>> = (0..5).map(|i| vec![f(i as f64)]).collect();
        for s in [0.0, 0.25, 1.0, 1.5, 2.75, 3.9, 4.0] {
            let mut out = Vec::new();
            super::quartic(&samples, s, &mut out);
            assert!((out[0] - f(s)).abs() < 1e-13, "at {s}");
        }
    }

    #[test]
    fn interpolated_integrals_never_go_negative() {
        // Spasms starting in the last sampled period: the quartic dips below zero before it.
        let samples: Vec<Vec<f64>> = (0..5).map(|i| vec![if i == 4 { 1.0 } else { 0.0 }]).collect();
        let mut out = Vec::new();
        super::quartic(&samples, 2.5, &mut out);
        assert_eq!(out[0], 0.0);
    }
}
