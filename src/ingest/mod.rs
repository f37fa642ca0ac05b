//! Stage 1: find a summit, read its summit.yaml and its source files, and decode
//! them to text whose every character remembers its byte span in the file.
//!
//! This is the only stage that reads input files.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::paths;
use crate::summit::{SourceConfig, SourceFormat, SummitConfig};
use crate::text::MappedText;

mod decode;
pub mod docx;
pub mod formats;
pub mod html;
mod listing;
mod load;
pub mod pdf;
pub(crate) mod tags;

pub use decode::{Encoding, decode, gb18030_warning};
pub use load::load_summit;

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
    /// The decoded text, each character mapped to its byte span in `bytes`; `\r\n` is
    /// one `\n`. Kept compact (copied stretches as runs): a 50 MB file would take
    /// 200 MB as one [`MappedChar`](crate::text::MappedChar) per character.
    pub text: MappedText,
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
            text: MappedText::from_chars(&extracted.chars),
            warnings: extracted.warnings,
            pages: extracted.pages,
            metadata: extracted.metadata,
        });
    }
    let (encoding, text) = decode(&path, &bytes)?;
    let format = config
        .format
        .unwrap_or_else(|| guess_format(&path, text.as_str()));
    let warnings = match encoding {
        Encoding::Gb18030 => gb18030_warning(&path, text.as_str()).into_iter().collect(),
        _ => Vec::new(),
    };
    Ok(RawSource {
        config: config.clone(),
        path,
        sha256,
        bytes,
        encoding,
        format,
        text,
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
fn guess_format(path: &Path, text: &str) -> SourceFormat {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(ext.as_str(), "md" | "markdown" | "html" | "htm") {
        return SourceFormat::Markdown;
    }
    let head: String = text
        .chars()
        .skip_while(|c| c.is_whitespace() || *c == '\u{FEFF}')
        .take(4)
        .collect();
    if head == "---\n" || head.starts_with('<') {
        SourceFormat::Markdown
    } else {
        SourceFormat::Text
    }
}
