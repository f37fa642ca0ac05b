//! Reading files safely: every path the project reads is resolved (symbolic links
//! followed) and checked to lie inside the folder it belongs to, only regular files are
//! opened (a FIFO or a device would block or never end), and a size cap turns a huge
//! file into an error instead of exhausting memory.

use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// The default cap on one input file: 64 MB.
pub const DEFAULT_MAX_MB: u64 = 64;

/// The environment variable that overrides [`DEFAULT_MAX_MB`] (in MB).
pub const MAX_MB_VAR: &str = "FACTSHEET_MAX_SOURCE_MB";

/// The most bytes one input file may hold: `FACTSHEET_MAX_SOURCE_MB` MB, else 64 MB.
pub fn max_file_bytes() -> u64 {
    std::env::var(MAX_MB_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&mb| mb > 0)
        .unwrap_or(DEFAULT_MAX_MB)
        .saturating_mul(1024 * 1024)
}

/// What kind of thing a non-regular file is, for messages.
pub fn kind_of(file_type: fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a folder";
    }
    if file_type.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    "not a regular file"
}

/// Reads `path`, which must be a regular file of at most `cap` bytes.
///
/// The file is checked before it is opened (so a FIFO is never opened, which would
/// block), opened without blocking, checked again, and read no further than the cap.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>> {
    let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
    check_regular(path, &meta, cap)?;
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| Error::io(path, e))?;
    // The path may have been swapped for something else between the two looks.
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    check_regular(path, &meta, cap)?;
    let mut bytes = Vec::with_capacity(meta.len().min(cap) as usize);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > cap {
        return Err(too_large(path, cap));
    }
    Ok(bytes)
}

fn check_regular(path: &Path, meta: &fs::Metadata, cap: u64) -> Result<()> {
    if !meta.is_file() {
        return Err(Error::input(
            path,
            format!(
                "is {}, not a regular file; only regular files are read",
                kind_of(meta.file_type())
            ),
        ));
    }
    if meta.len() > cap {
        return Err(too_large(path, cap));
    }
    Ok(())
}

fn too_large(path: &Path, cap: u64) -> Error {
    Error::input(
        path,
        format!(
            "is larger than {} MB, the most one input file may hold (set {MAX_MB_VAR} to raise the limit)",
            cap / (1024 * 1024)
        ),
    )
}

/// `path` with every symbolic link resolved, refused unless it lies inside `within`
/// (itself already resolved). `what` names the entry in the message.
pub fn confined(path: &Path, within: &Path, what: &str) -> Result<PathBuf> {
    let resolved = fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    if resolved.starts_with(within) {
        return Ok(resolved);
    }
    let via_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let how = if via_link {
        "is a symbolic link to"
    } else {
        "resolves to"
    };
    Err(Error::input(
        path,
        format!(
            "{how} {}, outside {}; {what}",
            resolved.display(),
            within.display()
        ),
    ))
}

/// Checks that nothing under `dir` leads out of it: every symbolic link must resolve
/// inside `dir` (linked folders are not walked), and everything else must be a folder
/// or a regular file (a FIFO would block whoever reads it). A missing `dir` is left to
/// the caller to report. `what` ends the message.
pub fn check_folder(dir: &Path, what: &str) -> Result<()> {
    let Ok(within) = fs::canonicalize(dir) else {
        return Ok(());
    };
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            let path = entry.path();
            let file_type = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if file_type.is_dir() {
                stack.push(path);
            } else if file_type.is_symlink() {
                confined(&path, &within, what)?;
            } else if !file_type.is_file() {
                return Err(Error::input(
                    &path,
                    format!(
                        "is {}, not a regular file; only regular files are read",
                        kind_of(file_type)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Checks a `file:` entry of summit.yaml as a path under `sources/`: relative, without
/// `..`, naming a file. Returns it in a canonical spelling (`./a.txt` → `a.txt`), so that
/// two spellings of one file are recognised.
pub fn relative_entry(file: &str) -> std::result::Result<String, String> {
    if file.trim().is_empty() {
        return Err("`file:` is empty; name a file under sources/".to_string());
    }
    if file
        .chars()
        .any(|c| c.is_control() || crate::text::is_bidi_control(c))
    {
        return Err(format!(
            "`file: {}` holds control characters; rename the file",
            crate::text::for_terminal(file)
        ));
    }
    let path = Path::new(file);
    if path.is_absolute() || file.starts_with('/') || file.starts_with('\\') {
        return Err(format!(
            "`file: {file}` is an absolute path; a source is a path under the summit's sources/ folder"
        ));
    }
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!(
                    "`file: {file}` goes up with `..`; a source must lie inside the summit's sources/ folder"
                ));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "`file: {file}` is an absolute path; a source is a path under the summit's sources/ folder"
                ));
            }
        }
    }
    if parts.is_empty() {
        return Err(format!(
            "`file: {file}` names the sources/ folder itself, not a file"
        ));
    }
    Ok(parts.join("/"))
}

/// Reads a UTF-8 configuration file.
///
/// Like every input, it must be a regular file of at most [`max_file_bytes`] bytes.
pub fn read_utf8(path: &Path) -> Result<String> {
    let bytes = read_regular(path, max_file_bytes())?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        Error::input(
            path,
            format!("is not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries() {
        assert_eq!(relative_entry("a.txt").unwrap(), "a.txt");
        assert_eq!(relative_entry("./a.txt").unwrap(), "a.txt");
        assert_eq!(relative_entry("x//./b.md").unwrap(), "x/b.md");
        assert_eq!(
            relative_entry("../../../../etc/passwd").unwrap_err(),
            "`file: ../../../../etc/passwd` goes up with `..`; a source must lie inside the summit's sources/ folder"
        );
        assert_eq!(
            relative_entry("/etc/hostname").unwrap_err(),
            "`file: /etc/hostname` is an absolute path; a source is a path under the summit's sources/ folder"
        );
        assert!(relative_entry("a/../b").is_err());
        assert!(relative_entry(".").is_err());
        assert!(relative_entry("").is_err());
    }
}
