//! Running a `go` command: output to a log file, a timeout, and a stop on SIGINT or SIGTERM.

use super::package::PackageJob;
use crate::interrupt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Why a `go` command was stopped: the run ends as soon as verification lets it.
pub(super) const INTERRUPTED: &str = "stopped by a signal";

/// What one `go` command made of the package.
pub(super) struct GoRun {
    pub(super) success: bool,
    pub(super) output: String,
}

impl PackageJob<'_> {
    /// Runs `command` with its output in the package's next log file (see `run_logged`).
    pub(super) fn run(
        &self,
        command: Command,
        timeout: Duration,
        what: &str,
    ) -> Result<GoRun, String> {
        let log = self.work.join(format!("run-{}.log", self.next_run()));
        run_logged(command, &log, timeout, what)
    }
}

/// Runs `command` with its output in the file `log`, killing it after `timeout`, or as soon
/// as a SIGINT or SIGTERM is pending (so that the temp directory goes before the process).
/// `what` names the command in the errors.
pub(super) fn run_logged(
    mut command: Command,
    log: &Path,
    timeout: Duration,
    what: &str,
) -> Result<GoRun, String> {
    let file =
        std::fs::File::create(log).map_err(|error| format!("{what}: cannot log: {error}"))?;
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
                return Err(format!(
                    "{what} timed out after {}s (a cold build cache makes the first run slow: \
                     raise --verify-timeout, or build the module once first)",
                    timeout.as_secs()
                ));
            }
            Ok(None) => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(100));
            }
            Err(error) => return Err(format!("{what}: {error}")),
        }
    };
    let output =
        std::fs::read(log).map_err(|error| format!("{what}: cannot read its output: {error}"))?;
    Ok(GoRun {
        success: status.success(),
        output: String::from_utf8_lossy(&output).into_owned(),
    })
}
