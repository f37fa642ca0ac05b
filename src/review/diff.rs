//! What changed between two sets of facts: facts added, removed and changed
//! (attribute by attribute), grouped by rule — what a reviewer reads beside
//! `cargo insta review`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::consolidate::identity::squash;
use crate::facts::{Fact, FactSheet};

/// One changed part of a fact.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// `text`, `context`, `items`, `rules`, `sources`, `conflicts` or `attributes.<name>`.
    pub what: String,
    /// The old value (JSON), or absent.
    pub old: Option<Value>,
    /// The new value, or absent.
    pub new: Option<Value>,
}

/// A fact present on both sides that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    /// The fact before.
    pub old: Fact,
    /// The fact after.
    pub new: Fact,
    /// What differs.
    pub changes: Vec<Change>,
}

/// One line of a diff: `+` added, `-` removed, `~` changed; the fact; what changed.
pub type Entry<'a> = (char, &'a Fact, &'a [Change]);

/// The difference between two fact sheets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FactDiff {
    /// Facts only in the new sheet.
    pub added: Vec<Fact>,
    /// Facts only in the old sheet.
    pub removed: Vec<Fact>,
    /// Facts in both that differ.
    pub changed: Vec<Changed>,
}

impl FactDiff {
    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The entries grouped by rule (a fact found by several rules is listed under
    /// each): rule → (sign, fact, changes).
    pub fn by_rule(&self) -> BTreeMap<String, Vec<Entry<'_>>> {
        let mut out: BTreeMap<String, Vec<Entry<'_>>> = BTreeMap::new();
        let mut entries: Vec<(Vec<String>, Entry<'_>)> = Vec::new();
        for f in &self.added {
            entries.push((f.rules.clone(), ('+', f, &[])));
        }
        for f in &self.removed {
            entries.push((f.rules.clone(), ('-', f, &[])));
        }
        for c in &self.changed {
            let mut rules = c.old.rules.clone();
            for r in &c.new.rules {
                if !rules.contains(r) {
                    rules.push(r.clone());
                }
            }
            entries.push((rules, ('~', &c.new, c.changes.as_slice())));
        }
        for (rules, entry) in entries {
            if rules.is_empty() {
                out.entry("(no rule)".to_string()).or_default().push(entry);
            }
            for r in rules {
                out.entry(r).or_default().push(entry);
            }
        }
        out
    }
}

/// Compares `old` and `new`. Facts are paired by id, then by field and text.
pub fn diff(old: &FactSheet, new: &FactSheet) -> FactDiff {
    let mut out = FactDiff::default();
    let mut new_used = vec![false; new.facts.len()];
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut old_unpaired = Vec::new();
    for (i, f) in old.facts.iter().enumerate() {
        match new.facts.iter().position(|g| g.id == f.id) {
            Some(j) if !new_used[j] => {
                new_used[j] = true;
                pairs.push((i, j));
            }
            _ => old_unpaired.push(i),
        }
    }
    for i in old_unpaired {
        let f = &old.facts[i];
        let j = new.facts.iter().enumerate().position(|(j, g)| {
            !new_used[j] && g.field == f.field && squash(&g.text) == squash(&f.text)
        });
        match j {
            Some(j) => {
                new_used[j] = true;
                pairs.push((i, j));
            }
            None => out.removed.push(f.clone()),
        }
    }
    for (j, g) in new.facts.iter().enumerate() {
        if !new_used[j] {
            out.added.push(g.clone());
        }
    }
    pairs.sort();
    for (i, j) in pairs {
        let changes = compare(&old.facts[i], &new.facts[j]);
        if !changes.is_empty() {
            out.changed.push(Changed {
                old: old.facts[i].clone(),
                new: new.facts[j].clone(),
                changes,
            });
        }
    }
    out
}

fn compare(a: &Fact, b: &Fact) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |what: &str, x: Value, y: Value| {
        if x != y {
            let some = |v: Value| (!v.is_null()).then_some(v);
            out.push(Change {
                what: what.to_string(),
                old: some(x),
                new: some(y),
            });
        }
    };
    push("id", Value::from(a.id.clone()), Value::from(b.id.clone()));
    push(
        "text",
        Value::from(a.text.clone()),
        Value::from(b.text.clone()),
    );
    push("context", json(&a.context), json(&b.context));
    let mut keys: Vec<&String> = a.attributes.keys().chain(b.attributes.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        push(
            &format!("attributes.{k}"),
            a.attributes.get(k).cloned().unwrap_or(Value::Null),
            b.attributes.get(k).cloned().unwrap_or(Value::Null),
        );
    }
    let items = |f: &Fact| Value::from(f.items.iter().map(|i| i.text.clone()).collect::<Vec<_>>());
    push("items", items(a), items(b));
    push("conflicts", json(&a.conflicts), json(&b.conflicts));
    push(
        "rules",
        Value::from(a.rules.clone()),
        Value::from(b.rules.clone()),
    );
    let cites = |f: &Fact| {
        Value::from(
            f.sources
                .iter()
                .map(|c| c.sentence_id().to_string())
                .collect::<Vec<_>>(),
        )
    };
    push("sources", cites(a), cites(b));
    out
}

