//! The drug-free course of the slow states (neuron pools, receptor densities, NfL), solved once
//! per run and read anywhere by cubic Hermite interpolation between the solver's steps.
//!
//! When no drug acts on 5-HT release or clearance, the slow states do not depend on the drugs at
//! all (receptor density follows 5-HT input only; docs/model.md §3), so the quadrature path
//! ([`super::quadrature_path`]) solves them once with long steps and integrates the
//! drug-dependent spasm intensity separately.

use super::solver::{self, Tolerances};
use crate::error::Result;
use crate::model::{Core, DrugEffects, Model, Phase};
use ode_solvers::{SVector, System};

const N: usize = Core::LEN;

/// Longest solver step, days. Between steps the states are interpolated by cubic Hermite
/// polynomials, whose error grows as the fourth power of the step; with the steps Dopri5 takes
/// at rtol 1e-8 (about 10 days in the human preset, 1–2 in the mouse) it stays below 3e-7
/// relative (test below); the cap only guards very slow courses.
const MAX_STEP: f64 = 20.0;

/// Piecewise cubic Hermite course of the slow states; `spasm_auc` is left at zero.
pub struct SlowCourse {
    times: Vec<f64>,
    states: Vec<[f64; N]>,
    slopes: Vec<[f64; N]>,
    /// 1 / (t_{i+1} − t_i) (0 for the repeated onset points): saves a division per read.
    inverse_steps: Vec<f64>,
    /// Interval of the last lookup: reads come in time order, so it is usually the next one's.
    last: std::cell::Cell<usize>,
}

struct SlowRhs<'a> {
    model: &'a Model,
    phase: Phase,
}

impl SlowRhs<'_> {
    fn rates(&self, t: f64, y: &[f64]) -> [f64; N] {
        let none = DrugEffects::default();
        let core = Core::from_slice(y);
        let serotonin = self.model.serotonin_quasi_steady(core.raphe, t, &none);
        // The spasm integral is the quadrature path's job; leaving it out keeps the steps long.
        self.model.slow_rates(self.phase, &core, serotonin).to_array()
    }
}

impl System<f64, SVector<f64, N>> for SlowRhs<'_> {
    fn system(&self, t: f64, y: &SVector<f64, N>, dy: &mut SVector<f64, N>) {
        dy.as_mut_slice().copy_from_slice(&self.rates(t, y.as_slice()));
    }
}

impl SlowCourse {
    /// Solve from day 0 to `end`, in pieces split at the degeneration onsets (where the rates
    /// jump); an onset appears twice, with the slope before and after it.
    pub fn solve(model: &Model, end: f64, tol: Tolerances) -> Result<Self> {
        Self::solve_with(model, end, tol, MAX_STEP)
    }

    fn solve_with(model: &Model, end: f64, tol: Tolerances, max_step: f64) -> Result<Self> {
        let mut cuts: Vec<f64> = model.onsets().into_iter().filter(|&t| t > 0.0 && t < end).collect();
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        cuts.push(end);
        let mut course = SlowCourse {
            times: Vec::new(),
            states: Vec::new(),
            slopes: Vec::new(),
            inverse_steps: Vec::new(),
            last: Default::default(),
        };
        let mut y = SVector::<f64, N>::from(model.initial_core().to_array());
        let mut t0 = 0.0;
        for t1 in cuts {
            let phase = model.phase_at(t0);
            let (times, states) =
                solver::integrate_steps(SlowRhs { model, phase }, t0, t1, y, tol, max_step)?;
            let rhs = SlowRhs { model, phase };
            for (t, s) in times.iter().zip(&states) {
                let s: [f64; N] = (*s).into();
                course.times.push(*t);
                course.slopes.push(rhs.rates(*t, &s));
                course.states.push(s);
            }
            y = *states.last().expect("the solver reports its first point");
            t0 = t1;
        }
        course.inverse_steps =
            course.times.windows(2).map(|w| if w[1] > w[0] { 1.0 / (w[1] - w[0]) } else { 0.0 }).collect();
        Ok(course)
    }

    /// The slow states at day `t` (inside the solved span).
    pub fn at(&self, t: f64) -> Core {
        let last = self.times.len() - 1;
        let hint = self.last.get();
        let i = if self.times[hint] <= t && t < self.times[hint + 1] {
            hint
        } else {
            self.times.partition_point(|&x| x <= t).clamp(1, last) - 1
        };
        self.last.set(i);
        let (t0, t1) = (self.times[i], self.times[i + 1]);
        let h = t1 - t0;
        let s = if h > 0.0 { ((t - t0) * self.inverse_steps[i]).clamp(0.0, 1.0) } else { 1.0 };
        let (s2, s3) = (s * s, s * s * s);
        let h00 = 2.0 * s3 - 3.0 * s2 + 1.0;
        let h10 = s3 - 2.0 * s2 + s;
        let h01 = -2.0 * s3 + 3.0 * s2;
        let h11 = s3 - s2;
        let (y0, y1, f0, f1) = (&self.states[i], &self.states[i + 1], &self.slopes[i], &self.slopes[i + 1]);
        // The last state (the spasm integral) is not part of the course: it stays zero.
        let mut y = [0.0; N];
        for k in 0..N - 1 {
            y[k] = h00 * y0[k] + h * h10 * f0[k] + h01 * y1[k] + h * h11 * f1[k];
        }
        Core::from_slice(&y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neuron_pools_follow_their_exponentials() {
        let model = crate::bundled::load_model("human_als");
        let course = SlowCourse::solve(&model, 2000.0, Tolerances::default()).unwrap();
        let p = &model.params;
        for t in [0.0, 13.7, 400.2, 999.9, 1500.5, 2000.0] {
            let c = course.at(t);
            let exact = |onset: f64, hazard: f64| (-hazard * (t - onset).max(0.0)).exp();
            assert!((c.raphe - exact(p.raphe_onset, p.raphe_hazard)).abs() < 1e-8, "raphe at {t}");
            assert!((c.lmn - exact(p.lmn_onset, p.lmn_hazard)).abs() < 1e-8, "lmn at {t}");
            assert_eq!(c.spasm_auc, 0.0);
        }
    }

    #[test]
    fn interpolation_between_steps_is_accurate() {
        for preset in ["human_als", "sod1_g86r_mouse"] {
            let model = crate::bundled::load_model(preset);
            let end = model.default_duration;
            let course = SlowCourse::solve(&model, end, Tolerances::default()).unwrap();
            let fine = Tolerances { relative: 1e-12, absolute: 1e-14 };
            let reference = SlowCourse::solve_with(&model, end, fine, end / 4000.0).unwrap();
            let mut worst = 0.0f64;
            for i in 0..=3000 {
                let t = end * i as f64 / 3000.0;
                let (a, b) = (course.at(t).to_array(), reference.at(t).to_array());
                // 1e-6 relative: below the fast path's other approximations (docs/model.md §7);
                // absolute below 0.01 (the isoform shift starts from 0).
                for k in 0..N {
                    let allowed = 1e-6;
                    worst = worst.max((a[k] - b[k]).abs() / b[k].abs().max(1e-2) / allowed);
                }
            }
            assert!(worst < 1.0, "{preset}: error {worst} x allowed");
        }
    }
}
