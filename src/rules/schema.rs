//! The shape of a rule file, as analysts write it (see rules/README.md).
//!
//! These structs only describe YAML; [`super::load`] checks and compiles them.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::{BackgroundScope, Identity, Layout, Normaliser, TextMode};

/// One YAML file under `rules/`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// The field this file's rules fill (`pledge`, …); absent in a file of shared patterns.
    pub field: Option<String>,
    /// Headings for the fact sheet.
    pub title: Option<FieldTitle>,
    /// What counts as a fact of this field, for analysts.
    pub description: Option<String>,
    /// Where this field's facts go in the fact-sheet order (lower first).
    pub order: Option<i32>,
    /// How two matches are recognised as the same fact: `amount`, `list-item`,
    /// `name`, `items`, `title` or `text` (the default).
    #[serde(default)]
    pub identity: Identity,
    /// With `identity: name`: names too generic to identify a fact when another name
    /// ends with them (`论坛`, `机制`).
    #[serde(default)]
    pub generic: Vec<String>,
    /// Ranked attribute values: when matches of one fact disagree, the value latest
    /// in the list wins (`status: [proposed, continued, established]`).
    #[serde(default)]
    pub rank: BTreeMap<String, Vec<String>>,
    /// Attributes whose disagreement between sources is flagged as a conflict.
    #[serde(default)]
    pub conflicts: Vec<String>,
    /// Where background cues are read: `sentence` (default), `clause`, or `source`
    /// (no cue: only a preview makes a match background; a statistic stated with its
    /// year of reference is not an earlier event).
    #[serde(default)]
    pub background_scope: BackgroundScope,
    /// Whether this field's matches compete with other fields' for the same words
    /// (default true: a pledge beats a figure); false for a field that describes the
    /// same words another way (an outcome may also be a mechanism).
    pub competes: Option<bool>,
    /// How its section is laid out (default `table`).
    #[serde(default)]
    pub layout: Layout,
    /// The attribute that heads each fact (`sets`, `measures`, `header` layouts).
    pub heading: Option<String>,
    /// The attribute that numbers each fact (`measures`).
    pub number: Option<String>,
    /// The columns of a `table`, before the sources column (default: the text, then
    /// every attribute the field's rules make).
    pub columns: Option<Vec<ColumnYaml>>,
    /// Attributes never listed next to a fact (its text says them already).
    #[serde(default)]
    pub hide: Vec<String>,
    /// How values of an attribute are shown: attribute → value → headings.
    #[serde(default)]
    pub labels: BTreeMap<String, BTreeMap<String, LabelYaml>>,
    /// Named sub-patterns; in `patterns.yaml` shared by every file, elsewhere local.
    #[serde(default)]
    pub patterns: BTreeMap<String, String>,
    /// Sentence rules.
    #[serde(default)]
    pub rules: Vec<RuleYaml>,
    /// List rules (a header announcing a list, then its items).
    #[serde(default)]
    pub lists: Vec<ListYaml>,
    /// Cues that mark a sentence as background (only in `background.yaml`).
    pub background: Option<BackgroundYaml>,
    /// Words that usually signal a fact; `check --corpus` lists sentences holding
    /// one that no rule extracted from (only in `triggers.yaml`).
    pub triggers: Option<Vec<String>>,
}

/// One column of a `table` layout.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnYaml {
    /// What the column shows: an attribute, or `text` (the fact's wording).
    pub show: Shown,
    /// What it shows when the fact has no such attribute (else `—`).
    #[serde(rename = "else")]
    pub otherwise: Option<Shown>,
    /// What it shows in small type below, when `show` was found.
    pub below: Option<Shown>,
    /// Chinese heading (default: the English one).
    pub zh: Option<String>,
    /// English heading (default: the attribute's name).
    pub en: Option<String>,
    /// Its width in the PDF, a typst length: `1fr`, `8.8em`, `auto`… (default `7em`,
    /// `1fr` for a column that shows the text).
    pub width: Option<String>,
}

/// A value a column can show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// The fact's wording.
    Text,
    /// An attribute.
    Attribute(String),
}

impl<'de> Deserialize<'de> for Shown {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(match name.as_str() {
            "text" => Shown::Text,
            _ => Shown::Attribute(name),
        })
    }
}

/// How one value of an attribute is shown.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelYaml {
    /// In Chinese.
    pub zh: Option<String>,
    /// In English (default: the value itself).
    pub en: Option<String>,
}

/// Chinese and English headings of a field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldTitle {
    /// Chinese heading (原则).
    pub zh: String,
    /// English heading (Principles).
    pub en: String,
}

