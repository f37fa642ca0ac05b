//! The text between tags, over characters that know their bytes in the file: tags and
//! comments dropped, elements whose content is not text skipped, character
//! references decoded (each spanning its whole reference). One scanner for the web
//! page reader (which finds the article's text again in the file) and for the
//! normaliser (which strips tags written into text and Markdown sources); they differ
//! only in what a [`TagReading`] says.

use crate::text::{MappedChar, PARAGRAPH_BREAK};

/// How tags are read.
pub(crate) struct TagReading<'a> {
    /// Elements whose content is skipped with them (scripts, styles, …).
    pub skipped: &'a [&'a str],
    /// Elements whose tags end a paragraph ([`PARAGRAPH_BREAK`]); the others vanish.
    pub blocks: &'a [&'a str],
    /// Whether a `<` before the closing `>` means the first `<` began no tag (text
    /// with a stray `<`), rather than being part of the tag.
    pub lt_ends_tag: bool,
    /// Decodes a character reference.
    pub reference: Reference,
}

/// Decodes a character reference at the start of the characters: what it stands for
/// and how many characters it used.
pub(crate) type Reference = fn(&[MappedChar]) -> Option<(Vec<char>, usize)>;

/// The characters of `chars` that are text, read as `how` says.
pub(crate) fn text_between_tags(chars: &[MappedChar], how: &TagReading) -> Vec<MappedChar> {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.ch == '<' {
            if starts_with(chars, i, "<!--") {
                i = find(chars, i + 4, "-->").map_or(chars.len(), |e| e + 3);
                continue;
            }
            let next = chars.get(i + 1).map(|c| c.ch);
            let is_tag = matches!(next, Some(ch) if ch.is_ascii_alphabetic() || ch == '/' || ch == '!' || ch == '?');
            if is_tag && let Some(end) = tag_end(chars, i, how.lt_ends_tag) {
                let closing = next == Some('/');
                let name = lower_name(&chars[i + 1 + closing as usize..end]);
                i = end;
                if !closing && how.skipped.contains(&name.as_str()) {
                    let close = format!("</{name}");
                    i = find(chars, end, &close)
                        .and_then(|p| tag_end(chars, p, how.lt_ends_tag))
                        .unwrap_or(chars.len());
                } else if how.blocks.contains(&name.as_str()) {
                    out.push(c.with(PARAGRAPH_BREAK));
                }
                continue;
            }
        }
        if c.ch == '&'
            && let Some((decoded, len)) = (how.reference)(&chars[i..])
        {
            let end = chars[i + len - 1].end;
            out.extend(
                decoded
                    .into_iter()
                    .map(|d| MappedChar::new(d, c.start, end)),
            );
            i += len;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The tag name at the start of `chars`, lower-cased.
fn lower_name(chars: &[MappedChar]) -> String {
    chars
        .iter()
        .take_while(|c| c.ch.is_ascii_alphanumeric())
        .map(|c| c.ch.to_ascii_lowercase())
        .collect()
}

/// Whether `s` (ASCII case aside) stands at `at`.
fn starts_with(chars: &[MappedChar], at: usize, s: &str) -> bool {
    let mut i = at;
    for want in s.chars() {
        match chars.get(i) {
            Some(c) if c.ch.eq_ignore_ascii_case(&want) => i += 1,
            _ => return false,
        }
    }
    true
}

fn find(chars: &[MappedChar], from: usize, s: &str) -> Option<usize> {
    (from..chars.len()).find(|&i| starts_with(chars, i, s))
}

/// End (exclusive) of a tag starting at `at` (a `<`), honouring quoted attribute values.
fn tag_end(chars: &[MappedChar], at: usize, lt_ends_tag: bool) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in chars.iter().enumerate().skip(at + 1) {
        match (quote, c.ch) {
            (Some(q), ch) if ch == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c.ch),
            (None, '>') => return Some(i + 1),
            (None, '<') if lt_ends_tag => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<MappedChar> {
        let mut at = 0;
        s.chars()
            .map(|c| {
                let start = at;
                at += c.len_utf8() as u32;
                MappedChar::new(c, start, at)
            })
            .collect()
    }

    fn amp(chars: &[MappedChar]) -> Option<(Vec<char>, usize)> {
        let name: String = chars.iter().take(5).map(|c| c.ch).collect();
        (name == "&amp;").then(|| (vec!['&'], 5))
    }

    fn read(s: &str, lt_ends_tag: bool) -> String {
        let how = TagReading {
            skipped: &["script"],
            blocks: &["p"],
            lt_ends_tag,
            reference: amp,
        };
        let out = text_between_tags(&chars(s), &how);
        out.iter()
            .map(|c| if c.ch == PARAGRAPH_BREAK { '|' } else { c.ch })
            .collect()
    }

    #[test]
    fn tags_comments_and_skipped_elements_go_blocks_break_references_decode() {
        let page = "甲<!-- x --><b>乙</b><script>var a = '<p>';</script><P>丙&amp;丁";
        assert_eq!(read(page, false), "甲乙|丙&丁");
    }

    #[test]
    fn a_stray_lt_is_text_only_where_the_reading_says_so() {
        assert_eq!(read("x<b <i>y", true), "x<b y");
        assert_eq!(read("x<b <i>y", false), "xy");
    }

    #[test]
    fn a_reference_spans_all_its_characters() {
        let out = text_between_tags(
            &chars("a&amp;b"),
            &TagReading {
                skipped: &[],
                blocks: &[],
                lt_ends_tag: true,
                reference: amp,
            },
        );
        assert_eq!((out[1].ch, out[1].start, out[1].end), ('&', 1, 6));
    }
}
