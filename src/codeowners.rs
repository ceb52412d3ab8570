//! CODEOWNERS, as GitHub and GitLab read it, for `--split-by codeowners`.
//!
//! Each line is a pattern and its owners (`/storage/ @org/storage @alice`); `#` starts a
//! comment; `\#` and `\ ` escape. Patterns follow gitignore: a leading `/` anchors to the top,
//! a pattern without a slash matches at any depth, a directory matches everything in it, `*`
//! stays within one directory (so `docs/*` owns `docs/a.txt`, not `docs/b/c.txt`), `**` crosses
//! them. The last matching line wins. GitLab's sections (`[Docs]`, `^[Docs][2] @default`) are
//! read as GitLab reads them: the last match wins within each section, and a file's owners are
//! those of every section that matches it (a line with no owners takes its section's
//! defaults). Negations (`!pattern`) are not CODEOWNERS syntax and are skipped.
//!
//! The file is the repository's, so it is hostile input: it is read from the `HEAD` commit
//! (see `commit::HeadCommit::read_regular_file`), must be a regular file (a symbolic link is
//! refused, never followed), at most `MAX_SIZE` bytes (GitHub's own limit) and UTF-8. Owners
//! are kept as the words they are and escaped wherever they are shown.

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Where GitHub and GitLab look, in the order the first found is used.
pub const LOCATIONS: [&str; 4] = [
    ".github/CODEOWNERS",
    ".gitlab/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
];

/// GitHub ignores a CODEOWNERS file over 3 MB.
pub const MAX_SIZE: u64 = 3 * 1024 * 1024;

pub struct Codeowners {
    /// The file read, relative to the top directory.
    pub file: String,
    rules: Vec<Rule>,
}

struct Rule {
    section: usize,
    matcher: Gitignore,
    /// `dir/*`: the files directly in `dir` only, not those of its subdirectories.
    direct_only: bool,
    owners: Vec<String>,
}

impl Codeowners {
    /// Parses `text`, read from `file`.
    pub fn parse(file: &str, text: &str) -> Codeowners {
        let mut rules = Vec::new();
        let mut section = 0;
        let mut section_owners: Vec<String> = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(defaults) = section_header(line) {
                section += 1;
                section_owners = defaults;
                continue;
            }
            let mut words = words(line).into_iter();
            let Some(pattern) = words.next() else {
                continue;
            };
            if pattern.starts_with('!') {
                continue;
            }
            let mut owners: Vec<String> = words.collect();
            if owners.is_empty() {
                owners = section_owners.clone();
            }
            // The words are unescaped; gitignore needs a leading `#` and spaces escaped again.
            let glob = pattern.replace(' ', "\\ ");
            let glob = match glob.strip_prefix('#') {
                Some(rest) => format!("\\#{rest}"),
                None => glob,
            };
            let mut builder = GitignoreBuilder::new("");
            if builder.add_line(None, &glob).is_err() {
                continue;
            }
            let Ok(matcher) = builder.build() else {
                continue;
            };
            rules.push(Rule {
                section,
                matcher,
                direct_only: pattern.ends_with("/*") && !pattern.ends_with("**/*"),
                owners,
            });
        }
        Codeowners {
            file: file.to_string(),
            rules,
        }
    }

    /// The owners of `path` (relative to the top directory, `/`-separated): in each section,
    /// those of the last line that matches it; sorted, each once.
    pub fn owners_of(&self, path: &str) -> Vec<String> {
        let mut owners: Vec<String> = Vec::new();
        let mut sections_done: Vec<usize> = Vec::new();
        for rule in self.rules.iter().rev() {
            if sections_done.contains(&rule.section) || !rule.matches(path) {
                continue;
            }
            sections_done.push(rule.section);
            owners.extend(rule.owners.iter().cloned());
        }
        owners.sort();
        owners.dedup();
        owners
    }
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        if self.direct_only {
            return self.matcher.matched(path, false).is_ignore();
        }
        self.matcher
            .matched_path_or_any_parents(path, false)
            .is_ignore()
    }
}

/// `[Name]`, `^[Name]`, `[Name][2]`, each optionally followed by default owners: the owners.
fn section_header(line: &str) -> Option<Vec<String>> {
    let rest = line.strip_prefix('^').unwrap_or(line);
    let rest = rest.strip_prefix('[')?;
    let (_, rest) = rest.split_once(']')?;
    let rest = match rest.strip_prefix('[') {
        Some(count) => count.split_once(']')?.1,
        None => rest,
    };
    Some(words(rest))
}

/// The line's words: split at white space not escaped by `\`, up to a `#` that starts a word
/// (a comment); `\#` and `\ ` stand for themselves.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next @ ('#' | ' ' | '\t')) => word.push(next),
                Some(next) => {
                    word.push('\\');
                    word.push(next);
                }
                None => word.push('\\'),
            },
            '#' if word.is_empty() => break,
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The CODEOWNERS file of the `HEAD` commit, from the first of `LOCATIONS` that holds one;
/// an error naming the file when it is not a regular file, too large or not UTF-8, or naming
/// the places looked in when there is none.
pub fn at_head(repository: &crate::commit::HeadCommit) -> anyhow::Result<Codeowners> {
    for location in LOCATIONS {
        let bytes = repository
            .read_regular_file(location, MAX_SIZE)
            .map_err(|reason| anyhow::anyhow!("{location}: {reason}"))?;
        if let Some(bytes) = bytes {
            let text = String::from_utf8(bytes)
                .map_err(|_| anyhow::anyhow!("{location}: not UTF-8; not read"))?;
            return Ok(Codeowners::parse(location, &text));
        }
    }
    anyhow::bail!(
        "--split-by codeowners: no CODEOWNERS file in HEAD (looked for {})",
        LOCATIONS.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_match_wins_as_on_github() {
        let owners = Codeowners::parse(
            "CODEOWNERS",
            "# comment\n*       @everyone\n*.go    @gophers # go files\n/docs/* @writers\napps/   @apps\n/build/logs/ @ops\nstorage/remote/queue_test.go @tests\n",
        );
        assert_eq!(owners.owners_of("main.go"), ["@gophers"]);
        assert_eq!(owners.owners_of("README.md"), ["@everyone"]);
        assert_eq!(owners.owners_of("docs/a.md"), ["@writers"]);
        assert_eq!(owners.owners_of("docs/b/c.md"), ["@everyone"]);
        assert_eq!(owners.owners_of("x/apps/y/z.txt"), ["@apps"]);
        assert_eq!(owners.owners_of("build/logs/a/b.txt"), ["@ops"]);
        assert_eq!(owners.owners_of("storage/remote/queue_test.go"), ["@tests"]);
    }

    #[test]
    fn gitlab_sections_each_add_their_last_match() {
        let owners = Codeowners::parse(
            "CODEOWNERS",
            "*.go @gophers\n[Storage] @storage-team\nstorage/\n^[Docs][2] @docs\n*.md\nstorage/a.go @alice\n",
        );
        assert_eq!(
            owners.owners_of("storage/a.go"),
            ["@alice", "@gophers", "@storage-team"]
        );
        assert_eq!(owners.owners_of("storage/b.md"), ["@docs", "@storage-team"]);
    }

    #[test]
    fn escapes_and_negations() {
        let owners = Codeowners::parse("CODEOWNERS", "\\#odd\\ name @a\n!*.go @nobody\n");
        assert_eq!(owners.owners_of("#odd name"), ["@a"]);
        assert!(owners.owners_of("a.go").is_empty());
    }
}
