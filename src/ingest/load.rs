//! Loading a summit: its summit.yaml read and checked, and the list of sources to
//! read resolved against what lies under `sources/`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::Summit;
use super::listing::{Listing, list_files};
use crate::error::{Error, Result};
use crate::paths;
use crate::project::Project;
use crate::summit::{self, SourceConfig, SummitConfig};

/// Loads summit `id` of `project`: validates the id, reads summit.yaml and resolves
/// its sources.
pub fn load_summit(project: &Project, id: &str) -> Result<Summit> {
    summit::validate_id(id)?;
    let dir = project.summits_dir().join(id);
    if !dir.join("summit.yaml").is_file() {
        return Err(unknown_summit(project, id)?);
    }
    // A summit folder (or its summit.yaml) that is a link out of the project is refused.
    let outside = "factsheet reads only files inside the project folder";
    let summit_dir = paths::confined(&dir, project.canonical_root(), outside)?;
    let yaml = SummitYaml::read(&dir.join("summit.yaml"), project.canonical_root())?;
    let sources_dir = dir.join("sources");
    if fs::symlink_metadata(&sources_dir).is_ok() {
        paths::confined(
            &sources_dir,
            &summit_dir,
            "a summit's sources/ folder must lie inside the summit's folder",
        )?;
    }
    let mut warnings = Vec::new();
    let listing = list_files(&sources_dir)?;
    let sources = match &yaml.config.sources {
        Some(declared) => {
            check_declared(&yaml, declared)?;
            warn_unlisted(declared, &listing, &sources_dir, &mut warnings);
            declared.clone()
        }
        None => every_file(listing)?,
    };
    if sources.is_empty() {
        warnings.push(format!("{}: no sources to read", sources_dir.display()));
    }
    Ok(Summit {
        id: id.to_string(),
        dir,
        yaml_sha256: crate::hash::short_hash([yaml.text.as_bytes()]),
        config: yaml.config,
        sources,
        warnings,
    })
}

/// The error for an id without a summit folder, naming the summits there are.
fn unknown_summit(project: &Project, id: &str) -> Result<Error> {
    let known = project.summit_ids()?;
    Ok(Error::UnknownSummit {
        id: id.to_string(),
        known: if known.is_empty() {
            "(none)".to_string()
        } else {
            known.join(", ")
        },
    })
}

/// summit.yaml as read: its path, text and parsed, checked content.
struct SummitYaml {
    path: PathBuf,
    text: String,
    config: SummitConfig,
}

impl SummitYaml {
    /// Reads and parses `path` (which must lie inside `project_root`) and checks its dates.
    fn read(path: &Path, project_root: &Path) -> Result<Self> {
        paths::confined(
            path,
            project_root,
            "factsheet reads only files inside the project folder",
        )?;
        let text = paths::read_utf8(path)?;
        let config: SummitConfig = crate::yaml::from_str(path, &text)?;
        let yaml = SummitYaml {
            path: path.to_path_buf(),
            text,
            config,
        };
        yaml.check_dates()?;
        Ok(yaml)
    }

    /// An error about the value of `key`, at its line.
    fn error_at(&self, key: &str, message: String) -> Error {
        Error::Yaml {
            path: self.path.clone(),
            line: crate::yaml::find_line(&self.text, 1, &format!("{key}:")),
            message,
        }
    }

    /// An error about the source entry for `file`, at its line.
    fn source_error(&self, file: &str, message: String) -> Error {
        Error::Yaml {
            path: self.path.clone(),
            line: source_line(&self.text, file),
            message,
        }
    }

    fn check_dates(&self) -> Result<()> {
        let c = &self.config;
        summit::check_date(&c.date).map_err(|m| self.error_at("date", m))?;
        if let Some(end) = &c.end_date {
            summit::check_date(end).map_err(|m| self.error_at("end_date", m))?;
            if end.as_str() < c.date.as_str() {
                return Err(self.error_at(
                    "end_date",
                    format!("end_date {end} is before date {}", c.date),
                ));
            }
        }
        Ok(())
    }
}

/// Checks the `sources:` entries: dates, paths that stay under `sources/`, and no file
/// listed twice (however spelled).
fn check_declared(yaml: &SummitYaml, declared: &[SourceConfig]) -> Result<()> {
    // Canonical spelling → the spelling first listed.
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for s in declared {
        let error = |message: String| yaml.source_error(&s.file, message);
        if let Some(d) = &s.date {
            summit::check_date(d).map_err(|m| error(format!("source {}: {m}", s.file)))?;
        }
        let canonical = paths::relative_entry(&s.file).map_err(error)?;
        if let Some(first) = seen.insert(canonical, &s.file) {
            return Err(error(if first == s.file {
                format!("source {} is listed twice", s.file)
            } else {
                format!(
                    "source {} is listed twice (also as {first}); it would be read twice",
                    s.file
                )
            }));
        }
    }
    Ok(())
}

/// Warns about files under `sources/` that the `sources:` list leaves out, and about
/// entries there that could not be read anyway.
fn warn_unlisted(
    declared: &[SourceConfig],
    listing: &Listing,
    sources_dir: &Path,
    warnings: &mut Vec<String>,
) {
    let listed: Vec<String> = declared
        .iter()
        .filter_map(|s| paths::relative_entry(&s.file).ok())
        .collect();
    for f in &listing.files {
        if !listed.contains(f) {
            warnings.push(format!(
                "{}: not listed under sources: in summit.yaml, so it is not read",
                sources_dir.join(f).display()
            ));
        }
    }
    // Entries that cannot be read matter only when they are listed, and then reading
    // them says why; otherwise they are worth a warning.
    for (name, problem) in &listing.problems {
        if !listed.contains(name) {
            warnings.push(format!("{problem}; it is not read"));
        }
    }
}

/// Without a `sources:` list: every file under `sources/`, or an error naming the
/// first entry that cannot be read.
fn every_file(listing: Listing) -> Result<Vec<SourceConfig>> {
    if let Some((_, problem)) = listing.problems.first() {
        let more = match listing.problems.len() {
            1 => String::new(),
            n => format!(" (and {} more problem(s) in sources/)", n - 1),
        };
        return Err(Error::Failed(format!(
            "{problem}{more}; without a sources: list in summit.yaml every file under sources/ is read, so remove it or list the sources to read"
        )));
    }
    Ok(listing
        .files
        .into_iter()
        .map(SourceConfig::undeclared)
        .collect())
}

/// The line of summit.yaml that declares `file`, however the value is quoted.
fn source_line(text: &str, file: &str) -> Option<usize> {
    [
        format!("file: {file}"),
        format!("file: '{file}'"),
        format!("file: \"{file}\""),
    ]
    .iter()
    .find_map(|needle| {
        text.lines()
            .position(|l| {
                let l = l.trim_start().trim_start_matches("- ").trim_end();
                l == needle || l.starts_with(&format!("{needle} #"))
            })
            .map(|i| i + 1)
    })
    .or_else(|| crate::yaml::find_line(text, 1, &format!("file: {file}")))
}
