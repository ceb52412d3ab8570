//! Builds `FunctionFacts` from a tree-sitter tree.
//!
//! Scope resolution is deliberately blunt: a channel is tracked only when its name is
//! declared exactly once in the whole function (closures and parameters included). Then every
//! identifier with that name inside the function is that channel, with no scope chain to walk,
//! and anything shadowed is simply not a candidate.

use super::*;
use crate::package::Package;
use crate::prefilter;
use crate::syntax::{
    self, Visit, call_arguments, callee_name, can_leave_function, kind_of, loops_between, text,
};
use std::collections::{HashMap, HashSet};

/// Facts for one function-like node: a top-level function or method, or a func literal
/// (its channels are its own; the enclosing function's analysis does not see them).
pub fn function_facts<'a>(
    package: &Package<'a>,
    file: FileId,
    function: Node<'a>,
) -> Option<FunctionFacts<'a>> {
    let source = package.source(file);
    let body = function.child_by_field_name("body")?;
    // Never reason about code that did not parse: its shape is a guess. That holds for a
    // closure inside a function that did not parse, too: what it captures and who receives
    // from its channels are part of the broken shape.
    let broken =
        |node: &Node| node.is_error() || (syntax::is_function_like(*node) && node.has_error());
    if std::iter::successors(Some(function), Node::parent).any(|node| broken(&node)) {
        return None;
    }
    // Many functions that mention `make(chan` declare no channel of their own (they store it in
    // a field, return it, or only a closure inside them declares one): find the declarations
    // first, from the text, and skip the walk when there are none.
    let declarations = channel_declarations(function, source);
    if declarations.is_empty() {
        return None;
    }
    let scan = Scan::new(function, body, source);
    let imports = package.imports(file);
    let mut builder = Builder {
        package,
        file,
        source,
        body,
        declared: scan.declared,
        imports,
        goroutines: Vec::new(),
        goroutine_of_node: HashMap::new(),
    };
    builder.collect_goroutines(scan.starts);
    let channels = builder.collect_channels(declarations, &scan.identifiers);
    Some(FunctionFacts {
        file,
        function,
        body,
        channels,
        goroutines: builder.goroutines,
        exits: scan.exits,
        declarations: builder.declared,
    })
}

/// `c := make(chan T)` and `var c = make(chan T)` in `function` itself (not in its closures),
/// in order. Each is found from a `make` the prefilter points at, by climbing from its token:
/// `make` -> call -> expression list -> declaration.
fn channel_declarations<'a>(function: Node<'a>, source: &'a str) -> Vec<Node<'a>> {
    let offset = function.start_byte();
    prefilter::channel_make_sites(&source.as_bytes()[function.byte_range()])
        .filter_map(|at| {
            let at = offset + at;
            let make = function.descendant_for_byte_range(at, at + "make".len())?;
            let call = make.parent().filter(|call| {
                kind_of(call) == "call_expression"
                    && call
                        .child_by_field_name("function")
                        .is_some_and(|callee| callee.id() == make.id())
            })?;
            let list = call.parent().filter(|p| kind_of(p) == "expression_list")?;
            let declaration = list.parent()?;
            let field = match kind_of(declaration) {
                "short_var_declaration" => "right",
                "var_spec" => "value",
                _ => return None,
            };
            if declaration.child_by_field_name(field)?.id() != list.id()
                || syntax::ancestors_until(declaration, function)
                    .any(|n| kind_of(n) == "func_literal")
            {
                return None;
            }
            let (_, value) = single_binding(declaration)?;
            (value.id() == call.id() && make_channel(value, source).is_some())
                .then_some(declaration)
        })
        .collect()
}

/// What the facts need from the function's nodes, gathered in one walk (walking a tree is
/// the costly part of the analysis).
struct Scan<'a> {
    /// How many times each name is declared anywhere in the function (see `declared_names`).
    declared: HashMap<&'a str, usize>,
    /// `go` statements and call expressions (a `group.Go(...)` may be one) in the body,
    /// closures included, in order.
    starts: Vec<Node<'a>>,
    /// The exits of the body (see `syntax::is_exit`), not counting closures.
    exits: Vec<Node<'a>>,
    /// Every identifier in the body, closures included, in order.
    identifiers: Vec<Node<'a>>,
}

