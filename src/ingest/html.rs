//! Web pages as browsers save them: the page is decoded in the charset it declares,
//! parsed with html5ever (through `dom_query`), and only its article body is kept, as
//! chosen by `dom_smoothie`, a port of Mozilla's Readability (the reader view of
//! Firefox): menus, breadcrumbs, share bars, related links and footers are left out.
//!
//! Every character kept still knows its byte span in the HTML file: the article's text
//! nodes are found again, in order, in the text of the file itself (tags, comments,
//! scripts and styles skipped, character references decoded), so a citation points at
//! the bytes of the page the user has.

use std::collections::BTreeMap;
use std::path::Path;

use dom_query::{Document, NodeRef};

use super::Encoding;
use super::decode::{finish, gb18030_chars, push_char, utf8_chars};
use super::formats::Extracted;
use super::tags::{TagReading, text_between_tags};
use crate::error::{Error, Result};
use crate::text::MappedChar;
use crate::text::PARAGRAPH_BREAK;

/// Reads a saved web page: its article body and what its `<head>` says about it.
pub fn read(path: &Path, bytes: &[u8]) -> Result<Extracted> {
    let (encoding, chars) = decode_page(path, bytes)?;
    let text: String = chars.iter().map(|c| c.ch).collect();
    let metadata = metadata(&Document::from(text.as_str()));
    let mut warnings = Vec::new();
    let pieces = match article(&text) {
        Some(html) => pieces(&Document::from(html.as_str())),
        None => {
            warnings.push(format!(
                "{}: no article body found in the page; its whole <body> is read",
                path.display()
            ));
            let doc = Document::from(text.as_str());
            let body = doc.select("body");
            match body.nodes().first() {
                Some(node) => {
                    let mut out = Vec::new();
                    walk(node, &mut out);
                    out
                }
                None => Vec::new(),
            }
        }
    };
    let source = text_positions(&chars);
    let (kept, missed) = align(&source, &pieces);
    if missed > 0 {
        warnings.push(format!(
            "{}: {missed} piece(s) of the article text could not be found in the file; their citations point at the text just before them",
            path.display()
        ));
    }
    if !kept
        .iter()
        .any(|c| !c.ch.is_whitespace() && c.ch != PARAGRAPH_BREAK)
    {
        return Err(Error::input(
            path,
            "is a web page with no article text (nothing left once menus, scripts and footers are set aside)",
        ));
    }
    Ok(Extracted {
        chars: kept,
        pages: Vec::new(),
        metadata,
        encoding: Some(encoding),
        warnings,
    })
}

/// The page's metadata: title, date, outlet and address, from the `<head>`.
pub fn metadata(doc: &Document) -> BTreeMap<String, String> {
    let meta = |attr: &str, names: &[&str]| {
        names.iter().find_map(|n| {
            let sel = doc.select(&format!("meta[{attr}=\"{n}\" i]"));
            sel.nodes()
                .iter()
                .filter_map(|node| node.attr("content"))
                .map(|c| clean(&c))
                .find(|c| !c.is_empty())
        })
    };
    let mut out = BTreeMap::new();
    let title = meta("property", &["og:title"])
        .or_else(|| meta("name", &["twitter:title", "title", "ArticleTitle"]))
        .or_else(|| {
            let t = without_site_name(&clean(&doc.select("head title").text()));
            (!t.is_empty()).then_some(t)
        });
    let date = meta("property", &["article:published_time", "og:published_time"]).or_else(|| {
        meta(
            "name",
            &[
                "publishdate",
                "PubDate",
                "pubdate",
                "publish_date",
                "publication_date",
                "article:published_time",
                "dc.date",
                "date",
            ],
        )
    });
    let outlet = meta("property", &["og:site_name"])
        .or_else(|| meta("name", &["og:site_name", "source", "author"]));
    let url = meta("property", &["og:url"]).or_else(|| {
        doc.select("link[rel=\"canonical\" i]")
            .attr("href")
            .map(|h| clean(&h))
            .filter(|h| !h.is_empty())
    });
    for (key, value) in [
        ("title", title),
        ("date", date),
        ("outlet", outlet),
        ("url", url),
    ] {
        if let Some(v) = value {
            out.insert(key.to_string(), v);
        }
    }
    out
}

/// A `<title>` without the section and site names outlets append to it
/// (`标题_要闻_证券时报网`, `标题 - 新华网`, `标题 | 人民网`).
fn without_site_name(title: &str) -> String {
    for sep in ["_", " - ", " | ", " – ", " — "] {
        if let Some((head, _)) = title.split_once(sep)
            && head.trim().chars().count() >= 6
        {
            return head.trim().to_string();
        }
    }
    title.to_string()
}

