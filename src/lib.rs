//! `factsheet`: from the source texts of a diplomatic summit to a cited fact sheet.
//!
//! The pipeline, one module per stage, each a function of the previous stage's output:
//! [`ingest`] → [`normalise`] → [`segment`] → [`extract`] (with [`rules`]) →
//! [`consolidate`] → [`render`]. See `DESIGN.md` and the README.

#![warn(missing_docs)]
#![warn(clippy::too_many_lines)]

pub mod consolidate;
pub mod error;
pub mod extract;
pub mod facts;
pub mod hash;
pub mod ingest;
pub mod normalise;
pub mod paths;
pub mod pipeline;
pub mod project;
pub mod render;
pub mod review;
pub mod rules;
pub mod scaffold;
pub mod segment;
pub mod summit;
pub mod text;
pub mod yaml;

pub use error::{Error, Result};
