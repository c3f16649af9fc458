//! Sampling designs over factors scaled to [0, 1]: full grids, Latin hypercubes, Morris
//! trajectories and Saltelli's Sobol'-sequence scheme, all deterministic for a given seed.
//! Every point is computed from its index (never drawn from a shared generator), so the design
//! is the same whatever the thread count, and a sweep of a million runs never holds them all.

use crate::population::Rng;

/// Level `i` of `n` evenly spaced levels of a grid factor on [0, 1] (0.5 when n = 1).
/// Computed as i/(n−1), so long grids do not drift; never tabulated, so a factor's level count
/// costs no memory.
pub fn level(i: usize, n: usize) -> f64 {
    if n <= 1 {
        0.5
    } else {
        i as f64 / (n - 1) as f64
    }
}

/// All `n` levels of a grid factor (see [`level`]).
pub fn levels(n: usize) -> Vec<f64> {
    (0..n).map(|i| level(i, n)).collect()
}

/// A sampling design: `len()` points on [0, 1]^d, each computed from its index alone, so a
/// sweep generates them chunk by chunk and memory does not grow with the number of runs.
pub enum Design {
    /// Full factorial grid of the given level counts, the last factor fastest.
    Grid(Vec<usize>),
    /// Latin hypercube: one point per stratum of each factor, strata shuffled by a seeded
    /// [`Permutation`] per factor, a seeded uniform jitter inside.
    Lhs { n: usize, d: usize, seed: u64, strata: Vec<Permutation> },
    /// Morris trajectories of d + 1 points on a `p`-level grid.
    Morris { r: usize, d: usize, p: usize, seed: u64 },
    /// `n` runs told apart by their index alone (virtual patients: each draws its own values).
    Indexed(usize),
    /// Saltelli's scheme on a Sobol' sequence: per base row A, AB_1 … AB_d, then (for
    /// second-order indices) BA_1 … BA_d, then B: SALib's block order.
    Saltelli { n: usize, d: usize, second_order: bool, sobol: super::sobol_sequence::Sobol, shifts: Vec<u32> },
}

impl Design {
    /// Full factorial grid of the given levels per factor.
    pub fn grid(levels_per_factor: &[usize]) -> Design {
        Design::Grid(levels_per_factor.to_vec())
    }

    /// Latin hypercube of `n` points in `d` dimensions.
    pub fn lhs(n: usize, d: usize, seed: u64) -> Design {
        let strata = (0..d).map(|k| Permutation::new(n as u64, seed, k as u64)).collect();
        Design::Lhs { n, d, seed, strata }
    }

    /// `r` Morris trajectories on a `p`-level grid in `d` dimensions.
    pub fn morris(r: usize, d: usize, p: usize, seed: u64) -> Design {
        Design::Morris { r, d, p, seed }
    }

    /// Saltelli (2010) design of `n` base rows in `d` dimensions: A and B are the first and last
    /// d coordinates of the Sobol' sequence (points 0..n) with a seeded random digital shift
    /// (XOR), which keeps the sequence's stratification and makes the seed matter. With
    /// `second_order`, each block also holds BA_1 … BA_d (B with column i from A), 2d + 2 runs.
    pub fn saltelli(n: usize, d: usize, second_order: bool, seed: u64) -> Design {
        let mut rng = Rng::new(seed, u64::MAX);
        let shifts = (0..2 * d).map(|_| (rng.next_u64() >> 32) as u32).collect();
        Design::Saltelli { n, d, second_order, sobol: super::sobol_sequence::Sobol::new(2 * d), shifts }
    }

