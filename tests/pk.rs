//! Pharmacokinetics: the closed form against numerical integration of the same equations,
//! mass balance of doses, and baclofen's published PK (science.md §4, fact 8).

mod common;
use ode_solvers::{SVector, System};
use raphe::model::Species;
use raphe::pharmacology::{Library, OneCompartment, PkState, Route};
use raphe::simulate::solver::{integrate, StepMemory, Tolerances};

/// PK equations plus a compartment counting what has been eliminated.
struct WithEliminated(OneCompartment);

impl System<f64, SVector<f64, 4>> for WithEliminated {
    fn system(&self, _t: f64, y: &SVector<f64, 4>, dy: &mut SVector<f64, 4>) {
        let d = self.0.derivative(PkState::from_slice(&y.as_slice()[..3]));
        dy[0] = d.depot;
        dy[1] = d.central;
        dy[2] = d.csf;
        dy[3] = self.0.elimination_rate * y[1];
    }
}

fn baclofen() -> OneCompartment {
    let drug = Library::default().find("baclofen").unwrap().unwrap();
    drug.pk_for(Species::Human, 70.0).unwrap()
}

/// The PK state and eliminated amount after `dt` by numerical integration.
fn numeric(pk: OneCompartment, s0: PkState, dt: f64) -> SVector<f64, 4> {
    let y0 = SVector::from([s0.depot, s0.central, s0.csf, 0.0]);
    integrate(WithEliminated(pk), 0.0, dt, y0, tight(), &mut StepMemory::default()).unwrap()
}

fn tight() -> Tolerances {
    Tolerances { relative: 1e-11, absolute: 1e-14 }
}

#[test]
fn closed_form_matches_numerical_integration() {
    for pk in [
        baclofen(),
        OneCompartment::new(0.5, 10.0, 10.0, 5.0, 0.3, 2.0),
        OneCompartment::new(1.0, 0.5, 30.0, 2.0, 1.0, 100.0),
    ] {
        let s0 = PkState { depot: 7.0, central: 3.0, csf: 0.02 };
        for dt in [0.01, 0.1, 1.0, 5.0] {
            let exact = pk.propagate(s0, dt);
            let y = numeric(pk, s0, dt);
            for (a, b) in exact.to_array().iter().zip(y.iter()) {
                assert!((a - b).abs() <= 1e-8 * (1.0 + a.abs()), "dt {dt}: closed {a} vs numeric {b}");
            }
        }
    }
}

#[test]
fn doses_are_conserved() {
    // dose = unabsorbed (1 - F) + depot + central + eliminated, at every time.
    let pk = baclofen();
    let dose = 20.0;
    let s0 = pk.dosed(PkState::default(), dose, Route::Oral);
    for dt in [0.05, 0.5, 3.0] {
        let y = numeric(pk, s0, dt);
        let total = (1.0 - pk.bioavailability) * dose + y[0] + y[1] + y[3];
        assert!((total - dose).abs() < 1e-9 * dose, "dt {dt}: {total}");
        let exact = pk.propagate(s0, dt);
        let eliminated_closed = pk.bioavailability * dose - exact.depot - exact.central;
        assert!((eliminated_closed - y[3]).abs() < 1e-8 * dose);
    }
}

#[test]
fn baclofen_half_life_is_3_to_4_hours() {
    let hours = baclofen().terminal_half_life() * 24.0;
    assert!((3.0..=4.0).contains(&hours), "{hours} h");
    // And measured from the curve: concentration halves in 3-4 h in the terminal phase.
    let pk = baclofen();
    let s = pk.propagate(pk.dosed(PkState::default(), 20.0, Route::Oral), 0.5);
    let later = pk.propagate(s, 3.5 / 24.0);
    let halves = (pk.plasma(s) / pk.plasma(later)).log2();
    assert!((0.85..=1.17).contains(&halves), "{halves} halvings in 3.5 h");
}

#[test]
fn baclofen_bioavailability_is_74_percent() {
    // AUC oral / AUC IV = F; AUC by the closed form integrated on a fine grid.
    let pk = baclofen();
    let auc = |route| {
        let mut s = pk.dosed(PkState::default(), 10.0, route);
        let dt = 0.001;
        let mut auc = 0.0;
        for _ in 0..10_000 {
            let next = pk.propagate(s, dt);
            auc += 0.5 * (pk.plasma(s) + pk.plasma(next)) * dt;
            s = next;
        }
        auc
    };
    let f = auc(Route::Oral) / auc(Route::Iv);
    assert!((f - 0.74).abs() < 0.005, "F = {f}");
}

#[test]
fn baclofen_csf_to_plasma_ratio_is_012() {
    // At steady state of repeated dosing, mean CSF / mean plasma = the CSF:plasma ratio.
    let pk = baclofen();
    let mut s = PkState::default();
    let (mut csf, mut plasma) = (0.0, 0.0);
    let dt = 1.0 / 24.0 / 12.0;
    for dose in 0..60 {
        s = pk.dosed(s, 20.0, Route::Oral);
        for _ in 0..96 {
            s = pk.propagate(s, dt);
            if dose >= 40 {
                csf += s.csf;
                plasma += pk.plasma(s);
            }
        }
    }
    let ratio = csf / plasma;
    assert!((ratio - 0.12).abs() < 0.003, "CSF/plasma {ratio}");
}
