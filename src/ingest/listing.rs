//! What lies under a summit's `sources/` folder: the files that can be read, and the
//! entries that cannot (with why).

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::paths;

/// What is under a summit's `sources/` folder.
#[derive(Debug, Default)]
pub(super) struct Listing {
    /// Readable files, as paths relative to the folder, sorted.
    pub(super) files: Vec<String>,
    /// Entries that cannot be sources: (relative path, why), sorted.
    pub(super) problems: Vec<(String, String)>,
}

/// What one entry of the folder is.
enum Entry {
    /// A file to read.
    File,
    /// A folder to walk.
    Folder,
    /// Not a source, and why.
    Problem(String),
}

/// The files under `dir`, recursively, as paths relative to it, sorted; dot-files are
/// skipped. Symbolic links are not followed into folders (a link to `/` would walk the
/// whole disk); a link to a file counts only when it stays inside `dir`. FIFOs, devices,
/// names that are not UTF-8 or hold control characters are problems, not files.
pub(super) fn list_files(dir: &Path) -> Result<Listing> {
    let mut out = Listing::default();
    if !dir.is_dir() {
        // Reading a source reports where it leads; there is nothing to list here.
        return Ok(out);
    }
    let within = fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            let path = entry.path();
            let lossy = entry.file_name().to_string_lossy().into_owned();
            if lossy.starts_with('.') {
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| lossy.clone());
            match classify(&entry, &path, &within, dir)? {
                Entry::File => out.files.push(rel),
                Entry::Folder => stack.push(path),
                Entry::Problem(why) => out
                    .problems
                    .push((rel, format!("{}: {why}", path.display()))),
            }
        }
    }
    out.files.sort();
    out.problems.sort();
    Ok(out)
}

/// What `entry` (at `path`, under `dir`, which resolves to `within`) is.
fn classify(entry: &fs::DirEntry, path: &Path, within: &Path, dir: &Path) -> Result<Entry> {
    let raw_name = entry.file_name();
    let lossy = raw_name.to_string_lossy();
    if raw_name.to_str().is_none() {
        return Ok(Entry::Problem(format!(
            "the file name is not valid UTF-8 (shown here as {lossy:?}); rename the file"
        )));
    }
    if lossy
        .chars()
        .any(|c| c.is_control() || crate::text::is_bidi_control(c))
    {
        return Ok(Entry::Problem(format!(
            "the file name {:?} holds control characters; rename the file",
            lossy
        )));
    }
    let file_type = entry.file_type().map_err(|e| Error::io(path, e))?;
    Ok(if file_type.is_dir() {
        Entry::Folder
    } else if file_type.is_file() {
        Entry::File
    } else if file_type.is_symlink() {
        classify_link(path, within, dir)
    } else {
        Entry::Problem(format!(
            "is {}, not a regular file; only regular files are read",
            paths::kind_of(file_type)
        ))
    })
}

/// A symbolic link counts as a file when it leads to a regular file inside `within`.
fn classify_link(path: &Path, within: &Path, dir: &Path) -> Entry {
    let target: PathBuf = match fs::canonicalize(path) {
        Err(_) => return Entry::Problem("is a symbolic link that leads nowhere".to_string()),
        Ok(t) => t,
    };
    if !target.starts_with(within) {
        return Entry::Problem(format!(
            "is a symbolic link to {}, outside {}; a source must lie inside the summit's sources/ folder",
            target.display(),
            dir.display()
        ));
    }
    if target.is_dir() {
        return Entry::Problem(
            "is a symbolic link to a folder; linked folders are not followed".to_string(),
        );
    }
    match fs::metadata(&target) {
        Ok(m) if m.is_file() => Entry::File,
        Ok(m) => Entry::Problem(format!(
            "is a symbolic link to {}, not a regular file; only regular files are read",
            paths::kind_of(m.file_type())
        )),
        Err(e) => Entry::Problem(e.to_string()),
    }
}
