//! Global sensitivity analysis: Sobol' first-order and total indices from a Saltelli design
//! (Saltelli et al. 2010 first order with centred outputs, as SALib; Jansen 1999 total) with bootstrap confidence
//! intervals, and Morris (1991) elementary effects μ*, μ, σ (Campolongo 2007 μ*).

use crate::population::Rng;

/// Indices of one factor with 95% bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SobolIndex {
    pub first: f64,
    pub first_low: f64,
    pub first_high: f64,
    pub total: f64,
    pub total_low: f64,
    pub total_high: f64,
}

/// First-order and total estimates from base rows `rows`; `center` is the mean of all outputs,
/// subtracted from B in the first-order numerator (as SALib does by standardising the outputs:
/// same expectation, less variance).
fn estimates(y: &[f64], rows: &[usize], d: usize, i: usize, center: f64) -> (f64, f64) {
    let block = d + 2;
    let (mut var_sum, mut var_sq, mut s1, mut st) = (0.0, 0.0, 0.0, 0.0);
    for &j in rows {
        let (a, ab, b) = (y[j * block], y[j * block + 1 + i], y[j * block + d + 1]);
        var_sum += a + b;
        var_sq += a * a + b * b;
        s1 += (b - center) * (ab - a);
        st += (a - ab) * (a - ab);
    }
    let m = rows.len() as f64;
    let mean = var_sum / (2.0 * m);
    let var = var_sq / (2.0 * m) - mean * mean;
    (s1 / m / var, st / (2.0 * m) / var)
}

/// Sobol' indices of `d` factors from outputs `y` of a [`saltelli`] design with base size `n`;
/// bootstrap over base rows (`resamples`, seeded) for 95% intervals.
pub fn sobol(y: &[f64], n: usize, d: usize, resamples: usize, seed: u64) -> Vec<SobolIndex> {
    assert_eq!(y.len(), n * (d + 2), "one output per design point");
    let all: Vec<usize> = (0..n).collect();
    let center = y.iter().sum::<f64>() / y.len() as f64;
    (0..d)
        .map(|i| {
            let (first, total) = estimates(y, &all, d, i, center);
            let mut rng = Rng::new(seed, 1_000_000 + i as u64);
            let (mut f, mut t): (Vec<f64>, Vec<f64>) = (0..resamples)
                .map(|_| {
                    let rows: Vec<usize> = (0..n).map(|_| (rng.next_u64() % n as u64) as usize).collect();
                    estimates(y, &rows, d, i, center)
                })
                .unzip();
            f.sort_by(f64::total_cmp);
            t.sort_by(f64::total_cmp);
            let q = |v: &[f64], p: f64| v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
            SobolIndex {
                first,
                first_low: q(&f, 0.025),
                first_high: q(&f, 0.975),
                total,
                total_low: q(&t, 0.025),
                total_high: q(&t, 0.975),
            }
        })
        .collect()
}

/// Morris indices of one factor.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MorrisIndex {
    pub mu_star: f64,
    /// 95% bootstrap interval of mu* (the factor's elementary effects resampled).
    pub mu_star_low: f64,
    pub mu_star_high: f64,
    pub mu: f64,
    pub sigma: f64,
}

/// Morris indices from the points of [`super::design::Design::morris`] (unit scale) and their
/// outputs, with a 95% interval of mu* from `resamples` seeded bootstrap resamples of each
/// factor's elementary effects (as SALib's `num_resamples`).
pub fn morris(points: &[Vec<f64>], y: &[f64], d: usize, resamples: usize, seed: u64) -> Vec<MorrisIndex> {
    let r = points.len() / (d + 1);
    let mut effects = vec![Vec::with_capacity(r); d];
    for t in 0..r {
        for s in 0..d {
            let (k0, k1) = (t * (d + 1) + s, t * (d + 1) + s + 1);
            let (a, b) = (&points[k0], &points[k1]);
            let i = (0..d).max_by(|&p, &q| (b[p] - a[p]).abs().total_cmp(&(b[q] - a[q]).abs())).unwrap();
            effects[i].push((y[k1] - y[k0]) / (b[i] - a[i]));
        }
    }
    effects
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let m = e.len() as f64;
            let mu = e.iter().sum::<f64>() / m;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / m;
            let sigma = if e.len() > 1 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (m - 1.0)).sqrt()
            } else {
                0.0
            };
            let mut rng = Rng::new(seed, 2_000_000 + i as u64);
            let mut boot: Vec<f64> = (0..resamples)
                .map(|_| {
                    let total: f64 =
                        (0..e.len()).map(|_| e[(rng.uniform() * m) as usize % e.len()].abs()).sum();
                    total / m
                })
                .collect();
            boot.sort_by(f64::total_cmp);
            let q = |p: f64| {
                if boot.is_empty() {
                    f64::NAN
                } else {
                    boot[((p * boot.len() as f64) as usize).min(boot.len() - 1)]
                }
            };
            MorrisIndex { mu_star, mu_star_low: q(0.025), mu_star_high: q(0.975), mu, sigma }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// Ishigami function on [-π, π]^3 (a = 7, b = 0.1), the standard test of SALib.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn sobol_indices_of_ishigami_match_the_analytic_values() {
        // Analytic: S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
        let n = 8192;
        let pts = super::super::design::Design::saltelli(n, 3, 11).points();
        let y: Vec<f64> = pts.iter().map(|p| ishigami(p)).collect();
        let idx = sobol(&y, n, 3, 200, 5);
        let want = [(0.3139, 0.5576), (0.4424, 0.4424), (0.0, 0.2437)];
        for (i, (s1, st)) in want.iter().enumerate() {
            assert!((idx[i].first - s1).abs() < 0.04, "S1[{i}] {}", idx[i].first);
            assert!((idx[i].total - st).abs() < 0.04, "ST[{i}] {}", idx[i].total);
            assert!(idx[i].first_low <= idx[i].first && idx[i].first <= idx[i].first_high);
        }
    }

    #[test]
    fn morris_ranks_ishigami_factors() {
        let pts = super::super::design::Design::morris(200, 3, 4, 3).points();
        let y: Vec<f64> = pts.iter().map(|p| ishigami(p)).collect();
        let m = morris(&pts, &y, 3, 1000, 1);
        // x3 alone has no first-order effect but interacts with x1; x1 and x2 dominate.
        assert!(m[0].mu_star > m[2].mu_star && m[1].mu_star > m[2].mu_star, "{m:?}");
        assert!(m[1].mu.abs() < 0.5 * m[1].mu_star, "x2 effects cancel in sign: {m:?}");
        for x in &m {
            assert!(x.mu_star_low <= x.mu_star && x.mu_star <= x.mu_star_high, "{x:?}");
        }
        // The interval narrows with more trajectories (about 1/sqrt(r)).
        let few = super::super::design::Design::morris(20, 3, 4, 3).points();
        let yf: Vec<f64> = few.iter().map(|p| ishigami(p)).collect();
        let mf = morris(&few, &yf, 3, 1000, 1);
        assert!(mf[0].mu_star_high - mf[0].mu_star_low > 2.0 * (m[0].mu_star_high - m[0].mu_star_low));
    }
}
