//! Doses fire exactly at their times in both paths: at t = 0, on output times (recorded as
//! troughs, before the dose), between output times, and not at the end of the run.

mod common;
use common::*;
use raphe::pharmacology::{Library, Scenario};
use raphe::simulate::{simulate, Fidelity, Settings};
use std::path::Path;

fn iv_scenario(start: f64) -> (raphe::model::Model, Scenario) {
    let m = model("human_als");
    let text = format!(
        "[scenario]\nname = \"iv_test\"\ndescription = \"daily IV bolus\"\n[[dosing]]\ndrug = \"baclofen\"\nroute = \"iv\"\ndose = {{ value = 100, unit = \"mg\" }}\ninterval = {{ value = 1, unit = \"day\" }}\nstart = {{ value = {start}, unit = \"day\" }}\n"
    );
    let sc = Scenario::from_toml(Path::new("iv_test.toml"), &text, &m, &Library::default()).unwrap();
    (m, sc)
}

fn settings(m: &raphe::model::Model, fidelity: Fidelity) -> Settings {
    let mut s = Settings::for_model(m, fidelity);
    s.duration = 3.0;
    s.output_step = 1.0;
    s
}

#[test]
fn doses_on_output_times_are_recorded_as_troughs() {
    let (m, sc) = iv_scenario(0.0);
    assert_eq!(sc.doses_until(3.0).len(), 3, "doses at days 0, 1, 2; none at the end");
    let pk = sc.drugs[0].pk;
    let (v, k) = (pk.volume, pk.elimination_rate);
    for fidelity in [Fidelity::Fast, Fidelity::Full] {
        let traj = simulate(&m, &sc, &settings(&m, fidelity)).unwrap();
        let plasma: Vec<f64> = traj.samples.iter().map(|s| s.plasma[0]).collect();
        assert_eq!(plasma.len(), 4);
        assert_eq!(plasma[0], 0.0, "{fidelity:?}: day 0 is recorded before the first dose");
        for (day, &c) in plasma.iter().enumerate().skip(1) {
            let expected: f64 = (0..day).map(|i| 100.0 / v * (-k * (day - i) as f64).exp()).sum();
            assert!((c - expected).abs() < 1e-6 * expected, "{fidelity:?} day {day}: {c} vs {expected}");
        }
    }
}

#[test]
fn doses_between_output_times_fire_at_their_time() {
    let (m, sc) = iv_scenario(0.3);
    let pk = sc.drugs[0].pk;
    for fidelity in [Fidelity::Fast, Fidelity::Full] {
        let traj = simulate(&m, &sc, &settings(&m, fidelity)).unwrap();
        let c1 = traj.samples[1].plasma[0];
        let expected = 100.0 / pk.volume * (-pk.elimination_rate * 0.7).exp();
        assert!((c1 - expected).abs() < 1e-6 * expected, "{fidelity:?}: {c1} vs {expected}");
    }
}

fn scenario_from(text: &str) -> raphe::Result<Scenario> {
    let m = model("human_als");
    Scenario::from_toml(Path::new("test.toml"), text, &m, &Library::default())
}

const HEADER: &str = "[scenario]\nname = \"t\"\ndescription = \"test\"\n";

