//! Runs the stages in order: the one place that knows the whole chain.

use crate::consolidate;
use crate::error::Result;
use crate::extract;
use crate::extract::Extraction;
use crate::facts::{FactSheet, Provenance, SourceInfo, SummitInfo};
use crate::ingest::{self, Summit};
use crate::normalise;
use crate::project::Project;
use crate::rules::{self, RuleSet};
use crate::segment::{self, Document, Simplifier};
use crate::summit::{SourceConfig, SourceFormat};
use crate::text::{MappedChar, MappedText};

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
    let read = in_order(&summit.sources, |_, config| {
        read_document(summit, config, simplifier)
    })?;
    let mut docs = Vec::with_capacity(read.len());
    let mut warnings = Vec::new();
    for (doc, w) in read {
        docs.push(doc);
        warnings.extend(w);
    }
    Ok((docs, warnings))
}

/// How many sentences a source holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceCount {
    /// All of them.
    pub sentences: usize,
    /// Those in spans summit.yaml leaves out.
    pub excluded: usize,
}

/// [`documents_with_warnings`] counted: each source's sentences, every document
/// dropped once counted (`factsheet list` needs no more).
pub fn sentence_counts(
    summit: &Summit,
    simplifier: &Simplifier,
) -> Result<(Vec<SentenceCount>, Vec<String>)> {
    let read = in_order(&summit.sources, |_, config| {
        let (doc, warnings) = read_document(summit, config, simplifier)?;
        let count = SentenceCount {
            sentences: doc.sentences.len(),
            excluded: doc.sentences.iter().filter(|s| s.excluded).count(),
        };
        Ok((count, warnings))
    })?;
    let (counts, warnings): (Vec<SentenceCount>, Vec<Vec<String>>) = read.into_iter().unzip();
    Ok((counts, warnings.into_iter().flatten().collect()))
}

/// Stages 1–3 for one source: read, normalise, segment.
fn read_document(
    summit: &Summit,
    config: &crate::summit::SourceConfig,
    simplifier: &Simplifier,
) -> Result<(Document, Vec<String>)> {
    let mut raw = ingest::read_source(summit, config)?;
    let warnings = std::mem::take(&mut raw.warnings);
    // The file's bytes are hashed and decoded by now; only its characters go on.
    raw.bytes = Vec::new();
    let norm = normalise::normalise(&raw)?;
    drop(raw);
    Ok((segment::segment(norm, simplifier)?, warnings))
}

/// `f` applied to every item, on the pool's threads, the results in the items' order;
/// the first error in that order wins, so a failure reads the same on any number of
/// threads.
fn in_order<T: Sync, U: Send>(
    items: &[T],
    f: impl Fn(usize, &T) -> Result<U> + Sync,
) -> Result<Vec<U>> {
    use rayon::prelude::*;
    let results: Vec<Result<U>> = items.par_iter().enumerate().map(|(i, t)| f(i, t)).collect();
    results.into_iter().collect()
}

/// Sets how many threads read and match sources (the default is one per core);
/// call it once, before any work.
pub fn set_threads(n: usize) -> Result<()> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global()
        .map_err(|e| crate::error::Error::Failed(format!("cannot start {n} threads: {e}")))
}

/// Builds the fact sheet of `summit` with the project's rules.
pub fn fact_sheet(project: &Project, summit: &Summit) -> Result<FactSheet> {
    let rules = rules::load(&project.rules_dir())?;
    fact_sheet_with(summit, &rules)
}

/// Builds the fact sheet of `summit` with `rules`: extraction, then consolidation.
pub fn fact_sheet_with(summit: &Summit, rules: &RuleSet) -> Result<FactSheet> {
    Ok(fact_sheet_and_warnings(summit, rules)?.0)
}

/// A source read on a worker thread: its matches taken, or, for a large one, the
/// document itself, whose matches are taken part by part as they are merged.
enum Read {
    Extracted(Extracted),
    Large(Document, Vec<String>),
}

/// What is kept of a source once its matches are taken.
struct Extracted {
    config: SourceConfig,
    sha256: String,
    extraction: Extraction,
    warnings: Vec<String>,
}

