//! `future-leak`. What it does, why it leaks, an example, the fix and its safety, and when it
//! stays silent are documented once, in `codemods/future-leak/README.md` (what `--explain`
//! prints).
//!
//! How the check is organised: `one_shot::future_sender` finds a channel the function returns
//! and that only its goroutines' last acts (or the function itself) send on; `own_send` words
//! the function's own send before it returns the channel (it blocks on every call);
//! `caller_wait` reads each call of the function in the package on the caller's flow (built
//! once per caller body for the package: `Package::body_view`) to find a caller that can stop
//! waiting; `result_type` decides whether callers could do more than receive from the channel,
//! which decides the fix's safety.

use super::one_shot::{OneShotSender, future_sender};
use super::{Codemod, CodemodContext, Finding};
use crate::edit::Fix;
use crate::facts::body::BodyView;
use crate::facts::{Channel, Flow, UseKind};
use crate::package::Call;
use crate::syntax::{self, text};
use tree_sitter::Node;

pub struct FutureLeak;

impl Codemod for FutureLeak {
    fn id(&self) -> &'static str {
        "future-leak"
    }

    fn summary(&self) -> &'static str {
        "a function returns a channel its goroutine sends on once; a caller that stops waiting strands the sender"
    }

    fn documentation(&self) -> &'static str {
        include_str!("../../codemods/future-leak/README.md")
    }

    fn check(&self, context: &CodemodContext, findings: &mut Vec<Finding>) {
        let function = context.facts.function;
        if !matches!(
            function.kind(),
            "function_declaration" | "method_declaration"
        ) {
            return;
        }
        let Some(name) = function.child_by_field_name("name") else {
            return;
        };
        let name = text(name, context.source);
        for channel in &context.facts.channels {
            if !channel
                .uses
                .iter()
                .any(|used| matches!(used.kind, UseKind::Returned { .. }))
            {
                continue;
            }
            let Some(sender) = future_sender(context, channel) else {
                continue;
            };
            let Some(result) = result_type(context, channel) else {
                continue;
            };
            let finding = if sender.own_sends.is_empty() {
                abandoned(self.id(), context, channel, &sender, name, result)
            } else {
                own_send(self.id(), context.flow(), channel, &sender, name, result)
            };
            findings.extend(finding);
        }
    }
}

/// What the callers receive: a channel type, and whether they can only receive from it.
#[derive(Clone, Copy)]
struct ResultType {
    /// `<-chan T`: callers cannot send, close or see anything a buffer changes but `len`.
    receive_only: bool,
    /// The position of the channel among the function's results.
    index: usize,
}

/// The result type the function declares where every `return` puts the channel, when it is a
/// channel type written out (`<-chan T`, `chan T`); `None` otherwise (a named type, `any`, or
/// returns that put it in different positions).
fn result_type(context: &CodemodContext, channel: &Channel) -> Option<ResultType> {
    let mut index = None;
    for used in &channel.uses {
        let UseKind::Returned { statement } = used.kind else {
            continue;
        };
        let list = statement.named_child(0)?;
        let mut cursor = list.walk();
        let at = list
            .named_children(&mut cursor)
            .position(|value| value.id() == used.node.id())?;
        if index.is_some_and(|known| known != at) {
            return None;
        }
        index = Some(at);
    }
    let index = index?;
    let result = context.facts.function.child_by_field_name("result")?;
    let declared = if result.kind() == "parameter_list" {
        let mut types = Vec::new();
        let mut cursor = result.walk();
        for declaration in result.named_children(&mut cursor) {
            let Some(kind) = declaration.child_by_field_name("type") else {
                continue;
            };
            let mut names = declaration.walk();
            let count = declaration
                .children_by_field_name("name", &mut names)
                .count()
                .max(1);
            types.extend(std::iter::repeat_n(kind, count));
        }
        *types.get(index)?
    } else if index == 0 {
        result
    } else {
        return None;
    };
    (declared.kind() == "channel_type").then(|| ResultType {
        receive_only: text(declared, context.source).starts_with("<-"),
        index,
    })
}

