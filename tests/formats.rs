//! Sources as users have them: saved web pages, PDF files, Word files, and
//! `factsheet new` to start a summit from them. The fixtures in tests/fixtures/formats/
//! are made from the seed texts by make_fixtures.py (see its header); each format must
//! give the sentences and facts the same text gives as a plain file.

mod common;

use std::path::{Path, PathBuf};

use common::{repo_root, run, stderr, stdout};
use factsheet::facts::FactSheet;
use factsheet::pipeline;
use factsheet::project::Project;
use factsheet::segment::{Document, Simplifier};
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap()
}

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/formats")
}

fn seed(name: &str) -> Vec<u8> {
    std::fs::read(repo_root().join("summits/2022-virtual/sources").join(name)).unwrap()
}

const SEED_000: &str = "000_4f59510dab5f9323.txt";
const SEED_001: &str = "001_cae9e3f49ae9dd89.txt";

/// A throw-away project holding summit `t` with `files`, every one of kind `kind`.
fn summit(files: &[(&str, &[u8])], kind: &str) -> tempfile::TempDir {
    let mut yaml = String::from("title: 测试\ndate: 2022-01-25\nsources:\n");
    for (name, _) in files {
        yaml.push_str(&format!("  - file: {name}\n    kind: {kind}\n"));
    }
    common::temp_project("t", &yaml, files)
}

/// The segmented sources of summit `t` in `dir`.
fn documents(dir: &Path) -> Vec<Document> {
    let project = Project::open(dir).unwrap();
    let summit = factsheet::ingest::load_summit(&project, "t").unwrap();
    pipeline::documents(&summit, &Simplifier::new().unwrap()).unwrap()
}

/// The facts of summit `id` in `dir`.
fn facts(dir: &Path, id: &str) -> FactSheet {
    let project = Project::open(dir).unwrap();
    let summit = factsheet::ingest::load_summit(&project, id).unwrap();
    pipeline::fact_sheet(&project, &summit).unwrap()
}

fn texts(doc: &Document) -> Vec<String> {
    doc.sentences.iter().map(|s| s.text.to_string()).collect()
}

/// The facts with what depends on the file format left out (file names mapped by
/// `names`, byte spans and pages dropped): what must not change with the format.
fn comparable(sheet: &FactSheet, names: &[(&str, &str)]) -> Value {
    let mut v = serde_json::to_value(&sheet.facts).unwrap();
    fn walk(v: &mut Value, names: &[(&str, &str)]) {
        match v {
            Value::Object(o) => {
                if o.contains_key("quote") {
                    o.remove("start");
                    o.remove("end");
                    o.remove("page");
                }
                if let Some(Value::String(doc)) = o.get_mut("doc")
                    && let Some((_, to)) = names.iter().find(|(from, _)| from == doc)
                {
                    *doc = to.to_string();
                }
                o.values_mut().for_each(|x| walk(x, names));
            }
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, names)),
            Value::String(s) => {
                for (from, to) in names {
                    if s.starts_with(&format!("{from}:")) {
                        *s = s.replacen(from, to, 1);
                    }
                }
            }
            _ => {}
        }
    }
    walk(&mut v, names);
    v
}

/// Menus, breadcrumbs, share bars, related links and the footer of the saved page.
const PAGE_FURNITURE: [&str; 10] = [
    "证券时报网首页",
    "请输入关键字",
    "首页",
    "正文",
    "分享到",
    "相关阅读",
    "热点排行",
    "责任编辑",
    "ICP",
    "版权所有",
];

