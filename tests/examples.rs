//! The three-way proof of every codemod, driven by its example programs:
//! 1. a snapshot of the diff it makes to each leaking example (`snapshots/`);
//! 2. no finding and no change on each clean example;
//! 3. each leaking example run with Go leaks goroutines before the fix and none after, and
//!    each clean example leaks none.

mod common;

use common::*;
use goleak_fix::diff::unified_diff;
use std::thread;

#[test]
fn every_codemod_has_documentation_and_examples() {
    for id in codemod_ids() {
        let codemod = goleak_fix::codemods::by_id(id).unwrap();
        let doc = codemod.documentation();
        assert!(
            doc.starts_with(&format!("# {id}")),
            "{id}: README must start with `# {id}`"
        );
        for heading in [
            "## What it finds",
            "## Why it leaks",
            "## Example",
            "## Fix",
            "## Why the fix is safe",
            "## When it stays silent",
        ] {
            assert!(doc.contains(heading), "{id}: README lacks `{heading}`");
        }
        assert!(!examples(id, "leaking").is_empty());
        assert!(!examples(id, "clean").is_empty());
    }
}

#[test]
fn leaking_examples_get_exactly_their_codemods_fix() {
    for id in codemod_ids() {
        for path in examples(id, "leaking") {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let unsafe_only = expects_unsafe_fix(&text);
            let outcome = run_on_file(&path, unsafe_only);
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
                .unwrap_or_else(|| panic!("{label}: no fix was applied"));
            if unsafe_only {
                assert!(
                    run_on_file(&path, false).fixed.is_none(),
                    "{label}: marked unsafe-fix but fixed by default"
                );
            }
            // Idempotent: the fixed program has nothing left to fix.
            let again = run_on_text(&name, &fixed, unsafe_only);
            assert!(
                again.fixed.is_none(),
                "{label}: a second run changed the file again"
            );
            assert!(
                again.findings.is_empty(),
                "{label}: the fixed file still has findings: {:#?}",
                again.findings
            );
            let finding = &outcome.findings[0];
            let line = text[..finding.range.start].matches('\n').count() + 1;
            let fix = finding.fix.as_ref().expect("a fixed finding has a fix");
            let shown = format!(
                "{name}.go:{line}: {id}: {}\nfix ({:?}): {}\n\n{}",
                finding.message,
                fix.applicability,
                fix.description,
                unified_diff(format!("{id}/{name}.go"), &text, &fixed)
            );
            insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(format!("{id}__{name}"), shown);
            });
        }
    }
}

#[test]
fn clean_examples_get_no_finding() {
    for id in codemod_ids() {
        for path in examples(id, "clean") {
            let outcome = run_on_file(&path, true);
            assert!(
                outcome.findings.is_empty(),
                "{id}/{}: expected no finding, got {:#?}",
                path.display(),
                outcome.findings
            );
            assert!(outcome.fixed.is_none());
        }
    }
}

/// Every leaking example leaks when run and stops leaking once fixed; every clean one never
/// leaks. Programs are built and run two at a time.
#[test]
fn go_runs_prove_leaks_fixed() {
    let mut jobs: Vec<(String, String, bool)> = Vec::new();
    for id in codemod_ids() {
        for path in examples(id, "leaking") {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let fixed = run_on_file(&path, expects_unsafe_fix(&text))
                .fixed
                .unwrap_or_default();
            jobs.push((format!("{id}/leaking/{name} before the fix"), text, true));
            jobs.push((format!("{id}/leaking/{name} after the fix"), fixed, false));
        }
        for path in examples(id, "clean") {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            jobs.push((
                format!("{id}/clean/{name}"),
                std::fs::read_to_string(&path).unwrap(),
                false,
            ));
        }
    }
    let workers = 2;
    let chunks: Vec<Vec<(String, String, bool)>> = (0..workers)
        .map(|w| jobs.iter().skip(w).step_by(workers).cloned().collect())
        .collect();
    let failures: Vec<String> = thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for (label, program, should_leak) in chunk {
                        let count = goroutines_after_run(&program, &label);
                        let leaked = count > 1;
                        if leaked != should_leak {
                            failures.push(format!(
                                "{label}: goroutines {count}, expected {}",
                                if should_leak { "> 1" } else { "1" }
                            ));
                        }
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "Go runs disagree:\n{}",
        failures.join("\n")
    );
}