/// White space collapsed, controls dropped.
fn clean(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !crate::text::is_unsafe_control(*c))
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The article body chosen by the main-content extractor, as HTML; `None` when it
/// finds none.
fn article(html: &str) -> Option<String> {
    let mut readability = dom_smoothie::Readability::new(html, None, None).ok()?;
    let article = readability.parse().ok()?;
    Some(article.content.to_string())
}

/// One piece of the article: a text node's text, or a block boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Break,
}

/// Elements whose boundaries are paragraph breaks.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Elements that hold no reading text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe", "object",
    "button", "select", "textarea",
];

/// The article's text nodes and block boundaries, in document order.
fn pieces(doc: &Document) -> Vec<Piece> {
    let mut out = Vec::new();
    walk(&doc.root(), &mut out);
    out
}

fn walk(node: &NodeRef, out: &mut Vec<Piece>) {
    for child in node.children_it(false) {
        if child.is_text() {
            let t = child.text().to_string();
            if !t.is_empty() {
                out.push(Piece::Text(t));
            }
        } else if child.is_element() {
            let name = child
                .node_name()
                .map(|n| n.to_ascii_lowercase())
                .unwrap_or_default();
            if SKIPPED.contains(&name.as_str()) {
                continue;
            }
            let block = BLOCKS.contains(&name.as_str());
            if block {
                out.push(Piece::Break);
            }
            walk(&child, out);
            if block {
                out.push(Piece::Break);
            }
        } else if child.is_document() || child.is_fragment() {
            walk(&child, out);
        }
    }
}

/// Elements whose content is raw text, not markup.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// The characters of the file that are text of the page: outside tags, comments and
/// raw-text elements, with character references decoded (each spanning its whole
/// reference).
fn text_positions(chars: &[MappedChar]) -> Vec<MappedChar> {
    let how = TagReading {
        skipped: RAW_TEXT,
        blocks: &[],
        lt_ends_tag: false,
        reference,
    };
    text_between_tags(chars, &how)
}

/// A character reference at the start of `chars` (`&amp;`, `&#20013;`, `&#x56FD;`, or a
/// legacy one without `;` such as `&nbsp`): the characters and how many chars it used.
fn reference(chars: &[MappedChar]) -> Option<(Vec<char>, usize)> {
    let mut body: String = chars
        .iter()
        .skip(1)
        .take(40)
        .take_while(|c| c.ch.is_ascii_alphanumeric() || c.ch == '#')
        .map(|c| c.ch)
        .collect();
    if chars
        .get(1 + body.chars().count())
        .is_some_and(|c| c.ch == ';')
    {
        body.push(';');
    }
    if let Some(num) = body.strip_prefix('#') {
        let (digits, radix) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (num, 10),
        };
        let len: usize = digits.chars().take_while(|c| c.is_digit(radix)).count();
        if len == 0 {
            return None;
        }
        let code = u32::from_str_radix(&digits[..len], radix).unwrap_or(0xFFFD);
        let ch = match code {
            0 => '\u{FFFD}',
            _ => char::from_u32(code).unwrap_or('\u{FFFD}'),
        };
        let semi = digits[len..].starts_with(';') as usize;
        let used = 1 + (num.len() - digits.len()) + len + semi;
        return Some((vec![ch], used + 1));
    }
    // The longest name the table knows, with or without its `;`.
    let name_end = body.find(';').map_or(body.len(), |p| p + 1);
    let mut end = name_end;
    while end > 0 {
        if let Some(&(a, b)) = markup5ever::data::NAMED_ENTITIES.get(&body[..end]) {
            let mut out = vec![char::from_u32(a)?];
            if b != 0 {
                out.push(char::from_u32(b)?);
            }
            return Some((out, end + 1));
        }
        end -= 1;
    }
    None
}

