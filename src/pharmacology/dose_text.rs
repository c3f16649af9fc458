//! A dosing line written on the command line, as in mrgsolve's `ev_rx`:
//! `"baclofen 20 mg q8h from 3y"`, `"baclofen 5 mg tid x 3d then 10 mg tid from 900"`,
//! `"baclofen intrathecal 100 ug/day from 4y until 5y"`.
//!
//! ```text
//! dose  := drug [route] (regimen | rate rate-unit) ["from" time] ["until" time] [route]
//! route := oral | iv | intrathecal   (optional; the drug's usual route when left out)
//! time  := a number of days, or with units: 3y, 3 year, 4y+2d, 36h
//! ```
//! A rate unit (`ug/day`, `mg/h`) makes the line an infusion; otherwise the rest is a regimen
//! ([`super::regimen`]). The line becomes a `[[dosing]]` or `[[infusion]]` block of a scenario
//! file, so every check of scenario files applies to it.

use super::pk::Route;
use crate::units::{self, Kind};

/// A parsed `--dose` line.
#[derive(Debug, Clone, PartialEq)]
pub struct DoseText {
    pub drug: String,
    pub route: Option<Route>,
    pub what: What,
    /// Days.
    pub start: f64,
    pub stop: Option<f64>,
}

/// Boluses by a regimen, or a constant-rate infusion.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    Regimen(String),
    Infusion { rate: f64, unit: String },
}

fn route(word: &str) -> Option<Route> {
    match word {
        "oral" | "po" => Some(Route::Oral),
        "iv" => Some(Route::Iv),
        "intrathecal" | "it" => Some(Route::Intrathecal),
        _ => None,
    }
}

/// The time after `from` or `until`: one token (`3y`) or a number and a unit (`3 year`).
fn time(words: &[&str], at: &mut usize, keyword: &str) -> Result<f64, String> {
    let first = words.get(*at).ok_or_else(|| format!("`{keyword}` needs a time, e.g. `{keyword} 3y`"))?;
    *at += 1;
    if let (Ok(_), Some(unit)) = (first.parse::<f64>(), words.get(*at)) {
        let joined = format!("{first}{unit}");
        if units::time_text(&joined).is_ok() && route(unit).is_none() {
            *at += 1;
            return units::time_text(&joined);
        }
    }
    units::time_text(first).map_err(|e| format!("`{keyword} {first}`: {e}"))
}

impl DoseText {
    pub fn parse(text: &str) -> Result<DoseText, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let Some((&drug, rest)) = words.split_first() else {
            return Err("empty; expected e.g. \"baclofen 20 mg q8h from 3y\"".into());
        };
        let (mut route_given, mut start, mut stop, mut body) = (None, 0.0, None, Vec::new());
        let mut at = 0;
        while at < rest.len() {
            let w = rest[at];
            at += 1;
            match w {
                "from" => start = time(rest, &mut at, "from")?,
                "until" | "to" => stop = Some(time(rest, &mut at, w)?),
                "by" => {
                    let r = rest.get(at).copied().unwrap_or("");
                    route_given =
                        Some(route(r).ok_or_else(|| format!("`by {r}`: routes are oral, iv, intrathecal"))?);
                    at += 1;
                }
                // Route words never occur in a regimen, so one anywhere is the route.
                _ => match route(w) {
                    Some(r) => route_given = Some(r),
                    None => body.push(w),
                },
            }
        }
        if body.is_empty() {
            return Err(format!("`{text}`: no dose after the drug name (e.g. `{drug} 20 mg q8h`)"));
        }
        let what = match body.as_slice() {
            [rate, unit] if units::factor(Kind::DoseRate, unit).is_some() => {
                let rate: f64 = rate.parse().map_err(|_| format!("rate `{rate}` is not a number"))?;
                What::Infusion { rate, unit: unit.to_string() }
            }
            _ => What::Regimen(body.join(" ")),
        };
        Ok(DoseText { drug: drug.to_string(), route: route_given, what, start, stop })
    }

    /// The line as a scenario file's block, by `route` (the one given, or the caller's default).
    pub fn to_toml(&self, route: Route) -> String {
        let time = |t: f64| format!("{{ value = {t:?}, unit = \"day\" }}");
        let stop = self.stop.map_or(String::new(), |s| format!("stop = {}\n", time(s)));
        match &self.what {
            What::Regimen(r) => format!(
                "[[dosing]]\ndrug = {:?}\nroute = \"{}\"\nregimen = {r:?}\nstart = {}\n{stop}",
                self.drug,
                route.name(),
                time(self.start)
            ),
            What::Infusion { rate, unit } => format!(
                "[[infusion]]\ndrug = {:?}\nroute = \"{}\"\nrate = {{ value = {rate:?}, unit = {unit:?} }}\nstart = {}\n{stop}",
                self.drug,
                route.name(),
                time(self.start)
            ),
        }
    }

    /// The route when none is written: oral for boluses if the drug has it, intrathecal (else
    /// iv) for infusions, else the drug's first route.
    pub fn default_route(&self, routes: &[Route]) -> Option<Route> {
        let preferred: &[Route] = match self.what {
            What::Regimen(_) => &[Route::Oral, Route::Iv, Route::Intrathecal],
            What::Infusion { .. } => &[Route::Intrathecal, Route::Iv],
        };
        preferred.iter().copied().find(|r| routes.contains(r)).or(routes.first().copied())
    }
}

