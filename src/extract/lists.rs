//! List rules: runs of numbered (or parallel) item sentences, tied to the header
//! that announces them; the header decides the field and is checked for its count.

use std::ops::Range;

use regex::Regex;
use serde_json::{Value, json};

use super::attributes::{clause_range, make_attributes};
use super::sentence::Window;
use super::{Extraction, Highlight, ListPosition, Match, UnclaimedList, cite, to_original};
use crate::facts::{Item, Note};
use crate::rules::{ListRule, RuleSet, normalisers};
use crate::segment::{Document, Sentence};

/// Parallel items: paragraphs opening with at least this many identical characters…
const PARALLEL_PREFIX: usize = 4;
/// …whose first sentence is at most this long (characters).
const PARALLEL_MAX_TITLE: usize = 24;

/// One item of a run.
struct Hit {
    /// Index into the document's included sentences.
    at: usize,
    ordinal: i64,
    title: String,
    title_range: Range<usize>,
}

impl Hit {
    /// The item's title within sentence `s`, for `explain`.
    fn highlight(&self, s: &Sentence) -> Highlight {
        Highlight {
            sentence: s.id(),
            start: self.title_range.start,
            end: self.title_range.end,
        }
    }
}

/// A run of items: ordinals 1, 2, 3… (or parallel openings), in order.
struct Run {
    hits: Vec<Hit>,
    /// The list rules whose item shapes produced it.
    rules: Vec<usize>,
}

/// A header sentence matched by a list rule.
struct Header {
    rule: usize,
    at: usize,
    count: Option<i64>,
    range: Range<usize>,
    used: bool,
}

pub(super) fn run(rules: &RuleSet, doc: &Document, doc_index: usize, out: &mut Extraction) {
    run_lists(&rules.lists, doc, doc_index, out);
}

/// Applies `lists` (all list rules, or one when checking its examples) to a document.
pub(crate) fn run_lists(
    lists: &[ListRule],
    doc: &Document,
    doc_index: usize,
    out: &mut Extraction,
) {
    if lists.is_empty() {
        return;
    }
    let sents: Vec<&Sentence> = doc.sentences.iter().filter(|s| !s.excluded).collect();
    let runs = find_runs(lists, &sents);
    let mut headers = find_headers(lists, &sents);
    let mut claimed: Vec<(usize, Option<usize>)> = Vec::new(); // (run, header) pairs
    // First, headers right before a run.
    for (ri, run) in runs.iter().enumerate() {
        let first = run.hits[0].at;
        let adjacent = headers
            .iter()
            .position(|h| !h.used && first > 0 && h.at == first - 1 && run.rules.contains(&h.rule));
        if let Some(h) = adjacent {
            headers[h].used = true;
            claimed.push((ri, Some(h)));
        }
    }
    // An announcement elsewhere that repeats a used header (same rule, same count)
    // refers to that list, not to another one.
    let used: Vec<(usize, Option<i64>)> = headers
        .iter()
        .filter(|h| h.used)
        .map(|h| (h.rule, h.count))
        .collect();
    for h in headers.iter_mut().filter(|h| !h.used) {
        if used.contains(&(h.rule, h.count)) {
            h.used = true;
        }
    }
    // Then announcements: a header anywhere in the document with the run's size.
    for (ri, run) in runs.iter().enumerate() {
        if claimed.iter().any(|(r, _)| *r == ri) {
            continue;
        }
        let size = run.hits.len() as i64;
        let first = run.hits[0].at;
        let candidates = |h: &Header| {
            !h.used
                && h.count == Some(size)
                && lists[h.rule].announce
                && run.rules.contains(&h.rule)
        };
        let before = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| candidates(h) && h.at < first)
            .map(|(i, _)| i)
            .next_back();
        let after = headers
            .iter()
            .enumerate()
            .find(|(_, h)| candidates(h) && h.at > first)
            .map(|(i, _)| i);
        match before.or(after) {
            Some(h) => {
                headers[h].used = true;
                claimed.push((ri, Some(h)));
            }
            None => out.unclaimed_lists.push(UnclaimedList {
                first: sents[first].id(),
                titles: run.hits.iter().map(|h| h.title.clone()).collect(),
            }),
        }
    }
    claimed.sort();
    for (ri, h) in claimed {
        let Some(h) = h else { continue };
        emit(lists, &sents, &runs[ri], &headers[h], doc, doc_index, out);
    }
}

