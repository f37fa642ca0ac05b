//! `factsheet watch`: rebuild when a rule, template or source changes, and say which
//! facts changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use factsheet::error::Result;
use factsheet::facts::FactSheet;
use factsheet::ingest;
use factsheet::pipeline;
use factsheet::project::Project;
use factsheet::render::typst::Typst;
use factsheet::render::{self, Input, RenderOptions, provision, stamp};
use factsheet::review::diff;
use factsheet::rules;

use super::out::Out;
use super::shown;
use crate::args::WatchArgs;

/// Modification time and size of every file watched.
type Fingerprint = BTreeMap<PathBuf, (SystemTime, u64)>;

/// Watches `rules/`, `templates/` and `summits/<id>/`; rebuilds on every change.
pub fn watch(project: &Project, args: &WatchArgs) -> Result<u8> {
    let id = args.summit.as_str();
    let summit = ingest::load_summit(project, id)?;
    let render_options = if args.facts_only {
        None
    } else {
        let typst = provision::resolve(&args.typst.request())?;
        Some((RenderOptions::all(project, typst.clone())?, typst))
    };
    let dirs = [
        project.rules_dir(),
        project.templates_dir(),
        summit.dir.clone(),
    ];
    let mut out = Out::new();
    let mut seen = fingerprint(&dirs);
    let mut last = rebuild(&mut out, project, id, render_options.as_ref(), None)?;
    let watched: Vec<String> = dirs.iter().map(|d| shown(d)).collect();
    out.line(format!(
        "watching {} for changes (Ctrl-C to stop)",
        watched.join(", ")
    ))?;
    let mut rebuilds = 0;
    while args.exit_after.is_none_or(|n| rebuilds < n) {
        std::thread::sleep(Duration::from_millis(args.interval_ms));
        let now = fingerprint(&dirs);
        if now == seen {
            continue;
        }
        out.line(format!(
            "\nchanged: {}",
            changed_files(&seen, &now).join(", ")
        ))?;
        seen = now;
        let sheet = rebuild(
            &mut out,
            project,
            id,
            render_options.as_ref(),
            last.as_ref(),
        )?;
        last = sheet.or(last);
        rebuilds += 1;
    }
    Ok(0)
}

/// Rebuilds and prints what changed since `previous`; `None` when the build failed
/// (the error is printed and watching goes on).
fn rebuild(
    out: &mut Out,
    project: &Project,
    id: &str,
    options: Option<&(RenderOptions, Typst)>,
    previous: Option<&FactSheet>,
) -> Result<Option<FactSheet>> {
    let sheet = match build(out, project, id, options) {
        Ok(sheet) => sheet,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("(still watching; fix the file and save it again)");
            return Ok(None);
        }
    };
    if let Some(prev) = previous {
        print_changes(out, &diff::diff(prev, &sheet))?;
    }
    Ok(Some(sheet))
}

/// One build: facts.json only, or every output.
fn build(
    out: &mut Out,
    project: &Project,
    id: &str,
    options: Option<&(RenderOptions, Typst)>,
) -> Result<FactSheet> {
    let summit = ingest::load_summit(project, id)?;
    // What this build reads, recorded as `build` would: a later `build` with nothing
    // changed then has nothing to do.
    let digest = options.and_then(|(o, typst)| {
        let names: Vec<&str> = o.renderers.iter().map(|r| r.name()).collect();
        stamp::inputs_digest(project, &summit, &names, Some(typst))
    });
    let rules = rules::load(&project.rules_dir())?;
    let built = pipeline::sheet_and_sources(&summit, &rules)?;
    let sheet = built.sheet;
    match options {
        Some((o, _)) => {
            let input = Input::new(&sheet, &rules.fields)
                .with_sources(&built.docs, &rules.triggers)
                .with_inputs_digest(digest.as_deref());
            let report = render::render(project, &input, o)?;
            out.line(format!(
                "rebuilt out/{id}/ ({} facts, {} pages)",
                sheet.facts.len(),
                report.pages
            ))?;
        }
        None => {
            render::write_facts_json(project, &sheet)?;
            out.line(format!(
                "rebuilt out/{id}/facts.json ({} facts)",
                sheet.facts.len()
            ))?;
        }
    }
    Ok(sheet)
}

/// The facts added, removed and changed.
fn print_changes(out: &mut Out, d: &diff::FactDiff) -> Result<()> {
    if d.is_empty() {
        return out.line("no fact changed");
    }
    for f in &d.added {
        out.line(format!("  + {} [{}] {}", f.id, f.field, f.text))?;
    }
    for f in &d.removed {
        out.line(format!("  - {} [{}] {}", f.id, f.field, f.text))?;
    }
    for c in &d.changed {
        let what: Vec<&str> = c.changes.iter().map(|c| c.what.as_str()).collect();
        out.line(format!(
            "  ~ {} [{}] {} ({})",
            c.new.id,
            c.new.field,
            c.new.text,
            what.join(", ")
        ))?;
    }
    Ok(())
}

/// Modification time and size of every file under `dirs`.
fn fingerprint(dirs: &[PathBuf]) -> Fingerprint {
    let mut out = BTreeMap::new();
    for d in dirs {
        walk(d, &mut out);
    }
    out
}

fn walk(dir: &Path, out: &mut Fingerprint) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_dir() {
            walk(&p, out);
        } else {
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            out.insert(p, (modified, meta.len()));
        }
    }
}

fn changed_files(a: &Fingerprint, b: &Fingerprint) -> Vec<String> {
    let mut out: Vec<String> = b
        .iter()
        .filter(|(p, v)| a.get(*p) != Some(*v))
        .map(|(p, _)| shown(p))
        .collect();
    out.extend(
        a.keys()
            .filter(|p| !b.contains_key(*p))
            .map(|p| format!("{} (removed)", shown(p))),
    );
    out
}
