//! The Go version a fix is written for comes from the module's `go.mod`, read within the
//! repository only: `make(chan T, max(n, 0))` is offered as safe where `max` exists (Go 1.21)
//! and nowhere else.

use crate::common;

use common::goleak_fix;
use std::path::Path;

const SIGNED_COUNT: &str = "package main\n\nfunc first(n int) int {\n\tc := make(chan int)\n\tfor i := 0; i < n; i++ {\n\t\tgo func() { c <- i }()\n\t}\n\treturn <-c\n}\n\nfunc main() { first(3) }\n";

/// A repository (a `.git` directory) at `root/repo` holding `a.go`.
fn repository(root: &Path) -> std::path::PathBuf {
    let repo = root.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join("a.go"), SIGNED_COUNT).unwrap();
    repo
}

fn dry_run(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["--dry-run"];
    args.extend_from_slice(extra);
    args.push(".");
    let output = goleak_fix(dir, &args);
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn a_module_with_the_max_builtin_gets_a_safe_max_size() {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    std::fs::write(repo.join("go.mod"), "module m\n\ngo 1.21.4\n").unwrap();
    let diff = dry_run(&repo, &[]);
    assert!(diff.contains("+\tc := make(chan int, max(n, 0))"), "{diff}");
}

#[test]
fn an_older_module_gets_only_the_unsafe_size() {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    std::fs::write(repo.join("go.mod"), "module m\n\ngo 1.20\n").unwrap();
    assert_eq!(dry_run(&repo, &[]), "");
    let diff = dry_run(&repo, &["--unsafe-fixes"]);
    assert!(diff.contains("+\tc := make(chan int, n)"), "{diff}");
}

#[test]
fn a_go_mod_that_is_a_link_or_outside_the_repository_is_not_read() {
    let root = tempfile::tempdir().unwrap();
    let repo = repository(root.path());
    // Above the repository's top: not this repository's module file.
    std::fs::write(root.path().join("go.mod"), "module outer\n\ngo 1.22\n").unwrap();
    assert_eq!(dry_run(&repo, &[]), "");
    // A link to a file outside the tree: not followed.
    std::fs::write(root.path().join("elsewhere.mod"), "module m\n\ngo 1.22\n").unwrap();
    std::os::unix::fs::symlink(root.path().join("elsewhere.mod"), repo.join("go.mod")).unwrap();
    assert_eq!(dry_run(&repo, &[]), "");
}

#[test]
fn a_package_below_the_module_root_finds_its_go_mod() {
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("repo");
    let package = repo.join("internal").join("race");
    std::fs::create_dir_all(&package).unwrap();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(package.join("a.go"), SIGNED_COUNT).unwrap();
    std::fs::write(repo.join("go.mod"), "module m\n\ngo 1.26\n").unwrap();
    let diff = dry_run(&repo, &[]);
    assert!(diff.contains("max(n, 0)"), "{diff}");
}
