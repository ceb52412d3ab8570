//! The three-way proof of every codemod, driven by its example programs, one test per
//! example (`<codemod>::leaking::<name>`, `<codemod>::clean::<name>`), so a failing example is
//! named and the others still run:
//! 1. a snapshot of the diff it makes to each leaking example (`snapshots/`), and the fix is
//!    idempotent;
//! 2. no finding and no change on each clean example;
//! 3. each leaking example run with Go leaks goroutines before the fix and none after, and
//!    each clean example leaks none.
//!
//! The Go programs are all built by one `go build` (Go builds them in parallel, sharing one
//! build cache) the first time a test needs one; each test then runs its own binaries.

use crate::common;

use common::go_build::GoPrograms;
use common::*;
use goleak_fix::diff::unified_diff;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// One test module per codemod, one test per example file. Listed by hand, like the codemod
/// registry; `every_example_on_disk_has_a_test` fails when a file is added without a line here.
macro_rules! examples {
    ($($module:ident: $id:literal {
        leaking: [$($leaking:ident),* $(,)?],
        clean: [$($clean:ident),* $(,)?] $(,)?
    })*) => {
        $(mod $module {
            mod leaking {
                $(#[test]
                fn $leaking() {
                    super::super::leaking_example($id, stringify!($leaking));
                })*
            }
            mod clean {
                $(#[test]
                fn $clean() {
                    super::super::clean_example($id, stringify!($clean));
                })*
            }
        })*

        /// Every (codemod, kind, name) with a test above.
        const LISTED: &[(&str, &str, &str)] = &[
            $($(($id, "leaking", stringify!($leaking)),)* $(($id, "clean", stringify!($clean)),)*)*
        ];
    };
}

examples! {
    abandoned_producers: "abandoned-producers" {
        leaking: [cancelled_context, deadline_progress, first_n, producer_in_other_file, range_early_return],
        clean: [drains_all, sender_selects_ctx],
    }
    abandoned_receivers: "abandoned-receivers" {
        leaking: [closure_workers, counter_send_loop, method_worker, seed],
        clean: [close_after_loop, defer_close, generator, nested_batches, receive_once],
    }
    double_send: "double-send" {
        leaking: [else_if, named_func, seed],
        clean: [exclusive_branches, receiver_takes_both],
    }
    channel_iteration_misuse: "channel-iteration-misuse" {
        leaking: [defer_done, done_last, seed, wg_go],
        clean: [close_after_wait, defer_close, producer_closes, wait_close_goroutine, wg_go_close],
    }
    ncast_leak: "ncast-leak" {
        leaking: [counter_loop, early_return, hedged_requests, range_int, range_param, seed, select_timeout, signed_count, unrolled_fan_in],
        clean: [presized_len, presized_n, receive_all, receive_all_first_error, receive_n, sender_selects, unrolled_exclusive_senders, unrolled_receive_each],
    }
    future_leak: "future-leak" {
        leaking: [caller_timeout, early_return, exported_hazard, own_send],
        clean: [always_received, buffered, sender_selects_ctx],
    }
    premature_return: "premature-return" {
        leaking: [explicit_zero, multi_name, multiline_type, named_func, result_or_error, seed, send_then_bookkeeping, send_then_close, var_block, var_decl],
        clean: [always_receives, both_branches, buffered, multi_name, send_then_close_range, sender_default, sender_selects_ctx, struct_field, ticker_retry, var_block],
    }
    timeout_leak: "timeout-leak" {
        leaking: [called_select, ctx_done, declare_then_assign, exclusive_senders, loop_ctx, new_expr, seed, select_default, send_then_close_branches, send_then_log, shadowing_parameter, sibling_blocks, switch_senders, time_after, timer_c],
        clean: [always_receives, both_branches, buffered, called_receive, declare_then_assign, new_expr, sender_default, sender_selects_ctx, shadowing_parameter, sibling_blocks, struct_field, ticker_retry],
    }
}

