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

pub mod identity;
mod index;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::extract::{Extraction, Match};
use crate::facts::{Citation, Conflict, ConflictValue, Fact, Note, SentenceId};
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
pub fn consolidate(
    rules: &RuleSet,
    extraction: Extraction,
    view: &dyn Fn(&str) -> String,
) -> Consolidated {
    let mut matches = extraction.matches;
    matches.sort_by_key(rank);
    let plain: BTreeMap<String, FieldSpec> = matches
        .iter()
        .filter(|m| rules.field(&m.field).is_none())
        .map(|m| (m.field.clone(), FieldSpec::plain(&m.field)))
        .collect();
    let spec_of = |field: &str| rules.field(field).unwrap_or_else(|| &plain[field]);
    let mut groups: Vec<Group> = Vec::new();
    let mut indexes: HashMap<String, index::FieldIndex> = HashMap::new();
    for m in matches {
        let spec = spec_of(&m.field);
        let keys = identity::Keys::of(&m, spec, view);
        let index = indexes
            .entry(m.field.clone())
            .or_insert_with(|| index::FieldIndex::new(spec.identity));
        join(&mut groups, index, spec, m, keys);
    }
    let mut facts: Vec<(Fact, Group)> = groups
        .into_iter()
        .map(|g| (fact_of(spec_of(&g.members[0].field), &g), g))
        .collect();
    disambiguate_ids(&mut facts);
    sort_facts(rules, &mut facts);
    let (facts, groups): (Vec<Fact>, Vec<Group>) = facts.into_iter().unzip();
    let mut notes = extraction.notes;
    notes.sort_by(|a, b| {
        (&a.sentence, &a.rule, &a.message).cmp(&(&b.sentence, &b.rule, &b.message))
    });
    notes.dedup();
    Consolidated {
        facts,
        notes,
        groups,
    }
}

/// An amount in a sentence that narrates an earlier event is an earlier fact, even
/// when this summit repeats the amount (a preview, though, foretells this summit's).
fn narrated_as_past(spec: &FieldSpec, m: &Match) -> bool {
    spec.identity == crate::rules::Identity::Amount
        && m.background.is_some()
        && m.kind != SourceKind::Preview
}

/// Adds `m` (of field `spec`, compared by `keys`) to the first group of its field
/// holding a member that states the same fact (the earliest such member of that
/// group), or to a group of its own; `index` finds the members worth comparing.
fn join(
    groups: &mut Vec<Group>,
    index: &mut index::FieldIndex,
    spec: &FieldSpec,
    m: Match,
    keys: identity::Keys,
) {
    let past = narrated_as_past(spec, &m);
    let found = index
        .candidates(&keys)
        .into_iter()
        .map(|i| index.entry(i))
        .filter(|e| e.past == past && identity::same_fact(spec, &e.keys, &keys))
        .map(|e| e.first)
        .min();
    let Some((i, k)) = found else {
        index.insert(&keys, past, (groups.len(), 0));
        groups.push(Group {
            members: vec![m],
            keys: vec![keys],
            decisions: Vec::new(),
        });
        return;
    };
    index.insert(&keys, past, (i, groups[i].members.len()));
    let g = &mut groups[i];
    let with = &g.members[k];
    g.decisions.push(format!(
        "{} ({}) joined {} ({}): {}",
        first_id(&m),
        m.rule,
        first_id(with),
        with.rule,
        identity::reason(spec, &g.keys[k], &keys)
    ));
    g.members.push(m);
    g.keys.push(keys);
}

/// Fields by their `order:`; within a field, outcomes before background, then by
/// where the best source states them (list items by their list and position).
fn sort_facts(rules: &RuleSet, facts: &mut [(Fact, Group)]) {
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
    facts.sort_by(|(fa, ga), (fb, gb)| {
        order(fa)
            .cmp(&order(fb))
            .then(fa.field.cmp(&fb.field))
            .then(fa.context.is_some().cmp(&fb.context.is_some()))
            .then(position_key(ga).cmp(&position_key(gb)))
            .then(fa.id.cmp(&fb.id))
    });
}

/// Ranks matches for canonical wording: kind, source order, paragraph, sentence.
fn rank(m: &Match) -> (SourceKind, usize, usize, usize, String) {
    let c = m.citations.first();
    (
        m.kind,
        m.doc_index,
        c.map_or(0, |c| c.para),
        c.map_or(0, |c| c.sentence),
        m.rule.clone(),
    )
}

