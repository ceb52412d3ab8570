//! Lexical scopes: which declaration each identifier of a function names.
//!
//! A channel is a *binding* (one declaration), not a name: the same name can be declared in two
//! sibling blocks, reused later for something else, or shadowed by a closure's parameter, and
//! each of those is a different variable. One walk over the function resolves every identifier
//! to the innermost binding in force at that point, by Go's rules:
//!
//! ```go
//! func wait(fast bool) int {          // function block: fast
//!     if fast {                       // if block
//!         resultC := make(chan int)   // binding #1, visible from the end of this statement
//!         go func() { resultC <- 1 }()//   names #1
//!         return <-resultC            //   names #1
//!     }
//!     resultC := make(chan int)       // binding #2: another channel
//!     helper := func(resultC chan int) { <-resultC }  // a parameter: binding #3
//!     go func() { resultC <- 2 }()    // names #2
//!     helper(resultC)                 // names #2 (the argument), not #3
//!     return <-resultC                // names #2
//! }
//! ```
//!
//! - A declaration takes effect where Go says its scope begins: at the end of the `:=`, `var`
//!   or `const` spec (so `x := x` reads the outer `x`), after a range clause or a select case's
//!   receive, after a type switch's guard; parameters and results at the start of the body.
//! - Blocks open scopes, and so do `if`, `for`, `switch` and `select` statements (for their
//!   init statements) and each case clause. A function's parameters share the body's block,
//!   as in Go, so `v, err := f()` in the body reuses a parameter `err`.
//! - `a, b := ...` declares only the names not already declared in the same block; the others
//!   are assigned, and resolve to their existing binding.
//! - Parameter names of a function *type* (`cb func(c chan int)`) declare nothing.
//! - An identifier with no local binding names something at package level (or is a builtin):
//!   it resolves to nothing.
//!
//! The walk is iterative (one tree cursor, an explicit stack): no input can overflow the stack.

use crate::syntax::{self, kind_of, text};
use std::collections::HashMap;
use std::ops::Range;
use tree_sitter::Node;

/// Index into `Scopes::bindings`.
pub type BindingId = usize;

/// One declared variable (or constant) of the function.
#[derive(Debug)]
pub struct Binding<'a> {
    pub name: &'a str,
    /// The identifier in the declaration.
    pub node: Node<'a>,
    /// Where the name refers to this binding (unless shadowed inside): from the point the
    /// declaration takes effect to the end of its block.
    pub visible: Range<usize>,
    /// Whether a parameter or result declares it.
    pub parameter: bool,
}

/// Every binding of a function and every identifier that names one.
#[derive(Debug, Default)]
pub struct Scopes<'a> {
    pub bindings: Vec<Binding<'a>>,
    /// Per binding, the identifiers that name it, in document order, its declaration excluded
    /// (a name reused by `:=` is included: that is an assignment).
    uses: Vec<Vec<Node<'a>>>,
    /// Identifier node id -> the binding it names (declarations included), and for a use the
    /// nodes above it. Node ids are not chosen by the input: a fast hash (this is on every
    /// identifier of the function).
    resolved: foldhash::HashMap<usize, (BindingId, Above<'a>)>,
}

/// How many of a use's ancestors the walk keeps: enough for every climb the analysis makes
/// from a use (`c` -> argument list -> call -> statement; `<-c` -> receive statement ->
/// communication case -> select).
const KEPT_ANCESTORS: usize = 4;

/// The nodes above a use, nearest first, as the walk saw them. `Node::parent` searches down
/// from the root of the tree on every call, and the analysis climbs from every use of every
/// channel: on moby that search was a fortieth of the run.
#[derive(Debug, Clone, Copy, Default)]
struct Above<'a> {
    nodes: [Option<Node<'a>>; KEPT_ANCESTORS],
    /// How many of `nodes` the walk filled; above those, ask the tree (the walk's root is the
    /// function, so its ancestors are not on the walk's path).
    known: usize,
}

