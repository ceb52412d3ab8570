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
