//! Every integration test, in one test binary: each `tests/<name>.rs` is the module `<name>`
//! (run one with `cargo test --test suite <name>::`).
//!
//! One binary, not one per file: cargo runs test binaries one after another, and most of the
//! slow tests here wait on Go (builds, programs settling, `go test`) while another could use
//! the processor; in one binary the test threads interleave them. And a change to the library
//! links one test binary instead of twenty. `every_test_file_is_a_module_of_the_suite` keeps
//! a new file from being left out (it would never be compiled).

mod common;

mod bot_script;
mod builtins;
mod cli;
mod commit;
mod config;
mod docs;
mod evidence;
mod examples;
mod fuzz;
mod go_analyzer;
mod go_version;
mod grammar;
mod json_schema;
mod not_analysed;
mod prefilter;
mod resources;
mod robustness;
mod sarif;
mod untrusted_output;
mod verify;

/// With `autotests = false` (Cargo.toml), a file in `tests/` that is not named here is never
/// compiled: its tests would silently not exist.
#[test]
fn every_test_file_is_a_module_of_the_suite() {
    let declared: std::collections::BTreeSet<&str> = include_str!("suite.rs")
        .lines()
        .filter_map(|line| line.strip_prefix("mod ")?.strip_suffix(';'))
        .collect();
    let dir = common::repo_root().join("tests");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs")
            && stem != "suite"
            && !declared.contains(stem)
        {
            missing.push(format!("tests/{stem}.rs"));
        }
    }
    assert!(
        missing.is_empty(),
        "not compiled, add `mod <name>;` to tests/suite.rs: {}",
        missing.join(", ")
    );
}
