//! Text from the repository in a Markdown document (the pull-request body), shown as the
//! literal text it is.
//!
//! A file name, a line of `go vet`'s output or a test's failure message is the repository's to
//! choose. Put into Markdown as it is, a newline in it would start a block of its own (a
//! heading, a list, a fenced block that swallows the rest of the body), and inline it could
//! be a link to anywhere, an image, or HTML. So every such text is first made one line with
//! its control characters escaped (see `escape::for_terminal`), then either put in a code
//! span (`code`: nothing in a code span is Markdown) or has its Markdown characters
//! backslash-escaped (`text`).

use crate::escape;

/// `text` as inline code, whatever backticks it holds: `` `pkg/a.go` ``, ``` ``a`b`` ```.
pub fn code(text: &str) -> String {
    let text = escape::for_terminal(text);
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// `text` as plain Markdown text: one line, each character that could start emphasis, a
/// link, an image, an autolink, HTML, an entity or a code span backslash-escaped. Letters,
/// digits, spaces and the punctuation of ordinary prose (`.`, `:`, `/`, `(`) stay as they
/// are: one line of text inside a sentence of the body cannot start a block.
pub fn text(text: &str) -> String {
    let text = escape::for_terminal(text);
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '!' | '#'
        ) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A Markdown line of the body's own that quotes the repository only through excerpts in code
/// spans (a finding's message, a fix's description; see `escape::excerpt`): kept to one line,
/// its control characters escaped, its code spans kept.
pub fn inline(text: &str) -> String {
    escape::for_terminal(text).into_owned()
}

/// A table cell must not hold a bare `|` or a line break.
pub fn table_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The longest run of backticks in `text`: a fence around it must be longer.
pub fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_code_survives_backticks_and_line_breaks() {
        assert_eq!(code("a.go"), "`a.go`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(
            code("x.go\n# Heading [link](http://evil)"),
            "`x.go\\n# Heading [link](http://evil)`"
        );
        assert_eq!(table_cell("a|b"), "a\\|b");
    }

    #[test]
    fn text_cannot_become_a_heading_a_link_or_html() {
        assert_eq!(
            text("x.go\n# Heading [link](http://evil) <img src=x> ![i](y) *em* &amp;"),
            "x.go\\\\n\\# Heading \\[link\\](http://evil) \\<img src=x\\> \\!\\[i\\](y) \\*em\\* \\&amp;"
        );
        assert_eq!(
            text("go vet: pkg/b.go:19:9: undefined: x"),
            "go vet: pkg/b.go:19:9: undefined: x"
        );
    }
}
