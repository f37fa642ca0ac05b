//! Markdown and HTML: front matter, tags, entities and Markdown syntax are removed;
//! the text they carry is kept, with its original byte spans.

use crate::ingest::tags::{TagReading, text_between_tags};
use crate::text::MappedChar;

pub use crate::text::PARAGRAPH_BREAK;

/// Splits a leading `---` … `---` YAML front-matter block off `chars`.
///
/// Returns the block's text (without the fences) and the characters after it.
pub fn split_front_matter(chars: &[MappedChar]) -> (Option<String>, &[MappedChar]) {
    let start = chars
        .iter()
        .position(|c| !(c.ch.is_whitespace() || c.ch == '\u{FEFF}'))
        .unwrap_or(chars.len());
    let line_at = |i: usize| -> (String, usize) {
        let end = chars[i..]
            .iter()
            .position(|c| c.ch == '\n')
            .map_or(chars.len(), |p| i + p);
        (chars[i..end].iter().map(|c| c.ch).collect(), end)
    };
    if start >= chars.len() || line_at(start).0.trim_end() != "---" {
        return (None, chars);
    }
    let (_, mut end) = line_at(start);
    let body_start = end + 1;
    while end < chars.len() {
        let line_start = end + 1;
        if line_start >= chars.len() {
            break;
        }
        let (line, line_end) = line_at(line_start);
        if line.trim_end() == "---" || line.trim_end() == "..." {
            let body: String = chars[body_start.min(line_start)..line_start]
                .iter()
                .map(|c| c.ch)
                .collect();
            return (Some(body), &chars[line_end.min(chars.len())..]);
        }
        end = line_end;
    }
    (None, chars)
}

/// HTML elements whose boundaries are paragraph breaks.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "hr",
    "pre",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "dl",
    "td",
    "th",
    "caption",
    "nav",
    "aside",
    "main",
];

/// HTML elements whose content is not text at all.
const SKIPPED_TAGS: &[&str] = &["script", "style", "head", "title", "noscript", "template"];

/// Removes HTML tags and comments, decodes entities and strips Markdown syntax.
///
/// Block boundaries become [`PARAGRAPH_BREAK`]; line breaks inside the text stay `\n`
/// (the paragraph stage decides what they mean).
pub fn strip_markup(chars: &[MappedChar]) -> Vec<MappedChar> {
    let without_tags = strip_html(chars);
    strip_markdown(&without_tags)
}

/// Tags and comments out, entities decoded, a block-level tag a paragraph break.
fn strip_html(chars: &[MappedChar]) -> Vec<MappedChar> {
    let how = TagReading {
        skipped: SKIPPED_TAGS,
        blocks: BLOCK_TAGS,
        // Text written by hand: `a < b` is text, not the start of a tag.
        lt_ends_tag: true,
        reference: decode_entity,
    };
    text_between_tags(chars, &how)
}

/// Named entities worth knowing in news pages; unknown ones are kept as written.
const ENTITIES: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{A0}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("hellip", '…'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("middot", '·'),
    ("bull", '•'),
    ("times", '×'),
    ("divide", '÷'),
    ("copy", '©'),
    ("reg", '®'),
    ("deg", '°'),
    ("yen", '¥'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("shy", '\u{AD}'),
    ("zwsp", '\u{200B}'),
];

/// Decodes an entity at the start of `chars`: the character and how many chars it used.
fn decode_entity(chars: &[MappedChar]) -> Option<(Vec<char>, usize)> {
    let semi = chars.iter().take(12).position(|c| c.ch == ';')?;
    let body: String = chars[1..semi].iter().map(|c| c.ch).collect();
    let ch = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(code)?
    } else {
        ENTITIES.iter().find(|(n, _)| *n == body).map(|(_, c)| *c)?
    };
    Some((vec![ch], semi + 1))
}

