//! Deciding where paragraphs begin: which line breaks end a paragraph and which
//! only broke a sentence (a PDF page break, a wrapped line).

use super::markup::PARAGRAPH_BREAK;
use crate::summit::SourceFormat;
use crate::text::{MappedChar, is_closer, is_terminator};

/// Splits `chars` into paragraphs, joining lines that were broken inside a sentence.
///
/// - A run of two or more full-width spaces (the customary paragraph indent) starts
///   a paragraph, as does a [`PARAGRAPH_BREAK`] left by markup.
/// - Markdown: a blank line starts a paragraph; a single line break is a soft break.
/// - Text and PDF text: a line break (with any blank lines after it) continues the
///   paragraph when the line before it [`breaks_mid_sentence`]; otherwise it ends it.
/// - Web pages and Word files: only block boundaries end a paragraph.
/// - PDF files: a single line break continues the paragraph (the reader saw the line
///   run on); a blank line is decided as for PDF text.
pub fn paragraphs(chars: &[MappedChar], format: SourceFormat) -> Vec<Vec<MappedChar>> {
    let mut paras = Vec::new();
    for_each_paragraph(chars.iter().copied(), format, &mut |p| paras.push(p));
    paras
}

/// [`paragraphs`] of characters read one by one, each paragraph handed to `emit` as
/// soon as it ends (a large source is never held twice).
pub fn for_each_paragraph(
    chars: impl IntoIterator<Item = MappedChar>,
    format: SourceFormat,
    emit: &mut dyn FnMut(Vec<MappedChar>),
) {
    let paras = emit;
    let mut chars = chars.into_iter().peekable();
    let mut current: Vec<MappedChar> = Vec::new();
    let mut line: Vec<MappedChar> = Vec::new();
    // Newlines seen since the last non-blank line.
    let mut pending: Vec<MappedChar> = Vec::new();

    let flush_para = |current: &mut Vec<MappedChar>, paras: &mut dyn FnMut(Vec<MappedChar>)| {
        if current.iter().any(|c| !is_blank(c.ch)) {
            paras(std::mem::take(current));
        } else {
            current.clear();
        }
    };

    loop {
        let c = chars.next();
        let at_line_end = matches!(c.map(|c| c.ch), None | Some('\n') | Some(PARAGRAPH_BREAK));
        if !at_line_end {
            let c = c.expect("not at end");
            // Two or more ideographic spaces: a paragraph indent.
            if c.ch == '\u{3000}' && chars.peek().map(|n| n.ch) == Some('\u{3000}') {
                while chars.next_if(|n| n.ch == '\u{3000}').is_some() {}
                if line.iter().any(|c| !is_blank(c.ch)) || !pending.is_empty() {
                    attach_line(&mut current, &mut line, &mut pending, format, paras);
                    flush_para(&mut current, paras);
                }
                continue;
            }
            line.push(c);
            continue;
        }
        // End of a physical line.
        let hard = c.map(|c| c.ch) == Some(PARAGRAPH_BREAK);
        if line.iter().any(|c| !is_blank(c.ch)) {
            attach_line(&mut current, &mut line, &mut pending, format, paras);
        } else {
            line.clear();
        }
        match c {
            None => break,
            Some(_) if hard => {
                flush_para(&mut current, paras);
                pending.clear();
            }
            Some(c) => pending.push(c),
        }
    }
    flush_para(&mut current, paras);
}

/// Adds `line` to the paragraph being built, or closes that paragraph first when the
/// line break(s) in `pending` end it.
fn attach_line(
    current: &mut Vec<MappedChar>,
    line: &mut Vec<MappedChar>,
    pending: &mut Vec<MappedChar>,
    format: SourceFormat,
    paras: &mut dyn FnMut(Vec<MappedChar>),
) {
    let has_text = current.iter().any(|c| !is_blank(c.ch));
    if has_text && !pending.is_empty() {
        let blank_line = pending.len() >= 2;
        let join = match format {
            SourceFormat::Markdown => !blank_line,
            SourceFormat::Text | SourceFormat::PdfText => breaks_mid_sentence(last_line(current)),
            // A line break in a web page is white space; in a Word file, a manual break
            // inside a paragraph. Their paragraphs end at block boundaries only.
            SourceFormat::Html | SourceFormat::Docx => true,
            // A single break: the PDF reader saw the line run on; a blank line: decided
            // as for PDF text (a page break inside a sentence is joined).
            SourceFormat::Pdf => !blank_line || breaks_mid_sentence(last_line(current)),
        };
        if join {
            soft_break(current, line.first().copied(), pending[0]);
        } else {
            paras(std::mem::take(current));
        }
    }
    pending.clear();
    current.append(line);
}

