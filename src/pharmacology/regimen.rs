//! The compact text form of a dosing regimen, as clinicians write it:
//! `"5 mg tid x 3d then 10 mg tid x 3d then 20 mg q8h"`.
//!
//! ```text
//! regimen   := step ("then" step)*
//! step      := amount unit frequency ["x" duration]
//! unit      := mg | ug | µg | g, optionally "/kg"
//! frequency := q<number><h|d|w|min> | qd | bid | tid | qid | once
//! duration  := <number><min|h|d|w>  |  <integer> doses
//! ```
//! Every step but the last needs a duration. [`Regimen::to_text`] writes the canonical form,
//! which parses back to the same regimen.

use crate::units::{self, DoseUnit};

/// One step: an amount repeated at a fixed interval for a duration or a number of doses.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub amount: f64,
    /// The dose unit as written ("mg", "ug/kg", …).
    pub unit: String,
    /// Days between doses; `None` for a single dose.
    pub interval: Option<f64>,
    /// The frequency as written ("tid", "q8h", "once"), kept for the canonical text.
    pub frequency: String,
    pub length: Option<Length>,
}

/// How long a step lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    Days(f64),
    Doses(u64),
}

/// A parsed regimen.
#[derive(Debug, Clone, PartialEq)]
pub struct Regimen {
    pub steps: Vec<Step>,
}

/// Day length of a time suffix.
fn time_unit(s: &str) -> Option<f64> {
    match s {
        "min" => Some(1.0 / 1440.0),
        "h" => Some(1.0 / 24.0),
        "d" => Some(1.0),
        "w" => Some(7.0),
        _ => None,
    }
}

/// "8h" → days; `None` if malformed.
fn number_with_unit(s: &str) -> Option<f64> {
    let split = s.find(|c: char| c.is_ascii_alphabetic())?;
    let value: f64 = s[..split].parse().ok()?;
    let unit = time_unit(&s[split..])?;
    (value.is_finite() && value > 0.0).then_some(value * unit)
}

fn frequency(word: &str) -> Result<Option<f64>, String> {
    let hours = |h: f64| Ok(Some(h / 24.0));
    match word {
        "once" => Ok(None),
        "qd" => hours(24.0),
        "bid" => hours(12.0),
        "tid" => hours(8.0),
        "qid" => hours(6.0),
        w if w.starts_with('q') => number_with_unit(&w[1..])
            .map(Some)
            .ok_or_else(|| format!("frequency `{w}` is not q<number><min|h|d|w>")),
        w => Err(format!("frequency `{w}`: expected qd, bid, tid, qid, once or q<number><h|d|w|min>")),
    }
}

fn step(text: &str) -> Result<Step, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (amount, unit, freq, rest) = match words.as_slice() {
        [a, u, f, rest @ ..] => (a, u, f, rest),
        _ => return Err(format!("`{text}`: expected `<amount> <unit> <frequency> [x <duration>]`")),
    };
    let amount: f64 = amount.parse().map_err(|_| format!("`{amount}` is not a number"))?;
    if !(amount.is_finite() && amount > 0.0) {
        return Err(format!("amount {amount} must be positive"));
    }
    if units::dose_unit(unit).is_none() {
        return Err(format!("`{unit}` is not a dose unit ({})", units::allowed_dose_units()));
    }
    let interval = frequency(freq)?;
    let length = match rest {
        [] => None,
        ["x", n, "doses"] | ["x", n, "dose"] => {
            let n: u64 = n.parse().map_err(|_| format!("`{n}` is not a whole number of doses"))?;
            if n == 0 {
                return Err("zero doses".into());
            }
            Some(Length::Doses(n))
        }
        ["x", d] => Some(Length::Days(
            number_with_unit(d).ok_or_else(|| format!("duration `{d}` is not <number><min|h|d|w>"))?,
        )),
        _ => return Err(format!("`{}`: expected `x <duration>` or `x <n> doses`", rest.join(" "))),
    };
    if interval.is_none() && matches!(length, Some(Length::Doses(_))) {
        return Err("`once` is one dose: use `x <duration>` to set when the next step starts".into());
    }
    Ok(Step { amount, unit: unit.to_string(), interval, frequency: freq.to_string(), length })
}

impl Regimen {
    /// Parse the compact text form.
    pub fn parse(text: &str) -> Result<Regimen, String> {
        let parts: Vec<&str> = text.split(" then ").map(str::trim).collect();
        let steps = parts.iter().map(|p| step(p)).collect::<Result<Vec<_>, _>>()?;
        if steps.is_empty() {
            return Err("empty regimen".into());
        }
        for (i, s) in steps.iter().enumerate() {
            let last = i + 1 == steps.len();
            if !last && s.length.is_none() {
                return Err(format!("step {} has no end before `then`: add `x <duration>`", i + 1));
            }
        }
        Ok(Regimen { steps })
    }

    /// The canonical text form (parses back to the same regimen).
    pub fn to_text(&self) -> String {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|s| {
                let freq = &s.frequency;
                let length = match s.length {
                    None => String::new(),
                    Some(Length::Days(d)) => format!(" x {d}d"),
                    Some(Length::Doses(n)) => format!(" x {n} doses"),
                };
                format!("{} {} {freq}{length}", s.amount, s.unit)
            })
            .collect();
        steps.join(" then ")
    }

    /// The amount of a step in mg for a body of `body_mass` kg.
    pub fn amount_mg(step: &Step, body_mass: f64) -> f64 {
        match units::dose_unit(&step.unit).expect("checked at parse") {
            DoseUnit::Absolute(f) => step.amount * f,
            DoseUnit::PerKg(f) => step.amount * f * body_mass,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titration_parses() {
        let r = Regimen::parse("5 mg tid x 3d then 10 mg q8h x 2 doses then 20 mg/kg qd").unwrap();
        assert_eq!(r.steps.len(), 3);
        assert_eq!(r.steps[0].interval, Some(8.0 / 24.0));
        assert_eq!(r.steps[0].length, Some(Length::Days(3.0)));
        assert_eq!(r.steps[1].length, Some(Length::Doses(2)));
        assert_eq!(r.steps[2].unit, "mg/kg");
        assert_eq!(r.steps[2].length, None);
    }

    #[test]
    fn canonical_text_round_trips() {
        for text in [
            "5 mg tid x 30d then 10 mg q8h",
            "8 mg once",
            "2 mg q6h x 12h then 4 mg bid x 3 doses then 8 mg qd",
            "50 ug q1w x 4w",
        ] {
            let r = Regimen::parse(text).unwrap();
            assert_eq!(Regimen::parse(&r.to_text()).unwrap(), r, "{text} -> {}", r.to_text());
        }
    }

    #[test]
    fn bad_text_is_rejected_with_a_reason() {
        for (text, needle) in [
            ("", "expected"),
            ("5 mg", "expected"),
            ("-5 mg tid", "positive"),
            ("5 mL tid", "dose unit"),
            ("5 mg thrice", "frequency"),
            ("5 mg q0h", "q<number>"),
            ("5 mg tid then 10 mg tid", "no end"),
            ("5 mg once then 10 mg tid", "no end"),
            ("5 mg once x 3 doses then 10 mg tid", "one dose"),
            ("5 mg tid x 0 doses", "zero"),
            ("5 mg tid x forever", "duration"),
        ] {
            let err = Regimen::parse(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }
}