/// Finds every run of item sentences, per distinct item shape.
fn find_runs(lists: &[ListRule], sents: &[&Sentence]) -> Vec<Run> {
    let mut shapes: Vec<(&Regex, Vec<usize>)> = Vec::new();
    for (li, l) in lists.iter().enumerate() {
        for re in &l.items {
            match shapes.iter_mut().find(|(r, _)| r.as_str() == re.as_str()) {
                Some((_, v)) => v.push(li),
                None => shapes.push((re, vec![li])),
            }
        }
    }
    let mut runs = Vec::new();
    for (re, owners) in shapes {
        let mut current: Vec<Hit> = Vec::new();
        for (at, s) in sents.iter().enumerate() {
            let Some(c) = re.captures(s.match_text()) else {
                continue;
            };
            let (Some(o), Some(t)) = (c.name("ordinal"), c.name("title")) else {
                continue;
            };
            let Some(ordinal) = normalisers::parse_ordinal(o.as_str()) else {
                continue;
            };
            let title_range = to_original(s, t.range());
            let hit = Hit {
                at,
                ordinal,
                title: s.text[title_range.clone()].to_string(),
                title_range,
            };
            if ordinal == 1 {
                flush(&mut current, &owners, &mut runs);
                current.push(hit);
            } else if current.last().is_some_and(|h| h.ordinal + 1 == ordinal) {
                current.push(hit);
            }
        }
        flush(&mut current, &owners, &mut runs);
    }
    let parallel: Vec<usize> = lists
        .iter()
        .enumerate()
        .filter(|(_, l)| l.parallel)
        .map(|(i, _)| i)
        .collect();
    if !parallel.is_empty() {
        for hits in parallel_runs(sents) {
            runs.push(Run {
                hits,
                rules: parallel.clone(),
            });
        }
    }
    runs.sort_by_key(|r| r.hits[0].at);
    runs
}

fn flush(current: &mut Vec<Hit>, owners: &[usize], runs: &mut Vec<Run>) {
    if current.len() >= 2 {
        runs.push(Run {
            hits: std::mem::take(current),
            rules: owners.to_vec(),
        });
    }
    current.clear();
}

/// Runs of three or more consecutive paragraphs whose short first sentences open
/// with the same words (`世界需要一个稳定的中亚。` / `世界需要一个繁荣的中亚。`).
fn parallel_runs(sents: &[&Sentence]) -> Vec<Vec<Hit>> {
    let openers: Vec<usize> = (0..sents.len())
        .filter(|&i| sents[i].sentence == 1)
        .collect();
    let prefix = |s: &Sentence| {
        s.match_text()
            .chars()
            .take(PARALLEL_PREFIX)
            .collect::<String>()
    };
    let short = |s: &Sentence| s.text.chars().count() <= PARALLEL_MAX_TITLE;
    let mut out = Vec::new();
    let mut k = 0;
    while k < openers.len() {
        let s = sents[openers[k]];
        let mut end = k + 1;
        while end < openers.len()
            && short(s)
            && sents[openers[end]].para == sents[openers[end - 1]].para + 1
            && short(sents[openers[end]])
            && prefix(sents[openers[end]]) == prefix(s)
            && s.match_text().chars().count() >= PARALLEL_PREFIX
        {
            end += 1;
        }
        if end - k >= 3 {
            out.push(
                (k..end)
                    .enumerate()
                    .map(|(n, j)| {
                        let s = sents[openers[j]];
                        let title = s
                            .text
                            .trim_end_matches(['。', '！', '？', '；'])
                            .to_string();
                        Hit {
                            at: openers[j],
                            ordinal: n as i64 + 1,
                            title_range: 0..title.len(),
                            title,
                        }
                    })
                    .collect(),
            );
            k = end;
        } else {
            k += 1;
        }
    }
    out
}

