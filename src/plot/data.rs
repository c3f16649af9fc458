//! Reading a `raphe simulate` output folder for figures: trajectory.csv with the units of
//! trajectory.columns.json, summary.json and manifest.json. Nothing here simulates.

use crate::error::{Error, Result};
use crate::model::Species;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One simulate folder.
#[derive(Debug, Clone)]
pub struct Run {
    pub dir: PathBuf,
    /// Column names and units, in file order.
    pub columns: Vec<(String, String)>,
    /// Rows of trajectory.csv.
    pub rows: Vec<Vec<f64>>,
    pub summary: Value,
    pub manifest: Value,
}

/// A period during which a drug (or exercise) is given, days.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub label: String,
    pub start: f64,
    pub end: f64,
}

/// One dosing line as the manifest records it (the scenario's `Dosing`).
#[derive(Debug, Clone, PartialEq)]
pub struct DoseLine {
    pub drug: String,
    pub start: f64,
    /// Days between doses; infinite for a single dose (written as null).
    pub interval: f64,
    pub count: Option<u64>,
    pub stop: Option<f64>,
}

impl DoseLine {
    /// Days of the doses in [from, to], by the engine's rule: dose i at start + i·interval, at
    /// most `count` of them, each before `stop`.
    pub fn times(&self, from: f64, to: f64) -> Vec<f64> {
        let before = self.stop.map_or(f64::INFINITY, |s| s - 1e-9).min(to + 1e-9);
        let first = if self.interval.is_finite() {
            ((from - self.start) / self.interval).ceil().max(0.0)
        } else {
            0.0
        };
        let count = self.count.map_or(f64::INFINITY, |c| c as f64);
        let mut times = Vec::new();
        let mut i = first;
        while i < count {
            let t = if i == 0.0 { self.start } else { self.start + i * self.interval };
            if t >= before || !t.is_finite() {
                break;
            }
            if t >= from - 1e-9 {
                times.push(t);
            }
            i += 1.0;
        }
        times
    }

    /// Day the line stops acting (at most `end`): its stop, or a dosing interval after its last
    /// dose, whichever is first; at least one interval, and a single dose at least a sliver.
    fn acting_until(&self, end: f64) -> f64 {
        let interval = if self.interval.is_finite() { self.interval } else { 0.0 };
        let by_count = self.count.map_or(f64::INFINITY, |n| self.start + interval * n as f64);
        let last = self.stop.unwrap_or(f64::INFINITY).min(by_count).min(end);
        last.max(self.start + interval.max(end * 0.002)).min(end)
    }
}

fn missing(file: &Path, field: &str, problem: impl Into<String>, allowed: &str) -> Error {
    Error::input(file, field, None, problem, allowed)
}

fn read_json(file: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        missing(file, "", format!("cannot read: {e}"), "the folder written by `raphe simulate --out`")
    })?;
    serde_json::from_str(&text)
        .map_err(|e| missing(file, "", format!("not valid JSON: {e}"), "a file written by raphe"))
}

/// A CSV reader of `file` and its header; errors name the file and say what was expected.
pub(crate) fn open_csv(file: &Path, expected: &str) -> Result<(csv::Reader<std::fs::File>, Vec<String>)> {
    let mut reader =
        csv::Reader::from_path(file).map_err(|e| missing(file, "", format!("cannot read: {e}"), expected))?;
    let header = reader
        .headers()
        .map_err(|e| missing(file, "", format!("no header: {e}"), "a CSV header"))?
        .iter()
        .map(str::to_string)
        .collect();
    Ok((reader, header))
}

