//! Time-to-event analysis of simulated trial arms, matching lifelines 0.30 (KaplanMeierFitter,
//! `logrank_test`, CoxPHFitter without penalty) so results read like a published analysis.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// One subject's follow-up: the time of the event, or of right-censoring when `event` is false.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub time: f64,
    pub event: bool,
}

/// The Kaplan–Meier estimate at one distinct observed time (event or censoring), with the
/// numbers behind it: subjects at risk just before `time`, events and censorings at `time`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KmStep {
    pub time: f64,
    pub at_risk: usize,
    pub events: usize,
    pub censored: usize,
    pub survival: f64,
    /// 95% confidence bounds, exponential Greenwood (log(-log) transform), as lifelines.
    pub low: f64,
    pub high: f64,
}

/// Log-rank test of two survival curves (chi-squared, 1 degree of freedom).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogRank {
    pub statistic: f64,
    pub p_value: f64,
}

/// A Cox proportional-hazards fit: per-covariate estimates on the caller's scale, Wald p-values
/// and 95% intervals of the hazard ratios.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoxFit {
    pub coefficients: Vec<f64>,
    pub standard_errors: Vec<f64>,
    pub hazard_ratios: Vec<f64>,
    pub hr_low: Vec<f64>,
    pub hr_high: Vec<f64>,
    pub p_values: Vec<f64>,
    /// Efron partial log-likelihood at the estimate (lifelines' `log_likelihood_`).
    pub log_likelihood: f64,
    pub iterations: usize,
}

/// The two-sided 95% normal quantile, from statrs rather than a typed-in constant.
fn z_975() -> f64 {
    Normal::standard().inverse_cdf(0.975)
}

/// Upper tail of chi-squared with 1 degree of freedom.
fn chi2_1_sf(x: f64) -> f64 {
    ChiSquared::new(1.0).map(|d| d.sf(x)).unwrap_or(f64::NAN)
}

fn validate(obs: &[Observation], what: &str) -> Result<(), String> {
    if obs.is_empty() {
        return Err(format!("{what}: no observations"));
    }
    match obs.iter().position(|o| !o.time.is_finite() || o.time < 0.0) {
        Some(i) => Err(format!("{what}: observation {i} has time {}, not a finite time >= 0", obs[i].time)),
        None => Ok(()),
    }
}

/// Distinct times in ascending order with (events, censorings) at each.
fn tally(obs: &[Observation]) -> Vec<(f64, usize, usize)> {
    let mut sorted: Vec<Observation> = obs.to_vec();
    sorted.sort_by(|a, b| a.time.total_cmp(&b.time));
    let mut rows: Vec<(f64, usize, usize)> = Vec::new();
    for o in sorted {
        if rows.last().is_none_or(|r| r.0 != o.time) {
            rows.push((o.time, 0, 0));
        }
        let row = rows.last_mut().expect("a row was just pushed");
        if o.event {
            row.1 += 1;
        } else {
            row.2 += 1;
        }
    }
    rows
}

/// Exponential Greenwood bounds: a normal interval for log(-log S), which stays inside [0, 1].
/// S = 1 (no event yet) and S = 0 are reported as degenerate intervals, as lifelines does.
fn log_log_interval(survival: f64, greenwood: f64, z: f64) -> (f64, f64) {
    if survival >= 1.0 {
        return (1.0, 1.0);
    }
    if survival <= 0.0 {
        return (0.0, 0.0);
    }
    let v = survival.ln();
    let half_width = z * greenwood.sqrt() / v;
    ((-((-v).ln() - half_width).exp()).exp(), (-((-v).ln() + half_width).exp()).exp())
}

