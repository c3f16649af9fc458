//! Command-line interface: flags parsed once into typed structs, then thin calls into the
//! library. All printing happens here.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use raphe::model::Model;
use raphe::output::transaction::Transaction;
use raphe::pharmacology::dose_text::DoseText;
use raphe::pharmacology::{Library, Scenario};
use raphe::simulate::Fidelity;
use raphe::{bundled, output};
use std::io::Write;
use std::path::{Path, PathBuf};

pub mod lists;
pub mod plot;
mod run;
pub use run::{compare, simulate};

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
    /// trajectory.csv, summary.json and manifest.json.
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
    /// Print a shell completion script (e.g. `raphe completions bash > ~/.local/share/bash-completion/completions/raphe`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff; `raphe man > raphe.1 && man ./raphe.1`).
    Man,
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
}

/// The patient and the run: model, parameter changes, duration, output grid, path, weights
/// (shared by `simulate` and `compare`).
#[derive(clap::Args)]
pub struct PatientArgs {
    /// Model file, or the name of a bundled model (human_als, sod1_g86r_mouse). Default: human_als.
    pub model: Option<String>,
    /// Change a model parameter, e.g. raphe_hazard=3%/month or pic_time_constant=20min
    /// (repeatable; unit optional, the model file's; checked as in files; recorded in the manifest).
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
    /// Benefit-risk weights (TOML, see models/weights/benefit_risk.toml). Default: the bundled ones.
    #[arg(long)]
    pub weights: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub patient: PatientArgs,
    /// Scenario file, or the name of a bundled scenario. Default: no treatment.
    #[arg(long)]
    pub scenario: Option<String>,
    /// Add a dosing line, e.g. "baclofen 20 mg q8h from 3y", "baclofen intrathecal 100 ug/day
    /// from 4y until 5y" (repeatable; route optional, the drug's usual one; added to --scenario).
    #[arg(long, value_name = "TEXT")]
    pub dose: Vec<String>,
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
fn load_scenario(arg: Option<&str>, doses: &[String], model: &Model) -> Result<Scenario> {
    let (path, text, library) = match arg {
        None if doses.is_empty() => return Ok(Scenario::untreated()),
        None => (
            PathBuf::from("--dose"),
            "[scenario]\nname = \"command_line\"\ndescription = \"doses given with --dose\"\n".to_string(),
            Library::default(),
        ),
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
    let mut text = text;
    for dose in doses {
        let line = DoseText::parse(dose).map_err(|e| anyhow::anyhow!("--dose \"{dose}\": {e}"))?;
        let route = match line.route {
            Some(r) => r,
            None => {
                let drug = library.find(&line.drug).map_err(|known| {
                    anyhow::anyhow!("--dose \"{dose}\": unknown drug `{}` (known: {known})", line.drug)
                })??;
                line.default_route(&drug.routes)
                    .with_context(|| format!("--dose \"{dose}\": {} has no route", line.drug))?
            }
        };
        text.push_str(&format!("\n# --dose \"{dose}\"\n{}", line.to_toml(route)));
    }
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

/// The signal (SIGINT or SIGTERM) that asked a sweep to stop, 0 while none has.
fn signal() -> &'static std::sync::Arc<std::sync::atomic::AtomicUsize> {
    static SIGNAL: std::sync::OnceLock<std::sync::Arc<std::sync::atomic::AtomicUsize>> =
        std::sync::OnceLock::new();
    SIGNAL.get_or_init(Default::default)
}

/// Exit code for a sweep ended by a signal: 128 + the signal (130 for SIGINT, 143 for SIGTERM).
pub fn signal_exit_code() -> Option<u8> {
    match signal().load(std::sync::atomic::Ordering::SeqCst) {
        0 => None,
        sig => Some(128 + sig as u8),
    }
}

/// From now on SIGINT and SIGTERM only record themselves in [`signal`]: the sweep finishes the
/// chunk it is writing and stops cleanly. A second signal ends the process at once.
fn stop_on_signals() -> Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use std::sync::{atomic::AtomicBool, Arc};
    let again = Arc::new(AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, Arc::clone(&again))?;
        signal_hook::flag::register(sig, Arc::clone(&again))?;
        signal_hook::flag::register_usize(sig, Arc::clone(signal()), sig as usize)?;
    }
    Ok(())
}

