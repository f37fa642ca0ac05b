//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use factsheet::project::Project;

/// The repository root (where summits/, rules/ and templates/ live).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The project as checked in.
pub fn project() -> Project {
    Project::open(repo_root()).expect("the repository is a factsheet project")
}

/// Runs the `factsheet` binary with `args` in `root`.
pub fn run(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_factsheet"))
        .args(args)
        .current_dir(root)
        .env_remove("FACTSHEET_ROOT")
        .output()
        .expect("factsheet runs")
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A throw-away project with one summit `id` whose sources are `files` (name, bytes).
pub fn temp_project(id: &str, summit_yaml: &str, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let summit = dir.path().join("summits").join(id);
    std::fs::create_dir_all(summit.join("sources")).unwrap();
    std::fs::write(summit.join("summit.yaml"), summit_yaml).unwrap();
    for (name, bytes) in files {
        let path = summit.join("sources").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    // Rules and templates come from the repository so that later stages work too.
    copy_dir(&repo_root().join("rules"), &dir.path().join("rules"));
    copy_dir(
        &repo_root().join("templates"),
        &dir.path().join("templates"),
    );
    dir
}

/// Copies a folder tree (used to give temp projects the real rules and templates).
pub fn copy_dir(from: &Path, to: &Path) {
    if !from.is_dir() {
        return;
    }
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
