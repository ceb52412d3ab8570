//! The prefilter (parse only what can matter) must never lose a finding or change a fix that
//! parsing everything would make.

use crate::common;

use goleak_fix::codemods::REGISTRY;
use goleak_fix::engine::{FileOutcome, Parsing, Settings, process_package_with};
use goleak_fix::source::SourceFile;
use goleak_fix::syntax::go_parser;
use std::path::PathBuf;

fn run(files: &[(String, String)], parsing: Parsing) -> Vec<(String, Vec<String>, Option<String>)> {
    let settings = Settings::new(REGISTRY.to_vec(), true);
    let sources = files
        .iter()
        .map(|(name, text)| SourceFile::new(PathBuf::from(name), name.clone(), text.clone()))
        .collect();
    let mut outcomes: Vec<FileOutcome> =
        process_package_with(&mut go_parser(), sources, &settings, parsing);
    outcomes.sort_by(|a, b| a.source.display_path.cmp(&b.source.display_path));
    outcomes
        .into_iter()
        .map(|o| {
            let findings = o
                .findings
                .iter()
                .map(|f| format!("{:?} {} {} {:?}", f.range, f.codemod, f.message, f.fix))
                .collect();
            (o.source.display_path, findings, o.fixed)
        })
        .collect()
}

fn assert_same(label: &str, files: &[(String, String)]) {
    let everything = run(files, Parsing::Everything);
    let filtered = run(files, Parsing::WhatCanMatter);
    assert_eq!(
        filtered, everything,
        "{label}: the prefilter changed the outcome"
    );
}

fn all_examples() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for id in common::codemod_ids() {
        for kind in ["leaking", "clean"] {
            for path in common::examples(id, kind) {
                let name = format!(
                    "{id}/{kind}/{}",
                    path.file_name().unwrap().to_string_lossy()
                );
                files.push((name, std::fs::read_to_string(&path).unwrap()));
                // A multi-file example's other files are in the same package, beside it.
                for (other, text) in common::companions(&path) {
                    files.push((format!("{id}/{kind}/{other}"), text));
                }
            }
        }
    }
    files
}

#[test]
fn every_example_alone_gets_the_same_outcome() {
    for file in all_examples() {
        assert_same(&file.0.clone(), &[file]);
    }
}

#[test]
fn every_examples_directory_as_one_package_gets_the_same_outcome() {
    let examples = all_examples();
    let mut directories: Vec<&str> = examples
        .iter()
        .map(|(name, _)| name.rsplit_once('/').unwrap().0)
        .collect();
    directories.dedup();
    for directory in directories {
        let package: Vec<(String, String)> = examples
            .iter()
            .filter(|(name, _)| name.starts_with(directory))
            .cloned()
            .collect();
        assert_same(directory, &package);
    }
}

#[test]
fn workers_interfaces_and_duplicates_in_other_files_are_still_seen() {
    let producer = "package jobs\n\nfunc run(items []string, p *pool) {\n\tq := make(chan string, len(items))\n\tfor _, it := range items {\n\t\tq <- it\n\t}\n\tgo work(q)\n\tgo p.drain(q)\n}\n";
    let worker = "package jobs\n\n// work takes jobs.\nfunc work(q <-chan string) {\n\tfor range q {\n\t}\n}\n";
    let method = "package jobs\n\ntype pool struct{}\n\nfunc (p *pool) drain(q <-chan string) {\n\tfor range q {\n\t}\n}\n";
    let interface = "package jobs\n\ntype drainer interface {\n\tdrain(q <-chan string)\n}\n";
    let closing = "package jobs\n\nfunc work(q chan string) {\n\tclose(q)\n}\n";
    let file = |name: &str, text: &str| (name.to_string(), text.to_string());
    assert_same(
        "worker elsewhere",
        &[
            file("a.go", producer),
            file("b.go", worker),
            file("c.go", method),
        ],
    );
    assert_same(
        "interface elsewhere",
        &[
            file("a.go", producer),
            file("b.go", worker),
            file("c.go", method),
            file("d.go", interface),
        ],
    );
    assert_same(
        "two definitions",
        &[
            file("a.go", producer),
            file("b.go", worker),
            file("c.go", method),
            file("e.go", closing),
        ],
    );
    // And the findings really differ between those packages, so the test can tell.
    let with_interface = run(
        &[
            file("a.go", producer),
            file("b.go", worker),
            file("c.go", method),
            file("d.go", interface),
        ],
        Parsing::WhatCanMatter,
    );
    let without = run(
        &[
            file("a.go", producer),
            file("b.go", worker),
            file("c.go", method),
        ],
        Parsing::WhatCanMatter,
    );
    assert_ne!(with_interface[0].1, without[0].1);
}

