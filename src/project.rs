//! The project folder: where summits, rules, templates, fonts and outputs live.
//!
//! Every stage and command finds its files through [`Project`]; nothing here reads a
//! summit (that is [`crate::ingest`]'s job), so the later stages need only this.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::paths;
use crate::summit;

/// The project folder that holds `summits/`, `rules/`, `templates/` and `out/`.
#[derive(Debug, Clone)]
pub struct Project {
    /// The folder itself.
    pub root: PathBuf,
    /// The folder with every symbolic link resolved: what every path read or written
    /// must lie inside.
    canonical: PathBuf,
}

impl Project {
    /// A project rooted at `root`; fails when there is no `summits/` folder there.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        if !root.join("summits").is_dir() {
            return Err(Error::Usage(format!(
                "no summits/ folder in {}; run factsheet from the project folder or pass --root DIR",
                display_dir(&root)
            )));
        }
        let canonical = fs::canonicalize(&root).map_err(|e| Error::io(&root, e))?;
        Ok(Project { root, canonical })
    }

    /// The project folder with every symbolic link resolved.
    pub fn canonical_root(&self) -> &Path {
        &self.canonical
    }

    /// `summits/`.
    pub fn summits_dir(&self) -> PathBuf {
        self.root.join("summits")
    }

    /// `rules/`.
    pub fn rules_dir(&self) -> PathBuf {
        self.root.join("rules")
    }

    /// `templates/`.
    pub fn templates_dir(&self) -> PathBuf {
        self.root.join("templates")
    }

    /// `fonts/`.
    pub fn fonts_dir(&self) -> PathBuf {
        self.root.join("fonts")
    }

    /// `tests/gold/`: the hand-made gold files `factsheet eval` scores against.
    pub fn gold_dir(&self) -> PathBuf {
        self.root.join("tests").join("gold")
    }

    /// `tests/gold/<id>.yaml`.
    pub fn gold_file(&self, id: &str) -> PathBuf {
        self.gold_dir().join(format!("{id}.yaml"))
    }

    /// `out/<id>/`.
    pub fn out_dir(&self, id: &str) -> PathBuf {
        self.root.join("out").join(id)
    }

    /// `out/<id>/`, checked before anything is written: `out/` must resolve inside the
    /// project (it is created when missing), and `out/<id>` must be a real folder or not
    /// exist yet — a symbolic link there would make a build write elsewhere.
    pub fn checked_out_dir(&self, id: &str) -> Result<PathBuf> {
        summit::validate_id(id)?;
        let out = self.root.join("out");
        if fs::symlink_metadata(&out).is_err() {
            fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
        }
        paths::confined(
            &out,
            &self.canonical,
            "factsheet writes only inside the project folder",
        )?;
        if !out.is_dir() {
            return Err(Error::input(
                &out,
                "is not a folder; builds are written into out/<summit>/",
            ));
        }
        let dir = out.join(id);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => Err(Error::input(
                &dir,
                "is a symbolic link; factsheet writes only into real folders under out/ (remove the link)",
            )),
            Ok(m) if !m.is_dir() => Err(Error::input(
                &dir,
                format!(
                    "is {}, not a folder; remove it",
                    paths::kind_of(m.file_type())
                ),
            )),
            _ => Ok(dir),
        }
    }

    /// The ids of every summit (folders under `summits/` holding a summit.yaml), sorted.
    pub fn summit_ids(&self) -> Result<Vec<String>> {
        let dir = self.summits_dir();
        let mut ids = Vec::new();
        for entry in fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().join("summit.yaml").is_file() && summit::validate_id(&name).is_ok() {
                ids.push(name);
            }
        }
        ids.sort();
        Ok(ids)
    }
}

fn display_dir(p: &Path) -> String {
    if p.as_os_str().is_empty() || p == Path::new(".") {
        "the current folder".to_string()
    } else {
        p.display().to_string()
    }
}