#[test]
fn regimen_text_gives_the_titration_doses() {
    let text = format!(
        "{HEADER}[[dosing]]\ndrug = \"baclofen\"\nroute = \"oral\"\nregimen = \"5 mg tid x 1d then 10 mg q12h x 2 doses then 20 mg once\"\nstart = {{ value = 10, unit = \"day\" }}\n"
    );
    let sc = scenario_from(&text).unwrap();
    let doses = sc.doses_until(100.0);
    let got: Vec<(f64, f64)> = doses.iter().map(|d| (d.time, d.amount)).collect();
    let h = 1.0 / 24.0;
    let want = [
        (10.0, 5.0),
        (10.0 + 8.0 * h, 5.0),
        (10.0 + 16.0 * h, 5.0),
        (11.0, 10.0),
        (11.5, 10.0),
        (12.0, 20.0),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((t, a), (wt, wa)) in got.iter().zip(want) {
        assert!((t - wt).abs() < 1e-12 && (a - wa).abs() < 1e-12, "{got:?}");
    }
}

#[test]
fn stop_truncates_a_regimen() {
    let text = format!(
        "{HEADER}[[dosing]]\ndrug = \"baclofen\"\nroute = \"oral\"\nregimen = \"5 mg tid x 10d then 10 mg tid\"\nstart = {{ value = 0, unit = \"day\" }}\nstop = {{ value = 2, unit = \"day\" }}\n"
    );
    assert_eq!(scenario_from(&text).unwrap().doses_until(100.0).len(), 6);
}

#[test]
fn infusion_rates_switch_at_their_times() {
    let text = format!(
        "{HEADER}[[infusion]]\ndrug = \"baclofen\"\nroute = \"intrathecal\"\nrate = {{ value = 100, unit = \"ug/day\" }}\nstart = {{ value = 1, unit = \"day\" }}\nstop = {{ value = 3, unit = \"day\" }}\n[[infusion]]\ndrug = \"baclofen\"\nroute = \"intrathecal\"\nrate = {{ value = 10, unit = \"ug/h\" }}\nstart = {{ value = 3, unit = \"day\" }}\n"
    );
    let sc = scenario_from(&text).unwrap();
    assert_eq!(sc.rates_at(0.5)[0].intrathecal, 0.0);
    assert!((sc.rates_at(1.0)[0].intrathecal - 0.1).abs() < 1e-12);
    assert!((sc.rates_at(3.0)[0].intrathecal - 0.24).abs() < 1e-12);
    let mut times = sc.infusion_times();
    times.sort_by(f64::total_cmp);
    assert_eq!(times, vec![1.0, 3.0, 3.0]);
}

#[test]
fn infusion_mass_balance_through_the_simulation() {
    // 168 ug/day for 10 days into the CSF: drug in body + eliminated = given, in both paths.
    let text = format!(
        "{HEADER}[[infusion]]\ndrug = \"baclofen\"\nroute = \"intrathecal\"\nrate = {{ value = 168, unit = \"ug/day\" }}\nstart = {{ value = 0.5, unit = \"day\" }}\nstop = {{ value = 10.5, unit = \"day\" }}\n"
    );
    let sc = scenario_from(&text).unwrap();
    let m = model("human_als");
    let pk = sc.drugs[0].pk;
    let mut settings = Settings::for_model(&m, Fidelity::Fast);
    settings.duration = 12.0;
    settings.output_step = 0.25;
    for fidelity in [Fidelity::Fast, Fidelity::Full] {
        settings.fidelity = fidelity;
        let traj = simulate(&m, &sc, &settings).unwrap();
        // CSF at the end of the pump's 10 days is near its steady state rate / CL_csf.
        let at_stop = traj.samples.iter().find(|s| (s.day - 10.5).abs() < 1e-9).unwrap();
        let steady = 0.168 / (pk.intrathecal_rate * pk.intrathecal_volume);
        assert!(
            (at_stop.csf[0] - steady).abs() < 0.02 * steady,
            "{fidelity:?}: {} vs {steady}",
            at_stop.csf[0]
        );
        // After the stop the CSF level falls.
        assert!(traj.samples.last().unwrap().csf[0] < 0.01 * steady);
    }
}

#[test]
fn bad_scenarios_are_rejected_with_the_field() {
    let cases = [
        (
            "[[infusion]]\ndrug = \"baclofen\"\nroute = \"intrathecal\"\nrate = { value = 100, unit = \"ug/day\" }\nstart = { value = 1, unit = \"day\" }\n[[infusion]]\ndrug = \"baclofen\"\nroute = \"intrathecal\"\nrate = { value = 200, unit = \"ug/day\" }\nstart = { value = 5, unit = \"day\" }\n",
            "infusion[1]",
        ),
        ("[[infusion]]\ndrug = \"baclofen\"\nroute = \"oral\"\nrate = { value = 1, unit = \"mg/day\" }\nstart = { value = 1, unit = \"day\" }\n", "infusion[0].route"),
        ("[[infusion]]\ndrug = \"baclofen\"\nroute = \"intrathecal\"\nrate = { value = 1, unit = \"mg\" }\nstart = { value = 1, unit = \"day\" }\n", "infusion[0].rate.unit"),
        ("[[dosing]]\ndrug = \"cyproheptadine\"\nroute = \"intrathecal\"\nregimen = \"1 mg once\"\nstart = { value = 1, unit = \"day\" }\n", "dosing[0].route"),
        ("[[dosing]]\ndrug = \"baclofen\"\nroute = \"oral\"\nregimen = \"5 mg thrice\"\nstart = { value = 1, unit = \"day\" }\n", "dosing[0].regimen"),
        ("[[dosing]]\ndrug = \"baclofen\"\nroute = \"oral\"\nregimen = \"5 mg tid\"\ndose = { value = 5, unit = \"mg\" }\nstart = { value = 1, unit = \"day\" }\n", "dosing[0]"),
    ];
    for (body, field) in cases {
        let err = scenario_from(&format!("{HEADER}{body}")).unwrap_err().to_string();
        assert!(err.contains("test.toml") && err.contains(field), "{field}: {err}");
    }
}

#[test]
fn dosing_table_gives_boluses_and_infusions() {
    let m = model("human_als");
    let sc = scenario("baclofen_itb_trial_table", &m);
    let doses = sc.doses_until(2000.0);
    let amounts: Vec<f64> = doses.iter().map(|d| (d.amount * 1e6).round() / 1e3).collect();
    assert_eq!(amounts, vec![25.0, 50.0, 75.0], "ug");
    assert_eq!(doses[2].time, 1463.0);
    assert_eq!(sc.infusions.len(), 51);
    let rate = sc.rates_at(1500.0)[0].intrathecal;
    assert!((rate - 0.168).abs() < 1e-12, "{rate} mg/day");
    assert_eq!(sc.rates_at(1463.5)[0].intrathecal, 0.0);
    // Refills follow each other without a gap or an overlap.
    assert!((sc.rates_at(1474.0)[0].intrathecal - 0.168).abs() < 1e-12);
}
