//! What a replaced file keeps besides its bytes: owner, extended attributes, mode.
//!
//! A fix writes a new file and swaps it in (see `write`), so everything the old file carried
//! must be put on the new one before the swap, or the swap drops it: the owner (the new file
//! is the running user's), extended attributes (SELinux labels, POSIX ACLs, `user.*` tags),
//! and the permission bits. Each is copied where the process may: changing the owner needs
//! privilege, and some attribute namespaces are reserved (`trusted.*`, `security.*` for most
//! users). What cannot be copied for want of permission or support is left behind silently;
//! any other failure is an error, and the file is then not replaced.

use anyhow::{Context, Result};
use std::fs::{File, Metadata};

/// Gives `to` the owner, the extended attributes and the mode of `from` (described by
/// `metadata`), in that order: a change of owner may clear set-user-ID bits and security
/// capabilities, which the later steps put back.
pub fn copy(from: &File, metadata: &Metadata, to: &File) -> Result<()> {
    #[cfg(unix)]
    {
        copy_owner(metadata, to)?;
        copy_extended_attributes(from, to)?;
    }
    #[cfg(not(unix))]
    let _ = from;
    to.set_permissions(metadata.permissions())
        .context("cannot copy the file's permissions")
}

/// Errors that mean "not allowed here" or "not supported here": nothing to keep, then.
#[cfg(unix)]
fn is_not_permitted(errno: rustix::io::Errno) -> bool {
    use rustix::io::Errno;
    matches!(errno, Errno::PERM | Errno::ACCESS | Errno::NOTSUP)
}

/// The original owner and group; only the group when the owner cannot be given away (a user
/// may give a file to a group they are in), neither when that is not allowed either.
#[cfg(unix)]
fn copy_owner(metadata: &Metadata, to: &File) -> Result<()> {
    use rustix::fs::{Gid, Uid, fchown};
    use std::os::unix::fs::MetadataExt;
    let (uid, gid) = (Uid::from_raw(metadata.uid()), Gid::from_raw(metadata.gid()));
    let result = match fchown(to, Some(uid), Some(gid)) {
        Err(errno) if is_not_permitted(errno) => fchown(to, None, Some(gid)),
        other => other,
    };
    match result {
        Err(errno) if !is_not_permitted(errno) => {
            Err(std::io::Error::from(errno)).context("cannot give the fixed file the file's owner")
        }
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn copy_extended_attributes(from: &File, to: &File) -> Result<()> {
    use rustix::fs::{XattrFlags, fgetxattr, fgetxattr_query, flistxattr, flistxattr_query};
    let names = match read_sized(|| flistxattr_query(from), |buffer| flistxattr(from, buffer)) {
        Ok(names) => names,
        Err(errno) if is_not_permitted(errno) => return Ok(()),
        Err(errno) => {
            return Err(std::io::Error::from(errno))
                .context("cannot list the file's extended attributes");
        }
    };
    for name in names
        .split(|&byte| byte == 0)
        .filter(|name| !name.is_empty())
    {
        let shown = String::from_utf8_lossy(name);
        let value = match read_sized(
            || fgetxattr_query(from, name),
            |buffer| fgetxattr(from, name, buffer),
        ) {
            Ok(value) => value,
            Err(errno) if is_not_permitted(errno) || errno == rustix::io::Errno::NODATA => {
                continue;
            }
            Err(errno) => {
                return Err(std::io::Error::from(errno))
                    .with_context(|| format!("cannot read the extended attribute {shown}"));
            }
        };
        match rustix::fs::fsetxattr(to, name, &value, XattrFlags::empty()) {
            Err(errno) if !is_not_permitted(errno) => {
                return Err(std::io::Error::from(errno))
                    .with_context(|| format!("cannot copy the extended attribute {shown}"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// A value read with a size query first, asked again when it grew in between (`ERANGE`), a
/// few times: someone changing it without pause gets an error, not a loop.
#[cfg(unix)]
fn read_sized(
    query: impl Fn() -> rustix::io::Result<usize>,
    read: impl Fn(&mut [u8]) -> rustix::io::Result<usize>,
) -> rustix::io::Result<Vec<u8>> {
    for _ in 0..8 {
        let size = query()?;
        if size == 0 {
            return Ok(Vec::new());
        }
        let mut buffer = vec![0; size];
        match read(&mut buffer) {
            Ok(length) => {
                buffer.truncate(length);
                return Ok(buffer);
            }
            Err(rustix::io::Errno::RANGE) => continue,
            Err(errno) => return Err(errno),
        }
    }
    Err(rustix::io::Errno::RANGE)
}
