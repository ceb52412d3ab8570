//! A byte-level test that decides which files are worth parsing.
//!
//! Every codemod starts from a channel made in the function: a `make` call whose first
//! argument is a `chan` type. Go allows only white space and comments between `make`, `(` and
//! `chan`, so a file in which no `make` is followed that way by `chan` cannot produce a finding,
//! and is not parsed at all. The test is conservative: a comment in between counts as a match.
//! Within a file, a declaration that makes a channel is parsed for its own channels only if it
//! may also start a goroutine or return a channel (`may_leak_what_it_makes`).

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

/// Whether a declaration that makes a channel can leak through it, so that it is worth
/// parsing for its own channels. Every codemod but one reports a goroutine of the function that
/// blocks, and the analysis knows goroutines only from the function's own text: the word `go`,
/// or `Go` for `wg.Go(...)` and errgroup's `g.Go(...)`. A function that starts none uses its
/// channels only itself and in the callees it waits on directly. The one exception is
/// future-leak's own send (`c <- v; return c`: no goroutine at all), which needs a channel in
/// the function's results, so a `chan` anywhere in the signature keeps the declaration.
///
/// A superset, on the chunk's text alone: a comment saying "go" counts. And a chunk that does
/// not lex as whole (brackets that do not balance, a string or comment left open) is kept:
/// the outline may have cut a function in two there (a column-0 `func` line in a raw
/// string), and only parsing it shows that the file must be parsed whole.
pub fn may_leak_what_it_makes(chunk: &str) -> bool {
    let bytes = chunk.as_bytes();
    mentions_word(bytes, b"go")
        || mentions_word(bytes, b"Go")
        || signature_may_mention_chan(bytes)
        || !lexes_whole(bytes)
}

/// Whether the function or method `chunk` declares may return a channel: its signature (up
/// to its body's `{`) has the word `chan`. `true` whenever the chunk may hold a function whose
/// signature was not read: one that is not a single function (unformatted code can put a
/// second on an indented line after the first), or a body not found.
fn signature_may_mention_chan(chunk: &[u8]) -> bool {
    if !chunk.starts_with(b"func") {
        return mentions_word(chunk, b"func");
    }
    let Some(body) = body_start(chunk) else {
        return true;
    };
    let Some(after_body) = end_of_block(chunk, body) else {
        return true;
    };
    mentions_word(&chunk[..body], b"chan") || !is_blank_code(&chunk[after_body..])
}

