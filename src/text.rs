//! Text that remembers where every character came from in the original file.
//!
//! Every stage that rewrites text (decoding, stripping markup, joining lines,
//! converting punctuation) works on [`MappedChar`]s so that a sentence found in
//! the normalised text can always be cited by its byte span in the file the
//! user has.

use std::ops::Range;

/// Marks a hard paragraph break that markup implied (a block tag, `<br>`, a heading,
/// a Word paragraph): what the readers of stage 1 and normalise agree on.
pub const PARAGRAPH_BREAK: char = '\u{2029}';

/// One character of a rewritten text and the bytes of the original file it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MappedChar {
    /// The character as it is now.
    pub ch: char,
    /// Byte offset in the original file where the character's source begins.
    pub start: u32,
    /// Byte offset in the original file just after the character's source.
    pub end: u32,
}

impl MappedChar {
    /// A character that stands for `start..end` of the original file.
    pub fn new(ch: char, start: u32, end: u32) -> Self {
        MappedChar { ch, start, end }
    }

    /// The same origin, another character (used when a character is rewritten).
    pub fn with(self, ch: char) -> Self {
        MappedChar { ch, ..self }
    }
}

/// A string plus, for every character of it, the original byte range it stands for.
///
/// Most of a normalised text is the original copied through: characters that follow
/// one another in the file, each as long in the file as in the text. Such a stretch is
/// kept as one run (where it starts, here and in the file), so the map costs a few
/// bytes per rewritten character instead of eight per byte of text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappedText {
    text: String,
    /// In text order; each covers the text from its `at` to the next run's.
    runs: Vec<Run>,
}

/// A stretch of [`MappedText`] and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    /// Byte offset in the text where the run starts.
    at: u32,
    /// Byte offset in the original file where its first character's source begins.
    start: u32,
    /// For a rewritten character (a run of one), where its source ends; for a copied
    /// stretch, where the source of the run so far ends.
    end: u32,
    /// A copied stretch: character `k` bytes into the run comes from `start + k`, and
    /// is as long there as here.
    copied: bool,
}

impl MappedText {
    /// Builds the text from mapped characters.
    pub fn from_chars(chars: &[MappedChar]) -> Self {
        chars.iter().copied().collect()
    }

    /// An empty text with room for `bytes` bytes of text.
    pub fn with_capacity(bytes: usize) -> Self {
        MappedText {
            text: String::with_capacity(bytes),
            runs: Vec::new(),
        }
    }

    /// Every character with its origin, as [`push`](Self::push) received it: a stage
    /// that needs them one by one reads them without the whole text ever being held
    /// at twelve bytes a character.
    pub fn chars(&self) -> impl Iterator<Item = MappedChar> + '_ {
        self.runs.iter().enumerate().flat_map(move |(i, run)| {
            let end = self
                .runs
                .get(i + 1)
                .map_or(self.text.len(), |r| r.at as usize);
            let at = run.at as usize;
            self.text[at..end].char_indices().map(move |(k, ch)| {
                if run.copied {
                    let start = run.start + k as u32;
                    MappedChar::new(ch, start, start + ch.len_utf8() as u32)
                } else {
                    MappedChar::new(ch, run.start, run.end)
                }
            })
        })
    }

    /// Frees the room kept for more text (for a text that is kept long).
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.runs.shrink_to_fit();
    }

    /// Appends one character.
    pub fn push(&mut self, c: MappedChar) {
        let len = c.ch.len_utf8() as u32;
        let at = self.text.len() as u32;
        self.text.push(c.ch);
        let copied = c.end.checked_sub(c.start) == Some(len);
        if let Some(last) = self.runs.last_mut()
            && copied
            && last.copied
            && last.end == c.start
            && last.start + (at - last.at) == c.start
        {
            last.end = c.end;
            return;
        }
        self.runs.push(Run {
            at,
            start: c.start,
            end: c.end,
            copied,
        });
    }

    /// The text itself.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// True when there is no text.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The original byte range covered by `range` of this text (which must be non-empty
    /// and lie on character boundaries).
    pub fn origin_of(&self, range: Range<usize>) -> Range<usize> {
        debug_assert!(range.start < range.end && range.end <= self.text.len());
        let first = self.run_at(range.start);
        let start = if first.copied {
            first.start as usize + (range.start - first.at as usize)
        } else {
            first.start as usize
        };
        let last = self.run_at(range.end - 1);
        let end = if last.copied {
            last.start as usize + (range.end - last.at as usize)
        } else {
            last.end as usize
        };
        start..end.max(start)
    }

    /// The run holding byte `at` of the text.
    fn run_at(&self, at: usize) -> &Run {
        let i = self.runs.partition_point(|r| r.at as usize <= at);
        &self.runs[i.saturating_sub(1)]
    }
}

impl FromIterator<MappedChar> for MappedText {
    fn from_iter<I: IntoIterator<Item = MappedChar>>(chars: I) -> Self {
        let mut out = MappedText::default();
        for c in chars {
            out.push(c);
        }
        out
    }
}

/// True for the characters that reorder text invisibly: the bidirectional embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the direction marks
/// (U+200E, U+200F, U+061C). A U+202E in a source can make a quote read backwards.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// True for characters no output takes from a source: C0 and C1 controls (escape
/// sequences, NUL, DEL) other than line break and tab, and bidirectional controls.
pub fn is_unsafe_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t')) || is_bidi_control(c)
}

