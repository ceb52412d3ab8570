//! `--verify`: prove each fix with the Go toolchain before it is written.
//!
//! Go's `-overlay` flag builds a package with some files' contents replaced, without touching
//! the disk. For each package (directory) that a fix touches, this module writes the files as
//! read and the fixed files to a temp directory, and runs `go vet` on the package twice from
//! its module's root: once with the files as read in the overlay (the baseline), once with the
//! fixed ones. A fix is kept when the fixed package vets clean, or fails exactly as the
//! baseline does (the same diagnostics, ignoring order and positions, since an inserted line
//! moves the ones below it). Any new diagnostic drops the fix. The fixed file must also be
//! gofmt-clean when the file as read was. With `--verify=test` the package's tests then run
//! the same two ways (`go test -overlay ... -count=1 -run .`): tests that pass as read and fail
//! fixed drop the fix.
//!
//! A worked example. `goleak-fix --verify --dry-run ./...` run in `/src/svc` (a module root)
//! finds fixes in `/src/svc/pkg/a.go` and `/src/svc/pkg/b.go`. In the temp directory
//! `/tmp/goleak-fix-verify-x1` it writes `p0/original/a.go`, `p0/original/b.go` (every
//! analysed file of `pkg`, as read), `p0/fixed/a.go`, `p0/fixed/b.go`, and two overlay files,
//! the baseline
//!
//! ```json
//! {"Replace": {"/src/svc/pkg/a.go": "/tmp/goleak-fix-verify-x1/p0/original/a.go",
//!              "/src/svc/pkg/b.go": "/tmp/goleak-fix-verify-x1/p0/original/b.go"}}
//! ```
//!
//! and the fixed one, the same with `fixed/` for each fixed file; then, in `/src/svc`,
//! `go vet -overlay /tmp/goleak-fix-verify-x1/p0/overlay-0.json ./pkg` and the same with
//! `overlay-1.json`. The baseline overlay holds the files as read rather than leaving them to
//! the disk so that `--commit`, which reads `HEAD`'s files, is checked against them and not
//! against uncommitted edits. If the fixed run shows `b.go:14:2: declared and not used: x` and
//! the baseline does not, each fixed file is vetted alone to find whose fix it is, and only
//! that file's fixes are dropped: verification is per file, all fixes of a file together.
//!
//! Offline, always: every `go` command runs with `GOPROXY=off` and `GOTOOLCHAIN=local`, so
//! nothing is downloaded. A package that cannot be built without a download (a dependency not
//! in the module cache) fails the same way with and without the fix; its fixes are kept and
//! marked unverified, with the reason. So is a package that already failed to vet, a file that
//! build constraints leave out on this platform, a file in no module, and a run that timed
//! out. Dropped files have their `fixed` text and `applied` list cleared, so every later step
//! (write, diff, commit, pull-request body) leaves them out without knowing about verification.
//!
//! With `--verify=test`, when the Go toolchain has the `goroutineleakprofile` experiment (Go
//! 1.26), the tests run with `GOEXPERIMENT=goroutineleakprofile` and one more test file in
//! the overlay, sorted last in the package, that writes the `goroutineleak` profile at the
//! end of the package's sequential tests; the leaked goroutines whose stacks run through a
//! fixed file are counted before and after the fix.

use crate::engine::FileOutcome;
use crate::interrupt;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How much of the Go toolchain proves a fix.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Level {
    /// `go vet` on the package with the fix (this also type-checks it).
    #[default]
    Vet,
    /// `go vet`, then the package's tests with the fix.
    Test,
}

/// What verification made of a file's fixes.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The package vets clean (and, with `--verify=test`, its tests pass) with the fixes.
    Verified,
    /// The fixes break something; they are not applied.
    Dropped,
    /// The toolchain could not judge (dependencies missing, already broken, timed out); the
    /// fixes are applied.
    Unverified,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Verified => "verified",
            Status::Dropped => "dropped",
            Status::Unverified => "unverified",
        }
    }
}

/// The verdict on all the fixes of one file.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub reason: String,
    /// How many fixes the file had when it was verified.
    #[serde(skip)]
    pub fixes: usize,
}

impl Verdict {
    /// The line `--verify` prints on stderr for the file at `path`.
    pub fn line(&self, path: &str) -> String {
        match self.status {
            Status::Verified => {
                format!("verified {path}: {} fix(es) ({})", self.fixes, self.reason)
            }
            status => format!("{} {path}: {}", status.as_str(), self.reason),
        }
    }
}

/// Verdicts by the file's display path.
pub type Verdicts = BTreeMap<String, Verdict>;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(
        "--verify needs the Go toolchain, but `go` was not found on PATH; install Go or run without --verify (nothing was written)"
    )]
    NoGo,
    #[error("--verify: `{go} env` failed, so the Go toolchain cannot be used: {reason}")]
    BrokenGo { go: String, reason: String },
    #[error("--verify: cannot make a temp directory: {0}")]
    TempDir(std::io::Error),
}

/// The `go` (and `gofmt`) to run.
#[derive(Debug, Clone)]
pub struct Toolchain {
    go: PathBuf,
    gofmt: Option<PathBuf>,
    /// `go1.26.0`, for messages.
    pub version: String,
    /// The value to give `GOEXPERIMENT` for the goroutine leak profile, when this toolchain
    /// has it (checked for `Level::Test` only).
    leak_experiment: Option<String>,
}

