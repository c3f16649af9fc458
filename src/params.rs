//! Annotated parameters as they stand in model and drug files, and their strict resolution
//! against a table of known definitions.
//!
//! A parameter is written
//! `raphe_hazard = { value = 0.02, unit = "1/month", range = [0.005, 0.1], source = "…" }`
//! (or `assumption = true` instead of a source). Resolution checks the name, the unit, the
//! range and the provenance, and converts the value into the internal unit once.

use crate::error::{Error, Result};
use crate::units::{self, Kind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// A number as TOML writes it: `5` and `5.0` are both accepted.
#[derive(Debug, Clone, Copy)]
pub enum Number {
    Float(f64),
    Integer(i64),
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Number;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number (like 5 or 0.5)")
            }
            fn visit_f64<E>(self, x: f64) -> std::result::Result<Number, E> {
                Ok(Number::Float(x))
            }
            fn visit_i64<E>(self, i: i64) -> std::result::Result<Number, E> {
                Ok(Number::Integer(i))
            }
            fn visit_u64<E>(self, u: u64) -> std::result::Result<Number, E> {
                Ok(i64::try_from(u).map_or(Number::Float(u as f64), Number::Integer))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// A `[low, high]` pair: exactly two numbers (a third is an error, not cut off).
pub fn exactly_two<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<[Number; 2], D::Error> {
    let v: Vec<Number> = Vec::deserialize(d)?;
    let n = v.len();
    <[Number; 2]>::try_from(v).map_err(|_| serde::de::Error::invalid_length(n, &"two numbers [low, high]"))
}

impl Number {
    pub fn get(self) -> f64 {
        match self {
            Number::Float(x) => x,
            Number::Integer(i) => i as f64,
        }
    }
}

/// One parameter entry in a file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    pub value: Spanned<Number>,
    pub unit: String,
    /// Plausible range, in the same unit as `value`.
    #[serde(deserialize_with = "exactly_two")]
    pub range: [Number; 2],
    #[serde(default)]
    pub source: Option<String>,
    /// True when no source was found and the number is the modeller's assumption.
    #[serde(default)]
    pub assumption: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// Physical bounds a value must respect whatever its file says (the file's `range` is the
/// plausible range; these are what the equations need to stay finite and meaningful).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// > 0 (rates, half-lives, volumes, affinities).
    Positive,
    /// >= 0 (onset times, hazards, efficacies).
    NonNegative,
    /// In [0, 1] (shares, weights).
    Fraction,
    /// In (0, 1] (bioavailability, function thresholds).
    PositiveFraction,
}

impl ParamDef {
    /// A definition; `const` so drug and model tables stay one line per parameter.
    pub const fn new(name: &'static str, kind: Kind, bound: Bound, description: &'static str) -> Self {
        ParamDef { name, kind, bound, description }
    }
}

impl Bound {
    pub fn admits(self, x: f64) -> bool {
        match self {
            Bound::Positive => x > 0.0,
            Bound::NonNegative => x >= 0.0,
            Bound::Fraction => (0.0..=1.0).contains(&x),
            Bound::PositiveFraction => x > 0.0 && x <= 1.0,
        }
    }

    /// The nearest admitted value (a drawn virtual-patient value pushed back inside; a value
    /// > 0 is kept at least the smallest positive float).
    pub fn clip(self, x: f64) -> f64 {
        match self {
            Bound::Positive => x.max(f64::MIN_POSITIVE),
            Bound::NonNegative => x.max(0.0),
            Bound::Fraction => x.clamp(0.0, 1.0),
            Bound::PositiveFraction => x.clamp(f64::MIN_POSITIVE, 1.0),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Bound::Positive => "a value > 0",
            Bound::NonNegative => "a value >= 0",
            Bound::Fraction => "a value in [0, 1]",
            Bound::PositiveFraction => "a value in (0, 1]",
        }
    }
}

/// What the code knows about a parameter: its name, kind, physical bound and meaning.
#[derive(Debug, Clone, Copy)]
pub struct ParamDef {
    pub name: &'static str,
    pub kind: Kind,
    pub bound: Bound,
    pub description: &'static str,
}

/// A parameter after checking and conversion, kept whole for listings and manifests.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    pub name: String,
    /// Value in the internal unit (what the equations use).
    pub value: f64,
    pub internal_unit: &'static str,
    /// Value and range as written in the file.
    pub file_value: f64,
    pub unit: String,
    pub range: [f64; 2],
    pub source: Option<String>,
    pub assumption: bool,
    pub note: Option<String>,
    pub description: &'static str,
}