#[test]
fn every_example_on_disk_has_a_test() {
    let mut on_disk = BTreeSet::new();
    for id in codemod_ids() {
        for kind in ["leaking", "clean"] {
            for path in examples(id, kind) {
                let name = path.file_stem().unwrap().to_string_lossy().into_owned();
                on_disk.insert((id.to_string(), kind.to_string(), name));
            }
        }
    }
    let listed: BTreeSet<(String, String, String)> = LISTED
        .iter()
        .map(|(id, kind, name)| (id.to_string(), kind.to_string(), name.to_string()))
        .collect();
    assert_eq!(
        on_disk.difference(&listed).collect::<Vec<_>>(),
        Vec::<&(String, String, String)>::new(),
        "examples without a test: add them to `examples!`"
    );
    assert_eq!(
        listed.difference(&on_disk).collect::<Vec<_>>(),
        Vec::<&(String, String, String)>::new(),
        "tests without an example file"
    );
}

#[test]
fn every_codemod_has_documentation_and_examples() {
    for id in codemod_ids() {
        let codemod = goleak_fix::codemods::by_id(id).unwrap();
        let doc = codemod.documentation();
        assert!(
            doc.starts_with(&format!("# {id}")),
            "{id}: README must start with `# {id}`"
        );
        // The headings of ruff's rule documentation, in its order, plus when the rule is silent.
        let headings = [
            "## What it does",
            "## Why it leaks",
            "## Example",
            "## Fix",
            "## Fix safety",
            "## When it stays silent",
        ];
        let mut from = 0;
        for heading in headings {
            let at = doc
                .lines()
                .scan(0, |offset, line| {
                    let start = *offset;
                    *offset += line.len() + 1;
                    Some((start, line))
                })
                .find(|&(start, line)| start >= from && line == heading)
                .map(|(start, _)| start);
            let at = at.unwrap_or_else(|| {
                panic!("{id}: README lacks `{heading}` after the headings before it")
            });
            from = at + heading.len();
        }
        assert!(!examples(id, "leaking").is_empty());
        assert!(!examples(id, "clean").is_empty());
    }
}

fn example_path(id: &str, kind: &str, name: &str) -> PathBuf {
    repo_root()
        .join("codemods")
        .join(id)
        .join("examples")
        .join(kind)
        .join(format!("{name}.go"))
}

/// A leaking example gets exactly its codemod's fix (snapshot), once (idempotent), and Go
/// shows it leaking before the fix and not after. A multi-file example (see
/// `common::companions`) is one package: its fix may change the other files too.
fn leaking_example(id: &str, name: &str) {
    let path = example_path(id, "leaking", name);
    let text = std::fs::read_to_string(&path).unwrap();
    let unsafe_only = expects_unsafe_fix(&text);
    let file_name = format!("{name}.go");
    let outcomes = run_on_example(&path, unsafe_only);
    let main_of = |outcomes: &[(String, Outcome)]| -> usize {
        outcomes
            .iter()
            .position(|(shown, _)| *shown == file_name)
            .expect("the example's outcome")
    };
    let outcome = &outcomes[main_of(&outcomes)].1;
    let label = format!("{id}/{name}");
    assert_eq!(
        outcome.findings.len(),
        1,
        "{label}: expected one finding, got {:#?}",
        outcome.findings
    );
    assert_eq!(
        outcome.findings[0].codemod, id,
        "{label}: found by the wrong codemod"
    );
    let fixed = outcome
        .fixed
        .clone()
        .unwrap_or_else(|| panic!("{label}: no fix was applied"));
    if unsafe_only {
        assert!(
            run_on_example(&path, false)
                .iter()
                .all(|(_, outcome)| outcome.fixed.is_none()),
            "{label}: marked unsafe-fix but fixed by default"
        );
    }
    // Every file as fixed (the example's companions too), as one package again.
    let dir = path.with_extension("");
    let originals: Vec<(String, String)> = std::iter::once((file_name.clone(), text.clone()))
        .chain(companions(&path))
        .collect();
    let fixed_files: Vec<(PathBuf, String, String)> = originals
        .iter()
        .map(|(shown, original)| {
            let after = outcomes
                .iter()
                .find(|(other, _)| other == shown)
                .and_then(|(_, outcome)| outcome.fixed.clone())
                .unwrap_or_else(|| original.clone());
            (dir.join(shown), shown.clone(), after)
        })
        .collect();
    // Idempotent: the fixed program has nothing left to fix.
    let again = run_on_package(fixed_files.clone(), unsafe_only);
    for (shown, outcome) in &again {
        assert!(
            outcome.fixed.is_none(),
            "{label}: a second run changed {shown} again"
        );
        assert!(
            outcome.findings.is_empty(),
            "{label}: the fixed {shown} still has findings: {:#?}",
            outcome.findings
        );
    }
    let finding = &outcome.findings[0];
    let line = text[..finding.range.start].matches('\n').count() + 1;
    let fix = finding.fix.as_ref().expect("a fixed finding has a fix");
    let mut diffs = unified_diff(format!("{id}/{name}.go"), &text, &fixed);
    for ((shown, original), (_, _, after)) in originals.iter().zip(&fixed_files).skip(1) {
        if original != after {
            diffs.push_str(&unified_diff(
                format!("{id}/{name}/{shown}"),
                original,
                after,
            ));
        }
    }
    let shown = format!(
        "{name}.go:{line}: {id}: {}\nfix ({:?}): {}\n\n{}",
        finding.message, fix.applicability, fix.description, diffs
    );
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(format!("{id}__{name}"), shown);
    });
    let before = goroutines(&program_key(id, "leaking", name, Stage::AsWritten));
    assert!(
        before > 1,
        "{label}: goroutines {before} before the fix, expected > 1"
    );
    let after = goroutines(&program_key(id, "leaking", name, Stage::Fixed));
    assert_eq!(after, 1, "{label}: goroutines {after} after the fix");
}

