//! What a cohort's patient table says about the population: quantiles of each metric and
//! Kaplan–Meier tables of survival from motor onset and of spasm onset. Reads `patients.csv`
//! (the table `raphe cohort` writes); never simulates.

use crate::error::{Error, Result};
pub use crate::stats::quantile;
use crate::stats::survival::{kaplan_meier, median_survival, survival_at, KmStep, Observation};
use crate::units::DAYS_PER_MONTH;
use std::path::Path;

/// Chosen columns of the patient table, column by column (so a large cohort costs one number
/// per patient and column, not a row of every column), over the patients whose run succeeded;
/// NaN where a cell is empty.
#[derive(Debug, Clone)]
pub struct Patients {
    columns: Vec<String>,
    values: Vec<Vec<f64>>,
}

impl Patients {
    /// Read the `wanted` columns of `patients.csv` (header `patient, columns…, status,
    /// metrics…`); a wanted column the table lacks is left out.
    pub fn read(path: &Path, wanted: &[&str]) -> Result<Patients> {
        let bad =
            |problem: String| Error::input(path, "", None, problem, "a patients.csv written by raphe cohort");
        let mut reader = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
        let header: Vec<String> =
            reader.headers().map_err(|e| bad(e.to_string()))?.iter().map(String::from).collect();
        let status =
            header.iter().position(|c| c == "status").ok_or_else(|| bad("no status column".into()))?;
        let chosen: Vec<(usize, String)> = header
            .iter()
            .enumerate()
            .filter(|(_, c)| wanted.contains(&c.as_str()))
            .map(|(k, c)| (k, c.clone()))
            .collect();
        let mut values = vec![Vec::new(); chosen.len()];
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record).map_err(|e| bad(e.to_string()))? {
            if record.get(status) != Some("ok") {
                continue;
            }
            for ((k, _), column) in chosen.iter().zip(&mut values) {
                column.push(record.get(*k).and_then(|c| c.parse().ok()).unwrap_or(f64::NAN));
            }
        }
        Ok(Patients { columns: chosen.into_iter().map(|(_, c)| c).collect(), values })
    }

    /// Patients from columns already in memory (`raphe validate` runs cohorts without files).
    pub fn from_columns(columns: Vec<String>, values: Vec<Vec<f64>>) -> Patients {
        assert_eq!(columns.len(), values.len(), "one column of values per name");
        Patients { columns, values }
    }

    /// The values of column `name` over the patients whose run succeeded (NaN where empty).
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        let k = self.columns.iter().position(|c| c == name)?;
        Some(&self.values[k])
    }
}

/// The sweep file of a cohort of `n` patients of `model` (a file or bundled name) under
/// `scenario` (none: untreated): a population design recording every metric but the
/// benefit–risk ones (which need an untreated twin per patient).
pub fn sweep_text(model: &str, scenario: Option<&str>, n: usize, seed: u64, days: Option<f64>) -> String {
    let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut text = format!(
        "[sweep]\nname = \"cohort\"\nmodel = {}\ndesign = \"population\"\nsamples = {n}\nseed = {seed}\n",
        quoted(model)
    );
    if let Some(s) = scenario {
        text.push_str(&format!("scenario = {}\n", quoted(s)));
    }
    if let Some(d) = days {
        text.push_str(&format!("duration = {{ value = {d:?}, unit = \"day\" }}\n"));
    }
    let metrics: Vec<String> = crate::sweep::metric_names()
        .into_iter()
        .filter(|m| !m.starts_with("benefit_risk."))
        .map(|m| quoted(&m))
        .collect();
    text.push_str(&format!("metrics = [{}]\n", metrics.join(", ")));
    text
}

/// The quantiles reported for every metric.
pub const QUANTILES: [f64; 7] = [0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975];

