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
mod staging;
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
    let shown = model::without_noise(sheet);
    let toolchain = model::Toolchain {
        typst: typst_version.to_string(),
        fonts: fonts.families(),
    };
    let model = model::build(&shown, fields, &toolchain);
    let mut missing = fonts::missing_characters(&fonts.coverage, &shown);
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
    let mut builder = tempfile::Builder::new();
    // Like any file written: readable by others as the umask allows (a temporary
    // file is otherwise created for its owner only).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .prefix(".facts.json.")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(&target)
        .map_err(|e| Error::io(&target, e.error))?;
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
    let staging = staging::Staging::create(out_dir)?;
    let staged = staging.dir();
    // factsheet.failed.typ stays with the previous set until a build succeeds.
    let failed_typ = out_dir.join(FAILED_TYP);
    let write = |name: &str, text: &str| {
        let p = staged.join(name);
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
            dir: &staged,
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
                let _ = std::fs::rename(staged.join(OUTPUTS[2]), &failed_typ);
            }
            return Err(e);
        }
    };
    let pdf_path = staged.join(OUTPUTS[3]);
    let pdf = std::fs::read(&pdf_path).map_err(|e| Error::io(&pdf_path, e))?;
    let pages = count_pdf_pages(&pdf);

    staging.swap_into(out_dir)?;
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

    #[test]
    fn pages_are_counted() {
        let pdf = b"1 0 obj <</Type/Pages/Count 2>> 2 0 obj <</Type /Page/Parent 1 0 R>> <</Type/Page>> <</Type/PageLabel>>";
        assert_eq!(count_pdf_pages(pdf), 2);
    }
}
