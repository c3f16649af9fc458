//! Figures drawn from real CLI output: formats and sizes, axis titles and legends in the SVG,
//! a layout check (every label inside the canvas, no two labels overlapping) and clear errors
//! that write no image.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn raphe() -> Command {
    Command::cargo_bin("raphe").unwrap()
}

/// A simulate folder of `scenario` (or the untreated course) under `dir`.
fn simulate(dir: &Path, scenario: Option<&str>) -> PathBuf {
    let out = dir.join(scenario.unwrap_or("untreated"));
    let mut cmd = raphe();
    cmd.arg("simulate");
    if let Some(s) = scenario {
        cmd.args(["--scenario", s]);
    }
    cmd.arg("--out").arg(&out).assert().success();
    out
}

/// Text labels of an SVG written by plotters: (text, box x0, y0, x1, y1), with extents measured
/// in the bundled font.
fn labels(svg: &str) -> (f64, f64, Vec<(String, [f64; 4])>) {
    let font = FontRef::try_from_slice(include_bytes!("../assets/fonts/DejaVuSans.ttf")).unwrap();
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        Some(tag[start..].split('"').next()?.to_string())
    };
    let head = &svg[..svg.find('>').unwrap()];
    let width: f64 = attr(head, "width").unwrap().parse().unwrap();
    let height: f64 = attr(head, "height").unwrap().parse().unwrap();
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text") {
        let tag_end = rest[i..].find('>').unwrap() + i;
        let close = rest[tag_end..].find("</text>").unwrap() + tag_end;
        let tag = &rest[i..tag_end];
        let text =
            rest[tag_end + 1..close].trim().replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        rest = &rest[close..];
        if text.is_empty() {
            continue;
        }
        let num = |name: &str| attr(tag, name).unwrap().parse::<f64>().unwrap();
        let (x, y, size) = (num("x"), num("y"), num("font-size"));
        let scaled = font.as_scaled(PxScale::from(size as f32));
        let w: f64 = text.chars().map(|c| scaled.h_advance(font.glyph_id(c)) as f64).sum();
        let (a, b) = match attr(tag, "text-anchor").as_deref() {
            Some("middle") => (-w / 2.0, w / 2.0),
            Some("end") => (-w, 0.0),
            _ => (0.0, w),
        };
        let (c, d) = match attr(tag, "dy").as_deref() {
            Some("0.76em") => (0.0, size),
            Some("-0.5ex") => (-size, 0.0),
            _ => (-size / 2.0, size / 2.0),
        };
        let bbox = if attr(tag, "transform").is_some_and(|t| t.starts_with("rotate(270")) {
            [x + c, y - b, x + d, y - a]
        } else {
            [x + a, y + c, x + b, y + d]
        };
        out.push((text, bbox));
    }
    (width, height, out)
}

/// Every label inside the canvas and no two overlapping (boxes shrunk by 1 px for rounding).
fn check_layout(svg: &str) {
    let (w, h, boxes) = labels(svg);
    assert!(boxes.len() > 8, "only {} labels", boxes.len());
    for (text, [x0, y0, x1, y1]) in &boxes {
        assert!(
            *x0 >= -0.5 && *y0 >= -0.5 && *x1 <= w + 0.5 && *y1 <= h + 0.5,
            "`{text}` outside the canvas"
        );
    }
    for (i, (ta, a)) in boxes.iter().enumerate() {
        for (tb, b) in &boxes[i + 1..] {
            let overlap = a[0] < b[2] - 1.0 && b[0] < a[2] - 1.0 && a[1] < b[3] - 1.0 && b[1] < a[3] - 1.0;
            assert!(!overlap, "`{ta}` {a:?} overlaps `{tb}` {b:?}");
        }
    }
}

#[test]
fn course_figure_in_both_formats_from_simulate_output() {
    let dir = tempfile::tempdir().unwrap();
    let run = simulate(dir.path(), Some("baclofen_tizanidine_combination"));
    let svg = dir.path().join("course.svg");
    raphe().args(["plot", "course"]).arg(&run).arg("--out").arg(&svg).assert().success();
    let text = std::fs::read_to_string(&svg).unwrap();
    for expected in [
        "PIC (nA)",
        "MAS (0-4)",
        "spasm frequency",
        "5-HT-driven part",
        "baclofen given",
        "tizanidine given",
        "motor onset",
        "death",
        "time since the start of neurodegeneration (years)",
    ] {
        assert!(text.contains(expected), "SVG lacks `{expected}`");
    }
    check_layout(&text);
    // PNG at the requested size: 85 mm at 300 dpi is 1004 px wide.
    let png = dir.path().join("course.png");
    raphe()
        .args(["plot", "course"])
        .arg(&run)
        .args(["--width", "85", "--height", "200", "--dpi", "300", "--out"])
        .arg(&png)
        .assert()
        .success();
    let decoder = png::Decoder::new(std::fs::File::open(&png).unwrap());
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    assert_eq!((info.width, info.height), (1004, 2362));
}

