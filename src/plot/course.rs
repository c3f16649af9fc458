//! `course`: the disease course of one simulate folder, mechanism to clinic, on one time axis.

use super::data::Run;
use super::stack::{Axis, Panel, Series, Shade};
use super::theme::{series_colour, PALETTE};
use crate::error::Result;
use crate::model::Species;

/// Time axis for a run: years for the human preset, weeks for the mouse.
pub fn time_axis(run: &Run) -> (f64, &'static str) {
    match run.species() {
        Species::Human => (365.25, "time since the start of neurodegeneration (years)"),
        Species::Mouse => (7.0, "age (weeks)"),
    }
}

/// The summary's milestones as (day, label).
pub fn events(run: &Run) -> Vec<(f64, String)> {
    [
        ("serotonin_below_80pct_day", "5-HT < 80%"),
        ("spasm_onset_day", "spasm onset"),
        ("motor_onset_day", "motor onset"),
        ("death_day", "death"),
    ]
    .iter()
    .filter_map(|(key, label)| run.metric(key).map(|d| (d, label.to_string())))
    .collect()
}

/// Dosing periods as shades, one colour per drug (the palette's last entries, so they do not
/// repeat the curve colours' first choices).
pub fn shades(run: &Run, per: f64) -> Vec<Shade> {
    let mut names: Vec<String> = Vec::new();
    run.periods()
        .into_iter()
        .map(|p| {
            let k = names.iter().position(|n| *n == p.label).unwrap_or_else(|| {
                names.push(p.label.clone());
                names.len() - 1
            });
            Shade {
                label: p.label,
                from: p.start / per,
                to: p.end / per,
                colour: PALETTE[[2, 1, 7, 4][k % 4]],
            }
        })
        .collect()
}

/// The course figure's axis and panels.
pub fn build(run: &Run) -> Result<(Axis, Vec<Panel>)> {
    let (per, x_title) = time_axis(run);
    let t: Vec<f64> = run.column("day")?.iter().map(|d| d / per).collect();
    let col = |name: &str| run.column(name);
    let line = |label: &str, name: &str, k: usize| -> Result<Series> {
        Ok(Series::line(label, t.clone(), col(name)?, series_colour(k)))
    };
    let mut receptors = vec![
        line("5-HT2B density", "ht2b_density", 0)?,
        line("5-HT2C density", "ht2c_density", 1)?.dashed(),
        line("activity", "receptor_activity", 2)?,
    ];
    let constitutive = col("constitutive_activity")?;
    receptors[2].band_from = Some(constitutive.clone());
    receptors.push(Series::line("constitutive part", t.clone(), constitutive, series_colour(3)).dashed());
    receptors.push(Series {
        label: "5-HT-driven part".into(),
        xs: vec![],
        ys: vec![],
        colour: super::theme::tint(series_colour(2), 0.3),
        dashed: false,
        band_from: None,
    });
    let alsfrs: Vec<f64> = col("alsfrs_r")?.iter().map(|v| v / 48.0).collect();
    let shades = shades(run, per);
    let mut serotonin =
        vec![line("raphe neurons", "raphe_survival", 0)?, line("spinal 5-HT", "serotonin", 1)?.dashed()];
    // Name each drug's shade once, in the first panel's legend.
    let mut seen: Vec<&str> = Vec::new();
    for s in &shades {
        if !seen.contains(&s.label.as_str()) {
            seen.push(&s.label);
            serotonin.push(Series {
                label: format!("{} given", s.label),
                xs: vec![],
                ys: vec![],
                colour: s.colour,
                dashed: false,
                band_from: None,
            });
        }
    }
    let panels = vec![
        Panel {
            title: "Serotonergic input".into(),
            y_title: "fraction".into(),
            series: serotonin,
            y_range: Some((0.0, 1.08)),
            ..Panel::default()
        },
        Panel {
            title: "5-HT2B/2C receptors".into(),
            y_title: "× healthy".into(),
            series: receptors,
            ..Panel::default()
        },
        Panel {
            title: "Motoneuron".into(),
            y_title: "PIC (nA)".into(),
            series: vec![line("motoneuron PIC", "pic", 0)?],
            ..Panel::default()
        },
        Panel {
            title: "Spasms".into(),
            y_title: "per hour".into(),
            series: vec![line("spasm frequency", "spasms_per_hour", 0)?],
            references: vec![(1.0, "Penn 3 (> 1/h)".into())],
            ..Panel::default()
        },
        Panel {
            title: "Tone".into(),
            y_title: "MAS (0-4)".into(),
            series: vec![line("Modified Ashworth", "ashworth", 0)?],
            y_range: Some((0.0, 4.0)),
            ..Panel::default()
        },
        Panel {
            title: "Motor neurons".into(),
            y_title: "surviving".into(),
            series: vec![
                line("UMN", "umn_survival", 0)?,
                line("LMN (motor units)", "lmn_survival", 1)?.dashed(),
            ],
            y_range: Some((0.0, 1.08)),
            ..Panel::default()
        },
        Panel {
            title: "Function".into(),
            y_title: "fraction".into(),
            series: vec![
                Series::line("ALSFRS-R / 48", t.clone(), alsfrs, series_colour(0)),
                line("FVC (of predicted)", "fvc", 1)?.dashed(),
            ],
            y_range: Some((0.0, 1.08)),
            ..Panel::default()
        },
        Panel {
            title: "Neurofilament light".into(),
            y_title: "pg/mL".into(),
            series: vec![line("serum NfL", "nfl", 0)?],
            ..Panel::default()
        },
    ];
    let axis = Axis {
        x_title: x_title.into(),
        x_range: (0.0, run.end_day() / per),
        events: events(run).into_iter().map(|(d, l)| (d / per, l)).collect(),
        shades,
    };
    Ok((axis, panels))
}
