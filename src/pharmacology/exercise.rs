//! An exercise / stretching programme: daily minutes in blocks (`[[exercise]]` in a scenario).
//! The training level T relaxes towards (minutes per day) / (reference minutes per day) with the
//! training half-life while a block runs, and back to 0 after it:
//! dT/dt = k (m(t)/m_ref − T), k = ln 2 / t½ — exact between block edges.
//! It acts on tone only (the readouts), so it never changes the disease states.

/// One block of daily exercise, days per day of exercise time, on [start, stop).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ExerciseBlock {
    /// Exercise time per day, days/day (30 min/day = 0.0208).
    pub per_day: f64,
    pub start: f64,
    pub stop: Option<f64>,
}

/// Training level at day `t` for blocks sorted by start, non-overlapping.
pub fn training_at(blocks: &[ExerciseBlock], t: f64, reference_per_day: f64, half_life: f64) -> f64 {
    let k = std::f64::consts::LN_2 / half_life;
    let (mut level, mut now) = (0.0, 0.0_f64);
    for b in blocks {
        if b.start >= t {
            break;
        }
        // Rest until the block starts, then train until it ends or t.
        level *= (-k * (b.start - now).max(0.0)).exp();
        let end = b.stop.unwrap_or(f64::INFINITY).min(t);
        let target = b.per_day / reference_per_day;
        level = target + (level - target) * (-k * (end - b.start)).exp();
        now = end;
    }
    level * (-k * (t - now).max(0.0)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_builds_and_fades_with_its_half_life() {
        let b = [ExerciseBlock { per_day: 1.0, start: 10.0, stop: Some(30.0) }];
        assert_eq!(training_at(&b, 5.0, 1.0, 7.0), 0.0);
        assert!((training_at(&b, 17.0, 1.0, 7.0) - 0.5).abs() < 1e-12);
        let at_stop = training_at(&b, 30.0, 1.0, 7.0);
        assert!((training_at(&b, 37.0, 1.0, 7.0) - at_stop / 2.0).abs() < 1e-12);
    }
}
