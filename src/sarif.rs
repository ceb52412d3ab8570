//! `--format sarif`: the findings report as SARIF 2.1.0, the format code-scanning services
//! (GitHub, GitLab, Azure DevOps, IDE viewers) read.
//!
//! One run; its tool's rules are the codemods (`id`, `summary()` as the short description, the
//! lead sentence of `documentation()` as the full description, the whole documentation as
//! help). Each finding is a result with one location, and, when goleak-fix would apply its fix
//! with the current settings, a SARIF fix: fixes marked unsafe are offered only with
//! `--unsafe-fixes`, so that a consumer that applies every SARIF fix stays safe by default.
//!
//! Columns: our report counts columns in bytes, SARIF in "characters" of a kind the run names
//! (`columnKind`, UTF-16 code units by default). We count Unicode code points and say so with
//! `"columnKind": "unicodeCodePoints"`. Fix regions are given the same way, as lines and
//! columns, never as `charOffset`/`charLength`: those count characters from the start of the
//! file, and a reader that takes them for our byte offsets (or the reverse) would cut a
//! multi-byte character in two. On an ASCII line a column is the same in every unit. In
//!
//! ```text
//! s := "é"; c := make(chan int)
//! ```
//!
//! `make` starts at byte column 17 (`é` is two bytes) and at code-point column 16, so the SARIF
//! region says `"startColumn": 16`.

use crate::codemods::{self, Codemod};
use crate::edit::{Applicability, Edit};
use crate::outcome::{Mode, Outcome, Status};
use crate::report::{Report, ReportedFinding};
use crate::source::SourceFile;
use crate::verify::Verdict;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// The schema the document declares.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The report as one SARIF 2.1.0 document, pretty-printed, with a final newline.
pub fn to_sarif(report: &Report) -> String {
    let repository = env!("CARGO_PKG_REPOSITORY");
    let root = SourceRoot::of(report);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let results = report
        .findings
        .iter()
        .map(|finding| result(finding, &root, report.mode, &mut seen))
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "goleak-fix",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: (!repository.is_empty()).then_some(repository),
                    rules: codemods::REGISTRY.iter().map(|c| rule(*c)).collect(),
                },
            },
            automation_details: AutomationDetails { id: AUTOMATION_ID },
            original_uri_base_ids: root.base_ids(),
            column_kind: "unicodeCodePoints",
            results,
            invocations: invocations(report, &root),
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).expect("the document is plain data");
    text.push('\n');
    text
}

/// `sarifLog`, with the one run.
#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    automation_details: AutomationDetails,
    /// Where `%SRCROOT%` is on this machine; absent when it cannot be told.
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BaseIds>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    /// Present only to carry notifications (functions not analysed), so a clean run's
    /// document keeps its shape.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<Invocation<'a>>,
}

/// `runAutomationDetails`: which analysis the run belongs to, so that code scanning matches
/// each upload with the previous one of the same category instead of adding alerts.
#[derive(Serialize)]
struct AutomationDetails {
    id: &'static str,
}

/// `goleak-fix/`: the category `goleak-fix` (code scanning reads the id up to its last `/`).
const AUTOMATION_ID: &str = "goleak-fix/";

/// The one URI base, `%SRCROOT%`: the repository's top directory.
#[derive(Serialize)]
struct BaseIds {
    #[serde(rename = "%SRCROOT%")]
    source_root: BaseUri,
}

#[derive(Serialize)]
struct BaseUri {
    uri: String,
}

/// Where the report's paths are resolved from, and the repository's top directory that
/// `%SRCROOT%` names: artifact URIs are relative to it, whatever directory the run was in.
struct SourceRoot {
    /// The current directory, which non-`--commit` paths are relative to.
    cwd: Option<PathBuf>,
    /// The repository's top directory (the current directory outside a repository).
    top: Option<PathBuf>,
    /// Whether the report's paths are already relative to `top` (`--commit`).
    from_top: bool,
}

impl SourceRoot {
    fn of(report: &Report) -> Self {
        let cwd = std::env::current_dir().ok();
        let top = cwd
            .as_deref()
            .map(|cwd| crate::pr_body::repository_top(cwd).unwrap_or_else(|| cwd.to_path_buf()));
        SourceRoot {
            cwd,
            top,
            from_top: report.mode == Mode::Commit,
        }
    }

    /// The path relative to the top directory (`/`-separated), or `None` when it is outside.
    fn relative(&self, path: &str) -> Option<String> {
        if self.from_top {
            return Some(path.to_string());
        }
        let (cwd, top) = (self.cwd.as_ref()?, self.top.as_ref()?);
        let absolute = normalised(&cwd.join(path));
        let relative = absolute.strip_prefix(top).ok()?;
        let parts: Option<Vec<&str>> = relative
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect();
        Some(parts?.join("/"))
    }

