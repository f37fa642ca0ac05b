//! Compiling one rule: sub-pattern expansion, regexes, attributes, and the checks
//! that each capture is used and each name exists, every problem with file, line
//! and rule. [`super::load`] reads the files and checks across them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use regex::Regex;
use serde_json::Value;

use super::schema::{self, AttributeYaml};
use super::{
    AttributeSource, AttributeSpec, ContextSpec, ItemsSpec, ListRule, Problem, Rule, SplitBy,
    SplitSpec, TextMode, normalisers,
};
use crate::yaml;

/// The most characters a pattern may expand to through its sub-patterns. The longest
/// rule of the shipped files expands to under 2,000; a chain of sub-patterns that each
/// use the one before twice doubles at every step and must stop long before memory does.
pub const MAX_EXPANDED_CHARS: usize = 100_000;

/// The most memory one compiled rule regex may take (the regex crate's `size_limit`);
/// the shipped rules need at most 256 KB.
pub const MAX_COMPILED_BYTES: usize = 4 << 20;

/// Captures with a meaning of their own in list items.
const ITEM_CAPTURES: &[&str] = &["ordinal", "title"];

/// Expands `{{name}}` references in `pattern` from `local`, then `global`, sub-patterns.
///
/// Each reference becomes a non-capturing group. Sub-patterns may use other
/// sub-patterns; named captures inside them become captures of the rule (so a
/// sub-pattern with captures can be used once per pattern).
pub fn expand(
    pattern: &str,
    local: &BTreeMap<String, String>,
    global: &BTreeMap<String, String>,
) -> std::result::Result<String, String> {
    expand_depth(pattern, local, global, &mut Vec::new())
}

fn expand_depth(
    pattern: &str,
    local: &BTreeMap<String, String>,
    global: &BTreeMap<String, String>,
    stack: &mut Vec<String>,
) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| format!("`{{{{` without a closing `}}}}` in {pattern:?}"))?;
        let name = after[..close].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "{{{{{name}}}}} is not a sub-pattern name (letters, digits, _)"
            ));
        }
        let body = local
            .get(name)
            .or_else(|| global.get(name))
            .ok_or_else(|| {
                let mut known: Vec<&String> = local.keys().chain(global.keys()).collect();
                known.sort();
                known.dedup();
                format!(
                    "unknown sub-pattern `{name}`; known: {}",
                    known
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        if stack.iter().any(|s| s == name) {
            return Err(format!(
                "sub-pattern `{name}` refers to itself ({} → {name})",
                stack.join(" → ")
            ));
        }
        stack.push(name.to_string());
        let inner = expand_depth(body, local, global, stack)?;
        if out.len() + inner.len() + 4 > MAX_EXPANDED_CHARS {
            return Err(too_long(stack));
        }
        stack.pop();
        out.push_str("(?:");
        out.push_str(&inner);
        out.push(')');
        rest = &after[close + 2..];
    }
    if out.len() + rest.len() > MAX_EXPANDED_CHARS {
        return Err(too_long(stack));
    }
    out.push_str(rest);
    Ok(out)
}

fn too_long(stack: &[String]) -> String {
    let path = if stack.is_empty() {
        String::new()
    } else {
        format!(" (through {})", stack.join(" → "))
    };
    format!(
        "expands to more than {MAX_EXPANDED_CHARS} characters{path}; a sub-pattern that uses another several times grows with every level — use each once, or write the alternatives out"
    )
}

/// Collects problems of one file.
pub(super) struct FileProblems<'a> {
    pub(super) path: &'a Path,
    pub(super) text: &'a str,
    /// Byte offset of each line of `text` (see [`line_starts`]).
    pub(super) line_starts: Vec<usize>,
    pub(super) problems: &'a mut Vec<Problem>,
}

/// The byte offset where each line of `text` starts, so that a search from line N
/// does not walk the N lines before it (which made loading a long file quadratic).
pub(super) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

