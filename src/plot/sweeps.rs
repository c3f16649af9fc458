//! Figures of sweep and sensitivity folders: a metric against a factor (`dose-response`), over
//! two factors (`heatmap`), its distribution over runs (`distribution`), and Sobol' or Morris
//! indices (`sensitivity`). Reads runs.csv, sensitivity.csv and manifest.json; never simulates.

use super::stack::{extent, format_tick, Axis, Panel, Series};
use super::theme::{self, series_colour, Scale, FONT};
use crate::error::{Error, Result};
use crate::stats::quantile;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The runs of a sweep folder: factor columns (name, unit), metric columns, status per run.
pub struct Sweep {
    pub dir: PathBuf,
    /// The table's file name in `dir`.
    pub table: String,
    pub factors: Vec<(String, String)>,
    pub metrics: Vec<String>,
    /// Per run: factor values, metric values (None: empty cell), whether the run succeeded.
    pub rows: Vec<(Vec<f64>, Vec<Option<f64>>, bool)>,
    pub metric_units: Value,
}

fn bad(file: &Path, field: &str, problem: impl Into<String>, allowed: &str) -> Error {
    Error::input(file, field, None, problem, allowed)
}

impl Sweep {
    pub fn read(dir: &Path) -> Result<Sweep> {
        Self::read_table(dir, "runs.csv")
    }

    /// A table of runs by another name (`patients.csv` of a cohort: the same layout).
    pub fn read_table(dir: &Path, name: &str) -> Result<Sweep> {
        let file = dir.join(name);
        let (mut reader, header) = super::data::open_csv(&file, "the folder written by `raphe sweep --out`")?;
        let status = header
            .iter()
            .position(|h| h == "status")
            .ok_or_else(|| bad(&file, "status", "no status column", "runs.csv of raphe sweep"))?;
        let factors: Vec<(String, String)> = header[1..status]
            .iter()
            .map(|h| match h.split_once(" [") {
                Some((name, unit)) => (name.to_string(), unit.trim_end_matches(']').to_string()),
                None => (h.clone(), "1".to_string()),
            })
            .collect();
        let metrics: Vec<String> = header[status + 1..].to_vec();
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| bad(&file, &format!("row {}", i + 1), e.to_string(), "CSV"))?;
            let num = |s: &str| s.parse::<f64>().ok();
            let f: Vec<f64> = (1..status).map(|k| num(&record[k]).unwrap_or(f64::NAN)).collect();
            let m: Vec<Option<f64>> = (status + 1..header.len()).map(|k| num(&record[k])).collect();
            rows.push((f, m, &record[status] == "ok"));
        }
        let manifest: Value = std::fs::read_to_string(dir.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        Ok(Sweep {
            dir: dir.to_path_buf(),
            table: name.to_string(),
            factors,
            metrics,
            rows,
            metric_units: manifest["metric_units"].clone(),
        })
    }

    fn runs_csv(&self) -> PathBuf {
        self.dir.join(&self.table)
    }

    /// What a row is: a patient of a cohort, else a run.
    pub fn row_noun(&self) -> &'static str {
        if self.table == "patients.csv" {
            "patients"
        } else {
            "runs"
        }
    }

    pub fn metric_index(&self, name: &str) -> Result<usize> {
        self.metrics.iter().position(|m| m == name).ok_or_else(|| {
            bad(
                &self.runs_csv(),
                name,
                format!("no metric `{name}`"),
                &format!("one of {}", self.metrics.join(", ")),
            )
        })
    }

    pub fn factor_index(&self, name: &str) -> Result<usize> {
        self.factors.iter().position(|(f, _)| f == name).ok_or_else(|| {
            let names: Vec<&str> = self.factors.iter().map(|(f, _)| f.as_str()).collect();
            bad(
                &self.runs_csv(),
                name,
                format!("no factor `{name}`"),
                &format!("one of {}", names.join(", ")),
            )
        })
    }

    /// The metric's axis title with its unit.
    pub fn metric_title(&self, name: &str) -> String {
        match self.metric_units[name].as_str() {
            Some(u) if u != "1" => format!("{name} ({u})"),
            _ => name.to_string(),
        }
    }

    /// A legend label for one level of factor `k`: its last name part, value and unit.
    pub fn short_level(&self, k: usize, value: f64) -> String {
        let (name, unit) = &self.factors[k];
        let short = name.rsplit('.').next().unwrap_or(name);
        if unit == "1" {
            format!("{short} {}", format_tick(value))
        } else {
            format!("{short} {} {unit}", format_tick(value))
        }
    }

    pub fn factor_title(&self, k: usize) -> String {
        let (name, unit) = &self.factors[k];
        if unit == "1" {
            name.clone()
        } else {
            format!("{name} ({unit})")
        }
    }

    /// (factor values, metric value) of the successful runs that have the metric; error if none.
    fn points(&self, metric: usize) -> Result<Vec<(Vec<f64>, f64)>> {
        let points: Vec<(Vec<f64>, f64)> = self
            .rows
            .iter()
            .filter(|r| r.2)
            .filter_map(|(f, m, _)| m[metric].map(|v| (f.clone(), v)))
            .collect();
        if points.is_empty() {
            return Err(bad(
                &self.runs_csv(),
                &self.metrics[metric],
                "no successful run has this metric",
                "a sweep with at least one run that reached it",
            ));
        }
        Ok(points)
    }

    fn failed(&self) -> usize {
        self.rows.iter().filter(|r| !r.2).count()
    }
}

