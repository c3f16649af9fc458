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
}

pub fn run(args: PlotArgs) -> Result<()> {
    let options = Options { width_mm: args.width, height_mm: args.height, dpi: args.dpi, title: args.title };
    match args.kind {
        Kind::Course => {
            if args.inputs.len() != 1 {
                anyhow::bail!("plot course takes one simulate folder ({} given)", args.inputs.len());
            }
            plot::course(&args.inputs[0], &args.out, &options)?;
        }
        Kind::Compare => {
            let readouts: Vec<String> = if args.readouts.is_empty() {
                plot::DEFAULT_READOUTS.iter().map(|s| s.to_string()).collect()
            } else {
                args.readouts
            };
            plot::compare(&args.inputs, &readouts, &args.out, &options)?;
        }
    }
    println!("wrote {}", args.out.display());
    Ok(())
}

/// `simulate --plot`: the course figure as SVG and PNG in DIR/figures/.
pub fn simulate_figures(dir: &Path) -> Result<Vec<PathBuf>> {
    let figures = dir.join("figures");
    std::fs::create_dir_all(&figures)?;
    let mut written = Vec::new();
    for name in ["course.svg", "course.png"] {
        let out = figures.join(name);
        plot::course(dir, &out, &Options::default())?;
        written.push(out);
    }
    Ok(written)
}