#[test]
fn callers_of_a_future_in_other_files_are_still_seen() {
    let future = "package jobs\n\nfunc lookup() <-chan int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\treturn c\n}\n";
    let waits = "package jobs\n\nfunc get() int {\n\treturn <-lookup()\n}\n";
    let gives_up = "package jobs\n\nimport \"time\"\n\nfunc get2() int {\n\tselect {\n\tcase v := <-lookup():\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn 0\n\t}\n}\n";
    let other = "package jobs\n\nfunc lookup() <-chan int {\n\treturn nil\n}\n";
    let file = |name: &str, text: &str| (name.to_string(), text.to_string());
    assert_same(
        "waiting caller",
        &[file("a.go", future), file("b.go", waits)],
    );
    assert_same(
        "abandoning caller",
        &[file("a.go", future), file("c.go", gives_up)],
    );
    assert_same(
        "a second definition",
        &[
            file("a.go", future),
            file("c.go", gives_up),
            file("d.go", other),
        ],
    );
    // The caller in another file is what makes the finding.
    let found = run(
        &[file("a.go", future), file("c.go", gives_up)],
        Parsing::WhatCanMatter,
    );
    let silent = run(
        &[file("a.go", future), file("b.go", waits)],
        Parsing::WhatCanMatter,
    );
    assert_ne!(found[0].1, silent[0].1);
}

#[test]
fn a_called_receiver_in_another_file_is_still_seen() {
    let parent = "package jobs\n\nimport \"context\"\n\nfunc get(ctx context.Context) int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\treturn wait(ctx, c)\n}\n";
    let selects = "package jobs\n\nimport \"context\"\n\nfunc wait(ctx context.Context, c <-chan int) int {\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n";
    let receives = "package jobs\n\nimport \"context\"\n\nfunc wait(ctx context.Context, c <-chan int) int {\n\treturn <-c\n}\n";
    let file = |name: &str, text: &str| (name.to_string(), text.to_string());
    assert_same(
        "selecting callee",
        &[file("a.go", parent), file("b.go", selects)],
    );
    assert_same(
        "receiving callee",
        &[file("a.go", parent), file("b.go", receives)],
    );
    let found = run(
        &[file("a.go", parent), file("b.go", selects)],
        Parsing::WhatCanMatter,
    );
    let silent = run(
        &[file("a.go", parent), file("b.go", receives)],
        Parsing::WhatCanMatter,
    );
    assert_ne!(found[0].1, silent[0].1);
}

/// The prefilter leaves out the words a `.` touches on a make's line (parts of selectors and
/// qualified types) and those of a map entry made there; the channel's own name beside them,
/// or before a generic type, still brings in the receiver it is passed to, in another file.
#[test]
fn a_channel_made_beside_selectors_still_brings_in_its_called_receiver() {
    let file = |name: &str, text: &str| (name.to_string(), text.to_string());
    let selects = "package jobs\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n\nfunc wait(ctx context.Context, c <-chan time.Duration) time.Duration {\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n";
    for make_line in [
        "\ts.done = make(chan int); c := make(chan time.Duration)\n",
        "\tvar c chan time.Duration = make(chan time.Duration)\n",
        "\twaiting[s] = make(chan int); c := make(chan time.Duration)\n",
        "\tvar c Chan[time.Duration] = make(chan time.Duration)\n",
    ] {
        let parent = format!(
            "package jobs\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n\ntype S struct{{ done chan int }}\n\nfunc get(ctx context.Context, s *S) time.Duration {{\n{make_line}\tgo func() {{ c <- time.Second }}()\n\treturn wait(ctx, c)\n}}\n"
        );
        let package = [file("a.go", &parent), file("b.go", selects)];
        assert_same(make_line, &package);
        let found = run(&package, Parsing::WhatCanMatter);
        assert_eq!(found[0].1.len(), 1, "{make_line}: {found:#?}");
    }
}

