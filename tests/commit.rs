//! `--commit` as a bot uses it, checked with `git` itself: the branch holds exactly the fixes,
//! made from the files at `HEAD`, and the working tree, the index and the current branch are
//! left as they were. Also `--pr-body`, and the errors that stop a commit before anything is
//! written.

use crate::common;

use common::{CLEAN, LEAKY, stderr};
use goleak_fix::codemods::REGISTRY;
use goleak_fix::engine::Settings;
use goleak_fix::pipeline;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// Git with no user or system configuration, so the tests see only what they set.
fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    command
}

/// Runs git and returns its stdout; fails the test if git fails.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir).args(args).output().expect("run git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// goleak-fix in `dir`, with a home directory holding no git configuration and the search for
/// a repository stopped above the test's temporary directory.
fn goleak_fix(dir: &Path, home: &Path, args: &[&str]) -> Output {
    goleak_fix_command(dir, home, args)
        .output()
        .expect("run goleak-fix")
}

fn goleak_fix_command(dir: &Path, home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_goleak-fix"));
    command.args(args);
    in_repository(command, dir, home)
}

/// `command` run in `dir`, with git's configuration from `home` only.
fn in_repository(mut command: Command, dir: &Path, home: &Path) -> Command {
    command
        .current_dir(dir)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CEILING_DIRECTORIES", home)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    command
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A temporary directory (the test's "home", above the repository) and in it a repository
/// `repo` on branch `main` with `files` in one commit, by a configured user.
/// The run is refused (exit 2) with `reason` on stderr, and no branch is made.
fn assert_refused(repo: &Repo, args: &[&str], reason: &str) {
    let output = repo.run(args);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains(reason), "{}", stderr(&output));
    assert_eq!(repo.branches(), "main\n");
}

struct Repo {
    home: tempfile::TempDir,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        let repo = Repo::init();
        repo.git(&["config", "user.name", "Rev Iewer"]);
        repo.git(&["config", "user.email", "reviewer@example.com"]);
        for (path, text) in files {
            write(&repo.path(), path, text);
        }
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "initial"]);
        repo
    }

    /// A repository with no commit and no user.
    fn init() -> Repo {
        let home = tempfile::tempdir().unwrap();
        fs::create_dir(home.path().join("repo")).unwrap();
        let repo = Repo { home };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    fn path(&self) -> std::path::PathBuf {
        self.home.path().join("repo")
    }

    fn run(&self, args: &[&str]) -> Output {
        goleak_fix(&self.path(), self.home.path(), args)
    }

    fn git(&self, args: &[&str]) -> String {
        git(&self.path(), args)
    }

    /// Everything `--commit` must leave alone: HEAD, the current branch, the index, the
    /// working tree (as git sees it and byte for byte), and every reference but the
    /// `goleak-fix/<hash>` branches it makes.
    fn state(&self) -> Vec<String> {
        let mut state = vec![
            self.git(&["rev-parse", "HEAD"]),
            self.git(&["symbolic-ref", "HEAD"]),
            self.git(&["status", "--porcelain", "--untracked-files=all"]),
            self.git(&["diff"]),
            self.git(&["diff", "--cached"]),
            self.git(&["for-each-ref", "--format=%(refname) %(objectname)"])
                .lines()
                .filter(|line| !line.starts_with("refs/heads/goleak-fix/"))
                .collect::<Vec<_>>()
                .join("\n"),
        ];
        let mut files: Vec<_> = walk(&self.path());
        files.sort();
        for file in files {
            state.push(format!(
                "{}: {}",
                file.display(),
                String::from_utf8_lossy(&fs::read(&file).unwrap())
            ));
        }
        state
    }

    fn branches(&self) -> String {
        self.git(&["branch", "--list", "--format=%(refname:short)"])
    }
}

/// Every file under `dir` but `.git/`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|name| name == ".git") {
            continue;
        }
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn fixed_leaky() -> String {
    LEAKY.replace("make(chan string)", "make(chan string, 1)")
}