/// The buffer that gives every send of one call room, and its safety: safe when callers can
/// only receive (`<-chan T`) and the senders' checks of `buffer_fix` hold.
fn future_fix(
    channel: &Channel,
    sender: &OneShotSender,
    result: ResultType,
    size: usize,
    description: String,
) -> Option<Fix> {
    let fix = sender.buffer_fix(channel, &size.to_string(), description)?;
    if result.receive_only || fix.applicability != crate::edit::Applicability::Safe {
        return Some(fix);
    }
    Some(Fix::unsafe_(
        format!(
            "{} (the function returns `chan` rather than `<-chan`: callers could send on it or close it, which a buffer changes)",
            fix.description
        ),
        fix.edits,
    ))
}

/// The function sends on the channel itself before returning it: nothing can receive yet (only
/// its own goroutines hold the channel, and they only send), so the send blocks forever. A
/// buffer of one is enough when nothing but a `return` runs after each such send (so one runs
/// per call) and no goroutine that sends can have been started before it.
fn own_send(
    codemod: &'static str,
    flow: &Flow,
    channel: &Channel,
    sender: &OneShotSender,
    function: &str,
    result: ResultType,
) -> Option<Finding> {
    let first = sender.own_sends.first()?;
    let UseKind::Send { statement, .. } = first.kind else {
        return None;
    };
    let name = &channel.name;
    // Only a `return` runs after each own send: one such send per call at most (after one,
    // no other can run), and no goroutine that sends can have been started before it.
    let one_per_call = sender.own_sends.iter().all(|send| {
        let UseKind::Send { statement, .. } = send.kind else {
            return false;
        };
        flow.is_last_act(statement, |next| next.kind() == "return_statement")
            && sender
                .goroutines
                .iter()
                .all(|goroutine| !flow.can_follow(goroutine.start, statement))
    });
    let fix = one_per_call
        .then(|| {
            future_fix(
                channel,
                sender,
                result,
                sender.sends_per_call.max(1),
                format!("give `{name}` a buffer so the send completes and `{function}` returns"),
            )
        })
        .flatten();
    Some(Finding {
        codemod,
        range: statement.byte_range(),
        message: format!(
            "`{function}` sends on its own unbuffered channel `{name}` before returning it: nothing can receive from it yet, so the send blocks forever"
        ),
        fix,
    })
}

/// The goroutines send once on a channel the function returns: reported when a caller in the
/// package can stop waiting for the value, or, for an exported function, as a hazard (callers
/// elsewhere are unknown).
fn abandoned(
    codemod: &'static str,
    context: &CodemodContext,
    channel: &Channel,
    sender: &OneShotSender,
    function: &str,
    result: ResultType,
) -> Option<Finding> {
    if sender.goroutines.is_empty()
        || !sender.spawn_loops.is_empty()
        || !every_sender_surely_sends(context, channel, sender)
    {
        return None;
    }
    // Declared in a `_test.go` file, it cannot be imported: every caller is in this directory
    // (the package's tests, or its external test package), so it is judged by its callers.
    let in_test_file = context.package.files[context.facts.file]
        .source
        .display_path
        .ends_with("_test.go");
    let exported = function.chars().next().is_some_and(char::is_uppercase) && !in_test_file;
    let abandoning = callers(context, function).into_iter().find_map(|call| {
        match caller_wait(context, call, result.index) {
            CallerWait::Abandons(how) => Some(how),
            CallerWait::Waits | CallerWait::Unknown => None,
        }
    });
    let name = &channel.name;
    let why = match abandoning {
        Some(how) => format!("the caller {how}, and the send then blocks forever"),
        None if exported => format!(
            "`{function}` is exported, and a caller that stops waiting (a `select` with a timeout, an early return) leaves the send blocked forever"
        ),
        None => return None,
    };
    let message = format!(
        "`{function}` returns unbuffered channel `{name}`, which the {} on once; {why}",
        sender.started_at(context),
    );
    Some(Finding {
        codemod,
        range: channel.make_call.byte_range(),
        message,
        fix: future_fix(
            channel,
            sender,
            result,
            sender.sends_per_call,
            format!(
                "give `{name}` a buffer of {} so the send completes whether or not the caller still waits",
                sender.sends_per_call
            ),
        ),
    })
}

