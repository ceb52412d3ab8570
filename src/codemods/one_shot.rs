//! The shape shared by premature-return, timeout-leak and ncast-leak: goroutines that each
//! send at most once, as their last act, on an unbuffered channel that only the parent
//! receives from. Giving such a channel room for every sender is provably harmless: no send
//! can block any more, the parent receives the same values, and since nothing runs after a
//! sender's send, the missing handshake cannot be observed.
//!
//! The senders are one `go` statement (possibly in a loop: ncast-leak's), or several `go`
//! statements outside loops (an unrolled fan-in, hedged requests, senders in branches that
//! exclude each other). For several, `sends_per_call` bounds how many values one call can
//! send: a sum over starts that can all run, a maximum over the branches of an `if`/`else`,
//! `switch` or `select` (a sum again when a `switch` has `fallthrough`). A buffer of that
//! size gives every send room.

use super::{CodemodContext, Finding};
use crate::edit::Fix;
use crate::facts::{
    Capacity, Channel, ChannelUse, Context, Flow, Goroutine, GoroutineId, SelectCase, UseKind,
};
use crate::rewrite::capacity_edit;
use crate::syntax;
use tree_sitter::Node;

pub struct OneShotSender<'f, 'a> {
    /// The sending goroutines, in the order of their starts; several only when none is
    /// started in a loop; none only for a future the function itself sends on.
    pub goroutines: Vec<&'f Goroutine<'a>>,
    /// A future's sends by the function itself (only `future_sender` allows them).
    pub own_sends: Vec<&'f ChannelUse<'a>>,
    /// Loops of the parent that start the (single) goroutine again for the same channel.
    pub spawn_loops: Vec<Node<'a>>,
    /// At most this many values are sent per call (when `spawn_loops` is empty).
    pub sends_per_call: usize,
    /// Goroutines started on every path through the channel's scope (no `if`, `switch` or
    /// `select` around their `go` statement): all of them send when the function runs through.
    pub unconditional: usize,
    /// The sender defers calls: they would run earlier once the send stops blocking.
    pub defers: bool,
    /// Parent receives, in order.
    pub receives: Vec<&'f ChannelUse<'a>>,
}

impl<'a> OneShotSender<'_, 'a> {
    /// The first `go` statement (or `group.Go` call): from there on a value can be waiting.
    pub fn first_start(&self) -> Node<'a> {
        self.goroutines[0].start
    }

    /// "goroutine started at line 4 sends" / "goroutines started at lines 4 and 7 send".
    pub fn started_at(&self, context: &CodemodContext) -> String {
        let lines: Vec<String> = self
            .goroutines
            .iter()
            .map(|goroutine| context.line_of(goroutine.start.start_byte()).to_string())
            .collect();
        match lines.as_slice() {
            [line] => format!("goroutine started at line {line} sends"),
            [init @ .., last] => {
                format!(
                    "goroutines started at lines {} and {last} send",
                    init.join(", ")
                )
            }
            [] => unreachable!("a sender has at least one goroutine"),
        }
    }

    /// The parent receives fewer values than the goroutines that always start will send: it
    /// has fewer receive sites than that, none in a loop and no `goto` to run one twice. Then
    /// some sender blocks on every call that runs through; ncast-leak reports it.
    pub fn outnumbers_receives(&self, channel: &Channel, context: &CodemodContext) -> bool {
        self.goroutines.len() > 1
            && !context
                .facts
                .exits
                .iter()
                .any(|exit| exit.kind() == "goto_statement")
            && self
                .receives
                .iter()
                .all(|receive| channel.loops_within_scope(&receive.loops).next().is_none())
            && self.receives.len() < self.unconditional
    }
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

/// The sending goroutines of `channel`, when the channel has this shape and does not escape.
pub fn one_shot_sender<'f, 'a>(
    context: &'f CodemodContext<'_, 'a>,
    channel: &'f Channel<'a>,
) -> Option<OneShotSender<'f, 'a>> {
    if channel.escape_reason().is_some() {
        return None;
    }
    senders_of(context, channel, false)
}

/// The sending goroutines of a channel the function returns (a future), when it has this
/// shape otherwise: `return c` and the function's own sends (`own_sends`) are allowed, no
/// other escape is. A function that receives from its own future is not this shape.
pub fn future_sender<'f, 'a>(
    context: &'f CodemodContext<'_, 'a>,
    channel: &'f Channel<'a>,
) -> Option<OneShotSender<'f, 'a>> {
    let sender = senders_of(context, channel, true)?;
    sender.receives.is_empty().then_some(sender)
}