/// Found by the generated packages below: a `go` statement with a space before its `(`, and a
/// channel passed to a called receiver on a line of its own, once made the prefilter skip the
/// function in the other file that the analysis follows.
#[test]
fn a_callee_named_away_from_its_parenthesis_or_its_argument_is_still_seen() {
    let file = |name: &str, text: &str| (name.to_string(), text.to_string());
    let header = "package p\n\nimport \"context\"\n\n";
    let worker = format!(
        "{header}func send(c chan<- int, fail bool) {{\n\tif fail {{\n\t\tc <- 0\n\t}}\n\tc <- 1\n}}\n"
    );
    let unformatted_go = format!(
        "{header}func f(ctx context.Context, fail bool) int {{\n\tc := make(chan int)\n\tgo send (c, fail)\n\treturn <-c\n}}\n"
    );
    let selects = format!(
        "{header}func wait(ctx context.Context, c <-chan int) int {{\n\tselect {{\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}}\n}}\n"
    );
    let multi_line_call = format!(
        "{header}func g(ctx context.Context) int {{\n\tc := make(chan int)\n\tgo func() {{ c <- 1 }}()\n\treturn wait(\n\t\tctx,\n\t\tc,\n\t)\n}}\n"
    );
    for (label, package) in [
        (
            "go with a space",
            [file("a.go", &unformatted_go), file("b.go", &worker)],
        ),
        (
            "call over lines",
            [file("a.go", &multi_line_call), file("b.go", &selects)],
        ),
    ] {
        assert_same(label, &package);
        // The declaration in the other file is what makes the finding.
        let found = run(&package, Parsing::WhatCanMatter);
        assert_eq!(found[0].1.len(), 1, "{label}: {found:#?}");
    }
}

/// Found by the generated packages: a file parsed whole (its header mentions `make(chan`) named
/// no future, so a second declaration of the future's name in another file was not parsed, and
/// future-leak reported a function whose calls cannot be told apart.
#[test]
fn a_future_in_a_file_parsed_whole_still_brings_in_its_namesakes() {
    let file = |name: &str, text: &str| (name.to_string(), text.to_string());
    let future = "// Package p does not make(chan T) here.\npackage p\n\nimport \"context\"\n\nfunc get(ctx context.Context) int {\n\tselect {\n\tcase v := <-work():\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n\nfunc work() <-chan int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\treturn c\n}\n";
    let namesake = "package p\n\nfunc work(c chan<- int) {\n\tc <- 1\n}\n";
    let both = [file("a.go", future), file("b.go", namesake)];
    assert_same("namesake in another file", &both);
    // Alone, the future is reported: the namesake is what silences it.
    let alone = run(&[file("a.go", future)], Parsing::WhatCanMatter);
    assert_eq!(alone[0].1.len(), 1, "{alone:#?}");
    assert!(run(&both, Parsing::WhatCanMatter)[0].1.is_empty());
}

/// A function that makes a channel and starts no goroutine is parsed only when it may return
/// a channel: future-leak's own send needs no goroutine. One that does neither is left out,
/// and the outcome is the same as parsing everything.
#[test]
fn a_future_that_starts_no_goroutine_is_still_parsed() {
    let file = |name: &str, text: &str| (name.to_string(), text.to_string());
    let own_send = "package p\n\nimport \"errors\"\n\nfunc start(fail bool) <-chan error {\n\tc := make(chan error)\n\tif fail {\n\t\tc <- errors.New(\"x\")\n\t\treturn c\n\t}\n\treturn c\n}\n";
    let idle = "package p\n\nfunc idle() int {\n\tc := make(chan int)\n\tdefer close(c)\n\treturn len(c)\n}\n";
    let package = [file("a.go", own_send), file("b.go", idle)];
    assert_same(
        "a future with its own send, beside an idle channel",
        &package,
    );
    let found = run(&package, Parsing::WhatCanMatter);
    assert_eq!(found[0].1.len(), 1, "{found:#?}");
    assert!(found[0].1[0].contains("future-leak"), "{found:#?}");
}

