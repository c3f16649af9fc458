//! Command-line interface: flags parsed once into typed structs, then thin calls into the
//! library. All printing happens here.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use raphe::model::Model;
use raphe::pharmacology::{Library, Scenario};
use raphe::simulate::Fidelity;
use raphe::{bundled, output};
use std::path::{Path, PathBuf};

mod cohort;
pub mod lists;
pub mod plot;
mod run;
mod sweep;
mod trial;
mod validate;
pub use cohort::cohort;
pub use run::{compare, export_sbml, simulate};
pub use sweep::{merge, sensitivity, signal_exit_code, sweep};
pub use trial::trial;
pub use validate::validate;

#[derive(Parser)]
#[command(
    name = "raphe",
    version = concat!(env!("CARGO_PKG_VERSION"), " (git ", env!("RAPHE_GIT_REVISION"), ")"),
    about = "Serotonergic degeneration and spasticity in ALS: an ODE model with simulated interventions"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Simulate a disease course (optionally under a dosing scenario) and write
    /// trajectory.csv and .parquet, summary.json and manifest.json.
    Simulate(SimulateArgs),
    /// Run two or more arms (scenarios) on the same patient and tabulate every summary metric
    /// by arm with its difference from the first arm (compare.csv, compare.json, a terminal
    /// table), e.g. `raphe compare --scenario baclofen_oral_tid --scenario tizanidine_oral_tid`.
    Compare(CompareArgs),
    /// List every parameter of a model with value, unit, range and source.
    Params {
        /// Model file, or the name of a bundled model (default: human_als).
        model: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: lists::Format,
    },
    /// List the bundled scenarios: name, the models they run on, description.
    Scenarios {
        #[arg(long, value_enum, default_value_t)]
        format: lists::Format,
    },
    /// List every summary metric (summary.json keys; those a sweep may record marked) with unit
    /// and meaning.
    Metrics {
        #[arg(long, value_enum, default_value_t)]
        format: lists::Format,
    },
    /// Run a parameter/regimen sweep (models/sweeps/*.toml) and write runs.csv, runs.parquet and
    /// manifest.json.
    Sweep(SweepArgs),
    /// Join the runs.csv of sweep shards (same sweep file, every shard once) into one folder
    /// (runs.csv, runs.parquet, manifest.json). Each shard is checked against its manifest.
    Merge {
        /// Shard output folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        /// Replace whatever results --out holds (the files its manifest lists).
        #[arg(long)]
        force: bool,
    },
    /// Simulate a cohort of virtual patients drawn from the model's [population] (optionally
    /// under a scenario): patients.csv and .parquet (each patient's phenotypes, covariates,
    /// parameters and summary metrics), quantiles.csv, Kaplan–Meier tables of survival from
    /// motor onset and of spasm onset, manifest.json.
    Cohort(CohortArgs),
    /// Run an in-silico trial (models/trials/*.toml): screening, randomisation, arms, visits with
    /// rater error and a placebo response, endpoints and their tests (results.csv); with
    /// --replicates the trial is repeated, with --power N1,N2,... power against sample size.
    Trial(TrialArgs),
    /// Write the full-resolution model under a scenario as SBML Level 3 Version 2 (states as
    /// rate rules, readouts as assignment rules, doses and infusions as events), for COPASI,
    /// libRoadRunner or AMICI: `raphe export-sbml --scenario baclofen_oral_tid --out m.xml`.
    ExportSbml(ExportSbmlArgs),
    /// Check the model against the facts it must reproduce (science.md §6; the bundled
    /// models/validation/*.toml, or the files of --facts): a table of fact, source, expected,
    /// simulated and verdict, and DIR/validation.json with --out. Exits non-zero when a check
    /// fails (a documented known miss does not).
    Validate(ValidateArgs),
    /// Global sensitivity (Sobol' indices with bootstrap intervals, or Morris mu*, sigma) of a
    /// sweep with design "sobol" or "morris"; writes runs.csv, sensitivity.csv, manifest.json.
    Sensitivity(SensitivityArgs),
    /// Draw a figure from output folders (course: one simulate folder; compare: several).
    Plot(plot::PlotArgs),
    /// One self-contained HTML page sharing one or more simulate folders: figures, summary
    /// metrics, scenario, parameters that differ from the preset, provenance.
    Report {
        /// Output folders of `raphe simulate`.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The HTML file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// List the drug library: mechanism, routes, species with PK, dose limits.
    Drugs {
        /// Also look for drug files in this folder (before the bundled library).
        #[arg(long)]
        folder: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t)]
        format: lists::Format,
    },
    /// Print a shell completion script (e.g. `raphe completions bash > ~/.local/share/bash-completion/completions/raphe`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff; `raphe man > raphe.1 && man ./raphe.1`).
    Man,
}

