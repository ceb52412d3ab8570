//! The command line of docs/CONTRACT.md: parse flags, walk, analyse in parallel, then print or write.

use crate::codemods::{self, Codemod};
use crate::commit::{self, BranchRequest, HeadCommit};
use crate::config::{self, UnsafeFixes, UnsafeFixesFrom};
use crate::diff::file_diff;
use crate::engine::{FileOutcome, Settings};
use crate::evidence::{self, Groups, confirm::Confirmations, confirm::Evidence};
use crate::outcome::{self, Judge};
use crate::output_file::OutputFile;
use crate::pipeline::{self, Analysis};
use crate::report::BranchStatus;
use crate::report::{Report, ReportedNotAnalysed};
use crate::streams::{self, Recorded, say};
use crate::verify::{self, Toolchain, Verdicts};
use crate::walk::{self, FileError};
use crate::write::{self, write_atomically};
use crate::{
    annotations, color, error_text, escape, interrupt, pr_body, sarif, shard, suggest, suppress,
};
use anyhow::Context;
use clap::{CommandFactory, Parser, ValueEnum};
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Where the reports go: stdout, whose write errors are kept for the end of the run rather
/// than ending it (see `streams`).
type Stdout = Recorded<io::StdoutLock<'static>>;

#[derive(Parser, Debug)]
#[command(
    name = "goleak-fix",
    // The package version and the git commit it was built from (see build.rs).
    version = env!("GOLEAK_FIX_VERSION"),
    about = "Find goroutine leaks in Go code and fix them with byte-precise edits.",
    after_help = "Exit status: 0 nothing found (or everything fixed), 1 findings or changes remain, 2 error."
)]
pub struct Cli {
    /// Files or directories (`./...` and `dir/...` mean the directory).
    #[arg(default_value = ".")]
    pub paths: Vec<String>,
    /// Write nothing; print a unified diff of every change. Exit 1 when there would be changes.
    #[arg(long, visible_alias = "diff", conflicts_with = "check")]
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
    /// Read the settings from FILE (trusted: its `unsafe-fixes` counts) instead of the
    /// goleak-fix.toml found at or above the first PATH.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no goleak-fix.toml.
    #[arg(long)]
    pub no_config: bool,
    /// Trust the goleak-fix.toml found in the scanned tree: let its `unsafe-fixes = true`
    /// count (refused with a warning otherwise).
    #[arg(long, conflicts_with = "no_config")]
    pub trust_config: bool,
    /// List the codemods and exit.
    #[arg(long)]
    pub list_codemods: bool,
    /// Print a codemod's documentation and exit.
    #[arg(long, value_name = "ID")]
    pub explain: Option<String>,
    /// No progress bar and no summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Number of threads, at most 256 (default, and 0: one per core).
    #[arg(long, short = 'j', value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Skip (and name) files larger than SIZE: bytes, or with K, M or G (KiB, MiB, GiB).
    /// Default 8M. Only a flag, never a `goleak-fix.toml` key: a repository must not raise
    /// what the run may spend on it.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Put the fixes in one commit on a new branch of the enclosing git repository, made from
    /// the files as committed at HEAD. The working tree, the index and the current branch stay
    /// as they are.
    #[arg(long, conflicts_with_all = ["dry_run", "check"])]
    pub commit: bool,
    /// The branch --commit creates (default: goleak-fix/<hash of the change>).
    #[arg(long, value_name = "NAME", requires = "commit")]
    pub branch: Option<String>,
    /// Reset the branch --commit creates if it already exists.
    #[arg(long, requires = "commit")]
    pub force_branch: bool,
    /// The commit message (default: a subject line, then one line per fix).
    #[arg(long, value_name = "MSG", requires = "commit")]
    pub message: Option<String>,
    /// Write a Markdown pull-request body for the fixes to FILE (with --commit or --dry-run);
    /// with --split-by, FILE is a directory and gets one body per branch.
    #[arg(long, value_name = "FILE")]
    pub pr_body: Option<PathBuf>,
    /// With --commit: one branch and one commit per shard, by the owners CODEOWNERS gives each
    /// file (`codeowners`), by directory (`dir`), or by its first DEPTH directories (`dir:DEPTH`).
    #[arg(long, value_name = "HOW", value_parser = shard::parse_split_by, requires = "commit")]
    pub split_by: Option<shard::SplitBy>,
    /// With --commit: at most N files per branch (a larger shard is cut, in path order).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), requires = "commit")]
    pub max_files: Option<u64>,
    /// The pull-request title and commit subject (default: `<common directory>: fix
    /// goroutine leaks in ...`).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// With --commit: end the commit message with `Signed-off-by:` (DCO).
    #[arg(long, requires = "commit")]
    pub signoff: bool,
    /// The repository's web address (`https://github.com/org/repo`), for permalinks to each
    /// fixed line in the pull-request body; `{sha}`, `{path}` and `{line}` make it a template.
    #[arg(long, value_name = "URL")]
    pub repo_url: Option<String>,
    /// A pull-request template: the generated text replaces its `<!-- goleak-fix -->` line
    /// (or goes above it). Default: the scanned repository's own, pull_request_template.md in
    /// its .github directory.
    #[arg(long, value_name = "FILE")]
    pub pr_template: Option<PathBuf>,
    /// With --format json|sarif|github|rdjsonl: also list the findings a
    /// `//goleak-fix:ignore` comment silenced.
    #[arg(long)]
    pub include_suppressed: bool,
    /// Prove each fixed file with the Go toolchain before it is written, offline: `go vet` on
    /// its package with the fix in place (`vet`, the default), or also the package's tests
    /// (`test`). A fix that breaks the package is dropped; one the toolchain cannot judge
    /// (dependencies not in the module cache, say) is kept and marked unverified.
    #[arg(
        long,
        value_enum,
        value_name = "LEVEL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "vet",
        conflicts_with = "check"
    )]
    pub verify: Option<verify::Level>,
    /// Run-time evidence of leaks: a goroutine dump (debug=2, a panic, the goroutineleak
    /// profile at debug=2), `go test` output with a goleak failure, or a gzipped pprof
    /// goroutine or goroutineleak profile; `-` for the standard input. Repeatable. Confirmed
    /// findings are marked and listed first; blocked places no finding explains are listed.
    #[arg(long, value_name = "FILE")]
    pub evidence: Vec<PathBuf>,
    /// Report and fix only the findings the evidence confirms.
    #[arg(long, requires = "evidence")]
    pub evidence_only: bool,

    // Issue 15, a command line with Go manners: these flags are kept together.
    /// With --verify: the longest one `go` command may take (`90`, `90s`, `10m`, `1h`;
    /// default 120s for each `go vet`, 300s for each `go test`). A cold build cache makes the
    /// first run of a large module slow.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "verify")]
    pub verify_timeout: Option<Duration>,
    /// Skip what GLOB matches (gitignore syntax, relative to the current directory), besides
    /// what Go skips and goleak-fix.toml's `exclude`. Repeatable. A file named as a PATH is
    /// always read.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Leave out `_test.go` files (a file named as a PATH is always read).
    #[arg(long)]
    pub no_tests: bool,
    /// Exit 0 when findings or changes remain; errors still exit 2.
    #[arg(long)]
    pub exit_zero: bool,
    /// Colour: `auto` (on a terminal, unless NO_COLOR is set), `always`, `never`.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = color::When::Auto)]
    pub color: color::When,
    /// Print a completion script for SHELL and exit.
    #[arg(long, value_enum, value_name = "SHELL")]
    pub completions: Option<clap_complete::Shell>,
    /// Print the manual page (roff, for `man -l -`) and exit.
    #[arg(long)]
    pub man: bool,
}

