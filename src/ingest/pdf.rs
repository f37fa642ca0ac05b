//! PDF files: the text layer, read with `lopdf` (the file) and `pdf-extract` (the
//! content streams, fonts and ToUnicode maps, so Chinese text in embedded CID fonts
//! comes out as characters), laid out again from the position of every glyph:
//!
//! - glyphs on one baseline make a line, in the order the page draws them (the reading
//!   order of almost every producer); rotated glyphs (watermarks) are left out; a gap
//!   wider than a space between two Latin letters or digits is a space, a gap between
//!   Chinese characters (justification) is not;
//! - the top and bottom lines of a page that repeat on at least half the pages (running
//!   headers and footers, page numbers set aside) and lines that are only a page number
//!   are dropped;
//! - a line that runs to the right margin goes on in the next line (`\n` in the
//!   extracted text), unless it ends a sentence and the next line is indented; after a
//!   shorter line, a change of size or a wider gap the text gets a blank line, and the
//!   normaliser decides as for `pdf-text` sources whether the sentence goes on
//!   (`坚定支持各` / `国维护`). Across pages alike: the footer and header between are gone.
//!
//! Citations of a PDF index this extracted text, and carry the page they are on.
//! A file with no text layer (a scan) or that needs a password is refused: no OCR.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{LazyLock, Once};

use regex::Regex;

use super::formats::Extracted;
use crate::error::{Error, Result};
use crate::text::MappedChar;

/// Reads the text layer of a PDF file.
pub fn read(path: &Path, bytes: &[u8]) -> Result<Extracted> {
    let damaged = |why: String| {
        Error::input(
            path,
            format!("is a damaged or truncated PDF file ({why}); save or download it again"),
        )
    };
    let mut doc = open(path, bytes, &damaged)?;
    fix_cid_widths(&mut doc);
    let page_count = doc.get_pages().len();
    if page_count == 0 {
        return Err(damaged("it has no pages".to_string()));
    }
    let mut collector = Collector::default();
    quietly(|| pdf_extract::output_doc(&doc, &mut collector))
        .map_err(|_| damaged("a page could not be read".to_string()))?
        .map_err(|e| damaged(format!("{e:?}")))?;
    let pages: Vec<Vec<Line>> = collector.pages.iter().map(|p| lines(p)).collect();
    if !pages
        .iter()
        .flatten()
        .any(|l| l.text.chars().any(char::is_alphanumeric))
    {
        return Err(no_text_layer(path, page_count));
    }
    let pages = drop_running_lines(pages);
    let (chars, starts) = lay_out(&pages);
    Ok(Extracted {
        chars,
        pages: starts,
        metadata: metadata(&doc),
        encoding: None,
        warnings: Vec::new(),
    })
}

/// The PDF document in `bytes`, unless it is no PDF, damaged or encrypted.
fn open(path: &Path, bytes: &[u8], damaged: &dyn Fn(String) -> Error) -> Result<lopdf::Document> {
    if !bytes.starts_with(b"%PDF-")
        && !bytes[..bytes.len().min(1024)]
            .windows(5)
            .any(|w| w == b"%PDF-")
    {
        return Err(Error::input(
            path,
            "is not a PDF file (it does not start with %PDF-)",
        ));
    }
    let doc = quietly(|| lopdf::Document::load_mem(bytes))
        .map_err(|_| damaged("its structure could not be read".to_string()))?
        .map_err(|e| damaged(e.to_string()))?;
    if doc.is_encrypted() && !doc.was_encrypted() {
        return Err(Error::input(
            path,
            "is an encrypted PDF that needs a password to open; factsheet does not read encrypted files: save a copy without a password (for example with `qpdf --decrypt --password=… in.pdf out.pdf`) and use that",
        ));
    }
    Ok(doc)
}

/// The error for a PDF of `page_count` pages without text (a scan).
fn no_text_layer(path: &Path, page_count: usize) -> Error {
    Error::input(
        path,
        format!(
            "has no text layer ({}: a scan?); factsheet reads the text of PDF files and does no OCR: use the publisher's text version, or run OCR first (for example `ocrmypdf -l chi_sim`)",
            if page_count == 1 {
                "its page holds no text".to_string()
            } else {
                format!("none of its {page_count} pages holds text")
            }
        ),
    )
}

