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
    pk: BTreeMap<Species, BTreeMap<String, ParamSpec>>,
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
    /// A ligand of 5-HT2B/2C acting through the two-state model.
    Ht2Ligand,
    /// A GABA-B agonist lowering reflex transmission (baclofen).
    GabaBAgonist,
}

/// A drug's action with its constants in internal units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mechanism {
    /// Affinities (nM) and efficacies at 5-HT2B and 5-HT2C.
    Ht2Ligand { ki_2b: f64, ki_2c: f64, efficacy_2b: f64, efficacy_2c: f64 },
    /// Maximal fractional cut of reflex transmission, CSF EC50 (mg/L), Hill coefficient.
    GabaBAgonist { emax: f64, ec50: f64, hill: f64 },
}

const MOLAR_MASS: ParamDef =
    ParamDef { name: "molar_mass", kind: Kind::MolarMass, bound: Bound::Positive, description: "molar mass" };

const HT2_LIGAND: &[ParamDef] = &[
    MOLAR_MASS,
    ParamDef {
        name: "ki_2b",
        kind: Kind::MolarConcentration,
        bound: Bound::Positive,
        description: "affinity (Ki or KB) at 5-HT2B",
    },
    ParamDef {
        name: "ki_2c",
        kind: Kind::MolarConcentration,
        bound: Bound::Positive,
        description: "affinity (Ki or KB) at 5-HT2C",
    },
    ParamDef {
        name: "efficacy_2b",
        kind: Kind::Dimensionless,
        bound: Bound::NonNegative,
        description: "two-state efficacy alpha at 5-HT2B (<1 inverse agonist, 1 neutral, >1 agonist)",
    },
    ParamDef {
        name: "efficacy_2c",
        kind: Kind::Dimensionless,
        bound: Bound::NonNegative,
        description: "two-state efficacy alpha at 5-HT2C",
    },
];

const GABA_B_AGONIST: &[ParamDef] = &[
    MOLAR_MASS,
    ParamDef {
        name: "reflex_emax",
        kind: Kind::Dimensionless,
        bound: Bound::Fraction,
        description: "maximal fractional reduction of reflex transmission",
    },
    ParamDef {
        name: "reflex_ec50_csf",
        kind: Kind::MassConcentration,
        bound: Bound::Positive,
        description: "CSF concentration giving half the maximal reduction",
    },
    ParamDef {
        name: "reflex_hill",
        kind: Kind::Dimensionless,
        bound: Bound::Positive,
        description: "Hill coefficient of the reflex effect",
    },
];

/// PK parameter definitions, per species block.
pub const PK_DEFS: &[ParamDef] = &[
    ParamDef {
        name: "bioavailability",
        kind: Kind::Dimensionless,
        bound: Bound::PositiveFraction,
        description: "oral bioavailability F",
    },
    ParamDef {
        name: "absorption_rate",
        kind: Kind::Rate,
        bound: Bound::Positive,
        description: "first-order absorption rate ka",
    },
    ParamDef {
        name: "volume",
        kind: Kind::VolumePerMass,
        bound: Bound::Positive,
        description: "volume of distribution per kg",
    },
    ParamDef {
        name: "clearance",
        kind: Kind::ClearancePerMass,
        bound: Bound::Positive,
        description: "total clearance per kg",
    },
    ParamDef {
        name: "csf_plasma_ratio",
        kind: Kind::Dimensionless,
        bound: Bound::NonNegative,
        description: "CSF/plasma concentration ratio at equilibrium",
    },
    ParamDef {
        name: "csf_equilibration_half_life",
        kind: Kind::Time,
        bound: Bound::Positive,
        description: "half-life of plasma-CSF equilibration",
    },
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
    pub molar_mass: f64,
    pub routes: Vec<Route>,
    pub parameters: Vec<Resolved>,
    pub pk: BTreeMap<Species, Vec<Resolved>>,
    pub intrathecal: BTreeMap<Species, Vec<Resolved>>,
    pub source: PathBuf,
    pub text: String,
}

impl Drug {
    /// Load and check a drug file.
    pub fn from_toml(path: &Path, text: &str) -> Result<Drug> {
        let file: DrugFile = params::parse_toml(path, text)?;
        params::require_identifier(path, "drug.name", &file.drug.name)?;
        let defs = match file.drug.mechanism {
            MechanismKind::Ht2Ligand => HT2_LIGAND,
            MechanismKind::GabaBAgonist => GABA_B_AGONIST,
        };
        let parameters = params::resolve(path, text, "parameters", &file.parameters, defs)?;
        let v: Vec<f64> = parameters.iter().map(|r| r.value).collect();
        let mechanism = match file.drug.mechanism {
            MechanismKind::Ht2Ligand => {
                Mechanism::Ht2Ligand { ki_2b: v[1], ki_2c: v[2], efficacy_2b: v[3], efficacy_2c: v[4] }
            }
            MechanismKind::GabaBAgonist => Mechanism::GabaBAgonist { emax: v[1], ec50: v[2], hill: v[3] },
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
            molar_mass: v[0],
            routes: file.drug.routes,
            parameters,
            pk,
            intrathecal,
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
    pub fn pk_for(&self, species: Species, body_mass: f64) -> Result<OneCompartment> {
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
        let clearance = v[3] * body_mass;
        let (intrathecal_volume, intrathecal_rate) = match self.intrathecal.get(&species) {
            Some(it) => (it[0].value, it[1].value / it[0].value),
            None => (0.0, 0.0),
        };
        Ok(OneCompartment::new(PkConstants {
            bioavailability: v[0],
            absorption_rate: v[1],
            elimination_rate: clearance / volume,
            volume,
            csf_ratio: v[4],
            csf_rate: std::f64::consts::LN_2 / v[5],
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
