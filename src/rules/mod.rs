//! The rule language: loading, checking and compiling `rules/*.yaml`.
//!
//! Each file declares one field (`field: pledge`) and its sentence rules and list
//! rules; `patterns.yaml` holds sub-patterns shared by every file and
//! `background.yaml` the cues for background sentences. The language is documented
//! for analysts in `rules/README.md`. Problems are collected, not stopped at, and
//! each names its file, line and rule.

mod background;
mod compile;
mod field;
mod load;
pub mod normalisers;
pub mod prefilter;
pub mod schema;

use std::fmt;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

pub use background::Background;
pub use compile::expand;
pub use field::{Column, FieldSpec, Identity, Label, Layout, RenderSpec, is_typst_length};
pub use normalisers::Normaliser;
pub use schema::Shown;

/// A problem in a rule file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The rule concerned, when there is one.
    pub rule: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(r) = &self.rule {
            write!(f, ": rule `{r}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Where an attribute's value comes from.
#[derive(Debug, Clone)]
pub enum AttributeSource {
    /// A capture, through a normaliser.
    Capture {
        /// Capture name.
        capture: String,
        /// Normaliser.
        normaliser: Normaliser,
    },
    /// A capture looked up in an ordered table (first key contained in it wins).
    Map {
        /// Capture name.
        capture: String,
        /// (key, value) in file order.
        table: Vec<(String, Value)>,
    },
    /// A constant.
    Constant(Value),
}

/// How one attribute is made.
#[derive(Debug, Clone)]
pub struct AttributeSpec {
    /// Attribute name.
    pub name: String,
    /// Where its value comes from.
    pub source: AttributeSource,
    /// Value when the capture did not take part in the match.
    pub default: Option<Value>,
}

/// An attribute searched for elsewhere in the sentence.
#[derive(Debug, Clone)]
pub struct ContextSpec {
    /// Attribute name.
    pub name: String,
    /// What to look for (its `value` capture, or the whole match, is normalised).
    pub regex: Regex,
    /// Normaliser.
    pub normaliser: Normaliser,
    /// A constant value to give when found, instead of normalising.
    pub value: Option<Value>,
}

/// A rule's items: a capture, cut into items.
#[derive(Debug, Clone)]
pub struct ItemsSpec {
    /// The capture holding them.
    pub capture: String,
    /// Every match of this regex is an item (its `title` capture, else the whole
    /// match); without it the capture is split on 、 and a last 和/及.
    pub each: Option<Regex>,
}

/// Splitting a capture into one fact per part.
#[derive(Debug, Clone)]
pub struct SplitSpec {
    /// The capture to split.
    pub capture: String,
    /// How parts are found.
    pub how: SplitBy,
    /// Attributes from the part's captures.
    pub attributes: Vec<AttributeSpec>,
}

/// How a split capture is cut into parts.
#[derive(Debug, Clone)]
pub enum SplitBy {
    /// Cut at separators; a piece that does not match `part` is joined to the next
    /// (or, at the end, to the previous) so `融资支持和援助` stays whole.
    Separators {
        /// Separators.
        on: Regex,
        /// What a part must match.
        part: Regex,
        /// A piece that is no part and matches this is dropped instead of joined
        /// (`青年交流营、妇女论坛`: a camp is not a modifier of the forum).
        drop: Option<Regex>,
    },
    /// Every match of this regex is a part.
    Each(Regex),
}

impl SplitSpec {
    /// The regex whose captures give a part's attributes.
    pub fn part_regex(&self) -> &Regex {
        match &self.how {
            SplitBy::Separators { part, .. } => part,
            SplitBy::Each(re) => re,
        }
    }
}

/// What a fact's text is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextMode {
    /// The clause(s) around the match, between `，；：。！？` (the default).
    #[default]
    Clause,
    /// Exactly the matched text (for split rules: the part).
    Match,
    /// The whole sentence (or window).
    Sentence,
}

/// Where background cues are read for a field's matches (`background_scope:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackgroundScope {
    /// The match's sentence (the default).
    #[default]
    Sentence,
    /// Only the match's clause.
    Clause,
    /// Nowhere: only a preview source makes a match background.
    Source,
}

