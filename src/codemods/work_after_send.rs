//! The second strategy of premature-return and timeout-leak: a goroutine that sends once and
//! then does more work (bookkeeping, logging, an unlock). A buffer would let that work run
//! after the function gave up, where before it never ran, so no buffer is offered; the
//! stop-channel rewrite (`stop_channel`) changes only the path on which the sender would block
//! forever: it returns there instead, and the work after the send still never runs.
//!
//! The shape is one-shot's (one goroutine, started once, only the function receives, the
//! channel does not escape) except that the send is not the goroutine's last act; the parent's
//! wait is judged by one-shot's `parent_wait`, and `describe` (the codemod's) says whether that
//! wait leaks and how, in words.

use super::one_shot::{OneShotSender, ParentWait, parent_wait};
use super::stop_channel::stop_channel_fix;
use super::{CodemodContext, Finding};
use crate::facts::{Capacity, Channel, Context, UseKind};
use crate::syntax::{self, kind_of};

pub fn check_work_after_send<'a>(
    context: &CodemodContext<'_, 'a>,
    codemod: &'static str,
    findings: &mut Vec<Finding>,
    describe: impl for<'f> Fn(ParentWait<'f, 'a>) -> Option<String>,
) {
    for channel in &context.facts.channels {
        let Some(sender) = sender_with_work_after(context, channel) else {
            continue;
        };
        let Some(why) = describe(parent_wait(context, channel, &sender)) else {
            continue;
        };
        let goroutine = sender.goroutines[0];
        let sends: Vec<_> = channel
            .uses
            .iter()
            .filter(|used| matches!(used.kind, UseKind::Send { .. }))
            .collect();
        let fix = stop_channel_fix(context, channel, goroutine, &sends)
            .ok()
            .and_then(|rewrite| {
                let description = format!(
                    "make the send on `{}` a select that returns once {} (a buffer would let the work after the send run after the function gave up)",
                    channel.name,
                    rewrite.gives_up_when()
                );
                rewrite.into_fix(description, context)
            });
        findings.push(Finding {
            codemod,
            range: channel.make_call.byte_range(),
            message: format!(
                "goroutine started at line {} sends on unbuffered channel `{}` and then does more work, but {why}; the send then blocks forever",
                context.line_of(goroutine.start.start_byte()),
                channel.name
            ),
            fix,
        });
    }
}

/// One goroutine, started once, sends one value on `channel` (not as its last act, not in a
/// loop or a `select`) and sends on nothing else; only the function receives; nothing but that
/// goroutine closes it; it does not escape.
fn sender_with_work_after<'f, 'a>(
    context: &'f CodemodContext<'_, 'a>,
    channel: &'f Channel<'a>,
) -> Option<OneShotSender<'f, 'a>> {
    if channel.escape_reason().is_some() || !matches!(channel.capacity, Capacity::Unbuffered { .. })
    {
        return None;
    }
    let mut sender = None;
    let mut receives = Vec::new();
    for used in &channel.uses {
        match (&used.kind, used.context) {
            (
                UseKind::Send {
                    in_select: false,
                    tail: false,
                    ..
                },
                Context::Goroutine(id),
            ) if sender.is_none() && used.loops.is_empty() => sender = Some(id),
            (UseKind::Receive { .. }, Context::Parent) => receives.push(used),
            (UseKind::Close { .. }, Context::Goroutine(_)) => {}
            (UseKind::Inspect | UseKind::GoArgument, _) => {}
            _ => return None,
        }
    }
    let sender = sender?;
    if !channel.closed_only_by(sender) {
        return None;
    }
    let goroutine = context.facts.goroutines.get(sender)?;
    let body = goroutine.body?;
    if goroutine.nested
        || channel
            .loops_within_scope(&goroutine.loops)
            .next()
            .is_some()
    {
        return None;
    }
    // One send statement in the goroutine: a select's other case cannot be this sender
    // having sent elsewhere.
    let sends = syntax::descendants_outside_closures(body, &mut |n| kind_of(n) == "send_statement");
    if sends.len() != 1 {
        return None;
    }
    Some(OneShotSender {
        goroutines: vec![goroutine],
        own_sends: Vec::new(),
        spawn_loops: Vec::new(),
        sends_per_call: 1,
        unconditional: 1,
        defers: false,
        receives,
    })
}
