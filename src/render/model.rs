//! What the templates see: the fact sheet turned into presentation-ready data
//! (citation markers, source numbers, formatted amounts, section order), so that
//! the templates stay simple. All strings here are plain text; escaping is the
//! template layer's job.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::fonts::{Coverage, Missing, missing_in};
use super::format;
use super::view::{
    AttrView, Colophon, ConflictValueView, ConflictView, Count, DocView, FactView, ItemView, Mark,
    Model, NoteView, Section, SourceView, Status, SummitView,
};
use crate::facts::{Citation, Fact, FactSheet};
use crate::rules::FieldSpec;

/// The fields with a layout of their own (field, layout); any other field is laid
/// out generically. Titles and order come from the rule files.
const LAYOUTS: &[(&str, &str)] = &[
    ("outcome", "outcomes"),
    ("principle", "principles"),
    ("proposal", "proposals"),
    ("pledge", "pledges"),
    ("mechanism", "mechanisms"),
    ("figure", "figures"),
];

/// Attributes each layout shows in its own place; any other attribute is listed as an extra.
fn consumed(field: &str) -> &'static [&'static str] {
    match field {
        "outcome" => &["title", "ordinal"],
        "principle" => &["name", "count"],
        "proposal" => &["ordinal", "title", "count"],
        "pledge" => &["amount", "period", "recipient", "what"],
        "mechanism" => &["name", "status", "frequency"],
        "figure" => &["amount", "what"],
        "document" => &["title"],
        _ => &[],
    }
}

