//! `goleak-fix.toml`: the project's defaults for the flags, found at or above the scanned path.
//!
//! ```toml
//! select = ["timeout-leak", "ncast-leak"]   # only these codemods (default: all)
//! ignore = ["channel-iteration-misuse"]     # never these
//! exclude = ["legacy/", "*_mock.go"]        # more paths to skip, gitignore syntax
//! unsafe-fixes = false                      # also apply fixes marked unsafe
//! ```
//!
//! The first `goleak-fix.toml` in the directory of the first PATH or any directory above it is
//! used. A flag given on the command line replaces the key's value (`--select` the file's
//! `select`, and so on; `--unsafe-fixes` turns unsafe fixes on). `exclude` patterns are
//! relative to the file's directory and apply to what the walk finds, not to files named on the
//! command line (as in ruff). An unknown key or codemod ID is an error naming the file and key:
//! a typo must not silently turn a setting off.

use crate::codemods;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "goleak-fix.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The file as written; every key optional, any other key an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    #[serde(default)]
    exclude: Vec<String>,
    unsafe_fixes: Option<bool>,
}

/// The settings read from a `goleak-fix.toml`, or none (`Config::default()`).
#[derive(Debug, Default)]
pub struct Config {
    /// The file they came from.
    pub file: Option<PathBuf>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub unsafe_fixes: bool,
    pub exclude: Option<Exclude>,
}

/// The `exclude` patterns, matched against paths relative to the config file's directory.
#[derive(Debug, Clone)]
pub struct Exclude {
    directory: PathBuf,
    patterns: Gitignore,
}

impl Exclude {
    /// Whether `path` (absolute, symlinks in it resolved) or a directory above it is excluded.
    pub fn is_excluded(&self, path: &Path, is_dir: bool) -> bool {
        let Ok(relative) = path.strip_prefix(&self.directory) else {
            return false;
        };
        if relative.as_os_str().is_empty() {
            return false;
        }
        self.patterns
            .matched_path_or_any_parents(relative, is_dir)
            .is_ignore()
    }
}

impl Config {
    /// The codemods to select: the flag's when given, else the file's.
    pub fn select<'a>(&'a self, flag: &'a [String]) -> &'a [String] {
        if flag.is_empty() {
            self.select.as_deref().unwrap_or_default()
        } else {
            flag
        }
    }

    /// The codemods to ignore: the flag's when given, else the file's.
    pub fn ignore<'a>(&'a self, flag: &'a [String]) -> &'a [String] {
        if flag.is_empty() {
            self.ignore.as_deref().unwrap_or_default()
        } else {
            flag
        }
    }
}

/// Finds and reads the `goleak-fix.toml` that applies to `paths` (see the module documentation).
pub fn discover(paths: &[String]) -> Result<Config, ConfigError> {
    let first = paths
        .first()
        .map_or(".", |path| crate::walk::strip_go_pattern(path));
    match find(Path::new(first)) {
        Some(file) => load(&file),
        None => Ok(Config::default()),
    }
}

