//! What a codemod reads of a function of the package other than the one it checks (future-leak
//! reads each caller of a future): the body's control flow, where it can end, and its
//! identifiers by name. Built the first time a codemod asks about that body, once per package
//! (`Package::body_view`), so reading every call of every future in a package costs each
//! caller's body once, however many calls it holds or futures it calls.

use super::Flow;
use crate::syntax::{self, Visit, kind_of, text};
use std::collections::HashMap;
use tree_sitter::Node;

pub struct BodyView<'a> {
    /// The control flow of the body (not of its closures).
    pub flow: Flow<'a>,
    /// Where the function can end (see `syntax::is_exit`), not counting closures, in order.
    pub exits: Vec<Node<'a>>,
    /// Every identifier of the body, closures included, by its text, in order.
    identifiers: HashMap<&'a str, Vec<Node<'a>>>,
}

impl<'a> BodyView<'a> {
    /// The view of `body` (a function's or func literal's block) in the file `source`: one
    /// walk of its nodes, and its flow.
    pub fn build(body: Node<'a>, source: &'a str) -> BodyView<'a> {
        let mut exits = Vec::new();
        let mut identifiers: HashMap<&'a str, Vec<Node<'a>>> = HashMap::new();
        // The ends of the func literals the walk is inside (nodes come in document order).
        let mut closure_ends: Vec<usize> = Vec::new();
        syntax::visit(body, &mut |node| {
            while closure_ends
                .last()
                .is_some_and(|&end| node.start_byte() >= end)
            {
                closure_ends.pop();
            }
            match kind_of(node) {
                "identifier" => identifiers
                    .entry(text(node, source))
                    .or_default()
                    .push(node),
                "func_literal" => closure_ends.push(node.end_byte()),
                _ => {}
            }
            if closure_ends.is_empty() && syntax::is_exit(node, source) {
                exits.push(node);
            }
            Visit::Descend
        });
        BodyView {
            flow: Flow::build(body, source),
            exits,
            identifiers,
        }
    }

    /// The identifiers spelled `name` that start in `from..to` (byte offsets), in order.
    pub fn mentions(&self, name: &str, from: usize, to: usize) -> &[Node<'a>] {
        let Some(all) = self.identifiers.get(name) else {
            return &[];
        };
        let first = all.partition_point(|node| node.start_byte() < from);
        let end = all.partition_point(|node| node.start_byte() < to);
        &all[first..end.max(first)]
    }

    /// The exits that start at or after byte `from`, in order.
    pub fn exits_from(&self, from: usize) -> &[Node<'a>] {
        &self.exits[self.exits.partition_point(|exit| exit.start_byte() < from)..]
    }
}
