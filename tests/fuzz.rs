//! A property test over the engine and every codemod, run as part of the suite: Go-like input
//! built from the example programs (functions mixed across files, bytes deleted, duplicated and
//! inserted, CRLF, a BOM, non-ASCII text, truncation), analysed and fixed as a package.
//!
//! For every input: no panic; a fixed file has no more syntax errors than the original; no
//! finding or fix lies in a function that does not parse; nothing outside the edits changes;
//! the report, the diff and the suppression check run on it; a second run changes nothing.
//!
//! The suite runs 64 cases; `PROPTEST_CASES=100000 cargo test --release --test suite fuzz::` runs a
//! long session. Failing inputs are kept in `tests/fuzz.proptest-regressions` and replayed
//! first on every run.

use goleak_fix::codemods::REGISTRY;
use goleak_fix::edit::Edit;
use goleak_fix::engine::{FileOutcome, Settings, process_package};
use goleak_fix::report::Report;
use goleak_fix::source::SourceFile;
use goleak_fix::syntax::{self, go_parser, is_function_like, syntax_error_count};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::FileFailurePersistence;
use std::path::PathBuf;
use std::sync::OnceLock;
use tree_sitter::{Node, Tree};

/// The example programs cut into headers (package clause and imports) and top-level chunks
/// (each starting at a `func` and running to the next).
struct Corpus {
    headers: Vec<String>,
    chunks: Vec<String>,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("codemods");
        let mut files = Vec::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "go") {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut corpus = Corpus {
            headers: Vec::new(),
            chunks: Vec::new(),
        };
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let starts: Vec<usize> = text.match_indices("\nfunc ").map(|(i, _)| i + 1).collect();
            let Some(&first) = starts.first() else {
                continue;
            };
            corpus.headers.push(text[..first].to_string());
            for (index, &start) in starts.iter().enumerate() {
                let end = starts.get(index + 1).copied().unwrap_or(text.len());
                corpus.chunks.push(text[start..end].to_string());
            }
        }
        assert!(
            corpus.chunks.len() > 20,
            "too few example functions to fuzz with"
        );
        corpus
    })
}

/// Text that makes and breaks Go: tokens, leak ingredients, line endings, non-ASCII.
const INSERTIONS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    ";",
    ",",
    "go ",
    "go func() {\n",
    "<-",
    "c <- 1\n",
    "close(c)\n",
    "c := make(chan int)\n",
    "make(chan int, 0)",
    "defer ",
    "select {\ncase <-ctx.Done():\n}\n",
    "//goleak-fix:ignore\n",
    "//goleak-fix:ignore timeout-leak\n",
    "/*",
    "*/",
    "\"",
    "`",
    "é",
    "世界",
    "\u{feff}",
    "\u{2028}",
    "𝔤",
    "return\n",
    "wg.Wait()\n",
    "for range c {\n}\n",
    "for i := 0; i < n; i++ {\n",
    "var c chan int\n",
    "//",
    "func f() {\n",
];

#[derive(Debug, Clone)]
enum Mutation {
    AllCrlf,
    /// CRLF on the lines whose number's bit is set in the mask.
    SomeCrlf(u64),
    Bom,
    Insert(Index, Index),
    Delete(Index, usize),
    Duplicate(Index, usize),
    Truncate(Index),
    /// Two lines change places (statements out of order, braces misplaced).
    SwapLines(Index, Index),
}

