//! `factsheet list` and `factsheet sentences`.

use std::io::Write;

use crate::error::{Error, Result};
use crate::ingest::Project;
use crate::pipeline;
use crate::segment::Simplifier;
use crate::text::for_terminal;

/// `factsheet list`: one line per summit.
pub fn list(project: &Project) -> Result<u8> {
    let ids = project.summit_ids()?;
    if ids.is_empty() {
        println!("no summits under {}", project.summits_dir().display());
        return Ok(0);
    }
    let simplifier = Simplifier::new()?;
    let mut rows = Vec::new();
    // A summit that cannot be read is reported, and the others are still listed.
    let mut failed = 0;
    for id in &ids {
        let loaded = project.load_summit(id).and_then(|summit| {
            super::warn_all(&summit.warnings);
            let (docs, warnings) = pipeline::documents_with_warnings(&summit, &simplifier)?;
            super::warn_all(&warnings);
            Ok((summit, docs))
        });
        let (summit, docs) = match loaded {
            Ok(x) => x,
            Err(e) => {
                failed += 1;
                eprintln!("error: {id}: {}", for_terminal(&e.to_string()));
                continue;
            }
        };
        let sentences: usize = docs.iter().map(|d| d.sentences.len()).sum();
        let excluded: usize = docs
            .iter()
            .map(|d| d.sentences.iter().filter(|s| s.excluded).count())
            .sum();
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
        rows.push([id.clone(), date, docs.len().to_string(), count, title]);
    }
    let header = ["ID", "DATE", "SOURCES", "SENTENCES", "TITLE"];
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    let line = |out: &mut std::io::StdoutLock, r: [&str; 5]| {
        let _ = writeln!(
            out,
            "{:<w0$}  {:<w1$}  {:>w2$}  {:>w3$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            for_terminal(r[4]),
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
    };
    line(&mut out, header);
    for r in &rows {
        line(&mut out, [&r[0], &r[1], &r[2], &r[3], &r[4]]);
    }
    if failed > 0 {
        eprintln!("{failed} of {} summit(s) could not be read", ids.len());
        return Ok(1);
    }
    Ok(0)
}

/// `factsheet sentences`: every sentence with id, byte span and text.
pub fn sentences(project: &Project, id: &str, source: Option<&str>, json: bool) -> Result<u8> {
    let summit = project.load_summit(id)?;
    super::warn_all(&summit.warnings);
    let simplifier = Simplifier::new()?;
    let (mut docs, warnings) = pipeline::documents_with_warnings(&summit, &simplifier)?;
    super::warn_all(&warnings);
    if let Some(name) = source {
        let names: Vec<String> = docs.iter().map(|d| d.name().to_string()).collect();
        let chosen = pick_source(&names, name)?;
        docs.retain(|d| d.name() == chosen);
    }
    let all: Vec<&crate::segment::Sentence> =
        docs.iter().flat_map(|d| d.sentences.iter()).collect();
    let mut out = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string_pretty(&all).map_err(|e| Error::Failed(e.to_string()))?;
        let _ = writeln!(out, "{text}");
    } else {
        for s in all {
            let mark = if s.excluded { "[left out] " } else { "" };
            let page = s.page.map(|p| format!("p. {p}\t")).unwrap_or_default();
            let line = format!("{}\t{}-{}\t{page}{mark}{}", s.id(), s.start, s.end, s.text);
            let _ = writeln!(out, "{}", for_terminal(&line));
        }
    }
    Ok(0)
}

/// Resolves `--source NAME`: an exact file name, or a prefix matching exactly one.
pub fn pick_source(names: &[String], wanted: &str) -> Result<String> {
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
