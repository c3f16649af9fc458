//! Measurements of validation checks: run what a check names (a simulation and its reference, a
//! cohort, a trial, a parameter scan) and reduce it to the numbers its expectation judges.

use super::{CheckSpec, Fact, Kind};
use crate::model::overrides::Override;
use crate::model::Model;
use crate::pharmacology::{Library, Scenario};
use crate::simulate::{self, summary::METRICS, Fidelity, Settings, Summary, Trajectory};
use crate::units::{self, Kind as UnitKind};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Each replicate's result rows of one trial.
type TrialResults = Arc<Vec<Vec<crate::trial::analysis::Row>>>;

/// Cohorts and trial replicates already run, so checks that read the same cohort or trial
/// (a median and a quantile of one cohort) run it once.
#[derive(Default)]
pub struct Cache {
    cohorts: Mutex<HashMap<String, Arc<crate::cohort::Patients>>>,
    trials: Mutex<HashMap<(String, u64), TrialResults>>,
}

/// (field, problem, allowed) of a check that cannot be run as written.
type Refusal = (String, String, String);

fn refuse(field: &str, problem: impl Into<String>, allowed: impl Into<String>) -> Refusal {
    (field.to_string(), problem.into(), allowed.into())
}

const RUN_STATISTICS: &[&str] = &["mean", "max", "min", "at", "at_death", "day_of_max", "half_life"];
const COHORT_STATISTICS: &[&str] = &["median", "quantile", "survival_at", "median_survival"];
const TRIAL_STATISTICS: &[&str] = &["effect", "estimate", "mean_effect", "median_effect"];

/// `value` is one of `allowed`, or the refusal naming `field`.
fn one_of(field: &str, value: &Option<String>, allowed: &[&str]) -> Result<(), Refusal> {
    match value {
        Some(v) if allowed.contains(&v.as_str()) => Ok(()),
        Some(v) => Err(refuse(field, format!("`{v}`"), allowed.join(", "))),
        None => Err(refuse(field, "missing", allowed.join(", "))),
    }
}

/// Check at load that a check names what its kind needs, so a typo fails before any run.
pub(super) fn check_spec(c: &CheckSpec) -> Result<(), Refusal> {
    if let Some(m) = &c.expect.monotone {
        if c.kind != Kind::Scan {
            return Err(refuse("expect.monotone", "only a scan has a direction", "min and/or max"));
        }
        if m != "increasing" && m != "decreasing" {
            return Err(refuse("expect.monotone", format!("`{m}`"), "increasing, decreasing"));
        }
    } else if c.expect.min.is_none() && c.expect.max.is_none() {
        return Err(refuse("expect", "no bound", "min and/or max (a scan: monotone)"));
    }
    if let Some(u) = &c.time_unit {
        units::factor(UnitKind::Time, u)
            .ok_or_else(|| refuse("time_unit", format!("`{u}`"), "a time unit (h, day, month, year)"))?;
    }
    for (field, t) in
        [("days", &c.days), ("output_step", &c.output_step), ("from", &c.from), ("to", &c.to), ("at", &c.at)]
    {
        if let Some(t) = t {
            units::time_text(t)
                .map_err(|e| refuse(field, format!("`{t}`: {e}"), "a time such as 6y, 120d, 36h"))?;
        }
    }
    for s in &c.set {
        Override::parse(s).map_err(|e| refuse("set", e.to_string(), "NAME=VALUE[UNIT]"))?;
    }
    match c.kind {
        Kind::Run => run_measure(c),
        Kind::Scan => {
            if c.parameter.is_none() || c.values.len() < 2 {
                return Err(refuse(
                    "values",
                    "a scan needs `parameter` and at least two `values`",
                    "values = [\"1%/month\", \"5%/month\"]",
                ));
            }
            if c.expect.monotone.is_none() {
                return Err(refuse("expect.monotone", "missing", "increasing, decreasing"));
            }
            run_measure(c)
        }
        Kind::Cohort => {
            if !c.set.is_empty() || !c.dose.is_empty() {
                return Err(refuse(
                    "set",
                    "a cohort takes its patients from the model's [population]",
                    "a model file with the changes",
                ));
            }
            one_of("statistic", &c.statistic, COHORT_STATISTICS)?;
            match c.statistic.as_deref() {
                Some("median") | Some("quantile") if c.metric.is_none() => {
                    Err(refuse("metric", "missing", "a summary metric (raphe metrics)"))
                }
                Some("quantile") if !c.p.is_some_and(|p| p > 0.0 && p < 1.0) => {
                    Err(refuse("p", "missing or outside (0, 1)", "a quantile level such as 0.025"))
                }
                Some("survival_at") if !c.months.is_some_and(|m| m > 0.0) => {
                    Err(refuse("months", "missing or not positive", "months from motor onset, e.g. 120"))
                }
                _ if c.patients.unwrap_or(0) == 0 => {
                    Err(refuse("patients", "missing or 0", "a cohort size, e.g. 1500"))
                }
                _ => Ok(()),
            }
        }
        Kind::Trial => {
            one_of("statistic", &c.statistic, TRIAL_STATISTICS)?;
            for (field, v) in [("trial", &c.trial), ("endpoint", &c.endpoint), ("arm", &c.arm)] {
                if v.is_none() {
                    return Err(refuse(
                        field,
                        "missing",
                        "the trial file, endpoint and arm whose result is read",
                    ));
                }
            }
            Ok(())
        }
    }
}

