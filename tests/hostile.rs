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