/// The end (just past its `}`) of the block whose `{` is at `open`, comments and literals
/// skipped; `None` when it does not close.
fn end_of_block(chunk: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for code in code_bytes(&chunk[open..]) {
        match code.ok()? {
            (_, b'{') => depth += 1,
            (at, b'}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(open + at + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether `bytes` holds nothing but white space and comments.
fn is_blank_code(bytes: &[u8]) -> bool {
    code_bytes(bytes).all(|code| code.is_ok_and(|(_, byte)| byte.is_ascii_whitespace()))
}

/// Where the body of the function `chunk` declares opens: its first `{` outside parentheses
/// and brackets that does not open a `struct` or `interface` type (whose braces are skipped,
/// nested ones too). Comments and literals are skipped. `None` when there is none.
fn body_start(chunk: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    // Braces open in the signature's types (`struct{ ... }`, `interface{ ... }`).
    let mut type_braces = 0usize;
    for code in code_bytes(chunk) {
        match code.ok()? {
            (_, b'(' | b'[') => depth += 1,
            (_, b')' | b']') => depth = depth.checked_sub(1)?,
            (at, b'{') => {
                let before = chunk[..at].trim_ascii_end();
                let opens_type = [&b"struct"[..], b"interface"].iter().any(|keyword| {
                    before
                        .strip_suffix(*keyword)
                        .is_some_and(|rest| !rest.last().is_some_and(|b| is_word_byte(*b)))
                });
                if depth == 0 && type_braces == 0 && !opens_type {
                    return Some(at);
                }
                if opens_type || type_braces > 0 {
                    type_braces += 1;
                }
            }
            (_, b'}') => type_braces = type_braces.checked_sub(1)?,
            _ => {}
        }
    }
    None
}

/// Whether `bytes` lexes as whole Go: every comment, string, rune and raw string closed, and
/// every bracket closed by its own kind, none before it is opened.
fn lexes_whole(bytes: &[u8]) -> bool {
    let mut open: Vec<u8> = Vec::new();
    for code in code_bytes(bytes) {
        let Ok((_, byte)) = code else {
            return false;
        };
        let opening = match byte {
            b'(' | b'[' | b'{' => {
                open.push(byte);
                continue;
            }
            b')' => b'(',
            b']' => b'[',
            b'}' => b'{',
            _ => continue,
        };
        if open.pop() != Some(opening) {
            return false;
        }
    }
    open.is_empty()
}

/// A comment or raw string left open: the text does not lex as whole.
struct Unclosed;

/// The bytes of `text` that are code, with their offsets, in order: comments are skipped, and
/// each string, rune or raw string literal is given as its opening quote alone. After a
/// comment or raw string left open, one `Err` and nothing more. A string or rune that does
/// not close ends at its line's end, where Go's lexer gives up on it too (so no line-start
/// cut of the outline can fall inside one).
fn code_bytes(text: &[u8]) -> impl Iterator<Item = Result<(usize, u8), Unclosed>> + '_ {
    let mut at = 0;
    let mut failed = false;
    std::iter::from_fn(move || {
        loop {
            if failed {
                return None;
            }
            let start = at;
            let byte = *text.get(start)?;
            match skip_non_code(text, start) {
                None => at = start + 1,
                Some(Ok((end, NonCode::Comment))) => {
                    at = end;
                    continue;
                }
                Some(Ok((end, NonCode::Literal))) => at = end,
                Some(Err(unclosed)) => {
                    failed = true;
                    return Some(Err(unclosed));
                }
            }
            return Some(Ok((start, byte)));
        }
    })
}

/// What `skip_non_code` skipped.
enum NonCode {
    Comment,
    Literal,
}

/// Where the comment or the string, rune or raw string literal that starts at `at` ends, and
/// which it was; `None` when neither starts there. A string or rune that does not close ends
/// at its line's end, where Go's lexer gives up on it too.
fn skip_non_code(text: &[u8], at: usize) -> Option<Result<(usize, NonCode), Unclosed>> {
    let after = &text[at + 1..];
    Some(match (text[at], after.first()) {
        (b'/', Some(b'/')) => Ok((
            at + memchr::memchr(b'\n', &text[at..]).unwrap_or(text.len() - at),
            NonCode::Comment,
        )),
        (b'/', Some(b'*')) => match memmem::find(&after[1..], b"*/") {
            Some(end) => Ok((at + 2 + end + 2, NonCode::Comment)),
            None => Err(Unclosed),
        },
        (b'"' | b'\'', _) => Ok((end_of_quoted(text, at).max(at + 1), NonCode::Literal)),
        (b'`', _) => match memchr::memchr(b'`', after) {
            Some(end) => Ok((at + 1 + end + 1, NonCode::Literal)),
            None => Err(Unclosed),
        },
        _ => return None,
    })
}

/// Whether the declaration `chunk` (from `outline`) can declare one of `names` where the
/// package index looks: a function or method of that name, or an interface method (any word of
/// a declaration that mentions `interface`: the index reads the methods of every interface it
/// is given, one written inside a function's body too). Linear in the chunk, whatever the
/// number of names.
pub fn may_declare<S: std::hash::BuildHasher>(
    chunk: &str,
    names: &std::collections::HashSet<&str, S>,
) -> bool {
    if chunk.starts_with("func") && declared_function_name(chunk).is_some_and(|n| names.contains(n))
    {
        return true;
    }
    memmem::find(chunk.as_bytes(), b"interface").is_some()
        && words(chunk).any(|word| names.contains(word))
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

/// The words of `words(text)` that can be a variable the statement declares or assigns:
/// all but those a `.` touches (white space between allowed), which are parts of a selector
/// (`s.done = make(chan T)`, `x := a.b; c := ...`) or of a qualified type (`var c chan
/// pkg.T = ...`). The analysis follows only a channel held by a variable: the target of a
/// channel make must be an identifier (see `facts::collect::make_sites`), and an identifier
/// next to a `.` is the operand or the field of a selector, never a whole target. Without
/// this, `ctr.waitCh = make(chan T)` made every call that takes `ctr` look like one that may
/// take the channel, and the function it calls was parsed for nothing.
///
/// Nor the words of an element of the left side that is an index expression (`waiting[c] =
/// make(chan T)`: a map entry, not a variable; `c` there is the key): an operand (words
/// joined by dots) then brackets, ending the element. A `var` spec's type may end in a
/// bracket too (`var c List[int] = ...`), but there a name and a type come before it, which
/// no operand has (`c List`), so it keeps its words.
fn assignable_words(text: &str) -> impl Iterator<Item = &str> {
    let indexed = index_elements(text);
    let bytes = text.as_bytes();
    let touches_dot = |mut before: usize, mut after: usize| {
        while before > 0 && matches!(bytes[before - 1], b' ' | b'\t') {
            before -= 1;
        }
        while after < bytes.len() && matches!(bytes[after], b' ' | b'\t') {
            after += 1;
        }
        (before > 0 && bytes[before - 1] == b'.') || bytes.get(after) == Some(&b'.')
    };
    words(text).filter(move |word| {
        // `word` is a subslice of `text`: its offset is the difference of the pointers.
        let start = word.as_ptr() as usize - text.as_ptr() as usize;
        !touches_dot(start, start + word.len())
            && !indexed.iter().any(|element| element.contains(&start))
    })
}

/// The byte ranges of the comma-separated elements of `text` that are index expressions
/// (see `assignable_words`). A comma inside brackets splits an element in two pieces, neither
/// of which is then taken for one: only more words are kept.
fn index_elements(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut elements = Vec::new();
    let mut start = 0;
    for piece in text.split(',') {
        let range = start..start + piece.len();
        start = range.end + 1;
        let element = piece.trim();
        let Some(open) = element.find('[') else {
            continue;
        };
        let head = element[..open].trim_end();
        let is_operand = !head.is_empty()
            && head.split('.').all(|part| {
                let part = part.trim();
                !part.is_empty() && part.bytes().all(is_word_byte)
            });
        if element.ends_with(']') && is_operand {
            elements.push(range);
        }
    }
    elements
}

/// Whether the declaration `chunk` may call one of `names` (any word of it is one): a
/// superset, linear in the chunk whatever the number of names.
pub fn may_call<S: std::hash::BuildHasher>(
    chunk: &str,
    names: &std::collections::HashSet<&str, S>,
) -> bool {
    chunk.starts_with("func") && words(chunk).any(|word| names.contains(word))
}

/// A search for any of a few names as plain bytes (also inside longer words, comments and
/// strings): a text in which none occurs contains none of them as a word either, whatever
/// `words` or `mentions_word` would call a word, so the costlier word-by-word test of
/// `may_call` can be skipped. One pass over the text per name, so beyond `MAX_NAMES` names
/// it does not search and answers that any may occur (the cost stays linear in the text).
pub struct Mentions<'n> {
    finders: Option<Vec<memmem::Finder<'n>>>,
}

impl<'n> Mentions<'n> {
    const MAX_NAMES: usize = 16;

    pub fn new<S: std::hash::BuildHasher>(names: &std::collections::HashSet<&'n str, S>) -> Self {
        let finders = (names.len() <= Self::MAX_NAMES).then(|| {
            names
                .iter()
                .map(|name| memmem::Finder::new(name.as_bytes()))
                .collect()
        });
        Mentions { finders }
    }

    /// `false` only when none of the names occurs in `text`.
    pub fn may_occur_in(&self, text: &[u8]) -> bool {
        match &self.finders {
            Some(finders) => finders.iter().any(|finder| finder.find(text).is_some()),
            None => true,
        }
    }
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
/// without parsing: the variables on the left of each `make(chan` line, then, for every
/// mention of one of them, the call whose parentheses are the innermost around it, however
/// many lines the call spans (`wait(\n\tctx,\n\tc,\n)`). One pass over the chunk that skips
/// comments, strings and rune literals, so a parenthesis in one cannot pair with the code's.
pub fn channel_callees(chunk: &str) -> Vec<&str> {
    let bytes = chunk.as_bytes();
    let mut variables: Vec<&str> = Vec::new();
    for at in channel_make_sites(bytes) {
        if let Some(left) = assigned_before(chunk, at) {
            variables.extend(assignable_words(left).filter(|word| *word != "var"));
        }
    }
    if variables.is_empty() {
        return Vec::new();
    }
    // Looked up for every word of the chunk: a fast hash (the words are the code's own).
    let variables: foldhash::HashSet<&str> = variables.into_iter().collect();
    // The open parentheses, innermost last: the name of the call each one opens, if any.
    let mut open: Vec<Option<&str>> = Vec::new();
    let mut callees = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            // A comment or literal left open runs to the end: nothing after it is code.
            b'/' | b'"' | b'\'' | b'`' if let Some(skipped) = skip_non_code(bytes, at) => {
                at = skipped.map_or(bytes.len(), |(end, _)| end);
            }
            b'(' => {
                // The name just before it, white space allowed (`wait (c)`).
                let before = chunk[..at].trim_end_matches([' ', '\t']);
                let name_start = before
                    .bytes()
                    .rposition(|b| !is_word_byte(b))
                    .map_or(0, |i| i + 1);
                open.push((name_start < before.len()).then(|| &before[name_start..]));
                at += 1;
            }
            b')' => {
                open.pop();
                at += 1;
            }
            _ if is_word_byte(byte) => {
                let end = at + bytes[at..].iter().take_while(|b| is_word_byte(**b)).count();
                if variables.contains(&chunk[at..end])
                    && let Some(Some(callee)) = open.last()
                {
                    callees.push(*callee);
                }
                at = end;
            }
            _ => at += 1,
        }
    }
    callees
}

/// Past the end of the string or rune literal that starts at `at` (with its escapes); the end
/// of the line when it is not closed there, as Go would reject it.
fn end_of_quoted(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    let mut index = at + 1;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            b'\n' => return index,
            b if b == quote => return index + 1,
            _ => index += 1,
        }
    }
    bytes.len()
}

