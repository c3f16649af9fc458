//! The mechanistic model: serotonergic neuron loss → spinal 5-HT → 5-HT2B/2C receptor activity
//! → motoneuron PIC and reflex excitability → spasms, with upper and lower motor neuron loss,
//! clinical readouts and NfL. Equations and sources: `docs/model.md`.
//!
//! Each mechanism is a small module of pure functions; [`Model`] holds the parameters (in
//! internal units) and the baseline quantities derived from them, and wires the mechanisms.

pub mod degeneration;
pub mod excitability;
pub mod nfl;
pub mod overrides;
pub mod parameters;
pub mod readouts;
pub mod receptor;
pub mod serotonin;

use crate::error::{Error, Result};
use crate::math::Hill;
use crate::params::{self, ParamSpec, Quantity, Resolved};
use crate::units::{Kind, DAYS_PER_HOUR};
use degeneration::Degeneration;
pub use parameters::Parameters;
use receptor::{LigandLoad, Subtype};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Species of a model preset; selects the drug PK block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Species {
    Human,
    Mouse,
}

impl Species {
    pub fn name(self) -> &'static str {
        match self {
            Species::Human => "human",
            Species::Mouse => "mouse",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    model: Header,
    /// Every parameter; with `model.extends`, only those that differ from the base model.
    #[serde(default)]
    parameters: BTreeMap<String, ParamSpec>,
    /// How virtual patients differ (`raphe cohort`, trials).
    #[serde(default)]
    population: Option<crate::population::spec::PopulationFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    /// A base model (a file next to this one, `<name>.toml`, or a bundled model) whose
    /// parameters, population and defaults this file inherits and overrides: a variant
    /// such as the ALS-MS overlap lists only what differs, with its sources.
    #[serde(default)]
    extends: Option<String>,
    /// Required unless inherited through `extends` (so are `duration` and `output_step`).
    #[serde(default)]
    species: Option<Species>,
    description: String,
    /// Default simulated time.
    #[serde(default)]
    duration: Option<Quantity>,
    /// Default spacing of trajectory rows.
    #[serde(default)]
    output_step: Option<Quantity>,
}

/// Longest chain of `extends` (a cycle stops here instead of recursing without end).
const MAX_EXTENDS: usize = 4;

/// What the drugs present do to the model at one instant (computed by the PD layer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrugEffects {
    pub ht2b: LigandLoad,
    pub ht2c: LigandLoad,
    /// Multiplier on reflex transmission (1 = no drug; GABA-B/GABA-A/alpha-2 agonists lower it).
    pub reflex_gain: f64,
    /// Multiplier on 5-HT release (precursors raise it).
    pub serotonin_release: f64,
    /// Multiplier on 5-HT clearance (reuptake inhibitors lower it).
    pub serotonin_clearance: f64,
    /// Multiplier on muscle contraction force (excitation-contraction blockers lower it).
    pub muscle_force: f64,
    /// Multiplier on tone (a stretching programme lowers it).
    pub tone: f64,
    /// Side effects, each a fraction in [0, 1].
    pub harms: Harms,
}

/// Side effects at one instant: fractions of their maximum, combined across drugs as
/// independent actions (1 − Π(1 − h_i)).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Harms {
    pub sedation: f64,
    /// Fractional fall of blood pressure.
    pub hypotension: f64,
    /// Fractional fall of respiratory drive (lowers FVC).
    pub respiratory_depression: f64,
    /// Fractional loss of voluntary force (lowers motor function and ALSFRS-R).
    pub weakness: f64,
}

impl Default for DrugEffects {
    fn default() -> Self {
        DrugEffects {
            ht2b: LigandLoad::default(),
            ht2c: LigandLoad::default(),
            reflex_gain: 1.0,
            serotonin_release: 1.0,
            serotonin_clearance: 1.0,
            muscle_force: 1.0,
            tone: 1.0,
            harms: Harms::default(),
        }
    }
}

