//! Linear pharmacokinetics: a gut depot, a central compartment and an effect site (the CSF
//! around spinal motoneurons).
//!
//! depot' = −ka·g;  central' = ka·g − k·c  (k = CL/V);  ce' = ke0·(Kp·c/V − ce)
//! Oral doses put F·dose in the depot, IV doses put the dose in the central compartment. The
//! effect site holds negligible mass (classic effect-compartment link), so mass balance is
//! dose = unabsorbed + depot + central + eliminated.
//!
//! The system is triangular with eigenvalues −ka, −k, −ke0, so it has a closed form in
//! divided differences of exponentials ([`OneCompartment::propagate`]); the full path
//! integrates the same equations numerically ([`OneCompartment::derivative`]).

/// PK constants for one drug in one body, internal units (1/day, L).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OneCompartment {
    pub bioavailability: f64,
    pub absorption_rate: f64,
    pub elimination_rate: f64,
    pub volume: f64,
    pub csf_ratio: f64,
    pub csf_rate: f64,
}

/// Amounts in depot and central compartment (mg) and CSF concentration (mg/L).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PkState {
    pub depot: f64,
    pub central: f64,
    pub csf: f64,
}

impl PkState {
    pub fn to_array(self) -> [f64; 3] {
        [self.depot, self.central, self.csf]
    }
    pub fn from_slice(y: &[f64]) -> Self {
        PkState { depot: y[0], central: y[1], csf: y[2] }
    }
}

/// Route of administration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    Oral,
    Iv,
}

impl Route {
    pub fn name(self) -> &'static str {
        match self {
            Route::Oral => "oral",
            Route::Iv => "iv",
        }
    }
}

/// (e^{−a t} − e^{−b t}) / (b − a), the first divided difference of e^{−x t}, evaluated so
/// that it neither cancels nor overflows; t·e^{−a t} when a = b.
fn phi(a: f64, b: f64, t: f64) -> f64 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let d = hi - lo;
    if d == 0.0 {
        t * (-lo * t).exp()
    } else {
        (-lo * t).exp() * -(-d * t).exp_m1() / d
    }
}

/// Second divided difference of e^{−x t} over (a, b, c).
fn psi(a: f64, b: f64, c: f64, t: f64) -> f64 {
    (phi(a, c, t) - phi(b, c, t)) / (b - a)
}

/// Smallest relative gap kept between rate constants: closer rates are pushed apart by this
/// much so the divided differences stay accurate (a 0.01% change in a rate constant).
const MIN_RELATIVE_GAP: f64 = 1e-4;

fn separate(fixed: f64, moved: f64) -> f64 {
    if (moved - fixed).abs() < MIN_RELATIVE_GAP * fixed.max(moved) {
        fixed * (1.0 + 2.0 * MIN_RELATIVE_GAP)
    } else {
        moved
    }
}

impl OneCompartment {
    /// Build from constants; rate constants closer than 0.01% are separated (see
    /// [`MIN_RELATIVE_GAP`]).
    pub fn new(
        bioavailability: f64,
        absorption_rate: f64,
        elimination_rate: f64,
        volume: f64,
        csf_ratio: f64,
        csf_rate: f64,
    ) -> Self {
        let elimination_rate = separate(absorption_rate, elimination_rate);
        let mut csf_rate = separate(absorption_rate, csf_rate);
        csf_rate = separate(elimination_rate, csf_rate);
        OneCompartment { bioavailability, absorption_rate, elimination_rate, volume, csf_ratio, csf_rate }
    }

    /// The state after a dose of `amount` mg by `route`.
    pub fn dosed(&self, mut s: PkState, amount: f64, route: Route) -> PkState {
        match route {
            Route::Oral => s.depot += self.bioavailability * amount,
            Route::Iv => s.central += amount,
        }
        s
    }

    /// Exact state after `dt` days without doses.
    pub fn propagate(&self, s: PkState, dt: f64) -> PkState {
        let (ka, k, ke0) = (self.absorption_rate, self.elimination_rate, self.csf_rate);
        let gain = ke0 * self.csf_ratio / self.volume;
        PkState {
            depot: s.depot * (-ka * dt).exp(),
            central: s.central * (-k * dt).exp() + s.depot * ka * phi(ka, k, dt),
            csf: s.csf * (-ke0 * dt).exp()
                + gain * (s.central * phi(k, ke0, dt) + s.depot * ka * psi(ka, k, ke0, dt)),
        }
    }

    /// Time derivative of the state (for the full-resolution path).
    pub fn derivative(&self, s: PkState) -> PkState {
        let absorbed = self.absorption_rate * s.depot;
        PkState {
            depot: -absorbed,
            central: absorbed - self.elimination_rate * s.central,
            csf: self.csf_rate * (self.csf_ratio * s.central / self.volume - s.csf),
        }
    }

    /// Plasma concentration, mg/L.
    pub fn plasma(&self, s: PkState) -> f64 {
        s.central / self.volume
    }

    /// Terminal half-life after an oral dose, days (the slower of absorption and elimination).
    pub fn terminal_half_life(&self) -> f64 {
        std::f64::consts::LN_2 / self.absorption_rate.min(self.elimination_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pk() -> OneCompartment {
        OneCompartment::new(0.74, 36.0, 4.6, 40.0, 0.12, 3.3)
    }

    #[test]
    fn closed_form_matches_bateman() {
        let p = pk();
        let s = p.propagate(p.dosed(PkState::default(), 10.0, Route::Oral), 0.1);
        let (ka, k) = (p.absorption_rate, p.elimination_rate);
        let bateman = 0.74 * 10.0 * ka / (ka - k) * ((-k * 0.1f64).exp() - (-ka * 0.1f64).exp());
        assert!((s.central - bateman).abs() < 1e-12 * bateman);
    }

    #[test]
    fn propagation_is_a_semigroup() {
        let p = pk();
        let s0 = PkState { depot: 3.0, central: 2.0, csf: 0.01 };
        let once = p.propagate(s0, 0.3);
        let twice = p.propagate(p.propagate(s0, 0.1), 0.2);
        for (a, b) in once.to_array().iter().zip(twice.to_array()) {
            assert!((a - b).abs() < 1e-13, "{a} {b}");
        }
    }

    #[test]
    fn near_equal_rates_stay_accurate() {
        // ka = k makes the textbook Bateman formula 0/0; the separated form stays finite.
        let p = OneCompartment::new(1.0, 5.0, 5.0, 10.0, 0.5, 5.0);
        let s = p.propagate(PkState { depot: 1.0, central: 0.0, csf: 0.0 }, 0.2);
        let limit = 5.0 * 0.2 * (-5.0f64 * 0.2).exp();
        assert!((s.central - limit).abs() < 1e-3 * limit);
        assert!(s.csf.is_finite() && s.csf > 0.0);
    }
}
