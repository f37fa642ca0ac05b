//! Installing the pinned typst when none is found: `cargo install` into factsheet's
//! cache, once per machine, with a lock so that two builds do not compile it twice.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use super::typst::{
    Origin, PINNED_VERSION, TESTED_RANGE, Typst, checked, pinned_binary, pinned_root, version_of,
};
use crate::error::{Error, Result};

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
    let _lock = InstallLock::acquire(cache)?;
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
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "typst was not found (not given by --typst or FACTSHEET_TYPST, not on PATH, not in {}).\n\
         Installing typst {PINNED_VERSION} for this machine with:\n  {}\n\
         This compiles typst from source: the first time takes about 20 minutes on 2 cores; later builds reuse it.\n\
         (To stop this, pass --no-provision or set FACTSHEET_NO_PROVISION=1; or pass --typst PATH.)",
        root.display(),
        install_command(&root)
    );
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
        .arg(&staging)
        .current_dir(cache)
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()))
        .status();
    let failed = |why: String| {
        let _ = std::fs::remove_dir_all(&staging);
        Error::Typst(format!(
            "installing typst {PINNED_VERSION} failed: {why}\n{}",
            manual_steps(&root)
        ))
    };
    match status {
        Err(e) => {
            return Err(failed(format!(
                "cannot run {}: {e}",
                Path::new(&cargo).display()
            )));
        }
        Ok(s) if !s.success() => return Err(failed(format!("cargo install exited with {s}"))),
        Ok(_) => {}
    }
    if root.exists() {
        std::fs::remove_dir_all(&root).map_err(|e| Error::io(&root, e))?;
    }
    // The pinned path appears only complete: an interrupted install leaves just `.partial`.
    std::fs::rename(&staging, &root).map_err(|e| Error::io(&root, e))?;
    let version = version_of(&bin).map_err(failed)?;
    eprintln!("Installed typst {version} at {}.", bin.display());
    Ok(checked(bin, version, Origin::Provisioned))
}

/// A lock file so that two builds do not compile typst at the same time.
struct InstallLock {
    path: PathBuf,
}

impl InstallLock {
    fn acquire(cache: &Path) -> Result<Self> {
        let path = cache.join(format!("typst-{PINNED_VERSION}.lock"));
        let mut told = false;
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    use std::io::Write;
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(InstallLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if lock_is_stale(&path) {
                        let _ = std::fs::remove_file(&path);
                        continue;
                    }
                    if !told {
                        eprintln!(
                            "Waiting for another factsheet that is installing typst (lock file {}).",
                            path.display()
                        );
                        told = true;
                    }
                    std::thread::sleep(Duration::from_secs(2));
                }
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A lock whose process is gone (checked through /proc where there is one) or older than two hours.
fn lock_is_stale(path: &Path) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists()
        && let Ok(text) = std::fs::read_to_string(path)
        && let Ok(pid) = text.trim().parse::<u32>()
    {
        return !proc.join(pid.to_string()).exists();
    }
    let age = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok());
    age.is_some_and(|a| a > Duration::from_secs(2 * 3600))
}