pub fn sweep(a: SweepArgs) -> Result<()> {
    let shard = match &a.shard {
        Some(text) => raphe::sweep::Shard::parse(text).map_err(anyhow::Error::msg)?,
        None => raphe::sweep::Shard::ALL,
    };
    let sweep = raphe::sweep::Sweep::load(&a.file)?;
    set_threads(a.threads)?;
    for warning in &sweep.warnings {
        eprintln!("warning: {warning}");
    }
    let _lock = prepare_out(&a.out)?;
    let mut tx = Transaction::begin(&a.out, "sweep", a.force)?;
    let opts = raphe::sweep::RunOptions {
        shard,
        resume: a.resume,
        stop_after_chunks: a.stop_after_chunks,
        cancel: None,
    };
    let (manifest, report) = sweep_to(&a.file, &sweep, opts, &mut tx)?;
    let written = tx.commit(manifest)?;
    raphe::sweep::remove_chunks(&a.out)?;
    println!("{report}; wrote {}/{{{}}}", a.out.display(), with_manifest(&written));
    if a.plot {
        let staging = output::transaction::figure_staging(&a.out)?;
        let (drawn, skipped) = raphe::plot::sweep_figures(&a.out, &staging)?;
        let figures = output::transaction::publish_figures(&a.out, &staging, &drawn)?;
        for problem in skipped {
            eprintln!("warning: no figure for {problem}");
        }
        println!("  wrote {} figures in {}", figures.len(), a.out.join("figures").display());
    }
    Ok(())
}

/// Size rayon's pool as asked (default: all cores; the count was checked by
/// [`thread_count`]). Called before anything is written.
fn set_threads(threads: Option<usize>) -> Result<()> {
    let Some(n) = threads else { return Ok(()) };
    rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("cannot set the thread count")
}

/// Run a sweep into `tx` (runs.csv, runs.parquet, trajectories.csv staged, not committed);
/// returns the manifest to commit with and a one-line report.
fn sweep_to(
    file: &Path,
    sweep: &raphe::sweep::Sweep,
    mut opts: raphe::sweep::RunOptions,
    tx: &mut Transaction,
) -> Result<(serde_json::Value, String)> {
    stop_on_signals()?;
    opts.cancel = Some(signal());
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {per_sec}  ETA {eta}")
            .expect("valid template"),
    );
    let outcome = raphe::sweep::run_all(sweep, tx, opts, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    // The terminal line is restored whatever happened.
    bar.finish_and_clear();
    let outcome = match outcome {
        Ok(o) => o,
        Err(e @ raphe::Error::Stopped { .. }) => {
            let mut command: Vec<String> = std::env::args().collect();
            if let Some(k) = command.iter().position(|a| a == "--stop-after-chunks") {
                command.drain(k..(k + 2).min(command.len()));
            }
            command.retain(|a| !a.starts_with("--stop-after-chunks="));
            if !command.iter().any(|a| a == "--resume") {
                command.push("--resume".into());
            }
            bail!(
                "{e}\n  to finish: {}",
                command.iter().map(|a| shell_quoted(a)).collect::<Vec<_>>().join(" ")
            )
        }
        Err(e) => return Err(e.into()),
    };
    let (runs, failed) = (outcome.runs, outcome.failed);
    let manifest = serde_json::json!({
        "raphe_version": env!("CARGO_PKG_VERSION"),
        "git_revision": env!("RAPHE_GIT_REVISION"),
        "command": std::env::args().collect::<Vec<_>>(),
        "sweep_file": file.display().to_string(),
        "sweep_sha256": output::manifest::sha256(&sweep.text),
        "sweep_text": sweep.text,
        "model": sweep.model.name,
        "model_sha256": output::manifest::sha256(&sweep.model.text),
        "scenario": sweep.scenario.name,
        "scenario_sha256": output::manifest::sha256(&sweep.scenario.text),
        "dosing_tables": sweep.scenario.tables.iter().map(|(p, t)| serde_json::json!({"path": p.display().to_string(), "sha256": output::manifest::sha256(t)})).collect::<Vec<_>>(),
        "design": sweep.design,
        "seed": sweep.seed,
        "runs": runs,
        "total_runs": outcome.total,
        "shard": opts.shard,
        "settings": sweep.settings,
        "metric_units": units(sweep.metrics.iter().map(|m| (m.as_str(), raphe::simulate::summary::unit_of(m)))),
        "trajectory_units": sweep.traces.as_ref().map(|t| {
            let columns = t.columns.iter().zip(&t.units).map(|(c, &u)| (c.as_str(), Some(u)));
            units(std::iter::once(("day", Some("day"))).chain(columns))
        }),
    });
    let secs = started.elapsed().as_secs_f64();
    let mut report = format!("raphe sweep {}: {runs} runs ({failed} failed)", sweep.name);
    if outcome.computed < runs {
        report.push_str(&format!(
            ", {} computed now and {} kept from the interrupted run",
            outcome.computed,
            runs - outcome.computed
        ));
    }
    if outcome.recomputed_chunks > 0 {
        report.push_str(&format!(
            " ({} kept chunks did not match their checksum and were computed again)",
            outcome.recomputed_chunks
        ));
    }
    report.push_str(&format!(" in {secs:.1} s ({:.0} runs/s)", outcome.computed as f64 / secs));
    Ok((manifest, report))
}

