//! `--verify`: each fix proven with the Go toolchain (`go vet`, `go test`, through `-overlay`)
//! before it is written. These tests run Go and fail, not skip, when it is missing: a proof
//! that is skipped proves nothing.

use crate::common;

use common::{stderr, stdout, tree};

use goleak_fix::codemods::REGISTRY;
use goleak_fix::engine::Settings;
use goleak_fix::pipeline::{self, Progress};
use goleak_fix::verify::{self, Level, Status, Toolchain};
use goleak_fix::walk;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const GO_MOD: &str = "module example.com/t\n\ngo 1.22\n";

/// A timeout leak in `fetch<name>`: the goroutine's send blocks forever once the select has
/// taken the timer. `make(chan string)` becomes `make(chan string, 1)`.
fn leaky(package: &str, name: &str) -> String {
    format!(
        "package {package}

import \"time\"

func Fetch{name}() string {{
\tc := make(chan string)
\tgo func() {{
\t\ttime.Sleep(time.Millisecond)
\t\tc <- \"x\"
\t}}()
\tselect {{
\tcase v := <-c:
\t\treturn v
\tcase <-time.After(time.Microsecond):
\t\treturn \"\"
\t}}
}}
"
    )
}

fn require_go() {
    let output = Command::new("go")
        .arg("version")
        .output()
        .unwrap_or_else(|e| {
            panic!("the Go toolchain is needed to test --verify (`go` on PATH): {e}")
        });
    assert!(output.status.success(), "`go version` failed");
}

/// A directory holding a `go` that runs the real one (the first on PATH) after breaking the
/// fixed copy, given to it through `-overlay`, of each file whose name matches `name` (a `sed`
/// pattern: `b\.go`, or `[^/]*\.go` for every file): it appends a line that does not compile.
/// Only the overlay's copy is broken, never the fix, so goleak-fix must drop that fix. The
/// fault comes from the test, so goleak-fix carries no test hook.
fn go_breaking_fixes_of(name: &str) -> tempfile::TempDir {
    go_appending_to_fixes_of(
        name,
        "goleakFixTestBrokenFix",
        r"\nvar _ = goleakFixTestBrokenFix\n",
    )
}

/// Like `go_breaking_fixes_of`, appending `text` (a `printf` format without `%` or `'`, which
/// holds `marker`) to the fixed copies instead.
fn go_appending_to_fixes_of(name: &str, marker: &str, text: &str) -> tempfile::TempDir {
    let real = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("go"))
        .find(|go| go.is_file())
        .expect("the Go toolchain is needed to test --verify (`go` on PATH)");
    let script = format!(
        r#"#!/bin/sh
for arg in "$@"; do
  case "$arg" in
    -overlay=*)
      for copy in $(tr ',' '\n' < "${{arg#-overlay=}}" | sed -n 's|^.*":"\(.*/fixed/{name}\)".*$|\1|p'); do
        grep -q {marker} "$copy" || printf '{text}' >> "$copy"
      done
      ;;
  esac
done
exec '{}' "$@"
"#,
        real.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let go = dir.path().join("go");
    fs::write(&go, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&go, fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// PATH with `dir` first.
fn path_with(dir: &Path) -> String {
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", dir.display())
}

fn goleak_fix(dir: &Path, args: &[&str]) -> Output {
    goleak_fix_with(dir, args, &[])
}

fn goleak_fix_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_goleak-fix"));
    command.args(args).current_dir(dir);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run goleak-fix")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(output)))
}

/// The `verification` object of the finding in `path` (the JSON report, which must match the
/// published schema, `docs/report.schema.json`, verdicts included).
fn verification<'a>(report: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("the report schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{}\n{report:#}", errors.join("\n"));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no finding in {path}: {report:#}"));
    let verification = &finding["fix"]["verification"];
    assert!(
        verification.is_object(),
        "no verification for {path}: {report:#}"
    );
    verification
}

