//! What users wait for: the whole `factsheet extract` command (read the sources,
//! normalise, segment, extract, consolidate, write facts.json) on generated summits of
//! 1, 5, 10 and 50 MB in files of about 100 KB, and on one summit of a single 50 MB
//! file; then `factsheet build 2023-xian` and a rebuild with nothing changed.
//!
//! Run with `cargo bench --bench throughput`. Each case runs the release binary as a
//! user would, in a throwaway project made in a temporary folder (the rules, fonts and
//! templates copied in), and reports wall time, MB/s and the process's peak memory
//! (its maximum resident set). One thread is the figure the targets speak of
//! (`--jobs 1`); all cores follow, and their facts.json must be byte-identical.
//!
//! The text is made from every sentence of the summits in `summits/`, shuffled with a
//! fixed seed into paragraphs of one to six sentences: the same input on every run,
//! with the variety (and the traditional characters) of the real corpus.
//! `FACTSHEET_BENCH_SIZES=1,5` runs only those sizes (MB); `FACTSHEET_BENCH_DIR=DIR`
//! makes the throwaway project in DIR and leaves it there (to profile a case by hand:
//! `perf record target/release/factsheet --root DIR extract bench-5mb`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use factsheet::ingest;
use factsheet::pipeline;
use factsheet::project::Project;
use factsheet::segment::Simplifier;

const MB: usize = 1024 * 1024;
const DOC_BYTES: usize = 100 * 1024;
/// The summit date the generated documents are read against.
const BENCH_DATE: &str = "2023-05-18";
/// Targets of issue 10, printed beside the measures.
const TARGET_MBPS: f64 = 40.0;
const TARGET_PEAK_MB: f64 = 300.0;
const TARGET_RATIO: f64 = 12.0;

/// A small deterministic generator (xorshift), so the corpus is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One measured run of the binary.
struct Run {
    secs: f64,
    peak_mb: f64,
    output: Vec<u8>,
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sentences = corpus_sentences(&root);
    let work = tempfile::tempdir().expect("temporary folder");
    let kept = std::env::var_os("FACTSHEET_BENCH_DIR").map(PathBuf::from);
    let project = kept.as_deref().unwrap_or(work.path());
    copy_dir(&root.join("rules"), &project.join("rules"));
    fs::create_dir_all(project.join("summits")).expect("summits/");
    println!(
        "text from {} distinct sentences of the summits in summits/",
        sentences.len()
    );

    let sizes = sizes();
    let mut cases: Vec<(String, usize, usize)> = Vec::new();
    for &mb in &sizes {
        let id = format!("bench-{mb}mb");
        let files = write_summit(project, &id, &sentences, mb * MB, DOC_BYTES);
        cases.push((id, mb, files));
    }
    if sizes.contains(&50) {
        write_summit(project, "bench-50mb-one-file", &sentences, 50 * MB, 50 * MB);
        cases.push(("bench-50mb-one-file".to_string(), 50, 1));
    }

    println!(
        "\n{:<22} {:>6} {:>9} {:>8} {:>9} {:>10} {:>8}",
        "summit", "files", "1 thread", "MB/s", "peak MB", "all cores", "MB/s"
    );
    let mut one_thread = Vec::new();
    for (id, mb, files) in &cases {
        let serial = extract(project, id, Some(1));
        let parallel = extract(project, id, None);
        assert!(
            serial.output == parallel.output,
            "{id}: facts.json differs between one thread and all cores"
        );
        println!(
            "{id:<22} {files:>6} {:>8.2}s {:>8.1} {:>9.0} {:>9.2}s {:>8.1}",
            serial.secs,
            *mb as f64 / serial.secs,
            serial.peak_mb,
            parallel.secs,
            *mb as f64 / parallel.secs,
        );
        one_thread.push((id.clone(), *mb, serial));
    }
    summarise(&one_thread);
    build_times(&root, project);
}

