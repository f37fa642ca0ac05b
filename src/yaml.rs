//! The one place that parses YAML, so the archived `serde_yaml` can be swapped for a
//! maintained fork by changing this file only.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Parses `text` (the content of `path`) into `T`, reporting errors with file and line.
pub fn from_str<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    serde_yaml::from_str(text).map_err(|e| Error::Yaml {
        path: path.to_path_buf(),
        line: e.location().map(|l| l.line()),
        message: clean_message(&e.to_string()),
    })
}

/// The entries of the YAML mapping `text` whose key is text and whose value is text,
/// a number or a boolean (as written, trimmed); anything else is skipped, and a
/// document that is not a mapping has none.
pub fn scalar_entries(path: &Path, text: &str) -> Result<BTreeMap<String, String>> {
    let value: serde_yaml::Value = from_str(path, text)?;
    let mut out = BTreeMap::new();
    if let serde_yaml::Value::Mapping(map) = value {
        for (k, v) in map {
            let v = match v {
                serde_yaml::Value::String(s) => s.trim().to_string(),
                serde_yaml::Value::Number(n) => n.to_string(),
                serde_yaml::Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            if let Some(k) = k.as_str() {
                out.insert(k.to_string(), v);
            }
        }
    }
    Ok(out)
}

/// Serialises `value` as YAML.
pub fn to_string<T: Serialize>(value: &T) -> Result<String> {
    serde_yaml::to_string(value).map_err(|e| Error::Failed(format!("cannot write YAML: {e}")))
}

/// serde_yaml appends " at line X column Y" to its messages; we print the line ourselves.
fn clean_message(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The 1-based line of the first line of `text` at or after `from_line` that, once
/// trimmed, starts with `needle` (used to point at a rule's `id:` or a key).
pub fn find_line(text: &str, from_line: usize, needle: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from_line.saturating_sub(1))
        .find(|(_, l)| l.trim_start().trim_start_matches("- ").starts_with(needle))
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        a: u32,
    }

    #[test]
    fn errors_carry_the_line() {
        let err = from_str::<T>(Path::new("x.yaml"), "# c\nb: 1\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("x.yaml:2: "), "{msg}");
        assert!(msg.contains("missing field `a`"), "{msg}");
    }

    #[test]
    fn finds_lines() {
        let text = "rules:\n  - id: a\n    pattern: x\n  - id: b\n";
        assert_eq!(find_line(text, 1, "id: b"), Some(4));
        assert_eq!(find_line(text, 3, "pattern:"), Some(3));
        assert_eq!(find_line(text, 1, "id: c"), None);
    }
}
