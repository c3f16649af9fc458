//! `raphe validate`: the facts the model must reproduce (science.md §6) as data. Each file of
//! `models/validation/` states one fact with its source and lists the checks that test it: what
//! to run (model, scenario, dose lines, parameter changes, a cohort or a trial), what to measure,
//! and the range the measurement must fall in. Format: `docs/validation.md`.
//!
//! A check that the model is known to miss says so (`known_miss = "why"`): it is reported, not
//! counted as a failure, and a known miss that starts passing is reported too.

pub mod measure;

use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactFile {
    fact: FactHeader,
    check: Vec<CheckSpec>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FactHeader {
    /// The fact's number in science.md §6.
    pub number: u32,
    pub statement: String,
    pub source: String,
}

/// What a check runs: one simulation (and its reference), a cohort, a trial or a parameter scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Run,
    Cohort,
    Trial,
    Scan,
}

/// One check of a fact, as written in the file.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    pub name: String,
    #[serde(default)]
    pub kind: Kind,
    /// A model file (relative to the validation file) or bundled name; default human_als.
    #[serde(default)]
    pub model: Option<String>,
    /// A scenario file or bundled name; none: untreated.
    #[serde(default)]
    pub scenario: Option<String>,
    /// Dose lines as `raphe simulate --dose` takes them.
    #[serde(default)]
    pub dose: Vec<String>,
    /// Parameter changes as `raphe simulate --set` takes them (`raphe_hazard=20%/month`).
    #[serde(default)]
    pub set: Vec<String>,
    /// Simulated time (`6y`, `120d`); default the model's.
    #[serde(default)]
    pub days: Option<String>,
    /// Spacing of trajectory rows (`1h`); default the model's.
    #[serde(default)]
    pub output_step: Option<String>,
    /// A summary metric (any sweep metric: `raphe metrics`).
    #[serde(default)]
    pub metric: Option<String>,
    /// Another metric of the same run, subtracted.
    #[serde(default)]
    pub minus: Option<String>,
    /// Another metric of the same run, divided by.
    #[serde(default)]
    pub over: Option<String>,
    /// A trajectory column (`raphe columns`), summarised by `statistic` over [from, to].
    #[serde(default)]
    pub column: Option<String>,
    /// run: mean, max, min, at, at_death, day_of_max, half_life (from the window's first and
    /// last rows, log-linear); cohort: median, quantile, survival_at,
    /// median_survival; trial: effect, mean_effect, median_effect, estimate.
    #[serde(default)]
    pub statistic: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub at: Option<String>,
    /// Times `from`, `to` and `at` count from the scenario's first dose.
    #[serde(default)]
    pub after_first_dose: bool,
    /// The measure is the relative change against this run: a scenario name or file, or
    /// `untreated` (same model, changes and settings).
    #[serde(default)]
    pub relative_to: Option<String>,
    /// The reference run gives these dose lines instead (oral against IV, 6 months against 2 years).
    #[serde(default)]
    pub relative_to_dose: Vec<String>,
    /// Report a time-valued result in this unit (`h`, `month`); default day.
    #[serde(default)]
    pub time_unit: Option<String>,
    /// Cohort size and seed.
    #[serde(default)]
    pub patients: Option<usize>,
    #[serde(default)]
    pub seed: Option<u64>,
    /// Quantile level (statistic = "quantile") or months (statistic = "survival_at").
    #[serde(default)]
    pub p: Option<f64>,
    #[serde(default)]
    pub months: Option<f64>,
    /// A trial file (relative to the validation file) or bundled name, with the endpoint and
    /// arm whose result is read, over `replicates` replicates.
    #[serde(default)]
    pub trial: Option<String>,
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub arm: Option<String>,
    #[serde(default)]
    pub replicates: Option<u64>,
    /// A parameter scanned over `values` (`--set` values, e.g. `"0.5%/month"`).
    #[serde(default)]
    pub parameter: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
    /// The unit of the result as printed.
    #[serde(default)]
    pub unit: String,
    pub expect: Expect,
    /// Why the model misses this check (documented in docs/model.md): reported, not a failure.
    #[serde(default)]
    pub known_miss: Option<String>,
}

/// The range a measurement must fall in, or the direction a scan must move in.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// A scan's values rise ("increasing") or fall ("decreasing") strictly.
    #[serde(default)]
    pub monotone: Option<String>,
}

