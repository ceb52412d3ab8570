//! Bisecting a package: when the fixes of several files break it together, which file's
//! fixes are to blame.

use super::Status;
use std::collections::BTreeMap;

/// A check's answer about some fixes.
pub(super) enum Check {
    Pass,
    /// New problems, the first one first.
    Fail(String),
    /// The toolchain could not tell.
    Unknown(String),
}

/// Runs `check` on all `candidates` together; when that fails and there is more than one,
/// on each alone, to find whose fixes break the package; then on the survivors together
/// again. Fills `verdicts` for the files that fail or cannot be checked; returns those that
/// pass.
pub(super) fn attribute(
    candidates: &[usize],
    check: impl Fn(&[usize]) -> Check,
    verdicts: &mut BTreeMap<usize, (Status, String)>,
) -> Vec<usize> {
    match check(candidates) {
        Check::Pass => return candidates.to_vec(),
        Check::Unknown(reason) => {
            for &i in candidates {
                verdicts.insert(i, (Status::Unverified, reason.clone()));
            }
            return Vec::new();
        }
        Check::Fail(reason) if candidates.len() == 1 => {
            verdicts.insert(candidates[0], (Status::Dropped, reason));
            return Vec::new();
        }
        Check::Fail(_) => {}
    }
    let mut passing = Vec::new();
    for &i in candidates {
        match check(&[i]) {
            Check::Pass => passing.push(i),
            Check::Fail(reason) => {
                verdicts.insert(i, (Status::Dropped, reason));
            }
            Check::Unknown(reason) => {
                verdicts.insert(i, (Status::Unverified, reason));
            }
        }
    }
    if passing.len() > 1 {
        match check(&passing) {
            Check::Pass => {}
            Check::Fail(reason) => {
                for &i in &passing {
                    verdicts.insert(
                        i,
                        (
                            Status::Dropped,
                            format!(
                                "breaks the package together with the other fixes in it: {reason}"
                            ),
                        ),
                    );
                }
                passing.clear();
            }
            Check::Unknown(reason) => {
                for &i in &passing {
                    verdicts.insert(i, (Status::Unverified, reason.clone()));
                }
                passing.clear();
            }
        }
    }
    passing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_drops_only_the_file_whose_fix_breaks_the_package() {
        let check = |with: &[usize]| {
            if with.contains(&1) {
                Check::Fail("go vet: b.go:3:1: undefined: x".into())
            } else {
                Check::Pass
            }
        };
        let mut verdicts = BTreeMap::new();
        let passing = attribute(&[0, 1, 2], check, &mut verdicts);
        assert_eq!(passing, [0, 2]);
        assert_eq!(verdicts.len(), 1);
        assert_eq!(verdicts[&1].0, Status::Dropped);
    }
}
