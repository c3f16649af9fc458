//! Panels stacked on one time axis: the layout every trajectory figure shares. Legends sit in a
//! column right of the data, event labels in a strip above it, so neither covers a curve.

use super::theme::{self, Scale, FONT};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One curve of a panel.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub colour: RGBColor,
    pub dashed: bool,
    /// Fill between this lower curve and `ys` (same xs), in the series colour.
    pub band_from: Option<Vec<f64>>,
}

impl Series {
    pub fn line(label: impl Into<String>, xs: Vec<f64>, ys: Vec<f64>, colour: RGBColor) -> Series {
        Series { label: label.into(), xs, ys, colour, dashed: false, band_from: None }
    }

    pub fn dashed(mut self) -> Series {
        self.dashed = true;
        self
    }
}

/// One panel: a title (shown above its legend), a short y-axis title (the unit) and curves.
#[derive(Debug, Clone, Default)]
pub struct Panel {
    pub title: String,
    pub y_title: String,
    pub series: Vec<Series>,
    /// Fixed y range; otherwise from the data, starting at 0.
    pub y_range: Option<(f64, f64)>,
    /// Labelled horizontal reference lines (value, label).
    pub references: Vec<(f64, String)>,
    /// Show only the title in the legend column (the series are named in an earlier panel).
    pub hide_legend: bool,
}

/// A shaded period (dosing, exercise), drawn behind the curves of every panel.
#[derive(Debug, Clone)]
pub struct Shade {
    pub label: String,
    pub from: f64,
    pub to: f64,
    pub colour: RGBColor,
}

/// What all panels share: the x axis, event markers and shaded periods.
#[derive(Debug, Clone)]
pub struct Axis {
    pub x_title: String,
    pub x_range: (f64, f64),
    /// Vertical markers (x, label), labelled in the strip above the first panel.
    pub events: Vec<(f64, String)>,
    pub shades: Vec<Shade>,
}

type DrawResult = Result<(), String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Space reserved around the panels, millimetres.
struct Margins {
    left: f64,
    legend: f64,
    top_strip: f64,
    bottom_axis: f64,
}

const MARGINS: Margins = Margins { left: 17.0, legend: 40.0, top_strip: 9.0, bottom_axis: 10.0 };

/// Draw `title`, the event strip and the panels into `area`.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: Scale,
    title: Option<&str>,
    axis: &Axis,
    panels: &[Panel],
) -> DrawResult {
    area.fill(&WHITE).map_err(err)?;
    let (width, height) = area.dim_in_pixel();
    let title_h = if title.is_some() { scale.mm(6.0) } else { 0 };
    let strip_h = if axis.events.is_empty() { scale.mm(2.0) } else { scale.mm(MARGINS.top_strip) };
    if let Some(t) = title {
        let style = (FONT, scale.pt(theme::TITLE_PT)).into_font().style(FontStyle::Bold).color(&BLACK);
        area.draw(&Text::new(t.to_string(), (scale.mm(2.0), scale.mm(1.5)), style)).map_err(err)?;
    }
    let body = area.margin(title_h + strip_h, 0, 0, 0);
    let bottom = scale.mm(MARGINS.bottom_axis) as u32;
    let body_h = (height as i32 - title_h - strip_h).max(1) as u32;
    let panel_h = (body_h.saturating_sub(bottom)) / panels.len().max(1) as u32;
    let mut top = 0u32;
    let mut x_pixels = Vec::new();
    for (k, panel) in panels.iter().enumerate() {
        let last = k + 1 == panels.len();
        let h = if last { body_h - top } else { panel_h };
        let sub = body.margin(top as i32, 0, 0, 0).shrink((0, 0), (width, h));
        let xs = draw_panel(&sub, scale, axis, panel, last)?;
        if k == 0 {
            x_pixels = xs;
        }
        top += h;
    }
    draw_event_labels(area, scale, axis, &x_pixels, title_h, strip_h)
}

