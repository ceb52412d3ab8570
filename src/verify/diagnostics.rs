//! Reading `go`'s output: which lines are diagnostics, how two runs' diagnostics compare
//! (without positions or temp directories), and how they are shown (by display path).

use super::package::{PackageJob, Place};
use std::path::Path;

impl PackageJob<'_> {
    /// `line` with the temp copies named by the files' display paths, and the paths `go`
    /// prints relative to the module root made relative to where goleak-fix runs.
    pub(super) fn render(&self, place: &Place, line: &str) -> String {
        let line = line.trim();
        let line = line.strip_prefix("vet: ").unwrap_or(line);
        map_go_paths(line, |path, rest| {
            let (directory, name) = path.rsplit_once('/').unwrap_or(("", path));
            let is_copy = ["original", "fixed"]
                .iter()
                .any(|copy| directory == *copy || directory.ends_with(&format!("/{copy}")));
            if is_copy {
                let file = self.files.iter().find(|f| f.name == name)?;
                return Some(format!("{}{rest}", file.display));
            }
            let root = place
                .shown_root
                .as_deref()
                .filter(|root| !root.is_empty())?;
            if Path::new(path).is_absolute() {
                return None;
            }
            Some(format!("{}{rest}", join_shown(root, path)))
        })
    }
}

/// `root` (ending in `/`) joined with `path`, its leading `../` taken off `root`:
/// `server/` and `../client/a.go` give `client/a.go`.
pub(super) fn join_shown(root: &str, path: &str) -> String {
    let mut parts: Vec<&str> = root.split('/').filter(|p| !p.is_empty()).collect();
    let mut rest = path;
    while let Some(up) = rest.strip_prefix("../") {
        if parts.pop().is_none() {
            return path.to_string();
        }
        rest = up;
    }
    let rest = rest.strip_prefix("./").unwrap_or(rest);
    parts.push(rest);
    parts.join("/")
}

/// The lines of `go` output that are diagnostics: not `# package` headers, and not `go:
/// downloading ...` (which `GOPROXY=off` turns into errors printed on their own lines).
pub(super) fn diagnostics(output: &str) -> impl Iterator<Item = &str> {
    output.lines().filter(|line| {
        !line.trim().is_empty()
            && !line.starts_with('#')
            && !line.starts_with("go: downloading ")
            && !line.starts_with("go: finding ")
    })
}

/// The diagnostics of a `go vet -json` run, one line each. The analyzers' findings come as
/// JSON documents (`{"pkg": {"printf": [{"posn": "/m/a.go:5:24", "message": "..."}]}}`) and
/// become `a.go:5:24: message (printf)`, their path made relative to `module_root` as `go`
/// prints the paths of its other errors; type errors and everything else `go` prints come as
/// text and are kept as `diagnostics` reads them. A document that does not parse is kept as
/// its lines, so nothing `go` said is lost.
pub(super) fn vet_diagnostics(output: &str, module_root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut document: Option<Vec<&str>> = None;
    for line in output.lines() {
        if let Some(lines) = &mut document {
            lines.push(line);
            // `go vet -json` indents with tabs: the document ends at a `}` in column 0.
            if line.trim_end() == "}" {
                let lines = document.take().unwrap_or_default();
                let text = lines.join("\n");
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(value) => analyzer_findings(&value, module_root, &mut found),
                    Err(_) => found.extend(diagnostics(&text).map(str::to_string)),
                }
            }
            continue;
        }
        if line.starts_with('{') {
            // A document on one line (`{}` when nothing is reported), or the first line of one.
            match serde_json::from_str::<serde_json::Value>(line) {
                Ok(value) => analyzer_findings(&value, module_root, &mut found),
                Err(_) => document = Some(vec![line]),
            }
            continue;
        }
        found.extend(diagnostics(line).map(str::to_string));
    }
    if let Some(lines) = document {
        found.extend(diagnostics(&lines.join("\n")).map(str::to_string));
    }
    found
}

/// The findings in one `go vet -json` document: by package, by analyzer, a list of
/// diagnostics or an `{"error": ...}` of the analyzer.
fn analyzer_findings(value: &serde_json::Value, module_root: &Path, found: &mut Vec<String>) {
    let root = format!("{}/", module_root.display());
    let shown = |posn: &str| posn.strip_prefix(&root).unwrap_or(posn).to_string();
    for analyzers in value.as_object().into_iter().flat_map(|m| m.values()) {
        for (analyzer, result) in analyzers.as_object().into_iter().flatten() {
            if let Some(error) = result.get("error").and_then(|e| e.as_str()) {
                found.push(format!("{analyzer}: {error}"));
            }
            for diagnostic in result.as_array().into_iter().flatten() {
                let text = |key: &str| diagnostic.get(key).and_then(|v| v.as_str());
                let message = text("message").unwrap_or_default();
                let message = message.lines().next().unwrap_or_default();
                match text("posn") {
                    Some(posn) => found.push(format!("{}: {message} ({analyzer})", shown(posn))),
                    None => found.push(format!("{message} ({analyzer})")),
                }
            }
        }
    }
}

pub(super) fn first_line(output: &str) -> String {
    diagnostics(output)
        .next()
        .unwrap_or("(no output)")
        .trim()
        .to_string()
}

