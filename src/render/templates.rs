//! The minijinja environment: templates loaded from `<root>/templates/` (so analysts
//! can edit them without recompiling), strict undefined behaviour, and the renderer's
//! auto-escaping on every value, so that no text from sources or rules can become
//! markup.

use std::path::Path;
use std::sync::Arc;

use minijinja::{AutoEscape, Environment, HtmlEscape, Output, State, UndefinedBehavior, Value};

use super::fonts::Coverage;
use crate::error::{Error, Result};
use crate::text::is_bidi_control;

/// How a renderer's templates escape every value they print.
#[derive(Debug, Clone)]
pub enum Escape {
    /// typst markup; characters `coverage` cannot draw become a visible `[U+XXXX]`.
    Typst(Arc<Coverage>),
    /// Markdown.
    Markdown,
    /// HTML, with minijinja's HTML auto-escape.
    Html,
}

impl Escape {
    /// minijinja's name for it.
    fn mode(&self) -> AutoEscape {
        match self {
            Escape::Typst(_) => AutoEscape::Custom("typst"),
            Escape::Markdown => AutoEscape::Custom("markdown"),
            Escape::Html => AutoEscape::Html,
        }
    }

    /// `text` escaped: control characters and bidirectional overrides dropped, then
    /// made literal for the output's language.
    pub fn apply(&self, text: &str) -> String {
        match self {
            Escape::Typst(coverage) => escape_typst_markup(text, coverage),
            Escape::Markdown => escape_markdown(text),
            Escape::Html => {
                let dropped =
                    |c: char| is_bidi_control(c) || (c.is_control() && c != '\n' && c != '\t');
                let clean: String = text.chars().filter(|&c| !dropped(c)).collect();
                HtmlEscape(&clean).to_string()
            }
        }
    }
}

/// Builds the environment for the templates under `dir`, every value escaped by
/// `escape` - in every template, whatever its name: the partials a renderer includes
/// share its escaping.
pub fn environment(dir: &Path, escape: Escape) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_loader(minijinja::path_loader(dir));
    // A typo in a template must be an error naming the template and line, not an empty string.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Release builds too: the analyst needs the failing expression and its line quoted.
    env.set_debug(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    let mode = escape.mode();
    env.set_auto_escape_callback(move |_| mode);
    env.set_formatter(move |out: &mut Output, _: &State, value: &Value| {
        format_value(out, value, &escape)
    });
    env.add_filter("typst_str", typst_str_filter);
    env.add_filter("typst_length", typst_length_filter);
    // Nothing a template writes may mark a value as already escaped.
    env.remove_filter("safe");
    env
}

/// Renders template `name` with `ctx`, turning minijinja's errors into [`Error::Template`]
/// that name the template file and line.
pub fn render(env: &Environment<'_>, dir: &Path, name: &str, ctx: &Value) -> Result<String> {
    let tmpl = env
        .get_template(name)
        .map_err(|e| template_error(dir, name, &e))?;
    tmpl.render(ctx).map_err(|e| template_error(dir, name, &e))
}

fn template_error(dir: &Path, top: &str, err: &minijinja::Error) -> Error {
    let name = err.name().unwrap_or(top);
    let file = dir.join(name);
    let mut msg = match err.line() {
        Some(line) => format!("{}:{line}: {}", file.display(), err.kind()),
        None => format!("{}: {}", file.display(), err.kind()),
    };
    if let Some(detail) = err.detail() {
        msg.push_str(": ");
        msg.push_str(detail);
    } else if err.kind() == minijinja::ErrorKind::UndefinedError
        && let (Some(range), Some(src)) = (err.range(), err.template_source())
        && let Some(expr) = src.get(range)
    {
        // minijinja says only "undefined value"; name what was undefined.
        msg.push_str(&format!(": `{}` is not defined", expr.trim()));
    }
    // The source line, when minijinja kept it, shows the analyst exactly what to fix.
    if let (Some(line), Some(src)) = (err.line(), err.template_source())
        && let Some(text) = src.lines().nth(line.saturating_sub(1))
    {
        msg.push_str(&format!("\n  {line} | {}", text.trim_end()));
    }
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        msg.push_str(&format!("\n  caused by: {inner}"));
        source = inner.source();
    }
    Error::Template(msg)
}

/// Prints `value` escaped. `{% autoescape false %}` cannot switch escaping off: every
/// value that is not marked safe by factsheet's own filters is escaped.
fn format_value(
    out: &mut Output,
    value: &Value,
    escape: &Escape,
) -> std::result::Result<(), minijinja::Error> {
    if value.is_safe() {
        return out
            .write_str(value.as_str().unwrap_or_default())
            .map_err(Into::into);
    }
    if value.is_none() || value.is_undefined() {
        return Ok(());
    }
    out.write_str(&escape.apply(&value.to_string()))
        .map_err(Into::into)
}

