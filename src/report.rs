//! The findings report: `path:line:col: id: message` lines, or the JSON document of docs/CONTRACT.md.
//! (SARIF is written from the same report by `sarif`.)

use crate::edit::Fix;
use crate::enclosing;
use crate::engine::FileOutcome;
use crate::escape;
use crate::evidence::{
    self,
    confirm::{EvidenceSummary, Mark, Unexplained},
};
use crate::outcome::{Judge, Mode, Outcome, Status};
use crate::source::SourceFile;
use crate::verify::Verdict;
use serde::Serialize;

/// The JSON document's `version` (docs/CONTRACT.md). 3: every finding is listed with its
/// `outcome` and `function`, the summary counts the outcomes, `commit` is a list of branches.
pub const JSON_VERSION: u32 = 4;

#[derive(Serialize)]
pub struct Report<'a> {
    pub version: u32,
    pub findings: Vec<ReportedFinding<'a>>,
    pub summary: Summary,
    /// Functions that may make a channel but were not analysed because they have a syntax
    /// error; empty lists are left out, so a clean run's document keeps its shape.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_analysed: Vec<ReportedNotAnalysed<'a>>,
    /// The branches `--commit` made or found up to date, one per shard; present with
    /// `--commit` only (empty when there was nothing to fix).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<Vec<CommitRecord>>,
    /// With `--evidence`: the blocked places no finding explains (see `evidence::report`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unexplained: Option<Vec<Unexplained>>,
    /// What the run did with the fixes (which findings the text report shows).
    #[serde(skip)]
    pub mode: Mode,
}

/// What `--commit` made for one shard: the branch, its one commit, the files that commit
/// changes (paths relative to the repository's top directory), the shard's owners (from
/// CODEOWNERS with `--split-by codeowners`, else empty), whether the branch was created,
/// moved, or already held this very tree, the pull-request title, and the body written for it.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct CommitRecord {
    pub branch: String,
    pub sha: String,
    pub files: Vec<String>,
    pub owners: Vec<String>,
    pub status: BranchStatus,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pr_body: Option<String>,
}

/// What happened to a `--commit` branch.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BranchStatus {
    /// It did not exist and was made.
    Created,
    /// It existed (`--force-branch`) and was moved to a new commit.
    Updated,
    /// It existed and already held exactly the fixed tree: no commit made, nothing moved.
    Unchanged,
}