/// Distinct values of a factor (grid levels), sorted; None when there are more than `max`.
fn levels(values: impl Iterator<Item = f64>, max: usize) -> Option<Vec<f64>> {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v.dedup_by(|a, b| (*a - *b).abs() <= 1e-9 * b.abs().max(1e-300));
    (v.len() <= max).then_some(v)
}

/// `dose-response`: the metric against `factor`; one line per level of `by` when given (or
/// when the sweep is a grid over exactly two factors), else the median with a 5–95% band over
/// the other factors, in bins of the factor.
pub fn dose_response(
    sweep: &Sweep,
    metric: &str,
    factor: Option<&str>,
    by: Option<&str>,
) -> Result<(Axis, Vec<Panel>)> {
    let m = sweep.metric_index(metric)?;
    let x = match factor {
        Some(f) => sweep.factor_index(f)?,
        None => 0,
    };
    if sweep.factors.is_empty() {
        return Err(bad(&sweep.runs_csv(), "factor", "the sweep has no factor", "a sweep with factors"));
    }
    let points = sweep.points(m)?;
    let by = match by {
        Some(b) => Some(sweep.factor_index(b)?),
        None if sweep.factors.len() == 2 => Some(1 - x),
        None => None,
    };
    let mut series = Vec::new();
    let by_levels = by.and_then(|b| levels(points.iter().map(|p| p.0[b]), 8));
    let legend_title = match (by, &by_levels) {
        (Some(b), Some(_)) => format!("by {}", sweep.factors[b].0.rsplit('.').next().unwrap_or_default()),
        _ => "over the other factors".to_string(),
    };
    match (by, by_levels) {
        (Some(b), Some(groups)) => {
            for (k, g) in groups.iter().enumerate() {
                let mut xy: Vec<(f64, f64)> = points
                    .iter()
                    .filter(|p| (p.0[b] - g).abs() <= 1e-9 * g.abs().max(1e-300))
                    .map(|p| (p.0[x], p.1))
                    .collect();
                xy.sort_by(|a, c| a.0.total_cmp(&c.0));
                let label = sweep.short_level(b, *g);
                let mut s = Series::line(
                    label,
                    xy.iter().map(|p| p.0).collect(),
                    xy.iter().map(|p| p.1).collect(),
                    series_colour(k),
                );
                s.dashed = k % 2 == 1;
                series.push(s);
            }
        }
        _ => {
            // Bins of the factor (its levels when few), median and 5–95% of the metric in each.
            let xs: Vec<f64> = points.iter().map(|p| p.0[x]).collect();
            let centres = levels(xs.iter().copied(), 12).unwrap_or_else(|| {
                let (lo, hi) = extent(xs.iter().copied());
                (0..12).map(|i| lo + (i as f64 + 0.5) * (hi - lo) / 12.0).collect()
            });
            let width = if centres.len() > 1 { (centres[1] - centres[0]).abs() } else { 1.0 };
            let (mut cx, mut med, mut low, mut high) = (vec![], vec![], vec![], vec![]);
            for c in &centres {
                let mut v: Vec<f64> = points
                    .iter()
                    .filter(|p| (p.0[x] - c).abs() <= width / 2.0 + 1e-12)
                    .map(|p| p.1)
                    .collect();
                if v.is_empty() {
                    continue;
                }
                v.sort_by(f64::total_cmp);
                cx.push(*c);
                med.push(quantile(&v, 0.5));
                low.push(quantile(&v, 0.05));
                high.push(quantile(&v, 0.95));
            }
            let mut band =
                Series::line("5-95% of runs", cx.clone(), high, theme::tint(series_colour(0), 0.6)).dashed();
            band.band_from = Some(low);
            series.push(Series::line("median", cx, med, series_colour(0)));
            series.push(band);
        }
    }
    let xs: Vec<f64> = points.iter().map(|p| p.0[x]).collect();
    let (lo, hi) = extent(xs.iter().copied());
    let pad = if hi > lo { 0.0 } else { 1.0 };
    let mut panel =
        Panel { title: legend_title, y_title: sweep.metric_title(metric), series, ..Panel::default() };
    if sweep.failed() > 0 {
        panel.title = format!("{} ({} failed left out)", panel.title, sweep.failed());
    }
    let axis = Axis {
        x_title: sweep.factor_title(x),
        x_range: (lo - pad, hi + pad),
        events: vec![],
        shades: vec![],
    };
    Ok((axis, vec![panel]))
}

