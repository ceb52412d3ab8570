//! Builtins are builtins only where nothing redeclares them.
//!
//! A fix that inserts `close(c)` or sizes a buffer with `len(xs)` is safe only if those names
//! mean Go's builtins where the text lands. A package may declare its own `len` or `close`
//! (a function, variable, constant or type at package level), and a function may declare a
//! local one; then the inserted call means something else: `make(chan T, len(xs))` could panic
//! or size wrongly, and `close(c)` could leave the channel open. Such a fix is downgraded to
//! unsafe by the engine (`guard_fix`), whatever codemod made it.
//!
//! A dot-import (`import . "pkg"`) cannot redeclare one: it brings in only the exported names
//! of `pkg`, and an exported name starts with an upper-case letter.
//!
//! Finding package-level declarations must not cost a full parse of every package: the text is
//! searched first for each name used in a way a call never is (`len =`, `len int`, `func len(`);
//! only a file with such a mention is parsed whole, and its top-level declarations read.

use crate::edit::{Applicability, Fix};
use crate::package::ParsedFile;
use crate::syntax::{self, kind_of, text};
use memchr::memmem;
use std::collections::HashSet;

/// The builtins a fix may call.
pub const CALLED_BY_FIXES: &[&str] = &["len", "cap", "close", "make", "new", "max", "min"];

/// Which of `CALLED_BY_FIXES` the package's files declare at package level.
///
/// Each file is cut into its top-level declarations by the same column-0 outline the
/// prefilter uses (code that is not formatted only makes a chunk hold more than one
/// declaration); a chunk that may declare a name is parsed on its own, and its top-level
/// declarations read. Most chunks mention no builtin name outside calls, strings and
/// comments, so most files are not parsed for this at all.
pub fn redeclared_in(files: &[ParsedFile]) -> HashSet<&'static str> {
    // Built once per run: a searcher for each name.
    static FINDERS: std::sync::LazyLock<Vec<memmem::Finder<'static>>> =
        std::sync::LazyLock::new(|| {
            CALLED_BY_FIXES
                .iter()
                .map(|name| memmem::Finder::new(name.as_bytes()))
                .collect()
        });
    let mut redeclared = HashSet::new();
    let mut parser = None;
    for file in files {
        let text = file.source.text.as_str();
        let bytes = text.as_bytes();
        // Each name is searched once in the whole file, not once per chunk: a chunk starts at
        // a line's start (and a declaration chunk with its keyword), so whether a mention may
        // declare the name reads the same from the file as from its chunk (see
        // `may_declare_at`).
        let mut mentions: Vec<(usize, &'static str)> = Vec::new();
        for (name, finder) in CALLED_BY_FIXES.iter().zip(FINDERS.iter()) {
            if redeclared.contains(name) {
                continue;
            }
            mentions.extend(
                finder
                    .find_iter(bytes)
                    .filter(|&at| may_declare_at(bytes, at, name.as_bytes()))
                    .map(|at| (at, *name)),
            );
        }
        if mentions.is_empty() {
            continue;
        }
        mentions.sort_unstable();
        let outline = crate::prefilter::outline(text);
        // The header and the declarations cover the file, in order, without gaps.
        let chunks: Vec<std::ops::Range<usize>> = std::iter::once(outline.header)
            .chain(outline.declarations)
            .collect();
        let mut mentions = mentions.into_iter().peekable();
        for chunk in chunks {
            let mut in_chunk: Vec<(usize, &'static str)> = Vec::new();
            while let Some(&(at, name)) = mentions.peek()
                && at < chunk.end
            {
                if !redeclared.contains(name) {
                    in_chunk.push((at - chunk.start, name));
                }
                mentions.next();
            }
            if in_chunk.is_empty() {
                continue;
            }
            // Most mentions left are in a function's body, a struct's fields or a raw string,
            // which no package-level declaration is: a lexing of the chunk says so without a
            // parse (a ninth of a parse's instructions).
            let declarable = outside_blocks_and_literals(&bytes[chunk.clone()], &in_chunk);
            let mut candidates: Vec<&'static str> = Vec::new();
            for (index, &(_, name)) in in_chunk.iter().enumerate() {
                let kept = declarable.as_ref().is_none_or(|kept| kept[index]);
                if kept && !candidates.contains(&name) {
                    candidates.push(name);
                }
            }
            if candidates.is_empty() {
                continue;
            }
            let chunk = &text[chunk];
            let parser = parser.get_or_insert_with(syntax::go_parser);
            let standalone = format!("package p\n{chunk}");
            let tree = syntax::parse(parser, &standalone);
            for name in top_level_names(tree.root_node(), &standalone) {
                if let Some(builtin) = candidates.iter().find(|candidate| **candidate == name) {
                    redeclared.insert(*builtin);
                }
            }
        }
    }
    redeclared
}

/// Whether `text` may declare `name`: a whole-word mention not followed by `(` (a call), or
/// one right after the keyword `func` (a function of that name). Not a selector (`x.len`,
/// which a declaration never is) and not in a `//` comment, unless a quote earlier on the line
/// could mean the `//` is in a string. A superset otherwise (a struct field, a block
/// comment), which costs only a parse.
#[cfg(test)]
fn may_declare(text: &[u8], name: &[u8]) -> bool {
    memmem::find_iter(text, name).any(|at| may_declare_at(text, at, name))
}

/// Whether the mention of `name` at `at` in `text` may declare it (see `may_declare`). It
/// reads the line up to the mention, the bytes right around it, and the text before it back
/// to its last non-blank byte: all within the mention's chunk when the chunk starts at a
/// line's start with a keyword, so the answer is the same whether `text` is the chunk or the
/// whole file.
fn may_declare_at(text: &[u8], at: usize, name: &[u8]) -> bool {
    let before = at.checked_sub(1).map(|i| text[i]);
    let after_at = at + name.len();
    if before.is_some_and(is_word_byte)
        || before == Some(b'.')
        || text.get(after_at).copied().is_some_and(is_word_byte)
    {
        return false;
    }
    let line = &text[memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1)..at];
    if in_string_or_comment(line) {
        return false;
    }
    let rest = &text[after_at..];
    let next = rest.iter().find(|b| !matches!(b, b' ' | b'\t'));
    if next != Some(&b'(') {
        return true;
    }
    let preceding = &text[..at];
    let trimmed = preceding
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .map_or(&preceding[..0], |end| &preceding[..=end]);
    trimmed.ends_with(b"func")
}

