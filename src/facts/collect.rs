//! Builds `FunctionFacts` from a tree-sitter tree.
//!
//! Scope resolution is deliberately blunt: a channel is tracked only when its name is
//! declared exactly once in the whole function (closures and parameters included). Then every
//! identifier with that name inside the function is that channel, with no scope chain to walk,
//! and anything shadowed is simply not a candidate.

use super::*;
use crate::package::Package;
use crate::syntax::{
    self, Visit, call_arguments, callee_name, can_leave_function, descendants_outside_closures,
    loops_between, text,
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
    // Most functions make no channel of their own (only a closure inside them does): find the
    // channel declarations first and skip the rest of the work when there are none.
    let declarations = descendants_outside_closures(body, &mut |node| {
        matches!(node.kind(), "short_var_declaration" | "var_spec")
            && single_binding(node).is_some_and(|(_, value)| make_channel(value, source).is_some())
    });
    if declarations.is_empty() {
        return None;
    }
    let declared = declared_names(function, source);
    let imports = package.imports(file);
    let mut builder = Builder {
        package,
        file,
        source,
        body,
        declared,
        imports,
        goroutines: Vec::new(),
        goroutine_of_node: HashMap::new(),
    };
    builder.collect_goroutines();
    let exits = descendants_outside_closures(body, &mut |node| syntax::is_exit(node, source));
    let channels = builder.collect_channels(declarations);
    Some(FunctionFacts {
        file,
        function,
        body,
        channels,
        goroutines: builder.goroutines,
        exits,
        declarations: builder.declared,
    })
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
    fn collect_goroutines(&mut self) {
        let mut starts = Vec::new();
        syntax::visit(self.body, &mut |node| {
            if matches!(node.kind(), "go_statement" | "call_expression") {
                starts.push(node);
            }
            Visit::Descend
        });
        for node in starts {
            match node.kind() {
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
            .filter(|n| n.kind() == "call_expression")
        else {
            return;
        };
        let Some(function) = call.child_by_field_name("function") else {
            return;
        };
        let (kind, body, body_file) = if function.kind() == "func_literal" {
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
        if function.kind() != "selector_expression" {
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
        if literal.kind() != "func_literal" {
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
        let nested = syntax::ancestors_until(start, self.body).any(|n| n.kind() == "func_literal");
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
        match function.kind() {
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
                if operand.kind() == "identifier"
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

    fn collect_channels(&self, declarations: Vec<Node<'a>>) -> Vec<Channel<'a>> {
        declarations
            .into_iter()
            .filter_map(|declaration| self.channel(declaration))
            .collect()
    }

    fn channel(&self, declaration: Node<'a>) -> Option<Channel<'a>> {
        let (name_node, value) = single_binding(declaration)?;
        let name = text(name_node, self.source);
        if self.declared.get(name) != Some(&1) || name == "_" {
            return None;
        }
        let (make_call, channel_type, capacity) = make_channel(value, self.source)?;
        let statement = if declaration.kind() == "var_spec" {
            declaration
                .parent()
                .filter(|p| p.kind() == "var_declaration")?
        } else {
            declaration
        };
        let scope = statement
            .parent()
            .filter(|p| p.kind() == "statement_list")?;
        let mut channel = Channel {
            name: name.to_string(),
            declaration: statement,
            make_call,
            channel_type,
            capacity,
            scope,
            uses: Vec::new(),
        };
        self.collect_uses(&mut channel, name_node);
        Some(channel)
    }

    fn collect_uses(&self, channel: &mut Channel<'a>, name_node: Node<'a>) {
        let occurrences = identifiers_named(self.body, self.source, &channel.name);
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
        let closure = syntax::ancestors_until(node, self.body).find(|n| n.kind() == "func_literal");
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
                syntax::ancestors_until(node, callee_body).any(|n| n.kind() == "func_literal");
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
    if start.kind() == "go_statement" {
        let call = start.named_child(0)?;
        return call
            .child_by_field_name("function")
            .filter(|f| f.kind() == "func_literal");
    }
    call_arguments(start)
        .into_iter()
        .find(|a| a.kind() == "func_literal")
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
    match parent.kind() {
        "send_statement" if is_field("channel") => UseKind::Send {
            statement: parent,
            in_select: parent
                .parent()
                .is_some_and(|p| p.kind() == "communication_case"),
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
                    deferred: call.parent().is_some_and(|p| p.kind() == "defer_statement"),
                },
                Some("len" | "cap") => UseKind::Inspect,
                _ if call.parent().is_some_and(|p| p.kind() == "go_statement") => {
                    UseKind::GoArgument
                }
                _ => UseKind::Escape("it is passed to a function"),
            }
        }
        "expression_list" => {
            let holder = parent.parent();
            match holder.map(|h| h.kind()) {
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
        let Some(list) = current.parent().filter(|p| p.kind() == "statement_list") else {
            return false;
        };
        let mut cursor = list.walk();
        let following: Vec<Node> = list
            .named_children(&mut cursor)
            .filter(|sibling| sibling.start_byte() > current.start_byte())
            .filter(|sibling| sibling.kind() != "comment" && sibling.kind() != "empty_statement")
            .collect();
        match following.first() {
            // `c <- v; return`: the goroutine ends here, whatever follows the enclosing block.
            Some(next)
                if next.kind() == "return_statement" && text(*next, source).trim() == "return" =>
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
        current = match holder.kind() {
            "block" => {
                let Some(owner) = holder.parent() else {
                    return false;
                };
                match owner.kind() {
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
    while let Some(parent) = node.parent().filter(|p| p.kind() == "if_statement") {
        node = parent;
    }
    node
}

fn select_case_of<'a>(receive: Node<'a>, source: &str) -> Option<SelectCase<'a>> {
    let mut holder = receive.parent()?;
    if holder.kind() == "receive_statement" {
        holder = holder.parent()?;
    }
    if holder.kind() != "communication_case" {
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
        .filter(|case| matches!(case.kind(), "communication_case" | "default_case"))
        .filter(|case| case.id() != holder.id())
        .collect();
    Some(SelectCase {
        select,
        other_cases: others.len(),
        has_default: others.iter().any(|case| case.kind() == "default_case"),
        other_case_leaves: others.iter().any(|case| can_leave_function(*case, source)),
    })
}

/// `c := make(...)` / `var c = make(...)` / `var c chan T = make(...)`: the one name and value.
fn single_binding(declaration: Node) -> Option<(Node, Node)> {
    match declaration.kind() {
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
    if value.kind() != "call_expression" || callee_name(value, source) != Some("make") {
        return None;
    }
    let arguments = call_arguments(value);
    let channel_type = *arguments.first()?;
    // Only bidirectional channels: a send-only or receive-only `make` is useless and odd.
    if channel_type.kind() != "channel_type"
        || !text(channel_type, source).starts_with("chan")
        || text(channel_type, source).starts_with("chan<-")
    {
        return None;
    }
    let capacity = match arguments.get(1) {
        None => Capacity::Unbuffered { zero: None },
        Some(size) if size.kind() == "int_literal" && text(*size, source) == "0" => {
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
    let mut add = |node: Node<'a>| {
        if node.kind() == "identifier" {
            *counts.entry(text(node, source)).or_default() += 1;
        }
    };
    syntax::visit(function, &mut |node| {
        match node.kind() {
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
        Visit::Descend
    });
    counts
}

fn has_define_token(node: Node) -> bool {
    let mut cursor = node.walk();

    node.children(&mut cursor).any(|child| child.kind() == ":=")
}

/// Every `identifier` node under `root` spelled `name`.
fn identifiers_named<'a>(root: Node<'a>, source: &str, name: &str) -> Vec<Node<'a>> {
    let mut found = Vec::new();
    syntax::visit(root, &mut |node| {
        if node.kind() == "identifier" && text(node, source) == name {
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
        match declaration.kind() {
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