#[test]
fn a_saved_page_gives_exactly_its_article_with_byte_spans_into_the_html() {
    let page = fixture("page.html");
    let dir = summit(
        &[("page.html", &page), ("seed.md", &seed(SEED_001))],
        "report",
    );
    let docs = documents(dir.path());
    let (html, md) = (&docs[0], &docs[1]);
    // The seed is the article alone, read as Markdown with inline HTML.
    assert_eq!(texts(html), texts(md));
    assert!(html.sentences.len() > 40);
    for s in &html.sentences {
        for word in PAGE_FURNITURE {
            assert!(!s.text.contains(word), "{word:?} reached {:?}", s.text);
        }
        // The span is the sentence's bytes in the page as saved.
        let bytes = std::str::from_utf8(&page[s.start..s.end]).unwrap();
        let first = s.text.chars().next().unwrap();
        let last = s.text.chars().last().unwrap();
        assert!(bytes.starts_with(first), "{bytes:?} / {:?}", s.text);
        assert!(bytes.ends_with(last), "{bytes:?} / {:?}", s.text);
    }
    // Title, date, outlet and address come from the meta tags.
    let c = &html.config;
    assert_eq!(
        c.title.as_deref(),
        Some(
            "习近平主持中国同中亚五国建交30周年视频峰会 强调携手构建更加紧密的中国—中亚命运共同体"
        )
    );
    assert_eq!(c.date.as_deref(), Some("2022-01-26"));
    assert_eq!(c.outlet.as_deref(), Some("证券时报网"));
    assert_eq!(
        c.url.as_deref(),
        Some("https://news.stcn.com/news/202201/t20220126_4116270.html")
    );
}

#[test]
fn a_gb2312_page_is_read_in_its_declared_charset() {
    let page = fixture("page-gb2312.html");
    assert!(
        std::str::from_utf8(&page).is_err(),
        "the fixture is not UTF-8"
    );
    let dir = summit(
        &[("page.html", &fixture("page.html")), ("gb.htm", &page)],
        "report",
    );
    let docs = documents(dir.path());
    assert_eq!(texts(&docs[1]), texts(&docs[0]));
    assert_eq!(docs[1].config.outlet.as_deref(), Some("证券时报网"));
    for s in &docs[1].sentences {
        let (bytes, _, _) = encoding_rs::GBK.decode(&page[s.start..s.end]);
        assert!(
            bytes.starts_with(s.text.chars().next().unwrap()),
            "{bytes:?}"
        );
    }
}

#[test]
fn a_pdf_gives_the_facts_of_its_text_each_citation_with_its_page() {
    let pdf = fixture("speech.pdf");
    let txt = fixture("text/speech.txt");
    let as_pdf = summit(&[("speech.pdf", &pdf)], "speech");
    let as_txt = summit(&[("speech.txt", &txt)], "speech");
    assert_eq!(
        texts(&documents(as_pdf.path())[0]),
        texts(&documents(as_txt.path())[0])
    );
    let from_pdf = facts(as_pdf.path(), "t");
    let from_txt = facts(as_txt.path(), "t");
    assert!(from_pdf.facts.len() >= 10, "{}", from_pdf.facts.len());
    assert_eq!(
        comparable(&from_pdf, &[("speech.pdf", "speech.txt")]),
        comparable(&from_txt, &[])
    );
    // Every citation names the page its sentence begins on: its opening words are on
    // that page of the PDF.
    let pages = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    let han = |s: &str| -> String {
        s.chars()
            .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
            .collect()
    };
    let mut seen = std::collections::BTreeSet::new();
    for c in from_pdf.facts.iter().flat_map(|f| &f.sources) {
        let page = c.page.expect("a PDF citation has a page");
        seen.insert(page);
        let opening: String = han(&c.quote).chars().take(8).collect();
        assert!(
            han(&pages[page - 1]).contains(&opening),
            "{opening:?} is not on page {page}"
        );
    }
    assert!(seen.len() >= 2, "citations on pages {seen:?}");
    // facts.json carries it as "page"; text sources have none.
    let json = serde_json::to_string(&from_pdf).unwrap();
    assert!(json.contains("\"page\":"), "no page in facts.json");
    assert!(
        !serde_json::to_string(&from_txt)
            .unwrap()
            .contains("\"page\":")
    );
}

