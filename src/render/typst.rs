//! The typst CLI: find it, check its version, and compile with diagnostics that point
//! at the file and line. Installing it when it is missing is [`super::provision`]'s
//! job, which uses this module (never the other way round).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// The typst version `factsheet` installs, and that the templates are tested with.
pub const PINNED_VERSION: &str = "0.15.1";
/// The versions the templates are tested with, for messages.
pub const TESTED_RANGE: &str = "0.15.x";

/// Whether a `major.minor.patch` version is one the templates are tested with.
pub fn in_tested_range(version: &str) -> bool {
    let mut parts = version.split('.');
    parts.next() == Some("0") && parts.next() == Some("15")
}

/// How the user asked for typst.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypstRequest {
    /// `--typst PATH` or `FACTSHEET_TYPST`.
    pub explicit: Option<PathBuf>,
    /// Whether a missing typst may be installed (false with `--no-provision` / `FACTSHEET_NO_PROVISION=1`).
    pub provision: bool,
}

impl TypstRequest {
    /// The request the environment makes (`FACTSHEET_TYPST`, `FACTSHEET_NO_PROVISION`), as the CLI reads it.
    pub fn from_env() -> Self {
        let explicit = std::env::var_os("FACTSHEET_TYPST")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        let no = std::env::var("FACTSHEET_NO_PROVISION").unwrap_or_default();
        let provision = matches!(
            no.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no" | "off"
        );
        TypstRequest {
            explicit,
            provision,
        }
    }
}

/// Where the typst in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--typst` or `FACTSHEET_TYPST`.
    Explicit,
    /// `typst` on `PATH`.
    Path,
    /// The pinned version in factsheet's cache, installed earlier.
    Cache,
    /// Installed into the cache by this run.
    Provisioned,
}

impl Origin {
    /// A few words for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Origin::Explicit => "given by --typst / FACTSHEET_TYPST",
            Origin::Path => "found on PATH",
            Origin::Cache => "factsheet's cached copy",
            Origin::Provisioned => "installed by factsheet just now",
        }
    }
}

/// A typst CLI ready to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typst {
    /// The executable.
    pub path: PathBuf,
    /// Its version, `major.minor.patch`.
    pub version: String,
    /// How it was found.
    pub origin: Origin,
    /// Things the user should know (a version outside the tested range).
    pub warnings: Vec<String>,
}

/// factsheet's cache: `$FACTSHEET_CACHE_DIR`, else `$XDG_CACHE_HOME/factsheet`, else `$HOME/.cache/factsheet`.
pub fn cache_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("FACTSHEET_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("factsheet")))
        .or_else(|| var("HOME").map(|d| d.join(".cache").join("factsheet")))
        .or_else(|| var("USERPROFILE").map(|d| d.join(".cache").join("factsheet")))
}

/// `<cache>/typst-<PINNED_VERSION>`: the `--root` of the pinned install.
pub fn pinned_root(cache: &Path) -> PathBuf {
    cache.join(format!("typst-{PINNED_VERSION}"))
}

/// The pinned typst executable inside `cache`.
pub fn pinned_binary(cache: &Path) -> PathBuf {
    pinned_root(cache).join("bin").join(exe_name())
}

fn exe_name() -> String {
    format!("typst{}", std::env::consts::EXE_SUFFIX)
}

/// Finds typst without installing anything: `Ok(None)` when there is none.
///
/// Order: `--typst`/`FACTSHEET_TYPST` (an error if it does not run), `typst` on
/// `PATH` if its version is tested, the pinned copy in the cache, then an untested
/// `typst` on `PATH` (with a warning).
pub fn find(req: &TypstRequest) -> Result<Option<Typst>> {
    if let Some(given) = &req.explicit {
        let path = if given.components().count() == 1 && !given.is_file() {
            search_path(&given.to_string_lossy()).unwrap_or_else(|| given.clone())
        } else {
            given.clone()
        };
        let version = version_of(&path).map_err(|e| {
            Error::Typst(format!(
                "the typst given by --typst / FACTSHEET_TYPST ({}) cannot be run: {e}",
                given.display()
            ))
        })?;
        return Ok(Some(checked(path, version, Origin::Explicit)));
    }
    let on_path = search_path("typst").and_then(|p| version_of(&p).ok().map(|v| (p, v)));
    if let Some((p, v)) = &on_path
        && in_tested_range(v)
    {
        return Ok(Some(checked(p.clone(), v.clone(), Origin::Path)));
    }
    if let Some(cache) = cache_dir() {
        let bin = pinned_binary(&cache);
        if bin.is_file()
            && let Ok(v) = version_of(&bin)
        {
            return Ok(Some(checked(bin, v, Origin::Cache)));
        }
    }
    Ok(on_path.map(|(p, v)| checked(p, v, Origin::Path)))
}

