//! `pkpd`: the fine-step window of a simulate folder (`simulate --window`): plasma and CSF
//! levels of each drug, the reflex excitability and spasm frequency they act on, and the side
//! effects, against hours into the window, doses marked.

use super::data::Run;
use super::stack::{extent, format_tick, Axis, Panel, Series};
use super::theme::series_colour;
use crate::error::{Error, Result};

/// The fine window's bounds (days), from the manifest.
fn window(run: &Run) -> Result<(f64, f64)> {
    let w = &run.manifest["settings"]["window"];
    match (w["start"].as_f64(), w["end"].as_f64()) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(Error::input(
            run.dir.join("manifest.json"),
            "settings.window",
            None,
            "the run has no fine output window",
            "a folder from `raphe simulate --window A..B` (e.g. --window 4y..4y+2d)",
        )),
    }
}

pub fn build(run: &Run) -> Result<(Axis, Vec<Panel>)> {
    let (start, end) = window(run)?;
    let day = run.column("day")?;
    let rows: Vec<usize> =
        (0..day.len()).filter(|&i| day[i] >= start - 1e-9 && day[i] <= end + 1e-9).collect();
    let hours: Vec<f64> = rows.iter().map(|&i| (day[i] - start) * 24.0).collect();
    let pick = |name: &str| -> Result<Vec<f64>> {
        let c = run.column(name)?;
        Ok(rows.iter().map(|&i| c[i]).collect())
    };
    let drugs: Vec<String> = run.manifest["drugs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["name"].as_str().map(str::to_string))
        .collect();
    if drugs.is_empty() {
        return Err(Error::input(
            run.dir.join("manifest.json"),
            "drugs",
            None,
            "the run has no drug",
            "a run with a scenario",
        ));
    }
    let mut plasma = Vec::new();
    let mut csf = Vec::new();
    for (k, d) in drugs.iter().enumerate() {
        plasma.push(Series::line(d.clone(), hours.clone(), pick(&format!("{d}_plasma"))?, series_colour(k)));
        csf.push(Series::line(d.clone(), hours.clone(), pick(&format!("{d}_csf"))?, series_colour(k)));
    }
    // A window before the treatment (or long after it) shows flat zeros: say so, and when.
    let no_drug = plasma.iter().chain(&csf).all(|s| s.ys.iter().all(|v| *v == 0.0));
    let first_given =
        run.periods().iter().filter(|p| drugs.contains(&p.label)).map(|p| p.start).fold(f64::MAX, f64::min);
    let no_drug_note = match (no_drug, first_given < f64::MAX) {
        (false, _) => String::new(),
        (true, true) => {
            format!(" (no drug in this window; first given on day {})", (first_given * 100.0).round() / 100.0)
        }
        (true, false) => " (no drug in this window)".to_string(),
    };
    let unit = |name: String| run.unit(&name).to_string();
    let harms = [
        ("sedation", "sedation"),
        ("bp_fall", "BP fall"),
        ("respiratory_depression", "respiratory depression"),
        ("drug_weakness", "weakness"),
    ];
    let harm_series: Vec<Series> = harms
        .iter()
        .enumerate()
        .filter_map(|(k, (c, label))| {
            let v = pick(c).ok()?;
            v.iter().any(|x| *x > 1e-4).then(|| {
                let mut s = Series::line(*label, hours.clone(), v, series_colour(k));
                s.dashed = k % 2 == 1;
                s
            })
        })
        .collect();
    // Receptor activity when a drug moves it within the window (5-HT2 ligands, 5-HT drugs).
    let activity = pick("receptor_activity")?;
    let (lo, hi) = extent(activity.iter().copied());
    let receptors = (hi - lo > 0.01 * hi.abs()).then(|| Panel {
        title: "5-HT2B/2C receptors".into(),
        y_title: "× healthy".into(),
        series: vec![Series::line("activity", hours.clone(), activity, series_colour(0))],
        ..Panel::default()
    });
    let mut panels = vec![
        Panel {
            title: "Plasma".into(),
            y_title: unit(format!("{}_plasma", drugs[0])),
            series: plasma,
            ..Panel::default()
        },
        Panel {
            title: "CSF (effect site)".into(),
            y_title: unit(format!("{}_csf", drugs[0])),
            series: csf,
            ..Panel::default()
        },
        Panel {
            title: "Reflexes".into(),
            y_title: "× healthy".into(),
            series: vec![Series::line(
                "excitability",
                hours.clone(),
                pick("excitability")?,
                series_colour(0),
            )],
            ..Panel::default()
        },
        Panel {
            title: "Spasms".into(),
            y_title: "per hour".into(),
            series: vec![Series::line(
                "spasm frequency",
                hours.clone(),
                pick("spasms_per_hour")?,
                series_colour(0),
            )],
            ..Panel::default()
        },
    ];
    if let Some(r) = receptors {
        panels.insert(2, r);
    }
    if !harm_series.is_empty() {
        panels.push(Panel {
            title: "Side effects".into(),
            y_title: "fraction".into(),
            series: harm_series,
            ..Panel::default()
        });
    }
    // Doses in the window, marked without labels (the first one named).
    let mut doses: Vec<f64> =
        run.dose_lines().iter().flat_map(|d| d.times(start, end)).map(|day| (day - start) * 24.0).collect();
    doses.sort_by(f64::total_cmp);
    let events = doses
        .iter()
        .enumerate()
        .map(|(i, h)| (*h, if i == 0 { "dose".to_string() } else { String::new() }))
        .collect();
    let axis = Axis {
        x_title: format!("hours after day {}{no_drug_note}", format_tick(start)),
        x_range: (0.0, (end - start) * 24.0),
        events,
        shades: vec![],
    };
    Ok((axis, panels))
}
