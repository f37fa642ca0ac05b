//! Rule health over every summit (`factsheet check --corpus`): rules that never
//! fire, rules that claim the same span, and sentences holding a trigger word that
//! no rule extracted from — where recall is being lost.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::SentenceId;
use crate::pipeline::Analysis;
use crate::rules::RuleSet;

/// What the corpus says about the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Health {
    /// Rule ids that matched nothing in any summit.
    pub never_fired: Vec<String>,
    /// (rule a, rule b) → (times they claimed the same span, which one won, an example sentence).
    pub overlaps: BTreeMap<(String, String), (usize, Option<String>, String)>,
    /// Sentences with a trigger word that no fact cites: (summit, sentence, trigger, text).
    pub unclaimed: Vec<(String, SentenceId, String, String)>,
    /// Numbered or parallel runs no list rule claimed: (summit, first item, titles).
    pub unclaimed_lists: Vec<(String, SentenceId, Vec<String>)>,
}

/// Gathers the health report from every summit's analysis.
pub fn health(rules: &RuleSet, analyses: &[(String, Analysis)]) -> Health {
    let mut fired: BTreeSet<String> = BTreeSet::new();
    let mut out = Health::default();
    for (summit, a) in analyses {
        let mut cited: BTreeSet<SentenceId> = BTreeSet::new();
        for g in &a.groups {
            for m in &g.members {
                fired.insert(m.rule.clone());
                for c in &m.citations {
                    cited.insert(c.sentence_id());
                }
                for i in &m.items {
                    for c in &i.sources {
                        cited.insert(c.sentence_id());
                    }
                }
            }
        }
        for o in &a.overlaps {
            let key = if o.rules.0 <= o.rules.1 {
                o.rules.clone()
            } else {
                (o.rules.1.clone(), o.rules.0.clone())
            };
            let e = out.overlaps.entry(key).or_insert((
                0,
                o.winner.clone(),
                format!("{summit} {}", o.sentence),
            ));
            e.0 += 1;
        }
        for doc in &a.docs {
            for s in doc.included() {
                if cited.contains(&s.id()) {
                    continue;
                }
                if let Some(t) = rules.trigger_in(s.match_text()) {
                    out.unclaimed
                        .push((summit.clone(), s.id(), t.to_string(), s.text.to_string()));
                }
            }
        }
        for l in &a.unclaimed_lists {
            out.unclaimed_lists
                .push((summit.clone(), l.first.clone(), l.titles.clone()));
        }
    }
    out.never_fired = rules
        .ids()
        .into_iter()
        .filter(|id| !fired.contains(*id))
        .map(str::to_string)
        .collect();
    out
}
