//! `--commit`: the fixes as one commit on a new branch, made from the files as committed at
//! `HEAD`, without touching the working tree, the index or the current branch.
//!
//! Everything goes through git's object database. The Go files under the given paths are read
//! as blobs of `HEAD`'s tree, so uncommitted edits are never mixed into the commit; they are
//! fixed in memory, the fixed texts are written as new blobs, and a tree is built from
//! `HEAD`'s with just those entries replaced. The commit has `HEAD` as its only parent, and a
//! new branch points at it. No reference but that branch is written: `HEAD` stays where it is,
//! and the index and the files on disk are never opened for writing.
//!
//! A worked example. In a clone whose `HEAD` is `main` at `1a2b3c`, `goleak-fix --commit
//! svc/...` run from the top directory reads `svc/a.go` and `svc/b.go` from `1a2b3c`'s tree
//! (whatever the working tree holds), finds a leak in `svc/a.go`, writes the fixed text as a
//! blob, builds a tree equal to `1a2b3c`'s but for the entry `svc/a.go`, commits it with parent
//! `1a2b3c`, and creates `refs/heads/goleak-fix/<hash>` pointing at that commit. Then
//! `git diff main..goleak-fix/<hash>` shows exactly the fix, and `git status` shows what it
//! showed before.
//!
//! Which files: the same as a walk of the working tree (see `walk`): `.go` files under the
//! paths, skipping `vendor/`, `testdata/`, directories starting with `.` or `_`, hidden files,
//! the `exclude` patterns of `goleak-fix.toml`, and generated files. Files git ignores are not
//! in a commit unless someone forced them in, and then they are committed code like any other.
//! Symbolic links and submodules are not followed. Paths in findings, diffs and the commit
//! are relative to the repository's top directory, since they name entries of the commit.

use crate::config::Exclude;
use crate::engine::FileOutcome;
use crate::escape;
use crate::interrupt;
use crate::report::{BranchStatus, CommitRecord};
use crate::source::{self, SourceFile};
use crate::walk::{self, FileError};
use git2::{
    BranchType, ErrorCode, FileMode, ObjectType, Oid, Repository, RepositoryOpenFlags, Signature,
    Tree,
};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// Who the commit is by when the repository's configuration names nobody
/// (`user.name` / `user.email`).
const FALLBACK_NAME: &str = "goleak-fix";
const FALLBACK_EMAIL: &str = "goleak-fix@localhost";

/// Why `--commit` cannot go ahead. Each is found before anything is written.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error("{0}: not in a git repository; --commit needs one")]
    NotARepository(String),
    #[error(
        "{0}: a bare repository (no working tree); run --commit in a clone with a working tree"
    )]
    Bare(String),
    #[error("HEAD is detached; --commit builds on the current branch, so check out a branch first")]
    DetachedHead,
    #[error("HEAD is branch `{0}`, which has no commit yet; --commit needs a commit to build on")]
    UnbornHead(String),
    #[error("{path}: outside the repository {repository}")]
    OutsideRepository { path: String, repository: String },
    #[error("{0}: not in the HEAD commit (--commit reads committed files only)")]
    NotInHead(String),
    #[error("{0}: not a .go file or a directory in the HEAD commit")]
    NotGo(String),
    #[error("`{0}` is not a valid branch name")]
    InvalidBranchName(String),
    #[error(
        "branch `{0}` already exists; name another with --branch, or pass --force-branch to reset it"
    )]
    BranchExists(String),
    #[error(
        "branch `{0}` is the current branch; --force-branch does not reset the branch HEAD is on"
    )]
    CurrentBranch(String),
    #[error(
        "branch `{0}` is checked out in the worktree {1}; --force-branch does not reset a branch a worktree is on"
    )]
    CheckedOutElsewhere(String, String),
    #[error("the commit message is empty")]
    EmptyMessage,
    #[error("{context}: {}", source.message())]
    Git {
        context: String,
        source: git2::Error,
    },
}

