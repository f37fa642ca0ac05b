//! Stage 4: apply the rules to every sentence and list of a summit's documents.
//!
//! The result is a list of raw [`Match`]es, each saying "rule R matched sentence S
//! of source D" with the attributes it read. Extraction is a pure function of the
//! rules and one document ([`extract_document`]), so documents can be processed in
//! parallel; consolidation merges the matches into facts afterwards. What only the
//! facts need ([`extract_documents_for_facts`]) leaves out each match's diagnostics
//! and may take several documents at once, each rule then running over all their
//! sentences together; a large document may be taken a part at a time
//! ([`extract_document_by_parts`]).

mod attributes;
mod lists;
mod overlaps;
mod sentence;
mod window;

use std::ops::Range;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::facts::{Citation, Item, Note, SentenceId};
use crate::rules::{Background, ListRule, Rule, RuleSet};
use crate::segment::{Document, Sentence};
use crate::summit::SourceKind;

/// One thing a rule found, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// The field of the rule.
    pub field: String,
    /// The rule's id.
    pub rule: String,
    /// The rule's overlap priority.
    pub priority: i32,
    /// The fact's wording (verbatim from the sentence).
    pub text: String,
    /// Normalised attributes.
    pub attributes: Map<String, Value>,
    /// Items (list members, measures).
    pub items: Vec<Item>,
    /// The sentences it was found in.
    pub citations: Vec<Citation>,
    /// The matched part of each cited sentence (byte offsets into its text).
    pub highlights: Vec<Highlight>,
    /// The rule's captures, as matched.
    pub captures: Vec<Capture>,
    /// How each attribute was normalised.
    pub steps: Vec<Step>,
    /// Where the match sits in a list, for list rules.
    pub list: Option<ListPosition>,
    /// What kind of source it came from.
    pub kind: SourceKind,
    /// Index of the source in summit.yaml order.
    pub doc_index: usize,
    /// Why the match narrates an earlier event, if it does: its source is a preview,
    /// or a background cue stands where its field's `background_scope:` reads them
    /// (its sentence, or only its clause; a list item adds its header sentence).
    pub background: Option<String>,
}

/// The matched part of one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Highlight {
    /// The sentence.
    pub sentence: SentenceId,
    /// Start byte in the sentence text.
    pub start: usize,
    /// End byte in the sentence text.
    pub end: usize,
}

/// A named capture of a match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capture {
    /// Capture name.
    pub name: String,
    /// Captured text.
    pub text: String,
}

/// One normalisation: capture text in, attribute value out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Attribute name.
    pub attribute: String,
    /// Normaliser (or `map`, `constant`, `context:<normaliser>`).
    pub normaliser: String,
    /// Text given to it.
    pub input: String,
    /// Value it produced.
    pub output: Value,
}

/// The normalisation steps of one match, recorded only when its scope keeps
/// diagnostics: building them (and each match's captures) costs a few per cent of
/// the run, and only `explain` reads them.
pub(crate) struct Steps {
    recorded: Vec<Step>,
    on: bool,
}

impl Steps {
    /// No steps yet; `on`: record the steps to come.
    pub(crate) fn new(on: bool) -> Self {
        Steps {
            recorded: Vec::new(),
            on,
        }
    }

    /// Records the step `make` builds, when steps are recorded at all.
    pub(crate) fn record(&mut self, make: impl FnOnce() -> Step) {
        if self.on {
            self.recorded.push(make());
        }
    }

    /// The steps recorded.
    pub(crate) fn into_vec(self) -> Vec<Step> {
        self.recorded
    }
}

/// A list member's place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListPosition {
    /// The list rule (or enumeration rule) that found it.
    pub rule: String,
    /// 1-based position.
    pub position: usize,
    /// Items found.
    pub size: usize,
    /// Items announced by the header, when it gave a number.
    pub announced: Option<i64>,
    /// The header sentence, when there is one.
    pub header: Option<SentenceId>,
}