/// A found typst, with a warning when its version is outside the tested range.
pub fn checked(path: PathBuf, version: String, origin: Origin) -> Typst {
    let mut warnings = Vec::new();
    if !in_tested_range(&version) {
        warnings.push(format!(
            "typst {version} at {} ({}) is outside the range the templates are tested with ({TESTED_RANGE}, pinned {PINNED_VERSION}); \
             the PDF may differ or fail to build. Run without --typst / FACTSHEET_TYPST and without other typst on PATH to use the pinned version.",
            path.display(),
            origin.describe()
        ));
    }
    Typst {
        path,
        version,
        origin,
        warnings,
    }
}

fn search_path(name: &str) -> Option<PathBuf> {
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(&file))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// Runs `typst --version` and returns `major.minor.patch`.
pub fn version_of(path: &Path) -> std::result::Result<String, String> {
    let out = Command::new(path)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("`{} --version` failed", path.display()));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // "typst 0.15.1 (unknown commit)"
    text.split_whitespace()
        .nth(1)
        .filter(|v| {
            v.split('.').count() >= 2 && v.chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .map(str::to_string)
        .ok_or_else(|| format!("unexpected `--version` output: {}", text.trim()))
}

/// One message of typst's, with the file and line it points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `error`, `warning` or `hint`.
    pub severity: String,
    /// File, as typst names it (relative to the compile folder).
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// The message.
    pub message: String,
}

/// Parses typst's `--diagnostic-format short` output (`file:line:col: severity: message`).
pub fn parse_diagnostics(stderr: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for line in stderr
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
    {
        let plain = |sev: &str, msg: &str| Diagnostic {
            severity: sev.to_string(),
            file: None,
            line: None,
            column: None,
            message: msg.trim().to_string(),
        };
        if let Some(d) = parse_located(line) {
            out.push(d);
        } else if let Some((sev, msg)) = line.trim_start().split_once(": ")
            && matches!(sev, "error" | "warning" | "hint")
        {
            out.push(plain(sev, msg));
        } else {
            out.push(plain("error", line));
        }
    }
    out
}

fn parse_located(line: &str) -> Option<Diagnostic> {
    for sev in ["error", "warning", "hint"] {
        let marker = format!(": {sev}: ");
        if let Some(at) = line.find(&marker) {
            let location = &line[..at];
            let message = &line[at + marker.len()..];
            let mut parts = location.rsplitn(3, ':');
            let col = parts.next()?.parse().ok()?;
            let row = parts.next()?.parse().ok()?;
            let file = parts.next()?.to_string();
            return Some(Diagnostic {
                severity: sev.to_string(),
                file: Some(file),
                line: Some(row),
                column: Some(col),
                message: message.to_string(),
            });
        }
    }
    None
}

/// One typst compile: the files, the fonts, the creation date, and how to show errors.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// The folder typst runs in; also its `--root`, so the document can read nothing outside it.
    pub dir: &'a Path,
    /// The .typ file, relative to `dir`.
    pub input: &'a str,
    /// The PDF to write, relative to `dir`.
    pub output: &'a str,
    /// The only fonts besides typst's embedded ones (`--font-path`, system fonts ignored).
    pub font_dir: &'a Path,
    /// `--creation-timestamp`, seconds since 1970.
    pub timestamp: i64,
    /// Where the user can open the .typ when typst rejects it (errors name this file).
    pub shown_as: &'a Path,
    /// The .typ's text, to quote the line a diagnostic points at.
    pub source: &'a str,
}

/// Compiles `job.input` to `job.output` with the project's fonts only, typst's root
/// confined to `job.dir`, and the given creation timestamp. Returns typst's warnings
/// (and hints); a failed compile is an [`Error::Typst`] whose diagnostics name
/// `job.shown_as` and show the offending line.
pub fn compile(typst: &Typst, job: &Job<'_>) -> Result<Vec<Diagnostic>> {
    let mut cmd = command(typst, job);
    let out = cmd
        .output()
        .map_err(|e| Error::Typst(format!("cannot run typst ({}): {e}", typst.path.display())))?;
    let diags = parse_diagnostics(&String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(failure(typst, job, &diags, out.status));
    }
    Ok(diags
        .into_iter()
        .filter(|d| d.severity != "error")
        .collect())
}

