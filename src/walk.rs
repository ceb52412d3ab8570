//! Finding the Go files to look at, grouped by package (directory), the way the Go tools do:
//! `vendor/`, `testdata/` and directories starting with `.` or `_` are skipped, as are files
//! git ignores. Generated files are skipped after reading (see `is_generated`).

use crate::config::Exclude;
use crate::regular_file::Identity;
use ignore::WalkBuilder;
use std::collections::{BTreeMap, HashSet};

/// A map keyed by path, with a fast hash: the walk fills these with every file and directory,
/// and the run looks each one up again; hashing a path with the standard (SipHash) hasher was
/// a twentieth of all the instructions outside parsing on moby. Paths come from the tree being
/// walked, not from an adversary who could aim collisions at the hash.
pub type PathMap<V> = foldhash::HashMap<PathBuf, V>;
use std::path::{Path, PathBuf};

/// A file that could not be walked, read or written, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: String,
    pub reason: String,
}

#[derive(Default)]
pub struct Walk {
    /// Files by package directory, each list sorted.
    pub packages: BTreeMap<PathBuf, Vec<PathBuf>>,
    pub errors: Vec<FileError>,
    /// The file each path led to when the walk looked at it (lstat), so that the read can
    /// refuse another file put there since (see `pipeline::read_package_expecting`).
    pub identities: PathMap<Identity>,
    /// Per package directory, the bytes of its files as the walk saw them (from the same
    /// lstat, so at no cost): how long the package will take, roughly, so that the biggest
    /// are started first (see `pipeline::analyse_walked`).
    pub package_bytes: PathMap<u64>,
    /// Files by directory while walking, with their bytes: hashing a path is cheaper than
    /// the component-wise comparisons of a `BTreeMap`, which are done once, per directory, at
    /// the end (and a path is hashed component by component too: once per file, not twice).
    found: PathMap<(Vec<PathBuf>, u64)>,
}

/// `./...` and `dir/...` mean the directory, as in `go vet ./...`.
pub fn strip_go_pattern(argument: &str) -> &str {
    match argument.strip_suffix("/...") {
        Some("") => "/",
        Some(dir) => dir,
        None if argument == "..." => ".",
        None => argument,
    }
}

pub fn collect(arguments: &[String]) -> Walk {
    collect_excluding(arguments, None)
}

/// `collect`, also skipping what `exclude` (from `goleak-fix.toml`) matches in the directories
/// walked. Files named on the command line are taken as they are, as in ruff.
///
/// Symbolic links are not followed, so nothing outside the scanned tree is read or written
/// through one: a symlinked directory is skipped, as is a symlinked file whose target is inside
/// the tree (the target itself is scanned where it is, unless that place is skipped). A
/// symlinked file that points outside the tree, or nowhere, is named as an error. Named on the
/// command line, a symlinked directory is walked (it is the tree), and a symlinked file is
/// followed only when its target is inside the current directory.
pub fn collect_excluding(arguments: &[String], exclude: Option<&Exclude>) -> Walk {
    let mut walk = Walk::default();
    // The same file reached through two arguments (`./... pkg/...`) is analysed once.
    let mut seen = (arguments.len() > 1).then(HashSet::new);
    for argument in arguments {
        let path = Path::new(strip_go_pattern(argument));
        match std::fs::metadata(path) {
            Err(error) => walk.errors.push(FileError {
                path: argument.clone(),
                reason: error.to_string(),
            }),
            Ok(metadata) if metadata.is_file() => {
                if !has_go_extension(path) {
                    walk.errors.push(FileError {
                        path: argument.clone(),
                        reason: "not a .go file".into(),
                    });
                    continue;
                }
                let is_symlink = std::fs::symlink_metadata(path)
                    .is_ok_and(|metadata| metadata.file_type().is_symlink());
                if !is_symlink {
                    add(&mut walk, &mut seen, path.to_path_buf(), Some(&metadata));
                    continue;
                }
                let root = std::env::current_dir().and_then(std::fs::canonicalize);
                match (std::fs::canonicalize(path), root) {
                    (Ok(target), Ok(root)) if target.starts_with(&root) => {
                        add(&mut walk, &mut seen, target, Some(&metadata))
                    }
                    (Ok(target), Ok(root)) => {
                        walk.errors.push(outside_root(argument, &target, &root))
                    }
                    (Err(error), _) | (_, Err(error)) => walk.errors.push(FileError {
                        path: argument.clone(),
                        reason: error.to_string(),
                    }),
                }
            }
            Ok(metadata) if metadata.is_dir() => {
                walk_directory(&mut walk, &mut seen, path, exclude)
            }
            // Never opened: a FIFO or a terminal would wait for input that is not Go source.
            Ok(metadata) => walk.errors.push(FileError {
                path: argument.clone(),
                reason: format!(
                    "{}, not a regular file or a directory; not read",
                    kind_of_file(&metadata)
                ),
            }),
        }
    }
    for (directory, (mut files, bytes)) in std::mem::take(&mut walk.found) {
        walk.package_bytes.insert(directory.clone(), bytes);
        // The files of one directory differ only in their names: byte order is path order.
        files.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
        files.dedup();
        walk.packages.insert(directory, files);
    }
    walk
}

