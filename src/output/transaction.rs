//! An output folder written as one transaction. Every file of a command is staged under a
//! temporary name beside its final one and renamed into place only once all are complete;
//! `manifest.json`, written last, is the commit marker and lists every output with its size
//! and SHA-256. So a folder either holds one command's complete results (its manifest says
//! which, and each file can be checked against it) or no manifest at all.
//!
//! The caller holds the folder's lock ([`super::lock`]) for the transaction's whole life, so
//! temporary files found when a transaction begins belong to a run that died: they are removed.

use crate::error::{Error, Result};
use serde_json::{json, Value};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Name of the commit marker.
pub const MANIFEST: &str = "manifest.json";

/// Written while the renames of a commit run; lists every name the commit touches, so a commit
/// cut short (a kill between renames) is cleaned up by the next transaction.
const COMMITTING: &str = ".raphe-commit";

/// The commands that write output folders, and the files each may write (used for folders
/// written before manifests listed their outputs, and to spot files of another command).
const KINDS: [(&str, &[&str]); 7] = [
    ("simulate", &["trajectory.csv", "trajectory.parquet", "trajectory.columns.json", "summary.json"]),
    ("sweep", &["runs.csv", "runs.parquet", "trajectories.csv"]),
    (
        "sensitivity",
        &["runs.csv", "runs.parquet", "trajectories.csv", "sensitivity.csv", "sensitivity_second_order.csv"],
    ),
    ("merge", &["runs.csv", "runs.parquet", "trajectories.csv"]),
    ("compare", &["compare.csv", "compare.json"]),
    (
        "cohort",
        &["patients.csv", "patients.parquet", "quantiles.csv", "km_survival.csv", "km_spasm_onset.csv"],
    ),
    ("trial", &["patients.csv", "results.csv", "replicates.csv", "power.csv"]),
];

fn known_outputs(kind: &str) -> &'static [&'static str] {
    KINDS.iter().find(|(k, _)| *k == kind).map_or(&[], |(_, names)| names)
}

/// A staged output: its final name (relative to the folder, `/`-separated) and temporary path.
struct Staged {
    name: String,
    tmp: PathBuf,
}

/// The results a folder holds: the command that wrote them and the files it listed.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    pub kind: String,
    pub outputs: Vec<String>,
}

/// One command's writes into one folder. Dropped without [`Transaction::commit`], it removes
/// what it staged and leaves the folder as it was.
pub struct Transaction {
    dir: PathBuf,
    kind: &'static str,
    staged: Vec<Staged>,
    /// What the folder held when the transaction began (replaced at commit).
    previous: Option<Committed>,
    committed: bool,
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |cause| Error::Output { path: path.to_path_buf(), cause }
}

fn read_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |cause| Error::Read { path: path.to_path_buf(), cause }
}

/// Whether a file name is one of raphe's temporary names, `.NAME.tmp-PID` (and `.runs.csv.tmp`,
/// `.trajectories.csv.tmp` of earlier versions). A user's `.notes.tmp` is not.
fn is_temporary(name: &str) -> bool {
    if matches!(name, ".runs.csv.tmp" | ".trajectories.csv.tmp") {
        return true;
    }
    let Some((stem, pid)) = name.rsplit_once(".tmp-") else { return false };
    name.starts_with('.') && stem.len() > 1 && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
}

/// Whether an output name (from a manifest or a commit marker) is one raphe may write or remove:
/// relative, plain components (no `..`, no root), under a name some command writes, `figures/`
/// or `arms/`. A tampered manifest cannot make raphe touch a file outside the folder.
pub fn is_output_name(name: &str) -> bool {
    let path = Path::new(name);
    let plain = path.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    let first = name.split('/').next().unwrap_or("");
    let known = KINDS.iter().any(|(_, names)| names.contains(&first)) || first == MANIFEST;
    plain && !name.is_empty() && (known || (matches!(first, "figures" | "arms") && name.contains('/')))
}

