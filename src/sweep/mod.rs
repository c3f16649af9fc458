//! Parameter and regimen sweeps: a sweep file names a model, a scenario, the factors to vary
//! (any model parameter by name, or a dosing/infusion field), a design and the summary metrics
//! to record. Runs go in parallel in fixed-size chunks and are written in run order, so the
//! output is the same whatever the thread count; a failed run is recorded with its reason.

pub mod design;
pub mod sensitivity;
mod sobol_directions;
pub mod sobol_sequence;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::params::{self, Number, Quantity};
use crate::pharmacology::library::DrugOverride;
use crate::pharmacology::{Library, Scenario};
use crate::simulate::{self, Fidelity, Settings, Summary};
use crate::units::{self, DoseUnit, Kind};
use rayon::prelude::*;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    sweep: Header,
    /// Required by every design but `population`, whose patients are the factors.
    #[serde(default)]
    factor: Vec<FactorSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    model: String,
    #[serde(default)]
    scenario: Option<String>,
    design: DesignKind,
    #[serde(default)]
    samples: Option<usize>,
    /// Grid levels of a Morris design (even; default 4).
    #[serde(default)]
    morris_levels: Option<usize>,
    /// Whether a Sobol' design also estimates second-order indices (2d + 2 runs per sample).
    #[serde(default)]
    second_order: Option<bool>,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    duration: Option<Quantity>,
    #[serde(default = "default_fidelity")]
    fidelity: String,
    metrics: Vec<String>,
    /// Optional subsampled trajectories (off by default: a million runs' traces are large).
    #[serde(default)]
    trajectories: Option<TracesSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TracesSpec {
    /// Spacing of the kept rows (a multiple of the output step); the row at death or the end is
    /// always kept.
    every: Quantity,
    /// Trajectory columns to keep (names as in trajectory.csv).
    columns: Vec<String>,
}

/// Which trajectory rows and columns a sweep keeps per run (of the course up to death, as in
/// trajectory.csv).
#[derive(Debug, Clone, PartialEq)]
pub struct Traces {
    /// Keep every `stride`-th output row while alive, and the last row (at death or the end).
    pub stride: usize,
    pub columns: Vec<String>,
    /// Units of `columns` (as in trajectory.columns.json).
    pub units: Vec<&'static str>,
    /// Indices of `columns` in the trajectory's column order.
    indices: Vec<usize>,
}

fn default_fidelity() -> String {
    "fast".into()
}

/// The sampling designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    Grid,
    Lhs,
    Morris,
    /// Saltelli design for Sobol' indices: `samples` (a power of two) base rows, N(d + 2) runs,
    /// or N(2d + 2) with `second_order = true`.
    Sobol,
    /// Virtual patients: `samples` patients drawn from the model's `[population]` (`raphe
    /// cohort`); the factors are the patients' phenotypes, covariates and parameters.
    Population,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactorSpec {
    target: String,
    unit: String,
    #[serde(default, deserialize_with = "two_or_none")]
    range: Option<[Number; 2]>,
    /// Explicit levels of a grid factor, instead of `range` and `levels`.
    #[serde(default)]
    values: Option<Vec<Number>>,
    #[serde(default)]
    scale: Scale,
    #[serde(default)]
    levels: Option<usize>,
}

fn two_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<[Number; 2]>, D::Error> {
    params::exactly_two(d).map(Some)
}

/// How a factor maps [0, 1] onto its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    #[default]
    Linear,
    Log,
}

/// What a factor changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A model parameter by name (internal units).
    Parameter(String),
    /// Amount of every dose of dosing line `i` (mg).
    DoseAmount(usize),
    /// Interval of dosing line `i` (days).
    DoseInterval(usize),
    /// Start of dosing line `i` (days).
    DoseStart(usize),
    /// Rate of infusion `i` (mg/day).
    InfusionRate(usize),
    /// A constant of a drug file (`drug.<name>.<parameter>`, the parameter a name or a dotted
    /// path): the scenario's drugs are read again with it changed, by the drug loader.
    DrugConstant { drug: String, parameter: String },
    /// A patient property recorded beside the run (a phenotype indicator, a covariate), whose
    /// effects are already in the patient's parameters.
    Recorded,
    /// A virtual patient's factor on a drug constant (median 1), applied to the scenario's drug.
    DrugFactor { drug: String, constant: crate::population::DrugConstant },
}

impl Target {
    /// Whether the target changes what the scenario gives (its doses or a drug's constants), so
    /// that each run's scenario must be checked again.
    fn changes_dosing(&self) -> bool {
        matches!(
            self,
            Target::DoseAmount(_)
                | Target::DoseInterval(_)
                | Target::DoseStart(_)
                | Target::InfusionRate(_)
                | Target::DrugConstant { .. }
        )
    }
}

/// A checked factor: target, range in the file's unit and the factor to internal units.
#[derive(Debug, Clone)]
pub struct Factor {
    pub name: String,
    pub target: Target,
    pub unit: String,
    pub low: f64,
    pub high: f64,
    pub scale: Scale,
    pub levels: Option<usize>,
    /// Explicit grid levels (file unit), when given instead of a range.
    pub values: Option<Vec<f64>>,
    to_internal: f64,
    /// A dose per kg of body mass (`mg/kg`): scaled by each run's patient, so it follows a
    /// `body_mass` factor.
    per_kg: bool,
}

impl Factor {
    /// A value in the file's unit in internal units for the patient `model` (per-kg doses
    /// scaled by its body mass).
    fn internal(&self, v: f64, model: &Model) -> f64 {
        v * self.to_internal * if self.per_kg { model.params.body_mass } else { 1.0 }
    }

    /// Value in the file's unit at position u ∈ [0, 1].
    pub fn value_at(&self, u: f64) -> f64 {
        if let Some(values) = &self.values {
            // A grid's level i of n is u = i/(n − 1) (0.5 for n = 1).
            let i = (u * (values.len() - 1) as f64).round() as usize;
            return values[i.min(values.len() - 1)];
        }
        match self.scale {
            Scale::Linear => self.low + u * (self.high - self.low),
            Scale::Log => (self.low.ln() + u * (self.high.ln() - self.low.ln())).exp(),
        }
    }
}

/// The untreated course and its death day, or why it failed.
type UntreatedCourse = std::result::Result<(simulate::Trajectory, Option<f64>), String>;

