//! Sentence rules: every pattern over every sentence (or pair of sentences), with
//! the prefilter deciding which rules can match at all.

use std::ops::Range;

use serde_json::{Map, Value};

use super::attributes::{clause_range, make_attributes, normalise, split_pieces};
use super::{Capture, Extraction, Highlight, ListPosition, Match, Overlap, Step, cite};
use crate::facts::{Item, Note};
use crate::rules::{BackgroundScope, ItemsSpec, Rule, RuleSet, TextMode, normalisers};
use crate::segment::{Document, Sentence};

/// Each included sentence of `doc`, with the sentence right after it in the same
/// paragraph when that one is included too (the second sentence of a two-sentence window).
pub(crate) fn windows(doc: &Document) -> Vec<(&Sentence, Option<&Sentence>)> {
    let sents: Vec<&Sentence> = doc.sentences.iter().filter(|s| !s.excluded).collect();
    (0..sents.len())
        .map(|i| {
            let s = sents[i];
            let next = sents
                .get(i + 1)
                .copied()
                .filter(|n| n.para == s.para && n.sentence == s.sentence + 1);
            (s, next)
        })
        .collect()
}

pub(super) fn run(rules: &RuleSet, doc: &Document, doc_index: usize, out: &mut Extraction) {
    let mut found = Vec::new();
    for (s, next) in windows(doc) {
        let text = s.match_text();
        for k in rules.single.candidates(text) {
            let rule = &rules.rules[rules.single_index[k]];
            apply(rule, &[s], doc, doc_index, &mut found, &mut out.notes);
        }
        if rules.pair_index.is_empty() {
            continue;
        }
        if let Some(next) = next {
            let pair = format!("{text}{}", next.match_text());
            for k in rules.pair.candidates(&pair) {
                let rule = &rules.rules[rules.pair_index[k]];
                apply(rule, &[s, next], doc, doc_index, &mut found, &mut out.notes);
            }
        }
    }
    out.overlaps
        .extend(resolve_by_competition(rules, &mut found));
    out.matches.extend(found);
}

/// Resolves overlaps among the matches of fields that compete for words (a pledge
/// beats a figure), and separately within each field that does not (an outcome may
/// also be a mechanism).
fn resolve_by_competition(rules: &RuleSet, found: &mut Vec<Match>) -> Vec<Overlap> {
    let contest = |m: &Match| -> Option<String> {
        rules
            .field(&m.field)
            .is_some_and(|f| !f.competes)
            .then(|| m.field.clone())
    };
    let mut steps = 0;
    resolve_overlaps_counted(found, &mut steps, &contest)
}

/// A window of one or two sentences: the text rules see and the text quoted.
pub(crate) struct Window<'a> {
    sentences: &'a [&'a Sentence],
    /// Concatenated match texts (the sentences' views).
    pub matched: String,
    /// Concatenated original texts.
    pub original: String,
    /// Where each sentence starts in `matched` and in `original`.
    bounds: Vec<(usize, usize)>,
}

impl<'a> Window<'a> {
    pub(crate) fn new(sentences: &'a [&'a Sentence]) -> Self {
        let mut matched = String::new();
        let mut original = String::new();
        let mut bounds = Vec::new();
        for s in sentences {
            bounds.push((matched.len(), original.len()));
            matched.push_str(s.match_text());
            original.push_str(&s.text);
        }
        Window {
            sentences,
            matched,
            original,
            bounds,
        }
    }

    /// The range of `original` that a range of `matched` comes from.
    fn original_range(&self, range: Range<usize>) -> Range<usize> {
        // The sentence a position of `matched` falls in (the last one starting at or before it).
        let at = |pos: usize| {
            self.bounds
                .partition_point(|b| b.0 <= pos)
                .saturating_sub(1)
        };
        let (k, l) = (
            at(range.start),
            at(range.end.saturating_sub(1).max(range.start)),
        );
        let local = |k: usize, r: Range<usize>| {
            let (m, o) = self.bounds[k];
            let r = self.sentences[k].to_original(r.start - m..r.end - m);
            o + r.start..o + r.end
        };
        if k == l {
            return local(k, range);
        }
        let first = local(k, range.start..self.bounds[k + 1].0);
        let last = local(l, self.bounds[l].0..range.end);
        first.start..last.end
    }

    /// The original text of a range of `matched`.
    pub(crate) fn original_of(&self, range: Range<usize>) -> String {
        self.original[self.original_range(range)].to_string()
    }

    /// The sentences a range touches, with the part of each it covers (in each
    /// sentence's own text).
    fn touched(&self, range: &Range<usize>) -> Vec<(&'a Sentence, Range<usize>)> {
        let mut out = Vec::new();
        for (k, s) in self.sentences.iter().enumerate() {
            let start = self.bounds[k].0;
            let end = start + s.match_text().len();
            let a = range.start.max(start);
            let b = range.end.min(end);
            if a < b || (range.is_empty() && a == range.start && a >= start && a < end) {
                let local = a - start..b.max(a) - start;
                out.push((*s, s.to_original(local)));
            }
        }
        out
    }
}

