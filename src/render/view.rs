//! The shapes the templates see (`{{ summit.title }}`, `{% for f in section.facts %}`, …).
//! Field names here are the template language: renaming one breaks the templates.

use serde::Serialize;

use super::format::Shown;

/// Everything a fact-sheet template can use.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// The summit's description.
    pub summit: SummitView,
    /// Sections of this summit's outcomes (non-background facts), non-empty ones only.
    pub sections: Vec<Section>,
    /// Facts that restate earlier events, of any field.
    pub background: Vec<FactView>,
    /// Notes about the extraction.
    pub notes: Vec<NoteView>,
    /// The sources, numbered S1, S2, … as the citation markers name them.
    pub sources: Vec<SourceView>,
    /// Whether any citation names a page (a PDF source): the markers then show it.
    pub has_pages: bool,
    /// Tool, rules and sources versions.
    pub colophon: Colophon,
    /// How many facts per field, as "field: n" pairs in field order.
    pub counts: Vec<Count>,
    /// Whether there is no fact at all (extraction found nothing or is not wired yet).
    pub empty: bool,
}

/// The header block.
#[derive(Debug, Clone, Serialize)]
pub struct SummitView {
    /// Summit id.
    pub id: String,
    /// Chinese title.
    pub title: String,
    /// English title.
    pub title_en: Option<String>,
    /// Dates in Chinese, e.g. 2023年5月18日至19日.
    pub dates_zh: String,
    /// Dates in English, e.g. 18–19 May 2023.
    pub dates_en: String,
    /// Venue.
    pub venue: Option<String>,
    /// Format in Chinese.
    pub format_zh: Option<String>,
    /// Format in English.
    pub format_en: Option<String>,
    /// Host.
    pub host: Option<String>,
    /// Participants.
    pub participants: Vec<String>,
    /// Documents adopted, with citations where a document fact names them.
    pub documents: Vec<DocView>,
}

/// A document adopted.
#[derive(Debug, Clone, Serialize)]
pub struct DocView {
    /// Its title, as written (with 《》).
    pub title: String,
    /// Citation markers.
    pub marks: Vec<Mark>,
    /// The facts that name it (their anchors in the HTML sheet).
    pub facts: Vec<String>,
}

/// A section of facts of one field.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// The field.
    pub field: String,
    /// Its layout, as its rule file declares: numbered, sets, measures, table or list.
    pub kind: String,
    /// Chinese heading, when the field is a known one.
    pub zh: Option<String>,
    /// English heading (the field name itself for unknown fields).
    pub en: String,
    /// A table's columns (before the sources column).
    pub columns: Vec<ColumnView>,
    /// The facts, in the sheet's order.
    pub facts: Vec<FactView>,
    /// Whether any fact of the section has a conflict (to show the legend).
    pub has_conflicts: bool,
}

/// A column of a table.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnView {
    /// Chinese heading.
    pub zh: String,
    /// English heading.
    pub en: String,
    /// Width in the PDF (a typst length, checked when the rules load).
    pub width: String,
}

/// A citation marker such as `S2 ¶12` or `S2 ¶12, 16`: one source, its cited paragraphs
/// (and, for the HTML sheet, the sentences it links to).
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    /// Source number (S1 = 1).
    pub n: usize,
    /// Paragraphs, ascending.
    pub paras: Vec<usize>,
    /// Pages of the cited sentences, ascending, for a PDF source; empty otherwise.
    pub pages: Vec<usize>,
    /// `S2 ¶12, 16`, or `S2 p. 3 ¶12` for a PDF source.
    pub label: String,
    /// The sentences cited, in order.
    pub sentences: Vec<Anchor>,
}

/// Two markers read the same when they name the same paragraphs (and pages) of the
/// same source.
impl PartialEq for Mark {
    fn eq(&self, other: &Self) -> bool {
        (self.n, &self.paras, &self.pages) == (other.n, &other.paras, &other.pages)
    }
}

/// A sentence of a source, as the HTML sheet anchors it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// Source number.
    pub n: usize,
    /// Paragraph.
    pub para: usize,
    /// Sentence in the paragraph.
    pub sentence: usize,
    /// The page, for a PDF source.
    pub page: Option<usize>,
    /// The anchor: `S2-12-3`.
    pub id: String,
}

impl Anchor {
    /// The anchor of sentence `sentence` of paragraph `para` of source `n`.
    pub fn new(n: usize, para: usize, sentence: usize) -> Self {
        Anchor {
            n,
            para,
            sentence,
            page: None,
            id: format!("S{n}-{para}-{sentence}"),
        }
    }
}