impl FileProblems<'_> {
    pub(super) fn add(&mut self, line: Option<usize>, rule: Option<&str>, message: String) {
        self.problems.push(Problem {
            file: self.path.to_path_buf(),
            line,
            rule: rule.map(str::to_string),
            message,
        });
    }

    pub(super) fn line_of(&self, from: usize, needle: &str) -> Option<usize> {
        let skip = from.saturating_sub(1);
        let offset = *self.line_starts.get(skip)?;
        yaml::find_line(&self.text[offset..], 1, needle).map(|l| l + skip)
    }
}

/// Expands and compiles one regex of a rule, reporting problems at `key:`'s line.
pub(super) fn compile_regex(
    source: &str,
    key: &str,
    rule: &str,
    rule_line: Option<usize>,
    local: &BTreeMap<String, String>,
    global: &BTreeMap<String, String>,
    p: &mut FileProblems,
) -> Option<(String, Regex)> {
    let line = p.line_of(rule_line.unwrap_or(1), key).or(rule_line);
    let expanded = match expand(source, local, global) {
        Ok(x) => x,
        Err(e) => {
            p.add(line, Some(rule), format!("{key} {e}"));
            return None;
        }
    };
    match regex::RegexBuilder::new(&expanded)
        .size_limit(MAX_COMPILED_BYTES)
        .dfa_size_limit(64 << 20)
        .build()
    {
        Ok(re) => Some((expanded, re)),
        Err(regex::Error::CompiledTooBig(_)) => {
            p.add(
                line,
                Some(rule),
                format!(
                    "{key} is too large once compiled (more than {} MB); simplify it or split the rule",
                    MAX_COMPILED_BYTES >> 20
                ),
            );
            None
        }
        Err(e) => {
            p.add(
                line,
                Some(rule),
                format!("{key} is not a valid regex:\n{e}"),
            );
            None
        }
    }
}

pub(super) fn compile_attributes(
    attrs: &BTreeMap<String, AttributeYaml>,
    rule: &str,
    line: Option<usize>,
    p: &mut FileProblems,
) -> Vec<AttributeSpec> {
    let mut out = Vec::new();
    for (name, a) in attrs {
        let at = p.line_of(line.unwrap_or(1), &format!("{name}:")).or(line);
        let spec = match a {
            AttributeYaml::Capture(c) => AttributeSpec {
                name: name.clone(),
                source: AttributeSource::Capture {
                    capture: c.clone(),
                    normaliser: "text".to_string(),
                },
                default: None,
            },
            AttributeYaml::Full(f) => {
                let source = match (&f.capture, &f.value, &f.map) {
                    (None, Some(v), None) => AttributeSource::Constant(v.clone()),
                    (Some(c), None, Some(map)) => {
                        if f.normaliser.is_some() {
                            p.add(
                                at,
                                Some(rule),
                                format!(
                                    "attribute `{name}`: `map` and `normaliser` cannot be combined"
                                ),
                            );
                        }
                        let mut table = Vec::new();
                        for (k, v) in map {
                            let key = match k {
                                serde_yaml::Value::String(s) => s.clone(),
                                other => serde_yaml::to_string(other)
                                    .unwrap_or_default()
                                    .trim()
                                    .to_string(),
                            };
                            let value: Value = serde_json::to_value(v).unwrap_or(Value::Null);
                            table.push((key, value));
                        }
                        AttributeSource::Map {
                            capture: c.clone(),
                            table,
                        }
                    }
                    (Some(c), None, None) => {
                        let n = f.normaliser.clone().unwrap_or_else(|| "text".to_string());
                        if !normalisers::NAMES.contains(&n.as_str()) {
                            p.add(
                                at,
                                Some(rule),
                                format!(
                                    "attribute `{name}`: unknown normaliser `{n}`; known: {}",
                                    normalisers::NAMES.join(", ")
                                ),
                            );
                        }
                        AttributeSource::Capture {
                            capture: c.clone(),
                            normaliser: n,
                        }
                    }
                    _ => {
                        p.add(at, Some(rule), format!(
                            "attribute `{name}` needs either `capture` (with `normaliser` or `map`) or `value`"
                        ));
                        continue;
                    }
                };
                AttributeSpec {
                    name: name.clone(),
                    source,
                    default: f.default.clone(),
                }
            }
        };
        out.push(spec);
    }
    out
}