/// A loaded sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub name: String,
    pub model: Model,
    pub scenario: Scenario,
    pub design: DesignKind,
    pub samples: usize,
    /// Grid levels of a Morris design.
    pub morris_levels: usize,
    /// Whether a Sobol' design has the BA rows of second-order indices.
    pub second_order: bool,
    pub seed: u64,
    pub settings: Settings,
    pub factors: Vec<Factor>,
    pub metrics: Vec<String>,
    /// How each metric is read, in the order of `metrics`.
    getters: Vec<Metric>,
    /// Concentration levels whose time above a metric records (followed in every run).
    levels: Vec<simulate::exposure::Level>,
    /// Subsampled trajectories to write (`trajectories.csv`), if asked for.
    pub traces: Option<Traces>,
    /// Factor ranges that leave a parameter's plausible range (allowed, but worth saying).
    pub warnings: Vec<String>,
    pub text: String,
    /// Where the scenario's drugs were found (read again for drug-constant factors).
    library: Library,
    /// Whether a metric compares each run with the same patient untreated.
    benefit_risk: bool,
    /// That untreated course when no factor changes the patient (the same for every run).
    untreated: std::sync::Arc<std::sync::OnceLock<UntreatedCourse>>,
    /// The population a `population` design draws its patients from.
    pub population: Option<std::sync::Arc<crate::population::Population>>,
}

/// The columns a cohort records per patient, as factors: an indicator (0/1) for each phenotype
/// level but the first (`phenotype.onset_site.bulbar`), each covariate (`covariate.age`), then
/// each parameter a patient may differ in (`model.lmn_hazard`, in the file's unit).
fn patient_columns(p: &crate::population::Population, model: &Model) -> Vec<Factor> {
    let column = |name: String, target: Target, unit: String, to_internal: f64| Factor {
        name,
        target,
        unit,
        low: f64::NAN,
        high: f64::NAN,
        scale: Scale::Linear,
        levels: None,
        values: None,
        to_internal,
        per_kg: false,
    };
    let mut columns = Vec::new();
    for ph in &p.phenotypes {
        for level in &ph.levels[1..] {
            columns.push(column(
                format!("phenotype.{}.{}", ph.name, level.name),
                Target::Recorded,
                "1".into(),
                1.0,
            ));
        }
    }
    for c in &p.covariates {
        columns.push(column(format!("covariate.{}", c.name), Target::Recorded, c.unit.clone(), 1.0));
    }
    for (drug, constant, _) in &p.drugs {
        let target = Target::DrugFactor { drug: drug.clone(), constant: *constant };
        columns.push(column(format!("drug.{drug}.{}_factor", constant.name()), target, "1".into(), 1.0));
    }
    for name in p.changed_parameters() {
        let r = model.resolved.iter().find(|r| r.name == name).expect("a checked parameter");
        let to_internal = if r.file_value != 0.0 { r.value / r.file_value } else { 1.0 };
        columns.push(column(
            format!("model.{name}"),
            Target::Parameter(name.clone()),
            r.unit.clone(),
            to_internal,
        ));
    }
    columns
}

/// Patient `i`'s values in the order of [`patient_columns`].
fn patient_values(
    p: &crate::population::Population,
    model: &Model,
    columns: &[Factor],
    seed: u64,
    i: usize,
) -> Vec<f64> {
    let patient = p.draw(model, seed, i as u64);
    let mut values: Vec<f64> = Vec::with_capacity(columns.len());
    for (ph, &k) in p.phenotypes.iter().zip(&patient.levels) {
        values.extend((1..ph.levels.len()).map(|j| f64::from(u8::from(j == k))));
    }
    values.extend(&patient.covariates);
    values.extend(&patient.drug_factors);
    for f in &columns[values.len()..] {
        let Target::Parameter(name) = &f.target else { unreachable!("parameters come last") };
        let internal = patient
            .parameters
            .iter()
            .find(|(n, _)| n == name)
            .map_or_else(|| model.params.get(name).expect("a known parameter"), |(_, v)| *v);
        values.push(internal / f.to_internal);
    }
    values
}

/// What one successful run gives: its metrics and, if asked for, its trajectory rows
/// (day first, then the chosen columns).
pub struct RunOutput {
    pub metrics: Vec<f64>,
    pub traces: Vec<Vec<f64>>,
}

/// The metrics a sweep can record: the numeric keys of the run summary.
pub fn metric_names() -> Vec<String> {
    simulate::summary::METRICS.iter().map(|(m, _, _)| m.to_string()).collect()
}

fn metric_getter(name: &str) -> Option<simulate::summary::MetricGetter> {
    simulate::summary::METRICS.iter().find(|(m, _, _)| *m == name).map(|&(_, _, get)| get)
}

/// How a sweep reads one metric from a run's summary.
#[derive(Debug, Clone)]
enum Metric {
    Summary(simulate::summary::MetricGetter),
    /// A drug's Cmax, trough or AUC in one compartment.
    Exposure {
        drug: String,
        compartment: simulate::exposure::Compartment,
        statistic: simulate::exposure::Statistic,
    },
    /// Days above the run's level of this index.
    TimeAbove(usize),
}

impl Metric {
    fn get(&self, summary: &simulate::Summary) -> Option<f64> {
        match self {
            Metric::Summary(get) => get(summary),
            Metric::Exposure { drug, compartment, statistic } => {
                summary.exposure.get(drug)?.get(*compartment, *statistic)
            }
            Metric::TimeAbove(i) => summary.time_above.get(*i).copied(),
        }
    }
}

/// The metric `name` of a sweep of `scenario`, adding a followed level for a time-above metric.
fn resolve_metric(
    path: &Path,
    name: &str,
    scenario: &Scenario,
    levels: &mut Vec<simulate::exposure::Level>,
) -> Result<Metric> {
    use simulate::exposure::{ExposureMetric, Level, Statistic, MAX_LEVELS};
    let refuse =
        |problem: String, allowed: String| Error::input(path, "sweep.metrics", None, problem, allowed);
    let Some(parsed) = ExposureMetric::parse(name) else {
        let known = metric_names().join(", ")
            + ", exposure.<drug>.<plasma|csf>_<cmax|trough|auc|time_above(<level> <unit>)>";
        return metric_getter(name)
            .map(Metric::Summary)
            .ok_or_else(|| refuse(format!("unknown metric `{name}`"), known));
    };
    let m = parsed.map_err(|e| refuse(format!("metric `{name}`: {e}"), String::new()))?;
    let drugs: Vec<&str> = scenario.drugs.iter().map(|d| d.name.as_str()).collect();
    let Some(slot) = drugs.iter().position(|d| *d == m.drug) else {
        return Err(refuse(
            format!("metric `{name}`: the sweep's scenario gives no {}", m.drug),
            if drugs.is_empty() {
                "a scenario with the drug".into()
            } else {
                format!("a drug of the scenario: {}", drugs.join(", "))
            },
        ));
    };
    match m.statistic {
        Statistic::TimeAbove(mg_per_l) => {
            if levels.len() == MAX_LEVELS {
                return Err(refuse(
                    format!("metric `{name}`: more than {MAX_LEVELS} time-above metrics"),
                    format!("at most {MAX_LEVELS}"),
                ));
            }
            levels.push(Level { slot, compartment: m.compartment, mg_per_l });
            Ok(Metric::TimeAbove(levels.len() - 1))
        }
        statistic => Ok(Metric::Exposure { drug: m.drug, compartment: m.compartment, statistic }),
    }
}