impl<'a> Scan<'a> {
    fn new(function: Node<'a>, body: Node<'a>, source: &'a str) -> Self {
        let mut scan = Scan {
            declared: HashMap::new(),
            starts: Vec::new(),
            exits: Vec::new(),
            identifiers: Vec::new(),
        };
        // The ends of the func literals the walk is inside; nodes come in document order, so
        // a node starting at or after the innermost end has left that literal.
        let mut closure_ends: Vec<usize> = Vec::new();
        syntax::visit(function, &mut |node| {
            count_declared(node, source, &mut scan.declared);
            let start = node.start_byte();
            if start < body.start_byte() {
                return Visit::Descend;
            }
            while closure_ends.last().is_some_and(|&end| start >= end) {
                closure_ends.pop();
            }
            match kind_of(node) {
                "identifier" => scan.identifiers.push(node),
                "go_statement" | "call_expression" => scan.starts.push(node),
                "func_literal" => closure_ends.push(node.end_byte()),
                _ => {}
            }
            if closure_ends.is_empty() && syntax::is_exit(node, source) {
                scan.exits.push(node);
            }
            Visit::Descend
        });
        scan
    }
}

struct Builder<'p, 'a> {
    package: &'p Package<'a>,
    file: FileId,
    source: &'a str,
    body: Node<'a>,
    declared: HashMap<&'a str, usize>,
    imports: &'p HashSet<&'a str>,
    goroutines: Vec<Goroutine<'a>>,
    /// `go` statements and goroutine func literals, by node id.
    goroutine_of_node: HashMap<usize, GoroutineId>,
}

