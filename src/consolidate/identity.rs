//! When two matches state the same fact, per field (the `identity:` of its rule file).
//!
//! - `amount` (pledges, figures): same unit, and the same value or a similar `what`
//!   (at least half the characters of the shorter one shared). So the 5亿美元 grant
//!   told four ways is one fact, a 5000万剂 vaccine pledge and 5000个 training places
//!   never merge (units differ), and 5亿 vs 6亿美元 无偿援助 is one fact in conflict.
//! - `list-item` (proposals): same position in its list and a similar title.
//! - `name` (mechanisms): the same name once quotes, party prefixes (中国—中亚…) and
//!   the order of a 、-list are normalised away.
//! - `items` (principle lists): the same set of items.
//! - `title` (documents): the same title without 《》.
//! - `text`: the same text without punctuation and spaces.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::extract::Match;
use crate::rules::Identity;

/// Party prefixes that do not tell mechanisms apart (`中国—中亚机制常驻秘书处` is the
/// `常驻秘书处` of the summit).
const PARTY_PREFIXES: &[&str] = &[
    "中国—中亚机制",
    "中国—中亚五国",
    "中国—中亚国家",
    "中国同中亚五国",
    "中国同中亚国家",
    "中国—中亚",
    "中亚—中国",
    "中国+中亚五国",
    "中国－中亚",
    "中国-中亚",
];

/// Generic mechanism nouns: a name that is only one of these keeps its prefix.
const GENERIC: &[&str] = &["机制", "论坛", "峰会机制", "会晤", "平台", "对话"];

/// True when `a` and `b` (matches of the same field) state the same fact.
pub fn same_fact(identity: Identity, a: &Match, b: &Match) -> bool {
    match identity {
        Identity::Amount => {
            let (ua, ub) = (unit(a), unit(b));
            ua.is_some()
                && ua == ub
                && (amount_value(a) == amount_value(b) || similar(&what(a), &what(b)))
        }
        Identity::ListItem => {
            ordinal(a) == ordinal(b)
                && ordinal(a).is_some()
                && similar(&squash(&a.text), &squash(&b.text))
        }
        Identity::Name => name_key(a) == name_key(b),
        Identity::Items => {
            let (ia, ib) = (item_set(a), item_set(b));
            !ia.is_empty() && ia == ib
        }
        Identity::Title => title_key(a) == title_key(b),
        Identity::Text => squash(&a.text) == squash(&b.text),
    }
}

/// Why two matches were merged, in words (for `factsheet explain`).
pub fn reason(identity: Identity, a: &Match, b: &Match) -> String {
    match identity {
        Identity::Amount => {
            let u = unit(a).unwrap_or_default();
            if amount_value(a) == amount_value(b) {
                format!("same unit {u} and same amount")
            } else {
                format!(
                    "same unit {u} and similar object ({} / {})",
                    what(a),
                    what(b)
                )
            }
        }
        Identity::ListItem => format!(
            "same list position {} and similar title",
            ordinal(a).unwrap_or(0)
        ),
        Identity::Name => format!("same normalised name {:?}", name_key(a)),
        Identity::Items => "same items".to_string(),
        Identity::Title => format!("same title {:?}", title_key(a)),
        Identity::Text => "same text".to_string(),
    }
}

/// The stable key a fact's id is derived from.
pub fn key(identity: Identity, m: &Match) -> String {
    match identity {
        Identity::Amount => format!(
            "{}|{}",
            unit(m).unwrap_or_default(),
            amount_value(m).unwrap_or_default()
        ),
        Identity::ListItem => format!("{}|{}", ordinal(m).unwrap_or(0), squash(&m.text)),
        Identity::Name => name_key(m),
        Identity::Items => item_set(m).into_iter().collect::<Vec<_>>().join("、"),
        Identity::Title => title_key(m),
        Identity::Text => squash(&m.text),
    }
}