/// Found by a review of the cut between functions that start a goroutine and those that do
/// not: each package's finding hangs on a function with no goroutine, or on one the outline
/// cuts, and each is still found.
#[test]
fn functions_without_goroutines_that_can_still_leak_are_parsed() {
    let file = |name: &str, text: &str| (name.to_string(), text.to_string());
    type Package = Vec<(String, String)>;
    let cases: Vec<(&str, Package, usize)> = vec![
        (
            "a column-0 `func` line in a raw string cuts the function in two",
            vec![file(
                "a.go",
                "package p\n\nimport \"time\"\n\nfunc F() int {\n\tc := make(chan int)\n\ttmpl := `\nfunc x() {}\n`\n\t_ = tmpl\n\tgo func() { c <- 1 }()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn 0\n\t}\n}\n",
            )],
            1,
        ),
        (
            "two functions on one outline chunk, the future second",
            vec![file(
                "a.go",
                "package p\n\nfunc a() int { return 1 }\n func b() <-chan int {\n\tc := make(chan int)\n\tc <- 1\n\treturn c\n}\n",
            )],
            1,
        ),
        (
            "a method whose name is in its receiver's type, `struct{}` in its parameters",
            vec![file(
                "a.go",
                "package p\n\ntype Watcher struct{}\n\nfunc (w *Watcher) Watch(paths map[string]struct{}) <-chan int {\n\tc := make(chan int)\n\tc <- len(paths)\n\treturn c\n}\n",
            )],
            1,
        ),
        (
            "`struct{}` before the channel in the results",
            vec![
                file(
                    "a.go",
                    "package p\n\nfunc f() (m map[string]struct{}, c chan int) {\n\tc = make(chan int)\n\tc <- 1\n\treturn nil, c\n}\n",
                ),
                file(
                    "b.go",
                    "package p\n\nfunc g() (m map[string]struct{}, c chan int) {\n\tch := make(chan int)\n\tch <- 1\n\treturn nil, ch\n}\n",
                ),
            ],
            1,
        ),
    ];
    for (label, package, findings) in cases {
        assert_same(label, &package);
        let found: usize = run(&package, Parsing::WhatCanMatter)
            .iter()
            .map(|(_, found, _)| found.len())
            .sum();
        assert_eq!(found, findings, "{label}");
    }
}

/// An interface written inside a function's body declares its methods for the whole package
/// (a call `p.drain(q)` may then go to any implementation, and is not followed): the function
/// holding it is parsed when its words name a callee, though it makes no channel.
#[test]
fn an_interface_inside_a_function_body_is_still_seen() {
    let file = |name: &str, text: &str| (name.to_string(), text.to_string());
    let package = vec![
        file(
            "a.go",
            "package jobs\n\nfunc run(items []string, p *pool) {\n\tq := make(chan string, len(items))\n\tfor _, it := range items {\n\t\tq <- it\n\t}\n\tgo work(q)\n\tgo p.drain(q)\n}\n",
        ),
        file(
            "b.go",
            "package jobs\n\n// work takes jobs.\nfunc work(q <-chan string) {\n\tfor range q {\n\t}\n}\n",
        ),
        file(
            "c.go",
            "package jobs\n\ntype pool struct{}\n\nfunc (p *pool) drain(q <-chan string) {\n\tfor range q {\n\t}\n}\n",
        ),
        file(
            "d.go",
            "package jobs\n\nfunc other() {\n\tvar d interface{ drain(q <-chan string) }\n\t_ = d\n}\n",
        ),
    ];
    assert_same("an anonymous interface declares drain", &package);
    let found = run(&package, Parsing::WhatCanMatter);
    assert!(
        found.iter().all(|(_, found, _)| found.is_empty()),
        "{found:#?}"
    );
    // Without it, `drain` is the method the goroutine runs, and the leak is reported.
    let without = &package[..3];
    let found = run(without, Parsing::WhatCanMatter);
    assert_eq!(found[0].1.len(), 1, "{found:#?}");
}