#[test]
fn a_sentence_across_a_page_break_is_one_sentence_and_running_lines_go() {
    let dir = summit(
        &[
            ("two-page.pdf", &fixture("two-page.pdf")),
            ("speech.txt", &fixture("text/speech.txt")),
        ],
        "speech",
    );
    let docs = documents(dir.path());
    let (pdf, txt) = (&docs[0], &docs[1]);
    let n = pdf.sentences.len();
    assert_eq!(texts(pdf), texts(txt)[..n].to_vec());
    let across = pdf
        .sentences
        .iter()
        .find(|s| s.text.starts_with("双边贸易和相互投资增长上百倍"))
        .unwrap();
    assert!(across.text.ends_with("途经中亚的中欧货运班列快速发展。"));
    assert_eq!(across.page, Some(1));
    let next = &pdf.sentences[pdf.sentences.iter().position(|s| s == across).unwrap() + 1];
    assert_eq!(next.page, Some(2));
    // The running header (the title, on every page) and the page numbers are gone.
    let all: String = texts(pdf).concat();
    assert_eq!(all.matches("携手共命运").count(), 1, "{all}");
    assert!(!all.contains("—1—") && !all.contains("— 1 —"));
}

#[test]
fn a_scan_and_an_encrypted_pdf_are_refused_by_name() {
    for (name, says) in [
        ("image-only.pdf", "has no text layer"),
        ("encrypted.pdf", "is an encrypted PDF that needs a password"),
    ] {
        let dir = summit(&[(name, &fixture(name))], "report");
        let o = common::run(dir.path(), &["sentences", "t"]);
        assert_eq!(o.status.code(), Some(1));
        let err = stderr(&o);
        assert!(err.contains(&format!("sources/{name}: {says}")), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_word_file_gives_the_facts_of_its_text_without_header_footer_or_comments() {
    let dir = summit(
        &[
            ("briefing.docx", &fixture("briefing.docx")),
            ("seed.txt", &seed(SEED_000)),
        ],
        "interview",
    );
    let docs = documents(dir.path());
    assert_eq!(texts(&docs[0]), texts(&docs[1]));
    let all: String = texts(&docs[0]).concat();
    for word in ["内部参考", "新华社国内部", "核对"] {
        assert!(!all.contains(word), "{word} reached the text");
    }
    assert_eq!(
        docs[0].config.title.as_deref(),
        Some("赓续传统友谊，共谱美好明天——中国同中亚五国建交30周年视频峰会确立双方关系新的里程碑")
    );
    let docx = summit(&[("briefing.docx", &fixture("briefing.docx"))], "interview");
    let txt = summit(&[("seed.txt", &seed(SEED_000))], "interview");
    let (a, b) = (facts(docx.path(), "t"), facts(txt.path(), "t"));
    assert!(a.facts.len() >= 10);
    assert_eq!(
        comparable(&a, &[("briefing.docx", "seed.txt")]),
        comparable(&b, &[])
    );
}

/// An empty project with the repository's rules, templates and fonts.
fn empty_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("summits")).unwrap();
    for sub in ["rules", "templates", "fonts"] {
        common::copy_dir(&repo_root().join(sub), &dir.path().join(sub));
    }
    dir
}

/// A folder as a user has it: a saved page, a PDF, a Word file and a text file.
fn mixed_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("page.html", "page.html"),
        ("speech.pdf", "speech.pdf"),
        ("briefing.docx", "briefing.docx"),
        ("text/briefing.txt", "briefing.txt"),
    ] {
        std::fs::copy(fixtures().join(from), dir.path().join(to)).unwrap();
    }
    dir
}

