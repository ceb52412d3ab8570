//! Builds `FunctionFacts` from a tree-sitter tree.
//!
//! Names are resolved by lexical scope (see `scope`): a channel is the binding its `make`
//! initialises, and its uses are the identifiers that name that binding, wherever the same
//! name is declared again (sibling blocks, closure parameters, a later unrelated variable).
//!
//! The forms of a channel made in the function:
//!
//! ```go
//! c := make(chan T)                       // short declaration
//! a, b := make(chan X), make(chan Y)      // each name with its own make
//! var c = make(chan T)                    // var, also in a `var ( ... )` block
//! var c chan T                            // declared, then made by one assignment in the
//! c = make(chan T)                        //   same block, before any other use
//! ```
//!
//! A variable assigned a channel more than once holds several channels in turn: the second
//! assignment is a use the analysis cannot follow (`UseKind::Reassign`), so no codemod
//! reasons about it.

use super::nesting::Nesting;
use super::scope::{BindingId, Scopes};
use super::summaries::{CalleeView, CalleeWait, GoroutineParameter, ParameterUse};
use super::*;
use crate::package::{FunctionRef, Package};
use crate::prefilter;
use crate::syntax::{self, call_arguments, callee_name, can_leave_function, kind_of, text};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Facts for one function-like node: a top-level function or method, or a func literal
/// (its channels are its own; the enclosing function's analysis does not see them).
pub fn function_facts<'a>(
    package: &Package<'a>,
    file: FileId,
    function: Node<'a>,
) -> Option<FunctionFacts<'a>> {
    let source = package.source(file);
    let body = function.child_by_field_id(syntax::field::BODY.id())?;
    // Never reason about code that did not parse: its shape is a guess. That holds for a
    // closure inside a function that did not parse, too: what it captures and who receives
    // from its channels are part of the broken shape.
    let root = package.files[file].tree.root_node();
    if broken_region(root, function).is_some() {
        return None;
    }
    // Many functions that mention `make(chan` declare no channel of their own (they store it in
    // a field, return it, or only a closure inside them declares one): find the declarations
    // first, from the text, and skip the walk when there are none.
    let sites = make_sites(function, source);
    if sites.is_empty() {
        return None;
    }
    let scan = Scan::new(function, body, source);
    let imports = package.imports(file);
    let mut builder = Builder {
        nesting: scan.nesting,
        package,
        file,
        source,
        body,
        declared: scan.scopes.declaration_counts(),
        imports,
        goroutines: Vec::new(),
        goroutine_of_node: HashMap::new(),
        flows: Flows::default(),
    };
    builder.collect_goroutines(scan.starts);
    let channels = builder.collect_channels(sites, &scan.scopes);
    // The body's flow: the one a send in it needed, or built now.
    let flow = builder
        .flows
        .built
        .into_inner()
        .remove(&body.id())
        .and_then(|flow| std::rc::Rc::try_unwrap(flow).ok())
        .unwrap_or_else(|| Flow::build(body, source));
    Some(FunctionFacts {
        file,
        function,
        body,
        channels,
        goroutines: builder.goroutines,
        exits: scan.exits,
        declarations: builder.declared,
        scopes: scan.scopes,
        flow,
        channel_of_binding: Default::default(),
    })
}

/// The outermost part of the tree around `function` (the function itself, an enclosing
/// function, or an ERROR node) that did not parse, if any: code in it is never analysed.
/// Found by one descent from `root`, so a deeply nested function costs its depth once.
pub fn broken_region<'a>(root: Node<'a>, function: Node<'a>) -> Option<Node<'a>> {
    let broken =
        |node: &Node| node.is_error() || (syntax::is_function_like(*node) && node.has_error());
    let ancestors: Vec<Node<'a>> = syntax::ancestors_until(function, root).collect();
    std::iter::once(function).chain(ancestors).rfind(broken)
}

/// A `make(chan ...)` that `function` itself runs, and the variable it initialises.
struct MakeSite<'a> {
    call: Node<'a>,
    /// The identifier on the left that receives the channel.
    target: Node<'a>,
    /// The statement: `short_var_declaration`, `var_declaration` or `assignment_statement`.
    statement: Node<'a>,
    /// Made by `=` into a variable declared earlier, rather than by its declaration.
    assigned: bool,
}

