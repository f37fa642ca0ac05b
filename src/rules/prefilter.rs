//! The literal prefilter: which rules can match a sentence at all.
//!
//! For each rule we work out, from its parsed pattern, a set of literals of which
//! at least one must occur in any text the pattern matches (`提供` for the pledge
//! rules, one of `建立 成立 设立 …` for the mechanism rule). One Aho-Corasick
//! automaton finds all of them in a sentence in a single pass; only the rules
//! whose literals occurred run their full regex. Rules with no required literal
//! always run. This is several times faster than a `RegexSet` over the same
//! patterns, whose lazy DFA thrashes on the wide Unicode classes rules use.

use aho_corasick::{AhoCorasick, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Classes with at most this many characters are expanded into literals.
const MAX_CLASS: usize = 8;
/// Literal sets larger than this are not worth it.
const MAX_SET: usize = 64;

/// Finds the candidate rules of a text.
#[derive(Debug, Clone)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// For each literal, the rules (indices given at build time) that need it.
    owners: Vec<Vec<usize>>,
    /// Rules that must always run.
    always: Vec<usize>,
    /// Number of rules.
    rules: usize,
}

impl Prefilter {
    /// Builds the prefilter for `patterns` (expanded regex sources).
    pub fn new(patterns: &[&str]) -> Self {
        let mut literals: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (rule, pattern) in patterns.iter().enumerate() {
            let set = regex_syntax::Parser::new()
                .parse(pattern)
                .ok()
                .and_then(|h| required(&h));
            match set {
                Some(set) if !set.is_empty() && set.len() <= MAX_SET => {
                    for lit in set {
                        match literals.iter().position(|l| *l == lit) {
                            Some(i) => owners[i].push(rule),
                            None => {
                                literals.push(lit);
                                owners.push(vec![rule]);
                            }
                        }
                    }
                }
                _ => always.push(rule),
            }
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
            always = (0..patterns.len()).collect();
        }
        Prefilter {
            automaton,
            owners,
            always,
            rules: patterns.len(),
        }
    }

    /// The rules that may match `text`, in ascending order.
    pub fn candidates(&self, text: &str) -> Vec<usize> {
        let mut hit = vec![false; self.rules];
        for &r in &self.always {
            hit[r] = true;
        }
        if let Some(ac) = &self.automaton {
            for m in ac.find_overlapping_iter(text) {
                for &r in &self.owners[m.pattern().as_usize()] {
                    hit[r] = true;
                }
            }
        }
        (0..self.rules).filter(|&r| hit[r]).collect()
    }

    /// How many rules have a literal requirement (the rest always run).
    pub fn filtered_rules(&self) -> usize {
        self.rules - self.always.len()
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
    fn candidates_are_exactly_the_rules_whose_literals_occur() {
        let p = Prefilter::new(&["提供\\d+", "(?:建立|成立)机制", "\\p{Han}+"]);
        assert_eq!(p.filtered_rules(), 2);
        assert_eq!(p.candidates("中方将提供5亿"), vec![0, 2]);
        assert_eq!(p.candidates("倡议成立对话机制"), vec![1, 2]);
        assert_eq!(p.candidates("无关"), vec![2]);
    }
}