/// Kaplan–Meier estimate, one row per distinct time (events or censorings), ascending.
pub fn kaplan_meier(obs: &[Observation]) -> Result<Vec<KmStep>, String> {
    validate(obs, "Kaplan-Meier")?;
    let z = z_975();
    let (mut at_risk, mut survival, mut greenwood) = (obs.len(), 1.0_f64, 0.0_f64);
    let mut steps = Vec::new();
    for (time, events, censored) in tally(obs) {
        if events > 0 {
            survival *= 1.0 - events as f64 / at_risk as f64;
            // The last subjects all failing add no variance (S is then exactly 0).
            if events < at_risk {
                greenwood += events as f64 / (at_risk as f64 * (at_risk - events) as f64);
            }
        }
        let (low, high) = log_log_interval(survival, greenwood, z);
        steps.push(KmStep { time, at_risk, events, censored, survival, low, high });
        at_risk -= events + censored;
    }
    Ok(steps)
}

/// S within this of 0.5 counts as 0.5: a curve that is exactly 1/2 on paper (4 of 8 failed)
/// must not move the median to the next event because a product rounded up by one ulp.
const MEDIAN_ROUNDING: f64 = 1e-12;

/// The first time at which S(t) <= 0.5 (lifelines' `median_survival_time_` definition); `None`
/// when the curve never gets there (an infinite median).
pub fn median_survival(steps: &[KmStep]) -> Option<f64> {
    steps.iter().find(|s| s.survival <= 0.5 + MEDIAN_ROUNDING).map(|s| s.time)
}

/// S(t) of the right-continuous step function: 1 before the first time.
pub fn survival_at(steps: &[KmStep], t: f64) -> f64 {
    let k = steps.partition_point(|s| s.time <= t);
    if k == 0 {
        1.0
    } else {
        steps[k - 1].survival
    }
}

/// Per distinct time of the pooled sample: events and censorings in a and in b.
fn two_group_tally(a: &[Observation], b: &[Observation]) -> Vec<(f64, [usize; 2], [usize; 2])> {
    let mut all: Vec<(Observation, usize)> =
        a.iter().map(|&o| (o, 0)).chain(b.iter().map(|&o| (o, 1))).collect();
    all.sort_by(|x, y| x.0.time.total_cmp(&y.0.time));
    let mut rows: Vec<(f64, [usize; 2], [usize; 2])> = Vec::new();
    for (o, g) in all {
        if rows.last().is_none_or(|r| r.0 != o.time) {
            rows.push((o.time, [0, 0], [0, 0]));
        }
        let row = rows.last_mut().expect("a row was just pushed");
        if o.event {
            row.1[g] += 1;
        } else {
            row.2[g] += 1;
        }
    }
    rows
}

/// Log-rank test that a and b share one survival curve (lifelines' `logrank_test`).
pub fn log_rank(a: &[Observation], b: &[Observation]) -> Result<LogRank, String> {
    validate(a, "log-rank, group a")?;
    validate(b, "log-rank, group b")?;
    let (mut n_a, mut n_b) = (a.len() as f64, b.len() as f64);
    let (mut observed_minus_expected, mut variance) = (0.0, 0.0);
    for (_, events, censored) in two_group_tally(a, b) {
        let (d, n) = ((events[0] + events[1]) as f64, n_a + n_b);
        if d > 0.0 {
            observed_minus_expected += events[0] as f64 - d * n_a / n;
            if n > 1.0 {
                variance += n_a * n_b * d * (n - d) / (n * n * (n - 1.0));
            }
        }
        n_a -= (events[0] + censored[0]) as f64;
        n_b -= (events[1] + censored[1]) as f64;
    }
    if variance <= 0.0 {
        return Err("log-rank: no information (no events while both groups are at risk)".into());
    }
    let statistic = observed_minus_expected * observed_minus_expected / variance;
    Ok(LogRank { statistic, p_value: chi2_1_sf(statistic) })
}

/// Covariates centred and scaled (sample standard deviation), as lifelines fits them: the
/// estimates do not depend on it, but the Newton path and its stopping rule do.
struct Standardized {
    x: DMatrix<f64>,
    std: Vec<f64>,
}