/// Remove raphe's temporary files in `dir` and its `figures/` and `.chunks/` subfolders.
fn remove_temporaries(dir: &Path) -> Result<()> {
    for sub in [dir.to_path_buf(), dir.join("figures"), dir.join(".chunks")] {
        let Ok(entries) = std::fs::read_dir(&sub) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let kind = entry.file_type();
            if is_temporary(name) && kind.as_ref().is_ok_and(|t| t.is_file()) {
                std::fs::remove_file(entry.path()).map_err(io_error(&entry.path()))?;
            } else if name.starts_with(".figures.tmp-")
                && is_temporary(name)
                && kind.is_ok_and(|t| t.is_dir())
            {
                std::fs::remove_dir_all(entry.path()).map_err(io_error(&entry.path()))?;
            }
        }
    }
    Ok(())
}

/// What the folder's manifest says it holds; `None` when there is no manifest. A manifest
/// from before outputs were listed is read by the files its command writes.
pub fn committed(dir: &Path) -> Result<Option<Committed>> {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_error(&path)(e)),
    };
    let manifest: Value = serde_json::from_str(&text).map_err(|e| {
        Error::input(
            &path,
            "",
            Some(e.line()),
            format!("not a raphe manifest: {e}"),
            "a manifest.json raphe wrote",
        )
    })?;
    let kind = match manifest["kind"].as_str() {
        Some(k) => k.to_string(),
        None if dir.join("sensitivity.csv").exists() => "sensitivity".into(),
        None if manifest.get("merged_from").is_some() => "merge".into(),
        None if manifest.get("sweep_file").is_some() => "sweep".into(),
        None => "simulate".into(),
    };
    let outputs = match manifest["outputs"].as_array() {
        Some(list) => list
            .iter()
            .filter_map(|o| o["name"].as_str())
            .filter(|n| is_output_name(n))
            .map(String::from)
            .collect(),
        None => known_outputs(&kind).iter().map(|s| s.to_string()).collect(),
    };
    Ok(Some(Committed { kind, outputs }))
}

/// SHA-256 (hex) and size of a file, read in blocks.
pub fn file_digest(path: &Path) -> Result<(String, u64)> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path).map_err(read_error(path))?;
    let (mut hash, mut buf, mut size) = (Sha256::new(), vec![0u8; 1 << 16], 0u64);
    loop {
        let n = file.read(&mut buf).map_err(read_error(path))?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hash.finalize().iter().map(|b| format!("{b:02x}")).collect(), size))
}

/// Check every output a folder's manifest lists against its recorded size and SHA-256, and that
/// each of `required` is listed; the problem names the first file that does not match.
pub fn verify(dir: &Path, required: &[&str]) -> Result<()> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::input(
            &path,
            "",
            None,
            format!("cannot read: {e}"),
            "the manifest.json of a finished raphe run",
        )
    })?;
    let manifest: Value = serde_json::from_str(&text).map_err(|e| {
        Error::input(&path, "", Some(e.line()), format!("not JSON: {e}"), "a manifest raphe wrote")
    })?;
    let Some(outputs) = manifest["outputs"].as_array() else {
        return Err(Error::input(
            &path,
            "outputs",
            None,
            "lists no outputs to check",
            "a manifest of raphe 0.1 or later",
        ));
    };
    for r in required {
        if !outputs.iter().any(|o| o["name"].as_str() == Some(r)) {
            return Err(Error::input(
                &path,
                "outputs",
                None,
                format!("does not list {r}"),
                format!("a manifest listing {}", required.join(", ")),
            ));
        }
    }
    for o in outputs {
        let (Some(name), Some(sha), Some(bytes)) =
            (o["name"].as_str(), o["sha256"].as_str(), o["bytes"].as_u64())
        else {
            return Err(Error::input(
                &path,
                "outputs",
                None,
                format!("malformed entry {o}"),
                "{name, bytes, sha256}",
            ));
        };
        if !is_output_name(name) {
            return Err(Error::input(
                &path,
                "outputs",
                None,
                format!("`{name}` is not an output name"),
                "names raphe writes, inside the folder",
            ));
        }
        let file = dir.join(name);
        if !file.is_file() {
            return Err(Error::input(
                &path,
                "outputs",
                None,
                format!("{name} is listed but not a file"),
                "every listed file present",
            ));
        }
        let (actual, size) = file_digest(&file).map_err(|_| {
            Error::input(
                &path,
                "outputs",
                None,
                format!("{name} is listed but missing"),
                "every listed file present",
            )
        })?;
        if size != bytes || actual != sha {
            return Err(Error::input(
                &file,
                "",
                None,
                format!("does not match its manifest ({size} bytes, SHA-256 {actual}; manifest: {bytes} bytes, {sha})"),
                "the file exactly as raphe wrote it (rerun the command that made it)",
            ));
        }
    }
    Ok(())
}

