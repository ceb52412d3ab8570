//! What the package's functions do with their channel parameters, found once per package.
//!
//! A channel passed to a function of the package is followed into it: `wait(ctx, c)` called
//! directly (does `wait` only receive from that parameter?), `go send(c)` (what does `send` do
//! with it: send, receive, range, close...). The answer depends only on the callee and the
//! parameter's position, never on the caller, so it is worked out the first time any analysed
//! function asks and kept for the whole package: n callers of one helper cost one look at the
//! helper, not n (that was n times the helper's size: square in generated code).
//!
//! Filling a summary never asks for another one (a callee that passes the parameter on, to
//! itself or to anyone, escapes it there, unfollowed), so a function calling itself, or f
//! calling g calling f, ends after one look at each; a caller that would follow a call into
//! itself is stopped before it asks (see `called_receiver`). The maps are not borrowed while a
//! summary is computed, so even a summary that asked for another could not deadlock the cache.

use super::UseKind;
use super::collect::Flows;
use super::nesting::Nesting;
use super::scope::Scopes;
use crate::package::FileId;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;
use std::rc::Rc;
use tree_sitter::Node;

/// A function of the package: its file and its node's id (unique within one tree).
pub(super) type FunctionKey = (FileId, usize);

/// A parameter of a function of the package, by position.
pub(super) type ParameterKey = (FileId, usize, usize);

/// The per-package summaries; empty until an analysed function first follows a call.
#[derive(Default)]
pub struct Summaries<'a> {
    views: RefCell<HashMap<FunctionKey, Rc<CalleeView<'a>>>>,
    waits: RefCell<HashMap<ParameterKey, Option<CalleeWait<'a>>>>,
    goroutine_parameters: RefCell<HashMap<ParameterKey, Rc<GoroutineParameter<'a>>>>,
    defers: RefCell<HashMap<FunctionKey, Rc<[Node<'a>]>>>,
    /// How many summaries and views have been computed, for the test that each is computed
    /// once per package.
    #[cfg(test)]
    pub(crate) computed: std::cell::Cell<usize>,
}

/// What the summaries need of one callee, from one walk over it: its bindings, the closures
/// and loops around its identifiers, and the flow of its body (built when first asked).
pub(super) struct CalleeView<'a> {
    pub(super) scopes: Scopes<'a>,
    pub(super) nesting: Nesting<'a>,
    pub(super) flows: Flows<'a>,
}

/// A called function that only receives from its channel parameter, once.
#[derive(Debug, Clone, Copy)]
pub(super) enum CalleeWait<'a> {
    /// Before anything can return.
    Receives,
    /// In a `select` with other cases.
    Selects {
        select: Node<'a>,
        other_cases: usize,
        has_default: bool,
        function: &'a str,
    },
}

/// What a function started with `go f(..., c, ...)` does with that parameter.
#[derive(Debug)]
pub(super) enum GoroutineParameter<'a> {
    /// The parameter cannot be followed, for this reason.
    Escapes(&'static str),
    /// The parameter is `_`: the goroutine never touches the channel.
    Blank,
    /// Every identifier naming the parameter in the function, with what it does there.
    Uses(Vec<ParameterUse<'a>>),
}

#[derive(Debug)]
pub(super) struct ParameterUse<'a> {
    pub(super) kind: UseKind<'a>,
    /// The identifier, in the callee's file.
    pub(super) node: Node<'a>,
    /// Loops between the use and the callee's body, nearest first.
    pub(super) loops: Vec<Node<'a>>,
}

