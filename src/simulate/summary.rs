//! Per-run summary metrics computed from a trajectory. Threshold crossings are interpolated
//! linearly between output times; metrics stop at death, following the same course up to death
//! as the written trajectory ([`Trajectory::until_death`]): values at the end are the trajectory's
//! last row, peaks are over its rows while alive. Every quantity also in the trajectory has the
//! unit of its column (side effects and risks as fractions); `summary.json` lists the unit of
//! every numeric key in its `units` object ([`units`]).

use super::trajectory::{Sample, Trajectory};
use crate::model::Model;
use crate::units::DAYS_PER_MONTH;
use serde::Serialize;

/// The summary written to `summary.json`. `None` (null) means "did not happen in the run".
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// End of the run as requested (when death comes first, the trajectory ends at `death_day`).
    pub end_day: f64,
    /// First day spinal 5-HT is below 80% of baseline.
    pub serotonin_below_80pct_day: Option<f64>,
    /// First day motor function falls below the clinical-onset level (ALSFRS-R leaves 48).
    pub motor_onset_day: Option<f64>,
    /// First day spasm intensity reaches the clinical threshold.
    pub spasm_onset_day: Option<f64>,
    /// Highest spasm intensity on the output grid while alive.
    pub peak_spasm: f64,
    pub peak_spasm_day: f64,
    /// ∫ spasm intensity dt until death or the end, intensity·day.
    pub spasm_auc: f64,
    /// Mean ALSFRS-R decline over the 12 months after motor onset (or until death or the end),
    /// points/month.
    pub alsfrs_slope_per_month: Option<f64>,
    /// First day FVC falls below the respiratory-failure threshold.
    pub death_day: Option<f64>,
    pub survival_from_motor_onset_months: Option<f64>,
    pub serotonin_at_motor_onset: Option<f64>,
    pub ht2b_density_at_motor_onset: Option<f64>,
    pub ht2c_density_at_motor_onset: Option<f64>,
    pub peak_nfl: f64,
    /// Highest drug side effects while alive (fractions), followed every 15 min.
    pub peak_sedation: f64,
    pub peak_bp_fall: f64,
    pub peak_respiratory_depression: f64,
    pub peak_drug_weakness: f64,
    /// Cumulative drug-induced liver-injury risk at death or the end.
    pub liver_injury_risk: f64,
    /// Withdrawal risk of abrupt intrathecal stops: the CSF level lost in the 24 h after the stop,
    /// as a fraction of the highest CSF level of that drug in the run (0 without such a stop;
    /// tapering first lowers it). Set by [`Summary::with_withdrawal`].
    pub withdrawal_risk: f64,
    pub abrupt_intrathecal_stop_days: Vec<f64>,
    /// Exposure of each drug of the scenario at death or the end, by drug name.
    pub exposure: std::collections::BTreeMap<String, DrugExposure>,
    /// Days above each level the run followed ([`super::simulate_following`]), in their order
    /// (sweep metrics; not written to summary.json).
    #[serde(skip)]
    pub time_above: Vec<f64>,
    /// Against the same patient untreated; set by the caller when there is an intervention.
    pub benefit_risk: Option<super::benefit::BenefitRisk>,
    /// The unit of every numeric key ([`units`]), written as the `units` object.
    pub units: Units,
}

/// Exposure of one drug while alive (followed every 15 min; see [`super::exposure`]).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct DrugExposure {
    /// Highest plasma concentration, mg/L.
    pub plasma_cmax: f64,
    /// Plasma concentration just before the last bolus dose, mg/L (`null` without one).
    pub plasma_trough: Option<f64>,
    /// ∫ plasma concentration dt, mg·day/L.
    pub plasma_auc: f64,
    pub csf_cmax: f64,
    pub csf_trough: Option<f64>,
    pub csf_auc: f64,
}

impl DrugExposure {
    /// The value of one statistic (`None`: no trough, no bolus dose given).
    pub fn get(
        &self,
        compartment: super::exposure::Compartment,
        statistic: super::exposure::Statistic,
    ) -> Option<f64> {
        use super::exposure::{Compartment::*, Statistic::*};
        match (compartment, statistic) {
            (Plasma, Cmax) => Some(self.plasma_cmax),
            (Plasma, Trough) => self.plasma_trough,
            (Plasma, Auc) => Some(self.plasma_auc),
            (Csf, Cmax) => Some(self.csf_cmax),
            (Csf, Trough) => self.csf_trough,
            (Csf, Auc) => Some(self.csf_auc),
            (_, TimeAbove(_)) => None,
        }
    }
}