/// Whether the end of `line` (a line's text before a mention) is inside an interpreted
/// string or a `//` comment. A backquote makes it unsure (a raw string may span lines): then
/// `false`, which only costs a parse.
fn in_string_or_comment(line: &[u8]) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for (i, &byte) in line.iter().enumerate() {
        match byte {
            b'`' => return false,
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'/' if !in_string && line.get(i + 1) == Some(&b'/') => return true,
            _ => {}
        }
    }
    in_string
}

/// For each of `mentions` (offsets into `chunk`, ascending), whether it is code outside every
/// `{...}`: not in a function's body, a struct's or interface's fields, a composite literal, a
/// string, a rune or a comment. A package-level declaration's name is always such code, so a
/// mention that is not cannot declare a builtin. `None` when the lexing is unsure (braces that
/// do not balance, a literal or block comment left open, a newline in a string or rune): the
/// chunk is then parsed, as before.
///
/// It reads the chunk alone, as the parse of it alone does: a chunk starts at a line's start.
fn outside_blocks_and_literals(chunk: &[u8], mentions: &[(usize, &str)]) -> Option<Vec<bool>> {
    #[derive(PartialEq)]
    enum State {
        Code,
        LineComment,
        BlockComment,
        Quoted(u8),
        Raw,
    }
    let mut state = State::Code;
    let mut depth: usize = 0;
    let mut kept = Vec::with_capacity(mentions.len());
    let mut next = mentions.iter().map(|&(at, _)| at).peekable();
    let mut i = 0;
    while i < chunk.len() {
        while next.next_if(|&at| at <= i).is_some() {
            kept.push(state == State::Code && depth == 0);
        }
        let byte = chunk[i];
        match state {
            State::Code => match byte {
                b'/' if chunk.get(i + 1) == Some(&b'/') => state = State::LineComment,
                b'/' if chunk.get(i + 1) == Some(&b'*') => {
                    state = State::BlockComment;
                    i += 1;
                }
                b'"' | b'\'' => state = State::Quoted(byte),
                b'`' => state = State::Raw,
                b'{' => depth += 1,
                b'}' => depth = depth.checked_sub(1)?,
                _ => {}
            },
            State::LineComment if byte == b'\n' => state = State::Code,
            State::BlockComment if byte == b'*' && chunk.get(i + 1) == Some(&b'/') => {
                state = State::Code;
                i += 1;
            }
            State::Quoted(_) if byte == b'\n' => return None,
            State::Quoted(_) if byte == b'\\' => i += 1,
            State::Quoted(quote) if byte == quote => state = State::Code,
            State::Raw if byte == b'`' => state = State::Code,
            _ => {}
        }
        i += 1;
    }
    let closed = matches!(state, State::Code | State::LineComment) && depth == 0;
    // A mention is a word, never at the chunk's very end: all were recorded.
    (closed && kept.len() == mentions.len()).then_some(kept)
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// The names declared at package level: functions (not methods), variables, constants, types.
fn top_level_names<'s>(root: tree_sitter::Node, source: &'s str) -> Vec<&'s str> {
    let mut names = Vec::new();
    let mut stack: Vec<tree_sitter::Node> = {
        let mut cursor = root.walk();
        root.named_children(&mut cursor).collect()
    };
    while let Some(node) = stack.pop() {
        match kind_of(node) {
            "function_declaration" => names.extend(node.child_by_field_name("name")),
            "var_declaration" | "const_declaration" | "type_declaration" | "var_spec_list" => {
                let mut cursor = node.walk();
                stack.extend(node.named_children(&mut cursor));
            }
            "var_spec" | "const_spec" | "type_spec" | "type_alias" => {
                let mut cursor = node.walk();
                names.extend(node.children_by_field_name("name", &mut cursor));
            }
            _ => {}
        }
    }
    names.into_iter().map(|name| text(name, source)).collect()
}