/// The slow disease states, integrated in both fidelity paths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Core {
    /// Surviving fraction of raphe serotonergic neurons.
    pub raphe: f64,
    /// Surviving fraction of upper motor neurons.
    pub umn: f64,
    /// Surviving fraction of lower motor neurons (motor units).
    pub lmn: f64,
    /// Surviving fraction of corticospinal axons not cut by multiple sclerosis lesions (1
    /// without MS): the ALS-MS overlap's second, independent loss of the UMN pathway.
    pub ms_pathway: f64,
    /// 5-HT2B density, x baseline.
    pub ht2b_density: f64,
    /// 5-HT2C density, x baseline.
    pub ht2c_density: f64,
    /// Share of 5-HT2B/2C receptors in the constitutively active form (0 before denervation).
    pub isoform_shift: f64,
    /// Serum NfL, pg/mL.
    pub nfl: f64,
    /// ∫ spasm intensity dt, intensity·day.
    pub spasm_auc: f64,
}

impl Core {
    pub const LEN: usize = 9;

    pub fn to_array(self) -> [f64; Self::LEN] {
        [
            self.raphe,
            self.umn,
            self.lmn,
            self.ms_pathway,
            self.ht2b_density,
            self.ht2c_density,
            self.isoform_shift,
            self.nfl,
            self.spasm_auc,
        ]
    }

    pub fn from_slice(y: &[f64]) -> Self {
        Core {
            raphe: y[0],
            umn: y[1],
            lmn: y[2],
            ms_pathway: y[3],
            ht2b_density: y[4],
            ht2c_density: y[5],
            isoform_shift: y[6],
            nfl: y[7],
            spasm_auc: y[8],
        }
    }

    /// Surviving fraction of the upper motor neuron pathway: UMN survival (ALS) times the
    /// corticospinal axons MS lesions have spared. Disinhibition and UMN weakness follow it.
    pub fn umn_pathway(&self) -> f64 {
        self.umn * self.ms_pathway
    }
}

/// Which neuron pools are degenerating during a solver segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phase {
    pub raphe: bool,
    pub umn: bool,
    pub lmn: bool,
    pub ms: bool,
}

/// Clinical and mechanistic readouts at one instant.
#[derive(Debug, Clone, Copy)]
pub struct Readouts {
    pub receptor_activity: f64,
    /// The part of `receptor_activity` that needs no 5-HT: constitutive activity (with the
    /// drugs present, so an inverse agonist lowers it and a neutral antagonist does not).
    pub constitutive_activity: f64,
    /// Motor-unit factor × PIC excess × disinhibition × drug gain × muscle force (see
    /// `readouts::reflex_drive`): what spasm frequency grades.
    pub spasm_drive: f64,
    pub excitability: f64,
    pub spasm: f64,
    pub spasms_per_hour: f64,
    pub penn: f64,
    pub ashworth: f64,
    pub pain: f64,
    /// Motor function from the disease alone (drug weakness is in `harms` and ALSFRS-R).
    pub motor_function: f64,
    pub alsfrs_r: f64,
    /// FVC, fraction of predicted, after drug-induced respiratory depression.
    pub fvc: f64,
    pub alive: bool,
    pub harms: Harms,
}

/// A loaded model: parameters plus baseline quantities derived from them.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub species: Species,
    pub description: String,
    pub default_duration: f64,
    pub default_output_step: f64,
    pub params: Parameters,
    /// Parameters as written in the file (units, ranges, sources) for listings.
    pub resolved: Vec<Resolved>,
    pub source: Option<PathBuf>,
    /// The file's text, hashed into the manifest.
    pub text: String,
    /// The file's `[population]`: how virtual patients differ (shared, not copied per patient).
    pub population: Option<std::sync::Arc<crate::population::Population>>,
    /// Where `population` was written and its text: a model that extends this one and has no
    /// `[population]` of its own resolves it again against its own parameters.
    population_spec: Option<std::sync::Arc<(PathBuf, crate::population::spec::PopulationFile)>>,
    derived: Derived,
}

