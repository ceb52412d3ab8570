//! Code that does not parse is never analysed, and never skipped silently: each function that
//! may make a channel and start a goroutine (or return a channel) but has a syntax error is
//! named on stderr, counted in the summary line,
//! listed in the JSON report and given as a SARIF notification. A run in which nothing could
//! be analysed exits 2. And no input overflows the stack: deep nesting, with or without a
//! syntax error, is handled in every mode.

use crate::common;
use rayon::prelude::*;

use common::*;

/// One intact leaking function (`LEAKY`, lines 1-16) and one that does not parse (line 18,
/// its error at 20:7). The broken one starts a goroutine: it is code the analysis needs.
fn half_broken() -> String {
    format!(
        "{LEAKY}\nfunc broken() {{\n\tc := make(chan int)\n\tx := )\n\tgo func() {{ c <- 1 }}()\n}}\n"
    )
}

const BROKEN: &str = "package main

func bad() {
\tc := make(chan int
\tgo func() { c <- 1 }()
}
";

#[test]
fn a_broken_function_is_named_on_stderr_and_counted_in_every_mode() {
    for mode in [&["--check"][..], &["--dry-run"], &[]] {
        let dir = tree(&[("a.go", &half_broken())]);
        let output = goleak_fix(dir.path(), &[mode, &["."]].concat());
        let err = stderr(&output);
        assert!(
            err.contains("a.go:18: not analysed: syntax error at 20:7\n"),
            "{mode:?}: {err}"
        );
        assert!(
            err.contains("1 function(s) not analysed (syntax errors)"),
            "{mode:?}: {err}"
        );
        // The intact function's leak is still found (and fixed): exit 1 for findings or
        // changes, 0 once fixed in place. Never 2: a skipped function is not an error.
        let expected = if mode.is_empty() { 0 } else { 1 };
        assert_eq!(output.status.code(), Some(expected), "{mode:?}: {err}");
    }
}

#[test]
fn the_json_report_counts_and_lists_what_was_not_analysed() {
    let dir = tree(&[("a.go", &half_broken())]);
    let output = goleak_fix(dir.path(), &["--check", "--format", "json", "."]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["summary"]["not_analysed"], 1);
    assert_eq!(report["summary"]["findings"], 1);
    assert_eq!(
        report["not_analysed"],
        serde_json::json!([{"path": "a.go", "line": 18, "error_line": 20, "error_column": 7}])
    );
    let clean = tree(&[("a.go", CLEAN)]);
    let output = goleak_fix(clean.path(), &["--check", "--format", "json", "."]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["summary"]["not_analysed"], 0);
    assert!(report.get("not_analysed").is_none(), "no list when empty");
}

#[test]
fn sarif_gives_a_notification_at_the_syntax_error() {
    let dir = tree(&[("a.go", &half_broken())]);
    let output = goleak_fix(dir.path(), &["--check", "--format", "sarif", "."]);
    let log: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let notifications = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notifications.as_array().map(Vec::len), Some(1), "{log:#}");
    let location = &notifications[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "a.go");
    assert_eq!(location["region"]["startLine"], 20);
    assert_eq!(notifications[0]["level"], "warning");
}

