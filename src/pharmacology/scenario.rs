//! Scenario files (`models/scenarios/*.toml`): which drugs are given, by which route, how much,
//! how often, from when to when. Doses are kept out of the model, as events (mrgsolve's
//! `ev(amt, ii, addl)`).
//!
//! A `[[dosing]]` line gives boluses, either as `dose` + `interval` or as a compact `regimen`
//! text (`"5 mg tid x 3d then 10 mg tid"`, see [`super::regimen`]), from `start` until an
//! optional `stop`. An `[[infusion]]` line gives a constant `rate` by `iv` or `intrathecal`
//! pump from `start` to an optional `stop`; rate changes are consecutive infusion lines.

use super::drug::Drug;
use super::effects::BoundDrug;
use super::library::Library;
use super::pk::{Rates, Route};
use super::regimen::{Length, Regimen};
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
    #[serde(default)]
    infusion: Vec<InfusionSpec>,
    #[serde(default)]
    dosing_table: Vec<TableSpec>,
    #[serde(default)]
    exercise: Vec<ExerciseSpec>,
}

/// A block of daily exercise: `minutes` per day from `start` to an optional `stop`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseSpec {
    minutes_per_day: Quantity,
    start: Quantity,
    #[serde(default)]
    stop: Option<Quantity>,
}

/// A NONMEM-style dosing table (CSV) for one drug, path relative to the scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableSpec {
    drug: String,
    file: String,
    time_unit: String,
    amount_unit: String,
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
    #[serde(default)]
    dose: Option<Quantity>,
    #[serde(default)]
    interval: Option<Quantity>,
    #[serde(default)]
    regimen: Option<String>,
    start: Quantity,
    #[serde(default)]
    stop: Option<Quantity>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InfusionSpec {
    drug: String,
    route: Route,
    rate: Quantity,
    start: Quantity,
    #[serde(default)]
    stop: Option<Quantity>,
}

/// Most distinct drugs in one scenario (the full-resolution state vector has a slot each).
pub const MAX_DRUGS: usize = 4;

use crate::limits::MIN_INTERVAL;

/// Repeated boluses: `amount` mg every `interval` days from `start`, at most `count` doses,
/// before `stop`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Dosing {
    /// Index into [`Scenario::drugs`].
    pub drug: usize,
    pub route: Route,
    pub amount: f64,
    pub interval: f64,
    pub start: f64,
    pub count: Option<u64>,
    pub stop: Option<f64>,
}

/// A constant-rate infusion, mg/day, on [start, stop).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Infusion {
    pub drug: usize,
    pub route: Route,
    pub rate: f64,
    pub start: f64,
    pub stop: Option<f64>,
}

impl Infusion {
    fn active_at(&self, t: f64) -> bool {
        t >= self.start && self.stop.is_none_or(|s| t < s)
    }
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
    pub infusions: Vec<Infusion>,
    /// Exercise blocks, sorted by start, not overlapping.
    pub exercise: Vec<super::exercise::ExerciseBlock>,
    /// Doses above a label maximum, for the user (not errors).
    pub warnings: Vec<String>,
    pub source: Option<PathBuf>,
    pub text: String,
    /// The dosing tables the scenario read (path, text), so provenance covers them too.
    pub tables: Vec<(PathBuf, String)>,
}

/// Reads one scenario file: keeps the path and text for errors and the drugs bound so far.
struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    model: &'a Model,
    library: &'a Library,
    drug_files: Vec<Drug>,
    tables: Vec<(PathBuf, String)>,
}

