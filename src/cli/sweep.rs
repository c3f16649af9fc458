//! `raphe sweep`, `sensitivity` and `merge`: runs in chunks into one output transaction, stopped
//! cleanly by signals; indices from a run or a finished sweep; shards joined after checking.

use super::{prepare_out, with_manifest, SensitivityArgs, SweepArgs};
use anyhow::{bail, Context, Result};
use raphe::output;
use raphe::output::transaction::Transaction;
use std::io::Write;
use std::path::{Path, PathBuf};

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
        ..raphe::sweep::RunOptions::whole()
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
pub(super) fn set_threads(threads: Option<usize>) -> Result<()> {
    let Some(n) = threads else { return Ok(()) };
    rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("cannot set the thread count")
}

/// Run a sweep into `tx` (runs.csv, runs.parquet, trajectories.csv staged, not committed);
/// returns the manifest to commit with and a one-line report.
pub(super) fn sweep_to(
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
        let analysis = analyse(&sweep, &from.join("runs.csv"), a.censor_at_end)?;
        analysis.write(&mut tx)?;
        let mut m = manifest;
        m["analysed_from"] = serde_json::json!(from.display().to_string());
        m["censor_at_end"] = serde_json::json!(a.censor_at_end);
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
    let analysis = analyse(&sweep, &runs_csv, a.censor_at_end)?;
    analysis.write(&mut tx)?;
    let mut manifest = manifest;
    manifest["censor_at_end"] = serde_json::json!(a.censor_at_end);
    let written = tx.commit(manifest)?;
    raphe::sweep::remove_chunks(out)?;
    print_ranking(&analysis);
    println!("{report}; wrote {}/{{{}}}", out.display(), with_manifest(&written));
    sensitivity_plots(&a, &sweep)
}