/// `--verify-timeout`: seconds, or a number with `s`, `m` or `h`; above zero.
fn parse_duration(value: &str) -> Result<Duration, String> {
    const EXPECTED: &str = "a duration: seconds, or with s, m or h (say 90s or 10m)";
    let (digits, unit) = match value.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => value.split_at(at),
        None => (value, ""),
    };
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(EXPECTED.to_string()),
    };
    let number: u64 = digits.parse().map_err(|_| EXPECTED.to_string())?;
    number
        .checked_mul(scale)
        .filter(|&seconds| seconds > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| "a duration above zero".to_string())
}

/// The most threads `--jobs` may ask for. The work is parsing, bound by the cores (and with
/// `--verify`, one `go` process per thread): far more threads than that only cost memory and
/// start-up time, and a few thousand make the run crawl. 256 is more than any machine this
/// runs on has cores, and the same cap everywhere keeps the usage error reproducible.
pub const MAX_JOBS: usize = 256;

/// `--jobs N`: 0 (one per core, as ripgrep reads it) up to `MAX_JOBS`; more is a usage error
/// naming the cap rather than a run that never ends.
/// `4096`, `512K`, `8M`, `1G` (binary units) as bytes.
fn parse_size(value: &str) -> Result<u64, String> {
    let (digits, unit) = match value.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => value.split_at(at),
        None => (value, ""),
    };
    let shift = match unit {
        "" => 0,
        "K" | "k" | "KiB" => 10,
        "M" | "m" | "MiB" => 20,
        "G" | "g" | "GiB" => 30,
        _ => return Err("a size in bytes, or with K, M or G (say 8M)".to_string()),
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| "a size in bytes, or with K, M or G (say 8M)".to_string())?;
    number
        .checked_mul(1 << shift)
        .filter(|&bytes| bytes > 0)
        .ok_or_else(|| "a size above zero, below 16 exbibytes".to_string())
}

