//! Which reader a source file needs, and what the readers of web pages, PDF files and
//! Word files hand back.
//!
//! Plain text and Markdown are decoded character by character ([`super::decode`]);
//! the other formats are taken apart by a reader of their own ([`super::html`],
//! [`super::pdf`], [`super::docx`]) that gives the text it keeps, each character with
//! its span: byte offsets into the file for a web page, into the extracted text for a
//! PDF or Word file.

use std::collections::BTreeMap;
use std::path::Path;

use super::Encoding;
use crate::summit::SourceFormat;
use crate::text::MappedChar;

/// The text a format reader kept, and what it learnt about the document.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    /// The text, each character with its span; block boundaries are
    /// [`crate::text::PARAGRAPH_BREAK`].
    pub chars: Vec<MappedChar>,
    /// Where each page begins (offsets in the extracted text, ascending; the first is 0);
    /// empty when the format has no pages.
    pub pages: Vec<u32>,
    /// What the document says about itself: `title`, `date`, `outlet`, `url`.
    pub metadata: BTreeMap<String, String>,
    /// The encoding the text was read in.
    pub encoding: Option<Encoding>,
    /// Things the user should know about how it was read.
    pub warnings: Vec<String>,
}

/// The reader a file needs: the declared format, else what its bytes and name say.
///
/// A PDF or a zip container is recognised by its first bytes whatever its name; a web
/// page by its name (`.html`, `.htm`) or by opening with `<!DOCTYPE html` or `<html`.
/// `None`: plain text or Markdown, decoded as before.
pub fn reader_for(
    path: &Path,
    bytes: &[u8],
    declared: Option<SourceFormat>,
) -> Option<SourceFormat> {
    match declared {
        Some(f @ (SourceFormat::Html | SourceFormat::Pdf | SourceFormat::Docx)) => return Some(f),
        Some(_) => return None,
        None => {}
    }
    let ext = extension(path);
    if bytes.starts_with(b"%PDF-") || ext == "pdf" {
        return Some(SourceFormat::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") || matches!(ext.as_str(), "docx" | "docm" | "dotx") {
        return Some(SourceFormat::Docx);
    }
    if matches!(ext.as_str(), "html" | "htm" | "xhtml") || looks_like_html(bytes) {
        return Some(SourceFormat::Html);
    }
    None
}

/// The file's extension, lowercased.
pub fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// True when the bytes open (after a BOM and white space) with `<!DOCTYPE html` or
/// `<html`: a whole web page, not Markdown with some inline HTML.
fn looks_like_html(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head: Vec<u8> = bytes[start..]
        .iter()
        .take(20)
        .map(u8::to_ascii_lowercase)
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_by_bytes_name_and_declaration() {
        let p = Path::new;
        assert_eq!(
            reader_for(p("a.txt"), b"%PDF-1.7", None),
            Some(SourceFormat::Pdf)
        );
        assert_eq!(
            reader_for(p("a"), b"PK\x03\x04xx", None),
            Some(SourceFormat::Docx)
        );
        assert_eq!(
            reader_for(p("a.htm"), b"<p>x", None),
            Some(SourceFormat::Html)
        );
        assert_eq!(
            reader_for(p("a.txt"), b"\n <!DOCTYPE HTML><html>", None),
            Some(SourceFormat::Html)
        );
        assert_eq!(reader_for(p("a.md"), b"<div>x</div>", None), None);
        assert_eq!(
            reader_for(p("a.txt"), b"---\ntitle: x\n---\n<p>", None),
            None
        );
        assert_eq!(
            reader_for(p("a.html"), b"<p>", Some(SourceFormat::Markdown)),
            None
        );
    }
}
