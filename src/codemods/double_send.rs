//! `double-send`. What it does, why it leaks, an example, the fix and its safety, and when it
//! stays silent are documented once, in `codemods/double-send/README.md` (what `--explain`
//! prints).
//!
//! How the check is organised: `sender_and_receive` reads the channel facts (one unbuffered
//! channel of the function, one goroutine sending on it, the function receiving from it once);
//! `falls_through` walks from a send in an `if` branch, over the rest of the branch and the
//! statements after the `if`, to a later send on the same binding with nothing that can leave
//! in between; `return_fix` inserts the missing `return` where a bare `return` is legal.

use super::{CodemodContext, Finding};
use crate::edit::{Edit, Fix};
use crate::facts::{Capacity, Channel, ChannelUse, Context, Goroutine, Scopes, UseKind};
use crate::package::FileId;
use crate::rewrite::insert_line_after;
use crate::syntax::{self, callee_name, kind_of, text};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

pub struct DoubleSend;

impl super::Codemod for DoubleSend {
    fn id(&self) -> &'static str {
        "double-send"
    }

    fn summary(&self) -> &'static str {
        "a goroutine sends in an `if` branch, falls through and sends again; the function receives once"
    }

    fn documentation(&self) -> &'static str {
        include_str!("../../codemods/double-send/README.md")
    }

    fn check(&self, context: &CodemodContext, findings: &mut Vec<Finding>) {
        for channel in &context.facts.channels {
            if let Some(finding) = double_send(context, channel, self.id()) {
                findings.push(finding);
            }
        }
    }
}

/// A send in an `if` branch that falls through to a later send on the same channel.
struct Pair<'a> {
    first: Node<'a>,
    /// The `if` branch (a `block`) holding `first`.
    branch: Node<'a>,
    second: Node<'a>,
}

fn double_send<'a>(
    context: &CodemodContext<'_, 'a>,
    channel: &Channel<'a>,
    codemod: &'static str,
) -> Option<Finding> {
    let (goroutine, receive) = sender_and_receive(context, channel)?;
    let source = context.package.source(goroutine.body_file);
    let sends: Vec<&ChannelUse> = channel.sends().collect();
    // The shape needs two sends: with one, there is nothing to find in the goroutine's body
    // (and a helper that many functions start would be walked once for each).
    if sends.len() < 2 {
        return None;
    }
    let body = goroutine.body?;
    let send_statements: HashSet<usize> = sends
        .iter()
        .filter_map(|used| match used.kind {
            UseKind::Send { statement, .. } => Some(statement.id()),
            _ => None,
        })
        .collect();
    let mut paths = Paths {
        body,
        sends: send_statements,
        diverting: diverting_nodes(body, source),
        lists: HashMap::new(),
    };
    let mut pairs: Vec<Pair> = Vec::new();
    let mut branches = HashSet::new();
    for used in &sends {
        let UseKind::Send { statement, .. } = used.kind else {
            continue;
        };
        // In a loop of the goroutine the send runs many times: not this shape.
        if !used.loops.is_empty() {
            return None;
        }
        if let Some(pair) = paths.falls_through(statement)
            && branches.insert(pair.branch.id())
        {
            pairs.push(pair);
        }
    }
    let first = pairs.first()?;
    let place = |node: Node| place(context, goroutine.body_file, node.start_byte());
    let name = &channel.name;
    let receive_line = context.line_of(receive.node.start_byte());
    let message = format!(
        "goroutine started at line {} sends on unbuffered channel `{name}` at {}, in an `if` branch with no `return` after it, and again at {}; the function receives from `{name}` once (line {receive_line}), so whenever the first send runs, the second blocks forever",
        context.line_of(goroutine.start.start_byte()),
        place(first.first),
        place(first.second),
    );
    let fix = if goroutine.body_file == context.facts.file {
        return_fix(goroutine, &pairs, source, |node| {
            context.line_of(node.start_byte())
        })
    } else {
        None
    };
    Some(Finding {
        codemod,
        range: channel.make_call.byte_range(),
        message,
        fix,
    })
}

/// `line N` in the function's file, `path:N` in another file of the package.
fn place(context: &CodemodContext, file: FileId, offset: usize) -> String {
    let source = &context.package.files[file].source;
    let line = source.line_column(offset).line;
    if file == context.facts.file {
        format!("line {line}")
    } else {
        format!("{}:{line}", source.display_path)
    }
}

