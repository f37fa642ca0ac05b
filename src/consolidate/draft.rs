//! A fact being built from its matches as they join, best-ranked first.
//!
//! A [`Draft`] keeps the canonical match and folds each later member into what the
//! fact needs (citations, rules, attributes, conflicts) without keeping the member,
//! so a large summit's facts take the memory of the facts, not of every match.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value};

use super::identity::{self, Keys};
use crate::extract::Match;
use crate::facts::{Citation, Conflict, ConflictValue, Fact, Item, SentenceId};
use crate::rules::{FieldSpec, Identity};

/// One fact in the making.
#[derive(Debug)]
pub(super) struct Draft {
    /// The first member, from the best source: the fact's wording and place.
    pub canon: Match,
    /// Its keys; the fact's id is a hash of their identity key.
    pub canon_keys: Keys,
    /// What the members, the canonical one included, add up to.
    pub members: Members,
}

/// What a fact's members add up to.
#[derive(Debug)]
pub(super) struct Members {
    /// How many matches joined (the canonical one included).
    pub count: usize,
    /// The canonical items, or the first member's that has some.
    items: Vec<Item>,
    /// The citations, with their source's index, in the order seen (a citation
    /// repeating the one before left out; other repeats are left out at the end).
    sources: Vec<(usize, Citation)>,
    rules: BTreeSet<String>,
    /// True while every member narrates an earlier event.
    background: bool,
    /// The later members' attributes, each the first value ranked highest by the
    /// field (see [`rank_of`]), in the order first stated.
    later: Map<String, Value>,
    /// The longest name stated (the first of that length), for a field named by
    /// its name.
    longest_name: Option<String>,
    /// For each of the field's `conflicts:` attributes, its distinct values.
    conflicts: Vec<Values>,
}

/// The distinct values of one conflict attribute: each without its wording, as
/// stated, and the sentences citing it.
#[derive(Debug, Default)]
struct Values(Vec<(Value, ConflictValue, HashSet<SentenceId>)>);

impl Draft {
    /// A fact whose canonical match is `m` (of field `spec`), compared by `keys`.
    pub fn new(spec: &FieldSpec, m: Match, keys: Keys) -> Self {
        let mut members = Members {
            count: 0,
            items: m.items.clone(),
            sources: Vec::new(),
            rules: BTreeSet::new(),
            background: true,
            later: Map::new(),
            longest_name: None,
            conflicts: spec.conflicts.iter().map(|_| Values::default()).collect(),
        };
        members.fold(spec, &m);
        Draft {
            canon: m,
            canon_keys: keys,
            members,
        }
    }

    /// Adds a later member.
    pub fn add(&mut self, spec: &FieldSpec, m: &Match) {
        self.members.add(spec, m);
    }

    /// The fact.
    pub fn fact(&self, spec: &FieldSpec) -> Fact {
        let canon = &self.canon;
        let key = identity::key(spec.identity, &self.canon_keys);
        let members = &self.members;
        Fact {
            id: format!(
                "{}-{}",
                canon.field,
                &crate::hash::short_hash([canon.field.as_bytes(), key.as_bytes()])[..8]
            ),
            field: canon.field.clone(),
            text: canon.text.clone(),
            attributes: members.attributes(spec, &canon.attributes),
            items: members.items.clone(),
            context: members.background.then(|| "background".to_string()),
            conflicts: members.conflicts(spec),
            rules: members.rules.iter().cloned().collect(),
            sources: members.sources(),
        }
    }
}

impl Members {
    /// Each citation once, in source order, then by paragraph and sentence.
    fn sources(&self) -> Vec<Citation> {
        let key = |(doc, c): &&(usize, Citation)| (*doc, c.para, c.sentence);
        let mut sources: Vec<&(usize, Citation)> = self.sources.iter().collect();
        sources.sort_by_key(key);
        let mut out: Vec<Citation> = Vec::with_capacity(sources.len());
        // Equal citations cite one sentence, so they sort into one block of equal keys.
        let mut block = 0;
        for (i, cited) in sources.iter().enumerate() {
            if i > 0 && key(&sources[i - 1]) != key(cited) {
                block = out.len();
            }
            if !out[block..].contains(&cited.1) {
                out.push(cited.1.clone());
            }
        }
        out
    }