/// The left side of the `=` or `:=` right before the `make` at `make` (white space and line
/// breaks allowed between them: `c :=` may end the line before), from where its statement
/// starts: after the last line break, `;`, brace, parenthesis or other `=` before it. `None`
/// when the `make` does not follow an assignment. Each site looks back over its own left side
/// only, so any number of makes on one line costs one pass over it.
fn assigned_before(chunk: &str, make: usize) -> Option<&str> {
    let bytes = chunk.as_bytes();
    let before = bytes[..make].trim_ascii_end();
    let end = before
        .strip_suffix(b":=")
        .or_else(|| before.strip_suffix(b"="))?
        .len();
    let start = bytes[..end]
        .iter()
        .rposition(|b| matches!(b, b'\n' | b';' | b'{' | b'}' | b'(' | b')' | b'='))
        .map_or(0, |i| i + 1);
    Some(&chunk[start..end])
}

/// The names that `go name(...)` and `go x.name(...)` call in `text`, found without parsing
/// (a superset: a match in a comment or string only costs a little more parsing). Go allows
/// white space, line breaks and comments after `go`, around the dots and before the `(`
/// (`go worker (c)` in unformatted code): they are skipped, since the parser resolves the call
/// all the same.
pub fn goroutine_callees(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    memmem::find_iter(bytes, b"go").filter_map(move |at| {
        if at > 0 && is_word_byte(bytes[at - 1]) {
            return None;
        }
        // A window of 512 bytes keeps the cost linear on hostile text (`go /* go /* ...`);
        // a callee that far from its `go` is not code anyone writes.
        let bytes = &bytes[..bytes.len().min(at + 512)];
        let mut cursor = at + 2;
        if bytes.get(cursor).is_some_and(|b| is_word_byte(*b)) {
            return None;
        }
        // The dotted callee, `worker` or `p.work`: the name is its last part.
        let name = loop {
            cursor = skip_blank(bytes, cursor);
            let start = cursor;
            cursor += bytes[start..]
                .iter()
                .take_while(|b| is_word_byte(**b))
                .count();
            if cursor == start {
                return None;
            }
            let name = &text[start..cursor];
            cursor = skip_blank(bytes, cursor);
            if bytes.get(cursor) != Some(&b'.') {
                break name;
            }
            cursor += 1;
        };
        if bytes.get(cursor) != Some(&b'(') {
            return None;
        }
        // `go func() { ... }()` starts a closure, not a named function.
        (name != "func").then_some(name)
    })
}