impl Run {
    /// Read a simulate folder; every error names the file and what is missing.
    pub fn read(dir: &Path) -> Result<Run> {
        if !dir.is_dir() {
            return Err(missing(dir, "", "no such folder", "a folder written by `raphe simulate --out`"));
        }
        let columns_file = dir.join("trajectory.columns.json");
        let columns = match read_json(&columns_file)? {
            Value::Array(items) => items
                .iter()
                .map(|c| {
                    let name = c["name"].as_str().unwrap_or_default().to_string();
                    let unit = c["unit"].as_str().unwrap_or("1").to_string();
                    (name, unit)
                })
                .collect::<Vec<_>>(),
            _ => {
                return Err(missing(
                    &columns_file,
                    "",
                    "not a list of columns",
                    "[{name, unit, description}]",
                ))
            }
        };
        let file = dir.join("trajectory.csv");
        let (mut reader, header) = open_csv(&file, "the folder written by `raphe simulate --out`")?;
        let expected: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
        if header != expected {
            return Err(missing(
                &file,
                "header",
                "columns differ from trajectory.columns.json",
                "the two files of one run",
            ));
        }
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record
                .map_err(|e| missing(&file, format!("row {}", i + 1).as_str(), e.to_string(), "CSV"))?;
            let row: std::result::Result<Vec<f64>, _> = record.iter().map(str::parse::<f64>).collect();
            rows.push(row.map_err(|_| {
                missing(&file, format!("row {}", i + 1).as_str(), "a value is not a number", "numbers")
            })?);
        }
        if rows.len() < 2 {
            return Err(missing(&file, "", "fewer than two rows", "a trajectory to draw"));
        }
        let summary = read_json(&dir.join("summary.json"))?;
        let manifest = read_json(&dir.join("manifest.json"))?;
        Ok(Run { dir: dir.to_path_buf(), columns, rows, summary, manifest })
    }

    fn index(&self, name: &str) -> Result<usize> {
        self.columns.iter().position(|(n, _)| n == name).ok_or_else(|| {
            missing(
                &self.dir.join("trajectory.csv"),
                name,
                format!("no column `{name}`"),
                "a column listed in trajectory.columns.json",
            )
        })
    }

    /// A column's values.
    pub fn column(&self, name: &str) -> Result<Vec<f64>> {
        let i = self.index(name)?;
        Ok(self.rows.iter().map(|r| r[i]).collect())
    }

    pub fn has(&self, name: &str) -> bool {
        self.index(name).is_ok()
    }

    /// A column's unit as written in trajectory.columns.json.
    pub fn unit(&self, name: &str) -> &str {
        self.columns.iter().find(|(n, _)| n == name).map_or("1", |(_, u)| u.as_str())
    }

    /// A numeric summary value (`None`: did not happen).
    pub fn metric(&self, key: &str) -> Option<f64> {
        self.summary.get(key).and_then(Value::as_f64)
    }

    /// Species of the model, from the manifest (older manifests: by run length).
    pub fn species(&self) -> Species {
        match self.manifest["species"].as_str() {
            Some("mouse") => Species::Mouse,
            Some(_) => Species::Human,
            None if self.end_day() < 365.0 => Species::Mouse,
            None => Species::Human,
        }
    }

    pub fn end_day(&self) -> f64 {
        self.rows.last().map_or(0.0, |r| r[0])
    }

    /// A short name: the scenario's, or "untreated".
    pub fn label(&self) -> String {
        self.manifest["scenario"]["name"].as_str().unwrap_or("untreated").to_string()
    }

    /// The dosing lines of the run's scenario.
    pub fn dose_lines(&self) -> Vec<DoseLine> {
        let dosing = self.manifest["dosing"].as_array().into_iter().flatten();
        dosing
            .map(|d| DoseLine {
                drug: self.drug_name(&d["drug"]),
                start: d["start"].as_f64().unwrap_or(0.0),
                interval: d["interval"].as_f64().unwrap_or(f64::INFINITY),
                count: d["count"].as_u64(),
                stop: d["stop"].as_f64(),
            })
            .collect()
    }

    /// The name of the drug at a manifest index.
    fn drug_name(&self, index: &Value) -> String {
        let k = index.as_u64().unwrap_or(0) as usize;
        self.manifest["drugs"][k]["name"].as_str().unwrap_or("drug").to_string()
    }

    /// Periods of dosing (one per dosing line or infusion, merged per drug when they touch) and
    /// of exercise, clipped to the run.
    pub fn periods(&self) -> Vec<Period> {
        let end = self.end_day();
        let mut periods: Vec<Period> = self
            .dose_lines()
            .into_iter()
            .map(|d| Period { start: d.start, end: d.acting_until(end), label: d.drug })
            .collect();
        for i in self.manifest["infusions"].as_array().into_iter().flatten() {
            let start = i["start"].as_f64().unwrap_or(0.0);
            let stop = i["stop"].as_f64().unwrap_or(end);
            periods.push(Period { label: self.drug_name(&i["drug"]), start, end: stop.min(end) });
        }
        for e in self.manifest["exercise"].as_array().into_iter().flatten() {
            let start = e["start"].as_f64().unwrap_or(0.0);
            let stop = e["stop"].as_f64().unwrap_or(end);
            periods.push(Period { label: "exercise".into(), start, end: stop.min(end) });
        }
        periods.retain(|p| p.start < end);
        periods.sort_by(|a, b| a.label.cmp(&b.label).then(a.start.total_cmp(&b.start)));
        let mut merged: Vec<Period> = Vec::new();
        for p in periods {
            match merged.last_mut() {
                Some(m) if m.label == p.label && p.start <= m.end + 1e-9 => m.end = m.end.max(p.end),
                _ => merged.push(p),
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::DoseLine;

    fn line(interval: f64, count: Option<u64>, stop: Option<f64>) -> DoseLine {
        DoseLine { drug: "d".into(), start: 1.0, interval, count, stop }
    }

    /// The engine's rule (scenario::doses_until): at most `count` doses, each before `stop`.
    #[test]
    fn dose_times_follow_count_and_stop() {
        assert_eq!(line(0.5, Some(3), None).times(0.0, 10.0), vec![1.0, 1.5, 2.0]);
        assert_eq!(line(0.5, Some(3), Some(2.0)).times(0.0, 10.0), vec![1.0, 1.5]);
        assert_eq!(line(0.5, None, Some(2.6)).times(1.2, 10.0), vec![1.5, 2.0, 2.5]);
        assert_eq!(line(0.5, None, None).times(1.2, 2.0), vec![1.5, 2.0]);
        assert_eq!(line(f64::INFINITY, Some(1), None).times(0.0, 10.0), vec![1.0]);
        assert!(line(f64::INFINITY, Some(1), None).times(1.5, 10.0).is_empty());
    }

    #[test]
    fn acting_period_ends_at_first_limit() {
        assert_eq!(line(0.5, Some(3), None).acting_until(100.0), 2.5);
        assert_eq!(line(0.5, Some(3), Some(2.0)).acting_until(100.0), 2.0);
        assert_eq!(line(0.5, None, None).acting_until(100.0), 100.0);
        // A single dose: a sliver (0.2% of the run).
        assert!((line(f64::INFINITY, Some(1), None).acting_until(100.0) - 1.2).abs() < 1e-12);
    }
}
