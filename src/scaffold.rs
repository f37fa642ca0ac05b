//! `factsheet new`: starts a summit from the files a user has (saved web pages, PDF
//! and Word files, text and Markdown). Each file is read the way a build reads it, so
//! a file factsheet cannot read is refused before anything is made; what the files say
//! about themselves (titles, outlets, dates, addresses) fills `summit.yaml`, and every
//! field nothing could fill is written as a comment to fill in.
//!
//! [`plan`] reads the files and returns the summit.yaml text and what to copy;
//! [`create`] makes `summits/<id>/` from a plan, all at once or not at all.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::error::{Error, Result};
use crate::ingest;
use crate::normalise;
use crate::paths;
use crate::project::Project;
use crate::summit::{self, SourceConfig, SourceFormat, SourceKind, SummitConfig};

/// What `factsheet new` was asked for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The new summit's id.
    pub id: String,
    /// Files (or folders, whose files are taken in name order) to copy into `sources/`.
    pub files: Vec<PathBuf>,
    /// The summit's title, when given.
    pub title: Option<String>,
    /// The summit's first day, when given.
    pub date: Option<String>,
}

/// One source as read: what goes into summit.yaml about it, and why.
#[derive(Debug, Clone)]
pub struct PlannedSource {
    /// The file to copy.
    pub from: PathBuf,
    /// Its bytes as read (what was checked is what is copied).
    pub bytes: Vec<u8>,
    /// Its name under `sources/`.
    pub name: String,
    /// Title, outlet, date and address, as far as the file tells them.
    pub config: SourceConfig,
    /// Why its kind was chosen.
    pub kind_reason: String,
    /// Where its date came from, when that needs checking (a file's creation date).
    pub date_note: Option<&'static str>,
}

/// A summit to make: its id, the text of its summit.yaml and the files to copy.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The summit id.
    pub id: String,
    /// The summit.yaml to write.
    pub yaml: String,
    /// The sources, in summit.yaml order.
    pub sources: Vec<PlannedSource>,
    /// Things the user should know (a title or date taken by guess, how a file was read).
    pub warnings: Vec<String>,
}

/// Reads every file of `request` and plans the summit: refuses a bad or existing id,
/// a file that cannot be read as a source, and two files of the same name.
pub fn plan(project: &Project, request: &Request) -> Result<Plan> {
    summit::validate_id(&request.id)?;
    let dir = project.summits_dir().join(&request.id);
    if fs::symlink_metadata(&dir).is_ok() {
        return Err(Error::Usage(format!(
            "summit `{}` exists already ({}); choose another id, or remove that folder first",
            request.id,
            dir.display()
        )));
    }
    if let Some(d) = &request.date {
        summit::check_date(d).map_err(|m| Error::Usage(format!("--date: {m}")))?;
    }
    let files = expand(&request.files)?;
    if files.is_empty() {
        return Err(Error::Usage(
            "no files to make the summit from (the folders given hold none)".to_string(),
        ));
    }
    let mut warnings = Vec::new();
    let mut sources: Vec<PlannedSource> = Vec::new();
    for from in files {
        let source = plan_source(from, &sources, &mut warnings)?;
        sources.push(source);
    }
    let date = summit_date(request, &sources, &mut warnings)?;
    for s in &mut sources {
        let (kind, why) = kind_of(&s.config, &date);
        s.config.kind = kind;
        s.kind_reason = why;
    }
    let yaml = summit_yaml(request, &date, &sources);
    // What is written must load: check it as a build would.
    crate::yaml::from_str::<SummitConfig>(Path::new("summit.yaml"), &yaml)?;
    Ok(Plan {
        id: request.id.clone(),
        yaml,
        sources,
        warnings,
    })
}

