//! Hostile and careless input (issue 11): every path stays inside the project, nothing
//! hangs, and each problem gets an error that names the entry. Every fixture is made
//! here, in a fresh temporary project.

mod common;

use std::path::Path;

use common::*;

const TEXT: &str = "中方将向中亚国家提供5亿美元无偿援助。";

fn yaml_with(files: &[&str]) -> String {
    let mut y = "title: t\ndate: 2022-01-25\nsources:\n".to_string();
    for f in files {
        y.push_str(&format!("  - file: '{f}'\n"));
    }
    y
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

#[test]
fn a_source_that_climbs_out_with_dotdot_is_refused() {
    let dir = temp_project("t", &yaml_with(&["../../../../etc/passwd"]), &[]);
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("summit.yaml:4: `file: ../../../../etc/passwd` goes up with `..`; a source must lie inside the summit's sources/ folder"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn an_absolute_source_path_is_refused() {
    let dir = temp_project("t", &yaml_with(&["/etc/hostname"]), &[]);
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("summit.yaml:4: `file: /etc/hostname` is an absolute path"),
        "{}",
        stderr(&o)
    );
    let dir = temp_project("t", &yaml_with(&["/dev/zero"]), &[]);
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("`file: /dev/zero` is an absolute path"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_sources_is_refused_listed_or_not() {
    // Not listed: every file under sources/ is read, so the link is an error.
    let dir = temp_project(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    let link = dir.path().join("summits/t/sources/passwd.txt");
    symlink(Path::new("/etc/passwd"), &link);
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("sources/passwd.txt: is a symbolic link to /etc/passwd, outside")
            && err.contains("a source must lie inside the summit's sources/ folder"),
        "{err}"
    );
    assert!(!stdout(&o).contains("root:"));

    // Listed: reading it says where it leads.
    let dir = temp_project("t", &yaml_with(&["passwd.txt"]), &[]);
    let link = dir.path().join("summits/t/sources/passwd.txt");
    symlink(Path::new("/etc/passwd"), &link);
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("passwd.txt: is a symbolic link to /etc/passwd, outside"),
        "{err}"
    );

    // A link to another file inside sources/ is fine.
    let dir = temp_project(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    symlink(
        Path::new("a.txt"),
        &dir.path().join("summits/t/sources/b.txt"),
    );
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("b.txt:1:1"), "{}", stdout(&o));
}

#[cfg(unix)]
#[test]
fn a_symlink_to_the_root_folder_is_not_walked() {
    let dir = temp_project(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    symlink(Path::new("/"), &dir.path().join("summits/t/sources/root"));
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("sources/root: is a symbolic link to /, outside"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn a_summit_folder_linked_from_elsewhere_is_refused() {
    let elsewhere = temp_project(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    let dir = temp_project(
        "u",
        "title: u\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    symlink(
        &elsewhere.path().join("summits/t"),
        &dir.path().join("summits/t"),
    );
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("summits/t: is a symbolic link to")
            && err.contains("factsheet reads only files inside the project folder"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_never_opened() {
    // Undeclared: the FIFO is found by the listing and refused.
    let dir = temp_project(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    mkfifo(&dir.path().join("summits/t/sources/pipe.txt"));
    for args in [&["sentences", "t"][..], &["extract", "t"]] {
        let o = run(dir.path(), args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&o).contains(
                "sources/pipe.txt: is a named pipe (FIFO), not a regular file; only regular files are read"
            ),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    // Declared: reading it is refused before it is opened.
    let dir = temp_project("t", &yaml_with(&["pipe.txt"]), &[]);
    mkfifo(&dir.path().join("summits/t/sources/pipe.txt"));
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("pipe.txt: is a named pipe (FIFO), not a regular file"),
        "{}",
        stderr(&o)
    );
    // Declared but not listed: a warning, and the listed sources are read.
    let dir = temp_project("t", &yaml_with(&["a.txt"]), &[("a.txt", TEXT.as_bytes())]);
    mkfifo(&dir.path().join("summits/t/sources/pipe.txt"));
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("pipe.txt: is a named pipe (FIFO), not a regular file; only regular files are read; it is not read"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_source_larger_than_the_cap_is_refused() {
    let big = TEXT.repeat(2 * 1024 * 1024 / TEXT.len() + 1);
    let dir = temp_project(
        "t",
        &yaml_with(&["big.txt"]),
        &[("big.txt", big.as_bytes())],
    );
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_factsheet"))
        .args(["sentences", "t"])
        .current_dir(dir.path())
        .env("FACTSHEET_MAX_SOURCE_MB", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "big.txt: is larger than 1 MB, the most one input file may hold (set FACTSHEET_MAX_SOURCE_MB to raise the limit)"
        ),
        "{}",
        stderr(&o)
    );
}

/// Speeches are read first (they give the canonical wording), but when several
/// sources cannot be read, the error names the first in summit.yaml, on any number
/// of threads.
#[test]
fn of_several_unreadable_sources_the_first_listed_is_named() {
    let yaml = "title: t\ndate: 2022-01-25\nsources:\n  - file: a.docx\n    kind: report\n  - file: b.docx\n    kind: speech\n  - file: c.txt\n    kind: speech\n";
    let dir = temp_project(
        "t",
        yaml,
        &[
            ("a.docx", b"not a zip".as_slice()),
            ("b.docx", b"not a zip either".as_slice()),
            ("c.txt", TEXT.as_bytes()),
        ],
    );
    for jobs in ["1", "2", "8"] {
        let o = run(
            dir.path(),
            &["extract", "t", "--format", "json", "-j", jobs],
        );
        assert_eq!(o.status.code(), Some(1), "-j {jobs}");
        let err = stderr(&o);
        assert!(
            err.contains("a.docx: is not a Word (.docx) file"),
            "-j {jobs}: {err}"
        );
        assert!(!err.contains("b.docx"), "-j {jobs}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn a_gold_file_that_is_a_device_is_refused() {
    let o = run(
        &repo_root(),
        &["eval", "2022-virtual", "--gold", "/dev/urandom"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("/dev/urandom: is a character device, not a regular file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn one_file_listed_under_two_spellings_is_an_error() {
    let dir = temp_project(
        "t",
        &yaml_with(&["a.txt", "./a.txt"]),
        &[("a.txt", TEXT.as_bytes())],
    );
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(
            "summit.yaml:5: source ./a.txt is listed twice (also as a.txt); it would be read twice"
        ),
        "{}",
        stderr(&o)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_name_that_is_not_utf8_is_named_as_such() {
    use std::os::unix::ffi::OsStrExt;
    let dir = temp_project(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    let name = std::ffi::OsStr::from_bytes(b"caf\xE9.txt");
    std::fs::write(dir.path().join("summits/t/sources").join(name), TEXT).unwrap();
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(
            "the file name is not valid UTF-8 (shown here as \"caf\u{FFFD}.txt\"); rename the file"
        ),
        "{err}"
    );
    assert!(!err.contains("not found"), "{err}");
}

#[test]
fn control_characters_and_bidi_overrides_never_leave_a_source() {
    // Long enough not to look like binary data (which is refused).
    let txt = "中方将向中亚国家提供\x1b[31m5亿美元\x1b[0m无偿援助。\n\n双方同意继续深化各领域务实合作，推动共建“一带一路”高质量发展。\n";
    let md = "# 标题\n\n中方将向中亚国家提供&#0;3亿美元&#27;无偿援助\u{202E}。\n";
    let yaml =
        "title: \"峰会\\e[31m\"\ndate: 2022-01-25\nsources:\n  - file: a.txt\n  - file: b.md\n";
    let dir = temp_project(
        "t",
        yaml,
        &[("a.txt", txt.as_bytes()), ("b.md", md.as_bytes())],
    );
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("a.txt:1:1\t0-64\t中方将向中亚国家提供[31m5亿美元[0m无偿援助。"),
        "{out:?}"
    );
    assert!(
        out.contains("中方将向中亚国家提供3亿美元无偿援助。"),
        "{out:?}"
    );
    for bad in ['\x1b', '\u{202E}', '\0'] {
        assert!(!out.contains(bad), "{bad:?} in {out:?}");
    }
    // Each citation still checks against the file: its bytes normalise to the sentence.
    let o = run(dir.path(), &["sentences", "t", "--format", "json"]);
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for s in all.as_array().unwrap() {
        let (file, format) = match s["source"].as_str().unwrap() {
            "a.txt" => (txt, factsheet::summit::SourceFormat::Text),
            _ => (md, factsheet::summit::SourceFormat::Markdown),
        };
        let span =
            &file[s["start"].as_u64().unwrap() as usize..s["end"].as_u64().unwrap() as usize];
        assert_eq!(
            factsheet::normalise::normalise_span(format, span),
            s["text"].as_str().unwrap()
        );
    }
    let o = run(dir.path(), &["extract", "t"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json = stdout(&o);
    assert!(json.contains("\"value\": 300000000"), "{json}");
    for bad in ["\\u0000", "\\u001b", "\u{202E}"] {
        assert!(!json.contains(bad), "{bad:?} in {json}");
    }
    // summit.yaml is the user's, but the terminal still gets no escape sequence.
    let o = run(dir.path(), &["list"]);
    assert!(stdout(&o).contains("峰会\\u{1b}[31m"), "{}", stdout(&o));
    assert!(!stdout(&o).contains('\x1b'));
}

// --- Builds: outputs confined to out/, replaced as one set, typst never orphaned ---

/// A stand-in for typst that writes a one-page PDF, so these tests do not need the real
/// one. With FAKE_TYPST_PIDFILE set it writes its pid there and waits instead.
#[cfg(unix)]
fn fake_typst(dir: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake-typst");
    std::fs::write(
        &path,
        r#"#!/bin/sh
if [ "$1" = "--version" ]; then echo "typst 0.15.1 (fake)"; exit 0; fi
for a; do last="$a"; done
case " $* " in *" --creation-timestamp="*) ;; *) echo "error: no --creation-timestamp=" >&2; exit 2;; esac
if [ -n "$FAKE_TYPST_PIDFILE" ]; then echo $$ > "$FAKE_TYPST_PIDFILE.tmp"; mv "$FAKE_TYPST_PIDFILE.tmp" "$FAKE_TYPST_PIDFILE"; exec sleep 120; fi
printf '%%PDF-1.7\n1 0 obj <</Type /Page>> endobj\n' > "$last"
"#,
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn buildable(id: &str, yaml: &str, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = temp_project(id, yaml, files);
    copy_dir(&repo_root().join("fonts"), &dir.path().join("fonts"));
    dir
}

#[cfg(unix)]
fn build_with(
    root: &Path,
    typst: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_factsheet"));
    cmd.arg("build")
        .args(args)
        .arg("--typst")
        .arg(typst)
        .current_dir(root)
        .env_remove("FACTSHEET_ROOT")
        .env_remove("FACTSHEET_TYPST");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn staging_left(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".build-") || n.contains(".old-"))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(unix)]
#[test]
fn an_output_folder_that_is_a_symlink_is_refused() {
    let dir = buildable(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    symlink(elsewhere.path(), &dir.path().join("out/t"));
    let typst = fake_typst(dir.path());
    let o = build_with(dir.path(), &typst, &["t"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error: t: ./out/t: is a symbolic link; factsheet writes only into real folders under out/ (remove the link)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[cfg(unix)]
#[test]
fn outputs_are_replaced_as_one_set() {
    let dir = buildable(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    let out = dir.path().join("out/t");
    std::fs::create_dir_all(out.join("factsheet.pdf")).unwrap();
    std::fs::write(out.join("factsheet.pdf/x"), "x").unwrap();
    std::fs::write(out.join("facts.json"), "old").unwrap();
    let typst = fake_typst(dir.path());
    let o = build_with(dir.path(), &typst, &["t"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.join("factsheet.pdf").is_file());
    let facts = std::fs::read_to_string(out.join("facts.json")).unwrap();
    assert!(facts.contains("\"value\": 500000000"), "{facts}");
    for name in ["factsheet.md", "factsheet.typ"] {
        assert!(out.join(name).is_file(), "{name}");
    }
    assert_eq!(staging_left(&dir.path().join("out")), Vec::<String>::new());
}

#[cfg(target_os = "linux")]
#[test]
fn a_killed_build_leaves_no_typst_running_and_nothing_the_next_build_keeps() {
    let dir = buildable(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    let typst = fake_typst(dir.path());
    let pidfile = dir.path().join("typst.pid");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_factsheet"))
        .args(["build", "t", "--typst"])
        .arg(&typst)
        .current_dir(dir.path())
        .env("FAKE_TYPST_PIDFILE", &pidfile)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait (for an event, not a duration) until typst runs, then kill -9 factsheet.
    let mut tries = 0;
    while !pidfile.exists() {
        tries += 1;
        assert!(tries < 6000, "typst never started");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let pid = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .to_string();
    child.kill().unwrap();
    child.wait().unwrap();
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
    };
    let mut tries = 0;
    while alive() {
        tries += 1;
        assert!(tries < 6000, "typst {pid} outlived factsheet");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(staging_left(&dir.path().join("out")).len(), 1);
    // The next build cleans up what the killed one left.
    let o = build_with(dir.path(), &typst, &["t"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(staging_left(&dir.path().join("out")), Vec::<String>::new());
    assert!(dir.path().join("out/t/factsheet.pdf").is_file());
}

#[test]
fn one_bad_summit_does_not_stop_list_or_build_all() {
    let dir = buildable(
        "good",
        "title: 好\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    let bad = dir.path().join("summits/bad");
    std::fs::create_dir_all(bad.join("sources")).unwrap();
    std::fs::write(bad.join("summit.yaml"), "title: [unclosed\n").unwrap();
    let o = run(dir.path(), &["list"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error: bad: ./summits/bad/summit.yaml:"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("good  2022-01-25"), "{}", stdout(&o));
    #[cfg(unix)]
    {
        let typst = fake_typst(dir.path());
        let o = build_with(dir.path(), &typst, &["--all"], &[]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("error: bad: "), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("1 of 2 fact sheet(s) failed"),
            "{}",
            stderr(&o)
        );
        assert!(dir.path().join("out/good/factsheet.pdf").is_file());
    }
}

#[test]
fn a_summit_before_1970_builds() {
    let dir = buildable(
        "apollo",
        "title: 峰会\ndate: 1969-07-20\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    let o = run(dir.path(), &["build", "apollo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pdf = std::fs::read(dir.path().join("out/apollo/factsheet.pdf")).unwrap();
    // typst writes the creation date from --creation-timestamp.
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("D:19690720"),
        "no 1969 creation date in the PDF"
    );
}

#[cfg(unix)]
#[test]
fn a_typst_that_refuses_its_command_line_does_not_blame_the_typ() {
    use std::os::unix::fs::PermissionsExt;
    let dir = buildable(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    let typst = dir.path().join("picky-typst");
    std::fs::write(
        &typst,
        "#!/bin/sh\n[ \"$1\" = --version ] && { echo 'typst 0.15.1'; exit 0; }\necho \"error: unexpected argument '-8' found\" >&2\nexit 2\n",
    )
    .unwrap();
    std::fs::set_permissions(&typst, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = build_with(dir.path(), &typst, &["t"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("failed before compiling the fact sheet; this is not a problem in the .typ:\nerror: unexpected argument '-8' found"),
        "{err}"
    );
    assert!(!dir.path().join("out/t/factsheet.failed.typ").exists());
}

// --- Rules: bounded expansion, near-linear overlaps, exact locations ---

fn rules_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

fn check_rules(dir: &Path) -> std::process::Output {
    run(&repo_root(), &["check", "--rules", dir.to_str().unwrap()])
}

#[test]
fn a_doubling_sub_pattern_chain_stops_with_an_error_naming_the_rule() {
    let mut patterns = "patterns:\n  p0: '甲'\n".to_string();
    for k in 1..=39 {
        patterns.push_str(&format!("  p{k}: '{{{{p{}}}}}{{{{p{}}}}}'\n", k - 1, k - 1));
    }
    let rule = "field: widget\nrules:\n  - id: widget.big\n    pattern: '{{p39}}'\n    examples:\n      - sentence: 甲。\n";
    let dir = rules_dir(&[("patterns.yaml", &patterns), ("widget.yaml", rule)]);
    let o = check_rules(dir.path());
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("widget.yaml:4: rule `widget.big`: pattern: expands to more than 100000 characters (through p39 → p38 → p37 →"),
        "{err}"
    );
    assert!(!stdout(&o).contains("error:"), "errors belong on stderr");
}

#[test]
fn a_duplicate_rule_id_in_one_file_points_at_both_definitions() {
    let rule = "  - id: widget.made\n    pattern: '制造'\n    examples:\n      - sentence: 制造。\n      - sentence: 停工。\n        match: false\n";
    let body = format!("field: widget\nrules:\n{rule}{rule}");
    let dir = rules_dir(&[("widget.yaml", &body)]);
    let o = check_rules(dir.path());
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let file = dir.path().join("widget.yaml");
    assert!(
        err.contains(&format!(
            "{}:9: rule `widget.made`: duplicate rule id; also defined at {}:3",
            file.display(),
            file.display()
        )),
        "{err}"
    );
}

#[test]
fn two_thousand_rules_claiming_one_span_keep_the_strongest() {
    let mut body = "field: widget\nrules:\n".to_string();
    for k in 0..2000 {
        body.push_str(&format!(
            "  - id: widget.r{k}\n    priority: {k}\n    pattern: '提供(?P<amount>\\d+亿美元)'\n    attributes:\n      amount: {{capture: amount, normaliser: money}}\n    examples:\n      - sentence: 提供5亿美元。\n"
        ));
    }
    let dir = temp_project(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    let rules = dir.path().join("rules");
    std::fs::remove_dir_all(&rules).unwrap();
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("widget.yaml"), body).unwrap();
    let o = run(dir.path(), &["extract", "t"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sheet: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let facts = sheet["facts"].as_array().unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0]["rules"], serde_json::json!(["widget.r1999"]));
    assert_eq!(facts[0]["attributes"]["amount"]["value"], 500000000);
}

// --- Numbers: exact or refused with a note ---

#[test]
fn every_amount_in_a_matched_sentence_is_read_exactly_or_refused_with_a_note() {
    let rule = r#"field: pledge
identity: amount
rules:
  - id: pledge.any
    pattern: '提供(?P<amount>[^。；]+?(?:美元|元|个))'
    attributes:
      amount: {capture: amount, normaliser: quantity}
    examples:
      - sentence: 中方将提供5亿美元。
"#;
    let amounts = [
        "两亿美元",
        "一亿美元",
        "一万个",
        "十万八千个",
        "数百亿元",
        "99999999999999999999亿元",
        "5至3亿元",
        "3，600亿元",
    ];
    let text: String = amounts
        .iter()
        .enumerate()
        .map(|(k, a)| format!("第{k}次，中方将提供{a}。\n\n"))
        .collect();
    let dir = temp_project(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", text.as_bytes())],
    );
    let rules = dir.path().join("rules");
    std::fs::remove_dir_all(&rules).unwrap();
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("pledges.yaml"), rule).unwrap();
    let o = run(dir.path(), &["extract", "t", "--raw"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sheet: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let got: Vec<String> = sheet["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["attributes"]["amount"].to_string())
        .collect();
    assert_eq!(
        got,
        [
            r#"{"value":200000000,"unit":"USD","text":"两亿美元"}"#,
            r#"{"value":100000000,"unit":"USD","text":"一亿美元"}"#,
            r#"{"value":10000,"unit":"个","text":"一万个"}"#,
            r#"{"value":108000,"unit":"个","text":"十万八千个"}"#,
            r#"{"value":10000000000,"bound":"at_least","unit":"CNY","text":"数百亿元"}"#,
        ]
    );
    let notes: Vec<String> = sheet["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{} {}",
                n["sentence"].as_str().unwrap(),
                n["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        notes,
        [
            "a.txt:6:1 matched, but attribute `amount`: normaliser `quantity` cannot read \"99999999999999999999亿元\": 9999999999999999999900000000 is too large to keep exactly (facts.json holds whole numbers up to 9223372036854775807); the match is dropped",
            "a.txt:7:1 matched, but attribute `amount`: normaliser `quantity` cannot read \"5至3亿元\": the range runs backwards: its lower end (500000000) is more than its upper end (300000000); the match is dropped",
            "a.txt:8:1 matched, but attribute `amount`: normaliser `quantity` cannot read \"3，600亿元\": the full-width comma in \"3，600\" is not a thousands separator (write 3,600 or 3600); read alone, 3 has nothing after it; the match is dropped",
        ]
    );
}

// --- Messages that say what is really wrong ---

#[test]
fn an_exclusion_whose_to_comes_before_its_from_says_so() {
    let yaml = "title: t\ndate: 2022-01-25\nsources:\n  - file: a.txt\n    exclude:\n      - from: 乙段\n        to: 甲段\n";
    let dir = temp_project(
        "t",
        yaml,
        &[("a.txt", "甲段开始。\n\n乙段结束。\n".as_bytes())],
    );
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("its `to:` text \"甲段\" occurs only before its `from:` text \"乙段\"; swap them, or pick a `to:` after the `from:`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_title_of_the_wrong_shape_is_explained() {
    let dir = temp_project(
        "t",
        "title: [a, b]\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("summit.yaml:1: title: invalid type: sequence, expected a title: one string (title: 峰会) or zh: and en: (title: {zh: 峰会, en: Summit})"),
        "{err}"
    );
    assert!(!err.contains("untagged"), "{err}");
}

#[test]
fn min_f1_must_be_a_score_from_0_to_1() {
    for (bad, why) in [
        (
            "nan",
            "nan is not an F1 score; F1 lies between 0 and 1 (e.g. 0.95)",
        ),
        (
            "2",
            "2 is not an F1 score; F1 lies between 0 and 1 (e.g. 0.95)",
        ),
        (
            "x",
            "\"x\" is not a number; give an F1 score from 0 to 1, e.g. 0.95",
        ),
    ] {
        let o = run(
            &repo_root(),
            &[
                "eval",
                "2022-virtual",
                "--gold",
                "tests/gold/2022-virtual.yaml",
                "--min-f1",
                bad,
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(stderr(&o).contains(why), "{bad}: {}", stderr(&o));
    }
}

#[test]
fn latin1_text_read_as_gb18030_is_warned_about() {
    let latin1: Vec<u8> = "Müller und Söhne: Änderungen der Verträge."
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    let dir = temp_project("t", &yaml_with(&["l.txt"]), &[("l.txt", &latin1)]);
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("l.txt: is not UTF-8 and was read as GB18030, but 4 of its 4 non-ASCII characters are rare in Chinese text (such as '黮'); if it is Latin-1 or Windows-1252, convert it to UTF-8"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn rule_files_and_templates_that_lead_out_of_their_folder_are_refused() {
    let dir = temp_project(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[("a.txt", TEXT.as_bytes())],
    );
    symlink(
        Path::new("/etc/passwd"),
        &dir.path().join("rules/evil.yaml"),
    );
    let o = run(dir.path(), &["extract", "t"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("rules/evil.yaml: is a symbolic link to /etc/passwd, outside")
            && stderr(&o).contains("rule files must lie inside the rules folder"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(dir.path().join("rules/evil.yaml")).unwrap();
    mkfifo(&dir.path().join("templates/pipe.j2"));
    let typst = fake_typst(dir.path());
    copy_dir(&repo_root().join("fonts"), &dir.path().join("fonts"));
    let o = build_with(dir.path(), &typst, &["t"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("templates/pipe.j2: is a named pipe (FIFO), not a regular file; only regular files are read"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn a_sources_folder_linked_from_elsewhere_is_refused() {
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("a.txt"), TEXT).unwrap();
    let dir = temp_project("t", "title: t\ndate: 2022-01-25\n", &[]);
    let sources = dir.path().join("summits/t/sources");
    std::fs::remove_dir_all(&sources).unwrap();
    symlink(elsewhere.path(), &sources);
    let o = run(dir.path(), &["sentences", "t"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("summits/t/sources: is a symbolic link to")
            && stderr(&o)
                .contains("a summit's sources/ folder must lie inside the summit's folder"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn diff_refuses_a_device_for_a_facts_file() {
    let o = run(&repo_root(), &["diff", "/dev/zero", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("/dev/zero: is a character device, not a regular file"),
        "{}",
        stderr(&o)
    );
}
