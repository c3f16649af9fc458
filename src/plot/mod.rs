//! Figures from raphe's own output folders (`raphe plot`, `--plot`). Plotting reads outputs and
//! never simulates. SVG keeps text as text; PNG is rendered in pure Rust with the bundled font.
//! Every figure is written atomically: a failed plot leaves no image behind.

mod compare;
mod course;
pub mod data;
mod pkpd;
pub mod report;
mod stack;
mod sweeps;
pub mod theme;
mod trials;

use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use stack::{Axis, Panel};
use std::path::{Path, PathBuf};
use theme::{Scale, FONT};

pub use compare::DEFAULT_READOUTS;

/// Image format, from the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    pub fn of(path: &Path) -> Result<Format> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("svg") => Ok(Format::Svg),
            Some("png") => Ok(Format::Png),
            _ => Err(Error::input(
                path,
                "--out",
                None,
                "unknown image format",
                "a file name ending in .svg or .png",
            )),
        }
    }
}

/// Size and labelling of a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Width, mm (85 single column, 180 double column).
    pub width_mm: f64,
    /// Height, mm; by default from the number of panels.
    pub height_mm: Option<f64>,
    /// PNG resolution, dots per inch (SVG is laid out at 96 px per inch).
    pub dpi: f64,
    pub title: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options { width_mm: 180.0, height_mm: None, dpi: 300.0, title: None }
    }
}

impl Options {
    fn check(&self, out: &Path) -> Result<()> {
        Format::of(out)?;
        let bad = |field: &str, allowed: &str| Err(Error::input(out, field, None, "out of range", allowed));
        if !(60.0..=600.0).contains(&self.width_mm) {
            return bad("--width", "60 to 600 mm");
        }
        if let Some(h) = self.height_mm {
            if !(40.0..=1000.0).contains(&h) {
                return bad("--height", "40 to 1000 mm");
            }
        }
        if !(50.0..=1200.0).contains(&self.dpi) {
            return bad("--dpi", "50 to 1200");
        }
        Ok(())
    }
}

/// What a figure draws.
enum Drawing {
    Stack { axis: Axis, panels: Vec<Panel>, table: compare::Table },
    Chart(sweeps::Chart),
}

/// Which sweep figure, with its choices.
#[derive(Debug, Clone)]
pub enum SweepKind {
    /// The metric against a factor; lines for the levels of `by`, else median and 5–95% band.
    DoseResponse { factor: Option<String>, by: Option<String> },
    /// The metric over a grid of two factors.
    Heatmap { x: Option<String>, y: Option<String> },
    /// Histogram of the metric over runs.
    Distribution,
}

/// A figure of a sweep folder's runs.csv.
pub fn sweep(dir: &Path, kind: &SweepKind, metric: &str, out: &Path, options: &Options) -> Result<()> {
    options.check(out)?;
    let runs = sweeps::Sweep::read(dir)?;
    let name = runs.metric_title(metric);
    match kind {
        SweepKind::DoseResponse { factor, by } => {
            let (axis, panels) = sweeps::dose_response(&runs, metric, factor.as_deref(), by.as_deref())?;
            let title = options.title.clone().unwrap_or_else(|| format!("{name} against {}", axis.x_title));
            let height = options.height_mm.unwrap_or(sweeps::stack_height(&panels));
            write(out, options, height, &title, &Drawing::Stack { axis, panels, table: vec![] })
        }
        SweepKind::Heatmap { x, y } => {
            let chart = sweeps::heatmap(&runs, metric, x.as_deref(), y.as_deref())?;
            let title = options.title.clone().unwrap_or_else(|| name.clone());
            write(out, options, options.height_mm.unwrap_or(120.0), &title, &Drawing::Chart(chart))
        }
        SweepKind::Distribution => {
            let chart = sweeps::distribution(&runs, metric)?;
            let title = options.title.clone().unwrap_or_else(|| format!("Distribution of {name} over runs"));
            write(out, options, options.height_mm.unwrap_or(90.0), &title, &Drawing::Chart(chart))
        }
    }
}

