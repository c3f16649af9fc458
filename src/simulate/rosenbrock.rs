//! A stiff integrator for the full path: Rodas5P, an L-stable, stiffly accurate Rosenbrock
//! method of order 5 with an embedded order-4 error estimate and a continuous (dense) output of
//! order 4 (Steinebach 2023, BIT Numer Math 63:27; the form of Hairer & Wanner 1996, Solving
//! ODEs II §IV.7).
//!
//! Why: the full path carries the PIC (τ ≈ 10 min) and spinal 5-HT (t½ ≈ 1 h) across years.
//! An explicit method is held to steps of a few minutes by their stiffness; a Rosenbrock step
//! is limited only by accuracy, so with no dose in sight it takes steps of days. Dense output
//! lets output times fall inside steps instead of cutting them.
//!
//! Each step: a finite-difference Jacobian J at the step's start (one right-hand side per active
//! state), one LU factorisation of I/(hγ) − J, eight stages of one right-hand side and one
//! back-substitution each. Only the first `active` states take part (the full path's unused drug
//! slots stay exactly zero).
//!
//! Known limit: in a component far stiffer than the step (h/τ ≫ 1,000) the continuous extension
//! is less accurate than the step ends (tests below). On the full path the PIC at output times
//! stays within 2e-8 of its range of a 10,000× tighter run (`tests/full_path.rs`).

use super::solver::{StepMemory, Tolerances};
use crate::error::{Error, Result};
use ode_solvers::{SVector, System};

/// Rodas5P coefficients (Steinebach 2023, in the transformed form W·kᵢ = f(Uᵢ) + Σ Cᵢⱼ/h·kⱼ).
mod tableau {
    pub const GAMMA: f64 = 0.21193756319429014;
    /// Stage abscissae cᵢ (stages 6–8 sit at the step's end).
    pub const C: [f64; 8] =
        [0.0, 0.6358126895828704, 0.4095798393397535, 0.9769306725060716, 0.4288403609558664, 1.0, 1.0, 1.0];
    /// γᵢ = Σⱼ γᵢⱼ, multiplying h·∂f/∂t in stage i.
    pub const D: [f64; 8] = [
        0.21193756319429014,
        -0.42387512638858027,
        -0.3384627126235924,
        1.8046452872882734,
        2.325825639765069,
        0.0,
        0.0,
        0.0,
    ];
    /// Uᵢ = y₀ + Σⱼ Aᵢⱼ kⱼ for stages 2–6; stages 7 and 8 add kᵢ₋₁ to the previous stage value.
    pub const A: [[f64; 5]; 5] = [
        [3.0, 0.0, 0.0, 0.0, 0.0],
        [2.849394379747939, 0.45842242204463923, 0.0, 0.0, 0.0],
        [-6.954028509809101, 2.489845061869568, -10.358996098473584, 0.0, 0.0],
        [2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641, 0.0],
        [
            -7.502846399306121,
            2.561846144803919,
            -11.627539656261098,
            -0.18268767659942256,
            0.030198172008377946,
        ],
    ];
    /// Cᵢⱼ for stages 2–8 (row i−2), j < i.
    pub const CC: [[f64; 7]; 7] = [
        [-14.155112264123755, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [-17.97296035885952, -2.859693295451294, 0.0, 0.0, 0.0, 0.0, 0.0],
        [147.12150275711716, -1.41221402718213, 71.68940251302358, 0.0, 0.0, 0.0, 0.0],
        [165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306, 0.0, 0.0, 0.0],
        [
            24.854864614690072,
            -3.0009227002832186,
            47.4931110020768,
            5.5814197821558125,
            -0.6610691825249471,
            0.0,
            0.0,
        ],
        [
            30.91273214028599,
            -3.1208243349937974,
            77.79954646070892,
            34.28646028294783,
            -19.097331116725623,
            -28.087943162872662,
            0.0,
        ],
        [
            37.80277123390563,
            -3.2571969029072276,
            112.26918849496327,
            66.9347231244047,
            -40.06618937091002,
            -54.66780262877968,
            -9.48861652309627,
        ],
    ];
    /// Dense output: three combinations of the eight stages.
    pub const H: [[f64; 8]; 3] = [
        [
            25.948786856663858,
            -2.5579724845846235,
            10.433815404888879,
            -2.3679251022685204,
            0.524948541321073,
            1.1241088310450404,
            0.4272876194431874,
            -0.17202221070155493,
        ],
        [
            -9.91568850695171,
            -0.9689944594115154,
            3.0438037242978453,
            -24.495224566215796,
            20.176138334709044,
            15.98066361424651,
            -6.789040303419874,
            -6.710236069923372,
        ],
        [
            11.419903575922262,
            2.8879645146136994,
            72.92137995996029,
            80.12511834622643,
            -52.072871366152654,
            -59.78993625266729,
            -0.15582684282751913,
            4.883087185713722,
        ],
    ];
}

/// Step-size controller: safety factor and bounds on the change per step.
const SAFETY: f64 = 0.9;
const GROW_MAX: f64 = 6.0;
const SHRINK_MAX: f64 = 0.2;
/// Accepted steps one call may take before giving up.
const MAX_STEPS: usize = 10_000_000;

/// LU factorisation with partial pivoting of the leading n×n block.
struct Lu<const N: usize> {
    a: [[f64; N]; N],
    pivot: [usize; N],
    n: usize,
}

impl<const N: usize> Lu<N> {
    /// Factorise `a` in place; `None` when it is singular.
    fn factor(mut a: [[f64; N]; N], n: usize) -> Option<Self> {
        let mut pivot = [0; N];
        for k in 0..n {
            let p = (k..n).max_by(|&i, &j| a[i][k].abs().total_cmp(&a[j][k].abs()))?;
            if a[p][k] == 0.0 || !a[p][k].is_finite() {
                return None;
            }
            a.swap(k, p);
            pivot[k] = p;
            let inv = 1.0 / a[k][k];
            let (top, below) = a.split_at_mut(k + 1);
            let pivot_row = &top[k];
            for row in below.iter_mut().take(n - k - 1) {
                let l = row[k] * inv;
                row[k] = l;
                if l != 0.0 {
                    for (x, p) in row[k + 1..n].iter_mut().zip(&pivot_row[k + 1..n]) {
                        *x -= l * p;
                    }
                }
            }
        }
        Some(Lu { a, pivot, n })
    }