fn git(context: impl Into<String>) -> impl FnOnce(git2::Error) -> CommitError {
    let context = context.into();
    move |source| CommitError::Git { context, source }
}

/// What the branch should be and say.
pub struct BranchRequest {
    /// The branch's name; `None` for `goleak-fix/<hash of the change>`.
    pub name: Option<String>,
    /// Reset the branch if it exists.
    pub force: bool,
    /// The commit message (see `default_message`).
    pub message: String,
    /// End the message with `Signed-off-by:` and the committer (`--signoff`, for projects
    /// that require the DCO).
    pub signoff: bool,
}

/// A non-bare repository whose `HEAD` is a branch with a commit, and what of it to scan.
pub struct HeadCommit {
    repository: Repository,
    /// The working tree's top directory, symbolic links resolved.
    top: PathBuf,
    head: Oid,
    /// What the paths name, relative to `top`.
    selections: Vec<Selection>,
}

enum Selection {
    /// One `.go` file named on the command line: taken as it is, like `walk` takes it.
    File(String),
    /// A directory (`""` for the top), walked with the skip rules.
    Directory(String),
}

impl HeadCommit {
    /// Finds the repository enclosing the first of `paths` and checks that `--commit` can
    /// work there: not bare, `HEAD` on a branch that has a commit, every path inside the
    /// repository and in that commit.
    pub fn open(paths: &[String]) -> Result<Self, CommitError> {
        let cwd = std::env::current_dir()
            .and_then(std::fs::canonicalize)
            .map_err(|error| CommitError::NotARepository(format!(".: {error}")))?;
        let first = paths
            .first()
            .map_or(".", |path| walk::strip_go_pattern(path));
        let start = cwd.join(first);
        let start = if start.is_dir() {
            start
        } else {
            start
                .parent()
                .filter(|parent| parent.is_dir())
                .map_or_else(|| cwd.clone(), Path::to_path_buf)
        };
        let repository = Repository::open_ext(
            &start,
            RepositoryOpenFlags::FROM_ENV,
            &[] as &[&std::ffi::OsStr],
        )
        .map_err(|error| match error.code() {
            ErrorCode::NotFound => CommitError::NotARepository(start.display().to_string()),
            _ => git(format!("{}: cannot open the repository", start.display()))(error),
        })?;
        let Some(workdir) = repository.workdir().filter(|_| !repository.is_bare()) else {
            return Err(CommitError::Bare(repository.path().display().to_string()));
        };
        let top = std::fs::canonicalize(workdir).map_err(|error| {
            CommitError::NotARepository(format!("{}: {error}", workdir.display()))
        })?;
        let head = head_commit(&repository)?;
        let tree = repository
            .find_commit(head)
            .and_then(|commit| commit.tree())
            .map_err(git("cannot read the HEAD commit"))?;
        let default = [".".to_string()];
        let arguments = if paths.is_empty() {
            &default[..]
        } else {
            paths
        };
        let selections = arguments
            .iter()
            .map(|argument| select(&tree, &top, &cwd, argument))
            .collect::<Result<Vec<_>, _>>()?;
        drop(tree);
        Ok(HeadCommit {
            repository,
            top,
            head,
            selections,
        })
    }

    /// The working tree's top directory (symbolic links resolved): where the paths of the
    /// files read from `HEAD` start.
    pub fn top(&self) -> &Path {
        &self.top
    }

