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

/// The fact sheet, and what the user should know about how the sources were read.
///
/// Sources are read a batch at a time, on the pool's threads, in canonical order
/// (speeches first, then summit.yaml order); each batch is extracted (its short
/// sources together, a group per thread) and its matches merged into the facts
/// and dropped before the next is read, a large source's a part at a time. Memory
/// follows the batch, the largest source and the facts, not the summit.
pub fn fact_sheet_and_warnings(
    summit: &Summit,
    rules: &RuleSet,
) -> Result<(FactSheet, Vec<String>)> {
    fact_sheet_in_batches(summit, rules, batch_limit())
}

/// [`fact_sheet_and_warnings`] with batches of about `limit` bytes of source files.
fn fact_sheet_in_batches(
    summit: &Summit,
    rules: &RuleSet,
    limit: u64,
) -> Result<(FactSheet, Vec<String>)> {
    let simplifier = Simplifier::new()?;
    let view = matching_view(&simplifier);
    let mut consolidator = consolidate::Consolidator::new(rules, &view, false);
    let mut kept: Vec<Option<(SourceConfig, String, Vec<String>)>> =
        summit.sources.iter().map(|_| None).collect();
    let order = canonical_order(&summit.sources);
    let mut done = 0;
    for indexes in batches(summit, &order, limit) {
        let read = in_order(&indexes, |_, &i| read_for_facts(summit, i, &simplifier))
            .map_err(|e| first_error_in_summit_order(summit, &order[done..], e, &simplifier))?;
        done += indexes.len();
        let extracted = {
            let docs: Vec<(usize, &Document)> = indexes
                .iter()
                .copied()
                .zip(read.iter().map(|r| &r.0))
                .collect();
            extract_batch(rules, &docs, &summit.config.date)
        };
        for ((&i, (doc, warnings)), extraction) in indexes.iter().zip(read).zip(extracted) {
            let doc = match extraction {
                Some(e) => {
                    consolidator.add_source(e);
                    doc
                }
                None => merge_large(&mut consolidator, rules, doc, i, &summit.config.date),
            };
            kept[i] = Some((doc.config, doc.sha256, warnings));
        }
    }
    let kept: Vec<(SourceConfig, String, Vec<String>)> = kept.into_iter().flatten().collect();
    let sources: Vec<(&SourceConfig, &str)> =
        kept.iter().map(|(c, sha, _)| (c, sha.as_str())).collect();
    let sheet = sheet_of(summit, rules, &sources, consolidator.finish());
    let warnings = kept.into_iter().flat_map(|(_, _, w)| w).collect();
    Ok((sheet, warnings))
}

/// Extracts the large source `i`, `doc`, a part at a time, merging each part and
/// dropping its sentences; returns the document without them.
fn merge_large(
    consolidator: &mut consolidate::Consolidator,
    rules: &RuleSet,
    doc: Document,
    i: usize,
    date: &str,
) -> Document {
    let mut take = |part: Extraction| consolidator.add_source(part);
    let parts = extract::Parts {
        sentences: extract::PART_SENTENCES,
        take: &mut take,
    };
    extract::extract_document_by_parts_dropping(rules, doc, i, date, parts)
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

/// True for a source too large to hold all its matches at once: it is extracted a
/// part at a time as it is merged.
fn is_large(doc: &Document) -> bool {
    doc.sentences.len() > 2 * extract::PART_SENTENCES
}

/// What the documents `docs` (each with its index, in canonical order) give for the
/// facts: the small ones cut into one group per thread, of about as many sentences
/// each, and each group extracted together on its thread
/// ([`extract::extract_documents_for_facts`]); `None` for a large one.
fn extract_batch(
    rules: &RuleSet,
    docs: &[(usize, &Document)],
    date: &str,
) -> Vec<Option<Extraction>> {
    use rayon::prelude::*;
    let small: Vec<(usize, &Document)> = docs.iter().copied().filter(|d| !is_large(d.1)).collect();
    let groups = groups_of(&small, rayon::current_num_threads());
    let extracted: Vec<Vec<Extraction>> = groups
        .par_iter()
        .map(|group| extract::extract_documents_for_facts(rules, group, date))
        .collect();
    let mut extracted = extracted.into_iter().flatten();
    docs.iter()
        .map(|d| {
            if is_large(d.1) {
                None
            } else {
                extracted.next()
            }
        })
        .collect()
}

/// `docs` cut into at most `n` runs of about as many sentences each, in order.
fn groups_of<'a>(docs: &[(usize, &'a Document)], n: usize) -> Vec<Vec<(usize, &'a Document)>> {
    let total: usize = docs.iter().map(|d| d.1.sentences.len()).sum();
    let each = total.div_ceil(n.max(1)).max(1);
    let mut groups: Vec<Vec<(usize, &Document)>> = vec![Vec::new()];
    let mut size = 0;
    for &d in docs {
        if size >= each {
            groups.push(Vec::new());
            size = 0;
        }
        size += d.1.sentences.len();
        groups.last_mut().expect("a group").push(d);
    }
    groups
}