#[test]
fn a_fix_that_vets_clean_is_verified_and_written() {
    require_go();
    let dir = tree(&[("go.mod", GO_MOD), ("pkg/a.go", &leaky("pkg", "A"))]);
    let output = goleak_fix(dir.path(), &["--verify", "./..."]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(
        err.contains("verified pkg/a.go: 1 fix(es) (go vet clean)"),
        "{err}"
    );
    assert!(
        err.contains("fixed pkg/a.go: 1 leak (timeout-leak)"),
        "{err}"
    );
    let text = fs::read_to_string(dir.path().join("pkg/a.go")).unwrap();
    assert!(text.contains("make(chan string, 1)"), "{text}");
}

#[test]
fn a_package_that_fails_to_build_before_the_fix_is_unverified_and_keeps_the_fix() {
    require_go();
    let broken = "package pkg\n\nvar count int = \"not a number\"\n";
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("pkg/a.go", &leaky("pkg", "A")),
        ("pkg/b.go", broken),
    ]);
    let output = goleak_fix(dir.path(), &["--verify", "--dry-run", "./..."]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "unverified pkg/a.go: the package does not vet clean without the fix either: pkg/b.go:3:17: cannot use"
        ),
        "{err}"
    );
    assert!(stdout(&output).contains("+\tc := make(chan string, 1)"));
}

#[test]
fn a_missing_dependency_leaves_the_fix_unverified_and_nothing_is_downloaded() {
    require_go();
    let with_dependency = leaky("pkg", "A").replace(
        "import \"time\"",
        "import (\n\t\"time\"\n\n\t\"example.org/not/in/the/cache\"\n)\n\nvar _ = cache.Thing",
    );
    let dir = tree(&[("go.mod", GO_MOD), ("pkg/a.go", &with_dependency)]);
    let output = goleak_fix(
        dir.path(),
        &["--verify", "--dry-run", "--format", "json", "./..."],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "unverified pkg/a.go: dependencies missing (GOPROXY=off): run go mod download in .: "
        ),
        "{err}"
    );
    let report = json(&output);
    let verdict = verification(&report, "pkg/a.go");
    assert_eq!(verdict["status"], "unverified", "{report:#}");
    assert!(
        verdict["reason"]
            .as_str()
            .unwrap()
            .contains("no required module provides package example.org/not/in/the/cache"),
        "{report:#}"
    );
    // Nothing was added to the module to fetch it.
    assert_eq!(
        fs::read_to_string(dir.path().join("go.mod")).unwrap(),
        GO_MOD
    );
    assert!(!dir.path().join("go.sum").exists());
}

#[test]
fn a_broken_fix_is_dropped_and_its_file_left_untouched() {
    require_go();
    let b = leaky("pkg", "B");
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("pkg/a.go", &leaky("pkg", "A")),
        ("pkg/b.go", &b),
    ]);
    let go = go_breaking_fixes_of(r"b\.go");
    let output = goleak_fix_with(
        dir.path(),
        &["--verify", "./..."],
        &[("PATH", &path_with(go.path()))],
    );
    let err = stderr(&output);
    // The finding in b.go is left unfixed.
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("dropped pkg/b.go: go vet: pkg/b.go:19:9: undefined: goleakFixTestBrokenFix"),
        "{err}"
    );
    assert!(err.contains("verified pkg/a.go: 1 fix(es)"), "{err}");
    assert!(!err.contains("fixed pkg/b.go"), "{err}");
    assert!(stdout(&output).contains("pkg/b.go:6:7: timeout-leak: "));
    assert_eq!(fs::read_to_string(dir.path().join("pkg/b.go")).unwrap(), b);
    assert!(
        fs::read_to_string(dir.path().join("pkg/a.go"))
            .unwrap()
            .contains("make(chan string, 1)")
    );
}

/// The library: a dropped file's fixed text and applied fixes are cleared, so no later step
/// (write, diff, commit, pull-request body) can pick them up.
#[test]
fn the_library_clears_a_dropped_fix() {
    require_go();
    let dir = tree(&[("go.mod", GO_MOD), ("a.go", &leaky("t", "A"))]);
    let settings = Settings::new(REGISTRY.to_vec(), false);
    let walk = walk::collect(&[dir.path().display().to_string()]);
    let mut analysis = pipeline::analyse_paths(walk.packages, &settings, &Progress::hidden());
    assert!(analysis.outcomes[0].fixed.is_some());
    let go = go_breaking_fixes_of(r"[^/]*\.go");
    let toolchain = Toolchain::at(go.path().join("go"), Level::Vet).expect("the fake go runs");
    let options = verify::Options::new(Level::Vet, std::env::current_dir().unwrap());
    let verdicts = verify::verify(&mut analysis.outcomes, &toolchain, &options).unwrap();
    let outcome = &analysis.outcomes[0];
    let verdict = &verdicts[&outcome.source.display_path];
    assert_eq!(verdict.status, Status::Dropped, "{verdict:?}");
    assert!(outcome.fixed.is_none());
    assert!(outcome.applied.is_empty());
    assert_eq!(outcome.findings.len(), 1, "the finding stays");
}