/// The one goroutine that sends on `channel` and the function's one receive from it, when
/// the channel is unbuffered, does not escape, and nobody else uses it: only then does a
/// second send on the path of a first one surely block forever.
fn sender_and_receive<'f, 'a>(
    context: &'f CodemodContext<'_, 'a>,
    channel: &'f Channel<'a>,
) -> Option<(&'f Goroutine<'a>, &'f ChannelUse<'a>)> {
    let facts = context.facts;
    // With a buffer of one, the second send fills the buffer after the receive: no leak.
    let Capacity::Unbuffered { .. } = channel.capacity else {
        return None;
    };
    if channel.escape_reason().is_some() {
        return None;
    }
    let mut sender = None;
    let mut receives = Vec::new();
    for used in &channel.uses {
        match (&used.kind, used.context) {
            (
                UseKind::Send {
                    in_select: false, ..
                },
                Context::Goroutine(id),
            ) => {
                if sender.is_some_and(|known| known != id) {
                    return None;
                }
                sender = Some(id);
            }
            (UseKind::Receive { .. }, Context::Parent) => receives.push(used),
            (UseKind::Close { .. }, Context::Goroutine(_))
            | (UseKind::Inspect | UseKind::GoArgument, _) => {}
            // A send in a select, a range, a receive elsewhere, a send or close by the
            // function itself: more than one receive, or no block, may follow.
            _ => return None,
        }
    }
    let sender = sender?;
    // Only the sender may close: a close elsewhere turns the second send into a panic or
    // races it.
    if channel.uses.iter().any(|used| {
        matches!(used.kind, UseKind::Close { .. }) && used.context != Context::Goroutine(sender)
    }) {
        return None;
    }
    let goroutine = facts.goroutines.get(sender)?;
    if goroutine.nested
        || goroutine.body.is_none()
        || channel
            .loops_within_scope(&goroutine.loops)
            .next()
            .is_some()
    {
        return None;
    }
    // Exactly one receive, run at most once per call: not in a loop, no `goto` to run it again.
    let [receive] = receives.as_slice() else {
        return None;
    };
    if channel.loops_within_scope(&receive.loops).next().is_some()
        || facts
            .exits
            .iter()
            .any(|exit| exit.kind() == "goto_statement")
    {
        return None;
    }
    Some((goroutine, receive))
}

/// The statement lists of one goroutine body, read once each: which statements can leave,
/// and, from each statement, the next send on the channel with nothing that can leave before
/// it. Each list is scanned once, whatever the number of sends in it, so a long body of
/// `if ... { c <- v }` costs linear time.
struct Paths<'a> {
    body: Node<'a>,
    /// The send statements on the channel, by node id.
    sends: HashSet<usize>,
    /// Nodes of the body holding something that can leave (see `diverting_nodes`).
    diverting: HashSet<usize>,
    /// Per statement list (by id): its statements' positions, and per position the next
    /// send reached without passing anything that can leave, and whether nothing after it can
    /// leave.
    lists: HashMap<usize, ListPaths<'a>>,
}

struct ListPaths<'a> {
    position: HashMap<usize, usize>,
    next_send: Vec<Option<Node<'a>>>,
    clear_after: Vec<bool>,
}

