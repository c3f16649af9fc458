//! A model file's `[population]` section: how virtual patients differ. Each varied parameter
//! has a distribution centred on its value in `[parameters]` (log-normal: the median; normal
//! and truncated normal: the mean; uniform: bounds given), optionally correlated through a
//! Gaussian copula (a correlation matrix, checked positive definite by its Cholesky factor);
//! categorical phenotypes multiply named parameters; covariates (age, …) have their own
//! distribution and act on parameters as factor^(x − reference). Format: `docs/model.md` §8.

use crate::error::{Error, Result};
use crate::model::Model;
use serde::Deserialize;
use statrs::distribution::{ContinuousCDF, Normal};
use std::collections::BTreeMap;
use std::path::Path;

// `note` documents the file (its text is kept in the manifest).
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationFile {
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    parameters: BTreeMap<String, DistributionSpec>,
    #[serde(default)]
    correlation: Option<CorrelationSpec>,
    #[serde(default)]
    phenotype: Vec<PhenotypeSpec>,
    #[serde(default)]
    covariate: Vec<CovariateSpec>,
    /// Drug → constant (clearance, volume, potency, hypotension_ec50, sedation_ec50) →
    /// log-normal CV of its between-patient variability.
    #[serde(default)]
    drugs: BTreeMap<String, BTreeMap<String, DrugVariability>>,
}

// `source`, `assumption` and `note` document the file (its text is kept in the manifest).
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DrugVariability {
    cv: f64,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    Lognormal,
    Normal,
    TruncatedNormal,
    Uniform,
}

// `source`, `assumption` and `note` document the file (its text is kept in the manifest).
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DistributionSpec {
    distribution: Shape,
    #[serde(default)]
    cv: Option<f64>,
    #[serde(default)]
    sd: Option<f64>,
    #[serde(default)]
    low: Option<f64>,
    #[serde(default)]
    high: Option<f64>,
    /// The unit of `sd`, `low` and `high` (that of the parameter in `[parameters]`).
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: bool,
    #[serde(default)]
    note: Option<String>,
}

// `source`, `assumption` and `note` document the file (its text is kept in the manifest).
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CorrelationSpec {
    parameters: Vec<String>,
    matrix: Vec<Vec<f64>>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: bool,
    #[serde(default)]
    note: Option<String>,
}

// `source`, `assumption` and `note` document the file (its text is kept in the manifest).
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PhenotypeSpec {
    name: String,
    level: Vec<LevelSpec>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelSpec {
    name: String,
    share: f64,
    /// Parameter → factor for patients of this level.
    #[serde(default)]
    multiply: BTreeMap<String, f64>,
}

// `source`, `assumption` and `note` document the file (its text is kept in the manifest).
#[allow(dead_code)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CovariateSpec {
    name: String,
    unit: String,
    distribution: Shape,
    /// Mean (normal, truncated normal) or median (log-normal), in `unit`.
    #[serde(default)]
    mean: Option<f64>,
    #[serde(default)]
    cv: Option<f64>,
    #[serde(default)]
    sd: Option<f64>,
    #[serde(default)]
    low: Option<f64>,
    #[serde(default)]
    high: Option<f64>,
    /// The covariate value at which it changes nothing.
    reference: f64,
    /// Parameter → factor per unit of the covariate above `reference`.
    #[serde(default)]
    effects: BTreeMap<String, f64>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    assumption: bool,
    #[serde(default)]
    note: Option<String>,
}

/// A distribution on the real line, drawn from a standard normal deviate z (so that
/// correlations act on z whatever the marginal: a Gaussian copula).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Marginal {
    LogNormal { median: f64, omega: f64 },
    Normal { mean: f64, sd: f64 },
    TruncatedNormal { mean: f64, sd: f64, low: f64, high: f64 },
    Uniform { low: f64, high: f64 },
}

fn standard_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("a valid normal")
}

impl Marginal {
    /// The value whose quantile is Φ(z).
    pub fn from_z(&self, z: f64) -> f64 {
        match *self {
            Marginal::LogNormal { median, omega } => median * (omega * z).exp(),
            Marginal::Normal { mean, sd } => mean + sd * z,
            Marginal::TruncatedNormal { mean, sd, low, high } => {
                let n = standard_normal();
                let (a, b) = (n.cdf((low - mean) / sd), n.cdf((high - mean) / sd));
                let p = (a + n.cdf(z) * (b - a)).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
                (mean + sd * n.inverse_cdf(p)).clamp(low, high)
            }
            Marginal::Uniform { low, high } => low + standard_normal().cdf(z) * (high - low),
        }
    }
}

