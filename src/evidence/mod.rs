//! `--evidence FILE`: what the running program says about its goroutines, read back to the
//! source. Three kinds of file are recognised by their content, never by their name:
//!
//! - the text goroutine dump (`text_dump`): `/debug/pprof/goroutine?debug=2`, a panic or
//!   `SIGQUIT` trace, and the `goroutineleak` profile at debug level 2;
//! - `go test` output with go.uber.org/goleak's failure message (`goleak`);
//! - the gzipped pprof protobuf of the `goroutine` or `goroutineleak` profile (`pprof`).
//!
//! Each reader turns its file into `Goroutine`s; `group` keeps the blocked ones, grouped by
//! where and how they block; `matcher` maps their file names (another machine's absolute
//! paths, a module cache, `-trimpath`) to the scanned files; `confirm` marks the findings the
//! evidence confirms and lists the blocked places no codemod explains.
//!
//! The evidence is as untrusted as the repository: every name it holds is escaped wherever it
//! is shown, and it never makes a fix safe: it only orders, marks and (with `--evidence-only`)
//! narrows what the analysis already proved.

pub mod confirm;
pub mod goleak;
pub mod group;
pub mod matcher;
pub mod pprof;
pub mod report;
pub mod text_dump;

use std::io::Read;
use std::path::Path;

pub use group::{BlockedGroup, Groups};

/// One frame of a goroutine's stack: the function and where in the source it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The function as Go names it: `main.Example.func1`, `pkg.(*T).run`.
    pub function: String,
    /// The file as the build machine named it (absolute, module cache or `-trimpath` form).
    pub file: String,
    pub line: u32,
}

/// One goroutine (or, from a profile, `count` goroutines with the same stack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goroutine {
    /// How many goroutines this stands for: 1 in a dump, the sample's value in a profile.
    pub count: u64,
    /// The wait reason as the runtime prints it (`chan send`, `select`, `sync.Mutex.Lock`),
    /// without the duration or the `(leaked)` mark.
    pub state: String,
    /// How long it has waited, in whole minutes (`[chan send, 5 minutes]`; 0 when a dump
    /// prints none, which is under a minute); `None` when the format does not say (a profile).
    pub waiting_minutes: Option<u64>,
    /// Whether the runtime proved it leaked (the `goroutineleak` profile).
    pub leaked: bool,
    /// Innermost first.
    pub frames: Vec<Frame>,
    /// Where the `go` statement that started it is (`created by ...`), when the format says.
    pub created_by: Option<Frame>,
}

/// The kinds of evidence file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    TextDump,
    Goleak,
    Pprof,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::TextDump => "goroutine dump",
            Format::Goleak => "goleak failure",
            Format::Pprof => "pprof profile",
        }
    }
}

/// What is read of one evidence file at most (and what a gzipped profile may unpack to): a
/// dump of a million goroutines fits; a file or a gzip bomb past it is refused rather than
/// exhausting memory.
pub const MAX_EVIDENCE_BYTES: u64 = 1 << 30;

/// Why an evidence file was refused: shown as `--evidence NAME: reason`.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("cannot read: {0}")]
    Read(String),
    #[error("larger than {} MiB; not read", MAX_EVIDENCE_BYTES >> 20)]
    TooLarge,
    #[error(
        "not a goroutine dump, a goleak failure or a gzipped pprof goroutine profile (no `goroutine N [state]:` header, no `found unexpected goroutines`, no gzip header)"
    )]
    Unrecognised,
    #[error("a gzipped file that does not unpack: {0}")]
    Gzip(String),
    #[error("not a pprof profile: {0}")]
    Protobuf(String),
    #[error("a pprof profile of `{0}`, not of goroutines (`goroutine` or `goroutineleak`)")]
    WrongProfile(String),
}

/// An I/O error's words without Rust's ` (os error N)` suffix.
pub fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text,
    }
}

