//! `compare`: several simulate folders (e.g. untreated, baclofen, tizanidine) overlaid, readout
//! by readout, every side effect any of them has, and a table of their summary metrics.

use super::course::time_axis;
use super::data::Run;
use super::stack::{format_tick, Axis, Panel, Series};
use super::theme::series_colour;
use crate::error::{Error, Result};

/// Readouts drawn when none are asked for: (column, axis title).
pub const DEFAULT_READOUTS: &[&str] = &["spasms_per_hour", "ashworth", "alsfrs_r", "fvc"];

/// Side-effect columns, drawn when some run has them above zero: (column, panel title).
const HARMS: &[(&str, &str)] = &[
    ("sedation", "Sedation"),
    ("bp_fall", "Blood-pressure fall"),
    ("respiratory_depression", "Respiratory depression"),
    ("drug_weakness", "Drug weakness"),
];

/// Summary rows of the table: (summary.json key, label, scale, unit).
pub const TABLE: &[(&str, &str, f64, &str)] = &[
    ("spasm_auc", "spasm burden", 1.0, "intensity-days"),
    ("peak_spasm", "peak spasm intensity", 1.0, ""),
    ("alsfrs_slope_per_month", "ALSFRS-R slope", 1.0, "points/month"),
    ("death_day", "death", 1.0, "day"),
    ("peak_sedation", "peak sedation", 1.0, ""),
    ("peak_bp_fall", "peak BP fall", 1.0, ""),
    ("liver_injury_risk", "liver-injury risk", 1.0, ""),
];

/// Panel title and y-axis title (the unit) of a column.
fn titles(run: &Run, name: &str) -> (String, String) {
    let (title, unit) = match name {
        "spasms_per_hour" => ("Spasms", "per hour"),
        "ashworth" => ("Tone", "MAS (0-4)"),
        "alsfrs_r" => ("ALSFRS-R", "points (0-48)"),
        "fvc" => ("FVC", "of predicted"),
        "nfl" => ("Serum NfL", "pg/mL"),
        _ => ("", ""),
    };
    if !title.is_empty() {
        return (title.into(), unit.into());
    }
    let mut t = name.replace('_', " ");
    t[..1].make_ascii_uppercase();
    let unit = match run.unit(name) {
        "1" => "fraction".to_string(),
        u => u.to_string(),
    };
    (t, unit)
}

/// Rows of the metric table: a label and one cell per run.
pub type Table = Vec<(String, Vec<String>)>;

/// Axis, panels and metric table of the comparison.
pub fn build(runs: &[Run], readouts: &[String]) -> Result<(Axis, Vec<Panel>, Table)> {
    let first = runs.first().ok_or_else(|| Error::Settings("compare needs at least one folder".into()))?;
    let (per, x_title) = time_axis(first);
    let labels = distinct_labels(runs);
    let panel_of = |name: &str, (title, y_title): (String, String)| -> Result<Panel> {
        let mut series = Vec::new();
        for (k, run) in runs.iter().enumerate() {
            let t = run.column("day")?.iter().map(|d| d / per).collect();
            let mut s = Series::line(labels[k].clone(), t, run.column(name)?, series_colour(k));
            s.dashed = k % 2 == 1;
            series.push(s);
        }
        Ok(Panel { title, y_title, series, ..Panel::default() })
    };
    let mut panels = Vec::new();
    for name in readouts {
        let mut p = panel_of(name, titles(first, name))?;
        if name == "ashworth" {
            p.y_range = Some((0.0, 4.0));
        }
        panels.push(p);
    }
    for (name, y_title) in HARMS {
        let any = runs.iter().any(|r| r.column(name).map(|c| c.iter().any(|v| *v > 1e-4)).unwrap_or(false));
        if any {
            panels.push(panel_of(name, (y_title.to_string(), "fraction".to_string()))?);
        }
    }
    for p in panels.iter_mut().skip(1) {
        p.hide_legend = true;
    }
    let end = runs.iter().map(Run::end_day).fold(0.0, f64::max);
    let axis = Axis { x_title: x_title.into(), x_range: (0.0, end / per), events: vec![], shades: vec![] };
    let mut table = vec![("".to_string(), labels.clone())];
    for (key, label, factor, unit) in TABLE {
        let cells =
            runs.iter().map(|r| r.metric(key).map_or("-".to_string(), |v| format_tick(v * factor))).collect();
        let label = if unit.is_empty() { label.to_string() } else { format!("{label} ({unit})") };
        table.push((label, cells));
    }
    let score = runs
        .iter()
        .map(|r| r.summary["benefit_risk"]["score"].as_f64().map_or("-".to_string(), format_tick))
        .collect();
    table.push(("benefit-risk score".into(), score));
    Ok((axis, panels, table))
}

/// Scenario names, made unique with the folder name when two runs share one.
fn distinct_labels(runs: &[Run]) -> Vec<String> {
    let names: Vec<String> = runs.iter().map(Run::label).collect();
    names
        .iter()
        .zip(runs)
        .map(|(n, r)| {
            if names.iter().filter(|m| *m == n).count() > 1 {
                let dir = r.dir.file_name().map_or(String::new(), |d| d.to_string_lossy().into_owned());
                format!("{n} ({dir})")
            } else {
                n.clone()
            }
        })
        .collect()
}