/// The nearest `goleak-fix.toml` at or above `start` (a file or directory).
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start)
        .or_else(|_| std::env::current_dir())
        .ok()?;
    let first = if start.is_dir() {
        start.as_path()
    } else {
        start.parent()?
    };
    first
        .ancestors()
        .map(|directory| directory.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Parses and checks the text of the config file at `path`.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let file: ConfigFile =
        toml::from_str(text).map_err(|error| invalid(error.to_string().trim_end().to_string()))?;
    for (key, ids) in [("select", &file.select), ("ignore", &file.ignore)] {
        for id in ids.iter().flatten() {
            if codemods::by_id(id).is_none() {
                let known: Vec<&str> = codemods::REGISTRY.iter().map(|c| c.id()).collect();
                return Err(invalid(format!(
                    "`{key}`: unknown codemod `{id}` (known: {})",
                    known.join(", ")
                )));
            }
        }
    }
    let directory = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let exclude = if file.exclude.is_empty() {
        None
    } else {
        let mut builder = GitignoreBuilder::new(&directory);
        for pattern in &file.exclude {
            builder
                .add_line(None, pattern)
                .map_err(|error| invalid(format!("`exclude`: {error}")))?;
        }
        let patterns = builder
            .build()
            .map_err(|error| invalid(format!("`exclude`: {error}")))?;
        Some(Exclude {
            directory,
            patterns,
        })
    };
    Ok(Config {
        file: Some(path.to_path_buf()),
        select: file.select,
        ignore: file.ignore,
        unsafe_fixes: file.unsafe_fixes.unwrap_or(false),
        exclude,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_at(text: &str) -> Result<Config, ConfigError> {
        parse(Path::new("/repo/goleak-fix.toml"), text)
    }

    #[test]
    fn every_key_is_read() {
        let config = parse_at(
            "select = [\"timeout-leak\"]\nignore = [\"ncast-leak\"]\nexclude = [\"legacy/\"]\nunsafe-fixes = true\n",
        )
        .unwrap();
        assert_eq!(
            config.select.as_deref(),
            Some(&["timeout-leak".to_string()][..])
        );
        assert_eq!(
            config.ignore.as_deref(),
            Some(&["ncast-leak".to_string()][..])
        );
        assert!(config.unsafe_fixes);
        assert!(config.exclude.is_some());
    }

    #[test]
    fn an_empty_file_changes_nothing() {
        let config = parse_at("").unwrap();
        assert!(config.select.is_none() && config.ignore.is_none());
        assert!(!config.unsafe_fixes);
        assert!(config.exclude.is_none());
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_the_file_and_the_key() {
        let error = parse_at("selcet = [\"timeout-leak\"]\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("/repo/goleak-fix.toml: "), "{error}");
        assert!(error.contains("unknown field `selcet`"), "{error}");
        // `unsafe_fixes` is the flag's spelling in Rust, not the file's.
        let error = parse_at("unsafe_fixes = true\n").unwrap_err().to_string();
        assert!(error.contains("unknown field `unsafe_fixes`"), "{error}");
    }

    #[test]
    fn an_unknown_codemod_is_an_error_naming_the_key() {
        let error = parse_at("ignore = [\"timeout-leek\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("/repo/goleak-fix.toml: `ignore`: unknown codemod `timeout-leek`"),
            "{error}"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error() {
        let error = parse_at("select = \"timeout-leak\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("goleak-fix.toml"), "{error}");
        assert!(parse_at("unsafe-fixes = \"yes\"\n").is_err());
    }

    #[test]
    fn flags_replace_the_file_s_choice() {
        let config = parse_at("select = [\"timeout-leak\"]\n").unwrap();
        assert_eq!(config.select(&[]), ["timeout-leak".to_string()]);
        let flag = ["ncast-leak".to_string()];
        assert_eq!(config.select(&flag), flag);
        assert!(config.ignore(&[]).is_empty());
    }

    #[test]
    fn exclude_uses_gitignore_patterns_relative_to_the_file() {
        let config = parse_at("exclude = [\"legacy/\", \"*_mock.go\", \"/top.go\"]\n").unwrap();
        let exclude = config.exclude.unwrap();
        assert!(exclude.is_excluded(Path::new("/repo/legacy"), true));
        assert!(exclude.is_excluded(Path::new("/repo/legacy/a.go"), false));
        assert!(exclude.is_excluded(Path::new("/repo/pkg/db_mock.go"), false));
        assert!(exclude.is_excluded(Path::new("/repo/top.go"), false));
        assert!(!exclude.is_excluded(Path::new("/repo/pkg/top.go"), false));
        assert!(!exclude.is_excluded(Path::new("/repo/pkg/db.go"), false));
        assert!(!exclude.is_excluded(Path::new("/elsewhere/legacy/a.go"), false));
    }

    #[test]
    fn the_nearest_file_at_or_above_the_path_is_found() {
        let root = tempfile::tempdir().unwrap();
        let nested = root.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(nested.join("x.go"), "package b\n").unwrap();
        std::fs::write(root.path().join(FILE_NAME), "").unwrap();
        let root_file = std::fs::canonicalize(root.path().join(FILE_NAME)).unwrap();
        assert_eq!(find(&nested), Some(root_file.clone()));
        assert_eq!(find(&nested.join("x.go")), Some(root_file));
        std::fs::write(root.path().join("a").join(FILE_NAME), "").unwrap();
        assert_eq!(
            find(&nested),
            Some(std::fs::canonicalize(root.path().join("a").join(FILE_NAME)).unwrap())
        );
    }
}