impl Sweep {
    /// Load a sweep file; models and scenarios are paths relative to it or bundled names.
    pub fn load(path: &Path) -> Result<Sweep> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::input(path, "", None, format!("cannot read sweep file: {e}"), "an existing TOML file")
        })?;
        Self::from_text(path, &text)
    }

    /// A sweep from its text; `path` names it in errors and its folder resolves relative names
    /// (as when it was loaded from `path`).
    pub fn from_text(path: &Path, text: &str) -> Result<Sweep> {
        let text = text.to_string();
        let file: SweepFile = params::parse_toml(path, &text)?;
        let h = &file.sweep;
        params::require_identifier(path, "sweep.name", &h.name)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let model = resolve_model(path, dir, &h.model)?;
        let (scenario, library) = match &h.scenario {
            Some(s) => resolve_scenario(path, dir, s, &model).map_err(|e| match e {
                // A bundled scenario's error names only the bundled file: say which sweep asked.
                Error::Input { ref file, .. } if file != path => {
                    Error::input(path, "sweep.scenario", None, e.to_string(), "")
                }
                other => other,
            })?,
            None => (Scenario::untreated(), Library::default()),
        };
        let fidelity: Fidelity = h
            .fidelity
            .parse()
            .map_err(|e: String| Error::input(path, "sweep.fidelity", None, e, "fast, full"))?;
        let mut settings = Settings::for_model(&model, fidelity);
        if let Some(q) = &h.duration {
            settings.duration = q.to_internal(path, &text, "sweep.duration", Kind::Time)?;
        }
        // The run settings every run will use: refused here, not as a sweep of failed runs.
        settings.check().map_err(|e| {
            let line = h.duration.as_ref().map(|q| q.line(&text));
            let problem = e.to_string().trim_start_matches("invalid settings: ").to_string();
            Error::input(path, "sweep.duration", line, problem, "")
        })?;
        // Following side effects every 15 min costs time; only do it when a harm is recorded.
        let benefit_risk = h.metrics.iter().any(|m| m.starts_with("benefit_risk."));
        settings.track_exposure = h.metrics.iter().any(|m| m.starts_with("exposure."));
        settings.track_harms = benefit_risk
            || settings.track_exposure
            || h.metrics.iter().any(|m| m.starts_with("peak_") && m != "peak_spasm" && m != "peak_nfl");
        let mut levels = Vec::new();
        let getters = h
            .metrics
            .iter()
            .map(|m| resolve_metric(path, m, &scenario, &mut levels))
            .collect::<Result<Vec<_>>>()?;
        if h.metrics.is_empty() {
            return Err(Error::input(path, "sweep.metrics", None, "no metrics", metric_names().join(", ")));
        }
        let population = match (h.design, &model.population) {
            (DesignKind::Population, Some(p)) if file.factor.is_empty() => Some(p.clone()),
            (DesignKind::Population, Some(_)) => {
                return Err(Error::input(
                    path,
                    "factor",
                    None,
                    "a population design draws its patients from the model's [population]",
                    "no [[factor]]",
                ))
            }
            (DesignKind::Population, None) => {
                return Err(Error::input(
                    path,
                    "sweep.model",
                    None,
                    format!("model `{}` has no [population] section", model.name),
                    "a model file with a [population] section (e.g. human_als)",
                ))
            }
            _ if file.factor.is_empty() => {
                return Err(Error::input(path, "factor", None, "no factors", "at least one [[factor]]"));
            }
            _ => None,
        };
        let traces = match &h.trajectories {
            None => None,
            Some(spec) => Some(traces(path, &text, spec, &scenario, &settings)?),
        };
        let factors = match &population {
            Some(p) => patient_columns(p, &model),
            None => file
                .factor
                .iter()
                .enumerate()
                .map(|(i, f)| factor(path, i, f, &scenario, h.design))
                .collect::<Result<Vec<_>>>()?,
        };
        let recorded = |f: &Factor| f.target == Target::Recorded;
        if let Some((i, f)) = factors
            .iter()
            .enumerate()
            .find(|(i, f)| !recorded(f) && factors[..*i].iter().any(|g| g.target == f.target))
        {
            return Err(Error::input(
                path,
                format!("factor[{i}].target"),
                None,
                format!("`{}` is already a factor", f.name),
                "each target at most once",
            ));
        }
        let morris_levels = h.morris_levels.unwrap_or(4);
        if h.morris_levels.is_some() && h.design != DesignKind::Morris {
            return Err(Error::input(
                path,
                "sweep.morris_levels",
                None,
                "only a Morris design has levels",
                "design = \"morris\"",
            ));
        }
        if !(2..=64).contains(&morris_levels) || !morris_levels.is_multiple_of(2) {
            return Err(Error::input(
                path,
                "sweep.morris_levels",
                None,
                format!("{morris_levels} levels"),
                "an even number from 2 to 64 (4 or 6 are usual)",
            ));
        }
        let second_order = h.second_order.unwrap_or(false);
        if h.second_order.is_some() && h.design != DesignKind::Sobol {
            return Err(Error::input(
                path,
                "sweep.second_order",
                None,
                "only a Sobol' design has second-order indices",
                "design = \"sobol\"",
            ));
        }
        if second_order && factors.len() < 2 {
            return Err(Error::input(
                path,
                "sweep.second_order",
                None,
                format!("{} factor: no pair to interact", factors.len()),
                "at least two factors",
            ));
        }
        let samples = run_count(path, h, &factors, second_order)?;
        let warnings = if population.is_some() {
            Vec::new()
        } else {
            check_ranges(path, &model, &scenario, &library, &settings, &factors)?
        };
        Ok(Sweep {
            name: h.name.clone(),
            model,
            scenario,
            design: h.design,
            samples,
            morris_levels,
            second_order,
            seed: h.seed,
            settings,
            factors,
            metrics: h.metrics.clone(),
            getters,
            levels,
            traces,
            warnings,
            text,
            library,
            benefit_risk,
            untreated: Default::default(),
            population,
        })
    }

    /// The values of run `i`: its design point mapped onto the factors, or patient `i` of the
    /// population (phenotype indicators, covariates, parameters in the file's units).
    pub fn values_of(&self, design: &design::Design, i: usize) -> Vec<f64> {
        match &self.population {
            Some(p) => patient_values(p, &self.model, &self.factors, self.seed, i),
            None => {
                let u = design.point(i);
                self.factors.iter().zip(&u).map(|(f, &x)| f.value_at(x)).collect()
            }
        }
    }

    /// The scenario, its drugs read again with this run's drug-constant factors and bound to
    /// `model` when `rebind` (the scenario itself when neither applies).
    fn scenario_with_drugs(&self, values: &[f64], model: &Model, rebind: bool) -> Result<Scenario> {
        let overrides: Vec<DrugOverride> = self
            .factors
            .iter()
            .zip(values)
            .filter_map(|(f, &v)| match &f.target {
                Target::DrugConstant { drug, parameter } => Some(DrugOverride {
                    drug: drug.clone(),
                    parameter: parameter.clone(),
                    value: v,
                    unit: Some(f.unit.clone()),
                    beyond_range: false,
                }),
                _ => None,
            })
            .collect();
        if overrides.is_empty() && !(rebind && self.scenario.source.is_some()) {
            return Ok(self.scenario.clone());
        }
        let library = Library { overrides, ..self.library.clone() };
        let path = self.scenario.source.clone().unwrap_or_default();
        Scenario::from_toml(&path, &self.scenario.text, model, &library)
    }

    /// The design on [0, 1]^d (points computed on demand).
    pub fn design(&self) -> design::Design {
        let d = self.factors.len();
        match self.design {
            DesignKind::Grid => {
                design::Design::grid(&self.factors.iter().map(|f| f.levels.unwrap_or(1)).collect::<Vec<_>>())
            }
            DesignKind::Lhs => design::Design::lhs(self.samples, d, self.seed),
            DesignKind::Morris => design::Design::morris(self.samples, d, self.morris_levels, self.seed),
            DesignKind::Sobol => design::Design::saltelli(self.samples, d, self.second_order, self.seed),
            DesignKind::Population => design::Design::Indexed(self.samples),
        }
    }

    /// One run: the factor values (file units) applied to model and scenario, then simulated.
    pub fn run(&self, values: &[f64]) -> std::result::Result<RunOutput, String> {
        let mut changes: Vec<(&str, f64)> = Vec::new();
        for (f, &v) in self.factors.iter().zip(values) {
            let Target::Parameter(name) = &f.target else { continue };
            let x = v * f.to_internal;
            let def =
                crate::model::parameters::DEFS.iter().find(|d| d.name == name).ok_or("unknown parameter")?;
            if !def.bound.admits(x) {
                return Err(format!(
                    "{name} = {v} {} is outside its physical bound ({})",
                    f.unit,
                    def.bound.describe()
                ));
            }
            changes.push((name, x));
        }
        let changed;
        let model = if changes.is_empty() {
            &self.model
        } else {
            changed = self.model.with_parameters(&changes).ok_or("unknown parameter")?;
            &changed
        };
        // The scenario is bound to the patient (per-kg doses, renal scaling of clearance): bound
        // again when a factor changes the patient's body mass or renal function.
        let rebind = changes.iter().any(|(n, _)| matches!(*n, "body_mass" | "renal_function"));
        let mut scenario = self.scenario_with_drugs(values, model, rebind).map_err(|e| e.to_string())?;
        for (f, &v) in self.factors.iter().zip(values) {
            apply(&mut scenario, &f.target, f.internal(v, model));
        }
        // Rules that are not monotone in a field (two lines' doses meeting in one day as a start
        // moves) are not bounded by the corners checked at load: check each run's scenario.
        if self.factors.iter().any(|f| f.target.changes_dosing()) {
            let path = self.scenario.source.clone().unwrap_or_default();
            scenario
                .check(&path, model)
                .map_err(|e| format!("the scenario at these values is refused: {e}"))?;
        }
        let traj = simulate::simulate_following(model, &scenario, &self.settings, &self.levels)
            .map_err(|e| e.to_string())?;
        let mut summary = Summary::of(model, &traj).with_withdrawal(&scenario);
        if self.benefit_risk {
            let untreated = || -> UntreatedCourse {
                let t = simulate::simulate(model, &Scenario::untreated(), &self.settings)
                    .map_err(|e| e.to_string())?;
                let death = Summary::of(model, &t).death_day;
                Ok((t, death))
            };
            let own;
            let (base, base_death) = if changes.is_empty() {
                let cached = self.untreated.get_or_init(untreated);
                let (t, d) = cached.as_ref().map_err(|e| format!("untreated: {e}"))?;
                (t, *d)
            } else {
                own = untreated().map_err(|e| format!("untreated: {e}"))?;
                (&own.0, own.1)
            };
            summary.benefit_risk = simulate::benefit::compare(
                model,
                &scenario,
                &traj,
                base,
                summary.death_day,
                base_death,
                simulate::benefit::Weights::default_weights(),
            );
        }
        let metrics = self.getters.iter().map(|m| m.get(&summary).unwrap_or(f64::NAN)).collect();
        // The kept rows of the course up to death, as in trajectory.csv.
        let traces = match &self.traces {
            None => Vec::new(),
            Some(t) => traj
                .rows_until_death(summary.death_day, t.stride)
                .map(|row| std::iter::once(row[0]).chain(t.indices.iter().map(|&c| row[c])).collect())
                .collect(),
        };
        Ok(RunOutput { metrics, traces })
    }
}

