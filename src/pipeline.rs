//! The parallel run: read each package's files, analyse and fix them, collect the outcomes in
//! a stable order (sorted by path). One tree-sitter parser per thread.

use crate::engine::{self, FileOutcome, Settings};
use crate::regular_file::{self, Identity, OpenError};
use crate::source::{self, SizeCheck, SourceFile};
use crate::syntax;
use crate::walk::{self, FileError};
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

pub struct Analysis {
    /// The files with something to say (findings, fixes or a `//goleak-fix:ignore` comment),
    /// sorted by display path. The others are counted, and their text is dropped as soon as
    /// their package is done, so memory stays bounded on a monorepo.
    pub outcomes: Vec<FileOutcome>,
    /// Files that could not be read, sorted by path.
    pub errors: Vec<FileError>,
    pub files_scanned: usize,
    files_parsed: usize,
    /// Files in which nothing that makes a channel could be analysed (syntax errors).
    files_not_analysed: usize,
}

thread_local! {
    static PARSER: RefCell<tree_sitter::Parser> = RefCell::new(syntax::go_parser());
}

/// A progress bar on stderr for long runs in a terminal; silent otherwise.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// Runs over fewer files finish before a bar is worth drawing.
    const MIN_FILES: u64 = 2_000;

    pub fn new(files: usize, enabled: bool) -> Self {
        use std::io::IsTerminal;
        let files = files as u64;
        if !enabled || files < Self::MIN_FILES || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new(files);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {elapsed} [{bar:30}] {pos}/{len} files",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        Progress(Some(bar))
    }

    pub fn hidden() -> Self {
        Progress(None)
    }

    fn advance(&self, files: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(files as u64);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// Reads and analyses the files on disk, package by package.
pub fn analyse_paths(
    packages: BTreeMap<PathBuf, Vec<PathBuf>>,
    settings: &Settings,
    progress: &Progress,
) -> Analysis {
    analyse_walked(
        packages,
        &walk::PathMap::default(),
        &walk::PathMap::default(),
        settings,
        progress,
    )
}

/// `analyse_paths` for what a walk found: a file is read only if it is still the one the walk
/// looked at (`identities`, see `read_package_expecting`).
///
/// Packages are started largest first (by `package_bytes`, the walk's sizes; a package it
/// has none for counts as empty), each thread taking the next one as soon as it is free. In
/// path order, one big package started last (moby's `integration-cli` is an eighth of the
/// whole run) kept one thread busy long after the other had run out of work; started first,
/// it overlaps with the many small ones, and the last package to finish is a small one. The
/// order changes nothing else: `collect` sorts what the packages give.
pub fn analyse_walked(
    packages: BTreeMap<PathBuf, Vec<PathBuf>>,
    identities: &walk::PathMap<Identity>,
    package_bytes: &walk::PathMap<u64>,
    settings: &Settings,
    progress: &Progress,
) -> Analysis {
    let mut packages: Vec<(PathBuf, Vec<PathBuf>)> = packages.into_iter().collect();
    // Each package's size looked up once, not at every comparison.
    packages.sort_by_cached_key(|(directory, _)| {
        std::cmp::Reverse(package_bytes.get(directory).copied().unwrap_or(0))
    });
    // `par_bridge` hands the packages out one at a time, in this order, to whichever thread
    // asks next (an indexed parallel iterator would split the list in halves instead).
    let results: Vec<(Counted, Vec<FileError>)> = packages
        .into_iter()
        .par_bridge()
        .map(|(_, files)| {
            progress.advance(files.len());
            let (sources, errors) =
                read_package_expecting(files, identities, settings.max_file_size);
            (process(sources, settings), errors)
        })
        .collect();
    collect(results)
}

/// The files of one package as sources, generated ones left out, and the ones that could not
/// be read.
pub fn read_package(files: Vec<PathBuf>) -> (Vec<SourceFile>, Vec<FileError>) {
    read_package_expecting(
        files,
        &walk::PathMap::default(),
        source::DEFAULT_MAX_FILE_SIZE,
    )
}

/// `read_package`, refusing a file that is not the one `expected` says the path led to when
/// it was walked: a file renamed over it, or a directory on its path swapped for a link.
pub fn read_package_expecting(
    files: Vec<PathBuf>,
    expected: &walk::PathMap<Identity>,
    max_size: u64,
) -> (Vec<SourceFile>, Vec<FileError>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let display_path = walk::display_path(&path);
        match read_source_expecting(&path, expected.get(&path).copied(), max_size) {
            Ok(Some(text)) => sources.push(SourceFile::new(path, display_path, text)),
            Ok(None) => {}
            Err(reason) => errors.push(FileError {
                path: display_path,
                reason,
            }),
        }
    }
    (sources, errors)
}

/// Analyses files already in memory (for example read from a git commit), package by package.
pub fn analyse_sources(packages: Vec<Vec<SourceFile>>, settings: &Settings) -> Analysis {
    let results: Vec<(Counted, Vec<FileError>)> = packages
        .into_par_iter()
        .map(|sources| {
            let sources = sources
                .into_iter()
                .filter(|s| !walk::is_generated(&s.text))
                .collect();
            (process(sources, settings), Vec::new())
        })
        .collect();
    collect(results)
}

