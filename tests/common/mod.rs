//! Shared by the integration tests: the example programs under `codemods/<id>/examples/`, the
//! library run on one file, and the Go toolchain run that counts goroutines.

#![allow(dead_code)]

pub mod go_build;

use goleak_fix::codemods::{Finding, REGISTRY};
use goleak_fix::engine::{Settings, process_package};
use goleak_fix::source::SourceFile;
use goleak_fix::syntax::go_parser;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A program with one leak that has a safe fix: `c` needs a buffer of 1.
pub const LEAKY: &str = "package main

import \"time\"

func fetch() string {
\tc := make(chan string)
\tgo func() {
\t\tc <- \"x\"
\t}()
\tselect {
\tcase v := <-c:
\t\treturn v
\tcase <-time.After(time.Millisecond):
\t\treturn \"\"
\t}
}
";

/// A program with a channel and a goroutine, and no leak.
pub const CLEAN: &str = "package main

func sum() int {
\tc := make(chan int)
\tgo func() { c <- 1 }()
\treturn <-c
}
";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `codemods/<id>/examples/<kind>/*.go`, sorted.
pub fn examples(codemod: &str, kind: &str) -> Vec<PathBuf> {
    let dir = repo_root()
        .join("codemods")
        .join(codemod)
        .join("examples")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "go"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no examples in {}", dir.display());
    files
}

pub fn codemod_ids() -> Vec<&'static str> {
    REGISTRY.iter().map(|c| c.id()).collect()
}

pub struct Outcome {
    pub findings: Vec<Finding>,
    pub fixed: Option<String>,
}

/// Runs every codemod over `text` as a one-file package.
pub fn run_on_text(name: &str, text: &str, unsafe_fixes: bool) -> Outcome {
    run_at(PathBuf::from(name), name, text, unsafe_fixes)
}

/// Runs every codemod over `text` as the one-file package at `path` (whose directory decides
/// the module, and so the Go version, the fixes are written for).
fn run_at(path: PathBuf, name: &str, text: &str, unsafe_fixes: bool) -> Outcome {
    let settings = Settings::new(REGISTRY.to_vec(), unsafe_fixes);
    let source = SourceFile::new(path, name.to_string(), text.to_string());
    let mut outcomes = process_package(&mut go_parser(), vec![source], &settings);
    let outcome = outcomes.pop().expect("one file in, one outcome out");
    Outcome {
        findings: outcome.findings,
        fixed: outcome.fixed,
    }
}

pub fn run_on_file(path: &Path, unsafe_fixes: bool) -> Outcome {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    run_at(
        path.to_path_buf(),
        &path.file_name().unwrap().to_string_lossy(),
        &text,
        unsafe_fixes,
    )
}

/// The other files of the multi-file example at `path` (`dir/name.go`): the `.go` files of
/// `dir/name/`, as (file name, text), sorted by name; none for a one-file example. They are
/// part of the same `package main` (a producer function declared in another file).
pub fn companions(path: &Path) -> Vec<(String, String)> {
    let dir = path.with_extension("");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, String)> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|file| file.extension().is_some_and(|e| e == "go"))
        .map(|file| {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            (name, text)
        })
        .collect();
    files.sort();
    files
}

/// Every codemod over the example at `path` and its companions as one package: per file
/// (the example first, then its companions), its name and outcome.
pub fn run_on_example(path: &Path, unsafe_fixes: bool) -> Vec<(String, Outcome)> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let dir = path.with_extension("");
    let files: Vec<(PathBuf, String, String)> = std::iter::once((path.to_path_buf(), name, text))
        .chain(
            companions(path)
                .into_iter()
                .map(|(name, text)| (dir.join(&name), name, text)),
        )
        .collect();
    run_on_package(files, unsafe_fixes)
}

/// Every codemod over `files` (path, name, text) as one package, outcomes in their order.
pub fn run_on_package(
    files: Vec<(PathBuf, String, String)>,
    unsafe_fixes: bool,
) -> Vec<(String, Outcome)> {
    let settings = Settings::new(REGISTRY.to_vec(), unsafe_fixes);
    let sources = files
        .into_iter()
        .map(|(path, name, text)| SourceFile::new(path, name, text))
        .collect();
    process_package(&mut go_parser(), sources, &settings)
        .into_iter()
        .map(|outcome| {
            (
                outcome.source.display_path.clone(),
                Outcome {
                    findings: outcome.findings,
                    fixed: outcome.fixed,
                },
            )
        })
        .collect()
}

/// An example whose only fix is unsafe says so in a `// goleak-fix-test: unsafe-fix` comment.
pub fn expects_unsafe_fix(text: &str) -> bool {
    text.contains("// goleak-fix-test: unsafe-fix")
}

/// Runs the built binary in `dir`.
pub fn goleak_fix(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_goleak-fix"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run goleak-fix")
}

/// The command's standard output, lossily decoded.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The command's standard error, lossily decoded.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A temporary directory holding `files` (relative path, text).
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Makes `dir` a git repository on branch `main` with everything in it committed.
pub fn commit_all(dir: &Path) {
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["add", "."],
        &["commit", "-q", "-m", "init"],
    ] {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .status()
            .expect("git");
        assert!(status.success(), "git {args:?}");
    }
}

/// Runs the built binary in `dir` with a terminal for its stdout and stderr (util-linux's
/// `script`, which gives the command a pseudo-terminal): what a person at a terminal sees, the
/// two streams together, and the exit status. `env` is added to the environment.
pub fn goleak_fix_on_terminal(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_goleak-fix"))
        .chain(args.iter().copied())
        .map(|arg| format!("'{}'", arg.replace('\'', r"'\''")))
        .collect();
    let mut command = Command::new("script");
    command
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .current_dir(dir)
        .stdin(std::process::Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command
        .output()
        .expect("`script` (util-linux) is needed to run goleak-fix on a terminal");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n"),
    )
}
