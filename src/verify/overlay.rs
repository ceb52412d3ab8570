//! The copies of the package's files (as read, and fixed) and the `-overlay` files that give
//! them to Go, so that the disk is never touched before the verdict.

use super::package::{PackageJob, Place};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

impl PackageJob<'_> {
    pub(super) fn original_copy(&self, i: usize) -> PathBuf {
        self.work.join("original").join(&self.files[i].name)
    }

    pub(super) fn fixed_copy(&self, i: usize) -> PathBuf {
        self.work.join("fixed").join(&self.files[i].name)
    }

    /// Every analysed file as read, and every fixed file, in the temp directory.
    pub(super) fn write_copies(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(self.work.join("original"))?;
        std::fs::create_dir_all(self.work.join("fixed"))?;
        for (i, file) in self.files.iter().enumerate() {
            std::fs::write(self.original_copy(i), file.original)?;
            if let Some(fixed) = file.fixed {
                std::fs::write(self.fixed_copy(i), fixed)?;
            }
        }
        Ok(())
    }

    /// Writes an overlay that gives Go every analysed file as read, but the fixed text for
    /// the files in `with`, plus `extra` files (name, temp path); returns its path.
    pub(super) fn overlay(
        &self,
        place: &Place,
        with: &[usize],
        extra: &[(&str, &Path)],
    ) -> std::io::Result<PathBuf> {
        let mut replace: BTreeMap<String, String> = BTreeMap::new();
        for i in 0..self.files.len() {
            // A file goes with the files its fix also changes: half a fix does not build.
            let fixed = with.contains(&i)
                || self.files[i]
                    .linked
                    .iter()
                    .any(|partner| with.contains(partner));
            let copy = if fixed && self.files[i].fixed.is_some() {
                self.fixed_copy(i)
            } else {
                self.original_copy(i)
            };
            replace.insert(
                place
                    .directory
                    .join(&self.files[i].name)
                    .display()
                    .to_string(),
                copy.display().to_string(),
            );
        }
        for (name, copy) in extra {
            replace.insert(
                place.directory.join(name).display().to_string(),
                copy.display().to_string(),
            );
        }
        let path = self.work.join(format!("overlay-{}.json", self.next_run()));
        let json = serde_json::json!({ "Replace": replace });
        std::fs::write(&path, json.to_string())?;
        Ok(path)
    }

    pub(super) fn next_run(&self) -> usize {
        self.runs.fetch_add(1, Ordering::Relaxed)
    }
}

pub(super) fn overlay_flag(overlay: &Path) -> String {
    format!("-overlay={}", overlay.display())
}
