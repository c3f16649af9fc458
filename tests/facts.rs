//! The literature facts of science.md §6 that the core model must reproduce (1–4, 11), on both
//! presets, plus monotonic responses. Each test can fail: the thresholds are the facts'.

mod common;
use common::*;
use raphe::pharmacology::Scenario;
use raphe::simulate::{Fidelity, Summary};
use raphe::units::DAYS_PER_MONTH;

/// Fact 1: spinal 5-HT falls below 80% of baseline before motor onset (Dentel et al. 2013).
#[test]
fn fact1_serotonin_falls_before_motor_onset() {
    for name in PRESETS {
        let (_, s) = natural_history(&model(name));
        let fall = s.serotonin_below_80pct_day.expect("5-HT falls");
        let onset = s.motor_onset_day.expect("motor onset");
        assert!(fall < onset, "{name}: 5-HT < 80% at day {fall}, motor onset at day {onset}");
    }
}

/// Fact 2: in the mouse, spasms cross the clinical threshold only in the last ~15% of life.
#[test]
fn fact2_mouse_spasms_only_late() {
    let (_, s) = natural_history(&model("sod1_g86r_mouse"));
    let death = s.death_day.expect("mouse reaches end stage");
    let spasm = s.spasm_onset_day.expect("mouse develops spasms");
    assert!(spasm >= 0.85 * death && spasm <= death, "spasm onset {spasm}, death {death}");
}

/// Mouse spasms come after motor onset (Dentel et al. 2013: tail spasms at end stage).
#[test]
fn mouse_spasms_follow_motor_onset() {
    let (_, s) = natural_history(&model("sod1_g86r_mouse"));
    assert!(s.spasm_onset_day.expect("spasms") > s.motor_onset_day.expect("onset"), "{s:?}");
}

/// In the default patient spasms (1 per hour) begin around motor onset: not more than four
/// months before weakness and within a year after it; tone (MAS 1) is not marked before then.
#[test]
fn human_spasms_begin_around_motor_onset() {
    let (traj, s) = natural_history(&model("human_als"));
    let (spasm, onset) = (s.spasm_onset_day.expect("spasms"), s.motor_onset_day.expect("onset"));
    assert!(spasm >= onset - 120.0 && spasm <= onset + 365.0, "spasm onset {spasm}, motor onset {onset}");
    let tone = traj.samples.iter().find(|x| x.day >= onset - 180.0).unwrap().readouts.ashworth;
    assert!(tone < 1.5, "MAS {tone} six months before weakness");
}

/// Fact 3: 5-HT2B/2C receptor density has risen by motor onset (Dentel et al. 2013: 5-HT2B up).
#[test]
fn fact3_receptor_density_up_by_motor_onset() {
    for name in PRESETS {
        let (_, s) = natural_history(&model(name));
        let b = s.ht2b_density_at_motor_onset.unwrap();
        let c = s.ht2c_density_at_motor_onset.unwrap();
        assert!(b > 1.2 && c > 1.2, "{name}: densities at onset 2B {b}, 2C {c}");
    }
}

/// Fact 4 (mouse): one effective dose of the inverse agonist SB206553 at depleted 5-HT cuts
/// spasm intensity by at least 80% over the hours after the dose (Dentel et al. 2013).
#[test]
fn fact4_mouse_inverse_agonist_abolishes_spasms() {
    let w = AcuteMouseDose::run();
    assert!(w.untreated(|s| s.serotonin) < 0.6, "5-HT depleted at the test");
    let (before, after) = (w.untreated(|s| s.readouts.spasm), w.treated(|s| s.readouts.spasm));
    assert!(before > 0.05, "spasms present without drug: {before}");
    assert!(after <= 0.2 * before, "spasm {before} -> {after}");
}

/// The mouse with and without one SB206553 dose at day 112, compared 1-4 h after the dose.
struct AcuteMouseDose {
    treated: raphe::simulate::Trajectory,
    untreated: raphe::simulate::Trajectory,
}