impl Toolchain {
    /// Finds `go` on PATH and asks it where it lives; `gofmt` is the one next to it.
    pub fn find(level: Level) -> Result<Self, VerifyError> {
        let go = find_on_path("go").ok_or(VerifyError::NoGo)?;
        let broken = |reason: String| VerifyError::BrokenGo {
            go: go.display().to_string(),
            reason,
        };
        let output = offline_command(&go)
            .args(["env", "GOVERSION", "GOROOT"])
            // Not in a module whose go.mod could ask for a newer toolchain.
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .output()
            .map_err(|error| broken(error.to_string()))?;
        if !output.status.success() {
            return Err(broken(first_line(&String::from_utf8_lossy(&output.stderr))));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut lines = stdout.lines();
        let version = lines.next().unwrap_or_default().trim().to_string();
        let goroot = PathBuf::from(lines.next().unwrap_or_default().trim());
        let gofmt = Some(goroot.join("bin").join(executable_name("gofmt")))
            .filter(|path| path.is_file())
            .or_else(|| find_on_path("gofmt"));
        let leak_experiment = (level == Level::Test)
            .then(|| leak_experiment(&go))
            .flatten();
        Ok(Toolchain {
            go,
            gofmt,
            version,
            leak_experiment,
        })
    }
}

/// How to verify.
#[derive(Debug, Clone)]
pub struct Options {
    pub level: Level,
    /// The directory relative source paths start from (the current directory, or the
    /// repository's top directory for `--commit`).
    pub base: PathBuf,
    pub vet_timeout: Duration,
    pub test_timeout: Duration,
    /// For the tests of this module only: the fixed copy given to Go of each file with this
    /// name (`*` for every file) gets a line that does not compile. Only the overlay copy is
    /// broken, never the fixed text itself, so the worst this can do is drop a fix.
    #[doc(hidden)]
    pub break_fixes_for_tests: Option<String>,
}

impl Options {
    pub fn new(level: Level, base: PathBuf) -> Self {
        Options {
            level,
            base,
            vet_timeout: Duration::from_secs(120),
            test_timeout: Duration::from_secs(300),
            break_fixes_for_tests: None,
        }
    }
}

/// Verifies the fixes in `outcomes`, package by package in parallel, and returns a verdict
/// for each file that had a fix. A dropped file's `fixed` and `applied` are cleared.
pub fn verify(
    outcomes: &mut [FileOutcome],
    toolchain: &Toolchain,
    options: &Options,
) -> Result<Verdicts, VerifyError> {
    // Held until the temp directory is removed: a SIGINT or SIGTERM meanwhile stops the `go`
    // commands (see `run`), and ends the process only once the copies are gone.
    let _interrupt = interrupt::write_guard();
    let work = private_temp_dir().map_err(VerifyError::TempDir)?;
    let mut packages: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    for (index, outcome) in outcomes.iter().enumerate() {
        let path = options.base.join(&outcome.source.path);
        let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
        packages.entry(directory).or_default().push(index);
    }
    let jobs: Vec<PackageJob> = packages
        .into_iter()
        .filter(|(_, files)| files.iter().any(|&i| outcomes[i].fixed.is_some()))
        .enumerate()
        .map(|(n, (directory, files))| PackageJob {
            directory,
            files: files
                .into_iter()
                .map(|index| {
                    let outcome = &outcomes[index];
                    FileJob {
                        index,
                        name: outcome
                            .source
                            .path
                            .file_name()
                            .map(|name| name.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        display: &outcome.source.display_path,
                        original: &outcome.source.text,
                        fixed: outcome.fixed.as_deref(),
                    }
                })
                .collect(),
            work: work.path().join(format!("p{n}")),
            toolchain,
            options,
            runs: AtomicUsize::new(0),
        })
        .collect();
    let results: Vec<(usize, Verdict)> = jobs
        .par_iter()
        .flat_map_iter(|job| {
            let fixes = |index: usize| outcomes[index].applied.len();
            job.verdicts()
                .into_iter()
                .map(move |(index, status, reason)| {
                    (
                        index,
                        Verdict {
                            status,
                            reason,
                            fixes: fixes(index),
                        },
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    drop(jobs);
    let mut verdicts = Verdicts::new();
    for (index, verdict) in results {
        let outcome = &mut outcomes[index];
        if verdict.status == Status::Dropped {
            outcome.fixed = None;
            outcome.applied.clear();
        }
        verdicts.insert(outcome.source.display_path.clone(), verdict);
    }
    Ok(verdicts)
}

/// The directory for the copies of the sources and the overlays: readable by this user only
/// (0700), since it holds copies of files that may be private.
fn private_temp_dir() -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("goleak-fix-verify-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    builder.tempdir()
}

/// One package to verify: every analysed file of its directory, fixed or not.
struct PackageJob<'a> {
    directory: PathBuf,
    files: Vec<FileJob<'a>>,
    /// This package's part of the temp directory.
    work: PathBuf,
    toolchain: &'a Toolchain,
    options: &'a Options,
    /// Numbers the overlay and log files.
    runs: AtomicUsize,
}

struct FileJob<'a> {
    /// Into the outcomes.
    index: usize,
    name: String,
    display: &'a str,
    original: &'a str,
    fixed: Option<&'a str>,
}

/// Where the package is: its directory and its module, symbolic links resolved (Go matches
/// overlay paths against the directory it is run in).
struct Place {
    directory: PathBuf,
    module_root: PathBuf,
    module_path: String,
    /// The package as `go` names it from the module root: `.` or `./pkg/a`.
    pattern: String,
    /// What turns a path relative to the module root (as `go` prints them) into one relative
    /// to where goleak-fix runs, as display paths are: `server/` when the module is `server/`.
    shown_root: Option<String>,
}

/// What one `go` command made of the package.
struct GoRun {
    success: bool,
    output: String,
}

/// A check's answer about some fixes.
enum Check {
    Pass,
    /// New problems, the first one first.
    Fail(String),
    /// The toolchain could not tell.
    Unknown(String),
}

type FileVerdict = (usize, Status, String);

impl PackageJob<'_> {
    fn verdicts(&self) -> Vec<FileVerdict> {
        let fixed: Vec<usize> = (0..self.files.len())
            .filter(|&i| self.files[i].fixed.is_some())
            .collect();
        let all = |status: Status, reason: &str| -> Vec<FileVerdict> {
            fixed
                .iter()
                .map(|&i| (self.files[i].index, status, reason.to_string()))
                .collect()
        };
        let place = match self.place() {
            Ok(place) => place,
            Err(reason) => return all(Status::Unverified, &reason),
        };
        if let Err(error) = self.write_copies() {
            return all(
                Status::Unverified,
                &format!("cannot write the temp copies: {error}"),
            );
        }
        let mut verdicts: BTreeMap<usize, (Status, String)> = BTreeMap::new();
        for &i in &fixed {
            if let Some(reason) = self.gofmt_regression(i) {
                verdicts.insert(i, (Status::Dropped, reason));
            }
        }
        let candidates: Vec<usize> = fixed
            .iter()
            .copied()
            .filter(|i| !verdicts.contains_key(i))
            .collect();
        if !candidates.is_empty() {
            self.vet(&place, &candidates, &mut verdicts);
        }
        if self.options.level == Level::Test {
            let passed: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|i| verdicts.get(i).is_some_and(|(s, _)| *s == Status::Verified))
                .collect();
            if !passed.is_empty() {
                self.test(&place, &passed, &mut verdicts);
            }
        }
        fixed
            .iter()
            .map(|&i| {
                let (status, reason) = verdicts.remove(&i).unwrap_or((
                    Status::Unverified,
                    "not checked (an internal error in goleak-fix)".to_string(),
                ));
                (self.files[i].index, status, reason)
            })
            .collect()
    }

    /// The `go vet` verdicts on `candidates` (indices into `files`).
    fn vet(
        &self,
        place: &Place,
        candidates: &[usize],
        verdicts: &mut BTreeMap<usize, (Status, String)>,
    ) {
        let timeout = self.options.vet_timeout;
        let vet = |with: &[usize]| self.go_vet(place, with, timeout);
        let baseline = match vet(&[]) {
            Ok(run) => run,
            Err(reason) => {
                for &i in candidates {
                    verdicts.insert(i, (Status::Unverified, reason.clone()));
                }
                return;
            }
        };
        // Build constraints can leave a file out of the package on this platform: vet would
        // pass without having seen the fix.
        let ignored = self.ignored_files(place, candidates);
        let candidates: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|i| {
                let left_out = ignored.contains(&self.files[*i].name);
                if left_out {
                    verdicts.insert(
                        *i,
                        (
                            Status::Unverified,
                            "build constraints leave the file out of the package on this platform (GOOS/GOARCH)".to_string(),
                        ),
                    );
                }
                !left_out
            })
            .collect();
        let check = |with: &[usize]| match vet(with) {
            Ok(run) => match self.new_vet_problems(place, &baseline, &run).first() {
                None => Check::Pass,
                Some(line) => Check::Fail(format!("go vet: {line}")),
            },
            Err(reason) => Check::Unknown(reason),
        };
        let passing = attribute(&candidates, check, verdicts);
        let reason = if baseline.success {
            "go vet clean".to_string()
        } else {
            let line = self.render(place, &first_line(&baseline.output));
            if is_missing_dependency(&baseline.output) {
                format!("dependencies missing (GOPROXY=off): {line}")
            } else if is_toolchain_too_old(&baseline.output) {
                format!("needs a newer Go toolchain (GOTOOLCHAIN=local): {line}")
            } else {
                format!("the package does not vet clean without the fix either: {line}")
            }
        };
        let status = if baseline.success {
            Status::Verified
        } else {
            Status::Unverified
        };
        for i in passing {
            verdicts.insert(i, (status, reason.clone()));
        }
    }

    /// The `go test` verdicts on `passed` (which vetted clean).
    fn test(
        &self,
        place: &Place,
        passed: &[usize],
        verdicts: &mut BTreeMap<usize, (Status, String)>,
    ) {
        if !self.has_tests() {
            for &i in passed {
                verdicts.insert(
                    i,
                    (
                        Status::Verified,
                        "go vet clean; no tests in the package".to_string(),
                    ),
                );
            }
            return;
        }
        let baseline = match self.go_test(place, &[], "before") {
            Ok(run) => run,
            Err(reason) => {
                for &i in passed {
                    verdicts.insert(
                        i,
                        (Status::Unverified, format!("go vet clean, but {reason}")),
                    );
                }
                return;
            }
        };
        if !baseline.success {
            let line = self.render(place, &first_failure(&baseline.output));
            for &i in passed {
                verdicts.insert(
                    i,
                    (
                        Status::Unverified,
                        format!("go vet clean, but the tests fail without the fix too: {line}"),
                    ),
                );
            }
            return;
        }
        // Each run with fixes: its label, the files whose fixes it had, and whether it passed.
        let runs: std::sync::Mutex<Vec<(String, Vec<usize>, bool)>> = Default::default();
        let check = |with: &[usize]| {
            let label = format!("after-{}", runs.lock().map_or(0, |runs| runs.len()));
            let result = self.go_test(place, with, &label);
            if let Ok(mut runs) = runs.lock() {
                let passed = result.as_ref().is_ok_and(|run| run.success);
                runs.push((label, with.to_vec(), passed));
            }
            match result {
                Ok(run) if run.success => Check::Pass,
                Ok(run) => Check::Fail(format!(
                    "go test: {}",
                    self.render(place, &first_failure(&run.output))
                )),
                Err(reason) => Check::Unknown(reason),
            }
        };
        let passing = attribute(passed, check, verdicts);
        let runs = runs.into_inner().unwrap_or_default();
        let leaks_before = self.leaks(place, "before");
        for i in passing {
            let mut reason = "go vet clean; the package's tests pass with the fix".to_string();
            // The last passing run that had this file's fixes.
            let leaks_after = runs
                .iter()
                .rev()
                .find(|(_, with, passed)| *passed && with.contains(&i))
                .and_then(|(label, _, _)| self.leaks(place, label));
            if let (Some(before), Some(after)) = (&leaks_before, &leaks_after) {
                let name = &self.files[i].name;
                let before = before.get(name).copied().unwrap_or(0);
                let after = after.get(name).copied().unwrap_or(0);
                if before == 0 && after == 0 {
                    reason.push_str(
                        "; the goroutineleak profile finds no goroutine leaked from this file before or after (the tests may not reach the fixed code)",
                    );
                } else {
                    reason.push_str(&format!(
                        "; goroutineleak profile: {before} goroutine(s) leaked from this file before the fix, {after} after"
                    ));
                }
            }
            verdicts.insert(i, (Status::Verified, reason));
        }
    }

    /// Resolves the package's directory and finds its module.
    fn place(&self) -> Result<Place, String> {
        let directory = std::fs::canonicalize(&self.directory)
            .map_err(|error| format!("the package directory is not on disk ({error})"))?;
        let module_root = directory
            .ancestors()
            .find(|dir| dir.join("go.mod").is_file())
            .ok_or("not in a Go module (no go.mod in the directory or above it)")?
            .to_path_buf();
        let go_mod = std::fs::read_to_string(module_root.join("go.mod")).map_err(|error| {
            format!(
                "cannot read {}: {error}",
                module_root.join("go.mod").display()
            )
        })?;
        let module_path = go_mod
            .lines()
            .find_map(|line| line.trim().strip_prefix("module "))
            .map(|path| path.trim().trim_matches('"').to_string())
            .unwrap_or_default();
        let relative = directory
            .strip_prefix(&module_root)
            .unwrap_or(Path::new(""))
            .to_string_lossy()
            .replace('\\', "/");
        let pattern = if relative.is_empty() {
            ".".to_string()
        } else {
            format!("./{relative}")
        };
        // The display path of a file of the package ends with its path in the module.
        let shown_root = self.files.first().and_then(|file| {
            let in_module = if relative.is_empty() {
                file.name.clone()
            } else {
                format!("{relative}/{}", file.name)
            };
            let root = file.display.strip_suffix(&in_module)?;
            (root.is_empty() || root.ends_with('/')).then(|| root.to_string())
        });
        Ok(Place {
            directory,
            module_root,
            module_path,
            pattern,
            shown_root,
        })
    }

    fn original_copy(&self, i: usize) -> PathBuf {
        self.work.join("original").join(&self.files[i].name)
    }

    fn fixed_copy(&self, i: usize) -> PathBuf {
        self.work.join("fixed").join(&self.files[i].name)
    }

    /// Every analysed file as read, and every fixed file, in the temp directory.
    fn write_copies(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(self.work.join("original"))?;
        std::fs::create_dir_all(self.work.join("fixed"))?;
        for (i, file) in self.files.iter().enumerate() {
            std::fs::write(self.original_copy(i), file.original)?;
            if let Some(fixed) = file.fixed {
                let broken = self
                    .options
                    .break_fixes_for_tests
                    .as_deref()
                    .is_some_and(|name| name == "*" || name == file.name);
                if broken {
                    let text = format!("{fixed}\nvar _ = goleakFixTestBrokenFix\n");
                    std::fs::write(self.fixed_copy(i), text)?;
                } else {
                    std::fs::write(self.fixed_copy(i), fixed)?;
                }
            }
        }
        Ok(())
    }

    /// Writes an overlay that gives Go every analysed file as read, but the fixed text for
    /// the files in `with`, plus `extra` files (name, temp path); returns its path.
    fn overlay(
        &self,
        place: &Place,
        with: &[usize],
        extra: &[(&str, &Path)],
    ) -> std::io::Result<PathBuf> {
        let mut replace: BTreeMap<String, String> = BTreeMap::new();
        for i in 0..self.files.len() {
            let copy = if with.contains(&i) {
                self.fixed_copy(i)
            } else {
                self.original_copy(i)
            };
            replace.insert(
                place
                    .directory
                    .join(&self.files[i].name)
                    .display()
                    .to_string(),
                copy.display().to_string(),
            );
        }
        for (name, copy) in extra {
            replace.insert(
                place.directory.join(name).display().to_string(),
                copy.display().to_string(),
            );
        }
        let path = self.work.join(format!("overlay-{}.json", self.next_run()));
        let json = serde_json::json!({ "Replace": replace });
        std::fs::write(&path, json.to_string())?;
        Ok(path)
    }

    fn next_run(&self) -> usize {
        self.runs.fetch_add(1, Ordering::Relaxed)
    }

    /// `go vet -overlay ... ./pkg` from the module root.
    fn go_vet(&self, place: &Place, with: &[usize], timeout: Duration) -> Result<GoRun, String> {
        let overlay = self
            .overlay(place, with, &[])
            .map_err(|error| format!("cannot write the overlay: {error}"))?;
        let mut command = self.go_command(place);
        command
            .arg("vet")
            .arg(overlay_flag(&overlay))
            .arg(&place.pattern);
        self.run(command, timeout, "go vet")
    }

    /// The files of the package that build constraints leave out, by name (`go list`).
    fn ignored_files(&self, place: &Place, with: &[usize]) -> Vec<String> {
        let Ok(overlay) = self.overlay(place, with, &[]) else {
            return Vec::new();
        };
        let mut command = self.go_command(place);
        command
            .args([
                "list",
                "-e",
                "-f",
                "{{range .IgnoredGoFiles}}{{.}}\n{{end}}",
            ])
            .arg(overlay_flag(&overlay))
            .arg(&place.pattern);
        match self.run(command, self.options.vet_timeout, "go list") {
            Ok(run) if run.success => run.output.lines().map(|l| l.trim().to_string()).collect(),
            _ => Vec::new(),
        }
    }

    /// `go test -overlay ... -count=1 -run . ./pkg` from the module root, with the leak
    /// profile's test file in the overlay when the toolchain has the experiment. `label`
    /// names the profile it writes.
    fn go_test(&self, place: &Place, with: &[usize], label: &str) -> Result<GoRun, String> {
        let timeout = self.options.test_timeout;
        let mut command = self.go_command(place);
        let mut extra = Vec::new();
        let profile_test = self.work.join(LEAK_TEST_FILE);
        if let Some(experiment) = &self.toolchain.leak_experiment {
            let package = self
                .files
                .iter()
                .find(|f| !f.name.ends_with("_test.go"))
                .or(self.files.first())
                .and_then(|f| package_name(f.original))
                .unwrap_or_else(|| "main".to_string());
            let written = std::fs::write(&profile_test, leak_profile_test(&package));
            if written.is_ok() {
                extra.push((LEAK_TEST_FILE, profile_test.as_path()));
                command.env("GOEXPERIMENT", experiment);
                command.env(
                    LEAK_PROFILE_ENV,
                    self.work.join(format!("leaks-{label}.txt")),
                );
            }
        }
        let overlay = self
            .overlay(place, with, &extra)
            .map_err(|error| format!("cannot write the overlay: {error}"))?;
        command
            .arg("test")
            .arg(overlay_flag(&overlay))
            .args(["-count=1", "-run", "."])
            .arg(format!("-timeout={}s", timeout.as_secs().max(1)))
            .arg(&place.pattern);
        self.run(command, timeout, "go test")
    }

    /// Leaked goroutines per fixed file's name in the profile written by the run `label`;
    /// `None` when there is no profile.
    fn leaks(&self, place: &Place, label: &str) -> Option<HashMap<String, usize>> {
        let profile = std::fs::read_to_string(self.work.join(format!("leaks-{label}.txt"))).ok()?;
        let mut paths: Vec<(String, String, String)> = Vec::new();
        for file in &self.files {
            let absolute = place.directory.join(&file.name).display().to_string();
            let relative = place
                .directory
                .strip_prefix(&place.module_root)
                .map(|dir| dir.join(&file.name).to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            // With -trimpath, frames name the file by its import path.
            let trimmed = format!("{}/{relative}", place.module_path);
            paths.push((file.name.clone(), absolute, trimmed));
        }
        Some(count_leaks(&profile, &paths))
    }

    fn has_tests(&self) -> bool {
        self.files.iter().any(|f| f.name.ends_with("_test.go"))
            || std::fs::read_dir(&self.directory).is_ok_and(|entries| {
                entries
                    .flatten()
                    .any(|e| e.file_name().to_string_lossy().ends_with("_test.go"))
            })
    }

    /// Why the fixed file must be dropped for gofmt, if it must: it is not gofmt-clean and
    /// the file as read was.
    fn gofmt_regression(&self, i: usize) -> Option<String> {
        let gofmt = self.toolchain.gofmt.as_ref()?;
        let clean = |path: PathBuf| {
            let mut command = Command::new(gofmt);
            command.arg("-l").arg(path);
            match self.run(command, self.options.vet_timeout, "gofmt") {
                Ok(run) => run.success && run.output.trim().is_empty(),
                Err(_) => false,
            }
        };
        if !clean(self.original_copy(i)) || clean(self.fixed_copy(i)) {
            return None;
        }
        Some("gofmt: the fixed file is not gofmt-clean, and the file as read was".to_string())
    }

    fn go_command(&self, place: &Place) -> Command {
        let mut command = offline_command(&self.toolchain.go);
        command
            .current_dir(&place.module_root)
            // Go trusts PWD for its working directory when it names the same place.
            .env("PWD", &place.module_root);
        command
    }

    /// Runs `command` with its output in a log file, killing it after `timeout`.
    fn run(&self, mut command: Command, timeout: Duration, what: &str) -> Result<GoRun, String> {
        let log = self.work.join(format!("run-{}.log", self.next_run()));
        let file =
            std::fs::File::create(&log).map_err(|error| format!("{what}: cannot log: {error}"))?;
        let err = file
            .try_clone()
            .map_err(|error| format!("{what}: cannot log: {error}"))?;
        // Output goes to a file, not a pipe: a grandchild left behind by a timeout cannot
        // hold up the reading.
        command.stdin(Stdio::null()).stdout(file).stderr(err);
        if interrupt::pending() {
            return Err(format!("{what}: {INTERRUPTED}"));
        }
        let mut child = command
            .spawn()
            .map_err(|error| format!("{what} could not run: {error}"))?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(5);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if interrupt::pending() => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("{what}: {INTERRUPTED}"));
                }
                Ok(None) if started.elapsed() >= timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("{what} timed out after {}s", timeout.as_secs()));
                }
                Ok(None) => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                Err(error) => return Err(format!("{what}: {error}")),
            }
        };
        let output = std::fs::read(&log)
            .map_err(|error| format!("{what}: cannot read its output: {error}"))?;
        Ok(GoRun {
            success: status.success(),
            output: String::from_utf8_lossy(&output).into_owned(),
        })
    }

    /// The diagnostics of `fixed` that `baseline` does not have (compared without positions
    /// and temp directories, counting repeats), as people should read them.
    fn new_vet_problems(&self, place: &Place, baseline: &GoRun, fixed: &GoRun) -> Vec<String> {
        let mut before: HashMap<String, usize> = HashMap::new();
        for line in diagnostics(&baseline.output) {
            *before.entry(normalise(line)).or_default() += 1;
        }
        let mut new = Vec::new();
        for line in diagnostics(&fixed.output) {
            match before.get_mut(&normalise(line)) {
                Some(count) if *count > 0 => *count -= 1,
                _ => new.push(self.render(place, line)),
            }
        }
        if new.is_empty() && baseline.success && !fixed.success {
            new.push(self.render(place, &first_line(&fixed.output)));
        }
        new
    }

    /// `line` with the temp copies named by the files' display paths, and the paths `go`
    /// prints relative to the module root made relative to where goleak-fix runs.
    fn render(&self, place: &Place, line: &str) -> String {
        let line = line.trim();
        let line = line.strip_prefix("vet: ").unwrap_or(line);
        map_go_paths(line, |path, rest| {
            let (directory, name) = path.rsplit_once('/').unwrap_or(("", path));
            let is_copy = ["original", "fixed"]
                .iter()
                .any(|copy| directory == *copy || directory.ends_with(&format!("/{copy}")));
            if is_copy {
                let file = self.files.iter().find(|f| f.name == name)?;
                return Some(format!("{}{rest}", file.display));
            }
            let root = place
                .shown_root
                .as_deref()
                .filter(|root| !root.is_empty())?;
            if Path::new(path).is_absolute() {
                return None;
            }
            Some(format!("{}{rest}", join_shown(root, path)))
        })
    }
}