/// Found by a second review: an interface that declares a future's name (in a `type`, or in
/// a `var` that also makes a channel) makes its calls ones future-leak cannot follow, so it is
/// parsed; and a `make` continuing the line of its `c :=` still brings in the callee the
/// channel is passed to.
#[test]
fn interfaces_naming_a_future_and_makes_on_a_continuation_line_are_still_seen() {
    let file = |name: &str, text: &str| (name.to_string(), text.to_string());
    let interface_type = vec![file(
        "a.go",
        "package p\n\nimport \"time\"\n\ntype Watcher interface {\n\tWatch() <-chan int\n}\n\ntype W struct{}\n\nfunc (w *W) Watch() <-chan int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\treturn c\n}\n\nfunc poll(w *W) int {\n\tselect {\n\tcase v := <-w.Watch():\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn 0\n\t}\n}\n",
    )];
    let interface_in_a_var = vec![file(
        "a.go",
        "package p\n\nimport \"time\"\n\nvar (\n\tshutdown = make(chan struct{})\n\t_        interface{ Watch() <-chan int } = (*W)(nil)\n)\n\ntype W struct{}\n\nfunc (w *W) Watch() <-chan int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\treturn c\n}\n\nfunc poll(w *W) int {\n\tselect {\n\tcase v := <-w.Watch():\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn 0\n\t}\n}\n",
    )];
    let continuation = vec![file(
        "a.go",
        "package p\n\nimport \"context\"\n\nfunc compute() int { return 1 }\n\nfunc W(ctx context.Context) int {\n\tc :=\n\t\tmake(chan int)\n\tgo func() { c <- compute() }()\n\treturn wait(ctx, c)\n}\n\nfunc wait(ctx context.Context, c chan int) int {\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n",
    )];
    assert_same(
        "an interface type declares the future's name",
        &interface_type,
    );
    assert_same(
        "an interface in a var that makes a channel",
        &interface_in_a_var,
    );
    assert_same("make on the line after c :=", &continuation);
    let found = run(&continuation, Parsing::WhatCanMatter);
    assert!(
        found[0].1.iter().any(|f| f.contains("timeout-leak")),
        "{found:#?}"
    );
}

#[test]
fn unformatted_code_falls_back_to_a_full_parse() {
    let text = "package p\nimport \"time\"\n  func f() int { c := make (chan int)\n go func() { c <- 1 }()\n select { case v := <-c: return v\n case <-time.After(time.Second): return 0 } }\nfunc\ng() {}\n";
    let files = [("u.go".to_string(), text.to_string())];
    assert_same("unformatted", &files);
    assert_eq!(
        run(&files, Parsing::WhatCanMatter)[0].1.len(),
        1,
        "the leak is still found"
    );
}

/// Generated packages: the prefilter decides per file and per declaration what to parse, from
/// bytes; a full parse is the reference. The pieces below are the shapes the analysis follows
/// across declarations and files (a `go` call to a function of the package, a call of a
/// function that receives, a future and its callers, methods, interfaces) mixed with code that
/// only looks like them and code unrelated to channels.
mod generated {
    use super::{Parsing, run};
    use proptest::prelude::*;
    use proptest::test_runner::FileFailurePersistence;

    /// The channel names a function may use (`c` and a longer one, so that a name that is a
    /// part of another word is exercised too).
    const CHANNELS: [&str; 2] = ["c", "errc"];

    /// One top-level declaration, by kind; `name` is its function's name, `other` the name of
    /// another declaration of the package it may call.
    #[derive(Debug, Clone)]
    struct Declaration {
        kind: u8,
        pieces: Vec<u8>,
        other: usize,
        channel: usize,
        capacity: u8,
    }

    const NAMES: [&str; 6] = ["run", "work", "wait", "lookup", "serve", "drain"];