/// The sweep's `samples` (base samples, or the grid's run count), refused when the runs of the
/// whole sweep would pass [`crate::limits::MAX_RUNS`] (counted in 128 bits, so a grid of
/// huge level counts cannot wrap round to a small number).
fn run_count(path: &Path, h: &Header, factors: &[Factor], second_order: bool) -> Result<usize> {
    use crate::limits::MAX_RUNS;
    let d = factors.len() as u128;
    let (samples, runs) = match h.design {
        DesignKind::Grid => {
            let runs = factors.iter().fold(1u128, |n, f| n.saturating_mul(f.levels.unwrap_or(0) as u128));
            (runs, runs)
        }
        DesignKind::Lhs | DesignKind::Morris | DesignKind::Sobol | DesignKind::Population => {
            let n = match h.samples {
                Some(n) if n > 0 => n as u128,
                _ => {
                    return Err(Error::input(
                        path,
                        "sweep.samples",
                        None,
                        "missing or zero",
                        "samples = N > 0 (LHS points; Morris trajectories; Sobol base size; patients)",
                    ))
                }
            };
            let per_sample = match h.design {
                DesignKind::Lhs | DesignKind::Population => 1,
                DesignKind::Morris => d + 1,
                _ => design::Design::saltelli_block(d as usize, second_order) as u128,
            };
            (n, n.saturating_mul(per_sample))
        }
    };
    if runs > MAX_RUNS {
        let (field, what) = match h.design {
            DesignKind::Grid => ("factor", "the product of the factors' levels"),
            _ => ("sweep.samples", "samples times runs per sample"),
        };
        return Err(Error::input(
            path,
            field,
            None,
            format!("{runs} runs ({what})"),
            format!("at most {MAX_RUNS} runs per sweep (shard a larger study over separate sweeps)"),
        ));
    }
    let samples = samples as usize;
    if h.design == DesignKind::Sobol && !samples.is_power_of_two() {
        return Err(Error::input(
            path,
            "sweep.samples",
            None,
            format!("{samples} is not a power of two (Sobol' base samples)"),
            format!("a power of two, e.g. {}", samples.next_power_of_two()),
        ));
    }
    let most = sobol_sequence::MAX_DIMENSION / 2;
    if h.design == DesignKind::Sobol && factors.len() > most {
        return Err(Error::input(
            path,
            "factor",
            None,
            format!("{} factors", factors.len()),
            format!("at most {most} factors (Sobol' directions for {} dimensions)", 2 * most),
        ));
    }
    Ok(samples)
}

