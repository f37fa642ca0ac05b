//! The literal prefilter: which rules can match a sentence at all.
//!
//! For each rule we work out, from its parsed pattern, sets of literals such that
//! any text the pattern matches holds at least one literal of every set: `提供` for
//! the pledge rules; one of `建立 成立 设立 …` and one of `机制 中心 …` for a
//! mechanism rule that needs both a verb and a noun. One Aho-Corasick automaton finds
//! all the literals in a sentence in a single pass; only the rules whose every set
//! occurred run their full regex. Rules with no required literal always run. This
//! is several times faster than a `RegexSet` over the same patterns, whose lazy DFA
//! thrashes on the wide Unicode classes rules use.

use aho_corasick::{AhoCorasick, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Classes with at most this many characters are expanded into literals.
const MAX_CLASS: usize = 8;
/// Literal sets larger than this are not worth it.
const MAX_SET: usize = 64;
/// The most literal sets a rule is checked against (the most selective ones).
const MAX_SETS: usize = 4;

/// Finds the candidate rules of a text.
#[derive(Debug, Clone)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// For each rule, the literal sets (indexes into the automaton's literals) of
    /// which one literal each must occur; none: the rule always runs.
    needs: Vec<Vec<Vec<usize>>>,
    /// How many literals the automaton holds.
    literals: usize,
}

impl Prefilter {
    /// Builds the prefilter for `patterns` (expanded regex sources).
    pub fn new(patterns: &[&str]) -> Self {
        let mut literals: Vec<String> = Vec::new();
        let mut needs = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            let sets = regex_syntax::Parser::new()
                .parse(pattern)
                .map(|h| selective(required_sets(&h)))
                .unwrap_or_default();
            let ids = sets
                .into_iter()
                .map(|set| {
                    set.into_iter()
                        .map(|lit| id_of(&mut literals, lit))
                        .collect()
                })
                .collect();
            needs.push(ids);
        }
        let automaton = if literals.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&literals)
                .ok()
        };
        if automaton.is_none() {
            needs.iter_mut().for_each(Vec::clear);
        }
        Prefilter {
            automaton,
            needs,
            literals: literals.len(),
        }
    }

    /// The rules that may match `text`, in ascending order.
    pub fn candidates(&self, text: &str) -> Vec<usize> {
        let mut present = vec![false; self.literals];
        if let Some(ac) = &self.automaton {
            for m in ac.find_overlapping_iter(text) {
                present[m.pattern().as_usize()] = true;
            }
        }
        (0..self.needs.len())
            .filter(|&r| {
                self.needs[r]
                    .iter()
                    .all(|set| set.iter().any(|&l| present[l]))
            })
            .collect()
    }

    /// How many rules have a literal requirement (the rest always run).
    pub fn filtered_rules(&self) -> usize {
        self.needs.iter().filter(|n| !n.is_empty()).count()
    }
}

/// The index of `lit` among `literals`, added if new.
fn id_of(literals: &mut Vec<String>, lit: String) -> usize {
    match literals.iter().position(|l| *l == lit) {
        Some(i) => i,
        None => {
            literals.push(lit);
            literals.len() - 1
        }
    }
}

/// Of `sets`, those small enough to be worth checking, the most selective first,
/// at most [`MAX_SETS`] of them, each once.
fn selective(mut sets: Vec<Vec<String>>) -> Vec<Vec<String>> {
    sets.retain(|set| !set.is_empty() && set.len() <= MAX_SET);
    sets.sort_by_key(|set| std::cmp::Reverse(quality(set)));
    sets.dedup();
    sets.truncate(MAX_SETS);
    sets
}

/// Sets of literals such that every match of `hir` contains one literal of each.
fn required_sets(hir: &Hir) -> Vec<Vec<String>> {
    match hir.kind() {
        HirKind::Concat(parts) => parts.iter().flat_map(required_sets).collect(),
        HirKind::Repetition(r) if r.min >= 1 => required_sets(&r.sub),
        HirKind::Capture(c) => required_sets(&c.sub),
        _ => required(hir).into_iter().collect(),
    }
}

/// A set of literals one of which every match of `hir` contains, if there is one.
fn required(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Literal(lit) => String::from_utf8(lit.0.to_vec()).ok().map(|s| vec![s]),
        HirKind::Class(Class::Unicode(c)) => {
            let n: usize = c
                .iter()
                .map(|r| (r.end() as usize) - (r.start() as usize) + 1)
                .sum();
            (n <= MAX_CLASS).then(|| {
                c.iter()
                    .flat_map(|r| r.start()..=r.end())
                    .map(String::from)
                    .collect()
            })
        }
        HirKind::Class(Class::Bytes(_)) | HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Repetition(_) => None,
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(required)
            .max_by_key(|set| quality(set)),
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for b in branches {
                all.extend(required(b)?);
            }
            all.sort();
            all.dedup();
            Some(all)
        }
    }
}

/// How selective a literal set is: longer shortest literal first, then fewer literals.
fn quality(set: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = set.iter().map(|s| s.chars().count()).min().unwrap_or(0);
    (shortest, std::cmp::Reverse(set.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(p: &str) -> Option<Vec<String>> {
        required(&regex_syntax::Parser::new().parse(p).unwrap())
    }

    #[test]
    fn required_literals() {
        assert_eq!(
            req("(?:中方)?向(?P<r>\\p{Han}+)提供(?P<o>.+)"),
            Some(vec!["提供".to_string()])
        );
        let set = req("(?:建立|成立)(?:了)?X").unwrap();
        for text in ["建立X", "成立了X"] {
            assert!(
                set.iter().any(|l| text.contains(l.as_str())),
                "{set:?} misses {text}"
            );
        }
        assert_eq!(req("\\p{Han}{4}"), None);
        assert_eq!(req("a?b*"), None);
        assert_eq!(req("[，,]"), Some(vec![",".to_string(), "，".to_string()]));
    }

    #[test]
    fn a_rule_needing_two_words_waits_for_both() {
        let p = Prefilter::new(&["(?:建立|成立)了?\\p{Han}{0,6}(?:机制|中心)", "提供"]);
        assert_eq!(p.candidates("双方决定建立合作"), Vec::<usize>::new());
        assert_eq!(p.candidates("合作机制运转良好"), Vec::<usize>::new());
        assert_eq!(p.candidates("成立了对话机制"), vec![0]);
        // An optional part requires nothing.
        let q = Prefilter::new(&["建立(?:机制)?"]);
        assert_eq!(q.candidates("建立"), vec![0]);
    }

    #[test]
    fn candidates_are_exactly_the_rules_whose_literals_occur() {
        let p = Prefilter::new(&["提供\\d+", "(?:建立|成立)机制", "\\p{Han}+"]);
        assert_eq!(p.filtered_rules(), 2);
        assert_eq!(p.candidates("中方将提供5亿"), vec![0, 2]);
        assert_eq!(p.candidates("倡议成立对话机制"), vec![1, 2]);
        assert_eq!(p.candidates("无关"), vec![2]);
    }
}
