//! NONMEM-style dosing tables: CSV with a header naming the columns `time`, `amt`, `cmt` or
//! `route`, and optionally `rate`, `ii`, `addl` (absent: 0), in any order; other columns such
//! as `evid` are read as below or ignored.
//!
//! * `route` is `oral`, `iv` or `intrathecal`; `cmt` is 1 (depot: oral), 2 (central: iv) or
//!   3 (CSF: intrathecal).
//! * `rate` > 0 makes the record an infusion of `amt` at `rate` (duration amt/rate); 0 is a bolus.
//! * `addl` more doses follow every `ii` (at most 100,000 per record).
//! * One patient per table: an `id` column must hold a single id. Rows with an `evid` other
//!   than 1 (dose) are skipped; steady-state records (`ss` ≠ 0) are refused.
//!
//! Times, `ii` and `rate` use the table's time unit; `amt` the table's amount unit.

use super::pk::Route;
use crate::error::{Error, Result};
use std::path::Path;

/// One dosing record in internal units (days, mg, mg/day).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    pub time: f64,
    pub amount: f64,
    pub route: Route,
    pub rate: f64,
    pub interval: f64,
    pub additional: u64,
}

use crate::limits::MAX_ADDL;

const REQUIRED: [&str; 2] = ["time", "amt"];

