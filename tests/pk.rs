//! Pharmacokinetics: the closed form against numerical integration of the same equations (with
//! and without infusions, every route), mass balance of doses, and baclofen's published PK
//! (science.md §4, fact 8).

use ode_solvers::{SVector, System};
use raphe::model::Species;
use raphe::pharmacology::{Library, OneCompartment, PkConstants, PkState, Rates, Route};
use raphe::simulate::solver::{integrate, StepMemory, Tolerances};

/// PK equations under constant rates plus a compartment counting what has been eliminated.
struct WithEliminated(OneCompartment, Rates);

impl System<f64, SVector<f64, 5>> for WithEliminated {
    fn system(&self, _t: f64, y: &SVector<f64, 5>, dy: &mut SVector<f64, 5>) {
        let d = self.0.derivative(PkState::from_slice(&y.as_slice()[..4]), self.1);
        dy.as_mut_slice()[..4].copy_from_slice(&d.to_array());
        dy[4] = self.0.elimination_rate * y[2];
    }
}

fn baclofen() -> OneCompartment {
    let drug = Library::default().find("baclofen").unwrap().unwrap();
    drug.pk_for(Species::Human, 70.0, 1.0).unwrap()
}

/// The PK state and eliminated amount after `dt` by numerical integration.
fn numeric(pk: OneCompartment, s0: PkState, dt: f64, rates: Rates) -> SVector<f64, 5> {
    let a = s0.to_array();
    let y0 = SVector::from([a[0], a[1], a[2], a[3], 0.0]);
    let tol = Tolerances { relative: 1e-11, absolute: 1e-14 };
    integrate(&WithEliminated(pk, rates), 0.0, dt, y0, tol, &mut StepMemory::default()).unwrap()
}

fn other_drugs() -> [OneCompartment; 2] {
    let c = |ka, k, ke0, ki| PkConstants {
        bioavailability: 0.5,
        absorption_rate: ka,
        elimination_rate: k,
        volume: 5.0,
        csf_ratio: 0.3,
        csf_rate: ke0,
        intrathecal_volume: 0.15,
        intrathecal_rate: ki,
    };
    // Equal ka and k (the Bateman 0/0 case) and a fast effect site.
    [OneCompartment::new(c(10.0, 10.0, 2.0, 4.0)), OneCompartment::new(c(0.5, 30.0, 100.0, 0.5))]
}

#[test]
fn closed_form_matches_numerical_integration() {
    let s0 = PkState { depot: 7.0, intrathecal: 0.05, central: 3.0, effect: 0.02 };
    let [a, b] = other_drugs();
    for pk in [baclofen(), a, b] {
        for rates in [
            Rates::default(),
            Rates { intrathecal: 0.2, central: 0.0 },
            Rates { intrathecal: 0.1, central: 30.0 },
        ] {
            for dt in [0.01, 0.1, 1.0, 5.0] {
                let exact = pk.propagate(s0, dt, rates);
                let y = numeric(pk, s0, dt, rates);
                for (a, b) in exact.to_array().iter().zip(y.iter()) {
                    assert!(
                        (a - b).abs() <= 1e-8 * (1.0 + a.abs()),
                        "dt {dt} {rates:?}: closed {a} vs numeric {b}"
                    );
                }
            }
        }
    }
}

#[test]
fn areas_under_the_curves_match_quadrature_of_the_closed_form() {
    // The exact areas (mass balance) against composite Simpson on 4,000 sub-steps.
    let s0 = PkState { depot: 7.0, intrathecal: 0.05, central: 3.0, effect: 0.02 };
    let [a, b] = other_drugs();
    for pk in [baclofen(), a, b] {
        for rates in [
            Rates::default(),
            Rates { intrathecal: 0.2, central: 0.0 },
            Rates { intrathecal: 0.1, central: 30.0 },
        ] {
            for dt in [0.01, 0.3, 2.0] {
                let n = 4000;
                let h = dt / n as f64;
                let mut simpson = [0.0; 2];
                for i in 0..=n {
                    let s = pk.propagate(s0, i as f64 * h, rates);
                    let w = if i == 0 || i == n {
                        1.0
                    } else if i % 2 == 1 {
                        4.0
                    } else {
                        2.0
                    };
                    simpson[0] += w * h / 3.0 * pk.plasma(s);
                    simpson[1] += w * h / 3.0 * pk.csf(s);
                }
                let exact = pk.areas(s0, pk.propagate(s0, dt, rates), dt, rates);
                for (x, y) in exact.iter().zip(simpson) {
                    assert!(
                        (x - y).abs() <= 1e-9 * y.abs().max(1e-12),
                        "dt {dt} {rates:?}: {x} vs Simpson {y}"
                    );
                }
            }
        }
    }
}

