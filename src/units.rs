//! Units: every number read from a file carries a unit, converted once at load into the
//! internal system (time in days, amounts in mg, volumes in L, plasma/CSF concentrations in
//! mg/L, receptor ligand concentrations in nM, currents in nA).
//!
//! Each quantity has a [`Kind`]; a kind accepts a closed list of unit spellings, so a typo or a
//! wrong dimension (mg where µg/kg was meant) is an error that lists what is allowed.

/// Days per unit of time (a month is 1/12 of a Julian year).
const MINUTE: f64 = 1.0 / 1440.0;
const HOUR: f64 = 1.0 / 24.0;
const WEEK: f64 = 7.0;
const YEAR: f64 = 365.25;
const MONTH: f64 = YEAR / 12.0;

/// Days in one month, for readouts quoted per month (ALSFRS-R slope, loss in %/month).
pub const DAYS_PER_MONTH: f64 = MONTH;
/// Days in one hour.
pub const DAYS_PER_HOUR: f64 = HOUR;

/// The physical kind of a quantity, which fixes its internal unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Pure number: fraction, ratio, efficacy, Hill coefficient. Internal: 1.
    Dimensionless,
    /// Internal: day.
    Time,
    /// First-order rate or hazard. Internal: 1/day.
    Rate,
    /// Membrane current. Internal: nA.
    Current,
    /// Molar concentration (receptor binding). Internal: nM.
    MolarConcentration,
    /// Mass concentration (plasma, CSF). Internal: mg/L.
    MassConcentration,
    /// Serum biomarker concentration. Internal: pg/mL.
    BiomarkerConcentration,
    /// NfL rise per rate of neuron loss. Internal: pg/mL per (%/month).
    NflGain,
    /// Volume of distribution per body mass. Internal: L/kg.
    VolumePerMass,
    /// Clearance per body mass. Internal: L/day/kg.
    ClearancePerMass,
    /// Molar mass. Internal: g/mol.
    MolarMass,
    /// Body mass. Internal: kg.
    BodyMass,
    /// Drug amount given as a dose. Internal: mg (per-kg doses are scaled by body mass).
    Dose,
    /// Infusion rate. Internal: mg/day.
    DoseRate,
    /// Absolute volume (CSF). Internal: L.
    Volume,
    /// Absolute clearance (CSF). Internal: L/day.
    Clearance,
}

/// (spelling, factor to internal unit) for one kind.
fn table(kind: Kind) -> &'static [(&'static str, f64)] {
    match kind {
        Kind::Dimensionless => &[("1", 1.0), ("fraction", 1.0), ("ratio", 1.0), ("%", 0.01)],
        Kind::Time => &[
            ("s", MINUTE / 60.0),
            ("min", MINUTE),
            ("h", HOUR),
            ("day", 1.0),
            ("week", WEEK),
            ("month", MONTH),
            ("year", YEAR),
        ],
        Kind::Rate => &[
            ("1/s", 1.0 / (MINUTE / 60.0)),
            ("1/min", 1.0 / MINUTE),
            ("1/h", 1.0 / HOUR),
            ("1/day", 1.0),
            ("1/week", 1.0 / WEEK),
            ("1/month", 1.0 / MONTH),
            ("1/year", 1.0 / YEAR),
            ("%/month", 0.01 / MONTH),
        ],
        Kind::Current => &[("nA", 1.0), ("pA", 1e-3)],
        Kind::MolarConcentration => &[("pM", 1e-3), ("nM", 1.0), ("uM", 1e3), ("µM", 1e3)],
        Kind::MassConcentration => &[
            ("mg/L", 1.0),
            ("ug/mL", 1.0),
            ("µg/mL", 1.0),
            ("ug/L", 1e-3),
            ("µg/L", 1e-3),
            ("ng/mL", 1e-3),
            ("ng/L", 1e-6),
            ("pg/mL", 1e-6),
        ],
        Kind::BiomarkerConcentration => &[("pg/mL", 1.0), ("ng/L", 1.0)],
        Kind::NflGain => &[("pg/mL per %/month", 1.0)],
        Kind::VolumePerMass => &[("L/kg", 1.0), ("mL/kg", 1e-3)],
        Kind::ClearancePerMass => &[("L/h/kg", 24.0), ("mL/min/kg", 1e-3 * 1440.0), ("L/day/kg", 1.0)],
        Kind::MolarMass => &[("g/mol", 1.0)],
        Kind::BodyMass => &[("kg", 1.0), ("g", 1e-3)],
        Kind::Dose => &[("mg", 1.0), ("ug", 1e-3), ("µg", 1e-3), ("g", 1e3)],
        Kind::DoseRate => &[
            ("mg/day", 1.0),
            ("ug/day", 1e-3),
            ("µg/day", 1e-3),
            ("mg/h", 24.0),
            ("ug/h", 24e-3),
            ("µg/h", 24e-3),
        ],
        Kind::Volume => &[("L", 1.0), ("mL", 1e-3)],
        Kind::Clearance => &[("L/day", 1.0), ("L/h", 24.0), ("mL/min", 1e-3 * 1440.0), ("mL/h", 24e-3)],
    }
}

/// The spellings a kind accepts, for error messages.
pub fn allowed(kind: Kind) -> String {
    table(kind).iter().map(|(u, _)| format!("\"{u}\"")).collect::<Vec<_>>().join(", ")
}