#[test]
fn verify_without_go_on_path_exits_2_and_writes_nothing() {
    let text = leaky("pkg", "A");
    let dir = tree(&[("go.mod", GO_MOD), ("pkg/a.go", &text)]);
    let empty = tempfile::tempdir().unwrap();
    let path = empty.path().display().to_string();
    for args in [
        &["--verify", "./..."][..],
        &["--verify=test", "--dry-run", "./..."][..],
    ] {
        let output = goleak_fix_with(dir.path(), args, &[("PATH", &path)]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("--verify needs the Go toolchain, but `go` was not found on PATH"),
            "{err}"
        );
        assert!(stdout(&output).is_empty(), "{}", stdout(&output));
        assert_eq!(
            fs::read_to_string(dir.path().join("pkg/a.go")).unwrap(),
            text
        );
    }
}

#[test]
fn verify_is_a_usage_error_with_check_or_a_bad_level() {
    let dir = tree(&[("go.mod", GO_MOD)]);
    for args in [&["--verify", "--check"][..], &["--verify=build"][..]] {
        let output = goleak_fix(dir.path(), args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn the_verdicts_show_in_the_json_report_and_the_pr_body() {
    require_go();
    let go = go_breaking_fixes_of(r"b\.go");
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("pkg/a.go", &leaky("pkg", "A")),
        ("pkg/b.go", &leaky("pkg", "B")),
    ]);
    let output = goleak_fix_with(
        dir.path(),
        &[
            "--verify",
            "--dry-run",
            "--format",
            "json",
            "--pr-body",
            "pr.md",
            "./...",
        ],
        &[("PATH", &path_with(go.path()))],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(verification(&report, "pkg/a.go")["status"], "verified");
    assert_eq!(verification(&report, "pkg/a.go")["reason"], "go vet clean");
    let dropped = verification(&report, "pkg/b.go");
    assert_eq!(dropped["status"], "dropped");
    assert!(
        dropped["reason"]
            .as_str()
            .unwrap()
            .starts_with("go vet: pkg/b.go:19:9: undefined"),
        "{report:#}"
    );
    // The dropped fix would not be applied.
    assert_eq!(report["summary"]["fixable"], 1, "{report:#}");
    let keys: Vec<&String> = report["findings"][0]["fix"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        keys,
        ["applicability", "description", "edits", "verification"]
    );

    let outcome = |path: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| f["outcome"].clone())
            .unwrap()
    };
    assert_eq!(outcome("pkg/a.go"), serde_json::json!({"status": "fixed"}));
    let dropped = outcome("pkg/b.go");
    assert_eq!(
        (&dropped["status"], &dropped["reason"]),
        (&"dropped".into(), &"verify".into()),
        "{report:#}"
    );
    assert!(
        dropped["detail"]
            .as_str()
            .unwrap()
            .starts_with("go vet: pkg/b.go:19:9: undefined"),
        "{report:#}"
    );
    assert_eq!(report["summary"]["dropped"], 1, "{report:#}");

    let body = fs::read_to_string(dir.path().join("pr.md")).unwrap();
    assert!(body.contains("- **Verified**: go vet clean.\n"), "{body}");
    assert!(
        body.contains("Ran `go vet` on each fixed package and `gofmt -l` on each fixed file, with and without the fix, offline (`goleak-fix --verify=vet`). Tests not run."),
        "{body}"
    );
    assert!(
        body.contains("- verified `pkg/a.go`: go vet clean.\n"),
        "{body}"
    );
    assert!(
        body.contains(
            "- dropped `pkg/b.go`: go vet: pkg/b.go:19:9: undefined: goleakFixTestBrokenFix."
        ),
        "{body}"
    );
    assert!(!body.contains("### `pkg/b.go`"), "{body}");
}

