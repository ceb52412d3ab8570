//! Compiles the Go grammar: tree-sitter-go 0.25.0 with the Go 1.26 `new(expr)` patch, kept as
//! generated C in `grammar/tree-sitter-go/src` (see `grammar/tree-sitter-go/PATCH.md` for what
//! differs from upstream and `regenerate.sh` for how `parser.c` is made). Also names the git
//! commit the binary is built from, for `--version`.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

const GRAMMAR_LIBRARY: &str = "tree-sitter-go-patched";

fn main() {
    grammar();
    version();
}

fn grammar() {
    let src = Path::new("grammar/tree-sitter-go/src");
    let parser = src.join("parser.c");
    let headers = src.join("tree_sitter");
    println!("cargo:rerun-if-changed={}", parser.display());
    println!("cargo:rerun-if-changed={}", headers.display());
    // This script also runs again for each new commit (see `version`): the grammar is
    // compiled again only when its sources changed, since that takes a while.
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let stamp = out.join("grammar.stamp");
    let fingerprint = grammar_fingerprint(&parser, &headers);
    let library = out.join(format!("lib{GRAMMAR_LIBRARY}.a"));
    if library.is_file() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&fingerprint) {
        // What `cc` prints when it compiles the library.
        println!("cargo:rustc-link-lib=static={GRAMMAR_LIBRARY}");
        println!("cargo:rustc-link-search=native={}", out.display());
        return;
    }
    cc::Build::new()
        .std("c11")
        .include(src)
        .file(&parser)
        // The parser is on the hot path of every run, tests included: always optimised.
        .opt_level(2)
        // Generated code: its warnings are not ours to fix.
        .warnings(false)
        .compile(GRAMMAR_LIBRARY);
    let _ = std::fs::write(&stamp, fingerprint);
}

/// A hash of the grammar's C sources (the parser and its headers).
fn grammar_fingerprint(parser: &Path, headers: &Path) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::fs::read(parser).unwrap_or_default().hash(&mut hasher);
    let mut names: Vec<PathBuf> = std::fs::read_dir(headers)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    for name in names {
        name.hash(&mut hasher);
        std::fs::read(&name).unwrap_or_default().hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

/// `GOLEAK_FIX_VERSION`: the package version, and the commit when built from a git checkout
/// (`0.1.0 (commit 1a2b3c4d5e6f)`); the version alone when git or the repository is missing
/// (a source archive, a vendored copy).
fn version() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    let shown = match &commit {
        Some(commit) => format!("{version} (commit {commit})"),
        None => version,
    };
    println!("cargo:rustc-env=GOLEAK_FIX_VERSION={shown}");
    if commit.is_none() {
        return;
    }
    // Run again when HEAD moves: a new commit on the branch, or another branch. Only files
    // that exist are named, since cargo reruns the script every time for a missing one.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(&["rev-parse", "--git-path", &name])
            && Path::new(&path).is_file()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

/// What `git args` prints, trimmed, when it succeeds.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_string())
}
