//! The stop-channel rewrite (GFix, ASPLOS'21), byte-precise: for a sender that a buffer cannot
//! fix, the function gets a channel that is closed exactly when it returns,
//!
//! ```go
//! out := make(chan T)
//! done := make(chan struct{})   // inserted, at the declaration's indentation
//! defer close(done)             // inserted
//! ```
//!
//! and each blocking send of the goroutine gives up once that has happened:
//!
//! ```go
//! select {
//! case out <- v:
//! case <-done:
//!     return
//! }
//! ```
//!
//! While the function runs, `done` is open and the `select` waits for the send exactly as the
//! bare send did; once it has returned nobody can receive any more, and the sender returns
//! instead of blocking forever. A context whose cancel the function defers, made from
//! `context.Background()` or `context.TODO()` (so that nothing but that `defer` cancels it),
//! is used instead of a new channel when the goroutine can see it.
//!
//! The safety argument, which `codemods/abandoned-producers/README.md` states for readers, is
//! checked here; the callers check what is particular to their leak (who receives, when the
//! function stops).

use super::CodemodContext;
use crate::edit::{Applicability, Edit, Fix};
use crate::facts::{Channel, ChannelUse, Context, Goroutine, GoroutineKind, UseKind};
use crate::package::FileId;
use crate::source::{end_of_line_after, indentation_at};
use crate::syntax::{self, call_arguments, callee_name, kind_of, text};
use tree_sitter::Node;

/// The rewrite for one channel and its sending goroutine.
pub struct StopChannelFix {
    /// Edits by file: the function's own file, and the goroutine's function's file when that
    /// is another file of the package.
    pub edits: Vec<(FileId, Edit)>,
    pub applicability: Applicability,
    /// What the sender gives up on: `done`, `done2`, or `ctx.Done()`.
    pub signal: String,
    /// Why the fix is unsafe, when it is.
    pub caveat: Option<String>,
}

impl StopChannelFix {
    /// When the sender gives up, for fix descriptions: "`done` is closed, which a `defer
    /// close` does when the function returns", or the same of the context.
    pub fn gives_up_when(&self) -> String {
        match self.signal.strip_suffix(".Done()") {
            Some(ctx) => format!(
                "`{ctx}` is cancelled, which its deferred cancel does when the function returns"
            ),
            None => format!(
                "`{}` is closed, which a `defer close` does when the function returns",
                self.signal
            ),
        }
    }

    /// The fix, described by `description` (and the caveat, when unsafe): the edits in `file`
    /// (the finding's), and those in another file of the package (a producer function
    /// declared there) as the fix's `other_files`, applied together or not at all.
    pub fn into_fix(self, description: String, context: &CodemodContext) -> Option<Fix> {
        let file = context.facts.file;
        let description = match &self.caveat {
            Some(caveat) => format!("{description} (unsafe: {caveat})"),
            None => description,
        };
        let mut own = Vec::new();
        let mut elsewhere: std::collections::BTreeMap<FileId, Vec<Edit>> = Default::default();
        for (in_file, edit) in self.edits {
            if in_file == file {
                own.push(edit);
            } else {
                elsewhere.entry(in_file).or_default().push(edit);
            }
        }
        if own.is_empty() {
            return None;
        }
        let mut fix = Fix::new(self.applicability, description, own);
        fix.stop_channel = true;
        for (other, edits) in elsewhere {
            let path = context.package.files[other].source.display_path.clone();
            fix = fix.with_edits_in(other, path, edits);
        }
        Some(fix)
    }
}

