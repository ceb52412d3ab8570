//! The findings report: `path:line:col: id: message` lines, or the JSON document of DESIGN.md.

use crate::edit::Fix;
use crate::engine::FileOutcome;
use serde::Serialize;

#[derive(Serialize)]
pub struct Report<'a> {
    pub version: u32,
    pub findings: Vec<ReportedFinding<'a>>,
    pub summary: Summary,
}

#[derive(Serialize)]
pub struct ReportedFinding<'a> {
    pub codemod: &'static str,
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: &'a str,
    pub fix: Option<&'a Fix>,
}

#[derive(Serialize, Default, Clone, Copy)]
pub struct Summary {
    pub files_scanned: usize,
    pub findings: usize,
    /// Findings whose fix would be applied with the current settings.
    pub fixable: usize,
}

impl<'a> Report<'a> {
    pub fn new(
        outcomes: &'a [FileOutcome],
        files_scanned: usize,
        is_applicable: impl Fn(&Fix) -> bool,
    ) -> Self {
        let mut findings = Vec::new();
        for outcome in outcomes {
            let source = &outcome.source;
            for finding in &outcome.findings {
                let start = source.line_column(finding.range.start);
                let end = source.line_column(finding.range.end);
                findings.push(ReportedFinding {
                    codemod: finding.codemod,
                    path: &source.display_path,
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    message: &finding.message,
                    fix: finding.fix.as_ref(),
                });
            }
        }
        let fixable = findings
            .iter()
            .filter(|f| f.fix.is_some_and(&is_applicable))
            .count();
        let summary = Summary {
            files_scanned,
            findings: findings.len(),
            fixable,
        };
        Report {
            version: 1,
            findings,
            summary,
        }
    }

    /// One line per finding, like `go vet`.
    pub fn to_text(&self) -> String {
        self.findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{}: {}: {}\n",
                    f.path, f.line, f.column, f.codemod, f.message
                )
            })
            .collect()
    }

    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("the report is plain data");
        json.push('\n');
        json
    }
}
