//! Statistics for cohorts and trials (being written).