/// Every run of the sweep must be a run `simulate` would accept: each parameter factor's range
/// within the parameter's physical bound, and the scenario valid (dose limits, rates, starts,
/// intervals, dose counts; see [`Scenario::check`]) at each end of each factor's range and at
/// every corner of the factors' box (a daily dose is highest at the largest amount and the
/// shortest interval together). Rules monotone in each field are bounded by the corners; the
/// rest (two lines meeting as a start moves) are checked again in each run ([`Sweep::run`]).
/// Returns warnings for ranges that leave a parameter's plausible range.
fn check_ranges(
    path: &Path,
    model: &Model,
    scenario: &Scenario,
    library: &Library,
    settings: &Settings,
    factors: &[Factor],
) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    let mut dosing = Vec::new();
    for (i, f) in factors.iter().enumerate() {
        if let Target::DrugConstant { drug, parameter } = &f.target {
            // Each end read by the drug loader: unknown names, units and ranges refused here.
            for v in [f.low, f.high] {
                let o = DrugOverride {
                    drug: drug.clone(),
                    parameter: parameter.clone(),
                    value: v,
                    unit: Some(f.unit.clone()),
                    beyond_range: false,
                };
                let library = Library { overrides: vec![o], ..library.clone() };
                let source = scenario.source.clone().unwrap_or_default();
                Scenario::from_toml(&source, &scenario.text, model, &library).map_err(|e| {
                    Error::input(
                        path,
                        format!("factor[{i}].range"),
                        None,
                        format!("at {} = {v} {}: {e}", f.name, f.unit),
                        "a range the drug file accepts",
                    )
                })?;
            }
            continue;
        }
        let Target::Parameter(name) = &f.target else {
            dosing.push(i);
            continue;
        };
        let def = crate::model::parameters::DEFS.iter().find(|d| d.name == name).expect("checked target");
        for v in [f.low, f.high] {
            if !def.bound.admits(v * f.to_internal) {
                return Err(Error::input(
                    path,
                    format!("factor[{i}].range"),
                    None,
                    format!(
                        "{name} = {v} {} is outside its physical bound ({})",
                        f.unit,
                        def.bound.describe()
                    ),
                    format!("a range within the bound ({})", def.bound.describe()),
                ));
            }
        }
        if let Some(r) = model.resolved.iter().find(|r| r.name == *name) {
            let to_file = |x: f64| x * f.to_internal * r.file_value / r.value;
            let [lo, hi] = r.range;
            if r.value != 0.0 && (to_file(f.low) < lo * (1.0 - 1e-12) || to_file(f.high) > hi * (1.0 + 1e-12))
            {
                warnings.push(format!(
                    "factor[{i}] ({name}): range [{}, {}] {} leaves the plausible range of {} ([{lo}, {hi}] {})",
                    f.low,
                    f.high,
                    f.unit,
                    model.name,
                    r.unit
                ));
            }
        }
    }
    let scenario_path = scenario.source.clone().unwrap_or_else(|| path.to_path_buf());
    let refused = |which: String, values: &[(usize, f64)], e: Error| {
        let at: Vec<String> =
            values.iter().map(|&(i, v)| format!("{} = {v} {}", factors[i].name, factors[i].unit)).collect();
        let at = at.join(", ");
        match e {
            Error::Input { field, problem, allowed, .. } => Error::input(
                path,
                which,
                None,
                format!("at {at} the scenario is refused: `{field}`: {problem}"),
                allowed,
            ),
            other => Error::input(
                path,
                which,
                None,
                format!("at {at}: {other}"),
                "a range every run of which simulate accepts",
            ),
        }
    };
    let try_values = |values: &[(usize, f64)]| -> Result<()> {
        let mut s = scenario.clone();
        for &(i, v) in values {
            apply(&mut s, &factors[i].target, factors[i].internal(v, model));
        }
        s.check(&scenario_path, model)?;
        let doses = s.dose_count(settings.duration);
        if doses > crate::limits::MAX_DOSES {
            return Err(Error::Settings(format!(
                "{doses:.0} doses in {} days, above the limit of {} per run",
                settings.duration,
                crate::limits::MAX_DOSES
            )));
        }
        Ok(())
    };
    // Each factor alone first, so the message names the one at fault.
    for &i in &dosing {
        for v in [factors[i].low, factors[i].high] {
            try_values(&[(i, v)]).map_err(|e| refused(format!("factor[{i}].range"), &[(i, v)], e))?;
        }
    }
    // Then the corners of the box (at most 2^4 of them: with more dosing factors, and for rules
    // that are not monotone, each run's scenario is checked when it runs and a refused run is
    // recorded as failed with the reason).
    if dosing.len() > 1 && dosing.len() <= 4 {
        for corner in 0..1usize << dosing.len() {
            let values: Vec<(usize, f64)> = dosing
                .iter()
                .enumerate()
                .map(|(b, &i)| (i, if corner >> b & 1 == 1 { factors[i].high } else { factors[i].low }))
                .collect();
            let which = dosing.iter().map(|i| format!("factor[{i}].range")).collect::<Vec<_>>().join(" and ");
            try_values(&values).map_err(|e| refused(which, &values, e))?;
        }
    }
    Ok(warnings)
}

/// Set a scenario field a factor targets (internal units).
fn apply(scenario: &mut Scenario, target: &Target, x: f64) {
    match target {
        Target::Parameter(_) | Target::DrugConstant { .. } | Target::Recorded => {}
        Target::DrugFactor { drug, constant } => {
            if let Some(d) = scenario.drugs.iter_mut().find(|d| &d.name == drug) {
                crate::population::scale(d, *constant, x);
            }
        }
        Target::DoseAmount(i) => scenario.dosing[*i].amount = x,
        Target::DoseInterval(i) => scenario.dosing[*i].interval = x,
        Target::DoseStart(i) => scenario.dosing[*i].start = x,
        Target::InfusionRate(i) => scenario.infusions[*i].rate = x,
    }
}

/// Check a `[sweep.trajectories]` block against the output grid and the trajectory columns.
fn traces(
    path: &Path,
    text: &str,
    spec: &TracesSpec,
    scenario: &Scenario,
    settings: &Settings,
) -> Result<Traces> {
    let every = spec.every.to_internal(path, text, "sweep.trajectories.every", Kind::Time)?;
    let stride = (every / settings.output_step).round();
    if !(stride >= 1.0 && (stride * settings.output_step - every).abs() < 1e-9 * every.max(1.0)) {
        return Err(Error::input(
            path,
            "sweep.trajectories.every",
            None,
            format!("{every} days is not a whole multiple of the output step"),
            format!("a multiple of {} days", settings.output_step),
        ));
    }
    let empty = simulate::Trajectory {
        drug_names: scenario.drugs.iter().map(|d| d.name.clone()).collect(),
        ..Default::default()
    };
    let all = empty.columns();
    let names: Vec<String> = all.iter().map(|c| c.name.clone()).collect();
    let mut indices = Vec::new();
    for c in &spec.columns {
        match names.iter().position(|n| n == c && n != "day") {
            Some(i) => indices.push(i),
            None => {
                return Err(Error::input(
                    path,
                    "sweep.trajectories.columns",
                    None,
                    format!("unknown column `{c}`"),
                    names[1..].join(", "),
                ))
            }
        }
    }
    if indices.is_empty() {
        return Err(Error::input(
            path,
            "sweep.trajectories.columns",
            None,
            "no columns",
            "at least one trajectory column",
        ));
    }
    let units = indices.iter().map(|&i| all[i].unit).collect();
    Ok(Traces { stride: stride as usize, columns: spec.columns.clone(), units, indices })
}

