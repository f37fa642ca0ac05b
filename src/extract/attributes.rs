//! From captures to what a fact says: normalised attributes, the clause a fact is
//! quoted from, and the parts of a split capture.

use std::ops::Range;

use serde_json::{Map, Value};

use super::{Step, Steps};
use crate::rules::{AttributeSource, AttributeSpec, Normaliser, SplitBy, normalisers};

/// Punctuation that ends a clause, for `text: clause` and `unless:`.
const CLAUSE_ENDS: &[char] = &['，', '；', '：', '。', '！', '？', ',', ';'];

/// Cuts a split capture (`text`, starting at byte `offset` of the window) into parts.
pub(crate) fn split_pieces(
    split: &crate::rules::SplitSpec,
    text: &str,
    offset: usize,
) -> Vec<Range<usize>> {
    match &split.how {
        // A part does not begin or end with the clause punctuation its regex consumed.
        SplitBy::Each(re) => re
            .find_iter(text)
            .map(|m| {
                let part = m.as_str();
                let lead = part.len() - part.trim_start_matches(CLAUSE_ENDS).len();
                let trail = part.len() - part.trim_end_matches(CLAUSE_ENDS).len();
                let end = (m.end() - trail).max(m.start() + lead);
                offset + m.start() + lead..offset + end
            })
            .collect(),
        SplitBy::Separators { on, part, drop } => {
            let mut raw = Vec::new();
            let mut start = 0;
            for sep in on.find_iter(text) {
                raw.push(start..sep.start());
                start = sep.end();
            }
            raw.push(start..text.len());
            // A piece that is not a part on its own is the start of the next one.
            let mut out: Vec<Range<usize>> = Vec::new();
            let mut pending: Option<usize> = None;
            for r in raw {
                let from = pending.unwrap_or(r.start);
                if part.is_match(&text[from..r.end]) {
                    out.push(from..r.end);
                    pending = None;
                } else if drop.as_ref().is_some_and(|d| d.is_match(&text[r.clone()])) {
                    pending = None;
                } else {
                    pending = Some(from);
                }
            }
            if pending.is_some()
                && let Some(last) = out.last_mut()
            {
                last.end = text.len();
            }
            out.into_iter()
                .map(|r| offset + r.start..offset + r.end)
                .collect()
        }
    }
}

/// The clause(s) around `range`: from after the previous clause punctuation to
/// before the next.
pub(crate) fn clause_range(text: &str, range: Range<usize>) -> Range<usize> {
    // Punctuation a pattern consumed at either end does not move the clause.
    let inner = &text[range.clone()];
    let lead = inner.len() - inner.trim_start_matches(CLAUSE_ENDS).len();
    let trail = inner.len() - inner.trim_end_matches(CLAUSE_ENDS).len();
    let range = if lead + trail < inner.len() {
        range.start + lead..range.end - trail
    } else {
        range
    };
    let start = text[..range.start]
        .char_indices()
        .rev()
        .find(|(_, c)| CLAUSE_ENDS.contains(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[range.end..]
        .char_indices()
        .find(|(_, c)| CLAUSE_ENDS.contains(c))
        .map_or(text.len(), |(i, _)| range.end + i);
    start..end.max(range.end)
}

/// Runs one normaliser; the `text` key of its output (and `text`/`list` results)
/// use the original characters.
pub(crate) fn normalise(
    normaliser: Normaliser,
    matched: &str,
    original: &str,
) -> Result<Value, String> {
    match normaliser {
        Normaliser::Text | Normaliser::List => {
            normalisers::apply(normaliser, original).map_err(|e| e.to_string())
        }
        _ => {
            let mut v = normalisers::apply(normaliser, matched).map_err(|e| e.to_string())?;
            if let Value::Object(o) = &mut v
                && o.contains_key("text")
            {
                o.insert("text".to_string(), Value::from(original.trim()));
            }
            Ok(v)
        }
    }
}

/// Fills `attributes` from `specs`, reading captures through `get` (which gives the
/// matched and original text of a capture that took part in the match).
pub(crate) fn make_attributes(
    specs: &[AttributeSpec],
    get: &dyn Fn(&str) -> Option<(String, String)>,
    attributes: &mut Map<String, Value>,
    steps: &mut Steps,
) -> Result<(), String> {
    for spec in specs {
        let value = match &spec.source {
            AttributeSource::Constant(v) => Some((v.clone(), "constant", String::new())),
            AttributeSource::Capture {
                capture,
                normaliser,
            } => match get(capture) {
                Some((matched, original)) if !original.trim().is_empty() => {
                    let v = normalise(*normaliser, &matched, &original)
                        .map_err(|e| format!("attribute `{}`: {e}", spec.name))?;
                    Some((v, normaliser.name(), original))
                }
                _ => None,
            },
            AttributeSource::Map { capture, table } => match get(capture) {
                Some((matched, original)) => table
                    .iter()
                    .find(|(k, _)| matched.contains(k.as_str()) || original.contains(k.as_str()))
                    .map(|(_, v)| (v.clone(), "map", original)),
                None => None,
            },
        };
        match (value, &spec.default) {
            (Some((v, normaliser, input)), _) => {
                steps.record(|| Step {
                    attribute: spec.name.clone(),
                    normaliser: normaliser.to_string(),
                    input,
                    output: v.clone(),
                });
                attributes.insert(spec.name.clone(), v);
            }
            (None, Some(d)) => {
                steps.record(|| Step {
                    attribute: spec.name.clone(),
                    normaliser: "default".to_string(),
                    input: String::new(),
                    output: d.clone(),
                });
                attributes.insert(spec.name.clone(), d.clone());
            }
            (None, None) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses() {
        let t = "我愿宣布，未来3年中国将提供5亿美元无偿援助，用于建设；提供5000个名额。";
        let m = t.find("5亿").unwrap()..t.find("无偿").unwrap();
        assert_eq!(&t[clause_range(t, m)], "未来3年中国将提供5亿美元无偿援助");
        let m = t.find("提供5000").unwrap()..t.find("名额").unwrap();
        assert_eq!(&t[clause_range(t, m)], "提供5000个名额");
        // A separator the pattern consumed does not pull in the neighbouring clause.
        let m = t.find("；提供").unwrap()..t.find("名额").unwrap();
        assert_eq!(&t[clause_range(t, m)], "提供5000个名额");
        let m = t.find("未来").unwrap()..t.find("，用于").unwrap() + "，".len();
        assert_eq!(&t[clause_range(t, m)], "未来3年中国将提供5亿美元无偿援助");
    }
}
