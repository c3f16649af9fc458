//! Drug exposure as pharmacometricians report it, per drug and compartment (plasma, and CSF at
//! the spinal motoneurons): the highest concentration (Cmax), the last pre-dose concentration
//! (the trough a therapeutic-drug-monitoring sample takes; at steady state Ctrough,ss), the
//! area under the concentration curve and the time above chosen levels. Followed on the 15-min
//! grid of [`super::harms`], so none depends on `--output-step` and a dose's peak is not missed
//! between output rows.

use crate::pharmacology::scenario::MAX_DRUGS;
use serde::Serialize;

/// Most time-above levels one run follows (each is a sweep metric).
pub const MAX_LEVELS: usize = 8;

/// Where a concentration is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compartment {
    Plasma,
    Csf,
}

impl Compartment {
    pub const ALL: [Compartment; 2] = [Compartment::Plasma, Compartment::Csf];

    pub fn name(self) -> &'static str {
        match self {
            Compartment::Plasma => "plasma",
            Compartment::Csf => "csf",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Exposure of one drug in one compartment from the start of the run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Running {
    /// Highest concentration, mg/L.
    pub cmax: f64,
    /// Concentration just before the latest bolus dose, mg/L (NaN before the first one, and for
    /// a drug given only by infusion).
    pub trough: f64,
    /// ∫ concentration dt, mg·day/L.
    pub auc: f64,
}

impl Default for Running {
    fn default() -> Self {
        Running { cmax: 0.0, trough: f64::NAN, auc: 0.0 }
    }
}

/// Plasma and CSF exposure of one drug.
pub type DrugExposure = [Running; 2];

/// A level whose time above is followed: drug slot, compartment, concentration (mg/L).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    pub slot: usize,
    pub compartment: Compartment,
    pub mg_per_l: f64,
}

/// Concentrations of every drug slot, [plasma, CSF], mg/L.
pub type Concentrations = [[f64; 2]; MAX_DRUGS];

/// What a run's exposure is at one moment: per drug, and the days above each level so far.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exposure {
    pub drugs: [DrugExposure; MAX_DRUGS],
    /// Days above each followed level, in the order of the run's levels.
    pub time_above: [f64; MAX_LEVELS],
}

impl Default for Exposure {
    fn default() -> Self {
        Exposure { drugs: [[Running::default(); 2]; MAX_DRUGS], time_above: [0.0; MAX_LEVELS] }
    }
}

impl Exposure {
    /// A bolus dose of drug `slot` is about to be given at concentrations `before`.
    pub fn before_dose(&mut self, slot: usize, before: [f64; 2]) {
        for (r, c) in self.drugs[slot].iter_mut().zip(before) {
            r.trough = c;
        }
    }

    /// Concentrations at one moment (after a dose, or at a grid point): peaks only.
    pub fn at(&mut self, now: &Concentrations) {
        for (drug, c) in self.drugs.iter_mut().zip(now) {
            for (r, &x) in drug.iter_mut().zip(c) {
                r.cmax = r.cmax.max(x);
            }
        }
    }

    /// One grid step of `dt` days from `before` to `after` with exact `areas` (mg·day/L, per
    /// drug, [plasma, CSF]): the AUC, the time above each level with the crossing interpolated
    /// linearly, and the peaks.
    pub fn step(
        &mut self,
        before: &Concentrations,
        after: &Concentrations,
        areas: &Concentrations,
        dt: f64,
        levels: &[Level],
    ) {
        for (drug, area) in self.drugs.iter_mut().zip(areas) {
            for (r, a) in drug.iter_mut().zip(area) {
                r.auc += a;
            }
        }
        for (time, level) in self.time_above.iter_mut().zip(levels) {
            let c = level.compartment.index();
            let (x, y, l) = (before[level.slot][c], after[level.slot][c], level.mg_per_l);
            *time += dt * fraction_above(x, y, l);
        }
        self.at(after);
    }

    /// The exposure of `slot` in `compartment`.
    pub fn of(&self, slot: usize, compartment: Compartment) -> Running {
        self.drugs[slot][compartment.index()]
    }

