//! Decoding a file's bytes to characters that remember their byte spans: UTF-8 with
//! or without BOM, UTF-16 with BOM, GB18030 (and so GBK and GB2312). Encodings are
//! recognised, not guessed: valid UTF-8 is UTF-8; otherwise strictly valid GB18030
//! is GB18030; anything else — binary data, NUL bytes, a PDF — is refused.

use std::path::Path;

use crate::error::{Error, Result};
use crate::text::{MappedChar, MappedText};

/// The text encodings `factsheet` recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without byte-order mark.
    Utf8,
    /// UTF-8 with byte-order mark.
    Utf8Bom,
    /// UTF-16 little endian, with byte-order mark.
    Utf16Le,
    /// UTF-16 big endian, with byte-order mark.
    Utf16Be,
    /// GB18030 (a superset of GBK and GB2312).
    Gb18030,
    /// Another encoding a web page declares (Big5, Shift_JIS, windows-1252, …), by name.
    Declared(&'static str),
}

impl Encoding {
    /// A human name.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Gb18030 => "GB18030",
            Encoding::Declared(name) => name,
        }
    }
}

/// Decodes a file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030.
///
/// Anything else (binary data, an empty file, bytes valid in no supported encoding)
/// is an error naming `path`.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<(Encoding, MappedText)> {
    if bytes.is_empty() {
        return Err(Error::input(
            path,
            "the file is empty; there is no text to read",
        ));
    }
    if let Some(decoded) = decode_by_bom(path, bytes) {
        return decoded;
    }
    if bytes.starts_with(b"%PDF-") {
        return Err(Error::input(
            path,
            "is a PDF file, but summit.yaml declares a text format for it; declare `format: pdf` or leave `format:` out, and its text layer is read",
        ));
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::input(
            path,
            format!(
                "is not a text file (NUL byte at offset {pos}); if it is UTF-16, save it with a byte-order mark"
            ),
        ));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Encoding::Utf8, checked(path, utf8_text(text, 0))?));
    }
    if let Some(chars) = gb18030_chars(bytes) {
        return Ok((
            Encoding::Gb18030,
            checked(path, MappedText::from_chars(&chars))?,
        ));
    }
    let bad = std::str::from_utf8(bytes)
        .err()
        .map(|e| e.valid_up_to())
        .unwrap_or(0);
    Err(Error::input(
        path,
        format!(
            "is not text in a supported encoding (not UTF-8 from byte {bad}, not UTF-16 with BOM, not GB18030)"
        ),
    ))
}

/// A file that starts with a byte-order mark, decoded as the mark says; `None`
/// without one.
fn decode_by_bom(path: &Path, bytes: &[u8]) -> Option<Result<(Encoding, MappedText)>> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let decoded = std::str::from_utf8(rest)
            .map_err(|e| {
                Error::input(
                    path,
                    format!(
                        "starts with a UTF-8 byte-order mark but byte {} is not UTF-8",
                        e.valid_up_to() + 3
                    ),
                )
            })
            .and_then(|text| checked(path, utf8_text(text, 3)));
        return Some(decoded.map(|t| (Encoding::Utf8Bom, t)));
    }
    if !bytes.starts_with(b"\xFF\xFE") && !bytes.starts_with(b"\xFE\xFF") {
        return None;
    }
    let le = bytes[0] == 0xFF;
    let enc = if le {
        Encoding::Utf16Le
    } else {
        Encoding::Utf16Be
    };
    let decoded = utf16_chars(path, &bytes[2..], le)
        .and_then(|chars| checked(path, MappedText::from_chars(&chars)));
    Some(decoded.map(|t| (enc, t)))
}

/// A warning when text decoded as GB18030 looks like something else read wrongly:
/// Chinese text in GB18030 keeps almost entirely to the GB2312 area (both bytes
/// 0xA1–0xFE), while Latin-1 or Windows-1252 text that happens to be valid GB18030
/// (`Müller` is the bytes of `M黮ler`) lands mostly outside it.
pub fn gb18030_warning(path: &Path, text: &str) -> Option<String> {
    let mut buf = [0u8; 4];
    let (mut wide, mut rare, mut example) = (0usize, 0usize, None);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        wide += 1;
        let (bytes, _, _) = encoding_rs::GB18030.encode(c.encode_utf8(&mut buf));
        let gb2312 = bytes.len() == 2 && bytes.iter().all(|b| (0xA1..=0xFE).contains(b));
        if !gb2312 {
            rare += 1;
            example.get_or_insert(c);
        }
    }
    (wide > 0 && rare * 2 > wide).then(|| {
        format!(
            "{}: is not UTF-8 and was read as GB18030, but {rare} of its {wide} non-ASCII characters are rare in Chinese text (such as {:?}); if it is Latin-1 or Windows-1252, convert it to UTF-8",
            path.display(),
            example.unwrap_or('?')
        )
    })
}

