//! Runs the stages in order: the one place that knows the whole chain.

use crate::error::Result;
use crate::ingest::{self, Summit};
use crate::normalise;
use crate::segment::{self, Document, Simplifier};

/// Reads, normalises and segments every source of `summit`.
pub fn documents(summit: &Summit, simplifier: &Simplifier) -> Result<Vec<Document>> {
    let mut docs = Vec::with_capacity(summit.sources.len());
    for config in &summit.sources {
        let raw = ingest::read_source(summit, config)?;
        let norm = normalise::normalise(&raw)?;
        docs.push(segment::segment(&norm, simplifier)?);
    }
    Ok(docs)
}
