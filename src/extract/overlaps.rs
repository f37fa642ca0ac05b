//! Overlapping matches: when rules claim the same words of a sentence, the higher
//! priority wins, and every pair of rules that met is reported (`check --corpus`).

use std::collections::BTreeMap;

use super::{Match, Overlap};
use crate::facts::SentenceId;

/// Drops matches that overlap a higher-priority match of another rule in a sentence,
/// and reports the rules that claimed the same span.
///
/// Near-linear in the number of matches (`O(n log n)`): for each matched span the
/// strongest overlapping match of another rule (highest priority, then earliest) is
/// found with a Fenwick tree, instead of comparing every pair. A match is dropped when
/// that one has a higher priority; each match reports at most one pair (itself and
/// that strongest rival), so a thousand rules claiming one span make a thousand
/// reports, not half a million.
#[cfg(test)]
fn resolve_overlaps(found: &mut Vec<Match>) -> Vec<Overlap> {
    let mut steps = 0;
    resolve_overlaps_counted(found, &mut steps, &|_| None)
}

/// [`resolve_overlaps`], adding the number of tree nodes it visited to `steps`.
///
/// `contest` names the contest a match takes part in: matches meet only others of the
/// same contest (`None`: the common one).
pub(crate) fn resolve_overlaps_counted(
    found: &mut Vec<Match>,
    steps: &mut usize,
    contest: &dyn Fn(&Match) -> Option<String>,
) -> Vec<Overlap> {
    // Every highlight is a span of one sentence; spans of different sentences never meet.
    let mut by_sentence: BTreeMap<(Option<String>, &SentenceId), Vec<Span>> = BTreeMap::new();
    for (i, m) in found.iter().enumerate() {
        for h in &m.highlights {
            by_sentence
                .entry((contest(m), &h.sentence))
                .or_default()
                .push((h.start, h.end, i));
        }
    }
    let mut keep = vec![true; found.len()];
    // (earlier match, later match) → the sentence where they were found to overlap.
    let mut pairs: BTreeMap<(usize, usize), SentenceId> = BTreeMap::new();
    for ((_, sentence), spans) in &by_sentence {
        for (s, rival) in strongest_rivals(found, spans, steps) {
            let (a, b) = (spans[s].2, rival);
            if found[b].priority > found[a].priority {
                keep[a] = false;
            }
            pairs
                .entry((a.min(b), a.max(b)))
                .or_insert_with(|| (*sentence).clone());
        }
    }
    let overlaps = pairs
        .into_iter()
        .map(|((i, j), sentence)| overlap(&found[i], &found[j], sentence))
        .collect();
    let mut k = 0;
    found.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    overlaps
}

/// The report of `a` and `b` meeting in `sentence`.
fn overlap(a: &Match, b: &Match, sentence: SentenceId) -> Overlap {
    let winner = match a.priority.cmp(&b.priority) {
        std::cmp::Ordering::Greater => Some(a.rule.clone()),
        std::cmp::Ordering::Less => Some(b.rule.clone()),
        std::cmp::Ordering::Equal => None,
    };
    Overlap {
        sentence,
        rules: (a.rule.clone(), b.rule.clone()),
        winner,
    }
}

/// A highlight of one sentence: (start, end, match index).
type Span = (usize, usize, usize);

/// The two strongest candidates seen, of different rules (match indices).
type Top2 = [Option<usize>; 2];

/// Keeps the two strongest matches of different rules.
struct Rivals<'a> {
    found: &'a [Match],
}

impl Rivals<'_> {
    /// Stronger: higher priority, then the earlier match.
    fn stronger(&self, a: usize, b: usize) -> bool {
        let (pa, pb) = (self.found[a].priority, self.found[b].priority);
        pa > pb || (pa == pb && a < b)
    }

    fn same_rule(&self, a: usize, b: usize) -> bool {
        self.found[a].rule == self.found[b].rule
    }

    /// `top` with `cand` taken into account.
    fn merge(&self, top: &mut Top2, cand: usize) {
        let [first, second] = *top;
        *top = match first {
            None => [Some(cand), None],
            Some(f) if f == cand => *top,
            Some(f) if self.stronger(cand, f) => {
                let second = if self.same_rule(f, cand) {
                    second
                } else {
                    Some(f)
                };
                [Some(cand), second]
            }
            Some(f) if self.same_rule(f, cand) => *top,
            Some(f) => match second {
                Some(s) if s == cand || self.stronger(s, cand) => *top,
                _ => [Some(f), Some(cand)],
            },
        };
    }
}

