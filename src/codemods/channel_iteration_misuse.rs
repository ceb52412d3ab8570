//! `channel-iteration-misuse`. What it does, why it leaks, an example, the fix and its safety, and when it stays
//! silent are documented once, in `codemods/channel-iteration-misuse/README.md` (what `--explain` prints).
//!
//! How the check is organised: `producers_and_consumer` finds the shape (producer
//! goroutines, one consumer that ranges, the `wg.Wait()`); `accounting_group` and its helpers
//! decide whether the wait covers every send; `build_fix` then places `close(c)` after the
//! wait (safe) or `defer close(c)` after the `make` (unsafe).

use super::{Codemod, CodemodContext, Finding};
use crate::edit::{Edit, Fix};
use crate::escape;
use crate::facts::{Channel, Context, Goroutine, GoroutineKind, UseKind};
use crate::rewrite::{insert_after_declaration, insert_line_after};
use crate::syntax::{self, descendants_outside_closures, statements, text};
use tree_sitter::Node;

pub struct ChannelIterationMisuse;

impl Codemod for ChannelIterationMisuse {
    fn id(&self) -> &'static str {
        "channel-iteration-misuse"
    }

    fn summary(&self) -> &'static str {
        "a goroutine ranges over a channel that nobody closes once the producers are done"
    }

    fn documentation(&self) -> &'static str {
        include_str!("../../codemods/channel-iteration-misuse/README.md")
    }

    fn check(&self, context: &CodemodContext, findings: &mut Vec<Finding>) {
        for channel in &context.facts.channels {
            let Some(shape) = producers_and_consumer(context, channel) else {
                continue;
            };
            // The function must wait for something after starting the producers; a consumer
            // that lives as long as the program is not a leak.
            let group = accounting_group(context, channel, &shape);
            let wait = match &group {
                Some(group) => wait_call(context, |receiver| receiver == group),
                None => wait_call(context, |_| true),
            };
            let Some(wait) = wait else { continue };
            let name = &channel.name;
            // Named by its receiver, not copied: the call's text is the repository's, and a
            // comment inside it (`wg.Wait( /* ... */ )`) could hold anything.
            let wait_text = method_receiver(wait, context.source, "Wait").map_or_else(
                || "Wait()".to_string(),
                |receiver| format!("{}.Wait()", escape::excerpt(&receiver)),
            );
            let message = format!(
                "a goroutine ranges over `{name}`, but nobody closes it after the producers finish (`{wait_text}` at line {}); the range blocks forever",
                context.line_of(wait.start_byte())
            );
            // Without a group that provably counts every send, no close point is provable.
            let fix = group.and_then(|_| build_fix(context, channel, &shape, wait));
            findings.push(Finding {
                codemod: self.id(),
                range: channel.make_call.byte_range(),
                message,
                fix,
            });
        }
    }
}

struct Shape<'f, 'a> {
    producers: Vec<&'f Goroutine<'a>>,
    consumers: Vec<&'f Goroutine<'a>>,
}

/// Producers send, consumers range, the function itself does neither (it may receive before
/// waiting), nothing closes, nothing escapes.
fn producers_and_consumer<'f, 'a>(
    context: &'f CodemodContext<'_, 'a>,
    channel: &Channel<'a>,
) -> Option<Shape<'f, 'a>> {
    if channel.is_closed_anywhere() || channel.escape_reason().is_some() {
        return None;
    }
    let mut producers: Vec<usize> = Vec::new();
    let mut consumers: Vec<usize> = Vec::new();
    for used in &channel.uses {
        match (&used.kind, used.context) {
            (UseKind::Send { .. }, Context::Goroutine(id)) => producers.push(id),
            (UseKind::Range { .. }, Context::Goroutine(id)) => consumers.push(id),
            (UseKind::Inspect | UseKind::GoArgument, _) => {}
            _ => return None,
        }
    }
    producers.sort_unstable();
    producers.dedup();
    consumers.sort_unstable();
    consumers.dedup();
    if producers.is_empty()
        || consumers.is_empty()
        || producers.iter().any(|p| consumers.contains(p))
    {
        return None;
    }
    let goroutines = &context.facts.goroutines;
    let producers: Vec<&Goroutine> = producers.iter().map(|id| &goroutines[*id]).collect();
    let consumers: Vec<&Goroutine> = consumers.iter().map(|id| &goroutines[*id]).collect();
    if producers
        .iter()
        .chain(&consumers)
        .any(|g| g.nested || g.body.is_none())
    {
        return None;
    }
    Some(Shape {
        producers,
        consumers,
    })
}

