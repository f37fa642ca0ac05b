//! Not doing a build twice. Every build leaves a stamp in `out/<summit>/`
//! ([`STAMP_FILE`]): a digest of everything the build read, and a digest of every
//! file it wrote. A build whose inputs have the stamp's digest, into a folder whose
//! files are still as written, has nothing to do ([`is_current`]); and a PDF whose
//! `.typ`, typst and fonts are those of the last build is taken over rather than
//! compiled again ([`Stamp::reusable_pdf`]).
//!
//! The stamp decides only when to skip work, never what is written: a stamp that is
//! missing, unreadable or out of date means a full build, and so does any input that
//! cannot be read for the digest (the build then reports it properly).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::typst::Typst;
use crate::error::{Error, Result};
use crate::hash::{PartsDigest, sha256_hex};
use crate::ingest::Summit;
use crate::project::Project;

/// The stamp's name in `out/<summit>/`.
pub const STAMP_FILE: &str = ".factsheet-stamp.json";

/// What a build read and wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Digest of the inputs ([`inputs_digest`]); empty when the caller gave none,
    /// and then the build is never taken as current.
    pub inputs: String,
    /// Digest of what the PDF was compiled with besides its `.typ` (typst, fonts).
    pub pdf_toolchain: Option<String>,
    /// What typst said when it compiled the PDF, shown again when the PDF is taken
    /// over.
    pub typst_warnings: Vec<String>,
    /// SHA-256 of each file written, by file name.
    pub files: BTreeMap<String, String>,
}

impl Stamp {
    /// The stamp of `out_dir`, if there is a readable one.
    pub fn read(out_dir: &Path) -> Option<Stamp> {
        let text = std::fs::read(out_dir.join(STAMP_FILE)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Writes the stamp of the files in `dir` (every file but the stamp itself).
    pub(super) fn write(mut self, dir: &Path) -> Result<()> {
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let path = entry.map_err(|e| Error::io(dir, e))?.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if name != STAMP_FILE && path.is_file() {
                let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                self.files.insert(name.into_owned(), sha256_hex(&bytes));
            }
        }
        let path = dir.join(STAMP_FILE);
        let text = serde_json::to_string_pretty(&self)
            .map_err(|e| Error::Failed(format!("cannot serialise the build stamp: {e}")))?;
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
    }

    /// Whether every file the stamp lists is still in `out_dir` as it was written.
    fn files_unchanged(&self, out_dir: &Path) -> bool {
        !self.files.is_empty()
            && self
                .files
                .iter()
                .all(|(name, digest)| file_digest(&out_dir.join(name)).as_ref() == Some(digest))
    }

    /// The PDF in `out_dir`, when it was compiled from `typ` with `toolchain` and is
    /// still as written: compiling again would make the same file.
    pub fn reusable_pdf(
        &self,
        out_dir: &Path,
        names: [&str; 2],
        typ: &str,
        toolchain: &str,
    ) -> bool {
        let [typ_name, pdf_name] = names;
        self.pdf_toolchain.as_deref() == Some(toolchain)
            && self.files.get(typ_name) == Some(&sha256_hex(typ.as_bytes()))
            && self
                .files
                .get(pdf_name)
                .is_some_and(|d| file_digest(&out_dir.join(pdf_name)).as_ref() == Some(d))
    }
}

/// Whether `out_dir` holds what a build with inputs `digest` would write: its stamp
/// has that digest and its files are as written.
pub fn is_current(out_dir: &Path, digest: &str) -> bool {
    Stamp::read(out_dir).is_some_and(|s| s.inputs == digest && s.files_unchanged(out_dir))
}

/// Digest of everything a build of `summit` reads: this program, the summit's folder
/// (summit.yaml and sources), `rules/`, `templates/`, the fonts, the outputs asked
/// for and the typst that would compile the PDF. Files are read whole, except the
/// fonts and the programs, which are large and known by name, size and modification
/// time. `None` when something cannot be read: the build will say what.
pub fn inputs_digest(
    project: &Project,
    summit: &Summit,
    renderers: &[&str],
    typst: Option<&Typst>,
) -> Option<String> {
    let mut h = PartsDigest::default();
    h.part(env!("CARGO_PKG_VERSION").as_bytes());
    h.part(&metadata_of(&std::env::current_exe().ok()?)?);
    // The same outputs, whatever order they were asked for in.
    let mut renderers = renderers.to_vec();
    renderers.sort_unstable();
    h.part(renderers.join(",").as_bytes());
    if let Some(t) = typst {
        h.part(t.version.as_bytes());
        h.part(&metadata_of(&t.path)?);
    }
    for (dir, whole) in [
        (summit.dir.clone(), true),
        (project.rules_dir(), true),
        (project.templates_dir(), true),
        (project.fonts_dir(), false),
    ] {
        folder(&mut h, &dir, whole)?;
    }
    Some(h.hex())
}

/// Digest of what a PDF is compiled with besides its `.typ`: `typst`, the fonts in
/// `fonts_dir`, and the creation `timestamp` it is given.
pub fn pdf_toolchain(fonts_dir: &Path, typst: &Typst, timestamp: i64) -> Option<String> {
    let mut h = PartsDigest::default();
    h.part(timestamp.to_string().as_bytes());
    h.part(typst.version.as_bytes());
    h.part(&metadata_of(&typst.path)?);
    folder(&mut h, fonts_dir, false)?;
    Some(h.hex())
}

/// Adds every entry under `dir` to `h`, in name order: its path under `dir`, and its
/// content (`whole`) or its size and modification time. Linked folders are not
/// walked and links are not followed: a link counts by where it points.
fn folder(h: &mut PartsDigest, dir: &Path, whole: bool) -> Option<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::result::Result<_, _>>()
        .ok()?;
    entries.sort();
    for path in entries {
        let meta = std::fs::symlink_metadata(&path).ok()?;
        h.part(path.file_name()?.as_encoded_bytes());
        if meta.is_dir() {
            folder(h, &path, whole)?;
        } else if meta.file_type().is_symlink() {
            h.part(
                std::fs::read_link(&path)
                    .ok()?
                    .as_os_str()
                    .as_encoded_bytes(),
            );
            h.part(&metadata_of(&path)?);
        } else if !meta.is_file() {
            return None;
        } else if whole {
            h.part(&std::fs::read(&path).ok()?);
        } else {
            h.part(&metadata_of(&path)?);
        }
    }
    h.part(b"end of folder");
    Some(())
}

/// Size and modification time of `path` (links followed).
fn metadata_of(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(format!("{} {}", meta.len(), modified.as_nanos()).into_bytes())
}

fn file_digest(path: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    std::fs::read(path).ok().map(|b| sha256_hex(&b))
}
