//! `--split-by` and `--max-files`: the fixed files cut into shards, one branch, one commit and
//! one pull request each, so that each owner reviews their part of a large change (as Google's
//! large-scale-change tooling shards by OWNERS).
//!
//! A shard is keyed by its owners (`--split-by codeowners`: the owners CODEOWNERS gives each
//! file; files with the same owners go together, unowned files together) or by directory
//! (`--split-by dir`: the file's directory; `dir:N`: its first N directories). Shards come in
//! key order, files in path order; `--max-files N` cuts a shard into parts of at most N files,
//! in that order. The same fixes always give the same shards.

use crate::codeowners::Codeowners;
use crate::engine::FileOutcome;
use std::collections::BTreeMap;

/// How to split the fixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitBy {
    /// By the owners CODEOWNERS gives each file.
    Codeowners,
    /// By directory: the whole directory (`None`), or its first N components.
    Directory(Option<usize>),
}

/// `codeowners`, `dir` or `dir:N` (N at least 1).
pub fn parse_split_by(value: &str) -> Result<SplitBy, String> {
    match value.split_once(':') {
        None if value == "codeowners" => Ok(SplitBy::Codeowners),
        None if value == "dir" => Ok(SplitBy::Directory(None)),
        Some(("dir", depth)) => match depth.parse::<usize>() {
            Ok(depth) if depth > 0 => Ok(SplitBy::Directory(Some(depth))),
            _ => Err("dir:DEPTH needs a DEPTH of 1 or more".into()),
        },
        _ => Err("`codeowners`, `dir` or `dir:DEPTH`".into()),
    }
}

/// One shard: the files that go into one branch.
pub struct Shard<'a> {
    /// What the shard is (`storage/remote`, `@org/team @alice`, `(unowned)`, `(all)`), with a
    /// part number when `--max-files` cut it; for branch names and messages.
    pub key: String,
    /// The owners CODEOWNERS gives its files (empty otherwise).
    pub owners: Vec<String>,
    pub outcomes: Vec<&'a FileOutcome>,
}

/// The outcomes with a fix, in shards. No split and no `--max-files`: one shard of all.
pub fn split<'a>(
    outcomes: &'a [FileOutcome],
    by: Option<&SplitBy>,
    owners: Option<&Codeowners>,
    max_files: Option<usize>,
) -> Vec<Shard<'a>> {
    let mut fixed: Vec<&FileOutcome> = outcomes.iter().filter(|o| o.fixed.is_some()).collect();
    fixed.sort_by(|a, b| a.source.display_path.cmp(&b.source.display_path));
    // Files one fix changes together (`FileOutcome::linked`) are one unit: they go in the same
    // shard and the same part, under the key of the first of them.
    let mut units: Vec<Vec<&FileOutcome>> = Vec::new();
    let mut unit_of: std::collections::HashMap<&std::path::Path, usize> = Default::default();
    for outcome in &fixed {
        let joined = std::iter::once(&outcome.source.path)
            .chain(&outcome.linked)
            .find_map(|path| unit_of.get(path.as_path()).copied());
        let unit = joined.unwrap_or_else(|| {
            units.push(Vec::new());
            units.len() - 1
        });
        units[unit].push(outcome);
        unit_of.insert(outcome.source.path.as_path(), unit);
        for partner in &outcome.linked {
            unit_of.insert(partner.as_path(), unit);
        }
    }
    let mut groups: BTreeMap<(String, Vec<String>), Vec<Vec<&FileOutcome>>> = BTreeMap::new();
    for unit in units {
        let path = unit[0].source.display_path.as_str();
        let (key, file_owners) = match by {
            None => ("(all)".to_string(), Vec::new()),
            Some(SplitBy::Codeowners) => {
                let found = owners.map(|o| o.owners_of(path)).unwrap_or_default();
                let key = if found.is_empty() {
                    "(unowned)".to_string()
                } else {
                    found.join(" ")
                };
                (key, found)
            }
            Some(SplitBy::Directory(depth)) => (directory_key(path, *depth), Vec::new()),
        };
        groups.entry((key, file_owners)).or_default().push(unit);
    }
    let mut shards = Vec::new();
    for ((key, owners), units) in groups {
        let limit = max_files.unwrap_or(usize::MAX).max(1);
        // Parts of at most `limit` files, a unit never cut (a unit larger than that is a part
        // of its own).
        let mut parts: Vec<Vec<&FileOutcome>> = Vec::new();
        for unit in units {
            match parts.last_mut() {
                Some(part) if part.len() + unit.len() <= limit => part.extend(unit),
                _ => parts.push(unit),
            }
        }
        let count = parts.len();
        for (index, mut part) in parts.into_iter().enumerate() {
            part.sort_by(|a, b| a.source.display_path.cmp(&b.source.display_path));
            let key = if count > 1 {
                format!("{key} part {}", index + 1)
            } else {
                key.clone()
            };
            shards.push(Shard {
                key,
                owners: owners.clone(),
                outcomes: part,
            });
        }
    }
    shards
}

