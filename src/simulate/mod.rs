//! Running a model under a scenario: breakpoints (output times, doses, onsets), the chosen
//! fidelity path between them, readouts at output times.

pub mod benefit;
pub mod exposure;
mod gauss_kronrod;
pub mod harms;
pub mod paths;
pub mod plan;
pub mod quadrature_path;
mod rosenbrock;
pub mod slow;
pub use paths::{fast_acting_drugs, FastStates};
pub mod solver;
pub mod summary;
pub mod trajectory;

use crate::error::Result;
use crate::model::Model;
use crate::pharmacology::effects;
use crate::pharmacology::scenario::MAX_DRUGS;
use crate::pharmacology::Scenario;
use paths::{Fast, Full, Path};
pub use solver::Tolerances;
pub use summary::Summary;
pub use trajectory::{Sample, Trajectory};

/// Which path integrates the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fidelity {
    /// Every state integrated, piecewise between doses.
    Full,
    /// Closed-form PK, quasi-steady 5-HT and PIC; slow states integrated.
    Fast,
}

impl Fidelity {
    /// The name as written in files and flags.
    pub fn name(self) -> &'static str {
        match self {
            Fidelity::Full => "full",
            Fidelity::Fast => "fast",
        }
    }
}

impl std::str::FromStr for Fidelity {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "full" => Ok(Fidelity::Full),
            "fast" => Ok(Fidelity::Fast),
            _ => Err(format!("unknown fidelity `{s}` (allowed: fast, full)")),
        }
    }
}

/// How to run.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Settings {
    /// Simulated time, days.
    pub duration: f64,
    /// Spacing of output rows, days.
    pub output_step: f64,
    pub fidelity: Fidelity,
    pub tolerances: Tolerances,
    /// Follow side effects and drug exposure every 15 min (summary peaks, exposure,
    /// benefit–risk). Sweeps that record none of them turn it off to save time; the samples' own
    /// harm readouts remain.
    pub track_harms: bool,
    /// With `track_harms`, also follow drug exposure (Cmax, trough, AUC, time above levels).
    /// Sweeps that record no exposure metric turn it off (a quarter of a harm-tracking run).
    pub track_exposure: bool,
    /// Extra output rows at a fine step inside a window (dose peaks the regular grid hides).
    pub window: Option<Window>,
}

/// A window of fine output rows: `start` to `end` every `step`, days.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Window {
    pub start: f64,
    pub end: f64,
    pub step: f64,
}

impl Settings {
    /// The model's default duration and output step.
    pub fn for_model(model: &Model, fidelity: Fidelity) -> Settings {
        Settings {
            duration: model.default_duration,
            output_step: model.default_output_step,
            fidelity,
            tolerances: Tolerances::default(),
            track_harms: true,
            track_exposure: true,
            window: None,
        }
    }
}

/// Times closer than this (days, ≈ 0.1 ms) are the same breakpoint.
const SAME_TIME: f64 = 1e-9;

/// Output times: 0, step, 2·step, … and the end.
fn output_times(duration: f64, step: f64) -> Vec<f64> {
    let n = (duration / step + SAME_TIME).floor() as usize;
    let mut times: Vec<f64> = (0..=n).map(|i| i as f64 * step).collect();
    if duration - times[n] > SAME_TIME {
        times.push(duration);
    }
    times
}

/// Output times of `settings`: the regular grid, merged with the fine window's rows.
fn settings_output_times(settings: &Settings) -> Vec<f64> {
    let mut times = output_times(settings.duration, settings.output_step);
    if let Some(w) = settings.window {
        let n = ((w.end - w.start) / w.step + SAME_TIME).floor() as usize;
        times.extend((0..=n).map(|i| w.start + i as f64 * w.step).filter(|t| *t <= settings.duration));
        times.sort_by(f64::total_cmp);
        times.dedup_by(|a, b| (*a - *b).abs() < SAME_TIME);
    }
    times
}

pub use crate::limits::{MAX_DURATION, MAX_ROWS};

impl Settings {
    /// Check duration, output step and tolerances.
    pub fn check(&self) -> Result<()> {
        let bad = |problem: String| Err(crate::Error::Settings(problem));
        if !(self.duration > 0.0 && self.duration <= MAX_DURATION) {
            return bad(format!("duration {} days: allowed (0, {MAX_DURATION}] days", self.duration));
        }
        if !(self.output_step > 0.0 && self.duration / self.output_step <= MAX_ROWS) {
            return bad(format!(
                "output step {} days: must be > 0 and give at most {MAX_ROWS} rows ({} days / step)",
                self.output_step, self.duration
            ));
        }
        if let Some(w) = self.window {
            let ok = w.start >= 0.0 && w.end > w.start && w.end <= self.duration && w.step > 0.0;
            let rows = self.duration / self.output_step + (w.end - w.start) / w.step;
            if !(ok && rows <= MAX_ROWS) {
                return bad(format!(
                    "window {}..{} every {} days: allowed start >= 0, start < end <= the duration ({} days), step > 0, and at most {MAX_ROWS} rows with the output grid",
                    w.start, w.end, w.step, self.duration
                ));
            }
        }
        let t = self.tolerances;
        if !(t.relative > 0.0 && t.relative < 1.0 && t.absolute > 0.0) {
            return bad(format!("tolerances {t:?}: relative in (0, 1), absolute > 0"));
        }
        Ok(())
    }
}

