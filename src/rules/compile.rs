//! Compiling one rule: sub-pattern expansion, regexes, attributes, and the checks
//! that each capture is used and each name exists, every problem with file, line
//! and rule. [`super::load`] reads the files and checks across them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use regex::Regex;

use super::schema::{self, AttributeYaml};
use super::{
    AttributeSource, AttributeSpec, ContextSpec, ItemsSpec, ListRule, Normaliser, Problem, Rule,
    SplitBy, SplitSpec,
};
use crate::yaml;

/// The most characters a pattern may expand to through its sub-patterns. The longest
/// rule of the shipped files expands to under 2,000; a chain of sub-patterns that each
/// use the one before twice doubles at every step and must stop long before memory does.
pub const MAX_EXPANDED_CHARS: usize = 100_000;

/// The most memory one rule's lazy DFA may cache per thread. Below what a rule's
/// DFA needs, the search keeps rebuilding the states it just dropped: the longest
/// shipped pattern (`outcome.agreed`) needs about 31 MB and runs 5 times slower
/// with 16 MiB (8 times with the regex crate's default of 2 MiB). Most rules need
/// far less, and the cache only grows as far as a rule needs.
const DFA_CACHE_BYTES: usize = 32 << 20;

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

/// One rule file being compiled: where its problems go, and the sub-patterns its
/// patterns may use (its own, then the shared ones).
pub(super) struct FileCtx<'a> {
    pub(super) path: &'a Path,
    pub(super) text: &'a str,
    /// Byte offset of each line of `text`, so that a search from line N does not walk
    /// the N lines before it (which made loading a long file quadratic).
    line_starts: Vec<usize>,
    pub(super) problems: &'a mut Vec<Problem>,
    local: &'a BTreeMap<String, String>,
    global: &'a BTreeMap<String, String>,
}

/// The rule a problem is about: its id and the line of its `id:`.
#[derive(Debug, Clone, Copy)]
pub(super) struct At<'a> {
    pub(super) id: &'a str,
    pub(super) line: Option<usize>,
}

impl<'a> FileCtx<'a> {
    pub(super) fn new(
        path: &'a Path,
        text: &'a str,
        problems: &'a mut Vec<Problem>,
        local: &'a BTreeMap<String, String>,
        global: &'a BTreeMap<String, String>,
    ) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        FileCtx {
            path,
            text,
            line_starts,
            problems,
            local,
            global,
        }
    }

    /// A problem at `line`, about `rule` when there is one.
    pub(super) fn add(&mut self, line: Option<usize>, rule: Option<&str>, message: String) {
        self.problems.push(Problem {
            file: self.path.to_path_buf(),
            line,
            rule: rule.map(str::to_string),
            message,
        });
    }

    /// `pattern` with its sub-patterns expanded.
    pub(super) fn expand(&self, pattern: &str) -> std::result::Result<String, String> {
        expand(pattern, self.local, self.global)
    }

    /// Whether `name` is a shared sub-pattern.
    pub(super) fn is_shared(&self, name: &str) -> bool {
        self.global.contains_key(name)
    }

    /// A problem about the rule `at`, at its line.
    fn at(&mut self, at: At, message: String) {
        self.add(at.line, Some(at.id), message);
    }

    /// The first line at or after `from` that starts with `needle`.
    pub(super) fn line_of(&self, from: usize, needle: &str) -> Option<usize> {
        let skip = from.saturating_sub(1);
        let offset = *self.line_starts.get(skip)?;
        yaml::find_line(&self.text[offset..], 1, needle).map(|l| l + skip)
    }

    /// Expands and compiles the regex `source` of rule `at`, reporting problems at
    /// `key:`'s line.
    fn regex(&mut self, at: At, key: &str, source: &str) -> Option<(String, Regex)> {
        let line = self.line_of(at.line.unwrap_or(1), key).or(at.line);
        let expanded = match expand(source, self.local, self.global) {
            Ok(x) => x,
            Err(e) => {
                self.add(line, Some(at.id), format!("{key} {e}"));
                return None;
            }
        };
        match regex::RegexBuilder::new(&expanded)
            .size_limit(MAX_COMPILED_BYTES)
            .dfa_size_limit(DFA_CACHE_BYTES)
            .build()
        {
            Ok(re) => Some((expanded, re)),
            Err(regex::Error::CompiledTooBig(_)) => {
                let message = format!(
                    "{key} is too large once compiled (more than {} MB); simplify it or split the rule",
                    MAX_COMPILED_BYTES >> 20
                );
                self.add(line, Some(at.id), message);
                None
            }
            Err(e) => {
                self.add(
                    line,
                    Some(at.id),
                    format!("{key} is not a valid regex:\n{e}"),
                );
                None
            }
        }
    }

    /// [`FileCtx::regex`], the compiled regex only.
    fn compiled(&mut self, at: At, key: &str, source: &str) -> Option<Regex> {
        self.regex(at, key, source).map(|(_, re)| re)
    }

    /// The lines of the first `n` example keys (`sentence:` or `text:`) after a rule's line.
    pub(super) fn example_lines(
        &self,
        rule_line: Option<usize>,
        key: &str,
        n: usize,
    ) -> Vec<Option<usize>> {
        let mut out = Vec::with_capacity(n);
        let mut from = self
            .line_of(rule_line.unwrap_or(1), "examples:")
            .unwrap_or(1);
        for _ in 0..n {
            let l = self.line_of(from, key);
            if let Some(l) = l {
                from = l + 1;
            }
            out.push(l);
        }
        out
    }
}