/// Strips Markdown line syntax (headings, bullets, quotes) and inline syntax
/// (`**`, `__`, links, images).
fn strip_markdown(chars: &[MappedChar]) -> Vec<MappedChar> {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    let mut line_start = true;
    while i < chars.len() {
        let c = chars[i];
        if line_start {
            // Skip indentation, then look for line syntax.
            let mut j = i;
            while j < chars.len() && matches!(chars[j].ch, ' ' | '\t') {
                j += 1;
            }
            let hashes = chars[j..].iter().take_while(|c| c.ch == '#').count();
            let after = chars.get(j + hashes).map(|c| c.ch);
            if (1..=6).contains(&hashes) && matches!(after, Some(' ') | Some('\t')) {
                out.push(chars[j].with(PARAGRAPH_BREAK));
                i = j + hashes + 1;
                line_start = false;
                continue;
            }
            let bullet = chars.get(j).map(|c| c.ch);
            if matches!(bullet, Some('-' | '*' | '+' | '>'))
                && matches!(chars.get(j + 1).map(|c| c.ch), Some(' '))
            {
                out.push(chars[j].with(PARAGRAPH_BREAK));
                i = j + 2;
                line_start = false;
                continue;
            }
        }
        line_start = c.ch == '\n' || c.ch == PARAGRAPH_BREAK;
        if (c.ch == '*' || c.ch == '_') && chars.get(i + 1).map(|n| n.ch) == Some(c.ch) {
            i += 2;
            continue;
        }
        if c.ch == '!'
            && chars.get(i + 1).map(|n| n.ch) == Some('[')
            && let Some((_, end)) = link_at(chars, i + 1)
        {
            i = end;
            continue;
        }
        if c.ch == '['
            && let Some((label, end)) = link_at(chars, i)
        {
            out.extend_from_slice(&chars[label.0..label.1]);
            i = end;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// A Markdown link `[label](target)` at `at`: the label's range and the end of the link.
fn link_at(chars: &[MappedChar], at: usize) -> Option<((usize, usize), usize)> {
    let close = (at + 1..chars.len().min(at + 400)).find(|&k| chars[k].ch == ']')?;
    if chars.get(close + 1).map(|c| c.ch) != Some('(') {
        return None;
    }
    let end = (close + 2..chars.len().min(close + 1000)).find(|&k| chars[k].ch == ')')?;
    if chars[close + 2..end]
        .iter()
        .any(|c| c.ch == '\n' || c.ch == ' ')
    {
        return None;
    }
    Some(((at + 1, close), end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(s: &str) -> Vec<MappedChar> {
        s.char_indices()
            .map(|(i, c)| MappedChar::new(c, i as u32, (i + c.len_utf8()) as u32))
            .collect()
    }

    fn text(chars: &[MappedChar]) -> String {
        chars
            .iter()
            .map(|c| if c.ch == PARAGRAPH_BREAK { '|' } else { c.ch })
            .collect()
    }

    #[test]
    fn front_matter_is_split_off() {
        let src = "\n---\ntitle: '标题'\ndate: x\n---\n\n正文。";
        let chars = mapped(src);
        let (fm, rest) = split_front_matter(&chars);
        assert_eq!(fm.as_deref(), Some("title: '标题'\ndate: x\n"));
        assert_eq!(text(rest).trim(), "正文。");
        let chars = mapped("正文---\n");
        assert!(split_front_matter(&chars).0.is_none());
    }

    #[test]
    fn html_tags_and_entities() {
        let cases = [
            ("<p>甲</p><p>乙</p>", "|甲||乙|"),
            (
                "将进口<a class=\"x\" href=\"https://a.b/?q=1&r=2\">农产品</a>，",
                "将进口农产品，",
            ),
            ("<img src=\"a.png\" alt=\"习近平.jpg\">图", "图"),
            (
                "A&amp;B&nbsp;C&#20013;&#x56FD;&bogus;",
                "A&B\u{A0}C中国&bogus;",
            ),
            (
                "前<!-- 注释 -->后<script>var a = '<p>';</script>尾",
                "前后尾",
            ),
            (
                "<span id=\"paper_num\">《 人民日报 》</span>",
                "《 人民日报 》",
            ),
            ("1 < 2 且 3 > 2", "1 < 2 且 3 > 2"),
        ];
        for (input, want) in cases {
            assert_eq!(text(&strip_markup(&mapped(input))), want, "{input}");
        }
    }

    #[test]
    fn entity_keeps_the_span_of_the_whole_entity() {
        let out = strip_markup(&mapped("a&amp;b"));
        assert_eq!((out[1].ch, out[1].start, out[1].end), ('&', 1, 6));
    }

    #[test]
    fn markdown_syntax() {
        let cases = [
            ("# 标题\n正文", "|标题\n正文"),
            ("**信任的故事**", "信任的故事"),
            ("见[新华网](https://x.cn/a)报道", "见新华网报道"),
            ("![图](a.png)说明", "说明"),
            ("- 一\n- 二", "|一\n|二"),
        ];
        for (input, want) in cases {
            assert_eq!(text(&strip_markup(&mapped(input))), want, "{input}");
        }
    }
}