/// The natural figures of a sweep folder, as SVG in `figures` (DIR/figures/, or a staging
/// folder the caller publishes): for every metric its
/// distribution and its response to the first factor, and a heatmap when the sweep is a grid
/// over two factors. Metrics no run reached are skipped and named in the second list.
pub fn sweep_figures(dir: &Path, figures: &Path) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let runs = sweeps::Sweep::read(dir)?;
    let figures = figures.to_path_buf();
    std::fs::create_dir_all(&figures).map_err(|cause| Error::Output { path: figures.clone(), cause })?;
    let (mut written, mut skipped) = (Vec::new(), Vec::new());
    let options = Options::default();
    for metric in &runs.metrics {
        let mut kinds = vec![
            ("distribution", SweepKind::Distribution),
            ("dose-response", SweepKind::DoseResponse { factor: None, by: None }),
        ];
        if runs.factors.len() == 2 {
            kinds.push(("heatmap", SweepKind::Heatmap { x: None, y: None }));
        }
        for (name, kind) in kinds {
            let out = figures.join(format!("{name}_{metric}.svg"));
            match sweep(dir, &kind, metric, &out, &options) {
                Ok(()) => written.push(out),
                Err(e) => skipped.push(format!("{name} of {metric}: {e}")),
            }
        }
    }
    Ok((written, skipped))
}

/// The figures of a cohort folder, as SVG in `figures`: Kaplan–Meier curves of survival from
/// motor onset and of spasm onset, and the distribution over patients of the headline metrics.
pub fn cohort_figures(dir: &Path, figures: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(figures).map_err(|cause| Error::Output { path: figures.to_path_buf(), cause })?;
    let options = Options::default();
    let mut written = Vec::new();
    for (table, curve, title) in [
        ("km_survival.csv", "survival from motor onset", "Kaplan-Meier survival from motor onset"),
        (
            "km_spasm_onset.csv",
            "free of spasms",
            "Kaplan-Meier time to spasm onset (from the start of neurodegeneration)",
        ),
    ] {
        let (axis, panels) = trials::kaplan_meier(&dir.join(table), curve)?;
        let out = figures.join(table.replace(".csv", ".svg"));
        write(&out, &options, 100.0, title, &Drawing::Stack { axis, panels, table: vec![] })?;
        written.push(out);
    }
    let patients = sweeps::Sweep::read_table(dir, "patients.csv")?;
    for metric in ["alsfrs_slope_per_month", "survival_from_motor_onset_months", "spasm_auc", "peak_spasm"] {
        if patients.metric_index(metric).is_err() {
            continue;
        }
        let chart = sweeps::distribution(&patients, metric)?;
        let out = figures.join(format!("distribution_{metric}.svg"));
        let title = format!("Distribution of {} over patients", patients.metric_title(metric));
        write(&out, &options, 90.0, &title, &Drawing::Chart(chart))?;
        written.push(out);
    }
    Ok(written)
}

/// The power curve of a trial folder that has power.csv, as SVG in `figures`.
pub fn trial_figures(dir: &Path, figures: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(figures).map_err(|cause| Error::Output { path: figures.to_path_buf(), cause })?;
    let file = dir.join("power.csv");
    if !file.exists() {
        return Ok(Vec::new());
    }
    let (axis, panels) = trials::power(&file)?;
    let out = figures.join("power.svg");
    let title = "Power against sample size (each point: the share of replicate trials with p < 0.05)";
    write(&out, &Options::default(), 100.0, title, &Drawing::Stack { axis, panels, table: vec![] })?;
    Ok(vec![out])
}

/// The sensitivity figure of every metric of a sensitivity folder, as SVG in `figures`.
pub fn sensitivity_figures(dir: &Path, figures: &Path, metrics: &[String]) -> Result<Vec<PathBuf>> {
    let figures = figures.to_path_buf();
    std::fs::create_dir_all(&figures).map_err(|cause| Error::Output { path: figures.clone(), cause })?;
    let mut written = Vec::new();
    for metric in metrics {
        let out = figures.join(format!("sensitivity_{metric}.svg"));
        if sensitivity(dir, Some(metric), &out, &Options::default()).is_ok() {
            written.push(out);
        }
    }
    Ok(written)
}

/// Sobol' S1/ST with intervals, or Morris mu*/sigma, ranked, from a sensitivity folder.
pub fn sensitivity(dir: &Path, metric: Option<&str>, out: &Path, options: &Options) -> Result<()> {
    options.check(out)?;
    let chart = sweeps::sensitivity(dir, metric)?;
    let n = match &chart {
        sweeps::Chart::Bars { labels, .. } => labels.len(),
        sweeps::Chart::Scatter { points, .. } => points.len().max(8),
        _ => 1,
    };
    let title = options.title.clone().unwrap_or_else(|| "Sensitivity".to_string());
    let height = options.height_mm.unwrap_or(30.0 + 9.0 * n as f64);
    write(out, options, height, &title, &Drawing::Chart(chart))
}

