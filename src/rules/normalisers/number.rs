//! Exact numbers: the [`Number`] type and [`parse_number`], which reads Arabic
//! digits (`1,200`, `1.5`), Chinese numerals (`一千二百`, `二〇三〇`, with 两 and the
//! financial forms) or a mix of the two (`1.5亿`, `1亿5000万`). The digit and unit
//! lookups here are shared with the other normalisers.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

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
    /// Lossy for integers past `i64` and for fractions with many digits; see [`Self::exact_json`].
    pub fn to_json(&self) -> Value {
        if let Some(i) = self.as_i64() {
            return Value::from(i);
        }
        let float = self.to_string().parse::<f64>().ok();
        float
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number)
    }

    /// The number as JSON when JSON can hold it exactly: an integer within `i64`, or a
    /// fraction whose float prints back as the same decimal. Otherwise why not.
    pub fn exact_json(&self) -> Result<Value, String> {
        if let Some(i) = self.as_i64() {
            return Ok(Value::from(i));
        }
        if self.is_integer() {
            return Err(format!(
                "{self} is too large to keep exactly (facts.json holds whole numbers up to {})",
                i64::MAX
            ));
        }
        let float = self.to_string().parse::<f64>().ok();
        match float.and_then(serde_json::Number::from_f64) {
            Some(n) if float.and_then(exact_decimal).is_some_and(|d| d == *self) => {
                Ok(Value::Number(n))
            }
            _ => Err(format!(
                "{self} has more digits than facts.json can keep exactly"
            )),
        }
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
    pub(super) fn shifted(self, exp: u32) -> Option<Self> {
        if self.scale >= exp {
            return Some(Self::new(self.mantissa, self.scale - exp).normalised());
        }
        let mantissa = self.mantissa.checked_mul(pow10(exp - self.scale)?)?;
        Some(Self::int(mantissa))
    }

    /// Compares values (`Equal` if they cannot be aligned within `i128`).
    pub(super) fn cmp_value(self, other: Self) -> Ordering {
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

/// The shortest decimal that prints as `f` (what serde_json writes), as a [`Number`].
fn exact_decimal(f: f64) -> Option<Number> {
    let text = serde_json::Number::from_f64(f)?.to_string();
    if text.contains(['e', 'E']) {
        return None;
    }
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.as_str()),
    };
    let chars: Vec<char> = digits.chars().collect();
    let n = parse_arabic(&chars)?;
    Some(if neg {
        Number::new(-n.mantissa, n.scale)
    } else {
        n
    })
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

/// The value of a Chinese digit (`〇` to `九`, `两` and the financial forms).
pub(super) fn cn_digit(c: char) -> Option<u32> {
    position_in(CN_DIGITS, c)
}

/// Exponent of 十 百 千.
pub(super) fn small_unit(c: char) -> Option<u32> {
    position_in("十拾 百佰 千仟", c).map(|p| p + 1)
}

/// Exponent of 万 亿.
pub(super) fn big_unit(c: char) -> Option<u32> {
    position_in("万萬 亿億", c).map(|p| 4 * (p + 1))
}

/// Whether `c` can be part of a number: a digit, `.`, `,`, a Chinese digit or unit.
pub(super) fn is_numeral(c: char) -> bool {
    c.is_ascii_digit()
        || ".,廿卅○".contains(c)
        || cn_digit(c).or(small_unit(c)).or(big_unit(c)).is_some()
}

/// Parses a number written in Arabic digits, Chinese numerals or a mix (`5000万`, `1.5亿`, `十二`), without qualifiers.
pub fn parse_number(input: &str) -> Option<Number> {
    let spelled = respelled(input.trim());
    let chars = without_separators(&spelled)?;
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

/// `s` with the rarer spellings of numerals in their usual form: 廿 and 卅 (20, 30),
/// ○ for 〇, and a decimal point written 点 (`一点五亿` is `1.5亿`).
fn respelled(s: &str) -> String {
    let s = s
        .replace('廿', "二十")
        .replace('卅', "三十")
        .replace('○', "〇");
    let Some((whole, rest)) = s.split_once('点') else {
        return s;
    };
    let digits: String = rest
        .chars()
        .take_while(|&c| cn_digit(c).is_some() || c.is_ascii_digit())
        .map(|c| cn_digit(c).map_or(c, |d| char::from_digit(d, 10).unwrap_or(c)))
        .collect();
    let tail: String = rest.chars().skip(digits.chars().count()).collect();
    match parse_positional(&whole.chars().collect::<Vec<_>>()) {
        Some(n) if n.is_integer() && !digits.is_empty() => format!("{n}.{digits}{tail}"),
        _ => s,
    }
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

/// Reading a positional numeral, one token at a time.
struct Positional {
    /// Finished 亿 groups.
    total: Number,
    /// The finished 万 part.
    group: Number,
    /// The 十百千 part.
    section: Number,
    /// The digits read since the last unit.
    cur: Option<Number>,
    prev: Tok,
    before: Tok,
    /// The exponent of the last 十百千 (4 after a 万/亿 or at the start).
    last_small: u32,
    wan_done: bool,
    yi_groups: u32,
    /// 一万亿: 亿 right after 万.
    wan_yi: bool,
}

impl Positional {
    fn new() -> Self {
        let zero = Number::int(0);
        Positional {
            total: zero,
            group: zero,
            section: zero,
            cur: None,
            prev: Tok::Start,
            before: Tok::Start,
            last_small: 4,
            wan_done: false,
            yi_groups: 0,
            wan_yi: false,
        }
    }

    fn arabic(&mut self, digits: &[char]) -> Option<()> {
        if !matches!(self.prev, Tok::Start | Tok::Big(_)) {
            return None;
        }
        self.cur = Some(parse_arabic(digits)?);
        (self.before, self.prev) = (self.prev, Tok::Arabic);
        Some(())
    }

    fn digit(&mut self, d: u32) -> Option<()> {
        if matches!(self.prev, Tok::Arabic | Tok::Digit { zero: false }) {
            return None;
        }
        self.cur = Some(Number::int(i128::from(d)));
        (self.before, self.prev) = (self.prev, Tok::Digit { zero: d == 0 });
        Some(())
    }

    /// 十, 百 or 千 (10^e).
    fn small(&mut self, e: u32) -> Option<()> {
        let m = match self.cur {
            Some(n) => n,
            None if self.prev == Tok::Start => Number::int(1),
            None => return None,
        };
        if m.mantissa == 0 || e >= self.last_small {
            return None;
        }
        self.section = self.section.checked_add(m.shifted(e)?)?;
        (self.cur, self.last_small, self.prev) = (None, e, Tok::Small(e));
        Some(())
    }

    /// 万 (e = 4) or 亿 (e = 8).
    fn big(&mut self, e: u32) -> Option<()> {
        let zero = Number::int(0);
        let v = self.section.checked_add(self.cur.unwrap_or(zero))?;
        if self.prev == Tok::Start || self.prev == Tok::Big(e) {
            return None;
        }
        if e == 4 {
            if self.wan_done || matches!(self.prev, Tok::Big(_)) || v.mantissa == 0 {
                return None;
            }
            self.group = self.group.checked_add(v.shifted(4)?)?;
            self.wan_done = true;
        } else {
            let x = self.group.checked_add(v)?;
            let small_enough = x.cmp_value(Number::int(10_000)) == Ordering::Less;
            if x.mantissa == 0 || (self.yi_groups > 0 && !(self.wan_yi && small_enough)) {
                return None;
            }
            self.wan_yi |= self.yi_groups == 0 && self.prev == Tok::Big(4) && v.mantissa == 0;
            self.total = self.total.checked_add(x.shifted(8)?)?;
            (self.group, self.wan_done) = (zero, false);
            self.yi_groups += 1;
        }
        (self.section, self.cur, self.last_small, self.prev) = (zero, None, 4, Tok::Big(e));
        Some(())
    }

    fn finish(self) -> Option<Number> {
        let mut tail = self.cur.unwrap_or(Number::int(0));
        // 一万五 = 15000, 两千五 = 2500, 一百二 = 120: a lone digit after a unit.
        if let (Tok::Digit { zero: false }, Tok::Small(e) | Tok::Big(e)) = (self.prev, self.before)
            && e >= 2
        {
            tail = tail.shifted(e - 1)?;
        }
        self.total
            .checked_add(self.group)?
            .checked_add(self.section)?
            .checked_add(tail)
    }
}

/// Positional numerals (一千二百, 一万五千, 1.5亿, 1亿5000万, 十二, 一万五).
fn parse_positional(chars: &[char]) -> Option<Number> {
    let mut p = Positional::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            p.arabic(&chars[start..i])?;
            continue;
        }
        if let Some(d) = cn_digit(c) {
            p.digit(d)?;
        } else if let Some(e) = small_unit(c) {
            p.small(e)?;
        } else if let Some(e) = big_unit(c) {
            p.big(e)?;
        } else {
            return None;
        }
        i += 1;
    }
    p.finish()
}