/// Stages 1–3 for source `i` of `summit`, the document's whole text dropped (rules
/// read its sentences; only the HTML sheet shows the whole text).
fn read_for_facts(
    summit: &Summit,
    i: usize,
    simplifier: &Simplifier,
) -> Result<(Document, Vec<String>)> {
    let (mut doc, warnings) = read_document(summit, &summit.sources[i], simplifier)?;
    doc.text = Default::default();
    Ok((doc, warnings))
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
    for indexes in batches(summit, &canonical_order(&summit.sources), batch_limit()) {
        let batch: Vec<(usize, &Document)> = indexes.iter().map(|&i| (i, &docs[i])).collect();
        let extracted = extract_batch(rules, &batch, date);
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

/// About how many bytes of source files each thread reads and extracts per batch:
/// enough sentences for each rule to stay warm across them (see
/// [`extract::extract_documents_for_facts`]), few enough that memory holds only a
/// few megabytes of sources and their matches at once.
const BATCH_BYTES_PER_THREAD: u64 = 1 << 20;

/// How many bytes of source files a batch holds: [`BATCH_BYTES_PER_THREAD`] per
/// thread.
fn batch_limit() -> u64 {
    BATCH_BYTES_PER_THREAD * rayon::current_num_threads() as u64
}

/// `order` (source indexes) cut into batches, in order, each of about `limit`
/// bytes of source files ([`batch_limit`] in the pipeline), at least one source.
fn batches(summit: &Summit, order: &[usize], limit: u64) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut bytes = limit;
    for &i in order {
        if bytes >= limit {
            out.push(Vec::new());
            bytes = 0;
        }
        bytes += file_size(summit, i);
        out.last_mut().expect("a batch").push(i);
    }
    out
}

/// The size of source `i`'s file as listed (not following a symbolic link: reading
/// it checks where a link leads), 0 when it cannot be told: reading it says why.
fn file_size(summit: &Summit, i: usize) -> u64 {
    let path = summit.source_path(&summit.sources[i]);
    std::fs::symlink_metadata(path).map_or(0, |m| m.len())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn document(sentences: usize, simplifier: &Simplifier) -> Document {
        document_from_text(
            "t.txt",
            &"甲。".repeat(sentences),
            SourceFormat::Text,
            simplifier,
        )
        .unwrap()
    }

    #[test]
    fn groups_hold_about_as_many_sentences_each_in_order() {
        let simplifier = Simplifier::new().unwrap();
        let docs: Vec<Document> = [4, 1, 1, 2, 4, 2]
            .iter()
            .map(|&n| document(n, &simplifier))
            .collect();
        let indexed: Vec<(usize, &Document)> = docs.iter().enumerate().collect();
        let ids = |n: usize| -> Vec<Vec<usize>> {
            let groups = groups_of(&indexed, n);
            groups
                .iter()
                .map(|g| g.iter().map(|d| d.0).collect())
                .collect()
        };
        assert_eq!(ids(2), [vec![0, 1, 2, 3], vec![4, 5]]);
        assert_eq!(ids(1), [vec![0, 1, 2, 3, 4, 5]]);
        assert_eq!(ids(100).concat(), [0, 1, 2, 3, 4, 5]);
        assert!(groups_of(&[], 2).concat().is_empty());
    }

    /// A summit read a source per batch (as a summit of large reports is) gives the
    /// facts it gives in one batch, and those the analyst's tools give.
    #[test]
    fn batches_of_any_size_give_the_same_facts() {
        let project = Project::open(env!("CARGO_MANIFEST_DIR")).unwrap();
        let rules = rules::load(&project.rules_dir()).unwrap();
        let summit = ingest::load_summit(&project, "2023-xian").unwrap();
        let order = canonical_order(&summit.sources);
        assert_eq!(batches(&summit, &order, 1).len(), summit.sources.len());
        assert_eq!(batches(&summit, &order, u64::MAX).len(), 1);
        let one_each = fact_sheet_in_batches(&summit, &rules, 1).unwrap().0;
        let all = fact_sheet_in_batches(&summit, &rules, u64::MAX).unwrap().0;
        assert_eq!(one_each, all);
        assert_eq!(all, analyse(&summit, &rules).unwrap().sheet);
    }
}