pub(crate) fn resolve_model(sweep: &Path, dir: &Path, name: &str) -> Result<Model> {
    let path = dir.join(name);
    if path.is_file() {
        return Model::load(&path);
    }
    match crate::bundled::model(name) {
        Some((file, text)) => Model::from_toml(Path::new(&file), text),
        None => Err(Error::input(
            sweep,
            "sweep.model",
            None,
            format!("no model `{name}` (no file {}, no bundled model of that name)", path.display()),
            format!(
                "a model file or a bundled name ({})",
                crate::bundled::MODELS.iter().map(|m| m.0).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

pub(crate) fn resolve_scenario(
    sweep: &Path,
    dir: &Path,
    name: &str,
    model: &Model,
) -> Result<(Scenario, Library)> {
    let path = dir.join(name);
    if path.is_file() {
        let library = Library::for_scenario(&path);
        return Ok((Scenario::load(&path, model, &library)?, library));
    }
    match crate::bundled::scenario(name) {
        Some((file, text)) => {
            Ok((Scenario::from_toml(Path::new(&file), text, model, &Library::default())?, Library::default()))
        }
        None => Err(Error::input(
            sweep,
            "sweep.scenario",
            None,
            format!("no scenario `{name}` (no file {}, no bundled scenario of that name)", path.display()),
            "a scenario file or a bundled name (as in models/scenarios)",
        )),
    }
}

/// Check one factor: target exists, unit fits it, range ordered and non-empty, levels.
fn factor(path: &Path, i: usize, f: &FactorSpec, scenario: &Scenario, design: DesignKind) -> Result<Factor> {
    let field = |x: &str| format!("factor[{i}].{x}");
    let err =
        |x: &str, problem: String, allowed: String| Err(Error::input(path, field(x), None, problem, allowed));
    let parts: Vec<&str> = f.target.split('.').collect();
    let index = |s: &str, n: usize| s.parse::<usize>().ok().filter(|&k| k < n);
    let (target, kind) = match parts.as_slice() {
        ["model", name] => match crate::model::parameters::DEFS.iter().find(|d| d.name == *name) {
            Some(def) => (Target::Parameter(name.to_string()), Some(def.kind)),
            None => {
                return err(
                    "target",
                    format!("unknown model parameter `{name}`"),
                    "model.<parameter> as listed by `raphe params`".into(),
                )
            }
        },
        ["dosing", k, field_name] if index(k, scenario.dosing.len()).is_some() => {
            let k = index(k, scenario.dosing.len()).unwrap();
            match *field_name {
                "amount" => (Target::DoseAmount(k), None),
                "interval" => (Target::DoseInterval(k), Some(Kind::Time)),
                "start" => (Target::DoseStart(k), Some(Kind::Time)),
                other => {
                    return err(
                        "target",
                        format!("unknown dosing field `{other}`"),
                        "amount, interval, start".into(),
                    )
                }
            }
        }
        ["drug", drug, rest @ ..] if !rest.is_empty() => {
            if !scenario.drug_files.iter().any(|d| d.name == *drug) {
                return err(
                    "target",
                    format!("scenario `{}` gives no {drug}", scenario.name),
                    "drug.<name>.<parameter> for a drug of the scenario".into(),
                );
            }
            (Target::DrugConstant { drug: drug.to_string(), parameter: rest.join(".") }, None)
        }
        ["infusion", k, "rate"] if index(k, scenario.infusions.len()).is_some() => {
            (Target::InfusionRate(index(k, scenario.infusions.len()).unwrap()), Some(Kind::DoseRate))
        }
        _ => return err(
            "target",
            format!("unknown target `{}` for scenario `{}`", f.target, scenario.name),
            "model.<parameter>, dosing.<i>.amount|interval|start, infusion.<i>.rate (i within the scenario), drug.<name>.<parameter>"
                .into(),
        ),
    };
    let to_internal = match kind {
        // The drug loader converts the factor's unit to its file's (checked when the sweep loads).
        _ if matches!(target, Target::DrugConstant { .. }) => Some(1.0),
        Some(kind) => units::factor(kind, &f.unit),
        None => match units::dose_unit(&f.unit) {
            Some(DoseUnit::Absolute(x)) => Some(x),
            Some(DoseUnit::PerKg(x)) => Some(x),
            None => None,
        },
    };
    let per_kg = kind.is_none() && matches!(units::dose_unit(&f.unit), Some(DoseUnit::PerKg(_)));
    let Some(to_internal) = to_internal else {
        let allowed = kind.map_or_else(units::allowed_dose_units, units::allowed);
        return err("unit", format!("unit `{}` does not fit `{}`", f.unit, f.target), allowed);
    };
    let values: Option<Vec<f64>> = f.values.as_ref().map(|v| v.iter().map(|n| n.get()).collect());
    let (low, high, levels) = match (&f.range, &values) {
        (Some(r), None) => (r[0].get(), r[1].get(), f.levels),
        (None, Some(v)) => {
            if design != DesignKind::Grid {
                return err(
                    "values",
                    "explicit values need a grid design".into(),
                    "design = \"grid\", or a range".into(),
                );
            }
            if v.is_empty() || v.iter().any(|x| !x.is_finite()) || v.windows(2).any(|w| w[0] >= w[1]) {
                return err(
                    "values",
                    format!("{v:?}"),
                    "finite values in increasing order, at least one".into(),
                );
            }
            if f.levels.is_some_and(|n| n != v.len()) || f.scale != Scale::Linear {
                return err(
                    "values",
                    "values set the levels: leave out `levels` and `scale`".into(),
                    "values = [...] alone".into(),
                );
            }
            (v[0], v[v.len() - 1], Some(v.len()))
        }
        _ => {
            return err(
                "range",
                "give either `range` or `values`".into(),
                "range = [low, high] or values = [...]".into(),
            )
        }
    };
    if values.is_none() && !(low.is_finite() && high.is_finite() && low < high) {
        return err(
            "range",
            format!("range [{low}, {high}] is empty or reversed"),
            "[low, high] with low < high".into(),
        );
    }
    if f.scale == Scale::Log && low <= 0.0 {
        return err(
            "range",
            format!("log scale needs a positive range, got [{low}, {high}]"),
            "low > 0".into(),
        );
    }
    if design == DesignKind::Grid && levels.is_none_or(|n| n == 0) {
        return err("levels", "a grid factor needs levels > 0".into(), "levels = N >= 1".into());
    }
    Ok(Factor {
        name: f.target.clone(),
        target,
        unit: f.unit.clone(),
        low,
        high,
        scale: f.scale,
        levels,
        values,
        to_internal,
        per_kg,
    })
}

/// Metric values of one run, or why it failed.
type RunResult = std::result::Result<RunOutput, String>;

/// Runs per chunk: results of a chunk are written before the next starts, so memory stays flat.
pub const CHUNK: usize = 256;

/// A deterministic slice of a sweep: shard `index` of `count` runs the contiguous block of run
/// indices [index·R/count, (index+1)·R/count) of the R runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parse "K/N" (K from 0 to N − 1).
    pub fn parse(text: &str) -> std::result::Result<Shard, String> {
        let (k, n) = text.split_once('/').ok_or_else(|| format!("shard `{text}`: expected K/N"))?;
        let (index, count): (usize, usize) = (
            k.trim().parse().map_err(|_| format!("shard `{text}`: K is not a whole number"))?,
            n.trim().parse().map_err(|_| format!("shard `{text}`: N is not a whole number"))?,
        );
        if count == 0 || index >= count {
            return Err(format!("shard `{text}`: need 0 <= K < N"));
        }
        Ok(Shard { index, count })
    }

    pub fn range(&self, runs: usize) -> std::ops::Range<usize> {
        // In 128 bits: index × runs may not fit in 64.
        let at = |k: usize| (k as u128 * runs as u128 / self.count as u128) as usize;
        at(self.index)..at(self.index + 1)
    }
}

/// What a sweep produced.
pub struct Outcome {
    /// Runs of this shard.
    pub runs: usize,
    /// Runs of the whole sweep.
    pub total: usize,
    pub failed: usize,
    /// Runs this invocation computed (the others came from chunks a killed run left).
    pub computed: usize,
    /// Chunks found on resume that did not match their record (cut short, emptied or edited)
    /// and were computed again.
    pub recomputed_chunks: usize,
}

/// Why a sweep stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// `stop_after_chunks` was reached (tests).
    AsAsked,
    /// The caller's cancel flag was raised (a signal).
    Cancelled,
}

/// How to run a sweep.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions<'a> {
    pub shard: Shard,
    /// Keep the chunks an interrupted run of the same sweep left behind; run only the others.
    pub resume: bool,
    /// Stop with an error after this many new chunks (simulates a kill, for tests).
    pub stop_after_chunks: Option<usize>,
    /// Checked between chunks: once non-zero (a signal number), the sweep stops after the chunk
    /// it is writing.
    pub cancel: Option<&'a std::sync::atomic::AtomicUsize>,
    /// The table's file stem and first column: `runs`/`run` (sweeps), `patients`/`patient`
    /// (cohorts).
    pub table: &'static str,
    pub index: &'static str,
}

impl RunOptions<'_> {
    /// The whole sweep, from the start, never cancelled.
    pub fn whole() -> RunOptions<'static> {
        RunOptions {
            shard: Shard::ALL,
            resume: false,
            stop_after_chunks: None,
            cancel: None,
            table: "runs",
            index: "run",
        }
    }
}

