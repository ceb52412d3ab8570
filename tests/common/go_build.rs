//! Go programs the tests build: written to a stable directory under `target/`, not a fresh
//! temporary one, so that `go build -o bin/ ./...` finds last run's binaries and links only
//! the programs whose source (or the toolchain) changed. Go decides that from the build ID
//! it stamps in each binary, a hash of everything that went into it, never from file times:
//! a binary is reused only when it is exactly what a fresh link would make. Linking was most
//! of what the example proofs cost (about 100 programs), so a warm `cargo test` now spends
//! its time running them.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One suite's programs: `target/go-programs/<suite>/src/<key>/` (one Go module, its `go.mod`
/// in `src/`) and what a build made of them, `bin/<key>`.
pub struct GoPrograms {
    root: PathBuf,
    written: BTreeSet<String>,
    /// Held while this process uses the directory: a second `cargo test` of the same suite
    /// (another terminal, the same checkout) waits instead of rewriting programs under us.
    _lock: File,
}

impl GoPrograms {
    /// Opens (creating) the suite's directory with `go_mod` as the module's `go.mod`.
    pub fn open(suite: &str, go_mod: &str) -> GoPrograms {
        let root = super::repo_root()
            .join("target")
            .join("go-programs")
            .join(suite);
        std::fs::create_dir_all(root.join("src"))
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", root.display()));
        let lock = File::create(root.join(".lock"))
            .unwrap_or_else(|e| panic!("cannot create {}/.lock: {e}", root.display()));
        lock.lock()
            .unwrap_or_else(|e| panic!("cannot lock {}/.lock: {e}", root.display()));
        write_if_changed(&root.join("src").join("go.mod"), go_mod);
        GoPrograms {
            root,
            written: BTreeSet::new(),
            _lock: lock,
        }
    }

    pub fn src(&self) -> PathBuf {
        self.root.join("src")
    }

    pub fn bin(&self) -> PathBuf {
        self.root.join("bin")
    }

    /// The binary of the program `key` (present once `build` made it).
    pub fn binary(&self, key: &str) -> PathBuf {
        self.bin().join(key)
    }

    /// The programs written by this run, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.written.iter().map(String::as_str)
    }

    /// Writes `src/<key>/<file>`; the file keeps its time when its text is unchanged.
    pub fn write(&mut self, key: &str, file: &str, text: &str) {
        let dir = self.src().join(key);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        write_if_changed(&dir.join(file), text);
        self.written.insert(key.to_string());
    }

    /// Removes what earlier runs left that this one did not write (a renamed example), then
    /// runs `go_build()` (`go build` and any flags of the caller's, with its environment) in
    /// `src/`, with `-ldflags=-s -w -o bin/ ./...` added.
    /// `-s -w` leaves out the symbol table and DWARF, which only debuggers read: stack
    /// traces, goroutine dumps and profiles come from the runtime's own tables, and the link
    /// is about a third quicker. A program that does not build is left out, and the others
    /// are still built. Its binary could then be last run's: when the build fails, every
    /// binary is removed and the build runs again, so that only what it made is there to run.
    pub fn build(&self, go_build: impl Fn() -> Command) -> Output {
        self.remove_unwritten();
        let output = self.run(go_build());
        if output.status.success() {
            return output;
        }
        let _ = std::fs::remove_dir_all(self.bin());
        self.run(go_build())
    }

    fn run(&self, mut go_build: Command) -> Output {
        go_build
            .current_dir(self.src())
            .args(["-ldflags=-s -w", "-o"])
            .arg(self.bin().join(""))
            .arg("./...")
            .output()
            .unwrap_or_else(|e| panic!("the Go toolchain is needed (`go` on PATH): {e}"))
    }

    fn remove_unwritten(&self) {
        for (dir, is_program_dir) in [(self.src(), true), (self.bin(), false)] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = entry.path();
                if self.written.contains(&name) || (is_program_dir && !path.is_dir()) {
                    continue;
                }
                if path.is_dir() {
                    let _ = std::fs::remove_dir_all(&path);
                } else {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
    }
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return;
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