/// The patient and the run: model, parameter changes, duration, output grid, path, weights
/// (shared by `simulate` and `compare`).
#[derive(clap::Args)]
pub struct PatientArgs {
    /// Model file, or the name of a bundled model (human_als, sod1_g86r_mouse). Default: human_als.
    pub model: Option<String>,
    /// Change a model parameter, e.g. raphe_hazard=3%/month or pic_time_constant=20min, or a
    /// drug constant, e.g. drug.baclofen.clearance=0.2L/h/kg or drug.baclofen.pk.human.volume=0.6
    /// (repeatable; unit optional, the file's; checked as in files; recorded in the manifest).
    #[arg(long, value_name = "NAME=VALUE[UNIT]")]
    pub set: Vec<String>,
    /// Let --set go outside a parameter's plausible range (still within its physical bound).
    #[arg(long)]
    pub allow_outside_range: bool,
    /// Simulated time: days or with a unit (2192, 6y, 18mo; default: the model's duration).
    #[arg(long, allow_negative_numbers = true)]
    pub days: Option<String>,
    /// Time between trajectory rows: days or with a unit (1, 6h; default: the model's step).
    #[arg(long, allow_negative_numbers = true)]
    pub output_step: Option<String>,
    /// fast: closed-form PK and quasi-steady fast states; full: every state integrated.
    #[arg(long, default_value = "fast")]
    pub fidelity: Fidelity,
    /// Relative tolerance of the ODE solver (default 1e-8; tighter for reference runs, e.g.
    /// against another simulator).
    #[arg(long)]
    pub rtol: Option<f64>,
    /// Absolute tolerance of the ODE solver (default 1e-10).
    #[arg(long)]
    pub atol: Option<f64>,
    /// Benefit-risk weights (TOML, see models/weights/benefit_risk.toml). Default: the bundled ones.
    #[arg(long)]
    pub weights: Option<PathBuf>,
}

/// The treatment of one run: a scenario and dose lines (shared by `simulate` and `export-sbml`).
#[derive(clap::Args)]
pub struct TreatmentArgs {
    /// Scenario file, or the name of a bundled scenario. Default: no treatment.
    #[arg(long)]
    pub scenario: Option<String>,
    /// Add a dosing line, e.g. "baclofen 20 mg q8h from 3y", "baclofen intrathecal 100 ug/day
    /// from 4y until 5y" (repeatable; route optional, the drug's usual one; added to --scenario).
    #[arg(long, value_name = "TEXT")]
    pub dose: Vec<String>,
}

#[derive(clap::Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub patient: PatientArgs,
    #[command(flatten)]
    pub treatment: TreatmentArgs,
    /// Extra fine rows from A to B (times as days or with a unit: 1461, 4y, 4y+2d, 36h),
    /// e.g. to see dose peaks: --window 4y..4y+2d --window-step 10min.
    #[arg(long)]
    pub window: Option<String>,
    /// Step of the --window rows (default 10min; a number of days or with a unit: 5min, 0.5h).
    #[arg(long)]
    pub window_step: Option<String>,
    /// Also draw the disease-course figure (DIR/figures/course.svg and course.png).
    #[arg(long)]
    pub plot: bool,
    /// Output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace whatever results --out holds, even another command's (the files its manifest
    /// lists); without it a folder of another command is refused.
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub patient: PatientArgs,
    /// An arm: a scenario file or bundled name, or `untreated` (two or more; the first is the
    /// reference the others are compared with).
    #[arg(long = "scenario", required = true, num_args = 1, value_name = "SCENARIO")]
    pub scenarios: Vec<String>,
    /// Output folder: compare.csv, compare.json, each arm's run in arms/NAME/, manifest.json.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace whatever results --out holds, even another command's.
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::Args)]
pub struct SweepArgs {
    /// Sweep file.
    pub file: PathBuf,
    /// Worker threads (default: all cores; at most 8 per core). Results do not depend on it.
    #[arg(long, value_parser = thread_count, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Run only shard K of N (K from 0), e.g. one Slurm array task; join with `raphe merge`.
    #[arg(long)]
    pub shard: Option<String>,
    /// Keep the chunks an interrupted run of this sweep left in DIR and run only the rest.
    #[arg(long)]
    pub resume: bool,
    /// Stop after this many chunks (simulates a killed run; for tests).
    #[arg(long, hide = true)]
    pub stop_after_chunks: Option<usize>,
    /// Output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace whatever results --out holds, even another command's.
    #[arg(long)]
    pub force: bool,
    /// Also draw each metric's distribution and dose-response (and a heatmap for a
    /// two-factor grid) into DIR/figures/.
    #[arg(long)]
    pub plot: bool,
}

