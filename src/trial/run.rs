//! One replicate of a trial: screen virtual patients in index order, randomise those included
//! in seeded permuted blocks (block size = the number of arms, so every arm gets exactly N),
//! simulate each on its arm and read its endpoints with rater error and a placebo response.
//! Deaths and drop-outs before a visit leave that reading missing (complete-case analysis);
//! survival counts deaths as events and censors drop-outs and the end of follow-up.

use super::{Endpoint, EndpointKind, Trial};
use crate::population::Rng;
use crate::simulate::{self, Fidelity, Settings, Summary, Trajectory};
use rayon::prelude::*;

/// What one enrolled patient gave for one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Outcome {
    /// A change (points), a 0/1 response, or a peak.
    Value(f64),
    /// No reading: the patient died or dropped out before the visit.
    Died,
    DroppedOut,
    /// A relative change of a baseline reading of 0: undefined, left out.
    ZeroBaseline,
    /// Time from enrolment (days) to death (`event`) or censoring.
    Time {
        days: f64,
        event: bool,
    },
}

/// An enrolled patient.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Enrolled {
    /// Index of the virtual patient in the replicate's screening order.
    pub candidate: usize,
    pub arm: usize,
    /// Enrolment (and first dose) day, days from the start of neurodegeneration.
    pub enrolment: f64,
    /// Observed baseline of each endpoint's measure (NaN for survival).
    pub baseline: Vec<f64>,
    pub outcomes: Vec<Outcome>,
}

/// Most candidates screened per enrolled patient before the trial is refused as unrecruitable.
const SCREENS_PER_PATIENT: usize = 50;

/// Streams of the per-patient random numbers (the population uses stream 0 of its own seed).
const READING_STREAM: u64 = 0x7EAD_1260;
const BLOCK_STREAM: u64 = 0xB10C_5EED;

/// The population seed of replicate `r`.
fn replicate_seed(trial: &Trial, r: u64) -> u64 {
    Rng::new(trial.seed, r).next_u64()
}

/// A candidate after screening: its model, untreated course and screening day (None: not
/// eligible).
struct Screened {
    patient: crate::population::Patient,
    model: crate::model::Model,
    untreated: (Trajectory, Summary),
    screening: Option<f64>,
}

/// Run replicate `r` with `per_arm` patients per arm.
pub fn replicate(trial: &Trial, per_arm: usize, r: u64) -> Result<Vec<Enrolled>, String> {
    let seed = replicate_seed(trial, r);
    let population = trial.model.population.as_ref().expect("checked at load");
    let arms = trial.arms.len();
    let wanted = per_arm * arms;
    let mut settings = Settings::for_model(&trial.model, Fidelity::Fast);
    settings.duration = trial.model.default_duration + trial.screen_after_onset + trial.follow_up() + 1.0;
    let screen = |i: usize| -> Result<Screened, String> {
        let patient = population.draw(&trial.model, seed, i as u64);
        let changes: Vec<(&str, f64)> = patient.parameters.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        let model = trial.model.with_parameters(&changes).ok_or("unknown parameter")?;
        let traj = simulate::simulate(&model, &crate::pharmacology::Scenario::untreated(), &settings)
            .map_err(|e| e.to_string())?;
        let summary = Summary::of(&model, &traj);
        let screening = summary.motor_onset_day.map(|o| o + trial.screen_after_onset).filter(|&day| {
            let alive = summary.death_day.is_none_or(|d| d > day);
            let mut rng = Rng::new(seed ^ READING_STREAM, i as u64);
            alive && eligible(trial, &traj, day, &mut rng)
        });
        Ok(Screened { patient, model, untreated: (traj, summary), screening })
    };
    // Screen in parallel batches, in index order, until enough are eligible.
    let batch = (4 * wanted).max(64);
    let mut eligible_found: Vec<(usize, Screened)> = Vec::new();
    let mut next = 0;
    while eligible_found.len() < wanted {
        if next >= SCREENS_PER_PATIENT * wanted {
            return Err(format!(
                "only {} of {next} screened virtual patients meet the inclusion criteria: fewer than the {wanted} needed (relax the criteria or the screening time)",
                eligible_found.len()
            ));
        }
        let screened: Vec<Result<Screened, String>> =
            (next..next + batch).into_par_iter().map(screen).collect();
        for (k, s) in screened.into_iter().enumerate() {
            let s = s?;
            if s.screening.is_some() && eligible_found.len() < wanted {
                eligible_found.push((next + k, s));
            }
        }
        next += batch;
    }
    // Permuted blocks: block b assigns its `arms` patients a seeded permutation of the arms.
    let allocation: Vec<usize> = (0..per_arm)
        .flat_map(|b| {
            let mut order: Vec<usize> = (0..arms).collect();
            let mut rng = Rng::new(seed ^ BLOCK_STREAM, b as u64);
            for i in (1..arms).rev() {
                order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
            }
            order
        })
        .collect();
    eligible_found
        .into_par_iter()
        .zip(allocation)
        .map(|((candidate, s), arm)| enrolled(trial, seed, candidate, s, arm))
        .collect()
}

