//! Which scanned file a file name from the evidence means. The evidence was made on another
//! machine, from another checkout: `/home/ci/build/svc/pkg/a.go`, a module cache path
//! (`/root/go/pkg/mod/github.com/acme/svc@v1.2.3/pkg/a.go`, upper case escaped as `!a`), a
//! `-trimpath` import path (`github.com/acme/svc/pkg/a.go`), a vendored copy. The scanned file
//! it means is the one sharing the longest suffix of path components with it (a module
//! version, `@v1.2.3`, is not part of a directory's name). Two files sharing the same longest
//! suffix are ambiguous, and neither is chosen.
//!
//! A suffix of the file name alone is weak (every package has a `main.go`): it counts only
//! for a file at the top of what was scanned, whose shown path is its name alone.

use std::collections::HashMap;
use std::path::{Component, Path};

/// What a file name of the evidence leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match<'a> {
    /// The scanned file (its shown path) and how many path components matched.
    Found(&'a str, usize),
    /// Several scanned files share the longest suffix: their shown paths.
    Ambiguous(Vec<&'a str>),
    /// No scanned file is meant.
    Outside,
}

struct Candidate {
    display: String,
    components: Vec<String>,
    /// Components of the shown path: a match of all of them is enough, even a single one.
    shown_components: usize,
}

pub struct Matcher {
    candidates: Vec<Candidate>,
    by_name: HashMap<String, Vec<usize>>,
}

/// A path's components for matching: both separators, `.` dropped, `..` applied, module
/// versions dropped and the module cache's `!x` read as `X`.
pub fn components(path: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(unescape_module(part.split('@').next().unwrap_or(part))),
        }
    }
    parts
}

/// The module cache writes an upper-case letter as `!` and the lower-case one.
fn unescape_module(part: &str) -> String {
    if !part.contains('!') {
        return part.to_string();
    }
    let mut out = String::with_capacity(part.len());
    let mut chars = part.chars();
    while let Some(c) = chars.next() {
        if c == '!'
            && let Some(next) = chars.next()
        {
            out.extend(next.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn common_suffix(a: &[String], b: &[String]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

impl Matcher {
    /// The scanned files: each one's shown path and its absolute path.
    pub fn new<'p>(files: impl IntoIterator<Item = (String, &'p Path)>) -> Self {
        let mut candidates = Vec::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (display, absolute) in files {
            let mut components: Vec<String> = Vec::new();
            for component in absolute.components() {
                match component {
                    Component::Normal(part) => {
                        components.push(part.to_string_lossy().into_owned());
                    }
                    Component::ParentDir => {
                        components.pop();
                    }
                    _ => {}
                }
            }
            let Some(name) = components.last().cloned() else {
                continue;
            };
            by_name.entry(name).or_default().push(candidates.len());
            let shown_components = components_of_shown(&display);
            candidates.push(Candidate {
                display,
                components,
                shown_components,
            });
        }
        Matcher {
            candidates,
            by_name,
        }
    }

    /// The scanned file `evidence_path` names.
    pub fn find(&self, evidence_path: &str) -> Match<'_> {
        let wanted = components(evidence_path);
        let Some(name) = wanted.last() else {
            return Match::Outside;
        };
        let Some(indexes) = self.by_name.get(name) else {
            return Match::Outside;
        };
        let mut best = 0;
        let mut chosen: Vec<&Candidate> = Vec::new();
        for &index in indexes {
            let candidate = &self.candidates[index];
            let length = common_suffix(&wanted, &candidate.components);
            if length < 2 && length < candidate.shown_components {
                continue;
            }
            if length > best {
                best = length;
                chosen.clear();
            }
            if length == best {
                chosen.push(candidate);
            }
        }
        match chosen.as_slice() {
            [] => Match::Outside,
            [one] => Match::Found(&one.display, best),
            many => {
                let mut paths: Vec<&str> = many.iter().map(|c| c.display.as_str()).collect();
                paths.sort_unstable();
                Match::Ambiguous(paths)
            }
        }
    }
}

fn components_of_shown(display: &str) -> usize {
    components(display).len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn matcher(files: &[&str]) -> Matcher {
        let paths: Vec<(String, PathBuf)> = files
            .iter()
            .map(|f| (f.to_string(), Path::new("/home/me/svc").join(f)))
            .collect();
        Matcher::new(paths.iter().map(|(d, p)| (d.clone(), p.as_path())))
    }

    #[test]
    fn paths_from_another_machine_find_the_scanned_file() {
        let m = matcher(&["pkg/a.go", "cmd/a.go", "main.go", "internal/x/b.go"]);
        assert_eq!(m.find("/build/svc/pkg/a.go"), Match::Found("pkg/a.go", 3));
        assert_eq!(
            m.find("C:\\build\\svc\\cmd\\a.go"),
            Match::Found("cmd/a.go", 3)
        );
        assert_eq!(
            m.find("github.com/acme/svc/pkg/a.go"),
            Match::Found("pkg/a.go", 3)
        );
        assert_eq!(
            m.find("/root/go/pkg/mod/github.com/acme/svc@v1.2.3/internal/x/b.go"),
            Match::Found("internal/x/b.go", 4)
        );
        assert_eq!(m.find("/elsewhere/main.go"), Match::Found("main.go", 1));
        assert_eq!(m.find("/usr/local/go/src/net/http/a.go"), Match::Outside);
        assert_eq!(m.find("/x/pkg/zzz.go"), Match::Outside);
        assert_eq!(m.find(""), Match::Outside);
    }

    #[test]
    fn the_module_cache_escapes_upper_case() {
        let m = matcher(&["Azure/sdk/c.go"]);
        assert_eq!(
            m.find("/go/pkg/mod/github.com/!azure/sdk@v0.1.0/c.go"),
            Match::Found("Azure/sdk/c.go", 3)
        );
    }

    #[test]
    fn equal_suffixes_are_ambiguous() {
        let m = matcher(&["a/pkg/x.go", "b/pkg/x.go"]);
        assert_eq!(
            m.find("/build/pkg/x.go"),
            Match::Ambiguous(vec!["a/pkg/x.go", "b/pkg/x.go"])
        );
        assert_eq!(m.find("/build/b/pkg/x.go"), Match::Found("b/pkg/x.go", 3));
    }

    #[test]
    fn the_file_name_alone_is_not_enough_below_the_top() {
        let m = matcher(&["pkg/transport.go"]);
        assert_eq!(
            m.find("/usr/local/go/src/net/http/transport.go"),
            Match::Outside
        );
    }
}
