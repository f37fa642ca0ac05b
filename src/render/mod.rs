//! Stage 6: the outputs of a fact sheet. `facts.json` always; then each chosen
//! [`Renderer`] - the typst PDF ([`PdfRenderer`]), the Markdown twin
//! ([`MarkdownRenderer`]) and the HTML review sheet ([`HtmlRenderer`]) - fills its
//! template with the presentation model ([`model`]) under its own escaping and writes
//! its files. mdBook's `Renderer` is the model: a new output is one more
//! implementation. Everything is written into a staging folder and swapped into
//! `out/<summit>/` only when every renderer succeeded.

pub mod fonts;
pub mod format;
mod html;
mod markdown;
pub mod model;
mod pdf;
pub mod provision;
mod staging;
pub mod stamp;
pub mod templates;
pub mod typst;
pub mod view;

use std::path::{Path, PathBuf};

use minijinja::Value;

use crate::error::{Error, Result};
use crate::facts::FactSheet;
use crate::project::Project;
use crate::rules::FieldSpec;
use crate::segment::Document;

pub use html::HtmlRenderer;
pub use markdown::MarkdownRenderer;
pub use pdf::{FAILED_TYP, PdfRenderer};
pub use templates::Escape;

/// The file every build writes, whatever the renderers.
pub const FACTS_JSON: &str = "facts.json";

/// What is rendered: the fact sheet, the fields that lay it out, and - for the HTML
/// sheet, which shows every source in full - the sources as segmented and the
/// trigger words of the rules.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The facts (facts.json).
    pub sheet: &'a FactSheet,
    /// The fields, from the rule files: section titles, order and layouts.
    pub fields: &'a [FieldSpec],
    /// The sources, segmented; without them the HTML sheet shows only the sentences
    /// cited.
    pub docs: &'a [Document],
    /// Words that usually signal a fact (`rules/triggers.yaml`).
    pub triggers: &'a [String],
    /// Digest of everything the sheet was built from ([`stamp::inputs_digest`]),
    /// recorded so that a build with nothing changed can be skipped.
    pub inputs_digest: Option<&'a str>,
}

impl<'a> Input<'a> {
    /// `sheet` laid out by `fields`, without its sources.
    pub fn new(sheet: &'a FactSheet, fields: &'a [FieldSpec]) -> Self {
        Input {
            sheet,
            fields,
            docs: &[],
            triggers: &[],
            inputs_digest: None,
        }
    }

    /// The same, with the sources as segmented and the rules' trigger words.
    pub fn with_sources(self, docs: &'a [Document], triggers: &'a [String]) -> Self {
        Input {
            docs,
            triggers,
            ..self
        }
    }

    /// The same, recording `digest` as what it was built from.
    pub fn with_inputs_digest(self, digest: Option<&'a str>) -> Self {
        Input {
            inputs_digest: digest,
            ..self
        }
    }
}

/// What a renderer fills its template with.
pub struct Context<'a> {
    /// The project (its templates).
    pub project: &'a Project,
    /// What is rendered.
    pub input: &'a Input<'a>,
    /// The sheet as readers see it ([`model::without_noise`]).
    pub shown: &'a FactSheet,
    /// The presentation model of `shown`.
    pub model: &'a view::Model,
}

/// A renderer's template, filled.
#[derive(Debug, Clone)]
pub struct Filled {
    /// The text its files are made from.
    pub text: String,
    /// What the reader should know (characters no font draws).
    pub warnings: Vec<String>,
}

/// Where a renderer writes, and for which summit.
pub struct Target<'a> {
    /// The staging folder the files go into.
    pub dir: &'a Path,
    /// The output folder they will be swapped into.
    pub out_dir: &'a Path,
    /// The summit's first day (the PDF's date).
    pub date: &'a str,
    /// The stamp of the outputs in `out_dir`, whose files may be taken over.
    pub previous: Option<&'a stamp::Stamp>,
}

/// What a renderer wrote.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// Pages, for a paged output.
    pub pages: Option<usize>,
    /// What the reader should know (typst's warnings).
    pub warnings: Vec<String>,
    /// Taken over from the previous build rather than made again.
    pub reused: bool,
    /// What the files were made with besides the template (typst and fonts), for the
    /// stamp.
    pub toolchain: Option<String>,
}