/// Applies one rule to a window of one or two sentences, adding what it finds.
pub(crate) fn apply(
    rule: &Rule,
    sentences: &[&Sentence],
    doc: &Document,
    doc_index: usize,
    found: &mut Vec<Match>,
    notes: &mut Vec<Note>,
) {
    let w = Window::new(sentences);
    let text = w.matched.as_str();
    for caps in rule.regex.captures_iter(text) {
        let whole = caps.get(0).expect("group 0");
        if whole.as_str().is_empty() {
            continue;
        }
        let range = whole.range();
        if sentences.len() == 2 && !(range.start < w.bounds[1].0 && range.end > w.bounds[1].0) {
            continue; // a two-sentence rule must span both sentences
        }
        let clause = clause_range(text, range.clone());
        if rule
            .unless
            .iter()
            .any(|u| u.is_match(&text[clause.clone()]))
        {
            continue;
        }
        let get = |name: &str| {
            caps.name(name)
                .map(|c| (c.as_str().to_string(), w.original_of(c.range())))
        };
        let mut attributes = Map::new();
        let mut steps = Vec::new();
        let sentence_id = sentences[0].id();
        if let Err(msg) = make_attributes(&rule.attributes, &get, &mut attributes, &mut steps) {
            notes.push(Note {
                rule: Some(rule.id.clone()),
                sentence: Some(sentence_id.clone()),
                message: format!("matched, but {msg}; the match is dropped"),
            });
            continue;
        }
        for ctx in &rule.context {
            if attributes.contains_key(&ctx.name) {
                continue;
            }
            let hits: Vec<_> = ctx.regex.captures_iter(text).collect();
            // The nearest before the match, else one inside it, else the nearest after.
            let pick = hits
                .iter()
                .rev()
                .find(|c| c.get(0).is_some_and(|m| m.end() <= range.start))
                .or_else(|| {
                    hits.iter().find(|c| {
                        c.get(0)
                            .is_some_and(|m| m.start() >= range.start && m.end() <= range.end)
                    })
                })
                .or_else(|| {
                    hits.iter()
                        .find(|c| c.get(0).is_some_and(|m| m.start() >= range.end))
                });
            if let Some(c) = pick {
                let m = c.name("value").or_else(|| c.get(0)).expect("group 0");
                let original = w.original_of(m.range());
                let value = match &ctx.value {
                    Some(v) => Ok(v.clone()),
                    None => normalise(&ctx.normaliser, m.as_str(), &original),
                };
                let v = match value {
                    Ok(v) => v,
                    Err(msg) => {
                        // A refused amount is said, never silently left out.
                        notes.push(Note {
                            rule: Some(rule.id.clone()),
                            sentence: Some(sentence_id.clone()),
                            message: format!(
                                "matched, but context attribute `{}`: {msg}; it is left out",
                                ctx.name
                            ),
                        });
                        continue;
                    }
                };
                {
                    steps.push(Step {
                        attribute: ctx.name.clone(),
                        normaliser: format!(
                            "context:{}",
                            if ctx.value.is_some() {
                                "value"
                            } else {
                                &ctx.normaliser
                            }
                        ),
                        input: original,
                        output: v.clone(),
                    });
                    attributes.insert(ctx.name.clone(), v);
                }
            }
        }
        for (name, value) in &rule.defaults {
            if !attributes.contains_key(name) {
                steps.push(Step {
                    attribute: name.clone(),
                    normaliser: "default".to_string(),
                    input: String::new(),
                    output: value.clone(),
                });
                attributes.insert(name.clone(), value.clone());
            }
        }
        let captures: Vec<Capture> = rule
            .regex
            .capture_names()
            .flatten()
            .filter_map(|n| {
                caps.name(n).map(|c| Capture {
                    name: n.to_string(),
                    text: w.original_of(c.range()),
                })
            })
            .collect();
        let count = rule.count.as_ref().and_then(|cc| caps.name(cc));
        let announced =
            count.and_then(|c| normalisers::parse_number(c.as_str()).and_then(|n| n.as_i64()));
        let items = rule
            .items
            .as_ref()
            .map(|spec| rule_items(spec, &caps, &w, announced, &mut steps))
            .unwrap_or_default();
        if let (Some(c), Some(n)) = (count, announced) {
            // Without `items:` the count is only recorded (a set named without its members).
            if rule.items.is_some() && n != items.len() as i64 {
                notes.push(Note {
                    rule: Some(rule.id.clone()),
                    sentence: Some(sentence_id.clone()),
                    message: format!(
                        "announces {n} items ({}) but lists {}: {}",
                        c.as_str(),
                        items.len(),
                        items.join("、")
                    ),
                });
            }
            attributes.insert("count".to_string(), Value::from(n));
        }
        let text_range = match rule.text {
            TextMode::Clause => clause.clone(),
            TextMode::Match => range.clone(),
            TextMode::Sentence => 0..text.len(),
        };
        let base = Match {
            field: rule.field.clone(),
            rule: rule.id.clone(),
            priority: rule.priority,
            text: w.original_of(text_range.clone()),
            attributes,
            items: Vec::new(),
            citations: Vec::new(),
            highlights: Vec::new(),
            captures,
            steps,
            list: None,
            kind: doc.config.kind,
            doc_index,
            cue_scope: Vec::new(),
        };
        let located = |mut m: Match, r: Range<usize>| {
            m.cue_scope = match rule.background_scope {
                BackgroundScope::Sentence => vec![(sentence_id.clone(), text.to_string())],
                BackgroundScope::Clause => vec![(
                    sentence_id.clone(),
                    text[clause_range(text, r.clone())].to_string(),
                )],
                BackgroundScope::Source => Vec::new(),
            };
            for (s, local) in w.touched(&r) {
                m.citations.push(cite(s));
                m.highlights.push(Highlight {
                    sentence: s.id(),
                    start: local.start,
                    end: local.end,
                });
            }
            m
        };
        if let Some(split) = &rule.split {
            let Some(c) = caps.name(&split.capture) else {
                continue;
            };
            let pieces = split_pieces(split, c.as_str(), c.start());
            for piece in pieces {
                let Some(pc) = split.part_regex().captures(&text[piece.clone()]) else {
                    notes.push(Note {
                        rule: Some(rule.id.clone()),
                        sentence: Some(sentence_id.clone()),
                        message: format!(
                            "part {:?} does not match the split's part pattern; that part is dropped",
                            &text[piece.clone()]
                        ),
                    });
                    continue;
                };
                let get = |name: &str| {
                    pc.name(name).map(|x| {
                        let r = piece.start + x.start()..piece.start + x.end();
                        (x.as_str().to_string(), w.original_of(r))
                    })
                };
                let mut m = base.clone();
                if let Err(msg) =
                    make_attributes(&split.attributes, &get, &mut m.attributes, &mut m.steps)
                {
                    notes.push(Note {
                        rule: Some(rule.id.clone()),
                        sentence: Some(sentence_id.clone()),
                        message: format!(
                            "part {:?}: {msg}; that part is dropped",
                            &text[piece.clone()]
                        ),
                    });
                    continue;
                }
                // Parts before the last quote the clause up to their own end, so each
                // fact keeps a distinct, verbatim wording.
                m.text = match rule.text {
                    TextMode::Sentence => w.original_of(text_range.clone()),
                    TextMode::Match => w.original_of(piece.clone()),
                    TextMode::Clause if piece.end >= c.end() => w.original_of(text_range.clone()),
                    _ => w.original_of(text_range.start..piece.end),
                };
                let hl = piece.clone();
                found.push(located(m, hl));
            }
        } else if rule.each_item {
            let size = items.len();
            for (k, item) in items.iter().enumerate() {
                let mut m = base.clone();
                m.text = item.clone();
                m.attributes
                    .insert("ordinal".to_string(), serde_json::json!({"value": k + 1}));
                m.attributes
                    .insert("title".to_string(), Value::from(item.clone()));
                m.list = Some(ListPosition {
                    rule: rule.id.clone(),
                    position: k + 1,
                    size,
                    announced,
                    header: Some(sentence_id.clone()),
                });
                found.push(located(m, range.clone()));
            }
        } else {
            let mut m = base;
            m.items = items
                .into_iter()
                .map(|text| Item {
                    text,
                    sources: Vec::new(),
                })
                .collect();
            found.push(located(m, range.clone()));
        }
    }
}

