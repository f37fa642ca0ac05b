//! The HTML review sheet, `factsheet.html`: one self-contained file with the sections
//! of the PDF, in which every citation links to its sentence in the full text of its
//! source further down the page. There each cited sentence is highlighted and links
//! back to the facts that cite it, sentences summit.yaml leaves out are greyed, and
//! sentences holding a trigger word that no fact cites are marked for the analyst.

use std::collections::BTreeMap;

use minijinja::Value;
use serde::Serialize;

use super::view::{Anchor, Model, SourceView};
use super::{Context, Escape, Filled, Renderer, Target, Written};
use crate::error::{Error, Result};
use crate::facts::{Citation, FactSheet, SentenceId};
use crate::segment::{Document, Sentence};

/// Writes `factsheet.html` from `templates/factsheet.html.j2`, every value escaped by
/// minijinja's HTML auto-escape.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlRenderer;

impl Renderer for HtmlRenderer {
    fn name(&self) -> &'static str {
        "html"
    }

    fn files(&self) -> &'static [&'static str] {
        &["factsheet.html"]
    }

    fn template(&self) -> &'static str {
        "factsheet.html.j2"
    }

    fn escape(&self) -> Escape {
        Escape::Html
    }

    /// The model, and the text of every source.
    fn data(&self, ctx: &Context) -> Value {
        Value::from_serialize(HtmlModel {
            model: ctx.model,
            texts: source_texts(ctx),
        })
    }

    fn write(&self, filled: &Filled, target: &Target) -> Result<Written> {
        let path = target.dir.join(self.files()[0]);
        std::fs::write(&path, &filled.text).map_err(|e| Error::io(&path, e))?;
        Ok(Written::default())
    }
}

/// What the HTML template sees: the model, and the sources' texts.
#[derive(Serialize)]
struct HtmlModel<'a> {
    #[serde(flatten)]
    model: &'a Model,
    texts: Vec<SourceText>,
}

/// A source as the review sheet shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SourceText {
    /// Its number and the rest of its description.
    pub source: SourceView,
    /// Whether this is its whole text; otherwise only the sentences cited are known.
    pub full: bool,
    /// Its paragraphs.
    pub paragraphs: Vec<ParagraphText>,
}

/// A paragraph of a source.
#[derive(Debug, Clone, Serialize)]
pub struct ParagraphText {
    /// 1-based.
    pub n: usize,
    /// The page it begins on, when that is a new page (a PDF source).
    pub page: Option<usize>,
    /// Its sentences, and the text between them (a heading, a stray mark).
    pub parts: Vec<Part>,
}

/// A sentence, or text between sentences.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    /// The text, as the source has it after normalisation.
    pub text: String,
    /// The sentence's anchor (`S2-12-3`); none between sentences.
    pub anchor: Option<String>,
    /// `cited`, `left-out` (summit.yaml leaves it out), `unclaimed` (a trigger word,
    /// but no fact cites it), `plain`, or `gap` (no sentence).
    pub state: &'static str,
    /// The trigger word of an unclaimed sentence.
    pub trigger: Option<String>,
    /// The facts that cite it.
    pub cited_by: Vec<BackLink>,
}

/// A fact citing a sentence.
#[derive(Debug, Clone, Serialize)]
pub struct BackLink {
    /// The fact's id, its anchor on the page.
    pub id: String,
    /// Where it stands on the sheet: its section and number (`成果3`, `背景2`).
    pub label: String,
    /// Its wording.
    pub text: String,
}

/// Every source of the model, in its order, with its text.
fn source_texts(ctx: &Context) -> Vec<SourceText> {
    let cited = cited_sentences(ctx);
    ctx.model
        .sources
        .iter()
        .map(|source| {
            let doc = ctx.input.docs.iter().find(|d| d.name() == source.doc);
            let (full, paragraphs) = match doc {
                Some(doc) => (true, full_text(doc, source.n, &cited, ctx.input.triggers)),
                None => (false, cited_only(ctx.shown, source, &cited)),
            };
            SourceText {
                source: source.clone(),
                full,
                paragraphs,
            }
        })
        .collect()
}

/// Where each fact stands on the sheet: its section's title and its number there
/// (`成果3`); background facts `背景n`, documents in the header `成果文件n`.
fn places(model: &Model) -> BTreeMap<&str, String> {
    let mut out = BTreeMap::new();
    for s in &model.sections {
        let title = s.zh.as_deref().unwrap_or(&s.en);
        for (k, f) in s.facts.iter().enumerate() {
            out.insert(f.id.as_str(), format!("{title}{}", k + 1));
        }
    }
    for (k, f) in model.background.iter().enumerate() {
        out.insert(f.id.as_str(), format!("背景{}", k + 1));
    }
    for (k, d) in model.summit.documents.iter().enumerate() {
        for id in &d.facts {
            out.insert(id.as_str(), format!("成果文件{}", k + 1));
        }
    }
    out
}