/// The characters after the last paragraph break or soft break marker in `chars`.
fn last_line(chars: &[MappedChar]) -> &[MappedChar] {
    let start = chars
        .iter()
        .rposition(|c| c.ch == PARAGRAPH_BREAK || c.ch == '\u{2028}')
        .map_or(0, |p| p + 1);
    &chars[start..]
}

/// Joins two lines: nothing between Chinese text, one space between Latin words.
fn soft_break(current: &mut Vec<MappedChar>, next: Option<MappedChar>, newline: MappedChar) {
    let prev = current.iter().rev().find(|c| !is_blank(c.ch)).map(|c| c.ch);
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if latin(prev) && latin(next.map(|n| n.ch)) {
        current.push(newline.with(' '));
    }
    // Remember where this physical line ended, for the next join decision.
    current.push(newline.with('\u{2028}'));
}

/// True when a line ends in the middle of a sentence, so the next line continues it.
///
/// A line ends its paragraph when it ends with a sentence terminator (possibly
/// followed by closing quotes), a colon or an ellipsis, or when it holds no
/// punctuation at all (a title, a dateline, a byline, a heading).
pub fn breaks_mid_sentence(line: &[MappedChar]) -> bool {
    let text: Vec<char> = line
        .iter()
        .map(|c| c.ch)
        .filter(|&c| c != '\u{2028}')
        .collect();
    let trimmed: Vec<char> = {
        let mut t = text.as_slice();
        while let Some((last, rest)) = t.split_last() {
            if is_blank(*last) { t = rest } else { break }
        }
        t.to_vec()
    };
    let Some(&last) = trimmed.last() else {
        return false;
    };
    let s: String = trimmed.iter().collect();
    if s.starts_with("**") && s.ends_with("**") || s.starts_with('#') {
        return false;
    }
    let core = trimmed
        .iter()
        .rev()
        .find(|c| !is_closer(**c))
        .copied()
        .unwrap_or(last);
    if is_terminator(core) || matches!(last, '：' | ':' | '…') {
        return false;
    }
    trimmed.iter().any(|c| {
        matches!(
            c,
            '，' | ',' | '、' | '；' | ';' | '。' | '！' | '？' | '!' | '?' | '：' | ':'
        )
    })
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}' || c == '\u{2028}'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(s: &str) -> Vec<MappedChar> {
        s.char_indices()
            .map(|(i, c)| MappedChar::new(c, i as u32, (i + c.len_utf8()) as u32))
            .collect()
    }

    fn paras(s: &str, format: SourceFormat) -> Vec<String> {
        paragraphs(&mapped(s), format)
            .iter()
            .map(|p| {
                p.iter()
                    .filter(|c| c.ch != '\u{2028}')
                    .map(|c| c.ch)
                    .collect::<String>()
            })
            .collect()
    }

    #[test]
    fn page_break_inside_a_sentence_is_joined() {
        let src =
            "岁月不居。中方坚定支持中亚国家走发展道路,坚定支持各\n\n国维护本国主权。\n\n各位同事!";
        assert_eq!(
            paras(src, SourceFormat::PdfText),
            [
                "岁月不居。中方坚定支持中亚国家走发展道路,坚定支持各国维护本国主权。",
                "各位同事!"
            ]
        );
    }

    #[test]
    fn headings_and_datelines_stay_apart() {
        let src = "携手共命运 一起向未来\n\n——在视频峰会上的讲话\n\n(2022 年 1 月 25 日)\n\n各位同事,各位朋友:\n\n中国人说,三十而立。";
        assert_eq!(paras(src, SourceFormat::PdfText).len(), 5);
    }

    #[test]
    fn ideographic_indent_starts_a_paragraph() {
        let src = "标题　　第一段。第一段续。　　第二段。";
        assert_eq!(
            paras(src, SourceFormat::Text),
            ["标题", "第一段。第一段续。", "第二段。"]
        );
    }

    #[test]
    fn markdown_blank_lines_and_soft_breaks() {
        let src = "一行\n续行\n\n新段\u{2029}又一段";
        assert_eq!(
            paras(src, SourceFormat::Markdown),
            ["一行续行", "新段", "又一段"]
        );
        assert_eq!(paras("a\nb", SourceFormat::Markdown), ["a b"]);
    }

    #[test]
    fn mid_sentence_decisions() {
        let cases = [
            ("在此,我宣布,", true),
            ("“双奥北京”正在书写历史。作为国际上唯一举办过", true),
            ("不为不成。”", false),
            ("全文如下：", false),
            ("新华社北京 1 月 25 日电", false),
            ("**主笔:黄明、林德初**", false),
            ("…………", false),
            ("此次峰会取得了哪些重大成果？", false),
        ];
        for (line, want) in cases {
            assert_eq!(breaks_mid_sentence(&mapped(line)), want, "{line}");
        }
    }
}