/// Quantities computed once from the parameters.
#[derive(Debug, Clone)]
struct Derived {
    raphe: Degeneration,
    umn: Degeneration,
    lmn: Degeneration,
    ms: Degeneration,
    ht2b: Subtype,
    ht2c: Subtype,
    /// Weights turning density × active fraction into activity relative to baseline: the
    /// subtype's share over its baseline active fraction (multiplied, not divided, per call).
    ht2b_weight: f64,
    ht2c_weight: f64,
    /// 5-HT occupancy of each subtype in the healthy cord.
    ht2b_occupancy0: f64,
    ht2c_occupancy0: f64,
    pic0: f64,
    inverse_pic0: f64,
    pic_hill: crate::math::Hill,
    spasm_hill: crate::math::Hill,
    tone_hill: crate::math::Hill,
    serotonin_clearance: f64,
    nfl_clearance: f64,
}

impl Model {
    /// Load and check a model file.
    pub fn load(path: &Path) -> Result<Model> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::input(
                path,
                "",
                None,
                format!("cannot read model file: {e}"),
                "an existing, readable TOML file",
            )
        })?;
        Self::from_toml(path, &text)
    }

    /// Parse a model from TOML text; `path` names it in errors.
    pub fn from_toml(path: &Path, text: &str) -> Result<Model> {
        Self::parse(path, text, 0)
    }

    /// [`Self::from_toml`] at `depth` links down an `extends` chain.
    fn parse(path: &Path, text: &str, depth: usize) -> Result<Model> {
        let file: ModelFile = params::parse_toml(path, text)?;
        params::require_identifier(path, "model.name", &file.model.name)?;
        let h = &file.model;
        let base = match &h.extends {
            Some(name) => Some(Self::base(path, text, name, depth)?),
            None => None,
        };
        let inherited = |field: &str| {
            Error::input(
                path,
                format!("model.{field}"),
                None,
                "missing",
                "required unless the model has `extends`",
            )
        };
        let species = match (h.species, &base) {
            (Some(s), _) => s,
            (None, Some(b)) => b.species,
            (None, None) => return Err(inherited("species")),
        };
        let time = |q: &Option<Quantity>, field: &str, base_value: Option<f64>| match (q, base_value) {
            (Some(q), _) => q.to_internal(path, text, &format!("model.{field}"), Kind::Time),
            (None, Some(v)) => Ok(v),
            (None, None) => Err(inherited(field)),
        };
        let duration = time(&h.duration, "duration", base.as_ref().map(|b| b.default_duration))?;
        let output_step = time(&h.output_step, "output_step", base.as_ref().map(|b| b.default_output_step))?;
        let resolved = match &base {
            None => params::resolve(path, text, "parameters", &file.parameters, parameters::DEFS)?,
            Some(base) => {
                let own =
                    params::resolve_optional(path, text, "parameters", &file.parameters, parameters::DEFS)?;
                base.resolved.iter().zip(own).map(|(b, own)| own.unwrap_or_else(|| b.clone())).collect()
            }
        };
        let values: Vec<f64> = resolved.iter().map(|r| r.value).collect();
        let params = Parameters::from_values(&values);
        check_consistency(path, &params)?;
        // The defaults obey the run settings' bounds, checked here where the file can be named.
        let settings = crate::simulate::Settings {
            duration,
            output_step,
            fidelity: crate::simulate::Fidelity::Fast,
            tolerances: Default::default(),
            track_harms: false,
            track_exposure: false,
            window: None,
        };
        if let Err(e) = settings.check() {
            let problem = e.to_string().trim_start_matches("invalid settings: ").to_string();
            let line = h.duration.as_ref().map(|d| d.line(text));
            return Err(Error::input(path, "model.duration / model.output_step", line, problem, ""));
        }
        let mut model = Model::from_parameters(params);
        model.name = h.name.clone();
        model.species = species;
        model.description = h.description.clone();
        model.default_duration = duration;
        model.default_output_step = output_step;
        model.resolved = resolved;
        model.source = Some(path.to_path_buf());
        // The manifest hashes this: a variant's text is followed by its base's.
        model.text = match &base {
            None => text.to_string(),
            Some(b) => format!("{text}\n# ---- extends {} ----\n{}", path_text(&b.source), b.text),
        };
        model.population_spec = match file.population {
            Some(p) => Some(std::sync::Arc::new((path.to_path_buf(), p))),
            None => base.and_then(|b| b.population_spec),
        };
        if let Some(spec) = model.population_spec.clone() {
            let (spec_path, p) = &*spec;
            model.population =
                Some(std::sync::Arc::new(crate::population::Population::resolve(spec_path, p, &model)?));
        }
        Ok(model)
    }

    /// The model that `extends = "<name>"` in `path` names: `<name>.toml` beside `path`, or
    /// the bundled model of that name.
    fn base(path: &Path, text: &str, name: &str, depth: usize) -> Result<Model> {
        let line = text.lines().position(|l| l.trim_start().starts_with("extends")).map(|i| i + 1);
        let refuse = |problem: String| {
            let bundled: Vec<_> = crate::bundled::MODELS.iter().map(|m| m.0).collect();
            let allowed = format!(
                "a model file beside this one (`<name>` for `<name>.toml`) or a bundled model ({})",
                bundled.join(", ")
            );
            Error::input(path, "model.extends", line, problem, allowed)
        };
        if depth + 1 >= MAX_EXTENDS {
            return Err(refuse(format!("more than {MAX_EXTENDS} models chained by `extends` (a cycle?)")));
        }
        let file_name = if name.ends_with(".toml") { name.to_string() } else { format!("{name}.toml") };
        let beside = path.parent().map(|d| d.join(&file_name));
        if let Some(file) = beside.filter(|f| f.is_file()) {
            let base_text = std::fs::read_to_string(&file)
                .map_err(|e| refuse(format!("cannot read {}: {e}", file.display())))?;
            return Self::parse(&file, &base_text, depth + 1);
        }
        let stem = file_name.trim_end_matches(".toml");
        match crate::bundled::model(stem) {
            Some((file, base_text)) => Self::parse(Path::new(&file), base_text, depth + 1),
            None => Err(refuse(format!("`{name}`: no such model"))),
        }
    }

    /// A model from parameters alone (derived quantities recomputed); name and metadata blank.
    pub fn from_parameters(params: Parameters) -> Model {
        let p = &params;
        let ht2b = Subtype {
            constitutive_ratio: p.ht2b_constitutive_ratio,
            active_isoform_ratio: p.ht2b_active_isoform_ratio,
            kd_serotonin: p.ht2b_kd_serotonin,
            serotonin_efficacy: p.ht2b_serotonin_efficacy,
        };
        let ht2c = Subtype {
            constitutive_ratio: p.ht2c_constitutive_ratio,
            active_isoform_ratio: p.ht2c_active_isoform_ratio,
            kd_serotonin: p.ht2c_kd_serotonin,
            serotonin_efficacy: p.ht2c_serotonin_efficacy,
        };
        let none = LigandLoad::default();
        let s0 = p.serotonin_baseline;
        let derived = Derived {
            raphe: Degeneration { onset: p.raphe_onset, hazard: p.raphe_hazard },
            umn: Degeneration { onset: p.umn_onset, hazard: p.umn_hazard },
            lmn: Degeneration { onset: p.lmn_onset, hazard: p.lmn_hazard },
            ms: Degeneration { onset: p.ms_onset, hazard: p.ms_hazard },
            ht2b_weight: (1.0 - p.ht2c_share_of_pic) / ht2b.active_fraction(0.0, s0, none),
            ht2c_weight: p.ht2c_share_of_pic / ht2c.active_fraction(0.0, s0, none),
            ht2b_occupancy0: ht2b.serotonin_occupancy(s0),
            ht2c_occupancy0: ht2c.serotonin_occupancy(s0),
            ht2b,
            ht2c,
            pic0: excitability::pic_steady(1.0, p.pic_max, Hill::new(p.pic_half_activity, p.pic_hill)),
            inverse_pic0: 1.0
                / excitability::pic_steady(1.0, p.pic_max, Hill::new(p.pic_half_activity, p.pic_hill)),
            pic_hill: Hill::new(p.pic_half_activity, p.pic_hill),
            spasm_hill: Hill::new(p.spasm_half_drive, p.spasm_hill),
            tone_hill: Hill::new(p.tone_half_drive, p.tone_hill),
            serotonin_clearance: std::f64::consts::LN_2 / p.serotonin_half_life,
            nfl_clearance: std::f64::consts::LN_2 / p.nfl_half_life,
        };
        Model {
            name: String::new(),
            species: Species::Human,
            description: String::new(),
            default_duration: 5.0 * 365.25,
            default_output_step: 1.0,
            params,
            population: None,
            population_spec: None,
            resolved: Vec::new(),
            source: None,
            text: String::new(),
            derived,
        }
    }

    /// The same model with one parameter changed (by name, in internal units).
    pub fn with_parameter(&self, name: &str, value: f64) -> Option<Model> {
        self.with_parameters(&[(name, value)])
    }

    /// The same model with several parameters changed (derived quantities recomputed once).
    pub fn with_parameters(&self, changes: &[(&str, f64)]) -> Option<Model> {
        let mut params = self.params.clone();
        for &(name, value) in changes {
            *params.get_mut(name)? = value;
        }
        let mut m = Model::from_parameters(params);
        m.name = self.name.clone();
        m.species = self.species;
        m.description = self.description.clone();
        m.default_duration = self.default_duration;
        m.default_output_step = self.default_output_step;
        m.resolved = self.resolved.clone();
        m.source = self.source.clone();
        m.text = self.text.clone();
        m.population = self.population.clone();
        m.population_spec = self.population_spec.clone();
        Some(m)
    }

    /// State before disease.
    pub fn initial_core(&self) -> Core {
        Core {
            raphe: 1.0,
            umn: 1.0,
            lmn: 1.0,
            ms_pathway: 1.0,
            ht2b_density: 1.0,
            ht2c_density: 1.0,
            isoform_shift: 0.0,
            nfl: self.params.nfl_baseline,
            spasm_auc: 0.0,
        }
    }

    /// Slow states after long adaptation to raphe survival `raphe` (5-HT at its matching level,
    /// receptor density and isoform shift at their targets), with UMN and LMN intact: the
    /// chronic-spinal state when `raphe` is 0, the healthy one when it is 1.
    pub fn adapted_core(&self, raphe: f64) -> Core {
        let p = &self.params;
        let density =
            receptor::density_target(raphe, p.receptor_upregulation_max, 0.0, p.receptor_desensitisation);
        Core {
            raphe,
            ht2b_density: density,
            ht2c_density: density,
            isoform_shift: receptor::isoform_target(raphe, p.active_isoform_max_share),
            ..self.initial_core()
        }
    }

    /// Baseline PIC, nA.
    pub fn baseline_pic(&self) -> f64 {
        self.derived.pic0
    }

    /// Tone multiplier of an exercise programme at training level `training` (1 = reference).
    pub fn exercise_tone(&self, training: f64) -> f64 {
        1.0 - self.params.exercise_tone_reduction * training.clamp(0.0, 1.0)
    }

    /// Days at which degeneration switches on (solver segments are split there).
    pub fn onsets(&self) -> [f64; 4] {
        let d = &self.derived;
        [d.raphe.onset, d.umn.onset, d.lmn.onset, d.ms.onset]
    }

    /// Which pools degenerate in a segment starting at day `t`.
    pub fn phase_at(&self, t: f64) -> Phase {
        let d = &self.derived;
        let after = |on: f64| t >= on - 1e-9;
        Phase {
            raphe: after(d.raphe.onset),
            umn: after(d.umn.onset),
            lmn: after(d.lmn.onset),
            ms: after(d.ms.onset),
        }
    }

    /// d(spinal 5-HT)/dt; 5-HT normalised to baseline.
    pub fn serotonin_rate(&self, serotonin: f64, raphe: f64, effects: &DrugEffects) -> f64 {
        let k = self.derived.serotonin_clearance;
        serotonin::rate(serotonin, raphe, k, effects.serotonin_release, effects.serotonin_clearance)
    }

    /// Quasi-steady spinal 5-HT (x baseline) for the fast path.
    pub fn serotonin_quasi_steady(&self, raphe: f64, t: f64, effects: &DrugEffects) -> f64 {
        let d = &self.derived;
        serotonin::quasi_steady(
            raphe,
            d.raphe.hazard,
            d.serotonin_clearance,
            t - d.raphe.onset,
            effects.serotonin_release,
            effects.serotonin_clearance,
        )
    }

    /// PIC-facilitating 5-HT2B/2C activity (density × active fraction), x baseline, at
    /// normalised 5-HT `serotonin` with the drugs in `effects` competing.
    pub fn receptor_activity(&self, serotonin: f64, core: &Core, effects: &DrugEffects) -> f64 {
        let d = &self.derived;
        let s_nm = serotonin.max(0.0) * self.params.serotonin_baseline;
        let shift = core.isoform_shift;
        d.ht2c_weight * core.ht2c_density * d.ht2c.active_fraction(shift, s_nm, effects.ht2c)
            + d.ht2b_weight * core.ht2b_density * d.ht2b.active_fraction(shift, s_nm, effects.ht2b)
    }

    /// Quasi-steady PIC (nA) at receptor activity `activity`.
    pub fn pic_steady(&self, activity: f64) -> f64 {
        let p = &self.params;
        excitability::pic_steady(activity, p.pic_max, self.derived.pic_hill)
    }

    /// d(PIC)/dt.
    pub fn pic_rate(&self, pic: f64, activity: f64) -> f64 {
        excitability::pic_rate(pic, self.pic_steady(activity), self.params.pic_time_constant)
    }

    /// Spasm intensity in [0, 1] at PIC `pic` (nA).
    pub fn spasm(&self, core: &Core, pic: f64, effects: &DrugEffects) -> f64 {
        let factor = self.spasm_factor(core, pic);
        self.spasm_from(factor, core.lmn, effects)
    }

    /// The drug-free slow factor of the spasm drive at day `t` (5-HT quasi-steady): the PIC in
    /// excess of healthy times the disinhibited afferent trigger. When no drug acts on 5-HT or
    /// its receptors, drugs only multiply it ([`Self::spasm_from`]).
    pub fn drug_free_spasm_factor(&self, t: f64, core: &Core) -> f64 {
        let none = DrugEffects::default();
        let serotonin = self.serotonin_quasi_steady(core.raphe, t, &none);
        let pic = self.pic_steady(self.receptor_activity(serotonin, core, &none));
        self.spasm_factor(core, pic)
    }

    /// max(PIC/PIC₀ − 1, 0) × disinhibition: a long-lasting reflex needs a PIC above the
    /// healthy one to sustain it and a long EPSP, which appears only when UMN loss has removed
    /// inhibition, to trigger it (the scheme of spasms after SCI; docs/model.md §5).
    fn spasm_factor(&self, core: &Core, pic: f64) -> f64 {
        let excess = (pic * self.derived.inverse_pic0 - 1.0).max(0.0);
        excess * excitability::disinhibition(core.umn_pathway(), self.params.umn_inhibition_loss)
    }

    /// max(PIC/PIC₀ − θ, 0) × disinhibition: the exaggerated stretch reflex behind tone needs
    /// lost inhibition and grows with the motoneurons' PIC above a fraction θ of the healthy one
    /// (`tone_pic_threshold`), so UMN loss alone gives only slight hyperreflexia.
    fn tone_factor(&self, core: &Core, pic: f64) -> f64 {
        let p = &self.params;
        let pic_part = (pic * self.derived.inverse_pic0 - p.tone_pic_threshold).max(0.0);
        pic_part * excitability::disinhibition(core.umn_pathway(), p.umn_inhibition_loss)
    }

    /// Spasm intensity from the drug-free spasm factor and LMN survival, with drugs that act
    /// downstream of the PIC: reflex transmission (GABA-B, GABA-A, alpha-2 agonists scale the
    /// afferent trigger) and muscle force.
    pub fn spasm_from(&self, spasm_factor: f64, lmn: f64, effects: &DrugEffects) -> f64 {
        let drive =
            readouts::reflex_drive(spasm_factor * effects.reflex_gain, self.units(lmn), effects.muscle_force);
        readouts::spasm_intensity(drive, self.derived.spasm_hill)
    }

    /// The motor-unit factor of the reflex drives: LMN survival to the power
    /// `reflex_lmn_exponent`.
    fn units(&self, lmn: f64) -> f64 {
        crate::math::power(lmn.clamp(0.0, 1.0), self.params.reflex_lmn_exponent)
    }

    fn excitability(&self, core: &Core, pic: f64, effects: &DrugEffects) -> f64 {
        excitability::reflex_excitability(
            pic * self.derived.inverse_pic0,
            core.umn_pathway(),
            self.params.umn_inhibition_loss,
            effects.reflex_gain,
        )
    }

    /// Rates of the slow states and the spasm integral, given 5-HT and the PIC (states in the
    /// full path, quasi-steady in the fast path) and the drug effects.
    pub fn core_rates(
        &self,
        phase: Phase,
        core: &Core,
        serotonin: f64,
        pic: f64,
        effects: &DrugEffects,
    ) -> Core {
        Core { spasm_auc: self.spasm(core, pic, effects), ..self.slow_rates(phase, core, serotonin) }
    }

    /// 5-HT occupancy of 5-HT2B and 5-HT2C above the healthy one (0 at or below it; occupancy
    /// rises with 5-HT, so at or below baseline there is nothing to compute).
    fn occupancy_excess(&self, serotonin: f64) -> (f64, f64) {
        if serotonin <= 1.0 {
            return (0.0, 0.0);
        }
        let d = &self.derived;
        let s_nm = serotonin.max(0.0) * self.params.serotonin_baseline;
        let excess = |r: &Subtype, healthy: f64| (r.serotonin_occupancy(s_nm) / healthy - 1.0).max(0.0);
        (excess(&d.ht2b, d.ht2b_occupancy0), excess(&d.ht2c, d.ht2c_occupancy0))
    }

    /// Rates of the states that drugs do not touch directly (all but the spasm integral, whose
    /// rate is left at zero), given 5-HT: neuron loss, NfL and the receptor adaptation, which
    /// follows denervation (up) and 5-HT above the healthy level (down; docs/model.md §3). Only a
    /// drug that raises 5-HT above baseline reaches the slow states.
    pub fn slow_rates(&self, phase: Phase, core: &Core, serotonin: f64) -> Core {
        let p = &self.params;
        let d = &self.derived;
        let (excess_b, excess_c) = self.occupancy_excess(serotonin);
        let target = |excess| {
            receptor::density_target(
                core.raphe,
                p.receptor_upregulation_max,
                excess,
                p.receptor_desensitisation,
            )
        };
        let umn_rate = d.umn.rate(core.umn, phase.umn);
        let lmn_rate = d.lmn.rate(core.lmn, phase.lmn);
        let ms_rate = d.ms.rate(core.ms_pathway, phase.ms);
        let density =
            |density, excess| receptor::density_rate(density, target(excess), p.receptor_upregulation_time);
        let isoform_target = receptor::isoform_target(core.raphe, p.active_isoform_max_share);
        Core {
            raphe: d.raphe.rate(core.raphe, phase.raphe),
            umn: umn_rate,
            lmn: lmn_rate,
            ms_pathway: ms_rate,
            ht2b_density: density(core.ht2b_density, excess_b),
            ht2c_density: density(core.ht2c_density, excess_c),
            isoform_shift: (isoform_target - core.isoform_shift) / p.isoform_shift_time,
            nfl: nfl::rate(
                core.nfl,
                p.nfl_baseline,
                [(p.nfl_gain, -(umn_rate + lmn_rate)), (p.ms_nfl_gain, -ms_rate)],
                d.nfl_clearance,
            ),
            spasm_auc: 0.0,
        }
    }

    /// Readouts at one instant.
    pub fn readouts(&self, core: &Core, serotonin: f64, pic: f64, effects: &DrugEffects) -> Readouts {
        self.readouts_at_activity(core, pic, self.receptor_activity(serotonin, core, effects), effects)
    }

    /// [`Self::readouts`] when the receptor activity at that 5-HT is already known (the fast
    /// path computes it for the quasi-steady PIC; a third of a readout's cost).
    pub fn readouts_at_activity(
        &self,
        core: &Core,
        pic: f64,
        receptor_activity: f64,
        effects: &DrugEffects,
    ) -> Readouts {
        let p = &self.params;
        let constitutive_activity = self.receptor_activity(0.0, core, effects);
        let excitability = self.excitability(core, pic, effects);
        let units = self.units(core.lmn);
        let stretch_drive = readouts::reflex_drive(
            self.tone_factor(core, pic) * effects.reflex_gain,
            units,
            effects.muscle_force,
        );
        let spasm_drive = readouts::reflex_drive(
            self.spasm_factor(core, pic) * effects.reflex_gain,
            units,
            effects.muscle_force,
        );
        let spasm = readouts::spasm_intensity(spasm_drive, self.derived.spasm_hill);
        let spasms_per_hour = spasm * p.spasm_max_frequency * DAYS_PER_HOUR;
        let ashworth = readouts::ashworth(stretch_drive, effects.tone, self.derived.tone_hill);
        let function = readouts::motor_function(core.lmn, core.umn_pathway(), p.umn_function_weight);
        let harms = effects.harms;
        let fvc =
            readouts::fvc(function, p.respiratory_reserve_function) * (1.0 - harms.respiratory_depression);
        let treated_function = function * (1.0 - harms.weakness);
        Readouts {
            receptor_activity,
            constitutive_activity,
            spasm_drive,
            excitability,
            spasm,
            spasms_per_hour,
            penn: readouts::penn_score(spasms_per_hour),
            ashworth,
            pain: readouts::pain(
                spasm,
                ashworth,
                function,
                [p.pain_spasm_weight, p.pain_tone_weight, p.pain_immobility_weight],
            ),
            motor_function: function,
            alsfrs_r: readouts::alsfrs_r(treated_function, p.motor_onset_function, p.alsfrs_exponent),
            harms,
            fvc,
            alive: fvc >= p.death_fvc,
        }
    }
}