impl<'a> Builder<'_, 'a> {
    /// The goroutines among `starts` (see `Scan`).
    fn collect_goroutines(&mut self, starts: Vec<Node<'a>>) {
        for node in starts {
            match kind_of(node) {
                "go_statement" => self.add_go_statement(node),
                _ => self.add_group_go(node),
            }
        }
        self.goroutines
            .sort_by_key(|goroutine| goroutine.start.start_byte());
        self.goroutine_of_node.clear();
        for (id, goroutine) in self.goroutines.iter().enumerate() {
            self.goroutine_of_node.insert(goroutine.start.id(), id);
            if let Some(literal) = goroutine_literal(goroutine.start) {
                self.goroutine_of_node.insert(literal.id(), id);
            }
        }
    }

    fn add_go_statement(&mut self, statement: Node<'a>) {
        let Some(call) = statement
            .named_child(0)
            .filter(|n| kind_of(n) == "call_expression")
        else {
            return;
        };
        let Some(function) = call.child_by_field_name("function") else {
            return;
        };
        let (kind, body, body_file) = if kind_of(function) == "func_literal" {
            (
                GoroutineKind::Closure,
                function.child_by_field_name("body"),
                self.file,
            )
        } else {
            match self.resolve_callee(function) {
                Some(callee) => (
                    GoroutineKind::Call,
                    callee.node.child_by_field_name("body"),
                    callee.file,
                ),
                None => (GoroutineKind::Call, None, self.file),
            }
        };
        self.push_goroutine(statement, kind, body, body_file);
    }

    /// `wg.Go(func() { ... })` (Go 1.25) and errgroup's `g.Go(func() error { ... })`.
    fn add_group_go(&mut self, call: Node<'a>) {
        let Some(function) = call.child_by_field_name("function") else {
            return;
        };
        if kind_of(function) != "selector_expression" {
            return;
        }
        let Some(field) = function.child_by_field_name("field") else {
            return;
        };
        if text(field, self.source) != "Go" {
            return;
        }
        let arguments = call_arguments(call);
        let [literal] = arguments.as_slice() else {
            return;
        };
        if kind_of(literal) != "func_literal" {
            return;
        }
        let Some(group) = function.child_by_field_name("operand") else {
            return;
        };
        let kind = GoroutineKind::Group {
            group: text(group, self.source).to_string(),
        };
        self.push_goroutine(call, kind, literal.child_by_field_name("body"), self.file);
    }

    fn push_goroutine(
        &mut self,
        start: Node<'a>,
        kind: GoroutineKind,
        body: Option<Node<'a>>,
        body_file: FileId,
    ) {
        let nested =
            syntax::ancestors_until(start, self.body).any(|n| kind_of(n) == "func_literal");
        self.goroutines.push(Goroutine {
            start,
            kind,
            body,
            body_file,
            loops: loops_between(start, self.body),
            nested,
        });
    }

    /// `worker` or `p.work` to the function or method of this package it names.
    fn resolve_callee(&self, function: Node<'a>) -> Option<crate::package::FunctionRef<'a>> {
        match kind_of(function) {
            "identifier" => {
                let name = text(function, self.source);
                // A local variable holding a func value shadows the package function.
                if self.declared.contains_key(name) {
                    return None;
                }
                self.package.function(name)
            }
            "selector_expression" => {
                let operand = function.child_by_field_name("operand")?;
                if kind_of(operand) == "identifier"
                    && self.imports.contains(text(operand, self.source))
                {
                    return None;
                }
                let field = function.child_by_field_name("field")?;
                self.package.method(text(field, self.source))
            }
            _ => None,
        }
    }

    fn collect_channels(
        &self,
        declarations: Vec<Node<'a>>,
        identifiers: &[Node<'a>],
    ) -> Vec<Channel<'a>> {
        declarations
            .into_iter()
            .filter_map(|declaration| self.channel(declaration, identifiers))
            .collect()
    }

    fn channel(&self, declaration: Node<'a>, identifiers: &[Node<'a>]) -> Option<Channel<'a>> {
        let (name_node, value) = single_binding(declaration)?;
        let name = text(name_node, self.source);
        if self.declared.get(name) != Some(&1) || name == "_" {
            return None;
        }
        let (make_call, channel_type, capacity) = make_channel(value, self.source)?;
        let statement = if kind_of(declaration) == "var_spec" {
            declaration
                .parent()
                .filter(|p| kind_of(p) == "var_declaration")?
        } else {
            declaration
        };
        let scope = statement
            .parent()
            .filter(|p| kind_of(p) == "statement_list")?;
        let mut channel = Channel {
            name: name.to_string(),
            declaration: statement,
            make_call,
            channel_type,
            capacity,
            scope,
            uses: Vec::new(),
        };
        self.collect_uses(&mut channel, name_node, identifiers);
        Some(channel)
    }

    /// `identifiers`: every identifier in the body (see `Scan`).
    fn collect_uses(
        &self,
        channel: &mut Channel<'a>,
        name_node: Node<'a>,
        identifiers: &[Node<'a>],
    ) {
        let occurrences: Vec<Node<'a>> = identifiers
            .iter()
            .copied()
            .filter(|node| text(*node, self.source) == channel.name)
            .collect();
        for node in occurrences {
            if node.id() == name_node.id() {
                continue;
            }
            let (context, root) = match self.context_of(node) {
                Ok(found) => found,
                Err(reason) => {
                    channel.uses.push(self.use_at(
                        node,
                        UseKind::Escape(reason),
                        Context::Parent,
                        self.body,
                    ));
                    continue;
                }
            };
            let kind = classify(node, self.source, root);
            if let UseKind::GoArgument = kind {
                self.follow_into_callee(channel, node, context, root);
                continue;
            }
            channel.uses.push(self.use_at(node, kind, context, root));
        }
    }

    fn use_at(
        &self,
        node: Node<'a>,
        kind: UseKind<'a>,
        context: Context,
        root: Node<'a>,
    ) -> ChannelUse<'a> {
        ChannelUse {
            kind,
            node,
            file: self.file,
            context,
            loops: loops_between(node, root),
        }
    }

    /// Which goroutine `node` runs in, and the body that goroutine runs.
    fn context_of(&self, node: Node<'a>) -> Result<(Context, Node<'a>), &'static str> {
        let closure =
            syntax::ancestors_until(node, self.body).find(|n| kind_of(n) == "func_literal");
        let Some(closure) = closure else {
            return Ok((Context::Parent, self.body));
        };
        let Some(&id) = self.goroutine_of_node.get(&closure.id()) else {
            return Err("it is used in a closure that may run at any time");
        };
        let root = closure.child_by_field_name("body").unwrap_or(closure);
        Ok((Context::Goroutine(id), root))
    }

    /// `go worker(i, c)`: record what `worker` does with its parameter as uses in that goroutine.
    fn follow_into_callee(
        &self,
        channel: &mut Channel<'a>,
        argument: Node<'a>,
        context: Context,
        root: Node<'a>,
    ) {
        let escape = |reason| self.use_at(argument, UseKind::Escape(reason), context, root);
        let Some(statement) = argument
            .parent()
            .and_then(|list| list.parent())
            .and_then(|call| call.parent())
        else {
            return;
        };
        let Some(&id) = self.goroutine_of_node.get(&statement.id()) else {
            channel
                .uses
                .push(escape("it is passed to a goroutine we cannot follow"));
            return;
        };
        let goroutine = &self.goroutines[id];
        let Some(callee_body) = goroutine.body else {
            channel.uses.push(escape(
                "it is passed to a function this package does not define",
            ));
            return;
        };
        let callee = callee_body.parent().expect("a body has a function");
        let callee_source = self.package.source(goroutine.body_file);
        let Some(index) = argument_index(argument) else {
            channel
                .uses
                .push(escape("it is passed in an argument we cannot map"));
            return;
        };
        let Some(parameter) = parameter_name(callee, callee_source, index) else {
            channel
                .uses
                .push(escape("it is passed to a variadic or mismatched parameter"));
            return;
        };
        if parameter == "_" {
            return;
        }
        if declared_names(callee, callee_source).get(parameter) != Some(&1) {
            channel
                .uses
                .push(escape("the goroutine's function shadows its parameter"));
            return;
        }
        channel
            .uses
            .push(self.use_at(argument, UseKind::GoArgument, context, root));
        for node in identifiers_named(callee_body, callee_source, parameter) {
            let in_closure =
                syntax::ancestors_until(node, callee_body).any(|n| kind_of(n) == "func_literal");
            let mut kind = if in_closure {
                UseKind::Escape("the goroutine's function uses it in a closure")
            } else {
                classify(node, callee_source, callee_body)
            };
            if let UseKind::GoArgument = kind {
                kind =
                    UseKind::Escape("the goroutine's function passes it on to another goroutine");
            }
            channel.uses.push(ChannelUse {
                kind,
                node,
                file: goroutine.body_file,
                context: Context::Goroutine(id),
                loops: loops_between(node, callee_body),
            });
        }
    }
}

