//! goleak-fix: finds goroutine leaks in Go source and fixes them with byte-precise edits.
//!
//! The engine (walk, parse, channel facts, edits, diff, report) knows no codemod by name; each
//! codemod is one file under `codemods/` that reads `facts::FunctionFacts` and returns findings.

pub mod annotations;
pub mod attributes;
pub mod builtins;
pub mod cli;
pub mod codemods;
pub mod codeowners;
pub mod color;
pub mod commit;
pub mod config;
pub mod diff;
pub mod edit;
pub mod enclosing;
pub mod engine;
pub mod error_text;
pub mod escape;
pub mod evidence;
pub mod facts;
pub mod go_mod;
pub mod interrupt;
pub mod markdown;
pub mod outcome;
pub mod output_file;
pub mod package;
pub mod pipeline;
pub mod pr_body;
pub mod prefilter;
pub mod regular_file;
pub mod report;
pub mod rewrite;
pub mod sarif;
pub mod shard;
pub mod source;
pub mod streams;
pub mod suggest;
pub mod suppress;
pub mod syntax;
pub mod title;
pub mod verify;
pub mod walk;
pub mod write;
