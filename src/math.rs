//! Small numerical helpers shared by the mechanisms.

/// x^n, by repeated multiplication when n is a small whole number (Hill coefficients of 1, 2, 4
/// and 6 are the rule here, and `powf` was a quarter of the fast path's time).
#[inline]
pub fn power(x: f64, n: f64) -> f64 {
    let k = n as u32;
    if k as f64 != n || k > 16 {
        return x.powf(n);
    }
    match k {
        1 => x,
        2 => x * x,
        4 => {
            let x2 = x * x;
            x2 * x2
        }
        6 => {
            let x2 = x * x;
            x2 * x2 * x2
        }
        _ => {
            // Square-and-multiply inline (`powi` with a run-time exponent is a library call).
            let (mut result, mut base, mut e) = (1.0, x, k);
            while e > 0 {
                if e & 1 == 1 {
                    result *= base;
                }
                base *= base;
                e >>= 1;
            }
            result
        }
    }
}

/// A Hill function xⁿ / (xⁿ + Kⁿ), with Kⁿ computed once (it is evaluated at every quadrature
/// point of a run).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hill {
    n: f64,
    half_pow: f64,
}

impl Hill {
    /// Half-maximal at `half`, coefficient `n`.
    pub fn new(half: f64, n: f64) -> Hill {
        Hill { n, half_pow: power(half, n) }
    }

    #[inline]
    pub fn at(&self, x: f64) -> f64 {
        let xn = power(x, self.n);
        xn / (xn + self.half_pow)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_powf() {
        for n in [0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 16.0, 1.5, 2.7] {
            for x in [0.0, 0.3, 1.0, 2.5] {
                let (a, b) = (super::power(x, n), f64::powf(x, n));
                assert!((a - b).abs() <= 1e-14 * b.abs().max(1.0), "{x}^{n}");
            }
        }
    }

    #[test]
    fn hill_is_half_at_half_and_rises() {
        let h = super::Hill::new(2.0, 4.0);
        assert!((h.at(2.0) - 0.5).abs() < 1e-15);
        assert!(h.at(0.0) == 0.0 && h.at(1.0) < h.at(3.0) && h.at(100.0) < 1.0);
    }
}
