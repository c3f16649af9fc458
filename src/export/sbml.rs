//! SBML Level 3 Version 2 of the full-resolution model (`raphe export-sbml`): every state as a
//! parameter with a rate rule (the model has no reactions), every model parameter with its unit
//! and its source in notes, derived constants as initial assignments, readouts as assignment
//! rules, neuron-loss onsets as events that switch the loss on, and doses and infusions as events
//! that fire exactly at their times (one event per run of equally spaced equal doses, stepping
//! its own next-dose time). The equations are those of `docs/model.md` §1–§6, written out from
//! the same definitions the Rust code evaluates (`model/`, `pharmacology/`), so libRoadRunner on
//! this file and `raphe simulate --fidelity full` solve the same system (`tests/sbml/`).

use super::expr::{clamp, geq, gt, hill, leq, lt, max, n, positive, pow, product, real, sum, v, when, Expr};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::pharmacology::drug::Mechanism;
use crate::pharmacology::pk::ROSTRAL_SPREAD;
use crate::pharmacology::{BoundDrug, Route, Scenario};
use crate::units::{DAYS_PER_HOUR, DAYS_PER_MONTH};
use std::fmt::Write;

/// One SBML parameter: a constant, a state (rate rule) or a readout (assignment rule).
struct Param {
    id: String,
    value: f64,
    unit: &'static str,
    constant: bool,
    notes: Option<String>,
}

/// (id, trigger, the trigger's initial value, assignments). A trigger whose initial value is
/// false fires at time 0 if it is true there (a dose at day 0).
type Event = (String, Expr, bool, Vec<(String, Expr)>);

/// One SBML unit of a definition: kind, exponent, scale, multiplier.
type Unit = (&'static str, i32, i32, f64);

/// The model being written: parameters, rules, initial assignments, events.
#[derive(Default)]
struct Doc {
    params: Vec<Param>,
    initial: Vec<(String, Expr)>,
    rates: Vec<(String, Expr)>,
    assignments: Vec<(String, Expr)>,
    events: Vec<Event>,
    /// Drug slot and route of each infusion, in order (`infusion<j>_rate`).
    infusions: Vec<(usize, Route)>,
}

impl Doc {
    fn constant(&mut self, id: &str, value: f64, unit: &'static str, notes: Option<String>) {
        self.params.push(Param { id: id.into(), value, unit, constant: true, notes });
    }

    /// A constant computed from others when the model is loaded (so editing a base parameter
    /// in a simulator updates it).
    fn derived(&mut self, id: &str, unit: &'static str, e: Expr, why: &str) {
        self.params.push(Param { id: id.into(), value: 0.0, unit, constant: true, notes: Some(why.into()) });
        self.initial.push((id.into(), e));
    }

    fn state(&mut self, id: &str, initial: f64, unit: &'static str, rate: Expr) {
        self.params.push(Param { id: id.into(), value: initial, unit, constant: false, notes: None });
        self.rates.push((id.into(), rate));
    }

    /// A variable set only by events.
    fn switch(&mut self, id: &str, initial: f64, unit: &'static str) {
        self.params.push(Param { id: id.into(), value: initial, unit, constant: false, notes: None });
    }

    fn readout(&mut self, id: &str, unit: &'static str, e: Expr) {
        self.params.push(Param { id: id.into(), value: 0.0, unit, constant: false, notes: None });
        self.assignments.push((id.into(), e));
    }
}

/// SBML unit definition id for an internal unit (`units::internal_unit`), with its definition.
fn unit_id(internal: &str) -> &'static str {
    match internal {
        "1" => "dimensionless",
        "day" => "day",
        "1/day" => "per_day",
        "nA" => "nA",
        "nM" => "nM",
        "mg/L" => "mg_per_L",
        "pg/mL" => "pg_per_mL",
        "pg/mL per %/month" => "pg_per_mL_per_percent_per_month",
        "kg" => "kilogram",
        "mg" => "mg",
        "mg/day" => "mg_per_day",
        "L" => "litre",
        "g/mol" => "g_per_mol",
        other => panic!("internal unit `{other}` has no SBML unit definition"),
    }
}

