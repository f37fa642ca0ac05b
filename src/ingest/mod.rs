//! Stage 1: find a summit, read its summit.yaml and its source files, and decode
//! them to text whose every character remembers its byte span in the file.
//!
//! This is the only stage that reads input files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::summit::{self, SourceConfig, SourceFormat, SummitConfig};
use crate::text::MappedChar;

mod decode;
pub mod docx;
pub mod formats;
pub mod html;
pub mod paths;
pub mod pdf;

pub use decode::{Encoding, decode, gb18030_warning};

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
        // A summit folder (or its summit.yaml) that is a link out of the project is refused.
        let outside = "factsheet reads only files inside the project folder";
        let summit_dir = paths::confined(&dir, &self.canonical, outside)?;
        let yaml_path = dir.join("summit.yaml");
        paths::confined(&yaml_path, &self.canonical, outside)?;
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
        if fs::symlink_metadata(&sources_dir).is_ok() {
            paths::confined(
                &sources_dir,
                &summit_dir,
                "a summit's sources/ folder must lie inside the summit's folder",
            )?;
        }
        let mut warnings = Vec::new();
        let listing = list_files(&sources_dir)?;
        let sources = match &config.sources {
            Some(declared) => {
                // Canonical spelling → the spelling first listed.
                let mut seen: std::collections::BTreeMap<String, &str> = Default::default();
                for s in declared {
                    let source_error = |message: String| Error::Yaml {
                        path: yaml_path.clone(),
                        line: source_line(&text, &s.file),
                        message,
                    };
                    if let Some(d) = &s.date {
                        summit::check_date(d)
                            .map_err(|m| source_error(format!("source {}: {m}", s.file)))?;
                    }
                    let canonical = paths::relative_entry(&s.file).map_err(source_error)?;
                    if let Some(first) = seen.insert(canonical, &s.file) {
                        return Err(source_error(if first == s.file {
                            format!("source {} is listed twice", s.file)
                        } else {
                            format!(
                                "source {} is listed twice (also as {first}); it would be read twice",
                                s.file
                            )
                        }));
                    }
                }
                for f in &listing.files {
                    if !seen.contains_key(f) {
                        warnings.push(format!(
                            "{}: not listed under sources: in summit.yaml, so it is not read",
                            sources_dir.join(f).display()
                        ));
                    }
                }
                // Entries that cannot be read matter only when they are listed, and
                // then reading them says why; otherwise they are worth a warning.
                for (name, problem) in &listing.problems {
                    if !seen.contains_key(name) {
                        warnings.push(format!("{problem}; it is not read"));
                    }
                }
                declared.clone()
            }
            None => {
                if let Some((_, problem)) = listing.problems.first() {
                    let more = match listing.problems.len() {
                        1 => String::new(),
                        n => format!(" (and {} more problem(s) in sources/)", n - 1),
                    };
                    return Err(Error::Failed(format!(
                        "{problem}{more}; without a sources: list in summit.yaml every file under sources/ is read, so remove it or list the sources to read"
                    )));
                }
                listing
                    .files
                    .into_iter()
                    .map(SourceConfig::undeclared)
                    .collect()
            }
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
    /// Things the user should know about how it was read (a doubtful encoding).
    pub warnings: Vec<String>,
    /// For a PDF, where each page begins in the extracted text; otherwise empty.
    pub pages: Vec<u32>,
    /// What a web page, PDF or Word file says about itself (`title`, `date`, `outlet`,
    /// `url`), to fill what summit.yaml leaves out.
    pub metadata: BTreeMap<String, String>,
}

impl RawSource {
    /// The source's name in citations: its path under `sources/`.
    pub fn name(&self) -> &str {
        &self.config.file
    }
}

/// Reads and decodes one source of `summit`.
///
/// The source must resolve (symbolic links followed) to a regular file inside the
/// summit's `sources/` folder, of at most [`paths::max_file_bytes`] bytes.
pub fn read_source(summit: &Summit, config: &SourceConfig) -> Result<RawSource> {
    let path = summit.source_path(config);
    let listed = || {
        format!(
            "listed as `file: {}` in {}",
            config.file,
            summit.dir.join("summit.yaml").display()
        )
    };
    if let Err(message) = paths::relative_entry(&config.file) {
        return Err(Error::input(summit.dir.join("summit.yaml"), message));
    }
    let sources_dir = summit.dir.join("sources");
    let within = fs::canonicalize(&sources_dir).map_err(|e| Error::io(&sources_dir, e))?;
    let resolved = paths::confined(
        &path,
        &within,
        "a source must lie inside the summit's sources/ folder",
    )
    .map_err(|e| match e {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            Error::input(&path, format!("source file not found ({})", listed()))
        }
        other => other,
    })?;
    let bytes = paths::read_regular(&resolved, paths::max_file_bytes()).map_err(|e| match e {
        Error::Input { message, .. } => Error::input(&path, message),
        Error::Io { source, .. } => Error::io(&path, source),
        other => other,
    })?;
    from_bytes(config, path, bytes)
}

