//! `raphe trial`: one trial (patients.csv, results.csv), its replicates and power against
//! sample size (replicates.csv, power.csv), written as one output transaction.

use super::sweep::set_threads;
use super::{prepare_out, with_manifest, TrialArgs};
use anyhow::{bail, Result};
use raphe::output::transaction::Transaction;
use raphe::trial::analysis::{self, Row};
use raphe::trial::run::{self, Enrolled, Outcome};
use raphe::trial::Trial;

/// Replicates per sample size when --power is given without --replicates.
const POWER_REPLICATES: usize = 200;
/// Significance level of the power calculation.
const ALPHA: f64 = 0.05;

pub fn trial(a: TrialArgs) -> Result<()> {
    let trial = Trial::load(&a.file)?;
    if a.replicates == 0 {
        bail!("--replicates 0: at least one");
    }
    if a.power.contains(&0) {
        bail!("--power: patients per arm must be at least 1");
    }
    set_threads(a.threads)?;
    let n = trial.patients_per_arm;
    let first = run::replicate(&trial, n, 0).map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    analysis::check_readable(&trial, &first)?;
    let rows = analysis::analyse(&trial, &first).map_err(anyhow::Error::msg)?;
    let _lock = prepare_out(&a.out)?;
    let mut tx = Transaction::begin(&a.out, "trial", a.force)?;
    tx.write("patients.csv", patients_csv(&trial, &first).as_bytes())?;
    tx.write("results.csv", analysis::csv(&rows).as_bytes())?;
    let replicates = if a.power.is_empty() || a.replicates > 1 { a.replicates } else { POWER_REPLICATES };
    let sizes: Vec<usize> = if a.power.is_empty() { vec![n] } else { a.power.clone() };
    let mut power_rows = Vec::new();
    if replicates > 1 || !a.power.is_empty() {
        let mut all = String::from("patients_per_arm,replicate,endpoint,arm,effect,p_value\n");
        for &size in &sizes {
            let mut per_replicate = Vec::new();
            for r in 0..replicates as u64 {
                let patients = run::replicate(&trial, size, r).map_err(anyhow::Error::msg)?;
                let rows = analysis::analyse(&trial, &patients).map_err(anyhow::Error::msg)?;
                for row in &rows {
                    all.push_str(&format!(
                        "{size},{r},{},{},{:?},{:?}\n",
                        row.endpoint, row.arm, row.effect, row.p_value
                    ));
                }
                per_replicate.push(rows);
            }
            power_rows.extend(power(size, &per_replicate)?);
        }
        tx.write("replicates.csv", all.as_bytes())?;
        let mut text = String::from(
            "patients_per_arm,endpoint,arm,replicates,power,power_low,power_high,median_effect\n",
        );
        for p in &power_rows {
            text.push_str(&format!(
                "{},{},{},{},{:?},{:?},{:?},{:?}\n",
                p.size, p.endpoint, p.arm, p.replicates, p.power, p.low, p.high, p.median_effect
            ));
        }
        tx.write("power.csv", text.as_bytes())?;
    }
    let manifest = serde_json::json!({
        "raphe_version": env!("CARGO_PKG_VERSION"),
        "git_revision": env!("RAPHE_GIT_REVISION"),
        "command": std::env::args().collect::<Vec<_>>(),
        "trial_file": a.file.display().to_string(),
        "trial_sha256": raphe::output::manifest::sha256(&trial.text),
        "trial_text": trial.text,
        "model": trial.model.name,
        "model_sha256": raphe::output::manifest::sha256(&trial.model.text),
        "arms": trial.arms.iter().map(|arm| serde_json::json!({
            "name": arm.name,
            "scenario": arm.scenario.as_ref().map(|(path, _, _)| path.display().to_string()),
            "scenario_sha256": arm.scenario.as_ref().map(|(_, text, _)| raphe::output::manifest::sha256(text)),
        })).collect::<Vec<_>>(),
        "seed": trial.seed,
        "replicates": replicates,
        "patients_per_arm": sizes,
        "alpha": ALPHA,
        "readings": trial.readings,
        "missing_data": "complete case: a reading missed by death or drop-out before the visit is left out (counted in `missing`); survival counts deaths as events and censors drop-outs and the end of follow-up",
    });
    let written = tx.commit(manifest)?;
    print_results(&trial, &rows);
    for p in &power_rows {
        println!(
            "power at {} per arm: {} {}: {:.0}% (95% CI {:.0}-{:.0}%, {} replicates)",
            p.size,
            p.endpoint,
            p.arm,
            100.0 * p.power,
            100.0 * p.low,
            100.0 * p.high,
            p.replicates
        );
    }
    println!("wrote {}/{{{}}}", a.out.display(), with_manifest(&written));
    if a.plot {
        let staging = raphe::output::transaction::figure_staging(&a.out)?;
        let drawn = raphe::plot::trial_figures(&a.out, &staging)?;
        let figures = raphe::output::transaction::publish_figures(&a.out, &staging, &drawn)?;
        println!("  wrote {} figures in {}", figures.len(), a.out.join("figures").display());
    }
    Ok(())
}