impl<'a> Scopes<'a> {
    /// Resolves every identifier in `function` (a function or method declaration, or a func
    /// literal), calling `on_node` on each node in document order as it goes (so a caller
    /// that needs other facts from the same nodes walks the tree once).
    pub fn resolve(function: Node<'a>, source: &'a str, on_node: &mut dyn FnMut(Node<'a>)) -> Self {
        let mut resolver = Resolver {
            source,
            scopes: Scopes::default(),
            active: Default::default(),
            frames: Vec::new(),
            binding_depth: Vec::new(),
            pending: Vec::new(),
            path: Vec::new(),
            opened: Vec::new(),
        };
        resolver.walk(function, on_node);
        resolver.scopes
    }

    /// The binding `identifier` names or declares, if it is local.
    pub fn binding_of(&self, identifier: Node) -> Option<BindingId> {
        self.resolved
            .get(&identifier.id())
            .map(|&(binding, _)| binding)
    }

    /// The ancestor `level` steps above `node` (1 is its parent): what `Node::parent` would
    /// give, climbed `level` times, but without searching the tree when `node` is a use this
    /// walk resolved.
    pub fn ancestor(&self, node: Node<'a>, level: usize) -> Option<Node<'a>> {
        let above = self
            .resolved
            .get(&node.id())
            .map(|(_, above)| *above)
            .unwrap_or_default();
        if level == 0 {
            return Some(node);
        }
        if level <= above.known {
            return above.nodes[level - 1];
        }
        let mut current = match above.known {
            0 => node,
            known => above.nodes[known - 1]?,
        };
        for _ in above.known..level {
            current = current.parent()?;
        }
        Some(current)
    }

    /// The binding `identifier` declares, if it is a declaration (not a use, and not a name
    /// that `:=` reuses).
    pub fn declared_by(&self, identifier: Node) -> Option<BindingId> {
        self.binding_of(identifier)
            .filter(|&id| self.bindings[id].node.id() == identifier.id())
    }

    /// The identifiers naming `binding`, its declaration excluded, in document order.
    pub fn uses(&self, binding: BindingId) -> &[Node<'a>] {
        &self.uses[binding]
    }

    /// How many bindings each name has in the function, closures included.
    pub fn declaration_counts(&self) -> HashMap<&'a str, usize> {
        let mut counts = HashMap::new();
        for binding in &self.bindings {
            *counts.entry(binding.name).or_default() += 1;
        }
        counts
    }

    /// Whether `name` written at byte `at` would name `binding`: `at` is in its scope, and no
    /// other binding of that name declared inside that scope is in force at `at`. Asked before
    /// a fix inserts code that names a channel away from its declaration.
    pub fn names_at(&self, binding: BindingId, at: usize) -> bool {
        let target = &self.bindings[binding];
        target.visible.contains(&at)
            && !self.bindings.iter().enumerate().any(|(id, other)| {
                id != binding
                    && other.name == target.name
                    && other.visible.contains(&at)
                    && other.visible.start >= target.visible.start
            })
    }
}

impl Scopes<'_> {
    /// Whether a local variable named `name` is in force at byte `at` (for a builtin such as
    /// `close`, whether a local declaration hides it there).
    pub fn is_local_at(&self, name: &str, at: usize) -> bool {
        self.bindings
            .iter()
            .any(|binding| binding.name == name && binding.visible.contains(&at))
    }
}

/// One scope on the walk's stack: the names it declared, to take back when it closes.
struct Frame<'a> {
    names: Vec<&'a str>,
    /// Where the scope ends: the end of the node that opened it.
    end: usize,
}

struct Resolver<'a> {
    source: &'a str,
    scopes: Scopes<'a>,
    /// Per name, the bindings in force, innermost last.
    /// A fast hash: every identifier of the function is looked up.
    active: foldhash::HashMap<&'a str, Vec<BindingId>>,
    frames: Vec<Frame<'a>>,
    /// Per binding, how many frames were open where it was declared (its frame's depth).
    binding_depth: Vec<usize>,
    /// Declaring identifiers waiting for their declaration to take effect, with the node id
    /// of the node whose end makes them visible (see `flush`).
    pending: Vec<(usize, Node<'a>, Declares)>,
    /// The nodes from the walk's root to the current node.
    path: Vec<Node<'a>>,
    /// For each node of `path`, whether it opened a scope (asked once, on entering it).
    opened: Vec<bool>,
}