/// Whether a patient alive at `day` meets the inclusion criteria as read (with rater error).
fn eligible(trial: &Trial, traj: &Trajectory, day: f64, rng: &mut Rng) -> bool {
    let read = |measure: &str, rng: &mut Rng| observe(trial, measure, value(traj, measure, day), rng);
    let penn = trial.inclusion.min_penn.is_none_or(|m| read("penn_spasm_score", rng) >= m);
    let ashworth = trial.inclusion.min_ashworth.is_none_or(|m| read("ashworth", rng) >= m);
    let pain = trial.inclusion.min_pain.is_none_or(|m| read("pain", rng) >= m);
    penn && ashworth && pain
}

/// The column `measure` of `traj` at `day`, linear between output rows.
fn value(traj: &Trajectory, measure: &str, day: f64) -> f64 {
    let k = traj.columns().iter().position(|c| c.name == measure).expect("a checked column");
    simulate::summary::value_at(&traj.samples, |s| traj.row(s)[k], day)
}

/// A reading of `truth` on the measure's scale: rater error added, kept inside the scale
/// (integer scales rounded).
fn observe(trial: &Trial, measure: &str, truth: f64, rng: &mut Rng) -> f64 {
    let sd = trial.readings.get(measure).map_or(0.0, |r| r.rater_sd);
    let x = truth + sd * rng.normal();
    match super::scale_bounds(measure) {
        Some((lo, hi, integer)) => {
            let x = x.clamp(lo, hi);
            if integer {
                x.round()
            } else {
                x
            }
        }
        None => x,
    }
}

/// Simulate an enrolled patient on its arm and read every endpoint.
fn enrolled(trial: &Trial, seed: u64, candidate: usize, s: Screened, arm: usize) -> Result<Enrolled, String> {
    let enrolment = s.screening.expect("eligible");
    let (traj, summary) = match &trial.arms[arm].scenario {
        None => s.untreated,
        Some(_) => {
            let mut scenario =
                trial.arm_scenario(&trial.arms[arm], &s.model, enrolment).map_err(|e| e.to_string())?;
            let population = trial.model.population.as_ref().expect("checked at load");
            s.patient.scale_drugs(population, &mut scenario);
            let mut settings = Settings::for_model(&s.model, Fidelity::Fast);
            settings.duration = enrolment + trial.follow_up() + 1.0;
            let traj = simulate::simulate(&s.model, &scenario, &settings).map_err(|e| e.to_string())?;
            let summary = Summary::of(&s.model, &traj);
            (traj, summary)
        }
    };
    // The rater-error stream continues after screening's draws with a stream of its own.
    let mut rng = Rng::new(seed ^ READING_STREAM ^ 0xF011_0000, candidate as u64);
    let dropout = if trial.dropout_per_month > 0.0 {
        -rng.uniform().ln() / (trial.dropout_per_month / crate::units::DAYS_PER_MONTH)
    } else {
        f64::INFINITY
    };
    let death = summary.death_day.map_or(f64::INFINITY, |d| d - enrolment);
    let mut visits = Visits { trial, traj: &traj, rng, readings: Vec::new(), placebo: Vec::new() };
    let mut baseline = Vec::new();
    let mut outcomes = Vec::new();
    for e in &trial.endpoints {
        let (b, o) = read_endpoint(e, &mut visits, enrolment, death, dropout);
        baseline.push(b);
        outcomes.push(o);
    }
    Ok(Enrolled { candidate, arm, enrolment, baseline, outcomes })
}

