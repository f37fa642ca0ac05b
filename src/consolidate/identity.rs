//! When two matches state the same fact, per field (the `identity:` of its rule file).
//!
//! Everything is compared in the matching view (simplified characters, no inserted
//! pinyin), so a traditional and a simplified source state one fact.
//!
//! - `amount` (pledges, figures): same unit, and a similar `what` (at least half the
//!   characters of the shorter one shared; for different values, one object of three
//!   characters or more holding the other). So the 5亿美元 grant told four ways is one fact, a 5000万剂
//!   vaccine pledge and 5000个 training places never merge (units differ), 10个减贫项目
//!   and 10个数字经济项目 are two facts, and 5亿 vs 6亿美元 无偿援助 is one fact in
//!   conflict.
//! - `list-item` (proposals): same position in its list and a similar title; an item
//!   known without its position is the one whose title holds its title.
//! - `name` (mechanisms, principle sets): the same name once quotes, numerals and the
//!   order of a 、-list are normalised; or one name ends with the other
//!   (`常驻秘书处` is the `…机制常驻秘书处`), unless the shorter is one of the field's
//!   `generic:` names (`论坛` ends every forum).
//! - `items`: the same set of items.
//! - `title` (documents, outcomes): the same title without 《》, or one holding the
//!   other (`北京宣言` is the `…第十四次会晤北京宣言`) unless the shorter is generic.
//! - `text`: the same text without punctuation and spaces.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::extract::Match;
use crate::rules::{FieldSpec, Identity};

/// Characters a title must share at least to count as the same proposal without
/// knowing its position.
pub(super) const MIN_CONTAINED: usize = 4;

/// Characters an object needs before different amounts of it count as one fact.
pub(super) const MIN_OBJECT: usize = 3;

/// Characters the shorter of two names needs before one ending the other identifies it.
pub(super) const MIN_NAME: usize = 2;

/// What consolidation compares about one match, computed once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Keys {
    /// The text, squashed.
    pub(super) text: String,
    /// The mechanism or set name, normalised.
    pub(super) name: String,
    /// The document title without 《》, squashed.
    pub(super) title: String,
    /// What the amount is of: `what` (or the recipient when there is none), squashed,
    /// without the field's generic words (项目, 援助: the kind, not the thing).
    pub(super) what: String,
    /// `what` named only a kind of thing (资金支持): it fits any object.
    pub(super) vague: bool,
    /// The object as named, generic words included (无偿援助).
    pub(super) object: String,
    /// The amount's unit.
    pub(super) unit: Option<String>,
    /// The amount without its wording.
    pub(super) amount: Option<String>,
    /// The list position.
    pub(super) ordinal: Option<i64>,
    /// The items, squashed.
    pub(super) items: BTreeSet<String>,
}

impl Keys {
    /// The keys of `m` (a match of `field`), with `view` turning source text into the
    /// matching view: those its field's identity compares, the others left empty
    /// (every comparison, reason and id reads only its identity's keys).
    pub fn of(m: &Match, field: &FieldSpec, view: &dyn Fn(&str) -> String) -> Keys {
        let attr = |k: &str| m.attributes.get(k).and_then(Value::as_str);
        match field.identity {
            Identity::Amount => Keys::of_amount(m, field, view),
            Identity::ListItem => Keys {
                text: squash(&view(&m.text)),
                ordinal: m
                    .attributes
                    .get("ordinal")
                    .and_then(|o| o.get("value"))
                    .and_then(Value::as_i64),
                ..Keys::default()
            },
            Identity::Name => Keys {
                name: name_key(&view(attr("name").unwrap_or(&m.text))),
                ..Keys::default()
            },
            Identity::Items => Keys {
                items: m.items.iter().map(|i| squash(&view(&i.text))).collect(),
                ..Keys::default()
            },
            Identity::Title => {
                let title = attr("title").unwrap_or(&m.text);
                Keys {
                    title: squash(&view(title.trim_start_matches('《').trim_end_matches('》'))),
                    ..Keys::default()
                }
            }
            Identity::Text => Keys {
                text: squash(&view(&m.text)),
                ..Keys::default()
            },
        }
    }

    /// The keys of an amount: its unit and value, and what it is of.
    fn of_amount(m: &Match, field: &FieldSpec, view: &dyn Fn(&str) -> String) -> Keys {
        let attr = |k: &str| m.attributes.get(k).and_then(Value::as_str);
        let object = attr("what")
            .map(|w| squash(&view(w)))
            .filter(|w| !w.is_empty())
            .or_else(|| attr("recipient").map(|r| squash(&view(r))))
            .unwrap_or_default();
        let what = without_generic(&object, &field.generic);
        Keys {
            vague: !object.is_empty() && what.is_empty(),
            what,
            object,
            // A plain number (数十万民众) has no unit; it compares with other numbers.
            unit: amount(m).map(|a| {
                a.get("unit")
                    .and_then(Value::as_str)
                    .unwrap_or("number")
                    .to_string()
            }),
            amount: amount_value(m),
            ..Keys::default()
        }
    }
}