#[test]
fn the_branch_holds_exactly_the_fixes_and_nothing_else_moves() {
    let repo = Repo::new(&[
        ("pkg/a.go", LEAKY),
        ("pkg/b.go", CLEAN),
        ("vendor/v/v.go", LEAKY),
        ("testdata/t.go", LEAKY),
        ("_old/o.go", LEAKY),
        (".hidden/h.go", LEAKY),
        (
            "gen/g.go",
            &format!("// Code generated by hand. DO NOT EDIT.\n\n{LEAKY}"),
        ),
    ]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    // Uncommitted work: an edit to the very file that gets fixed, and a staged new file.
    let edited = format!("{LEAKY}\n// work in progress\n");
    write(&repo.path(), "pkg/a.go", &edited);
    write(&repo.path(), "pkg/c.go", LEAKY);
    repo.git(&["add", "pkg/c.go"]);
    write(&repo.path(), "pkg/d.go", LEAKY);
    let before = repo.state();

    let output = repo.run(&["--commit", "--format", "json", "./..."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(repo.state(), before, "--commit touched the repository");

    let report = json(&output);
    let branch = report["commit"][0]["branch"].as_str().unwrap().to_string();
    assert!(
        branch.starts_with("goleak-fix/")
            && branch.len() == "goleak-fix/".len() + 8
            && branch["goleak-fix/".len()..]
                .chars()
                .all(|c| c.is_ascii_hexdigit()),
        "{branch}"
    );
    let sha = report["commit"][0]["sha"].as_str().unwrap();
    assert_eq!(repo.git(&["rev-parse", &branch]).trim(), sha);
    assert_eq!(
        report["commit"][0]["files"],
        serde_json::json!(["pkg/a.go"])
    );
    assert_eq!(repo.git(&["rev-parse", &format!("{branch}^")]), head);
    assert_eq!(
        repo.git(&["diff", "--name-only", &format!("HEAD..{branch}")]),
        "pkg/a.go\n"
    );
    assert_eq!(
        repo.git(&["diff", "--stat", &format!("HEAD..{branch}")]),
        " pkg/a.go | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n"
    );
    // The fix was made to the committed text, without the uncommitted edit.
    assert_eq!(
        repo.git(&["show", &format!("{branch}:pkg/a.go")]),
        fixed_leaky()
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae>%n%s", &branch]),
        "Rev Iewer <reviewer@example.com>\npkg: fix a goroutine leak in a\n"
    );
    let message = repo.git(&["log", "-1", "--format=%b", &branch]);
    assert!(
        message.contains("pkg/a.go: timeout-leak: give `c` a buffer of 1"),
        "{message}"
    );
    let stderr = stderr(&output);
    assert!(stderr.contains(&format!("on branch {branch}")), "{stderr}");
}

#[test]
fn a_second_run_finds_the_branch_and_force_branch_resets_it() {
    let repo = Repo::new(&[("pkg/a.go", LEAKY)]);
    let first = repo.run(&["--commit", "--branch", "fix-leaks", "."]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let first_sha = repo.git(&["rev-parse", "fix-leaks"]);

    let before = repo.state();
    let again = repo.run(&["--commit", "--branch", "fix-leaks", "."]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("branch `fix-leaks` already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(repo.state(), before, "a refused run wrote something");

    // The base moves on: another leaky file is committed on main.
    write(&repo.path(), "pkg/b.go", LEAKY);
    repo.git(&["add", "pkg/b.go"]);
    repo.git(&["commit", "-q", "-m", "more"]);
    let forced = repo.run(&["--commit", "--branch", "fix-leaks", "--force-branch", "."]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_ne!(repo.git(&["rev-parse", "fix-leaks"]), first_sha);
    assert_eq!(
        repo.git(&["rev-parse", "fix-leaks^"]),
        repo.git(&["rev-parse", "HEAD"])
    );
    assert_eq!(
        repo.git(&["diff", "--name-only", "HEAD..fix-leaks"]),
        "pkg/a.go\npkg/b.go\n"
    );
    assert_eq!(repo.git(&["symbolic-ref", "--short", "HEAD"]), "main\n");
}

#[test]
fn the_default_branch_name_is_the_same_for_the_same_change() {
    let repo = Repo::new(&[("pkg/a.go", LEAKY)]);
    let first = repo.run(&["--commit", "--format", "json"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let branch = json(&first)["commit"][0]["branch"]
        .as_str()
        .unwrap()
        .to_string();
    let again = repo.run(&["--commit"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains(&format!("branch `{branch}` already exists")));
    let forced = repo.run(&["--commit", "--force-branch", "--format", "json"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(json(&forced)["commit"][0]["branch"], branch.as_str());
}

#[test]
fn force_branch_never_resets_the_current_branch() {
    let repo = Repo::new(&[("pkg/a.go", LEAKY)]);
    let before = repo.state();
    let output = repo.run(&["--commit", "--branch", "main", "--force-branch"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("branch `main` is the current branch"),
        "{}",
        stderr(&output)
    );
    assert_eq!(repo.state(), before);
}

#[test]
fn an_invalid_branch_name_is_refused() {
    let repo = Repo::new(&[("pkg/a.go", LEAKY)]);
    let output = repo.run(&["--commit", "--branch", "bad..name"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`bad..name` is not a valid branch name"));
    assert_eq!(repo.branches(), "main\n");
}

#[test]
fn nothing_to_fix_makes_no_branch_and_no_body() {
    let repo = Repo::new(&[("pkg/b.go", CLEAN)]);
    let body = repo.home.path().join("pr.md");
    let before = repo.state();
    let output = repo.run(&[
        "--commit",
        "--format",
        "json",
        "--pr-body",
        body.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("nothing to fix; no branch created"),
        "{}",
        stderr(&output)
    );
    assert_eq!(repo.state(), before);
    assert_eq!(json(&output)["commit"], serde_json::json!([]));
    assert!(!body.exists());
}

#[test]
fn the_pr_body_states_the_facts_a_reviewer_needs_and_its_command_reproduces_the_branch() {
    let in_test = LEAKY.replace("fetch", "fetchInTest");
    let repo = Repo::new(&[
        ("storage/remote/a.go", LEAKY),
        ("storage/remote/queue_test.go", &in_test),
        ("storage/remote/b.go", CLEAN),
    ]);
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let body_path = repo.home.path().join("pr.md");
    let output = repo.run(&[
        "--commit",
        "--format",
        "json",
        "--signoff",
        "--repo-url",
        "https://github.com/acme/service",
        "--pr-body",
        body_path.to_str().unwrap(),
        "./...",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json(&output);
    let record = &report["commit"][0];
    let branch = record["branch"].as_str().unwrap();
    let sha = record["sha"].as_str().unwrap();
    assert_eq!(record["title"], "storage/remote: fix goroutine leaks");
    assert_eq!(record["pr_body"], body_path.to_str().unwrap());
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", branch]),
        "storage/remote: fix goroutine leaks\n"
    );
    let message = repo.git(&["log", "-1", "--format=%B", branch]);
    assert!(
        message.ends_with("\nSigned-off-by: Rev Iewer <reviewer@example.com>\n\n"),
        "{message}"
    );

    let body = fs::read_to_string(&body_path).unwrap();
    // No title (it is the commit's subject and the JSON's `title`), no SHA, no branch, no diff.
    assert!(
        body.starts_with("This change fixes 2 goroutine leaks in 2 files."),
        "{body}"
    );
    assert!(!body.contains(sha) && !body.contains(branch), "{body}");
    assert!(
        !body.contains("```diff") && !body.contains("+\tc :="),
        "{body}"
    );
    // Per fix: the file, the function and a permalink into the base commit.
    assert!(
        body.contains(&format!(
            "### `storage/remote/a.go`, `fetch`, line 6 ([permalink](<https://github.com/acme/service/blob/{head}/storage/remote/a.go#L6>))"
        )),
        "{body}"
    );
    assert!(
        body.contains("### `storage/remote/queue_test.go`, `fetchInTest`, line 6"),
        "{body}"
    );
    // Test code and production code are told apart, with the path the leak takes.
    let production = body
        .find("Production code: when the `select` takes its other case")
        .expect(&body);
    let test = body
        .find("Test code (`storage/remote/queue_test.go` is a `_test.go` file, built only by `go test`)")
        .expect(&body);
    assert!(production < test, "{body}");
    // Three facts each.
    assert_eq!(
        body.matches("- **Why it is safe**:\n  - the channel is made in this function and never leaves it, and nothing reads its length or capacity;\n  - each goroutine sends on it at most once, as its last act").count(),
        2,
        "{body}"
    );
    assert!(
        body.contains("`//goleak-fix:ignore timeout-leak`"),
        "{body}"
    );
    assert!(
        body.contains("Not verified by goleak-fix: nothing was built, vetted or run (`--verify` was not given). Tests not run."),
        "{body}"
    );

    // The command in the body reproduces the branch's change exactly.
    let command_start = body.find("```sh\n").unwrap() + "```sh\n".len();
    let command = &body[command_start..command_start + body[command_start..].find('\n').unwrap()];
    assert_eq!(
        command,
        "goleak-fix --dry-run --select timeout-leak -- storage/remote/a.go storage/remote/queue_test.go"
    );
    let words: Vec<&str> = command.split(' ').skip(1).collect();
    let dry_run = repo.run(&words);
    assert_eq!(dry_run.status.code(), Some(1), "{}", stderr(&dry_run));
    let diff = String::from_utf8(dry_run.stdout).unwrap();
    let check = git_command(&repo.path())
        .args(["apply", "--cached", "-"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(diff.as_bytes())?;
            child.wait()
        })
        .unwrap();
    assert!(
        check.success(),
        "the command's diff does not apply:\n{diff}"
    );
    assert_eq!(
        repo.git(&["diff", "--cached", branch, "--stat"]),
        "",
        "the command's change is not the branch's"
    );
    repo.git(&["reset", "-q"]);

    // The opt-out the body names leaves the line alone.
    let ignored = LEAKY.replace(
        "\tc := make(chan string)",
        "\t//goleak-fix:ignore timeout-leak\n\tc := make(chan string)",
    );
    write(&repo.path(), "storage/remote/a.go", &ignored);
    let after = repo.run(&["--check", "storage/remote/a.go"]);
    assert_eq!(after.status.code(), Some(0), "{}", stderr(&after));
}

#[test]
fn a_message_replaces_the_default_and_the_fallback_identity_signs() {
    let repo = Repo::init();
    write(&repo.path(), "a.go", LEAKY);
    repo.git(&["add", "a.go"]);
    repo.git(&[
        "-c",
        "user.name=Someone",
        "-c",
        "user.email=someone@example.com",
        "commit",
        "-q",
        "-m",
        "initial",
    ]);
    let body_path = repo.home.path().join("pr.md");
    let output = repo.run(&[
        "--commit",
        "--branch",
        "leaks",
        "--message",
        "Close the fetch leak\n\nFound by the nightly bot.",
        "--pr-body",
        body_path.to_str().unwrap(),
        "--format",
        "json",
        "a.go",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>|%B", "leaks"]),
        "goleak-fix <goleak-fix@localhost>|goleak-fix <goleak-fix@localhost>|Close the fetch leak\n\nFound by the nightly bot.\n\n"
    );
    // The pull request's title is the message's subject; the body does not repeat it.
    assert_eq!(json(&output)["commit"][0]["title"], "Close the fetch leak");
    let body = fs::read_to_string(&body_path).unwrap();
    assert!(
        body.starts_with("This change fixes 1 goroutine leak"),
        "{body}"
    );
}

#[test]
fn paths_are_read_from_head_relative_to_where_goleak_fix_runs() {
    let repo = Repo::new(&[("svc/a.go", LEAKY), ("lib/b.go", LEAKY)]);
    let output = goleak_fix(
        &repo.path().join("svc"),
        repo.home.path(),
        &[
            "--commit", "--branch", "svc-only", "--format", "json", "./...",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        json(&output)["commit"][0]["files"],
        serde_json::json!(["svc/a.go"])
    );
    assert_eq!(
        repo.git(&["diff", "--name-only", "main..svc-only"]),
        "svc/a.go\n"
    );
    // A file named on the command line, from the top.
    let output = repo.run(&["--commit", "--branch", "lib-only", "lib/b.go"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        repo.git(&["diff", "--name-only", "main..lib-only"]),
        "lib/b.go\n"
    );
}

#[test]
fn an_executable_file_keeps_its_mode() {
    let repo = Repo::new(&[("a.go", LEAKY)]);
    repo.git(&["update-index", "--chmod=+x", "a.go"]);
    repo.git(&["commit", "-q", "-m", "executable"]);
    let output = repo.run(&["--commit", "--branch", "leaks"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        repo.git(&["ls-tree", "leaks", "a.go"])
            .starts_with("100755 blob ")
    );
}

#[test]
fn findings_left_unfixed_exit_1_like_the_default_mode() {
    // `n` may be negative, so sizing the buffer by it is an unsafe fix: reported, not applied.
    let unsafe_only = "package main

func all(n int) {
\tc := make(chan int)
\tfor i := 0; i < n; i++ {
\t\tgo func() { c <- i }()
\t}
\t<-c
}
";
    let repo = Repo::new(&[("a.go", unsafe_only)]);
    let check = repo.run(&["--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let output = repo.run(&["--commit"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("nothing to fix; no branch created"));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("a.go:"));
    assert_eq!(repo.branches(), "main\n");
}

#[test]
fn outside_a_repository_nothing_is_done() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), "a.go", LEAKY);
    let output = goleak_fix(home.path(), home.path(), &["--commit", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not in a git repository"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_to_string(home.path().join("a.go")).unwrap(), LEAKY);
}

#[test]
fn an_unborn_head_is_an_error() {
    let repo = Repo::init();
    write(&repo.path(), "a.go", LEAKY);
    repo.git(&["add", "a.go"]);
    let output = repo.run(&["--commit"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("HEAD is branch `main`, which has no commit yet"),
        "{}",
        stderr(&output)
    );
    assert_eq!(repo.branches(), "");
}

#[test]
fn a_detached_head_is_an_error() {
    let repo = Repo::new(&[("a.go", LEAKY)]);
    repo.git(&["checkout", "-q", "--detach"]);
    let refs = repo.git(&["for-each-ref"]);
    let output = repo.run(&["--commit"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("HEAD is detached"),
        "{}",
        stderr(&output)
    );
    assert_eq!(repo.git(&["for-each-ref"]), refs);
}

#[test]
fn a_path_outside_the_repository_is_an_error() {
    let repo = Repo::new(&[("a.go", LEAKY)]);
    write(repo.home.path(), "elsewhere/b.go", LEAKY);
    assert_refused(
        &repo,
        &["--commit", ".", "../elsewhere"],
        "../elsewhere: outside the repository",
    );
}

#[test]
fn a_path_not_in_head_is_an_error() {
    let repo = Repo::new(&[("a.go", CLEAN)]);
    write(&repo.path(), "new.go", LEAKY);
    assert_refused(
        &repo,
        &["--commit", "new.go"],
        "new.go: not in the HEAD commit",
    );
}

#[test]
fn a_bare_repository_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let bare = home.path().join("bare.git");
    fs::create_dir(&bare).unwrap();
    git(&bare, &["init", "-q", "--bare"]);
    let output = goleak_fix(&bare, home.path(), &["--commit"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("a bare repository"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn commit_flags_need_commit_and_pr_body_needs_a_mode() {
    let repo = Repo::new(&[("a.go", LEAKY)]);
    for args in [
        &["--branch", "x"][..],
        &["--force-branch"],
        &["--message", "m"],
        &["--commit", "--dry-run"],
        &["--commit", "--check"],
        &["--pr-body", "pr.md"],
        &["--check", "--pr-body", "pr.md"],
    ] {
        let output = repo.run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(fs::read_to_string(repo.path().join("a.go")).unwrap(), LEAKY);
    assert!(!repo.path().join("pr.md").exists());
}

#[test]
fn dry_run_writes_a_pr_body_for_what_would_change() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), "pkg/a.go", LEAKY);
    let output = goleak_fix(
        home.path(),
        home.path(),
        &["--dry-run", "--pr-body", "pr.md"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let body = fs::read_to_string(home.path().join("pr.md")).unwrap();
    assert!(
        body.starts_with("This change fixes 1 goroutine leak in 1 file."),
        "{body}"
    );
    assert!(body.contains("### `pkg/a.go`, `fetch`, line 6\n"), "{body}");
    assert_eq!(
        fs::read_to_string(home.path().join("pkg/a.go")).unwrap(),
        LEAKY
    );

    // Nothing would change: no body.
    write(home.path(), "pkg/a.go", CLEAN);
    fs::remove_file(home.path().join("pr.md")).unwrap();
    let output = goleak_fix(
        home.path(),
        home.path(),
        &["--dry-run", "--pr-body", "pr.md"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!home.path().join("pr.md").exists());
}

#[test]
fn the_json_report_has_no_commit_key_without_commit() {
    let home = tempfile::tempdir().unwrap();
    write(home.path(), "a.go", LEAKY);
    let output = goleak_fix(home.path(), home.path(), &["--check", "--format", "json"]);
    let report = json(&output);
    let keys: Vec<&String> = report.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["findings", "summary", "version"]);
}

/// libgit2's temp files (`tmp_object_git2_*`, `streamed_git2_*`) and lock files in `.git`.
fn leftovers(git_dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(git_dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            found.extend(leftovers(&path));
        } else if name.contains("_git2_") || name.ends_with(".lock") {
            found.push(path);
        }
    }
    found
}

/// Set only in the child process of the signal test: the signal its commit raises.
const CHILD_SIGNAL: &str = "GOLEAK_FIX_TEST_CHILD_SIGNAL";

#[test]
fn a_signal_while_an_object_is_written_leaves_no_temp_file_and_no_branch() {
    for (signal, status) in [("TERM", 143), ("INT", 130)] {
        let second = LEAKY.replace("func fetch()", "func fetch2()");
        let repo = Repo::new(&[("pkg/a.go", LEAKY), ("pkg/b.go", &second)]);
        let before = repo.state();
        // This test binary again, running only the child below: it commits the fixes the way
        // `--commit` does and raises the signal halfway through writing the first fixed
        // file's object, while libgit2's temp file for it is open in `.git/objects`. The
        // fault is injected from here, so no test hook is compiled into goleak-fix.
        let mut child = Command::new(std::env::current_exe().unwrap());
        // The test's name in the suite: this module's path without the crate's name.
        let module = module_path!().split_once("::").map_or("", |(_, path)| path);
        child.args([
            "--exact",
            &format!(
                "{module}::the_child_of_the_signal_test_commits_and_raises_its_signal_mid_write"
            ),
            "--nocapture",
        ]);
        let output = in_repository(child, &repo.path(), repo.home.path())
            .env(CHILD_SIGNAL, signal)
            .output()
            .expect("run the child test");
        assert_eq!(output.status.code(), Some(status), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("goleak-fix: interrupted; the repository holds no"),
            "{}",
            stderr(&output)
        );
        let left = leftovers(&repo.path().join(".git"));
        assert!(left.is_empty(), "SIG{signal} left {left:?}");
        assert_eq!(repo.branches(), "main\n", "SIG{signal}");
        assert_eq!(repo.state(), before, "SIG{signal}");
        // What was written is whole: git finds nothing wrong.
        repo.git(&["fsck", "--no-dangling"]);
    }
}

/// The child process of the test above, which runs it with `GOLEAK_FIX_TEST_CHILD_SIGNAL`
/// set; in the suite's own run it has nothing to do. It takes over the signals as `--commit`
/// does, and the signal ends the process before this function returns.
#[test]
fn the_child_of_the_signal_test_commits_and_raises_its_signal_mid_write() {
    use goleak_fix::commit::{BranchRequest, HeadCommit};
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(name) = std::env::var(CHILD_SIGNAL) else {
        return;
    };
    let signal = if name == "INT" { SIGINT } else { SIGTERM };
    goleak_fix::interrupt::install(goleak_fix::interrupt::REPOSITORY_WHOLE).unwrap();
    let repository = HeadCommit::open(&["./...".to_string()]).unwrap();
    let settings = Settings::new(REGISTRY.to_vec(), false);
    let (packages, _) = repository
        .go_packages(None, settings.max_file_size)
        .unwrap();
    let analysis = pipeline::analyse_sources(packages, &settings);
    let request = BranchRequest {
        name: None,
        force: false,
        message: "Fix goroutine leaks".to_string(),
        signoff: false,
    };
    let raised = std::cell::Cell::new(false);
    let raise_once = || {
        if !raised.replace(true) {
            signal_hook::low_level::raise(signal).unwrap();
        }
    };
    let _ = repository.commit_fixes_with(&analysis.outcomes, &request, &raise_once);
    panic!("SIG{name} did not end the process");
}

#[test]
fn a_committed_pr_md_symlink_to_outside_is_refused_before_the_branch_and_never_written_through() {
    let repo = Repo::new(&[("pkg/a.go", LEAKY)]);
    let secret = repo.home.path().join("authorized_keys");
    fs::write(&secret, "ssh-ed25519 AAAA-SECRET-KEY-LINE\n").unwrap();
    std::os::unix::fs::symlink(&secret, repo.path().join("pr.md")).unwrap();
    repo.git(&["add", "pr.md"]);
    repo.git(&["commit", "-q", "-m", "a link"]);
    let before = repo.state();
    let output = repo.run(&["--commit", "--format", "json", "--pr-body", "pr.md"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(
        errors.contains("--pr-body: pr.md: it is a symbolic link"),
        "{errors}"
    );
    assert!(!errors.contains("SECRET"), "{errors}");
    assert_eq!(
        fs::read_to_string(&secret).unwrap(),
        "ssh-ed25519 AAAA-SECRET-KEY-LINE\n"
    );
    assert_eq!(repo.branches(), "main\n");
    assert_eq!(repo.state(), before);
}

#[test]
fn a_pr_body_path_that_is_a_directory_fails_before_the_branch_is_made() {
    let repo = Repo::new(&[("pkg/a.go", LEAKY)]);
    let body = repo.home.path().join("pr.md");
    fs::create_dir(&body).unwrap();
    let before = repo.state();
    let output = repo.run(&["--commit", "--pr-body", body.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("pr.md: it is a directory"),
        "{}",
        stderr(&output)
    );
    assert_eq!(repo.branches(), "main\n", "no branch without its body");
    assert_eq!(repo.state(), before);
}

#[test]
fn a_pr_body_that_fails_after_the_branch_is_made_still_gets_the_json_report_printed() {
    let repo = Repo::new(&[("pkg/a.go", LEAKY)]);
    // Passes the early check (nothing there, in a directory), but no file can be created in
    // /proc/self, not even by root: the write fails after the branch is made.
    let output = repo.run(&[
        "--commit",
        "--format",
        "json",
        "--pr-body",
        "/proc/self/goleak-fix-pr.md",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report = json(&output);
    let branch = report["commit"][0]["branch"].as_str().unwrap();
    assert_eq!(repo.branches(), format!("{branch}\nmain\n"));
    assert!(
        stderr(&output)
            .contains("/proc/self/goleak-fix-pr.md: the pull-request body was not written"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_file_name_cannot_add_lines_to_the_commit_message_or_the_pr_body() {
    let name = "evil\nSigned-off-by: Mallory <m@evil.example>\n# Heading\nz.go";
    let repo = Repo::new(&[(name, LEAKY)]);
    let output = repo.run(&["--commit", "--format", "json", "--pr-body", "pr.md"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let branch = json(&output)["commit"][0]["branch"]
        .as_str()
        .unwrap()
        .to_string();
    let message = repo.git(&["log", "-1", "--format=%B", &branch]);
    assert!(
        message.contains(
            "evil\\nSigned-off-by: Mallory <m@evil.example>\\n# Heading\\nz.go: timeout-leak: "
        ),
        "{message}"
    );
    assert!(
        message
            .lines()
            .all(|line| !line.starts_with("Signed-off-by") && !line.starts_with('#')),
        "{message}"
    );
    let trailers = git_command(&repo.path())
        .args(["interpret-trailers", "--parse"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(message.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&trailers.stdout), "");

    let body = fs::read_to_string(repo.path().join("pr.md")).unwrap();
    assert!(
        body.lines()
            .all(|line| !line.starts_with("Signed-off-by") && !line.starts_with("# Heading")),
        "{body}"
    );
    // The body's command, run by bash as written, makes the branch's change to that file.
    let command_start = body.find("```sh\n").unwrap() + "```sh\n".len();
    let command = &body[command_start..command_start + body[command_start..].find('\n').unwrap()];
    assert!(command.contains("$'evil\\x0aSigned-off-by"), "{command}");
    let bin = Path::new(env!("CARGO_BIN_EXE_goleak-fix"))
        .parent()
        .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let output = in_repository(Command::new("bash"), &repo.path(), repo.home.path())
        .args(["-c", command])
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(diff.contains("+\tc := make(chan string, 1)\n"), "{diff}");
    assert!(
        diff.starts_with(
            "--- \"a/evil\\nSigned-off-by: Mallory <m@evil.example>\\n# Heading\\nz.go\"\n"
        ),
        "{diff}"
    );
}

/// Deletes the loose object `id` from the repository, as a partial clone lacks it.
fn delete_object(repo: &Repo, id: &str) {
    let path = repo
        .path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..]);
    fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[test]
fn a_missing_blob_or_tree_skips_that_file_and_the_run_goes_on() {
    let other = LEAKY.replace("func fetch()", "func other()");
    let third = LEAKY.replace("func fetch()", "func third()");
    let repo = Repo::new(&[("a.go", LEAKY), ("b.go", &other), ("sub/c.go", &third)]);
    let blob = repo.git(&["rev-parse", "HEAD:b.go"]).trim().to_string();
    let tree = repo.git(&["rev-parse", "HEAD:sub"]).trim().to_string();
    delete_object(&repo, &blob);
    delete_object(&repo, &tree);
    let output = repo.run(&["--commit", "--branch", "leaks"]);
    let errors = stderr(&output);
    // Like a file that cannot be read: named, skipped, and the exit status says so.
    assert_eq!(output.status.code(), Some(2), "{errors}");
    assert!(
        errors.contains(&format!(
            "goleak-fix: b.go: partial clone? object {blob} missing; skipped"
        )),
        "{errors}"
    );
    assert!(
        errors.contains(&format!(
            "goleak-fix: sub/: partial clone? object {tree} missing; skipped"
        )),
        "{errors}"
    );
    assert!(
        errors.contains("committed the fixes to 1 file(s)"),
        "{errors}"
    );
    assert_eq!(repo.git(&["show", "leaks:a.go"]), fixed_leaky());
    assert_eq!(
        repo.git(&["diff", "--name-only", "main", "leaks"]),
        "a.go\n"
    );
}

#[test]
fn force_branch_never_resets_a_branch_a_linked_worktree_is_on() {
    let repo = Repo::new(&[("pkg/a.go", LEAKY)]);
    repo.git(&["branch", "fixes"]);
    let linked = repo.home.path().join("linked");
    repo.git(&["worktree", "add", "-q", linked.to_str().unwrap(), "fixes"]);
    let before = git(&linked, &["rev-parse", "HEAD"]);
    let output = repo.run(&["--commit", "--branch", "fixes", "--force-branch"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("branch `fixes` is checked out in the worktree"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        git(&linked, &["rev-parse", "HEAD"]),
        before,
        "the worktree's branch moved"
    );
    // A branch no worktree is on is still reset by --force-branch.
    repo.git(&["worktree", "remove", linked.to_str().unwrap()]);
    let output = repo.run(&["--commit", "--branch", "fixes", "--force-branch"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// The report's one branch record.
fn the_record(output: &Output) -> serde_json::Value {
    let report = json(output);
    let records = report["commit"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{report:#}");
    records[0].clone()
}

#[test]
fn two_nightly_runs_around_an_unrelated_upstream_commit_keep_the_branch_and_make_no_new_commit() {
    let repo = Repo::new(&[("pkg/a.go", LEAKY), ("pkg/b.go", CLEAN)]);
    let nightly = ["--commit", "--force-branch", "--format", "json", "./..."];
    let first = repo.run(&nightly);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let first = the_record(&first);
    assert_eq!(first["status"], "created");
    let branch = first["branch"].as_str().unwrap().to_string();

    // Upstream moves on: lines added above the leak (so every fixed line moves) and another
    // file changed. The leak and its fix are the same.
    write(
        &repo.path(),
        "pkg/a.go",
        &LEAKY.replace(
            "package main\n",
            "// Package main fetches.\n//\n// It is small.\npackage main\n",
        ),
    );
    write(&repo.path(), "pkg/b.go", &format!("{CLEAN}\n// touched\n"));
    repo.git(&["commit", "-qam", "unrelated upstream change"]);
    let second = repo.run(&nightly);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let second = the_record(&second);
    assert_eq!(
        second["branch"],
        branch.as_str(),
        "the same leaks, the same branch"
    );
    assert_eq!(second["status"], "updated");
    assert_ne!(second["sha"], first["sha"]);
    assert_eq!(
        repo.git(&["rev-parse", &format!("{branch}^")]),
        repo.git(&["rev-parse", "HEAD"]),
        "moved onto the new base"
    );
    assert_eq!(
        repo.git(&["diff", "--name-only", &format!("HEAD..{branch}")]),
        "pkg/a.go\n"
    );

    // Nothing changed since: no new commit, the branch does not move, and the run says so.
    let reflog = repo.git(&["reflog", "show", "--format=%H", &branch]);
    let third = repo.run(&nightly);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    assert!(
        stderr(&third).contains(&format!(
            "branch {branch} already holds these fixes on this base ({}); no commit made, branch not moved",
            second["sha"].as_str().unwrap()
        )),
        "{}",
        stderr(&third)
    );
    let third = the_record(&third);
    assert_eq!(third["branch"], branch.as_str());
    assert_eq!(third["sha"], second["sha"]);
    assert_eq!(third["status"], "unchanged");
    assert_eq!(
        repo.git(&["reflog", "show", "--format=%H", &branch]),
        reflog
    );
    assert_eq!(
        repo.git(&["rev-parse", &branch]).trim(),
        second["sha"].as_str().unwrap()
    );
}

#[test]
fn the_default_branch_name_changes_with_what_is_fixed_not_where() {
    let repo = Repo::new(&[("pkg/a.go", LEAKY)]);
    let name = |repo: &Repo| {
        let output = repo.run(&["--dry-run", "--format", "json"]);
        assert_eq!(output.status.code(), Some(1));
        let output = repo.run(&["--commit", "--force-branch", "--format", "json"]);
        the_record(&output)["branch"].as_str().unwrap().to_string()
    };
    let before = name(&repo);
    // The same leak in another function is another fix: another branch.
    write(
        &repo.path(),
        "pkg/a.go",
        &LEAKY.replace("fetch", "fetchOther"),
    );
    repo.git(&["commit", "-qam", "renamed"]);
    assert_ne!(name(&repo), before);
}

/// Three teams own three directories; a fourth file has no owner but the catch-all.
fn owned_repo(codeowners: &str) -> Repo {
    Repo::new(&[
        ("storage/remote/a.go", LEAKY),
        ("web/b.go", &LEAKY.replace("fetch", "fetchB")),
        ("web/handlers/c.go", &LEAKY.replace("fetch", "fetchC")),
        ("tools/d.go", &LEAKY.replace("fetch", "fetchD")),
        ("tools/clean.go", CLEAN),
        (".github/CODEOWNERS", codeowners),
    ])
}

const CODEOWNERS: &str = "# Owners\n*            @org/core\n/storage/    @org/storage\n/web/        @org/web\ntools/       @alice\n";

#[test]
fn codeowners_with_three_owners_gives_three_branches_whose_union_is_the_single_branch() {
    let repo = owned_repo(CODEOWNERS);
    let single = repo.run(&["--commit", "--branch", "all", "--format", "json"]);
    assert_eq!(single.status.code(), Some(0), "{}", stderr(&single));
    let single = the_record(&single);

    let bodies = repo.home.path().join("bodies");
    fs::create_dir(&bodies).unwrap();
    let before = repo.state();
    let split = repo.run(&[
        "--commit",
        "--split-by",
        "codeowners",
        "--format",
        "json",
        "--pr-body",
        bodies.to_str().unwrap(),
    ]);
    assert_eq!(split.status.code(), Some(0), "{}", stderr(&split));
    assert_eq!(repo.state(), before, "--commit touched the repository");
    let report = json(&split);
    let records = report["commit"].as_array().unwrap();
    let shards: Vec<(serde_json::Value, serde_json::Value)> = records
        .iter()
        .map(|r| (r["owners"].clone(), r["files"].clone()))
        .collect();
    assert_eq!(
        shards,
        [
            (
                serde_json::json!(["@alice"]),
                serde_json::json!(["tools/d.go"])
            ),
            (
                serde_json::json!(["@org/storage"]),
                serde_json::json!(["storage/remote/a.go"])
            ),
            (
                serde_json::json!(["@org/web"]),
                serde_json::json!(["web/b.go", "web/handlers/c.go"])
            ),
        ],
        "{report:#}"
    );
    // Each branch starts from HEAD; applied together they make the single branch's tree.
    let head = repo.git(&["rev-parse", "HEAD"]);
    let mut all_files = Vec::new();
    for record in records {
        let branch = record["branch"].as_str().unwrap();
        assert!(branch.starts_with("goleak-fix/"), "{branch}");
        assert_eq!(repo.git(&["rev-parse", &format!("{branch}^")]), head);
        let patch = repo.git(&["diff", "--binary", "HEAD", branch]);
        let applied = git_command(&repo.path())
            .args(["apply", "--cached", "-"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(patch.as_bytes())?;
                child.wait()
            })
            .unwrap();
        assert!(applied.success(), "{patch}");
        all_files.extend(
            record["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_string()),
        );
        // One body per branch, named in the record, about that shard's files only.
        let body = fs::read_to_string(record["pr_body"].as_str().unwrap()).unwrap();
        for file in ["tools/d.go", "storage/remote/a.go", "web/b.go"] {
            let in_shard = record["files"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == file);
            assert_eq!(body.contains(&format!("### `{file}`")), in_shard, "{body}");
        }
        let title = record["title"].as_str().unwrap();
        assert_eq!(
            repo.git(&["log", "-1", "--format=%s", branch]).trim(),
            title
        );
    }
    all_files.sort();
    assert_eq!(serde_json::json!(all_files), single["files"]);
    assert_eq!(
        repo.git(&["write-tree"]),
        repo.git(&["rev-parse", "all^{tree}"]),
        "the shards' union is not the single branch"
    );
    repo.git(&["reset", "-q"]);
    assert_eq!(fs::read_dir(&bodies).unwrap().count(), 3);
    assert_eq!(
        records[2]["title"], "web: fix goroutine leaks",
        "{report:#}"
    );

    // The same split again, forced: the same branches, nothing moves.
    let again = repo.run(&[
        "--commit",
        "--split-by",
        "codeowners",
        "--force-branch",
        "--format",
        "json",
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let again = json(&again);
    for (first, second) in records.iter().zip(again["commit"].as_array().unwrap()) {
        assert_eq!(first["branch"], second["branch"]);
        assert_eq!(first["sha"], second["sha"]);
        assert_eq!(second["status"], "unchanged");
    }
}

#[test]
fn split_by_directory_and_max_files_cut_deterministically_under_a_given_name() {
    let repo = owned_repo(CODEOWNERS);
    let run = |repo: &Repo, prefix: &str| {
        let output = repo.run(&[
            "--commit",
            "--split-by",
            "dir:1",
            "--max-files",
            "1",
            "--branch",
            prefix,
            "--format",
            "json",
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let report = json(&output);
        report["commit"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["branch"].as_str().unwrap().to_string(),
                    r["files"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let shards = run(&repo, "leaks");
    assert_eq!(
        shards,
        [
            (
                "leaks/storage".to_string(),
                serde_json::json!(["storage/remote/a.go"])
            ),
            ("leaks/tools".to_string(), serde_json::json!(["tools/d.go"])),
            (
                "leaks/web-part-1".to_string(),
                serde_json::json!(["web/b.go"])
            ),
            (
                "leaks/web-part-2".to_string(),
                serde_json::json!(["web/handlers/c.go"])
            ),
        ]
    );
    let again = run(&repo, "again");
    let files = |shards: &[(String, serde_json::Value)]| {
        shards.iter().map(|(_, f)| f.clone()).collect::<Vec<_>>()
    };
    assert_eq!(files(&again), files(&shards));
}

#[test]
fn a_codeowners_link_or_a_missing_one_stops_the_split_before_any_branch() {
    let repo = owned_repo(CODEOWNERS);
    fs::remove_file(repo.path().join(".github/CODEOWNERS")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", repo.path().join(".github/CODEOWNERS")).unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "a link"]);
    assert_refused(
        &repo,
        &["--commit", "--split-by", "codeowners"],
        ".github/CODEOWNERS: not a regular file in HEAD",
    );

    repo.git(&["rm", "-q", ".github/CODEOWNERS"]);
    repo.git(&["commit", "-qm", "no owners"]);
    assert_refused(
        &repo,
        &["--commit", "--split-by", "codeowners"],
        "no CODEOWNERS file in HEAD",
    );
}

#[test]
fn an_owner_or_directory_cannot_make_a_bad_branch_name_or_body_file() {
    let repo = owned_repo("/web/ @evil/../../x\\ y;rm\n");
    let bodies = repo.home.path().join("bodies");
    fs::create_dir(&bodies).unwrap();
    let output = repo.run(&[
        "--commit",
        "--split-by",
        "codeowners",
        "--branch",
        "bot",
        "--format",
        "json",
        "--pr-body",
        bodies.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json(&output);
    let branches: Vec<&str> = report["commit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["branch"].as_str().unwrap())
        .collect();
    assert_eq!(branches, ["bot/unowned", "bot/evil-x-y-rm"], "{report:#}");
    // The owner is kept as written in the report (JSON escapes it) and in a code span.
    assert_eq!(
        report["commit"][1]["owners"],
        serde_json::json!(["@evil/../../x y;rm"])
    );
    let body = fs::read_to_string(report["commit"][1]["pr_body"].as_str().unwrap()).unwrap();
    assert!(
        body.contains("split by CODEOWNERS: these files are owned by `@evil/../../x y;rm`."),
        "{body}"
    );
    for entry in fs::read_dir(&bodies).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(name.starts_with("bot-") && name.ends_with(".md"), "{name}");
    }
}

#[test]
fn the_repository_pr_template_is_filled_at_its_placeholder_and_a_linked_one_is_refused() {
    let template = "## Summary\n\n<!-- goleak-fix -->\n\n```release-note\nNONE\n```\n";
    let repo = Repo::new(&[
        ("pkg/a.go", LEAKY),
        (".github/pull_request_template.md", template),
    ]);
    let body_path = repo.home.path().join("pr.md");
    let output = repo.run(&[
        "--commit",
        "--title",
        "pkg: close the fetch leak",
        "--format",
        "json",
        "--pr-body",
        body_path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let record = the_record(&output);
    assert_eq!(record["title"], "pkg: close the fetch leak");
    let branch = record["branch"].as_str().unwrap();
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", branch]),
        "pkg: close the fetch leak\n"
    );
    let body = fs::read_to_string(&body_path).unwrap();
    assert!(
        body.starts_with("## Summary\n\nThis change fixes 1 goroutine leak in 1 file."),
        "{body}"
    );
    assert!(
        body.ends_with("</sub>\n\n```release-note\nNONE\n```\n"),
        "{body}"
    );

    // --pr-template replaces it.
    let mine = repo.home.path().join("mine.md");
    fs::write(&mine, "Bot change.\n\n<!-- goleak-fix -->\n").unwrap();
    let output = repo.run(&[
        "--commit",
        "--force-branch",
        "--pr-template",
        mine.to_str().unwrap(),
        "--pr-body",
        body_path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let body = fs::read_to_string(&body_path).unwrap();
    assert!(
        body.starts_with("Bot change.\n\nThis change fixes"),
        "{body}"
    );

    // A template committed as a link to a file outside is refused before any branch.
    fs::remove_file(repo.path().join(".github/pull_request_template.md")).unwrap();
    let secret = repo.home.path().join("secret.md");
    fs::write(&secret, "SECRET\n").unwrap();
    std::os::unix::fs::symlink(
        &secret,
        repo.path().join(".github/pull_request_template.md"),
    )
    .unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "a linked template"]);
    let branches = repo.branches();
    let output = repo.run(&[
        "--commit",
        "--branch",
        "other",
        "--pr-body",
        body_path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(".github/pull_request_template.md: not a regular file in HEAD"),
        "{}",
        stderr(&output)
    );
    assert_eq!(repo.branches(), branches);
    assert!(!fs::read_to_string(&body_path).unwrap().contains("SECRET"));
}

#[test]
fn a_codeowners_over_the_size_cap_or_not_utf8_is_refused_naming_it() {
    let repo = owned_repo(CODEOWNERS);
    let huge = format!("{CODEOWNERS}{}", "# padding\n".repeat(330_000));
    write(&repo.path(), ".github/CODEOWNERS", &huge);
    repo.git(&["commit", "-qam", "huge owners"]);
    let output = repo.run(&["--commit", "--split-by", "codeowners"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(".github/CODEOWNERS: 3300"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("over the limit of 3145728; not read"));
    assert_eq!(repo.branches(), "main\n");

    fs::write(repo.path().join(".github/CODEOWNERS"), b"* @a\xff\n").unwrap();
    repo.git(&["commit", "-qam", "binary owners"]);
    assert_refused(
        &repo,
        &["--commit", "--split-by", "codeowners"],
        ".github/CODEOWNERS: not UTF-8; not read",
    );
}

#[test]
fn owners_whose_names_make_the_same_branch_piece_still_get_two_branches() {
    let repo = owned_repo("/web/ @a/b\n/tools/ @a-b\n/storage/ @a-b @c\n");
    let output = repo.run(&[
        "--commit",
        "--split-by",
        "codeowners",
        "--branch",
        "bot",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json(&output);
    let shards: Vec<(&str, &serde_json::Value)> = report["commit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["branch"].as_str().unwrap(), &r["files"]))
        .collect();
    assert_eq!(
        shards,
        [
            ("bot/a-b", &serde_json::json!(["tools/d.go"])),
            ("bot/a-b-c", &serde_json::json!(["storage/remote/a.go"])),
            (
                "bot/a-b-2",
                &serde_json::json!(["web/b.go", "web/handlers/c.go"])
            ),
        ],
        "{report:#}"
    );
}
