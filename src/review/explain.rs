//! `factsheet explain`: everything that made one fact — its sentences with the
//! matched part marked, the rules and captures, each normalisation step, and the
//! merge decisions.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::consolidate::Group;
use crate::error::{Error, Result};
use crate::extract::Match;
use crate::facts::{Fact, SentenceId};
use crate::pipeline::Analysis;
use crate::rules::RuleSet;
use crate::segment::Sentence;
use crate::summit::SourceFormat;

/// How the matched part of a sentence is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marking {
    /// ANSI bold yellow, for terminals.
    Colour,
    /// `«…»`, for files and pipes.
    Brackets,
}

/// Finds the fact whose id is `wanted` or starts with it (or whose hash part does).
pub fn find<'a>(analysis: &'a Analysis, wanted: &str) -> Result<(&'a Fact, &'a Group)> {
    let facts = &analysis.sheet.facts;
    let hits: Vec<usize> = (0..facts.len())
        .filter(|&i| {
            let id = &facts[i].id;
            id.starts_with(wanted)
                || id
                    .split_once('-')
                    .is_some_and(|(_, h)| h.starts_with(wanted))
        })
        .collect();
    match hits.as_slice() {
        [i] => Ok((&facts[*i], &analysis.groups[*i])),
        [] => Err(Error::Usage(format!(
            "no fact with an id starting with {wanted:?}; list them with `factsheet extract <summit> --format yaml`"
        ))),
        many => Err(Error::Usage(format!(
            "{wanted:?} is ambiguous: {}",
            many.iter()
                .map(|&i| facts[i].id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The explanation of `fact` as text.
pub fn explain(
    analysis: &Analysis,
    rules: &RuleSet,
    fact: &Fact,
    group: &Group,
    marking: Marking,
) -> String {
    let texts = Texts {
        sentences: analysis
            .docs
            .iter()
            .flat_map(|d| d.sentences.iter())
            .map(|s| (s.id(), s))
            .collect(),
        // A PDF's or Word file's spans index the text extracted from it.
        extracted: analysis
            .docs
            .iter()
            .filter(|d| matches!(d.format, SourceFormat::Pdf | SourceFormat::Docx))
            .map(|d| d.name())
            .collect(),
    };
    let mut o = describe(fact);
    let _ = writeln!(
        o,
        "\n{} match(es) merged into this fact (the first gives the wording):",
        group.members.len()
    );
    for (n, m) in group.members.iter().enumerate() {
        let _ = writeln!(
            o,
            "\n[{}] rule {}  ({})  source kind: {}",
            n + 1,
            m.rule,
            location(rules, &m.rule),
            m.kind
        );
        o.push_str(&match_details(m, &texts, marking));
    }
    if !group.decisions.is_empty() {
        let _ = writeln!(o, "\nmerge decisions:");
        for d in &group.decisions {
            let _ = writeln!(o, "  - {d}");
        }
    }
    o
}

/// The fact itself: id, field, text, context, attributes, items, conflicts.
fn describe(fact: &Fact) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}  [{}]  {}", fact.id, fact.field, fact.text);
    if let Some(c) = &fact.context {
        let _ = writeln!(o, "  context: {c}");
    }
    for (k, v) in &fact.attributes {
        let _ = writeln!(o, "  {k}: {}", compact(v));
    }
    for i in &fact.items {
        let _ = writeln!(o, "  item: {}", i.text);
    }
    for c in &fact.conflicts {
        let _ = writeln!(o, "  CONFLICT on {}:", c.attribute);
        for v in &c.values {
            let cites: Vec<String> = v.citations.iter().map(ToString::to_string).collect();
            let _ = writeln!(o, "    {}  ← {}", compact(&v.value), cites.join(", "));
        }
    }
    o
}

/// `file:line` of the sentence or list rule `id`.
fn location(rules: &RuleSet, id: &str) -> String {
    rules
        .rule(id)
        .map(|r| format!("{}:{}", r.file.display(), r.line))
        .or_else(|| {
            rules
                .lists
                .iter()
                .find(|l| l.id == id)
                .map(|l| format!("{}:{}", l.file.display(), l.line))
        })
        .unwrap_or_default()
}

/// The sources' sentences, and which sources are PDF or Word files.
struct Texts<'a> {
    sentences: BTreeMap<SentenceId, &'a Sentence>,
    extracted: BTreeSet<&'a str>,
}

/// One match: its sentences with the matched part marked, its list, captures,
/// normalisation steps and whether it is background.
fn match_details(m: &Match, texts: &Texts, marking: Marking) -> String {
    let mut o = String::new();
    for (c, h) in m.citations.iter().zip(&m.highlights) {
        let page = c.page.map(|p| format!(", page {p}")).unwrap_or_default();
        let of = if texts.extracted.contains(&*c.doc) {
            "text extracted from it"
        } else {
            "original file"
        };
        let _ = writeln!(
            o,
            "    {} ¶{} sentence {}{page}, bytes {}–{} of the {of}",
            c.doc, c.para, c.sentence, c.start, c.end
        );
        let text = texts
            .sentences
            .get(&h.sentence)
            .map(|s| &*s.text)
            .unwrap_or(&c.quote);
        let _ = writeln!(o, "    {}", marked(text, h.start, h.end, marking));
    }
    if let Some(l) = &m.list {
        let announced = l.announced.map(|a| format!(" (announced: {a})"));
        let header = l.header.as_ref().map(|h| format!(", header {h}"));
        let _ = writeln!(
            o,
            "    list {}: item {} of {}{}{}",
            l.rule,
            l.position,
            l.size,
            announced.unwrap_or_default(),
            header.unwrap_or_default()
        );
    }
    if !m.captures.is_empty() {
        let caps: Vec<String> = m
            .captures
            .iter()
            .map(|c| format!("{}={}", c.name, c.text))
            .collect();
        let _ = writeln!(o, "    captures: {}", caps.join("  "));
    }
    for s in &m.steps {
        let input = if s.input.is_empty() {
            String::new()
        } else {
            format!("{:?} → ", s.input)
        };
        let output = compact(&s.output).replace('\n', " ");
        let _ = writeln!(o, "    {}: {}({input}{output})", s.attribute, s.normaliser);
    }
    let background = m.background.as_deref().unwrap_or("no");
    let _ = writeln!(o, "    background: {background}");
    o
}

fn compact(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// `text` with `start..end` marked (offsets clamped to character boundaries).
pub fn marked(text: &str, start: usize, end: usize, marking: Marking) -> String {
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (a, b) = (fix(start), fix(end.max(start)));
    let (open, close) = match marking {
        Marking::Colour => ("\x1b[1;33m", "\x1b[0m"),
        Marking::Brackets => ("«", "»"),
    };
    format!("{}{open}{}{close}{}", &text[..a], &text[a..b], &text[b..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marking() {
        assert_eq!(
            marked("未来3年提供5亿美元", 10, 16, Marking::Brackets),
            "未来3年«提供»5亿美元"
        );
        assert_eq!(marked("ab", 1, 2, Marking::Colour), "a\x1b[1;33mb\x1b[0m");
        assert_eq!(marked("中文", 1, 4, Marking::Brackets), "«中»文");
    }
}
