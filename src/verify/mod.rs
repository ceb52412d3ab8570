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
//! the same two ways (`go test -overlay ... -vet=off -count=1 -run .`): tests that pass as read and fail
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
//!
//! The parts, one concern each: `toolchain` finds `go` and `gofmt`; `package` says where a
//! package is and builds its `go` commands; `overlay` writes the copies and the `-overlay`
//! files; `process` runs a command with a timeout; `policy` turns runs into verdicts;
//! `bisect` finds whose fixes break a package; `diagnostics` compares and shows `go`'s
//! output; `leak_profile` counts leaked goroutines with `--verify=test`.

mod bisect;
mod diagnostics;
mod leak_profile;
mod overlay;
mod package;
mod policy;
mod process;
mod toolchain;

pub use toolchain::Toolchain;

use crate::engine::FileOutcome;
use crate::interrupt;
use crate::streams::say;
use package::{FileJob, PackageJob};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

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

    /// Its colour on a terminal.
    pub fn style(self) -> crate::color::Style {
        match self {
            Status::Verified => crate::color::Style::Green,
            Status::Dropped => crate::color::Style::Red,
            Status::Unverified => crate::color::Style::Yellow,
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
        format!("{} {}", self.status.as_str(), self.detail(path))
    }

    /// The line without its first word, the status.
    pub fn detail(&self, path: &str) -> String {
        match self.status {
            // A file only another file's fix changes (its other half) has no fix of its own.
            Status::Verified if self.fixes == 0 => {
                format!("{path}: part of another file's fix ({})", self.reason)
            }
            Status::Verified => format!("{path}: {} fix(es) ({})", self.fixes, self.reason),
            _ => format!("{path}: {}", self.reason),
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

/// How to verify.
#[derive(Debug, Clone)]
pub struct Options {
    pub level: Level,
    /// The directory relative source paths start from (the current directory, or the
    /// repository's top directory for `--commit`).
    pub base: PathBuf,
    /// The longest one `go vet` (or `gofmt`, `go list`) may take.
    pub vet_timeout: Duration,
    /// The longest one `go test` may take.
    pub test_timeout: Duration,
    /// One line on stderr as each package's verification starts (for a terminal: the runs
    /// of a cold build cache take minutes, and silence reads as a hang).
    pub progress: bool,
}

/// The default limits on one `go vet` and one `go test`; `--verify-timeout` sets both.
pub const DEFAULT_VET_TIMEOUT: Duration = Duration::from_secs(120);
pub const DEFAULT_TEST_TIMEOUT: Duration = Duration::from_secs(300);

impl Options {
    pub fn new(level: Level, base: PathBuf) -> Self {
        Options {
            level,
            base,
            vet_timeout: DEFAULT_VET_TIMEOUT,
            test_timeout: DEFAULT_TEST_TIMEOUT,
            progress: false,
        }
    }

    /// Every `go` command limited to `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.vet_timeout = timeout;
        self.test_timeout = timeout;
        self
    }

    pub fn with_progress(mut self, progress: bool) -> Self {
        self.progress = progress;
        self
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
                .iter()
                .map(|&index| {
                    let outcome = &outcomes[index];
                    let linked = outcome
                        .linked
                        .iter()
                        .filter_map(|path| {
                            files
                                .iter()
                                .position(|&other| outcomes[other].source.path == *path)
                        })
                        .collect();
                    FileJob {
                        linked,
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
    let started = AtomicUsize::new(0);
    let results: Vec<(usize, Verdict)> = jobs
        .par_iter()
        .flat_map_iter(|job| {
            if options.progress {
                let n = started.fetch_add(1, Ordering::Relaxed) + 1;
                say(&job.progress_line(n, jobs.len()));
            }
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
    let mut dropped: Vec<PathBuf> = Vec::new();
    for (index, verdict) in results {
        let outcome = &mut outcomes[index];
        if verdict.status == Status::Dropped {
            outcome.fixed = None;
            outcome.applied.clear();
            dropped.push(outcome.source.path.clone());
        }
        verdicts.insert(outcome.source.display_path.clone(), verdict);
    }
    // A file whose fix also changed a dropped file is dropped with it: half a fix is none.
    for outcome in outcomes.iter_mut() {
        let Some(partner) = outcome.linked.iter().find(|path| dropped.contains(path)) else {
            continue;
        };
        if outcome.fixed.take().is_none() {
            continue;
        }
        outcome.applied.clear();
        let reason = format!(
            "dropped with {}, which the same fix changes",
            crate::walk::display_path(partner)
        );
        let fixes = verdicts
            .get(&outcome.source.display_path)
            .map_or(0, |verdict| verdict.fixes);
        verdicts.insert(
            outcome.source.display_path.clone(),
            Verdict {
                status: Status::Dropped,
                reason,
                fixes,
            },
        );
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
