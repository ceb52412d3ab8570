//! `--pr-body`: the Markdown pull-request body, written for a reviewer who has never heard of
//! goleak-fix.
//!
//! In order: what the change does in two sentences; each fix under its file and enclosing
//! function (with a permalink to the line when `--repo-url` is given): one sentence on the
//! leak that says whether it is test or production code and on which path it happens, what
//! the edit does, and three short facts the analysis established that make the edit safe;
//! how to reproduce the change (the exact command) and how to opt out (`//goleak-fix:ignore`);
//! and what was verified, exactly ("tests not run" where they were not). No diff (the pull
//! request shows it), no commit or branch (they change on every push). The title is not in
//! the body: it is the commit's subject and the JSON report's `commit[].title`. With a
//! pull-request template (`--pr-template`, or the scanned repository's own,
//! `pull_request_template.md` in `.github`), the text replaces its `<!-- goleak-fix -->` line, or
//! goes above the template when it has none.
//!
//! What comes from the repository (file names, function names, `go vet`'s and the tests'
//! words) goes through `markdown`, so it reads as the literal text it is and cannot add a
//! heading, a link or HTML. The repository's own template is its own Markdown, for its own
//! pull requests, and is copied as it is.

use crate::codemods;
use crate::config::UnsafeFixesFrom;
use crate::edit::Applicability;
use crate::engine::FileOutcome;
use crate::escape;
use crate::evidence::confirm::Confirmations;
use crate::evidence::report as evidence_report;
use crate::markdown::{self, code, longest_backtick_run};
use crate::outcome::applied_findings;
use crate::title::is_test_file;
use crate::verify::{self, Verdict, Verdicts};
use crate::walk::display_path;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The line of a pull-request template that the generated text replaces.
pub const PLACEHOLDER: &str = "<!-- goleak-fix -->";

/// A template larger than this is refused (the repository's is hostile input).
const MAX_TEMPLATE: u64 = 64 * 1024;

/// What the body says besides the fixes.
pub struct Context<'a> {
    pub title: &'a str,
    pub verdicts: &'a Verdicts,
    /// `--verify`'s level, when it ran.
    pub verify: Option<verify::Level>,
    pub unsafe_from: Option<&'a UnsafeFixesFrom>,
    /// `--repo-url`, for permalinks.
    pub repo_url: Option<&'a str>,
    /// The commit the fixes apply to (permalinks point into it); `HEAD` when unknown.
    pub base: Option<&'a str>,
    pub template: Option<&'a str>,
    /// The shard's owners, from CODEOWNERS (`--split-by codeowners`); empty otherwise.
    pub owners: &'a [String],
    /// What `--evidence` confirmed: a line per fix, and a section on the blocked places no
    /// fix explains (see `evidence::report`).
    pub evidence: Option<&'a Confirmations>,
}

/// One applied fix, with what the analysis said about it.
struct FixLine<'a> {
    path: &'a str,
    codemod: &'static str,
    description: &'a str,
    /// The 1-based line of the finding it answers, when it answers one of the file as read.
    line: Option<usize>,
    function: Option<String>,
    applicability: Option<Applicability>,
    verdict: Option<&'a Verdict>,
    /// The fix is the stop-channel rewrite.
    stop_channel: bool,
    /// The other files the fix also changes (display paths).
    other_paths: Vec<&'a str>,
}

