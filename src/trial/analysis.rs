//! The analysis of one trial replicate, endpoint by endpoint and arm by arm against the first
//! arm (the control): change scores by Welch's t-test (effect = difference of mean changes
//! with its 95% CI) with the Mann–Whitney test beside it; responders by Fisher's exact test
//! (effect = difference of response rates); survival by the log-rank test and a Cox model of
//! the arm (effect = hazard ratio). A single-arm trial (a case series) tests change against 0
//! by the one-sample t-test and gives response rates with Clopper–Pearson intervals.

use super::run::{Enrolled, Outcome};
use super::{EndpointKind, Trial};
use crate::stats::hypothesis::{binomial_ci, fisher_exact, mann_whitney, one_sample_t_test, t_test};
use crate::stats::survival::{cox_ph, kaplan_meier, log_rank, median_survival, Observation};

/// One line of results: an arm's summary of an endpoint and its comparison with the control.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub endpoint: String,
    pub arm: String,
    /// Patients with a reading, and without one (died, dropped out).
    pub n: usize,
    pub missing: usize,
    /// Mean change, response rate, or median survival (days), with a 95% interval.
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    /// Against the control (or against 0 / none for a single arm).
    pub effect: f64,
    pub effect_low: f64,
    pub effect_high: f64,
    pub test: &'static str,
    pub p_value: f64,
    /// The second test of a change endpoint (Mann–Whitney), NaN otherwise.
    pub p_value_rank: f64,
}

/// An endpoint no patient could be read at (every one died or dropped out before its visit)
/// is a mistake in the file, not a result: refused, naming the endpoint's field.
pub fn check_readable(trial: &Trial, patients: &[Enrolled]) -> crate::Result<()> {
    for (k, e) in trial.endpoints.iter().enumerate() {
        let read = patients.iter().any(|p| matches!(p.outcomes[k], Outcome::Value(_) | Outcome::Time { .. }));
        if !read {
            return Err(crate::Error::input(
                &trial.path,
                format!("endpoint[{k}].at"),
                None,
                format!(
                    "no enrolled patient is alive and in the trial {} days after enrolment (`{}`)",
                    e.at, e.name
                ),
                "a visit time within the patients' survival",
            ));
        }
    }
    Ok(())
}

/// The rows of every endpoint (control first, then each arm against it).
pub fn analyse(trial: &Trial, patients: &[Enrolled]) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for (k, e) in trial.endpoints.iter().enumerate() {
        let of_arm = |a: usize| patients.iter().filter(move |p| p.arm == a).map(move |p| p.outcomes[k]);
        for a in 0..trial.arms.len() {
            let outcomes: Vec<Outcome> = of_arm(a).collect();
            let control: Vec<Outcome> = of_arm(0).collect();
            let compare = a > 0;
            let row = match e.kind {
                EndpointKind::Change => change_row(&outcomes, &control, compare, trial.arms.len())?,
                EndpointKind::Responder | EndpointKind::Peak => response_row(&outcomes, &control, compare)?,
                EndpointKind::Survival => survival_row(&outcomes, &control, compare)?,
            };
            rows.push(Row { endpoint: e.name.clone(), arm: trial.arms[a].name.clone(), ..row });
        }
    }
    Ok(rows)
}

fn values(outcomes: &[Outcome]) -> (Vec<f64>, usize) {
    let v: Vec<f64> =
        outcomes.iter().filter_map(|o| if let Outcome::Value(x) = o { Some(*x) } else { None }).collect();
    let missing = outcomes.len() - v.len();
    (v, missing)
}

fn blank() -> Row {
    Row {
        endpoint: String::new(),
        arm: String::new(),
        n: 0,
        missing: 0,
        estimate: f64::NAN,
        low: f64::NAN,
        high: f64::NAN,
        effect: f64::NAN,
        effect_low: f64::NAN,
        effect_high: f64::NAN,
        test: "",
        p_value: f64::NAN,
        p_value_rank: f64::NAN,
    }
}

