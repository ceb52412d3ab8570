//! `goleak-fix.toml` and suppression comments, as the command line sees them.

mod common;

use common::{LEAKY, goleak_fix, stderr, stdout, tree};

use std::fs;

/// An ncast leak whose only fix is unsafe (`n` is signed).
const UNSAFE_ONLY: &str = "package main

func first(n int) int {
\tc := make(chan int)
\tfor i := range n {
\t\tgo func() {
\t\t\tc <- i
\t\t}()
\t}
\treturn <-c
}
";

#[test]
fn select_and_ignore_come_from_the_config_file_and_flags_override_them() {
    let dir = tree(&[
        ("goleak-fix.toml", "select = [\"premature-return\"]\n"),
        ("pkg/a.go", LEAKY),
    ]);
    let output = goleak_fix(dir.path(), &["--check", "./..."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = goleak_fix(
        dir.path(),
        &["--check", "--select", "timeout-leak", "./..."],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    fs::write(
        dir.path().join("goleak-fix.toml"),
        "ignore = [\"timeout-leak\"]\n",
    )
    .unwrap();
    assert_eq!(
        goleak_fix(dir.path(), &["--check", "./..."]).status.code(),
        Some(0)
    );
    assert_eq!(
        goleak_fix(dir.path(), &["--check", "--ignore", "ncast-leak", "./..."])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn the_config_file_is_found_above_the_scanned_path() {
    let dir = tree(&[
        ("goleak-fix.toml", "ignore = [\"timeout-leak\"]\n"),
        ("service/pkg/a.go", LEAKY),
    ]);
    let nested = dir.path().join("service");
    assert_eq!(
        goleak_fix(&nested, &["--check", "pkg/..."]).status.code(),
        Some(0)
    );
    assert_eq!(
        goleak_fix(&nested, &["--check", "pkg/a.go"]).status.code(),
        Some(0)
    );
    // A nearer file wins.
    fs::write(nested.join("goleak-fix.toml"), "").unwrap();
    assert_eq!(
        goleak_fix(&nested, &["--check", "pkg/..."]).status.code(),
        Some(1)
    );
}

#[test]
fn exclude_skips_what_the_walk_finds_but_not_files_named_on_the_command_line() {
    let dir = tree(&[
        (
            "goleak-fix.toml",
            "exclude = [\"legacy/\", \"*_mock.go\"]\n",
        ),
        ("legacy/old.go", LEAKY),
        ("pkg/db_mock.go", LEAKY),
        ("pkg/real.go", LEAKY),
    ]);
    let output = goleak_fix(dir.path(), &["--check", "./..."]);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("pkg/real.go:"), "{text}");
    // From inside the package, the patterns still count from the file's directory.
    let output = goleak_fix(&dir.path().join("pkg"), &["--check", "."]);
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
    let output = goleak_fix(dir.path(), &["--check", "legacy/old.go"]);
    assert!(stdout(&output).starts_with("legacy/old.go:"));
}

#[test]
fn unsafe_fixes_in_the_config_file_applies_unsafe_fixes() {
    let dir = tree(&[("a.go", UNSAFE_ONLY)]);
    let output = goleak_fix(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(dir.path().join("a.go")).unwrap(),
        UNSAFE_ONLY
    );
    fs::write(dir.path().join("goleak-fix.toml"), "unsafe-fixes = true\n").unwrap();
    let output = goleak_fix(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(dir.path().join("a.go")).unwrap(),
        UNSAFE_ONLY.replace("make(chan int)", "make(chan int, n)")
    );
}

#[test]
fn an_unknown_key_or_codemod_in_the_config_file_is_an_error_naming_both() {
    let dir = tree(&[
        ("a.go", LEAKY),
        ("goleak-fix.toml", "selcet = [\"timeout-leak\"]\n"),
    ]);
    for args in [&["--check"][..], &["--dry-run"][..], &[][..]] {
        let output = goleak_fix(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let errors = stderr(&output);
        assert!(errors.contains("goleak-fix.toml"), "{errors}");
        assert!(errors.contains("unknown field `selcet`"), "{errors}");
    }
    assert_eq!(fs::read_to_string(dir.path().join("a.go")).unwrap(), LEAKY);

    fs::write(
        dir.path().join("goleak-fix.toml"),
        "ignore = [\"timeout-leek\"]\n",
    )
    .unwrap();
    let output = goleak_fix(dir.path(), &["--check"]);
    assert_eq!(output.status.code(), Some(2));
    let errors = stderr(&output);
    assert!(
        errors.contains("goleak-fix.toml: `ignore`: unknown codemod `timeout-leek`"),
        "{errors}"
    );
}

#[test]
fn check_names_a_suppression_that_silences_nothing_and_counts_it_in_json() {
    let used = LEAKY.replace(
        "\tc := make(chan string)\n",
        "\t//goleak-fix:ignore timeout-leak the caller drains it\n\tc := make(chan string)\n",
    );
    let stale = LEAKY
        .replace("make(chan string)", "make(chan string, 1)")
        .replace(
            "\tc := make(chan string, 1)\n",
            "\tc := make(chan string, 1) //goleak-fix:ignore\n",
        );
    let dir = tree(&[("used.go", &used), ("stale.go", &stale)]);
    let output = goleak_fix(dir.path(), &["--check"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "a warning, not a finding: {}",
        stderr(&output)
    );
    let errors = stderr(&output);
    assert!(
        errors.contains("stale.go:6: unused //goleak-fix:ignore"),
        "{errors}"
    );
    assert!(!errors.contains("used.go:"), "{errors}");

    let output = goleak_fix(dir.path(), &["--check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["unused_suppressions"], 1);
    assert_eq!(report["summary"]["findings"], 0);

    // With a codemod left out, a bare comment may be for it: not judged.
    let output = goleak_fix(dir.path(), &["--check", "--select", "ncast-leak"]);
    assert!(!stderr(&output).contains("unused"), "{}", stderr(&output));
}
