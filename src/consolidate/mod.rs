//! Stage 5: merge the raw matches into facts — one fact per thing stated, every
//! citation kept, disagreements flagged, background kept apart, stable ids.
//!
//! - Identity: per field, see [`identity`].
//! - Canonical wording: from the best source, ranked by kind (speech, interview,
//!   report, preview), then by summit.yaml order, then by position.
//! - Attributes: the canonical match's, completed by the others' (a frequency
//!   stated only once). An attribute the field's `rank:` ranks takes the value
//!   latest in its ranking (a mechanism China proposed and the parties agreed is
//!   established).
//! - Conflicts: values of the field's `conflicts:` attributes that differ between
//!   sources are kept once (the canonical value) and listed in `conflicts`.
//! - Background: extraction says whether each match narrates an earlier event (its
//!   source is a `preview`, or a cue of `rules/background.yaml` stands in its
//!   sentence); a fact is background when all its matches are.
//! - Ids: `<field>-<8 hex digits>` of a hash of the fact's identity key, so they do
//!   not depend on order and survive added sources and rules.
//! - Order: fields by their `order:`; within a field, outcomes before background;
//!   proposals by list, then position; other facts by where the best source states
//!   them.

mod draft;
pub mod identity;
mod index;

use std::collections::{BTreeMap, HashMap};

use draft::Draft;

use serde_json::Value;

use crate::extract::{Extraction, Match};
use crate::facts::{Fact, Note};
use crate::rules::{FieldSpec, RuleSet};
use crate::summit::SourceKind;

/// The consolidated facts, and how each came to be (for `explain`).
#[derive(Debug, Clone, Default)]
pub struct Consolidated {
    /// Facts in fact-sheet order.
    pub facts: Vec<Fact>,
    /// Notes carried over from extraction and added here.
    pub notes: Vec<Note>,
    /// For each fact (same order), the matches merged into it and why.
    pub groups: Vec<Group>,
}

/// The matches behind one fact.
#[derive(Debug, Clone)]
pub struct Group {
    /// The matches, canonical first.
    pub members: Vec<Match>,
    /// What consolidation compared of each member (same order).
    pub keys: Vec<identity::Keys>,
    /// One line per merge: which match joined and why.
    pub decisions: Vec<String>,
}

/// Merges matches into facts; `view` gives the matching view of a source text
/// (simplified characters, no inserted pinyin), in which matches are compared.
/// Keeps every fact's members and merge decisions (for `explain`).
pub fn consolidate(
    rules: &RuleSet,
    extraction: Extraction,
    view: &dyn Fn(&str) -> String,
) -> Consolidated {
    let mut matches = extraction.matches;
    matches.sort_by(|a, b| rank(a).cmp(&rank(b)));
    let mut consolidator = Consolidator::new(rules, view, true);
    for m in matches {
        consolidator.add(m);
    }
    consolidator.notes = extraction.notes;
    consolidator.finish()
}

/// Merges matches into facts as they come, source by source, keeping of each fact
/// only what it needs: memory follows the facts, not the matches.
pub struct Consolidator<'a> {
    rules: &'a RuleSet,
    view: &'a dyn Fn(&str) -> String,
    fields: HashMap<String, FieldState>,
    drafts: Vec<Draft>,
    /// Every fact's members and merge decisions, when asked for (`explain`).
    groups: Option<Vec<Group>>,
    notes: Vec<Note>,
    /// The kind and index of the last source added, which the next may not precede.
    last_source: Option<(SourceKind, usize)>,
}

/// A field's declaration and the index of its matches so far.
struct FieldState {
    spec: FieldSpec,
    index: index::FieldIndex,
}

impl<'a> Consolidator<'a> {
    /// Merges with `rules`' fields, comparing texts in `view`; `keep_groups` keeps
    /// every match and why it joined its fact.
    pub fn new(rules: &'a RuleSet, view: &'a dyn Fn(&str) -> String, keep_groups: bool) -> Self {
        Consolidator {
            rules,
            view,
            fields: HashMap::new(),
            drafts: Vec::new(),
            groups: keep_groups.then(Vec::new),
            notes: Vec::new(),
            last_source: None,
        }
    }