/// Each goroutine sends on every path through its body that ends (in both branches of an
/// `if`, in every case of a `select`...): no path to its end avoids the send. A caller that
/// stops waiting strands a sender only if it sends: one that may return without sending
/// (`case <-ctx.Done(): return`) is not reported, since whether it sends depends on what the
/// caller does next.
fn every_sender_surely_sends(
    context: &CodemodContext,
    channel: &Channel,
    sender: &OneShotSender,
) -> bool {
    let facts = context.facts;
    sender.goroutines.iter().all(|goroutine| {
        let sends: Vec<usize> = channel
            .uses
            .iter()
            .filter(|used| {
                facts
                    .goroutine(used.context)
                    .is_some_and(|g| g.start.id() == goroutine.start.id())
            })
            .filter_map(|used| match used.kind {
                UseKind::Send { statement, .. } => Some(statement.id()),
                _ => None,
            })
            .collect();
        let source = context.package.source(goroutine.body_file);
        goroutine.body.is_some_and(|body| {
            Flow::build(body, source)
                .exit_avoiding(None, |statement| sends.contains(&statement.id()))
                .is_none()
        })
    })
}

/// The calls of this function in the package: `name(...)` for a function, `x.name(...)` for a
/// method, and only when the package has no other function or method of that name (then a call
/// by that name may be this one or not).
fn callers<'c, 'a>(context: &'c CodemodContext<'_, 'a>, name: &str) -> Vec<&'c Call<'a>> {
    let function = context.facts.function;
    let method = function.kind() == "method_declaration";
    let resolved = if method {
        context.package.method(name)
    } else {
        context.package.function(name)
    };
    let Some(resolved) = resolved else {
        return Vec::new();
    };
    if resolved.node.id() != function.id() || resolved.file != context.facts.file {
        return Vec::new();
    }
    context
        .package
        .calls_of(name)
        .iter()
        .filter(|call| call.selector == method)
        .collect()
}

/// What one caller does with the channel it gets.
enum CallerWait {
    /// It receives on every path: no leak from this caller.
    Waits,
    /// It can stop waiting; how, for the message ("at foo.go:12 can return ...").
    Abandons(String),
    /// It does something this check does not follow (stores, passes or ranges over it).
    Unknown,
}

/// At most this many mentions of the variable that cannot run after `v := f()` (in other
/// branches, after a loop around it) are passed over looking for one that can: past that,
/// unknown. (Each costs its nesting; the caller's view is built once for the package.)
const MAX_MENTIONS: usize = 200;

