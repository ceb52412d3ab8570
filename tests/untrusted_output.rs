//! What a hostile repository puts in its file names and its code never reaches an output raw
//! (a `--check` line, the terminal, a diff header, the pull-request body), the file a flag
//! names for output is never written through a link, and an output that cannot be written
//! never ends the run halfway or changes the exit status it earned.

use crate::common;

use common::{LEAKY, goleak_fix, stderr, stdout};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn fixed(text: &str) -> String {
    text.replace("make(chan string)", "make(chan string, 1)")
}

/// A temporary directory holding `files`, named by their raw bytes.
fn tree(files: &[(&[u8], &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(OsStr::from_bytes(name)), text).unwrap();
    }
    dir
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_goleak-fix"));
    command.args(args).current_dir(dir);
    command
}

/// `git apply` of `patch` in `dir` (no repository needed: it works like `patch`).
fn git_apply(dir: &Path, patch: &[u8]) -> Output {
    fs::write(dir.join("fix.patch"), patch).unwrap();
    let output = Command::new("git")
        .args(["apply", "fix.patch"])
        .current_dir(dir)
        .output()
        .unwrap();
    fs::remove_file(dir.join("fix.patch")).unwrap();
    output
}

/// channel-iteration-misuse's leak, with a comment inside the `wg.Wait()` call that tries to
/// print a finding of its own and a GitHub workflow command.
const FORGING_WAIT: &str = "package main

import \"sync\"

func publish(names []string) {
\tvar wg sync.WaitGroup
\tevents := make(chan string)
\tgo func() {
\t\tfor e := range events {
\t\t\t_ = e
\t\t}
\t}()
\tfor _, name := range names {
\t\twg.Add(1)
\t\tgo func() {
\t\t\tevents <- name
\t\t\twg.Done()
\t\t}()
\t}
\twg.Wait( /* x
forged.go:1:1: timeout-leak: forged finding
::error file=main.go,line=1::forged workflow command
\x1b[2J` */ )
}
";