const UNIT_DEFINITIONS: &[(&str, &[Unit])] = &[
    ("day", &[("second", 1, 0, 86400.0)]),
    ("per_day", &[("second", -1, 0, 86400.0)]),
    ("nA", &[("ampere", 1, -9, 1.0)]),
    ("nM", &[("mole", 1, -9, 1.0), ("litre", -1, 0, 1.0)]),
    ("mg_per_L", &[("gram", 1, -3, 1.0), ("litre", -1, 0, 1.0)]),
    ("pg_per_mL", &[("gram", 1, -12, 1.0), ("litre", -1, -3, 1.0)]),
    // pg/mL per (%/month): pg/mL × month / 0.01.
    (
        "pg_per_mL_per_percent_per_month",
        &[
            ("gram", 1, -12, 1.0),
            ("litre", -1, -3, 1.0),
            ("second", 1, 0, 86400.0 * DAYS_PER_MONTH),
            ("dimensionless", 1, 2, 1.0),
        ],
    ),
    ("mg", &[("gram", 1, -3, 1.0)]),
    ("mg_per_day", &[("gram", 1, -3, 1.0), ("second", -1, 0, 86400.0)]),
    ("g_per_mol", &[("gram", 1, 0, 1.0), ("mole", -1, 0, 1.0)]),
    ("hour", &[("second", 1, 0, 3600.0)]),
    ("per_hour", &[("second", -1, 0, 3600.0)]),
    // Conversion constants: the value is the number, the unit makes the quantity 1.
    ("day_per_hour", &[("second", 1, 0, 86400.0), ("second", -1, 0, 3600.0)]),
    (
        "percent_per_month_day",
        &[
            ("dimensionless", 1, -2, 1.0),
            ("second", -1, 0, 86400.0 * DAYS_PER_MONTH),
            ("second", 1, 0, 86400.0),
        ],
    ),
    ("nM_per_mM", &[("mole", 1, -9, 1.0), ("mole", -1, -3, 1.0)]),
];

/// The SBML text of `model` under `scenario` up to day `end` (doses after it are left out).
pub fn write(model: &Model, scenario: &Scenario, end: f64) -> Result<String> {
    if !scenario.exercise.is_empty() {
        return Err(Error::Settings(
            "export-sbml: exercise programmes are not exported (training is a closed form in raphe); use a scenario without [[exercise]]".into(),
        ));
    }
    let mut d = Doc::default();
    parameters(&mut d, model);
    drug_parameters(&mut d, &scenario.drugs);
    doses(&mut d, scenario, end);
    equations(&mut d, model, &scenario.drugs);
    Ok(render(model, scenario, &d))
}

fn parameters(d: &mut Doc, model: &Model) {
    for r in &model.resolved {
        let mut notes = r.description.to_string();
        if let Some(s) = &r.source {
            notes.push_str(&format!(". Source: {s}"));
        }
        if r.assumption {
            notes.push_str(". Assumption");
        }
        if let Some(note) = &r.note {
            notes.push_str(&format!(". {note}"));
        }
        notes.push_str(&format!(" (file value {} {})", real(r.file_value), r.unit));
        d.constant(&r.name, r.value, unit_id(r.internal_unit), Some(notes));
    }
}

fn drug_parameters(d: &mut Doc, drugs: &[BoundDrug]) {
    for drug in drugs {
        let p = |k: &str| format!("{}_{k}", drug.name);
        let pk = &drug.pk;
        let bound = |what: &str| {
            Some(format!(
                "{what} of {}, bound to this patient (body mass, renal function) from its drug file",
                drug.name
            ))
        };
        d.constant(&p("F"), pk.bioavailability, "dimensionless", bound("oral bioavailability"));
        d.constant(&p("ka"), pk.absorption_rate, "per_day", bound("absorption rate"));
        d.constant(&p("k"), pk.elimination_rate, "per_day", bound("elimination rate CL/V"));
        d.constant(&p("V"), pk.volume, "litre", bound("volume of distribution"));
        d.constant(&p("Kp"), pk.csf_ratio, "dimensionless", bound("CSF/plasma ratio"));
        d.constant(&p("ke0"), pk.csf_rate, "per_day", bound("plasma-CSF equilibration rate"));
        d.constant(&p("Vcsf"), pk.intrathecal_volume, "litre", bound("CSF volume of intrathecal drug"));
        d.constant(&p("ki"), pk.intrathecal_rate, "per_day", bound("rate intrathecal drug leaves the CSF"));
        d.constant(&p("MW"), drug.molar_mass, "g_per_mol", bound("molar mass"));
        match drug.mechanism {
            Mechanism::Ht2Ligand { ki_2b, ki_2c, efficacy_2b, efficacy_2c } => {
                d.constant(&p("ki_2b"), ki_2b, "nM", bound("5-HT2B affinity"));
                d.constant(&p("ki_2c"), ki_2c, "nM", bound("5-HT2C affinity"));
                d.constant(&p("alpha_2b"), efficacy_2b, "dimensionless", bound("5-HT2B efficacy"));
                d.constant(&p("alpha_2c"), efficacy_2c, "dimensionless", bound("5-HT2C efficacy"));
            }
            Mechanism::Reflex { emax, ec50, hill } => {
                d.constant(&p("emax"), emax, "dimensionless", bound("reflex Emax"));
                d.constant(&p("ec50"), ec50, "mg_per_L", bound("reflex EC50 (CSF)"));
                d.constant(&p("hill"), hill, "dimensionless", bound("reflex Hill coefficient"));
            }
            Mechanism::SerotoninClearance { emax, ec50 }
            | Mechanism::SerotoninRelease { emax, ec50 }
            | Mechanism::MuscleForce { emax, ec50 } => {
                d.constant(&p("emax"), emax, "dimensionless", bound("Emax"));
                d.constant(&p("ec50"), ec50, "mg_per_L", bound("EC50 (CSF)"));
            }
        }
        let h = &drug.harms;
        for (what, harm) in [
            ("sedation", h.sedation),
            ("hypotension", h.hypotension),
            ("respiratory", h.respiratory),
            ("weakness", h.weakness),
        ] {
            if harm.emax != 0.0 {
                d.constant(
                    &p(&format!("{what}_emax")),
                    harm.emax,
                    "dimensionless",
                    bound(&format!("{what} Emax")),
                );
                d.constant(
                    &p(&format!("{what}_ec50")),
                    harm.ec50,
                    "mg_per_L",
                    bound(&format!("{what} EC50")),
                );
                d.constant(
                    &p(&format!("{what}_hill")),
                    harm.hill,
                    "dimensionless",
                    bound(&format!("{what} Hill coefficient")),
                );
            }
        }
    }
}