/// Decodes (or takes apart, for a web page, PDF or Word file) a source file's bytes,
/// already read from `path`.
pub fn from_bytes(config: &SourceConfig, path: PathBuf, bytes: Vec<u8>) -> Result<RawSource> {
    let sha256 = crate::hash::short_hash([bytes.as_slice()]);
    if let Some(format) = formats::reader_for(&path, &bytes, config.format) {
        let extracted = read_format(&path, &bytes, format)?;
        return Ok(RawSource {
            config: config.clone(),
            path,
            sha256,
            bytes,
            encoding: extracted.encoding.unwrap_or(Encoding::Utf8),
            format,
            chars: extracted.chars,
            warnings: extracted.warnings,
            pages: extracted.pages,
            metadata: extracted.metadata,
        });
    }
    let (encoding, chars) = decode(&path, &bytes)?;
    let format = config.format.unwrap_or_else(|| guess_format(&path, &chars));
    let warnings = match encoding {
        Encoding::Gb18030 => gb18030_warning(&path, &chars).into_iter().collect(),
        _ => Vec::new(),
    };
    Ok(RawSource {
        config: config.clone(),
        path,
        sha256,
        bytes,
        encoding,
        format,
        chars,
        warnings,
        pages: Vec::new(),
        metadata: BTreeMap::new(),
    })
}

/// Reads a web page, PDF or Word file with its own reader.
pub fn read_format(path: &Path, bytes: &[u8], format: SourceFormat) -> Result<formats::Extracted> {
    match format {
        SourceFormat::Html => html::read(path, bytes),
        SourceFormat::Pdf => pdf::read(path, bytes),
        SourceFormat::Docx => docx::read(path, bytes),
        _ => Err(Error::input(path, "is not a web page, PDF or Word file")),
    }
}

/// Guesses the layout of an undeclared text source (web pages, PDF and Word files have
/// their own readers): `.md` or a front-matter block or leading markup make it
/// Markdown; everything else is plain text.
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

/// What is under a summit's `sources/` folder.
#[derive(Debug, Default)]
struct Listing {
    /// Readable files, as paths relative to the folder, sorted.
    files: Vec<String>,
    /// Entries that cannot be sources: (relative path, why), sorted.
    problems: Vec<(String, String)>,
}

/// The files under `dir`, recursively, as paths relative to it, sorted; dot-files are
/// skipped. Symbolic links are not followed into folders (a link to `/` would walk the
/// whole disk); a link to a file counts only when it stays inside `dir`. FIFOs, devices,
/// names that are not UTF-8 or hold control characters are problems, not files.
fn list_files(dir: &Path) -> Result<Listing> {
    let mut out = Listing::default();
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return Ok(out);
    };
    if meta.file_type().is_symlink() || !meta.is_dir() {
        // Reading a source reports where it leads; there is nothing to list here.
        if !dir.is_dir() {
            return Ok(out);
        }
    }
    let within = fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            let path = entry.path();
            let raw_name = entry.file_name();
            let lossy = raw_name.to_string_lossy();
            if lossy.starts_with('.') {
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| lossy.clone().into_owned());
            let mut problem = |why: String| {
                out.problems
                    .push((rel.clone(), format!("{}: {why}", path.display())))
            };
            if raw_name.to_str().is_none() {
                problem(format!(
                    "the file name is not valid UTF-8 (shown here as {lossy:?}); rename the file"
                ));
                continue;
            }
            if lossy
                .chars()
                .any(|c| c.is_control() || crate::text::is_bidi_control(c))
            {
                problem(format!(
                    "the file name {:?} holds control characters; rename the file",
                    lossy
                ));
                continue;
            }
            let file_type = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if file_type.is_dir() {
                stack.push(path);
            } else if file_type.is_file() {
                out.files.push(rel);
            } else if file_type.is_symlink() {
                match fs::canonicalize(&path) {
                    Err(_) => problem("is a symbolic link that leads nowhere".to_string()),
                    Ok(target) if !target.starts_with(&within) => problem(format!(
                        "is a symbolic link to {}, outside {}; a source must lie inside the summit's sources/ folder",
                        target.display(),
                        dir.display()
                    )),
                    Ok(target) if target.is_dir() => problem(
                        "is a symbolic link to a folder; linked folders are not followed"
                            .to_string(),
                    ),
                    Ok(target) => match fs::metadata(&target) {
                        Ok(m) if m.is_file() => out.files.push(rel),
                        Ok(m) => problem(format!(
                            "is a symbolic link to {}, not a regular file; only regular files are read",
                            paths::kind_of(m.file_type())
                        )),
                        Err(e) => problem(e.to_string()),
                    },
                }
            } else {
                problem(format!(
                    "is {}, not a regular file; only regular files are read",
                    paths::kind_of(file_type)
                ));
            }
        }
    }
    out.files.sort();
    out.problems.sort();
    Ok(out)
}

/// Reads a UTF-8 configuration file.
///
/// Like every input, it must be a regular file of at most [`paths::max_file_bytes`] bytes.
pub fn read_utf8(path: &Path) -> Result<String> {
    let bytes = paths::read_regular(path, paths::max_file_bytes())?;
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