/// Reads one evidence file (`-`: the standard input) whole, at most `MAX_EVIDENCE_BYTES`.
pub fn read_file(name: &Path) -> Result<Vec<u8>, EvidenceError> {
    let limit = MAX_EVIDENCE_BYTES;
    let mut bytes = Vec::new();
    let result = if name == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes)
    } else {
        let file = std::fs::File::open(name).map_err(|e| EvidenceError::Read(io_reason(&e)))?;
        let metadata = file.metadata().ok();
        if metadata.as_ref().is_some_and(|m| m.is_dir()) {
            return Err(EvidenceError::Read("it is a directory".to_string()));
        }
        // Sized once: growing a buffer to a dump of hundreds of megabytes copies it again
        // and again. A pipe says 0 and grows as read.
        let size = metadata.map_or(0, |m| m.len()).min(limit);
        bytes.reserve_exact(usize::try_from(size).unwrap_or(0) + 1);
        file.take(limit + 1).read_to_end(&mut bytes)
    };
    result.map_err(|e| EvidenceError::Read(io_reason(&e)))?;
    if bytes.len() as u64 > limit {
        return Err(EvidenceError::TooLarge);
    }
    Ok(bytes)
}

/// Which kind of evidence `bytes` is, by content: the gzip magic number, goleak's message,
/// or a goroutine header at the start of a line.
pub fn detect(bytes: &[u8]) -> Result<Format, EvidenceError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(Format::Pprof);
    }
    if memchr::memmem::find(bytes, goleak::MARKER.as_bytes()).is_some() {
        return Ok(Format::Goleak);
    }
    if text_dump::has_header(bytes) {
        return Ok(Format::TextDump);
    }
    Err(EvidenceError::Unrecognised)
}

/// Parses `bytes` (of any recognised kind) into the goroutines it holds, each handed to
/// `sink` as it is read so that a dump of a million goroutines is never held twice.
pub fn parse(bytes: &[u8], sink: &mut dyn FnMut(Goroutine)) -> Result<Format, EvidenceError> {
    let format = detect(bytes)?;
    match format {
        Format::Pprof => pprof::parse(bytes, sink)?,
        Format::Goleak => goleak::parse(&text(bytes), sink),
        Format::TextDump => text_dump::parse(&text(bytes), sink),
    }
    Ok(format)
}

/// `bytes` as text: borrowed when it is UTF-8 (checked fast), else with U+FFFD for each
/// invalid sequence (a dump with a stray byte is still read).
fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Reads and groups one evidence file (see `group`), adding its groups to `groups`.
pub fn load(name: &Path, groups: &mut Groups) -> Result<Format, EvidenceError> {
    let bytes = read_file(name)?;
    let mut file = Groups::default();
    let format = parse(&bytes, &mut |goroutine| {
        file.goroutines += goroutine.count;
        file.add(&goroutine);
    })?;
    file.files = 1;
    groups.merge(file);
    Ok(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_content() {
        assert_eq!(
            detect(b"goroutine 1 [running]:\nmain.main()\n").unwrap(),
            Format::TextDump
        );
        assert_eq!(
            detect(b"--- FAIL: TestX\n    x_test.go:9: found unexpected goroutines:\n").unwrap(),
            Format::Goleak
        );
        assert_eq!(detect(&[0x1f, 0x8b, 8, 0]).unwrap(), Format::Pprof);
        assert!(matches!(
            detect(b"\x00\x01\x02 binary junk goroutine"),
            Err(EvidenceError::Unrecognised)
        ));
        assert!(matches!(detect(b""), Err(EvidenceError::Unrecognised)));
    }

    #[test]
    fn io_errors_lose_the_os_error_suffix() {
        let error = std::fs::File::open("/nonexistent/goleak-fix-evidence").unwrap_err();
        let reason = io_reason(&error);
        assert!(!reason.contains("os error"), "{reason}");
        assert!(!reason.is_empty());
    }

    #[test]
    fn a_directory_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_file(dir.path()).unwrap_err();
        assert!(error.to_string().contains("directory"), "{error}");
    }
}