/// A sentence rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleYaml {
    /// Unique id, conventionally `<field>.<name>`.
    pub id: String,
    /// What the rule finds, for analysts.
    pub description: Option<String>,
    /// Regex over one normalised sentence (or `window` sentences), with named captures.
    pub pattern: String,
    /// How many consecutive sentences of a paragraph the pattern may span (1 or 2).
    pub window: Option<usize>,
    /// When two matches overlap in a sentence, the higher priority wins.
    #[serde(default)]
    pub priority: i32,
    /// Regexes: if one matches the clause around the match, the match is dropped.
    #[serde(default)]
    pub unless: Vec<String>,
    /// Attributes and how captures become them.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeYaml>,
    /// Attributes searched for elsewhere in the sentence when the pattern has none.
    #[serde(default)]
    pub context: BTreeMap<String, ContextYaml>,
    /// Values for attributes still missing after `attributes` and `context`.
    #[serde(default)]
    pub defaults: BTreeMap<String, Value>,
    /// A capture holding a list that becomes the fact's items: split on 、 (a
    /// capture name), or every match of `each` in it (its `title` capture, else the
    /// whole match).
    pub items: Option<ItemsYaml>,
    /// A capture holding the announced number of items: the `count` attribute,
    /// checked against the items when the rule has `items:`.
    pub count: Option<String>,
    /// Make one fact per item (proposals) instead of one fact with items.
    #[serde(default)]
    pub each_item: bool,
    /// A capture holding several things joined by 和/及/、, each its own fact.
    pub split: Option<SplitYaml>,
    /// What the fact's text is: `clause` (default), `match` or `sentence`.
    #[serde(default)]
    pub text: TextMode,
    /// Sentences that must (or must not) match, with the attributes they give.
    #[serde(default)]
    pub examples: Vec<ExampleYaml>,
}

/// Where a rule's items come from.
#[derive(Debug, Clone)]
pub enum ItemsYaml {
    /// A capture, split on 、 and a last 和/及.
    Capture(String),
    /// A capture and the regex that finds each item in it.
    Each {
        /// The capture.
        capture: String,
        /// Regex matched repeatedly over the capture.
        each: String,
    },
}

/// The long form of `items:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemsEach {
    capture: String,
    each: String,
}

impl<'de> Deserialize<'de> for ItemsYaml {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        short_or_long(
            deserializer,
            "a capture name, or {capture: …, each: …}",
            ItemsYaml::Capture,
            |l: ItemsEach| ItemsYaml::Each {
                capture: l.capture,
                each: l.each,
            },
        )
    }
}

impl ItemsYaml {
    /// The capture holding the items.
    pub fn capture(&self) -> &str {
        match self {
            ItemsYaml::Capture(c) | ItemsYaml::Each { capture: c, .. } => c,
        }
    }
}

/// How one attribute is made.
#[derive(Debug)]
pub enum AttributeYaml {
    /// Just a capture name: its text, trimmed.
    Capture(String),
    /// The full form.
    Full(Box<AttributeFull>),
}

impl<'de> Deserialize<'de> for AttributeYaml {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        short_or_long(
            deserializer,
            "a capture name, or {capture: …, normaliser: …} / {capture: …, map: …} / {value: …}",
            AttributeYaml::Capture,
            |f: AttributeFull| AttributeYaml::Full(Box::new(f)),
        )
    }
}

/// A value written either as one string (`what: what`) or as a mapping (`amount:
/// {capture: amount, normaliser: money}`). Unlike an untagged enum, a mistake inside
/// the mapping (an unknown key or normaliser) is reported as itself, with its line.
fn short_or_long<'de, D, L, T>(
    deserializer: D,
    expecting: &'static str,
    short: fn(String) -> T,
    long: fn(L) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    L: Deserialize<'de>,
{
    struct Either<L, T> {
        expecting: &'static str,
        short: fn(String) -> T,
        long: fn(L) -> T,
    }
    impl<'de, L: Deserialize<'de>, T> Visitor<'de> for Either<L, T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok((self.short)(v.to_string()))
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            L::deserialize(de::value::MapAccessDeserializer::new(map)).map(self.long)
        }
    }
    deserializer.deserialize_any(Either {
        expecting,
        short,
        long,
    })
}

/// The full form of an attribute.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeFull {
    /// The capture to read; absent for a constant `value`.
    pub capture: Option<String>,
    /// Normaliser (`text` by default).
    pub normaliser: Option<Normaliser>,
    /// Look the capture up: the first key contained in it gives the value.
    pub map: Option<Table>,
    /// Value when the capture is absent or no `map` key is found.
    pub default: Option<Value>,
    /// A constant value.
    pub value: Option<Value>,
}