/// Doses as events: each run of equally spaced, equal doses of one drug by one route becomes
/// one event that adds the dose at `next`, then steps `next` by the interval, `left` times.
/// Infusions: each is a rate switched on and off by two events.
fn doses(d: &mut Doc, scenario: &Scenario, end: f64) {
    // Runs of equal doses of one drug by one route at a constant spacing.
    struct Run {
        drug: usize,
        route: Route,
        amount: f64,
        times: Vec<f64>,
    }
    let mut sorted = scenario.doses_until(end);
    sorted.sort_by(|a, b| {
        (a.drug, route_order(a.route)).cmp(&(b.drug, route_order(b.route))).then(a.time.total_cmp(&b.time))
    });
    let mut runs: Vec<Run> = Vec::new();
    for e in sorted {
        if let Some(run) = runs.last_mut() {
            let same = run.drug == e.drug
                && run.route == e.route
                && (run.amount - e.amount).abs() <= 1e-12 * run.amount.abs();
            let last = *run.times.last().expect("a run has a dose");
            let on_time =
                run.times.len() == 1 || (e.time - last - (run.times[1] - run.times[0])).abs() < 1e-9;
            if same && on_time {
                run.times.push(e.time);
                continue;
            }
        }
        runs.push(Run { drug: e.drug, route: e.route, amount: e.amount, times: vec![e.time] });
    }
    for (j, run) in runs.into_iter().enumerate() {
        let (drug, route, amount, first, count) =
            (run.drug, run.route, run.amount, run.times[0], run.times.len());
        // The interval from the run's ends, not its first gap: no drift over thousands of doses.
        let interval = if count > 1 { (run.times[count - 1] - first) / (count - 1) as f64 } else { 1.0 };
        let name = &scenario.drugs[drug].name;
        let id = |k: &str| format!("dose{j}_{k}");
        d.switch(&id("next"), first, "day");
        d.switch(&id("left"), count as f64, "dimensionless");
        d.constant(
            &id("interval"),
            interval,
            "day",
            Some(format!(
                "{count} doses of {name} {} mg by {} from day {}",
                real(amount),
                route.name(),
                real(first)
            )),
        );
        d.constant(&id("amount"), amount, "mg", None);
        let (target, given) = match route {
            Route::Oral => (format!("{name}_depot"), v(&format!("{name}_F")) * v(&id("amount"))),
            Route::Iv => (format!("{name}_central"), v(&id("amount"))),
            Route::Intrathecal => (format!("{name}_intrathecal"), v(&id("amount"))),
        };
        d.events.push((
            id("event"),
            Expr::And(vec![geq(Expr::Time, v(&id("next"))), gt(v(&id("left")), n(0.5))]),
            false,
            vec![
                (target.clone(), v(&target) + given),
                (id("next"), v(&id("next")) + v(&id("interval"))),
                (id("left"), v(&id("left")) - n(1.0)),
            ],
        ));
    }
    for (j, inf) in scenario.infusions.iter().enumerate() {
        let id = |k: &str| format!("infusion{j}_{k}");
        let name = &scenario.drugs[inf.drug].name;
        d.constant(
            &id("rate_on"),
            inf.rate,
            "mg_per_day",
            Some(format!("{name} infusion by {} from day {}", inf.route.name(), real(inf.start))),
        );
        d.constant(&id("start"), inf.start, "day", None);
        d.switch(&id("rate"), 0.0, "mg_per_day");
        d.infusions.push((inf.drug, inf.route));
        d.events.push((
            id("on"),
            geq(Expr::Time, v(&id("start"))),
            false,
            vec![(id("rate"), v(&id("rate_on")))],
        ));
        if let Some(stop) = inf.stop {
            d.constant(&id("stop"), stop, "day", None);
            d.events.push((
                id("off"),
                geq(Expr::Time, v(&id("stop"))),
                false,
                vec![(id("rate"), n(0.0) * v(&id("rate_on")))],
            ));
        }
    }
}

