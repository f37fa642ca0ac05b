//! Stage 7: write facts.json, the typst and Markdown fact sheets, and the PDF.
//!
//! [`render`] fills `templates/factsheet.typ.j2` and `templates/factsheet.md.j2` with a
//! presentation model ([`model`]), checks that the fonts can draw every character
//! ([`fonts`]), compiles the typst file with the typst CLI ([`typst`]) and moves the
//! four outputs into `out/<summit>/` only when everything succeeded.

pub mod fonts;
pub mod format;
pub mod model;
pub mod provision;
pub mod templates;
pub mod typst;
pub mod view;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::Value;

use crate::error::{Error, Result};
use crate::facts::FactSheet;
use crate::project::Project;
use crate::rules::FieldSpec;

/// The template that produces the typst file.
pub const TYP_TEMPLATE: &str = "factsheet.typ.j2";
/// The template that produces the Markdown file.
pub const MD_TEMPLATE: &str = "factsheet.md.j2";
/// The output files, in the order they are moved into place (the PDF last).
pub const OUTPUTS: [&str; 4] = [
    "facts.json",
    "factsheet.md",
    "factsheet.typ",
    "factsheet.pdf",
];
/// Where a .typ that typst rejected is kept, next to the outputs, for the diagnostics to point at.
pub const FAILED_TYP: &str = "factsheet.failed.typ";

/// What rendering needs besides the fact sheet: a typst to run and the fonts.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The typst CLI.
    pub typst: typst::Typst,
    /// The project's fonts and their coverage.
    pub fonts: fonts::FontSet,
}

impl RenderOptions {
    /// Options for `project` with `typst`: loads the project's fonts.
    pub fn new(project: &Project, typst: typst::Typst) -> Result<Self> {
        Ok(RenderOptions {
            typst,
            fonts: fonts::FontSet::load(&project.fonts_dir())?,
        })
    }
}

/// The text outputs of a fact sheet, before anything is written.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// `facts.json`.
    pub facts_json: String,
    /// `factsheet.typ`.
    pub typ: String,
    /// `factsheet.md`.
    pub md: String,
    /// Characters no font can draw, with where they came from.
    pub missing: Vec<fonts::Missing>,
    /// Facts per field.
    pub counts: Vec<view::Count>,
}

/// What [`render`] wrote.
#[derive(Debug, Clone)]
pub struct RenderReport {
    /// Summit id.
    pub summit: String,
    /// The files written, in `out/<summit>/`.
    pub files: Vec<PathBuf>,
    /// Pages of the PDF.
    pub pages: usize,
    /// Facts per field.
    pub counts: Vec<view::Count>,
    /// typst's warnings about this file and characters that cannot be drawn.
    pub warnings: Vec<String>,
}

/// Renders the three text outputs of `sheet` with the project's templates.
pub fn prepare(
    project: &Project,
    sheet: &FactSheet,
    fields: &[FieldSpec],
    typst_version: &str,
    fonts: &fonts::FontSet,
) -> Result<Prepared> {
    let mut facts_json = serde_json::to_string_pretty(sheet)
        .map_err(|e| Error::Failed(format!("cannot serialise facts.json: {e}")))?;
    facts_json.push('\n');
    let (model, mut missing) = model::build(
        sheet,
        fields,
        typst_version,
        &fonts.families(),
        &fonts.coverage,
    );
    let dir = project.templates_dir();
    crate::paths::check_folder(
        &dir,
        "templates must lie inside the project's templates/ folder",
    )?;
    let env = templates::environment(&dir, Arc::new(fonts.coverage.clone()));
    let ctx = Value::from_serialize(&model);
    let typ = templates::render(&env, &dir, TYP_TEMPLATE, &ctx)?;
    let md = templates::render(&env, &dir, MD_TEMPLATE, &ctx)?;
    // Escaped values cannot hold an uncovered character any more (they are replaced by
    // a placeholder), so whatever is left comes from the templates' own text.
    for (i, line) in typ.lines().enumerate() {
        fonts::missing_in_template(
            &fonts.coverage,
            line,
            &format!("line {} of factsheet.typ (template text)", i + 1),
            &mut missing,
        );
    }
    Ok(Prepared {
        facts_json,
        typ,
        md,
        missing,
        counts: model.counts,
    })
}