fn parse_jobs(value: &str) -> Result<usize, String> {
    let jobs: usize = value
        .parse()
        .map_err(|_| "not a number of threads".to_string())?;
    if jobs > MAX_JOBS {
        return Err(format!("at most {MAX_JOBS} threads (0 means one per core)"));
    }
    Ok(jobs)
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::warning file=...::...`), one per finding.
    Github,
    /// reviewdog's diagnostic format, one JSON object per line, fixes as suggestions.
    Rdjsonl,
}

pub fn main() -> ExitCode {
    // First of all: an interrupt at any time, even before a file is read, says so.
    let _ = interrupt::install(interrupt::NOTHING_YET);
    let cli = parse_arguments(std::env::args_os().collect());
    color::init(cli.color);
    let mut stdout = Recorded::new(io::stdout().lock());
    let status = match run(&cli, &mut stdout) {
        // `--exit-zero`: remaining findings or changes are not a failure; errors still are.
        Ok(1) if cli.exit_zero => 0,
        Ok(status) => status,
        Err(error) => {
            say(&format!("goleak-fix: {}", error_text::describe(&error)));
            2
        }
    };
    // A reader that stopped reading (`| head`) chose to: the run keeps the status it earned
    // (1 with findings). Output lost any other way is an error of the run.
    let status = match stdout.finish() {
        Some(error) if !streams::is_broken_pipe(&error) => {
            say(&format!(
                "goleak-fix: cannot write the standard output: {error}"
            ));
            2
        }
        _ => status,
    };
    ExitCode::from(status)
}

/// The flags, or the usage error (exit 2) with a tip for what Go developers type out of habit
/// (`-json`, `--fix`, `-diff`), and for `--verify test`, which clap reads as `--verify` and a
/// PATH `test`.
fn parse_arguments(arguments: Vec<OsString>) -> Cli {
    // clap's own help and errors follow `--color` too (with `auto`, clap's own check of the
    // terminal and NO_COLOR).
    let clap_color = match color_flag(&arguments) {
        Some(color::When::Always) => clap::ColorChoice::Always,
        Some(color::When::Never) => clap::ColorChoice::Never,
        _ => clap::ColorChoice::Auto,
    };
    let parsed = Cli::command()
        .color(clap_color)
        .try_get_matches_from(&arguments)
        .and_then(|matches| <Cli as clap::FromArgMatches>::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(error) => {
            let error = match (error.kind(), go_habit_tip(&arguments)) {
                (clap::error::ErrorKind::UnknownArgument, Some(tip)) => {
                    let mut error = error;
                    error.insert(
                        clap::error::ContextKind::Suggested,
                        clap::error::ContextValue::StyledStrs(vec![tip.into()]),
                    );
                    error
                }
                _ => error,
            };
            error.exit()
        }
    };
    if cli.verify == Some(verify::Level::Vet)
        && let Some(level) = level_after_bare_verify(&arguments)
    {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "`--verify {level}` reads `{level}` as a PATH: the level is given with `=`, \
                     as in `--verify={level}` (to verify a directory named {level}, write \
                     `--verify ./{level}`)"
                ),
            )
            .exit()
    }
    cli
}

/// The value of the last `--color` among `arguments`, before clap has parsed them.
fn color_flag(arguments: &[OsString]) -> Option<color::When> {
    let mut found = None;
    let mut arguments = arguments
        .iter()
        .take_while(|argument| *argument != "--")
        .filter_map(|argument| argument.to_str());
    while let Some(argument) = arguments.next() {
        let value = match argument.strip_prefix("--color") {
            Some("") => arguments.next(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some(when) = value.and_then(|value| color::When::from_str(value, false).ok()) {
            found = Some(when);
        }
    }
    found
}

/// `test` or `vet` when it is the word right after a bare `--verify`.
fn level_after_bare_verify(arguments: &[OsString]) -> Option<&'static str> {
    let options = arguments.iter().take_while(|argument| *argument != "--");
    let after: Vec<&OsString> = options.collect();
    after.windows(2).find_map(|pair| {
        if pair[0] != "--verify" {
            return None;
        }
        ["test", "vet"].into_iter().find(|level| pair[1] == *level)
    })
}

/// What to write instead of a flag that goleak-fix does not have but Go's tools (or other
/// linters) do: `-json`, `--fix`, `-diff`, and any long flag given with one dash.
fn go_habit_tip(arguments: &[OsString]) -> Option<String> {
    let command = Cli::command();
    let long_flags: Vec<String> = command
        .get_arguments()
        .flat_map(|arg| arg.get_long_and_visible_aliases().unwrap_or_default())
        .map(str::to_string)
        .collect();
    arguments
        .iter()
        .skip(1)
        .take_while(|argument| *argument != "--")
        .filter_map(|argument| argument.to_str())
        .find_map(|argument| {
            let name = argument.trim_start_matches('-');
            let name = name.split_once('=').map_or(name, |(name, _)| name);
            match name {
                "json" | "sarif" => {
                    Some(format!("goleak-fix writes {name} with `--format {name}`"))
                }
                "fix" => Some(
                    "fixing is what goleak-fix does without a mode flag; `--diff` shows the \
                     fixes without writing them"
                        .to_string(),
                ),
                _ if argument.starts_with('-')
                    && !argument.starts_with("--")
                    && long_flags.iter().any(|flag| flag == name) =>
                {
                    Some(format!("long flags take two dashes: `--{name}`"))
                }
                _ => None,
            }
        })
}

/// How the run was set up, as the reports tell it.
struct Setup {
    /// The configuration file read, as shown (relative to the current directory).
    config_file: Option<String>,
    /// Where unsafe fixes were turned on, if they were.
    unsafe_from: Option<UnsafeFixesFrom>,
    /// `--pr-body`'s file, checked before anything was done.
    pr_body: Option<OutputFile>,
    /// `--pr-body`'s directory with `--split-by`: one body per branch goes there.
    pr_body_dir: Option<PathBuf>,
    /// The pull-request template's text (`--pr-template`, or the repository's).
    pr_template: Option<String>,
    /// The `--evidence` files' blocked goroutines, read before anything was done.
    evidence: Option<Groups>,
}

/// What was said of the findings besides the analysis: `--verify`'s verdicts and what the
/// `--evidence` confirms.
struct Judged<'a> {
    verdicts: &'a Verdicts,
    evidence: Option<&'a Confirmations>,
}

/// The configuration: the file named with `--config`, none with `--no-config`, or the one the
/// search finds (see `config`).
fn load_config(cli: &Cli) -> anyhow::Result<config::Config> {
    Ok(if cli.no_config {
        config::Config::default()
    } else if let Some(file) = &cli.config {
        config::named(file)?
    } else {
        config::discover(&cli.paths)?
    })
}

/// The run; its exit status. Writes to `stdout` never fail it (see `streams`): whatever
/// happens to the reports, the files, the branch and the pull-request body are still done.
fn run(cli: &Cli, stdout: &mut Stdout) -> anyhow::Result<u8> {
    if let Some(shell) = cli.completions {
        clap_complete::generate(shell, &mut Cli::command(), "goleak-fix", stdout);
        return Ok(0);
    }
    if cli.man {
        clap_mangen::Man::new(Cli::command()).render(stdout)?;
        return Ok(0);
    }
    if cli.list_codemods {
        for codemod in codemods::REGISTRY {
            writeln!(stdout, "{:<26} {}", codemod.id(), codemod.summary())?;
        }
        return Ok(0);
    }
    if let Some(id) = &cli.explain {
        let codemod = codemods::by_id(id).ok_or_else(|| unknown_codemod(id))?;
        write!(stdout, "{}", codemod.documentation())?;
        return Ok(0);
    }
    if cli.pr_body.is_some() && !(cli.commit || cli.dry_run) {
        anyhow::bail!("--pr-body needs --commit or --dry-run");
    }
    // Before any branch is made: a body that could not be written then would leave a branch
    // with no pull-request body, which a bot would push all the same.
    let (pr_body, pr_body_dir) = match (&cli.pr_body, &cli.split_by) {
        (Some(directory), Some(_)) => (None, Some(pr_body::body_directory(directory)?)),
        (file, _) => (
            file.as_deref()
                .map(OutputFile::prepare)
                .transpose()
                .context("--pr-body")?,
            None,
        ),
    };
    let pr_template = cli
        .pr_template
        .as_deref()
        .map(pr_body::read_template)
        .transpose()?;
    // `goleak-fix.toml` gives the defaults; each flag given replaces its key.
    let config = load_config(cli)?;
    let unsafe_fixes = config.unsafe_fixes(cli.unsafe_fixes, cli.trust_config);
    if let UnsafeFixes::Refused(file) = &unsafe_fixes {
        // Even with --quiet: the run does less than the file asks, and must say so.
        say(&format!(
            "goleak-fix: warning: {}: `unsafe-fixes = true` refused: a configuration file found \
             in the scanned tree may not turn on unsafe fixes; only safe fixes are applied \
             (pass --trust-config to trust this repository's file, or --unsafe-fixes)",
            walk::display_path(file)
        ));
    }
    let settings = Settings::new(
        selected_codemods(config.select(&cli.select), config.ignore(&cli.ignore))?,
        unsafe_fixes.is_on(),
    )
    .with_max_file_size(
        cli.max_file_size
            .unwrap_or(crate::source::DEFAULT_MAX_FILE_SIZE),
    );
    let setup = Setup {
        config_file: config.file.as_deref().map(walk::display_path),
        unsafe_from: unsafe_fixes.from().cloned(),
        pr_body,
        pr_body_dir,
        pr_template,
        evidence: None,
    };
    if let Some(file) = &setup.config_file
        && !cli.quiet
    {
        say(&format!("goleak-fix: using config {file}"));
    }
    let settings = if cli.check {
        settings.report_only()
    } else {
        settings
    };
    // Before anything is read or written: a bad evidence file is an error naming it.
    let setup = Setup {
        evidence: load_evidence(cli)?,
        ..setup
    };
    let exclude = exclusions(cli, &config)?;
    // Before anything is read or written: --verify without Go is a usage error.
    let toolchain = cli.verify.map(Toolchain::find).transpose()?;
    if let Some(jobs) = cli.jobs {
        // Only fails if a pool was already built, which cannot happen before this point. Zero
        // threads is rayon's own "one per core".
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global();
    }

    let started = std::time::Instant::now();
    if cli.commit {
        // Writes git objects and one branch, never a file in the working tree; a SIGINT or
        // SIGTERM waits for the object or reference being written, so that none is left
        // half-written and no temp or lock file of libgit2's stays in `.git`.
        interrupt::install(interrupt::REPOSITORY_WHOLE)?;
        return commit_to_branch(
            stdout,
            cli,
            &settings,
            exclude.as_ref(),
            &setup,
            toolchain.as_ref(),
            started,
        );
    }
    if !cli.check && !cli.dry_run {
        // From here on a SIGINT or SIGTERM never leaves a file half-written.
        interrupt::install(interrupt::FILES_WHOLE)?;
    } else if cli.verify.is_some() {
        // Writes nothing, but --verify's temp directory must not outlive an interrupted run.
        interrupt::install(interrupt::NOTHING_WRITTEN)?;
    }
    let walk = walk::collect_excluding(&cli.paths, exclude.as_ref());
    let files: usize = walk.packages.values().map(Vec::len).sum();
    let located = (setup.evidence.as_ref()).map(|groups| locate_walked(groups, &walk.packages));
    let settings = narrowed_to_evidence(cli, settings, located.as_ref());
    let progress = pipeline::Progress::new(files, !cli.quiet);
    let mut analysis = pipeline::analyse_walked(
        walk.packages,
        &walk.identities,
        &walk.package_bytes,
        &settings,
        &progress,
    );
    let confirmations = located.map(|located| confirm(&located, &analysis, cli.quiet));
    let confirmations = confirmations.as_ref();
    progress.finish();
    let mut errors = walk.errors;
    errors.append(&mut analysis.errors);
    warn_not_analysed(&analysis);
    let verdicts = verify_fixes(
        cli,
        toolchain.as_ref(),
        &mut analysis.outcomes,
        &std::env::current_dir()?,
    )?;

    let (exit, mode) = if cli.check {
        (
            check(stdout, cli, &settings, &setup, &analysis, confirmations)?,
            Mode::Check,
        )
    } else if cli.dry_run {
        (
            dry_run(
                stdout,
                cli,
                &settings,
                &setup,
                &analysis,
                &Judged {
                    verdicts: &verdicts,
                    evidence: confirmations,
                },
                &mut errors,
            )?,
            Mode::DryRun,
        )
    } else {
        (
            fix_in_place(
                stdout,
                cli,
                &settings,
                &setup,
                &analysis,
                &Judged {
                    verdicts: &verdicts,
                    evidence: confirmations,
                },
                &mut errors,
            )?,
            Mode::Fix,
        )
    };
    // The errors first: the summary line is the last thing a reader sees.
    say_errors(&errors);
    if !cli.quiet {
        say(&summary_line(&analysis, &settings, mode, started.elapsed()));
    }
    stdout.flush()?;
    Ok(exit_status(exit, &errors, &analysis))
}

/// Each file that could not be read or written, with the reason (without Rust's `(os error
/// N)`).
fn say_errors(errors: &[FileError]) {
    for error in errors {
        say(&format!(
            "goleak-fix: {}: {}",
            error.path,
            error_text::without_os_error(&error.reason)
        ));
    }
}

/// What the walk leaves out: goleak-fix.toml's `exclude`, `--exclude` (relative to the
/// current directory) and `--no-tests`.
fn exclusions(cli: &Cli, config: &config::Config) -> anyhow::Result<Option<config::Exclude>> {
    let mut exclude = config.exclude.clone();
    if !cli.exclude.is_empty() {
        let here = std::env::current_dir()
            .and_then(std::fs::canonicalize)
            .context("--exclude: the current directory")?;
        let flags = config::Exclude::patterns(&here, &cli.exclude)
            .map_err(|problem| anyhow::anyhow!("--exclude: {problem}"))?;
        exclude = Some(match exclude {
            Some(file) => file.and(flags),
            None => flags,
        });
    }
    if cli.no_tests {
        exclude = Some(exclude.unwrap_or_default().without_tests());
    }
    Ok(exclude)
}

/// `--verify`: proves the fixes with the Go toolchain (see `verify`), names each fixed file's
/// verdict on stderr, and clears the fixes of the dropped files so that nothing downstream
/// writes, diffs or commits them. No verdicts without `--verify`.
fn verify_fixes(
    cli: &Cli,
    toolchain: Option<&Toolchain>,
    outcomes: &mut [FileOutcome],
    base: &Path,
) -> anyhow::Result<Verdicts> {
    let (Some(level), Some(toolchain)) = (cli.verify, toolchain) else {
        return Ok(Verdicts::new());
    };
    let mut options = verify::Options::new(level, base.to_path_buf())
        .with_progress(!cli.quiet && io::stderr().is_terminal());
    if let Some(timeout) = cli.verify_timeout {
        options = options.with_timeout(timeout);
    }
    let verdicts = verify::verify(outcomes, toolchain, &options)?;
    for (path, verdict) in &verdicts {
        streams::say_marked(
            verdict.status.style(),
            verdict.status.as_str(),
            &verdict.detail(path),
        );
    }
    Ok(verdicts)
}

/// `--check`: the findings; 1 when there are any.
fn check(
    out: &mut impl Write,
    cli: &Cli,
    settings: &Settings,
    setup: &Setup,
    analysis: &Analysis,
    evidence: Option<&Confirmations>,
) -> anyhow::Result<u8> {
    let judge = Judge {
        mode: outcome::Mode::Check,
        settings,
        verdicts: &Verdicts::new(),
        not_written: &HashSet::new(),
    };
    let report = Report::new(
        &analysis.outcomes,
        analysis.files_scanned,
        &judge,
        cli.include_suppressed,
    )
    .with_config(setup.config_file.clone());
    let mut report = with_evidence(report, evidence);
    report.summary.unused_suppressions = Some(warn_unused_suppressions(analysis, settings));
    let found = report.summary.findings > 0;
    print_report(out, report, cli.format)?;
    Ok(u8::from(found))
}

/// Names each `//goleak-fix:ignore` that silenced nothing on stderr; returns how many. A
/// warning, not a finding: the exit status stays about leaks.
fn warn_unused_suppressions(analysis: &Analysis, settings: &Settings) -> usize {
    let mut count = 0;
    for outcome in &analysis.outcomes {
        let lines =
            suppress::unused_suppressions(&outcome.source, &outcome.suppressed, &settings.codemods);
        for line in &lines {
            say(&format!(
                "{}:{line}: unused //goleak-fix:ignore",
                outcome.source.display_path
            ));
        }
        count += lines.len();
    }
    count
}

/// `--dry-run`: the diff (or, with `--format`, the report); 1 when anything would change. A
/// pull-request body that cannot be written is one of the run's `errors`.
fn dry_run(
    out: &mut impl Write,
    cli: &Cli,
    settings: &Settings,
    setup: &Setup,
    analysis: &Analysis,
    judged: &Judged,
    errors: &mut Vec<FileError>,
) -> anyhow::Result<u8> {
    let Judged { verdicts, evidence } = *judged;
    if cli.format.is_some() {
        let judge = Judge {
            mode: outcome::Mode::DryRun,
            settings,
            verdicts,
            not_written: &HashSet::new(),
        };
        let report = Report::new(
            &analysis.outcomes,
            analysis.files_scanned,
            &judge,
            cli.include_suppressed,
        )
        .with_config(setup.config_file.clone());
        print_report(out, with_evidence(report, evidence), cli.format)?;
    } else {
        for outcome in &analysis.outcomes {
            if let Some(fixed) = &outcome.fixed {
                let diff = file_diff(&outcome.source, fixed);
                write!(out, "{}", color::diff(&diff, color::on_stdout()))?;
            }
        }
    }
    let changes = analysis.outcomes.iter().any(|o| o.fixed.is_some());
    if let Some(file) = &setup.pr_body {
        if changes {
            let outcomes: Vec<&FileOutcome> = analysis.outcomes.iter().collect();
            let title = cli
                .title
                .clone()
                .unwrap_or_else(|| crate::title::derived(&outcomes));
            let top = pr_body::repository_top(&std::env::current_dir()?);
            let template = match &setup.pr_template {
                Some(template) => Some(template.clone()),
                None => top
                    .as_deref()
                    .map(pr_body::template_on_disk)
                    .transpose()?
                    .flatten(),
            };
            let context = body_context(cli, setup, &title, judged, None, template.as_deref(), &[]);
            if let Err(error) = write_pr_body(file, &outcomes, &context) {
                errors.push(error);
            }
        } else {
            say("goleak-fix: nothing would change; no pull-request body written");
        }
    }
    Ok(u8::from(changes))
}

/// The default: write the fixes, name each changed file on stderr, report what is left; 1 when
/// findings remain unfixed.
fn fix_in_place(
    out: &mut impl Write,
    cli: &Cli,
    settings: &Settings,
    setup: &Setup,
    analysis: &Analysis,
    judged: &Judged,
    errors: &mut Vec<FileError>,
) -> anyhow::Result<u8> {
    let Judged { verdicts, evidence } = *judged;
    // Files whose fixes could not be written: their findings are still to be reported.
    let mut not_written = HashSet::new();
    // Each file is named as soon as it is written (or its group is): what stderr says is on
    // disk when an interrupt comes.
    write_fixed(&analysis.outcomes, &mut |index, result| {
        let outcome = &analysis.outcomes[index];
        let path = &outcome.source.display_path;
        match result {
            Ok(()) => {
                let ids: Vec<&str> = outcome.applied.iter().map(|(id, _)| *id).collect();
                let what = if ids.is_empty() {
                    // Changed only by the fix of another file (a producer declared here).
                    let others: Vec<String> = outcome
                        .linked
                        .iter()
                        .map(|other| walk::display_path(other))
                        .collect();
                    format!("part of the fix in {}", others.join(", "))
                } else {
                    leak_count(&ids)
                };
                streams::say_marked(color::Style::Green, "fixed", &format!("{path}: {what}"));
            }
            Err(error) => {
                not_written.insert(path.clone());
                errors.push(FileError {
                    path: path.clone(),
                    reason: format!("{error:#}"),
                });
            }
        }
    });
    let judge = Judge {
        mode: outcome::Mode::Fix,
        settings,
        verdicts,
        not_written: &not_written,
    };
    let report = Report::new(
        &analysis.outcomes,
        analysis.files_scanned,
        &judge,
        cli.include_suppressed,
    )
    .with_config(setup.config_file.clone());
    let report = with_evidence(report, evidence);
    let remaining = report.unresolved();
    if cli.format.is_some() || remaining > 0 || has_unexplained(&report) {
        print_report(out, report, cli.format)?;
    }
    Ok(u8::from(remaining > 0))
}

/// Writes each fixed file of `outcomes`, alone or with the files its fix also changes
/// (`FileOutcome::linked`), all of them or none (see `write::write_group`), and hands each
/// result to `written` (the outcome's index) as soon as that file, or its group, is done.
fn write_fixed(outcomes: &[FileOutcome], written: &mut dyn FnMut(usize, anyhow::Result<()>)) {
    let mut done = vec![false; outcomes.len()];
    let by_path: HashMap<&Path, usize> = outcomes
        .iter()
        .enumerate()
        .map(|(index, outcome)| (outcome.source.path.as_path(), index))
        .collect();
    for (index, outcome) in outcomes.iter().enumerate() {
        if outcome.fixed.is_none() || done[index] {
            continue;
        }
        if outcome.linked.is_empty() {
            let fixed = outcome.fixed.as_deref().unwrap_or_default();
            done[index] = true;
            written(
                index,
                write_atomically(&outcome.source.path, &outcome.source.text, fixed),
            );
            continue;
        }
        let mut group: Vec<usize> = std::iter::once(index)
            .chain(
                outcome
                    .linked
                    .iter()
                    .filter_map(|path| by_path.get(path.as_path()).copied()),
            )
            .filter(|&i| outcomes[i].fixed.is_some())
            .collect();
        group.sort_unstable();
        group.dedup();
        let members: Vec<write::GroupMember> = group
            .iter()
            .map(|&i| write::GroupMember {
                path: &outcomes[i].source.path,
                original: &outcomes[i].source.text,
                fixed: outcomes[i].fixed.as_deref().unwrap_or_default(),
            })
            .collect();
        for (&i, result) in group.iter().zip(write::write_group(&members)) {
            done[i] = true;
            written(i, result);
        }
    }
}

/// `3 leaks (timeout-leak ×3)`, `2 leaks (ncast-leak, timeout-leak)`, `1 leak (timeout-leak)`:
/// how many fixes, and by which codemods, each named once in the order first applied.
fn leak_count(ids: &[&str]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for id in ids {
        match counts.iter_mut().find(|(seen, _)| seen == id) {
            Some((_, count)) => *count += 1,
            None => counts.push((id, 1)),
        }
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(id, count)| match count {
            1 => id.to_string(),
            _ => format!("{id} ×{count}"),
        })
        .collect();
    let noun = if ids.len() == 1 { "leak" } else { "leaks" };
    format!("{} {noun} ({})", ids.len(), parts.join(", "))
}

/// `--commit`: the fixes of the files as committed at HEAD go into one commit on a new branch
/// (see `commit`), or with `--split-by`/`--max-files` one commit and branch per shard (see
/// `shard`), each on top of `HEAD`; then the run reports like the default mode, with the
/// branches in the JSON report; the exit status is the default mode's too (1 when findings
/// remain unfixed). Every branch name is checked before any is written. Once a branch is made,
/// the report is printed whatever else fails: a bot must learn of the branch; a pull-request
/// body that cannot be written is named on stderr (exit 2).
fn commit_to_branch(
    out: &mut impl Write,
    cli: &Cli,
    settings: &Settings,
    exclude: Option<&config::Exclude>,
    setup: &Setup,
    toolchain: Option<&Toolchain>,
    started: std::time::Instant,
) -> anyhow::Result<u8> {
    let repository = HeadCommit::open(&cli.paths)?;
    let (packages, mut errors) = repository.go_packages(exclude, settings.max_file_size)?;
    let located =
        (setup.evidence.as_ref()).map(|groups| locate_sources(groups, &packages, repository.top()));
    let settings = &narrowed_to_evidence(cli, settings.clone(), located.as_ref());
    let mut analysis = pipeline::analyse_sources(packages, settings);
    let confirmations = located.map(|located| confirm(&located, &analysis, cli.quiet));
    let evidence = confirmations.as_ref();
    errors.append(&mut analysis.errors);
    warn_not_analysed(&analysis);
    // The files come from HEAD, with paths from the repository's top directory.
    let verdicts = verify_fixes(cli, toolchain, &mut analysis.outcomes, repository.top())?;
    let owners = match &cli.split_by {
        Some(shard::SplitBy::Codeowners) => Some(crate::codeowners::at_head(&repository)?),
        _ => None,
    };
    let shards = shard::split(
        &analysis.outcomes,
        cli.split_by.as_ref(),
        owners.as_ref(),
        cli.max_files
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
    );
    let split = cli.split_by.is_some() || shards.len() > 1;
    let template = match &setup.pr_template {
        Some(template) => Some(template.clone()),
        None => pr_body::template_at_head(&repository)?,
    };
    // Every shard's request and branch name first: a name that is taken (without
    // --force-branch) or invalid stops the run before anything is written.
    let mut planned = Vec::new();
    for shard in &shards {
        // The pull request's title: --title, else the subject of --message, else derived.
        let title = cli
            .title
            .clone()
            .or_else(|| {
                cli.message
                    .as_deref()
                    .and_then(|m| m.lines().next())
                    .map(|subject| escape::for_terminal(subject.trim()).into_owned())
                    .filter(|subject| !subject.is_empty())
            })
            .unwrap_or_else(|| crate::title::derived(&shard.outcomes));
        let shard_verdicts: Verdicts = if split {
            verdicts
                .iter()
                .filter(|(path, _)| {
                    shard
                        .outcomes
                        .iter()
                        .any(|o| &o.source.display_path == *path)
                })
                .map(|(path, verdict)| (path.clone(), verdict.clone()))
                .collect()
        } else {
            verdicts.clone()
        };
        let name = match (&cli.branch, split) {
            (Some(name), true) => {
                // Two keys can share a slug (`@a/b` and `@a-b`): the later one gets `-2`, `-3`.
                let base = format!("{name}/{}", shard::slug(&shard.key));
                let taken = |candidate: &String| {
                    planned
                        .iter()
                        .any(|(_, _, _, request): &(_, _, _, BranchRequest)| {
                            request.name.as_ref() == Some(candidate)
                        })
                };
                let mut candidate = base.clone();
                let mut n = 1;
                while taken(&candidate) {
                    n += 1;
                    candidate = format!("{base}-{n}");
                }
                Some(candidate)
            }
            (name, _) => name.clone(),
        };
        let request = BranchRequest {
            name,
            force: cli.force_branch,
            message: cli.message.clone().unwrap_or_else(|| {
                commit::default_message(&title, &shard.outcomes)
                    + &verification_trailer(&shard_verdicts)
            }),
            signoff: cli.signoff,
        };
        let request = BranchRequest {
            name: Some(repository.branch_name(&shard.outcomes, &request)?),
            ..request
        };
        planned.push((shard, title, shard_verdicts, request));
    }
    let mut records = Vec::new();
    for (shard, title, shard_verdicts, request) in &planned {
        let Some(mut record) = repository.commit_some(&shard.outcomes, request, &|| {})? else {
            continue;
        };
        record.owners = shard.owners.clone();
        record.title = title.clone();
        match record.status {
            BranchStatus::Unchanged => say(&format!(
                "goleak-fix: branch {} already holds these fixes on this base ({}); no commit made, branch not moved",
                escape::for_terminal(&record.branch),
                record.sha
            )),
            status => say(&format!(
                "goleak-fix: committed the fixes to {} file(s) as {} on branch {} ({})",
                record.files.len(),
                record.sha,
                escape::for_terminal(&record.branch),
                status.as_str()
            )),
        }
        let shard_file;
        let file: Option<&OutputFile> = match (&setup.pr_body, &setup.pr_body_dir) {
            (Some(file), _) => Some(file),
            (None, Some(directory)) => {
                let path = directory.join(pr_body::file_name(&record.branch));
                match OutputFile::prepare(&path) {
                    Ok(file) => {
                        shard_file = file;
                        Some(&shard_file)
                    }
                    Err(error) => {
                        errors.push(FileError {
                            path: path.display().to_string(),
                            reason: format!("the pull-request body was not written: {error:#}"),
                        });
                        None
                    }
                }
            }
            (None, None) => None,
        };
        if let Some(file) = file {
            let base = repository.head_id();
            let judged = Judged {
                verdicts: shard_verdicts,
                evidence,
            };
            let context = body_context(
                cli,
                setup,
                title,
                &judged,
                Some(&base),
                template.as_deref(),
                &shard.owners,
            );
            match write_pr_body(file, &shard.outcomes, &context) {
                Ok(()) => record.pr_body = Some(file.path().display().to_string()),
                Err(error) => errors.push(error),
            }
        }
        records.push(record);
    }
    if records.is_empty() {
        say(&format!(
            "goleak-fix: nothing to fix; no branch created{}",
            if cli.pr_body.is_some() {
                " and no pull-request body written"
            } else {
                ""
            }
        ));
    }
    let judge = Judge {
        mode: outcome::Mode::Commit,
        settings,
        verdicts: &verdicts,
        not_written: &HashSet::new(),
    };
    let mut report = Report::new(
        &analysis.outcomes,
        analysis.files_scanned,
        &judge,
        cli.include_suppressed,
    )
    .with_config(setup.config_file.clone());
    report.commit = Some(records);
    let report = with_evidence(report, evidence);
    let remaining = report.unresolved();
    if cli.format.is_some() || remaining > 0 || has_unexplained(&report) {
        print_report(out, report, cli.format)?;
    }
    say_errors(&errors);
    if !cli.quiet {
        say(&summary_line(
            &analysis,
            settings,
            Mode::Commit,
            started.elapsed(),
        ));
    }
    out.flush()?;
    Ok(exit_status(u8::from(remaining > 0), &errors, &analysis))
}

/// The exit status of a run that would exit `status`: 2 when a file could not be read or
/// written, or when nothing that makes a channel could be analysed (every such file has
/// syntax errors), so that "0 findings" never stands for "read nothing".
fn exit_status(status: u8, errors: &[FileError], analysis: &Analysis) -> u8 {
    if !errors.is_empty() {
        return 2;
    }
    if analysis.nothing_could_be_analysed() {
        say(
            "goleak-fix: no file could be analysed: every file that makes a channel has syntax errors",
        );
        return 2;
    }
    status
}

/// Names on stderr each function that was not analysed because of a syntax error, like an
/// error: a skipped function is not a finding, but a silent skip would read as "no leak".
fn warn_not_analysed(analysis: &Analysis) {
    for outcome in &analysis.outcomes {
        for skipped in ReportedNotAnalysed::of(outcome) {
            say(&skipped.line());
        }
    }
}

/// With `--verify`, the default commit message ends with each file's verdict, one line each:
/// the path and the reason (`go vet`'s words) have their control characters escaped.
fn verification_trailer(verdicts: &Verdicts) -> String {
    if verdicts.is_empty() {
        return String::new();
    }
    let mut trailer = String::from("\nChecked with the Go toolchain (goleak-fix --verify):\n");
    for (path, verdict) in verdicts {
        trailer.push_str(&format!(
            "{} {}: {}\n",
            verdict.status.as_str(),
            escape::for_terminal(path),
            escape::for_terminal(&verdict.reason)
        ));
    }
    trailer
}

/// What the pull-request body is told besides the fixes.
fn body_context<'a>(
    cli: &'a Cli,
    setup: &'a Setup,
    title: &'a str,
    judged: &Judged<'a>,
    base: Option<&'a str>,
    template: Option<&'a str>,
    owners: &'a [String],
) -> pr_body::Context<'a> {
    pr_body::Context {
        title,
        verdicts: judged.verdicts,
        evidence: judged.evidence,
        verify: cli.verify,
        unsafe_from: setup.unsafe_from.as_ref(),
        repo_url: cli.repo_url.as_deref(),
        base,
        template,
        owners,
    }
}