/// What a file that is neither a regular file nor a directory is, for an error.
fn kind_of_file(metadata: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let file_type = metadata.file_type();
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    let _ = metadata;
    "a special file"
}

fn has_go_extension(path: &Path) -> bool {
    path.extension().is_some_and(|extension| extension == "go")
}

fn outside_root(path: &str, target: &Path, root: &Path) -> FileError {
    FileError {
        path: path.to_string(),
        reason: format!(
            "symbolic link to {}, outside {}; not followed",
            target.display(),
            root.display()
        ),
    }
}

/// The walk's threads: `--jobs`, but no more than the cores. The walker's idle threads poll
/// for work instead of sleeping, so beyond the cores each one only takes time from the others
/// (`-j 256` on one file took 2.5 s with one walker thread per job).
fn walk_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    rayon::current_num_threads().min(cores)
}

fn walk_directory(
    walk: &mut Walk,
    seen: &mut Option<HashSet<PathBuf>>,
    root: &Path,
    exclude: Option<&Exclude>,
) {
    let canonical_root = match std::fs::canonicalize(root) {
        Ok(canonical_root) => canonical_root,
        Err(error) => {
            walk.errors.push(FileError {
                path: root.display().to_string(),
                reason: error.to_string(),
            });
            return;
        }
    };
    // Where an entry is, with the root's symlinks resolved (the walk follows none below it).
    let resolved = {
        let canonical_root = canonical_root.clone();
        let root = root.to_path_buf();
        move |path: &Path| match path.strip_prefix(&root) {
            Ok(relative) => canonical_root.join(relative),
            Err(_) => path.to_path_buf(),
        }
    };
    let exclude = exclude.map(|exclude| (exclude.clone(), resolved.clone()));
    let walker = WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_global(false)
        // `.ignore` is ripgrep's, not git's or Go's: no Go tool reads it, and a repository
        // could use it to hide a file from goleak-fix alone.
        .ignore(false)
        .follow_links(false)
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if let Some((exclude, resolved)) = &exclude
                && exclude.is_excluded(&resolved(entry.path()), is_dir)
            {
                return false;
            }
            if !is_dir {
                return true;
            }
            !is_skipped_directory(&entry.file_name().to_string_lossy())
        })
        .threads(walk_threads())
        .build_parallel();
    // Walked in parallel (directories are read on every thread), then taken in path order so
    // that the result does not depend on which thread saw what.
    let found = std::sync::Mutex::new(Vec::new());
    walker.run(|| {
        let found = &found;
        Box::new(move |entry| {
            let wanted = match &entry {
                Ok(entry) => has_go_extension(entry.path()),
                Err(_) => true,
            };
            if wanted {
                // Looked at here, on the walk's threads: the file the read must find.
                let metadata = entry
                    .as_ref()
                    .ok()
                    .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
                    .and_then(|entry| entry.metadata().ok());
                found
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .push((entry, metadata));
            }
            ignore::WalkState::Continue
        })
    });
    let mut found = found
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Sized once: growing it would hash every path again, component by component.
    walk.identities.reserve(found.len());
    // By bytes: any fixed order will do, and comparing paths component-wise is slow.
    found.sort_by_cached_key(|(entry, _)| match entry {
        Ok(entry) => (0, entry.path().as_os_str().to_os_string()),
        Err(error) => (1, error_path(error).unwrap_or_default().into()),
    });
    for (entry, metadata) in found {
        match entry {
            Ok(entry) => {
                let Some(file_type) = entry.file_type() else {
                    continue;
                };
                if file_type.is_file() {
                    add(walk, seen, entry.into_path(), metadata.as_ref());
                } else if file_type.is_symlink() {
                    symlinked_file(walk, entry.path(), &canonical_root);
                }
            }
            Err(error) => walk.errors.push(FileError {
                path: error_path(&error).unwrap_or_else(|| root.display().to_string()),
                reason: error.to_string(),
            }),
        }
    }
}

