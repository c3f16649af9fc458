//! Drug exposure metrics (Cmax, trough, AUC, time above a level) against closed forms: the
//! steady-state trough and peak of repeated oral doses of a one-compartment drug with
//! first-order absorption, and the mass balance of the area under the plasma curve.

mod common;
use raphe::simulate::exposure::{Compartment, Level};
use raphe::simulate::{simulate_following, Fidelity, Settings, Summary};

/// Oral baclofen 20 mg q8h from year 3, followed for 1,500 days (before death).
fn run(levels: &[Level]) -> (raphe::model::Model, raphe::pharmacology::Scenario, Summary, Settings) {
    let model = common::model("human_als");
    let scenario = common::scenario("baclofen_oral_tid", &model);
    let mut settings = Settings::for_model(&model, Fidelity::Fast);
    settings.duration = 1500.0;
    let traj = simulate_following(&model, &scenario, &settings, levels).unwrap();
    let summary = Summary::of(&model, &traj);
    assert_eq!(summary.death_day, None, "the run ends alive");
    (model, scenario, summary, settings)
}

#[test]
fn steady_state_trough_and_peak_match_the_closed_form() {
    let (_, scenario, summary, _) = run(&[]);
    let pk = scenario.drugs[0].pk;
    let (f, ka, k, v) = (pk.bioavailability, pk.absorption_rate, pk.elimination_rate, pk.volume);
    let (dose, tau) = (20.0, 8.0 / 24.0);
    // C_ss(t) after a dose, t in [0, τ] (Gibaldi & Perrier, superposition of first-order doses).
    let c = |t: f64| {
        f * dose * ka / (v * (ka - k))
            * ((-k * t).exp() / (1.0 - (-k * tau).exp()) - (-ka * t).exp() / (1.0 - (-ka * tau).exp()))
    };
    let t_max = (ka * (1.0 - (-k * tau).exp()) / (k * (1.0 - (-ka * tau).exp()))).ln() / (ka - k);
    let e = &summary.exposure["baclofen"];
    let trough = e.plasma_trough.expect("oral doses have a trough");
    assert!((trough - c(tau)).abs() <= 1e-9 * c(tau), "trough {trough} vs closed form {}", c(tau));
    // The 15-min grid finds the peak to within its curvature over half a step.
    let cmax = c(t_max);
    assert!(e.plasma_cmax <= cmax * (1.0 + 1e-12), "grid peak {} above the true peak {cmax}", e.plasma_cmax);
    assert!(e.plasma_cmax >= 0.995 * cmax, "grid peak {} vs {cmax}", e.plasma_cmax);
    assert!(e.csf_cmax > 0.0 && e.csf_cmax < e.plasma_cmax, "CSF below plasma (CSF/plasma ratio < 1)");
}

#[test]
fn plasma_auc_closes_the_mass_balance() {
    let (_, scenario, summary, settings) = run(&[]);
    let pk = scenario.drugs[0].pk;
    let end = settings.duration;
    let doses = scenario.doses_until(end).iter().filter(|d| d.time < end).count() as f64;
    let state = scenario.pk_at(0, end);
    // Eliminated = k·V·AUC = absorbed dose − what is still in depot and plasma.
    let eliminated = pk.bioavailability * 20.0 * doses - state.depot - state.central;
    let auc = summary.exposure["baclofen"].plasma_auc;
    let from_auc = pk.elimination_rate * pk.volume * auc;
    assert!(
        (from_auc - eliminated).abs() <= 1e-9 * eliminated,
        "k·V·AUC {from_auc} vs eliminated {eliminated}"
    );
}

#[test]
fn time_above_falls_with_the_level_and_is_zero_above_the_peak() {
    let probe = |mg_per_l: f64| Level { slot: 0, compartment: Compartment::Plasma, mg_per_l };
    let (_, scenario, base, settings) = run(&[]);
    let cmax = base.exposure["baclofen"].plasma_cmax;
    let trough = base.exposure["baclofen"].plasma_trough.unwrap();
    let levels = [probe(0.5 * trough), probe(trough), probe(0.5 * (trough + cmax)), probe(1.01 * cmax)];
    let (_, _, summary, _) = run(&levels);
    let t = &summary.time_above;
    let dosing_days = settings.duration - scenario.doses_until(settings.duration)[0].time;
    assert!(
        t[0] > 0.99 * dosing_days && t[0] <= dosing_days,
        "above half the trough nearly all the time: {t:?}"
    );
    assert!(t[0] >= t[1] && t[1] > t[2] && t[2] > t[3], "falls with the level: {t:?}");
    assert_eq!(t[3], 0.0, "never above the peak");
    // Following levels changes nothing else.
    assert_eq!(summary.exposure, base.exposure);
    assert_eq!(summary.spasm_auc, base.spasm_auc);
}