    /// Add the AUC and time-above gained in a recorded steady period (`to` − `from`); peaks and
    /// troughs of a repeated period are those recorded (`to`'s).
    pub fn replay(&mut self, from: &Exposure, to: &Exposure) {
        for ((drug, f), t) in self.drugs.iter_mut().zip(&from.drugs).zip(&to.drugs) {
            for ((r, f), t) in drug.iter_mut().zip(f).zip(t) {
                r.auc += t.auc - f.auc;
                r.cmax = r.cmax.max(t.cmax);
                r.trough = t.trough;
            }
        }
        for ((time, f), t) in self.time_above.iter_mut().zip(&from.time_above).zip(&to.time_above) {
            *time += t - f;
        }
    }
}

/// Share of a step, linear from `x` to `y`, spent at or above `level`.
fn fraction_above(x: f64, y: f64, level: f64) -> f64 {
    match (x >= level, y >= level) {
        (true, true) => 1.0,
        (false, false) => 0.0,
        _ => (x.max(y) - level) / (x - y).abs(),
    }
}

/// Which exposure a sweep metric reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    Cmax,
    Trough,
    Auc,
    /// Days at or above a concentration (mg/L).
    TimeAbove(f64),
}

/// A sweep metric of drug exposure: `exposure.<drug>.<plasma|csf>_<cmax|trough|auc>` or
/// `exposure.<drug>.<plasma|csf>_time_above(<level> <unit>)`, e.g.
/// `exposure.baclofen.plasma_time_above(0.1 mg/L)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExposureMetric {
    pub drug: String,
    pub compartment: Compartment,
    pub statistic: Statistic,
}

/// The exposure metric names, with `<drug>` and `<level>` for the parts a user chooses.
pub const METRIC_FORMS: &[(&str, &str, &str)] = &[
    ("exposure.<drug>.plasma_cmax", "mg/L", "highest plasma concentration (15-min grid)"),
    (
        "exposure.<drug>.plasma_trough",
        "mg/L",
        "plasma concentration just before the last bolus dose (at steady state, Ctrough,ss)",
    ),
    ("exposure.<drug>.plasma_auc", "mg·day/L", "area under the plasma concentration curve"),
    (
        "exposure.<drug>.plasma_time_above(<level>)",
        "day",
        "days the plasma concentration is at or above a level, e.g. (0.1 mg/L); sweep metric only",
    ),
    ("exposure.<drug>.csf_cmax", "mg/L", "highest CSF concentration at the spinal motoneurons"),
    ("exposure.<drug>.csf_trough", "mg/L", "CSF concentration just before the last bolus dose"),
    ("exposure.<drug>.csf_auc", "mg·day/L", "area under the CSF concentration curve"),
    (
        "exposure.<drug>.csf_time_above(<level>)",
        "day",
        "days the CSF concentration is at or above a level; sweep metric only",
    ),
];

impl ExposureMetric {
    /// `None`: not an exposure metric; `Some(Err)`: an exposure metric written wrongly.
    pub fn parse(name: &str) -> Option<Result<ExposureMetric, String>> {
        let rest = name.strip_prefix("exposure.")?;
        Some(Self::parse_rest(rest))
    }

