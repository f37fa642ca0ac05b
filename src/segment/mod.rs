//! Stage 3: split normalised paragraphs into sentences, each with a stable id
//! (source, paragraph, sentence), its byte span in the original file, a
//! simplified-character view for matching, and whether it lies in a left-out span.

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::facts::SentenceId;
use crate::normalise::{NormalisedSource, normalise_span};
use crate::summit::{SourceConfig, SourceFormat};
use crate::text::{MappedText, is_bullet, is_closer, is_terminator};

pub use view::{View, without_noise_text};

mod view;

/// One sentence of a source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sentence {
    /// The source's name (its path under `sources/`), shared by its sentences.
    pub source: Arc<str>,
    /// 1-based paragraph number within the source.
    pub para: usize,
    /// 1-based sentence number within the paragraph.
    pub sentence: usize,
    /// Byte offset in the original file where the sentence begins.
    pub start: usize,
    /// Byte offset in the original file just after the sentence.
    pub end: usize,
    /// The normalised sentence, in the source's own characters (shared with the
    /// citations of it).
    pub text: Arc<str>,
    /// What rules see, when that differs from `text`: see [`View`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view: Option<View>,
    /// The page it begins on, for a source with pages (a PDF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
    /// True when the sentence lies in a span summit.yaml leaves out.
    pub excluded: bool,
    /// Where the sentence lies in the document's normalised text.
    #[serde(skip)]
    pub range: Range<usize>,
}

impl Sentence {
    /// The stable id `source:para:sentence`.
    pub fn id(&self) -> SentenceId {
        SentenceId {
            doc: self.source.clone(),
            para: self.para,
            sentence: self.sentence,
        }
    }

    /// The text rules match against: the view when there is one.
    pub fn match_text(&self) -> &str {
        self.view.as_ref().map_or(&self.text, View::text)
    }

    /// Maps a byte range of [`Sentence::match_text`] to the range of `text` it comes from.
    pub fn to_original(&self, range: Range<usize>) -> Range<usize> {
        match &self.view {
            None => range,
            Some(v) => v.to_original(range),
        }
    }
}

/// A segmented source: its normalised text and its sentences.
#[derive(Debug, Clone)]
pub struct Document {
    /// The source's declaration (with front-matter gaps filled).
    pub config: SourceConfig,
    /// Its layout.
    pub format: SourceFormat,
    /// Short hash of the original file's bytes.
    pub sha256: String,
    /// The normalised text, one paragraph per line.
    pub text: MappedText,
    /// Every sentence, in reading order.
    pub sentences: Vec<Sentence>,
}

impl Document {
    /// The source's name in citations.
    pub fn name(&self) -> &str {
        &self.config.file
    }

    /// The sentences that are not left out.
    pub fn included(&self) -> impl Iterator<Item = &Sentence> {
        self.sentences.iter().filter(|s| !s.excluded)
    }
}

/// Converts traditional characters to simplified ones for matching, with OpenCC's
/// `t2s` tables. Built once and passed to [`segment`]; holds no other state.
pub struct Simplifier {
    opencc: ferrous_opencc::OpenCC,
    /// One bit per character of the Basic Multilingual Plane: set when t2s turns the
    /// character alone into another. Text holding none of them is left as it is,
    /// without the dictionary walk (most sources are simplified already).
    changing: Vec<u64>,
}

/// The CJK blocks whose characters t2s may change (with the compatibility ideographs).
const CJK_RANGES: &[std::ops::RangeInclusive<u32>] = &[
    0x2E80..=0x2FDF,
    0x3000..=0x303F,
    0x3400..=0x4DBF,
    0x4E00..=0x9FFF,
    0xF900..=0xFAFF,
];

impl Simplifier {
    /// Loads OpenCC's traditional-to-simplified tables (embedded in the binary).
    pub fn new() -> Result<Self> {
        let opencc =
            ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s)
                .map_err(|e| Error::Failed(format!("cannot load OpenCC t2s tables: {e}")))?;
        let changing = changing_characters(&opencc);
        Ok(Simplifier { opencc, changing })
    }

    /// `text` in simplified characters.
    pub fn simplify(&self, text: &str) -> String {
        if !text.chars().any(|c| self.may_change(c)) {
            return text.to_string();
        }
        self.opencc.convert(text)
    }

    /// Whether t2s may change `c` (any character outside the BMP may).
    pub(crate) fn may_change(&self, c: char) -> bool {
        let u = c as usize;
        u > 0xFFFF || self.changing[u / 64] & (1 << (u % 64)) != 0
    }
}

