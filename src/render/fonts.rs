//! Which characters the fact sheet's fonts can draw.
//!
//! typst prints a character that no font covers as an empty box, without a warning
//! and with exit code 0, so the check has to be ours: the cmaps of the project's
//! `fonts/*.otf` (read with `ttf-parser`) plus the Latin, Greek and Cyrillic letters of
//! typst's embedded Libertinus Serif, which the templates use for Latin text. (They also
//! name the embedded DejaVu Sans Mono, for hashes and file names: ASCII, which the Noto
//! fonts cover as well.)

use std::path::{Path, PathBuf};

use super::format::display_value;
use crate::error::{Error, Result};
use crate::facts::{Citation, Fact, FactSheet};

/// The code points of Libertinus Serif Regular (as embedded in typst 0.15.1, from
/// typst-assets 0.15.1) that the templates rely on: Latin, Greek and Cyrillic. Other
/// symbols it happens to have are not counted, so a change of embedded font cannot
/// silently turn a reported character into a box.
const LIBERTINUS_SERIF: &[(u32, u32)] = &[
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0374, 0x0375),
    (0x037A, 0x037E),
    (0x0384, 0x038A),
    (0x038C, 0x038C),
    (0x038E, 0x03A1),
    (0x03A3, 0x03CE),
    (0x03D0, 0x03E1),
    (0x03F0, 0x03F6),
    (0x03F8, 0x03F9),
    (0x03FB, 0x03FB),
    (0x03FD, 0x0477),
    (0x047C, 0x047F),
    (0x048C, 0x04C4),
    (0x04C7, 0x04CC),
    (0x04D0, 0x04F9),
    (0x1E00, 0x1EFF),
];

/// The embedded typst font the templates use for Latin text.
pub const EMBEDDED_LATIN_FAMILY: &str = "Libertinus Serif";

/// A set of code points, as sorted, merged, inclusive ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    ranges: Vec<(u32, u32)>,
}

impl Coverage {
    /// Coverage of the given inclusive ranges (in any order, overlapping or not).
    pub fn from_ranges(ranges: &[(u32, u32)]) -> Self {
        let mut sorted = ranges.to_vec();
        sorted.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(sorted.len());
        for (a, b) in sorted {
            match merged.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        Coverage { ranges: merged }
    }

    /// Every code point: for tests and for output that is not typeset.
    pub fn everything() -> Self {
        Coverage {
            ranges: vec![(0, u32::MAX)],
        }
    }

    /// Whether `c` can be drawn, or needs no glyph (white space and invisible format
    /// characters such as zero-width space and variation selectors).
    pub fn covers(&self, c: char) -> bool {
        if needs_no_glyph(c) {
            return true;
        }
        let cp = c as u32;
        let i = self.ranges.partition_point(|&(_, end)| end < cp);
        self.ranges.get(i).is_some_and(|&(start, _)| start <= cp)
    }

    /// How many code points are covered.
    pub fn len(&self) -> u64 {
        self.ranges.iter().map(|&(a, b)| u64::from(b - a) + 1).sum()
    }

    /// Whether nothing is covered.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }
}

fn needs_no_glyph(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c as u32, 0x200B..=0x200F | 0x2060..=0x206F | 0xFE00..=0xFE0F | 0xFEFF | 0xE0100..=0xE01EF)
}

/// One font file of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontFile {
    /// The file name under `fonts/`.
    pub file: String,
    /// Family name (name ID 1), as typst and the templates know it.
    pub family: String,
    /// Weight class (400 regular, 700 bold).
    pub weight: u16,
    /// Number of code points its cmap maps.
    pub code_points: usize,
}

/// The fonts a fact sheet is typeset with, and what they cover together.
#[derive(Debug, Clone)]
pub struct FontSet {
    /// The folder passed to typst as `--font-path`.
    pub dir: PathBuf,
    /// The project's font files, sorted by file name.
    pub files: Vec<FontFile>,
    /// Union of their cmaps and the embedded Latin font's letters.
    pub coverage: Coverage,
}