    fn channel_make(channel: &str, capacity: u8) -> String {
        match capacity {
            0 | 1 => format!("\t{channel} := make(chan int)\n"),
            2 => format!("\tvar {channel} = make( chan int)\n"),
            3 => format!("\t{channel} := make(chan int, 1)\n"),
            4 => format!("\t{channel} := make(chan int, n)\n"),
            5 => format!("\t{channel} := make(chan int, 0)\n"),
            // Selectors beside the make: a qualified type, and a channel kept in a field on
            // the same line (the prefilter leaves out the words a `.` touches).
            7 => format!("\tvar {channel} chan time.Duration = make(chan time.Duration)\n"),
            8 => format!("\ts.done = make(chan int); {channel} := make(chan int)\n"),
            9 => format!("\tready[n] = make(chan int); {channel} := make(chan int)\n"),
            10 => format!("\tvar {channel} Chan[int] = make(chan int)\n"),
            _ => format!("\tvar {channel} chan int\n\t{channel} = make(chan int)\n"),
        }
    }

    /// A statement of a function that made `c`; `other` is a function of the package.
    fn piece(kind: u8, c: &str, other: &str) -> String {
        match kind % 25 {
            0 => format!("\tgo func() {{ {c} <- 1 }}()\n"),
            1 => format!(
                "\tgo func() {{\n\t\tif fail {{\n\t\t\t{c} <- 1\n\t\t}}\n\t\t{c} <- 2\n\t}}()\n"
            ),
            2 => format!("\tgo {other}({c}, fail)\n"),
            3 => format!("\tfor i := 0; i < n; i++ {{\n\t\tgo func() {{ {c} <- i }}()\n\t}}\n"),
            4 => "\tif fail {\n\t\treturn nil\n\t}\n".to_string(),
            5 => format!("\t<-{c}\n"),
            6 => format!(
                "\tselect {{\n\tcase v := <-{c}:\n\t\t_ = v\n\tcase <-time.After(time.Second):\n\t}}\n"
            ),
            7 => format!(
                "\tselect {{\n\tcase <-{c}:\n\tcase <-ctx.Done():\n\t\treturn ctx.Err()\n\t}}\n"
            ),
            8 => format!("\tfor v := range {c} {{\n\t\t_ = v\n\t}}\n"),
            9 => format!("\t_ = {other}(ctx, {c})\n"),
            10 => format!(
                "\tgo func() {{\n\t\tselect {{\n\t\tcase {c} <- 1:\n\t\tcase <-ctx.Done():\n\t\t}}\n\t}}()\n"
            ),
            11 => format!("\tselect {{\n\tcase <-{other}():\n\tcase <-ctx.Done():\n\t}}\n"),
            12 => format!("\tx := {other}()\n\t_ = <-x\n"),
            13 => "\tn++\n\t_ = len(\"make(chan\")\n".to_string(),
            14 => format!("\tclose({c})\n"),
            15 => format!("\tgo func() {{\n\t\tdefer close({c})\n\t\t{c} <- 1\n\t}}()\n"),
            16 => format!("\tif fail {{\n\t\t<-{c}\n\t}} else {{\n\t\t<-{c}\n\t}}\n"),
            17 => format!("\tgo s.{other}({c}, fail)\n"),
            // A call that spans lines, and an unformatted `go` statement.
            20 => format!("\t_ = {other}(\n\t\tctx,\n\t\t{c},\n\t)\n"),
            21 => format!("\tgo {other} ({c}, fail)\n"),
            22 => format!("\t_ = s.{other}(ctx, {c})\n"),
            23 => format!("\tgo {other}({c}, fail, 1)\n"),
            // A channel kept in a field or a map, then passed on with the struct, the field
            // or the key.
            24 => format!(
                "\ts.{c} = make(chan int)\n\tgo {other}(s.{c}, fail)\n\t_ = {other}(ctx, s)\n\tready[n] = make(chan int)\n\t_ = {other}(ctx, n)\n"
            ),
            18 => format!(
                "\tfor i := 0; i < n; i++ {{\n\t\tif i == 2 {{\n\t\t\tbreak\n\t\t}}\n\t\t<-{c}\n\t}}\n"
            ),
            _ => format!(
                "\tgo func() {{\n\t\tfor i := 0; i < n; i++ {{\n\t\t\t{c} <- i\n\t\t}}\n\t}}()\n"
            ),
        }
    }

