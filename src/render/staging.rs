//! Writing a build's outputs as one set: into a staging folder next to
//! `out/<summit>/`, then swapped in whole, so that a failed or interrupted build
//! leaves the previous set as it was.
//!
//! One build of a summit at a time holds `out/.<summit>.lock` ([`File::lock`]; the
//! kernel releases it when the process ends, however it ends). The staging folder is
//! a [`tempfile`] folder `out/.<summit>.build-XXXXXX/` holding the new set (`set/`),
//! removed when dropped; one left by a killed build is removed by the next build of
//! the summit, which may do so because it holds the lock.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What staging folders of a summit `s` are called: `.s.build-XXXXXX`.
const STAGING_MARK: &str = ".build-";

/// A build's staging folder, removed when dropped (after a swap it holds the previous
/// set), and the lock on the summit's outputs.
pub(super) struct Staging {
    tmp: tempfile::TempDir,
    _lock: File,
}

impl Staging {
    /// Takes the lock on `out_dir`'s outputs (waiting for another build of the same
    /// summit to finish), removes what killed builds left, and makes a staging folder.
    pub(super) fn create(out_dir: &Path) -> Result<Self> {
        let (parent, name) = parent_and_name(out_dir)?;
        let lock = lock(&parent.join(format!(".{name}.lock")))?;
        remove_abandoned(&parent, &name, out_dir);
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}{STAGING_MARK}"))
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        let set = tmp.path().join("set");
        std::fs::create_dir(&set).map_err(|e| Error::io(&set, e))?;
        Ok(Staging { tmp, _lock: lock })
    }

    /// The folder the new set is written into.
    pub(super) fn dir(&self) -> PathBuf {
        self.tmp.path().join("set")
    }

    /// Replaces `out_dir` by the new set (see [`swap_in`]).
    pub(super) fn swap_into(&self, out_dir: &Path) -> Result<()> {
        swap_in(
            &self.dir(),
            out_dir,
            &self.tmp.path().join("previous"),
            &Moves::REAL,
        )
    }
}

/// An exclusive lock on `path` (created when missing), held until the file is closed.
fn lock(path: &Path) -> Result<File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.lock().map_err(|e| Error::io(path, e))?;
    Ok(file)
}

pub(super) fn parent_and_name(out_dir: &Path) -> Result<(PathBuf, String)> {
    let absolute = std::path::absolute(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(p), Some(n)) => Ok((p.to_path_buf(), n.to_string_lossy().into_owned())),
        _ => Err(Error::Failed(format!(
            "{}: an output folder needs a parent folder",
            out_dir.display()
        ))),
    }
}

/// How folders are moved: `exchange` swaps two folders in one step, `rename` moves
/// one (a test makes them fail).
pub(super) struct Moves<'a> {
    pub(super) exchange: &'a dyn Fn(&Path, &Path) -> std::io::Result<()>,
    pub(super) rename: &'a dyn Fn(&Path, &Path) -> std::io::Result<()>,
}

impl Moves<'_> {
    /// The file system's own moves.
    pub(super) const REAL: Moves<'static> = Moves {
        exchange: &exchange,
        rename: &rename,
    };
}

fn rename(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::rename(from, to)
}