#[test]
fn mouse_course_uses_weeks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mouse");
    raphe()
        .args(["simulate", "sod1_g86r_mouse", "--scenario", "sb206553_mouse", "--plot", "--out"])
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("figures/course.svg")).unwrap();
    assert!(svg.contains("age (weeks)") && svg.contains("sb206553 given"));
    check_layout(&svg);
    assert!(out.join("figures/course.png").is_file());
}

#[test]
fn compare_overlays_runs_and_tables_their_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let runs: Vec<PathBuf> = [None, Some("baclofen_oral_tid"), Some("tizanidine_oral_tid")]
        .iter()
        .map(|s| simulate(dir.path(), *s))
        .collect();
    let svg = dir.path().join("compare.svg");
    raphe().args(["plot", "compare"]).args(&runs).arg("--out").arg(&svg).assert().success();
    let text = std::fs::read_to_string(&svg).unwrap();
    for expected in [
        "untreated",
        "baclofen_oral_tid",
        "tizanidine_oral_tid",
        "Sedation",
        "Blood-pressure fall",
        "spasm burden (intensity-days)",
        "benefit-risk score",
    ] {
        assert!(text.contains(expected), "SVG lacks `{expected}`");
    }
    check_layout(&text);
}

#[test]
fn bad_inputs_name_the_problem_and_write_no_image() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.svg");
    raphe()
        .args(["plot", "course", "/no/such/folder", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("/no/such/folder").and(predicate::str::contains("no such folder")));
    assert!(!out.exists());
    // A folder whose trajectory lacks a column the figure needs.
    let run = simulate(dir.path(), None);
    let columns = std::fs::read_to_string(run.join("trajectory.columns.json")).unwrap();
    let csv = std::fs::read_to_string(run.join("trajectory.csv")).unwrap();
    let mut parsed: Vec<serde_json::Value> = serde_json::from_str(&columns).unwrap();
    let k = parsed.iter().position(|c| c["name"] == "pic").unwrap();
    parsed.remove(k);
    std::fs::write(run.join("trajectory.columns.json"), serde_json::to_string(&parsed).unwrap()).unwrap();
    let dropped: Vec<String> = csv
        .lines()
        .map(|l| {
            l.split(',').enumerate().filter(|(i, _)| *i != k).map(|(_, v)| v).collect::<Vec<_>>().join(",")
        })
        .collect();
    std::fs::write(run.join("trajectory.csv"), dropped.join("\n")).unwrap();
    raphe()
        .args(["plot", "course"])
        .arg(&run)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("trajectory.csv").and(predicate::str::contains("no column `pic`")));
    assert!(!out.exists());
    // Unknown format; compare with one folder.
    raphe()
        .args(["plot", "course"])
        .arg(&run)
        .args(["--out", "fig.jpg"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(".svg or .png"));
    raphe()
        .args(["plot", "compare"])
        .arg(&run)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("two or more"));
    assert!(!out.exists());
}

/// A sweep folder of a bundled example sweep under `dir`.
fn sweep(dir: &Path, name: &str, command: &str) -> PathBuf {
    let out = dir.join(name);
    raphe().arg(command).arg(format!("models/sweeps/{name}.toml")).arg("--out").arg(&out).assert().success();
    out
}

#[test]
fn sweep_figures_render_from_the_example_sweeps() {
    let dir = tempfile::tempdir().unwrap();
    let grid = sweep(dir.path(), "baclofen_dose_interval", "sweep");
    let lhs = sweep(dir.path(), "disease_lhs", "sweep");
    let morris = sweep(dir.path(), "spasm_morris", "sensitivity");
    let cases: Vec<(Vec<&str>, &PathBuf, Vec<&str>)> = vec![
        (
            vec!["dose-response", "--metric", "spasm_auc"],
            &grid,
            vec!["dosing.0.amount (mg)", "interval 6 h", "spasm_auc (day)"],
        ),
        (
            vec!["dose-response", "--metric", "death_day"],
            &lhs,
            vec!["median", "5-95% of runs", "death_day (day)"],
        ),
        (
            vec!["heatmap", "--metric", "peak_sedation"],
            &grid,
            vec!["dosing.0.interval (h)", "dosing.0.amount (mg)", "peak_sedation"],
        ),
        (
            vec!["distribution", "--metric", "death_day"],
            &lhs,
            vec!["runs", "death_day (day)", "without a value"],
        ),
        (vec!["sensitivity"], &morris, vec!["mu* of spasm_auc", "sigma (interactions", "lmn_hazard"]),
    ];
    for (args, input, expected) in cases {
        let svg = dir.path().join(format!("{}.svg", args[0]));
        raphe().arg("plot").args(&args).arg(input).arg("--out").arg(&svg).assert().success();
        let text = std::fs::read_to_string(&svg).unwrap();
        for e in expected {
            assert!(text.contains(e), "{}: SVG lacks `{e}`", args[0]);
        }
        check_layout(&text);
    }
}