/// Reads file `from` as a source (as a build would) and says what it tells about
/// itself; refuses a second file of a name already planned.
fn plan_source(
    from: PathBuf,
    planned: &[PlannedSource],
    warnings: &mut Vec<String>,
) -> Result<PlannedSource> {
    let name = file_name(&from)?;
    if let Some(other) = planned.iter().find(|s| s.name == name) {
        return Err(Error::input(
            &from,
            format!(
                "has the same name as {}; both would be sources/{name}: rename one",
                other.from.display()
            ),
        ));
    }
    let bytes = paths::read_regular(&from, paths::max_file_bytes())?;
    let raw = ingest::from_bytes(
        &SourceConfig::undeclared(name.clone()),
        from.clone(),
        bytes.clone(),
    )?;
    warnings.extend(raw.warnings.iter().cloned());
    let norm = normalise::normalise(&raw)?;
    let mut config = SourceConfig::undeclared(name.clone());
    config.title = norm.config.title.clone().or_else(|| first_title(&norm));
    config.outlet = norm.config.outlet.clone();
    config.url = norm.config.url.clone();
    config.date = norm.config.date.clone().or_else(|| first_date(&norm));
    // A PDF's or Word file's own date is when the file was made, which may not be
    // when the text was published.
    let date_note = (norm.config.date.is_some()
        && matches!(raw.format, SourceFormat::Pdf | SourceFormat::Docx))
    .then_some("the file's creation date: check it is the publication date");
    Ok(PlannedSource {
        from,
        bytes,
        name,
        config,
        kind_reason: String::new(),
        date_note,
    })
}

/// The summit's first day: `--date`, else the date most sources carry (said in a
/// warning).
fn summit_date(
    request: &Request,
    sources: &[PlannedSource],
    warnings: &mut Vec<String>,
) -> Result<String> {
    if let Some(d) = &request.date {
        return Ok(d.clone());
    }
    let d = common_date(sources).ok_or_else(|| {
        Error::Usage(
            "none of the files tells a date, so the summit's date is unknown: give it with --date YYYY-MM-DD"
                .to_string(),
        )
    })?;
    warnings.push(format!(
        "the summit's date {d} is the date most sources carry; give --date if it is not the first day of the summit"
    ));
    Ok(d)
}

/// Makes `summits/<id>/` from `plan`: summit.yaml and the copies under `sources/`,
/// built in a hidden folder beside it and moved into place in one step, so a failure
/// leaves nothing behind. Returns the summit's folder.
pub fn create(project: &Project, plan: &Plan) -> Result<PathBuf> {
    let summits = project.summits_dir();
    let dir = summits.join(&plan.id);
    let staging = summits.join(format!(".new-{}.tmp", plan.id));
    if fs::symlink_metadata(&staging).is_ok() {
        fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    }
    let result = (|| {
        let sources = staging.join("sources");
        fs::create_dir_all(&sources).map_err(|e| Error::io(&sources, e))?;
        let yaml = staging.join("summit.yaml");
        fs::write(&yaml, &plan.yaml).map_err(|e| Error::io(&yaml, e))?;
        for s in &plan.sources {
            let to = sources.join(&s.name);
            fs::write(&to, &s.bytes).map_err(|e| Error::io(&to, e))?;
        }
        if fs::symlink_metadata(&dir).is_ok() {
            return Err(Error::Usage(format!(
                "summit `{}` exists already ({})",
                plan.id,
                dir.display()
            )));
        }
        fs::rename(&staging, &dir).map_err(|e| Error::io(&dir, e))
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result.map(|()| dir)
}

/// The files named, folders replaced by the regular files in them (not in their
/// subfolders; dot-files skipped), in name order.
fn expand(files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for f in files {
        let meta = fs::metadata(f).map_err(|e| Error::io(f, e))?;
        if meta.is_dir() {
            let mut inside: Vec<PathBuf> = Vec::new();
            for entry in fs::read_dir(f).map_err(|e| Error::io(f, e))? {
                let entry = entry.map_err(|e| Error::io(f, e))?;
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if !hidden && entry.path().is_file() {
                    inside.push(entry.path());
                }
            }
            inside.sort();
            out.extend(inside);
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

/// The name a file gets under `sources/`: its own, if it is a safe one.
fn file_name(path: &Path) -> Result<String> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::input(path, "names no file"))?;
    let name = name
        .to_str()
        .ok_or_else(|| Error::input(path, "has a name that is not valid UTF-8; rename the file"))?;
    if name.starts_with('.') {
        return Err(Error::input(
            path,
            "is a hidden file (its name starts with `.`), which a summit does not read; rename it",
        ));
    }
    paths::relative_entry(name).map_err(|m| Error::input(path, m))
}

/// A title from the text itself: the first paragraph when it is short and ends no
/// sentence (a headline), with a `——` subtitle after it.
fn first_title(norm: &normalise::NormalisedSource) -> Option<String> {
    let mut paras = norm.text.as_str().split('\n').map(|p| {
        p.trim()
            .trim_matches(|c: char| c == '*' || c == '#')
            .trim()
            .to_string()
    });
    let headline = |p: &str| {
        let n = p.chars().count();
        (4..=80).contains(&n)
            && !p
                .trim_end_matches(crate::text::is_closer)
                .ends_with(crate::text::is_terminator)
            && !p.ends_with(['：', ':'])
    };
    let first = paras.find(|p| !p.is_empty())?;
    if !headline(&first) {
        return None;
    }
    match paras.next() {
        Some(sub) if sub.starts_with("——") && headline(&sub) => Some(format!("{first}{sub}")),
        _ => Some(first),
    }
}

static CHINESE_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})年(\d{1,2})月(\d{1,2})日").expect("valid regex"));

/// A date written out near the top of the text (`（2022年1月25日）`).
fn first_date(norm: &normalise::NormalisedSource) -> Option<String> {
    let head: String = norm
        .text
        .as_str()
        .split('\n')
        .take(6)
        .collect::<Vec<_>>()
        .join("\n");
    let c = CHINESE_DATE.captures(&head)?;
    let date = format!("{}-{:0>2}-{:0>2}", &c[1], &c[2], &c[3]);
    summit::check_date(&date).ok().map(|()| date)
}

/// The date most sources carry (the earliest of equally common ones).
fn common_date(sources: &[PlannedSource]) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in sources {
        if let Some(d) = &s.config.date {
            *counts.entry(d.as_str()).or_default() += 1;
        }
    }
    let best = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(d, _)| d.to_string())
}

