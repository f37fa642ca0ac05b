//! Reading a rules folder: every `*.yaml` file parsed, shared sub-patterns, background
//! cues and trigger words gathered, each rule compiled ([`super::compile`]), ids
//! checked across files, and the prefilters built.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regex::Regex;

use super::compile::{FileProblems, compile_list, compile_rule, example_lines, expand};
use super::schema::RuleFile;
use super::{Background, BackgroundScope, FieldSpec, Identity, Problem, RuleSet};
use crate::error::{Error, Result};
use crate::yaml;

/// What one file contributed, before cross-file checks.
struct Loaded {
    path: PathBuf,
    text: String,
    file: RuleFile,
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
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    let mut problems = Vec::new();
    let mut loaded = Vec::new();
    let mut digest_parts: Vec<Vec<u8>> = Vec::new();
    for path in paths {
        let text = crate::paths::read_utf8(&path)?;
        digest_parts.push(
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .as_bytes()
                .to_vec(),
        );
        digest_parts.push(text.as_bytes().to_vec());
        match yaml::from_str::<RuleFile>(&path, &text) {
            Ok(file) => loaded.push(Loaded { path, text, file }),
            Err(Error::Yaml {
                path,
                line,
                message,
            }) => problems.push(Problem {
                file: path,
                line,
                rule: None,
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

    // Shared sub-patterns: files without a field.
    let mut global: BTreeMap<String, String> = BTreeMap::new();
    for l in &loaded {
        if l.file.field.is_none() {
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
    }

    let mut fields = Vec::new();
    let mut rules = Vec::new();
    let mut lists = Vec::new();
    let mut background = Background::default();
    let mut triggers: Vec<String> = Vec::new();
    let mut ids: BTreeMap<String, (PathBuf, Option<usize>)> = BTreeMap::new();
    for l in &loaded {
        let mut id_lines = IdLines::new(&l.text);
        let mut p = FileProblems {
            path: &l.path,
            text: &l.text,
            line_starts: super::compile::line_starts(&l.text),
            problems: &mut problems,
        };
        if let Some(bg) = &l.file.background {
            if background.file.is_some() {
                p.add(
                    None,
                    None,
                    "background cues are declared in two files".to_string(),
                );
            }
            background.file = Some(l.path.clone());
            for cue in &bg.cues {
                match expand(cue, &l.file.patterns, &global)
                    .and_then(|x| Regex::new(&x).map_err(|e| e.to_string()))
                {
                    Ok(re) => background.cues.push(re),
                    Err(e) => p.add(p.line_of(1, cue), None, format!("background cue: {e}")),
                }
            }
            background.examples = bg.examples.clone();
            background.example_lines = example_lines(&p, Some(1), "sentence:", bg.examples.len());
        }
        if let Some(t) = &l.file.triggers {
            triggers.extend(t.iter().cloned());
        }
        let Some(field) = &l.file.field else {
            if !l.file.rules.is_empty() || !l.file.lists.is_empty() {
                p.add(
                    None,
                    None,
                    "has rules but no `field:`; say which field they fill".to_string(),
                );
            }
            continue;
        };
        if !field
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-')
            || field.is_empty()
        {
            p.add(
                p.line_of(1, "field:"),
                None,
                format!("field name {field:?} must be lowercase letters, '-' or '_'"),
            );
        }
        if fields.iter().any(|f: &FieldSpec| &f.name == field) {
            p.add(
                p.line_of(1, "field:"),
                None,
                format!("field `{field}` is declared by two files"),
            );
        }
        for name in l.file.patterns.keys() {
            if global.contains_key(name) {
                p.add(p.line_of(1, &format!("{name}:")), None, format!("local sub-pattern `{name}` hides the shared one of the same name; rename it"));
            }
        }
        let title = l.file.title.clone();
        let identity = match l.file.identity.as_deref() {
            None => Identity::Text,
            Some(name) => Identity::parse(name).unwrap_or_else(|| {
                p.add(
                    p.line_of(1, "identity:"),
                    None,
                    format!(
                        "identity {name:?} is not one of {}",
                        Identity::NAMES.join(", ")
                    ),
                );
                Identity::Text
            }),
        };
        fields.push(FieldSpec {
            identity,
            generic: l.file.generic.clone(),
            rank: l
                .file
                .rank
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            conflicts: l.file.conflicts.clone(),
            competes: l.file.competes.unwrap_or(true),
            name: field.clone(),
            title_zh: title
                .as_ref()
                .map(|t| t.zh.clone())
                .unwrap_or_else(|| field.clone()),
            title_en: title
                .as_ref()
                .map(|t| t.en.clone())
                .unwrap_or_else(|| field.clone()),
            order: l.file.order.unwrap_or(100),
            file: l.path.clone(),
        });
        let background_scope = match l.file.background_scope.as_deref() {
            None | Some("sentence") => BackgroundScope::Sentence,
            Some("clause") => BackgroundScope::Clause,
            Some("source") => BackgroundScope::Source,
            Some(other) => {
                p.add(
                    p.line_of(1, "background_scope:"),
                    None,
                    format!("background_scope {other:?} must be sentence, clause or source"),
                );
                BackgroundScope::Sentence
            }
        };
        for r in &l.file.rules {
            let line = claim_id(&mut ids, &mut id_lines, &mut p, &r.id);
            if let Some(mut rule) = compile_rule(r, field, line, &l.file.patterns, &global, &mut p)
            {
                rule.background_scope = background_scope;
                rules.push(rule);
            }
        }
        for lr in &l.file.lists {
            let line = claim_id(&mut ids, &mut id_lines, &mut p, &lr.id);
            if let Some(list) = compile_list(lr, field, line, &l.file.patterns, &global, &mut p) {
                lists.push(list);
            }
        }
    }
    fields.sort_by(|a, b| a.order.cmp(&b.order).then(a.name.cmp(&b.name)));
    if !problems.is_empty() {
        problems.sort();
        return Ok((None, problems));
    }
    let (single_index, single): (Vec<usize>, Vec<&str>) = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.window == 1)
        .map(|(i, r)| (i, r.pattern.as_str()))
        .unzip();
    let (pair_index, pair): (Vec<usize>, Vec<&str>) = rules
        .iter()
        .enumerate()
        .filter(|(_, r)| r.window == 2)
        .map(|(i, r)| (i, r.pattern.as_str()))
        .unzip();
    let single = super::prefilter::Prefilter::new(&single);
    let pair = super::prefilter::Prefilter::new(&pair);
    Ok((
        Some(RuleSet {
            fields,
            rules,
            lists,
            background,
            triggers,
            digest: crate::hash::short_hash(digest_parts.iter().map(Vec::as_slice)),
            single,
            single_index,
            pair,
            pair_index,
        }),
        problems,
    ))
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

/// Records that rule `id` is defined at its `id:` line in `p`'s file, reporting a
/// duplicate when another rule (sentence or list) already took it. Returns the line.
fn claim_id(
    ids: &mut BTreeMap<String, (PathBuf, Option<usize>)>,
    id_lines: &mut IdLines,
    p: &mut FileProblems,
    id: &str,
) -> Option<usize> {
    let line = id_lines
        .next(id)
        .or_else(|| p.line_of(1, &format!("id: {id}")));
    if let Some((other, other_line)) = ids.insert(id.to_string(), (p.path.to_path_buf(), line)) {
        p.add(
            line,
            Some(id),
            format!(
                "duplicate rule id; also defined at {}{}",
                other.display(),
                other_line.map(|l| format!(":{l}")).unwrap_or_default()
            ),
        );
    }
    line
}
