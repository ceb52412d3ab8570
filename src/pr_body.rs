//! `--pr-body FILE`: a Markdown pull-request body for the fixes, written for a reviewer who has
//! never heard of goleak-fix.
//!
//! In order: a title line (`# ` and the commit's subject, which `gh pr create --title` can
//! reuse); what a goroutine leak is and why these edits are small and safe; the branch and
//! commit, when there is one; a table of fixes per codemod and file; for each codemod the leak
//! in one sentence, each fix with its line and the finding's own words, the codemod's full
//! reasoning in a collapsed block and where to read it (`goleak-fix --explain <id>`); and the
//! unified diff in a collapsed block. With `--verify`, the table has a column with each file's
//! verdict, each fix says it, and a paragraph names the fixes that verification left out of
//! the change and why. Markdown only, no HTML but `<details>`/`<summary>`, which
//! GitHub, GitLab and Gitea all render.
//!
//! What comes from the repository (file names, `go vet`'s and the tests' words) goes through
//! `markdown`, so it reads as the literal text it is and cannot add a heading, a link or HTML;
//! the diff names its files as git quotes them (see `diff`).

use crate::codemods::{self, Codemod};
use crate::config::UnsafeFixesFrom;
use crate::diff::file_diff;
use crate::edit::Applicability;
use crate::engine::FileOutcome;
use crate::evidence::confirm::Confirmations;
use crate::evidence::report as evidence_report;
use crate::markdown::{self, code, longest_backtick_run, table_cell};
use crate::report::CommitRecord;
use crate::verify::{Status, Verdict, Verdicts};
use crate::walk::display_path;
use std::fmt::Write;

/// Where the codemods' documentation is published: the package's repository (`repository` in
/// Cargo.toml), when it names one. The body links to `<repository>/blob/HEAD/codemods/<id>/README.md`
/// then, and always names `goleak-fix --explain <id>`, which prints the same text.
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// One applied fix, with what the first analysis said about it.
struct FixLine<'a> {
    path: &'a str,
    codemod: &'static str,
    description: &'a str,
    /// The 1-based line of the finding, and its message, when the fix answers a finding of
    /// the file as read (a fix made possible by an earlier one has none).
    finding: Option<(usize, &'a str)>,
    applicability: Option<Applicability>,
    /// `--verify`'s verdict on the file's fixes.
    verdict: Option<&'a Verdict>,
}

/// The body for the fixes in `outcomes`, titled `title`; `commit` names the branch made.
pub fn pull_request_body(
    title: &str,
    outcomes: &[FileOutcome],
    commit: Option<&CommitRecord>,
) -> String {
    pull_request_body_verified(title, outcomes, commit, &Verdicts::new(), None)
}

/// `pull_request_body`, with `--verify`'s verdicts per file (dropped files, whose fixes are
/// not in `outcomes` any more, are named with the reason), and where unsafe fixes were turned
/// on (`unsafe_from`), which the reviewer is told when an unsafe fix was made.
pub fn pull_request_body_verified(
    title: &str,
    outcomes: &[FileOutcome],
    commit: Option<&CommitRecord>,
    verdicts: &Verdicts,
    unsafe_from: Option<&UnsafeFixesFrom>,
) -> String {
    pull_request_body_with_evidence(title, outcomes, commit, verdicts, unsafe_from, None)
}