/// The func literal a goroutine runs, if it is one.
fn goroutine_literal(start: Node) -> Option<Node> {
    if kind_of(start) == "go_statement" {
        let call = start.named_child(0)?;
        return call
            .child_by_field_name("function")
            .filter(|f| kind_of(f) == "func_literal");
    }
    call_arguments(start)
        .into_iter()
        .find(|a| kind_of(a) == "func_literal")
}

/// What one occurrence of a channel's name does with the channel.
fn classify<'a>(node: Node<'a>, source: &str, root: Node<'a>) -> UseKind<'a> {
    let Some(parent) = node.parent() else {
        return UseKind::Escape("it is used as a value");
    };
    let is_field = |field: &str| {
        parent
            .child_by_field_name(field)
            .is_some_and(|child| child.id() == node.id())
    };
    match kind_of(parent) {
        "send_statement" if is_field("channel") => UseKind::Send {
            statement: parent,
            in_select: parent
                .parent()
                .is_some_and(|p| kind_of(p) == "communication_case"),
            tail: is_tail(parent, root, source),
        },
        "unary_expression"
            if parent
                .child_by_field_name("operator")
                .is_some_and(|op| text(op, source) == "<-") =>
        {
            UseKind::Receive {
                select: select_case_of(parent, source),
            }
        }
        "range_clause" if is_field("right") => match parent.parent() {
            Some(for_statement) => UseKind::Range { for_statement },
            None => UseKind::Escape("it is used as a value"),
        },
        "argument_list" => {
            let Some(call) = parent.parent() else {
                return UseKind::Escape("it is used as a value");
            };
            match callee_name(call, source) {
                Some("close") => UseKind::Close {
                    deferred: call
                        .parent()
                        .is_some_and(|p| kind_of(p) == "defer_statement"),
                },
                Some("len" | "cap") => UseKind::Inspect,
                _ if call.parent().is_some_and(|p| kind_of(p) == "go_statement") => {
                    UseKind::GoArgument
                }
                _ => UseKind::Escape("it is passed to a function"),
            }
        }
        "expression_list" => {
            let holder = parent.parent();
            match holder.map(kind_of) {
                Some("assignment_statement")
                    if holder
                        .and_then(|h| h.child_by_field_name("left"))
                        .is_some_and(|left| left.id() == parent.id()) =>
                {
                    UseKind::Reassign
                }
                Some("return_statement") => UseKind::Escape("it is returned"),
                _ => UseKind::Escape("it is stored in another variable"),
            }
        }
        _ => UseKind::Escape("it is used as a value"),
    }
}