fn json<T: serde::Serialize>(v: &T) -> Value {
    match serde_json::to_value(v).unwrap_or(Value::Null) {
        Value::Array(a) if a.is_empty() => Value::Null,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(facts: Value) -> FactSheet {
        serde_json::from_value(serde_json::json!({
            "summit": {"id": "x", "title": "t", "date": "2022-01-01", "sources": []},
            "facts": facts,
            "provenance": {"tool": "t", "rules_sha256": "r", "sources_sha256": "s"}
        }))
        .unwrap()
    }

    #[test]
    fn added_removed_changed() {
        let old = sheet(serde_json::json!([
            {"id": "pledge-1", "field": "pledge", "text": "提供5亿美元", "attributes": {"amount": {"value": 5}}, "rules": ["pledge.provide"], "sources": []},
            {"id": "figure-1", "field": "figure", "text": "3300多公里", "rules": ["figure.stated-count"], "sources": []}
        ]));
        let new = sheet(serde_json::json!([
            {"id": "pledge-1", "field": "pledge", "text": "提供5亿美元", "attributes": {"amount": {"value": 6}, "what": "援助"}, "rules": ["pledge.provide"], "sources": []},
            {"id": "document-1", "field": "document", "text": "《宣言》", "rules": ["document.adopted"], "sources": []}
        ]));
        let d = diff(&old, &new);
        assert_eq!(
            d.added.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
            ["document-1"]
        );
        assert_eq!(
            d.removed.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
            ["figure-1"]
        );
        assert_eq!(d.changed.len(), 1);
        let what: Vec<&str> = d.changed[0]
            .changes
            .iter()
            .map(|c| c.what.as_str())
            .collect();
        assert_eq!(what, ["attributes.amount", "attributes.what"]);
        assert_eq!(d.changed[0].changes[1].old, None);
        let groups = d.by_rule();
        assert_eq!(
            groups.keys().collect::<Vec<_>>(),
            ["document.adopted", "figure.stated-count", "pledge.provide"]
        );
        assert!(diff(&old, &old).is_empty());
    }

    #[test]
    fn a_fact_whose_id_changed_is_paired_by_text() {
        let old = sheet(
            serde_json::json!([{"id": "m-1", "field": "mechanism", "text": "建立机制", "rules": [], "sources": []}]),
        );
        let new = sheet(
            serde_json::json!([{"id": "m-2", "field": "mechanism", "text": "建立机制", "rules": [], "sources": []}]),
        );
        let d = diff(&old, &new);
        assert!(d.added.is_empty() && d.removed.is_empty());
        assert_eq!(d.changed[0].changes[0].what, "id");
    }
}