/// Writes only `out/<summit>/facts.json` (through a temporary file and a rename).
pub fn write_facts_json(project: &Project, sheet: &FactSheet) -> Result<PathBuf> {
    let dir = project.checked_out_dir(&sheet.summit.id)?;
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut text = serde_json::to_string_pretty(sheet)
        .map_err(|e| Error::Failed(format!("cannot serialise facts.json: {e}")))?;
    text.push('\n');
    let target = dir.join(OUTPUTS[0]);
    let tmp = dir.join(format!(".{}.{}.tmp", OUTPUTS[0], std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, &target).map_err(|e| Error::io(&target, e))?;
    Ok(target)
}

/// Writes `out/<summit>/` for `sheet`: facts.json, factsheet.md, factsheet.typ and
/// factsheet.pdf; `fields` (from the rule files) give the sections' titles and order.
pub fn render(
    project: &Project,
    sheet: &FactSheet,
    fields: &[FieldSpec],
    options: &RenderOptions,
) -> Result<RenderReport> {
    let out_dir = project.checked_out_dir(&sheet.summit.id)?;
    render_to(project, sheet, fields, options, &out_dir)
}

/// Like [`render`], into `out_dir`.
///
/// Everything is produced in a staging folder next to `out_dir` and swapped in as one
/// set, with one rename, only after typst succeeded: a failed or interrupted build
/// leaves the previous outputs as they were, and a killed one leaves only a staging
/// folder that the next build removes.
pub fn render_to(
    project: &Project,
    sheet: &FactSheet,
    fields: &[FieldSpec],
    options: &RenderOptions,
    out_dir: &Path,
) -> Result<RenderReport> {
    let prepared = prepare(
        project,
        sheet,
        fields,
        &options.typst.version,
        &options.fonts,
    )?;
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let staging = Staging::create(out_dir)?;
    // factsheet.failed.typ stays with the previous set until a build succeeds.
    let failed_typ = out_dir.join(FAILED_TYP);
    let write = |name: &str, text: &str| {
        let p = staging.dir.join(name);
        std::fs::write(&p, text).map_err(|e| Error::io(&p, e))
    };
    write(OUTPUTS[0], &prepared.facts_json)?;
    write(OUTPUTS[1], &prepared.md)?;
    write(OUTPUTS[2], &prepared.typ)?;

    let timestamp = crate::summit::unix_seconds(&sheet.summit.date).ok_or_else(|| {
        Error::Failed(format!(
            "summit date {:?} is not YYYY-MM-DD; it sets the PDF's creation date",
            sheet.summit.date
        ))
    })?;
    let failed_shown = for_messages(&failed_typ);
    let font_dir = absolute(&options.fonts.dir);
    let compiled = typst::compile(
        &options.typst,
        &typst::Job {
            dir: &staging.dir,
            input: OUTPUTS[2],
            output: OUTPUTS[3],
            font_dir: &font_dir,
            timestamp,
            shown_as: &failed_shown,
            source: &prepared.typ,
        },
    );
    let typst_warnings = match compiled {
        Ok(w) => w,
        Err(e) => {
            // Keep the rejected file where the diagnostics point; the outputs stay untouched.
            if typst::blames_the_file(&e) {
                let _ = std::fs::rename(staging.dir.join(OUTPUTS[2]), &failed_typ);
            }
            return Err(e);
        }
    };
    let pdf_path = staging.dir.join(OUTPUTS[3]);
    let pdf = std::fs::read(&pdf_path).map_err(|e| Error::io(&pdf_path, e))?;
    let pages = count_pdf_pages(&pdf);

    swap_in(&staging.dir, out_dir, &exchange, &|from, to| {
        std::fs::rename(from, to)
    })?;
    let files: Vec<PathBuf> = OUTPUTS.iter().map(|name| out_dir.join(name)).collect();
    // The typst version warning is the caller's to show, once per run.
    let typ_path = for_messages(&out_dir.join(OUTPUTS[2]));
    let mut warnings: Vec<String> = typst_warnings
        .iter()
        .map(|d| {
            let shown = typst::format_diagnostic(d, OUTPUTS[2], &typ_path, &prepared.typ);
            format!("typst: {shown}")
        })
        .collect();
    warnings.extend(prepared.missing.iter().map(ToString::to_string));
    Ok(RenderReport {
        summit: sheet.summit.id.clone(),
        files,
        pages,
        counts: prepared.counts,
        warnings,
    })
}

/// `p` as messages show it: `out/x/f.typ` rather than `./out/x/f.typ`.
fn for_messages(p: &Path) -> PathBuf {
    p.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A folder for one build's files, next to the output folder, removed when dropped
/// (after a swap it holds the previous set).
struct Staging {
    dir: PathBuf,
}

/// The prefix and suffix of staging folders: `.<summit>.build-<pid>`.
const STAGING_MARK: &str = ".build-";

impl Staging {
    fn create(out_dir: &Path) -> Result<Self> {
        let (parent, name) = parent_and_name(out_dir)?;
        remove_abandoned(&parent, out_dir);
        let dir = parent.join(format!(".{name}{STAGING_MARK}{}", std::process::id()));
        if std::fs::symlink_metadata(&dir).is_ok() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        std::fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging { dir })
    }
}

fn parent_and_name(out_dir: &Path) -> Result<(PathBuf, String)> {
    let absolute = absolute(out_dir);
    match (absolute.parent(), absolute.file_name()) {
        (Some(p), Some(n)) => Ok((p.to_path_buf(), n.to_string_lossy().into_owned())),
        _ => Err(Error::Failed(format!(
            "{}: an output folder needs a parent folder",
            out_dir.display()
        ))),
    }
}

/// Replaces `out_dir` by `staging` as one set. On Linux the two folders are exchanged
/// atomically (`renameat2(RENAME_EXCHANGE)`), so `staging` then holds the previous set;
/// elsewhere, or where the file system cannot exchange, the previous set is first moved
/// aside, and moved back if the new one cannot be put in its place. `exchange` and
/// `rename` do the moves (a test makes them fail).
fn swap_in(
    staging: &Path,
    out_dir: &Path,
    exchange: &dyn Fn(&Path, &Path) -> std::io::Result<()>,
    rename: &dyn Fn(&Path, &Path) -> std::io::Result<()>,
) -> Result<()> {
    if std::fs::symlink_metadata(out_dir).is_err() {
        return rename(staging, out_dir).map_err(|e| Error::io(out_dir, e));
    }
    if exchange(staging, out_dir).is_ok() {
        return Ok(());
    }
    let (parent, name) = parent_and_name(out_dir)?;
    let aside = parent.join(format!(".{name}.old-{}", std::process::id()));
    rename(out_dir, &aside).map_err(|e| Error::io(out_dir, e))?;
    if let Err(e) = rename(staging, out_dir) {
        // Put the previous set back; if even that fails, say where it is.
        return Err(match rename(&aside, out_dir) {
            Ok(()) => Error::io(out_dir, e),
            Err(back) => Error::Failed(format!(
                "{}: cannot put the new outputs in place ({e}) nor the previous ones back ({back}); they are in {}",
                out_dir.display(),
                aside.display()
            )),
        });
    }
    // The staging folder's owner removes it; the previous set goes now.
    let _ = std::fs::remove_dir_all(&aside);
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
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
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Cleans up after builds of `out_dir` that were killed (their process is gone, where
/// `/proc` tells): their staging folders go, and a previous set that was moved aside
/// comes back if nothing took its place. Elsewhere they stay, harmless and git-ignored.
fn remove_abandoned(parent: &Path, out_dir: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok((_, name)) = parent_and_name(out_dir) else {
        return;
    };
    let dead = |pid: &str| {
        !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && !proc.join(pid).exists()
    };
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(parent) {
        found.extend(entries.flatten().map(|e| (e.path(), e.file_name())));
    }
    // Staging folders of earlier versions lived inside the output folder.
    if let Ok(entries) = std::fs::read_dir(out_dir) {
        found.extend(entries.flatten().map(|e| (e.path(), e.file_name())));
    }
    for (path, file_name) in found {
        let file_name = file_name.to_string_lossy().into_owned();
        let Some(rest) = file_name
            .strip_prefix(&format!(".{name}"))
            .or_else(|| path.starts_with(out_dir).then_some(file_name.as_str()))
        else {
            continue;
        };
        if let Some(pid) = rest.strip_prefix(STAGING_MARK)
            && dead(pid)
        {
            let _ = std::fs::remove_dir_all(&path);
        } else if let Some(pid) = rest.strip_prefix(".old-")
            && dead(pid)
        {
            if std::fs::symlink_metadata(out_dir).is_err() {
                let _ = std::fs::rename(&path, out_dir);
            } else {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Counts the page objects of a PDF (`/Type /Page`, not `/Pages`), as typst writes them.
pub fn count_pdf_pages(pdf: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while let Some(pos) = find(&pdf[i..], b"/Type") {
        let mut j = i + pos + 5;
        while pdf.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        if pdf[j..].starts_with(b"/Page") {
            let after = pdf.get(j + 5).copied().unwrap_or(b' ');
            if !after.is_ascii_alphanumeric() {
                n += 1;
            }
        }
        i = j.max(i + pos + 1);
    }
    n
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(dir: &Path, tag: &str) {
        std::fs::create_dir_all(dir).unwrap();
        for name in OUTPUTS {
            std::fs::write(dir.join(name), tag).unwrap();
        }
    }

    fn tags(dir: &Path) -> Vec<String> {
        OUTPUTS
            .iter()
            .map(|n| std::fs::read_to_string(dir.join(n)).unwrap_or_default())
            .collect()
    }

    #[test]
    fn a_rename_that_fails_mid_swap_leaves_the_previous_set() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, staging) = (tmp.path().join("s"), tmp.path().join(".s.build-1"));
        set(&out, "old");
        set(&staging, "new");
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
        let err = swap_in(&staging, &out, &no_exchange, &failing).unwrap_err();
        assert_eq!(err.to_string(), format!("{}: disk on fire", out.display()));
        assert_eq!(tags(&out), ["old"; 4]);
        assert_eq!(calls.get(), 3, "the previous set was moved back");
        // Without failures the new set replaces the old one whole, and nothing is left aside.
        swap_in(&staging, &out, &no_exchange, &|a, b| std::fs::rename(a, b)).unwrap();
        assert_eq!(tags(&out), ["new"; 4]);
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from("s")]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn folders_are_exchanged_in_one_step() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, staging) = (tmp.path().join("s"), tmp.path().join(".s.build-1"));
        set(&out, "old");
        set(&staging, "new");
        let never = |_: &Path, _: &Path| -> std::io::Result<()> { panic!("no rename needed") };
        swap_in(&staging, &out, &exchange, &never).unwrap();
        assert_eq!(tags(&out), ["new"; 4]);
        assert_eq!(tags(&staging), ["old"; 4]);
    }

    #[test]
    fn pages_are_counted() {
        let pdf = b"1 0 obj <</Type/Pages/Count 2>> 2 0 obj <</Type /Page/Parent 1 0 R>> <</Type/Page>> <</Type/PageLabel>>";
        assert_eq!(count_pdf_pages(pdf), 2);
    }
}
