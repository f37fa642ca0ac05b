//! The `facts.json` contract: what extraction and consolidation produce and what
//! rendering (and other tools) read. Its shape is stable; see DESIGN.md.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// The whole of `out/<summit>/facts.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactSheet {
    /// What the summit is (from summit.yaml).
    pub summit: SummitInfo,
    /// Every fact, in the documented order (see the consolidate module).
    pub facts: Vec<Fact>,
    /// Problems found while extracting that a reader should know about
    /// (a list whose announced count does not match its items, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Which tool, rules and sources produced this file.
    pub provenance: Provenance,
}

/// The summit's description, copied from summit.yaml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummitInfo {
    /// The folder name under `summits/`.
    pub id: String,
    /// Title in Chinese.
    pub title: String,
    /// Title in English, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub date: String,
    /// Last day, when the summit ran over several days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    /// `in-person`, `video` or `hybrid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Who hosted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Participants as the sources name them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<String>,
    /// Documents adopted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// The sources read, in summit.yaml order.
    pub sources: Vec<SourceInfo>,
}

/// One source, as the appendix of the fact sheet lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// The file name under `sources/` (what citations call `doc`).
    pub doc: String,
    /// `speech`, `interview`, `report` or `preview`.
    pub kind: String,
    /// Title of the article or speech.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Publisher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// Publication date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Address, when the source carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// First 12 hex digits of the SHA-256 of the file.
    pub sha256: String,
}

/// One fact of the fact sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// Stable id: field, then a hash of the fact's identity (not of its position).
    pub id: String,
    /// `principle`, `proposal`, `pledge`, `mechanism`, `figure`, `document`, … (one per rule file).
    pub field: String,
    /// Canonical wording, verbatim from the best source.
    pub text: String,
    /// Normalised attributes (amount, period, recipient, status, …).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub attributes: Map<String, Value>,
    /// Sub-items: a principle list's principles, a proposal's measures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    /// `background` for facts that restate earlier events rather than this summit's outcomes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// Attributes on which the sources disagree, with each value and who says it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
    /// Ids of the rules that found this fact.
    pub rules: Vec<String>,
    /// Every sentence that states this fact.
    pub sources: Vec<Citation>,
}

impl Fact {
    /// Every citation of the fact: its own, then its items'.
    pub fn citations(&self) -> impl Iterator<Item = &Citation> {
        self.sources
            .iter()
            .chain(self.items.iter().flat_map(|i| &i.sources))
    }
}

/// A sub-item of a fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The item's text.
    pub text: String,
    /// Where it is said, for items that are sentences of their own (a proposal's measures).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Citation>,
}

/// A sentence that states a fact, checkable against the original file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Citation {
    /// Source file name under `sources/` (shared by every citation of the source).
    pub doc: Arc<str>,
    /// 1-based paragraph.
    pub para: usize,
    /// 1-based sentence within the paragraph.
    pub sentence: usize,
    /// Byte offset of the sentence in the original file (for a PDF or Word file: in the
    /// text extracted from it).
    pub start: usize,
    /// Byte offset just after it.
    pub end: usize,
    /// The page it is on, for a PDF source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
    /// The sentence (normalised, in the source's own characters), shared with the
    /// segmented sentence and every other citation of it: a large summit's matches
    /// cite the same sentences many times.
    pub quote: Arc<str>,
}

impl Citation {
    /// The id of the sentence cited.
    pub fn sentence_id(&self) -> SentenceId {
        SentenceId {
            doc: self.doc.clone(),
            para: self.para,
            sentence: self.sentence,
        }
    }
}

/// Which sentence of which source: written `doc:para:sentence` (`004_….txt:12:3`) in
/// facts.json and by every command. The source's name may itself hold colons; the
/// last two parts are the numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SentenceId {
    /// The source's name (its path under `sources/`).
    pub doc: Arc<str>,
    /// 1-based paragraph.
    pub para: usize,
    /// 1-based sentence within the paragraph.
    pub sentence: usize,
}

impl SentenceId {
    /// The id of sentence `sentence` of paragraph `para` of source `doc`.
    pub fn new(doc: &str, para: usize, sentence: usize) -> Self {
        SentenceId {
            doc: doc.into(),
            para,
            sentence,
        }
    }
}

impl fmt::Display for SentenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.doc, self.para, self.sentence)
    }
}

impl FromStr for SentenceId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a sentence id (source:paragraph:sentence)");
        let mut parts = s.rsplitn(3, ':');
        let sentence = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let para = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let doc = parts.next().filter(|d| !d.is_empty()).ok_or_else(bad)?;
        Ok(SentenceId::new(doc, para, sentence))
    }
}

impl Serialize for SentenceId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SentenceId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Sources disagreeing on one attribute of a fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The attribute (`amount`, `period`, `count`, …).
    pub attribute: String,
    /// Each distinct value and the sentences that state it.
    pub values: Vec<ConflictValue>,
}

/// One of the disagreeing values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictValue {
    /// The normalised value.
    pub value: Value,
    /// The sentences stating it.
    pub citations: Vec<SentenceId>,
}

/// Something the reader of the fact sheet should know about the extraction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The rule concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Sentence concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentence: Option<SentenceId>,
    /// The message.
    pub message: String,
}

/// What produced a facts.json: for the colophon, and to tell stale outputs apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// `factsheet <version>`.
    pub tool: String,
    /// First 12 hex digits of a SHA-256 over every rule file (names and contents).
    pub rules_sha256: String,
    /// First 12 hex digits of a SHA-256 over summit.yaml and every source file.
    pub sources_sha256: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_ids_read_back_what_they_write() {
        let id = SentenceId::new("a:b.txt", 12, 3);
        assert_eq!(id.to_string(), "a:b.txt:12:3");
        assert_eq!("a:b.txt:12:3".parse::<SentenceId>(), Ok(id.clone()));
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"a:b.txt:12:3\"");
        for bad in ["x.txt:12", "x.txt:a:3", ":1:2", "12:3"] {
            assert!(bad.parse::<SentenceId>().is_err(), "{bad}");
        }
    }
}
