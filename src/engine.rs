//! Analysing and fixing one package: parse its files, compute channel facts per function, run
//! the selected codemods, then apply fixes until the package is stable.
//!
//! Fixing follows ruff: in each pass, take each file's fixes in order, skip any that overlaps
//! one already taken, apply each only if the result parses no worse than before, then analyse
//! the package again; stop when a pass changes nothing (or after `MAX_PASSES`).

use crate::builtins;
use crate::codemods::{Codemod, CodemodContext, Finding};
use crate::edit::{Applicability, Fix, apply_edits};
use crate::facts::{broken_region, function_facts};
use crate::package::{Package, ParsedFile};
use crate::prefilter;
use crate::source::SourceFile;
use crate::suppress::is_suppressed;
use crate::syntax;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;
use tree_sitter::{Node, Parser, Tree};

const MAX_PASSES: usize = 10;

#[derive(Clone)]
pub struct Settings {
    pub codemods: Vec<&'static dyn Codemod>,
    pub unsafe_fixes: bool,
    /// Whether to apply the fixes and compute each file's fixed text. `--check` only reports
    /// what is fixable, which the findings already say: applying the fixes, parsing each fixed
    /// file again and analysing it once more would be wasted work.
    pub apply_fixes: bool,
    /// Files larger than this many bytes are named and skipped (see `source::check_size`).
    pub max_file_size: u64,
    /// `--evidence-only`: the (shown path, top-level function) pairs the evidence saw
    /// goroutines wait on a channel in; findings elsewhere are neither reported nor fixed.
    pub evidence_only: Option<Arc<HashSet<(String, String)>>>,
}

impl Settings {
    /// The given codemods, fixes applied.
    pub fn new(codemods: Vec<&'static dyn Codemod>, unsafe_fixes: bool) -> Self {
        Settings {
            codemods,
            unsafe_fixes,
            apply_fixes: true,
            max_file_size: crate::source::DEFAULT_MAX_FILE_SIZE,
            evidence_only: None,
        }
    }

    /// The same settings, keeping only the findings in `functions` (see `evidence_only`).
    pub fn with_evidence_only(self, functions: HashSet<(String, String)>) -> Self {
        Settings {
            evidence_only: Some(Arc::new(functions)),
            ..self
        }
    }

    /// The same settings, with files over `bytes` skipped.
    pub fn with_max_file_size(self, bytes: u64) -> Self {
        Settings {
            max_file_size: bytes,
            ..self
        }
    }

    /// Findings only: no outcome gets a fixed text (see `apply_fixes`).
    pub fn report_only(self) -> Self {
        Settings {
            apply_fixes: false,
            ..self
        }
    }

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
    /// Whether the file had to be parsed (the prefilter skips most).
    pub parsed: bool,
    /// Findings on the file as read that a `//goleak-fix:ignore` comment silenced.
    pub suppressed: Vec<Finding>,
    /// Code that may make a channel but was not analysed because it does not parse.
    pub not_analysed: Vec<NotAnalysed>,
    /// Whether nothing in the file that makes a channel could be analysed (every such place
    /// is in `not_analysed`, and there is at least one).
    pub nothing_analysed: bool,
    /// The other files of the package that a fix applied here also changed (or whose fix also
    /// changed this file): their changes are verified, written and committed together with
    /// this file's, or none of them is (see `Fix::other_files`).
    pub linked: Vec<std::path::PathBuf>,
}

/// A function (or a region the parser could not read as one) that may make a channel but was
/// not analysed because it has a syntax error: never a finding, but never silent either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnalysed {
    /// Byte offset where the function (or unreadable region) starts.
    pub start: usize,
    /// Byte offset of its first syntax error.
    pub error: usize,
}

impl FileOutcome {
    /// A file with nothing to report and nothing changed.
    pub fn untouched(source: SourceFile, parsed: bool) -> Self {
        FileOutcome {
            source,
            findings: Vec::new(),
            fixed: None,
            applied: Vec::new(),
            parsed,
            suppressed: Vec::new(),
            not_analysed: Vec::new(),
            nothing_analysed: false,
            linked: Vec::new(),
        }
    }
}

