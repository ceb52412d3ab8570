//! The verdict policy: which runs of `go vet`, `gofmt` and `go test` keep, drop or leave
//! unverified a file's fixes.

use super::Level;
use super::Status;
use super::bisect::{Check, attribute};
use super::diagnostics::{
    first_failure, first_line, is_missing_dependency, is_toolchain_too_old, normalise,
    vet_diagnostics,
};
use super::package::{PackageJob, Place};
use super::process::GoRun;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::Command;

pub(super) type FileVerdict = (usize, Status, String);

impl PackageJob<'_> {
    pub(super) fn verdicts(&self) -> Vec<FileVerdict> {
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
    pub(super) fn vet(
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
            // The package builds: what vet already reported without the fix is not the
            // fix's doing, and does not keep it from being verified.
            match vet_diagnostics(&baseline.output, &place.module_root).len() {
                0 => "go vet clean".to_string(),
                n => format!("go vet: no new diagnostic ({n} pre-existing)"),
            }
        } else {
            let line = self.render(place, &first_line(&baseline.output));
            if is_missing_dependency(&baseline.output) {
                format!(
                    "dependencies missing (GOPROXY=off): run go mod download in {}: {line}",
                    place.shown_module_root()
                )
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
    pub(super) fn test(
        &self,
        place: &Place,
        passed: &[usize],
        verdicts: &mut BTreeMap<usize, (Status, String)>,
    ) {
        // What vet said of each file ("go vet clean", or the pre-existing diagnostics), which
        // the test verdict goes on from.
        let vetted: BTreeMap<usize, String> = passed
            .iter()
            .map(|&i| {
                let reason = verdicts.get(&i).map(|(_, reason)| reason.clone());
                (i, reason.unwrap_or_else(|| "go vet clean".to_string()))
            })
            .collect();
        if !self.has_tests() {
            for &i in passed {
                verdicts.insert(
                    i,
                    (
                        Status::Verified,
                        format!("{}; no tests in the package", vetted[&i]),
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
                        (Status::Unverified, format!("{}, but {reason}", vetted[&i])),
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
                        format!(
                            "{}, but the tests fail without the fix too: {line}",
                            vetted[&i]
                        ),
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
                Ok(run) => {
                    // A test that passed without the fix and fails with it may be flaky (a
                    // timing-dependent integration test on a busy machine): the failing tests
                    // run once more, alone, with the fix. Passing then, they cannot say what
                    // the fix did, and the fix is kept, unverified.
                    let failed = failed_tests(&run.output);
                    if !failed.is_empty() {
                        let pattern = format!("^({})$", failed.join("|"));
                        let retry = self.go_test_matching(place, with, "retry", &pattern);
                        if retry.is_ok_and(|retry| retry.success) {
                            return Check::Unknown(format!(
                                "go test: {} failed with the fix and passed when run again with it: a flaky test cannot judge the fix",
                                failed.join(", ")
                            ));
                        }
                    }
                    Check::Fail(format!(
                        "go test: {}",
                        self.render(place, &first_failure(&run.output))
                    ))
                }
                Err(reason) => Check::Unknown(reason),
            }
        };
        let passing = attribute(passed, check, verdicts);
        let runs = runs.into_inner().unwrap_or_default();
        let leaks_before = self.leaks(place, "before");
        for i in passing {
            let mut reason = format!("{}; the package's tests pass with the fix", vetted[&i]);
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

    /// Why the fixed file must be dropped for gofmt, if it must: it is not gofmt-clean and
    /// the file as read was.
    pub(super) fn gofmt_regression(&self, i: usize) -> Option<String> {
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

    /// The diagnostics of `fixed` that `baseline` does not have (compared without positions
    /// and temp directories, counting repeats), as people should read them.
    pub(super) fn new_vet_problems(
        &self,
        place: &Place,
        baseline: &GoRun,
        fixed: &GoRun,
    ) -> Vec<String> {
        let mut before: HashMap<String, usize> = HashMap::new();
        for line in vet_diagnostics(&baseline.output, &place.module_root) {
            *before.entry(normalise(&line)).or_default() += 1;
        }
        let mut new = Vec::new();
        for line in vet_diagnostics(&fixed.output, &place.module_root) {
            match before.get_mut(&normalise(&line)) {
                Some(count) if *count > 0 => *count -= 1,
                _ => new.push(self.render(place, &line)),
            }
        }
        if new.is_empty() && baseline.success && !fixed.success {
            new.push(self.render(place, &first_line(&fixed.output)));
        }
        new
    }
}

/// The top-level tests that `go test` says failed (`--- FAIL: TestX (0.01s)`, and `TestX` for
/// a failing subtest `TestX/case`), each once, in order. Only names Go accepts for tests
/// (letters, digits, `_`), so that they can be put in a `-run` pattern as they are.
pub(super) fn failed_tests(output: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in output.lines() {
        let Some(rest) = line.trim_start().strip_prefix("--- FAIL: ") else {
            continue;
        };
        let name = rest.split([' ', '/']).next().unwrap_or_default();
        let valid = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if valid && !names.iter().any(|seen| seen == name) {
            names.push(name.to_string());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_tests_are_named_once_by_their_top_level_name() {
        let output = "=== RUN   TestA\n--- FAIL: TestA (0.00s)\n    --- FAIL: TestB/case_1 (0.00s)\n--- FAIL: TestB (0.01s)\n--- FAIL: Test$(x) (0.00s)\nFAIL\n";
        assert_eq!(failed_tests(output), ["TestA", "TestB"]);
    }
}
