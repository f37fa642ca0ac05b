//! Precision, recall and F1 of a fact sheet against a hand-made gold file.
//!
//! A gold entry is found when a fact of the same field (and the same background
//! status) holds its key — compared without punctuation and spaces — in its text or
//! in its `name` or `title` attribute. Each fact can find at most one gold entry and
//! each gold entry at most one fact; the closest fits are paired first.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::consolidate::identity::squash;
use crate::error::{Error, Result};
use crate::facts::{Fact, FactSheet};

/// A gold file (`tests/gold/<summit>.yaml`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Gold {
    /// The summit it describes.
    pub summit: String,
    /// The F1 below which `factsheet eval` (and CI) fails.
    #[serde(default)]
    pub min_f1: Option<f64>,
    /// The facts a perfect extraction would give.
    pub facts: Vec<GoldFact>,
}

/// One expected fact.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GoldFact {
    /// Its field.
    pub field: String,
    /// A verbatim span that identifies it.
    pub key: String,
    /// True for facts that restate earlier events.
    #[serde(default)]
    pub background: bool,
}

/// Counts and scores for one field (or overall).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Score {
    /// Gold entries found.
    pub true_positives: usize,
    /// Facts that match no gold entry.
    pub false_positives: usize,
    /// Gold entries no fact matches.
    pub false_negatives: usize,
}

