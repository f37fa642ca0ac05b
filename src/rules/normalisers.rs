//! Normalisers: turn the text a rule captured (a substring of a normalised Chinese
//! sentence) into a structured JSON attribute. A rule names its normaliser; [`apply`]
//! runs it and [`NAMES`] lists them all.
//!
//! Output shapes, for analysts writing rule files. Every object ends with `"text"`,
//! the capture as given (trimmed); keys always come in the order shown.
//!
//! - `text`: the trimmed capture as a JSON string.
//! - `number`: `{"value": 1500000000, "bound": "at_most", "text": "近15亿"}`. `bound`
//!   appears only for qualified numbers: `at_least` (多 余 逾 超 超过 以上, 上百/上千万,
//!   数十万, 十几), `at_most` (近 将近 接近 不到 以下), `about` (约 大约 左右 上下).
//!   A range such as `5至10` gives `{"min": 5, "max": 10, "text": …}` instead of
//!   `value` (in `money` and `count` too); `3至5万` reads as 30000 to 50000.
//!   Values are JSON integers when whole, floats otherwise (`2.5`).
//! - `money`: `{"value": 26000000000, "unit": "CNY", "text": "260亿元人民币"}`, with
//!   `bound` after `value` when qualified and `noun` before `text` when words follow
//!   the currency (`100亿元贷款` → `"noun": "贷款"`). `unit` is an ISO 4217 code.
//! - `count`: `{"value": 5000, "unit": "个", "noun": "研修研讨名额", "text": …}`;
//!   `unit` is the measure word, `noun` (optional) whatever follows it.
//! - `quantity`: `money` when a currency follows the number, `count` otherwise.
//! - `period`: `{"kind": "within", "years": 3}` (`未来3年`; `years` may be
//!   `{"min": 5, "max": 10}`, `months` replaces `years` for `未来6个月`, and
//!   `bound` follows for `未来十多年`),
//!   `{"kind": "by", "year": 2030}` (`到2030年`), `{"kind": "in", "year": 2022}`,
//!   `{"kind": "from", "year": 2025}` (`2025年起`); `relative_year` (0 = this year,
//!   1 = next year) replaces `year` for `今年`, `明年`.
//! - `year`: `{"value": 2030, "text": "2030年"}`.
//! - `ordinal`: `{"value": 1, "text": "第一"}` (also `一是`, `其一`, `首先`, `（三）`, `3.`).
//! - `list`: a JSON array of strings (`相互尊重、互利共赢` → `["相互尊重", "互利共赢"]`).
//! - `frequency`: `{"every": 2, "per": "year", "text": "每两年举办一次"}`; `per` is
//!   `year`, `month`, `week` or `day`; `times` follows `per` when more than once.
//!
//! Numbers are exact: values are computed with integers, so `1.5亿` is 150000000.
//! A capture that does not fit its normaliser gives a [`NormaliseError`] saying why.

use std::cmp::Ordering;
use std::fmt;

use serde_json::{Map, Value, json};

#[cfg(test)]
mod tests;

/// Every normaliser name a rule file may use.
pub const NAMES: &[&str] = &[
    "text",
    "number",
    "money",
    "count",
    "quantity",
    "period",
    "year",
    "ordinal",
    "list",
    "frequency",
];

/// Why a capture could not be normalised.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("normaliser `{normaliser}` cannot read {input:?}: {reason}")]
pub struct NormaliseError {
    /// The normaliser that was asked for.
    pub normaliser: String,
    /// The capture, as given to [`apply`].
    pub input: String,
    /// What went wrong, e.g. `unknown normaliser` or `no currency after the number`.
    pub reason: String,
}

/// Applies the named normaliser to a captured text.
pub fn apply(name: &str, input: &str) -> Result<Value, NormaliseError> {
    let text = input.trim();
    let result = match name {
        "text" => Ok(Value::String(text.to_owned())),
        "number" => number(text),
        "money" => money(text),
        "count" => count(text),
        "quantity" => quantity(text),
        "period" => period(text),
        "year" => year(text),
        "ordinal" => ordinal(text),
        "list" => list(text),
        "frequency" => frequency(text),
        _ => Err("unknown normaliser".to_owned()),
    };
    result.map_err(|reason| NormaliseError {
        normaliser: name.to_owned(),
        input: input.to_owned(),
        reason,
    })
}

type Res<T> = Result<T, String>;
type Object = Map<String, Value>;