    /// The pieces that start a sender, that wait for the channel, and the rest.
    const SENDERS: [u8; 10] = [0, 1, 2, 3, 10, 15, 17, 19, 21, 23];
    const WAITS: [u8; 9] = [5, 6, 7, 8, 9, 16, 18, 20, 22];
    const OTHERS: [u8; 8] = [4, 4, 11, 12, 13, 14, 1, 24];

    fn declaration(d: &Declaration, name: &str, other: &str) -> String {
        let c = CHANNELS[d.channel % CHANNELS.len()];
        match d.kind % 14 {
            // A function (or a method) that makes a channel and uses it.
            0..=3 => {
                // A function, a method, or a func literal held by a package-level variable.
                let signature = match d.kind {
                    3 => format!("func (s *S) {name}"),
                    2 if d.other == 0 => format!("var {name}Func = func"),
                    _ => format!("func {name}"),
                };
                let mut body = format!(
                    "{signature}(ctx context.Context, fail bool, n int) error {{\n{}",
                    channel_make(c, d.capacity)
                );
                // A sender, then other statements (maybe an early exit or another sender),
                // then a wait: the shapes findings come from, most of the time.
                let (first, rest) = d.pieces.split_first().unwrap_or((&0, &[]));
                body.push_str(&piece(SENDERS[*first as usize % SENDERS.len()], c, other));
                for (index, kind) in rest.iter().enumerate() {
                    let kinds: &[u8] = if index + 1 == rest.len() {
                        &WAITS
                    } else {
                        &OTHERS
                    };
                    body.push_str(&piece(kinds[*kind as usize % kinds.len()], c, other));
                }
                body.push_str("\treturn nil\n}\n");
                body
            }
            // A worker that sends on its parameter (once, twice on one path, or in a loop).
            4 => match d.capacity % 3 {
                0 => format!("func {name}({c} chan<- int, fail bool) {{\n\t{c} <- 1\n}}\n"),
                1 => format!(
                    "func {name}({c} chan<- int, fail bool) {{\n\tif fail {{\n\t\t{c} <- 0\n\t}}\n\t{c} <- 1\n}}\n"
                ),
                _ => format!(
                    "func {name}({c} chan<- int, fail bool) {{\n\tfor i := 0; i < 3; i++ {{\n\t\t{c} <- i\n\t}}\n}}\n"
                ),
            },
            // A receiver the parent calls: once, in a select, or not at all.
            5 => match d.capacity % 3 {
                0 => format!(
                    "func {name}(ctx context.Context, {c} <-chan int) int {{\n\tselect {{\n\tcase v := <-{c}:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}}\n}}\n"
                ),
                1 => format!(
                    "func {name}(ctx context.Context, {c} <-chan int) int {{\n\treturn <-{c}\n}}\n"
                ),
                _ => format!(
                    "func {name}(ctx context.Context, {c} <-chan int) int {{\n\treturn 0\n}}\n"
                ),
            },
            // A future.
            6 => format!(
                "func {name}() <-chan int {{\n{}\tgo func() {{ {c} <- 1 }}()\n\treturn {c}\n}}\n",
                channel_make(c, d.capacity % 4)
            ),
            // A method worker on `S`, declared in one file only (see `package`).
            7 => format!(
                "func (s *S) {name}({c} chan<- int, fail bool) {{\n\tif fail {{\n\t\t{c} <- 0\n\t}}\n\t{c} <- 1\n}}\n"
            ),
            // An interface that declares the name: calls of it cannot be resolved.
            8 => format!("type I{name} interface {{\n\t{name}(c chan<- int, fail bool)\n}}\n"),
            // A caller of another function (maybe a future) that gives up.
            9 => format!(
                "func {name}(ctx context.Context) int {{\n\tselect {{\n\tcase v := <-{other}():\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}}\n}}\n"
            ),
            // A method that receives, and a generic worker.
            12 => format!(
                "func (s *S) {name}(ctx context.Context, {c} <-chan int) int {{\n\tselect {{\n\tcase v := <-{c}:\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn 0\n\t}}\n}}\n"
            ),
            13 => format!(
                "func {name}[T any]({c} chan<- T, fail bool, v T) {{\n\tif fail {{\n\t\t{c} <- v\n\t}}\n\t{c} <- v\n}}\n"
            ),
            // Unrelated code, with a comment that looks like a channel.
            _ => format!(
                "// {name} does not make(chan int).\nfunc {name}(x int) int {{\n\treturn x * 2\n}}\n"
            ),
        }
    }