/// An attribute found elsewhere in the sentence.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextYaml {
    /// Regex searched in the sentence before the match (nearest first), then after it.
    pub pattern: String,
    /// Normaliser for the text it finds (its `value` capture if it has one).
    #[serde(default)]
    pub normaliser: Normaliser,
    /// A constant value to give when the pattern is found (instead of normalising).
    pub value: Option<Value>,
}

/// Splitting one capture into several facts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitYaml {
    /// The capture to split.
    pub capture: String,
    /// Regex of the separators (parts that do not match `part` are joined to the next).
    pub on: Option<String>,
    /// Instead of separators: every match of this regex in the capture is a part.
    pub each: Option<String>,
    /// Regex each part must match (with `on`); its captures become the part's attributes.
    pub part: Option<String>,
    /// With `on`: a piece that does not match `part` is joined to the next (a
    /// modifier: 外交、经贸…会晤机制), unless it matches this regex: then it is dropped
    /// (青年交流营、妇女论坛: a camp is no modifier of the forum).
    pub drop: Option<String>,
    /// Attributes made from the part's captures.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeYaml>,
}

/// A rule example.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleYaml {
    /// The sentence (or, for `window: 2`, two sentences).
    pub sentence: String,
    /// False for a sentence the rule must not match.
    #[serde(default = "yes", rename = "match")]
    pub matches: bool,
    /// Attributes the (first) fact must have; a subset check.
    pub attributes: Option<serde_json::Map<String, Value>>,
    /// Per-fact expectations when the sentence gives several facts.
    pub facts: Option<Vec<serde_json::Map<String, Value>>>,
    /// Items the fact must have.
    pub items: Option<Vec<String>>,
}

fn yes() -> bool {
    true
}

/// A list rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListYaml {
    /// Unique id.
    pub id: String,
    /// What the rule finds.
    pub description: Option<String>,
    /// Regex for the sentence that announces the list; `count` capture for the number.
    /// Without a header, the rule takes the runs no header claimed whose every
    /// title matches `title:` (a list whose header an excerpt cut off).
    pub header: Option<String>,
    /// Regex every item title must match for the rule to take the list.
    pub title: Option<String>,
    /// Regexes that find an item in a sentence; captures `title` and, for numbered
    /// items, `ordinal` (items without one are numbered by their place: `——…`).
    #[serde(default)]
    pub items: Vec<String>,
    /// Also accept a run of paragraphs opening with the same words (排比) as the items.
    #[serde(default)]
    pub parallel: bool,
    /// The header may stand elsewhere in the document, announcing the list by its count.
    #[serde(default)]
    pub announce: bool,
    /// One fact per item (proposals) instead of one fact holding the items (principles).
    #[serde(default)]
    pub each_item: bool,
    /// The sentences after an item, up to the next, are its measures.
    #[serde(default)]
    pub measures: bool,
    /// Attributes from the header's captures.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeYaml>,
    /// Little documents with the list and what must be found.
    #[serde(default)]
    pub examples: Vec<ListExampleYaml>,
}

/// A list rule example: a short text, one paragraph per line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListExampleYaml {
    /// The text.
    pub text: String,
    /// The item titles expected, in order; empty or absent with `match: false`.
    #[serde(default)]
    pub items: Vec<String>,
    /// False when the rule must find no list here.
    #[serde(default = "yes", rename = "match")]
    pub matches: bool,
    /// Measures expected per item (number of sentences), when checked.
    pub measures: Option<Vec<usize>>,
}

/// Background cues (rules/background.yaml).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundYaml {
    /// Regexes: a sentence matching one narrates an earlier event.
    #[serde(default)]
    pub cues: Vec<String>,
    /// A regex for the words after which a dated cue dates a statistic, not an earlier
    /// event (`截至2023年`): the cue does not count when the text before it ends so.
    pub as_of: Option<String>,
    /// Sentences that must (true) or must not (false) count as background.
    #[serde(default)]
    pub examples: Vec<BackgroundExample>,
}

/// A background example.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundExample {
    /// The sentence.
    pub sentence: String,
    /// The summit's first day, `YYYY-MM-DD`, that dates in the sentence are compared with.
    pub summit_date: String,
    /// Whether it is background.
    pub background: bool,
}

/// A `map:` table: its keys in file order, each as written (a number or a boolean
/// key as its text), with their values.
#[derive(Debug, Clone, Default)]
pub struct Table(pub Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Table {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = Table;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of `text it holds: value`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Table, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<Key, Value>()? {
                    out.push((k.0, v));
                }
                Ok(Table(out))
            }
        }
        deserializer.deserialize_map(Entries)
    }
}

/// A table key: text, or a number or boolean read as its text.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text, number or boolean key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
        }
        deserializer.deserialize_any(Text)
    }
}