/// The sheet as a reader sees it: the pinyin some sites insert after characters
/// (`領(lǐng)導(dǎo)人`) and their doubled commas left out of every text shown.
/// facts.json keeps the sources' words as they are.
fn without_noise(sheet: &FactSheet) -> FactSheet {
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

/// One marker per source, its paragraphs merged, in source order; `pages` are the
/// (source, page) of the cited sentences that have one (PDF sources).
fn group(mut pairs: Vec<(usize, usize)>, mut pages: Vec<(usize, usize)>) -> Vec<Mark> {
    pairs.sort_unstable();
    pairs.dedup();
    pages.sort_unstable();
    pages.dedup();
    let mut out: Vec<Mark> = Vec::new();
    for (n, para) in pairs {
        match out.last_mut() {
            Some(m) if m.n == n => m.paras.push(para),
            _ => out.push(Mark {
                n,
                paras: vec![para],
                pages: Vec::new(),
                label: String::new(),
            }),
        }
    }
    for m in &mut out {
        m.pages = pages
            .iter()
            .filter(|(n, _)| *n == m.n)
            .map(|(_, p)| *p)
            .collect();
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

/// Builds the model of `sheet`, and lists the characters `coverage` cannot draw.
pub fn build(
    sheet: &FactSheet,
    fields: &[FieldSpec],
    typst_version: &str,
    fonts: &[String],
    coverage: &Coverage,
) -> (Model, Vec<Missing>) {
    let shown = without_noise(sheet);
    let sheet = &shown;
    let b = Builder::new(sheet, fields);
    let mut missing = Vec::new();
    let yaml = format!("summits/{}/summit.yaml", sheet.summit.id);

    let s = &sheet.summit;
    for text in [
        Some(&s.title),
        s.title_en.as_ref(),
        s.venue.as_ref(),
        s.host.as_ref(),
    ]
    .into_iter()
    .flatten()
    .chain(&s.participants)
    .chain(&s.documents)
    {
        missing_in(coverage, text, &yaml, &mut missing);
    }
    for src in &s.sources {
        for text in [&src.title, &src.outlet].into_iter().flatten() {
            missing_in(
                coverage,
                text,
                &format!("{yaml} (source {})", src.doc),
                &mut missing,
            );
        }
    }

    let mut documents: Vec<DocView> = s
        .documents
        .iter()
        .map(|t| DocView {
            title: t.clone(),
            marks: Vec::new(),
        })
        .collect();
    let mut by_field: BTreeMap<&str, Vec<FactView>> = BTreeMap::new();
    let mut background = Vec::new();
    for fact in &sheet.facts {
        check_fact(coverage, fact, &mut missing);
        let view = b.fact(fact);
        if view.background {
            background.push(view);
        } else if fact.field == "document" {
            let title = view.title.clone().unwrap_or_else(|| view.text.clone());
            match documents
                .iter_mut()
                .find(|d| format::same_title(&d.title, &title))
            {
                Some(d) => merge_marks(&mut d.marks, &view.marks),
                None => documents.push(DocView {
                    title,
                    marks: view.marks,
                }),
            }
        } else {
            by_field.entry(fact.field.as_str()).or_default().push(view);
        }
    }

    // Sections in the rule files' order, titled as they say; a field no rule file
    // declares (a facts.json from elsewhere) comes last, titled by its name.
    let mut sections = Vec::new();
    for spec in fields {
        if let Some(facts) = by_field.remove(spec.name.as_str()) {
            let kind = LAYOUTS
                .iter()
                .find(|(f, _)| *f == spec.name)
                .map_or("generic", |(_, k)| k);
            sections.push(section(
                &spec.name,
                kind,
                Some(&spec.title_zh),
                &spec.title_en,
                facts,
            ));
        }
    }
    for (field, facts) in by_field {
        sections.push(section(field, "generic", None, field, facts));
    }

    let notes = sheet
        .notes
        .iter()
        .map(|n| {
            missing_in(
                coverage,
                &n.message,
                n.sentence.as_deref().unwrap_or("a note"),
                &mut missing,
            );
            NoteView {
                message: n.message.clone(),
                rule: n.rule.clone(),
                marks: b.marks_of_ids(&n.sentence),
            }
        })
        .collect();

    let mut counts: Vec<Count> = Vec::new();
    for f in &sheet.facts {
        let bg = f.context.as_deref() == Some("background");
        match counts.iter_mut().find(|c| c.field == f.field) {
            Some(c) => {
                c.total += 1;
                c.background += usize::from(bg);
            }
            None => counts.push(Count {
                field: f.field.clone(),
                total: 1,
                background: usize::from(bg),
            }),
        }
    }

    let model = Model {
        summit: SummitView {
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
        },
        sections,
        background,
        notes,
        has_pages: b.sources.iter().any(|s| !s.pages.is_empty()),
        sources: b.sources.clone(),
        colophon: Colophon {
            tool: sheet.provenance.tool.clone(),
            rules_sha256: sheet.provenance.rules_sha256.clone(),
            sources_sha256: sheet.provenance.sources_sha256.clone(),
            typst: typst_version.to_string(),
            fonts: fonts.to_vec(),
        },
        counts,
        empty: sheet.facts.is_empty(),
    };
    missing.sort();
    missing.dedup();
    (model, missing)
}

fn section(field: &str, kind: &str, zh: Option<&str>, en: &str, facts: Vec<FactView>) -> Section {
    Section {
        field: field.to_string(),
        kind: kind.to_string(),
        zh: zh.map(str::to_string),
        en: en.to_string(),
        has_conflicts: facts.iter().any(|f| !f.conflicts.is_empty()),
        facts,
    }
}

fn check_fact(coverage: &Coverage, fact: &Fact, out: &mut Vec<Missing>) {
    let origin = fact
        .sources
        .first()
        .map(Citation::sentence_id)
        .unwrap_or_else(|| format!("fact {}", fact.id));
    missing_in(coverage, &fact.text, &origin, out);
    for v in fact.attributes.values() {
        missing_in(coverage, &format::display_value(v), &origin, out);
    }
    for item in &fact.items {
        let o = item
            .sources
            .first()
            .map(Citation::sentence_id)
            .unwrap_or_else(|| origin.clone());
        missing_in(coverage, &item.text, &o, out);
    }
    for c in &fact.conflicts {
        for v in &c.values {
            let o = v
                .citations
                .first()
                .cloned()
                .unwrap_or_else(|| origin.clone());
            missing_in(coverage, &format::display_value(&v.value), &o, out);
        }
    }
}

fn merge_marks(into: &mut Vec<Mark>, more: &[Mark]) {
    let pairs = into
        .iter()
        .chain(more)
        .flat_map(|m| m.paras.iter().map(move |p| (m.n, *p)))
        .collect();
    let pages = into
        .iter()
        .chain(more)
        .flat_map(|m| m.pages.iter().map(move |p| (m.n, *p)))
        .collect();
    *into = group(pairs, pages);
}

struct Builder {
    sources: Vec<SourceView>,
    /// The page of every cited sentence that has one (sentence id → page).
    pages: BTreeMap<String, usize>,
    /// `承诺 pledge`: how each field is labelled in mixed lists (its rule file's title).
    labels: BTreeMap<String, String>,
}

impl Builder {
    fn new(sheet: &FactSheet, fields: &[FieldSpec]) -> Self {
        let labels = fields
            .iter()
            .map(|f| (f.name.clone(), format!("{} {}", f.title_zh, f.name)))
            .collect();
        let mut sources: Vec<SourceView> = sheet
            .summit
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| SourceView {
                n: i + 1,
                label: format!("S{}", i + 1),
                doc: s.doc.clone(),
                kind: s.kind.clone(),
                kind_zh: format::source_kind_zh(&s.kind),
                title: s.title.clone(),
                outlet: s.outlet.clone(),
                date: s.date.clone(),
                url: s.url.clone(),
                sha256: s.sha256.clone(),
                pages: Vec::new(),
            })
            .collect();
        // A citation of a file summit.yaml does not list still gets a number.
        let cited = sheet.facts.iter().flat_map(|f| {
            f.sources
                .iter()
                .chain(f.items.iter().flat_map(|i| i.sources.iter()))
                .map(|c| c.doc.clone())
        });
        for doc in cited {
            if !sources.iter().any(|s| s.doc == doc) {
                let n = sources.len() + 1;
                sources.push(SourceView {
                    n,
                    label: format!("S{n}"),
                    doc,
                    kind: "report".to_string(),
                    kind_zh: format::source_kind_zh("report"),
                    title: None,
                    outlet: None,
                    date: None,
                    url: None,
                    sha256: String::new(),
                    pages: Vec::new(),
                });
            }
        }
        let mut pages = BTreeMap::new();
        for c in sheet.facts.iter().flat_map(|f| {
            f.sources
                .iter()
                .chain(f.items.iter().flat_map(|i| i.sources.iter()))
        }) {
            if let Some(p) = c.page {
                pages.insert(c.sentence_id(), p);
            }
        }
        for s in &mut sources {
            let mut cited: Vec<usize> = sheet
                .facts
                .iter()
                .flat_map(|f| {
                    f.sources
                        .iter()
                        .chain(f.items.iter().flat_map(|i| i.sources.iter()))
                })
                .filter(|c| c.doc == s.doc)
                .filter_map(|c| c.page)
                .collect();
            cited.sort_unstable();
            cited.dedup();
            s.pages = cited;
        }
        Builder {
            sources,
            pages,
            labels,
        }
    }

    fn number(&self, doc: &str) -> Option<usize> {
        self.sources.iter().find(|s| s.doc == doc).map(|s| s.n)
    }

    /// `(source number, paragraph)` of a sentence id `doc:para:sentence`.
    fn pair_of_id(&self, id: &str) -> Option<(usize, usize)> {
        let mut parts = id.rsplitn(3, ':');
        let _sentence = parts.next()?;
        let para: usize = parts.next()?.parse().ok()?;
        Some((self.number(parts.next()?)?, para))
    }

    fn marks_of_ids<'a>(&self, ids: impl IntoIterator<Item = &'a String>) -> Vec<Mark> {
        let ids: Vec<&String> = ids.into_iter().collect();
        group(
            ids.iter().filter_map(|id| self.pair_of_id(id)).collect(),
            ids.iter()
                .filter_map(|id| Some((self.pair_of_id(id)?.0, *self.pages.get(*id)?)))
                .collect(),
        )
    }

    fn marks(&self, cites: &[Citation]) -> Vec<Mark> {
        group(
            cites
                .iter()
                .filter_map(|c| Some((self.number(&c.doc)?, c.para)))
                .collect(),
            cites
                .iter()
                .filter_map(|c| Some((self.number(&c.doc)?, c.page?)))
                .collect(),
        )
    }

    fn fact(&self, f: &Fact) -> FactView {
        let attrs = &f.attributes;
        let text_attr = |k: &str| {
            attrs
                .get(k)
                .map(format::display_value)
                .filter(|s| !s.is_empty())
        };
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
        let item_columns = match (items.len(), longest) {
            (0..=1, _) => 0,
            (n, 0..=7) => n.min(4),
            (n, 8..=16) if n % 2 == 0 => 2,
            _ => 0,
        };
        let ordinal = attrs.get("ordinal");
        let number = ordinal.and_then(|o| match o {
            Value::Object(m) => m.get("value").map(format::display_value),
            Value::Number(_) => Some(format::display_value(o)),
            _ => None,
        });
        let ordinal_text = ordinal.and_then(|o| match o {
            Value::Object(m) => m.get("text").and_then(Value::as_str).map(str::to_string),
            Value::String(s) => Some(s.clone()),
            _ => None,
        });
        let skip = consumed(&f.field);
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
            ordinal: ordinal_text,
            title: text_attr("title"),
            name: text_attr("name"),
            what: text_attr("what"),
            recipient: text_attr("recipient"),
            amount: attrs.get("amount").map(format::shown),
            period: attrs.get("period").map(format::shown),
            frequency: attrs.get("frequency").map(format::shown),
            status: attrs.get("status").map(|v| {
                let code = format::display_value(v);
                let (zh, en) = format::status_labels(&code);
                Status { code, zh, en }
            }),
            summary: attr_views(attrs, &["count", "ordinal"])
                .into_iter()
                .filter(|a| !f.text.contains(&a.value))
                .collect(),
            attributes: attr_views(attrs, &[]),
            extras: attr_views(attrs, skip),
            conflicts: f
                .conflicts
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
                .collect(),
            background: f.context.as_deref() == Some("background"),
        }
    }
}

fn attr_views(attrs: &Map<String, Value>, skip: &[&str]) -> Vec<AttrView> {
    attrs
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| AttrView {
            name: k.clone(),
            value: format::display_value(v),
        })
        .collect()
}
