//! Running the examples of every rule (`factsheet check`): each rule must match its
//! positive examples with the stated attributes and must not match its negative ones.
//!
//! The examples are little documents run through normalise, segment and extract as a
//! source would be, which is why this lives above those stages and not in `rules`.

use serde_json::{Map, Value};

use crate::extract;
use crate::rules::schema::ExampleYaml;
use crate::rules::{Background, ListRule, Rule, RuleSet};
use crate::segment::{Document, Simplifier};
use crate::summit::SourceFormat;

/// The outcome of one rule's examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleReport {
    /// Rule id (or `background`).
    pub id: String,
    /// `file:line` of the rule.
    pub location: String,
    /// Number of examples run.
    pub examples: usize,
    /// One message per failing example (or missing kind of example).
    pub failures: Vec<String>,
}

/// Runs every example of every rule.
pub fn run_examples(rules: &RuleSet, simplifier: &Simplifier) -> Vec<RuleReport> {
    let mut out = Vec::new();
    for r in &rules.rules {
        out.push(check_rule(r, simplifier));
    }
    for l in &rules.lists {
        out.push(check_list(l, simplifier));
    }
    if let Some(file) = &rules.background.file {
        out.push(check_background(&rules.background, file));
    }
    out
}

/// A throw-away document made of `text` (one paragraph per line), as a source would be.
pub fn document_of(text: &str, simplifier: &Simplifier) -> Document {
    crate::pipeline::document_from_text("example", text, SourceFormat::Text, simplifier)
        .expect("an in-memory example always normalises")
}

fn location(file: &std::path::Path, line: usize) -> String {
    format!("{}:{line}", file.display())
}

fn example_at(lines: &[Option<usize>], k: usize) -> String {
    match lines.get(k).copied().flatten() {
        Some(l) => format!("example {} (line {l})", k + 1),
        None => format!("example {}", k + 1),
    }
}

fn check_rule(rule: &Rule, simplifier: &Simplifier) -> RuleReport {
    let mut failures = Vec::new();
    for (k, ex) in rule.examples.iter().enumerate() {
        let at = example_at(&rule.example_lines, k);
        let doc = document_of(&ex.sentence, simplifier);
        let found = extract::apply_rule(rule, &doc);
        for n in &found.notes {
            failures.push(format!("{at}: {}", n.message));
        }
        let matches = &found.matches;
        if !ex.matches {
            if let Some(m) = matches.first() {
                failures.push(format!("{at}: must not match, but matched {:?}", m.text));
            }
            continue;
        }
        if matches.is_empty() {
            failures.push(format!("{at}: does not match {:?}", ex.sentence));
            continue;
        }
        check_matches(rule, ex, &found.matches, &at, &mut failures);
    }
    need_both_kinds(rule.examples.iter().map(|e| e.matches), &mut failures);
    RuleReport {
        id: rule.id.clone(),
        location: location(&rule.file, rule.line),
        examples: rule.examples.len(),
        failures,
    }
}

/// What a matching example says of the matches it gave: their attributes, each
/// fact's attributes, the items.
fn check_matches(
    rule: &Rule,
    ex: &ExampleYaml,
    matches: &[extract::Match],
    at: &str,
    failures: &mut Vec<String>,
) {
    let differs = |want: &Map<String, Value>, m: &extract::Match| {
        subset(
            &Value::Object(want.clone()),
            &Value::Object(m.attributes.clone()),
            "",
        )
        .err()
    };
    if let Some(e) = ex.attributes.as_ref().and_then(|w| differs(w, &matches[0])) {
        failures.push(format!("{at}: {e}"));
    }
    if let Some(facts) = &ex.facts {
        if facts.len() != matches.len() {
            failures.push(format!(
                "{at}: expected {} facts, found {}",
                facts.len(),
                matches.len()
            ));
        }
        for (i, (want, m)) in facts.iter().zip(matches).enumerate() {
            if let Some(e) = differs(want, m) {
                failures.push(format!("{at}, fact {}: {e}", i + 1));
            }
        }
    }
    if let Some(items) = &ex.items {
        let got: Vec<String> = if rule.each_item {
            matches.iter().map(|m| m.text.clone()).collect()
        } else {
            matches[0].items.iter().map(|i| i.text.clone()).collect()
        };
        if &got != items {
            failures.push(format!("{at}: items {got:?}, expected {items:?}"));
        }
    }
}

