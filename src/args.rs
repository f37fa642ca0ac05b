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
        hide_env_values = true,
        default_value = ".",
        value_name = "DIR"
    )]
    pub root: PathBuf,

    /// Threads that read and match sources (default: one per core). Output is the
    /// same on any number.
    #[arg(
        short = 'j',
        long,
        global = true,
        env = "FACTSHEET_JOBS",
        hide_env_values = true,
        value_name = "N",
        value_parser = clap::value_parser!(u16).range(1..)
    )]
    pub jobs: Option<u16>,

    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the summits: id, date, title, number of sources and sentences.
    List,
    /// Print a summit's sentences with their ids, byte spans and pages.
    ///
    /// Spans are byte offsets into the file for text, Markdown and web pages, and into
    /// the extracted text for PDF and Word files; a PDF's sentences also show their
    /// page (`p. 3`).
    Sentences(SentencesArgs),
    /// Load every rule file, report problems, and run every rule's examples.
    Check(CheckArgs),
    /// Print the facts extracted from a summit, in the facts.json shape.
    Extract(ExtractArgs),
    /// Build the fact sheets: out/<summit>/facts.json and factsheet.{pdf,typ,md,html}.
    Build(BuildArgs),
    /// Show how one fact was found: sentences, rules, captures, normalisation, merges.
    Explain(ExplainArgs),
    /// Score facts against hand-made gold files: precision, recall and F1 per field.
    ///
    /// For one summit, lists the gold entries missed and the facts no entry matches.
    /// With --all, scores every summit that has a gold file in tests/gold/ in one
    /// table, with micro totals, and fails when any summit is under its file's min_f1.
    Eval(EvalArgs),
    /// Show facts added, removed and changed: two facts.json files, or two rule versions.
    ///
    /// With two files, compares them. With a summit and --rules-from REV, compares the
    /// summit's facts under the rules of git revision REV with those under the rules in
    /// the working tree. Either way the output is grouped by rule, each fact with a quote.
    Diff(DiffArgs),
    /// Rebuild a summit on every change to a rule, template or source; print what changed.
    Watch(WatchArgs),
    /// Start a summit from files: saved web pages, PDF and Word files, text, Markdown.
    ///
    /// Makes summits/<ID>/ with the files copied into sources/ and a summit.yaml filled
    /// with what the files tell (titles, outlets, dates and addresses from front matter,
    /// meta tags and document properties; the kind of each source from its title and
    /// date), and a commented line for each field no file told. Every file is read as a
    /// build reads it: one that cannot be read is refused, and nothing is made.
    New(NewArgs),
    /// Check this machine: typst, the fonts, and whether each summit builds.
    Doctor {
        /// How to find typst.
        #[command(flatten)]
        typst: TypstArgs,
    },
}

/// `factsheet sentences`.
#[derive(Debug, clap::Args)]
pub struct SentencesArgs {
    /// Summit id (a folder under summits/).
    pub summit: String,
    /// Only this source (its file name under sources/, or a unique prefix of it).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

/// `factsheet check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Rules folder (default: rules/ of the project).
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Also report rule health over every summit: rules that never fire, rules
    /// claiming the same span, and sentences with a trigger word but no fact.
    #[arg(long)]
    pub corpus: bool,
}

/// `factsheet extract`.
#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// Summit id (a folder under summits/).
    pub summit: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = JsonOrYaml::Json)]
    pub format: JsonOrYaml,
    /// Print every rule match on its own, before consolidation merges them.
    #[arg(long)]
    pub raw: bool,
    /// Rules folder (default: rules/ of the project).
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

/// `factsheet build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Summit ids (folders under summits/; `factsheet list` names them).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub summits: Vec<String>,
    /// Build every summit.
    #[arg(long)]
    pub all: bool,
    /// The outputs to write besides facts.json, comma separated: pdf (with the .typ it
    /// is compiled from), md, html. Only pdf needs typst.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "pdf,md,html")]
    pub format: Vec<Format>,
    /// Build everything again, typst's PDF included, even when nothing changed since
    /// the last build (by default a summit whose outputs are up to date is left as it
    /// is, and a PDF whose .typ, typst and fonts are unchanged is not compiled again).
    #[arg(long)]
    pub force: bool,
    /// How to find typst.
    #[command(flatten)]
    pub typst: TypstArgs,
}

/// `factsheet explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Summit id.
    pub summit: String,
    /// Fact id, or an unambiguous prefix of it (of the whole id or of its hash).
    pub fact: String,
    /// Mark the matched text in colour: auto (on a terminal), always or never.
    #[arg(long, value_enum, default_value_t = When::Auto)]
    pub color: When,
}

