//! Benefit–risk of a scenario against the same patient untreated: spasm and pain relief
//! against the harms, over the treatment window. The weights are documented in
//! `models/weights/benefit_risk.toml` and can be set.
//!
//! score = w_spasm·spasm_relief + w_pain·pain_relief
//!       − (w_sed·sedation + w_bp·bp_fall + w_resp·respiratory_depression + w_weak·weakness)
//!       − w_liver·liver_injury_risk − w_survival·max(0, −survival_change in years)
//! Relief is 1 − treated/untreated of the mean over the window; harms are window means.
//!
//! **The window** runs while the treatment acts: from the first intervention until its effect has
//! gone ([`effect_end`]): the last dose, or the end of the last infusion, plus a washout of
//! [`WASHOUT_HALF_LIVES`] half-lives of the slowest process the drug's CSF level follows
//! ([`washout`]), or the end of an exercise block plus as many training half-lives — whichever is
//! latest. Both ends are widened to output times (the last at or before the first intervention,
//! the first at or after the effect's end), so that the spasm burden and the harm integrals at
//! the ends are exact rather than interpolated; the window then stops at the earlier death of the
//! two patients or at the end of the run. A single dose gets the hours of its action (with daily
//! output, the day of the dose; `--output-step` of minutes gives the hours); a treatment that runs
//! on gets the rest of life.

use super::summary::value_at;
use super::trajectory::{Sample, Trajectory};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::pharmacology::{OneCompartment, Route, Scenario};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Weights of the benefit–risk score (all ≥ 0).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub spasm_relief: f64,
    pub pain_relief: f64,
    pub sedation: f64,
    pub bp_fall: f64,
    pub respiratory_depression: f64,
    pub weakness: f64,
    pub liver_injury_risk: f64,
    /// Per year of life lost.
    pub survival_loss: f64,
}

/// The bundled default weights.
pub const DEFAULT_WEIGHTS: &str = include_str!("../../models/weights/benefit_risk.toml");

impl Weights {
    /// Parse weights from TOML text; `path` names the file in errors.
    pub fn from_toml(path: &Path, text: &str) -> Result<Weights> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            weights: Weights,
        }
        let w = crate::params::parse_toml::<File>(path, text)?.weights;
        let all = [
            ("spasm_relief", w.spasm_relief),
            ("pain_relief", w.pain_relief),
            ("sedation", w.sedation),
            ("bp_fall", w.bp_fall),
            ("respiratory_depression", w.respiratory_depression),
            ("weakness", w.weakness),
            ("liver_injury_risk", w.liver_injury_risk),
            ("survival_loss", w.survival_loss),
        ];
        if let Some((name, v)) = all.iter().find(|(_, v)| !(v.is_finite() && *v >= 0.0)) {
            return Err(Error::input(
                path,
                format!("weights.{name}"),
                None,
                format!("weight {v}"),
                "a finite number >= 0",
            ));
        }
        Ok(w)
    }

    pub fn default_weights() -> Weights {
        Self::from_toml(Path::new("<bundled>/models/weights/benefit_risk.toml"), DEFAULT_WEIGHTS)
            .expect("bundled weights are valid")
    }
}

/// Benefit–risk of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenefitRisk {
    /// The output time at or before the first intervention.
    pub window_start_day: f64,
    /// The first output time at or after the treatment's effect has gone ([`effect_end`]), or the
    /// earlier death, or the end of the run.
    pub window_end_day: f64,
    pub spasm_relief: f64,
    pub pain_relief: f64,
    pub mean_sedation: f64,
    pub mean_bp_fall: f64,
    pub mean_respiratory_depression: f64,
    pub mean_weakness: f64,
    pub liver_injury_risk: f64,
    /// Treated minus untreated survival within the run, days (negative: life lost).
    pub survival_change_days: f64,
    pub score: f64,
    pub weights: Weights,
}

