//! `runs.parquet` beside `runs.csv`: the same table, typed (run INT64, factors DOUBLE, status
//! UTF-8 string, metrics nullable DOUBLE, null where the CSV cell is empty), for pandas,
//! polars, Arrow and DuckDB users. Converted from the CSV by streaming, in row groups of
//! [`ROW_GROUP`] rows, so memory stays flat; the caller stages the file. `trajectory.parquet`
//! likewise holds trajectory.csv. Pages are Snappy-compressed.

use crate::error::{Error, Result};
use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

/// Rows per row group: what a conversion holds in memory (about 8 MB for a cohort's 60
/// columns). Readers scan groups of this size as fast as larger ones.
const ROW_GROUP: usize = 8_192;

/// The columns of a runs table, in CSV order.
#[derive(Default)]
struct Columns {
    run: Vec<i64>,
    factors: Vec<Vec<f64>>,
    status: Vec<ByteArray>,
    /// Present values and definition levels (1 present, 0 null) per metric.
    metrics: Vec<(Vec<f64>, Vec<i16>)>,
}

impl Columns {
    fn new(factors: usize, metrics: usize) -> Self {
        Columns {
            factors: vec![Vec::new(); factors],
            metrics: vec![(Vec::new(), Vec::new()); metrics],
            ..Default::default()
        }
    }

    fn len(&self) -> usize {
        self.run.len()
    }

