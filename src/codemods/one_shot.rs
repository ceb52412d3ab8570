//! The shape shared by premature-return, timeout-leak and ncast-leak: goroutines that each
//! send at most once, as their last act, on an unbuffered channel that only the parent
//! receives from. Giving such a channel room for every sender is provably harmless: no send
//! can block any more, the parent receives the same values, and since nothing runs after a
//! sender's send, the missing handshake cannot be observed.

use super::{CodemodContext, Finding};
use crate::edit::Fix;
use crate::facts::{
    Capacity, Channel, ChannelUse, Context, Goroutine, GoroutineId, SelectCase, UseKind,
};
use crate::rewrite::capacity_edit;
use crate::syntax::{self, descendants_outside_closures};
use std::collections::HashMap;
use tree_sitter::Node;

pub struct OneShotSender<'f, 'a> {
    pub goroutine: &'f Goroutine<'a>,
    /// Loops of the parent that start this goroutine again for the same channel.
    pub spawn_loops: Vec<Node<'a>>,
    /// The sender defers calls: they would run earlier once the send stops blocking.
    pub defers: bool,
    /// Parent receives, in order.
    pub receives: Vec<&'f ChannelUse<'a>>,
}

impl OneShotSender<'_, '_> {
    /// The fix that gives `channel` a buffer of `size`: safe, unless the sender defers calls
    /// (they would run before the value is received) or the code reads `len`/`cap` of the
    /// channel (a buffer changes what they return). `None` if the channel is buffered.
    pub fn buffer_fix(&self, channel: &Channel, size: &str, description: String) -> Option<Fix> {
        let edit = capacity_edit(channel, size)?;
        let inspected = channel
            .uses
            .iter()
            .any(|used| matches!(used.kind, UseKind::Inspect));
        Some(if self.defers {
            Fix::unsafe_(
                format!(
                    "{description} (the sender's deferred calls would run before the value is received)"
                ),
                vec![edit],
            )
        } else if inspected {
            Fix::unsafe_(
                format!(
                    "{description} (the code reads `len` or `cap` of `{}`, which a buffer changes)",
                    channel.name
                ),
                vec![edit],
            )
        } else {
            Fix::safe(description, vec![edit])
        })
    }
}

/// The single sending goroutine of `channel`, when the channel has this shape.
pub fn one_shot_sender<'f, 'a>(
    context: &'f CodemodContext<'_, 'a>,
    channel: &'f Channel<'a>,
) -> Option<OneShotSender<'f, 'a>> {
    let facts = context.facts;
    let Capacity::Unbuffered { .. } = channel.capacity else {
        return None;
    };
    if channel.escape_reason().is_some() {
        return None;
    }
    let mut sender: Option<GoroutineId> = None;
    let mut receives = Vec::new();
    for used in &channel.uses {
        match (&used.kind, used.context) {
            (
                UseKind::Send {
                    in_select: false,
                    tail: true,
                    ..
                },
                Context::Goroutine(id),
            ) => {
                if sender.is_some_and(|known| known != id) {
                    return None;
                }
                sender = Some(id);
            }
            (UseKind::Receive { .. }, Context::Parent) => receives.push(used),
            // The sender may close once it is done; anyone else closing races the send.
            (UseKind::Close { .. }, Context::Goroutine(_)) => {}
            (UseKind::Inspect | UseKind::GoArgument, _) => {}
            _ => return None,
        }
    }
    let id = sender?;
    // A close in some goroutine other than the sender.
    if channel.uses.iter().any(|used| {
        matches!(used.kind, UseKind::Close { .. }) && used.context != Context::Goroutine(id)
    }) {
        return None;
    }
    let goroutine = facts.goroutines.get(id)?;
    let body = goroutine.body?;
    if goroutine.nested {
        return None;
    }
    let spawn_loops = channel
        .loops_within_scope(&goroutine.loops)
        .copied()
        .collect();
    // `defer close(c)` of this same channel is harmless: a buffered value is received before
    // the close is seen. Any other deferred call would run before the value is received.
    let defers = descendants_outside_closures(body, &mut |node| node.kind() == "defer_statement")
        .into_iter()
        .any(|statement| {
            !channel.uses.iter().any(|used| {
                matches!(used.kind, UseKind::Close { deferred: true })
                    && used.file == goroutine.body_file
                    && crate::syntax::contains(statement, used.node)
            })
        });
    Some(OneShotSender {
        goroutine,
        spawn_loops,
        defers,
        receives,
    })
}

