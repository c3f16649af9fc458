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

/// Folders searched for `<name>.toml`, then the bundled library.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub folders: Vec<PathBuf>,
}

impl Library {
    /// The library for a scenario file: its sibling `../drugs/` and `drugs/` folders.
    pub fn for_scenario(scenario: &Path) -> Library {
        let dir = scenario.parent().unwrap_or(Path::new("."));
        Library { folders: vec![dir.join("../drugs"), dir.join("drugs")] }
    }

    /// Find and load a drug; `Err(list of known names)` when no file has that name. The file
    /// `<name>.toml` must declare the same `[drug].name`, so one name means one drug.
    pub fn find(&self, name: &str) -> std::result::Result<Result<Drug>, String> {
        if crate::params::is_identifier(name) {
            for folder in &self.folders {
                let path = folder.join(format!("{name}.toml"));
                if path.is_file() {
                    return Ok(Drug::load(&path).and_then(|d| same_name(d, name)));
                }
            }
            if let Some((file, text)) = bundled::drug(name) {
                return Ok(Drug::from_toml(Path::new(&file), text).and_then(|d| same_name(d, name)));
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
