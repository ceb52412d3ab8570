//! Unified diffs that `git apply` accepts.

use similar::TextDiff;

/// `--- a/<path>` / `+++ b/<path>` with three lines of context.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
