//! Edits and fixes, after ruff's `Edit` and `Fix`: a fix is a non-empty, sorted list of byte
//! edits with a safety level.

use serde::Serialize;
use std::ops::Range;

/// Replace the bytes `start..end` of the file as read with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

impl Edit {
    pub fn insertion(at: usize, text: impl Into<String>) -> Self {
        Edit {
            start: at,
            end: at,
            replacement: text.into(),
        }
    }

    pub fn replacement(range: Range<usize>, text: impl Into<String>) -> Self {
        Edit {
            start: range.start,
            end: range.end,
            replacement: text.into(),
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// Whether a fix may be applied without a person looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Proven not to introduce a send on a closed channel, a double close, a race or a changed
    /// result. Applied by default.
    Safe,
    /// Fixes the leak in the usual case but could change behaviour in some other; applied only
    /// with `--unsafe-fixes`.
    Unsafe,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub applicability: Applicability,
    pub description: String,
    /// The edits in the finding's own file.
    pub edits: Vec<Edit>,
    /// Edits the same fix makes in other files of the package (the stop channel passed to a
    /// producer function declared in another file). They are applied, verified, written and
    /// committed together with `edits`, or not at all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_files: Vec<FileEdits>,
    /// The fix is the stop-channel rewrite (the pull-request body explains it).
    #[serde(skip)]
    pub stop_channel: bool,
}

/// A fix's edits in another file of the package than the finding's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEdits {
    /// The file's path as shown (relative to the current directory), like a finding's `path`.
    pub path: String,
    /// The file's index in its package (see `package::FileId`), for the engine.
    #[serde(skip)]
    pub file: usize,
    /// Sorted, non-overlapping, never empty.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(
        applicability: Applicability,
        description: impl Into<String>,
        mut edits: Vec<Edit>,
    ) -> Self {
        assert!(!edits.is_empty(), "a fix has at least one edit");
        edits.sort();
        Fix {
            applicability,
            description: description.into(),
            edits,
            other_files: Vec::new(),
            stop_channel: false,
        }
    }

    /// The same fix, also making `edits` in the other file `file` of the package, shown as
    /// `path` (see `other_files`).
    pub fn with_edits_in(mut self, file: usize, path: String, mut edits: Vec<Edit>) -> Self {
        assert!(
            !edits.is_empty(),
            "a file a fix edits gets at least one edit"
        );
        edits.sort();
        self.other_files.push(FileEdits { path, file, edits });
        self.other_files.sort_by_key(|other| other.file);
        self
    }

    /// Whether the fix edits more than the finding's file.
    pub fn spans_files(&self) -> bool {
        !self.other_files.is_empty()
    }

    pub fn safe(description: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Safe, description, edits)
    }

    pub fn unsafe_(description: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Unsafe, description, edits)
    }

    /// The smallest range covering every edit; two fixes whose spans touch are never applied
    /// in the same pass.
    pub fn span(&self) -> Range<usize> {
        let start = self.edits.first().map_or(0, |edit| edit.start);
        let end = self
            .edits
            .iter()
            .map(|edit| edit.end)
            .max()
            .unwrap_or(start);
        start..end
    }
}

/// Applies `edits` (sorted, non-overlapping) to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut output = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for edit in edits {
        output.push_str(&text[cursor..edit.start]);
        output.push_str(&edit.replacement);
        cursor = edit.end;
    }
    output.push_str(&text[cursor..]);
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_leave_everything_else_byte_for_byte() {
        let text = "\u{feff}a := make(chan int)\r\n// é\r\n";
        let at = text.find(')').unwrap();
        let edited = apply_edits(text, &[Edit::insertion(at, ", 1")]);
        assert_eq!(edited, "\u{feff}a := make(chan int, 1)\r\n// é\r\n");
    }

    #[test]
    fn a_fix_sorts_its_edits_and_knows_its_span() {
        let fix = Fix::safe(
            "x",
            vec![Edit::insertion(9, "b"), Edit::replacement(2..4, "a")],
        );
        assert_eq!(fix.edits[0].start, 2);
        assert_eq!(fix.span(), 2..9);
    }
}