/// How the parent waits for the one sender.
pub enum ParentWait<'f, 'a> {
    /// It always receives (or keeps retrying until it does): no leak.
    Always,
    /// It waits in a `select` whose other case can win and leave.
    Select(&'f SelectCase<'a>),
    /// It can return first (at `exit`, when known) or never receive.
    CanLeave { exit: Option<Node<'a>> },
}

/// What a one-shot codemod says about a parent wait that leaks: the finding's message and
/// the fix's description.
pub struct Leak {
    pub message: String,
    pub fix_description: String,
}

/// The check premature-return and timeout-leak share: each channel with a one-shot sender
/// started once (a goroutine per loop iteration is ncast-leak's), whose parent wait `judge`
/// says leaks (`None`: not this codemod's case), is a finding at its `make`, fixed with a
/// buffer of 1.
pub fn check_single_sender<'a>(
    context: &CodemodContext<'_, 'a>,
    codemod: &'static str,
    findings: &mut Vec<Finding>,
    judge: impl for<'f> Fn(&Channel<'a>, &OneShotSender<'f, 'a>, ParentWait<'f, 'a>) -> Option<Leak>,
) {
    for channel in &context.facts.channels {
        let Some(sender) = one_shot_sender(context, channel) else {
            continue;
        };
        if !sender.spawn_loops.is_empty() {
            continue;
        }
        let Some(leak) = judge(channel, &sender, parent_wait(context, channel, &sender)) else {
            continue;
        };
        findings.push(Finding {
            codemod,
            range: channel.make_call.byte_range(),
            message: leak.message,
            fix: sender.buffer_fix(channel, "1", leak.fix_description),
        });
    }
}

pub fn parent_wait<'f, 'a>(
    context: &CodemodContext<'_, 'a>,
    channel: &Channel<'a>,
    sender: &'f OneShotSender<'f, 'a>,
) -> ParentWait<'f, 'a> {
    let start = sender.goroutine.start;
    // Selects the parent cannot leave without a value from this sender.
    let sure_selects: Vec<usize> = sender
        .receives
        .iter()
        .filter_map(|receive| match &receive.kind {
            UseKind::Receive { select: Some(case) }
                if !select_can_give_up(context, case, sender) =>
            {
                Some(case.select.id())
            }
            _ => None,
        })
        .collect();
    let waits = Waits {
        receives: &sender.receives,
        sure_selects: &sure_selects,
        exits: &context.facts.exits,
    };
    // Where the parent can still leave although a receive follows (premature-return).
    let mut leaves_at = None;
    match waits.after(start, context.facts.body) {
        After::Receives => return ParentWait::Always,
        After::LeavesFirst(exit) => leaves_at = Some(exit),
        After::Never => {}
    }
    let mut give_up = None;
    let mut retries = false;
    for receive in &sender.receives {
        let UseKind::Receive { select } = &receive.kind else {
            continue;
        };
        let in_loop = channel.loops_within_scope(&receive.loops).next().is_some();
        match select {
            Some(case)
                if !sure_selects.contains(&case.select.id())
                    && (!in_loop || case.other_case_leaves) =>
            {
                // A select whose other case is followed by another receive on every path
                // (`select { case <-c: case <-time.After(d): }` then `<-c`) does not give up;
                // a `return` before that receive does. Of several selects in a row, the last
                // one is where the parent finally can give up.
                match waits.after(case.select, context.facts.body) {
                    After::Receives => {}
                    After::LeavesFirst(exit) => leaves_at = leaves_at.or(Some(exit)),
                    After::Never => give_up = Some(case),
                }
            }
            // Receiving in a loop that only ends by receiving: the parent keeps trying.
            _ if in_loop => retries = true,
            _ => {}
        }
    }
    if let Some(case) = give_up {
        return ParentWait::Select(case);
    }
    if leaves_at.is_some() {
        return ParentWait::CanLeave { exit: leaves_at };
    }
    let first_receive = sender
        .receives
        .first()
        .map_or(usize::MAX, |r| r.node.start_byte());
    let exit = context
        .facts
        .exits
        .iter()
        .find(|exit| exit.start_byte() >= start.end_byte() && exit.start_byte() < first_receive)
        .copied();
    if exit.is_none()
        && (retries
            || sender
                .receives
                .iter()
                .any(|r| matches!(&r.kind, UseKind::Receive { select: Some(_) })))
    {
        return ParentWait::Always;
    }
    ParentWait::CanLeave { exit }
}

