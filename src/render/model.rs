//! What the templates see: the fact sheet turned into presentation-ready data
//! (citation markers, source numbers, formatted amounts, sections laid out as each
//! field's rule file declares), so that the templates stay simple. All strings here
//! are plain text; escaping is the template layer's job.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::format;
use super::view::{
    Anchor, AttrView, Cell, Colophon, ColumnView, ConflictValueView, ConflictView, Count, DocView,
    FactView, ItemView, LabelView, Mark, Model, NoteView, Section, SourceView, SummitView,
};
use crate::facts::{Citation, Fact, FactSheet, SentenceId};
use crate::rules::{Column, FieldSpec, Layout, Shown};

/// What the colophon says besides the sheet's provenance: what made the PDF.
#[derive(Debug, Clone, Default)]
pub struct Toolchain {
    /// The typst version the PDF is (or would be) compiled with.
    pub typst: String,
    /// The font families of the project.
    pub fonts: Vec<String>,
}

/// The sheet as a reader sees it: the pinyin some sites insert after characters
/// (`領(lǐng)導(dǎo)人`) and their doubled commas left out of every text shown.
/// facts.json keeps the sources' words as they are.
pub fn without_noise(sheet: &FactSheet) -> FactSheet {
    let clean = |s: &str| crate::segment::without_noise_text(s);
    let mut out = sheet.clone();
    for f in &mut out.facts {
        f.text = clean(&f.text);
        for v in f.attributes.values_mut() {
            clean_value(v, &clean);
        }
        for i in &mut f.items {
            i.text = clean(&i.text);
        }
        for c in &mut f.conflicts {
            for v in &mut c.values {
                clean_value(&mut v.value, &clean);
            }
        }
    }
    out
}

/// Applies `clean` to every string inside `v`.
fn clean_value(v: &mut Value, clean: &dyn Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = clean(s),
        Value::Array(a) => a.iter_mut().for_each(|x| clean_value(x, clean)),
        Value::Object(o) => o.values_mut().for_each(|x| clean_value(x, clean)),
        _ => {}
    }
}

/// A cited sentence: (source number, paragraph, sentence, page of a PDF source).
type Cite = (usize, usize, usize, Option<usize>);

/// One marker per source, its paragraphs (and, for a PDF source, pages) merged, in
/// source order; each keeps the sentences it stands for.
fn group(mut cites: Vec<Cite>) -> Vec<Mark> {
    cites.sort_unstable();
    cites.dedup();
    let mut out: Vec<Mark> = Vec::new();
    for (n, para, sentence, page) in cites {
        let anchor = Anchor {
            page,
            ..Anchor::new(n, para, sentence)
        };
        match out.last_mut() {
            Some(m) if m.n == n => {
                if m.paras.last() != Some(&para) {
                    m.paras.push(para);
                }
                m.pages.extend(page);
                m.sentences.push(anchor);
            }
            _ => out.push(Mark {
                n,
                paras: vec![para],
                pages: page.into_iter().collect(),
                label: String::new(),
                sentences: vec![anchor],
            }),
        }
    }
    for m in &mut out {
        m.pages.sort_unstable();
        m.pages.dedup();
        let paras: Vec<String> = m.paras.iter().map(ToString::to_string).collect();
        m.label = if m.pages.is_empty() {
            format!("S{} ¶{}", m.n, paras.join(", "))
        } else {
            let pages: Vec<String> = m.pages.iter().map(ToString::to_string).collect();
            format!("S{} p. {} ¶{}", m.n, pages.join(", "), paras.join(", "))
        };
    }
    out
}

/// Builds the model of `sheet` (as a reader sees it: see [`without_noise`]), its
/// sections laid out as `fields` declare.
pub fn build(sheet: &FactSheet, fields: &[FieldSpec], toolchain: &Toolchain) -> Model {
    let b = Builder::new(sheet, fields);
    let s = &sheet.summit;
    let mut documents: Vec<DocView> = s
        .documents
        .iter()
        .map(|t| DocView {
            title: t.clone(),
            marks: Vec::new(),
            facts: Vec::new(),
        })
        .collect();
    let mut by_field: BTreeMap<&str, Vec<FactView>> = BTreeMap::new();
    let mut background = Vec::new();
    for fact in &sheet.facts {
        let spec = b.spec(&fact.field);
        let view = b.fact(fact, &spec);
        if view.background {
            background.push(view);
        } else if spec.render.layout == Layout::Header {
            add_document(&mut documents, view);
        } else {
            by_field.entry(fact.field.as_str()).or_default().push(view);
        }
    }
    Model {
        summit: summit_view(sheet, documents),
        sections: sections(&b, by_field),
        background,
        notes: notes(&b, sheet),
        has_pages: b.sources.iter().any(|s| !s.pages.is_empty()),
        sources: b.sources.clone(),
        colophon: Colophon {
            tool: sheet.provenance.tool.clone(),
            rules_sha256: sheet.provenance.rules_sha256.clone(),
            sources_sha256: sheet.provenance.sources_sha256.clone(),
            typst: toolchain.typst.clone(),
            fonts: toolchain.fonts.clone(),
        },
        counts: counts(sheet),
        empty: sheet.facts.is_empty(),
    }
}

