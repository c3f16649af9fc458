//! Global sensitivity analysis: Sobol' first-order, total and second-order indices from a
//! Saltelli design (Saltelli et al. 2010 first order with centred outputs, as SALib; Jansen 1999
//! total; Saltelli 2002 second order) with bootstrap confidence intervals, and Morris (1991)
//! elementary effects μ*, μ, σ (Campolongo 2007 μ*).

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

/// The second-order index of factors `j` < `k` (their interaction's share of the variance,
/// beyond both first-order effects) with a 95% bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SecondOrderIndex {
    pub j: usize,
    pub k: usize,
    pub second: f64,
    pub second_low: f64,
    pub second_high: f64,
}

/// The outputs of a [`super::design::Design::saltelli`] design, by block: A, AB_1 … AB_d,
/// (BA_1 … BA_d,) B per base row, centred on the mean of all outputs (as SALib standardises
/// them: the same expectations, less variance in the first-order and second-order numerators).
struct Blocks<'a> {
    y: &'a [f64],
    d: usize,
    block: usize,
    center: f64,
}

impl Blocks<'_> {
    fn a(&self, row: usize) -> f64 {
        self.y[row * self.block] - self.center
    }
    fn b(&self, row: usize) -> f64 {
        self.y[row * self.block + self.block - 1] - self.center
    }
    fn ab(&self, row: usize, i: usize) -> f64 {
        self.y[row * self.block + 1 + i] - self.center
    }
    fn ba(&self, row: usize, i: usize) -> f64 {
        self.y[row * self.block + 1 + self.d + i] - self.center
    }

    /// The variance of A and B pooled, over `rows`.
    fn variance(&self, rows: &[usize]) -> f64 {
        let (mut sum, mut sq) = (0.0, 0.0);
        for &r in rows {
            let (a, b) = (self.a(r), self.b(r));
            sum += a + b;
            sq += a * a + b * b;
        }
        let m = 2.0 * rows.len() as f64;
        sq / m - (sum / m).powi(2)
    }

    /// Saltelli (2010) first-order numerator mean(B·(AB_i − A)).
    fn first(&self, rows: &[usize], i: usize) -> f64 {
        rows.iter().map(|&r| self.b(r) * (self.ab(r, i) - self.a(r))).sum::<f64>() / rows.len() as f64
    }

    /// Jansen (1999) total numerator mean((A − AB_i)²)/2.
    fn total(&self, rows: &[usize], i: usize) -> f64 {
        rows.iter().map(|&r| (self.a(r) - self.ab(r, i)).powi(2)).sum::<f64>() / (2.0 * rows.len() as f64)
    }

    /// First-order and total indices of factor `i` over `rows`.
    fn first_and_total(&self, rows: &[usize], i: usize) -> (f64, f64) {
        let var = self.variance(rows);
        (self.first(rows, i) / var, self.total(rows, i) / var)
    }

    /// Saltelli (2002) second-order index of factors j, k over `rows`: the closed index
    /// mean(BA_j·AB_k − A·B)/V less both first-order indices (SALib's estimator).
    fn second(&self, rows: &[usize], j: usize, k: usize) -> f64 {
        let var = self.variance(rows);
        let closed = rows.iter().map(|&r| self.ba(r, j) * self.ab(r, k) - self.a(r) * self.b(r)).sum::<f64>()
            / rows.len() as f64;
        (closed - self.first(rows, j) - self.first(rows, k)) / var
    }
}

/// Seeded bootstrap resamples of the `n` base rows, the same for every factor of one stream.
fn resampled_rows(n: usize, resamples: usize, seed: u64, stream: u64) -> impl Iterator<Item = Vec<usize>> {
    let mut rng = Rng::new(seed, stream);
    (0..resamples).map(move |_| (0..n).map(|_| (rng.next_u64() % n as u64) as usize).collect())
}

/// The 2.5% and 97.5% points of bootstrap estimates.
fn interval(mut v: Vec<f64>) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
    (q(0.025), q(0.975))
}

fn blocks(y: &[f64], n: usize, d: usize, second_order: bool) -> Blocks<'_> {
    let block = super::design::Design::saltelli_block(d, second_order);
    assert_eq!(y.len(), n * block, "one output per design point");
    Blocks { y, d, block, center: y.iter().sum::<f64>() / y.len() as f64 }
}