/// One CSV row per run of a chunk, in run order, and the chunk's trajectory rows (`run, day,
/// columns…`; empty unless the sweep keeps trajectories).
fn chunk_rows(sweep: &Sweep, design: &design::Design, runs: std::ops::Range<usize>) -> (String, String) {
    let first_run = runs.start;
    let results: Vec<(Vec<f64>, RunResult)> = runs
        .into_par_iter()
        .map(|i| {
            let values = sweep.values_of(design, i);
            let r = sweep.run(&values);
            (values, r)
        })
        .collect();
    let (mut text, mut traces) = (String::new(), String::new());
    for (k, (values, r)) in results.into_iter().enumerate() {
        let run = (first_run + k).to_string();
        let mut row = vec![run.clone()];
        row.extend(values.iter().map(|v| format!("{v:?}")));
        match r {
            Ok(out) => {
                row.push("ok".into());
                row.extend(
                    out.metrics.iter().map(|v| if v.is_nan() { String::new() } else { format!("{v:?}") }),
                );
                for t in &out.traces {
                    let cells: Vec<String> = t.iter().map(|v| format!("{v:?}")).collect();
                    traces.push_str(&format!("{run},{}\n", cells.join(",")));
                }
            }
            Err(reason) => {
                row.push(format!("failed: {}", reason.replace([',', '\n'], ";")));
                row.extend(sweep.metrics.iter().map(|_| String::new()));
            }
        }
        text.push_str(&row.join(","));
        text.push('\n');
    }
    (text, traces)
}

/// The record of a finished chunk (`.chunks/NNNNNNN.json`), written after its files: the
/// runs it holds and the digest of each file, so resume can tell a whole chunk from one cut
/// short, emptied or edited.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
struct ChunkRecord {
    first_run: usize,
    runs: usize,
    sha256: String,
    traces_sha256: Option<String>,
}

/// The working files of a sweep in `DIR/.chunks/`.
struct Chunks {
    dir: std::path::PathBuf,
}

impl Chunks {
    fn rows(&self, c: usize) -> std::path::PathBuf {
        self.dir.join(format!("{c:07}.csv"))
    }
    fn traces(&self, c: usize) -> std::path::PathBuf {
        self.dir.join(format!("{c:07}.traces.csv"))
    }
    fn record(&self, c: usize) -> std::path::PathBuf {
        self.dir.join(format!("{c:07}.json"))
    }

    /// Write chunk `c`: its files first, the record last (a chunk is done once it has one).
    fn write(&self, c: usize, first_run: usize, runs: usize, rows: &str, traces: Option<&str>) -> Result<()> {
        use crate::output::{atomic, manifest::sha256};
        if let Some(t) = traces {
            atomic::write(&self.traces(c), t.as_bytes())?;
        }
        atomic::write(&self.rows(c), rows.as_bytes())?;
        let record = ChunkRecord { first_run, runs, sha256: sha256(rows), traces_sha256: traces.map(sha256) };
        atomic::write(&self.record(c), serde_json::to_string(&record).expect("serialises").as_bytes())
    }

    /// The rows (and traces) of chunk `c` if it is whole: a record for exactly these runs, and
    /// files that match its digests with one row per run, numbered in order.
    fn read(&self, c: usize, first_run: usize, runs: usize, traced: bool) -> Option<(String, String)> {
        use crate::output::manifest::sha256;
        let record: ChunkRecord =
            serde_json::from_str(&std::fs::read_to_string(self.record(c)).ok()?).ok()?;
        let rows = std::fs::read_to_string(self.rows(c)).ok()?;
        let traces = if traced { std::fs::read_to_string(self.traces(c)).ok()? } else { String::new() };
        let numbered =
            rows.lines().enumerate().all(|(k, l)| l.split(',').next() == Some(&(first_run + k).to_string()));
        let whole = record.first_run == first_run
            && record.runs == runs
            && record.sha256 == sha256(&rows)
            && record.traces_sha256 == traced.then(|| sha256(&traces))
            && rows.lines().count() == runs
            && rows.ends_with('\n')
            && numbered;
        whole.then_some((rows, traces))
    }
}