impl Transaction {
    /// Begin writing `kind`'s outputs into `dir` (existing, locked by the caller). Removes
    /// temporary files and the remains of a cut-short commit. A folder that holds another
    /// command's results, or files this command would overwrite without a manifest saying
    /// raphe wrote them, is refused unless `force`.
    pub fn begin(dir: &Path, kind: &'static str, force: bool) -> Result<Transaction> {
        debug_assert!(known_outputs(kind).iter().all(|n| !n.is_empty()), "unknown kind {kind}");
        remove_temporaries(dir)?;
        finish_cut_publishing(dir)?;
        finish_cut_commit(dir)?;
        let previous = match committed(dir) {
            // With --force, a manifest raphe cannot read is replaced like any other.
            Err(_) if force => None,
            other => other?,
        };
        let refuse = |problem: String| {
            Err(Error::OutputFolder {
                dir: dir.to_path_buf(),
                problem,
                allowed: "another --out, or --force to replace them".into(),
            })
        };
        match &previous {
            Some(p) if p.kind != kind && !force => {
                return refuse(format!(
                    "holds the results of `raphe {}` ({}), not of `raphe {kind}`",
                    p.kind,
                    p.outputs.join(", ")
                ))
            }
            None if !force => {
                let clash: Vec<&str> =
                    known_outputs(kind).iter().copied().filter(|n| dir.join(n).exists()).collect();
                if !clash.is_empty() {
                    return refuse(format!(
                        "has {} but no manifest.json saying raphe wrote them",
                        clash.join(", ")
                    ));
                }
            }
            _ => {}
        }
        Ok(Transaction { dir: dir.to_path_buf(), kind, staged: Vec::new(), previous, committed: false })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The temporary path for output `name` (relative to the folder; a `figures/` name is
    /// allowed): write it there, completely, before [`Transaction::commit`].
    pub fn stage(&mut self, name: &str) -> Result<PathBuf> {
        let final_path = self.dir.join(name);
        let parent = final_path.parent().expect("an output has a folder").to_path_buf();
        std::fs::create_dir_all(&parent).map_err(io_error(&parent))?;
        let file = final_path.file_name().and_then(|n| n.to_str()).expect("output names are UTF-8");
        let tmp = parent.join(format!(".{file}.tmp-{}", std::process::id()));
        self.staged.retain(|s| s.name != name);
        self.staged.push(Staged { name: name.to_string(), tmp: tmp.clone() });
        Ok(tmp)
    }

    /// Where a staged output is being written (to read it back before the commit).
    pub fn staged_path(&self, name: &str) -> Option<&Path> {
        self.staged.iter().find(|s| s.name == name).map(|s| s.tmp.as_path())
    }

    /// Stage output `name` with the given contents, flushed to disk.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
        let tmp = self.stage(name)?;
        let final_path = self.dir.join(name);
        let mut f = std::fs::File::create(&tmp).map_err(io_error(&final_path))?;
        f.write_all(bytes).and_then(|()| f.sync_all()).map_err(io_error(&final_path))
    }

    /// Publish the staged outputs: list them (name, bytes, SHA-256) and this command's kind in
    /// `manifest`, remove what the folder held before, rename every staged file into place and
    /// write the manifest last.
    pub fn commit(mut self, mut manifest: Value) -> Result<Vec<String>> {
        let mut outputs = Vec::new();
        for s in &self.staged {
            let final_path = self.dir.join(&s.name);
            let sync = std::fs::File::open(&s.tmp).and_then(|f| f.sync_all());
            sync.map_err(io_error(&final_path))?;
            let (sha256, bytes) = file_digest(&s.tmp)?;
            outputs.push(json!({"name": s.name, "bytes": bytes, "sha256": sha256}));
        }
        manifest["kind"] = json!(self.kind);
        manifest["outputs"] = json!(outputs);
        let text = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
        let names: Vec<String> = self.staged.iter().map(|s| s.name.clone()).collect();
        let old: Vec<String> =
            self.previous.iter().flat_map(|p| p.outputs.clone()).filter(|n| is_output_name(n)).collect();
        let mut touched: Vec<&String> = names.iter().chain(&old).collect();
        touched.sort();
        touched.dedup();
        super::atomic::write(
            &self.dir.join(COMMITTING),
            serde_json::to_string(&touched).unwrap().as_bytes(),
        )?;
        remove_if_present(&self.dir.join(MANIFEST))?;
        for name in old.iter().filter(|o| !names.contains(o)) {
            remove_if_present(&self.dir.join(name))?;
        }
        for s in &self.staged {
            let final_path = self.dir.join(&s.name);
            std::fs::rename(&s.tmp, &final_path).map_err(io_error(&final_path))?;
        }
        super::atomic::write(&self.dir.join(MANIFEST), text.as_bytes())?;
        remove_if_present(&self.dir.join(COMMITTING))?;
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        self.committed = true;
        Ok(names)
    }
}

/// A staging folder for figures drawn from a folder's committed results; publish them with
/// [`publish_figures`]. A run killed while drawing leaves it, and the next command removes it.
pub fn figure_staging(dir: &Path) -> Result<PathBuf> {
    let staging = dir.join(format!(".figures.tmp-{}", std::process::id()));
    std::fs::create_dir_all(&staging).map_err(io_error(&staging))?;
    Ok(staging)
}

/// Written while figures move into `figures/`: their names, so a cut-short move is undone.
const PUBLISHING: &str = ".raphe-figures";

/// Move figures drawn into `staging` to `DIR/figures/` and add them to the manifest: the names
/// are recorded first (`.raphe-figures`), then moved, then listed in the manifest, then the
/// record goes. Cut short, the next command removes the figures the manifest does not list.
pub fn publish_figures(dir: &Path, staging: &Path, drawn: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let figures = dir.join("figures");
    std::fs::create_dir_all(&figures).map_err(io_error(&figures))?;
    let names: Vec<String> = drawn
        .iter()
        .filter_map(|f| f.file_name().and_then(|n| n.to_str()))
        .map(|n| format!("figures/{n}"))
        .collect();
    super::atomic::write(
        &dir.join(PUBLISHING),
        serde_json::to_string(&names).expect("serialises").as_bytes(),
    )?;
    let mut published = Vec::new();
    for (file, name) in drawn.iter().zip(&names) {
        let target = dir.join(name);
        std::fs::rename(file, &target).map_err(io_error(&target))?;
        published.push(target);
    }
    record_outputs(dir, &published)?;
    remove_if_present(&dir.join(PUBLISHING))?;
    let _ = std::fs::remove_dir_all(staging);
    Ok(published)
}

/// Undo a figure move cut short: figures it named that the manifest does not list go.
fn finish_cut_publishing(dir: &Path) -> Result<()> {
    let marker = dir.join(PUBLISHING);
    let Ok(text) = std::fs::read_to_string(&marker) else { return Ok(()) };
    let names: Vec<String> = serde_json::from_str(&text).unwrap_or_default();
    let listed = committed(dir).ok().flatten().map(|c| c.outputs).unwrap_or_default();
    for name in names.iter().filter(|n| is_output_name(n) && !listed.contains(n)) {
        remove_if_present(&dir.join(name))?;
    }
    remove_if_present(&marker)
}

/// Add outputs written after the commit (figures drawn from the committed results) to the
/// folder's manifest, so the next command replacing the folder removes them too.
fn record_outputs(dir: &Path, files: &[PathBuf]) -> Result<()> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(read_error(&path))?;
    let mut manifest: Value = serde_json::from_str(&text).map_err(|e| {
        Error::input(&path, "", Some(e.line()), format!("not JSON: {e}"), "a manifest raphe wrote")
    })?;
    let mut outputs = manifest["outputs"].as_array().cloned().unwrap_or_default();
    for file in files {
        let Ok(relative) = file.strip_prefix(dir) else { continue };
        let name =
            relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let (sha256, bytes) = file_digest(file)?;
        outputs.retain(|o| o["name"] != json!(name));
        outputs.push(json!({"name": name, "bytes": bytes, "sha256": sha256}));
    }
    manifest["outputs"] = json!(outputs);
    super::atomic::write(&path, serde_json::to_string_pretty(&manifest).expect("serialises").as_bytes())
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(path)(e)),
        _ => Ok(()),
    }
}

