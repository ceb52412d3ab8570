//! `--format sarif`: the document is valid SARIF 2.1.0 (checked against the schema in
//! `tests/schemas/`), and what it says agrees with the other outputs: the location is the
//! finding's, and applying its fix gives what `--dry-run` prints.

use crate::common;

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
            "channel-iteration-misuse",
            "abandoned-producers",
            "double-send"
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

/// `files` in a temporary directory made a git repository (only `.git` matters here: it marks
/// the top directory).
fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

fn results(document: &serde_json::Value) -> &Vec<serde_json::Value> {
    document["runs"][0]["results"].as_array().unwrap()
}

#[test]
fn uris_are_relative_to_the_repository_top_from_any_directory() {
    let dir = repository(&[("svc/pkg/a.go", LEAKY)]);
    let top = fs::canonicalize(dir.path()).unwrap();
    for (cwd, path) in [
        (top.clone(), "."),
        (top.join("svc/pkg"), "."),
        (top.join("svc"), "pkg/..."),
    ] {
        let output = goleak_fix(&cwd, &["--check", "--format", "sarif", path]);
        assert_eq!(output.status.code(), Some(1));
        let document = sarif(&output);
        assert_valid_sarif(&document);
        let run = &document["runs"][0];
        assert_eq!(run["automationDetails"]["id"], "goleak-fix/");
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            format!("file://{}/", top.display()).as_str()
        );
        let location =
            &results(&document)[0]["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(location["uri"], "svc/pkg/a.go", "from {}", cwd.display());
        assert_eq!(location["uriBaseId"], "%SRCROOT%");
        let change = &results(&document)[0]["fixes"][0]["artifactChanges"][0]["artifactLocation"];
        assert_eq!(change["uriBaseId"], "%SRCROOT%");
    }
}