/// The BMP characters t2s changes on their own, as a bitset. One conversion of all
/// CJK characters, one per line, finds them.
fn changing_characters(opencc: &ferrous_opencc::OpenCC) -> Vec<u64> {
    let chars: Vec<char> = CJK_RANGES
        .iter()
        .flat_map(|r| r.clone().filter_map(char::from_u32))
        .collect();
    let joined: String = chars.iter().flat_map(|c| [*c, '\n']).collect();
    let converted = opencc.convert(&joined);
    let mut bits = vec![0u64; 0x10000 / 64];
    let lines: Vec<&str> = converted.split('\n').collect();
    if lines.len() != chars.len() + 1 {
        // A conversion that did not keep one character per line: check every character.
        return vec![u64::MAX; 0x10000 / 64];
    }
    for (c, line) in chars.iter().zip(&lines) {
        let mut it = line.chars();
        if it.next() != Some(*c) || it.next().is_some() {
            let u = *c as usize;
            bits[u / 64] |= 1 << (u % 64);
        }
    }
    bits
}

impl std::fmt::Debug for Simplifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Simplifier(t2s)")
    }
}

/// Splits a normalised source into sentences and marks those in left-out spans.
pub fn segment(source: NormalisedSource, simplifier: &Simplifier) -> Result<Document> {
    let text = source.text.as_str();
    let excluded = excluded_ranges(&source)?;
    let mut sentences = Vec::new();
    let mut para_start = 0;
    let name: Arc<str> = source.config.file.as_str().into();
    for (p, para) in text.split('\n').enumerate() {
        for (s, range) in split_sentences(para).into_iter().enumerate() {
            let abs = para_start + range.start..para_start + range.end;
            let origin = source.text.origin_of(abs.clone());
            let sentence_text = &text[abs.clone()];
            sentences.push(Sentence {
                source: name.clone(),
                para: p + 1,
                sentence: s + 1,
                start: origin.start,
                end: origin.end,
                page: page_of(&source.pages, origin.start),
                excluded: excluded
                    .iter()
                    .any(|x| x.start < abs.end && abs.start < x.end),
                view: View::of(sentence_text, simplifier),
                text: sentence_text.into(),
                range: abs,
            });
        }
        para_start += para.len() + 1;
    }
    Ok(Document {
        config: source.config,
        format: source.format,
        sha256: source.sha256,
        text: source.text,
        sentences,
    })
}

/// The 1-based page holding `offset`, given where each page begins; `None` without pages.
fn page_of(pages: &[u32], offset: usize) -> Option<usize> {
    (!pages.is_empty()).then(|| pages.partition_point(|&p| p as usize <= offset).max(1))
}

/// Byte ranges of one paragraph's sentences: each ends after `。！？` and any
/// closing quotes or brackets that follow; a paragraph's tail without a terminator
/// is a sentence too.
pub fn split_sentences(para: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    // A book title can hold a question mark (《怎么办？》): it does not end the sentence.
    let mut in_title = 0usize;
    let last_close = para.rfind('》');
    let mut iter = para.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        match c {
            '《' if last_close.is_some_and(|j| j > i) => in_title += 1,
            '》' => in_title = in_title.saturating_sub(1),
            _ => {}
        }
        if let Some(len) = reference_marker(&para[i..]) {
            // A summary's reference marker (…建立 [1] - …) closes its sentence.
            let end = i + len;
            push_trimmed(&mut out, para, start..end);
            start = end;
            while iter.peek().is_some_and(|&(j, _)| j < end) {
                iter.next();
            }
            continue;
        }
        if !is_terminator(c) || in_title > 0 {
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, n)) = iter.peek() {
            if is_terminator(n) || is_closer(n) {
                end = j + n.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        push_trimmed(&mut out, para, start..end);
        start = end;
    }
    push_trimmed(&mut out, para, start..para.len());
    out
}

/// The length of a reference marker (`[1]`, `[12]`) at the start of `s`, if any.
fn reference_marker(s: &str) -> Option<usize> {
    let inner = s.strip_prefix('[')?;
    let digits = inner.chars().take_while(char::is_ascii_digit).count();
    ((1..=3).contains(&digits) && inner[digits..].starts_with(']')).then_some(digits + 2)
}

fn push_trimmed(out: &mut Vec<Range<usize>>, para: &str, range: Range<usize>) {
    let slice = &para[range.clone()];
    // A bullet is dropped where it opens a paragraph, so also where it opens a
    // sentence; so is a list dash followed by a space (`- 中方宣布…`).
    let mut rest = slice.trim_start_matches(|c: char| c.is_whitespace() || is_bullet(c));
    while let Some(r) = rest
        .strip_prefix('-')
        .filter(|r| r.starts_with(char::is_whitespace))
    {
        rest = r.trim_start();
    }
    let lead = slice.len() - rest.len();
    let trail = slice.len() - slice.trim_end().len();
    if slice.chars().any(char::is_alphanumeric) {
        out.push(range.start + lead..range.end - trail);
    }
}