/// Writes the pull-request body for the fixes in `outcomes`; what went wrong, as an error of
/// the run naming the file.
fn write_pr_body(
    file: &OutputFile,
    outcomes: &[&FileOutcome],
    context: &pr_body::Context,
) -> Result<(), FileError> {
    let body = pr_body::pull_request_body(outcomes, context);
    file.write(body.as_bytes()).map_err(|error| FileError {
        path: file.path().display().to_string(),
        reason: format!("the pull-request body was not written: {error:#}"),
    })
}

/// Reads every `--evidence` file into one set of blocked groups; `None` without the flag.
/// A file that cannot be read or is of no known kind is an error naming it.
fn load_evidence(cli: &Cli) -> anyhow::Result<Option<Groups>> {
    if cli.evidence.is_empty() {
        return Ok(None);
    }
    let mut groups = Groups::default();
    for file in &cli.evidence {
        let before = groups.goroutines;
        let format = evidence::load(file, &mut groups)
            .with_context(|| format!("--evidence {}", escape::path(file)))?;
        if !cli.quiet {
            say(&format!(
                "goleak-fix: evidence {}: {}, {} goroutine(s)",
                escape::path(file),
                format.as_str(),
                groups.goroutines - before
            ));
        }
    }
    Ok(Some(groups))
}

