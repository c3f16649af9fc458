//! Drug files (`models/drugs/*.toml`): what a drug is, how it reaches the spinal cord in each
//! species, and what it does there. Read with the same strict parameter loader as models.

use super::pk::{OneCompartment, PkConstants, Route};
use crate::error::{Error, Result};
use crate::model::Species;
use crate::params::{self, Bound, ParamDef, ParamSpec, Resolved};
use crate::units::Kind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DrugFile {
    drug: Header,
    parameters: BTreeMap<String, ParamSpec>,
    #[serde(default)]
    side_effects: BTreeMap<String, ParamSpec>,
    pk: BTreeMap<Species, BTreeMap<String, ParamSpec>>,
    /// Liver-injury risk from the dose history (optional).
    #[serde(default)]
    hepatotoxicity: BTreeMap<String, ParamSpec>,
    /// Dose limits per species (all optional).
    #[serde(default)]
    doses: BTreeMap<Species, BTreeMap<String, ParamSpec>>,
    /// CSF kinetics of drug given into the CSF, per species (required for the intrathecal route).
    #[serde(default)]
    intrathecal: BTreeMap<Species, BTreeMap<String, ParamSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    description: String,
    mechanism: MechanismKind,
    routes: Vec<Route>,
}

/// How a drug acts, as named in drug files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MechanismKind {
    /// A ligand of 5-HT2B/2C acting through the two-state model (SB206553, cyproheptadine, …).
    Ht2Ligand,
    /// GABA-B agonist: presynaptic inhibition of afferent transmission (baclofen).
    GabaBAgonist,
    /// GABA-A positive modulator: spinal inhibition of reflexes (diazepam).
    GabaAModulator,
    /// Alpha-2 agonist: less afferent and interneuronal transmission (tizanidine, clonidine).
    Alpha2Agonist,
    /// Serotonin reuptake inhibitor: slower 5-HT clearance (escitalopram).
    SerotoninReuptakeInhibitor,
    /// Serotonin precursor: more 5-HT synthesis and release (5-HTP).
    SerotoninPrecursor,
    /// Excitation–contraction coupling blocker: less muscle force (dantrolene).
    EcCouplingBlocker,
}

/// A drug's action with its constants in internal units (concentrations are CSF, mg/L).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mechanism {
    /// Affinities (nM) and efficacies at 5-HT2B and 5-HT2C.
    Ht2Ligand { ki_2b: f64, ki_2c: f64, efficacy_2b: f64, efficacy_2c: f64 },
    /// Multiplies reflex transmission by 1 − emax·cʰ/(cʰ + ec50ʰ).
    Reflex { emax: f64, ec50: f64, hill: f64 },
    /// Multiplies 5-HT clearance by 1 − emax·c/(c + ec50).
    SerotoninClearance { emax: f64, ec50: f64 },
    /// Multiplies 5-HT release by 1 + emax·c/(c + ec50).
    SerotoninRelease { emax: f64, ec50: f64 },
    /// Multiplies muscle force by 1 − emax·c/(c + ec50).
    MuscleForce { emax: f64, ec50: f64 },
}

use Bound::{Fraction, NonNegative, Positive};
use Kind::{Dimensionless, MassConcentration, MolarConcentration};

const MOLAR_MASS: ParamDef = ParamDef::new("molar_mass", Kind::MolarMass, Positive, "molar mass");

const HT2_LIGAND: &[ParamDef] = &[
    MOLAR_MASS,
    ParamDef::new("ki_2b", MolarConcentration, Positive, "affinity (Ki or KB) at 5-HT2B"),
    ParamDef::new("ki_2c", MolarConcentration, Positive, "affinity (Ki or KB) at 5-HT2C"),
    ParamDef::new(
        "efficacy_2b",
        Dimensionless,
        NonNegative,
        "two-state efficacy alpha at 5-HT2B (<1 inverse agonist, 1 neutral, >1 agonist)",
    ),
    ParamDef::new("efficacy_2c", Dimensionless, NonNegative, "two-state efficacy alpha at 5-HT2C"),
];

