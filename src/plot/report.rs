//! `raphe report`: one self-contained HTML page (no network, no external file) to share a run
//! or a comparison: the figures inline as SVG, the summary metrics, the scenario, the
//! parameters that differ from the bundled preset, and each run's provenance.

use super::data::Run;
use crate::error::Result;
use serde_json::Value;
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "–".into(),
        Value::Number(n) => n.as_f64().map_or(n.to_string(), super::stack::format_tick),
        Value::String(s) => escape(s),
        Value::Array(a) if a.is_empty() => "–".into(),
        other => escape(&other.to_string()),
    }
}

/// Parameters whose value differs from the bundled preset of the same name: (name, run value,
/// preset value, unit), values as written in files.
fn changed_parameters(run: &Run) -> Vec<(String, f64, f64, String)> {
    let Some(name) = run.manifest["model"]["name"].as_str() else { return vec![] };
    let Some((file, text)) = crate::bundled::model(name) else { return vec![] };
    let Ok(preset) = crate::model::Model::from_toml(Path::new(&file), text) else { return vec![] };
    run.manifest["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let (n, v) = (p["name"].as_str()?, p["file_value"].as_f64()?);
            let base = preset.resolved.iter().find(|r| r.name == n)?;
            ((v - base.file_value).abs() > 1e-12 * base.file_value.abs().max(1e-300))
                .then(|| (n.to_string(), v, base.file_value, base.unit.clone()))
        })
        .collect()
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em auto;max-width:60em;color:#222}\
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}td,th{border:1px solid #ddd;padding:0.2em 0.6em;text-align:left}\
th{background:#f4f4f4}pre{background:#f8f8f8;padding:0.6em;font-size:0.8em;overflow-x:auto}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto}";

/// Write the report of `dirs` to `out`.
pub fn write(dirs: &[PathBuf], out: &Path) -> Result<()> {
    let runs: Vec<Run> = dirs.iter().map(|d| Run::read(d)).collect::<Result<_>>()?;
    let mut html = String::new();
    let title =
        if runs.len() == 1 { format!("raphe: {}", runs[0].label()) } else { "raphe: comparison".to_string() };
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    if runs.len() > 1 {
        let _ = writeln!(
            html,
            "<h2>Comparison</h2><figure id=\"compare\">{}</figure>",
            super::compare_svg(&runs)?
        );
    }
    // Summary metrics side by side.
    let _ = write!(html, "<h2>Summary</h2><table><tr><th>metric</th>");
    for r in &runs {
        let _ = write!(html, "<th>{}</th>", escape(&r.label()));
    }
    html.push_str("<th>unit</th></tr>\n");
    let keys: Vec<String> = runs[0]
        .summary
        .as_object()
        .map(|o| o.keys().filter(|k| !matches!(k.as_str(), "units" | "benefit_risk")).cloned().collect())
        .unwrap_or_default();
    for k in &keys {
        let _ = write!(html, "<tr><td>{}</td>", escape(k));
        for r in &runs {
            let _ = write!(html, "<td>{}</td>", cell(&r.summary[k.as_str()]));
        }
        let _ = writeln!(html, "<td>{}</td></tr>", cell(&runs[0].summary["units"][k.as_str()]));
    }
    html.push_str("</table>\n");
    for r in &runs {
        let label = escape(&r.label());
        let _ = writeln!(html, "<h2>{label}</h2><figure class=\"course\">{}</figure>", super::course_svg(r)?);
        if let Some(b) = r.summary["benefit_risk"].as_object() {
            html.push_str("<table><tr><th>benefit–risk</th><th>value</th></tr>");
            for (k, v) in b.iter().filter(|(k, _)| *k != "weights") {
                let _ = write!(html, "<tr><td>{}</td><td>{}</td></tr>", escape(k), cell(v));
            }
            html.push_str("</table>\n");
        }
        let scenario = r.manifest["scenario_text"].as_str().unwrap_or("");
        if !scenario.is_empty() {
            let _ = writeln!(html, "<p>Scenario:</p><pre>{}</pre>", escape(scenario));
        }
        let changed = changed_parameters(r);
        if changed.is_empty() {
            html.push_str("<p>Parameters: those of the bundled preset.</p>\n");
        } else {
            html.push_str("<table><tr><th>parameter</th><th>this run</th><th>preset</th><th>unit</th></tr>");
            for (n, v, base, unit) in changed {
                let _ = write!(
                    html,
                    "<tr><td>{}</td><td>{v}</td><td>{base}</td><td>{}</td></tr>",
                    escape(&n),
                    escape(&unit)
                );
            }
            html.push_str("</table>\n");
        }
        let m = &r.manifest;
        let command =
            m["command"].as_array().map(|c| c.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "));
        let _ = writeln!(
            html,
            "<p>Provenance: raphe {} (git {}), model {} (sha256 {}); command <code>{}</code>; folder <code>{}</code>.</p>",
            cell(&m["raphe_version"]),
            cell(&m["git_revision"]),
            cell(&m["model"]["name"]),
            cell(&m["model"]["sha256"]),
            escape(&command.unwrap_or_default()),
            escape(&r.dir.display().to_string())
        );
    }
    html.push_str("</body></html>\n");
    crate::output::atomic::write(out, html.as_bytes())
}