/// Analyses the files of one package and computes their fixed text.
///
/// Parsing dominates the cost, so only what can matter is parsed (see `prefilter`): in each
/// file, the header and the top-level declarations that may make a channel, plus, in any file
/// of the package, the declarations that mention a name some `go name(...)` starts (the
/// analysis follows goroutines into their functions, and must see every declaration of that
/// name to know it is unique). A file with nothing to parse gets an outcome with no findings.
pub fn process_package(
    parser: &mut Parser,
    sources: Vec<SourceFile>,
    settings: &Settings,
) -> Vec<FileOutcome> {
    process_package_with(parser, sources, settings, Parsing::WhatCanMatter)
}

/// How much of a package to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsing {
    /// Only what can hold or affect a finding (the default).
    WhatCanMatter,
    /// Every file, whole: the reference the prefilter is tested against.
    Everything,
}

pub fn process_package_with(
    parser: &mut Parser,
    sources: Vec<SourceFile>,
    settings: &Settings,
    parsing: Parsing,
) -> Vec<FileOutcome> {
    if parsing == Parsing::Everything {
        let files = sources
            .into_iter()
            .map(|source| {
                let tree = syntax::parse(parser, &source.text);
                ParsedFile { source, tree }
            })
            .collect();
        return fix_until_stable(parser, files, settings);
    }
    // Most packages make no channel at all: one fast scan per file says so, before any outline.
    let makes: Vec<bool> = sources
        .iter()
        .map(|source| prefilter::may_make_channel(source.text.as_bytes()))
        .collect();
    if !makes.contains(&true) {
        return sources
            .into_iter()
            .map(|source| FileOutcome::untouched(source, false))
            .collect();
    }
    // Only the files that may make a channel are outlined here; a file that makes none has no
    // chunk (nor header) that does, and is outlined below only if it may declare or call a
    // name the others want (most files of a package do not).
    let mut outlines: Vec<Option<prefilter::Outline>> = sources
        .iter()
        .zip(&makes)
        .map(|(s, &makes)| makes.then(|| prefilter::outline(&s.text)))
        .collect();
    let mut wanted: Vec<Vec<Range<usize>>> = sources
        .iter()
        .zip(&outlines)
        .map(|(source, outline)| {
            let Some(outline) = outline else {
                return Vec::new();
            };
            let bytes = source.text.as_bytes();
            // Code before the first column-0 declaration is a header only in formatted code;
            // anything there that may make a channel means the whole file must be parsed.
            if prefilter::may_make_channel(&bytes[outline.header.clone()]) {
                return std::iter::once(0..bytes.len()).collect();
            }
            outline
                .declarations
                .iter()
                .filter(|chunk| {
                    let text = &source.text[(*chunk).clone()];
                    prefilter::may_make_channel(text.as_bytes())
                        && prefilter::may_leak_what_it_makes(text)
                })
                .cloned()
                .collect()
        })
        .collect();
    if wanted.iter().all(Vec::is_empty) {
        return sources
            .into_iter()
            .map(|source| FileOutcome::untouched(source, false))
            .collect();
    }
    // Looked up for every word of many chunks (`may_call`): a fast hash.
    let callees: foldhash::HashSet<&str> = sources
        .iter()
        .zip(&wanted)
        .flat_map(|(source, chunks)| {
            chunks.iter().flat_map(|chunk| {
                let text = &source.text[chunk.clone()];
                prefilter::goroutine_callees(text).chain(prefilter::channel_callees(text))
            })
        })
        .collect();
    // Functions that make a channel and may return it (futures): future-leak reads their
    // callers, wherever in the package they are. Named per declaration, also in a file that is
    // parsed whole (its header may make a channel): there the wanted chunk is the whole file,
    // which names no function.
    let futures: foldhash::HashSet<&str> = sources
        .iter()
        .zip(&outlines)
        .filter_map(|(source, outline)| Some((source, outline.as_ref()?)))
        .flat_map(|(source, outline)| {
            outline
                .declarations
                .iter()
                .map(|chunk| &source.text[chunk.clone()])
                .filter(|text| prefilter::may_make_channel(text.as_bytes()))
                .filter_map(prefilter::declared_future_name)
        })
        .collect();
    let future_mentions = prefilter::Mentions::new(&futures);
    let callee_mentions = prefilter::Mentions::new(&callees);
    for ((source, outline), chunks) in sources.iter().zip(&mut outlines).zip(&mut wanted) {
        // A file in which no future's name occurs, even inside a longer word, has no chunk
        // that `may_call` one: one search of the file spares splitting each chunk into words.
        let may_call_future = future_mentions.may_occur_in(source.text.as_bytes());
        // Likewise a file in which no callee's name occurs has no chunk that `may_declare`
        // one; a file with neither, not outlined above, need not be outlined at all.
        let outline = match outline {
            Some(outline) => outline,
            None if may_call_future || callee_mentions.may_occur_in(source.text.as_bytes()) => {
                outline.insert(prefilter::outline(&source.text))
            }
            None => continue,
        };
        for chunk in &outline.declarations {
            let text = &source.text[chunk.clone()];
            if !chunks.contains(chunk)
                && (prefilter::may_declare(text, &callees)
                    // The same search over the chunk alone before splitting it into words:
                    // in a file that names a future, most chunks still do not.
                    || (may_call_future
                        && future_mentions.may_occur_in(text.as_bytes())
                        // A caller, or an interface that declares the name (the future's
                        // calls may then go elsewhere: future-leak must know).
                        && (prefilter::may_call(text, &futures)
                            || prefilter::may_declare(text, &futures))))
            {
                chunks.push(chunk.clone());
            }
        }
        chunks.sort_by_key(|chunk| chunk.start);
    }
    let mut files = Vec::new();
    let mut outcomes = Vec::new();
    for ((source, outline), chunks) in sources.into_iter().zip(outlines).zip(wanted) {
        // A file with a wanted chunk was outlined.
        let Some(outline) = outline.filter(|_| !chunks.is_empty()) else {
            outcomes.push(FileOutcome::untouched(source, false));
            continue;
        };
        // A header of nothing but a package clause, imports and comments is left unparsed:
        // `Package::new` reads the imports from its text (see `prefilter::header_imports`).
        // It was a twentieth of the run's instructions on moby.
        let header = prefilter::header_imports(&source.text[outline.header.clone()])
            .is_none()
            .then_some(outline.header);
        let ranges: Vec<Range<usize>> = header.into_iter().chain(chunks).collect();
        let ranges = merge_adjacent(ranges);
        let mut tree = syntax::parse_ranges(parser, &source.text, &ranges);
        // The outline guessed wrong (unformatted code): parse it all rather than lose anything.
        if tree.root_node().has_error() {
            tree = syntax::parse(parser, &source.text);
        }
        files.push(ParsedFile { source, tree });
    }
    outcomes.extend(fix_until_stable(parser, files, settings));
    outcomes
}