const REFLEX: &[ParamDef] = &[
    MOLAR_MASS,
    ParamDef::new(
        "reflex_emax",
        Dimensionless,
        Fraction,
        "maximal fractional reduction of reflex transmission",
    ),
    ParamDef::new(
        "reflex_ec50_csf",
        MassConcentration,
        Positive,
        "CSF concentration giving half the maximal reduction",
    ),
    ParamDef::new("reflex_hill", Dimensionless, Positive, "Hill coefficient of the reflex effect"),
];

const REUPTAKE: &[ParamDef] = &[
    MOLAR_MASS,
    ParamDef::new(
        "reuptake_emax",
        Dimensionless,
        Fraction,
        "fraction of 5-HT clearance removed at full transporter occupancy",
    ),
    ParamDef::new(
        "reuptake_ec50_csf",
        MassConcentration,
        Positive,
        "CSF concentration giving half the maximal effect",
    ),
];

const PRECURSOR: &[ParamDef] = &[
    MOLAR_MASS,
    ParamDef::new("release_emax", Dimensionless, NonNegative, "maximal fractional rise of 5-HT release"),
    ParamDef::new(
        "release_ec50_csf",
        MassConcentration,
        Positive,
        "CSF concentration giving half the maximal rise",
    ),
];

const EC_COUPLING: &[ParamDef] = &[
    MOLAR_MASS,
    ParamDef::new("force_emax", Dimensionless, Fraction, "maximal fractional loss of muscle force"),
    ParamDef::new(
        "force_ec50",
        MassConcentration,
        Positive,
        "effect-site concentration giving half the maximal loss",
    ),
];

/// Side effects: each a pair (maximal fraction, effect-site concentration at half of it); a
/// pair may be left out.
pub const HARM_DEFS: &[ParamDef] = &[
    ParamDef::new("sedation_emax", Dimensionless, Fraction, "maximal sedation (fraction)"),
    ParamDef::new(
        "sedation_ec50",
        MassConcentration,
        Positive,
        "effect-site concentration at half-maximal sedation",
    ),
    ParamDef::new("hypotension_emax", Dimensionless, Fraction, "maximal fractional fall of blood pressure"),
    ParamDef::new(
        "hypotension_ec50",
        MassConcentration,
        Positive,
        "effect-site concentration at half the maximal fall",
    ),
    ParamDef::new(
        "respiratory_emax",
        Dimensionless,
        Fraction,
        "maximal fractional fall of respiratory drive",
    ),
    ParamDef::new(
        "respiratory_ec50",
        MassConcentration,
        Positive,
        "effect-site concentration at half the maximal fall",
    ),
    ParamDef::new("weakness_emax", Dimensionless, Fraction, "maximal fractional loss of voluntary force"),
    ParamDef::new(
        "weakness_ec50",
        MassConcentration,
        Positive,
        "effect-site concentration at half the maximal loss",
    ),
    ParamDef::new(
        "respiratory_hill",
        Dimensionless,
        Positive,
        "steepness of respiratory depression against concentration (default 1)",
    ),
];

/// Dose limits, per species block: a typical single dose (for tests and examples), the label's
/// maximal daily dose (above it: a warning) and a hard single-dose bound (above it: an error).
pub const DOSE_DEFS: &[ParamDef] = &[
    ParamDef::new("typical_dose", Kind::Dose, Positive, "a typical single dose"),
    ParamDef::new("label_max_daily", Kind::DoseRate, Positive, "maximal daily dose on the label"),
    ParamDef::new(
        "hard_max_single",
        Kind::Dose,
        Positive,
        "single dose above which the input is surely an error",
    ),
    ParamDef::new(
        "intrathecal_max_daily",
        Kind::DoseRate,
        Positive,
        "intrathecal amount per day above which the input is surely an error (mg given for ug)",
    ),
];

