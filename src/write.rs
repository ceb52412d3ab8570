//! Writing a fixed file without ever leaving it half-written or overwriting someone else's change.

use anyhow::{Context, Result, bail};
use std::fs;
use std::io::Write;
use std::path::Path;

/// Replaces `path`'s content with `fixed`, if it still holds `original`: a temp file in the same
/// directory, fsync, permissions copied, then an atomic rename over the target (through a
/// symlink, onto the file it points to).
pub fn write_atomically(path: &Path, original: &str, fixed: &str) -> Result<()> {
    let target = fs::canonicalize(path).with_context(|| "cannot resolve the path")?;
    let on_disk = fs::read(&target).with_context(|| "cannot read it again before writing")?;
    if on_disk != original.as_bytes() {
        bail!("it changed on disk since it was read; not overwritten");
    }
    let permissions = fs::metadata(&target)?.permissions();
    let directory = target.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".goleak-fix-")
        .tempfile_in(directory)
        .with_context(|| format!("cannot create a temporary file in {}", directory.display()))?;
    temp.write_all(fixed.as_bytes())?;
    temp.as_file().sync_all()?;
    fs::set_permissions(temp.path(), permissions)?;
    temp.persist(&target)
        .map_err(|error| error.error)
        .with_context(|| "cannot replace the file")?;
    Ok(())
}