/// Simulate `model` under `scenario`.
pub fn simulate(model: &Model, scenario: &Scenario, settings: &Settings) -> Result<Trajectory> {
    simulate_following(model, scenario, settings, &[])
}

/// Simulate, also following the time spent above each of `levels` (at most
/// [`exposure::MAX_LEVELS`]; with `track_harms` and `track_exposure`), in the trajectory's
/// `exposure[i].time_above`.
pub fn simulate_following(
    model: &Model,
    scenario: &Scenario,
    settings: &Settings,
    levels: &[exposure::Level],
) -> Result<Trajectory> {
    assert!(levels.len() <= exposure::MAX_LEVELS, "at most {} levels", exposure::MAX_LEVELS);
    settings.check()?;
    let doses = scenario.dose_count(settings.duration);
    if doses > crate::limits::MAX_DOSES {
        return Err(crate::Error::Settings(format!(
            "scenario `{}` gives {doses:.0} doses in {} days: at most {} per run",
            scenario.name,
            settings.duration,
            crate::limits::MAX_DOSES
        )));
    }
    let plan = plan::Plan::new(model, scenario, settings);
    let drugs = &scenario.drugs;
    let tol = settings.tolerances;
    let mut samples = match settings.fidelity {
        Fidelity::Full => run_segments(model, scenario, &plan, Full::new(model, drugs, tol))?,
        Fidelity::Fast if quadrature_path::applies(model, drugs) => {
            quadrature_path::run(model, scenario, settings, &plan)?
        }
        Fidelity::Fast => run_segments(model, scenario, &plan, Fast::new(model, drugs, tol))?,
    };
    let mut exposure = Vec::new();
    if settings.track_harms {
        let followed = harms::at_outputs(drugs, &plan, settings.track_exposure.then_some(levels));
        for (s, (peak, integral)) in samples.iter_mut().zip(followed.harms) {
            s.harm_peak = peak;
            s.harm_integral = integral;
        }
        exposure = followed.exposure;
    }
    // Samples start with no liver risk; only a drug with a liver model adds one.
    if drugs.iter().any(|d| d.liver.is_some()) {
        let days: Vec<f64> = samples.iter().map(|s| s.day).collect();
        for (s, risk) in samples.iter_mut().zip(crate::pharmacology::liver::risk_at(scenario, &days)) {
            s.liver_risk = risk;
        }
    }
    Ok(Trajectory { drug_names: drugs.iter().map(|d| d.name.clone()).collect(), samples, exposure })
}

/// Step a fidelity path through the plan's segments, recording at output times.
fn run_segments(
    model: &Model,
    scenario: &Scenario,
    plan: &plan::Plan,
    mut path: impl Path,
) -> Result<Vec<Sample>> {
    let mut samples = Vec::with_capacity(plan.output_count());
    let mut outputs = Vec::new();
    let mut k = 0;
    while k < plan.segments.len() {
        let seg = &plan.segments[k];
        if seg.output {
            samples.push(record_snapshot(model, scenario, seg.start, &path.snapshot()));
        }
        for event in plan.doses_of(k) {
            path.dose(event);
        }
        // The segments after k that only mark output times are integrated with it.
        let last = plan.smooth_until(k);
        outputs.clear();
        outputs.extend(plan.segments[k + 1..=last].iter().filter(|s| s.output).map(|s| s.start));
        let span = (seg.start, plan.segments[last].end);
        path.advance_recording(span, plan.rates(k), &outputs, &mut |day, snap| {
            samples.push(record_snapshot(model, scenario, day, snap))
        })?;
        k = last + 1;
    }
    samples.push(record_snapshot(model, scenario, plan.duration, &path.snapshot()));
    Ok(samples)
}

/// Readouts at `day` from a path's snapshot, taken before any dose given at that instant
/// (trough convention).
pub(crate) fn record_snapshot(
    model: &Model,
    scenario: &Scenario,
    day: f64,
    snap: &paths::Snapshot,
) -> Sample {
    record_with_effects(model, scenario, day, snap, effects::combined(&scenario.drugs, &snap.pk), None)
}

/// As [`record_snapshot`], with the drug effects of `snap.pk` already known, and perhaps the
/// receptor activity at `snap.serotonin` (the quasi-steady PIC's).
pub(crate) fn record_with_effects(
    model: &Model,
    scenario: &Scenario,
    day: f64,
    snap: &paths::Snapshot,
    mut effects: crate::model::DrugEffects,
    activity: Option<f64>,
) -> Sample {
    let training = scenario.training_at(model, day);
    effects.tone = model.exercise_tone(training);
    let activity = activity.unwrap_or_else(|| model.receptor_activity(snap.serotonin, &snap.core, &effects));
    let readouts = model.readouts_at_activity(&snap.core, snap.pic, activity, &effects);
    let (mut plasma, mut csf) = ([0.0; MAX_DRUGS], [0.0; MAX_DRUGS]);
    for (i, d) in scenario.drugs.iter().enumerate() {
        plasma[i] = d.pk.plasma(snap.pk[i]);
        csf[i] = d.pk.csf(snap.pk[i]);
    }
    let mut sample = Sample::new(day, snap, readouts, plasma, csf);
    sample.exercise_training = training;
    sample
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_grid_includes_end_without_drift() {
        let t = output_times(10.0, 3.0);
        assert_eq!(t, vec![0.0, 3.0, 6.0, 9.0, 10.0]);
        let t = output_times(1826.0, 0.1);
        assert_eq!(t.len(), 18261);
        assert!((t[18260] - 1826.0).abs() < 1e-9);
    }
}
