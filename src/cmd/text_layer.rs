//! `factsheet list` and `factsheet sentences`.

use factsheet::error::{Error, Result};
use factsheet::ingest::{self, Summit};
use factsheet::pipeline::{self, SentenceCount};
use factsheet::project::Project;
use factsheet::segment::{Sentence, Simplifier};
use factsheet::text::for_terminal;

use super::out::Out;
use super::warn_all;
use crate::args::{SentencesArgs, TextOrJson};

/// `factsheet list`: one line per summit.
pub fn list(project: &Project) -> Result<u8> {
    let ids = project.summit_ids()?;
    let mut out = Out::new();
    if ids.is_empty() {
        out.line(format!(
            "no summits under {}",
            project.summits_dir().display()
        ))?;
        return Ok(0);
    }
    let simplifier = Simplifier::new()?;
    let mut rows = Vec::new();
    // A summit that cannot be read is reported, and the others are still listed.
    let mut failed = 0;
    for id in &ids {
        let loaded = ingest::load_summit(project, id).and_then(|summit| {
            warn_all(&summit.warnings);
            let (counts, warnings) = pipeline::sentence_counts(&summit, &simplifier)?;
            warn_all(&warnings);
            Ok((summit, counts))
        });
        match loaded {
            Ok((summit, counts)) => rows.push(row(id, &summit, &counts)),
            Err(e) => {
                failed += 1;
                eprintln!("error: {id}: {}", for_terminal(&e.to_string()));
            }
        }
    }
    print_table(&mut out, &rows)?;
    if failed > 0 {
        eprintln!("{failed} of {} summit(s) could not be read", ids.len());
        return Ok(1);
    }
    Ok(0)
}

/// One line of `list`: id, dates, sources, sentences, title.
fn row(id: &str, summit: &Summit, counts: &[SentenceCount]) -> [String; 5] {
    let sentences: usize = counts.iter().map(|c| c.sentences).sum();
    let excluded: usize = counts.iter().map(|c| c.excluded).sum();
    let date = match &summit.config.end_date {
        Some(end) => format!("{}/{}", summit.config.date, &end[5..]),
        None => summit.config.date.clone(),
    };
    let mut title = summit.config.title.zh().to_string();
    if let Some(en) = summit.config.title.en() {
        title.push_str(" / ");
        title.push_str(en);
    }
    let count = if excluded > 0 {
        format!("{sentences} ({excluded} left out)")
    } else {
        sentences.to_string()
    };
    [id.to_string(), date, counts.len().to_string(), count, title]
}

/// The rows under a header, in columns as wide as their widest cell.
fn print_table(out: &mut Out, rows: &[[String; 5]]) -> Result<()> {
    let header = ["ID", "DATE", "SOURCES", "SENTENCES", "TITLE"].map(str::to_string);
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in std::iter::once(&header).chain(rows) {
        out.line(format!(
            "{:<w0$}  {:<w1$}  {:>w2$}  {:>w3$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            for_terminal(&r[4]),
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        ))?;
    }
    Ok(())
}

/// `factsheet sentences`: every sentence with id, byte span and text.
pub fn sentences(project: &Project, args: &SentencesArgs) -> Result<u8> {
    let summit = ingest::load_summit(project, &args.summit)?;
    warn_all(&summit.warnings);
    let simplifier = Simplifier::new()?;
    let (mut docs, warnings) = pipeline::documents_with_warnings(&summit, &simplifier)?;
    warn_all(&warnings);
    if let Some(name) = &args.source {
        let names: Vec<String> = docs.iter().map(|d| d.name().to_string()).collect();
        let chosen = pick_source(&names, name)?;
        docs.retain(|d| d.name() == chosen);
    }
    let all: Vec<&Sentence> = docs.iter().flat_map(|d| d.sentences.iter()).collect();
    let mut out = Out::new();
    if args.format == TextOrJson::Json {
        let text = serde_json::to_string_pretty(&all).map_err(|e| Error::Failed(e.to_string()))?;
        out.line(text)?;
    } else {
        for s in all {
            let mark = if s.excluded { "[left out] " } else { "" };
            let page = s.page.map(|p| format!("p. {p}\t")).unwrap_or_default();
            let line = format!("{}\t{}-{}\t{page}{mark}{}", s.id(), s.start, s.end, s.text);
            out.line(for_terminal(&line))?;
        }
    }
    Ok(0)
}

/// Resolves `--source NAME`: an exact file name, or a prefix matching exactly one.
fn pick_source(names: &[String], wanted: &str) -> Result<String> {
    if let Some(n) = names.iter().find(|n| n.as_str() == wanted) {
        return Ok(n.clone());
    }
    let matches: Vec<&String> = names.iter().filter(|n| n.starts_with(wanted)).collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Error::Usage(format!(
            "no source named {wanted:?}; sources: {}",
            names.join(", ")
        ))),
        many => Err(Error::Usage(format!(
            "{wanted:?} names more than one source: {}",
            many.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