fn path_text(path: &Option<PathBuf>) -> String {
    path.as_ref().map(|p| p.display().to_string()).unwrap_or_default()
}

/// Relations between parameters that single ranges cannot express.
fn check_consistency(path: &Path, p: &Parameters) -> Result<()> {
    let rule = |ok: bool, field: &str, problem: &str, allowed: &str| {
        if ok {
            Ok(())
        } else {
            Err(Error::input(path, format!("parameters.{field}"), None, problem, allowed))
        }
    };
    // Single-parameter bounds are checked at load (params::Bound); these relate several.
    rule(p.death_fvc < 1.0, "death_fvc", "death at full FVC", "below 1")?;
    rule(
        p.umn_inhibition_loss < 1.0,
        "umn_inhibition_loss",
        "all inhibition lost makes excitability infinite",
        "below 1",
    )?;
    rule(
        p.respiratory_reserve_function * p.death_fvc < p.motor_onset_function,
        "death_fvc",
        "respiratory death would come before motor onset",
        "respiratory_reserve_function x death_fvc < motor_onset_function",
    )?;
    rule(
        std::f64::consts::LN_2 / p.serotonin_half_life > 10.0 * p.raphe_hazard,
        "serotonin_half_life",
        "5-HT clearance is not fast compared with raphe loss",
        "clearance rate ln2/t½ at least 10x the raphe hazard",
    )?;
    Ok(())
}
