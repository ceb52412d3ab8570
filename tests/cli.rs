//! The command line as users, scripts and bots see it: exit codes, outputs, files on disk.

use crate::common;

use common::{CLEAN, LEAKY, goleak_fix, goleak_fix_on_terminal, stderr, stdout, tree};

use std::fs;
use std::process::Command;

#[test]
fn check_reports_like_go_vet_and_exits_1() {
    let dir = tree(&[("pkg/a.go", LEAKY), ("pkg/b.go", CLEAN)]);
    let output = goleak_fix(dir.path(), &["--check", "./..."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("pkg/a.go:6:7: timeout-leak: "), "{text}");
    assert_eq!(text.lines().count(), 1);
    assert_eq!(
        fs::read_to_string(dir.path().join("pkg/a.go")).unwrap(),
        LEAKY,
        "--check writes nothing"
    );
}

#[test]
fn the_summary_counts_scanned_parsed_and_findings_per_codemod() {
    let dir = tree(&[
        ("pkg/a.go", LEAKY),
        ("pkg/b.go", CLEAN),
        ("pkg/c.go", "package main\n\nfunc nothing() {}\n"),
    ]);
    let output = goleak_fix(dir.path(), &["--check"]);
    let summary = stderr(&output);
    assert!(
        summary.contains("3 file(s) scanned, 2 parsed, in ")
            && summary.contains("1 finding(s) (timeout-leak 1), 1 fixable"),
        "{summary}"
    );
}

#[test]
fn check_exits_0_when_clean() {
    let dir = tree(&[("b.go", CLEAN)]);
    let output = goleak_fix(dir.path(), &["--check"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
}

#[test]
fn json_report_has_the_documented_shape() {
    let dir = tree(&[("pkg/a.go", LEAKY)]);
    let output = goleak_fix(dir.path(), &["--check", "--format", "json", "pkg/..."]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["version"], 4);
    let finding = &report["findings"][0];
    assert_eq!(finding["codemod"], "timeout-leak");
    assert_eq!(finding["function"], "fetch");
    assert_eq!(
        finding["outcome"],
        serde_json::json!({"status": "unfixed", "reason": "report-only", "detail": "--check applies no fix"})
    );
    assert_eq!(finding["path"], "pkg/a.go");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(6), Some(7))
    );
    assert_eq!(
        (finding["end_line"].as_u64(), finding["end_column"].as_u64()),
        (Some(6), Some(24))
    );
    let fix = &finding["fix"];
    assert_eq!(fix["applicability"], "safe");
    let edit = &fix["edits"][0];
    let start = edit["start"].as_u64().unwrap() as usize;
    assert_eq!(&LEAKY[start - 11..start], "chan string");
    assert_eq!(edit["replacement"], ", 1");
    assert_eq!(report["summary"]["files_scanned"], 1);
    assert_eq!(report["summary"]["findings"], 1);
    assert_eq!(report["summary"]["fixable"], 1);
}

#[test]
fn dry_run_prints_a_diff_that_git_apply_accepts() {
    let dir = tree(&[("pkg/a.go", LEAKY)]);
    let output = goleak_fix(dir.path(), &["--dry-run", "./..."]);
    assert_eq!(output.status.code(), Some(1));
    let diff = stdout(&output);
    assert!(
        diff.starts_with("--- a/pkg/a.go\n+++ b/pkg/a.go\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-\tc := make(chan string)\n+\tc := make(chan string, 1)\n"),
        "{diff}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("pkg/a.go")).unwrap(),
        LEAKY
    );
    fs::write(dir.path().join("fix.patch"), &diff).unwrap();
    let git = Command::new("git")
        .args(["apply", "fix.patch"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        git.status.success(),
        "git apply: {}",
        String::from_utf8_lossy(&git.stderr)
    );
    assert!(
        fs::read_to_string(dir.path().join("pkg/a.go"))
            .unwrap()
            .contains("make(chan string, 1)")
    );
    let again = goleak_fix(dir.path(), &["--dry-run"]);
    assert_eq!(again.status.code(), Some(0), "nothing left to change");
    assert_eq!(stdout(&again), "");
}

#[test]
fn default_mode_fixes_in_place_keeping_the_mode_and_is_idempotent() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("a.go", LEAKY)]);
    let path = dir.path().join("a.go");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let output = goleak_fix(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("fixed a.go: 1 leak (timeout-leak)"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        LEAKY.replace("make(chan string)", "make(chan string, 1)")
    );
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temp files left: {leftovers:?}");
    let again = goleak_fix(dir.path(), &[]);
    assert_eq!(again.status.code(), Some(0));
    assert!(!stderr(&again).contains("fixed a.go"), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("0 fix(es) applied"),
        "{}",
        stderr(&again)
    );
    let quiet = goleak_fix(dir.path(), &["--quiet"]);
    assert_eq!(
        stderr(&quiet),
        "",
        "--quiet prints nothing when there is nothing to say"
    );
}

