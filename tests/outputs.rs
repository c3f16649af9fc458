//! What a run reports agrees with itself: the written trajectory ends at death, its last row is
//! the summary's end of the course, the summary's peaks are the trajectory's over the living
//! rows, and the benefit–risk window covers the time the treatment acts. Relations only: the
//! model's numbers are free to change.

mod common;
use common::*;
use raphe::model::Model;
use raphe::pharmacology::{Library, Route, Scenario};
use raphe::simulate::benefit::{self, BenefitRisk, Weights, WASHOUT_HALF_LIVES};
use raphe::simulate::summary::value_at;
use raphe::simulate::{simulate, Fidelity, Settings, Summary, Trajectory};
use std::path::Path;

fn settings(m: &Model, duration: Option<f64>, output_step: Option<f64>) -> Settings {
    let mut s = Settings::for_model(m, Fidelity::Fast);
    s.duration = duration.unwrap_or(s.duration);
    s.output_step = output_step.unwrap_or(s.output_step);
    s
}

fn column(traj: &Trajectory, name: &str) -> usize {
    traj.columns().iter().position(|c| c.name == name).unwrap_or_else(|| panic!("no column {name}"))
}

/// The written rows end at death, the last row is the summary's end of the course, and what
/// the two share agrees exactly.
fn check_course(label: &str, traj: &Trajectory, summary: &Summary, duration: f64) {
    let rows = traj.rows_until_death(summary.death_day, 1).collect::<Vec<_>>();
    let (day, alive, auc) = (0, column(traj, "alive"), column(traj, "spasm_auc"));
    let last = rows.last().unwrap();
    assert_eq!(summary.end_day, duration, "{label}: end_day is the requested end of the run");
    match summary.death_day {
        Some(death) => {
            assert!(death < duration, "{label}");
            assert_eq!(last[day], death, "{label}: last row at death_day");
            assert_eq!(last[alive], 0.0, "{label}: dead on the last row");
            assert!(rows.iter().all(|r| r[day] <= death), "{label}: a row after death");
            assert!(rows[..rows.len() - 1].iter().all(|r| r[alive] == 1.0), "{label}: dead before death_day");
            // Living rows are the samples' rows; the last is between the two around death.
            let n = rows.len() - 1;
            for (r, s) in rows[..n].iter().zip(&traj.samples) {
                assert_eq!(*r, traj.row(s), "{label}: living rows are the output rows");
            }
            let (a, b) = (traj.row(&traj.samples[n - 1]), traj.row(&traj.samples[n]));
            assert!(a[day] < death && death <= b[day], "{label}: death between {} and {}", a[day], b[day]);
            for (c, col) in traj.columns().iter().enumerate().filter(|&(c, _)| c != day && c != alive) {
                let (lo, hi) = (a[c].min(b[c]), a[c].max(b[c]));
                assert!(lo <= last[c] && last[c] <= hi, "{label}: {} at death not interpolated", col.name);
            }
        }
        None => {
            assert_eq!(last[day], duration, "{label}: alive to the end");
            assert_eq!(rows.len(), traj.samples.len(), "{label}");
            assert!(rows.iter().all(|r| r[alive] == 1.0), "{label}");
        }
    }
    assert_eq!(last[auc], summary.spasm_auc, "{label}: spasm_auc");
    assert_eq!(last[column(traj, "liver_injury_risk")], summary.liver_injury_risk, "{label}: liver risk");
    // Peaks over the living rows.
    let living: Vec<&Vec<f64>> = rows.iter().filter(|r| r[alive] == 1.0).collect();
    let spasm = column(traj, "spasm_intensity");
    let top = living.iter().map(|r| r[spasm]).fold(0.0, f64::max);
    let first_top = living.iter().find(|r| r[spasm] == top).map_or(0.0, |r| r[day]);
    assert_eq!(
        (top, if top > 0.0 { first_top } else { 0.0 }),
        (summary.peak_spasm, summary.peak_spasm_day),
        "{label}: peak spasm (first day of the peak)"
    );
    let nfl = column(traj, "nfl");
    assert_eq!(living.iter().map(|r| r[nfl]).fold(0.0, f64::max), summary.peak_nfl, "{label}: peak NfL");
}

#[test]
fn the_written_course_ends_at_death_and_agrees_with_the_summary() {
    for name in PRESETS {
        let m = model(name);
        for days in [None, Some(m.default_duration / 2.0)] {
            let s = settings(&m, days, None);
            let traj = simulate(&m, &Scenario::untreated(), &s).unwrap();
            let summary = Summary::of(&m, &traj);
            if days.is_none() {
                assert!(summary.death_day.is_some(), "{name}: the default course ends in death");
            }
            check_course(&format!("{name}, {} days", s.duration), &traj, &summary, s.duration);
        }
    }
    let m = model("human_als");
    for sc in ["baclofen_oral_tid", "diazepam_oral"] {
        let traj = simulate(&m, &scenario(sc, &m), &settings(&m, None, Some(0.25))).unwrap();
        check_course(sc, &traj, &Summary::of(&m, &traj), m.default_duration);
    }
}