/// The items of a match: every `each:` match in the items capture, or the capture
/// split as a 、-list (keeping a last `A和B` whole when the announced count says so).
fn rule_items(
    spec: &ItemsSpec,
    caps: &regex::Captures,
    w: &Window,
    announced: Option<i64>,
    steps: &mut Vec<Step>,
) -> Vec<String> {
    let Some(c) = caps.name(&spec.capture) else {
        return Vec::new();
    };
    let original = w.original_of(c.range());
    let items: Vec<String> = match &spec.each {
        Some(each) => each
            .captures_iter(c.as_str())
            .filter_map(|ic| ic.name("title").or_else(|| ic.get(0)))
            .map(|t| w.original_of(c.start() + t.start()..c.start() + t.end()))
            .map(|t| normalisers::clean_item(&t).to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        None => normalisers::list_items(&original, announced),
    };
    steps.push(Step {
        attribute: "items".to_string(),
        normaliser: if spec.each.is_some() { "each" } else { "list" }.to_string(),
        input: original,
        output: Value::from(items.clone()),
    });
    items
}

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
    let mut by_sentence: std::collections::BTreeMap<(Option<String>, &str), Vec<Span>> =
        std::collections::BTreeMap::new();
    for (i, m) in found.iter().enumerate() {
        for h in &m.highlights {
            by_sentence
                .entry((contest(m), h.sentence.as_str()))
                .or_default()
                .push((h.start, h.end, i));
        }
    }
    let mut keep = vec![true; found.len()];
    // (earlier match, later match) → the sentence where they were found to overlap.
    let mut pairs: std::collections::BTreeMap<(usize, usize), String> = Default::default();
    for ((_, sentence), spans) in &by_sentence {
        for (s, rival) in strongest_rivals(found, spans, steps) {
            let (a, b) = (spans[s].2, rival);
            if found[b].priority > found[a].priority {
                keep[a] = false;
            }
            pairs
                .entry((a.min(b), a.max(b)))
                .or_insert_with(|| sentence.to_string());
        }
    }
    let overlaps = pairs
        .into_iter()
        .map(|((i, j), sentence)| {
            let (a, b) = (&found[i], &found[j]);
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
        })
        .collect();
    let mut k = 0;
    found.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    overlaps
}

