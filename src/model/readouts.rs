//! Clinical readouts derived from the states: spasm intensity, Penn spasm frequency score,
//! the Modified Ashworth score, pain, motor function, ALSFRS-R and FVC.

use crate::math::Hill;

/// Reflex drive: the involuntary force a reflex recruits, relative to a healthy muscle, from
/// its neural `factor` (PIC and disinhibition terms, times the drug gain on reflex
/// transmission), the motor-unit factor `units` (LMN survival to a power, see `Model::units`:
/// late ALS turns flaccid) and `muscle_force` (< 1 under excitation–contraction blockers).
pub fn reflex_drive(factor: f64, units: f64, muscle_force: f64) -> f64 {
    units * muscle_force * factor.max(0.0)
}

/// Spasm intensity in [0, 1] (fraction of the maximal spasm frequency) from the reflex drive;
/// `hill`: half-maximal drive and steepness (a log-logistic spread of the drive at which
/// spasms are triggered and felt, across muscles and moments).
pub fn spasm_intensity(drive: f64, hill: Hill) -> f64 {
    if drive <= 0.0 {
        return 0.0;
    }
    hill.at(drive)
}

/// Modified Ashworth score, continuous on 0–4 (anchors 0, 1, 1+, 2, 3, 4), from the reflex
/// drive met by a passive stretch; `tone` (< 1 under a stretching programme) scales it. `hill`:
/// the drive giving MAS 2 and the steepness.
pub fn ashworth(drive: f64, tone: f64, hill: Hill) -> f64 {
    let d = drive * tone;
    if d <= 0.0 {
        return 0.0;
    }
    4.0 * hill.at(d)
}

/// Penn spasm frequency score (0 none, 1 stimulus-induced only, 2 < 1/h, 3 ≥ 1/h, 4 > 10/h)
/// from the spasm frequency per hour. Below 0.05/h counts as none and below 0.2/h as
/// stimulus-induced only (assumption: such rare spasms are seen when provoked).
pub fn penn_score(spasms_per_hour: f64) -> f64 {
    match spasms_per_hour {
        f if f < 0.05 => 0.0,
        f if f < 0.2 => 1.0,
        f if f < 1.0 => 2.0,
        f if f <= 10.0 => 3.0,
        _ => 4.0,
    }
}

/// Pain on a 0–10 numeric rating scale from spasms, tone and immobility (lost motor function:
/// joints, pressure, cramps), which antispastics do not relieve.
pub fn pain(spasm: f64, ashworth: f64, function: f64, w: [f64; 3]) -> f64 {
    10.0 * (w[0] * spasm + w[1] * ashworth / 4.0 + w[2] * (1.0 - function)).clamp(0.0, 1.0)
}

/// Motor function in [0, 1]: surviving motor units, less the share lost with UMN control.
pub fn motor_function(lmn: f64, umn: f64, umn_weight: f64) -> f64 {
    (lmn * (1.0 - umn_weight * (1.0 - umn))).clamp(0.0, 1.0)
}

/// ALSFRS-R (0–48): full until function falls below the clinical-onset level, then a power of
/// the function left relative to onset.
pub fn alsfrs_r(function: f64, onset_function: f64, exponent: f64) -> f64 {
    let fraction = (function / onset_function).clamp(0.0, 1.0);
    // Before motor onset the score is 48. After it, exp(n·ln f) rather than powf: the same to
    // a few ulp and half the cost (this is evaluated at every output row).
    if fraction == 1.0 {
        48.0
    } else {
        48.0 * (exponent * fraction.ln()).exp()
    }
}

/// FVC as a fraction of predicted: normal until function falls below the respiratory reserve.
pub fn fvc(function: f64, reserve_function: f64) -> f64 {
    (function / reserve_function).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alsfrs_is_48_before_onset_then_the_power_law() {
        assert_eq!(alsfrs_r(0.9, 0.8, 0.87), 48.0);
        assert_eq!(alsfrs_r(0.0, 0.8, 0.87), 0.0);
        for f in [0.79, 0.6, 0.3, 0.05, 1e-6] {
            let expected = 48.0 * (f / 0.8f64).powf(0.87);
            assert!((alsfrs_r(f, 0.8, 0.87) - expected).abs() <= 1e-14 * expected, "{f}");
        }
    }

    #[test]
    fn no_spasm_at_baseline_and_monotone_above() {
        let hill = Hill::new(0.5, 2.0);
        assert_eq!(spasm_intensity(reflex_drive(0.0, 1.0, 1.0), hill), 0.0);
        let mut last = 0.0;
        for excess in [0.5, 1.0, 3.0, 7.0] {
            let s = spasm_intensity(reflex_drive(excess, 1.0, 1.0), hill);
            assert!(s > last && s <= 1.0);
            last = s;
        }
    }

    #[test]
    fn drive_fades_with_motor_units_and_ashworth_spans_the_scale() {
        assert!(reflex_drive(3.0, 0.2, 1.0) < reflex_drive(3.0, 0.5, 1.0));
        assert_eq!(reflex_drive(-0.1, 1.0, 1.0), 0.0, "no negative drive");
        let hill = Hill::new(0.3, 2.0);
        assert!((ashworth(0.3, 1.0, hill) - 2.0).abs() < 1e-12, "MAS 2 at the half drive");
        assert!(ashworth(10.0, 1.0, hill) > 3.9 && ashworth(0.01, 1.0, hill) < 0.1);
        assert!(ashworth(0.3, 0.5, hill) < ashworth(0.3, 1.0, hill), "stretching lowers tone");
    }

    #[test]
    fn penn_is_ordinal_and_monotone() {
        let scores: Vec<f64> = [0.0, 0.1, 0.5, 5.0, 50.0].iter().map(|&f| penn_score(f)).collect();
        assert_eq!(scores, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    }
}