    /// Adds a member after the canonical one.
    fn add(&mut self, spec: &FieldSpec, m: &Match) {
        if self.items.is_empty() {
            self.items = m.items.clone();
        }
        for (k, v) in &m.attributes {
            match self.later.get(k) {
                Some(cur) if rank_of(spec, k, v) <= rank_of(spec, k, cur) => {}
                _ => {
                    self.later.insert(k.clone(), v.clone());
                }
            }
        }
        self.fold(spec, m);
    }

    /// What every member adds, the canonical one included.
    fn fold(&mut self, spec: &FieldSpec, m: &Match) {
        self.count += 1;
        for c in &m.citations {
            // A sentence matched by several rules of one fact comes in a row.
            if self.sources.last().is_none_or(|(_, last)| last != c) {
                self.sources.push((m.doc_index, c.clone()));
            }
        }
        if !self.rules.contains(&m.rule) {
            self.rules.insert(m.rule.clone());
        }
        self.background &= m.background.is_some();
        if spec.identity == Identity::Name {
            let name = m.attributes.get("name").and_then(Value::as_str);
            let longer = |n: &str| {
                self.longest_name
                    .as_ref()
                    .is_none_or(|l| n.chars().count() > l.chars().count())
            };
            if let Some(n) = name.filter(|n| longer(n)) {
                self.longest_name = Some(n.to_string());
            }
        }
        for (attr, values) in spec.conflicts.iter().zip(&mut self.conflicts) {
            if let Some(v) = m.attributes.get(attr) {
                values.add(v, m);
            }
        }
    }

    /// The canonical member's attributes, completed by the others', a ranked
    /// attribute taking the value latest in its ranking, and a name the most
    /// complete one.
    fn attributes(&self, spec: &FieldSpec, canon: &Map<String, Value>) -> Map<String, Value> {
        let mut attributes = canon.clone();
        // A mechanism is named by its most complete name (常驻秘书处 → 中国—中亚机制常驻秘书处).
        if let Some(n) = &self.longest_name {
            attributes.insert("name".to_string(), Value::from(n.as_str()));
        }
        for (k, v) in &self.later {
            match attributes.get(k) {
                Some(cur) if rank_of(spec, k, v) <= rank_of(spec, k, cur) => {}
                _ => {
                    attributes.insert(k.clone(), v.clone());
                }
            }
        }
        attributes
    }

    /// The conflict attributes whose members stated more than one value.
    fn conflicts(&self, spec: &FieldSpec) -> Vec<Conflict> {
        spec.conflicts
            .iter()
            .zip(&self.conflicts)
            .filter(|(_, values)| values.0.len() > 1)
            .map(|(attr, values)| Conflict {
                attribute: attr.to_string(),
                values: values.0.iter().map(|(_, cv, _)| cv.clone()).collect(),
            })
            .collect()
    }
}