/// A drug's dose limits for one species, mg and mg/day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DoseLimits {
    pub typical: Option<f64>,
    pub label_max_daily: Option<f64>,
    pub hard_max_single: Option<f64>,
    pub intrathecal_max_daily: Option<f64>,
}

/// Liver-injury risk parameters (all required when the table is present).
pub const LIVER_DEFS: &[ParamDef] = &[
    ParamDef::new(
        "incidence",
        Dimensionless,
        Bound::PositiveFraction,
        "cumulative incidence of liver injury over the early window at the reference dose",
    ),
    ParamDef::new(
        "reference_daily_dose",
        Kind::DoseRate,
        Positive,
        "daily dose at which the incidence holds",
    ),
    ParamDef::new("dose_exponent", Dimensionless, NonNegative, "power of the daily dose in the hazard"),
    ParamDef::new("window", Kind::Time, Positive, "early window of exposure in which injury concentrates"),
    ParamDef::new("late_ratio", Dimensionless, Fraction, "hazard after the window relative to within it"),
];

/// A side effect: E = emax·cʰ/(cʰ + ec50ʰ) of the effect-site concentration (h = 1 unless the
/// file gives a steepness: respiratory depression by benzodiazepines is negligible at
/// therapeutic levels and steep in overdose).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Harm {
    pub emax: f64,
    pub ec50: f64,
    pub hill: f64,
}

impl Default for Harm {
    fn default() -> Self {
        Harm { emax: 0.0, ec50: 1.0, hill: 1.0 }
    }
}

impl Harm {
    pub fn at(&self, c: f64) -> f64 {
        if self.emax == 0.0 {
            return 0.0;
        }
        self.emax * crate::math::Hill::new(self.ec50, self.hill).at(c.max(0.0))
    }
}

/// A drug's side effects.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HarmProfile {
    pub sedation: Harm,
    pub hypotension: Harm,
    pub respiratory: Harm,
    pub weakness: Harm,
}

/// PK parameter definitions, per species block.
pub const PK_DEFS: &[ParamDef] = &[
    ParamDef::new("bioavailability", Dimensionless, Bound::PositiveFraction, "oral bioavailability F"),
    ParamDef::new("absorption_rate", Kind::Rate, Positive, "first-order absorption rate ka"),
    ParamDef::new("volume", Kind::VolumePerMass, Positive, "volume of distribution per kg"),
    ParamDef::new(
        "clearance",
        Kind::ClearancePerMass,
        Positive,
        "total clearance per kg at normal renal function",
    ),
    ParamDef::new(
        "renal_fraction",
        Dimensionless,
        Fraction,
        "fraction of clearance that is renal (scaled by the patient's renal function)",
    ),
    ParamDef::new(
        "csf_plasma_ratio",
        Dimensionless,
        NonNegative,
        "CSF/plasma concentration ratio at equilibrium",
    ),
    ParamDef::new(
        "csf_equilibration_half_life",
        Kind::Time,
        Positive,
        "half-life of plasma-CSF equilibration",
    ),
];

/// Intrathecal (CSF) parameter definitions, per species block.
pub const INTRATHECAL_DEFS: &[ParamDef] = &[
    ParamDef {
        name: "csf_volume",
        kind: Kind::Volume,
        bound: Bound::Positive,
        description: "CSF volume that intrathecal drug distributes in",
    },
    ParamDef {
        name: "csf_clearance",
        kind: Kind::Clearance,
        bound: Bound::Positive,
        description: "clearance of intrathecal drug from the CSF into the blood",
    },
];

/// A loaded drug.
#[derive(Debug, Clone)]
pub struct Drug {
    pub name: String,
    pub description: String,
    pub mechanism_kind: MechanismKind,
    pub mechanism: Mechanism,
    pub harms: HarmProfile,
    pub liver: Option<super::liver::Hepatotoxicity>,
    /// The side-effect parameters as written, for listings.
    pub side_effects: Vec<Resolved>,
    pub molar_mass: f64,
    pub routes: Vec<Route>,
    pub parameters: Vec<Resolved>,
    pub pk: BTreeMap<Species, Vec<Resolved>>,
    pub intrathecal: BTreeMap<Species, Vec<Resolved>>,
    pub doses: BTreeMap<Species, DoseLimits>,
    pub source: PathBuf,
    pub text: String,
}

