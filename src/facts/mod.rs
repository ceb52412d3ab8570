//! Channel facts: for one function, every channel it makes and every place the channel is
//! used, with the goroutine each use runs in. Computed once per function and shared by every
//! codemod, so no codemod re-derives scope, escapes or goroutine boundaries on its own.
//!
//! A worked example:
//!
//! ```go
//! func fetch(ctx context.Context) (string, error) {
//!     c := make(chan string)              // Channel "c", Capacity::Unbuffered, scope = body
//!     go func() { c <- slow() }()         // Goroutine 0 (closure); Send{tail: true} in Goroutine(0)
//!     select {
//!     case v := <-c:                      // Receive in Parent, select with 1 other case
//!         return v, nil
//!     case <-ctx.Done():
//!         return "", ctx.Err()
//!     }
//! }
//! ```
//!
//! Uses inside a function started as `go worker(c)` are followed into `worker` (same package)
//! and recorded against that goroutine; what `worker` does with each parameter is worked out
//! once for the whole package (see `summaries`), however many functions start it. Any use the analysis cannot follow is an
//! `UseKind::Escape`: codemods treat an escaping channel as unknowable and never fix it.

pub mod body;
mod collect;
pub mod flow;
pub mod nesting;
pub mod scope;
pub(crate) mod summaries;

pub use collect::{broken_region, function_facts};
pub use flow::Flow;
pub use scope::{BindingId, Scopes};

use crate::package::FileId;
use tree_sitter::Node;

pub type GoroutineId = usize;

/// Where a piece of code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// In the function itself.
    Parent,
    /// In a goroutine it starts.
    Goroutine(GoroutineId),
}

#[derive(Debug)]
pub enum GoroutineKind {
    /// `go func() { ... }()`
    Closure,
    /// `go worker(c)` / `go p.work(c)`, resolved to a function or method of the package.
    Call,
    /// A func literal handed to `group.Go(...)` (sync.WaitGroup since Go 1.25, errgroup).
    Group { group: String },
}

#[derive(Debug)]
pub struct Goroutine<'a> {
    /// The `go` statement, or the `group.Go(...)` call expression.
    pub start: Node<'a>,
    pub kind: GoroutineKind,
    /// The body that runs in the goroutine (a func literal's, or the callee's, possibly in
    /// another file of the package); `None` for a call we could not resolve.
    pub body: Option<Node<'a>>,
    pub body_file: FileId,
    /// Loops of the function around `start`, nearest first.
    pub loops: Vec<Node<'a>>,
    /// Started from inside another goroutine or closure.
    pub nested: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity<'a> {
    /// `make(chan T)`, or `make(chan T, 0)` with the literal zero.
    Unbuffered {
        zero: Option<Node<'a>>,
    },
    Buffered(Node<'a>),
}

#[derive(Debug, Clone)]
pub struct SelectCase<'a> {
    /// The `select` statement (in the callee, for `callee`).
    pub select: Node<'a>,
    /// Where the function itself waits: the `select`, or the call of the callee that selects.
    pub site: Node<'a>,
    /// The select is in a function of the package that this one calls with the channel
    /// (`return wait(ctx, c)`), not in this function.
    pub callee: Option<CalleeSelect<'a>>,
    /// Other `case`s and `default`s of the same select.
    pub other_cases: usize,
    pub has_default: bool,
    /// Some other case can leave the function (`return`/`goto`).
    pub other_case_leaves: bool,
}

/// A select in a called function: where it is, for messages.
#[derive(Debug, Clone, Copy)]
pub struct CalleeSelect<'a> {
    pub file: FileId,
    pub function: &'a str,
}

#[derive(Debug, Clone)]
pub enum UseKind<'a> {
    /// `c <- v`. A *tail* send is the last thing its goroutine does; `in_select` when it is a
    /// `select` case (the sender can give up).
    Send {
        statement: Node<'a>,
        in_select: bool,
        tail: bool,
    },
    /// `<-c` in any form.
    Receive {
        select: Option<SelectCase<'a>>,
    },
    /// `for v := range c`.
    Range {
        for_statement: Node<'a>,
    },
    Close {
        deferred: bool,
    },
    /// `len(c)`, `cap(c)`: reads nothing, sends nothing.
    Inspect,
    /// `return c` (or `return c, err`) by the function itself: the channel is a future its
    /// callers receive from. Every codemod but future-leak treats it as an escape.
    Returned {
        statement: Node<'a>,
    },
    /// `c = ...` after the declaration.
    Reassign,
    /// Passed as an argument to a goroutine entry we followed.
    GoArgument,
    /// Anything we cannot follow, with the reason.
    Escape(&'static str),
}

#[derive(Debug)]
pub struct ChannelUse<'a> {
    pub kind: UseKind<'a>,
    /// The identifier naming the channel (in `file`).
    pub node: Node<'a>,
    pub file: FileId,
    pub context: Context,
    /// Loops between the use and the body it runs in (the function's or the goroutine's),
    /// nearest first.
    pub loops: Vec<Node<'a>>,
}