/// A patient's readings: each scale is read once per visit (endpoints on the same scale and
/// visit share the reading), with one placebo response per scale.
struct Visits<'a> {
    trial: &'a Trial,
    traj: &'a Trajectory,
    rng: Rng,
    readings: Vec<((String, u64), f64)>,
    placebo: Vec<(String, f64)>,
}

impl Visits<'_> {
    /// The reading of `measure` on `day`, `follow_up` adding the placebo response.
    fn read(&mut self, measure: &str, day: f64, follow_up: bool) -> f64 {
        let key = (measure.to_string(), day.to_bits());
        if let Some((_, v)) = self.readings.iter().find(|(k, _)| *k == key) {
            return *v;
        }
        let placebo = if follow_up { self.placebo_of(measure) } else { 0.0 };
        let v = observe(self.trial, measure, value(self.traj, measure, day) + placebo, &mut self.rng);
        self.readings.push((key, v));
        v
    }

    fn placebo_of(&mut self, measure: &str) -> f64 {
        if let Some((_, p)) = self.placebo.iter().find(|(m, _)| m == measure) {
            return *p;
        }
        let r = self.trial.readings.get(measure).copied().unwrap_or_default();
        let p = r.placebo_mean + r.placebo_sd * self.rng.normal();
        self.placebo.push((measure.to_string(), p));
        p
    }
}

/// Baseline reading and outcome of one endpoint.
fn read_endpoint(
    e: &Endpoint,
    visits: &mut Visits,
    enrolment: f64,
    death: f64,
    dropout: f64,
) -> (f64, Outcome) {
    let Some((_, measure)) = &e.measure else {
        let end = e.at.min(dropout);
        return (f64::NAN, Outcome::Time { days: death.min(end), event: death <= end });
    };
    if death <= e.at.min(dropout) && e.kind != EndpointKind::Peak {
        return (f64::NAN, Outcome::Died);
    }
    if dropout < e.at {
        return (f64::NAN, Outcome::DroppedOut);
    }
    match e.kind {
        EndpointKind::Peak => {
            let until = enrolment + e.at.min(death);
            let peak = peak(visits.traj, measure, enrolment, until);
            (f64::NAN, Outcome::Value(f64::from(u8::from(peak >= e.threshold))))
        }
        _ => {
            let base = visits.read(measure, enrolment, false);
            let visit = visits.read(measure, enrolment + e.at, true);
            let change = visit - base;
            if e.relative && base == 0.0 {
                return (base, Outcome::ZeroBaseline);
            }
            let outcome = match (e.kind, e.relative) {
                (EndpointKind::Change, false) => change,
                (EndpointKind::Change, true) => change / base,
                (_, relative) => {
                    let fall = if relative { -change / base } else { -change };
                    f64::from(u8::from(fall >= e.threshold))
                }
            };
            (base, Outcome::Value(outcome))
        }
    }
}

/// The highest value of `measure` from `from` to `until`: side effects on their 15-min grid
/// (each row's peak since the previous one), other columns on the output rows.
fn peak(traj: &Trajectory, measure: &str, from: f64, until: f64) -> f64 {
    let harm: Option<fn(&crate::model::Harms) -> f64> = match measure {
        "sedation" => Some(|h| h.sedation),
        "bp_fall" => Some(|h| h.hypotension),
        "respiratory_depression" => Some(|h| h.respiratory_depression),
        "drug_weakness" => Some(|h| h.weakness),
        _ => None,
    };
    let k = traj.columns().iter().position(|c| c.name == measure).expect("a checked column");
    // Rows after `from` up to the first row at or after `until` (its peak covers the last stretch).
    let mut best = f64::NEG_INFINITY;
    for s in traj.samples.iter().filter(|s| s.day > from) {
        let v = match harm {
            Some(get) => get(&s.harm_peak).max(get(&s.readouts.harms)),
            None => traj.row(s)[k],
        };
        best = best.max(v);
        if s.day >= until {
            break;
        }
    }
    best
}
