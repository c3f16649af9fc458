//! Linear pharmacokinetics: a gut depot, an intrathecal (CSF) compartment for drug delivered
//! into the CSF, a central (plasma) compartment and an effect site (CSF drug coming from plasma).
//!
//! ```text
//! depot'       = −ka·g
//! intrathecal' = −ki·i + r_it                      (ki = CL_csf / V_csf; drug leaves CSF to blood)
//! central'     = ka·g + ki·i − k·c + r_iv          (k = CL / V)
//! effect'      = ke0·(Kp·c/V − e)                  (CSF level from plasma; negligible mass)
//! ```
//! Oral doses put F·dose in the depot, IV doses into the central compartment, intrathecal doses
//! into the intrathecal compartment; infusions (IV or intrathecal pump) are constant rates within
//! a segment. Mass balance: given = unabsorbed + depot + intrathecal + central + eliminated.
//! The CSF concentration at the motoneurons is i/V_csf + e.
//!
//! The system is triangular with eigenvalues −ka, −ki, −k, −ke0: between events its solution is
//! x(t) = x∞ + Φ(t)(x₀ − x∞), with x∞ the steady state of the constant inputs and Φ a closed form
//! in divided differences of exponentials ([`OneCompartment::propagate`]). The full path
//! integrates the same equations numerically ([`OneCompartment::derivative`]).

/// PK constants for one drug in one body, internal units (1/day, L).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OneCompartment {
    pub bioavailability: f64,
    pub absorption_rate: f64,
    pub elimination_rate: f64,
    /// Volume of distribution, L.
    pub volume: f64,
    /// CSF/plasma concentration ratio at equilibrium.
    pub csf_ratio: f64,
    /// Plasma–CSF equilibration rate ke0.
    pub csf_rate: f64,
    /// CSF volume that intrathecal drug distributes in, L (0: no intrathecal route).
    pub intrathecal_volume: f64,
    /// Rate at which intrathecal drug leaves the CSF for the blood, ki.
    pub intrathecal_rate: f64,
}

/// Amounts in depot, intrathecal compartment and central compartment (mg) and the CSF level
/// that comes from plasma (mg/L).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PkState {
    pub depot: f64,
    pub intrathecal: f64,
    pub central: f64,
    pub effect: f64,
}

impl PkState {
    pub const LEN: usize = 4;

    pub fn to_array(self) -> [f64; Self::LEN] {
        [self.depot, self.intrathecal, self.central, self.effect]
    }

    pub fn from_slice(y: &[f64]) -> Self {
        PkState { depot: y[0], intrathecal: y[1], central: y[2], effect: y[3] }
    }

    fn minus(self, o: PkState) -> PkState {
        PkState {
            depot: self.depot - o.depot,
            intrathecal: self.intrathecal - o.intrathecal,
            central: self.central - o.central,
            effect: self.effect - o.effect,
        }
    }

    fn plus(self, o: PkState) -> PkState {
        PkState {
            depot: self.depot + o.depot,
            intrathecal: self.intrathecal + o.intrathecal,
            central: self.central + o.central,
            effect: self.effect + o.effect,
        }
    }
}

/// Constant input rates during a segment, mg/day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rates {
    /// Intrathecal pump.
    pub intrathecal: f64,
    /// Intravenous infusion.
    pub central: f64,
}

impl Rates {
    pub fn is_zero(&self) -> bool {
        self.intrathecal == 0.0 && self.central == 0.0
    }
}

/// Route of administration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    Oral,
    Iv,
    Intrathecal,
}