impl<'a> Resolver<'a> {
    fn walk(&mut self, root: Node<'a>, on_node: &mut dyn FnMut(Node<'a>)) {
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            on_node(node);
            self.enter(node);
            self.path.push(node);
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                let node = self.path.pop().expect("every entered node is on the path");
                self.leave(node);
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    fn parent(&self) -> Option<Node<'a>> {
        self.path.last().copied()
    }

    fn grandparent(&self) -> Option<Node<'a>> {
        self.path.len().checked_sub(2).map(|i| self.path[i])
    }

    fn enter(&mut self, node: Node<'a>) {
        let opens = opens_scope(node, self.parent());
        self.opened.push(opens);
        if opens {
            self.frames.push(Frame {
                names: Vec::new(),
                end: node.end_byte(),
            });
        }
        if kind_of(node) != "identifier" {
            return;
        }
        match self.declaration_owner(node) {
            Declaring::Owner(owner, declares) => self.pending.push((owner, node, declares)),
            Declaring::Nothing => {}
            Declaring::Use => {
                let name = text(node, self.source);
                if let Some(&binding) = self.active.get(name).and_then(|stack| stack.last()) {
                    let mut above = Above::default();
                    for (slot, ancestor) in above.nodes.iter_mut().zip(self.path.iter().rev()) {
                        *slot = Some(*ancestor);
                        above.known += 1;
                    }
                    self.scopes.resolved.insert(node.id(), (binding, above));
                    self.scopes.uses[binding].push(node);
                }
            }
        }
    }

    fn leave(&mut self, node: Node<'a>) {
        self.flush(node.id(), node.end_byte());
        // A type switch's guard takes effect after its value: `switch v := v.(type)`.
        if let Some(parent) = self.parent()
            && kind_of(parent) == "type_switch_statement"
            && parent
                .child_by_field_id(syntax::field::VALUE.id())
                .is_some_and(|value| value.id() == node.id())
        {
            self.flush(parent.id(), node.end_byte());
        }
        // Its parent is the same as when it was entered: what `opens_scope` said then holds.
        if self.opened.pop().expect("every entered node was asked") {
            let frame = self.frames.pop().expect("frames are pushed on enter");
            for name in frame.names {
                if let Some(stack) = self.active.get_mut(name) {
                    stack.pop();
                }
            }
        }
    }

    /// Declares the identifiers waiting on `owner`, visible from `from`.
    fn flush(&mut self, owner: usize, from: usize) {
        while self.pending.last().is_some_and(|(id, _, _)| *id == owner) {
            let (_, identifier, declares) = self.pending.pop().expect("checked above");
            self.declare(identifier, from, declares);
        }
    }

    fn declare(&mut self, identifier: Node<'a>, from: usize, declares: Declares) {
        let name = text(identifier, self.source);
        if name == "_" {
            return;
        }
        let depth = self.frames.len();
        let frame = self.frames.last_mut().expect("a declaration is in a scope");
        let frame_end = frame.end;
        // `a, err := f()` with `err` already declared in this block assigns `err`: the
        // binding in force is one of this frame's (looked up, not searched for: a block can
        // declare thousands of names).
        let in_force = self
            .active
            .get(name)
            .and_then(|stack| stack.last())
            .copied();
        let reused = declares == Declares::Short
            && in_force.is_some_and(|binding| self.binding_depth[binding] == depth);
        if reused && let Some(binding) = in_force {
            self.scopes
                .resolved
                .insert(identifier.id(), (binding, Above::default()));
            self.scopes.uses[binding].push(identifier);
            return;
        }
        let id = self.scopes.bindings.len();
        self.scopes.bindings.push(Binding {
            name,
            node: identifier,
            visible: from..frame_end,
            parameter: declares == Declares::Parameter,
        });
        self.scopes.uses.push(Vec::new());
        self.binding_depth.push(depth);
        self.scopes
            .resolved
            .insert(identifier.id(), (id, Above::default()));
        frame.names.push(name);
        self.active.entry(name).or_default().push(id);
    }

    /// Whether `identifier` (just entered) declares a name, and which node's end makes the
    /// declaration take effect.
    fn declaration_owner(&self, identifier: Node<'a>) -> Declaring {
        let Some(parent) = self.parent() else {
            return Declaring::Use;
        };
        let is_field = |holder: Node, field: &str, child: Node| {
            holder
                .children_by_field_name(field, &mut holder.walk())
                .any(|each| each.id() == child.id())
        };
        match kind_of(parent) {
            "parameter_declaration" | "variadic_parameter_declaration"
                if is_field(parent, "name", identifier) =>
            {
                // Only a function's own parameters declare variables; a function type's
                // parameter names (`cb func(c chan int)`) are documentation.
                let declares = self.grandparent().is_some_and(|list| {
                    self.path
                        .len()
                        .checked_sub(3)
                        .map(|i| self.path[i])
                        .is_some_and(|owner| {
                            crate::syntax::is_function_like(owner)
                                && kind_of(list) == "parameter_list"
                        })
                });
                if declares {
                    Declaring::Owner(parent.id(), Declares::Parameter)
                } else {
                    Declaring::Nothing
                }
            }
            "var_spec" | "const_spec" if is_field(parent, "name", identifier) => {
                Declaring::Owner(parent.id(), Declares::Other)
            }
            "type_parameter_declaration" => Declaring::Nothing,
            "function_declaration" | "method_declaration"
                if is_field(parent, "name", identifier) =>
            {
                Declaring::Nothing
            }
            "expression_list" => {
                let Some(holder) = self.grandparent() else {
                    return Declaring::Use;
                };
                let declares = match kind_of(holder) {
                    "short_var_declaration" => Some(Declares::Short),
                    "range_clause" | "receive_statement" if has_define_token(holder) => {
                        Some(Declares::Other)
                    }
                    "type_switch_statement" => {
                        return if holder
                            .child_by_field_id(syntax::field::ALIAS.id())
                            .is_some_and(|alias| alias.id() == parent.id())
                        {
                            Declaring::Owner(holder.id(), Declares::Other)
                        } else {
                            Declaring::Use
                        };
                    }
                    _ => None,
                };
                match declares {
                    Some(declares)
                        if holder
                            .child_by_field_id(syntax::field::LEFT.id())
                            .is_some_and(|left| left.id() == parent.id()) =>
                    {
                        Declaring::Owner(holder.id(), declares)
                    }
                    _ => Declaring::Use,
                }
            }
            _ => Declaring::Use,
        }
    }
}

