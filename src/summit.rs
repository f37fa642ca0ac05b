//! What `summits/<id>/summit.yaml` says about a summit and its sources.
//!
//! Only `title` and `date` are required; everything else enriches the fact sheet.
//! The full format is documented in the README ("Adding a summit").

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A summit's title, either one string or a Chinese/English pair.
///
/// Read by hand rather than as an untagged enum, so that a wrong shape gets a message
/// about titles rather than serde's "data did not match any variant of untagged enum".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Title {
    /// Chinese and English titles.
    Bilingual {
        /// The title in Chinese.
        zh: String,
        /// The title in English.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        en: Option<String>,
    },
    /// One title, in whatever language it was given.
    Plain(String),
}

const TITLE_SHAPE: &str =
    "a title: one string (title: 峰会) or zh: and en: (title: {zh: 峰会, en: Summit})";

impl<'de> Deserialize<'de> for Title {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Title;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(TITLE_SHAPE)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Title, E> {
                Ok(Title::Plain(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Title, A::Error> {
                use serde::de::Error;
                let (mut zh, mut en) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "zh" => &mut zh,
                        "en" => &mut en,
                        other => {
                            return Err(A::Error::custom(format!(
                                "unknown key `{other}` in title; a title has zh: and en:"
                            )));
                        }
                    };
                    if slot.is_some() {
                        return Err(A::Error::custom(format!("title has `{key}` twice")));
                    }
                    *slot = Some(map.next_value::<String>().map_err(|_| {
                        A::Error::custom(format!("title `{key}:` must be a string"))
                    })?);
                }
                let zh = zh.ok_or_else(|| {
                    A::Error::custom("title has en: but no zh:; the Chinese title is required")
                })?;
                Ok(Title::Bilingual { zh, en })
            }
        }
        d.deserialize_any(V)
    }
}

impl Title {
    /// The Chinese (or only) title.
    pub fn zh(&self) -> &str {
        match self {
            Title::Bilingual { zh, .. } => zh,
            Title::Plain(t) => t,
        }
    }

    /// The English title, when one is given.
    pub fn en(&self) -> Option<&str> {
        match self {
            Title::Bilingual { en, .. } => en.as_deref(),
            Title::Plain(_) => None,
        }
    }
}

/// How the leaders met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingFormat {
    /// Leaders met in one place.
    InPerson,
    /// Leaders met by video link.
    Video,
    /// Some in person, some by video.
    Hybrid,
}

impl MeetingFormat {
    /// The name used in summit.yaml and facts.json.
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingFormat::InPerson => "in-person",
            MeetingFormat::Video => "video",
            MeetingFormat::Hybrid => "hybrid",
        }
    }
}

/// What kind of text a source is; decides which wording is canonical (speech first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// The leader's own words.
    Speech,
    /// An official explaining the outcomes.
    Interview,
    /// A news report of the summit.
    Report,
    /// An article written before the summit; its facts are background.
    Preview,
}

impl SourceKind {
    /// The name used in summit.yaml and in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Speech => "speech",
            SourceKind::Interview => "interview",
            SourceKind::Report => "report",
            SourceKind::Preview => "preview",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a source file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// Plain text: blank lines or full-width spaces separate paragraphs.
    Text,
    /// Markdown with optional YAML front matter and inline HTML.
    Markdown,
    /// Text taken out of a PDF: lines and pages break inside sentences.
    PdfText,
    /// A web page: its article body, found by a main-content extractor.
    Html,
    /// A PDF file, read from its text layer.
    Pdf,
    /// A Word file (.docx).
    Docx,
}

impl SourceFormat {
    /// The name used in summit.yaml.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Text => "text",
            SourceFormat::Markdown => "markdown",
            SourceFormat::PdfText => "pdf-text",
            SourceFormat::Html => "html",
            SourceFormat::Pdf => "pdf",
            SourceFormat::Docx => "docx",
        }
    }
}

/// A stretch of a source to leave out, named by the text that opens and closes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExcludeSpan {
    /// Text at which the left-out stretch begins (included in it).
    pub from: String,
    /// Text at which it ends (included); absent means "to the end of the source".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Why it is left out, for the reader of summit.yaml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One source as declared in summit.yaml (or found under `sources/`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Path of the file relative to the summit's `sources/` folder.
    pub file: String,
    /// The article's or speech's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Who published it (新华社, 人民日报, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// What kind of text it is; `report` when not stated.
    #[serde(default = "default_kind")]
    pub kind: SourceKind,
    /// Where it was published, when the source carries an address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Layout of the file; guessed from its name and content when not stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<SourceFormat>,
    /// Stretches to leave out (unrelated articles bundled in the same file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<ExcludeSpan>,
}

fn default_kind() -> SourceKind {
    SourceKind::Report
}