/// The channel makes of `function` itself (not of its closures), in order. Each is found from
/// a `make` the prefilter points at, by climbing from its token: `make` -> call -> expression
/// list -> declaration or assignment, whose left side at the same position names the channel.
fn make_sites<'a>(function: Node<'a>, source: &'a str) -> Vec<MakeSite<'a>> {
    let offset = function.start_byte();
    prefilter::channel_make_sites(&source.as_bytes()[function.byte_range()])
        .filter_map(|at| {
            let at = offset + at;
            let make = function.descendant_for_byte_range(at, at + "make".len())?;
            let call = make.parent().filter(|call| {
                kind_of(call) == "call_expression"
                    && call
                        .child_by_field_id(syntax::field::FUNCTION.id())
                        .is_some_and(|callee| callee.id() == make.id())
            })?;
            make_channel(call, source)?;
            let list = call.parent().filter(|p| kind_of(p) == "expression_list")?;
            let holder = list.parent()?;
            let (values, targets, statement, assigned) = match kind_of(holder) {
                "short_var_declaration" => (
                    holder.child_by_field_id(syntax::field::RIGHT.id())?,
                    named_children(holder.child_by_field_id(syntax::field::LEFT.id())?),
                    holder,
                    false,
                ),
                "var_spec" => {
                    let names = holder
                        .children_by_field_name("name", &mut holder.walk())
                        .collect();
                    (
                        holder.child_by_field_id(syntax::field::VALUE.id())?,
                        names,
                        var_declaration_of(holder)?,
                        false,
                    )
                }
                "assignment_statement"
                    if holder
                        .child_by_field_id(syntax::field::OPERATOR.id())
                        .is_some_and(|op| text(op, source) == "=") =>
                {
                    (
                        holder.child_by_field_id(syntax::field::RIGHT.id())?,
                        named_children(holder.child_by_field_id(syntax::field::LEFT.id())?),
                        holder,
                        true,
                    )
                }
                _ => return None,
            };
            if values.id() != list.id()
                || syntax::ancestors_until(holder, function).any(|n| kind_of(n) == "func_literal")
            {
                return None;
            }
            let values = named_children(values);
            // `a, b := make(chan X), make(chan Y)`: names and values pair up by position;
            // `a, b := f()` has no make of its own for each name.
            if values.len() != targets.len() {
                return None;
            }
            let index = values.iter().position(|value| value.id() == call.id())?;
            let target = targets[index];
            (kind_of(target) == "identifier").then_some(MakeSite {
                call,
                target,
                statement,
                assigned,
            })
        })
        .collect()
}

/// The `var` statement holding `spec`, directly or in a `var ( ... )` list.
fn var_declaration_of(spec: Node) -> Option<Node> {
    let parent = spec.parent()?;
    if kind_of(parent) == "var_spec_list" {
        return parent.parent();
    }
    Some(parent)
}

/// The named children of `node`, comments left out.
fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| kind_of(child) != "comment")
        .collect()
}

/// What the facts need from the function's nodes, gathered in one walk (walking a tree is
/// the costly part of the analysis).
struct Scan<'a> {
    /// Every binding of the function and the identifiers that name each.
    scopes: Scopes<'a>,
    /// `go` statements and call expressions (a `group.Go(...)` may be one) in the body,
    /// closures included, in order.
    starts: Vec<Node<'a>>,
    /// The exits of the body (see `syntax::is_exit`), not counting closures.
    exits: Vec<Node<'a>>,
    nesting: Nesting<'a>,
}

impl<'a> Scan<'a> {
    fn new(function: Node<'a>, body: Node<'a>, source: &'a str) -> Self {
        let mut starts = Vec::new();
        let mut exits = Vec::new();
        // The ends of the func literals the walk is inside; nodes come in document order, so
        // a node starting at or after the innermost end has left that literal.
        let mut closure_ends: Vec<usize> = Vec::new();
        let mut nesting = Nesting::default();
        let scopes = Scopes::resolve(function, source, &mut |node| {
            nesting.enter(node);
            let start = node.start_byte();
            if start < body.start_byte() {
                return;
            }
            while closure_ends.last().is_some_and(|&end| start >= end) {
                closure_ends.pop();
            }
            match kind_of(node) {
                "go_statement" | "call_expression" => starts.push(node),
                "func_literal" => closure_ends.push(node.end_byte()),
                _ => {}
            }
            if closure_ends.is_empty() && syntax::is_exit(node, source) {
                exits.push(node);
            }
        });
        Scan {
            scopes,
            starts,
            exits,
            nesting,
        }
    }
}

