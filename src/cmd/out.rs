//! Standard output for the commands. Every write reports its failure as an error, so
//! that a reader that went away (`factsheet extract … | head`) ends the command
//! quietly, with status 0, as ripgrep does, instead of a panic in `println!`.

use std::fmt::Display;
use std::io::{self, Write};

use factsheet::error::{Error, Result};

/// The locked standard output.
pub struct Out(io::StdoutLock<'static>);

impl Out {
    /// Standard output, locked for this command.
    pub fn new() -> Self {
        Out(io::stdout().lock())
    }

    /// Writes `text` and a line break.
    pub fn line(&mut self, text: impl Display) -> Result<()> {
        writeln!(self.0, "{text}").map_err(failed)
    }

    /// Writes `text` as it is.
    pub fn text(&mut self, text: &str) -> Result<()> {
        self.0.write_all(text.as_bytes()).map_err(failed)
    }

    /// Writes `value` as indented JSON and a line break, as it is serialised (a large
    /// facts.json is never held whole in memory).
    pub fn json(&mut self, value: &impl serde::Serialize) -> Result<()> {
        let mut w = io::BufWriter::new(&mut self.0);
        serde_json::to_writer_pretty(&mut w, value).map_err(|e| failed(e.into()))?;
        w.write_all(b"\n").map_err(failed)?;
        w.flush().map_err(failed)
    }

    /// Writes an empty line.
    pub fn blank(&mut self) -> Result<()> {
        self.line("")
    }
}

fn failed(e: io::Error) -> Error {
    Error::io("standard output", e)
}

/// Whether `err` says that the reader of standard output went away.
pub fn is_broken_pipe(err: &Error) -> bool {
    matches!(err, Error::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
}