/// `text` (a scenario file's) with each dose line appended as a `[[dosing]]` or `[[infusion]]`
/// block, so the scenario loader checks the lines as it checks files. A line without a route
/// takes its drug's usual route from `library`. Errors name the line.
pub fn append_dose_lines(text: &str, lines: &[String], library: &super::Library) -> Result<String, String> {
    let mut text = text.to_string();
    for dose in lines {
        let line = DoseText::parse(dose).map_err(|e| format!("\"{dose}\": {e}"))?;
        let route = match line.route {
            Some(r) => r,
            None => {
                let drug = library
                    .find(&line.drug)
                    .map_err(|known| format!("\"{dose}\": unknown drug `{}` (known: {known})", line.drug))?
                    .map_err(|e| format!("\"{dose}\": {e}"))?;
                line.default_route(&drug.routes)
                    .ok_or_else(|| format!("\"{dose}\": {} has no route", line.drug))?
            }
        };
        text.push_str(&format!("\n# dose \"{dose}\"\n{}", line.to_toml(route)));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regimens_infusions_routes_and_times() {
        let d = DoseText::parse("baclofen 20 mg q8h from 3 year").unwrap();
        assert_eq!((d.drug.as_str(), d.route, d.start), ("baclofen", None, 3.0 * 365.25));
        assert_eq!(d.what, What::Regimen("20 mg q8h".into()));
        let d = DoseText::parse("baclofen intrathecal 100 ug/day from 4y until 4y+30d").unwrap();
        assert_eq!(d.route, Some(Route::Intrathecal));
        assert_eq!(d.what, What::Infusion { rate: 100.0, unit: "ug/day".into() });
        assert_eq!(d.stop, Some(4.0 * 365.25 + 30.0));
        let d = DoseText::parse("baclofen 5 mg tid x 3d then 10 mg tid from 900 by oral").unwrap();
        assert_eq!((d.start, d.route), (900.0, Some(Route::Oral)));
        assert_eq!(d.what, What::Regimen("5 mg tid x 3d then 10 mg tid".into()));
        assert!(d.to_toml(Route::Oral).contains("regimen = \"5 mg tid x 3d then 10 mg tid\""));
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        assert!(DoseText::parse("").unwrap_err().contains("empty"));
        assert!(DoseText::parse("baclofen").unwrap_err().contains("no dose"));
        assert!(DoseText::parse("baclofen 20 mg q8h from soon").unwrap_err().contains("from soon"));
        assert!(DoseText::parse("baclofen 20 mg q8h by mouth").unwrap_err().contains("routes are"));
    }
}