struct Builder<'p, 'a> {
    /// The closures and loops around each identifier and goroutine start of the function.
    nesting: Nesting<'a>,
    package: &'p Package<'a>,
    file: FileId,
    source: &'a str,
    body: Node<'a>,
    declared: HashMap<&'a str, usize>,
    imports: &'p HashSet<&'a str>,
    goroutines: Vec<Goroutine<'a>>,
    /// `go` statements and goroutine func literals, by node id.
    goroutine_of_node: HashMap<usize, GoroutineId>,
    /// The flow of each body a send was found in (the function's, a goroutine's), built once.
    flows: Flows<'a>,
}

/// Control-flow views of bodies, built on first use and kept: every send of every channel in
/// one body asks the same flow whether it is the last act.
#[derive(Default)]
pub(super) struct Flows<'a> {
    built: std::cell::RefCell<HashMap<usize, std::rc::Rc<Flow<'a>>>>,
}

impl<'a> Flows<'a> {
    fn of(&self, body: Node<'a>, source: &'a str) -> std::rc::Rc<Flow<'a>> {
        self.built
            .borrow_mut()
            .entry(body.id())
            .or_insert_with(|| std::rc::Rc::new(Flow::build(body, source)))
            .clone()
    }
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
        let Some(function) = call.child_by_field_id(syntax::field::FUNCTION.id()) else {
            return;
        };
        let (kind, body, body_file) = if kind_of(function) == "func_literal" {
            (
                GoroutineKind::Closure,
                function.child_by_field_id(syntax::field::BODY.id()),
                self.file,
            )
        } else {
            match self.resolve_callee(function) {
                Some(callee) => (
                    GoroutineKind::Call,
                    callee.node.child_by_field_id(syntax::field::BODY.id()),
                    callee.file,
                ),
                None => (GoroutineKind::Call, None, self.file),
            }
        };
        self.push_goroutine(statement, kind, body, body_file);
    }

    /// `wg.Go(func() { ... })` (Go 1.25) and errgroup's `g.Go(func() error { ... })`.
    fn add_group_go(&mut self, call: Node<'a>) {
        let Some(function) = call.child_by_field_id(syntax::field::FUNCTION.id()) else {
            return;
        };
        if kind_of(function) != "selector_expression" {
            return;
        }
        let Some(field) = function.child_by_field_id(syntax::field::FIELD.id()) else {
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
        let Some(group) = function.child_by_field_id(syntax::field::OPERAND.id()) else {
            return;
        };
        let kind = GoroutineKind::Group {
            group: text(group, self.source).to_string(),
        };
        self.push_goroutine(
            call,
            kind,
            literal.child_by_field_id(syntax::field::BODY.id()),
            self.file,
        );
    }

    fn push_goroutine(
        &mut self,
        start: Node<'a>,
        kind: GoroutineKind,
        body: Option<Node<'a>>,
        body_file: FileId,
    ) {
        let nested = self.nesting.closure(start).is_some();
        self.goroutines.push(Goroutine {
            start,
            kind,
            body,
            body_file,
            loops: self.nesting.loops(start),
            nested,
        });
    }

    /// `worker` or `p.work` to the function or method of this package it names.
    fn resolve_callee(&self, function: Node<'a>) -> Option<FunctionRef<'a>> {
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
                let operand = function.child_by_field_id(syntax::field::OPERAND.id())?;
                if kind_of(operand) == "identifier"
                    && self.imports.contains(text(operand, self.source))
                {
                    return None;
                }
                let field = function.child_by_field_id(syntax::field::FIELD.id())?;
                self.package.method(text(field, self.source))
            }
            _ => None,
        }
    }

    fn collect_channels(&self, sites: Vec<MakeSite<'a>>, scopes: &Scopes<'a>) -> Vec<Channel<'a>> {
        sites
            .into_iter()
            .filter_map(|site| self.channel(site, scopes))
            .collect()
    }

    fn channel(&self, site: MakeSite<'a>, scopes: &Scopes<'a>) -> Option<Channel<'a>> {
        let binding = if site.assigned {
            self.assigned_binding(&site, scopes)?
        } else {
            // `None` for `_`, and for a name `:=` reuses (an assignment to another variable).
            scopes.declared_by(site.target)?
        };
        let (make_call, channel_type, capacity) = make_channel(site.call, self.source)?;
        let scope = site
            .statement
            .parent()
            .filter(|p| kind_of(p) == "statement_list")?;
        let mut channel = Channel {
            name: scopes.bindings[binding].name.to_string(),
            binding,
            declaration: site.statement,
            make_call,
            channel_type,
            capacity,
            scope,
            uses: Vec::new(),
        };
        self.collect_uses(&mut channel, site.target, scopes);
        Some(channel)
    }

    /// `var c chan T` ... `c = make(chan T)`: the variable, when this assignment is where its
    /// channel's life begins. It must be a `var` with no value, declared in the same block as
    /// the assignment, and used nowhere before it: then the assignment is, for every question
    /// the codemods ask, the channel's declaration. (A later assignment is a use that the
    /// analysis cannot follow, so a variable holding several channels in turn is never fixed.)
    fn assigned_binding(&self, site: &MakeSite<'a>, scopes: &Scopes<'a>) -> Option<BindingId> {
        let binding = scopes.binding_of(site.target)?;
        let declared = scopes.bindings[binding].node;
        let spec = declared.parent().filter(|p| kind_of(p) == "var_spec")?;
        if spec.child_by_field_id(syntax::field::VALUE.id()).is_some() {
            return None;
        }
        let declaration = var_declaration_of(spec)?;
        let same_block = declaration
            .parent()
            .zip(site.statement.parent())
            .is_some_and(|(a, b)| a.id() == b.id() && kind_of(a) == "statement_list");
        let first_use = scopes.uses(binding).first()?;
        (same_block && first_use.id() == site.target.id()).then_some(binding)
    }

    /// `uses`: the identifiers naming the channel's binding (see `Scopes::uses`); `target`,
    /// the one its make is assigned to, is not a use.
    fn collect_uses(&self, channel: &mut Channel<'a>, target: Node<'a>, scopes: &Scopes<'a>) {
        for &node in scopes.uses(channel.binding) {
            if node.id() == target.id() {
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
            let mut kind = unless_redeclared(
                self.package,
                classify(node, self.source, root, scopes, &self.flows),
                node,
                self.source,
                scopes,
            );
            // A goroutine's `return c` returns it to nobody we can follow.
            if matches!(kind, UseKind::Returned { .. }) && context != Context::Parent {
                kind = UseKind::Escape("it is returned");
            }
            if let UseKind::GoArgument = kind {
                self.follow_into_callee(channel, node, context, root);
                continue;
            }
            if matches!(kind, UseKind::Escape(PASSED_TO_A_FUNCTION))
                && context == Context::Parent
                && let Some(wait) = self.called_receiver(node)
            {
                kind = wait;
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
            loops: self.nesting.loops_within(node, root),
        }
    }

    /// Which goroutine `node` runs in, and the body that goroutine runs.
    fn context_of(&self, node: Node<'a>) -> Result<(Context, Node<'a>), &'static str> {
        let closure = self.nesting.closure(node);
        let Some(closure) = closure else {
            return Ok((Context::Parent, self.body));
        };
        let Some(&id) = self.goroutine_of_node.get(&closure.id()) else {
            return Err("it is used in a closure that may run at any time");
        };
        let root = closure
            .child_by_field_id(syntax::field::BODY.id())
            .unwrap_or(closure);
        Ok((Context::Goroutine(id), root))
    }

    /// `wait(ctx, c)` called directly (not with `go`, not deferred) by the function itself,
    /// where `wait` is a function or method of the package that only receives from its
    /// parameter, once, outside loops and closures: the call is where the function waits. It
    /// surely receives when that receive runs before anything can return (a plain receive,
    /// or a `select` whose other cases cannot win); in a `select` with other cases the call
    /// is a wait that can give up, like a `select` of the function's own. Anything else is
    /// not followed (`None`: the channel escapes).
    fn called_receiver(&self, argument: Node<'a>) -> Option<UseKind<'a>> {
        let call = argument.parent()?.parent()?;
        if matches!(
            call.parent().map(kind_of),
            Some("go_statement" | "defer_statement")
        ) {
            return None;
        }
        let callee = self.resolve_callee(call.child_by_field_id(syntax::field::FUNCTION.id())?)?;
        // Recursion: the function calling itself is not a receiver we can summarise.
        if callee.file == self.file && syntax::contains(callee.node, self.body) {
            return None;
        }
        let index = argument_index(argument)?;
        // Once per callee and parameter for the whole package: many calls of one helper, from
        // any number of functions, cost one look at it.
        let package = self.package;
        let wait = package
            .summaries
            .wait(callee.file, callee.node, index, || {
                callee_wait(package, callee, index)
            })?;
        Some(match wait {
            CalleeWait::Receives => UseKind::Receive { select: None },
            CalleeWait::Selects {
                select,
                other_cases,
                has_default,
                function,
            } => UseKind::Receive {
                select: Some(SelectCase {
                    select,
                    site: call,
                    callee: Some(CalleeSelect {
                        file: callee.file,
                        function,
                    }),
                    other_cases,
                    has_default,
                    // Leaving the callee's select returns to this function, which goes on.
                    other_case_leaves: false,
                }),
            },
        })
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
        let callee = FunctionRef {
            file: goroutine.body_file,
            node: callee_body.parent().expect("a body has a function"),
        };
        let Some(index) = argument_index(argument) else {
            channel
                .uses
                .push(escape("it is passed in an argument we cannot map"));
            return;
        };
        // Once per callee and parameter for the whole package (see `summaries`).
        let package = self.package;
        let summary =
            package
                .summaries
                .goroutine_parameter(callee.file, callee.node, index, || {
                    goroutine_parameter(package, callee, callee_body, index)
                });
        let uses = match &*summary {
            GoroutineParameter::Escapes(reason) => {
                channel.uses.push(escape(reason));
                return;
            }
            GoroutineParameter::Blank => return,
            GoroutineParameter::Uses(uses) => uses,
        };
        channel
            .uses
            .push(self.use_at(argument, UseKind::GoArgument, context, root));
        channel.uses.extend(uses.iter().map(|used| ChannelUse {
            kind: used.kind.clone(),
            node: used.node,
            file: callee.file,
            context: Context::Goroutine(id),
            loops: used.loops.clone(),
        }));
    }
}

/// The view of `function` the summaries need (see `CalleeView`), built once per package.
fn callee_view<'a>(package: &Package<'a>, callee: FunctionRef<'a>) -> Rc<CalleeView<'a>> {
    package.summaries.view(callee.file, callee.node, || {
        let source = package.source(callee.file);
        let mut nesting = Nesting::default();
        let scopes = Scopes::resolve(callee.node, source, &mut |node| nesting.enter(node));
        CalleeView {
            scopes,
            nesting,
            flows: Flows::default(),
        }
    })
}

/// The binding of `function`'s parameter named `parameter` (a closure or block of the
/// function may declare the name again: that is not it).
fn parameter_binding(function: Node, scopes: &Scopes, parameter: &str) -> Option<BindingId> {
    let parameters = function.child_by_field_id(syntax::field::PARAMETERS.id());
    scopes.bindings.iter().position(|binding| {
        binding.parameter
            && binding.name == parameter
            && parameters.is_some_and(|list| syntax::contains(list, binding.node))
    })
}

/// What `callee` does with its `index`-th parameter, when it only receives from it once,
/// outside loops and closures (see `called_receiver`). Depends on the callee alone: computed
/// once per package.
fn callee_wait<'a>(
    package: &Package<'a>,
    callee: FunctionRef<'a>,
    index: usize,
) -> Option<CalleeWait<'a>> {
    let function = callee.node;
    let body = function.child_by_field_id(syntax::field::BODY.id())?;
    let source = package.source(callee.file);
    let parameter = parameter_name(function, source, index)?;
    let view = callee_view(package, callee);
    let binding = parameter_binding(function, &view.scopes, parameter)?;
    let [only] = view.scopes.uses(binding) else {
        return None;
    };
    if view.nesting.closure(*only).is_some() || !view.nesting.loops_within(*only, body).is_empty() {
        return None;
    }
    let UseKind::Receive { select } = classify(*only, source, body, &view.scopes, &view.flows)
    else {
        return None;
    };
    let receive = only.parent()?;
    match select {
        Some(case) if case.other_cases > 0 => Some(CalleeWait::Selects {
            select: case.select,
            other_cases: case.other_cases,
            has_default: case.has_default,
            function: text(
                function.child_by_field_id(syntax::field::NAME.id())?,
                source,
            ),
        }),
        // The receive (or the select holding it) must run on every path through the
        // callee: the statement that holds it directly is on every path to its end.
        case => {
            let waits_at = case.map_or(receive, |case| case.select);
            let flow = view.flows.of(body, source);
            let statement = std::iter::once(waits_at)
                .chain(syntax::ancestors_until(waits_at, body))
                .find(|node| flow.has(*node))?;
            let direct = statement.id() == waits_at.id()
                || syntax::ancestors_until(waits_at, statement).all(|between| {
                    matches!(
                        kind_of(between),
                        "expression_list"
                            | "argument_list"
                            | "call_expression"
                            | "parenthesized_expression"
                            | "unary_expression"
                            | "receive_statement"
                    )
                });
            let always = flow
                .exit_avoiding(None, |step| step.id() == statement.id())
                .is_none();
            (direct && always).then_some(CalleeWait::Receives)
        }
    }
}