/// Replaces `out_dir` by `set` as one set. On Linux the two folders are exchanged
/// atomically (`renameat2(RENAME_EXCHANGE)`), so `set` then holds the previous set;
/// elsewhere, or where the file system cannot exchange, the previous set is first moved
/// to `aside`, and moved back if the new one cannot be put in its place.
pub(super) fn swap_in(set: &Path, out_dir: &Path, aside: &Path, moves: &Moves) -> Result<()> {
    if std::fs::symlink_metadata(out_dir).is_err() {
        return (moves.rename)(set, out_dir).map_err(|e| Error::io(out_dir, e));
    }
    if (moves.exchange)(set, out_dir).is_ok() {
        return Ok(());
    }
    (moves.rename)(out_dir, aside).map_err(|e| Error::io(out_dir, e))?;
    if let Err(e) = (moves.rename)(set, out_dir) {
        // Put the previous set back; if even that fails, say where it is.
        return Err(match (moves.rename)(aside, out_dir) {
            Ok(()) => Error::io(out_dir, e),
            Err(back) => Error::Failed(format!(
                "{}: cannot put the new outputs in place ({e}) nor the previous ones back ({back}); they are in {}",
                out_dir.display(),
                aside.display()
            )),
        });
    }
    // The staging folder's owner removes the previous set with it.
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
pub(super) fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE as _,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(super) fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Removes what killed builds of `out_dir` left next to it (called with the lock held,
/// so no other build is using them): their staging folders go, and a previous set that
/// was moved aside comes back if nothing took its place. Folders named by the process
/// id by earlier versions (`.s.build-<pid>`, `.s.old-<pid>`) go the same way.
fn remove_abandoned(parent: &Path, name: &str, out_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}");
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let path = entry.path();
        let previous = if rest.starts_with(STAGING_MARK) {
            path.join("previous")
        } else if rest.starts_with(".old-") {
            path.clone()
        } else {
            continue;
        };
        if previous.is_dir() && std::fs::symlink_metadata(out_dir).is_err() {
            let _ = std::fs::rename(&previous, out_dir);
        }
        let _ = std::fs::remove_dir_all(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 2] = ["facts.json", "factsheet.pdf"];

    fn set(dir: &Path, tag: &str) {
        std::fs::create_dir_all(dir).unwrap();
        for name in NAMES {
            std::fs::write(dir.join(name), tag).unwrap();
        }
    }

    fn tags(dir: &Path) -> Vec<String> {
        NAMES
            .iter()
            .map(|n| std::fs::read_to_string(dir.join(n)).unwrap_or_default())
            .collect()
    }

    #[test]
    fn a_rename_that_fails_mid_swap_leaves_the_previous_set() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, staging) = (tmp.path().join("s"), tmp.path().join(".s.build-1"));
        let (new, aside) = (staging.join("set"), staging.join("previous"));
        set(&out, "old");
        set(&new, "new");
        let no_exchange = |_: &Path, _: &Path| Err(std::io::Error::other("unsupported"));
        // The first rename (previous set aside) works, the second (new set in) fails.
        let calls = std::cell::Cell::new(0);
        let failing = |a: &Path, b: &Path| {
            calls.set(calls.get() + 1);
            if calls.get() == 2 {
                return Err(std::io::Error::other("disk on fire"));
            }
            std::fs::rename(a, b)
        };
        let moves = Moves {
            exchange: &no_exchange,
            rename: &failing,
        };
        let err = swap_in(&new, &out, &aside, &moves).unwrap_err();
        assert_eq!(err.to_string(), format!("{}: disk on fire", out.display()));
        assert_eq!(tags(&out), ["old"; 2]);
        assert_eq!(calls.get(), 3, "the previous set was moved back");
        // Without failures the new set replaces the old one whole; the previous set
        // waits in the staging folder, which goes with it.
        let moves = Moves {
            exchange: &no_exchange,
            rename: &rename,
        };
        swap_in(&new, &out, &aside, &moves).unwrap();
        assert_eq!(tags(&out), ["new"; 2]);
        assert_eq!(tags(&aside), ["old"; 2]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn folders_are_exchanged_in_one_step() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, new) = (tmp.path().join("s"), tmp.path().join(".s.build-1/set"));
        set(&out, "old");
        set(&new, "new");
        let never = |_: &Path, _: &Path| -> std::io::Result<()> { panic!("no rename needed") };
        let moves = Moves {
            exchange: &exchange,
            rename: &never,
        };
        swap_in(&new, &out, &tmp.path().join("unused"), &moves).unwrap();
        assert_eq!(tags(&out), ["new"; 2]);
        assert_eq!(tags(&new), ["old"; 2]);
    }

    #[test]
    fn what_a_killed_build_left_is_cleaned_up_and_a_set_moved_aside_comes_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("s");
        // Killed between moving the previous set aside and putting the new one in.
        set(&tmp.path().join(".s.build-abc123/previous"), "old");
        set(&tmp.path().join(".s.build-abc123/set"), "new");
        set(&tmp.path().join(".s.old-4242"), "older");
        set(&tmp.path().join(".other.build-1"), "another summit's");
        let staging = Staging::create(&out).unwrap();
        assert_eq!(tags(&out), ["old"; 2]);
        let names = || {
            let mut n: Vec<String> = std::fs::read_dir(tmp.path())
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            n.sort();
            n
        };
        let own = staging.tmp.path().file_name().unwrap().to_string_lossy();
        let others: Vec<String> = names().into_iter().filter(|n| *n != own).collect();
        assert_eq!(others, [".other.build-1", ".s.lock", "s"]);
        drop(staging);
        assert_eq!(names(), [".other.build-1", ".s.lock", "s"]);
    }
}
