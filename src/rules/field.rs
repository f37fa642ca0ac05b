//! A field as its rule file declares it: how its facts are told apart, and how its
//! section of the fact sheet is laid out (title, order, layout, columns, labels).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::schema::Shown;

/// A field: what one rule file fills.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    /// Its name (`pledge`).
    pub name: String,
    /// Chinese heading.
    pub title_zh: String,
    /// English heading.
    pub title_en: String,
    /// Position in the fact sheet (lower first).
    pub order: i32,
    /// How matches of this field are recognised as one fact.
    pub identity: Identity,
    /// Names too generic to identify a fact when another name ends with them.
    pub generic: Vec<String>,
    /// Attributes whose values are ranked: when matches disagree, the value latest
    /// in its list wins (a mechanism proposed, then agreed, is established).
    pub rank: Vec<(String, Vec<String>)>,
    /// Attributes whose disagreement between sources is flagged as a conflict.
    pub conflicts: Vec<String>,
    /// Whether its matches compete with other fields' for the same words (a pledge
    /// beats a figure); when false, they only compete among themselves.
    pub competes: bool,
    /// The file that declares it.
    pub file: PathBuf,
    /// How its section of the fact sheet is laid out and what it shows.
    pub render: RenderSpec,
}

impl FieldSpec {
    /// A field with default settings (used for facts of an undeclared field).
    pub fn plain(name: &str) -> Self {
        FieldSpec {
            name: name.to_string(),
            title_zh: name.to_string(),
            title_en: name.to_string(),
            order: 100,
            identity: Identity::Text,
            generic: Vec::new(),
            rank: Vec::new(),
            conflicts: Vec::new(),
            competes: true,
            file: PathBuf::new(),
            render: RenderSpec {
                layout: Layout::List,
                ..RenderSpec::default()
            },
        }
    }
}

/// How consolidation recognises two matches of a field as the same fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Identity {
    /// Same unit, and the same value or a similar `what` (pledges, figures).
    Amount,
    /// Same position in a list and a similar title (proposals).
    ListItem,
    /// Same normalised `name` (mechanisms).
    Name,
    /// The same items (principle lists).
    Items,
    /// The same `title` attribute (documents).
    Title,
    /// The same normalised text (the default).
    #[default]
    Text,
}

/// How a field's section is laid out (`layout:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One numbered line per fact (outcomes).
    Numbered,
    /// Each fact headed by its `heading:` attribute, its items set out below
    /// (principles).
    Sets,
    /// Each fact numbered by its `number:` attribute and headed by its `heading:`
    /// attribute, its items as measures below (proposals).
    Measures,
    /// A table with the declared `columns:` (the default).
    #[default]
    Table,
    /// Named in the summit's header, by the `heading:` attribute (documents).
    Header,
    /// A list of facts with every attribute (a field no rule file declares).
    List,
}

impl Layout {
    /// Its name in rule files and templates.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Numbered => "numbered",
            Layout::Sets => "sets",
            Layout::Measures => "measures",
            Layout::Table => "table",
            Layout::Header => "header",
            Layout::List => "list",
        }
    }
}

/// How a field's section is laid out and what it shows.
#[derive(Debug, Clone, Default)]
pub struct RenderSpec {
    /// The layout.
    pub layout: Layout,
    /// The attribute that heads each fact.
    pub heading: Option<String>,
    /// The attribute that numbers each fact.
    pub number: Option<String>,
    /// A table's columns, before the sources column.
    pub columns: Vec<Column>,
    /// Attributes never listed next to a fact.
    pub hide: Vec<String>,
    /// attribute → value → how it is shown.
    pub labels: BTreeMap<String, BTreeMap<String, Label>>,
}

impl RenderSpec {
    /// Whether the layout shows `attribute` in a place of its own (or never), so that
    /// it is not listed with the fact's other attributes.
    pub fn places(&self, attribute: &str) -> bool {
        let named = |s: Option<&Shown>| matches!(s, Some(Shown::Attribute(a)) if a == attribute);
        self.heading.as_deref() == Some(attribute)
            || self.number.as_deref() == Some(attribute)
            || self.hide.iter().any(|h| h == attribute)
            || self.columns.iter().any(|c| {
                named(Some(&c.show)) || named(c.otherwise.as_ref()) || named(c.below.as_ref())
            })
    }

    /// How `value` of `attribute` is shown, when the field says.
    pub fn label(&self, attribute: &str, value: &str) -> Option<&Label> {
        self.labels.get(attribute)?.get(value)
    }
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// What it shows.
    pub show: Shown,
    /// What it shows when the fact lacks `show`.
    pub otherwise: Option<Shown>,
    /// What it shows in small type below, when `show` was found.
    pub below: Option<Shown>,
    /// Chinese heading.
    pub zh: String,
    /// English heading.
    pub en: String,
    /// Width in the PDF (a typst length).
    pub width: String,
}

impl Column {
    /// Whether the column shows the fact's wording (and so takes its other attributes).
    pub fn shows_text(&self) -> bool {
        self.show == Shown::Text || self.otherwise == Some(Shown::Text)
    }
}

/// How one value of an attribute is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// In Chinese, when given.
    pub zh: Option<String>,
    /// In English.
    pub en: String,
}

/// Whether `width` is a typst length a column may have: `1fr`, `8.8em`, `12pt`,
/// `30%`, `auto` (so that it can be written into the typst file as it is).
pub fn is_typst_length(width: &str) -> bool {
    let number = |n: &str| {
        let (whole, frac) = n.split_once('.').unwrap_or((n, "0"));
        !whole.is_empty()
            && !frac.is_empty()
            && whole
                .bytes()
                .chain(frac.bytes())
                .all(|b| b.is_ascii_digit())
    };
    width == "auto"
        || ["pt", "mm", "cm", "in", "em", "fr", "%"]
            .iter()
            .any(|u| width.strip_suffix(u).is_some_and(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths() {
        for ok in ["1fr", "8.8em", "12pt", "30%", "auto", "5.4em"] {
            assert!(is_typst_length(ok), "{ok}");
        }
        for bad in [
            "", "em", "8.em", "1 fr", "1fr)", "#x", "8.8", ".5em", "1fr, 1fr",
        ] {
            assert!(!is_typst_length(bad), "{bad}");
        }
    }
}
