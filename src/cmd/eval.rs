//! `factsheet eval`: facts scored against the hand-made gold files.

use std::collections::BTreeMap;
use std::path::Path;

use factsheet::error::{Error, Result};
use factsheet::ingest;
use factsheet::pipeline;
use factsheet::project::Project;
use factsheet::review::eval;
use factsheet::rules::RuleSet;
use factsheet::text::for_terminal;

use super::out::Out;
use super::{rules_at, warn_all};
use crate::args::EvalArgs;

/// `factsheet eval <summit> [--gold FILE]`: exit 1 when F1 is below the floor.
pub fn eval(project: &Project, id: &str, args: &EvalArgs) -> Result<u8> {
    let summit = ingest::load_summit(project, id)?;
    warn_all(&summit.warnings);
    let path = args
        .gold
        .as_deref()
        .map_or_else(|| project.gold_file(id), Path::to_path_buf);
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
    let mut out = Out::new();
    out.line(score_header(""))?;
    for (field, s) in &report.fields {
        out.line(score_row("", field, s))?;
    }
    out.line(score_row("", "overall", &report.overall))?;
    write_details(&mut out, &report, "")?;
    let Some(floor) = args.min_f1.or(gold.min_f1) else {
        return Ok(0);
    };
    let f1 = report.overall.f1();
    if f1 < floor {
        out.line(format!("\nF1 {f1:.3} is below the floor {floor:.3}"))?;
        return Ok(1);
    }
    out.line(format!("\nF1 {f1:.3} ≥ floor {floor:.3}"))?;
    Ok(0)
}

/// `eval --all` as it goes: the summits scored, summed per field, and those under
/// their floor.
struct Tally<'a> {
    rules: &'a RuleSet,
    args: &'a EvalArgs,
    out: Out,
    scored: usize,
    totals: BTreeMap<String, eval::Score>,
    under: Vec<String>,
}

impl Tally<'_> {
    /// Scores summit `id` against the gold file at `path` and prints its rows.
    fn score(&mut self, project: &Project, id: &str, path: &Path) -> Result<()> {
        let gold = eval::load(path)?;
        let summit = ingest::load_summit(project, id)?;
        let sheet = pipeline::fact_sheet_with(&summit, self.rules)?;
        let report = eval::evaluate(&sheet, &gold);
        for (field, s) in &report.fields {
            self.out.line(score_row(id, field, s))?;
            self.totals.entry(field.clone()).or_default().add(s);
        }
        let floor = self.args.min_f1.or(gold.min_f1).unwrap_or(0.0);
        let f1 = report.overall.f1();
        let verdict = if f1 < floor { "UNDER" } else { "ok" };
        self.out.line(format!(
            "{}  {floor:.2} {verdict}",
            score_row(id, "overall", &report.overall)
        ))?;
        if f1 < floor {
            self.under.push(format!("{id} (F1 {f1:.3} < {floor:.3})"));
        }
        if self.args.details {
            write_details(&mut self.out, &report, "    ")?;
        }
        self.scored += 1;
        Ok(())
    }
}

/// `factsheet eval --all`: every summit with a gold file, one table with micro totals;
/// exit 1 when any summit is under its floor (`min_f1` of its file, or `--min-f1`).
pub fn eval_all(project: &Project, args: &EvalArgs) -> Result<u8> {
    let rules = rules_at(project, None)?;
    let mut t = Tally {
        rules: &rules,
        args,
        out: Out::new(),
        scored: 0,
        totals: BTreeMap::new(),
        under: Vec::new(),
    };
    t.out.line(format!("{}  floor", score_header("summit")))?;
    for id in &project.summit_ids()? {
        let path = project.gold_file(id);
        if path.is_file() {
            t.score(project, id, &path)?;
        }
    }
    if t.scored == 0 {
        return Err(Error::Usage(format!(
            "no gold files in {} for any summit",
            project.gold_dir().display()
        )));
    }
    let label = format!("micro ({} summits)", t.scored);
    let mut overall = eval::Score::default();
    for (field, s) in &t.totals {
        t.out.line(score_row(&label, field, s))?;
        overall.add(s);
    }
    t.out.line(score_row(&label, "overall", &overall))?;
    if t.under.is_empty() {
        t.out.line("\nevery summit is at or above its floor")?;
        Ok(0)
    } else {
        t.out
            .line(format!("\nunder the floor: {}", t.under.join(", ")))?;
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
fn write_details(out: &mut Out, report: &eval::Report, indent: &str) -> Result<()> {
    if !report.missing.is_empty() {
        out.line(format!(
            "\n{indent}missing (in the gold file, not extracted):"
        ))?;
        for m in &report.missing {
            let bg = if m.background { " [background]" } else { "" };
            let line = format!("{indent}  {:<10} {}{bg}", m.field, m.key);
            out.line(for_terminal(&line))?;
        }
    }
    if !report.spurious.is_empty() {
        out.line(format!(
            "\n{indent}spurious (extracted, not in the gold file):"
        ))?;
        for (fid, field, text, bg) in &report.spurious {
            let bg = if *bg { " [background]" } else { "" };
            let line = format!("{indent}  {fid}  {field:<10} {text}{bg}");
            out.line(for_terminal(&line))?;
        }
    }
    if !indent.is_empty() {
        out.blank()?;
    }
    Ok(())
}
