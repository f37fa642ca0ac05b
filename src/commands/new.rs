//! `factsheet new`: makes `summits/<id>/` from the files given (see [`crate::scaffold`]).

use crate::error::Result;
use crate::ingest::Project;
use crate::scaffold::{self, Request};
use crate::text::for_terminal;

/// `factsheet new <id> FILE...`: plans the summit, makes it, and says what it wrote.
pub fn new(project: &Project, request: &Request) -> Result<u8> {
    let plan = scaffold::plan(project, request)?;
    super::warn_all(&plan.warnings);
    let dir = scaffold::create(project, &plan)?;
    println!("created {}/", dir.display());
    println!("  summit.yaml");
    for s in &plan.sources {
        let c = &s.config;
        let title = c.title.as_deref().unwrap_or("(no title found)");
        println!(
            "  sources/{}  {}  {}",
            for_terminal(&s.name),
            c.kind.as_str(),
            for_terminal(title)
        );
    }
    println!(
        "next: check summits/{id}/summit.yaml (commented lines are fields no file told), then `factsheet sentences {id}` and `factsheet build {id}`",
        id = plan.id
    );
    Ok(0)
}