    /// Solve A·x = b in place (entries from n on are left alone).
    fn solve(&self, b: &mut SVector<f64, N>) {
        let (a, n) = (&self.a, self.n);
        for k in 0..n {
            b.swap_rows(k, self.pivot[k]);
        }
        for i in 0..n {
            let s: f64 = (0..i).map(|j| a[i][j] * b[j]).sum();
            b[i] -= s;
        }
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|j| a[i][j] * b[j]).sum();
            b[i] = (b[i] - s) / a[i][i];
        }
    }
}

/// One accepted step, kept for dense output on [t, t + h].
struct Step<const N: usize> {
    t: f64,
    h: f64,
    y0: SVector<f64, N>,
    y1: SVector<f64, N>,
    dense: [SVector<f64, N>; 3],
}

impl<const N: usize> Step<N> {
    /// The solution at `t` in the step (order-4 continuous extension).
    fn at(&self, t: f64) -> SVector<f64, N> {
        if t >= self.t + self.h {
            return self.y1;
        }
        let s = (t - self.t) / self.h;
        let [d1, d2, d3] = &self.dense;
        self.y0 * (1.0 - s) + (self.y1 + (d1 + (d2 + d3 * s) * s) * (1.0 - s)) * s
    }
}

/// A right-hand side restricted to its first `active` states (the others stay as they are).
pub struct Active<'a, const N: usize, F> {
    f: &'a F,
    active: usize,
}

impl<'a, const N: usize, F: System<f64, SVector<f64, N>>> Active<'a, N, F> {
    pub fn new(f: &'a F, active: usize) -> Self {
        Active { f, active: active.min(N) }
    }