fn route_order(r: Route) -> u8 {
    match r {
        Route::Oral => 0,
        Route::Iv => 1,
        Route::Intrathecal => 2,
    }
}

/// The two-state active fraction L(1 + αs + Σαx)/(1 + s + Σx + L(1 + αs + Σαx)) (`model/receptor.rs`).
fn two_state(l: Expr, s: Expr, alpha: Expr, occ: Expr, eff: Expr) -> Expr {
    let activated = l * (n(1.0) + alpha * s.clone() + eff);
    activated.clone() / (n(1.0) + s + occ + activated)
}

/// The drugs' summed loads at 5-HT2B and 5-HT2C: Σx and Σαx.
struct Loads {
    ht2b: (Expr, Expr),
    ht2c: (Expr, Expr),
}

fn equations(d: &mut Doc, model: &Model, drugs: &[BoundDrug]) {
    constants(d);
    let loads = drug_effects(d, drugs);
    receptors_and_reflexes(d, &loads);
    slow_states(d, model);
}

/// Derived constants (initial assignments), conversion constants and the onset switches.
fn constants(d: &mut Doc) {
    d.derived(
        "serotonin_clearance_rate",
        "per_day",
        n(std::f64::consts::LN_2) / v("serotonin_half_life"),
        "k_S = ln 2 / t½ of spinal 5-HT",
    );
    d.derived(
        "nfl_clearance_rate",
        "per_day",
        n(std::f64::consts::LN_2) / v("nfl_half_life"),
        "ln 2 / NfL half-life",
    );
    for sub in ["ht2b", "ht2c"] {
        let s0 = v("serotonin_baseline") / v(&format!("{sub}_kd_serotonin"));
        let l0 = v(&format!("{sub}_constitutive_ratio"));
        let alpha = v(&format!("{sub}_serotonin_efficacy"));
        d.derived(
            &format!("{sub}_active0"),
            "dimensionless",
            two_state(l0.clone(), s0.clone(), alpha.clone(), n(0.0), n(0.0)),
            "active fraction in the healthy cord",
        );
        let occupancy = s0.clone() * (n(1.0) + l0.clone() * alpha.clone())
            / (n(1.0) + s0.clone() + l0 * (n(1.0) + alpha * s0));
        d.derived(
            &format!("{sub}_occupancy0"),
            "dimensionless",
            occupancy,
            "5-HT occupancy in the healthy cord",
        );
    }
    d.derived(
        "ht2c_weight",
        "dimensionless",
        v("ht2c_share_of_pic") / v("ht2c_active0"),
        "5-HT2C share over its healthy active fraction",
    );
    d.derived(
        "ht2b_weight",
        "dimensionless",
        (n(1.0) - v("ht2c_share_of_pic")) / v("ht2b_active0"),
        "5-HT2B share over its healthy active fraction",
    );
    d.derived(
        "pic0",
        "nA",
        v("pic_max") * hill(n(1.0), v("pic_half_activity"), v("pic_hill")),
        "healthy PIC (activity 1)",
    );
    for (pool, onset) in
        [("raphe", "raphe_onset"), ("umn", "umn_onset"), ("lmn", "lmn_onset"), ("ms", "ms_onset")]
    {
        let flag = format!("{pool}_loss_on");
        d.switch(&flag, 0.0, "dimensionless");
        d.initial.push((flag.clone(), when(lt(v(onset), n(1e-9) * v("days_unit")), n(1.0), n(0.0))));
        // Initially true: an onset at day 0 is already on (initial assignment), not an event.
        d.events.push((format!("{pool}_loss_starts"), geq(Expr::Time, v(onset)), true, vec![(flag, n(1.0))]));
    }
    d.constant("days_unit", 1.0, "day", Some("one day (gives literal times their unit)".into()));
    d.constant("hours_unit", 1.0, "hour", Some("one hour (makes a frequency per hour a number)".into()));
    d.constant(
        "days_per_hour",
        DAYS_PER_HOUR,
        "day_per_hour",
        Some("1/24: a frequency per day in per hour".into()),
    );
    d.constant(
        "percent_month_per_day",
        100.0 * DAYS_PER_MONTH,
        "percent_per_month_day",
        Some("a loss rate per day in %/month".into()),
    );
    d.constant("no_infusion", 0.0, "mg_per_day", Some("the input rate of a route with no infusion".into()));
    d.constant("nM_per_mM", 1e6, "nM_per_mM", Some("mg/L over g/mol is mmol/L: 1e6 nM".into()));
}

