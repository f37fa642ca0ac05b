//! Installing the pinned typst when none is found: `cargo install` into factsheet's
//! cache, once per machine, with a file lock so that two builds do not compile it
//! twice. [`resolve`] is what a build calls: typst as [`super::typst::find`] finds
//! it, else installed.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};

use super::typst::{
    Origin, PINNED_VERSION, TESTED_RANGE, Typst, TypstRequest, cache_dir, checked, find,
    pinned_binary, pinned_root, version_of,
};
use crate::error::{Error, Result};

/// Finds typst, or installs the pinned version into the cache (unless the request forbids it).
pub fn resolve(req: &TypstRequest) -> Result<Typst> {
    if let Some(t) = find(req)? {
        return Ok(t);
    }
    let cache = cache_dir().ok_or_else(|| {
        Error::Typst(format!(
            "typst was not found and there is no cache folder to install it into (set FACTSHEET_CACHE_DIR or HOME).\n{}",
            manual_steps(Path::new("<DIR>"))
        ))
    })?;
    if !req.provision {
        return Err(Error::Typst(format!(
            "typst was not found, and installing it is switched off (--no-provision / FACTSHEET_NO_PROVISION).\n\
             Looked for: --typst / FACTSHEET_TYPST (not set), `typst` on PATH, {}.\n{}",
            pinned_binary(&cache).display(),
            manual_steps(&pinned_root(&cache))
        )));
    }
    provision(&cache)
}

/// The command that installs the pinned typst into `root`.
pub fn install_command(root: &Path) -> String {
    format!(
        "cargo install --locked typst-cli@{PINNED_VERSION} --no-default-features --features embedded-fonts --root {}",
        root.display()
    )
}

/// What to do by hand when typst is missing.
pub fn manual_steps(root: &Path) -> String {
    format!(
        "To install typst {PINNED_VERSION} by hand (once per machine; it compiles from source, about 20 minutes on 2 cores):\n  \
         {}\n\
         or put a typst {TESTED_RANGE} binary on PATH (https://github.com/typst/typst/releases), \
         or pass --typst PATH / set FACTSHEET_TYPST=PATH.",
        install_command(root)
    )
}

/// Installs the pinned typst into `<cache>/typst-<version>` with `cargo install`,
/// telling the user what runs and that it takes a while.
pub fn provision(cache: &Path) -> Result<Typst> {
    std::fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    let _lock = lock_install(cache)?;
    // Another process may have finished the install while we waited for the lock.
    let bin = pinned_binary(cache);
    if bin.is_file()
        && let Ok(v) = version_of(&bin)
    {
        return Ok(checked(bin, v, Origin::Cache));
    }
    let root = pinned_root(cache);
    let staging = cache.join(format!("typst-{PINNED_VERSION}.partial"));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    eprintln!(
        "typst was not found (not given by --typst or FACTSHEET_TYPST, not on PATH, not in {}).\n\
         Installing typst {PINNED_VERSION} for this machine with:\n  {}\n\
         This compiles typst from source: the first time takes about 20 minutes on 2 cores; later builds reuse it.\n\
         (To stop this, pass --no-provision or set FACTSHEET_NO_PROVISION=1; or pass --typst PATH.)",
        root.display(),
        install_command(&root)
    );
    let failed = |why: String| {
        let _ = std::fs::remove_dir_all(&staging);
        Error::Typst(format!(
            "installing typst {PINNED_VERSION} failed: {why}\n{}",
            manual_steps(&root)
        ))
    };
    cargo_install(cache, &staging).map_err(failed)?;
    if root.exists() {
        std::fs::remove_dir_all(&root).map_err(|e| Error::io(&root, e))?;
    }
    // The pinned path appears only complete: an interrupted install leaves just `.partial`.
    std::fs::rename(&staging, &root).map_err(|e| Error::io(&root, e))?;
    let version = version_of(&bin).map_err(failed)?;
    eprintln!("Installed typst {version} at {}.", bin.display());
    Ok(checked(bin, version, Origin::Provisioned))
}

/// Runs `cargo install` of the pinned typst into `root` (its `--root`), with
/// cargo's progress on stderr; why it failed, if it did.
fn cargo_install(cache: &Path, root: &Path) -> std::result::Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(&cargo)
        .args([
            "install",
            "--locked",
            &format!("typst-cli@{PINNED_VERSION}"),
            "--no-default-features",
            "--features",
            "embedded-fonts",
            "--root",
        ])
        .arg(root)
        .current_dir(cache)
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()))
        .status();
    match status {
        Err(e) => Err(format!("cannot run {}: {e}", Path::new(&cargo).display())),
        Ok(s) if !s.success() => Err(format!("cargo install exited with {s}")),
        Ok(_) => Ok(()),
    }
}

/// Holds the install lock: an exclusive lock on `<cache>/typst-<version>.lock`, taken
/// with [`File::lock`] and released when the file is closed, by drop or by the
/// process ending (a killed build leaves no stale lock). The file itself stays: one
/// removed while another build waits on it would let a third lock a new one.
fn lock_install(cache: &Path) -> Result<File> {
    let path = cache.join(format!("typst-{PINNED_VERSION}.lock"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => eprintln!(
            "Waiting for another factsheet that is installing typst (lock file {}).",
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
    }
    file.lock().map_err(|e| Error::io(&path, e))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_install_waits_for_the_lock_and_a_dropped_lock_frees_it() {
        let cache = tempfile::tempdir().unwrap();
        let first = lock_install(cache.path()).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let dir = cache.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            let second = lock_install(&dir).unwrap();
            tx.send(()).unwrap();
            drop(second);
        });
        let wait = std::time::Duration::from_millis(300);
        assert!(rx.recv_timeout(wait).is_err(), "the lock did not hold");
        drop(first);
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("the lock was not released");
        waiter.join().unwrap();
        // Nothing is left but the lock file, and it can be taken again at once.
        assert!(lock_install(cache.path()).is_ok());
    }
}
