//! A byte-level test that decides which files are worth parsing.
//!
//! Every codemod starts from a channel made in the function: a `make` call whose first
//! argument is a `chan` type. Go allows only white space and comments between `make`, `(` and
//! `chan`, so a file in which no `make` is followed that way by `chan` cannot produce a finding,
//! and is not parsed at all. The test is conservative: a comment in between counts as a match.

use memchr::memmem;

/// Whether `text` may contain `make(chan ...)`; `false` only when it certainly does not.
pub fn may_make_channel(text: &[u8]) -> bool {
    channel_make_sites(text).next().is_some()
}

/// Where each `make` that may make a channel starts in `text`, in order: every real
/// `make(chan ...)` is among them.
pub fn channel_make_sites(text: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memmem::find_iter(text, b"make").filter(move |&at| {
        if at > 0 && is_word_byte(text[at - 1]) {
            return false;
        }
        let rest = skip_space(&text[at + 4..]);
        let Some(rest) = rest.strip_prefix(b"(") else {
            return false;
        };
        let rest = skip_space(rest);
        rest.starts_with(b"chan") || rest.starts_with(b"/")
    })
}

/// Whether the declaration `chunk` (from `outline`) can declare one of `names` where the
/// package index looks: a function or method of that name, or an interface method (any word of
/// a `type` declaration that mentions `interface`). Linear in the chunk, whatever the number of
/// names.
pub fn may_declare(chunk: &str, names: &std::collections::HashSet<&str>) -> bool {
    if chunk.starts_with("func") {
        return declared_function_name(chunk).is_some_and(|name| names.contains(name));
    }
    if chunk.starts_with("type") && memmem::find(chunk.as_bytes(), b"interface").is_some() {
        return words(chunk).any(|word| names.contains(word));
    }
    false
}