    /// The Go files the paths name, as committed at `HEAD`, grouped by package directory; and
    /// the files that could not be read (not UTF-8), which are skipped.
    pub fn go_packages(
        &self,
        exclude: Option<&Exclude>,
        max_file_size: u64,
    ) -> Result<(Vec<Vec<SourceFile>>, Vec<FileError>), CommitError> {
        let head_tree = self.head_tree()?;
        let mut files: BTreeMap<String, Oid> = BTreeMap::new();
        let mut errors = Vec::new();
        for selection in &self.selections {
            match selection {
                Selection::File(path) => {
                    let entry = head_tree
                        .get_path(Path::new(path))
                        .map_err(git(format!("{path}: cannot read it from HEAD")))?;
                    files.insert(path.clone(), entry.id());
                }
                Selection::Directory(directory) => {
                    let tree = if directory.is_empty() {
                        head_tree.clone()
                    } else {
                        let entry = head_tree
                            .get_path(Path::new(directory))
                            .map_err(git(format!("{directory}: cannot read it from HEAD")))?;
                        self.repository
                            .find_tree(entry.id())
                            .map_err(git(format!("{directory}: cannot read it from HEAD")))?
                    };
                    let mut walk = TreeWalk {
                        repository: &self.repository,
                        top: &self.top,
                        exclude,
                        files: &mut files,
                        errors: &mut errors,
                    };
                    walk.directory(&tree, directory)?;
                }
            }
        }
        let mut packages: BTreeMap<String, Vec<SourceFile>> = BTreeMap::new();
        for (path, id) in files {
            let blob = match self.repository.find_blob(id) {
                Ok(blob) => blob,
                // A partial clone fetches blobs when they are needed, which libgit2 cannot:
                // the file is skipped, and the rest of the run goes on.
                Err(error) if error.code() == ErrorCode::NotFound => {
                    errors.push(missing_object(path, id));
                    continue;
                }
                Err(error) => return Err(git(format!("{path}: cannot read it from HEAD"))(error)),
            };
            match source::check_size(blob.size() as u64, max_file_size, blob.content()) {
                source::SizeCheck::Fits => {}
                source::SizeCheck::Generated => continue,
                source::SizeCheck::TooLarge(reason) => {
                    errors.push(FileError { path, reason });
                    continue;
                }
            }
            match source::go_text(blob.content().to_vec()) {
                Ok(text) => {
                    let directory = path.rsplit_once('/').map_or("", |(dir, _)| dir);
                    packages
                        .entry(directory.to_string())
                        .or_default()
                        .push(SourceFile::new(PathBuf::from(&path), path.clone(), text));
                }
                Err(reason) => errors.push(FileError { path, reason }),
            }
        }
        Ok((packages.into_values().collect(), errors))
    }

    /// Commits the fixed files on top of `HEAD` and points the branch at the commit. `None`
    /// when there is nothing to commit (no branch is made).
    ///
    /// Each object and the branch are written under an `interrupt::write_guard`: a SIGINT or
    /// SIGTERM (once `interrupt::install`ed) waits until libgit2 has renamed its temp or lock
    /// file into place, then ends the run. What was written by then is whole; objects that no
    /// branch reaches yet are git's ordinary garbage, which `git gc` prunes.
    pub fn commit_fixes(
        &self,
        outcomes: &[FileOutcome],
        request: &BranchRequest,
    ) -> Result<Option<CommitRecord>, CommitError> {
        let outcomes: Vec<&FileOutcome> = outcomes.iter().collect();
        self.commit_some(&outcomes, request, &|| {})
    }

    /// `commit_fixes`, calling `mid_write` in the middle of writing each fixed file's object,
    /// while libgit2's temp file for it exists: where the test of an interrupted `--commit`
    /// delivers its signal.
    pub fn commit_fixes_with(
        &self,
        outcomes: &[FileOutcome],
        request: &BranchRequest,
        mid_write: &dyn Fn(),
    ) -> Result<Option<CommitRecord>, CommitError> {
        let outcomes: Vec<&FileOutcome> = outcomes.iter().collect();
        self.commit_some(&outcomes, request, mid_write)
    }

