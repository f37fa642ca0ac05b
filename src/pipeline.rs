//! Runs the stages in order: the one place that knows the whole chain.

use crate::consolidate;
use crate::error::Result;
use crate::extract;
use crate::facts::{FactSheet, Provenance, SourceInfo, SummitInfo};
use crate::ingest::{self, Summit};
use crate::normalise;
use crate::project::Project;
use crate::rules::{self, RuleSet};
use crate::segment::{self, Document, Simplifier};
use crate::summit::SourceFormat;
use crate::text::MappedChar;

/// Reads, normalises and segments every source of `summit`.
pub fn documents(summit: &Summit, simplifier: &Simplifier) -> Result<Vec<Document>> {
    Ok(documents_with_warnings(summit, simplifier)?.0)
}

/// [`documents`], with what the user should know about how the sources were read
/// (a file read as GB18030 that looks like Latin-1).
pub fn documents_with_warnings(
    summit: &Summit,
    simplifier: &Simplifier,
) -> Result<(Vec<Document>, Vec<String>)> {
    let mut docs = Vec::with_capacity(summit.sources.len());
    let mut warnings = Vec::new();
    for config in &summit.sources {
        let raw = ingest::read_source(summit, config)?;
        warnings.extend(raw.warnings.iter().cloned());
        let norm = normalise::normalise(&raw)?;
        docs.push(segment::segment(&norm, simplifier)?);
    }
    Ok((docs, warnings))
}

/// Builds the fact sheet of `summit` with the project's rules.
pub fn fact_sheet(project: &Project, summit: &Summit) -> Result<FactSheet> {
    let rules = rules::load(&project.rules_dir())?;
    fact_sheet_with(summit, &rules)
}

/// Builds the fact sheet of `summit` with `rules`: extraction, then consolidation.
pub fn fact_sheet_with(summit: &Summit, rules: &RuleSet) -> Result<FactSheet> {
    Ok(analyse(summit, rules)?.sheet)
}

/// Everything the pipeline knows about a summit, for the analyst's commands.
#[derive(Debug)]
pub struct Analysis {
    /// The segmented sources.
    pub docs: Vec<Document>,
    /// For each fact of `sheet` (same index), the matches merged into it and why.
    pub groups: Vec<consolidate::Group>,
    /// Rule overlaps and unclaimed lists found while extracting.
    pub overlaps: Vec<extract::Overlap>,
    /// Numbered or parallel runs no list rule claimed.
    pub unclaimed_lists: Vec<extract::UnclaimedList>,
    /// The fact sheet (facts.json).
    pub sheet: FactSheet,
    /// What the user should know about how the sources were read.
    pub warnings: Vec<String>,
}

/// Runs extraction and consolidation and keeps the working.
pub fn analyse(summit: &Summit, rules: &RuleSet) -> Result<Analysis> {
    let simplifier = Simplifier::new()?;
    let (docs, warnings) = documents_with_warnings(summit, &simplifier)?;
    let mut extraction = extract::extract(rules, &docs, &summit.config.date);
    let overlaps = std::mem::take(&mut extraction.overlaps);
    let unclaimed_lists = std::mem::take(&mut extraction.unclaimed_lists);
    let consolidate::Consolidated {
        facts,
        notes,
        groups,
    } = consolidate::consolidate(rules, extraction, &|t: &str| {
        segment::View::of(t, &simplifier).map_or_else(|| t.to_string(), |v| v.text)
    });
    let sheet = FactSheet {
        summit: summit_info(summit, &docs),
        facts,
        notes,
        provenance: provenance(rules, summit, &docs),
    };
    Ok(Analysis {
        docs,
        groups,
        overlaps,
        unclaimed_lists,
        sheet,
        warnings,
    })
}

/// The fact sheet before consolidation: every rule match is its own fact.
pub fn raw_fact_sheet(summit: &Summit, rules: &RuleSet) -> Result<FactSheet> {
    let simplifier = Simplifier::new()?;
    let docs = documents(summit, &simplifier)?;
    let extraction = extract::extract(rules, &docs, &summit.config.date);
    Ok(FactSheet {
        summit: summit_info(summit, &docs),
        facts: extraction
            .matches
            .iter()
            .map(consolidate::raw_fact)
            .collect(),
        notes: extraction.notes,
        provenance: provenance(rules, summit, &docs),
    })
}

/// The summit's description for facts.json, from summit.yaml and the sources as read
/// (front matter fills what summit.yaml left out).
pub fn summit_info(summit: &Summit, docs: &[Document]) -> SummitInfo {
    let c = &summit.config;
    let clean = |s: &str| crate::text::without_controls(s);
    let clean_opt = |s: &Option<String>| s.as_deref().map(clean);
    SummitInfo {
        id: summit.id.clone(),
        title: clean(c.title.zh()),
        title_en: c.title.en().map(clean),
        date: c.date.clone(),
        end_date: c.end_date.clone(),
        venue: clean_opt(&c.venue),
        format: c.format.map(|f| f.as_str().to_string()),
        host: clean_opt(&c.host),
        participants: c.participants.iter().map(|p| clean(p)).collect(),
        documents: c.documents.iter().map(|d| clean(d)).collect(),
        sources: docs
            .iter()
            .map(|d| SourceInfo {
                doc: d.config.file.clone(),
                kind: d.config.kind.as_str().to_string(),
                title: clean_opt(&d.config.title),
                outlet: clean_opt(&d.config.outlet),
                date: d.config.date.clone(),
                url: clean_opt(&d.config.url),
                sha256: d.sha256.clone(),
            })
            .collect(),
    }
}

/// Tool version and short hashes of the rule files and of the summit's inputs.
pub fn provenance(rules: &RuleSet, summit: &Summit, docs: &[Document]) -> Provenance {
    let mut parts: Vec<&[u8]> = vec![summit.yaml_sha256.as_bytes()];
    for d in docs {
        parts.push(d.config.file.as_bytes());
        parts.push(d.sha256.as_bytes());
    }
    Provenance {
        tool: format!("factsheet {}", env!("CARGO_PKG_VERSION")),
        rules_sha256: rules.digest.clone(),
        sources_sha256: crate::hash::short_hash(parts),
    }
}

/// Normalises and segments an in-memory text as if it were a source file (for
/// rule examples, benchmarks and tests).
pub fn document_from_text(
    name: &str,
    text: &str,
    format: SourceFormat,
    simplifier: &Simplifier,
) -> Result<Document> {
    let chars: Vec<MappedChar> = text
        .char_indices()
        .map(|(i, c)| MappedChar::new(c, i as u32, (i + c.len_utf8()) as u32))
        .collect();
    let raw = ingest::RawSource {
        config: crate::summit::SourceConfig::undeclared(name.to_string()),
        path: name.into(),
        bytes: text.as_bytes().to_vec(),
        sha256: crate::hash::short_hash([text.as_bytes()]),
        encoding: ingest::Encoding::Utf8,
        format,
        chars,
        warnings: Vec::new(),
        pages: Vec::new(),
        metadata: Default::default(),
    };
    segment::segment(&normalise::normalise(&raw)?, simplifier)
}
