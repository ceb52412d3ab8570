//! Finding the Go toolchain: `go` on PATH, the `gofmt` beside it, and what it can do.

use super::Level;
use super::VerifyError;
use super::diagnostics::first_line;
use super::leak_profile::leak_experiment;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The `go` (and `gofmt`) to run.
#[derive(Debug, Clone)]
pub struct Toolchain {
    pub(super) go: PathBuf,
    pub(super) gofmt: Option<PathBuf>,
    /// `go1.26.0`, for messages.
    pub version: String,
    /// The value to give `GOEXPERIMENT` for the goroutine leak profile, when this toolchain
    /// has it (checked for `Level::Test` only).
    pub(super) leak_experiment: Option<String>,
}

impl Toolchain {
    /// Finds `go` on PATH (see `at`).
    pub fn find(level: Level) -> Result<Self, VerifyError> {
        let go = find_on_path("go").ok_or(VerifyError::NoGo)?;
        Self::at(go, level)
    }

    /// The toolchain of the `go` at `go`, asked where it lives; `gofmt` is the one next to it.
    pub fn at(go: PathBuf, level: Level) -> Result<Self, VerifyError> {
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

/// `go` with nothing to download: no module proxy, no toolchain switch.
pub(super) fn offline_command(go: &Path) -> Command {
    let mut command = Command::new(go);
    command.env("GOPROXY", "off").env("GOTOOLCHAIN", "local");
    command
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
