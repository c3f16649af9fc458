//! Errors of the library. Input errors name the file, the field (and line where TOML gives one)
//! and what is allowed; solver errors name the time at which integration failed.

use std::path::PathBuf;

/// Everything that can go wrong in raphe's library code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model, drug or scenario file is unreadable or invalid.
    #[error("{}", format_input(file, field, line, problem, allowed))]
    Input {
        file: PathBuf,
        /// Dotted path of the offending field (`parameters.raphe_hazard.value`), or empty.
        field: String,
        line: Option<usize>,
        problem: String,
        /// What would have been accepted.
        allowed: String,
    },
    /// Run settings (duration, output step, tolerances) out of bounds.
    #[error("invalid settings: {0}")]
    Settings(String),
    /// An output folder cannot take this command's results as it stands.
    #[error("output folder {}: {problem} (allowed: {allowed})", dir.display())]
    OutputFolder { dir: PathBuf, problem: String, allowed: String },
    /// A sweep stopped before its end (a signal, or as asked); its finished chunks are kept.
    #[error("{} after {done} of {runs} runs; the finished chunks are kept: rerun the same command with --resume to finish", match stop { crate::sweep::Stop::AsAsked => "stopped as asked", crate::sweep::Stop::Cancelled => "interrupted" })]
    Stopped { stop: crate::sweep::Stop, done: usize, runs: usize },
    /// The ODE solver gave up.
    #[error("solver failed at day {day:.4}: {reason}")]
    Solver { day: f64, reason: String },
    /// Writing outputs failed. (The OS error is part of the message and not a separate
    /// `source`, so an error chain prints it once.)
    #[error("cannot write {}: {cause}", path.display())]
    Output { path: PathBuf, cause: std::io::Error },
    /// Reading a file raphe needs (its own chunks, shards, manifests) failed.
    #[error("cannot read {}: {cause}", path.display())]
    Read { path: PathBuf, cause: std::io::Error },
}

fn format_input(
    file: &std::path::Path,
    field: &str,
    line: &Option<usize>,
    problem: &str,
    allowed: &str,
) -> String {
    let mut s = file.display().to_string();
    if let Some(l) = line {
        s.push_str(&format!(":{l}"));
    }
    if !field.is_empty() {
        s.push_str(&format!(": field `{field}`"));
    }
    s.push_str(&format!(": {problem}"));
    if !allowed.is_empty() {
        s.push_str(&format!(" (allowed: {allowed})"));
    }
    s
}

impl Error {
    /// Shorthand for an input error.
    pub fn input(
        file: impl Into<PathBuf>,
        field: impl Into<String>,
        line: Option<usize>,
        problem: impl Into<String>,
        allowed: impl Into<String>,
    ) -> Self {
        Error::Input {
            file: file.into(),
            field: field.into(),
            line,
            problem: problem.into(),
            allowed: allowed.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