/// What `callee`, started as a goroutine, does with its `index`-th parameter: every use of it
/// (see `follow_into_callee`). Depends on the callee alone: computed once per package.
fn goroutine_parameter<'a>(
    package: &Package<'a>,
    callee: FunctionRef<'a>,
    body: Node<'a>,
    index: usize,
) -> GoroutineParameter<'a> {
    let function = callee.node;
    let source = package.source(callee.file);
    let Some(parameter) = parameter_name(function, source, index) else {
        return GoroutineParameter::Escapes("it is passed to a variadic or mismatched parameter");
    };
    if parameter == "_" {
        return GoroutineParameter::Blank;
    }
    let view = callee_view(package, callee);
    let Some(binding) = parameter_binding(function, &view.scopes, parameter) else {
        return GoroutineParameter::Escapes("it is passed to a parameter we cannot find");
    };
    let uses = view.scopes.uses(binding).iter().map(|&node| {
        let mut kind = if view.nesting.closure(node).is_some() {
            UseKind::Escape("the goroutine's function uses it in a closure")
        } else {
            let kind = classify(node, source, body, &view.scopes, &view.flows);
            unless_redeclared(package, kind, node, source, &view.scopes)
        };
        if let UseKind::GoArgument = kind {
            kind = UseKind::Escape("the goroutine's function passes it on to another goroutine");
        }
        if let UseKind::Returned { .. } = kind {
            kind = UseKind::Escape("the goroutine's function returns it");
        }
        ParameterUse {
            kind,
            node,
            loops: view.nesting.loops_within(node, body),
        }
    });
    GoroutineParameter::Uses(uses.collect())
}