    fn parse_rest(rest: &str) -> Result<ExposureMetric, String> {
        let forms = "exposure.<drug>.<plasma|csf>_<cmax|trough|auc>, or exposure.<drug>.<plasma|csf>_time_above(<level> <unit>) such as (0.1 mg/L)";
        let (drug, what) = rest.split_once('.').ok_or_else(|| format!("expected {forms}"))?;
        let (compartment, statistic) = what.split_once('_').ok_or_else(|| format!("expected {forms}"))?;
        let compartment = match compartment {
            "plasma" => Compartment::Plasma,
            "csf" => Compartment::Csf,
            other => return Err(format!("compartment `{other}`: expected plasma or csf")),
        };
        let statistic = match statistic {
            "cmax" => Statistic::Cmax,
            "trough" => Statistic::Trough,
            "auc" => Statistic::Auc,
            s => {
                let level = s
                    .strip_prefix("time_above(")
                    .and_then(|l| l.strip_suffix(')'))
                    .ok_or_else(|| format!("statistic `{s}`: expected {forms}"))?;
                let (value, unit) = crate::units::number_and_unit(level)
                    .ok_or_else(|| format!("level `{level}`: expected a concentration such as 0.1 mg/L"))?;
                let unit = if unit.is_empty() { "mg/L" } else { unit };
                let mg_per_l = crate::units::convert(value, unit, "mg/L")
                    .ok_or_else(|| format!("level `{level}`: unit `{unit}` is not a mass concentration (mg/L, ug/mL, ng/mL, ...)"))?;
                if !(mg_per_l.is_finite() && mg_per_l > 0.0) {
                    return Err(format!("level `{level}`: a concentration > 0"));
                }
                Statistic::TimeAbove(mg_per_l)
            }
        };
        if drug.is_empty() {
            return Err(format!("no drug name: expected {forms}"));
        }
        Ok(ExposureMetric { drug: drug.to_string(), compartment, statistic })
    }

    /// The metric's unit.
    pub fn unit(&self) -> &'static str {
        match self.statistic {
            Statistic::Cmax | Statistic::Trough => "mg/L",
            Statistic::Auc => "mg·day/L",
            Statistic::TimeAbove(_) => "day",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_above_a_level_interpolates_the_crossing() {
        assert_eq!(fraction_above(1.0, 3.0, 2.0), 0.5);
        assert_eq!(fraction_above(3.0, 1.0, 2.5), 0.25);
        assert_eq!(fraction_above(3.0, 4.0, 2.0), 1.0);
        assert_eq!(fraction_above(0.0, 1.0, 2.0), 0.0);
        // A linear rise 0 → 1 over a day spends 0.3 day above 0.7, whatever the step count.
        let levels = [Level { slot: 0, compartment: Compartment::Plasma, mg_per_l: 0.7 }];
        let mut e = Exposure::default();
        let n = 7;
        for i in 0..n {
            let mut a = [[0.0; 2]; MAX_DRUGS];
            let mut b = a;
            a[0][0] = i as f64 / n as f64;
            b[0][0] = (i + 1) as f64 / n as f64;
            let mut area = [[0.0; 2]; MAX_DRUGS];
            area[0][0] = 0.5 * (a[0][0] + b[0][0]) / n as f64;
            e.step(&a, &b, &area, 1.0 / n as f64, &levels);
        }
        assert!((e.time_above[0] - 0.3).abs() < 1e-12, "{}", e.time_above[0]);
        assert!((e.of(0, Compartment::Plasma).auc - 0.5).abs() < 1e-12);
        assert_eq!(e.of(0, Compartment::Plasma).cmax, 1.0);
    }

    #[test]
    fn metric_names_parse_with_units_and_refuse_what_is_wrong() {
        let m = ExposureMetric::parse("exposure.baclofen.plasma_time_above(100 ng/mL)").unwrap().unwrap();
        assert_eq!(m.drug, "baclofen");
        assert_eq!(m.compartment, Compartment::Plasma);
        assert!(matches!(m.statistic, Statistic::TimeAbove(l) if (l - 0.1).abs() < 1e-12));
        let c = ExposureMetric::parse("exposure.tizanidine.csf_cmax").unwrap().unwrap();
        assert_eq!((c.compartment, c.statistic, c.unit()), (Compartment::Csf, Statistic::Cmax, "mg/L"));
        assert!(ExposureMetric::parse("peak_spasm").is_none());
        for bad in [
            "exposure.baclofen",
            "exposure.baclofen.blood_cmax",
            "exposure.baclofen.plasma_cmin",
            "exposure.baclofen.plasma_time_above(0 mg/L)",
            "exposure.baclofen.plasma_time_above(1 day)",
            "exposure..plasma_auc",
        ] {
            assert!(ExposureMetric::parse(bad).unwrap().is_err(), "{bad}");
        }
    }
}
