//! `//goleak-fix:ignore` and `//goleak-fix:ignore <id>[,<id>] [reason]` on a finding's line or
//! the line above it.
//!
//! A comment that silences nothing is reported by `--check` (like ruff's RUF100, unused
//! `noqa`): the code it excused was fixed or moved, and the stale comment would silence the
//! next real leak on that line. It is reported only when every codemod it names ran, since a
//! comment for a codemod left out by `--select` or `--ignore` may well be needed.

use crate::codemods::{self, Codemod, Finding};
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
    match scope(line) {
        None => false,
        Some(Scope::All) => true,
        Some(Scope::Only(ids)) => ids.split(',').any(|id| id == codemod),
    }
}

/// What the marker on a line silences.
enum Scope<'l> {
    All,
    /// Comma-separated codemod IDs.
    Only(&'l str),
}

fn scope(line: &str) -> Option<Scope<'_>> {
    let at = line.find(MARKER)?;
    let rest = &line[at + MARKER.len()..];
    // `//goleak-fix:ignored` is not the marker.
    if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    match rest.split_whitespace().next() {
        Some(ids) if looks_like_ids(ids) => Some(Scope::Only(ids)),
        _ => Some(Scope::All),
    }
}

/// The 1-based lines of the `//goleak-fix:ignore` comments that silenced none of `suppressed`
/// (the findings that were silenced), among those whose every codemod is in `ran`.
pub fn unused_suppressions(
    source: &SourceFile,
    suppressed: &[Finding],
    ran: &[&dyn Codemod],
) -> Vec<usize> {
    if memchr::memmem::find(source.text.as_bytes(), MARKER.as_bytes()).is_none() {
        return Vec::new();
    }
    let ran_ids: Vec<&str> = ran.iter().map(|codemod| codemod.id()).collect();
    let mut lines: Vec<usize> = source
        .text
        .match_indices(MARKER)
        .map(|(offset, _)| source.line_column(offset).line)
        .collect();
    lines.dedup();
    lines.retain(|&line| {
        let text = source.line_text(line);
        let all_ran = match scope(text) {
            None => return false,
            Some(Scope::All) => codemods::REGISTRY
                .iter()
                .all(|codemod| ran_ids.contains(&codemod.id())),
            Some(Scope::Only(ids)) => ids.split(',').all(|id| ran_ids.contains(&id)),
        };
        let used = suppressed.iter().any(|finding| {
            let finding_line = source.line_column(finding.range.start).line;
            (finding_line == line || finding_line == line + 1) && suppresses(text, finding.codemod)
        });
        all_ran && !used
    });
    lines
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

    fn finding(source: &SourceFile, line: usize, codemod: &'static str) -> Finding {
        let start = source.line_start(line - 1);
        Finding {
            codemod,
            range: start..start + 1,
            message: String::new(),
            fix: None,
        }
    }

    #[test]
    fn a_comment_that_silenced_nothing_is_unused() {
        let source = file(
            "//goleak-fix:ignore\na()\nb() //goleak-fix:ignore timeout-leak\nc()\n//goleak-fix:ignore ncast-leak\nd()\n",
        );
        let all = codemods::REGISTRY;
        // Line 1 silenced a finding on line 2; line 3's silenced one of another codemod.
        let silenced = [
            finding(&source, 2, "premature-return"),
            finding(&source, 3, "ncast-leak"),
        ];
        assert_eq!(unused_suppressions(&source, &silenced, all), vec![3, 5]);
        assert_eq!(unused_suppressions(&source, &[], all), vec![1, 3, 5]);
        assert!(unused_suppressions(&file("a()\n"), &[], all).is_empty());
    }

    #[test]
    fn a_comment_for_a_codemod_that_did_not_run_is_not_judged() {
        let source = file("//goleak-fix:ignore\na()\n//goleak-fix:ignore ncast-leak\nb()\n");
        let only_timeout = [codemods::by_id("timeout-leak").unwrap()];
        assert!(unused_suppressions(&source, &[], &only_timeout).is_empty());
        let only_ncast = [codemods::by_id("ncast-leak").unwrap()];
        assert_eq!(unused_suppressions(&source, &[], &only_ncast), vec![3]);
    }

    #[test]
    fn a_reason_without_ids_suppresses_everything() {
        let source = file("c := make(chan int) //goleak-fix:ignore the caller drains it\n");
        assert!(is_suppressed(&source, 1, "premature-return"));
        assert!(!suppresses("//goleak-fix:ignored", "premature-return"));
    }
}
