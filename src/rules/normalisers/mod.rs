//! Normalisers: turn the text a rule captured (a substring of a normalised Chinese
//! sentence) into a structured JSON attribute. A rule names its [`Normaliser`];
//! [`apply`] runs it.
//!
//! Output shapes, for analysts writing rule files. Every object ends with `"text"`,
//! the capture as given (trimmed); keys always come in the order shown.
//!
//! - `text`: the trimmed capture as a JSON string.
//! - `number`: `{"value": 1500000000, "bound": "at_most", "text": "近15亿"}`. `bound`
//!   appears only for qualified numbers: `at_least` (多 余 逾 超 超过 以上, 上百/上千万,
//!   数十万, 十几), `at_most` (近 将近 接近 不到 以下), `about` (约 大约 左右 上下).
//!   A range such as `5至10` gives `{"min": 5, "max": 10, "text": …}` instead of
//!   `value` (in `money` and `count` too); `3至5万` reads as 30000 to 50000, and a
//!   bare lower end keeps its own value only when near the upper end (`5000至1万`).
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
//! - `share`: `{"numerator": 1, "denominator": 5, "unit": "share", "text": "五分之一"}`
//!   (reduced; `30%` is 3/10, `一半` 1/2), with `bound` before `unit` when qualified
//!   (`近一半`).
//! - `frequency`: `{"every": 2, "per": "year", "text": "每两年举办一次"}`; `per` is
//!   `year`, `month`, `week` or `day`; `times` follows `per` when more than once.
//!
//! Numbers are exact: values are computed with integers, so `1.5亿` is 150000000.
//! A value JSON cannot hold exactly (a whole number past `i64`, a fraction with more
//! digits than a float keeps) is refused with the reason, never rounded; so is a
//! range that runs backwards once both ends are scaled (`5至3亿`).
//! A capture that does not fit its normaliser gives a [`NormaliseError`] saying why.

mod amount;
mod number;
mod share;
mod time;
mod words;

use serde::Deserialize;
use serde_json::{Map, Value};

pub use number::{Number, parse_number};
pub use time::read_year;
pub use words::{clean_item, parse_ordinal};

/// The items of a 、-list (`相互尊重、睦邻友好和同舟共济`). A last `A和B` is two items,
/// unless the list announced `count` items and keeping it whole gives that many
/// (`人文、和平与安全十个方面`).
pub fn list_items(text: &str, count: Option<i64>) -> Vec<String> {
    let split = words::split_list(text, true);
    let whole = words::split_list(text, false);
    let chosen = match count {
        Some(n) if split.len() as i64 != n && whole.len() as i64 == n => whole,
        _ => split,
    };
    chosen.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests;

/// A normaliser, as a rule file names it (`normaliser: money`); an unknown name is an
/// error of the rule file, with its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Normaliser {
    /// The trimmed text.
    #[default]
    Text,
    /// A number, with its bound or range.
    Number,
    /// An amount of money with its ISO currency.
    Money,
    /// A number of things with its measure word.
    Count,
    /// Money when a currency follows the number, else a count.
    Quantity,
    /// A time frame (within, by, in, from).
    Period,
    /// A year.
    Year,
    /// A list position (第一, 一是, 其一).
    Ordinal,
    /// A 、-list.
    List,
    /// How often (每两年).
    Frequency,
    /// A share (30%, 四分之一).
    Share,
}

impl Normaliser {
    /// Every normaliser.
    pub const ALL: [Normaliser; 11] = [
        Normaliser::Text,
        Normaliser::Number,
        Normaliser::Money,
        Normaliser::Count,
        Normaliser::Quantity,
        Normaliser::Period,
        Normaliser::Year,
        Normaliser::Ordinal,
        Normaliser::List,
        Normaliser::Frequency,
        Normaliser::Share,
    ];

    /// Its name in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Normaliser::Text => "text",
            Normaliser::Number => "number",
            Normaliser::Money => "money",
            Normaliser::Count => "count",
            Normaliser::Quantity => "quantity",
            Normaliser::Period => "period",
            Normaliser::Year => "year",
            Normaliser::Ordinal => "ordinal",
            Normaliser::List => "list",
            Normaliser::Frequency => "frequency",
            Normaliser::Share => "share",
        }
    }
}

impl std::fmt::Display for Normaliser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Normaliser {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Normaliser::ALL
            .into_iter()
            .find(|n| n.name() == s)
            .ok_or_else(|| format!("unknown normaliser `{s}`"))
    }
}

/// Why a capture could not be normalised.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("normaliser `{normaliser}` cannot read {input:?}: {reason}")]
pub struct NormaliseError {
    /// The normaliser that was asked for.
    pub normaliser: String,
    /// The capture, as given to [`apply`].
    pub input: String,
    /// What went wrong, e.g. `no currency after the number`.
    pub reason: String,
}

/// Applies `normaliser` to a captured text.
pub fn apply(normaliser: Normaliser, input: &str) -> Result<Value, NormaliseError> {
    let text = input.trim();
    let result = match normaliser {
        Normaliser::Text => Ok(Value::String(text.to_owned())),
        Normaliser::Number => amount::number(text),
        Normaliser::Money => amount::money(text),
        Normaliser::Count => amount::count(text),
        Normaliser::Quantity => amount::quantity(text),
        Normaliser::Period => time::period(text),
        Normaliser::Year => time::year(text),
        Normaliser::Ordinal => words::ordinal(text),
        Normaliser::List => words::list(text),
        Normaliser::Frequency => time::frequency(text),
        Normaliser::Share => share::share(text),
    };
    result.map_err(|reason| NormaliseError {
        normaliser: normaliser.name().to_owned(),
        input: input.to_owned(),
        reason,
    })
}

type Res<T> = Result<T, String>;
type Object = Map<String, Value>;

// Reasons given by several normalisers (and checked by the tests).
const NO_NUMBER: &str = "no number found";
const NO_CURRENCY: &str = "no currency after the number";
const NO_MEASURE_WORD: &str = "no measure word after the number";

/// Adds `"text"` as the last key.
fn finish(mut map: Object, text: &str) -> Value {
    map.insert("text".into(), text.into());
    Value::Object(map)
}

// ---------------------------------------------------------------------------
// Word tables: space-separated words; where words share a value, `(value, words)`.
// Wherever a table is matched, the longest matching word wins.

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