/// Rewrites the `first last width` runs of every CID font's `/W` array into the
/// `first [width …]` form. pdf-extract 0.12 misreads the first form (it takes `last`
/// and `width` from the wrong slots), so every glyph of a font written that way — all
/// of typst's — gets the default width (0 in typst's files) and no line has an end.
fn fix_cid_widths(doc: &mut lopdf::Document) {
    use lopdf::Object;
    let cid_fonts: Vec<lopdf::ObjectId> = doc
        .objects
        .iter()
        .filter(|(_, o)| {
            o.as_dict().is_ok_and(|d| {
                d.get(b"Subtype")
                    .and_then(Object::as_name)
                    .is_ok_and(|n| n == b"CIDFontType0" || n == b"CIDFontType2")
            })
        })
        .map(|(id, _)| *id)
        .collect();
    for id in cid_fonts {
        let Ok(w) = doc
            .get_object(id)
            .and_then(Object::as_dict)
            .and_then(|d| d.get(b"W"))
            .cloned()
        else {
            continue;
        };
        let (holder, array) = match &w {
            Object::Reference(r) => match doc.get_object(*r).and_then(Object::as_array) {
                Ok(a) => (Some(*r), a.clone()),
                Err(_) => continue,
            },
            Object::Array(a) => (None, a.clone()),
            _ => continue,
        };
        let Some(fixed) = expand_width_runs(doc, &array) else {
            continue;
        };
        match holder {
            Some(r) => {
                if let Ok(obj) = doc.get_object_mut(r) {
                    *obj = Object::Array(fixed);
                }
            }
            None => {
                if let Ok(d) = doc.get_object_mut(id).and_then(Object::as_dict_mut) {
                    d.set("W", Object::Array(fixed));
                }
            }
        }
    }
}

/// A `/W` array with every `first last width` run written as `first [width …]`;
/// `None` when there is no such run or the array is not well formed.
fn expand_width_runs(doc: &lopdf::Document, w: &[lopdf::Object]) -> Option<Vec<lopdf::Object>> {
    use lopdf::Object;
    let num = |o: &Object| -> Option<f64> {
        let o = match o {
            Object::Reference(r) => doc.get_object(*r).ok()?,
            o => o,
        };
        match o {
            Object::Integer(i) => Some(*i as f64),
            Object::Real(r) => Some(*r as f64),
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(w.len());
    let mut changed = false;
    let mut i = 0;
    while i < w.len() {
        let first = w.get(i)?;
        match w.get(i + 1)? {
            Object::Array(_) | Object::Reference(_) if num(w.get(i + 1)?).is_none() => {
                out.push(first.clone());
                out.push(w[i + 1].clone());
                i += 2;
            }
            _ => {
                let (a, b, width) = (num(first)?, num(w.get(i + 1)?)?, num(w.get(i + 2)?)?);
                let n = (b - a) as i64 + 1;
                if a < 0.0 || !(1..=65_536).contains(&n) {
                    return None;
                }
                out.push(Object::Integer(a as i64));
                out.push(Object::Array(vec![Object::Real(width as f32); n as usize]));
                changed = true;
                i += 3;
            }
        }
    }
    changed.then_some(out)
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic inside it into an `Err` without printing it: the PDF
/// libraries assume well-formed files, and a damaged one must be an error naming the
/// file, never a crash.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result
}

/// One glyph as drawn: its text, where it starts and ends, and its size (PDF units).
#[derive(Debug, Clone)]
struct Glyph {
    text: String,
    x: f64,
    end: f64,
    y: f64,
    size: f64,
}

/// Receives every glyph pdf-extract draws, page by page.
#[derive(Default)]
struct Collector {
    pages: Vec<Vec<Glyph>>,
}

impl pdf_extract::OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        _media_box: &pdf_extract::MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> std::result::Result<(), pdf_extract::OutputError> {
        self.pages.push(Vec::new());
        Ok(())
    }

    fn end_page(&mut self) -> std::result::Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> std::result::Result<(), pdf_extract::OutputError> {
        // The font size in page units: the side of a square of the same area as the
        // transformed em square.
        let sx = font_size * trm.m11 + font_size * trm.m21;
        let sy = font_size * trm.m12 + font_size * trm.m22;
        let size = (sx * sy).abs().sqrt();
        let (x, y) = (trm.m31, trm.m32);
        if !(x.is_finite() && y.is_finite() && size.is_finite()) || text.is_empty() {
            return Ok(());
        }
        // Rotated text is a watermark or a margin note (机密, 内部资料), not the body.
        if trm.m12.abs() > 0.1 * trm.m11.abs() || trm.m21.abs() > 0.1 * trm.m22.abs() {
            return Ok(());
        }
        let text: String = text
            .chars()
            .filter(|c| *c != '\u{FFFD}' && (!c.is_control() || *c == '\t'))
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        if let Some(page) = self.pages.last_mut() {
            page.push(Glyph {
                text,
                x,
                end: x + width * size,
                y,
                size: if size > 0.0 { size } else { 1.0 },
            });
        }
        Ok(())
    }

    fn begin_word(&mut self) -> std::result::Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> std::result::Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> std::result::Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

/// A line of text on a page.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
}

fn is_cjk(c: char) -> bool {
    crate::text::is_chinese(c)
}

/// Groups a page's glyphs into lines: a glyph off the current baseline by more than
/// half its size starts a new line.
fn lines(glyphs: &[Glyph]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut current: Option<Line> = None;
    for g in glyphs {
        let blank = g.text.chars().all(char::is_whitespace);
        let same_line = current.as_ref().is_some_and(|l| {
            (g.y - l.y).abs() <= 0.5 * g.size.max(l.size) && g.x >= l.x1 - 3.0 * g.size
        });
        if !same_line {
            if blank {
                continue;
            }
            if let Some(l) = current.take() {
                out.push(l);
            }
            current = Some(Line {
                text: String::new(),
                x0: g.x,
                x1: g.x,
                y: g.y,
                size: g.size,
            });
        }
        let line = current.as_mut().expect("a line was just started");
        if blank {
            if !line.text.is_empty() && !line.text.ends_with(' ') {
                line.text.push(' ');
            }
            continue;
        }
        let prev = line.text.chars().last();
        let next = g.text.chars().next();
        let gap = g.x - line.x1;
        if let (Some(p), Some(n)) = (prev, next)
            && p != ' '
            && !is_cjk(p)
            && !is_cjk(n)
            && gap > 0.15 * g.size
        {
            line.text.push(' ');
        }
        line.text.push_str(&g.text);
        line.x1 = line.x1.max(g.end);
        line.size = line.size.max(g.size);
    }
    out.extend(current);
    for l in &mut out {
        let trimmed = l.text.trim_end().len();
        l.text.truncate(trimmed);
    }
    out.retain(|l| !l.text.trim().is_empty());
    out
}

/// A page number on its own: `3`, `- 3 -`, `— 3 —`, `第 3 页`, `3 / 10`, `Page 3 of 10`.
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:[-—–·•\[(（]?\d{1,4}[-—–·•\])）]?|第\d{1,4}页(?:[，,/]?共\d{1,4}页)?|\d{1,4}/\d{1,4}|(?:page|p\.?)\d{1,4}(?:of\d{1,4})?)$",
    )
    .expect("valid regex")
});