/// The body for the fixes in `outcomes`.
pub fn pull_request_body(outcomes: &[&FileOutcome], context: &Context) -> String {
    let fixes = fix_lines(outcomes, context.verdicts);
    let files = outcomes.iter().filter(|o| o.fixed.is_some()).count();
    let mut body = String::new();
    let kinds = if fixes.iter().any(|fix| fix.stop_channel) {
        "a buffer on a channel, a `close`, or a stop channel the sender gives up on"
    } else {
        "a buffer on a channel, or a `close`"
    };
    let _ = writeln!(
        body,
        "This change fixes {} in {}. A goroutine leaks when it blocks forever on a channel \
         operation nobody will complete; each fix below is one small edit ({kinds}) that lets \
         it finish.",
        plural(fixes.len(), "goroutine leak"),
        plural(files, "file"),
    );
    if !context.owners.is_empty() {
        let owners: Vec<String> = context.owners.iter().map(|owner| code(owner)).collect();
        let _ = writeln!(
            body,
            "\nThis is one part of a larger change, split by CODEOWNERS: these files are owned \
             by {}.",
            owners.join(", ")
        );
    }
    if fixes
        .iter()
        .any(|fix| fix.applicability == Some(Applicability::Unsafe))
    {
        let _ = writeln!(
            body,
            "\n**Some fixes below are marked unsafe**: {} They can change behaviour in a \
             corner case. Review them closely.",
            unsafe_origin(context.unsafe_from)
        );
    }
    for fix in &fixes {
        fix_section(&mut body, fix, context);
    }
    if let Some(evidence) = context.evidence {
        evidence_report::markdown_section(&mut body, evidence);
    }
    reproduce_section(&mut body, &fixes);
    verification_section(&mut body, context);
    let _ = writeln!(
        body,
        "\n<sub>Made by goleak-fix {}.</sub>",
        env!("CARGO_PKG_VERSION")
    );
    match context.template {
        Some(template) => with_template(template, &body),
        None => body,
    }
}

/// `body` put into `template` at its placeholder line, or above the template.
fn with_template(template: &str, body: &str) -> String {
    match template.find(PLACEHOLDER) {
        Some(at) => format!(
            "{}{}{}",
            &template[..at],
            body.trim_end(),
            &template[at + PLACEHOLDER.len()..]
        ),
        None => format!("{body}\n{template}"),
    }
}

/// One fix: a heading with the file and function, then the leak, the fix and its safety.
fn fix_section(body: &mut String, fix: &FixLine, context: &Context) {
    let _ = write!(body, "\n### {}", code(fix.path));
    if let Some(function) = &fix.function {
        let _ = write!(body, ", {}", code(function));
    }
    if let Some(line) = fix.line {
        let _ = write!(body, ", line {line}");
        if let Some(url) = context.repo_url {
            let _ = write!(
                body,
                " ([permalink](<{}>))",
                permalink(url, context.base.unwrap_or("HEAD"), fix.path, line)
            );
        }
    }
    body.push_str("\n\n");
    let where_ = match &fix.function {
        Some(function) => format!("in {}", code(function)),
        None => "here".to_string(),
    };
    let kind = if is_test_file(fix.path) {
        format!(
            "Test code ({} is a `_test.go` file, built only by `go test`): {}; the goroutine \
             stays blocked until the test binary exits.",
            code(fix.path),
            leak_path(fix.codemod)
        )
    } else {
        format!(
            "Production code: {}; every call that takes this path {where_} leaves one \
             goroutine blocked for the life of the process.",
            leak_path(fix.codemod)
        )
    };
    let _ = writeln!(body, "- **Leak** ({}): {kind}", code(fix.codemod));
    let _ = writeln!(
        body,
        "- **Fix**: {}",
        with_period(&markdown::inline(fix.description))
    );
    if fix.stop_channel {
        let _ = writeln!(body, "- **The rewrite**: {STOP_CHANNEL_SENTENCE}");
    }
    if !fix.other_paths.is_empty() {
        let others: Vec<String> = fix.other_paths.iter().map(|path| code(path)).collect();
        let _ = writeln!(
            body,
            "- **Also changes** {} (the producer's function), in this same change: the fix \
             is whole only with both.",
            others.join(", ")
        );
    }
    if fix.applicability == Some(Applicability::Unsafe) {
        let _ = writeln!(
            body,
            "- **Unsafe**: the analysis could not prove this edit changes nothing else; \
             review it closely (`goleak-fix --explain {}` says when).",
            fix.codemod
        );
    } else {
        let _ = writeln!(body, "- **Why it is safe**:");
        let facts = if fix.stop_channel {
            STOP_CHANNEL_FACTS
        } else {
            safety_facts(fix.codemod)
        };
        for fact in facts {
            let _ = writeln!(body, "  - {fact}");
        }
    }
    if let Some(evidence) = context.evidence {
        let mark = fix
            .line
            .and_then(|line| evidence.mark(fix.path, line, fix.codemod));
        let _ = writeln!(
            body,
            "- **Run-time evidence**: {}.",
            evidence_report::table_cell_for(&[mark])
        );
    }
    if let Some(verdict) = fix.verdict {
        let _ = writeln!(
            body,
            "- **{}**: {}",
            capitalised(verdict.status.as_str()),
            with_period(&markdown::text(&verdict.reason))
        );
    }
}

