//! Parameter changes given on the command line (`simulate --set raphe_hazard=3%/month`), as
//! mrgsolve's `param()`: checked as a model file's values are (known name, unit of the right
//! kind, physical bound, plausible range unless allowed beyond), and recorded beside the results.

use super::Model;
use crate::error::{Error, Result};
use crate::units;
use std::path::Path;

/// One `NAME=VALUE[UNIT]` change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Override {
    pub name: String,
    pub value: f64,
    /// As written; `None`: the model file's unit for this parameter.
    pub unit: Option<String>,
}

/// Where errors about `--set` point.
const FLAG: &str = "--set";

impl Override {
    /// Parse `NAME=VALUE[UNIT]` (`pic_time_constant=20min`, `body_mass=80 kg`, `spasm_half_drive=0.05`).
    pub fn parse(text: &str) -> Result<Override> {
        let bad = |problem: String| {
            Error::input(FLAG, "", None, problem, "NAME=VALUE[UNIT], e.g. raphe_hazard=3%/month")
        };
        let (name, rest) = text.split_once('=').ok_or_else(|| bad(format!("`{text}` has no `=`")))?;
        let (value, unit) = units::number_and_unit(rest)
            .ok_or_else(|| bad(format!("`{text}`: `{}` does not start with a number", rest.trim())))?;
        Ok(Override {
            name: name.trim().to_string(),
            value,
            unit: (!unit.is_empty()).then(|| unit.to_string()),
        })
    }
}

impl Model {
    /// This model with `changes` applied; values outside a parameter's plausible range are
    /// refused unless `beyond_range`, and then returned as warnings.
    pub fn with_overrides(&self, changes: &[Override], beyond_range: bool) -> Result<(Model, Vec<String>)> {
        let mut resolved = self.resolved.clone();
        let mut values = Vec::new();
        let mut warnings = Vec::new();
        for o in changes {
            let field = o.name.as_str();
            let Some(r) = resolved.iter_mut().find(|r| r.name == o.name) else {
                return Err(Error::input(
                    FLAG,
                    field,
                    None,
                    "unknown parameter",
                    "a parameter listed by `raphe params`",
                ));
            };
            let def = super::parameters::DEFS
                .iter()
                .find(|d| d.name == o.name)
                .expect("resolved names are defined");
            let unit = o.unit.clone().unwrap_or_else(|| r.unit.clone());
            let factor = units::factor(def.kind, &unit).ok_or_else(|| {
                Error::input(
                    FLAG,
                    field,
                    None,
                    format!("unit `{unit}` is not a unit of {:?}", def.kind),
                    units::allowed(def.kind),
                )
            })?;
            let internal = o.value * factor;
            if !internal.is_finite() || !def.bound.admits(internal) {
                return Err(Error::input(
                    FLAG,
                    field,
                    None,
                    format!("{} {unit} is outside its physical bound", o.value),
                    def.bound.describe(),
                ));
            }
            let file_factor = units::factor(def.kind, &r.unit).expect("the file's unit was checked");
            let [lo, hi] = r.range;
            let in_file_unit = internal / file_factor;
            if in_file_unit < lo || in_file_unit > hi {
                let problem =
                    format!("{} {unit} is outside its plausible range [{lo}, {hi}] {}", o.value, r.unit);
                if !beyond_range {
                    return Err(Error::input(
                        FLAG,
                        field,
                        None,
                        problem,
                        format!("[{lo}, {hi}] {}, or --allow-outside-range to go beyond (recorded in the manifest)", r.unit),
                    ));
                }
                warnings.push(format!("{field}: {problem} (allowed by --allow-outside-range)"));
            }
            r.value = internal;
            r.file_value = in_file_unit;
            r.note = Some(format!("set on the command line to {} {unit}", o.value));
            values.push((def.name, internal));
        }
        let mut model = self.with_parameters(&values).expect("names checked");
        super::check_consistency(Path::new(FLAG), &model.params)?;
        model.resolved = resolved;
        Ok((model, warnings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn human() -> Model {
        let (file, text) = crate::bundled::model("human_als").unwrap();
        Model::from_toml(Path::new(&file), text).unwrap()
    }

    #[test]
    fn a_value_in_another_unit_is_converted_and_recorded() {
        let m = human();
        let o = Override::parse("pic_time_constant=0.5h").unwrap();
        assert_eq!(o.unit.as_deref(), Some("h"));
        let (changed, warnings) = m.with_overrides(&[o], false).unwrap();
        assert!(warnings.is_empty());
        assert!((changed.params.pic_time_constant - 0.5 / 24.0).abs() < 1e-15);
        let r = changed.resolved.iter().find(|r| r.name == "pic_time_constant").unwrap();
        assert!((r.file_value - 30.0).abs() < 1e-12 && r.unit == "min", "{r:?}");
    }

    #[test]
    fn names_units_bounds_and_ranges_are_checked() {
        let m = human();
        let err =
            |text: &str| m.with_overrides(&[Override::parse(text).unwrap()], false).unwrap_err().to_string();
        assert!(err("no_such=1").contains("unknown parameter"));
        assert!(err("pic_time_constant=3 kg").contains("not a unit of Time"));
        assert!(err("pic_time_constant=-1").contains("physical bound"));
        assert!(err("pic_time_constant=600").contains("plausible range [1, 60] min"));
        let (_, warnings) =
            m.with_overrides(&[Override::parse("pic_time_constant=600").unwrap()], true).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(Override::parse("raphe_hazard").is_err() && Override::parse("raphe_hazard=fast").is_err());
    }
}
