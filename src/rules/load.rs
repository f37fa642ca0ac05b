//! Reading a rules folder: every `*.yaml` file parsed, shared sub-patterns, background
//! cues and trigger words gathered, each rule compiled ([`super::compile`]), ids
//! checked across files, and the prefilters built.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regex::Regex;

use super::compile::{FileCtx, compile_list, compile_rule};
use super::schema::{self, RuleFile};
use super::{
    Background, Column, FieldSpec, Label, ListRule, Problem, RenderSpec, Rule, RuleSet, Shown,
};
use crate::error::{Error, Result};
use crate::yaml;

/// A rule file as read, before it is compiled.
struct Loaded {
    path: PathBuf,
    text: String,
    file: RuleFile,
}

/// Everything compiled so far, across files.
#[derive(Default)]
struct Compiled {
    fields: Vec<FieldSpec>,
    rules: Vec<Rule>,
    lists: Vec<ListRule>,
    background: Background,
    triggers: Vec<String>,
    /// Every rule id seen, with its file and line.
    ids: BTreeMap<String, (PathBuf, Option<usize>)>,
}

/// Loads every rule file in `dir`. Returns the compiled set when nothing is wrong.
pub(super) fn load_dir(dir: &Path) -> Result<(Option<RuleSet>, Vec<Problem>)> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "no rules folder at {}",
            dir.display()
        )));
    }
    crate::paths::check_folder(dir, "rule files must lie inside the rules folder")?;
    let mut problems = Vec::new();
    let (loaded, digest) = read_files(dir, &mut problems)?;
    let global = shared_patterns(&loaded, &mut problems);
    let mut compiled = Compiled::default();
    for l in &loaded {
        compile_file(l, &global, &mut compiled, &mut problems);
    }
    compiled
        .fields
        .sort_by(|a, b| a.order.cmp(&b.order).then(a.name.cmp(&b.name)));
    if !problems.is_empty() {
        problems.sort();
        return Ok((None, problems));
    }
    Ok((Some(rule_set(compiled, digest)), problems))
}

/// Reads and parses every `*.yaml` file of `dir`, in name order; a file that does not
/// parse is a problem. Also returns the digest over every file's name and content.
fn read_files(dir: &Path, problems: &mut Vec<Problem>) -> Result<(Vec<Loaded>, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    let mut loaded = Vec::new();
    let mut digest_parts: Vec<Vec<u8>> = Vec::new();
    for path in paths {
        let text = crate::paths::read_utf8(&path)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        digest_parts.push(name.as_bytes().to_vec());
        digest_parts.push(text.as_bytes().to_vec());
        match yaml::from_str::<RuleFile>(&path, &text) {
            Ok(file) => loaded.push(Loaded { path, text, file }),
            Err(Error::Yaml {
                path,
                line,
                message,
            }) => problems.push(Problem {
                rule: line.and_then(|l| enclosing_id(&text, l)),
                file: path,
                line,
                message: format!("invalid rule file: {message}"),
            }),
            Err(e) => return Err(e),
        }
    }
    if loaded.is_empty() && problems.is_empty() {
        problems.push(Problem {
            file: dir.to_path_buf(),
            line: None,
            rule: None,
            message: "no rule files (*.yaml) here".to_string(),
        });
    }
    let digest = crate::hash::short_hash(digest_parts.iter().map(Vec::as_slice));
    Ok((loaded, digest))
}

/// The id of the rule whose entry holds line `line` of a rule file: the nearest `id:`
/// at or above it, when the line is indented (a top-level key belongs to no rule).
fn enclosing_id(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().take(line).collect();
    if lines.last().is_none_or(|l| !l.starts_with([' ', '-'])) {
        return None;
    }
    lines.iter().rev().find_map(|l| {
        let rest = l.trim_start().trim_start_matches("- ").trim_start();
        let id = rest.strip_prefix("id:")?.split(" #").next()?.trim();
        Some(id.trim_matches(|c| c == '\'' || c == '"').to_string())
    })
}