fn run_measure(c: &CheckSpec) -> Result<(), Refusal> {
    match (&c.metric, &c.column) {
        (Some(_), None) => {
            if c.statistic.is_some() {
                return Err(refuse(
                    "statistic",
                    "a metric is one number per run",
                    "leave it out, or measure a column",
                ));
            }
            Ok(())
        }
        (None, Some(_)) => {
            one_of("statistic", &c.statistic, RUN_STATISTICS)?;
            if c.minus.is_some() || c.over.is_some() {
                return Err(refuse("minus", "only a metric can be combined with another", "metric = ..."));
            }
            match c.statistic.as_deref() {
                Some("at") if c.at.is_none() => Err(refuse("at", "missing", "a time such as 3y")),
                Some("at") | Some("at_death") => Ok(()),
                _ if c.from.is_none() || c.to.is_none() => {
                    Err(refuse("from", "a window needs `from` and `to`", "times such as 3y"))
                }
                _ => Ok(()),
            }
        }
        _ => Err(refuse(
            "metric",
            "a run measures exactly one of `metric` and `column`",
            "metric = \"death_day\" or column = \"spasm_intensity\"",
        )),
    }
}

/// The measurement of check `c` of `fact` (a scan: one value per scanned value).
pub fn measure(fact: &Fact, c: &CheckSpec, cache: &Cache) -> Result<Vec<f64>, String> {
    let dir = fact.path.parent().unwrap_or(Path::new("."));
    let scale = match &c.time_unit {
        Some(u) => units::factor(UnitKind::Time, u).expect("checked at load"),
        None => 1.0,
    };
    let values = match c.kind {
        Kind::Run => vec![run_value(dir, c, &[])?],
        Kind::Scan => {
            let parameter = c.parameter.as_deref().expect("checked");
            c.values
                .iter()
                .map(|v| run_value(dir, c, &[format!("{parameter}={v}")]))
                .collect::<Result<_, _>>()?
        }
        Kind::Cohort => vec![cohort_value(dir, c, cache)?],
        Kind::Trial => vec![trial_value(dir, c, cache)?],
    };
    Ok(values.into_iter().map(|v| v / scale).collect())
}

/// A model file beside the validation file, or a bundled model.
fn model(dir: &Path, name: Option<&str>) -> Result<Model, String> {
    let name = name.unwrap_or(crate::bundled::DEFAULT_MODEL);
    let path = dir.join(name);
    if path.is_file() {
        return Model::load(&path).map_err(|e| e.to_string());
    }
    let (file, text) = crate::bundled::model(name)
        .ok_or_else(|| format!("model `{name}`: no such file or bundled model"))?;
    Model::from_toml(Path::new(&file), text).map_err(|e| e.to_string())
}