    fn artifact(&self, path: &str) -> ArtifactLocation<'static> {
        match self.relative(path) {
            Some(relative) => ArtifactLocation {
                uri: artifact_uri(&relative).into(),
                uri_base_id: Some("%SRCROOT%"),
            },
            None => ArtifactLocation {
                uri: artifact_uri(
                    &self
                        .cwd
                        .as_ref()
                        .map(|cwd| normalised(&cwd.join(path)).to_string_lossy().into_owned())
                        .unwrap_or_else(|| path.to_string()),
                )
                .into(),
                uri_base_id: None,
            },
        }
    }

    fn base_ids(&self) -> Option<BaseIds> {
        let top = self.top.as_ref()?.to_str()?;
        let mut uri = artifact_uri(top);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        Some(BaseIds {
            source_root: BaseUri { uri },
        })
    }
}

/// `path` of `report` relative to the repository's top directory, as SARIF's artifact URIs
/// and GitHub's annotations name files; as it is when it is outside the repository.
pub fn path_from_top(report: &Report, path: &str) -> String {
    SourceRoot::of(report)
        .relative(path)
        .unwrap_or_else(|| path.to_string())
}

/// `a/./b/../c` as `a/c`, by the words.
fn normalised(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

/// A fingerprint that survives unrelated edits: what the finding is (codemod, file from the
/// top, enclosing function, the code it points at with white space collapsed), and which
/// occurrence of that it is; never its line or column. Code scanning then matches an alert
/// with the one of the previous upload even when lines above it moved.
fn fingerprint(finding: &ReportedFinding, path: &str, seen: &mut HashMap<String, usize>) -> String {
    let code: Vec<&str> = finding
        .source
        .text
        .get(finding.range.clone())
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let identity = format!(
        "{}\0{path}\0{}\0{}",
        finding.codemod,
        finding.function.as_deref().unwrap_or_default(),
        code.join(" ")
    );
    let occurrence = seen.entry(identity.clone()).or_insert(0);
    *occurrence += 1;
    let hashed = format!("{identity}\0{occurrence}");
    let id = git2::Oid::hash_object(git2::ObjectType::Blob, hashed.as_bytes())
        .map(|oid| oid.to_string())
        .unwrap_or_default();
    format!("{}:{occurrence}", &id[..id.len().min(32)])
}

/// `invocation`: the run itself, with what it could not do as notifications.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'a>>,
}

/// `notification`: a function that was not analysed, at its first syntax error.
#[derive(Serialize)]
struct Notification<'a> {
    descriptor: Descriptor,
    level: &'static str,
    message: Text<'static>,
    locations: [Location<'a>; 1],
}

#[derive(Serialize)]
struct Descriptor {
    id: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Rule>,
}

/// `reportingDescriptor`: one codemod.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text<'static>,
    full_description: Text<'static>,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

/// Read by GitHub code scanning: `tags` to filter alerts, `precision` to rank them.
#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 2],
    precision: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    /// `pass` for a finding the run fixed in place; `fail` otherwise.
    kind: &'static str,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    /// An `inSource` suppression for a finding a `//goleak-fix:ignore` silenced.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "goleakFix/v1")]
    v1: String,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
}

/// What the run did about the finding (docs/CONTRACT.md, the JSON `outcome`), the function it
/// is in, and with `--evidence` what the evidence says of it
/// (`{"goroutines": 240, "state": ..., "waiting": ...}`).
#[derive(Serialize)]
struct ResultProperties<'a> {
    outcome: &'a Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    function: Option<&'a str>,
    /// With `--evidence`, what the evidence says of a confirmed finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a crate::evidence::confirm::Mark>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation<'a> {
    uri: std::borrow::Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

/// A text region in lines and code-point columns (see the module documentation).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
    properties: FixProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation<'a>,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Text<'a>,
}

/// Our safety level, which SARIF has no word for, and `--verify`'s verdict when there is one.
#[derive(Serialize)]
struct FixProperties<'a> {
    applicability: Applicability,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<&'a Verdict>,
}

fn rule(codemod: &dyn Codemod) -> Rule {
    Rule {
        id: codemod.id(),
        name: codemod.id(),
        short_description: Text {
            text: codemod.summary(),
        },
        full_description: Text {
            text: codemod.leak_sentence(),
        },
        help: Help {
            text: codemod.documentation(),
            markdown: codemod.documentation(),
        },
        default_configuration: Configuration { level: "warning" },
        properties: RuleProperties {
            tags: ["goroutine-leak", "concurrency"],
            precision: "high",
        },
    }
}