/// A highlight of one sentence: (start, end, match index).
type Span = (usize, usize, usize);

/// The two strongest candidates seen, of different rules (match indices).
type Top2 = [Option<usize>; 2];

/// For each span `(start, end, match)` of one sentence, the strongest match of another
/// rule whose span overlaps it (`a.start < b.end && b.start < a.end`), if any: pairs of
/// (index into `spans`, match index).
fn strongest_rivals(
    found: &[Match],
    spans: &[(usize, usize, usize)],
    steps: &mut usize,
) -> Vec<(usize, usize)> {
    // Stronger: higher priority, then the earlier match.
    let stronger = |a: usize, b: usize| {
        let (pa, pb) = (found[a].priority, found[b].priority);
        pa > pb || (pa == pb && a < b)
    };
    let merge = |top: &mut Top2, cand: usize| {
        let [first, second] = *top;
        *top = match first {
            None => [Some(cand), None],
            Some(f) if f == cand => *top,
            Some(f) if stronger(cand, f) => {
                let second = if found[f].rule == found[cand].rule {
                    second
                } else {
                    Some(f)
                };
                [Some(cand), second]
            }
            Some(f) => {
                if found[f].rule == found[cand].rule {
                    *top
                } else {
                    match second {
                        Some(s) if s == cand || stronger(s, cand) => *top,
                        _ => [Some(f), Some(cand)],
                    }
                }
            }
        };
    };
    // Ends, largest first: "end > x" is then a prefix of this order.
    let mut ends: Vec<usize> = spans.iter().map(|s| s.1).collect();
    ends.sort_unstable_by(|a, b| b.cmp(a));
    ends.dedup();
    let rank = |end: usize| ends.partition_point(|&e| e > end); // index of `end`
    let mut tree: Vec<Top2> = vec![[None, None]; ends.len() + 1];
    let mut by_start: Vec<usize> = (0..spans.len()).collect();
    by_start.sort_by_key(|&k| spans[k].0);
    let mut by_end: Vec<usize> = (0..spans.len()).collect();
    by_end.sort_by_key(|&k| spans[k].1);
    let mut inserted = 0;
    let mut out = Vec::new();
    for &q in &by_end {
        let (start, end, m) = spans[q];
        // Insert every span that starts before this one ends.
        while inserted < by_start.len() && spans[by_start[inserted]].0 < end {
            let t = by_start[inserted];
            let mut i = rank(spans[t].1) + 1;
            while i < tree.len() {
                *steps += 1;
                merge(&mut tree[i], spans[t].2);
                i += i & i.wrapping_neg();
            }
            inserted += 1;
        }
        // Among them, those that end after this one starts.
        let mut top: Top2 = [None, None];
        let mut i = ends.partition_point(|&e| e > start);
        while i > 0 {
            *steps += 1;
            for c in tree[i].into_iter().flatten() {
                merge(&mut top, c);
            }
            i -= i & i.wrapping_neg();
        }
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
                    sentence: s.into(),
                    start,
                    end,
                })
                .collect(),
            captures: Vec::new(),
            steps: Vec::new(),
            list: None,
            kind: crate::summit::SourceKind::Report,
            doc_index: 0,
            cue_scope: Vec::new(),
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
        assert_eq!(shown, ["s a×b Some(\"b\")", "s a×e None"]);
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