impl AcuteMouseDose {
    const WINDOW: (f64, f64) = (112.0 + 1.0 / 24.0, 112.0 + 4.0 / 24.0);

    fn run() -> Self {
        let m = model("sod1_g86r_mouse");
        let step = 1.0 / 48.0;
        AcuteMouseDose {
            treated: run(&m, &scenario("sb206553_mouse_acute", &m), Fidelity::Fast, step),
            untreated: run(&m, &Scenario::untreated(), Fidelity::Fast, step),
        }
    }

    fn treated(&self, f: impl Fn(&raphe::simulate::Sample) -> f64) -> f64 {
        mean_between(&self.treated, Self::WINDOW.0, Self::WINDOW.1, f)
    }

    fn untreated(&self, f: impl Fn(&raphe::simulate::Sample) -> f64) -> f64 {
        mean_between(&self.untreated, Self::WINDOW.0, Self::WINDOW.1, f)
    }
}

/// Fact 4 (human): cyproheptadine at the top antispastic dose (8 mg tid) cuts spasm intensity
/// by at least half in its second week (D'Amico et al. 2013: cyproheptadine reduces long-lasting
/// reflexes in SCI; Barbeau et al. 1982: fewer spasms in 5 of 6). The >= 80% of fact 4 is the
/// mouse's (Dentel et al. 2013, tested above); in the default patient 5-HT is only partly
/// depleted at year 3 and 24 mg/day occupies the receptors only in part.
#[test]
fn fact4_human_inverse_agonist_cuts_spasms() {
    let m = model("human_als");
    let sc = scenario("cyproheptadine_oral", &m);
    let start = sc.dosing[0].start;
    let step = 1.0 / 24.0;
    let mut settings = raphe::simulate::Settings::for_model(&m, Fidelity::Fast);
    settings.output_step = step;
    settings.duration = start + 15.0;
    let treated = raphe::simulate::simulate(&m, &sc, &settings).unwrap();
    let untreated = raphe::simulate::simulate(&m, &Scenario::untreated(), &settings).unwrap();
    let (from, to) = (start + 7.0, start + 14.0);
    let before = mean_between(&untreated, from, to, |s| s.readouts.spasm);
    let after = mean_between(&treated, from, to, |s| s.readouts.spasm);
    assert!(mean_between(&untreated, from, to, |s| s.serotonin) < 0.8);
    assert!(before > 0.05 && after <= 0.5 * before, "spasm {before} -> {after}");
}

/// The inverse agonist lowers 5-HT2B/2C receptor activity when 5-HT is depleted.
#[test]
fn inverse_agonist_lowers_receptor_activity_at_depleted_serotonin() {
    let w = AcuteMouseDose::run();
    let (a0, a1) =
        (w.untreated(|s| s.readouts.receptor_activity), w.treated(|s| s.readouts.receptor_activity));
    assert!(a1 < 0.5 * a0, "activity {a0} -> {a1}");
}

/// Fact 11: LMN loss is exponential at ~2.35%/month in the human preset.
#[test]
fn fact11_lmn_loss_exponential() {
    let m = model("human_als");
    let (traj, _) = natural_history(&m);
    let at = |day: f64| traj.samples.iter().find(|s| (s.day - day).abs() < 1e-9).unwrap().core.lmn;
    // Constant hazard: the fraction lost per month is the same at every stage.
    let monthly_loss = |day: f64| 1.0 - at(day + DAYS_PER_MONTH.round()) / at(day);
    for day in [400.0, 1000.0, 1500.0] {
        let loss = monthly_loss(day);
        assert!((loss - 0.0235).abs() < 0.002, "day {day}: {loss}/month");
    }
}

fn with(name: &str, parameter: &str, value: f64) -> raphe::model::Model {
    model(name).with_parameter(parameter, value).expect("known parameter")
}