fn caller_wait<'a>(context: &CodemodContext<'_, 'a>, call: &Call<'a>, index: usize) -> CallerWait {
    let package = context.package;
    let source = package.source(call.file);
    let line = |node: Node| {
        package.files[call.file]
            .source
            .line_column(node.start_byte())
            .line
    };
    let at = |node: Node| {
        if call.file == context.facts.file {
            format!("at line {}", line(node))
        } else {
            format!(
                "at {}:{}",
                package.files[call.file].source.display_path,
                line(node)
            )
        }
    };
    let Some(parent) = call.node.parent() else {
        return CallerWait::Unknown;
    };
    match parent.kind() {
        "unary_expression" if is_receive(parent, source) => match select_of(parent) {
            Some(select) if select_has_other_case(select) => CallerWait::Abandons(format!(
                "{} can take another case of its `select` and move on",
                at(select)
            )),
            _ => CallerWait::Waits,
        },
        "expression_statement" => {
            CallerWait::Abandons(format!("{} discards the channel", at(call.node)))
        }
        "expression_list" => {
            let Some(statement) = parent.parent() else {
                return CallerWait::Unknown;
            };
            if !matches!(
                statement.kind(),
                "short_var_declaration" | "assignment_statement"
            ) || statement
                .child_by_field_name("right")
                .is_none_or(|right| right.id() != parent.id())
            {
                return CallerWait::Unknown;
            }
            let Some(left) = statement.child_by_field_name("left") else {
                return CallerWait::Unknown;
            };
            let position = if parent.named_child_count() == 1 {
                index
            } else {
                let mut cursor = parent.walk();
                match parent
                    .named_children(&mut cursor)
                    .position(|value| value.id() == call.node.id())
                {
                    Some(position) => position,
                    None => return CallerWait::Unknown,
                }
            };
            let Some(variable) = left.named_child(position as u32) else {
                return CallerWait::Unknown;
            };
            if variable.kind() != "identifier" {
                return CallerWait::Unknown;
            }
            let variable = text(variable, source);
            if variable == "_" {
                return CallerWait::Abandons(format!("{} discards the channel", at(call.node)));
            }
            // The caller's body: the innermost function or func literal around the call.
            let root = package.files[call.file].tree.root_node();
            let Some(body) = syntax::ancestors_until(statement, root)
                .find(|node| syntax::is_function_like(*node))
                .and_then(|function| function.child_by_field_name("body"))
            else {
                return CallerWait::Unknown;
            };
            let view = package.body_view(call.file, body);
            after_assignment(&view, statement, variable, source, &at)
        }
        _ => CallerWait::Unknown,
    }
}

/// What the caller does once `statement` has stored the channel in `variable`, read on the
/// caller's flow (`view`): the first statement of its continuation (what runs next, out of the
/// blocks around it too, in the same loop iteration) that names the variable decides: a plain
/// receive waits, a `select` with another way out abandons, anything else (a closure naming
/// it, passing it on) is unknown. An exit that can run before that statement abandons. When no
/// statement names it, the end of the body abandons (it is never received); the end of a
/// loop's iteration is unknown (the loop may come back to a receive).
fn after_assignment(
    view: &BodyView,
    statement: Node,
    variable: &str,
    source: &str,
    at: &dyn Fn(Node) -> String,
) -> CallerWait {
    let flow = &view.flow;
    // Stored in the header of an `if`, `switch` or `for` (`if c := lookup(); ok {`): what
    // runs next is that statement's own body, not its continuation; not followed.
    if flow
        .statement_of(statement)
        .is_none_or(|own| own.id() != statement.id())
    {
        return CallerWait::Unknown;
    }
    // The first mention that can run after the statement, and the statement holding it (none
    // for a mention in a closure).
    let mut decides = None;
    let after = view.mentions(variable, statement.end_byte(), usize::MAX);
    for (passed, mention) in after.iter().enumerate() {
        if passed == MAX_MENTIONS {
            return CallerWait::Unknown;
        }
        if flow.statement_of(*mention).is_none() {
            decides = Some((*mention, None));
            break;
        }
        if let Some(holder) = flow.following(statement, [*mention]).first() {
            decides = Some((*mention, Some(*holder)));
            break;
        }
    }
    let until = decides.map(|(mention, holder)| holder.unwrap_or(mention));
    if let Some(exit) = view
        .exits_from(statement.end_byte())
        .iter()
        .find(|exit| flow.on_the_way(statement, until, **exit))
    {
        return CallerWait::Abandons(format!("{} can leave before receiving from it", at(*exit)));
    }
    let Some((mention, Some(current))) = decides else {
        return if decides.is_none() && flow.continues_to_end(statement) {
            CallerWait::Abandons(format!("{} never receives from it", at(statement)))
        } else {
            CallerWait::Unknown
        };
    };
    let Some(receive) = mention.parent().filter(|p| is_receive(*p, source)) else {
        return CallerWait::Unknown;
    };
    if let Some(select) = select_of(receive) {
        if select.id() != current.id() || !select_has_other_case(select) {
            return CallerWait::Unknown;
        }
        // Another case that goes on to use the channel (receive it later): not followed.
        let mut cursor = select.walk();
        let cases: Vec<Node> = select.named_children(&mut cursor).collect();
        let other_mentions = cases
            .iter()
            .filter(|case| !syntax::contains(**case, mention))
            .any(|case| {
                !view
                    .mentions(variable, case.start_byte(), case.end_byte())
                    .is_empty()
            });
        if other_mentions {
            return CallerWait::Unknown;
        }
        return CallerWait::Abandons(format!(
            "{} can take another case of its `select` and move on",
            at(select)
        ));
    }
    if receives_directly(current, receive) {
        CallerWait::Waits
    } else {
        CallerWait::Unknown
    }
}