#[test]
fn crlf_bom_tabs_and_non_ascii_survive_byte_for_byte() {
    let original = format!(
        "\u{feff}{}",
        LEAKY
            .replace('\n', "\r\n")
            .replace("return \"\"", "return \"héllo, 世界\" // ümlaut")
    );
    let dir = tree(&[("a.go", &original)]);
    let output = goleak_fix(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let fixed = fs::read_to_string(dir.path().join("a.go")).unwrap();
    assert_eq!(
        fixed,
        original.replace("make(chan string)", "make(chan string, 1)")
    );
}

#[test]
fn an_inserted_line_takes_crlf_and_indentation_from_its_neighbours() {
    let original = "package main\r\n\r\nfunc run(records []string) {\r\n\tinput := make(chan string, len(records))\r\n\tfor _, r := range records {\r\n\t\tinput <- r\r\n\t} // all queued\r\n\tfor i := 0; i < 2; i++ {\r\n\t\tgo func() {\r\n\t\t\tfor range input {\r\n\t\t\t}\r\n\t\t}()\r\n\t}\r\n}\r\n";
    let dir = tree(&[("a.go", original)]);
    let output = goleak_fix(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let fixed = fs::read_to_string(dir.path().join("a.go")).unwrap();
    assert_eq!(
        fixed,
        original.replace(
            "\t} // all queued\r\n",
            "\t} // all queued\r\n\tclose(input)\r\n"
        )
    );
}

#[test]
fn a_function_with_a_syntax_error_is_never_edited_but_the_rest_is() {
    let broken = format!(
        "{LEAKY}\nfunc broken() {{\n\tc := make(chan int)\n\tgo func() {{ c <- 1 }}()\n\tif x {{ return\n\t<-c\n}}\n"
    );
    let dir = tree(&[("a.go", &broken)]);
    let output = goleak_fix(dir.path(), &["--check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let lines: Vec<u64> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![6], "only the intact function is reported");
}

#[test]
fn vendor_testdata_hidden_underscore_and_generated_files_are_skipped() {
    let generated = format!("// Code generated by mockgen. DO NOT EDIT.\n\n{LEAKY}");
    let dir = tree(&[
        ("vendor/x/a.go", LEAKY),
        ("pkg/testdata/a.go", LEAKY),
        (".hidden/a.go", LEAKY),
        ("_old/a.go", LEAKY),
        ("pkg/gen.go", &generated),
        ("pkg/ignored.go", LEAKY),
        (".gitignore", "pkg/ignored.go\n"),
        ("pkg/real.go", LEAKY),
    ]);
    Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    let output = goleak_fix(dir.path(), &["--check", "./..."]);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("pkg/real.go:"), "{text}");
}

#[test]
fn a_ripgrep_ignore_file_hides_nothing() {
    // Go tools do not read `.ignore`; a repository must not hide a file from goleak-fix alone.
    let dir = tree(&[
        (".ignore", "pkg/hidden.go\n"),
        ("pkg/.ignore", "*.go\n"),
        ("pkg/hidden.go", LEAKY),
    ]);
    let output = goleak_fix(dir.path(), &["--check", "./..."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("pkg/hidden.go:6:7: "));
}

#[test]
fn suppression_comments_silence_a_finding() {
    let suppressed = LEAKY.replace(
        "\tc := make(chan string)\n",
        "\t//goleak-fix:ignore timeout-leak the caller drains it\n\tc := make(chan string)\n",
    );
    let other_id = LEAKY.replace(
        "\tc := make(chan string)\n",
        "\tc := make(chan string) //goleak-fix:ignore ncast-leak\n",
    );
    let dir = tree(&[("a.go", &suppressed), ("b.go", &other_id)]);
    let output = goleak_fix(dir.path(), &["--check"]);
    let text = stdout(&output);
    assert!(!text.contains("a.go"), "{text}");
    assert!(text.contains("b.go:6:"), "{text}");
}

#[test]
fn select_and_ignore_choose_codemods_and_unknown_ids_are_usage_errors() {
    let dir = tree(&[("a.go", LEAKY)]);
    assert_eq!(
        goleak_fix(dir.path(), &["--check", "--select", "premature-return"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        goleak_fix(
            dir.path(),
            &["--check", "--select", "timeout-leak,ncast-leak"]
        )
        .status
        .code(),
        Some(1)
    );
    assert_eq!(
        goleak_fix(dir.path(), &["--check", "--ignore", "timeout-leak"])
            .status
            .code(),
        Some(0)
    );
    let output = goleak_fix(dir.path(), &["--check", "--select", "no-such-thing"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown codemod `no-such-thing`"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        goleak_fix(dir.path(), &["--no-such-flag"]).status.code(),
        Some(2)
    );
}

#[test]
fn list_codemods_and_explain_document_every_codemod() {
    let dir = tempfile::tempdir().unwrap();
    let list = stdout(&goleak_fix(dir.path(), &["--list-codemods"]));
    for id in common::codemod_ids() {
        assert!(
            list.lines().any(|line| line.starts_with(id)),
            "{id} missing from {list}"
        );
        let explained = goleak_fix(dir.path(), &["--explain", id]);
        assert_eq!(explained.status.code(), Some(0));
        assert!(stdout(&explained).starts_with(&format!("# {id}")));
    }
    assert_eq!(
        goleak_fix(dir.path(), &["--explain", "nope"]).status.code(),
        Some(2)
    );
}

#[test]
fn unreadable_and_non_utf8_files_are_named_and_the_rest_is_still_fixed() {
    let dir = tree(&[("good.go", LEAKY)]);
    fs::write(dir.path().join("latin1.go"), b"package main\n// caf\xe9\n").unwrap();
    let output = goleak_fix(dir.path(), &["--check", ".", "missing.go"]);
    assert_eq!(output.status.code(), Some(2));
    let errors = stderr(&output);
    assert!(errors.contains("latin1.go: not valid UTF-8"), "{errors}");
    assert!(errors.contains("missing.go:"), "{errors}");
    assert!(stdout(&output).contains("good.go:6:7: timeout-leak"));
    let output = goleak_fix(dir.path(), &["."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        fs::read_to_string(dir.path().join("good.go"))
            .unwrap()
            .contains("make(chan string, 1)")
    );
    assert_eq!(
        fs::read(dir.path().join("latin1.go")).unwrap(),
        b"package main\n// caf\xe9\n"
    );
}

#[test]
fn a_worker_in_another_file_of_the_package_is_followed() {
    let producer = "package jobs\n\nfunc run(items []string) {\n\tq := make(chan string, len(items))\n\tfor _, it := range items {\n\t\tq <- it\n\t}\n\tfor i := 0; i < 4; i++ {\n\t\tgo work(q)\n\t}\n}\n";
    let worker = "package jobs\n\nfunc work(q <-chan string) {\n\tfor range q {\n\t}\n}\n";
    let closing_worker =
        "package jobs\n\nfunc work(q chan string) {\n\tfor range q {\n\t}\n\tclose(q)\n}\n";
    let dir = tree(&[
        ("a/run.go", producer),
        ("a/work.go", worker),
        ("b/run.go", producer),
        ("b/work.go", closing_worker),
    ]);
    let output = goleak_fix(dir.path(), &["--check", "./..."]);
    let text = stdout(&output);
    assert!(text.contains("a/run.go:4:7: abandoned-receivers"), "{text}");
    assert!(
        !text.contains("b/run.go"),
        "a worker that closes must keep us silent: {text}"
    );
}

#[test]
fn jobs_above_the_cap_is_a_usage_error_naming_the_cap_and_touches_nothing() {
    let dir = tree(&[("a.go", LEAKY)]);
    for jobs in ["257", "100000"] {
        let output = goleak_fix(dir.path(), &["-j", jobs, "./..."]);
        assert_eq!(output.status.code(), Some(2), "-j {jobs}");
        let errors = stderr(&output);
        assert!(errors.contains("at most 256 threads"), "{errors}");
        assert_eq!(fs::read_to_string(dir.path().join("a.go")).unwrap(), LEAKY);
    }
    let output = goleak_fix(dir.path(), &["--jobs", "many"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn jobs_0_means_one_per_core_and_the_cap_itself_is_allowed() {
    let dir = tree(&[("a.go", LEAKY)]);
    for jobs in ["0", "256"] {
        let output = goleak_fix(dir.path(), &["--check", "-j", jobs]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "-j {jobs}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).starts_with("a.go:6:7: timeout-leak"));
    }
}

// A command line with Go manners (issue 15).

/// Three timeout leaks in one file.
fn three_leaks() -> String {
    let one = LEAKY.split_once("func fetch()").unwrap().1;
    let mut text = LEAKY.split_once("func fetch()").unwrap().0.to_string();
    for name in ["a", "b", "c"] {
        text.push_str(&format!("func fetch_{name}(){one}\n"));
    }
    text
}

#[test]
fn diff_is_dry_run_by_another_name() {
    let dir = tree(&[("pkg/a.go", LEAKY)]);
    let dry_run = goleak_fix(dir.path(), &["--dry-run", "./..."]);
    let diff = goleak_fix(dir.path(), &["--diff", "./..."]);
    assert_eq!(diff.status.code(), Some(1), "{}", stderr(&diff));
    assert!(stdout(&diff).contains("+\tc := make(chan string, 1)"));
    assert_eq!(stdout(&diff), stdout(&dry_run));
    assert_eq!(
        fs::read_to_string(dir.path().join("pkg/a.go")).unwrap(),
        LEAKY
    );
}

#[test]
fn exclude_and_no_tests_leave_files_out_of_the_walk() {
    let dir = tree(&[
        ("pkg/a.go", LEAKY),
        ("pkg/a_test.go", LEAKY),
        ("legacy/b.go", LEAKY),
        ("pkg/db_mock.go", LEAKY),
    ]);
    let findings = |args: &[&str]| -> Vec<String> {
        let output = goleak_fix(dir.path(), args);
        let mut files: Vec<String> = stdout(&output)
            .lines()
            .map(|line| line.split(':').next().unwrap().to_string())
            .collect();
        files.sort();
        files
    };
    assert_eq!(
        findings(&["--check"]),
        ["legacy/b.go", "pkg/a.go", "pkg/a_test.go", "pkg/db_mock.go"]
    );
    assert_eq!(
        findings(&["--check", "--exclude", "legacy/", "--exclude", "*_mock.go"]),
        ["pkg/a.go", "pkg/a_test.go"]
    );
    assert_eq!(
        findings(&["--check", "--no-tests"]),
        ["legacy/b.go", "pkg/a.go", "pkg/db_mock.go"]
    );
    // `--exclude` adds to goleak-fix.toml's `exclude`.
    fs::write(
        dir.path().join("goleak-fix.toml"),
        "exclude = [\"legacy/\"]\n",
    )
    .unwrap();
    assert_eq!(
        findings(&["--check", "--exclude", "/pkg/db_mock.go"]),
        ["pkg/a.go", "pkg/a_test.go"]
    );
    // A file named on the command line is always read.
    assert_eq!(
        findings(&["--check", "--no-tests", "pkg/a_test.go"]),
        ["pkg/a_test.go"]
    );
    // Files left out are not fixed either.
    let output = goleak_fix(dir.path(), &["--no-tests", "--exclude", "legacy", "./..."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(dir.path().join("pkg/a_test.go")).unwrap(),
        LEAKY
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("legacy/b.go")).unwrap(),
        LEAKY
    );
}

#[test]
fn a_bad_exclude_glob_is_a_usage_error_naming_the_flag() {
    let dir = tree(&[("a.go", LEAKY)]);
    let output = goleak_fix(dir.path(), &["--exclude", "**/[z-a]", "a.go"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("goleak-fix: --exclude: pattern 1 is not valid: invalid range"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_to_string(dir.path().join("a.go")).unwrap(), LEAKY);
}

#[test]
fn exit_zero_turns_findings_and_changes_into_0_but_never_an_error() {
    let dir = tree(&[("a.go", LEAKY)]);
    for args in [&["--check"][..], &["--dry-run"][..]] {
        let before = goleak_fix(dir.path(), args);
        assert_eq!(before.status.code(), Some(1), "{args:?}");
        let args = [args, &["--exit-zero"]].concat();
        let after = goleak_fix(dir.path(), &args);
        assert_eq!(after.status.code(), Some(0), "{args:?}: {}", stderr(&after));
        assert_eq!(stdout(&after), stdout(&before), "the same report");
    }
    let output = goleak_fix(
        dir.path(),
        &["--check", "--exit-zero", "a.go", "missing.go"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn errors_come_before_the_summary_and_without_os_error_numbers() {
    let dir = tree(&[("a.go", CLEAN)]);
    let output = goleak_fix(dir.path(), &["--check", "a.go", "missing.go"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("goleak-fix: missing.go: No such file or directory"),
        "{err}"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("goleak-fix: 1 file(s) scanned"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
    // An error that ends the run (anyhow's chain) is shown the same way.
    let output = goleak_fix(dir.path(), &["--config", "nowhere.toml"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("No such file or directory"), "{err}");
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn the_fixed_line_counts_leaks_per_codemod() {
    let dir = tree(&[("a.go", &three_leaks()), ("b.go", LEAKY)]);
    let output = goleak_fix(dir.path(), &["."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("fixed a.go: 3 leaks (timeout-leak ×3)\n"),
        "{err}"
    );
    assert!(err.contains("fixed b.go: 1 leak (timeout-leak)\n"), "{err}");
}

#[test]
fn a_mistyped_codemod_or_flag_gets_a_suggestion() {
    let dir = tree(&[("a.go", LEAKY)]);
    let cases: [(&[&str], &str); 6] = [
        (
            &["--select", "timeout-leek"],
            "unknown codemod `timeout-leek`; did you mean `timeout-leak`?",
        ),
        (&["--explain", "ncast-leek"], "did you mean `ncast-leak`?"),
        (&["--dry-rn"], "a similar argument exists: '--dry-run'"),
        (&["--json"], "goleak-fix writes json with `--format json`"),
        (&["-diff"], "long flags take two dashes: `--diff`"),
        (
            &["--fix"],
            "fixing is what goleak-fix does without a mode flag",
        ),
    ];
    for (args, tip) in cases {
        let output = goleak_fix(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains(tip),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // Far from every ID: no guess.
    let output = goleak_fix(dir.path(), &["--select", "no-such-thing"]);
    assert!(
        !stderr(&output).contains("did you mean"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_to_string(dir.path().join("a.go")).unwrap(), LEAKY);
}

#[test]
fn colour_only_on_a_terminal_or_when_asked_and_never_from_the_repository() {
    let dir = tree(&[("a.go", LEAKY)]);
    // Piped, `auto`: no colour.
    let plain = goleak_fix(dir.path(), &["--dry-run"]);
    assert!(!stdout(&plain).contains('\x1b'));
    let coloured = goleak_fix(dir.path(), &["--dry-run", "--color", "always"]);
    assert!(
        stdout(&coloured).contains("\x1b[32m+\tc := make(chan string, 1)\x1b[0m"),
        "{}",
        stdout(&coloured)
    );
    assert!(stdout(&coloured).contains("\x1b[31m-\tc := make(chan string)\x1b[0m"));
    // On a terminal: `auto` colours, NO_COLOR and `never` do not.
    let (status, seen) = goleak_fix_on_terminal(dir.path(), &["--dry-run"], &[]);
    assert_eq!(status, 1, "{seen}");
    assert!(seen.contains("\x1b[32m+\tc := make"), "{seen:?}");
    for (args, env) in [
        (&["--dry-run"][..], &[("NO_COLOR", "1")][..]),
        (&["--dry-run", "--color", "never"][..], &[][..]),
    ] {
        let (status, seen) = goleak_fix_on_terminal(dir.path(), args, env);
        assert_eq!(status, 1, "{seen}");
        assert!(seen.contains("+\tc := make"), "{seen}");
        assert!(!seen.contains('\x1b'), "{args:?} {env:?}: {seen:?}");
    }
    // A hostile file name stays escaped inside the coloured line.
    let name = "evil\x1b[2J.go";
    let dir = tree(&[(name, LEAKY)]);
    let output = goleak_fix(dir.path(), &["--color", "always", "."]);
    let err = stderr(&output);
    assert!(
        err.contains("\x1b[32mfixed\x1b[0m evil\\u{1b}[2J.go: 1 leak (timeout-leak)"),
        "{err:?}"
    );
    assert_eq!(
        err.matches('\x1b').count(),
        2,
        "only the colour codes: {err:?}"
    );
}

#[test]
fn an_interrupt_in_the_first_second_is_named() {
    // A `go` that hangs in `go env`, which --verify runs before it reads any file.
    let bin = tempfile::tempdir().unwrap();
    let go = bin.path().join("go");
    fs::write(&go, "#!/bin/sh\nexec sleep 30\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&go, fs::Permissions::from_mode(0o755)).unwrap();
    let dir = tree(&[("a.go", LEAKY)]);
    let child = Command::new(env!("CARGO_BIN_EXE_goleak-fix"))
        .args(["--verify", "."])
        .current_dir(dir.path())
        .env("PATH", format!("{}:/usr/bin:/bin", bin.path().display()))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "goleak-fix: interrupted; nothing was written\n"
    );
    assert_eq!(fs::read_to_string(dir.path().join("a.go")).unwrap(), LEAKY);
}

#[test]
fn completions_and_the_man_page_come_from_the_flags() {
    let dir = tree(&[]);
    for (shell, sign) in [
        ("bash", "complete -F _goleak__fix"),
        ("zsh", "#compdef goleak-fix"),
        ("fish", "complete -c goleak-fix"),
    ] {
        let output = goleak_fix(dir.path(), &["--completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = stdout(&output);
        assert!(script.contains(sign), "{shell}: {script}");
        assert!(script.contains("verify-timeout"), "{shell}");
        assert!(script.contains("exit-zero"), "{shell}");
    }
    let output = goleak_fix(dir.path(), &["--man"]);
    assert_eq!(output.status.code(), Some(0));
    let page = stdout(&output);
    assert!(page.contains(".TH goleak-fix"), "{page}");
    assert!(page.contains("\\-\\-exit\\-zero"), "{page}");
    let output = goleak_fix(dir.path(), &["--completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let output = goleak_fix(&common::repo_root(), &["--version"]);
    assert_eq!(output.status.code(), Some(0));
    let version = stdout(&output);
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(common::repo_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let package = env!("CARGO_PKG_VERSION");
    match commit {
        // Built from a checkout: the commit is named (build.rs runs again when HEAD moves).
        Some(commit) => assert_eq!(version, format!("goleak-fix {package} (commit {commit})\n")),
        // From a source archive: the version alone.
        None => assert_eq!(version, format!("goleak-fix {package}\n")),
    }
}

#[test]
fn exclude_and_no_tests_apply_to_what_commit_reads_from_head() {
    let dir = tree(&[
        ("a.go", LEAKY),
        ("a_test.go", LEAKY),
        ("legacy/b.go", LEAKY),
    ]);
    common::commit_all(dir.path());
    let output = goleak_fix(
        dir.path(),
        &[
            "--commit",
            "--no-tests",
            "--exclude",
            "legacy/",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["commit"][0]["files"],
        serde_json::json!(["a.go"]),
        "{report:#}"
    );
}

#[test]
fn usage_errors_follow_the_color_flag_too() {
    let dir = tree(&[]);
    let output = goleak_fix(dir.path(), &["--color", "always", "--dry-rn"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains('\x1b'), "{:?}", stderr(&output));
    let (status, seen) = goleak_fix_on_terminal(dir.path(), &["--color=never", "--dry-rn"], &[]);
    assert_eq!(status, 2, "{seen}");
    assert!(seen.contains("a similar argument exists"), "{seen}");
    assert!(!seen.contains('\x1b'), "{seen:?}");
}

/// A consumer in `a.go` abandons the producer declared in `b.go`: the fix edits both.
const CONSUMER_A: &str = "package pkg\n\nfunc First(words []string) string {\n\tout := make(chan string)\n\tgo produce(words, out)\n\tfor w := range out {\n\t\treturn w\n\t}\n\treturn \"\"\n}\n";
const PRODUCER_B: &str = "package pkg\n\nfunc produce(words []string, out chan<- string) {\n\tdefer close(out)\n\tfor _, w := range words {\n\t\tout <- w\n\t}\n}\n";

#[test]
fn a_fix_across_two_files_is_diffed_and_written_whole() {
    let dir = tree(&[("pkg/a.go", CONSUMER_A), ("pkg/b.go", PRODUCER_B)]);
    let diff = stdout(&goleak_fix(dir.path(), &["--dry-run", "./..."]));
    assert!(
        diff.contains("--- a/pkg/a.go\n") && diff.contains("--- a/pkg/b.go\n"),
        "{diff}"
    );
    let output = goleak_fix(dir.path(), &["./..."]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(
        err.contains("fixed pkg/a.go: 1 leak (abandoned-producers)"),
        "{err}"
    );
    assert!(
        err.contains("fixed pkg/b.go: part of the fix in pkg/a.go"),
        "{err}"
    );
    let b = fs::read_to_string(dir.path().join("pkg/b.go")).unwrap();
    assert!(b.contains("out chan<- string, done <-chan struct{}"), "{b}");
}

#[test]
fn when_one_file_of_a_fix_cannot_be_written_neither_is() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree(&[("pkg/a.go", CONSUMER_A), ("pkg/b.go", PRODUCER_B)]);
    let b = dir.path().join("pkg/b.go");
    fs::set_permissions(&b, fs::Permissions::from_mode(0o444)).unwrap();
    let output = goleak_fix(dir.path(), &["./..."]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("pkg/b.go: it is read-only; not written"),
        "{err}"
    );
    assert!(
        err.contains("pkg/a.go: not written: the same fix also changes"),
        "{err}"
    );
    assert!(!err.contains("fixed pkg/"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.path().join("pkg/a.go")).unwrap(),
        CONSUMER_A
    );
    assert_eq!(fs::read_to_string(&b).unwrap(), PRODUCER_B);
}
