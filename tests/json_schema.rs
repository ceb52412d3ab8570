//! The JSON report (`--format json`) is published as a schema, `docs/report.schema.json`, and
//! every kind of document the tool prints is checked against it: findings with safe, unsafe
//! and no fixes, functions not analysed, the config in use, unused suppressions, a clean run,
//! the default mode, `--dry-run` and `--commit` with its branch record.

use crate::common;

use common::*;
use std::path::Path;

fn validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft7::options()
        .build(&schema)
        .expect("the report schema compiles")
}

fn assert_valid(output: &std::process::Output, what: &str) -> serde_json::Value {
    let document: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", stderr(output)));
    let errors: Vec<String> = validator()
        .iter_errors(&document)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}:\n{}\n{document:#}",
        errors.join("\n")
    );
    document
}

/// A leak with a safe fix, one with only an unsafe fix (the sender defers), one with no fix
/// (the size of the loop cannot be known), a function that does not parse, an unused
/// suppression, and a config file.
fn busy_tree() -> tempfile::TempDir {
    let unsafe_leak = "package main\n\nimport \"time\"\n\nfunc g(mu interface{ Unlock() }) string {\n\tc := make(chan string)\n\tgo func() {\n\t\tdefer mu.Unlock()\n\t\tc <- \"x\"\n\t}()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-time.After(time.Millisecond):\n\t\treturn \"\"\n\t}\n}\n";
    let no_fix = "package main\n\nfunc h(s struct{ n []int }) int {\n\tc := make(chan int)\n\tfor range s.n {\n\t\tgo func() { c <- 1 }()\n\t}\n\treturn <-c\n}\n";
    let broken =
        "package main\n\nfunc bad() {\n\tc := make(chan int\n\tgo func() { c <- 1 }()\n}\n";
    let suppressed = "package main\n\n//goleak-fix:ignore\nfunc quiet() {}\n";
    tree(&[
        ("a.go", LEAKY),
        ("b.go", unsafe_leak),
        ("c.go", no_fix),
        ("d.go", broken),
        ("e.go", suppressed),
        ("goleak-fix.toml", "exclude = [\"legacy/\"]\n"),
    ])
}

#[test]
fn check_reports_match_the_schema() {
    let dir = busy_tree();
    let output = goleak_fix(dir.path(), &["--check", "--format", "json", "."]);
    let document = assert_valid(&output, "--check");
    let fixes: Vec<&serde_json::Value> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| &finding["fix"])
        .collect();
    // The document exercises every shape the schema allows for a fix and the summary.
    assert!(
        fixes.iter().any(|fix| fix["applicability"] == "safe"),
        "{document:#}"
    );
    assert!(
        fixes.iter().any(|fix| fix["applicability"] == "unsafe"),
        "{document:#}"
    );
    assert!(fixes.iter().any(|fix| fix.is_null()), "{document:#}");
    assert_eq!(document["summary"]["config"], "goleak-fix.toml");
    assert_eq!(document["summary"]["not_analysed"], 1);
    let reasons: std::collections::BTreeSet<&str> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["outcome"]["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["report-only", "unsafe-fix", "no-fix"].into(),
        "{document:#}"
    );
    assert!(document["summary"]["unused_suppressions"].is_number());

    let clean = tree(&[("a.go", CLEAN)]);
    assert_valid(
        &goleak_fix(clean.path(), &["--check", "--format", "json", "."]),
        "clean",
    );
}

#[test]
fn fix_and_dry_run_reports_match_the_schema() {
    let dir = busy_tree();
    let dry_run = assert_valid(
        &goleak_fix(dir.path(), &["--dry-run", "--format", "json", "."]),
        "--dry-run",
    );
    assert_eq!(dry_run["summary"]["fixed"], 1, "{dry_run:#}");
    // The default mode lists what it fixed too, and, when asked, what was suppressed.
    std::fs::write(
        dir.path().join("f.go"),
        LEAKY
            .replace(
                "\tc := make",
                "\t//goleak-fix:ignore timeout-leak\n\tc := make",
            )
            .replace("fetch", "quiet"),
    )
    .unwrap();
    let fixed = assert_valid(
        &goleak_fix(
            dir.path(),
            &["--format", "json", "--include-suppressed", "."],
        ),
        "default mode",
    );
    let outcomes: Vec<(&str, &str)> = fixed["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["outcome"]["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("a.go", "fixed"),
            ("b.go", "unfixed"),
            ("c.go", "unfixed"),
            ("f.go", "suppressed")
        ],
        "{fixed:#}"
    );
    let summary = &fixed["summary"];
    assert_eq!(
        (
            &summary["findings"],
            &summary["fixed"],
            &summary["unfixed"],
            &summary["suppressed"]
        ),
        (&3.into(), &1.into(), &2.into(), &1.into()),
        "{fixed:#}"
    );
}

#[test]
fn commit_reports_match_the_schema() {
    let dir = tree(&[("a.go", LEAKY), ("c.go", CLEAN)]);
    commit_all(dir.path());
    let output = goleak_fix(dir.path(), &["--commit", "--format", "json", "."]);
    let document = assert_valid(&output, "--commit");
    assert!(document["commit"][0]["sha"].is_string(), "{document:#}");
}

