//! `factsheet check --corpus`: rule health over every summit.

use std::path::Path;

use factsheet::error::Result;
use factsheet::ingest;
use factsheet::pipeline::{self, Analysis};
use factsheet::project::Project;
use factsheet::review::health::{self, Health};
use factsheet::rules::RuleSet;
use factsheet::text::for_terminal;

use super::out::Out;
use super::{rules_at, warn_all};

/// `factsheet check --corpus`: rules that never fire, rules claiming the same span,
/// sentences with a trigger word but no fact, and lists no rule claimed.
pub fn corpus(project: &Project, rules_dir: Option<&Path>) -> Result<u8> {
    let rules = rules_at(project, rules_dir)?;
    let mut analyses: Vec<(String, Analysis)> = Vec::new();
    let mut failed = 0;
    for id in project.summit_ids()? {
        let analysed = ingest::load_summit(project, &id).and_then(|summit| {
            warn_all(&summit.warnings);
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
    let mut out = Out::new();
    out.line(format!("\nrule health over {} summit(s):", analyses.len()))?;
    print_rules(&mut out, &h)?;
    print_unclaimed(&mut out, &h, &rules)?;
    if failed > 0 {
        eprintln!("{failed} summit(s) could not be read; their rule health is not counted");
        return Ok(1);
    }
    Ok(0)
}

/// Rules that never fire, and rules that claim the same span.
fn print_rules(out: &mut Out, h: &Health) -> Result<()> {
    if h.never_fired.is_empty() {
        out.line("\nevery rule fires at least once")?;
    } else {
        out.line(format!(
            "\nrules that never fire ({}):",
            h.never_fired.len()
        ))?;
        for r in &h.never_fired {
            out.line(format!("  {r}"))?;
        }
    }
    if h.overlaps.is_empty() {
        return out.line("\nno two rules claim the same span");
    }
    out.line("\nrules that claim the same span:")?;
    for ((a, b), (n, winner, example)) in &h.overlaps {
        let how = match winner {
            Some(w) => format!("{w} wins by priority"),
            None => "both kept (equal priority)".to_string(),
        };
        out.line(format!("  {a} × {b}: {n} time(s), {how}; e.g. {example}"))?;
    }
    Ok(())
}

/// Sentences with a trigger word but no fact, and lists no rule claimed.
fn print_unclaimed(out: &mut Out, h: &Health, rules: &RuleSet) -> Result<()> {
    out.line(format!(
        "\nunclaimed sentences ({}): a trigger word ({}) but no fact",
        h.unclaimed.len(),
        rules.triggers.join(" ")
    ))?;
    for (summit, id, trigger, text) in &h.unclaimed {
        out.line(format!("  {summit} {id} [{trigger}] {text}"))?;
    }
    if h.unclaimed_lists.is_empty() {
        return Ok(());
    }
    out.line(format!(
        "\nnumbered lists no list rule claimed ({}):",
        h.unclaimed_lists.len()
    ))?;
    for (summit, first, titles) in &h.unclaimed_lists {
        out.line(format!("  {summit} {first}: {}", titles.join(" / ")))?;
    }
    Ok(())
}
