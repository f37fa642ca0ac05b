//! Throughput of segmentation + extraction on a generated corpus of at least 50 MB.
//!
//! Run with `cargo bench` (or `cargo bench --bench throughput`). The corpus is made
//! from the seed sentences, shuffled with a fixed seed into documents of about
//! 100 KB, so every run measures the same input. Reports MB/s for one thread and
//! for all cores (documents are independent: extraction has no shared state).

use std::time::Instant;

use factsheet::extract;
use factsheet::pipeline;
use factsheet::project::Project;
use factsheet::rules;
use factsheet::segment::Simplifier;
use factsheet::summit::SourceFormat;

/// Corpus size; `FACTSHEET_BENCH_MB` overrides the default of 50 MB for quick runs.
fn target_bytes() -> usize {
    std::env::var("FACTSHEET_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50)
        * 1024
        * 1024
}
const DOC_BYTES: usize = 100 * 1024;
/// The summit date the synthetic documents are read against (dated cues before it are background).
const BENCH_DATE: &str = "2023-05-18";

/// A small deterministic generator (xorshift), so the corpus is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let project = Project::open(&root).expect("project");
    let simplifier = Simplifier::new().expect("opencc");
    let rules = rules::load(&project.rules_dir()).expect("rules");

    // Every included sentence of every seed source.
    let mut sentences = Vec::new();
    for id in project.summit_ids().expect("summits") {
        let summit = factsheet::ingest::load_summit(&project, &id).expect("summit");
        for doc in pipeline::documents(&summit, &simplifier).expect("documents") {
            sentences.extend(doc.included().map(|s| s.text.clone()));
        }
    }
    // Documents: paragraphs of 1–6 shuffled sentences, full-width indents.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut docs = Vec::new();
    let mut total = 0;
    while total < target_bytes() {
        let mut doc = String::with_capacity(DOC_BYTES + 1024);
        while doc.len() < DOC_BYTES {
            doc.push_str("\u{3000}\u{3000}");
            for _ in 0..1 + rng.next() % 6 {
                doc.push_str(&sentences[(rng.next() % sentences.len() as u64) as usize]);
            }
            doc.push('\n');
        }
        total += doc.len();
        docs.push(doc);
    }
    let mb = total as f64 / (1024.0 * 1024.0);
    println!(
        "corpus: {} documents, {mb:.1} MB, {} distinct seed sentences",
        docs.len(),
        sentences.len()
    );

    // One thread, timing the two stages apart.
    let (mut seg_secs, mut ext_secs) = (0.0, 0.0);
    let mut matches = 0;
    for (i, text) in docs.iter().enumerate() {
        let t0 = Instant::now();
        let doc =
            pipeline::document_from_text(&format!("doc{i}"), text, SourceFormat::Text, &simplifier)
                .expect("doc");
        let t1 = Instant::now();
        matches += extract::extract_document(&rules, &doc, i, BENCH_DATE)
            .matches
            .len();
        seg_secs += (t1 - t0).as_secs_f64();
        ext_secs += t1.elapsed().as_secs_f64();
    }
    let secs = seg_secs + ext_secs;
    println!(
        "1 thread:  {secs:.1} s, {:.2} MB/s ({matches} matches); normalise+segment {:.2} MB/s, extract {:.2} MB/s",
        mb / secs,
        mb / seg_secs,
        mb / ext_secs
    );

    // All cores: documents split between threads, each with its own simplifier.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let start = Instant::now();
    let chunk = docs.len().div_ceil(threads);
    let counted: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = docs
            .chunks(chunk)
            .enumerate()
            .map(|(t, part)| {
                let rules = &rules;
                scope.spawn(move || {
                    let simplifier = Simplifier::new().expect("opencc");
                    part.iter()
                        .enumerate()
                        .map(|(i, text)| {
                            let doc = pipeline::document_from_text(
                                &format!("t{t}d{i}"),
                                text,
                                SourceFormat::Text,
                                &simplifier,
                            )
                            .expect("doc");
                            extract::extract_document(rules, &doc, i, BENCH_DATE)
                                .matches
                                .len()
                        })
                        .sum::<usize>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).sum()
    });
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(
        counted, matches,
        "parallel extraction must find exactly what one thread finds"
    );
    println!("{threads} threads: {:.1} s, {:.2} MB/s", secs, mb / secs);
}
