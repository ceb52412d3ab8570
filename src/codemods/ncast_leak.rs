//! `ncast-leak`. What it does, why it leaks, an example, the fix and its safety, and when it stays
//! silent are documented once, in `codemods/ncast-leak/README.md` (what `--explain` prints).
//!
//! How the check is organised: the one-shot sender of `one_shot` (shared with
//! premature-return and timeout-leak), started in a loop; a parent receiving in a loop counts
//! as collecting every value unless `early_exit` finds a way out of that loop; `loop_size`
//! turns the spawning loop into a
//! buffer size (`len(xs)` or the bound of a counted loop), and `value_kind` and
//! `is_stable_between` decide whether that size is safe where the `make` is.

use super::one_shot::{OneShotSender, one_shot_sender};
use super::{Codemod, CodemodContext, Finding};
use crate::edit::{Applicability, Fix};
use crate::facts::Channel;
use crate::go_mod::GoVersion;
use crate::syntax::{self, text};
use tree_sitter::Node;

pub struct NcastLeak;

impl Codemod for NcastLeak {
    fn id(&self) -> &'static str {
        "ncast-leak"
    }

    fn summary(&self) -> &'static str {
        "N goroutines send on one unbuffered channel that is received fewer than N times"
    }

    fn documentation(&self) -> &'static str {
        include_str!("../../codemods/ncast-leak/README.md")
    }

    fn check(&self, context: &CodemodContext, findings: &mut Vec<Finding>) {
        for channel in &context.facts.channels {
            let Some(sender) = one_shot_sender(context, channel) else {
                continue;
            };
            if sender.outnumbers_receives(channel, context) {
                findings.push(several_senders(self.id(), context, channel, &sender));
                continue;
            }
            let [spawn_loop] = sender.spawn_loops.as_slice() else {
                continue;
            };
            // A parent that receives in a loop is collecting every result, unless that loop can
            // stop early: a `return`, `t.Fatal` or `break` in it leaves the other senders.
            let receive_loops: Vec<Node> = sender
                .receives
                .iter()
                .filter_map(|receive| channel.loops_within_scope(&receive.loops).next().copied())
                .collect();
            // A loop that starts the goroutines and receives in the same iteration (or around
            // them) takes each value before the next goroutine starts: leaving it early strands
            // nobody.
            if receive_loops
                .iter()
                .any(|receive_loop| syntax::contains(*receive_loop, *spawn_loop))
            {
                continue;
            }
            let early_exit = if receive_loops.is_empty() {
                None
            } else {
                let exits: Option<Vec<Node>> = receive_loops
                    .iter()
                    .map(|receive_loop| early_exit(context, *receive_loop))
                    .collect();
                // Some receiving loop always runs to its end.
                let Some(exits) = exits else {
                    continue;
                };
                exits.into_iter().next()
            };
            // A loop that runs a fixed number of times (`range 2`, `range []string{"a", "b"}`,
            // `i < 2`) starts at most that many senders: as many receives take every value.
            if early_exit.is_none()
                && receive_loops.is_empty()
                && iterations(context.source, *spawn_loop)
                    .is_some_and(|count| count <= sender.receives.len() as u64)
            {
                continue;
            }
            let name = &channel.name;
            let received = match (early_exit, sender.receives.len()) {
                (Some(exit), _) => format!(
                    "in a loop that can stop at line {} before every value is received",
                    context.line_of(exit.start_byte())
                ),
                (None, 0) => "nothing".to_string(),
                (None, 1) => "once".to_string(),
                (None, n) => format!("only {n} times"),
            };
            let message = format!(
                "the loop at line {} starts a goroutine per iteration, each sending on unbuffered channel `{name}`, but the function receives {received}; the other senders block forever",
                context.line_of(spawn_loop.start_byte()),
            );
            let fix = loop_size(context, channel, *spawn_loop).and_then(|(size, applicability)| {
                let description = format!("size `{name}` for every sender: `{size}`");
                let fix = sender.buffer_fix(channel, &size, description)?;
                if applicability == Applicability::Unsafe
                    && fix.applicability == Applicability::Safe
                {
                    let description = format!(
                        "{} (cannot show the size is what the loop uses and is not negative)",
                        fix.description
                    );
                    return Some(Fix::unsafe_(description, fix.edits));
                }
                Some(fix)
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

/// Several `go` statements outside loops (an unrolled fan-in, hedged requests), each sending
/// once, and fewer receives than the ones that always start: a buffer with a slot for every
/// send that one call can make (`sends_per_call`).
fn several_senders(
    codemod: &'static str,
    context: &CodemodContext,
    channel: &Channel,
    sender: &OneShotSender,
) -> Finding {
    let name = &channel.name;
    let received = match sender.receives.len() {
        0 => "never receives from it; every sender blocks forever".to_string(),
        1 => "receives at most once; the other senders block forever".to_string(),
        n => format!("receives at most {n} times; the other senders block forever"),
    };
    let size = sender.sends_per_call.to_string();
    let description = format!("give `{name}` a buffer of {size}, a slot for every sender");
    Finding {
        codemod,
        range: channel.make_call.byte_range(),
        message: format!(
            "{} once each on unbuffered channel `{name}`, but the function {received}",
            sender.started_at(context),
        ),
        fix: sender.buffer_fix(channel, &size, description),
    }
}

/// Where `receive_loop` can stop before its last iteration: the first statement in it that
/// sends control out of it other than through its own condition (a `return`, `t.Fatal` and
/// the like, a `break` or `goto` that leaves it, a `continue` of an outer loop; see
/// `Flow::ways_out`). Closures do not count.
fn early_exit<'a>(context: &CodemodContext<'_, 'a>, receive_loop: Node<'a>) -> Option<Node<'a>> {
    context.flow().ways_out(receive_loop).into_iter().next()
}

/// How many times `spawn_loop` runs when its header fixes it: `range 3`, `i := 0; i < 3; i++`,
/// or a range over a slice or array literal (its elements, none keyed: `{5: x}` would set the
/// length; an array type with a length ranges over that length). `None` for anything else.
fn iterations(source: &str, spawn_loop: Node) -> Option<u64> {
    let header = spawn_loop.named_child(0)?;
    match header.kind() {
        "range_clause" => {
            let right = header.child_by_field_name("right")?;
            match right.kind() {
                "int_literal" => int_literal(text(right, source)),
                "composite_literal" => literal_length(source, right),
                _ => None,
            }
        }
        "for_clause" => {
            let bound = counted_loop_bound(source, spawn_loop, header)?;
            (bound.kind() == "int_literal")
                .then(|| int_literal(text(bound, source)))
                .flatten()
        }
        _ => None,
    }
}

/// How many elements a range over the composite literal `literal` visits.
fn literal_length(source: &str, literal: Node) -> Option<u64> {
    let kind = literal.child_by_field_name("type")?;
    match kind.kind() {
        "array_type" => int_literal(text(kind.child_by_field_name("length")?, source)),
        "slice_type" | "implicit_length_array_type" => {
            let body = literal.child_by_field_name("body")?;
            let mut cursor = body.walk();
            let mut count = 0;
            for element in body.named_children(&mut cursor) {
                match element.kind() {
                    "literal_element" => count += 1,
                    "comment" => {}
                    _ => return None,
                }
            }
            Some(count)
        }
        _ => None,
    }
}

/// The value of a Go integer literal (`10`, `1_000`, `0x1f`, `0o17`, `017`, `0b101`).
fn int_literal(literal: &str) -> Option<u64> {
    let digits = literal.replace('_', "");
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    u64::from_str_radix(body, radix).ok()
}

/// The number of iterations of `spawn_loop`, written so it can be evaluated at the `make`.
fn loop_size(
    context: &CodemodContext,
    channel: &Channel,
    spawn_loop: Node,
) -> Option<(String, Applicability)> {
    let source = context.source;
    if let Some(count) = iterations(source, spawn_loop) {
        return Some((count.to_string(), Applicability::Safe));
    }
    let header = spawn_loop.named_child(0)?;
    let (bound, kind) = match header.kind() {
        "range_clause" => {
            let right = header.child_by_field_name("right")?;
            match right.kind() {
                "int_literal" => {
                    return Some((text(right, source).to_string(), Applicability::Safe));
                }
                "identifier" => (right, value_kind(context, right)),
                _ => return None,
            }
        }
        "for_clause" => {
            let bound = counted_loop_bound(source, spawn_loop, header)?;
            let kind = if bound.kind() == "int_literal" {
                ValueKind::Literal
            } else {
                value_kind(context, bound)
            };
            (bound, kind)
        }
        _ => return None,
    };
    let name = text(bound, source);
    // The size is written at the `make`: the name must mean the same variable there (declared
    // before it, not shadowed), or the fix would not compile, or would size by another value.
    if bound.kind() == "identifier" {
        let make_at = channel.make_call.start_byte();
        let scopes = &context.facts.scopes;
        let same_there = match scopes.binding_of(bound) {
            Some(binding) => scopes.names_at(binding, make_at),
            None => !scopes.is_local_at(name, make_at),
        };
        if !same_there {
            return None;
        }
    }
    let stable = is_stable_between(
        context,
        name,
        channel.make_call.start_byte(),
        spawn_loop.end_byte(),
    );
    // A signed count: `max(n, 0)` is exactly how often the loop runs (`i < n` and `range n`
    // run zero times for a negative `n`) and never negative, where the module's Go has the
    // builtin (1.21); elsewhere `n`, unsafe.
    let has_max = kind == ValueKind::Signed
        && context
            .package
            .go_version()
            .is_some_and(|version| version >= GoVersion::MIN_MAX_BUILTINS);
    let (size, proven) = match (header.kind(), kind) {
        (_, ValueKind::Literal) => (name.to_string(), true),
        (_, ValueKind::Signed) if has_max => (format!("max({name}, 0)"), true),
        ("range_clause", ValueKind::Collection) => (format!("len({name})"), true),
        ("range_clause", ValueKind::Channel | ValueKind::Function) => return None,
        ("range_clause", ValueKind::Unsigned | ValueKind::Length) => (name.to_string(), true),
        ("range_clause", ValueKind::Signed) => (name.to_string(), false),
        // A range over a value of unknown type: a collection (`len(x)`) or, since Go 1.22, an
        // integer (`x`). A guess could not compile; no fix.
        ("range_clause", ValueKind::Unknown) => return None,
        (_, ValueKind::Unsigned | ValueKind::Length) => (name.to_string(), true),
        (_, ValueKind::Collection | ValueKind::Channel | ValueKind::Function) => return None,
        (_, ValueKind::Signed | ValueKind::Unknown) => (name.to_string(), false),
    };
    let applicability = if stable && proven {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    Some((size, applicability))
}

/// `for i := 0; i < n; i++` (or `i < len(xs)`) with `i` untouched in the body: the bound.
fn counted_loop_bound<'a>(
    source: &str,
    spawn_loop: Node<'a>,
    header: Node<'a>,
) -> Option<Node<'a>> {
    let initializer = header.child_by_field_name("initializer")?;
    let condition = header.child_by_field_name("condition")?;
    let update = header.child_by_field_name("update")?;
    if initializer.kind() != "short_var_declaration" {
        return None;
    }
    let counter = initializer.child_by_field_name("left")?.named_child(0)?;
    let start = initializer.child_by_field_name("right")?.named_child(0)?;
    if text(start, source) != "0" || text(update, source) != format!("{}++", text(counter, source))
    {
        return None;
    }
    if condition.kind() != "binary_expression"
        || condition
            .child_by_field_name("operator")
            .map(|op| op.kind())
            != Some("<")
        || !condition
            .child_by_field_name("left")
            .is_some_and(|left| syntax::is_identifier(left, source, text(counter, source)))
    {
        return None;
    }
    let body = spawn_loop.child_by_field_name("body")?;
    if assigns(body, source, text(counter, source)) {
        return None;
    }
    let bound = condition.child_by_field_name("right")?;
    matches!(bound.kind(), "int_literal" | "identifier").then_some(bound)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Literal,
    /// A slice, array, map or string: `len` counts its iterations (bytes >= runes for a string).
    Collection,
    Channel,
    Function,
    /// An unsigned integer: never negative.
    Unsigned,
    /// Initialised from `len(...)`: never negative.
    Length,
    Signed,
    Unknown,
}

/// What the identifier `node` holds, from its parameter type or local declaration.
fn value_kind(context: &CodemodContext, node: Node) -> ValueKind {
    let source = context.source;
    let name = text(node, source);
    if context.facts.declarations.get(name) != Some(&1) {
        return ValueKind::Unknown;
    }
    let mut stack = vec![context.facts.function];
    while let Some(current) = stack.pop() {
        match current.kind() {
            "parameter_declaration" | "var_spec" => {
                let mut cursor = current.walk();
                let declares = current
                    .children_by_field_name("name", &mut cursor)
                    .any(|n| text(n, source) == name);
                if declares {
                    if let Some(kind) = current
                        .child_by_field_name("type")
                        .map(|t| type_kind(t, source))
                    {
                        return kind;
                    }
                    if let Some(value) = current
                        .child_by_field_name("value")
                        .and_then(|v| v.named_child(0))
                    {
                        return expression_kind(value, source);
                    }
                    return ValueKind::Unknown;
                }
            }
            "variadic_parameter_declaration"
                if current
                    .child_by_field_name("name")
                    .is_some_and(|n| text(n, source) == name) =>
            {
                return ValueKind::Collection;
            }
            "short_var_declaration" => {
                let left = current.child_by_field_name("left");
                let right = current.child_by_field_name("right");
                if let (Some(left), Some(right)) = (left, right)
                    && left.named_child_count() == right.named_child_count()
                {
                    for index in 0..left.named_child_count() {
                        if left
                            .named_child(index as u32)
                            .is_some_and(|n| text(n, source) == name)
                        {
                            return right
                                .named_child(index as u32)
                                .map_or(ValueKind::Unknown, |v| expression_kind(v, source));
                        }
                    }
                }
            }
            _ => {}
        }
        let mut cursor = current.walk();
        stack.extend(current.children(&mut cursor));
    }
    ValueKind::Unknown
}

fn type_kind(node: Node, source: &str) -> ValueKind {
    match node.kind() {
        "slice_type" | "array_type" | "map_type" => ValueKind::Collection,
        "channel_type" => ValueKind::Channel,
        "function_type" => ValueKind::Function,
        "type_identifier" => match text(node, source) {
            "string" => ValueKind::Collection,
            "uint" | "uint8" | "uint16" | "uint32" | "uint64" | "uintptr" | "byte" => {
                ValueKind::Unsigned
            }
            "int" | "int8" | "int16" | "int32" | "int64" | "rune" => ValueKind::Signed,
            _ => ValueKind::Unknown,
        },
        _ => ValueKind::Unknown,
    }
}

fn expression_kind(node: Node, source: &str) -> ValueKind {
    match node.kind() {
        "composite_literal" => node
            .child_by_field_name("type")
            .map_or(ValueKind::Unknown, |t| type_kind(t, source)),
        "interpreted_string_literal" | "raw_string_literal" => ValueKind::Collection,
        "int_literal" => ValueKind::Literal,
        "call_expression" => match syntax::callee_name(node, source) {
            Some("len" | "cap") => ValueKind::Length,
            Some("make") => syntax::call_arguments(node)
                .first()
                .map_or(ValueKind::Unknown, |t| type_kind(*t, source)),
            _ => ValueKind::Unknown,
        },
        _ => ValueKind::Unknown,
    }
}

/// Nothing assigns `name` (or takes its address) from `start` to `end` in the function, so
/// the size computed at the `make` is the one the loop sees.
fn is_stable_between(context: &CodemodContext, name: &str, start: usize, end: usize) -> bool {
    if context.facts.declarations.get(name).copied().unwrap_or(0) > 1 {
        return false;
    }
    let declared_before = declaration_offset(context, name).is_none_or(|offset| offset < start);
    declared_before && !assigns_in_range(context.facts.body, context.source, name, start, end)
}

fn declaration_offset(context: &CodemodContext, name: &str) -> Option<usize> {
    let source = context.source;
    let mut stack = vec![context.facts.body];
    while let Some(current) = stack.pop() {
        if matches!(current.kind(), "short_var_declaration" | "var_spec") {
            let names = current.child_by_field_name("left").unwrap_or(current);
            let mut cursor = names.walk();
            if names
                .named_children(&mut cursor)
                .any(|n| n.kind() == "identifier" && text(n, source) == name)
            {
                return Some(current.start_byte());
            }
        }
        let mut cursor = current.walk();
        stack.extend(current.children(&mut cursor));
    }
    None
}

fn assigns(node: Node, source: &str, name: &str) -> bool {
    assigns_in_range(node, source, name, node.start_byte(), node.end_byte())
}

/// An assignment, `++`/`--` or `&name` within `start..end`, closures included.
fn assigns_in_range(root: Node, source: &str, name: &str, start: usize, end: usize) -> bool {
    let mut stack = vec![root];
    while let Some(current) = stack.pop() {
        if current.end_byte() < start || current.start_byte() > end {
            continue;
        }
        let target = match current.kind() {
            "assignment_statement" => current.child_by_field_name("left"),
            "inc_statement" | "dec_statement" => current.named_child(0),
            "unary_expression"
                if current
                    .child_by_field_name("operator")
                    .is_some_and(|op| op.kind() == "&") =>
            {
                current.child_by_field_name("operand")
            }
            _ => None,
        };
        if let Some(target) = target {
            let mut found = false;
            let mut inner = vec![target];
            while let Some(node) = inner.pop() {
                if node.kind() == "identifier" && text(node, source) == name {
                    found = true;
                }
                // `xs[i] = v` changes an element, not how many there are; `xs = ...` does.
                if matches!(node.kind(), "index_expression" | "selector_expression") {
                    continue;
                }
                let mut cursor = node.walk();
                inner.extend(node.children(&mut cursor));
            }
            if found {
                return true;
            }
        }
        let mut cursor = current.walk();
        stack.extend(current.children(&mut cursor));
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::codemods::test_support::*;
    use crate::edit::Applicability;

    /// `errc` made, then `starts` (statements), then `tail` (the receives and the return).
    fn several(starts: &str, tail: &str) -> String {
        format!("func f(x, y bool) error {{\n\terrc := make(chan error)\n{starts}{tail}}}\n")
    }

    const SEND: &str = "go func() { errc <- nil }()";

    #[test]
    fn unrolled_senders_with_one_receive_get_a_slot_each() {
        let before = several(
            &format!("\t{SEND}\n\t{SEND}\n\t{SEND}\n"),
            "\treturn <-errc\n",
        );
        assert_finding(&before, "ncast-leak", Some(Applicability::Safe));
        assert_fix(
            &before,
            &before.replace("make(chan error)", "make(chan error, 3)"),
        );
    }

    #[test]
    fn as_many_receives_as_unrolled_senders_is_silent() {
        assert_silent(&several(
            &format!("\t{SEND}\n\t{SEND}\n"),
            "\ta, b := <-errc, <-errc\n\t_ = a\n\treturn b\n",
        ));
    }

    #[test]
    fn senders_in_exclusive_branches_count_once() {
        // One of the two starts per call: a buffer of 1, and a single receive is enough.
        let branches = format!("\tif x {{\n\t\t{SEND}\n\t}} else {{\n\t\t{SEND}\n\t}}\n");
        assert_silent(&several(&branches, "\treturn <-errc\n"));
        let timeout = several(
            &branches,
            "\tselect {\n\tcase err := <-errc:\n\t\treturn err\n\tcase <-time.After(time.Second):\n\t\treturn nil\n\t}\n",
        );
        assert_finding(&timeout, "timeout-leak", Some(Applicability::Safe));
        assert_fix(
            &timeout,
            &timeout.replace("make(chan error)", "make(chan error, 1)"),
        );
    }

    #[test]
    fn the_buffer_counts_every_start_that_can_run_in_one_call() {
        // Two unconditional starts and an `if`/`else` whose branches start one or two:
        // at most four sends per call.
        let starts = format!(
            "\t{SEND}\n\tif x {{\n\t\t{SEND}\n\t}} else {{\n\t\t{SEND}\n\t\t{SEND}\n\t}}\n\t{SEND}\n"
        );
        let before = several(&starts, "\treturn <-errc\n");
        assert_fix(
            &before,
            &before.replace("make(chan error)", "make(chan error, 4)"),
        );
    }

    #[test]
    fn a_switch_with_fallthrough_adds_its_cases() {
        let starts = format!(
            "\tswitch {{\n\tcase x:\n\t\t{SEND}\n\t\tfallthrough\n\tcase y:\n\t\t{SEND}\n\t}}\n\t{SEND}\n\t{SEND}\n"
        );
        let before = several(&starts, "\treturn <-errc\n");
        assert_fix(
            &before,
            &before.replace("make(chan error)", "make(chan error, 4)"),
        );
        let without = before.replace("\t\tfallthrough\n", "");
        assert_fix(
            &without,
            &without.replace("make(chan error)", "make(chan error, 3)"),
        );
    }

    #[test]
    fn several_senders_that_also_send_elsewhere_or_close_are_left_alone() {
        // A buffer on `errc` alone would leave a sender blocked on `done`. (`done` itself,
        // with its single sender, is timeout-leak's: `errc` can win the select.)
        let found = findings(
            "func f() error {\n\terrc := make(chan error)\n\tdone := make(chan int)\n\tgo func() { errc <- nil }()\n\tgo func() {\n\t\tif g() {\n\t\t\tdone <- 1\n\t\t\treturn\n\t\t}\n\t\terrc <- nil\n\t}()\n\tselect {\n\tcase err := <-errc:\n\t\treturn err\n\tcase <-done:\n\t\treturn nil\n\t}\n}\n",
        );
        assert!(
            found
                .iter()
                .all(|finding| !finding.message.contains("`errc`")),
            "{found:#?}"
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        // One sender closing while the other may still send: a panic a buffer does not fix.
        assert_silent(&several(
            &format!("\t{SEND}\n\tgo func() {{\n\t\terrc <- nil\n\t\tclose(errc)\n\t}}()\n"),
            "\treturn <-errc\n",
        ));
    }

    #[test]
    fn a_goto_or_a_receive_loop_makes_the_receives_uncountable() {
        assert_silent(&several(
            &format!("\t{SEND}\n\t{SEND}\n"),
            "\tfor i := 0; i < 2; i++ {\n\t\tif err := <-errc; err != nil {\n\t\t\t_ = err\n\t\t}\n\t}\n\treturn nil\n",
        ));
        assert_silent(&several(
            &format!("\t{SEND}\n\t{SEND}\n\tn := 0\n"),
            "again:\n\t<-errc\n\tn++\n\tif n < 2 {\n\t\tgoto again\n\t}\n\treturn nil\n",
        ));
    }

    #[test]
    fn a_receive_loop_that_returns_early_leaves_senders() {
        assert_fix(
            "func f(xs []string) error {\n\tc := make(chan error)\n\tfor _, x := range xs {\n\t\tgo func() { c <- check(x) }()\n\t}\n\tfor range xs {\n\t\tif err := <-c; err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n\treturn nil\n}\n",
            "func f(xs []string) error {\n\tc := make(chan error, len(xs))\n\tfor _, x := range xs {\n\t\tgo func() { c <- check(x) }()\n\t}\n\tfor range xs {\n\t\tif err := <-c; err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n\treturn nil\n}\n",
        );
        // A break out of the receiving loop, labeled or not.
        for leave in ["break", "break outer"] {
            let body = format!(
                "func f(xs []string) (n int) {{\n\tc := make(chan error)\n\tfor _, x := range xs {{\n\t\tgo func() {{ c <- check(x) }}()\n\t}}\nouter:\n\tfor range xs {{\n\t\tif err := <-c; err != nil {{\n\t\t\t{leave}\n\t\t}}\n\t\tn++\n\t}}\n\treturn n\n}}\n"
            );
            assert_finding(&body, "ncast-leak", Some(Applicability::Safe));
        }
    }

    #[test]
    fn a_continue_of_an_outer_loop_leaves_the_receive_loop_and_a_goto_inside_does_not() {
        // `continue retry` ends the receiving loop early, like a `break`: the senders that
        // are not received yet block forever.
        let continues = "func f(xs []string, tries int) (n int) {\n\tc := make(chan error)\n\tfor _, x := range xs {\n\t\tgo func() { c <- check(x) }()\n\t}\nretry:\n\tfor range tries {\n\t\tfor range xs {\n\t\t\tif err := <-c; err != nil {\n\t\t\t\tcontinue retry\n\t\t\t}\n\t\t\tn++\n\t\t}\n\t}\n\treturn n\n}\n";
        assert_finding(continues, "ncast-leak", Some(Applicability::Safe));
        assert!(
            findings(continues)[0]
                .message
                .contains("can stop at line 22"),
            "{}",
            findings(continues)[0].message
        );
        // A `goto` to a label inside the receiving loop stays in it: every value is received.
        assert_silent(
            "func f(xs []string) (n int) {\n\tc := make(chan error)\n\tfor _, x := range xs {\n\t\tgo func() { c <- check(x) }()\n\t}\n\tfor range xs {\n\t\terr := <-c\n\t\tif err != nil {\n\t\t\tgoto next\n\t\t}\n\t\tn++\n\tnext:\n\t}\n\treturn n\n}\n",
        );
    }

    #[test]
    fn no_fix_sizes_by_a_name_the_make_cannot_see_or_a_range_of_unknown_type() {
        // `n` is declared after the make: `make(chan error, n)` would not compile.
        let later = "func f() error {\n\tc := make(chan error)\n\tn := 10\n\tfor range n {\n\t\tgo func() { c <- nil }()\n\t}\n\treturn <-c\n}\n";
        assert_finding(later, "ncast-leak", None);
        // `workers` could be an int (range over an integer) or a slice: `len(workers)` is a guess.
        let unknown = "func f() error {\n\tc := make(chan error)\n\tfor range workers {\n\t\tgo func() { c <- nil }()\n\t}\n\treturn <-c\n}\n";
        assert_finding(unknown, "ncast-leak", None);
        // Declared before the make (from a literal, so not negative), it is used.
        let before = "func f() error {\n\tn := 10\n\tc := make(chan error)\n\tfor range n {\n\t\tgo func() { c <- nil }()\n\t}\n\treturn <-c\n}\n";
        assert_fix(
            before,
            &before.replace("make(chan error)", "make(chan error, n)"),
        );
    }

    #[test]
    fn a_receive_loop_that_runs_to_its_end_is_silent() {
        // A `break` of an inner select or loop, and a `break` to a label inside, do not leave.
        assert_silent(
            "func f(xs []string, d <-chan int) (n int) {\n\tc := make(chan error)\n\tfor _, x := range xs {\n\t\tgo func() { c <- check(x) }()\n\t}\n\tfor range xs {\n\t\terr := <-c\n\t\tselect {\n\t\tcase <-d:\n\t\t\tbreak\n\t\tdefault:\n\t\t}\n\tinner:\n\t\tfor i := 0; i < 3; i++ {\n\t\t\tif err != nil {\n\t\t\t\tbreak inner\n\t\t\t}\n\t\t}\n\t\tn++\n\t}\n\treturn n\n}\n",
        );
        // Receiving in the loop that starts the goroutines: each value is taken in turn.
        assert_silent(
            "func f(xs []string) error {\n\tc := make(chan error)\n\tfor _, x := range xs {\n\t\tgo func() { c <- check(x) }()\n\t\tif err := <-c; err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n\treturn nil\n}\n",
        );
    }

    #[test]
    fn sizes_the_buffer_by_the_slice_it_ranges_over() {
        assert_fix(
            "func f(xs []string) string {\n\tc := make(chan string)\n\tfor _, x := range xs {\n\t\tgo func() { c <- x }()\n\t}\n\treturn <-c\n}\n",
            "func f(xs []string) string {\n\tc := make(chan string, len(xs))\n\tfor _, x := range xs {\n\t\tgo func() { c <- x }()\n\t}\n\treturn <-c\n}\n",
        );
    }

    #[test]
    fn a_size_reassigned_before_the_loop_is_unsafe() {
        assert_finding(
            "func f(xs []string) string {\n\tc := make(chan string)\n\txs = append(xs, \"more\")\n\tfor _, x := range xs {\n\t\tgo func() { c <- x }()\n\t}\n\treturn <-c\n}\n",
            "ncast-leak",
            Some(Applicability::Unsafe),
        );
    }

    #[test]
    fn a_size_from_len_is_never_negative() {
        assert_finding(
            "func f(xs []string) string {\n\tn := len(xs)\n\tc := make(chan string)\n\tfor i := 0; i < n; i++ {\n\t\tgo func() { c <- xs[i] }()\n\t}\n\treturn <-c\n}\n",
            "ncast-leak",
            Some(Applicability::Safe),
        );
    }

    #[test]
    fn a_range_over_an_unknown_expression_has_no_fix() {
        assert_finding(
            "func f(s struct{ xs []string }) string {\n\tc := make(chan string)\n\tfor _, x := range s.xs {\n\t\tgo func() { c <- x }()\n\t}\n\treturn <-c\n}\n",
            "ncast-leak",
            None,
        );
    }

    #[test]
    fn a_loop_of_a_fixed_count_is_silent_when_every_start_is_received() {
        for header in [
            "for _, s := range []string{\"1\", \"2\"} {",
            "for _, s := range [...]string{\"1\", /* two */ \"2\"} {",
            "for i := 0; i < 2; i++ {",
            "for s := range 0b10 {",
        ] {
            assert_silent(&format!(
                "func f() {{\n\tc := make(chan int)\n\t{header}\n\t\tgo func() {{ c <- len(s) }}()\n\t}}\n\t<-c\n\t<-c\n}}\n"
            ));
        }
    }

    #[test]
    fn a_loop_of_a_fixed_count_with_fewer_receives_gets_a_buffer_of_that_count() {
        let three = "func f() {\n\tc := make(chan int)\n\tfor _, s := range []string{\"1\", \"2\", \"3\"} {\n\t\tgo func() { c <- len(s) }()\n\t}\n\t<-c\n\t<-c\n}\n";
        assert_fix(three, &three.replace("make(chan int)", "make(chan int, 3)"));
        // An array of length 4 ranges four times, however many elements are written.
        let array = "func f() {\n\tc := make(chan int)\n\tfor _, s := range [4]int{1, 2} {\n\t\tgo func() { c <- s }()\n\t}\n\t<-c\n\t<-c\n}\n";
        assert_fix(array, &array.replace("make(chan int)", "make(chan int, 4)"));
        // A keyed element sets the length: not counted, no fix.
        let keyed = "func f() {\n\tc := make(chan int)\n\tfor _, s := range []int{5: 1} {\n\t\tgo func() { c <- s }()\n\t}\n\t<-c\n\t<-c\n}\n";
        assert_finding(keyed, "ncast-leak", None);
    }

    #[test]
    fn go_integer_literals_are_read_in_every_base() {
        use super::int_literal;
        assert_eq!(int_literal("10"), Some(10));
        assert_eq!(int_literal("1_000"), Some(1000));
        assert_eq!(int_literal("0x1F"), Some(31));
        assert_eq!(int_literal("0o17"), Some(15));
        assert_eq!(int_literal("017"), Some(15));
        assert_eq!(int_literal("0b101"), Some(5));
        assert_eq!(int_literal("0"), Some(0));
        assert_eq!(int_literal("1e3"), None);
    }

    #[test]
    fn silent_when_every_result_is_received() {
        assert_silent(
            "func f(xs []string) (out []string) {\n\tc := make(chan string)\n\tfor _, x := range xs {\n\t\tgo func() { c <- x }()\n\t}\n\tfor range xs {\n\t\tout = append(out, <-c)\n\t}\n\treturn out\n}\n",
        );
    }
}