/// Draw one panel; returns the pixel x of every event (for the strip labels).
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: Scale,
    axis: &Axis,
    panel: &Panel,
    last: bool,
) -> Result<Vec<i32>, String> {
    let (y0, y1) = panel.y_range.unwrap_or_else(|| auto_range(panel));
    let (x0, x1) = axis.x_range;
    let tick = (FONT, scale.pt(theme::TICK_PT)).into_font().color(&BLACK);
    let label = (FONT, scale.pt(theme::LABEL_PT)).into_font().color(&BLACK);
    let mut chart = ChartBuilder::on(area)
        .margin_top(scale.mm(1.5))
        .margin_left(scale.mm(3.0))
        .margin_right(scale.mm(MARGINS.legend))
        .x_label_area_size(if last { scale.mm(MARGINS.bottom_axis) } else { scale.mm(1.0) })
        .y_label_area_size(scale.mm(MARGINS.left))
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .bold_line_style(theme::LIGHT_GREY.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .y_labels(4)
        .x_labels(8)
        .label_style(tick.clone())
        .axis_desc_style(label.clone())
        .y_desc(panel.y_title.as_str())
        .y_label_formatter(&|v| format_tick(*v));
    if last {
        mesh.x_desc(axis.x_title.as_str()).x_label_formatter(&|v| format_tick(*v));
    } else {
        mesh.x_label_formatter(&|_| String::new());
    }
    mesh.draw().map_err(err)?;
    // Treatment periods: a faint band behind the curves, and one coloured bar per drug along
    // the panel's top edge, so overlapping drugs stay apart.
    let bar = (y1 - y0) * 0.035;
    let mut names: Vec<&str> = Vec::new();
    for shade in &axis.shades {
        let k = names.iter().position(|n| *n == shade.label).unwrap_or_else(|| {
            names.push(&shade.label);
            names.len() - 1
        }) as f64;
        let (a, b) = (shade.from.max(x0), shade.to.min(x1));
        let band = Rectangle::new([(a, y0), (b, y1)], theme::GREY.mix(0.07).filled());
        let top = y1 - k * bar;
        let strip = Rectangle::new([(a, top - bar), (b, top)], shade.colour.mix(0.8).filled());
        chart.draw_series([band, strip]).map_err(err)?;
    }
    let thin = theme::GREY.stroke_width(scale.stroke(0.6));
    for (x, _) in &axis.events {
        let line = DashedLineSeries::new(vec![(*x, y0), (*x, y1)], scale.mm(1.2), scale.mm(0.8), thin);
        chart.draw_series(line).map_err(err)?;
    }
    for (y, _) in &panel.references {
        let line = DashedLineSeries::new(vec![(x0, *y), (x1, *y)], scale.mm(0.6), scale.mm(0.6), thin);
        chart.draw_series(line).map_err(err)?;
    }
    let width = scale.stroke(theme::LINE_PT);
    for s in &panel.series {
        let points: Vec<(f64, f64)> =
            s.xs.iter().copied().zip(s.ys.iter().map(|y| y.clamp(y0, y1))).collect();
        if let Some(lower) = &s.band_from {
            let upper: Vec<(f64, f64)> = points.clone();
            let mut polygon = upper;
            polygon.extend(s.xs.iter().zip(lower).rev().map(|(x, y)| (*x, y.clamp(y0, y1))));
            chart
                .draw_series(std::iter::once(Polygon::new(polygon, s.colour.mix(0.25).filled())))
                .map_err(err)?;
        }
        let style = s.colour.stroke_width(width);
        if s.dashed {
            chart
                .draw_series(DashedLineSeries::new(points, scale.mm(1.5), scale.mm(0.8), style))
                .map_err(err)?;
        } else {
            chart.draw_series(LineSeries::new(points, style)).map_err(err)?;
        }
    }
    draw_legend(area, scale, panel, &label)?;
    Ok(axis.events.iter().map(|(x, _)| chart.backend_coord(&(*x, y1)).0).collect())
}

/// Legend in the column right of the plot: a line sample and the label per series.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: Scale,
    panel: &Panel,
    font: &TextStyle,
) -> DrawResult {
    let (width, _) = area.dim_in_pixel();
    let x0 = width as i32 - scale.mm(MARGINS.legend) + scale.mm(3.0);
    let line_h = scale.mm(3.8);
    let style = font.clone().pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Left,
        plotters::style::text_anchor::VPos::Center,
    ));
    let bold = (FONT, scale.pt(theme::LABEL_PT)).into_font().style(FontStyle::Bold).color(&BLACK).pos(
        plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ),
    );
    let mut first = scale.mm(3.5);
    if !panel.title.is_empty() {
        area.draw(&Text::new(panel.title.clone(), (x0, first), bold)).map_err(err)?;
        first += line_h + scale.mm(0.5);
    }
    // Reference lines are named in the legend (dashed grey), not over the data.
    let references: Vec<Series> = panel
        .references
        .iter()
        .map(|(_, label)| Series::line(label.clone(), vec![0.0], vec![0.0], theme::GREY).dashed())
        .collect();
    let entries: Vec<&Series> =
        if panel.hide_legend { vec![] } else { panel.series.iter().chain(&references).collect() };
    for (i, s) in entries.iter().enumerate() {
        let y = first + i as i32 * line_h;
        if s.xs.is_empty() {
            // A filled area's or a treatment bar's entry: a filled box.
            let half = scale.mm(1.0);
            let boxed = Rectangle::new([(x0, y - half), (x0 + scale.mm(5.0), y + half)], s.colour.filled());
            area.draw(&boxed).map_err(err)?;
        } else if s.dashed {
            let dash = s.colour.stroke_width(scale.stroke(1.4));
            for k in 0..2 {
                let a = x0 + k * scale.mm(3.0);
                area.draw(&PathElement::new(vec![(a, y), (a + scale.mm(2.0), y)], dash)).map_err(err)?;
            }
        } else {
            let sample = PathElement::new(
                vec![(x0, y), (x0 + scale.mm(5.0), y)],
                s.colour.stroke_width(scale.stroke(1.4)),
            );
            area.draw(&sample).map_err(err)?;
        }
        area.draw(&Text::new(s.label.clone(), (x0 + scale.mm(6.5), y), style.clone())).map_err(err)?;
    }
    Ok(())
}