#[derive(Debug)]
pub struct Channel<'a> {
    pub name: String,
    /// The variable holding the channel: uses are the identifiers that name this binding.
    pub binding: BindingId,
    /// The statement that makes it: `c := make(...)`, `var c = make(...)` (the whole `var`
    /// declaration), or `c = make(...)` for a variable declared earlier with no value.
    pub declaration: Node<'a>,
    pub make_call: Node<'a>,
    /// The `chan T` argument of `make`.
    pub channel_type: Node<'a>,
    pub capacity: Capacity<'a>,
    /// The `statement_list` in which the channel is declared: its lifetime.
    pub scope: Node<'a>,
    pub uses: Vec<ChannelUse<'a>>,
}

impl<'a> Channel<'a> {
    /// Why the channel cannot be reasoned about, if it cannot.
    pub fn escape_reason(&self) -> Option<&'static str> {
        self.uses.iter().find_map(|used| match used.kind {
            UseKind::Escape(reason) => Some(reason),
            UseKind::Reassign => Some("it is reassigned"),
            UseKind::Returned { .. } => Some("it is returned"),
            _ => None,
        })
    }

    /// Whether nothing but the goroutine `sender` closes the channel (or nothing does).
    pub fn closed_only_by(&self, sender: GoroutineId) -> bool {
        self.uses.iter().all(|used| {
            !matches!(used.kind, UseKind::Close { .. })
                || used.context == Context::Goroutine(sender)
        })
    }

    pub fn is_closed_anywhere(&self) -> bool {
        self.uses
            .iter()
            .any(|used| matches!(used.kind, UseKind::Close { .. }))
    }

    pub fn sends(&self) -> impl Iterator<Item = &ChannelUse<'a>> {
        self.uses
            .iter()
            .filter(|used| matches!(used.kind, UseKind::Send { .. }))
    }

    pub fn receives(&self) -> impl Iterator<Item = &ChannelUse<'a>> {
        self.uses
            .iter()
            .filter(|used| matches!(used.kind, UseKind::Receive { .. } | UseKind::Range { .. }))
    }

    /// Loops that lie between the channel's declaration and `node`: each one runs `node` many
    /// times for the same channel. (A loop around the declaration makes a new channel each time.)
    pub fn loops_within_scope<'n>(
        &self,
        loops: &'n [Node<'a>],
    ) -> impl Iterator<Item = &'n Node<'a>> + use<'n, 'a> {
        let scope = self.scope;
        loops
            .iter()
            .filter(move |each| crate::syntax::contains(scope, **each))
    }
}

/// Everything the codemods know about one function.
#[derive(Debug)]
pub struct FunctionFacts<'a> {
    pub file: FileId,
    pub function: Node<'a>,
    pub body: Node<'a>,
    pub channels: Vec<Channel<'a>>,
    pub goroutines: Vec<Goroutine<'a>>,
    /// Where the function itself (not its closures) can end: `return`, `goto`, `t.Fatal`...
    pub exits: Vec<Node<'a>>,
    /// How many times each name is declared in the function, closures included.
    pub declarations: std::collections::HashMap<&'a str, usize>,
    /// The function's bindings and what each identifier names.
    pub scopes: Scopes<'a>,
    /// The control flow of the body (not of its closures): built once per function, for
    /// every codemod's path questions.
    pub flow: Flow<'a>,
    /// The index in `channels` of each channel's binding, built the first time a codemod asks
    /// what an identifier names (see `channel_named_by`).
    pub channel_of_binding: std::sync::OnceLock<std::collections::HashMap<BindingId, usize>>,
}

impl<'a> FunctionFacts<'a> {
    /// The channel of this function that `identifier` names, if it names one.
    pub fn channel_named_by(&self, identifier: Node) -> Option<&Channel<'a>> {
        let binding = self.scopes.binding_of(identifier)?;
        // Indexed once: asked for the other case of every channel's `select`, a scan of the
        // channels each time cost the number of channels squared.
        let index = self.channel_of_binding.get_or_init(|| {
            let mut index = std::collections::HashMap::new();
            for (at, channel) in self.channels.iter().enumerate() {
                index.entry(channel.binding).or_insert(at);
            }
            index
        });
        index.get(&binding).map(|at| &self.channels[*at])
    }

    /// Whether code inserted at byte `at` names `channel` when it says its name: no other
    /// variable of that name is in force there. (Whether the builtins it calls are the
    /// builtins there is the engine's check, for every fix: see `builtins`.)
    pub fn names_channel_at(&self, channel: &Channel<'a>, at: usize) -> bool {
        self.scopes.names_at(channel.binding, at)
    }

    pub fn goroutine(&self, context: Context) -> Option<&Goroutine<'a>> {
        match context {
            Context::Parent => None,
            Context::Goroutine(id) => self.goroutines.get(id),
        }
    }
}