/// The stop-channel rewrite of `sends` (the goroutine's sends on `channel`, none in a
/// `select`), or why it cannot be made.
pub fn stop_channel_fix(
    context: &CodemodContext,
    channel: &Channel,
    goroutine: &Goroutine,
    sends: &[&ChannelUse],
) -> Result<StopChannelFix, String> {
    let facts = context.facts;
    let source = context.source;
    let body = goroutine
        .body
        .ok_or("the goroutine's function is not in this package")?;
    let body_source = context.package.source(goroutine.body_file);
    let function = body.parent().ok_or("the goroutine has no function")?;
    // `return` in the select must be legal as written: a function without results.
    if function.child_by_field_name("result").is_some() {
        return Err(
            "the goroutine's function has results, so a bare `return` is not legal there".into(),
        );
    }
    if let GoroutineKind::Group { .. } = goroutine.kind {
        return Err("a function given to `Go` returns a value".into());
    }
    // A sender started in a loop of the function would wait on `done` until the function
    // returns rather than until its own iteration ends; and `defer` in a loop piles up.
    if syntax::ancestors_until(channel.scope, facts.body).any(syntax::is_loop) {
        return Err("the channel is made in a loop".into());
    }
    // What the function already has that ends exactly when it returns, which a closure can
    // wait on: a context whose cancel it defers, or a channel it closes with a `defer`.
    let existing_signal = match goroutine.kind {
        GoroutineKind::Closure => cancelled_context(context, channel, sends)
            .map(|ctx| format!("{ctx}.Done()"))
            .or_else(|| closed_at_return(context, channel, sends)),
        _ => None,
    };
    let mut edits: Vec<(FileId, Edit)> = Vec::new();
    let signal = match existing_signal {
        Some(signal) => signal,
        None => {
            let others: &[(Node, &str)] = match goroutine.kind {
                GoroutineKind::Call => &[(function, body_source)],
                _ => &[],
            };
            let name = fresh_name(facts.function, source, others);
            edits.push((facts.file, declare_done(source, channel, &name)?));
            if let GoroutineKind::Call = goroutine.kind {
                edits.extend(pass_done(context, goroutine, function, &name)?);
            }
            name
        }
    };
    for send in sends {
        let UseKind::Send {
            statement,
            in_select: false,
            ..
        } = send.kind
        else {
            return Err("a send is already in a select".into());
        };
        let send_source = context.package.source(send.file);
        edits.push((send.file, select_on_stop(send_source, statement, &signal)?));
    }
    if let Some(line) = other_channel_wait(body, sends) {
        return Err(format!(
            "the goroutine also waits on a channel at line {line}, where it can block for ever too; the stop channel would free only its sends"
        ));
    }
    let caveat = deferred_work(body, body_source, channel, goroutine)
        .or_else(|| release_skipped(body, body_source, sends));
    Ok(StopChannelFix {
        edits,
        applicability: if caveat.is_some() {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        signal,
        caveat,
    })
}

/// `select { case c <- v: case <-signal: return }` in place of the send `statement`, which must
/// be a statement on its own lines: the `select` keeps its indentation, the cases are written
/// at it (as gofmt does) and `return` one tab deeper; the send's text is copied as it is, so a
/// value over several lines keeps its layout and its comments; a comment after the send stays
/// after the closing brace.
fn select_on_stop(source: &str, statement: Node, signal: &str) -> Result<Edit, String> {
    if statement
        .parent()
        .is_none_or(|p| kind_of(p) != "statement_list")
    {
        return Err("a send is not a statement of its own (labelled, or in a case header)".into());
    }
    let indentation =
        own_line_indentation(source, statement).ok_or("a send shares its line with other code")?;
    let (_, eol) = end_of_line_after(source, statement.end_byte())
        .ok_or("other code follows a send on its line")?;
    let send = text(statement, source);
    Ok(Edit::replacement(
        statement.byte_range(),
        format!(
            "select {{{eol}{indentation}case {send}:{eol}{indentation}case <-{signal}:{eol}{indentation}\treturn{eol}{indentation}}}"
        ),
    ))
}

/// The indentation of `node` when only whitespace precedes it on its line.
fn own_line_indentation<'s>(source: &'s str, node: Node) -> Option<&'s str> {
    let indentation = indentation_at(source, node.start_byte());
    let line_start = source[..node.start_byte()].rfind('\n').map_or(0, |i| i + 1);
    (line_start + indentation.len() == node.start_byte()).then_some(indentation)
}