/// `fix` downgraded to unsafe when an edit calls a builtin that is not the builtin where it
/// lands: `redeclared` at package level, or `is_local(name, at)` there.
pub fn guard_fix(
    fix: &mut Fix,
    redeclared: &dyn Fn(&str) -> bool,
    is_local: &dyn Fn(&str, usize) -> bool,
) {
    if fix.applicability == Applicability::Unsafe {
        return;
    }
    let hidden = fix.edits.iter().find_map(|edit| {
        called_names(&edit.replacement).find(|name| redeclared(name) || is_local(name, edit.start))
    });
    if let Some(name) = hidden {
        fix.applicability = Applicability::Unsafe;
        fix.description.push_str(&format!(
            " (unsafe: `{name}` is redeclared here, so the inserted call may not be the builtin)"
        ));
    }
}

/// The names of `CALLED_BY_FIXES` that `code` calls (`len(`), in order.
fn called_names(code: &str) -> impl Iterator<Item = &'static str> + '_ {
    CALLED_BY_FIXES.iter().copied().filter(move |name| {
        let bytes = code.as_bytes();
        memmem::find_iter(bytes, name.as_bytes()).any(|at| {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            !before.is_some_and(is_word_byte) && bytes[at + name.len()..].starts_with(b"(")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::syntax::{go_parser, parse};

    fn redeclared(text: &str) -> Vec<&'static str> {
        let tree = parse(&mut go_parser(), text);
        let source = SourceFile::new("p.go".into(), "p.go".into(), text.to_string());
        let mut found: Vec<_> = redeclared_in(&[ParsedFile { source, tree }])
            .into_iter()
            .collect();
        found.sort();
        found
    }

    #[test]
    fn package_level_declarations_of_builtin_names_are_found() {
        assert_eq!(
            redeclared(
                "package p\n\nfunc len(x []int) int { return 0 }\n\nvar (\n\ta    = 1\n\tclose = func(chan int) {}\n)\n\nconst max = 3\n\ntype cap struct{}\n"
            ),
            ["cap", "close", "len", "max"]
        );
    }

    #[test]
    fn comments_and_selectors_are_not_mistaken_for_declarations() {
        assert!(!may_declare(b"// close the channel\nx.len = 3\n", b"close"));
        assert!(!may_declare(b"// close the channel\nx.len = 3\n", b"len"));
        assert!(may_declare(b"var s, close = \"http://x\", 1\n", b"close"));
        assert!(may_declare(b"func close(c chan int) {}\n", b"close"));
        assert!(!may_declare(b"\tclose(c)\n", b"close"));
        assert!(!may_declare(
            b"\tt.Fatal(\"unable to close stream\")\n",
            b"close"
        ));
        assert!(!may_declare(b"\tx := \"a\\\"b close\"\n", b"close"));
        assert!(may_declare(b"\tx := `close`\n", b"close"));
    }

    #[test]
    fn calls_methods_fields_and_locals_are_not_redeclarations() {
        assert!(
            redeclared(
                "package p\n\ntype T struct{ len int }\n\nfunc (T) close() {}\n\nfunc f(xs []int, t T) int {\n\tmin := 2\n\tclose(make(chan int))\n\t_ = min\n\treturn len(xs) + t.len\n}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn mentions_in_blocks_and_literals_are_told_from_top_level_code() {
        let kept = |chunk: &str, name: &'static str| {
            let mentions: Vec<(usize, &str)> = memmem::find_iter(chunk.as_bytes(), name)
                .map(|at| (at, name))
                .collect();
            outside_blocks_and_literals(chunk.as_bytes(), &mentions)
        };
        assert_eq!(
            kept("var (\n\tclose = func(chan int) {}\n)\n", "close"),
            Some(vec![true])
        );
        assert_eq!(
            kept("type t struct {\n\tclose func() error\n}\n", "close"),
            Some(vec![false])
        );
        assert_eq!(
            kept("var s = `\n# make it\n` // make\nvar make = 1\n", "make"),
            Some(vec![false, false, true])
        );
        assert_eq!(
            kept("var r, s = '{', \"}\\\"\" /* } */\nconst max = 1\n", "max"),
            Some(vec![true])
        );
        // Unsure: braces that do not balance, a string left open.
        assert_eq!(kept("}\nvar len = 1\n", "len"), None);
        assert_eq!(kept("var s = \"len\nvar len = 1\n", "len"), None);
    }

    #[test]
    fn a_fix_calling_a_redeclared_builtin_becomes_unsafe() {
        let mut fix = Fix::safe(
            "size it",
            vec![crate::edit::Edit::insertion(10, ", len(xs)")],
        );
        guard_fix(&mut fix, &|name| name == "cap", &|_, _| false);
        assert_eq!(fix.applicability, Applicability::Safe);
        guard_fix(&mut fix, &|_| false, &|name, at| name == "len" && at == 10);
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert!(fix.description.contains("`len` is redeclared"));
    }
}