/// A parameter that varies between patients (internal units).
#[derive(Debug, Clone, PartialEq)]
pub struct Varied {
    pub name: String,
    pub marginal: Marginal,
}

/// One level of a categorical phenotype.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    pub name: String,
    pub share: f64,
    pub multiply: Vec<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Phenotype {
    pub name: String,
    pub levels: Vec<Level>,
}

/// A patient property that is not a model parameter (age), acting on parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Covariate {
    pub name: String,
    pub unit: String,
    /// In the covariate's unit.
    pub marginal: Marginal,
    pub reference: f64,
    pub effects: Vec<(String, f64)>,
}

/// How virtual patients differ (a model's `[population]`, checked).
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    pub parameters: Vec<Varied>,
    pub phenotypes: Vec<Phenotype>,
    pub covariates: Vec<Covariate>,
    /// Log-normal variability of drug constants: (drug, constant, CV).
    pub drugs: Vec<(String, super::DrugConstant, f64)>,
    /// Lower Cholesky factor of the correlation of the parameters' deviates (identity when none
    /// is given), row-major, parameters' order.
    cholesky: Vec<Vec<f64>>,
}

/// One virtual patient: the phenotype level of each phenotype, each covariate's value, and
/// the final values (internal units) of every parameter the population changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    pub levels: Vec<usize>,
    pub covariates: Vec<f64>,
    pub parameters: Vec<(String, f64)>,
    /// Factors on drug constants (median 1), in the order of [`Population::drugs`].
    pub drug_factors: Vec<f64>,
}

impl Patient {
    /// `scenario` with this patient's drug factors applied to the drugs it gives.
    pub fn scale_drugs(&self, population: &Population, scenario: &mut crate::pharmacology::Scenario) {
        for ((drug, constant, _), &f) in population.drugs.iter().zip(&self.drug_factors) {
            if let Some(d) = scenario.drugs.iter_mut().find(|d| &d.name == drug) {
                super::scale(d, *constant, f);
            }
        }
    }
}

type Check<T> = std::result::Result<T, (String, String, String)>;

impl Population {
    /// Check the section against the model's parameters (names, units, ranges, shares,
    /// positive definiteness); errors name the file and the field.
    pub fn resolve(path: &Path, file: &PopulationFile, model: &Model) -> Result<Population> {
        Self::check(file, model).map_err(|(field, problem, allowed)| {
            Error::input(path, format!("population.{field}"), None, problem, allowed)
        })
    }

