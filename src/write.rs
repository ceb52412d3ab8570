//! Writing a fixed file without ever leaving it half-written, overwriting someone else's change,
//! or bringing back a file someone deleted.

use crate::attributes;
use crate::interrupt;
use crate::regular_file::{self, OpenError};
use anyhow::{Context, Result, bail};
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use tempfile::NamedTempFile;

const VANISHED: &str = "it vanished since it was read; not recreated";
const CHANGED: &str = "it changed on disk since it was read; not overwritten";

/// Replaces `path`'s content with `fixed`, if it still holds `original`: a temp file in the same
/// directory, owner, extended attributes and permissions copied (see `attributes`), fsync, an
/// atomic swap with the target, then an fsync of the directory so that the swap itself
/// survives a crash.
///
/// Refused, leaving the file as it is: a file that changed or vanished since it was read, a
/// symbolic link (the walk hands over real files only, so a link here appeared since; writing
/// through it could reach outside the scanned tree), anything but a regular file, a read-only
/// file, and a file this user may not write though the directory lets them replace it
/// (renaming over either would defeat the permission).
///
/// The file's name gets a new file: other hard links to the old one keep the old content.
///
/// A SIGINT or SIGTERM during the write waits until the temp file is renamed or removed (see
/// `interrupt`).
pub fn write_atomically(path: &Path, original: &str, fixed: &str) -> Result<()> {
    write_atomically_with(path, original, fixed, &mut || {})
}

/// One file of a group that `write_group` writes together.
pub struct GroupMember<'a> {
    pub path: &'a Path,
    pub original: &'a str,
    pub fixed: &'a str,
}

/// Writes the files of one fix that spans files (see `edit::Fix::other_files`) all, or none:
/// every file is first checked as `write_atomically` would check it (a regular file, no
/// symbolic link, writable, still holding what was read); if one fails, none is written. Then
/// each is written atomically; if a later one fails after all (a race), the ones already
/// written get their text as read back (each again only if it still holds what was written),
/// so the package is never left with half a fix. One result per member, in order: a member
/// left alone because of another gets an error naming that one.
pub fn write_group(members: &[GroupMember]) -> Vec<Result<()>> {
    write_group_with(members, &mut |_| {})
}

/// `write_group`, calling `before_write(index)` before each member is written (the tests make
/// a later member fail there).
pub fn write_group_with(
    members: &[GroupMember],
    before_write: &mut dyn FnMut(usize),
) -> Vec<Result<()>> {
    let because = |culprit: usize, what: &str| {
        anyhow::anyhow!(
            "not written: the same fix also changes {}, which {what}",
            members[culprit].path.display()
        )
    };
    let checked: Vec<Result<()>> = members.iter().map(check_writable).collect();
    if let Some(culprit) = checked.iter().position(Result::is_err) {
        return checked
            .into_iter()
            .map(|result| match result {
                Err(error) => Err(error),
                Ok(()) => Err(because(culprit, "cannot be written")),
            })
            .collect();
    }
    // An interrupt waits until the whole group is written (or put back), not one file of it.
    let _guard = interrupt::write_guard();
    let mut written = 0;
    let mut failure = None;
    for (index, member) in members.iter().enumerate() {
        before_write(index);
        match write_atomically(member.path, member.original, member.fixed) {
            Ok(()) => written += 1,
            Err(error) => {
                failure = Some((index, error));
                break;
            }
        }
    }
    let Some((culprit, error)) = failure else {
        return members.iter().map(|_| Ok(())).collect();
    };
    let mut results: Vec<Result<()>> = Vec::with_capacity(members.len());
    for (index, member) in members.iter().enumerate() {
        results.push(if index < written {
            match write_atomically(member.path, member.fixed, member.original) {
                Ok(()) => Err(because(
                    culprit,
                    "could not be written; its text as read is back",
                )),
                Err(undo) => Err(undo.context(format!(
                    "written, but {} could not be, and putting this file back failed",
                    members[culprit].path.display()
                ))),
            }
        } else if index == culprit {
            Err(anyhow::anyhow!("{error:#}"))
        } else {
            Err(because(culprit, "could not be written"))
        });
    }
    results
}

/// What `write` checks before it makes the temp file, without writing anything.
fn check_writable(member: &GroupMember) -> Result<()> {
    open_checked(member.path, member.original).map(|_| ())
}