/// Everything extracted from a summit's documents.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extraction {
    /// Matches in document order.
    pub matches: Vec<Match>,
    /// Problems worth telling the reader (list counts that do not add up, …).
    pub notes: Vec<Note>,
    /// Ordinal or parallel runs that no list rule claimed (for rule health).
    pub unclaimed_lists: Vec<UnclaimedList>,
    /// Pairs of rules whose matches claimed the same span of a sentence.
    pub overlaps: Vec<Overlap>,
}

/// Two rules matching overlapping text of one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overlap {
    /// The sentence.
    pub sentence: SentenceId,
    /// The two rules.
    pub rules: (String, String),
    /// The rule whose match was kept (higher priority), or none when both were kept.
    pub winner: Option<String>,
}

/// A run of list-like sentences with no header that names its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnclaimedList {
    /// The sentence of its first item.
    pub first: SentenceId,
    /// The item titles.
    pub titles: Vec<String>,
}

/// Where rules are applied: a document, its place among the summit's sources, and
/// what decides whether a match narrates an earlier event.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    /// The document.
    pub doc: &'a Document,
    /// Its index in summit.yaml order.
    pub doc_index: usize,
    /// The background cues.
    pub cues: &'a Background,
    /// The summit's first day, `YYYY-MM-DD`, that dated cues are compared with.
    pub date: &'a str,
    /// Whether matches keep their captures and normalisation steps (for `explain`;
    /// facts never read them).
    pub diagnostics: bool,
}

impl Scope<'_> {
    /// Why a match whose cue scope is `texts` (sentence, text in the matching view)
    /// is background: its source is a preview, or a cue stands in one of the texts.
    fn background(&self, texts: &[(SentenceId, &str)]) -> Option<String> {
        if self.doc.config.kind == SourceKind::Preview {
            return Some("source is a preview".to_string());
        }
        texts.iter().find_map(|(id, text)| {
            self.cues
                .cue(text, self.date)
                .map(|cue| format!("sentence {id} says {cue:?}"))
        })
    }
}

impl Extraction {
    /// Drops what only the analyst's tools read - each match's captures and
    /// normalisation steps (`explain`), rule overlaps and unclaimed lists (`check
    /// --corpus`) - and keeps what consolidation and facts.json need: a large summit's
    /// matches then take about a fifth less memory.
    pub fn drop_diagnostics(&mut self) {
        for m in &mut self.matches {
            m.captures = Vec::new();
            m.steps = Vec::new();
        }
        self.overlaps = Vec::new();
        self.unclaimed_lists = Vec::new();
    }

    /// Adds what another document gave, after what this one holds.
    pub fn append(&mut self, part: Extraction) {
        self.matches.extend(part.matches);
        self.notes.extend(part.notes);
        self.unclaimed_lists.extend(part.unclaimed_lists);
        self.overlaps.extend(part.overlaps);
    }
}

/// Applies every rule to every document of a summit that starts on `date`, the
/// documents on the pool's threads, the results in document order.
pub fn extract(rules: &RuleSet, docs: &[Document], date: &str) -> Extraction {
    use rayon::prelude::*;
    let parts: Vec<Extraction> = docs
        .par_iter()
        .enumerate()
        .map(|(i, doc)| extract_document(rules, doc, i, date))
        .collect();
    let mut out = Extraction::default();
    for part in parts {
        out.append(part);
    }
    out
}

/// Applies every rule to one document (`doc_index` is its place in summit.yaml) of a
/// summit that starts on `date`.
pub fn extract_document(
    rules: &RuleSet,
    doc: &Document,
    doc_index: usize,
    date: &str,
) -> Extraction {
    let scope = summit_scope(rules, doc, doc_index, date);
    extract_in(rules, &doc.sentences, &scope)
}

/// [`extract_document`] with only what consolidation and facts.json read: what
/// [`Extraction::drop_diagnostics`] drops is never built.
pub fn extract_document_for_facts(
    rules: &RuleSet,
    doc: &Document,
    doc_index: usize,
    date: &str,
) -> Extraction {
    let [out] = extract_documents_for_facts(rules, &[(doc_index, doc)], date)
        .try_into()
        .expect("one document, one extraction");
    out
}