fn captures_of(re: &Regex) -> BTreeSet<String> {
    re.capture_names().flatten().map(str::to_string).collect()
}

fn attribute_captures(attrs: &[AttributeSpec]) -> Vec<(String, String)> {
    attrs
        .iter()
        .filter_map(|a| match &a.source {
            AttributeSource::Capture { capture, .. } | AttributeSource::Map { capture, .. } => {
                Some((a.name.clone(), capture.clone()))
            }
            AttributeSource::Constant(_) => None,
        })
        .collect()
}

pub(super) fn compile_rule(
    r: &schema::RuleYaml,
    field: &str,
    line: Option<usize>,
    local: &BTreeMap<String, String>,
    global: &BTreeMap<String, String>,
    p: &mut FileProblems,
) -> Option<Rule> {
    let id = r.id.as_str();
    let (pattern, regex) = compile_regex(&r.pattern, "pattern:", id, line, local, global, p)?;
    let window = r.window.unwrap_or(1);
    if !(1..=2).contains(&window) {
        p.add(
            line,
            Some(id),
            format!("window must be 1 or 2, not {window}"),
        );
    }
    let unless: Vec<Regex> = r
        .unless
        .iter()
        .filter_map(|u| compile_regex(u, "unless:", id, line, local, global, p).map(|(_, re)| re))
        .collect();
    let attributes = compile_attributes(&r.attributes, id, line, p);
    let mut context = Vec::new();
    for (name, c) in &r.context {
        if let Some((_, re)) = compile_regex(&c.pattern, "context:", id, line, local, global, p) {
            let n = c.normaliser.clone().unwrap_or_else(|| "text".to_string());
            if !normalisers::NAMES.contains(&n.as_str()) {
                p.add(
                    line,
                    Some(id),
                    format!("context `{name}`: unknown normaliser `{n}`"),
                );
            }
            context.push(ContextSpec {
                name: name.clone(),
                regex: re,
                normaliser: n,
                value: c.value.clone(),
            });
        }
    }
    let split = match &r.split {
        None => None,
        Some(s) => {
            let attrs = compile_attributes(&s.attributes, id, line, p);
            let how = match (&s.on, &s.part, &s.each) {
                (Some(on), Some(part), None) => {
                    let on = compile_regex(on, "on:", id, line, local, global, p).map(|x| x.1);
                    let part =
                        compile_regex(part, "part:", id, line, local, global, p).map(|x| x.1);
                    let drop = s.drop.as_ref().and_then(|d| {
                        compile_regex(d, "drop:", id, line, local, global, p).map(|x| x.1)
                    });
                    on.zip(part)
                        .map(|(on, part)| SplitBy::Separators { on, part, drop })
                }
                (None, None, Some(each)) => {
                    compile_regex(each, "each:", id, line, local, global, p)
                        .map(|x| SplitBy::Each(x.1))
                }
                _ => {
                    p.add(
                        line,
                        Some(id),
                        "split needs either `on:` and `part:`, or `each:`".to_string(),
                    );
                    None
                }
            };
            how.map(|how| {
                let spec = SplitSpec { capture: s.capture.clone(), how, attributes: attrs };
                let part_caps = captures_of(spec.part_regex());
                let used = attribute_captures(&spec.attributes);
                for (a, c) in &used {
                    if !part_caps.contains(c) {
                        p.add(line, Some(id), format!("split attribute `{a}` reads capture `{c}`, which the part pattern does not have"));
                    }
                }
                for c in &part_caps {
                    if !used.iter().any(|(_, x)| x == c) {
                        p.add(line, Some(id), format!("capture `{c}` of the split part pattern is not used by any attribute"));
                    }
                }
                spec
            })
        }
    };
    let text = match r.text.as_deref() {
        None | Some("clause") => TextMode::Clause,
        Some("match") => TextMode::Match,
        Some("sentence") => TextMode::Sentence,
        Some(other) => {
            p.add(
                line,
                Some(id),
                format!("text: {other:?} must be clause, match or sentence"),
            );
            TextMode::Clause
        }
    };
    // Every capture is used, and every used capture exists.
    let caps = captures_of(&regex);
    let mut used: BTreeSet<String> = BTreeSet::new();
    for (a, c) in attribute_captures(&attributes) {
        if !caps.contains(&c) {
            p.add(
                line,
                Some(id),
                format!("attribute `{a}` reads capture `{c}`, which the pattern does not have"),
            );
        }
        used.insert(c);
    }
    let items_capture = r.items.as_ref().map(|i| i.capture().to_string());
    for (what, c) in [("items", &items_capture), ("count", &r.count)] {
        if let Some(c) = c {
            if !caps.contains(c) {
                p.add(
                    line,
                    Some(id),
                    format!("`{what}: {c}` names a capture the pattern does not have"),
                );
            }
            used.insert(c.clone());
        }
    }
    if let Some(s) = &split {
        if !caps.contains(&s.capture) {
            p.add(
                line,
                Some(id),
                format!("split capture `{}` is not in the pattern", s.capture),
            );
        }
        used.insert(s.capture.clone());
    }
    for c in caps.difference(&used) {
        p.add(line, Some(id), format!("capture `{c}` is not used by any attribute (use it, or make the group non-capturing with (?:…))"));
    }
    if r.each_item && r.items.is_none() {
        p.add(
            line,
            Some(id),
            "`each_item: true` needs `items:`".to_string(),
        );
    }
    Some(Rule {
        id: id.to_string(),
        field: field.to_string(),
        file: p.path.to_path_buf(),
        line: line.unwrap_or(0),
        pattern,
        regex,
        window,
        priority: r.priority,
        unless,
        attributes,
        context,
        defaults: r
            .defaults
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        items: r
            .items
            .as_ref()
            .and_then(|i| compile_items(i, id, line, local, global, p)),
        count: r.count.clone(),
        each_item: r.each_item,
        split,
        text,
        background_scope: super::BackgroundScope::default(),
        example_lines: example_lines(p, line, "sentence:", r.examples.len()),
        examples: r.examples.clone(),
    })
}