/// Every summary key with a trajectory counterpart: (summary key, trajectory column).
const SHARED: &[(&str, &str)] = &[
    ("end_day", "day"),
    ("death_day", "day"),
    ("peak_spasm_day", "day"),
    ("motor_onset_day", "day"),
    ("spasm_onset_day", "day"),
    ("serotonin_below_80pct_day", "day"),
    ("peak_spasm", "spasm_intensity"),
    ("spasm_auc", "spasm_auc"),
    ("peak_nfl", "nfl"),
    ("serotonin_at_motor_onset", "serotonin"),
    ("ht2b_density_at_motor_onset", "ht2b_density"),
    ("ht2c_density_at_motor_onset", "ht2c_density"),
    ("peak_sedation", "sedation"),
    ("peak_bp_fall", "bp_fall"),
    ("peak_respiratory_depression", "respiratory_depression"),
    ("peak_drug_weakness", "drug_weakness"),
    ("liver_injury_risk", "liver_injury_risk"),
    ("benefit_risk.mean_sedation", "sedation"),
    ("benefit_risk.mean_bp_fall", "bp_fall"),
    ("benefit_risk.mean_respiratory_depression", "respiratory_depression"),
    ("benefit_risk.mean_weakness", "drug_weakness"),
    ("benefit_risk.liver_injury_risk", "liver_injury_risk"),
    ("benefit_risk.window_start_day", "day"),
    ("benefit_risk.window_end_day", "day"),
];

#[test]
fn summary_and_trajectory_give_shared_quantities_one_unit() {
    let traj = Trajectory { drug_names: vec!["x".into()], ..Default::default() };
    let columns = traj.columns();
    for (key, col) in SHARED {
        let unit = raphe::simulate::summary::unit_of(key).unwrap_or_else(|| panic!("{key} has no unit"));
        let c = columns.iter().find(|c| c.name == *col).unwrap_or_else(|| panic!("no column {col}"));
        assert_eq!(unit, c.unit, "{key} vs column {col}");
    }
    // Side effects and risks are fractions everywhere, FVC too (as the model's death_fvc).
    for col in ["sedation", "bp_fall", "respiratory_depression", "drug_weakness", "liver_injury_risk", "fvc"]
    {
        assert_eq!(columns.iter().find(|c| c.name == col).unwrap().unit, "1", "{col}");
    }
    for (name, _, _) in raphe::simulate::summary::METRICS {
        assert!(raphe::simulate::summary::unit_of(name).is_some(), "metric {name} has no unit");
    }
}

/// A bundled scenario with its first dose moved to `start` (days).
fn shifted(name: &str, m: &Model, from: &str, start: f64) -> Scenario {
    let (file, text) = raphe::bundled::scenario(name).unwrap();
    let text = text.replace(from, &format!("start = {{ value = {start}, unit = \"day\" }}"));
    assert_ne!(text, raphe::bundled::scenario(name).unwrap().1, "{name}: `{from}` not found");
    Scenario::from_toml(Path::new(&file), &text, m, &Library::default()).unwrap()
}

#[test]
fn harm_peaks_are_the_trajectory_maxima_on_the_harm_grid() {
    let m = model("human_als");
    for (name, from) in [
        ("tizanidine_single_8mg", "start = { value = 1461, unit = \"day\" }"),
        ("diazepam_oral", "start = { value = 4, unit = \"year\" }"),
    ] {
        let sc = shifted(name, &m, from, 1.0);
        for (step, exact) in [(1.0 / 96.0, true), (1.0, false)] {
            let traj = simulate(&m, &sc, &settings(&m, Some(3.0), Some(step))).unwrap();
            let summary = Summary::of(&m, &traj);
            let rows = traj.rows_until_death(summary.death_day, 1).collect::<Vec<_>>();
            let alive = column(&traj, "alive");
            let json = serde_json::to_value(&summary).unwrap();
            for (key, col) in SHARED.iter().filter(|(k, _)| k.starts_with("peak_") && !k.ends_with("_day")) {
                let c = column(&traj, col);
                let max = rows.iter().filter(|r| r[alive] == 1.0).map(|r| r[c]).fold(0.0, f64::max);
                let peak = json[key].as_f64().unwrap();
                let label = format!("{name}, step {step}: {key} {peak} vs max {col} {max}");
                if exact {
                    // Outputs every 15 min: the harm grid is the output grid.
                    assert!((peak - max).abs() <= 1e-9 * peak.abs().max(1e-6), "{label}");
                } else {
                    assert!(peak >= max - 1e-12, "{label}");
                }
            }
            assert!(summary.peak_sedation > 0.0 && summary.peak_drug_weakness > 0.0, "{name}");
        }
    }
}

/// The CLI's benefit–risk: treated and untreated runs and their summaries.
fn benefit_of(
    m: &Model,
    sc: &Scenario,
    s: &Settings,
) -> (BenefitRisk, Trajectory, Trajectory, Summary, Summary) {
    let treated = simulate(m, sc, s).unwrap();
    let untreated = simulate(m, &Scenario::untreated(), s).unwrap();
    let (st, su) = (Summary::of(m, &treated), Summary::of(m, &untreated));
    let b =
        benefit::compare(m, sc, &treated, &untreated, st.death_day, su.death_day, Weights::default_weights())
            .expect("a window");
    (b, treated, untreated, st, su)
}

