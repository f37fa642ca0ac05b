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
