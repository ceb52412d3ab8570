//! `abandoned-receivers`. What it does, why it leaks, an example, the fix and its safety, and when it stays
//! silent are documented once, in `codemods/abandoned-receivers/README.md` (what `--explain` prints).
//!
//! How the check is organised: for each channel the function makes, find the one loop that
//! holds every send (`send_loop`), then the guards, one early return each, that make the
//! `close` after that loop safe; the fix inserts `close(ch)` on the line after the loop, at
//! the loop's indentation.

use super::{Codemod, CodemodContext, Finding};
use crate::edit::Fix;
use crate::facts::{Channel, Context, UseKind};
use crate::rewrite::insert_line_after;
use crate::syntax;
use tree_sitter::Node;

pub struct AbandonedReceivers;

impl Codemod for AbandonedReceivers {
    fn id(&self) -> &'static str {
        "abandoned-receivers"
    }

    fn summary(&self) -> &'static str {
        "workers range over a channel that the function fills in a loop and never closes"
    }

    fn documentation(&self) -> &'static str {
        include_str!("../../codemods/abandoned-receivers/README.md")
    }

    fn check(&self, context: &CodemodContext, findings: &mut Vec<Finding>) {
        for channel in &context.facts.channels {
            let Some(send_loop) = send_loop(channel) else {
                continue;
            };
            if channel.is_closed_anywhere() || channel.escape_reason().is_some() {
                continue;
            }
            let mut workers: Vec<_> = channel
                .uses
                .iter()
                .filter(|used| matches!(used.kind, UseKind::Range { .. }))
                .filter_map(|used| match used.context {
                    Context::Goroutine(id) => Some(id),
                    Context::Parent => None,
                })
                .collect();
            workers.dedup();
            let worker_ranges = workers.len();
            if worker_ranges == 0 {
                continue;
            }
            // Another kind of receiver in a goroutine would see zero values after a close.
            let only_ranging_workers =
                channel
                    .uses
                    .iter()
                    .all(|used| match (&used.kind, used.context) {
                        (UseKind::Receive { .. }, Context::Goroutine(_)) => false,
                        (UseKind::Receive { .. }, Context::Parent) => {
                            used.node.start_byte() < send_loop.end_byte()
                        }
                        (UseKind::Range { .. }, Context::Parent) => false,
                        _ => true,
                    });
            if !only_ranging_workers {
                continue;
            }
            let name = &channel.name;
            let started_at = context.facts.goroutines[workers[0]].start.start_byte();
            let message = format!(
                "workers started at line {} range over `{name}`, but it is never closed after the send loop at line {}; they block forever once it is drained",
                context.line_of(started_at),
                context.line_of(send_loop.start_byte()),
            );
            // `close(name)` after the loop must name this channel there.
            let fix = insert_line_after(context.source, send_loop, &format!("close({name})"))
                .filter(|edit| context.facts.names_channel_at(channel, edit.start))
                .map(|edit| {
                    Fix::safe(
                        format!("close `{name}` after the send loop so the workers' `range` ends"),
                        vec![edit],
                    )
                });
            findings.push(Finding {
                codemod: self.id(),
                range: channel.make_call.byte_range(),
                message,
                fix,
            });
        }
    }
}

/// The one loop of the function that holds every send on `channel`, when there is one, it is
/// the function's own (no goroutine sends) and it runs once per channel (not nested in a loop).
fn send_loop<'a>(channel: &Channel<'a>) -> Option<Node<'a>> {
    let mut found: Option<Node<'a>> = None;
    for send in channel.sends() {
        if send.context != Context::Parent {
            return None;
        }
        let outermost = channel.loops_within_scope(&send.loops).last().copied()?;
        if found.is_some_and(|known| known.id() != outermost.id()) {
            return None;
        }
        found = Some(outermost);
    }
    let send_loop = found?;
    // The `for` must be a statement of its block (labelled loops are left alone).
    send_loop
        .parent()
        .filter(|p| p.kind() == "statement_list")?;
    debug_assert!(syntax::is_loop(send_loop));
    Some(send_loop)
}

#[cfg(test)]
mod tests {
    use crate::codemods::test_support::*;

    const WORKERS: &str =
        "\tfor i := 0; i < 2; i++ {\n\t\tgo func() {\n\t\t\tfor range q {\n\t\t\t}\n\t\t}()\n\t}\n";

    #[test]
    fn closes_after_the_send_loop() {
        let before = format!(
            "func f(xs []int) {{\n\tq := make(chan int, len(xs))\n\tfor _, x := range xs {{\n\t\tq <- x\n\t}}\n{WORKERS}}}\n"
        );
        let after = format!(
            "func f(xs []int) {{\n\tq := make(chan int, len(xs))\n\tfor _, x := range xs {{\n\t\tq <- x\n\t}}\n\tclose(q)\n{WORKERS}}}\n"
        );
        assert_fix(&before, &after);
    }

    #[test]
    fn silent_when_something_sends_after_the_loop() {
        assert_silent(&format!(
            "func f(xs []int) {{\n\tq := make(chan int, len(xs)+1)\n\tfor _, x := range xs {{\n\t\tq <- x\n\t}}\n\tq <- 0\n{WORKERS}}}\n"
        ));
    }

    #[test]
    fn silent_when_a_goroutine_sends_too() {
        assert_silent(&format!(
            "func f(xs []int) {{\n\tq := make(chan int, len(xs)+1)\n\tgo func() {{ q <- 0 }}()\n\tfor _, x := range xs {{\n\t\tq <- x\n\t}}\n{WORKERS}}}\n"
        ));
    }

    #[test]
    fn nested_send_loops_are_closed_after_the_outermost() {
        let before = format!(
            "func f(xss [][]int) {{\n\tq := make(chan int)\n{WORKERS}\tfor _, xs := range xss {{\n\t\tfor _, x := range xs {{\n\t\t\tq <- x\n\t\t}}\n\t}}\n}}\n"
        );
        let after = before.replace("\t\t}\n\t}\n}\n", "\t\t}\n\t}\n\tclose(q)\n}\n");
        assert_fix(&before, &after);
    }

    #[test]
    fn silent_on_a_channel_it_did_not_make() {
        assert_silent(&format!(
            "func f(xs []int, q chan int) {{\n{WORKERS}\tfor _, x := range xs {{\n\t\tq <- x\n\t}}\n}}\n"
        ));
    }

    #[test]
    fn silent_when_a_worker_receives_without_range() {
        // After a close, `<-q` would yield zero values instead of blocking.
        assert_silent(
            "func f(xs []int) {\n\tq := make(chan int, len(xs))\n\tfor _, x := range xs {\n\t\tq <- x\n\t}\n\tgo func() {\n\t\tfor range q {\n\t\t}\n\t}()\n\tgo func() {\n\t\tfor {\n\t\t\t_ = <-q\n\t\t}\n\t}()\n}\n",
        );
    }
}