/// Factor that converts a value in `unit` into the internal unit of `kind`.
pub fn factor(kind: Kind, unit: &str) -> Option<f64> {
    table(kind).iter().find(|(u, _)| *u == unit.trim()).map(|&(_, f)| f)
}

/// A dose is either an absolute amount or an amount per kg of body mass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DoseUnit {
    /// Factor to mg.
    Absolute(f64),
    /// Factor to mg per kg.
    PerKg(f64),
}

/// Parse a dose unit: "mg", "µg", "g", or any of them followed by "/kg".
pub fn dose_unit(unit: &str) -> Option<DoseUnit> {
    let unit = unit.trim();
    match unit.strip_suffix("/kg") {
        Some(base) => factor(Kind::Dose, base).map(DoseUnit::PerKg),
        None => factor(Kind::Dose, unit).map(DoseUnit::Absolute),
    }
}

/// Allowed dose units, for error messages.
pub fn allowed_dose_units() -> String {
    let base = allowed(Kind::Dose);
    format!("{base}, or any of them per kg (\"mg/kg\")")
}

/// Name of the internal unit of a kind, for listings and the manifest.
pub fn internal_unit(kind: Kind) -> &'static str {
    match kind {
        Kind::Dimensionless => "1",
        Kind::Time => "day",
        Kind::Rate => "1/day",
        Kind::Current => "nA",
        Kind::MolarConcentration => "nM",
        Kind::MassConcentration => "mg/L",
        Kind::BiomarkerConcentration => "pg/mL",
        Kind::NflGain => "pg/mL per %/month",
        Kind::VolumePerMass => "L/kg",
        Kind::ClearancePerMass => "L/day/kg",
        Kind::MolarMass => "g/mol",
        Kind::BodyMass => "kg",
        Kind::Dose => "mg",
        Kind::DoseRate => "mg/day",
        Kind::Volume => "L",
        Kind::Clearance => "L/day",
    }
}

/// `text` as a leading number and the unit after it (`20min` → (20, "min"), `1e3` → (1000, "")):
/// the longest prefix that is a number, so an exponent is not taken for a unit.
pub fn number_and_unit(text: &str) -> Option<(f64, &str)> {
    let text = text.trim();
    let split = (1..=text.len())
        .rev()
        .filter(|&k| text.is_char_boundary(k))
        .find(|&k| text[..k].parse::<f64>().is_ok())?;
    Some((text[..split].parse().ok()?, text[split..].trim()))
}

/// A time written for the command line, in days: a number of days, or numbers with units joined
/// by `+` (`4y+2d`, `36h`, `3 year`, `10min`). Units: the time units of files (`s`, `min`, `h`,
/// `day`, `week`, `month`, `year`), their plurals, and the short `y`, `mo`, `w`, `d`.
pub fn time_text(text: &str) -> Result<f64, String> {
    let mut total = 0.0;
    for part in text.split('+') {
        let part = part.trim();
        let (value, unit) = number_and_unit(part)
            .ok_or_else(|| format!("`{part}` is not a number with an optional time unit"))?;
        let short = match unit {
            "" | "d" | "days" => "day",
            "y" | "years" => "year",
            "w" | "weeks" => "week",
            "mo" | "months" => "month",
            "hour" | "hours" => "h",
            "minute" | "minutes" => "min",
            u => u,
        };
        let factor = factor(Kind::Time, short)
            .ok_or_else(|| format!("unknown time unit `{unit}` (allowed: y, mo, w, d, h, min, s)"))?;
        total += value * factor;
    }
    if !total.is_finite() {
        return Err(format!("`{text}` is not a finite time"));
    }
    Ok(total)
}

/// Every kind, for lookups by unit spelling alone.
const KINDS: [Kind; 16] = [
    Kind::Dimensionless,
    Kind::Time,
    Kind::Rate,
    Kind::Current,
    Kind::MolarConcentration,
    Kind::MassConcentration,
    Kind::BiomarkerConcentration,
    Kind::NflGain,
    Kind::VolumePerMass,
    Kind::ClearancePerMass,
    Kind::MolarMass,
    Kind::BodyMass,
    Kind::Dose,
    Kind::DoseRate,
    Kind::Volume,
    Kind::Clearance,
];

/// `value` in unit `from` expressed in unit `to`, when some kind has both spellings.
pub fn convert(value: f64, from: &str, to: &str) -> Option<f64> {
    KINDS.iter().find_map(|&k| Some(value * factor(k, from)? / factor(k, to)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_and_rate_are_reciprocal() {
        for unit in ["s", "min", "h", "day", "week", "month", "year"] {
            let t = factor(Kind::Time, unit).unwrap();
            let r = factor(Kind::Rate, &format!("1/{unit}")).unwrap();
            assert!((t * r - 1.0).abs() < 1e-12, "{unit}");
        }
    }

    #[test]
    fn unknown_unit_is_rejected() {
        assert!(factor(Kind::Time, "hours").is_none());
        assert!(factor(Kind::MassConcentration, "mg").is_none());
        assert_eq!(dose_unit("mg/kg"), Some(DoseUnit::PerKg(1.0)));
        assert_eq!(dose_unit("µg"), Some(DoseUnit::Absolute(1e-3)));
        assert!(dose_unit("mL").is_none());
    }

    #[test]
    fn clearance_conversion() {
        // 1 mL/min/kg = 1.44 L/day/kg
        assert!((factor(Kind::ClearancePerMass, "mL/min/kg").unwrap() - 1.44).abs() < 1e-12);
    }
}
