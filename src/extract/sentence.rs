//! Sentence rules: every pattern over every sentence (or pair of sentences), with
//! the prefilter deciding which rules can match at all.

use std::ops::Range;

use serde_json::{Map, Value};

use super::attributes::{clause_range, make_attributes, normalise, split_pieces};
use super::{Capture, Extraction, Highlight, ListPosition, Match, Overlap, Step, cite};
use crate::facts::{Item, Note};
use crate::rules::{ItemsSpec, Rule, RuleSet, TextMode, normalisers};
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
    out.overlaps.extend(resolve_overlaps(&mut found));
    out.matches.extend(found);
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
            let pick = hits
                .iter()
                .rev()
                .find(|c| c.get(0).is_some_and(|m| m.end() <= range.start))
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
                if let Ok(v) = value {
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
            if n != items.len() as i64 {
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
        };
        let located = |mut m: Match, r: Range<usize>| {
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
/// and reports every pair of rules that claimed the same span.
fn resolve_overlaps(found: &mut Vec<Match>) -> Vec<Overlap> {
    let shared = |a: &Match, b: &Match| {
        a.highlights.iter().find_map(|x| {
            b.highlights
                .iter()
                .any(|y| x.sentence == y.sentence && x.start < y.end && y.start < x.end)
                .then(|| x.sentence.clone())
        })
    };
    let mut keep = vec![true; found.len()];
    let mut overlaps = Vec::new();
    for i in 0..found.len() {
        for j in i + 1..found.len() {
            let (a, b) = (&found[i], &found[j]);
            if a.rule == b.rule {
                continue;
            }
            let Some(sentence) = shared(a, b) else {
                continue;
            };
            let winner = match a.priority.cmp(&b.priority) {
                std::cmp::Ordering::Greater => {
                    keep[j] = false;
                    Some(a.rule.clone())
                }
                std::cmp::Ordering::Less => {
                    keep[i] = false;
                    Some(b.rule.clone())
                }
                std::cmp::Ordering::Equal => None,
            };
            overlaps.push(Overlap {
                sentence,
                rules: (a.rule.clone(), b.rule.clone()),
                winner,
            });
        }
    }
    let mut k = 0;
    found.retain(|_| {
        k += 1;
        keep[k - 1]
    });
    overlaps
}