/// `name := make(chan struct{})` and `defer close(name)` on the lines after the channel's
/// declaration, at its indentation, with the line ending of that line.
fn declare_done(source: &str, channel: &Channel, name: &str) -> Result<Edit, String> {
    let indentation = own_line_indentation(source, channel.declaration)
        .ok_or("the channel's declaration shares its line with other code")?;
    let (at, eol) = end_of_line_after(source, channel.declaration.end_byte())
        .ok_or("other code follows the channel's declaration on its line")?;
    Ok(Edit::insertion(
        at,
        format!(
            "{eol}{indentation}{name} := make(chan struct{{}}){eol}{indentation}defer close({name})"
        ),
    ))
}

/// For `go produce(ctx, out)`: the stop channel becomes `produce`'s last parameter and the
/// `go` statement's last argument. Only when that changes no other caller: `produce` is an
/// unexported function (not a method) whose name the package's files mention nowhere else
/// than its declaration and this `go` statement, with no variadic parameter.
fn pass_done(
    context: &CodemodContext,
    goroutine: &Goroutine,
    function: Node,
    name: &str,
) -> Result<Vec<(FileId, Edit)>, String> {
    let callee_source = context.package.source(goroutine.body_file);
    if kind_of(function) != "function_declaration" {
        return Err("the goroutine runs a method, whose signature other code may rely on".into());
    }
    let callee = function
        .child_by_field_name("name")
        .map(|n| text(n, callee_source))
        .ok_or("the goroutine's function has no name")?;
    if !callee.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
        return Err(format!(
            "`{callee}` is exported: callers outside the package would break"
        ));
    }
    let mentions: usize = context
        .package
        .files
        .iter()
        .map(|file| word_occurrences(&file.source.text, callee))
        .sum();
    if mentions != 2 {
        return Err(format!(
            "`{callee}` is named elsewhere in the package than its declaration and this `go` statement"
        ));
    }
    let parameters = function
        .child_by_field_name("parameters")
        .ok_or("no parameter list")?;
    let mut cursor = parameters.walk();
    let declared: Vec<Node> = parameters
        .named_children(&mut cursor)
        .filter(|p| kind_of(p) != "comment")
        .collect();
    if declared
        .iter()
        .any(|p| kind_of(p) == "variadic_parameter_declaration")
    {
        return Err(format!("`{callee}` is variadic"));
    }
    let parameter = match declared.last() {
        Some(last) => Edit::insertion(last.end_byte(), format!(", {name} <-chan struct{{}}")),
        None => Edit::insertion(
            parameters.start_byte() + 1,
            format!("{name} <-chan struct{{}}"),
        ),
    };
    let call = goroutine
        .start
        .named_child(0)
        .filter(|c| kind_of(c) == "call_expression")
        .ok_or("the go statement does not call")?;
    let arguments = call_arguments(call);
    let argument = match arguments.last() {
        Some(last) if kind_of(last) == "variadic_argument" => {
            return Err("the go statement spreads a slice into the call".into());
        }
        Some(last) => Edit::insertion(last.end_byte(), format!(", {name}")),
        None => Edit::insertion(
            call.child_by_field_name("arguments")
                .ok_or("no arguments")?
                .start_byte()
                + 1,
            name.to_string(),
        ),
    };
    Ok(vec![
        (goroutine.body_file, parameter),
        (context.facts.file, argument),
    ])
}

/// How often `word` occurs in the Go source `text` as a whole word (identifier characters on
/// neither side) outside comments, string and rune literals: a lexical count, since the
/// package's files are parsed only where a finding can be.
fn word_occurrences(text: &str, word: &str) -> usize {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let mut count = 0;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n);
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = memchr::memmem::find(&bytes[at + 2..], b"*/")
                    .map_or(bytes.len(), |n| at + n + 4);
            }
            b'`' => {
                at = memchr::memchr(b'`', &bytes[at + 1..]).map_or(bytes.len(), |n| at + n + 2);
            }
            quote @ (b'"' | b'\'') => {
                at += 1;
                while at < bytes.len() && bytes[at] != quote && bytes[at] != b'\n' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
                at += 1;
            }
            b if is_word(b) => {
                let start = at;
                while at < bytes.len() && is_word(bytes[at]) {
                    at += 1;
                }
                if &bytes[start..at] == word.as_bytes() {
                    count += 1;
                }
            }
            _ => at += 1,
        }
    }
    count
}