impl FontSet {
    /// Reads every `.otf`/`.ttf` under `dir`; an error when there is none or one is unreadable.
    pub fn load(dir: &Path) -> Result<Self> {
        crate::paths::check_folder(dir, "fonts must lie inside the fonts folder")?;
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::input(
                dir,
                format!("cannot read the fonts folder ({e}); the fact sheet is typeset with the project's own fonts, see fonts/README.md"),
            )
        })?;
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let path = entry.path();
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if matches!(ext.as_str(), "otf" | "ttf") {
                paths.push(path);
            }
        }
        paths.sort();
        if paths.is_empty() {
            return Err(Error::input(
                dir,
                "holds no .otf or .ttf font; the fact sheet needs the project's CJK fonts (see fonts/README.md)",
            ));
        }
        let mut files = Vec::new();
        let mut ranges: Vec<(u32, u32)> = LIBERTINUS_SERIF.to_vec();
        for path in &paths {
            let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            let (file, cps) = read_font(path, &data)?;
            ranges.extend(cps.into_iter().map(|c| (c, c)));
            files.push(file);
        }
        Ok(FontSet {
            dir: dir.to_path_buf(),
            files,
            coverage: Coverage::from_ranges(&ranges),
        })
    }

    /// Family names, deduplicated, in file order.
    pub fn families(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for f in &self.files {
            if !out.contains(&f.family) {
                out.push(f.family.clone());
            }
        }
        out
    }
}

fn read_font(path: &Path, data: &[u8]) -> Result<(FontFile, Vec<u32>)> {
    let face = ttf_parser::Face::parse(data, 0)
        .map_err(|e| Error::input(path, format!("is not a readable OpenType font ({e})")))?;
    let family = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode())
        .find_map(|n| n.to_string())
        .unwrap_or_else(|| "(unnamed)".to_string());
    let mut cps = Vec::new();
    if let Some(cmap) = face.tables().cmap {
        for sub in cmap.subtables {
            if !sub.is_unicode() {
                continue;
            }
            sub.codepoints(|c| {
                if sub.glyph_index(c).is_some_and(|g| g.0 != 0) {
                    cps.push(c);
                }
            });
        }
    }
    cps.sort_unstable();
    cps.dedup();
    let file = FontFile {
        file: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        family,
        weight: face.weight().to_number(),
        code_points: cps.len(),
    };
    Ok((file, cps))
}

/// A character that no font of the fact sheet can draw, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Missing {
    /// The character.
    pub ch: char,
    /// Where it comes from: a citation (`doc:para:sentence`), `summit.yaml`, or a line of the .typ.
    pub origin: String,
    /// Whether the output shows `[U+XXXX]` in its place (true for escaped values; the
    /// templates' own text cannot be rewritten and would show a box).
    pub replaced: bool,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cp = self.ch as u32;
        write!(
            f,
            "character {:?} (U+{cp:04X}) from {} is in none of the fact sheet's fonts; ",
            self.ch, self.origin
        )?;
        if self.replaced {
            write!(f, "it is printed as [U+{cp:04X}] instead of an empty box")
        } else {
            write!(f, "it would print as an empty box: change the template")
        }
    }
}

/// Every character of a value's `text` that `coverage` misses, once each, tagged with `origin`.
pub fn missing_in(coverage: &Coverage, text: &str, origin: &str, out: &mut Vec<Missing>) {
    collect(coverage, text, origin, true, out);
}

/// Like [`missing_in`], for text of the templates themselves (which is not replaced).
pub fn missing_in_template(coverage: &Coverage, text: &str, origin: &str, out: &mut Vec<Missing>) {
    collect(coverage, text, origin, false, out);
}