/// The stop-channel rewrite in one sentence, for a reader who has never seen it.
const STOP_CHANNEL_SENTENCE: &str = "the function now closes a `done` channel (or cancels its \
     context) when it returns, and each send of the goroutine waits in a `select` on both, so \
     the goroutine sends exactly as before while the function still receives and returns, \
     instead of blocking forever, once nobody can receive any more.";

/// What the analysis proved before it called a stop-channel fix safe (see the Fix safety of
/// `codemods/abandoned-producers/README.md`).
const STOP_CHANNEL_FACTS: [&str; 3] = [
    "the channel is made in this function, never leaves it, and only this function receives \
     from it, so once it has returned a blocked send could never complete;",
    "the goroutine was started by this function, is the only sender, and its function has no \
     results, so the added `return` is legal and ends only that goroutine;",
    "`done` is closed by a `defer`, exactly when the function returns, so while it still \
     receives the `select` can only take the send; the goroutine's deferred calls, now run on \
     that path, only close this channel or release what it took (`Done`, `Unlock`).",
];

/// On which path of the program the leak happens, per codemod.
fn leak_path(codemod: &str) -> &'static str {
    match codemod {
        "timeout-leak" => {
            "when the `select` takes its other case (a timeout, a cancelled context or \
             `default`) before the result arrives, the goroutine's send has no receiver and \
             blocks forever"
        }
        "premature-return" => {
            "when the function returns before it receives, the goroutine's send has no \
             receiver and blocks forever"
        }
        "ncast-leak" => {
            "when fewer values are received than goroutines send, the remaining senders \
             block forever"
        }
        "future-leak" => {
            "when a caller stops waiting for the returned channel (another `select` case wins, \
             or it returns before receiving), the goroutine's send has no receiver and blocks \
             forever"
        }
        "abandoned-receivers" => {
            "after the last value is sent, the workers ranging over the channel wait forever \
             for a `close` that never comes"
        }
        "channel-iteration-misuse" => {
            "once the producers are done, the goroutine ranging over the channel waits \
             forever for a `close` that never comes"
        }
        "abandoned-producers" => {
            "when the function stops receiving before the goroutine's stream ends (it returns \
             or breaks out of the loop over the channel, or a `select` gives up), the \
             goroutine's next send has no receiver and blocks forever"
        }
        "double-send" => {
            "when the goroutine's `if` branch sends and falls through to its second send, \
             the function has already taken the one value it receives, and the second send \
             blocks forever"
        }
        _ => "a goroutine blocks forever on a channel operation nobody completes",
    }
}