/// `factsheet eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Summit id.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub summit: Option<String>,
    /// Every summit with a gold file (tests/gold/<summit>.yaml).
    #[arg(long)]
    pub all: bool,
    /// Gold file (YAML; default tests/gold/<summit>.yaml).
    #[arg(long, value_name = "FILE", conflicts_with = "all")]
    pub gold: Option<PathBuf>,
    /// Fail (exit 1) when overall F1 is below this (default: the gold file's min_f1).
    #[arg(long, value_name = "F1", value_parser = parse_f1)]
    pub min_f1: Option<f64>,
    /// With --all: also list each summit's missed and spurious facts.
    #[arg(long, requires = "all", conflicts_with = "summit")]
    pub details: bool,
}

/// `factsheet diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Old facts.json, or the summit id with --rules-from.
    pub old: String,
    /// New facts.json.
    #[arg(required_unless_present = "rules_from", conflicts_with = "rules_from")]
    pub new: Option<String>,
    /// Compare the summit's facts under the rules of this git revision (HEAD, a
    /// branch, a commit) with those under the rules in the working tree.
    #[arg(long, value_name = "REV")]
    pub rules_from: Option<String>,
}

/// `factsheet watch`.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// Summit id.
    pub summit: String,
    /// Only rewrite facts.json (fast; no PDF).
    #[arg(long)]
    pub facts_only: bool,
    /// How often to look for changes, in milliseconds.
    #[arg(long, default_value_t = 500, value_name = "MS")]
    pub interval_ms: u64,
    /// Stop after this many rebuilds (for scripts).
    #[arg(long, value_name = "N")]
    pub exit_after: Option<usize>,
    /// How to find typst.
    #[command(flatten)]
    pub typst: TypstArgs,
}

/// `factsheet new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The new summit's id: lowercase letters, digits and '-' (e.g. 2024-focac-beijing).
    pub id: String,
    /// The source files (a folder stands for the files in it).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The summit's name (default: the id, marked to fill in).
    #[arg(long, value_name = "TITLE")]
    pub title: Option<String>,
    /// The summit's first day, YYYY-MM-DD (default: the date most sources carry);
    /// a source dated before it is a preview.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

/// Where typst comes from (`build`, `doctor`).
#[derive(Debug, Clone, clap::Args)]
pub struct TypstArgs {
    /// The typst executable to use (default: `typst` on PATH, else factsheet's cached copy).
    #[arg(
        long,
        env = "FACTSHEET_TYPST",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub typst: Option<PathBuf>,
    /// Never install typst: when it is missing, fail with the manual steps instead of
    /// running `cargo install` (about 20 minutes, once per machine).
    #[arg(long, env = "FACTSHEET_NO_PROVISION", hide_env_values = true, value_parser = clap::builder::FalseyValueParser::new())]
    pub no_provision: bool,
}

impl TypstArgs {
    /// The library's form of these options.
    pub fn request(&self) -> factsheet::render::typst::TypstRequest {
        factsheet::render::typst::TypstRequest {
            explicit: self.typst.clone(),
            provision: !self.no_provision,
        }
    }
}

/// When to do something: auto, always or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum When {
    /// When writing to a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl When {
    /// `None` for auto, else the choice.
    pub fn choice(self) -> Option<bool> {
        match self {
            When::Auto => None,
            When::Always => Some(true),
            When::Never => Some(false),
        }
    }
}

/// `json` or `yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JsonOrYaml {
    /// JSON (the facts.json format).
    Json,
    /// The same content as YAML, easier to read.
    Yaml,
}

/// An output of `build` besides facts.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The printable fact sheet (factsheet.pdf, and the factsheet.typ typst compiles).
    Pdf,
    /// The Markdown twin (factsheet.md).
    Md,
    /// The HTML review sheet (factsheet.html): every citation leads to its sentence.
    Html,
}

impl Format {
    /// The renderer's name in the library.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Md => "md",
            Format::Html => "html",
        }
    }
}

/// `text` or `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    /// One line per item, for people.
    Text,
    /// JSON, for programs.
    Json,
}

/// `--min-f1`: a number from 0 to 1 (NaN would let every score pass, 2 none).
fn parse_f1(text: &str) -> Result<f64, String> {
    let v: f64 = text.trim().parse().map_err(|_| {
        format!("{text:?} is not a number; give an F1 score from 0 to 1, e.g. 0.95")
    })?;
    if !(0.0..=1.0).contains(&v) {
        return Err(format!(
            "{text} is not an F1 score; F1 lies between 0 and 1 (e.g. 0.95)"
        ));
    }
    Ok(v)
}
