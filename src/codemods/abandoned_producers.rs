//! `abandoned-producers`. What it does, why it leaks, an example, the fix and its safety, and
//! when it stays silent are documented once, in `codemods/abandoned-producers/README.md`.
//!
//! How the check is organised: find a channel that one goroutine of the function sends a
//! stream on (a send in a loop, or several sends) and that only the function receives from
//! (`producer`); find where the function can stop receiving while the stream goes on
//! (`stops_early`); the fix is the stop-channel rewrite of `stop_channel`.

use super::stop_channel::stop_channel_fix;
use super::{Codemod, CodemodContext, Finding};
use crate::facts::{Capacity, Channel, ChannelUse, Context, Goroutine, UseKind};
use crate::syntax::{self, kind_of, text};
use tree_sitter::Node;

pub struct AbandonedProducers;

impl Codemod for AbandonedProducers {
    fn id(&self) -> &'static str {
        "abandoned-producers"
    }

    fn summary(&self) -> &'static str {
        "a goroutine streams values on a channel; the function can stop receiving first and the producer blocks forever"
    }

    fn documentation(&self) -> &'static str {
        include_str!("../../codemods/abandoned-producers/README.md")
    }

    fn check(&self, context: &CodemodContext, findings: &mut Vec<Finding>) {
        for channel in &context.facts.channels {
            let Some(producer) = producer(context, channel) else {
                continue;
            };
            let Some(stop) = stops_early(context, channel, &producer) else {
                continue;
            };
            let start_line = context.line_of(producer.goroutine.start.start_byte());
            let stream = if producer.endless {
                "an endless stream"
            } else {
                "a stream"
            };
            let message = format!(
                "goroutine started at line {start_line} sends {stream} on `{}`, but {stop}; the producer then blocks forever on its next send",
                channel.name
            );
            let fix = match stop_channel_fix(context, channel, producer.goroutine, &producer.sends)
            {
                Ok(rewrite) => {
                    let description = format!(
                        "make each send on `{}` a select that returns once {}",
                        channel.name,
                        rewrite.gives_up_when()
                    );
                    rewrite.into_fix(description, context)
                }
                Err(_) => None,
            };
            findings.push(Finding {
                codemod: self.id(),
                range: channel.make_call.byte_range(),
                message,
                fix,
            });
        }
    }
}

/// One goroutine that streams values on a channel only the function receives from.
struct Producer<'f, 'a> {
    goroutine: &'f Goroutine<'a>,
    /// Its sends on the channel, none in a `select`.
    sends: Vec<&'f ChannelUse<'a>>,
    /// The function's receives (plain, in a `select`, or `range`).
    receives: Vec<&'f ChannelUse<'a>>,
    /// A send in a `for` loop without condition: the stream never ends.
    endless: bool,
}

