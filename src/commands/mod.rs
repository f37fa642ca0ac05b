//! What each subcommand prints: the glue between the pipeline stages and the terminal.

mod build;
mod doctor;
mod rules;
mod text_layer;

pub use build::build;
pub use doctor::doctor;
pub use rules::{check, extract};
pub use text_layer::{list, sentences};

/// Prints the warnings a summit load produced, on stderr.
pub(crate) fn warn_all(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}
