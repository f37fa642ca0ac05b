//! The crate's one error type, and how each kind of failure maps to an exit code.

use std::path::PathBuf;

/// Everything that can go wrong in `factsheet`, each variant naming what the user must fix.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line named something that cannot be a summit id.
    #[error("invalid summit id {id:?}: {reason}")]
    BadSummitId {
        /// The id as given.
        id: String,
        /// Why it is refused.
        reason: String,
    },
    /// The summit id is well formed but no such folder exists.
    #[error("unknown summit `{id}`; known summits: {known}")]
    UnknownSummit {
        /// The id as given.
        id: String,
        /// The ids that do exist, comma separated.
        known: String,
    },
    /// Some other command-line argument is wrong (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A file was read but its content is unusable (binary, bad encoding, empty, …).
    #[error("{}: {message}", path.display())]
    Input {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A YAML file does not parse or does not have the expected shape.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Yaml {
        /// The file concerned.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// The parser's or validator's message.
        message: String,
    },
    /// One or more rule files have problems; each line names file, line and rule.
    #[error("{} problem(s) in the rule files:\n{}", problems.len(), problems.join("\n"))]
    Rules {
        /// One message per problem, already formatted as `file:line: rule id: message`.
        problems: Vec<String>,
    },
    /// A template failed to load or render.
    #[error("template error: {0}")]
    Template(String),
    /// The typst CLI is missing, could not be provisioned, or failed to compile.
    #[error("{0}")]
    Typst(String),
    /// Anything else that makes the command fail (exit code 1).
    #[error("{0}")]
    Failed(String),
}

impl Error {
    /// The process exit code for this error: 2 for usage errors, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadSummitId { .. } | Error::UnknownSummit { .. } | Error::Usage(_) => 2,
            _ => 1,
        }
    }

    /// Shorthand for an [`Error::Input`] about `path`.
    pub fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Shorthand for an [`Error::Io`] about `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