/// Each drug's concentrations, PK states, effects and harms; the combined effects as readouts.
fn drug_effects(d: &mut Doc, drugs: &[BoundDrug]) -> Loads {
    let mut release = Vec::new();
    let mut clearance = Vec::new();
    let mut gain = Vec::new();
    let mut force = Vec::new();
    let (mut occ_b, mut eff_b, mut occ_c, mut eff_c) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut harms: [Vec<Expr>; 4] = Default::default();
    for (i, drug) in drugs.iter().enumerate() {
        let q = |k: &str| v(&format!("{}_{k}", drug.name));
        let id = |k: &str| format!("{}_{k}", drug.name);
        // CSF at the motoneurons: lumbar intrathecal drug plus drug from plasma; the brain
        // sees a quarter of the lumbar level (rostral spread, docs/model.md §6).
        let (csf_id, brain_id) = (id("csf"), id("brain"));
        let (csf, brain) = if drug.pk.intrathecal_volume > 0.0 {
            let it = q("intrathecal") / q("Vcsf");
            (it.clone() + q("effect"), n(ROSTRAL_SPREAD) * it + q("effect"))
        } else {
            (q("effect"), q("effect"))
        };
        d.readout(&csf_id, "mg_per_L", csf);
        d.readout(&id("plasma"), "mg_per_L", q("central") / q("V"));
        d.readout(&brain_id, "mg_per_L", brain);
        let c = positive(v(&csf_id));
        let brain = positive(v(&brain_id));
        match drug.mechanism {
            Mechanism::Ht2Ligand { .. } => {
                let nm = c * v("nM_per_mM") / q("MW");
                d.readout(&id("nM"), "nM", nm);
                occ_b.push(v(&id("nM")) / q("ki_2b"));
                eff_b.push(q("alpha_2b") * v(&id("nM")) / q("ki_2b"));
                occ_c.push(v(&id("nM")) / q("ki_2c"));
                eff_c.push(q("alpha_2c") * v(&id("nM")) / q("ki_2c"));
            }
            Mechanism::Reflex { .. } => gain.push(n(1.0) - q("emax") * hill(c, q("ec50"), q("hill"))),
            Mechanism::SerotoninClearance { .. } => {
                clearance.push(n(1.0) - q("emax") * c.clone() / (c + q("ec50")))
            }
            Mechanism::SerotoninRelease { .. } => {
                release.push(n(1.0) + q("emax") * c.clone() / (c + q("ec50")))
            }
            Mechanism::MuscleForce { .. } => force.push(n(1.0) - q("emax") * c.clone() / (c + q("ec50"))),
        }
        let h = &drug.harms;
        for (k, (what, harm, at)) in [
            ("sedation", h.sedation, brain.clone()),
            ("hypotension", h.hypotension, brain.clone()),
            ("respiratory", h.respiratory, brain.clone()),
            ("weakness", h.weakness, positive(v(&csf_id))),
        ]
        .into_iter()
        .enumerate()
        {
            if harm.emax != 0.0 {
                harms[k].push(
                    n(1.0)
                        - q(&format!("{what}_emax"))
                            * hill(at, q(&format!("{what}_ec50")), q(&format!("{what}_hill"))),
                );
            }
        }
        // PK (pharmacology/pk.rs)
        let rate_it = infused(d, i, Route::Intrathecal);
        let rate_iv = infused(d, i, Route::Iv);
        d.state(&id("depot"), 0.0, "mg", -(q("ka") * q("depot")));
        d.state(&id("intrathecal"), 0.0, "mg", rate_it - q("ki") * q("intrathecal"));
        d.state(
            &id("central"),
            0.0,
            "mg",
            q("ka") * q("depot") + q("ki") * q("intrathecal") + rate_iv - q("k") * q("central"),
        );
        d.state(&id("effect"), 0.0, "mg_per_L", q("ke0") * (q("Kp") * q("central") / q("V") - q("effect")));
    }
    d.readout("serotonin_release_gain", "dimensionless", product(release));
    d.readout("serotonin_clearance_factor", "dimensionless", product(clearance));
    d.readout("reflex_gain", "dimensionless", product(gain));
    d.readout("muscle_force", "dimensionless", product(force));
    let combined = |f: Vec<Expr>| if f.is_empty() { n(0.0) } else { n(1.0) - product(f) };
    let [sed, hyp, resp, weak] = harms;
    d.readout("sedation", "dimensionless", combined(sed));
    d.readout("bp_fall", "dimensionless", combined(hyp));
    d.readout("respiratory_depression", "dimensionless", combined(resp));
    d.readout("drug_weakness", "dimensionless", combined(weak));
    Loads { ht2b: (sum(occ_b), sum(eff_b)), ht2c: (sum(occ_c), sum(eff_c)) }
}