/// Opens the file at `path` to be replaced, if it may be: a regular file (never a link), not
/// read-only, writable by this user, and still holding `original`. Returns it open with its
/// metadata: the file that was checked, to compare with what is there at the moment of the
/// swap.
fn open_checked(path: &Path, original: &str) -> Result<(File, fs::Metadata)> {
    let (mut read, metadata) = match regular_file::open(path) {
        Ok(opened) => opened,
        Err(OpenError::Symlink) => bail!("it is a symbolic link; not written through"),
        Err(OpenError::NotRegular) => bail!("it is no longer a regular file; not written"),
        Err(error) if error.is_not_found() => bail!(VANISHED),
        Err(error) => return Err(error).context("cannot open it again before writing"),
    };
    // No write bit at all marks a file as not to be edited, even for root, who may write it.
    if metadata.permissions().readonly() {
        bail!("it is read-only; not written");
    }
    // Renaming over the file needs only the directory to be writable: ask the kernel whether
    // this user may write the file itself (owner, group, ACL), as opening it to write would.
    may_write(path)?;
    if !holds(&mut read, original)? {
        bail!(CHANGED);
    }
    Ok((read, metadata))
}

/// `write_atomically`, calling `before_replace` when the file has been checked and the fixed
/// text is in the temp file, just before it takes the file's place: the last moment at which
/// someone else's change or deletion could be lost. The tests of that race delete or change
/// the file there.
pub fn write_atomically_with(
    path: &Path,
    original: &str,
    fixed: &str,
    before_replace: &mut dyn FnMut(),
) -> Result<()> {
    write(path, original, fixed, before_replace, exchange_or_rename)
}

/// How the temp file takes the file's place, if the file there is still the one read (open in
/// the `File`) holding the text: `exchange_or_rename`, or in the tests `check_then_rename` too.
type Replace = fn(NamedTempFile, &Path, &mut File, &str) -> Result<()>;

fn write(
    path: &Path,
    original: &str,
    fixed: &str,
    before_replace: &mut dyn FnMut(),
    replace: Replace,
) -> Result<()> {
    // Kept open to the end: the file that was checked, to compare with what is there at the
    // moment of the swap.
    let (mut read, metadata) = open_checked(path, original)?;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let _guard = interrupt::write_guard();
    let mut temp = tempfile::Builder::new()
        .prefix(".goleak-fix-")
        .tempfile_in(directory)
        .with_context(|| format!("cannot create a temporary file in {}", directory.display()))?;
    temp.write_all(fixed.as_bytes())?;
    attributes::copy(&read, &metadata, temp.as_file())?;
    temp.as_file().sync_all()?;
    before_replace();
    replace(temp, path, &mut read, original)?;
    fs::File::open(directory)
        .and_then(|directory| directory.sync_all())
        .with_context(|| format!("cannot sync the directory {}", directory.display()))?;
    Ok(())
}

/// Swaps the temp file and `path` atomically (`renameat2(RENAME_EXCHANGE)`), then checks that what came out is the file `read`, still
/// holding `original`; if not, swaps back, so the newcomer stays. A `path` that is gone fails
/// the swap: nothing is recreated. No window at all, where the file system has the swap.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange_or_rename(
    temp: NamedTempFile,
    path: &Path,
    read: &mut File,
    original: &str,
) -> Result<()> {
    use rustix::io::Errno;
    match exchange(temp.path(), path) {
        Ok(()) => {}
        Err(Errno::NOENT) if is_gone(path) => bail!(VANISHED),
        // A file system or kernel without the exchange.
        Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => {
            return check_then_rename(temp, path, read, original);
        }
        Err(errno) => {
            return Err(std::io::Error::from(errno)).context("cannot replace the file");
        }
    }
    // The old file is now at the temp file's name. Any doubt about it counts as a change.
    let swapped_out = fs::symlink_metadata(temp.path()).ok();
    let is_the_file_read = swapped_out
        .zip(read.metadata().ok())
        .is_some_and(|(swapped_out, read)| same_file(&swapped_out, &read))
        && holds(read, original).unwrap_or(false);
    if is_the_file_read {
        // Removes the old file's last name here (other hard links keep it).
        return temp.close().context("cannot remove the replaced file");
    }
    if let Err(errno) = exchange(temp.path(), path) {
        // Their file is at the temp file's name: kept there, never deleted.
        let kept = temp.into_temp_path();
        let shown = kept.display().to_string();
        let _ = kept.keep();
        return Err(std::io::Error::from(errno)).with_context(|| {
            format!(
                "{CHANGED}, and the fix was already in place: the file found there is now {shown}"
            )
        });
    }
    bail!(CHANGED)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange_or_rename(
    temp: NamedTempFile,
    path: &Path,
    read: &mut File,
    original: &str,
) -> Result<()> {
    check_then_rename(temp, path, read, original)
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(from: &Path, to: &Path) -> rustix::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, from, CWD, to, RenameFlags::EXCHANGE)
}

/// Where the atomic swap is not available: the same checks just before a rename over `path`,
/// which leaves a window of two system calls.
fn check_then_rename(
    temp: NamedTempFile,
    path: &Path,
    read: &mut File,
    original: &str,
) -> Result<()> {
    match fs::symlink_metadata(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(VANISHED),
        Err(error) => return Err(error).context("cannot look at it again before writing"),
        Ok(now) if !same_file(&now, &read.metadata()?) => bail!(CHANGED),
        Ok(_) => {}
    }
    if !holds(read, original)? {
        bail!(CHANGED);
    }
    temp.persist(path)
        .map_err(|error| error.error)
        .context("cannot replace the file")?;
    Ok(())
}