const NO_NUMBER: &str = "no number found";
const NO_CURRENCY: &str = "no currency after the number";
const NO_MEASURE_WORD: &str = "no measure word after the number";

// ---------------------------------------------------------------------------
// Exact numbers

/// An exact decimal number: `mantissa / 10^scale` (so `1.5亿` is exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number {
    /// All the digits, as an integer.
    pub mantissa: i128,
    /// How many of those digits come after the decimal point.
    pub scale: u32,
}

impl Number {
    /// The integer `value`.
    pub const fn int(value: i128) -> Self {
        Self::new(value, 0)
    }

    const fn new(mantissa: i128, scale: u32) -> Self {
        Self { mantissa, scale }
    }

    /// Whether the number has no fractional part.
    pub fn is_integer(&self) -> bool {
        self.mantissa == 0 || pow10(self.scale).is_some_and(|p| self.mantissa % p == 0)
    }

    /// The number as an `i64`, if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        if !self.is_integer() {
            return None;
        }
        i64::try_from(self.mantissa / pow10(self.scale).unwrap_or(1)).ok()
    }

    /// The number as JSON: an integer when integral and within `i64`, otherwise a float.
    pub fn to_json(&self) -> Value {
        if let Some(i) = self.as_i64() {
            return Value::from(i);
        }
        let float = self.to_string().parse::<f64>().ok();
        float
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number)
    }

    fn normalised(mut self) -> Self {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    /// Both mantissas brought to the larger scale.
    fn aligned(self, other: Self) -> Option<(i128, i128, u32)> {
        let scale = self.scale.max(other.scale);
        let a = self.mantissa.checked_mul(pow10(scale - self.scale)?)?;
        let b = other.mantissa.checked_mul(pow10(scale - other.scale)?)?;
        Some((a, b, scale))
    }

    fn checked_add(self, other: Self) -> Option<Self> {
        let (a, b, scale) = self.aligned(other)?;
        Some(Self::new(a.checked_add(b)?, scale).normalised())
    }

    /// The number times `10^exp`.
    fn shifted(self, exp: u32) -> Option<Self> {
        if self.scale >= exp {
            return Some(Self::new(self.mantissa, self.scale - exp).normalised());
        }
        let mantissa = self.mantissa.checked_mul(pow10(exp - self.scale)?)?;
        Some(Self::int(mantissa))
    }

    /// Compares values (`Equal` if they cannot be aligned within `i128`).
    fn cmp_value(self, other: Self) -> Ordering {
        self.aligned(other)
            .map_or(Ordering::Equal, |(a, b, _)| a.cmp(&b))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        if scale > 64 {
            return write!(f, "{sign}{digits}e-{scale}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

fn pow10(exp: u32) -> Option<i128> {
    10i128.checked_pow(exp)
}

/// Chinese digits 0 to 9, with 两 and the financial forms.
const CN_DIGITS: &str = "〇零 一壹 二两贰 三叁 四肆 五伍 六陆 七柒 八捌 九玖";

fn position_in(groups: &str, c: char) -> Option<u32> {
    let p = groups.split(' ').position(|g| g.contains(c))?;
    u32::try_from(p).ok()
}

fn cn_digit(c: char) -> Option<u32> {
    position_in(CN_DIGITS, c)
}

/// Exponent of 十 百 千.
fn small_unit(c: char) -> Option<u32> {
    position_in("十拾 百佰 千仟", c).map(|p| p + 1)
}

/// Exponent of 万 亿.
fn big_unit(c: char) -> Option<u32> {
    position_in("万萬 亿億", c).map(|p| 4 * (p + 1))
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit()
        || ".,".contains(c)
        || cn_digit(c).or(small_unit(c)).or(big_unit(c)).is_some()
}

/// Parses a number written in Arabic digits, Chinese numerals or a mix (`5000万`, `1.5亿`, `十二`), without qualifiers.
pub fn parse_number(input: &str) -> Option<Number> {
    let chars = without_separators(input.trim())?;
    if chars.is_empty() {
        return None;
    }
    // Digit by digit, as in years: 二〇三〇.
    if chars.len() >= 3 && chars.iter().all(|&c| c != '两' && cn_digit(c).is_some()) {
        let mut mantissa: i128 = 0;
        for &c in &chars {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(i128::from(cn_digit(c)?))?;
        }
        return Some(Number::int(mantissa));
    }
    parse_positional(&chars)
}

/// The characters of `s` with thousands separators (`1,200`) removed; `None` for a misplaced comma.
fn without_separators(s: &str) -> Option<Vec<char>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ',' {
            let group = chars.get(i + 1..i + 4)?;
            let after = chars.get(i + 4);
            let digit_before = i > 0 && chars[i - 1].is_ascii_digit();
            if !digit_before
                || !group.iter().all(char::is_ascii_digit)
                || after.is_some_and(char::is_ascii_digit)
            {
                return None;
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn parse_arabic(chars: &[char]) -> Option<Number> {
    let (mut mantissa, mut scale, mut dot) = (0i128, 0u32, false);
    for (i, &c) in chars.iter().enumerate() {
        if c == '.' {
            if dot || i == 0 || i + 1 == chars.len() {
                return None;
            }
            dot = true;
            continue;
        }
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(i128::from(c.to_digit(10)?))?;
        scale += u32::from(dot);
    }
    Some(Number { mantissa, scale }.normalised())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Start,
    Digit { zero: bool },
    Arabic,
    Small(u32),
    Big(u32),
}

/// Positional numerals (一千二百, 一万五千, 1.5亿, 1亿5000万, 十二, 一万五).
fn parse_positional(chars: &[char]) -> Option<Number> {
    let zero = Number::int(0);
    // total: finished 亿 groups; group: finished 万 part; section: 十百千 part.
    let (mut total, mut group, mut section) = (zero, zero, zero);
    let mut cur: Option<Number> = None;
    let (mut prev, mut before) = (Tok::Start, Tok::Start);
    let (mut last_small, mut wan_done, mut yi_groups, mut wan_yi) = (4, false, 0, false);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if !matches!(prev, Tok::Start | Tok::Big(_)) {
                return None;
            }
            cur = Some(parse_arabic(&chars[start..i])?);
            (before, prev) = (prev, Tok::Arabic);
            continue;
        }
        if let Some(d) = cn_digit(c) {
            if matches!(prev, Tok::Arabic | Tok::Digit { zero: false }) {
                return None;
            }
            cur = Some(Number::int(i128::from(d)));
            (before, prev) = (prev, Tok::Digit { zero: d == 0 });
        } else if let Some(e) = small_unit(c) {
            let m = match cur {
                Some(n) => n,
                None if prev == Tok::Start => Number::int(1),
                None => return None,
            };
            if m.mantissa == 0 || e >= last_small {
                return None;
            }
            section = section.checked_add(m.shifted(e)?)?;
            (cur, last_small, prev) = (None, e, Tok::Small(e));
        } else if let Some(e) = big_unit(c) {
            let v = section.checked_add(cur.unwrap_or(zero))?;
            if prev == Tok::Start || prev == Tok::Big(e) {
                return None;
            }
            if e == 4 {
                if wan_done || matches!(prev, Tok::Big(_)) || v.mantissa == 0 {
                    return None;
                }
                group = group.checked_add(v.shifted(4)?)?;
                wan_done = true;
            } else {
                let x = group.checked_add(v)?;
                let small_enough = x.cmp_value(Number::int(10_000)) == Ordering::Less;
                if x.mantissa == 0 || (yi_groups > 0 && !(wan_yi && small_enough)) {
                    return None;
                }
                wan_yi |= yi_groups == 0 && prev == Tok::Big(4) && v.mantissa == 0;
                total = total.checked_add(x.shifted(8)?)?;
                (group, wan_done, yi_groups) = (zero, false, yi_groups + 1);
            }
            (section, cur, last_small, prev) = (zero, None, 4, Tok::Big(e));
        } else {
            return None;
        }
        i += 1;
    }
    let mut tail = cur.unwrap_or(zero);
    // 一万五 = 15000, 两千五 = 2500, 一百二 = 120: a lone digit after a unit.
    if let (Tok::Digit { zero: false }, Tok::Small(e) | Tok::Big(e)) = (prev, before)
        && e >= 2
    {
        tail = tail.shifted(e - 1)?;
    }
    total
        .checked_add(group)?
        .checked_add(section)?
        .checked_add(tail)
}

// ---------------------------------------------------------------------------
// Qualified numbers, ranges and what follows them

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    AtLeast,
    AtMost,
    About,
}
use Bound::{About, AtLeast, AtMost};

impl Bound {
    fn as_str(self) -> &'static str {
        match self {
            AtLeast => "at_least",
            AtMost => "at_most",
            About => "about",
        }
    }
}

// Word tables hold space-separated words; where words share a value, `(value, words)`.
// Wherever a table is matched, the longest matching word wins.

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

#[derive(Debug, Clone, Copy)]
enum Amount {
    Exact(Number),
    Range(Number, Number),
}

impl Amount {
    /// A number, or `{"min": …, "max": …}`.
    fn to_json(self) -> Value {
        match self {
            Amount::Exact(n) => n.to_json(),
            Amount::Range(min, max) => json!({"min": min.to_json(), "max": max.to_json()}),
        }
    }

    /// Adds `value` (or `min` and `max`), then `bound`.
    fn put(self, map: &mut Object, bound: Option<Bound>) {
        match self.to_json() {
            Value::Object(range) => map.extend(range),
            value => drop(map.insert("value".into(), value)),
        }
        if let Some(b) = bound {
            map.insert("bound".into(), b.as_str().into());
        }
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
        if !(is_numeral(c) || (run > 0 && INNER_BOUNDS.contains(&c) && next_big)) {
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
        let bare = cleaned.starts_with(|c| big_unit(c).is_some());
        let written = if bare {
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
fn range_min(left: &NumberPrefix<'_>, right: &NumberPrefix<'_>) -> Number {
    let head = right.cleaned.trim_end_matches(|c| big_unit(c).is_some());
    let exp: u32 = right.cleaned[head.len()..]
        .chars()
        .filter_map(big_unit)
        .sum();
    let left_has_big = left.cleaned.contains(|c| big_unit(c).is_some());
    match parse_number(head) {
        Some(coef)
            if exp > 0 && !left_has_big && left.value.cmp_value(coef) != Ordering::Greater =>
        {
            left.value.shifted(exp).unwrap_or(left.value)
        }
        _ => left.value,
    }
}

/// One reading of a capture: a number or range, its qualifiers, and what follows.
struct Reading<'a> {
    amount: Amount,
    bounds: Vec<Bound>,
    bare: bool,
    rest: &'a str,
}

/// Every reading of the number or range at the start of `s`, longest first.
fn readings(s: &str) -> Vec<Reading<'_>> {
    let with_suffix =
        |rest| strip_longest(rest, SUFFIX_BOUNDS).map_or((None, rest), |(b, r)| (Some(b), r));
    let mut out = Vec::new();
    for left in number_prefixes(s) {
        let (suffix, rest) = with_suffix(left.rest);
        if let (None, Some(after)) = (suffix, strip_any(rest, RANGE_SEPARATORS)) {
            for right in number_prefixes(after) {
                let min = range_min(&left, &right);
                if min.cmp_value(right.value) == Ordering::Greater {
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
    out
}

/// A capture holding a number: the qualifiers around it, and every reading of it.
struct Parsed<'a> {
    bounds: Vec<Bound>,
    currency: Option<&'static str>,
    readings: Vec<Reading<'a>>,
}

impl Parsed<'_> {
    /// The bound of a reading, merging every qualifier found.
    fn bound(&self, reading: &Reading<'_>) -> Res<Option<Bound>> {
        let mut all = self.bounds.iter().chain(&reading.bounds).copied();
        let first = all.next();
        match first {
            Some(f) if all.any(|b| b != f) => Err("conflicting qualifiers".to_owned()),
            _ => Ok(first),
        }
    }

    /// Why no reading was followed by what was wanted.
    fn failure(&self, wanted: &str) -> String {
        if self.readings.is_empty() {
            NO_NUMBER
        } else {
            wanted
        }
        .to_owned()
    }
}

fn parse_amount(text: &str, currencies: bool) -> Parsed<'_> {
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
    let mut readings = readings(s);
    readings.retain(|r| !r.bare || qualified || !r.bounds.is_empty());
    Parsed {
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

/// Adds `"text"` as the last key.
fn finish(mut map: Object, text: &str) -> Value {
    map.insert("text".into(), text.into());
    Value::Object(map)
}

/// A `money` or `count` object.
fn unit_object(
    amount: Amount,
    bound: Option<Bound>,
    unit: &str,
    noun: Option<&str>,
    text: &str,
) -> Value {
    let mut map = Object::new();
    amount.put(&mut map, bound);
    map.insert("unit".into(), unit.into());
    if let Some(n) = noun {
        map.insert("noun".into(), n.into());
    }
    finish(map, text)
}

fn number(text: &str) -> Res<Value> {
    let parsed = parse_amount(text, false);
    let Some(reading) = parsed.readings.iter().find(|r| r.rest.is_empty()) else {
        return Err(match parsed.readings.first() {
            Some(r) => format!("unexpected {:?} after the number", r.rest),
            None => NO_NUMBER.to_owned(),
        });
    };
    let mut map = Object::new();
    reading.amount.put(&mut map, parsed.bound(reading)?);
    Ok(finish(map, text))
}

fn money(text: &str) -> Res<Value> {
    let parsed = parse_amount(text, true);
    for r in &parsed.readings {
        let (code, rest) = match (strip_longest(r.rest, CURRENCIES), parsed.currency) {
            (Some((code, rest)), lead) if lead.is_none_or(|l| l == code) => (code, rest),
            (_, Some(lead)) => (lead, r.rest.strip_prefix('元').unwrap_or(r.rest)),
            (_, None) => continue,
        };
        return Ok(unit_object(
            r.amount,
            parsed.bound(r)?,
            code,
            noun(rest),
            text,
        ));
    }
    Err(parsed.failure(NO_CURRENCY))
}

fn count(text: &str) -> Res<Value> {
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
    Ok(unit_object(
        r.amount,
        parsed.bound(r)?,
        unit,
        noun(rest),
        text,
    ))
}

fn quantity(text: &str) -> Res<Value> {
    match money(text) {
        Err(reason) if reason == NO_CURRENCY => count(text),
        other => other,
    }
}

// ---------------------------------------------------------------------------
// Periods and years

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

fn year(text: &str) -> Res<Value> {
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
            (key.into(), r.amount.to_json()),
        ]);
        if let Some(b) = parsed.bound(r)? {
            map.insert("bound".into(), b.as_str().into());
        }
        return Ok(map);
    }
    Err("not a period".to_owned())
}

fn period(text: &str) -> Res<Value> {
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
// Ordinals, lists, frequencies

/// Words that may follow `第N` (`第三届`) or `首` (`首届`).
const ORDINAL_SUFFIXES: &str = "届 次 轮 期 批 个 条 项 点 位 名 章 节 款 部分 阶段";

/// The value of an ordinal: `第一`, `第十二`, `一是`, `其一`, `首先`, `第5`, `八`, `（三）`, `3.`, `①`.
pub fn parse_ordinal(s: &str) -> Option<i64> {
    let s = s.trim();
    let mut chars = s.chars();
    if let (Some(c @ '①'..='⑳'), None) = (chars.next(), chars.next()) {
        return Some(i64::from(c as u32 - '①' as u32 + 1));
    }
    if s == "首先" || strip_any(s, "首").and_then(|r| strip_any(r, ORDINAL_SUFFIXES)) == Some("")
    {
        return Some(1);
    }
    let core = if s == "其次" {
        "二"
    } else if let Some(r) = s.strip_prefix('第') {
        strip_any_suffix(r, ORDINAL_SUFFIXES)
            .filter(|_| parse_number(r).is_none())
            .unwrap_or(r)
    } else if let Some(r) = s.strip_prefix('其').or_else(|| s.strip_suffix('是')) {
        r
    } else if let Some(inner) = ["（）", "()", "〔〕"].iter().find_map(|p| strip_pair(s, p)) {
        inner
    } else {
        strip_any_suffix(s, ". ． 、 ) ）").unwrap_or(s)
    };
    parse_number(core)?.as_i64().filter(|&n| n > 0)
}

fn ordinal(text: &str) -> Res<Value> {
    let value = parse_ordinal(text).ok_or("not an ordinal")?;
    Ok(json!({"value": value, "text": text}))
}

/// `s` without the two characters of `pair` around it.
fn strip_pair<'a>(s: &'a str, pair: &str) -> Option<&'a str> {
    let mut p = pair.chars();
    s.strip_prefix(p.next()?)?.strip_suffix(p.next()?)
}

const QUOTE_PAIRS: &str = "“” 「」 『』 ‘’ \"\"";
/// A final 等 after these is part of a word (平等, 对等…), not "and so on".
const EQUAL_WORD_CHARS: &str = "平对同均相高初优头特何次";
const CONJUNCTIONS: &str = "以及 和 及 与";
/// Words in which 和, 及, 与 or 以 is not a conjunction.
const NOT_CONJUNCTIONS: &str = "和平 和谐 和睦 和解 和衷 和而 和美 和合 共和 缓和 温和 平和 调和 祥和 \
    饱和 柔和 暖和 随和 及时 及早 及其 涉及 普及 危及 波及 惠及 顾及 提及 遍及 不及 参与 与会 与其 给与 \
    授与 赋与 与时俱进 与日俱增 与众不同 与生俱来 以及 可以 所以 得以 予以 加以 难以 足以 用以 借以 据以";

/// An item without surrounding whitespace and quotes.
fn clean_item(s: &str) -> &str {
    let mut s = s.trim();
    while let Some(inner) = QUOTE_PAIRS.split(' ').find_map(|p| strip_pair(s, p)) {
        s = inner.trim();
    }
    s
}

/// Whether the conjunction at byte `at` of `s` is part of a word such as 和平 or 可以.
fn inside_word(s: &str, at: usize, conj: &str) -> bool {
    conj.char_indices().any(|(ci, cc)| {
        NOT_CONJUNCTIONS.split(' ').filter(|w| *w != conj).any(|w| {
            w.char_indices().filter(|&(_, wc)| wc == cc).any(|(wi, _)| {
                (at + ci)
                    .checked_sub(wi)
                    .and_then(|from| s.get(from..))
                    .is_some_and(|t| t.starts_with(w))
            })
        })
    })
}

/// Splits `s` at its first conjunction that leaves two items of at least two characters.
fn split_conjunction(s: &str) -> Vec<&str> {
    for (at, _) in s.char_indices() {
        let Some(conj) = CONJUNCTIONS.split(' ').find(|c| s[at..].starts_with(c)) else {
            continue;
        };
        let (left, right) = (clean_item(&s[..at]), clean_item(&s[at + conj.len()..]));
        if left.chars().count() >= 2 && right.chars().count() >= 2 && !inside_word(s, at, conj) {
            return vec![left, right];
        }
    }
    vec![s]
}

/// `s` without a final 等 or 等等.
fn strip_etc(s: &str) -> &str {
    match (s.strip_suffix("等等"), s.strip_suffix('等')) {
        (Some(r), _) => clean_item(r),
        (None, Some(r)) if !r.ends_with(|c| EQUAL_WORD_CHARS.contains(c)) => clean_item(r),
        _ => s,
    }
}

fn list(text: &str) -> Res<Value> {
    let mut items: Vec<&str> = text
        .split(['、', '，'])
        .map(clean_item)
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(last) = items.pop() {
        items.extend(
            split_conjunction(strip_etc(last))
                .into_iter()
                .filter(|s| !s.is_empty()),
        );
    }
    if items.is_empty() {
        return Err("no items".to_owned());
    }
    Ok(Value::Array(items.into_iter().map(Value::from).collect()))
}

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

fn frequency(text: &str) -> Res<Value> {
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

// ---------------------------------------------------------------------------
// Word tables

fn words<'t, T: Copy>(table: &'t [(T, &'t str)]) -> impl Iterator<Item = (T, &'t str)> + 't {
    table
        .iter()
        .flat_map(|&(value, words)| words.split(' ').map(move |w| (value, w)))
}

/// The value of the longest word of `table` that starts `s`, and the rest of `s`.
fn strip_longest<'a, T: Copy>(s: &'a str, table: &[(T, &str)]) -> Option<(T, &'a str)> {
    let (value, w) = words(table)
        .filter(|(_, w)| s.starts_with(w))
        .max_by_key(|(_, w)| w.len())?;
    Some((value, &s[w.len()..]))
}

/// The value of the longest word of `table` that ends `s`, and the rest of `s`.
fn strip_longest_suffix<'a, T: Copy>(s: &'a str, table: &[(T, &str)]) -> Option<(T, &'a str)> {
    let (value, w) = words(table)
        .filter(|(_, w)| s.ends_with(w))
        .max_by_key(|(_, w)| w.len())?;
    Some((value, &s[..s.len() - w.len()]))
}

/// `s` without the longest of the space-separated `words` that starts it.
fn strip_any<'a>(s: &'a str, words: &str) -> Option<&'a str> {
    strip_longest(s, &[((), words)]).map(|(_, rest)| rest)
}

/// `s` without the longest of the space-separated `words` that ends it.
fn strip_any_suffix<'a>(s: &'a str, words: &str) -> Option<&'a str> {
    strip_longest_suffix(s, &[((), words)]).map(|(_, rest)| rest)
}
