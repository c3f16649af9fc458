//! Where drug files are found: folders given by the user first, then the drugs bundled into
//! the binary (so the bundled scenarios run from any directory).

use super::drug::Drug;
use crate::bundled;
use crate::error::Result;
use std::path::{Path, PathBuf};

fn same_name(drug: Drug, file_stem: &str) -> Result<Drug> {
    if drug.name == file_stem {
        Ok(drug)
    } else {
        Err(crate::Error::input(
            &drug.source,
            "drug.name",
            None,
            format!("the file {file_stem}.toml names its drug \"{}\"", drug.name),
            format!("name = \"{file_stem}\""),
        ))
    }
}

/// Folders searched for `<name>.toml`, then the bundled library; drug constants changed on the
/// command line are applied to a drug's file as it is read.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub folders: Vec<PathBuf>,
    pub overrides: Vec<DrugOverride>,
}

/// `--set drug.<name>.<parameter>=VALUE[UNIT]`: a drug constant changed. `parameter` is a name
/// (every section of the file that has it, e.g. both species' `clearance`) or a dotted path
/// (`pk.human.clearance`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DrugOverride {
    pub drug: String,
    pub parameter: String,
    pub value: f64,
    pub unit: Option<String>,
    /// Widen the plausible range to take the value (recorded in the manifest).
    pub beyond_range: bool,
}

/// The drug file's text with `changes` made, for the drug loader to check as any file.
fn with_changes(path: &Path, text: &str, changes: &[&DrugOverride]) -> Result<String> {
    let bad = |field: &str, problem: String, allowed: String| {
        crate::Error::input("--set", field, None, problem, allowed)
    };
    let mut doc: toml::Table = crate::params::parse_toml(path, text)?;
    for o in changes {
        let field = format!("drug.{}.{}", o.drug, o.parameter);
        let (section, name) = match o.parameter.rsplit_once('.') {
            Some((section, name)) => (Some(section.to_string()), name.to_string()),
            None => (None, o.parameter.clone()),
        };
        // Every parameter table: [parameters], [side_effects], [hepatotoxicity], [pk.<species>], …
        let mut tables: Vec<(String, Option<String>)> = Vec::new();
        for (top, value) in doc.iter() {
            let Some(table) = value.as_table() else { continue };
            if table.values().any(|v| v.get("value").is_some()) {
                tables.push((top.clone(), None));
            } else {
                tables.extend(
                    table
                        .iter()
                        .filter(|(_, v)| v.is_table())
                        .map(|(sub, _)| (top.clone(), Some(sub.clone()))),
                );
            }
        }
        let path_of = |(top, sub): &(String, Option<String>)| {
            sub.as_ref().map_or(top.clone(), |s| format!("{top}.{s}"))
        };
        tables.retain(|t| section.as_ref().is_none_or(|s| *s == path_of(t)));
        let mut found = 0;
        for (top, sub) in &tables {
            let mut table = doc.get_mut(top).and_then(|v| v.as_table_mut()).expect("listed above");
            if let Some(sub) = sub {
                table = table.get_mut(sub).and_then(|v| v.as_table_mut()).expect("listed above");
            }
            let Some(entry) = table.get_mut(&name).and_then(|e| e.as_table_mut()) else { continue };
            found += 1;
            let file_unit = entry.get("unit").and_then(|u| u.as_str()).unwrap_or("1").to_string();
            let value = match &o.unit {
                None => o.value,
                Some(u) => crate::units::convert(o.value, u, &file_unit).ok_or_else(|| {
                    bad(
                        &field,
                        format!("unit `{u}` does not convert to the file's `{file_unit}`"),
                        format!("a unit of the same kind as {file_unit}"),
                    )
                })?,
            };
            entry.insert("value".into(), toml::Value::Float(value));
            if o.beyond_range {
                if let Some([lo, hi]) = entry.get("range").and_then(|r| r.as_array()).map(|r| {
                    [r.first().and_then(number).unwrap_or(value), r.get(1).and_then(number).unwrap_or(value)]
                }) {
                    let range = vec![toml::Value::Float(lo.min(value)), toml::Value::Float(hi.max(value))];
                    entry.insert("range".into(), toml::Value::Array(range));
                }
            }
        }
        if found == 0 {
            return Err(bad(
                &field,
                format!("{} has no parameter `{}`", o.drug, o.parameter),
                format!("a parameter of {} (see its drug file)", path.display()),
            ));
        }
    }
    Ok(toml::to_string(&doc).expect("a TOML table serialises"))
}

fn number(v: &toml::Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

impl Library {
    /// The library for a scenario file: its sibling `../drugs/` and `drugs/` folders.
    pub fn for_scenario(scenario: &Path) -> Library {
        let dir = scenario.parent().unwrap_or(Path::new("."));
        Library { folders: vec![dir.join("../drugs"), dir.join("drugs")], overrides: Vec::new() }
    }

    /// Find and load a drug; `Err(list of known names)` when no file has that name. The file
    /// `<name>.toml` must declare the same `[drug].name`, so one name means one drug.
    pub fn find(&self, name: &str) -> std::result::Result<Result<Drug>, String> {
        if crate::params::is_identifier(name) {
            let changes: Vec<&DrugOverride> = self.overrides.iter().filter(|o| o.drug == name).collect();
            let load = |path: &Path, text: &str| -> Result<Drug> {
                if changes.is_empty() {
                    return Drug::from_toml(path, text).and_then(|d| same_name(d, name));
                }
                // Errors name the file; say it was read with the command line's changes (the
                // text's lines are no longer the file's, so none is given).
                let changed = with_changes(path, text, &changes)?;
                let read = Drug::from_toml(path, &changed).map_err(|e| match e {
                    crate::Error::Input { file, field, problem, allowed, .. } => crate::Error::input(
                        file,
                        field,
                        None,
                        format!("{problem} (as changed by --set)"),
                        allowed,
                    ),
                    other => other,
                });
                read.and_then(|d| same_name(d, name))
            };
            for folder in &self.folders {
                let path = folder.join(format!("{name}.toml"));
                if path.is_file() {
                    return Ok(std::fs::read_to_string(&path)
                        .map_err(|e| {
                            crate::Error::input(&path, "", None, format!("cannot read drug file: {e}"), "")
                        })
                        .and_then(|text| load(&path, &text)));
                }
            }
            if let Some((file, text)) = bundled::drug(name) {
                return Ok(load(Path::new(&file), text));
            }
        }
        Err(self.names().join(", "))
    }

    /// Names of every drug available.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = bundled::DRUGS.iter().map(|(n, _)| n.to_string()).collect();
        for folder in &self.folders {
            if let Ok(entries) = std::fs::read_dir(folder) {
                for e in entries.flatten() {
                    let p = e.path();
                    if p.extension().is_some_and(|x| x == "toml") {
                        if let Some(stem) = p.file_stem().and_then(|s| s.to_str()) {
                            names.push(stem.to_string());
                        }
                    }
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }
}