/// The sub-patterns of files without a field, shared by every file.
fn shared_patterns(loaded: &[Loaded], problems: &mut Vec<Problem>) -> BTreeMap<String, String> {
    let mut global: BTreeMap<String, String> = BTreeMap::new();
    for l in loaded.iter().filter(|l| l.file.field.is_none()) {
        for (name, body) in &l.file.patterns {
            if global.insert(name.clone(), body.clone()).is_some() {
                problems.push(Problem {
                    file: l.path.clone(),
                    line: yaml::find_line(&l.text, 1, &format!("{name}:")),
                    rule: None,
                    message: format!("sub-pattern `{name}` is defined twice"),
                });
            }
        }
    }
    global
}

/// Compiles one file: its background cues, triggers, field and rules.
fn compile_file(
    l: &Loaded,
    global: &BTreeMap<String, String>,
    out: &mut Compiled,
    problems: &mut Vec<Problem>,
) {
    let mut ctx = FileCtx::new(&l.path, &l.text, problems, &l.file.patterns, global);
    if let Some(bg) = &l.file.background {
        background(&mut ctx, bg, &mut out.background);
    }
    if let Some(t) = &l.file.triggers {
        out.triggers.extend(t.iter().cloned());
    }
    let Some(field) = &l.file.field else {
        if !l.file.rules.is_empty() || !l.file.lists.is_empty() {
            let message = "has rules but no `field:`; say which field they fill".to_string();
            ctx.add(None, None, message);
        }
        return;
    };
    check_field(&mut ctx, l, field, &out.fields);
    let mut id_lines = IdLines::new(&l.text);
    let first_rule = out.rules.len();
    let first_list = out.lists.len();
    for r in &l.file.rules {
        let line = claim_id(&mut out.ids, &mut id_lines, &mut ctx, &r.id);
        if let Some(mut rule) = compile_rule(&mut ctx, r, field, line) {
            rule.background_scope = l.file.background_scope;
            out.rules.push(rule);
        }
    }
    for lr in &l.file.lists {
        let line = claim_id(&mut out.ids, &mut id_lines, &mut ctx, &lr.id);
        out.lists.extend(compile_list(&mut ctx, lr, field, line));
    }
    let made = attributes_made(&out.rules[first_rule..], &out.lists[first_list..]);
    let render = render_spec(&mut ctx, &l.file, &made);
    out.fields.push(field_spec(l, field, render));
}

/// The background cues of `rules/background.yaml`.
fn background(ctx: &mut FileCtx, bg: &schema::BackgroundYaml, out: &mut Background) {
    if out.file.is_some() {
        let message = "background cues are declared in two files".to_string();
        ctx.add(None, None, message);
    }
    out.file = Some(ctx.path.to_path_buf());
    out.cues = (bg.cues.iter())
        .filter_map(|cue| background_regex(ctx, cue, cue, "background cue"))
        .collect();
    // Checked as written, so that an error points into what the analyst wrote.
    out.as_of = (bg.as_of.as_ref())
        .and_then(|words| background_regex(ctx, words, "as_of:", "as_of"))
        .and_then(|words| Regex::new(&format!("(?:{})$", words.as_str())).ok());
    out.examples = bg.examples.clone();
    out.example_lines = ctx.example_lines(Some(1), "sentence:", bg.examples.len());
}

/// A background regex, or its error reported at the line that holds `needle`.
fn background_regex(ctx: &mut FileCtx, pattern: &str, needle: &str, what: &str) -> Option<Regex> {
    let compiled = ctx
        .expand(pattern)
        .and_then(|x| Regex::new(&x).map_err(|e| e.to_string()));
    compiled
        .map_err(|e| {
            let line = ctx.line_of(1, needle);
            ctx.add(line, None, format!("{what}: {e}"));
        })
        .ok()
}

/// The field's name is well formed, declared once, and its sub-patterns hide no
/// shared one.
fn check_field(ctx: &mut FileCtx, l: &Loaded, field: &str, fields: &[FieldSpec]) {
    let well_formed = !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-');
    if !well_formed {
        let line = ctx.line_of(1, "field:");
        let message = format!("field name {field:?} must be lowercase letters, '-' or '_'");
        ctx.add(line, None, message);
    }
    if fields.iter().any(|f| f.name == field) {
        let line = ctx.line_of(1, "field:");
        ctx.add(
            line,
            None,
            format!("field `{field}` is declared by two files"),
        );
    }
    for name in l.file.patterns.keys() {
        if ctx.is_shared(name) {
            let line = ctx.line_of(1, &format!("{name}:"));
            let message = format!(
                "local sub-pattern `{name}` hides the shared one of the same name; rename it"
            );
            ctx.add(line, None, message);
        }
    }
}

