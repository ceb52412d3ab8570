//! The codemods: one file each, one line each in `REGISTRY`.
//!
//! A codemod sees one function's `FunctionFacts` and pushes `Finding`s. It does no I/O and
//! never parses: the engine hands it everything. A finding is reported even when its fix
//! cannot be built (ruff's "a fix that cannot be built drops the fix, never the finding").

mod abandoned_producers;
mod abandoned_receivers;
mod channel_iteration_misuse;
mod double_send;
mod future_leak;
mod ncast_leak;
mod one_shot;
mod premature_return;
mod stop_channel;
mod timeout_leak;
mod work_after_send;

use crate::edit::Fix;
use crate::facts::FunctionFacts;
use crate::package::Package;
use std::ops::Range;

pub struct CodemodContext<'c, 'a> {
    pub package: &'c Package<'a>,
    pub facts: &'c FunctionFacts<'a>,
    /// The text of the file holding the function.
    pub source: &'a str,
}

impl<'a> CodemodContext<'_, 'a> {
    /// The control flow of the function's body, built once for all codemods.
    pub fn flow(&self) -> &crate::facts::Flow<'a> {
        &self.facts.flow
    }

    /// The 1-based line of `offset` in the function's file, for messages: from the file's line
    /// index (built once), not by counting newlines from the top on every call, which made a
    /// large generated file with many findings cost the square of its size.
    pub fn line_of(&self, offset: usize) -> usize {
        self.package.files[self.facts.file]
            .source
            .line_column(offset)
            .line
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub codemod: &'static str,
    /// Byte range in the function's file.
    pub range: Range<usize>,
    pub message: String,
    pub fix: Option<Fix>,
}

pub trait Codemod: Sync {
    /// The stable ID (docs/CONTRACT.md, "Codemod IDs").
    fn id(&self) -> &'static str;
    /// One line for `--list-codemods`.
    fn summary(&self) -> &'static str;
    /// What `--explain` prints: `codemods/<id>/README.md`.
    fn documentation(&self) -> &'static str;
    /// The leak in one sentence, for readers who never heard of the codemod (pull-request
    /// bodies, SARIF rules): the paragraph under the title of `documentation()`.
    fn leak_sentence(&self) -> &'static str {
        self.documentation()
            .split("\n\n")
            .map(str::trim)
            .find(|paragraph| !paragraph.is_empty() && !paragraph.starts_with('#'))
            .unwrap_or_else(|| self.summary())
    }
    fn check(&self, context: &CodemodContext, findings: &mut Vec<Finding>);
}

/// Every codemod, in the order they are listed and run.
pub static REGISTRY: &[&dyn Codemod] = &[
    &abandoned_receivers::AbandonedReceivers,
    &premature_return::PrematureReturn,
    &timeout_leak::TimeoutLeak,
    &ncast_leak::NcastLeak,
    &future_leak::FutureLeak,
    &channel_iteration_misuse::ChannelIterationMisuse,
    &abandoned_producers::AbandonedProducers,
    &double_send::DoubleSend,
];

pub fn by_id(id: &str) -> Option<&'static dyn Codemod> {
    REGISTRY.iter().copied().find(|codemod| codemod.id() == id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_codemod_says_what_leaks_in_one_sentence() {
        for codemod in super::REGISTRY {
            let sentence = codemod.leak_sentence();
            assert!(
                sentence.ends_with('.') && !sentence.contains('\n'),
                "{}: {sentence:?}",
                codemod.id()
            );
        }
    }
}

/// Helpers for the tests beside each codemod: run all codemods over one Go file.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::edit::Applicability;
    use crate::engine::{Settings, process_package};
    use crate::source::SourceFile;
    use crate::syntax::go_parser;

    fn run(text: &str, unsafe_fixes: bool) -> (Vec<super::Finding>, Option<String>) {
        run_as("t.go", text, unsafe_fixes)
    }

    fn run_as(name: &str, text: &str, unsafe_fixes: bool) -> (Vec<super::Finding>, Option<String>) {
        let settings = Settings::new(super::REGISTRY.to_vec(), unsafe_fixes);
        let source = SourceFile::new(name.into(), name.into(), text.to_string());
        let mut outcome = process_package(&mut go_parser(), vec![source], &settings);
        let outcome = outcome.pop().expect("one outcome");
        (outcome.findings, outcome.fixed)
    }

    /// `body` is wrapped as `package p` + imports; returns the findings' ids and fixes.
    pub fn program(body: &str) -> String {
        format!(
            "package p\n\nimport (\n\t\"context\"\n\t\"sync\"\n\t\"time\"\n)\n\nvar _ = context.Background\nvar _ sync.Mutex\nvar _ = time.Second\n\n{body}"
        )
    }

    /// The one finding must be by `id`, and its fix must have `applicability` (or be absent).
    pub fn assert_finding(body: &str, id: &str, applicability: Option<Applicability>) {
        let (findings, _) = run(&program(body), true);
        assert_eq!(findings.len(), 1, "expected one finding, got {findings:#?}");
        assert_eq!(findings[0].codemod, id);
        assert_eq!(
            findings[0].fix.as_ref().map(|f| f.applicability),
            applicability,
            "{:#?}",
            findings[0]
        );
    }

    /// The findings on `body` (wrapped by `program`) in a file named `name`.
    pub fn findings_in(name: &str, body: &str) -> Vec<super::Finding> {
        run_as(name, &program(body), true).0
    }

    /// The findings on `body` (wrapped by `program`), unsafe fixes included.
    pub fn findings(body: &str) -> Vec<super::Finding> {
        run(&program(body), true).0
    }

    pub fn assert_silent(body: &str) {
        let (findings, fixed) = run(&program(body), true);
        assert!(
            findings.is_empty(),
            "expected no finding, got {findings:#?}"
        );
        assert!(fixed.is_none());
    }

    /// The safe fixes turn `before` into `after`.
    pub fn assert_fix(before: &str, after: &str) {
        let (_, fixed) = run(&program(before), false);
        assert_eq!(fixed.as_deref(), Some(program(after).as_str()));
    }
}