/// `pull_request_body_verified`, with what `--evidence` confirmed: a column of the table and
/// a section on the blocked places no fix explains (see `evidence::report`).
pub fn pull_request_body_with_evidence(
    title: &str,
    outcomes: &[FileOutcome],
    commit: Option<&CommitRecord>,
    verdicts: &Verdicts,
    unsafe_from: Option<&UnsafeFixesFrom>,
    evidence: Option<&Confirmations>,
) -> String {
    let fixes = fix_lines(outcomes, verdicts);
    let files = outcomes.iter().filter(|o| o.fixed.is_some()).count();
    let mut body = String::new();
    let _ = writeln!(body, "# {}\n", title.trim());
    let _ = writeln!(
        body,
        "This change fixes {} in {}. A goroutine leaks when it blocks forever on a channel \
         operation that can no longer complete, such as a send that nobody will ever receive. \
         It is never collected: its stack and everything it references stay in memory until \
         the process exits, so a leak on a request path grows with traffic. Each fix is one \
         small edit (a buffer on a channel, or a `close`) made by goleak-fix, which applies a \
         fix by default only where it can show that nothing else the program does changes.",
        plural(fixes.len(), "goroutine leak"),
        plural(files, "file"),
    );
    if fixes
        .iter()
        .any(|fix| fix.applicability == Some(Applicability::Unsafe))
    {
        let _ = writeln!(
            body,
            "\n**Some fixes below are marked unsafe**: {} They can change behaviour in a \
             corner case that the text names. Review them closely.",
            unsafe_origin(unsafe_from)
        );
    }
    if !verdicts.is_empty() {
        verification_section(&mut body, verdicts);
    }
    if let Some(commit) = commit {
        let _ = writeln!(
            body,
            "\nBranch {}, commit {}.",
            code(&commit.branch),
            code(&commit.sha)
        );
    }

    if verdicts.is_empty() {
        body.push_str("\n| codemod | file | fixes |");
    } else {
        body.push_str("\n| codemod | file | fixes | verification |");
    }
    if evidence.is_some() {
        body.push_str(" evidence |");
    }
    let columns = 3 + usize::from(!verdicts.is_empty()) + usize::from(evidence.is_some());
    body.push_str(&format!("\n|{}\n", "---|".repeat(columns)));
    let mut rows: Vec<(&str, &str, usize)> = Vec::new();
    for fix in &fixes {
        match rows
            .iter_mut()
            .find(|(codemod, path, _)| *codemod == fix.codemod && *path == fix.path)
        {
            Some((_, _, count)) => *count += 1,
            None => rows.push((fix.codemod, fix.path, 1)),
        }
    }
    rows.sort_by_key(|(codemod, path, _)| (registry_position(codemod), *path));
    for (codemod, path, count) in &rows {
        let _ = write!(
            body,
            "| {} | {} | {count} |",
            table_cell(&code(codemod)),
            table_cell(&code(path))
        );
        if !verdicts.is_empty() {
            let cell = verdicts.get(*path).map_or_else(
                || "not checked".to_string(),
                |verdict| match verdict.status {
                    Status::Verified => "verified".to_string(),
                    status => format!("{}: {}", status.as_str(), markdown::text(&verdict.reason)),
                },
            );
            let _ = write!(body, " {} |", table_cell(&cell));
        }
        if let Some(evidence) = evidence {
            let marks: Vec<_> = fixes
                .iter()
                .filter(|fix| fix.codemod == *codemod && fix.path == *path)
                .map(|fix| {
                    fix.finding
                        .and_then(|(line, _)| evidence.mark(fix.path, line, fix.codemod))
                })
                .collect();
            let _ = write!(body, " {} |", evidence_report::table_cell_for(&marks));
        }
        body.push('\n');
    }
    if let Some(evidence) = evidence {
        evidence_report::markdown_section(&mut body, evidence);
    }

    body.push_str("\n## The leaks and their fixes\n");
    for codemod in codemods::REGISTRY {
        let mine: Vec<&FixLine> = fixes
            .iter()
            .filter(|fix| fix.codemod == codemod.id())
            .collect();
        if !mine.is_empty() {
            codemod_section(&mut body, *codemod, &mine);
        }
    }
    // A fix by a codemod this build does not know cannot happen; listed rather than lost.
    let unknown: Vec<&FixLine> = fixes
        .iter()
        .filter(|fix| codemods::by_id(fix.codemod).is_none())
        .collect();
    for fix in unknown {
        let _ = writeln!(body, "\n- {}", fix_sentence(fix));
    }

    diff_section(&mut body, outcomes);
    let _ = writeln!(
        body,
        "\n---\n<sub>Made by goleak-fix {}. `goleak-fix --explain <codemod>` prints the full \
         reasoning behind each kind of fix.</sub>",
        env!("CARGO_PKG_VERSION")
    );
    body
}

/// Who turned unsafe fixes on, in a sentence: the reviewer weighs a flag given by whoever ran
/// the tool differently from a setting in a file.
fn unsafe_origin(unsafe_from: Option<&UnsafeFixesFrom>) -> String {
    match unsafe_from {
        Some(UnsafeFixesFrom::Flag) => {
            "they were asked for explicitly on the command line (`--unsafe-fixes`).".to_string()
        }
        Some(UnsafeFixesFrom::File(file)) => format!(
            "they were turned on by `unsafe-fixes = true` in the configuration file {}, which \
             this run was told to trust.",
            code(&display_path(file))
        ),
        None => "unsafe fixes were turned on for this run.".to_string(),
    }
}