/// Each result's (rule, function) and its fingerprint and line.
fn fingerprints(document: &serde_json::Value) -> Vec<(String, String, u64)> {
    results(document)
        .iter()
        .map(|result| {
            (
                format!(
                    "{} {}",
                    result["ruleId"].as_str().unwrap(),
                    result["properties"]["function"].as_str().unwrap()
                ),
                result["partialFingerprints"]["goleakFix/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                result["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_a_line_shift_and_tell_leaks_apart() {
    let two = format!(
        "{LEAKY}\n{}",
        LEAKY
            .replace("fetch", "fetchAgain")
            .split_once("\nfunc")
            .map(|(_, f)| format!("func{f}"))
            .unwrap()
    );
    let dir = repository(&[("pkg/a.go", &two)]);
    let before = sarif(&goleak_fix(dir.path(), &["--check", "--format", "sarif"]));
    assert_valid_sarif(&before);
    let before = fingerprints(&before);
    assert_eq!(before.len(), 2, "{before:?}");
    assert_ne!(before[0].1, before[1].1, "two leaks, one fingerprint");

    // Unrelated edits above both leaks: comments, and a new function.
    let shifted = two.replacen(
        "import \"time\"\n",
        "import \"time\"\n\n// A comment.\n\nfunc unrelated() int {\n\treturn 1\n}\n",
        1,
    );
    fs::write(dir.path().join("pkg/a.go"), &shifted).unwrap();
    let after = sarif(&goleak_fix(
        dir.path().join("pkg").as_path(),
        &["--check", "--format", "sarif"],
    ));
    assert_valid_sarif(&after);
    let after = fingerprints(&after);
    for ((rule, fingerprint, line), (rule_after, fingerprint_after, line_after)) in
        before.iter().zip(&after)
    {
        assert_eq!(rule, rule_after);
        assert_eq!(
            fingerprint, fingerprint_after,
            "{rule}: the fingerprint moved with the line"
        );
        assert_eq!(line + 6, *line_after, "{rule}");
    }
}

#[test]
fn fixed_results_pass_and_suppressed_ones_are_suppressed_in_source() {
    let quiet = LEAKY.replace("fetch", "quiet").replace(
        "\tgreeting",
        "\t//goleak-fix:ignore timeout-leak\n\tgreeting",
    );
    let dir = repository(&[("pkg/a.go", LEAKY), ("pkg/b.go", &quiet)]);
    let output = goleak_fix(
        dir.path(),
        &["--format", "sarif", "--include-suppressed", "./..."],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document = sarif(&output);
    assert_valid_sarif(&document);
    let results = results(&document);
    assert_eq!(results.len(), 2, "{document:#}");
    assert_eq!(results[0]["kind"], "pass");
    assert_eq!(results[0]["level"], "none");
    assert_eq!(results[0]["properties"]["outcome"]["status"], "fixed");
    assert_eq!(results[1]["kind"], "fail");
    assert_eq!(
        results[1]["suppressions"],
        serde_json::json!([{"kind": "inSource"}])
    );
    assert_eq!(results[1]["properties"]["outcome"]["status"], "suppressed");
}

#[test]
fn github_annotations_are_one_escaped_line_per_finding() {
    let name = "pkg/a,b:c%\n::error::x.go";
    let dir = repository(&[
        (name, LEAKY),
        ("pkg/ok.go", &LEAKY.replace("fetch", "other")),
    ]);
    let output = goleak_fix(dir.path(), &["--check", "--format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines.iter().all(|line| line.starts_with("::warning file=")),
        "{text}"
    );
    assert_eq!(
        lines[0].split("::").nth(1).unwrap(),
        "warning file=pkg/a%2Cb%3Ac%25\\n%3A%3Aerror%3A%3Ax.go,line=6,col=29,endLine=6,endColumn=46,title=goleak-fix timeout-leak",
        "{text}"
    );
    assert!(
        lines[1].starts_with("::warning file=pkg/ok.go,line=6,"),
        "{text}"
    );
    assert!(
        lines[1].contains("::goroutine started at line 7 sends on unbuffered channel"),
        "{text}"
    );

    // From a subdirectory, paths are still from the top, which is what GitHub resolves.
    let output = goleak_fix(
        &dir.path().join("pkg"),
        &["--check", "--format", "github", "ok.go"],
    );
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("::warning file=pkg/ok.go,"));

    // Fixed in place: a notice, not a warning.
    let output = goleak_fix(dir.path(), &["--format", "github", "pkg/ok.go"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("::notice file=pkg/ok.go,line=6,"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn rdjsonl_suggestions_make_the_fix() {
    let dir = repository(&[("pkg/a.go", LEAKY)]);
    let output = goleak_fix(dir.path(), &["--check", "--format", "rdjsonl"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    let diagnostic = &lines[0];
    assert_eq!(diagnostic["location"]["path"], "pkg/a.go");
    assert_eq!(diagnostic["code"]["value"], "timeout-leak");
    assert_eq!(diagnostic["severity"], "WARNING");
    // Columns are UTF-8 bytes, as reviewdog counts them.
    assert_eq!(
        diagnostic["location"]["range"]["start"],
        serde_json::json!({"line": 6, "column": 29})
    );
    let mut fixed = LEAKY.to_string();
    for suggestion in diagnostic["suggestions"].as_array().unwrap().iter().rev() {
        let offset = |position: &serde_json::Value| {
            let line = position["line"].as_u64().unwrap() as usize;
            let start: usize = LEAKY
                .split_inclusive('\n')
                .take(line - 1)
                .map(str::len)
                .sum();
            start + position["column"].as_u64().unwrap() as usize - 1
        };
        let range = offset(&suggestion["range"]["start"])..offset(&suggestion["range"]["end"]);
        fixed.replace_range(range, suggestion["text"].as_str().unwrap());
    }
    assert_eq!(
        fixed,
        LEAKY.replace("make(chan string)", "make(chan string, 1)")
    );
}

#[test]
fn a_finding_the_evidence_confirms_carries_it_as_a_property() {
    let dir = tree();
    let dump = "goroutine 9 [chan send, 3 minutes]:\nmain.fetch.func1()\n\t/build/svc/pkg/a.go:8 +0x1e\ncreated by main.fetch in goroutine 1\n\t/build/svc/pkg/a.go:7 +0x5f\n";
    fs::write(dir.path().join("dump.txt"), dump).unwrap();
    let output = goleak_fix(
        dir.path(),
        &[
            "--check",
            "--format",
            "sarif",
            "--evidence",
            "dump.txt",
            ".",
        ],
    );
    let document = sarif(&output);
    assert_valid_sarif(&document);
    assert_eq!(
        document["runs"][0]["results"][0]["properties"]["evidence"],
        serde_json::json!({"goroutines": 1, "state": "chan send", "waiting": "up to 3 minutes"})
    );
    // Without evidence, no evidence property.
    let plain = sarif(&goleak_fix(
        dir.path(),
        &["--check", "--format", "sarif", "."],
    ));
    assert!(
        plain["runs"][0]["results"][0]["properties"]
            .get("evidence")
            .is_none()
    );
}

/// A consumer in `a.go` abandons the producer declared in `b.go`: one fix edits both.
const CONSUMER: &str = "package pkg\n\nfunc First(words []string) string {\n\tout := make(chan string)\n\tgo produce(words, out)\n\tfor w := range out {\n\t\treturn w\n\t}\n\treturn \"\"\n}\n";
const PRODUCER: &str = "package pkg\n\nfunc produce(words []string, out chan<- string) {\n\tfor _, w := range words {\n\t\tout <- w\n\t}\n}\n";

#[test]
fn a_fix_across_files_is_one_sarif_change_per_file_and_no_rdjsonl_suggestion() {
    let dir = repository(&[("pkg/a.go", CONSUMER), ("pkg/b.go", PRODUCER)]);
    let document = sarif(&goleak_fix(dir.path(), &["--check", "--format", "sarif"]));
    assert_valid_sarif(&document);
    let changes = document["runs"][0]["results"][0]["fixes"][0]["artifactChanges"]
        .as_array()
        .unwrap_or_else(|| panic!("{document:#}"));
    let uris: Vec<&str> = changes
        .iter()
        .map(|c| c["artifactLocation"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(uris, ["pkg/a.go", "pkg/b.go"]);
    // b.go's parameter goes after `out chan<- string`, before the `)` at line 3, column 47.
    assert_eq!(
        changes[1]["replacements"][0]["deletedRegion"],
        serde_json::json!({"startLine": 3, "startColumn": 47, "endLine": 3, "endColumn": 47})
    );
    let output = goleak_fix(dir.path(), &["--check", "--format", "rdjsonl"]);
    let line: serde_json::Value = serde_json::from_str(
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(line["code"]["value"], "abandoned-producers");
    assert!(
        line.get("suggestions")
            .is_none_or(|s| s.as_array().is_some_and(Vec::is_empty)),
        "{line}"
    );
}
