//! `factsheet watch`: rebuild when a rule, template or source changes, and say which
//! facts changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::Result;
use crate::facts::FactSheet;
use crate::pipeline;
use crate::project::Project;
use crate::render::typst::{self, TypstRequest};
use crate::render::{self, RenderOptions};
use crate::review::diff;
use crate::rules;

/// Options of `factsheet watch`.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Only re-extract (facts.json), no PDF: fast, for rule work.
    pub facts_only: bool,
    /// How often to look for changes.
    pub interval: Duration,
    /// Stop after this many rebuilds (for scripts and tests); `None`: until interrupted.
    pub exit_after: Option<usize>,
}

/// Watches `rules/`, `templates/` and `summits/<id>/`; rebuilds on every change.
pub fn watch(
    project: &Project,
    id: &str,
    options: &WatchOptions,
    request: &TypstRequest,
) -> Result<u8> {
    let summit = crate::ingest::load_summit(project, id)?;
    let render_options = if options.facts_only {
        None
    } else {
        Some(RenderOptions::new(project, typst::resolve(request)?)?)
    };
    let dirs = [
        project.rules_dir(),
        project.templates_dir(),
        summit.dir.clone(),
    ];
    let mut seen = fingerprint(&dirs);
    let mut last = rebuild(project, id, render_options.as_ref(), None);
    println!(
        "watching {} for changes (Ctrl-C to stop)",
        dirs.iter()
            .map(|d| crate::commands::build::shown(d))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut rebuilds = 0;
    loop {
        if options.exit_after.is_some_and(|n| rebuilds >= n) {
            return Ok(0);
        }
        std::thread::sleep(options.interval);
        let now = fingerprint(&dirs);
        if now == seen {
            continue;
        }
        let changed: Vec<String> = changed_files(&seen, &now);
        seen = now;
        println!("\nchanged: {}", changed.join(", "));
        last = rebuild(project, id, render_options.as_ref(), last.as_ref()).or(last);
        rebuilds += 1;
    }
}

/// Rebuilds and prints what changed since `previous`; `None` when the build failed
/// (the error is printed and watching goes on).
fn rebuild(
    project: &Project,
    id: &str,
    options: Option<&RenderOptions>,
    previous: Option<&FactSheet>,
) -> Option<FactSheet> {
    let result = (|| -> Result<FactSheet> {
        let summit = crate::ingest::load_summit(project, id)?;
        let rules = rules::load(&project.rules_dir())?;
        let sheet = pipeline::fact_sheet_with(&summit, &rules)?;
        match options {
            Some(o) => {
                let report = render::render(project, &sheet, &rules.fields, o)?;
                println!(
                    "rebuilt out/{id}/ ({} facts, {} pages)",
                    sheet.facts.len(),
                    report.pages
                );
            }
            None => {
                render::write_facts_json(project, &sheet)?;
                println!("rebuilt out/{id}/facts.json ({} facts)", sheet.facts.len());
            }
        }
        Ok(sheet)
    })();
    match result {
        Ok(sheet) => {
            if let Some(prev) = previous {
                let d = diff::diff(prev, &sheet);
                if d.is_empty() {
                    println!("no fact changed");
                } else {
                    for f in &d.added {
                        println!("  + {} [{}] {}", f.id, f.field, f.text);
                    }
                    for f in &d.removed {
                        println!("  - {} [{}] {}", f.id, f.field, f.text);
                    }
                    for c in &d.changed {
                        let what: Vec<&str> = c.changes.iter().map(|c| c.what.as_str()).collect();
                        println!(
                            "  ~ {} [{}] {} ({})",
                            c.new.id,
                            c.new.field,
                            c.new.text,
                            what.join(", ")
                        );
                    }
                }
            }
            Some(sheet)
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("(still watching; fix the file and save it again)");
            None
        }
    }
}

/// Modification time and size of every file under `dirs`.
fn fingerprint(dirs: &[PathBuf]) -> BTreeMap<PathBuf, (SystemTime, u64)> {
    let mut out = BTreeMap::new();
    for d in dirs {
        walk(d, &mut out);
    }
    out
}

fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, (SystemTime, u64)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_dir() {
            walk(&p, out);
        } else {
            out.insert(
                p,
                (
                    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    meta.len(),
                ),
            );
        }
    }
}

fn changed_files(
    a: &BTreeMap<PathBuf, (SystemTime, u64)>,
    b: &BTreeMap<PathBuf, (SystemTime, u64)>,
) -> Vec<String> {
    let mut out: Vec<String> = b
        .iter()
        .filter(|(p, v)| a.get(*p) != Some(*v))
        .map(|(p, _)| crate::commands::build::shown(p))
        .collect();
    out.extend(
        a.keys()
            .filter(|p| !b.contains_key(*p))
            .map(|p| format!("{} (removed)", crate::commands::build::shown(p))),
    );
    out
}