    /// Runs per base row of a Saltelli design: d + 2, or 2d + 2 with second-order indices.
    pub fn saltelli_block(d: usize, second_order: bool) -> usize {
        if second_order {
            2 * d + 2
        } else {
            d + 2
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Design::Grid(counts) => counts.iter().product(),
            Design::Lhs { n, .. } | Design::Indexed(n) => *n,
            Design::Morris { r, d, .. } => r * (d + 1),
            Design::Saltelli { n, d, second_order, .. } => n * Design::saltelli_block(*d, *second_order),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `i` (< len()).
    pub fn point(&self, i: usize) -> Vec<f64> {
        match self {
            Design::Grid(counts) => {
                let mut index = i;
                let mut point = vec![0.0; counts.len()];
                for (k, &n) in counts.iter().enumerate().rev() {
                    point[k] = level(index % n, n);
                    index /= n;
                }
                point
            }
            Design::Lhs { n, d, seed, strata } => (0..*d)
                .map(|k| {
                    let jitter = Rng::new(*seed ^ 0x5EED_1A7E, (i as u64) * (*d as u64) + k as u64).uniform();
                    (strata[k].apply(i as u64) as f64 + jitter) / *n as f64
                })
                .collect(),
            Design::Morris { d, p, seed, .. } => morris_point(i / (d + 1), i % (d + 1), *d, *p, *seed),
            Design::Indexed(_) => Vec::new(),
            Design::Saltelli { d, second_order, sobol, shifts, .. } => {
                let block = Design::saltelli_block(*d, *second_order);
                let (row, q) = ((i / block) as u64, i % block);
                let coordinate = |k: usize| {
                    let x = sobol.coordinate(row, k);
                    let shifted = ((x * 4_294_967_296.0) as u32) ^ shifts[k];
                    (shifted as f64 + 0.5) / 4_294_967_296.0
                };
                // Block position q: 0 is A, 1..=d AB_q, then BA_(q−d) when second order, last B.
                let ab = (1..=*d).contains(&q);
                let ba = *second_order && (d + 1..=2 * d).contains(&q);
                (0..*d)
                    .map(|k| {
                        let from_b = if ab {
                            q == k + 1
                        } else if ba {
                            q != d + k + 1
                        } else {
                            q == block - 1
                        };
                        coordinate(if from_b { d + k } else { k })
                    })
                    .collect()
            }
        }
    }

    /// Every point, in order (small designs: tests and sensitivity analysis).
    pub fn points(&self) -> Vec<Vec<f64>> {
        (0..self.len()).map(|i| self.point(i)).collect()
    }
}

/// A seeded pseudo-random permutation of 0..n computed one element at a time: a four-round
/// Feistel network on the smallest even-bit domain holding n, with cycle walking (values
/// outside 0..n are encrypted again), so no table of n entries is kept.
pub struct Permutation {
    n: u64,
    half_bits: u32,
    keys: [u64; 4],
}

impl Permutation {
    pub fn new(n: u64, seed: u64, stream: u64) -> Permutation {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        let mut rng = Rng::new(seed, stream);
        Permutation { n, half_bits, keys: [rng.next_u64(), rng.next_u64(), rng.next_u64(), rng.next_u64()] }
    }

    fn encrypt(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for key in self.keys {
            let mut z = right ^ key;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (left, right) = (right, left ^ ((z ^ (z >> 31)) & mask));
        }
        (left << self.half_bits) | right
    }

    /// The image of `x` (< n).
    pub fn apply(&self, x: u64) -> u64 {
        let mut y = self.encrypt(x);
        while y >= self.n {
            y = self.encrypt(y);
        }
        y
    }
}

/// Step `step` (0..=d) of Morris (1991) elementary-effect trajectory `t` on a `p`-level grid
/// with step Δ = p / (2(p − 1)): each step moves one factor (in random order) by ±Δ.
fn morris_point(t: usize, step: usize, d: usize, p: usize, seed: u64) -> Vec<f64> {
    let delta = p as f64 / (2.0 * (p - 1) as f64);
    let grid_step = 1.0 / (p - 1) as f64;
    let mut rng = Rng::new(seed, t as u64);
    // Start on grid levels from which +Δ stays inside [0, 1].
    let lowest_levels = ((1.0 - delta) / grid_step).round() as u64 + 1;
    let mut x: Vec<f64> = (0..d).map(|_| (rng.next_u64() % lowest_levels) as f64 * grid_step).collect();
    let mut order: Vec<usize> = (0..d).collect();
    for i in (1..d).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    for &k in &order[..step] {
        x[k] = if x[k] + delta <= 1.0 + 1e-12 { x[k] + delta } else { x[k] - delta };
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_enumerates_every_combination() {
        let g = Design::grid(&[2, 3]).points();
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0.0, 0.0]);
        assert_eq!(g[1], vec![0.0, 0.5]);
        assert_eq!(g[5], vec![1.0, 1.0]);
        assert_eq!(levels(1001)[1000], 1.0);
    }

    #[test]
    fn latin_hypercube_has_one_point_per_stratum() {
        let n = 50;
        let pts = Design::lhs(n, 3, 9).points();
        for k in 0..3 {
            let mut strata: Vec<usize> = pts.iter().map(|p| (p[k] * n as f64).floor() as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(pts, Design::lhs(n, 3, 9).points(), "seeded");
        assert_ne!(pts, Design::lhs(n, 3, 10).points());
    }

    #[test]
    fn morris_steps_change_one_factor_by_delta() {
        let (r, d, p) = (5, 4, 4);
        let pts = Design::morris(r, d, p, 3).points();
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

    #[test]
    fn permutations_are_bijections_for_any_size() {
        for n in [1u64, 2, 3, 7, 64, 1000, 4097] {
            let p = Permutation::new(n, 5, 1);
            let mut seen: Vec<u64> = (0..n).map(|x| p.apply(x)).collect();
            seen.sort();
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "n = {n}");
        }
    }

    #[test]
    fn saltelli_rows_mix_a_and_b_one_column_at_a_time() {
        let d = 3;
        let pts = Design::saltelli(8, d, false, 1).points();
        assert_eq!(pts.len(), 8 * (d + 2));
        for row in pts.chunks(d + 2) {
            let (a, b) = (&row[0], &row[d + 1]);
            for (i, ab) in row[1..=d].iter().enumerate() {
                for k in 0..d {
                    assert_eq!(ab[k], if k == i { b[k] } else { a[k] });
                }
            }
        }
        // The base rows of A are stratified like the Sobol' sequence: one per eighth.
        let mut eighths: Vec<usize> = pts.chunks(d + 2).map(|r| (r[0][0] * 8.0) as usize).collect();
        eighths.sort();
        assert_eq!(eighths, (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn second_order_blocks_add_b_with_one_column_of_a() {
        let d = 3;
        let first = Design::saltelli(8, d, false, 1).points();
        let pts = Design::saltelli(8, d, true, 1).points();
        assert_eq!(pts.len(), 8 * (2 * d + 2));
        for (row, plain) in pts.chunks(2 * d + 2).zip(first.chunks(d + 2)) {
            let (a, b) = (&row[0], &row[2 * d + 1]);
            assert_eq!((a, b), (&plain[0], &plain[d + 1]), "same A and B as without second order");
            assert_eq!(&row[1..=d], &plain[1..=d], "same AB rows");
            for (i, ba) in row[d + 1..=2 * d].iter().enumerate() {
                for k in 0..d {
                    assert_eq!(ba[k], if k == i { a[k] } else { b[k] });
                }
            }
        }
    }
}