/// Parse a dosing table; `day_factor` and `mg_factor` convert its time and amount units.
pub fn read(path: &Path, text: &str, day_factor: f64, mg_factor: f64) -> Result<Vec<Record>> {
    // A byte-order mark (spreadsheets write one) is not part of the first column's name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines =
        text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let (_, header) =
        lines.next().ok_or_else(|| Error::input(path, "", Some(1), "empty dosing table", "a header line"))?;
    let names: Vec<String> = header.split(',').map(|c| c.trim().to_ascii_lowercase()).collect();
    let column = |name: &str| names.iter().position(|n| n == name);
    let mut index = [0usize; 2];
    for (slot, name) in index.iter_mut().zip(REQUIRED) {
        *slot = column(name).ok_or_else(|| {
            Error::input(
                path,
                name,
                Some(1),
                format!("missing column `{name}`"),
                "columns time, amt, cmt or route, and optionally rate, ii, addl",
            )
        })?;
    }
    // As NONMEM and mrgsolve read them: a missing rate, ii or addl column is 0 in every row.
    let (rate_column, ii_column, addl_column) = (column("rate"), column("ii"), column("addl"));
    let route_column =
        column("route").map(|i| (i, true)).or(column("cmt").map(|i| (i, false))).ok_or_else(|| {
            Error::input(
                path,
                "cmt",
                Some(1),
                "missing column `cmt` or `route`",
                "columns time, amt, cmt or route, and optionally rate, ii, addl",
            )
        })?;
    let (id_column, evid_column, ss_column) = (column("id"), column("evid"), column("ss"));
    let mut first_id: Option<String> = None;
    let mut records = Vec::new();
    for (row, line) in lines {
        let line_no = row + 1;
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if let Some(id) = id_column.and_then(|i| cells.get(i)) {
            match &first_id {
                None => first_id = Some(id.to_string()),
                Some(first) if first != id => {
                    return Err(Error::input(
                        path,
                        "id",
                        Some(line_no),
                        format!("a second patient `{id}` (first was `{first}`)"),
                        "one patient per dosing table for now (a table of several IDs will feed virtual cohorts, issue 12); split it by ID",
                    ));
                }
                _ => {}
            }
        }
        if let Some(evid) = evid_column.and_then(|i| cells.get(i)) {
            if !matches!(*evid, "1" | "") {
                continue;
            }
        }
        if let Some(ss) = ss_column.and_then(|i| cells.get(i)) {
            if !matches!(*ss, "0" | "" | ".") {
                return Err(Error::input(
                    path,
                    "ss",
                    Some(line_no),
                    "steady-state dosing records are not supported",
                    "ss = 0; write the doses out with addl",
                ));
            }
        }
        let cell = |i: usize, name: &str| {
            cells.get(i).copied().ok_or_else(|| {
                Error::input(
                    path,
                    name,
                    Some(line_no),
                    "row has too few cells",
                    format!("{} cells", names.len()),
                )
            })
        };
        let number = |i: Option<usize>, name: &str| -> Result<f64> {
            let Some(i) = i else { return Ok(0.0) };
            let c = cell(i, name)?;
            let v: f64 = if c.is_empty() || c == "." {
                0.0
            } else {
                c.parse().map_err(|_| {
                    Error::input(
                        path,
                        name,
                        Some(line_no),
                        format!("`{c}` is not a number"),
                        "a number (or . for 0)",
                    )
                })?
            };
            if !v.is_finite() || v < 0.0 {
                return Err(Error::input(
                    path,
                    name,
                    Some(line_no),
                    format!("{v} is negative or not finite"),
                    "a number >= 0",
                ));
            }
            Ok(v)
        };
        let route = {
            let (i, named) = route_column;
            let c = cell(i, if named { "route" } else { "cmt" })?;
            match (named, c) {
                (true, "oral") | (false, "1") => Route::Oral,
                (true, "iv") | (false, "2") => Route::Iv,
                (true, "intrathecal") | (false, "3") => Route::Intrathecal,
                _ => {
                    let allowed =
                        if named { "oral, iv, intrathecal" } else { "1 (oral), 2 (iv), 3 (intrathecal)" };
                    return Err(Error::input(
                        path,
                        if named { "route" } else { "cmt" },
                        Some(line_no),
                        format!("`{c}` is not a route"),
                        allowed,
                    ));
                }
            }
        };
        let amount = number(Some(index[1]), "amt")? * mg_factor;
        if amount <= 0.0 {
            return Err(Error::input(path, "amt", Some(line_no), "dose amount is zero", "amt > 0"));
        }
        let additional = number(addl_column, "addl")?;
        if additional.fract() != 0.0 {
            return Err(Error::input(
                path,
                "addl",
                Some(line_no),
                format!("{additional} is not a whole number"),
                format!("a whole number from 0 to {MAX_ADDL}"),
            ));
        }
        if additional > MAX_ADDL as f64 {
            return Err(Error::input(
                path,
                "addl",
                Some(line_no),
                format!("{additional} additional doses in one record"),
                format!("at most {MAX_ADDL} (write a longer regimen as several records)"),
            ));
        }
        let interval = number(ii_column, "ii")? * day_factor;
        if additional > 0.0 && interval < crate::limits::MIN_INTERVAL {
            return Err(Error::input(
                path,
                "ii",
                Some(line_no),
                "additional doses need an interval",
                "ii >= 1 min when addl > 0",
            ));
        }
        records.push(Record {
            time: number(Some(index[0]), "time")? * day_factor,
            amount,
            route,
            rate: number(rate_column, "rate")? * mg_factor / day_factor,
            interval,
            additional: additional as u64,
        });
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_boluses_and_infusions_in_any_column_order() {
        let text = "id,amt,time,cmt,rate,ii,addl\n1,10,0,1,0,8,2\n1,5,24,2,10,.,0\n";
        let r = read(Path::new("t.csv"), text, 1.0 / 24.0, 1.0).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].route, Route::Oral);
        assert_eq!(r[0].additional, 2);
        assert!((r[0].interval - 8.0 / 24.0).abs() < 1e-12);
        assert!((r[1].time - 1.0).abs() < 1e-12 && (r[1].rate - 240.0).abs() < 1e-9);
    }

    #[test]
    fn rate_ii_and_addl_may_be_left_out() {
        let r = read(Path::new("t.csv"), "time,amt,route\n0,10,oral\n", 1.0, 1.0).unwrap();
        assert_eq!((r[0].rate, r[0].interval, r[0].additional), (0.0, 0.0, 0));
    }

    #[test]
    fn errors_name_the_column_and_row() {
        let missing =
            read(Path::new("t.csv"), "time,cmt,rate,ii\n0,1,0,0\n", 1.0, 1.0).unwrap_err().to_string();
        assert!(missing.contains("t.csv:1") && missing.contains("`amt`"), "{missing}");
        let bad =
            read(Path::new("t.csv"), "time,amt,cmt,rate,ii,addl\n0,1,1,0,0,0\n0,-5,1,0,0,0\n", 1.0, 1.0)
                .unwrap_err()
                .to_string();
        assert!(bad.contains("t.csv:3") && bad.contains("amt"), "{bad}");
        let route = read(Path::new("t.csv"), "time,amt,cmt,rate,ii,addl\n0,1,7,0,0,0\n", 1.0, 1.0)
            .unwrap_err()
            .to_string();
        assert!(route.contains("cmt") && route.contains("2 (iv)"), "{route}");
    }
}
