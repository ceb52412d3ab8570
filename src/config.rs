//! `goleak-fix.toml`: the project's defaults for the flags.
//!
//! ```toml
//! select = ["timeout-leak", "ncast-leak"]   # only these codemods (default: all)
//! ignore = ["channel-iteration-misuse"]     # never these
//! exclude = ["legacy/", "*_mock.go"]        # more paths to skip, gitignore syntax
//! unsafe-fixes = false                      # also apply fixes marked unsafe
//! ```
//!
//! Which file (see `load_config` in `cli`): the one named with `--config FILE`; none with
//! `--no-config`; otherwise the first `goleak-fix.toml` found by `find`, looking in the
//! directory of the first PATH, then in each directory above it up to the repository's top
//! directory (the nearest one holding `.git`, a directory or a file), and no further: a file in
//! a parent of the clone (a shared `/tmp`, a CI workspace) belongs to someone else. Outside a
//! repository, only the first PATH's directory is looked in. A `goleak-fix.toml` found there
//! that is a symbolic link is an error, never followed: it could point anywhere.
//!
//! A flag given on the command line replaces the key's value (`--select` the file's `select`,
//! and so on). `exclude` patterns are relative to the file's directory and apply to what the
//! walk finds, not to files named on the command line (as in ruff). An unknown key or codemod
//! ID is an error naming the file and key: a typo must not silently turn a setting off.
//!
//! What is trusted: `select`, `ignore` and `exclude` choose what is checked, which is the
//! repository's business, as with any linter's configuration. `unsafe-fixes = true` makes the
//! edits less safe, so a file found by the search turns it on only with `--trust-config`;
//! otherwise it is refused with a warning (see `Config::unsafe_fixes`). A file named with
//! `--config` was chosen by the user, and is trusted.
//!
//! Errors never show the file's text: the TOML parser's own message quotes the offending line,
//! so only its position and its description are kept, and what it says about a value names the
//! value's type, not the value.

use crate::codemods;
use crate::escape;
use crate::regular_file::{self, OpenError};
use crate::walk::display_path;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;
use std::io::Read;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "goleak-fix.toml";

/// A configuration file is a few lines; a larger one is not read (it could be anything).
const MAX_BYTES: u64 = 1024 * 1024;

/// The longest error message from the parser that is shown (it can name a key, which can be as
/// long as the file).
const MAX_MESSAGE_CHARS: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read: {source}", shown(path))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}: a symbolic link; a configuration file found by the search is never read through \
         a link (name the file with --config to use it)",
        shown(.0)
    )]
    Symlink(PathBuf),
    #[error("{}: not a regular file", shown(.0))]
    NotRegular(PathBuf),
    #[error("{}: larger than {MAX_BYTES} bytes; not read", shown(.0))]
    TooLarge(PathBuf),
    #[error("{}: {message}", shown(path))]
    Invalid { path: PathBuf, message: String },
}

/// A path as the messages show it: relative to the current directory, escaped.
fn shown(path: &Path) -> String {
    escape::for_terminal(&display_path(path)).into_owned()
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

/// How the file was chosen, which decides what of it is trusted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Found by the search in the scanned tree: the repository's, trusted for the settings
    /// that choose what is checked only.
    #[default]
    Found,
    /// Named with `--config`: the user's choice, trusted.
    Named,
}

/// The settings read from a `goleak-fix.toml`, or none (`Config::default()`).
#[derive(Debug, Default)]
pub struct Config {
    /// The file they came from.
    pub file: Option<PathBuf>,
    pub origin: Origin,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    /// `unsafe-fixes` as written; whether the run takes it is `Config::unsafe_fixes`.
    pub unsafe_fixes: bool,
    pub exclude: Option<Exclude>,
}

/// Where unsafe fixes were turned on, for the pull-request body to tell the reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsafeFixesFrom {
    /// `--unsafe-fixes`.
    Flag,
    /// `unsafe-fixes = true` in this file, trusted (named with `--config`, or `--trust-config`).
    File(PathBuf),
}

/// What the run makes of `unsafe-fixes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsafeFixes {
    Off,
    On(UnsafeFixesFrom),
    /// This file, found by the search and not trusted, says `unsafe-fixes = true`: the run
    /// applies safe fixes only, and says so.
    Refused(PathBuf),
}

impl UnsafeFixes {
    pub fn is_on(&self) -> bool {
        matches!(self, UnsafeFixes::On(_))
    }

    pub fn from(&self) -> Option<&UnsafeFixesFrom> {
        match self {
            UnsafeFixes::On(from) => Some(from),
            _ => None,
        }
    }
}