/// One output of the fact sheet: a name, the files it writes, its template and the
/// escaping of every value its template prints.
pub trait Renderer {
    /// Its name, as `build --format` gives it (`pdf`, `md`, `html`).
    fn name(&self) -> &'static str;
    /// The files it writes into `out/<summit>/`, in the order they are listed.
    fn files(&self) -> &'static [&'static str];
    /// Its template, under `templates/` (partials it includes share its escaping).
    fn template(&self) -> &'static str;
    /// How every value its templates print is escaped (the templates cannot turn it
    /// off).
    fn escape(&self) -> Escape;
    /// What its template sees: the model, unless it needs more.
    fn data(&self, ctx: &Context) -> Value {
        Value::from_serialize(ctx.model)
    }
    /// Its template filled with [`Renderer::data`].
    fn fill(&self, ctx: &Context) -> Result<Filled> {
        let text = fill_template(ctx, self.template(), self.escape(), &self.data(ctx))?;
        Ok(Filled {
            text,
            warnings: Vec::new(),
        })
    }
    /// Writes its files into `target.dir` from `filled`.
    fn write(&self, filled: &Filled, target: &Target) -> Result<Written>;
}

/// Template `name` of the project filled with `data`, every value escaped by `escape`.
pub fn fill_template(ctx: &Context, name: &str, escape: Escape, data: &Value) -> Result<String> {
    let dir = ctx.project.templates_dir();
    let env = templates::environment(&dir, escape);
    templates::render(&env, &dir, name, data)
}

/// The renderers `build` knows, by name, in the order their files are listed.
pub const RENDERERS: [&str; 3] = ["md", "html", "pdf"];

/// Which renderers run, and what the colophon says made the PDF.
pub struct RenderOptions {
    /// The renderers, in order.
    pub renderers: Vec<Box<dyn Renderer>>,
    /// The typst version and fonts the colophon names.
    pub toolchain: model::Toolchain,
    /// Whether a file the previous build made from the same input is taken over
    /// instead of being made again (the PDF, when its .typ, typst and fonts are
    /// unchanged; see [`stamp`]).
    pub take_over_unchanged: bool,
}

impl RenderOptions {
    /// Every renderer: Markdown, HTML, and the PDF with `typst` and the project's fonts.
    pub fn all(project: &Project, typst: typst::Typst) -> Result<Self> {
        Self::named(project, &RENDERERS, Some(typst))
    }

    /// The renderers `names` (of [`RENDERERS`]), in [`RENDERERS`] order. The fonts are
    /// loaded for the PDF only, and only the PDF needs `typst` (without it, its
    /// template can still be filled but not compiled); the colophon names `typst`'s
    /// version, else the pinned one.
    pub fn named(project: &Project, names: &[&str], typst: Option<typst::Typst>) -> Result<Self> {
        if let Some(unknown) = names.iter().find(|n| !RENDERERS.contains(n)) {
            return Err(Error::Usage(format!(
                "no renderer `{unknown}`; there are {}",
                RENDERERS.join(", ")
            )));
        }
        let mut toolchain = model::Toolchain {
            typst: typst
                .as_ref()
                .map_or(typst::PINNED_VERSION.to_string(), |t| t.version.clone()),
            fonts: Vec::new(),
        };
        let mut renderers: Vec<Box<dyn Renderer>> = Vec::new();
        for name in RENDERERS.iter().filter(|n| names.contains(n)) {
            renderers.push(match *name {
                "md" => Box::new(MarkdownRenderer),
                "html" => Box::new(HtmlRenderer),
                _ => {
                    let fonts = fonts::FontSet::load(&project.fonts_dir())?;
                    toolchain.fonts = fonts.families();
                    Box::new(PdfRenderer::new(typst.clone(), fonts))
                }
            });
        }
        Ok(RenderOptions {
            renderers,
            toolchain,
            take_over_unchanged: true,
        })
    }
}

/// The outputs of a fact sheet, before anything is written.
pub struct Prepared {
    /// `facts.json`.
    pub facts_json: String,
    /// Each renderer's filled template, in the renderers' order.
    pub filled: Vec<Filled>,
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
    /// Pages of the PDF (0 without one).
    pub pages: usize,
    /// Facts per field.
    pub counts: Vec<view::Count>,
    /// typst's warnings about this file and characters that cannot be drawn.
    pub warnings: Vec<String>,
    /// Files taken over from the previous build (a PDF whose .typ, typst and fonts
    /// did not change), not made again.
    pub reused: Vec<PathBuf>,
}