/// What the analysis proved before it called the fix safe, in three short facts per codemod
/// (the conditions its safe fix requires; see `codemods/<id>/README.md`).
fn safety_facts(codemod: &str) -> [&'static str; 3] {
    match codemod {
        "premature-return" | "timeout-leak" => [
            "the channel is made in this function and never leaves it, and nothing reads its \
             length or capacity;",
            "each goroutine sends on it at most once, as its last act, and the buffer holds \
             every send one call can start, so no send blocks and nobody can observe the \
             missing handshake;",
            "only this function receives from it and nothing closes it, so what it receives \
             is unchanged.",
        ],
        "ncast-leak" => [
            "the channel is made in this function and never leaves it, and nothing reads its \
             length or capacity;",
            "each goroutine sends once, as its last act (or just before closing this same \
             channel);",
            "the buffer holds every send the goroutines can make, so none blocks, and the \
             values received are unchanged.",
        ],
        "future-leak" => [
            "the goroutines that send on the channel were started by this function, each \
             sends at most once, as its last act, so no send blocks with the buffer;",
            "the function does not receive from the channel, which leaves it only as the \
             returned receive-only channel, so callers can neither send on it nor close it;",
            "a caller that receives gets the same value as before; one that stops waiting no \
             longer leaves the goroutine blocked.",
        ],
        "abandoned-receivers" => [
            "every send on the channel happens in the loop, in this function, before the new \
             `close`;",
            "nothing else closes the channel and it never leaves this function, so there is \
             no double close and no other sender;",
            "the workers still receive every value; their `range` ends after the last one.",
        ],
        "abandoned-producers" => STOP_CHANNEL_FACTS,
        "channel-iteration-misuse" => [
            "every producer is accounted for by the WaitGroup, so all sends are done when \
             `wg.Wait()` returns, before the `close`;",
            "nothing else closes the channel and it never leaves this function, so there is \
             no double close;",
            "the consumer still receives every value; its `range` ends after the last one \
             instead of blocking.",
        ],
        // Its fix (a `return`) is always unsafe, so these are what the finding rests on.
        "double-send" => [
            "the channel is unbuffered, made in this function and never leaves it;",
            "one goroutine sends on it, first in an `if` branch that does not leave and then \
             after the `if`, with nothing between the two sends that can leave;",
            "the function receives from it once, outside loops, so the second send has no \
             receiver.",
        ],
        _ => [
            "the analysis proved the conditions `goleak-fix --explain` lists for this fix;",
            "the edit changes one channel's capacity or adds one `close`;",
            "nothing else in the file changes.",
        ],
    }
}

/// The exact command that makes the same change, and how to keep a line as it is.
fn reproduce_section(body: &mut String, fixes: &[FixLine]) {
    let mut codemods: Vec<&str> = fixes.iter().map(|f| f.codemod).collect();
    codemods.sort_by_key(|id| registry_position(id));
    codemods.dedup();
    // The files a fix also changes are named too: the analysis of a file alone would not see
    // the producer declared in another one.
    let mut paths: Vec<&str> = fixes
        .iter()
        .flat_map(|f| std::iter::once(f.path).chain(f.other_paths.iter().copied()))
        .collect();
    paths.sort_unstable();
    paths.dedup();
    let mut command = format!("goleak-fix --dry-run --select {} --", codemods.join(","));
    for path in &paths {
        command.push(' ');
        command.push_str(&shell_quoted(path));
    }
    let fence = "`".repeat(longest_backtick_run(&command).max(2) + 1);
    let _ = writeln!(
        body,
        "\n## Reproduce or opt out\n\nFrom the repository's top directory, this prints the \
         same change as a diff:\n\n{fence}sh\n{command}\n{fence}\n\nTo keep a line as it \
         is, put `//goleak-fix:ignore <id>` (for example `//goleak-fix:ignore {}`) on it or \
         on the line above; goleak-fix then leaves it alone.",
        codemods.first().copied().unwrap_or("timeout-leak")
    );
}

