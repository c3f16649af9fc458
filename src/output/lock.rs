//! One writer per output folder: an advisory lock on `DIR/.raphe.lock`, taken with the kernel's
//! file lock (`flock`), so a killed run releases it at once and two runs starting together
//! cannot both hold it. The file records the holder's pid, host and command line, so a second
//! raphe on the same folder is refused at once and told who holds it. It is removed when the
//! holder ends; a run that opened it just before is told by its inode that it locked a file no
//! longer in place, and tries again.

use crate::error::{Error, Result};
use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Name of the lock file inside an output folder.
pub const LOCK_FILE: &str = ".raphe.lock";

/// Held while a command writes into its folder; released on drop.
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
    file: File,
}

/// This machine's name, for the lock's holder (on a cluster, pids of other nodes mean nothing).
fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this machine".into())
}

/// Whether `file` is the file `path` names now (not one removed since it was opened).
fn in_place(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

impl FolderLock {
    /// Take the lock of `dir` (which must exist) for `command`.
    pub fn acquire(dir: &Path, command: &str) -> Result<FolderLock> {
        let path = dir.join(LOCK_FILE);
        let fail = |cause| Error::Output { path: path.clone(), cause };
        for _ in 0..8 {
            let mut file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(fail)?;
            match file.try_lock() {
                Ok(()) if in_place(&file, &path) => {
                    file.set_len(0).map_err(fail)?;
                    write!(file, "{}\n{}\n{command}\n", std::process::id(), host()).map_err(fail)?;
                    return Ok(FolderLock { path, file });
                }
                // The holder removed the file as it ended: lock the one in place now.
                Ok(()) => continue,
                Err(TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
                    let mut lines = text.lines();
                    let pid = lines.next().unwrap_or("?").trim().to_string();
                    let on = lines.next().unwrap_or("?").trim().to_string();
                    let holder = lines.next().unwrap_or("raphe").to_string();
                    return Err(Error::input(
                        dir,
                        "--out",
                        None,
                        format!("the folder is being written by another raphe (pid {pid} on {on}: {holder})"),
                        "a folder no other raphe is writing: wait for it, or choose another --out",
                    ));
                }
                Err(TryLockError::Error(cause)) => return Err(fail(cause)),
            }
        }
        Err(fail(std::io::Error::other("the lock file kept being replaced while taking it")))
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Only our own file: never one another run has put in place since.
        if in_place(&self.file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_refuses_a_second_writer_by_name_and_a_file_without_holder_is_taken() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        // Taken and released on drop.
        drop(FolderLock::acquire(dir, "raphe first").unwrap());
        assert!(!dir.join(LOCK_FILE).exists());
        // A live holder (a lock is per open file, so this process can hold one against itself).
        let held = FolderLock::acquire(dir, "raphe sweep other.toml").unwrap();
        let err = FolderLock::acquire(dir, "raphe second").unwrap_err().to_string();
        let pid = std::process::id().to_string();
        assert!(err.contains(&format!("pid {pid}")) && err.contains("raphe sweep other.toml"), "{err}");
        drop(held);
        // A lock file left by a killed run holds no kernel lock: taken over, released on drop.
        std::fs::write(dir.join(LOCK_FILE), "4294967294\nnode7\nraphe killed\n").unwrap();
        let lock = FolderLock::acquire(dir, "raphe third").unwrap();
        assert!(std::fs::read_to_string(dir.join(LOCK_FILE)).unwrap().contains("raphe third"));
        drop(lock);
        assert!(!dir.join(LOCK_FILE).exists());
    }
}