/// The normalised-text ranges of the spans summit.yaml leaves out of this source.
fn excluded_ranges(source: &NormalisedSource) -> Result<Vec<Range<usize>>> {
    let text = source.text.as_str();
    let mut out = Vec::new();
    for span in &source.config.exclude {
        let from = normalise_span(source.format, &span.from);
        let not_found = |what: &str, needle: &str| {
            Error::input(
                &source.path,
                format!(
                    "summit.yaml leaves out a span of this source, but its `{what}:` text {needle:?} does not occur in it"
                ),
            )
        };
        if from.is_empty() {
            return Err(not_found("from", &span.from));
        }
        let start = text
            .find(&from)
            .ok_or_else(|| not_found("from", &span.from))?;
        let end = match &span.to {
            None => text.len(),
            Some(to) => {
                let to_n = normalise_span(source.format, to);
                let after = start + from.len();
                let pos = text[start..]
                    .find(&to_n)
                    .filter(|_| !to_n.is_empty())
                    .ok_or_else(|| match text[..start].find(&to_n) {
                        Some(_) if !to_n.is_empty() => Error::input(
                            &source.path,
                            format!(
                                "summit.yaml leaves out a span of this source, but its `to:` text {to:?} occurs only before its `from:` text {:?}; swap them, or pick a `to:` after the `from:`",
                                span.from
                            ),
                        ),
                        _ => not_found("to", to),
                    })?;
                (start + pos + to_n.len()).max(after)
            }
        };
        out.push(start..end);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(para: &str) -> Vec<&str> {
        split_sentences(para)
            .into_iter()
            .map(|r| &para[r])
            .collect()
    }

    #[test]
    fn sentences_keep_their_closing_quotes() {
        assert_eq!(
            pieces("中国古人云：“道虽迩，不行不至；事虽小，不为不成。”让我们出发。"),
            [
                "中国古人云：“道虽迩，不行不至；事虽小，不为不成。”",
                "让我们出发。"
            ]
        );
        assert_eq!(pieces("真的吗？！是的。"), ["真的吗？！", "是的。"]);
        assert_eq!(pieces("标题没有句号"), ["标题没有句号"]);
        assert_eq!(pieces("甲。 乙"), ["甲。", "乙"]);
        assert_eq!(pieces("（上接第一版）全文。）"), ["（上接第一版）全文。）"]);
        assert_eq!(
            pieces("想到著作《怎么办？》，书中主人公。好。"),
            ["想到著作《怎么办？》，书中主人公。", "好。"]
        );
        // An unclosed title does not hold the sentences after it together.
        assert_eq!(pieces("《标题。其后。"), ["《标题。", "其后。"]);
        // A reference marker ends a sentence; a list dash does not open one.
        assert_eq!(
            pieces("论坛成立 [1] - 中方提出倡议 [2]"),
            ["论坛成立 [1]", "中方提出倡议 [2]"]
        );
        assert_eq!(pieces("数组[a]与[1234]不是"), ["数组[a]与[1234]不是"]);
        // Punctuation alone (`??` left by a mirror site) is not a sentence.
        assert_eq!(pieces("??“我高兴。”"), ["“我高兴。”"]);
        assert!(pieces("").is_empty());
    }

    /// The fast path (no character t2s changes alone: no conversion) gives what the
    /// full conversion gives, on every line of every source of every summit.
    #[test]
    fn skipping_text_without_changing_characters_changes_nothing() {
        let s = Simplifier::new().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("summits");
        let mut lines = 0;
        for summit in std::fs::read_dir(&root).unwrap() {
            let sources = summit.unwrap().path().join("sources");
            for file in std::fs::read_dir(&sources).unwrap() {
                let text = std::fs::read_to_string(file.unwrap().path()).unwrap_or_default();
                for line in text.lines() {
                    assert_eq!(s.simplify(line), s.opencc.convert(line), "{line}");
                    lines += 1;
                }
            }
        }
        assert!(lines > 500, "{lines}");
        // Simplified text is returned as it is; traditional is converted.
        assert!(!s.may_change('国') && s.may_change('國'));
    }

    #[test]
    fn simplifier_converts_traditional() {
        let s = Simplifier::new().unwrap();
        assert_eq!(s.simplify("中國同中亞五國"), "中国同中亚五国");
        assert_eq!(s.simplify("中国同中亚五国"), "中国同中亚五国");
    }
}