#[test]
fn doses_and_infusions_are_conserved() {
    // given = unabsorbed (1 - F) x oral + amount in body + eliminated, at every time.
    let pk = baclofen();
    let (oral, it_bolus, it_rate, iv_rate) = (20.0, 0.05, 0.168, 2.0);
    let mut s0 = pk.dosed(PkState::default(), oral, Route::Oral);
    s0 = pk.dosed(s0, it_bolus, Route::Intrathecal);
    let rates = Rates { intrathecal: it_rate, central: iv_rate };
    for dt in [0.05, 0.5, 3.0] {
        let y = numeric(pk, s0, dt, rates);
        let given = oral + it_bolus + (it_rate + iv_rate) * dt;
        let in_body = y[0] + y[1] + y[2];
        let total = (1.0 - pk.bioavailability) * oral + in_body + y[4];
        assert!((total - given).abs() < 1e-9 * given, "dt {dt}: {total} vs {given}");
        let exact = pk.propagate(s0, dt, rates);
        assert!((pk.amount_in_body(exact) - in_body).abs() < 1e-8 * given);
    }
}

#[test]
fn baclofen_half_life_is_3_to_4_hours() {
    // Measured from the curve: plasma concentration halves in 3-4 h in the terminal phase.
    let pk = baclofen();
    let s = pk.propagate(pk.dosed(PkState::default(), 20.0, Route::Oral), 0.5, Rates::default());
    for hours in [3.0, 4.0] {
        let later = pk.propagate(s, hours / 24.0, Rates::default());
        let halvings = (pk.plasma(s) / pk.plasma(later)).log2();
        if hours == 3.0 {
            assert!(halvings <= 1.0, "more than one halving in 3 h: {halvings}");
        } else {
            assert!(halvings >= 1.0, "less than one halving in 4 h: {halvings}");
        }
    }
}

/// AUC of plasma concentration over 10 days after a 10 mg dose by `route`.
fn plasma_auc(pk: &OneCompartment, route: Route) -> f64 {
    let mut s = pk.dosed(PkState::default(), 10.0, route);
    let dt = 0.001;
    let mut auc = 0.0;
    for _ in 0..10_000 {
        let next = pk.propagate(s, dt, Rates::default());
        auc += 0.5 * (pk.plasma(s) + pk.plasma(next)) * dt;
        s = next;
    }
    auc
}

#[test]
fn baclofen_bioavailability_is_74_percent() {
    let pk = baclofen();
    let f = plasma_auc(&pk, Route::Oral) / plasma_auc(&pk, Route::Iv);
    assert!((f - 0.74).abs() < 0.005, "F = {f}");
}

#[test]
fn baclofen_csf_to_plasma_ratio_is_012() {
    // At steady state of repeated oral dosing, mean CSF / mean plasma = 0.12.
    let pk = baclofen();
    let mut s = PkState::default();
    let (mut csf, mut plasma) = (0.0, 0.0);
    let dt = 1.0 / 24.0 / 12.0;
    for dose in 0..60 {
        s = pk.dosed(s, 20.0, Route::Oral);
        for _ in 0..96 {
            s = pk.propagate(s, dt, Rates::default());
            if dose >= 40 {
                csf += pk.csf(s);
                plasma += pk.plasma(s);
            }
        }
    }
    let ratio = csf / plasma;
    assert!((ratio - 0.12).abs() < 0.003, "CSF/plasma {ratio}");
}

#[test]
fn intrathecal_baclofen_clears_from_csf_in_hours() {
    // CSF half-life after an intrathecal bolus: 0.9-5 h (literature_notes.md §7).
    let pk = baclofen();
    let s = pk.dosed(PkState::default(), 0.05, Route::Intrathecal);
    let c0 = pk.csf(s);
    let hours = (1..=240)
        .map(|i| i as f64 * 0.05)
        .find(|h| pk.csf(pk.propagate(s, h / 24.0, Rates::default())) < 0.5 * c0);
    let h = hours.expect("halves within 12 h");
    assert!((0.9..=5.0).contains(&h), "CSF half-life {h} h");
    // And a 50 ug test bolus gives CSF levels far above oral therapy (~0.03 mg/L).
    assert!(c0 > 0.1, "{c0} mg/L");
}

#[test]
fn renal_impairment_slows_renally_cleared_drugs_only() {
    let lib = Library::default();
    let cl = |name: &str, renal: f64| {
        lib.find(name).unwrap().unwrap().pk_for(Species::Human, 70.0, renal).unwrap().elimination_rate
    };
    // Baclofen: 75% renal, so half the renal function leaves 62.5% of the clearance.
    assert!((cl("baclofen", 0.5) / cl("baclofen", 1.0) - 0.625).abs() < 1e-9);
    // Diazepam: hepatic, unchanged.
    assert_eq!(cl("diazepam", 0.5), cl("diazepam", 1.0));
}
