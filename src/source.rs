//! A Go file as read from disk: its exact bytes (as UTF-8 text) and a line index.
//!
//! Offsets are byte offsets into the text as read, never into a normalised copy, so that
//! edits, JSON `start`/`end` and diagnostics all agree with the file on disk.

use std::path::PathBuf;
use std::sync::OnceLock;

/// One source file, read once, never normalised (CRLF, BOM and tabs are kept as they are).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path used to read and write the file.
    pub path: PathBuf,
    /// The path shown to people and written into diffs and reports.
    pub display_path: String,
    pub text: String,
    /// Built on first use: most files of a run are never asked for a line.
    line_starts: OnceLock<Vec<usize>>,
}

/// A 1-based line and a 1-based column counted in bytes, as `go vet` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: PathBuf, display_path: String, text: String) -> Self {
        SourceFile {
            path,
            display_path,
            text,
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| line_starts(&self.text))
    }

    /// The 1-based line and byte column of `offset`.
    pub fn line_column(&self, offset: usize) -> LineColumn {
        let line_starts = self.line_starts();
        let line_index = match line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(index) => index - 1,
        };
        LineColumn {
            line: line_index + 1,
            column: offset - line_starts[line_index] + 1,
        }
    }

    /// The byte offset where the 0-based line `line_index` starts.
    pub fn line_start(&self, line_index: usize) -> usize {
        let line_starts = self.line_starts();
        line_starts[line_index.min(line_starts.len() - 1)]
    }

    /// The text of the 1-based `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line - 1);
        let end = self
            .line_starts()
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// A Go file's text from its bytes, or why Go would reject the file before parsing it: bytes
/// that are not UTF-8, a NUL byte, or a byte order mark anywhere but at the start (Go's
/// scanner stops at each). Such a file is named and skipped as a whole, like one that cannot
/// be read: the package does not build, so no fix in it could be proven, and tree-sitter
/// would read on past the character as if nothing were wrong.
/// Files larger than this are skipped unless `--max-file-size` says otherwise: hand-written Go
/// is far smaller (generated files, which are larger, are skipped anyway), and analysing a
/// file costs memory in proportion to it (about 60 bytes per byte of source, for the tree).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// How much of a file's start is read to tell whether a file over the size limit is generated
/// (the marker comes before the package clause).
pub const HEAD_FOR_GENERATED: usize = 64 * 1024;

/// What to do with a file of `size` bytes under the limit `limit`, given its first bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum SizeCheck {
    Fits,
    /// Over the limit, but generated: skipped without a word, like every generated file.
    Generated,
    /// Over the limit: skipped, and this says why.
    TooLarge(String),
}

pub fn check_size(size: u64, limit: u64, head: &[u8]) -> SizeCheck {
    if size <= limit {
        return SizeCheck::Fits;
    }
    let head = String::from_utf8_lossy(&head[..head.len().min(HEAD_FOR_GENERATED)]);
    if crate::walk::is_generated(&head) {
        return SizeCheck::Generated;
    }
    SizeCheck::TooLarge(format!(
        "{} bytes, over the limit of {limit} (--max-file-size); not analysed or edited",
        size
    ))
}

pub fn go_text(bytes: Vec<u8>) -> Result<String, String> {
    let text = String::from_utf8(bytes).map_err(|error| {
        format!(
            "not valid UTF-8 (first bad byte at offset {}); skipped",
            error.utf8_error().valid_up_to()
        )
    })?;
    if let Some(reason) = rejected_character(&text) {
        return Err(reason);
    }
    Ok(text)
}

/// The first character of `text` that Go rejects wherever it is (NUL, a byte order mark
/// after the start), said with its line and column.
fn rejected_character(text: &str) -> Option<String> {
    const BOM: &str = "\u{feff}";
    let bytes = text.as_bytes();
    let nul = memchr::memchr(0, bytes);
    let start = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let bom = memchr::memmem::find(&bytes[start..], BOM.as_bytes()).map(|at| start + at);
    let (at, what) = match (nul, bom) {
        (Some(nul), Some(bom)) if bom < nul => (bom, "a byte order mark (U+FEFF) after the start"),
        (Some(nul), _) => (nul, "a NUL byte"),
        (None, Some(bom)) => (bom, "a byte order mark (U+FEFF) after the start"),
        (None, None) => return None,
    };
    let line = 1 + memchr::memchr_iter(b'\n', &bytes[..at]).count();
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    Some(format!(
        "{what} at {line}:{column}, which Go rejects; not analysed or edited"
    ))
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|index| index + 1))
        .collect()
}