fn mean(t: &Trajectory, from: f64, to: f64, f: impl Fn(&Sample) -> f64) -> f64 {
    let v: Vec<f64> = t.samples.iter().filter(|s| s.day >= from && s.day <= to).map(f).collect();
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// 1 − treated/untreated; 0 when the untreated patient has (almost) nothing to relieve, so
/// that relief of nothing scores nothing.
fn relief(treated: f64, untreated: f64, negligible: f64) -> f64 {
    if untreated > negligible {
        1.0 - treated / untreated
    } else {
        0.0
    }
}

/// Window mean of a cumulative integral.
fn window_mean(t: &Trajectory, start: f64, end: f64, f: impl Fn(&Sample) -> f64 + Copy) -> f64 {
    (value_at(&t.samples, f, end) - value_at(&t.samples, f, start)) / (end - start)
}

/// Half-lives after which a drug's effect counts as gone (3% of the level left).
pub const WASHOUT_HALF_LIVES: f64 = 5.0;

/// How long a drug given by `route` keeps acting after its last dose or the end of its infusion,
/// days: [`WASHOUT_HALF_LIVES`] half-lives of the slowest process its CSF level follows —
/// elimination and plasma–CSF equilibration, and absorption after oral doses or CSF clearance
/// after intrathecal delivery.
pub fn washout(pk: &OneCompartment, route: Route) -> f64 {
    let by_route = match route {
        Route::Oral => pk.absorption_rate,
        Route::Intrathecal => pk.intrathecal_rate,
        Route::Iv => 0.0,
    };
    let rates = [pk.elimination_rate, pk.csf_rate, by_route];
    let slowest = rates.into_iter().filter(|&k| k > 0.0).fold(f64::INFINITY, f64::min);
    WASHOUT_HALF_LIVES * std::f64::consts::LN_2 / slowest
}

/// Day the scenario's effect has gone (see the module doc): the latest of each dose before
/// `end_of_run` plus its [`washout`], each infusion's end plus its washout and each exercise
/// block's end plus [`WASHOUT_HALF_LIVES`] training half-lives; infinite when an infusion or an
/// exercise block runs on to the end, `None` without any intervention.
pub fn effect_end(model: &Model, scenario: &Scenario, end_of_run: f64) -> Option<f64> {
    let drug = |k: usize| &scenario.drugs[k].pk;
    let doses = scenario.doses_until(end_of_run).into_iter().map(|d| d.time + washout(drug(d.drug), d.route));
    let infusions = scenario
        .infusions
        .iter()
        .map(|i| i.stop.map_or(f64::INFINITY, |s| s + washout(drug(i.drug), i.route)));
    let training = WASHOUT_HALF_LIVES * model.params.exercise_training_half_life;
    let exercise = scenario.exercise.iter().map(|e| e.stop.map_or(f64::INFINITY, |s| s + training));
    doses.chain(infusions).chain(exercise).reduce(f64::max)
}

/// Compare a treated course with the untreated one over the treatment window (module doc);
/// `None` without any intervention within the run.
pub fn compare(
    model: &Model,
    scenario: &Scenario,
    treated: &Trajectory,
    untreated: &Trajectory,
    death_treated: Option<f64>,
    death_untreated: Option<f64>,
    weights: Weights,
) -> Option<BenefitRisk> {
    let starts = scenario.dosing.iter().map(|d| d.start).chain(scenario.infusions.iter().map(|i| i.start));
    let first = starts.chain(scenario.exercise.iter().map(|e| e.start)).reduce(f64::min)?;
    let samples = &treated.samples;
    let end_of_run = samples.last()?.day;
    let start = samples.iter().rev().find(|s| s.day <= first).map_or(first, |s| s.day);
    let gone = effect_end(model, scenario, end_of_run)?;
    let effect_end = samples.iter().find(|s| s.day >= gone).map_or(end_of_run, |s| s.day);
    let end = [death_treated, death_untreated].into_iter().flatten().fold(effect_end, f64::min);
    if end <= start || first >= end_of_run {
        return None;
    }
    // Spasm from the integrated burden, harms from their 15-min integrals, read at the window's
    // ends (output times, or death).
    let spasm = |t: &Trajectory| window_mean(t, start, end, |s| s.core.spasm_auc);
    let (spasm_t, spasm_u) = (spasm(treated), spasm(untreated));
    let (pain_t, pain_u) =
        (mean(treated, start, end, |s| s.readouts.pain), mean(untreated, start, end, |s| s.readouts.pain));
    let harm = |f: fn(&Sample) -> f64| window_mean(treated, start, end, f);
    let survival_change_days = death_treated.unwrap_or(end_of_run) - death_untreated.unwrap_or(end_of_run);
    let mut b = BenefitRisk {
        window_start_day: start,
        window_end_day: end,
        spasm_relief: relief(spasm_t, spasm_u, 0.005),
        pain_relief: relief(pain_t, pain_u, 0.05),
        mean_sedation: harm(|s| s.harm_integral.sedation),
        mean_bp_fall: harm(|s| s.harm_integral.hypotension),
        mean_respiratory_depression: harm(|s| s.harm_integral.respiratory_depression),
        mean_weakness: harm(|s| s.harm_integral.weakness),
        liver_injury_risk: value_at(&treated.samples, |s| s.liver_risk, end),
        survival_change_days,
        score: 0.0,
        weights,
    };
    let w = weights;
    b.score = w.spasm_relief * b.spasm_relief + w.pain_relief * b.pain_relief
        - (w.sedation * b.mean_sedation
            + w.bp_fall * b.mean_bp_fall
            + w.respiratory_depression * b.mean_respiratory_depression
            + w.weakness * b.mean_weakness)
        - w.liver_injury_risk * b.liver_injury_risk
        - w.survival_loss * (-survival_change_days).max(0.0) / 365.25;
    Some(b)
}