static INTERVIEW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"答记者问|接受[^，。]{0,30}采访").expect("valid regex"));
static SPEECH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"讲话|致辞").expect("valid regex"));

/// A source's kind and why: from its title (`答记者问`, `接受…采访`: interview; `讲话`,
/// `致辞`: speech), else `preview` when it is dated before the summit, else `report`.
pub fn kind_of(config: &SourceConfig, summit_date: &str) -> (SourceKind, String) {
    let title = config.title.as_deref().unwrap_or("");
    if let Some(m) = INTERVIEW.find(title) {
        return (
            SourceKind::Interview,
            format!("the title says {}", m.as_str()),
        );
    }
    if let Some(m) = SPEECH.find(title) {
        return (SourceKind::Speech, format!("the title says {}", m.as_str()));
    }
    if let Some(d) = &config.date
        && d.as_str() < summit_date
    {
        return (
            SourceKind::Preview,
            format!("dated {d}, before the summit: its facts are background"),
        );
    }
    (
        SourceKind::Report,
        "nothing in its title or date says otherwise: speech | interview | report | preview"
            .to_string(),
    )
}

/// A YAML scalar for `s` (quoted when it must be).
fn scalar(s: &str) -> String {
    crate::yaml::to_string(&s)
        .map(|y| y.trim_end().to_string())
        .unwrap_or_else(|_| format!("{s:?}"))
}

/// The text of summit.yaml: what is known, and a commented line for every field not.
pub fn summit_yaml(request: &Request, date: &str, sources: &[PlannedSource]) -> String {
    let mut y = String::new();
    y.push_str(&format!(
        "# Made by `factsheet new {}` from {} file(s). Check every value, fill in the\n# commented fields, then run `factsheet sentences {}` and `factsheet build {}`.\n# Format of this file: README.md, \"Adding a summit\".\n",
        request.id,
        sources.len(),
        request.id,
        request.id
    ));
    match &request.title {
        Some(t) => y.push_str(&format!("title: {}\n", scalar(t))),
        None => y.push_str(&format!(
            "title: {}   # TODO: the summit's name (give it with --title)\n",
            scalar(&request.id)
        )),
    }
    match &request.date {
        Some(_) => y.push_str(&format!("date: {date}\n")),
        None => y.push_str(&format!(
            "date: {date}   # the date most sources carry: check it is the summit's first day\n"
        )),
    }
    y.push_str(
        "# end_date: YYYY-MM-DD      # last day, for a summit over several days\n\
         # venue:                    # where it took place\n\
         # format: in-person         # in-person | video | hybrid\n\
         # host:                     # who hosted or chaired it\n\
         # participants:             # as the sources name them\n\
         #   - …\n\
         # documents:                # documents adopted, as 《…》\n\
         #   - …\n\
         sources:\n",
    );
    for s in sources {
        source_entry(&mut y, s);
    }
    y
}

