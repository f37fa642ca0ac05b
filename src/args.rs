//! The command line: every subcommand and option, with the help text users read.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Turns the source texts of a diplomatic summit into a cited, printable fact sheet.
///
/// Run it from the project folder (the one holding summits/, rules/ and templates/),
/// or point --root at it.
#[derive(Debug, Parser)]
#[command(name = "factsheet", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// Project folder holding summits/, rules/, templates/ and out/.
    #[arg(
        long,
        global = true,
        env = "FACTSHEET_ROOT",
        default_value = ".",
        value_name = "DIR"
    )]
    pub root: PathBuf,

    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the summits: id, date, title, number of sources and sentences.
    List,
    /// Print a summit's sentences with their ids and byte spans in the original files.
    Sentences {
        /// Summit id (a folder under summits/).
        summit: String,
        /// Only this source (its file name under sources/, or a unique prefix of it).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
}

/// `text` or `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    /// One line per item, for people.
    Text,
    /// JSON, for programs.
    Json,
}
