//! Writers: one function per output file, all atomic. Nothing here simulates.

pub mod atomic;
pub mod compare;
pub mod lock;
pub mod manifest;
pub mod parquet;
pub mod transaction;

use crate::error::Result;
use crate::simulate::{Summary, Trajectory};
use std::fmt::Write as _;

/// The trajectory as CSV into `out`: a header of column names, one row per output time up to
/// death (then one row at `death_day`, see [`Trajectory::rows_until_death`]), written row by
/// row. Numbers use Rust's shortest round-trip formatting with a decimal point or exponent
/// always (`2192.0`, `1e-300`), so the file reproduces the values exactly and every reader
/// (pandas, polars, DuckDB) sees a float column.
pub fn write_trajectory_csv(
    out: &mut impl std::io::Write,
    traj: &Trajectory,
    death_day: Option<f64>,
) -> std::io::Result<()> {
    let cols = traj.columns();
    let header = cols.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(",");
    writeln!(out, "{header}")?;
    let mut line = String::new();
    for row in traj.rows_until_death(death_day, 1) {
        line.clear();
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            let _ = write!(line, "{v:?}");
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Write `trajectory.csv` (the course up to the summary's death day, streamed), the same table
/// as `trajectory.parquet`, `trajectory.columns.json` (units and meanings) and `summary.json`,
/// staged in `tx` and
/// published when it commits.
pub fn write_run(tx: &mut transaction::Transaction, traj: &Trajectory, summary: &Summary) -> Result<()> {
    write_run_in(tx, "", traj, summary)
}

/// [`write_run`] into a subfolder of the transaction's folder (`folder` ends with `/`, or is
/// empty).
pub fn write_run_in(
    tx: &mut transaction::Transaction,
    folder: &str,
    traj: &Trajectory,
    summary: &Summary,
) -> Result<()> {
    let name = format!("{folder}trajectory.csv");
    let path = tx.stage(&name)?;
    let fail = |cause| crate::Error::Output { path: tx.dir().join(&name), cause };
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).map_err(fail)?);
    write_trajectory_csv(&mut file, traj, summary.death_day).map_err(fail)?;
    file.into_inner().map_err(|e| fail(e.into_error()))?;
    let parquet_path = tx.stage(&format!("{folder}trajectory.parquet"))?;
    parquet::trajectory(&parquet_path, traj, summary.death_day)?;
    let columns = serde_json::to_string_pretty(&traj.columns()).expect("columns serialise");
    tx.write(&format!("{folder}trajectory.columns.json"), columns.as_bytes())?;
    let summary = serde_json::to_string_pretty(summary).expect("summary serialises");
    tx.write(&format!("{folder}summary.json"), summary.as_bytes())
}
