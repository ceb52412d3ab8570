//! Opening a file that must be a regular file, reached without following a symbolic link: a
//! Go file just before it is replaced, and a `goleak-fix.toml` the repository supplies.
//!
//! The check and the open are one step (`O_NOFOLLOW`), so a file swapped for a link between a
//! look and the open is refused too; and the open never blocks (`O_NONBLOCK`), so a FIFO put
//! where a file was expected is refused instead of hanging the run.

use std::fs::{File, Metadata};
use std::io;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("it is a symbolic link")]
    Symlink,
    #[error("it is not a regular file")]
    NotRegular,
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Which file a path led to when it was looked at: its device and inode. Two looks that give
/// the same identity saw the same file, whatever became of the path in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Identity {
    device: u64,
    inode: u64,
}

impl Identity {
    /// The identity of the file `metadata` describes; `None` where the platform has no
    /// inode numbers.
    pub fn of(metadata: &Metadata) -> Option<Identity> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Identity {
                device: metadata.dev(),
                inode: metadata.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            None
        }
    }
}

impl OpenError {
    /// Whether there is nothing at the path (any more).
    pub fn is_not_found(&self) -> bool {
        matches!(self, OpenError::Io(error) if error.kind() == io::ErrorKind::NotFound)
    }
}

/// Opens `path` for reading if it is a regular file and not a symbolic link.
pub fn open(path: &Path) -> Result<(File, Metadata), OpenError> {
    let file = open_no_follow(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(OpenError::NotRegular);
    }
    Ok((file, metadata))
}

/// The open decides, in one step: it is the only look at the path on the way to reading
/// (every file of a run is opened here, so a separate `lstat` first cost a system call per
/// file, a tenth of the reading).
#[cfg(unix)]
fn open_no_follow(path: &Path) -> Result<File, OpenError> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => Ok(File::from(fd)),
        // What O_NOFOLLOW answers for a symbolic link, and also for a loop of links on the
        // way to it: a look without following tells them apart, as it did when it came
        // first (it fails the same way on the loop).
        Err(rustix::io::Errno::LOOP) => match std::fs::symlink_metadata(path) {
            Err(error) => Err(OpenError::Io(error)),
            Ok(_) => Err(OpenError::Symlink),
        },
        Err(errno) => Err(OpenError::Io(errno.into())),
    }
}

/// Without `O_NOFOLLOW`, the look comes first, and a link is refused before the open.
#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> Result<File, OpenError> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(OpenError::Symlink);
    }
    Ok(File::open(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_opens_and_a_link_a_directory_or_nothing_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        std::fs::write(&file, "x").unwrap();
        assert!(open(&file).is_ok());
        assert!(
            open(&dir.path().join("missing"))
                .unwrap_err()
                .is_not_found()
        );
        assert!(matches!(open(dir.path()), Err(OpenError::NotRegular)));
        #[cfg(unix)]
        {
            let link = dir.path().join("link.toml");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            assert!(matches!(open(&link), Err(OpenError::Symlink)));
            assert!(matches!(open_no_follow(&link), Err(OpenError::Symlink)));
        }
    }

    /// The open is the only look on the way to a read: what it refuses must still be told
    /// apart as the look before it did.
    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_a_link_and_a_loop_on_the_way_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let dangling = dir.path().join("dangling.go");
        std::os::unix::fs::symlink(dir.path().join("nowhere.go"), &dangling).unwrap();
        assert!(matches!(open(&dangling), Err(OpenError::Symlink)));
        let looping = dir.path().join("loop");
        std::os::unix::fs::symlink(&looping, &looping).unwrap();
        assert!(matches!(open(&looping), Err(OpenError::Symlink)));
        match open(&looping.join("a.go")) {
            Err(OpenError::Io(error)) => {
                assert_eq!(
                    error.raw_os_error(),
                    Some(rustix::io::Errno::LOOP.raw_os_error())
                )
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("goleak-fix.toml");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        assert!(matches!(open(&fifo), Err(OpenError::NotRegular)));
    }
}
