//! `raphe simulate` and `raphe compare`: one patient (model, parameter changes, settings) run
//! under one scenario, or under several arms side by side.

use super::{load_model, load_scenario, plot, positive, prepare_out, time_in_days, with_manifest};
use super::{CompareArgs, PatientArgs, SimulateArgs};
use anyhow::{bail, Context, Result};
use raphe::model::overrides::Override;
use raphe::model::Model;
use raphe::output;
use raphe::output::transaction::Transaction;
use raphe::pharmacology::library::DrugOverride;
use raphe::pharmacology::Scenario;
use raphe::simulate::{self, Settings, Summary, Trajectory};

/// The patient every arm is run on.
struct Patient {
    model: Model,
    changes: Vec<Override>,
    /// `--set drug.<name>.<parameter>=...`, applied as each arm's drug files are read.
    drug_changes: Vec<DrugOverride>,
    allow_outside_range: bool,
    settings: Settings,
    weights: simulate::benefit::Weights,
}

impl Patient {
    fn from_args(a: &PatientArgs) -> Result<Patient> {
        let model = load_model(a.model.as_deref())?;
        let (drug_sets, model_sets): (Vec<&String>, Vec<&String>) =
            a.set.iter().partition(|s| s.starts_with("drug."));
        let changes = model_sets.iter().map(|s| Override::parse(s)).collect::<raphe::Result<Vec<_>>>()?;
        let drug_changes = drug_sets
            .iter()
            .map(|s| {
                let o = Override::parse(s.trim_start_matches("drug."))?;
                let (drug, parameter) = o.name.split_once('.').ok_or_else(|| {
                    raphe::Error::input(
                        "--set",
                        s.as_str(),
                        None,
                        "expected drug.<name>.<parameter>=VALUE[UNIT]",
                        "e.g. drug.baclofen.clearance=0.2L/h/kg",
                    )
                })?;
                Ok(DrugOverride {
                    drug: drug.to_string(),
                    parameter: parameter.to_string(),
                    value: o.value,
                    unit: o.unit,
                    beyond_range: a.allow_outside_range,
                })
            })
            .collect::<raphe::Result<Vec<_>>>()?;
        let (model, range_warnings) = model.with_overrides(&changes, a.allow_outside_range)?;
        for warning in range_warnings {
            eprintln!("warning: {warning}");
        }
        let mut settings = Settings::for_model(&model, a.fidelity);
        let days = a.days.as_deref().map(|d| time_in_days(d, "--days")).transpose()?;
        settings.duration = positive(days, settings.duration, "--days")?;
        let step = a.output_step.as_deref().map(|d| time_in_days(d, "--output-step")).transpose()?;
        settings.output_step = positive(step, settings.output_step, "--output-step")?;
        settings.tolerances.relative = a.rtol.unwrap_or(settings.tolerances.relative);
        settings.tolerances.absolute = a.atol.unwrap_or(settings.tolerances.absolute);
        settings.check()?;
        let weights = match &a.weights {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read weights file {}", path.display()))?;
                simulate::benefit::Weights::from_toml(path, &text)?
            }
            None => simulate::benefit::Weights::default_weights(),
        };
        Ok(Patient {
            model,
            changes,
            drug_changes,
            allow_outside_range: a.allow_outside_range,
            settings,
            weights,
        })
    }

    /// Warnings a scenario deserves before it runs (label maxima, lines never reached).
    fn warn(&self, scenario: &Scenario) {
        for warning in &scenario.warnings {
            eprintln!("warning: {warning}");
        }
        let end = self.settings.duration;
        let unreached = scenario.unreached(end);
        match unreached.as_slice() {
            [] => {}
            [line] => eprintln!("warning: {line} starts after the end of the run (day {end:.0}); it gives nothing"),
            [first, ..] => eprintln!(
                "warning: {} dosing or infusion lines (from {first}) start after the end of the run (day {end:.0}); they give nothing",
                unreached.len()
            ),
        }
    }

    /// The course under `scenario` and its summary, with the benefit–risk comparison against
    /// the untreated patient when the scenario treats.
    fn run(&self, scenario: &Scenario) -> Result<(Trajectory, Summary)> {
        let (model, settings) = (&self.model, &self.settings);
        let traj = simulate::simulate(model, scenario, settings)?;
        let mut summary = Summary::of(model, &traj).with_withdrawal(scenario);
        if !scenario.dosing.is_empty() || !scenario.infusions.is_empty() || !scenario.exercise.is_empty() {
            let untreated = simulate::simulate(model, &Scenario::untreated(), settings)?;
            let base = Summary::of(model, &untreated);
            summary.benefit_risk = simulate::benefit::compare(
                model,
                scenario,
                &traj,
                &untreated,
                summary.death_day,
                base.death_day,
                self.weights,
            );
        }
        Ok((traj, summary))
    }

    /// The manifest of one run, with the command line's changes.
    fn manifest(&self, scenario: &Scenario, doses: &[String]) -> serde_json::Value {
        let mut m = output::manifest::manifest_json(
            &self.model,
            scenario,
            &self.settings,
            std::env::args().collect(),
        );
        m["overrides"] = serde_json::json!({
            "set": self.changes,
            "drug_set": self.drug_changes,
            "allow_outside_range": self.allow_outside_range,
            "dose": doses,
        });
        m
    }
}