impl SourceConfig {
    /// A source found on disk with nothing declared about it.
    pub fn undeclared(file: String) -> Self {
        SourceConfig {
            file,
            title: None,
            outlet: None,
            date: None,
            kind: SourceKind::Report,
            url: None,
            format: None,
            exclude: Vec::new(),
        }
    }
}

/// The content of a summit.yaml.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SummitConfig {
    /// The summit's name.
    pub title: Title,
    /// First (or only) day, `YYYY-MM-DD`.
    pub date: String,
    /// Last day, for summits over several days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// Where it took place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<String>,
    /// In person, by video, or both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<MeetingFormat>,
    /// Who hosted or chaired it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Participants, as the sources name them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<String>,
    /// Documents adopted (declarations, joint statements, lists of outcomes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// The sources to read; when absent every file under `sources/` is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<SourceConfig>>,
}

/// Checks that `id` is a safe summit id: `[a-z0-9-]+`, which also rules out paths.
pub fn validate_id(id: &str) -> Result<()> {
    let bad = |reason: &str| {
        Err(Error::BadSummitId {
            id: id.to_string(),
            reason: reason.to_string(),
        })
    };
    if id.is_empty() {
        return bad("it is empty; a summit id names a folder under summits/, e.g. 2023-xian");
    }
    if id.contains('/') || id.contains('\\') || id.contains("..") {
        return bad("a summit id is a folder name under summits/, not a path");
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return bad(&format!(
            "{c:?} is not allowed; use lowercase letters, digits and '-' only"
        ));
    }
    Ok(())
}

/// Checks a `YYYY-MM-DD` date (calendar-valid), returning a message when it is not.
pub fn check_date(date: &str) -> std::result::Result<(), String> {
    let parts: Vec<&str> = date.split('-').collect();
    let ok = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return Err(format!("date {date:?} is not YYYY-MM-DD"));
    }
    let (y, m, d): (i32, u32, u32) = (
        parts[0].parse().unwrap_or(0),
        parts[1].parse().unwrap_or(0),
        parts[2].parse().unwrap_or(0),
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(format!("date {date:?} has no month {m}")),
    };
    if d == 0 || d > days {
        return Err(format!("date {date:?} has no day {d}"));
    }
    Ok(())
}

/// Seconds since 1970-01-01 at midnight UTC of a checked `YYYY-MM-DD` date.
pub fn unix_seconds(date: &str) -> Option<i64> {
    check_date(date).ok()?;
    let y: i64 = date[0..4].parse().ok()?;
    let m: i64 = date[5..7].parse().ok()?;
    let d: i64 = date[8..10].parse().ok()?;
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146097 + doe - 719468) * 86400)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn ids() {
        for good in ["2023-xian", "a", "2022-virtual", "x-1-y"] {
            assert!(validate_id(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "../x",
            "/etc",
            "..",
            "A",
            "2023_xian",
            "x/y",
            "中亚",
            "a b",
        ] {
            let err = validate_id(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert!(err.to_string().contains("invalid summit id"), "{err}");
        }
    }

    #[test]
    fn dates() {
        assert!(check_date("2023-05-18").is_ok());
        assert!(check_date("2024-02-29").is_ok());
        assert!(check_date("2023-02-29").is_err());
        assert!(check_date("2023-5-18").is_err());
        assert!(check_date("2023-13-01").is_err());
        assert_eq!(unix_seconds("1970-01-01"), Some(0));
        assert_eq!(unix_seconds("2023-05-18"), Some(1_684_368_000));
        assert_eq!(unix_seconds("2022-01-25"), Some(1_643_068_800));
    }

    #[test]
    fn titles_take_both_shapes() {
        let t: Title = crate::yaml::from_str(Path::new("t.yaml"), "峰会").unwrap();
        assert_eq!(t.zh(), "峰会");
        assert_eq!(t.en(), None);
        let t: Title =
            crate::yaml::from_str(Path::new("t.yaml"), "{zh: 峰会, en: Summit}").unwrap();
        assert_eq!((t.zh(), t.en()), ("峰会", Some("Summit")));
        let t: Title = crate::yaml::from_str(Path::new("t.yaml"), "{zh: 峰会}").unwrap();
        assert_eq!((t.zh(), t.en()), ("峰会", None));
    }

    #[test]
    fn a_wrong_title_says_what_a_title_is() {
        let err = |yaml: &str| match crate::yaml::from_str::<Title>(Path::new("t.yaml"), yaml) {
            Err(Error::Yaml { message, .. }) => message,
            other => panic!("{other:?}"),
        };
        assert!(
            err("[a, b]").starts_with(
                "invalid type: sequence, expected a title: one string (title: 峰会) or zh: and en: (title: {zh: 峰会, en: Summit})"
            ),
            "{}",
            err("[a, b]")
        );
        assert!(
            err("{zh: a, fr: b}").starts_with("unknown key `fr` in title; a title has zh: and en:")
        );
        assert!(
            err("{en: Summit}")
                .starts_with("title has en: but no zh:; the Chinese title is required")
        );
    }
}
