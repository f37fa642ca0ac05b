//! Ordinals and lists: the `ordinal` normaliser and [`parse_ordinal`] (`第一`, `其二`,
//! `首届`, `（三）`, `①`), and the `list` normaliser, which splits an enumeration at
//! `、` and `，` and at a final conjunction (`和`, `及`, `与`, `以及`).

use serde_json::{Value, json};

use super::number::parse_number;
use super::{Res, strip_any, strip_any_suffix};

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
    } else if s == "再次" {
        "三"
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

pub(super) fn ordinal(text: &str) -> Res<Value> {
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
pub fn clean_item(s: &str) -> &str {
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

pub(super) fn list(text: &str) -> Res<Value> {
    let items = split_list(text, true);
    if items.is_empty() {
        return Err("no items".to_owned());
    }
    Ok(Value::Array(items.into_iter().map(Value::from).collect()))
}

/// The items of a 、-list; the last is split at a conjunction (`A和B`) when
/// `conjunction` is true.
pub(super) fn split_list(text: &str, conjunction: bool) -> Vec<&str> {
    let mut items: Vec<&str> = text
        .split(['、', '，'])
        .map(clean_item)
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(last) = items.pop() {
        let last = strip_etc(last);
        if conjunction {
            items.extend(
                split_conjunction(last)
                    .into_iter()
                    .filter(|s| !s.is_empty()),
            );
        } else if !last.is_empty() {
            items.push(last);
        }
    }
    items
}