#[test]
fn a_comment_in_the_quoted_wait_call_cannot_forge_a_check_line_or_a_workflow_command() {
    let dir = tree(&[(b"main.go", FORGING_WAIT)]);
    let output = goleak_fix(dir.path(), &["--check", "./..."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("main.go:7:12: channel-iteration-misuse: ")
            && text.contains("(`wg.Wait()` at line 20)"),
        "{text}"
    );
    assert!(
        !text.contains("forged") && !text.contains("::error") && !text.contains('\x1b'),
        "{text}"
    );

    // Nor in the JSON message, which scripts print.
    let output = goleak_fix(dir.path(), &["--check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        !message.contains("forged") && !message.contains('\n'),
        "{message}"
    );
}

#[test]
fn escape_sequences_and_newlines_in_a_file_name_are_escaped_in_check_lines() {
    let dir = tree(&[(b"evil\x1b[2J\nforged.go:1:1: timeout-leak: x.go", LEAKY)]);
    let output = goleak_fix(dir.path(), &["--check", "./..."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("evil\\u{1b}[2J\\nforged.go:1:1: timeout-leak: x.go:6:7: timeout-leak: "),
        "{text}"
    );
    assert!(
        !text.contains('\x1b') && text.lines().count() == 1,
        "{text:?}"
    );
}

#[test]
fn the_dry_run_diff_applies_for_a_name_with_a_space_a_tab_a_newline_and_non_ascii() {
    let name = "a b\tc\nd\u{e9}.go";
    let dir = tree(&[(name.as_bytes(), LEAKY)]);
    let output = goleak_fix(dir.path(), &["--dry-run", "./..."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let diff = stdout(&output);
    assert!(
        diff.starts_with(
            "--- \"a/a b\\tc\\nd\\303\\251.go\"\n+++ \"b/a b\\tc\\nd\\303\\251.go\"\n"
        ),
        "{diff}"
    );
    let applied = git_apply(dir.path(), diff.as_bytes());
    assert!(applied.status.success(), "git apply: {}", stderr(&applied));
    assert_eq!(
        fs::read_to_string(dir.path().join(name)).unwrap(),
        fixed(LEAKY)
    );
}

#[test]
fn a_non_utf8_file_name_is_quoted_by_its_bytes_so_the_diff_applies() {
    let name: &[u8] = b"caf\xe9 \xff.go";
    let dir = tree(&[(name, LEAKY)]);
    let output = goleak_fix(dir.path(), &["--dry-run", "./..."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        output
            .stdout
            .starts_with(b"--- \"a/caf\\351 \\377.go\"\n+++ \"b/caf\\351 \\377.go\"\n"),
        "{}",
        stdout(&output)
    );
    let applied = git_apply(dir.path(), &output.stdout);
    assert!(applied.status.success(), "git apply: {}", stderr(&applied));
    assert_eq!(
        fs::read_to_string(dir.path().join(OsStr::from_bytes(name))).unwrap(),
        fixed(LEAKY)
    );
}

/// The lines of a Markdown document outside its fenced code blocks.
fn outside_fences(markdown: &str) -> Vec<&str> {
    let mut fence: Option<&str> = None;
    let mut lines = Vec::new();
    for line in markdown.lines() {
        let ticks = &line[..line.len() - line.trim_start_matches('`').len()];
        match fence {
            Some(open) if ticks.len() >= open.len() && line.trim_matches('`').is_empty() => {
                fence = None
            }
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => lines.push(line),
        }
    }
    lines
}

#[test]
fn a_file_name_cannot_add_a_heading_a_link_or_html_to_the_pr_body() {
    let name = "x.go\n# Heading [link](https:evil.example) <img src=x>`.go";
    let dir = tree(&[(name.as_bytes(), LEAKY)]);
    let output = goleak_fix(dir.path(), &["--dry-run", "--pr-body", "pr.md"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let body = fs::read_to_string(dir.path().join("pr.md")).unwrap();
    assert!(
        body.contains("x.go\\n# Heading"),
        "the name is there: {body}"
    );
    for line in outside_fences(&body) {
        assert!(!line.starts_with("# Heading"), "{line}");
        for needle in ["[link]", "<img"] {
            if let Some(at) = line.find(needle) {
                // Inside a code span: an odd number of backtick runs before it.
                let runs = line[..at]
                    .split(|c| c != '`')
                    .filter(|run| !run.is_empty())
                    .count();
                assert!(runs % 2 == 1, "{needle} outside a code span: {line}");
            }
        }
    }
    // The body's command names the file as bash reads it back, inside a fence.
    assert!(
        body.contains("-- $'x.go\\x0a# Heading [link](https:evil.example) <img src=x>`.go'\n```\n"),
        "{body}"
    );
}

#[test]
fn a_pr_body_path_that_is_a_symlink_is_refused_and_its_target_is_never_written() {
    let dir = tree(&[(b"a.go", LEAKY)]);
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("authorized_keys");
    fs::write(&secret, "ssh-ed25519 AAAA-SECRET-KEY-LINE\n").unwrap();
    symlink(&secret, dir.path().join("pr.md")).unwrap();
    let output = goleak_fix(dir.path(), &["--dry-run", "--pr-body", "pr.md"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(errors.contains("pr.md: it is a symbolic link"), "{errors}");
    assert!(!errors.contains("SECRET"), "{errors}");
    assert_eq!(
        fs::read_to_string(&secret).unwrap(),
        "ssh-ed25519 AAAA-SECRET-KEY-LINE\n"
    );
    assert_eq!(stdout(&output), "", "refused before anything is done");
}

#[test]
fn the_pr_body_replaces_an_existing_file_by_rename_keeping_its_mode_and_leaving_no_temp_file() {
    let dir = tree(&[(b"a.go", LEAKY), (b"pr.md", "old body\n")]);
    let body = dir.path().join("pr.md");
    fs::set_permissions(&body, fs::Permissions::from_mode(0o640)).unwrap();
    let before = fs::metadata(&body).unwrap();
    let output = goleak_fix(dir.path(), &["--dry-run", "--pr-body", "pr.md"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let after = fs::metadata(&body).unwrap();
    assert_ne!(
        before.ino(),
        after.ino(),
        "written in place, not atomically"
    );
    assert_eq!(after.permissions().mode() & 0o7777, 0o640);
    assert!(
        fs::read_to_string(&body)
            .unwrap()
            .starts_with("This change fixes 1 goroutine leak")
    );
    let mut names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["a.go", "pr.md"]);
}

#[test]
fn a_full_stderr_neither_panics_nor_changes_what_the_run_does() {
    let dir = tree(&[(b"a.go", LEAKY)]);
    let full = || Stdio::from(fs::File::create("/dev/full").unwrap());
    let output = command(dir.path(), &["./..."])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(
        fs::read_to_string(dir.path().join("a.go")).unwrap(),
        fixed(LEAKY)
    );

    fs::write(dir.path().join("a.go"), LEAKY).unwrap();
    let output = command(dir.path(), &["--check", "./..."])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stdout(&output).starts_with("a.go:6:7: timeout-leak: "));
}

#[test]
fn a_closed_stderr_neither_panics_nor_changes_what_the_run_does() {
    let dir = tree(&[(b"a.go", LEAKY)]);
    let output = Command::new("sh")
        .args(["-c", "exec 2>&-; exec \"$0\" --check ./..."])
        .arg(env!("CARGO_BIN_EXE_goleak-fix"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stdout(&output).starts_with("a.go:6:7: timeout-leak: "));
}

/// A pipe whose reader is already gone: every write to it fails with EPIPE, as in
/// `goleak-fix ... 2>&1 | head -1` once `head` has its line, without depending on when.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

#[test]
fn a_closed_stdout_pipe_keeps_the_exit_status_the_run_earned() {
    let dir = tree(&[(b"a.go", LEAKY)]);
    let output = command(dir.path(), &["--check", "./..."])
        .stdout(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn stdout_and_stderr_to_a_closed_pipe_keep_the_status_and_still_write_the_pr_body() {
    let dir = tree(&[(b"a.go", LEAKY)]);
    let pipe = closed_pipe();
    let status = command(dir.path(), &["--dry-run", "--pr-body", "pr.md"])
        .stdout(pipe.try_clone().unwrap())
        .stderr(pipe)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(
        fs::read_to_string(dir.path().join("pr.md"))
            .unwrap()
            .contains("### `a.go`, `fetch`, line 6\n")
    );
    assert_eq!(fs::read_to_string(dir.path().join("a.go")).unwrap(), LEAKY);
}

#[test]
fn a_full_stdout_is_an_error_of_the_run_but_the_fixes_are_written() {
    let dir = tree(&[(b"a.go", LEAKY)]);
    let output = command(dir.path(), &["--format", "json", "./..."])
        .stdout(fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot write the standard output"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("a.go")).unwrap(),
        fixed(LEAKY)
    );
}

#[test]
fn dry_run_fills_the_repository_pr_template_but_never_reads_one_through_a_link() {
    let dir = tree(&[(b"a.go", LEAKY)]);
    fs::create_dir(dir.path().join(".git")).unwrap();
    fs::create_dir(dir.path().join(".github")).unwrap();
    fs::write(
        dir.path().join(".github/pull_request_template.md"),
        "Intro.\n\n<!-- goleak-fix -->\n\nOutro.\n",
    )
    .unwrap();
    let output = goleak_fix(dir.path(), &["--dry-run", "--pr-body", "pr.md"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let body = fs::read_to_string(dir.path().join("pr.md")).unwrap();
    assert!(
        body.starts_with("Intro.\n\nThis change fixes 1 goroutine leak"),
        "{body}"
    );
    assert!(body.ends_with("\n\nOutro.\n"), "{body}");

    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret"), "SECRET\n").unwrap();
    let template = dir.path().join(".github/pull_request_template.md");
    fs::remove_file(&template).unwrap();
    symlink(outside.path().join("secret"), &template).unwrap();
    let output = goleak_fix(dir.path(), &["--dry-run", "--pr-body", "pr.md"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(".github/pull_request_template.md: not a regular file (a symbolic link or a special file); not read"),
        "{}",
        stderr(&output)
    );
    assert!(
        !fs::read_to_string(dir.path().join("pr.md"))
            .unwrap()
            .contains("SECRET")
    );

    // A template named on the command line that is not there: a clear error, before anything.
    let output = goleak_fix(
        dir.path(),
        &[
            "--dry-run",
            "--pr-template",
            "missing.md",
            "--pr-body",
            "pr.md",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "goleak-fix: --pr-template missing.md: No such file or directory\n"
    );
}
