//! The `factsheet` command: parses the command line and hands over to the library.

mod args;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use factsheet::commands;
use factsheet::ingest::Project;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code() as u8)
        }
    }
}

fn run(cli: Cli) -> factsheet::Result<u8> {
    let project = Project::open(&cli.root)?;
    match cli.command {
        Command::List => commands::list(&project),
        Command::Sentences {
            summit,
            source,
            format,
        } => commands::sentences(
            &project,
            &summit,
            source.as_deref(),
            format == args::TextOrJson::Json,
        ),
        Command::Check { rules } => commands::check(&project, rules.as_deref()),
        Command::Extract {
            summit,
            format,
            raw,
            rules,
        } => commands::extract(
            &project,
            &summit,
            rules.as_deref(),
            format == args::JsonOrYaml::Yaml,
            raw,
        ),
        Command::Build {
            summits,
            all,
            typst,
        } => commands::build(&project, &summits, all, &typst.request()),
        Command::Doctor { typst } => commands::doctor(&project, &typst.request()),
    }
}
