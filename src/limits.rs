//! Every resource limit in one place. Each guards against an input that is a mistake rather
//! than a study (a dose every microsecond, a grid of a trillion runs) and would otherwise take
//! unbounded memory or time; each is refused with a message that names it. `docs/outputs.md`
//! lists them.

/// Longest simulated time, days (100 years).
pub const MAX_DURATION: f64 = 100.0 * 365.25;

/// Most trajectory rows of one run (output grid plus `--window` rows). The rows are written to
/// disk as they are formatted, but the run's samples are held (about 0.5 kB each), so this
/// bounds a run's memory near 1 GB: two million rows are six years every 2 minutes.
pub const MAX_ROWS: f64 = 2e6;

/// Shortest dosing interval, days (1 minute): boluses closer than that are an infusion.
pub const MIN_INTERVAL: f64 = 1.0 / 1440.0;

/// Latest start of a dosing, infusion or exercise line, days: the longest run.
pub const MAX_START: f64 = MAX_DURATION;

/// Most boluses in one run (or in the year after a scenario's last line starts, where dose
/// limits are checked): a dose every minute for almost four years.
pub const MAX_DOSES: f64 = 2e6;

/// Most infusion lines in one scenario, after a dosing table's `addl` is expanded (a pump rate
/// changed every day for 27 years).
pub const MAX_INFUSIONS: usize = 10_000;

/// Most additional doses (`addl`) of one dosing-table record (a 5-year regimen every hour is
/// 43,830).
pub const MAX_ADDL: u64 = 100_000;

/// Most runs of one sweep (all shards together): about ten hours at this machine's ~3,000
/// runs/s, and the same split over a cluster.
pub const MAX_RUNS: u128 = 100_000_000;

/// Most worker threads per core.
pub const THREADS_PER_CORE: usize = 8;