/// The fact sheet, and what the user should know about how the sources were read.
///
/// Sources go through stages 1–4 a few at a time, on the pool's threads, in canonical
/// order (speeches first, then summit.yaml order); their matches are merged into the
/// facts and dropped before the next few are read, and a large source's a part at a
/// time. Memory follows the largest sources and the facts, not the summit.
pub fn fact_sheet_and_warnings(
    summit: &Summit,
    rules: &RuleSet,
) -> Result<(FactSheet, Vec<String>)> {
    let simplifier = Simplifier::new()?;
    let view = matching_view(&simplifier);
    let mut consolidator = consolidate::Consolidator::new(rules, &view, false);
    let mut kept: Vec<Option<(SourceConfig, String, Vec<String>)>> =
        summit.sources.iter().map(|_| None).collect();
    let order = canonical_order(&summit.sources);
    let batch = batch_size();
    for (n, indexes) in order.chunks(batch).enumerate() {
        let done =
            in_order(indexes, |_, &i| read_source(summit, rules, i, &simplifier)).map_err(|e| {
                first_error_in_summit_order(summit, &order[n * batch..], e, &simplifier)
            })?;
        for (&i, read) in indexes.iter().zip(done) {
            kept[i] = Some(merge(&mut consolidator, rules, summit, i, read));
        }
    }
    let kept: Vec<(SourceConfig, String, Vec<String>)> = kept.into_iter().flatten().collect();
    let sources: Vec<(&SourceConfig, &str)> =
        kept.iter().map(|(c, sha, _)| (c, sha.as_str())).collect();
    let sheet = sheet_of(summit, rules, &sources, consolidator.finish());
    let warnings = kept.into_iter().flat_map(|(_, _, w)| w).collect();
    Ok((sheet, warnings))
}

/// Merges what source `i` gave (extracting a large one part by part here) and
/// returns what is kept of it: its declaration, hash and warnings.
fn merge(
    consolidator: &mut consolidate::Consolidator,
    rules: &RuleSet,
    summit: &Summit,
    i: usize,
    read: Read,
) -> (SourceConfig, String, Vec<String>) {
    match read {
        Read::Extracted(d) => {
            consolidator.add_source(d.extraction);
            (d.config, d.sha256, d.warnings)
        }
        Read::Large(doc, warnings) => {
            let mut take = |part: Extraction| consolidator.add_source(part);
            let parts = extract::Parts {
                sentences: extract::PART_SENTENCES,
                take: &mut take,
            };
            let doc = extract::extract_document_by_parts_dropping(
                rules,
                doc,
                i,
                &summit.config.date,
                parts,
            );
            (doc.config, doc.sha256, warnings)
        }
    }
}

/// Extracts source `i`, `doc`, a part at a time and merges each part (the document
/// kept, for the outputs that show it).
fn merge_by_parts(
    consolidator: &mut consolidate::Consolidator,
    rules: &RuleSet,
    doc: &Document,
    i: usize,
    date: &str,
) {
    let mut take = |part: Extraction| consolidator.add_source(part);
    let parts = extract::Parts {
        sentences: extract::PART_SENTENCES,
        take: &mut take,
    };
    extract::extract_document_by_parts(rules, doc, i, date, parts);
}

/// What source `i`, `doc`, gives, what only the analyst's tools read dropped; `None`
/// for a source too large to hold all its matches at once (see [`merge_by_parts`]).
fn extract_unless_large(
    rules: &RuleSet,
    doc: &Document,
    i: usize,
    date: &str,
) -> Option<Extraction> {
    if doc.sentences.len() > 2 * extract::PART_SENTENCES {
        return None;
    }
    Some(extract::extract_document_for_facts(rules, doc, i, date))
}

/// Stages 1–4 for source `i` of `summit`, what only the analyst's tools read
/// dropped; stages 1–3 only for a source too large to hold all its matches.
fn read_source(
    summit: &Summit,
    rules: &RuleSet,
    i: usize,
    simplifier: &Simplifier,
) -> Result<Read> {
    let (mut doc, warnings) = read_document(summit, &summit.sources[i], simplifier)?;
    // Rules read the sentences; the whole text is only shown in the HTML sheet.
    doc.text = Default::default();
    let Some(extraction) = extract_unless_large(rules, &doc, i, &summit.config.date) else {
        return Ok(Read::Large(doc, warnings));
    };
    Ok(Read::Extracted(Extracted {
        config: doc.config,
        sha256: doc.sha256,
        extraction,
        warnings,
    }))
}

/// A fact sheet and the documents it was built from, for the outputs that show
/// the sources (the HTML sheet).
#[derive(Debug)]
pub struct SheetAndSources {
    /// The fact sheet (facts.json).
    pub sheet: FactSheet,
    /// The segmented sources.
    pub docs: Vec<Document>,
    /// What the user should know about how the sources were read.
    pub warnings: Vec<String>,
}