    fn check(file: &PopulationFile, model: &Model) -> Check<Population> {
        let resolved = |name: &str, field: String| {
            model.resolved.iter().find(|r| r.name == name).ok_or_else(|| {
                (field, format!("unknown parameter `{name}`"), "a parameter of [parameters]".to_string())
            })
        };
        let mut parameters = Vec::new();
        for (name, spec) in &file.parameters {
            let field = format!("parameters.{name}");
            let r = resolved(name, field.clone())?;
            if let Some(unit) = &spec.unit {
                if *unit != r.unit {
                    return Err((
                        format!("{field}.unit"),
                        format!("`{unit}`"),
                        format!("the parameter's unit in [parameters], `{}`", r.unit),
                    ));
                }
            }
            // File unit → internal unit.
            let scale = if r.file_value != 0.0 { r.value / r.file_value } else { 1.0 };
            let marginal =
                marginal(&field, spec.distribution, r.value, spec.cv, spec.sd, spec.low, spec.high, scale)?;
            parameters.push(Varied { name: name.clone(), marginal });
        }
        let cholesky = correlation(file.correlation.as_ref(), &parameters)?;
        let mut phenotypes = Vec::new();
        for (i, p) in file.phenotype.iter().enumerate() {
            let field = format!("phenotype[{i}]");
            if !crate::params::is_identifier(&p.name) {
                return Err((
                    format!("{field}.name"),
                    format!("`{}`", p.name),
                    crate::params::IDENTIFIER.into(),
                ));
            }
            if p.level.is_empty() {
                return Err((
                    format!("{field}.level"),
                    "no levels".into(),
                    "at least one [[population.phenotype.level]]".into(),
                ));
            }
            let total: f64 = p.level.iter().map(|l| l.share).sum();
            if p.level.iter().any(|l| !(l.share.is_finite() && l.share >= 0.0)) || (total - 1.0).abs() > 1e-9
            {
                let shares: Vec<String> = p.level.iter().map(|l| format!("{} {}", l.name, l.share)).collect();
                return Err((
                    format!("{field}.level.share"),
                    format!("shares {} sum to {total}", shares.join(", ")),
                    "shares >= 0 that sum to 1".into(),
                ));
            }
            let mut levels = Vec::new();
            for (k, l) in p.level.iter().enumerate() {
                if !crate::params::is_identifier(&l.name) || p.level[..k].iter().any(|m| m.name == l.name) {
                    return Err((
                        format!("{field}.level[{k}].name"),
                        format!("`{}`", l.name),
                        format!("a new name, {}", crate::params::IDENTIFIER),
                    ));
                }
                let multiply = factors(&format!("{field}.level[{k}].multiply"), &l.multiply, &resolved)?;
                levels.push(Level { name: l.name.clone(), share: l.share, multiply });
            }
            phenotypes.push(Phenotype { name: p.name.clone(), levels });
        }
        let mut covariates = Vec::new();
        for (i, c) in file.covariate.iter().enumerate() {
            let field = format!("covariate[{i}]");
            if !crate::params::is_identifier(&c.name) {
                return Err((
                    format!("{field}.name"),
                    format!("`{}`", c.name),
                    crate::params::IDENTIFIER.into(),
                ));
            }
            if file.parameters.contains_key(&c.name) || model.resolved.iter().any(|r| r.name == c.name) {
                return Err((
                    format!("{field}.name"),
                    format!("`{}` is a model parameter", c.name),
                    "give a parameter's distribution under [population.parameters]".into(),
                ));
            }
            let centre = c.mean.ok_or_else(|| {
                (
                    format!("{field}.mean"),
                    "missing".to_string(),
                    "the mean (median for log-normal) in `unit`".to_string(),
                )
            })?;
            let marginal = marginal(&field, c.distribution, centre, c.cv, c.sd, c.low, c.high, 1.0)?;
            if !c.reference.is_finite() {
                return Err((
                    format!("{field}.reference"),
                    format!("{}", c.reference),
                    "a finite value".into(),
                ));
            }
            let effects = factors(&format!("{field}.effects"), &c.effects, &resolved)?;
            covariates.push(Covariate {
                name: c.name.clone(),
                unit: c.unit.clone(),
                marginal,
                reference: c.reference,
                effects,
            });
        }
        let mut drugs = Vec::new();
        for (drug, constants) in &file.drugs {
            for (name, v) in constants {
                let field = format!("drugs.{drug}.{name}");
                let constant = match name.as_str() {
                    "clearance" => super::DrugConstant::Clearance,
                    "volume" => super::DrugConstant::Volume,
                    "potency" => super::DrugConstant::Potency,
                    "hypotension_ec50" => super::DrugConstant::HypotensionEc50,
                    "sedation_ec50" => super::DrugConstant::SedationEc50,
                    _ => {
                        return Err((
                            field,
                            format!("unknown drug constant `{name}`"),
                            "clearance, volume, potency, hypotension_ec50, sedation_ec50".into(),
                        ))
                    }
                };
                if !(v.cv.is_finite() && v.cv > 0.0) {
                    return Err((
                        format!("{field}.cv"),
                        format!("{}", v.cv),
                        "a coefficient of variation > 0".into(),
                    ));
                }
                drugs.push((drug.clone(), constant, v.cv));
            }
        }
        Ok(Population { parameters, phenotypes, covariates, drugs, cholesky })
    }

