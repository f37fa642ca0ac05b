//! The PDF stage: templates, escaping, fonts, typst, reproducibility and the `build`
//! and `doctor` commands. Tests that compile find typst the way the tool does
//! (--typst / FACTSHEET_TYPST, PATH, the cache, else they provision it once).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::{repo_root, stderr, stdout};
use factsheet::facts::{Citation, Fact, FactSheet, Item, Note};
use factsheet::project::Project;
use factsheet::render::typst::{Typst, TypstRequest};
use factsheet::render::{self, Input, RenderOptions, provision};
use serde_json::json;

const INJECTIONS: [&str; 4] = ["#read(\"/etc/passwd\")", "#panic(\"x\")", "$x$", "*bold*"];

fn typst_cli() -> &'static Typst {
    static T: OnceLock<Typst> = OnceLock::new();
    T.get_or_init(|| {
        let mut req = TypstRequest::from_env();
        req.provision = true;
        provision::resolve(&req).expect("typst is available or can be provisioned")
    })
}

/// The fields of the project's rule files (section titles and order).
fn fields(project: &Project) -> Vec<factsheet::rules::FieldSpec> {
    factsheet::rules::load(&project.rules_dir())
        .expect("rules load")
        .fields
}

fn options(project: &Project) -> RenderOptions {
    RenderOptions::all(project, typst_cli().clone()).expect("fonts load")
}

/// Every file a build writes, with every renderer.
const OUTPUTS: [&str; 5] = [
    "facts.json",
    "factsheet.md",
    "factsheet.html",
    "factsheet.typ",
    "factsheet.pdf",
];

/// Renders `sheet` (laid out by the project's rule files) into `out`.
fn render_sheet(
    project: &Project,
    sheet: &FactSheet,
    options: &RenderOptions,
    out: &Path,
) -> factsheet::Result<render::RenderReport> {
    let fields = fields(project);
    render::render_to(project, &Input::new(sheet, &fields), options, out)
}

