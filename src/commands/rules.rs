//! `factsheet check` and `factsheet extract`.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::pipeline;
use crate::project::Project;
use crate::rules::{self, check};
use crate::segment::Simplifier;

/// `factsheet check`: rule-file problems, then every rule's examples.
pub fn check(project: &Project, rules_dir: Option<&Path>) -> Result<u8> {
    let dir = rules_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| project.rules_dir());
    let (set, problems) = rules::load_with_problems(&dir)?;
    if !problems.is_empty() {
        // Errors go to stderr, as with every other command.
        let mut err = std::io::stderr().lock();
        for p in &problems {
            let _ = writeln!(err, "error: {}", crate::text::for_terminal(&p.to_string()));
        }
        let _ = writeln!(
            err,
            "\n{} problem(s) in {}; no examples were run",
            problems.len(),
            dir.display()
        );
        return Ok(1);
    }
    let mut out = std::io::stdout().lock();
    let set = set.expect("a rule set when there are no problems");
    let simplifier = Simplifier::new()?;
    let reports = check::run_examples(&set, &simplifier);
    let width = reports.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut failed = 0;
    let mut examples = 0;
    for r in &reports {
        examples += r.examples;
        if r.failures.is_empty() {
            let _ = writeln!(
                out,
                "ok    {:<width$}  {} examples  {}",
                r.id, r.examples, r.location
            );
        } else {
            failed += 1;
            let _ = writeln!(out, "FAIL  {:<width$}  {}", r.id, r.location);
            for f in &r.failures {
                let _ = writeln!(out, "        {f}");
            }
        }
    }
    let fields: Vec<&str> = set.fields.iter().map(|f| f.name.as_str()).collect();
    let _ = writeln!(
        out,
        "\n{} rules in {} fields ({}), {examples} examples: {}",
        reports.len(),
        fields.len(),
        fields.join(", "),
        if failed == 0 {
            "all pass".to_string()
        } else {
            format!("{failed} rule(s) FAIL")
        }
    );
    Ok(if failed == 0 { 0 } else { 1 })
}

/// `factsheet extract`: the facts of a summit, in the facts.json shape.
pub fn extract(
    project: &Project,
    id: &str,
    rules_dir: Option<&Path>,
    yaml: bool,
    raw: bool,
) -> Result<u8> {
    let summit = crate::ingest::load_summit(project, id)?;
    super::warn_all(&summit.warnings);
    let dir = rules_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| project.rules_dir());
    let rules = rules::load(&dir)?;
    let sheet = if raw {
        pipeline::raw_fact_sheet(&summit, &rules)?
    } else {
        let analysis = pipeline::analyse(&summit, &rules)?;
        super::warn_all(&analysis.warnings);
        analysis.sheet
    };
    let text = if yaml {
        crate::yaml::to_string(&sheet)?
    } else {
        let mut t =
            serde_json::to_string_pretty(&sheet).map_err(|e| Error::Failed(e.to_string()))?;
        t.push('\n');
        t
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(0)
}