/// A fact of a `header` field (a document adopted) among the header's documents:
/// merged with the one of the same title, else added.
fn add_document(documents: &mut Vec<DocView>, view: FactView) {
    let title = view.heading.clone().unwrap_or_else(|| view.text.clone());
    match documents
        .iter_mut()
        .find(|d| format::same_title(&d.title, &title))
    {
        Some(d) => {
            let cites = d
                .marks
                .iter()
                .chain(&view.marks)
                .flat_map(|m| {
                    m.sentences
                        .iter()
                        .map(|a| (a.n, a.para, a.sentence, a.page))
                })
                .collect();
            d.marks = group(cites);
            d.facts.push(view.id);
        }
        None => documents.push(DocView {
            title,
            marks: view.marks,
            facts: vec![view.id],
        }),
    }
}

fn summit_view(sheet: &FactSheet, documents: Vec<DocView>) -> SummitView {
    let s = &sheet.summit;
    SummitView {
        id: s.id.clone(),
        title: s.title.clone(),
        title_en: s.title_en.clone(),
        dates_zh: format::dates_zh(&s.date, s.end_date.as_deref()),
        dates_en: format::dates_en(&s.date, s.end_date.as_deref()),
        venue: s.venue.clone(),
        format_zh: s.format.as_deref().map(|f| format::meeting_format(f).0),
        format_en: s.format.as_deref().map(|f| format::meeting_format(f).1),
        host: s.host.clone(),
        participants: s.participants.clone(),
        documents,
    }
}

/// Sections in the rule files' order, titled and laid out as they say; a field no
/// rule file declares (a facts.json from elsewhere) comes last, titled by its name.
fn sections(b: &Builder, mut by_field: BTreeMap<&str, Vec<FactView>>) -> Vec<Section> {
    let mut out = Vec::new();
    for spec in b.fields {
        if let Some(facts) = by_field.remove(spec.name.as_str()) {
            out.push(section(spec, Some(&spec.title_zh), facts));
        }
    }
    for (field, facts) in by_field {
        out.push(section(&FieldSpec::plain(field), None, facts));
    }
    out
}

fn section(spec: &FieldSpec, zh: Option<&str>, facts: Vec<FactView>) -> Section {
    Section {
        field: spec.name.clone(),
        kind: spec.render.layout.name().to_string(),
        zh: zh.map(str::to_string),
        en: spec.title_en.clone(),
        columns: spec
            .render
            .columns
            .iter()
            .map(|c| ColumnView {
                zh: c.zh.clone(),
                en: c.en.clone(),
                width: c.width.clone(),
            })
            .collect(),
        has_conflicts: facts.iter().any(|f| !f.conflicts.is_empty()),
        facts,
    }
}

fn notes(b: &Builder, sheet: &FactSheet) -> Vec<NoteView> {
    sheet
        .notes
        .iter()
        .map(|n| NoteView {
            message: n.message.clone(),
            rule: n.rule.clone(),
            marks: b.marks_of_ids(&n.sentence),
        })
        .collect()
}

/// Facts per field, in the sheet's order.
fn counts(sheet: &FactSheet) -> Vec<Count> {
    let mut counts: Vec<Count> = Vec::new();
    for f in &sheet.facts {
        let bg = usize::from(f.context.as_deref() == Some("background"));
        match counts.iter_mut().find(|c| c.field == f.field) {
            Some(c) => {
                c.total += 1;
                c.background += bg;
            }
            None => counts.push(Count {
                field: f.field.clone(),
                total: 1,
                background: bg,
            }),
        }
    }
    counts
}

