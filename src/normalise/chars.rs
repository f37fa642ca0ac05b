//! Character-level normalisation of one paragraph: full-width letters and digits,
//! ASCII punctuation inside Chinese text, and spaces around Chinese.

use crate::text::{MappedChar, is_bullet, is_chinese, is_han, is_unsafe_control};

/// Normalises one paragraph's characters (already free of line breaks).
///
/// 1. Full-width digits and Latin letters become ASCII; ideographic, no-break and
///    other spaces become plain spaces; zero-width characters and markers go, and so
///    do control characters and bidirectional controls.
/// 2. `, : ; ! ?` written in ASCII after Chinese text become full-width
///    (`，：；！？`), and `( )` around Chinese text become `（ ）`.
/// 3. Spaces next to Chinese characters go, except a single space between two Han
///    characters (a deliberate gap, as in `携手共命运 一起向未来`); other runs of
///    spaces become one space; leading bullets and surrounding spaces are trimmed.
pub fn normalise_paragraph(chars: &[MappedChar]) -> Vec<MappedChar> {
    let mapped: Vec<MappedChar> = chars.iter().filter_map(|c| widen_or_drop(*c)).collect();
    let punct = convert_punctuation(&mapped);
    let spaced = fix_spaces(&punct);
    trim_bullets(spaced)
}

/// Step 1 for one character; `None` drops it.
fn widen_or_drop(c: MappedChar) -> Option<MappedChar> {
    let ch = c.ch;
    let out = match ch as u32 {
        0xFF10..=0xFF19 | 0xFF21..=0xFF3A | 0xFF41..=0xFF5A => {
            char::from_u32(ch as u32 - 0xFF10 + 0x30).unwrap_or(ch)
        }
        0x3000 | 0x00A0 | 0x2000..=0x200A | 0x202F | 0x205F | 0x0009 | 0x000C => ' ',
        0x200B..=0x200D | 0x2060 | 0xFEFF | 0x00AD | 0x2028 | 0x2029 => return None,
        // Escape sequences, NUL (from `&#0;`), DEL, C1 controls and bidirectional
        // overrides never reach a sentence: no output can carry them, and a citation
        // still covers the bytes they stood in.
        _ if is_unsafe_control(ch) => return None,
        _ => ch,
    };
    Some(c.with(out))
}

/// Step 2: ASCII punctuation in Chinese context becomes full-width.
fn convert_punctuation(chars: &[MappedChar]) -> Vec<MappedChar> {
    let mut out: Vec<MappedChar> = chars.to_vec();
    let prev_of = |i: usize| chars[..i].iter().rev().find(|c| c.ch != ' ').map(|c| c.ch);
    let next_of = |i: usize| chars[i + 1..].iter().find(|c| c.ch != ' ').map(|c| c.ch);
    for i in 0..chars.len() {
        let full = match chars[i].ch {
            ',' => '，',
            ':' => '：',
            ';' => '；',
            '!' => '！',
            '?' => '？',
            '(' => {
                if let Some(close) = matching_paren(chars, i) {
                    let inner = &chars[i + 1..close];
                    if inner.iter().any(|c| is_han(c.ch))
                        && !inner.iter().any(|c| c.ch.is_ascii_alphabetic())
                    {
                        out[i] = chars[i].with('（');
                        out[close] = chars[close].with('）');
                    }
                }
                continue;
            }
            _ => continue,
        };
        let (prev, next) = (prev_of(i), next_of(i));
        let chinese_before = prev.is_some_and(is_chinese);
        let latin_after = next.is_some_and(|c| c.is_ascii_alphabetic());
        let han_after = next.is_some_and(is_han);
        let latin_before = prev.is_some_and(|c| c.is_ascii_alphabetic());
        let digit_both =
            prev.is_some_and(|c| c.is_ascii_digit()) && next.is_some_and(|c| c.is_ascii_digit());
        if !digit_both
            && ((chinese_before && !latin_after) || (han_after && prev.is_some() && !latin_before))
        {
            out[i] = chars[i].with(full);
        }
    }
    out
}