/// Leaves out running headers and footers: among the two top and two bottom lines of
/// each page, those that repeat (digits aside) on at least half the pages, and those
/// that are only a page number.
fn drop_running_lines(pages: Vec<Vec<Line>>) -> Vec<Vec<Line>> {
    let key = |l: &Line| -> String {
        l.text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    let edges = |page: &[Line]| -> Vec<usize> {
        let mut order: Vec<usize> = (0..page.len()).collect();
        order.sort_by(|&a, &b| page[b].y.total_cmp(&page[a].y));
        let mut out: Vec<usize> = order.iter().take(2).copied().collect();
        out.extend(order.iter().rev().take(2));
        out.sort_unstable();
        out.dedup();
        out
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for page in &pages {
        let mut seen: Vec<String> = edges(page).iter().map(|&i| key(&page[i])).collect();
        seen.sort();
        seen.dedup();
        for k in seen {
            *counts.entry(k).or_default() += 1;
        }
    }
    let needed = pages.len().div_ceil(2).max(2);
    pages
        .into_iter()
        .map(|page| {
            let drop: Vec<usize> = edges(&page)
                .into_iter()
                .filter(|&i| {
                    let compact: String = page[i]
                        .text
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    PAGE_NUMBER.is_match(&compact)
                        || counts.get(&key(&page[i])).copied().unwrap_or(0) >= needed
                })
                .collect();
            page.into_iter()
                .enumerate()
                .filter(|(i, _)| !drop.contains(i))
                .map(|(_, l)| l)
                .collect()
        })
        .collect()
}

/// The most common value of `values` rounded to whole units.
fn mode(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v.round() as i64).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(v, _)| v as f64)
}