/// The scenario of `--scenario` and `--dose` for `patient`; a `--set drug.X.…` for a drug the
/// scenario does not give is an error.
fn treatment(patient: &Patient, treatment: &super::TreatmentArgs) -> Result<Scenario> {
    let scenario =
        load_scenario(treatment.scenario.as_deref(), &treatment.dose, &patient.model, &patient.drug_changes)?;
    if let Some(o) = patient.drug_changes.iter().find(|o| !scenario.drugs.iter().any(|d| d.name == o.drug)) {
        bail!(
            "--set drug.{}.{}: the scenario gives no {} (it gives: {})",
            o.drug,
            o.parameter,
            o.drug,
            if scenario.drugs.is_empty() {
                "no drug".into()
            } else {
                scenario.drugs.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")
            }
        );
    }
    Ok(scenario)
}

pub fn simulate(args: SimulateArgs) -> Result<()> {
    let mut patient = Patient::from_args(&args.patient)?;
    let scenario = treatment(&patient, &args.treatment)?;
    if let Some(text) = &args.window {
        let (a, b) = text
            .split_once("..")
            .ok_or_else(|| anyhow::anyhow!("--window `{text}`: expected START..END, e.g. 4y..4y+2d"))?;
        let step = args.window_step.as_deref().unwrap_or("10min");
        patient.settings.window = Some(simulate::Window {
            start: time_in_days(a, "--window")?,
            end: time_in_days(b, "--window")?,
            step: time_in_days(step, "--window-step")?,
        });
    }
    patient.warn(&scenario);
    let (traj, summary) = patient.run(&scenario)?;

    let _lock = prepare_out(&args.out)?;
    let mut tx = Transaction::begin(&args.out, "simulate", args.force)?;
    output::write_run(&mut tx, &traj, &summary)?;
    let written = tx.commit(patient.manifest(&scenario, &args.treatment.dose))?;

    print_summary(&patient.model, &scenario, &patient.settings, &summary);
    println!("  wrote {}/{{{}}}", args.out.display(), with_manifest(&written));
    if args.plot {
        let staging = output::transaction::figure_staging(&args.out)?;
        let drawn = plot::simulate_figures(&args.out, &staging)?;
        for figure in output::transaction::publish_figures(&args.out, &staging, &drawn)? {
            println!("  wrote {}", figure.display());
        }
    }
    Ok(())
}

/// An arm's name for files and columns: the scenario's name, made unique.
fn arm_names(scenarios: &[Scenario]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in scenarios {
        let mut name = s.name.clone();
        let mut k = 2;
        while names.contains(&name) {
            name = format!("{}_{k}", s.name);
            k += 1;
        }
        names.push(name);
    }
    names
}

