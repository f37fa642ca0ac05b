//! Stage 2: turn a decoded source into clean paragraphs of normalised text, keeping
//! a map from every character back to its bytes in the original file.
//!
//! Markdown loses its front matter (kept as metadata), tags, entities and syntax;
//! every format then has its paragraphs rebuilt ([`paragraphs`]) and its characters
//! normalised ([`chars`]). The result is one paragraph per line.

pub mod chars;
pub mod markup;
pub mod paragraphs;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::ingest::RawSource;
use crate::summit::{SourceConfig, SourceFormat};
use crate::text::{MappedChar, MappedText};

/// A source after normalisation: one paragraph per line of `text`.
#[derive(Debug, Clone)]
pub struct NormalisedSource {
    /// The source's declaration, with gaps filled from its front matter.
    pub config: SourceConfig,
    /// The file it came from.
    pub path: PathBuf,
    /// Short hash of the file's bytes.
    pub sha256: String,
    /// Its layout.
    pub format: SourceFormat,
    /// Paragraphs separated by `\n`, each character mapped to the original bytes.
    pub text: MappedText,
    /// Scalar fields of the Markdown front matter, if any (for a web page, PDF or Word
    /// file: what it says about itself).
    pub front_matter: BTreeMap<String, String>,
    /// For a PDF, where each page begins in the extracted text; otherwise empty.
    pub pages: Vec<u32>,
}

/// Normalises a decoded source.
pub fn normalise(raw: &RawSource) -> Result<NormalisedSource> {
    let mut front_matter = BTreeMap::new();
    // Paragraph by paragraph into the text, so that no second copy of the source's
    // characters is ever made whole.
    let mut text = MappedText::default();
    let mut last_end = None;
    let mut emit = |para: Vec<MappedChar>| {
        let clean = chars::normalise_paragraph(&para);
        let Some(last) = clean.last() else {
            return;
        };
        if let Some(end) = last_end {
            text.push(MappedChar::new('\n', end, end));
        }
        last_end = Some(last.end);
        for c in clean {
            text.push(c);
        }
    };
    match raw.format {
        SourceFormat::Markdown => {
            // Markup is stripped with look-ahead over the whole file.
            let all: Vec<MappedChar> = raw.text.chars().collect();
            let (fm, rest) = markup::split_front_matter(&all);
            if let Some(fm) = fm {
                front_matter = parse_front_matter(&raw.path, &fm)?;
            }
            let body = markup::strip_markup(rest);
            drop(all);
            paragraphs::for_each_paragraph(body, raw.format, &mut emit);
        }
        SourceFormat::Text | SourceFormat::PdfText => {
            paragraphs::for_each_paragraph(raw.text.chars(), raw.format, &mut emit);
        }
        // Taken apart by their readers already; what they say about themselves fills
        // gaps as front matter does.
        SourceFormat::Html | SourceFormat::Pdf | SourceFormat::Docx => {
            front_matter = raw.metadata.clone();
            paragraphs::for_each_paragraph(raw.text.chars(), raw.format, &mut emit);
        }
    }
    let mut config = raw.config.clone();
    fill_from_front_matter(&mut config, &front_matter);
    Ok(NormalisedSource {
        config,
        path: raw.path.clone(),
        sha256: raw.sha256.clone(),
        format: raw.format,
        text,
        front_matter,
        pages: raw.pages.clone(),
    })
}