/// `arg` as a POSIX shell reads it back: bare when safe, else in single quotes.
fn shell_quoted(arg: &str) -> String {
    let safe = !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if safe {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// A JSON object name → unit (null for a name without one).
fn units<'a>(pairs: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> serde_json::Value {
    serde_json::Value::Object(pairs.map(|(n, u)| (n.to_string(), serde_json::json!(u))).collect())
}

pub fn sensitivity(a: SensitivityArgs) -> Result<()> {
    use raphe::sweep::DesignKind;
    let out = &a.out;
    let check_design = |sweep: &raphe::sweep::Sweep, file: &Path| {
        if matches!(sweep.design, DesignKind::Sobol | DesignKind::Morris) {
            Ok(())
        } else {
            Err(anyhow::anyhow!(
                "{}: field `sweep.design`: sensitivity needs design \"sobol\" or \"morris\"",
                file.display()
            ))
        }
    };
    if let Some(from) = &a.from {
        let (sweep, manifest) = finished_sweep(from)?;
        check_design(&sweep, &from.join("manifest.json"))?;
        let _lock = prepare_out(out)?;
        let mut tx = Transaction::begin(out, "sensitivity", a.force)?;
        let analysis = analyse(&sweep, &from.join("runs.csv"))?;
        tx.write("sensitivity.csv", analysis.as_bytes())?;
        let mut m = manifest;
        m["analysed_from"] = serde_json::json!(from.display().to_string());
        let written = tx.commit(m)?;
        print_ranking(&analysis);
        println!(
            "analysed {}/runs.csv; wrote {}/{{{}}}",
            from.display(),
            out.display(),
            with_manifest(&written)
        );
        return sensitivity_plots(&a, &sweep);
    }
    let file = a.file.as_deref().expect("clap requires FILE or --from");
    let sweep = raphe::sweep::Sweep::load(file)?;
    check_design(&sweep, file)?;
    set_threads(a.threads)?;
    for warning in &sweep.warnings {
        eprintln!("warning: {warning}");
    }
    let _lock = prepare_out(out)?;
    let mut tx = Transaction::begin(out, "sensitivity", a.force)?;
    let opts = raphe::sweep::RunOptions { resume: a.resume, ..raphe::sweep::RunOptions::whole() };
    let (manifest, report) = sweep_to(file, &sweep, opts, &mut tx)?;
    let runs_csv = tx.staged_path("runs.csv").expect("the sweep staged runs.csv").to_path_buf();
    let analysis = analyse(&sweep, &runs_csv)?;
    tx.write("sensitivity.csv", analysis.as_bytes())?;
    let written = tx.commit(manifest)?;
    raphe::sweep::remove_chunks(out)?;
    print_ranking(&analysis);
    println!("{report}; wrote {}/{{{}}}", out.display(), with_manifest(&written));
    sensitivity_plots(&a, &sweep)
}

/// The sweep a finished sweep folder ran (re-read from the text its manifest keeps, with the
/// sweep file's folder for relative names), after checking the folder against its manifest
/// and that it holds every run.
fn finished_sweep(dir: &Path) -> Result<(raphe::sweep::Sweep, serde_json::Value)> {
    match output::transaction::committed(dir)? {
        Some(c) if c.kind == "sweep" || c.kind == "merge" => {}
        Some(c) => bail!("{}: holds the results of `raphe {}`, not of a sweep", dir.display(), c.kind),
        None => bail!("{}: no manifest.json: not a finished sweep folder", dir.display()),
    }
    output::transaction::verify(dir, &["runs.csv"])?;
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json"))?)?;
    if manifest["runs"] != manifest["total_runs"] {
        bail!(
            "{}: holds {} of the sweep's {} runs (one shard): merge every shard first (`raphe merge`)",
            dir.display(),
            manifest["runs"],
            manifest["total_runs"]
        );
    }
    let text = manifest["sweep_text"].as_str().context("manifest.json: no sweep_text")?;
    let file = PathBuf::from(manifest["sweep_file"].as_str().unwrap_or("sweep.toml"));
    let sweep = raphe::sweep::Sweep::from_text(&file, text)?;
    Ok((sweep, manifest))
}

/// Sobol' or Morris indices of every metric of `runs_csv`, as the text of sensitivity.csv. A
/// metric missing in some runs (a failed run, or no death within the run) gets no indices, and
/// a constant one gets NaN; both are said.
fn analyse(sweep: &raphe::sweep::Sweep, runs_csv: &Path) -> Result<String> {
    use raphe::sweep::{sensitivity, DesignKind};
    let metrics = read_metrics(runs_csv, sweep.metrics.len())?;
    let complete = |m: usize| metrics.iter().all(|r| !r[m].is_nan());
    for (m, name) in sweep.metrics.iter().enumerate().filter(|(m, _)| !complete(*m)) {
        let missing = metrics.iter().filter(|r| r[m].is_nan()).count();
        eprintln!(
            "warning: metric `{name}` has no value in {missing} of {} runs (failed, or the event did not happen within the run): no indices for it; lengthen the run or record another metric",
            metrics.len()
        );
    }
    let constant = |m: usize| metrics.windows(2).all(|w| w[0][m] == w[1][m]);
    for (m, name) in sweep.metrics.iter().enumerate().filter(|(m, _)| complete(*m) && constant(*m)) {
        eprintln!(
            "warning: metric `{name}` is {} in every run: no variance to apportion, so its Sobol'/Morris indices are NaN",
            metrics.first().map_or(f64::NAN, |r| r[m])
        );
    }
    let d = sweep.factors.len();
    let mut csv = String::new();
    match sweep.design {
        DesignKind::Sobol => {
            csv.push_str("metric,factor,S1,S1_low,S1_high,ST,ST_low,ST_high\n");
            for (m, name) in sweep.metrics.iter().enumerate().filter(|(m, _)| complete(*m)) {
                let y: Vec<f64> = metrics.iter().map(|r| r[m]).collect();
                for (f, idx) in
                    sweep.factors.iter().zip(sensitivity::sobol(&y, sweep.samples, d, 1000, sweep.seed))
                {
                    csv.push_str(&format!(
                        "{name},{},{:?},{:?},{:?},{:?},{:?},{:?}\n",
                        f.name,
                        idx.first,
                        idx.first_low,
                        idx.first_high,
                        idx.total,
                        idx.total_low,
                        idx.total_high
                    ));
                }
            }
        }
        _ => {
            csv.push_str("metric,factor,mu_star,mu_star_low,mu_star_high,mu,sigma\n");
            let points = sweep.design().points();
            for (m, name) in sweep.metrics.iter().enumerate().filter(|(m, _)| complete(*m)) {
                let y: Vec<f64> = metrics.iter().map(|r| r[m]).collect();
                for (f, idx) in
                    sweep.factors.iter().zip(sensitivity::morris(&points, &y, d, 1000, sweep.seed))
                {
                    csv.push_str(&format!(
                        "{name},{},{:?},{:?},{:?},{:?},{:?}\n",
                        f.name, idx.mu_star, idx.mu_star_low, idx.mu_star_high, idx.mu, idx.sigma
                    ));
                }
            }
        }
    }
    Ok(csv)
}

/// The factors of each metric ranked by total index (Sobol') or mu* (Morris), for the terminal.
fn print_ranking(csv: &str) {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let key = header.iter().position(|h| *h == "ST" || *h == "mu_star").unwrap_or(2);
    let mut rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let value = |r: &Vec<&str>| r[key].parse::<f64>().unwrap_or(f64::NEG_INFINITY);
    rows.sort_by(|a, b| a[0].cmp(b[0]).then(value(b).total_cmp(&value(a))));
    let mut metric = "";
    for r in &rows {
        if r[0] != metric {
            metric = r[0];
            println!("{metric} (ranked by {}):", header[key]);
        }
        let cells: Vec<String> = header[2..]
            .iter()
            .zip(&r[2..])
            .map(|(h, v)| format!("{h} {:>7.3}", v.parse::<f64>().unwrap_or(f64::NAN)))
            .collect();
        println!("  {:<40} {}", r[1], cells.join("  "));
    }
}

fn sensitivity_plots(a: &SensitivityArgs, sweep: &raphe::sweep::Sweep) -> Result<()> {
    if a.plot {
        let staging = output::transaction::figure_staging(&a.out)?;
        let drawn = raphe::plot::sensitivity_figures(&a.out, &staging, &sweep.metrics)?;
        let figures = output::transaction::publish_figures(&a.out, &staging, &drawn)?;
        println!("  wrote {} figures in {}", figures.len(), a.out.join("figures").display());
    }
    Ok(())
}

/// Metric columns (the last `n`) of a runs.csv, NaN where empty.
fn read_metrics(path: &Path, n: usize) -> Result<Vec<Vec<f64>>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            cells[cells.len() - n..].iter().map(|c| c.parse().unwrap_or(f64::NAN)).collect()
        })
        .collect())
}