#[test]
fn without_verify_the_json_report_keeps_its_shape() {
    let dir = tree(&[("go.mod", GO_MOD), ("a.go", &leaky("t", "A"))]);
    let output = goleak_fix(dir.path(), &["--dry-run", "--format", "json"]);
    let report = json(&output);
    assert!(
        report["findings"][0]["fix"].get("verification").is_none(),
        "{report:#}"
    );
}

#[test]
fn the_sarif_fix_carries_the_verdict() {
    require_go();
    let dir = tree(&[("go.mod", GO_MOD), ("a.go", &leaky("t", "A"))]);
    let output = goleak_fix(dir.path(), &["--verify", "--dry-run", "--format", "sarif"]);
    let sarif = json(&output);
    let properties = &sarif["runs"][0]["results"][0]["fixes"][0]["properties"];
    assert_eq!(
        properties["verification"]["status"], "verified",
        "{sarif:#}"
    );
}

#[test]
fn a_directory_of_standalone_programs_is_unverified() {
    require_go();
    // Two `package main` files with a `main` each: the directory is no buildable package.
    let main = |name: &str| leaky("main", name) + "\nfunc main() {\n\t_ = Fetch" + name + "()\n}\n";
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("a.go", &main("A")),
        ("b.go", &main("B")),
    ]);
    let output = goleak_fix(dir.path(), &["--verify", "--dry-run"]);
    let err = stderr(&output);
    assert!(
        err.contains("unverified a.go: the package does not vet clean without the fix either: "),
        "{err}"
    );
    assert!(err.contains("main redeclared"), "{err}");
}

#[test]
fn a_file_outside_any_module_is_unverified() {
    require_go();
    let dir = tree(&[("a.go", &leaky("t", "A"))]);
    let output = goleak_fix(dir.path(), &["--verify", "--dry-run"]);
    let err = stderr(&output);
    assert!(
        err.contains(
            "unverified a.go: not in a Go module (no go.mod in the directory or above it)"
        ),
        "{err}"
    );
}

#[test]
fn verify_test_runs_the_package_tests_and_counts_leaks() {
    require_go();
    let test = "package t\n\nimport \"testing\"\n\nfunc TestFetch(t *testing.T) {\n\tfor i := 0; i < 3; i++ {\n\t\tFetchA()\n\t}\n}\n";
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("a.go", &leaky("t", "A")),
        ("a_test.go", test),
    ]);
    let output = goleak_fix(dir.path(), &["--verify=test", "--dry-run"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "verified a.go: 1 fix(es) (go vet clean; the package's tests pass with the fix"
        ),
        "{err}"
    );
    // The three calls leak three goroutines before the fix, none after. That takes Go 1.26's
    // goroutine leak profile (GOEXPERIMENT=goroutineleakprofile), which the README's Set up
    // asks for: an older Go fails here, saying so, rather than skipping the count.
    assert!(
        go_has_leak_profile(),
        "this test needs Go 1.26 or later (the goroutineleakprofile experiment); `go` on PATH lacks it"
    );
    assert!(
        err.contains(
            "goroutineleak profile: 3 goroutine(s) leaked from this file before the fix, 0 after"
        ),
        "{err}"
    );
    // The leak-profile test file never reaches the disk.
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("goleak_fix")), "{names:?}");
}

#[test]
fn failing_tests_before_the_fix_leave_it_unverified() {
    require_go();
    let test = "package t\n\nimport \"testing\"\n\nfunc TestAlwaysFails(t *testing.T) {\n\tt.Fatal(\"broken before goleak-fix came\")\n}\n";
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("a.go", &leaky("t", "A")),
        ("a_test.go", test),
    ]);
    let output = goleak_fix(dir.path(), &["--verify=test", "--dry-run"]);
    let err = stderr(&output);
    assert!(
        err.contains("unverified a.go: go vet clean, but the tests fail without the fix too: --- FAIL: TestAlwaysFails"),
        "{err}"
    );
    assert!(stdout(&output).contains("+\tc := make(chan string, 1)"));
}