/// [`extract_document_for_facts`] for several documents at once, each with its
/// index in summit.yaml: the sentence rules run rule by rule over all their
/// sentences together, so each rule's lazy DFA stays in the CPU's caches (on a
/// summit of many short reports, several times faster than report by report).
/// Returns each document's extraction, in the order given.
pub fn extract_documents_for_facts(
    rules: &RuleSet,
    docs: &[(usize, &Document)],
    date: &str,
) -> Vec<Extraction> {
    let scopes: Vec<Scope> = docs
        .iter()
        .map(|&(i, doc)| facts_scope(rules, doc, i, date))
        .collect();
    let windows: Vec<sentence::Scoped> = docs
        .iter()
        .enumerate()
        .flat_map(|(k, (_, doc))| {
            window::windows(&doc.sentences)
                .into_iter()
                .map(move |w| (k, w))
        })
        .collect();
    let mut found = sentence::run_scoped(rules, &windows, &scopes);
    for (out, scope) in found.iter_mut().zip(&scopes) {
        lists::run_lists(&rules.lists, scope, out);
        out.drop_diagnostics();
    }
    found
}

/// Every rule over `sentences`, the whole of the scope's document.
fn extract_in(rules: &RuleSet, sentences: &[Sentence], scope: &Scope) -> Extraction {
    let mut out = Extraction::default();
    sentence::run(rules, &window::windows(sentences), scope, &mut out);
    lists::run_lists(&rules.lists, scope, &mut out);
    out
}

/// Sentences in one part of a document extracted by parts.
pub const PART_SENTENCES: usize = 8 * 1024;

/// How to cut a large document into parts, and what takes each part.
pub struct Parts<'a> {
    /// The fewest sentences in a part (the pipeline uses [`PART_SENTENCES`]).
    pub sentences: usize,
    /// Takes each part's extraction.
    pub take: &'a mut dyn FnMut(Extraction),
}

/// [`extract_document_for_facts`] for a large document, handed to `parts.take` a
/// part at a time: whole paragraphs of at least `parts.sentences` sentences, in
/// order, each with the list matches ranked by its sentences, then the list notes.
/// Two-sentence windows and overlaps stay within a paragraph, so the parts together
/// hold what [`extract_document_for_facts`] finds, and consolidation, which ranks
/// matches by sentence, merges them the same; only a part's matches are held at once.
pub fn extract_document_by_parts(
    rules: &RuleSet,
    doc: &Document,
    doc_index: usize,
    date: &str,
    parts: Parts,
) {
    let scope = facts_scope(rules, doc, doc_index, date);
    let ranges = paragraph_parts(&doc.sentences, parts.sentences.max(1));
    let (lists, list_matches) = lists_by_part(rules, &scope, &doc.sentences, &ranges);
    for (range, list_matches) in ranges.into_iter().zip(list_matches) {
        (parts.take)(extract_part(
            rules,
            &doc.sentences[range],
            &scope,
            list_matches,
        ));
    }
    (parts.take)(lists);
}

/// [`extract_document_by_parts`] for a document not needed afterwards: each part's
/// sentences are dropped once extracted, so that a large source is not held whole
/// next to the facts it gives. Returns the document without its sentences.
pub fn extract_document_by_parts_dropping(
    rules: &RuleSet,
    mut doc: Document,
    doc_index: usize,
    date: &str,
    parts: Parts,
) -> Document {
    let ranges = paragraph_parts(&doc.sentences, parts.sentences.max(1));
    let (lists, list_matches) = {
        let scope = facts_scope(rules, &doc, doc_index, date);
        lists_by_part(rules, &scope, &doc.sentences, &ranges)
    };
    let owned = split_sentences(std::mem::take(&mut doc.sentences), &ranges);
    let scope = facts_scope(rules, &doc, doc_index, date);
    for (sentences, list_matches) in owned.into_iter().zip(list_matches) {
        (parts.take)(extract_part(rules, &sentences, &scope, list_matches));
    }
    (parts.take)(lists);
    doc
}