    /// Commits the fixes of `outcomes` (one shard's files, or all of them) on top of `HEAD`.
    ///
    /// With `request.force`, a branch that already holds exactly the fixed tree is left where
    /// it is and no commit is made (`BranchStatus::Unchanged`): a nightly run that finds the
    /// same leaks on an unchanged base has nothing to push.
    pub fn commit_some(
        &self,
        outcomes: &[&FileOutcome],
        request: &BranchRequest,
        mid_write: &dyn Fn(),
    ) -> Result<Option<CommitRecord>, CommitError> {
        let changed: Vec<(&FileOutcome, &String)> = outcomes
            .iter()
            .filter_map(|outcome| outcome.fixed.as_ref().map(|fixed| (*outcome, fixed)))
            .collect();
        if changed.is_empty() {
            return Ok(None);
        }
        let signature = self
            .repository
            .signature()
            .or_else(|_| Signature::now(FALLBACK_NAME, FALLBACK_EMAIL))
            .map_err(git("cannot make the commit's signature"))?;
        let message = if request.signoff {
            with_signoff(&request.message, &signature)
        } else {
            request.message.clone()
        };
        let message = git2::message_prettify(message.as_str(), None)
            .map_err(git("cannot use the commit message"))?;
        if message.trim().is_empty() {
            return Err(CommitError::EmptyMessage);
        }
        let name = match &request.name {
            Some(name) => name.clone(),
            None => default_branch_name(&changed)?,
        };
        let existing = self.check_branch(&name, request.force)?;

        let head_tree = self.head_tree()?;
        let mut update = git2::build::TreeUpdateBuilder::new();
        for (outcome, fixed) in &changed {
            let path = &outcome.source.display_path;
            let mode = head_tree
                .get_path(Path::new(path))
                .map_err(git(format!("{path}: cannot read it from HEAD")))?
                .filemode();
            let mode = if mode == i32::from(FileMode::BlobExecutable) {
                FileMode::BlobExecutable
            } else {
                FileMode::Blob
            };
            let blob = self
                .write_blob(fixed.as_bytes(), mid_write)
                .map_err(git(format!("{path}: cannot store the fixed file")))?;
            update.upsert(path.as_str(), blob, mode);
        }
        let tree = guarded(|| update.create_updated(&self.repository, &head_tree))
            .and_then(|id| self.repository.find_tree(id))
            .map_err(git("cannot build the fixed tree"))?;
        let files = changed
            .iter()
            .map(|(outcome, _)| outcome.source.display_path.clone())
            .collect();
        let record = |sha: Oid, status| CommitRecord {
            branch: name.clone(),
            sha: sha.to_string(),
            files,
            owners: Vec::new(),
            status,
            title: String::new(),
            pr_body: None,
        };
        if let Some(existing) = &existing
            && existing.tree_id() == tree.id()
        {
            return Ok(Some(record(existing.id(), BranchStatus::Unchanged)));
        }
        let parent = self
            .repository
            .find_commit(self.head)
            .map_err(git("cannot read the HEAD commit"))?;
        let commit = guarded(|| {
            self.repository
                .commit(None, &signature, &signature, &message, &tree, &[&parent])
        })
        .and_then(|id| self.repository.find_commit(id))
        .map_err(git("cannot create the commit"))?;
        guarded(|| self.repository.branch(&name, &commit, request.force)).map_err(|error| {
            match error.code() {
                ErrorCode::Exists => CommitError::BranchExists(name.clone()),
                _ => git(format!("cannot create branch `{name}`"))(error),
            }
        })?;
        let status = if existing.is_some() {
            BranchStatus::Updated
        } else {
            BranchStatus::Created
        };
        Ok(Some(record(commit.id(), status)))
    }

    /// The branch `request` names, or the default name for the fixes of `outcomes`, checked
    /// as `commit_some` checks it (valid; free, unless forced and not checked out), before
    /// anything is written.
    pub fn branch_name(
        &self,
        outcomes: &[&FileOutcome],
        request: &BranchRequest,
    ) -> Result<String, CommitError> {
        let changed: Vec<(&FileOutcome, &String)> = outcomes
            .iter()
            .filter_map(|outcome| outcome.fixed.as_ref().map(|fixed| (*outcome, fixed)))
            .collect();
        let name = match &request.name {
            Some(name) => name.clone(),
            None => default_branch_name(&changed)?,
        };
        self.check_branch(&name, request.force)?;
        Ok(name)
    }

