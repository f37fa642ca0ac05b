//! What each subcommand prints: the glue between the pipeline stages and the terminal.

pub(crate) mod build;
mod doctor;
mod new;
mod review;
mod rules;
mod text_layer;
mod watch;

pub use build::build;
pub use doctor::doctor;
pub use new::new;
pub use review::{corpus, diff, eval, eval_all, explain};
pub use rules::{check, extract};
pub use text_layer::{list, sentences};
pub use watch::{WatchOptions, watch};

/// Prints the warnings a summit load produced, on stderr.
pub(crate) fn warn_all(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {}", crate::text::for_terminal(w));
    }
}
