//! What each subcommand does and prints: the glue between the library and the terminal.

mod build;
mod corpus;
mod diff;
mod doctor;
mod eval;
mod explain;
mod new;
pub mod out;
mod rules;
mod text_layer;
mod watch;

use std::path::{Path, PathBuf};

use factsheet::error::Result;
use factsheet::project::Project;
use factsheet::rules::RuleSet;

use crate::args::{Cli, Command};

/// Runs the subcommand `cli` names; the exit code, or the error to report.
pub fn run(cli: Cli) -> Result<u8> {
    if let Some(n) = cli.jobs {
        factsheet::pipeline::set_threads(usize::from(n))?;
    }
    let project = Project::open(&cli.root)?;
    match cli.command {
        Command::List => text_layer::list(&project),
        Command::Sentences(a) => text_layer::sentences(&project, &a),
        Command::Check(a) => {
            let code = rules::check(&project, a.rules.as_deref())?;
            if a.corpus && code == 0 {
                corpus::corpus(&project, a.rules.as_deref())
            } else {
                Ok(code)
            }
        }
        Command::Extract(a) => rules::extract(&project, &a),
        Command::Build(a) => build::build(&project, &a),
        Command::Explain(a) => explain::explain(&project, &a),
        Command::Eval(a) => match &a.summit {
            Some(summit) => eval::eval(&project, summit, &a),
            None => eval::eval_all(&project, &a),
        },
        Command::Diff(a) => diff::diff(&project, &a),
        Command::Watch(a) => watch::watch(&project, &a),
        Command::New(a) => new::new(&project, &a),
        Command::Doctor { typst } => doctor::doctor(&project, &typst.request()),
    }
}

/// Prints the warnings a summit load produced, on stderr.
fn warn_all(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {}", factsheet::text::for_terminal(w));
    }
}

/// The rules of folder `dir`, or of the project's `rules/`.
fn rules_at(project: &Project, dir: Option<&Path>) -> Result<RuleSet> {
    factsheet::rules::load(&dir.map_or_else(|| project.rules_dir(), Path::to_path_buf))
}

/// A path as the user should read it: without a leading `./`.
fn shown(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// `dir` or, when absent, the project's rules folder.
fn rules_dir(project: &Project, dir: Option<&Path>) -> PathBuf {
    dir.map_or_else(|| project.rules_dir(), Path::to_path_buf)
}