/// Reads one numeric summary value (`None`: did not happen in the run).
pub type MetricGetter = fn(&Summary) -> Option<f64>;

/// The numeric summary values a sweep can record, by their `summary.json` key, with their unit;
/// resolved to getters once, so runs do no lookup by name.
pub const METRICS: &[(&str, &str, MetricGetter)] = &[
    ("end_day", "day", |s| Some(s.end_day)),
    ("serotonin_below_80pct_day", "day", |s| s.serotonin_below_80pct_day),
    ("motor_onset_day", "day", |s| s.motor_onset_day),
    ("spasm_onset_day", "day", |s| s.spasm_onset_day),
    ("peak_spasm", "1", |s| Some(s.peak_spasm)),
    ("peak_spasm_day", "day", |s| Some(s.peak_spasm_day)),
    ("spasm_auc", "day", |s| Some(s.spasm_auc)),
    ("alsfrs_slope_per_month", "points/month", |s| s.alsfrs_slope_per_month),
    ("death_day", "day", |s| s.death_day),
    ("survival_from_motor_onset_months", "month", |s| s.survival_from_motor_onset_months),
    ("serotonin_at_motor_onset", "1", |s| s.serotonin_at_motor_onset),
    ("ht2b_density_at_motor_onset", "1", |s| s.ht2b_density_at_motor_onset),
    ("ht2c_density_at_motor_onset", "1", |s| s.ht2c_density_at_motor_onset),
    ("peak_nfl", "pg/mL", |s| Some(s.peak_nfl)),
    ("peak_sedation", "1", |s| Some(s.peak_sedation)),
    ("peak_bp_fall", "1", |s| Some(s.peak_bp_fall)),
    ("peak_respiratory_depression", "1", |s| Some(s.peak_respiratory_depression)),
    ("peak_drug_weakness", "1", |s| Some(s.peak_drug_weakness)),
    ("liver_injury_risk", "1", |s| Some(s.liver_injury_risk)),
    ("withdrawal_risk", "1", |s| Some(s.withdrawal_risk)),
    // Against the same patient untreated (a sweep recording one runs the untreated patient too).
    ("benefit_risk.spasm_relief", "1", |s| s.benefit_risk.as_ref().map(|b| b.spasm_relief)),
    ("benefit_risk.pain_relief", "1", |s| s.benefit_risk.as_ref().map(|b| b.pain_relief)),
    ("benefit_risk.mean_sedation", "1", |s| s.benefit_risk.as_ref().map(|b| b.mean_sedation)),
    ("benefit_risk.mean_bp_fall", "1", |s| s.benefit_risk.as_ref().map(|b| b.mean_bp_fall)),
    ("benefit_risk.mean_respiratory_depression", "1", |s| {
        s.benefit_risk.as_ref().map(|b| b.mean_respiratory_depression)
    }),
    ("benefit_risk.mean_weakness", "1", |s| s.benefit_risk.as_ref().map(|b| b.mean_weakness)),
    ("benefit_risk.liver_injury_risk", "1", |s| s.benefit_risk.as_ref().map(|b| b.liver_injury_risk)),
    ("benefit_risk.survival_change_days", "day", |s| s.benefit_risk.as_ref().map(|b| b.survival_change_days)),
    ("benefit_risk.score", "1", |s| s.benefit_risk.as_ref().map(|b| b.score)),
];

/// Units of the other numeric keys of `summary.json` (nested keys joined by `.`).
const OTHER_UNITS: &[(&str, &str)] = &[
    ("abrupt_intrathecal_stop_days", "day"),
    ("benefit_risk.window_start_day", "day"),
    ("benefit_risk.window_end_day", "day"),
    ("benefit_risk.weights.spasm_relief", "1"),
    ("benefit_risk.weights.pain_relief", "1"),
    ("benefit_risk.weights.sedation", "1"),
    ("benefit_risk.weights.bp_fall", "1"),
    ("benefit_risk.weights.respiratory_depression", "1"),
    ("benefit_risk.weights.weakness", "1"),
    ("benefit_risk.weights.liver_injury_risk", "1"),
    ("benefit_risk.weights.survival_loss", "1/year"),
];

