//! The evidence read back to the source: each blocked group's place (and the places its
//! goroutines were started) mapped to a scanned file, a line and the top-level function
//! around it; then each finding the evidence confirms, and each blocked place that no
//! finding explains.
//!
//! A group confirms a finding when its goroutines wait on a channel (`chan send`,
//! `chan receive`, `select`) and either block or were started (`created by`) inside the
//! top-level function that holds the finding: every codemod's leak is a goroutine started by
//! the function that makes the channel, blocked on it. A profile has no `created by` frame,
//! so from a profile only goroutines blocked inside that function confirm it (not those that
//! block in a named function the `go` statement calls).
//!
//! Confirmation only marks, orders and, with `--evidence-only`, narrows findings: a fix is
//! applied on the analysis's proof alone, never because a dump saw the leak.

use super::group::{BlockedGroup, Groups};
use super::matcher::{Match, Matcher};
use crate::escape;
use crate::syntax;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// A place in a scanned file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePlace {
    /// The file's shown path.
    pub path: String,
    pub line: u32,
    /// The top-level function or method around the line (`(*Server).run`).
    pub function: Option<String>,
    /// The line, as an escaped one-line excerpt.
    pub source: String,
}

/// Where a group's blocking frame is in the scanned source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Source(SourcePlace),
    /// Several scanned files match equally well: their shown paths.
    Ambiguous(Vec<String>),
    /// Not in the scanned files (another module, the standard library), or past the end of
    /// the file that matched (the evidence is older than the source).
    Outside,
}

/// One group and where it is.
pub struct Located<'g> {
    pub group: &'g BlockedGroup,
    pub placement: Placement,
    /// The places in the scanned source where its goroutines were started.
    pub creators: Vec<SourcePlace>,
}

/// The top-level functions of one scanned file, by line span.
struct Functions {
    spans: Vec<(usize, usize, String)>,
    text: String,
    line_starts: Vec<usize>,
}

impl Functions {
    fn of(text: String, parser: &mut tree_sitter::Parser) -> Self {
        let tree = syntax::parse(parser, &text);
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let line_of = |offset: usize| match line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        let spans = syntax::functions(tree.root_node())
            .filter_map(|node| {
                let name = syntax::function_declaration_name(node, &text)?;
                Some((line_of(node.start_byte()), line_of(node.end_byte()), name))
            })
            .collect();
        Functions {
            spans,
            text,
            line_starts,
        }
    }

    /// The function around the 1-based `line`.
    fn at(&self, line: usize) -> Option<&str> {
        self.spans
            .iter()
            .find(|(start, end, _)| *start <= line && line <= *end)
            .map(|(_, _, name)| name.as_str())
    }

    /// The 1-based `line`'s text, `None` past the end of the file.
    fn line(&self, line: u32) -> Option<&str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        if start >= self.text.len() && index > 0 {
            return None;
        }
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Some(self.text[start..end].trim_end_matches(['\n', '\r']))
    }
}

/// The evidence located in the scanned source.
pub struct Evidence<'g> {
    pub located: Vec<Located<'g>>,
    pub groups: &'g Groups,
    functions: HashMap<String, Functions>,
}