/// The sentence rules over one part (whole paragraphs), with the list matches of it.
fn extract_part(
    rules: &RuleSet,
    sentences: &[Sentence],
    scope: &Scope,
    list_matches: Vec<Match>,
) -> Extraction {
    let mut out = Extraction::default();
    sentence::run(rules, &window::windows(sentences), scope, &mut out);
    out.matches.extend(list_matches);
    out.drop_diagnostics();
    out
}

/// The list rules over the whole of `sentences`: what they found but their matches
/// (the notes, ...), and their matches shared out among the parts `ranges`.
fn lists_by_part(
    rules: &RuleSet,
    scope: &Scope,
    sentences: &[Sentence],
    ranges: &[Range<usize>],
) -> (Extraction, Vec<Vec<Match>>) {
    let mut lists = Extraction::default();
    lists::run_lists(&rules.lists, scope, &mut lists);
    let first_paras: Vec<usize> = ranges.iter().map(|r| sentences[r.start].para).collect();
    let mut by = by_part(&first_paras, std::mem::take(&mut lists.matches));
    // Without sentences there are no parts; whatever the lists found goes last.
    if ranges.is_empty() {
        lists.matches = by.pop().unwrap_or_default();
    }
    lists.drop_diagnostics();
    (lists, by)
}

/// `sentences` cut into the parts `ranges` (which cover them, in order), each part
/// its own vector so that it can be dropped on its own.
fn split_sentences(mut sentences: Vec<Sentence>, ranges: &[Range<usize>]) -> Vec<Vec<Sentence>> {
    let mut parts: Vec<Vec<Sentence>> = Vec::with_capacity(ranges.len());
    // From the end, giving the room back as the vector shrinks, so that the sentences
    // are never held twice.
    for range in ranges.iter().rev() {
        parts.push(sentences.split_off(range.start));
        sentences.shrink_to_fit();
    }
    parts.reverse();
    parts
}

/// `sentences` cut into runs of whole paragraphs of at least `size` sentences (the
/// last may be shorter).
fn paragraph_parts(sentences: &[Sentence], size: usize) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..sentences.len() {
        if i - start >= size && sentences[i].para != sentences[i - 1].para {
            parts.push(start..i);
            start = i;
        }
    }
    if start < sentences.len() {
        parts.push(start..sentences.len());
    }
    parts
}

/// `matches` shared out among the parts starting at paragraphs `first_paras` by the
/// paragraph consolidation ranks them by (their first citation's), each part's in
/// their order; one part when there are none.
fn by_part(first_paras: &[usize], matches: Vec<Match>) -> Vec<Vec<Match>> {
    let mut out: Vec<Vec<Match>> = first_paras.iter().map(|_| Vec::new()).collect();
    if out.is_empty() {
        out.push(Vec::new());
    }
    for m in matches {
        let para = m.citations.first().map_or(0, |c| c.para);
        let part = first_paras
            .partition_point(|&p| p <= para)
            .saturating_sub(1);
        out[part].push(m);
    }
    out
}

/// The scope of source `doc_index`, `doc`, of a summit that starts on `date`, read
/// with `rules`' background cues; matches keep their diagnostics.
fn summit_scope<'a>(
    rules: &'a RuleSet,
    doc: &'a Document,
    doc_index: usize,
    date: &'a str,
) -> Scope<'a> {
    Scope {
        doc,
        doc_index,
        cues: &rules.background,
        date,
        diagnostics: true,
    }
}

/// [`summit_scope`] for what only consolidation reads: no diagnostics.
fn facts_scope<'a>(
    rules: &'a RuleSet,
    doc: &'a Document,
    doc_index: usize,
    date: &'a str,
) -> Scope<'a> {
    Scope {
        diagnostics: false,
        ..summit_scope(rules, doc, doc_index, date)
    }
}

/// A scope for checking one rule's examples: no summit, so nothing is background
/// unless its source is a preview.
fn example_scope<'a>(doc: &'a Document, cues: &'a Background) -> Scope<'a> {
    Scope {
        doc,
        doc_index: 0,
        cues,
        date: "",
        diagnostics: true,
    }
}