/// The applied fixes in path order, each matched with the finding it answers (same codemod,
/// same fix description; each finding used once).
fn fix_lines<'a>(outcomes: &'a [FileOutcome], verdicts: &'a Verdicts) -> Vec<FixLine<'a>> {
    let mut lines = Vec::new();
    for outcome in outcomes.iter().filter(|o| o.fixed.is_some()) {
        let mut findings: Vec<_> = outcome
            .findings
            .iter()
            .filter_map(|finding| finding.fix.as_ref().map(|fix| (finding, fix)))
            .collect();
        for (codemod, description) in &outcome.applied {
            let matched = findings
                .iter()
                .position(|(finding, fix)| {
                    finding.codemod == *codemod && fix.description == *description
                })
                .map(|index| findings.remove(index));
            lines.push(FixLine {
                path: &outcome.source.display_path,
                codemod,
                description,
                finding: matched.map(|(finding, _)| {
                    let line = outcome.source.line_column(finding.range.start).line;
                    (line, finding.message.as_str())
                }),
                applicability: matched.map(|(_, fix)| fix.applicability),
                verdict: verdicts.get(&outcome.source.display_path),
            });
        }
    }
    lines
}

fn codemod_section(body: &mut String, codemod: &dyn Codemod, fixes: &[&FixLine]) {
    let id = codemod.id();
    let _ = writeln!(
        body,
        "\n### {} ({})\n\n{}\n",
        code(id),
        plural(fixes.len(), "fix"),
        codemod.leak_sentence()
    );
    for fix in fixes {
        let _ = writeln!(body, "- {}", fix_sentence(fix));
    }
    let _ = writeln!(
        body,
        "\n<details>\n<summary>How this leak happens, and why the fix is safe</summary>\n\n{}\n</details>\n",
        reasoning(codemod.documentation())
    );
    let _ = write!(body, "Full documentation: `goleak-fix --explain {id}`");
    if !REPOSITORY.is_empty() {
        let _ = write!(
            body,
            ", or [online]({}/blob/HEAD/codemods/{id}/README.md)",
            REPOSITORY.trim_end_matches('/')
        );
    }
    body.push_str(".\n");
}

/// `` `pkg/a.go` line 6: <the finding>. Fix: <what the edit does>. ``
fn fix_sentence(fix: &FixLine) -> String {
    let mut sentence = code(fix.path);
    match fix.finding {
        Some((line, message)) => {
            let _ = write!(
                sentence,
                " line {line}: {}",
                with_period(&markdown::inline(message))
            );
        }
        None => sentence.push(':'),
    }
    let _ = write!(
        sentence,
        " Fix: {}",
        with_period(&markdown::inline(fix.description))
    );
    if fix.applicability == Some(Applicability::Unsafe) {
        sentence.push_str(" **Unsafe**: review this one closely.");
    }
    match fix.verdict {
        Some(verdict) if verdict.status == Status::Verified => {
            let _ = write!(
                sentence,
                " Verified: {}",
                with_period(&markdown::text(&verdict.reason))
            );
        }
        Some(verdict) => {
            let _ = write!(
                sentence,
                " **{}**: {}",
                capitalised(verdict.status.as_str()),
                with_period(&markdown::text(&verdict.reason))
            );
        }
        None => {}
    }
    sentence
}