impl Reader<'_> {
    fn error(
        &self,
        field: String,
        line: Option<usize>,
        problem: impl Into<String>,
        allowed: impl Into<String>,
    ) -> Error {
        Error::input(self.path, field, line, problem, allowed)
    }

    /// Index of `name` among the scenario's drugs, loading and checking it on first use.
    fn drug(&mut self, name: &str, route: Route, field: &str) -> Result<usize> {
        let species = self.model.species;
        let index = match self.drug_files.iter().position(|d| d.name == name) {
            Some(k) => k,
            None => {
                let drug = self.library.find(name).map_err(|allowed| {
                    self.error(format!("{field}.drug"), None, format!("unknown drug `{name}`"), allowed)
                })??;
                // Named from the scenario's side too: the drug file alone does not say who asked.
                drug.pk_for(species, self.model.params.body_mass, self.model.params.renal_function).map_err(
                    |e| {
                        self.error(
                            format!("{field}.drug"),
                            None,
                            format!("`{name}` cannot be given to a {} here: {e}", species.name()),
                            "",
                        )
                    },
                )?;
                self.drug_files.push(drug);
                if self.drug_files.len() > MAX_DRUGS {
                    return Err(self.error(
                        format!("{field}.drug"),
                        None,
                        format!("more than {MAX_DRUGS} distinct drugs"),
                        format!("at most {MAX_DRUGS}"),
                    ));
                }
                self.drug_files.len() - 1
            }
        };
        self.drug_files[index]
            .check_route(route, species)
            .map_err(|problem| self.error(format!("{field}.route"), None, problem, "a listed route"))?;
        Ok(index)
    }

    fn time(&self, q: &Quantity, field: &str) -> Result<f64> {
        q.to_internal(self.path, self.text, field, Kind::Time)
    }

    /// A start time: as [`Self::time`], and no later than the longest run.
    fn start(&self, q: &Quantity, field: &str) -> Result<f64> {
        let start = self.time(q, field)?;
        if start > crate::limits::MAX_START {
            return Err(self.error(
                format!("{field}.value"),
                Some(q.line(self.text)),
                format!("day {start} is after the longest run"),
                "a start from day 0 to 36525 (100 years)",
            ));
        }
        Ok(start)
    }

    fn stop(&self, stop: &Option<Quantity>, start: f64, field: &str) -> Result<Option<f64>> {
        let Some(q) = stop else { return Ok(None) };
        let value = self.time(q, &format!("{field}.stop"))?;
        if value <= start {
            return Err(self.error(
                format!("{field}.stop.value"),
                Some(q.line(self.text)),
                "stop is not after start",
                "a stop time later than start",
            ));
        }
        Ok(Some(value))
    }

    fn dosing(&mut self, i: usize, spec: &DosingSpec) -> Result<Vec<Dosing>> {
        let field = format!("dosing[{i}]");
        let drug = self.drug(&spec.drug, spec.route, &field)?;
        if spec.route == Route::Intrathecal && spec.regimen.is_none() && spec.dose.is_none() {
            return Err(self.error(format!("{field}.dose"), None, "missing dose", "dose = { value, unit }"));
        }
        let start = self.start(&spec.start, &format!("{field}.start"))?;
        let stop = self.stop(&spec.stop, start, &field)?;
        let body_mass = self.model.params.body_mass;
        match (&spec.regimen, &spec.dose, &spec.interval) {
            (Some(text), None, None) => {
                let regimen = Regimen::parse(text).map_err(|e| {
                    self.error(format!("{field}.regimen"), None, e, "e.g. \"5 mg tid x 3d then 10 mg tid\"")
                })?;
                if let Some(step) =
                    regimen.steps.iter().find(|s| s.interval.is_some_and(|i| i < MIN_INTERVAL))
                {
                    return Err(self.error(
                        format!("{field}.regimen"),
                        None,
                        format!(
                            "`{}` doses more often than once a minute (repeated boluses that close are an infusion)",
                            step.frequency
                        ),
                        "an interval >= 1 min (e.g. q8h, tid, q30min)",
                    ));
                }
                Ok(compile(&regimen, drug, spec.route, start, stop, body_mass))
            }
            (None, Some(dose), Some(interval)) => {
                let amount = dose_amount(self.path, self.text, &format!("{field}.dose"), dose, body_mass)?;
                let every = self.time(interval, &format!("{field}.interval"))?;
                if every < MIN_INTERVAL {
                    return Err(self.error(
                        format!("{field}.interval.value"),
                        Some(interval.line(self.text)),
                        "interval shorter than 1 minute (repeated boluses that close are an infusion)",
                        "an interval >= 1 min",
                    ));
                }
                Ok(vec![Dosing {
                    drug,
                    route: spec.route,
                    amount,
                    interval: every,
                    start,
                    count: None,
                    stop,
                }])
            }
            _ => Err(self.error(
                field,
                None,
                "give either `regimen` or both `dose` and `interval`",
                "regimen = \"...\" | dose = {..} + interval = {..}",
            )),
        }
    }

    /// The boluses and infusions of a dosing table.
    fn table(&mut self, i: usize, spec: &TableSpec) -> Result<(Vec<Dosing>, Vec<Infusion>)> {
        let field = format!("dosing_table[{i}]");
        let day = units::factor(Kind::Time, &spec.time_unit).ok_or_else(|| {
            self.error(
                format!("{field}.time_unit"),
                None,
                format!("unknown unit `{}`", spec.time_unit),
                units::allowed(Kind::Time),
            )
        })?;
        let mg = match units::dose_unit(&spec.amount_unit) {
            Some(DoseUnit::Absolute(f)) => f,
            Some(DoseUnit::PerKg(f)) => f * self.model.params.body_mass,
            None => {
                return Err(self.error(
                    format!("{field}.amount_unit"),
                    None,
                    format!("unknown unit `{}`", spec.amount_unit),
                    units::allowed_dose_units(),
                ))
            }
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let table_path = dir.join(&spec.file);
        // Tables of bundled scenarios are bundled too.
        let bundled = self.path.starts_with("<bundled>").then(|| crate::bundled::table(&spec.file)).flatten();
        let text = match bundled {
            Some(text) => text.to_string(),
            None => std::fs::read_to_string(&table_path).map_err(|e| {
                self.error(
                    format!("{field}.file"),
                    None,
                    format!("cannot read {}: {e}", table_path.display()),
                    "a CSV file beside the scenario",
                )
            })?,
        };
        let records = super::nonmem::read(&table_path, &text, day, mg)?;
        self.tables.push((table_path.clone(), text.clone()));
        let (mut dosing, mut infusions) = (Vec::new(), Vec::new());
        for r in records {
            let drug = self.drug(&spec.drug, r.route, &field)?;
            if r.rate > 0.0 {
                if r.route == Route::Oral {
                    return Err(self.error(
                        field,
                        None,
                        format!("{}: oral record with a rate", table_path.display()),
                        "rate 0 for oral doses",
                    ));
                }
                let duration = r.amount / r.rate;
                if infusions.len() as u64 + r.additional + 1 > crate::limits::MAX_INFUSIONS as u64 {
                    return Err(self.error(
                        format!("{field}.file"),
                        None,
                        format!(
                            "{}: infusion records with addl expand to more than {} infusions",
                            table_path.display(),
                            crate::limits::MAX_INFUSIONS
                        ),
                        format!("at most {} infusion lines per scenario", crate::limits::MAX_INFUSIONS),
                    ));
                }
                for k in 0..=r.additional {
                    let start = r.time + k as f64 * r.interval;
                    infusions.push(Infusion {
                        drug,
                        route: r.route,
                        rate: r.rate,
                        start,
                        stop: Some(start + duration),
                    });
                }
            } else {
                dosing.push(Dosing {
                    drug,
                    route: r.route,
                    amount: r.amount,
                    interval: if r.additional > 0 { r.interval } else { f64::INFINITY },
                    start: r.time,
                    count: Some(r.additional + 1),
                    stop: None,
                });
            }
        }
        Ok((dosing, infusions))
    }

    fn infusion(&mut self, i: usize, spec: &InfusionSpec) -> Result<Infusion> {
        let field = format!("infusion[{i}]");
        if spec.route == Route::Oral {
            return Err(self.error(
                format!("{field}.route"),
                None,
                "oral drug cannot be infused",
                "iv, intrathecal",
            ));
        }
        let drug = self.drug(&spec.drug, spec.route, &field)?;
        let rate = spec.rate.to_internal(self.path, self.text, &format!("{field}.rate"), Kind::DoseRate)?;
        if rate <= 0.0 {
            return Err(self.error(
                format!("{field}.rate.value"),
                Some(spec.rate.line(self.text)),
                "rate must be positive",
                "a rate > 0",
            ));
        }
        let start = self.start(&spec.start, &format!("{field}.start"))?;
        let stop = self.stop(&spec.stop, start, &field)?;
        Ok(Infusion { drug, route: spec.route, rate, start, stop })
    }
}

