//! `factsheet explain <summit> <fact-id>`.

use std::io::IsTerminal;

use factsheet::error::Result;
use factsheet::ingest;
use factsheet::pipeline;
use factsheet::project::Project;
use factsheet::review::explain;

use super::out::Out;
use super::{rules_at, warn_all};
use crate::args::ExplainArgs;

/// `factsheet explain`: how one fact was found.
pub fn explain(project: &Project, args: &ExplainArgs) -> Result<u8> {
    let summit = ingest::load_summit(project, &args.summit)?;
    warn_all(&summit.warnings);
    let rules = rules_at(project, None)?;
    let analysis = pipeline::analyse(&summit, &rules)?;
    let (f, g) = explain::find(&analysis, &args.fact)?;
    let colour = args
        .color
        .choice()
        .unwrap_or_else(|| std::io::stdout().is_terminal());
    let marking = if colour {
        explain::Marking::Colour
    } else {
        explain::Marking::Brackets
    };
    Out::new().text(&explain::explain(&analysis, &rules, f, g, marking))?;
    Ok(0)
}
