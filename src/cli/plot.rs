//! `raphe plot` and `--plot`: figures from output folders (the library draws; this only parses).

use anyhow::Result;
use raphe::plot::{self, Options};
use std::path::{Path, PathBuf};

/// Figure kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// The disease course of one simulate folder: mechanism to clinic on one time axis.
    Course,
    /// Several simulate folders overlaid (readouts, side effects) with a table of summary metrics.
    Compare,
    /// The fine window of a simulate folder (`simulate --window`): plasma and CSF levels,
    /// excitability, spasms and side effects over hours, doses marked.
    Pkpd,
    /// A sweep folder: the metric against a factor (lines per level of --by, or median and
    /// 5-95% band over the other factors).
    DoseResponse,
    /// A grid sweep folder: the metric over two factors, with a colour bar.
    Heatmap,
    /// A sweep folder: histogram of the metric over runs (failed runs counted).
    Distribution,
    /// A sensitivity folder: Sobol' S1 and ST with intervals, or Morris mu* and sigma, ranked.
    Sensitivity,
}

#[derive(clap::Args)]
pub struct PlotArgs {
    /// What to draw.
    #[arg(value_enum)]
    pub kind: Kind,
    /// Output folders of `raphe simulate` (one for course, two or more for compare).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Image file; the format follows the extension (.svg or .png).
    #[arg(long)]
    pub out: PathBuf,
    /// Width in mm (85: journal single column, 180: double column).
    #[arg(long, default_value_t = 180.0)]
    pub width: f64,
    /// Height in mm (default: from the number of panels).
    #[arg(long)]
    pub height: Option<f64>,
    /// PNG resolution, dots per inch.
    #[arg(long, default_value_t = 300.0)]
    pub dpi: f64,
    /// Figure title (default: from the scenario).
    #[arg(long)]
    pub title: Option<String>,
    /// compare: a trajectory column to draw (repeatable; default spasms_per_hour, ashworth,
    /// alsfrs_r, fvc); side effects are added when any run has them.
    #[arg(long = "readout")]
    pub readouts: Vec<String>,
    /// Sweep kinds: the metric (a runs.csv column; sensitivity: default the first).
    #[arg(long)]
    pub metric: Option<String>,
    /// dose-response: the factor on the x axis (default the first); heatmap: its x factor.
    #[arg(long)]
    pub factor: Option<String>,
    /// dose-response: one line per level of this factor; heatmap: its y factor.
    #[arg(long)]
    pub by: Option<String>,
}

pub fn run(args: PlotArgs) -> Result<()> {
    let options = Options { width_mm: args.width, height_mm: args.height, dpi: args.dpi, title: args.title };
    match args.kind {
        Kind::Course => {
            plot::course(one_input(&args.inputs, "simulate")?, &args.out, &options)?;
        }
        Kind::Pkpd => plot::pkpd(one_input(&args.inputs, "simulate")?, &args.out, &options)?,
        Kind::Compare => {
            let readouts: Vec<String> = if args.readouts.is_empty() {
                plot::DEFAULT_READOUTS.iter().map(|s| s.to_string()).collect()
            } else {
                args.readouts
            };
            plot::compare(&args.inputs, &readouts, &args.out, &options)?;
        }
        Kind::DoseResponse | Kind::Heatmap | Kind::Distribution => {
            let dir = one_input(&args.inputs, "sweep")?;
            let metric = args
                .metric
                .as_deref()
                .ok_or_else(|| anyhow::anyhow!("--metric is required (a metric column of runs.csv)"))?;
            let kind = match args.kind {
                Kind::DoseResponse => plot::SweepKind::DoseResponse { factor: args.factor, by: args.by },
                Kind::Heatmap => plot::SweepKind::Heatmap { x: args.factor, y: args.by },
                _ => plot::SweepKind::Distribution,
            };
            plot::sweep(dir, &kind, metric, &args.out, &options)?;
        }
        Kind::Sensitivity => {
            plot::sensitivity(
                one_input(&args.inputs, "sensitivity")?,
                args.metric.as_deref(),
                &args.out,
                &options,
            )?;
        }
    }
    println!("wrote {}", args.out.display());
    Ok(())
}

/// `raphe report`.
pub fn report(dirs: &[PathBuf], out: &Path) -> Result<()> {
    raphe::plot::report::write(dirs, out)?;
    println!("wrote {}", out.display());
    Ok(())
}

/// The one input folder a kind takes.
fn one_input<'a>(inputs: &'a [PathBuf], what: &str) -> Result<&'a Path> {
    match inputs {
        [one] => Ok(one),
        _ => anyhow::bail!("this kind takes one {what} folder ({} given)", inputs.len()),
    }
}

/// `simulate --plot`: the course figure as SVG and PNG in `figures`.
pub fn simulate_figures(dir: &Path, figures: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(figures)?;
    let mut written = Vec::new();
    for name in ["course.svg", "course.png"] {
        let out = figures.join(name);
        plot::course(dir, &out, &Options::default())?;
        written.push(out);
    }
    Ok(written)
}
