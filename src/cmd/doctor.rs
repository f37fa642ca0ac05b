//! `factsheet doctor`: is this machine ready to build the fact sheets?

use std::path::{Path, PathBuf};

use factsheet::error::{Error, Result};
use factsheet::ingest;
use factsheet::pipeline;
use factsheet::project::Project;
use factsheet::render::fonts::{EMBEDDED_LATIN_FAMILY, FontSet};
use factsheet::render::model::Toolchain;
use factsheet::render::typst::{self, Typst, TypstRequest};
use factsheet::render::{self, HtmlRenderer, Input, MarkdownRenderer, PdfRenderer, RenderOptions};

use super::out::Out;
use super::shown;

/// `factsheet doctor`: reports the typst in use, the fonts, and whether each summit
/// builds (into a temporary folder; `out/` is not touched). Never installs typst.
/// Returns exit code 1 when something would make `factsheet build` fail.
pub fn doctor(project: &Project, request: &TypstRequest) -> Result<u8> {
    let mut out = Out::new();
    let mut problems = 0;
    let found = check_typst(&mut out, request, &mut problems)?;
    let Some(fonts) = check_fonts(&mut out, project, &mut problems)? else {
        return Ok(1);
    };
    let scratch = tempfile::Builder::new()
        .prefix("factsheet-doctor-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    for id in &project.summit_ids()? {
        match check_summit(project, id, found.as_ref(), &fonts, scratch.path()) {
            Ok(line) => out.line(format!("summit:  {id}: {line}"))?,
            Err(e) => {
                problems += 1;
                out.line(format!(
                    "summit:  {id}: FAILS: {}",
                    e.to_string().replace('\n', "\n         ")
                ))?;
            }
        }
    }
    if problems > 0 {
        out.line(format!("{problems} problem(s) found"))?;
        return Ok(1);
    }
    Ok(0)
}

/// The typst in use, or what `build` would do without one.
fn check_typst(
    out: &mut Out,
    request: &TypstRequest,
    problems: &mut usize,
) -> Result<Option<Typst>> {
    let found = match typst::find(request) {
        Ok(t) => t,
        Err(e) => {
            out.line(format!("typst:   error: {e}"))?;
            *problems += 1;
            return Ok(None);
        }
    };
    let Some(t) = found else {
        let root = typst::cache_dir()
            .map(|c| typst::pinned_root(&c))
            .unwrap_or_else(|| PathBuf::from("<cache>"));
        if request.provision {
            out.line(format!(
                "typst:   not found; `factsheet build` will install typst {} into {} (about 20 minutes, once per machine)",
                typst::PINNED_VERSION,
                root.display()
            ))?;
        } else {
            *problems += 1;
            out.line(format!(
                "typst:   not found, and installing it is switched off (--no-provision / FACTSHEET_NO_PROVISION).\n         {}",
                render::provision::manual_steps(&root).replace('\n', "\n         ")
            ))?;
        }
        return Ok(None);
    };
    let range = if typst::in_tested_range(&t.version) {
        format!("within the tested range {}", typst::TESTED_RANGE)
    } else {
        format!("OUTSIDE the tested range {}", typst::TESTED_RANGE)
    };
    out.line(format!(
        "typst:   {} {} ({}; {range})",
        shown(&t.path),
        t.version,
        t.origin.describe()
    ))?;
    for w in &t.warnings {
        out.line(format!("         warning: {w}"))?;
    }
    Ok(Some(t))
}

/// The project's fonts, each checked against fonts/SHA256SUMS.
fn check_fonts(out: &mut Out, project: &Project, problems: &mut usize) -> Result<Option<FontSet>> {
    let f = match FontSet::load(&project.fonts_dir()) {
        Ok(f) => f,
        Err(e) => {
            out.line(format!("fonts:   error: {e}"))?;
            *problems += 1;
            return Ok(None);
        }
    };
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
        out.line(format!(
            "font:    {}  \"{}\" weight {}, {} code points, {check}",
            shown(&f.dir.join(&file.file)),
            file.family,
            file.weight,
            file.code_points
        ))?;
    }
    out.line(format!(
        "font:    \"{EMBEDDED_LATIN_FAMILY}\" (embedded in typst) for Latin, Greek and Cyrillic letters"
    ))?;
    out.line(format!(
        "fonts:   system fonts are ignored; together these draw {} code points",
        f.coverage.len()
    ))?;
    Ok(Some(f))
}

/// Whether summit `id` builds: into `scratch` with `typst`, or, without one, whether
/// every template fills.
fn check_summit(
    project: &Project,
    id: &str,
    typst: Option<&Typst>,
    fonts: &FontSet,
    scratch: &Path,
) -> Result<String> {
    let summit = ingest::load_summit(project, id)?;
    let rules = factsheet::rules::load(&project.rules_dir())?;
    let built = pipeline::sheet_and_sources(&summit, &rules)?;
    let sheet = &built.sheet;
    let input = Input::new(sheet, &rules.fields).with_sources(&built.docs, &rules.triggers);
    let pdf = PdfRenderer::new(typst.cloned(), fonts.clone());
    let options = RenderOptions {
        renderers: vec![
            Box::new(MarkdownRenderer),
            Box::new(HtmlRenderer),
            Box::new(pdf),
        ],
        toolchain: Toolchain {
            typst: typst.map_or(typst::PINNED_VERSION.to_string(), |t| t.version.clone()),
            fonts: fonts.families(),
        },
        // The check is that typst compiles: never take over an earlier PDF.
        take_over_unchanged: false,
    };
    if typst.is_none() {
        let prepared = render::prepare(project, &input, &options)?;
        let missing: usize = prepared.filled.iter().map(|f| f.warnings.len()).sum();
        return Ok(format!(
            "templates render ({} facts, {missing} character(s) no font covers); PDF not checked without typst",
            sheet.facts.len(),
        ));
    }
    let report = render::render_to(project, &input, &options, &scratch.join(id))?;
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
    let bytes = std::fs::read(path).ok()?;
    Some(factsheet::hash::sha256_hex(&bytes))
}