impl<'a> Paths<'a> {
    /// When `first` is a statement of an `if` branch that does not leave after it, and a later
    /// statement of the block around the `if` is a send on the channel, with nothing that can
    /// leave in between: the two sends run one after the other.
    fn falls_through(&mut self, first: Node<'a>) -> Option<Pair<'a>> {
        // The enclosing nodes, nearest first, by one descent.
        let chain: Vec<Node> = syntax::ancestors_until(first, self.body).collect();
        let list = *chain.first().filter(|p| kind_of(**p) == "statement_list")?;
        let branch = *chain.get(1).filter(|p| kind_of(**p) == "block")?;
        if chain.get(2).is_none_or(|p| kind_of(*p) != "if_statement") {
            return None;
        }
        if !self.list(list).and_then(|l| l.clear(first))? {
            return None;
        }
        // `if a {} else if b { c <- x }`: the statement is the whole chain.
        let mut at = 2;
        while chain
            .get(at + 1)
            .is_some_and(|p| kind_of(*p) == "if_statement")
        {
            at += 1;
        }
        let if_statement = chain[at];
        let around = *chain
            .get(at + 1)
            .filter(|p| kind_of(**p) == "statement_list")?;
        let second = self.list(around)?.next_send(if_statement)?;
        Some(Pair {
            first,
            branch,
            second,
        })
    }

    fn list(&mut self, list: Node<'a>) -> Option<&ListPaths<'a>> {
        let (sends, diverting) = (&self.sends, &self.diverting);
        Some(self.lists.entry(list.id()).or_insert_with(|| {
            let statements = syntax::statements(list);
            let mut next_send = vec![None; statements.len()];
            let mut clear_after = vec![true; statements.len()];
            let (mut next, mut clear) = (None, true);
            for (index, statement) in statements.iter().enumerate().rev() {
                next_send[index] = next;
                clear_after[index] = clear;
                if sends.contains(&statement.id()) {
                    next = Some(*statement);
                } else if diverting.contains(&statement.id()) {
                    next = None;
                }
                clear &= !diverting.contains(&statement.id());
            }
            ListPaths {
                position: statements
                    .iter()
                    .enumerate()
                    .map(|(index, statement)| (statement.id(), index))
                    .collect(),
                next_send,
                clear_after,
            }
        }))
    }
}

impl<'a> ListPaths<'a> {
    fn clear(&self, statement: Node) -> Option<bool> {
        Some(self.clear_after[*self.position.get(&statement.id())?])
    }

    fn next_send(&self, statement: Node) -> Option<Node<'a>> {
        self.next_send[*self.position.get(&statement.id())?]
    }
}

/// The nodes of `body` (outside closures) that hold something that can make control leave
/// them other than by running to their end: a `return`, `break`, `continue`, `goto` or
/// `fallthrough` anywhere in it (even one that only leaves a loop inside it), `panic`,
/// `os.Exit`, `log.Fatal`/`log.Panic`, `runtime.Goexit`, `t.Fatal` and the like. A superset.
/// One walk: the nodes open around each one found are marked, each node at most once.
fn diverting_nodes(body: Node, source: &str) -> HashSet<usize> {
    let mut diverting = HashSet::new();
    // The nodes open around the current one, outermost first, with whether they are marked.
    let mut open: Vec<(Node, bool)> = Vec::new();
    syntax::visit(body, &mut |node| {
        while open.last().is_some_and(|(outer, _)| {
            outer.end_byte() < node.end_byte() || outer.start_byte() > node.start_byte()
        }) {
            open.pop();
        }
        if kind_of(node) == "func_literal" && node.id() != body.id() {
            return syntax::Visit::Skip;
        }
        if diverts(node, source) {
            diverting.insert(node.id());
            for (outer, marked) in open.iter_mut().rev() {
                if *marked {
                    break;
                }
                *marked = true;
                diverting.insert(outer.id());
            }
        }
        open.push((node, false));
        syntax::Visit::Descend
    });
    diverting
}

fn diverts(node: Node, source: &str) -> bool {
    match kind_of(node) {
        "return_statement"
        | "break_statement"
        | "continue_statement"
        | "goto_statement"
        | "fallthrough_statement" => true,
        "call_expression" => {
            syntax::is_exit(node, source)
                || callee_name(node, source).is_some_and(|name| {
                    name == "panic"
                        || name == "os.Exit"
                        || name.starts_with("log.Fatal")
                        || name.starts_with("log.Panic")
                })
        }
        _ => false,
    }
}

/// A `return` on its own line after the last statement of each branch: unsafe (it guesses
/// that the branch meant to end the goroutine). Only where a bare `return` is legal: the
/// goroutine's function has no results, or named results that no declaration hides at the
/// new `return`.
fn return_fix<'a>(
    goroutine: &Goroutine<'a>,
    pairs: &[Pair<'a>],
    source: &'a str,
    line_of: impl Fn(Node) -> usize,
) -> Option<Fix> {
    let body = goroutine.body?;
    let function = body.parent()?;
    let results = result_names(function, source)?;
    let scopes = (!results.is_empty()).then(|| Scopes::resolve(function, source, &mut |_| {}));
    let mut edits: Vec<Edit> = Vec::new();
    for pair in pairs {
        let last = *syntax::statements(pair.branch).last()?;
        let edit = insert_line_after(source, last, "return")?;
        if let Some(scopes) = &scopes
            && results
                .iter()
                .any(|name| hidden_at(scopes, name, edit.start))
        {
            return None;
        }
        edits.push(edit);
    }
    let sends = match pairs {
        [pair] => format!("the send at line {}", line_of(pair.first)),
        [init @ .., last] => format!(
            "the sends at lines {} and {}",
            init.iter()
                .map(|pair| line_of(pair.first).to_string())
                .collect::<Vec<_>>()
                .join(", "),
            line_of(last.first)
        ),
        [] => return None,
    };
    Some(Fix::unsafe_(
        format!(
            "end the goroutine with `return` after {sends} (a guess: the branch looks like an early exit missing its `return`; the code after the `if` no longer runs there)"
        ),
        edits,
    ))
}

/// The names of `function`'s results: empty when it has none; `None` when they are unnamed
/// (a bare `return` is then not legal).
fn result_names<'a>(function: Node<'a>, source: &'a str) -> Option<Vec<&'a str>> {
    let Some(result) = function.child_by_field_name("result") else {
        return Some(Vec::new());
    };
    if kind_of(result) != "parameter_list" {
        return None;
    }
    let mut names = Vec::new();
    let mut cursor = result.walk();
    for declaration in result.named_children(&mut cursor) {
        if kind_of(declaration) == "comment" {
            continue;
        }
        let mut inner = declaration.walk();
        let declared: Vec<&str> = declaration
            .children_by_field_name("name", &mut inner)
            .map(|name| text(name, source))
            .collect();
        if declared.is_empty() {
            return None;
        }
        names.extend(declared);
    }
    Some(names)
}

/// Whether a declaration other than the result `name` is in force at `at`: Go then refuses a
/// bare `return` ("result parameter not in scope at return").
fn hidden_at(scopes: &Scopes, name: &str, at: usize) -> bool {
    name != "_"
        && scopes.bindings.iter().any(|binding| {
            binding.name == name && !binding.parameter && binding.visible.contains(&at)
        })
}

#[cfg(test)]
mod tests {
    use crate::codemods::test_support::*;
    use crate::edit::Applicability;