fn fixture() -> FactSheet {
    let path = repo_root().join("tests/fixtures/facts-2023-xian.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("fixture is a FactSheet")
}

/// The PDF's text with all white space removed (pdf-extract puts spaces between font runs).
fn pdf_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("pdf-extract reads typst's PDF");
    squash(&text)
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pdf_pages(path: &Path) -> usize {
    lopdf::Document::load(path).unwrap().get_pages().len()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A copy of the project (summits, rules, templates, fonts) in a temporary folder.
fn temp_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["summits", "rules", "templates", "fonts"] {
        common::copy_dir(&repo_root().join(sub), &dir.path().join(sub));
    }
    dir
}

/// Runs the binary in `root` with a clean typst environment plus `env`.
fn run(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    typst_cli(); // provisioned once, before any child process looks for it
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_factsheet"));
    cmd.args(args)
        .current_dir(root)
        .env_remove("FACTSHEET_ROOT")
        .env_remove("FACTSHEET_TYPST")
        .env_remove("FACTSHEET_NO_PROVISION");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("factsheet runs")
}

fn cite(doc: &str, para: usize, sentence: usize, quote: &str) -> Citation {
    Citation {
        doc: doc.into(),
        para,
        sentence,
        start: 0,
        end: quote.len(),
        page: None,
        quote: quote.into(),
    }
}

#[test]
fn fixture_pdf_has_title_amounts_and_proposal_titles() {
    let project = common::project();
    let sheet = fixture();
    let out = tempfile::tempdir().unwrap();
    let report = render_sheet(&project, &sheet, &options(&project), out.path()).unwrap();
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    for name in OUTPUTS {
        assert!(out.path().join(name).is_file(), "{name} missing");
    }
    let pdf = out.path().join("factsheet.pdf");
    assert_eq!(report.pages, pdf_pages(&pdf));
    assert!((2..=5).contains(&report.pages), "{} pages", report.pages);

    let text = pdf_text(&pdf);
    let mut expected = vec![
        sheet.summit.title.clone(),
        squash(sheet.summit.title_en.as_deref().unwrap()),
        "来源不一致".to_string(),
        "背景".to_string(),
        format!("第1页/共{}页", report.pages),
        format!("第{0}页/共{0}页", report.pages),
        "[S1¶10,55]".to_string(),
    ];
    for f in &sheet.facts {
        match f.field.as_str() {
            "pledge" => {
                if let Some(a) = f.attributes.get("amount") {
                    expected.push(a["text"].as_str().unwrap().to_string());
                }
            }
            "proposal" => expected.push(f.attributes["title"].as_str().unwrap().to_string()),
            "mechanism" => expected.push(f.attributes["name"].as_str().unwrap().to_string()),
            _ => {}
        }
    }
    expected.push("CNY26,000,000,000".to_string());
    for s in &sheet.summit.sources {
        expected.push(squash(s.title.as_deref().unwrap()));
    }
    for e in &expected {
        assert!(text.contains(e.as_str()), "PDF text lacks {e:?}:\n{text}");
    }
    let json = std::fs::read_to_string(out.path().join("facts.json")).unwrap();
    assert!(json.ends_with("}\n"));
    assert_eq!(serde_json::from_str::<FactSheet>(&json).unwrap(), sheet);
    let md = std::fs::read_to_string(out.path().join("factsheet.md")).unwrap();
    assert!(md.starts_with("# 中国—中亚峰会\n"), "{md}");
    assert!(
        md.contains("| **融资支持和援助**: 为帮助中亚国家发展，"),
        "{md}"
    );
    assert!(
        md.contains(" | 260亿元人民币 \\(CNY 26\\,000\\,000\\,000\\) | — | 中亚国家 |"),
        "{md}"
    );
    assert!(md.contains("[\\[S1 ¶43\\]](#s1)"), "{md}");
}

#[test]
fn two_builds_are_byte_identical_and_hold_no_paths() {
    let project = common::project();
    let sheet = fixture();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let opts = options(&project);
    render_sheet(&project, &sheet, &opts, a.path()).unwrap();
    render_sheet(&project, &sheet, &opts, b.path()).unwrap();
    for name in OUTPUTS {
        let (x, y) = (
            std::fs::read(a.path().join(name)).unwrap(),
            std::fs::read(b.path().join(name)).unwrap(),
        );
        assert!(x == y, "{name} differs between two builds");
        for path in [repo_root(), a.path().to_path_buf(), std::env::temp_dir()] {
            let p = path.to_string_lossy().into_owned();
            assert!(!contains(&x, p.as_bytes()), "{name} contains the path {p}");
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(a.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    // The outputs and the build stamp, nothing else.
    assert_eq!(leftovers.len(), OUTPUTS.len() + 1, "{leftovers:?}");
    assert!(a.path().join(render::stamp::STAMP_FILE).is_file());
}

#[test]
fn text_from_sources_cannot_become_typst_code() {
    let project = common::project();
    let mut sheet = fixture();
    let evil = INJECTIONS.join(" ");
    sheet.summit.title = format!("峰会 {evil}");
    sheet.summit.venue = Some(format!("西安 // {evil} <lab> @ref \\ ] [ `raw`"));
    sheet.summit.sources[0].title = Some(format!("标题 {evil}"));
    let f = &mut sheet.facts[0];
    f.text = format!("原则 {evil}");
    f.items[0].text = format!("坚持 {evil}");
    f.attributes
        .insert("name".into(), json!(format!("名称 {evil}")));
    let p = sheet
        .facts
        .iter_mut()
        .find(|f| f.field == "pledge")
        .unwrap();
    p.attributes
        .insert("what".into(), json!(format!("援助 {evil}")));
    p.attributes.insert(
        "amount".into(),
        json!({"value": 1, "unit": "#CNY", "text": format!("一元 {evil}")}),
    );
    sheet.notes.push(Note {
        rule: Some("x.#y".into()),
        sentence: None,
        message: format!("注 {evil}"),
    });
    let out = tempfile::tempdir().unwrap();
    let report = render_sheet(&project, &sheet, &options(&project), out.path())
        .expect("escaped text compiles (an unescaped #panic would fail)");
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    let text = pdf_text(&out.path().join("factsheet.pdf"));
    for inj in INJECTIONS {
        let n = text.matches(inj).count();
        assert!(
            n >= 8,
            "{inj:?} printed {n} times, not literally everywhere:\n{text}"
        );
    }
    assert!(
        text.contains("//") && text.contains("<lab>@ref\\][`raw`"),
        "{text}"
    );
    assert!(!text.contains("root:x:0"), "a file was read");
    let typ = std::fs::read_to_string(out.path().join("factsheet.typ")).unwrap();
    assert!(typ.contains("\\#panic\\(\\\"x\\\"\\)"));
    assert!(!typ.contains(" #panic") && !typ.contains("[#read"));
    let md = std::fs::read_to_string(out.path().join("factsheet.md")).unwrap();
    assert!(md.contains(r#"\#read\(\"\/etc\/passwd\"\)"#), "{md}");
    assert!(md.contains("\\*bold\\*") && md.contains("\\$x\\$"));
}

#[test]
fn unknown_fields_and_missing_attributes_still_render() {
    let project = common::project();
    let mut sheet = fixture();
    let doc = sheet.summit.sources[0].doc.clone();
    for f in sheet.facts.iter_mut() {
        if matches!(
            f.field.as_str(),
            "pledge" | "mechanism" | "proposal" | "figure"
        ) {
            f.attributes.clear();
        }
    }
    sheet.facts.push(Fact {
        id: "visa_waiver-1".into(),
        field: "visa_waiver".into(),
        text: "中国还同哈萨克斯坦签署了互免签证协定".into(),
        attributes: serde_json::from_value(
            json!({"parties": ["中国", "哈萨克斯坦"], "first": true}),
        )
        .unwrap(),
        items: vec![Item {
            text: "哈萨克斯坦成为首个同中国互免签证的中亚国家".into(),
            sources: vec![cite(
                &doc,
                12,
                4,
                "期间，中国还同哈萨克斯坦签署了互免签证协定。",
            )],
        }],
        context: None,
        conflicts: Vec::new(),
        rules: vec!["visa_waiver.signed".into()],
        sources: vec![cite(
            &doc,
            12,
            4,
            "期间，中国还同哈萨克斯坦签署了互免签证协定。",
        )],
    });
    let out = tempfile::tempdir().unwrap();
    render_sheet(&project, &sheet, &options(&project), out.path()).unwrap();
    let text = pdf_text(&out.path().join("factsheet.pdf"));
    for e in [
        "visa_waiver",
        "互免签证协定",
        "parties:中国、哈萨克斯坦",
        "first:yes",
        "一是加强机制建设。",
        "[S1¶12]",
    ] {
        assert!(text.contains(e), "PDF text lacks {e:?}:\n{text}");
    }
}

#[test]
fn a_character_no_font_has_is_reported_and_never_a_box() {
    let project = common::project();
    let mut sheet = fixture();
    let f = sheet
        .facts
        .iter_mut()
        .find(|f| f.field == "pledge")
        .unwrap();
    f.text = "提供𠀀援助".to_string();
    let origin = f.sources[0].sentence_id();
    let out = tempfile::tempdir().unwrap();
    let report = render_sheet(&project, &sheet, &options(&project), out.path()).unwrap();
    let w = report
        .warnings
        .iter()
        .find(|w| w.contains("U+20000"))
        .unwrap_or_else(|| panic!("no warning about U+20000: {:#?}", report.warnings));
    assert!(w.contains('𠀀') && w.contains(&origin.to_string()), "{w}");
    let text = pdf_text(&out.path().join("factsheet.pdf"));
    assert!(text.contains("提供[U+20000]援助"), "{text}");
    assert!(!text.contains('𠀀'));
    let md = std::fs::read_to_string(out.path().join("factsheet.md")).unwrap();
    assert!(md.contains("提供𠀀援助"), "Markdown keeps the character");
}

#[test]
fn a_typo_in_a_template_names_the_template_and_line() {
    let dir = temp_copy();
    let header = dir.path().join("templates/partials/header.typ.j2");
    let text = std::fs::read_to_string(&header).unwrap();
    std::fs::write(
        &header,
        text.replacen("{{ summit.title }}", "{{ summit.titel }}", 1),
    )
    .unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("{{ summit.title }}"))
        .unwrap()
        + 1;
    let project = Project::open(dir.path()).unwrap();
    let fields = fields(&project);
    let err = match render::prepare(
        &project,
        &Input::new(&fixture(), &fields),
        &options(&project),
    ) {
        Ok(_) => panic!("a template with a typo filled"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains(&format!("partials/header.typ.j2:{line}")),
        "{err}"
    );
    assert!(err.contains("undefined"), "{err}");
}

#[test]
fn shipped_templates_never_switch_escaping_off() {
    for entry in walk(&repo_root().join("templates")) {
        let text = std::fs::read_to_string(&entry).unwrap();
        for bad in ["|safe", "| safe", "autoescape"] {
            assert!(!text.contains(bad), "{} uses {bad}", entry.display());
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn both_summits_build_from_the_cli_every_character_drawn_and_reproducible() {
    let dir = temp_copy();
    let first = run(dir.path(), &["build", "--all"], &[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let err = stderr(&first);
    assert!(!err.contains("U+"), "characters without a glyph:\n{err}");
    assert!(!err.contains("typst:"), "typst warned:\n{err}");
    let out = stdout(&first);
    let mut pdfs = Vec::new();
    for id in ["2022-virtual", "2023-xian"] {
        let summit =
            factsheet::ingest::load_summit(&Project::open(dir.path()).unwrap(), id).unwrap();
        for name in OUTPUTS {
            assert!(out.contains(&format!("wrote out/{id}/{name}")), "{out}");
        }
        let pdf = dir.path().join("out").join(id).join("factsheet.pdf");
        let pages = pdf_pages(&pdf);
        assert!(
            out.contains(&format!("factsheet.pdf  ({pages} pages)")),
            "{out}"
        );
        assert!((1..=6).contains(&pages), "{id}: {pages} pages");
        let text = pdf_text(&pdf);
        assert!(text.contains(summit.config.title.zh()), "{id}: {text}");
        pdfs.push((
            pdf,
            std::fs::read(dir.path().join("out").join(id).join("factsheet.pdf")).unwrap(),
        ));
    }
    assert!(out.contains("facts: "), "{out}");
    // --force: typst really runs again (an unchanged build is otherwise skipped).
    let second = run(
        dir.path(),
        &["build", "--force", "2022-virtual", "2023-xian"],
        &[],
    );
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    for (path, before) in pdfs {
        assert!(
            std::fs::read(&path).unwrap() == before,
            "{} changed between builds",
            path.display()
        );
    }
}

/// Builds 2023-xian in `dir` and returns what it printed; it must succeed.
fn build_xian(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["build", "2023-xian"];
    args.extend(extra);
    let o = run(dir, &args, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    stdout(&o)
}

const UP_TO_DATE: &str = "up to date: out/2023-xian/";
const PDF_TAKEN_OVER: &str = "unchanged, typst not run";

#[test]
fn an_unchanged_summit_is_not_built_again_and_any_change_is() {
    let dir = temp_copy();
    let root = dir.path();
    let out = root.join("out/2023-xian");
    let first = build_xian(root, &[]);
    assert!(
        first.contains("wrote out/2023-xian/factsheet.pdf"),
        "{first}"
    );
    let pdf = std::fs::read(out.join("factsheet.pdf")).unwrap();

    let again = build_xian(root, &[]);
    assert!(
        again.contains(UP_TO_DATE) && !again.contains("wrote"),
        "{again}"
    );
    assert!(std::fs::read(out.join("factsheet.pdf")).unwrap() == pdf);

    // A touched file with the same content changes nothing; an edited one does.
    let yaml = root.join("rules/triggers.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, &text).unwrap();
    assert!(build_xian(root, &[]).contains(UP_TO_DATE));
    std::fs::write(&yaml, format!("{text}\n# an analyst's note\n")).unwrap();
    let after_rule = build_xian(root, &[]);
    assert!(
        after_rule.contains("wrote out/2023-xian/facts.json"),
        "{after_rule}"
    );
    // The colophon names the rules' digest: a new PDF.
    let pdf = std::fs::read(out.join("factsheet.pdf")).unwrap();

    // An output edited or removed by hand is made again.
    std::fs::write(out.join("factsheet.md"), "edited").unwrap();
    assert!(!build_xian(root, &[]).contains(UP_TO_DATE));
    assert_ne!(std::fs::read(out.join("factsheet.md")).unwrap(), b"edited");
    std::fs::remove_file(out.join("factsheet.pdf")).unwrap();
    let rebuilt = build_xian(root, &[]);
    assert!(!rebuilt.contains(PDF_TAKEN_OVER), "{rebuilt}");
    assert!(std::fs::read(out.join("factsheet.pdf")).unwrap() == pdf);

    // Other outputs asked for: another build.
    assert!(!build_xian(root, &["--format", "md"]).contains(UP_TO_DATE));
}

#[test]
fn after_watch_or_with_the_formats_in_another_order_a_build_is_up_to_date() {
    let dir = temp_copy();
    let root = dir.path();
    let o = run(root, &["watch", "2023-xian", "--exit-after", "0"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("rebuilt out/2023-xian/"),
        "{}",
        stdout(&o)
    );
    let after_watch = build_xian(root, &[]);
    assert!(after_watch.contains(UP_TO_DATE), "{after_watch}");
    let reordered = build_xian(root, &["--format", "html,pdf,md"]);
    assert!(reordered.contains(UP_TO_DATE), "{reordered}");
}

#[test]
fn a_pdf_is_compiled_again_only_when_its_typ_typst_or_fonts_change() {
    let dir = temp_copy();
    let root = dir.path();
    let out = root.join("out/2023-xian");
    build_xian(root, &[]);
    let pdf = std::fs::read(out.join("factsheet.pdf")).unwrap();

    // The HTML template changes: the .typ does not, and its PDF is taken over.
    let html = root.join("templates/factsheet.html.j2");
    let mut text = std::fs::read_to_string(&html).unwrap();
    text.push_str("\n<!-- reviewed -->\n");
    std::fs::write(&html, &text).unwrap();
    let taken = build_xian(root, &[]);
    assert!(taken.contains(PDF_TAKEN_OVER), "{taken}");
    assert!(
        std::fs::read_to_string(out.join("factsheet.html"))
            .unwrap()
            .contains("<!-- reviewed -->")
    );
    assert!(std::fs::read(out.join("factsheet.pdf")).unwrap() == pdf);

    // A font file changes (here only its modification time): typst runs again.
    let font = std::fs::read_dir(root.join("fonts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "otf"))
        .unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&font)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let compiled = build_xian(root, &[]);
    assert!(
        compiled.contains("wrote out/2023-xian/factsheet.pdf")
            && !compiled.contains(PDF_TAKEN_OVER),
        "{compiled}"
    );

    // --force: everything again, typst included.
    let forced = build_xian(root, &["--force"]);
    assert!(
        !forced.contains(UP_TO_DATE) && !forced.contains(PDF_TAKEN_OVER),
        "{forced}"
    );
    assert!(std::fs::read(out.join("factsheet.pdf")).unwrap() == pdf);
}

#[test]
fn missing_typst_with_provisioning_disabled_gives_the_manual_steps() {
    let dir = temp_copy();
    let empty = tempfile::tempdir().unwrap();
    let cache = empty.path().to_string_lossy().into_owned();
    let o = run(
        dir.path(),
        &["build", "2023-xian"],
        &[
            ("PATH", &cache),
            ("FACTSHEET_CACHE_DIR", &cache),
            ("FACTSHEET_NO_PROVISION", "1"),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    for e in [
        "typst was not found, and installing it is switched off",
        "cargo install --locked typst-cli@0.15.1 --no-default-features --features embedded-fonts --root",
        &format!("{cache}/typst-0.15.1"),
        "--typst PATH",
    ] {
        assert!(err.contains(e), "stderr lacks {e:?}:\n{err}");
    }
    assert!(!dir.path().join("out/2023-xian/factsheet.pdf").exists());
    let o = run(
        dir.path(),
        &[
            "build",
            "2023-xian",
            "--no-provision",
            "--typst",
            "/nonexistent/typst",
        ],
        &[("FACTSHEET_CACHE_DIR", &cache)],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("(/nonexistent/typst) cannot be run"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn a_typst_outside_the_tested_range_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_copy();
    let fake = dir.path().join("old-typst");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'typst 0.11.0 (test)'; exit 0; fi\nexec '{}' \"$@\"\n",
            typst_cli().path.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = run(
        dir.path(),
        &["build", "2023-xian"],
        &[("FACTSHEET_TYPST", &fake.to_string_lossy())],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("typst 0.11.0")
            && err.contains("outside the range the templates are tested with (0.15.x"),
        "{err}"
    );
}

#[test]
fn a_failed_compile_points_at_the_line_and_keeps_the_previous_pdf() {
    let dir = temp_copy();
    let out = dir.path().join("out/2023-xian");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("factsheet.pdf"), "OLD").unwrap();
    let main = dir.path().join("templates/factsheet.typ.j2");
    let mut text = std::fs::read_to_string(&main).unwrap();
    text.push_str("#let broken = (\n");
    std::fs::write(&main, text).unwrap();
    let o = run(dir.path(), &["build", "2023-xian"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("out/2023-xian/factsheet.failed.typ:"), "{err}");
    assert!(err.contains(": error: "), "{err}");
    assert!(
        err.contains("| #let broken = ("),
        "the offending line is shown:\n{err}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("factsheet.pdf")).unwrap(),
        "OLD"
    );
    assert!(
        !out.join("facts.json").exists(),
        "no partial set of outputs"
    );
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".build")), "{names:?}");
}

#[test]
fn doctor_reports_typst_fonts_and_each_summit() {
    let dir = temp_copy();
    let o = run(dir.path(), &["doctor"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    let t = typst_cli();
    assert!(
        out.contains(&format!("{} {}", t.path.display(), t.version)),
        "{out}"
    );
    assert!(
        out.contains("\"Noto Serif CJK SC\" weight 400") && out.contains("sha256 ok"),
        "{out}"
    );
    assert!(out.contains("summit:  2022-virtual: builds, "), "{out}");
    assert!(out.contains("summit:  2023-xian: builds, "), "{out}");
    assert!(
        !dir.path().join("out").exists(),
        "doctor does not write out/"
    );
}

#[cfg(unix)]
#[test]
fn a_missing_typst_is_provisioned_into_the_cache_once() {
    use std::os::unix::fs::PermissionsExt;
    let system_path = "/usr/bin:/bin";
    if system_path
        .split(':')
        .any(|d| Path::new(d).join("typst").exists())
    {
        eprintln!("skipped: a typst on {system_path} would be used instead of provisioning");
        return;
    }
    let dir = temp_copy();
    let cache = tempfile::tempdir().unwrap();
    // Stands in for `cargo install` (the real one takes ~20 minutes): it records its
    // arguments and installs a typst that forwards to the real one.
    let fake_cargo = cache.path().join("fake-cargo");
    let log = cache.path().join("cargo-args");
    std::fs::write(
        &fake_cargo,
        format!(
            "#!/bin/sh\necho \"$@\" > '{log}'\nroot=\nwhile [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=\"$2\"; shift; done\n\
             mkdir -p \"$root/bin\"\nprintf '#!/bin/sh\\nexec \"%s\" \"$@\"\\n' '{real}' > \"$root/bin/typst\"\nchmod +x \"$root/bin/typst\"\n",
            log = log.display(),
            real = typst_cli().path.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake_cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cache_dir = cache.path().join("c");
    let env = [
        ("PATH", system_path),
        ("FACTSHEET_CACHE_DIR", cache_dir.to_str().unwrap()),
        ("CARGO", fake_cargo.to_str().unwrap()),
    ];
    let o = run(dir.path(), &["build", "2023-xian"], &env);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let root = cache_dir.join("typst-0.15.1");
    for e in [
        "Installing typst 0.15.1 for this machine with:",
        &format!(
            "cargo install --locked typst-cli@0.15.1 --no-default-features --features embedded-fonts --root {}",
            root.display()
        ),
        "about 20 minutes",
        "--no-provision",
    ] {
        assert!(err.contains(e), "stderr lacks {e:?}:\n{err}");
    }
    let args = std::fs::read_to_string(&log).unwrap();
    assert!(args.starts_with("install --locked typst-cli@0.15.1 --no-default-features --features embedded-fonts --root "), "{args}");
    assert!(root.join("bin/typst").is_file());
    let mut left: Vec<_> = std::fs::read_dir(&cache_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    // The lock file stays (unlocked): removing it while another build waits on it
    // would let a third build take a new one.
    assert_eq!(
        left,
        vec![
            std::ffi::OsString::from("typst-0.15.1"),
            std::ffi::OsString::from("typst-0.15.1.lock")
        ],
        "staging left behind"
    );
    assert!(dir.path().join("out/2023-xian/factsheet.pdf").is_file());

    std::fs::remove_file(&log).unwrap();
    let again = run(dir.path(), &["build", "--force", "2023-xian"], &env);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(!stderr(&again).contains("Installing"), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("factsheet's cached copy"),
        "{}",
        stdout(&again)
    );
    assert!(!log.exists(), "cargo ran a second time");
}

#[test]
fn typst_warnings_are_shown_with_file_and_line() {
    let dir = temp_copy();
    let main = dir.path().join("templates/factsheet.typ.j2");
    let mut text = std::fs::read_to_string(&main).unwrap();
    text.push_str("#text(font: \"No Such Font\")[x]\n");
    std::fs::write(&main, text).unwrap();
    let o = run(dir.path(), &["build", "2023-xian"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.contains("unknown font family"))
        .unwrap_or_else(|| panic!("typst's warning was swallowed:\n{err}"));
    assert!(
        line.starts_with("warning: 2023-xian: typst: out/2023-xian/factsheet.typ:"),
        "{line}"
    );
    assert!(err.contains("| #text(font: \"No Such Font\")[x]"), "{err}");
}

#[test]
fn a_sheet_without_facts_still_builds_and_says_so() {
    let project = common::project();
    let mut sheet = fixture();
    sheet.facts.clear();
    sheet.notes.clear();
    let out = tempfile::tempdir().unwrap();
    let report = render_sheet(&project, &sheet, &options(&project), out.path()).unwrap();
    assert_eq!(report.pages, 1);
    assert!(report.counts.is_empty());
    let text = pdf_text(&out.path().join("factsheet.pdf"));
    assert!(
        text.contains("尚未提取到事实") && text.contains("来源"),
        "{text}"
    );
}

/// A field the project does not have: agreements signed, in one rule file.
const AGREEMENTS: &str = r#"
field: agreement
title: {zh: 签署协议, en: Agreements signed}
order: 55
description: >
  An agreement two parties signed at the summit.
rules:
  - id: agreement.signed
    pattern: '(?P<parties>\p{Han}{2,4}同\p{Han}{2,8}?)签署(?:了)?(?P<title>[^的，。]{2,12}?(?:协议|协定))'
    attributes:
      parties: parties
      title: title
    examples:
      - sentence: 中国同吉尔吉斯斯坦签署互设文化中心协议。
        attributes: {parties: 中国同吉尔吉斯斯坦, title: 互设文化中心协议}
      - sentence: 这是中国同中亚国家签署的首份类似协议。
        match: false
"#;

#[test]
fn adding_a_field_is_one_rule_file_and_it_renders_as_a_table() {
    let dir = temp_copy();
    std::fs::write(dir.path().join("rules/agreements.yaml"), AGREEMENTS).unwrap();
    let check = run(dir.path(), &["check"], &[]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert!(
        stdout(&check).contains("ok    agreement.signed"),
        "{}",
        stdout(&check)
    );
    let typst = typst_cli().path.to_string_lossy().into_owned();
    let o = run(dir.path(), &["build", "2023-xian", "--typst", &typst], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("agreement 2"), "{}", stdout(&o));
    let out = dir.path().join("out/2023-xian");
    let sheet: FactSheet =
        serde_json::from_str(&std::fs::read_to_string(out.join("facts.json")).unwrap()).unwrap();
    let agreements: Vec<&Fact> = sheet
        .facts
        .iter()
        .filter(|f| f.field == "agreement")
        .collect();
    assert_eq!(agreements.len(), 2, "{agreements:#?}");
    // A table with a column for the text and one for each attribute its rule makes.
    let md = std::fs::read_to_string(out.join("factsheet.md")).unwrap();
    assert!(md.contains("## 签署协议 Agreements signed\n"), "{md}");
    assert!(
        md.contains("| 内容 What | parties | title | 出处 Sources |\n|---|---|---|---|\n"),
        "{md}"
    );
    assert!(
        md.contains("| 中国同吉尔吉斯斯坦 | 互设文化中心协议 |"),
        "{md}"
    );
    let typ = std::fs::read_to_string(out.join("factsheet.typ")).unwrap();
    let section = &typ[typ
        .find("= #bi[签署协议][Agreements signed]")
        .expect("a section of its own")..];
    assert!(
        section.starts_with(
            "= #bi[签署协议][Agreements signed]\n#data-table(\n  columns: (1fr, 7em, 7em, 5.4em),\n  header: (th[内容][What], th[parties][], th[title][], th[出处][Sources]),"
        ),
        "{section}"
    );
    let text = pdf_text(&out.join("factsheet.pdf"));
    assert!(
        text.contains("签署协议") && text.contains("互免签证协定"),
        "{text}"
    );
    let html = std::fs::read_to_string(out.join("factsheet.html")).unwrap();
    let section = &html[html.find("<section id=\"field-agreement\">").unwrap()..];
    assert!(
        section.contains("<table>") && section.contains("<td>互设文化中心协议"),
        "{section}"
    );
}
