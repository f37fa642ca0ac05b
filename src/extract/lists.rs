//! List rules: runs of numbered (or parallel) item sentences, tied to the header
//! that announces them; the header decides the field and is checked for its count.

use std::ops::Range;

use regex::Regex;
use serde_json::{Value, json};

use super::attributes::{clause_range, make_attributes};
use super::window::Window;
use super::{Extraction, Highlight, ListPosition, Match, Scope, UnclaimedList, cite};
use crate::facts::{Item, Note, SentenceId};
use crate::rules::{ListRule, normalisers};
use crate::segment::Sentence;

/// Parallel items: paragraphs opening with at least this many identical characters…
const PARALLEL_PREFIX: usize = 4;
/// …whose first sentence is at most this long (characters).
const PARALLEL_MAX_TITLE: usize = 24;

/// One item of a run.
struct Hit {
    /// Index into the document's included sentences.
    at: usize,
    ordinal: i64,
    /// Where the item starts in the sentence's match text (a header may precede it).
    start: usize,
    title: String,
    /// The title in the matching view (what `title:` patterns see).
    title_view: String,
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

/// A run of items: ordinals n, n+1, n+2… (or parallel openings), in order.
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

/// Who takes a run: a header, or a rule without one.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Claim {
    Header(usize),
    Headless(usize),
}

/// Applies `lists` (all list rules, or one when checking its examples) to the
/// document of `scope`.
pub(crate) fn run_lists(lists: &[ListRule], scope: &Scope, out: &mut Extraction) {
    if lists.is_empty() {
        return;
    }
    let sents: Vec<&Sentence> = scope.doc.included().collect();
    let runs = find_runs(lists, &sents);
    let mut headers = find_headers(lists, &sents);
    let mut claimed: Vec<(usize, Claim)> = claim_adjacent(&runs, &mut headers, &sents);
    claimed.extend(claim_announced(lists, &runs, &mut headers, &claimed));
    for (ri, run) in runs.iter().enumerate() {
        if claimed.iter().any(|(r, _)| *r == ri) {
            continue;
        }
        match headless_rule(lists, run) {
            Some(rule) => claimed.push((ri, Claim::Headless(rule))),
            None => out.unclaimed_lists.push(UnclaimedList {
                first: sents[run.hits[0].at].id(),
                titles: run.hits.iter().map(|h| h.title.clone()).collect(),
            }),
        }
    }
    claimed.sort();
    for (ri, claim) in claimed {
        let (rule, header) = match claim {
            Claim::Header(h) => (headers[h].rule, Some(&headers[h])),
            Claim::Headless(rule) => (rule, None),
        };
        let list = List {
            rule: &lists[rule],
            run: &runs[ri],
            header,
            sents: &sents,
            scope,
        };
        list.emit(out);
    }
}