fn go_has_leak_profile() -> bool {
    Command::new("go")
        .args(["env", "GOEXPERIMENT"])
        .env("GOEXPERIMENT", "goroutineleakprofile")
        .env("GOTOOLCHAIN", "local")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn commit_verifies_the_files_as_committed_and_says_so_in_the_message() {
    require_go();
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("pkg/a.go", &leaky("pkg", "A")),
        ("pkg/b.go", &leaky("pkg", "B")),
    ]);
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
            .output()
            .expect("run git");
        assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
        stdout(&output)
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["config", "user.name", "Rev Iewer"]);
    git(&["config", "user.email", "reviewer@example.com"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "initial"]);
    let go = go_breaking_fixes_of(r"b\.go");
    // An uncommitted edit that breaks the build: --commit checks HEAD's a.go, not this one.
    let edited = leaky("pkg", "A") + "\nvar x int = \"\"\n";
    fs::write(dir.path().join("pkg/a.go"), &edited).unwrap();
    let output = goleak_fix_with(
        dir.path(),
        &[
            "--commit",
            "--verify",
            "--branch",
            "fixes",
            "--pr-body",
            "pr.md",
            "./...",
        ],
        &[
            ("PATH", &path_with(go.path())),
            ("GIT_CONFIG_NOSYSTEM", "1"),
            ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("verified pkg/a.go: 1 fix(es) (go vet clean)"),
        "{err}"
    );
    assert!(err.contains("dropped pkg/b.go: go vet: "), "{err}");
    let files = git(&["diff", "--name-only", "main", "fixes"]);
    assert_eq!(files, "pkg/a.go\n");
    assert_eq!(
        fs::read_to_string(dir.path().join("pkg/a.go")).unwrap(),
        edited
    );
    let message = git(&["log", "-1", "--format=%B", "fixes"]);
    assert!(
        message.contains("Checked with the Go toolchain (goleak-fix --verify):\nverified pkg/a.go: go vet clean\ndropped pkg/b.go: go vet: "),
        "{message}"
    );
    let body = fs::read_to_string(dir.path().join("pr.md")).unwrap();
    assert!(
        body.contains("- verified `pkg/a.go`: go vet clean.\n"),
        "{body}"
    );
    assert!(body.contains("### `pkg/a.go`, `FetchA`, line 6"), "{body}");
}

/// A `go` that answers `go env` and, asked to vet, records the mode of goleak-fix's temp
/// directory, sends goleak-fix `signal` and then blocks: an interrupt at a known point of
/// `--verify`, with no timing involved.
fn go_that_interrupts(bin: &Path, signal: &str) {
    use std::os::unix::fs::PermissionsExt;
    let script = format!(
        "#!/bin/sh\n\
         case \"$1\" in\n\
         env) echo go1.26.0; echo /nonexistent-goroot ;;\n\
         *) /usr/bin/stat -c %a \"$TMPDIR\"/goleak-fix-verify-* > \"$MODE_FILE\"\n\
         \x20  kill -{signal} $PPID\n\
         \x20  exec /bin/sleep 60 ;;\n\
         esac\n"
    );
    let go = bin.join("go");
    fs::write(&go, script).unwrap();
    fs::set_permissions(&go, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn an_interrupted_verify_removes_its_private_temp_directory() {
    for (mode, signal, status) in [(&[][..], "TERM", 143), (&["--dry-run"][..], "INT", 130)] {
        let dir = tree(&[("go.mod", GO_MOD), ("pkg/a.go", &leaky("pkg", "A"))]);
        let bin = tempfile::tempdir().unwrap();
        let temp = tempfile::tempdir().unwrap();
        let mode_file = bin.path().join("mode");
        go_that_interrupts(bin.path(), signal);
        let args: Vec<&str> = mode.iter().copied().chain(["--verify", "./..."]).collect();
        let output = goleak_fix_with(
            dir.path(),
            &args,
            &[
                ("PATH", &bin.path().display().to_string()),
                ("TMPDIR", &temp.path().display().to_string()),
                ("MODE_FILE", &mode_file.display().to_string()),
            ],
        );
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(status), "{mode:?}: {err}");
        assert!(err.contains("goleak-fix: interrupted"), "{mode:?}: {err}");
        assert_eq!(
            fs::read_to_string(&mode_file).unwrap().trim(),
            "700",
            "{mode:?}: the temp directory holds copies of the sources"
        );
        let left: Vec<_> = fs::read_dir(temp.path()).unwrap().collect();
        assert!(left.is_empty(), "{mode:?}: left behind: {left:?}");
        assert_eq!(
            fs::read_to_string(dir.path().join("pkg/a.go")).unwrap(),
            leaky("pkg", "A")
        );
    }
}

// A --verify that concludes on real repositories (issue 15).

/// A file whose `fmt.Sprintf` go vet's printf check reports, though the package builds.
const VET_WARNING: &str = "package t\n\nimport \"fmt\"\n\nfunc Show() string {\n\treturn fmt.Sprintf(\"%d\", \"not a number\")\n}\n";

const TEST_FETCH: &str =
    "package t\n\nimport \"testing\"\n\nfunc TestFetch(t *testing.T) {\n\tFetchA()\n}\n";

#[test]
fn a_diagnostic_the_package_had_before_the_fix_does_not_keep_it_unverified() {
    require_go();
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("a.go", &leaky("t", "A")),
        ("b.go", VET_WARNING),
        ("a_test.go", TEST_FETCH),
    ]);
    let output = goleak_fix(dir.path(), &["--verify", "--dry-run"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("verified a.go: 1 fix(es) (go vet: no new diagnostic (1 pre-existing))"),
        "{err}"
    );
    // And the tests still run.
    let output = goleak_fix(dir.path(), &["--verify=test", "--dry-run"]);
    let err = stderr(&output);
    assert!(
        err.contains(
            "verified a.go: 1 fix(es) (go vet: no new diagnostic (1 pre-existing); the package's tests pass with the fix"
        ),
        "{err}"
    );
}

