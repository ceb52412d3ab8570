//! Analysing and fixing one package: parse its files, compute channel facts per function, run
//! the selected codemods, then apply fixes until the package is stable.
//!
//! Fixing follows ruff: in each pass, take each file's fixes in order, skip any that overlaps
//! one already taken, apply each only if the result parses no worse than before, then analyse
//! the package again; stop when a pass changes nothing (or after `MAX_PASSES`).

use crate::codemods::{Codemod, CodemodContext, Finding};
use crate::edit::{Applicability, Fix, apply_edits};
use crate::facts::function_facts;
use crate::package::{Package, ParsedFile};
use crate::source::SourceFile;
use crate::suppress::is_suppressed;
use crate::syntax::{self, is_function_like};
use tree_sitter::{Node, Parser};

const MAX_PASSES: usize = 10;

#[derive(Clone)]
pub struct Settings {
    pub codemods: Vec<&'static dyn Codemod>,
    pub unsafe_fixes: bool,
}

impl Settings {
    pub fn is_applicable(&self, fix: &Fix) -> bool {
        fix.applicability == Applicability::Safe || self.unsafe_fixes
    }
}

/// What happened to one file.
pub struct FileOutcome {
    pub source: SourceFile,
    /// Findings on the file as read, sorted by position.
    pub findings: Vec<Finding>,
    /// The fixed text, when any fix was applied.
    pub fixed: Option<String>,
    /// Each applied fix: its codemod and description.
    pub applied: Vec<(&'static str, String)>,
}

/// Analyses the files of one package and computes their fixed text.
pub fn process_package(
    parser: &mut Parser,
    sources: Vec<SourceFile>,
    settings: &Settings,
) -> Vec<FileOutcome> {
    let mut files: Vec<ParsedFile> = sources
        .into_iter()
        .map(|source| {
            let tree = syntax::parse(parser, &source.text);
            ParsedFile { source, tree }
        })
        .collect();
    let first = analyze(&files, settings);
    let originals: Vec<SourceFile> = files.iter().map(|file| file.source.clone()).collect();
    let mut applied: Vec<Vec<(&'static str, String)>> = vec![Vec::new(); files.len()];
    let mut findings = first.clone();
    for _ in 0..MAX_PASSES {
        let mut changed = false;
        for (index, file_findings) in findings.iter().enumerate() {
            let fixes = file_findings
                .iter()
                .filter_map(|finding| finding.fix.as_ref().map(|fix| (finding.codemod, fix)))
                .filter(|(_, fix)| settings.is_applicable(fix));
            if let Some((text, done)) = apply_fixes(parser, &files[index], fixes) {
                let tree = syntax::parse(parser, &text);
                let source = SourceFile::new(
                    files[index].source.path.clone(),
                    files[index].source.display_path.clone(),
                    text,
                );
                files[index] = ParsedFile { source, tree };
                applied[index].extend(done);
                changed = true;
            }
        }
        if !changed {
            break;
        }
        findings = analyze(&files, settings);
    }
    originals
        .into_iter()
        .zip(first)
        .zip(files)
        .zip(applied)
        .map(|(((source, findings), file), applied)| {
            let fixed = (file.source.text != source.text).then_some(file.source.text);
            FileOutcome {
                source,
                findings,
                fixed,
                applied,
            }
        })
        .collect()
}

/// Findings per file, suppressed ones removed, sorted by position.
pub fn analyze(files: &[ParsedFile], settings: &Settings) -> Vec<Vec<Finding>> {
    let package = Package::new(files);
    files
        .iter()
        .enumerate()
        .map(|(file_id, file)| {
            let source = file.source.text.as_str();
            let mut findings = Vec::new();
            for unit in function_units(file.tree.root_node()) {
                let Some(facts) = function_facts(&package, file_id, unit) else {
                    continue;
                };
                let context = CodemodContext {
                    package: &package,
                    facts: &facts,
                    source,
                };
                for codemod in &settings.codemods {
                    codemod.check(&context, &mut findings);
                }
            }
            findings.retain(|finding| {
                let line = file.source.line_column(finding.range.start).line;
                !is_suppressed(&file.source, line, finding.codemod)
            });
            findings.sort_by_key(|finding| (finding.range.start, finding.codemod));
            findings.dedup_by(|a, b| a.range == b.range && a.codemod == b.codemod);
            findings
        })
        .collect()
}

/// Every function, method and func literal: each is analysed on its own, for the channels it
/// makes itself.
fn function_units(root: Node) -> Vec<Node> {
    let mut units = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if is_function_like(node) {
            units.push(node);
        }
        let mut cursor = node.walk();
        stack.extend(
            node.children(&mut cursor)
                .filter(|child| child.child_count() > 0),
        );
    }
    units.sort_by_key(|node| node.start_byte());
    units
}

/// Applies the non-overlapping fixes, one at a time, keeping each only if the file parses no
/// worse afterwards. Returns the new text and what was applied, or `None` if nothing was.
fn apply_fixes<'f>(
    parser: &mut Parser,
    file: &ParsedFile,
    fixes: impl Iterator<Item = (&'static str, &'f Fix)>,
) -> Option<(String, Vec<(&'static str, String)>)> {
    let baseline_errors = syntax::syntax_error_count(&file.tree);
    let mut taken: Vec<&Fix> = Vec::new();
    let mut applied = Vec::new();
    for (codemod, fix) in fixes {
        let span = fix.span();
        // Touching spans count as overlapping: two insertions at one point must not interleave.
        if taken.iter().any(|other| {
            let other = other.span();
            span.start <= other.end && other.start <= span.end
        }) {
            continue;
        }
        let mut edits: Vec<_> = taken
            .iter()
            .chain([&fix])
            .flat_map(|f| f.edits.iter().cloned())
            .collect();
        edits.sort();
        let candidate = apply_edits(&file.source.text, &edits);
        if syntax::syntax_error_count(&syntax::parse(parser, &candidate)) > baseline_errors {
            continue;
        }
        taken.push(fix);
        applied.push((codemod, fix.description.clone()));
    }
    if taken.is_empty() {
        return None;
    }
    let mut edits: Vec<_> = taken
        .iter()
        .flat_map(|fix| fix.edits.iter().cloned())
        .collect();
    edits.sort();
    Some((apply_edits(&file.source.text, &edits), applied))
}