impl Expect {
    /// "≥ a", "≤ b", "a to b" or "increasing".
    pub fn describe(&self) -> String {
        match (self.min, self.max, &self.monotone) {
            (_, _, Some(m)) => m.clone(),
            (Some(a), Some(b), _) => format!("{} to {}", number(a), number(b)),
            (Some(a), None, _) => format!(">= {}", number(a)),
            (None, Some(b), _) => format!("<= {}", number(b)),
            (None, None, None) => "-".into(),
        }
    }

    fn admits(&self, x: f64) -> bool {
        x.is_finite() && self.min.is_none_or(|a| x >= a) && self.max.is_none_or(|b| x <= b)
    }
}

/// Up to four significant digits, no trailing zeros.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let digits = if x == 0.0 { 0 } else { (3 - x.abs().log10().floor() as i32).max(0) as usize };
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A fact and its checks, loaded from one file.
#[derive(Debug, Clone)]
pub struct Fact {
    pub header: FactHeader,
    pub checks: Vec<CheckSpec>,
    /// The file, for errors and for paths relative to it.
    pub path: PathBuf,
    pub text: String,
}

impl Fact {
    pub fn from_toml(path: &Path, text: &str) -> Result<Fact> {
        let file: FactFile = crate::params::parse_toml(path, text)?;
        for (i, c) in file.check.iter().enumerate() {
            measure::check_spec(c).map_err(|(field, problem, allowed)| {
                Error::input(path, format!("check[{i}].{field}"), None, problem, allowed)
            })?;
        }
        Ok(Fact { header: file.fact, checks: file.check, path: path.to_path_buf(), text: text.to_string() })
    }
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// A documented miss, still missed.
    KnownMiss,
    /// A documented miss that now passes (update the file and the docs).
    KnownMissPasses,
    /// The run itself failed (reported with the reason).
    Error,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::KnownMiss => "known miss",
            Verdict::KnownMissPasses => "known miss passes",
            Verdict::Error => "ERROR",
        }
    }

    /// Whether `raphe validate` should exit non-zero.
    pub fn fails(self) -> bool {
        matches!(self, Verdict::Fail | Verdict::Error)
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    pub fact: u32,
    pub check: String,
    pub source: String,
    pub expected: String,
    /// The measurement (a scan: its values in order); None when the run failed.
    pub simulated: Option<Vec<f64>>,
    pub unit: String,
    pub verdict: Verdict,
    /// The run's error, or the documented reason of a known miss.
    pub note: Option<String>,
}

/// Run every check of `fact` (cohorts and trials that `cache` holds are not run again).
pub fn evaluate(fact: &Fact, cache: &measure::Cache) -> Vec<Outcome> {
    fact.checks
        .iter()
        .map(|c| {
            let measured = measure::measure(fact, c, cache);
            let verdict_of = |ok: bool| match (ok, &c.known_miss) {
                (true, None) => Verdict::Pass,
                (false, None) => Verdict::Fail,
                (false, Some(_)) => Verdict::KnownMiss,
                (true, Some(_)) => Verdict::KnownMissPasses,
            };
            let (simulated, verdict, note) = match measured {
                Ok(values) => {
                    let ok = match &c.expect.monotone {
                        Some(direction) => monotone(&values, direction == "increasing"),
                        None => values.iter().all(|&x| c.expect.admits(x)),
                    };
                    (Some(values), verdict_of(ok), c.known_miss.clone())
                }
                Err(e) => (None, Verdict::Error, Some(e)),
            };
            Outcome {
                fact: fact.header.number,
                check: c.name.clone(),
                source: fact.header.source.clone(),
                expected: c.expect.describe(),
                simulated,
                unit: c.unit.clone(),
                verdict,
                note,
            }
        })
        .collect()
}

fn monotone(values: &[f64], increasing: bool) -> bool {
    values.windows(2).all(|w| if increasing { w[1] > w[0] } else { w[1] < w[0] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations_admit_their_range_only() {
        let e = Expect { min: Some(1.0), max: Some(2.0), monotone: None };
        assert!(e.admits(1.0) && e.admits(2.0) && !e.admits(0.99) && !e.admits(f64::NAN));
        assert_eq!(e.describe(), "1 to 2");
        assert!(monotone(&[1.0, 2.0, 3.0], true) && !monotone(&[1.0, 1.0], true));
        assert!(monotone(&[3.0, 2.0], false));
    }

    #[test]
    fn numbers_print_short() {
        assert_eq!(number(0.8), "0.8");
        assert_eq!(number(-0.54), "-0.54");
        assert_eq!(number(1234.6), "1235");
        assert_eq!(number(0.000123), "0.000123");
    }
}