/// `close(c)`, `len(c)` and `cap(c)` are what they seem only where that name is the builtin:
/// a package-level or local declaration of it makes the call one we cannot follow.
fn unless_redeclared<'a>(
    package: &Package<'a>,
    kind: UseKind<'a>,
    node: Node<'a>,
    source: &str,
    scopes: &Scopes<'a>,
) -> UseKind<'a> {
    if !matches!(kind, UseKind::Close { .. } | UseKind::Inspect) {
        return kind;
    }
    let Some(callee) = scopes
        .ancestor(node, 2)
        .and_then(|call| call.child_by_field_id(syntax::field::FUNCTION.id()))
    else {
        return kind;
    };
    if scopes.binding_of(callee).is_some() || package.redeclares_builtin(text(callee, source)) {
        return UseKind::Escape("it is passed to a function named like a builtin");
    }
    kind
}

/// The func literal a goroutine runs, if it is one.
fn goroutine_literal(start: Node) -> Option<Node> {
    if kind_of(start) == "go_statement" {
        let call = start.named_child(0)?;
        return call
            .child_by_field_id(syntax::field::FUNCTION.id())
            .filter(|f| kind_of(f) == "func_literal");
    }
    call_arguments(start)
        .into_iter()
        .find(|a| kind_of(a) == "func_literal")
}

