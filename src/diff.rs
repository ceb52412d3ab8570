//! Unified diffs that `git apply` accepts, whatever the file is called.
//!
//! A file name is the repository's to choose: it may hold a newline (which would end the
//! header and start a forged one), an escape sequence for the terminal, or bytes that are not
//! UTF-8 (which a lossy conversion would turn into U+FFFD, naming a file that does not exist).
//! So the names in the `---`/`+++` lines are written as git writes them: as they are when
//! they hold only printable ASCII, otherwise C-style quoted in double quotes with the other
//! bytes as escapes (`"a/foo\nbar.go"`, `"b/caf\303\251.go"`), which `git apply` and
//! `patch` read back to the exact bytes. The lines of the diff themselves are the file's
//! content, and are left as they are: changing them would make a diff that does not apply.

use crate::source::SourceFile;
use crate::walk;
use similar::TextDiff;
use std::path::Path;

/// The diff from `source`'s text to `fixed`, its file named as it is shown (relative to the
/// current directory), from the path's own bytes.
pub fn file_diff(source: &SourceFile, fixed: &str) -> String {
    unified_diff(walk::shown_path(&source.path), &source.text, fixed)
}

/// `--- a/<path>` / `+++ b/<path>` with three lines of context.
pub fn unified_diff(path: impl AsRef<Path>, before: &str, after: &str) -> String {
    let name = path.as_ref().as_os_str().as_encoded_bytes();
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&git_quoted(b"a/", name), &git_quoted(b"b/", name))
        .to_string()
}

/// `prefix` and `name` as git's `quote_c_style` writes a path with `core.quotePath` on (its
/// default): unchanged when every byte is printable ASCII other than `"` and `\`; otherwise
/// in double quotes, with `\t`, `\n` and the like for their control characters, `\"`, `\\`,
/// and three octal digits for every other byte below 0x20 or from 0x7f up (so UTF-8 letters,
/// bidirectional controls and bytes that are not UTF-8 alike).
pub fn git_quoted(prefix: &[u8], name: &[u8]) -> String {
    let bytes = || prefix.iter().chain(name);
    if !bytes().copied().any(needs_quoting) {
        // Printable ASCII only.
        return bytes().map(|&byte| char::from(byte)).collect();
    }
    let mut quoted = String::from("\"");
    for &byte in bytes() {
        match byte {
            0x07 => quoted.push_str("\\a"),
            0x08 => quoted.push_str("\\b"),
            b'\t' => quoted.push_str("\\t"),
            b'\n' => quoted.push_str("\\n"),
            0x0b => quoted.push_str("\\v"),
            0x0c => quoted.push_str("\\f"),
            b'\r' => quoted.push_str("\\r"),
            b'"' => quoted.push_str("\\\""),
            b'\\' => quoted.push_str("\\\\"),
            byte if needs_quoting(byte) => quoted.push_str(&format!("\\{byte:03o}")),
            byte => quoted.push(char::from(byte)),
        }
    }
    quoted.push('"');
    quoted
}

fn needs_quoting(byte: u8) -> bool {
    !(0x20..0x7f).contains(&byte) || byte == b'"' || byte == b'\\'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_as_git_quotes_them() {
        assert_eq!(git_quoted(b"a/", b"pkg/a b.go"), "a/pkg/a b.go");
        assert_eq!(
            git_quoted(b"a/", b"x.go\n+++ b/forged.go"),
            "\"a/x.go\\n+++ b/forged.go\""
        );
        assert_eq!(
            git_quoted(b"b/", "caf\u{e9}\t\u{1b}[2J\"\\.go".as_bytes()),
            "\"b/caf\\303\\251\\t\\033[2J\\\"\\\\.go\""
        );
        assert_eq!(git_quoted(b"a/", b"\xff\x7f.go"), "\"a/\\377\\177.go\"");
    }

    #[test]
    fn a_name_with_a_newline_cannot_end_the_header() {
        let diff = unified_diff("x.go\n+++ b/y.go", "a\n", "b\n");
        assert!(
            diff.starts_with("--- \"a/x.go\\n+++ b/y.go\"\n+++ \"b/x.go\\n+++ b/y.go\"\n@@ "),
            "{diff}"
        );
    }
}