#[derive(Debug, Clone)]
struct Recipe {
    header: Index,
    chunks: Vec<Index>,
    mutations: Vec<Mutation>,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => Just(Mutation::AllCrlf),
        1 => any::<u64>().prop_map(Mutation::SomeCrlf),
        1 => Just(Mutation::Bom),
        4 => (any::<Index>(), any::<Index>()).prop_map(|(at, what)| Mutation::Insert(at, what)),
        3 => (any::<Index>(), 1..40usize).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => (any::<Index>(), 1..200usize).prop_map(|(at, n)| Mutation::Duplicate(at, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn recipe() -> impl Strategy<Value = Recipe> {
    (
        any::<Index>(),
        prop::collection::vec(any::<Index>(), 1..5),
        prop::collection::vec(mutation(), 0..8),
    )
        .prop_map(|(header, chunks, mutations)| Recipe {
            header,
            chunks,
            mutations,
        })
}

/// The char boundary at or before the position `at` picks in `text`.
fn boundary(text: &str, at: &Index) -> usize {
    let mut offset = at.index(text.len() + 1);
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn build(recipe: &Recipe) -> String {
    let corpus = corpus();
    let mut text = recipe.header.get::<String>(&corpus.headers).clone();
    for chunk in &recipe.chunks {
        text.push_str(chunk.get::<String>(&corpus.chunks));
    }
    for mutation in &recipe.mutations {
        match mutation {
            Mutation::AllCrlf => text = text.replace('\n', "\r\n"),
            Mutation::SomeCrlf(mask) => {
                text = text
                    .split_inclusive('\n')
                    .enumerate()
                    .map(|(line, content)| {
                        if mask >> (line % 64) & 1 == 1 && !content.ends_with("\r\n") {
                            content.replace('\n', "\r\n")
                        } else {
                            content.to_string()
                        }
                    })
                    .collect()
            }
            Mutation::Bom => text.insert(0, '\u{feff}'),
            Mutation::Insert(at, what) => {
                let at = boundary(&text, at);
                text.insert_str(at, what.get::<&str>(INSERTIONS));
            }
            Mutation::Delete(at, n) => {
                let start = boundary(&text, at);
                let mut end = (start + n).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                text.replace_range(start..end, "");
            }
            Mutation::Duplicate(at, n) => {
                let start = boundary(&text, at);
                let mut end = (start + n).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                let copy = text[start..end].to_string();
                text.insert_str(end, &copy);
            }
            Mutation::Truncate(at) => {
                let at = boundary(&text, at);
                text.truncate(at);
            }
            Mutation::SwapLines(a, b) => {
                let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
                if !lines.is_empty() {
                    let count = lines.len();
                    lines.swap(a.index(count), b.index(count));
                }
                text = lines.concat();
            }
        }
    }
    text
}

fn all_codemods(unsafe_fixes: bool) -> Settings {
    Settings::new(REGISTRY.to_vec(), unsafe_fixes)
}

fn run(texts: &[String], settings: &Settings) -> Vec<FileOutcome> {
    let sources = texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let name = format!("f{index}.go");
            SourceFile::new(PathBuf::from(&name), name, text.clone())
        })
        .collect();
    let mut outcomes = process_package(&mut go_parser(), sources, settings);
    // In the order of `texts` (files the prefilter skips come back first).
    outcomes.sort_by(|a, b| a.source.display_path.cmp(&b.source.display_path));
    outcomes
}

/// Whether `offset` lies in code that does not parse, seen two ways, neither of them the
/// engine's: in the tree of the whole file, and in its top-level `func` declaration (from a
/// line starting with `func` to the next) parsed on its own. Broken only if broken both ways:
/// tree-sitter's error recovery may fold the functions after a broken one into it, where
/// Go's parser (which resynchronises at each top-level `func`) and the engine (which may parse
/// declarations one by one) see them whole.
fn in_broken_code(
    parser: &mut tree_sitter::Parser,
    text: &str,
    tree: &Tree,
    offset: usize,
) -> bool {
    if !in_broken_node(tree, offset) {
        return false;
    }
    // `func` then white space (a newline too: Go inserts no semicolon after `func`) or `(`.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices("\nfunc").map(|(at, _)| at + 1))
        .filter(|&at| {
            text[at..]
                .strip_prefix("func")
                .is_some_and(|rest| rest.starts_with(|c: char| c == '(' || c.is_ascii_whitespace()))
        })
        .collect();
    let Some(index) = starts.iter().rposition(|&start| start <= offset) else {
        return true;
    };
    let end = starts.get(index + 1).copied().unwrap_or(text.len());
    let prefix = "package p\n";
    let declaration = format!("{prefix}{}", &text[starts[index]..end]);
    let tree = syntax::parse(parser, &declaration);
    in_broken_node(&tree, offset - starts[index] + prefix.len())
}

/// Whether `offset` lies in a function that does not parse (or in an ERROR node) of `tree`.
fn in_broken_node(tree: &Tree, offset: usize) -> bool {
    let Some(node) = tree.root_node().descendant_for_byte_range(offset, offset) else {
        return false;
    };
    std::iter::successors(Some(node), Node::parent)
        .any(|node| node.is_error() || (is_function_like(node) && node.has_error()))
}

/// Every byte of `fixed` outside the edits is the original's: the text before the first edit
/// and after the last is identical, and every line the diff touches holds an edit or borders
/// one.
fn check_only_edits_changed(
    original: &str,
    fixed: &str,
    edits: &[&Edit],
) -> Result<(), TestCaseError> {
    prop_assert!(
        !edits.is_empty(),
        "the file changed with no fix to explain it"
    );
    let low = edits.iter().map(|e| e.start).min().unwrap();
    let high = edits.iter().map(|e| e.end).max().unwrap();
    prop_assert!(fixed.len() >= low && fixed.len() >= original.len() - high);
    prop_assert_eq!(
        &fixed.as_bytes()[..low],
        &original.as_bytes()[..low],
        "bytes before the first edit changed"
    );
    prop_assert_eq!(
        &fixed.as_bytes()[fixed.len() - (original.len() - high)..],
        &original.as_bytes()[high..],
        "bytes after the last edit changed"
    );
    let diff = similar::TextDiff::from_lines(original, fixed);
    // The byte range of each old line, as the diff splits them.
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in (0..diff.old_len()).filter_map(|index| diff.old_slice(index)) {
        lines.push(offset..offset + line.len());
        offset += line.len();
    }
    let is_touched = |line: usize| {
        lines.get(line).is_some_and(|range| {
            edits
                .iter()
                .any(|edit| edit.start <= range.end && range.start <= edit.end)
        })
    };
    for op in diff.ops() {
        let old = op.old_range();
        if old.is_empty() {
            // An inserted line: next to a line with an edit.
            let at = old.start;
            prop_assert!(
                is_touched(at) || (at > 0 && is_touched(at - 1)),
                "a line was inserted away from every edit, before old line {}",
                at + 1
            );
        } else if !matches!(op.tag(), similar::DiffTag::Equal) {
            for line in old {
                prop_assert!(
                    is_touched(line),
                    "line {} changed with no edit on it",
                    line + 1
                );
            }
        }
    }
    Ok(())
}

/// `check_package_inner`, keeping a failing input in `target/fuzz-failures/` to look at.
fn check_package(texts: Vec<String>, unsafe_fixes: bool) -> Result<(), TestCaseError> {
    let result = check_package_inner(texts.clone(), unsafe_fixes);
    if result.is_err() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
        let _ = std::fs::create_dir_all(&dir);
        for (index, text) in texts.iter().enumerate() {
            let _ = std::fs::write(dir.join(format!("last-f{index}.go")), text);
        }
    }
    result
}

fn check_package_inner(texts: Vec<String>, unsafe_fixes: bool) -> Result<(), TestCaseError> {
    let settings = all_codemods(unsafe_fixes);
    let outcomes = run(&texts, &settings);
    prop_assert_eq!(outcomes.len(), texts.len());
    let mut parser = go_parser();
    let mut after = Vec::new();
    for (outcome, text) in outcomes.iter().zip(&texts) {
        prop_assert_eq!(&outcome.source.text, text);
        let original_tree = syntax::parse(&mut parser, text);
        for finding in &outcome.findings {
            prop_assert!(
                finding.range.start <= finding.range.end && finding.range.end <= text.len()
            );
            prop_assert!(
                !in_broken_code(&mut parser, text, &original_tree, finding.range.start),
                "{} reported in code that does not parse, at byte {}",
                finding.codemod,
                finding.range.start
            );
            for edit in finding.fix.iter().flat_map(|fix| &fix.edits) {
                prop_assert!(edit.start <= edit.end && edit.end <= text.len());
                prop_assert!(text.is_char_boundary(edit.start) && text.is_char_boundary(edit.end));
                prop_assert!(
                    !in_broken_code(&mut parser, text, &original_tree, edit.start),
                    "{} edits code that does not parse, at byte {}",
                    finding.codemod,
                    edit.start
                );
            }
        }
        // The outputs a user sees must not panic either.
        let _ = goleak_fix::suppress::unused_suppressions(
            &outcome.source,
            &outcome.suppressed,
            &settings.codemods,
        );
        match &outcome.fixed {
            None => after.push(text.clone()),
            Some(fixed) => {
                let fixed_tree = syntax::parse(&mut parser, fixed);
                prop_assert!(
                    syntax_error_count(&fixed_tree) <= syntax_error_count(&original_tree),
                    "the fix added a syntax error"
                );
                // This file's findings' edits, and those that fixes of other files' findings
                // (a stop channel passed to a producer declared here) make in it.
                let edits: Vec<&Edit> = outcome
                    .findings
                    .iter()
                    .filter_map(|finding| finding.fix.as_ref())
                    .filter(|fix| settings.is_applicable(fix))
                    .flat_map(|fix| &fix.edits)
                    .chain(
                        outcomes
                            .iter()
                            .flat_map(|other| &other.findings)
                            .filter_map(|finding| finding.fix.as_ref())
                            .filter(|fix| settings.is_applicable(fix))
                            .flat_map(|fix| &fix.other_files)
                            .filter(|other| other.path == outcome.source.display_path)
                            .flat_map(|other| &other.edits),
                    )
                    .collect();
                if let Err(error) = check_only_edits_changed(text, fixed, &edits) {
                    return Err(TestCaseError::fail(format!(
                        "{error}\nedits: {edits:?}\ndiff:\n{}",
                        goleak_fix::diff::unified_diff("f.go", text, fixed)
                    )));
                }
                let _ = goleak_fix::diff::unified_diff(&outcome.source.display_path, text, fixed);
                after.push(fixed.clone());
            }
        }
    }
    let judge = goleak_fix::outcome::Judge {
        mode: goleak_fix::outcome::Mode::Fix,
        settings: &settings,
        verdicts: &Default::default(),
        not_written: &Default::default(),
    };
    let report = Report::new(&outcomes, outcomes.len(), &judge, true);
    let _ = (report.to_text(), report.to_json());

    let again = run(&after, &settings);
    for outcome in &again {
        prop_assert!(
            outcome.fixed.is_none(),
            "not idempotent: a second run changed {}",
            outcome.source.display_path
        );
    }
    Ok(())
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn one_file(recipe in recipe(), unsafe_fixes in any::<bool>()) {
        check_package(vec![build(&recipe)], unsafe_fixes)?;
    }

    #[test]
    fn a_package_of_two_files(first in recipe(), second in recipe(), unsafe_fixes in any::<bool>()) {
        check_package(vec![build(&first), build(&second)], unsafe_fixes)?;
    }
}

#[test]
fn the_examples_unmutated_satisfy_the_properties() {
    let corpus = corpus();
    for chunk in &corpus.chunks {
        let text = format!("{}{chunk}", corpus.headers[0]);
        check_package(vec![text], true).unwrap();
    }
}

// Inputs the fuzzer found, kept as plain tests (their seeds are in the regressions file too).

/// `\r\r\n` line endings (CRLF applied twice): the diff splits lines at the lone `\r` too, and
/// the inserted `close` line must still sit right after the loop.
#[test]
fn doubled_carriage_returns_are_kept() {
    let text = "package main\n\nfunc run(records []string) {\n\tinput := make(chan string, len(records))\n\tfor _, r := range records {\n\t\tinput <- r\n\t}\n\tfor i := 0; i < 2; i++ {\n\t\tgo func() {\n\t\t\tfor range input {\n\t\t\t}\n\t\t}()\n\t}\n}\n"
        .replace('\n', "\r\r\n");
    let outcomes = run(std::slice::from_ref(&text), &all_codemods(false));
    assert_eq!(
        outcomes[0].fixed.as_deref(),
        Some(
            text.replace("\t}\r\r\n\tfor i", "\t}\r\r\n\tclose(input)\r\n\tfor i")
                .as_str()
        )
    );
    check_package(vec![text], false).unwrap();
}

/// tree-sitter's error recovery folds the functions after a broken one into it; Go's parser
/// and the engine's per-declaration parse see them whole. The leak in `anySquare` may be
/// reported; nothing in `main` may be touched.
#[test]
fn a_function_after_a_broken_one_is_judged_on_its_own() {
    let text = "package main\n\nfunc main() {\n\tfor i := 0; i <  i++ {\n\t\tc := make(chan int)\n\t\tgo func() { c <- 1 }()\n\t}\n}\n\nfunc anySquare(n int) int {\n\tc := make(chan int)\n\tfor i := 0; i < n; i++ {\n\t\tgo func() {\n\t\t\tc <- i * i\n\t\t}()\n\t}\n\treturn <-c\n}\n";
    check_package(vec![text.to_string()], true).unwrap();
    let outcomes = run(&[text.to_string()], &all_codemods(true));
    let main_end = text.find("\nfunc anySquare").unwrap();
    assert!(
        outcomes[0]
            .findings
            .iter()
            .all(|finding| finding.range.start > main_end),
        "{:?}",
        outcomes[0].findings
    );
}

/// `func` and the name on two lines is valid Go (no semicolon is inserted after `func`), so
/// after a broken function this one is still a declaration of its own.
#[test]
fn a_declaration_split_after_func_is_a_declaration() {
    let text = "package main\n\nfunc main() {\n\t\"errors\"\n)\n\nfunc\n fastestMirror(mirrors []string) string {\n\tanswers := make(chan string)\n\tfor _, m := range mirrors {\n\t\tgo func() {\n\t\t\tanswers <- m\n\t\t}()\n\t}\n\treturn <-answers\n}\n";
    check_package(vec![text.to_string()], false).unwrap();
    check_package(vec![text.to_string()], true).unwrap();
}

// The stop-channel rewrite (abandoned-producers) on generated producers: every indentation,
// line ending, comment, multi-line value, taken name, context and producer shape it handles.

/// One generated abandoned producer, written as gofmt writes it.
#[derive(Debug, Clone)]
struct Producer {
    /// 0: returns inside `range`; 1: takes the first n of an endless stream; 2: a deadline loop.
    consumer: u8,
    /// `if` blocks around the send.
    depth: usize,
    crlf: bool,
    comment: bool,
    multiline: bool,
    /// `done` (and `done2`) already used: in the function (0), the goroutine (1), or both (2).
    taken: Option<(u8, usize)>,
    context: bool,
    /// 0: a func literal; 1: a named function in the same file; 2: in another file.
    named: u8,
    defer_close: bool,
}

fn producer() -> impl Strategy<Value = Producer> {
    (
        (
            0..3u8,
            0..4usize,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            prop::option::of((0..3u8, 1..3usize)),
            any::<bool>(),
            0..3u8,
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (consumer, depth, crlf, comment, multiline),
                (taken, context, named, defer_close),
            )| {
                Producer {
                    consumer,
                    depth,
                    crlf,
                    comment,
                    multiline,
                    taken,
                    context,
                    named,
                    defer_close,
                }
            },
        )
}

/// The names `taken` says are used, and where: (in the function, in the goroutine).
fn taken_names(p: &Producer) -> (Vec<String>, Vec<String>) {
    let Some((place, count)) = p.taken else {
        return (Vec::new(), Vec::new());
    };
    let names: Vec<String> = (1..=count)
        .map(|n| {
            if n == 1 {
                "done".to_string()
            } else {
                format!("done{n}")
            }
        })
        .collect();
    match place {
        0 => (names, Vec::new()),
        1 => (Vec::new(), names),
        _ => (names.clone(), names),
    }
}

/// The producer's body (its statements, one tab deeper than `indent`), the channel named `c`.
fn producer_body(p: &Producer, indent: &str, goroutine_names: &[String]) -> String {
    let mut body = String::new();
    let t = format!("{indent}\t");
    for name in goroutine_names {
        body.push_str(&format!("{t}{name} := len(xs)\n{t}_ = {name}\n"));
    }
    if p.defer_close {
        body.push_str(&format!("{t}defer close(c)\n"));
    }
    let endless = p.consumer == 1;
    body.push_str(&if endless {
        format!("{t}for x := 0; ; x++ {{\n")
    } else {
        format!("{t}for _, x := range xs {{\n")
    });
    let mut inner = format!("{t}\t");
    for _ in 0..p.depth {
        body.push_str(&format!("{inner}if x >= 0 {{\n"));
        inner.push('\t');
    }
    let comment = if p.comment { " // sent" } else { "" };
    if p.multiline {
        body.push_str(&format!(
            "{inner}c <- item{{\n{inner}\tv: x, // the value\n{inner}}}{comment}\n"
        ));
    } else {
        body.push_str(&format!("{inner}c <- item{{v: x}}{comment}\n"));
    }
    for level in (0..p.depth).rev() {
        body.push_str(&format!("{t}\t{}}}\n", "\t".repeat(level)));
    }
    body.push_str(&format!("{t}}}\n"));
    body
}

/// The package's files (name, text): `p.go`, and `produce.go` for a producer in another file.
fn producer_program(p: &Producer) -> Vec<(String, String)> {
    let (function_names, goroutine_names) = taken_names(p);
    let header = "package p\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n\nvar _ = context.Background\nvar _ = time.Second\n\ntype item struct {\n\tv int\n}\n\n";
    let mut main = header.to_string();
    main.push_str("func f(xs []int, n int, deadline <-chan time.Time) int {\n");
    if p.context {
        main.push_str("\tctx, cancel := context.WithCancel(context.Background())\n\tdefer cancel()\n\t_ = ctx\n");
    }
    for name in &function_names {
        main.push_str(&format!("\t{name} := 1\n\t_ = {name}\n"));
    }
    main.push_str(if p.comment {
        "\tc := make(chan item) // the stream\n"
    } else {
        "\tc := make(chan item)\n"
    });
    let producer_function = format!(
        "func produce(xs []int, c chan<- item) {{\n{}}}\n",
        producer_body(p, "", &goroutine_names)
    );
    if p.named == 0 {
        main.push_str(&format!(
            "\tgo func() {{\n{}\t}}()\n",
            producer_body(p, "\t", &goroutine_names)
        ));
    } else {
        main.push_str("\tgo produce(xs, c)\n");
    }
    main.push_str(match p.consumer {
        0 => "\tfor v := range c {\n\t\tif v.v > n {\n\t\t\treturn v.v\n\t\t}\n\t}\n\treturn 0\n",
        1 => "\ttotal := 0\n\tfor i := 0; i < n; i++ {\n\t\ttotal += (<-c).v\n\t}\n\treturn total\n",
        _ => "\tfor {\n\t\tselect {\n\t\tcase v, ok := <-c:\n\t\t\tif !ok {\n\t\t\t\treturn 0\n\t\t\t}\n\t\t\t_ = v\n\t\tcase <-deadline:\n\t\t\treturn -1\n\t\t}\n\t}\n",
    });
    main.push_str("}\n");
    let mut files = Vec::new();
    match p.named {
        1 => {
            main.push('\n');
            main.push_str(&producer_function);
        }
        2 => files.push((
            "produce.go".to_string(),
            format!("package p\n\n{producer_function}"),
        )),
        _ => {}
    }
    files.insert(0, ("p.go".to_string(), main));
    if p.crlf {
        for (_, text) in &mut files {
            *text = text.replace('\n', "\r\n");
        }
    }
    files
}

/// Whether gofmt leaves `text` as it is (line endings aside), when Go is installed; asked of
/// the first few cases only, to keep the suite cheap.
fn gofmt_clean(text: &str) -> Option<bool> {
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static ASKED: AtomicUsize = AtomicUsize::new(0);
    if ASKED.fetch_add(1, Ordering::Relaxed) >= 24 {
        return None;
    }
    let mut child = std::process::Command::new("gofmt")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let lf = text.replace("\r\n", "\n");
    child.stdin.take()?.write_all(lf.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    output
        .status
        .success()
        .then(|| output.stdout == lf.as_bytes())
}

fn check_stop_channel(p: &Producer) -> Result<(), TestCaseError> {
    let files = producer_program(p);
    let settings = all_codemods(false);
    let sources = files
        .iter()
        .map(|(name, text)| SourceFile::new(PathBuf::from(name), name.clone(), text.clone()))
        .collect();
    let mut outcomes = process_package(&mut go_parser(), sources, &settings);
    outcomes.sort_by(|a, b| a.source.display_path.cmp(&b.source.display_path));
    let main = outcomes
        .iter()
        .find(|o| o.source.display_path == "p.go")
        .expect("p.go");
    prop_assert_eq!(main.findings.len(), 1, "{:#?}", main.findings);
    prop_assert_eq!(main.findings[0].codemod, "abandoned-producers");
    let fix = main.findings[0].fix.as_ref().expect("a fix");
    prop_assert_eq!(fix.applicability, goleak_fix::edit::Applicability::Safe);
    let (function_names, goroutine_names) = taken_names(p);
    let mut parser = go_parser();
    for outcome in &outcomes {
        let original = &outcome.source.text;
        let fixed = outcome
            .fixed
            .as_ref()
            .expect("every file of the producer is changed");
        let tree = syntax::parse(&mut parser, fixed);
        prop_assert!(
            !tree.root_node().has_error(),
            "an ERROR node in:\n{}",
            fixed
        );
        let edits: Vec<&Edit> = if outcome.source.display_path == "p.go" {
            fix.edits.iter().collect()
        } else {
            fix.other_files.iter().flat_map(|o| &o.edits).collect()
        };
        check_only_edits_changed(original, fixed, &edits)?;
        // Line endings: the file's own, on every line the fix wrote.
        prop_assert_eq!(
            fixed.matches("\r\n").count(),
            if p.crlf {
                fixed.matches('\n').count()
            } else {
                0
            }
        );
        // The new name is none of the names the code uses.
        for name in function_names.iter().chain(&goroutine_names) {
            prop_assert!(
                !fixed.contains(&format!("{name} := make(chan struct{{}})")),
                "{} reused",
                name
            );
            prop_assert!(
                !fixed.contains(&format!("case <-{name}:")),
                "{} reused",
                name
            );
        }
        if let Some(clean) = gofmt_clean(fixed) {
            prop_assert!(clean, "gofmt changes the fixed file:\n{}", fixed);
        }
    }
    if p.context && p.named == 0 {
        let adds_a_channel = fix
            .edits
            .iter()
            .any(|e| e.replacement.contains("make(chan struct"));
        prop_assert!(!adds_a_channel, "a channel added beside the context");
        prop_assert!(
            fix.edits
                .iter()
                .any(|e| e.replacement.contains("case <-ctx.Done():"))
        );
    }
    let again: Vec<String> = outcomes
        .iter()
        .map(|o| o.fixed.clone().unwrap_or(o.source.text.clone()))
        .collect();
    let sources = files
        .iter()
        .zip(&again)
        .map(|((name, _), text)| SourceFile::new(PathBuf::from(name), name.clone(), text.clone()))
        .collect();
    for outcome in process_package(&mut go_parser(), sources, &settings) {
        prop_assert!(
            outcome.findings.is_empty() && outcome.fixed.is_none(),
            "{:#?}",
            outcome.findings
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..config() })]

    #[test]
    fn the_stop_channel_rewrite_keeps_files_whole_and_formatted(p in producer()) {
        check_stop_channel(&p)?;
    }
}
