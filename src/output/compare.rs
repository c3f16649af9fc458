//! The table of `raphe compare`: every numeric summary metric (those of `summary.json`,
//! benefit–risk included) of each arm, with its difference from the first arm.

use crate::simulate::Summary;
use serde::Serialize;
use std::fmt::Write as _;

/// One metric across the arms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub metric: String,
    pub unit: Option<&'static str>,
    /// One per arm; `None` where the arm's summary has no value (an event that did not happen).
    pub values: Vec<Option<f64>>,
    /// Arm minus the first arm, one per arm after the first.
    pub difference_from_first: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub arms: Vec<String>,
    pub rows: Vec<Row>,
}

/// The numeric leaves of a summary as (dotted key, value); `null` leaves are kept as `None`.
fn leaves(summary: &Summary) -> Vec<(String, Option<f64>)> {
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, Option<f64>)>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map {
                    if prefix.is_empty() && k == "units" {
                        continue;
                    }
                    let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(&key, x, out);
                }
            }
            serde_json::Value::Number(n) => out.push((prefix.to_string(), n.as_f64())),
            serde_json::Value::Null => out.push((prefix.to_string(), None)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", &serde_json::to_value(summary).expect("a summary serialises"), &mut out);
    out
}

impl Table {
    /// The table of `summaries` (one per arm, named by `arms`). A metric appears if any arm has
    /// it (benefit–risk exists only for treated arms).
    pub fn of(arms: &[String], summaries: &[Summary]) -> Table {
        let per_arm: Vec<Vec<(String, Option<f64>)>> = summaries.iter().map(leaves).collect();
        // Every metric with a unit that some arm has, in summary.json's order; the benefit–risk
        // weights are settings, the same in every arm, and left out.
        let mut metrics: Vec<String> = crate::simulate::summary::units()
            .map(|(name, _)| name.to_string())
            .filter(|m| !m.starts_with("benefit_risk.weights."))
            .filter(|m| per_arm.iter().any(|arm| arm.iter().any(|(k, _)| k == m)))
            .collect();
        // Then each arm's drug exposure (keys named for the drugs), in the arms' order.
        for (key, _) in per_arm.iter().flatten() {
            if key.starts_with("exposure.") && !metrics.contains(key) {
                metrics.push(key.clone());
            }
        }
        let rows = metrics
            .into_iter()
            .map(|metric| {
                let values: Vec<Option<f64>> = per_arm
                    .iter()
                    .map(|arm| arm.iter().find(|(k, _)| *k == metric).and_then(|(_, v)| *v))
                    .collect();
                let difference_from_first = values[1..]
                    .iter()
                    .map(|v| match (v, values[0]) {
                        (Some(x), Some(first)) => Some(x - first),
                        _ => None,
                    })
                    .collect();
                let unit = crate::simulate::summary::unit_of(&metric);
                Row { metric, unit, values, difference_from_first }
            })
            .collect();
        Table { arms: arms.to_vec(), rows }
    }

    /// As CSV: `metric, unit, <arm>…, <arm>_minus_<first>…`; empty cells where there is no value.
    pub fn to_csv(&self) -> String {
        let mut header = vec!["metric".to_string(), "unit".into()];
        header.extend(self.arms.iter().cloned());
        header.extend(self.arms[1..].iter().map(|a| format!("{a}_minus_{}", self.arms[0])));
        let mut out = header.join(",") + "\n";
        let cell = |v: &Option<f64>| v.map_or(String::new(), |x| format!("{x:?}"));
        for r in &self.rows {
            let mut cells = vec![r.metric.clone(), r.unit.unwrap_or("").to_string()];
            cells.extend(r.values.iter().map(cell));
            cells.extend(r.difference_from_first.iter().map(cell));
            let _ = writeln!(out, "{}", cells.join(","));
        }
        out
    }

    /// A table for the terminal: 4 significant digits, `-` where there is no value.
    pub fn to_text(&self) -> String {
        let number = |v: &Option<f64>| match v {
            None => "-".to_string(),
            Some(x) if *x == 0.0 => "0".into(),
            Some(x) if x.abs() >= 1e5 || x.abs() < 1e-3 => format!("{x:.3e}"),
            Some(x) => {
                let digits = (3 - x.abs().log10().floor() as i32).max(0) as usize;
                format!("{x:.digits$}")
            }
        };
        let mut header = vec!["metric".to_string(), "unit".into()];
        header.extend(self.arms.iter().cloned());
        header.extend(self.arms[1..].iter().map(|a| format!("{a} - {}", self.arms[0])));
        let mut lines = vec![header];
        for r in &self.rows {
            let mut cells = vec![r.metric.clone(), r.unit.unwrap_or("").to_string()];
            cells.extend(r.values.iter().map(number));
            cells.extend(r.difference_from_first.iter().map(number));
            lines.push(cells);
        }
        let widths: Vec<usize> = (0..lines[0].len())
            .map(|c| lines.iter().map(|l| l[c].chars().count()).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for l in &lines {
            let cells: Vec<String> = l
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(c, (x, w))| if c < 2 { format!("{x:<w$}") } else { format!("{x:>w$}") })
                .collect();
            let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        }
        out
    }
}
