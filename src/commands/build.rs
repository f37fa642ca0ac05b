//! `factsheet build`: the fact sheets briefing staff print.

use std::path::Path;

use crate::error::{Error, Result};
use crate::ingest::Summit;
use crate::pipeline;
use crate::project::Project;
use crate::render::typst::{self, TypstRequest};
use crate::render::{self, RenderOptions, RenderReport};
use crate::rules::RuleSet;
use crate::text::for_terminal;

/// `factsheet build <summit>... | --all`: writes `out/<summit>/` for each summit and
/// prints what it wrote. Returns exit code 1 when any summit failed.
pub fn build(project: &Project, ids: &[String], all: bool, request: &TypstRequest) -> Result<u8> {
    let ids = chosen_ids(project, ids, all)?;
    // Load every summit first: a typo in an id is reported before typst is looked for,
    // and a summit that cannot be read (or written) is reported while the others build.
    let mut failed = 0;
    let mut summits = Vec::new();
    for id in &ids {
        match crate::ingest::load_summit(project, id)
            .and_then(|s| project.checked_out_dir(id).map(|_| s))
        {
            Ok(s) => summits.push(s),
            Err(e) if e.exit_code() == 2 => return Err(e),
            Err(e) => {
                failed += 1;
                eprintln!("error: {id}: {}", for_terminal(&e.to_string()));
            }
        }
    }
    if summits.is_empty() {
        eprintln!("{failed} of {} fact sheet(s) failed", ids.len());
        return Ok(1);
    }
    // Rules once for all summits, and before typst: a broken rule file is reported
    // without first waiting for a typst install.
    let rules = crate::rules::load(&project.rules_dir())?;
    let typst = typst::resolve(request)?;
    for w in &typst.warnings {
        eprintln!("warning: {w}");
    }
    println!(
        "typst {} ({}: {})",
        typst.version,
        typst.origin.describe(),
        typst.path.display()
    );
    let options = RenderOptions::new(project, typst)?;
    for summit in &summits {
        super::warn_all(&summit.warnings);
        match build_one(project, summit, &rules, &options) {
            Ok(report) => print_report(summit, &report),
            Err(e) => {
                failed += 1;
                eprintln!("error: {}: {}", summit.id, for_terminal(&e.to_string()));
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} fact sheet(s) failed", ids.len());
        return Ok(1);
    }
    Ok(0)
}

/// The summit ids a command is asked for: the given ones, or every summit with `--all`.
pub fn chosen_ids(project: &Project, ids: &[String], all: bool) -> Result<Vec<String>> {
    match (all, ids.is_empty()) {
        (true, false) => Err(Error::Usage(
            "give summit ids or --all, not both".to_string(),
        )),
        (false, true) => Err(Error::Usage(format!(
            "name the summit(s) to build, or pass --all; summits: {}",
            project.summit_ids()?.join(", ")
        ))),
        (true, true) => {
            let ids = project.summit_ids()?;
            if ids.is_empty() {
                return Err(Error::Usage(format!(
                    "no summits under {}",
                    project.summits_dir().display()
                )));
            }
            Ok(ids)
        }
        (false, false) => Ok(ids.to_vec()),
    }
}

fn build_one(
    project: &Project,
    summit: &Summit,
    rules: &RuleSet,
    options: &RenderOptions,
) -> Result<RenderReport> {
    let analysis = pipeline::analyse(summit, rules)?;
    super::warn_all(&analysis.warnings);
    render::render(project, &analysis.sheet, &rules.fields, options)
}

fn print_report(summit: &Summit, report: &RenderReport) {
    println!("{}  {}", report.summit, summit.config.title.zh());
    for f in &report.files {
        if f.extension().is_some_and(|e| e == "pdf") {
            println!("  wrote {}  ({} pages)", shown(f), report.pages);
        } else {
            println!("  wrote {}", shown(f));
        }
    }
    if report.counts.is_empty() {
        println!("  facts: none");
    } else {
        let parts: Vec<String> = report
            .counts
            .iter()
            .map(|c| match c.background {
                0 => format!("{} {}", c.field, c.total),
                b => format!("{} {} ({b} background)", c.field, c.total),
            })
            .collect();
        println!("  facts: {}", parts.join(", "));
    }
    for w in &report.warnings {
        eprintln!("warning: {}: {w}", report.summit);
    }
}

/// A path as the user should read it: without a leading `./`.
pub fn shown(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