/// How often one comparison reached p < [`ALPHA`] over the replicates of one sample size.
struct Power {
    size: usize,
    endpoint: String,
    arm: String,
    replicates: usize,
    power: f64,
    low: f64,
    high: f64,
    median_effect: f64,
}

fn power(size: usize, per_replicate: &[Vec<Row>]) -> Result<Vec<Power>> {
    let mut out = Vec::new();
    for (k, row) in per_replicate[0].iter().enumerate() {
        if row.p_value.is_nan() && per_replicate.iter().all(|rows| rows[k].p_value.is_nan()) {
            continue;
        }
        let hits = per_replicate.iter().filter(|rows| rows[k].p_value < ALPHA).count() as u64;
        let r = per_replicate.len() as u64;
        let (low, high) = raphe::stats::hypothesis::binomial_ci(hits, r).map_err(anyhow::Error::msg)?;
        let mut effects: Vec<f64> =
            per_replicate.iter().map(|rows| rows[k].effect).filter(|x| x.is_finite()).collect();
        effects.sort_by(f64::total_cmp);
        out.push(Power {
            size,
            endpoint: row.endpoint.clone(),
            arm: row.arm.clone(),
            replicates: r as usize,
            power: hits as f64 / r as f64,
            low,
            high,
            median_effect: raphe::cohort::quantile(&effects, 0.5),
        });
    }
    Ok(out)
}

fn patients_csv(trial: &Trial, patients: &[Enrolled]) -> String {
    let mut header = vec!["patient".to_string(), "arm".into(), "enrolment_day".into()];
    for e in &trial.endpoints {
        header.push(format!("{}.baseline", e.name));
        header.push(format!("{}.outcome", e.name));
        header.push(format!("{}.status", e.name));
    }
    let mut out = header.join(",") + "\n";
    for p in patients {
        let mut cells =
            vec![p.candidate.to_string(), trial.arms[p.arm].name.clone(), format!("{:?}", p.enrolment)];
        for (b, o) in p.baseline.iter().zip(&p.outcomes) {
            cells.push(if b.is_nan() { String::new() } else { format!("{b:?}") });
            let (value, status) = match o {
                Outcome::Value(x) => (format!("{x:?}"), "read"),
                Outcome::Died => (String::new(), "died"),
                Outcome::DroppedOut => (String::new(), "dropped out"),
                Outcome::ZeroBaseline => (String::new(), "zero baseline"),
                Outcome::Time { days, event } => {
                    (format!("{days:?}"), if *event { "died" } else { "censored" })
                }
            };
            cells.push(value);
            cells.push(status.into());
        }
        out.push_str(&(cells.join(",") + "\n"));
    }
    out
}

fn print_results(trial: &Trial, rows: &[Row]) {
    println!("{}: {} ({} per arm)", trial.name, trial.description, trial.patients_per_arm);
    println!(
        "  {:<24} {:<16} {:>4} {:>4} {:>22} {:>28}  {:>8}  test",
        "endpoint", "arm", "n", "miss", "estimate (95% CI)", "effect vs control (95% CI)", "p"
    );
    let num = |x: f64| if x.is_nan() { "-".to_string() } else { format!("{x:.3}") };
    for r in rows {
        println!(
            "  {:<24} {:<16} {:>4} {:>4} {:>22} {:>28}  {:>8}  {}",
            r.endpoint,
            r.arm,
            r.n,
            r.missing,
            format!("{} ({}, {})", num(r.estimate), num(r.low), num(r.high)),
            format!("{} ({}, {})", num(r.effect), num(r.effect_low), num(r.effect_high)),
            num(r.p_value),
            r.test
        );
    }
}