/// Where a group's fact goes within its field: list items by their list's header
/// and their position in it; other facts by where the best source states them.
fn position_key(g: &Group) -> (SourceKind, usize, usize, usize, usize) {
    let m = &g.members[0];
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

/// Where `v` stands in the field's ranking of attribute `k` (0 when unranked).
fn rank_of(field: &FieldSpec, k: &str, v: &Value) -> usize {
    field
        .rank
        .iter()
        .find(|(name, _)| name == k)
        .and_then(|(_, values)| {
            let v = v.as_str()?;
            values.iter().position(|x| x == v).map(|p| p + 1)
        })
        .unwrap_or(0)
}

/// Builds the fact of a group (canonical member first).
fn fact_of(field: &FieldSpec, g: &Group) -> Fact {
    let canon = &g.members[0];
    let items = if canon.items.is_empty() {
        g.members
            .iter()
            .find(|m| !m.items.is_empty())
            .map(|m| m.items.clone())
            .unwrap_or_default()
    } else {
        canon.items.clone()
    };
    let mut sources: Vec<(usize, Citation)> = Vec::new();
    let mut seen: HashSet<&Citation> = HashSet::new();
    for m in &g.members {
        for c in &m.citations {
            if seen.insert(c) {
                sources.push((m.doc_index, c.clone()));
            }
        }
    }
    sources.sort_by_key(|a| (a.0, a.1.para, a.1.sentence));
    let mut rules: Vec<String> = g.members.iter().map(|m| m.rule.clone()).collect();
    rules.sort();
    rules.dedup();
    let background = g.members.iter().all(|m| m.background.is_some());
    let key = identity::key(field.identity, &g.keys[0]);
    Fact {
        id: format!(
            "{}-{}",
            canon.field,
            &crate::hash::short_hash([canon.field.as_bytes(), key.as_bytes()])[..8]
        ),
        field: canon.field.clone(),
        text: canon.text.clone(),
        attributes: attributes_of(field, g),
        items,
        context: background.then(|| "background".to_string()),
        conflicts: conflicts(field, g),
        rules,
        sources: sources.into_iter().map(|(_, c)| c).collect(),
    }
}

/// The canonical member's attributes, completed by the others', a ranked attribute
/// taking the value latest in its ranking, and a name the most complete one.
fn attributes_of(field: &FieldSpec, g: &Group) -> serde_json::Map<String, Value> {
    let mut attributes = g.members[0].attributes.clone();
    // A mechanism is named by its most complete name (常驻秘书处 → 中国—中亚机制常驻秘书处).
    if field.identity == crate::rules::Identity::Name {
        let longest = g
            .members
            .iter()
            .filter_map(|m| m.attributes.get("name").and_then(Value::as_str))
            .enumerate()
            .max_by_key(|(i, n)| (n.chars().count(), std::cmp::Reverse(*i)))
            .map(|(_, n)| n);
        if let Some(n) = longest {
            attributes.insert("name".to_string(), Value::from(n));
        }
    }
    for m in &g.members[1..] {
        for (k, v) in &m.attributes {
            match attributes.get(k) {
                None => {
                    attributes.insert(k.clone(), v.clone());
                }
                Some(cur) if rank_of(field, k, v) > rank_of(field, k, cur) => {
                    attributes.insert(k.clone(), v.clone());
                }
                _ => {}
            }
        }
    }
    attributes
}

/// Values of the conflict attributes that differ between members.
fn conflicts(field: &FieldSpec, g: &Group) -> Vec<Conflict> {
    let mut out = Vec::new();
    for attr in &field.conflicts {
        // Each distinct value (without its wording), with the sentences citing it.
        let mut values: Vec<(Value, ConflictValue, HashSet<SentenceId>)> = Vec::new();
        for m in &g.members {
            let Some(v) = m.attributes.get(attr) else {
                continue;
            };
            let bare = without_text(v);
            let at = match values.iter().position(|(b, _, _)| *b == bare) {
                Some(at) => at,
                None => {
                    let value = ConflictValue {
                        value: v.clone(),
                        citations: Vec::new(),
                    };
                    values.push((bare, value, HashSet::new()));
                    values.len() - 1
                }
            };
            let (_, cv, seen) = &mut values[at];
            for c in m.citations.iter().map(Citation::sentence_id) {
                if seen.insert(c.clone()) {
                    cv.citations.push(c);
                }
            }
        }
        if values.len() > 1 {
            out.push(Conflict {
                attribute: attr.to_string(),
                values: values.into_iter().map(|(_, cv, _)| cv).collect(),
            });
        }
    }
    out
}

/// A value without its `text` (wording differs; the normalised value is what counts).
fn without_text(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| *k != "text")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Two facts with the same id (same identity key, yet not merged): later ones get
/// their text hashed in, so ids stay unique and stable.
fn disambiguate_ids(facts: &mut [(Fact, Group)]) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (f, _) in facts.iter_mut() {
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