/// Sobol' indices of `d` factors from outputs `y` of a Saltelli design with base size `n`
/// (with or without the BA rows of `second_order`); bootstrap over base rows (`resamples`,
/// seeded) for 95% intervals.
pub fn sobol(
    y: &[f64],
    n: usize,
    d: usize,
    second_order: bool,
    resamples: usize,
    seed: u64,
) -> Vec<SobolIndex> {
    let blocks = blocks(y, n, d, second_order);
    let all: Vec<usize> = (0..n).collect();
    (0..d)
        .map(|i| {
            let (first, total) = blocks.first_and_total(&all, i);
            let (f, t): (Vec<f64>, Vec<f64>) = resampled_rows(n, resamples, seed, 1_000_000 + i as u64)
                .map(|rows| blocks.first_and_total(&rows, i))
                .unzip();
            let ((first_low, first_high), (total_low, total_high)) = (interval(f), interval(t));
            SobolIndex { first, first_low, first_high, total, total_low, total_high }
        })
        .collect()
}

/// Second-order indices of every pair j < k from outputs `y` of a second-order Saltelli
/// design (2d + 2 runs per base row), with 95% bootstrap intervals.
pub fn sobol_second_order(
    y: &[f64],
    n: usize,
    d: usize,
    resamples: usize,
    seed: u64,
) -> Vec<SecondOrderIndex> {
    let blocks = blocks(y, n, d, true);
    let all: Vec<usize> = (0..n).collect();
    let mut pairs = Vec::new();
    for j in 0..d {
        for k in j + 1..d {
            let stream = 3_000_000 + (j * d + k) as u64;
            let boot =
                resampled_rows(n, resamples, seed, stream).map(|rows| blocks.second(&rows, j, k)).collect();
            let (second_low, second_high) = interval(boot);
            pairs.push(SecondOrderIndex { j, k, second: blocks.second(&all, j, k), second_low, second_high });
        }
    }
    pairs
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
        let pts = super::super::design::Design::saltelli(n, 3, false, 11).points();
        let y: Vec<f64> = pts.iter().map(|p| ishigami(p)).collect();
        let idx = sobol(&y, n, 3, false, 200, 5);
        let want = [(0.3139, 0.5576), (0.4424, 0.4424), (0.0, 0.2437)];
        for (i, (s1, st)) in want.iter().enumerate() {
            assert!((idx[i].first - s1).abs() < 0.04, "S1[{i}] {}", idx[i].first);
            assert!((idx[i].total - st).abs() < 0.04, "ST[{i}] {}", idx[i].total);
            assert!(idx[i].first_low <= idx[i].first && idx[i].first <= idx[i].first_high);
        }
    }

    #[test]
    fn second_order_indices_of_ishigami_match_the_analytic_values() {
        // Analytic: the only interaction is x1·x3, S13 = 0.2437 (= ST3); S12 = S23 = 0.
        let n = 8192;
        let pts = super::super::design::Design::saltelli(n, 3, true, 11).points();
        let y: Vec<f64> = pts.iter().map(|p| ishigami(p)).collect();
        let pairs = sobol_second_order(&y, n, 3, 200, 5);
        let want = [((0, 1), 0.0), ((0, 2), 0.2437), ((1, 2), 0.0)];
        assert_eq!(pairs.len(), want.len());
        for (p, ((j, k), s2)) in pairs.iter().zip(want) {
            assert_eq!((p.j, p.k), (j, k));
            assert!((p.second - s2).abs() < 0.05, "S2[{j},{k}] = {}", p.second);
            assert!(p.second_low <= p.second && p.second <= p.second_high, "{p:?}");
        }
        // The BA rows leave the first-order and total estimates of the same A, AB, B unchanged.
        let first: Vec<f64> = super::super::design::Design::saltelli(n, 3, false, 11)
            .points()
            .iter()
            .map(|p| ishigami(p))
            .collect();
        let (with, without) = (sobol(&y, n, 3, true, 0, 5), sobol(&first, n, 3, false, 0, 5));
        for (a, b) in with.iter().zip(&without) {
            assert!((a.first - b.first).abs() < 1e-12 && (a.total - b.total).abs() < 1e-12);
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