/// The attributes of rule `at`, from their YAML.
fn compile_attributes(
    ctx: &mut FileCtx,
    at: At,
    attrs: &BTreeMap<String, AttributeYaml>,
) -> Vec<AttributeSpec> {
    let mut out = Vec::new();
    for (name, a) in attrs {
        let spec = match a {
            AttributeYaml::Capture(c) => Some(AttributeSpec {
                name: name.clone(),
                source: AttributeSource::Capture {
                    capture: c.clone(),
                    normaliser: Normaliser::Text,
                },
                default: None,
            }),
            AttributeYaml::Full(f) => compile_attribute(ctx, at, name, f),
        };
        out.extend(spec);
    }
    out
}

/// The full form of attribute `name`: a constant, a table lookup, or a normaliser.
fn compile_attribute(
    ctx: &mut FileCtx,
    at: At,
    name: &str,
    f: &schema::AttributeFull,
) -> Option<AttributeSpec> {
    let line = ctx
        .line_of(at.line.unwrap_or(1), &format!("{name}:"))
        .or(at.line);
    let source = match (&f.capture, &f.value, &f.map) {
        (None, Some(v), None) => AttributeSource::Constant(v.clone()),
        (Some(c), None, Some(map)) => {
            if f.normaliser.is_some() {
                let message =
                    format!("attribute `{name}`: `map` and `normaliser` cannot be combined");
                ctx.add(line, Some(at.id), message);
            }
            AttributeSource::Map {
                capture: c.clone(),
                table: map.0.clone(),
            }
        }
        (Some(c), None, None) => AttributeSource::Capture {
            capture: c.clone(),
            normaliser: f.normaliser.unwrap_or_default(),
        },
        _ => {
            let message = format!(
                "attribute `{name}` needs either `capture` (with `normaliser` or `map`) or `value`"
            );
            ctx.add(line, Some(at.id), message);
            return None;
        }
    };
    Some(AttributeSpec {
        name: name.to_string(),
        source,
        default: f.default.clone(),
    })
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

/// Compiles sentence rule `r` of `field`, defined at `line`.
pub(super) fn compile_rule(
    ctx: &mut FileCtx,
    r: &schema::RuleYaml,
    field: &str,
    line: Option<usize>,
) -> Option<Rule> {
    let at = At { id: &r.id, line };
    let (pattern, regex) = ctx.regex(at, "pattern:", &r.pattern)?;
    let window = r.window.unwrap_or(1);
    if !(1..=2).contains(&window) {
        ctx.at(at, format!("window must be 1 or 2, not {window}"));
    }
    let unless: Vec<Regex> = r
        .unless
        .iter()
        .filter_map(|u| ctx.compiled(at, "unless:", u))
        .collect();
    let attributes = compile_attributes(ctx, at, &r.attributes);
    let context = compile_context(ctx, at, &r.context);
    let split = r.split.as_ref().and_then(|s| compile_split(ctx, at, s));
    if r.each_item && r.items.is_none() {
        ctx.at(at, "`each_item: true` needs `items:`".to_string());
    }
    let rule = Rule {
        id: r.id.clone(),
        field: field.to_string(),
        file: ctx.path.to_path_buf(),
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
        items: r.items.as_ref().and_then(|i| compile_items(ctx, at, i)),
        count: r.count.clone(),
        each_item: r.each_item,
        split,
        text: r.text,
        background_scope: super::BackgroundScope::default(),
        example_lines: ctx.example_lines(line, "sentence:", r.examples.len()),
        examples: r.examples.clone(),
    };
    check_captures(ctx, at, r, &rule);
    Some(rule)
}

/// The attributes of rule `at` searched for elsewhere in the sentence.
fn compile_context(
    ctx: &mut FileCtx,
    at: At,
    context: &BTreeMap<String, schema::ContextYaml>,
) -> Vec<ContextSpec> {
    let mut out = Vec::new();
    for (name, c) in context {
        if let Some(regex) = ctx.compiled(at, "context:", &c.pattern) {
            out.push(ContextSpec {
                name: name.clone(),
                regex,
                normaliser: c.normaliser,
                value: c.value.clone(),
            });
        }
    }
    out
}

/// The split of rule `at`, its part pattern checked against its attributes.
fn compile_split(ctx: &mut FileCtx, at: At, s: &schema::SplitYaml) -> Option<SplitSpec> {
    let attributes = compile_attributes(ctx, at, &s.attributes);
    let how = match (&s.on, &s.part, &s.each) {
        (Some(on), Some(part), None) => {
            let on = ctx.compiled(at, "on:", on);
            let part = ctx.compiled(at, "part:", part);
            let drop = s.drop.as_ref().and_then(|d| ctx.compiled(at, "drop:", d));
            SplitBy::Separators {
                on: on?,
                part: part?,
                drop,
            }
        }
        (None, None, Some(each)) => SplitBy::Each(ctx.compiled(at, "each:", each)?),
        _ => {
            ctx.at(
                at,
                "split needs either `on:` and `part:`, or `each:`".to_string(),
            );
            return None;
        }
    };
    let spec = SplitSpec {
        capture: s.capture.clone(),
        how,
        attributes,
    };
    let part_caps = captures_of(spec.part_regex());
    let used = attribute_captures(&spec.attributes);
    for (a, c) in &used {
        if !part_caps.contains(c) {
            ctx.at(at, format!("split attribute `{a}` reads capture `{c}`, which the part pattern does not have"));
        }
    }
    for c in &part_caps {
        if !used.iter().any(|(_, x)| x == c) {
            ctx.at(
                at,
                format!("capture `{c}` of the split part pattern is not used by any attribute"),
            );
        }
    }
    Some(spec)
}

/// Every capture of rule `r`'s pattern is used, and every capture used exists.
fn check_captures(ctx: &mut FileCtx, at: At, r: &schema::RuleYaml, rule: &Rule) {
    let caps = captures_of(&rule.regex);
    let mut used: BTreeSet<String> = BTreeSet::new();
    for (a, c) in attribute_captures(&rule.attributes) {
        if !caps.contains(&c) {
            ctx.at(
                at,
                format!("attribute `{a}` reads capture `{c}`, which the pattern does not have"),
            );
        }
        used.insert(c);
    }
    let items_capture = r.items.as_ref().map(|i| i.capture().to_string());
    for (what, c) in [("items", &items_capture), ("count", &r.count)] {
        if let Some(c) = c {
            if !caps.contains(c) {
                ctx.at(
                    at,
                    format!("`{what}: {c}` names a capture the pattern does not have"),
                );
            }
            used.insert(c.clone());
        }
    }
    if let Some(s) = &rule.split {
        if !caps.contains(&s.capture) {
            ctx.at(
                at,
                format!("split capture `{}` is not in the pattern", s.capture),
            );
        }
        used.insert(s.capture.clone());
    }
    for c in caps.difference(&used) {
        ctx.at(at, format!("capture `{c}` is not used by any attribute (use it, or make the group non-capturing with (?:…))"));
    }
}

fn compile_items(ctx: &mut FileCtx, at: At, items: &schema::ItemsYaml) -> Option<ItemsSpec> {
    let each = match items {
        schema::ItemsYaml::Capture(_) => None,
        schema::ItemsYaml::Each { each, .. } => {
            let re = ctx.compiled(at, "each:", each)?;
            let extra: Vec<String> = captures_of(&re)
                .into_iter()
                .filter(|c| c != "title")
                .collect();
            if !extra.is_empty() {
                ctx.at(
                    at,
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

/// Compiles list rule `l` of `field`, defined at `line`.
pub(super) fn compile_list(
    ctx: &mut FileCtx,
    l: &schema::ListYaml,
    field: &str,
    line: Option<usize>,
) -> Option<ListRule> {
    let at = At { id: &l.id, line };
    let header = match &l.header {
        Some(h) => Some(ctx.compiled(at, "header:", h)?),
        None => None,
    };
    let title = match &l.title {
        Some(t) => Some(ctx.compiled(at, "title:", t)?),
        None => None,
    };
    if header.is_none() && title.is_none() {
        ctx.at(
            at,
            "a list without `header:` needs `title:`, the shape every item title must have"
                .to_string(),
        );
    }
    let items = compile_item_shapes(ctx, at, l);
    let attributes = compile_attributes(ctx, at, &l.attributes);
    check_header_captures(ctx, at, header.as_ref(), &attributes);
    Some(ListRule {
        id: l.id.clone(),
        field: field.to_string(),
        file: ctx.path.to_path_buf(),
        line: line.unwrap_or(0),
        header,
        title,
        items,
        parallel: l.parallel,
        announce: l.announce,
        each_item: l.each_item,
        measures: l.measures,
        attributes,
        example_lines: ctx.example_lines(line, "text:", l.examples.len()),
        examples: l.examples.clone(),
    })
}

/// The item shapes of list `at`: each with a `title` capture, and no other but `ordinal`.
fn compile_item_shapes(ctx: &mut FileCtx, at: At, l: &schema::ListYaml) -> Vec<Regex> {
    let mut items = Vec::new();
    for it in &l.items {
        let Some(re) = ctx.compiled(at, "items:", it) else {
            continue;
        };
        let caps = captures_of(&re);
        if !caps.contains("title") {
            ctx.at(at, format!("item pattern {it:?} needs a `title` capture"));
        }
        for c in caps.iter().filter(|c| !ITEM_CAPTURES.contains(&c.as_str())) {
            ctx.at(at, format!("item pattern capture `{c}` is not used; item patterns capture only `ordinal` and `title`"));
        }
        items.push(re);
    }
    if items.is_empty() && !l.parallel {
        ctx.at(
            at,
            "a list needs `items:` patterns or `parallel: true`".to_string(),
        );
    }
    items
}

/// Every capture of a list header is used (`count` is), and every one used exists.
fn check_header_captures(
    ctx: &mut FileCtx,
    at: At,
    header: Option<&Regex>,
    attributes: &[AttributeSpec],
) {
    let caps = header.map(captures_of).unwrap_or_default();
    let mut used: BTreeSet<String> = ["count".to_string()].into();
    for (a, c) in attribute_captures(attributes) {
        if !caps.contains(&c) {
            ctx.at(
                at,
                format!("attribute `{a}` reads capture `{c}`, which the header does not have"),
            );
        }
        used.insert(c);
    }
    for c in caps.difference(&used) {
        ctx.at(
            at,
            format!("header capture `{c}` is not used by any attribute"),
        );
    }
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