    /// The spectral radius of ∂f/∂y at (t, y) (finite-difference Jacobian), per unit time: the
    /// rate of the fastest mode, which bounds an explicit method's step.
    pub fn spectral_radius(&self, t: f64, y: &SVector<f64, N>) -> f64 {
        let f0 = self.eval(t, y);
        let (jac, _) = self.jacobian(t, y, &f0);
        let n = self.active;
        let matrix = nalgebra::DMatrix::from_fn(n, n, |i, j| jac[i][j]);
        matrix.complex_eigenvalues().iter().map(|l| l.norm()).fold(0.0, f64::max)
    }

    fn eval(&self, t: f64, y: &SVector<f64, N>) -> SVector<f64, N> {
        let mut dy = SVector::<f64, N>::zeros();
        self.f.system(t, y, &mut dy);
        for v in dy.iter_mut().skip(self.active) {
            *v = 0.0;
        }
        dy
    }

    /// ∂f/∂y (active block, row-major) and ∂f/∂t at (t, y) by forward differences.
    fn jacobian(
        &self,
        t: f64,
        y: &SVector<f64, N>,
        f0: &SVector<f64, N>,
    ) -> ([[f64; N]; N], SVector<f64, N>) {
        let eps = f64::EPSILON;
        let mut jac = [[0.0; N]; N];
        let mut yp = *y;
        for j in 0..self.active {
            let delta = (eps * y[j].abs().max(1e-5)).sqrt();
            yp[j] = y[j] + delta;
            let fj = self.eval(t, &yp);
            yp[j] = y[j];
            let delta = (y[j] + delta) - y[j];
            for (i, row) in jac.iter_mut().enumerate().take(self.active) {
                row[j] = (fj[i] - f0[i]) / delta;
            }
        }
        let dt = (eps * t.abs().max(1.0)).sqrt();
        let ft = (self.eval(t + dt, y) - f0) / ((t + dt) - t);
        (jac, ft)
    }

    /// The error-weighted RMS norm of `e` over the active states.
    fn norm(&self, e: &SVector<f64, N>, y0: &SVector<f64, N>, y1: &SVector<f64, N>, tol: Tolerances) -> f64 {
        let sum: f64 = (0..self.active)
            .map(|i| {
                let scale = tol.absolute + tol.relative * y0[i].abs().max(y1[i].abs());
                (e[i] / scale).powi(2)
            })
            .sum();
        (sum / self.active.max(1) as f64).sqrt()
    }

    /// One Rodas5P step from (t, y0) with step h; the 5th-order solution, the error estimate
    /// and the dense-output vectors, or `None` when the stage matrix is singular.
    fn step(
        &self,
        t: f64,
        h: f64,
        y0: &SVector<f64, N>,
        f0: &SVector<f64, N>,
        jac: &[[f64; N]; N],
        ft: &SVector<f64, N>,
    ) -> Option<Attempt<N>> {
        use tableau::*;
        let n = self.active;
        let mut w = [[0.0; N]; N];
        for i in 0..n {
            for j in 0..n {
                w[i][j] = -jac[i][j];
            }
            w[i][i] += 1.0 / (h * GAMMA);
        }
        let lu = Lu::factor(w, n)?;
        let mut k = [SVector::<f64, N>::zeros(); 8];
        let mut u = *y0;
        for i in 0..8 {
            let du = if i == 0 { *f0 } else { self.eval(t + C[i] * h, &u) };
            let mut b = du + ft * (h * D[i]);
            if i > 0 {
                for (j, kj) in k.iter().enumerate().take(i) {
                    b += kj * (CC[i - 1][j] / h);
                }
            }
            lu.solve(&mut b);
            k[i] = b;
            // The next stage's value: from y₀ for stages 2–6, then by increments.
            if i + 1 < 6 {
                u = *y0;
                for (j, kj) in k.iter().enumerate().take(i + 1) {
                    u += kj * A[i][j];
                }
            } else {
                u += k[i];
            }
        }
        let dense =
            H.map(|row| k.iter().zip(row).fold(SVector::<f64, N>::zeros(), |acc, (kj, c)| acc + kj * c));
        Some(Attempt { y1: u, error: k[7], dense })
    }
}

/// What one step proposes: the 5th-order solution, the error estimate (the difference from
/// the embedded 4th-order solution) and the dense-output vectors.
struct Attempt<const N: usize> {
    y1: SVector<f64, N>,
    error: SVector<f64, N>,
    dense: [SVector<f64, N>; 3],
}