/// How a sweep file names `name`: the absolute path of a file beside the validation file (so
/// the sweep text reads the same wherever it is parsed), or the name itself (bundled).
fn sweep_name(dir: &Path, name: &str) -> Result<String, String> {
    let path = dir.join(name);
    if !path.is_file() {
        return Ok(name.to_string());
    }
    Ok(std::fs::canonicalize(&path).map_err(|e| e.to_string())?.display().to_string())
}

/// A scenario (file beside the validation file or bundled name; none: untreated) with dose lines.
fn scenario(dir: &Path, name: Option<&str>, doses: &[String], model: &Model) -> Result<Scenario, String> {
    let (path, text, library) = match name {
        None if doses.is_empty() => return Ok(Scenario::untreated()),
        None => (
            PathBuf::from("dose lines"),
            "[scenario]\nname = \"validation\"\ndescription = \"dose lines of a validation check\"\n"
                .to_string(),
            Library::default(),
        ),
        Some(n) if dir.join(n).is_file() => {
            let path = dir.join(n);
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let library = Library::for_scenario(&path);
            (path, text, library)
        }
        Some(n) => {
            let (file, text) = crate::bundled::scenario(n)
                .ok_or_else(|| format!("scenario `{n}`: no such file or bundled scenario"))?;
            (PathBuf::from(file), text.to_string(), Library::default())
        }
    };
    let text = crate::pharmacology::dose_text::append_dose_lines(&text, doses, &library)?;
    Scenario::from_toml(&path, &text, model, &library).map_err(|e| e.to_string())
}

fn days(t: &Option<String>) -> Option<f64> {
    t.as_deref().map(|t| units::time_text(t).expect("checked at load"))
}