/// `quantiles.csv`: per metric, its unit, how many patients have a value and how many not
/// (the event did not happen within the run, or the run failed), mean, SD and quantiles.
pub fn quantiles_csv(patients: &Patients, metrics: &[String]) -> String {
    let mut out = String::from("metric,unit,n,missing,mean,sd,p2.5,p5,p25,p50,p75,p95,p97.5\n");
    for m in metrics {
        let Some(values) = patients.column(m) else { continue };
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let unit = crate::simulate::summary::unit_of(m).unwrap_or("");
        let cell = |x: f64| if x.is_finite() { format!("{x:?}") } else { String::new() };
        let qs: Vec<String> = QUANTILES.iter().map(|&p| cell(quantile(&v, p))).collect();
        out.push_str(&format!(
            "{m},{unit},{},{},{},{},{}\n",
            v.len(),
            values.len() - v.len(),
            cell(mean),
            cell(sd),
            qs.join(",")
        ));
    }
    out
}

/// An event's time per patient with the event or the time it was last seen without it.
#[derive(Debug, Clone)]
pub struct EventTimes {
    pub observations: Vec<Observation>,
    /// Patients left out (no time origin within the run), with why.
    pub excluded: usize,
    pub unit: &'static str,
}

/// Survival from motor onset, months: death, or censored at the end of the run; patients
/// without motor onset within the run have no origin and are left out.
pub fn survival_from_onset(patients: &Patients) -> Option<EventTimes> {
    let (onset, death, end) =
        (patients.column("motor_onset_day")?, patients.column("death_day")?, patients.column("end_day")?);
    let mut observations = Vec::new();
    let mut excluded = 0;
    for ((o, d), e) in onset.iter().zip(death).zip(end) {
        if o.is_nan() {
            excluded += 1;
            continue;
        }
        let (time, event) = if d.is_nan() { (e - o, false) } else { (d - o, true) };
        observations.push(Observation { time: time / DAYS_PER_MONTH, event });
    }
    Some(EventTimes { observations, excluded, unit: "month" })
}

/// Spasm onset, days from the start of neurodegeneration (the model's time 0): the onset, or
/// censored at death or the end of the run.
pub fn spasm_onset(patients: &Patients) -> Option<EventTimes> {
    let (onset, death, end) =
        (patients.column("spasm_onset_day")?, patients.column("death_day")?, patients.column("end_day")?);
    let observations = onset
        .iter()
        .zip(death)
        .zip(end)
        .map(|((s, d), e)| match (s.is_nan(), d.is_nan()) {
            (false, _) => Observation { time: *s, event: true },
            (true, false) => Observation { time: *d, event: false },
            (true, true) => Observation { time: *e, event: false },
        })
        .collect();
    Some(EventTimes { observations, excluded: 0, unit: "day" })
}

/// A Kaplan–Meier table as CSV (`time [unit], at_risk, events, censored, survival, low, high`).
pub fn km_csv(steps: &[KmStep], unit: &str) -> String {
    let mut out = format!("time [{unit}],at_risk,events,censored,survival,survival_low,survival_high\n");
    for s in steps {
        out.push_str(&format!(
            "{:?},{},{},{},{:?},{:?},{:?}\n",
            s.time, s.at_risk, s.events, s.censored, s.survival, s.low, s.high
        ));
    }
    out
}

/// The headline of a Kaplan–Meier estimate: median (None: not reached) and the survival at
/// chosen times.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KmSummary {
    pub patients: usize,
    pub events: usize,
    pub excluded: usize,
    pub median: Option<f64>,
    pub unit: &'static str,
    pub at: Vec<(f64, f64)>,
}

/// Kaplan–Meier of `times`, with its table and headline (survival at each of `at`).
pub fn kaplan_meier_of(times: &EventTimes, at: &[f64]) -> Result<(Vec<KmStep>, KmSummary)> {
    let steps =
        kaplan_meier(&times.observations).map_err(|e| Error::Settings(format!("Kaplan–Meier: {e}")))?;
    let summary = KmSummary {
        patients: times.observations.len(),
        events: times.observations.iter().filter(|o| o.event).count(),
        excluded: times.excluded,
        median: median_survival(&steps),
        unit: times.unit,
        at: at.iter().map(|&t| (t, survival_at(&steps, t))).collect(),
    };
    Ok((steps, summary))
}
