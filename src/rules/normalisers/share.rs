//! The `share` normaliser: a part of a whole, as a reduced fraction —
//! `30%`, `五分之一`, `三分之二`, `一半`, with a bound (`近一半`, `约30%`, `超过三分之一`).

use serde_json::{Map, Value};

use super::number::parse_number;

type Res<T> = Result<T, String>;

/// Qualifiers before a share, with the bound they give.
const BEFORE: &[(&str, &str)] = &[
    ("超过", "at_least"),
    ("逾", "at_least"),
    ("超", "at_least"),
    ("将近", "at_most"),
    ("接近", "at_most"),
    ("近", "at_most"),
    ("不到", "at_most"),
    ("大约", "about"),
    ("约", "about"),
];

/// Reads a share: `{"numerator": 1, "denominator": 5, "unit": "share", "text": …}`,
/// with `bound` before `unit` when qualified.
pub(super) fn share(text: &str) -> Res<Value> {
    let (bound, rest) = BEFORE
        .iter()
        .find_map(|(q, b)| text.strip_prefix(q).map(|r| (Some(*b), r)))
        .unwrap_or((None, text));
    let (num, den) = fraction(rest.trim()).ok_or_else(|| format!("{rest:?} is not a share"))?;
    if den == 0 || num > den {
        return Err(format!("{rest:?} is not a share of a whole"));
    }
    let g = gcd(num, den);
    let mut out = Map::new();
    out.insert("numerator".into(), Value::from(num / g));
    out.insert("denominator".into(), Value::from(den / g));
    if let Some(b) = bound {
        out.insert("bound".into(), Value::from(b));
    }
    out.insert("unit".into(), Value::from("share"));
    out.insert("text".into(), Value::from(text));
    Ok(Value::Object(out))
}

/// (numerator, denominator) of `一半`, `N分之M` or `N%`.
fn fraction(s: &str) -> Option<(u64, u64)> {
    if s == "一半" {
        return Some((1, 2));
    }
    if let Some((den, num)) = s.split_once("分之") {
        let den = parse_number(den)?.as_i64()?;
        let num = parse_number(num)?.as_i64()?;
        return Some((u64::try_from(num).ok()?, u64::try_from(den).ok()?));
    }
    let pct = s.strip_suffix(['%', '％'])?;
    let n = parse_number(pct)?;
    let scale = 10u64.checked_pow(n.scale)?;
    let num = u64::try_from(n.mantissa).ok()?;
    Some((num, 100u64.checked_mul(scale)?))
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> Option<(u64, u64, Option<String>)> {
        let v = share(s).ok()?;
        Some((
            v["numerator"].as_u64()?,
            v["denominator"].as_u64()?,
            v.get("bound").and_then(|b| b.as_str()).map(str::to_string),
        ))
    }

    #[test]
    fn shares() {
        assert_eq!(parts("30%"), Some((3, 10, None)));
        assert_eq!(parts("约30%"), Some((3, 10, Some("about".into()))));
        assert_eq!(parts("12.5%"), Some((1, 8, None)));
        assert_eq!(parts("五分之一"), Some((1, 5, None)));
        assert_eq!(parts("三分之二"), Some((2, 3, None)));
        assert_eq!(parts("近一半"), Some((1, 2, Some("at_most".into()))));
        assert_eq!(parts("超过三分之一"), Some((1, 3, Some("at_least".into()))));
        assert_eq!(parts("三分之五"), None);
        assert_eq!(parts("零分之一"), None);
        assert_eq!(parts("很多"), None);
        assert_eq!(share("四分之一").unwrap()["text"], "四分之一");
    }
}