/// The typst command line of `job`, in a clean environment.
fn command(typst: &Typst, job: &Job<'_>) -> Command {
    let mut cmd = Command::new(&typst.path);
    cmd.current_dir(job.dir)
        .args([
            "compile",
            "--root",
            ".",
            "--ignore-system-fonts",
            "--font-path",
        ])
        .arg(job.font_dir)
        // One argument with `=`: a date before 1970 is negative, and `-86400` on its
        // own would be taken for an option.
        .arg(format!("--creation-timestamp={}", job.timestamp))
        .args(["--diagnostic-format", "short", job.input, job.output])
        .stdin(Stdio::null());
    // TYPST_FONT_PATHS and friends would make the output depend on the machine.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("TYPST_") {
            cmd.env_remove(&key);
        }
    }
    stop_with_parent(&mut cmd);
    cmd
}

/// The error of a failed compile: the .typ's fault when a diagnostic points into it,
/// else typst's (a refused command line, a crash).
fn failure(
    typst: &Typst,
    job: &Job<'_>,
    diags: &[Diagnostic],
    status: std::process::ExitStatus,
) -> Error {
    let mut lines: Vec<String> = diags
        .iter()
        .map(|d| format_diagnostic(d, job.input, job.shown_as, job.source))
        .collect();
    if lines.is_empty() {
        lines.push(format!("typst exited with {status}"));
    }
    let located = diags.iter().any(|d| d.file.as_deref() == Some(job.input));
    Error::Typst(if located {
        format!(
            "typst {}{COULD_NOT_COMPILE}{}:\n{}",
            typst.version,
            job.shown_as.display(),
            lines.join("\n")
        )
    } else {
        format!(
            "typst {} ({}) failed before compiling the fact sheet; this is not a problem in the .typ:\n{}",
            typst.version,
            typst.path.display(),
            lines.join("\n")
        )
    })
}

const COULD_NOT_COMPILE: &str = " could not compile ";

/// Whether a [`compile`] error is about the .typ itself (so it is worth keeping).
pub fn blames_the_file(e: &Error) -> bool {
    matches!(e, Error::Typst(m) if m.contains(COULD_NOT_COMPILE))
}

/// Makes the child die with factsheet: on Linux a `kill -9` of factsheet then also
/// stops typst (the parent-death signal), instead of leaving it orphaned, writing
/// into a staging folder nobody will swap in.
fn stop_with_parent(cmd: &mut Command) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::unix::process::CommandExt;
        let parent = std::process::id();
        // SAFETY: between fork and exec the closure calls only prctl and getppid,
        // which are async-signal-safe, and allocates nothing.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent may have died before the signal was asked for.
                if libc::getppid() as u32 != parent {
                    return Err(std::io::Error::other("factsheet exited"));
                }
                Ok(())
            });
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = cmd;
}

/// A diagnostic as `file:line:col: severity: message`, naming `shown_as` for
/// `input` and quoting the line of `source` it points at.
pub fn format_diagnostic(d: &Diagnostic, input: &str, shown_as: &Path, source: &str) -> String {
    match (&d.file, d.line, d.column) {
        (Some(file), Some(line), Some(col)) => {
            let ours = file == input;
            let name = if ours {
                shown_as.display().to_string()
            } else {
                file.clone()
            };
            let mut s = format!("{name}:{line}:{col}: {}: {}", d.severity, d.message);
            if ours && let Some(text) = source.lines().nth(line.saturating_sub(1)) {
                let text: String = text.chars().take(160).collect();
                s.push_str(&format!("\n  {line} | {}", text.trim_end()));
            }
            s
        }
        _ => format!("{}: {}", d.severity, d.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(in_tested_range("0.15.1"));
        assert!(in_tested_range("0.15.0"));
        assert!(!in_tested_range("0.14.2"));
        assert!(!in_tested_range("0.16.0"));
        assert!(!in_tested_range("1.15.0"));
    }

    #[test]
    fn short_diagnostics() {
        let d = parse_diagnostics(
            "factsheet.typ:3:8: error: expected expression\nwarning: unknown font family: x\n",
        );
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].file.as_deref(), Some("factsheet.typ"));
        assert_eq!((d[0].line, d[0].column), (Some(3), Some(8)));
        assert_eq!(d[0].message, "expected expression");
        assert_eq!(d[1].severity, "warning");
        let shown = format_diagnostic(
            &d[0],
            "factsheet.typ",
            Path::new("out/x/f.typ"),
            "a\nb\n#let x = \n",
        );
        assert_eq!(
            shown,
            "out/x/f.typ:3:8: error: expected expression\n  3 | #let x ="
        );
    }
}