/// Every character of `sheet` (as readers see it) that `coverage` cannot draw, with
/// where it comes from: summit.yaml, a source's description, a fact's sentence, a note.
pub fn missing_characters(coverage: &Coverage, sheet: &FactSheet) -> Vec<Missing> {
    let mut missing = Vec::new();
    let yaml = format!("summits/{}/summit.yaml", sheet.summit.id);
    let s = &sheet.summit;
    for text in [
        Some(&s.title),
        s.title_en.as_ref(),
        s.venue.as_ref(),
        s.host.as_ref(),
    ]
    .into_iter()
    .flatten()
    .chain(&s.participants)
    .chain(&s.documents)
    {
        missing_in(coverage, text, &yaml, &mut missing);
    }
    for src in &s.sources {
        let origin = format!("{yaml} (source {})", src.doc);
        for text in [&src.title, &src.outlet].into_iter().flatten() {
            missing_in(coverage, text, &origin, &mut missing);
        }
    }
    for fact in &sheet.facts {
        missing_in_fact(coverage, fact, &mut missing);
    }
    for n in &sheet.notes {
        let origin = n
            .sentence
            .as_ref()
            .map_or_else(|| "a note".to_string(), ToString::to_string);
        missing_in(coverage, &n.message, &origin, &mut missing);
    }
    missing.sort();
    missing.dedup();
    missing
}

fn missing_in_fact(coverage: &Coverage, fact: &Fact, out: &mut Vec<Missing>) {
    let first = |cites: &[Citation]| cites.first().map(|c| c.sentence_id().to_string());
    let origin = first(&fact.sources).unwrap_or_else(|| format!("fact {}", fact.id));
    missing_in(coverage, &fact.text, &origin, out);
    for v in fact.attributes.values() {
        missing_in(coverage, &display_value(v), &origin, out);
    }
    for item in &fact.items {
        let o = first(&item.sources).unwrap_or_else(|| origin.clone());
        missing_in(coverage, &item.text, &o, out);
    }
    for c in &fact.conflicts {
        for v in &c.values {
            let o = v
                .citations
                .first()
                .map_or_else(|| origin.clone(), ToString::to_string);
            missing_in(coverage, &display_value(&v.value), &o, out);
        }
    }
}

fn collect(coverage: &Coverage, text: &str, origin: &str, replaced: bool, out: &mut Vec<Missing>) {
    for ch in text.chars() {
        if !coverage.covers(ch) && !out.iter().any(|m| m.ch == ch && m.origin == origin) {
            out.push(Missing {
                ch,
                origin: origin.to_string(),
                replaced,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_and_lookup() {
        let c = Coverage::from_ranges(&[(10, 20), (21, 30), (5, 6), (40, 40)]);
        assert_eq!(c.ranges, vec![(5, 6), (10, 30), (40, 40)]);
        assert!(c.covers(char::from_u32(40).unwrap()));
        assert!(!c.covers(char::from_u32(39).unwrap()));
        assert!(c.covers(' '), "white space needs no glyph");
        assert_eq!(c.len(), 2 + 21 + 1);
    }

    #[test]
    fn project_fonts_cover_the_corpus_characters() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let set = FontSet::load(&dir).unwrap();
        assert_eq!(
            set.families(),
            vec![
                "Noto Sans CJK SC".to_string(),
                "Noto Serif CJK SC".to_string()
            ]
        );
        for ch in "中亚峰會。，、“”《》—…¶ÄŞňҚ".chars() {
            assert!(set.coverage.covers(ch), "{ch}");
        }
        assert!(!set.coverage.covers('𠀀'));
        assert!(!set.coverage.covers('☃'));
        let mut missing = Vec::new();
        missing_in(&set.coverage, "中𠀀𠀀", "x.txt:1:1", &mut missing);
        assert_eq!(missing.len(), 1);
        assert!(missing[0].to_string().contains("U+20000"), "{}", missing[0]);
    }
}
