//! The `factsheet` command: parses the command line and runs the subcommand.
//!
//! The command layer (printing, exit codes, running git) lives here, in the binary;
//! the library holds the pipeline and the analyst's tools.

#![warn(clippy::too_many_lines)]

mod args;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => ExitCode::from(code),
        // `factsheet extract … | head`: the reader is gone, which is no failure.
        Err(err) if cmd::out::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", factsheet::text::for_terminal(&err.to_string()));
            ExitCode::from(err.exit_code() as u8)
        }
    }
}