fn find_headers(lists: &[ListRule], sents: &[&Sentence]) -> Vec<Header> {
    let mut out = Vec::new();
    for (at, s) in sents.iter().enumerate() {
        for (rule, l) in lists.iter().enumerate() {
            for c in l.header.captures_iter(s.match_text()) {
                let count = c
                    .name("count")
                    .and_then(|m| normalisers::parse_number(m.as_str()))
                    .and_then(|n| n.as_i64());
                out.push(Header {
                    rule,
                    at,
                    count,
                    range: c.get(0).expect("group 0").range(),
                    used: false,
                });
            }
        }
    }
    out
}

fn emit(
    lists: &[ListRule],
    sents: &[&Sentence],
    run: &Run,
    header: &Header,
    doc: &Document,
    doc_index: usize,
    out: &mut Extraction,
) {
    let list = &lists[header.rule];
    let hs = sents[header.at];
    let size = run.hits.len();
    if let Some(n) = header.count
        && n != size as i64
    {
        out.notes.push(Note {
            rule: Some(list.id.clone()),
            sentence: Some(hs.id()),
            message: format!("the header announces {n} items but {size} were found after it"),
        });
    }
    // Header attributes.
    let one = [hs];
    let w = Window::new(&one);
    let caps = list.header.captures_at(hs.match_text(), header.range.start);
    let mut header_attrs = serde_json::Map::new();
    let mut steps = Vec::new();
    if let Some(c) = &caps {
        let get = |name: &str| {
            c.name(name)
                .map(|m| (m.as_str().to_string(), w.original_of(m.range())))
        };
        if let Err(msg) = make_attributes(&list.attributes, &get, &mut header_attrs, &mut steps) {
            out.notes.push(Note {
                rule: Some(list.id.clone()),
                sentence: Some(hs.id()),
                message: msg,
            });
        }
    }
    if let Some(n) = header.count {
        header_attrs.insert("count".to_string(), Value::from(n));
    }
    let header_text = w.original_of(clause_range(hs.match_text(), header.range.clone()));
    let header_hl = Highlight {
        sentence: hs.id(),
        start: header.range.start,
        end: header.range.end,
    };
    let base = Match {
        field: list.field.clone(),
        rule: list.id.clone(),
        priority: 0,
        text: String::new(),
        attributes: header_attrs,
        items: Vec::new(),
        citations: Vec::new(),
        highlights: Vec::new(),
        captures: Vec::new(),
        steps,
        list: None,
        kind: doc.config.kind,
        doc_index,
    };
    if list.each_item {
        for (k, hit) in run.hits.iter().enumerate() {
            let s = sents[hit.at];
            let mut m = base.clone();
            m.text = hit.title.clone();
            m.attributes
                .insert("ordinal".to_string(), json!({"value": hit.ordinal}));
            m.attributes
                .insert("title".to_string(), Value::from(hit.title.clone()));
            m.citations.push(cite(s));
            m.highlights.push(hit.highlight(s));
            m.list = Some(ListPosition {
                rule: list.id.clone(),
                position: k + 1,
                size,
                announced: header.count,
                header: Some(hs.id()),
            });
            if list.measures {
                let next = run.hits.get(k + 1).map(|h| h.at);
                m.items = measures(sents, hit.at, next);
            }
            out.matches.push(m);
        }
    } else {
        let mut m = base;
        m.text = header_text;
        m.citations.push(cite(hs));
        m.highlights.push(header_hl);
        for hit in &run.hits {
            let s = sents[hit.at];
            m.items.push(Item {
                text: hit.title.clone(),
                sources: vec![cite(s)],
            });
            m.highlights.push(hit.highlight(s));
        }
        m.list = Some(ListPosition {
            rule: list.id.clone(),
            position: 0,
            size,
            announced: header.count,
            header: Some(hs.id()),
        });
        out.matches.push(m);
    }
}

/// An item's measures: the sentences after it up to the next item; for the last
/// item, the rest of its own paragraph.
fn measures(sents: &[&Sentence], at: usize, next: Option<usize>) -> Vec<Item> {
    let para = sents[at].para;
    let end = next.unwrap_or(sents.len());
    sents[at + 1..end]
        .iter()
        .take_while(|s| next.is_some() || s.para == para)
        .map(|s| Item {
            text: s.text.clone(),
            sources: vec![cite(s)],
        })
        .collect()
}
