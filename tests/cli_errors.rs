//! Bad input gets a clear error naming the file, and the documented exit code.

mod common;

use common::*;

#[test]
fn bad_summit_ids_are_usage_errors() {
    for bad in ["../etc", "/etc", "", "A", "x/y", "..", "2023_xian"] {
        let o = run(&repo_root(), &["sentences", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("invalid summit id"), "{bad}: {err}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn unknown_summit_lists_the_known_ones() {
    let o = run(&repo_root(), &["sentences", "2099-nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("unknown summit `2099-nowhere`"), "{err}");
    // Every summit is named, in order.
    assert!(
        err.contains("2022-sco-samarkand, 2022-virtual, 2023-belt-and-road-forum"),
        "{err}"
    );
    assert!(err.contains("2025-china-celac-forum"), "{err}");
}

#[test]
fn list_shows_both_summits() {
    let o = run(&repo_root(), &["list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let row = |id: &str| {
        out.lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} missing:\n{out}"))
            .to_string()
    };
    let r22 = row("2022-virtual");
    assert!(
        r22.contains("2022-01-25") && r22.contains("视频峰会") && r22.contains(" 3 "),
        "{r22}"
    );
    let r23 = row("2023-xian");
    assert!(
        r23.contains("2023-05-18") && r23.contains("中国—中亚峰会") && r23.contains(" 2 "),
        "{r23}"
    );
    // The sentence column counts what segmenting the sources gives.
    let project = project();
    let simplifier = factsheet::segment::Simplifier::new().unwrap();
    let summit = factsheet::ingest::load_summit(&project, "2023-xian").unwrap();
    let docs = factsheet::pipeline::documents(&summit, &simplifier).unwrap();
    let sentences: usize = docs.iter().map(|d| d.sentences.len()).sum();
    let cells: Vec<&str> = r23.split_whitespace().collect();
    assert_eq!(cells[3], sentences.to_string(), "{r23}");
}

#[test]
fn sentences_json_has_the_contract_fields() {
    let o = run(
        &repo_root(),
        &[
            "sentences",
            "2022-virtual",
            "--source",
            "002",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert!(
        arr.iter()
            .all(|s| s["source"] == "002_063d4d8102645fc2.txt")
    );
    for key in [
        "source", "para", "sentence", "start", "end", "text", "excluded",
    ] {
        assert!(arr[0].get(key).is_some(), "missing {key}");
    }
    let o = run(
        &repo_root(),
        &["sentences", "2022-virtual", "--source", "00"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("names more than one source"));
}

fn one_source(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::process::Output) {
    let yaml = format!("title: t\ndate: 2022-01-25\nsources:\n  - file: {name}\n");
    let dir = temp_project("s", &yaml, &[(name, bytes)]);
    let o = run(dir.path(), &["sentences", "s"]);
    (dir, o)
}

#[test]
fn binary_empty_and_missing_files_are_named() {
    let (_d, o) = one_source("photo.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("photo.txt: is not a text file"),
        "{}",
        stderr(&o)
    );

    let (_d, o) = one_source("empty.txt", b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("empty.txt: the file is empty"),
        "{}",
        stderr(&o)
    );

    let dir = temp_project(
        "s",
        "title: t\ndate: 2022-01-25\nsources:\n  - file: gone.txt\n",
        &[],
    );
    let o = run(dir.path(), &["sentences", "s"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("gone.txt: source file not found"), "{err}");
    assert!(err.contains("summit.yaml"), "{err}");
}

#[test]
fn summit_yaml_errors_name_file_and_line() {
    let dir = temp_project("s", "title: t\ndate: 2022-13-01\n", &[]);
    let o = run(dir.path(), &["list"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("summit.yaml:2:") && err.contains("no month 13"),
        "{err}"
    );

    let dir = temp_project("s", "title: t\ndate: 2022-01-01\nvenu: x\n", &[]);
    let o = run(dir.path(), &["list"]);
    let err = stderr(&o);
    assert!(
        err.contains("summit.yaml:3") && err.contains("unknown field `venu`"),
        "{err}"
    );
}

#[test]
fn an_exclusion_that_matches_nothing_is_an_error() {
    let yaml = "title: t\ndate: 2022-01-25\nsources:\n  - file: a.txt\n    exclude:\n      - from: 不存在的文字\n";
    let dir = temp_project("s", yaml, &[("a.txt", "甲。".as_bytes())]);
    let o = run(dir.path(), &["sentences", "s"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("a.txt: summit.yaml leaves out a span"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn running_outside_a_project_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no summits/ folder"), "{}", stderr(&o));
}

/// Runs `factsheet args` in `root` with its standard output a pipe nobody reads.
fn with_closed_stdout(root: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_factsheet"))
        .args(args)
        .current_dir(root)
        .env_remove("FACTSHEET_ROOT")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("factsheet runs");
    // The reader goes away before the first line is written (`factsheet … | head -0`).
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_reader_that_goes_away_ends_the_command_quietly_with_status_0() {
    let dir = temp_project(
        "t",
        "title: t\ndate: 2022-01-25\n",
        &[(
            "a.txt",
            "我愿宣布，中方将向中亚国家提供5亿美元无偿援助。\n".as_bytes(),
        )],
    );
    let typst = factsheet::render::typst::find(&factsheet::render::typst::TypstRequest::from_env())
        .ok()
        .flatten()
        .map_or_else(|| "typst".to_string(), |t| t.path.display().to_string());
    for args in [
        &["list"][..],
        &["sentences", "t"],
        &["extract", "t"],
        &["check"],
        &["build", "t", "--typst", &typst],
        &["build", "--all", "--typst", "/no/such/typst"],
    ] {
        let o = with_closed_stdout(dir.path(), args);
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        if args[0] == "build" && args[1] == "--all" {
            // Nothing is printed before the missing typst is reported.
            assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
            continue;
        }
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

#[test]
fn options_that_exclude_each_other_are_usage_errors() {
    for (args, says) in [
        (&["build"][..], "required arguments were not provided"),
        (
            &["build", "2023-xian", "--all"],
            "cannot be used with '--all'",
        ),
        (&["diff", "a.json"], "required arguments were not provided"),
        (
            &["diff", "a.json", "b.json", "--rules-from", "HEAD"],
            "cannot be used with '--rules-from <REV>'",
        ),
        (
            &["eval", "2023-xian", "--all"],
            "cannot be used with '--all'",
        ),
        (&["eval", "2023-xian", "--details"], "cannot be used with"),
        (
            &["eval", "--details"],
            "required arguments were not provided",
        ),
    ] {
        let o = run(&repo_root(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}