    const DOUBLE: &str = "func f(fail bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tif fail {\n\t\t\tc <- nil\n\t\t}\n\t\tc <- nil\n\t}()\n\treturn <-c\n}\n";

    #[test]
    fn a_send_that_falls_through_to_a_second_send_is_reported_with_an_unsafe_fix() {
        assert_finding(DOUBLE, "double-send", Some(Applicability::Unsafe));
        let found = findings(DOUBLE);
        assert!(
            found[0].message.contains(
                "at line 17, in an `if` branch with no `return` after it, and again at line 19"
            ) && found[0].message.contains("once (line 21)"),
            "{}",
            found[0].message
        );
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.edits.len(), 1);
        assert_eq!(fix.edits[0].replacement, "\n\t\t\treturn");
    }

    #[test]
    fn exclusive_sends_and_leaving_branches_are_silent() {
        // if/else, each sending once.
        assert_silent(
            "func f(fail bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tif fail {\n\t\t\tc <- nil\n\t\t} else {\n\t\t\tc <- nil\n\t\t}\n\t}()\n\treturn <-c\n}\n",
        );
        // The branch returns after its send (also after more work, or by panic).
        for after in ["return", "work()\n\t\t\treturn", "panic(1)", "log.Fatal(1)"] {
            assert_silent(&DOUBLE.replace(
                "c <- nil\n\t\t}",
                &format!("c <- nil\n\t\t\t{after}\n\t\t}}"),
            ));
        }
        // Something between the `if` and the second send can leave.
        assert_silent(&DOUBLE.replace(
            "\t\t}\n\t\tc <- nil",
            "\t\t}\n\t\tif fail {\n\t\t\treturn\n\t\t}\n\t\tc <- nil",
        ));
    }

    #[test]
    fn a_buffer_or_a_receiver_that_can_take_both_values_is_silent() {
        assert_silent(&DOUBLE.replace("make(chan error)", "make(chan error, 1)"));
        assert_silent(&DOUBLE.replace("make(chan error)", "make(chan error, 2)"));
        assert_silent(&DOUBLE.replace("return <-c", "<-c\n\treturn <-c"));
        // Ranging but returning on the first value strands the second send all the same:
        // not double-send's shape, but abandoned-producers' (merged from i13-stop).
        let found = findings(&DOUBLE.replace(
            "return <-c",
            "for err := range c {\n\t\treturn err\n\t}\n\treturn nil",
        ));
        assert!(
            found.iter().all(|f| f.codemod == "abandoned-producers"),
            "{found:#?}"
        );
        assert_silent(&DOUBLE.replace(
            "return <-c",
            "for {\n\t\tif err := <-c; err != nil {\n\t\t\treturn err\n\t\t}\n\t}",
        ));
    }