/// The `sources:` entry of `s`: what is known, a commented line for the rest.
fn source_entry(y: &mut String, s: &PlannedSource) {
    let c = &s.config;
    y.push_str(&format!("  - file: {}\n", scalar(&s.name)));
    let field = |y: &mut String, key: &str, value: &Option<String>, hint: &str| match value {
        Some(v) => y.push_str(&format!("    {key}: {}\n", scalar(v))),
        None => y.push_str(&format!("{:<32}# {hint}\n", format!("    # {key}:"))),
    };
    field(y, "title", &c.title, "the article's or speech's title");
    field(
        y,
        "outlet",
        &c.outlet,
        "who published it (新华社, 人民日报, …)",
    );
    match &c.date {
        Some(d) => match s.date_note {
            Some(note) => y.push_str(&format!("    date: {d}   # {note}\n")),
            None => y.push_str(&format!("    date: {d}\n")),
        },
        None => y.push_str(&format!(
            "{:<32}# when it was published\n",
            "    # date: YYYY-MM-DD"
        )),
    }
    y.push_str(&format!(
        "    kind: {}   # {}\n",
        c.kind.as_str(),
        s.kind_reason
    ));
    field(y, "url", &c.url, "where it was published");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(title: Option<&str>, date: Option<&str>) -> SourceConfig {
        let mut c = SourceConfig::undeclared("a.txt".to_string());
        c.title = title.map(str::to_string);
        c.date = date.map(str::to_string);
        c
    }

    #[test]
    fn kinds_from_titles_and_dates() {
        let k = |t: Option<&str>, d: Option<&str>| kind_of(&config(t, d), "2023-05-18").0;
        assert_eq!(
            k(
                Some("长安复携手——秦刚就中国—中亚峰会成果接受媒体采访"),
                None
            ),
            SourceKind::Interview
        );
        assert_eq!(k(Some("外交部发言人答记者问"), None), SourceKind::Interview);
        assert_eq!(
            k(Some("携手共命运——在视频峰会上的讲话"), Some("2023-05-18")),
            SourceKind::Speech
        );
        assert_eq!(k(Some("在欢迎宴会上的致辞"), None), SourceKind::Speech);
        assert_eq!(
            k(Some("写在峰会即将举行之际"), Some("2023-05-17")),
            SourceKind::Preview
        );
        // The title is the stronger sign: a speech file made the day before is a speech.
        assert_eq!(
            k(Some("在开幕式上的致辞"), Some("2023-05-17")),
            SourceKind::Speech
        );
        assert_eq!(
            k(Some("峰会在西安举行"), Some("2023-05-19")),
            SourceKind::Report
        );
        assert_eq!(k(None, None), SourceKind::Report);
    }

    #[test]
    fn the_yaml_loads_and_comments_what_is_missing() {
        let request = Request {
            id: "2030-test".to_string(),
            files: Vec::new(),
            title: Some("测试峰会: 第一届".to_string()),
            date: Some("2030-01-02".to_string()),
        };
        let mut c = config(Some("标题 #1"), Some("2030-01-02"));
        c.kind = SourceKind::Speech;
        let sources = vec![PlannedSource {
            from: PathBuf::from("a.txt"),
            bytes: Vec::new(),
            name: "a.txt".to_string(),
            config: c,
            kind_reason: "the title says 讲话".to_string(),
            date_note: None,
        }];
        let yaml = summit_yaml(&request, "2030-01-02", &sources);
        assert!(yaml.contains("    # outlet:"), "{yaml}");
        assert!(yaml.contains("# venue:"), "{yaml}");
        let parsed: SummitConfig = crate::yaml::from_str(Path::new("s.yaml"), &yaml).unwrap();
        assert_eq!(parsed.title.zh(), "测试峰会: 第一届");
        let s = &parsed.sources.unwrap()[0];
        assert_eq!(s.title.as_deref(), Some("标题 #1"));
        assert_eq!(s.kind, SourceKind::Speech);
        assert_eq!(s.outlet, None);
    }
}