fn standardize(covariates: &[Vec<f64>]) -> Result<Standardized, String> {
    let (n, d) = (covariates.len(), covariates[0].len());
    let mut x = DMatrix::<f64>::zeros(n, d);
    let mut std = Vec::with_capacity(d);
    for j in 0..d {
        let column: Vec<f64> = covariates.iter().map(|row| row[j]).collect();
        let mean = column.iter().sum::<f64>() / n as f64;
        let ss: f64 = column.iter().map(|v| (v - mean) * (v - mean)).sum();
        let sd = (ss / (n as f64 - 1.0)).sqrt();
        if !(sd > 0.0 && sd.is_finite()) {
            return Err(format!("Cox: covariate {j} has zero variance"));
        }
        for (i, v) in column.iter().enumerate() {
            x[(i, j)] = (v - mean) / sd;
        }
        std.push(sd);
    }
    Ok(Standardized { x, std })
}

fn validate_cox(obs: &[Observation], covariates: &[Vec<f64>]) -> Result<(), String> {
    validate(obs, "Cox")?;
    if covariates.len() != obs.len() {
        return Err(format!("Cox: {} observations but {} covariate rows", obs.len(), covariates.len()));
    }
    let d = covariates[0].len();
    if d == 0 {
        return Err("Cox: no covariates".into());
    }
    if let Some(i) = covariates.iter().position(|r| r.len() != d || r.iter().any(|v| !v.is_finite())) {
        return Err(format!("Cox: covariate row {i} is not {d} finite numbers"));
    }
    if obs.len() < 2 {
        return Err("Cox: fewer than two observations".into());
    }
    if !obs.iter().any(|o| o.event) {
        return Err("Cox: no events".into());
    }
    Ok(())
}

/// Efron partial log-likelihood with its gradient and Hessian at `beta`.
struct Efron {
    log_likelihood: f64,
    gradient: DVector<f64>,
    hessian: DMatrix<f64>,
}

/// Running sums of risk scores r, r·x and r·x·xᵀ over a set of subjects.
struct ScoreSums {
    s0: f64,
    s1: DVector<f64>,
    s2: DMatrix<f64>,
}

impl ScoreSums {
    fn new(d: usize) -> Self {
        ScoreSums { s0: 0.0, s1: DVector::zeros(d), s2: DMatrix::zeros(d, d) }
    }

    fn add(&mut self, r: f64, x: &DVector<f64>) {
        self.s0 += r;
        self.s1.axpy(r, x, 1.0);
        self.s2.ger(r, x, x, 1.0);
    }
}

/// Adds one tied-death block to `acc`: the Efron terms remove the tied subjects' scores from
/// the risk set in equal fractions, as if they failed one after another in unknown order.
fn efron_block(
    acc: &mut Efron,
    risk: &ScoreSums,
    tie: &ScoreSums,
    m: usize,
    eta_sum: f64,
    x_sum: &DVector<f64>,
) {
    acc.log_likelihood += eta_sum;
    acc.gradient += x_sum;
    for l in 0..m {
        let frac = l as f64 / m as f64;
        let phi0 = risk.s0 - frac * tie.s0;
        let mean = (&risk.s1 - &tie.s1 * frac) / phi0;
        let second = (&risk.s2 - &tie.s2 * frac) / phi0;
        acc.log_likelihood -= phi0.ln();
        acc.gradient -= &mean;
        acc.hessian -= second - &mean * mean.transpose();
    }
}