/// A compiled sentence rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique id.
    pub id: String,
    /// The field it fills.
    pub field: String,
    /// The file and line that define it.
    pub file: PathBuf,
    /// 1-based line of its `id:`.
    pub line: usize,
    /// The pattern with sub-patterns expanded.
    pub pattern: String,
    /// The compiled pattern.
    pub regex: Regex,
    /// Sentences the pattern may span.
    pub window: usize,
    /// Overlap priority.
    pub priority: i32,
    /// Clause-level vetoes.
    pub unless: Vec<Regex>,
    /// Attributes from captures.
    pub attributes: Vec<AttributeSpec>,
    /// Attributes from elsewhere in the sentence.
    pub context: Vec<ContextSpec>,
    /// Values for attributes still missing after that.
    pub defaults: Vec<(String, Value)>,
    /// Where the items come from.
    pub items: Option<ItemsSpec>,
    /// Capture holding the announced count.
    pub count: Option<String>,
    /// One fact per item.
    pub each_item: bool,
    /// One fact per part of a capture.
    pub split: Option<SplitSpec>,
    /// What the fact's text is.
    pub text: TextMode,
    /// Where background cues are read for its matches.
    pub background_scope: BackgroundScope,
    /// The examples, as written.
    pub examples: Vec<schema::ExampleYaml>,
    /// The line of each example.
    pub example_lines: Vec<Option<usize>>,
}

/// A compiled list rule.
#[derive(Debug, Clone)]
pub struct ListRule {
    /// Unique id.
    pub id: String,
    /// The field its items fill.
    pub field: String,
    /// Defining file.
    pub file: PathBuf,
    /// 1-based line of its `id:`.
    pub line: usize,
    /// Header regex; `None` for a rule that takes headless runs.
    pub header: Option<Regex>,
    /// What every item title must match for the rule to take a run.
    pub title: Option<Regex>,
    /// Item regexes (each with a `title` capture, and `ordinal` unless positional).
    pub items: Vec<Regex>,
    /// Accept parallel openings as items.
    pub parallel: bool,
    /// The header may announce the list from elsewhere in the document.
    pub announce: bool,
    /// One fact per item.
    pub each_item: bool,
    /// Items take the following sentences as measures.
    pub measures: bool,
    /// Attributes from the header's captures.
    pub attributes: Vec<AttributeSpec>,
    /// The examples, as written.
    pub examples: Vec<schema::ListExampleYaml>,
    /// The line of each example.
    pub example_lines: Vec<Option<usize>>,
}

/// Every rule of a rules folder, compiled, with the prefilter over them.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// The fields, in fact-sheet order.
    pub fields: Vec<FieldSpec>,
    /// Sentence rules, in file order.
    pub rules: Vec<Rule>,
    /// List rules, in file order.
    pub lists: Vec<ListRule>,
    /// Background cues.
    pub background: Background,
    /// Trigger words for rule health.
    pub triggers: Vec<String>,
    /// Short hash over every rule file's name and content (for the colophon).
    pub digest: String,
    /// Prefilter over the rules with `window == 1`.
    pub(crate) single: prefilter::Prefilter,
    /// Indices into `rules` of the `single` prefilter's rules.
    pub(crate) single_index: Vec<usize>,
    /// Prefilter over the rules with a window of two sentences.
    pub(crate) pair: prefilter::Prefilter,
    /// Indices into `rules` of the `pair` prefilter's rules.
    pub(crate) pair_index: Vec<usize>,
}

impl RuleSet {
    /// The field spec named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The sentence rule with id `id`.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The first trigger word (`triggers.yaml`) `text` holds, if any: a sentence that
    /// usually states a fact.
    pub fn trigger_in(&self, text: &str) -> Option<&str> {
        self.triggers
            .iter()
            .find(|t| text.contains(t.as_str()))
            .map(String::as_str)
    }

    /// Every rule id (sentence and list rules), in file order.
    pub fn ids(&self) -> Vec<&str> {
        self.rules
            .iter()
            .map(|r| r.id.as_str())
            .chain(self.lists.iter().map(|l| l.id.as_str()))
            .collect()
    }
}

/// Loads and compiles every `*.yaml` file of `dir`, or reports every problem found.
pub fn load(dir: &Path) -> Result<RuleSet> {
    let (set, problems) = load::load_dir(dir)?;
    if problems.is_empty() {
        Ok(set.expect("a rule set when there are no problems"))
    } else {
        Err(Error::Rules {
            problems: problems.iter().map(|p| p.to_string()).collect(),
        })
    }
}

/// Loads `dir`, returning the rule set (if it compiled) and every problem found.
pub fn load_with_problems(dir: &Path) -> Result<(Option<RuleSet>, Vec<Problem>)> {
    load::load_dir(dir)
}