/// Escapes `text` for typst markup: every ASCII punctuation character gets a backslash
/// (always a literal in typst markup), line breaks between Chinese characters are
/// dropped (typst would print them as a space), other line breaks become spaces, and
/// characters no font covers become a visible `[U+XXXX]`.
pub fn escape_typst_markup(text: &str, coverage: &Coverage) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\n' | '\r' => {
                let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
                let next = chars.get(i + 1).copied();
                let joins_cjk = prev.is_some_and(is_wide) && next.is_some_and(is_wide);
                if !joins_cjk && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            '\t' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) => {}
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c if !coverage.covers(c) => {
                out.push_str(&format!("\\[U+{:04X}\\]", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes `text` for Markdown: a backslash before every ASCII punctuation character
/// (CommonMark allows it for all of them) and line breaks as spaces.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if c.is_control() || is_bidi_control(c) => {}
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A typst string literal (with its quotes) holding `text`.
///
/// Only for code positions such as `#set document(title: …)`. Besides `\\` and `\"`
/// every ASCII punctuation character is written as `\u{…}`, which means the same in
/// a string and in markup, so even a misplaced use cannot inject markup.
pub fn typst_string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c.is_ascii_punctuation() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn typst_str_filter(value: &Value) -> Value {
    let text = if value.is_none() || value.is_undefined() {
        String::new()
    } else {
        value.to_string()
    };
    Value::from_safe_string(typst_string_literal(&text))
}

/// A typst length (`1fr`, `8.8em`) as typst code: the rule files' column widths are
/// checked when they load; anything else becomes `auto`, never code.
fn typst_length_filter(value: &Value) -> Value {
    let text = value.as_str().unwrap_or("");
    let length = if crate::rules::is_typst_length(text) {
        text
    } else {
        "auto"
    };
    Value::from_safe_string(length.to_string())
}

/// Chinese, Japanese and Korean characters and full-width punctuation: the ones between
/// which a line break must vanish rather than become a space.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FFF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x31FF
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typst_markup_escapes_all_syntax() {
        let cov = Coverage::everything();
        let s = escape_typst_markup(
            "#read(\"/etc/passwd\") $x$ *b* _i_ @r <l> `c` \\ [a] // c",
            &cov,
        );
        assert_eq!(
            s,
            "\\#read\\(\\\"\\/etc\\/passwd\\\"\\) \\$x\\$ \\*b\\* \\_i\\_ \\@r \\<l\\> \\`c\\` \\\\ \\[a\\] \\/\\/ c"
        );
        assert_eq!(escape_typst_markup("中文\n测试", &cov), "中文测试");
        assert_eq!(escape_typst_markup("abc\ndef", &cov), "abc def");
        assert_eq!(
            escape_typst_markup("1. = - + x", &cov),
            "1\\. \\= \\- \\+ x"
        );
    }

    #[test]
    fn uncovered_characters_become_visible_placeholders() {
        let cov = Coverage::from_ranges(&[(0x20, 0x7E), (0x4E00, 0x9FFF)]);
        assert_eq!(escape_typst_markup("中𠀀", &cov), "中\\[U+20000\\]");
    }

    #[test]
    fn string_literals_are_safe_in_both_modes() {
        assert_eq!(typst_string_literal("a\"b\\c#d"), "\"a\\\"b\\\\c\\u{23}d\"");
        assert_eq!(typst_string_literal("中—亚"), "\"中—亚\"");
    }

    #[test]
    fn an_undefined_variable_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("t.md.j2"),
            "# {{ summit.title }}\n{{ summit.titel }}\n",
        )
        .unwrap();
        let env = environment(dir.path(), Escape::Markdown);
        let ctx = Value::from_serialize(serde_json::json!({"summit": {"title": "峰会"}}));
        let err = render(&env, dir.path(), "t.md.j2", &ctx)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!(
                "template error: {}:2: undefined value: `summit.titel` is not defined\n  2 | {{{{ summit.titel }}}}",
                dir.path().join("t.md.j2").display()
            )
        );
    }

    #[test]
    fn markdown_escapes() {
        assert_eq!(
            escape_markdown("*a* | [b](c) <x>"),
            "\\*a\\* \\| \\[b\\]\\(c\\) \\<x\\>"
        );
    }

    #[test]
    fn controls_and_bidi_overrides_are_dropped_everywhere() {
        let text = "甲\u{202E}乙\u{1b}[31m丙\u{2066}\u{0}";
        assert_eq!(escape_markdown(text), "甲乙\\[31m丙");
        let all = Coverage::everything();
        assert_eq!(escape_typst_markup(text, &all), "甲乙\\[31m丙");
        assert_eq!(
            typst_string_literal(text),
            "\"甲\\u{202e}乙\\u{1b}\\u{5b}31m丙\\u{2066}\\u{0}\""
        );
    }

    #[test]
    fn a_template_cannot_switch_its_renderers_escaping_off() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("t.j2"),
            "{% autoescape false %}{{ x }}{% endautoescape %}|{{ x }}",
        )
        .unwrap();
        std::fs::write(dir.path().join("safe.j2"), "{{ x|safe }}").unwrap();
        let ctx = Value::from_serialize(serde_json::json!({"x": "<script>#*"}));
        for (escape, want) in [
            (Escape::Html, "&lt;script&gt;#*"),
            (Escape::Markdown, "\\<script\\>\\#\\*"),
            (
                Escape::Typst(Arc::new(Coverage::everything())),
                "\\<script\\>\\#\\*",
            ),
        ] {
            let env = environment(dir.path(), escape);
            let out = render(&env, dir.path(), "t.j2", &ctx).unwrap();
            assert_eq!(out, format!("{want}|{want}"));
            let err = render(&env, dir.path(), "safe.j2", &ctx).unwrap_err();
            assert!(err.to_string().contains("unknown filter"), "{err}");
        }
    }
}
