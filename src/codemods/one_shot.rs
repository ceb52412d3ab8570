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
use std::collections::HashMap;
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
    let (sends_per_call, unconditional) = if goroutines.is_empty() {
        (0, 0)
    } else {
        count_starts(channel.scope, &goroutines)
    };
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

/// How many of the goroutines started at `goroutines` (in order, all inside `scope`, none in a
/// loop) can start in one call, and how many start on every path. Each start counts 1; the
/// branches of an `if`/`else`, a `switch` or a `select` exclude each other, so they count their
/// maximum (a `switch` with `fallthrough` their sum); everything else adds up. Only the nodes
/// between `scope` and each start are visited.
fn count_starts(scope: Node, goroutines: &[&Goroutine]) -> (usize, usize) {
    // For each node on a path from `scope` to a start: its parent on that path and depth.
    let mut parent_of: HashMap<usize, (Node, Option<usize>, usize)> = HashMap::new();
    let mut unconditional = 0;
    let mut deepest = 0;
    for goroutine in goroutines {
        let path: Vec<Node> = syntax::ancestors_until(goroutine.start, scope)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .chain(std::iter::once(goroutine.start))
            .collect();
        if path.iter().all(|node| {
            matches!(
                node.kind(),
                "block"
                    | "statement_list"
                    | "expression_statement"
                    | "go_statement"
                    | "call_expression"
            )
        }) {
            unconditional += 1;
        }
        let mut above = None;
        for (depth, node) in path.iter().enumerate() {
            parent_of.entry(node.id()).or_insert((*node, above, depth));
            above = Some(node.id());
            deepest = deepest.max(depth);
        }
    }
    // Bottom up: a start is 1; a parent combines its children's counts by its kind.
    let mut by_depth: Vec<Vec<usize>> = vec![Vec::new(); deepest + 1];
    for (id, (_, _, depth)) in &parent_of {
        by_depth[*depth].push(*id);
    }
    let starts: Vec<usize> = goroutines.iter().map(|g| g.start.id()).collect();
    let mut count: HashMap<usize, usize> = HashMap::new();
    let mut total = 0;
    for level in by_depth.iter().rev() {
        for id in level {
            let (_, above, _) = parent_of[id];
            let own = if starts.contains(id) {
                1
            } else {
                count.get(id).copied().unwrap_or(0)
            };
            let Some(above) = above else {
                total += own;
                continue;
            };
            let parent = parent_of[&above].0;
            let slot = count.entry(above).or_insert(0);
            *slot = if branches_exclude_each_other(parent) {
                (*slot).max(own)
            } else {
                *slot + own
            };
        }
    }
    (total, unconditional)
}

/// Whether at most one child of `node` that holds statements runs: the two branches of an
/// `if`, the cases of a `switch` without `fallthrough`, the cases of a `select`.
fn branches_exclude_each_other(node: Node) -> bool {
    match node.kind() {
        "if_statement" | "select_statement" => true,
        // `fallthrough` can only be a case's last statement: look there, not at the whole body.
        "expression_switch_statement" | "type_switch_statement" => {
            let mut cursor = node.walk();
            let cases: Vec<Node> = node.named_children(&mut cursor).collect();
            !cases.iter().any(|case| {
                syntax::statements(*case)
                    .last()
                    .is_some_and(|last| last.kind() == "fallthrough_statement")
            })
        }
        _ => false,
    }
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
                match waits.after(case.site, context.facts.body) {
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