/// True when matches with keys `a` and `b` (of the same field) state the same fact.
pub fn same_fact(field: &FieldSpec, a: &Keys, b: &Keys) -> bool {
    match field.identity {
        Identity::Amount => a.unit.is_some() && a.unit == b.unit && same_object(a, b),
        Identity::ListItem => match (a.ordinal, b.ordinal) {
            (Some(x), Some(y)) => x == y && similar(&a.text, &b.text),
            _ => contained(&a.text, &b.text),
        },
        Identity::Name => a.name == b.name || ends_with_specific(&a.name, &b.name, &field.generic),
        Identity::Items => !a.items.is_empty() && a.items == b.items,
        Identity::Title => a.title == b.title || holds_specific(&a.title, &b.title, &field.generic),
        Identity::Text => a.text == b.text,
    }
}

/// Why two matches were merged, in words (for `factsheet explain`).
pub fn reason(field: &FieldSpec, a: &Keys, b: &Keys) -> String {
    match field.identity {
        Identity::Amount => {
            let u = a.unit.clone().unwrap_or_default();
            if a.amount == b.amount {
                format!("same unit {u} and same amount")
            } else {
                format!("same unit {u} and similar object ({} / {})", a.what, b.what)
            }
        }
        Identity::ListItem => match (a.ordinal, b.ordinal) {
            (Some(o), Some(_)) => format!("same list position {o} and similar title"),
            _ => "one title holds the other".to_string(),
        },
        Identity::Name if a.name == b.name => format!("same normalised name {:?}", a.name),
        Identity::Name => format!("one name ends with the other ({:?} / {:?})", a.name, b.name),
        Identity::Items => "same items".to_string(),
        Identity::Title if a.title == b.title => format!("same title {:?}", a.title),
        Identity::Title => format!("one title holds the other ({:?} / {:?})", a.title, b.title),
        Identity::Text => "same text".to_string(),
    }
}

/// The stable key a fact's id is derived from.
pub fn key(identity: Identity, k: &Keys) -> String {
    match identity {
        Identity::Amount => format!(
            "{}|{}",
            k.unit.clone().unwrap_or_default(),
            k.amount.clone().unwrap_or_default()
        ),
        Identity::ListItem => format!("{}|{}", k.ordinal.unwrap_or(0), k.text),
        Identity::Name => k.name.clone(),
        Identity::Items => k.items.iter().cloned().collect::<Vec<_>>().join("、"),
        Identity::Title => k.title.clone(),
        Identity::Text => k.text.clone(),
    }
}

fn amount(m: &Match) -> Option<&serde_json::Map<String, Value>> {
    m.attributes.get("amount").and_then(Value::as_object)
}

/// The amount without its wording: value (or range) and bound.
pub fn amount_value(m: &Match) -> Option<String> {
    let a = amount(m)?;
    let mut parts = Vec::new();
    for k in ["value", "min", "max", "numerator", "denominator", "bound"] {
        if let Some(v) = a.get(k) {
            parts.push(format!("{k}={v}"));
        }
    }
    Some(parts.join(","))
}

/// Two amounts of one unit are one fact when they name the same object: equal
/// amounts of similar objects (or both without one, or one that names only a kind
/// of thing: 600亿美元资金支持), or different amounts of an
/// object named clearly enough to be the same, one holding the other (5亿 and 6亿美元
/// 无偿援助: a conflict; 9个成员国 and 3个观察员国 are two figures).
fn same_object(a: &Keys, b: &Keys) -> bool {
    if a.amount == b.amount {
        return (a.what.is_empty() && b.what.is_empty())
            || a.vague
            || b.vague
            || similar(&a.what, &b.what);
    }
    a.object.chars().count().min(b.object.chars().count()) >= MIN_OBJECT
        && (a.object.contains(&b.object) || b.object.contains(&a.object))
}

/// `what` without the generic words that name a kind of thing (`减贫和农业项目` is
/// compared as `减贫和农业`).
fn without_generic(what: &str, generic: &[String]) -> String {
    let mut out = what.to_string();
    for g in generic {
        out = out.replace(g.as_str(), "");
    }
    out
}

/// One title holds the other, which is long enough to mean something on its own.
fn contained(a: &str, b: &str) -> bool {
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    short.chars().count() >= MIN_CONTAINED && long.contains(short)
}

/// One title holds the other (`北京宣言` is the `…会晤北京宣言`), and the shorter is
/// neither a generic noun nor too short to mean anything alone.
fn holds_specific(a: &str, b: &str, generic: &[String]) -> bool {
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    short.chars().count() >= MIN_CONTAINED
        && long.contains(short)
        && !generic.iter().any(|g| g == short)
}

