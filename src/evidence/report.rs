//! The evidence in the reports: the confirmed findings' marks and the unexplained places, in
//! the text report, the JSON document, SARIF and the pull-request body. Kept here so that the
//! report modules only call in.

use super::confirm::{Confirmations, Mark, Unexplained};
use crate::markdown::{self, code, table_cell};
use crate::report::{Report, ReportedFinding};
use std::fmt::Write;

impl Report<'_> {
    /// Marks the findings the evidence confirms and puts them first (in their order
    /// otherwise), and adds the unexplained places and the evidence's counts.
    pub fn with_evidence(mut self, confirmations: &Confirmations) -> Self {
        for finding in &mut self.findings {
            finding.evidence = confirmations
                .mark(finding.path, finding.line, finding.codemod)
                .cloned();
        }
        self.findings
            .sort_by_key(|finding| finding.evidence.is_none());
        self.unexplained = Some(confirmations.unexplained.clone());
        self.summary.evidence = Some(confirmations.summary.clone());
        self
    }
}

/// ` [evidence: 240 goroutine(s) in chan send, waiting up to 5 minutes]` after a confirmed
/// finding's message in the text report; nothing otherwise.
pub fn text_suffix(finding: &ReportedFinding) -> String {
    finding
        .evidence
        .as_ref()
        .map(|mark| format!(" [evidence: {}]", mark.sentence()))
        .unwrap_or_default()
}

/// The text report's section of unexplained places, one line each; empty when none (or
/// without `--evidence`).
pub fn text_section(unexplained: Option<&[Unexplained]>) -> String {
    let mut text = String::new();
    for entry in unexplained.unwrap_or_default() {
        text.push_str(&entry.line());
        text.push('\n');
    }
    text
}

/// The pull-request body's evidence cell for the fixes of one (codemod, file) row.
pub fn table_cell_for(marks: &[Option<&Mark>]) -> String {
    let confirmed: Vec<&Mark> = marks.iter().flatten().copied().collect();
    if confirmed.is_empty() {
        return "not seen".to_string();
    }
    let goroutines: u64 = confirmed.iter().map(|m| m.goroutines).sum();
    let state = &confirmed
        .iter()
        .max_by_key(|m| m.goroutines)
        .expect("not empty")
        .state;
    table_cell(&markdown::text(&format!(
        "{goroutines} goroutine(s) in {state}"
    )))
}

/// The pull-request body's section on what the evidence showed that this change does not
/// fix: every unexplained place, its line quoted as code.
pub fn markdown_section(body: &mut String, confirmations: &Confirmations) {
    let summary = &confirmations.summary;
    let _ = writeln!(
        body,
        "\n## What the run-time evidence shows\n\n{} goroutine(s) were read from {} evidence \
         file(s); {} of them were blocked. The evidence confirms {} of the findings. It was \
         not used to decide that any fix is safe: each fix stands on the analysis alone.",
        summary.goroutines, summary.files, summary.blocked, summary.confirmed
    );
    if confirmations.unexplained.is_empty() {
        return;
    }
    let _ = writeln!(
        body,
        "\nBlocked goroutines that no fix here explains, left for a human:\n"
    );
    for entry in &confirmations.unexplained {
        let place = match &entry.path {
            Some(path) => code(&format!("{path}:{}", entry.line)),
            None => code(&format!("{}:{}", entry.evidence_path, entry.line)),
        };
        let function = entry.function.as_deref().unwrap_or(&entry.frame);
        let _ = write!(
            body,
            "- {place}: {} in {}, waiting {}, in {}",
            markdown::text(&format!("{} goroutine(s) blocked", entry.goroutines)),
            code(&entry.state),
            markdown::text(&entry.waiting),
            code(function)
        );
        if let Some(source) = &entry.source {
            let _ = write!(body, ": {}", code(source));
        }
        if !entry.candidates.is_empty() {
            let candidates: Vec<String> = entry.candidates.iter().map(|c| code(c)).collect();
            let _ = write!(
                body,
                " (ambiguous: the path matches {} equally)",
                candidates.join(", ")
            );
        }
        body.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::confirm::EvidenceSummary;

    fn unexplained(path: Option<&str>, source: Option<&str>, frame: &str) -> Unexplained {
        Unexplained {
            path: path.map(str::to_string),
            line: 7,
            function: None,
            source: source.map(str::to_string),
            state: "sync.Mutex.Lock".into(),
            goroutines: 3,
            waiting: "under a minute".into(),
            frame: frame.into(),
            evidence_path: "/build/x.go".into(),
            candidates: Vec::new(),
        }
    }

    #[test]
    fn the_markdown_section_cannot_be_broken_out_of() {
        let confirmations = Confirmations {
            unexplained: vec![unexplained(
                Some("a`b.go"),
                Some("mu.Lock() // ``` </details> # x"),
                "main.[evil](http://x)",
            )],
            summary: EvidenceSummary::default(),
            ..Default::default()
        };
        let mut body = String::new();
        markdown_section(&mut body, &confirmations);
        let line = body.lines().last().unwrap();
        // Each piece of the evidence or the source is a code span whose fence is longer than
        // any run of backticks in it: nothing in it is Markdown.
        assert_eq!(
            line,
            "- ``a`b.go:7``: 3 goroutine(s) blocked in `sync.Mutex.Lock`, waiting under a \
             minute, in `main.[evil](http://x)`: ````mu.Lock() // ``` </details> # x````"
        );
        assert_eq!(
            body.lines().filter(|l| l.starts_with('#')).count(),
            1,
            "{body}"
        );
    }

    #[test]
    fn the_text_section_has_one_line_per_place() {
        let entries = [
            unexplained(Some("a.go"), Some("mu.Lock()"), "main.f"),
            unexplained(None, None, "main.g"),
        ];
        let text = text_section(Some(&entries));
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.starts_with("unexplained: a.go:7: 3 goroutine(s) blocked in sync.Mutex.Lock, waiting under a minute in main.f: mu.Lock()\n"), "{text}");
        assert!(text.contains("unexplained: /build/x.go:7:"), "{text}");
        assert_eq!(text_section(None), "");
    }
}