/// Runs `check` on all `candidates` together; when that fails and there is more than one,
/// on each alone, to find whose fixes break the package; then on the survivors together
/// again. Fills `verdicts` for the files that fail or cannot be checked; returns those that
/// pass.
fn attribute(
    candidates: &[usize],
    check: impl Fn(&[usize]) -> Check,
    verdicts: &mut BTreeMap<usize, (Status, String)>,
) -> Vec<usize> {
    match check(candidates) {
        Check::Pass => return candidates.to_vec(),
        Check::Unknown(reason) => {
            for &i in candidates {
                verdicts.insert(i, (Status::Unverified, reason.clone()));
            }
            return Vec::new();
        }
        Check::Fail(reason) if candidates.len() == 1 => {
            verdicts.insert(candidates[0], (Status::Dropped, reason));
            return Vec::new();
        }
        Check::Fail(_) => {}
    }
    let mut passing = Vec::new();
    for &i in candidates {
        match check(&[i]) {
            Check::Pass => passing.push(i),
            Check::Fail(reason) => {
                verdicts.insert(i, (Status::Dropped, reason));
            }
            Check::Unknown(reason) => {
                verdicts.insert(i, (Status::Unverified, reason));
            }
        }
    }
    if passing.len() > 1 {
        match check(&passing) {
            Check::Pass => {}
            Check::Fail(reason) => {
                for &i in &passing {
                    verdicts.insert(
                        i,
                        (
                            Status::Dropped,
                            format!(
                                "breaks the package together with the other fixes in it: {reason}"
                            ),
                        ),
                    );
                }
                passing.clear();
            }
            Check::Unknown(reason) => {
                for &i in &passing {
                    verdicts.insert(i, (Status::Unverified, reason.clone()));
                }
                passing.clear();
            }
        }
    }
    passing
}