/// Faster raphe loss → earlier 5-HT fall and earlier spasms.
#[test]
fn faster_raphe_loss_brings_serotonin_fall_and_spasms_earlier() {
    for name in PRESETS {
        let base = model(name).params.raphe_hazard;
        let mut last: Option<Summary> = None;
        for factor in [0.8, 1.0, 1.5, 2.5] {
            let (_, s) = natural_history(&with(name, "raphe_hazard", base * factor));
            if let Some(prev) = &last {
                assert!(
                    s.serotonin_below_80pct_day.unwrap() < prev.serotonin_below_80pct_day.unwrap(),
                    "{name} x{factor}"
                );
                assert!(s.spasm_onset_day.unwrap() < prev.spasm_onset_day.unwrap(), "{name} x{factor}");
                assert!(s.spasm_auc > prev.spasm_auc, "{name} x{factor}");
            }
            last = Some(s);
        }
    }
}

/// Faster LMN loss → earlier motor onset and death, and spasms fade (less burden).
#[test]
fn faster_lmn_loss_brings_onset_and_death_earlier() {
    let base = model("human_als").params.lmn_hazard;
    let (_, slow) = natural_history(&with("human_als", "lmn_hazard", base));
    let (_, fast) = natural_history(&with("human_als", "lmn_hazard", base * 1.5));
    assert!(fast.motor_onset_day.unwrap() < slow.motor_onset_day.unwrap());
    assert!(fast.death_day.unwrap() < slow.death_day.unwrap());
    assert!(fast.spasm_auc < slow.spasm_auc);
}

/// Fact 11: spasms and tone fade as LMNs are lost, before respiratory death (late ALS turns
/// flaccid): in the default patient both fall over the last year of life, spasm intensity at
/// death is at most 40% of its peak, and the Modified Ashworth score is at least half a point
/// below its peak.
#[test]
fn fact11_spasms_and_tone_fade_before_death() {
    let (traj, s) = natural_history(&model("human_als"));
    let death = s.death_day.expect("respiratory death");
    let alive: Vec<_> = traj.samples.iter().filter(|x| x.day <= death).collect();
    let last = alive.last().unwrap();
    let year_before = alive.iter().rev().find(|x| x.day <= death - 365.0).unwrap();
    let peak_tone = alive.iter().map(|x| x.readouts.ashworth).fold(0.0, f64::max);
    assert!(
        last.readouts.spasm <= 0.4 * s.peak_spasm,
        "spasm {} at death, peak {}",
        last.readouts.spasm,
        s.peak_spasm
    );
    assert!(
        last.readouts.ashworth <= peak_tone - 0.5,
        "MAS {} at death, peak {peak_tone}",
        last.readouts.ashworth
    );
    assert!(
        last.readouts.spasm < year_before.readouts.spasm
            && last.readouts.ashworth < year_before.readouts.ashworth
    );
    assert!(s.peak_spasm_day < death - 365.0, "peak on day {}, death {death}", s.peak_spasm_day);
}

/// Fact 15 (scale): the tone score spans Modified Ashworth 0-4. The default patient peaks in
/// the range of ALS patients with spasticity (CANALS baseline MAS 2.3-2.4: 1.5-3.5 allowed); a
/// UMN-predominant patient with marked spasticity (fast raphe and UMN loss, LMN loss at 40% of
/// the default rate) reaches MAS 3.5.
#[test]
fn fact15_tone_spans_the_modified_ashworth_scale() {
    let peak_tone = |m: &raphe::model::Model| {
        let (traj, s) = natural_history(m);
        let death = s.death_day.unwrap_or(f64::INFINITY);
        traj.samples.iter().filter(|x| x.day <= death).map(|x| x.readouts.ashworth).fold(0.0, f64::max)
    };
    let m = model("human_als");
    let default = peak_tone(&m);
    assert!((1.5..=3.5).contains(&default), "default peak MAS {default}");
    let p = &m.params;
    let marked = m
        .with_parameters(&[
            ("raphe_hazard", 3.0 * p.raphe_hazard),
            ("umn_hazard", 4.0 * p.umn_hazard),
            ("lmn_hazard", 0.4 * p.lmn_hazard),
        ])
        .unwrap();
    let high = peak_tone(&marked);
    assert!((3.5..=4.0).contains(&high), "marked spasticity peak MAS {high}");
}

