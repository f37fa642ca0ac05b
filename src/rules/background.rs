//! Background cues (`rules/background.yaml`): what marks a sentence as narrating an
//! earlier event rather than this summit.

use std::path::PathBuf;

use regex::Regex;

use super::schema;

/// Background cues.
#[derive(Debug, Clone, Default)]
pub struct Background {
    /// Each cue; captures `year`, `month`, `day` make it a date compared with the summit's.
    pub cues: Vec<Regex>,
    /// Words after which a dated cue dates a statistic (`截至`), anchored at the end.
    pub as_of: Option<Regex>,
    /// The examples, as written.
    pub examples: Vec<schema::BackgroundExample>,
    /// The line of each example.
    pub example_lines: Vec<Option<usize>>,
    /// Defining file, if any.
    pub file: Option<PathBuf>,
}

impl Background {
    /// The cue that makes `sentence` background for a summit starting on
    /// `summit_date`, if any: a dated cue counts only when its date is earlier.
    pub fn cue(&self, sentence: &str, summit_date: &str) -> Option<String> {
        let (sy, sm, sd) = parse_ymd(summit_date)?;
        for re in &self.cues {
            for c in re.captures_iter(sentence) {
                let whole = c.get(0)?.as_str().to_string();
                let Some(y) = c.name("year").and_then(|m| m.as_str().parse::<i32>().ok()) else {
                    return Some(whole);
                };
                let before = &sentence[..c.get(0)?.start()];
                if self.as_of.as_ref().is_some_and(|re| re.is_match(before)) {
                    continue;
                }
                let m = c.name("month").and_then(|m| m.as_str().parse::<u32>().ok());
                let d = c.name("day").and_then(|m| m.as_str().parse::<u32>().ok());
                let earlier = match (m, d) {
                    (Some(m), Some(d)) => (y, m, d) < (sy, sm, sd),
                    (Some(m), None) => (y, m) < (sy, sm),
                    _ => y < sy,
                };
                if earlier {
                    return Some(whole);
                }
            }
        }
        None
    }
}

fn parse_ymd(date: &str) -> Option<(i32, u32, u32)> {
    crate::summit::check_date(date).ok()?;
    Some((
        date[0..4].parse().ok()?,
        date[5..7].parse().ok()?,
        date[8..10].parse().ok()?,
    ))
}