/// The disease course of one simulate folder.
pub fn course(dir: &Path, out: &Path, options: &Options) -> Result<()> {
    one_run(dir, out, options, course::build, 27.0, "Disease course")
}

/// The fine window of a simulate folder (`simulate --window`): levels, effects, side effects.
pub fn pkpd(dir: &Path, out: &Path, options: &Options) -> Result<()> {
    one_run(dir, out, options, pkpd::build, 30.0, "PK/PD")
}

/// The shared time axis and the panels of a stack figure.
type Stacked = (Axis, Vec<Panel>);

/// A stack figure of one simulate folder: `panel_mm` per panel, titled `what: scenario`.
fn one_run(
    dir: &Path,
    out: &Path,
    options: &Options,
    build: fn(&data::Run) -> Result<Stacked>,
    panel_mm: f64,
    what: &str,
) -> Result<()> {
    options.check(out)?;
    let run = data::Run::read(dir)?;
    let (axis, panels) = build(&run)?;
    let height = options.height_mm.unwrap_or(16.0 + panel_mm * panels.len() as f64);
    let title = options.title.clone().unwrap_or_else(|| format!("{what}: {}", run.label()));
    write(out, options, height, &title, &Drawing::Stack { axis, panels, table: vec![] })
}

/// Several simulate folders overlaid, with a table of their summary metrics.
pub fn compare(dirs: &[PathBuf], readouts: &[String], out: &Path, options: &Options) -> Result<()> {
    options.check(out)?;
    if dirs.len() < 2 {
        return Err(Error::input(
            out,
            "INPUT",
            None,
            "compare needs two or more simulate folders",
            "DIR DIR...",
        ));
    }
    let runs: Vec<data::Run> = dirs.iter().map(|d| data::Run::read(d)).collect::<Result<_>>()?;
    let (axis, panels, table) = compare::build(&runs, readouts)?;
    let height =
        options.height_mm.unwrap_or(16.0 + 26.0 * panels.len() as f64 + 5.0 * table.len() as f64 + 8.0);
    let title = options.title.clone().unwrap_or_else(|| "Comparison".to_string());
    write(out, options, height, &title, &Drawing::Stack { axis, panels, table })
}

/// Render `drawing` to `out` (format from the extension), atomically.
fn write(out: &Path, options: &Options, height_mm: f64, title: &str, drawing: &Drawing) -> Result<()> {
    let bytes = render(Format::of(out)?, options, height_mm, title, drawing)
        .map_err(|problem| Error::input(out, "", None, format!("cannot draw the figure: {problem}"), ""))?;
    crate::output::atomic::write(out, &bytes)
}

/// The figure's bytes in `format`.
fn render(
    format: Format,
    options: &Options,
    height_mm: f64,
    title: &str,
    drawing: &Drawing,
) -> std::result::Result<Vec<u8>, String> {
    theme::register_fonts();
    let dpi = match format {
        Format::Svg => 96.0,
        Format::Png => options.dpi,
    };
    let scale = Scale::new(dpi);
    let size = (scale.mm(options.width_mm) as u32, scale.mm(height_mm) as u32);
    match format {
        Format::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
                paint(&root, scale, title, drawing)?;
                root.present().map_err(|e| format!("{e:?}"))?;
            }
            Ok(text.into_bytes())
        }
        Format::Png => {
            let mut pixels = vec![255u8; size.0 as usize * size.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
                paint(&root, scale, title, drawing)?;
                root.present().map_err(|e| format!("{e:?}"))?;
            }
            encode_png(&pixels, size, dpi).map_err(|e| e.to_string())
        }
    }
}