fn change_row(outcomes: &[Outcome], control: &[Outcome], compare: bool, arms: usize) -> Result<Row, String> {
    let (v, missing) = values(outcomes);
    if v.is_empty() {
        return Ok(Row { missing, test: "not estimable (no readings)", ..blank() });
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    // One reading, or all alike: a mean without an interval or a test.
    let one = one_sample_t_test(&v).ok();
    let (low, high) = one.as_ref().map_or((f64::NAN, f64::NAN), |t| (t.ci_low, t.ci_high));
    let mut row = Row { n: v.len(), missing, estimate: mean, low, high, ..blank() };
    if compare {
        let (c, _) = values(control);
        match t_test(&v, &c, false) {
            Ok(t) => {
                row.effect = t.mean_difference;
                row.effect_low = t.ci_low;
                row.effect_high = t.ci_high;
                row.test = "Welch t-test (and Mann-Whitney)";
                row.p_value = t.p_value;
                row.p_value_rank = mann_whitney(&v, &c).map_or(f64::NAN, |m| m.p_value);
            }
            // Too few readings left (deaths, drop-outs): no test, which counts as not significant.
            Err(_) => row.test = "not estimable (too few readings)",
        }
    } else if arms == 1 {
        row.effect = mean;
        row.effect_low = low;
        row.effect_high = high;
        row.test = "one-sample t-test against no change";
        row.p_value = one.map_or(f64::NAN, |t| t.p_value);
    }
    Ok(row)
}

fn response_row(outcomes: &[Outcome], control: &[Outcome], compare: bool) -> Result<Row, String> {
    let (v, missing) = values(outcomes);
    let k = v.iter().filter(|x| **x > 0.5).count() as u64;
    let n = v.len() as u64;
    if n == 0 {
        return Ok(Row { missing, test: "not estimable (no readings)", ..blank() });
    }
    let (low, high) = binomial_ci(k, n)?;
    let rate = k as f64 / n as f64;
    let mut row = Row { n: v.len(), missing, estimate: rate, low, high, ..blank() };
    if !compare {
        // A single arm's effect is its response rate (so replicates and power can report it).
        row.effect = rate;
        row.effect_low = low;
        row.effect_high = high;
    }
    if compare {
        let (c, _) = values(control);
        let kc = c.iter().filter(|x| **x > 0.5).count() as u64;
        let nc = c.len() as u64;
        if nc == 0 {
            row.test = "not estimable (no control readings)";
            return Ok(row);
        }
        let rc = kc as f64 / nc as f64;
        // Wald interval of the difference of rates (Newcombe's would be better at small n).
        let se = (rate * (1.0 - rate) / n as f64 + rc * (1.0 - rc) / nc as f64).sqrt();
        row.effect = rate - rc;
        row.effect_low = row.effect - 1.959964 * se;
        row.effect_high = row.effect + 1.959964 * se;
        row.test = "Fisher exact";
        row.p_value = fisher_exact([[k, n - k], [kc, nc - kc]]).map_or(f64::NAN, |f| f.p_value);
    }
    Ok(row)
}

fn observations(outcomes: &[Outcome]) -> Vec<Observation> {
    outcomes
        .iter()
        .filter_map(|o| {
            if let Outcome::Time { days, event } = o {
                Some(Observation { time: *days, event: *event })
            } else {
                None
            }
        })
        .collect()
}

fn survival_row(outcomes: &[Outcome], control: &[Outcome], compare: bool) -> Result<Row, String> {
    let obs = observations(outcomes);
    if obs.is_empty() {
        return Ok(Row { test: "not estimable (no patients)", ..blank() });
    }
    let steps = kaplan_meier(&obs)?;
    let median = median_survival(&steps).unwrap_or(f64::INFINITY);
    let mut row = Row { n: obs.len(), estimate: median, ..blank() };
    if compare {
        let c = observations(control);
        let deaths = obs.iter().chain(&c).filter(|o| o.event).count();
        if deaths == 0 {
            row.test = "no deaths: log-rank and Cox not estimable";
            return Ok(row);
        }
        row.p_value = log_rank(&obs, &c).map_or(f64::NAN, |l| l.p_value);
        let all: Vec<Observation> = obs.iter().chain(&c).copied().collect();
        let arm: Vec<Vec<f64>> = obs.iter().map(|_| vec![1.0]).chain(c.iter().map(|_| vec![0.0])).collect();
        match cox_ph(&all, &arm) {
            Ok(fit) => {
                row.effect = fit.hazard_ratios[0];
                row.effect_low = fit.hr_low[0];
                row.effect_high = fit.hr_high[0];
                row.test = "log-rank (Cox hazard ratio)";
            }
            Err(_) => row.test = "log-rank (Cox not estimable)",
        }
    }
    Ok(row)
}

/// The rows as CSV.
pub fn csv(rows: &[Row]) -> String {
    let mut out = String::from(
        "endpoint,arm,n,missing,estimate,estimate_low,estimate_high,effect,effect_low,effect_high,test,p_value,p_value_rank\n",
    );
    let cell = |x: f64| if x.is_nan() { String::new() } else { format!("{x:?}") };
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            r.endpoint,
            r.arm,
            r.n,
            r.missing,
            cell(r.estimate),
            cell(r.low),
            cell(r.high),
            cell(r.effect),
            cell(r.effect_low),
            cell(r.effect_high),
            r.test,
            cell(r.p_value),
            cell(r.p_value_rank)
        ));
    }
    out
}
