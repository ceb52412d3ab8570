//! The findings report: `path:line:col: id: message` lines, or the JSON document of docs/CONTRACT.md.
//! (SARIF is written from the same report by `sarif`.)

use crate::edit::Fix;
use crate::engine::FileOutcome;
use crate::escape;
use crate::evidence::{
    self,
    confirm::{EvidenceSummary, Mark, Unexplained},
};
use crate::source::SourceFile;
use crate::verify::{Status, Verdict, Verdicts};
use serde::Serialize;

#[derive(Serialize)]
pub struct Report<'a> {
    pub version: u32,
    pub findings: Vec<ReportedFinding<'a>>,
    pub summary: Summary,
    /// Functions that may make a channel but were not analysed because they have a syntax
    /// error; empty lists are left out, so a clean run's document keeps its shape.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_analysed: Vec<ReportedNotAnalysed<'a>>,
    /// The branch `--commit` created; absent otherwise, so the document keeps its shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitRecord>,
    /// With `--evidence`: the blocked places no finding explains (see `evidence::report`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unexplained: Option<Vec<Unexplained>>,
}

/// The JSON document's `version` (docs/CONTRACT.md).
pub const JSON_VERSION: u32 = 2;

/// What `--commit` made: the new branch, its one commit, and the files that commit changes
/// (paths relative to the repository's top directory).
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct CommitRecord {
    pub branch: String,
    pub sha: String,
    pub files: Vec<String>,
}

/// A function not analysed (see `engine::NotAnalysed`): where it starts and where its first
/// syntax error is, lines 1-based, columns 1-based in bytes like the findings'.
#[derive(Serialize)]
pub struct ReportedNotAnalysed<'a> {
    pub path: &'a str,
    pub line: usize,
    pub error_line: usize,
    pub error_column: usize,
    #[serde(skip)]
    pub source: &'a SourceFile,
    /// Byte offset of the error, for SARIF's columns.
    #[serde(skip)]
    pub error_offset: usize,
}

impl<'a> ReportedNotAnalysed<'a> {
    /// The functions of `outcome`'s file that were not analysed.
    pub fn of(outcome: &'a FileOutcome) -> impl Iterator<Item = Self> + 'a {
        let source = &outcome.source;
        outcome.not_analysed.iter().map(move |skipped| {
            let error = source.line_column(skipped.error);
            ReportedNotAnalysed {
                path: &source.display_path,
                line: source.line_column(skipped.start).line,
                error_line: error.line,
                error_column: error.column,
                source,
                error_offset: skipped.error,
            }
        })
    }

    /// `path:line: not analysed: syntax error at line:col`, for stderr.
    pub fn line(&self) -> String {
        format!(
            "{}:{}: not analysed: syntax error at {}:{}",
            self.path, self.line, self.error_line, self.error_column
        )
    }
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
    pub fix: Option<ReportedFix<'a>>,
    /// The file the finding is in, for formats that count columns differently (SARIF).
    #[serde(skip)]
    pub source: &'a SourceFile,
    /// Whether `fix` would be applied with the current settings.
    #[serde(skip)]
    pub applicable: bool,
    /// With `--evidence`, what the evidence says when it confirms the finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Mark>,
}

/// A finding's fix, and with `--verify` what the Go toolchain made of it (the verdict on all
/// the fixes of its file); `verification` is absent otherwise, so the document keeps its shape.
#[derive(Serialize, Clone, Copy)]
pub struct ReportedFix<'a> {
    #[serde(flatten)]
    pub fix: &'a Fix,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<&'a Verdict>,
}

#[derive(Serialize, Default, Clone)]
pub struct Summary {
    pub files_scanned: usize,
    pub findings: usize,
    /// Findings whose fix would be applied with the current settings.
    pub fixable: usize,
    /// Functions not analysed because of syntax errors (listed in `not_analysed`).
    pub not_analysed: usize,
    /// `//goleak-fix:ignore` comments that silenced nothing (reported by `--check` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unused_suppressions: Option<usize>,
    /// The `goleak-fix.toml` the run read, relative to the current directory; `null` for none.
    pub config: Option<String>,
    /// With `--evidence`: what the evidence held and what it confirmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceSummary>,
}

impl<'a> Report<'a> {
    pub fn new(
        outcomes: &'a [FileOutcome],
        files_scanned: usize,
        is_applicable: impl Fn(&Fix) -> bool,
    ) -> Self {
        let mut findings = Vec::new();
        let mut not_analysed = Vec::new();
        for outcome in outcomes {
            let source = &outcome.source;
            not_analysed.extend(ReportedNotAnalysed::of(outcome));
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
                    fix: finding.fix.as_ref().map(|fix| ReportedFix {
                        fix,
                        verification: None,
                    }),
                    source,
                    applicable: finding.fix.as_ref().is_some_and(&is_applicable),
                    evidence: None,
                });
            }
        }
        let fixable = findings.iter().filter(|f| f.applicable).count();
        let summary = Summary {
            files_scanned,
            findings: findings.len(),
            fixable,
            not_analysed: not_analysed.len(),
            unused_suppressions: None,
            config: None,
            evidence: None,
        };
        Report {
            version: JSON_VERSION,
            findings,
            summary,
            not_analysed,
            commit: None,
            unexplained: None,
        }
    }

    /// Adds `--verify`'s verdicts to the fixes that would be applied. A dropped fix is no
    /// longer one that would be applied, so it leaves `fixable` (and SARIF's fixes).
    /// Names the configuration file the run read (`summary.config`).
    pub fn with_config(mut self, file: Option<String>) -> Self {
        self.summary.config = file;
        self
    }

    pub fn with_verdicts(mut self, verdicts: &'a Verdicts) -> Self {
        for finding in &mut self.findings {
            let Some(verdict) = verdicts.get(finding.path) else {
                continue;
            };
            let Some(fix) = finding.fix.as_mut().filter(|_| finding.applicable) else {
                continue;
            };
            fix.verification = Some(verdict);
            if verdict.status == Status::Dropped {
                finding.applicable = false;
            }
        }
        self.summary.fixable = self.findings.iter().filter(|f| f.applicable).count();
        self
    }

    /// One line per finding, like `go vet`. The path and the message are the repository's
    /// words in part (a file name, a quoted expression): their control characters are
    /// escaped, so that each finding is one line and nothing else can pass for one, or for a
    /// CI workflow command (`::error ...`), or reach the terminal raw.
    pub fn to_text(&self) -> String {
        let mut text: String = self
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{}: {}: {}{}\n",
                    escape::for_terminal(f.path),
                    f.line,
                    f.column,
                    f.codemod,
                    escape::for_terminal(f.message),
                    evidence::report::text_suffix(f)
                )
            })
            .collect();
        text.push_str(&evidence::report::text_section(self.unexplained.as_deref()));
        text
    }

    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("the report is plain data");
        json.push('\n');
        json
    }
}
