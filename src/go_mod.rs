//! The Go language version a package is compiled with: the `go` directive of its module's
//! `go.mod`. A fix may use a builtin only when that version has it (`max` and `min` since Go
//! 1.21): `make(chan T, max(n, 0))` does not compile in a module that says `go 1.20`.
//!
//! The `go.mod` is found like Go finds it, in the package's directory or the nearest one above,
//! but never above the repository's top directory (the one holding `.git`), and outside a
//! repository only in the package's own directory: the scanned tree chooses what is read, and
//! nothing outside it is. The file must be a regular file reached without a symbolic link and
//! small; anything else is no version, and a fix that needs one is not offered as safe.

use crate::regular_file;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// `go 1.21` is `GoVersion { major: 1, minor: 21 }` (a patch number, `go 1.21.3`, is ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GoVersion {
    pub major: u32,
    pub minor: u32,
}

impl GoVersion {
    /// The first version with the `min` and `max` builtins.
    pub const MIN_MAX_BUILTINS: GoVersion = GoVersion {
        major: 1,
        minor: 21,
    };
}

/// A `go.mod` larger than this is not read (real ones are a few kilobytes).
const MAX_BYTES: u64 = 1 << 20;

/// The language version of the package in `directory`, once per module root for the run.
pub fn language_version(directory: &Path) -> Option<GoVersion> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Option<GoVersion>>>> = OnceLock::new();
    let go_mod = find(directory)?;
    let cache = CACHE.get_or_init(Default::default);
    if let Some(known) = cache.lock().ok()?.get(&go_mod) {
        return *known;
    }
    let version = read(&go_mod).as_deref().and_then(go_directive);
    cache.lock().ok()?.insert(go_mod, version);
    version
}

/// The `go.mod` that applies to `directory`, within its repository (see the module docs).
fn find(directory: &Path) -> Option<PathBuf> {
    let directory = std::fs::canonicalize(directory).ok()?;
    let top = directory
        .ancestors()
        .find(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok());
    for dir in directory.ancestors() {
        let candidate = dir.join("go.mod");
        if std::fs::symlink_metadata(&candidate).is_ok() {
            return Some(candidate);
        }
        if top.is_none_or(|top| top == dir) {
            return None;
        }
    }
    None
}

fn read(path: &Path) -> Option<String> {
    let (file, metadata) = regular_file::open(path).ok()?;
    if metadata.len() > MAX_BYTES {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > MAX_BYTES {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// The version of the `go` directive of `go_mod`'s text, if it has one that reads as a version.
fn go_directive(go_mod: &str) -> Option<GoVersion> {
    go_mod.lines().find_map(|line| {
        let line = line.split("//").next().unwrap_or_default().trim();
        let version = line.strip_prefix("go")?;
        if !version.starts_with([' ', '\t']) {
            return None;
        }
        let mut parts = version.trim().split('.');
        let major = parts.next()?.parse().ok()?;
        // `1.21rc1`: the digits before the pre-release suffix.
        let minor_text = parts.next()?;
        let digits = minor_text
            .find(|c: char| !c.is_ascii_digit())
            .map_or(minor_text, |end| &minor_text[..end]);
        let minor = digits.parse().ok()?;
        Some(GoVersion { major, minor })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_go_directive() {
        let version = |text: &str| go_directive(text).map(|v| (v.major, v.minor));
        assert_eq!(version("module m\n\ngo 1.21\n"), Some((1, 21)));
        assert_eq!(
            version("module m\ngo 1.22.3 // patch\ntoolchain go1.23.0\n"),
            Some((1, 22))
        );
        assert_eq!(version("module m\n\ngo\t1.21rc1\n"), Some((1, 21)));
        assert_eq!(version("module m\n"), None);
        assert_eq!(version("module m\ngopher 1.30\ngo x.y\n"), None);
        assert_eq!(version("// go 1.30\nmodule m\n"), None);
        assert!(
            GoVersion {
                major: 1,
                minor: 20
            } < GoVersion::MIN_MAX_BUILTINS
                && GoVersion {
                    major: 1,
                    minor: 26
                } >= GoVersion::MIN_MAX_BUILTINS
        );
    }
}
