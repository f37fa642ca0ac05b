//! The view of a sentence that rules match: web noise taken out and traditional
//! characters simplified, with every character mapped back to the sentence's own
//! text so that attributes and citations keep the source's wording.
//!
//! Noise taken out of the view (never out of the sentence itself):
//! - pinyin that some mirror sites insert after characters: `發(fā)展` → `發展`;
//! - a comma doubled before other punctuation, another mirror artefact: `宣言》，。` → `宣言》。`.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Serialize, Serializer};

use super::Simplifier;
use crate::text::{MappedChar, MappedText, is_han};

/// A pinyin syllable with or without its tone mark: `fā`, `lǐng`, `zhan`.
static PINYIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouvüāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]{1,4}(?:ng|n|r)?$",
    )
    .expect("the pinyin pattern compiles")
});

/// Longest bracketed pinyin considered (characters between the brackets).
const MAX_PINYIN: usize = 6;

/// Punctuation after which a doubled comma is noise.
const AFTER_COMMA: &[char] = &['，', '、', '。', '；', '：', '！', '？'];

/// What rules see of a sentence when it differs from its text: each of its
/// characters mapped to the bytes of the sentence's own text it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    mapped: MappedText,
}

impl Serialize for View {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text())
    }
}

impl View {
    /// The view of `sentence`, or `None` when rules can match the sentence as it is.
    pub fn of(sentence: &str, simplifier: &Simplifier) -> Option<View> {
        if !may_differ(sentence, simplifier) {
            return None;
        }
        Self::build(sentence, simplifier)
    }

    /// The text of [`View::of`] without its map back to the sentence (what
    /// consolidation compares), or `None` when it is the sentence itself.
    pub fn text_of(sentence: &str, simplifier: &Simplifier) -> Option<String> {
        if !may_differ(sentence, simplifier) {
            return None;
        }
        view_text(sentence, simplifier).map(|(text, _)| text)
    }

    /// The view, built without the quick test of [`may_differ`].
    fn build(sentence: &str, simplifier: &Simplifier) -> Option<View> {
        let (text, kept) = view_text(sentence, simplifier)?;
        let mut mapped = MappedText::default();
        for (c, (_, from)) in text.chars().zip(&kept) {
            mapped.push(MappedChar::new(c, from.start as u32, from.end as u32));
        }
        // A document keeps a view per sentence until its matches are taken.
        mapped.shrink_to_fit();
        Some(View { mapped })
    }

    /// The text rules match.
    pub fn text(&self) -> &str {
        self.mapped.as_str()
    }

    /// Maps a byte range of the view (on character boundaries) to the range of the
    /// sentence text it comes from; an empty range maps to where its character
    /// starts (past the end: where the last one ends).
    pub fn to_original(&self, range: Range<usize>) -> Range<usize> {
        if !range.is_empty() {
            return self.mapped.origin_of(range);
        }
        let text = self.text();
        let at = range.start;
        let point = match text[at.min(text.len())..].chars().next() {
            Some(c) => self.mapped.origin_of(at..at + c.len_utf8()).start,
            None => match text.chars().next_back() {
                Some(c) => {
                    self.mapped
                        .origin_of(text.len() - c.len_utf8()..text.len())
                        .end
                }
                None => 0,
            },
        };
        point..point
    }
}

/// Characters of a sentence, each with its byte range in the sentence.
type Kept = Vec<(char, Range<usize>)>;

/// The view's text of `sentence`, and the sentence's characters it keeps (one per
/// character of the text, each with its byte range in `sentence`); `None` when the
/// view is the sentence itself.
fn view_text(sentence: &str, simplifier: &Simplifier) -> Option<(String, Kept)> {
    let kept = without_noise(sentence);
    let cleaned: String = kept.iter().map(|(c, _)| *c).collect();
    let simplified = simplifier.simplify(&cleaned);
    if simplified == sentence {
        return None;
    }
    // t2s maps character for character; should a phrase ever change length, the
    // view stays unsimplified rather than mapped wrongly.
    let text = if simplified.chars().count() == kept.len() {
        simplified
    } else {
        cleaned
    };
    Some((text, kept))
}

/// Whether the view of `s` may differ from `s`: it holds a bracket (inserted pinyin),
/// a comma (a doubled one), or a character t2s may change. Most sentences hold no
/// bracket and no traditional character: one pass tells, without building the view.
fn may_differ(s: &str, simplifier: &Simplifier) -> bool {
    let mut after_comma = false;
    for c in s.chars() {
        if matches!(c, '（' | '(') || (after_comma && AFTER_COMMA.contains(&c)) {
            return true;
        }
        if simplifier.may_change(c) {
            return true;
        }
        after_comma = matches!(c, '，' | ',');
    }
    false
}

/// `s` without the noise the view leaves out (inserted pinyin, doubled commas), in
/// its own characters: how a gold key and a fact's text are compared.
pub fn without_noise_text(s: &str) -> String {
    without_noise(s).into_iter().map(|(c, _)| c).collect()
}

/// The characters of `s` that the view keeps, each with its byte range in `s`.
fn without_noise(s: &str) -> Kept {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if let Some(len) = inserted_pinyin(&chars, i) {
            i += len;
            continue;
        }
        let doubled_comma = matches!(c, '，' | ',')
            && chars
                .get(i + 1)
                .is_some_and(|(_, n)| AFTER_COMMA.contains(n));
        if !doubled_comma {
            out.push((c, at..at + c.len_utf8()));
        }
        i += 1;
    }
    out
}