fn compile_items(
    items: &schema::ItemsYaml,
    id: &str,
    line: Option<usize>,
    local: &BTreeMap<String, String>,
    global: &BTreeMap<String, String>,
    p: &mut FileProblems,
) -> Option<ItemsSpec> {
    let each = match items {
        schema::ItemsYaml::Capture(_) => None,
        schema::ItemsYaml::Each { each, .. } => {
            let (_, re) = compile_regex(each, "each:", id, line, local, global, p)?;
            let extra: Vec<String> = captures_of(&re)
                .into_iter()
                .filter(|c| c != "title")
                .collect();
            if !extra.is_empty() {
                p.add(
                    line,
                    Some(id),
                    format!(
                        "items `each:` captures only `title`, not {}",
                        extra.join(", ")
                    ),
                );
            }
            Some(re)
        }
    };
    Some(ItemsSpec {
        capture: items.capture().to_string(),
        each,
    })
}

/// The lines of the first `n` example keys (`sentence:` or `text:`) after a rule's line.
pub(super) fn example_lines(
    p: &FileProblems,
    rule_line: Option<usize>,
    key: &str,
    n: usize,
) -> Vec<Option<usize>> {
    let mut out = Vec::with_capacity(n);
    let mut from = p.line_of(rule_line.unwrap_or(1), "examples:").unwrap_or(1);
    for _ in 0..n {
        let l = p.line_of(from, key);
        if let Some(l) = l {
            from = l + 1;
        }
        out.push(l);
    }
    out
}