/// The line that best says why `go test` failed.
pub(super) fn first_failure(output: &str) -> String {
    let lines: Vec<&str> = diagnostics(output).collect();
    let pick = lines
        .iter()
        .find(|l| l.trim_start().starts_with("--- FAIL"))
        .or_else(|| lines.iter().find(|l| l.starts_with("panic:")))
        .or_else(|| lines.iter().find(|l| l.contains(".go:")))
        .or(lines.first());
    pick.map_or("(no output)", |l| l.trim()).to_string()
}

/// Needs a module or package that is not in the module cache (and cannot be downloaded).
pub(super) fn is_missing_dependency(output: &str) -> bool {
    const SIGNS: [&str; 8] = [
        "cannot find module",
        "no required module provides package",
        "GOPROXY=off",
        "missing go.sum entry",
        "module lookup disabled",
        "cannot find package",
        "updates to go.mod needed",
        "is not in std",
    ];
    SIGNS.iter().any(|sign| output.contains(sign))
}

pub(super) fn is_toolchain_too_old(output: &str) -> bool {
    output.contains("GOTOOLCHAIN=local") || output.contains("requires go >=")
}

/// A diagnostic without what differs between two runs on the same code: the directories of
/// `.go` paths (the temp copies) and the positions after them (an inserted line moves every
/// line below it). `/tmp/x/fixed/a.go:12:3: declared and not used: v` becomes
/// `a.go: declared and not used: v`.
pub(super) fn normalise(line: &str) -> String {
    let line = line.trim();
    let line = line.strip_prefix("vet: ").unwrap_or(line);
    map_go_paths(line, |path, rest| {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        match rest.strip_prefix(':') {
            Some(position) => {
                let after = position.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':');
                Some(format!("{name}:{after}"))
            }
            None => Some(format!("{name}{rest}")),
        }
    })
}

/// Rewrites each whitespace-separated word of `line` that holds a `.go` path: `map` gets the
/// path and what follows it in the word (`:12:3:`), and returns the new word or `None` to
/// keep it.
pub(super) fn map_go_paths(line: &str, map: impl Fn(&str, &str) -> Option<String>) -> String {
    line.split(' ')
        .map(|word| {
            let start = word
                .find(|c: char| !matches!(c, '"' | '\'' | '(' | '['))
                .unwrap_or(word.len());
            let (lead, body) = word.split_at(start);
            let Some(end) = body.rfind(".go").map(|i| i + 3) else {
                return word.to_string();
            };
            let (path, rest) = body.split_at(end);
            if !(rest.is_empty() || rest.starts_with([':', '"', '\'', ')', ']', ','])) {
                return word.to_string();
            }
            match map(path, rest) {
                Some(new) => format!("{lead}{new}"),
                None => word.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_compare_without_positions_or_temp_directories() {
        assert_eq!(
            normalise("vet: /tmp/goleak-fix-verify-x/p0/fixed/a.go:12:3: declared and not used: v"),
            "a.go: declared and not used: v"
        );
        assert_eq!(
            normalise("../../tmp/y/p0/original/a.go:11:3: declared and not used: v"),
            "a.go: declared and not used: v"
        );
        assert_eq!(
            normalise("a.go:3:8: no required module provides package example.org/x; to add it:"),
            "a.go: no required module provides package example.org/x; to add it:"
        );
        assert_eq!(normalise("\tgo get example.org/x"), "go get example.org/x");
    }

    #[test]
    fn paths_from_the_module_root_are_shown_from_where_goleak_fix_runs() {
        assert_eq!(
            join_shown("server/", "etcdserver/a.go"),
            "server/etcdserver/a.go"
        );
        assert_eq!(join_shown("server/", "../client/b.go"), "client/b.go");
        assert_eq!(join_shown("", "../b.go"), "../b.go");
    }

    #[test]
    fn vet_json_findings_become_lines_and_text_errors_stay() {
        let output = "# example.com/m\n{\n\t\"example.com/m\": {\n\t\t\"stdmethods\": [\n\t\t\t{\n\t\t\t\t\"posn\": \"/src/m/pkg/a.go:5:24\",\n\t\t\t\t\"message\": \"method WriteTo(w io.Writer) error should have signature WriteTo(io.Writer) (int64, error)\"\n\t\t\t}\n\t\t],\n\t\t\"bad\": {\"error\": \"analysis failed\"}\n\t}\n}\nvet: ./b.go:6:13: undefined: x\n";
        assert_eq!(
            vet_diagnostics(output, Path::new("/src/m")),
            [
                "bad: analysis failed",
                "pkg/a.go:5:24: method WriteTo(w io.Writer) error should have signature WriteTo(io.Writer) (int64, error) (stdmethods)",
                "vet: ./b.go:6:13: undefined: x",
            ]
        );
        assert!(vet_diagnostics("{}\n# example.com/m\n{}\n", Path::new("/src/m")).is_empty());
        // A document cut short is kept as text.
        assert_eq!(
            vet_diagnostics("{\n\t\"x\": 1,\n", Path::new("/src/m")),
            ["{", "\t\"x\": 1,"]
        );
    }

    #[test]
    fn a_dependency_missing_from_the_module_cache_is_recognised() {
        assert!(is_missing_dependency(
            "a.go:3:8: no required module provides package github.com/foo/bar; to add it:"
        ));
    }
}