fn producer<'f, 'a>(
    context: &'f CodemodContext<'_, 'a>,
    channel: &'f Channel<'a>,
) -> Option<Producer<'f, 'a>> {
    let facts = context.facts;
    if channel.escape_reason().is_some() || !matches!(channel.capacity, Capacity::Unbuffered { .. })
    {
        return None;
    }
    let mut sender = None;
    let mut sends = Vec::new();
    let mut receives = Vec::new();
    for used in &channel.uses {
        match (&used.kind, used.context) {
            // A sender that already selects can give up on its own: the author thought of it.
            (
                UseKind::Send {
                    in_select: true, ..
                },
                _,
            ) => return None,
            (UseKind::Send { .. }, Context::Goroutine(id)) => {
                if sender.is_some_and(|s| s != id) {
                    return None;
                }
                sender = Some(id);
                sends.push(used);
            }
            (UseKind::Receive { select }, Context::Parent) => {
                // A wait inside a function this one calls: not a stream consumer.
                if select.as_ref().is_some_and(|case| case.callee.is_some()) {
                    return None;
                }
                receives.push(used);
            }
            (UseKind::Range { .. }, Context::Parent) => receives.push(used),
            (UseKind::Close { .. }, Context::Goroutine(_)) => {}
            (UseKind::Inspect | UseKind::GoArgument, _) => {}
            _ => return None,
        }
    }
    let sender = sender?;
    // Only the sender closes it (a close seen before the first send is checked here).
    if !channel.closed_only_by(sender) {
        return None;
    }
    let goroutine = facts.goroutines.get(sender)?;
    let body = goroutine.body?;
    if goroutine.nested
        || channel
            .loops_within_scope(&goroutine.loops)
            .next()
            .is_some()
    {
        return None;
    }
    // More than one value: a send in a loop, or two sends that can both run: not in the
    // exclusive branches of one `if`, `switch` or `select`, and not each the last act of the
    // goroutine (`if err != nil { c <- err; return }; c <- nil` sends once: one-shot's shape,
    // premature-return's or timeout-leak's).
    // (A send in a loop followed by `return` is the goroutine's last act: it sends once.)
    let not_last = |send: &&ChannelUse| matches!(send.kind, UseKind::Send { tail: false, .. });
    let in_loop = |send: &&ChannelUse| !send.loops.is_empty() && not_last(send);
    let streams =
        sends.iter().any(in_loop) || (sends.iter().any(not_last) && two_can_run(&sends, body));
    if !streams {
        return None;
    }
    // Sending on anything else too (an error channel the function selects on, a result
    // channel): the function's other way out may be where this producer went.
    let body_source = context.package.source(goroutine.body_file);
    let other_sends = syntax::descendants_outside_closures(body, &mut |n| {
        kind_of(n) == "send_statement"
    })
    .into_iter()
    .any(|send| !sends.iter().any(|ours| matches!(ours.kind, UseKind::Send { statement, .. } if statement.id() == send.id())));
    if other_sends {
        return None;
    }
    // Endless: a send in a `for` without condition that nothing leaves (no `return`, `break`
    // out of it, `goto` or `t.Fatal`): a producer that stops at the end of its input (a read
    // that fails) may send exactly as many values as the function takes.
    let endless = sends
        .iter()
        .flat_map(|send| send.loops.iter())
        .any(|l| is_endless(*l) && !can_leave_loop_in(*l, body_source));
    Some(Producer {
        goroutine,
        sends,
        receives,
        endless,
    })
}

/// Whether two of `sends` can run in one call of the goroutine: their nearest common
/// enclosing statement is not an `if`, `switch` (without `fallthrough`) or `select` holding
/// them in different branches.
fn two_can_run(sends: &[&ChannelUse], body: Node) -> bool {
    let chains: Vec<Vec<Node>> = sends
        .iter()
        .map(|send| {
            let mut chain: Vec<Node> = syntax::ancestors_until(send.node, body).collect();
            chain.reverse();
            chain
        })
        .collect();
    for (i, a) in chains.iter().enumerate() {
        for b in &chains[i + 1..] {
            let common = a
                .iter()
                .zip(b)
                .take_while(|(x, y)| x.id() == y.id())
                .last()
                .map(|(x, _)| *x);
            let exclusive = common.is_some_and(|node| match kind_of(node) {
                "if_statement" | "select_statement" => true,
                "expression_switch_statement" | "type_switch_statement" => {
                    !syntax::descendants_outside_closures(node, &mut |n| {
                        kind_of(n) == "fallthrough_statement"
                    })
                    .iter()
                    .any(|_| true)
                }
                _ => false,
            });
            if !exclusive {
                return true;
            }
        }
    }
    false
}

/// `for { ... }` or `for i := 0; ; i++ { ... }`: no condition and no range.
fn is_endless(for_statement: Node) -> bool {
    let mut cursor = for_statement.walk();
    let children: Vec<Node> = for_statement.named_children(&mut cursor).collect();
    children.iter().all(|child| match kind_of(child) {
        "block" | "comment" => true,
        "for_clause" => child.child_by_field_name("condition").is_none(),
        _ => false,
    })
}