/// The fact sheet of `summit`, as [`fact_sheet_and_warnings`] builds it, with every
/// source kept (what `build` renders): the matches are merged a batch of sources at
/// a time and dropped, as only [`analyse`] keeps them.
pub fn sheet_and_sources(summit: &Summit, rules: &RuleSet) -> Result<SheetAndSources> {
    let simplifier = Simplifier::new()?;
    let (docs, warnings) = documents_with_warnings(summit, &simplifier)?;
    let view = matching_view(&simplifier);
    let mut consolidator = consolidate::Consolidator::new(rules, &view, false);
    let date = &summit.config.date;
    for indexes in canonical_order(&summit.sources).chunks(batch_size()) {
        let extracted = in_order(indexes, |_, &i| {
            Ok(extract_unless_large(rules, &docs[i], i, date))
        })?;
        for (&i, extraction) in indexes.iter().zip(extracted) {
            match extraction {
                Some(e) => consolidator.add_source(e),
                None => merge_by_parts(&mut consolidator, rules, &docs[i], i, date),
            }
        }
    }
    let sheet = sheet_of(summit, rules, &sources_of(&docs), consolidator.finish());
    Ok(SheetAndSources {
        sheet,
        docs,
        warnings,
    })
}

/// The fact sheet of `summit` from its merged facts and its sources as read (each
/// one's declaration and the short hash of its file).
fn sheet_of(
    summit: &Summit,
    rules: &RuleSet,
    sources: &[(&SourceConfig, &str)],
    consolidated: consolidate::Consolidated,
) -> FactSheet {
    FactSheet {
        summit: summit_info(summit, sources),
        facts: consolidated.facts,
        notes: consolidated.notes,
        provenance: provenance(rules, summit, sources),
    }
}

/// How many sources are read and extracted at once: a few per thread, so that
/// threads stay busy while memory holds only a few sources' matches.
fn batch_size() -> usize {
    2 * rayon::current_num_threads()
}

/// The sources' indexes in the order consolidation ranks them: by kind (speech
/// first), then in summit.yaml order.
fn canonical_order(sources: &[SourceConfig]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..sources.len()).collect();
    order.sort_by_key(|&i| (sources[i].kind, i));
    order
}

/// The error to report when reading the sources at `rest` (in canonical order, a
/// batch failing first) failed with `error`: the first failure in summit.yaml
/// order, as when all sources are read at once, so a failure reads the same
/// whatever the order of work.
fn first_error_in_summit_order(
    summit: &Summit,
    rest: &[usize],
    error: crate::error::Error,
    simplifier: &Simplifier,
) -> crate::error::Error {
    let mut unread: Vec<usize> = rest.to_vec();
    unread.sort_unstable();
    for i in unread {
        match read_document(summit, &summit.sources[i], simplifier) {
            Err(e) => return e,
            Ok(_) => continue,
        }
    }
    error
}

/// The matching view of a text (simplified characters, no inserted pinyin), in
/// which consolidation compares matches.
fn matching_view(simplifier: &Simplifier) -> impl Fn(&str) -> String + '_ {
    |t: &str| segment::View::text_of(t, simplifier).unwrap_or_else(|| t.to_string())
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
    } = consolidate::consolidate(rules, extraction, &matching_view(&simplifier));
    let sources = sources_of(&docs);
    let sheet = FactSheet {
        summit: summit_info(summit, &sources),
        facts,
        notes,
        provenance: provenance(rules, summit, &sources),
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
    let sources = sources_of(&docs);
    Ok(FactSheet {
        summit: summit_info(summit, &sources),
        facts: extraction
            .matches
            .iter()
            .map(consolidate::raw_fact)
            .collect(),
        notes: extraction.notes,
        provenance: provenance(rules, summit, &sources),
    })
}

/// Each source's declaration (front-matter gaps filled) and the short hash of its file.
fn sources_of(docs: &[Document]) -> Vec<(&SourceConfig, &str)> {
    docs.iter()
        .map(|d| (&d.config, d.sha256.as_str()))
        .collect()
}

/// The summit's description for facts.json, from summit.yaml and the sources as read
/// (`sources`: each one's declaration, front matter filling what summit.yaml left out,
/// and the short hash of its file).
fn summit_info(summit: &Summit, sources: &[(&SourceConfig, &str)]) -> SummitInfo {
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
        sources: sources
            .iter()
            .map(|(config, sha256)| SourceInfo {
                doc: config.file.clone(),
                kind: config.kind.as_str().to_string(),
                title: clean_opt(&config.title),
                outlet: clean_opt(&config.outlet),
                date: config.date.clone(),
                url: clean_opt(&config.url),
                sha256: sha256.to_string(),
            })
            .collect(),
    }
}

/// Tool version and short hashes of the rule files and of the summit's inputs.
fn provenance(rules: &RuleSet, summit: &Summit, sources: &[(&SourceConfig, &str)]) -> Provenance {
    let mut parts: Vec<&[u8]> = vec![summit.yaml_sha256.as_bytes()];
    for (config, sha256) in sources {
        parts.push(config.file.as_bytes());
        parts.push(sha256.as_bytes());
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
    let mapped: MappedText = text
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
        text: mapped,
        warnings: Vec::new(),
        pages: Vec::new(),
        metadata: Default::default(),
    };
    segment::segment(normalise::normalise(&raw)?, simplifier)
}