/// Join `file` of the shards (given in shard order) into `out`, streaming: every shard must have
/// the first shard's header, and its rows' run indices must lie in its shard's range, in order
/// (`contiguous`: exactly each run once, as runs.csv; else non-decreasing, as trajectories.csv,
/// which holds many rows per run). Returns the number of rows.
fn join_shards(
    shards: &[(PathBuf, std::ops::Range<u64>)],
    file: &str,
    out: &Path,
    contiguous: bool,
) -> Result<u64> {
    use std::io::BufRead;
    let mut writer = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("cannot write {}", out.display()))?,
    );
    let (mut header, mut rows) = (None::<String>, 0u64);
    for (dir, range) in shards {
        let path = dir.join(file);
        let reader = std::io::BufReader::new(
            std::fs::File::open(&path).with_context(|| format!("cannot read {}", path.display()))?,
        );
        let mut lines = reader.lines();
        let h = lines.next().transpose()?.unwrap_or_default();
        match &header {
            None => {
                writeln!(writer, "{h}")?;
                header = Some(h);
            }
            Some(first) if *first != h => bail!("{}: header differs from the first shard's", path.display()),
            Some(_) => {}
        }
        let mut next = range.start;
        for (k, line) in lines.enumerate() {
            let line = line?;
            let run: u64 = line
                .split(',')
                .next()
                .and_then(|c| c.parse().ok())
                .with_context(|| format!("{}:{}: bad run index", path.display(), k + 2))?;
            let in_order =
                if contiguous { run == next } else { run >= next.saturating_sub(1) && run < range.end };
            if !in_order || run >= range.end {
                bail!(
                    "{}:{}: run {run} is out of order or outside the shard's runs {range:?}",
                    path.display(),
                    k + 2
                );
            }
            next = run + 1;
            writeln!(writer, "{line}")?;
            rows += 1;
        }
        if contiguous && next != range.end {
            bail!("{}: runs {}..{} missing", path.display(), next, range.end);
        }
    }
    writer.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(rows)
}

