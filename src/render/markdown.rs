//! The Markdown twin of the fact sheet: `factsheet.md`.

use super::{Escape, Filled, Renderer, Target, Written};
use crate::error::{Error, Result};

/// Writes `factsheet.md` from `templates/factsheet.md.j2`, every value Markdown-escaped.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownRenderer;

impl Renderer for MarkdownRenderer {
    fn name(&self) -> &'static str {
        "md"
    }

    fn files(&self) -> &'static [&'static str] {
        &["factsheet.md"]
    }

    fn template(&self) -> &'static str {
        "factsheet.md.j2"
    }

    fn escape(&self) -> Escape {
        Escape::Markdown
    }

    fn write(&self, filled: &Filled, target: &Target) -> Result<Written> {
        let path = target.dir.join(self.files()[0]);
        std::fs::write(&path, &filled.text).map_err(|e| Error::io(&path, e))?;
        Ok(Written::default())
    }
}