/// Applies one sentence rule alone to a document (no overlap resolution): what its
/// examples are checked with.
pub fn apply_rule(rule: &Rule, doc: &Document) -> Extraction {
    let cues = Background::default();
    let scope = example_scope(doc, &cues);
    let mut out = Extraction::default();
    for (s, next) in window::windows(&doc.sentences) {
        if rule.window == 1 {
            sentence::apply(rule, &window::Window::new(&[s]), &scope, &mut out);
        } else if let Some(next) = next {
            sentence::apply(rule, &window::Window::new(&[s, next]), &scope, &mut out);
        }
    }
    out
}

/// Applies one list rule alone to a document.
pub fn apply_list(rule: &ListRule, doc: &Document) -> Extraction {
    let cues = Background::default();
    let mut out = Extraction::default();
    lists::run_lists(
        std::slice::from_ref(rule),
        &example_scope(doc, &cues),
        &mut out,
    );
    out
}

/// The citation of a sentence.
pub fn cite(s: &Sentence) -> Citation {
    Citation {
        doc: s.source.clone(),
        para: s.para,
        sentence: s.sentence,
        start: s.start,
        end: s.end,
        page: s.page,
        quote: s.text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::Simplifier;
    use crate::summit::SourceFormat;

    /// Paragraphs of 3, 1, 2 and 3 sentences.
    fn doc() -> Document {
        let text = "甲一。甲二。甲三。\n乙一。\n丙一。丙二。\n丁一。丁二。丁三。\n";
        let simplifier = Simplifier::new().unwrap();
        crate::pipeline::document_from_text("t.txt", text, SourceFormat::Text, &simplifier).unwrap()
    }

    fn paras(sentences: &[Sentence], part: &Range<usize>) -> Vec<usize> {
        let mut p: Vec<usize> = sentences[part.clone()].iter().map(|s| s.para).collect();
        p.dedup();
        p
    }

    #[test]
    fn parts_hold_whole_paragraphs_of_at_least_the_size_asked() {
        let doc = doc();
        let parts = paragraph_parts(&doc.sentences, 2);
        let got: Vec<Vec<usize>> = parts.iter().map(|p| paras(&doc.sentences, p)).collect();
        assert_eq!(got, [vec![1], vec![2, 3], vec![4]]);
        assert_eq!(parts.last().unwrap().end, doc.sentences.len());
        let one = paragraph_parts(&doc.sentences, 100);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0], 0..doc.sentences.len());
    }

    #[test]
    fn split_sentences_keeps_every_sentence_in_its_part() {
        let doc = doc();
        let parts = paragraph_parts(&doc.sentences, 2);
        let split = split_sentences(doc.sentences.clone(), &parts);
        let got: Vec<Vec<usize>> = split.iter().map(|p| paras(p, &(0..p.len()))).collect();
        assert_eq!(got, [vec![1], vec![2, 3], vec![4]]);
        assert_eq!(split.concat(), doc.sentences);
    }

    #[test]
    fn list_matches_go_to_the_part_of_their_first_citation() {
        let doc = doc();
        let at = |para: usize| {
            let s = doc.sentences.iter().find(|s| s.para == para).unwrap();
            Match {
                field: "proposal".to_string(),
                rule: "list".to_string(),
                priority: 0,
                text: s.text.to_string(),
                attributes: Map::new(),
                items: Vec::new(),
                citations: vec![cite(s)],
                highlights: Vec::new(),
                captures: Vec::new(),
                steps: Vec::new(),
                list: None,
                kind: SourceKind::Report,
                doc_index: 0,
                background: None,
            }
        };
        let shared = by_part(&[1, 2, 4], vec![at(4), at(2), at(1), at(3)]);
        let got: Vec<Vec<usize>> = shared
            .iter()
            .map(|ms| ms.iter().map(|m| m.citations[0].para).collect())
            .collect();
        assert_eq!(got, [vec![1], vec![2, 3], vec![4]]);
    }
}