    /// Patient `index` of a cohort seeded with `seed`: one stream per patient (the same
    /// cohort whatever the thread count). Draw order: phenotypes, covariates, then the
    /// parameters' deviates; values are kept within each parameter's physical bound.
    pub fn draw(&self, model: &Model, seed: u64, index: u64) -> Patient {
        let mut rng = super::Rng::new(seed, index);
        let levels: Vec<usize> = self
            .phenotypes
            .iter()
            .map(|p| {
                let u = rng.uniform();
                let mut cumulative = 0.0;
                p.levels
                    .iter()
                    .position(|l| {
                        cumulative += l.share;
                        u < cumulative
                    })
                    .unwrap_or(p.levels.len() - 1)
            })
            .collect();
        let covariates: Vec<f64> = self.covariates.iter().map(|c| c.marginal.from_z(rng.normal())).collect();
        let e: Vec<f64> = self.parameters.iter().map(|_| rng.normal()).collect();
        let z: Vec<f64> =
            self.cholesky.iter().map(|row| row.iter().zip(&e).map(|(l, x)| l * x).sum()).collect();
        let mut values: BTreeMap<String, f64> =
            self.parameters.iter().zip(&z).map(|(v, &z)| (v.name.clone(), v.marginal.from_z(z))).collect();
        let mut scale = |name: &str, factor: f64| {
            let value = values
                .entry(name.to_string())
                .or_insert_with(|| model.params.get(name).expect("checked name"));
            *value *= factor;
        };
        for (p, &k) in self.phenotypes.iter().zip(&levels) {
            for (name, f) in &p.levels[k].multiply {
                scale(name, *f);
            }
        }
        for (c, &x) in self.covariates.iter().zip(&covariates) {
            for (name, f) in &c.effects {
                scale(name, f.powf(x - c.reference));
            }
        }
        let parameters = values
            .into_iter()
            .map(|(name, v)| {
                let def =
                    crate::model::parameters::DEFS.iter().find(|d| d.name == name).expect("checked name");
                let clipped = def.bound.clip(v);
                (name, clipped)
            })
            .collect();
        let drug_factors = self.drugs.iter().map(|(_, _, cv)| rng.lognormal_factor(*cv)).collect();
        Patient { levels, covariates, parameters, drug_factors }
    }

    /// Every parameter a patient may differ in: the varied ones, then those only phenotypes
    /// and covariates change, sorted by name (the order of [`Patient::parameters`]).
    pub fn changed_parameters(&self) -> Vec<String> {
        let mut names: Vec<String> = self.parameters.iter().map(|v| v.name.clone()).collect();
        let effects = self.phenotypes.iter().flat_map(|p| p.levels.iter().flat_map(|l| l.multiply.iter()));
        names.extend(
            effects.chain(self.covariates.iter().flat_map(|c| c.effects.iter())).map(|(n, _)| n.clone()),
        );
        names.sort();
        names.dedup();
        names
    }
}

/// A marginal from its spec; `centre` and the result in internal units, `sd`/`low`/`high`
/// given in the file unit (× `scale`).
#[allow(clippy::too_many_arguments)]
fn marginal(
    field: &str,
    shape: Shape,
    centre: f64,
    cv: Option<f64>,
    sd: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
    scale: f64,
) -> Check<Marginal> {
    let bad = |what: &str, problem: String, allowed: &str| {
        (format!("{field}.{what}"), problem, allowed.to_string())
    };
    let spread = |centre: f64| -> Check<f64> {
        match (cv, sd) {
            (Some(_), Some(_)) => Err(bad("sd", "both cv and sd".into(), "one of cv, sd")),
            (Some(cv), None) if cv.is_finite() && cv > 0.0 => Ok(cv * centre.abs()),
            (Some(cv), None) => Err(bad("cv", format!("{cv}"), "a coefficient of variation > 0")),
            (None, Some(sd)) if sd.is_finite() && sd > 0.0 => Ok(sd * scale),
            (None, Some(sd)) => Err(bad("sd", format!("{sd}"), "a standard deviation > 0")),
            (None, None) => Err(bad("sd", "missing".into(), "cv or sd")),
        }
    };
    let bounds = || -> Check<(f64, f64)> {
        match (low, high) {
            (Some(l), Some(h)) if l.is_finite() && h.is_finite() && l < h => Ok((l * scale, h * scale)),
            (Some(l), Some(h)) => {
                Err(bad("low", format!("low {l}, high {h}"), "finite bounds with low < high"))
            }
            _ => Err(bad("low", "missing low or high".into(), "both bounds")),
        }
    };
    match shape {
        Shape::Lognormal => {
            if centre <= 0.0 {
                return Err(bad(
                    "distribution",
                    format!("median {centre}"),
                    "a positive value for a log-normal",
                ));
            }
            let cv = match (cv, sd) {
                (Some(cv), None) if cv.is_finite() && cv > 0.0 => cv,
                (Some(cv), None) => return Err(bad("cv", format!("{cv}"), "a coefficient of variation > 0")),
                _ => return Err(bad("cv", "missing (or sd given)".into(), "cv > 0 for a log-normal")),
            };
            Ok(Marginal::LogNormal { median: centre, omega: (1.0 + cv * cv).ln().sqrt() })
        }
        Shape::Normal => Ok(Marginal::Normal { mean: centre, sd: spread(centre)? }),
        Shape::TruncatedNormal => {
            let sd = spread(centre)?;
            let (low, high) = bounds()?;
            if !(low..=high).contains(&centre) {
                return Err(bad(
                    "low",
                    format!("mean {centre} outside [{low}, {high}]"),
                    "bounds around the parameter's value",
                ));
            }
            Ok(Marginal::TruncatedNormal { mean: centre, sd, low, high })
        }
        Shape::Uniform => {
            let (low, high) = bounds()?;
            Ok(Marginal::Uniform { low, high })
        }
    }
}

