//! `raphe validate`: run every validation fact, print the table, write validation.json.

use super::sweep::set_threads;
use super::{prepare_out, with_manifest, ValidateArgs};
use anyhow::{bail, Context, Result};
use raphe::output::transaction::Transaction;
use raphe::validate::{self, Fact, Outcome, Verdict};
use std::path::{Path, PathBuf};

pub fn validate(a: ValidateArgs) -> Result<()> {
    let mut facts = load(a.facts.as_deref())?;
    if !a.only.is_empty() {
        facts.retain(|f| a.only.contains(&f.header.number));
        if facts.is_empty() {
            bail!("--only {:?}: no such fact numbers", a.only);
        }
    }
    set_threads(a.threads)?;
    // Claim the output folder before the runs, so a bad --out fails at once.
    let out = a.out.as_ref().map(|dir| -> Result<_> {
        let lock = prepare_out(dir)?;
        Ok((lock, Transaction::begin(dir, "validate", a.force)?))
    });
    let out = out.transpose()?;
    let cache = validate::measure::Cache::default();
    let outcomes: Vec<Outcome> = facts.iter().flat_map(|f| validate::evaluate(f, &cache)).collect();
    print_table(&outcomes);
    let failed = outcomes.iter().filter(|o| o.verdict.fails()).count();
    let known = outcomes.iter().filter(|o| o.verdict == Verdict::KnownMiss).count();
    println!(
        "{} checks of {} facts: {} passed, {failed} failed, {known} known misses",
        outcomes.len(),
        facts.len(),
        outcomes.iter().filter(|o| o.verdict == Verdict::Pass).count(),
    );
    if let (Some(dir), Some((_lock, mut tx))) = (&a.out, out) {
        let json = serde_json::json!({
            "facts": facts.iter().map(|f| serde_json::json!({
                "number": f.header.number,
                "statement": f.header.statement,
                "source": f.header.source,
                "file": f.path.display().to_string(),
            })).collect::<Vec<_>>(),
            "checks": outcomes,
            "failed": failed,
            "known_misses": known,
        });
        tx.write("validation.json", serde_json::to_string_pretty(&json)?.as_bytes())?;
        let manifest = serde_json::json!({
            "raphe_version": env!("CARGO_PKG_VERSION"),
            "git_revision": env!("RAPHE_GIT_REVISION"),
            "command": std::env::args().collect::<Vec<_>>(),
            "fact_files": facts.iter().map(|f| serde_json::json!({
                "file": f.path.display().to_string(),
                "sha256": raphe::output::manifest::sha256(&f.text),
            })).collect::<Vec<_>>(),
        });
        let written = tx.commit(manifest)?;
        println!("wrote {}/{{{}}}", dir.display(), with_manifest(&written));
    }
    if failed > 0 {
        bail!("{failed} validation check(s) failed");
    }
    Ok(())
}

/// The facts of a folder (`*.toml`, in name order), or the bundled ones.
fn load(folder: Option<&Path>) -> Result<Vec<Fact>> {
    let Some(folder) = folder else {
        return raphe::bundled::VALIDATION
            .iter()
            .map(|(name, text)| {
                let path = PathBuf::from(format!("<bundled>/models/validation/{name}.toml"));
                Ok(Fact::from_toml(&path, text)?)
            })
            .collect();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("--facts {}: cannot read the folder", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("--facts {}: no .toml validation files", folder.display());
    }
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).with_context(|| format!("{}: cannot read", p.display()))?;
            Ok(Fact::from_toml(p, &text)?)
        })
        .collect()
}

fn print_table(outcomes: &[Outcome]) {
    println!("{:<5} {:<60} {:>18} {:>22}  verdict", "fact", "check", "expected", "simulated");
    for o in outcomes {
        let simulated = match &o.simulated {
            Some(v) => v.iter().map(|&x| validate::number(x)).collect::<Vec<_>>().join(", "),
            None => "-".into(),
        };
        let unit = if o.unit.is_empty() { String::new() } else { format!(" {}", o.unit) };
        println!(
            "{:<5} {:<60} {:>18} {:>22}  {}",
            o.fact,
            truncate(&o.check, 60),
            format!("{}{unit}", o.expected),
            truncate(&format!("{simulated}{unit}"), 22),
            o.verdict.label()
        );
        if let Some(note) = &o.note {
            if o.verdict != Verdict::Pass {
                println!("      {}", note);
            }
        }
    }
    let mut sources: Vec<(u32, &str)> = outcomes.iter().map(|o| (o.fact, o.source.as_str())).collect();
    sources.dedup();
    println!("sources:");
    for (fact, source) in sources {
        println!("  {fact:>2}: {source}");
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}