/// A fix that also edits another file lists it in `other_files`, path and edits.
#[test]
fn a_fix_across_files_matches_the_schema() {
    let consumer = "package pkg\n\nfunc First(words []string) string {\n\tout := make(chan string)\n\tgo produce(words, out)\n\tfor w := range out {\n\t\treturn w\n\t}\n\treturn \"\"\n}\n";
    let producer = "package pkg\n\nfunc produce(words []string, out chan<- string) {\n\tfor _, w := range words {\n\t\tout <- w\n\t}\n}\n";
    let dir = tree(&[("a.go", consumer), ("b.go", producer)]);
    let output = goleak_fix(dir.path(), &["--check", "--format", "json", "."]);
    let document = assert_valid(&output, "--check with a fix across files");
    let fix = &document["findings"][0]["fix"];
    assert_eq!(fix["other_files"][0]["path"], "b.go", "{document:#}");
    assert!(fix["other_files"][0]["edits"][0]["replacement"].is_string());
}

#[test]
fn the_schema_rejects_what_the_contract_does_not_allow() {
    let validator = validator();
    let good = serde_json::json!({
        "version": 4,
        "findings": [],
        "summary": {"files_scanned": 1, "findings": 0, "fixable": 0, "fixed": 0, "unfixed": 0,
                    "dropped": 0, "suppressed": 0, "not_analysed": 0, "config": null}
    });
    assert!(validator.is_valid(&good));
    let mut unknown_field = good.clone();
    unknown_field["summary"]["surprise"] = serde_json::json!(1);
    assert!(!validator.is_valid(&unknown_field));
    let mut wrong_version = good.clone();
    wrong_version["version"] = serde_json::json!(3);
    assert!(!validator.is_valid(&wrong_version));
    let finding = |fix: serde_json::Value, outcome: serde_json::Value| {
        let mut document = good.clone();
        document["findings"] = serde_json::json!([{
            "codemod": "timeout-leak", "path": "a.go", "line": 1, "column": 1, "end_line": 1,
            "end_column": 2, "function": "f", "message": "m", "fix": fix, "outcome": outcome
        }]);
        document
    };
    let fixed = serde_json::json!({"status": "fixed"});
    assert!(validator.is_valid(&finding(serde_json::Value::Null, fixed.clone())));
    let bad_fix = serde_json::json!({"applicability": "maybe", "description": "d", "edits": []});
    assert!(!validator.is_valid(&finding(bad_fix, fixed.clone())));
    // An unfixed or dropped finding says why; a fixed one has no reason.
    let unexplained = serde_json::json!({"status": "unfixed"});
    assert!(!validator.is_valid(&finding(serde_json::Value::Null, unexplained)));
    let dropped_wrongly =
        serde_json::json!({"status": "dropped", "reason": "no-fix", "detail": "d"});
    assert!(!validator.is_valid(&finding(serde_json::Value::Null, dropped_wrongly)));
    let fixed_with_reason = serde_json::json!({"status": "fixed", "reason": "no-fix"});
    assert!(!validator.is_valid(&finding(serde_json::Value::Null, fixed_with_reason)));
    let mut commit_object = good;
    commit_object["commit"] =
        serde_json::json!({"branch": "b", "sha": "0".repeat(40), "files": ["a.go"]});
    assert!(
        !validator.is_valid(&commit_object),
        "version 2's commit is a list"
    );
}

#[test]
fn evidence_reports_match_the_schema() {
    // A dump that confirms a.go's leak, blocks on a lock no finding explains, and names a
    // file two scanned files match equally.
    let dump = "goroutine 9 [chan send, 7 minutes]:\nmain.fetch.func1()\n\t/build/svc/a.go:8 +0x1e\ncreated by main.fetch in goroutine 1\n\t/build/svc/a.go:7 +0x5f\n\n\
goroutine 10 [sync.Mutex.Lock]:\nmain.sum()\n\t/build/svc/c.go:4 +0x1\n\n\
goroutine 11 [chan receive]:\nmain.f()\n\t/build/pkg/x.go:3 +0x1\n";
    let dir = tree(&[
        ("a.go", LEAKY),
        ("c.go", CLEAN),
        ("p/pkg/x.go", CLEAN),
        ("q/pkg/x.go", CLEAN),
        ("dump.txt", dump),
    ]);
    let document = assert_valid(
        &goleak_fix(
            dir.path(),
            &["--check", "--format", "json", "--evidence", "dump.txt", "."],
        ),
        "--check",
    );
    assert_eq!(
        document["findings"][0]["evidence"],
        serde_json::json!({"goroutines": 1, "state": "chan send", "waiting": "up to 7 minutes"})
    );
    // The default mode last: it fixes a.go.
    for mode in [
        &["--check"][..],
        &["--dry-run"],
        &["--evidence-only", "--dry-run"],
        &[],
    ] {
        let mut args = mode.to_vec();
        args.extend(["--format", "json", "--evidence", "dump.txt", "."]);
        let document = assert_valid(&goleak_fix(dir.path(), &args), &format!("{args:?}"));
        let summary = &document["summary"]["evidence"];
        assert_eq!(summary["unexplained"], 2, "{document:#}");
        assert_eq!(summary["ambiguous"], 1, "{document:#}");
        let unexplained = document["unexplained"].as_array().unwrap();
        assert!(
            unexplained.iter().any(|u| u["candidates"].is_array()),
            "{document:#}"
        );
    }
}