/// The wait group that provably counts every send, by name (`wg`, `g`, `s.wg`).
fn accounting_group(context: &CodemodContext, channel: &Channel, shape: &Shape) -> Option<String> {
    let source = context.source;
    let mut group: Option<String> = None;
    let mut agree = |name: String| match &group {
        Some(known) => *known == name,
        None => {
            group = Some(name);
            true
        }
    };
    let group_done_per_value = consumer_done_per_value(context, shape);
    for producer in &shape.producers {
        let body = producer.body?;
        let name = match &producer.kind {
            GoroutineKind::Group { group } => group.clone(),
            _ => match done_when_finished(body, source) {
                Some(name) => name,
                None => {
                    let name = group_done_per_value.clone()?;
                    if !preceded_by_add_one(producer.start, source, &name)
                        || !sends_at_most_once(channel, producer)
                    {
                        return None;
                    }
                    name
                }
            },
        };
        // `wg.Add` inside a producer races with `wg.Wait`.
        if calls_method(body, source, &name, "Add") || !agree(name) {
            return None;
        }
    }
    group
}

/// `defer wg.Done()` anywhere at the top of the body, or `wg.Done()` as its last statement
/// (and nowhere else): the producer's sends all happen before it is counted done.
fn done_when_finished(body: Node, source: &str) -> Option<String> {
    let top = statements(body);
    for statement in &top {
        if statement.kind() == "defer_statement"
            && let Some(name) = statement
                .named_child(0)
                .and_then(|call| method_receiver(call, source, "Done"))
        {
            return Some(name);
        }
    }
    let last = top.last()?;
    let name = (last.kind() == "expression_statement")
        .then(|| {
            last.named_child(0)
                .and_then(|call| method_receiver(call, source, "Done"))
        })
        .flatten()?;
    let done_calls = descendants_outside_closures(body, &mut |n| {
        n.kind() == "call_expression" && method_receiver(n, source, "Done").is_some()
    });
    (done_calls.len() == 1).then_some(name)
}

/// The seed's shape: the consumer's range body calls `wg.Done()` unconditionally, once per
/// value, and has no `continue` that could skip it.
fn consumer_done_per_value(context: &CodemodContext, shape: &Shape) -> Option<String> {
    let source = context.source;
    let [consumer] = shape.consumers.as_slice() else {
        return None;
    };
    let body = consumer.body?;
    let ranges = descendants_outside_closures(body, &mut |n| n.kind() == "for_statement");
    let [range_loop] = ranges.as_slice() else {
        return None;
    };
    let loop_body = range_loop.child_by_field_name("body")?;
    if !descendants_outside_closures(loop_body, &mut |n| {
        matches!(
            n.kind(),
            "continue_statement" | "goto_statement" | "break_statement"
        )
    })
    .is_empty()
    {
        return None;
    }
    let done = statements(loop_body)
        .into_iter()
        .filter(|s| s.kind() == "expression_statement")
        .find_map(|s| {
            s.named_child(0)
                .and_then(|call| method_receiver(call, source, "Done"))
        })?;
    let all_done = descendants_outside_closures(body, &mut |n| {
        n.kind() == "call_expression" && method_receiver(n, source, "Done").is_some()
    });
    (all_done.len() == 1).then_some(done)
}

/// `wg.Add(1)` is the statement right before the `go` statement.
fn preceded_by_add_one(start: Node, source: &str, group: &str) -> bool {
    let Some(previous) = start
        .prev_named_sibling()
        .filter(|p| p.kind() == "expression_statement")
    else {
        return false;
    };
    let Some(call) = previous.named_child(0) else {
        return false;
    };
    method_receiver(call, source, "Add").as_deref() == Some(group)
        && syntax::call_arguments(call)
            .first()
            .is_some_and(|a| text(*a, source) == "1")
}

fn sends_at_most_once(channel: &Channel, producer: &Goroutine) -> bool {
    channel
        .sends()
        .filter(|send| {
            send.file == producer.body_file
                && producer
                    .body
                    .is_some_and(|b| syntax::contains(b, send.node))
        })
        .all(|send| {
            matches!(
                send.kind,
                UseKind::Send {
                    tail: true,
                    in_select: false,
                    ..
                }
            )
        })
}

/// `x.method(...)`: the receiver `x` as written.
fn method_receiver(call: Node, source: &str, method: &str) -> Option<String> {
    if call.kind() != "call_expression" {
        return None;
    }
    let function = call
        .child_by_field_name("function")
        .filter(|f| f.kind() == "selector_expression")?;
    let field = function.child_by_field_name("field")?;
    if text(field, source) != method {
        return None;
    }
    Some(text(function.child_by_field_name("operand")?, source).to_string())
}

fn calls_method(body: Node, source: &str, group: &str, method: &str) -> bool {
    !descendants_outside_closures(body, &mut |n| {
        method_receiver(n, source, method).as_deref() == Some(group)
    })
    .is_empty()
}

/// The function's own single `x.Wait()` call whose receiver passes `is_group`, outside any
/// loop and closure.
fn wait_call<'a>(
    context: &CodemodContext<'_, 'a>,
    is_group: impl Fn(&str) -> bool,
) -> Option<Node<'a>> {
    let source = context.source;
    let waits = descendants_outside_closures(context.facts.body, &mut |n| {
        method_receiver(n, source, "Wait").is_some_and(|receiver| is_group(&receiver))
    });
    let [wait] = waits.as_slice() else {
        return None;
    };
    if !syntax::loops_between(*wait, context.facts.body).is_empty() {
        return None;
    }
    Some(*wait)
}