fn check_list(rule: &ListRule, simplifier: &Simplifier) -> RuleReport {
    let mut failures = Vec::new();
    for (k, ex) in rule.examples.iter().enumerate() {
        let at = example_at(&rule.example_lines, k);
        let doc = document_of(&ex.text, simplifier);
        let found = extract::apply_list(rule, &doc);
        let titles: Vec<String> = if rule.each_item {
            found.matches.iter().map(|m| m.text.clone()).collect()
        } else {
            found
                .matches
                .iter()
                .flat_map(|m| m.items.iter().map(|i| i.text.clone()))
                .collect()
        };
        if !ex.matches {
            if !found.matches.is_empty() {
                failures.push(format!("{at}: must find no list, but found {titles:?}"));
            }
            continue;
        }
        if titles != ex.items {
            failures.push(format!("{at}: items {titles:?}, expected {:?}", ex.items));
        }
        for n in &found.notes {
            failures.push(format!("{at}: {}", n.message));
        }
        if let Some(want) = &ex.measures {
            let got: Vec<usize> = found.matches.iter().map(|m| m.items.len()).collect();
            if &got != want {
                failures.push(format!(
                    "{at}: measures per item {got:?}, expected {want:?}"
                ));
            }
        }
    }
    need_both_kinds(rule.examples.iter().map(|e| e.matches), &mut failures);
    RuleReport {
        id: rule.id.clone(),
        location: location(&rule.file, rule.line),
        examples: rule.examples.len(),
        failures,
    }
}

fn check_background(bg: &Background, file: &std::path::Path) -> RuleReport {
    let mut failures = Vec::new();
    for (k, ex) in bg.examples.iter().enumerate() {
        let at = example_at(&bg.example_lines, k);
        let got = bg.cue(&ex.sentence, &ex.summit_date).is_some();
        if got != ex.background {
            failures.push(format!(
                "{at}: {:?} should {}be background",
                ex.sentence,
                if ex.background { "" } else { "not " }
            ));
        }
    }
    need_both_kinds(bg.examples.iter().map(|e| e.background), &mut failures);
    RuleReport {
        id: "background".to_string(),
        location: location(
            file,
            bg.example_lines.first().copied().flatten().unwrap_or(1),
        ),
        examples: bg.examples.len(),
        failures,
    }
}

/// Every rule needs at least one example that matches and one that must not.
fn need_both_kinds(kinds: impl Iterator<Item = bool>, failures: &mut Vec<String>) {
    let (mut pos, mut neg) = (0, 0);
    for k in kinds {
        if k { pos += 1 } else { neg += 1 }
    }
    if pos == 0 {
        failures.push("needs at least one example that matches".to_string());
    }
    if neg == 0 {
        failures.push("needs at least one example with `match: false`".to_string());
    }
}

/// Checks that `want` is contained in `got`: every key of an object, equal scalars
/// and arrays. `path` names where we are, for the message.
pub fn subset(want: &Value, got: &Value, path: &str) -> Result<(), String> {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match g.get(k) {
                    Some(gv) => subset(wv, gv, &p)?,
                    None => return Err(format!("{p} is missing (have: {})", keys(g))),
                }
            }
            Ok(())
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => Ok(()),
        _ if want == got => Ok(()),
        _ => Err(format!(
            "{} is {got}, expected {want}",
            if path.is_empty() { "value" } else { path }
        )),
    }
}

fn keys(m: &Map<String, Value>) -> String {
    m.keys().cloned().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_checks() {
        assert!(subset(&json!({"a": 1}), &json!({"a": 1, "b": 2}), "").is_ok());
        assert!(
            subset(
                &json!({"a": {"v": 5}}),
                &json!({"a": {"v": 5, "t": "x"}}),
                ""
            )
            .is_ok()
        );
        let e = subset(&json!({"a": {"v": 5}}), &json!({"a": {"v": 6}}), "").unwrap_err();
        assert_eq!(e, "a.v is 6, expected 5");
        assert!(
            subset(&json!({"z": 1}), &json!({"a": 1}), "")
                .unwrap_err()
                .contains("z is missing")
        );
        assert!(subset(&json!(1), &json!(1.0), "").is_ok());
    }
}
