//! One package to verify: where it is (its directory and module) and its `go` commands.

use super::leak_profile::{LEAK_PROFILE_ENV, LEAK_TEST_FILE, leak_profile_test};
use super::overlay::overlay_flag;
use super::process::GoRun;
use super::toolchain::offline_command;
use super::{Options, Toolchain};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

/// One package to verify: every analysed file of its directory, fixed or not.
pub(super) struct PackageJob<'a> {
    pub(super) directory: PathBuf,
    pub(super) files: Vec<FileJob<'a>>,
    /// This package's part of the temp directory.
    pub(super) work: PathBuf,
    pub(super) toolchain: &'a Toolchain,
    pub(super) options: &'a Options,
    /// Numbers the overlay and log files.
    pub(super) runs: AtomicUsize,
}

pub(super) struct FileJob<'a> {
    /// Into the outcomes.
    pub(super) index: usize,
    pub(super) name: String,
    pub(super) display: &'a str,
    pub(super) original: &'a str,
    pub(super) fixed: Option<&'a str>,
    /// The other files of the job (indices into its `files`) that the same fix changes: they
    /// are always checked together with this one.
    pub(super) linked: Vec<usize>,
}

/// Where the package is: its directory and its module, symbolic links resolved (Go matches
/// overlay paths against the directory it is run in).
pub(super) struct Place {
    pub(super) directory: PathBuf,
    pub(super) module_root: PathBuf,
    pub(super) module_path: String,
    /// The package as `go` names it from the module root: `.` or `./pkg/a`.
    pub(super) pattern: String,
    /// What turns a path relative to the module root (as `go` prints them) into one relative
    /// to where goleak-fix runs, as display paths are: `server/` when the module is `server/`.
    pub(super) shown_root: Option<String>,
}

impl Place {
    /// The module root as the user should `cd` to it: relative to where goleak-fix runs
    /// (`.`, `server`) when the package's display paths say how, else absolute.
    pub(super) fn shown_module_root(&self) -> String {
        match self.shown_root.as_deref() {
            Some("") => ".".to_string(),
            Some(root) => root.trim_end_matches('/').to_string(),
            None => self.module_root.display().to_string(),
        }
    }
}

impl PackageJob<'_> {
    /// Resolves the package's directory and finds its module.
    pub(super) fn place(&self) -> Result<Place, String> {
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

    /// `go vet -overlay ... ./pkg` from the module root.
    pub(super) fn go_vet(
        &self,
        place: &Place,
        with: &[usize],
        timeout: Duration,
    ) -> Result<GoRun, String> {
        let overlay = self
            .overlay(place, with, &[])
            .map_err(|error| format!("cannot write the overlay: {error}"))?;
        let mut command = self.go_command(place);
        // `-json`: the analyzers' diagnostics as JSON, and an exit status that says only
        // whether the package builds, so that a diagnostic it already had is told apart from
        // a package that does not compile.
        command
            .arg("vet")
            .arg("-json")
            .arg(overlay_flag(&overlay))
            .arg(&place.pattern);
        self.run(command, timeout, "go vet")
    }

    /// The files of the package that build constraints leave out, by name (`go list`).
    pub(super) fn ignored_files(&self, place: &Place, with: &[usize]) -> Vec<String> {
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

    /// `go test -overlay ... -vet=off -count=1 -run . ./pkg` from the module root, with the leak
    /// profile's test file in the overlay when the toolchain has the experiment. `label`
    /// names the profile it writes.
    pub(super) fn go_test(
        &self,
        place: &Place,
        with: &[usize],
        label: &str,
    ) -> Result<GoRun, String> {
        self.go_test_matching(place, with, label, ".")
    }

    /// `go_test` of the tests `run` (a `-run` pattern) matches.
    pub(super) fn go_test_matching(
        &self,
        place: &Place,
        with: &[usize],
        label: &str,
        run: &str,
    ) -> Result<GoRun, String> {
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
        // `-vet=off`: vet has had its say, diagnostics the package already had included;
        // `go test`'s own vet pass would fail the tests of a package for one of those.
        command
            .arg("test")
            .arg(overlay_flag(&overlay))
            .args(["-vet=off", "-count=1", "-run", run])
            .arg(format!("-timeout={}s", timeout.as_secs().max(1)))
            .arg(&place.pattern);
        self.run(command, timeout, "go test")
    }

    /// `goleak-fix: verifying pkg/a (3 of 12, go vet)`: the package as its files are shown
    /// (`say` escapes it), how far along the run is, and what runs.
    pub(super) fn progress_line(&self, n: usize, of: usize) -> String {
        let shown = self
            .files
            .iter()
            .find(|f| f.fixed.is_some())
            .or(self.files.first())
            .map(|f| match f.display.rsplit_once('/') {
                Some((directory, _)) => directory.to_string(),
                None => ".".to_string(),
            })
            .unwrap_or_default();
        let what = match self.options.level {
            super::Level::Vet => "go vet",
            super::Level::Test => "go vet, go test",
        };
        format!("goleak-fix: verifying {shown} ({n} of {of}, {what})")
    }

    pub(super) fn has_tests(&self) -> bool {
        self.files.iter().any(|f| f.name.ends_with("_test.go"))
            || std::fs::read_dir(&self.directory).is_ok_and(|entries| {
                entries
                    .flatten()
                    .any(|e| e.file_name().to_string_lossy().ends_with("_test.go"))
            })
    }

    pub(super) fn go_command(&self, place: &Place) -> Command {
        let mut command = offline_command(&self.toolchain.go);
        command
            .current_dir(&place.module_root)
            // Go trusts PWD for its working directory when it names the same place.
            .env("PWD", &place.module_root);
        command
    }
}

/// The package clause's name.
pub(super) fn package_name(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("package "))
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_clause_names_the_package() {
        assert_eq!(
            package_name("// Package x does y.\npackage x // import \"a/x\"\n").as_deref(),
            Some("x")
        );
    }
}