impl<'a> Summaries<'a> {
    /// The view of `function` (of `file`), built by `build` the first time.
    pub(super) fn view(
        &self,
        file: FileId,
        function: Node<'a>,
        build: impl FnOnce() -> CalleeView<'a>,
    ) -> Rc<CalleeView<'a>> {
        self.memo(&self.views, (file, function.id()), || Rc::new(build()))
    }

    /// Whether `function`'s `index`-th parameter is only received from, once (see
    /// `called_receiver`), worked out by `compute` the first time.
    pub(super) fn wait(
        &self,
        file: FileId,
        function: Node<'a>,
        index: usize,
        compute: impl FnOnce() -> Option<CalleeWait<'a>>,
    ) -> Option<CalleeWait<'a>> {
        self.memo(&self.waits, (file, function.id(), index), compute)
    }

    /// What `function` started as a goroutine does with its `index`-th parameter, worked out
    /// by `compute` the first time.
    pub(super) fn goroutine_parameter(
        &self,
        file: FileId,
        function: Node<'a>,
        index: usize,
        compute: impl FnOnce() -> GoroutineParameter<'a>,
    ) -> Rc<GoroutineParameter<'a>> {
        self.memo(
            &self.goroutine_parameters,
            (file, function.id(), index),
            || Rc::new(compute()),
        )
    }

    /// The `defer` statements of `body` (of `file`), closures left out: what a goroutine that
    /// runs it defers. Asked once per channel a goroutine sends on, and a helper started by
    /// many functions is the same body for all of them.
    pub(crate) fn defers(&self, file: FileId, body: Node<'a>) -> Rc<[Node<'a>]> {
        self.memo(&self.defers, (file, body.id()), || {
            crate::syntax::descendants_outside_closures(body, &mut |node| {
                node.kind() == "defer_statement"
            })
            .into()
        })
    }

    fn memo<K: Hash + Eq, V: Clone>(
        &self,
        map: &RefCell<HashMap<K, V>>,
        key: K,
        compute: impl FnOnce() -> V,
    ) -> V {
        let known = map.borrow().get(&key).cloned();
        if let Some(value) = known {
            return value;
        }
        #[cfg(test)]
        self.computed.set(self.computed.get() + 1);
        // Not borrowed while computing: see the module's comment.
        let value = compute();
        map.borrow_mut().entry(key).or_insert(value).clone()
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::{Context, UseKind, function_facts};
    use crate::package::{Package, ParsedFile};
    use crate::source::SourceFile;
    use crate::syntax::{self, go_parser, parse, text};

    fn files(texts: &[&str]) -> Vec<ParsedFile> {
        texts
            .iter()
            .enumerate()
            .map(|(index, text)| {
                let name = format!("f{index}.go");
                ParsedFile {
                    source: SourceFile::new(name.clone().into(), name, text.to_string()),
                    tree: parse(&mut go_parser(), text),
                }
            })
            .collect()
    }

    /// For every function of the package that makes a channel, in file order: its name and,
    /// per channel, what each use is (`receive`, `send@f1:goroutine`, `escape: why`...).
    fn uses_per_function(package: &Package) -> Vec<(String, Vec<String>)> {
        let mut found = Vec::new();
        for (file, parsed) in package.files.iter().enumerate() {
            let source = parsed.source.text.as_str();
            for function in syntax::functions(parsed.tree.root_node()) {
                let Some(facts) = function_facts(package, file, function) else {
                    continue;
                };
                let name = text(function.child_by_field_name("name").unwrap(), source);
                let uses = facts.channels.iter().flat_map(|channel| &channel.uses);
                let uses = uses.map(|used| {
                    let place = match used.context {
                        Context::Parent => String::new(),
                        Context::Goroutine(_) => format!("@f{}:goroutine", used.file),
                    };
                    match used.kind {
                        UseKind::Send { .. } => format!("send{place}"),
                        UseKind::Receive { select: None } => format!("receive{place}"),
                        UseKind::Receive { select: Some(_) } => format!("select{place}"),
                        UseKind::GoArgument => "go".to_string(),
                        UseKind::Escape(why) => format!("escape: {why}"),
                        _ => "other".to_string(),
                    }
                });
                found.push((name.to_string(), uses.collect()));
            }
        }
        found
    }

    #[test]
    fn a_helper_is_summarised_once_for_the_whole_package() {
        let callers = (0..3)
            .map(|i| {
                format!(
                    "func caller{i}() int {{\n\tc := make(chan int)\n\tgo func() {{ c <- 1 }}()\n\treturn wait(c)\n}}\n\nfunc starter{i}() int {{\n\tc := make(chan int)\n\tgo send(c)\n\treturn <-c\n}}\n\n"
                )
            })
            .collect::<String>();
        let files = files(&[
            &format!("package p\n\n{callers}"),
            "package p\n\nfunc wait(c chan int) int {\n\treturn <-c\n}\n\nfunc send(c chan int) {\n\tc <- 1\n}\n",
        ]);
        let package = Package::new(&files);
        let found = uses_per_function(&package);
        let expected: Vec<(String, Vec<String>)> = (0..3)
            .flat_map(|i| {
                [
                    (format!("caller{i}"), vec!["send@f0:goroutine", "receive"]),
                    (
                        format!("starter{i}"),
                        vec!["go", "send@f1:goroutine", "receive"],
                    ),
                ]
            })
            .map(|(name, uses)| (name, uses.into_iter().map(String::from).collect()))
            .collect();
        assert_eq!(found, expected);
        // Each helper's view, `wait`'s receive and `send`'s goroutine uses: four, however
        // many functions call them (one per caller would be twelve).
        assert_eq!(package.summaries.computed.get(), 4);
    }

    #[test]
    fn calls_that_recurse_end_after_one_look_at_each_function() {
        let files = files(&[
            // Calling itself with its own channel: never summarised (it would be a receiver
            // that can give up, in the select below).
            "package p\n\nimport \"time\"\n\nfunc self(c chan int, again bool) int {\n\tif again {\n\t\td := make(chan int)\n\t\tgo func() { d <- 1 }()\n\t\treturn self(d, false)\n\t}\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn 0\n\t}\n}\n",
            // f -> g -> h -> g, directly and with `go`.
            "package p\n\nfunc f() int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\treturn g(c)\n}\n\nfunc g(c chan int) int {\n\treturn h(c)\n}\n\nfunc h(c chan int) int {\n\treturn g(c)\n}\n\nfunc s() {\n\tc := make(chan int)\n\tgo t(c)\n\t<-c\n}\n\nfunc t(c chan int) {\n\tgo u(c)\n}\n\nfunc u(c chan int) {\n\tgo t(c)\n}\n",
        ]);
        let package = Package::new(&files);
        let escape = |why: &str| format!("escape: {why}");
        assert_eq!(
            uses_per_function(&package),
            [
                (
                    "self".to_string(),
                    vec![
                        "send@f0:goroutine".to_string(),
                        escape("it is passed to a function")
                    ]
                ),
                (
                    "f".to_string(),
                    vec![
                        "send@f1:goroutine".to_string(),
                        escape("it is passed to a function")
                    ]
                ),
                (
                    "s".to_string(),
                    vec![
                        "go".to_string(),
                        escape("the goroutine's function passes it on to another goroutine"),
                        "receive".to_string()
                    ]
                ),
            ]
        );
        // `g`: its view and its (absent) wait; `t`: its view and its goroutine uses.
        assert_eq!(package.summaries.computed.get(), 4);
    }

    #[test]
    fn a_bodys_defers_are_found_once_and_not_in_its_closures() {
        let files = files(&[
            "package p\n\nfunc send(c chan int) {\n\tdefer close(c)\n\tdefer func() { defer println() }()\n\tc <- 1\n}\n",
        ]);
        let package = Package::new(&files);
        let function = syntax::functions(files[0].tree.root_node()).next().unwrap();
        let body = function.child_by_field_name("body").unwrap();
        for _ in 0..3 {
            let defers = package.summaries.defers(0, body);
            let defers: Vec<&str> = defers.iter().map(|d| text(*d, package.source(0))).collect();
            assert_eq!(
                defers,
                ["defer close(c)", "defer func() { defer println() }()"]
            );
        }
        assert_eq!(package.summaries.computed.get(), 1);
    }
}
