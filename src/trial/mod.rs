//! In-silico trials (`raphe trial FILE`, files in `models/trials/`): virtual patients from the
//! model's `[population]` are screened a set time after motor onset, those meeting the
//! inclusion criteria are randomised in seeded permuted blocks to the arms, each arm's regimen
//! starts at enrolment, clinical scales are read with a placebo response and rater error at
//! the visits, and each endpoint is analysed with the test that suits it ([`analysis`]).
//! Format: `docs/trials.md`.

pub mod analysis;
pub mod run;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::params::{self, Quantity};
use crate::pharmacology::Scenario;
use crate::units::Kind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrialFile {
    trial: Header,
    arm: Vec<ArmSpec>,
    endpoint: Vec<EndpointSpec>,
    #[serde(default)]
    measurement: MeasurementSpec,
}

// `source`, `assumption` and `note` document the file (its text is kept in the manifest).
#[allow(dead_code)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    description: String,
    model: String,
    #[serde(default)]
    seed: u64,
    patients_per_arm: usize,
    /// When patients are screened (and, if included, enrolled): this long after motor onset.
    screen_after_onset: Quantity,
    #[serde(default)]
    inclusion: Inclusion,
    /// Drop-out hazard, per month (0: none).
    #[serde(default)]
    dropout_per_month: f64,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// Who may enter: alive at screening, and these scores at screening (observed, with rater error).
#[derive(Debug, Default, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Inclusion {
    #[serde(default)]
    pub min_penn: Option<f64>,
    #[serde(default)]
    pub min_ashworth: Option<f64>,
    /// Pain (0-10) at screening: "painful spasticity" series such as the ITB one.
    #[serde(default)]
    pub min_pain: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArmSpec {
    name: String,
    /// A scenario file or bundled name, moved so that its first dose comes at enrolment; none:
    /// no treatment (placebo or untreated).
    #[serde(default)]
    scenario: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointSpec {
    name: String,
    kind: EndpointKind,
    /// A trajectory column (ashworth, penn_spasm_score, pain, alsfrs_r, spasms_per_hour, bp_fall, …).
    #[serde(default)]
    measure: Option<String>,
    /// Time of the visit after enrolment (change, responder), or the window (peak, survival).
    at: Quantity,
    /// Responder: a fall of at least this many points (or, with `relative`, this fraction of
    /// baseline) from baseline, or (peak) a peak at least this high.
    #[serde(default)]
    threshold: Option<f64>,
    #[serde(default)]
    relative: bool,
}

/// What an endpoint measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointKind {
    /// Visit value minus baseline, per patient.
    Change,
    /// Whether the change reaches `threshold`.
    Responder,
    /// Whether the highest value within `at` after enrolment (side effects: on the 15-min grid)
    /// reaches `threshold`.
    Peak,
    /// Time from enrolment to death, censored at `at` (or at drop-out).
    Survival,
}

// `source`, `assumption` and `note` document the file (its text is kept in the manifest).
#[allow(dead_code)]
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasurementSpec {
    /// Rater error (SD, the scale's points) per measure, at every reading.
    #[serde(default)]
    rater_sd: BTreeMap<String, f64>,
    /// Mean change at follow-up in every arm from being in a trial (points; negative = better).
    #[serde(default)]
    placebo_response: BTreeMap<String, f64>,
    /// Between-patient SD of the placebo response (points).
    #[serde(default)]
    placebo_sd: BTreeMap<String, f64>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// A checked arm.
#[derive(Debug, Clone)]
pub struct Arm {
    pub name: String,
    /// The scenario (path for errors, text, where its drugs are found), read again for each
    /// patient so that doses and PK bind to that patient.
    pub scenario: Option<(PathBuf, String, crate::pharmacology::Library)>,
}

/// A checked endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub name: String,
    pub kind: EndpointKind,
    /// Trajectory column index and name (none for survival).
    pub measure: Option<(usize, String)>,
    /// Days after enrolment.
    pub at: f64,
    pub threshold: f64,
    pub relative: bool,
}

/// How a scale is read: rater error and placebo response (mean, SD), points.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Reading {
    pub rater_sd: f64,
    pub placebo_mean: f64,
    pub placebo_sd: f64,
}

/// A loaded trial.
#[derive(Debug, Clone)]
pub struct Trial {
    pub name: String,
    pub description: String,
    pub model: Model,
    pub seed: u64,
    pub patients_per_arm: usize,
    pub screen_after_onset: f64,
    pub inclusion: Inclusion,
    pub dropout_per_month: f64,
    pub arms: Vec<Arm>,
    pub endpoints: Vec<Endpoint>,
    /// Reading of each measure named by an endpoint or the inclusion criteria.
    pub readings: BTreeMap<String, Reading>,
    pub text: String,
    pub path: PathBuf,
}