/// A fact, with everything its layout needs precomputed.
#[derive(Debug, Clone, Serialize)]
pub struct FactView {
    /// Stable id.
    pub id: String,
    /// Field.
    pub field: String,
    /// Field label for mixed lists, e.g. `承诺 pledge`.
    pub label: String,
    /// Canonical wording.
    pub text: String,
    /// Citation markers.
    pub marks: Vec<Mark>,
    /// Sub-items.
    pub items: Vec<ItemView>,
    /// Columns to set the items in (2 to 4 when they are short), or 0 for a plain list.
    pub item_columns: usize,
    /// Its number, from the field's `number:` attribute (a numbered proposal).
    pub number: Option<String>,
    /// Its heading, from the field's `heading:` attribute (a set's name, a proposal's
    /// title, a document's title).
    pub heading: Option<String>,
    /// What each column of a table shows.
    pub cells: Vec<Cell>,
    /// Every attribute, displayed (for generic layouts).
    pub attributes: Vec<AttrView>,
    /// The attributes that say more than the text (for mixed lists such as the background).
    pub summary: Vec<AttrView>,
    /// Attributes the layout does not show in a place of its own (nor hides).
    pub extras: Vec<AttrView>,
    /// Disagreements between sources.
    pub conflicts: Vec<ConflictView>,
    /// Whether this restates earlier events.
    pub background: bool,
}

/// A sub-item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    /// Text.
    pub text: String,
    /// Its citation markers.
    pub marks: Vec<Mark>,
    /// False when the next item has the same markers (they are shown once, after the run).
    pub show_marks: bool,
}

/// A displayed attribute.
#[derive(Debug, Clone, Serialize)]
pub struct AttrView {
    /// Attribute name.
    pub name: String,
    /// Displayed value.
    pub value: String,
}

/// What one column of a table shows of a fact.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// `text` (the wording or a name), `value` (as written and normalised) or `label`
    /// (a value the field labels, such as a mechanism's status).
    pub kind: String,
    /// A `text` cell's text.
    pub main: Option<String>,
    /// A `text` cell's second line, in small type.
    pub below: Option<String>,
    /// A `value` cell's value; none shows as `—`.
    pub value: Option<Shown>,
    /// A `label` cell's label; none shows as `—`.
    pub label: Option<LabelView>,
    /// Whether the fact's other attributes are listed in this cell.
    pub extras: bool,
}

/// A labelled value (a mechanism's status).
#[derive(Debug, Clone, Serialize)]
pub struct LabelView {
    /// The value: established, proposed, continued, or whatever the rules say.
    pub code: String,
    /// Chinese label.
    pub zh: Option<String>,
    /// English label.
    pub en: String,
}

/// Sources disagreeing on one attribute.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictView {
    /// The attribute.
    pub attribute: String,
    /// Each value with who says it.
    pub values: Vec<ConflictValueView>,
}

/// One disagreeing value.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictValueView {
    /// Displayed value.
    pub value: String,
    /// Citation markers.
    pub marks: Vec<Mark>,
}

/// A note.
#[derive(Debug, Clone, Serialize)]
pub struct NoteView {
    /// The message.
    pub message: String,
    /// The rule, if any.
    pub rule: Option<String>,
    /// Citation markers of the sentence, if any.
    pub marks: Vec<Mark>,
}

/// One source in the appendix.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    /// Number (1 for S1).
    pub n: usize,
    /// `S1`.
    pub label: String,
    /// File name under sources/.
    pub doc: String,
    /// Kind code.
    pub kind: String,
    /// Kind in Chinese.
    pub kind_zh: String,
    /// Title.
    pub title: Option<String>,
    /// Outlet.
    pub outlet: Option<String>,
    /// Date.
    pub date: Option<String>,
    /// Address.
    pub url: Option<String>,
    /// Short content hash.
    pub sha256: String,
    /// The pages cited, for a PDF source.
    pub pages: Vec<usize>,
}

/// The colophon.
#[derive(Debug, Clone, Serialize)]
pub struct Colophon {
    /// `factsheet 0.1.0`.
    pub tool: String,
    /// Short hash of the rules.
    pub rules_sha256: String,
    /// Short hash of the sources.
    pub sources_sha256: String,
    /// typst version used.
    pub typst: String,
    /// Font families of the project.
    pub fonts: Vec<String>,
}

/// Facts of one field.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    /// Field.
    pub field: String,
    /// All facts of the field.
    pub total: usize,
    /// Of which background.
    pub background: usize,
}
