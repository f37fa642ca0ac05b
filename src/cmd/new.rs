//! `factsheet new`: makes `summits/<id>/` from the files given (see
//! [`factsheet::scaffold`]).

use factsheet::error::Result;
use factsheet::project::Project;
use factsheet::scaffold::{self, Request};
use factsheet::text::for_terminal;

use super::out::Out;
use super::warn_all;
use crate::args::NewArgs;

/// `factsheet new <id> FILE...`: plans the summit, makes it, and says what it wrote.
pub fn new(project: &Project, args: &NewArgs) -> Result<u8> {
    let request = Request {
        id: args.id.clone(),
        files: args.files.clone(),
        title: args.title.clone(),
        date: args.date.clone(),
    };
    let plan = scaffold::plan(project, &request)?;
    warn_all(&plan.warnings);
    let dir = scaffold::create(project, &plan)?;
    let mut out = Out::new();
    out.line(format!("created {}/", dir.display()))?;
    out.line("  summit.yaml")?;
    for s in &plan.sources {
        let c = &s.config;
        let title = c.title.as_deref().unwrap_or("(no title found)");
        out.line(format!(
            "  sources/{}  {}  {}",
            for_terminal(&s.name),
            c.kind.as_str(),
            for_terminal(title)
        ))?;
    }
    out.line(format!(
        "next: check summits/{id}/summit.yaml (commented lines are fields no file told), then `factsheet sentences {id}` and `factsheet build {id}`",
        id = plan.id
    ))?;
    Ok(0)
}
