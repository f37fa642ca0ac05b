//! The `number`, `money`, `count` and `quantity` normalisers: a number or a range,
//! the qualifiers around it (`近`, `多`, `左右`…, read as a bound), then a currency
//! or a measure word and an optional noun. `parse_amount` is shared with `period`,
//! which reads durations (`5至10年`) the same way.

use std::cmp::Ordering;

use serde_json::{Value, json};

use super::number::{Number, big_unit, is_numeral, parse_number, small_unit};
use super::{
    NO_CURRENCY, NO_MEASURE_WORD, NO_NUMBER, Object, Res, finish, strip_any, strip_longest,
    strip_longest_suffix,
};

/// A qualifier on a number: `at_least`, `at_most` or `about`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bound {
    AtLeast,
    AtMost,
    About,
}
use Bound::{About, AtLeast, AtMost};

impl Bound {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            AtLeast => "at_least",
            AtMost => "at_most",
            About => "about",
        }
    }
}

/// Words before a number that change nothing.
const IGNORED_PREFIXES: &str = "总额 总计 合计 累计 共计 共 高达 达 为";
const BOUND_PREFIXES: &[(Bound, &str)] = &[
    (AtLeast, "超过 超出 超 逾 多于 至少 不少于 不低于"),
    (AtMost, "近 将近 接近 不到 不足 不超过 最多 少于"),
    (About, "约 大约 大概"),
];
/// 上百, 数十万, 几千 (at least): only before 十 百 千 万 亿.
const NUMERAL_BOUND_PREFIXES: &str = "上 数 几";
/// Right after the number (`3300多公里`, `100余份`, `十几个`, `1000左右`).
const SUFFIX_BOUNDS: &[(Bound, &str)] = &[
    (AtLeast, "多 余 几 以上"),
    (AtMost, "以下"),
    (About, "左右 上下"),
];
/// At the very end of a capture (`1000人左右`).
const TRAILING_BOUNDS: &[(Bound, &str)] = &[
    (AtLeast, "以上 之多"),
    (AtMost, "以下"),
    (About, "左右 上下"),
];
/// Qualifiers that may sit inside a number, before 万/亿 (`1360多万`, `十几万`).
const INNER_BOUNDS: &[char] = &['多', '余', '几'];
const RANGE_SEPARATORS: &str = "至 到 —— — – - － ~ ～ 〜";
const CURRENCIES: &[(&str, &str)] = &[
    ("USD", "美元"),
    ("CNY", "元人民币 人民币元 人民币 元"),
    ("EUR", "欧元"),
    ("JPY", "日元"),
    ("GBP", "英镑"),
    ("RUB", "卢布"),
    ("HKD", "港元 港币"),
    ("KZT", "坚戈"),
    ("KGS", "索姆"),
    ("UZS", "苏姆"),
];
/// Currencies written before the number (`人民币260亿元`).
const LEADING_CURRENCIES: &[(&str, &str)] = &[("CNY", "人民币"), ("HKD", "港币")];
/// Measure words for `count`; the longest one that can follow a valid number wins.
const MEASURE_WORDS: &str = "个 剂 对 所 列 名 人 人次 项 份 座 家 条 批 架 架次 辆 吨 公里 \
    平方公里 平方米 立方米 千瓦 千瓦时 兆瓦 吉瓦 倍 届 次 期 国 位 场 种 件 套 艘 台 部 本 支 枚 门 \
    篇 轮 类 例 处 块 片 笔 班 趟 年 个月 天 周 小时 岁 米 千米 海里 克 千克 公斤 公顷 亩 桶 \
    标准箱 名额 个百分点 % ％";

/// The most Arabic digits a number may have (whole numbers past `i64` are refused anyway).
const MAX_DIGITS: usize = 30;

/// A number, or a range of numbers.
#[derive(Debug, Clone, Copy)]
pub(super) enum Amount {
    Exact(Number),
    Range(Number, Number),
}