pub fn merge(dirs: Vec<PathBuf>, out: PathBuf, force: bool) -> Result<()> {
    let mut manifests = Vec::new();
    for d in &dirs {
        // Only a finished shard of a sweep, whose files are exactly as it wrote them.
        match output::transaction::committed(d)? {
            None => bail!(
                "{}: no manifest.json: not a finished sweep shard (run or resume its `raphe sweep --shard` first)",
                d.display()
            ),
            Some(c) if c.kind != "sweep" => bail!(
                "{}: holds the results of `raphe {}`, not of a sweep shard (merge joins the folders of `raphe sweep --shard K/N`)",
                d.display(),
                c.kind
            ),
            Some(_) => {}
        }
        output::transaction::verify(d, &["runs.csv"])
            .context("merge refuses a shard that does not match its manifest")?;
        let path = d.join("manifest.json");
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        manifests.push(
            serde_json::from_str::<serde_json::Value>(&text)
                .with_context(|| format!("{}: not JSON", path.display()))?,
        );
    }
    let first = &manifests[0];
    for (d, m) in dirs.iter().zip(&manifests) {
        for key in [
            "sweep_sha256",
            "model_sha256",
            "scenario_sha256",
            "dosing_tables",
            "total_runs",
            "seed",
            "raphe_version",
            "git_revision",
        ] {
            if m[key] != first[key] {
                bail!(
                    "{}: field `{key}` differs from {} ({} vs {}): shards of different sweeps",
                    d.join("manifest.json").display(),
                    dirs[0].display(),
                    m[key],
                    first[key]
                );
            }
        }
    }
    // Shards in order, each once, before anything is read or allocated by their count.
    let count = first["shard"]["count"].as_u64().unwrap_or(1);
    if count != dirs.len() as u64 {
        bail!(
            "the shards are {count} of a sweep; {} folders given: give each shard exactly once",
            dirs.len()
        );
    }
    let mut order: Vec<(u64, &PathBuf)> = manifests
        .iter()
        .zip(&dirs)
        .map(|(m, d)| (m["shard"]["index"].as_u64().unwrap_or(u64::MAX), d))
        .collect();
    order.sort();
    if order.iter().enumerate().any(|(k, (i, _))| *i != k as u64) {
        let seen: Vec<u64> = order.iter().map(|(i, _)| *i).collect();
        bail!("shards given: {seen:?}; need each of 0..{count} exactly once");
    }
    let total = first["total_runs"].as_u64().unwrap_or(0);
    let shard =
        |k: u64| raphe::sweep::Shard { index: k as usize, count: count as usize }.range(total as usize);
    let shards: Vec<(PathBuf, std::ops::Range<u64>)> = order
        .iter()
        .map(|(k, d)| {
            let r = shard(*k);
            ((*d).clone(), r.start as u64..r.end as u64)
        })
        .collect();
    let traces: Vec<bool> = shards.iter().map(|(d, _)| d.join("trajectories.csv").is_file()).collect();
    if traces.iter().any(|&t| t) && !traces.iter().all(|&t| t) {
        bail!("some shards have trajectories.csv and others not: shards of different sweeps?");
    }
    let _lock = prepare_out(&out)?;
    let mut tx = Transaction::begin(&out, "merge", force)?;
    let runs_csv = tx.stage("runs.csv")?;
    join_shards(&shards, "runs.csv", &runs_csv, true)?;
    let parquet = tx.stage("runs.parquet")?;
    output::parquet::runs_from_csv(&runs_csv, &parquet)?;
    if traces.iter().all(|&t| t) {
        let path = tx.stage("trajectories.csv")?;
        join_shards(&shards, "trajectories.csv", &path, false)?;
    }
    let mut manifest = first.clone();
    manifest["shard"] = serde_json::json!({"index": 0, "count": 1});
    manifest["runs"] = serde_json::json!(total);
    manifest["merged_from"] =
        serde_json::json!(dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>());
    let written = tx.commit(manifest)?;
    println!(
        "merged {} shards, {total} runs, into {}/{{{}}}",
        dirs.len(),
        out.display(),
        with_manifest(&written)
    );
    Ok(())
}
