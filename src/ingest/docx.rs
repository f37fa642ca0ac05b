//! Word files (`.docx`): the paragraphs of the main document part in order, the
//! paragraphs of table cells each as a paragraph of its own; headers, footers,
//! footnotes and comments live in other parts and are not read, and neither is text
//! deleted under change tracking or the code of a field. Citations index the
//! extracted text: paragraphs separated by a blank line, a manual line break as `\n`.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;

use quick_xml::events::Event;

use super::formats::Extracted;
use crate::error::{Error, Result};
use crate::paths;
use crate::text::MappedChar;
use crate::text::PARAGRAPH_BREAK;

/// Reads the text of a Word file.
pub fn read(path: &Path, bytes: &[u8]) -> Result<Extracted> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        Error::input(
            path,
            format!("is not a Word (.docx) file: it is not a zip archive ({e}); a .doc from Word 97–2003 must be saved as .docx first"),
        )
    })?;
    let document = part(path, &mut zip, "word/document.xml")?.ok_or_else(|| {
        Error::input(
            path,
            "is a zip archive but not a Word document (it has no word/document.xml)",
        )
    })?;
    let paragraphs = paragraphs(&document).map_err(|e| {
        Error::input(
            path,
            format!("is a damaged Word file: word/document.xml {e}"),
        )
    })?;
    let mut text = String::new();
    let mut chars = Vec::new();
    for p in paragraphs.iter().filter(|p| !p.trim().is_empty()) {
        if !text.is_empty() {
            let at = text.len() as u32;
            text.push_str("\n\n");
            chars.push(MappedChar::new(PARAGRAPH_BREAK, at, at + 2));
        }
        for c in p.chars() {
            let at = text.len() as u32;
            text.push(c);
            chars.push(MappedChar::new(c, at, text.len() as u32));
        }
    }
    if !text.chars().any(char::is_alphanumeric) {
        return Err(Error::input(path, "is a Word file with no text in it"));
    }
    let metadata = match part(path, &mut zip, "docProps/core.xml") {
        Ok(Some(core)) => core_properties(&core),
        _ => BTreeMap::new(),
    };
    Ok(Extracted {
        chars,
        pages: Vec::new(),
        metadata,
        encoding: None,
        warnings: Vec::new(),
    })
}

/// One part of the package, at most as large as an input file may be; `None` when the
/// package has no such part.
fn part(
    path: &Path,
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<Vec<u8>>> {
    let cap = paths::max_file_bytes();
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(Error::input(
                path,
                format!("is a damaged Word file: {name} cannot be read ({e})"),
            ));
        }
    };
    let mut out = Vec::new();
    entry.take(cap + 1).read_to_end(&mut out).map_err(|e| {
        Error::input(
            path,
            format!("is a damaged Word file: {name} cannot be read ({e})"),
        )
    })?;
    if out.len() as u64 > cap {
        return Err(Error::input(
            path,
            format!(
                "holds a {name} larger than {} MB once unpacked, the most one input may hold (set {} to raise the limit)",
                cap / (1024 * 1024),
                paths::MAX_MB_VAR
            ),
        ));
    }
    Ok(Some(out))
}

/// The paragraphs of `word/document.xml`, in document order.
fn paragraphs(xml: &[u8]) -> std::result::Result<Vec<String>, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut walk = Walk::default();
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("is not well-formed XML ({e})"))?;
        match event {
            Event::Start(e) => walk.start(e.name().as_ref()),
            Event::Empty(e) => walk.empty(e.name().as_ref()),
            Event::End(e) => walk.end(e.name().as_ref()),
            Event::Text(t) => {
                if let Some(p) = walk.text_target() {
                    let s = t
                        .decode()
                        .map_err(|e| format!("holds text that is not UTF-8 ({e})"))?;
                    p.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(p) = walk.text_target() {
                    let name = r
                        .decode()
                        .map_err(|e| format!("holds text that is not UTF-8 ({e})"))?;
                    p.push(
                        entity(&name)
                            .ok_or_else(|| format!("holds an unknown reference &{name};"))?,
                    );
                }
            }
            Event::CData(t) => {
                if let Some(p) = walk.text_target() {
                    p.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(walk.out)
}

/// Where the walk through `word/document.xml` is.
#[derive(Default)]
struct Walk {
    /// The paragraphs finished.
    out: Vec<String>,
    /// Paragraphs being read (a text box inside a paragraph holds paragraphs of its own).
    open: Vec<String>,
    /// Inside an element whose text is not document text (deleted text, field codes,
    /// the fallback copy of a drawing).
    skip_depth: usize,
    in_text: bool,
}

impl Walk {
    fn start(&mut self, local: &[u8]) {
        if self.skip_depth > 0 || skipped(local) {
            self.skip_depth += 1;
        } else if local == b"w:p" {
            self.open.push(String::new());
        } else if local == b"w:t" {
            self.in_text = true;
        }
    }

    fn empty(&mut self, local: &[u8]) {
        if self.skip_depth == 0
            && let Some(p) = self.open.last_mut()
        {
            match local {
                b"w:tab" | b"w:ptab" => p.push('\t'),
                b"w:br" | b"w:cr" => p.push('\n'),
                b"w:noBreakHyphen" => p.push('\u{2011}'),
                _ => {}
            }
        }
        if local == b"w:p" && self.skip_depth == 0 {
            self.out.push(String::new());
        }
    }

    fn end(&mut self, local: &[u8]) {
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
        } else if local == b"w:p" {
            if let Some(p) = self.open.pop() {
                self.out.push(p);
            }
        } else if local == b"w:t" {
            self.in_text = false;
        }
    }

    /// The paragraph document text goes into now, if any.
    fn text_target(&mut self) -> Option<&mut String> {
        if self.in_text && self.skip_depth == 0 {
            self.open.last_mut()
        } else {
            None
        }
    }
}

/// Elements whose content is not the document's text.
fn skipped(name: &[u8]) -> bool {
    matches!(
        name,
        b"w:del"
            | b"w:delText"
            | b"w:instrText"
            | b"w:delInstrText"
            | b"mc:Fallback"
            | b"w:commentReference"
    )
}

/// An XML character or entity reference (`amp`, `#20013`, `#x56FD`).
fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// Title and creation date from `docProps/core.xml`.
fn core_properties(xml: &[u8]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut current: Option<&'static str> = None;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                current = match e.name().as_ref() {
                    b"dc:title" => Some("title"),
                    b"dcterms:created" => Some("date"),
                    _ => None,
                };
            }
            Ok(Event::Text(t)) => {
                if let (Some(key), Ok(s)) = (current, t.decode()) {
                    let s = crate::text::without_controls(s.trim());
                    if !s.is_empty() {
                        out.entry(key.to_string()).or_insert(s);
                    }
                }
            }
            Ok(Event::End(_)) => current = None,
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_tables_and_what_is_left_out() {
        let xml = r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
<w:p><w:r><w:t>第一段，</w:t></w:r><w:r><w:t xml:space="preserve">续&amp;完。</w:t></w:r></w:p>
<w:p><w:r><w:t>删</w:t></w:r><w:del><w:r><w:delText>去掉</w:delText></w:r></w:del><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:br/><w:t>行</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>格一</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>格二</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p/><w:p><w:commentReference w:id="1"/><w:r><w:t>末段。</w:t></w:r></w:p>
</w:body></w:document>"#;
        let paras = paragraphs(xml.as_bytes()).unwrap();
        assert_eq!(
            paras,
            ["第一段，续&完。", "删\n行", "格一", "格二", "", "末段。"]
        );
    }
}
