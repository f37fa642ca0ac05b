//! `factsheet check` and `factsheet extract`.

use std::path::Path;

use factsheet::error::Result;
use factsheet::ingest;
use factsheet::pipeline;
use factsheet::project::Project;
use factsheet::review::examples;
use factsheet::rules::{self, RuleSet};
use factsheet::segment::Simplifier;
use factsheet::text::for_terminal;

use super::out::Out;
use super::{rules_at, rules_dir, warn_all};
use crate::args::{ExtractArgs, JsonOrYaml};

/// `factsheet check`: rule-file problems, then every rule's examples.
pub fn check(project: &Project, dir: Option<&Path>) -> Result<u8> {
    let dir = rules_dir(project, dir);
    let (set, problems) = rules::load_with_problems(&dir)?;
    let Some(set) = set.filter(|_| problems.is_empty()) else {
        // Errors go to stderr, as with every other command.
        for p in &problems {
            eprintln!("error: {}", for_terminal(&p.to_string()));
        }
        eprintln!(
            "\n{} problem(s) in {}; no examples were run",
            problems.len(),
            dir.display()
        );
        return Ok(1);
    };
    let reports = examples::run_examples(&set, &Simplifier::new()?);
    let failed = print_reports(&mut Out::new(), &set, &reports)?;
    Ok(if failed == 0 { 0 } else { 1 })
}

/// One line per rule (and the failures of those that fail), then a summary; returns
/// how many rules failed.
fn print_reports(out: &mut Out, set: &RuleSet, reports: &[examples::RuleReport]) -> Result<usize> {
    let width = reports.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut failed = 0;
    let mut examples = 0;
    for r in reports {
        examples += r.examples;
        if r.failures.is_empty() {
            out.line(format!(
                "ok    {:<width$}  {} examples  {}",
                r.id, r.examples, r.location
            ))?;
        } else {
            failed += 1;
            out.line(format!("FAIL  {:<width$}  {}", r.id, r.location))?;
            for f in &r.failures {
                out.line(format!("        {f}"))?;
            }
        }
    }
    let fields: Vec<&str> = set.fields.iter().map(|f| f.name.as_str()).collect();
    out.line(format!(
        "\n{} rules in {} fields ({}), {examples} examples: {}",
        reports.len(),
        fields.len(),
        fields.join(", "),
        if failed == 0 {
            "all pass".to_string()
        } else {
            format!("{failed} rule(s) FAIL")
        }
    ))?;
    Ok(failed)
}

/// `factsheet extract`: the facts of a summit, in the facts.json shape.
pub fn extract(project: &Project, args: &ExtractArgs) -> Result<u8> {
    let summit = ingest::load_summit(project, &args.summit)?;
    warn_all(&summit.warnings);
    let rules = rules_at(project, args.rules.as_deref())?;
    let sheet = if args.raw {
        pipeline::raw_fact_sheet(&summit, &rules)?
    } else {
        let (sheet, warnings) = pipeline::fact_sheet_and_warnings(&summit, &rules)?;
        warn_all(&warnings);
        sheet
    };
    if args.format == JsonOrYaml::Yaml {
        Out::new().text(&factsheet::yaml::to_string(&sheet)?)?;
    } else {
        Out::new().json(&sheet)?;
    }
    Ok(0)
}