fn senders_of<'f, 'a>(
    context: &'f CodemodContext<'_, 'a>,
    channel: &'f Channel<'a>,
    future: bool,
) -> Option<OneShotSender<'f, 'a>> {
    let facts = context.facts;
    let Capacity::Unbuffered { .. } = channel.capacity else {
        return None;
    };
    let mut senders: Vec<GoroutineId> = Vec::new();
    let mut receives = Vec::new();
    let mut own_sends = Vec::new();
    for used in &channel.uses {
        match (&used.kind, used.context) {
            (UseKind::Returned { .. }, Context::Parent) if future => {}
            (
                UseKind::Send {
                    in_select: false, ..
                },
                Context::Parent,
            ) if future => {
                own_sends.push(used);
            }
            (
                UseKind::Send {
                    in_select: false,
                    tail: true,
                    ..
                },
                Context::Goroutine(id),
            ) => {
                if !senders.contains(&id) {
                    senders.push(id);
                }
            }
            (UseKind::Receive { .. }, Context::Parent) => receives.push(used),
            // The sender may close once it is done; anyone else closing races the send.
            (UseKind::Close { .. }, Context::Goroutine(_)) => {}
            (UseKind::Inspect | UseKind::GoArgument, _) => {}
            _ => return None,
        }
    }
    if senders.len() > MAX_SENDERS || (senders.is_empty() && own_sends.is_empty()) {
        return None;
    }
    // A close in some goroutine other than the sender; with several senders, any close: it
    // would race the other senders' sends.
    if channel.uses.iter().any(|used| {
        matches!(used.kind, UseKind::Close { .. })
            && (senders.len() != 1 || used.context != Context::Goroutine(senders[0]))
    }) {
        return None;
    }
    let mut goroutines: Vec<&Goroutine> = Vec::with_capacity(senders.len());
    for id in &senders {
        let goroutine = facts.goroutines.get(*id)?;
        if goroutine.nested || goroutine.body.is_none() {
            return None;
        }
        goroutines.push(goroutine);
    }
    goroutines.sort_by_key(|goroutine| goroutine.start.start_byte());
    let spawn_loops: Vec<Node> = goroutines
        .iter()
        .flat_map(|goroutine| channel.loops_within_scope(&goroutine.loops).copied())
        .collect();
    if goroutines.len() > 1 {
        // Started in a loop as well: no count. Sending on another channel of the function
        // too (`case err := <-errc` as the other way out): a buffer here alone would leave
        // the senders blocked there.
        let sends_elsewhere = facts.channels.iter().any(|other| {
            other.binding != channel.binding
                && other.uses.iter().any(|used| {
                    matches!(used.kind, UseKind::Send { .. })
                        && matches!(used.context, Context::Goroutine(id) if senders.contains(&id))
                })
        });
        if !spawn_loops.is_empty() || sends_elsewhere {
            return None;
        }
    }
    // `defer close(c)` of this same channel is harmless: a buffered value is received before
    // the close is seen. Any other deferred call would run before the value is received.
    let defers = goroutines.iter().any(|goroutine| {
        let body = goroutine.body.expect("checked above");
        // Found once per body for the package: a helper many functions start is one body.
        let deferred = context.package.summaries.defers(goroutine.body_file, body);
        deferred.iter().any(|&statement| {
            !channel.uses.iter().any(|used| {
                matches!(used.kind, UseKind::Close { deferred: true })
                    && used.file == goroutine.body_file
                    && crate::syntax::contains(statement, used.node)
            })
        })
    });
    // Starts in branches that exclude each other count their maximum; see the flow's
    // `count_in_one_pass`. (No start is in a loop inside the scope when there are several.)
    let starts: Vec<Node> = goroutines.iter().map(|goroutine| goroutine.start).collect();
    let (sends_per_call, unconditional) = context.flow().count_in_one_pass(channel.scope, &starts);
    Some(OneShotSender {
        goroutines,
        own_sends,
        spawn_loops,
        sends_per_call,
        unconditional,
        defers,
        receives,
    })
}

/// More sending goroutines than this on one channel is not code anyone writes by hand: no
/// analysis (and the cost of counting stays bounded on generated code).
const MAX_SENDERS: usize = 64;

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
        // A goroutine per loop iteration, or more senders than receives: ncast-leak's.
        if !sender.spawn_loops.is_empty() || sender.outnumbers_receives(channel, context) {
            continue;
        }
        let Some(leak) = judge(channel, &sender, parent_wait(context, channel, &sender)) else {
            continue;
        };
        findings.push(Finding {
            codemod,
            range: channel.make_call.byte_range(),
            message: leak.message,
            fix: sender.buffer_fix(
                channel,
                &sender.sends_per_call.to_string(),
                leak.fix_description,
            ),
        });
    }
}

