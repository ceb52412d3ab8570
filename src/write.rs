//! Writing a fixed file without ever leaving it half-written or overwriting someone else's change.

use crate::interrupt;
use anyhow::{Context, Result, bail};
use std::fs;
use std::io::Write;
use std::path::Path;

/// Replaces `path`'s content with `fixed`, if it still holds `original`: a temp file in the same
/// directory, fsync, permissions copied, an atomic rename over the target, then an fsync of the
/// directory so that the rename itself survives a crash.
///
/// Refused, leaving the file as it is: a file that changed or vanished since it was read, a
/// symbolic link (the walk hands over real files only, so a link here appeared since; writing
/// through it could reach outside the scanned tree), anything but a regular file, and a
/// read-only file (renaming over it would defeat the permission).
///
/// A SIGINT or SIGTERM during the write waits until the temp file is renamed or removed (see
/// `interrupt`).
pub fn write_atomically(path: &Path, original: &str, fixed: &str) -> Result<()> {
    let metadata =
        fs::symlink_metadata(path).with_context(|| "cannot look at it again before writing")?;
    if metadata.file_type().is_symlink() {
        bail!("it is a symbolic link; not written through");
    }
    if !metadata.is_file() {
        bail!("it is no longer a regular file; not written");
    }
    let permissions = metadata.permissions();
    if permissions.readonly() {
        bail!("it is read-only; not written");
    }
    let on_disk = fs::read(path).with_context(|| "cannot read it again before writing")?;
    if on_disk != original.as_bytes() {
        bail!("it changed on disk since it was read; not overwritten");
    }
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
    temp.as_file().sync_all()?;
    fs::set_permissions(temp.path(), permissions)?;
    temp.persist(path)
        .map_err(|error| error.error)
        .with_context(|| "cannot replace the file")?;
    fs::File::open(directory)
        .and_then(|directory| directory.sync_all())
        .with_context(|| format!("cannot sync the directory {}", directory.display()))?;
    Ok(())
}
