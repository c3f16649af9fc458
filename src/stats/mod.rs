//! Statistics for virtual clinical trials: the analyses a trial report runs on simulated cohorts.
//!
//! - [`survival`]: Kaplan–Meier curves with log(-log) Greenwood intervals, the log-rank test and
//!   the Cox proportional-hazards model (Efron ties), for time-to-event endpoints such as time to
//!   a spasticity threshold.
//! - [`hypothesis`]: two-sample t-tests (pooled and Welch), the Mann–Whitney U test, Fisher's
//!   exact and the Yates-corrected chi-squared test on 2×2 tables, and Clopper–Pearson intervals
//!   for power estimates.
//!
//! Each function reproduces a reference implementation (lifelines for survival, SciPy for the
//! rest; `tests/stats/check_stats.py` compares them), so a simulated trial's numbers can be read
//! against published analyses done with those tools. Degenerate input (empty groups, zero
//! variance, a singular information matrix) is an `Err` with the reason, never a panic or a NaN.

pub mod hypothesis;
pub mod survival;

/// Quantile `p` of sorted values, linear between order statistics (numpy's default, type 7);
/// NaN for no values.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = p * (sorted.len() - 1) as f64;
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(super::quantile(&v, 0.0), 1.0);
        assert_eq!(super::quantile(&v, 1.0), 4.0);
        assert_eq!(super::quantile(&v, 0.5), 2.5);
        assert!((super::quantile(&v, 0.25) - 1.75).abs() < 1e-12);
        assert!(super::quantile(&[], 0.5).is_nan());
    }
}