/// The unit of every numeric key of `summary.json`: the metrics, the others, then the exposure
/// keys with `<drug>` standing for each drug's name.
pub fn units() -> impl Iterator<Item = (&'static str, &'static str)> {
    let exposure = super::exposure::METRIC_FORMS.iter().filter(|(k, _, _)| !k.contains("time_above"));
    METRICS
        .iter()
        .map(|&(name, unit, _)| (name, unit))
        .chain(OTHER_UNITS.iter().copied())
        .chain(exposure.map(|&(k, u, _)| (k, u)))
}

/// The unit of a summary key or sweep metric (`None`: neither).
pub fn unit_of(key: &str) -> Option<&'static str> {
    if let Some(Ok(m)) = super::exposure::ExposureMetric::parse(key) {
        return Some(m.unit());
    }
    units().find(|(name, _)| *name == key).map(|(_, unit)| unit)
}

/// Serialises as the `units` object of `summary.json`: key → unit, for every numeric key, the
/// exposure keys named for each drug of the run (`exposure.baclofen.plasma_cmax`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Units {
    pub drugs: Vec<String>,
}

impl Serialize for Units {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let fixed = units().filter(|(k, _)| !k.starts_with("exposure.")).map(|(k, u)| (k.to_string(), u));
        let exposure = self.drugs.iter().flat_map(|drug| {
            super::exposure::METRIC_FORMS
                .iter()
                .filter(|(k, _, _)| !k.contains("time_above"))
                .map(move |&(k, u, _)| (k.replace("<drug>", drug), u))
        });
        serializer.collect_map(fixed.chain(exposure))
    }
}

/// Metrics that need the side effects followed between output times.
pub const HARM_METRICS: &[&str] =
    &["peak_sedation", "peak_bp_fall", "peak_respiratory_depression", "peak_drug_weakness"];

/// First time `value` crosses `threshold` in the direction `rising`, interpolated.
pub fn first_crossing(
    samples: &[Sample],
    value: impl Fn(&Sample) -> f64,
    threshold: f64,
    rising: bool,
) -> Option<f64> {
    let past = |v: f64| {
        if rising {
            v >= threshold
        } else {
            v < threshold
        }
    };
    let first = samples.first()?;
    if past(value(first)) {
        return Some(first.day);
    }
    samples.windows(2).find(|w| past(value(&w[1]))).map(|w| {
        let (a, b) = (value(&w[0]), value(&w[1]));
        let frac = if b != a { (threshold - a) / (b - a) } else { 1.0 };
        w[0].day + frac.clamp(0.0, 1.0) * (w[1].day - w[0].day)
    })
}

/// `value` at `day`, interpolated linearly between samples.
pub fn value_at(samples: &[Sample], value: impl Fn(&Sample) -> f64, day: f64) -> f64 {
    let i = samples.partition_point(|s| s.day < day);
    if i == 0 {
        return value(&samples[0]);
    }
    if i >= samples.len() {
        return value(&samples[samples.len() - 1]);
    }
    let (a, b) = (&samples[i - 1], &samples[i]);
    let frac = (day - a.day) / (b.day - a.day);
    value(a) + frac * (value(b) - value(a))
}