/// The extracted text: lines of a paragraph joined by `\n`, anything else by a blank
/// line; and where each page begins in it.
fn lay_out(pages: &[Vec<Line>]) -> (Vec<MappedChar>, Vec<u32>) {
    let all = || pages.iter().flatten();
    // Most lines start at the left margin; the right margin is where the longest
    // lines end (justified lines stop a little short of it when they end in a
    // compressed punctuation mark, so it is not the commonest end).
    let left = mode(all().map(|l| l.x0)).unwrap_or(0.0);
    let mut ends: Vec<f64> = all().map(|l| l.x1).collect();
    ends.sort_by(f64::total_cmp);
    let right = ends.get(ends.len() * 9 / 10).copied().unwrap_or(0.0);
    let mut gaps: Vec<f64> = pages
        .iter()
        .flat_map(|p| p.windows(2).map(|w| w[0].y - w[1].y))
        .filter(|g| *g > 0.0)
        .collect();
    gaps.sort_by(f64::total_cmp);
    let leading = gaps.get(gaps.len() / 2).copied();

    let mut text = String::new();
    let mut starts = Vec::with_capacity(pages.len());
    let mut prev: Option<&Line> = None;
    for page in pages {
        for (i, line) in page.iter().enumerate() {
            if let Some(a) = prev {
                let b = line;
                let size = a.size.max(b.size);
                let indented = b.x0 > left + 0.8 * size;
                let short = a.x1 < right - 1.5 * size;
                let resized = (a.size - b.size).abs() > 0.15 * size;
                let far = i > 0 && leading.is_some_and(|l| a.y - b.y > 1.7 * l);
                // A line that runs to the margin goes on in the next one, unless it
                // ends a sentence and the next is indented (a new paragraph); a
                // centred title's last line is indented but continues it.
                let ends_sentence = a
                    .text
                    .trim_end_matches(crate::text::is_closer)
                    .ends_with(crate::text::is_terminator);
                text.push('\n');
                if short || resized || far || (indented && ends_sentence) {
                    text.push('\n');
                }
            }
            if i == 0 {
                starts.push(text.len() as u32);
            }
            text.push_str(&line.text);
            prev = Some(line);
        }
        if page.is_empty() {
            starts.push(text.len() as u32);
        }
    }
    let chars = text
        .char_indices()
        .map(|(i, c)| MappedChar::new(c, i as u32, (i + c.len_utf8()) as u32))
        .collect();
    // The first page begins at 0 even when it holds no text.
    if let Some(first) = starts.first_mut() {
        *first = 0;
    }
    (chars, starts)
}

/// Title and date from the document information dictionary.
fn metadata(doc: &lopdf::Document) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let info = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok());
    let Some(info) = info else {
        return out;
    };
    let string = |key: &[u8]| -> Option<String> {
        let bytes = info.get(key).ok()?.as_str().ok()?;
        let s = match bytes.strip_prefix(b"\xFE\xFF") {
            Some(be) => {
                let units: Vec<u16> = be
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
            None => bytes.iter().map(|&b| b as char).collect(),
        };
        let s = crate::text::without_controls(s.trim());
        (!s.is_empty()).then_some(s)
    };
    // Word's PDF export names the file it came from: "Microsoft Word - 讲话.docx".
    if let Some(t) = string(b"Title") {
        let t = t.strip_prefix("Microsoft Word - ").unwrap_or(&t);
        let t = [".docx", ".doc", ".wps", ".pdf"]
            .iter()
            .find_map(|ext| t.strip_suffix(ext))
            .unwrap_or(t)
            .trim();
        if !t.is_empty() {
            out.insert("title".to_string(), t.to_string());
        }
    }
    if let Some(d) = string(b"CreationDate") {
        let digits = d.trim_start_matches("D:");
        if digits.len() >= 8 && digits[..8].bytes().all(|b| b.is_ascii_digit()) {
            let date = format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..8]);
            if crate::summit::check_date(&date).is_ok() {
                out.insert("date".to_string(), date);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, x0: f64, x1: f64, y: f64) -> Line {
        Line {
            text: text.to_string(),
            x0,
            x1,
            y,
            size: 10.0,
        }
    }

    #[test]
    fn page_numbers() {
        for yes in [
            "3",
            "-3-",
            "—12—",
            "第3页",
            "第3页共10页",
            "3/10",
            "Page3of10",
            "(3)",
        ] {
            assert!(PAGE_NUMBER.is_match(yes), "{yes}");
        }
        for no in ["2023年", "3300多公里", "一、", "3.5"] {
            assert!(!PAGE_NUMBER.is_match(no), "{no}");
        }
    }

    #[test]
    fn running_headers_and_footers_go() {
        let page = |n: usize, body: &str| {
            vec![
                line("中国—中亚峰会", 50.0, 150.0, 800.0),
                line(body, 50.0, 500.0, 700.0),
                line(&format!("— {n} —"), 280.0, 300.0, 40.0),
            ]
        };
        let pages = drop_running_lines(vec![page(1, "甲，"), page(2, "乙。"), page(3, "丙。")]);
        let texts: Vec<&str> = pages.iter().flatten().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["甲，", "乙。", "丙。"]);
    }

    #[test]
    fn paragraphs_from_the_layout() {
        let pages = vec![
            vec![
                line("第一段第一行，", 70.0, 500.0, 700.0),
                line("第一段第二行。", 50.0, 300.0, 685.0),
                line("第二段，很长", 70.0, 500.0, 670.0),
            ],
            vec![line("接着第二段。", 50.0, 200.0, 700.0)],
        ];
        let (chars, starts) = lay_out(&pages);
        let text: String = chars.iter().map(|c| c.ch).collect();
        assert_eq!(
            text,
            "第一段第一行，\n第一段第二行。\n\n第二段，很长\n接着第二段。"
        );
        assert_eq!(starts, [0, text.find("接着").unwrap() as u32]);
    }
}