/// One bar: value, interval low, interval high.
pub type Bar = (f64, f64, f64);

/// What the single-chart kinds draw.
pub enum Chart {
    Heatmap {
        x_title: String,
        y_title: String,
        xs: Vec<f64>,
        ys: Vec<f64>,
        cells: Vec<Vec<Option<f64>>>,
        scale_title: String,
    },
    Histogram {
        x_title: String,
        /// What the counts count (runs, patients).
        y_title: &'static str,
        edges: Vec<f64>,
        counts: Vec<usize>,
        caption: String,
    },
    Bars {
        x_title: String,
        labels: Vec<String>,
        bars: Vec<(String, Vec<Bar>)>,
    },
    /// Morris: sigma against mu*, one marker per factor, named in the legend.
    Scatter {
        x_title: String,
        y_title: String,
        points: Vec<(String, f64, f64)>,
    },
}

/// `heatmap`: the metric over a grid of two factors.
pub fn heatmap(sweep: &Sweep, metric: &str, x: Option<&str>, y: Option<&str>) -> Result<Chart> {
    let m = sweep.metric_index(metric)?;
    if sweep.factors.len() < 2 {
        return Err(bad(
            &sweep.runs_csv(),
            "factor",
            "a heatmap needs two factors",
            "a grid sweep over two factors",
        ));
    }
    let xi = x.map(|f| sweep.factor_index(f)).transpose()?.unwrap_or(0);
    let yi = y.map(|f| sweep.factor_index(f)).transpose()?.unwrap_or(if xi == 0 { 1 } else { 0 });
    let points = sweep.points(m)?;
    let grid = |k: usize| {
        levels(sweep.rows.iter().map(|r| r.0[k]), 64).ok_or_else(|| {
            bad(
                &sweep.runs_csv(),
                &sweep.factors[k].0,
                "more than 64 distinct values",
                "a grid sweep (design = \"grid\")",
            )
        })
    };
    let (xs, ys) = (grid(xi)?, grid(yi)?);
    let index = |v: f64, l: &[f64]| l.iter().position(|g| (g - v).abs() <= 1e-9 * g.abs().max(1e-300));
    let mut cells = vec![vec![None; xs.len()]; ys.len()];
    for (f, v) in &points {
        if let (Some(i), Some(j)) = (index(f[xi], &xs), index(f[yi], &ys)) {
            cells[j][i] = Some(*v);
        }
    }
    Ok(Chart::Heatmap {
        x_title: sweep.factor_title(xi),
        y_title: sweep.factor_title(yi),
        xs,
        ys,
        cells,
        scale_title: sweep.metric_title(metric),
    })
}