/// `text` made safe to print on a terminal: every control character (but line break
/// and tab) and every bidirectional control is shown as `\u{…}`, so a source cannot
/// send escape sequences (`ESC[31m`) to the terminal or reorder what it shows.
pub fn for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` without the characters of [`is_unsafe_control`] (for values that reach an
/// output without passing through normalisation: summit.yaml, front matter).
pub fn without_controls(text: &str) -> String {
    text.chars().filter(|c| !is_unsafe_control(*c)).collect()
}

/// True for CJK ideographs (the "Chinese characters" of the normalisation rules).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3007)
}

/// True for CJK and full-width punctuation, quotes and brackets.
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
        || matches!(c, '“' | '”' | '‘' | '’' | '—' | '…' | '·' | '–')
}

/// True for characters that count as "Chinese" when deciding whether ASCII
/// punctuation or a space sits between Chinese text.
pub fn is_chinese(c: char) -> bool {
    is_han(c) || is_cjk_punct(c)
}

/// Characters that end a sentence.
pub fn is_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?')
}

/// List bullets that may open a paragraph or a sentence (`■关键词`, `●要深化…`).
pub fn is_bullet(c: char) -> bool {
    matches!(
        c,
        '■' | '□' | '●' | '○' | '◆' | '◇' | '▪' | '•' | '★' | '☆' | '▲' | '►'
    )
}

/// Closing quotes and brackets that stay with the sentence they close (`不为不成。”`).
pub fn is_closer(c: char) -> bool {
    matches!(
        c,
        '”' | '’' | '」' | '』' | '）' | ')' | '》' | '〉' | '】' | '"' | '\''
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_of_spans_whole_characters() {
        let chars = [
            MappedChar::new('中', 10, 13),
            MappedChar::new('，', 13, 14), // was an ASCII comma
            MappedChar::new('国', 14, 17),
        ];
        let t = MappedText::from_chars(&chars);
        assert_eq!(t.as_str(), "中，国");
        assert_eq!(t.origin_of(0..3), 10..13);
        assert_eq!(t.origin_of(3..6), 13..14);
        assert_eq!(t.origin_of(0..9), 10..17);
    }

    /// Reading the characters back gives exactly what was pushed, origins included.
    #[test]
    fn chars_come_back_as_pushed() {
        let chars = [
            MappedChar::new('中', 0, 3),
            MappedChar::new('国', 3, 6),
            MappedChar::new('，', 6, 7), // rewritten: a run of its own
            MappedChar::new('a', 7, 8),
            MappedChar::new('\n', 8, 10),  // a folded CRLF
            MappedChar::new('人', 12, 15), // after a gap
            MappedChar::new('\n', 15, 15), // added, zero-width
            MappedChar::new('民', 15, 18),
        ];
        let t = MappedText::from_chars(&chars);
        assert!(t.runs.len() < chars.len());
        assert_eq!(t.chars().collect::<Vec<_>>(), chars);
        assert_eq!(MappedText::default().chars().count(), 0);
    }

    /// Copied stretches are stored as runs, and map exactly as one entry per
    /// character would: rewritten, dropped and zero-width characters included.
    #[test]
    fn runs_map_every_character_as_it_came() {
        let chars = [
            MappedChar::new('中', 0, 3),
            MappedChar::new('国', 3, 6),
            MappedChar::new('，', 6, 7), // an ASCII comma made full-width
            MappedChar::new('a', 7, 8),
            MappedChar::new('b', 8, 9),
            MappedChar::new('人', 12, 15), // after three bytes left out
            MappedChar::new('\n', 15, 15), // a break the normaliser added
            MappedChar::new('民', 15, 18),
            MappedChar::new('A', 18, 21), // a full-width Ａ made ASCII
        ];
        let t = MappedText::from_chars(&chars);
        assert!(t.runs.len() < chars.len());
        let mut at = 0;
        let bounds: Vec<(usize, &MappedChar)> = chars
            .iter()
            .map(|c| {
                let b = at;
                at += c.ch.len_utf8();
                (b, c)
            })
            .collect();
        for (i, (a, ca)) in bounds.iter().enumerate() {
            for (b, cb) in &bounds[i..] {
                let end = b + cb.ch.len_utf8();
                let want = ca.start as usize..(cb.end as usize).max(ca.start as usize);
                assert_eq!(t.origin_of(*a..end), want, "{a}..{end}");
            }
        }
    }

    #[test]
    fn terminal_text_shows_controls_as_escapes() {
        assert_eq!(for_terminal("甲\tb\n"), "甲\tb\n");
        assert_eq!(
            for_terminal("a\x1b[31mb\u{202E}c\u{85}\0"),
            "a\\u{1b}[31mb\\u{202e}c\\u{85}\\u{0}"
        );
        assert_eq!(without_controls("a\x1b\u{2066}b\n"), "ab\n");
    }

    #[test]
    fn character_classes() {
        assert!(is_han('中') && is_han('〇') && !is_han('a') && !is_han('。'));
        assert!(is_cjk_punct('。') && is_cjk_punct('”') && is_cjk_punct('，'));
        assert!(!is_cjk_punct(',') && !is_chinese('5'));
        assert!(is_terminator('。') && is_terminator('?') && !is_terminator('，'));
    }
}