/// The sizes to run, in MB.
fn sizes() -> Vec<usize> {
    std::env::var("FACTSHEET_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 5, 10, 50])
}

/// The targets, against the one-thread figures.
fn summarise(runs: &[(String, usize, Run)]) {
    let find = |id: &str| runs.iter().find(|(i, _, _)| i == id).map(|(_, _, r)| r);
    println!(
        "\ntargets (one thread, 50 MB): ≥ {TARGET_MBPS} MB/s, < {TARGET_PEAK_MB} MB, time(50)/time(5) ≤ {TARGET_RATIO}"
    );
    for id in ["bench-50mb", "bench-50mb-one-file"] {
        if let Some(r) = find(id) {
            println!(
                "  {id}: {:.1} MB/s ({}), {:.0} MB ({})",
                50.0 / r.secs,
                verdict(50.0 / r.secs >= TARGET_MBPS),
                r.peak_mb,
                verdict(r.peak_mb < TARGET_PEAK_MB)
            );
        }
    }
    if let (Some(a), Some(b)) = (find("bench-5mb"), find("bench-50mb")) {
        let ratio = b.secs / a.secs;
        println!(
            "  time(50 MB)/time(5 MB) = {ratio:.1} ({})",
            verdict(ratio <= TARGET_RATIO)
        );
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

/// `factsheet build 2023-xian` in the throwaway project, then again with nothing
/// changed. Needs typst: skipped, with a word, when `factsheet doctor` finds none.
fn build_times(root: &Path, project: &Path) {
    for dir in ["templates", "fonts"] {
        copy_dir(&root.join(dir), &project.join(dir));
    }
    copy_dir(
        &root.join("summits/2023-xian"),
        &project.join("summits/2023-xian"),
    );
    // --force: a full build even when a kept project (FACTSHEET_BENCH_DIR) has one.
    let first = run(project, &["build", "--force", "2023-xian"], None);
    let Some(first) = first else {
        println!(
            "\nbuild 2023-xian: skipped (the build failed; is typst installed? see `factsheet doctor`)"
        );
        return;
    };
    let again = run(project, &["build", "2023-xian"], None).expect("rebuild");
    println!(
        "\nbuild 2023-xian: {:.0} ms (target ≤ 1000 ms, {}); rebuild, nothing changed: {:.0} ms (target ≤ 50 ms, {})",
        first.secs * 1000.0,
        verdict(first.secs <= 1.0),
        again.secs * 1000.0,
        verdict(again.secs <= 0.05)
    );
}

/// `factsheet extract <id> --format json`, on `jobs` threads (all cores when `None`).
fn extract(project: &Path, id: &str, jobs: Option<usize>) -> Run {
    run(project, &["extract", id, "--format", "json"], jobs)
        .unwrap_or_else(|| panic!("factsheet extract {id} failed"))
}

/// Runs the binary in `project`; `None` when it fails.
fn run(project: &Path, args: &[&str], jobs: Option<usize>) -> Option<Run> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_factsheet"));
    cmd.arg("--root").arg(project);
    if let Some(n) = jobs {
        cmd.arg("--jobs").arg(n.to_string());
    }
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let child = cmd.spawn().expect("start factsheet");
    let (output, peak_kb, ok) = wait_with_peak(child);
    let secs = start.elapsed().as_secs_f64();
    ok.then_some(Run {
        secs,
        peak_mb: peak_kb as f64 / 1024.0,
        output,
    })
}

/// Collects the child's output and waits for it with `wait4`, whose resource usage
/// gives the child's own peak resident set (in KB), not that of every child so far.
fn wait_with_peak(mut child: std::process::Child) -> (Vec<u8>, i64, bool) {
    use std::io::Read;
    let mut stderr = child.stderr.take().expect("stderr");
    let err_thread = std::thread::spawn(move || {
        let mut e = Vec::new();
        let _ = stderr.read_to_end(&mut e);
        e
    });
    let mut output = Vec::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_end(&mut output)
        .expect("read output");
    let err = err_thread.join().expect("stderr reader");
    let mut status = 0;
    // SAFETY: rusage is plain old data, zeroed is a valid value; the pid is our child's.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    if !ok {
        eprintln!("{}", String::from_utf8_lossy(&err));
    }
    (output, usage.ru_maxrss, ok)
}

/// Every sentence of every summit in `summits/`, once.
fn corpus_sentences(root: &Path) -> Vec<String> {
    let project = Project::open(root).expect("project");
    let simplifier = Simplifier::new().expect("opencc");
    let mut sentences = std::collections::BTreeSet::new();
    for id in project.summit_ids().expect("summits") {
        let summit = ingest::load_summit(&project, &id).expect("summit");
        for doc in pipeline::documents(&summit, &simplifier).expect("documents") {
            sentences.extend(doc.included().map(|s| s.text.to_string()));
        }
    }
    sentences.into_iter().collect()
}

/// Writes summit `id` of about `total` bytes in files of about `per_file` bytes;
/// returns the number of files.
fn write_summit(
    project: &Path,
    id: &str,
    sentences: &[String],
    total: usize,
    per_file: usize,
) -> usize {
    let dir = project.join("summits").join(id);
    let sources = dir.join("sources");
    fs::create_dir_all(&sources).expect("sources/");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut yaml = format!("title: 基准测试会议\ndate: {BENCH_DATE}\nsources:\n");
    let (mut written, mut n) = (0, 0);
    while written < total {
        let mut doc = String::with_capacity(per_file.min(total - written) + 4096);
        while doc.len() < per_file && written + doc.len() < total {
            doc.push_str("\u{3000}\u{3000}");
            for _ in 0..1 + rng.below(6) {
                doc.push_str(&sentences[rng.below(sentences.len())]);
            }
            doc.push('\n');
        }
        n += 1;
        let name = format!("doc{n:05}.txt");
        written += doc.len();
        fs::write(sources.join(&name), doc).expect("write source");
        let kind = ["speech", "interview", "report", "report"][n % 4];
        yaml.push_str(&format!("  - file: {name}\n    kind: {kind}\n"));
    }
    fs::write(dir.join("summit.yaml"), yaml).expect("write summit.yaml");
    n
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create folder");
    for entry in fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}
