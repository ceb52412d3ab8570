//! The pull-request title and commit subject, in the `area: description` form most Go projects
//! ask for (`storage/remote: fix goroutine leaks in queue manager tests`): the directory all
//! fixed files share, then what was fixed. `--title` replaces it.
//!
//! File names come from the repository: the title has its control characters escaped (see
//! `escape::for_terminal`), so it stays one line wherever it goes (a commit subject, a JSON
//! string, `gh pr create --title`).

use crate::engine::FileOutcome;
use crate::escape;

/// The title for the fixes of `outcomes`.
pub fn derived(outcomes: &[&FileOutcome]) -> String {
    let paths: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.fixed.is_some())
        .map(|o| o.source.display_path.as_str())
        .collect();
    let fixes: usize = outcomes.iter().map(|o| o.applied.len()).sum();
    let what = if fixes == 1 {
        "fix a goroutine leak"
    } else {
        "fix goroutine leaks"
    };
    let place = match paths.as_slice() {
        [one] => Some(file_words(one)),
        _ if !paths.is_empty() && paths.iter().all(|p| is_test_file(p)) => Some("tests".into()),
        _ => None,
    };
    let description = match place {
        Some(place) => format!("{what} in {place}"),
        None => what.to_string(),
    };
    let title = match common_directory(&paths) {
        Some(area) => format!("{area}: {description}"),
        None => capitalised(&description),
    };
    escape::for_terminal(&title).into_owned()
}

/// Whether `path` is Go test code (`_test.go`), which `go build` leaves out.
pub fn is_test_file(path: &str) -> bool {
    path.ends_with("_test.go")
}

/// `queue_manager_test.go` as `queue manager tests`, `client.go` as `client`.
fn file_words(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.strip_suffix(".go").unwrap_or(name);
    let (stem, test) = match stem.strip_suffix("_test") {
        Some(stem) => (stem, true),
        None => (stem, false),
    };
    let words = stem.replace(['_', '-'], " ");
    if test {
        format!("{words} tests")
    } else {
        words
    }
}

/// The longest directory every path is in, `None` when they share none (or are at the top).
fn common_directory(paths: &[&str]) -> Option<String> {
    let mut common: Option<Vec<&str>> = None;
    for path in paths {
        let directories: Vec<&str> = path
            .split('/')
            .collect::<Vec<_>>()
            .split_last()
            .map(|(_, dirs)| dirs.to_vec())
            .unwrap_or_default();
        common = Some(match common {
            None => directories,
            Some(common) => common
                .iter()
                .zip(&directories)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    let common: Vec<&str> = common?
        .into_iter()
        .filter(|part| !part.is_empty() && *part != "." && *part != "..")
        .collect();
    (!common.is_empty()).then(|| common.join("/"))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_directory_and_the_file_name_the_title() {
        assert_eq!(
            common_directory(&["storage/remote/a.go", "storage/remote/b/c.go"]),
            Some("storage/remote".into())
        );
        assert_eq!(common_directory(&["a.go", "b/c.go"]), None);
        assert_eq!(
            file_words("storage/remote/queue_manager_test.go"),
            "queue manager tests"
        );
        assert_eq!(file_words("client.go"), "client");
    }

    #[test]
    fn a_title_names_the_area_and_what_was_fixed() {
        use crate::codemods::REGISTRY;
        use crate::engine::{Settings, process_package};
        use crate::source::SourceFile;
        let leak = "package remote\n\nimport \"time\"\n\nfunc f() int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn 0\n\t}\n}\n";
        let two = format!(
            "{leak}\nfunc g() int {{\n{}",
            leak.split_once("func f() int {\n").unwrap().1
        );
        let outcomes = process_package(
            &mut crate::syntax::go_parser(),
            vec![SourceFile::new(
                "storage/remote/queue_manager_test.go".into(),
                "storage/remote/queue_manager_test.go".into(),
                two,
            )],
            &Settings::new(REGISTRY.to_vec(), false),
        );
        let outcomes: Vec<&FileOutcome> = outcomes.iter().collect();
        assert_eq!(
            derived(&outcomes),
            "storage/remote: fix goroutine leaks in queue manager tests"
        );
    }
}