    /// Adds what one source gave. Sources must come in canonical order: by kind
    /// (speech first), then in summit.yaml order. Every match is then compared with
    /// the better-ranked ones before it, as in [`consolidate`].
    pub fn add_source(&mut self, extraction: Extraction) {
        let mut matches = extraction.matches;
        matches.sort_by(|a, b| rank(a).cmp(&rank(b)));
        if let (Some(first), Some(last)) = (matches.first(), self.last_source) {
            assert!(
                (first.kind, first.doc_index) >= last,
                "sources added out of canonical order"
            );
        }
        if let Some(m) = matches.last() {
            self.last_source = Some((m.kind, m.doc_index));
        }
        for m in matches {
            self.add(m);
        }
        self.notes.extend(extraction.notes);
    }

    /// Adds `m` to the first fact of its field holding a member that states the
    /// same fact (the earliest such member of that fact), or to a fact of its own;
    /// the field's index finds the members worth comparing.
    fn add(&mut self, m: Match) {
        if !self.fields.contains_key(&m.field) {
            let spec = self
                .rules
                .field(&m.field)
                .cloned()
                .unwrap_or_else(|| FieldSpec::plain(&m.field));
            let index = index::FieldIndex::new(spec.identity);
            self.fields
                .insert(m.field.clone(), FieldState { spec, index });
        }
        let field = self
            .fields
            .get_mut(&m.field)
            .expect("the field's state was just made");
        let spec = &field.spec;
        let keys = identity::Keys::of(&m, spec, self.view);
        let past = narrated_as_past(spec, &m);
        let found = field
            .index
            .candidates(&keys)
            .into_iter()
            .map(|i| field.index.entry(i))
            .filter(|e| e.past == past && identity::same_fact(spec, &e.keys, &keys))
            .map(|e| e.first)
            .min();
        let Some((i, k)) = found else {
            field.index.insert(&keys, past, (self.drafts.len(), 0));
            if let Some(groups) = &mut self.groups {
                groups.push(Group {
                    members: vec![m.clone()],
                    keys: vec![keys.clone()],
                    decisions: Vec::new(),
                });
            }
            self.drafts.push(Draft::new(spec, m, keys));
            return;
        };
        let at = (i, self.drafts[i].members.count);
        field.index.insert(&keys, past, at);
        self.drafts[i].add(spec, &m);
        if let Some(groups) = &mut self.groups {
            groups[i].join(spec, m, keys, k);
        }
    }

    /// The facts in fact-sheet order, the notes, and the groups if kept.
    pub fn finish(self) -> Consolidated {
        let fields = &self.fields;
        let groups: Vec<Option<Group>> = match self.groups {
            Some(groups) => groups.into_iter().map(Some).collect(),
            None => self.drafts.iter().map(|_| None).collect(),
        };
        let mut facts: Vec<(Fact, Match, Option<Group>)> = self
            .drafts
            .into_iter()
            .zip(groups)
            .map(|(d, g)| (d.fact(&fields[&d.canon.field].spec), d.canon, g))
            .collect();
        disambiguate_ids(&mut facts);
        sort_facts(self.rules, &mut facts);
        let mut notes = self.notes;
        notes.sort_by(|a, b| {
            (&a.sentence, &a.rule, &a.message).cmp(&(&b.sentence, &b.rule, &b.message))
        });
        notes.dedup();
        let (facts, groups): (Vec<Fact>, Vec<Option<Group>>) =
            facts.into_iter().map(|(f, _, g)| (f, g)).unzip();
        Consolidated {
            facts,
            notes,
            groups: groups.into_iter().flatten().collect(),
        }
    }
}