/// What names of models, drugs and scenarios may contain (they become file and column names).
pub const IDENTIFIER: &str = "1-64 characters from a-z, A-Z, 0-9, '_' and '-'";

/// True for a name that is safe as a file stem and a CSV column prefix.
pub fn is_identifier(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// An error unless `name` is an identifier; `field` names it (`drug.name`).
pub fn require_identifier(path: &Path, field: &str, name: &str) -> Result<()> {
    if is_identifier(name) {
        Ok(())
    } else {
        Err(Error::input(path, field, None, format!("name \"{name}\" is not an identifier"), IDENTIFIER))
    }
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parse a TOML document, turning syntax and type errors into [`Error::Input`] with the line
/// and the offending key.
pub fn parse_toml<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    // A byte-order mark (some editors write one) is not TOML.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let field = e.span().map(|s| field_at(text, s)).unwrap_or_default();
        let message = e.message().trim().to_string();
        let allowed = if message.ends_with("expected u64") || message.ends_with("expected usize") {
            "a whole number >= 0"
        } else {
            ""
        };
        Error::input(path, field, line, message, allowed)
    })
}

/// The dotted field a TOML error's span points into: the table header in force, the keys of
/// the inline tables open on the line, and the key itself (the span is a key, or the value
/// after `key =`).
fn field_at(text: &str, span: std::ops::Range<usize>) -> String {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    // A header line as `(name, array of tables)`: comments and inner spaces do not count.
    let header_of = |line: &str| -> Option<(String, bool)> {
        let line = line.split('#').next().unwrap_or("").trim();
        let array = line.starts_with("[[");
        line.starts_with('[').then(|| (line.trim_matches(|c| c == '[' || c == ']').trim().to_string(), array))
    };
    // The header in force at the span (its own line, when the error is about a whole table).
    let upto = &text[..line_end];
    let header = upto.lines().rev().find_map(header_of).map(|(name, array)| {
        // The k-th `[[name]]` is element k of an array of tables.
        if array {
            let k = upto.lines().filter_map(header_of).filter(|h| h.0 == name && h.1).count() - 1;
            format!("{name}[{k}]")
        } else {
            name
        }
    });
    let mut path: Vec<String> = header.into_iter().collect();
    let (mut open, mut current, mut key, mut quoted) = (Vec::new(), String::new(), None, false);
    for c in text[line_start..start].chars() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '=' => key = Some(std::mem::take(&mut current).trim().to_string()),
            '{' | '[' => {
                open.extend(key.take());
                current.clear();
            }
            '}' | ']' => {
                open.pop();
                current.clear();
            }
            ',' => {
                key = None;
                current.clear();
            }
            _ => current.push(c),
        }
    }
    path.extend(open);
    let spanned = text.get(span.clone()).unwrap_or("").trim();
    let is_key = text[span.end.min(text.len())..].trim_start().starts_with('=')
        && !spanned.is_empty()
        && spanned.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (is_key, key) {
        (true, _) => path.push(spanned.to_string()),
        (false, Some(k)) => path.push(k),
        (false, None) => {}
    }
    path.join(".")
}

/// Check every entry of `table` against `defs`: no unknown names, none missing, known unit,
/// finite value inside an ordered range, and a source or `assumption = true`.
/// Returns the parameters in the order of `defs`.
pub fn resolve(
    path: &Path,
    text: &str,
    section: &str,
    table: &BTreeMap<String, ParamSpec>,
    defs: &[ParamDef],
) -> Result<Vec<Resolved>> {
    check_known(path, text, section, table, defs)?;
    defs.iter()
        .map(|def| {
            let spec = table.get(def.name).ok_or_else(|| {
                Error::input(
                    path,
                    format!("{section}.{}", def.name),
                    None,
                    format!("missing parameter ({})", def.description),
                    format!(
                        "a table {{ value, unit, range, source | assumption = true }} with unit one of {}",
                        units::allowed(def.kind)
                    ),
                )
            })?;
            resolve_one(path, text, section, def, spec)
        })
        .collect()
}

/// Like [`resolve`], but parameters may be absent (`None`).
pub fn resolve_optional(
    path: &Path,
    text: &str,
    section: &str,
    table: &BTreeMap<String, ParamSpec>,
    defs: &[ParamDef],
) -> Result<Vec<Option<Resolved>>> {
    check_known(path, text, section, table, defs)?;
    defs.iter()
        .map(|def| table.get(def.name).map(|spec| resolve_one(path, text, section, def, spec)).transpose())
        .collect()
}

