//! The printable fact sheet: `factsheet.typ` filled from `templates/factsheet.typ.j2`
//! and compiled by the typst CLI into `factsheet.pdf`, with the project's fonts only.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::fonts::{self, FontSet};
use super::stamp::{self, Stamp};
use super::typst::{self, Typst};
use super::{Context, Escape, Filled, Renderer, Target, Written, for_messages};
use crate::error::{Error, Result};

/// Where a .typ that typst rejected is kept, next to the outputs, for the diagnostics
/// to point at.
pub const FAILED_TYP: &str = "factsheet.failed.typ";

const TYP: &str = "factsheet.typ";
const PDF: &str = "factsheet.pdf";

/// Writes `factsheet.typ` (every value escaped for typst markup, and every character
/// no font can draw shown as `[U+XXXX]` and reported) and compiles it into
/// `factsheet.pdf`.
#[derive(Debug, Clone)]
pub struct PdfRenderer {
    /// The typst CLI; without it the template can be filled but not compiled.
    pub typst: Option<Typst>,
    /// The project's fonts and what they can draw.
    pub fonts: FontSet,
    coverage: Arc<fonts::Coverage>,
}

impl PdfRenderer {
    /// A PDF renderer compiling with `typst` and `fonts`.
    pub fn new(typst: Option<Typst>, fonts: FontSet) -> Self {
        let coverage = Arc::new(fonts.coverage.clone());
        PdfRenderer {
            typst,
            fonts,
            coverage,
        }
    }
}

impl Renderer for PdfRenderer {
    fn name(&self) -> &'static str {
        "pdf"
    }

    fn files(&self) -> &'static [&'static str] {
        &[TYP, PDF]
    }

    fn template(&self) -> &'static str {
        "factsheet.typ.j2"
    }

    fn escape(&self) -> Escape {
        Escape::Typst(Arc::clone(&self.coverage))
    }

    /// The .typ, and the characters no font can draw: in values (each printed as
    /// `[U+XXXX]`) and in the templates' own text (which would print as a box).
    fn fill(&self, ctx: &Context) -> Result<Filled> {
        let text = super::fill_template(ctx, self.template(), self.escape(), &self.data(ctx))?;
        let mut missing = fonts::missing_characters(&self.coverage, ctx.shown);
        // Escaped values cannot hold an uncovered character any more (they are replaced
        // by a placeholder), so whatever is left comes from the templates' own text.
        for (i, line) in text.lines().enumerate() {
            let origin = format!("line {} of {TYP} (template text)", i + 1);
            fonts::missing_in_template(&self.coverage, line, &origin, &mut missing);
        }
        Ok(Filled {
            text,
            warnings: missing.iter().map(ToString::to_string).collect(),
        })
    }

    fn write(&self, filled: &Filled, target: &Target) -> Result<Written> {
        let typst = self
            .typst
            .as_ref()
            .ok_or_else(|| Error::Typst("the PDF needs typst, and none was given".to_string()))?;
        let typ = target.dir.join(TYP);
        std::fs::write(&typ, &filled.text).map_err(|e| Error::io(&typ, e))?;
        let timestamp = crate::summit::unix_seconds(target.date).ok_or_else(|| {
            Error::Failed(format!(
                "summit date {:?} is not YYYY-MM-DD; it sets the PDF's creation date",
                target.date
            ))
        })?;
        let toolchain = stamp::pdf_toolchain(&self.fonts.dir, typst, timestamp);
        if let (Some(previous), Some(tc)) = (target.previous, &toolchain)
            && previous.reusable_pdf(target.out_dir, [TYP, PDF], &filled.text, tc)
        {
            return take_over(target, previous, toolchain.clone());
        }
        let warnings = self.compile(typst, filled, target, timestamp)?;
        let pdf_path = target.dir.join(PDF);
        let pdf = std::fs::read(&pdf_path).map_err(|e| Error::io(&pdf_path, e))?;
        Ok(Written {
            pages: Some(super::count_pdf_pages(&pdf)),
            warnings,
            reused: false,
            toolchain,
        })
    }
}

impl PdfRenderer {
    /// Runs typst on the .typ in `target.dir`; its warnings, as the user reads them.
    fn compile(
        &self,
        typst: &Typst,
        filled: &Filled,
        target: &Target,
        timestamp: i64,
    ) -> Result<Vec<String>> {
        let typ = target.dir.join(TYP);
        let failed_typ = target.out_dir.join(FAILED_TYP);
        let font_dir = absolute(&self.fonts.dir);
        let job = typst::Job {
            dir: target.dir,
            input: TYP,
            output: PDF,
            font_dir: &font_dir,
            timestamp,
            shown_as: &for_messages(&failed_typ),
            source: &filled.text,
        };
        let diagnostics = typst::compile(typst, &job).inspect_err(|e| {
            // Keep the rejected file where the diagnostics point; the outputs stay untouched.
            if typst::blames_the_file(e) {
                let _ = std::fs::rename(&typ, &failed_typ);
            }
        })?;
        // The typst version warning is the caller's to show, once per run.
        let typ_path = for_messages(&target.out_dir.join(TYP));
        Ok(diagnostics
            .iter()
            .map(|d| {
                let shown = typst::format_diagnostic(d, TYP, &typ_path, &filled.text);
                format!("typst: {shown}")
            })
            .collect())
    }
}

/// The previous build's PDF, copied into the new set: typst would make the same file.
fn take_over(target: &Target, previous: &Stamp, toolchain: Option<String>) -> Result<Written> {
    let from = target.out_dir.join(PDF);
    let to = target.dir.join(PDF);
    std::fs::copy(&from, &to).map_err(|e| Error::io(&from, e))?;
    let pdf = std::fs::read(&to).map_err(|e| Error::io(&to, e))?;
    Ok(Written {
        pages: Some(super::count_pdf_pages(&pdf)),
        warnings: previous.typst_warnings.clone(),
        reused: true,
        toolchain,
    })
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