impl Score {
    /// Found / extracted (1 when nothing was extracted).
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// Found / expected (1 when nothing was expected).
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Adds another score's counts to this one.
    pub fn add(&mut self, o: &Score) {
        self.true_positives += o.true_positives;
        self.false_positives += o.false_positives;
        self.false_negatives += o.false_negatives;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// The result of an evaluation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Per field, in the order fields first appear.
    pub fields: BTreeMap<String, Score>,
    /// All fields together.
    pub overall: Score,
    /// Gold entries no fact matched.
    pub missing: Vec<GoldFact>,
    /// Facts no gold entry matched: (id, field, text, background).
    pub spurious: Vec<(String, String, String, bool)>,
}

/// Reads a gold file.
pub fn load(path: &Path) -> Result<Gold> {
    let text = crate::paths::read_utf8(path)?;
    let gold: Gold = crate::yaml::from_str(path, &text)?;
    if let Some(f) = gold.facts.iter().find(|f| comparable(&f.key).is_empty()) {
        return Err(Error::Yaml {
            path: path.to_path_buf(),
            line: crate::yaml::find_line(&text, 1, &format!("key: {}", f.key)),
            message: "a gold key must hold letters or digits".to_string(),
        });
    }
    Ok(gold)
}

/// How well a fact holds a key: the share of the matching text (fact text, name or
/// title, each already [`comparable`]) that the key covers; `None` when none holds it.
fn fit(texts: &[String], key: &str) -> Option<f64> {
    texts
        .iter()
        .filter(|t| t.contains(key))
        .map(|t| key.chars().count() as f64 / t.chars().count().max(1) as f64)
        .fold(None, |best: Option<f64>, x| {
            Some(best.map_or(x, |b| b.max(x)))
        })
}

/// The texts of `fact` a key may be found in, [`comparable`].
fn fact_texts(fact: &Fact) -> Vec<String> {
    let attr = |name: &str| fact.attributes.get(name).and_then(|v| v.as_str());
    [Some(fact.text.as_str()), attr("name"), attr("title")]
        .into_iter()
        .flatten()
        .map(comparable)
        .collect()
}

/// Converts traditional characters for comparisons (loaded once).
static SIMPLIFIER: std::sync::LazyLock<Option<crate::segment::Simplifier>> =
    std::sync::LazyLock::new(|| crate::segment::Simplifier::new().ok());

/// Text as keys are compared: without punctuation, spaces and the pinyin some sites
/// insert after characters (a key copied with or without `聯(lián)盟` finds `聯盟`),
/// in simplified characters (a key copied from a traditional source finds the same
/// words in a simplified one: the gold files key a fact in whichever source has it).
fn comparable(s: &str) -> String {
    let clean = crate::segment::without_noise_text(s);
    let simple = SIMPLIFIER
        .as_ref()
        .map_or(clean.clone(), |t| t.simplify(&clean));
    squash(&simple)
}

/// Scores `sheet` against `gold`.
///
/// Pairs are chosen best fit first, so a key that names a fact exactly is not taken
/// by a longer fact that merely contains it (`中国—中亚机制` inside
/// `中国—中亚机制常驻秘书处`).
pub fn evaluate(sheet: &FactSheet, gold: &Gold) -> Report {
    let texts: Vec<Vec<String>> = sheet.facts.iter().map(fact_texts).collect();
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (gi, g) in gold.facts.iter().enumerate() {
        let key = comparable(&g.key);
        for (fi, f) in sheet.facts.iter().enumerate() {
            if f.field == g.field
                && f.context.is_some() == g.background
                && let Some(score) = fit(&texts[fi], &key)
            {
                candidates.push((score, gi, fi));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut gold_used = vec![false; gold.facts.len()];
    let mut fact_used = vec![false; sheet.facts.len()];
    for (_, gi, fi) in candidates {
        if !gold_used[gi] && !fact_used[fi] {
            gold_used[gi] = true;
            fact_used[fi] = true;
        }
    }
    let mut report = Report::default();
    for (gi, g) in gold.facts.iter().enumerate() {
        let score = report.fields.entry(g.field.clone()).or_default();
        if gold_used[gi] {
            score.true_positives += 1;
        } else {
            score.false_negatives += 1;
            report.missing.push(g.clone());
        }
    }
    for (i, f) in sheet.facts.iter().enumerate() {
        if !fact_used[i] {
            report
                .fields
                .entry(f.field.clone())
                .or_default()
                .false_positives += 1;
            report.spurious.push((
                f.id.clone(),
                f.field.clone(),
                f.text.clone(),
                f.context.is_some(),
            ));
        }
    }
    let mut overall = Score::default();
    for s in report.fields.values() {
        overall.add(s);
    }
    report.overall = overall;
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Provenance;

    fn fact(field: &str, text: &str, background: bool) -> Fact {
        Fact {
            id: format!("{field}-{}", text.len()),
            field: field.to_string(),
            text: text.to_string(),
            attributes: Default::default(),
            items: vec![],
            context: background.then(|| "background".to_string()),
            conflicts: vec![],
            rules: vec![],
            sources: vec![],
        }
    }

    #[test]
    fn the_closest_fit_wins() {
        let mut a = fact("mechanism", "不断做大做强中国—中亚机制", false);
        a.attributes.insert("name".into(), "中国—中亚机制".into());
        let mut b = fact("mechanism", "并在中国设立常驻秘书处", false);
        b.attributes
            .insert("name".into(), "中国—中亚机制常驻秘书处".into());
        b.id = "b".into();
        let sheet = FactSheet {
            facts: vec![b, a],
            ..empty()
        };
        let gold = Gold {
            summit: "x".into(),
            min_f1: None,
            facts: vec![
                GoldFact {
                    field: "mechanism".into(),
                    key: "中国—中亚机制".into(),
                    background: false,
                },
                GoldFact {
                    field: "mechanism".into(),
                    key: "中国—中亚机制常驻秘书处".into(),
                    background: false,
                },
            ],
        };
        let r = evaluate(&sheet, &gold);
        assert_eq!(r.overall.true_positives, 2, "{:?}", r.missing);
    }

    fn empty() -> FactSheet {
        FactSheet {
            summit: serde_json::from_value(
                serde_json::json!({"id": "x", "title": "t", "date": "2022-01-01", "sources": []}),
            )
            .unwrap(),
            facts: vec![],
            notes: vec![],
            provenance: Provenance {
                tool: String::new(),
                rules_sha256: String::new(),
                sources_sha256: String::new(),
            },
        }
    }

    #[test]
    fn known_precision_and_recall() {
        let sheet = FactSheet {
            summit: serde_json::from_value(
                serde_json::json!({"id": "x", "title": "t", "date": "2022-01-01", "sources": []}),
            )
            .unwrap(),
            facts: vec![
                fact("pledge", "未来3年提供5亿美元无偿援助", false),
                fact("pledge", "提供5000个研修研讨名额", false),
                fact("pledge", "累计输气3800亿立方米", false), // spurious
                fact("mechanism", "建立对话机制", true), // background: matches only a background entry
            ],
            notes: vec![],
            provenance: Provenance {
                tool: String::new(),
                rules_sha256: String::new(),
                sources_sha256: String::new(),
            },
        };
        let entry = |field: &str, key: &str| GoldFact {
            field: field.into(),
            key: key.into(),
            background: false,
        };
        let gold = Gold {
            summit: "x".into(),
            min_f1: None,
            facts: vec![
                entry("pledge", "5亿美元无偿援助"),
                entry("pledge", "5000个研修研讨名额"),
                entry("pledge", "700亿美元"),   // missing
                entry("mechanism", "对话机制"), // wrong status
            ],
        };
        let r = evaluate(&sheet, &gold);
        let p = r.fields["pledge"];
        assert_eq!(
            (p.true_positives, p.false_positives, p.false_negatives),
            (2, 1, 1)
        );
        assert!((p.precision() - 2.0 / 3.0).abs() < 1e-9);
        assert!((p.recall() - 2.0 / 3.0).abs() < 1e-9);
        let m = r.fields["mechanism"];
        assert_eq!(
            (m.true_positives, m.false_positives, m.false_negatives),
            (0, 1, 1)
        );
        assert_eq!(r.overall.true_positives, 2);
        assert!((r.overall.precision() - 0.5).abs() < 1e-9);
        assert!((r.overall.recall() - 0.5).abs() < 1e-9);
        assert!((r.overall.f1() - 0.5).abs() < 1e-9);
        assert_eq!(r.missing.len(), 2);
        assert_eq!(r.spurious.len(), 2);
    }
}
