//! Writers: one function per output file, all atomic. Nothing here simulates.

pub mod atomic;
pub mod lock;
pub mod manifest;
pub mod parquet;
pub mod transaction;

use crate::error::Result;
use crate::simulate::{Summary, Trajectory};
use std::fmt::Write as _;

/// The trajectory as CSV: a header of column names, one row per output time up to death (then
/// one row at `death_day`, see [`Trajectory::rows_until_death`]). Numbers use Rust's shortest
/// round-trip formatting, so the file reproduces the values exactly.
pub fn trajectory_csv(traj: &Trajectory, death_day: Option<f64>) -> String {
    let cols = traj.columns();
    let mut out = cols.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(",");
    out.push('\n');
    for row in traj.rows_until_death(death_day, 1) {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{v}");
        }
        out.push('\n');
    }
    out
}

/// Write `trajectory.csv` (the course up to the summary's death day), `trajectory.columns.json`
/// (units and meanings) and `summary.json`.
/// (staged in `tx`, published when it commits).
pub fn write_run(tx: &mut transaction::Transaction, traj: &Trajectory, summary: &Summary) -> Result<()> {
    tx.write("trajectory.csv", trajectory_csv(traj, summary.death_day).as_bytes())?;
    let columns = serde_json::to_string_pretty(&traj.columns()).expect("columns serialise");
    tx.write("trajectory.columns.json", columns.as_bytes())?;
    let summary = serde_json::to_string_pretty(summary).expect("summary serialises");
    tx.write("summary.json", summary.as_bytes())
}
