//! Scenario files (`models/scenarios/*.toml`): which drugs are given, by which route, how much,
//! how often, from when to when. Doses are kept out of the model, as events (mrgsolve's
//! `ev(amt, ii, addl)`).

use super::drug::Drug;
use super::effects::BoundDrug;
use super::library::Library;
use super::pk::Route;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::params::{self, Quantity};
use crate::units::{self, DoseUnit, Kind};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    scenario: Header,
    #[serde(default)]
    dosing: Vec<DosingSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DosingSpec {
    drug: String,
    route: Route,
    dose: Quantity,
    interval: Quantity,
    start: Quantity,
    #[serde(default)]
    stop: Option<Quantity>,
}

/// Shortest dosing interval, days (1 minute).
const MIN_INTERVAL: f64 = 1.0 / 1440.0;

/// Most distinct drugs in one scenario (the full-resolution state vector has a slot each).
pub const MAX_DRUGS: usize = 4;

/// A repeated dose: `amount` mg every `interval` days from `start` until before `stop`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Dosing {
    /// Index into [`Scenario::drugs`].
    pub drug: usize,
    pub route: Route,
    pub amount: f64,
    pub interval: f64,
    pub start: f64,
    pub stop: Option<f64>,
}

/// One dose event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoseEvent {
    pub time: f64,
    pub drug: usize,
    pub amount: f64,
    pub route: Route,
}

/// A loaded scenario bound to a model (doses per kg already scaled by body mass).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub drugs: Vec<BoundDrug>,
    /// The drug files used, for the manifest.
    pub drug_files: Vec<Drug>,
    pub dosing: Vec<Dosing>,
    pub source: Option<PathBuf>,
    pub text: String,
}

impl Scenario {
    /// No treatment.
    pub fn untreated() -> Scenario {
        Scenario {
            name: "untreated".into(),
            description: "natural history, no intervention".into(),
            drugs: vec![],
            drug_files: vec![],
            dosing: vec![],
            source: None,
            text: String::new(),
        }
    }

    /// Load a scenario file for `model`, finding drugs in `library`.
    pub fn load(path: &Path, model: &Model, library: &Library) -> Result<Scenario> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::input(
                path,
                "",
                None,
                format!("cannot read scenario file: {e}"),
                "an existing, readable TOML file",
            )
        })?;
        Self::from_toml(path, &text, model, library)
    }

    /// Parse a scenario from text.
    pub fn from_toml(path: &Path, text: &str, model: &Model, library: &Library) -> Result<Scenario> {
        let file: ScenarioFile = params::parse_toml(path, text)?;
        params::require_identifier(path, "scenario.name", &file.scenario.name)?;
        let mut drug_files: Vec<Drug> = Vec::new();
        let mut dosing = Vec::new();
        for (i, spec) in file.dosing.iter().enumerate() {
            let field = |f: &str| format!("dosing[{i}].{f}");
            let drug = library.find(&spec.drug).map_err(|allowed| {
                Error::input(path, field("drug"), None, format!("unknown drug `{}`", spec.drug), allowed)
            })??;
            if !drug.routes.contains(&spec.route) {
                let routes: Vec<_> = drug.routes.iter().map(|r| r.name()).collect();
                return Err(Error::input(
                    path,
                    field("route"),
                    None,
                    format!("{} cannot be given {}", drug.name, spec.route.name()),
                    routes.join(", "),
                ));
            }
            let index = match drug_files.iter().position(|d| d.name == drug.name) {
                Some(k) => k,
                None => {
                    drug.pk_for(model.species, model.params.body_mass)?;
                    drug_files.push(drug);
                    drug_files.len() - 1
                }
            };
            if drug_files.len() > MAX_DRUGS {
                return Err(Error::input(
                    path,
                    field("drug"),
                    None,
                    format!("more than {MAX_DRUGS} distinct drugs"),
                    format!("at most {MAX_DRUGS}"),
                ));
            }
            let amount = dose_amount(path, text, &field("dose"), &spec.dose, model.params.body_mass)?;
            let interval = spec.interval.to_internal(path, text, &field("interval"), Kind::Time)?;
            let start = spec.start.to_internal(path, text, &field("start"), Kind::Time)?;
            let stop = match &spec.stop {
                Some(q) => Some(q.to_internal(path, text, &field("stop"), Kind::Time)?),
                None => None,
            };
            if amount <= 0.0 {
                return Err(Error::input(
                    path,
                    field("dose.value"),
                    Some(spec.dose.line(text)),
                    "dose must be positive",
                    "a dose > 0",
                ));
            }
            if interval < MIN_INTERVAL {
                return Err(Error::input(
                    path,
                    field("interval.value"),
                    Some(spec.interval.line(text)),
                    "interval shorter than 1 minute (repeated boluses that close are an infusion)",
                    "an interval >= 1 min",
                ));
            }
            if let (Some(stop), Some(q)) = (stop, &spec.stop) {
                if stop <= start {
                    return Err(Error::input(
                        path,
                        field("stop.value"),
                        Some(q.line(text)),
                        "stop is not after start",
                        "a stop time later than start",
                    ));
                }
            }
            dosing.push(Dosing { drug: index, route: spec.route, amount, interval, start, stop });
        }
        let drugs = drug_files
            .iter()
            .map(|d| {
                Ok(BoundDrug {
                    name: d.name.clone(),
                    pk: d.pk_for(model.species, model.params.body_mass)?,
                    mechanism: d.mechanism,
                    molar_mass: d.molar_mass,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Scenario {
            name: file.scenario.name,
            description: file.scenario.description,
            drugs,
            drug_files,
            dosing,
            source: Some(path.to_path_buf()),
            text: text.to_string(),
        })
    }

    /// Dosing lines that give no dose before day `end`, for a warning.
    pub fn unreached(&self, end: f64) -> Vec<usize> {
        (0..self.dosing.len()).filter(|&i| self.dosing[i].start >= end).collect()
    }

    /// Every dose before day `end`, in time order (ties keep file order). Times are computed as
    /// start + i·interval, so long regimens do not drift.
    pub fn doses_until(&self, end: f64) -> Vec<DoseEvent> {
        let mut events = Vec::new();
        for d in &self.dosing {
            let last = d.stop.unwrap_or(f64::INFINITY).min(end);
            let mut i = 0u64;
            loop {
                let time = d.start + i as f64 * d.interval;
                if time >= last - 1e-9 {
                    break;
                }
                events.push(DoseEvent { time, drug: d.drug, amount: d.amount, route: d.route });
                i += 1;
            }
        }
        events.sort_by(|a, b| a.time.total_cmp(&b.time));
        events
    }
}

/// A dose in mg; per-kg doses are scaled by the body mass.
fn dose_amount(path: &Path, text: &str, field: &str, q: &Quantity, body_mass: f64) -> Result<f64> {
    let line = Some(q.line(text));
    let value = q.value.get_ref().get();
    let unit = units::dose_unit(&q.unit).ok_or_else(|| {
        Error::input(
            path,
            format!("{field}.unit"),
            line,
            format!("unit \"{}\" is not a dose unit", q.unit),
            units::allowed_dose_units(),
        )
    })?;
    if !value.is_finite() || value <= 0.0 {
        return Err(Error::input(
            path,
            format!("{field}.value"),
            line,
            format!("dose {value} must be a finite positive number"),
            "a dose > 0",
        ));
    }
    Ok(match unit {
        DoseUnit::Absolute(f) => value * f,
        DoseUnit::PerKg(f) => value * f * body_mass,
    })
}