/// A clean example gets no finding and no change, and Go shows it leaking nothing.
fn clean_example(id: &str, name: &str) {
    let path = example_path(id, "clean", name);
    for (shown, outcome) in run_on_example(&path, true) {
        assert!(
            outcome.findings.is_empty(),
            "{id}/clean/{name}: expected no finding in {shown}, got {:#?}",
            outcome.findings
        );
        assert!(
            outcome.fixed.is_none(),
            "{id}/clean/{name}: {shown} changed"
        );
    }
    let count = goroutines(&program_key(id, "clean", name, Stage::AsWritten));
    assert_eq!(count, 1, "{id}/clean/{name}: goroutines {count}");
}

#[derive(Clone, Copy)]
enum Stage {
    AsWritten,
    Fixed,
}

/// The directory (and binary) name of one program: `timeout-leak.leaking.seed.fixed`.
fn program_key(id: &str, kind: &str, name: &str, stage: Stage) -> String {
    let stage = match stage {
        Stage::AsWritten => "as-written",
        Stage::Fixed => "fixed",
    };
    format!("{id}.{kind}.{name}.{stage}")
}

/// The Go programs of all examples, as written and fixed, in one module (see
/// `common::go_build`: kept under `target/`, so a warm run links only what changed).
fn programs() -> &'static GoPrograms {
    static PROGRAMS: OnceLock<GoPrograms> = OnceLock::new();
    PROGRAMS.get_or_init(|| {
        // Go 1.26, as the README's Set up asks: the `new_expr` examples use `new(expr)`. An
        // older `go` refuses the module (GOTOOLCHAIN=local), naming the version it needs.
        let mut programs = GoPrograms::open("examples", "module examples\n\ngo 1.26\n");
        let mut count = 0;
        for (id, kind, name) in LISTED {
            let path = example_path(id, kind, name);
            let text = std::fs::read_to_string(&path).unwrap();
            let file_name = format!("{name}.go");
            let others = companions(&path);
            let mut stages = vec![(Stage::AsWritten, text.clone(), others.clone())];
            if *kind == "leaking" {
                let outcomes = run_on_example(&path, expects_unsafe_fix(&text));
                let fixed_of = |shown: &str| {
                    outcomes
                        .iter()
                        .find(|(other, _)| other == shown)
                        .and_then(|(_, outcome)| outcome.fixed.clone())
                };
                if let Some(fixed) = fixed_of(&file_name) {
                    let fixed_others = others
                        .iter()
                        .map(|(shown, original)| {
                            (shown.clone(), fixed_of(shown).unwrap_or(original.clone()))
                        })
                        .collect();
                    stages.push((Stage::Fixed, fixed, fixed_others));
                }
            }
            for (stage, program, others) in stages {
                let key = program_key(id, kind, name, stage);
                programs.write(&key, "main.go", &settling(&program, id, name));
                programs.write(&key, "settle.go", SETTLE_GO);
                for (shown, other) in others {
                    programs.write(&key, &shown, &other);
                }
                count += 1;
            }
        }
        // Straight to stderr, past the test harness's capture: the build takes a while on a
        // fresh cache, and silence would look like a hang.
        let _ = writeln!(
            std::io::stderr(),
            "examples: building {count} Go programs with one `go build`..."
        );
        let started = std::time::Instant::now();
        // A program that does not build is left out; its test builds it alone to show why.
        let _ = programs.build(|| {
            let mut command = go_command(&programs.src());
            command.arg("build");
            command
        });
        let _ = writeln!(
            std::io::stderr(),
            "examples: built in {:.1}s",
            started.elapsed().as_secs_f64()
        );
        programs
    })
}

