//! Sentence rules: every pattern over every sentence (or pair of sentences), with
//! the prefilter deciding which rules can match at all.

use std::ops::Range;

use regex::Captures;
use serde_json::{Map, Value};

use super::attributes::{clause_range, make_attributes, normalise, split_pieces};
use super::overlaps::resolve_overlaps_counted;
use super::window::Window;
use super::{
    Capture, Extraction, Highlight, ListPosition, Match, Overlap, Scope, Step, Steps, cite,
};
use crate::facts::{Item, Note, SentenceId};
use crate::rules::{
    BackgroundScope, ContextSpec, ItemsSpec, Rule, RuleSet, SplitSpec, TextMode, normalisers,
};
use crate::segment::Sentence;

/// Sentences handled together, rule by rule: enough for a rule's lazy DFA to stay in
/// the CPU's caches (on a summit of short reports, a rule tried on one report's
/// sentences at a time searched three times slower), few enough that a huge
/// document's windows and tasks are never all held at once.
const BLOCK: usize = 16 * 1024;

/// A window (a sentence with the next of its paragraph) and the scope it is in.
pub(super) type Scoped<'a> = (usize, (&'a Sentence, Option<&'a Sentence>));

/// Applies the sentence rules to `windows` (each sentence with the next one of its
/// paragraph) and resolves the overlaps among what they found.
pub(super) fn run(
    rules: &RuleSet,
    windows: &[(&Sentence, Option<&Sentence>)],
    scope: &Scope,
    out: &mut Extraction,
) {
    let scoped: Vec<Scoped> = windows.iter().map(|&w| (0, w)).collect();
    let [found] = run_scoped(rules, &scoped, std::slice::from_ref(scope))
        .try_into()
        .expect("one scope, one extraction");
    out.append(found);
}

/// [`run`] over the windows of several scopes at once (each window naming its scope
/// in `scopes`): what each scope's windows gave, in the order of `scopes`.
pub(super) fn run_scoped(rules: &RuleSet, windows: &[Scoped], scopes: &[Scope]) -> Vec<Extraction> {
    let mut found: Vec<Extraction> = scopes.iter().map(|_| Extraction::default()).collect();
    for block in windows.chunks(BLOCK) {
        for (k, part) in run_block(rules, block, scopes) {
            found[k].append(part);
        }
    }
    for part in &mut found {
        part.overlaps = resolve_by_competition(rules, &mut part.matches);
    }
    found
}

/// The sentence rules over a block of consecutive windows: what each window gave,
/// with the scope it is in, in the block's order.
fn run_block(rules: &RuleSet, block: &[Scoped], scopes: &[Scope]) -> Vec<(usize, Extraction)> {
    let mut windows: Vec<(usize, Window)> = Vec::with_capacity(block.len() * 2);
    let mut tasks: Vec<Task> = Vec::new();
    let pairs = !rules.pair_index.is_empty();
    let ones: Vec<[&Sentence; 1]> = block.iter().map(|&(_, (s, _))| [s]).collect();
    let twos: Vec<Option<[&Sentence; 2]>> = block
        .iter()
        .map(|&(_, (s, next))| next.filter(|_| pairs).map(|n| [s, n]))
        .collect();
    for ((k, _), (one, two)) in block.iter().zip(ones.iter().zip(&twos)) {
        let w = Window::new(one);
        for r in rules.single.candidates(&w.matched) {
            tasks.push(Task::new(rules.single_index[r], windows.len(), tasks.len()));
        }
        windows.push((*k, w));
        if let Some(two) = two {
            let w = Window::new(two);
            for r in rules.pair.candidates(&w.matched) {
                tasks.push(Task::new(rules.pair_index[r], windows.len(), tasks.len()));
            }
            windows.push((*k, w));
        }
    }
    apply_rule_by_rule(rules, &windows, tasks, scopes)
}

/// One rule to try on one window; `slot` is its place in sentence order.
struct Task {
    rule: usize,
    window: usize,
    slot: usize,
}

impl Task {
    fn new(rule: usize, window: usize, slot: usize) -> Self {
        Task { rule, window, slot }
    }
}