/// Survival from motor onset in the default patient lies inside the population median range
/// 20-48 months (Chiò 2009), and the ALSFRS-R slope inside the PRO-ACT median range
/// 0.89-0.99/month (the default patient stands for the median; the cohort fact is a later issue).
#[test]
fn default_patient_is_typical() {
    let (_, s) = natural_history(&model("human_als"));
    let survival = s.survival_from_motor_onset_months.unwrap();
    assert!((20.0..=48.0).contains(&survival), "{survival} months");
    let slope = s.alsfrs_slope_per_month.unwrap();
    assert!((0.89..=0.99).contains(&slope), "{slope}");
}

// ---------------------------------------------------------------- receptor mechanism (§3)

/// Receptor activity, PIC and excitability after full adaptation to raphe survival `raphe`
/// (5-HT at the matching level), with `effects` acting at the receptors.
fn adapted(m: &raphe::model::Model, raphe: f64, effects: &raphe::model::DrugEffects) -> (f64, f64, f64) {
    let core = m.adapted_core(raphe);
    let activity = m.receptor_activity(raphe, &core, effects);
    let pic = m.pic_steady(activity);
    (activity, pic, pic / m.baseline_pic())
}

/// Drug load at 5-HT2C normalised concentration `x_c`, for a drug with the given 5-HT2B/2C
/// affinities (nM) and efficacies (the values of models/drugs/sb206553.toml and sb242084.toml).
fn ligand(x_c: f64, ki_2b: f64, ki_2c: f64, alpha_2b: f64, alpha_2c: f64) -> raphe::model::DrugEffects {
    let mut e = raphe::model::DrugEffects::default();
    e.ht2c.add(x_c, alpha_2c);
    e.ht2b.add(x_c * ki_2c / ki_2b, alpha_2b);
    e
}

/// Fact 12: at depleted spinal 5-HT (10% of baseline, chronic) spasms are carried by constitutive
/// 5-HT2B/2C activity: at equal (90%) 5-HT2C occupancy the inverse agonist SB206553 removes most
/// of the excess excitability, the neutral antagonist SB242084 almost none of it (Murray et al.
/// 2010, 2011; D'Amico et al. 2013: chlorpromazine, a neutral antagonist, had no effect in
/// complete SCI while cyproheptadine reduced spasms).
#[test]
fn fact12_neutral_antagonist_spares_constitutive_activity_inverse_agonist_removes_it() {
    for name in PRESETS {
        let m = model(name);
        let none = raphe::model::DrugEffects::default();
        let (_, _, e0) = adapted(&m, 0.1, &none);
        let (_, _, e_neutral) = adapted(&m, 0.1, &ligand(9.0, 100.0, 1.0, 1.0, 1.0));
        let (_, _, e_inverse) = adapted(&m, 0.1, &ligand(9.0, 1.26, 12.6, 0.05, 0.05));
        let excess = |e: f64| (e - 1.0).max(0.0);
        assert!(excess(e0) > 0.5, "{name}: excess excitability {}", excess(e0));
        assert!(
            excess(e_neutral) >= 0.9 * excess(e0),
            "{name}: neutral {} of {}",
            excess(e_neutral),
            excess(e0)
        );
        assert!(
            excess(e_inverse) <= 0.3 * excess(e0),
            "{name}: inverse {} of {}",
            excess(e_inverse),
            excess(e0)
        );
        // The same at the level of spasms, with the UMN and LMN losses of established disease
        // (issue 8 found a neutral antagonist cutting spasms by 96% at 10% residual 5-HT).
        let core = raphe::model::Core { umn: 0.6, lmn: 0.6, ..m.adapted_core(0.1) };
        let spasm = |e: &raphe::model::DrugEffects| {
            m.spasm(&core, m.pic_steady(m.receptor_activity(0.1, &core, e)), e)
        };
        let s0 = spasm(&none);
        assert!(s0 > 0.05, "{name}: spasms at 10% residual 5-HT {s0}");
        assert!(spasm(&ligand(9.0, 100.0, 1.0, 1.0, 1.0)) >= 0.85 * s0, "{name}: neutral antagonist");
        assert!(spasm(&ligand(9.0, 1.26, 12.6, 0.05, 0.05)) <= 0.1 * s0, "{name}: inverse agonist");
        // Constitutive activity carries the receptor signal.
        let core = m.adapted_core(0.1);
        let r = m.readouts(&core, 0.1, m.pic_steady(m.receptor_activity(0.1, &core, &none)), &none);
        assert!(r.constitutive_activity >= 0.8 * r.receptor_activity, "{r:?}");
    }
}