/// Walks subjects from the latest time back, so each risk set is the running sum so far.
/// Scores are shifted by the largest linear predictor (every death contributes one predictor and
/// one log risk-set term, so the shift cancels) to keep exp from overflowing.
fn efron(x: &DMatrix<f64>, obs: &[Observation], order: &[usize], beta: &DVector<f64>) -> Efron {
    let d = x.ncols();
    let rows: Vec<DVector<f64>> = (0..x.nrows()).map(|i| x.row(i).transpose()).collect();
    let eta: Vec<f64> = rows.iter().map(|r| r.dot(beta)).collect();
    let shift = eta.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut acc = Efron { log_likelihood: 0.0, gradient: DVector::zeros(d), hessian: DMatrix::zeros(d, d) };
    let mut risk = ScoreSums::new(d);
    let mut k = order.len();
    while k > 0 {
        let time = obs[order[k - 1]].time;
        let (mut tie, mut m, mut eta_sum, mut x_sum) = (ScoreSums::new(d), 0, 0.0, DVector::zeros(d));
        while k > 0 && obs[order[k - 1]].time == time {
            let i = order[k - 1];
            let r = (eta[i] - shift).exp();
            risk.add(r, &rows[i]);
            if obs[i].event {
                tie.add(r, &rows[i]);
                m += 1;
                eta_sum += eta[i] - shift;
                x_sum += &rows[i];
            }
            k -= 1;
        }
        if m > 0 {
            efron_block(&mut acc, &risk, &tie, m, eta_sum, &x_sum);
        }
    }
    acc
}

/// lifelines' step-size schedule (`utils.StepSizer`): damped Newton steps, cut after large
/// moves and grown back while the step norms keep falling.
struct StepSizer {
    initial: f64,
    step: f64,
    temper_back_up: bool,
    norms: Vec<f64>,
}

impl StepSizer {
    fn new(initial: f64) -> Self {
        StepSizer { initial, step: initial, temper_back_up: false, norms: Vec::new() }
    }

    fn update(&mut self, norm: f64) -> f64 {
        self.norms.push(norm);
        if self.temper_back_up {
            self.step = (self.step * 1.3).min(self.initial);
        }
        if norm >= 15.0 {
            self.step *= 0.1;
            self.temper_back_up = true;
        } else if norm > 5.0 {
            self.step *= 0.25;
            self.temper_back_up = true;
        }
        if self.norms.len() >= 3 {
            let last = &self.norms[self.norms.len() - 3..];
            if last.windows(2).all(|w| w[1] < w[0]) {
                self.step = (self.step * 1.3).min(1.0);
            } else {
                self.step *= 0.98;
            }
        }
        self.step
    }
}

/// The converged point of the Newton iteration on the standardized scale.
struct Optimum {
    beta: DVector<f64>,
    efron: Efron,
    iterations: usize,
}

/// Cholesky factor of the information −H. A pivot that keeps less than 1e-10 of its diagonal
/// means a covariate is (numerically) a combination of the others: an error, not a huge step.
fn factor_information(
    hessian: &DMatrix<f64>,
) -> Result<nalgebra::linalg::Cholesky<f64, nalgebra::Dyn>, String> {
    let information = -hessian;
    let singular = || "Cox: the information matrix is singular (collinear covariates?)".to_string();
    let factor = information.clone().cholesky().ok_or_else(singular)?;
    let l = factor.l();
    match (0..information.nrows()).all(|j| l[(j, j)] * l[(j, j)] > 1e-10 * information[(j, j)]) {
        true => Ok(factor),
        false => Err(singular()),
    }
}

const MAX_STEPS: usize = 500;
const PRECISION: f64 = 1e-7;
const R_PRECISION: f64 = 1e-9;