impl Amount {
    /// A number, or `{"min": …, "max": …}`; refused when JSON cannot hold it exactly.
    pub(super) fn to_json(self) -> Res<Value> {
        Ok(match self {
            Amount::Exact(n) => n.exact_json()?,
            Amount::Range(min, max) => json!({"min": min.exact_json()?, "max": max.exact_json()?}),
        })
    }

    /// Adds `value` (or `min` and `max`), then `bound`.
    fn put(self, map: &mut Object, bound: Option<Bound>) -> Res<()> {
        match self.to_json()? {
            Value::Object(range) => map.extend(range),
            value => drop(map.insert("value".into(), value)),
        }
        if let Some(b) = bound {
            map.insert("bound".into(), b.as_str().into());
        }
        Ok(())
    }
}

/// A number at the start of a text, read one way.
struct NumberPrefix<'a> {
    value: Number,
    /// `at_least` when the number held 多/余/几 (`1360多万`).
    bounds: Vec<Bound>,
    /// Written as a bare 万/亿 (`数万`, `万余`): only valid with a qualifier.
    bare: bool,
    /// The digits as written, without 多/余/几.
    cleaned: String,
    rest: &'a str,
}

/// Every way to read a number at the start of `s`, longest first.
fn number_prefixes(s: &str) -> Vec<NumberPrefix<'_>> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut run = 0;
    while let Some(&(_, c)) = chars.get(run) {
        let next_big = chars
            .get(run + 1)
            .is_some_and(|&(_, d)| big_unit(d).is_some());
        // 一点五亿: a decimal point written 点, between digits.
        let point = c == '点'
            && run > 0
            && chars
                .get(run + 1)
                .is_some_and(|&(_, d)| super::number::cn_digit(d).is_some() || d.is_ascii_digit());
        if !(is_numeral(c) || point || (run > 0 && INNER_BOUNDS.contains(&c) && next_big)) {
            break;
        }
        run += 1;
    }
    let mut out = Vec::new();
    for k in (1..=run).rev() {
        let raw: Vec<char> = chars[..k].iter().map(|&(_, c)| c).collect();
        if INNER_BOUNDS.contains(&raw[k - 1]) {
            continue;
        }
        let cleaned: String = raw.iter().filter(|c| !INNER_BOUNDS.contains(c)).collect();
        // 万亿 alone is the usual way to say "a trillion", not a bare multiplier.
        let bare = cleaned.starts_with(|c| big_unit(c).is_some()) && cleaned != "万亿";
        let written = if cleaned.starts_with(|c| big_unit(c).is_some()) {
            format!("一{cleaned}")
        } else {
            cleaned.clone()
        };
        if let Some(value) = parse_number(&written) {
            let bounds = if cleaned.chars().count() < k {
                vec![AtLeast]
            } else {
                vec![]
            };
            let rest = &s[chars.get(k).map_or(s.len(), |&(i, _)| i)..];
            out.push(NumberPrefix {
                value,
                bounds,
                bare,
                cleaned,
                rest,
            });
        }
    }
    out
}

/// The lower end of a range: `3至5万` means 3万 to 5万, but `5000至1万` means 5000 to 1万.
///
/// A bare lower end takes the 万/亿 of the upper end when it is not above the upper
/// end's coefficient (`3至5万`), or when read alone it would be more than four orders
/// of magnitude below the upper end (`5至3亿` is 5亿 to 3亿 — a range that runs
/// backwards and is refused — never 5 yuan to 3亿).
fn range_min(left: &NumberPrefix<'_>, right: &NumberPrefix<'_>) -> Number {
    let head = right.cleaned.trim_end_matches(|c| big_unit(c).is_some());
    let exp: u32 = right.cleaned[head.len()..]
        .chars()
        .filter_map(big_unit)
        .sum();
    let left_has_big = left.cleaned.contains(|c| big_unit(c).is_some());
    match parse_number(head) {
        Some(coef) if exp > 0 && !left_has_big => {
            let scaled = left.value.shifted(exp).unwrap_or(left.value);
            if left.value.cmp_value(coef) != Ordering::Greater {
                return scaled;
            }
            let near = left
                .value
                .shifted(4)
                .is_some_and(|l| l.cmp_value(right.value) != Ordering::Less);
            if near { left.value } else { scaled }
        }
        _ => left.value,
    }
}