/// Event labels in the strip above the first panel, staggered over two rows when they would
/// collide; the shaded periods' names at the strip's right.
fn draw_event_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: Scale,
    axis: &Axis,
    xs: &[i32],
    title_h: i32,
    strip_h: i32,
) -> DrawResult {
    let font = (FONT, scale.pt(theme::TICK_PT)).into_font().color(&theme::GREY);
    let centred = font.clone().pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Bottom,
    ));
    // Up to three rows, the lowest (nearest the panel) first; a label goes in the first row
    // where it clears its neighbours.
    let rows = [
        title_h + strip_h - scale.mm(0.5),
        title_h + strip_h - scale.mm(3.3),
        title_h + strip_h - scale.mm(6.1),
    ];
    let mut ends = [i32::MIN; 3];
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by_key(|&i| xs[i]);
    for i in order {
        let text = &axis.events[i].1;
        let (w, _) = area.estimate_text_size(text, &font).map_err(err)?;
        let half = w as i32 / 2 + scale.mm(0.8);
        let row = (0..rows.len())
            .find(|&r| xs[i] - half > ends[r])
            .unwrap_or_else(|| (0..rows.len()).min_by_key(|&r| ends[r]).unwrap_or(0));
        ends[row] = xs[i] + half;
        area.draw(&Text::new(text.clone(), (xs[i], rows[row]), centred.clone())).map_err(err)?;
    }
    Ok(())
}

/// y range from the data: from 0 (or the minimum when negative) to 8% above the maximum.
fn auto_range(panel: &Panel) -> (f64, f64) {
    let values = panel.series.iter().flat_map(|s| s.ys.iter().copied()).filter(|v| v.is_finite());
    let (lo, hi) = extent(values);
    let lo = lo.min(0.0);
    let hi = if hi > lo { hi } else { lo + 1.0 };
    (lo, hi + 0.08 * (hi - lo))
}

/// Smallest and largest of the values ((MAX, MIN) when there are none, so callers test hi > lo).
pub fn extent(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values.into_iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
}

/// Tick labels without float noise: up to 3 significant digits, no trailing zeros.
pub fn format_tick(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    let decimals = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_have_no_float_noise() {
        assert_eq!(format_tick(0.30000000000000004), "0.3");
        assert_eq!(format_tick(2.0), "2");
        assert_eq!(format_tick(1250.0), "1250");
        assert_eq!(format_tick(-0.0001), "0");
    }
}