impl<'g> Evidence<'g> {
    /// Maps every group of `groups` to the scanned `files` (shown path, absolute path);
    /// `load` gives a scanned file's text by its shown path (read as the analysis reads it).
    pub fn locate(
        groups: &'g Groups,
        files: &[(String, PathBuf)],
        load: &dyn Fn(&str) -> Option<String>,
    ) -> Self {
        let matcher = Matcher::new(files.iter().map(|(d, p)| (d.clone(), p.as_path())));
        let mut parser = syntax::go_parser();
        let mut functions: HashMap<String, Functions> = HashMap::new();
        let mut place = |file: &str, line: u32| -> Placement {
            match matcher.find(file) {
                Match::Outside => Placement::Outside,
                Match::Ambiguous(paths) => {
                    Placement::Ambiguous(paths.into_iter().map(str::to_string).collect())
                }
                Match::Found(path, _) => {
                    if !functions.contains_key(path) {
                        let Some(text) = load(path) else {
                            return Placement::Outside;
                        };
                        functions.insert(path.to_string(), Functions::of(text, &mut parser));
                    }
                    let file = &functions[path];
                    match file.line(line) {
                        Some(text) => Placement::Source(SourcePlace {
                            path: path.to_string(),
                            line,
                            function: file.at(line as usize).map(str::to_string),
                            source: escape::excerpt(text.trim()),
                        }),
                        None => Placement::Outside,
                    }
                }
            }
        };
        let mut located = Vec::new();
        for group in groups.sorted() {
            let placement = place(&group.place.file, group.place.line);
            let creators = group
                .creators
                .iter()
                .filter_map(|creator| match place(&creator.file, creator.line) {
                    Placement::Source(source) => Some(source),
                    _ => None,
                })
                .collect();
            located.push(Located {
                group,
                placement,
                creators,
            });
        }
        Evidence {
            located,
            groups,
            functions,
        }
    }

    /// The (shown path, function) pairs where goroutines wait on a channel that the function
    /// started or blocks in: the only places a finding can be confirmed. `--evidence-only`
    /// keeps the findings in these functions.
    pub fn channel_functions(&self) -> HashSet<(String, String)> {
        let mut found = HashSet::new();
        for located in self.located.iter().filter(|l| l.group.is_channel_wait()) {
            for place in located.places() {
                if let Some(function) = &place.function {
                    found.insert((place.path.clone(), function.clone()));
                }
            }
        }
        found
    }

    /// The function around `line` of the scanned file `path`, if the evidence reached it.
    pub fn function_at(&self, path: &str, line: usize) -> Option<&str> {
        self.functions.get(path)?.at(line)
    }

    /// The marks of the findings (shown path, 1-based line, codemod) the evidence confirms,
    /// the places no finding explains, and the counts.
    pub fn confirm<'f>(
        &self,
        findings: impl IntoIterator<Item = (&'f str, usize, &'static str)>,
    ) -> Confirmations {
        let mut marks = HashMap::new();
        let mut explained = vec![false; self.located.len()];
        for (path, line, codemod) in findings {
            let Some(function) = self.function_at(path, line) else {
                continue;
            };
            let mut confirming: Vec<&BlockedGroup> = Vec::new();
            for (index, located) in self.located.iter().enumerate() {
                if !located.group.is_channel_wait() {
                    continue;
                }
                let inside = located
                    .places()
                    .any(|place| place.path == path && place.function.as_deref() == Some(function));
                if inside {
                    explained[index] = true;
                    confirming.push(located.group);
                }
            }
            if let Some(mark) = Mark::of(&confirming) {
                marks.insert((path.to_string(), line, codemod), mark);
            }
        }
        let mut unexplained = Vec::new();
        let mut outside = 0;
        let mut ambiguous = 0;
        for (located, explained) in self.located.iter().zip(explained) {
            if explained {
                continue;
            }
            let group = located.group;
            let entry = |path, function, source, candidates| Unexplained {
                path,
                line: group.place.line,
                function,
                source,
                state: escape::for_terminal(&group.state).into_owned(),
                goroutines: group.goroutines,
                waiting: group.waiting(),
                frame: escape::for_terminal(&group.place.function).into_owned(),
                evidence_path: escape::for_terminal(&group.place.file).into_owned(),
                candidates,
            };
            match &located.placement {
                Placement::Source(place) => unexplained.push(entry(
                    Some(place.path.clone()),
                    place.function.clone(),
                    Some(place.source.clone()),
                    Vec::new(),
                )),
                Placement::Ambiguous(paths) => {
                    ambiguous += 1;
                    unexplained.push(entry(None, None, None, paths.clone()));
                }
                Placement::Outside => outside += group.goroutines,
            }
        }
        let summary = EvidenceSummary {
            files: self.groups.files,
            goroutines: self.groups.goroutines,
            blocked: self.groups.blocked(),
            confirmed: marks.len(),
            unexplained: unexplained.len(),
            ambiguous,
            outside,
        };
        Confirmations {
            marks,
            unexplained,
            summary,
        }
    }
}