/// The field as its file declares it.
fn field_spec(l: &Loaded, field: &str, render: RenderSpec) -> FieldSpec {
    let f = &l.file;
    FieldSpec {
        name: field.to_string(),
        title_zh: f
            .title
            .as_ref()
            .map_or_else(|| field.to_string(), |t| t.zh.clone()),
        title_en: f
            .title
            .as_ref()
            .map_or_else(|| field.to_string(), |t| t.en.clone()),
        order: f.order.unwrap_or(100),
        identity: f.identity,
        generic: f.generic.clone(),
        rank: f.rank.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        conflicts: f.conflicts.clone(),
        competes: f.competes.unwrap_or(true),
        file: l.path.clone(),
        render,
    }
}

/// The attributes a field's rules make, in the order they first appear: what its
/// rules name under `attributes:`, `context:`, `defaults:` and `split:`.
fn attributes_made(rules: &[Rule], lists: &[ListRule]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        if !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    };
    for r in rules {
        r.attributes.iter().for_each(|a| add(&a.name));
        r.context.iter().for_each(|c| add(&c.name));
        r.defaults.iter().for_each(|(name, _)| add(name));
        if let Some(s) = &r.split {
            s.attributes.iter().for_each(|a| add(&a.name));
        }
    }
    for l in lists {
        l.attributes.iter().for_each(|a| add(&a.name));
    }
    out
}

/// How the field's section is laid out, from the file's `layout:`, `heading:`,
/// `number:`, `columns:`, `hide:` and `labels:`; a table without `columns:` shows the
/// text and then every attribute in `made`.
fn render_spec(ctx: &mut FileCtx, f: &RuleFile, made: &[String]) -> RenderSpec {
    let columns = match &f.columns {
        Some(declared) => {
            if f.layout != super::Layout::Table {
                let line = ctx.line_of(1, "columns:");
                let message = format!(
                    "`columns:` belong to a table, not to a {} layout",
                    f.layout.name()
                );
                ctx.add(line, None, message);
            }
            declared.iter().map(|c| column(ctx, c)).collect()
        }
        None if f.layout == super::Layout::Table => default_columns(made, &f.hide),
        None => Vec::new(),
    };
    let labels = f
        .labels
        .iter()
        .map(|(attr, values)| {
            let values = values
                .iter()
                .map(|(v, l)| {
                    let en = l.en.clone().unwrap_or_else(|| v.clone());
                    (
                        v.clone(),
                        Label {
                            zh: l.zh.clone(),
                            en,
                        },
                    )
                })
                .collect();
            (attr.clone(), values)
        })
        .collect();
    RenderSpec {
        layout: f.layout,
        heading: f.heading.clone(),
        number: f.number.clone(),
        columns,
        hide: f.hide.clone(),
        labels,
    }
}

/// A declared column, its width checked.
fn column(ctx: &mut FileCtx, c: &schema::ColumnYaml) -> Column {
    let text_column = c.show == Shown::Text || c.otherwise == Some(Shown::Text);
    let width = c
        .width
        .clone()
        .unwrap_or_else(|| if text_column { "1fr" } else { "7em" }.to_string());
    if !super::is_typst_length(&width) {
        let line = ctx
            .line_of(1, &format!("width: {width}"))
            .or_else(|| ctx.line_of(1, "columns:"));
        let message = format!(
            "column width {width:?} is not a typst length (such as 1fr, 8.8em, 12pt, 30% or auto)"
        );
        ctx.add(line, None, message);
    }
    let en = c.en.clone().unwrap_or_else(|| match &c.show {
        Shown::Text => "What".to_string(),
        Shown::Attribute(a) => a.clone(),
    });
    Column {
        show: c.show.clone(),
        otherwise: c.otherwise.clone(),
        below: c.below.clone(),
        zh: c.zh.clone().unwrap_or_else(|| {
            if c.show == Shown::Text {
                "内容".to_string()
            } else {
                en.clone()
            }
        }),
        en,
        width,
    }
}