/// Whether some other case of the select can complete without this sender's value ever being
/// received: a `default`, or a case that is neither a receive from another channel only this
/// same sender sends on (it sent there instead) nor followed by a receive of ours in its body
/// (`case <-time.After(d): return <-c` still waits).
fn select_can_give_up(context: &CodemodContext, case: &SelectCase, sender: &OneShotSender) -> bool {
    let is_our_case = |c: &Node| {
        c.child_by_field_name("communication")
            .is_some_and(|m| sender.receives.iter().any(|r| syntax::contains(m, r.node)))
    };
    let mut cursor = case.select.walk();
    let others: Vec<Node> = case
        .select
        .named_children(&mut cursor)
        .filter(|c| matches!(c.kind(), "communication_case" | "default_case"))
        .filter(|c| !is_our_case(c))
        .collect();
    let body_waits = Waits {
        receives: &sender.receives,
        sure_selects: &[],
        exits: &context.facts.exits,
    };
    others.iter().any(|other| {
        if other.kind() == "default_case" {
            return !body_waits.block(*other);
        }
        let from_sibling = other
            .child_by_field_name("communication")
            .and_then(received_channel)
            .is_some_and(|channel| sent_only_by(context, channel, sender));
        !from_sibling && !body_waits.block(*other)
    })
}

/// `v := <-c` / `<-c`: the identifier naming the channel.
fn received_channel(communication: Node) -> Option<Node> {
    let receive = match communication.kind() {
        "receive_statement" => communication.child_by_field_name("right")?,
        _ => communication,
    };
    let operand = receive.child_by_field_name("operand")?;
    (operand.kind() == "identifier").then_some(operand)
}

/// The channel `identifier` names is one of this function's, sent on only by `sender`'s
/// goroutine, as its last act.
fn sent_only_by(context: &CodemodContext, identifier: Node, sender: &OneShotSender) -> bool {
    let Some(sibling) = context.facts.channel_named_by(identifier) else {
        return false;
    };
    let mut sends = sibling.sends().peekable();
    sends.peek().is_some()
        && sibling.escape_reason().is_none()
        && sends.all(|send| {
            matches!(
                send.kind,
                UseKind::Send {
                    tail: true,
                    in_select: false,
                    ..
                }
            ) && context
                .facts
                .goroutine(send.context)
                .is_some_and(|g| g.start.id() == sender.goroutine.start.id())
        })
}

/// What the parent does after some point, as far as receiving goes.
enum After<'a> {
    /// A statement that surely receives follows, with no exit before it.
    Receives,
    /// A statement that surely receives follows, but the function can leave here first.
    LeavesFirst(Node<'a>),
    /// Nothing after it surely receives.
    Never,
}

/// The parent's receives from one sender, and what counts as waiting for it.
struct Waits<'w, 'f, 'a> {
    receives: &'w [&'f ChannelUse<'a>],
    /// Selects that cannot complete without this sender's value.
    sure_selects: &'w [usize],
    exits: &'w [Node<'a>],
}

