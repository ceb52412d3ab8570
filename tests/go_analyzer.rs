//! The Go front end in `go/` (a go/analysis Analyzer, `goleak-fix-vet` for `go vet -vettool`
//! and `go fix -fixtool`, the golangci-lint module plugin): its own Go tests, run with
//! `go test ./...` against the goleak-fix binary this build made, so that `cargo test`
//! stays the one test command. The Go modules are fetched first by `go/download.sh` (quick
//! when `.ci/run` or an earlier run already did); the tests then run offline.

use crate::common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

fn go_dir() -> PathBuf {
    common::repo_root().join("go")
}

/// The suite's Go build cache (as in tests/examples.rs), unless GOCACHE says otherwise.
fn go_cache() -> std::ffi::OsString {
    std::env::var_os("GOCACHE").unwrap_or_else(|| {
        common::repo_root()
            .join("target")
            .join("go-build-cache")
            .into()
    })
}

#[test]
fn go_front_end_tests_pass() {
    let download = Command::new("bash")
        .arg(go_dir().join("download.sh"))
        .env("GOCACHE", go_cache())
        .output()
        .expect("bash runs go/download.sh");
    assert!(
        download.status.success(),
        "go/download.sh could not fetch the Go modules the front end's tests need:\n{}",
        String::from_utf8_lossy(&download.stderr)
    );

    let started = Instant::now();
    eprintln!("go test ./... in go/ (the first run builds golangci-lint: a few minutes)");
    let output = Command::new("go")
        // -count=1: go test's result cache does not know the goleak-fix binary they run.
        .args(["test", "-count=1", "-timeout=30m", "./..."])
        .current_dir(go_dir())
        .env("GOLEAK_FIX", env!("CARGO_BIN_EXE_goleak-fix"))
        .env("GOCACHE", go_cache())
        // Where the tests build goleak-fix-vet and golangci-lint with the plugin: kept, so
        // that a warm run links them again only if what goes into them changed.
        .env(
            "GOLEAK_FIX_GO_BUILD_DIR",
            common::repo_root()
                .join("target")
                .join("go-programs")
                .join("front-end"),
        )
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=readonly")
        .env("GOTOOLCHAIN", "local")
        .output()
        .expect("the Go toolchain is needed for the Go front end's tests (`go` on PATH)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!(
        "go test ./... in go/ took {:.0?}\n{stdout}",
        started.elapsed()
    );
    assert!(
        output.status.success(),
        "go test ./... in go/ failed:\n{stdout}\n{stderr}"
    );
    // Every package with tests ran them (none was left out as having no test files).
    for package in ["goleakfix", "cmd/goleak-fix-vet", "golangci"] {
        assert!(
            stdout.contains(&format!("ok  \tgoleak-fix.invalid/go/{package}\t")),
            "the tests of go/{package} did not run:\n{stdout}"
        );
    }
}
