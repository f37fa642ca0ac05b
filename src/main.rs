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
            eprintln!("error: {}", factsheet::text::for_terminal(&err.to_string()));
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
        Command::Check { rules, corpus } => {
            let code = commands::check(&project, rules.as_deref())?;
            if corpus && code == 0 {
                commands::corpus(&project, rules.as_deref())
            } else {
                Ok(code)
            }
        }
        Command::Explain {
            summit,
            fact,
            color,
        } => commands::explain(&project, &summit, &fact, color.choice()),
        Command::Eval {
            summit: Some(summit),
            gold,
            min_f1,
            ..
        } => commands::eval(&project, &summit, gold.as_deref(), min_f1),
        Command::Eval {
            summit: None,
            min_f1,
            details,
            ..
        } => commands::eval_all(&project, min_f1, details),
        Command::Diff {
            old,
            new,
            rules_from,
        } => commands::diff(&project, &old, new.as_deref(), rules_from.as_deref()),
        Command::Watch {
            summit,
            facts_only,
            interval_ms,
            exit_after,
            typst,
        } => commands::watch(
            &project,
            &summit,
            &commands::WatchOptions {
                facts_only,
                interval: std::time::Duration::from_millis(interval_ms),
                exit_after,
            },
            &typst.request(),
        ),
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
        Command::New {
            id,
            files,
            title,
            date,
        } => commands::new(
            &project,
            &factsheet::scaffold::Request {
                id,
                files,
                title,
                date,
            },
        ),
    }
}
