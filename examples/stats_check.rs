//! raphe's trial statistics on datasets from a JSON file, for the lifelines/SciPy cross-check
//! (`tests/stats/check_stats.py`): `stats_check DATASETS.json` prints one JSON array with, for
//! each dataset, every analysis it has input for. A failed analysis is `{"error": "..."}`;
//! non-finite numbers (an infinite odds ratio or median) print as null.
//!
//! Input: `[{"name": ..., "arm_a": [{"time": t, "event": e}, ...], "arm_b": [...],
//! "at_times": [t, ...], "cox": {"obs": [...], "x": [[x1, x2], ...]}, "y_a": [...],
//! "y_b": [...], "table": [[a, b], [c, d]], "binom": [k, n]}, ...]`, every field but the name
//! optional.

use raphe::stats::{hypothesis, survival};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use survival::Observation;

#[derive(Deserialize)]
struct Cox {
    obs: Vec<Observation>,
    x: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct Dataset {
    name: String,
    arm_a: Option<Vec<Observation>>,
    arm_b: Option<Vec<Observation>>,
    #[serde(default)]
    at_times: Vec<f64>,
    cox: Option<Cox>,
    y_a: Option<Vec<f64>>,
    y_b: Option<Vec<f64>>,
    table: Option<[[u64; 2]; 2]>,
    binom: Option<(u64, u64)>,
}

fn value<T: Serialize>(result: Result<T, String>) -> Value {
    match result {
        Ok(v) => serde_json::to_value(v).expect("results serialize"),
        Err(e) => json!({ "error": e }),
    }
}

/// The curve, its median and S at the requested times, for one arm.
fn curve(obs: &[Observation], at_times: &[f64]) -> Value {
    match survival::kaplan_meier(obs) {
        Ok(steps) => json!({
            "steps": steps,
            "median": survival::median_survival(&steps),
            "at": at_times.iter().map(|&t| survival::survival_at(&steps, t)).collect::<Vec<_>>(),
        }),
        Err(e) => json!({ "error": e }),
    }
}

fn survival_results(d: &Dataset, out: &mut Map<String, Value>) {
    if let Some(a) = &d.arm_a {
        out.insert("km_a".into(), curve(a, &d.at_times));
    }
    if let Some(b) = &d.arm_b {
        out.insert("km_b".into(), curve(b, &d.at_times));
    }
    if let (Some(a), Some(b)) = (&d.arm_a, &d.arm_b) {
        out.insert("logrank".into(), value(survival::log_rank(a, b)));
        out.insert("logrank_swapped".into(), value(survival::log_rank(b, a)));
    }
    if let Some(cox) = &d.cox {
        out.insert("cox".into(), value(survival::cox_ph(&cox.obs, &cox.x)));
    }
}

fn hypothesis_results(d: &Dataset, out: &mut Map<String, Value>) {
    if let (Some(a), Some(b)) = (&d.y_a, &d.y_b) {
        out.insert("t_pooled".into(), value(hypothesis::t_test(a, b, true)));
        out.insert("t_welch".into(), value(hypothesis::t_test(a, b, false)));
        out.insert("mann_whitney".into(), value(hypothesis::mann_whitney(a, b)));
    }
    if let Some(table) = d.table {
        out.insert("fisher".into(), value(hypothesis::fisher_exact(table)));
        out.insert("chi2".into(), value(hypothesis::chi_squared_2x2(table)));
    }
    if let Some((k, n)) = d.binom {
        out.insert("binom".into(), value(hypothesis::binomial_ci(k, n)));
    }
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: stats_check DATASETS.json");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let datasets: Vec<Dataset> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"));
    let results: Vec<Value> = datasets
        .iter()
        .map(|d| {
            let mut out = Map::new();
            out.insert("name".into(), json!(d.name));
            survival_results(d, &mut out);
            hypothesis_results(d, &mut out);
            Value::Object(out)
        })
        .collect();
    println!("{}", serde_json::to_string(&results).expect("results serialize"));
}