fn merge_adjacent(ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if last.end >= range.start => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

fn fix_until_stable(
    parser: &mut Parser,
    mut files: Vec<ParsedFile>,
    settings: &Settings,
) -> Vec<FileOutcome> {
    let (first, suppressed): (Vec<_>, Vec<_>) =
        analyze_with_suppressed(&files, settings, &|_| true)
            .into_iter()
            .unzip();
    let originals: Vec<SourceFile> = files.iter().map(|file| file.source.clone()).collect();
    let unreadable: Vec<(Vec<NotAnalysed>, bool)> = files.iter().map(not_analysed).collect();
    let mut applied: Vec<Vec<(&'static str, String)>> = vec![Vec::new(); files.len()];
    let mut linked: Vec<std::collections::BTreeSet<usize>> = vec![Default::default(); files.len()];
    let mut findings = first.clone();
    let passes = if settings.apply_fixes { MAX_PASSES } else { 0 };
    for _ in 0..passes {
        let mut changed = vec![false; files.len()];
        for (index, file_findings) in findings.iter().enumerate() {
            let fixes = file_findings
                .iter()
                .filter_map(|finding| finding.fix.as_ref().map(|fix| (finding.codemod, fix)))
                .filter(|(_, fix)| settings.is_applicable(fix) && !fix.spans_files());
            if let Some(Fixed {
                text,
                tree,
                applied: done,
            }) = apply_fixes(parser, &files[index], fixes)
            {
                let source = SourceFile::new(
                    files[index].source.path.clone(),
                    files[index].source.display_path.clone(),
                    text,
                );
                files[index] = ParsedFile { source, tree };
                applied[index].extend(done);
                changed[index] = true;
            }
        }
        // Fixes that edit several files, after the others: each alone, all its files at once.
        // One whose files changed in this pass waits for the next, from the analysis of the
        // changed text (its offsets are stale now).
        let mut again = changed.clone();
        for (index, file_findings) in findings.iter().enumerate() {
            for finding in file_findings {
                let Some(fix) = finding.fix.as_ref() else {
                    continue;
                };
                if !fix.spans_files() || !settings.is_applicable(fix) {
                    continue;
                }
                let touched: Vec<usize> = std::iter::once(index)
                    .chain(fix.other_files.iter().map(|other| other.file))
                    .collect();
                if touched.iter().any(|&file| changed[file]) {
                    again[index] = true;
                    continue;
                }
                let Some(fixed) = apply_across_files(parser, &files, index, fix) else {
                    continue;
                };
                for (file, text, tree) in fixed {
                    let source = SourceFile::new(
                        files[file].source.path.clone(),
                        files[file].source.display_path.clone(),
                        text,
                    );
                    files[file] = ParsedFile { source, tree };
                    changed[file] = true;
                    again[file] = true;
                    linked[file].extend(touched.iter().copied().filter(|&other| other != file));
                }
                applied[index].push((finding.codemod, fix.description.clone()));
            }
        }
        if !changed.contains(&true) {
            break;
        }
        // A fix changes only its own files' findings: the others keep none left to apply.
        findings = analyze_with_suppressed(&files, settings, &|index| again[index])
            .into_iter()
            .map(|(findings, _)| findings)
            .collect();
    }
    // A file linked to one linked to it is linked to it too: the whole group goes together.
    let groups = link_groups(&linked);
    let linked: Vec<Vec<std::path::PathBuf>> = groups
        .iter()
        .enumerate()
        .map(|(file, group)| {
            group
                .iter()
                .filter(|&&other| other != file)
                .map(|&other| files[other].source.path.clone())
                .collect()
        })
        .collect();
    originals
        .into_iter()
        .zip(first)
        .zip(files)
        .zip(applied)
        .zip(suppressed)
        .zip(unreadable)
        .zip(linked)
        .map(
            |(
                (((((source, findings), file), applied), suppressed), (not_analysed, nothing)),
                linked,
            )| {
                let fixed = (file.source.text != source.text).then_some(file.source.text);
                FileOutcome {
                    source,
                    findings,
                    fixed,
                    applied,
                    parsed: true,
                    suppressed,
                    not_analysed,
                    nothing_analysed: nothing,
                    linked,
                }
            },
        )
        .collect()
}

/// For each file, the files connected to it through `linked` (itself included): the closure,
/// so that a group of files a chain of fixes joined is verified and written as one.
fn link_groups(linked: &[std::collections::BTreeSet<usize>]) -> Vec<Vec<usize>> {
    let mut group_of: Vec<Option<usize>> = vec![None; linked.len()];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for start in 0..linked.len() {
        if group_of[start].is_some() || linked[start].is_empty() {
            continue;
        }
        let id = groups.len();
        let mut members = vec![start];
        group_of[start] = Some(id);
        let mut next = 0;
        while next < members.len() {
            for &other in &linked[members[next]] {
                if group_of[other].is_none() {
                    group_of[other] = Some(id);
                    members.push(other);
                }
            }
            next += 1;
        }
        members.sort_unstable();
        groups.push(members);
    }
    group_of
        .iter()
        .enumerate()
        .map(|(file, group)| group.map_or_else(|| vec![file], |id| groups[id].clone()))
        .collect()
}

/// The texts (and trees) of every file `fix` edits, `index` being the finding's: `None`
/// unless each of them parses without any syntax error once fixed (all or nothing).
fn apply_across_files(
    parser: &mut Parser,
    files: &[ParsedFile],
    index: usize,
    fix: &Fix,
) -> Option<Vec<(usize, String, Tree)>> {
    let mut fixed = Vec::new();
    for (file, edits) in std::iter::once((index, &fix.edits)).chain(
        fix.other_files
            .iter()
            .map(|other| (other.file, &other.edits)),
    ) {
        let original = &files.get(file)?.source.text;
        if edits
            .iter()
            .any(|edit| edit.end > original.len() || edit.start > edit.end)
        {
            return None;
        }
        let text = apply_edits(original, edits);
        let tree = syntax::parse(parser, &text);
        if tree.root_node().has_error() {
            return None;
        }
        fixed.push((file, text, tree));
    }
    Some(fixed)
}

/// Findings per file, suppressed ones removed, sorted by position.
pub fn analyze(files: &[ParsedFile], settings: &Settings) -> Vec<Vec<Finding>> {
    analyze_with_suppressed(files, settings, &|_| true)
        .into_iter()
        .map(|(findings, _)| findings)
        .collect()
}

/// Per file: the findings, sorted by position, and apart from them the ones a
/// `//goleak-fix:ignore` comment silenced (to tell which comments silence nothing). Only the
/// files for which `wanted(index)` holds are analysed; the others get no findings.
pub fn analyze_with_suppressed(
    files: &[ParsedFile],
    settings: &Settings,
    wanted: &dyn Fn(usize) -> bool,
) -> Vec<(Vec<Finding>, Vec<Finding>)> {
    let package = Package::new(files);
    files
        .iter()
        .enumerate()
        .map(|(file_id, file)| {
            let source = file.source.text.as_str();
            let mut findings = Vec::new();
            if !wanted(file_id) {
                return (findings, Vec::new());
            }
            for unit in channel_making_units(file.tree.root_node(), source) {
                let Some(facts) = function_facts(&package, file_id, unit) else {
                    continue;
                };
                let context = CodemodContext {
                    package: &package,
                    facts: &facts,
                    source,
                };
                let first_new = findings.len();
                for codemod in &settings.codemods {
                    codemod.check(&context, &mut findings);
                }
                // Whatever the codemod, a fix that calls a builtin the code redeclares is
                // not proven safe.
                for fix in findings[first_new..]
                    .iter_mut()
                    .filter_map(|f| f.fix.as_mut())
                {
                    builtins::guard_fix(
                        fix,
                        &|name| package.redeclares_builtin(name),
                        &|name, at| facts.scopes.is_local_at(name, at),
                    );
                }
            }
            findings.sort_by_key(|finding| (finding.range.start, finding.codemod));
            findings.dedup_by(|a, b| a.range == b.range && a.codemod == b.codemod);
            if let Some(functions) = &settings.evidence_only {
                let root = file.tree.root_node();
                let path = &file.source.display_path;
                findings.retain(|finding| {
                    syntax::top_level_function_name(root, source, finding.range.start)
                        .is_some_and(|function| functions.contains(&(path.clone(), function)))
                });
            }
            let (suppressed, findings) = findings.into_iter().partition(|finding| {
                let line = file.source.line_column(finding.range.start).line;
                is_suppressed(&file.source, line, finding.codemod)
            });
            (findings, suppressed)
        })
        .collect()
}

/// The places of `file` that may make a channel the analysis needs but do not parse, one per
/// function (or per region the parser could not read as a function), in order; and whether
/// that is every such place of the file.
fn not_analysed(file: &ParsedFile) -> (Vec<NotAnalysed>, bool) {
    let root = file.tree.root_node();
    if !root.has_error() {
        return (Vec::new(), false);
    }
    let source = file.source.text.as_str();
    // A make in a declaration that cannot leak what it makes (no goroutine, no channel
    // returned: see `prefilter::may_leak_what_it_makes`) is one the analysis does not need:
    // whether it parses changes no finding, as for code that makes no channel at all. The
    // same cut as the one that chooses what to parse, so a file reads the same either way.
    let outline = prefilter::outline(source);
    let needed = |at: usize| {
        let after = outline
            .declarations
            .partition_point(|chunk| chunk.start <= at);
        match after.checked_sub(1).map(|i| &outline.declarations[i]) {
            Some(chunk) if chunk.contains(&at) => {
                prefilter::may_leak_what_it_makes(&source[chunk.clone()])
            }
            _ => true,
        }
    };
    let mut found: Vec<NotAnalysed> = Vec::new();
    let mut regions = HashSet::new();
    let mut sites = 0;
    let mut broken_sites = 0;
    for at in prefilter::channel_make_sites(source.as_bytes()).filter(|&at| needed(at)) {
        sites += 1;
        // The function around the make; outside any function (an ERROR node swallowed it, or
        // it is a package-level `var c = make(...)`), the make's own token.
        let unit = syntax::innermost_function_at(root, at)
            .or_else(|| root.descendant_for_byte_range(at, at + "make".len()));
        let region = unit.and_then(|unit| broken_region(root, unit));
        let Some(region) = region else { continue };
        broken_sites += 1;
        if !regions.insert(region.id()) {
            continue;
        }
        let error = syntax::first_syntax_error(region).unwrap_or(region);
        found.push(NotAnalysed {
            start: region.start_byte(),
            error: error.start_byte(),
        });
    }
    let nothing = sites > 0 && broken_sites == sites;
    (found, nothing)
}

/// The functions, methods and func literals that may make a channel of their own, in document
/// order: each is analysed on its own, for the channels it makes itself, so only these can
/// hold a finding. They are the innermost function around each `make` the prefilter points
/// at: one descent per site instead of a walk over every node of the file.
fn channel_making_units<'t>(root: Node<'t>, source: &str) -> Vec<Node<'t>> {
    let mut units: Vec<Node> = prefilter::channel_make_sites(source.as_bytes())
        .filter_map(|at| syntax::innermost_function_at(root, at))
        .collect();
    units.sort_by_key(|unit| unit.start_byte());
    units.dedup_by_key(|unit| unit.id());
    units
}

