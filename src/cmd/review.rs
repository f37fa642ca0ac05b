//! `factsheet explain`, `eval`, `diff` and `check --corpus`: the analyst's loop.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::facts::FactSheet;
use crate::pipeline;
use crate::project::Project;
use crate::review::{diff, eval, explain, health};
use crate::rules::{self, RuleSet};
use crate::text::for_terminal;

fn rules_at(project: &Project, dir: Option<&Path>) -> Result<RuleSet> {
    rules::load(
        &dir.map(Path::to_path_buf)
            .unwrap_or_else(|| project.rules_dir()),
    )
}

/// `factsheet explain <summit> <fact-id>`.
pub fn explain(project: &Project, id: &str, fact: &str, colour: Option<bool>) -> Result<u8> {
    let summit = crate::ingest::load_summit(project, id)?;
    super::warn_all(&summit.warnings);
    let rules = rules_at(project, None)?;
    let analysis = pipeline::analyse(&summit, &rules)?;
    let (f, g) = explain::find(&analysis, fact)?;
    let colour = colour.unwrap_or_else(|| std::io::stdout().is_terminal());
    let marking = if colour {
        explain::Marking::Colour
    } else {
        explain::Marking::Brackets
    };
    let text = explain::explain(&analysis, &rules, f, g, marking);
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(0)
}

/// `factsheet eval <summit> [--gold FILE]`: exit 1 when F1 is below the floor.
pub fn eval(project: &Project, id: &str, gold: Option<&Path>, min_f1: Option<f64>) -> Result<u8> {
    let summit = crate::ingest::load_summit(project, id)?;
    super::warn_all(&summit.warnings);
    let path = gold.map_or_else(|| project.gold_file(id), Path::to_path_buf);
    let gold = eval::load(&path)?;
    if gold.summit != id {
        return Err(Error::Usage(format!(
            "{} is the gold file of summit `{}`, not of `{id}`",
            path.display(),
            gold.summit
        )));
    }
    let sheet = pipeline::fact_sheet(project, &summit)?;
    let report = eval::evaluate(&sheet, &gold);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", score_header(""));
    for (field, s) in &report.fields {
        let _ = writeln!(out, "{}", score_row("", field, s));
    }
    let _ = writeln!(out, "{}", score_row("", "overall", &report.overall));
    write_details(&mut out, &report, "");
    let floor = min_f1.or(gold.min_f1);
    if let Some(floor) = floor {
        let f1 = report.overall.f1();
        if f1 < floor {
            let _ = writeln!(out, "\nF1 {f1:.3} is below the floor {floor:.3}");
            return Ok(1);
        }
        let _ = writeln!(out, "\nF1 {f1:.3} ≥ floor {floor:.3}");
    }
    Ok(0)
}

/// `factsheet eval --all`: every summit with a gold file, one table with micro totals;
/// exit 1 when any summit is under its floor (`min_f1` of its file, or `--min-f1`).
pub fn eval_all(project: &Project, min_f1: Option<f64>, details: bool) -> Result<u8> {
    let rules = rules_at(project, None)?;
    let ids = project.summit_ids()?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}  floor", score_header("summit"));
    let mut totals: std::collections::BTreeMap<String, eval::Score> = Default::default();
    let (mut scored, mut under) = (0, Vec::new());
    for id in &ids {
        let path = project.gold_file(id);
        if !path.is_file() {
            continue;
        }
        let gold = eval::load(&path)?;
        let summit = crate::ingest::load_summit(project, id)?;
        let sheet = pipeline::fact_sheet_with(&summit, &rules)?;
        let report = eval::evaluate(&sheet, &gold);
        for (field, s) in &report.fields {
            let _ = writeln!(out, "{}", score_row(id, field, s));
            totals.entry(field.clone()).or_default().add(s);
        }
        let floor = min_f1.or(gold.min_f1).unwrap_or(0.0);
        let f1 = report.overall.f1();
        let verdict = if f1 < floor { "UNDER" } else { "ok" };
        let _ = writeln!(
            out,
            "{}  {floor:.2} {verdict}",
            score_row(id, "overall", &report.overall)
        );
        if f1 < floor {
            under.push(format!("{id} (F1 {f1:.3} < {floor:.3})"));
        }
        if details {
            write_details(&mut out, &report, "    ");
        }
        scored += 1;
    }
    if scored == 0 {
        return Err(Error::Usage(format!(
            "no gold files in {} for any summit",
            project.gold_dir().display()
        )));
    }
    let label = format!("micro ({scored} summits)");
    let mut overall = eval::Score::default();
    for (field, s) in &totals {
        let _ = writeln!(out, "{}", score_row(&label, field, s));
        overall.add(s);
    }
    let _ = writeln!(out, "{}", score_row(&label, "overall", &overall));
    if under.is_empty() {
        let _ = writeln!(out, "\nevery summit is at or above its floor");
        Ok(0)
    } else {
        let _ = writeln!(out, "\nunder the floor: {}", under.join(", "));
        Ok(1)
    }
}