/// Analyses one package and keeps only the outcomes worth reporting, with the counts of all.
fn process(sources: Vec<SourceFile>, settings: &Settings) -> Counted {
    let outcomes =
        PARSER.with(|parser| engine::process_package(&mut parser.borrow_mut(), sources, settings));
    let scanned = outcomes.len();
    let parsed = outcomes.iter().filter(|outcome| outcome.parsed).count();
    let not_analysed = outcomes.iter().filter(|o| o.nothing_analysed).count();
    // The files a fix also edits, besides the finding's: their text is what SARIF's columns
    // of those edits are counted in.
    let edited_elsewhere: std::collections::HashSet<String> = outcomes
        .iter()
        .flat_map(|outcome| &outcome.findings)
        .filter_map(|finding| finding.fix.as_ref())
        .flat_map(|fix| fix.other_files.iter().map(|other| other.path.clone()))
        .collect();
    let outcomes = outcomes
        .into_iter()
        .filter(|outcome| {
            edited_elsewhere.contains(&outcome.source.display_path)
                || !outcome.findings.is_empty()
                || outcome.fixed.is_some()
                || !outcome.not_analysed.is_empty()
                || memchr::memmem::find(outcome.source.text.as_bytes(), b"goleak-fix:ignore")
                    .is_some()
        })
        .collect();
    Counted {
        outcomes,
        scanned,
        parsed,
        not_analysed,
    }
}

/// One package's outcomes worth keeping, and how many files it scanned and parsed.
struct Counted {
    outcomes: Vec<FileOutcome>,
    scanned: usize,
    parsed: usize,
    not_analysed: usize,
}

fn collect(results: Vec<(Counted, Vec<FileError>)>) -> Analysis {
    let mut analysis = Analysis {
        outcomes: Vec::new(),
        errors: Vec::new(),
        files_scanned: 0,
        files_parsed: 0,
        files_not_analysed: 0,
    };
    for (counted, errors) in results {
        analysis.files_scanned += counted.scanned;
        analysis.files_parsed += counted.parsed;
        analysis.files_not_analysed += counted.not_analysed;
        analysis.outcomes.extend(counted.outcomes);
        analysis.errors.extend(errors);
    }
    analysis
        .outcomes
        .sort_by(|a, b| a.source.display_path.cmp(&b.source.display_path));
    analysis.errors.sort_by(|a, b| a.path.cmp(&b.path));
    analysis
}

impl Analysis {
    pub fn files_parsed(&self) -> usize {
        self.files_parsed
    }

    /// Functions (or unreadable regions) not analysed because of syntax errors, in all files.
    pub fn not_analysed_count(&self) -> usize {
        self.outcomes.iter().map(|o| o.not_analysed.len()).sum()
    }

    /// Whether the run parsed files and none of them could be analysed where it makes a
    /// channel: whatever it says about leaks would be empty, so it is an error (exit 2).
    pub fn nothing_could_be_analysed(&self) -> bool {
        self.files_not_analysed > 0 && self.files_not_analysed == self.files_parsed
    }
}

/// The file's text, `None` for a generated file, or why it cannot be read.
pub fn read_source(path: &Path) -> Result<Option<String>, String> {
    read_source_expecting(path, None, source::DEFAULT_MAX_FILE_SIZE)
}

/// `read_source`, from a file opened without following a symbolic link and without blocking
/// (a link or a FIFO put there since the walk is refused, never read through or waited on),
/// that must be a regular file and, when `expected` is given, the file the walk found.
pub fn read_source_expecting(
    path: &Path,
    expected: Option<Identity>,
    max_size: u64,
) -> Result<Option<String>, String> {
    let (mut file, metadata) = regular_file::open(path).map_err(|error| match error {
        OpenError::Symlink => "it is a symbolic link now; not read through".to_string(),
        OpenError::NotRegular => "it is not a regular file now; not read".to_string(),
        OpenError::Io(error) => format!("cannot read: {error}"),
    })?;
    if expected.is_some_and(|expected| Identity::of(&metadata) != Some(expected)) {
        return Err("another file is there since the walk found it; not read".to_string());
    }
    // Over the limit, only the start is read: enough to tell a generated file.
    if metadata.len() > max_size {
        let mut head = Vec::with_capacity(source::HEAD_FOR_GENERATED);
        (&mut file)
            .take(source::HEAD_FOR_GENERATED as u64)
            .read_to_end(&mut head)
            .map_err(|error| format!("cannot read: {error}"))?;
        return match source::check_size(metadata.len(), max_size, &head) {
            SizeCheck::TooLarge(reason) => Err(reason),
            SizeCheck::Generated | SizeCheck::Fits => Ok(None),
        };
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0) + 1);
    // A file that grew since its size was taken is read only up to one byte over the limit.
    (&mut file)
        .take(max_size + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("cannot read: {error}"))?;
    if let SizeCheck::TooLarge(reason) = source::check_size(bytes.len() as u64, max_size, &bytes) {
        return Err(reason);
    }
    let text = source::go_text(bytes)?;
    Ok((!walk::is_generated(&text)).then_some(text))
}