/// The length in characters of a bracketed pinyin syllable starting at `chars[i]`
/// right after a Han character (`（fā）` in `發（fā）展`), if there is one.
fn inserted_pinyin(chars: &[(usize, char)], i: usize) -> Option<usize> {
    let (_, open) = chars[i];
    if !matches!(open, '（' | '(') || i == 0 || !is_han(chars[i - 1].1) {
        return None;
    }
    let close = chars[i + 1..]
        .iter()
        .take(MAX_PINYIN + 1)
        .position(|(_, c)| matches!(c, '）' | ')'))?;
    let inner: String = chars[i + 1..i + 1 + close]
        .iter()
        .map(|(_, c)| *c)
        .collect();
    (!inner.is_empty() && PINYIN.is_match(&inner)).then_some(close + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(s: &str) -> Option<View> {
        View::of(s, &Simplifier::new().unwrap())
    }

    #[test]
    fn inserted_pinyin_is_left_out_and_mapped_back() {
        let s = "金磚國家領（lǐng）導（dǎo）人通過并發（fā）表宣言。";
        let v = view(s).unwrap();
        assert_eq!(v.text(), "金砖国家领导人通过并发表宣言。");
        let at = v.text().find("领导人").unwrap();
        let r = v.to_original(at..at + "领导人".len());
        assert_eq!(&s[r], "領（lǐng）導（dǎo）人");
        let at = v.text().find("宣言").unwrap();
        assert_eq!(&s[v.to_original(at..at + "宣言".len())], "宣言");
    }

    #[test]
    fn brackets_that_are_not_pinyin_stay() {
        // An English abbreviation, a number and a year are not pinyin.
        for s in [
            "世界银行（WB）发布报告。",
            "提供100亿美元（约合700亿元）。",
            "行动计划（2022—2026年）。",
            "（上接第一版）全文。",
        ] {
            assert!(view(s).is_none(), "{s}");
        }
        assert_eq!(
            view("他说（de）对。")
                .map(|v| v.text().to_string())
                .as_deref(),
            Some("他说对。")
        );
    }

    #[test]
    fn a_comma_doubled_before_punctuation_is_left_out() {
        let s = "包括序言，、加强全球治理，。";
        let v = view(s).unwrap();
        assert_eq!(v.text(), "包括序言、加强全球治理。");
        assert_eq!(&s[v.to_original(0..v.text().len())], s);
    }

    /// The quick test never skips a sentence whose view differs.
    #[test]
    fn the_quick_test_skips_only_plain_sentences() {
        let simplifier = Simplifier::new().unwrap();
        let cases = [
            "金磚國家領（lǐng）導人。",
            "他说(de)对。",
            "包括序言，、加强。",
            "包括序言,。",
            "中方将提供5亿美元无偿援助。",
            "行动计划（2022—2026年）。",
            "發展",
            "𠀀字",
            "",
        ];
        for s in cases {
            if View::build(s, &simplifier).is_some() {
                assert!(may_differ(s, &simplifier), "{s}");
            }
        }
        assert!(!may_differ("中方将提供5亿美元无偿援助。", &simplifier));
    }

    /// Every range of the view maps where a table of one entry per character
    /// would map it: from the start of its first character to the end of its last;
    /// an empty range to the start of the character there (past the end: the end
    /// of the last).
    #[test]
    fn runs_map_every_range_as_a_table_would() {
        let simplifier = Simplifier::new().unwrap();
        let cases = [
            "金磚國家領（lǐng）導（dǎo）人通過并發（fā）表宣言。",
            "包括序言，、加强全球治理，。",
            "（圖：烏茲別克總統府）上海合作組織大擴編，上合峰會16日簽署備忘錄。",
            "發展𠀀字，、與（yǔ）會各國㑮㒓人。",
            "他说（de）对。",
        ];
        for s in cases {
            let v = View::build(s, &simplifier).unwrap();
            assert_eq!(View::text_of(s, &simplifier).as_deref(), Some(v.text()));
            let kept = without_noise(s);
            let table: Vec<(usize, usize, usize)> = v
                .text()
                .char_indices()
                .zip(&kept)
                .map(|((at, _), (_, from))| (at, from.start, from.end))
                .collect();
            let start_at = |at: usize| {
                table
                    .iter()
                    .find(|c| c.0 >= at)
                    .map_or(table.last().unwrap().2, |c| c.1)
            };
            let end_before = |at: usize| table.iter().rev().find(|c| c.0 < at).map_or(0, |c| c.2);
            let text = v.text();
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(at, _)| at)
                .chain([text.len()])
                .collect();
            for (i, &a) in bounds.iter().enumerate() {
                assert_eq!(
                    v.to_original(a..a),
                    start_at(a)..start_at(a),
                    "{s} {a}..{a}"
                );
                for &b in &bounds[i + 1..] {
                    let want = start_at(a)..end_before(b).max(start_at(a));
                    assert_eq!(v.to_original(a..b), want, "{s} {a}..{b}");
                }
            }
        }
    }

    #[test]
    fn plain_simplified_text_has_no_view() {
        assert!(view("中方将提供5亿美元无偿援助。").is_none());
    }
}