/// The columns of a table that declares none: the text, then each attribute made.
fn default_columns(made: &[String], hide: &[String]) -> Vec<Column> {
    let text = Column {
        show: Shown::Text,
        otherwise: None,
        below: None,
        zh: "内容".to_string(),
        en: "What".to_string(),
        width: "1fr".to_string(),
    };
    let attributes = made.iter().filter(|a| !hide.contains(a)).map(|a| Column {
        show: Shown::Attribute(a.clone()),
        otherwise: None,
        below: None,
        zh: a.clone(),
        en: a.clone(),
        width: "7em".to_string(),
    });
    std::iter::once(text).chain(attributes).collect()
}

/// The compiled set, with the prefilters over its rules.
fn rule_set(c: Compiled, digest: String) -> RuleSet {
    let (single_index, single): (Vec<usize>, Vec<&str>) = c
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.window == 1)
        .map(|(i, r)| (i, r.pattern.as_str()))
        .unzip();
    let (pair_index, pair): (Vec<usize>, Vec<&str>) = c
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.window == 2)
        .map(|(i, r)| (i, r.pattern.as_str()))
        .unzip();
    let single = super::prefilter::Prefilter::new(&single);
    let pair = super::prefilter::Prefilter::new(&pair);
    RuleSet {
        fields: c.fields,
        rules: c.rules,
        lists: c.lists,
        background: c.background,
        triggers: c.triggers,
        digest,
        single,
        single_index,
        pair,
        pair_index,
    }
}

/// The lines of every `id:` of a file, found in one pass (looking each id up from the
/// top of the file made loading quadratic in the file's length).
struct IdLines {
    /// id → the lines defining it, and how many of them were claimed.
    lines: BTreeMap<String, (Vec<usize>, usize)>,
}

impl IdLines {
    fn new(text: &str) -> Self {
        let mut lines: BTreeMap<String, (Vec<usize>, usize)> = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let l = line.trim_start().trim_start_matches("- ").trim_start();
            if let Some(rest) = l.strip_prefix("id:") {
                let id = rest.split(" #").next().unwrap_or("").trim();
                let id = id.trim_matches(|c| c == '\'' || c == '"');
                lines.entry(id.to_string()).or_default().0.push(i + 1);
            }
        }
        IdLines { lines }
    }

    /// The line of the next definition of `id` not yet claimed.
    fn next(&mut self, id: &str) -> Option<usize> {
        let (lines, used) = self.lines.get_mut(id)?;
        let line = lines.get(*used).or(lines.last()).copied();
        *used += 1;
        line
    }
}

/// Records that rule `id` is defined at its `id:` line in `ctx`'s file, reporting a
/// duplicate when another rule (sentence or list) already took it. Returns the line.
fn claim_id(
    ids: &mut BTreeMap<String, (PathBuf, Option<usize>)>,
    id_lines: &mut IdLines,
    ctx: &mut FileCtx,
    id: &str,
) -> Option<usize> {
    let line = id_lines
        .next(id)
        .or_else(|| ctx.line_of(1, &format!("id: {id}")));
    if let Some((other, other_line)) = ids.insert(id.to_string(), (ctx.path.to_path_buf(), line)) {
        let message = format!(
            "duplicate rule id; also defined at {}{}",
            other.display(),
            other_line.map(|l| format!(":{l}")).unwrap_or_default()
        );
        ctx.add(line, Some(id), message);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_inside_a_rule_name_it() {
        let text = "field: x\nrules:\n  - id: x.a\n    pattern: a\n  - id: 'x.b'\n    text: bogus\nlists: 3\n";
        assert_eq!(enclosing_id(text, 6).as_deref(), Some("x.b"));
        assert_eq!(enclosing_id(text, 4).as_deref(), Some("x.a"));
        assert_eq!(enclosing_id(text, 7), None);
        assert_eq!(enclosing_id(text, 1), None);
    }
}