/// One run of check `c` (with `extra` parameter changes) reduced to its measure; against its
/// reference run when `relative_to` is given.
fn run_value(dir: &Path, c: &CheckSpec, extra: &[String]) -> Result<f64, String> {
    let base = model(dir, c.model.as_deref())?;
    let changes: Vec<Override> = c
        .set
        .iter()
        .chain(extra)
        .map(|s| Override::parse(s).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let (model, _) = base.with_overrides(&changes, false).map_err(|e| e.to_string())?;
    let mut settings = Settings::for_model(&model, Fidelity::Fast);
    settings.track_harms = true;
    settings.track_exposure = true;
    if let Some(d) = days(&c.days) {
        settings.duration = d;
    }
    if let Some(s) = days(&c.output_step) {
        settings.output_step = s;
    }
    settings.check().map_err(|e| e.to_string())?;
    let treated = scenario(dir, c.scenario.as_deref(), &c.dose, &model)?;
    // Windows after the first dose count from the treated scenario's, also in its reference.
    let origin = if c.after_first_dose { first_dose(&treated, settings.duration)? } else { 0.0 };
    let value = |sc: &Scenario| -> Result<f64, String> {
        let traj = simulate::simulate(&model, sc, &settings).map_err(|e| e.to_string())?;
        reduce(c, &model, sc, &traj, origin)
    };
    let x = value(&treated)?;
    let reference = match (c.relative_to.as_deref(), c.relative_to_dose.is_empty()) {
        (None, true) => return Ok(x),
        (None, false) => scenario(dir, None, &c.relative_to_dose, &model)?,
        (Some("untreated"), _) => Scenario::untreated(),
        (Some(name), _) => scenario(dir, Some(name), &c.relative_to_dose, &model)?,
    };
    let r = value(&reference)?;
    if r == 0.0 {
        return Err("the reference run measures 0: no relative change".into());
    }
    Ok((x - r) / r)
}

fn first_dose(sc: &Scenario, end: f64) -> Result<f64, String> {
    let doses = sc.doses_until(end).into_iter().map(|d| d.time);
    let infusions = sc.infusions.iter().map(|i| i.start);
    doses
        .chain(infusions)
        .min_by(f64::total_cmp)
        .ok_or_else(|| "after_first_dose: the scenario gives no dose".to_string())
}

/// A metric of a run's summary: a summary metric or an exposure metric.
fn metric(summary: &Summary, name: &str) -> Result<f64, String> {
    if let Some(parsed) = simulate::exposure::ExposureMetric::parse(name) {
        let m = parsed?;
        return summary
            .exposure
            .get(&m.drug)
            .and_then(|e| e.get(m.compartment, m.statistic))
            .ok_or_else(|| format!("metric `{name}`: no value in this run"));
    }
    let (_, _, get) = METRICS
        .iter()
        .find(|(m, _, _)| *m == name)
        .ok_or_else(|| format!("unknown metric `{name}` (raphe metrics)"))?;
    get(summary).ok_or_else(|| format!("metric `{name}`: no value in this run (the event did not happen)"))
}

fn reduce(
    c: &CheckSpec,
    model: &Model,
    sc: &Scenario,
    traj: &Trajectory,
    origin: f64,
) -> Result<f64, String> {
    if let Some(name) = &c.metric {
        let summary = Summary::of(model, traj).with_withdrawal(sc);
        let mut x = metric(&summary, name)?;
        if let Some(m) = &c.minus {
            x -= metric(&summary, m)?;
        }
        if let Some(m) = &c.over {
            x /= metric(&summary, m)?;
        }
        return Ok(x);
    }
    let column = c.column.as_deref().expect("checked");
    let k = traj
        .columns()
        .iter()
        .position(|col| col.name == column)
        .ok_or_else(|| format!("unknown column `{column}` (raphe columns)"))?;
    let statistic = c.statistic.as_deref().expect("checked");
    let at = match statistic {
        "at" => Some(origin + days(&c.at).expect("checked")),
        "at_death" => Some(Summary::of(model, traj).death_day.ok_or("at_death: no death in the run")?),
        _ => None,
    };
    if let Some(at) = at {
        return Ok(simulate::summary::value_at(&traj.samples, |s| traj.row(s)[k], at));
    }
    let (from, to) = (origin + days(&c.from).expect("checked"), origin + days(&c.to).expect("checked"));
    let window: Vec<(f64, f64)> = traj
        .samples
        .iter()
        .filter(|s| s.day >= from && s.day <= to)
        .map(|s| (s.day, traj.row(s)[k]))
        .collect();
    if window.is_empty() {
        return Err(format!("no trajectory rows between day {from} and {to} (shorten output_step)"));
    }
    let values = window.iter().map(|w| w.1);
    Ok(match statistic {
        "mean" => values.sum::<f64>() / window.len() as f64,
        "max" => values.fold(f64::NEG_INFINITY, f64::max),
        "min" => values.fold(f64::INFINITY, f64::min),
        "day_of_max" => window.iter().max_by(|a, b| a.1.total_cmp(&b.1)).expect("not empty").0 - origin,
        "half_life" => {
            let ((t1, c1), (t2, c2)) = (window[0], window[window.len() - 1]);
            if !(c1 > c2 && c2 > 0.0) {
                return Err(format!("half_life: `{column}` does not fall between day {t1} and {t2}"));
            }
            std::f64::consts::LN_2 * (t2 - t1) / (c1 / c2).ln()
        }
        _ => unreachable!("checked at load"),
    })
}

/// A cohort of the check's model and scenario, run in memory, reduced to one statistic.
fn cohort_value(dir: &Path, c: &CheckSpec, cache: &Cache) -> Result<f64, String> {
    let model_name = sweep_name(dir, c.model.as_deref().unwrap_or(crate::bundled::DEFAULT_MODEL))?;
    let scenario_name = c.scenario.as_deref().map(|s| sweep_name(dir, s)).transpose()?;
    let n = c.patients.expect("checked");
    let text = crate::cohort::sweep_text(
        &model_name,
        scenario_name.as_deref(),
        n,
        c.seed.unwrap_or(1),
        days(&c.days),
    );
    let cached = cache.cohorts.lock().expect("not poisoned").get(&text).cloned();
    let patients = match cached {
        Some(p) => p,
        None => {
            let p = Arc::new(run_cohort(&text, n)?);
            cache.cohorts.lock().expect("not poisoned").insert(text, p.clone());
            p
        }
    };
    match c.statistic.as_deref().expect("checked") {
        s @ ("median" | "quantile") => {
            let name = c.metric.as_deref().expect("checked");
            let column = patients.column(name).ok_or_else(|| format!("unknown metric `{name}`"))?;
            let mut v: Vec<f64> = column.iter().copied().filter(|x| !x.is_nan()).collect();
            v.sort_by(f64::total_cmp);
            if v.is_empty() {
                return Err(format!("no patient has a value of `{name}`"));
            }
            Ok(crate::stats::quantile(&v, if s == "median" { 0.5 } else { c.p.expect("checked") }))
        }
        s => {
            let times =
                crate::cohort::survival_from_onset(&patients).expect("cohorts record onset and death");
            let months = c.months.unwrap_or(12.0);
            let (_, km) = crate::cohort::kaplan_meier_of(&times, &[months]).map_err(|e| e.to_string())?;
            if s == "survival_at" {
                Ok(km.at[0].1)
            } else {
                km.median.ok_or_else(|| "median survival not reached".to_string())
            }
        }
    }
}

/// The patients (metric columns) of the cohort of sweep `text`, run in memory.
fn run_cohort(text: &str, n: usize) -> Result<crate::cohort::Patients, String> {
    let sweep = crate::sweep::Sweep::from_text(Path::new("validation-cohort.toml"), text)
        .map_err(|e| e.to_string())?;
    let design = sweep.design();
    let runs: Vec<Option<Vec<f64>>> = (0..n)
        .into_par_iter()
        .map(|i| sweep.run(&sweep.values_of(&design, i)).ok().map(|r| r.metrics))
        .collect();
    let ok: Vec<&Vec<f64>> = runs.iter().flatten().collect();
    if ok.is_empty() {
        return Err("every run of the cohort failed".into());
    }
    let columns: Vec<Vec<f64>> =
        (0..sweep.metrics.len()).map(|k| ok.iter().map(|m| m[k]).collect()).collect();
    Ok(crate::cohort::Patients::from_columns(sweep.metrics.clone(), columns))
}

/// A trial (file beside the validation file or bundled name), its endpoint's result in one arm.
fn trial_value(dir: &Path, c: &CheckSpec, cache: &Cache) -> Result<f64, String> {
    let name = c.trial.as_deref().expect("checked");
    let trial = if dir.join(name).is_file() {
        crate::trial::Trial::load(&dir.join(name))
    } else {
        let (file, text) = crate::bundled::trial(name)
            .ok_or_else(|| format!("trial `{name}`: no such file or bundled trial"))?;
        crate::trial::Trial::from_text(Path::new(&file), text)
    }
    .map_err(|e| e.to_string())?;
    let (endpoint, arm) = (c.endpoint.as_deref().expect("checked"), c.arm.as_deref().expect("checked"));
    let statistic = c.statistic.as_deref().expect("checked");
    let replicates = if statistic.ends_with("_effect") { c.replicates.unwrap_or(40) } else { 1 };
    let key = (trial.path.display().to_string(), replicates);
    let cached = cache.trials.lock().expect("not poisoned").get(&key).cloned();
    let results = match cached {
        Some(r) => r,
        None => {
            let mut all = Vec::new();
            for r in 0..replicates {
                let patients = crate::trial::run::replicate(&trial, trial.patients_per_arm, r)?;
                all.push(crate::trial::analysis::analyse(&trial, &patients)?);
            }
            let all = Arc::new(all);
            cache.trials.lock().expect("not poisoned").insert(key, all.clone());
            all
        }
    };
    let mut effects = Vec::new();
    for rows in results.iter() {
        let row = rows.iter().find(|row| row.endpoint == endpoint && row.arm == arm).ok_or_else(|| {
            format!("trial `{name}` has no result for endpoint `{endpoint}` in arm `{arm}`")
        })?;
        effects.push(if statistic == "estimate" { row.estimate } else { row.effect });
    }
    Ok(match statistic {
        "mean_effect" => effects.iter().sum::<f64>() / effects.len() as f64,
        "median_effect" => {
            effects.sort_by(f64::total_cmp);
            crate::stats::quantile(&effects, 0.5)
        }
        _ => effects[0],
    })
}
