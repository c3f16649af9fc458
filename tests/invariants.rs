//! Invariants on every bundled preset and scenario, in both paths: survival fractions and
//! scores stay in range, nothing goes negative, cumulative quantities never decrease.

mod common;
use common::*;
use raphe::bundled;
use raphe::pharmacology::Scenario;
use raphe::simulate::{Fidelity, Trajectory};

/// `serotonergic`: a drug raises 5-HT release or slows its clearance, so 5-HT may exceed its
/// pre-disease level (bounded by the drugs' maximal effects, here checked against 10x).
fn check(label: &str, traj: &Trajectory, pic_max: f64, serotonergic: bool) {
    let in_unit = |v: f64| (-1e-12..=1.0 + 1e-12).contains(&v);
    let mut last_auc = 0.0;
    for s in &traj.samples {
        let at = format!("{label} day {}", s.day);
        for (name, v) in [
            ("raphe", s.core.raphe),
            ("umn", s.core.umn),
            ("lmn", s.core.lmn),
            ("spasm", s.readouts.spasm),
            ("fvc", s.readouts.fvc),
            ("function", s.readouts.motor_function),
        ] {
            assert!(in_unit(v), "{at}: {name} = {v}");
        }
        let serotonin_max = if serotonergic { 10.0 } else { 1.0 + 1e-12 };
        assert!(s.serotonin >= 0.0 && s.serotonin <= serotonin_max, "{at}: serotonin {}", s.serotonin);
        // Density falls below baseline only when a drug raises 5-HT above it (desensitisation,
        // never below a fifth of baseline).
        let density_min = if serotonergic { 0.2 } else { 1.0 };
        assert!(
            s.core.ht2b_density >= density_min - 1e-9 && s.core.ht2c_density >= density_min - 1e-9,
            "{at}: density below {density_min}"
        );
        assert!(s.pic >= -1e-12 && s.pic <= pic_max + 1e-9, "{at}: pic {}", s.pic);
        assert!((0.0..=4.0).contains(&s.readouts.ashworth), "{at}: ashworth");
        assert!((0.0..=10.0).contains(&s.readouts.pain), "{at}: pain");
        assert!((0.0..=48.0).contains(&s.readouts.alsfrs_r), "{at}: alsfrs");
        assert!([0.0, 1.0, 2.0, 3.0, 4.0].contains(&s.readouts.penn), "{at}: penn");
        assert!(s.core.nfl > 0.0, "{at}: nfl");
        assert!(s.plasma.iter().chain(&s.csf).all(|&c| c >= -1e-12), "{at}: negative concentration");
        // Within the solver's absolute tolerance: between steps the full path's dense output
        // is a polynomial, which may dip by a rounding-sized amount while spasms are ~0.
        let slack = raphe::simulate::Tolerances::default().absolute;
        assert!(s.core.spasm_auc >= last_auc - slack, "{at}: spasm AUC decreased");
        last_auc = s.core.spasm_auc;
    }
    // Survival never increases.
    for w in traj.samples.windows(2) {
        assert!(
            w[1].core.raphe <= w[0].core.raphe + 1e-12 && w[1].core.lmn <= w[0].core.lmn + 1e-12,
            "{label}: survival rose at day {}",
            w[1].day
        );
    }
}

#[test]
fn invariants_hold_everywhere() {
    let mut runs: Vec<(&str, Option<&str>)> = PRESETS.iter().map(|&m| (m, None)).collect();
    runs.extend(bundled::SCENARIOS.iter().map(|(s, _)| (scenario_model(s), Some(*s))));
    for (model_name, scenario_name) in runs {
        let m = model(model_name);
        let sc = scenario_name.map_or_else(Scenario::untreated, |s| scenario(s, &m));
        for fidelity in [Fidelity::Fast, Fidelity::Full] {
            let traj = run(&m, &sc, fidelity, 0.25);
            let serotonergic = raphe::simulate::FastStates::for_drugs(&m, &sc.drugs).serotonin;
            check(&format!("{model_name}/{}/{fidelity:?}", sc.name), &traj, m.params.pic_max, serotonergic);
        }
    }
}
