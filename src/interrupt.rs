//! SIGINT and SIGTERM without half-written files or temp files left behind.
//!
//! Outside a write, there is nothing to clean up: a signal ends the process at once, with the
//! shell's status for it (130 for SIGINT, 143 for SIGTERM). Inside a write (temp file created,
//! not yet renamed or removed) the signal is only noted; the write finishes or abandons its temp
//! file, and the process ends as soon as the write's `WriteGuard` is dropped. So every file is
//! either as it was or fully fixed, and no `.goleak-fix-*` temp file remains.
//!
//! `--commit` uses the same guards around each write to the repository: libgit2 writes every
//! object to a temp file (`objects/tmp_object_git2_*`) and every reference to a lock file before
//! renaming it into place, and a signal in between would leave them behind. `--verify` holds
//! one while its temp directory (copies of the sources) exists, and stops its `go` commands as
//! soon as a signal is `pending`, so that the directory is removed before the process ends.
//!
//! Until `install` is called (the library used on its own, the tests), signals keep their
//! default behaviour and the guards cost two atomic operations. The command line calls it
//! first thing, with `NOTHING_YET`, so that even an interrupt in the first second says what
//! happened; each mode then names what it promises with `set_message`.
//!
//! Every interrupt is named on stderr: by the handler itself when no write is in flight (one
//! `write(2)` of a fixed message, which is async-signal-safe), else by the last guard.
//!
//! The handshake: the handler first records the signal, then looks at the number of writes in
//! flight; a guard first leaves the critical section, then looks for a recorded signal. Whatever
//! the interleaving, one of the two sees the other, so a signal is never lost.

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::low_level;
use std::sync::Once;
use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicUsize, Ordering};

static WRITES_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static PENDING_SIGNAL: AtomicI32 = AtomicI32::new(0);
/// What the run says on stderr when it ends on a signal, with its line break: a leaked
/// `&'static str`, read by the handler (an atomic load, async-signal-safe); null before
/// `install`.
static MESSAGE: AtomicPtr<&'static str> = AtomicPtr::new(std::ptr::null_mut());
static INSTALLED: Once = Once::new();

/// What a run interrupted before it has started on any file says.
pub const NOTHING_YET: &str = "goleak-fix: interrupted; nothing was written";

/// What an interrupted run of the default mode says: what it promises about the files.
pub const FILES_WHOLE: &str =
    "goleak-fix: interrupted; every file is either as it was or fully fixed";

/// What an interrupted `--commit` says: what it promises about the repository.
pub const REPOSITORY_WHOLE: &str = "goleak-fix: interrupted; the repository holds no \
     half-written object or reference and no temporary or lock file";

/// What an interrupted `--dry-run --verify` says: it stopped before writing anything.
pub const NOTHING_WRITTEN: &str =
    "goleak-fix: interrupted; nothing was written and no temporary file is left";

/// Whether a SIGINT or SIGTERM is waiting for the guards to be dropped: long work under a
/// guard (the Go toolchain runs of `--verify`) checks it to give up early.
pub fn pending() -> bool {
    PENDING_SIGNAL.load(Ordering::SeqCst) != 0
}

/// Takes over SIGINT and SIGTERM for the rest of the process (see the module documentation);
/// `message` is what an interrupted run says. A second call only changes the message.
pub fn install(message: &'static str) -> std::io::Result<()> {
    set_message(message);
    let mut result = Ok(());
    INSTALLED.call_once(|| {
        for signal in [SIGINT, SIGTERM] {
            let action = move || {
                // Only async-signal-safe work here: atomics, `write(2)` and `_exit`.
                PENDING_SIGNAL.store(signal, Ordering::SeqCst);
                if WRITES_IN_FLIGHT.load(Ordering::SeqCst) == 0 {
                    let message = MESSAGE.load(Ordering::SeqCst);
                    if !message.is_null() {
                        // SAFETY: a non-null MESSAGE is a leaked `&'static str`, never freed.
                        let text: &str = unsafe { *message };
                        // SAFETY: fd 2 stays open for the life of the process.
                        let stderr = unsafe { rustix::fd::BorrowedFd::borrow_raw(2) };
                        let _ = rustix::io::write(stderr, text.as_bytes());
                    }
                    low_level::exit(128 + signal);
                }
            };
            // SAFETY: the action only touches atomics, writes to fd 2 and calls `_exit`, all
            // async-signal-safe.
            if let Err(error) = unsafe { low_level::register(signal, action) } {
                result = Err(error);
            }
        }
    });
    result
}

/// What an interrupted run says from now on (see `install`).
pub fn set_message(message: &'static str) {
    let line: &'static str = Box::leak(format!("{message}\n").into_boxed_str());
    MESSAGE.store(Box::leak(Box::new(line)), Ordering::SeqCst);
}

/// Marks a write in progress: a signal that arrives before the guard is dropped waits for it.
/// Create the guard before the temp file and drop it after the file is renamed or removed.
#[must_use = "the write is protected only while the guard lives"]
pub struct WriteGuard(());

pub fn write_guard() -> WriteGuard {
    WRITES_IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
    WriteGuard(())
}

impl Drop for WriteGuard {
    fn drop(&mut self) {
        if WRITES_IN_FLIGHT.fetch_sub(1, Ordering::SeqCst) != 1 {
            // Another write is still in flight; the last one out ends the process.
            return;
        }
        let signal = PENDING_SIGNAL.load(Ordering::SeqCst);
        if signal != 0 {
            let message = MESSAGE.load(Ordering::SeqCst);
            // SAFETY: a non-null MESSAGE is a leaked `&'static str`, never freed.
            let line = if message.is_null() {
                FILES_WHOLE
            } else {
                unsafe { *message }.trim_end()
            };
            crate::streams::say(line);
            std::process::exit(128 + signal);
        }
    }
}