/// One reading of a capture: a number or range, its qualifiers, and what follows.
pub(super) struct Reading<'a> {
    pub(super) amount: Amount,
    bounds: Vec<Bound>,
    bare: bool,
    pub(super) rest: &'a str,
}

/// Every reading of the number or range at the start of `s`, longest first, and why a
/// range was refused, if one was.
fn readings(s: &str) -> (Vec<Reading<'_>>, Option<String>) {
    let mut refused = None;
    let with_suffix =
        |rest| strip_longest(rest, SUFFIX_BOUNDS).map_or((None, rest), |(b, r)| (Some(b), r));
    let mut out = Vec::new();
    for left in number_prefixes(s) {
        let (suffix, rest) = with_suffix(left.rest);
        if let (None, Some(after)) = (suffix, strip_any(rest, RANGE_SEPARATORS)) {
            for right in number_prefixes(after) {
                let min = range_min(&left, &right);
                if min.cmp_value(right.value) == Ordering::Greater {
                    refused.get_or_insert_with(|| {
                        format!(
                            "the range runs backwards: its lower end ({min}) is more than its upper end ({})",
                            right.value
                        )
                    });
                    continue;
                }
                let (bound, rest) = with_suffix(right.rest);
                let bounds = [&left.bounds[..], &right.bounds[..], bound.as_slice()].concat();
                let (amount, bare) = (Amount::Range(min, right.value), left.bare || right.bare);
                out.push(Reading {
                    amount,
                    bounds,
                    bare,
                    rest,
                });
            }
        }
        let bounds = [left.bounds, suffix.into_iter().collect()].concat();
        out.push(Reading {
            amount: Amount::Exact(left.value),
            bounds,
            bare: left.bare,
            rest,
        });
    }
    (out, refused)
}

/// A capture holding a number: the qualifiers around it, and every reading of it.
pub(super) struct Parsed<'a> {
    /// Why the text is not read as it seems to be meant (a backwards range, a
    /// full-width comma inside the digits), to give instead of a generic reason.
    problem: Option<String>,
    bounds: Vec<Bound>,
    currency: Option<&'static str>,
    pub(super) readings: Vec<Reading<'a>>,
}

impl Parsed<'_> {
    /// The bound of a reading, merging every qualifier found.
    pub(super) fn bound(&self, reading: &Reading<'_>) -> Res<Option<Bound>> {
        let mut all = self.bounds.iter().chain(&reading.bounds).copied();
        let first = all.next();
        match first {
            Some(f) if all.any(|b| b != f) => Err("conflicting qualifiers".to_owned()),
            _ => Ok(first),
        }
    }

    /// Why no reading was followed by what was wanted.
    fn failure(&self, wanted: &str) -> String {
        if let Some(p) = &self.problem {
            return p.clone();
        }
        if self.readings.is_empty() {
            NO_NUMBER
        } else {
            wanted
        }
        .to_owned()
    }
}