/// The sweep a finished sweep (or merge, or sensitivity) folder ran (re-read from the text its manifest keeps, with the
/// sweep file's folder for relative names), after checking the folder against its manifest
/// and that it holds every run.
fn finished_sweep(dir: &Path) -> Result<(raphe::sweep::Sweep, serde_json::Value)> {
    match output::transaction::committed(dir)? {
        Some(c) if matches!(c.kind.as_str(), "sweep" | "merge" | "sensitivity") => {}
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

/// The text of sensitivity.csv and, for a second-order Sobol' design, of
/// sensitivity_second_order.csv.
struct Analysis {
    indices: String,
    second_order: Option<String>,
}

impl Analysis {
    /// Stage both tables.
    fn write(&self, tx: &mut Transaction) -> Result<()> {
        tx.write("sensitivity.csv", self.indices.as_bytes())?;
        if let Some(pairs) = &self.second_order {
            tx.write("sensitivity_second_order.csv", pairs.as_bytes())?;
        }
        Ok(())
    }
}

/// Sobol' or Morris indices of every metric of `runs_csv`. A metric missing in some runs (a
/// failed run, or no death within the run) gets no indices, and a constant one gets NaN; both
/// are said.
fn analyse(sweep: &raphe::sweep::Sweep, runs_csv: &Path, censor_at_end: bool) -> Result<Analysis> {
    use raphe::sweep::{sensitivity, DesignKind};
    let (ok, mut metrics) = read_metrics(runs_csv, sweep.metrics.len())?;
    // The stated rule for events after the horizon: a day metric missing in a run that
    // succeeded is the run's end (right-censored there, as a restricted-mean analysis does).
    if censor_at_end {
        for (m, name) in sweep.metrics.iter().enumerate() {
            if raphe::simulate::summary::unit_of(name) != Some("day") || !name.ends_with("_day") {
                continue;
            }
            let mut censored = 0;
            for (row, &fine) in metrics.iter_mut().zip(&ok) {
                if fine && row[m].is_nan() {
                    row[m] = sweep.settings.duration;
                    censored += 1;
                }
            }
            if censored > 0 {
                eprintln!(
                    "note: metric `{name}`: {censored} runs without the event are counted at the end of the run (day {}) (--censor-at-end)",
                    sweep.settings.duration
                );
            }
        }
    }
    let complete = |m: usize| metrics.iter().all(|r| !r[m].is_nan());
    for (m, name) in sweep.metrics.iter().enumerate().filter(|(m, _)| !complete(*m)) {
        let missing = metrics.iter().filter(|r| r[m].is_nan()).count();
        let hint = if name.ends_with("_day") && !censor_at_end {
            "lengthen the run, or count them at its end with --censor-at-end"
        } else {
            "lengthen the run or record another metric"
        };
        eprintln!(
            "warning: metric `{name}` has no value in {missing} of {} runs (failed, or the event did not happen within the run): no indices for it; {hint}",
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
    let mut pairs = None;
    match sweep.design {
        DesignKind::Sobol => {
            csv.push_str("metric,factor,S1,S1_low,S1_high,ST,ST_low,ST_high\n");
            for (m, name) in sweep.metrics.iter().enumerate().filter(|(m, _)| complete(*m)) {
                let y: Vec<f64> = metrics.iter().map(|r| r[m]).collect();
                for (f, idx) in sweep.factors.iter().zip(sensitivity::sobol(
                    &y,
                    sweep.samples,
                    d,
                    sweep.second_order,
                    1000,
                    sweep.seed,
                )) {
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
            if sweep.second_order {
                let mut text = String::from("metric,factor_j,factor_k,S2,S2_low,S2_high\n");
                for (m, name) in sweep.metrics.iter().enumerate().filter(|(m, _)| complete(*m)) {
                    let y: Vec<f64> = metrics.iter().map(|r| r[m]).collect();
                    for p in sensitivity::sobol_second_order(&y, sweep.samples, d, 1000, sweep.seed) {
                        text.push_str(&format!(
                            "{name},{},{},{:?},{:?},{:?}\n",
                            sweep.factors[p.j].name,
                            sweep.factors[p.k].name,
                            p.second,
                            p.second_low,
                            p.second_high
                        ));
                    }
                }
                pairs = Some(text);
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
    Ok(Analysis { indices: csv, second_order: pairs })
}

/// The factors of each metric ranked by total index (Sobol') or mu* (Morris), then the pairs
/// of a second-order design ranked by S2, for the terminal.
fn print_ranking(analysis: &Analysis) {
    print_ranked(&analysis.indices, 1, "factor");
    if let Some(pairs) = &analysis.second_order {
        print_ranked(pairs, 2, "interaction");
    }
}

/// Rows of an index table (metric, `names` name columns, then numbers) grouped by metric and
/// ranked by the table's key index (ST, mu_star or S2).
fn print_ranked(csv: &str, names: usize, what: &str) {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let key = header.iter().position(|h| matches!(*h, "ST" | "mu_star" | "S2")).unwrap_or(1 + names);
    let mut rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let value = |r: &Vec<&str>| r[key].parse::<f64>().unwrap_or(f64::NEG_INFINITY);
    rows.sort_by(|a, b| a[0].cmp(b[0]).then(value(b).total_cmp(&value(a))));
    let label = |r: &Vec<&str>| r[1..1 + names].join(" × ");
    let width = rows.iter().map(|r| label(r).chars().count()).max().unwrap_or(0);
    let mut metric = "";
    for r in &rows {
        if r[0] != metric {
            metric = r[0];
            println!("{metric}: {what} ranked by {}:", header[key]);
        }
        let cells: Vec<String> = header[1 + names..]
            .iter()
            .zip(&r[1 + names..])
            .map(|(h, v)| format!("{h} {:>7.3}", v.parse::<f64>().unwrap_or(f64::NAN)))
            .collect();
        println!("  {:<width$} {}", label(r), cells.join("  "));
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
/// Whether each run succeeded, and its metrics (NaN where empty).
fn read_metrics(path: &Path, n: usize) -> Result<(Vec<bool>, Vec<Vec<f64>>)> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let ok = cells.len() > n && cells[cells.len() - n - 1] == "ok";
            (
                ok,
                cells[cells.len().saturating_sub(n)..]
                    .iter()
                    .map(|c| c.parse().unwrap_or(f64::NAN))
                    .collect(),
            )
        })
        .unzip())
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