/// The course figure of a simulate folder as SVG text (for the report).
pub(crate) fn course_svg(run: &data::Run) -> Result<String> {
    let (axis, panels) = course::build(run)?;
    let height = 16.0 + 27.0 * panels.len() as f64;
    let title = format!("Disease course: {}", run.label());
    let bytes = render(
        Format::Svg,
        &Options::default(),
        height,
        &title,
        &Drawing::Stack { axis, panels, table: vec![] },
    )
    .map_err(|p| Error::input(&run.dir, "", None, format!("cannot draw the figure: {p}"), ""))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The comparison figure of several simulate folders as SVG text (for the report).
pub(crate) fn compare_svg(runs: &[data::Run]) -> Result<String> {
    let readouts: Vec<String> = DEFAULT_READOUTS.iter().map(|s| s.to_string()).collect();
    let (axis, panels, table) = compare::build(runs, &readouts)?;
    let height = 16.0 + 26.0 * panels.len() as f64 + 5.0 * table.len() as f64 + 8.0;
    let bytes = render(
        Format::Svg,
        &Options::default(),
        height,
        "Comparison",
        &Drawing::Stack { axis, panels, table },
    )
    .map_err(|p| Error::input(&runs[0].dir, "", None, format!("cannot draw the figure: {p}"), ""))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// PNG bytes of an RGB buffer, with its resolution recorded (pHYs).
fn encode_png(pixels: &[u8], size: (u32, u32), dpi: f64) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, size.0, size.1);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let per_metre = (dpi / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: per_metre,
            yppu: per_metre,
            unit: png::Unit::Meter,
        }));
        let mut writer = encoder.write_header()?;
        writer.write_image_data(pixels)?;
    }
    Ok(bytes)
}

fn paint<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scale: Scale,
    title: &str,
    drawing: &Drawing,
) -> std::result::Result<(), String> {
    match drawing {
        Drawing::Chart(chart) => sweeps::draw(root, scale, title, chart),
        Drawing::Stack { axis, panels, table } => {
            if table.is_empty() {
                return stack::draw(root, scale, Some(title), axis, panels);
            }
            let (_, height) = root.dim_in_pixel();
            let table_h = scale.mm(5.0 * table.len() as f64 + 8.0) as u32;
            let (upper, lower) = root.split_vertically(height.saturating_sub(table_h));
            stack::draw(&upper, scale, Some(title), axis, panels)?;
            draw_table(&lower, scale, table)
        }
    }
}

/// A table of text: the first column left-aligned, the others centred in equal columns.
fn draw_table<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: Scale,
    rows: &[(String, Vec<String>)],
) -> std::result::Result<(), String> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{e:?}");
    area.fill(&WHITE).map_err(err)?;
    let (width, _) = area.dim_in_pixel();
    let font = (FONT, scale.pt(theme::TICK_PT)).into_font().color(&BLACK);
    let bold = (FONT, scale.pt(theme::TICK_PT)).into_font().style(FontStyle::Bold).color(&BLACK);
    let left = scale.mm(4.0);
    let first = scale.mm(52.0);
    let n = rows.first().map_or(1, |r| r.1.len().max(1)) as i32;
    let column = (width as i32 - left - first - scale.mm(4.0)) / n;
    for (i, (label, cells)) in rows.iter().enumerate() {
        let y = scale.mm(5.0) + i as i32 * scale.mm(5.0);
        let style = if i == 0 { bold.clone() } else { font.clone() };
        area.draw(&Text::new(
            label.clone(),
            (left, y),
            style.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        for (k, cell) in cells.iter().enumerate() {
            let x = left + first + column * k as i32 + column / 2;
            let text = fit(area, cell, &style, column - scale.mm(1.0));
            area.draw(&Text::new(text, (x, y), style.clone().pos(Pos::new(HPos::Center, VPos::Center))))
                .map_err(err)?;
        }
        if i == 0 {
            let line = PathElement::new(
                vec![(left, y + scale.mm(2.5)), (width as i32 - scale.mm(4.0), y + scale.mm(2.5))],
                theme::GREY.stroke_width(1),
            );
            area.draw(&line).map_err(err)?;
        }
    }
    Ok(())
}

/// `text`, shortened with an ellipsis until it fits `width` pixels.
fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    width: i32,
) -> String {
    let mut s: Vec<char> = text.chars().collect();
    loop {
        let candidate: String = if s.len() < text.chars().count() {
            s.iter().collect::<String>() + "…"
        } else {
            s.iter().collect()
        };
        let fits = area.estimate_text_size(&candidate, style).map(|(w, _)| w as i32 <= width).unwrap_or(true);
        if fits || s.len() <= 3 {
            return candidate;
        }
        s.pop();
    }
}