/// What was verified, exactly.
fn verification_section(body: &mut String, context: &Context) {
    body.push_str("\n## Verification\n\n");
    match context.verify {
        None => body.push_str(
            "Not verified by goleak-fix: nothing was built, vetted or run (`--verify` was not \
             given). Tests not run.\n",
        ),
        Some(level) => {
            let ran = match level {
                verify::Level::Vet => {
                    "`go vet` on each fixed package and `gofmt -l` on each fixed file, with \
                     and without the fix, offline (`goleak-fix --verify=vet`). Tests not run."
                }
                verify::Level::Test => {
                    "`go vet` and `go test -count=1 -run .` on each fixed package and `gofmt \
                     -l` on each fixed file, with and without the fix, offline \
                     (`goleak-fix --verify=test`)."
                }
            };
            let _ = writeln!(body, "Ran {ran}\n");
            for (path, verdict) in context.verdicts {
                let _ = writeln!(
                    body,
                    "- {} {}: {}",
                    verdict.status.as_str(),
                    code(path),
                    with_period(&markdown::text(&verdict.reason))
                );
            }
        }
    }
}

/// `{url}/blob/{sha}/{path}#L{line}`, or `url` with `{sha}`, `{path}` and `{line}` replaced;
/// the path percent-encoded, and nothing in the address that could end a Markdown link.
fn permalink(url: &str, sha: &str, path: &str, line: usize) -> String {
    let encoded = percent_encoded(path);
    let link = if url.contains("{path}") {
        url.replace("{sha}", sha)
            .replace("{path}", &encoded)
            .replace("{line}", &line.to_string())
    } else {
        format!("{}/blob/{sha}/{encoded}#L{line}", url.trim_end_matches('/'))
    };
    link.chars()
        .map(|c| match c {
            '<' | '>' | ' ' | '\n' | '\r' | '\t' => format!("%{:02X}", c as u32),
            c if c.is_control() => String::new(),
            c => c.to_string(),
        })
        .collect()
}

fn percent_encoded(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

/// `text` as one word for a POSIX shell: as it is when it holds only safe characters, else
/// in single quotes, or, when it holds a control or bidirectional character (a hostile file
/// name), as bash's `$'...'` with each such character's bytes as `\xHH`, so that the command
/// stays one line and still names the file.
fn shell_quoted(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._/+,:=@".contains(&b))
    {
        return text.to_string();
    }
    let hostile = |c: char| escape::for_terminal(c.encode_utf8(&mut [0; 4])) != c.to_string();
    if !text.chars().any(hostile) {
        return format!("'{}'", text.replace('\'', "'\\''"));
    }
    let mut quoted = String::from("$'");
    for c in text.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '\'' => quoted.push_str("\\'"),
            c if hostile(c) => {
                for byte in c.encode_utf8(&mut [0; 4]).bytes() {
                    let _ = write!(quoted, "\\x{byte:02x}");
                }
            }
            c => quoted.push(c),
        }
    }
    quoted.push('\'');
    quoted
}

/// Who turned unsafe fixes on, in a sentence: the reviewer weighs a flag given by whoever ran
/// the tool differently from a setting in a file.
fn unsafe_origin(unsafe_from: Option<&UnsafeFixesFrom>) -> String {
    match unsafe_from {
        Some(UnsafeFixesFrom::Flag) => {
            "they were asked for explicitly on the command line (`--unsafe-fixes`).".to_string()
        }
        Some(UnsafeFixesFrom::File(file)) => format!(
            "they were turned on by `unsafe-fixes = true` in the configuration file {}, which \
             this run was told to trust.",
            code(&display_path(file))
        ),
        None => "unsafe fixes were turned on for this run.".to_string(),
    }
}