/// The evidence located in the files a walk found, read as the analysis reads them.
fn locate_walked<'g>(
    groups: &'g Groups,
    packages: &std::collections::BTreeMap<PathBuf, Vec<PathBuf>>,
) -> Evidence<'g> {
    let base = std::env::current_dir().unwrap_or_default();
    let paths: std::collections::HashMap<String, &PathBuf> = packages
        .values()
        .flatten()
        .map(|path| (walk::display_path(path), path))
        .collect();
    let files: Vec<(String, PathBuf)> = paths
        .iter()
        .map(|(display, path)| (display.clone(), base.join(path)))
        .collect();
    Evidence::locate(groups, &files, &|display| {
        pipeline::read_source(paths.get(display)?).ok().flatten()
    })
}

/// The evidence located in the files of a commit (paths from the repository's top).
fn locate_sources<'g>(
    groups: &'g Groups,
    packages: &[Vec<crate::source::SourceFile>],
    top: &Path,
) -> Evidence<'g> {
    let texts: std::collections::HashMap<&str, &str> = packages
        .iter()
        .flatten()
        .map(|source| (source.display_path.as_str(), source.text.as_str()))
        .collect();
    let files: Vec<(String, PathBuf)> = texts
        .keys()
        .map(|display| (display.to_string(), top.join(display)))
        .collect();
    Evidence::locate(groups, &files, &|display| {
        texts.get(display).map(|text| text.to_string())
    })
}