#[test]
fn sweep_figures_refuse_unknown_metrics_and_all_failed_sweeps() {
    let dir = tempfile::tempdir().unwrap();
    let grid = sweep(dir.path(), "baclofen_dose_interval", "sweep");
    let out = dir.path().join("x.svg");
    raphe()
        .args(["plot", "dose-response", "--metric", "no_such"])
        .arg(&grid)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("runs.csv").and(predicate::str::contains("no metric `no_such`")));
    let csv = std::fs::read_to_string(grid.join("runs.csv")).unwrap();
    std::fs::write(grid.join("runs.csv"), csv.replace(",ok,", ",failed: test,")).unwrap();
    raphe()
        .args(["plot", "distribution", "--metric", "spasm_auc"])
        .arg(&grid)
        .arg("--out")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("no successful run"));
    assert!(!out.exists());
}

#[test]
fn sweep_and_sensitivity_plot_flags_write_their_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("grid");
    raphe()
        .args(["sweep", "models/sweeps/baclofen_dose_interval.toml", "--plot", "--out"])
        .arg(&out)
        .assert()
        .success();
    for kind in ["distribution", "dose-response", "heatmap"] {
        let svg = std::fs::read_to_string(out.join(format!("figures/{kind}_spasm_auc.svg"))).unwrap();
        check_layout(&svg);
    }
    let out = dir.path().join("morris");
    raphe()
        .args(["sensitivity", "models/sweeps/spasm_morris.toml", "--plot", "--out"])
        .arg(&out)
        .assert()
        .success();
    check_layout(&std::fs::read_to_string(out.join("figures/sensitivity_spasm_auc.svg")).unwrap());
}

#[test]
fn pkpd_figure_reads_the_fine_window() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tiz");
    raphe()
        .args([
            "simulate",
            "--scenario",
            "tizanidine_oral_tid",
            "--window",
            "4y..4y+1d",
            "--window-step",
            "10min",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    // 1 day at 10 min: 145 window rows beside the daily grid.
    let rows = std::fs::read_to_string(out.join("trajectory.csv")).unwrap().lines().count();
    assert!(rows > 145 + 1900, "{rows} rows");
    let svg = dir.path().join("pkpd.svg");
    raphe().args(["plot", "pkpd"]).arg(&out).arg("--out").arg(&svg).assert().success();
    let text = std::fs::read_to_string(&svg).unwrap();
    for e in
        ["Plasma", "CSF (effect site)", "tizanidine", "sedation", "BP fall", "hours after day 1461", "dose"]
    {
        assert!(text.contains(e), "SVG lacks `{e}`");
    }
    check_layout(&text);
    assert!(!text.contains("no drug in this window"));
    // A window before the first dose (day 1095.75) says so instead of drawing bare zeros.
    let early = dir.path().join("early");
    raphe()
        .args(["simulate", "--scenario", "tizanidine_oral_tid", "--window", "900..901", "--out"])
        .arg(&early)
        .assert()
        .success();
    let early_svg = dir.path().join("early.svg");
    raphe().args(["plot", "pkpd"]).arg(&early).arg("--out").arg(&early_svg).assert().success();
    let text = std::fs::read_to_string(&early_svg).unwrap();
    assert!(text.contains("no drug in this window; first given on day 1095.75"), "no-drug caption missing");
    check_layout(&text);
    // A run without a window, and a window outside the run, are refused clearly.
    let plain = simulate(dir.path(), Some("tizanidine_oral_tid"));
    raphe()
        .args(["plot", "pkpd"])
        .arg(&plain)
        .args(["--out", "x.svg"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no fine output window").and(predicate::str::contains("--window")));
    raphe()
        .args(["simulate", "--window", "7y..8y", "--out"])
        .arg(dir.path().join("bad"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("window"));
}

#[test]
fn report_is_one_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), None);
    let b = simulate(dir.path(), Some("baclofen_oral_tid"));
    let page = dir.path().join("report.html");
    raphe().arg("report").arg(&a).arg(&b).arg("--out").arg(&page).assert().success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("<svg").count(), 3, "comparison and two courses inline");
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="));
    for e in ["Summary", "spasm_auc", "benefit–risk", "Scenario:", "Provenance: raphe", "baclofen_oral_tid"]
    {
        assert!(html.contains(e), "report lacks `{e}`");
    }
    raphe().args(["report", "/no/such", "--out"]).arg(dir.path().join("x.html")).assert().failure();
    assert!(!dir.path().join("x.html").exists());
}