    fn declarations() -> impl Strategy<Value = Vec<(usize, Declaration)>> {
        let declaration = (
            0u8..14,
            prop::collection::vec(0u8..24, 0..5),
            0..NAMES.len(),
            0..CHANNELS.len(),
            0u8..11,
        )
            .prop_map(|(kind, pieces, other, channel, capacity)| Declaration {
                kind,
                pieces,
                other,
                channel,
                capacity,
            });
        // Each declaration goes into one of three files.
        prop::collection::vec((0usize..3, declaration), 1..=NAMES.len())
    }

    /// The package's files: each declaration's function is named by its position (two
    /// declarations of one name happen, like per-platform files; the analysis must see both).
    fn package(declarations: &[(usize, Declaration)], duplicates: bool) -> Vec<(String, String)> {
        let header = "package p\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n\nvar _ = context.Background\nvar _ = time.Second\n\n";
        let mut files: Vec<String> = (0..3).map(|_| header.to_string()).collect();
        // A header that mentions `make(chan`: that file is parsed whole.
        if duplicates && declarations.len().is_multiple_of(2) {
            files[1] = files[1].replace(
                "package p\n",
                "// Package p does not make(chan T) here.\npackage p\n",
            );
        }
        files[0].push_str("type S struct{}\n\nvar s = &S{}\n\n");
        for (index, (file, d)) in declarations.iter().enumerate() {
            // With `duplicates`, names repeat from the fifth declaration on.
            let name = NAMES[if duplicates { index % 4 } else { index }];
            let other = NAMES[d.other];
            // The first declaration makes a channel: a package with nothing to find tests little.
            let d = &Declaration {
                kind: if index == 0 { 0 } else { d.kind },
                ..d.clone()
            };
            files[*file].push_str(&declaration(d, name, other));
            files[*file].push('\n');
        }
        files
            .into_iter()
            .enumerate()
            .map(|(index, text)| (format!("f{index}.go"), text))
            .collect()
    }

    fn config() -> ProptestConfig {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(128);
        ProptestConfig {
            cases,
            failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
                "proptest-regressions",
            ))),
            ..ProptestConfig::default()
        }
    }

    /// The generator reaches the analysis: many generated packages have findings, of several
    /// codemods, some of them made by a declaration in another file.
    #[test]
    fn generated_packages_have_findings_of_several_codemods() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = (declarations(), any::<bool>());
        let mut with_findings = 0;
        let mut codemods = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let (declarations, duplicates) = strategy.new_tree(&mut runner).unwrap().current();
            let outcome = run(&package(&declarations, duplicates), Parsing::WhatCanMatter);
            let findings: Vec<&String> = outcome.iter().flat_map(|(_, f, _)| f).collect();
            if !findings.is_empty() {
                with_findings += 1;
            }
            for finding in findings {
                codemods.insert(finding.split(' ').nth(1).unwrap_or_default().to_string());
            }
        }
        let summary = format!("{with_findings} of 200 packages have findings, by {codemods:?}");
        assert!(with_findings >= 60, "{summary}");
        assert!(codemods.len() >= 5, "{summary}");
        eprintln!("{summary}");
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn a_generated_package_gets_the_same_findings_and_fixes(
            declarations in declarations(),
            duplicates in any::<bool>(),
        ) {
            let files = package(&declarations, duplicates);
            let everything = run(&files, Parsing::Everything);
            let filtered = run(&files, Parsing::WhatCanMatter);
            prop_assert_eq!(filtered, everything, "the prefilter changed the outcome of {:#?}", files);
        }
    }
}