/// In the SOD1 mouse the bundled comparison tells the two drug classes apart (issue 8: 80.3% vs
/// 80.1% before the revision): the inverse agonist abolishes spasms, the neutral antagonist only
/// removes the part carried by the residual 5-HT.
#[test]
fn mouse_inverse_agonist_outperforms_neutral_antagonist() {
    let m = model("sod1_g86r_mouse");
    let relief = |name: &str| {
        let sc = scenario(name, &m);
        let start = sc.dosing[0].start;
        let treated = run(&m, &sc, Fidelity::Fast, 1.0 / 96.0);
        let untreated = run(&m, &Scenario::untreated(), Fidelity::Fast, 1.0 / 96.0);
        let (a, b) = (start + 1.0 / 24.0, start + 4.0 / 24.0);
        1.0 - mean_between(&treated, a, b, |s| s.readouts.spasm)
            / mean_between(&untreated, a, b, |s| s.readouts.spasm)
    };
    let (inverse, neutral) = (relief("sb206553_mouse"), relief("sb242084_mouse"));
    assert!(inverse >= 0.9 && neutral <= inverse - 0.25, "SB206553 {inverse}, SB242084 {neutral}");
}

/// The neutral antagonist competes with the inverse agonist (Murray et al. 2010: SB242084 blocked
/// the effect of SB206553): adding SB242084 weakens SB206553 at depleted 5-HT.
#[test]
fn neutral_antagonist_blocks_the_inverse_agonist() {
    let m = model("human_als");
    let inverse = ligand(9.0, 1.26, 12.6, 0.05, 0.05);
    let mut both = inverse;
    let neutral = ligand(30.0, 100.0, 1.0, 1.0, 1.0);
    both.ht2c.add(neutral.ht2c.occupancy_sum, 1.0);
    both.ht2b.add(neutral.ht2b.occupancy_sum, 1.0);
    let (a_inverse, _, _) = adapted(&m, 0.1, &inverse);
    let (a_both, _, _) = adapted(&m, 0.1, &both);
    assert!(a_both > 1.3 * a_inverse, "activity with SB206553 {a_inverse}, with both {a_both}");
}

/// Fact 14: PIC and excitability rise monotonically as 5-HT loss becomes complete (adapted
/// states), and complete chronic loss gives the chronic-spinal PIC (2.4 +/- 1.0 nA, Li et al. 2007;
/// 2.88 +/- 0.95 nA, Li & Bennett 2003), well above the acute-spinal 0.69 nA.
#[test]
fn fact14_pic_rises_monotonically_as_serotonin_loss_becomes_complete() {
    for name in PRESETS {
        let m = model(name);
        let none = raphe::model::DrugEffects::default();
        let mut last = 0.0;
        for i in 0..=100 {
            let raphe = 1.0 - i as f64 / 100.0;
            let (_, pic, _) = adapted(&m, raphe, &none);
            assert!(pic > last, "{name}: PIC {pic} at raphe {raphe} not above {last}");
            last = pic;
        }
        assert!((1.9..=3.4).contains(&last), "{name}: chronic PIC {last} nA");
        let acute = m.pic_steady(m.receptor_activity(0.0, &m.initial_core(), &none));
        assert!((acute - 0.69).abs() < 0.1, "{name}: acute-spinal PIC {acute} nA");
    }
}

