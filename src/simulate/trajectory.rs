//! A simulated time course: one [`Sample`] per output time, the table layout (names, units,
//! meanings) used by every writer, and the course up to death ([`Trajectory::until_death`]) that
//! both the written tables and the summary metrics follow.

use super::paths::Snapshot;
use crate::model::{Core, Readouts};
use crate::pharmacology::scenario::MAX_DRUGS;

/// Everything known at one output time.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub day: f64,
    pub core: Core,
    pub serotonin: f64,
    pub pic: f64,
    pub readouts: Readouts,
    /// Plasma and CSF concentration per drug slot, mg/L.
    pub plasma: [f64; MAX_DRUGS],
    pub csf: [f64; MAX_DRUGS],
    /// Cumulative drug-induced liver-injury risk (filled after the run from the dose history).
    pub liver_risk: f64,
    /// Training level of the exercise programme (1 = reference daily time, fully trained).
    pub exercise_training: f64,
    /// Highest side effects since the previous sample (followed every 15 min).
    pub harm_peak: crate::model::Harms,
    /// ∫ side effect dt from the start, day.
    pub harm_integral: crate::model::Harms,
}

impl Sample {
    pub fn new(
        day: f64,
        snap: &Snapshot,
        readouts: Readouts,
        plasma: [f64; MAX_DRUGS],
        csf: [f64; MAX_DRUGS],
    ) -> Sample {
        Sample {
            day,
            core: snap.core,
            serotonin: snap.serotonin,
            pic: snap.pic,
            readouts,
            plasma,
            csf,
            liver_risk: 0.0,
            exercise_training: 0.0,
            harm_peak: Default::default(),
            harm_integral: Default::default(),
        }
    }
}

/// A column of the trajectory table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Column {
    pub name: String,
    pub unit: &'static str,
    pub description: String,
}

type Getter = fn(&Sample) -> f64;

/// The fixed columns: (name, unit, description, value).
const FIXED: &[(&str, &str, &str, Getter)] = &[
    (
        "day",
        "day",
        "time since simulation start; the table ends at death (last row at summary.json death_day) or at the end of the run",
        |s| s.day,
    ),
    ("raphe_survival", "1", "surviving fraction of raphe serotonergic neurons", |s| s.core.raphe),
    ("serotonin", "1", "spinal extracellular 5-HT, fraction of baseline", |s| s.serotonin),
    ("ht2b_density", "1", "5-HT2B receptor density, x baseline", |s| s.core.ht2b_density),
    ("ht2c_density", "1", "5-HT2C receptor density, x baseline", |s| s.core.ht2c_density),
    ("isoform_shift", "1", "share of 5-HT2B/2C receptors in the constitutively active form", |s| {
        s.core.isoform_shift
    }),
    ("receptor_activity", "1", "PIC-facilitating 5-HT2B/2C activity, x healthy baseline", |s| {
        s.readouts.receptor_activity
    }),
    (
        "constitutive_activity",
        "1",
        "the part of receptor_activity that needs no 5-HT (constitutive, with the drugs present), x healthy baseline",
        |s| s.readouts.constitutive_activity,
    ),
    ("pic", "nA", "motoneuron persistent inward current", |s| s.pic),
    ("excitability", "1", "reflex excitability, x baseline", |s| s.readouts.excitability),
    ("umn_survival", "1", "surviving fraction of upper motor neurons", |s| s.core.umn),
    ("lmn_survival", "1", "surviving fraction of lower motor neurons (motor units)", |s| s.core.lmn),
    (
        "ms_pathway_survival",
        "1",
        "surviving fraction of corticospinal axons not cut by MS lesions (1 without MS; ALS-MS overlap)",
        |s| s.core.ms_pathway,
    ),
    (
        "spasm_drive",
        "1",
        "motor-unit factor x (PIC/healthy PIC - 1) x afferent trigger x muscle force: what spasm frequency grades",
        |s| s.readouts.spasm_drive,
    ),
    ("spasm_intensity", "1", "spasm intensity: fraction of the maximal spasm frequency (0-1)", |s| s.readouts.spasm),
    ("spasms_per_hour", "1/h", "spasm frequency", |s| s.readouts.spasms_per_hour),
    ("penn_spasm_score", "points", "Penn spasm frequency score (0-4)", |s| s.readouts.penn),
    ("ashworth", "points", "Modified Ashworth score (0-4, continuous)", |s| s.readouts.ashworth),
    ("pain", "points", "pain, numeric rating scale (0-10)", |s| s.readouts.pain),
    ("motor_function", "1", "motor function left by the disease, fraction of normal", |s| {
        s.readouts.motor_function
    }),
    ("alsfrs_r", "points", "ALSFRS-R (0-48)", |s| s.readouts.alsfrs_r),
    ("fvc", "1", "forced vital capacity, fraction of predicted (after drug respiratory depression)", |s| {
        s.readouts.fvc
    }),
    ("nfl", "pg/mL", "serum neurofilament light", |s| s.core.nfl),
    ("sedation", "1", "drug sedation, fraction of maximal", |s| s.readouts.harms.sedation),
    ("bp_fall", "1", "drug-induced fall of blood pressure, fraction of baseline", |s| {
        s.readouts.harms.hypotension
    }),
    ("respiratory_depression", "1", "drug-induced fall of respiratory drive, fraction (lowers FVC)", |s| {
        s.readouts.harms.respiratory_depression
    }),
    ("exercise_training", "1", "training level of the exercise programme (1 = reference)", |s| {
        s.exercise_training
    }),
    ("liver_injury_risk", "1", "cumulative risk of drug-induced liver injury", |s| s.liver_risk),
    ("drug_weakness", "1", "drug-induced loss of voluntary force, fraction (lowers ALSFRS-R)", |s| {
        s.readouts.harms.weakness
    }),
    ("spasm_auc", "day", "cumulative spasm intensity x time", |s| s.core.spasm_auc),
    (
        "alive",
        "1",
        "1 while FVC is above the respiratory-failure threshold; 0 only on a last row at death (summary.json death_day), whose other values are interpolated linearly between the output rows around it",
        |s| f64::from(u8::from(s.readouts.alive)),
    ),
];

