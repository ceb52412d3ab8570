//! Colour on a terminal: `--color auto` (the default) colours a stream only when it is a
//! terminal and `NO_COLOR` is unset or empty (no-color.org), `always` and `never` decide for
//! both streams. What is coloured: the diff of `--dry-run` on stdout, and on stderr the word
//! that says what happened to a file (`fixed`, `verified`, `dropped`, `unverified`). Colour
//! is added around text that is already escaped (see `streams::say_marked`), so a colour code
//! never comes from the scanned repository.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

/// `--color`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum When {
    /// On a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    Always,
    Never,
}

static STDOUT: AtomicBool = AtomicBool::new(false);
static STDERR: AtomicBool = AtomicBool::new(false);

/// Decides, once per run, whether stdout and stderr are coloured.
pub fn init(when: When) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    STDOUT.store(
        enabled(when, std::io::stdout().is_terminal(), no_color),
        Ordering::Relaxed,
    );
    STDERR.store(
        enabled(when, std::io::stderr().is_terminal(), no_color),
        Ordering::Relaxed,
    );
}

/// Whether a stream is coloured: a flag of `always` or `never` is the user's choice and wins
/// over `NO_COLOR`, as no-color.org asks.
pub fn enabled(when: When, terminal: bool, no_color: bool) -> bool {
    match when {
        When::Always => true,
        When::Never => false,
        When::Auto => terminal && !no_color,
    }
}

pub fn on_stdout() -> bool {
    STDOUT.load(Ordering::Relaxed)
}

pub fn on_stderr() -> bool {
    STDERR.load(Ordering::Relaxed)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Green,
    Red,
    Yellow,
    Cyan,
    Bold,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Green => "\x1b[32m",
            Style::Red => "\x1b[31m",
            Style::Yellow => "\x1b[33m",
            Style::Cyan => "\x1b[36m",
            Style::Bold => "\x1b[1m",
        }
    }
}

/// `text` in `style` when `on`.
pub fn paint(style: Style, text: &str, on: bool) -> String {
    if on {
        format!("{}{text}\x1b[0m", style.code())
    } else {
        text.to_string()
    }
}

/// A unified diff with its headers bold, hunk headers cyan, removed lines red and added
/// lines green; unchanged when `on` is false (what `git apply` reads).
pub fn diff(text: &str, on: bool) -> String {
    if !on {
        return text.to_string();
    }
    let mut coloured = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let style = if body.starts_with("--- ") || body.starts_with("+++ ") {
            Some(Style::Bold)
        } else if body.starts_with("@@") {
            Some(Style::Cyan)
        } else if body.starts_with('-') {
            Some(Style::Red)
        } else if body.starts_with('+') {
            Some(Style::Green)
        } else {
            None
        };
        match style {
            Some(style) => coloured.push_str(&paint(style, body, true)),
            None => coloured.push_str(body),
        }
        coloured.push_str(end);
    }
    coloured
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colours_a_terminal_unless_no_color_and_flags_win() {
        assert!(enabled(When::Auto, true, false));
        assert!(!enabled(When::Auto, true, true));
        assert!(!enabled(When::Auto, false, false));
        assert!(enabled(When::Always, false, true));
        assert!(!enabled(When::Never, true, false));
    }

    #[test]
    fn a_diff_is_coloured_line_by_line_and_left_alone_when_off() {
        let diff = "--- a/x.go\n+++ b/x.go\n@@ -1 +1 @@\n-a\n+b\n c\n";
        assert_eq!(diff_text(diff, false), diff);
        assert_eq!(
            diff_text(diff, true),
            "\x1b[1m--- a/x.go\x1b[0m\n\x1b[1m+++ b/x.go\x1b[0m\n\x1b[36m@@ -1 +1 @@\x1b[0m\n\x1b[31m-a\x1b[0m\n\x1b[32m+b\x1b[0m\n c\n"
        );
    }

    fn diff_text(text: &str, on: bool) -> String {
        diff(text, on)
    }
}