/// A symlink named `*.go` found by the walk: skipped when it points inside the tree (or to a
/// directory, which is not followed), an error when it points outside or nowhere.
fn symlinked_file(walk: &mut Walk, path: &Path, canonical_root: &Path) {
    let shown = path.display().to_string();
    match std::fs::metadata(path).and_then(|metadata| Ok((metadata, std::fs::canonicalize(path)?)))
    {
        Ok((metadata, _)) if metadata.is_dir() => {}
        Ok((_, target)) if target.starts_with(canonical_root) => {}
        Ok((_, target)) => walk
            .errors
            .push(outside_root(&shown, &target, canonical_root)),
        Err(error) => walk.errors.push(FileError {
            path: shown,
            reason: format!("cannot read: {error}"),
        }),
    }
}

fn error_path(error: &ignore::Error) -> Option<String> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.display().to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// Adds the file at `path`, which `metadata` (its lstat, when there is one) describes.
fn add(
    walk: &mut Walk,
    seen: &mut Option<HashSet<PathBuf>>,
    path: PathBuf,
    metadata: Option<&std::fs::Metadata>,
) {
    if let Some(seen) = seen {
        let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !seen.insert(canonical) {
            return;
        }
    }
    if let Some(identity) = metadata.and_then(Identity::of) {
        walk.identities.insert(path.clone(), identity);
    }
    let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let (files, bytes) = walk.found.entry(directory).or_default();
    *bytes += metadata.map_or(0, std::fs::Metadata::len);
    files.push(path);
}

/// The path as people see it: relative to the current directory, without a leading `./`.
/// The directories the Go tools leave out of `./...`, and so does goleak-fix (the walk of the
/// disk and `--commit`'s walk of `HEAD` alike): `vendor`, `testdata`, and names starting with
/// `.` or `_`.
pub fn is_skipped_directory(name: &str) -> bool {
    name == "vendor" || name == "testdata" || name.starts_with('.') || name.starts_with('_')
}

/// Bytes that are not UTF-8 are shown as U+FFFD: for reports and messages; a diff names the
/// file by `shown_path`'s exact bytes instead.
pub fn display_path(path: &Path) -> String {
    shown_path(path).to_string_lossy().into_owned()
}

/// `path` relative to the current directory, without a leading `./`, its bytes kept as they
/// are (see `display_path`).
pub fn shown_path(path: &Path) -> PathBuf {
    // Asked once per run, not once per file.
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let mut relative = CWD
        .get_or_init(|| std::env::current_dir().ok())
        .as_ref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    while let Ok(rest) = relative.strip_prefix(".") {
        if rest.as_os_str().is_empty() {
            break;
        }
        relative = rest;
    }
    relative.to_path_buf()
}

/// `// Code generated ... DO NOT EDIT.` before the package clause, as Go defines it. A byte
/// order mark at the start is not part of the first line (Go's scanner skips it).
pub fn is_generated(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with("// Code generated ") && line.ends_with(" DO NOT EDIT.") {
            return true;
        }
        if line.starts_with("package ") {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directories_go_skips_are_skipped() {
        for name in ["vendor", "testdata", ".git", "_build"] {
            assert!(is_skipped_directory(name), "{name}");
        }
        for name in ["pkg", "vendored", "test_data", "internal"] {
            assert!(!is_skipped_directory(name), "{name}");
        }
    }

    #[test]
    fn go_patterns_mean_directories() {
        assert_eq!(strip_go_pattern("./..."), ".");
        assert_eq!(strip_go_pattern("pkg/..."), "pkg");
        assert_eq!(strip_go_pattern("a.go"), "a.go");
    }

    #[test]
    fn generated_files_are_recognised_before_the_package_clause() {
        assert!(is_generated(
            "// Code generated by protoc-gen-go. DO NOT EDIT.\r\npackage p\n"
        ));
        assert!(!is_generated(
            "package p\n// Code generated by x. DO NOT EDIT.\n"
        ));
        assert!(!is_generated(
            "// Code generated by hand, edit freely\npackage p\n"
        ));
    }

    #[test]
    fn the_generated_marker_is_recognised_after_a_byte_order_mark() {
        assert!(is_generated(
            "\u{feff}// Code generated by stringer. DO NOT EDIT.\n\npackage p\n"
        ));
    }
}