impl Drug {
    /// Load and check a drug file.
    pub fn from_toml(path: &Path, text: &str) -> Result<Drug> {
        let file: DrugFile = params::parse_toml(path, text)?;
        params::require_identifier(path, "drug.name", &file.drug.name)?;
        let kind = file.drug.mechanism;
        let defs = match kind {
            MechanismKind::Ht2Ligand => HT2_LIGAND,
            MechanismKind::GabaBAgonist | MechanismKind::GabaAModulator | MechanismKind::Alpha2Agonist => {
                REFLEX
            }
            MechanismKind::SerotoninReuptakeInhibitor => REUPTAKE,
            MechanismKind::SerotoninPrecursor => PRECURSOR,
            MechanismKind::EcCouplingBlocker => EC_COUPLING,
        };
        let parameters = params::resolve(path, text, "parameters", &file.parameters, defs)?;
        let v: Vec<f64> = parameters.iter().map(|r| r.value).collect();
        let mechanism = match kind {
            MechanismKind::Ht2Ligand => {
                Mechanism::Ht2Ligand { ki_2b: v[1], ki_2c: v[2], efficacy_2b: v[3], efficacy_2c: v[4] }
            }
            MechanismKind::GabaBAgonist | MechanismKind::GabaAModulator | MechanismKind::Alpha2Agonist => {
                Mechanism::Reflex { emax: v[1], ec50: v[2], hill: v[3] }
            }
            MechanismKind::SerotoninReuptakeInhibitor => {
                Mechanism::SerotoninClearance { emax: v[1], ec50: v[2] }
            }
            MechanismKind::SerotoninPrecursor => Mechanism::SerotoninRelease { emax: v[1], ec50: v[2] },
            MechanismKind::EcCouplingBlocker => Mechanism::MuscleForce { emax: v[1], ec50: v[2] },
        };
        let harm_params =
            params::resolve_optional(path, text, "side_effects", &file.side_effects, HARM_DEFS)?;
        let harms = harm_profile(path, &harm_params)?;
        let liver = if file.hepatotoxicity.is_empty() {
            None
        } else {
            let v: Vec<f64> =
                params::resolve(path, text, "hepatotoxicity", &file.hepatotoxicity, LIVER_DEFS)?
                    .iter()
                    .map(|r| r.value)
                    .collect();
            Some(super::liver::Hepatotoxicity {
                incidence: v[0],
                reference_daily_dose: v[1],
                dose_exponent: v[2],
                window: v[3],
                late_ratio: v[4],
            })
        };
        let mut pk = BTreeMap::new();
        for (species, table) in &file.pk {
            let section = format!("pk.{}", species.name());
            pk.insert(*species, params::resolve(path, text, &section, table, PK_DEFS)?);
        }
        let mut intrathecal = BTreeMap::new();
        for (species, table) in &file.intrathecal {
            let section = format!("intrathecal.{}", species.name());
            intrathecal.insert(*species, params::resolve(path, text, &section, table, INTRATHECAL_DEFS)?);
        }
        let mut doses = BTreeMap::new();
        for (species, table) in &file.doses {
            let section = format!("doses.{}", species.name());
            let v: Vec<Option<f64>> = params::resolve_optional(path, text, &section, table, DOSE_DEFS)?
                .iter()
                .map(|r| r.as_ref().map(|r| r.value))
                .collect();
            doses.insert(
                *species,
                DoseLimits {
                    typical: v[0],
                    label_max_daily: v[1],
                    hard_max_single: v[2],
                    intrathecal_max_daily: v[3],
                },
            );
        }
        if file.drug.routes.is_empty() {
            return Err(Error::input(
                path,
                "drug.routes",
                None,
                "no route of administration",
                "a list such as [\"oral\"]",
            ));
        }
        Ok(Drug {
            name: file.drug.name,
            description: file.drug.description,
            mechanism_kind: file.drug.mechanism,
            mechanism,
            harms,
            liver,
            side_effects: harm_params.into_iter().flatten().collect(),
            molar_mass: v[0],
            routes: file.drug.routes,
            parameters,
            pk,
            intrathecal,
            doses,
            source: path.to_path_buf(),
            text: text.to_string(),
        })
    }