/// Supersensitivity develops over weeks (rats: spasticity from 3-4 weeks after SCI, 5-HT2A
/// immunoreactivity maximal at 28 days; humans ~2 months; Kong et al. 2011, Ryu et al. 2021):
/// after an abrupt, complete 5-HT loss the PIC has barely moved from its acute value after 2
/// days, is past half its chronic rise within 1-6 weeks and near its plateau by 6 months.
#[test]
fn supersensitivity_develops_over_weeks_after_abrupt_serotonin_loss() {
    let m = model("human_als");
    let late = 20.0 * 365.25;
    let changes = [("raphe_onset", 0.0), ("raphe_hazard", 10.0), ("umn_onset", late), ("lmn_onset", late)];
    let m = m.with_parameters(&changes).unwrap();
    let mut settings = raphe::simulate::Settings::for_model(&m, Fidelity::Fast);
    settings.duration = 400.0;
    let traj = raphe::simulate::simulate(&m, &Scenario::untreated(), &settings).unwrap();
    let pic_at = |day: f64| traj.samples.iter().find(|s| (s.day - day).abs() < 1e-9).unwrap().pic;
    let none = raphe::model::DrugEffects::default();
    let acute = m.pic_steady(m.receptor_activity(0.0, &m.initial_core(), &none));
    let chronic = m.pic_steady(m.receptor_activity(0.0, &m.adapted_core(0.0), &none));
    let progress = |day: f64| (pic_at(day) - acute) / (chronic - acute);
    assert!(progress(2.0) < 0.3, "after 2 days {}", progress(2.0));
    let half = (1..400).find(|&d| progress(d as f64) >= 0.5).expect("half the rise") as f64;
    assert!((7.0..=42.0).contains(&half), "half the chronic rise after {half} days");
    assert!(progress(180.0) > 0.9, "after 6 months {}", progress(180.0));
}

/// Escitalopram 10 mg/day from `start` to `stop` in the default patient.
fn escitalopram(m: &raphe::model::Model, start: f64, stop: f64) -> Scenario {
    let text = format!(
        "[scenario]\nname = \"ssri_test\"\ndescription = \"escitalopram\"\n[[dosing]]\ndrug = \"escitalopram\"\nroute = \"oral\"\nregimen = \"10 mg qd\"\nstart = {{ value = {start}, unit = \"day\" }}\nstop = {{ value = {stop}, unit = \"day\" }}\n"
    );
    Scenario::from_toml(
        std::path::Path::new("ssri_test.toml"),
        &text,
        m,
        &raphe::pharmacology::Library::default(),
    )
    .unwrap()
}

