//! Figures of cohort and trial folders: Kaplan–Meier curves with their 95% bands (from
//! km_*.csv) and power against patients per arm with Clopper–Pearson bands (from power.csv).
//! Reads the tables; never simulates.

use super::stack::{Axis, Panel, Series};
use super::theme::{self, series_colour};
use crate::error::{Error, Result};
use std::path::Path;

fn rows(file: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let (mut reader, header) = super::data::open_csv(file, "a table written by raphe cohort or raphe trial")?;
    let mut out = Vec::new();
    for (i, r) in reader.records().enumerate() {
        let r = r.map_err(|e| Error::input(file, format!("row {}", i + 1), None, e.to_string(), "CSV"))?;
        out.push(r.iter().map(String::from).collect());
    }
    Ok((header, out))
}

/// A step function through (t_i, v_i) starting at (0, `start`): each value holds until the next time.
fn steps(times: &[f64], values: &[f64], start: f64) -> (Vec<f64>, Vec<f64>) {
    let (mut xs, mut ys) = (vec![0.0], vec![start]);
    let mut last = start;
    for (&t, &v) in times.iter().zip(values) {
        xs.extend([t, t]);
        ys.extend([last, v]);
        last = v;
    }
    (xs, ys)
}

/// A Kaplan–Meier curve from `km_*.csv` (`time [unit], at_risk, events, censored, survival,
/// survival_low, survival_high`), its 95% band, and how many patients it follows.
pub fn kaplan_meier(file: &Path, curve: &str) -> Result<(Axis, Vec<Panel>)> {
    let (header, rows) = rows(file)?;
    let unit = header[0].trim_start_matches("time [").trim_end_matches(']').to_string();
    let col = |k: usize| -> Vec<f64> { rows.iter().map(|r| r[k].parse().unwrap_or(f64::NAN)).collect() };
    let (t, s, lo, hi) = (col(0), col(4), col(5), col(6));
    if t.is_empty() {
        return Err(Error::input(file, "", None, "no rows", "a Kaplan-Meier table with at least one time"));
    }
    let patients: f64 = rows.first().map_or(0.0, |r| r[1].parse().unwrap_or(0.0));
    let events: f64 = col(2).iter().sum();
    let (xs, ys) = steps(&t, &s, 1.0);
    let (_, low) = steps(&t, &lo, 1.0);
    let (_, high) = steps(&t, &hi, 1.0);
    let mut band = Series::line("95% CI", xs.clone(), high, theme::tint(series_colour(0), 0.6));
    band.band_from = Some(low);
    let line = Series::line(curve, xs.clone(), ys, series_colour(0));
    let panel = Panel {
        title: format!("{patients:.0} patients, {events:.0} events"),
        y_title: "share without the event".into(),
        series: vec![band, line],
        y_range: Some((0.0, 1.0)),
        references: vec![(0.5, "median".into())],
        hide_legend: false,
    };
    let axis = Axis {
        x_title: format!("time ({unit})"),
        x_range: (0.0, xs.last().copied().unwrap_or(1.0)),
        events: vec![],
        shades: vec![],
    };
    Ok((axis, vec![panel]))
}

/// Power against patients per arm from `power.csv`, one curve per comparison, with its
/// Clopper–Pearson band and a reference at 80%.
pub fn power(file: &Path) -> Result<(Axis, Vec<Panel>)> {
    let (_, rows) = rows(file)?;
    let mut comparisons: Vec<(String, String)> = Vec::new();
    for r in &rows {
        let key = (r[1].clone(), r[2].clone());
        if !comparisons.contains(&key) {
            comparisons.push(key);
        }
    }
    let mut series = Vec::new();
    let mut n_max: f64 = 1.0;
    let one_endpoint = comparisons.iter().all(|(e, _)| *e == comparisons[0].0);
    for (i, (endpoint, arm)) in comparisons.iter().enumerate() {
        let mine: Vec<&Vec<String>> = rows.iter().filter(|r| &r[1] == endpoint && &r[2] == arm).collect();
        let get = |k: usize| -> Vec<f64> { mine.iter().map(|r| r[k].parse().unwrap_or(f64::NAN)).collect() };
        let (n, p, lo, hi) = (get(0), get(4), get(5), get(6));
        n_max = n.iter().copied().fold(n_max, f64::max);
        // Legends are narrow: the arm alone when every curve is of one endpoint.
        let label = if one_endpoint { arm.clone() } else { format!("{endpoint}: {arm}") };
        let mut band = Series::line("95% CI", n.clone(), hi, theme::tint(series_colour(i), 0.6));
        band.band_from = Some(lo);
        series.push(band);
        series.push(Series::line(label, n, p, series_colour(i)));
    }
    if series.is_empty() {
        return Err(Error::input(file, "", None, "no rows", "a power table with at least one comparison"));
    }
    let panel = Panel {
        title: if one_endpoint { comparisons[0].0.clone() } else { "comparisons".into() },
        y_title: "power (share of replicates, p < 0.05)".into(),
        series,
        y_range: Some((0.0, 1.0)),
        references: vec![(0.8, "80%".into())],
        hide_legend: false,
    };
    let axis =
        Axis { x_title: "patients per arm".into(), x_range: (0.0, n_max), events: vec![], shades: vec![] };
    Ok((axis, vec![panel]))
}
