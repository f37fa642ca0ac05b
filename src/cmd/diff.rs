//! `factsheet diff`: facts added, removed and changed between two facts.json files,
//! or between the rules of a git revision and those of the working tree.

use std::path::Path;

use factsheet::error::{Error, Result};
use factsheet::facts::FactSheet;
use factsheet::ingest;
use factsheet::pipeline;
use factsheet::project::Project;
use factsheet::review::diff::{self, FactDiff};
use factsheet::rules;
use factsheet::text::for_terminal;

use super::out::Out;
use super::rules_at;
use crate::args::DiffArgs;

/// `factsheet diff OLD.json NEW.json` or `factsheet diff <summit> --rules-from REV`
/// (clap makes sure it is one or the other).
pub fn diff(project: &Project, args: &DiffArgs) -> Result<u8> {
    let (old, new, what) = match (&args.new, &args.rules_from) {
        (Some(new), _) => (
            read_sheet(Path::new(&args.old))?,
            read_sheet(Path::new(new))?,
            format!("{} → {new}", args.old),
        ),
        (None, Some(rev)) => {
            let summit = ingest::load_summit(project, &args.old)?;
            let old_rules = rules_at_revision(project, rev)?;
            let old = pipeline::fact_sheet_with(&summit, &rules::load(old_rules.path())?)?;
            let new = pipeline::fact_sheet_with(&summit, &rules_at(project, None)?)?;
            let what = format!("{}: rules at {rev} → rules in the working tree", args.old);
            (old, new, what)
        }
        (None, None) => unreachable!("clap requires NEW or --rules-from"),
    };
    print_diff(&mut Out::new(), &what, &diff::diff(&old, &new))?;
    Ok(0)
}

/// The changes grouped by rule, each fact with its first quote.
fn print_diff(out: &mut Out, what: &str, d: &FactDiff) -> Result<()> {
    out.line(for_terminal(what))?;
    if d.is_empty() {
        return out.line("no fact changed");
    }
    out.line(format!(
        "{} added, {} removed, {} changed",
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    ))?;
    for (rule, entries) in d.by_rule() {
        out.line(format!("\n{rule}"))?;
        for (sign, f, changes) in entries {
            out.line(for_terminal(&format!(
                "  {sign} {} [{}] {}",
                f.id, f.field, f.text
            )))?;
            for c in changes {
                let show = |v: &Option<serde_json::Value>| {
                    v.as_ref().map_or("(none)".to_string(), |v| v.to_string())
                };
                let line = format!("      {}: {} → {}", c.what, show(&c.old), show(&c.new));
                out.line(for_terminal(&line))?;
            }
            if let Some(q) = f.sources.first() {
                let line = format!("      “{}” ({})", q.quote, q.sentence_id());
                out.line(for_terminal(&line))?;
            }
        }
    }
    Ok(())
}

fn read_sheet(path: &Path) -> Result<FactSheet> {
    let bytes = factsheet::paths::read_regular(path, factsheet::paths::max_file_bytes())?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Input {
        path: path.to_path_buf(),
        message: format!("is not a facts.json file: {e} (line {})", e.line()),
    })
}

/// Runs git in the project folder; its output, or its complaint as a usage error.
fn git(project: &Project, args: &[&str]) -> Result<Vec<u8>> {
    let o = std::process::Command::new("git")
        .arg("-C")
        .arg(&project.root)
        .args(args)
        .output()
        .map_err(|e| Error::Failed(format!("cannot run git: {e}")))?;
    if !o.status.success() {
        return Err(Error::Usage(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        )));
    }
    Ok(o.stdout)
}

/// The rule files of git revision `rev`, copied into a temporary folder that goes
/// when the returned value is dropped.
fn rules_at_revision(project: &Project, rev: &str) -> Result<tempfile::TempDir> {
    let verify = format!("{rev}^{{commit}}");
    git(project, &["rev-parse", "--verify", "--quiet", &verify]).map_err(|_| {
        Error::Usage(format!(
            "--rules-from {rev}: no such git revision in {}",
            project.root.display()
        ))
    })?;
    let prefix = String::from_utf8_lossy(&git(project, &["rev-parse", "--show-prefix"])?)
        .trim()
        .to_string();
    let listing = git(
        project,
        &["ls-tree", "--name-only", rev, &format!("{prefix}rules/")],
    )?;
    let dir = tempfile::Builder::new()
        .prefix("factsheet-rules-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let mut copied = 0;
    for path in String::from_utf8_lossy(&listing).lines() {
        if !(path.ends_with(".yaml") || path.ends_with(".yml")) {
            continue;
        }
        let content = git(project, &["show", &format!("{rev}:{path}")])?;
        let target = dir
            .path()
            .join(Path::new(path).file_name().unwrap_or_default());
        std::fs::write(&target, content).map_err(|e| Error::io(&target, e))?;
        copied += 1;
    }
    if copied == 0 {
        return Err(Error::Usage(format!("revision {rev} has no rules/*.yaml")));
    }
    Ok(dir)
}