/// Whether `statement` is the last thing that runs in `root` whenever it runs: nothing but a
/// bare `return` follows it in its block, and every enclosing `if`/`switch`/`select` up to
/// `root` is itself in tail position. A loop on the way makes it not a tail.
fn is_tail(statement: Node, root: Node, source: &str) -> bool {
    let mut current = statement;
    loop {
        let Some(list) = current.parent().filter(|p| kind_of(p) == "statement_list") else {
            return false;
        };
        let mut cursor = list.walk();
        let following: Vec<Node> = list
            .named_children(&mut cursor)
            .filter(|sibling| sibling.start_byte() > current.start_byte())
            .filter(|sibling| {
                kind_of(sibling) != "comment" && kind_of(sibling) != "empty_statement"
            })
            .collect();
        match following.first() {
            // `c <- v; return`: the goroutine ends here, whatever follows the enclosing block.
            Some(next)
                if kind_of(next) == "return_statement"
                    && text(*next, source).trim() == "return" =>
            {
                return true;
            }
            Some(_) => return false,
            None => {}
        }
        let Some(holder) = list.parent() else {
            return false;
        };
        if holder.id() == root.id() {
            return true;
        }
        current = match kind_of(holder) {
            "block" => {
                let Some(owner) = holder.parent() else {
                    return false;
                };
                match kind_of(owner) {
                    "if_statement" => outermost_if(owner),
                    "statement_list" => holder,
                    _ => return false,
                }
            }
            "expression_case" | "default_case" | "type_case" | "communication_case" => {
                match holder.parent() {
                    Some(switch) => switch,
                    None => return false,
                }
            }
            _ => return false,
        };
    }
}

/// `if a {} else if b {}`: the statement that holds the whole chain.
fn outermost_if(mut node: Node) -> Node {
    while let Some(parent) = node.parent().filter(|p| kind_of(p) == "if_statement") {
        node = parent;
    }
    node
}

fn select_case_of<'a>(receive: Node<'a>, source: &str) -> Option<SelectCase<'a>> {
    let mut holder = receive.parent()?;
    if kind_of(holder) == "receive_statement" {
        holder = holder.parent()?;
    }
    if kind_of(holder) != "communication_case" {
        return None;
    }
    let communication = holder.child_by_field_name("communication")?;
    if !syntax::contains(communication, receive) {
        return None;
    }
    let select = holder.parent()?;
    let mut cursor = select.walk();
    let others: Vec<Node> = select
        .named_children(&mut cursor)
        .filter(|case| matches!(kind_of(case), "communication_case" | "default_case"))
        .filter(|case| case.id() != holder.id())
        .collect();
    Some(SelectCase {
        select,
        other_cases: others.len(),
        has_default: others.iter().any(|case| kind_of(case) == "default_case"),
        other_case_leaves: others.iter().any(|case| can_leave_function(*case, source)),
    })
}