/// Where the function can stop receiving while the producer still sends, in words; `None`
/// when it receives until the channel is closed (or forever).
fn stops_early(context: &CodemodContext, channel: &Channel, producer: &Producer) -> Option<String> {
    let source = context.source;
    let facts = context.facts;
    for receive in &producer.receives {
        match &receive.kind {
            UseKind::Range { for_statement } => {
                let Some(loop_body) = for_statement.child_by_field_name("body") else {
                    continue;
                };
                if let Some(exit) = facts
                    .exits
                    .iter()
                    .find(|exit| syntax::contains(loop_body, **exit))
                {
                    return Some(format!(
                        "the function can leave the `range` over it at line {}",
                        context.line_of(exit.start_byte())
                    ));
                }
                if let Some(exit) = breaks_out(*for_statement, loop_body, source) {
                    // Receiving again after the loop may drain the rest: not followed.
                    let later = producer
                        .receives
                        .iter()
                        .any(|r| r.node.start_byte() > for_statement.end_byte());
                    if !later {
                        return Some(format!(
                            "the `range` over it can stop at line {}",
                            context.line_of(exit.start_byte())
                        ));
                    }
                }
            }
            UseKind::Receive { select: Some(case) } if case.other_case_leaves => {
                return Some(format!(
                    "the select at line {} can take another case and return",
                    context.line_of(case.select.start_byte())
                ));
            }
            UseKind::Receive { .. } if producer.endless => {
                // An endless stream: unless the function receives in an endless loop of its
                // own (then it never stops), it takes finitely many values and leaves.
                let forever = channel
                    .loops_within_scope(&receive.loops)
                    .any(|l| is_endless(*l) && !can_leave_loop(*l, source, facts));
                if !forever {
                    return Some(format!(
                        "the function receives a bounded number of values (line {})",
                        context.line_of(receive.node.start_byte())
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether control can leave the producer's `for_statement`: a `return`, `goto` or `t.Fatal`
/// in it, or a `break` out of it.
fn can_leave_loop_in(for_statement: Node, source: &str) -> bool {
    let Some(body) = for_statement.child_by_field_name("body") else {
        return false;
    };
    syntax::can_leave_function(body, source) || breaks_out(for_statement, body, source).is_some()
}

/// Whether control can leave `for_statement` other than by finishing it.
fn can_leave_loop(for_statement: Node, source: &str, facts: &crate::facts::FunctionFacts) -> bool {
    let Some(body) = for_statement.child_by_field_name("body") else {
        return false;
    };
    facts.exits.iter().any(|exit| syntax::contains(body, *exit))
        || breaks_out(for_statement, body, source).is_some()
}

/// A `break` in `body` that ends `for_statement`: an unlabelled one not inside an inner loop,
/// `switch` or `select`, or one naming the loop's label; or a labelled `break`/`continue`
/// naming a label outside the loop.
fn breaks_out<'a>(for_statement: Node<'a>, body: Node<'a>, source: &str) -> Option<Node<'a>> {
    let own_label = for_statement
        .parent()
        .filter(|p| kind_of(p) == "labeled_statement")
        .and_then(|p| p.child_by_field_name("label"))
        .map(|label| text(label, source));
    let inner_labels: Vec<&str> =
        syntax::descendants_outside_closures(body, &mut |n| kind_of(n) == "labeled_statement")
            .into_iter()
            .filter_map(|s| s.child_by_field_name("label").map(|l| text(l, source)))
            .collect();
    syntax::descendants_outside_closures(body, &mut |n| {
        matches!(kind_of(n), "break_statement" | "continue_statement")
    })
    .into_iter()
    .find(|statement| {
        let label = statement
            .named_child(0)
            .filter(|l| kind_of(l) == "label_name")
            .map(|l| text(l, source));
        match label {
            Some(label) if Some(label) == own_label => kind_of(*statement) == "break_statement",
            Some(label) => !inner_labels.contains(&label),
            None => {
                kind_of(*statement) == "break_statement"
                    && !syntax::ancestors_until(*statement, body).any(|between| {
                        matches!(
                            kind_of(between),
                            "for_statement"
                                | "expression_switch_statement"
                                | "type_switch_statement"
                                | "select_statement"
                        )
                    })
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::codemods::test_support::*;
    use crate::edit::Applicability;

    const RANGE_RETURN: &str = "func f(xs []int) int {\n\tc := make(chan int) // values\n\tgo func() {\n\t\tdefer close(c)\n\t\tfor _, x := range xs {\n\t\t\tc <- x * 2 // doubled\n\t\t}\n\t}()\n\tfor v := range c {\n\t\tif v > 2 {\n\t\t\treturn v\n\t\t}\n\t}\n\treturn 0\n}\n";

    #[test]
    fn a_range_left_early_gets_the_stop_channel() {
        assert_fix(
            RANGE_RETURN,
            "func f(xs []int) int {\n\tc := make(chan int) // values\n\tdone := make(chan struct{})\n\tdefer close(done)\n\tgo func() {\n\t\tdefer close(c)\n\t\tfor _, x := range xs {\n\t\t\tselect {\n\t\t\tcase c <- x * 2:\n\t\t\tcase <-done:\n\t\t\t\treturn\n\t\t\t} // doubled\n\t\t}\n\t}()\n\tfor v := range c {\n\t\tif v > 2 {\n\t\t\treturn v\n\t\t}\n\t}\n\treturn 0\n}\n",
        );
    }

    #[test]
    fn line_endings_are_kept() {
        let crlf = RANGE_RETURN.replace('\n', "\r\n");
        let found = findings(&crlf);
        let fix = found[0].fix.as_ref().expect("a fix");
        for edit in &fix.edits {
            assert!(
                !edit.replacement.replace("\r\n", "").contains('\n'),
                "{edit:?}"
            );
            assert!(edit.replacement.contains("\r\n"), "{edit:?}");
        }
    }

    #[test]
    fn the_new_name_avoids_every_name_the_code_uses() {
        // A package-level `done` used in the function, a local `done2` in the goroutine.
        let before = "func f(xs []int) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tdone2 := len(xs)\n\t\tfor i := 0; i < done2; i++ {\n\t\t\tc <- i\n\t\t}\n\t\tclose(c)\n\t}()\n\tfor v := range c {\n\t\tif done(v) {\n\t\t\treturn v\n\t\t}\n\t}\n\treturn 0\n}\n";
        let found = findings(before);
        let fix = found[0].fix.as_ref().expect("a fix");
        assert!(
            fix.edits[0]
                .replacement
                .contains("done3 := make(chan struct{})"),
            "{fix:?}"
        );
        assert!(
            fix.edits[1].replacement.contains("case <-done3:"),
            "{fix:?}"
        );
    }

    #[test]
    fn an_endless_generator_whose_first_values_are_taken() {
        assert_finding(
            "func f(n int) []int {\n\tids := make(chan int)\n\tgo func() {\n\t\tfor i := 0; ; i++ {\n\t\t\tids <- i\n\t\t}\n\t}()\n\tvar out []int\n\tfor i := 0; i < n; i++ {\n\t\tout = append(out, <-ids)\n\t}\n\treturn out\n}\n",
            "abandoned-producers",
            Some(Applicability::Safe),
        );
    }

    #[test]
    fn a_deadline_loop_that_returns_from_its_other_case() {
        assert_finding(
            "func f(d <-chan time.Time) error {\n\tp := make(chan int)\n\tgo func() {\n\t\tfor i := 0; i < 10; i++ {\n\t\t\tp <- i\n\t\t}\n\t\tclose(p)\n\t}()\n\tfor {\n\t\tselect {\n\t\tcase _, ok := <-p:\n\t\t\tif !ok {\n\t\t\t\treturn nil\n\t\t\t}\n\t\tcase <-d:\n\t\t\treturn nil\n\t\t}\n\t}\n}\n",
            "abandoned-producers",
            Some(Applicability::Safe),
        );
    }

    #[test]
    fn a_context_cancelled_exactly_at_return_is_used_instead_of_a_new_channel() {
        let body = |parent: &str| {
            format!(
                "func f(p context.Context, xs []int) int {{\n\tctx, cancel := context.WithCancel({parent})\n\tdefer cancel()\n\tc := make(chan int)\n\tgo func() {{\n\t\tfor _, x := range xs {{\n\t\t\tc <- x\n\t\t}}\n\t\tclose(c)\n\t}}()\n\tfor v := range c {{\n\t\t_ = ctx\n\t\treturn v\n\t}}\n\treturn 0\n}}\n"
            )
        };
        let found = findings(&body("context.Background()"));
        let fix = found[0].fix.as_ref().expect("a fix");
        assert_eq!(fix.edits.len(), 1, "{fix:?}");
        assert!(fix.edits[0].replacement.contains("case <-ctx.Done():"));
        // Derived from the caller's context: cancelled also when that one is, while `f` may
        // still receive. A channel of its own instead.
        let found = findings(&body("p"));
        let fix = found[0].fix.as_ref().expect("a fix");
        assert!(
            fix.edits[0]
                .replacement
                .contains("done := make(chan struct{})")
        );
    }

    #[test]
    fn deferred_calls_that_would_now_run_make_the_fix_unsafe() {
        let with_defer = |deferred: &str| {
            format!(
                "func f(xs []int, wg *sync.WaitGroup, mu *sync.Mutex) int {{\n\tc := make(chan int)\n\tgo func() {{\n\t\t{deferred}\n\t\tfor _, x := range xs {{\n\t\t\tc <- x\n\t\t}}\n\t}}()\n\tfor v := range c {{\n\t\treturn v\n\t}}\n\treturn 0\n}}\n"
            )
        };
        for safe in ["defer wg.Done()", "defer mu.Unlock()", "defer close(c)"] {
            assert_finding(
                &with_defer(safe),
                "abandoned-producers",
                Some(Applicability::Safe),
            );
        }
        assert_finding(
            &with_defer("defer flush()"),
            "abandoned-producers",
            Some(Applicability::Unsafe),
        );
    }

    #[test]
    fn a_channel_the_function_closes_when_it_returns_is_used_instead_of_a_new_one() {
        // `quit` is closed by a `defer` registered before `c` is made, and by nothing else:
        // closed exactly when the function returns, like the `done` the fix would add.
        let before = |quit_uses: &str| {
            format!(
                "func f(xs []int) int {{\n\tquit := make(chan struct{{}})\n\tdefer close(quit)\n{quit_uses}\tc := make(chan int)\n\tgo func() {{\n\t\tfor _, x := range xs {{\n\t\t\tc <- x\n\t\t}}\n\t\tclose(c)\n\t}}()\n\tfor v := range c {{\n\t\tif v > 2 {{\n\t\t\treturn v\n\t\t}}\n\t}}\n\treturn 0\n}}\n"
            )
        };
        assert_fix(
            &before(""),
            "func f(xs []int) int {\n\tquit := make(chan struct{})\n\tdefer close(quit)\n\tc := make(chan int)\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tselect {\n\t\t\tcase c <- x:\n\t\t\tcase <-quit:\n\t\t\t\treturn\n\t\t\t}\n\t\t}\n\t\tclose(c)\n\t}()\n\tfor v := range c {\n\t\tif v > 2 {\n\t\t\treturn v\n\t\t}\n\t}\n\treturn 0\n}\n",
        );
        // A send on `quit`, or another close, could end the wait before the function
        // returns; passed on, it could be closed anywhere: a new `done` instead.
        for quit_uses in [
            "\tgo func() { quit <- struct{}{} }()\n",
            "\tgo stop(quit)\n",
        ] {
            let found = findings(&before(quit_uses));
            let fix = found
                .iter()
                .find(|f| f.codemod == "abandoned-producers")
                .and_then(|f| f.fix.as_ref())
                .expect("a fix");
            assert!(
                fix.edits[0]
                    .replacement
                    .contains("done := make(chan struct{})"),
                "{quit_uses}: {fix:?}"
            );
        }
        // A `defer close` registered after the channel is made can be skipped by an earlier
        // return: a new `done` too.
        let late = "func f(xs []int) int {\n\tquit := make(chan struct{})\n\tc := make(chan int)\n\tdefer close(quit)\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t\tclose(c)\n\t}()\n\tfor v := range c {\n\t\tif v > 2 {\n\t\t\treturn v\n\t\t}\n\t}\n\treturn 0\n}\n";
        let found = findings(late);
        let fix = found[0].fix.as_ref().expect("a fix");
        assert!(
            fix.edits[0]
                .replacement
                .contains("done := make(chan struct{})"),
            "{fix:?}"
        );
    }

    #[test]
    fn a_producer_that_also_waits_on_another_channel_gets_no_fix() {
        // A handshake: the stop channel would free the send, and the goroutine would then
        // block for ever on `<-ack` (or in a select with no way out) instead: reported, with
        // no fix (telegraf's nsq_consumer_test.go:150 has this). (A producer that also sends
        // on another channel is not judged at all: see `silent_when_...`.)
        for wait in ["<-ack", "select {\n\t\t\tcase <-ack:\n\t\t\t}"] {
            let text = format!(
                "func f(xs []int, ack chan struct{{}}) int {{\n\tc := make(chan int)\n\tgo func() {{\n\t\tfor _, x := range xs {{\n\t\t\tc <- x\n\t\t\t{wait}\n\t\t}}\n\t}}()\n\tfor v := range c {{\n\t\tif v > 2 {{\n\t\t\treturn v\n\t\t}}\n\t\tack <- struct{{}}{{}}\n\t}}\n\treturn 0\n}}\n"
            );
            assert_finding(&text, "abandoned-producers", None);
        }
        // A select that can give up is no wait, nor is a receive in its case.
        let text = "func f(xs []int, ack chan struct{}) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t\tselect {\n\t\t\tcase <-ack:\n\t\t\tdefault:\n\t\t\t}\n\t\t}\n\t}()\n\tfor v := range c {\n\t\tif v > 2 {\n\t\t\treturn v\n\t\t}\n\t}\n\treturn 0\n}\n";
        assert_finding(text, "abandoned-producers", Some(Applicability::Safe));
    }

    #[test]
    fn a_release_after_the_send_that_giving_up_would_skip_is_unsafe() {
        assert_finding(
            "func f(xs []int, mu *sync.Mutex) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tmu.Lock()\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t\tmu.Unlock()\n\t}()\n\tfor v := range c {\n\t\treturn v\n\t}\n\treturn 0\n}\n",
            "abandoned-producers",
            Some(Applicability::Unsafe),
        );
    }

    #[test]
    fn no_fix_where_a_bare_return_is_not_legal_or_the_send_shares_its_line() {
        // errgroup-style `Go(func() error {...})`, and a send on a one-line loop.
        assert_finding(
            "func f(xs []int, g interface{ Go(func() error) }) int {\n\tc := make(chan int)\n\tg.Go(func() error {\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t\treturn nil\n\t})\n\tfor v := range c {\n\t\treturn v\n\t}\n\treturn 0\n}\n",
            "abandoned-producers",
            None,
        );
        assert_finding(
            "func f(xs []int) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor _, x := range xs { c <- x }\n\t}()\n\tfor v := range c {\n\t\treturn v\n\t}\n\treturn 0\n}\n",
            "abandoned-producers",
            None,
        );
        // Made in a loop: a `defer` there waits for the whole function.
        assert_finding(
            "func f(xs []int) int {\n\tfor {\n\t\tc := make(chan int)\n\t\tgo func() {\n\t\t\tfor _, x := range xs {\n\t\t\t\tc <- x\n\t\t\t}\n\t\t}()\n\t\tfor v := range c {\n\t\t\treturn v\n\t\t}\n\t}\n}\n",
            "abandoned-producers",
            None,
        );
    }

    #[test]
    fn a_named_producer_gets_the_stop_channel_as_a_parameter() {
        assert_fix(
            "func produce(xs []int, out chan<- int) {\n\tfor _, x := range xs {\n\t\tout <- x\n\t}\n\tclose(out)\n}\n\nfunc f(xs []int) int {\n\tc := make(chan int)\n\tgo produce(xs, c)\n\tfor v := range c {\n\t\treturn v\n\t}\n\treturn 0\n}\n",
            "func produce(xs []int, out chan<- int, done <-chan struct{}) {\n\tfor _, x := range xs {\n\t\tselect {\n\t\tcase out <- x:\n\t\tcase <-done:\n\t\t\treturn\n\t\t}\n\t}\n\tclose(out)\n}\n\nfunc f(xs []int) int {\n\tc := make(chan int)\n\tdone := make(chan struct{})\n\tdefer close(done)\n\tgo produce(xs, c, done)\n\tfor v := range c {\n\t\treturn v\n\t}\n\treturn 0\n}\n",
        );
    }

    #[test]
    fn a_named_producer_with_other_callers_or_exported_gets_no_fix() {
        for (name, extra) in [
            ("produce", "\nfunc g() { go produce(nil, nil) }\n"),
            ("Produce", ""),
        ] {
            assert_finding(
                &format!(
                    "func {name}(xs []int, out chan<- int) {{\n\tfor _, x := range xs {{\n\t\tout <- x\n\t}}\n}}\n\nfunc f(xs []int) int {{\n\tc := make(chan int)\n\tgo {name}(xs, c)\n\tfor v := range c {{\n\t\treturn v\n\t}}\n\treturn 0\n}}\n{extra}"
                ),
                "abandoned-producers",
                None,
            );
        }
    }

    #[test]
    fn sends_in_exclusive_branches_are_one_value_and_two_in_a_row_are_a_stream() {
        let producer = |sends: &str| {
            format!(
                "func f(ok bool, t <-chan time.Time) int {{\n\tc := make(chan int)\n\tgo func() {{\n{sends}\t\tclose(c)\n\t}}()\n\tselect {{\n\tcase v := <-c:\n\t\treturn v\n\tcase <-t:\n\t\treturn 0\n\t}}\n}}\n"
            )
        };
        let one = findings(&producer(
            "\t\tif ok {\n\t\t\tc <- 1\n\t\t} else {\n\t\t\tc <- 2\n\t\t}\n",
        ));
        assert_eq!(one.len(), 1, "{one:#?}");
        assert_eq!(one[0].codemod, "timeout-leak");
        let two = findings(&producer("\t\tc <- 1\n\t\tc <- 2\n"));
        assert_eq!(two.len(), 1, "{two:#?}");
        assert_eq!(two[0].codemod, "abandoned-producers");
    }

    #[test]
    fn silent_when_the_function_drains_or_the_producer_can_give_up() {
        // Drains to the end.
        assert_silent(
            "func f(xs []int) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tdefer close(c)\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t}()\n\tn := 0\n\tfor v := range c {\n\t\tn += v\n\t}\n\treturn n\n}\n",
        );
        // Breaks out, then drains the rest.
        assert_silent(
            "func f(xs []int) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tdefer close(c)\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t}()\n\tn := 0\n\tfor v := range c {\n\t\tn = v\n\t\tbreak\n\t}\n\tfor range c {\n\t}\n\treturn n\n}\n",
        );
        // A break inside a select only leaves the select.
        assert_silent(
            "func f(xs []int, t <-chan int) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tdefer close(c)\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t}()\n\tn := 0\n\tfor v := range c {\n\t\tselect {\n\t\tcase <-t:\n\t\t\tbreak\n\t\tdefault:\n\t\t}\n\t\tn += v\n\t}\n\treturn n\n}\n",
        );
        // The producer already selects.
        assert_silent(
            "func f(ctx context.Context, xs []int) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tselect {\n\t\t\tcase c <- x:\n\t\t\tcase <-ctx.Done():\n\t\t\t\treturn\n\t\t\t}\n\t\t}\n\t}()\n\tfor v := range c {\n\t\treturn v\n\t}\n\treturn 0\n}\n",
        );
        // The producer also reports on an error channel the function selects on.
        assert_silent(
            "func f(xs []int) (int, error) {\n\tc := make(chan int)\n\terrs := make(chan error, 1)\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t\terrs <- nil\n\t}()\n\tfor {\n\t\tselect {\n\t\tcase v := <-c:\n\t\t\t_ = v\n\t\tcase err := <-errs:\n\t\t\treturn 0, err\n\t\t}\n\t}\n}\n",
        );
        // A reader that stops when its input fails may send as many values as are taken.
        assert_silent(
            "func f(read func() (int, error)) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor {\n\t\t\tv, err := read()\n\t\t\tif err != nil {\n\t\t\t\treturn\n\t\t\t}\n\t\t\tc <- v\n\t\t}\n\t}()\n\treturn <-c + <-c\n}\n",
        );
        // One value on either path, each send the goroutine's last act: one-shot's shape.
        let found = findings(
            "func f(t <-chan time.Time, fail bool) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tif fail {\n\t\t\tc <- nil\n\t\t\treturn\n\t\t}\n\t\tc <- nil\n\t}()\n\tselect {\n\tcase err := <-c:\n\t\treturn err\n\tcase <-t:\n\t\treturn nil\n\t}\n}\n",
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].codemod, "timeout-leak");
        // A send in a loop followed by `return` is sent once (timeout-leak's, not ours).
        let found = findings(
            "func f(frames <-chan int, t <-chan time.Time) {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor {\n\t\t\tif v := <-frames; v > 0 {\n\t\t\t\tc <- v\n\t\t\t\treturn\n\t\t\t}\n\t\t}\n\t}()\n\tselect {\n\tcase <-c:\n\tcase <-t:\n\t\treturn\n\t}\n}\n",
        );
        assert!(
            found.iter().all(|f| f.codemod != "abandoned-producers"),
            "{found:#?}"
        );
        // A finite stream received a fixed number of times: the counts may match.
        assert_silent(
            "func f() int {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor i := 0; i < 2; i++ {\n\t\t\tc <- i\n\t\t}\n\t}()\n\treturn <-c + <-c\n}\n",
        );
        // A send in a func literal inside the producer is not the producer's.
        assert_silent(
            "func f(xs []int) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tfunc() { c <- x }()\n\t\t}\n\t}()\n\tfor v := range c {\n\t\treturn v\n\t}\n\treturn 0\n}\n",
        );
        // Buffered; or two producers.
        assert_silent(
            "func f(xs []int) int {\n\tc := make(chan int, 8)\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t}()\n\tfor v := range c {\n\t\treturn v\n\t}\n\treturn 0\n}\n",
        );
        assert_silent(
            "func f(xs []int) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t}()\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t}()\n\tfor v := range c {\n\t\treturn v\n\t}\n\treturn 0\n}\n",
        );
    }
}