/// Runs whose header stands in the paragraph right before their first item, or
/// earlier in the first item's own paragraph, or opens the first item's own
/// sentence (`提出了八项行动，即：一、构建…`); the nearest header wins.
fn claim_adjacent(
    runs: &[Run],
    headers: &mut [Header],
    sents: &[&Sentence],
) -> Vec<(usize, Claim)> {
    let mut claimed = Vec::new();
    for (ri, run) in runs.iter().enumerate() {
        let first = &run.hits[0];
        let para_before = first.at.checked_sub(1).map(|k| sents[k].para);
        let near = |h: &Header| {
            (h.at == first.at && h.range.end <= first.start)
                || (h.at < first.at
                    && (Some(sents[h.at].para) == para_before
                        || sents[h.at].para == sents[first.at].para))
        };
        let adjacent = (0..headers.len())
            .filter(|&i| {
                !headers[i].used && run.rules.contains(&headers[i].rule) && near(&headers[i])
            })
            .max_by_key(|&i| (headers[i].at, headers[i].range.start));
        if let Some(h) = adjacent {
            headers[h].used = true;
            claimed.push((ri, Claim::Header(h)));
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
    claimed
}

/// Runs announced by a header anywhere in the document that gives their size.
fn claim_announced(
    lists: &[ListRule],
    runs: &[Run],
    headers: &mut [Header],
    adjacent: &[(usize, Claim)],
) -> Vec<(usize, Claim)> {
    let mut claimed = Vec::new();
    for (ri, run) in runs.iter().enumerate() {
        if adjacent.iter().any(|(r, _)| *r == ri) {
            continue;
        }
        let size = run.hits.len() as i64;
        let first = run.hits[0].at;
        let candidate = |h: &Header| {
            !h.used
                && h.count == Some(size)
                && lists[h.rule].announce
                && run.rules.contains(&h.rule)
        };
        let before = (0..headers.len()).rfind(|&i| candidate(&headers[i]) && headers[i].at < first);
        let after = (0..headers.len()).find(|&i| candidate(&headers[i]) && headers[i].at > first);
        if let Some(h) = before.or(after) {
            headers[h].used = true;
            claimed.push((ri, Claim::Header(h)));
        }
    }
    claimed
}

/// The first rule without a header whose `title:` every item of `run` matches.
fn headless_rule(lists: &[ListRule], run: &Run) -> Option<usize> {
    run.rules.iter().copied().find(|&r| {
        let l = &lists[r];
        l.header.is_none()
            && l.title
                .as_ref()
                .is_some_and(|t| run.hits.iter().all(|h| t.is_match(&h.title_view)))
    })
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
        let positional = !re.capture_names().flatten().any(|n| n == "ordinal");
        let mut current: Vec<Hit> = Vec::new();
        for (at, s) in sents.iter().enumerate() {
            let Some(hit) = item_hit(re, s, at, positional) else {
                continue;
            };
            let follows = current.last().is_some_and(|h| {
                if positional {
                    sents[h.at].para + 1 == s.para
                } else {
                    h.ordinal + 1 == hit.ordinal
                }
            });
            if !follows {
                flush(&mut current, &owners, &mut runs);
            }
            let hit = Hit {
                ordinal: if positional {
                    current.len() as i64 + 1
                } else {
                    hit.ordinal
                },
                ..hit
            };
            current.push(hit);
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

/// The item that shape `re` finds in sentence `s`: positional items must open their
/// paragraph; numbered ones need an ordinal that reads as a number.
fn item_hit(re: &Regex, s: &Sentence, at: usize, positional: bool) -> Option<Hit> {
    if positional && s.sentence != 1 {
        return None;
    }
    let text = s.match_text();
    let c = re.captures(text)?;
    let t = c.name("title")?;
    let ordinal = match c.name("ordinal") {
        Some(o) => normalisers::parse_ordinal(o.as_str())?,
        None if positional => 0,
        None => return None,
    };
    let title_range = s.to_original(t.range());
    Some(Hit {
        at,
        ordinal,
        start: c.get(0).map_or(0, |m| m.start()),
        title: s.text[title_range.clone()].to_string(),
        title_view: t.as_str().to_string(),
        title_range,
    })
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
                        let title_view = s
                            .match_text()
                            .trim_end_matches(['。', '！', '？', '；'])
                            .to_string();
                        Hit {
                            at: openers[j],
                            ordinal: n as i64 + 1,
                            start: 0,
                            title_range: 0..title.len(),
                            title,
                            title_view,
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
            let Some(header) = &l.header else { continue };
            for c in header.captures_iter(s.match_text()) {
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

/// A run as one list rule takes it, with its header when it has one.
struct List<'a> {
    rule: &'a ListRule,
    run: &'a Run,
    header: Option<&'a Header>,
    /// The document's included sentences, which the run and header index.
    sents: &'a [&'a Sentence],
    scope: &'a Scope<'a>,
}

impl List<'_> {
    /// The header sentence, if any.
    fn header_sentence(&self) -> Option<&Sentence> {
        self.header.map(|h| self.sents[h.at])
    }

    /// A note about the header sentence.
    fn note(&self, hs: &Sentence, message: String, out: &mut Extraction) {
        out.notes.push(Note {
            rule: Some(self.rule.id.clone()),
            sentence: Some(hs.id()),
            message,
        });
    }

    /// The header's attributes (with its count), and the steps that made them; a count
    /// that disagrees with the items found is said in a note.
    fn header_parts(
        &self,
        out: &mut Extraction,
    ) -> (serde_json::Map<String, Value>, Vec<super::Step>) {
        let mut attrs = serde_json::Map::new();
        let mut steps = super::Steps::new(self.scope.diagnostics);
        let (Some(header), Some(hs)) = (self.header, self.header_sentence()) else {
            return (attrs, steps.into_vec());
        };
        let size = self.run.hits.len();
        if let Some(n) = header.count
            && n != size as i64
        {
            let message = format!("the header announces {n} items but {size} were found after it");
            self.note(hs, message, out);
        }
        let one = [hs];
        let w = Window::new(&one);
        let regex = self
            .rule
            .header
            .as_ref()
            .expect("a header has its rule's regex");
        if let Some(c) = regex.captures_at(hs.match_text(), header.range.start) {
            let get = |name: &str| {
                c.name(name)
                    .map(|m| (m.as_str().to_string(), w.original_of(m.range())))
            };
            if let Err(msg) = make_attributes(&self.rule.attributes, &get, &mut attrs, &mut steps) {
                self.note(hs, msg, out);
            }
        }
        if let Some(n) = header.count {
            attrs.insert("count".to_string(), Value::from(n));
        }
        (attrs, steps.into_vec())
    }

    /// The item's place in the list (0 for a fact holding the whole list).
    fn position(&self, k: usize) -> ListPosition {
        ListPosition {
            rule: self.rule.id.clone(),
            position: k,
            size: self.run.hits.len(),
            announced: self.header.and_then(|h| h.count),
            header: self.header_sentence().map(Sentence::id),
        }
    }

    /// The matches of this list: one per item (`each_item`), or one holding the items.
    fn emit(&self, out: &mut Extraction) {
        let (attributes, steps) = self.header_parts(out);
        let base = Match {
            field: self.rule.field.clone(),
            rule: self.rule.id.clone(),
            priority: 0,
            text: String::new(),
            attributes,
            items: Vec::new(),
            citations: Vec::new(),
            highlights: Vec::new(),
            captures: Vec::new(),
            steps,
            list: None,
            kind: self.scope.doc.config.kind,
            doc_index: self.scope.doc_index,
            background: None,
        };
        if self.rule.each_item {
            self.emit_items(&base, out);
        } else {
            self.emit_whole(base, out);
        }
    }

    /// The cue scope of a match: the header sentence, if any, and `more`.
    fn background(&self, more: &[&Sentence]) -> Option<String> {
        let texts: Vec<(SentenceId, &str)> = self
            .header_sentence()
            .into_iter()
            .chain(more.iter().copied())
            .map(|s| (s.id(), s.match_text()))
            .collect();
        self.scope.background(&texts)
    }

    /// One match per item, with its measures when the rule takes them.
    fn emit_items(&self, base: &Match, out: &mut Extraction) {
        let hits = &self.run.hits;
        for (k, hit) in hits.iter().enumerate() {
            let s = self.sents[hit.at];
            let mut m = base.clone();
            m.text = hit.title.clone();
            m.attributes
                .insert("ordinal".to_string(), json!({"value": hit.ordinal}));
            m.attributes
                .insert("title".to_string(), Value::from(hit.title.clone()));
            m.citations.push(cite(s));
            m.highlights.push(hit.highlight(s));
            m.background = self.background(&[s]);
            m.list = Some(self.position(k + 1));
            if self.rule.measures {
                let next = hits.get(k + 1).map(|h| h.at);
                m.items = measures(self.sents, hit.at, next);
            }
            out.matches.push(m);
        }
    }

    /// One match holding the items, cited by its header (or, without one, its items).
    fn emit_whole(&self, mut m: Match, out: &mut Extraction) {
        match (self.header, self.header_sentence()) {
            (Some(h), Some(hs)) => {
                let one = [hs];
                let w = Window::new(&one);
                m.text = w.original_of(clause_range(hs.match_text(), h.range.clone()));
                m.citations.push(cite(hs));
                m.highlights.push(Highlight {
                    sentence: hs.id(),
                    start: h.range.start,
                    end: h.range.end,
                });
            }
            _ => m.text = self.run.hits[0].title.clone(),
        }
        let mut cited: Vec<&Sentence> = Vec::new();
        for hit in &self.run.hits {
            let s = self.sents[hit.at];
            m.items.push(Item {
                text: hit.title.clone(),
                sources: vec![cite(s)],
            });
            // Without a header, the items are what the fact is cited by.
            if self.header.is_none() && !m.citations.contains(&cite(s)) {
                m.citations.push(cite(s));
                cited.push(s);
            }
            m.highlights.push(hit.highlight(s));
        }
        m.background = self.background(&cited);
        m.list = Some(self.position(0));
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
            text: s.text.to_string(),
            sources: vec![cite(s)],
        })
        .collect()
}