/// `c := make(...)` / `var c = make(...)` / `var c chan T = make(...)`: the one name and value.
fn single_binding(declaration: Node) -> Option<(Node, Node)> {
    match kind_of(declaration) {
        "short_var_declaration" => {
            let left = declaration.child_by_field_name("left")?;
            let right = declaration.child_by_field_name("right")?;
            if left.named_child_count() != 1 || right.named_child_count() != 1 {
                return None;
            }
            Some((left.named_child(0)?, right.named_child(0)?))
        }
        "var_spec" => {
            let mut cursor = declaration.walk();
            let names: Vec<Node> = declaration
                .children_by_field_name("name", &mut cursor)
                .collect();
            let value = declaration.child_by_field_name("value")?;
            if names.len() != 1 || value.named_child_count() != 1 {
                return None;
            }
            Some((names[0], value.named_child(0)?))
        }
        _ => None,
    }
}

/// `make(chan T)`, `make(chan T, 0)`, `make(chan T, n)`: the call, the type and the capacity.
fn make_channel<'a>(value: Node<'a>, source: &str) -> Option<(Node<'a>, Node<'a>, Capacity<'a>)> {
    if kind_of(value) != "call_expression" || callee_name(value, source) != Some("make") {
        return None;
    }
    let arguments = call_arguments(value);
    let channel_type = *arguments.first()?;
    // Only bidirectional channels: a send-only or receive-only `make` is useless and odd.
    if kind_of(channel_type) != "channel_type"
        || !text(channel_type, source).starts_with("chan")
        || text(channel_type, source).starts_with("chan<-")
    {
        return None;
    }
    let capacity = match arguments.get(1) {
        None => Capacity::Unbuffered { zero: None },
        Some(size) if kind_of(size) == "int_literal" && text(*size, source) == "0" => {
            Capacity::Unbuffered { zero: Some(*size) }
        }
        Some(size) => Capacity::Buffered(*size),
    };
    if arguments.len() > 2 {
        return None;
    }
    Some((value, channel_type, capacity))
}

/// How many times each name is declared anywhere in `function` (parameters, results, `:=`,
/// `var`, `const`, range and receive bindings, type-switch aliases), closures included.
fn declared_names<'a>(function: Node<'a>, source: &'a str) -> HashMap<&'a str, usize> {
    let mut counts: HashMap<&'a str, usize> = HashMap::new();
    syntax::visit(function, &mut |node| {
        count_declared(node, source, &mut counts);
        Visit::Descend
    });
    counts
}

/// Counts the names `node` itself declares (see `declared_names`).
fn count_declared<'a>(node: Node<'a>, source: &'a str, counts: &mut HashMap<&'a str, usize>) {
    let mut add = |node: Node<'a>| {
        if kind_of(node) == "identifier" {
            *counts.entry(text(node, source)).or_default() += 1;
        }
    };
    {
        match kind_of(node) {
            "parameter_declaration"
            | "variadic_parameter_declaration"
            | "var_spec"
            | "const_spec" => {
                let mut cursor = node.walk();
                for name in node.children_by_field_name("name", &mut cursor) {
                    add(name);
                }
            }
            "short_var_declaration" => {
                if let Some(left) = node.child_by_field_name("left") {
                    let mut cursor = left.walk();
                    for name in left.named_children(&mut cursor) {
                        add(name);
                    }
                }
            }
            "range_clause" | "receive_statement" if has_define_token(node) => {
                if let Some(left) = node.child_by_field_name("left") {
                    let mut cursor = left.walk();
                    for name in left.named_children(&mut cursor) {
                        add(name);
                    }
                }
            }
            "type_switch_statement" => {
                if let Some(alias) = node.child_by_field_name("alias") {
                    let mut cursor = alias.walk();
                    for name in alias.named_children(&mut cursor) {
                        add(name);
                    }
                }
            }
            _ => {}
        }
    }
}

