//! `factsheet build`: the fact sheets briefing staff print.

use factsheet::error::{Error, Result};
use factsheet::ingest::{self, Summit};
use factsheet::pipeline;
use factsheet::project::Project;
use factsheet::render::{self, Input, RenderOptions, RenderReport, provision, stamp, typst};
use factsheet::rules::RuleSet;
use factsheet::text::for_terminal;

use super::out::Out;
use super::{shown, warn_all};
use crate::args::BuildArgs;

/// `factsheet build <summit>... | --all`: writes `out/<summit>/` for each summit and
/// prints what it wrote. Returns exit code 1 when any summit failed.
pub fn build(project: &Project, args: &BuildArgs) -> Result<u8> {
    let ids = chosen_ids(project, args)?;
    // Load every summit first: a typo in an id is reported before typst is looked for,
    // and a summit that cannot be read (or written) is reported while the others build.
    let mut failed = 0;
    let mut summits = Vec::new();
    for id in &ids {
        match ingest::load_summit(project, id).and_then(|s| project.checked_out_dir(id).map(|_| s))
        {
            Ok(s) => summits.push(s),
            Err(e) if e.exit_code() == 2 => return Err(e),
            Err(e) => {
                failed += 1;
                eprintln!("error: {id}: {}", for_terminal(&e.to_string()));
            }
        }
    }
    if !summits.is_empty() {
        failed += build_all(project, args, &summits)?;
    }
    if failed > 0 {
        eprintln!("{failed} of {} fact sheet(s) failed", ids.len());
        return Ok(1);
    }
    Ok(0)
}

/// Builds `summits` whose outputs are not already up to date; returns how many failed.
fn build_all(project: &Project, args: &BuildArgs, summits: &[Summit]) -> Result<usize> {
    let mut out = Out::new();
    let names: Vec<&str> = args.format.iter().map(|f| f.name()).collect();
    // The typst a build would use is one of its inputs; found here without installing
    // anything (a build that must install it is not up to date anyway).
    let found = typst::find(&args.typst.request()).ok().flatten();
    let stale = needing_build(project, args, found.as_ref(), summits, &mut out)?;
    if stale.is_empty() {
        return Ok(0);
    }
    // Rules once for all summits, and before typst: a broken rule file is reported
    // without first waiting for a typst install.
    let rules = factsheet::rules::load(&project.rules_dir())?;
    let (mut options, typst) = render_options(project, &names, args, &mut out)?;
    options.take_over_unchanged = !args.force;
    let identity = |t: &typst::Typst| (t.path.clone(), t.version.clone());
    let typst_changed = found.as_ref().map(identity) != typst.as_ref().map(identity);
    let mut failed = 0;
    for (summit, mut digest) in stale {
        warn_all(&summit.warnings);
        if typst_changed {
            // What the build reads, with the typst it really uses (just installed).
            digest = stamp::inputs_digest(project, summit, &names, typst.as_ref());
        }
        match build_one(project, summit, &rules, &options, digest.as_deref()) {
            Ok(report) => print_report(&mut out, summit, &report)?,
            Err(e) => {
                failed += 1;
                eprintln!("error: {}: {}", summit.id, for_terminal(&e.to_string()));
            }
        }
    }
    Ok(failed)
}

/// The summits to build, each with the digest of its inputs: all of them with
/// `--force`, else those whose outputs are not what a build with `typst` would write
/// now. The others are reported up to date.
fn needing_build<'a>(
    project: &Project,
    args: &BuildArgs,
    typst: Option<&typst::Typst>,
    summits: &'a [Summit],
    out: &mut Out,
) -> Result<Vec<(&'a Summit, Option<String>)>> {
    let names: Vec<&str> = args.format.iter().map(|f| f.name()).collect();
    let mut stale = Vec::new();
    for summit in summits {
        let digest = stamp::inputs_digest(project, summit, &names, typst);
        let dir = project.out_dir(&summit.id);
        if !args.force
            && digest
                .as_deref()
                .is_some_and(|d| stamp::is_current(&dir, d))
        {
            warn_all(&summit.warnings);
            out.line(format!("{}  {}", summit.id, summit.config.title.zh()))?;
            out.line(format!(
                "  up to date: {}/ (nothing changed since the last build; --force builds again)",
                shown(&dir)
            ))?;
        } else {
            stale.push((summit, digest));
        }
    }
    Ok(stale)
}

/// The renderers `names` asks for, and the typst they use. typst is found (or
/// installed) only for the PDF; otherwise the colophon names the typst that would be
/// used, if there is one.
fn render_options(
    project: &Project,
    names: &[&str],
    args: &BuildArgs,
    out: &mut Out,
) -> Result<(RenderOptions, Option<typst::Typst>)> {
    let request = args.typst.request();
    if !names.contains(&"pdf") {
        let typst = typst::find(&request).ok().flatten();
        return Ok((RenderOptions::named(project, names, typst.clone())?, typst));
    }
    let typst = provision::resolve(&request)?;
    for w in &typst.warnings {
        eprintln!("warning: {w}");
    }
    out.line(format!(
        "typst {} ({}: {})",
        typst.version,
        typst.origin.describe(),
        typst.path.display()
    ))?;
    let options = RenderOptions::named(project, names, Some(typst.clone()))?;
    Ok((options, Some(typst)))
}

/// The summit ids asked for: the given ones, or every summit with `--all` (clap
/// makes sure it is one or the other).
fn chosen_ids(project: &Project, args: &BuildArgs) -> Result<Vec<String>> {
    if !args.all {
        return Ok(args.summits.clone());
    }
    let ids = project.summit_ids()?;
    if ids.is_empty() {
        return Err(Error::Usage(format!(
            "no summits under {}",
            project.summits_dir().display()
        )));
    }
    Ok(ids)
}

fn build_one(
    project: &Project,
    summit: &Summit,
    rules: &RuleSet,
    options: &RenderOptions,
    inputs_digest: Option<&str>,
) -> Result<RenderReport> {
    let built = pipeline::sheet_and_sources(summit, rules)?;
    warn_all(&built.warnings);
    let input = Input::new(&built.sheet, &rules.fields)
        .with_sources(&built.docs, &rules.triggers)
        .with_inputs_digest(inputs_digest);
    render::render(project, &input, options)
}

fn print_report(out: &mut Out, summit: &Summit, report: &RenderReport) -> Result<()> {
    out.line(format!("{}  {}", report.summit, summit.config.title.zh()))?;
    for f in &report.files {
        let unchanged = if report.reused.contains(f) {
            "; unchanged, typst not run"
        } else {
            ""
        };
        if f.extension().is_some_and(|e| e == "pdf") && report.pages > 0 {
            let pages = report.pages;
            out.line(format!("  wrote {}  ({pages} pages{unchanged})", shown(f)))?;
        } else {
            out.line(format!("  wrote {}", shown(f)))?;
        }
    }
    if report.counts.is_empty() {
        out.line("  facts: none")?;
    } else {
        let parts: Vec<String> = report
            .counts
            .iter()
            .map(|c| match c.background {
                0 => format!("{} {}", c.field, c.total),
                b => format!("{} {} ({b} background)", c.field, c.total),
            })
            .collect();
        out.line(format!("  facts: {}", parts.join(", ")))?;
    }
    for w in &report.warnings {
        eprintln!("warning: {}: {w}", report.summit);
    }
    Ok(())
}