/// The escape of a channel passed to a call that is not `go`: `called_receiver` may follow it.
const PASSED_TO_A_FUNCTION: &str = "it is passed to a function";

/// What one occurrence of a channel's name does with the channel.
fn classify<'a>(
    node: Node<'a>,
    source: &'a str,
    root: Node<'a>,
    scopes: &Scopes<'a>,
    flows: &Flows<'a>,
) -> UseKind<'a> {
    // The climbs go through `scopes`, which kept what is above each use (see `ancestor`).
    let above = |level| scopes.ancestor(node, level);
    let Some(parent) = above(1) else {
        return UseKind::Escape("it is used as a value");
    };
    let is_field = |field: &syntax::Field| {
        parent
            .child_by_field_id(field.id())
            .is_some_and(|child| child.id() == node.id())
    };
    match kind_of(parent) {
        "send_statement" if is_field(&syntax::field::CHANNEL) => UseKind::Send {
            statement: parent,
            in_select: above(2).is_some_and(|p| kind_of(p) == "communication_case"),
            tail: is_tail(parent, &flows.of(root, source), source, &|statement| {
                closes(statement, source).is_some_and(|closed| {
                    scopes.binding_of(closed).is_some()
                        && scopes.binding_of(closed) == scopes.binding_of(node)
                })
            }),
        },
        "unary_expression"
            if parent
                .child_by_field_id(syntax::field::OPERATOR.id())
                .is_some_and(|op| text(op, source) == "<-") =>
        {
            UseKind::Receive {
                select: select_case_of(node, scopes, source),
            }
        }
        "range_clause" if is_field(&syntax::field::RIGHT) => match above(2) {
            Some(for_statement) => UseKind::Range { for_statement },
            None => UseKind::Escape("it is used as a value"),
        },
        "argument_list" => {
            let Some(call) = above(2) else {
                return UseKind::Escape("it is used as a value");
            };
            match callee_name(call, source) {
                Some("close") => UseKind::Close {
                    deferred: above(3).is_some_and(|p| kind_of(p) == "defer_statement"),
                },
                Some("len" | "cap") => UseKind::Inspect,
                _ if above(3).is_some_and(|p| kind_of(p) == "go_statement") => UseKind::GoArgument,
                _ => UseKind::Escape(PASSED_TO_A_FUNCTION),
            }
        }
        "expression_list" => {
            let holder = above(2);
            match holder.map(kind_of) {
                Some("assignment_statement")
                    if holder
                        .and_then(|h| h.child_by_field_id(syntax::field::LEFT.id()))
                        .is_some_and(|left| left.id() == parent.id()) =>
                {
                    UseKind::Reassign
                }
                Some("return_statement") => UseKind::Returned {
                    statement: holder.expect("matched above"),
                },
                _ => UseKind::Escape("it is stored in another variable"),
            }
        }
        _ => UseKind::Escape("it is used as a value"),
    }
}