fn build_fix(
    context: &CodemodContext,
    channel: &Channel,
    shape: &Shape,
    wait: Node,
) -> Option<Fix> {
    let source = context.source;
    let name = &channel.name;
    // Every producer must have started before the wait, in the function itself.
    if shape
        .producers
        .iter()
        .any(|p| p.start.start_byte() > wait.start_byte())
    {
        return None;
    }
    let close = format!("close({name})");
    let statement = syntax::enclosing_statement(wait)?;
    let wait_is_whole_statement = match statement.kind() {
        "expression_statement" => statement
            .named_child(0)
            .is_some_and(|call| call.id() == wait.id()),
        "short_var_declaration" | "assignment_statement" => true,
        _ => false,
    };
    // The inserted `close(name)` must name this channel where it lands.
    let can_close = |edit: &Edit| context.facts.names_channel_at(channel, edit.start);
    if wait_is_whole_statement
        && let Some(edit) = insert_line_after(source, statement, &close).filter(can_close)
    {
        return Some(Fix::safe(
            format!("close `{name}` once every producer is done, so the `range` ends"),
            vec![edit],
        ));
    }
    // The deferred close runs at return, after the wait, if nothing returns before the wait.
    let returns_before_wait = context.facts.exits.iter().any(|exit| {
        exit.start_byte() > channel.declaration.end_byte() && exit.end_byte() <= wait.start_byte()
    });
    if returns_before_wait {
        return None;
    }
    let edit =
        insert_after_declaration(source, channel, &format!("defer {close}")).filter(can_close)?;
    Some(Fix::unsafe_(
        format!(
            "close `{name}` when the function returns (unsafe: a panic before the wait would close it while producers still send)"
        ),
        vec![edit],
    ))
}

#[cfg(test)]
mod tests {
    use crate::codemods::test_support::*;
    use crate::edit::Applicability;

    const CONSUMER: &str = "\tgo func() {\n\t\tfor range c {\n\t\t}\n\t}()\n";

    #[test]
    fn closes_after_the_wait_when_producers_defer_done() {
        let before = format!(
            "func f(xs []int) {{\n\tvar wg sync.WaitGroup\n\tc := make(chan int)\n{CONSUMER}\tfor _, x := range xs {{\n\t\twg.Add(1)\n\t\tgo func() {{\n\t\t\tdefer wg.Done()\n\t\t\tc <- x\n\t\t}}()\n\t}}\n\twg.Wait()\n}}\n"
        );
        let after = before.replace("\twg.Wait()\n", "\twg.Wait()\n\tclose(c)\n");
        assert_fix(&before, &after);
    }

    #[test]
    fn a_wait_inside_an_if_gets_an_unsafe_deferred_close() {
        assert_finding(
            &format!(
                "func f(xs []int, g interface {{\n\tGo(func() error)\n\tWait() error\n}}) error {{\n\tc := make(chan int)\n{CONSUMER}\tfor _, x := range xs {{\n\t\tg.Go(func() error {{\n\t\t\tc <- x\n\t\t\treturn nil\n\t\t}})\n\t}}\n\tif err := g.Wait(); err != nil {{\n\t\treturn err\n\t}}\n\treturn nil\n}}\n"
            ),
            "channel-iteration-misuse",
            Some(Applicability::Unsafe),
        );
    }

    #[test]
    fn producers_the_wait_does_not_count_get_no_fix() {
        assert_finding(
            &format!(
                "func f(xs []int) {{\n\tvar wg sync.WaitGroup\n\tc := make(chan int)\n{CONSUMER}\tfor _, x := range xs {{\n\t\tgo func() {{\n\t\t\tc <- x\n\t\t}}()\n\t}}\n\twg.Wait()\n}}\n"
            ),
            "channel-iteration-misuse",
            None,
        );
    }

    #[test]
    fn silent_when_a_goroutine_closes_after_waiting() {
        assert_silent(
            "func f(xs []int) (sum int) {\n\tvar wg sync.WaitGroup\n\tc := make(chan int)\n\tfor _, x := range xs {\n\t\twg.Add(1)\n\t\tgo func() {\n\t\t\tdefer wg.Done()\n\t\t\tc <- x\n\t\t}()\n\t}\n\tgo func() {\n\t\twg.Wait()\n\t\tclose(c)\n\t}()\n\tfor v := range c {\n\t\tsum += v\n\t}\n\treturn sum\n}\n",
        );
    }

    #[test]
    fn silent_without_a_wait_a_consumer_may_live_forever() {
        assert_silent(&format!(
            "func f(xs []int) {{\n\tc := make(chan int)\n{CONSUMER}\tfor _, x := range xs {{\n\t\tgo func() {{\n\t\t\tc <- x\n\t\t}}()\n\t}}\n}}\n"
        ));
    }
}