struct Builder<'a> {
    fields: &'a [FieldSpec],
    sources: Vec<SourceView>,
    /// The page of every cited sentence that has one (a PDF source's).
    pages: BTreeMap<SentenceId, usize>,
    /// `承诺 pledge`: how each field is labelled in mixed lists (its rule file's title).
    labels: BTreeMap<String, String>,
}

impl<'a> Builder<'a> {
    fn new(sheet: &FactSheet, fields: &'a [FieldSpec]) -> Self {
        let labels = fields
            .iter()
            .map(|f| (f.name.clone(), format!("{} {}", f.title_zh, f.name)))
            .collect();
        let pages = cited(sheet)
            .filter_map(|c| Some((c.sentence_id(), c.page?)))
            .collect();
        Builder {
            fields,
            sources: source_views(sheet),
            pages,
            labels,
        }
    }

    /// The declaration of `field`, or the plain one of a field no rule file declares.
    fn spec(&self, field: &str) -> std::borrow::Cow<'a, FieldSpec> {
        match self.fields.iter().find(|f| f.name == field) {
            Some(f) => std::borrow::Cow::Borrowed(f),
            None => std::borrow::Cow::Owned(FieldSpec::plain(field)),
        }
    }

    fn number(&self, doc: &str) -> Option<usize> {
        self.sources.iter().find(|s| s.doc == doc).map(|s| s.n)
    }

    fn marks_of_ids<'i>(&self, ids: impl IntoIterator<Item = &'i SentenceId>) -> Vec<Mark> {
        group(
            ids.into_iter()
                .filter_map(|id| {
                    let page = self.pages.get(id).copied();
                    Some((self.number(&id.doc)?, id.para, id.sentence, page))
                })
                .collect(),
        )
    }

    fn marks(&self, cites: &[Citation]) -> Vec<Mark> {
        group(
            cites
                .iter()
                .filter_map(|c| Some((self.number(&c.doc)?, c.para, c.sentence, c.page)))
                .collect(),
        )
    }

    fn fact(&self, f: &Fact, spec: &FieldSpec) -> FactView {
        let attrs = &f.attributes;
        let render = &spec.render;
        let (items, item_columns) = self.items(f);
        let number = render
            .number
            .as_deref()
            .and_then(|n| attrs.get(n))
            .and_then(|o| match o {
                Value::Object(m) => m.get("value").map(format::display_value),
                Value::Number(_) => Some(format::display_value(o)),
                _ => None,
            });
        let columns_with_extras = extras_column(&render.columns);
        FactView {
            id: f.id.clone(),
            field: f.field.clone(),
            label: self
                .labels
                .get(&f.field)
                .cloned()
                .unwrap_or_else(|| f.field.clone()),
            text: f.text.trim().to_string(),
            marks: self.marks(&f.sources),
            items,
            item_columns,
            number,
            heading: render.heading.as_deref().and_then(|h| text_attr(attrs, h)),
            cells: render
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| cell(f, spec, c, columns_with_extras == Some(i)))
                .collect(),
            summary: attr_views(attrs, &|k| k == "count" || k == "ordinal")
                .into_iter()
                .filter(|a| !f.text.contains(&a.value))
                .collect(),
            attributes: attr_views(attrs, &|_| false),
            extras: attr_views(attrs, &|k| render.places(k)),
            conflicts: self.conflicts(f),
            background: f.context.as_deref() == Some("background"),
        }
    }

    /// The fact's items, and the columns to set them in (2 to 4 when they are short).
    fn items(&self, f: &Fact) -> (Vec<ItemView>, usize) {
        let mut items: Vec<ItemView> = f
            .items
            .iter()
            .map(|i| ItemView {
                text: i.text.trim().to_string(),
                marks: self.marks(&i.sources),
                show_marks: true,
            })
            .collect();
        for i in 0..items.len().saturating_sub(1) {
            items[i].show_marks = items[i].marks != items[i + 1].marks;
        }
        let longest = items
            .iter()
            .map(|i| i.text.chars().count())
            .max()
            .unwrap_or(0);
        let columns = match (items.len(), longest) {
            (0..=1, _) => 0,
            (n, 0..=7) => n.min(4),
            (n, 8..=16) if n % 2 == 0 => 2,
            _ => 0,
        };
        (items, columns)
    }

    fn conflicts(&self, f: &Fact) -> Vec<ConflictView> {
        f.conflicts
            .iter()
            .map(|c| ConflictView {
                attribute: c.attribute.clone(),
                values: c
                    .values
                    .iter()
                    .map(|v| ConflictValueView {
                        value: format::display_value(&v.value),
                        marks: self.marks_of_ids(&v.citations),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// Every citation of the sheet: its facts' and their items'.
pub(super) fn cited(sheet: &FactSheet) -> impl Iterator<Item = &Citation> {
    sheet.facts.iter().flat_map(Fact::citations)
}

/// The sources, numbered S1, S2, … in summit.yaml's order, with the pages cited of a
/// PDF source; a cited file summit.yaml does not list still gets a number.
fn source_views(sheet: &FactSheet) -> Vec<SourceView> {
    let view = |n: usize, doc: String, kind: &str| SourceView {
        n,
        label: format!("S{n}"),
        doc,
        kind: kind.to_string(),
        kind_zh: format::source_kind_zh(kind),
        title: None,
        outlet: None,
        date: None,
        url: None,
        sha256: String::new(),
        pages: Vec::new(),
    };
    let mut sources: Vec<SourceView> = sheet
        .summit
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| SourceView {
            title: s.title.clone(),
            outlet: s.outlet.clone(),
            date: s.date.clone(),
            url: s.url.clone(),
            sha256: s.sha256.clone(),
            ..view(i + 1, s.doc.clone(), &s.kind)
        })
        .collect();
    for doc in cited(sheet).map(|c| c.doc.to_string()) {
        if !sources.iter().any(|s| s.doc == doc) {
            sources.push(view(sources.len() + 1, doc, "report"));
        }
    }
    for s in &mut sources {
        let mut pages: Vec<usize> = cited(sheet)
            .filter(|c| *c.doc == *s.doc)
            .filter_map(|c| c.page)
            .collect();
        pages.sort_unstable();
        pages.dedup();
        s.pages = pages;
    }
    sources
}

/// The attribute `name` as one line of text, when it says something.
fn text_attr(attrs: &Map<String, Value>, name: &str) -> Option<String> {
    attrs
        .get(name)
        .map(format::display_value)
        .filter(|s| !s.is_empty())
}

/// The value a column shows of fact `f`, as text: an attribute, or the fact's wording.
fn resolve(f: &Fact, shown: &Shown) -> Option<String> {
    match shown {
        Shown::Text => Some(f.text.trim().to_string()),
        Shown::Attribute(a) => text_attr(&f.attributes, a),
    }
}

/// Which column lists the fact's other attributes: the one that shows its wording,
/// else the first.
fn extras_column(columns: &[Column]) -> Option<usize> {
    if columns.is_empty() {
        return None;
    }
    Some(columns.iter().position(Column::shows_text).unwrap_or(0))
}

/// What column `c` shows of fact `f` (of field `spec`).
fn cell(f: &Fact, spec: &FieldSpec, c: &Column, extras: bool) -> Cell {
    let mut cell = Cell {
        kind: "value".to_string(),
        main: None,
        below: None,
        value: None,
        label: None,
        extras,
    };
    if let Shown::Attribute(a) = &c.show
        && spec.render.labels.contains_key(a)
    {
        cell.kind = "label".to_string();
        cell.label = text_attr(&f.attributes, a).map(|code| {
            let label = spec.render.label(a, &code);
            LabelView {
                zh: label.and_then(|l| l.zh.clone()),
                en: label.map_or_else(|| code.clone(), |l| l.en.clone()),
                code,
            }
        });
    } else if c.shows_text() {
        cell.kind = "text".to_string();
        let shown = resolve(f, &c.show);
        cell.below = shown
            .as_ref()
            .and(c.below.as_ref())
            .and_then(|b| resolve(f, b));
        cell.main = shown.or_else(|| c.otherwise.as_ref().and_then(|o| resolve(f, o)));
    } else {
        let value = |s: &Shown| match s {
            Shown::Text => Some(format::shown(&Value::from(f.text.trim()))),
            Shown::Attribute(a) => f.attributes.get(a).map(format::shown),
        };
        cell.value = value(&c.show)
            .filter(|v| !v.written.is_empty())
            .or_else(|| c.otherwise.as_ref().and_then(value));
    }
    cell
}

fn attr_views(attrs: &Map<String, Value>, skip: &dyn Fn(&str) -> bool) -> Vec<AttrView> {
    attrs
        .iter()
        .filter(|(k, _)| !skip(k))
        .map(|(k, v)| AttrView {
            name: k.clone(),
            value: format::display_value(v),
        })
        .collect()
}