enum Declaring {
    /// Declares a name once the node with this id ends.
    Owner(usize, Declares),
    /// Neither declares nor names a variable.
    Nothing,
    /// Names a variable (or something at package level).
    Use,
}

/// What kind of declaration a declaring identifier is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declares {
    Parameter,
    /// `:=` outside a range clause or select case: may reuse a name of the same block.
    Short,
    Other,
}

/// Whether `node` opens a scope of its own. A function's body block shares the function's
/// scope, where its parameters are declared.
fn opens_scope(node: Node, parent: Option<Node>) -> bool {
    match kind_of(node) {
        "function_declaration"
        | "method_declaration"
        | "func_literal"
        | "if_statement"
        | "for_statement"
        | "expression_switch_statement"
        | "type_switch_statement"
        | "select_statement"
        | "expression_case"
        | "type_case"
        | "default_case"
        | "communication_case" => true,
        "block" => !parent.is_some_and(crate::syntax::is_function_like),
        _ => false,
    }
}

fn has_define_token(node: Node) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .any(|child| kind_of(child) == ":=")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{go_parser, parse};

    /// For each identifier spelled `name` in `body` (wrapped in a package), the line of the
    /// declaration it names (0 for none), in order; declarations themselves are left out.
    fn resolution(body: &str, name: &str) -> Vec<usize> {
        let source = format!("package p\n\n{body}");
        let tree = parse(&mut go_parser(), &source);
        let root = tree.root_node();
        let mut functions = Vec::new();
        crate::syntax::visit(root, &mut |node| {
            if matches!(kind_of(node), "function_declaration" | "method_declaration") {
                functions.push(node);
                return crate::syntax::Visit::Skip;
            }
            crate::syntax::Visit::Descend
        });
        let line = |node: Node| node.start_position().row + 1;
        let mut found = Vec::new();
        for function in functions {
            let mut identifiers = Vec::new();
            let scopes = Scopes::resolve(function, &source, &mut |node| {
                if kind_of(node) == "identifier" && text(node, &source) == name {
                    identifiers.push(node);
                }
            });
            for identifier in identifiers {
                if scopes.declared_by(identifier).is_some() {
                    continue;
                }
                found.push(
                    scopes
                        .binding_of(identifier)
                        .map_or(0, |id| line(scopes.bindings[id].node)),
                );
            }
        }
        found
    }

    #[test]
    fn sibling_blocks_declare_different_variables() {
        let body = "func f(a bool) {\n\tif a {\n\t\tc := 1\n\t\t_ = c\n\t} else {\n\t\tc := 2\n\t\t_ = c\n\t}\n\t_ = c\n}\n";
        assert_eq!(resolution(body, "c"), [5, 8, 0]);
    }

    #[test]
    fn a_closure_parameter_shadows_the_outer_variable() {
        let body = "func f() {\n\tc := 1\n\th := func(c int) { _ = c }\n\th(c)\n}\n";
        assert_eq!(resolution(body, "c"), [5, 4]);
    }

    #[test]
    fn a_declaration_takes_effect_after_its_statement() {
        let body = "func f(x int) {\n\tx := x + 1\n\tvar y = x\n\t_ = y\n}\n";
        // `x := x` in the function's own block would not compile; in a nested block it reads
        // the parameter on the right.
        let body_nested = "func f(x int) {\n\t{\n\t\tx := x + 1\n\t\t_ = x\n\t}\n}\n";
        assert_eq!(resolution(body_nested, "x"), [3, 5]);
        assert_eq!(resolution(body, "y"), [5]);
    }

    #[test]
    fn short_declarations_reuse_names_of_the_same_block() {
        let body = "func f() (err error) {\n\ta, err := g()\n\t_ = a\n\treturn err\n}\n";
        // `err` is the result (line 3); `:=` assigns it.
        assert_eq!(resolution(body, "err"), [3, 3]);
    }

    #[test]
    fn range_select_and_type_switch_bind_in_their_clauses() {
        let body = "func f(c chan int, xs []int, v any) {\n\tfor _, c := range xs {\n\t\t_ = c\n\t}\n\tselect {\n\tcase c := <-c:\n\t\t_ = c\n\t}\n\tswitch v := v.(type) {\n\tcase int:\n\t\t_ = v\n\t}\n\t_ = c\n}\n";
        assert_eq!(resolution(body, "c"), [4, 3, 8, 3]);
        assert_eq!(resolution(body, "v"), [3, 11]);
    }

    #[test]
    fn function_type_parameters_declare_nothing() {
        let body = "func f(cb func(c chan int)) {\n\tc := 1\n\t_ = c\n}\n";
        // The type's parameter name names nothing; the use names the local `c`.
        assert_eq!(resolution(body, "c"), [0, 4]);
    }

    #[test]
    fn names_at_sees_shadowing() {
        let source =
            "package p\n\nfunc f() {\n\tc := 1\n\t{\n\t\tc := 2\n\t\t_ = c\n\t}\n\t_ = c\n}\n";
        let tree = parse(&mut go_parser(), source);
        let function = tree.root_node().named_child(1).unwrap();
        let scopes = Scopes::resolve(function, source, &mut |_| {});
        let outer = 0;
        assert_eq!(scopes.bindings[outer].node.start_position().row, 3);
        assert!(!scopes.names_at(outer, source.find("_ = c\n\t}").unwrap()));
        assert!(scopes.names_at(outer, source.rfind("_ = c").unwrap()));
    }

    #[test]
    fn the_ancestors_kept_for_a_use_are_its_parents() {
        // Uses at every depth: right under the function, in a select case, in arguments of a
        // deferred call and a goroutine, in a closure, in a range clause and a receive.
        let source = "package p\n\nfunc f(c chan int, n int) {\n\tdefer close(c)\n\tgo work(c, n)\n\tfor v := range c {\n\t\tselect {\n\t\tcase x := <-c:\n\t\t\t_ = x + v\n\t\tcase c <- n:\n\t\t}\n\t}\n\tfunc() { c <- <-c }()\n\t_ = len(c)\n}\n";
        let tree = parse(&mut go_parser(), source);
        let function = tree.root_node().named_child(1).expect("the function");
        let mut identifiers = Vec::new();
        let scopes = Scopes::resolve(function, source, &mut |node| {
            if kind_of(node) == "identifier" {
                identifiers.push(node);
            }
        });
        let mut uses = 0;
        for identifier in identifiers {
            let is_use =
                scopes.binding_of(identifier).is_some() && scopes.declared_by(identifier).is_none();
            uses += usize::from(is_use);
            let mut expected = Some(identifier);
            for level in 0..=KEPT_ANCESTORS + 3 {
                assert_eq!(
                    scopes.ancestor(identifier, level).map(|n| n.id()),
                    expected.map(|n| n.id()),
                    "{} at byte {}, level {level}",
                    text(identifier, source),
                    identifier.start_byte()
                );
                expected = expected.and_then(|n| n.parent());
            }
        }
        assert!(uses >= 10, "only {uses} uses: the test would prove little");
    }
}