fn is_receive(node: Node, source: &str) -> bool {
    node.kind() == "unary_expression"
        && node
            .child_by_field_name("operator")
            .is_some_and(|op| text(op, source) == "<-")
}

/// The `select` whose case `receive` is the communication of, if any.
fn select_of(receive: Node) -> Option<Node> {
    let mut node = receive.parent()?;
    for _ in 0..3 {
        match node.kind() {
            "communication_case" => {
                return node
                    .child_by_field_name("communication")
                    .filter(|communication| syntax::contains(*communication, receive))
                    .and_then(|_| node.parent());
            }
            "expression_list" | "receive_statement" => node = node.parent()?,
            _ => return None,
        }
    }
    None
}

fn select_has_other_case(select: Node) -> bool {
    let mut cursor = select.walk();
    select
        .named_children(&mut cursor)
        .filter(|case| matches!(case.kind(), "communication_case" | "default_case"))
        .count()
        > 1
}

/// `<-ch`, `v := <-ch`, `v, ok = <-ch`, `return <-ch`, `use(<-ch)`: the receive runs whenever
/// `statement` does (no block, closure or `&&`/`||` between them).
fn receives_directly(statement: Node, receive: Node) -> bool {
    matches!(
        statement.kind(),
        "expression_statement"
            | "short_var_declaration"
            | "assignment_statement"
            | "return_statement"
            | "send_statement"
    ) && syntax::ancestors_until(receive, statement).all(|between| {
        matches!(
            between.kind(),
            "expression_list"
                | "argument_list"
                | "call_expression"
                | "parenthesized_expression"
                | "unary_expression"
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::codemods::test_support::*;
    use crate::edit::Applicability;

    const FUTURE: &str = "func lookup() <-chan int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\treturn c\n}\n";

    #[test]
    fn a_caller_that_can_time_out_gets_the_future_buffered() {
        let before = format!(
            "{FUTURE}\nfunc get(ctx context.Context) int {{\n\tselect {{\n\tcase v := <-lookup():\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}}\n}}\n"
        );
        assert_finding(&before, "future-leak", Some(Applicability::Safe));
        assert_fix(
            &before,
            &before.replace("make(chan int)", "make(chan int, 1)"),
        );
        let message = &findings(&before)[0].message;
        assert!(
            message.contains("at line 20 can take another case"),
            "{message}"
        );
    }

    #[test]
    fn a_caller_that_returns_before_receiving_or_discards_it() {
        let early = format!(
            "{FUTURE}\nfunc get(fail bool) int {{\n\tc := lookup()\n\tif fail {{\n\t\treturn 0\n\t}}\n\treturn <-c\n}}\n"
        );
        assert_finding(&early, "future-leak", Some(Applicability::Safe));
        let discarded = format!("{FUTURE}\nfunc get() {{\n\tlookup()\n}}\n");
        assert_finding(&discarded, "future-leak", Some(Applicability::Safe));
        let never = format!("{FUTURE}\nfunc get() {{\n\tc := lookup()\n\t_ = 1\n}}\n");
        assert_finding(&never, "future-leak", Some(Applicability::Safe));
    }

    #[test]
    fn callers_that_always_receive_leave_an_unexported_future_alone() {
        assert_silent(&format!(
            "{FUTURE}\nfunc get() int {{\n\treturn <-lookup()\n}}\n\nfunc get2() int {{\n\tc := lookup()\n\twork()\n\tv := <-c\n\treturn v\n}}\n"
        ));
        // No caller at all, or one the check does not follow (the channel is passed on).
        assert_silent(FUTURE);
        assert_silent(&format!(
            "{FUTURE}\nfunc get() {{\n\tc := lookup()\n\tconsume(c)\n}}\n"
        ));
    }

    #[test]
    fn a_caller_is_read_past_the_block_that_stores_the_channel() {
        // Stored in either branch of an `if`, then waited on in a `select` that can time out:
        // the caller can move on. (Read only to the end of the branch, this was unknown.)
        let branches = format!(
            "{FUTURE}\nfunc get(ctx context.Context, fresh bool) int {{\n\tvar c <-chan int\n\tif fresh {{\n\t\tc = lookup()\n\t}} else {{\n\t\tc = lookup()\n\t}}\n\tselect {{\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}}\n}}\n"
        );
        assert_finding(&branches, "future-leak", Some(Applicability::Safe));
        let message = &findings(&branches)[0].message;
        assert!(
            message.contains("at line 26 can take another case"),
            "{message}"
        );
        // Received after the branches on every path: waits.
        assert_silent(&branches.replace(
            "\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n",
            "\treturn <-c\n",
        ));
        // Stored in an `if` header and received in its body: not followed (the body is not
        // what follows the statement), so not taken for a way out either.
        assert_silent(&format!(
            "{FUTURE}\nfunc get(ok bool) int {{\n\tif c := lookup(); ok {{\n\t\treturn <-c\n\t}}\n\treturn 0\n}}\n"
        ));
        // Stored in a loop and received after it: the loop may store it again before the
        // receive; not followed.
        assert_silent(&format!(
            "{FUTURE}\nfunc get(ctx context.Context, xs []int) int {{\n\tvar c <-chan int\n\tfor range xs {{\n\t\tc = lookup()\n\t}}\n\tselect {{\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}}\n}}\n"
        ));
    }

    #[test]
    fn an_exported_future_is_a_hazard_whose_fix_depends_on_its_type() {
        let receive_only = FUTURE.replace("lookup", "Lookup");
        assert_finding(&receive_only, "future-leak", Some(Applicability::Safe));
        let bidirectional = receive_only.replace("<-chan int", "chan int");
        assert_finding(&bidirectional, "future-leak", Some(Applicability::Unsafe));
    }

    #[test]
    fn an_exported_future_in_a_test_file_is_judged_by_its_callers() {
        // A test double: callers range over the channel, which this check does not follow
        // (so they count as waiting); nobody outside the directory can call it.
        let double = "type fake struct{}\n\nfunc (f *fake) Watch() chan int {\n\tc := make(chan int)\n\tgo func() {\n\t\tc <- 1\n\t\tclose(c)\n\t}()\n\treturn c\n}\n\nfunc use(f *fake) {\n\tc := f.Watch()\n\tfor range c {\n\t}\n}\n";
        assert_eq!(findings_in("fake_test.go", double).len(), 0);
        assert_eq!(findings_in("fake.go", double).len(), 1);
    }

    #[test]
    fn a_future_whose_sender_gives_up_or_that_is_buffered_is_silent() {
        assert_silent(
            "func Lookup(ctx context.Context) <-chan int {\n\tc := make(chan int)\n\tgo func() {\n\t\tselect {\n\t\tcase c <- 1:\n\t\tcase <-ctx.Done():\n\t\t}\n\t}()\n\treturn c\n}\n",
        );
        assert_silent(
            &FUTURE
                .replace("lookup", "Lookup")
                .replace("make(chan int)", "make(chan int, 1)"),
        );
        // The function receives from its own future: not this shape.
        assert_silent(
            "func Lookup() <-chan int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\t<-c\n\treturn c\n}\n",
        );
    }

    #[test]
    fn a_sender_that_may_return_without_sending_is_not_stranded_by_a_caller() {
        // `case <-ctx.Done(): return`: a caller that gives up cancels and nothing is sent.
        assert_silent(
            "func Lookup(ctx context.Context, done chan int) <-chan int {\n\tc := make(chan int)\n\tgo func() {\n\t\tselect {\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\tcase v := <-done:\n\t\t\tc <- v\n\t\t}\n\t}()\n\treturn c\n}\n",
        );
        // Sending in every case of the select: it always sends.
        assert_finding(
            "func Lookup(ctx context.Context, done chan int) <-chan int {\n\tc := make(chan int)\n\tgo func() {\n\t\tdefer close(c)\n\t\tselect {\n\t\tcase <-ctx.Done():\n\t\t\tc <- 0\n\t\tcase v := <-done:\n\t\t\tc <- v\n\t\t}\n\t}()\n\treturn c\n}\n",
            "future-leak",
            Some(Applicability::Safe),
        );
    }

    #[test]
    fn a_sender_that_sends_on_every_path_that_ends_is_stranded() {
        // Each branch sends before it returns: the goroutine surely sends.
        assert_finding(
            "func Lookup(x bool) <-chan int {\n\tc := make(chan int)\n\tgo func() {\n\t\tif x {\n\t\t\tc <- 1\n\t\t\treturn\n\t\t}\n\t\tc <- 2\n\t}()\n\treturn c\n}\n",
            "future-leak",
            Some(Applicability::Safe),
        );
        // A loop that only ends by sending: whenever the goroutine ends, it has sent.
        assert_finding(
            "func Lookup(in chan int) <-chan int {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor {\n\t\t\tif v := <-in; v > 0 {\n\t\t\t\tc <- v\n\t\t\t\treturn\n\t\t\t}\n\t\t}\n\t}()\n\treturn c\n}\n",
            "future-leak",
            Some(Applicability::Safe),
        );
        // The same loop with a way out that does not send: not surely.
        assert_silent(
            "func Lookup(ctx context.Context, in chan int) <-chan int {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor {\n\t\t\tif ctx.Err() != nil {\n\t\t\t\treturn\n\t\t\t}\n\t\t\tif v := <-in; v > 0 {\n\t\t\t\tc <- v\n\t\t\t\treturn\n\t\t\t}\n\t\t}\n\t}()\n\treturn c\n}\n",
        );
    }

    #[test]
    fn the_function_s_own_send_before_returning_blocks_forever() {
        let before = "func Start(fail bool) (<-chan error, error) {\n\terrc := make(chan error)\n\tif fail {\n\t\terrc <- nil\n\t\treturn errc, nil\n\t}\n\tgo func() { errc <- nil }()\n\treturn errc, nil\n}\n";
        assert_finding(before, "future-leak", Some(Applicability::Safe));
        assert_fix(
            before,
            &before.replace("make(chan error)", "make(chan error, 1)"),
        );
        // The send ends a branch and the `return` follows the `if`; a goroutine started in a
        // branch that returns cannot have run before it: still one value per call.
        let branch = "func Start(fail, quick bool) <-chan error {\n\terrc := make(chan error)\n\tif quick {\n\t\tgo func() { errc <- nil }()\n\t\treturn errc\n\t}\n\tif fail {\n\t\terrc <- nil\n\t}\n\treturn errc\n}\n";
        assert_finding(branch, "future-leak", Some(Applicability::Safe));
        assert_fix(
            branch,
            &branch.replace("make(chan error)", "make(chan error, 1)"),
        );
        // Two own sends on one path: a buffer of one is not enough; no fix.
        let twice = "func Start(fail bool) <-chan error {\n\terrc := make(chan error)\n\tif fail {\n\t\terrc <- nil\n\t}\n\terrc <- nil\n\treturn errc\n}\n";
        assert_finding(twice, "future-leak", None);
        // A goroutine that sends was started before the own send: a buffer of one is not
        // enough on that path; reported, no fix.
        let after_start = "func Start(fail bool) <-chan error {\n\terrc := make(chan error)\n\tgo func() { errc <- nil }()\n\tif fail {\n\t\terrc <- nil\n\t\treturn errc\n\t}\n\treturn errc\n}\n";
        assert_finding(after_start, "future-leak", None);
    }
}