/// Newton–Raphson as lifelines' `_newton_raphson_for_efron_model` (same start, steps and stopping
/// rules), so the estimate is the one lifelines reports, not merely a nearby point.
fn newton(x: &DMatrix<f64>, obs: &[Observation], order: &[usize]) -> Result<Optimum, String> {
    let d = x.ncols();
    let mut sizer = StepSizer::new(0.95);
    let (mut step, mut beta, mut delta) = (sizer.step, DVector::zeros(d), DVector::zeros(d));
    let mut previous_ll = 0.0;
    for iteration in 1..=MAX_STEPS {
        beta.axpy(step, &delta, 1.0);
        let efron = efron(x, obs, order, &beta);
        delta = factor_information(&efron.hessian)?.solve(&efron.gradient);
        if delta.iter().any(|v| !v.is_finite()) {
            return Err("Cox: the Newton step is not finite".into());
        }
        let (norm, decrement, ll) = (delta.norm(), efron.gradient.dot(&delta) / 2.0, efron.log_likelihood);
        let relative = (ll - previous_ll).abs() / -previous_ll;
        if norm < PRECISION || (previous_ll != 0.0 && relative < R_PRECISION) || decrement < PRECISION {
            return Ok(Optimum { beta, efron, iterations: iteration });
        }
        if step <= 1e-5 {
            return Err("Cox: the Newton step size collapsed before convergence".into());
        }
        if ll.abs() < 1e-4 && norm > 1.0 {
            return Err("Cox: the partial likelihood approaches 0: complete separation".into());
        }
        previous_ll = ll;
        step = sizer.update(norm);
    }
    Err(format!("Cox: no convergence in {MAX_STEPS} Newton steps"))
}

/// Cox proportional-hazards model with Efron's tie handling (lifelines' CoxPHFitter, no
/// penalty); `covariates[i]` belongs to `obs[i]`.
pub fn cox_ph(obs: &[Observation], covariates: &[Vec<f64>]) -> Result<CoxFit, String> {
    validate_cox(obs, covariates)?;
    let standardized = standardize(covariates)?;
    let mut order: Vec<usize> = (0..obs.len()).collect();
    order.sort_by(|&i, &j| obs[i].time.total_cmp(&obs[j].time));
    let optimum = newton(&standardized.x, obs, &order)?;
    let covariance = factor_information(&optimum.efron.hessian)?.inverse();
    Ok(cox_summary(&optimum, &covariance, &standardized.std))
}

