//! `goleak-fix.toml` and suppression comments, as the command line sees them.

use crate::common;

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
fn the_config_file_is_found_above_the_scanned_path_up_to_the_repository_top() {
    let dir = tree(&[
        ("goleak-fix.toml", "ignore = [\"timeout-leak\"]\n"),
        ("service/pkg/a.go", LEAKY),
    ]);
    fs::create_dir(dir.path().join(".git")).unwrap();
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
fn a_config_file_above_the_repository_top_is_not_read() {
    // A shared directory (a CI workspace, /tmp) holding a file that hides every finding.
    let dir = tree(&[
        ("goleak-fix.toml", "ignore = [\"timeout-leak\"]\n"),
        ("clone/pkg/a.go", LEAKY),
    ]);
    let clone = dir.path().join("clone");
    fs::create_dir(clone.join(".git")).unwrap();
    let output = goleak_fix(&clone, &["--check", "./..."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("using config"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn outside_a_repository_only_the_first_path_s_directory_is_looked_in() {
    let dir = tree(&[
        ("goleak-fix.toml", "ignore = [\"timeout-leak\"]\n"),
        ("pkg/a.go", LEAKY),
    ]);
    let output = goleak_fix(dir.path(), &["--check", "pkg/..."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let output = goleak_fix(&dir.path().join("pkg"), &["--check", "."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // In the first PATH's directory itself, it is read.
    let output = goleak_fix(dir.path(), &["--check", "./..."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn the_config_file_used_is_named_on_stderr_and_in_the_json_summary() {
    let dir = tree(&[
        ("goleak-fix.toml", "select = [\"timeout-leak\"]\n"),
        ("pkg/a.go", LEAKY),
    ]);
    fs::create_dir(dir.path().join(".git")).unwrap();
    let output = goleak_fix(&dir.path().join("pkg"), &["--check", "--format", "json"]);
    let errors = stderr(&output);
    let named = dir.path().canonicalize().unwrap().join("goleak-fix.toml");
    assert!(
        errors.contains(&format!("goleak-fix: using config {}\n", named.display())),
        "{errors}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["config"], named.display().to_string());

    // Relative to the current directory when under it; not on stderr with --quiet.
    let output = goleak_fix(dir.path(), &["--check", "--quiet", "--format", "json"]);
    assert!(
        !stderr(&output).contains("using config"),
        "{}",
        stderr(&output)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["config"], "goleak-fix.toml");

    let output = goleak_fix(dir.path(), &["--check", "--no-config", "--format", "json"]);
    assert!(
        !stderr(&output).contains("using config"),
        "{}",
        stderr(&output)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["summary"]["config"].is_null(), "{report}");
}

#[test]
fn no_config_reads_none_and_config_reads_the_named_file() {
    let dir = tree(&[
        ("goleak-fix.toml", "ignore = [\"timeout-leak\"]\n"),
        ("elsewhere/strict.toml", "select = [\"timeout-leak\"]\n"),
        ("a.go", LEAKY),
    ]);
    assert_eq!(goleak_fix(dir.path(), &["--check"]).status.code(), Some(0));
    let output = goleak_fix(dir.path(), &["--check", "--no-config"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let output = goleak_fix(
        dir.path(),
        &["--check", "--config", "elsewhere/strict.toml"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("using config elsewhere/strict.toml"),
        "{}",
        stderr(&output)
    );
    // A named file that is not there is an error naming it, not a silent default.
    let output = goleak_fix(dir.path(), &["--check", "--config", "missing.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("missing.toml: cannot read"));
    // Both at once is a usage error, and so is trusting no file.
    for args in [
        &["--check", "--no-config", "--config", "goleak-fix.toml"][..],
        &["--check", "--no-config", "--trust-config"][..],
    ] {
        let output = goleak_fix(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains("cannot be used with"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn a_symlinked_config_file_is_an_error_naming_it_and_is_not_read() {
    let dir = tree(&[
        ("outside/goleak-fix.toml", "ignore = [\"timeout-leak\"]\n"),
        ("clone/a.go", LEAKY),
    ]);
    let clone = dir.path().join("clone");
    fs::create_dir(clone.join(".git")).unwrap();
    std::os::unix::fs::symlink("../outside/goleak-fix.toml", clone.join("goleak-fix.toml"))
        .unwrap();
    let output = goleak_fix(&clone, &["--check"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(
        errors.contains("goleak-fix: goleak-fix.toml: a symbolic link"),
        "{errors}"
    );
    assert!(output.stdout.is_empty());
    // Named with --config, it is the user's choice and is read.
    let output = goleak_fix(&clone, &["--check", "--config", "goleak-fix.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_broken_config_file_is_named_with_the_position_and_its_text_is_never_shown() {
    let dir = tree(&[
        ("goleak-fix.toml", "token = \"hunter2\"\n"),
        ("a.go", LEAKY),
    ]);
    let output = goleak_fix(dir.path(), &["--check"]);
    assert_eq!(output.status.code(), Some(2));
    let errors = stderr(&output);
    assert!(
        errors.contains("goleak-fix: goleak-fix.toml: 1:1: unknown field `token`"),
        "{errors}"
    );
    assert!(!errors.contains("hunter2"), "{errors}");

    fs::write(
        dir.path().join("goleak-fix.toml"),
        "select = [\"timeout-leak\"]\nunsafe-fixes = \"hunter2\\u001b[2J\"\n",
    )
    .unwrap();
    let output = goleak_fix(dir.path(), &["--check"]);
    let errors = stderr(&output);
    assert!(
        errors.contains("goleak-fix.toml: 2:16: invalid type: string, expected a boolean"),
        "{errors}"
    );
    assert!(
        !errors.contains("hunter2") && !errors.contains('\x1b'),
        "{errors}"
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
    fs::create_dir(dir.path().join(".git")).unwrap();
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
fn unsafe_fixes_from_a_found_config_file_is_refused_with_a_warning_unless_trusted() {
    let dir = tree(&[
        ("a.go", UNSAFE_ONLY),
        ("goleak-fix.toml", "unsafe-fixes = true\n"),
    ]);
    let output = goleak_fix(dir.path(), &["--quiet"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(
        errors.contains(
            "goleak-fix: warning: goleak-fix.toml: `unsafe-fixes = true` refused: a \
             configuration file found in the scanned tree may not turn on unsafe fixes"
        ),
        "even with --quiet: {errors}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("a.go")).unwrap(),
        UNSAFE_ONLY
    );

    let fixed = UNSAFE_ONLY.replace("make(chan int)", "make(chan int, n)");
    let output = goleak_fix(dir.path(), &["--trust-config"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("refused"), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(dir.path().join("a.go")).unwrap(), fixed);

    // A file named with --config is the user's choice: trusted.
    fs::write(dir.path().join("a.go"), UNSAFE_ONLY).unwrap();
    let output = goleak_fix(dir.path(), &["--config", "goleak-fix.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(dir.path().join("a.go")).unwrap(), fixed);
}

#[test]
fn the_pr_body_says_where_unsafe_fixes_were_turned_on() {
    let dir = tree(&[
        ("a.go", UNSAFE_ONLY),
        ("goleak-fix.toml", "unsafe-fixes = true\n"),
    ]);
    let body = |args: &[&str]| {
        let mut all = vec!["--dry-run", "--pr-body", "pr.md"];
        all.extend_from_slice(args);
        let output = goleak_fix(dir.path(), &all);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        fs::read_to_string(dir.path().join("pr.md")).unwrap()
    };
    let from_file = body(&["--trust-config"]);
    assert!(
        from_file.contains(
            "they were turned on by `unsafe-fixes = true` in the configuration file \
             `goleak-fix.toml`, which this run was told to trust"
        ),
        "{from_file}"
    );
    assert!(!from_file.contains("asked for explicitly"), "{from_file}");
    let from_flag = body(&["--unsafe-fixes"]);
    assert!(
        from_flag.contains("asked for explicitly on the command line (`--unsafe-fixes`)"),
        "{from_flag}"
    );
    // Refused: no unsafe fix, so the body says nothing about them.
    let output = goleak_fix(dir.path(), &["--dry-run", "--pr-body", "pr.md"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
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