/// Reads the qualifiers, leading currency and number or range at the start of `text`.
pub(super) fn parse_amount(text: &str, currencies: bool) -> Parsed<'_> {
    let (mut s, mut bounds) = match strip_longest_suffix(text, TRAILING_BOUNDS) {
        Some((b, body)) if !body.is_empty() => (body, vec![b]),
        _ => (text, vec![]),
    };
    let mut currency = None;
    loop {
        let before_unit =
            |r: &str| r.starts_with(|c| small_unit(c).is_some() || big_unit(c).is_some());
        if let Some(r) = strip_any(s, IGNORED_PREFIXES) {
            s = r;
        } else if let Some((b, r)) = strip_longest(s, BOUND_PREFIXES) {
            (s, bounds) = (r, [bounds, vec![b]].concat());
        } else if let Some(r) = strip_any(s, NUMERAL_BOUND_PREFIXES).filter(|r| before_unit(r)) {
            (s, bounds) = (r, [bounds, vec![AtLeast]].concat());
        } else if let Some((code, r)) = strip_longest(s, LEADING_CURRENCIES).filter(|_| currencies)
        {
            (s, currency) = (r, Some(code));
        } else {
            break;
        }
    }
    let qualified = !bounds.is_empty();
    let (mut readings, mut problem) = readings(s);
    // Past i128 no prefix of the digits means the number; say so, not "no currency".
    let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > MAX_DIGITS {
        problem = Some(format!(
            "the number {} has more digits than factsheet reads (at most {MAX_DIGITS})",
            &s[..digits]
        ));
        readings.clear();
    }
    readings.retain(|r| !r.bare || qualified || !r.bounds.is_empty());
    // 3，600亿元: a full-width comma looks like a thousands separator but cuts the number.
    if problem.is_none()
        && let Some(r) = readings.first()
        && let Some(after) = r.rest.strip_prefix('，')
        && after.chars().take(3).filter(char::is_ascii_digit).count() == 3
        && !after[3..].starts_with(|c: char| c.is_ascii_digit())
    {
        let number = &s[..s.len() - r.rest.len()];
        problem = Some(format!(
            "the full-width comma in \"{number}，{}\" is not a thousands separator (write {number},{} or {number}{}); read alone, {number} has nothing after it",
            &after[..3],
            &after[..3],
            &after[..3]
        ));
    }
    Parsed {
        problem,
        bounds,
        currency,
        readings,
    }
}

/// Text after a currency or measure word, without a leading 的.
fn noun(rest: &str) -> Option<&str> {
    let rest = rest.trim();
    Some(rest.strip_prefix('的').unwrap_or(rest).trim()).filter(|n| !n.is_empty())
}

/// A `money` or `count` object.
fn unit_object(
    amount: Amount,
    bound: Option<Bound>,
    unit: &str,
    noun: Option<&str>,
    text: &str,
) -> Res<Value> {
    let mut map = Object::new();
    amount.put(&mut map, bound)?;
    map.insert("unit".into(), unit.into());
    if let Some(n) = noun {
        map.insert("noun".into(), n.into());
    }
    Ok(finish(map, text))
}

pub(super) fn number(text: &str) -> Res<Value> {
    let parsed = parse_amount(text, false);
    let Some(reading) = parsed.readings.iter().find(|r| r.rest.is_empty()) else {
        return Err(match parsed.readings.first() {
            Some(r) => format!("unexpected {:?} after the number", r.rest),
            None => NO_NUMBER.to_owned(),
        });
    };
    let mut map = Object::new();
    reading.amount.put(&mut map, parsed.bound(reading)?)?;
    Ok(finish(map, text))
}

pub(super) fn money(text: &str) -> Res<Value> {
    let parsed = parse_amount(text, true);
    for r in &parsed.readings {
        let (code, rest) = match (strip_longest(r.rest, CURRENCIES), parsed.currency) {
            (Some((code, rest)), lead) if lead.is_none_or(|l| l == code) => (code, rest),
            (_, Some(lead)) => (lead, r.rest.strip_prefix('元').unwrap_or(r.rest)),
            (_, None) => continue,
        };
        return unit_object(r.amount, parsed.bound(r)?, code, noun(rest), text);
    }
    Err(parsed.failure(NO_CURRENCY))
}

pub(super) fn count(text: &str) -> Res<Value> {
    let parsed = parse_amount(text, false);
    let mut best: Option<(&Reading<'_>, &str, &str)> = None;
    for r in &parsed.readings {
        if let Some(rest) = strip_any(r.rest, MEASURE_WORDS) {
            let unit = &r.rest[..r.rest.len() - rest.len()];
            if best.is_none_or(|(_, u, _)| unit.chars().count() > u.chars().count()) {
                best = Some((r, unit, rest));
            }
        }
    }
    let (r, unit, rest) = best.ok_or_else(|| parsed.failure(NO_MEASURE_WORD))?;
    unit_object(r.amount, parsed.bound(r)?, unit, noun(rest), text)
}

pub(super) fn quantity(text: &str) -> Res<Value> {
    match money(text) {
        Err(reason) if reason == NO_CURRENCY => count(text),
        other => other,
    }
}
