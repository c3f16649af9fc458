//! The listing commands (`params`, `drugs`, `scenarios`, `metrics`): one table each, printed as
//! an aligned table, CSV or JSON.

use super::load_model;
use anyhow::{bail, Result};
use raphe::pharmacology::{Library, Scenario};
use raphe::{bundled, model::Model};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How a listing is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for reading (the last column unpadded).
    #[default]
    Table,
    /// CSV with a header, quoted where needed.
    Csv,
    /// An array of objects, one per row.
    Json,
}

/// A listing: column names and rows of text.
struct Listing {
    columns: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

fn csv_cell(x: &str) -> String {
    if x.contains([',', '"', '\n']) {
        format!("\"{}\"", x.replace('"', "\"\""))
    } else {
        x.to_string()
    }
}

impl Listing {
    fn print(&self, format: Format) -> Result<()> {
        let mut out = std::io::stdout().lock();
        match format {
            Format::Table => {
                let n = self.columns.len();
                let width = |c: usize| {
                    self.rows
                        .iter()
                        .map(|r| r[c].chars().count())
                        .chain([self.columns[c].len()])
                        .max()
                        .unwrap_or(0)
                };
                let widths: Vec<usize> = (0..n).map(width).collect();
                let line = |cells: Vec<&str>| {
                    let padded: Vec<String> = cells
                        .iter()
                        .enumerate()
                        .map(
                            |(c, x)| {
                                if c + 1 == n {
                                    x.to_string()
                                } else {
                                    format!("{x:<w$}", w = widths[c])
                                }
                            },
                        )
                        .collect();
                    padded.join("  ")
                };
                writeln!(out, "{}", line(self.columns.clone()))?;
                for r in &self.rows {
                    writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
                }
            }
            Format::Csv => {
                writeln!(out, "{}", self.columns.join(","))?;
                for r in &self.rows {
                    writeln!(out, "{}", r.iter().map(|x| csv_cell(x)).collect::<Vec<_>>().join(","))?;
                }
            }
            Format::Json => {
                let rows: Vec<serde_json::Value> = self
                    .rows
                    .iter()
                    .map(|r| {
                        serde_json::Value::Object(
                            self.columns
                                .iter()
                                .zip(r)
                                .map(|(c, x)| (c.to_string(), serde_json::json!(x)))
                                .collect(),
                        )
                    })
                    .collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
            }
        }
        Ok(())
    }
}

pub fn params(model: Option<&str>, format: Format) -> Result<()> {
    let model = load_model(model)?;
    if format == Format::Table {
        println!("# {} ({}): {}", model.name, model.species.name(), model.description);
    }
    let rows = model
        .resolved
        .iter()
        .map(|p| {
            let source = match (&p.source, p.assumption) {
                (Some(s), _) => s.clone(),
                (None, true) => format!("ASSUMPTION: {}", p.note.as_deref().unwrap_or(p.description)),
                (None, false) => String::new(),
            };
            vec![
                p.name.clone(),
                p.file_value.to_string(),
                p.unit.clone(),
                format!("[{}, {}]", p.range[0], p.range[1]),
                source,
            ]
        })
        .collect();
    Listing { columns: vec!["parameter", "value", "unit", "range", "source"], rows }.print(format)
}

pub fn drugs(folder: Option<PathBuf>, format: Format) -> Result<()> {
    let library = Library { folders: folder.into_iter().collect(), overrides: Vec::new() };
    let (mut rows, mut broken) = (Vec::new(), Vec::new());
    for name in library.names() {
        let drug = match library.find(&name) {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => {
                rows.push(vec![
                    name.clone(),
                    format!("ERROR: {e}"),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
                broken.push(name);
                continue;
            }
            Err(_) => continue,
        };
        let routes: Vec<_> = drug.routes.iter().map(|r| r.name()).collect();
        let species: Vec<_> = drug.pk.keys().map(|s| s.name()).collect();
        let limits: Vec<String> = drug
            .doses
            .iter()
            .map(|(s, d)| {
                let typical = d.typical.map_or("-".into(), |v| format!("{v} mg"));
                let max = d.label_max_daily.map_or("-".into(), |v| format!("{v} mg/day"));
                format!("{}: {typical} / {max}", s.name())
            })
            .collect();
        let mechanism = serde_json::to_value(drug.mechanism_kind)?.as_str().unwrap_or("").to_string();
        rows.push(vec![drug.name, mechanism, routes.join(", "), species.join(", "), limits.join("; ")]);
    }
    let columns = vec!["drug", "mechanism", "routes", "species", "typical dose / label max"];
    Listing { columns, rows }.print(format)?;
    if !broken.is_empty() {
        bail!("{} drug file(s) could not be read: {} (see ERROR above)", broken.len(), broken.join(", "));
    }
    Ok(())
}

/// The bundled scenarios with the bundled models each loads on.
pub fn scenarios(format: Format) -> Result<()> {
    let models: Vec<Model> =
        bundled::MODELS.iter().map(|(name, _)| load_model(Some(name))).collect::<Result<_>>()?;
    let mut rows = Vec::new();
    for (name, _) in bundled::SCENARIOS {
        let Some((file, text)) = bundled::scenario(name) else { continue };
        let mut on = Vec::new();
        let mut description = String::new();
        for m in &models {
            if let Ok(s) = Scenario::from_toml(Path::new(&file), text, m, &Library::default()) {
                on.push(m.name.clone());
                description = s.description;
            }
        }
        rows.push(vec![name.to_string(), on.join(", "), description]);
    }
    Listing { columns: vec!["scenario", "model", "description"], rows }.print(format)
}

/// Every summary metric (also the sweep metrics) with its unit and meaning.
pub fn metrics(format: Format) -> Result<()> {
    use raphe::simulate::summary;
    let sweepable: Vec<String> = raphe::sweep::metric_names();
    // Time above a level is a sweep metric only (the level is the sweep's choice).
    let time_above = raphe::simulate::exposure::METRIC_FORMS
        .iter()
        .filter(|(k, _, _)| k.contains("time_above"))
        .map(|&(k, u, _)| (k, u));
    let rows = summary::units()
        .chain(time_above)
        .map(|(key, unit)| {
            let sweep = sweepable.iter().any(|m| m == key) || key.starts_with("exposure.");
            vec![
                key.to_string(),
                unit.to_string(),
                if sweep { "yes" } else { "no" }.to_string(),
                summary::meaning(key).unwrap_or("").to_string(),
            ]
        })
        .collect();
    Listing { columns: vec!["metric", "unit", "sweep", "meaning"], rows }.print(format)
}