#[derive(clap::Args)]
pub struct CohortArgs {
    /// Model file with a [population] section, or a bundled model name. Default: human_als.
    pub model: Option<String>,
    /// Scenario file or bundled name given to every patient (default: untreated).
    #[arg(long)]
    pub scenario: Option<String>,
    /// Number of patients.
    #[arg(long)]
    pub n: usize,
    /// Seed of the cohort: the same seed gives the same patients on every machine and thread count.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Simulated time per patient: days or with a unit (15y; default: the model's duration).
    #[arg(long, allow_negative_numbers = true)]
    pub days: Option<String>,
    /// Worker threads (default: all cores; at most 8 per core). Results do not depend on it.
    #[arg(long, value_parser = thread_count, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Keep the chunks an interrupted run of this cohort left in DIR and run only the rest.
    #[arg(long)]
    pub resume: bool,
    /// Stop after this many chunks (simulates a killed run; for tests).
    #[arg(long, hide = true)]
    pub stop_after_chunks: Option<usize>,
    /// Output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace whatever results --out holds, even another command's.
    #[arg(long)]
    pub force: bool,
    /// Also draw the Kaplan-Meier curves and the distributions of the headline metrics into
    /// DIR/figures/.
    #[arg(long)]
    pub plot: bool,
}

#[derive(clap::Args)]
pub struct ExportSbmlArgs {
    #[command(flatten)]
    pub patient: PatientArgs,
    #[command(flatten)]
    pub treatment: TreatmentArgs,
    /// The SBML file to write.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(clap::Args)]
pub struct ValidateArgs {
    /// A folder of validation files (default: the bundled models/validation).
    #[arg(long)]
    pub facts: Option<PathBuf>,
    /// Only the facts with these numbers, e.g. 1,3,12.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<u32>,
    /// Worker threads for cohorts (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = thread_count, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Output folder for validation.json and manifest.json (created if missing).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace whatever results --out holds, even another command's.
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::Args)]
pub struct TrialArgs {
    /// Trial file, e.g. models/trials/itb_late_als.toml.
    pub file: PathBuf,
    /// Repeat the trial this many times (new patients each time) and report how often each
    /// comparison reaches p < 0.05 (power.csv, replicates.csv).
    #[arg(long, default_value_t = 1)]
    pub replicates: usize,
    /// Patients per arm to compute power for, e.g. 10,20,40 (each with --replicates replicates,
    /// 200 when not given).
    #[arg(long, value_delimiter = ',')]
    pub power: Vec<usize>,
    /// Worker threads (default: all cores; at most 8 per core). Results do not depend on it.
    #[arg(long, value_parser = thread_count, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace whatever results --out holds, even another command's.
    #[arg(long)]
    pub force: bool,
    /// Also draw the power curve (with --power or --replicates) into DIR/figures/.
    #[arg(long)]
    pub plot: bool,
}

#[derive(clap::Args)]
pub struct SensitivityArgs {
    /// Sweep file with design = "sobol" (samples a power of two) or "morris", to run and analyse.
    #[arg(required_unless_present = "from", conflicts_with = "from")]
    pub file: Option<PathBuf>,
    /// Analyse a finished (or merged) sweep folder instead of running one, e.g. the shards of a
    /// Slurm Sobol' run after `raphe merge`.
    #[arg(long, value_name = "SWEEP_DIR")]
    pub from: Option<PathBuf>,
    /// Worker threads (default: all cores; at most 8 per core). Results do not depend on it.
    #[arg(long, value_parser = thread_count, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Keep the chunks an interrupted run left in DIR and run only the rest.
    #[arg(long)]
    pub resume: bool,
    #[arg(long)]
    pub out: PathBuf,
    /// Replace whatever results --out holds, even another command's.
    #[arg(long)]
    pub force: bool,
    /// A day metric missing because its event (death, onset) came after the run is counted at
    /// the run's end (right-censored there), so it gets indices; the rule is recorded in the
    /// manifest. Without it such a metric has no indices.
    #[arg(long)]
    pub censor_at_end: bool,
    /// Also draw the indices of each metric into DIR/figures/.
    #[arg(long)]
    pub plot: bool,
}

/// `--threads N`: a whole number from 1 to 8 per core.
fn thread_count(text: &str) -> std::result::Result<usize, String> {
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let limit = (raphe::limits::THREADS_PER_CORE * cores).max(8);
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=limit).contains(&n) => Ok(n),
        _ => Err(format!(
            "allowed: a whole number from 1 to {limit} ({} per core on this machine's {cores} cores)",
            raphe::limits::THREADS_PER_CORE
        )),
    }
}