/// Whether `statement` is the last thing that runs in its body (`flow`) whenever it runs:
/// on every path after it, nothing runs but a bare `return`. A loop around it makes it not a
/// tail (the loop's head runs next, then the statement again).
///
/// A `close` of the sent channel may follow (`closes_it`): `c <- v; close(c)` is the same as
/// `defer close(c)` around the send, which a buffer cannot make observable either (the value
/// is received before the close is seen). So is a close after an `if`/`else` whose branches
/// end with the send.
fn is_tail(statement: Node, flow: &Flow, source: &str, closes_it: &dyn Fn(Node) -> bool) -> bool {
    flow.is_last_act(statement, |next| {
        (kind_of(next) == "return_statement" && text(next, source).trim() == "return")
            || closes_it(next)
    })
}

/// The argument of `statement` when it is `close(x)` with `x` an identifier.
fn closes<'a>(statement: Node<'a>, source: &str) -> Option<Node<'a>> {
    let call = statement
        .named_child(0)
        .filter(|_| kind_of(statement) == "expression_statement")?;
    if kind_of(call) != "call_expression" || callee_name(call, source) != Some("close") {
        return None;
    }
    match call_arguments(call).as_slice() {
        [argument] if kind_of(argument) == "identifier" => Some(*argument),
        _ => None,
    }
}

/// The `select` case in which `<-c` waits, `c` being `channel` (a use `scopes` resolved).
fn select_case_of<'a>(
    channel: Node<'a>,
    scopes: &Scopes<'a>,
    source: &str,
) -> Option<SelectCase<'a>> {
    let receive = scopes.ancestor(channel, 1)?;
    let mut level = 2;
    let mut holder = scopes.ancestor(channel, level)?;
    if kind_of(holder) == "receive_statement" {
        level += 1;
        holder = scopes.ancestor(channel, level)?;
    }
    if kind_of(holder) != "communication_case" {
        return None;
    }
    let communication = holder.child_by_field_id(syntax::field::COMMUNICATION.id())?;
    if !syntax::contains(communication, receive) {
        return None;
    }
    let select = scopes.ancestor(channel, level + 1)?;
    let mut cursor = select.walk();
    let others: Vec<Node> = select
        .named_children(&mut cursor)
        .filter(|case| matches!(kind_of(case), "communication_case" | "default_case"))
        .filter(|case| case.id() != holder.id())
        .collect();
    Some(SelectCase {
        select,
        site: select,
        callee: None,
        other_cases: others.len(),
        has_default: others.iter().any(|case| kind_of(case) == "default_case"),
        other_case_leaves: others.iter().any(|case| can_leave_function(*case, source)),
    })
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