/// Why a `go` command was stopped: the run ends as soon as verification lets it.
const INTERRUPTED: &str = "stopped by a signal";

/// The test file added to the package for the leak profile. Named to sort last, so its test
/// runs after the package's own sequential tests.
const LEAK_TEST_FILE: &str = "zzzz_goleak_fix_leak_profile_test.go";
const LEAK_PROFILE_ENV: &str = "GOLEAK_FIX_LEAK_PROFILE";

fn leak_profile_test(package: &str) -> String {
    format!(
        r#"package {package}

// Added by goleak-fix --verify=test through -overlay; never written to the package.

import (
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

func TestZZZGoleakFixLeakProfile(t *testing.T) {{
	profile := pprof.Lookup("goroutineleak")
	path := os.Getenv("{LEAK_PROFILE_ENV}")
	if profile == nil || path == "" {{
		return
	}}
	// Let goroutines the tests left behind reach the operation they block on.
	time.Sleep(100 * time.Millisecond)
	file, err := os.Create(path)
	if err != nil {{
		return
	}}
	defer file.Close()
	_ = profile.WriteTo(file, 1)
}}
"#
    )
}

/// The `GOEXPERIMENT` value that turns the goroutine leak profile on, when `go` knows it.
fn leak_experiment(go: &Path) -> Option<String> {
    let value = match std::env::var("GOEXPERIMENT") {
        Ok(existing) if !existing.trim().is_empty() => format!("{existing},goroutineleakprofile"),
        _ => "goroutineleakprofile".to_string(),
    };
    let known = offline_command(go)
        .args(["env", "GOEXPERIMENT"])
        .env("GOEXPERIMENT", &value)
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    known.then_some(value)
}

/// Sums, per file name, the leaked goroutines of a `goroutineleak` profile (debug=1 text)
/// whose stack has a frame in that file. `files` holds (name, absolute path, import-path
/// form of the path).
fn count_leaks(profile: &str, files: &[(String, String, String)]) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut record: Option<(usize, Vec<&str>)> = None;
    let mut flush = |record: Option<(usize, Vec<&str>)>| {
        let Some((count, names)) = record else {
            return;
        };
        for name in names {
            *counts.entry(name.to_string()).or_default() += count;
        }
    };
    for line in profile.lines() {
        if let Some((count, _)) = line.split_once(" @ ") {
            flush(record.take());
            record = count.trim().parse().ok().map(|count| (count, Vec::new()));
            continue;
        }
        let Some((_, names)) = record.as_mut() else {
            continue;
        };
        let Some(frame) = line.strip_prefix('#') else {
            continue;
        };
        let Some(location) = frame.split('\t').next_back() else {
            continue;
        };
        let path = location
            .rsplit_once(':')
            .map_or(location, |(path, _)| path)
            .trim();
        for (name, absolute, trimmed) in files {
            if (path == absolute || path == trimmed) && !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    flush(record);
    counts
}

/// `go` with nothing to download: no module proxy, no toolchain switch.
fn offline_command(go: &Path) -> Command {
    let mut command = Command::new(go);
    command.env("GOPROXY", "off").env("GOTOOLCHAIN", "local");
    command
}

fn overlay_flag(overlay: &Path) -> String {
    format!("-overlay={}", overlay.display())
}

fn executable_name(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// The executable `name` in a directory of PATH.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(executable_name(name)))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The package clause's name.
fn package_name(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("package "))
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_string)
}

/// `root` (ending in `/`) joined with `path`, its leading `../` taken off `root`:
/// `server/` and `../client/a.go` give `client/a.go`.
fn join_shown(root: &str, path: &str) -> String {
    let mut parts: Vec<&str> = root.split('/').filter(|p| !p.is_empty()).collect();
    let mut rest = path;
    while let Some(up) = rest.strip_prefix("../") {
        if parts.pop().is_none() {
            return path.to_string();
        }
        rest = up;
    }
    let rest = rest.strip_prefix("./").unwrap_or(rest);
    parts.push(rest);
    parts.join("/")
}

/// The lines of `go` output that are diagnostics: not `# package` headers, and not `go:
/// downloading ...` (which `GOPROXY=off` turns into errors printed on their own lines).
fn diagnostics(output: &str) -> impl Iterator<Item = &str> {
    output.lines().filter(|line| {
        !line.trim().is_empty()
            && !line.starts_with('#')
            && !line.starts_with("go: downloading ")
            && !line.starts_with("go: finding ")
    })
}

fn first_line(output: &str) -> String {
    diagnostics(output)
        .next()
        .unwrap_or("(no output)")
        .trim()
        .to_string()
}

/// The line that best says why `go test` failed.
fn first_failure(output: &str) -> String {
    let lines: Vec<&str> = diagnostics(output).collect();
    let pick = lines
        .iter()
        .find(|l| l.trim_start().starts_with("--- FAIL"))
        .or_else(|| lines.iter().find(|l| l.starts_with("panic:")))
        .or_else(|| lines.iter().find(|l| l.contains(".go:")))
        .or(lines.first());
    pick.map_or("(no output)", |l| l.trim()).to_string()
}

/// Needs a module or package that is not in the module cache (and cannot be downloaded).
fn is_missing_dependency(output: &str) -> bool {
    const SIGNS: [&str; 8] = [
        "cannot find module",
        "no required module provides package",
        "GOPROXY=off",
        "missing go.sum entry",
        "module lookup disabled",
        "cannot find package",
        "updates to go.mod needed",
        "is not in std",
    ];
    SIGNS.iter().any(|sign| output.contains(sign))
}

fn is_toolchain_too_old(output: &str) -> bool {
    output.contains("GOTOOLCHAIN=local") || output.contains("requires go >=")
}

/// A diagnostic without what differs between two runs on the same code: the directories of
/// `.go` paths (the temp copies) and the positions after them (an inserted line moves every
/// line below it). `/tmp/x/fixed/a.go:12:3: declared and not used: v` becomes
/// `a.go: declared and not used: v`.
fn normalise(line: &str) -> String {
    let line = line.trim();
    let line = line.strip_prefix("vet: ").unwrap_or(line);
    map_go_paths(line, |path, rest| {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        match rest.strip_prefix(':') {
            Some(position) => {
                let after = position.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':');
                Some(format!("{name}:{after}"))
            }
            None => Some(format!("{name}{rest}")),
        }
    })
}