/// A Fenwick tree over the spans' ends (largest first, so "ends after x" is a prefix)
/// holding, for each prefix, the two strongest matches of different rules.
struct Tree<'a> {
    rivals: Rivals<'a>,
    ends: Vec<usize>,
    nodes: Vec<Top2>,
    steps: &'a mut usize,
}

impl<'a> Tree<'a> {
    fn new(found: &'a [Match], spans: &[Span], steps: &'a mut usize) -> Self {
        let mut ends: Vec<usize> = spans.iter().map(|s| s.1).collect();
        ends.sort_unstable_by(|a, b| b.cmp(a));
        ends.dedup();
        Tree {
            rivals: Rivals { found },
            nodes: vec![[None, None]; ends.len() + 1],
            ends,
            steps,
        }
    }

    /// Adds match `m`, whose span ends at `end`.
    fn insert(&mut self, end: usize, m: usize) {
        let mut i = self.ends.partition_point(|&e| e > end) + 1;
        while i < self.nodes.len() {
            *self.steps += 1;
            self.rivals.merge(&mut self.nodes[i], m);
            i += i & i.wrapping_neg();
        }
    }

    /// The two strongest matches inserted whose spans end after `start`.
    fn ending_after(&mut self, start: usize) -> Top2 {
        let mut top: Top2 = [None, None];
        let mut i = self.ends.partition_point(|&e| e > start);
        while i > 0 {
            *self.steps += 1;
            for c in self.nodes[i].into_iter().flatten() {
                self.rivals.merge(&mut top, c);
            }
            i -= i & i.wrapping_neg();
        }
        top
    }
}