/// `distribution`: a histogram of the metric over runs; failed runs and runs without the
/// metric counted in the caption.
pub fn distribution(sweep: &Sweep, metric: &str) -> Result<Chart> {
    let m = sweep.metric_index(metric)?;
    let points = sweep.points(m)?;
    let values: Vec<f64> = points.iter().map(|p| p.1).collect();
    let (lo, hi) = extent(values.iter().copied());
    let n = ((values.len() as f64).sqrt().ceil() as usize).clamp(5, 40);
    let width = if hi > lo { (hi - lo) / n as f64 } else { 1.0 };
    let edges: Vec<f64> = (0..=n).map(|i| lo + i as f64 * width).collect();
    let mut counts = vec![0; n];
    for v in &values {
        counts[(((v - lo) / width) as usize).min(n - 1)] += 1;
    }
    let missing = sweep.rows.iter().filter(|r| r.2).count() - values.len();
    let caption = format!(
        "{} {}; {} failed; {} without a value",
        sweep.rows.len(),
        sweep.row_noun(),
        sweep.failed(),
        missing
    );
    Ok(Chart::Histogram {
        x_title: sweep.metric_title(metric),
        y_title: sweep.row_noun(),
        edges,
        counts,
        caption,
    })
}

/// `sensitivity`: Sobol' S1 and ST with their intervals, or Morris μ* and σ, ranked.
pub fn sensitivity(dir: &Path, metric: Option<&str>) -> Result<Chart> {
    let file = dir.join("sensitivity.csv");
    let (mut reader, header) =
        super::data::open_csv(&file, "the folder written by `raphe sensitivity --out`")?;
    let rows: Vec<Vec<String>> =
        reader.records().filter_map(|r| r.ok()).map(|r| r.iter().map(str::to_string).collect()).collect();
    let metric = match metric {
        Some(m) => m.to_string(),
        None => rows.first().map(|r| r[0].clone()).ok_or_else(|| bad(&file, "", "no rows", "indices"))?,
    };
    let rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == metric).collect();
    if rows.is_empty() {
        return Err(bad(
            &file,
            &metric,
            format!("no indices for `{metric}`"),
            "a metric of the sensitivity run",
        ));
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let num = |r: &Vec<String>, k: usize| r[k].parse::<f64>().unwrap_or(f64::NAN);
    let (names, x_title): (Vec<(&str, [&str; 3])>, String) = if col("ST").is_some() {
        (
            vec![("S1", ["S1", "S1_low", "S1_high"]), ("ST", ["ST", "ST_low", "ST_high"])],
            format!("Sobol' index of {metric} (95% interval)"),
        )
    } else {
        (
            vec![("mu*", ["mu_star", "mu_star_low", "mu_star_high"]), ("sigma", ["sigma", "sigma", "sigma"])],
            format!("Morris elementary effects of {metric} (mu* with 95% interval)"),
        )
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    // Ranked by ST (Sobol) or mu* (Morris).
    let rank = col(if names[0].0 == "S1" { "ST" } else { "mu_star" }).unwrap_or(2);
    order.sort_by(|&a, &b| num(rows[b], rank).total_cmp(&num(rows[a], rank)));
    let labels: Vec<String> =
        order.iter().map(|&i| rows[i][1].trim_start_matches("model.").to_string()).collect();
    if let (Some(mu), Some(sigma)) = (col("mu_star"), col("sigma")) {
        let points = order
            .iter()
            .zip(&labels)
            .map(|(&i, l)| (l.clone(), num(rows[i], mu), num(rows[i], sigma)))
            .collect();
        return Ok(Chart::Scatter {
            x_title: format!("mu* of {metric} (mean absolute elementary effect)"),
            y_title: "sigma (interactions, non-linearity)".into(),
            points,
        });
    }
    let bars = names
        .iter()
        .map(|(label, cols)| {
            let k: Vec<usize> = cols.iter().map(|c| col(c).unwrap_or(2)).collect();
            (
                label.to_string(),
                order.iter().map(|&i| (num(rows[i], k[0]), num(rows[i], k[1]), num(rows[i], k[2]))).collect(),
            )
        })
        .collect();
    Ok(Chart::Bars { x_title, labels, bars })
}

type DrawResult = std::result::Result<(), String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// A perceptually ordered blue-to-yellow scale (viridis-like anchors), t in [0, 1].
fn colour_scale(t: f64) -> RGBColor {
    const ANCHORS: [(u8, u8, u8); 5] =
        [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)];
    let t = t.clamp(0.0, 1.0) * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + f * (b as f64 - a as f64)).round() as u8;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Draw a single-chart figure.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: Scale,
    title: &str,
    chart: &Chart,
) -> DrawResult {
    area.fill(&WHITE).map_err(err)?;
    let bold = (FONT, scale.pt(theme::TITLE_PT)).into_font().style(FontStyle::Bold).color(&BLACK);
    area.draw(&Text::new(title.to_string(), (scale.mm(2.0), scale.mm(1.5)), bold)).map_err(err)?;
    let body = area.margin(scale.mm(8.0), scale.mm(2.0), scale.mm(2.0), scale.mm(2.0));
    let tick = (FONT, scale.pt(theme::TICK_PT)).into_font().color(&BLACK);
    let label = (FONT, scale.pt(theme::LABEL_PT)).into_font().color(&BLACK);
    match chart {
        Chart::Histogram { x_title, y_title, edges, counts, caption } => {
            let top = *counts.iter().max().unwrap_or(&1) as f64 * 1.1;
            let mut c = ChartBuilder::on(&body)
                .margin_left(scale.mm(3.0))
                .margin_right(scale.mm(4.0))
                .x_label_area_size(scale.mm(14.0))
                .y_label_area_size(scale.mm(14.0))
                .build_cartesian_2d(edges[0]..edges[edges.len() - 1], 0.0..top.max(1.0))
                .map_err(err)?;
            c.configure_mesh()
                .disable_x_mesh()
                .bold_line_style(theme::LIGHT_GREY.stroke_width(1))
                .light_line_style(TRANSPARENT)
                .label_style(tick.clone())
                .axis_desc_style(label.clone())
                .x_desc(x_title.as_str())
                .y_desc(*y_title)
                .x_labels(6)
                .y_labels(5)
                .x_label_formatter(&|v| format_tick(*v))
                .y_label_formatter(&|v| format_tick(*v))
                .draw()
                .map_err(err)?;
            let bars = counts.iter().enumerate().flat_map(|(i, n)| {
                let corners = [(edges[i], 0.0), (edges[i + 1], *n as f64)];
                [
                    Rectangle::new(corners, series_colour(0).mix(0.7).filled()),
                    Rectangle::new(corners, WHITE.stroke_width(scale.stroke(0.5))),
                ]
            });
            c.draw_series(bars).map_err(err)?;
            let w = area.dim_in_pixel().0;
            let style = tick.clone().color(&theme::GREY).pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Right,
                plotters::style::text_anchor::VPos::Top,
            ));
            area.draw(&Text::new(caption.clone(), (w as i32 - scale.mm(3.0), scale.mm(2.0)), style))
                .map_err(err)?;
        }
        Chart::Heatmap { x_title, y_title, xs, ys, cells, scale_title } => {
            let (lo, hi) = extent(cells.iter().flatten().flatten().copied());
            let span = if hi > lo { hi - lo } else { 1.0 };
            let (plot, bar) =
                body.split_horizontally(body.dim_in_pixel().0.saturating_sub(scale.mm(34.0) as u32));
            let n = (xs.len() as f64, ys.len() as f64);
            let mut c = ChartBuilder::on(&plot)
                .margin_left(scale.mm(3.0))
                .x_label_area_size(scale.mm(14.0))
                .y_label_area_size(scale.mm(18.0))
                .build_cartesian_2d(0.0..n.0, 0.0..n.1)
                .map_err(err)?;
            let (xl, yl) = (xs.clone(), ys.clone());
            c.configure_mesh()
                .disable_mesh()
                .label_style(tick.clone())
                .axis_desc_style(label.clone())
                .x_desc(x_title.as_str())
                .y_desc(y_title.as_str())
                .x_labels(xs.len().min(12) * 2 + 1)
                .y_labels(ys.len().min(12) * 2 + 1)
                .x_label_formatter(&move |v| cell_label(*v, &xl))
                .y_label_formatter(&move |v| cell_label(*v, &yl))
                .draw()
                .map_err(err)?;
            for (j, row) in cells.iter().enumerate() {
                for (i, v) in row.iter().enumerate() {
                    let colour = v.map_or(theme::LIGHT_GREY, |v| colour_scale((v - lo) / span));
                    let rect = Rectangle::new(
                        [(i as f64, j as f64), (i as f64 + 1.0, j as f64 + 1.0)],
                        colour.filled(),
                    );
                    c.draw_series(std::iter::once(rect)).map_err(err)?;
                }
            }
            // Colour bar with its unit.
            let mut cb = ChartBuilder::on(&bar)
                .margin_top(scale.mm(2.0))
                .margin_right(scale.mm(14.0))
                .x_label_area_size(scale.mm(14.0))
                .y_label_area_size(scale.mm(2.0))
                .right_y_label_area_size(scale.mm(12.0))
                .build_cartesian_2d(0.0..1.0, lo..lo + span)
                .map_err(err)?
                .set_secondary_coord(0.0..1.0, lo..lo + span);
            cb.configure_mesh().disable_mesh().disable_x_axis().disable_y_axis().draw().map_err(err)?;
            cb.configure_secondary_axes()
                .label_style(tick.clone())
                .axis_desc_style(label.clone())
                .y_desc(scale_title.as_str())
                .y_labels(5)
                .y_label_formatter(&|v| format_tick(*v))
                .draw()
                .map_err(err)?;
            let steps = 64;
            let strips = (0..steps).map(|k| {
                let (a, b) = (lo + span * k as f64 / steps as f64, lo + span * (k + 1) as f64 / steps as f64);
                Rectangle::new([(0.0, a), (1.0, b)], colour_scale((k as f64 + 0.5) / steps as f64).filled())
            });
            cb.draw_series(strips).map_err(err)?;
        }
        Chart::Scatter { x_title, y_title, points } => {
            let top = |f: fn(&(String, f64, f64)) -> f64| {
                points.iter().map(f).filter(|v| v.is_finite()).fold(0.0, f64::max)
            };
            let (xmax, ymax) = (top(|p| p.1) * 1.1, top(|p| p.2) * 1.1);
            let (plot, legend) =
                body.split_horizontally(body.dim_in_pixel().0.saturating_sub(scale.mm(48.0) as u32));
            let mut c = ChartBuilder::on(&plot)
                .margin_left(scale.mm(3.0))
                .margin_right(scale.mm(3.0))
                .x_label_area_size(scale.mm(14.0))
                .y_label_area_size(scale.mm(16.0))
                .build_cartesian_2d(0.0..xmax.max(1e-9), 0.0..ymax.max(1e-9))
                .map_err(err)?;
            c.configure_mesh()
                .bold_line_style(theme::LIGHT_GREY.stroke_width(1))
                .light_line_style(TRANSPARENT)
                .label_style(tick.clone())
                .axis_desc_style(label.clone())
                .x_desc(x_title.as_str())
                .y_desc(y_title.as_str())
                .x_labels(6)
                .y_labels(6)
                .x_label_formatter(&|v| format_tick(*v))
                .y_label_formatter(&|v| format_tick(*v))
                .draw()
                .map_err(err)?;
            let r = scale.mm(1.2) as u32;
            for (k, (_, x, y)) in points.iter().enumerate() {
                let marker = Circle::new((*x, *y), r, series_colour(k).filled());
                c.draw_series(std::iter::once(marker)).map_err(err)?;
            }
            let style = tick.clone().pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            ));
            for (k, (name, _, _)) in points.iter().enumerate() {
                let y = scale.mm(4.0) + k as i32 * scale.mm(4.0);
                legend.draw(&Circle::new((scale.mm(3.0), y), r, series_colour(k).filled())).map_err(err)?;
                legend.draw(&Text::new(name.clone(), (scale.mm(5.5), y), style.clone())).map_err(err)?;
            }
        }
        Chart::Bars { x_title, labels, bars } => {
            let top = bars
                .iter()
                .flat_map(|(_, b)| b.iter().map(|v| v.2.max(v.0)))
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            let bottom = bars
                .iter()
                .flat_map(|(_, b)| b.iter().map(|v| v.1))
                .filter(|v| v.is_finite())
                .fold(0.0, f64::min);
            let n = labels.len() as f64;
            let lab = labels.clone();
            let (plot, legend) =
                body.split_horizontally(body.dim_in_pixel().0.saturating_sub(scale.mm(22.0) as u32));
            let mut c = ChartBuilder::on(&plot)
                .margin_right(scale.mm(3.0))
                .x_label_area_size(scale.mm(14.0))
                .y_label_area_size(scale.mm(48.0))
                .build_cartesian_2d(bottom..(top * 1.08).max(bottom + 1e-9), 0.0..n)
                .map_err(err)?;
            c.configure_mesh()
                .disable_y_mesh()
                .bold_line_style(theme::LIGHT_GREY.stroke_width(1))
                .light_line_style(TRANSPARENT)
                .label_style(tick.clone())
                .axis_desc_style(label.clone())
                .x_desc(x_title.as_str())
                .x_labels(6)
                .x_label_formatter(&|v| format_tick(*v))
                .y_labels(labels.len() * 2 + 1)
                // Labels at bar centres, top-ranked first.
                .y_label_formatter(&move |v| {
                    cell_index(n - v, lab.len()).map_or(String::new(), |k| lab[k].clone())
                })
                .draw()
                .map_err(err)?;
            let h = 0.8 / bars.len() as f64;
            for (s, (_, values)) in bars.iter().enumerate() {
                let colour = series_colour(s);
                for (k, (v, lo_, hi_)) in values.iter().enumerate() {
                    let y0 = n - k as f64 - 0.9 + s as f64 * h;
                    let rect = Rectangle::new([(0.0, y0), (*v, y0 + h)], colour.mix(0.8).filled());
                    c.draw_series(std::iter::once(rect)).map_err(err)?;
                    if (hi_ - lo_).abs() > 0.0 {
                        let mid = y0 + h / 2.0;
                        let whisker = PathElement::new(
                            vec![(*lo_, mid), (*hi_, mid)],
                            BLACK.stroke_width(scale.stroke(0.6)),
                        );
                        c.draw_series(std::iter::once(whisker)).map_err(err)?;
                    }
                }
            }
            let style = label.clone().pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            ));
            for (s, (name, _)) in bars.iter().enumerate() {
                let y = scale.mm(4.0) + s as i32 * scale.mm(4.5);
                let swatch = Rectangle::new(
                    [(scale.mm(1.0), y - scale.mm(1.2)), (scale.mm(5.0), y + scale.mm(1.2))],
                    series_colour(s).mix(0.8).filled(),
                );
                legend.draw(&swatch).map_err(err)?;
                legend.draw(&Text::new(name.clone(), (scale.mm(6.5), y), style.clone())).map_err(err)?;
            }
        }
    }
    Ok(())
}

/// Tick label at cell centres (k + 0.5) of a grid axis; empty elsewhere.
fn cell_label(v: f64, levels: &[f64]) -> String {
    cell_index(v, levels.len()).map_or(String::new(), |k| format_tick(levels[k]))
}

/// The cell k when v is at its centre k + 0.5 (k < len); None between centres.
fn cell_index(v: f64, len: usize) -> Option<usize> {
    let k = (v - 0.5).round();
    ((v - 0.5 - k).abs() < 0.01 && k >= 0.0 && (k as usize) < len).then_some(k as usize)
}

/// Figure height (mm) of the stack layout of `dose-response`.
pub fn stack_height(panels: &[Panel]) -> f64 {
    30.0 + 60.0 * panels.len() as f64
}