    /// The commit `HEAD` is on: what every shard's branch starts from, and what permalinks in
    /// the pull-request body point into.
    pub fn head_id(&self) -> String {
        self.head.to_string()
    }

    /// A regular file of `HEAD`'s tree at `path` (relative to the top directory), at most
    /// `limit` bytes: `None` when there is nothing there; an error naming it when it is a
    /// symbolic link, a submodule, a directory or larger. Repository files the run reads
    /// for itself (CODEOWNERS, the pull-request template) go through here, so a link can
    /// never lead the read out of the commit.
    pub fn read_regular_file(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
        let tree = self.head_tree().map_err(|error| error.to_string())?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(entry) => entry,
            Err(error) if error.code() == ErrorCode::NotFound => return Ok(None),
            Err(error) => return Err(format!("cannot read it from HEAD: {}", error.message())),
        };
        if entry.kind() != Some(ObjectType::Blob) || !is_regular_file(entry.filemode()) {
            return Err("not a regular file in HEAD (a symbolic link, a submodule or a directory); not read".into());
        }
        let blob = self
            .repository
            .find_blob(entry.id())
            .map_err(|error| format!("cannot read it from HEAD: {}", error.message()))?;
        if blob.size() as u64 > limit {
            return Err(format!(
                "{} bytes, over the limit of {limit}; not read",
                blob.size()
            ));
        }
        Ok(Some(blob.content().to_vec()))
    }

    /// Writes `bytes` as a blob, in two halves through an object stream (the same object as
    /// `Repository::blob` makes), with `mid_write` called in between.
    fn write_blob(&self, bytes: &[u8], mid_write: &dyn Fn()) -> Result<Oid, git2::Error> {
        guarded(|| {
            let odb = self.repository.odb()?;
            let mut writer = odb.writer(bytes.len(), ObjectType::Blob)?;
            let (first, second) = bytes.split_at(bytes.len() / 2);
            let io = |error: std::io::Error| git2::Error::from_str(&error.to_string());
            writer.write_all(first).map_err(io)?;
            mid_write();
            writer.write_all(second).map_err(io)?;
            writer.finalize()
        })
    }

    fn head_tree(&self) -> Result<Tree<'_>, CommitError> {
        self.repository
            .find_commit(self.head)
            .and_then(|commit| commit.tree())
            .map_err(git("cannot read the HEAD commit"))
    }

    /// The linked worktree (its path, escaped for the terminal) whose `HEAD` is on branch
    /// `name`, if any.
    fn worktree_on(&self, name: &str) -> Result<Option<String>, CommitError> {
        let reference = format!("refs/heads/{name}");
        let names = self
            .repository
            .worktrees()
            .map_err(git("cannot list the repository's worktrees".to_string()))?;
        for worktree_name in names.iter() {
            // A name that is not UTF-8 cannot be looked up: rather than guess, refuse to force.
            let Ok(Some(worktree_name)) = worktree_name else {
                return Ok(Some("(a worktree whose name is not UTF-8)".to_string()));
            };
            let Ok(worktree) = self.repository.find_worktree(worktree_name) else {
                continue;
            };
            // A worktree whose directory is gone (prunable) has no files to disturb.
            let Ok(repository) = Repository::open_from_worktree(&worktree) else {
                continue;
            };
            let on_branch = repository
                .find_reference("HEAD")
                .ok()
                .and_then(|head| {
                    head.symbolic_target()
                        .ok()
                        .flatten()
                        .map(|t| t == reference)
                })
                .unwrap_or(false);
            if on_branch {
                let path = crate::escape::path(worktree.path());
                return Ok(Some(path));
            }
        }
        Ok(None)
    }

    /// The name must be valid, and free unless `force` (and never the current branch, nor one
    /// a linked worktree is on). The commit the branch is on, when it exists.
    fn check_branch(
        &self,
        name: &str,
        force: bool,
    ) -> Result<Option<git2::Commit<'_>>, CommitError> {
        if !git2::Branch::name_is_valid(name).unwrap_or(false) {
            return Err(CommitError::InvalidBranchName(name.to_string()));
        }
        match self.repository.find_branch(name, BranchType::Local) {
            Ok(branch) if branch.is_head() => Err(CommitError::CurrentBranch(name.to_string())),
            Ok(branch) if force => match self.worktree_on(name)? {
                // Resetting it would move the files under that worktree's feet.
                Some(path) => Err(CommitError::CheckedOutElsewhere(name.to_string(), path)),
                None => branch
                    .get()
                    .peel_to_commit()
                    .map(Some)
                    .map_err(git(format!("cannot read branch `{name}`"))),
            },
            Ok(_) => Err(CommitError::BranchExists(name.to_string())),
            Err(error) if error.code() == ErrorCode::NotFound => Ok(None),
            Err(error) => Err(git(format!("cannot look up branch `{name}`"))(error)),
        }
    }
}