impl Summary {
    pub fn of(model: &Model, traj: &Trajectory) -> Summary {
        let s = &traj.samples;
        let end_day = s.last().map_or(0.0, |x| x.day);
        let p = &model.params;
        let death_day = first_crossing(s, |x| x.readouts.fvc, p.death_fvc, false);
        let last_day = death_day.unwrap_or(end_day);
        let course = traj.until_death(death_day);
        let living = course.living;
        let (peak_spasm, peak_spasm_day) = living
            .iter()
            .map(|x| (x.readouts.spasm, x.day))
            .fold((0.0, 0.0), |best, v| if v.0 > best.0 { v } else { best });
        let alive = |d: f64| d <= last_day;
        let peak = |f: fn(&Sample) -> f64| living.iter().map(f).fold(0.0, f64::max);
        // Harm peaks come from the 15-min harm grid, not only from the output samples.
        let harm_peak = |f: fn(&crate::model::Harms) -> f64| {
            living.iter().map(|x| f(&x.harm_peak).max(f(&x.readouts.harms))).fold(0.0, f64::max)
        };
        let motor_onset_day = first_crossing(s, |x| x.readouts.motor_function, p.motor_onset_function, false)
            .filter(|&d| alive(d));
        let at_onset = |f: fn(&Sample) -> f64| motor_onset_day.map(|d| value_at(s, f, d));
        let alsfrs_slope_per_month = motor_onset_day.and_then(|onset| {
            let until = (onset + 12.0 * DAYS_PER_MONTH).min(last_day);
            let months = (until - onset) / DAYS_PER_MONTH;
            (months >= 1.0).then(|| {
                let a = |d| value_at(s, |x| x.readouts.alsfrs_r, d);
                (a(onset) - a(until)) / months
            })
        });
        Summary {
            end_day,
            serotonin_below_80pct_day: first_crossing(s, |x| x.serotonin, 0.8, false).filter(|&d| alive(d)),
            motor_onset_day,
            spasm_onset_day: first_crossing(s, |x| x.readouts.spasm, p.spasm_clinical_threshold, true)
                .filter(|&d| alive(d)),
            peak_spasm,
            peak_spasm_day,
            spasm_auc: course.end_value(|x| x.core.spasm_auc),
            alsfrs_slope_per_month,
            death_day,
            survival_from_motor_onset_months: match (death_day, motor_onset_day) {
                (Some(d), Some(o)) => Some((d - o) / DAYS_PER_MONTH),
                _ => None,
            },
            serotonin_at_motor_onset: at_onset(|x| x.serotonin),
            ht2b_density_at_motor_onset: at_onset(|x| x.core.ht2b_density),
            ht2c_density_at_motor_onset: at_onset(|x| x.core.ht2c_density),
            peak_nfl: peak(|x| x.core.nfl),
            peak_sedation: harm_peak(|h| h.sedation),
            peak_bp_fall: harm_peak(|h| h.hypotension),
            peak_respiratory_depression: harm_peak(|h| h.respiratory_depression),
            peak_drug_weakness: harm_peak(|h| h.weakness),
            liver_injury_risk: course.end_value(|x| x.liver_risk),
            exposure: drug_exposure(traj, &course),
            time_above: if traj.exposure.is_empty() {
                Vec::new()
            } else {
                (0..super::exposure::MAX_LEVELS)
                    .map(|i| course.end_value_by_index(|k| traj.exposure[k].time_above[i]))
                    .collect()
            },
            withdrawal_risk: 0.0,
            abrupt_intrathecal_stop_days: Vec::new(),
            benefit_risk: None,
            units: Units { drugs: traj.drug_names.clone() },
        }
    }
}

/// Each drug's exposure at the end of the course: AUC at death (interpolated) or the end; peak
/// and trough at the last output while alive, as the harm peaks (none when not followed).
fn drug_exposure(
    traj: &Trajectory,
    course: &super::trajectory::Course,
) -> std::collections::BTreeMap<String, DrugExposure> {
    use super::exposure::Compartment::{Csf, Plasma};
    let Some(last) = course.living.len().checked_sub(1).and_then(|k| traj.exposure.get(k)) else {
        return Default::default();
    };
    let trough = |t: f64| (!t.is_nan()).then_some(t);
    traj.drug_names
        .iter()
        .enumerate()
        .map(|(slot, name)| {
            let (p, c) = (last.of(slot, Plasma), last.of(slot, Csf));
            let exposure = DrugExposure {
                plasma_cmax: p.cmax,
                plasma_trough: trough(p.trough),
                plasma_auc: course.end_value_by_index(|k| traj.exposure[k].of(slot, Plasma).auc),
                csf_cmax: c.cmax,
                csf_trough: trough(c.trough),
                csf_auc: course.end_value_by_index(|k| traj.exposure[k].of(slot, Csf).auc),
            };
            (name.clone(), exposure)
        })
        .collect()
}

impl Summary {
    /// Fill the withdrawal metrics from the scenario's abrupt intrathecal stops while alive: the
    /// CSF level lost in the 24 h after the stop (closed-form PK, independent of the output
    /// step) as a fraction of the steady CSF level of the drug's highest intrathecal rate.
    pub fn with_withdrawal(mut self, scenario: &crate::pharmacology::Scenario) -> Summary {
        let last_day = self.death_day.unwrap_or(self.end_day);
        for (drug, day) in scenario.abrupt_intrathecal_stops(last_day) {
            let pk = &scenario.drugs[drug].pk;
            let top = scenario
                .infusions
                .iter()
                .filter(|i| i.drug == drug && i.route == crate::pharmacology::Route::Intrathecal)
                .map(|i| pk.steady_csf(crate::pharmacology::Rates { intrathecal: i.rate, central: 0.0 }))
                .fold(0.0, f64::max);
            if top <= 0.0 {
                continue;
            }
            let before = pk.csf(scenario.pk_at(drug, day));
            let after = pk.csf(scenario.pk_at(drug, day + 1.0));
            self.withdrawal_risk = self.withdrawal_risk.max(((before - after) / top).clamp(0.0, 1.0));
            self.abrupt_intrathecal_stop_days.push(day);
        }
        self
    }
}