impl BranchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BranchStatus::Created => "created",
            BranchStatus::Updated => "updated",
            BranchStatus::Unchanged => "unchanged",
        }
    }
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
    /// The declared function or method the finding is in (see `enclosing`), `null` outside one.
    pub function: Option<String>,
    pub message: &'a str,
    pub fix: Option<ReportedFix<'a>>,
    /// What the run did about it.
    pub outcome: Outcome,
    /// The file the finding is in, for formats that count columns differently (SARIF).
    #[serde(skip)]
    pub source: &'a SourceFile,
    /// Byte range of the finding in `source`.
    #[serde(skip)]
    pub range: std::ops::Range<usize>,
    /// The files of the fix's `other_files`, in its order, for formats that count columns
    /// (SARIF); `None` for one that is not among the outcomes.
    #[serde(skip)]
    pub other_sources: Vec<Option<&'a SourceFile>>,
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
    /// Findings not suppressed: `fixed + unfixed + dropped`.
    pub findings: usize,
    /// Findings whose fix would be applied with the current settings.
    pub fixable: usize,
    pub fixed: usize,
    pub unfixed: usize,
    pub dropped: usize,
    /// Findings a `//goleak-fix:ignore` silenced (listed only with `--include-suppressed`).
    pub suppressed: usize,
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
    /// Every finding of `outcomes` with its outcome as `judge` sees it; the suppressed ones
    /// too when `include_suppressed`.
    pub fn new(
        outcomes: &'a [FileOutcome],
        files_scanned: usize,
        judge: &Judge<'a>,
        include_suppressed: bool,
    ) -> Self {
        let mut findings = Vec::new();
        let mut not_analysed = Vec::new();
        let mut suppressed = 0;
        let by_path: std::collections::HashMap<&str, &SourceFile> = outcomes
            .iter()
            .map(|outcome| (outcome.source.display_path.as_str(), &outcome.source))
            .collect();
        for outcome in outcomes {
            let source = &outcome.source;
            not_analysed.extend(ReportedNotAnalysed::of(outcome));
            suppressed += outcome.suppressed.len();
            let judged = judge.findings(outcome);
            let listed_suppressed = if include_suppressed {
                &outcome.suppressed[..]
            } else {
                &[]
            };
            let all: Vec<(&crate::codemods::Finding, Outcome)> = outcome
                .findings
                .iter()
                .zip(judged)
                .chain(listed_suppressed.iter().map(|f| (f, Outcome::suppressed())))
                .collect();
            for (finding, judged) in all {
                let start = source.line_column(finding.range.start);
                let end = source.line_column(finding.range.end);
                let applicable = finding
                    .fix
                    .as_ref()
                    .is_some_and(|fix| judge.settings.is_applicable(fix));
                let verification = judge
                    .verdicts
                    .get(&source.display_path)
                    .filter(|_| applicable && judged.status != Status::Suppressed);
                findings.push(ReportedFinding {
                    codemod: finding.codemod,
                    path: &source.display_path,
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    function: None,
                    message: &finding.message,
                    fix: finding
                        .fix
                        .as_ref()
                        .map(|fix| ReportedFix { fix, verification }),
                    applicable: applicable
                        && !matches!(judged.status, Status::Dropped | Status::Suppressed),
                    outcome: judged,
                    source,
                    range: finding.range.clone(),
                    other_sources: finding
                        .fix
                        .iter()
                        .flat_map(|fix| &fix.other_files)
                        .map(|other| by_path.get(other.path.as_str()).copied())
                        .collect(),
                    evidence: None,
                });
            }
        }
        let count = |status: Status| {
            findings
                .iter()
                .filter(|f| f.outcome.status == status)
                .count()
        };
        let summary = Summary {
            files_scanned,
            findings: findings
                .iter()
                .filter(|f| f.outcome.status != Status::Suppressed)
                .count(),
            fixable: findings.iter().filter(|f| f.applicable).count(),
            fixed: count(Status::Fixed),
            unfixed: count(Status::Unfixed),
            dropped: count(Status::Dropped),
            suppressed,
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
            mode: judge.mode,
            unexplained: None,
        }
    }

    /// Names the declared function each finding is in (see `enclosing`): one parse of each
    /// file with findings, which only the machine-readable reports need.
    pub fn with_functions(mut self) -> Self {
        // Findings of one file may not be next to each other (`--evidence` puts the confirmed
        // ones first): grouped by file, in order of first appearance.
        let mut files: Vec<(&'a SourceFile, Vec<usize>)> = Vec::new();
        let mut by_file: std::collections::HashMap<*const SourceFile, usize> =
            std::collections::HashMap::new();
        for (index, finding) in self.findings.iter().enumerate() {
            let slot = *by_file
                .entry(std::ptr::from_ref(finding.source))
                .or_insert_with(|| {
                    files.push((finding.source, Vec::new()));
                    files.len() - 1
                });
            files[slot].1.push(index);
        }
        for (source, indices) in files {
            let offsets: Vec<usize> = indices
                .iter()
                .map(|&i| self.findings[i].range.start)
                .collect();
            let names = enclosing::function_names(&source.text, &offsets);
            for (index, name) in indices.into_iter().zip(names) {
                self.findings[index].function = name;
            }
        }
        self
    }

    /// Names the configuration file the run read (`summary.config`).
    pub fn with_config(mut self, file: Option<String>) -> Self {
        self.summary.config = file;
        self
    }

    /// The findings still to be dealt with: unfixed or dropped (in `--check` and
    /// `--dry-run`, where nothing is written, every finding but the suppressed ones).
    pub fn remaining(&self) -> impl Iterator<Item = &ReportedFinding<'a>> {
        let mode = self.mode;
        self.findings
            .iter()
            .filter(move |f| match f.outcome.status {
                Status::Suppressed => false,
                Status::Fixed => matches!(mode, Mode::Check | Mode::DryRun),
                Status::Unfixed | Status::Dropped => true,
            })
    }

    /// How many findings are left unfixed or dropped: the exit status is 1 when any are.
    pub fn unresolved(&self) -> usize {
        self.summary.unfixed + self.summary.dropped
    }

    /// One line per finding still to be dealt with (see `remaining`), like `go vet`. The path
    /// and the message are the repository's words in part (a file name, a quoted
    /// expression): their control characters are escaped, so that each finding is one line
    /// and nothing else can pass for one, or for a CI workflow command (`::error ...`), or
    /// reach the terminal raw.
    pub fn to_text(&self) -> String {
        let mut text: String = self
            .remaining()
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