/// A file's text once fixes are applied: its tree, and each fix applied (codemod, description).
struct Fixed {
    text: String,
    tree: Tree,
    applied: Vec<(&'static str, String)>,
}

/// Applies the non-overlapping fixes, never into a syntax error the file did not have;
/// `None` if none could be.
///
/// All of them at once first: when the result parses cleanly, that one parse is all it costs
/// (and its tree is the one the next pass analyses). Otherwise they are taken one at a time,
/// each kept only if the file parses no worse than before (see `apply_one_by_one`).
fn apply_fixes<'f>(
    parser: &mut Parser,
    file: &ParsedFile,
    fixes: impl Iterator<Item = (&'static str, &'f Fix)>,
) -> Option<Fixed> {
    let fixes: Vec<(&'static str, &Fix)> = fixes.collect();
    if fixes.is_empty() {
        return None;
    }
    let mut spans = TakenSpans::default();
    let chosen: Vec<(&'static str, &Fix)> = fixes
        .iter()
        .copied()
        .filter(|(_, fix)| spans.take(fix))
        .collect();
    let text = apply_all(&file.source.text, chosen.iter().map(|(_, fix)| *fix));
    let tree = syntax::parse(parser, &text);
    if !tree.root_node().has_error() {
        let applied = chosen
            .into_iter()
            .map(|(codemod, fix)| (codemod, fix.description.clone()))
            .collect();
        return Some(Fixed {
            text,
            tree,
            applied,
        });
    }
    apply_one_by_one(parser, file, fixes)
}

/// `apply_fixes` for a file that does not parse cleanly once fixed (often because it did not
/// before): each fix in turn, kept only if the file parses with no more errors than before.
fn apply_one_by_one(
    parser: &mut Parser,
    file: &ParsedFile,
    fixes: Vec<(&'static str, &Fix)>,
) -> Option<Fixed> {
    // The file's tree may cover only part of it; judge the fixes against the whole file.
    let baseline_errors = syntax::syntax_error_count(&syntax::parse(parser, &file.source.text));
    // Usually the file was broken before and the fixes break nothing more: one parse says so,
    // where judging them one at a time would parse the file once per fix.
    let mut spans = TakenSpans::default();
    let first_choice: Vec<(&'static str, &Fix)> = fixes
        .iter()
        .copied()
        .filter(|(_, fix)| spans.take(fix))
        .collect();
    let all = apply_all(&file.source.text, first_choice.iter().map(|(_, fix)| *fix));
    let tree = syntax::parse(parser, &all);
    if syntax::syntax_error_count(&tree) <= baseline_errors {
        let applied = first_choice
            .into_iter()
            .map(|(codemod, fix)| (codemod, fix.description.clone()))
            .collect();
        return Some(Fixed {
            text: all,
            tree,
            applied,
        });
    }
    let mut spans = TakenSpans::default();
    let mut taken: Vec<&Fix> = Vec::new();
    let mut applied = Vec::new();
    for (codemod, fix) in fixes {
        if spans.overlaps(fix) {
            continue;
        }
        let candidate = apply_all(&file.source.text, taken.iter().copied().chain([fix]));
        if syntax::syntax_error_count(&syntax::parse(parser, &candidate)) > baseline_errors {
            continue;
        }
        spans.take(fix);
        taken.push(fix);
        applied.push((codemod, fix.description.clone()));
    }
    if taken.is_empty() {
        return None;
    }
    let text = apply_all(&file.source.text, taken.into_iter());
    let tree = syntax::parse(parser, &text);
    Some(Fixed {
        text,
        tree,
        applied,
    })
}

/// The spans of the fixes taken so far, to skip any fix that overlaps one of them, in
/// logarithmic time (a generated file can have tens of thousands of fixes). Touching spans
/// count as overlapping: two insertions at one point must not interleave.
#[derive(Default)]
struct TakenSpans(std::collections::BTreeMap<usize, usize>);

impl TakenSpans {
    /// Whether `fix` overlaps a span already taken.
    fn overlaps(&self, fix: &Fix) -> bool {
        let span = fix.span();
        // Taken spans are disjoint, so the one starting last at or before this span's end
        // also ends last: if any overlaps, it does.
        self.0
            .range(..=span.end)
            .next_back()
            .is_some_and(|(_, &end)| end >= span.start)
    }

    /// Takes `fix` unless it overlaps a span already taken; whether it was taken.
    fn take(&mut self, fix: &Fix) -> bool {
        if self.overlaps(fix) {
            return false;
        }
        let span = fix.span();
        self.0.insert(span.start, span.end);
        true
    }
}

/// `text` with the edits of every fix applied (they must not overlap).
fn apply_all<'f>(text: &str, fixes: impl Iterator<Item = &'f Fix>) -> String {
    let mut edits: Vec<_> = fixes.flat_map(|fix| fix.edits.iter().cloned()).collect();
    edits.sort();
    apply_edits(text, &edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codemods::{REGISTRY, test_support::program};
    use crate::syntax::go_parser;

    const LEAK: &str = "func f() int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn 0\n\t}\n}\n";

    fn outcome(settings: &Settings) -> FileOutcome {
        let source = SourceFile::new("t.go".into(), "t.go".into(), program(LEAK));
        process_package(&mut go_parser(), vec![source], settings)
            .pop()
            .expect("one outcome")
    }

    fn parsed(text: &str) -> ParsedFile {
        let tree = syntax::parse(&mut go_parser(), text);
        let source = SourceFile::new("t.go".into(), "t.go".into(), text.to_string());
        ParsedFile { source, tree }
    }

    fn insertion(at: usize, text: &str) -> Fix {
        let edit = crate::edit::Edit::insertion(at, text);
        Fix::new(Applicability::Safe, format!("insert {text:?}"), vec![edit])
    }

    /// What `apply_fixes` makes of `fixes` on `text`: the new text and the fixes applied.
    fn applied(text: &str, fixes: &[Fix]) -> Option<(String, Vec<String>)> {
        let file = parsed(text);
        let fixes = fixes.iter().map(|fix| ("t", fix));
        apply_fixes(&mut go_parser(), &file, fixes).map(|fixed| {
            let reparsed = parsed(&fixed.text).tree.root_node().to_sexp();
            assert_eq!(fixed.tree.root_node().to_sexp(), reparsed);
            let done = fixed.applied.into_iter().map(|(_, d)| d).collect();
            (fixed.text, done)
        })
    }

    #[test]
    fn taken_spans_refuse_overlapping_and_touching_fixes_only() {
        let mut spans = TakenSpans::default();
        assert!(spans.take(&insertion(10, "a")));
        assert!(!spans.take(&insertion(10, "b")), "the same point");
        let replacing = |range: std::ops::Range<usize>| {
            Fix::safe("r", vec![crate::edit::Edit::replacement(range, "x")])
        };
        assert!(!spans.take(&replacing(5..10)), "touches 10");
        assert!(spans.take(&replacing(2..8)), "ends before 10");
        assert!(spans.take(&replacing(20..30)));
        assert!(!spans.take(&replacing(25..26)), "inside 20..30");
        assert!(!spans.take(&replacing(0..40)), "around everything");
        assert!(spans.take(&replacing(31..33)));
    }

    #[test]
    fn fixes_that_parse_cleanly_together_are_all_applied() {
        let text = "package p\n\nfunc f() {\n\ta()\n}\n";
        let at = text.find("\ta()").unwrap();
        let (fixed, done) = applied(
            text,
            &[insertion(at, "\tb()\n"), insertion(at + 5, "\tc()\n")],
        )
        .unwrap();
        assert_eq!(fixed, "package p\n\nfunc f() {\n\tb()\n\ta()\n\tc()\n}\n");
        assert_eq!(done.len(), 2);
    }

    #[test]
    fn a_fix_that_adds_a_syntax_error_is_dropped_and_the_others_kept() {
        let text = "package p\n\nfunc f() {\n\ta()\n}\n";
        let at = text.find("\ta()").unwrap();
        let (fixed, done) = applied(
            text,
            &[insertion(at, "\tb(\n"), insertion(at + 5, "\tc()\n")],
        )
        .unwrap();
        assert_eq!(fixed, "package p\n\nfunc f() {\n\ta()\n\tc()\n}\n");
        assert_eq!(done, ["insert \"\\tc()\\n\""]);
        assert_eq!(applied(text, &[insertion(at, "\tb(\n")]), None);
    }

    #[test]
    fn a_file_broken_elsewhere_still_gets_the_fixes_that_break_nothing_more() {
        let text = "package p\n\nfunc f() {\n\ta()\n}\n\nfunc g() {\n\tif x {\n}\n";
        let at = text.find("\ta()").unwrap();
        let (fixed, done) = applied(text, &[insertion(at + 5, "\tc()\n")]).unwrap();
        assert_eq!(fixed, text.replace("\ta()\n", "\ta()\n\tc()\n"));
        assert_eq!(done.len(), 1);
    }

    #[test]
    fn report_only_finds_the_same_fixable_leaks_and_applies_nothing() {
        let fixing = outcome(&Settings::new(REGISTRY.to_vec(), false));
        let reporting = outcome(&Settings::new(REGISTRY.to_vec(), false).report_only());
        assert_eq!(fixing.findings.len(), 1);
        assert!(fixing.fixed.is_some() && !fixing.applied.is_empty());
        assert_eq!(
            format!("{:?}", reporting.findings),
            format!("{:?}", fixing.findings),
            "the same findings, fixes included"
        );
        assert!(reporting.fixed.is_none() && reporting.applied.is_empty());
    }

    /// `a.go` abandons the producer declared in `b.go`; `broken` is appended to `b.go`.
    fn consumer_and_producer(broken: &str) -> Vec<FileOutcome> {
        let a = "package p\n\nfunc first(words []string) string {\n\tout := make(chan string)\n\tgo produce(words, out)\n\tfor w := range out {\n\t\treturn w\n\t}\n\treturn \"\"\n}\n";
        let b = format!(
            "package p\n\nfunc produce(words []string, out chan<- string) {{\n\tfor _, w := range words {{\n\t\tout <- w\n\t}}\n}}\n{broken}"
        );
        let sources = vec![
            SourceFile::new("a.go".into(), "a.go".into(), a.to_string()),
            SourceFile::new("b.go".into(), "b.go".into(), b),
        ];
        let mut outcomes = process_package(
            &mut go_parser(),
            sources,
            &Settings::new(REGISTRY.to_vec(), false),
        );
        outcomes.sort_by(|x, y| x.source.display_path.cmp(&y.source.display_path));
        outcomes
    }

    #[test]
    fn a_fix_across_files_changes_all_of_them_and_links_them() {
        let outcomes = consumer_and_producer("");
        let [a, b] = outcomes.as_slice() else {
            panic!("two outcomes")
        };
        assert!(a.findings[0].fix.as_ref().unwrap().spans_files());
        assert!(
            a.fixed
                .as_ref()
                .unwrap()
                .contains("go produce(words, out, done)")
        );
        assert!(b.fixed.as_ref().unwrap().contains("case <-done:"));
        assert_eq!(a.applied.len(), 1);
        assert!(b.applied.is_empty());
        assert_eq!(a.linked, [std::path::PathBuf::from("b.go")]);
        assert_eq!(b.linked, [std::path::PathBuf::from("a.go")]);
    }

    #[test]
    fn a_fix_across_files_is_applied_to_none_when_one_would_not_parse() {
        let outcomes = consumer_and_producer("\nfunc broken() {\n");
        let [a, b] = outcomes.as_slice() else {
            panic!("two outcomes")
        };
        assert!(a.findings[0].fix.as_ref().unwrap().spans_files());
        assert!(a.fixed.is_none() && b.fixed.is_none());
        assert!(a.applied.is_empty() && a.linked.is_empty() && b.linked.is_empty());
    }

    #[test]
    fn linked_files_form_groups_through_chains() {
        let sets: Vec<std::collections::BTreeSet<usize>> =
            vec![[1].into(), [0, 2].into(), [1].into(), Default::default()];
        assert_eq!(
            link_groups(&sets),
            [vec![0, 1, 2], vec![0, 1, 2], vec![0, 1, 2], vec![3]]
        );
    }
}
