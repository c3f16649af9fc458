//! The Sobol' low-discrepancy sequence (Bratley & Fox 1988, ACM TOMS 14:88) with the Joe & Kuo
//! (2008) direction numbers ([`super::sobol_directions`]), in Gray-code order like SciPy's
//! unscrambled `qmc.Sobol` (the CI check compares the two point for point). Any point is
//! computed from its index alone, so designs are generated lazily, chunk by chunk.

use super::sobol_directions::DIRECTIONS;

/// Bits of each coordinate: up to 2^32 points.
const BITS: usize = 32;

/// Largest dimension available.
pub const MAX_DIMENSION: usize = DIRECTIONS.len();

/// Direction integers v_k (k = 0..BITS) of every dimension up to `dims`.
pub struct Sobol {
    directions: Vec<[u32; BITS]>,
}

impl Sobol {
    /// The first `dims` dimensions (at most [`MAX_DIMENSION`]).
    pub fn new(dims: usize) -> Sobol {
        assert!(dims <= MAX_DIMENSION, "Sobol' sequence has {MAX_DIMENSION} dimensions");
        let directions = DIRECTIONS[..dims]
            .iter()
            .enumerate()
            .map(|(d, &(poly, initial))| {
                let mut m = [0u64; BITS];
                if d == 0 {
                    m = [1; BITS];
                } else {
                    let s = (32 - poly.leading_zeros() - 1) as usize;
                    for k in 0..BITS {
                        m[k] = if k < s {
                            initial[k] as u64
                        } else {
                            // m_k = 2^s m_{k−s} ⊕ m_{k−s} ⊕ Σ_{i=1}^{s−1} 2^i a_i m_{k−i}
                            let mut next = m[k - s] ^ (m[k - s] << s);
                            for i in 1..s {
                                if (poly >> (s - i)) & 1 == 1 {
                                    next ^= m[k - i] << i;
                                }
                            }
                            next
                        };
                    }
                }
                let mut v = [0u32; BITS];
                for k in 0..BITS {
                    v[k] = (m[k] << (BITS - 1 - k)) as u32;
                }
                v
            })
            .collect();
        Sobol { directions }
    }

    /// Coordinate `dim` of point `index` (index 0 is the origin).
    pub fn coordinate(&self, index: u64, dim: usize) -> f64 {
        let gray = index ^ (index >> 1);
        let v = &self.directions[dim];
        let mut x = 0u32;
        for (k, vk) in v.iter().enumerate() {
            if (gray >> k) & 1 == 1 {
                x ^= vk;
            }
        }
        x as f64 / (1u64 << BITS) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_dimension_is_van_der_corput() {
        let s = Sobol::new(2);
        let got: Vec<f64> = (0..8).map(|i| s.coordinate(i, 0)).collect();
        // Gray-code order of the base-2 radical inverse.
        assert_eq!(got, vec![0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125]);
    }

    #[test]
    fn every_power_of_two_block_is_stratified_in_each_dimension() {
        let s = Sobol::new(MAX_DIMENSION);
        for dim in 0..MAX_DIMENSION {
            let mut strata = [false; 64];
            for i in 0..64 {
                let x = s.coordinate(i, dim);
                assert!((0.0..1.0).contains(&x));
                strata[(x * 64.0) as usize] = true;
            }
            assert!(strata.iter().all(|&b| b), "dimension {dim}: a stratum of 1/64 is empty");
        }
    }
}