/// Runs one write to the repository with SIGINT and SIGTERM held off until it is done (see
/// `interrupt`): libgit2's temp and lock files are renamed into place or removed by then.
fn guarded<T>(write: impl FnOnce() -> T) -> T {
    let _guard = interrupt::write_guard();
    write()
}

/// The commit `HEAD` is on, if `HEAD` is a branch that has one.
fn head_commit(repository: &Repository) -> Result<Oid, CommitError> {
    let head = match repository.head() {
        Ok(head) => head,
        Err(error) if error.code() == ErrorCode::UnbornBranch => {
            let branch = repository
                .find_reference("HEAD")
                .ok()
                .and_then(|head| head.symbolic_target().ok().flatten().map(str::to_string))
                .map(|target| {
                    target
                        .strip_prefix("refs/heads/")
                        .unwrap_or(&target)
                        .to_string()
                })
                .unwrap_or_default();
            return Err(CommitError::UnbornHead(branch));
        }
        Err(error) => return Err(git("cannot read HEAD")(error)),
    };
    // A detached `HEAD` reads as a direct reference named `HEAD`, not a branch.
    if !head.is_branch() {
        return Err(CommitError::DetachedHead);
    }
    head.peel_to_commit()
        .map(|commit| commit.id())
        .map_err(git("cannot read the HEAD commit"))
}

/// What `argument` names in `HEAD`'s tree, relative to the top directory.
fn select(tree: &Tree, top: &Path, cwd: &Path, argument: &str) -> Result<Selection, CommitError> {
    let outside = || CommitError::OutsideRepository {
        path: argument.to_string(),
        repository: top.display().to_string(),
    };
    let absolute = cwd.join(walk::strip_go_pattern(argument));
    // A path deleted from the working tree may still be committed: fall back to the words.
    let resolved = std::fs::canonicalize(&absolute).unwrap_or_else(|_| normalise(&absolute));
    let relative = resolved.strip_prefix(top).map_err(|_| outside())?;
    let mut parts = Vec::new();
    for component in relative.components() {
        match component.as_os_str().to_str() {
            Some(part) => parts.push(part),
            None => return Err(CommitError::NotInHead(argument.to_string())),
        }
    }
    let path = parts.join("/");
    if path.is_empty() {
        return Ok(Selection::Directory(path));
    }
    if parts.first() == Some(&".git") {
        return Err(outside());
    }
    let entry = tree
        .get_path(Path::new(&path))
        .map_err(|_| CommitError::NotInHead(argument.to_string()))?;
    match entry.kind() {
        Some(ObjectType::Tree) => Ok(Selection::Directory(path)),
        Some(ObjectType::Blob) if path.ends_with(".go") && is_regular_file(entry.filemode()) => {
            Ok(Selection::File(path))
        }
        _ => Err(CommitError::NotGo(argument.to_string())),
    }
}