/// The first column (summit) only in the `--all` table.
fn first_column(first: &str) -> String {
    if first.is_empty() {
        String::new()
    } else {
        format!("{first:<26}")
    }
}

fn score_header(first: &str) -> String {
    format!(
        "{}{:<10} {:>4} {:>4} {:>4}  {:>9} {:>6} {:>6}",
        first_column(first),
        "field",
        "tp",
        "fp",
        "fn",
        "precision",
        "recall",
        "F1"
    )
}

fn score_row(first: &str, field: &str, s: &eval::Score) -> String {
    format!(
        "{}{field:<10} {:>4} {:>4} {:>4}  {:>9.3} {:>6.3} {:>6.3}",
        first_column(first),
        s.true_positives,
        s.false_positives,
        s.false_negatives,
        s.precision(),
        s.recall(),
        s.f1()
    )
}

/// The gold entries missed and the facts no entry matched.
fn write_details(out: &mut impl Write, report: &eval::Report, indent: &str) {
    if !report.missing.is_empty() {
        let _ = writeln!(out, "\n{indent}missing (in the gold file, not extracted):");
        for m in &report.missing {
            let bg = if m.background { " [background]" } else { "" };
            let line = format!("{indent}  {:<10} {}{bg}", m.field, m.key);
            let _ = writeln!(out, "{}", for_terminal(&line));
        }
    }
    if !report.spurious.is_empty() {
        let _ = writeln!(out, "\n{indent}spurious (extracted, not in the gold file):");
        for (fid, field, text, bg) in &report.spurious {
            let bg = if *bg { " [background]" } else { "" };
            let line = format!("{indent}  {fid}  {field:<10} {text}{bg}");
            let _ = writeln!(out, "{}", for_terminal(&line));
        }
    }
    if !indent.is_empty() {
        let _ = writeln!(out);
    }
}

/// `factsheet diff OLD.json NEW.json` or `factsheet diff <summit> --rules-from REV`.
pub fn diff(project: &Project, a: &str, b: Option<&str>, rules_from: Option<&str>) -> Result<u8> {
    let (old, new, what) = match (b, rules_from) {
        (Some(b), None) => (
            read_sheet(Path::new(a))?,
            read_sheet(Path::new(b))?,
            format!("{a} → {b}"),
        ),
        (None, Some(rev)) => {
            let summit = crate::ingest::load_summit(project, a)?;
            let old_rules = RulesAtRevision::checkout(project, rev)?;
            let old = pipeline::fact_sheet_with(&summit, &rules::load(old_rules.dir())?)?;
            let new = pipeline::fact_sheet_with(&summit, &rules_at(project, None)?)?;
            (
                old,
                new,
                format!("{a}: rules at {rev} → rules in the working tree"),
            )
        }
        (Some(_), Some(_)) => {
            return Err(Error::Usage(
                "give two facts.json files, or one summit with --rules-from REV, not both".into(),
            ));
        }
        (None, None) => {
            return Err(Error::Usage(
                "give two facts.json files, or a summit and --rules-from REV".into(),
            ));
        }
    };
    let d = diff::diff(&old, &new);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", for_terminal(&what));
    if d.is_empty() {
        let _ = writeln!(out, "no fact changed");
        return Ok(0);
    }
    let _ = writeln!(
        out,
        "{} added, {} removed, {} changed",
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    );
    for (rule, entries) in d.by_rule() {
        let _ = writeln!(out, "\n{rule}");
        for (sign, f, changes) in entries {
            let line = format!("  {sign} {} [{}] {}", f.id, f.field, f.text);
            let _ = writeln!(out, "{}", for_terminal(&line));
            for c in changes {
                let show = |v: &Option<serde_json::Value>| {
                    v.as_ref().map_or("(none)".to_string(), |v| v.to_string())
                };
                let line = format!("      {}: {} → {}", c.what, show(&c.old), show(&c.new));
                let _ = writeln!(out, "{}", for_terminal(&line));
            }
            if let Some(q) = f.sources.first() {
                let line = format!("      “{}” ({})", q.quote, q.sentence_id());
                let _ = writeln!(out, "{}", for_terminal(&line));
            }
        }
    }
    Ok(0)
}