/// The facts that cite each sentence (as fact or item sources), in the sheet's order.
fn cited_sentences(ctx: &Context) -> BTreeMap<SentenceId, Vec<BackLink>> {
    let places = places(ctx.model);
    let mut out: BTreeMap<SentenceId, Vec<BackLink>> = BTreeMap::new();
    for f in &ctx.shown.facts {
        let label = places
            .get(f.id.as_str())
            .cloned()
            .unwrap_or_else(|| f.id.clone());
        for c in f.citations() {
            let links = out.entry(c.sentence_id()).or_default();
            if !links.iter().any(|l| l.id == f.id) {
                links.push(BackLink {
                    id: f.id.clone(),
                    label: label.clone(),
                    text: f.text.clone(),
                });
            }
        }
    }
    out
}

/// The paragraphs of `doc` (source number `n`), each cut into its sentences and the
/// text between them.
fn full_text(
    doc: &Document,
    n: usize,
    cited: &BTreeMap<SentenceId, Vec<BackLink>>,
    triggers: &[String],
) -> Vec<ParagraphText> {
    let text = doc.text.as_str();
    let mut out = Vec::new();
    let mut line_start = 0;
    let mut last_page = None;
    for (i, line) in text.split('\n').enumerate() {
        let para = i + 1;
        let range = line_start..line_start + line.len();
        line_start = range.end + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = Vec::new();
        let mut cursor = range.start;
        let sentences: Vec<&Sentence> = doc.sentences.iter().filter(|s| s.para == para).collect();
        let starts = sentences.first().and_then(|s| s.page);
        let page = starts.filter(|p| Some(*p) != last_page);
        last_page = sentences.last().and_then(|s| s.page).or(last_page);
        for s in sentences {
            if s.range.start > cursor {
                parts.push(gap(&text[cursor..s.range.start]));
            }
            parts.push(sentence_part(s, n, cited, triggers));
            cursor = s.range.end;
        }
        if cursor < range.end {
            parts.push(gap(&text[cursor..range.end]));
        }
        out.push(ParagraphText {
            n: para,
            page,
            parts,
        });
    }
    out
}

fn gap(text: &str) -> Part {
    Part {
        text: text.to_string(),
        anchor: None,
        state: "gap",
        trigger: None,
        cited_by: Vec::new(),
    }
}

/// Sentence `s` of source `n`: cited, left out, holding an unclaimed trigger word, or
/// plain.
fn sentence_part(
    s: &Sentence,
    n: usize,
    cited: &BTreeMap<SentenceId, Vec<BackLink>>,
    triggers: &[String],
) -> Part {
    let cited_by = cited.get(&s.id()).cloned().unwrap_or_default();
    let trigger = (!s.excluded && cited_by.is_empty())
        .then(|| {
            triggers
                .iter()
                .find(|t| s.match_text().contains(t.as_str()))
        })
        .flatten()
        .cloned();
    let state = if s.excluded {
        "left-out"
    } else if !cited_by.is_empty() {
        "cited"
    } else if trigger.is_some() {
        "unclaimed"
    } else {
        "plain"
    };
    Part {
        text: s.text.to_string(),
        anchor: Some(Anchor::new(n, s.para, s.sentence).id),
        state,
        trigger,
        cited_by,
    }
}

/// Without the document: the sentences of `source` that facts cite, from their quotes.
fn cited_only(
    sheet: &FactSheet,
    source: &SourceView,
    cited: &BTreeMap<SentenceId, Vec<BackLink>>,
) -> Vec<ParagraphText> {
    let quotes: BTreeMap<(usize, usize), &Citation> = super::model::cited(sheet)
        .filter(|c| *c.doc == *source.doc)
        .map(|c| ((c.para, c.sentence), c))
        .collect();
    let mut out: Vec<ParagraphText> = Vec::new();
    for ((para, sentence), c) in quotes {
        let part = Part {
            text: c.quote.to_string(),
            anchor: Some(Anchor::new(source.n, para, sentence).id),
            state: "cited",
            trigger: None,
            cited_by: cited.get(&c.sentence_id()).cloned().unwrap_or_default(),
        };
        match out.last_mut() {
            Some(p) if p.n == para => p.parts.push(part),
            _ => out.push(ParagraphText {
                n: para,
                page: c.page,
                parts: vec![part],
            }),
        }
    }
    out
}