/// Runs the tasks one rule at a time - a rule's lazy DFA stays in the CPU's caches
/// across the block's sentences, which is faster than trying every rule on one
/// sentence before the next - and returns what they found in sentence order, as if
/// they had run sentence by sentence, each with its window's scope.
fn apply_rule_by_rule(
    rules: &RuleSet,
    windows: &[(usize, Window)],
    mut tasks: Vec<Task>,
    scopes: &[Scope],
) -> Vec<(usize, Extraction)> {
    tasks.sort_by_key(|t| (t.rule, t.slot));
    // Only the tasks that found something keep a result: most find nothing.
    let mut results: Vec<(usize, usize, Extraction)> = Vec::new();
    let mut found = Extraction::default();
    for t in &tasks {
        let (k, w) = &windows[t.window];
        apply(&rules.rules[t.rule], w, &scopes[*k], &mut found);
        if !found.matches.is_empty() || !found.notes.is_empty() {
            results.push((t.slot, *k, std::mem::take(&mut found)));
        }
    }
    results.sort_by_key(|r| r.0);
    results.into_iter().map(|(_, k, e)| (k, e)).collect()
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

/// Applies one rule to a window of one or two sentences, adding what it finds to `out`.
pub(crate) fn apply(rule: &Rule, w: &Window, scope: &Scope, out: &mut Extraction) {
    for caps in rule.regex.captures_iter(&w.matched) {
        if let Some(hit) = Hit::new(rule, w, caps, scope) {
            hit.emit(out);
        }
    }
}

/// One match of a rule's pattern in a window, before it becomes facts.
struct Hit<'a> {
    rule: &'a Rule,
    w: &'a Window<'a>,
    caps: Captures<'a>,
    /// The matched range of the window's text.
    range: Range<usize>,
    /// The clause(s) around it.
    clause: Range<usize>,
    /// The window's first sentence, which notes name.
    sentence: SentenceId,
    /// The document it is in.
    scope: &'a Scope<'a>,
}

/// What every fact of a hit shares: its attributes, the steps that made them, its
/// items and the count its pattern announced.
struct Parts {
    attributes: Map<String, Value>,
    steps: Vec<Step>,
    items: Vec<String>,
    announced: Option<i64>,
}

impl<'a> Hit<'a> {
    /// The hit of `caps`, unless it is empty, does not cross the window's two
    /// sentences (for a two-sentence rule), or a veto of the rule matches its clause.
    fn new(
        rule: &'a Rule,
        w: &'a Window<'a>,
        caps: Captures<'a>,
        scope: &'a Scope<'a>,
    ) -> Option<Self> {
        let range = caps.get(0)?.range();
        if range.is_empty() || !w.spans_boundary(&range) {
            return None;
        }
        let text: &str = &w.matched;
        let clause = clause_range(text, range.clone());
        if rule
            .unless
            .iter()
            .any(|u| u.is_match(&text[clause.clone()]))
        {
            return None;
        }
        Some(Hit {
            rule,
            w,
            caps,
            range,
            clause,
            sentence: w.first().id(),
            scope,
        })
    }

    fn text(&self) -> &str {
        &self.w.matched
    }

    /// A note about this hit.
    fn note(&self, out: &mut Extraction, message: String) {
        out.notes.push(Note {
            rule: Some(self.rule.id.clone()),
            sentence: Some(self.sentence.clone()),
            message,
        });
    }

    /// Adds the facts of this hit (one, one per item, or one per split part) to `out`.
    fn emit(&self, out: &mut Extraction) {
        let Some(parts) = self.parts(out) else {
            return;
        };
        let text_range = match self.rule.text {
            TextMode::Clause => self.clause.clone(),
            TextMode::Match => self.range.clone(),
            TextMode::Sentence => 0..self.text().len(),
        };
        let mut base = Match {
            field: self.rule.field.clone(),
            rule: self.rule.id.clone(),
            priority: self.rule.priority,
            text: self.w.original_of(text_range.clone()),
            attributes: parts.attributes,
            items: Vec::new(),
            citations: Vec::new(),
            highlights: Vec::new(),
            captures: if self.scope.diagnostics {
                self.captures()
            } else {
                Vec::new()
            },
            steps: parts.steps,
            list: None,
            kind: self.scope.doc.config.kind,
            doc_index: self.scope.doc_index,
            background: None,
        };
        if let Some(split) = &self.rule.split {
            self.emit_split(&base, split, text_range, out);
        } else if self.rule.each_item {
            self.emit_each_item(&base, &parts.items, parts.announced, out);
        } else {
            base.items = parts
                .items
                .into_iter()
                .map(|text| Item {
                    text,
                    sources: Vec::new(),
                })
                .collect();
            out.matches.push(self.located(base, self.range.clone()));
        }
    }