fn has_define_token(node: Node) -> bool {
    let mut cursor = node.walk();

    node.children(&mut cursor)
        .any(|child| kind_of(child) == ":=")
}

/// Every `identifier` node under `root` spelled `name`.
fn identifiers_named<'a>(root: Node<'a>, source: &str, name: &str) -> Vec<Node<'a>> {
    let mut found = Vec::new();
    syntax::visit(root, &mut |node| {
        if kind_of(node) == "identifier" && text(node, source) == name {
            found.push(node);
        }
        Visit::Descend
    });
    found
}

/// The position of `argument` in its call's argument list.
fn argument_index(argument: Node) -> Option<usize> {
    let call = argument.parent()?.parent()?;
    call_arguments(call)
        .iter()
        .position(|a| a.id() == argument.id())
}

/// The name of the `index`-th parameter of `function` (`func f(a, b chan int)` counts `a`, `b`).
fn parameter_name<'a>(function: Node, source: &'a str, index: usize) -> Option<&'a str> {
    let parameters = function.child_by_field_name("parameters")?;
    let mut names = Vec::new();
    let mut cursor = parameters.walk();
    for declaration in parameters.named_children(&mut cursor) {
        match kind_of(declaration) {
            "parameter_declaration" => {
                let mut inner = declaration.walk();
                let declared: Vec<&str> = declaration
                    .children_by_field_name("name", &mut inner)
                    .map(|name| text(name, source))
                    .collect();
                // An unnamed parameter (`func f(chan int)`) still takes a position.
                if declared.is_empty() {
                    names.push("_");
                }
                names.extend(declared);
            }
            // Arguments from here on land in the variadic slice: not followed.
            "variadic_parameter_declaration" => return names.get(index).copied(),
            _ => {}
        }
    }
    names.get(index).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::ParsedFile;
    use crate::source::SourceFile;
    use crate::syntax::{go_parser, parse};

    /// The channels `function_facts` tracks in each function of `body`, in order.
    fn channels_per_function(body: &str) -> Vec<(String, Vec<String>)> {
        let text = format!("package p\n\n{body}");
        let tree = parse(&mut go_parser(), &text);
        let source = SourceFile::new("p.go".into(), "p.go".into(), text.clone());
        let files = [ParsedFile { source, tree }];
        let package = Package::new(&files);
        let mut functions = Vec::new();
        syntax::visit(files[0].tree.root_node(), &mut |node| {
            if syntax::is_function_like(node) {
                functions.push(node);
            }
            Visit::Descend
        });
        functions
            .into_iter()
            .filter_map(|function| {
                let facts = function_facts(&package, 0, function)?;
                let first_line = text[function.byte_range()].lines().next()?.to_string();
                let names = facts.channels.iter().map(|c| c.name.clone()).collect();
                Some((first_line, names))
            })
            .collect()
    }

    #[test]
    fn a_channel_belongs_to_the_function_that_declares_it() {
        let found = channels_per_function(
            "func f() {\n\ta := make(chan int)\n\tvar b = make(chan int, 1)\n\tvar c chan int = make(chan int)\n\tgo func() {\n\t\td := make(chan int)\n\t\t_ = d\n\t}()\n\t_, _, _ = a, b, c\n}\n",
        );
        assert_eq!(
            found,
            [
                (
                    "func f() {".to_string(),
                    vec!["a".into(), "b".into(), "c".into()]
                ),
                ("func() {".to_string(), vec!["d".into()]),
            ]
        );
    }

    #[test]
    fn only_single_bindings_of_a_bidirectional_make_are_channels() {
        let found = channels_per_function(
            "type s struct{ c chan int }\n\nfunc g(x *s) chan int {\n\tx.c = make(chan int)\n\ta, b := make(chan int), 1\n\tvar e = make(<-chan int)\n\tf := make( /* why */ chan int)\n\t_, _, _ = a, b, e\n\t_ = f\n\treturn make(chan int)\n}\n",
        );
        assert_eq!(
            found,
            [("func g(x *s) chan int {".to_string(), vec!["f".into()])]
        );
    }
}