/// Rejects decoded text that is mostly control characters (binary data that happens to decode).
pub(super) fn finish(path: &Path, chars: Vec<MappedChar>) -> Result<Vec<MappedChar>> {
    check_decoded(path, chars.iter().map(|c| c.ch))?;
    Ok(chars)
}

/// [`finish`] for a text already held compactly.
fn checked(path: &Path, text: MappedText) -> Result<MappedText> {
    check_decoded(path, text.as_str().chars())?;
    Ok(text)
}

/// Refuses decoded characters that are mostly controls (binary data that happens to
/// decode) or only white space.
fn check_decoded(path: &Path, chars: impl Iterator<Item = char>) -> Result<()> {
    let (mut controls, mut count, mut blank) = (0usize, 0usize, true);
    for ch in chars {
        count += 1;
        controls += usize::from(ch.is_control() && !matches!(ch, '\n' | '\t' | '\x0C'));
        blank &= ch.is_whitespace() || ch == '\u{FEFF}';
    }
    if controls * 20 > count.max(1) {
        return Err(Error::input(
            path,
            format!("is not a text file ({controls} control characters in {count} characters)"),
        ));
    }
    if blank {
        return Err(Error::input(
            path,
            "holds only white space; there is no text to read",
        ));
    }
    Ok(())
}

/// UTF-8 `text` (which starts at byte `base` of the file) as a compact mapped text,
/// `\r\n` and a lone `\r` read as `\n` as [`push_char`] does: a large file is never
/// held at twelve bytes a character.
fn utf8_text(text: &str, base: usize) -> MappedText {
    let mut out = MappedText::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        let start = (base + i) as u32;
        let mut end = start + ch.len_utf8() as u32;
        let mut ch = ch;
        if ch == '\r' {
            match chars.peek() {
                Some(&(_, '\n')) => {
                    chars.next();
                    end += 1;
                    ch = '\n';
                }
                Some(_) => ch = '\n',
                // As push_char, which folds a `\r` only once another character follows.
                None => {}
            }
        }
        out.push(MappedChar::new(ch, start, end));
    }
    out
}

/// Maps each character of UTF-8 `text` (which starts at byte `base` of the file).
pub(super) fn utf8_chars(text: &str, base: usize) -> Vec<MappedChar> {
    let mut out: Vec<MappedChar> = Vec::with_capacity(text.len());
    for (i, ch) in text.char_indices() {
        let start = (base + i) as u32;
        push_char(&mut out, ch, start, start + ch.len_utf8() as u32);
    }
    out
}

/// Appends a decoded character, folding `\r\n` and lone `\r` into `\n`.
pub(super) fn push_char(out: &mut Vec<MappedChar>, ch: char, start: u32, end: u32) {
    if ch == '\n'
        && let Some(last) = out.last_mut()
        && last.ch == '\r'
    {
        last.ch = '\n';
        last.end = end;
        return;
    }
    if let Some(last) = out.last_mut()
        && last.ch == '\r'
    {
        last.ch = '\n';
    }
    out.push(MappedChar::new(ch, start, end));
}