/// `at` moved past white space (line breaks included) and comments.
fn skip_blank(bytes: &[u8], mut at: usize) -> usize {
    loop {
        at += bytes[at.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let rest = &bytes[at.min(bytes.len())..];
        if rest.starts_with(b"//") {
            at += rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        } else if rest.starts_with(b"/*") {
            at += memmem::find(&rest[2..], b"*/").map_or(rest.len(), |end| end + 4);
        } else {
            return at;
        }
    }
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
    fn a_declaration_leaks_what_it_makes_only_with_a_goroutine_or_a_returned_channel() {
        let body = "{\n\tc := make(chan int)\n\t_ = c\n}\n";
        assert!(!may_leak_what_it_makes(&format!("func f() {body}")));
        assert!(!may_leak_what_it_makes(&format!(
            "func (s *S) f() []int {body}"
        )));
        // Words that only contain `go` or `Go` are not goroutines.
        assert!(!may_leak_what_it_makes(
            "func f() {\n\tgopher, ago, Gone := 1, 2, 3\n}\n"
        ));
        assert!(may_leak_what_it_makes("func f() {\n\tgo g()\n}\n"));
        assert!(may_leak_what_it_makes("func f() {\n\tgo(g)()\n}\n"));
        assert!(may_leak_what_it_makes("func f() {\n\tgo/* c */g()\n}\n"));
        assert!(may_leak_what_it_makes(
            "func f() {\n\twg.Go(func() {})\n}\n"
        ));
        assert!(may_leak_what_it_makes(&format!(
            "func f() <-chan int {body}"
        )));
        assert!(may_leak_what_it_makes(&format!(
            "func f() (chan int, error) {body}"
        )));
        assert!(may_leak_what_it_makes(&format!(
            "func (s *S) f() chan<- int {body}"
        )));
    }

    #[test]
    fn a_chan_in_the_signature_is_told_from_one_in_the_body() {
        let body = "{\n\tc := make(chan int)\n\tvar d chan int\n\t_ = d\n}\n";
        let with =
            |signature: &str| signature_may_mention_chan(format!("{signature} {body}").as_bytes());
        assert!(!with("func f()"));
        assert!(!with(
            "func (s *S) f(m map[string]struct{ n int }) (x interface{ M() }, err error)"
        ));
        assert!(!with("func f[T interface{ ~int }](t T) T"));
        assert!(with("func f() <-chan int"));
        assert!(with("func f(c chan<- int)"));
        assert!(with(
            "func (w *Watcher) Watch(p map[string]struct{}) <-chan int"
        ));
        assert!(with("func f() (m map[string]struct{}, c chan int)"));
        assert!(with("func f() interface{ C() chan int }"));
        assert!(with("func f() /* { */ chan int"));
        // Not a function: nothing to return a channel from, unless one may follow it.
        assert!(!signature_may_mention_chan(b"var c = make(chan int)\n"));
        assert!(signature_may_mention_chan(b"var c = 1\n func f() {}\n"));
        // A second function after the first, in unformatted code: not read, so counted.
        assert!(with("func a() int { return 1 }\n func b()"));
        assert!(!with("func a() // trailing\n/* and more */"));
        // No body to be found (a declaration without one, or a signature left open): counted.
        assert!(signature_may_mention_chan(b"func f() int\n"));
        assert!(signature_may_mention_chan(b"func f(s string = `{\n"));
    }

    #[test]
    fn a_chunk_lexes_whole_only_with_everything_closed() {
        assert!(lexes_whole(
            b"func f() {\n\ts := `{`\n\t_ = '}' + \"(\"[0] // )\n}\n"
        ));
        assert!(lexes_whole(b"func f() {\n\t/* } */\n}\n"));
        assert!(!lexes_whole(b"func f() {\n\ts := `\n"));
        assert!(!lexes_whole(b"func f() {\n\t/* open\n"));
        assert!(!lexes_whole(b"func f() {\n\tx := )\n}\n"));
        assert!(!lexes_whole(b"func f() {\n\tx := [1}\n"));
        assert!(!lexes_whole(b"func f() {\n"));
    }

    #[test]
    fn finds_the_names_goroutines_call() {
        let names: Vec<&str> =
            goroutine_callees("go worker(q)\n\tgo p.work(q)\ngo func() {}()\nargo x(1)\n")
                .collect();
        assert_eq!(names, ["worker", "work"]);
        // Unformatted, but what Go (and the parser) reads as the same calls.
        let names: Vec<&str> = goroutine_callees(
            "go worker (q)\ngo /* why */ p.\n\twork(q)\ngo\tdrain\t(q)\ngox(1)\ngo f[int](q)\n",
        )
        .collect();
        assert_eq!(names, ["worker", "work", "drain"]);
    }

    #[test]
    fn makes_on_one_line_look_back_over_their_own_statement_only() {
        let left = |text: &'static str| assigned_before(text, text.find("make").unwrap());
        assert_eq!(left("\tc := make(chan int)"), Some("\tc "));
        assert_eq!(left("\tc :=\n\t\tmake(chan int)"), Some("\tc "));
        assert_eq!(left("var (\n\tc, d = make"), Some("\tc, d "));
        assert_eq!(left("x := a; c := make"), Some(" c "));
        assert_eq!(left("f(make"), None);
        // Many makes on one line: each sees its own name, and the work is one pass.
        let line: String = (0..20_000)
            .map(|i| format!("c{i} := make(chan int); "))
            .collect();
        let chunk = format!("func f() {{\n\t{line}wait(c19999)\n}}\n");
        assert_eq!(channel_callees(&chunk), ["wait"]);
    }

    #[test]
    fn finds_the_calls_a_made_channel_is_passed_to() {
        let chunk = "func f(ctx context.Context) int {\n\tc := make(chan int)\n\tlog.Print(\"(\", ')', `(`) // (\n\t/* ( */ go func() { c <- 1 }()\n\tx := wait(\n\t\tctx,\n\t\tc,\n\t)\n\treturn p.drain (ctx, first(c)) + other(x)\n}\n";
        assert_eq!(channel_callees(chunk), ["wait", "first"]);
        assert!(channel_callees("func f() {\n\twait(c)\n}\n").is_empty());
        // A channel stored in a field is not followed: the struct it is in is not a channel.
        let chunk = "func f(ctr *C) {\n\tctr.waitCh = make(chan int)\n\tx := a.b; c := make(chan int)\n\tvar d chan pkg.T = make(chan pkg.T)\n\tstart(ctr)\n\trun(a, x)\n\twait(c)\n\tdrain(d)\n\tuse(pkg.T{})\n}\n";
        let callees = channel_callees(chunk);
        assert!(["wait", "drain"].iter().all(|c| callees.contains(c)));
        assert!(!callees.contains(&"start") && !callees.contains(&"use"));
        // `x := a.b;` is another statement than the make's: `x` is not its channel.
        assert!(!callees.contains(&"run"));
        // A channel kept in a map: the key is not a channel.
        let chunk = "func f(c *C, m map[int]chan int) {\n\twaiting[c] = make(chan int)\n\tm [c.id] = make(chan int)\n\tstart(c)\n\tvar d List[int] = make(chan int)\n\twait(d)\n}\n";
        let callees = channel_callees(chunk);
        assert!(callees.contains(&"wait") && !callees.contains(&"start"));
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
    fn mentions_are_searched_only_for_a_few_names() {
        let names: std::collections::HashSet<&str> = ["lookup", "fetch"].into_iter().collect();
        let mentions = Mentions::new(&names);
        assert!(mentions.may_occur_in(b"x := <-lookup()"));
        assert!(mentions.may_occur_in(b"prefetching"));
        assert!(!mentions.may_occur_in(b"look up; fet ch"));
        let many: Vec<String> = (0..=Mentions::MAX_NAMES).map(|i| format!("f{i}")).collect();
        let many: std::collections::HashSet<&str> = many.iter().map(String::as_str).collect();
        assert!(Mentions::new(&many).may_occur_in(b"none of them"));
        let none = std::collections::HashSet::new();
        assert!(!Mentions::new(&none).may_occur_in(b"anything"));
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
    let starts: Vec<usize> = line_starts(bytes)
        .filter(|&start| starts_declaration(&bytes[start..]))
        .collect();
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
    fn every_line_start_is_looked_at_up_to_the_last() {
        // (header end, each declaration's start and end)
        let starts = |text: &str| {
            let outline = outline(text);
            let declarations: Vec<(usize, usize)> = outline
                .declarations
                .iter()
                .map(|range| (range.start, range.end))
                .collect();
            (outline.header.end, declarations)
        };
        assert_eq!(starts(""), (0, vec![]));
        assert_eq!(starts("func"), (4, vec![]));
        assert_eq!(starts("func f() {}"), (0, vec![(0, 11)]));
        assert_eq!(starts("\nvar x = 1\n"), (1, vec![(1, 11)]));
        assert_eq!(
            starts("package p\nconst\ttype T int\r\nfunction()\ntype(\n"),
            (10, vec![(10, 39), (39, 45)])
        );
    }

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

/// The imports of a header (`outline`'s) that holds nothing but a package clause, import
/// declarations and comments, each spec as its alias (if any) and its path literal with the
/// quotes; `None` for any other header. Such a header need not be parsed: imports are all the
/// analysis reads of it (see `package::import_names`), and these are the same specs the
/// parser would find. Only the plain layout gofmt writes is read (one spec per line, no
/// escapes, no semicolons, no block comment between tokens); anything else, and any doubt, is
/// `None`, and the header is parsed as before.
pub fn header_imports(header: &str) -> Option<Vec<(Option<&str>, &str)>> {
    let bytes = header.as_bytes();
    let mut at = skip_lines(bytes, 0)?;
    at = keyword(bytes, at, b"package")?;
    let name_end = word_end(bytes, at);
    if name_end == at || !bytes[at].is_ascii_alphabetic() && bytes[at] != b'_' {
        return None;
    }
    at = end_of_line(bytes, name_end)?;
    let mut imports = Vec::new();
    loop {
        at = skip_lines(bytes, at)?;
        if at == bytes.len() {
            return Some(imports);
        }
        at = keyword(bytes, at, b"import")?;
        if bytes.get(at) == Some(&b'(') {
            at += 1;
            at = end_of_line(bytes, at)?;
            loop {
                at = skip_lines(bytes, at)?;
                if bytes.get(at) == Some(&b')') {
                    at = end_of_line(bytes, at + 1)?;
                    break;
                }
                let (spec, end) = import_spec(header, at)?;
                imports.push(spec);
                at = end_of_line(bytes, end)?;
            }
        } else {
            let (spec, end) = import_spec(header, at)?;
            imports.push(spec);
            at = end_of_line(bytes, end)?;
        }
    }
}

/// `[name] "path"` at `at` (white space after it skipped), and where it ends.
fn import_spec(header: &str, mut at: usize) -> Option<((Option<&str>, &str), usize)> {
    let bytes = header.as_bytes();
    let mut alias = None;
    if matches!(bytes.get(at), Some(b'.')) {
        alias = Some(&header[at..at + 1]);
        at = spaces(bytes, at + 1);
    } else if bytes
        .get(at)
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        let end = word_end(bytes, at);
        // A word must be followed by white space, then the path.
        if !matches!(bytes.get(end), Some(b' ' | b'\t')) {
            return None;
        }
        alias = Some(&header[at..end]);
        at = spaces(bytes, end);
    }
    let quote = *bytes.get(at).filter(|b| matches!(b, b'"' | b'`'))?;
    let close = at + 1 + memchr::memchr(quote, &bytes[at + 1..])?;
    // No escape and no line break inside: the plain paths every import has.
    if bytes[at + 1..close]
        .iter()
        .any(|b| matches!(b, b'\\' | b'\n' | b'\r'))
    {
        return None;
    }
    Some(((alias, &header[at..=close]), close + 1))
}

/// Past `keyword` at `at`, which must be followed by a space or a tab (skipped too), or, for
/// `import`, by `(`.
fn keyword(bytes: &[u8], at: usize, keyword: &[u8]) -> Option<usize> {
    if !bytes[at..].starts_with(keyword) {
        return None;
    }
    let after = at + keyword.len();
    match bytes.get(after) {
        Some(b' ' | b'\t') => Some(spaces(bytes, after)),
        Some(b'(') if keyword == b"import" => Some(after),
        _ => None,
    }
}

/// Past an ASCII identifier's bytes starting at `at` (none: `at`).
fn word_end(bytes: &[u8], at: usize) -> usize {
    at + bytes[at..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count()
}

fn spaces(bytes: &[u8], at: usize) -> usize {
    at + bytes[at..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count()
}

/// Past the rest of a line that must hold nothing more than white space and a `//` comment,
/// and its line break; `None` if it holds anything else or has no line break.
fn end_of_line(bytes: &[u8], at: usize) -> Option<usize> {
    let mut at = spaces(bytes, at);
    if bytes[at..].starts_with(b"//") {
        at += memchr::memchr(b'\n', &bytes[at..])?;
    }
    if bytes.get(at) == Some(&b'\r') {
        at += 1;
    }
    (bytes.get(at) == Some(&b'\n')).then_some(at + 1)
}

/// Past white space, line breaks and comments (a block comment must be closed); `None` if a
/// line holds a block comment with something after it on its last line, or anything not ASCII
/// before code (a byte order mark, say): left to the parser.
fn skip_lines(bytes: &[u8], mut at: usize) -> Option<usize> {
    loop {
        at += bytes[at..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        let rest = &bytes[at..];
        if rest.starts_with(b"//") {
            at += memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        } else if rest.starts_with(b"/*") {
            let end = at + 2 + memmem::find(&rest[2..], b"*/")? + 2;
            // Code after a block comment on the same line would follow it with no line break.
            let after = spaces(bytes, end);
            if !matches!(bytes.get(after), None | Some(b'\n' | b'\r'))
                && !bytes[after..].starts_with(b"//")
            {
                return None;
            }
            at = end;
        } else {
            return Some(at);
        }
    }
}

/// Where `outline(text).header` ends, found without outlining the rest of the text: the
/// search for line starts stops at the first declaration.
pub fn header_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    line_starts(bytes)
        .find(|&start| starts_declaration(&bytes[start..]))
        .unwrap_or(bytes.len())
}

/// Every line's start in `bytes`, in order, from one search for line breaks over the text (a
/// search per line cost more than the lines).
fn line_starts(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', bytes).map(|end| end + 1))
        .filter(move |&start| start < bytes.len())
}

/// Whether `line` (the text from a line's start) starts a top-level declaration: `func`,
/// `type`, `var` or `const` at column 0, then white space or `(`. Most lines start with none
/// of the keywords' letters.
fn starts_declaration(line: &[u8]) -> bool {
    line.first()
        .is_some_and(|first| matches!(first, b'f' | b't' | b'v' | b'c'))
        && ["func", "type", "var", "const"].iter().any(|keyword| {
            line.starts_with(keyword.as_bytes())
                && line
                    .get(keyword.len())
                    .is_some_and(|b| matches!(b, b' ' | b'\t' | b'(' | b'\r' | b'\n'))
        })
}

#[cfg(test)]
mod header_tests {
    use super::*;

    #[test]
    fn reads_the_imports_of_a_plain_header() {
        let header = "// Package p does.\n//go:build linux\n\n/* a\nb */\npackage p // p\n\nimport \"fmt\"\nimport (\n\t\"context\" // why\n\n\tyaml \"gopkg.in/yaml.v3\"\n\t. \"strings\"\n\t_ `embed`\n\t// c\n)\r\nimport(\n)\n\n";
        assert_eq!(
            header_imports(header),
            Some(vec![
                (None, "\"fmt\""),
                (None, "\"context\""),
                (Some("yaml"), "\"gopkg.in/yaml.v3\""),
                (Some("."), "\"strings\""),
                (Some("_"), "`embed`"),
            ])
        );
        assert_eq!(header_imports("package p\n"), Some(vec![]));
        assert_eq!(
            header_end(&format!("{header}func f() {{}}\n")),
            header.len()
        );
    }

    #[test]
    fn leaves_any_other_header_to_the_parser() {
        for header in [
            "",
            "package p",
            "\u{feff}package p\n",
            "package p; import \"fmt\"\n",
            "package p\nimport \"fmt\"; import \"os\"\n",
            "package p\nimport \"a\\x41\"\n",
            "package p\nimport (\"fmt\")\n",
            "package p\nimport (\n\t\"fmt\"; \"os\"\n)\n",
            "package p\n/* x */ import \"fmt\"\n",
            "package p\nimport \"fmt\"\n /* open\n",
            "package p\nimport\n\"fmt\"\n",
            "package p\nimport f\n\"fmt\"\n",
            "package p\n func f() {}\n",
            "package p\nvar x = 1\n",
            "package p\nimport \"fmt\n",
        ] {
            assert_eq!(header_imports(header), None, "{header:?}");
        }
    }
}