/// What the walk leaves out besides what Go skips: the `exclude` patterns of the config file
/// (relative to its directory), those of `--exclude` (relative to the current directory), and
/// with `--no-tests`, `_test.go` files.
#[derive(Debug, Clone, Default)]
pub struct Exclude {
    layers: Vec<PatternLayer>,
    tests: bool,
}

/// Gitignore patterns and the directory they are relative to.
#[derive(Debug, Clone)]
struct PatternLayer {
    directory: PathBuf,
    patterns: Gitignore,
}

impl Exclude {
    /// `patterns` (gitignore syntax) relative to `directory`; what is wrong with the first bad
    /// one (its number, from 1, and the problem, never the pattern's text).
    pub fn patterns(directory: &Path, patterns: &[String]) -> Result<Self, String> {
        let mut builder = GitignoreBuilder::new(directory);
        for (index, pattern) in patterns.iter().enumerate() {
            builder.add_line(None, pattern).map_err(|error| {
                format!(
                    "pattern {} is not valid: {}",
                    index + 1,
                    glob_problem(&error)
                )
            })?;
        }
        let patterns = builder.build().map_err(|error| glob_problem(&error))?;
        Ok(Exclude {
            layers: vec![PatternLayer {
                directory: directory.to_path_buf(),
                patterns,
            }],
            tests: false,
        })
    }

    /// Also leaves out every `_test.go` file (`--no-tests`).
    pub fn without_tests(mut self) -> Self {
        self.tests = true;
        self
    }

    /// Everything `self` or `other` leaves out.
    pub fn and(mut self, other: Exclude) -> Self {
        self.layers.extend(other.layers);
        self.tests |= other.tests;
        self
    }

    /// Whether `path` (absolute, symlinks in it resolved) or a directory above it is excluded.
    pub fn is_excluded(&self, path: &Path, is_dir: bool) -> bool {
        if self.tests
            && !is_dir
            && path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().ends_with("_test.go"))
        {
            return true;
        }
        self.layers.iter().any(|layer| {
            let Ok(relative) = path.strip_prefix(&layer.directory) else {
                return false;
            };
            !relative.as_os_str().is_empty()
                && layer
                    .patterns
                    .matched_path_or_any_parents(relative, is_dir)
                    .is_ignore()
        })
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

    /// Whether unsafe fixes are on, and why: `--unsafe-fixes` (`flag`) always counts; the
    /// file's `unsafe-fixes = true` only when the file is trusted, that is named with
    /// `--config`, or found by the search and `trust_found` (`--trust-config`).
    pub fn unsafe_fixes(&self, flag: bool, trust_found: bool) -> UnsafeFixes {
        if flag {
            return UnsafeFixes::On(UnsafeFixesFrom::Flag);
        }
        match &self.file {
            Some(file) if self.unsafe_fixes => {
                if trust_found || self.origin == Origin::Named {
                    UnsafeFixes::On(UnsafeFixesFrom::File(file.clone()))
                } else {
                    UnsafeFixes::Refused(file.clone())
                }
            }
            _ => UnsafeFixes::Off,
        }
    }
}

/// Finds and reads the `goleak-fix.toml` that applies to `paths` (see the module documentation).
pub fn discover(paths: &[String]) -> Result<Config, ConfigError> {
    let first = paths
        .first()
        .map_or(".", |path| crate::walk::strip_go_pattern(path));
    match find(Path::new(first))? {
        Some(file) => load(&file, Origin::Found),
        None => Ok(Config::default()),
    }
}