/// Receptor activity (model/receptor.rs), the PIC and the reflex readouts (model/excitability.rs,
/// model/readouts.rs).
fn receptors_and_reflexes(d: &mut Doc, loads: &Loads) {
    d.readout("serotonin_nm", "nM", max(v("serotonin"), n(0.0)) * v("serotonin_baseline"));
    let loads = [
        ("ht2b", loads.ht2b.0.clone(), loads.ht2b.1.clone()),
        ("ht2c", loads.ht2c.0.clone(), loads.ht2c.1.clone()),
    ];
    for (sub, occ, eff) in &loads {
        let f = |s: Expr| {
            let alpha = v(&format!("{sub}_serotonin_efficacy"));
            let inn = two_state(
                v(&format!("{sub}_constitutive_ratio")),
                s.clone(),
                alpha.clone(),
                occ.clone(),
                eff.clone(),
            );
            let act =
                two_state(v(&format!("{sub}_active_isoform_ratio")), s, alpha, occ.clone(), eff.clone());
            inn.clone() + v("isoform_shift") * (act - inn)
        };
        let s = v("serotonin_nm") / v(&format!("{sub}_kd_serotonin"));
        d.readout(&format!("{sub}_active"), "dimensionless", f(s));
        d.readout(&format!("{sub}_constitutive"), "dimensionless", f(n(0.0)));
    }
    let activity = |which: &str| {
        v("ht2c_weight") * v("ht2c_density") * v(&format!("ht2c_{which}"))
            + v("ht2b_weight") * v("ht2b_density") * v(&format!("ht2b_{which}"))
    };
    d.readout("receptor_activity", "dimensionless", activity("active"));
    d.readout("constitutive_activity", "dimensionless", activity("constitutive"));
    d.readout(
        "pic_steady",
        "nA",
        v("pic_max") * hill(max(v("receptor_activity"), n(0.0)), v("pic_half_activity"), v("pic_hill")),
    );
    d.readout("umn_pathway", "dimensionless", v("umn_survival") * v("ms_pathway_survival"));
    let lost = v("umn_inhibition_loss") * (n(1.0) - clamp(v("umn_pathway"), 0.0, 1.0));
    d.readout("disinhibition", "dimensionless", n(1.0) / (n(1.0) - lost) - n(1.0));
    d.readout(
        "excitability",
        "dimensionless",
        v("pic") / v("pic0") * v("reflex_gain")
            / (n(1.0) - v("umn_inhibition_loss") * (n(1.0) - v("umn_pathway"))),
    );
    d.readout(
        "motor_units",
        "dimensionless",
        pow(clamp(v("lmn_survival"), 0.0, 1.0), v("reflex_lmn_exponent")),
    );
    let drive = |factor: Expr| v("motor_units") * v("muscle_force") * max(factor * v("reflex_gain"), n(0.0));
    d.readout(
        "spasm_drive",
        "dimensionless",
        drive(max(v("pic") / v("pic0") - n(1.0), n(0.0)) * v("disinhibition")),
    );
    d.readout(
        "stretch_drive",
        "dimensionless",
        drive(max(v("pic") / v("pic0") - v("tone_pic_threshold"), n(0.0)) * v("disinhibition")),
    );
    d.readout(
        "spasm_intensity",
        "dimensionless",
        when(
            gt(v("spasm_drive"), n(0.0)),
            hill(v("spasm_drive"), v("spasm_half_drive"), v("spasm_hill")),
            n(0.0),
        ),
    );
    d.readout(
        "spasms_per_hour",
        "per_hour",
        v("spasm_intensity") * v("spasm_max_frequency") * v("days_per_hour"),
    );
    let f = v("spasms_per_hour") * v("hours_unit");
    d.readout(
        "penn_spasm_score",
        "dimensionless",
        Expr::Piecewise(
            vec![
                (n(0.0), lt(f.clone(), n(0.05))),
                (n(1.0), lt(f.clone(), n(0.2))),
                (n(2.0), lt(f.clone(), n(1.0))),
                (n(3.0), leq(f, n(10.0))),
            ],
            Box::new(n(4.0)),
        ),
    );
    d.readout(
        "ashworth",
        "dimensionless",
        when(
            gt(v("stretch_drive"), n(0.0)),
            n(4.0) * hill(v("stretch_drive"), v("tone_half_drive"), v("tone_hill")),
            n(0.0),
        ),
    );
    d.readout(
        "motor_function",
        "dimensionless",
        clamp(
            v("lmn_survival") * (n(1.0) - v("umn_function_weight") * (n(1.0) - v("umn_pathway"))),
            0.0,
            1.0,
        ),
    );
    d.readout(
        "alsfrs_r",
        "dimensionless",
        n(48.0)
            * pow(
                clamp(
                    v("motor_function") * (n(1.0) - v("drug_weakness")) / v("motor_onset_function"),
                    0.0,
                    1.0,
                ),
                v("alsfrs_exponent"),
            ),
    );
    d.readout(
        "fvc",
        "dimensionless",
        clamp(v("motor_function") / v("respiratory_reserve_function"), 0.0, 1.0)
            * (n(1.0) - v("respiratory_depression")),
    );
    d.readout(
        "pain",
        "dimensionless",
        n(10.0)
            * clamp(
                v("pain_spasm_weight") * v("spasm_intensity")
                    + v("pain_tone_weight") * v("ashworth") / n(4.0)
                    + v("pain_immobility_weight") * (n(1.0) - v("motor_function")),
                0.0,
                1.0,
            ),
    );
}