impl Group {
    /// Adds `m` (with `keys`), which states the same fact as member `k`.
    fn join(&mut self, spec: &FieldSpec, m: Match, keys: identity::Keys, k: usize) {
        let with = &self.members[k];
        self.decisions.push(format!(
            "{} ({}) joined {} ({}): {}",
            first_id(&m),
            m.rule,
            first_id(with),
            with.rule,
            identity::reason(spec, &self.keys[k], &keys)
        ));
        self.members.push(m);
        self.keys.push(keys);
    }
}

/// An amount in a sentence that narrates an earlier event is an earlier fact, even
/// when this summit repeats the amount (a preview, though, foretells this summit's).
fn narrated_as_past(spec: &FieldSpec, m: &Match) -> bool {
    spec.identity == crate::rules::Identity::Amount
        && m.background.is_some()
        && m.kind != SourceKind::Preview
}

/// Fields by their `order:`; within a field, outcomes before background, then by
/// where the best source states them (list items by their list and position).
fn sort_facts(rules: &RuleSet, facts: &mut [(Fact, Match, Option<Group>)]) {
    let field_order: BTreeMap<&str, (i32, usize)> = rules
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.as_str(), (f.order, i)))
        .collect();
    let order = |f: &Fact| {
        field_order
            .get(f.field.as_str())
            .copied()
            .unwrap_or((i32::MAX, 0))
    };
    facts.sort_by(|(fa, ma, _), (fb, mb, _)| {
        order(fa)
            .cmp(&order(fb))
            .then(fa.field.cmp(&fb.field))
            .then(fa.context.is_some().cmp(&fb.context.is_some()))
            .then(position_key(ma).cmp(&position_key(mb)))
            .then(fa.id.cmp(&fb.id))
    });
}

/// Ranks matches for canonical wording: kind, source order, paragraph, sentence.
fn rank(m: &Match) -> (SourceKind, usize, usize, usize, &str) {
    let c = m.citations.first();
    (
        m.kind,
        m.doc_index,
        c.map_or(0, |c| c.para),
        c.map_or(0, |c| c.sentence),
        &m.rule,
    )
}

/// Where a fact goes within its field (`m`: its canonical match): list items by
/// their list's header and their position in it; other facts by where the best
/// source states them.
fn position_key(m: &Match) -> (SourceKind, usize, usize, usize, usize) {
    let (kind, doc, para, sentence, _) = rank(m);
    let ordinal = m
        .attributes
        .get("ordinal")
        .and_then(|o| o.get("value"))
        .and_then(Value::as_i64);
    let header = m.list.as_ref().and_then(|l| l.header.as_ref());
    match (ordinal, header) {
        (Some(o), Some(h)) => (kind, doc, h.para, h.sentence, o.max(0) as usize),
        _ => {
            let offset = m.highlights.first().map_or(0, |h| h.start);
            (kind, doc, para, sentence, offset)
        }
    }
}

/// The first sentence citing `m`, as written (empty for a match without citations).
fn first_id(m: &Match) -> String {
    m.citations
        .first()
        .map(|c| c.sentence_id().to_string())
        .unwrap_or_default()
}

/// Two facts with the same id (same identity key, yet not merged): later ones get
/// their text hashed in, so ids stay unique and stable.
fn disambiguate_ids(facts: &mut [(Fact, Match, Option<Group>)]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (f, _, _) in facts.iter_mut() {
        let n = seen.entry(f.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            let h = crate::hash::short_hash([f.id.as_bytes(), f.text.as_bytes()]);
            f.id = format!("{}-{}", f.field, &h[..8]);
        }
    }
}

/// A match as a fact of its own (for `extract --raw`).
pub fn raw_fact(m: &Match) -> Fact {
    let key = format!("{}|{}|{}", m.rule, first_id(m), m.text);
    Fact {
        id: format!(
            "{}-{}",
            m.field,
            &crate::hash::short_hash([key.as_bytes()])[..8]
        ),
        field: m.field.clone(),
        text: m.text.clone(),
        attributes: m.attributes.clone(),
        items: m.items.clone(),
        context: None,
        conflicts: Vec::new(),
        rules: vec![m.rule.clone()],
        sources: m.citations.clone(),
    }
}
