//! Error messages for people: the operating system's reason without Rust's ` (os error N)`
//! suffix, which names an errno a user cannot act on ("No such file or directory (os error
//! 2)" says no more than "No such file or directory").

use std::borrow::Cow;

/// `text` with every ` (os error N)` taken out.
pub fn without_os_error(text: &str) -> Cow<'_, str> {
    const MARK: &str = " (os error ";
    if !text.contains(MARK) {
        return Cow::Borrowed(text);
    }
    let mut plain = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let after = &rest[at + MARK.len()..];
        let digits = after
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(after.len());
        if digits > 0 && after[digits..].starts_with(')') {
            plain.push_str(&rest[..at]);
            rest = &after[digits + 1..];
        } else {
            plain.push_str(&rest[..at + MARK.len()]);
            rest = after;
        }
    }
    plain.push_str(rest);
    Cow::Owned(plain)
}

/// An error and its causes, `: `-separated as anyhow's `{:#}` shows them, each without its
/// ` (os error N)`, and a cause left out when the message before it already ends with it
/// (an error that prints its source: "cannot read: No such file or directory" once, not twice).
pub fn describe(error: &anyhow::Error) -> String {
    let mut shown = String::new();
    for cause in error.chain() {
        let text = without_os_error(&cause.to_string()).into_owned();
        if shown.ends_with(&text) {
            continue;
        }
        if !shown.is_empty() {
            shown.push_str(": ");
        }
        shown.push_str(&text);
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_errno_goes_and_everything_else_stays() {
        let missing = std::io::Error::from_raw_os_error(2);
        assert_eq!(
            without_os_error(&format!("nope.go: {missing}")),
            "nope.go: No such file or directory"
        );
        assert_eq!(without_os_error("a (os error 13) b (os error 2)"), "a b");
        assert_eq!(without_os_error("x (os error y)"), "x (os error y)");
        assert!(matches!(without_os_error("plain"), Cow::Borrowed(_)));
        let error = anyhow::Error::new(std::io::Error::from_raw_os_error(13)).context("--pr-body");
        assert_eq!(describe(&error), "--pr-body: Permission denied");
        // A message that already shows its source does not get it twice.
        #[derive(Debug)]
        struct Shows(std::io::Error);
        impl std::fmt::Display for Shows {
            fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(f, "x.toml: cannot read: {}", self.0)
            }
        }
        impl std::error::Error for Shows {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let error = anyhow::Error::new(Shows(std::io::Error::from_raw_os_error(2)));
        assert_eq!(
            describe(&error),
            "x.toml: cannot read: No such file or directory"
        );
    }
}
