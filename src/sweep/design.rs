//! Sampling designs over factors scaled to [0, 1]: full grids, Latin hypercubes and Morris
//! trajectories, all deterministic for a given seed (points are generated, never drawn from a
//! shared generator, so the design is the same whatever the thread count).

use crate::population::Rng;

/// Levels of a grid factor on [0, 1]: `n` evenly spaced values (0.5 when n = 1). Computed as
/// i/(n−1), so long grids do not drift.
pub fn levels(n: usize) -> Vec<f64> {
    match n {
        0 => vec![],
        1 => vec![0.5],
        _ => (0..n).map(|i| i as f64 / (n - 1) as f64).collect(),
    }
}

/// Full factorial grid: every combination of the factors' levels, the last factor fastest.
pub fn grid(levels_per_factor: &[usize]) -> Vec<Vec<f64>> {
    let per: Vec<Vec<f64>> = levels_per_factor.iter().map(|&n| levels(n)).collect();
    let total: usize = per.iter().map(Vec::len).product();
    (0..total)
        .map(|mut index| {
            let mut point = vec![0.0; per.len()];
            for (k, lv) in per.iter().enumerate().rev() {
                point[k] = lv[index % lv.len()];
                index /= lv.len();
            }
            point
        })
        .collect()
}

/// Latin hypercube of `n` points in `d` dimensions: each factor's [0, 1] cut into n strata, one
/// point per stratum, strata shuffled independently per factor, a uniform jitter inside.
pub fn latin_hypercube(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut points = vec![vec![0.0; d]; n];
    for k in 0..d {
        let mut rng = Rng::new(seed, k as u64);
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            strata.swap(i, j);
        }
        for (i, p) in points.iter_mut().enumerate() {
            p[k] = (strata[i] as f64 + rng.uniform()) / n as f64;
        }
    }
    points
}

/// Morris (1991) elementary-effect trajectories: `r` trajectories of d + 1 points on a
/// `p`-level grid with step Δ = p / (2(p − 1)); each step moves one factor (in random order)
/// by ±Δ. Returns the points, trajectory by trajectory.
pub fn morris(r: usize, d: usize, p: usize, seed: u64) -> Vec<Vec<f64>> {
    let delta = p as f64 / (2.0 * (p - 1) as f64);
    let grid_step = 1.0 / (p - 1) as f64;
    let mut points = Vec::with_capacity(r * (d + 1));
    for t in 0..r {
        let mut rng = Rng::new(seed, t as u64);
        // Start on grid levels from which +Δ stays inside [0, 1].
        let lowest_levels = ((1.0 - delta) / grid_step).round() as u64 + 1;
        let mut x: Vec<f64> = (0..d).map(|_| (rng.next_u64() % lowest_levels) as f64 * grid_step).collect();
        let mut order: Vec<usize> = (0..d).collect();
        for i in (1..d).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        points.push(x.clone());
        for &k in &order {
            x[k] = if x[k] + delta <= 1.0 + 1e-12 { x[k] + delta } else { x[k] - delta };
            points.push(x.clone());
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_enumerates_every_combination() {
        let g = grid(&[2, 3]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0.0, 0.0]);
        assert_eq!(g[1], vec![0.0, 0.5]);
        assert_eq!(g[5], vec![1.0, 1.0]);
        assert_eq!(levels(1001)[1000], 1.0);
    }

    #[test]
    fn latin_hypercube_has_one_point_per_stratum() {
        let n = 50;
        let pts = latin_hypercube(n, 3, 9);
        for k in 0..3 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[k] * n as f64).floor() as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(pts, latin_hypercube(n, 3, 9), "seeded");
        assert_ne!(pts, latin_hypercube(n, 3, 10));
    }

    #[test]
    fn morris_steps_change_one_factor_by_delta() {
        let (r, d, p) = (5, 4, 4);
        let pts = morris(r, d, p, 3);
        assert_eq!(pts.len(), r * (d + 1));
        let delta = p as f64 / (2.0 * (p - 1) as f64);
        for t in 0..r {
            for s in 0..d {
                let (a, b) = (&pts[t * (d + 1) + s], &pts[t * (d + 1) + s + 1]);
                let moved: Vec<f64> =
                    a.iter().zip(b).map(|(x, y)| (y - x).abs()).filter(|v| *v > 1e-12).collect();
                assert_eq!(moved.len(), 1);
                assert!((moved[0] - delta).abs() < 1e-12);
                assert!(b.iter().all(|v| (-1e-12..=1.0 + 1e-12).contains(v)));
            }
        }
    }
}