    /// Add one CSV row; `Err` says what is wrong with it.
    fn push(&mut self, line: &str) -> std::result::Result<(), String> {
        let cells: Vec<&str> = line.split(',').collect();
        let expected = 2 + self.factors.len() + self.metrics.len();
        if cells.len() != expected {
            return Err(format!("{} cells, expected {expected}", cells.len()));
        }
        let number = |s: &str| s.parse::<f64>().map_err(|_| format!("`{s}` is not a number"));
        self.run.push(cells[0].parse().map_err(|_| format!("run `{}` is not an integer", cells[0]))?);
        for (column, cell) in self.factors.iter_mut().zip(&cells[1..]) {
            column.push(number(cell)?);
        }
        let status = 1 + self.factors.len();
        self.status.push(ByteArray::from(cells[status]));
        for ((values, defined), cell) in self.metrics.iter_mut().zip(&cells[status + 1..]) {
            if cell.is_empty() {
                defined.push(0);
            } else {
                values.push(number(cell)?);
                defined.push(1);
            }
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.run.clear();
        self.status.clear();
        self.factors.iter_mut().for_each(Vec::clear);
        for (v, d) in &mut self.metrics {
            v.clear();
            d.clear();
        }
    }
}

fn schema(header: &[&str], factors: usize) -> parquet::errors::Result<Type> {
    let column = |name: &str, physical, repetition| {
        Type::primitive_type_builder(name, physical).with_repetition(repetition).build().map(Arc::new)
    };
    let mut fields = vec![column(header[0], Physical::INT64, Repetition::REQUIRED)?];
    for name in &header[1..=factors] {
        fields.push(column(name, Physical::DOUBLE, Repetition::REQUIRED)?);
    }
    fields.push(Arc::new(
        Type::primitive_type_builder(header[factors + 1], Physical::BYTE_ARRAY)
            .with_repetition(Repetition::REQUIRED)
            .with_logical_type(Some(LogicalType::String))
            .build()?,
    ));
    for name in &header[factors + 2..] {
        fields.push(column(name, Physical::DOUBLE, Repetition::OPTIONAL)?);
    }
    Type::group_type_builder("runs").with_fields(fields).build()
}

fn write_group<W: std::io::Write + Send>(
    writer: &mut SerializedFileWriter<W>,
    columns: &Columns,
) -> parquet::errors::Result<()> {
    let mut group = writer.next_row_group()?;
    let mut index = 0;
    while let Some(mut column) = group.next_column()? {
        let factors = columns.factors.len();
        match index {
            0 => {
                column.typed::<Int64Type>().write_batch(&columns.run, None, None)?;
            }
            i if i <= factors => {
                column.typed::<DoubleType>().write_batch(&columns.factors[i - 1], None, None)?;
            }
            i if i == factors + 1 => {
                column.typed::<ByteArrayType>().write_batch(&columns.status, None, None)?;
            }
            i => {
                let (values, defined) = &columns.metrics[i - factors - 2];
                column.typed::<DoubleType>().write_batch(values, Some(defined), None)?;
            }
        }
        column.close()?;
        index += 1;
    }
    group.close()?;
    Ok(())
}

/// Convert the runs table `csv` (header `run, factors…, status, metrics…`) into `parquet`
/// (written in place: the caller stages it).
pub fn runs_from_csv(csv: &Path, parquet: &Path) -> Result<()> {
    let fail = |problem: String| Error::Output {
        path: parquet.to_path_buf(),
        cause: std::io::Error::other(problem),
    };
    let file = std::fs::File::open(csv).map_err(|e| Error::Read { path: csv.to_path_buf(), cause: e })?;
    let mut lines = std::io::BufReader::new(file).lines();
    let header = lines.next().transpose().map_err(|e| fail(e.to_string()))?.unwrap_or_default();
    let names: Vec<&str> = header.split(',').collect();
    let Some(factors) = names.iter().position(|&n| n == "status").filter(|&i| i >= 1).map(|i| i - 1) else {
        return Err(fail(format!("{}: header has no `status` column after `run`", csv.display())));
    };
    let metrics = names.len() - factors - 2;
    let schema = Arc::new(schema(&names, factors).map_err(|e| fail(e.to_string()))?);
    let properties = properties();
    // The caller stages `parquet` (an output transaction), so it is written in place.
    let out = std::fs::File::create(parquet).map_err(|e| fail(e.to_string()))?;
    let mut writer = SerializedFileWriter::new(out, schema, properties).map_err(|e| fail(e.to_string()))?;
    let mut columns = Columns::new(factors, metrics);
    for (k, line) in lines.enumerate() {
        let line = line.map_err(|e| fail(e.to_string()))?;
        columns.push(&line).map_err(|e| fail(format!("{} line {}: {e}", csv.display(), k + 2)))?;
        if columns.len() == ROW_GROUP {
            write_group(&mut writer, &columns).map_err(|e| fail(e.to_string()))?;
            columns.clear();
        }
    }
    if columns.len() > 0 {
        write_group(&mut writer, &columns).map_err(|e| fail(e.to_string()))?;
    }
    let file = writer.into_inner().map_err(|e| fail(e.to_string()))?;
    file.sync_all().map_err(|e| fail(e.to_string()))
}

/// Writer settings shared by raphe's Parquet files: Snappy pages (pure Rust), raphe as creator.
fn properties() -> Arc<WriterProperties> {
    Arc::new(
        WriterProperties::builder()
            .set_created_by(format!("raphe {}", env!("CARGO_PKG_VERSION")))
            .set_compression(parquet::basic::Compression::SNAPPY)
            .build(),
    )
}

/// `trajectory.parquet`: the rows of trajectory.csv (the course up to death), every column a
/// DOUBLE named as in the CSV, streamed in row groups of [`ROW_GROUP`] rows.
pub fn trajectory(path: &Path, traj: &crate::simulate::Trajectory, death_day: Option<f64>) -> Result<()> {
    let fail =
        |problem: String| Error::Output { path: path.to_path_buf(), cause: std::io::Error::other(problem) };
    let names: Vec<String> = traj.columns().into_iter().map(|c| c.name).collect();
    let fields = names
        .iter()
        .map(|n| {
            Type::primitive_type_builder(n, Physical::DOUBLE)
                .with_repetition(Repetition::REQUIRED)
                .build()
                .map(Arc::new)
        })
        .collect::<parquet::errors::Result<Vec<_>>>()
        .map_err(|e| fail(e.to_string()))?;
    let schema = Arc::new(
        Type::group_type_builder("trajectory")
            .with_fields(fields)
            .build()
            .map_err(|e| fail(e.to_string()))?,
    );
    let file = std::fs::File::create(path).map_err(|e| fail(e.to_string()))?;
    let mut writer =
        SerializedFileWriter::new(file, schema, properties()).map_err(|e| fail(e.to_string()))?;
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let flush = |writer: &mut SerializedFileWriter<std::fs::File>, columns: &mut Vec<Vec<f64>>| {
        let mut group = writer.next_row_group()?;
        let mut k = 0;
        while let Some(mut column) = group.next_column()? {
            column.typed::<DoubleType>().write_batch(&columns[k], None, None)?;
            column.close()?;
            columns[k].clear();
            k += 1;
        }
        group.close().map(|_| ())
    };
    for row in traj.rows_until_death(death_day, 1) {
        for (c, v) in columns.iter_mut().zip(row) {
            c.push(v);
        }
        if columns[0].len() == ROW_GROUP {
            flush(&mut writer, &mut columns).map_err(|e| fail(e.to_string()))?;
        }
    }
    if !columns[0].is_empty() {
        flush(&mut writer, &mut columns).map_err(|e| fail(e.to_string()))?;
    }
    writer.into_inner().map_err(|e| fail(e.to_string()))?.sync_all().map_err(|e| fail(e.to_string()))
}