impl Route {
    pub fn name(self) -> &'static str {
        match self {
            Route::Oral => "oral",
            Route::Iv => "iv",
            Route::Intrathecal => "intrathecal",
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

/// Second divided difference of e^{−x t} over (a, b, c); needs a ≠ b.
fn psi(a: f64, b: f64, c: f64, t: f64) -> f64 {
    (phi(a, c, t) - phi(b, c, t)) / (b - a)
}

/// Fraction of the lumbar intrathecal concentration that reaches the brainstem.
pub const ROSTRAL_SPREAD: f64 = 0.25;

/// Smallest relative gap kept between the rate constants that a divided difference divides by:
/// closer rates are pushed apart by this much (a 0.02% change in a rate constant).
const MIN_RELATIVE_GAP: f64 = 1e-4;

fn separate(fixed: f64, moved: f64) -> f64 {
    if (moved - fixed).abs() < MIN_RELATIVE_GAP * fixed.max(moved) {
        fixed * (1.0 + 2.0 * MIN_RELATIVE_GAP)
    } else {
        moved
    }
}

/// Constants as given, before [`OneCompartment::new`] separates near-equal rates: the same
/// fields, named (eight numbers in a row invite mistakes).
pub type PkConstants = OneCompartment;

impl OneCompartment {
    /// Build from constants; k is kept 0.01% away from ka and ki away from k (see
    /// [`MIN_RELATIVE_GAP`]), the only pairs the closed form divides by.
    pub fn new(c: PkConstants) -> Self {
        let elimination_rate = separate(c.absorption_rate, c.elimination_rate);
        let intrathecal_rate =
            if c.intrathecal_rate > 0.0 { separate(elimination_rate, c.intrathecal_rate) } else { 0.0 };
        OneCompartment { elimination_rate, intrathecal_rate, ..c }
    }

    /// The constants, for rebuilding after a change (see [`Self::new`] for why rebuilding matters).
    pub fn constants(&self) -> PkConstants {
        *self
    }

    /// A drug with no intrathecal compartment.
    pub fn systemic(
        bioavailability: f64,
        absorption_rate: f64,
        elimination_rate: f64,
        volume: f64,
        csf_ratio: f64,
        csf_rate: f64,
    ) -> Self {
        Self::new(PkConstants {
            bioavailability,
            absorption_rate,
            elimination_rate,
            volume,
            csf_ratio,
            csf_rate,
            intrathecal_volume: 0.0,
            intrathecal_rate: 0.0,
        })
    }

    /// The state after a bolus of `amount` mg by `route`.
    pub fn dosed(&self, mut s: PkState, amount: f64, route: Route) -> PkState {
        match route {
            Route::Oral => s.depot += self.bioavailability * amount,
            Route::Iv => s.central += amount,
            Route::Intrathecal => s.intrathecal += amount,
        }
        s
    }

    /// Steady state of constant input rates.
    fn steady(&self, r: Rates) -> PkState {
        if r.is_zero() {
            return PkState::default();
        }
        let central = (r.intrathecal + r.central) / self.elimination_rate;
        PkState {
            depot: 0.0,
            intrathecal: if self.intrathecal_rate > 0.0 {
                r.intrathecal / self.intrathecal_rate
            } else {
                0.0
            },
            central,
            effect: self.csf_ratio * central / self.volume,
        }
    }

    /// CSF concentration at the steady state of constant `rates`.
    pub fn steady_csf(&self, rates: Rates) -> f64 {
        self.csf(self.steady(rates))
    }

    /// Free evolution Φ(dt)·s.
    fn free(&self, s: PkState, dt: f64) -> PkState {
        let (ka, ki, k, ke0) =
            (self.absorption_rate, self.intrathecal_rate, self.elimination_rate, self.csf_rate);
        let gain = ke0 * self.csf_ratio / self.volume;
        let mut central = s.central * (-k * dt).exp() + s.depot * ka * phi(ka, k, dt);
        let mut effect = s.effect * (-ke0 * dt).exp()
            + gain * (s.central * phi(k, ke0, dt) + s.depot * ka * psi(ka, k, ke0, dt));
        if s.intrathecal != 0.0 && ki > 0.0 {
            central += s.intrathecal * ki * phi(ki, k, dt);
            effect += gain * s.intrathecal * ki * psi(ki, k, ke0, dt);
        }
        PkState {
            depot: s.depot * (-ka * dt).exp(),
            intrathecal: s.intrathecal * (-ki * dt).exp(),
            central,
            effect,
        }
    }

    /// Exact state after `dt` days with constant input `rates` and no bolus.
    pub fn propagate(&self, s: PkState, dt: f64, rates: Rates) -> PkState {
        if rates.is_zero() {
            return self.free(s, dt);
        }
        let steady = self.steady(rates);
        steady.plus(self.free(s.minus(steady), dt))
    }

    /// Time derivative of the state (for the full-resolution path).
    pub fn derivative(&self, s: PkState, rates: Rates) -> PkState {
        let absorbed = self.absorption_rate * s.depot;
        let returned = self.intrathecal_rate * s.intrathecal;
        PkState {
            depot: -absorbed,
            intrathecal: rates.intrathecal - returned,
            central: absorbed + returned + rates.central - self.elimination_rate * s.central,
            effect: self.csf_rate * (self.csf_ratio * s.central / self.volume - s.effect),
        }
    }

    /// Plasma concentration, mg/L.
    pub fn plasma(&self, s: PkState) -> f64 {
        s.central / self.volume
    }

    /// CSF concentration at the spinal motoneurons, mg/L: intrathecal drug plus drug from plasma.
    pub fn csf(&self, s: PkState) -> f64 {
        let intrathecal =
            if self.intrathecal_volume > 0.0 { s.intrathecal / self.intrathecal_volume } else { 0.0 };
        intrathecal + s.effect
    }

    /// Concentration reaching the brain and brainstem, mg/L: drug from plasma plus the share of
    /// lumbar intrathecal drug that spreads rostrally (lumbar-to-cisternal gradient about 4:1
    /// during intrathecal infusion: assumption, see docs/model.md §6). Drives sedation,
    /// hypotension and respiratory depression; spinal effects use [`Self::csf`].
    pub fn supraspinal(&self, s: PkState) -> f64 {
        let intrathecal =
            if self.intrathecal_volume > 0.0 { s.intrathecal / self.intrathecal_volume } else { 0.0 };
        ROSTRAL_SPREAD * intrathecal + s.effect
    }

    /// Exact areas under the plasma and CSF concentration curves, mg·day/L, over `dt` days
    /// with constant `rates` from `before` to `after` (no bolus between): each follows from the
    /// mass balance of its compartment, e.g. k·∫central = inputs − Δ(amounts), so the areas are
    /// as exact as the closed form (a trapezoid on a 15-min grid is biased by about ka·k·dt²/12).
    pub fn areas(&self, before: PkState, after: PkState, dt: f64, rates: Rates) -> [f64; 2] {
        let (depot, intrathecal, central) = (
            after.depot - before.depot,
            after.intrathecal - before.intrathecal,
            after.central - before.central,
        );
        let inputs = (rates.central + rates.intrathecal) * dt;
        let central_area = (inputs - depot - intrathecal - central) / self.elimination_rate;
        let effect_area = if self.csf_rate > 0.0 {
            self.csf_ratio * central_area / self.volume - (after.effect - before.effect) / self.csf_rate
        } else {
            before.effect * dt
        };
        let intrathecal_area = if self.intrathecal_rate > 0.0 && self.intrathecal_volume > 0.0 {
            (rates.intrathecal * dt - intrathecal) / self.intrathecal_rate / self.intrathecal_volume
        } else {
            0.0
        };
        [central_area / self.volume, intrathecal_area + effect_area]
    }

    /// Amount in the body (depot, CSF and plasma), mg; with the doses given, this closes the
    /// mass balance.
    pub fn amount_in_body(&self, s: PkState) -> f64 {
        s.depot + s.intrathecal + s.central
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pk() -> OneCompartment {
        OneCompartment::new(PkConstants {
            bioavailability: 0.74,
            absorption_rate: 36.0,
            elimination_rate: 4.6,
            volume: 40.0,
            csf_ratio: 0.12,
            csf_rate: 3.3,
            intrathecal_volume: 0.1,
            intrathecal_rate: 3.5,
        })
    }

    /// docs/model.md §6: the motoneurons see i/V_csf + e, the brain(stem) a quarter of the
    /// lumbar intrathecal level plus the drug from plasma.
    #[test]
    fn the_brain_sees_a_quarter_of_the_lumbar_intrathecal_level() {
        let p = pk();
        let s = PkState { depot: 0.0, intrathecal: 0.05, central: 2.0, effect: 0.01 };
        assert!((p.csf(s) - (0.05 / 0.1 + 0.01)).abs() < 1e-15);
        assert!((p.supraspinal(s) - (0.25 * 0.05 / 0.1 + 0.01)).abs() < 1e-15);
    }

    #[test]
    fn closed_form_matches_bateman() {
        let p = pk();
        let s = p.propagate(p.dosed(PkState::default(), 10.0, Route::Oral), 0.1, Rates::default());
        let (ka, k) = (p.absorption_rate, p.elimination_rate);
        let bateman = 0.74 * 10.0 * ka / (ka - k) * ((-k * 0.1f64).exp() - (-ka * 0.1f64).exp());
        assert!((s.central - bateman).abs() < 1e-12 * bateman);
    }

    #[test]
    fn propagation_is_a_semigroup() {
        let p = pk();
        let s0 = PkState { depot: 3.0, intrathecal: 0.05, central: 2.0, effect: 0.01 };
        for rates in [Rates::default(), Rates { intrathecal: 0.2, central: 5.0 }] {
            let once = p.propagate(s0, 0.3, rates);
            let twice = p.propagate(p.propagate(s0, 0.1, rates), 0.2, rates);
            for (a, b) in once.to_array().iter().zip(twice.to_array()) {
                assert!((a - b).abs() < 1e-13 * (1.0 + a.abs()), "{a} {b}");
            }
        }
    }

    #[test]
    fn infusion_reaches_its_steady_state() {
        let p = pk();
        let rates = Rates { intrathecal: 0.168, central: 0.0 };
        let s = p.propagate(PkState::default(), 30.0, rates);
        assert!((s.intrathecal - 0.168 / p.intrathecal_rate).abs() < 1e-12);
        assert!((s.central - 0.168 / p.elimination_rate).abs() < 1e-12);
    }

    #[test]
    fn near_equal_rates_stay_accurate() {
        // ka = k makes the textbook Bateman formula 0/0; the separated form stays finite.
        let p = OneCompartment::systemic(1.0, 5.0, 5.0, 10.0, 0.5, 5.0);
        let s = p.propagate(PkState { depot: 1.0, ..Default::default() }, 0.2, Rates::default());
        let limit = 5.0 * 0.2 * (-5.0f64 * 0.2).exp();
        assert!((s.central - limit).abs() < 1e-3 * limit);
        assert!(s.effect.is_finite() && s.effect > 0.0);
    }
}
