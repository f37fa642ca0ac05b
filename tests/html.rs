//! The HTML review sheet: self-contained, every link leads somewhere, every cited
//! sentence holds its quote, source text cannot become markup - checked in the file
//! and in a real browser (headless Chromium: `FACTSHEET_CHROMIUM`, else `chromium`,
//! `chromium-browser` or `google-chrome` on PATH, else Debian's chromium installed by
//! the test itself; skipped only when none can be had, and never under `CI`). The browser test saves a screenshot under `$FACTSHEET_ARTEFACTS`, else
//! `<target>/tmp/artefacts/`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use factsheet::facts::FactSheet;

/// A copy of the project (summits, rules, templates, fonts) in a temporary folder.
fn temp_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["summits", "rules", "templates", "fonts"] {
        copy_dir(&repo_root().join(sub), &dir.path().join(sub));
    }
    dir
}

/// Builds the HTML sheet (and facts.json) of `id` in `root`; no typst needed.
fn build_html(root: &Path, id: &str) -> (String, FactSheet) {
    let o = run(root, &["build", id, "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(&format!("wrote out/{id}/factsheet.html")));
    let out = root.join("out").join(id);
    assert!(
        !out.join("factsheet.pdf").exists(),
        "only what --format asks"
    );
    let html = std::fs::read_to_string(out.join("factsheet.html")).unwrap();
    let json = std::fs::read_to_string(out.join("facts.json")).unwrap();
    (html, serde_json::from_str(&json).unwrap())
}

/// The values of attribute `name` in `html` (`href="…"` → …).
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let key = format!(" {name}=\"");
    html.match_indices(&key)
        .map(|(i, _)| {
            let rest = &html[i + key.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Undoes minijinja's HTML escaping.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The text of each highlighted (cited) sentence, by anchor.
fn highlights(html: &str) -> BTreeMap<String, String> {
    let open = "<mark class=\"s cited\" id=\"";
    html.match_indices(open)
        .map(|(i, _)| {
            let rest = &html[i + open.len()..];
            let id_end = rest.find('"').unwrap();
            let body = &rest[id_end + 2..];
            let text = &body[..body.find("</mark>").unwrap()];
            (rest[..id_end].to_string(), unescape(text))
        })
        .collect()
}

/// The anchor each citation of `sheet` links to, with the sentence it quotes: sources
/// are numbered S1, S2… in summit.yaml's order.
fn cited_quotes(sheet: &FactSheet) -> BTreeMap<String, String> {
    let number = |doc: &str| {
        1 + sheet
            .summit
            .sources
            .iter()
            .position(|s| s.doc == doc)
            .expect("every cited source is listed")
    };
    sheet
        .facts
        .iter()
        .flat_map(|f| f.citations())
        .map(|c| {
            let anchor = format!("S{}-{}-{}", number(&c.doc), c.para, c.sentence);
            (anchor, c.quote.to_string())
        })
        .collect()
}

#[test]
fn the_sheet_is_self_contained_and_every_citation_leads_to_its_sentence() {
    let dir = temp_copy();
    let (html, sheet) = build_html(dir.path(), "2023-xian");
    // One file: no script, nothing fetched, no stylesheet but its own.
    for bad in [
        "<script", " src=", "<link", "url(", "@import", "<iframe", "<img",
    ] {
        assert!(!html.contains(bad), "the sheet holds {bad:?}");
    }
    assert!(html.contains("<style>") && html.contains("@media print"));
    assert!(html.contains("Content-Security-Policy"));
    // Every link on the page has its target.
    let ids: BTreeSet<String> = attribute_values(&html, "id").into_iter().collect();
    let hrefs = attribute_values(&html, "href");
    assert!(hrefs.len() > 100, "{} links", hrefs.len());
    for href in &hrefs {
        let target = href
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{href} leaves the page"));
        assert!(ids.contains(target), "{href} has no target");
    }
    // Every sentence a fact cites is highlighted and holds the quoted text.
    let marked = highlights(&html);
    let quotes = cited_quotes(&sheet);
    assert!(quotes.len() > 20, "{} cited sentences", quotes.len());
    for (anchor, quote) in &quotes {
        assert_eq!(marked.get(anchor), Some(quote), "{anchor}");
        assert!(
            hrefs.contains(&format!("#{anchor}")),
            "no citation links to {anchor}"
        );
    }
    assert_eq!(
        marked.len(),
        quotes.len(),
        "only cited sentences are highlighted"
    );
    // Back-links: every fact is an anchor some cited sentence links back to.
    for f in &sheet.facts {
        assert!(ids.contains(&f.id), "fact {} has no anchor", f.id);
        assert!(
            hrefs.contains(&format!("#{}", f.id)),
            "nothing links back to {}",
            f.id
        );
    }
    // Sentences left out are there, greyed; sentences with a trigger but no fact are marked.
    let virtual_dir = tempfile::tempdir().unwrap();
    for sub in ["summits", "rules", "templates", "fonts"] {
        copy_dir(&repo_root().join(sub), &virtual_dir.path().join(sub));
    }
    let (v, _) = build_html(virtual_dir.path(), "2022-virtual");
    assert!(
        v.contains("class=\"s left-out\""),
        "left-out sentences of 002 are shown"
    );
    assert!(html.contains("class=\"s unclaimed\""));
    assert!(html.contains("title=\"trigger word "));
}

/// A summit whose source carries markup and a script.
fn hostile_project() -> tempfile::TempDir {
    let text = "我愿宣布，中方将向中亚国家提供5亿美元无偿援助<script>alert(1)</script>，用于民生项目。\n\
                中方提议建立<b>中国—中亚\"外长\"会晤机制</b>&amp;秘书处。\n";
    let dir = temp_project(
        "x",
        "title: 峰会<script>alert(2)</script>\ndate: 2023-05-18\nsources:\n  - file: a.txt\n    title: <img src=x onerror=alert(3)>\n",
        &[("a.txt", text.as_bytes())],
    );
    copy_dir(&repo_root().join("fonts"), &dir.path().join("fonts"));
    dir
}

#[test]
fn a_script_in_a_source_renders_as_text() {
    let dir = hostile_project();
    let (html, sheet) = build_html(dir.path(), "x");
    assert!(!html.contains("<script"), "{html}");
    assert!(
        !html.contains("<img") && !html.contains("<b>中国"),
        "{html}"
    );
    assert!(
        html.contains("&lt;b&gt;中国") && html.contains("&amp;amp;"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(3)&gt;"),
        "{html}"
    );
    assert!(
        sheet
            .facts
            .iter()
            .any(|f| f.text.contains("<script>alert(1)</script>")),
        "the fact keeps the source's words"
    );
}

/// Headless Chromium: `FACTSHEET_CHROMIUM`, one on PATH, else Debian's `chromium`
/// installed now, once per machine, as the project installs typst for `build`.
/// Without one, and no way to install it, the browser tests are skipped with a
/// message - except under `CI`, where they fail.
fn chromium() -> Option<PathBuf> {
    static BROWSER: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = BROWSER
        .get_or_init(|| find_chromium().or_else(install_chromium))
        .clone();
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs Chromium for the browser test, and it could not be installed (see above)"
        );
        eprintln!("skipped: no chromium (install Debian's chromium, or set FACTSHEET_CHROMIUM)");
    }
    found
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(given) = std::env::var_os("FACTSHEET_CHROMIUM") {
        return Some(PathBuf::from(given));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| on_path(name))
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Installs Debian's `chromium` with apt-get, as root or through password-less sudo;
/// says why not when it cannot (no apt-get, no rights, `FACTSHEET_NO_PROVISION`).
fn install_chromium() -> Option<PathBuf> {
    if std::env::var_os("FACTSHEET_NO_PROVISION").is_some_and(|v| !v.is_empty()) {
        eprintln!("not installing chromium: FACTSHEET_NO_PROVISION is set");
        return None;
    }
    let Some(apt) = on_path("apt-get") else {
        eprintln!("cannot install chromium: no apt-get (not a Debian system)");
        return None;
    };
    let mut prefix: Vec<std::ffi::OsString> = Vec::new();
    if !is_root() {
        let sudo_works = Command::new("sudo")
            .args(["-n", "true"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !sudo_works {
            eprintln!("cannot install chromium: not root, and sudo asks for a password");
            return None;
        }
        prefix = vec!["sudo".into(), "-n".into()];
    }
    eprintln!("Installing Debian's chromium for the browser tests (apt-get, once per machine)...");
    let steps: [&[&str]; 2] = [
        &["update", "-qq"],
        &[
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
        ],
    ];
    for args in steps {
        let mut command = prefix.clone();
        command.push(apt.clone().into_os_string());
        let status = Command::new(&command[0])
            .args(&command[1..])
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("cannot install chromium: apt-get {} failed", args.join(" "));
            return None;
        }
    }
    find_chromium()
}

#[cfg(unix)]
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

/// Where screenshots are kept after the test.
fn artefacts() -> PathBuf {
    let dir = std::env::var_os("FACTSHEET_ARTEFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("artefacts"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs headless Chromium on `page` (a file in `dir`) with `extra` arguments; its
/// fonts are the system's and the project's (so the screenshot shows the Chinese).
fn browse(browser: &Path, dir: &Path, page: &Path, extra: &[&str]) -> std::process::Output {
    let conf = dir.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>\
             <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include><dir>{}</dir>\
             <cachedir>{}</cachedir></fontconfig>",
            repo_root().join("fonts").display(),
            dir.join("fc-cache").display()
        ),
    )
    .unwrap();
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            // The test page reads the sheet's DOM in its frame: both are files.
            "--allow-file-access-from-files",
            "--virtual-time-budget=20000",
            "--window-size=1200,900",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .env("FONTCONFIG_FILE", &conf)
        .output()
        .expect("chromium runs")
}

/// What a test page wrote into its `#result`, parsed as JSON.
fn page_result(browser: &Path, dir: &Path, page: &Path) -> serde_json::Value {
    let o = browse(browser, dir, page, &["--dump-dom"]);
    let dom = String::from_utf8_lossy(&o.stdout);
    let result = dom
        .split("<pre id=\"result\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .unwrap_or_else(|| panic!("no result: {dom}\n{}", stderr(&o)));
    serde_json::from_str(&unescape(result))
        .unwrap_or_else(|e| panic!("{e}: {result}\n{}", stderr(&o)))
}

/// A page that loads `sheet` in a frame, clicks the citation links `clicks` (or all,
/// with `[]`) one after the other, and writes what it saw into `#result` as JSON.
fn test_page(dir: &Path, sheet: &Path, quotes: &BTreeMap<String, String>, last: &str) -> PathBuf {
    let page = dir.join("test.html");
    let script = r##"
const frame = document.getElementById('sheet');
frame.addEventListener('load', async () => {
  const d = frame.contentDocument, w = frame.contentWindow;
  const out = { missing: [], wrong: [], hidden: [], untargeted: [], scripts: d.scripts.length, clicked: 0 };
  for (const a of d.querySelectorAll('a[href^="#"]')) {
    if (!d.getElementById(a.getAttribute('href').slice(1))) out.missing.push(a.getAttribute('href'));
  }
  const links = [...d.querySelectorAll('.cite a')];
  const last = links.find(a => a.getAttribute('href') === '#' + LAST);
  for (const a of links.filter(a => a !== last).concat(last ? [last] : [])) {
    const id = a.getAttribute('href').slice(1);
    a.scrollIntoView();
    a.click();
    await new Promise(r => setTimeout(r, 30));
    const t = d.getElementById(id), r = t.getBoundingClientRect();
    if (!(r.top >= 0 && r.top < w.innerHeight && r.bottom > 0)) out.hidden.push(id + ' at ' + r.top);
    if (d.querySelector(':target') !== t) out.untargeted.push(id);
    if (QUOTES[id] !== undefined && t.textContent !== QUOTES[id]) out.wrong.push(id);
    out.clicked++;
  }
  out.highlight = last ? w.getComputedStyle(d.getElementById(LAST)).backgroundColor : '';
  document.getElementById('result').textContent = JSON.stringify(out);
});
"##;
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">\
         <iframe id=\"sheet\" src=\"file://{}\" style=\"width:1200px;height:900px;border:0\"></iframe>\
         <pre id=\"result\">pending</pre><script>const QUOTES = {}; const LAST = {};{script}</script></body></html>",
        sheet.display(),
        serde_json::to_string(quotes).unwrap(),
        serde_json::to_string(last).unwrap(),
    );
    std::fs::write(&page, html).unwrap();
    page
}

#[test]
fn clicking_a_citation_scrolls_its_highlighted_sentence_into_view() {
    let Some(browser) = chromium() else { return };
    let dir = temp_copy();
    let (_, sheet) = build_html(dir.path(), "2023-xian");
    let file = dir.path().join("out/2023-xian/factsheet.html");
    let quotes = cited_quotes(&sheet);
    // The pledge's citation is clicked last: the screenshot shows its sentence.
    let pledge = sheet.facts.iter().find(|f| f.field == "pledge").unwrap();
    let last = cited_quotes(&FactSheet {
        facts: vec![pledge.clone()],
        ..sheet.clone()
    })
    .into_keys()
    .next()
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let page = test_page(work.path(), &file, &quotes, &last);
    let r = page_result(&browser, work.path(), &page);
    for key in ["missing", "wrong", "hidden", "untargeted"] {
        assert_eq!(r[key], serde_json::json!([]), "{key}: {r}");
    }
    assert!(r["clicked"].as_u64().unwrap() > 50, "{r}");
    assert_eq!(r["scripts"], 0, "{r}");
    // The clicked sentence stands out: the :target colour, not the plain highlight.
    assert_eq!(r["highlight"], "rgb(255, 213, 74)", "{r}");
    let shot = artefacts().join("factsheet-2023-xian.png");
    let o = browse(
        &browser,
        work.path(),
        &page,
        &[&format!("--screenshot={}", shot.display())],
    );
    assert!(shot.is_file(), "no screenshot: {}", stderr(&o));
    eprintln!("screenshot: {}", shot.display());
}

#[test]
fn in_the_browser_a_script_from_a_source_is_text() {
    let Some(browser) = chromium() else { return };
    let dir = hostile_project();
    build_html(dir.path(), "x");
    let file = dir.path().join("out/x/factsheet.html");
    let work = tempfile::tempdir().unwrap();
    let page = work.path().join("test.html");
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>\
             <iframe id=\"s\" src=\"file://{}\"></iframe><pre id=\"result\">pending</pre>\
             <script>document.getElementById('s').addEventListener('load', () => {{\
               const d = document.getElementById('s').contentDocument;\
               document.getElementById('result').textContent = JSON.stringify({{\
                 scripts: d.scripts.length, images: d.images.length,\
                 bold: [...d.querySelectorAll('b')].filter(b => b.textContent.includes('外长')).length,\
                 text: d.body.textContent.includes('<scr' + 'ipt>alert(1)</scr' + 'ipt>'), title: d.title }});\
             }});</script></body></html>",
            file.display()
        ),
    )
    .unwrap();
    let r = page_result(&browser, work.path(), &page);
    assert_eq!(r["scripts"], 0, "{r}");
    assert_eq!(r["images"], 0, "{r}");
    assert_eq!(r["bold"], 0, "{r}");
    assert_eq!(r["text"], true, "{r}");
    assert!(
        r["title"]
            .as_str()
            .unwrap()
            .contains("<script>alert(2)</script>"),
        "{r}"
    );
}