impl Values {
    /// Records that `m` states `v`.
    fn add(&mut self, v: &Value, m: &Match) {
        let bare = without_text(v);
        let at = match self.0.iter().position(|(b, _, _)| *b == bare) {
            Some(at) => at,
            None => {
                let value = ConflictValue {
                    value: v.clone(),
                    citations: Vec::new(),
                };
                self.0.push((bare, value, HashSet::new()));
                self.0.len() - 1
            }
        };
        let (_, cv, seen) = &mut self.0[at];
        for c in m.citations.iter().map(Citation::sentence_id) {
            if seen.insert(c.clone()) {
                cv.citations.push(c);
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summit::SourceKind;
    use serde_json::json;

    fn cite(doc: &str, para: usize) -> Citation {
        Citation {
            doc: doc.into(),
            para,
            sentence: 1,
            start: 0,
            end: 3,
            page: None,
            quote: "句子。".into(),
        }
    }

    fn m(rule: &str, attrs: Value, doc_index: usize, citation: Citation) -> Match {
        Match {
            field: "mechanism".to_string(),
            rule: rule.to_string(),
            priority: 0,
            text: format!("text of {rule}"),
            attributes: attrs.as_object().cloned().unwrap_or_default(),
            items: Vec::new(),
            citations: vec![citation],
            highlights: Vec::new(),
            captures: Vec::new(),
            steps: Vec::new(),
            list: None,
            kind: SourceKind::Speech,
            doc_index,
            background: None,
        }
    }

    fn spec() -> FieldSpec {
        FieldSpec {
            identity: Identity::Name,
            rank: vec![(
                "status".to_string(),
                vec!["proposed".to_string(), "established".to_string()],
            )],
            conflicts: vec!["frequency".to_string()],
            ..FieldSpec::plain("mechanism")
        }
    }

    /// A fact of `members`, the first canonical.
    fn fact(members: Vec<Match>) -> Fact {
        let spec = spec();
        let mut members = members.into_iter();
        let mut draft = Draft::new(&spec, members.next().unwrap(), Keys::default());
        for m in members {
            draft.add(&spec, &m);
        }
        draft.fact(&spec)
    }

    #[test]
    fn later_members_complete_the_canonical_attributes_in_the_order_first_stated() {
        let f = fact(vec![
            m("a", json!({"status": "proposed"}), 0, cite("x.txt", 1)),
            m(
                "b",
                json!({"host": "甲", "status": "established", "name": "秘书处"}),
                1,
                cite("y.txt", 1),
            ),
            m(
                "c",
                json!({"status": "proposed", "seat": "乙", "host": "丙"}),
                2,
                cite("z.txt", 1),
            ),
        ]);
        let keys: Vec<&str> = f.attributes.keys().map(String::as_str).collect();
        // The name comes first after the canonical keys (it is the fact's name), then
        // what the others add, in the order first stated.
        assert_eq!(keys, ["status", "name", "host", "seat"]);
        // A ranked attribute takes the value latest in its ranking; others keep the
        // first value stated.
        assert_eq!(f.attributes["status"], "established");
        assert_eq!(f.attributes["host"], "甲");
        assert_eq!(f.text, "text of a");
        assert_eq!(f.rules, ["a", "b", "c"]);
    }

    #[test]
    fn the_longest_name_wins_and_the_first_of_that_length() {
        let f = fact(vec![
            m("a", json!({"name": "秘书处"}), 0, cite("x.txt", 1)),
            m("b", json!({"name": "常驻秘书处"}), 0, cite("x.txt", 2)),
            m("c", json!({"name": "机制秘书处"}), 0, cite("x.txt", 3)),
        ]);
        assert_eq!(f.attributes["name"], "常驻秘书处");
    }

    #[test]
    fn citations_are_kept_once_in_source_order_and_conflicts_listed() {
        let f = fact(vec![
            m("a", json!({"frequency": "每年"}), 2, cite("z.txt", 4)),
            m("a", json!({"frequency": "每年"}), 2, cite("z.txt", 4)),
            m("b", json!({"frequency": "两年"}), 0, cite("x.txt", 9)),
            m("c", json!({"frequency": "每年"}), 2, cite("z.txt", 4)),
        ]);
        let docs: Vec<&str> = f.sources.iter().map(|c| &*c.doc).collect();
        assert_eq!(docs, ["x.txt", "z.txt"]);
        assert_eq!(f.conflicts.len(), 1);
        let values: Vec<&Value> = f.conflicts[0].values.iter().map(|v| &v.value).collect();
        assert_eq!(values, [&json!("每年"), &json!("两年")]);
        assert_eq!(f.conflicts[0].values[0].citations.len(), 1);
    }
}
