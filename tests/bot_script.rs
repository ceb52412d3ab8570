//! The README's bot script ("Use in a bot"), run as written: extracted from README.md and run
//! by `sh` in a clone with a CODEOWNERS file of three owners, a bare `origin`, the real `git`
//! and `jq`, and a stand-in for GitHub's `gh` that records what it is asked. The nightly runs
//! it describes must open one pull request per owner, then do nothing when nothing changed,
//! then update the same pull requests after an unrelated upstream commit.

use crate::common;

use common::LEAKY;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The README's script: the ```sh block that starts with `#!/bin/sh`.
fn readme_script() -> String {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("```sh\n#!/bin/sh\n")
        .expect("the README's bot script")
        + "```sh\n".len();
    let end = start + readme[start..].find("```\n").unwrap();
    readme[start..end].to_string()
}

/// A `gh` that logs each call to `$GH_LOG` (one line, words separated by `|`) and knows a pull
/// request exists once it has created it (`$GH_STATE/<branch with / as ->`).
const FAKE_GH: &str = r#"#!/bin/sh
printf '%s|' "$@" >> "$GH_LOG"
echo >> "$GH_LOG"
state="$GH_STATE/$(printf '%s' "$3" | tr / -)"
case "$1 $2" in
"pr view") [ -e "$state" ] ;;
"pr create") touch "$GH_STATE/$(printf '%s' "$4" | tr / -)" ;;
"pr edit") [ -e "$state" ] ;;
*) exit 3 ;;
esac
"#;

struct Setup {
    home: tempfile::TempDir,
}

impl Setup {
    fn repo(&self) -> PathBuf {
        self.home.path().join("repo")
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let output = self.command("git", dir).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn command(&self, program: &str, dir: &Path) -> Command {
        let home = self.home.path();
        let bin = Path::new(env!("CARGO_BIN_EXE_goleak-fix"))
            .parent()
            .unwrap();
        let mut command = Command::new(program);
        command
            .current_dir(dir)
            .env(
                "PATH",
                format!(
                    "{}:{}:{}",
                    home.join("bin").display(),
                    bin.display(),
                    std::env::var("PATH").unwrap()
                ),
            )
            .env("HOME", home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CEILING_DIRECTORIES", home)
            .env("GH_LOG", home.join("gh.log"))
            .env("GH_STATE", home.join("gh-state"))
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE");
        command
    }

    fn run_script(&self) -> Output {
        self.command("sh", &self.repo())
            .arg(self.home.path().join("nightly.sh"))
            .output()
            .unwrap()
    }

    fn gh_log(&self) -> Vec<String> {
        fs::read_to_string(self.home.path().join("gh.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// `refs/heads/goleak-fix/...` of origin, with their commits.
    fn origin_branches(&self) -> String {
        self.git(
            &self.home.path().join("origin.git"),
            &[
                "for-each-ref",
                "--format=%(refname) %(objectname)",
                "refs/heads/goleak-fix/",
            ],
        )
    }
}

fn setup() -> Setup {
    assert!(
        Command::new("jq").arg("--version").output().is_ok(),
        "the README's bot script needs jq (.ci/run installs it)"
    );
    let setup = Setup {
        home: tempfile::tempdir().unwrap(),
    };
    let home = setup.home.path();
    fs::create_dir(home.join("bin")).unwrap();
    fs::create_dir(home.join("gh-state")).unwrap();
    fs::write(home.join("bin/gh"), FAKE_GH).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(home.join("bin/gh"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(home.join("nightly.sh"), readme_script()).unwrap();

    setup.git(home, &["init", "-q", "--bare", "-b", "main", "origin.git"]);
    let repo = setup.repo();
    for (path, text) in [
        (
            ".github/CODEOWNERS",
            "*  @org/core\n/storage/ @org/storage\n/web/ @org/web\n/tools/ @alice\n".to_string(),
        ),
        ("storage/remote/a.go", LEAKY.to_string()),
        ("web/b.go", LEAKY.replace("fetch", "fetchB")),
        ("tools/d.go", LEAKY.replace("fetch", "fetchD")),
    ] {
        let path = repo.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    setup.git(home, &["init", "-q", "-b", "main", "repo"]);
    for args in [
        &["config", "user.name", "Nightly Bot"][..],
        &["config", "user.email", "bot@example.com"],
        &["add", "-A"],
        &["commit", "-qm", "initial"],
        &["remote", "add", "origin", "../origin.git"],
        &["push", "-q", "origin", "main"],
    ] {
        setup.git(&repo, args);
    }
    setup
}

#[test]
fn the_readme_bot_script_opens_one_pull_request_per_owner_and_updates_them_in_place() {
    let setup = setup();
    let succeeded = |output: &Output| {
        assert!(
            output.status.success(),
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    };
    succeeded(&setup.run_script());
    let branches = setup.origin_branches();
    assert_eq!(branches.lines().count(), 3, "{branches}");
    let log = setup.gh_log();
    let creates: Vec<Vec<&str>> = log
        .iter()
        .filter(|line| line.starts_with("pr|create|"))
        .map(|line| line.split('|').collect())
        .collect();
    assert_eq!(creates.len(), 3, "{log:#?}");
    let mut titles: Vec<&str> = Vec::new();
    for words in &creates {
        // pr create --head BRANCH --title TITLE --body-file FILE
        assert_eq!(
            (words[2], words[4], words[6]),
            ("--head", "--title", "--body-file"),
            "{words:?}"
        );
        assert!(
            branches.contains(&format!("refs/heads/{} ", words[3])),
            "{} was not pushed: {branches}",
            words[3]
        );
        titles.push(words[5]);
        let body = fs::read_to_string(words[7]).unwrap();
        assert!(
            body.contains("split by CODEOWNERS: these files are owned by `@"),
            "{body}"
        );
        assert!(body.contains("## Reproduce or opt out"), "{body}");
    }
    titles.sort();
    assert_eq!(
        titles,
        [
            "storage/remote: fix a goroutine leak in a",
            "tools: fix a goroutine leak in d",
            "web: fix a goroutine leak in b"
        ]
    );

    // The next night, nothing changed: nothing is pushed, no pull request is touched.
    let calls = setup.gh_log().len();
    succeeded(&setup.run_script());
    assert_eq!(setup.origin_branches(), branches);
    assert_eq!(setup.gh_log().len(), calls, "{:#?}", setup.gh_log());

    // Upstream moves the leaky lines: the same branches are updated, and their pull requests
    // edited, not duplicated.
    let repo = setup.repo();
    let a = repo.join("storage/remote/a.go");
    let shifted = format!("// Package main.\n\n{}", fs::read_to_string(&a).unwrap());
    fs::write(&a, shifted).unwrap();
    setup.git(&repo, &["commit", "-qam", "a comment"]);
    setup.git(&repo, &["push", "-q", "origin", "main"]);
    succeeded(&setup.run_script());
    let after = setup.origin_branches();
    let names = |refs: &str| -> Vec<String> {
        refs.lines()
            .map(|line| line.split(' ').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&after), names(&branches));
    assert_ne!(after, branches, "the branches moved onto the new base");
    let log = setup.gh_log();
    let new_calls: Vec<&String> = log[calls..]
        .iter()
        .filter(|l| !l.starts_with("pr|view|"))
        .collect();
    assert_eq!(new_calls.len(), 3, "{log:#?}");
    assert!(
        new_calls.iter().all(|l| l.starts_with("pr|edit|")),
        "{log:#?}"
    );
}