/// Clinical scales and their ranges: observed values are kept inside (integer scales rounded).
pub fn scale_bounds(measure: &str) -> Option<(f64, f64, bool)> {
    match measure {
        "penn_spasm_score" => Some((0.0, 4.0, true)),
        "ashworth" => Some((0.0, 4.0, false)),
        "pain" => Some((0.0, 10.0, false)),
        "alsfrs_r" => Some((0.0, 48.0, true)),
        _ => None,
    }
}

impl Trial {
    pub fn load(path: &Path) -> Result<Trial> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::input(path, "", None, format!("cannot read trial file: {e}"), "an existing TOML file")
        })?;
        Self::from_text(path, &text)
    }

    pub fn from_text(path: &Path, text: &str) -> Result<Trial> {
        let file: TrialFile = params::parse_toml(path, text)?;
        let h = &file.trial;
        params::require_identifier(path, "trial.name", &h.name)?;
        let bad =
            |field: &str, problem: String, allowed: &str| Error::input(path, field, None, problem, allowed);
        let dir = path.parent().unwrap_or(Path::new("."));
        let model = crate::sweep::resolve_model(path, dir, &h.model)?;
        if model.population.is_none() {
            return Err(bad(
                "trial.model",
                format!("model `{}` has no [population] section", model.name),
                "a model file with a [population] section (e.g. human_als)",
            ));
        }
        if h.patients_per_arm == 0 {
            return Err(bad("trial.patients_per_arm", "0".into(), "at least 1 patient per arm"));
        }
        if !(h.dropout_per_month.is_finite() && (0.0..1.0).contains(&h.dropout_per_month)) {
            return Err(bad(
                "trial.dropout_per_month",
                format!("{}", h.dropout_per_month),
                "a hazard in [0, 1) per month",
            ));
        }
        let screen_after_onset =
            h.screen_after_onset.to_internal(path, text, "trial.screen_after_onset", Kind::Time)?;
        if screen_after_onset.is_nan() || screen_after_onset < 0.0 {
            return Err(bad("trial.screen_after_onset", format!("{screen_after_onset} days"), "a time >= 0"));
        }
        if file.arm.is_empty() {
            return Err(bad("arm", "no arms".into(), "at least one [[arm]]"));
        }
        let mut arms = Vec::new();
        for (i, a) in file.arm.iter().enumerate() {
            params::require_identifier(path, &format!("arm[{i}].name"), &a.name)?;
            if file.arm[..i].iter().any(|b| b.name == a.name) {
                return Err(bad(&format!("arm[{i}].name"), format!("`{}` twice", a.name), "a name per arm"));
            }
            let scenario = match &a.scenario {
                None => None,
                Some(name) => {
                    let (scenario, library) = crate::sweep::resolve_scenario(path, dir, name, &model)?;
                    if scenario.first_start().is_none() {
                        return Err(bad(
                            &format!("arm[{i}].scenario"),
                            format!("scenario `{name}` gives nothing"),
                            "a scenario with a regimen, or no scenario for an untreated (placebo) arm",
                        ));
                    }
                    let source = scenario.source.clone().unwrap_or_else(|| PathBuf::from(name));
                    Some((source, scenario.text.clone(), library))
                }
            };
            arms.push(Arm { name: a.name.clone(), scenario });
        }
        if arms.iter().all(|a| a.scenario.is_none()) {
            return Err(bad(
                "arm",
                "no arm gives a regimen: every arm is untreated".into(),
                "at least one [[arm]] with a scenario",
            ));
        }
        let columns: Vec<String> =
            crate::simulate::Trajectory::default().columns().into_iter().map(|c| c.name).collect();
        let mut endpoints = Vec::new();
        for (i, e) in file.endpoint.iter().enumerate() {
            let field = |x: &str| format!("endpoint[{i}].{x}");
            params::require_identifier(path, &field("name"), &e.name)?;
            let at = e.at.to_internal(path, text, &field("at"), Kind::Time)?;
            if at.is_nan() || at <= 0.0 {
                return Err(bad(&field("at"), format!("{at} days"), "a time > 0 after enrolment"));
            }
            let measure = match (e.kind, &e.measure) {
                (EndpointKind::Survival, None) => None,
                (EndpointKind::Survival, Some(_)) => {
                    return Err(bad(
                        &field("measure"),
                        "a survival endpoint measures death".into(),
                        "no measure",
                    ))
                }
                (_, None) => return Err(bad(&field("measure"), "missing".into(), &columns[1..].join(", "))),
                (_, Some(m)) => match columns.iter().position(|c| c == m && c != "day") {
                    Some(k) => Some((k, m.clone())),
                    None => {
                        return Err(bad(
                            &field("measure"),
                            format!("unknown column `{m}`"),
                            &columns[1..].join(", "),
                        ))
                    }
                },
            };
            if e.relative && !matches!(e.kind, EndpointKind::Change | EndpointKind::Responder) {
                return Err(bad(
                    &field("relative"),
                    "only change and responder endpoints can be relative".into(),
                    "relative = false",
                ));
            }
            let needs_threshold = matches!(e.kind, EndpointKind::Responder | EndpointKind::Peak);
            let threshold = match (needs_threshold, e.threshold) {
                (true, Some(t)) if t.is_finite() && t > 0.0 => t,
                (true, _) => {
                    return Err(bad(&field("threshold"), format!("{:?}", e.threshold), "a threshold > 0"))
                }
                (false, None) => f64::NAN,
                (false, Some(_)) => {
                    return Err(bad(
                        &field("threshold"),
                        "only responder and peak endpoints have one".into(),
                        "no threshold",
                    ))
                }
            };
            endpoints.push(Endpoint {
                name: e.name.clone(),
                kind: e.kind,
                measure,
                at,
                threshold,
                relative: e.relative,
            });
        }
        if endpoints.is_empty() {
            return Err(bad("endpoint", "no endpoints".into(), "at least one [[endpoint]]"));
        }
        let m = &file.measurement;
        for (table, what) in
            [(&m.rater_sd, "measurement.rater_sd"), (&m.placebo_sd, "measurement.placebo_sd")]
        {
            for (k, v) in table {
                if !(v.is_finite() && *v >= 0.0) {
                    return Err(bad(
                        &format!("{what}.{k}"),
                        format!("{v}"),
                        "an SD >= 0 in the scale's points",
                    ));
                }
            }
        }
        let mut named: Vec<String> =
            endpoints.iter().filter_map(|e| e.measure.as_ref().map(|m| m.1.clone())).collect();
        let inclusion = &file.trial.inclusion;
        for (field, measure, minimum) in [
            ("min_penn", "penn_spasm_score", inclusion.min_penn),
            ("min_ashworth", "ashworth", inclusion.min_ashworth),
            ("min_pain", "pain", inclusion.min_pain),
        ] {
            let Some(minimum) = minimum else { continue };
            let (lo, hi, _) = scale_bounds(measure).expect("a clinical scale");
            if !(lo..=hi).contains(&minimum) {
                return Err(bad(
                    &format!("trial.inclusion.{field}"),
                    format!("{minimum}"),
                    &format!("a score on the {measure} scale, {lo} to {hi}"),
                ));
            }
            named.push(measure.into());
        }
        for table in [&m.rater_sd, &m.placebo_response, &m.placebo_sd] {
            if let Some(k) = table.keys().find(|k| !named.contains(k)) {
                return Err(bad(
                    &format!("measurement.{k}"),
                    format!("`{k}` is not measured by this trial"),
                    &named.join(", "),
                ));
            }
        }
        let readings = named
            .iter()
            .map(|k| {
                let get = |t: &BTreeMap<String, f64>| t.get(k).copied().unwrap_or(0.0);
                let r = Reading {
                    rater_sd: get(&m.rater_sd),
                    placebo_mean: get(&m.placebo_response),
                    placebo_sd: get(&m.placebo_sd),
                };
                (k.clone(), r)
            })
            .collect();
        Ok(Trial {
            name: h.name.clone(),
            description: h.description.clone(),
            model,
            seed: h.seed,
            patients_per_arm: h.patients_per_arm,
            screen_after_onset,
            inclusion: h.inclusion.clone(),
            dropout_per_month: h.dropout_per_month,
            arms,
            endpoints,
            readings,
            text: text.to_string(),
            path: path.to_path_buf(),
        })
    }

    /// The arm's scenario for one patient: read again on the patient's model (doses per kg,
    /// renal scaling) and moved so that it starts at `enrolment`.
    pub fn arm_scenario(&self, arm: &Arm, model: &Model, enrolment: f64) -> Result<Scenario> {
        let Some((path, text, library)) = &arm.scenario else { return Ok(Scenario::untreated()) };
        let scenario = Scenario::from_toml(path, text, model, library)?;
        let first = scenario.first_start().unwrap_or(0.0);
        Ok(scenario.shifted(enrolment - first))
    }

    /// The longest time after enrolment any endpoint looks at.
    pub fn follow_up(&self) -> f64 {
        self.endpoints.iter().map(|e| e.at).fold(0.0, f64::max)
    }
}