/// The applied fixes in path order, each matched with the finding it answers.
fn fix_lines<'a>(outcomes: &[&'a FileOutcome], verdicts: &'a Verdicts) -> Vec<FixLine<'a>> {
    let mut lines = Vec::new();
    for outcome in outcomes.iter().filter(|o| o.fixed.is_some()) {
        let matched = applied_findings(outcome);
        let offsets: Vec<usize> = matched
            .iter()
            .map(|m| m.map_or(0, |i| outcome.findings[i].range.start))
            .collect();
        let functions = crate::enclosing::function_names(&outcome.source.text, &offsets);
        let verdict = verdicts.get(&outcome.source.display_path);
        for (((codemod, description), matched), function) in
            outcome.applied.iter().zip(matched).zip(functions)
        {
            let finding = matched.map(|i| &outcome.findings[i]);
            lines.push(FixLine {
                path: &outcome.source.display_path,
                codemod,
                description,
                line: finding.map(|f| outcome.source.line_column(f.range.start).line),
                function: finding.and(function),
                applicability: finding.and_then(|f| f.fix.as_ref().map(|fix| fix.applicability)),
                verdict,
                stop_channel: finding
                    .and_then(|f| f.fix.as_ref())
                    .is_some_and(|fix| fix.stop_channel),
                other_paths: finding
                    .and_then(|f| f.fix.as_ref())
                    .map(|fix| fix.other_files.iter().map(|o| o.path.as_str()).collect())
                    .unwrap_or_default(),
            });
        }
    }
    lines
}

/// `--pr-body DIR` with `--split-by`: an existing directory, not a symbolic link.
pub fn body_directory(path: &Path) -> anyhow::Result<PathBuf> {
    let metadata = std::fs::symlink_metadata(path)
        .map_err(|error| anyhow::anyhow!("--pr-body {}: {}", path.display(), io_reason(&error)))?;
    if !metadata.is_dir() {
        anyhow::bail!(
            "--pr-body {}: with --split-by, --pr-body names an existing directory (one body per branch goes there); this is not one",
            path.display()
        );
    }
    Ok(path.to_path_buf())
}

/// The file a branch's body is written to in `--pr-body DIR`: the branch name with every
/// character but ASCII letters, digits, `.`, `_` and `-` as `-`, and `.md`.
pub fn file_name(branch: &str) -> String {
    let name: String = branch
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{name}.md")
}

/// `--pr-template FILE`: the file named (a link to it is followed: you named it), at most
/// `MAX_TEMPLATE` bytes, UTF-8.
pub fn read_template(path: &Path) -> anyhow::Result<String> {
    let name = || format!("--pr-template {}", path.display());
    let failed = |error: std::io::Error| anyhow::anyhow!("{}: {}", name(), io_reason(&error));
    let metadata = std::fs::metadata(path).map_err(failed)?;
    if !metadata.is_file() || metadata.len() > MAX_TEMPLATE {
        anyhow::bail!(
            "{}: not a regular file of at most {MAX_TEMPLATE} bytes",
            name()
        );
    }
    let bytes = std::fs::read(path).map_err(failed)?;
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8", name()))
}

/// Where the repository's own template is, relative to its top directory.
pub const TEMPLATE_LOCATIONS: [&str; 2] = [
    ".github/pull_request_template.md",
    ".github/PULL_REQUEST_TEMPLATE.md",
];

/// The repository's template as committed at `HEAD` (a regular file; a link is refused).
pub fn template_at_head(repository: &crate::commit::HeadCommit) -> anyhow::Result<Option<String>> {
    for location in TEMPLATE_LOCATIONS {
        let bytes = repository
            .read_regular_file(location, MAX_TEMPLATE)
            .map_err(|reason| anyhow::anyhow!("{location}: {reason}"))?;
        if let Some(bytes) = bytes {
            return String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| anyhow::anyhow!("{location}: not UTF-8; not read"));
        }
    }
    Ok(None)
}