/// A commit cut short left its marker: every name it lists is raphe's (new or replaced
/// outputs), and none of them is committed any more, so remove them all.
fn finish_cut_commit(dir: &Path) -> Result<()> {
    let marker = dir.join(COMMITTING);
    let Ok(text) = std::fs::read_to_string(&marker) else { return Ok(()) };
    // A manifest beside the marker is either the old one (the commit was cut before it removed
    // it: nothing was renamed yet) or the new one (cut after it was written): in both cases
    // the folder is whole and only the marker goes.
    if !dir.join(MANIFEST).exists() {
        let names: Vec<String> = serde_json::from_str(&text).unwrap_or_default();
        for name in names.iter().filter(|n| is_output_name(n)) {
            remove_if_present(&dir.join(name))?;
        }
    }
    remove_if_present(&marker)
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if !self.committed {
            for s in &self.staged {
                let _ = std::fs::remove_file(&s.tmp);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    }

    #[test]
    fn nothing_is_published_before_the_commit_and_everything_after() {
        let dir = tempfile::tempdir().unwrap();
        let mut tx = Transaction::begin(dir.path(), "simulate", false).unwrap();
        tx.write("summary.json", b"{}").unwrap();
        tx.write("trajectory.csv", b"day\n0\n").unwrap();
        assert!(!dir.path().join("summary.json").exists() && !dir.path().join(MANIFEST).exists());
        tx.commit(json!({})).unwrap();
        assert_eq!(files(dir.path()), ["manifest.json", "summary.json", "trajectory.csv"]);
        verify(dir.path(), &[]).unwrap();
        std::fs::write(dir.path().join("trajectory.csv"), "day\n1\n").unwrap();
        assert!(verify(dir.path(), &[]).unwrap_err().to_string().contains("does not match its manifest"));
    }

    #[test]
    fn a_dropped_transaction_leaves_the_folder_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut tx = Transaction::begin(dir.path(), "sweep", false).unwrap();
        tx.write("runs.csv", b"run\n").unwrap();
        drop(tx);
        assert!(files(dir.path()).is_empty());
    }

    #[test]
    fn a_write_that_fails_midway_publishes_nothing_and_leaves_no_temporary() {
        // As on a full disk: the first output is staged, the second cannot be written.
        let dir = tempfile::tempdir().unwrap();
        let mut tx = Transaction::begin(dir.path(), "simulate", false).unwrap();
        tx.write("trajectory.csv", b"day\n0\n").unwrap();
        let blocked = tx.stage("summary.json").unwrap();
        std::fs::create_dir(&blocked).unwrap();
        assert!(tx.write("summary.json", b"{}").is_err());
        drop(tx);
        std::fs::remove_dir(&blocked).unwrap();
        assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
    }

    #[test]
    fn a_rerun_replaces_every_old_output_and_another_command_needs_force() {
        let dir = tempfile::tempdir().unwrap();
        let mut tx = Transaction::begin(dir.path(), "sensitivity", false).unwrap();
        tx.write("runs.csv", b"a").unwrap();
        tx.write("sensitivity.csv", b"b").unwrap();
        tx.commit(json!({})).unwrap();
        let refused = Transaction::begin(dir.path(), "sweep", false).err().unwrap().to_string();
        assert!(refused.contains("raphe sensitivity") && refused.contains("--force"), "{refused}");
        let mut tx = Transaction::begin(dir.path(), "sweep", true).unwrap();
        tx.write("runs.csv", b"c").unwrap();
        tx.commit(json!({})).unwrap();
        assert_eq!(files(dir.path()), ["manifest.json", "runs.csv"], "the old sensitivity.csv must go");
    }

    #[test]
    fn leftovers_of_a_killed_run_are_cleaned_and_unlisted_files_are_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".runs.parquet.tmp-99999"), "x").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        Transaction::begin(dir.path(), "sweep", false).unwrap();
        assert_eq!(files(dir.path()), ["notes.txt"]);
        std::fs::write(dir.path().join("summary.json"), "mine").unwrap();
        let refused = Transaction::begin(dir.path(), "simulate", false).err().unwrap().to_string();
        assert!(refused.contains("summary.json") && refused.contains("no manifest"), "{refused}");
    }

    #[test]
    fn a_commit_cut_after_its_manifest_keeps_the_folder_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut tx = Transaction::begin(dir.path(), "sweep", false).unwrap();
        tx.write("runs.csv", b"run\n").unwrap();
        tx.commit(json!({})).unwrap();
        std::fs::write(dir.path().join(COMMITTING), r#"["runs.csv"]"#).unwrap();
        Transaction::begin(dir.path(), "sweep", false).unwrap();
        assert_eq!(files(dir.path()), ["manifest.json", "runs.csv"]);
        verify(dir.path(), &["runs.csv"]).unwrap();
    }

    #[test]
    fn a_tampered_manifest_cannot_reach_outside_the_folder() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("out");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(parent.path().join("victim.txt"), "keep").unwrap();
        let victim = parent.path().join("victim.txt").display().to_string();
        let manifest = json!({"kind": "sweep", "outputs": [{"name": "../victim.txt"}, {"name": victim}]});
        std::fs::write(dir.join(MANIFEST), manifest.to_string()).unwrap();
        let mut tx = Transaction::begin(&dir, "sweep", false).unwrap();
        tx.write("runs.csv", b"run\n").unwrap();
        tx.commit(json!({})).unwrap();
        std::fs::write(dir.join(COMMITTING), serde_json::to_string(&[&victim, "../victim.txt"]).unwrap())
            .unwrap();
        std::fs::remove_file(dir.join(MANIFEST)).unwrap();
        Transaction::begin(&dir, "sweep", true).unwrap();
        assert!(parent.path().join("victim.txt").exists());
        assert!(!is_output_name("../x") && !is_output_name("/tmp/x") && !is_output_name("notes.txt"));
        assert!(is_output_name("figures/course.svg") && is_output_name("arms/a/summary.json"));
        assert!(
            is_temporary(".runs.csv.tmp-123")
                && !is_temporary(".draft.tmp")
                && !is_temporary(".x.tmp-backup")
        );
    }

    #[test]
    fn a_commit_cut_between_renames_is_removed_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("runs.csv"), "half").unwrap();
        std::fs::write(dir.path().join(COMMITTING), r#"["runs.csv","runs.parquet"]"#).unwrap();
        Transaction::begin(dir.path(), "sweep", false).unwrap();
        assert!(files(dir.path()).is_empty());
    }
}
