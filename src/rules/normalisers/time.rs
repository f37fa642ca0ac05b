//! Time: the `year`, `period` and `frequency` normalisers, and [`read_year`], which
//! reads a four-digit year (`2030年`, `二〇三〇年`). A period is anchored on a year
//! (`到2030年`, `明年起`) or is a duration (`未来3年`); a frequency is an interval and
//! how often in it (`每两年举办一次`).

use serde_json::{Value, json};

use super::amount::parse_amount;
use super::number::{cn_digit, is_numeral, parse_number, small_unit};
use super::{Object, Res, finish, strip_any, strip_any_suffix, strip_longest};

const WITHIN_PREFIXES: &str = "未来 今后 此后 接下来";
const WITHIN_SUFFIXES: &str = "以内 之内 期间 时间 内 里 中 间";
const BY_PREFIXES: &str = "到 至 截至 截止到 截止 直到 直至";
const FROM_PREFIXES: &str = "从 自 由";
const RELATIVE_YEARS: &[(i64, &str)] = &[
    (0, "今年 本年"),
    (1, "明年"),
    (2, "后年"),
    (-1, "去年"),
    (-2, "前年"),
];

/// A four-digit year at the start of `s` (`2030`, `2030年`, `二〇三〇年`) and what follows it.
pub fn read_year(s: &str) -> Option<(i64, &str)> {
    let is_year_digit = |c: char| c.is_ascii_digit() || (c != '两' && cn_digit(c).is_some());
    let end = s.find(|c| !is_year_digit(c)).unwrap_or(s.len());
    let head = &s[..end];
    let ascii = head.chars().filter(char::is_ascii_digit).count();
    if head.chars().count() != 4 || (ascii != 0 && ascii != 4) {
        return None;
    }
    let value = parse_number(head)?
        .as_i64()
        .filter(|y| (1000..=9999).contains(y))?;
    let rest = &s[end..];
    Some((value, rest.strip_prefix('年').unwrap_or(rest)))
}

pub(super) fn year(text: &str) -> Res<Value> {
    match read_year(text) {
        Some((value, "")) => Ok(json!({"value": value, "text": text})),
        _ => Err("not a four-digit year".to_owned()),
    }
}

/// `{"kind", "year" | "relative_year"}` for `到2030年`, `2030年前`, `2025年起`, `2022年`, `明年`.
fn anchored(s: &str) -> Option<Object> {
    let (pre, s) = match (strip_any(s, BY_PREFIXES), strip_any(s, FROM_PREFIXES)) {
        (Some(r), _) => (Some("by"), r),
        (None, Some(r)) => (Some("from"), r),
        (None, None) => (None, s),
    };
    let (key, value, rest) = match strip_longest(s, RELATIVE_YEARS) {
        Some((offset, rest)) => ("relative_year", offset, rest),
        None => read_year(s).map(|(y, rest)| ("year", y, rest))?,
    };
    let rest = strip_any(rest, "年底 年末 底 末").unwrap_or(rest);
    let kind = match rest {
        "" => pre.unwrap_or("in"),
        "前" | "以前" | "之前" if pre != Some("from") => "by",
        "起" | "开始" | "以来" if pre != Some("by") => "from",
        "内" | "中" | "里" | "期间" if pre.is_none() => "in",
        _ => return None,
    };
    Some(Object::from_iter([
        ("kind".into(), kind.into()),
        (key.into(), value.into()),
    ]))
}

/// `{"kind": "within", "years" | "months", "bound"?}` for `3年`, `5至10年`, `6个月` (+ 内, 里…).
fn duration(s: &str) -> Res<Object> {
    let parsed = parse_amount(strip_any_suffix(s, WITHIN_SUFFIXES).unwrap_or(s), false);
    for r in &parsed.readings {
        let key = match r.rest {
            "年" => "years",
            "个月" => "months",
            _ => continue,
        };
        let mut map = Object::from_iter([
            ("kind".into(), "within".into()),
            (key.into(), r.amount.to_json()?),
        ]);
        if let Some(b) = parsed.bound(r)? {
            map.insert("bound".into(), b.as_str().into());
        }
        return Ok(map);
    }
    Err("not a period".to_owned())
}

pub(super) fn period(text: &str) -> Res<Value> {
    let s = strip_any(text, "在 于").unwrap_or(text);
    let map = if let Some(rest) = strip_any(s, WITHIN_PREFIXES) {
        duration(rest)?
    } else if let Some(map) = anchored(s) {
        map
    } else if strip_any_suffix(s, "以内 之内 内").is_some() {
        duration(s)?
    } else {
        return Err("not a period".to_owned());
    };
    Ok(finish(map, text))
}

// ---------------------------------------------------------------------------
// Frequencies

/// Interval words: ((per, how many of `per`), words).
const FREQUENCY_UNITS: &[((&str, i64), &str)] = &[
    (("year", 1), "年度 年"),
    (("month", 3), "个季度 季度"),
    (("month", 6), "半年"),
    (("month", 1), "个月 月"),
    (("week", 1), "个星期 星期 周 礼拜"),
    (("day", 1), "天 日"),
];

/// `两年…` → (2, "year", rest); with `optional_count`, `年…` → (1, "year", rest).
fn read_interval(s: &str, optional_count: bool) -> Option<(i64, &'static str, &str)> {
    let run = s.char_indices().take_while(|&(_, c)| is_numeral(c));
    let mut ends: Vec<usize> = run.map(|(i, c)| i + c.len_utf8()).collect();
    ends.reverse();
    ends.extend(optional_count.then_some(0));
    ends.into_iter().find_map(|end| {
        let n = if end == 0 {
            1
        } else {
            parse_number(&s[..end])?.as_i64().filter(|&n| n > 0)?
        };
        let ((per, factor), rest) = strip_longest(&s[end..], FREQUENCY_UNITS)?;
        Some((n.checked_mul(factor)?, per, rest))
    })
}

/// `举办一次` → ("举办", Some(1)); `一度` → ("", Some(1)); `举行` → ("举行", None).
fn read_times(rest: &str) -> Res<(&str, Option<i64>)> {
    if let Some(verb) = strip_any_suffix(rest, "一度 一届") {
        return Ok((verb, Some(1)));
    }
    let Some(before) = rest.strip_suffix('次') else {
        return Ok((rest, None));
    };
    let is_count = |c: char| c.is_ascii_digit() || cn_digit(c).is_some() || small_unit(c).is_some();
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_count(c))
        .last();
    let start = start.map(|(i, _)| i).ok_or("no count before 次")?;
    let times = parse_number(&before[start..])
        .and_then(|n| n.as_i64())
        .filter(|&n| n > 0);
    Ok((&before[..start], Some(times.ok_or("bad count before 次")?)))
}

pub(super) fn frequency(text: &str) -> Res<Value> {
    let (each, s) = strip_any(text, "每隔 每").map_or((false, text), |r| (true, r));
    let (every, per, rest) = read_interval(s, each).ok_or("not a frequency")?;
    let (verb, times) = read_times(rest)?;
    if verb.contains(|c: char| c.is_ascii_digit() || c == '%' || c == '％') {
        return Err(format!("unexpected {verb:?} after the interval"));
    }
    if !each && (times.is_none() || !verb.is_empty()) {
        return Err("neither 每… nor …一次/一度".to_owned());
    }
    let mut map = Object::from_iter([("every".into(), every.into()), ("per".into(), per.into())]);
    if let Some(t) = times.filter(|&t| t > 1) {
        map.insert("times".into(), t.into());
    }
    Ok(finish(map, text))
}