#[test]
fn a_run_where_nothing_could_be_analysed_exits_2() {
    let dir = tree(&[("b.go", BROKEN)]);
    for mode in ["--check", "--dry-run"] {
        let output = goleak_fix(dir.path(), &[mode, "."]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{mode}: {err}");
        assert!(
            err.contains("b.go:3: not analysed: syntax error at 4:12"),
            "{err}"
        );
        assert!(err.contains("no file could be analysed"), "{err}");
    }
    // One intact file beside it is enough for the run to mean something.
    let dir = tree(&[("b.go", BROKEN), ("c.go", CLEAN)]);
    let output = goleak_fix(dir.path(), &["--check", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_broken_function_that_cannot_leak_what_it_makes_is_not_reported() {
    // It makes a channel, but starts no goroutine and returns no channel: no finding can come
    // from it, so it is not parsed, as code that makes no channel is not. Beside a broken
    // function the analysis needs, only that one is named, whichever way the file is read.
    // (Its brackets balance: one that does not may be an outline's wrong cut, and is parsed.)
    let idle = "func idle() {\n\tc := make(chan int)\n\tx := := c\n}\n";
    let dir = tree(&[("a.go", &format!("{}\n{idle}", half_broken()))]);
    for mode in [&["--check"][..], &["--dry-run"]] {
        let output = goleak_fix(dir.path(), &[mode, &["."]].concat());
        let err = stderr(&output);
        assert!(
            err.contains("a.go:18: not analysed: syntax error at 20:7\n"),
            "{err}"
        );
        assert!(err.contains("1 function(s) not analysed"), "{err}");
        assert!(!err.contains("a.go:24:"), "{err}");
    }
    let dir = tree(&[("b.go", &format!("package main\n\n{idle}"))]);
    let output = goleak_fix(dir.path(), &["--check", "."]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(!err.contains("not analysed"), "{err}");
}

#[test]
fn a_function_swallowed_by_an_unreadable_region_is_named_too() {
    // The parser cannot tell where `f` starts: its make lands in an ERROR node, not in a
    // function, and is still reported.
    let text = "package main\n\nfunc ( {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n}\n";
    let dir = tree(&[("a.go", text)]);
    let output = goleak_fix(dir.path(), &["--check", "."]);
    let err = stderr(&output);
    assert!(err.contains("not analysed: syntax error at"), "{err}");
    assert_eq!(output.status.code(), Some(2), "{err}");
}

/// `depth` nested parentheses around a channel receive, in a function that makes a channel;
/// with `broken`, one syntax error at the bottom, and an intact leaking function after it, so
/// that fixing the file has to judge a fix against a tree with an error in its depths.
fn deeply_nested(depth: usize, broken: bool) -> String {
    let open = "(".repeat(depth);
    let close = ")".repeat(depth);
    let (error, leaky) = if broken {
        (" +", LEAKY.trim_start_matches("package main\n"))
    } else {
        ("", "")
    };
    format!(
        "package main\n\nfunc deep() int {{\n\tc := make(chan int)\n\tgo func() {{ c <- 1 }}()\n\treturn {open}<-c{error}{close}\n}}\n{leaky}"
    )
}

/// `depth` nested blocks, a channel made and a goroutine started at the bottom.
fn deeply_nested_blocks(depth: usize) -> String {
    let open = "{\n".repeat(depth);
    let close = "}\n".repeat(depth);
    format!(
        "package main\n\nfunc deep() {{\n{open}c := make(chan int)\ngo func() {{ c <- 1 }}()\n{close}}}\n"
    )
}

#[test]
fn nesting_100k_deep_neither_overflows_nor_aborts_in_any_mode() {
    let cases = [
        ("parens_broken.go", deeply_nested(100_000, true)),
        ("parens.go", deeply_nested(100_000, false)),
        ("blocks.go", deeply_nested_blocks(100_000)),
    ];
    let modes = [
        &["--check"][..],
        &["--dry-run"],
        &["--check", "--format", "json"],
        &[],
    ];
    // Twelve runs of a few seconds each, independent: side by side.
    let runs: Vec<_> = cases
        .iter()
        .flat_map(|case| modes.iter().map(move |mode| (case, *mode)))
        .collect();
    runs.par_iter().for_each(|((name, text), mode)| {
        let dir = tree(&[(name, text)]);
        let output = goleak_fix(dir.path(), &[*mode, &["."]].concat());
        let err = stderr(&output);
        // A crash (stack overflow aborts with a signal, a panic exits 101) is the failure.
        let code = output.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "{name} {mode:?}: {code:?}\n{}",
            err.chars().take(2_000).collect::<String>()
        );
        if name.contains("broken") {
            assert!(err.contains("not analysed"), "{name} {mode:?}: {err}");
        }
        // The file is left as it was or fixed, never cut.
        let after = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(after.len() >= text.len(), "{name} {mode:?}");
    });
}

#[test]
fn a_hostile_file_name_is_escaped_in_the_not_analysed_line() {
    let name = "a\u{1b}[2J\nforged.go:1:1: timeout-leak: x.go";
    let dir = tree(&[(name, BROKEN)]);
    let output = goleak_fix(dir.path(), &["--check", "."]);
    let err = stderr(&output);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("not analysed: syntax error at 4:12"), "{err}");
    assert!(
        !err.lines().any(|line| line.starts_with("forged.go")),
        "{err}"
    );
}
