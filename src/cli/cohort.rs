//! `raphe cohort`: virtual patients drawn from a model's `[population]`, run as a sweep of a
//! `population` design (so chunks, resume, threads and the output transaction are the
//! sweep's), then summarised: quantiles of every metric and Kaplan–Meier tables.

use super::sweep::{set_threads, sweep_to};
use super::{prepare_out, time_in_days, with_manifest, CohortArgs};
use anyhow::{bail, Result};
use raphe::cohort::{self, Patients};
use raphe::output::transaction::Transaction;
use std::path::Path;

/// Survival from onset is reported at these months, spasm onset at these days.
const SURVIVAL_MONTHS: [f64; 4] = [12.0, 36.0, 60.0, 120.0];
const SPASM_DAYS: [f64; 3] = [730.0, 1095.0, 1826.0];

pub fn cohort(a: CohortArgs) -> Result<()> {
    if a.n == 0 {
        bail!("--n 0: a cohort needs at least one patient");
    }
    let days = a.days.as_deref().map(|d| time_in_days(d, "--days")).transpose()?;
    let sweep_text = sweep_text(&a, days)?;
    let file = Path::new("cohort.toml");
    let sweep = raphe::sweep::Sweep::from_text(file, &sweep_text)?;
    set_threads(a.threads)?;
    let _lock = prepare_out(&a.out)?;
    let mut tx = Transaction::begin(&a.out, "cohort", a.force)?;
    let opts = raphe::sweep::RunOptions {
        resume: a.resume,
        stop_after_chunks: a.stop_after_chunks,
        table: "patients",
        index: "patient",
        ..raphe::sweep::RunOptions::whole()
    };
    let (mut manifest, report) = sweep_to(file, &sweep, opts, &mut tx)?;
    let staged = tx.staged_path("patients.csv").expect("the cohort staged patients.csv").to_path_buf();
    let wanted: Vec<&str> = sweep.metrics.iter().map(String::as_str).collect();
    let patients = Patients::read(&staged, &wanted)?;
    tx.write("quantiles.csv", cohort::quantiles_csv(&patients, &sweep.metrics).as_bytes())?;
    let survival = cohort::survival_from_onset(&patients).expect("the cohort records onset and death");
    let (survival_steps, survival_summary) = cohort::kaplan_meier_of(&survival, &SURVIVAL_MONTHS)?;
    tx.write("km_survival.csv", cohort::km_csv(&survival_steps, survival.unit).as_bytes())?;
    let spasms = cohort::spasm_onset(&patients).expect("the cohort records spasm onset");
    let (spasm_steps, spasm_summary) = cohort::kaplan_meier_of(&spasms, &SPASM_DAYS)?;
    tx.write("km_spasm_onset.csv", cohort::km_csv(&spasm_steps, spasms.unit).as_bytes())?;
    manifest["cohort"] = serde_json::json!({
        "patients": a.n,
        "seed": a.seed,
        "survival_from_motor_onset": survival_summary,
        "spasm_onset": spasm_summary,
        "rules": "survival: months from motor onset to death, censored at the end of the run; patients without motor onset in the run are excluded. Spasm onset: days from the start of neurodegeneration, censored at death or the end of the run.",
    });
    let written = tx.commit(manifest)?;
    raphe::sweep::remove_chunks(&a.out)?;
    print_headline(&patients, &survival_summary, &spasm_summary);
    println!(
        "{}; wrote {}/{{{}}}",
        report.replacen("runs", "patients", 2),
        a.out.display(),
        with_manifest(&written)
    );
    if a.plot {
        let staging = raphe::output::transaction::figure_staging(&a.out)?;
        let drawn = raphe::plot::cohort_figures(&a.out, &staging)?;
        let figures = raphe::output::transaction::publish_figures(&a.out, &staging, &drawn)?;
        println!("  wrote {} figures in {}", figures.len(), a.out.join("figures").display());
    }
    Ok(())
}

/// The sweep file of the cohort, with files named by absolute path (so the text is the same
/// wherever it is read).
fn sweep_text(a: &CohortArgs, days: Option<f64>) -> Result<String> {
    let name = |arg: &str| -> Result<String> {
        let path = Path::new(arg);
        Ok(if path.exists() { std::fs::canonicalize(path)?.display().to_string() } else { arg.to_string() })
    };
    let model = name(a.model.as_deref().unwrap_or(raphe::bundled::DEFAULT_MODEL))?;
    let scenario = a.scenario.as_deref().map(name).transpose()?;
    Ok(cohort::sweep_text(&model, scenario.as_deref(), a.n, a.seed, days))
}

/// The few numbers a reader looks for first.
fn print_headline(patients: &Patients, survival: &cohort::KmSummary, spasms: &cohort::KmSummary) {
    let median = |name: &str| {
        let mut v: Vec<f64> =
            patients.column(name).unwrap_or_default().iter().copied().filter(|x| !x.is_nan()).collect();
        v.sort_by(f64::total_cmp);
        (cohort::quantile(&v, 0.5), cohort::quantile(&v, 0.025), cohort::quantile(&v, 0.975), v.len())
    };
    let (slope, low, high, n) = median("alsfrs_slope_per_month");
    println!("ALSFRS-R slope: median {slope:.2} points/month, 95% of patients {low:.2} to {high:.2} ({n} patients)");
    let months = survival.median.map_or("not reached".to_string(), |m| format!("{m:.1} months"));
    let at: Vec<String> =
        survival.at.iter().map(|(t, s)| format!("{:.0}% at {t:.0} months", 100.0 * s)).collect();
    println!(
        "survival from motor onset (Kaplan-Meier, {} patients, {} deaths, {} without onset left out): median {months}; {}",
        survival.patients,
        survival.events,
        survival.excluded,
        at.join(", ")
    );
    let day = spasms.median.map_or("not reached".to_string(), |d| format!("day {d:.0}"));
    let free: Vec<String> =
        spasms.at.iter().map(|(t, s)| format!("{:.0}% spasm-free at day {t:.0}", 100.0 * s)).collect();
    println!("spasm onset ({} onsets): median {day}; {}", spasms.events, free.join(", "));
}