/// Finds each text piece of the article, in order, in the page's own text, and returns
/// the article as characters of the file (with the file's spans), block boundaries as
/// [`PARAGRAPH_BREAK`]; also how many pieces could not be found.
fn align(source: &[MappedChar], pieces: &[Piece]) -> (Vec<MappedChar>, usize) {
    let mut out: Vec<MappedChar> = Vec::new();
    let mut cursor = 0usize;
    let mut missed = 0usize;
    let here = |out: &Vec<MappedChar>, source: &[MappedChar], cursor: usize| {
        out.last()
            .map(|c: &MappedChar| c.end)
            .or_else(|| source.get(cursor).map(|c| c.start))
            .unwrap_or(0)
    };
    for piece in pieces {
        match piece {
            Piece::Break => {
                if out.last().is_some_and(|c| c.ch != PARAGRAPH_BREAK) {
                    let at = here(&out, source, cursor);
                    out.push(MappedChar::new(PARAGRAPH_BREAK, at, at));
                }
            }
            Piece::Text(text) => {
                let want: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
                if want.is_empty() {
                    if out.last().is_some_and(|c| !c.ch.is_whitespace()) {
                        let at = here(&out, source, cursor);
                        out.push(MappedChar::new(' ', at, at));
                    }
                    continue;
                }
                match find_run(source, cursor, &want) {
                    Some((from, to)) => {
                        // White space that opens or closes the node separates words.
                        if text.starts_with(char::is_whitespace)
                            && out.last().is_some_and(|c| !c.ch.is_whitespace())
                        {
                            let at = source[from].start;
                            out.push(MappedChar::new(' ', at, at));
                        }
                        out.extend_from_slice(&source[from..to]);
                        if text.ends_with(char::is_whitespace) {
                            let at = source[to - 1].end;
                            out.push(MappedChar::new(' ', at, at));
                        }
                        cursor = to;
                    }
                    None => {
                        missed += 1;
                        let at = here(&out, source, cursor);
                        out.extend(text.chars().map(|c| MappedChar::new(c, at, at)));
                    }
                }
            }
        }
    }
    (out, missed)
}

/// The first run of `source` from `from` on whose non-space characters are `want`
/// (white space in the file between them is skipped): its start and end indices.
fn find_run(source: &[MappedChar], from: usize, want: &[char]) -> Option<(usize, usize)> {
    let first = want[0];
    let mut start = from;
    while start < source.len() {
        let p = start + source[start..].iter().position(|c| c.ch == first)?;
        let mut i = p;
        let mut k = 0;
        while k < want.len() && i < source.len() {
            let ch = source[i].ch;
            if ch == want[k] {
                k += 1;
            } else if !ch.is_whitespace() {
                break;
            }
            i += 1;
        }
        if k == want.len() {
            return Some((p, i));
        }
        start = p + 1;
    }
    None
}

/// Decodes a page: a byte-order mark first, then the charset the page declares
/// (`<meta charset>`, or `http-equiv="Content-Type"`), else UTF-8 or GB18030 as
/// recognised for text files. A declaration the bytes contradict is an error.
fn decode_page(path: &Path, bytes: &[u8]) -> Result<(Encoding, Vec<MappedChar>)> {
    let bom = bytes.starts_with(b"\xEF\xBB\xBF")
        || bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF");
    let declared = if bom { None } else { declared_charset(bytes) };
    let Some(label) = declared else {
        // A page is read tag by tag, one character at a time: it takes them whole.
        let (encoding, text) = super::decode(path, bytes)?;
        return Ok((encoding, text.chars().collect()));
    };
    let Some(encoding) = encoding_rs::Encoding::for_label(label.as_bytes()) else {
        return Err(Error::input(
            path,
            format!(
                "declares the charset {label:?}, which is not a known character encoding; correct the page's <meta charset>"
            ),
        ));
    };
    // A page cannot declare UTF-16 in an ASCII tag: browsers read it as UTF-8.
    let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        encoding_rs::UTF_8
    } else {
        encoding
    };
    if encoding == encoding_rs::UTF_8 {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            Error::input(
                path,
                format!(
                    "declares the charset {label:?}, but byte {} is not UTF-8; the declaration is wrong (is the page GBK?): correct its <meta charset>",
                    e.valid_up_to()
                ),
            )
        })?;
        return Ok((Encoding::Utf8, finish(path, utf8_chars(text, 0))?));
    }
    if !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
        return Err(Error::input(
            path,
            format!(
                "declares the charset {label:?}, but its bytes are UTF-8; the declaration is wrong: correct its <meta charset> to utf-8"
            ),
        ));
    }
    let wrong = || {
        Error::input(
            path,
            format!(
                "declares the charset {label:?}, but its bytes are not valid {}; the declaration is wrong: correct its <meta charset>",
                encoding.name()
            ),
        )
    };
    if encoding == encoding_rs::GBK || encoding == encoding_rs::GB18030 {
        // GB18030 is a superset of GBK and GB2312, as browsers read them.
        let chars = gb18030_chars(bytes).ok_or_else(wrong)?;
        return Ok((Encoding::Gb18030, finish(path, chars)?));
    }
    let chars = decode_with(encoding, bytes).ok_or_else(wrong)?;
    Ok((Encoding::Declared(encoding.name()), finish(path, chars)?))
}