fn utf16_chars(path: &Path, body: &[u8], le: bool) -> Result<Vec<MappedChar>> {
    if !body.len().is_multiple_of(2) {
        return Err(Error::input(
            path,
            "is UTF-16 (byte-order mark) but has an odd number of bytes",
        ));
    }
    let units = body.chunks_exact(2).map(|p| {
        if le {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    let mut out = Vec::with_capacity(body.len() / 2);
    let mut offset = 2u32;
    for r in char::decode_utf16(units) {
        match r {
            Ok(ch) => {
                let len = 2 * ch.len_utf16() as u32;
                push_char(&mut out, ch, offset, offset + len);
                offset += len;
            }
            Err(e) => {
                return Err(Error::input(
                    path,
                    format!(
                        "is UTF-16 but has an unpaired surrogate {:#06x} at byte {offset}",
                        e.unpaired_surrogate()
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// Decodes GB18030 strictly; `None` when the bytes are not valid GB18030.
pub(super) fn gb18030_chars(bytes: &[u8]) -> Option<Vec<MappedChar>> {
    let text = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)?;
    // Re-encode each character to learn how many bytes it took (1, 2 or 4).
    let mut out = Vec::with_capacity(text.len());
    let mut offset = 0u32;
    let mut buf = [0u8; 4];
    for ch in text.chars() {
        let len = if ch.is_ascii() {
            1
        } else {
            let (encoded, _, _) = encoding_rs::GB18030.encode(ch.encode_utf8(&mut buf));
            encoded.len() as u32
        };
        push_char(&mut out, ch, offset, offset + len);
        offset += len;
    }
    (offset as usize == bytes.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(chars: &[MappedChar]) -> String {
        chars.iter().map(|c| c.ch).collect()
    }

    /// What `decode` gives, one mapped character at a time.
    fn decoded(path: &str, bytes: &[u8]) -> (Encoding, Vec<MappedChar>) {
        let (encoding, text) = decode(Path::new(path), bytes).unwrap();
        (encoding, text.chars().collect())
    }

    const SAMPLE: &str = "中方倡议建立中国—中亚五国电子商务合作对话机制。\n5 亿美元";

    #[test]
    fn utf8_with_and_without_bom() {
        let (enc, chars) = decoded("a", SAMPLE.as_bytes());
        assert_eq!(enc, Encoding::Utf8);
        assert_eq!(text_of(&chars), SAMPLE);
        assert_eq!((chars[1].start, chars[1].end), (3, 6));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(SAMPLE.as_bytes());
        let (enc, chars) = decoded("a", &bom);
        assert_eq!(enc, Encoding::Utf8Bom);
        assert_eq!(text_of(&chars), SAMPLE);
        assert_eq!(chars[0].start, 3);
    }

    #[test]
    fn utf16_both_orders() {
        for le in [true, false] {
            let mut bytes = if le {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for u in SAMPLE.encode_utf16() {
                bytes.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            let (enc, chars) = decoded("a", &bytes);
            assert_eq!(
                enc,
                if le {
                    Encoding::Utf16Le
                } else {
                    Encoding::Utf16Be
                }
            );
            assert_eq!(text_of(&chars), SAMPLE);
            assert_eq!((chars[0].start, chars[0].end), (2, 4));
        }
    }

    #[test]
    fn gb18030_is_recognised_with_byte_spans() {
        let (bytes, _, _) = encoding_rs::GB18030.encode(SAMPLE);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "fixture must not be UTF-8"
        );
        let (enc, chars) = decoded("a", &bytes);
        assert_eq!(enc, Encoding::Gb18030);
        assert_eq!(text_of(&chars), SAMPLE);
        assert_eq!((chars[0].start, chars[0].end), (0, 2));
        let last = chars.last().unwrap();
        assert_eq!(last.end as usize, bytes.len());
    }

    #[test]
    fn latin1_read_as_gb18030_is_flagged_and_chinese_is_not() {
        // "Müller und Söhne: Änderungen" in Latin-1 happens to be valid GB18030.
        let latin1: Vec<u8> = "Müller und Söhne: Änderungen"
            .chars()
            .map(|c| c as u32 as u8)
            .collect();
        let (enc, chars) = decoded("l.txt", &latin1);
        assert_eq!(enc, Encoding::Gb18030);
        let w = gb18030_warning(Path::new("l.txt"), &text_of(&chars)).unwrap();
        assert!(
            w.starts_with("l.txt: is not UTF-8 and was read as GB18030, but 3 of its 3 non-ASCII characters are rare in Chinese text"),
            "{w}"
        );
        let (bytes, _, _) = encoding_rs::GB18030.encode(SAMPLE);
        let (_, chars) = decoded("a", &bytes);
        assert_eq!(gb18030_warning(Path::new("a"), &text_of(&chars)), None);
    }

    #[test]
    fn crlf_is_one_newline_spanning_both_bytes() {
        let (_, chars) = decoded("a", "甲\r\n乙\r丙".as_bytes());
        assert_eq!(text_of(&chars), "甲\n乙\n丙");
        assert_eq!((chars[1].start, chars[1].end), (3, 5));
    }

    /// The compact UTF-8 reading folds line ends exactly as the character-by-character
    /// one the web-page reader uses.
    #[test]
    fn compact_utf8_reads_as_character_by_character() {
        // Long enough that a lone `\r` left at the end is not taken for binary data.
        let long = "中方倡议建立中国—中亚五国电子商务合作对话机制";
        for end in [
            "甲\r\n乙",
            "甲\r\r\n乙\r",
            "\r\n\r甲\n\n",
            "a\rb\r\n\r\nc",
            "甲乙\r",
        ] {
            let text = format!("{end}{long}{end}");
            let (_, chars) = decoded("a", text.as_bytes());
            assert_eq!(chars, utf8_chars(&text, 0), "{text:?}");
        }
    }

    #[test]
    fn rejects_non_text() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let err = decode(Path::new("img.png"), png).unwrap_err().to_string();
        assert!(err.starts_with("img.png: is not a text file"), "{err}");
        let err = decode(Path::new("e.txt"), b"").unwrap_err().to_string();
        assert!(err.contains("e.txt: the file is empty"), "{err}");
        let err = decode(Path::new("s.txt"), b"  \n\t\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("only white space"), "{err}");
        let err = decode(Path::new("d.pdf"), b"%PDF-1.7\n...")
            .unwrap_err()
            .to_string();
        assert!(err.contains("is a PDF file"), "{err}");
        let err = decode(Path::new("x.bin"), &[0x81, 0x20, 0xFF, 0xFE, 0x80])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not text in a supported encoding"), "{err}");
    }
}