/// With `--evidence-only`, the settings keep only the findings in the functions where the
/// evidence saw goroutines wait on a channel.
fn narrowed_to_evidence(cli: &Cli, settings: Settings, located: Option<&Evidence>) -> Settings {
    match located {
        Some(located) if cli.evidence_only => {
            settings.with_evidence_only(located.channel_functions())
        }
        _ => settings,
    }
}

/// The findings of `analysis` the evidence confirms, and what it leaves unexplained; the
/// counts on stderr.
fn confirm(located: &Evidence, analysis: &Analysis, quiet: bool) -> Confirmations {
    let findings = analysis.outcomes.iter().flat_map(|outcome| {
        outcome.findings.iter().map(|finding| {
            (
                outcome.source.display_path.as_str(),
                outcome.source.line_column(finding.range.start).line,
                finding.codemod,
            )
        })
    });
    let confirmations = located.confirm(findings);
    if !quiet {
        let summary = &confirmations.summary;
        say(&format!(
            "goleak-fix: evidence: {} blocked goroutine(s) of {}; {} finding(s) confirmed, {} \
             blocked place(s) unexplained ({} ambiguous), {} goroutine(s) blocked outside the \
             scanned source",
            summary.blocked,
            summary.goroutines,
            summary.confirmed,
            summary.unexplained,
            summary.ambiguous,
            summary.outside
        ));
    }
    confirmations
}

