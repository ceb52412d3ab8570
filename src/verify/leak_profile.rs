//! The goroutine leak profile of `--verify=test` (Go 1.26's `goroutineleakprofile`
//! experiment): the test file that writes it, and the count of leaked goroutines per file.

use super::package::{PackageJob, Place};
use super::toolchain::offline_command;
use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;

/// The test file added to the package for the leak profile. Named to sort last, so its test
/// runs after the package's own sequential tests.
pub(super) const LEAK_TEST_FILE: &str = "zzzz_goleak_fix_leak_profile_test.go";
pub(super) const LEAK_PROFILE_ENV: &str = "GOLEAK_FIX_LEAK_PROFILE";

pub(super) fn leak_profile_test(package: &str) -> String {
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
pub(super) fn leak_experiment(go: &Path) -> Option<String> {
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
pub(super) fn count_leaks(
    profile: &str,
    files: &[(String, String, String)],
) -> HashMap<String, usize> {
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

impl PackageJob<'_> {
    /// Leaked goroutines per fixed file's name in the profile written by the run `label`;
    /// `None` when there is no profile.
    pub(super) fn leaks(&self, place: &Place, label: &str) -> Option<HashMap<String, usize>> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