/// `done`, or `done2`, `done3`...: the first that no identifier, type name or package name in
/// `function` (and in `others`, the goroutine's function when it is a named one) spells. Then
/// the new variable neither shadows a name the code uses nor is shadowed where it is used, and
/// `:=` cannot collide with a variable of the same name.
pub fn fresh_name(function: Node, source: &str, others: &[(Node, &str)]) -> String {
    let mut taken = std::collections::HashSet::new();
    for (node, text_of) in std::iter::once((function, source)).chain(others.iter().copied()) {
        syntax::visit(node, &mut |n| {
            if matches!(
                kind_of(n),
                "identifier" | "type_identifier" | "package_identifier"
            ) {
                let name = text(n, text_of);
                if name.starts_with("done") {
                    taken.insert(name.to_string());
                }
            }
            syntax::Visit::Descend
        });
    }
    (1..)
        .map(|n| {
            if n == 1 {
                "done".to_string()
            } else {
                format!("done{n}")
            }
        })
        .find(|name| !taken.contains(name))
        .expect("some name is free")
}

/// `ctx` when the function has `ctx, cancel := context.WithCancel(context.Background())` (or
/// `context.TODO()`) and `defer cancel()` before the channel is made, in blocks around it, and
/// does nothing else with `cancel`: then `ctx` is cancelled exactly when the function returns.
/// The goroutine must see that same `ctx` at every send. (A context made from another one is
/// also cancelled when that one is: the sender could stop while the function still receives.)
fn cancelled_context(
    context: &CodemodContext,
    channel: &Channel,
    sends: &[&ChannelUse],
) -> Option<String> {
    let facts = context.facts;
    let source = context.source;
    let enclosing: Vec<Node> = std::iter::once(channel.declaration)
        .chain(syntax::ancestors_until(channel.declaration, facts.body))
        .collect();
    let mut deferred: Vec<&str> = Vec::new();
    let mut candidates: Vec<(Node, Node)> = Vec::new();
    for window in enclosing.windows(2) {
        let (inner, list) = (window[0], window[1]);
        if kind_of(list) != "statement_list" {
            continue;
        }
        let mut cursor = list.walk();
        for statement in list
            .named_children(&mut cursor)
            .filter(|s| s.end_byte() <= inner.start_byte())
        {
            match kind_of(statement) {
                "defer_statement" => {
                    if let Some(call) = statement.named_child(0)
                        && kind_of(call) == "call_expression"
                        && call_arguments(call).is_empty()
                        && let Some(name) = callee_name(call, source)
                    {
                        deferred.push(name);
                    }
                }
                "short_var_declaration" => {
                    let (Some(left), Some(right)) = (
                        statement.child_by_field_name("left"),
                        statement.child_by_field_name("right"),
                    ) else {
                        continue;
                    };
                    let mut c = left.walk();
                    let names: Vec<Node> = left.named_children(&mut c).collect();
                    let mut c = right.walk();
                    let values: Vec<Node> = right.named_children(&mut c).collect();
                    if let ([ctx, cancel], [call]) = (names.as_slice(), values.as_slice())
                        && kind_of(call) == "call_expression"
                        && callee_name(*call, source) == Some("context.WithCancel")
                        && matches!(
                            call_arguments(*call).as_slice(),
                            [parent] if matches!(text(*parent, source), "context.Background()" | "context.TODO()")
                        )
                    {
                        candidates.push((*ctx, *cancel));
                    }
                }
                _ => {}
            }
        }
    }
    let scopes = &facts.scopes;
    candidates.into_iter().find_map(|(ctx, cancel)| {
        let ctx_binding = scopes.declared_by(ctx)?;
        let cancel_binding = scopes.declared_by(cancel)?;
        let cancel_name = text(cancel, source);
        // `cancel` is used once: by the `defer cancel()` found above.
        let [only] = scopes.uses(cancel_binding) else {
            return None;
        };
        let deferred_here = only
            .parent()
            .and_then(|call| call.parent())
            .is_some_and(|s| kind_of(s) == "defer_statement");
        if !deferred_here || !deferred.contains(&cancel_name) {
            return None;
        }
        // `ctx` is not assigned again, and names the same context at every send.
        let reassigned = scopes.uses(ctx_binding).iter().any(|used| {
            used.parent()
                .and_then(|list| list.parent())
                .is_some_and(|s| {
                    kind_of(s) == "assignment_statement"
                        && s.child_by_field_name("left")
                            .is_some_and(|left| syntax::contains(left, *used))
                })
        });
        let seen = sends
            .iter()
            .all(|send| scopes.names_at(ctx_binding, send.node.start_byte()));
        (!reassigned && seen).then(|| text(ctx, source).to_string())
    })
}