    /// Load a drug file from disk.
    pub fn load(path: &Path) -> Result<Drug> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::input(
                path,
                "",
                None,
                format!("cannot read drug file: {e}"),
                "an existing, readable TOML file",
            )
        })?;
        Self::from_toml(path, &text)
    }

    /// PK constants for a body of `body_mass` kg of `species`.
    pub fn pk_for(&self, species: Species, body_mass: f64, renal_function: f64) -> Result<OneCompartment> {
        let p = self.pk.get(&species).ok_or_else(|| {
            let have: Vec<_> = self.pk.keys().map(|s| s.name()).collect();
            Error::input(
                &self.source,
                format!("pk.{}", species.name()),
                None,
                format!("drug `{}` has no PK for {}", self.name, species.name()),
                have.join(", "),
            )
        })?;
        let v: Vec<f64> = p.iter().map(|r| r.value).collect();
        let volume = v[2] * body_mass;
        // Renal clearance scales with the patient's renal function, hepatic clearance does not.
        let clearance = v[3] * body_mass * (1.0 - v[4] + v[4] * renal_function);
        let (intrathecal_volume, intrathecal_rate) = match self.intrathecal.get(&species) {
            Some(it) => (it[0].value, it[1].value / it[0].value),
            None => (0.0, 0.0),
        };
        Ok(OneCompartment::new(PkConstants {
            bioavailability: v[0],
            absorption_rate: v[1],
            elimination_rate: clearance / volume,
            volume,
            csf_ratio: v[5],
            csf_rate: std::f64::consts::LN_2 / v[6],
            intrathecal_volume,
            intrathecal_rate,
        }))
    }

    /// Whether the drug can be given by `route` to `species`: the route is listed and, for the
    /// intrathecal route, the species has CSF kinetics.
    pub fn check_route(&self, route: Route, species: Species) -> std::result::Result<(), String> {
        if !self.routes.contains(&route) {
            let routes: Vec<_> = self.routes.iter().map(|r| r.name()).collect();
            return Err(format!(
                "{} cannot be given {}; routes: {}",
                self.name,
                route.name(),
                routes.join(", ")
            ));
        }
        if route == Route::Intrathecal && !self.intrathecal.contains_key(&species) {
            return Err(format!(
                "{} has no [intrathecal.{}] block for CSF kinetics",
                self.name,
                species.name()
            ));
        }
        Ok(())
    }
}

/// Side effects from their (optional) parameters: each emax needs its ec50 and vice versa.
fn harm_profile(path: &Path, p: &[Option<Resolved>]) -> Result<HarmProfile> {
    let pair = |i: usize| -> Result<Harm> {
        match (&p[i], &p[i + 1]) {
            (Some(e), Some(c)) => Ok(Harm { emax: e.value, ec50: c.value, hill: 1.0 }),
            (None, None) => Ok(Harm::default()),
            _ => {
                let (a, b) = (HARM_DEFS[i].name, HARM_DEFS[i + 1].name);
                Err(Error::input(
                    path,
                    format!("side_effects.{a}"),
                    None,
                    format!("{a} and {b} come as a pair"),
                    "both or neither",
                ))
            }
        }
    };
    let mut respiratory = pair(4)?;
    if let Some(h) = &p[8] {
        respiratory.hill = h.value;
    }
    Ok(HarmProfile { sedation: pair(0)?, hypotension: pair(2)?, respiratory, weakness: pair(6)? })
}