/// The course up to death: what the written tables hold and what the summary metrics read.
#[derive(Debug, Clone, Copy)]
pub struct Course<'a> {
    /// The samples before death (all of them when death is not in the run).
    pub living: &'a [Sample],
    /// Death within the run.
    pub death: Option<Death<'a>>,
}

/// The moment of death between two output times.
#[derive(Debug, Clone, Copy)]
pub struct Death<'a> {
    pub day: f64,
    /// The samples around it (the same sample when death is at the first one).
    before: &'a Sample,
    after: &'a Sample,
}

impl Death<'_> {
    /// `value` at the death day, linear between the samples around it.
    pub fn value(&self, value: impl Fn(&Sample) -> f64) -> f64 {
        self.between(value(self.before), value(self.after))
    }

    /// From `a` (before death) to `b` (after), linearly at the death day.
    fn between(&self, a: f64, b: f64) -> f64 {
        let span = self.after.day - self.before.day;
        let frac = if span > 0.0 { (self.day - self.before.day) / span } else { 0.0 };
        a + frac * (b - a)
    }
}

impl Course<'_> {
    /// `value` at the end of the course: at death, else at the last sample (0 without samples).
    pub fn end_value(&self, value: impl Fn(&Sample) -> f64) -> f64 {
        match &self.death {
            Some(d) => d.value(value),
            None => self.living.last().map_or(0.0, value),
        }
    }

    /// As [`Self::end_value`] for a quantity kept beside the samples: `value(i)` of sample `i`.
    pub fn end_value_by_index(&self, value: impl Fn(usize) -> f64) -> f64 {
        let k = self.living.len();
        match &self.death {
            Some(d) => d.between(value(k.saturating_sub(1)), value(k)),
            None if k == 0 => 0.0,
            None => value(k - 1),
        }
    }
}

/// A time course with the names of the drugs in its slots.
#[derive(Debug, Clone, Default)]
pub struct Trajectory {
    pub drug_names: Vec<String>,
    pub samples: Vec<Sample>,
    /// Drug exposure from the start at each sample, when followed (else empty): kept beside
    /// the samples, so runs that do not follow it carry nothing.
    pub exposure: Vec<super::exposure::Exposure>,
}

impl Trajectory {
    /// Column layout: the fixed columns, then plasma and CSF concentration per drug.
    pub fn columns(&self) -> Vec<Column> {
        let mut cols: Vec<Column> = FIXED
            .iter()
            .map(|(n, u, d, _)| Column { name: n.to_string(), unit: u, description: d.to_string() })
            .collect();
        for name in &self.drug_names {
            cols.push(Column {
                name: format!("{name}_plasma"),
                unit: "mg/L",
                description: format!("{name} plasma concentration"),
            });
            cols.push(Column {
                name: format!("{name}_csf"),
                unit: "mg/L",
                description: format!("{name} CSF concentration"),
            });
        }
        cols
    }

    /// Values of one sample in column order.
    pub fn row(&self, sample: &Sample) -> Vec<f64> {
        let mut row: Vec<f64> = FIXED.iter().map(|(_, _, _, get)| get(sample)).collect();
        for i in 0..self.drug_names.len() {
            row.push(sample.plasma[i]);
            row.push(sample.csf[i]);
        }
        row
    }

    /// The course up to `death_day` (the summary's; `None` or after the last sample: the whole
    /// run): the samples before it and the samples around it.
    pub fn until_death(&self, death_day: Option<f64>) -> Course<'_> {
        let s = &self.samples;
        let Some(day) = death_day.filter(|&d| s.last().is_some_and(|last| d <= last.day)) else {
            return Course { living: s, death: None };
        };
        let k = s.partition_point(|x| x.day < day);
        let death = Death { day, before: &s[k.saturating_sub(1)], after: &s[k] };
        Course { living: &s[..k], death: Some(death) }
    }

    /// The row at death: every column linearly interpolated between the output rows around it
    /// (the same interpolation as [`Death::value`]), `day` the death day, `alive` 0.
    pub fn death_row(&self, death: &Death) -> Vec<f64> {
        let (a, b) = (self.row(death.before), self.row(death.after));
        let mut row: Vec<f64> = a.iter().zip(&b).map(|(&x, &y)| death.between(x, y)).collect();
        row[0] = death.day;
        let alive = FIXED.iter().position(|c| c.0 == "alive").expect("an alive column");
        row[alive] = 0.0;
        row
    }

    /// The rows written for the course up to `death_day`: every `stride`-th living row and the
    /// last one, then, with death in the run, the row at death ([`Self::death_row`]) in place of
    /// the last living row. Made one at a time, so a writer streams them.
    pub fn rows_until_death(
        &self,
        death_day: Option<f64>,
        stride: usize,
    ) -> impl Iterator<Item = Vec<f64>> + '_ {
        let course = self.until_death(death_day);
        let n = course.living.len();
        let alive_to_end = course.death.is_none();
        let keep = move |i: usize| i.is_multiple_of(stride.max(1)) || (i + 1 == n && alive_to_end);
        let living =
            course.living.iter().enumerate().filter(move |(i, _)| keep(*i)).map(|(_, s)| self.row(s));
        living.chain(course.death.map(|d| self.death_row(&d)))
    }
}