pub fn compare(args: CompareArgs) -> Result<()> {
    if args.scenarios.len() < 2 {
        bail!("--scenario: give two or more arms (the first is the reference), e.g. --scenario baclofen_oral_tid --scenario tizanidine_oral_tid");
    }
    let patient = Patient::from_args(&args.patient)?;
    let scenarios: Vec<Scenario> = args
        .scenarios
        .iter()
        .map(|s| match s.as_str() {
            "untreated" | "none" => Ok(Scenario::untreated()),
            name => load_scenario(Some(name), &[], &patient.model, &patient.drug_changes),
        })
        .collect::<Result<_>>()?;
    let names = arm_names(&scenarios);
    let mut runs = Vec::new();
    for (scenario, name) in scenarios.iter().zip(&names) {
        patient.warn(scenario);
        runs.push(patient.run(scenario).with_context(|| format!("arm `{name}`"))?);
    }
    let summaries: Vec<Summary> = runs.iter().map(|(_, s)| s.clone()).collect();
    let table = output::compare::Table::of(&names, &summaries);

    let _lock = prepare_out(&args.out)?;
    let mut tx = Transaction::begin(&args.out, "compare", args.force)?;
    tx.write("compare.csv", table.to_csv().as_bytes())?;
    tx.write("compare.json", serde_json::to_string_pretty(&table)?.as_bytes())?;
    for ((traj, summary), (scenario, name)) in runs.iter().zip(scenarios.iter().zip(&names)) {
        let folder = format!("arms/{name}/");
        output::write_run_in(&mut tx, &folder, traj, summary)?;
        let arm_manifest = serde_json::to_string_pretty(&patient.manifest(scenario, &[]))?;
        tx.write(&format!("{folder}manifest.json"), arm_manifest.as_bytes())?;
    }
    let mut manifest = serde_json::json!({
        "raphe_version": env!("CARGO_PKG_VERSION"),
        "git_revision": env!("RAPHE_GIT_REVISION"),
        "command": std::env::args().collect::<Vec<_>>(),
        "arms": names,
        "scenario_sha256": scenarios.iter().map(|s| output::manifest::sha256(&s.text)).collect::<Vec<_>>(),
    });
    manifest["patient"] = patient.manifest(&Scenario::untreated(), &[]);
    tx.commit(manifest)?;

    println!(
        "raphe compare: {} on {} ({:.0} days, {} path)",
        names.join(" vs "),
        patient.model.name,
        patient.settings.duration,
        patient.settings.fidelity.name()
    );
    print!("{}", table.to_text());
    println!(
        "  wrote {0}/compare.csv, compare.json, arms/<arm>/ (simulate folders; `raphe plot compare {0}/arms/* --out fig.svg`), manifest.json",
        args.out.display()
    );
    Ok(())
}

fn print_summary(model: &Model, scenario: &Scenario, settings: &Settings, s: &Summary) {
    let day = |d: Option<f64>| {
        d.map_or("not reached".to_string(), |d| {
            format!("day {d:.0} ({:.1} months)", d / raphe::units::DAYS_PER_MONTH)
        })
    };
    println!(
        "raphe: {} under '{}', {} days, {} path",
        model.name,
        scenario.name,
        super::plain_number(settings.duration),
        settings.fidelity.name()
    );
    println!("  5-HT below 80% of baseline: {}", day(s.serotonin_below_80pct_day));
    println!("  motor onset:                {}", day(s.motor_onset_day));
    println!("  spasm onset:                {}", day(s.spasm_onset_day));
    println!("  peak spasm intensity:       {:.3} (day {:.0})", s.peak_spasm, s.peak_spasm_day);
    println!("  spasm burden (AUC):         {:.1} intensity-days", s.spasm_auc);
    match s.alsfrs_slope_per_month {
        Some(v) => {
            println!("  ALSFRS-R slope:             {v:.2} points/month (first year after onset)")
        }
        None => println!("  ALSFRS-R slope:             n/a"),
    }
    println!("  death (respiratory failure): {}", day(s.death_day));
    for d in &s.abrupt_intrathecal_stop_days {
        println!("  abrupt intrathecal stop on day {d:.0}: withdrawal risk {:.2} (fraction of CSF level lost in 24 h)", s.withdrawal_risk);
    }
    if let Some(b) = &s.benefit_risk {
        // Rounded values print without a sign of zero ("+0 d", not "-0 d").
        let days = (b.survival_change_days.round() + 0.0) as i64;
        println!(
            "  vs untreated (days {}-{}, while the treatment acts): spasm relief {:.0}%, pain relief {:.0}%; mean sedation {:.1}%, BP fall {:.1}%, respiratory depression {:.1}%, weakness {:.1}%; liver risk {:.2}%, survival {days:+} d; score {:.2}",
            super::plain_number(b.window_start_day),
            super::plain_number(b.window_end_day),
            100.0 * b.spasm_relief,
            100.0 * b.pain_relief,
            100.0 * b.mean_sedation,
            100.0 * b.mean_bp_fall,
            100.0 * b.mean_respiratory_depression,
            100.0 * b.mean_weakness,
            100.0 * b.liver_injury_risk,
            b.score
        );
    }
}

/// `raphe export-sbml`: the model under a scenario as SBML L3V2, written atomically.
pub fn export_sbml(args: super::ExportSbmlArgs) -> Result<()> {
    let patient = Patient::from_args(&args.patient)?;
    let scenario = treatment(&patient, &args.treatment)?;
    let text = raphe::export::sbml::write(&patient.model, &scenario, patient.settings.duration)?;
    raphe::output::atomic::write(&args.out, text.as_bytes())?;
    println!(
        "wrote {} (SBML L3V2: {} under {}, {} days of doses)",
        args.out.display(),
        patient.model.name,
        scenario.name,
        super::plain_number(patient.settings.duration)
    );
    Ok(())
}