/// The dosing lines of a regimen starting at `start`, truncated at `stop`.
fn compile(
    regimen: &Regimen,
    drug: usize,
    route: Route,
    start: f64,
    stop: Option<f64>,
    body_mass: f64,
) -> Vec<Dosing> {
    let mut t = start;
    let mut lines = Vec::new();
    for step in &regimen.steps {
        // Steps that would begin at or after the line's stop give nothing.
        if stop.is_some_and(|s| t >= s) {
            break;
        }
        let interval = step.interval.unwrap_or(f64::INFINITY);
        let (count, end) = match (step.interval, step.length) {
            (None, Some(Length::Days(d))) => (Some(1), Some(t + d)),
            (None, _) => (Some(1), None),
            (Some(_), Some(Length::Days(d))) => (None, Some(t + d)),
            (Some(every), Some(Length::Doses(n))) => (Some(n), Some(t + n as f64 * every)),
            (Some(_), None) => (None, None),
        };
        let line_stop = match (end, stop) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        lines.push(Dosing {
            drug,
            route,
            amount: Regimen::amount_mg(step, body_mass),
            interval,
            start: t,
            count,
            stop: line_stop,
        });
        match end {
            Some(e) => t = e,
            None => break,
        }
    }
    lines
}

/// The cumulative amount infused by a set of infusions: breakpoints (starts and stops, sorted)
/// with the amount infused up to each and the total rate after it.
struct Infused {
    times: Vec<f64>,
    amount: Vec<f64>,
    rate: Vec<f64>,
}