impl<'a> Waits<'_, '_, 'a> {
    /// Whether, once `after` has run, the function receives on every path: some later statement
    /// of a block enclosing `after` receives unconditionally (directly, or in every branch of an
    /// `if`/`else` or of a `switch` with a `default`), and no `return` lies in between.
    /// What follows `after` on every path: a statement that surely receives (and whether an exit
    /// comes first), or nothing that does.
    fn after(&self, after: Node, body: Node) -> After<'a> {
        let mut anchor = after;
        // Only a statement that holds one of our receives can receive: for each receive, its
        // enclosing nodes (with their positions), so that at each level the statements that
        // hold one are found directly, not by walking every later statement of the level
        // (which costs the square of a long function's length, one walk per channel).
        let chains: Vec<(Vec<Node>, HashMap<usize, usize>)> = self
            .receives
            .iter()
            .map(|receive| {
                let chain: Vec<Node> = std::iter::once(receive.node)
                    .chain(syntax::ancestors_until(receive.node, body))
                    .collect();
                let position = chain.iter().enumerate().map(|(i, n)| (n.id(), i)).collect();
                (chain, position)
            })
            .collect();
        // The enclosing nodes, nearest first, found by one descent: climbing with `parent()`
        // costs the depth at every step, the square of it in all (deeply nested code).
        let enclosing = syntax::ancestors_until(after, body).chain(std::iter::once(body));
        for list in enclosing {
            if list.kind() == "statement_list" {
                let mut later: Vec<Node> = chains
                    .iter()
                    .filter_map(|(chain, position)| {
                        let at = position.get(&list.id())?.checked_sub(1)?;
                        Some(chain[at])
                    })
                    .filter(|s| s.start_byte() > anchor.start_byte())
                    .collect();
                later.sort_by_key(|statement| statement.start_byte());
                later.dedup_by_key(|statement| statement.id());
                for statement in later {
                    if self.statement(statement) {
                        let first_exit = self.exits.iter().find(|exit| {
                            exit.start_byte() >= after.end_byte()
                                && exit.start_byte() < statement.start_byte()
                                && !self.after_receiving(**exit)
                        });
                        return match first_exit {
                            Some(exit) => After::LeavesFirst(*exit),
                            None => After::Receives,
                        };
                    }
                }
            }
            if list.id() == body.id() || syntax::is_function_like(list) || syntax::is_loop(list) {
                return After::Never;
            }
            anchor = list;
        }
        After::Never
    }

    /// Whether `exit` lies in the body of a select case that received our value: leaving
    /// there strands nobody.
    fn after_receiving(&self, exit: Node) -> bool {
        self.receives.iter().any(|receive| match &receive.kind {
            UseKind::Receive { select: Some(_) } => receive
                .node
                .parent()
                .into_iter()
                .flat_map(|n| std::iter::successors(Some(n), |n| n.parent()))
                .find(|n| n.kind() == "communication_case")
                .is_some_and(|case| syntax::contains(case, exit)),
            _ => false,
        })
    }

    /// Whether the statements of `block` (a block or case clause) receive before leaving.
    fn block(&self, block: Node) -> bool {
        for inner in syntax::statements(block) {
            if self.statement(inner) {
                return true;
            }
            if self.exits.iter().any(|exit| syntax::contains(inner, *exit)) {
                return false;
            }
        }
        false
    }

    /// Whether running `statement` always receives one of ours before anything can leave.
    fn statement(&self, statement: Node) -> bool {
        let receives_directly = self.receives.iter().any(|receive| {
            let node = match &receive.kind {
                UseKind::Receive { select: Some(case) }
                    if case.other_cases > 0 && !self.sure_selects.contains(&case.select.id()) =>
                {
                    return false;
                }
                UseKind::Receive { select: Some(case) } => case.select,
                _ => receive.node,
            };
            syntax::contains(statement, node)
                && (node.id() == statement.id() || directly_in(node, statement))
        });
        if receives_directly {
            return true;
        }
        let block_receives = |block: Node| self.block(block);
        match statement.kind() {
            "if_statement" => {
                let (Some(consequence), Some(alternative)) = (
                    statement.child_by_field_name("consequence"),
                    statement.child_by_field_name("alternative"),
                ) else {
                    return false;
                };
                let alternative_receives = if alternative.kind() == "if_statement" {
                    self.statement(alternative)
                } else {
                    block_receives(alternative)
                };
                block_receives(consequence) && alternative_receives
            }
            "expression_switch_statement" | "type_switch_statement" => {
                let mut cursor = statement.walk();
                let cases: Vec<Node> = statement
                    .named_children(&mut cursor)
                    .filter(|c| {
                        matches!(c.kind(), "expression_case" | "type_case" | "default_case")
                    })
                    .collect();
                let has_default = cases.iter().any(|c| c.kind() == "default_case");
                has_default && cases.iter().all(|case| block_receives(*case))
            }
            "block" => block_receives(statement),
            _ => false,
        }
    }
}
/// No block or case clause between `node` and `statement`: `node` runs whenever it does.
fn directly_in(node: Node, statement: Node) -> bool {
    !syntax::ancestors_until(node, statement).any(|between| {
        matches!(
            between.kind(),
            "block"
                | "statement_list"
                | "communication_case"
                | "expression_case"
                | "default_case"
                | "type_case"
                | "func_literal"
        ) || (between.kind() == "binary_expression"
            && between
                .child_by_field_name("operator")
                .is_some_and(|op| matches!(op.kind(), "&&" | "||")))
    })
}
