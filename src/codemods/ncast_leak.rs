//! `ncast-leak`. What it finds, why it leaks, the fix and why it is safe, and when it stays
//! silent are documented once, in `codemods/ncast-leak/README.md` (what `--explain` prints).
//!
//! How the check is organised: the one-shot sender of `one_shot` (shared with
//! premature-return and timeout-leak), started in a loop; `loop_size` turns that loop into a
//! buffer size (`len(xs)` or the bound of a counted loop), and `value_kind` and
//! `is_stable_between` decide whether that size is safe where the `make` is.

use super::one_shot::one_shot_sender;
use super::{Codemod, CodemodContext, Finding};
use crate::edit::{Applicability, Fix};
use crate::facts::Channel;
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
            let [spawn_loop] = sender.spawn_loops.as_slice() else {
                continue;
            };
            // A parent that receives in a loop is collecting every result.
            if sender
                .receives
                .iter()
                .any(|receive| channel.loops_within_scope(&receive.loops).next().is_some())
            {
                continue;
            }
            let name = &channel.name;
            let message = format!(
                "the loop at line {} starts a goroutine per iteration, each sending on unbuffered channel `{name}`, but the function receives {}; the other senders block forever",
                context.line_of(spawn_loop.start_byte()),
                match sender.receives.len() {
                    0 => "nothing".to_string(),
                    1 => "once".to_string(),
                    n => format!("only {n} times"),
                },
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

/// The number of iterations of `spawn_loop`, written so it can be evaluated at the `make`.
fn loop_size(
    context: &CodemodContext,
    channel: &Channel,
    spawn_loop: Node,
) -> Option<(String, Applicability)> {
    let source = context.source;
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
    let stable = is_stable_between(
        context,
        name,
        channel.make_call.start_byte(),
        spawn_loop.end_byte(),
    );
    let (size, proven) = match (header.kind(), kind) {
        (_, ValueKind::Literal) => (name.to_string(), true),
        ("range_clause", ValueKind::Collection) => (format!("len({name})"), true),
        ("range_clause", ValueKind::Channel | ValueKind::Function) => return None,
        ("range_clause", ValueKind::Unsigned | ValueKind::Length) => (name.to_string(), true),
        ("range_clause", ValueKind::Signed) => (name.to_string(), false),
        ("range_clause", ValueKind::Unknown) => (format!("len({name})"), false),
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
    fn silent_when_every_result_is_received() {
        assert_silent(
            "func f(xs []string) (out []string) {\n\tc := make(chan string)\n\tfor _, x := range xs {\n\t\tgo func() { c <- x }()\n\t}\n\tfor range xs {\n\t\tout = append(out, <-c)\n\t}\n\treturn out\n}\n",
        );
    }
}