/// The position of `argument` in its call's argument list.
fn argument_index(argument: Node) -> Option<usize> {
    let call = argument.parent()?.parent()?;
    call_arguments(call)
        .iter()
        .position(|a| a.id() == argument.id())
}

/// The name of the `index`-th parameter of `function` (`func f(a, b chan int)` counts `a`, `b`).
fn parameter_name<'a>(function: Node, source: &'a str, index: usize) -> Option<&'a str> {
    let parameters = function.child_by_field_id(syntax::field::PARAMETERS.id())?;
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
            syntax::Visit::Descend
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
    fn only_variables_bound_to_a_bidirectional_make_are_channels() {
        let found = channels_per_function(
            "type s struct{ c chan int }\n\nfunc g(x *s) chan int {\n\tx.c = make(chan int)\n\ta, b := make(chan int), 1\n\tvar e = make(<-chan int)\n\tf := make( /* why */ chan int)\n\tg, h := pair()\n\t_, _, _ = a, b, e\n\t_, _, _ = f, g, h\n\treturn make(chan int)\n}\n",
        );
        assert_eq!(
            found,
            [(
                "func g(x *s) chan int {".to_string(),
                vec!["a".into(), "f".into()]
            )]
        );
    }

    #[test]
    fn every_declaration_form_makes_a_channel() {
        let found = channels_per_function(
            "func f() {\n\ta, b := make(chan int), make(chan string, 1)\n\tvar (\n\t\tc = make(chan int)\n\t\td int\n\t)\n\tvar e, g = make(chan int), make(chan int)\n\tvar h chan int\n\th = make(chan int)\n\t_, _, _, _, _, _, _ = a, b, c, d, e, g, h\n}\n",
        );
        let names: Vec<String> = ["a", "b", "c", "e", "g", "h"].map(String::from).to_vec();
        assert_eq!(found, [("func f() {".to_string(), names)]);
    }

    #[test]
    fn an_assigned_channel_is_tracked_only_from_one_assignment_before_any_use() {
        let found = channels_per_function(
            "func f(ok bool) {\n\tvar a chan int\n\tif ok {\n\t\ta = make(chan int)\n\t}\n\tvar b chan int\n\t_ = b\n\tb = make(chan int)\n\tvar c chan int\n\tc = make(chan int)\n\tc = make(chan int)\n\tvar d = make(chan int)\n\td = make(chan int)\n\t_, _ = a, d\n}\n",
        );
        // `a` is made in another block, `b` used before it is made; `c` is made twice (the
        // first make is its channel, whose variable is then reassigned); `d` likewise.
        assert_eq!(
            found,
            [(
                "func f(ok bool) {".to_string(),
                vec!["c".into(), "d".into()]
            )]
        );
    }

    #[test]
    fn the_same_name_in_sibling_blocks_is_two_channels() {
        let source = "package p\n\nfunc f(ok bool) int {\n\tif ok {\n\t\tc := make(chan int)\n\t\tgo func() { c <- 1 }()\n\t\treturn <-c\n\t}\n\tc := make(chan int)\n\th := func(c chan int) { close(c) }\n\tgo func() { c <- 2 }()\n\t_ = h\n\treturn <-c\n}\n";
        let tree = parse(&mut go_parser(), source);
        let file = SourceFile::new("p.go".into(), "p.go".into(), source.to_string());
        let files = [ParsedFile { source: file, tree }];
        let package = Package::new(&files);
        let function = files[0].tree.root_node().named_child(1).unwrap();
        let facts = function_facts(&package, 0, function).unwrap();
        let summary: Vec<(usize, Vec<&str>)> = facts
            .channels
            .iter()
            .map(|channel| {
                let line = channel.make_call.start_position().row + 1;
                let uses = channel
                    .uses
                    .iter()
                    .map(|used| match used.kind {
                        UseKind::Send { .. } => "send",
                        UseKind::Receive { .. } => "receive",
                        UseKind::Close { .. } => "close",
                        _ => "other",
                    })
                    .collect();
                (line, uses)
            })
            .collect();
        // The closure's parameter `c` and its `close` are not the second channel's.
        assert_eq!(
            summary,
            [(5, vec!["send", "receive"]), (9, vec!["send", "receive"])]
        );
    }
}
