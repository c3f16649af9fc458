//! One writer per output folder: an advisory lock file, `DIR/.raphe.lock`, created atomically
//! (create-new) with the holder's pid and command line, removed when the command ends. A
//! second raphe on the same folder is refused at once and told who holds it; a lock whose
//! process is gone (a killed run) is taken over.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the lock file inside an output folder.
pub const LOCK_FILE: &str = ".raphe.lock";

/// Held while a command writes into its folder; released on drop.
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
}

/// Whether process `pid` is running (Linux: /proc; elsewhere assume it is).
fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

impl FolderLock {
    /// Take the lock of `dir` (which must exist) for `command`.
    pub fn acquire(dir: &Path, command: &str) -> Result<FolderLock> {
        let path = dir.join(LOCK_FILE);
        for _ in 0..2 {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}\n{command}", std::process::id());
                    return Ok(FolderLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    let mut lines = text.lines();
                    let pid = lines.next().and_then(|l| l.trim().parse::<u32>().ok());
                    let holder = lines.next().unwrap_or("raphe").to_string();
                    match pid {
                        Some(pid) if pid != std::process::id() && alive(pid) => {
                            return Err(Error::input(
                                dir,
                                "--out",
                                None,
                                format!("the folder is being written by another raphe (pid {pid}: {holder})"),
                                "a folder no other raphe is writing: wait for it, or choose another --out",
                            ));
                        }
                        // A lock left by a run that is gone (or unreadable): take it over.
                        _ => {
                            let _ = std::fs::remove_file(&path);
                        }
                    }
                }
                Err(cause) => return Err(Error::Output { path, cause }),
            }
        }
        Err(Error::Output { path, cause: std::io::Error::other("cannot take the folder lock") })
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_holder_refuses_a_second_writer_and_a_dead_one_is_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        // Taken and released on drop.
        drop(FolderLock::acquire(dir, "raphe first").unwrap());
        assert!(!dir.join(LOCK_FILE).exists());
        // A live holder of another pid (pid 1 always runs on Linux): refused, and named.
        std::fs::write(dir.join(LOCK_FILE), "1\nraphe sweep other.toml\n").unwrap();
        if cfg!(target_os = "linux") {
            let err = FolderLock::acquire(dir, "raphe second").unwrap_err().to_string();
            assert!(err.contains("pid 1") && err.contains("raphe sweep other.toml"), "{err}");
        }
        // A holder that is gone: taken over, and released on drop.
        std::fs::write(dir.join(LOCK_FILE), "4294967294\nraphe killed\n").unwrap();
        let lock = FolderLock::acquire(dir, "raphe third").unwrap();
        assert!(std::fs::read_to_string(dir.join(LOCK_FILE)).unwrap().contains("raphe third"));
        drop(lock);
        assert!(!dir.join(LOCK_FILE).exists());
    }
}