/// The file's directory, or its first `depth` directories; `.` at the top.
fn directory_key(path: &str, depth: Option<usize>) -> String {
    let directories: Vec<&str> = match path.rsplit_once('/') {
        Some((directory, _)) => directory.split('/').collect(),
        None => Vec::new(),
    };
    let kept = &directories[..depth.unwrap_or(usize::MAX).min(directories.len())];
    if kept.is_empty() {
        ".".to_string()
    } else {
        kept.join("/")
    }
}

/// `key` as a piece of a branch name: ASCII letters, digits and `_`, every other run of
/// characters as one `-` (owners and directories come from the repository, and `.`, `/`,
/// `~`, `^` or `:` could make an invalid or misleading name), never starting or ending with
/// `-`, at most 60 characters.
pub fn slug(key: &str) -> String {
    let mut slug = String::new();
    for c in key.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.chars().take(60).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "top".to_string()
    } else {
        slug.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_cut_at_the_depth() {
        assert_eq!(directory_key("a/b/c/d.go", None), "a/b/c");
        assert_eq!(directory_key("a/b/c/d.go", Some(2)), "a/b");
        assert_eq!(directory_key("a/d.go", Some(2)), "a");
        assert_eq!(directory_key("d.go", Some(1)), ".");
    }

    #[test]
    fn split_by_is_parsed() {
        assert_eq!(parse_split_by("codeowners"), Ok(SplitBy::Codeowners));
        assert_eq!(parse_split_by("dir"), Ok(SplitBy::Directory(None)));
        assert_eq!(parse_split_by("dir:2"), Ok(SplitBy::Directory(Some(2))));
        assert!(parse_split_by("dir:0").is_err());
        assert!(parse_split_by("owners").is_err());
    }

    #[test]
    fn slugs_are_safe_branch_name_pieces() {
        assert_eq!(slug("@org/team-a @alice"), "org-team-a-alice");
        assert_eq!(slug("storage/remote part 2"), "storage-remote-part-2");
        assert_eq!(slug("(unowned)"), "unowned");
        assert_eq!(slug("../.."), "top");
        assert_eq!(slug("a..b\n~^:"), "a-b");
        assert_eq!(slug("@evil/../../x y;rm"), "evil-x-y-rm");
    }

    #[test]
    fn files_one_fix_changes_stay_in_one_shard_and_one_part() {
        use crate::engine::FileOutcome;
        use crate::source::SourceFile;
        let outcome = |path: &str, linked: &[&str]| {
            let source = SourceFile::new(path.into(), path.into(), "package p\n".into());
            let mut outcome = FileOutcome::untouched(source, true);
            outcome.fixed = Some("package q\n".into());
            outcome.linked = linked.iter().map(std::path::PathBuf::from).collect();
            outcome
        };
        let outcomes = vec![
            outcome("a/x.go", &[]),
            outcome("b/a.go", &["c/z.go"]),
            outcome("b/y.go", &[]),
            outcome("c/z.go", &["b/a.go"]),
        ];
        let paths = |shards: &[Shard]| -> Vec<Vec<String>> {
            shards
                .iter()
                .map(|s| {
                    s.outcomes
                        .iter()
                        .map(|o| o.source.display_path.clone())
                        .collect()
                })
                .collect()
        };
        // By directory: z.go goes with a.go, under b/, its unit's first file.
        let shards = split(&outcomes, Some(&SplitBy::Directory(None)), None, None);
        assert_eq!(
            paths(&shards),
            [vec!["a/x.go"], vec!["b/a.go", "b/y.go", "c/z.go"]]
        );
        // Parts of two files never cut the unit.
        let shards = split(&outcomes, None, None, Some(2));
        assert_eq!(
            paths(&shards),
            [vec!["a/x.go"], vec!["b/a.go", "c/z.go"], vec!["b/y.go"]]
        );
    }
}