/// Integrate `rhs` from `t0` to `t1` starting at `y0`, calling `at(i, y)` with the solution
/// at each `outputs[i]` (sorted, inside (t0, t1]) as the steps pass it. Returns the state at
/// `t1`.
pub fn integrate_dense<const N: usize, F: System<f64, SVector<f64, N>>>(
    rhs: &Active<N, F>,
    (t0, t1): (f64, f64),
    y0: SVector<f64, N>,
    tol: Tolerances,
    memory: &mut StepMemory,
    outputs: &[f64],
    mut at: impl FnMut(usize, &SVector<f64, N>),
) -> Result<SVector<f64, N>> {
    let span = t1 - t0;
    if span <= 0.0 {
        return Ok(y0);
    }
    let fail = |day: f64, reason: String| Error::Solver { day, reason };
    let (mut t, mut y) = (t0, y0);
    let mut f0 = rhs.eval(t, &y);
    let mut h = if memory.last_step > 0.0 { memory.last_step } else { initial_step(rhs, &y, &f0, tol, span) };
    let mut next_output = 0;
    let mut steps = 0;
    let mut rejected = false;
    let (mut jac, mut ft) = rhs.jacobian(t, &y, &f0);
    while t < t1 {
        let last = t + h >= t1 - 1e-12 * t1.abs().max(1.0);
        let step = if last { t1 - t } else { h };
        let attempt = rhs.step(t, step, &y, &f0, &jac, &ft);
        // A singular stage matrix or a non-finite error counts as a failed step.
        let err = attempt.as_ref().map_or(f64::INFINITY, |a| rhs.norm(&a.error, &y, &a.y1, tol));
        let Some(Attempt { y1, dense, .. }) = attempt.filter(|_| err <= 1.0) else {
            let factor = if err.is_finite() { (SAFETY * err.powf(-0.2)).max(SHRINK_MAX) } else { 0.25 };
            h = step * factor;
            rejected = true;
            if h < 1e-14 * t.abs().max(1.0) {
                return Err(fail(t, format!("Rodas5P step size underflow ({h:e} days)")));
            }
            continue;
        };
        steps += 1;
        if steps > MAX_STEPS {
            return Err(fail(t, format!("more than {MAX_STEPS} Rodas5P steps")));
        }
        let accepted = Step { t, h: step, y0: y, y1, dense };
        let end = if last { t1 } else { t + step };
        while next_output < outputs.len() && outputs[next_output] <= end {
            at(next_output, &accepted.at(outputs[next_output]));
            next_output += 1;
        }
        let mut factor = (SAFETY * err.max(1e-10).powf(-0.2)).min(GROW_MAX);
        if rejected {
            factor = factor.min(1.0);
        }
        rejected = false;
        let proposal = step * factor;
        // A last step cut short to land on t1 says little: the next segment starts from the
        // nominal step unless this one proposes more.
        memory.last_step = if last { proposal.max(h) } else { proposal };
        h = proposal;
        t = end;
        y = y1;
        if t < t1 {
            f0 = rhs.eval(t, &y);
            (jac, ft) = rhs.jacobian(t, &y, &f0);
        }
    }
    Ok(y)
}