/// The whitespace that starts the line containing `offset`.
pub fn indentation_at(text: &str, offset: usize) -> &str {
    let line_start = text[..offset].rfind('\n').map_or(0, |index| index + 1);
    let rest = &text[line_start..];
    let width = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..width]
}

/// Where a new line can be inserted after the code ending at `offset`: the position of the
/// line ending that follows it, and that line ending (`"\n"` or `"\r\n"`).
///
/// Returns `None` when more code follows on the same line (`}; x()`), because a statement
/// inserted there would land in the middle of it. A trailing `// comment` is allowed and stays
/// on its line: in
///
/// ```text
/// }⏎          -> insertion point before ⏎, so the new line follows `}`
/// } // done⏎  -> insertion point before ⏎, so `// done` keeps describing the loop
/// ```
pub fn end_of_line_after(text: &str, offset: usize) -> Option<(usize, &'static str)> {
    let rest = &text[offset..];
    let line_end = rest.find('\n')?;
    let line = &rest[..line_end];
    let (code, ending) = match line.strip_suffix('\r') {
        Some(code) => (code, "\r\n"),
        None => (line, "\n"),
    };
    let trimmed = code.trim();
    if !(trimmed.is_empty() || trimmed.starts_with("//")) {
        return None;
    }
    Some((offset + code.len(), ending))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("a.go".into(), "a.go".into(), text.into())
    }

    #[test]
    fn line_columns_are_one_based_and_count_bytes() {
        let source = file("ab\r\né x\nlast");
        assert_eq!(source.line_column(0), LineColumn { line: 1, column: 1 });
        assert_eq!(source.line_column(4), LineColumn { line: 2, column: 1 });
        // 'é' is two bytes, so 'x' is at byte column 4.
        assert_eq!(source.line_column(7), LineColumn { line: 2, column: 4 });
        assert_eq!(source.line_column(9), LineColumn { line: 3, column: 1 });
        assert_eq!(source.line_text(1), "ab");
        assert_eq!(source.line_text(3), "last");
    }

    #[test]
    fn nul_bytes_and_a_late_byte_order_mark_are_rejected_like_go_rejects_them() {
        assert_eq!(
            go_text("\u{feff}package p\n".into()).unwrap(),
            "\u{feff}package p\n"
        );
        assert_eq!(
            go_text("package p\n// a\0b\n".into()).unwrap_err(),
            "a NUL byte at 2:5, which Go rejects; not analysed or edited"
        );
        assert_eq!(
            go_text("\u{feff}package p\nvar s = \"\u{feff}\"\n".into()).unwrap_err(),
            "a byte order mark (U+FEFF) after the start at 2:10, which Go rejects; not analysed or edited"
        );
        assert!(
            go_text(b"package p\n// caf\xe9\n".to_vec())
                .unwrap_err()
                .starts_with("not valid UTF-8")
        );
    }

    #[test]
    fn indentation_is_the_leading_whitespace_of_the_line() {
        let text = "func f() {\n\t\tfor {\n\t\t}\n}";
        assert_eq!(indentation_at(text, text.find("for").unwrap()), "\t\t");
        assert_eq!(indentation_at(text, 0), "");
    }

    #[test]
    fn end_of_line_keeps_crlf_and_trailing_comments() {
        let text = "\t}\r\n\tx()\n";
        assert_eq!(end_of_line_after(text, 2), Some((2, "\r\n")));
        let text = "\t} // sent all\n";
        assert_eq!(end_of_line_after(text, 2), Some((14, "\n")));
        assert_eq!(end_of_line_after("\t}; x()\n", 2), None);
        assert_eq!(end_of_line_after("}", 1), None);
    }
}
