//! Runs the stages in order: the one place that knows the whole chain.

use crate::consolidate;
use crate::error::{Error, Result};
use crate::extract;
use crate::facts::{FactSheet, Provenance, SourceInfo, SummitInfo};
use crate::ingest::{self, Project, Summit};
use crate::normalise;
use crate::rules::{self, RuleSet};
use crate::segment::{self, Document, Simplifier};
use crate::summit::{MeetingFormat, SourceFormat};
use crate::text::MappedChar;

/// Reads, normalises and segments every source of `summit`.
pub fn documents(summit: &Summit, simplifier: &Simplifier) -> Result<Vec<Document>> {
    let mut docs = Vec::with_capacity(summit.sources.len());
    for config in &summit.sources {
        let raw = ingest::read_source(summit, config)?;
        let norm = normalise::normalise(&raw)?;
        docs.push(segment::segment(&norm, simplifier)?);
    }
    Ok(docs)
}

/// Builds the fact sheet of `summit` with the project's rules.
pub fn fact_sheet(project: &Project, summit: &Summit) -> Result<FactSheet> {
    let rules = rules::load(&project.rules_dir())?;
    fact_sheet_with(project, summit, &rules)
}

/// Builds the fact sheet of `summit` with `rules`: extraction, then consolidation.
pub fn fact_sheet_with(project: &Project, summit: &Summit, rules: &RuleSet) -> Result<FactSheet> {
    Ok(analyse(project, summit, rules)?.sheet)
}

/// Everything the pipeline knows about a summit, for the analyst's commands.
#[derive(Debug)]
pub struct Analysis {
    /// The segmented sources.
    pub docs: Vec<Document>,
    /// Consolidated facts with the matches behind each.
    pub consolidated: consolidate::Consolidated,
    /// Rule overlaps and unclaimed lists found while extracting.
    pub overlaps: Vec<extract::Overlap>,
    /// Numbered or parallel runs no list rule claimed.
    pub unclaimed_lists: Vec<extract::UnclaimedList>,
    /// The fact sheet (facts.json).
    pub sheet: FactSheet,
}

/// Runs extraction and consolidation and keeps the working.
pub fn analyse(project: &Project, summit: &Summit, rules: &RuleSet) -> Result<Analysis> {
    let simplifier = Simplifier::new()?;
    let docs = documents(summit, &simplifier)?;
    let mut extraction = extract::extract(rules, &docs);
    let overlaps = std::mem::take(&mut extraction.overlaps);
    let unclaimed_lists = std::mem::take(&mut extraction.unclaimed_lists);
    let consolidated = consolidate::consolidate(rules, summit, &docs, extraction);
    let sheet = FactSheet {
        summit: summit_info(summit)?,
        facts: consolidated.facts.clone(),
        notes: consolidated.notes.clone(),
        provenance: provenance(project, summit, &docs)?,
    };
    Ok(Analysis {
        docs,
        consolidated,
        overlaps,
        unclaimed_lists,
        sheet,
    })
}

/// The fact sheet before consolidation: every rule match is its own fact.
pub fn raw_fact_sheet(project: &Project, summit: &Summit, rules: &RuleSet) -> Result<FactSheet> {
    let simplifier = Simplifier::new()?;
    let docs = documents(summit, &simplifier)?;
    let extraction = extract::extract(rules, &docs);
    Ok(FactSheet {
        summit: summit_info(summit)?,
        facts: extraction
            .matches
            .iter()
            .map(consolidate::raw_fact)
            .collect(),
        notes: extraction.notes,
        provenance: provenance(project, summit, &docs)?,
    })
}

/// The summit's description for facts.json, with a content hash per source.
pub fn summit_info(summit: &Summit) -> Result<SummitInfo> {
    let c = &summit.config;
    let mut sources = Vec::new();
    for s in &summit.sources {
        let path = summit.source_path(s);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        // Front matter may fill title/outlet/date: take them from the normalised source.
        let raw = ingest::read_source(summit, s)?;
        let norm = normalise::normalise(&raw)?;
        let meta = norm.config;
        sources.push(SourceInfo {
            doc: s.file.clone(),
            kind: s.kind.as_str().to_string(),
            title: meta.title,
            outlet: meta.outlet,
            date: meta.date,
            url: meta.url,
            sha256: short_hash([bytes.as_slice()]),
        });
    }
    Ok(SummitInfo {
        id: summit.id.clone(),
        title: c.title.zh().to_string(),
        title_en: c.title.en().map(str::to_string),
        date: c.date.clone(),
        end_date: c.end_date.clone(),
        venue: c.venue.clone(),
        format: c.format.map(|f| match f {
            MeetingFormat::InPerson => "in-person".to_string(),
            MeetingFormat::Video => "video".to_string(),
            MeetingFormat::Hybrid => "hybrid".to_string(),
        }),
        host: c.host.clone(),
        participants: c.participants.clone(),
        documents: c.documents.clone(),
        sources,
    })
}

/// Tool version and short hashes of the rule files and of the summit's inputs.
pub fn provenance(project: &Project, summit: &Summit, _docs: &[Document]) -> Result<Provenance> {
    let mut rule_parts: Vec<Vec<u8>> = Vec::new();
    let rules_dir = project.rules_dir();
    if rules_dir.is_dir() {
        let mut names: Vec<_> = std::fs::read_dir(&rules_dir)
            .map_err(|e| Error::io(&rules_dir, e))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        names.sort();
        for p in names {
            rule_parts.push(
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .as_bytes()
                    .to_vec(),
            );
            rule_parts.push(std::fs::read(&p).map_err(|e| Error::io(&p, e))?);
        }
    }
    let mut source_parts: Vec<Vec<u8>> = Vec::new();
    let yaml = summit.dir.join("summit.yaml");
    source_parts.push(std::fs::read(&yaml).map_err(|e| Error::io(&yaml, e))?);
    for s in &summit.sources {
        let p = summit.source_path(s);
        source_parts.push(s.file.as_bytes().to_vec());
        source_parts.push(std::fs::read(&p).map_err(|e| Error::io(&p, e))?);
    }
    Ok(Provenance {
        tool: format!("factsheet {}", env!("CARGO_PKG_VERSION")),
        rules_sha256: short_hash(rule_parts.iter().map(|v| v.as_slice())),
        sources_sha256: short_hash(source_parts.iter().map(|v| v.as_slice())),
    })
}

/// First 12 hex digits of the SHA-256 of the parts, each prefixed by its length.
pub fn short_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
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
        encoding: ingest::Encoding::Utf8,
        format,
        chars,
    };
    segment::segment(&normalise::normalise(&raw)?, simplifier)
}