/// Back to the caller's scale: β/sd, SE/sd; Wald tests and intervals from there.
fn cox_summary(optimum: &Optimum, covariance: &DMatrix<f64>, std: &[f64]) -> CoxFit {
    let z = z_975();
    let coefficients: Vec<f64> = std.iter().enumerate().map(|(j, sd)| optimum.beta[j] / sd).collect();
    let standard_errors: Vec<f64> =
        std.iter().enumerate().map(|(j, sd)| covariance[(j, j)].sqrt() / sd).collect();
    let pairs = || coefficients.iter().zip(&standard_errors);
    CoxFit {
        hazard_ratios: coefficients.iter().map(|b| b.exp()).collect(),
        hr_low: pairs().map(|(b, se)| (b - z * se).exp()).collect(),
        hr_high: pairs().map(|(b, se)| (b + z * se).exp()).collect(),
        p_values: pairs().map(|(b, se)| chi2_1_sf((b / se) * (b / se))).collect(),
        log_likelihood: optimum.efron.log_likelihood,
        iterations: optimum.iterations,
        coefficients,
        standard_errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(pairs: &[(f64, bool)]) -> Vec<Observation> {
        pairs.iter().map(|&(time, event)| Observation { time, event }).collect()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Six subjects, by hand: S = 5/6 at 1, (5/6)(3/4) = 0.625 at 3 (4 at risk), unchanged at the
    /// censoring at 4, and 0.625·(1/2) = 0.3125 at 5 (one death, one censoring, 2 at risk).
    #[test]
    fn kaplan_meier_matches_hand_computation() {
        let data = obs(&[(1.0, true), (2.0, false), (3.0, true), (4.0, false), (5.0, true), (5.0, false)]);
        let km = kaplan_meier(&data).unwrap();
        let times: Vec<f64> = km.iter().map(|s| s.time).collect();
        assert_eq!(times, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        let at_risk: Vec<usize> = km.iter().map(|s| s.at_risk).collect();
        assert_eq!(at_risk, vec![6, 5, 4, 3, 2]);
        let expected = [5.0 / 6.0, 5.0 / 6.0, 5.0 / 8.0, 5.0 / 8.0, 5.0 / 16.0];
        for (s, e) in km.iter().zip(expected) {
            assert!(close(s.survival, e, 1e-15), "{} vs {e}", s.survival);
        }
        assert_eq!((km[4].events, km[4].censored), (1, 1));
        // Greenwood at t = 1: 1/(6·5); the log(-log) bounds by hand.
        let (v, z) = ((5.0_f64 / 6.0).ln(), 1.959963984540054);
        let se = (1.0_f64 / 30.0).sqrt();
        let low = (-((-v).ln() - z * se / v).exp()).exp();
        assert!(close(km[0].low, low, 1e-12), "{} vs {low}", km[0].low);
        assert_eq!(median_survival(&km), Some(5.0));
    }

    #[test]
    fn survival_is_non_increasing_and_inside_its_interval() {
        let data: Vec<Observation> = (0..40)
            .map(|i| Observation { time: ((i * 7919) % 23) as f64 + 0.5, event: i % 3 != 0 })
            .collect();
        let km = kaplan_meier(&data).unwrap();
        for w in km.windows(2) {
            assert!(w[1].survival <= w[0].survival);
            assert!(w[1].time > w[0].time);
        }
        for s in &km {
            assert!((0.0..=1.0).contains(&s.survival));
            assert!(s.low <= s.survival && s.survival <= s.high, "{s:?}");
            assert!(s.low >= 0.0 && s.high <= 1.0);
        }
    }

    #[test]
    fn all_failing_ends_at_zero_and_median_none_when_above_half() {
        let km = kaplan_meier(&obs(&[(1.0, true), (2.0, true)])).unwrap();
        assert_eq!((km[1].survival, km[1].low, km[1].high), (0.0, 0.0, 0.0));
        let km = kaplan_meier(&obs(&[(1.0, true), (2.0, false), (3.0, false)])).unwrap();
        assert_eq!(median_survival(&km), None);
    }

    /// Eight subjects, one death each: S = 4/8 after the fourth, so that is the median whatever
    /// the rounding of 7/8 · 6/7 · 5/6 · 4/5.
    #[test]
    fn median_on_an_exact_half() {
        let data: Vec<Observation> = (1..=8).map(|i| Observation { time: i as f64, event: true }).collect();
        assert_eq!(median_survival(&kaplan_meier(&data).unwrap()), Some(4.0));
    }

    #[test]
    fn survival_at_is_right_continuous() {
        let km = kaplan_meier(&obs(&[(1.0, true), (2.0, true), (3.0, false), (4.0, true)])).unwrap();
        assert_eq!(survival_at(&km, 0.5), 1.0);
        assert_eq!(survival_at(&km, 1.0), 0.75);
        assert_eq!(survival_at(&km, 1.999), 0.75);
        assert_eq!(survival_at(&km, 2.0), 0.5);
        assert_eq!(survival_at(&km, 10.0), 0.0);
    }

    #[test]
    fn empty_and_invalid_input_are_errors() {
        assert!(kaplan_meier(&[]).is_err());
        assert!(kaplan_meier(&obs(&[(f64::NAN, true)])).is_err());
        assert!(log_rank(&obs(&[(1.0, true)]), &[]).is_err());
        assert!(log_rank(&obs(&[(1.0, false)]), &obs(&[(2.0, false)])).is_err());
    }

    /// Two subjects, one per group; the a-subject dies first with both at risk: O − E = 1 − 1/2,
    /// V = 1·1·1·1/(4·1) = 1/4, so the statistic is 1.
    #[test]
    fn log_rank_by_hand_and_symmetric() {
        let (a, b) = (obs(&[(1.0, true)]), obs(&[(2.0, true)]));
        let lr = log_rank(&a, &b).unwrap();
        assert!(close(lr.statistic, 1.0, 1e-15));
        assert!(close(lr.p_value, 0.31731050786291415, 1e-12), "{}", lr.p_value);
        let a = obs(&[(1.0, true), (3.0, true), (4.0, false), (6.0, true), (6.0, true)]);
        let b = obs(&[(2.0, true), (2.0, false), (5.0, true), (7.0, true), (8.0, false), (9.0, true)]);
        let (ab, ba) = (log_rank(&a, &b).unwrap(), log_rank(&b, &a).unwrap());
        assert!(close(ab.statistic, ba.statistic, 1e-12) && close(ab.p_value, ba.p_value, 1e-12));
        assert!((0.0..=1.0).contains(&ab.p_value));
    }

    /// One binary covariate, no ties. Reference: lifelines 0.30 CoxPHFitter on the same data
    /// (coef 1.9248151821082895, se 1.1312716991898688, log-likelihood -6.233822602924075). Its
    /// stopping rule ends 5e-5 short of the exact maximum, so this also pins the iteration.
    #[test]
    fn cox_matches_lifelines_on_a_small_example() {
        let times = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let events = [true, true, false, true, true, true, false, true];
        let data: Vec<Observation> =
            times.iter().zip(events).map(|(&time, event)| Observation { time, event }).collect();
        let x: Vec<Vec<f64>> = [1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0].iter().map(|&v| vec![v]).collect();
        let fit = cox_ph(&data, &x).unwrap();
        assert!(close(fit.coefficients[0], 1.9248151821082895, 1e-10), "{}", fit.coefficients[0]);
        assert!(close(fit.standard_errors[0], 1.1312716991898688, 1e-10), "{}", fit.standard_errors[0]);
        assert!(close(fit.log_likelihood, -6.233822602924075, 1e-12), "{}", fit.log_likelihood);
        assert_eq!(fit.iterations, 4);
        assert!(close(fit.p_values[0], 0.08885637, 1e-8) && close(fit.hr_low[0], 0.74644256, 1e-8));
        assert!(fit.hr_low[0] < fit.hazard_ratios[0] && fit.hazard_ratios[0] < fit.hr_high[0]);
        // The likelihood there is the raw-scale one: standardizing changes no likelihood.
        let raw = DMatrix::from_fn(8, 1, |i, _| x[i][0]);
        let order: Vec<usize> = (0..8).collect();
        let at = efron(&raw, &data, &order, &DVector::from_vec(fit.coefficients.clone()));
        assert!(close(at.log_likelihood, fit.log_likelihood, 1e-12));
        assert!(at.gradient[0].abs() < 1e-4, "score {}", at.gradient[0]);
    }

    /// With a single covariate and beta = 0, Efron's two tied deaths among n at risk give the
    /// closed form log(n) + log(n - 1) for the log term: check the likelihood at zero.
    #[test]
    fn efron_ties_at_zero() {
        let data = obs(&[(1.0, true), (1.0, true), (2.0, false), (3.0, false)]);
        let x = DMatrix::from_row_slice(4, 1, &[0.3, -1.0, 2.0, 0.5]);
        let at = efron(&x, &data, &[0, 1, 2, 3], &DVector::zeros(1));
        assert!(close(at.log_likelihood, -(4.0_f64.ln() + 3.0_f64.ln()), 1e-12));
    }

    #[test]
    fn cox_degenerate_input_is_an_error() {
        let data = obs(&[(1.0, true), (2.0, false), (3.0, true)]);
        assert!(cox_ph(&data, &[vec![1.0], vec![1.0], vec![1.0]]).unwrap_err().contains("zero variance"));
        assert!(cox_ph(&data, &[vec![1.0], vec![2.0]]).is_err());
        let censored = obs(&[(1.0, false), (2.0, false)]);
        assert!(cox_ph(&censored, &[vec![1.0], vec![2.0]]).unwrap_err().contains("no events"));
        let collinear: Vec<Vec<f64>> = (0..3).map(|i| vec![i as f64, 2.0 * i as f64]).collect();
        assert!(cox_ph(&data, &collinear).is_err());
    }
}