/// The top directory of the repository around `directory` (one holding `.git`), if any.
pub fn repository_top(directory: &Path) -> Option<PathBuf> {
    directory
        .ancestors()
        .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// The repository's template on disk under `top`, for `--dry-run`: `.github` must be a
/// directory and the template a regular file, neither a symbolic link.
pub fn template_on_disk(top: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::symlink_metadata(top.join(".github")) {
        Ok(metadata) if metadata.is_dir() => {}
        _ => return Ok(None),
    }
    for location in TEMPLATE_LOCATIONS {
        let path = top.join(location);
        let (file, metadata) = match crate::regular_file::open(&path) {
            Ok(opened) => opened,
            Err(error) if error.is_not_found() => continue,
            Err(_) => anyhow::bail!(
                "{location}: not a regular file (a symbolic link or a special file); not read"
            ),
        };
        if metadata.len() > MAX_TEMPLATE {
            anyhow::bail!("{location}: over {MAX_TEMPLATE} bytes; not read");
        }
        let mut bytes = Vec::new();
        use std::io::Read;
        file.take(MAX_TEMPLATE + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| anyhow::anyhow!("{location}: {}", io_reason(&error)))?;
        return String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| anyhow::anyhow!("{location}: not UTF-8; not read"));
    }
    Ok(None)
}

/// An I/O error in words, without Rust's ` (os error N)`.
fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn registry_position(id: &str) -> usize {
    codemods::REGISTRY
        .iter()
        .position(|codemod| codemod.id() == id)
        .unwrap_or(usize::MAX)
}

fn plural(count: usize, noun: &str) -> String {
    match (count, noun) {
        (1, _) => format!("1 {noun}"),
        (_, "fix") => format!("{count} fixes"),
        _ => format!("{count} {noun}s"),
    }
}