/// The goroutine's deferred calls now also run when it gives up. Harmless: `close` of this
/// same channel (nobody receives any more, and the sender that closes it sends nothing after
/// it returned), and the calls that only end what the goroutine itself began: `x.Done()`
/// (a `sync.WaitGroup`'s count), `x.Unlock()`, `x.RUnlock()`. Anything else would run where
/// before it never ran: the reason the fix is unsafe.
fn deferred_work(
    body: Node,
    source: &str,
    channel: &Channel,
    goroutine: &Goroutine,
) -> Option<String> {
    let defers =
        syntax::descendants_outside_closures(body, &mut |n| kind_of(n) == "defer_statement");
    for statement in defers {
        let closes_ours = channel.uses.iter().any(|used| {
            matches!(used.kind, UseKind::Close { deferred: true })
                && used.file == goroutine.body_file
                && syntax::contains(statement, used.node)
        });
        if closes_ours {
            continue;
        }
        let call = statement
            .named_child(0)
            .filter(|c| kind_of(c) == "call_expression");
        let harmless = call.is_some_and(|call| {
            call_arguments(call).is_empty()
                && callee_name(call, source).is_some_and(|name| {
                    name.rsplit_once('.')
                        .is_some_and(|(_, method)| matches!(method, "Done" | "Unlock" | "RUnlock"))
                })
        });
        if !harmless {
            // Named only when the name is a plain (dotted) identifier: no code text of the
            // scanned file goes into the description.
            let named = call
                .and_then(|call| callee_name(call, source))
                .filter(|name| {
                    name.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
                });
            return Some(match named {
                Some(name) => {
                    format!(
                        "the goroutine defers a call of `{name}`, which would now run when it gives up"
                    )
                }
                None => "the goroutine defers a call, which would now run when it gives up".into(),
            });
        }
    }
    None
}

/// A channel of the function that is closed exactly when it returns, which the sends can give
/// up on instead of a new `done`: made before `channel` (not in a loop), closed by a
/// `defer close(x)` that is registered before `channel` is made (a statement of a block
/// around its declaration, before it, so on every path that reaches the sends), closed
/// nowhere else, never sent on, reassigned, passed on or returned (so nothing can make a
/// receive from it succeed earlier), and named by the same variable at every send.
fn closed_at_return(
    context: &CodemodContext,
    channel: &Channel,
    sends: &[&ChannelUse],
) -> Option<String> {
    let facts = context.facts;
    let enclosing: Vec<Node> = std::iter::once(channel.declaration)
        .chain(syntax::ancestors_until(channel.declaration, facts.body))
        .collect();
    let registered_before = |statement: Node| {
        enclosing.windows(2).any(|window| {
            let (inner, list) = (window[0], window[1]);
            kind_of(list) == "statement_list"
                && statement.parent().is_some_and(|p| p.id() == list.id())
                && statement.end_byte() <= inner.start_byte()
        })
    };
    facts.channels.iter().find_map(|other| {
        if other.binding == channel.binding
            || other.declaration.end_byte() > channel.declaration.start_byte()
            || syntax::ancestors_until(other.scope, facts.body).any(syntax::is_loop)
        {
            return None;
        }
        let mut deferred_close = None;
        for used in &other.uses {
            match used.kind {
                UseKind::Receive { .. } | UseKind::Range { .. } | UseKind::Inspect => {}
                UseKind::Close { deferred: true }
                    if deferred_close.is_none() && matches!(used.context, Context::Parent) =>
                {
                    deferred_close = Some(used.node);
                }
                _ => return None,
            }
        }
        let defer_statement = syntax::ancestors_until(deferred_close?, facts.body)
            .find(|n| kind_of(*n) == "defer_statement")?;
        let seen = sends
            .iter()
            .all(|send| facts.scopes.names_at(other.binding, send.node.start_byte()));
        (registered_before(defer_statement) && seen).then(|| other.name.clone())
    })
}