/// Normalises a fragment of a source known to lie inside one paragraph (a sentence,
/// or the text an exclusion is anchored on): every line break in it is a soft break.
pub fn normalise_span(format: SourceFormat, fragment: &str) -> String {
    let chars: Vec<MappedChar> = fragment
        .char_indices()
        .map(|(i, c)| MappedChar::new(c, i as u32, (i + c.len_utf8()) as u32))
        .collect();
    let body = match format {
        SourceFormat::Markdown => markup::strip_markup(&chars),
        _ => chars,
    };
    // Treat every break as a soft break: rebuild as one paragraph.
    let mut joined: Vec<MappedChar> = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if matches!(c.ch, '\n' | '\r' | markup::PARAGRAPH_BREAK) {
            let next = body[i..]
                .iter()
                .find(|n| !n.ch.is_whitespace() && n.ch != markup::PARAGRAPH_BREAK);
            let prev = joined.iter().rev().find(|p| !p.ch.is_whitespace());
            let latin = |c: Option<&MappedChar>| c.is_some_and(|c| c.ch.is_ascii_alphanumeric());
            if latin(prev) && latin(next) {
                joined.push(c.with(' '));
            }
            i += 1;
            continue;
        }
        joined.push(c);
        i += 1;
    }
    chars::normalise_paragraph(&joined)
        .iter()
        .map(|c| c.ch)
        .collect()
}

fn parse_front_matter(path: &std::path::Path, text: &str) -> Result<BTreeMap<String, String>> {
    crate::yaml::scalar_entries(path, text).map_err(|e| match e {
        // The front matter starts on line 2 of the file (after the opening `---`).
        Error::Yaml {
            path,
            line,
            message,
        } => Error::Yaml {
            path,
            line: line.map(|l| l + 1),
            message: format!("front matter: {message}"),
        },
        other => other,
    })
}

/// Uses front-matter `title`, `date`, `author`/`source` and `url`/`link` where
/// summit.yaml left the field empty.
fn fill_from_front_matter(config: &mut SourceConfig, fm: &BTreeMap<String, String>) {
    let get = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| fm.get(*k))
            .map(|v| {
                v.chars()
                    .filter(|c| !crate::text::is_unsafe_control(*c))
                    .collect::<String>()
            })
            .filter(|v| !v.is_empty())
    };
    if config.title.is_none() {
        config.title = get(&["title"]);
    }
    if config.outlet.is_none() {
        config.outlet = get(&["source", "outlet", "author"]);
    }
    if config.url.is_none() {
        config.url = get(&["url", "link", "source_url", "original_url"]);
    }
    if config.date.is_none() {
        config.date = get(&["date"]).and_then(|d| parse_loose_date(&d));
    }
}

/// Reads `2022-01-26`, `2022-01-26T07:54:00Z` or `Wed, 26 Jan 2022 07:54:00 GMT`.
pub fn parse_loose_date(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() >= 10 && crate::summit::check_date(&s[..10]).is_ok() {
        return Some(s[..10].to_string());
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let day = words
        .iter()
        .find_map(|w| w.parse::<u32>().ok().filter(|d| (1..=31).contains(d)))?;
    let month = words.iter().find_map(|w| {
        let w = w.to_ascii_lowercase();
        MONTHS.iter().position(|m| w.starts_with(m)).map(|p| p + 1)
    })?;
    let year = words
        .iter()
        .find_map(|w| w.parse::<u32>().ok().filter(|y| (1900..=2999).contains(y)))?;
    let date = format!("{year:04}-{month:02}-{day:02}");
    crate::summit::check_date(&date).ok().map(|_| date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_dates() {
        assert_eq!(
            parse_loose_date("Wed, 26 Jan 2022 07:54:00 GMT").as_deref(),
            Some("2022-01-26")
        );
        assert_eq!(
            parse_loose_date("2023-05-19T08:00:00+08:00").as_deref(),
            Some("2023-05-19")
        );
        assert_eq!(parse_loose_date("yesterday"), None);
    }

    #[test]
    fn span_normalisation_joins_lines_and_strips_markup() {
        assert_eq!(
            normalise_span(SourceFormat::PdfText, "坚定支持各\n\n国维护本国主权。"),
            "坚定支持各国维护本国主权。"
        );
        assert_eq!(
            normalise_span(
                SourceFormat::Markdown,
                "将进口<a href=\"x\">农产品</a>,继续"
            ),
            "将进口农产品，继续"
        );
    }
}