fn read_sheet(path: &Path) -> Result<FactSheet> {
    let bytes = crate::paths::read_regular(path, crate::paths::max_file_bytes())?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Input {
        path: path.to_path_buf(),
        message: format!("is not a facts.json file: {e} (line {})", e.line()),
    })
}

/// The rule files of a git revision, copied into a temporary folder.
struct RulesAtRevision {
    dir: PathBuf,
}

impl RulesAtRevision {
    fn checkout(project: &Project, rev: &str) -> Result<Self> {
        let git = |args: &[&str]| -> Result<Vec<u8>> {
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
        };
        git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .map_err(|_| {
            Error::Usage(format!(
                "--rules-from {rev}: no such git revision in {}",
                project.root.display()
            ))
        })?;
        let prefix = String::from_utf8_lossy(&git(&["rev-parse", "--show-prefix"])?)
            .trim()
            .to_string();
        let listing = git(&["ls-tree", "--name-only", rev, &format!("{prefix}rules/")])?;
        let dir = std::env::temp_dir().join(format!(
            "factsheet-rules-{}-{}",
            std::process::id(),
            sanitize(rev)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut copied = 0;
        for path in String::from_utf8_lossy(&listing).lines() {
            if !(path.ends_with(".yaml") || path.ends_with(".yml")) {
                continue;
            }
            let content = git(&["show", &format!("{rev}:{path}")])?;
            let name = Path::new(path).file_name().unwrap_or_default();
            let target = dir.join(name);
            std::fs::write(&target, content).map_err(|e| Error::io(&target, e))?;
            copied += 1;
        }
        if copied == 0 {
            return Err(Error::Usage(format!("revision {rev} has no rules/*.yaml")));
        }
        Ok(RulesAtRevision { dir })
    }

    fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for RulesAtRevision {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn sanitize(rev: &str) -> String {
    rev.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// `factsheet check --corpus`: rule health over every summit.
pub fn corpus(project: &Project, rules_dir: Option<&Path>) -> Result<u8> {
    let rules = rules_at(project, rules_dir)?;
    let mut analyses = Vec::new();
    let mut failed = 0;
    for id in project.summit_ids()? {
        let analysed = crate::ingest::load_summit(project, &id).and_then(|summit| {
            super::warn_all(&summit.warnings);
            pipeline::analyse(&summit, &rules)
        });
        match analysed {
            Ok(a) => analyses.push((id.clone(), a)),
            Err(e) => {
                // One bad summit is reported; the health of the others still counts.
                failed += 1;
                eprintln!("error: {id}: {}", for_terminal(&e.to_string()));
            }
        }
    }
    let h = health::health(&rules, &analyses);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "\nrule health over {} summit(s):", analyses.len());
    if h.never_fired.is_empty() {
        let _ = writeln!(out, "\nevery rule fires at least once");
    } else {
        let _ = writeln!(out, "\nrules that never fire ({}):", h.never_fired.len());
        for r in &h.never_fired {
            let _ = writeln!(out, "  {r}");
        }
    }
    if h.overlaps.is_empty() {
        let _ = writeln!(out, "\nno two rules claim the same span");
    } else {
        let _ = writeln!(out, "\nrules that claim the same span:");
        for ((a, b), (n, winner, example)) in &h.overlaps {
            let how = match winner {
                Some(w) => format!("{w} wins by priority"),
                None => "both kept (equal priority)".to_string(),
            };
            let _ = writeln!(out, "  {a} × {b}: {n} time(s), {how}; e.g. {example}");
        }
    }
    let _ = writeln!(
        out,
        "\nunclaimed sentences ({}): a trigger word ({}) but no fact",
        h.unclaimed.len(),
        rules.triggers.join(" ")
    );
    for (summit, id, trigger, text) in &h.unclaimed {
        let _ = writeln!(out, "  {summit} {id} [{trigger}] {text}");
    }
    if !h.unclaimed_lists.is_empty() {
        let _ = writeln!(
            out,
            "\nnumbered lists no list rule claimed ({}):",
            h.unclaimed_lists.len()
        );
        for (summit, first, titles) in &h.unclaimed_lists {
            let _ = writeln!(out, "  {summit} {first}: {}", titles.join(" / "));
        }
    }
    if failed > 0 {
        eprintln!("{failed} summit(s) could not be read; their rule health is not counted");
        return Ok(1);
    }
    Ok(0)
}