    /// The attributes (from captures, the context and defaults), the items and the
    /// announced count; `None` when an attribute cannot be read (said in a note).
    fn parts(&self, out: &mut Extraction) -> Option<Parts> {
        let get = |name: &str| {
            self.caps
                .name(name)
                .map(|c| (c.as_str().to_string(), self.w.original_of(c.range())))
        };
        let mut attributes = Map::new();
        let mut steps = Steps::new(self.scope.diagnostics);
        if let Err(msg) = make_attributes(&self.rule.attributes, &get, &mut attributes, &mut steps)
        {
            self.note(out, format!("matched, but {msg}; the match is dropped"));
            return None;
        }
        for ctx in &self.rule.context {
            if !attributes.contains_key(&ctx.name)
                && let Some((v, step)) = self.context(ctx, out)
            {
                steps.record(|| step);
                attributes.insert(ctx.name.clone(), v);
            }
        }
        for (name, value) in &self.rule.defaults {
            if !attributes.contains_key(name) {
                steps.record(|| Step {
                    attribute: name.clone(),
                    normaliser: "default".to_string(),
                    input: String::new(),
                    output: value.clone(),
                });
                attributes.insert(name.clone(), value.clone());
            }
        }
        let (items, announced) = self.items_and_count(&mut attributes, &mut steps, out);
        Some(Parts {
            attributes,
            steps: steps.into_vec(),
            items,
            announced,
        })
    }

