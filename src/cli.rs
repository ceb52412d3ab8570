//! The command line of DESIGN.md: parse flags, walk, analyse in parallel, then print or write.

use crate::codemods::{self, Codemod};
use crate::diff::unified_diff;
use crate::engine::{self, FileOutcome, Settings};
use crate::report::Report;
use crate::source::SourceFile;
use crate::syntax;
use crate::walk::{self, FileError};
use crate::write::write_atomically;
use clap::{Parser, ValueEnum};
use rayon::prelude::*;
use std::cell::RefCell;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "goleak-fix",
    version,
    about = "Find goroutine leaks in Go code and fix them with byte-precise edits.",
    after_help = "Exit status: 0 nothing found (or everything fixed), 1 findings or changes remain, 2 error."
)]
pub struct Cli {
    /// Files or directories (`./...` and `dir/...` mean the directory).
    #[arg(default_value = ".")]
    pub paths: Vec<String>,
    /// Write nothing; print a unified diff of every change. Exit 1 when there would be changes.
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,
    /// Write nothing; report findings. Exit 1 when there are findings.
    #[arg(long)]
    pub check: bool,
    /// Format of the findings report.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Only these codemods (comma-separated IDs).
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub select: Vec<String>,
    /// Skip these codemods (comma-separated IDs).
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub ignore: Vec<String>,
    /// Also apply fixes marked unsafe.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// List the codemods and exit.
    #[arg(long)]
    pub list_codemods: bool,
    /// Print a codemod's documentation and exit.
    #[arg(long, value_name = "ID")]
    pub explain: Option<String>,
    /// Number of threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("goleak-fix: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let mut stdout = io::stdout().lock();
    if cli.list_codemods {
        for codemod in codemods::REGISTRY {
            writeln!(stdout, "{:<26} {}", codemod.id(), codemod.summary())?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(id) = &cli.explain {
        let codemod = codemods::by_id(id).ok_or_else(|| unknown_codemod(id))?;
        write!(stdout, "{}", codemod.documentation())?;
        return Ok(ExitCode::SUCCESS);
    }
    let settings = Settings {
        codemods: selected_codemods(&cli.select, &cli.ignore)?,
        unsafe_fixes: cli.unsafe_fixes,
    };
    if let Some(jobs) = cli.jobs {
        // Only fails if a pool was already built, which cannot happen before this point.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global();
    }

    let walk = walk::collect(&cli.paths);
    let run = analyse(walk.packages, &settings);
    let mut errors = walk.errors;
    errors.extend(run.errors);

    let mode = if cli.check {
        Mode::Check
    } else if cli.dry_run {
        Mode::DryRun
    } else {
        Mode::Fix
    };
    let mut exit = match mode {
        Mode::Check => {
            let report = Report::new(&run.outcomes, run.files_scanned, |fix| {
                settings.is_applicable(fix)
            });
            print_report(&mut stdout, &report, cli.format)?;
            eprint_summary(&report);
            u8::from(report.summary.findings > 0)
        }
        Mode::DryRun => {
            let report = Report::new(&run.outcomes, run.files_scanned, |fix| {
                settings.is_applicable(fix)
            });
            if cli.format.is_some() {
                print_report(&mut stdout, &report, cli.format)?;
            } else {
                for outcome in &run.outcomes {
                    if let Some(fixed) = &outcome.fixed {
                        write!(
                            stdout,
                            "{}",
                            unified_diff(&outcome.source.display_path, &outcome.source.text, fixed)
                        )?;
                    }
                }
            }
            u8::from(run.outcomes.iter().any(|o| o.fixed.is_some()))
        }
        Mode::Fix => {
            let mut remaining = Vec::new();
            for outcome in &run.outcomes {
                let path = &outcome.source.display_path;
                if let Some(fixed) = &outcome.fixed {
                    match write_atomically(&outcome.source.path, &outcome.source.text, fixed) {
                        Ok(()) => {
                            let ids: Vec<&str> =
                                outcome.applied.iter().map(|(id, _)| *id).collect();
                            eprintln!("fixed {path}: {} leak(s) ({})", ids.len(), ids.join(", "));
                        }
                        Err(error) => errors.push(FileError {
                            path: path.clone(),
                            reason: format!("{error:#}"),
                        }),
                    }
                }
                remaining.extend(
                    outcome
                        .findings
                        .iter()
                        .filter(|f| {
                            !f.fix
                                .as_ref()
                                .is_some_and(|fix| settings.is_applicable(fix))
                        })
                        .map(|f| (outcome, f)),
                );
            }
            let unfixed: Vec<FileOutcome> = run
                .outcomes
                .iter()
                .map(|outcome| FileOutcome {
                    source: outcome.source.clone(),
                    findings: outcome
                        .findings
                        .iter()
                        .filter(|f| {
                            !f.fix
                                .as_ref()
                                .is_some_and(|fix| settings.is_applicable(fix))
                        })
                        .cloned()
                        .collect(),
                    fixed: None,
                    applied: Vec::new(),
                })
                .collect();
            let report = Report::new(&unfixed, run.files_scanned, |fix| {
                settings.is_applicable(fix)
            });
            if cli.format.is_some() || !remaining.is_empty() {
                print_report(&mut stdout, &report, cli.format)?;
            }
            u8::from(!remaining.is_empty())
        }
    };
    for error in &errors {
        eprintln!("goleak-fix: {}: {}", error.path, error.reason);
    }
    if !errors.is_empty() {
        exit = 2;
    }
    stdout.flush()?;
    Ok(ExitCode::from(exit))
}

enum Mode {
    Check,
    DryRun,
    Fix,
}

fn print_report(out: &mut impl Write, report: &Report, format: Option<Format>) -> io::Result<()> {
    match format.unwrap_or(Format::Text) {
        Format::Text => write!(out, "{}", report.to_text()),
        Format::Json => write!(out, "{}", report.to_json()),
    }
}

fn eprint_summary(report: &Report) {
    let summary = report.summary;
    eprintln!(
        "{} file(s) scanned, {} finding(s), {} fixable",
        summary.files_scanned, summary.findings, summary.fixable
    );
}

fn unknown_codemod(id: &str) -> anyhow::Error {
    let known: Vec<&str> = codemods::REGISTRY.iter().map(|c| c.id()).collect();
    anyhow::anyhow!("unknown codemod `{id}` (known: {})", known.join(", "))
}

fn selected_codemods(
    select: &[String],
    ignore: &[String],
) -> anyhow::Result<Vec<&'static dyn Codemod>> {
    for id in select.iter().chain(ignore) {
        codemods::by_id(id).ok_or_else(|| unknown_codemod(id))?;
    }
    Ok(codemods::REGISTRY
        .iter()
        .copied()
        .filter(|c| select.is_empty() || select.iter().any(|id| id == c.id()))
        .filter(|c| !ignore.iter().any(|id| id == c.id()))
        .collect())
}

struct RunResult {
    outcomes: Vec<FileOutcome>,
    errors: Vec<FileError>,
    files_scanned: usize,
}

thread_local! {
    static PARSER: RefCell<tree_sitter::Parser> = RefCell::new(syntax::go_parser());
}

/// Reads, analyses and fixes every package in parallel; results sorted by path.
fn analyse(
    packages: std::collections::BTreeMap<PathBuf, Vec<PathBuf>>,
    settings: &Settings,
) -> RunResult {
    let results: Vec<(Vec<FileOutcome>, Vec<FileError>, usize)> = packages
        .into_par_iter()
        .map(|(_, files)| {
            let mut errors = Vec::new();
            let mut sources = Vec::new();
            for path in files {
                let display_path = walk::display_path(&path);
                match read_source(&path) {
                    Ok(Some(text)) => sources.push(SourceFile::new(path, display_path, text)),
                    Ok(None) => {}
                    Err(reason) => errors.push(FileError {
                        path: display_path,
                        reason,
                    }),
                }
            }
            let scanned = sources.len();
            let outcomes = PARSER.with(|parser| {
                engine::process_package(&mut parser.borrow_mut(), sources, settings)
            });
            (outcomes, errors, scanned)
        })
        .collect();
    let mut run = RunResult {
        outcomes: Vec::new(),
        errors: Vec::new(),
        files_scanned: 0,
    };
    for (outcomes, errors, scanned) in results {
        run.outcomes.extend(outcomes);
        run.errors.extend(errors);
        run.files_scanned += scanned;
    }
    run.outcomes
        .sort_by(|a, b| a.source.display_path.cmp(&b.source.display_path));
    run.errors.sort_by(|a, b| a.path.cmp(&b.path));
    run
}

/// The file's text, `None` for a generated file, or why it cannot be read.
fn read_source(path: &std::path::Path) -> Result<Option<String>, String> {
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read: {error}"))?;
    let text = String::from_utf8(bytes).map_err(|error| {
        format!(
            "not valid UTF-8 (first bad byte at offset {}); skipped",
            error.utf8_error().valid_up_to()
        )
    })?;
    Ok((!walk::is_generated(&text)).then_some(text))
}