/// What identifies the chunks of one sweep: its file and every input it reads (model, scenario,
/// drug files, dosing tables), the shard and
/// the program, so resume never joins chunks of another sweep, input or raphe version.
fn sweep_key(sweep: &Sweep, shard: Shard) -> String {
    let drugs: Vec<&str> = sweep.scenario.drug_files.iter().map(|d| d.text.as_str()).collect();
    let tables: Vec<&str> = sweep.scenario.tables.iter().map(|(_, t)| t.as_str()).collect();
    crate::output::manifest::sha256(&format!(
        "{}\n{}\n{}\n{}\n{}\n{shard:?}\n{} {}",
        sweep.text,
        sweep.model.text,
        sweep.scenario.text,
        drugs.join("\n"),
        tables.join("\n"),
        env!("CARGO_PKG_VERSION"),
        env!("RAPHE_GIT_REVISION")
    ))
}

/// Run the sweep (or its shard). Each chunk of [`CHUNK`] runs is written atomically to
/// `DIR/.chunks/` with a record of its runs and digest as soon as it is done, so memory stays
/// flat and a killed sweep loses at most one chunk; `--resume` keeps the chunks of the same
/// sweep, inputs and shard that match their records and computes the rest. At the end the
/// chunks are joined into `runs.csv` (and `trajectories.csv`) and converted to `runs.parquet`,
/// all staged in `tx`; the caller commits, then removes the chunks with [`remove_chunks`].
/// `progress(done, total)` is called after each chunk (the CLI draws a bar; the library never
/// prints).
pub fn run_all(
    sweep: &Sweep,
    tx: &mut crate::output::transaction::Transaction,
    opts: RunOptions,
    progress: &dyn Fn(usize, usize),
) -> Result<Outcome> {
    use std::io::Write;
    let out = tx.dir().to_path_buf();
    let design = sweep.design();
    let total = design.len();
    let range = opts.shard.range(total);
    let (first, runs) = (range.start, range.len());
    let n_chunks = runs.div_ceil(CHUNK);
    let chunks = Chunks { dir: out.join(".chunks") };
    let key_path = chunks.dir.join("sweep.key");
    let key = sweep_key(sweep, opts.shard);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Output { path: path.clone(), cause: source }
    };
    // A folder whose key was never written (killed right after creating `.chunks/`) holds no
    // chunk worth keeping: it starts afresh.
    if opts.resume && key_path.is_file() {
        let old = std::fs::read_to_string(&key_path).unwrap_or_default();
        if old.trim() != key {
            return Err(Error::input(
                &chunks.dir,
                "",
                None,
                "the unfinished chunks here belong to another sweep, shard, input file or raphe version",
                "resume with the same sweep file, inputs, shard and raphe, or run without --resume",
            ));
        }
    } else {
        if chunks.dir.exists() {
            std::fs::remove_dir_all(&chunks.dir).map_err(io(&chunks.dir))?;
        }
        std::fs::create_dir_all(&chunks.dir).map_err(io(&chunks.dir))?;
        crate::output::atomic::write(&key_path, key.as_bytes())?;
    }
    let traced = sweep.traces.is_some();
    let span = |c: usize| first + c * CHUNK..(first + (c + 1) * CHUNK).min(range.end);
    let (mut new_chunks, mut computed, mut recomputed_chunks) = (0, 0, 0);
    for c in 0..n_chunks {
        let chunk = span(c);
        let on_disk = chunks.record(c).exists() || chunks.rows(c).exists();
        if on_disk && chunks.read(c, chunk.start, chunk.len(), traced).is_some() {
            continue;
        }
        recomputed_chunks += usize::from(on_disk);
        if opts.stop_after_chunks.is_some_and(|n| new_chunks >= n) {
            return Err(Error::Stopped { stop: Stop::AsAsked, done: c * CHUNK, runs });
        }
        if opts.cancel.is_some_and(|flag| flag.load(std::sync::atomic::Ordering::SeqCst) != 0) {
            return Err(Error::Stopped { stop: Stop::Cancelled, done: c * CHUNK, runs });
        }
        let (rows, traces) = chunk_rows(sweep, &design, chunk.clone());
        chunks.write(c, chunk.start, chunk.len(), &rows, traced.then_some(traces.as_str()))?;
        new_chunks += 1;
        computed += chunk.len();
        progress(chunk.end - first, runs);
    }
    let mut header = vec![opts.index.to_string()];
    header.extend(sweep.factors.iter().map(|f| format!("{} [{}]", f.name, f.unit)));
    header.push("status".into());
    header.extend(sweep.metrics.iter().cloned());
    let (csv_name, parquet_name) = (format!("{}.csv", opts.table), format!("{}.parquet", opts.table));
    let runs_csv = tx.stage(&csv_name)?;
    let final_path = out.join(&csv_name);
    let mut file = std::io::BufWriter::new(std::fs::File::create(&runs_csv).map_err(io(&final_path))?);
    writeln!(file, "{}", header.join(",")).map_err(io(&final_path))?;
    let mut traces_file = match &sweep.traces {
        None => None,
        Some(t) => {
            let path = tx.stage("trajectories.csv")?;
            let mut f = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io(&path))?);
            writeln!(f, "run,day,{}", t.columns.join(",")).map_err(io(&path))?;
            Some(f)
        }
    };
    let mut failed = 0;
    for c in 0..n_chunks {
        let chunk = span(c);
        // Checked again: a chunk changed since the loop above must not reach the results.
        let (rows, traces) = chunks.read(c, chunk.start, chunk.len(), traced).ok_or_else(|| {
            Error::input(
                chunks.rows(c),
                "",
                None,
                "changed while the sweep was joining its chunks",
                "rerun with --resume (one writer per folder)",
            )
        })?;
        failed += rows.lines().filter(|l| l.contains(",failed: ")).count();
        file.write_all(rows.as_bytes()).map_err(io(&final_path))?;
        if let Some(f) = traces_file.as_mut() {
            f.write_all(traces.as_bytes()).map_err(io(&out.join("trajectories.csv")))?;
        }
    }
    file.into_inner().map_err(|e| io(&final_path)(e.into_error()))?;
    if let Some(f) = traces_file {
        f.into_inner().map_err(|e| io(&out.join("trajectories.csv"))(e.into_error()))?;
    }
    let parquet = tx.stage(&parquet_name)?;
    crate::output::parquet::runs_from_csv(&runs_csv, &parquet)?;
    Ok(Outcome { runs, total, failed, computed, recomputed_chunks })
}

/// Remove a sweep's working chunks (after its results are committed).
pub fn remove_chunks(out: &Path) -> Result<()> {
    let dir = out.join(".chunks");
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Output { path: dir, cause: e }),
        _ => Ok(()),
    }
}