/// A release the goroutine does itself after a rewritten send (`mu.Unlock()`, `wg.Done()`, not
/// deferred): on the path where it gives up it returns without it, as it never got there
/// before either; the fix is still the one that frees the goroutine, but the lock stays held
/// (or the count is never done), which a person should see: unsafe.
fn release_skipped(body: Node, source: &str, sends: &[&ChannelUse]) -> Option<String> {
    let first = sends.iter().map(|s| s.node.start_byte()).min()?;
    let releases = syntax::descendants_outside_closures(body, &mut |n| {
        kind_of(n) == "call_expression"
            && n.start_byte() > first
            && call_arguments(n).is_empty()
            && callee_name(n, source).is_some_and(|name| {
                name.rsplit_once('.')
                    .is_some_and(|(_, m)| matches!(m, "Unlock" | "RUnlock" | "Done"))
            })
            && n.parent()
                .is_some_and(|p| kind_of(p) == "expression_statement")
    });
    releases.first().map(|_| {
        "the goroutine releases a lock or a WaitGroup after the send, which it skips when it gives up (make that release a `defer` first)".to_string()
    })
}

/// The line of a channel operation of the goroutine, other than the rewritten `sends`, that
/// can block: a receive, another send, or a `select` without `default` (which does not give up
/// on the new signal). After the fix the goroutine would still block there for ever once the
/// function is gone (a handshake `c <- v; <-ack`): a fix that does not free the goroutine is
/// not offered; the finding stays, without one.
fn other_channel_wait(body: Node, sends: &[&ChannelUse]) -> Option<usize> {
    let rewritten = |node: Node| {
        sends.iter().any(|send| {
            matches!(send.kind, UseKind::Send { statement, .. } if statement.id() == node.id())
        })
    };
    let in_select = |node: Node| {
        node.parent()
            .is_some_and(|p| matches!(kind_of(p), "communication_case" | "receive_statement"))
    };
    let waits = syntax::descendants_outside_closures(body, &mut |n| match kind_of(n) {
        "send_statement" => !rewritten(n) && !in_select(n),
        "unary_expression" => {
            n.child(0).is_some_and(|op| kind_of(op) == "<-") && !within_select_case(n, body)
        }
        "select_statement" => {
            let mut cursor = n.walk();
            !n.named_children(&mut cursor)
                .any(|case| kind_of(case) == "default_case")
        }
        _ => false,
    });
    waits.iter().map(|n| n.start_position().row + 1).min()
}

/// Whether `node` is (in) the communication of a `select` case: it is waited on by the
/// `select`, which `other_channel_wait` judges as a whole.
fn within_select_case(node: Node, body: Node) -> bool {
    syntax::ancestors_until(node, body)
        .take_while(|a| !matches!(kind_of(*a), "block" | "statement_list"))
        .any(|a| kind_of(a) == "communication_case")
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_are_counted_outside_comments_and_literals() {
        let text = "// produce does it\nfunc produce() {}\n/* produce */ var s = \"produce\\\" produce\"\nvar r = `produce`\nvar c = 'p'\nfunc g() { go produce(); reproduce(); produce_x() }\n";
        assert_eq!(super::word_occurrences(text, "produce"), 2);
    }
}