    /// A context attribute: the nearest match of its pattern before the hit, else one
    /// inside it, else the nearest after, normalised; a value the normaliser refuses
    /// is said in a note, never silently left out.
    fn context(&self, ctx: &ContextSpec, out: &mut Extraction) -> Option<(Value, Step)> {
        let range = &self.range;
        let hits: Vec<_> = ctx.regex.captures_iter(self.text()).collect();
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
            })?;
        let m = pick.name("value").or_else(|| pick.get(0))?;
        let original = self.w.original_of(m.range());
        let value = match &ctx.value {
            Some(v) => Ok(v.clone()),
            None => normalise(ctx.normaliser, m.as_str(), &original),
        };
        let v = match value {
            Ok(v) => v,
            Err(msg) => {
                let name = &ctx.name;
                self.note(
                    out,
                    format!("matched, but context attribute `{name}`: {msg}; it is left out"),
                );
                return None;
            }
        };
        let how = if ctx.value.is_some() {
            "value"
        } else {
            ctx.normaliser.name()
        };
        let step = Step {
            attribute: ctx.name.clone(),
            normaliser: format!("context:{how}"),
            input: original,
            output: v.clone(),
        };
        Some((v, step))
    }

    /// The rule's captures, as matched (in the source's own characters).
    fn captures(&self) -> Vec<Capture> {
        self.rule
            .regex
            .capture_names()
            .flatten()
            .filter_map(|n| {
                self.caps.name(n).map(|c| Capture {
                    name: n.to_string(),
                    text: self.w.original_of(c.range()),
                })
            })
            .collect()
    }

    /// The items, and the count the pattern announced (the `count` attribute); a
    /// count that does not match the items is said in a note.
    fn items_and_count(
        &self,
        attributes: &mut Map<String, Value>,
        steps: &mut Steps,
        out: &mut Extraction,
    ) -> (Vec<String>, Option<i64>) {
        let count = self.rule.count.as_ref().and_then(|cc| self.caps.name(cc));
        let announced =
            count.and_then(|c| normalisers::parse_number(c.as_str()).and_then(|n| n.as_i64()));
        let items = self
            .rule
            .items
            .as_ref()
            .map(|spec| rule_items(spec, &self.caps, self.w, announced, steps))
            .unwrap_or_default();
        if let (Some(c), Some(n)) = (count, announced) {
            // Without `items:` the count is only recorded (a set named without its members).
            if self.rule.items.is_some() && n != items.len() as i64 {
                let message = format!(
                    "announces {n} items ({}) but lists {}: {}",
                    c.as_str(),
                    items.len(),
                    items.join("、")
                );
                self.note(out, message);
            }
            attributes.insert("count".to_string(), Value::from(n));
        }
        (items, announced)
    }

    /// `m` cited by the sentences `r` (a range of the window's text) touches, with
    /// its highlights, and background when its source or its cue scope says so.
    fn located(&self, mut m: Match, r: Range<usize>) -> Match {
        let text = self.text();
        let cue_scope: Vec<(SentenceId, &str)> = match self.rule.background_scope {
            BackgroundScope::Sentence => vec![(self.sentence.clone(), text)],
            BackgroundScope::Clause => {
                vec![(self.sentence.clone(), &text[clause_range(text, r.clone())])]
            }
            BackgroundScope::Source => Vec::new(),
        };
        m.background = self.scope.background(&cue_scope);
        for (s, local) in self.w.touched(&r) {
            m.citations.push(cite(s));
            m.highlights.push(Highlight {
                sentence: s.id(),
                start: local.start,
                end: local.end,
            });
        }
        m
    }

    /// One fact per part of the split capture, each with the part's attributes.
    fn emit_split(
        &self,
        base: &Match,
        split: &SplitSpec,
        text_range: Range<usize>,
        out: &mut Extraction,
    ) {
        let Some(c) = self.caps.name(&split.capture) else {
            return;
        };
        let text = self.text();
        for piece in split_pieces(split, c.as_str(), c.start()) {
            let part = &text[piece.clone()];
            let Some(pc) = split.part_regex().captures(part) else {
                self.note(out, format!("part {part:?} does not match the split's part pattern; that part is dropped"));
                continue;
            };
            let get = |name: &str| {
                pc.name(name).map(|x| {
                    let r = piece.start + x.start()..piece.start + x.end();
                    (x.as_str().to_string(), self.w.original_of(r))
                })
            };
            let mut m = base.clone();
            let mut steps = Steps::new(self.scope.diagnostics);
            if let Err(msg) =
                make_attributes(&split.attributes, &get, &mut m.attributes, &mut steps)
            {
                self.note(out, format!("part {part:?}: {msg}; that part is dropped"));
                continue;
            }
            m.steps.extend(steps.into_vec());
            // Parts before the last quote the clause up to their own end, so each
            // fact keeps a distinct, verbatim wording.
            m.text = match self.rule.text {
                TextMode::Sentence => self.w.original_of(text_range.clone()),
                TextMode::Match => self.w.original_of(piece.clone()),
                TextMode::Clause if piece.end >= c.end() => self.w.original_of(text_range.clone()),
                _ => self.w.original_of(text_range.start..piece.end),
            };
            out.matches.push(self.located(m, piece));
        }
    }

    /// One fact per item, numbered, its header this hit's sentence.
    fn emit_each_item(
        &self,
        base: &Match,
        items: &[String],
        announced: Option<i64>,
        out: &mut Extraction,
    ) {
        for (k, item) in items.iter().enumerate() {
            let mut m = base.clone();
            m.text = item.clone();
            m.attributes
                .insert("ordinal".to_string(), serde_json::json!({"value": k + 1}));
            m.attributes
                .insert("title".to_string(), Value::from(item.clone()));
            m.list = Some(ListPosition {
                rule: self.rule.id.clone(),
                position: k + 1,
                size: items.len(),
                announced,
                header: Some(self.sentence.clone()),
            });
            out.matches.push(self.located(m, self.range.clone()));
        }
    }
}

/// The items of a match: every `each:` match in the items capture, or the capture
/// split as a 、-list (keeping a last `A和B` whole when the announced count says so).
fn rule_items(
    spec: &ItemsSpec,
    caps: &Captures,
    w: &Window,
    announced: Option<i64>,
    steps: &mut Steps,
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
    steps.record(|| Step {
        attribute: "items".to_string(),
        normaliser: if spec.each.is_some() { "each" } else { "list" }.to_string(),
        input: original,
        output: Value::from(items.clone()),
    });
    items
}