    #[test]
    fn another_channel_of_the_same_name_is_not_the_second_send() {
        // The branch's `c` is its own buffered channel: one send on ours per path.
        assert_silent(
            "func f(fail bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tif fail {\n\t\t\tc := make(chan error, 1)\n\t\t\tc <- nil\n\t\t}\n\t\tc <- nil\n\t}()\n\treturn <-c\n}\n",
        );
        // A second goroutine sending: not this shape (ncast-leak reports it).
        let found = findings(
            "func f(fail bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tif fail {\n\t\t\tc <- nil\n\t\t}\n\t}()\n\tgo func() {\n\t\tc <- nil\n\t}()\n\treturn <-c\n}\n",
        );
        assert!(
            found.iter().all(|f| f.codemod != "double-send"),
            "{found:#?}"
        );
    }

    #[test]
    fn a_bare_return_is_offered_only_where_it_is_legal() {
        // Unnamed results: no bare `return`, so no fix (the finding stays).
        let group = "func f(fail bool, g interface{ Go(func() error) }) error {\n\tc := make(chan error)\n\tg.Go(func() error {\n\t\tif fail {\n\t\t\tc <- nil\n\t\t}\n\t\tc <- nil\n\t\treturn nil\n\t})\n\treturn <-c\n}\n";
        assert_finding(group, "double-send", None);
        // Named results: legal, unless the branch declares the name again.
        let named = "func f(fail bool) error {\n\tc := make(chan error)\n\tgo func() (err error) {\n\t\tif fail {\n\t\t\tc <- nil\n\t\t}\n\t\tc <- err\n\t\treturn\n\t}()\n\treturn <-c\n}\n";
        assert_finding(named, "double-send", Some(Applicability::Unsafe));
        assert_finding(
            &named.replace("\t\t\tc <- nil\n", "\t\t\terr := work()\n\t\t\tc <- err\n"),
            "double-send",
            None,
        );
    }

    #[test]
    fn a_named_goroutine_function_is_followed_and_fixed() {
        assert_finding(
            "func send(c chan<- error, fail bool) {\n\tif fail {\n\t\tc <- nil\n\t}\n\tc <- nil\n}\n\nfunc f(fail bool) error {\n\tc := make(chan error)\n\tgo send(c, fail)\n\treturn <-c\n}\n",
            "double-send",
            Some(Applicability::Unsafe),
        );
    }

    #[test]
    fn a_send_in_the_else_branch_counts_too() {
        assert_finding(
            &DOUBLE.replace(
                "\t\tif fail {\n\t\t\tc <- nil\n\t\t}",
                "\t\tif !fail {\n\t\t\twork()\n\t\t} else {\n\t\t\tc <- nil\n\t\t}",
            ),
            "double-send",
            Some(Applicability::Unsafe),
        );
    }

    #[test]
    fn a_goroutine_function_in_another_file_is_reported_without_a_fix() {
        use crate::engine::{Settings, process_package};
        use crate::source::SourceFile;
        let file = |name: &str, text: &str| SourceFile::new(name.into(), name.into(), text.into());
        let sender = "package p\n\nfunc send(c chan<- error, fail bool) {\n\tif fail {\n\t\tc <- nil\n\t}\n\tc <- nil\n}\n";
        let parent = "package p\n\nfunc f(fail bool) error {\n\tc := make(chan error)\n\tgo send(c, fail)\n\treturn <-c\n}\n";
        let settings = Settings::new(vec![&super::DoubleSend], true);
        let outcomes = process_package(
            &mut crate::syntax::go_parser(),
            vec![file("a.go", parent), file("b.go", sender)],
            &settings,
        );
        let found = &outcomes[0].findings;
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].fix.is_none());
        assert!(
            found[0].message.contains("at b.go:5, in an `if` branch")
                && found[0].message.contains("again at b.go:7"),
            "{}",
            found[0].message
        );
    }
}