fn with_period(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codemods;
    use crate::engine::{Settings, process_package};
    use crate::source::SourceFile;
    use crate::syntax::go_parser;

    const LEAKY: &str = "package main\n\nimport \"time\"\n\nfunc fetch() string {\n\tc := make(chan string)\n\tgo func() {\n\t\tc <- \"x\"\n\t}()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-time.After(time.Millisecond):\n\t\treturn \"\"\n\t}\n}\n";

    fn outcomes() -> Vec<FileOutcome> {
        let settings = Settings::new(codemods::REGISTRY.to_vec(), false);
        let source = SourceFile::new("pkg/a.go".into(), "pkg/a.go".into(), LEAKY.into());
        process_package(&mut go_parser(), vec![source], &settings)
    }

    fn context<'a>(verdicts: &'a Verdicts) -> Context<'a> {
        Context {
            title: "pkg: fix a goroutine leak in a",
            verdicts,
            verify: None,
            unsafe_from: None,
            repo_url: Some("https://example.com/o/r"),
            base: Some("0123abcd"),
            template: None,
            owners: &[],
            evidence: None,
        }
    }

    #[test]
    fn the_body_names_the_function_the_path_the_safety_and_no_diff_or_sha() {
        let outcomes = outcomes();
        let outcomes: Vec<&FileOutcome> = outcomes.iter().collect();
        let verdicts = Verdicts::new();
        let body = pull_request_body(&outcomes, &context(&verdicts));
        assert!(
            body.contains(
                "### `pkg/a.go`, `fetch`, line 6 ([permalink](<https://example.com/o/r/blob/0123abcd/pkg/a.go#L6>))"
            ),
            "{body}"
        );
        assert!(body.contains("- **Leak** (`timeout-leak`): Production code: when the `select` takes its other case"), "{body}");
        assert!(
            body.contains("- **Why it is safe**:\n  - the channel is made in this function"),
            "{body}"
        );
        assert!(
            body.contains("goleak-fix --dry-run --select timeout-leak -- pkg/a.go\n"),
            "{body}"
        );
        assert!(
            body.contains("`//goleak-fix:ignore timeout-leak`"),
            "{body}"
        );
        assert!(body.contains("Tests not run."), "{body}");
        assert!(!body.contains("```diff"), "{body}");
        assert!(!body.contains("Branch"), "{body}");
        assert!(
            !body.starts_with('#'),
            "the title is not in the body: {body}"
        );
    }

    #[test]
    fn a_stop_channel_fix_is_explained_in_one_sentence_and_names_its_other_file() {
        let settings = Settings::new(codemods::REGISTRY.to_vec(), false);
        let a = "package p\n\nfunc first(words []string) string {\n\tout := make(chan string)\n\tgo produce(words, out)\n\tfor w := range out {\n\t\treturn w\n\t}\n\treturn \"\"\n}\n";
        let b = "package p\n\nfunc produce(words []string, out chan<- string) {\n\tfor _, w := range words {\n\t\tout <- w\n\t}\n}\n";
        let sources = vec![
            SourceFile::new("pkg/a.go".into(), "pkg/a.go".into(), a.into()),
            SourceFile::new("pkg/b.go".into(), "pkg/b.go".into(), b.into()),
        ];
        let outcomes = process_package(&mut go_parser(), sources, &settings);
        let outcomes: Vec<&FileOutcome> = outcomes.iter().collect();
        let verdicts = Verdicts::new();
        let body = pull_request_body(&outcomes, &context(&verdicts));
        assert!(
            body.contains("or a stop channel the sender gives up on"),
            "{body}"
        );
        assert!(
            body.contains(&format!("- **The rewrite**: {STOP_CHANNEL_SENTENCE}\n")),
            "{body}"
        );
        assert_eq!(
            STOP_CHANNEL_SENTENCE.matches(". ").count(),
            0,
            "one sentence"
        );
        assert!(body.contains("- **Also changes** `pkg/b.go`"), "{body}");
        assert!(
            body.contains(&format!("  - {}\n", STOP_CHANNEL_FACTS[2])),
            "{body}"
        );
        assert!(
            body.contains("--select abandoned-producers -- pkg/a.go pkg/b.go\n"),
            "{body}"
        );
        // Described once: pkg/b.go has no fix line of its own.
        assert_eq!(body.matches("\n### ").count(), 1, "{body}");
    }

    #[test]
    fn a_template_gets_the_text_at_its_placeholder_or_above_it() {
        let outcomes = outcomes();
        let outcomes: Vec<&FileOutcome> = outcomes.iter().collect();
        let verdicts = Verdicts::new();
        let template = "## What\n\n<!-- goleak-fix -->\n\n## Release notes\n\nNONE\n";
        let body = pull_request_body(
            &outcomes,
            &Context {
                template: Some(template),
                ..context(&verdicts)
            },
        );
        assert!(
            body.starts_with("## What\n\nThis change fixes 1 goroutine leak"),
            "{body}"
        );
        assert!(
            body.ends_with("</sub>\n\n## Release notes\n\nNONE\n"),
            "{body}"
        );
        let plain = "Describe your change.\n";
        let body = pull_request_body(
            &outcomes,
            &Context {
                template: Some(plain),
                ..context(&verdicts)
            },
        );
        assert!(body.starts_with("This change fixes"), "{body}");
        assert!(body.ends_with("\nDescribe your change.\n"), "{body}");
    }

    #[test]
    fn every_codemod_has_its_own_leak_path_and_safety_facts() {
        for codemod in codemods::REGISTRY {
            let id = codemod.id();
            assert_ne!(leak_path(id), leak_path("no-such-codemod"), "{id}");
            assert_ne!(safety_facts(id), safety_facts("no-such-codemod"), "{id}");
        }
    }

    #[test]
    fn permalinks_take_a_template_and_encode_the_path() {
        assert_eq!(
            permalink(
                "https://gitlab.example/g/p/-/blob/{sha}/{path}#L{line}",
                "abc",
                "a b/c.go",
                3
            ),
            "https://gitlab.example/g/p/-/blob/abc/a%20b/c.go#L3"
        );
        assert_eq!(
            permalink("https://github.com/o/r/", "abc", "x>y.go", 1),
            "https://github.com/o/r/blob/abc/x%3Ey.go#L1"
        );
        assert_eq!(shell_quoted("it's.go"), "'it'\\''s.go'");
        assert_eq!(
            shell_quoted("a\nb'\u{202E}.go"),
            "$'a\\x0ab\\'\\xe2\\x80\\xae.go'"
        );
    }
}
