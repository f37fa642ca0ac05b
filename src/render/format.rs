//! How values are written on the fact sheet: amounts as written and normalised,
//! time frames, frequencies, dates and labels, in Chinese and English.

use serde::Serialize;
use serde_json::{Map, Value};

/// A value as the source writes it and as `factsheet` normalised it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shown {
    /// As written in the source (`260亿元人民币`), or the normalised form when no text was kept.
    pub written: String,
    /// Normalised (`CNY 26,000,000,000`), when there is something to add.
    pub normalised: Option<String>,
    /// Both together: `260亿元人民币 (CNY 26,000,000,000)`.
    pub display: String,
}

/// An attribute value as one line of text.
pub fn display_value(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Value::Number(_) => number(v).unwrap_or_else(|| v.to_string()),
        Value::String(s) => s.trim().to_string(),
        Value::Array(a) => a
            .iter()
            .map(display_value)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("、"),
        Value::Object(_) => shown(v).display,
    }
}

/// An attribute value split into "as written" and "normalised".
pub fn shown(v: &Value) -> Shown {
    let Value::Object(m) = v else {
        let s = display_value(v);
        return Shown {
            written: s.clone(),
            normalised: None,
            display: s,
        };
    };
    let text = m
        .get("text")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty());
    // "7" next to "7份" tells the reader nothing: keep only normalisations that add something.
    let squeeze = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != ',' && !c.is_whitespace())
            .collect()
    };
    let normalised = normalise(m).filter(|n| match text {
        Some(t) => !squeeze(t).contains(&squeeze(n)),
        None => true,
    });
    let written = text
        .map(str::to_string)
        .or_else(|| normalised.clone())
        .unwrap_or_default();
    let display = match (&normalised, text) {
        (Some(n), Some(t)) => format!("{t} ({n})"),
        _ => written.clone(),
    };
    Shown {
        written,
        normalised: if text.is_some() { normalised } else { None },
        display,
    }
}

/// The English, normalised reading of an amount, period or frequency object.
fn normalise(m: &Map<String, Value>) -> Option<String> {
    let qualifier = m.get("bound").and_then(Value::as_str).map(bound_en);
    let with_q = |s: String| match &qualifier {
        Some(q) => format!("{q} {s}"),
        None => s,
    };
    if let Some(value) = m.get("value").filter(|v| v.is_number()) {
        let n = number(value)?;
        let s = match m.get("unit").and_then(Value::as_str) {
            Some(u) if u.len() == 3 && u.chars().all(|c| c.is_ascii_uppercase()) => {
                format!("{u} {n}")
            }
            Some(u) if !u.is_empty() => format!("{n} {u}"),
            _ => n,
        };
        return Some(with_q(s));
    }
    if let Some(every) = m.get("every") {
        let per = m.get("per").and_then(Value::as_str).unwrap_or("time");
        return Some(match every.as_u64() {
            Some(1) => format!("every {per}"),
            _ => format!("every {} {per}s", display_value(every)),
        });
    }
    let years = m.get("years").map(|y| match y {
        Value::Array(a) => a.iter().map(plain).collect::<Vec<_>>().join("–"),
        Value::Object(r) if r.contains_key("min") || r.contains_key("max") => {
            let end = |k: &str| r.get(k).map(plain).unwrap_or_else(|| "?".to_string());
            format!("{}–{}", end("min"), end("max"))
        }
        other => plain(other),
    });
    // Years are not amounts: 2030, not 2,030.
    let year = m.get("year").map(plain);
    let kind = m.get("kind").and_then(Value::as_str);
    let s = match (kind, years, year) {
        (Some(k), Some(y), _) => format!("{k} {y} {}", plural_years(&y)),
        (None, Some(y), _) => format!("{y} {}", plural_years(&y)),
        (Some(k), None, Some(y)) => format!("{k} {y}"),
        (None, None, Some(y)) => y,
        _ => {
            // Unknown shape: name=value pairs, so nothing the rules produced is hidden.
            let pairs: Vec<String> = m
                .iter()
                .filter(|(k, _)| k.as_str() != "text")
                .map(|(k, v)| format!("{k}: {}", display_value(v)))
                .collect();
            if pairs.is_empty() {
                return None;
            }
            return Some(pairs.join(", "));
        }
    };
    Some(with_q(s))
}

fn plural_years(y: &str) -> &'static str {
    if y == "1" { "year" } else { "years" }
}

/// The English of a number's `bound` (what the `number` normaliser writes for 多,
/// 近, 约…).
fn bound_en(bound: &str) -> String {
    match bound {
        "at_least" => "over".to_string(),
        "at_most" => "nearly".to_string(),
        "about" => "about".to_string(),
        other => other.replace('_', " "),
    }
}

/// A value without thousands separators (years, counts of years).
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => display_value(other),
    }
}

/// A JSON number with thousands separators (`26,000,000,000`, `1.5`).
fn number(v: &Value) -> Option<String> {
    if let Some(i) = v.as_i64() {
        return Some(group(&i.unsigned_abs().to_string(), i < 0));
    }
    if let Some(u) = v.as_u64() {
        return Some(group(&u.to_string(), false));
    }
    let f = v.as_f64()?;
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return Some(group(&format!("{:.0}", f.abs()), f < 0.0));
    }
    let s = format!("{:.4}", f.abs());
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut out = group(int, f < 0.0);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

fn group(digits: &str, negative: bool) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if negative {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether two document titles name the same document (ignoring 《》 and spaces).
pub fn same_title(a: &str, b: &str) -> bool {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '《' | '》' | '<' | '>') && !c.is_whitespace())
            .collect()
    };
    key(a) == key(b)
}