/// Reads the file the user named with `--config`. Symbolic links are followed: the user chose
/// the file, wherever it is.
pub fn named(path: &Path) -> Result<Config, ConfigError> {
    let resolved = std::fs::canonicalize(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    load(&resolved, Origin::Named)
}

/// The `goleak-fix.toml` that applies to `start` (a file or directory): the nearest one at or
/// above it, up to the repository's top directory; outside a repository, in `start`'s
/// directory only. Whatever is at that name counts, so that a symbolic link or a directory
/// there is an error rather than a file silently skipped.
pub fn find(start: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let Ok(start) = std::fs::canonicalize(start).or_else(|_| std::env::current_dir()) else {
        return Ok(None);
    };
    let first = if start.is_dir() {
        start.as_path()
    } else {
        match start.parent() {
            Some(parent) => parent,
            None => return Ok(None),
        }
    };
    let top = first
        .ancestors()
        .find(|directory| is_repository_top(directory));
    for directory in first.ancestors() {
        let candidate = directory.join(FILE_NAME);
        match std::fs::symlink_metadata(&candidate) {
            Ok(_) => return Ok(Some(candidate)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(ConfigError::Read {
                    path: candidate,
                    source,
                });
            }
        }
        if top.is_none_or(|top| top == directory) {
            break;
        }
    }
    Ok(None)
}

/// A directory holding `.git`: a repository's top directory (a directory for a clone, a file
/// for a worktree or a submodule).
fn is_repository_top(directory: &Path) -> bool {
    std::fs::symlink_metadata(directory.join(".git")).is_ok()
}

/// Reads the file at `path`, which must be a regular file reached without a symbolic link.
pub fn load(path: &Path, origin: Origin) -> Result<Config, ConfigError> {
    let read_error = |source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    };
    let (file, metadata) = regular_file::open(path).map_err(|error| match error {
        OpenError::Symlink => ConfigError::Symlink(path.to_path_buf()),
        OpenError::NotRegular => ConfigError::NotRegular(path.to_path_buf()),
        OpenError::Io(source) => read_error(source),
    })?;
    if metadata.len() > MAX_BYTES {
        return Err(ConfigError::TooLarge(path.to_path_buf()));
    }
    let mut bytes = Vec::new();
    // Bounded again: the file may grow after the look.
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(ConfigError::TooLarge(path.to_path_buf()));
    }
    let text = String::from_utf8(bytes).map_err(|error| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: format!(
            "not valid UTF-8 (first bad byte at offset {})",
            error.utf8_error().valid_up_to()
        ),
    })?;
    let mut config = parse(path, &text)?;
    config.origin = origin;
    Ok(config)
}