/// First output time at or after `day` (the end of the run if none).
fn output_at_or_after(traj: &Trajectory, day: f64) -> f64 {
    traj.samples.iter().find(|s| s.day >= day).unwrap_or(traj.samples.last().unwrap()).day
}

/// Relief of spasm burden over [from, to] (1 − treated/untreated).
fn relief(treated: &Trajectory, untreated: &Trajectory, from: f64, to: f64) -> f64 {
    let burden = |t: &Trajectory| {
        value_at(&t.samples, |s| s.core.spasm_auc, to) - value_at(&t.samples, |s| s.core.spasm_auc, from)
    };
    1.0 - burden(treated) / burden(untreated)
}

#[test]
fn a_single_dose_is_judged_over_its_hours_of_action() {
    let cases = [("human_als", "tizanidine_single_8mg"), ("sod1_g86r_mouse", "sb206553_mouse_acute")];
    for (preset, name) in cases {
        let m = model(preset);
        let sc = scenario(name, &m);
        let dose = sc.doses_until(f64::INFINITY);
        assert_eq!(dose.len(), 1, "{name} is one dose");
        let (dose, route) = (dose[0].time, dose[0].route);
        let acts_until = dose + benefit::washout(&sc.drugs[0].pk, route);
        assert!(acts_until - dose < 1.0, "{name}: a dose acts for hours");
        for step in [None, Some(1.0 / 24.0)] {
            let s = settings(&m, Some(dose + 3.0), step);
            let (b, treated, untreated, st, su) = benefit_of(&m, &sc, &s);
            let label = format!("{name}, step {:?}", step);
            // The window: output times around the dose's action, hours to a day.
            assert!(
                b.window_start_day <= dose && dose < b.window_start_day + s.output_step,
                "{label}: {b:?}"
            );
            assert_eq!(b.window_end_day, output_at_or_after(&treated, acts_until), "{label}");
            assert!(b.window_end_day - b.window_start_day <= 1.0 + 1e-9, "{label}: {b:?}");
            assert!(st.death_day.is_none() && su.death_day.is_none(), "{label}");
            // The relief is the dose's, not diluted over the rest of the run.
            assert!(
                (b.spasm_relief - relief(&treated, &untreated, b.window_start_day, b.window_end_day)).abs()
                    < 1e-9
            );
            let diluted = relief(&treated, &untreated, dose, s.duration);
            assert!(
                b.spasm_relief > 0.0 && b.spasm_relief > 2.0 * diluted,
                "{label}: {} vs {diluted}",
                b.spasm_relief
            );
        }
    }
    // With the whole run, death far away: still the hours of action.
    let m = model("human_als");
    let sc = scenario("tizanidine_single_8mg", &m);
    let (b, treated, untreated, st, _) = benefit_of(&m, &sc, &settings(&m, None, None));
    assert!(b.window_end_day - b.window_start_day <= 1.0, "{b:?}");
    let to_death = relief(&treated, &untreated, b.window_start_day, st.death_day.unwrap());
    assert!(b.spasm_relief > 2.0 * to_death, "{} vs {to_death} to death", b.spasm_relief);
}

#[test]
fn treatments_that_run_on_or_stop_are_judged_while_they_act() {
    let m = model("human_als");
    let s = settings(&m, None, None);
    // Chronic: from the first dose to the earlier death.
    let sc = scenario("baclofen_oral_tid", &m);
    let (b, _, _, st, su) = benefit_of(&m, &sc, &s);
    let first = sc.dosing[0].start;
    assert!(b.window_start_day <= first && first < b.window_start_day + s.output_step, "{b:?}");
    let end = [st.death_day, su.death_day].into_iter().flatten().fold(s.duration, f64::min);
    assert_eq!(b.window_end_day, end, "chronic: until death");
    assert!(b.spasm_relief > 0.0);
    // An infusion that stops: until its washout after the stop.
    let sc = scenario("baclofen_intrathecal_abrupt_stop", &m);
    let (b, treated, _, st, su) = benefit_of(&m, &sc, &s);
    let stop = sc.infusions.iter().filter_map(|i| i.stop).fold(0.0, f64::max);
    let gone = stop + benefit::washout(&sc.drugs[sc.infusions[0].drug].pk, Route::Intrathecal);
    let end =
        [st.death_day, su.death_day].into_iter().flatten().fold(output_at_or_after(&treated, gone), f64::min);
    assert_eq!(b.window_end_day, end, "{b:?}");
    // Exercise: until the training has faded after the programme.
    let sc = scenario("exercise_stretching", &m);
    let (b, treated, _, _, _) = benefit_of(&m, &sc, &s);
    let stop = sc.exercise[0].stop.unwrap();
    let faded = stop + WASHOUT_HALF_LIVES * m.params.exercise_training_half_life;
    assert_eq!(b.window_end_day, output_at_or_after(&treated, faded), "{b:?}");
    assert!(b.pain_relief > 0.0, "{b:?}");
}
