//! `--format sarif`: the document is valid SARIF 2.1.0 (checked against the schema in
//! `tests/schemas/`), and what it says agrees with the other outputs: the location is the
//! finding's, and applying its fix gives what `--dry-run` prints.

mod common;

use common::goleak_fix;

use std::fs;
use std::path::Path;
use std::process::Output;

/// The timeout leak, with a non-ASCII character before the channel on its line, so byte
/// columns and code-point columns differ.
const LEAKY: &str = "package main

import \"time\"

func fetch() string {
\tgreeting := \"héllo\"; c := make(chan string)
\tgo func() {
\t\tc <- greeting
\t}()
\tselect {
\tcase v := <-c:
\t\treturn v
\tcase <-time.After(time.Millisecond):
\t\treturn \"\"
\t}
}
";

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("pkg")).unwrap();
    fs::write(dir.path().join("pkg/a.go"), LEAKY).unwrap();
    dir
}

/// The SARIF 2.1.0 schema, compiled.
fn sarif_validator() -> jsonschema::Validator {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let text = fs::read_to_string(schema_path).unwrap();
    // The schema's two patterns for a language tag have a lone `]`, a literal `]` in the
    // ECMAScript regular expressions JSON Schema uses but an error to the validator's engine.
    // Escaped, it means the same and compiles. (We write no language tag.)
    let stray = r#"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"#;
    assert_eq!(text.matches(stray).count(), 2, "the schema changed");
    let text = text.replace(stray, r#"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$"#);
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(document: &serde_json::Value) {
    let errors: Vec<String> = sarif_validator()
        .iter_errors(document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
}

fn sarif(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Applies SARIF replacements (line and code-point column regions) to `text`.
fn apply(text: &str, replacements: &[serde_json::Value]) -> String {
    let offset = |line: u64, column: u64| {
        let line_start: usize = text
            .split_inclusive('\n')
            .take(line as usize - 1)
            .map(str::len)
            .sum();
        let prefix: usize = text[line_start..]
            .chars()
            .take(column as usize - 1)
            .map(char::len_utf8)
            .sum();
        line_start + prefix
    };
    let mut edits: Vec<(usize, usize, &str)> = replacements
        .iter()
        .map(|replacement| {
            let region = &replacement["deletedRegion"];
            let start = offset(
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
            );
            let end = offset(
                region["endLine"].as_u64().unwrap(),
                region["endColumn"].as_u64().unwrap(),
            );
            let inserted = replacement["insertedContent"]["text"].as_str().unwrap();
            (start, end, inserted)
        })
        .collect();
    edits.sort();
    let mut output = text.to_string();
    for (start, end, inserted) in edits.into_iter().rev() {
        output.replace_range(start..end, inserted);
    }
    output
}

#[test]
fn check_writes_valid_sarif_with_rules_locations_and_fixes() {
    let dir = tree();
    let output = goleak_fix(dir.path(), &["--check", "--format", "sarif", "./..."]);
    assert_eq!(output.status.code(), Some(1));
    let document = sarif(&output);
    assert_valid_sarif(&document);

    assert_eq!(document["version"], "2.1.0");
    let run = &document["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "abandoned-receivers",
            "premature-return",
            "timeout-leak",
            "ncast-leak",
            "future-leak",
            "channel-iteration-misuse"
        ]
    );
    for rule in rules {
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .starts_with(&format!("# {}\n", rule["id"].as_str().unwrap()))
        );
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert_eq!(result["ruleId"], "timeout-leak");
    assert_eq!(result["ruleIndex"], 2);
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "pkg/a.go");
    // `make` is at byte column 29 (`é` is two bytes) and code-point column 28.
    assert_eq!(location["region"]["startLine"], 6);
    assert_eq!(location["region"]["startColumn"], 28);
    let text_report = goleak_fix(dir.path(), &["--check", "./..."]);
    assert!(String::from_utf8_lossy(&text_report.stdout).starts_with("pkg/a.go:6:29: "));

    let change = &result["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "pkg/a.go");
    let fixed = apply(LEAKY, change["replacements"].as_array().unwrap());
    assert_eq!(
        fixed,
        LEAKY.replace("make(chan string)", "make(chan string, 1)")
    );
    assert_eq!(result["fixes"][0]["properties"]["applicability"], "safe");
}

#[test]
fn dry_run_writes_sarif_too_and_changes_nothing() {
    let dir = tree();
    let output = goleak_fix(dir.path(), &["--dry-run", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1));
    assert_valid_sarif(&sarif(&output));
    assert_eq!(
        fs::read_to_string(dir.path().join("pkg/a.go")).unwrap(),
        LEAKY
    );
}

#[test]
fn a_clean_run_is_valid_sarif_with_no_results() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.go"), "package main\n").unwrap();
    let output = goleak_fix(dir.path(), &["--check", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(0));
    let document = sarif(&output);
    assert_valid_sarif(&document);
    assert_eq!(document["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn an_unsafe_fix_is_offered_only_with_unsafe_fixes() {
    // `n` may be negative, so sizing the buffer by it is an unsafe fix.
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a.go"),
        "package main\n\nfunc all(n int) {\n\tc := make(chan int)\n\tfor i := 0; i < n; i++ {\n\t\tgo func() { c <- i }()\n\t}\n\t<-c\n}\n",
    )
    .unwrap();
    let output = goleak_fix(dir.path(), &["--check", "--format", "sarif"]);
    let document = sarif(&output);
    assert_valid_sarif(&document);
    let result = &document["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "ncast-leak");
    assert!(result.get("fixes").is_none(), "{result}");

    let output = goleak_fix(
        dir.path(),
        &["--check", "--format", "sarif", "--unsafe-fixes"],
    );
    let document = sarif(&output);
    assert_valid_sarif(&document);
    let fix = &document["runs"][0]["results"][0]["fixes"][0];
    assert_eq!(fix["properties"]["applicability"], "unsafe");
}

#[test]
fn the_schema_check_catches_a_broken_document() {
    let validator = sarif_validator();
    let valid =
        serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}}]});
    assert!(validator.is_valid(&valid));
    for broken in [
        serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "bogus": 1}]}),
        serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
            "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "a.go"}, "region": {"startLine": 0}}}]}]}]}),
    ] {
        assert!(!validator.is_valid(&broken), "{broken}");
    }
}