/// Parameter factors of a phenotype level or covariate, checked.
fn factors<'a>(
    field: &str,
    table: &BTreeMap<String, f64>,
    resolved: &impl Fn(&str, String) -> Check<&'a crate::params::Resolved>,
) -> Check<Vec<(String, f64)>> {
    table
        .iter()
        .map(|(name, &f)| {
            resolved(name, format!("{field}.{name}"))?;
            if !(f.is_finite() && f > 0.0) {
                return Err((format!("{field}.{name}"), format!("{f}"), "a factor > 0".into()));
            }
            Ok((name.clone(), f))
        })
        .collect()
}

/// The Cholesky factor of the correlation among the varied parameters (identity without one).
fn correlation(spec: Option<&CorrelationSpec>, parameters: &[Varied]) -> Check<Vec<Vec<f64>>> {
    let d = parameters.len();
    let mut full = vec![vec![0.0; d]; d];
    for (i, row) in full.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    if let Some(c) = spec {
        let index: Vec<usize> = c
            .parameters
            .iter()
            .map(|name| {
                parameters.iter().position(|v| &v.name == name).ok_or_else(|| {
                    (
                        "correlation.parameters".to_string(),
                        format!("`{name}` has no distribution"),
                        "parameters of [population.parameters]".to_string(),
                    )
                })
            })
            .collect::<Check<_>>()?;
        let k = index.len();
        if index.iter().enumerate().any(|(i, x)| index[..i].contains(x)) {
            return Err((
                "correlation.parameters".into(),
                "a parameter twice".into(),
                "each parameter once".into(),
            ));
        }
        if c.matrix.len() != k || c.matrix.iter().any(|r| r.len() != k) {
            return Err((
                "correlation.matrix".into(),
                format!("not {k} × {k}"),
                "one row and column per listed parameter".into(),
            ));
        }
        for (i, row) in c.matrix.iter().enumerate() {
            for (j, &r) in row.iter().enumerate() {
                let symmetric = (r - c.matrix[j][i]).abs() <= 1e-12;
                let valid = if i == j { r == 1.0 } else { r.is_finite() && r.abs() < 1.0 };
                if !symmetric || !valid {
                    return Err((
                        "correlation.matrix".into(),
                        format!("entry [{i}][{j}] = {r}"),
                        "a symmetric matrix, 1 on the diagonal, |r| < 1 elsewhere".into(),
                    ));
                }
                full[index[i]][index[j]] = r;
            }
        }
    }
    let m = nalgebra::DMatrix::from_fn(d, d, |i, j| full[i][j]);
    let chol = nalgebra::Cholesky::new(m).ok_or_else(|| {
        (
            "correlation.matrix".to_string(),
            "not positive definite".to_string(),
            "a positive-definite correlation matrix".to_string(),
        )
    })?;
    let l = chol.l();
    Ok((0..d).map(|i| (0..d).map(|j| l[(i, j)]).collect()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn population(text: &str) -> Population {
        let model = crate::bundled::load_model("human_als");
        let file: PopulationFile = toml::from_str(text).unwrap();
        Population::resolve(Path::new("test.toml"), &file, &model).unwrap()
    }

    fn draws(p: &Population, n: u64, name: &str) -> Vec<f64> {
        let model = crate::bundled::load_model("human_als");
        (0..n).map(|i| p.draw(&model, 3, i).parameters.iter().find(|(k, _)| k == name).unwrap().1).collect()
    }

    fn mean_sd(v: &[f64]) -> (f64, f64) {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (m, (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt())
    }

    #[test]
    fn marginals_have_their_medians_spreads_and_bounds() {
        let p = population(
            "[parameters]\numn_hazard = { distribution = \"lognormal\", cv = 0.4 }\nbody_mass = { distribution = \"truncated_normal\", sd = 20, low = 60, high = 120, unit = \"kg\" }\nrenal_function = { distribution = \"uniform\", low = 0.5, high = 1.2, unit = \"1\" }\n",
        );
        let n = 20_000;
        let model = crate::bundled::load_model("human_als");
        let mut umn = draws(&p, n, "umn_hazard");
        let (m, sd) = mean_sd(&umn);
        umn.sort_by(f64::total_cmp);
        let typical = model.params.umn_hazard;
        assert!((umn[umn.len() / 2] / typical - 1.0).abs() < 0.02, "log-normal median");
        assert!((sd / m - 0.4).abs() < 0.02, "log-normal cv {}", sd / m);
        // Truncated at 60 kg below the 70 kg mean: every draw inside, the mean pushed up.
        let mass = draws(&p, n, "body_mass");
        assert!(mass.iter().all(|x| (60.0..=120.0).contains(x)));
        let (m, _) = mean_sd(&mass);
        // E[X | 60 < X < 120] for N(70, 20²): 70 + 20 (φ(−0.5) − φ(2.5)) / (Φ(2.5) − Φ(−0.5)) = 79.77.
        assert!((m - 79.77).abs() < 0.3, "truncated mean {m}");
        let renal = draws(&p, n, "renal_function");
        let (m, sd) = mean_sd(&renal);
        assert!(renal.iter().all(|x| (0.5..=1.2).contains(x)));
        assert!((m - 0.85).abs() < 0.01 && (sd - 0.7 / 12f64.sqrt()).abs() < 0.01, "uniform {m} {sd}");
    }

    #[test]
    fn correlation_phenotypes_and_covariates_act_as_written() {
        let p = population(
            "[parameters]\numn_hazard = { distribution = \"lognormal\", cv = 0.5 }\nlmn_hazard = { distribution = \"lognormal\", cv = 0.5 }\n[correlation]\nparameters = [\"umn_hazard\", \"lmn_hazard\"]\nmatrix = [[1, 0.6], [0.6, 1]]\n[[phenotype]]\nname = \"site\"\n[[phenotype.level]]\nname = \"limb\"\nshare = 0.75\n[[phenotype.level]]\nname = \"bulbar\"\nshare = 0.25\nmultiply = { respiratory_reserve_function = 1.5 }\n[[covariate]]\nname = \"age\"\nunit = \"year\"\ndistribution = \"normal\"\nmean = 60\nsd = 10\nreference = 60\neffects = { raphe_hazard = 1.05 }\n",
        );
        let model = crate::bundled::load_model("human_als");
        let n = 20_000;
        let patients: Vec<Patient> = (0..n).map(|i| p.draw(&model, 11, i)).collect();
        let get = |pt: &Patient, name: &str| pt.parameters.iter().find(|(k, _)| k == name).unwrap().1;
        // Correlation of the log values = the deviates' correlation.
        let (a, b): (Vec<f64>, Vec<f64>) =
            patients.iter().map(|pt| (get(pt, "umn_hazard").ln(), get(pt, "lmn_hazard").ln())).unzip();
        let ((ma, sa), (mb, sb)) = (mean_sd(&a), mean_sd(&b));
        let r = a.iter().zip(&b).map(|(x, y)| (x - ma) * (y - mb)).sum::<f64>() / ((n - 1) as f64 * sa * sb);
        assert!((r - 0.6).abs() < 0.02, "correlation {r}");
        // Bulbar share and its factor.
        let bulbar: Vec<&Patient> = patients.iter().filter(|pt| pt.levels[0] == 1).collect();
        let share = bulbar.len() as f64 / n as f64;
        assert!((share - 0.25).abs() < 0.01, "bulbar share {share}");
        let base = model.params.respiratory_reserve_function;
        assert!(bulbar.iter().all(|pt| (get(pt, "respiratory_reserve_function") - 1.5 * base).abs() < 1e-12));
        // Age acts as 1.05^(age − 60) on the raphe hazard.
        for pt in patients.iter().take(100) {
            let want = model.params.raphe_hazard * 1.05f64.powf(pt.covariates[0] - 60.0);
            assert!((get(pt, "raphe_hazard") / want - 1.0).abs() < 1e-12);
        }
        // The same patient for the same seed and index.
        assert_eq!(p.draw(&model, 11, 5), patients[5]);
        assert_ne!(p.draw(&model, 12, 5), patients[5]);
    }
}
