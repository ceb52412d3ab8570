//! Text that comes from the scanned repository (a path, a key of its config file) shown on a
//! terminal: control characters and the Unicode bidirectional controls are escaped, so that a
//! hostile name cannot move the cursor, recolour the screen, fake a line of output, or
//! reorder what is shown around it. Everything else, non-ASCII letters included, is shown as
//! it is.

use std::borrow::Cow;
use std::path::Path;

/// `text` with each control character as `\n`, `\t`, `\r` or `\u{..}`.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Source text quoted in a message, a fix's description or a commit message: one line (each
/// run of white space, line breaks included, as one space), at most `EXCERPT_CHARS`
/// characters (then `…`), backticks as `'` so that it cannot close the Markdown code span it
/// is shown in, and control characters escaped as `for_terminal` escapes them. A comment in
/// the quoted code can then neither start a line of its own (a forged `path:line:col:`
/// finding, a `::error` workflow command, a Markdown heading) nor reach the terminal raw.
pub fn excerpt(text: &str) -> String {
    let mut one_line = String::with_capacity(text.len().min(4 * EXCERPT_CHARS));
    let mut chars = 0;
    for word in text.split(char::is_whitespace) {
        if word.is_empty() {
            continue;
        }
        if chars > 0 {
            one_line.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars == EXCERPT_CHARS {
                one_line.push('…');
                return for_terminal(&one_line).into_owned();
            }
            one_line.push(if c == '`' { '\'' } else { c });
            chars += 1;
        }
    }
    for_terminal(&one_line).into_owned()
}

/// How much of the source an `excerpt` shows: enough for a call such as `wg.Wait()` or an
/// expression such as `len(jobs)`, not a paragraph.
pub const EXCERPT_CHARS: usize = 60;

/// A path for the terminal: bytes that are not UTF-8 shown as U+FFFD, then `for_terminal`.
pub fn path(path: &Path) -> String {
    for_terminal(&path.to_string_lossy()).into_owned()
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        // Bidirectional embeddings, overrides and isolates (the "Trojan Source" characters).
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        // Line and paragraph separators: a line break to a terminal that honours them.
        || matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_escaped_and_letters_are_not() {
        assert!(matches!(for_terminal("pkg/café.go"), Cow::Borrowed(_)));
        assert_eq!(
            for_terminal("a\u{1b}[31mred\n\u{202E}og.txt"),
            "a\\u{1b}[31mred\\n\\u{202e}og.txt"
        );
        assert_eq!(for_terminal("\u{85}\u{7f}"), "\\u{85}\\u{7f}");
    }

    #[test]
    fn an_excerpt_is_one_escaped_capped_line_without_backticks() {
        assert_eq!(excerpt("wg.Wait()"), "wg.Wait()");
        assert_eq!(
            excerpt("wg.Wait( /* x\n a.go:1:1: y\r\n::error ::z */ )"),
            "wg.Wait( /* x a.go:1:1: y ::error ::z */ )"
        );
        assert_eq!(excerpt("a`b\u{1b}[2J"), "a'b\\u{1b}[2J");
        let long = excerpt(&"x".repeat(500));
        assert_eq!(long, format!("{}…", "x".repeat(EXCERPT_CHARS)));
    }
}
