//! `--format github` and `--format rdjsonl`: the findings as CI annotations.
//!
//! `github`: one GitHub Actions workflow command per finding, `::warning file=...,line=...,
//! col=...,endLine=...,endColumn=...,title=...::message` (a finding the run fixed in place or
//! committed is a `::notice`; suppressed ones are left out). Paths are relative to the
//! repository's top directory, which is what GitHub resolves them against. Values are escaped
//! as GitHub's own toolkit escapes them (`%`, CR and LF in the message; also `:` and `,` in
//! properties), after control characters are escaped (`escape::for_terminal`): a file name or
//! quoted code can neither end the command early, add a property, nor start a command of its
//! own on a new line.
//!
//! `rdjsonl`: reviewdog's Diagnostic Format, one JSON object per line, with columns in UTF-8
//! bytes as that format counts them, and each applicable fix's edits as `suggestions`, which
//! reviewdog posts as suggested changes.

use crate::escape;
use crate::outcome::{Mode, Status};
use crate::report::{Report, ReportedFinding};
use serde::Serialize;
use std::fmt::Write;

/// The workflow commands for `report`, one line each.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let command = match (finding.outcome.status, report.mode) {
            (Status::Suppressed, _) => continue,
            (Status::Fixed, Mode::Fix | Mode::Commit) => "notice",
            _ => "warning",
        };
        let title = if command == "notice" {
            format!("goleak-fix {} (fixed)", finding.codemod)
        } else {
            format!("goleak-fix {}", finding.codemod)
        };
        let path = crate::sarif::path_from_top(report, finding.path);
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&path),
            finding.line,
            finding.column,
            finding.end_line,
            finding.end_column,
            property(&title),
            data(finding.message)
        );
    }
    out
}

/// A workflow command's message (GitHub's `escapeData`).
fn data(text: &str) -> String {
    escape::for_terminal(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (GitHub's `escapeProperty`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// reviewdog's diagnostics for `report`, one JSON object per line.
pub fn rdjsonl(report: &Report) -> String {
    let mut out = String::new();
    for finding in report.remaining() {
        let diagnostic = diagnostic(report, finding);
        out.push_str(&serde_json::to_string(&diagnostic).expect("plain data"));
        out.push('\n');
    }
    out
}

fn diagnostic<'a>(report: &Report, finding: &'a ReportedFinding<'a>) -> Diagnostic<'a> {
    let source = finding.source;
    let position = |offset: usize| {
        let at = source.line_column(offset);
        Position {
            line: at.line,
            column: at.column,
        }
    };
    // A suggestion edits the diagnostic's own file only: a fix that also edits other files
    // is not offered as one (half of it would not build).
    let suggestions = finding
        .fix
        .filter(|reported| finding.applicable && !reported.fix.spans_files())
        .map(|reported| {
            reported
                .fix
                .edits
                .iter()
                .map(|edit| Suggestion {
                    range: Range {
                        start: position(edit.start),
                        end: position(edit.end),
                    },
                    text: &edit.replacement,
                })
                .collect()
        })
        .unwrap_or_default();
    Diagnostic {
        message: finding.message,
        location: Location {
            path: crate::sarif::path_from_top(report, finding.path),
            range: Range {
                start: position(finding.range.start),
                end: position(finding.range.end),
            },
        },
        severity: "WARNING",
        source: Source { name: "goleak-fix" },
        code: Code {
            value: finding.codemod,
        },
        suggestions,
    }
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    message: &'a str,
    location: Location,
    severity: &'static str,
    source: Source,
    code: Code,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suggestions: Vec<Suggestion<'a>>,
}

#[derive(Serialize)]
struct Location {
    path: String,
    range: Range,
}

#[derive(Serialize)]
struct Range {
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
}

#[derive(Serialize)]
struct Code {
    value: &'static str,
}

#[derive(Serialize)]
struct Suggestion<'a> {
    range: Range,
    text: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_as_github_escapes_them() {
        assert_eq!(data("50% done\r\n::error::x"), "50%25 done\\r\\n::error::x");
        assert_eq!(property("a,b:c%"), "a%2Cb%3Ac%25");
    }
}