impl Located<'_> {
    /// Where the group blocks and where its goroutines were started, in the scanned source.
    fn places(&self) -> impl Iterator<Item = &SourcePlace> {
        let blocking = match &self.placement {
            Placement::Source(place) => Some(place),
            _ => None,
        };
        blocking.into_iter().chain(&self.creators)
    }
}

/// What the evidence says of one confirmed finding (`"evidence"` in JSON and SARIF).
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub goroutines: u64,
    /// The state of most of them.
    pub state: String,
    /// `up to 5 minutes`, `under a minute` or `unknown`.
    pub waiting: String,
}

impl Mark {
    fn of(groups: &[&BlockedGroup]) -> Option<Mark> {
        let largest = groups.iter().max_by_key(|g| g.goroutines)?;
        let longest = groups
            .iter()
            .max_by_key(|g| g.waiting_minutes)
            .expect("not empty");
        Some(Mark {
            goroutines: groups.iter().map(|g| g.goroutines).sum(),
            state: escape::for_terminal(&largest.state).into_owned(),
            waiting: longest.waiting(),
        })
    }

    /// `240 goroutine(s) in chan send, up to 5 minutes`.
    pub fn sentence(&self) -> String {
        format!(
            "{} goroutine(s) in {}, waiting {}",
            self.goroutines, self.state, self.waiting
        )
    }
}

/// A blocked place no finding explains (`"unexplained"` in JSON): what is left for a human.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Unexplained {
    /// The scanned file, `null` when the evidence's path matches several (`candidates`).
    pub path: Option<String>,
    pub line: u32,
    /// The top-level function around the line, in the scanned source.
    pub function: Option<String>,
    /// The source line, one line, escaped, at most 60 characters.
    pub source: Option<String>,
    pub state: String,
    pub goroutines: u64,
    pub waiting: String,
    /// The function as the evidence names it (`main.(*Server).run`).
    pub frame: String,
    /// The file as the evidence names it.
    pub evidence_path: String,
    /// The scanned files the evidence's path matches equally well.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
}

impl Unexplained {
    /// One line for the text report; every part escaped.
    pub fn line(&self) -> String {
        let mut line = match &self.path {
            Some(path) => format!("unexplained: {}:{}:", escape::for_terminal(path), self.line),
            None => format!("unexplained: {}:{}:", self.evidence_path, self.line),
        };
        line.push_str(&format!(
            " {} goroutine(s) blocked in {}, waiting {}",
            self.goroutines, self.state, self.waiting
        ));
        match &self.function {
            Some(function) => line.push_str(&format!(" in {}", escape::for_terminal(function))),
            None => line.push_str(&format!(" in {}", self.frame)),
        }
        if let Some(source) = &self.source {
            line.push_str(&format!(": {source}"));
        }
        if !self.candidates.is_empty() {
            let candidates: Vec<String> = self
                .candidates
                .iter()
                .map(|c| escape::for_terminal(c).into_owned())
                .collect();
            line.push_str(&format!(
                " (ambiguous: matches {} equally)",
                candidates.join(", ")
            ));
        }
        line
    }
}