/// Parses and checks the text of the config file at `path`.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let file: ConfigFile = toml::from_str(text).map_err(|error| invalid(describe(&error, text)))?;
    for (key, ids) in [("select", &file.select), ("ignore", &file.ignore)] {
        for id in ids.iter().flatten() {
            if codemods::by_id(id).is_none() {
                let known: Vec<&str> = codemods::REGISTRY.iter().map(|c| c.id()).collect();
                return Err(invalid(format!(
                    "`{key}`: unknown codemod `{}`{} (known: {})",
                    escape::for_terminal(&shortened(id)),
                    crate::suggest::did_you_mean(id, known.iter().copied()),
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
        Some(
            Exclude::patterns(&directory, &file.exclude)
                .map_err(|problem| invalid(format!("`exclude`: {problem}")))?,
        )
    };
    Ok(Config {
        file: Some(path.to_path_buf()),
        origin: Origin::default(),
        select: file.select,
        ignore: file.ignore,
        unsafe_fixes: file.unsafe_fixes.unwrap_or(false),
        exclude,
    })
}

/// `line:column: what is wrong`, for a TOML or type error: never the text around it, which
/// the parser's `Display` quotes.
fn describe(error: &toml::de::Error, text: &str) -> String {
    let location = error.span().map_or_else(String::new, |span| {
        let before = &text.as_bytes()[..span.start.min(text.len())];
        let line = before.iter().filter(|&&byte| byte == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |i| i + 1);
        // Columns in characters, 1-based.
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        format!("{line}:{column}: ")
    });
    let message: Vec<&str> = error
        .message()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let message = without_values(&message.join("; "));
    format!("{location}{}", escape::for_terminal(&shortened(&message)))
}

/// serde's "invalid type: string \"...\", expected a boolean" without the value: "invalid
/// type: string, expected a boolean".
fn without_values(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            // The expectation is the program's own words, so the last one is the real one.
            let (unexpected, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
            let kind = unexpected
                .split(['`', '"', '\''])
                .next()
                .unwrap_or_default()
                .trim();
            return if expected.is_empty() {
                format!("{prefix}{kind}")
            } else {
                format!("{prefix}{kind}, expected {expected}")
            };
        }
    }
    message.to_string()
}

/// What is wrong with an `exclude` pattern, without the pattern.
fn glob_problem(error: &ignore::Error) -> String {
    match error {
        ignore::Error::Glob { err, .. } => escape::for_terminal(&shortened(err)).into_owned(),
        ignore::Error::WithLineNumber { err, .. }
        | ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. } => glob_problem(err),
        _ => "not a valid pattern".to_string(),
    }
}

/// At most `MAX_MESSAGE_CHARS` characters of `text`.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
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
        assert!(
            error.starts_with("/repo/goleak-fix.toml: 1:1: unknown field `selcet`"),
            "{error}"
        );
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
            error.starts_with(
                "/repo/goleak-fix.toml: `ignore`: unknown codemod `timeout-leek`; did you mean `timeout-leak`?"
            ),
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
    fn the_nearest_file_at_or_above_the_path_is_found_up_to_the_repository_top() {
        let root = tempfile::tempdir().unwrap();
        let nested = root.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::create_dir(root.path().join(".git")).unwrap();
        std::fs::write(nested.join("x.go"), "package b\n").unwrap();
        std::fs::write(root.path().join(FILE_NAME), "").unwrap();
        let root_file = std::fs::canonicalize(root.path().join(FILE_NAME)).unwrap();
        assert_eq!(find(&nested).unwrap(), Some(root_file.clone()));
        assert_eq!(find(&nested.join("x.go")).unwrap(), Some(root_file));
        std::fs::write(root.path().join("a").join(FILE_NAME), "").unwrap();
        assert_eq!(
            find(&nested).unwrap(),
            Some(std::fs::canonicalize(root.path().join("a").join(FILE_NAME)).unwrap())
        );
    }

    #[test]
    fn the_search_stops_at_the_repository_top_and_outside_one_at_the_first_directory() {
        let parent = tempfile::tempdir().unwrap();
        std::fs::write(
            parent.path().join(FILE_NAME),
            "ignore = [\"timeout-leak\"]\n",
        )
        .unwrap();
        let clone = parent.path().join("clone");
        let package = clone.join("pkg");
        std::fs::create_dir_all(&package).unwrap();
        // Not a repository: only the directory itself is looked in.
        assert_eq!(find(&package).unwrap(), None);
        // A repository (`.git` a file, as in a worktree): its top is the last place looked.
        std::fs::write(clone.join(".git"), "gitdir: /elsewhere\n").unwrap();
        assert_eq!(find(&package).unwrap(), None);
        std::fs::write(clone.join(FILE_NAME), "").unwrap();
        assert_eq!(
            find(&package).unwrap(),
            Some(std::fs::canonicalize(clone.join(FILE_NAME)).unwrap())
        );
    }

    #[test]
    fn a_symlinked_file_found_by_the_search_is_an_error_and_not_read() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(".git")).unwrap();
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("theirs.toml");
        std::fs::write(&target, "unsafe-fixes = true\n").unwrap();
        std::os::unix::fs::symlink(&target, root.path().join(FILE_NAME)).unwrap();
        let error = discover(&[root.path().display().to_string()])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("goleak-fix.toml: a symbolic link"),
            "{error}"
        );
        // Named with --config, it is the user's choice: followed.
        let config = named(&root.path().join(FILE_NAME)).unwrap();
        assert!(config.unsafe_fixes && config.origin == Origin::Named);
    }

    #[test]
    fn errors_give_the_position_and_never_the_text_of_the_file() {
        let secret = "hunter2-\u{1b}[31m";
        for text in [
            format!("token = \"{secret}\"\n"),
            format!("select = \"{secret}\"\n"),
            format!("unsafe-fixes = \"{secret}\"\n"),
            format!("select = [\"timeout-leak\"]\nexclude = \"{secret}\n"),
            format!("[select\n{secret}"),
            format!("exclude = [\"[{secret}\"]\n"),
        ] {
            let error = parse_at(&text).unwrap_err().to_string();
            assert!(!error.contains("hunter2"), "{error}");
            assert!(!error.contains('\u{1b}'), "{error}");
            assert!(error.starts_with("/repo/goleak-fix.toml: "), "{error}");
        }
        let error = parse_at("select = []\nunsafe-fixes = \"yes\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "/repo/goleak-fix.toml: 2:16: invalid type: string, expected a boolean"
        );
        // A key is named, escaped and shortened: it says what to fix.
        let error = parse_at(&format!("\"k\\u001b{}\" = 1\n", "x".repeat(5000)))
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown field `k\\u{1b}xxx"), "{error}");
        assert!(error.len() < 1000, "{error}");
    }

    #[test]
    fn unsafe_fixes_from_a_found_file_needs_trust_and_a_named_file_has_it() {
        let mut config = parse_at("unsafe-fixes = true\n").unwrap();
        let file = PathBuf::from("/repo/goleak-fix.toml");
        assert_eq!(
            config.unsafe_fixes(false, false),
            UnsafeFixes::Refused(file.clone())
        );
        assert_eq!(
            config.unsafe_fixes(false, true),
            UnsafeFixes::On(UnsafeFixesFrom::File(file.clone()))
        );
        assert_eq!(
            config.unsafe_fixes(true, false),
            UnsafeFixes::On(UnsafeFixesFrom::Flag)
        );
        config.origin = Origin::Named;
        assert_eq!(
            config.unsafe_fixes(false, false),
            UnsafeFixes::On(UnsafeFixesFrom::File(file))
        );
        assert_eq!(
            Config::default().unsafe_fixes(false, true),
            UnsafeFixes::Off
        );
        let safe = parse_at("unsafe-fixes = false\n").unwrap();
        assert_eq!(safe.unsafe_fixes(false, false), UnsafeFixes::Off);
    }
}
