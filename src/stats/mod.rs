//! Statistics for virtual clinical trials: the analyses a trial report runs on simulated cohorts.
//!
//! - [`survival`]: Kaplan–Meier curves with log(-log) Greenwood intervals, the log-rank test and
//!   the Cox proportional-hazards model (Efron ties), for time-to-event endpoints such as time to
//!   a spasticity threshold.
//! - [`hypothesis`]: two-sample t-tests (pooled and Welch), the Mann–Whitney U test, Fisher's
//!   exact and the Yates-corrected chi-squared test on 2×2 tables, and Clopper–Pearson intervals
//!   for power estimates.
//!
//! Each function reproduces a reference implementation (lifelines for survival, SciPy for the
//! rest; `tests/stats/check_stats.py` compares them), so a simulated trial's numbers can be read
//! against published analyses done with those tools. Degenerate input (empty groups, zero
//! variance, a singular information matrix) is an `Err` with the reason, never a panic or a NaN.

pub mod hypothesis;
pub mod survival;
