//! "Did you mean": the known name closest to a mistyped one, for codemod IDs (on the command
//! line and in `goleak-fix.toml`). Flags get theirs from clap.

/// The candidate closest to `typed` by edit distance, when it is close enough to be a typo:
/// at most a third of the typed length (and at least one edit) away. Ties go to the first.
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (typed.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(typed, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// `; did you mean `x`?` when a candidate is close to `typed`, else nothing.
pub fn did_you_mean<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(typed, candidates)
        .map(|name| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
}

/// Levenshtein distance in characters, in O(len(a) * len(b)) time and O(len(b)) space. The
/// inputs are a flag's value and a codemod ID; a long hostile value costs its length times
/// the longest ID, which is small.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: [&str; 3] = ["timeout-leak", "ncast-leak", "premature-return"];

    #[test]
    fn a_typo_finds_its_name_and_a_stranger_finds_none() {
        assert_eq!(closest("timeout-leek", IDS), Some("timeout-leak"));
        assert_eq!(closest("timeoutleak", IDS), Some("timeout-leak"));
        assert_eq!(closest("ncast", IDS), None);
        assert_eq!(closest("no-such-thing", IDS), None);
        assert_eq!(closest("", IDS), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            did_you_mean("premature-retrun", IDS),
            "; did you mean `premature-return`?"
        );
    }
}
