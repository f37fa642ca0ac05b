//! Stage 1: find a summit, read its summit.yaml and its source files, and decode
//! them to text whose every character remembers its byte span in the file.
//!
//! This is the only stage that reads input files.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::summit::{self, SourceConfig, SourceFormat, SummitConfig};
use crate::text::MappedChar;

mod decode;

pub use decode::{Encoding, decode};

/// The project folder that holds `summits/`, `rules/`, `templates/` and `out/`.
#[derive(Debug, Clone)]
pub struct Project {
    /// The folder itself.
    pub root: PathBuf,
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
        Ok(Project { root })
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

    /// Loads summit `id`: validates the id, reads summit.yaml and resolves its sources.
    pub fn load_summit(&self, id: &str) -> Result<Summit> {
        summit::validate_id(id)?;
        let dir = self.summits_dir().join(id);
        if !dir.join("summit.yaml").is_file() {
            let known = self.summit_ids()?;
            return Err(Error::UnknownSummit {
                id: id.to_string(),
                known: if known.is_empty() {
                    "(none)".to_string()
                } else {
                    known.join(", ")
                },
            });
        }
        let yaml_path = dir.join("summit.yaml");
        let text = read_utf8(&yaml_path)?;
        let config: SummitConfig = crate::yaml::from_str(&yaml_path, &text)?;
        let date_error = |key: &str, message: String| Error::Yaml {
            path: yaml_path.clone(),
            line: crate::yaml::find_line(&text, 1, &format!("{key}:")),
            message,
        };
        summit::check_date(&config.date).map_err(|m| date_error("date", m))?;
        if let Some(end) = &config.end_date {
            summit::check_date(end).map_err(|m| date_error("end_date", m))?;
            if end.as_str() < config.date.as_str() {
                return Err(date_error(
                    "end_date",
                    format!("end_date {end} is before date {}", config.date),
                ));
            }
        }
        let sources_dir = dir.join("sources");
        let mut warnings = Vec::new();
        let on_disk = list_files(&sources_dir)?;
        let sources = match &config.sources {
            Some(declared) => {
                let mut seen = std::collections::BTreeSet::new();
                for s in declared {
                    if let Some(d) = &s.date {
                        summit::check_date(d).map_err(|m| Error::Yaml {
                            path: yaml_path.clone(),
                            line: crate::yaml::find_line(&text, 1, &format!("file: {}", s.file)),
                            message: format!("source {}: {m}", s.file),
                        })?;
                    }
                    if !seen.insert(s.file.clone()) {
                        return Err(Error::Yaml {
                            path: yaml_path.clone(),
                            line: crate::yaml::find_line(&text, 1, &format!("file: {}", s.file)),
                            message: format!("source {} is listed twice", s.file),
                        });
                    }
                }
                for f in &on_disk {
                    if !seen.contains(f) {
                        warnings.push(format!(
                            "{}: not listed under sources: in summit.yaml, so it is not read",
                            sources_dir.join(f).display()
                        ));
                    }
                }
                declared.clone()
            }
            None => on_disk.into_iter().map(SourceConfig::undeclared).collect(),
        };
        if sources.is_empty() {
            warnings.push(format!("{}: no sources to read", sources_dir.display()));
        }
        Ok(Summit {
            id: id.to_string(),
            dir,
            config,
            sources,
            warnings,
            yaml_sha256: crate::hash::short_hash([text.as_bytes()]),
        })
    }
}

/// A summit as loaded from disk: its id, folder, summit.yaml and resolved sources.
#[derive(Debug, Clone)]
pub struct Summit {
    /// The folder name under `summits/`.
    pub id: String,
    /// `summits/<id>/`.
    pub dir: PathBuf,
    /// The parsed summit.yaml.
    pub config: SummitConfig,
    /// The sources to read, in order (declared order, or file-name order).
    pub sources: Vec<SourceConfig>,
    /// Things the user should know that do not stop the work.
    pub warnings: Vec<String>,
    /// Short hash of summit.yaml as read.
    pub yaml_sha256: String,
}

impl Summit {
    /// The path of a source file.
    pub fn source_path(&self, source: &SourceConfig) -> PathBuf {
        self.dir.join("sources").join(&source.file)
    }
}

/// One source file, read and decoded.
#[derive(Debug, Clone)]
pub struct RawSource {
    /// What summit.yaml says about it.
    pub config: SourceConfig,
    /// The file.
    pub path: PathBuf,
    /// The file's bytes, as read.
    pub bytes: Vec<u8>,
    /// Short hash of those bytes.
    pub sha256: String,
    /// The encoding it was decoded from.
    pub encoding: Encoding,
    /// Its layout (declared or guessed).
    pub format: SourceFormat,
    /// The decoded characters, each with its byte span in `bytes`; `\r\n` is one `\n`.
    pub chars: Vec<MappedChar>,
}

impl RawSource {
    /// The source's name in citations: its path under `sources/`.
    pub fn name(&self) -> &str {
        &self.config.file
    }
}

/// Reads and decodes one source of `summit`.
pub fn read_source(summit: &Summit, config: &SourceConfig) -> Result<RawSource> {
    let path = summit.source_path(config);
    let bytes = fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::input(
            &path,
            format!(
                "source file not found (listed as `file: {}` in {})",
                config.file,
                summit.dir.join("summit.yaml").display()
            ),
        ),
        _ => Error::io(&path, e),
    })?;
    let (encoding, chars) = decode(&path, &bytes)?;
    let format = config.format.unwrap_or_else(|| guess_format(&path, &chars));
    Ok(RawSource {
        config: config.clone(),
        path,
        sha256: crate::hash::short_hash([bytes.as_slice()]),
        bytes,
        encoding,
        format,
        chars,
    })
}

/// Guesses the layout of an undeclared source: `.md`/`.html` or a front-matter
/// block make it Markdown; everything else is plain text.
fn guess_format(path: &Path, chars: &[MappedChar]) -> SourceFormat {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(ext.as_str(), "md" | "markdown" | "html" | "htm") {
        return SourceFormat::Markdown;
    }
    let head: String = chars
        .iter()
        .map(|c| c.ch)
        .skip_while(|c| c.is_whitespace() || *c == '\u{FEFF}')
        .take(4)
        .collect();
    if head == "---\n" || head.starts_with('<') {
        SourceFormat::Markdown
    } else {
        SourceFormat::Text
    }
}

/// The files under `dir`, recursively, as paths relative to it, sorted; dot-files are skipped.
fn list_files(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads a UTF-8 configuration file.
pub fn read_utf8(path: &Path) -> Result<String> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        Error::input(
            path,
            format!("is not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

fn display_dir(p: &Path) -> String {
    if p.as_os_str().is_empty() || p == Path::new(".") {
        "the current folder".to_string()
    } else {
        p.display().to_string()
    }
}