fn check_known(
    path: &Path,
    text: &str,
    section: &str,
    table: &BTreeMap<String, ParamSpec>,
    defs: &[ParamDef],
) -> Result<()> {
    for (name, spec) in table {
        if !defs.iter().any(|d| d.name == name) {
            let known: Vec<_> = defs.iter().map(|d| d.name).collect();
            return Err(Error::input(
                path,
                format!("{section}.{name}"),
                Some(line_of(text, spec.value.span().start)),
                "unknown parameter",
                known.join(", "),
            ));
        }
    }
    Ok(())
}

fn resolve_one(path: &Path, text: &str, section: &str, def: &ParamDef, spec: &ParamSpec) -> Result<Resolved> {
    let line = Some(line_of(text, spec.value.span().start));
    let field = |f: &str| format!("{section}.{}.{f}", def.name);
    let value = spec.value.get_ref().get();
    let [lo, hi] = spec.range.map(Number::get);
    let factor = units::factor(def.kind, &spec.unit).ok_or_else(|| {
        Error::input(
            path,
            field("unit"),
            line,
            format!("unit \"{}\" is not a unit of {:?}", spec.unit, def.kind),
            units::allowed(def.kind),
        )
    })?;
    if !value.is_finite() {
        return Err(Error::input(
            path,
            field("value"),
            line,
            format!("value {value} is not a finite number"),
            "a finite number",
        ));
    }
    if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
        return Err(Error::input(
            path,
            field("range"),
            line,
            format!("range [{lo}, {hi}] is not an ordered pair of finite numbers"),
            "[low, high] with low <= high",
        ));
    }
    if value < lo || value > hi {
        return Err(Error::input(
            path,
            field("value"),
            line,
            format!("value {value} {} is outside its plausible range", spec.unit),
            format!("[{lo}, {hi}] {}", spec.unit),
        ));
    }
    if !def.bound.admits(value * factor) {
        return Err(Error::input(
            path,
            field("value"),
            line,
            format!("value {value} {} is physically impossible for {}", spec.unit, def.description),
            def.bound.describe(),
        ));
    }
    if !def.bound.admits(lo * factor) || !def.bound.admits(hi * factor) {
        return Err(Error::input(
            path,
            field("range"),
            line,
            format!("range [{lo}, {hi}] leaves the physical bounds"),
            def.bound.describe(),
        ));
    }
    let has_source = spec.source.as_deref().is_some_and(|s| !s.trim().is_empty());
    if !has_source && !spec.assumption {
        return Err(Error::input(
            path,
            field("source"),
            line,
            "no source and not marked as an assumption",
            "source = \"citation\" or assumption = true",
        ));
    }
    Ok(Resolved {
        name: def.name.to_string(),
        value: value * factor,
        internal_unit: units::internal_unit(def.kind),
        file_value: value,
        unit: spec.unit.clone(),
        range: [lo, hi],
        source: spec.source.clone(),
        assumption: spec.assumption,
        note: spec.note.clone(),
        description: def.description,
    })
}

/// A quantity with its unit, for settings that are not model parameters (doses, durations).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    pub value: Spanned<Number>,
    pub unit: String,
}

impl Quantity {
    /// Value in the internal unit of `kind`; `field` names it in errors. Non-finite or
    /// negative values are rejected.
    pub fn to_internal(&self, path: &Path, text: &str, field: &str, kind: Kind) -> Result<f64> {
        let line = Some(line_of(text, self.value.span().start));
        let value = self.value.get_ref().get();
        let factor = units::factor(kind, &self.unit).ok_or_else(|| {
            Error::input(
                path,
                format!("{field}.unit"),
                line,
                format!("unit \"{}\" is not a unit of {:?}", self.unit, kind),
                units::allowed(kind),
            )
        })?;
        if !value.is_finite() || value < 0.0 {
            return Err(Error::input(
                path,
                format!("{field}.value"),
                line,
                format!("value {value} must be a finite, non-negative number"),
                "a number >= 0",
            ));
        }
        if !(value * factor).is_finite() {
            return Err(Error::input(
                path,
                format!("{field}.value"),
                line,
                format!("{value} {} overflows when converted", self.unit),
                "a number small enough to convert to the internal unit",
            ));
        }
        Ok(value * factor)
    }

    /// Line of the value, for errors found after conversion.
    pub fn line(&self, text: &str) -> usize {
        line_of(text, self.value.span().start)
    }
}