/// Decodes `bytes` in any encoding, strictly, noting for each character the bytes it
/// came from; `None` when they are not valid in it.
fn decode_with(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> Option<Vec<MappedChar>> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = Vec::with_capacity(bytes.len());
    let mut buf = [0u8; 16];
    let mut start = 0u32;
    for (i, b) in bytes.iter().enumerate() {
        let last = i + 1 == bytes.len();
        let (result, _, written) =
            decoder.decode_to_utf8_without_replacement(std::slice::from_ref(b), &mut buf, last);
        if let encoding_rs::DecoderResult::Malformed(_, _) = result {
            return None;
        }
        if written > 0 {
            let s = std::str::from_utf8(&buf[..written]).ok()?;
            let end = (i + 1) as u32;
            for ch in s.chars() {
                push_char(&mut out, ch, start, end);
            }
            start = end;
        }
    }
    Some(out)
}

/// The charset a page declares in its first 4096 bytes, as browsers look for it:
/// `<meta charset="…">` or `<meta http-equiv="Content-Type" content="…; charset=…">`.
pub fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head: String = bytes
        .iter()
        .take(4096)
        .map(|&b| (b as char).to_ascii_lowercase())
        .collect();
    let mut from = 0;
    while let Some(p) = head[from..].find("<meta") {
        let at = from + p;
        let end = head[at..].find('>').map_or(head.len(), |e| at + e);
        let tag = &head[at..end];
        if let Some(c) = tag.find("charset") {
            let rest = tag[c + "charset".len()..].trim_start();
            if let Some(rest) = rest.strip_prefix('=') {
                let value: String = rest
                    .trim_start()
                    .trim_start_matches(['"', '\''])
                    .chars()
                    .take_while(|c| !matches!(c, '"' | '\'' | ';' | '/' | ' ' | '>'))
                    .collect();
                if !value.is_empty() {
                    return Some(value);
                }
            }
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(s: &str) -> Vec<MappedChar> {
        utf8_chars(s, 0)
    }

    #[test]
    fn titles_lose_the_site_name() {
        assert_eq!(
            without_site_name("习近平主持视频峰会_要闻_证券时报网"),
            "习近平主持视频峰会"
        );
        assert_eq!(
            without_site_name("中国—中亚峰会成果清单 - 新华网"),
            "中国—中亚峰会成果清单"
        );
        assert_eq!(without_site_name("短_站"), "短_站");
    }

    #[test]
    fn charset_declarations() {
        assert_eq!(
            declared_charset(b"<html><head><meta charset=\"GB2312\">").as_deref(),
            Some("gb2312")
        );
        assert_eq!(
            declared_charset(
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\" />"
            )
            .as_deref(),
            Some("gbk")
        );
        assert_eq!(declared_charset(b"<meta name=\"x\" content=\"y\">"), None);
    }

    #[test]
    fn references_decode_with_their_whole_span() {
        let out = text_positions(&mapped("<p>A&amp;B&nbsp;C&#20013;&#x56FD;&copy x</p>"));
        let text: String = out.iter().map(|c| c.ch).collect();
        assert_eq!(text, "A&B\u{A0}C中国© x");
        assert_eq!((out[1].start, out[1].end), (4, 9));
    }

    #[test]
    fn scripts_comments_and_tags_are_not_text() {
        let out = text_positions(&mapped(
            "<script>var a='<p>x</p>';</script><!-- c --><b title=\"a>b\">正文</b>",
        ));
        let text: String = out.iter().map(|c| c.ch).collect();
        assert_eq!(text, "正文");
    }

    #[test]
    fn article_pieces_are_found_in_order_in_the_file() {
        let html = "<div>菜单 正文</div><p>正文第一段，\n  续。</p><p>第二段。</p>";
        let source = text_positions(&mapped(html));
        let pieces = vec![
            Piece::Break,
            Piece::Text("正文第一段， 续。".into()),
            Piece::Break,
            Piece::Text("第二段。".into()),
        ];
        let (out, missed) = align(&source, &pieces);
        assert_eq!(missed, 0);
        let text: String = out
            .iter()
            .map(|c| if c.ch == PARAGRAPH_BREAK { '|' } else { c.ch })
            .collect();
        assert_eq!(text, "正文第一段，\n  续。|第二段。");
        let first = &out[0];
        assert_eq!(&html[first.start as usize..first.end as usize], "正");
    }

    #[test]
    fn a_declared_legacy_charset_keeps_byte_spans() {
        let (bytes, _, _) = encoding_rs::BIG5.encode("<meta charset=big5><p>中國</p>");
        let (enc, chars) = decode_page(Path::new("a.html"), &bytes).unwrap();
        assert_eq!(enc, Encoding::Declared("Big5"));
        let zhong = chars.iter().find(|c| c.ch == '中').unwrap();
        assert_eq!(zhong.end - zhong.start, 2);
    }
}