/// Neuron loss, receptor adaptation, NfL, the spasm integral, 5-HT and the PIC (model/mod.rs).
fn slow_states(d: &mut Doc, model: &Model) {
    let p = &model.params;
    let loss = |pool: &str, state: &str, hazard: &str| v(hazard) * v(state) * v(&format!("{pool}_loss_on"));
    d.state("raphe_survival", 1.0, "dimensionless", -loss("raphe", "raphe_survival", "raphe_hazard"));
    d.state("umn_survival", 1.0, "dimensionless", -loss("umn", "umn_survival", "umn_hazard"));
    d.state("lmn_survival", 1.0, "dimensionless", -loss("lmn", "lmn_survival", "lmn_hazard"));
    d.state("ms_pathway_survival", 1.0, "dimensionless", -loss("ms", "ms_pathway_survival", "ms_hazard"));
    let rise = v("receptor_upregulation_max") * clamp(n(1.0) - v("raphe_survival"), 0.0, 1.0);
    for sub in ["ht2b", "ht2c"] {
        let s = v("serotonin_nm") / v(&format!("{sub}_kd_serotonin"));
        let (l, alpha) = (v(&format!("{sub}_constitutive_ratio")), v(&format!("{sub}_serotonin_efficacy")));
        let occupancy = s.clone() * (n(1.0) + l.clone() * alpha.clone())
            / (n(1.0) + s.clone() + l * (n(1.0) + alpha * s));
        let excess = when(
            gt(v("serotonin"), n(1.0)),
            max(occupancy / v(&format!("{sub}_occupancy0")) - n(1.0), n(0.0)),
            n(0.0),
        );
        d.readout(&format!("{sub}_occupancy_excess"), "dimensionless", excess);
        let target = max(
            n(1.0) + rise.clone() - v("receptor_desensitisation") * v(&format!("{sub}_occupancy_excess")),
            n(0.2),
        );
        d.state(
            &format!("{sub}_density"),
            1.0,
            "dimensionless",
            (target - v(&format!("{sub}_density"))) / v("receptor_upregulation_time"),
        );
    }
    let isoform_target = v("active_isoform_max_share") * clamp(n(1.0) - v("raphe_survival"), 0.0, 1.0);
    d.state(
        "isoform_shift",
        0.0,
        "dimensionless",
        (isoform_target - v("isoform_shift")) / v("isoform_shift_time"),
    );
    let motor_loss = (loss("umn", "umn_survival", "umn_hazard") + loss("lmn", "lmn_survival", "lmn_hazard"))
        * v("percent_month_per_day");
    let ms_loss = loss("ms", "ms_pathway_survival", "ms_hazard") * v("percent_month_per_day");
    d.state(
        "nfl",
        p.nfl_baseline,
        "pg_per_mL",
        v("nfl_clearance_rate")
            * (v("nfl_baseline") + v("nfl_gain") * motor_loss + v("ms_nfl_gain") * ms_loss - v("nfl")),
    );
    d.state("spasm_auc", 0.0, "day", v("spasm_intensity"));
    d.state(
        "serotonin",
        1.0,
        "dimensionless",
        v("serotonin_clearance_rate")
            * (v("serotonin_release_gain") * v("raphe_survival")
                - v("serotonin_clearance_factor") * v("serotonin")),
    );
    d.state("pic", model.baseline_pic(), "nA", (v("pic_steady") - v("pic")) / v("pic_time_constant"));
}