pub fn parent_wait<'f, 'a>(
    context: &CodemodContext<'_, 'a>,
    channel: &Channel<'a>,
    sender: &'f OneShotSender<'f, 'a>,
) -> ParentWait<'f, 'a> {
    let start = sender.first_start();
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
        flow: context.flow(),
    };
    // Where the parent can still leave although a receive follows (premature-return).
    let mut leaves_at = None;
    match waits.after(start) {
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
                match waits.after(case.site) {
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
    // The first exit that can run after the start and before the first receive (in another
    // branch than the start's, it cannot).
    let flow = context.flow();
    let first_receive = sender
        .receives
        .first()
        .and_then(|receive| flow.statement_of(receive.node));
    let exits = &context.facts.exits;
    let exit = exits[exits.partition_point(|exit| exit.start_byte() < start.end_byte())..]
        .iter()
        .find(|exit| flow.on_the_way(start, first_receive, **exit))
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
    // In a callee that only receives the channel once: its other cases cannot receive it.
    if case.callee.is_some() {
        return true;
    }
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
        flow: context.flow(),
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
            ) && context.facts.goroutine(send.context).is_some_and(|g| {
                sender
                    .goroutines
                    .iter()
                    .any(|ours| ours.start.id() == g.start.id())
            })
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
    /// The parent's control flow.
    flow: &'w Flow<'a>,
}

impl<'a> Waits<'_, '_, 'a> {
    /// What follows `after` (a `go` statement, a `select`, the call of a callee that selects)
    /// once it has run: the first statement on its continuation in the flow (the statements
    /// that run next, in its loop iteration) that surely receives one of ours (directly, or in
    /// every branch of an `if`/`else`, of a `switch` with a `default`...), and whether an exit
    /// can run on the way to it; or nothing that does.
    ///
    /// Cost: `Flow::following` finds the statements of the continuation that hold our
    /// receives from the receives themselves (their nesting), never visiting the statements
    /// in between; the exits on the way are the function's exits between the two positions,
    /// found by binary search. So asking for every channel of a function costs the nesting of
    /// their uses, not the number of channels times the statements between each start and
    /// its receive (a flow search from every start was: many channels whose receives lie past
    /// each other's selects or branches made it quadratic).
    fn after(&self, after: Node<'a>) -> After<'a> {
        let holding = self
            .flow
            .following(after, self.receives.iter().map(|receive| receive.node));
        for statement in holding {
            if !self.statement(statement) {
                continue;
            }
            let from = self
                .exits
                .partition_point(|exit| exit.start_byte() < after.end_byte());
            let first_exit = self.exits[from..]
                .iter()
                .take_while(|exit| exit.start_byte() < statement.start_byte())
                .find(|exit| {
                    !self.after_receiving(**exit)
                        && !self.received_first(after, **exit)
                        && self.flow.on_the_way(after, Some(statement), **exit)
                });
            return match first_exit {
                Some(exit) => After::LeavesFirst(*exit),
                None => After::Receives,
            };
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

    /// Whether every way from `after` to `exit` passes a plain receive of ours first: one
    /// after `after` in the same statement list as the statement around `exit`
    /// (`err := <-errc` then `if err != nil { return err }`), or in the header of an `if` or
    /// `switch` that holds `exit` (`if err := <-errc; err != nil { return err }`). Leaving
    /// there strands nobody: the value was taken.
    fn received_first(&self, after: Node<'a>, exit: Node<'a>) -> bool {
        self.receives.iter().any(|receive| {
            let UseKind::Receive { select: None } = &receive.kind else {
                return false;
            };
            let Some(statement) = self.flow.statement_of(receive.node) else {
                return false;
            };
            let surely_runs =
                statement.id() == receive.node.id() || directly_in(receive.node, statement);
            let header_holds_exit = matches!(
                statement.kind(),
                "if_statement" | "expression_switch_statement" | "type_switch_statement"
            ) && syntax::contains(statement, exit)
                && exit.start_byte() >= receive.node.end_byte();
            receive.node.start_byte() >= after.end_byte()
                && surely_runs
                && (header_holds_exit || self.flow.passes_first(statement, exit))
        })
    }

    /// Whether the statements of `block` (a block or case clause) receive before leaving it.
    fn block(&self, block: Node<'a>) -> bool {
        self.statement(block)
    }

    /// Whether running `statement` always receives one of ours before anything can leave it
    /// (directly, or in every branch of an `if`/`else`, of a `switch` with a `default`...).
    fn statement(&self, statement: Node<'a>) -> bool {
        self.flow
            .leaves_avoiding(statement, |step| self.receives_directly(step))
            .is_none()
    }

    /// Whether `statement` (one step of the flow) receives one of ours whenever it runs.
    fn receives_directly(&self, statement: Node) -> bool {
        self.receives.iter().any(|receive| {
            let node = match &receive.kind {
                UseKind::Receive { select: Some(case) }
                    if case.other_cases > 0 && !self.sure_selects.contains(&case.select.id()) =>
                {
                    return false;
                }
                UseKind::Receive { select: Some(case) } => case.site,
                _ => receive.node,
            };
            syntax::contains(statement, node)
                && (node.id() == statement.id() || directly_in(node, statement))
        })
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