/// One name ends with the other, and the shorter is not a generic noun.
fn ends_with_specific(a: &str, b: &str, generic: &[String]) -> bool {
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (a, b)
    } else {
        (b, a)
    };
    short.chars().count() >= MIN_NAME
        && long.ends_with(short)
        && !generic.iter().any(|g| g == short)
}

/// A name with quotes and spaces dropped, numerals written in digits (`四点主张` is
/// `4点主张`) and a 、-list put in order.
pub fn name_key(name: &str) -> String {
    let n: String = name
        .chars()
        .filter(|c| !matches!(c, '“' | '”' | '"' | '「' | '」' | '『' | '』' | ' '))
        .collect();
    let mut n = numerals_as_digits(&n);
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

/// Runs of Chinese numerals that read as a number, rewritten in digits.
fn numerals_as_digits(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        match crate::rules::normalisers::parse_number(run).and_then(|n| n.as_i64()) {
            Some(v) if !run.is_empty() => out.push_str(&v.to_string()),
            _ => out.push_str(run),
        }
        run.clear();
    };
    for c in s.chars() {
        if "〇零一二两三四五六七八九十百千".contains(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
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
            background: None,
        }
    }

    fn spec(identity: Identity, generic: &[&str]) -> FieldSpec {
        FieldSpec {
            identity,
            generic: generic.iter().map(|g| g.to_string()).collect(),
            ..FieldSpec::plain("f")
        }
    }

    /// Whether `a` and `b` state one fact, compared as consolidation does (the view
    /// here only drops the traditional 國 for the test).
    fn same(field: &FieldSpec, a: &Match, b: &Match) -> bool {
        let view = |t: &str| t.replace('國', "国");
        same_fact(
            field,
            &Keys::of(a, field, &view),
            &Keys::of(b, field, &view),
        )
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
        let field = spec(Identity::Amount, &[]);
        for (a, b, want) in cases {
            assert_eq!(
                same(&field, &a, &b),
                want,
                "{:?} / {:?}",
                a.attributes,
                b.attributes
            );
        }
    }

    #[test]
    fn mechanism_names() {
        let field = spec(Identity::Name, &["论坛", "合作论坛", "机制"]);
        let mech = |name: &str| m("mechanism", name, json!({"name": name}));
        let same = |a: &str, b: &str| same(&field, &mech(a), &mech(b));
        assert!(same("常驻秘书处", "中国—中亚机制常驻秘书处"));
        assert!(same("“中国+中亚五国”合作机制", "中国+中亚五国合作机制"));
        assert!(same("金磚國家工業能力中國中心", "金磚国家工業能力中国中心"));
        assert!(same(
            "产业与投资、农业、交通、应急管理、教育、政党等领域会晤和对话机制",
            "产业与投资、交通、农业、应急管理、教育、政党等领域会晤和对话机制"
        ));
        assert!(!same("中国—中亚机制", "中国—中亚峰会机制"));
        assert!(!same("中国—中亚经贸合作论坛", "中国—中亚民间友好论坛"));
        // A generic noun that ends another name does not identify it.
        assert!(!same("合作论坛", "中国—中亚经贸合作论坛"));
    }

    #[test]
    fn set_names_compare_their_numbers() {
        assert_eq!(name_key("四点主张"), name_key("4点主张"));
        assert_ne!(name_key("四点主张"), name_key("三点主张"));
        assert_eq!(name_key("“五大支柱”"), name_key("五大支柱"));
    }

    #[test]
    fn proposals_by_position_and_title() {
        let field = spec(Identity::ListItem, &[]);
        let p = |o: i64, t: &str| m("proposal", t, json!({"ordinal": {"value": o}}));
        let loose = |t: &str| m("proposal", t, json!({}));
        assert!(same(
            &field,
            &p(1, "深耕睦邻友好的示范田"),
            &p(1, "深耕睦邻友好的示范田")
        ));
        assert!(!same(
            &field,
            &p(1, "深耕睦邻友好的示范田"),
            &p(2, "深耕睦邻友好的示范田")
        ));
        assert!(!same(
            &field,
            &p(1, "深耕睦邻友好的示范田"),
            &p(1, "加强机制建设")
        ));
        // An item known without its position is the one whose title holds it.
        assert!(same(
            &field,
            &loose("我们要建设“和平金砖”，做共同安全的维护者"),
            &p(1, "和平金砖")
        ));
        assert!(!same(&field, &loose("和平"), &p(1, "和平金砖")));
    }

    #[test]
    fn principles_by_items() {
        let field = spec(Identity::Items, &[]);
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
        assert!(same(&field, &a, &b));
        b.items.pop();
        assert!(!same(&field, &a, &b));
    }
}