/// The helper that replaces the examples' fixed wait (see the file).
const SETTLE_GO: &str = include_str!("go/settle.go");

/// `program` with its wait before counting goroutines turned into `goleakFixSettle`'s.
fn settling(program: &str, id: &str, name: &str) -> String {
    const WAIT: &str = "time.Sleep(300 * time.Millisecond)";
    assert_eq!(
        program.matches(WAIT).count(),
        1,
        "{id}/{name}: an example's main ends with `{WAIT}` and then prints \
         `goroutines: N`, by convention (tests/go/settle.go replaces the wait)"
    );
    program.replace(WAIT, "time.Sleep(goleakFixSettle())")
}

/// `go` in `dir` with the suite's build cache, never downloading a toolchain.
fn go_command(dir: &Path) -> Command {
    let cache = repo_root().join("target").join("go-build-cache");
    let mut command = Command::new("go");
    command
        .current_dir(dir)
        .env(
            "GOCACHE",
            std::env::var_os("GOCACHE").unwrap_or(cache.into()),
        )
        .env("GOFLAGS", "-mod=mod")
        .env("GO111MODULE", "on")
        .env("GOTOOLCHAIN", "local");
    command
}

/// Runs the program `key` and returns the number it prints on its last line,
/// `goroutines: N`. Panics, failing the test, when Go is missing: a leak proof that is
/// skipped proves nothing.
fn goroutines(key: &str) -> usize {
    let programs = programs();
    match counts().get(key) {
        Some(count) => count.clone().unwrap_or_else(|failure| panic!("{failure}")),
        // It did not build with the others: alone, to show why.
        None => {
            let output = go_command(&programs.src())
                .args(["build", "-o"])
                .arg(programs.binary(key))
                .arg(format!("./{key}"))
                .output()
                .expect("run go build");
            assert!(
                output.status.success(),
                "{key}: go build failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            count_goroutines(key, &programs.binary(key))
                .unwrap_or_else(|failure| panic!("{failure}"))
        }
    }
}

/// The count of every program that built, all run at the same time: each spends most of its
/// life waiting for its goroutines to settle (at least 300 ms when some are left), so one
/// after another that waiting was most of this suite's time.
fn counts() -> &'static BTreeMap<String, Result<usize, String>> {
    static COUNTS: OnceLock<BTreeMap<String, Result<usize, String>>> = OnceLock::new();
    COUNTS.get_or_init(|| {
        let programs = programs();
        std::thread::scope(|scope| {
            let runs: Vec<_> = programs
                .keys()
                .filter(|key| programs.binary(key).is_file())
                .map(|key| {
                    scope.spawn(move || {
                        (
                            key.to_string(),
                            count_goroutines(key, &programs.binary(key)),
                        )
                    })
                })
                .collect();
            runs.into_iter()
                .map(|run| run.join().expect("a program's run panicked"))
                .collect()
        })
    })
}

fn count_goroutines(key: &str, binary: &Path) -> Result<usize, String> {
    let output = Command::new(binary)
        .output()
        .map_err(|e| format!("{key}: cannot run: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{key}: the program failed\nstdout:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let last = stdout.lines().last().unwrap_or_default();
    last.strip_prefix("goroutines: ")
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| format!("{key}: last line is not `goroutines: N`: {last:?}"))
}