/// What `--verify` did, how many files it verified, and each file it left out and why.
fn verification_section(body: &mut String, verdicts: &Verdicts) {
    let count = |status: Status| verdicts.values().filter(|v| v.status == status).count();
    let _ = writeln!(
        body,
        "\nEach fixed file was checked with the Go toolchain before this change was made \
         (`goleak-fix --verify`): its package was vetted, and with `--verify=test` tested, with \
         the fix in place and without it, offline. {} verified; {} unverified (kept, but the \
         toolchain could not judge them; the table says why); {} dropped (left out of this \
         change).",
        plural(count(Status::Verified), "file"),
        plural(count(Status::Unverified), "file"),
        plural(count(Status::Dropped), "file"),
    );
    let dropped: Vec<(&String, &Verdict)> = verdicts
        .iter()
        .filter(|(_, v)| v.status == Status::Dropped)
        .collect();
    if !dropped.is_empty() {
        body.push_str("\nLeft out because the fixed package did not pass:\n\n");
        for (path, verdict) in dropped {
            let _ = writeln!(
                body,
                "- {}: {}",
                code(path),
                with_period(&markdown::text(&verdict.reason))
            );
        }
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The documentation below its title and lead sentence (the section already shows both), its
/// headings moved two levels down to sit under the section's.
fn reasoning(documentation: &str) -> String {
    let mut paragraphs = documentation.trim_start().splitn(3, "\n\n");
    let first = paragraphs.next().unwrap_or_default();
    let rest = if first.starts_with('#') {
        // Title, lead sentence, then the rest.
        paragraphs.nth(1).unwrap_or_default()
    } else {
        documentation
    };
    let mut text = String::new();
    let mut in_code = false;
    for line in rest.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with('#') {
            text.push_str("##");
        }
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn diff_section(body: &mut String, outcomes: &[FileOutcome]) {
    let mut diff = String::new();
    for outcome in outcomes {
        if let Some(fixed) = &outcome.fixed {
            diff.push_str(&file_diff(&outcome.source, fixed));
        }
    }
    let added = diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .count();
    let removed = diff
        .lines()
        .filter(|l| l.starts_with('-') && !l.starts_with("---"))
        .count();
    let files = outcomes.iter().filter(|o| o.fixed.is_some()).count();
    // The fence must be longer than any run of backticks in the diff (Go raw strings).
    let fence = "`".repeat(longest_backtick_run(&diff).max(2) + 1);
    let _ = writeln!(
        body,
        "\n## The change\n\n<details>\n<summary>Diff: {} changed, {added} line(s) added, {removed} removed</summary>\n\n{fence}diff\n{}{}{fence}\n\n</details>",
        plural(files, "file"),
        diff,
        if diff.ends_with('\n') { "" } else { "\n" },
    );
}

fn registry_position(id: &str) -> usize {
    codemods::REGISTRY
        .iter()
        .position(|codemod| codemod.id() == id)
        .unwrap_or(usize::MAX)
}

fn plural(count: usize, noun: &str) -> String {
    match (count, noun) {
        (1, _) => format!("1 {noun}"),
        (_, "fix") => format!("{count} fixes"),
        _ => format!("{count} {noun}s"),
    }
}

fn with_period(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Settings, process_package};
    use crate::source::SourceFile;
    use crate::syntax::go_parser;

    const LEAKY: &str = "package main\n\nimport \"time\"\n\nfunc fetch() string {\n\tc := make(chan string)\n\tgo func() {\n\t\tc <- \"x\"\n\t}()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-time.After(time.Millisecond):\n\t\treturn \"\"\n\t}\n}\n";

    fn outcomes() -> Vec<FileOutcome> {
        let settings = Settings::new(codemods::REGISTRY.to_vec(), false);
        let source = SourceFile::new("pkg/a.go".into(), "pkg/a.go".into(), LEAKY.into());
        process_package(&mut go_parser(), vec![source], &settings)
    }

    #[test]
    fn the_body_explains_each_fix_and_carries_the_diff() {
        let outcomes = outcomes();
        let commit = CommitRecord {
            branch: "goleak-fix/abc".into(),
            sha: "0123456789abcdef".into(),
            files: vec!["pkg/a.go".into()],
        };
        let body = pull_request_body("Fix 1 goroutine leak", &outcomes, Some(&commit));
        assert!(body.starts_with("# Fix 1 goroutine leak\n\n"), "{body}");
        assert!(
            body.contains("| `timeout-leak` | `pkg/a.go` | 1 |"),
            "{body}"
        );
        assert!(body.contains("`pkg/a.go` line 6: "), "{body}");
        assert!(
            body.contains("`goleak-fix --explain timeout-leak`"),
            "{body}"
        );
        assert!(body.contains("Branch `goleak-fix/abc`, commit `0123456789abcdef`."));
        assert!(
            body.contains("```diff\n--- a/pkg/a.go\n+++ b/pkg/a.go\n"),
            "{body}"
        );
        assert!(body.contains("+\tc := make(chan string, 1)\n"), "{body}");
        // The codemod's headings sit below the section's.
        assert!(body.contains("\n#### Why it leaks\n"), "{body}");
        assert!(!body.contains("\n# timeout-leak"), "{body}");
    }
}