pub(super) fn compile_list(
    l: &schema::ListYaml,
    field: &str,
    line: Option<usize>,
    local: &BTreeMap<String, String>,
    global: &BTreeMap<String, String>,
    p: &mut FileProblems,
) -> Option<ListRule> {
    let id = l.id.as_str();
    let header = match &l.header {
        Some(h) => Some(compile_regex(h, "header:", id, line, local, global, p)?.1),
        None => None,
    };
    let title = match &l.title {
        Some(t) => Some(compile_regex(t, "title:", id, line, local, global, p)?.1),
        None => None,
    };
    if header.is_none() && title.is_none() {
        p.add(
            line,
            Some(id),
            "a list without `header:` needs `title:`, the shape every item title must have"
                .to_string(),
        );
    }
    let mut items = Vec::new();
    for it in &l.items {
        if let Some((_, re)) = compile_regex(it, "items:", id, line, local, global, p) {
            let caps = captures_of(&re);
            if !caps.contains("title") {
                p.add(
                    line,
                    Some(id),
                    format!("item pattern {it:?} needs a `title` capture"),
                );
            }
            for c in caps.iter().filter(|c| !ITEM_CAPTURES.contains(&c.as_str())) {
                p.add(line, Some(id), format!("item pattern capture `{c}` is not used; item patterns capture only `ordinal` and `title`"));
            }
            items.push(re);
        }
    }
    if items.is_empty() && !l.parallel {
        p.add(
            line,
            Some(id),
            "a list needs `items:` patterns or `parallel: true`".to_string(),
        );
    }
    let attributes = compile_attributes(&l.attributes, id, line, p);
    let caps = header.as_ref().map(captures_of).unwrap_or_default();
    let mut used: BTreeSet<String> = ["count".to_string()].into();
    for (a, c) in attribute_captures(&attributes) {
        if !caps.contains(&c) {
            p.add(
                line,
                Some(id),
                format!("attribute `{a}` reads capture `{c}`, which the header does not have"),
            );
        }
        used.insert(c);
    }
    for c in caps.difference(&used) {
        p.add(
            line,
            Some(id),
            format!("header capture `{c}` is not used by any attribute"),
        );
    }
    Some(ListRule {
        id: id.to_string(),
        field: field.to_string(),
        file: p.path.to_path_buf(),
        line: line.unwrap_or(0),
        header,
        title,
        items,
        parallel: l.parallel,
        announce: l.announce,
        each_item: l.each_item,
        measures: l.measures,
        attributes,
        example_lines: example_lines(p, line, "text:", l.examples.len()),
        examples: l.examples.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn expansion() {
        let g = map(&[("digit", "[0-9]"), ("num", "{{digit}}+")]);
        let l = map(&[("yuan", "元")]);
        assert_eq!(
            expand("{{num}}{{yuan}}", &l, &g).unwrap(),
            "(?:(?:[0-9])+)(?:元)"
        );
        assert_eq!(expand("a{2}", &l, &g).unwrap(), "a{2}");
        let err = expand("{{nope}}", &l, &g).unwrap_err();
        assert!(
            err.contains("unknown sub-pattern `nope`") && err.contains("digit, num, yuan"),
            "{err}"
        );
        let cyc = map(&[("a", "{{b}}"), ("b", "{{a}}")]);
        assert!(
            expand("{{a}}", &l, &cyc)
                .unwrap_err()
                .contains("refers to itself")
        );
        let cap = map(&[("c", "(?P<x>y)")]);
        assert_eq!(expand("{{c}}", &l, &cap).unwrap(), "(?:(?P<x>y))");
    }
}