fn amount(m: &Match) -> Option<&serde_json::Map<String, Value>> {
    m.attributes.get("amount").and_then(Value::as_object)
}

fn unit(m: &Match) -> Option<String> {
    amount(m)
        .and_then(|a| a.get("unit"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The amount without its wording: value (or range) and bound.
pub fn amount_value(m: &Match) -> Option<String> {
    let a = amount(m)?;
    let mut parts = Vec::new();
    for k in ["value", "min", "max", "bound"] {
        if let Some(v) = a.get(k) {
            parts.push(format!("{k}={v}"));
        }
    }
    Some(parts.join(","))
}

fn what(m: &Match) -> String {
    m.attributes
        .get("what")
        .and_then(Value::as_str)
        .map(squash)
        .unwrap_or_default()
}

fn ordinal(m: &Match) -> Option<i64> {
    m.attributes
        .get("ordinal")
        .and_then(|o| o.get("value"))
        .and_then(Value::as_i64)
}

fn item_set(m: &Match) -> BTreeSet<String> {
    m.items.iter().map(|i| squash(&i.text)).collect()
}

fn title_key(m: &Match) -> String {
    let t = m
        .attributes
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or(&m.text);
    squash(t.trim_start_matches('《').trim_end_matches('》'))
}

/// A mechanism's name with quotes, party prefixes and 、-list order normalised.
pub fn name_key(m: &Match) -> String {
    let name = m
        .attributes
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(&m.text);
    let mut n: String = name
        .chars()
        .filter(|c| !matches!(c, '“' | '”' | '"' | '「' | '」' | ' '))
        .collect();
    for p in PARTY_PREFIXES {
        if let Some(rest) = n.strip_prefix(p) {
            if !GENERIC.contains(&rest) && rest.chars().count() >= 2 {
                n = rest.to_string();
            }
            break;
        }
    }
    // 产业与投资、农业、交通等领域… and 产业与投资、交通、农业等领域… are one name.
    if n.contains('、') {
        let tail_at = n.rfind('、').map(|i| i + '、'.len_utf8()).unwrap_or(0);
        let tail_end = n[tail_at..]
            .find('等')
            .map(|i| tail_at + i)
            .unwrap_or(n.len());
        let mut parts: Vec<&str> = n[..tail_end].split('、').collect();
        let rest = &n[tail_end..];
        parts.sort_unstable();
        n = format!("{}{}", parts.join("、"), rest);
    }
    n
}

/// Text without punctuation and spaces, for comparisons.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// At least half the distinct characters of the shorter text occur in the other.
pub fn similar(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let sa: BTreeSet<char> = a.chars().collect();
    let sb: BTreeSet<char> = b.chars().collect();
    let (small, big) = if sa.len() <= sb.len() {
        (&sa, &sb)
    } else {
        (&sb, &sa)
    };
    let shared = small.intersection(big).count();
    shared * 2 >= small.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity() {
        assert!(similar("双方友城", "中国同中亚五国友好城市"));
        assert!(similar("疫苗援助", "新冠疫苗援助"));
        assert!(!similar("研修研讨名额", "中国政府奖学金名额"));
        assert!(!similar("", "x"));
        // Nothing to compare is not a resemblance: two figures without `what` merge
        // only on equal amounts.
        assert!(!similar("", ""));
    }
}

#[cfg(test)]
mod merge_tests {
    use super::*;
    use crate::summit::SourceKind;
    use serde_json::json;

    fn m(field: &str, text: &str, attrs: Value) -> Match {
        Match {
            field: field.to_string(),
            rule: "r".to_string(),
            priority: 0,
            text: text.to_string(),
            attributes: attrs.as_object().cloned().unwrap_or_default(),
            items: Vec::new(),
            citations: Vec::new(),
            highlights: Vec::new(),
            captures: Vec::new(),
            steps: Vec::new(),
            list: None,
            kind: SourceKind::Speech,
            doc_index: 0,
        }
    }

    fn pledge(value: i64, unit: &str, what: &str) -> Match {
        m(
            "pledge",
            what,
            json!({"amount": {"value": value, "unit": unit, "text": "x"}, "what": what}),
        )
    }

    /// (a, b, same fact?)
    #[test]
    fn pledge_pairs() {
        let cases = [
            (
                pledge(500_000_000, "USD", "无偿援助"),
                pledge(500_000_000, "USD", "无偿援助"),
                true,
            ),
            (
                pledge(50_000_000, "剂", "疫苗援助"),
                pledge(50_000_000, "剂", "新冠疫苗援助"),
                true,
            ),
            (
                pledge(100, "对", "双方友城"),
                pledge(100, "对", "中国同中亚五国友好城市"),
                true,
            ),
            // Same object, different amounts: one fact, in conflict.
            (
                pledge(500_000_000, "USD", "无偿援助"),
                pledge(600_000_000, "USD", "无偿援助"),
                true,
            ),
            // Never merge different things, even with equal numbers.
            (
                pledge(50_000_000, "剂", "疫苗援助"),
                pledge(5000, "个", "研修研讨名额"),
                false,
            ),
            (
                pledge(5000, "个", "研修研讨名额"),
                pledge(1200, "个", "中国政府奖学金名额"),
                false,
            ),
            (
                pledge(5000, "个", "研修研讨名额"),
                pledge(5000, "剂", "研修研讨名额"),
                false,
            ),
        ];
        for (a, b, want) in cases {
            assert_eq!(
                same_fact(Identity::Amount, &a, &b),
                want,
                "{:?} / {:?}",
                a.attributes,
                b.attributes
            );
        }
    }

    #[test]
    fn mechanism_names() {
        let mech = |name: &str| m("mechanism", name, json!({"name": name}));
        let same = |a: &str, b: &str| same_fact(Identity::Name, &mech(a), &mech(b));
        assert!(same("常驻秘书处", "中国—中亚机制常驻秘书处"));
        assert!(same("“中国+中亚五国”合作机制", "中国+中亚五国合作机制"));
        assert!(same(
            "产业与投资、农业、交通、应急管理、教育、政党等领域会晤和对话机制",
            "产业与投资、交通、农业、应急管理、教育、政党等领域会晤和对话机制"
        ));
        assert!(!same("中国—中亚机制", "中国—中亚峰会机制"));
        assert!(!same("中国—中亚经贸合作论坛", "中国—中亚民间友好论坛"));
    }

    #[test]
    fn proposals_by_position_and_title() {
        let p = |o: i64, t: &str| m("proposal", t, json!({"ordinal": {"value": o}}));
        assert!(same_fact(
            Identity::ListItem,
            &p(1, "深耕睦邻友好的示范田"),
            &p(1, "深耕睦邻友好的示范田")
        ));
        assert!(!same_fact(
            Identity::ListItem,
            &p(1, "深耕睦邻友好的示范田"),
            &p(2, "深耕睦邻友好的示范田")
        ));
        assert!(!same_fact(
            Identity::ListItem,
            &p(1, "深耕睦邻友好的示范田"),
            &p(1, "加强机制建设")
        ));
    }

    #[test]
    fn principles_by_items() {
        let mut a = m("principle", "a", json!({}));
        let mut b = m("principle", "b", json!({}));
        for t in ["相互尊重", "睦邻友好"] {
            a.items.push(crate::facts::Item {
                text: t.to_string(),
                sources: vec![],
            });
        }
        for t in ["睦邻友好", "相互尊重"] {
            b.items.push(crate::facts::Item {
                text: t.to_string(),
                sources: vec![],
            });
        }
        assert!(same_fact(Identity::Items, &a, &b));
        b.items.pop();
        assert!(!same_fact(Identity::Items, &a, &b));
    }
}
