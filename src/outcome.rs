//! What became of each finding in a run: fixed, left unfixed (and why), dropped by `--verify`,
//! or suppressed by a `//goleak-fix:ignore` comment. The JSON, SARIF, GitHub and reviewdog
//! reports list every finding with its outcome (docs/CONTRACT.md, "JSON report"), so that a
//! report of a run that fixed everything still says what it fixed.
//!
//! A finding counts as fixed when one of its file's applied fixes answers it: same codemod,
//! same fix description, each applied fix used once (the engine records applied fixes by
//! codemod and description; a fix taken in a later pass, after an overlapping one, answers the
//! same finding of the file as read).

use crate::engine::{FileOutcome, Settings};
use crate::verify::{self, Verdicts};
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};

/// What the run does with the fixes it would apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `--check`: applies nothing.
    Check,
    /// `--dry-run`: shows the fixes as a diff; "fixed" means the diff holds the fix.
    DryRun,
    /// The default mode: writes the fixes to the files.
    Fix,
    /// `--commit`: commits the fixes on a branch.
    Commit,
}

#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Fixed,
    Unfixed,
    Dropped,
    Suppressed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fixed => "fixed",
            Status::Unfixed => "unfixed",
            Status::Dropped => "dropped",
            Status::Suppressed => "suppressed",
        }
    }
}

/// Why a finding was not fixed.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// No fix could be proven safe or built.
    NoFix,
    /// The fix is marked unsafe and `--unsafe-fixes` was not given.
    UnsafeFix,
    /// `--check` applies no fix.
    ReportOnly,
    /// The fix overlapped another or would have added a syntax error, and was left out.
    NotApplied,
    /// The fixed file could not be written.
    NotWritten,
    /// `--verify` found that the fixed package no longer vets or tests clean.
    Verify,
}

impl Reason {
    fn sentence(self) -> &'static str {
        match self {
            Reason::NoFix => "no fix can be proven safe or built",
            Reason::UnsafeFix => "the fix is marked unsafe; it is applied only with --unsafe-fixes",
            Reason::ReportOnly => "--check applies no fix",
            Reason::NotApplied => {
                "the fix overlapped another one or would have added a syntax error; left out"
            }
            Reason::NotWritten => "the fixed file could not be written",
            Reason::Verify => "--verify dropped the file's fixes",
        }
    }
}

/// A finding's outcome: `{"status": "unfixed", "reason": "unsafe-fix", "detail": "..."}`.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The reason in words (for `dropped`, the toolchain's first complaint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Outcome {
    pub fn fixed() -> Self {
        Outcome {
            status: Status::Fixed,
            reason: None,
            detail: None,
        }
    }

    pub fn suppressed() -> Self {
        Outcome {
            status: Status::Suppressed,
            reason: None,
            detail: None,
        }
    }

    fn unfixed(reason: Reason) -> Self {
        Outcome {
            status: Status::Unfixed,
            reason: Some(reason),
            detail: Some(reason.sentence().to_string()),
        }
    }

    fn dropped(detail: &str) -> Self {
        Outcome {
            status: Status::Dropped,
            reason: Some(Reason::Verify),
            detail: Some(detail.to_string()),
        }
    }
}

/// What the run did, as the outcomes need it.
pub struct Judge<'a> {
    pub mode: Mode,
    pub settings: &'a Settings,
    pub verdicts: &'a Verdicts,
    /// Files (by display path) whose fixes could not be written.
    pub not_written: &'a HashSet<String>,
}

impl Judge<'_> {
    /// The outcome of each finding of `outcome`, in the order of `outcome.findings`.
    pub fn findings(&self, outcome: &FileOutcome) -> Vec<Outcome> {
        let answered = answered_findings(outcome);
        let path = &outcome.source.display_path;
        let dropped = self
            .verdicts
            .get(path)
            .filter(|verdict| verdict.status == verify::Status::Dropped);
        outcome
            .findings
            .iter()
            .zip(answered)
            .map(|(finding, answered)| {
                let applicable = finding
                    .fix
                    .as_ref()
                    .is_some_and(|fix| self.settings.is_applicable(fix));
                match (&finding.fix, dropped) {
                    (None, _) => Outcome::unfixed(Reason::NoFix),
                    (Some(_), _) if !applicable => Outcome::unfixed(Reason::UnsafeFix),
                    _ if self.mode == Mode::Check => Outcome::unfixed(Reason::ReportOnly),
                    (Some(_), Some(verdict)) => Outcome::dropped(&verdict.reason),
                    _ if !answered => Outcome::unfixed(Reason::NotApplied),
                    _ if self.not_written.contains(path) => Outcome::unfixed(Reason::NotWritten),
                    _ => Outcome::fixed(),
                }
            })
            .collect()
    }
}

/// Per finding of the file as read, whether one of the applied fixes answers it.
pub fn answered_findings(outcome: &FileOutcome) -> Vec<bool> {
    match_applied(outcome).0
}

/// `answered_findings`, and the applied fixes (by index into `outcome.applied`) that answer
/// no finding of the file as read.
pub fn match_applied(outcome: &FileOutcome) -> (Vec<bool>, Vec<usize>) {
    let mut answered = vec![false; outcome.findings.len()];
    let mut unmatched = Vec::new();
    for (applied, finding) in applied_findings(outcome).into_iter().enumerate() {
        match finding {
            Some(index) => answered[index] = true,
            None => unmatched.push(applied),
        }
    }
    (answered, unmatched)
}

/// For each applied fix of `outcome`, the index of the finding it answers, if any: the first
/// finding not yet answered with the same codemod and fix description. Linear: the findings
/// are queued by (codemod, description) once, so a generated file with thousands of fixes
/// costs no more than its findings.
pub fn applied_findings(outcome: &FileOutcome) -> Vec<Option<usize>> {
    let mut queues: HashMap<(&str, &str), VecDeque<usize>> = HashMap::new();
    for (index, finding) in outcome.findings.iter().enumerate() {
        if let Some(fix) = &finding.fix {
            queues
                .entry((finding.codemod, fix.description.as_str()))
                .or_default()
                .push_back(index);
        }
    }
    outcome
        .applied
        .iter()
        .map(|(codemod, description)| {
            queues
                .get_mut(&(*codemod, description.as_str()))
                .and_then(VecDeque::pop_front)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codemods::Finding;
    use crate::edit::{Edit, Fix};
    use crate::source::SourceFile;

    fn finding(codemod: &'static str, at: usize, description: &str) -> Finding {
        Finding {
            codemod,
            range: at..at + 1,
            message: String::new(),
            fix: Some(Fix::safe(description, vec![Edit::insertion(at, "x")])),
        }
    }

    #[test]
    fn each_applied_fix_answers_the_next_finding_of_its_kind_once() {
        let source = SourceFile::new("a.go".into(), "a.go".into(), "package p\n".into());
        let mut outcome = FileOutcome::untouched(source, true);
        outcome.findings = vec![
            finding("timeout-leak", 1, "buffer c"),
            finding("timeout-leak", 2, "buffer c"),
            finding("ncast-leak", 3, "buffer d"),
        ];
        outcome.applied = vec![
            ("timeout-leak", "buffer c".into()),
            ("ncast-leak", "something later".into()),
            ("timeout-leak", "buffer c".into()),
        ];
        assert_eq!(applied_findings(&outcome), [Some(0), None, Some(1)]);
        assert_eq!(match_applied(&outcome), (vec![true, true, false], vec![1]));
    }
}