/// The name of the function or method the declaration `chunk` declares, when its results may
/// include a channel (the word `chan` after its parameter list, before its body): a future
/// whose callers future-leak reads. A superset: a signature it cannot follow counts.
pub fn declared_future_name(chunk: &str) -> Option<&str> {
    let name = declared_function_name(chunk)?;
    let after_name = &chunk[chunk.find(name)? + name.len()..];
    // Type parameters, then the parameter list, matched by depth; the rest up to the body's
    // `{` holds the results.
    let bytes = after_name.as_bytes();
    let mut depth = 0usize;
    let mut results_start = None;
    for (at, byte) in bytes.iter().enumerate() {
        match byte {
            b'(' | b'[' => depth += 1,
            b')' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 && *byte == b')' {
                    results_start = Some(at + 1);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(start) = results_start else {
        return Some(name);
    };
    let rest = &after_name[start..];
    let results = match rest.find('{') {
        Some(end) => &rest[..end],
        None => rest,
    };
    // `func f() interface{ C() chan int }` ends the results early at its `{`: count it.
    (mentions_word(results.as_bytes(), b"chan") || results.contains("interface")).then_some(name)
}

/// `func name(` / `func (r *T) name[T any](`: the name.
fn declared_function_name(chunk: &str) -> Option<&str> {
    let rest = chunk.strip_prefix("func")?.trim_start();
    let rest = match rest.strip_prefix('(') {
        Some(receiver) => receiver[receiver.find(')')? + 1..].trim_start(),
        None => rest,
    };
    let end = rest
        .bytes()
        .position(|b| !is_word_byte(b))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// The identifier-like words of `text`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
}

/// Whether the declaration `chunk` may call one of `names` (any word of it is one): a
/// superset, linear in the chunk whatever the number of names.
pub fn may_call(chunk: &str, names: &std::collections::HashSet<&str>) -> bool {
    chunk.starts_with("func") && words(chunk).any(|word| names.contains(word))
}

/// Whether `name` occurs in `text` as a whole word (an identifier, not part of a longer one).
pub fn mentions_word(text: &[u8], name: &[u8]) -> bool {
    memmem::find_iter(text, name).any(|at| {
        let before = at.checked_sub(1).map(|i| text[i]);
        let after = text.get(at + name.len()).copied();
        !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
    })
}

/// A byte that can be part of a Go identifier (any non-ASCII byte may be, in a letter).
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// The names of the calls in `chunk` that may take a channel it makes as an argument
/// (`wait(ctx, c)` after `c := make(chan T)`): the analysis follows such a call into a function
/// of the package that receives from it, so that function must be parsed. A superset, found
/// without parsing: the variables on the left of each `make(chan` line, then every call on a
/// line that names one of them inside its parentheses.
pub fn channel_callees(chunk: &str) -> Vec<&str> {
    let bytes = chunk.as_bytes();
    let line_start = |at: usize| {
        bytes[..at]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
    };
    let mut variables: Vec<&str> = Vec::new();
    for at in channel_make_sites(bytes) {
        let left = chunk[line_start(at)..at].trim_end();
        let Some(left) = left.strip_suffix(":=").or_else(|| left.strip_suffix('=')) else {
            continue;
        };
        variables.extend(words(left).filter(|word| *word != "var"));
    }
    variables.sort_unstable();
    variables.dedup();
    let mut callees = Vec::new();
    for variable in variables {
        for at in memmem::find_iter(bytes, variable.as_bytes()) {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(at + variable.len()).copied();
            if before.is_some_and(is_word_byte) || after.is_some_and(is_word_byte) {
                continue;
            }
            // The innermost unclosed `(` before it on its line, and the name just before it;
            // looked for in the 256 bytes before it at most, so a long line costs linear time.
            let start = line_start(at).max(at.saturating_sub(256));
            let mut depth = 0usize;
            let mut open = None;
            for index in (start..at).rev() {
                match bytes[index] {
                    b')' => depth += 1,
                    b'(' if depth == 0 => {
                        open = Some(index);
                        break;
                    }
                    b'(' => depth -= 1,
                    _ => {}
                }
            }
            let Some(open) = open else { continue };
            let name_end = open;
            let name_start = bytes[start..name_end]
                .iter()
                .rposition(|b| !is_word_byte(*b))
                .map_or(start, |i| start + i + 1);
            if name_start < name_end {
                callees.push(&chunk[name_start..name_end]);
            }
        }
    }
    callees
}

/// The names that `go name(...)` and `go x.name(...)` call in `text`, found without parsing
/// (a superset: a match in a comment or string only costs a little more parsing).
pub fn goroutine_callees(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    memmem::find_iter(bytes, b"go").filter_map(move |at| {
        if at > 0 && is_word_byte(bytes[at - 1]) {
            return None;
        }
        let rest = &bytes[at + 2..];
        let gap = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        if gap == 0 {
            return None;
        }
        // The dotted callee, `worker` or `p.work`: the name is its last part.
        let start = at + 2 + gap;
        let end = start
            + bytes[start..]
                .iter()
                .take_while(|b| is_word_byte(**b) || **b == b'.')
                .count();
        if bytes.get(end) != Some(&b'(') || end == start {
            return None;
        }
        let callee = &text[start..end];
        // `go func() { ... }()` starts a closure, not a named function.
        callee
            .rsplit('.')
            .next()
            .filter(|name| !name.is_empty() && *name != "func")
    })
}

fn skip_space(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    &text[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_every_spelling_go_allows() {
        assert!(may_make_channel(b"c := make(chan int)"));
        assert!(may_make_channel(b"c := make (\n\tchan struct{}, 1)"));
        assert!(may_make_channel(b"c := make(/* why */ chan int)"));
        assert!(!may_make_channel(b"s := make([]chan int, 3)"));
        assert!(!may_make_channel(b"var c chan int // make later"));
        assert!(!may_make_channel(b"remake(channels)"));
    }

    #[test]
    fn finds_the_names_goroutines_call() {
        let names: Vec<&str> =
            goroutine_callees("go worker(q)\n\tgo p.work(q)\ngo func() {}()\nargo x(1)\n")
                .collect();
        assert_eq!(names, ["worker", "work"]);
    }

    #[test]
    fn declarations_are_matched_by_name() {
        let names: std::collections::HashSet<&str> = ["work", "drain"].into_iter().collect();
        assert!(may_declare("func work(q chan int) {}\n", &names));
        assert!(may_declare("func (p *pool) drain(q chan int) {}\n", &names));
        assert!(may_declare("func work[T any](q chan T) {}\n", &names));
        assert!(!may_declare(
            "func worker(q chan int) { work(q) }\n",
            &names
        ));
        assert!(may_declare(
            "type drainer interface {\n\tdrain(q chan int)\n}\n",
            &names
        ));
        assert!(!may_declare("type pool struct{ work int }\n", &names));
    }

    #[test]
    fn words_are_whole_identifiers() {
        assert!(mentions_word(b"func work(q chan int)", b"work"));
        assert!(!mentions_word(b"func worker(q chan int)", b"work"));
        assert!(!mentions_word(b"func rework()", b"work"));
    }
}

/// The parts of a Go file that can matter, found without parsing: the header (package clause
/// and imports) and its top-level declarations.
///
/// A declaration starts at a line that begins, at column 0, with `func`, `type`, `var` or
/// `const`, and runs to the next such line, so doc comments travel with the declaration
/// before them, which is harmless. In
///
/// ```text
/// package p            ┐ header: everything before the first declaration
/// import "sync"        ┘
/// func a() { ... }     ─ chunk 1
/// // b does ...        ┐
/// type T struct{}      ┘ chunk 2 (a comment before a declaration ends the chunk above it)
/// ```
///
/// The split is a guess for code gofmt has not formatted; callers must fall back to a full
/// parse when the partial one reports a syntax error.
pub struct Outline {
    pub header: std::ops::Range<usize>,
    pub declarations: Vec<std::ops::Range<usize>>,
}

pub fn outline(text: &str) -> Outline {
    let bytes = text.as_bytes();
    let mut starts = Vec::new();
    let mut line_start = 0;
    while line_start < bytes.len() {
        let line = &bytes[line_start..];
        if ["func", "type", "var", "const"].iter().any(|keyword| {
            line.starts_with(keyword.as_bytes())
                && line
                    .get(keyword.len())
                    .is_some_and(|b| matches!(b, b' ' | b'\t' | b'(' | b'\r' | b'\n'))
        }) {
            starts.push(line_start);
        }
        line_start = match memchr::memchr(b'\n', line) {
            Some(end) => line_start + end + 1,
            None => bytes.len(),
        };
    }
    let header_end = starts.first().copied().unwrap_or(bytes.len());
    let declarations = starts
        .iter()
        .enumerate()
        .map(|(index, &start)| start..starts.get(index + 1).copied().unwrap_or(bytes.len()))
        .collect();
    Outline {
        header: 0..header_end,
        declarations,
    }
}

#[cfg(test)]
mod outline_tests {
    use super::*;

    #[test]
    fn splits_at_top_level_declarations() {
        let text = "package p\n\nimport \"sync\"\n\nfunc a() {\n\tfunc() {}()\n}\n\n// T is.\ntype T struct{}\nvar (\n\tx = 1\n)\n";
        let outline = outline(text);
        assert_eq!(
            &text[outline.header.clone()],
            "package p\n\nimport \"sync\"\n\n"
        );
        let chunks: Vec<&str> = outline
            .declarations
            .iter()
            .map(|r| &text[r.clone()])
            .collect();
        assert_eq!(
            chunks,
            [
                "func a() {\n\tfunc() {}()\n}\n\n// T is.\n",
                "type T struct{}\n",
                "var (\n\tx = 1\n)\n"
            ]
        );
    }
}