/// Whether this user may write the file at `path`, by the kernel's rules (`faccessat` with
/// the effective IDs): an error saying why not, when not.
#[cfg(unix)]
fn may_write(path: &Path) -> Result<()> {
    use rustix::fs::{Access, AtFlags, CWD, accessat};
    use rustix::io::Errno;
    match accessat(CWD, path, Access::WRITE_OK, AtFlags::EACCESS) {
        Ok(()) => Ok(()),
        Err(Errno::ACCESS | Errno::PERM) => {
            bail!("this user may not write it (only replace it); not written")
        }
        Err(Errno::ROFS) => bail!("it is on a read-only file system; not written"),
        Err(errno) => Err(std::io::Error::from(errno)).context("cannot check that it is writable"),
    }
}

#[cfg(not(unix))]
fn may_write(_: &Path) -> Result<()> {
    Ok(())
}

fn is_gone(path: &Path) -> bool {
    fs::symlink_metadata(path).is_err_and(|error| error.kind() == std::io::ErrorKind::NotFound)
}

/// Whether the open file holds exactly `original`.
fn holds(file: &mut File, original: &str) -> Result<bool> {
    let mut on_disk = Vec::with_capacity(original.len() + 1);
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.read_to_end(&mut on_disk))
        .context("cannot read it again before writing")?;
    Ok(on_disk == original.as_bytes())
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

/// Without inode numbers, the content check alone decides.
#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "package a\n";
    const FIXED: &str = "package a // fixed\n";

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Each way of replacing, with the file deleted, rewritten in place, or replaced by a new
    /// file just before: the newcomer (or the absence) stays, and no temp file is left.
    #[test]
    fn both_ways_of_replacing_leave_a_late_change_or_deletion_alone() {
        for replace in [exchange_or_rename as Replace, check_then_rename] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("a.go");

            fs::write(&path, ORIGINAL).unwrap();
            let error = write(
                &path,
                ORIGINAL,
                FIXED,
                &mut || fs::remove_file(&path).unwrap(),
                replace,
            )
            .unwrap_err();
            assert_eq!(format!("{error:#}"), VANISHED);
            assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));

            fs::write(&path, ORIGINAL).unwrap();
            let error = write(
                &path,
                ORIGINAL,
                FIXED,
                &mut || fs::write(&path, "theirs").unwrap(),
                replace,
            )
            .unwrap_err();
            assert_eq!(format!("{error:#}"), CHANGED);
            assert_eq!(fs::read_to_string(&path).unwrap(), "theirs");

            fs::write(&path, ORIGINAL).unwrap();
            let newcomer = dir.path().join("new");
            let error = write(
                &path,
                ORIGINAL,
                FIXED,
                &mut || {
                    fs::write(&newcomer, ORIGINAL).unwrap();
                    fs::rename(&newcomer, &path).unwrap();
                },
                replace,
            )
            .unwrap_err();
            assert_eq!(format!("{error:#}"), CHANGED);
            assert_eq!(entries(dir.path()), ["a.go"]);

            fs::write(&path, ORIGINAL).unwrap();
            write(&path, ORIGINAL, FIXED, &mut || {}, replace).unwrap();
            assert_eq!(fs::read_to_string(&path).unwrap(), FIXED);
            assert_eq!(entries(dir.path()), ["a.go"]);
        }
    }

    #[test]
    fn a_group_is_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.go");
        let b = dir.path().join("b.go");
        fs::write(&a, "a1").unwrap();
        fs::write(&b, "b1").unwrap();
        let members = |b_original: &'static str| {
            vec![
                GroupMember {
                    path: &a,
                    original: "a1",
                    fixed: "a2",
                },
                GroupMember {
                    path: &b,
                    original: b_original,
                    fixed: "b2",
                },
            ]
        };
        // b changed since it was read: neither is written.
        let results = write_group(&members("b0"));
        assert!(results.iter().all(Result::is_err));
        assert!(format!("{:#}", results[0].as_ref().unwrap_err()).contains("b.go"));
        assert_eq!(fs::read_to_string(&a).unwrap(), "a1");
        // b changes after the check, while a is being written: a is put back.
        let results = write_group_with(&members("b1"), &mut |index| {
            if index == 1 {
                fs::write(&b, "someone else's").unwrap();
            }
        });
        assert!(results.iter().all(Result::is_err), "{results:?}");
        assert_eq!(fs::read_to_string(&a).unwrap(), "a1");
        assert_eq!(fs::read_to_string(&b).unwrap(), "someone else's");
        // Both as read: both written.
        fs::write(&b, "b1").unwrap();
        let results = write_group(&members("b1"));
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(fs::read_to_string(&a).unwrap(), "a2");
        assert_eq!(fs::read_to_string(&b).unwrap(), "b2");
    }
}