fn with_evidence<'a>(report: Report<'a>, evidence: Option<&Confirmations>) -> Report<'a> {
    match evidence {
        Some(confirmations) => report.with_evidence(confirmations),
        None => report,
    }
}

fn has_unexplained(report: &Report) -> bool {
    report.unexplained.as_ref().is_some_and(|u| !u.is_empty())
}

/// Prints `report` as `format`; the machine-readable formats name each finding's function
/// (the text report does not, and is spared the parse it costs).
fn print_report(out: &mut impl Write, report: Report, format: Option<Format>) -> io::Result<()> {
    let format = format.unwrap_or(Format::Text);
    let report = if format == Format::Text {
        report
    } else {
        report.with_functions()
    };
    match format {
        Format::Text => write!(out, "{}", report.to_text()),
        Format::Json => write!(out, "{}", report.to_json()),
        Format::Sarif => write!(out, "{}", sarif::to_sarif(&report)),
        Format::Github => write!(out, "{}", annotations::github(&report)),
        Format::Rdjsonl => write!(out, "{}", annotations::rdjsonl(&report)),
    }
}

/// Which of the three modes ran: the summary line counts its fixes differently.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `--check`: nothing is applied; the fixes are counted as fixable.
    Check,
    /// `--dry-run`: the fixes would be applied.
    DryRun,
    /// The default mode: the fixes are applied.
    Fix,
    /// `--commit`: the fixes are committed.
    Commit,
}

