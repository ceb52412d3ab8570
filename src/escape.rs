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
}