/// `summary.evidence` in JSON.
#[derive(Serialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceSummary {
    /// Evidence files read.
    pub files: usize,
    /// Goroutines in them, blocked or not.
    pub goroutines: u64,
    /// Blocked goroutines (waiting on a channel, a lock, a wait group or a condition; from a
    /// leak profile, the leaked ones).
    pub blocked: u64,
    /// Findings the evidence confirms.
    pub confirmed: usize,
    /// Entries of `unexplained`.
    pub unexplained: usize,
    /// Entries of `unexplained` whose path matches several scanned files.
    pub ambiguous: usize,
    /// Blocked goroutines whose place is not in the scanned source.
    pub outside: u64,
}

/// The outcome of confirmation, for the reports.
#[derive(Debug, Default)]
pub struct Confirmations {
    pub(super) marks: HashMap<(String, usize, &'static str), Mark>,
    pub unexplained: Vec<Unexplained>,
    pub summary: EvidenceSummary,
}

impl Confirmations {
    /// The mark of the finding at `line` of `path` by `codemod`, if the evidence confirms it.
    pub fn mark(&self, path: &str, line: usize, codemod: &'static str) -> Option<&Mark> {
        self.marks.get(&(path.to_string(), line, codemod))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text_dump;

    const SOURCE: &str = "package main\n\nimport \"sync\"\n\nfunc leak() {\n\tc := make(chan int)\n\tgo func() {\n\t\tc <- 1\n\t}()\n}\n\ntype S struct{ mu sync.Mutex }\n\nfunc (s *S) run() {\n\ts.mu.Lock() // \u{1b}[31m\n}\n";

    fn grouped(dump: &str) -> Groups {
        let mut groups = Groups::default();
        text_dump::parse(dump, &mut |g| groups.add(&g));
        groups
    }

    fn files() -> Vec<(String, PathBuf)> {
        vec![("app/main.go".into(), PathBuf::from("/home/me/app/main.go"))]
    }

    fn load(path: &str) -> Option<String> {
        (path == "app/main.go").then(|| SOURCE.to_string())
    }

    const DUMP: &str = "goroutine 22 [chan send, 5 minutes]:\nmain.leak.func1()\n\t/build/app/main.go:8 +0x1e\ncreated by main.leak in goroutine 1\n\t/build/app/main.go:7 +0x5f\n\n\
goroutine 23 [chan send, 2 minutes]:\nmain.leak.func1()\n\t/build/app/main.go:8 +0x1e\ncreated by main.leak in goroutine 1\n\t/build/app/main.go:7 +0x5f\n\n\
goroutine 24 [sync.Mutex.Lock]:\nsync.(*Mutex).Lock(...)\n\t/go/src/sync/mutex.go:46\nmain.(*S).run(0x1)\n\t/build/app/main.go:15 +0x2d\n\n\
goroutine 25 [chan receive]:\nnet/http.(*conn).serve(0x1)\n\t/go/src/net/http/server.go:2000 +0x2d\n";

    #[test]
    fn a_finding_in_the_function_that_started_the_goroutines_is_confirmed() {
        let groups = grouped(DUMP);
        let evidence = Evidence::locate(&groups, &files(), &load);
        let confirmations = evidence.confirm([("app/main.go", 6, "timeout-leak")]);
        let mark = confirmations
            .mark("app/main.go", 6, "timeout-leak")
            .expect("confirmed");
        assert_eq!(mark.goroutines, 2);
        assert_eq!(mark.state, "chan send");
        assert_eq!(mark.waiting, "up to 5 minutes");
        assert_eq!(confirmations.summary.confirmed, 1);
        assert_eq!(confirmations.summary.outside, 1);
        assert_eq!(confirmations.summary.blocked, 4);
    }

    #[test]
    fn a_place_no_finding_explains_is_listed_with_its_line_and_function_escaped() {
        let groups = grouped(DUMP);
        let evidence = Evidence::locate(&groups, &files(), &load);
        let confirmations = evidence.confirm([("app/main.go", 6, "timeout-leak")]);
        assert_eq!(
            confirmations.unexplained.len(),
            1,
            "{:#?}",
            confirmations.unexplained
        );
        let entry = &confirmations.unexplained[0];
        assert_eq!(entry.path.as_deref(), Some("app/main.go"));
        assert_eq!(entry.line, 15);
        assert_eq!(entry.function.as_deref(), Some("(*S).run"));
        assert_eq!(entry.state, "sync.Mutex.Lock");
        assert_eq!(entry.frame, "main.(*S).run");
        let source = entry.source.as_deref().unwrap();
        assert!(source.starts_with("s.mu.Lock()"), "{source}");
        assert!(!source.contains('\u{1b}'), "{source}");
        let line = entry.line();
        assert!(
            line.starts_with(
                "unexplained: app/main.go:15: 1 goroutine(s) blocked in sync.Mutex.Lock"
            ),
            "{line}"
        );
    }

    #[test]
    fn without_a_finding_the_channel_wait_is_unexplained_too() {
        let groups = grouped(DUMP);
        let evidence = Evidence::locate(&groups, &files(), &load);
        let confirmations = evidence.confirm([]);
        assert_eq!(confirmations.unexplained.len(), 2);
        assert_eq!(confirmations.unexplained[0].goroutines, 2);
        assert_eq!(
            confirmations.unexplained[0].function.as_deref(),
            Some("leak")
        );
        let functions = evidence.channel_functions();
        assert!(functions.contains(&("app/main.go".to_string(), "leak".to_string())));
        assert_eq!(functions.len(), 1, "the mutex wait is not a channel's");
    }

    #[test]
    fn an_ambiguous_path_is_reported_with_its_candidates_and_confirms_nothing() {
        let groups = grouped(DUMP);
        let files = vec![
            (
                "a/app/main.go".to_string(),
                PathBuf::from("/x/a/app/main.go"),
            ),
            (
                "b/app/main.go".to_string(),
                PathBuf::from("/x/b/app/main.go"),
            ),
        ];
        let evidence = Evidence::locate(&groups, &files, &|_| Some(SOURCE.to_string()));
        let confirmations = evidence.confirm([("a/app/main.go", 6, "timeout-leak")]);
        assert_eq!(confirmations.summary.confirmed, 0);
        assert_eq!(confirmations.summary.ambiguous, 2);
        let entry = &confirmations.unexplained[0];
        assert_eq!(entry.path, None);
        assert_eq!(entry.candidates, vec!["a/app/main.go", "b/app/main.go"]);
        assert!(entry.line().contains("ambiguous"), "{}", entry.line());
    }

    #[test]
    fn a_line_past_the_end_of_the_file_is_outside_and_hostile_names_are_escaped() {
        let dump = "goroutine 5 [chan send]:\nmain.f\u{1b}[2J\u{202e}()\n\t/build/app/main.go:999 +0x1\n\n\
goroutine 6 [chan send]:\nmain.g\u{1b}[2J()\n\t/build/x\u{1b}]8;;evil\u{7}/zz.go:3 +0x1\n";
        let groups = grouped(dump);
        let evidence = Evidence::locate(&groups, &files(), &load);
        let confirmations = evidence.confirm([]);
        assert!(confirmations.unexplained.is_empty());
        assert_eq!(confirmations.summary.outside, 2);
        // Ambiguity with a hostile frame: escaped in the text line.
        let dump = "goroutine 5 [chan send]:\nmain.f\u{1b}[2J()\n\t/b/app/main.go:8 +0x1\n";
        let groups = grouped(dump);
        let files = vec![
            (
                "a/app/main.go".to_string(),
                PathBuf::from("/x/a/app/main.go"),
            ),
            (
                "c/app/main.go".to_string(),
                PathBuf::from("/x/c/app/main.go"),
            ),
        ];
        let evidence = Evidence::locate(&groups, &files, &|_| Some(SOURCE.to_string()));
        let line = evidence.confirm([]).unexplained[0].line();
        assert!(!line.contains('\u{1b}'), "{line}");
    }
}