#[test]
fn a_fix_that_adds_a_vet_diagnostic_is_dropped_even_beside_pre_existing_ones() {
    require_go();
    let a = leaky("t", "A");
    let dir = tree(&[("go.mod", GO_MOD), ("a.go", &a), ("b.go", VET_WARNING)]);
    // The fixed copy of a.go gets a self-assignment: it builds, and vet reports it.
    let go = go_appending_to_fixes_of(
        r"a\.go",
        "goleakFixTestSelf",
        r"\nfunc goleakFixTestSelf() {\n\tv := 1\n\tv = v\n\t_ = v\n}\n",
    );
    let output = goleak_fix_with(
        dir.path(),
        &["--verify", "."],
        &[("PATH", &path_with(go.path()))],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains("dropped a.go: go vet: a.go:21:2: self-assignment of v (assign)"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(dir.path().join("a.go")).unwrap(), a);
}

#[test]
fn missing_dependencies_name_the_command_and_the_module_root_to_run_it_in() {
    require_go();
    let with_dependency = leaky("pkg", "A").replace(
        "import \"time\"",
        "import (\n\t\"time\"\n\n\t\"example.org/not/in/the/cache\"\n)\n\nvar _ = cache.Thing",
    );
    let dir = tree(&[
        ("server/go.mod", GO_MOD),
        ("server/pkg/a.go", &with_dependency),
    ]);
    let output = goleak_fix(dir.path(), &["--verify", "--dry-run", "./..."]);
    let err = stderr(&output);
    assert!(
        err.contains(
            "unverified server/pkg/a.go: dependencies missing (GOPROXY=off): run go mod download in server: "
        ),
        "{err}"
    );
}

#[test]
fn verify_timeout_limits_each_go_command_and_says_how_to_raise_it() {
    require_go();
    let real = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("go"))
        .find(|go| go.is_file())
        .unwrap();
    // A `go` whose `vet` hangs, as a cold build cache of a large module seems to.
    let bin = tempfile::tempdir().unwrap();
    let go = bin.path().join("go");
    fs::write(
        &go,
        format!(
            "#!/bin/sh\ncase \"$1\" in vet) exec sleep 30;; esac\nexec '{}' \"$@\"\n",
            real.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&go, fs::Permissions::from_mode(0o755)).unwrap();
    let dir = tree(&[("go.mod", GO_MOD), ("a.go", &leaky("t", "A"))]);
    let started = std::time::Instant::now();
    let output = goleak_fix_with(
        dir.path(),
        &["--verify", "--verify-timeout", "1s", "--dry-run"],
        &[("PATH", &path_with(bin.path()))],
    );
    let err = stderr(&output);
    assert!(
        err.contains("unverified a.go: go vet timed out after 1s (a cold build cache makes the first run slow: raise --verify-timeout"),
        "{err}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{err}"
    );
    for args in [
        &["--verify-timeout", "5"][..],
        &["--verify", "--verify-timeout", "0"][..],
        &["--verify", "--verify-timeout", "2x"][..],
    ] {
        let output = goleak_fix(dir.path(), args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_progress_line_per_package_only_on_a_terminal() {
    require_go();
    let dir = tree(&[("go.mod", GO_MOD), ("pkg/a.go", &leaky("pkg", "A"))]);
    let (status, seen) =
        common::goleak_fix_on_terminal(dir.path(), &["--verify", "--dry-run"], &[]);
    assert_eq!(status, 1, "{seen}");
    assert!(
        seen.contains("goleak-fix: verifying pkg (1 of 1, go vet)\n"),
        "{seen}"
    );
    let (_, quiet) =
        common::goleak_fix_on_terminal(dir.path(), &["--verify", "--dry-run", "-q"], &[]);
    assert!(!quiet.contains("verifying"), "{quiet}");
    let piped = goleak_fix(dir.path(), &["--verify", "--dry-run"]);
    assert!(
        stderr(&piped).contains("verified pkg/a.go"),
        "{}",
        stderr(&piped)
    );
    assert!(!stderr(&piped).contains("verifying"), "{}", stderr(&piped));
}

#[test]
fn a_level_after_a_space_is_an_error_showing_the_equals_form() {
    let text = leaky("test", "A");
    let dir = tree(&[("go.mod", GO_MOD), ("test/a.go", &text)]);
    for level in ["test", "vet"] {
        let output = goleak_fix(dir.path(), &["--verify", level]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(&format!("`--verify={level}`")), "{err}");
        assert_eq!(
            fs::read_to_string(dir.path().join("test/a.go")).unwrap(),
            text
        );
    }
    // A directory named `test` is still a PATH when written as one.
    require_go();
    let output = goleak_fix(dir.path(), &["--verify", "./test"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("verified test/a.go"));
}

#[test]
fn the_module_root_in_the_remedy_is_escaped_on_the_terminal() {
    require_go();
    let with_dependency = leaky("pkg", "A").replace(
        "import \"time\"",
        "import (\n\t\"time\"\n\n\t\"example.org/not/in/the/cache\"\n)\n\nvar _ = cache.Thing",
    );
    let dir = tree(&[
        ("mod\x1b[31m/go.mod", GO_MOD),
        ("mod\x1b[31m/pkg/a.go", &with_dependency),
    ]);
    let output = goleak_fix(dir.path(), &["--verify", "--dry-run", "./..."]);
    let err = stderr(&output);
    assert!(
        err.contains("(GOPROXY=off): run go mod download in mod\\u{1b}[31m: "),
        "{err}"
    );
    assert!(!err.contains('\x1b'), "{err:?}");
}

/// A package whose test counts its runs in `counter` and fails on the runs `fails_on` lists
/// (a shell-free way to make a test fail with the fix and pass without it, or flake).
fn counting_test(counter: &Path, fails_on: &str) -> String {
    format!(
        "package t\n\nimport (\n\t\"os\"\n\t\"strconv\"\n\t\"testing\"\n)\n\nfunc TestCounted(t *testing.T) {{\n\tdata, _ := os.ReadFile({counter:?})\n\tn, _ := strconv.Atoi(string(data))\n\tn++\n\tos.WriteFile({counter:?}, []byte(strconv.Itoa(n)), 0o644)\n\tif {fails_on} {{\n\t\tt.Fatalf(\"run %d fails\", n)\n\t}}\n\tFetchA()\n}}\n"
    )
}

#[test]
fn a_test_that_fails_with_the_fix_drops_it_unless_it_passes_when_run_again() {
    require_go();
    let counts = tempfile::tempdir().unwrap();
    // Run 1 is without the fix; every run with it fails: the fix is dropped.
    let counter = counts.path().join("always");
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("a.go", &leaky("t", "A")),
        ("a_test.go", &counting_test(&counter, "n >= 2")),
    ]);
    let output = goleak_fix(dir.path(), &["--verify=test", "--dry-run"]);
    let err = stderr(&output);
    assert!(
        err.contains("dropped a.go: go test: --- FAIL: TestCounted"),
        "{err}"
    );
    // Only run 2 (the first with the fix) fails; the retry passes: a flaky test.
    let counter = counts.path().join("once");
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("a.go", &leaky("t", "A")),
        ("a_test.go", &counting_test(&counter, "n == 2")),
    ]);
    let output = goleak_fix(dir.path(), &["--verify=test", "--dry-run"]);
    let err = stderr(&output);
    assert!(
        err.contains("unverified a.go: go test: TestCounted failed with the fix and passed when run again with it: a flaky test cannot judge the fix"),
        "{err}"
    );
    assert!(stdout(&output).contains("+\tc := make(chan string, 1)"));
}

/// The consumer (`a.go`) and the producer it starts (`b.go`): an abandoned producer whose
/// stop-channel fix edits both files.
const CONSUMER: &str = "package pkg\n\nfunc First(words []string) string {\n\tout := make(chan string)\n\tgo produce(words, out)\n\tfor w := range out {\n\t\treturn w\n\t}\n\treturn \"\"\n}\n";
const PRODUCER: &str = "package pkg\n\nfunc produce(words []string, out chan<- string) {\n\tdefer close(out)\n\tfor _, w := range words {\n\t\tout <- w\n\t}\n}\n";

#[test]
fn a_fix_across_two_files_is_verified_as_one_and_both_are_written() {
    require_go();
    // c.go: the second strategy, a sender that counts after its send.
    let counting = "package pkg\n\nvar sent int\n\nfunc Lookup(key string, strict bool) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tc <- len(key)\n\t\tsent++\n\t}()\n\tif strict {\n\t\treturn 0\n\t}\n\treturn <-c\n}\n";
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("pkg/a.go", CONSUMER),
        ("pkg/b.go", PRODUCER),
        ("pkg/c.go", counting),
    ]);
    let output = goleak_fix(dir.path(), &["--verify", "./..."]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(
        err.contains("verified pkg/a.go: 1 fix(es) (go vet clean)"),
        "{err}"
    );
    assert!(
        err.contains("verified pkg/b.go: part of another file's fix (go vet clean)"),
        "{err}"
    );
    assert!(
        err.contains("verified pkg/c.go: 1 fix(es) (go vet clean)"),
        "{err}"
    );
    let c = fs::read_to_string(dir.path().join("pkg/c.go")).unwrap();
    assert!(
        c.contains("\t\tcase c <- len(key):\n\t\tcase <-done:\n"),
        "{c}"
    );
    let a = fs::read_to_string(dir.path().join("pkg/a.go")).unwrap();
    let b = fs::read_to_string(dir.path().join("pkg/b.go")).unwrap();
    assert!(a.contains("go produce(words, out, done)"), "{a}");
    assert!(b.contains("case <-done:"), "{b}");
}

#[test]
fn when_one_file_of_a_fix_breaks_the_package_neither_is_written() {
    require_go();
    let dir = tree(&[
        ("go.mod", GO_MOD),
        ("pkg/a.go", CONSUMER),
        ("pkg/b.go", PRODUCER),
    ]);
    let go = go_breaking_fixes_of(r"b\.go");
    let output = goleak_fix_with(
        dir.path(),
        &["--verify", "./..."],
        &[("PATH", &path_with(go.path()))],
    );
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    // a.go's fix is checked with b.go's half of it, so it fails with b.go's error.
    assert!(err.contains("dropped pkg/b.go: go vet: pkg/b.go:"), "{err}");
    assert!(err.contains("dropped pkg/a.go: go vet: pkg/b.go:"), "{err}");
    assert!(!err.contains("fixed pkg/"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.path().join("pkg/a.go")).unwrap(),
        CONSUMER
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("pkg/b.go")).unwrap(),
        PRODUCER
    );
    assert!(
        stdout(&output).contains("pkg/a.go:4:9: abandoned-producers: "),
        "{}",
        stdout(&output)
    );
}