impl Infused {
    fn new<'a>(infusions: impl Iterator<Item = &'a Infusion>) -> Infused {
        let mut events: Vec<(f64, f64)> = Vec::new();
        for i in infusions {
            events.push((i.start, i.rate));
            if let Some(stop) = i.stop {
                events.push((stop, -i.rate));
            }
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (mut times, mut amount, mut rate) = (Vec::new(), Vec::new(), Vec::new());
        let (mut total, mut now) = (0.0, 0.0);
        for (t, delta) in events {
            let before = rate.last().copied().unwrap_or(0.0);
            total += before * (t - times.last().copied().unwrap_or(t));
            now += delta;
            times.push(t);
            amount.push(total);
            rate.push(now);
        }
        Infused { times, amount, rate }
    }

    /// Amount infused up to `t`.
    fn until(&self, t: f64) -> f64 {
        let j = self.times.partition_point(|&b| b <= t);
        if j == 0 {
            return 0.0;
        }
        self.amount[j - 1] + self.rate[j - 1] * (t - self.times[j - 1])
    }

    fn between(&self, a: f64, b: f64) -> f64 {
        self.until(b) - self.until(a)
    }
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
            infusions: vec![],
            exercise: vec![],
            warnings: vec![],
            source: None,
            text: String::new(),
            tables: Vec::new(),
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

    /// The earliest start of any dosing line, infusion or exercise block (None: untreated).
    pub fn first_start(&self) -> Option<f64> {
        let starts = self.dosing.iter().map(|d| d.start).chain(self.infusions.iter().map(|i| i.start));
        starts.chain(self.exercise.iter().map(|e| e.start)).reduce(f64::min)
    }

    /// The same regimen moved `by` days later (a trial arm started at each patient's enrolment).
    pub fn shifted(&self, by: f64) -> Scenario {
        let mut s = self.clone();
        for d in &mut s.dosing {
            d.start += by;
            d.stop = d.stop.map(|t| t + by);
        }
        for i in &mut s.infusions {
            i.start += by;
            i.stop = i.stop.map(|t| t + by);
        }
        for e in &mut s.exercise {
            e.start += by;
            e.stop = e.stop.map(|t| t + by);
        }
        s
    }

    /// Parse a scenario from text.
    pub fn from_toml(path: &Path, text: &str, model: &Model, library: &Library) -> Result<Scenario> {
        let file: ScenarioFile = params::parse_toml(path, text)?;
        params::require_identifier(path, "scenario.name", &file.scenario.name)?;
        let mut reader = Reader { path, text, model, library, drug_files: Vec::new(), tables: Vec::new() };
        let mut dosing = Vec::new();
        for (i, spec) in file.dosing.iter().enumerate() {
            dosing.extend(reader.dosing(i, spec)?);
        }
        let mut infusions = file
            .infusion
            .iter()
            .enumerate()
            .map(|(i, spec)| reader.infusion(i, spec))
            .collect::<Result<Vec<_>>>()?;
        for (i, spec) in file.dosing_table.iter().enumerate() {
            let (d, inf) = reader.table(i, spec)?;
            dosing.extend(d);
            infusions.extend(inf);
        }
        check_overlaps(path, &infusions)?;
        let exercise = exercise_blocks(path, text, &file.exercise)?;
        let (drug_files, tables) = (reader.drug_files, reader.tables);
        let drugs = drug_files
            .iter()
            .map(|d| {
                Ok(BoundDrug {
                    name: d.name.clone(),
                    pk: d.pk_for(model.species, model.params.body_mass, model.params.renal_function)?,
                    mechanism: d.mechanism,
                    harms: d.harms,
                    liver: d.liver,
                    molar_mass: d.molar_mass,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut scenario = Scenario {
            name: file.scenario.name,
            description: file.scenario.description,
            drugs,
            drug_files,
            dosing,
            infusions,
            exercise,
            warnings: vec![],
            source: Some(path.to_path_buf()),
            text: text.to_string(),
            tables,
        };
        scenario.check(path, model)?;
        scenario.warnings = scenario.label_warnings(model);
        Ok(scenario)
    }

    /// The rules every scenario obeys, however it was made (a file, or a sweep's factors
    /// applied to one): finite positive amounts and rates, intervals of at least a minute,
    /// starts in [0, 100 years], stops after starts, bounded numbers of doses and infusions,
    /// infusions that do not overlap, and each drug's hard dose bounds. `path` names the
    /// scenario in errors.
    pub fn check(&self, path: &Path, model: &Model) -> Result<()> {
        use crate::limits::{MAX_DOSES, MAX_INFUSIONS, MAX_START};
        let refuse = |field: String, problem: String, allowed: &str| {
            Err(Error::input(path, field, None, problem, allowed))
        };
        for (i, d) in self.dosing.iter().enumerate() {
            let field = |x: &str| format!("dosing line {i} ({}): {x}", self.drug_files[d.drug].name);
            if !(d.amount.is_finite() && d.amount > 0.0) {
                return refuse(field("amount"), format!("dose {} mg", d.amount), "a finite dose > 0 mg");
            }
            let single = d.count == Some(1);
            if !single && (d.interval.is_nan() || d.interval < MIN_INTERVAL) {
                return refuse(field("interval"), format!("{} days", d.interval), "an interval >= 1 min");
            }
            if !(d.start >= 0.0 && d.start <= MAX_START) {
                return refuse(
                    field("start"),
                    format!("day {}", d.start),
                    "a start from day 0 to 36525 (100 years)",
                );
            }
            if d.stop.is_some_and(|s| s.is_nan() || s <= d.start) {
                return refuse(field("stop"), "stop is not after start".into(), "a stop later than start");
            }
        }
        if self.infusions.len() > MAX_INFUSIONS {
            return refuse(
                "infusion".into(),
                format!("{} infusion lines", self.infusions.len()),
                "at most 10000",
            );
        }
        for (i, inf) in self.infusions.iter().enumerate() {
            let field = |x: &str| format!("infusion line {i} ({}): {x}", self.drug_files[inf.drug].name);
            if !(inf.rate.is_finite() && inf.rate > 0.0) {
                return refuse(field("rate"), format!("{} mg/day", inf.rate), "a finite rate > 0");
            }
            if !(inf.start >= 0.0 && inf.start <= MAX_START) {
                return refuse(
                    field("start"),
                    format!("day {}", inf.start),
                    "a start from day 0 to 36525 (100 years)",
                );
            }
            if inf.stop.is_some_and(|s| s.is_nan() || s <= inf.start) {
                return refuse(field("stop"), "stop is not after start".into(), "a stop later than start");
            }
        }
        // Dose limits are judged over the year after the last line starts: bound what that takes.
        let doses = self.dose_count(self.check_horizon());
        if doses > MAX_DOSES {
            return refuse(
                "dosing".into(),
                format!("{doses:.0} doses up to a year after the last line starts"),
                "at most 2000000 doses (every minute is 525960 a year)",
            );
        }
        check_overlaps(path, &self.infusions)?;
        check_hard_limits(path, model, self)
    }

    /// The end of the time over which dose limits are judged: a year after the last line starts.
    fn check_horizon(&self) -> f64 {
        let starts = self.dosing.iter().map(|d| d.start).chain(self.infusions.iter().map(|i| i.start));
        starts.fold(0.0, f64::max) + 365.25
    }

    /// How many boluses the dosing lines give before day `end` (counted, not listed).
    pub fn dose_count(&self, end: f64) -> f64 {
        self.dosing
            .iter()
            .map(|d| {
                let last = d.stop.unwrap_or(f64::INFINITY).min(end);
                if d.start >= last {
                    return 0.0;
                }
                let by_time = if d.interval.is_finite() && d.interval > 0.0 {
                    ((last - d.start) / d.interval).ceil().max(1.0)
                } else {
                    1.0
                };
                d.count.map_or(by_time, |c| by_time.min(c as f64))
            })
            .sum()
    }

    /// Highest amount of drug slot `k` given in any 24 hours (boluses plus infused amounts)
    /// over the first year after the last line starts; `intrathecal_only` counts only that route.
    /// The amount in [w, w + 1) is a step function of w (boluses) plus a piecewise-linear one
    /// (infusions), so its maximum is at a dose time or where a window edge meets an infusion's
    /// start or stop; the infused part is read from the cumulative amount, O(n log n) in all.
    pub fn max_daily_amount(&self, k: usize, intrathecal_only: bool) -> f64 {
        let counts = |r: Route| !intrathecal_only || r == Route::Intrathecal;
        let horizon = self.check_horizon();
        let doses: Vec<DoseEvent> =
            self.doses_until(horizon).into_iter().filter(|d| d.drug == k && counts(d.route)).collect();
        let infused = Infused::new(self.infusions.iter().filter(|i| i.drug == k && counts(i.route)));
        let mut starts: Vec<f64> = doses.iter().map(|d| d.time).collect();
        starts.extend(infused.times.iter().flat_map(|&b| [b, b - 1.0]));
        starts.sort_by(f64::total_cmp);
        let (mut worst, mut lo, mut hi, mut bolus_sum) = (0.0_f64, 0, 0, 0.0);
        for &w in &starts {
            while hi < doses.len() && doses[hi].time < w + 1.0 - 1e-9 {
                bolus_sum += doses[hi].amount;
                hi += 1;
            }
            while lo < hi && doses[lo].time < w - 1e-9 {
                bolus_sum -= doses[lo].amount;
                lo += 1;
            }
            worst = worst.max(bolus_sum + infused.between(w, w + 1.0));
        }
        worst
    }

    /// Drugs given above their label maximum in some 24 hours.
    fn label_warnings(&self, model: &Model) -> Vec<String> {
        let mut warnings = Vec::new();
        for (k, drug) in self.drug_files.iter().enumerate() {
            let Some(max) = drug.doses.get(&model.species).and_then(|d| d.label_max_daily) else { continue };
            let worst = self.max_daily_amount(k, false);
            if worst > max * (1.0 + 1e-9) {
                warnings.push(format!(
                    "{}: up to {worst:.3} mg in 24 h, above the label maximum of {max:.3} mg/day",
                    drug.name
                ));
            }
        }
        warnings
    }

    /// Training level of the exercise programme at day `t` (1 = reference daily time, trained).
    pub fn training_at(&self, model: &Model, t: f64) -> f64 {
        let p = &model.params;
        super::exercise::training_at(
            &self.exercise,
            t,
            p.exercise_reference_minutes,
            p.exercise_training_half_life,
        )
    }

    /// PK state of drug slot `k` at day `t`, replayed in closed form from its doses and infusions.
    pub fn pk_at(&self, k: usize, t: f64) -> super::pk::PkState {
        let pk = &self.drugs[k].pk;
        let doses: Vec<DoseEvent> = self.doses_until(t).into_iter().filter(|d| d.drug == k).collect();
        let mut edges: Vec<f64> =
            doses.iter().map(|d| d.time).chain(self.infusion_times()).filter(|&x| x < t).collect();
        edges.push(t);
        edges.sort_by(f64::total_cmp);
        let (mut state, mut now, mut next) = (super::pk::PkState::default(), 0.0, 0);
        for edge in edges {
            state = pk.propagate(state, edge - now, self.rates_at(now)[k]);
            now = edge;
            while next < doses.len() && doses[next].time <= now + 1e-12 && now < t {
                state = pk.dosed(state, doses[next].amount, doses[next].route);
                next += 1;
            }
        }
        state
    }

    /// Intrathecal infusions that stop with no intrathecal infusion of the same drug running on:
    /// (drug slot, day) of each abrupt stop before `end`.
    pub fn abrupt_intrathecal_stops(&self, end: f64) -> Vec<(usize, f64)> {
        self.infusions
            .iter()
            .filter(|i| i.route == Route::Intrathecal)
            .filter_map(|i| i.stop.map(|stop| (i.drug, stop)))
            .filter(|&(drug, stop)| {
                stop < end
                    && !self.infusions.iter().any(|j| {
                        j.drug == drug && j.route == Route::Intrathecal && (j.start - stop).abs() < 1e-6
                    })
            })
            .collect()
    }

    /// Dosing and infusion lines that start at or after day `end`, for a warning.
    pub fn unreached(&self, end: f64) -> Vec<String> {
        fn late(
            kind: &'static str,
            starts: impl Iterator<Item = f64>,
            end: f64,
        ) -> impl Iterator<Item = String> {
            starts.enumerate().filter(move |&(_, s)| s >= end).map(move |(i, _)| format!("{kind} {i}"))
        }
        late("dosing line", self.dosing.iter().map(|d| d.start), end)
            .chain(late("infusion", self.infusions.iter().map(|i| i.start), end))
            .collect()
    }

    /// Every dose before day `end`, in time order (ties keep file order). Times are computed as
    /// start + i·interval, so long regimens do not drift.
    pub fn doses_until(&self, end: f64) -> Vec<DoseEvent> {
        // Reserve what the lines will give (a capacity hint only; capped).
        let expected = |d: &Dosing| {
            let span = d.stop.unwrap_or(end).min(end) - d.start;
            let by_time = if d.interval > 0.0 { (span / d.interval).clamp(0.0, 1e6) + 1.0 } else { 1.0 };
            d.count.map_or(by_time, |c| by_time.min(c as f64))
        };
        let mut events = Vec::with_capacity(self.dosing.iter().map(expected).sum::<f64>() as usize);
        for d in &self.dosing {
            let last = d.stop.unwrap_or(f64::INFINITY).min(end);
            for i in 0u64.. {
                if d.count.is_some_and(|c| i >= c) {
                    break;
                }
                let time = if i == 0 { d.start } else { d.start + i as f64 * d.interval };
                if time >= last - 1e-9 {
                    break;
                }
                events.push(DoseEvent { time, drug: d.drug, amount: d.amount, route: d.route });
            }
        }
        // One dosing line is already in time order.
        if self.dosing.len() > 1 {
            events.sort_by(|a, b| a.time.total_cmp(&b.time));
        }
        events
    }

    /// Infusion rates per drug slot on the segment starting at `t`.
    pub fn rates_at(&self, t: f64) -> [Rates; MAX_DRUGS] {
        let mut rates = [Rates::default(); MAX_DRUGS];
        for inf in self.infusions.iter().filter(|i| i.active_at(t + 1e-9)) {
            match inf.route {
                Route::Intrathecal => rates[inf.drug].intrathecal += inf.rate,
                _ => rates[inf.drug].central += inf.rate,
            }
        }
        rates
    }

    /// Days at which an infusion starts or stops (segments are split there).
    pub fn infusion_times(&self) -> Vec<f64> {
        self.infusions.iter().flat_map(|i| std::iter::once(i.start).chain(i.stop)).collect()
    }
}

/// Exercise blocks in time order; they may not overlap.
fn exercise_blocks(
    path: &Path,
    text: &str,
    specs: &[ExerciseSpec],
) -> Result<Vec<super::exercise::ExerciseBlock>> {
    let mut blocks = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let field = format!("exercise[{i}]");
        let per_day =
            spec.minutes_per_day.to_internal(path, text, &format!("{field}.minutes_per_day"), Kind::Time)?;
        if per_day <= 0.0 || per_day > 0.5 {
            return Err(Error::input(
                path,
                format!("{field}.minutes_per_day.value"),
                Some(spec.minutes_per_day.line(text)),
                "exercise time per day out of range",
                "more than 0 and at most 12 h",
            ));
        }
        let start = spec.start.to_internal(path, text, &format!("{field}.start"), Kind::Time)?;
        let stop = match &spec.stop {
            Some(q) => {
                let stop = q.to_internal(path, text, &format!("{field}.stop"), Kind::Time)?;
                if stop <= start {
                    return Err(Error::input(
                        path,
                        format!("{field}.stop.value"),
                        Some(q.line(text)),
                        "stop is not after start",
                        "a stop time later than start",
                    ));
                }
                Some(stop)
            }
            None => None,
        };
        blocks.push(super::exercise::ExerciseBlock { per_day, start, stop });
    }
    blocks.sort_by(|a, b| a.start.total_cmp(&b.start));
    for w in blocks.windows(2) {
        if w[0].stop.is_none_or(|s| s > w[1].start) {
            return Err(Error::input(
                path,
                "exercise",
                None,
                "exercise blocks overlap",
                "consecutive, non-overlapping blocks",
            ));
        }
    }
    Ok(blocks)
}

/// A single dose above a drug's hard bound is an input error, not a regimen.
fn check_hard_limits(path: &Path, model: &Model, scenario: &Scenario) -> Result<()> {
    let species = model.species.name();
    let drugs = &scenario.drug_files;
    let limits = |k: usize| drugs[k].doses.get(&model.species).copied().unwrap_or_default();
    let refuse = |drug: &Drug, what: String, allowed: String| {
        Err(Error::input(
            path,
            format!("dosing ({})", drug.name),
            None,
            what,
            format!("{allowed} ({})", drug.source.display()),
        ))
    };
    for d in &scenario.dosing {
        let (drug, l) = (&drugs[d.drug], limits(d.drug));
        if let Some(max) = l.hard_max_single.filter(|&m| d.amount > m) {
            let what = format!("single dose of {:.4} mg is above the hard bound for {}", d.amount, drug.name);
            return refuse(
                drug,
                what,
                format!("at most {max} mg per dose (doses.{species}.hard_max_single)"),
            );
        }
    }
    for (k, drug) in drugs.iter().enumerate() {
        let l = limits(k);
        if let Some(max) = l.intrathecal_max_daily {
            let worst = scenario.max_daily_amount(k, true);
            if worst > max {
                let what = format!("{worst:.4} mg of intrathecal {} in 24 h is above the intrathecal bound (mg written for ug?)", drug.name);
                return refuse(
                    drug,
                    what,
                    format!("at most {max} mg in 24 h (doses.{species}.intrathecal_max_daily)"),
                );
            }
        }
        if let Some(max) = l.label_max_daily {
            let worst = scenario.max_daily_amount(k, false);
            if worst > HARD_LABEL_FACTOR * max {
                let what = format!(
                    "{worst:.4} mg of {} in 24 h is more than {HARD_LABEL_FACTOR} times the label maximum",
                    drug.name
                );
                return refuse(
                    drug,
                    what,
                    format!(
                        "at most {} mg in 24 h (doses.{species}.label_max_daily x {HARD_LABEL_FACTOR})",
                        HARD_LABEL_FACTOR * max
                    ),
                );
            }
        }
    }
    Ok(())
}

/// A 24-hour total this many times the label maximum is an input error, not a regimen.
const HARD_LABEL_FACTOR: f64 = 10.0;

/// Two infusions of the same drug by the same route may not overlap in time (a pump runs one
/// rate at a time; rate changes are consecutive lines).
fn check_overlaps(path: &Path, infusions: &[Infusion]) -> Result<()> {
    let mut order: Vec<usize> = (0..infusions.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (&infusions[i], &infusions[j]);
        (a.drug, a.route).cmp(&(b.drug, b.route)).then(a.start.total_cmp(&b.start))
    });
    for w in order.windows(2) {
        let (a, b) = (&infusions[w[0]], &infusions[w[1]]);
        if a.drug == b.drug && a.route == b.route && b.start < a.stop.unwrap_or(f64::INFINITY) {
            let (i, j) = (w[0].min(w[1]), w[0].max(w[1]));
            return Err(Error::input(
                path,
                format!("infusion[{j}]"),
                None,
                format!("overlaps infusion[{i}] of the same drug and route"),
                "consecutive, non-overlapping infusion windows (stop one before the next starts)",
            ));
        }
    }
    Ok(())
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
