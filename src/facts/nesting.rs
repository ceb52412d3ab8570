//! Which closures and loops surround a node, recorded during the one walk over a function.
//!
//! The analysis asks of every use of a channel "which func literal is it in?" and "which loops
//! run it again?". Climbing from each use to the function's body answers that in the depth of
//! the use, and in deeply nested code (a thousand closures inside one another, each using the
//! channel) the sum is the square of the function's size. Here the walk, which visits nodes in
//! document order, keeps a stack of the closures and loops it is inside; each node of interest
//! remembers the innermost one, and each of those its parent: an append-only tree of
//! enclosings. A query follows that chain, and costs only what it returns.
//!
//! ```go
//! func f(xs []int) {
//!     for _, x := range xs {        // loop #0 (its body holds what it repeats)
//!         go func() {               // closure #1, outer loop #0
//!             c <- x                // innermost: #1 -> closure #1, loops [#0]
//!         }()
//!     }
//! }
//! ```

use crate::syntax::{contains, kind_of};
use tree_sitter::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Closure,
    Loop,
}

#[derive(Debug)]
struct Enclosing<'a> {
    node: Node<'a>,
    kind: Kind,
    /// The nearest closure and the nearest loop strictly around this one: a query follows
    /// only the links of the kind it asks for, so it costs what it returns, not the depth.
    outer_closure: Option<usize>,
    outer_loop: Option<usize>,
}

/// The closures and loops around the identifiers, `go` statements and calls of one function.
#[derive(Debug, Default)]
pub struct Nesting<'a> {
    enclosings: Vec<Enclosing<'a>>,
    /// Node id -> the innermost enclosing, for the nodes recorded. Keyed by node ids, which
    /// no input chooses, with a fast hash: an entry is made for most nodes of the function.
    innermost: foldhash::HashMap<usize, Option<usize>>,
    /// The walk's stack: (end byte, enclosing index).
    open: Vec<(usize, usize)>,
    root: Option<usize>,
}

impl<'a> Nesting<'a> {
    /// Takes the next node of a walk over `root`'s subtree in document order (enter events).
    /// `root` itself is not an enclosing: its closures and loops are what lies inside it.
    pub fn enter(&mut self, node: Node<'a>) {
        let root = *self.root.get_or_insert(node.id());
        let start = node.start_byte();
        while self.open.last().is_some_and(|&(end, _)| start >= end) {
            self.open.pop();
        }
        let innermost = self.open.last().map(|&(_, index)| index);
        if matches!(
            kind_of(node),
            "identifier" | "go_statement" | "call_expression"
        ) {
            self.innermost.insert(node.id(), innermost);
        }
        let kind = match kind_of(node) {
            "func_literal" => Kind::Closure,
            "for_statement" => Kind::Loop,
            _ => return,
        };
        if node.id() == root || node.start_byte() == node.end_byte() {
            return;
        }
        self.enclosings.push(Enclosing {
            node,
            kind,
            outer_closure: self.nearest(innermost, Kind::Closure),
            outer_loop: self.nearest(innermost, Kind::Loop),
        });
        self.open.push((node.end_byte(), self.enclosings.len() - 1));
    }

    /// The nearest enclosing of `kind` at or around enclosing `index`.
    fn nearest(&self, index: Option<usize>, kind: Kind) -> Option<usize> {
        let enclosing = &self.enclosings[index?];
        if enclosing.kind == kind {
            return index;
        }
        match kind {
            Kind::Closure => enclosing.outer_closure,
            Kind::Loop => enclosing.outer_loop,
        }
    }

    /// The enclosings of `kind` around a recorded `node`, innermost first.
    fn around(&self, node: Node, kind: Kind) -> impl Iterator<Item = Node<'a>> + '_ {
        let innermost = self.innermost.get(&node.id()).copied().flatten();
        let mut next = self.nearest(innermost, kind);
        std::iter::from_fn(move || {
            let enclosing = &self.enclosings[next?];
            next = match kind {
                Kind::Closure => enclosing.outer_closure,
                Kind::Loop => enclosing.outer_loop,
            };
            Some(enclosing.node)
        })
    }

    /// The innermost func literal around a recorded `node`, if any.
    pub fn closure(&self, node: Node) -> Option<Node<'a>> {
        self.around(node, Kind::Closure).next()
    }

    /// The loops that repeat a recorded `node`, nearest first: those whose body holds it (a
    /// `for v := range c` ranges over `c` but does not repeat it). Like
    /// `syntax::loops_between(node, root)` for the walk's root.
    pub fn loops(&self, node: Node) -> Vec<Node<'a>> {
        self.around(node, Kind::Loop)
            .filter(|for_statement| repeats(*for_statement, node))
            .collect()
    }

    /// `loops`, keeping only the loops inside `root`: those that repeat `node` within one run
    /// of `root` (a goroutine's body, say). Like `syntax::loops_between(node, root)`.
    pub fn loops_within(&self, node: Node, root: Node) -> Vec<Node<'a>> {
        self.around(node, Kind::Loop)
            .take_while(|for_statement| {
                contains(root, *for_statement) && for_statement.id() != root.id()
            })
            .filter(|for_statement| repeats(*for_statement, node))
            .collect()
    }
}

/// Whether the body of `for_statement` holds `node`.
fn repeats(for_statement: Node, node: Node) -> bool {
    for_statement
        .child_by_field_id(crate::syntax::field::BODY.id())
        .is_some_and(|body| contains(body, node))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Visit, go_parser, loops_between, parse, text, visit};

    #[test]
    fn closures_and_loops_are_those_a_climb_finds() {
        let source = "package p\n\nfunc f(xs []int, c chan int) {\n\tfor _, x := range xs {\n\t\tgo func() {\n\t\t\tfor range c {\n\t\t\t\tc <- x\n\t\t\t}\n\t\t}()\n\t}\n\tfor v := range c {\n\t\t_ = v\n\t}\n}\n";
        let tree = parse(&mut go_parser(), source);
        let function = tree.root_node().named_child(1).unwrap();
        let body = function.child_by_field_name("body").unwrap();
        let mut nesting = Nesting::default();
        let mut identifiers = Vec::new();
        visit(function, &mut |node| {
            nesting.enter(node);
            if kind_of(node) == "identifier" {
                identifiers.push(node);
            }
            Visit::Descend
        });
        for node in identifiers {
            let climbed = crate::syntax::ancestors_until(node, body)
                .find(|n| kind_of(n) == "func_literal")
                .map(|n| n.id());
            assert_eq!(
                nesting.closure(node).map(|n| n.id()),
                climbed,
                "{}",
                text(node, source)
            );
            let expected: Vec<usize> = loops_between(node, body).iter().map(|n| n.id()).collect();
            let found: Vec<usize> = nesting.loops(node).iter().map(|n| n.id()).collect();
            assert_eq!(
                found,
                expected,
                "{} at {}",
                text(node, source),
                node.start_byte()
            );
            if let Some(closure) = nesting.closure(node) {
                let root = closure.child_by_field_name("body").unwrap();
                let expected: Vec<usize> =
                    loops_between(node, root).iter().map(|n| n.id()).collect();
                let found: Vec<usize> = nesting
                    .loops_within(node, root)
                    .iter()
                    .map(|n| n.id())
                    .collect();
                assert_eq!(found, expected, "{} within its closure", text(node, source));
            }
        }
    }
}
