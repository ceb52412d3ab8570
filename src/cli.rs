//! The command line of DESIGN.md: parse flags, walk, analyse in parallel, then print or write.

use crate::codemods::{self, Codemod};
use crate::diff::unified_diff;
use crate::engine::{FileOutcome, Settings};
use crate::pipeline::{self, Analysis};
use crate::report::Report;
use crate::walk::{self, FileError};
use crate::write::write_atomically;
use clap::{Parser, ValueEnum};
use std::io::{self, Write};
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
    let mut analysis = pipeline::analyse_paths(walk.packages, &settings);
    let mut errors = walk.errors;
    errors.append(&mut analysis.errors);

    let exit = if cli.check {
        check(&mut stdout, cli, &settings, &analysis)?
    } else if cli.dry_run {
        dry_run(&mut stdout, cli, &settings, &analysis)?
    } else {
        fix_in_place(&mut stdout, cli, &settings, &analysis, &mut errors)?
    };
    for error in &errors {
        eprintln!("goleak-fix: {}: {}", error.path, error.reason);
    }
    stdout.flush()?;
    Ok(ExitCode::from(if errors.is_empty() { exit } else { 2 }))
}

/// `--check`: the findings; 1 when there are any.
fn check(
    out: &mut impl Write,
    cli: &Cli,
    settings: &Settings,
    analysis: &Analysis,
) -> anyhow::Result<u8> {
    let report = Report::new(&analysis.outcomes, analysis.files_scanned, |fix| {
        settings.is_applicable(fix)
    });
    print_report(out, &report, cli.format)?;
    eprint_summary(&report);
    Ok(u8::from(report.summary.findings > 0))
}

/// `--dry-run`: the diff (or, with `--format`, the report); 1 when anything would change.
fn dry_run(
    out: &mut impl Write,
    cli: &Cli,
    settings: &Settings,
    analysis: &Analysis,
) -> anyhow::Result<u8> {
    if cli.format.is_some() {
        let report = Report::new(&analysis.outcomes, analysis.files_scanned, |fix| {
            settings.is_applicable(fix)
        });
        print_report(out, &report, cli.format)?;
    } else {
        for outcome in &analysis.outcomes {
            if let Some(fixed) = &outcome.fixed {
                write!(
                    out,
                    "{}",
                    unified_diff(&outcome.source.display_path, &outcome.source.text, fixed)
                )?;
            }
        }
    }
    Ok(u8::from(
        analysis.outcomes.iter().any(|o| o.fixed.is_some()),
    ))
}

/// The default: write the fixes, name each changed file on stderr, report what is left; 1 when
/// findings remain unfixed.
fn fix_in_place(
    out: &mut impl Write,
    cli: &Cli,
    settings: &Settings,
    analysis: &Analysis,
    errors: &mut Vec<FileError>,
) -> anyhow::Result<u8> {
    for outcome in &analysis.outcomes {
        let Some(fixed) = &outcome.fixed else {
            continue;
        };
        let path = &outcome.source.display_path;
        match write_atomically(&outcome.source.path, &outcome.source.text, fixed) {
            Ok(()) => {
                let ids: Vec<&str> = outcome.applied.iter().map(|(id, _)| *id).collect();
                eprintln!("fixed {path}: {} leak(s) ({})", ids.len(), ids.join(", "));
            }
            Err(error) => errors.push(FileError {
                path: path.clone(),
                reason: format!("{error:#}"),
            }),
        }
    }
    let unfixed: Vec<FileOutcome> = analysis
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
    let report = Report::new(&unfixed, analysis.files_scanned, |fix| {
        settings.is_applicable(fix)
    });
    let remaining = report.summary.findings;
    if cli.format.is_some() || remaining > 0 {
        print_report(out, &report, cli.format)?;
    }
    Ok(u8::from(remaining > 0))
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
