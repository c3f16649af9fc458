//! One look for every figure: the bundled font, the Okabe–Ito palette, sizes in millimetres and
//! points converted to pixels at the figure's resolution.

use plotters::style::{FontStyle, RGBColor};
use std::sync::Once;

/// The bundled font (DejaVu Sans, Bitstream Vera licence: assets/fonts/LICENSE), so figures
/// need no system font library.
pub const FONT: &str = "DejaVu Sans";
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Register the bundled font with plotters (once per process).
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font (tested), so registration cannot fail.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, REGULAR);
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, BOLD);
    });
}

/// Okabe & Ito (2008) colour-blind-safe palette, black first.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
];

/// Series colours in drawing order (yellow, weak on white, last).
pub fn series_colour(i: usize) -> RGBColor {
    const ORDER: [usize; 8] = [5, 6, 3, 7, 1, 2, 0, 4];
    PALETTE[ORDER[i % ORDER.len()]]
}

/// `colour` blended with white: `share` of the colour is kept (a filled area's legend swatch).
pub fn tint(colour: RGBColor, share: f64) -> RGBColor {
    let mix = |c: u8| (255.0 - (255.0 - c as f64) * share).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

pub const GREY: RGBColor = RGBColor(0x80, 0x80, 0x80);
pub const LIGHT_GREY: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);

/// Pixel scale of a figure: SVG is laid out at 96 px per inch (CSS pixels), PNG at its dpi.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub px_per_mm: f64,
}

impl Scale {
    pub fn new(dpi: f64) -> Self {
        Scale { px_per_mm: dpi / 25.4 }
    }

    pub fn mm(&self, mm: f64) -> i32 {
        (mm * self.px_per_mm).round() as i32
    }

    /// A font size in points (1/72 inch) as pixels.
    pub fn pt(&self, pt: f64) -> f64 {
        pt * 25.4 / 72.0 * self.px_per_mm
    }

    /// A line width in points, at least one pixel.
    pub fn stroke(&self, pt: f64) -> u32 {
        self.pt(pt).round().max(1.0) as u32
    }
}

/// Text sizes, points (journal figures: 7–9 pt at print size).
pub const TICK_PT: f64 = 7.0;
pub const LABEL_PT: f64 = 8.0;
pub const TITLE_PT: f64 = 9.0;
pub const LINE_PT: f64 = 1.0;