/// `2023年5月18日至19日` from `2023-05-18` and an optional last day.
pub fn dates_zh(start: &str, end: Option<&str>) -> String {
    let Some((y, m, d)) = ymd(start) else {
        return start.to_string();
    };
    match end.and_then(ymd) {
        Some((y2, m2, d2)) if (y2, m2, d2) == (y, m, d) => format!("{y}年{m}月{d}日"),
        Some((y2, m2, d2)) if y2 == y && m2 == m => format!("{y}年{m}月{d}日至{d2}日"),
        Some((y2, m2, d2)) if y2 == y => format!("{y}年{m}月{d}日至{m2}月{d2}日"),
        Some((y2, m2, d2)) => format!("{y}年{m}月{d}日至{y2}年{m2}月{d2}日"),
        None => format!("{y}年{m}月{d}日"),
    }
}

/// `18–19 May 2023` from `2023-05-18` and an optional last day.
pub fn dates_en(start: &str, end: Option<&str>) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let Some((y, m, d)) = ymd(start) else {
        return start.to_string();
    };
    let month = |m: u32| MONTHS[(m as usize).clamp(1, 12) - 1];
    match end.and_then(ymd) {
        Some((y2, m2, d2)) if (y2, m2, d2) == (y, m, d) => format!("{d} {} {y}", month(m)),
        Some((y2, m2, d2)) if y2 == y && m2 == m => format!("{d}–{d2} {} {y}", month(m)),
        Some((y2, m2, d2)) if y2 == y => format!("{d} {} – {d2} {} {y}", month(m), month(m2)),
        Some((y2, m2, d2)) => format!("{d} {} {y} – {d2} {} {y2}", month(m), month(m2)),
        None => format!("{d} {} {y}", month(m)),
    }
}

fn ymd(date: &str) -> Option<(u32, u32, u32)> {
    crate::summit::check_date(date).ok()?;
    Some((
        date[0..4].parse().ok()?,
        date[5..7].parse().ok()?,
        date[8..10].parse().ok()?,
    ))
}

/// Chinese and English names of a meeting format.
pub fn meeting_format(code: &str) -> (String, String) {
    let (zh, en) = match code {
        "in-person" => ("线下举行", "in person"),
        "video" => ("视频连线", "by video link"),
        "hybrid" => ("线上线下结合", "hybrid"),
        other => (other, other),
    };
    (zh.to_string(), en.to_string())
}

/// The Chinese name of a source kind.
pub fn source_kind_zh(kind: &str) -> String {
    match kind {
        "speech" => "讲话",
        "interview" => "采访",
        "report" => "报道",
        "preview" => "前瞻",
        other => other,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_periods_frequencies() {
        let a = shown(&json!({"value": 26000000000u64, "unit": "CNY", "text": "260亿元人民币"}));
        assert_eq!(a.written, "260亿元人民币");
        assert_eq!(a.normalised.as_deref(), Some("CNY 26,000,000,000"));
        assert_eq!(a.display, "260亿元人民币 (CNY 26,000,000,000)");
        let q = shown(
            &json!({"value": 13600000, "unit": "km²", "bound": "at_least", "text": "1360多万平方公里"}),
        );
        assert_eq!(q.normalised.as_deref(), Some("over 13,600,000 km²"));
        let q = shown(&json!({"value": 1, "bound": "about", "text": "约1"}));
        assert_eq!(q.normalised.as_deref(), Some("about 1"));
        let p = shown(&json!({"kind": "within", "years": 3, "text": "未来3年"}));
        assert_eq!(p.display, "未来3年 (within 3 years)");
        let p = shown(&json!({"kind": "by", "year": 2030, "text": "到2030年"}));
        assert_eq!(p.normalised.as_deref(), Some("by 2030"));
        let p = shown(
            &json!({"kind": "within", "years": {"min": 5, "max": 10}, "text": "未来5至10年"}),
        );
        assert_eq!(p.normalised.as_deref(), Some("within 5–10 years"));
        let b = shown(
            &json!({"value": 3300, "bound": "at_least", "unit": "公里", "text": "3300多公里"}),
        );
        assert_eq!(b.normalised.as_deref(), Some("over 3,300 公里"));
        let same = shown(&json!({"value": 1200, "unit": "个", "text": "1200个"}));
        assert_eq!(same.normalised, None);
        let f = shown(&json!({"every": 2, "per": "year", "text": "每两年举办一次"}));
        assert_eq!(f.normalised.as_deref(), Some("every 2 years"));
        let seven = shown(&json!({"value": 7, "text": "7份"}));
        assert_eq!((seven.display.as_str(), seven.normalised), ("7份", None));
        let n = shown(&json!({"value": 1.5, "unit": "t"}));
        assert_eq!((n.written.as_str(), n.normalised), ("1.5 t", None));
        assert_eq!(display_value(&json!(["a", "b"])), "a、b");
        assert_eq!(display_value(&json!({"odd": true})), "odd: yes");
    }

    #[test]
    fn dates() {
        assert_eq!(
            dates_zh("2023-05-18", Some("2023-05-19")),
            "2023年5月18日至19日"
        );
        assert_eq!(dates_en("2023-05-18", Some("2023-05-19")), "18–19 May 2023");
        assert_eq!(dates_zh("2022-01-25", None), "2022年1月25日");
        assert_eq!(
            dates_en("2023-05-31", Some("2023-06-01")),
            "31 May – 1 June 2023"
        );
    }

    #[test]
    fn titles() {
        assert!(same_title(
            "《中国—中亚峰会西安宣言》",
            "中国—中亚峰会西安宣言"
        ));
        assert!(!same_title("《西安宣言》", "《中国—中亚峰会西安宣言》"));
    }
}