fn result<'a>(
    finding: &'a ReportedFinding<'a>,
    root: &SourceRoot,
    mode: Mode,
    seen: &mut HashMap<String, usize>,
) -> SarifResult<'a> {
    let source = finding.source;
    let artifact = root.artifact(finding.path);
    let fingerprint_path = root
        .relative(finding.path)
        .unwrap_or_else(|| finding.path.to_string());
    let start = finding.range.start;
    let end = finding.range.end;
    // A fix that spans files is one change per file; without the text of one of them (which
    // the run did not keep), no fix is offered rather than half of one.
    let others_known = finding.other_sources.iter().all(Option::is_some);
    let fixes = finding
        .fix
        .filter(|_| finding.applicable && others_known)
        .map(|reported| SarifFix {
            description: Text {
                text: &reported.fix.description,
            },
            artifact_changes: std::iter::once(ArtifactChange {
                artifact_location: artifact.clone(),
                replacements: reported
                    .fix
                    .edits
                    .iter()
                    .map(|e| replacement(source, e))
                    .collect(),
            })
            .chain(
                reported
                    .fix
                    .other_files
                    .iter()
                    .zip(&finding.other_sources)
                    .filter_map(|(other, other_source)| {
                        let other_source = (*other_source)?;
                        Some(ArtifactChange {
                            artifact_location: root.artifact(&other.path),
                            replacements: other
                                .edits
                                .iter()
                                .map(|e| replacement(other_source, e))
                                .collect(),
                        })
                    }),
            )
            .collect(),
            properties: FixProperties {
                applicability: reported.fix.applicability,
                verification: reported.verification,
            },
        });
    let fixed_in_place = finding.outcome.status == Status::Fixed && mode == Mode::Fix;
    SarifResult {
        rule_id: finding.codemod,
        rule_index: codemods::REGISTRY
            .iter()
            .position(|c| c.id() == finding.codemod),
        kind: if fixed_in_place { "pass" } else { "fail" },
        level: if fixed_in_place { "none" } else { "warning" },
        message: Text {
            text: finding.message,
        },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: artifact,
                region: region(source, start, end),
            },
        }],
        partial_fingerprints: Fingerprints {
            v1: fingerprint(finding, &fingerprint_path, seen),
        },
        fixes: fixes.into_iter().collect(),
        suppressions: if finding.outcome.status == Status::Suppressed {
            vec![Suppression { kind: "inSource" }]
        } else {
            Vec::new()
        },
        properties: ResultProperties {
            outcome: &finding.outcome,
            function: finding.function.as_deref(),
            evidence: finding.evidence.as_ref(),
        },
    }
}

fn replacement<'a>(source: &SourceFile, edit: &'a Edit) -> Replacement<'a> {
    Replacement {
        deleted_region: region(source, edit.start, edit.end),
        inserted_content: Text {
            text: &edit.replacement,
        },
    }
}

/// One invocation whose notifications name each function not analysed; none when there is
/// nothing to say.
fn invocations<'a>(report: &Report<'a>, root: &SourceRoot) -> Vec<Invocation<'a>> {
    if report.not_analysed.is_empty() {
        return Vec::new();
    }
    let notifications = report
        .not_analysed
        .iter()
        .map(|skipped| Notification {
                descriptor: Descriptor { id: "not-analysed" },
                level: "warning",
                message: Text {
                    text: "not analysed: this function has a syntax error, so its channels were not checked for leaks",
                },
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: root.artifact(skipped.path),
                        region: region(skipped.source, skipped.error_offset, skipped.error_offset),
                    },
                }],
        })
        .collect();
    vec![Invocation {
        execution_successful: true,
        tool_execution_notifications: notifications,
    }]
}

/// The text region between two byte offsets. An empty range is an insertion point
/// (`startColumn == endColumn`).
fn region(source: &SourceFile, start: usize, end: usize) -> Region {
    let (start_line, start_column) = line_and_code_point_column(source, start);
    let (end_line, end_column) = line_and_code_point_column(source, end);
    Region {
        start_line,
        start_column,
        end_line,
        end_column,
    }
}

/// The 1-based line of `offset` and its 1-based column counted in Unicode code points.
fn line_and_code_point_column(source: &SourceFile, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.text.len());
    let line = source.line_column(offset).line;
    let line_start = source.line_start(line - 1);
    let column = source
        .text
        .get(line_start..offset)
        .map_or(0, |prefix| prefix.chars().count());
    (line, column + 1)
}

/// The path as a URI reference: relative paths stay relative (code scanning resolves them
/// against the repository), absolute ones become `file://` URIs; anything outside the URI
/// characters is percent-encoded.
fn artifact_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut uri = String::with_capacity(path.len());
    if path.starts_with('/') {
        uri.push_str("file://");
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_code_points_not_bytes() {
        let source = SourceFile::new(
            "a.go".into(),
            "a.go".into(),
            "package p\ns := \"é\"; c := make(chan int)\n".into(),
        );
        let make = source.text.find("make").unwrap();
        assert_eq!(source.line_column(make).column, 17);
        assert_eq!(line_and_code_point_column(&source, make), (2, 16));
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(artifact_uri("pkg/a.go"), "pkg/a.go");
        assert_eq!(artifact_uri("my pkg/ä.go"), "my%20pkg/%C3%A4.go");
        assert_eq!(artifact_uri("/src/a.go"), "file:///src/a.go");
    }
}
