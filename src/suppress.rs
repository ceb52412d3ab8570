//! `//goleak-fix:ignore` and `//goleak-fix:ignore <id>[,<id>] [reason]` on a finding's line or
//! the line above it.

use crate::source::SourceFile;

const MARKER: &str = "//goleak-fix:ignore";

/// Whether a comment on `line` (1-based) or the line before suppresses `codemod`.
pub fn is_suppressed(source: &SourceFile, line: usize, codemod: &str) -> bool {
    [line, line.saturating_sub(1)]
        .into_iter()
        .filter(|&candidate| candidate >= 1)
        .any(|candidate| suppresses(source.line_text(candidate), codemod))
}

fn suppresses(line: &str, codemod: &str) -> bool {
    let Some(at) = line.find(MARKER) else {
        return false;
    };
    let rest = &line[at + MARKER.len()..];
    // `//goleak-fix:ignored` is not the marker.
    if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
        return false;
    }
    match rest.split_whitespace().next() {
        None => true,
        Some(ids) => ids.split(',').any(|id| id == codemod) || !looks_like_ids(ids),
    }
}

/// `//goleak-fix:ignore because the caller drains it` has a reason but no IDs: it ignores all.
fn looks_like_ids(word: &str) -> bool {
    word.split(',')
        .all(|id| crate::codemods::by_id(id).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("a.go".into(), "a.go".into(), text.into())
    }

    #[test]
    fn a_bare_marker_suppresses_everything_on_its_line_and_the_next() {
        let source = file("//goleak-fix:ignore\nc := make(chan int)\nd := make(chan int)\n");
        assert!(is_suppressed(&source, 2, "timeout-leak"));
        assert!(!is_suppressed(&source, 3, "timeout-leak"));
    }

    #[test]
    fn ids_limit_what_is_suppressed() {
        let source = file(
            "c := make(chan int) //goleak-fix:ignore timeout-leak,ncast-leak drained by caller\n",
        );
        assert!(is_suppressed(&source, 1, "ncast-leak"));
        assert!(!is_suppressed(&source, 1, "premature-return"));
    }

    #[test]
    fn a_reason_without_ids_suppresses_everything() {
        let source = file("c := make(chan int) //goleak-fix:ignore the caller drains it\n");
        assert!(is_suppressed(&source, 1, "premature-return"));
        assert!(!suppresses("//goleak-fix:ignored", "premature-return"));
    }
}