/// The index of the `)` closing the `(` at `open`, on the same paragraph.
fn matching_paren(chars: &[MappedChar], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (k, c) in chars.iter().enumerate().skip(open) {
        match c.ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// Step 3: removes or collapses runs of spaces according to their neighbours.
fn fix_spaces(chars: &[MappedChar]) -> Vec<MappedChar> {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].ch != ' ' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run_end = chars[i..]
            .iter()
            .position(|c| c.ch != ' ')
            .map_or(chars.len(), |p| i + p);
        let prev = out.last().map(|c: &MappedChar| c.ch);
        let next = chars.get(run_end).map(|c| c.ch);
        let keep = match (prev, next) {
            (Some(p), Some(n)) => {
                if is_han(p) && is_han(n) {
                    true
                } else {
                    !(is_chinese(p) || is_chinese(n))
                }
            }
            _ => false,
        };
        if keep {
            out.push(chars[i]);
        }
        i = run_end;
    }
    out
}

/// Drops list bullets that open a paragraph, and trims spaces at both ends.
fn trim_bullets(mut chars: Vec<MappedChar>) -> Vec<MappedChar> {
    let lead = chars
        .iter()
        .position(|c| c.ch != ' ' && !is_bullet(c.ch))
        .unwrap_or(chars.len());
    chars.drain(..lead);
    while chars.last().is_some_and(|c| c.ch == ' ') {
        chars.pop();
    }
    chars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        let chars: Vec<MappedChar> = s
            .char_indices()
            .map(|(i, c)| MappedChar::new(c, i as u32, (i + c.len_utf8()) as u32))
            .collect();
        normalise_paragraph(&chars).iter().map(|c| c.ch).collect()
    }

    /// One row per normalisation rule: (input, expected output).
    const CASES: &[(&str, &str)] = &[
        // Full-width digits and letters become ASCII.
        ("２０３０年", "2030年"),
        ("ＡＢＣｘｙｚ１", "ABCxyz1"),
        // ASCII punctuation between Chinese characters becomes full-width.
        ("各位同事,各位朋友:", "各位同事，各位朋友："),
        ("不行不至;事虽小", "不行不至；事虽小"),
        ("祝贺虎年吉祥!", "祝贺虎年吉祥！"),
        ("哪些成果?", "哪些成果？"),
        (
            "“我是外国人,但不是外人”,感动",
            "“我是外国人，但不是外人”，感动",
        ),
        ("我宣布,2022 年", "我宣布，2022年"),
        ("(上接第一版)中国", "（上接第一版）中国"),
        ("(2022 年 1 月 25 日)", "（2022年1月25日）"),
        // ... but not in Latin or numeric context.
        ("1,200 and 10:30", "1,200 and 10:30"),
        ("中国(CICA)会议", "中国(CICA)会议"),
        ("Hello, world!", "Hello, world!"),
        // Spaces between Chinese and digits or Latin letters go.
        ("5 亿美元", "5亿美元"),
        ("2030 年", "2030年"),
        ("天然气管道 D 线建设", "天然气管道D线建设"),
        ("建交 30 周年", "建交30周年"),
        // Spaces next to Chinese punctuation go.
        (
            "《 人民日报 》（ 2022年01月26日 01 版）",
            "《人民日报》（2022年01月26日01版）",
        ),
        // A single space between Han characters is a deliberate gap and stays.
        ("携手共命运  一起向未来", "携手共命运 一起向未来"),
        // Ideographic and no-break spaces are spaces.
        ("新华社记者\u{3000}李\u{A0}响摄", "新华社记者 李 响摄"),
        // Leading bullets and surrounding spaces are trimmed.
        ("■  提出5点建议。", "提出5点建议。"),
        ("  正文。 ", "正文。"),
        // Zero-width characters go.
        ("中\u{200B}国\u{FEFF}", "中国"),
    ];

    #[test]
    fn every_rule() {
        for (input, want) in CASES {
            assert_eq!(norm(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn converted_characters_keep_their_origin() {
        let chars: Vec<MappedChar> = "甲,乙"
            .char_indices()
            .map(|(i, c)| MappedChar::new(c, i as u32, (i + c.len_utf8()) as u32))
            .collect();
        let out = normalise_paragraph(&chars);
        assert_eq!((out[1].ch, out[1].start, out[1].end), ('，', 3, 4));
    }
}