/// For each span `(start, end, match)` of one sentence, the strongest match of another
/// rule whose span overlaps it (`a.start < b.end && b.start < a.end`), if any: pairs of
/// (index into `spans`, match index).
fn strongest_rivals(found: &[Match], spans: &[Span], steps: &mut usize) -> Vec<(usize, usize)> {
    let mut tree = Tree::new(found, spans, steps);
    let mut by_start: Vec<usize> = (0..spans.len()).collect();
    by_start.sort_by_key(|&k| spans[k].0);
    let mut by_end: Vec<usize> = (0..spans.len()).collect();
    by_end.sort_by_key(|&k| spans[k].1);
    let mut inserted = 0;
    let mut out = Vec::new();
    for &q in &by_end {
        let (start, end, m) = spans[q];
        // Insert every span that starts before this one ends…
        while inserted < by_start.len() && spans[by_start[inserted]].0 < end {
            let t = by_start[inserted];
            tree.insert(spans[t].1, spans[t].2);
            inserted += 1;
        }
        // …and among them, take those that end after this one starts.
        let top = tree.ending_after(start);
        if let Some(r) = top
            .into_iter()
            .flatten()
            .find(|&c| found[c].rule != found[m].rule)
        {
            out.push((q, r));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Highlight;

    fn m(rule: &str, priority: i32, spans: &[(&str, usize, usize)]) -> Match {
        Match {
            field: "f".into(),
            rule: rule.into(),
            priority,
            text: String::new(),
            attributes: Default::default(),
            items: Vec::new(),
            citations: Vec::new(),
            highlights: spans
                .iter()
                .map(|&(s, start, end)| Highlight {
                    sentence: SentenceId::new(s, 1, 1),
                    start,
                    end,
                })
                .collect(),
            captures: Vec::new(),
            steps: Vec::new(),
            list: None,
            kind: crate::summit::SourceKind::Report,
            doc_index: 0,
            background: None,
        }
    }

    fn rules(found: &[Match]) -> Vec<&str> {
        found.iter().map(|m| m.rule.as_str()).collect()
    }

    #[test]
    fn overlaps_are_resolved_by_priority() {
        let mut found = vec![
            m("a", 0, &[("s", 0, 10)]),
            m("b", 5, &[("s", 5, 15)]),
            m("c", 0, &[("s", 15, 20)]), // touches b, does not overlap it
            m("d", 0, &[("t", 0, 10)]),  // another sentence
            m("a", 0, &[("s", 30, 40)]),
            m("e", 0, &[("s", 35, 36)]),
            m("a", 0, &[("s", 36, 39)]), // same rule as the one it lies in; touches e
        ];
        let overlaps = resolve_overlaps(&mut found);
        assert_eq!(rules(&found), ["b", "c", "d", "a", "e", "a"]);
        let shown: Vec<String> = overlaps
            .iter()
            .map(|o| format!("{} {}×{} {:?}", o.sentence, o.rules.0, o.rules.1, o.winner))
            .collect();
        assert_eq!(shown, ["s:1:1 a×b Some(\"b\")", "s:1:1 a×e None"]);
    }

    #[test]
    fn the_tree_agrees_with_comparing_every_pair() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as usize
        };
        for _ in 0..300 {
            let n = 1 + next(12);
            let found: Vec<Match> = (0..n)
                .map(|_| {
                    let spans: Vec<(&str, usize, usize)> = (0..1 + next(2))
                        .map(|_| {
                            let start = next(10);
                            (["s", "t"][next(2)], start, start + next(5))
                        })
                        .collect();
                    m(["a", "b", "c", "d"][next(4)], next(3) as i32, &spans)
                })
                .collect();
            let meet = |a: &Match, b: &Match| {
                a.rule != b.rule
                    && a.highlights.iter().any(|x| {
                        b.highlights
                            .iter()
                            .any(|y| x.sentence == y.sentence && x.start < y.end && y.start < x.end)
                    })
            };
            let expected: Vec<bool> = (0..n)
                .map(|i| {
                    !(0..n).any(|j| {
                        meet(&found[i], &found[j]) && found[j].priority > found[i].priority
                    })
                })
                .collect();
            let mut kept = found.clone();
            let overlaps = resolve_overlaps(&mut kept);
            let want: Vec<&Match> = found
                .iter()
                .zip(&expected)
                .filter(|(_, k)| **k)
                .map(|(m, _)| m)
                .collect();
            assert_eq!(kept.iter().collect::<Vec<_>>(), want);
            // Every match that meets another rule is in some reported pair.
            for (i, a) in found.iter().enumerate() {
                let meets = (0..n).any(|j| meet(a, &found[j]));
                let reported = overlaps
                    .iter()
                    .any(|o| o.rules.0 == a.rule || o.rules.1 == a.rule);
                assert!(!meets || reported, "match {i} ({}) unreported", a.rule);
            }
        }
    }

    #[test]
    fn two_thousand_rules_on_one_span_cost_n_log_n() {
        let n = 2000;
        let mut found: Vec<Match> = (0..n)
            .map(|k| {
                m(
                    &format!("r{k}"),
                    (k % 7) as i32,
                    &[("s", k % 5, 20 + k % 3)],
                )
            })
            .collect();
        let mut steps = 0;
        let overlaps = resolve_overlaps_counted(&mut found, &mut steps, &|_| None);
        // Every match survives only if no other rule on the span has a higher priority.
        assert!(
            found.iter().all(|m| m.priority == 6),
            "{} kept",
            found.len()
        );
        assert_eq!(found.len(), (0..n).filter(|k| k % 7 == 6).count());
        assert!(overlaps.len() <= n, "{} overlaps reported", overlaps.len());
        // Pairwise comparison would take n²/2 = 2,000,000 steps; the tree takes
        // about 2·n·log2(n) node visits.
        let log = (usize::BITS - n.leading_zeros()) as usize;
        assert!(steps <= 2 * n * (log + 1), "{steps} steps for {n} matches");
    }
}