#[test]
fn new_on_a_mixed_folder_builds_to_the_facts_of_the_plain_texts() {
    let project = empty_project();
    let folder = mixed_folder();
    let o = run(
        project.path(),
        &[
            "new",
            "2022-mixed",
            folder.path().to_str().unwrap(),
            "--title",
            "中国同中亚五国建交30周年视频峰会",
            "--date",
            "2022-01-25",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml =
        std::fs::read_to_string(project.path().join("summits/2022-mixed/summit.yaml")).unwrap();
    for want in [
        "title: 中国同中亚五国建交30周年视频峰会\n",
        "date: 2022-01-25\n",
        "# venue:",
        "  - file: page.html\n    title: 习近平主持中国同中亚五国建交30周年视频峰会 强调携手构建更加紧密的中国—中亚命运共同体\n    outlet: 证券时报网\n    date: 2022-01-26\n    kind: report",
        "    url: https://news.stcn.com/news/202201/t20220126_4116270.html\n",
        "  - file: speech.pdf\n    title: 携手共命运 一起向未来——在中国同中亚五国建交 30 周年视频峰会上的讲话\n    # outlet:",
        "    kind: speech   # the title says 讲话\n",
        "  - file: briefing.txt\n    title: 赓续传统友谊 共谱美好明天\n",
    ] {
        assert!(yaml.contains(want), "{want:?} not in\n{yaml}");
    }
    for f in ["page.html", "speech.pdf", "briefing.docx", "briefing.txt"] {
        assert_eq!(
            std::fs::read(project.path().join("summits/2022-mixed/sources").join(f)).unwrap(),
            std::fs::read(folder.path().join(f)).unwrap()
        );
    }
    let list = run(project.path(), &["list"]);
    assert!(
        stdout(&list).contains("2022-mixed  2022-01-25        4"),
        "{}",
        stdout(&list)
    );

    // The same texts as plain files, declared alike.
    let plain = project.path().join("summits/2022-plain");
    std::fs::create_dir_all(plain.join("sources")).unwrap();
    for (name, bytes) in [
        ("briefing.txt", fixture("text/briefing.txt")),
        ("briefing-000.txt", seed(SEED_000)),
        ("page.md", seed(SEED_001)),
        ("speech.txt", fixture("text/speech.txt")),
    ] {
        std::fs::write(plain.join("sources").join(name), bytes).unwrap();
    }
    std::fs::write(
        plain.join("summit.yaml"),
        "title: 中国同中亚五国建交30周年视频峰会\ndate: 2022-01-25\nsources:\n  - file: briefing-000.txt\n  - file: briefing.txt\n  - file: page.md\n  - file: speech.txt\n    kind: speech\n",
    )
    .unwrap();
    let mixed = facts(project.path(), "2022-mixed");
    let plain = facts(project.path(), "2022-plain");
    assert!(mixed.facts.len() >= 30, "{}", mixed.facts.len());
    assert_eq!(
        comparable(
            &mixed,
            &[
                ("briefing.docx", "briefing-000.txt"),
                ("page.html", "page.md"),
                ("speech.pdf", "speech.txt")
            ]
        ),
        comparable(&plain, &[])
    );

    // End to end, to the printed sheet, whose markers name the PDF's pages.
    let o = run(project.path(), &["build", "2022-mixed"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = project.path().join("out/2022-mixed");
    let pdf = std::fs::read(out.join("factsheet.pdf")).unwrap();
    assert!(lopdf::Document::load_mem(&pdf).unwrap().get_pages().len() >= 2);
    let md = std::fs::read_to_string(out.join("factsheet.md")).unwrap();
    assert!(md.contains("[\\[S4 p\\. "), "no page in the markers");
    assert!(md.contains("cited on p. 1"), "no pages in the appendix");
    let typ = std::fs::read_to_string(out.join("factsheet.typ")).unwrap();
    assert!(typ.contains("A citation of a PDF also names the pages"));
    // `sentences` shows a PDF sentence's page.
    let o = run(
        project.path(),
        &["sentences", "2022-mixed", "--source", "speech.pdf"],
    );
    assert!(
        stdout(&o).lines().any(|l| l.contains("\tp. 2\t")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn new_refuses_a_bad_or_existing_id_and_a_file_it_cannot_read() {
    let project = empty_project();
    let folder = mixed_folder();
    let page = folder.path().join("page.html");
    let page = page.to_str().unwrap();
    let o = run(project.path(), &["new", "Bad_Id", page]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid summit id \"Bad_Id\""),
        "{}",
        stderr(&o)
    );

    assert_eq!(
        run(project.path(), &["new", "s1", page]).status.code(),
        Some(0)
    );
    let o = run(project.path(), &["new", "s1", page]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("summit `s1` exists already"),
        "{}",
        stderr(&o)
    );

    // A truncated PDF among good files: an error naming it, and nothing made.
    std::fs::copy(
        fixtures().join("truncated.pdf"),
        folder.path().join("truncated.pdf"),
    )
    .unwrap();
    let o = run(
        project.path(),
        &["new", "s2", folder.path().to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("truncated.pdf: is a damaged or truncated PDF file"),
        "{}",
        stderr(&o)
    );
    let left: Vec<_> = std::fs::read_dir(project.path().join("summits"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(left, ["s1"]);
}

#[test]
fn bad_inputs_are_clear_errors_naming_the_file_never_panics() {
    let mut broken_docx = Vec::new();
    {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut broken_docx));
        z.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(b"<w:document><w:body><w:p><w:t>x</w:p>")
            .unwrap();
        z.finish().unwrap();
    }
    let gbk_saying_utf8: Vec<u8> = {
        let page = fixture("page-gb2312.html");
        let at = page.windows(6).position(|w| w == b"gb2312").unwrap();
        [&page[..at], b"utf-8".as_slice(), &page[at + 6..]].concat()
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.pdf",
            fixture("truncated.pdf"),
            "is a damaged or truncated PDF file",
        ),
        (
            "noise.pdf",
            b"%PDF-1.7\n\x00\x01garbage".to_vec(),
            "is a damaged or truncated PDF file",
        ),
        ("not-a-pdf.pdf", b"hello".to_vec(), "is not a PDF file"),
        (
            "not-a-docx.docx",
            fixture("not-a-docx.docx"),
            "is a zip archive but not a Word document",
        ),
        (
            "text.docx",
            b"just text".to_vec(),
            "is not a Word (.docx) file",
        ),
        ("broken.docx", broken_docx, "is a damaged Word file"),
        (
            "wrong-charset.html",
            fixture("wrong-charset.html"),
            "declares the charset \"gb2312\", but its bytes are UTF-8",
        ),
        (
            "gbk.html",
            gbk_saying_utf8,
            "declares the charset \"utf-8\", but byte",
        ),
        (
            "unknown.html",
            b"<meta charset=\"klingon\"><p>x</p>".to_vec(),
            "declares the charset \"klingon\", which is not a known character encoding",
        ),
    ];
    for (name, bytes, says) in cases {
        let good = fixture("text/briefing.txt");
        let dir = summit(&[("good.txt", &good), (name, &bytes)], "report");
        let o = common::run(dir.path(), &["sentences", "t"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(&format!("sources/{name}: {says}")),
            "{name}: {err}"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
        // Nothing else is lost: the other source is untouched and reads on its own.
        assert_eq!(
            std::fs::read(dir.path().join("summits/t/sources/good.txt")).unwrap(),
            good
        );
    }
}

#[test]
fn damaged_copies_of_every_fixture_are_read_or_refused_never_a_panic() {
    use factsheet::summit::SourceConfig;
    // A fixed-seed generator, so every run tries the same damage.
    let mut state: u64 = 0x5eed_f00d;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for name in ["two-page.pdf", "briefing.docx", "page-gb2312.html"] {
        let good = fixture(name);
        for round in 0..150 {
            let mut bytes = good.clone();
            match round % 3 {
                // Flip bytes here and there.
                0 => {
                    for _ in 0..8 {
                        let i = next() % bytes.len();
                        bytes[i] ^= 1 << (next() % 8);
                    }
                }
                // Cut it short.
                1 => bytes.truncate(next() % bytes.len()),
                // Overwrite a stretch with zeros.
                _ => {
                    let at = next() % bytes.len();
                    let end = (at + 1 + next() % 4096).min(bytes.len());
                    bytes[at..end].fill(0);
                }
            }
            let path = PathBuf::from(name);
            let config = SourceConfig::undeclared(name.to_string());
            let read = std::panic::catch_unwind(|| {
                factsheet::ingest::from_bytes(&config, path.clone(), bytes.clone())
                    .and_then(|raw| factsheet::normalise::normalise(&raw))
            });
            match read {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => assert!(
                    e.to_string().starts_with(&format!("{name}: ")),
                    "an error that does not name the file: {e}"
                ),
                Err(_) => panic!("{name}, round {round}: the reader panicked"),
            }
        }
    }
}