/// Rewrites each whitespace-separated word of `line` that holds a `.go` path: `map` gets the
/// path and what follows it in the word (`:12:3:`), and returns the new word or `None` to
/// keep it.
fn map_go_paths(line: &str, map: impl Fn(&str, &str) -> Option<String>) -> String {
    line.split(' ')
        .map(|word| {
            let start = word
                .find(|c: char| !matches!(c, '"' | '\'' | '(' | '['))
                .unwrap_or(word.len());
            let (lead, body) = word.split_at(start);
            let Some(end) = body.rfind(".go").map(|i| i + 3) else {
                return word.to_string();
            };
            let (path, rest) = body.split_at(end);
            if !(rest.is_empty() || rest.starts_with([':', '"', '\'', ')', ']', ','])) {
                return word.to_string();
            }
            match map(path, rest) {
                Some(new) => format!("{lead}{new}"),
                None => word.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_compare_without_positions_or_temp_directories() {
        assert_eq!(
            normalise("vet: /tmp/goleak-fix-verify-x/p0/fixed/a.go:12:3: declared and not used: v"),
            "a.go: declared and not used: v"
        );
        assert_eq!(
            normalise("../../tmp/y/p0/original/a.go:11:3: declared and not used: v"),
            "a.go: declared and not used: v"
        );
        assert_eq!(
            normalise("a.go:3:8: no required module provides package example.org/x; to add it:"),
            "a.go: no required module provides package example.org/x; to add it:"
        );
        assert_eq!(normalise("\tgo get example.org/x"), "go get example.org/x");
    }

    #[test]
    fn the_leak_profile_is_counted_per_fixed_file() {
        let profile = "goroutineleak profile: total 6\n\
            5 @ 0x483eee 0x41591c\n\
            #\t0x52ef75\texample.com/t.Fetch.func1+0x35\t/src/t/a.go:9\n\
            \n\
            1 @ 0x483eee\n\
            #\t0x52ef75\texample.com/t.Other+0x35\texample.com/t/b.go:4\n";
        let files = [
            (
                "a.go".to_string(),
                "/src/t/a.go".to_string(),
                "example.com/t/a.go".to_string(),
            ),
            (
                "b.go".to_string(),
                "/src/t/b.go".to_string(),
                "example.com/t/b.go".to_string(),
            ),
        ];
        let counts = count_leaks(profile, &files);
        assert_eq!(counts.get("a.go"), Some(&5));
        assert_eq!(counts.get("b.go"), Some(&1));
    }

    #[test]
    fn attribution_drops_only_the_file_whose_fix_breaks_the_package() {
        let check = |with: &[usize]| {
            if with.contains(&1) {
                Check::Fail("go vet: b.go:3:1: undefined: x".into())
            } else {
                Check::Pass
            }
        };
        let mut verdicts = BTreeMap::new();
        let passing = attribute(&[0, 1, 2], check, &mut verdicts);
        assert_eq!(passing, [0, 2]);
        assert_eq!(verdicts.len(), 1);
        assert_eq!(verdicts[&1].0, Status::Dropped);
    }

    #[test]
    fn paths_from_the_module_root_are_shown_from_where_goleak_fix_runs() {
        assert_eq!(
            join_shown("server/", "etcdserver/a.go"),
            "server/etcdserver/a.go"
        );
        assert_eq!(join_shown("server/", "../client/b.go"), "client/b.go");
        assert_eq!(join_shown("", "../b.go"), "../b.go");
    }

    #[test]
    fn the_package_clause_names_the_package() {
        assert_eq!(
            package_name("// Package x does y.\npackage x // import \"a/x\"\n").as_deref(),
            Some("x")
        );
        assert!(is_missing_dependency(
            "a.go:3:8: no required module provides package github.com/foo/bar; to add it:"
        ));
    }
}