/// First step size (Hairer & Wanner's estimate): where the solution changes by about 1% of its
/// size, at most the whole span.
fn initial_step<const N: usize, F: System<f64, SVector<f64, N>>>(
    rhs: &Active<N, F>,
    y: &SVector<f64, N>,
    f0: &SVector<f64, N>,
    tol: Tolerances,
    span: f64,
) -> f64 {
    let d0 = rhs.norm(y, y, y, tol);
    let d1 = rhs.norm(f0, y, y, tol);
    let h = if d0 < 1e-5 || d1 < 1e-5 { 1e-6 * span.max(1.0) } else { 0.01 * d0 / d1 };
    h.min(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// y' = −λ(y − cos t) − sin t: solution cos t + (y₀ − 1)e^{−λt}; stiff for large λ.
    struct Prothero(f64);
    impl System<f64, SVector<f64, 1>> for Prothero {
        fn system(&self, t: f64, y: &SVector<f64, 1>, dy: &mut SVector<f64, 1>) {
            dy[0] = -self.0 * (y[0] - t.cos()) - t.sin();
        }
    }

    /// Van der Pol in Liénard form with μ: a nonlinear oscillator, stiff for large μ.
    struct VanDerPol(f64);
    impl System<f64, SVector<f64, 2>> for VanDerPol {
        fn system(&self, _t: f64, y: &SVector<f64, 2>, dy: &mut SVector<f64, 2>) {
            dy[0] = y[1];
            dy[1] = self.0 * (1.0 - y[0] * y[0]) * y[1] - y[0];
        }
    }

    /// Robertson's chemical kinetics: the classic stiff test (mass is conserved).
    struct Robertson;
    impl System<f64, SVector<f64, 3>> for Robertson {
        fn system(&self, _t: f64, y: &SVector<f64, 3>, dy: &mut SVector<f64, 3>) {
            dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
            dy[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1];
            dy[2] = 3e7 * y[1] * y[1];
        }
    }

    fn tol(relative: f64, absolute: f64) -> Tolerances {
        Tolerances { relative, absolute }
    }

    /// Fixed steps of size h (tolerances so loose that no step is rejected).
    fn fixed_steps<const N: usize, F: System<f64, SVector<f64, N>>>(
        f: &F,
        y0: SVector<f64, N>,
        t1: f64,
        steps: usize,
    ) -> SVector<f64, N> {
        let rhs = Active::new(f, N);
        let h = t1 / steps as f64;
        let mut y = y0;
        for s in 0..steps {
            let t = s as f64 * h;
            let f0 = rhs.eval(t, &y);
            let (jac, ft) = rhs.jacobian(t, &y, &f0);
            y = rhs.step(t, h, &y, &f0, &jac, &ft).unwrap().y1;
        }
        y
    }

    #[test]
    fn the_method_has_order_five() {
        // Non-stiff, nonlinear and non-autonomous enough to exercise every order condition.
        let f = VanDerPol(1.0);
        let y0 = SVector::from([2.0, 0.0]);
        let mut mem = StepMemory::default();
        let reference =
            integrate_dense(&Active::new(&f, 2), (0.0, 1.0), y0, tol(1e-13, 1e-15), &mut mem, &[], |_, _| {})
                .unwrap();
        let errors: Vec<f64> =
            [10, 20, 40].iter().map(|&n| (fixed_steps(&f, y0, 1.0, n) - reference).norm()).collect();
        for w in errors.windows(2) {
            let order = (w[0] / w[1]).log2();
            assert!((4.6..5.6).contains(&order), "observed order {order} from errors {errors:?}");
        }
    }

    #[test]
    fn time_dependence_enters_through_the_time_derivative() {
        // Prothero–Robinson with λ = 1: the error of 20 steps is at the 5th-order level only if
        // ∂f/∂t is used correctly.
        let f = Prothero(1.0);
        let y = fixed_steps(&f, SVector::from([1.0]), 2.0, 20);
        assert!((y[0] - 2f64.cos()).abs() < 1e-8, "{}", y[0] - 2f64.cos());
    }

    #[test]
    fn a_stiff_relaxation_takes_long_steps_and_stays_exact() {
        // λ = 1e6 (a time constant of a microsecond against a 10-unit span): an explicit method
        // would need ~3e6 steps.
        let f = Prothero(1e6);
        let mut mem = StepMemory::default();
        let y = integrate_dense(
            &Active::new(&f, 1),
            (0.0, 10.0),
            SVector::from([3.0]),
            tol(1e-8, 1e-10),
            &mut mem,
            &[],
            |_, _| {},
        )
        .unwrap();
        assert!((y[0] - 10f64.cos()).abs() < 1e-7, "end {}", y[0] - 10f64.cos());
        assert!(mem.last_step > 0.05, "last step {}", mem.last_step);
    }

    #[test]
    fn dense_output_in_a_stiff_component_is_accurate_at_the_full_paths_stiffness() {
        // Steps of ~0.1 against λ = 1e4: h/τ ≈ 1,000, as for the PIC (τ = 10 min) under steps
        // of a week. The continuous extension is less accurate there than the step ends
        // (measured 9e-8 against 1e-10 at rtol 1e-8; it degrades further as h/τ grows).
        let f = Prothero(1e4);
        let outputs: Vec<f64> = (1..=999).map(|i| i as f64 * 0.01).collect();
        let mut seen = Vec::new();
        let mut mem = StepMemory::default();
        integrate_dense(
            &Active::new(&f, 1),
            (0.0, 10.0),
            SVector::from([1.0]),
            tol(1e-8, 1e-10),
            &mut mem,
            &outputs,
            |i, y| seen.push((outputs[i], y[0])),
        )
        .unwrap();
        assert_eq!(seen.len(), outputs.len());
        for (t, v) in seen {
            assert!((v - t.cos()).abs() < 1e-6, "dense output at {t}: {}", v - t.cos());
        }
    }

    #[test]
    fn robertson_matches_the_published_solution_and_conserves_mass() {
        // Reference at t = 40 (Hairer & Wanner, Solving ODEs II, §IV.1):
        // y = (0.7158270687, 9.185534765e-6, 0.2841637457).
        let mut mem = StepMemory::default();
        let y = integrate_dense(
            &Active::new(&Robertson, 3),
            (0.0, 40.0),
            SVector::from([1.0, 0.0, 0.0]),
            tol(1e-10, 1e-14),
            &mut mem,
            &[],
            |_, _| {},
        )
        .unwrap();
        let expected = [0.7158270687, 9.185534765e-6, 0.2841637457];
        for i in 0..3 {
            assert!(
                ((y[i] - expected[i]) / expected[i]).abs() < 1e-6,
                "y[{i}] = {} vs {}",
                y[i],
                expected[i]
            );
        }
        assert!((y.sum() - 1.0).abs() < 1e-12, "mass {}", y.sum());
    }

    #[test]
    fn dense_output_matches_stepping_to_each_time() {
        let f = VanDerPol(5.0);
        let y0 = SVector::from([2.0, 0.0]);
        let outputs: Vec<f64> = (1..20).map(|i| i as f64 * 0.37).collect();
        let t = tol(1e-9, 1e-12);
        let mut dense = Vec::new();
        integrate_dense(
            &Active::new(&f, 2),
            (0.0, 7.4),
            y0,
            t,
            &mut StepMemory::default(),
            &outputs,
            |_, y| dense.push(*y),
        )
        .unwrap();
        for (i, &ti) in outputs.iter().enumerate() {
            let direct = integrate_dense(
                &Active::new(&f, 2),
                (0.0, ti),
                y0,
                t,
                &mut StepMemory::default(),
                &[],
                |_, _| {},
            )
            .unwrap();
            assert!((dense[i] - direct).norm() < 1e-6 * direct.norm(), "t {ti}: {} vs {}", dense[i], direct);
        }
    }

    #[test]
    fn inactive_states_are_left_alone() {
        struct Partial;
        impl System<f64, SVector<f64, 3>> for Partial {
            fn system(&self, _t: f64, y: &SVector<f64, 3>, dy: &mut SVector<f64, 3>) {
                dy[0] = -y[0];
                dy[2] = 1.0; // an inactive slot: ignored
            }
        }
        let y = integrate_dense(
            &Active::new(&Partial, 1),
            (0.0, 1.0),
            SVector::from([1.0, 7.0, 5.0]),
            tol(1e-10, 1e-12),
            &mut StepMemory::default(),
            &[],
            |_, _| {},
        )
        .unwrap();
        assert!((y[0] - (-1f64).exp()).abs() < 1e-9);
        assert_eq!((y[1], y[2]), (7.0, 5.0));
    }

    #[test]
    fn lu_solves_a_system_that_needs_pivoting() {
        let a = [[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]];
        let x = SVector::from([1.0, -2.0, 0.5]);
        let mut b = SVector::from([0.0; 3]);
        for i in 0..3 {
            b[i] = (0..3).map(|j| a[i][j] * x[j]).sum();
        }
        Lu::factor(a, 3).unwrap().solve(&mut b);
        assert!((b - x).norm() < 1e-14, "{b}");
        assert!(Lu::factor([[1.0, 2.0], [2.0, 4.0]], 2).is_none());
    }
}