/// Creates an output folder if missing and takes its advisory lock for this command (one writer
/// per folder); the lock is held until the returned guard drops.
fn prepare_out(dir: &Path) -> Result<output::lock::FolderLock> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create output folder {}", dir.display()))?;
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    Ok(output::lock::FolderLock::acquire(dir, &command)?)
}

/// A time flag's value in days (`1461`, `4y`, `4y+2d`, `36h`; see [`raphe::units::time_text`]).
fn time_in_days(text: &str, flag: &str) -> Result<f64> {
    raphe::units::time_text(text).map_err(|e| anyhow::anyhow!("{flag} `{text}`: {e}"))
}

/// A model from a path, or a bundled model by name.
fn load_model(arg: Option<&str>) -> Result<Model> {
    let name = arg.unwrap_or(bundled::DEFAULT_MODEL);
    let path = Path::new(name);
    if path.exists() || name.ends_with(".toml") {
        return Ok(Model::load(path)?);
    }
    match bundled::model(name) {
        Some((file, text)) => Ok(Model::from_toml(Path::new(&file), text)?),
        None => {
            bail!("{name}: no such model file, and not a bundled model (bundled: {})", names(bundled::MODELS))
        }
    }
}

/// The scenario of `arg` (a file or a bundled name; none: untreated) with the `--dose` lines
/// added as `[[dosing]]`/`[[infusion]]` blocks of its text, so the scenario loader checks
/// them as it checks files.
fn load_scenario(
    arg: Option<&str>,
    doses: &[String],
    model: &Model,
    drug_changes: &[raphe::pharmacology::library::DrugOverride],
) -> Result<Scenario> {
    let (path, text, library) = match arg {
        None if doses.is_empty() => return Ok(Scenario::untreated()),
        None => {
            // Named after its drugs (legends and manifests read "escitalopram", not a placeholder).
            let mut drugs: Vec<String> = doses
                .iter()
                .filter_map(|d| d.split_whitespace().next())
                .filter(|w| raphe::params::is_identifier(w))
                .map(String::from)
                .collect();
            drugs.dedup();
            let name = if drugs.is_empty() { "command_line".to_string() } else { drugs.join("_and_") };
            let description = toml::Value::String(format!("--dose {}", doses.join("; "))).to_string();
            (
                PathBuf::from("--dose"),
                format!("[scenario]\nname = \"{name}\"\ndescription = {description}\n"),
                Library::default(),
            )
        }
        Some(name) if name.ends_with(".csv") => bail!(
            "--scenario {name}: a dosing table is not a scenario; wrap it in one:\n  [scenario]\n  name = \"my_table\"\n  description = \"...\"\n  [[dosing_table]]\n  file = \"{}\"\n  drug = \"baclofen\"\n  time_unit = \"h\"\n  amount_unit = \"mg\"\n(see docs/drugs.md)",
            Path::new(name).file_name().map_or(name.into(), |f| f.to_string_lossy())
        ),
        Some(name) if Path::new(name).exists() || name.ends_with(".toml") => {
            let path = PathBuf::from(name);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("{name}: cannot read scenario file"))?;
            let library = Library::for_scenario(&path);
            (path, text, library)
        }
        Some(name) => match bundled::scenario(name) {
            Some((file, text)) => (PathBuf::from(file), text.to_string(), Library::default()),
            None => bail!(
                "{name}: no such scenario file, and not a bundled scenario (bundled: {})",
                names(bundled::SCENARIOS)
            ),
        },
    };
    let mut library = library;
    library.overrides = drug_changes.to_vec();
    let text = raphe::pharmacology::dose_text::append_dose_lines(&text, doses, &library)
        .map_err(|e| anyhow::anyhow!("--dose {e}"))?;
    Ok(Scenario::from_toml(&path, &text, model, &library)?)
}

fn names(table: &[(&str, &str)]) -> String {
    table.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

fn positive(value: Option<f64>, default: f64, flag: &str) -> Result<f64> {
    let v = value.unwrap_or(default);
    if !(v.is_finite() && v > 0.0) {
        bail!("{flag} {v}: must be a positive number of days");
    }
    Ok(v)
}

/// A number of days for people: no trailing zeros, at most two decimals (2192, 1095.75, 0.5).
fn plain_number(x: f64) -> String {
    format!("{}", (x * 100.0).round() / 100.0)
}

/// The files a command committed, and its manifest, for the "wrote" line.
fn with_manifest(written: &[String]) -> String {
    let mut names = written.to_vec();
    names.push(output::transaction::MANIFEST.into());
    names.join(", ")
}