/// Fact 13: in a patient who already has spasms, raising 5-HT with an SSRI increases spasms:
/// within days of the first dose (D'Amico et al. 2013: citalopram facilitates long-lasting
/// reflexes; Thompson & Hornby 2013: a single escitalopram dose raises spasms; Goffin et al.
/// 2020: spasticity two days after paroxetine), for as long as it is given (Stolp-Smith &
/// Wainberg 1999: exacerbation on chronic treatment, relieved when it stopped), and no longer:
/// receptor adaptation follows denervation, not the 5-HT level (docs/model.md §3), so the
/// worsening lasts through 12 weeks of dosing and is gone within two weeks of stopping. (Before
/// the revision spasms rose for a week, then fell below the untreated course for good.)
#[test]
fn fact13_ssri_raises_established_spasms_while_given() {
    let m = model("human_als");
    let (start, stop) = (1100.0, 1100.0 + 84.0);
    let mut settings = raphe::simulate::Settings::for_model(&m, Fidelity::Fast);
    settings.duration = stop + 60.0;
    settings.output_step = 0.25;
    let treated = raphe::simulate::simulate(&m, &escitalopram(&m, start, stop), &settings).unwrap();
    let untreated = raphe::simulate::simulate(&m, &Scenario::untreated(), &settings).unwrap();
    let spasm = |t: &raphe::simulate::Trajectory, a: f64, b: f64| mean_between(t, a, b, |s| s.readouts.spasm);
    assert!(spasm(&untreated, start - 7.0, start) > 0.1, "established spasms before the SSRI");
    for (a, b) in [(start + 0.5, start + 3.0), (start + 3.0, start + 7.0), (start + 28.0, start + 84.0)] {
        let (t, u) = (spasm(&treated, a, b), spasm(&untreated, a, b));
        assert!(t > 1.05 * u, "days {a}-{b}: SSRI {t}, untreated {u}");
    }
    let (t, u) = (spasm(&treated, stop + 14.0, stop + 60.0), spasm(&untreated, stop + 14.0, stop + 60.0));
    assert!((t / u - 1.0).abs() < 0.01, "after stopping: SSRI {t}, untreated {u}");
}

/// A 5-HT precursor (5-HTP) also raises established spasms, in its first days and over months
/// (Barbeau et al. 1981: 5-HTP responses supersensitive after 5-HT loss).
#[test]
fn serotonin_precursor_raises_established_spasms_acutely() {
    let m = model("human_als");
    let sc = scenario("serotonin_precursor_5htp", &m);
    let start = sc.dosing[0].start;
    let mut settings = raphe::simulate::Settings::for_model(&m, Fidelity::Fast);
    settings.duration = start + 200.0;
    settings.output_step = 0.25;
    let treated = raphe::simulate::simulate(&m, &sc, &settings).unwrap();
    let untreated = raphe::simulate::simulate(&m, &Scenario::untreated(), &settings).unwrap();
    for (a, b) in [(start + 1.0, start + 4.0), (start + 100.0, start + 200.0)] {
        let t = mean_between(&treated, a, b, |s| s.readouts.spasm);
        let u = mean_between(&untreated, a, b, |s| s.readouts.spasm);
        assert!(t > 1.05 * u, "days {a}-{b}: 5-HTP {t}, untreated {u}");
    }
}

/// An SSRI in a cord that still has its serotonergic innervation leaves no lasting tone or
/// spasms: 5-HT above the healthy level down-regulates the receptors within weeks (review of
/// issue 8: without desensitisation an SSRI gave a healthy cord MAS 0.5 for as long as it was
/// taken).
#[test]
fn ssri_in_an_innervated_cord_has_no_lasting_effect() {
    let m = model("human_als");
    let start = 100.0;
    assert!(m.params.raphe_onset > start + 120.0, "the test needs an innervated cord");
    let mut settings = raphe::simulate::Settings::for_model(&m, Fidelity::Fast);
    settings.duration = start + 120.0;
    settings.output_step = 0.25;
    let treated = raphe::simulate::simulate(&m, &escitalopram(&m, start, start + 120.0), &settings).unwrap();
    let untreated = raphe::simulate::simulate(&m, &Scenario::untreated(), &settings).unwrap();
    let (a, b) = (start + 28.0, start + 112.0);
    assert!(mean_between(&treated, a, b, |s| s.serotonin) > 1.5, "the SSRI raises 5-HT");
    let tone = |t: &raphe::simulate::Trajectory| mean_between(t, a, b, |s| s.readouts.ashworth);
    assert!(
        (tone(&treated) - tone(&untreated)).abs() < 0.2,
        "MAS {} vs {}",
        tone(&treated),
        tone(&untreated)
    );
    assert!(mean_between(&treated, a, b, |s| s.readouts.spasms_per_hour) < 0.2);
}