/// What each numeric key of `summary.json` means (for `raphe metrics`).
pub const MEANINGS: &[(&str, &str)] = &[
    ("end_day", "end of the run as requested"),
    ("serotonin_below_80pct_day", "first day spinal 5-HT is below 80% of baseline"),
    ("motor_onset_day", "clinical motor onset: first day ALSFRS-R leaves 48"),
    ("spasm_onset_day", "first day spasms reach 1 per hour (Penn 2)"),
    ("peak_spasm", "highest spasm intensity while alive"),
    ("peak_spasm_day", "day of the highest spasm intensity"),
    ("spasm_auc", "spasm burden: integral of spasm intensity until death or the end"),
    ("alsfrs_slope_per_month", "mean ALSFRS-R decline over the 12 months after motor onset"),
    ("death_day", "respiratory failure: first day FVC falls below the threshold (empty: alive at the end)"),
    ("survival_from_motor_onset_months", "months from motor onset to death"),
    ("serotonin_at_motor_onset", "spinal 5-HT at motor onset, fraction of baseline"),
    ("ht2b_density_at_motor_onset", "5-HT2B receptor density at motor onset, x baseline"),
    ("ht2c_density_at_motor_onset", "5-HT2C receptor density at motor onset, x baseline"),
    ("peak_nfl", "highest serum neurofilament light chain"),
    ("peak_sedation", "highest drug sedation while alive (followed every 15 min)"),
    ("peak_bp_fall", "highest drug fall in blood pressure while alive"),
    ("peak_respiratory_depression", "highest drug respiratory depression while alive"),
    ("peak_drug_weakness", "highest drug-induced loss of voluntary force while alive"),
    ("liver_injury_risk", "cumulative drug-induced liver-injury risk at death or the end"),
    ("withdrawal_risk", "share of the CSF level lost in the 24 h after an abrupt intrathecal stop"),
    ("abrupt_intrathecal_stop_days", "days of intrathecal infusions stopped with nothing running on"),
    ("benefit_risk.window_start_day", "start of the window the treatment is judged over"),
    ("benefit_risk.window_end_day", "end of that window (while the treatment acts)"),
    ("benefit_risk.spasm_relief", "fall in mean spasm intensity against untreated, fraction"),
    ("benefit_risk.pain_relief", "fall in mean pain against untreated, fraction"),
    ("benefit_risk.mean_sedation", "mean drug sedation over the window"),
    ("benefit_risk.mean_bp_fall", "mean drug fall in blood pressure over the window"),
    ("benefit_risk.mean_respiratory_depression", "mean drug respiratory depression over the window"),
    ("benefit_risk.mean_weakness", "mean drug-induced weakness over the window"),
    ("benefit_risk.liver_injury_risk", "liver-injury risk at the end of the window"),
    ("benefit_risk.survival_change_days", "change in survival against untreated"),
    ("benefit_risk.score", "weighted benefit minus harms (models/weights/benefit_risk.toml)"),
    ("benefit_risk.weights.spasm_relief", "weight of spasm relief in the score"),
    ("benefit_risk.weights.pain_relief", "weight of pain relief"),
    ("benefit_risk.weights.sedation", "weight of sedation"),
    ("benefit_risk.weights.bp_fall", "weight of blood-pressure fall"),
    ("benefit_risk.weights.respiratory_depression", "weight of respiratory depression"),
    ("benefit_risk.weights.weakness", "weight of weakness"),
    ("benefit_risk.weights.liver_injury_risk", "weight of liver-injury risk"),
    ("benefit_risk.weights.survival_loss", "weight of survival lost, per year"),
];

/// The meaning of a summary key (exposure keys in their `<drug>` form).
pub fn meaning(key: &str) -> Option<&'static str> {
    let exposure = super::exposure::METRIC_FORMS.iter().map(|&(k, _, m)| (k, m));
    MEANINGS.iter().copied().chain(exposure).find(|(k, _)| *k == key).map(|(_, m)| m)
}

#[cfg(test)]
mod meaning_tests {
    #[test]
    fn every_numeric_key_has_a_meaning_and_no_meaning_is_stale() {
        for (key, _) in super::units() {
            assert!(super::meaning(key).is_some(), "no meaning for {key}");
        }
        for (key, _) in super::MEANINGS {
            assert!(super::unit_of(key).is_some(), "{key} is not a summary key");
        }
    }
}
