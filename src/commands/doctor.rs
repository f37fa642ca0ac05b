//! `factsheet doctor`: is this machine ready to build the fact sheets?

use std::path::{Path, PathBuf};

use super::build::shown;
use crate::error::Result;
use crate::pipeline;
use crate::project::Project;
use crate::render::fonts::{EMBEDDED_LATIN_FAMILY, FontSet};
use crate::render::typst::{self, TypstRequest};
use crate::render::{self, RenderOptions};

/// `factsheet doctor`: reports the typst in use, the fonts, and whether each summit
/// builds (into a temporary folder; `out/` is not touched). Never installs typst.
/// Returns exit code 1 when something would make `factsheet build` fail.
pub fn doctor(project: &Project, request: &TypstRequest) -> Result<u8> {
    let mut problems = 0;

    let found = match typst::find(request) {
        Ok(t) => t,
        Err(e) => {
            println!("typst:   error: {e}");
            problems += 1;
            None
        }
    };
    match &found {
        Some(t) => {
            let range = if typst::in_tested_range(&t.version) {
                format!("within the tested range {}", typst::TESTED_RANGE)
            } else {
                format!("OUTSIDE the tested range {}", typst::TESTED_RANGE)
            };
            println!(
                "typst:   {} {} ({}; {range})",
                shown(&t.path),
                t.version,
                t.origin.describe()
            );
            for w in &t.warnings {
                println!("         warning: {w}");
            }
        }
        None if problems == 0 => {
            let root = typst::cache_dir()
                .map(|c| typst::pinned_root(&c))
                .unwrap_or_else(|| PathBuf::from("<cache>"));
            if request.provision {
                println!(
                    "typst:   not found; `factsheet build` will install typst {} into {} (about 20 minutes, once per machine)",
                    typst::PINNED_VERSION,
                    root.display()
                );
            } else {
                problems += 1;
                println!(
                    "typst:   not found, and installing it is switched off (--no-provision / FACTSHEET_NO_PROVISION).\n         {}",
                    crate::render::provision::manual_steps(&root).replace('\n', "\n         ")
                );
            }
        }
        None => {}
    }

    let fonts = match FontSet::load(&project.fonts_dir()) {
        Ok(f) => {
            let sums = expected_sums(&project.fonts_dir());
            for file in &f.files {
                let check = match sums.iter().find(|(_, name)| *name == file.file) {
                    Some((want, _)) => match sha256_of(&f.dir.join(&file.file)) {
                        Some(have) if &have == want => "sha256 ok",
                        Some(_) => "sha256 DIFFERS from fonts/SHA256SUMS",
                        None => "unreadable",
                    },
                    None => "not in fonts/SHA256SUMS",
                };
                println!(
                    "font:    {}  \"{}\" weight {}, {} code points, {check}",
                    shown(&f.dir.join(&file.file)),
                    file.family,
                    file.weight,
                    file.code_points
                );
            }
            println!(
                "font:    \"{EMBEDDED_LATIN_FAMILY}\" (embedded in typst) for Latin, Greek and Cyrillic letters"
            );
            println!(
                "fonts:   system fonts are ignored; together these draw {} code points",
                f.coverage.len()
            );
            Some(f)
        }
        Err(e) => {
            println!("fonts:   error: {e}");
            problems += 1;
            None
        }
    };

    let Some(fonts) = fonts else {
        return Ok(1);
    };
    let ids = project.summit_ids()?;
    let scratch = std::env::temp_dir().join(format!("factsheet-doctor-{}", std::process::id()));
    for id in &ids {
        let result = check_summit(project, id, found.as_ref(), &fonts, &scratch);
        match result {
            Ok(line) => println!("summit:  {id}: {line}"),
            Err(e) => {
                problems += 1;
                println!(
                    "summit:  {id}: FAILS: {}",
                    e.to_string().replace('\n', "\n         ")
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    if problems > 0 {
        println!("{problems} problem(s) found");
        return Ok(1);
    }
    Ok(0)
}

fn check_summit(
    project: &Project,
    id: &str,
    typst: Option<&typst::Typst>,
    fonts: &FontSet,
    scratch: &Path,
) -> Result<String> {
    let summit = crate::ingest::load_summit(project, id)?;
    let rules = crate::rules::load(&project.rules_dir())?;
    let sheet = pipeline::fact_sheet_with(&summit, &rules)?;
    let Some(typst) = typst else {
        let prepared =
            render::prepare(project, &sheet, &rules.fields, typst::PINNED_VERSION, fonts)?;
        return Ok(format!(
            "templates render ({} facts, {} character(s) no font covers); PDF not checked without typst",
            sheet.facts.len(),
            prepared.missing.len()
        ));
    };
    let options = RenderOptions {
        typst: typst.clone(),
        fonts: fonts.clone(),
    };
    let report = render::render_to(project, &sheet, &rules.fields, &options, &scratch.join(id))?;
    let mut line = format!(
        "builds, {} pages, {} facts",
        report.pages,
        sheet.facts.len()
    );
    if !report.warnings.is_empty() {
        line.push_str(&format!(", {} warning(s):", report.warnings.len()));
        for w in &report.warnings {
            line.push_str(&format!("\n         {w}"));
        }
    }
    Ok(line)
}

/// `(sha256, file name)` pairs of `fonts/SHA256SUMS`, when there is one.
fn expected_sums(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(dir.join("SHA256SUMS"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (sum, name) = l.split_once(char::is_whitespace)?;
            Some((
                sum.to_string(),
                name.trim().trim_start_matches('*').to_string(),
            ))
        })
        .collect()
}

fn sha256_of(path: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).ok()?;
    Some(
        Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}