/// The sum of the infusion rates into drug slot `drug` by `route` (mg/day).
fn infused(d: &Doc, drug: usize, route: Route) -> Expr {
    let rates: Vec<Expr> = d
        .infusions
        .iter()
        .enumerate()
        .filter(|(_, &(k, r))| k == drug && r == route)
        .map(|(j, _)| v(&format!("infusion{j}_rate")))
        .collect();
    if rates.is_empty() {
        return v("no_infusion");
    }
    sum(rates)
}

fn render(model: &Model, scenario: &Scenario, d: &Doc) -> String {
    let esc =
        |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<sbml xmlns=\"http://www.sbml.org/sbml/level3/version2/core\" level=\"3\" version=\"2\">\n");
    let id = format!("{}__{}", model.name, scenario.name);
    let _ = writeln!(
        x,
        "  <model id=\"{}\" name=\"{}\" timeUnits=\"day\">",
        sanitize(&id),
        esc(&format!("{}: {}", model.description, scenario.description))
    );
    let _ = writeln!(
        x,
        "    <notes><body xmlns=\"http://www.w3.org/1999/xhtml\"><p>{}</p></body></notes>",
        esc(&format!(
            "Exported by raphe {} (git {}): model {} under scenario {}. Equations: docs/model.md. States are parameters with rate rules; readouts are assignment rules; doses and infusions are events.",
            env!("CARGO_PKG_VERSION"),
            env!("RAPHE_GIT_REVISION"),
            model.name,
            scenario.name
        ))
    );
    x.push_str("    <listOfUnitDefinitions>\n");
    for (uid, units) in UNIT_DEFINITIONS {
        let _ = writeln!(x, "      <unitDefinition id=\"{uid}\"><listOfUnits>");
        for (kind, exponent, scale, multiplier) in *units {
            let _ = writeln!(
                x,
                "        <unit kind=\"{kind}\" exponent=\"{exponent}\" scale=\"{scale}\" multiplier=\"{}\"/>",
                real(*multiplier)
            );
        }
        x.push_str("      </listOfUnits></unitDefinition>\n");
    }
    x.push_str("    </listOfUnitDefinitions>\n    <listOfParameters>\n");
    for p in &d.params {
        let notes = p.notes.as_ref().map_or(String::new(), |n| {
            format!("<notes><body xmlns=\"http://www.w3.org/1999/xhtml\"><p>{}</p></body></notes>", esc(n))
        });
        let _ = writeln!(
            x,
            "      <parameter id=\"{}\" value=\"{}\" units=\"{}\" constant=\"{}\">{notes}</parameter>",
            p.id,
            real(p.value),
            p.unit,
            p.constant
        );
    }
    x.push_str("    </listOfParameters>\n");
    let math = |e: &Expr| {
        format!("<math xmlns=\"http://www.w3.org/1998/Math/MathML\" xmlns:sbml=\"http://www.sbml.org/sbml/level3/version2/core\">{}</math>", e.mathml())
    };
    x.push_str("    <listOfInitialAssignments>\n");
    for (var, e) in &d.initial {
        let _ = writeln!(x, "      <initialAssignment symbol=\"{var}\">{}</initialAssignment>", math(e));
    }
    x.push_str("    </listOfInitialAssignments>\n    <listOfRules>\n");
    for (var, e) in &d.assignments {
        let _ = writeln!(x, "      <assignmentRule variable=\"{var}\">{}</assignmentRule>", math(e));
    }
    for (var, e) in &d.rates {
        let _ = writeln!(x, "      <rateRule variable=\"{var}\">{}</rateRule>", math(e));
    }
    x.push_str("    </listOfRules>\n");
    if !d.events.is_empty() {
        x.push_str("    <listOfEvents>\n");
        for (eid, trigger, initially, assignments) in &d.events {
            let _ = writeln!(
                x,
                "      <event id=\"{eid}\" useValuesFromTriggerTime=\"true\"><trigger initialValue=\"{initially}\" persistent=\"true\">{}</trigger><listOfEventAssignments>",
                math(trigger)
            );
            for (var, e) in assignments {
                let _ =
                    writeln!(x, "        <eventAssignment variable=\"{var}\">{}</eventAssignment>", math(e));
            }
            x.push_str("      </listOfEventAssignments></event>\n");
        }
        x.push_str("    </listOfEvents>\n");
    }
    x.push_str("  </model>\n</sbml>\n");
    x
}

/// An SBML SId: letters, digits and underscores, not starting with a digit.
fn sanitize(s: &str) -> String {
    let mut out: String = s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if out.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}