/// facts.json as written.
fn facts_json(sheet: &FactSheet) -> Result<String> {
    let mut text = serde_json::to_string_pretty(sheet)
        .map_err(|e| Error::Failed(format!("cannot serialise facts.json: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Fills every renderer's template (nothing is written).
pub fn prepare(project: &Project, input: &Input, options: &RenderOptions) -> Result<Prepared> {
    crate::paths::check_folder(
        &project.templates_dir(),
        "templates must lie inside the project's templates/ folder",
    )?;
    let shown = model::without_noise(input.sheet);
    let model = model::build(&shown, input.fields, &options.toolchain);
    let ctx = Context {
        project,
        input,
        shown: &shown,
        model: &model,
    };
    let filled = options
        .renderers
        .iter()
        .map(|r| r.fill(&ctx))
        .collect::<Result<Vec<_>>>()?;
    Ok(Prepared {
        facts_json: facts_json(input.sheet)?,
        filled,
        counts: model.counts,
    })
}

/// Writes only `out/<summit>/facts.json` (through a temporary file and a rename).
pub fn write_facts_json(project: &Project, sheet: &FactSheet) -> Result<PathBuf> {
    let dir = project.checked_out_dir(&sheet.summit.id)?;
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let text = facts_json(sheet)?;
    let target = dir.join(FACTS_JSON);
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

/// Writes `out/<summit>/` for `input`: facts.json and every renderer's files.
pub fn render(project: &Project, input: &Input, options: &RenderOptions) -> Result<RenderReport> {
    let out_dir = project.checked_out_dir(&input.sheet.summit.id)?;
    render_to(project, input, options, &out_dir)
}

/// Like [`render`], into `out_dir`.
///
/// Everything is produced in a staging folder next to `out_dir` and swapped in as one
/// set, with one rename, only after every renderer succeeded: a failed or interrupted
/// build leaves the previous outputs as they were, and a killed one leaves only a
/// staging folder that the next build removes.
pub fn render_to(
    project: &Project,
    input: &Input,
    options: &RenderOptions,
    out_dir: &Path,
) -> Result<RenderReport> {
    let prepared = prepare(project, input, options)?;
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let staging = staging::Staging::create(out_dir)?;
    // Read under the lock: no other build is changing the outputs it describes.
    let previous = options
        .take_over_unchanged
        .then(|| stamp::Stamp::read(out_dir))
        .flatten();
    let dir = staging.dir();
    let path = dir.join(FACTS_JSON);
    std::fs::write(&path, &prepared.facts_json).map_err(|e| Error::io(&path, e))?;
    let target = Target {
        dir: &dir,
        out_dir,
        date: &input.sheet.summit.date,
        previous: previous.as_ref(),
    };
    let mut report = RenderReport {
        summit: input.sheet.summit.id.clone(),
        files: vec![out_dir.join(FACTS_JSON)],
        pages: 0,
        counts: prepared.counts,
        warnings: Vec::new(),
        reused: Vec::new(),
    };
    let mut stamp = stamp::Stamp {
        inputs: input.inputs_digest.unwrap_or_default().to_string(),
        ..Default::default()
    };
    for (renderer, filled) in options.renderers.iter().zip(&prepared.filled) {
        let written = renderer.write(filled, &target)?;
        let files: Vec<PathBuf> = renderer.files().iter().map(|n| out_dir.join(n)).collect();
        if written.reused {
            report.reused.extend(files.iter().cloned());
        }
        report.files.extend(files);
        report.pages = written.pages.unwrap_or(report.pages);
        if written.toolchain.is_some() {
            stamp.pdf_toolchain = written.toolchain;
            stamp.typst_warnings = written.warnings.clone();
        }
        report.warnings.extend(written.warnings);
        report.warnings.extend(filled.warnings.iter().cloned());
    }
    stamp.write(&dir)?;
    staging.swap_into(out_dir)?;
    Ok(report)
}

/// `p` as messages show it: `out/x/f.typ` rather than `./out/x/f.typ`.
fn for_messages(p: &Path) -> PathBuf {
    p.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
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