/// `a/./b/../c` as `a/c`, without asking the file system.
fn normalise(path: &Path) -> PathBuf {
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

fn is_regular_file(mode: i32) -> bool {
    mode == i32::from(FileMode::Blob) || mode == i32::from(FileMode::BlobExecutable)
}

/// A file or directory of `HEAD` whose object is not in the repository (a partial clone, or a
/// damaged one): skipped, with its object named so that it can be fetched.
fn missing_object(path: String, id: Oid) -> FileError {
    FileError {
        path,
        reason: format!("partial clone? object {id} missing; skipped"),
    }
}

/// A walk of a committed directory with the skip rules of `walk`.
struct TreeWalk<'w> {
    repository: &'w Repository,
    top: &'w Path,
    exclude: Option<&'w Exclude>,
    files: &'w mut BTreeMap<String, Oid>,
    errors: &'w mut Vec<FileError>,
}

impl TreeWalk<'_> {
    fn directory(&mut self, tree: &Tree, directory: &str) -> Result<(), CommitError> {
        for entry in tree.iter() {
            let join = |name: &str| {
                if directory.is_empty() {
                    name.to_string()
                } else {
                    format!("{directory}/{name}")
                }
            };
            let Ok(name) = entry.name() else {
                self.errors.push(FileError {
                    path: join(&String::from_utf8_lossy(entry.name_bytes())),
                    reason: "its name is not UTF-8; skipped".into(),
                });
                continue;
            };
            let path = join(name);
            match entry.kind() {
                Some(ObjectType::Tree) => {
                    if crate::walk::is_skipped_directory(name) || self.is_excluded(&path, true) {
                        continue;
                    }
                    let subtree = match self.repository.find_tree(entry.id()) {
                        Ok(subtree) => subtree,
                        Err(error) if error.code() == ErrorCode::NotFound => {
                            self.errors
                                .push(missing_object(format!("{path}/"), entry.id()));
                            continue;
                        }
                        Err(error) => {
                            return Err(git(format!("{path}: cannot read it from HEAD"))(error));
                        }
                    };
                    self.directory(&subtree, &path)?;
                }
                Some(ObjectType::Blob)
                    if name.ends_with(".go")
                        && !name.starts_with('.')
                        && is_regular_file(entry.filemode())
                        && !self.is_excluded(&path, false) =>
                {
                    self.files.insert(path, entry.id());
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn is_excluded(&self, path: &str, is_dir: bool) -> bool {
        self.exclude
            .is_some_and(|exclude| exclude.is_excluded(&self.top.join(path), is_dir))
    }
}

/// `goleak-fix/` and the first 8 hex digits of a hash of what is fixed: the sorted set of
/// (file, codemod, enclosing function) of the applied fixes (see `fix_identity`), never where
/// in the file they are. An unrelated upstream commit that moves the fixed lines keeps the
/// name, so a nightly run finds its branch (and `--force-branch` moves it) instead of opening
/// a second pull request for the same leaks.
fn default_branch_name(changed: &[(&FileOutcome, &String)]) -> Result<String, CommitError> {
    let outcomes: Vec<&FileOutcome> = changed.iter().map(|(outcome, _)| *outcome).collect();
    let identity = fix_identity(&outcomes);
    let hash = Oid::hash_object(ObjectType::Blob, identity.as_bytes())
        .map_err(git("cannot hash the change"))?;
    Ok(format!("goleak-fix/{}", &hash.to_string()[..8]))
}

/// What the fixes of `outcomes` fix, one line per distinct (path, codemod, function) in sorted
/// order, NUL-separated fields (no field can hold a NUL: paths and Go names cannot). A fix
/// that answers no finding of the file as read (made possible by an earlier one) is named by
/// its description, which holds no line numbers.
pub fn fix_identity(outcomes: &[&FileOutcome]) -> String {
    let mut identity = std::collections::BTreeSet::new();
    for outcome in outcomes.iter().filter(|o| o.fixed.is_some()) {
        let (answered, unmatched) = crate::outcome::match_applied(outcome);
        let fixed: Vec<&crate::codemods::Finding> = outcome
            .findings
            .iter()
            .zip(&answered)
            .filter(|(_, answered)| **answered)
            .map(|(finding, _)| finding)
            .collect();
        let offsets: Vec<usize> = fixed.iter().map(|f| f.range.start).collect();
        let functions = crate::enclosing::function_names(&outcome.source.text, &offsets);
        for (finding, function) in fixed.iter().zip(functions) {
            identity.insert(format!(
                "{}\0{}\0{}",
                outcome.source.display_path,
                finding.codemod,
                function.unwrap_or_default()
            ));
        }
        for (codemod, description) in unmatched.iter().map(|&i| &outcome.applied[i]) {
            identity.insert(format!(
                "{}\0{codemod}\0\0{description}",
                outcome.source.display_path
            ));
        }
    }
    identity.into_iter().map(|line| line + "\n").collect()
}

/// `message` ending with a `Signed-off-by:` trailer for `signature`, unless it has that very
/// line already.
fn with_signoff(message: &str, signature: &Signature) -> String {
    let trailer = format!(
        "Signed-off-by: {} <{}>",
        signature.name().unwrap_or(FALLBACK_NAME),
        signature.email().unwrap_or(FALLBACK_EMAIL)
    );
    if message.lines().any(|line| line.trim_end() == trailer) {
        return message.to_string();
    }
    let body = message.trim_end();
    // A trailer is part of the last paragraph only if that paragraph is trailers already.
    let last = body.rsplit("\n\n").next().unwrap_or_default();
    let is_trailer = |line: &str| {
        line.split_once(": ").is_some_and(|(key, _)| {
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    };
    let separator = if body.contains("\n\n") && last.lines().all(is_trailer) {
        "\n"
    } else {
        "\n\n"
    };
    format!("{body}{separator}{trailer}\n")
}

/// `title` (see `title::derived`), then one line per fix: `path: codemod: what it does`.
/// The path and the description come from the repository in part (a file name may hold a
/// newline): their control characters are escaped, so each fix is one line and none can add
/// a trailer (`Signed-off-by:`) or a line of its own to the message.
pub fn default_message(title: &str, outcomes: &[&FileOutcome]) -> String {
    let mut message = format!("{}\n\n", escape::for_terminal(title));
    for outcome in outcomes {
        for (codemod, description) in &outcome.applied {
            message.push_str(&format!(
                "{}: {codemod}: {}\n",
                escape::for_terminal(&outcome.source.display_path),
                escape::for_terminal(description)
            ));
        }
    }
    message.push_str(
        "\nMade by goleak-fix; `goleak-fix --explain <codemod>` explains each leak and why its fix is safe.\n",
    );
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_by_their_words() {
        assert_eq!(
            normalise(Path::new("/r/a/./b/../c.go")),
            Path::new("/r/a/c.go")
        );
    }

    #[test]
    fn a_signoff_trailer_is_added_once() {
        let signature = Signature::now("A B", "a@example.com").unwrap();
        let signed = with_signoff("subject\n\nbody line\n", &signature);
        assert_eq!(
            signed,
            "subject\n\nbody line\n\nSigned-off-by: A B <a@example.com>\n"
        );
        assert_eq!(with_signoff(&signed, &signature), signed);
        assert_eq!(
            with_signoff("subject\n\nCo-authored-by: C <c@x>\n", &signature),
            "subject\n\nCo-authored-by: C <c@x>\nSigned-off-by: A B <a@example.com>\n"
        );
    }
}