/// The end-of-run summary for people (stderr): what was scanned and parsed, findings per
/// codemod, fixes, and how long it took.
fn summary_line(
    analysis: &Analysis,
    settings: &Settings,
    mode: Mode,
    elapsed: std::time::Duration,
) -> String {
    let mut per_codemod: Vec<(&str, usize)> = Vec::new();
    let mut findings = 0;
    let mut fixable = 0;
    for finding in analysis.outcomes.iter().flat_map(|o| &o.findings) {
        findings += 1;
        fixable += usize::from(
            finding
                .fix
                .as_ref()
                .is_some_and(|fix| settings.is_applicable(fix)),
        );
        match per_codemod
            .iter_mut()
            .find(|(id, _)| *id == finding.codemod)
        {
            Some((_, count)) => *count += 1,
            None => per_codemod.push((finding.codemod, 1)),
        }
    }
    per_codemod.sort();
    let breakdown = if per_codemod.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = per_codemod
            .iter()
            .map(|(id, n)| format!("{id} {n}"))
            .collect();
        format!(" ({})", parts.join(", "))
    };
    let fixed_files = analysis
        .outcomes
        .iter()
        .filter(|o| o.fixed.is_some())
        .count();
    let fixes: usize = analysis.outcomes.iter().map(|o| o.applied.len()).sum();
    let fixes = match mode {
        Mode::Check => format!("{fixable} fixable"),
        Mode::DryRun => format!("{fixes} fix(es) would be applied in {fixed_files} file(s)"),
        Mode::Fix => format!("{fixes} fix(es) applied in {fixed_files} file(s)"),
        Mode::Commit => format!("{fixes} fix(es) committed in {fixed_files} file(s)"),
    };
    let not_analysed = match analysis.not_analysed_count() {
        0 => String::new(),
        n => format!(", {n} function(s) not analysed (syntax errors)"),
    };
    format!(
        "goleak-fix: {} file(s) scanned, {} parsed, in {:.2}s: {findings} finding(s){breakdown}, {fixes}{not_analysed}",
        analysis.files_scanned,
        analysis.files_parsed(),
        elapsed.as_secs_f64(),
    )
}

fn unknown_codemod(id: &str) -> anyhow::Error {
    let known: Vec<&str> = codemods::REGISTRY.iter().map(|c| c.id()).collect();
    anyhow::anyhow!(
        "unknown codemod `{id}`{} (known: {})",
        suggest::did_you_mean(id, known.iter().copied()),
        known.join(", ")
    )
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
