//! The only place that touches the ODE crate: integrate a smooth right-hand side over one
//! segment (between doses, onsets and output times) with Dopri5 and return the end state.
//!
//! Sparse output is used (the crate's Dense output drops the end point and mismatches pairs;
//! `../shared/guide.md` §2), stiffness detection is off (the full path is stability-limited
//! by design, not stiff beyond reach), and segments never contain a discontinuity.

use crate::error::{Error, Result};
use ode_solvers::dop_shared::OutputType;
use ode_solvers::{Dopri5, SVector, System};

/// Error tolerances of the adaptive step.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Tolerances {
    pub relative: f64,
    pub absolute: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances { relative: 1e-8, absolute: 1e-10 }
    }
}

/// State of a Dopri5 run carried from one segment to the next: the last accepted step size,
/// so that a new segment does not pay for a fresh step-size estimate.
#[derive(Debug, Clone, Copy, Default)]
pub struct StepMemory {
    pub(super) last_step: f64,
}

/// Run Dopri5 (Sparse output: every accepted step) over [t0, t1], span > 0, with steps at most
/// `max_step` and first step `h0` (0: the solver estimates it); `read` takes what it needs from
/// the steps (times, states).
fn dopri5<const N: usize, F: System<f64, SVector<f64, N>>, R>(
    rhs: F,
    (t0, t1): (f64, f64),
    y0: SVector<f64, N>,
    (tol, max_step, h0): (Tolerances, f64, f64),
    read: impl FnOnce(&[f64], &[SVector<f64, N>]) -> R,
) -> Result<R> {
    let span = t1 - t0;
    let mut solver = Dopri5::from_param(
        rhs,
        t0,
        t1,
        span,
        y0,
        tol.relative,
        tol.absolute,
        0.9,
        0.04,
        0.2,
        10.0,
        max_step.min(span),
        h0,
        1_000_000,
        u32::MAX,
        OutputType::Sparse,
    );
    solver.integrate().map_err(|e| Error::Solver { day: t0, reason: e.to_string() })?;
    let (times, states) = solver.results().get();
    Ok(read(times, states))
}

/// Integrate `rhs` from `t0` to `t1` starting at `y0`; every accepted step, first point
/// included, with steps no longer than `max_step`.
pub fn integrate_steps<const N: usize, F: System<f64, SVector<f64, N>>>(
    rhs: F,
    t0: f64,
    t1: f64,
    y0: SVector<f64, N>,
    tol: Tolerances,
    max_step: f64,
) -> Result<(Vec<f64>, Vec<SVector<f64, N>>)> {
    if t1 - t0 <= 0.0 {
        return Ok((vec![t0], vec![y0]));
    }
    dopri5(rhs, (t0, t1), y0, (tol, max_step, 0.0), |t, y| (t.to_vec(), y.to_vec()))
}

/// Longest stretch one Dopri5 run covers in [`integrate`]: the crate keeps every accepted step
/// of a run, so a long segment (a sweep's full path with end-point output) is cut into pieces
/// of at most this many days and memory stays bounded (about 40 kB per piece for the full path).
pub const MAX_PIECE_DAYS: f64 = 4.0;

/// Integrate `rhs` from `t0` to `t1` starting at `y0`.
pub fn integrate<const N: usize, F: System<f64, SVector<f64, N>>>(
    rhs: &F,
    t0: f64,
    t1: f64,
    y0: SVector<f64, N>,
    tol: Tolerances,
    memory: &mut StepMemory,
) -> Result<SVector<f64, N>> {
    let pieces = ((t1 - t0) / MAX_PIECE_DAYS).ceil().max(1.0) as usize;
    let mut y = y0;
    for k in 0..pieces {
        let a = t0 + (t1 - t0) * k as f64 / pieces as f64;
        let b = if k + 1 == pieces { t1 } else { t0 + (t1 - t0) * (k + 1) as f64 / pieces as f64 };
        y = integrate_piece(rhs, a, b, y, tol, memory)?;
    }
    Ok(y)
}

/// A right-hand side lent to the solver (which takes its system by value) for one piece.
struct Lent<'a, F>(&'a F);

impl<const N: usize, F: System<f64, SVector<f64, N>>> System<f64, SVector<f64, N>> for Lent<'_, F> {
    fn system(&self, t: f64, y: &SVector<f64, N>, dy: &mut SVector<f64, N>) {
        self.0.system(t, y, dy)
    }
}

fn integrate_piece<const N: usize, F: System<f64, SVector<f64, N>>>(
    rhs: &F,
    t0: f64,
    t1: f64,
    y0: SVector<f64, N>,
    tol: Tolerances,
    memory: &mut StepMemory,
) -> Result<SVector<f64, N>> {
    let span = t1 - t0;
    if span <= 0.0 {
        return Ok(y0);
    }
    let h0 = if memory.last_step > 0.0 { memory.last_step.min(span) } else { 0.0 };
    let (last_step, end) = dopri5(Lent(rhs), (t0, t1), y0, (tol, span, h0), |times, states| {
        // The last step is usually cut short to land on t1; the one before is representative.
        let n = times.len();
        ((n >= 3).then(|| times[n - 2] - times[n - 3]), states.last().copied())
    })?;
    if let Some(h) = last_step {
        memory.last_step = h;
    }
    end.ok_or(Error::Solver { day: t0, reason: "no output".into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Decay(f64);
    impl System<f64, SVector<f64, 1>> for Decay {
        fn system(&self, _t: f64, y: &SVector<f64, 1>, dy: &mut SVector<f64, 1>) {
            dy[0] = -self.0 * y[0];
        }
    }

    struct Oscillator;
    impl System<f64, SVector<f64, 2>> for Oscillator {
        fn system(&self, _t: f64, y: &SVector<f64, 2>, dy: &mut SVector<f64, 2>) {
            dy[0] = y[1];
            dy[1] = -y[0];
        }
    }

    #[test]
    fn exponential_decay_matches_closed_form() {
        let mut mem = StepMemory::default();
        let y =
            integrate(&Decay(0.7), 0.0, 3.0, SVector::from([2.0]), Tolerances::default(), &mut mem).unwrap();
        assert!((y[0] - 2.0 * (-2.1f64).exp()).abs() < 1e-8);
    }

    #[test]
    fn a_long_span_is_integrated_in_pieces_to_the_same_answer() {
        let mut mem = StepMemory::default();
        let span = 25.0 * MAX_PIECE_DAYS + 1.3;
        let y =
            integrate(&Decay(0.1), 0.0, span, SVector::from([1.0]), Tolerances::default(), &mut mem).unwrap();
        assert!((y[0] - (-0.1 * span).exp()).abs() < 1e-9, "{}", y[0]);
    }

    #[test]
    fn segments_compose_like_one_run() {
        let tol = Tolerances::default();
        let mut mem = StepMemory::default();
        let mut y = SVector::from([1.0, 0.0]);
        for k in 0..10 {
            y = integrate(&Oscillator, k as f64, k as f64 + 1.0, y, tol, &mut mem).unwrap();
        }
        assert!((y[0] - 10f64.cos()).abs() < 1e-7 && (y[1] + 10f64.sin()).abs() < 1e-7);
    }

    #[test]
    fn empty_segment_returns_start() {
        let mut mem = StepMemory::default();
        let y =
            integrate(&Decay(1.0), 1.0, 1.0, SVector::from([5.0]), Tolerances::default(), &mut mem).unwrap();
        assert_eq!(y[0], 5.0);
    }
}
