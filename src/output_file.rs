//! A file a flag names for output (`--pr-body FILE`): checked before the run does anything it
//! cannot take back, then written whole or not at all, and never through a symbolic link.
//!
//! The README's bot recipe writes `--pr-body pr.md` inside the clone it scans. A repository
//! that commits `pr.md` as a symbolic link to `~/.ssh/authorized_keys` must not get the body
//! (which carries text it controls) written there. So an existing symbolic link, directory or
//! anything but a regular file at the path is refused, naming it, and the file is written as
//! a temp file in the same directory that is then renamed over the path: `rename(2)` replaces
//! a link put there in the meantime instead of following it, and a reader never sees half a
//! body. Only the last component is checked: the directories leading to it are the caller's.

use crate::interrupt;
use anyhow::{Context, Result, bail};
use std::fs::{self, Metadata};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// An output path that was fit to write when it was checked.
#[derive(Debug)]
pub struct OutputFile {
    path: PathBuf,
}

impl OutputFile {
    /// Checks `path` before anything is done, so that a path that cannot take the output
    /// stops the run (exit 2) before a branch is made or a file is fixed: nothing there, or a
    /// regular file, in a directory that exists.
    pub fn prepare(path: &Path) -> Result<Self> {
        existing(path).with_context(|| path.display().to_string())?;
        let directory = directory(path);
        match fs::metadata(directory) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => bail!("{}: not a directory", directory.display()),
            Err(error) => {
                return Err(error).with_context(|| format!("{}", directory.display()));
            }
        }
        Ok(OutputFile {
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the file with `bytes` atomically, checking it once more first. A file that
    /// was there keeps its permissions; a new one gets the process's default (0666 less the
    /// umask), as a plain write would. The errors do not name the file: the caller does.
    pub fn write(&self, bytes: &[u8]) -> Result<()> {
        let existing = existing(&self.path)?;
        let directory = directory(&self.path);
        // A SIGINT or SIGTERM waits until the temp file is renamed or removed.
        let _guard = interrupt::write_guard();
        let mut builder = tempfile::Builder::new();
        builder.prefix(".goleak-fix-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let mut temp = builder.tempfile_in(directory).with_context(|| {
            format!("cannot create a temporary file in {}", directory.display())
        })?;
        temp.write_all(bytes)
            .and_then(|()| temp.as_file().sync_all())
            .context("cannot write the temporary file")?;
        if let Some(existing) = existing {
            fs::set_permissions(temp.path(), existing.permissions())
                .context("cannot copy the permissions")?;
        }
        temp.persist(&self.path)
            .map_err(|error| error.error)
            .context("cannot put it in place")?;
        // The rename itself must survive a crash too; a directory that cannot be synced
        // (some file systems refuse) still holds the file.
        let _ = fs::File::open(directory).and_then(|directory| directory.sync_all());
        Ok(())
    }
}

/// What is at `path` now: nothing, or a regular file (its metadata); anything else, a
/// symbolic link above all, is an error.
fn existing(path: &Path) -> Result<Option<Metadata>> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            bail!("it is a symbolic link; not written through (remove it, or name another file)")
        }
        Ok(metadata) if metadata.is_dir() => bail!("it is a directory"),
        Ok(metadata) if !metadata.is_file() => bail!("it is not a regular file"),
        Ok(metadata) => Ok(Some(metadata)),
        Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error.into()),
    }
}

fn directory(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_or_regular_file_is_written_and_a_directory_or_missing_parent_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pr.md");
        OutputFile::prepare(&path).unwrap().write(b"one").unwrap();
        OutputFile::prepare(&path).unwrap().write(b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temp file is left");

        let error = OutputFile::prepare(dir.path()).unwrap_err();
        assert!(
            format!("{error:#}").contains("it is a directory"),
            "{error:#}"
        );
        assert!(OutputFile::prepare(&dir.path().join("missing/pr.md")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_refused_when_prepared_and_again_when_written() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("authorized_keys");
        fs::write(&target, "key").unwrap();
        let link = dir.path().join("pr.md");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let error = OutputFile::prepare(&link).unwrap_err();
        assert!(
            format!("{error:#}").contains("pr.md: it is a symbolic link"),
            "{error:#}"
        );

        fs::remove_file(&link).unwrap();
        let output = OutputFile::prepare(&link).unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(
            output.write(b"body").is_err(),
            "checked again at write time"
        );
        assert_eq!(fs::read(&target).unwrap(), b"key");
    }
}
