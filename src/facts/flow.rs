//! A control-flow view of one function body: its statements as steps, and where control can
//! go after each. Built once per body (`Flow::build`, linear in the number of statements, no
//! recursion so deeply nested code costs no stack) and then queried by the codemods for the
//! questions they ask about paths, instead of each walking the statement kinds by hand:
//!
//! - `exit_avoiding` / `leaves_avoiding`: is there a path from here to the end of the
//!   function (or out of a region: a statement, a block, a case) that passes no step where a
//!   predicate holds (say, a receive on the channel)? It returns where that path leaves.
//! - `is_last_act`: does nothing but allowed statements (a bare `return`, ...) run after a
//!   statement, on every path?
//! - `runs`: how many times can a statement run per call (`Runs::AtMostOnce`, `Runs::Many`
//!   when a cycle, a loop or a backward `goto`, runs it again)?
//! - `exclusive`: can two statements both run in one call, or does taking one exclude the
//!   other (different branches of one `if`, `switch` or `select`)?
//! - `ways_out`: the statements inside a region that leave it early (`break`, `return`,
//!   `continue` of an outer loop, `goto` out, `t.Fatal`...).
//!
//! ```go
//! func f(c chan int, ok bool) int {   // Entry -> the `if`
//!     if ok {                         // Branch: -> consequence block, -> `return 0`
//!         return <-c                  // Act: -> Exit
//!     }
//!     return 0                        // Act: -> Exit
//! }
//! ```
//!
//! The model, and what it leaves out:
//! - A step is a statement. Simple statements (`x := f()`, `c <- v`, `go ...`, `defer ...`,
//!   `return ...`) are `Act`s; the heads of `if`, `for`, `switch` and `select` are `Branch`es
//!   (they evaluate their header, then choose); `break`, `continue`, `goto` and `fallthrough`
//!   are `Jump`s; blocks, labels, case clauses and empty statements are `Pass`es (nothing
//!   happens there; they keep the graph linear in the size of the code). The communication
//!   of a `select` case (`v := <-c`, `c <- v`) is an `Act` of its own, reached from the
//!   `select` and followed by the case body. Func literals are not entered: their code runs
//!   elsewhere, at another time, and has its own flow.
//! - A `return`, the end of the body, and a call that ends the goroutine (`t.Fatal`,
//!   `runtime.Goexit`... as `syntax::is_exit` says) go to `Exit`. `panic(...)` and
//!   `os.Exit(...)` go nowhere: nothing after them runs and the function does not return.
//!   A `select {}` and a `for {}` without a `break` go nowhere either.
//! - `for` heads loop: the body's end and `continue` go back to the head; the head goes on
//!   past the loop unless it has no condition (`for {}`, `for ;; {}`). `break`/`continue`
//!   with a label go to the labeled statement's loop, `switch` or `select`; `goto` goes to its
//!   label (to `Exit` when the label is not in the body: invalid Go, treated as leaving).
//! - A `switch` without `default` can skip every case; `fallthrough` goes to the next case's
//!   body. A `select` runs exactly one case (with no `default` it may block forever, which the
//!   graph does not distinguish from waiting).
//! - Deferred calls run at `Exit`: the `defer` statement itself is an ordinary `Act`, and
//!   `defers` lists them for callers that care about what runs after the last statement.
//!
//! Every query costs at most the steps it visits (bounded by the size of the body, or of the
//! region asked about); none re-walks the syntax tree.

use crate::syntax::{self, kind_of, text};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

/// One step's index in its `Flow`.
type StepId = u32;

const ENTRY: StepId = 0;
const EXIT: StepId = 1;
/// The body's block: the first step built.
const ROOT: StepId = 2;

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Where the body starts (no statement).
    Entry,
    /// Where the function returns (no statement): deferred calls run here.
    Exit,
    /// A statement that does something.
    Act,
    /// The head of an `if`, `for`, `switch` or `select`: evaluates, then chooses.
    Branch,
    /// `break`, `continue`, `goto`, `fallthrough`: control moves, nothing runs.
    Jump,
    /// A block, label, case clause or empty statement: nothing runs.
    Pass,
}

#[derive(Debug, Clone, Copy)]
struct Step<'a> {
    /// `None` for `Entry` and `Exit`.
    node: Option<Node<'a>>,
    kind: StepKind,
    /// Where control goes when the statement completes normally (not by a jump or return).
    after: StepId,
    /// A `return`, or a call that ends the goroutine: it goes to `Exit` by itself.
    ends_function: bool,
    /// The step whose statement holds this one (a block, an `if`, a case clause...; `Entry`
    /// for the body itself).
    parent: StepId,
    /// What runs next once this statement, and everything in it, has run: `after`, but for a
    /// `select` case's communication, whose case body runs in between (the `select` is what
    /// completes). `Exit` for case clauses, which are entered, never completed.
    next: StepId,
}

/// Where a path found by a query leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving<'a> {
    /// The function returns; `from` is the statement that ends it (a `return`, a `t.Fatal`
    /// call, the last statement of the body; `None` for an empty body).
    Exit { from: Option<Node<'a>> },
    /// Control reaches `to`, a statement outside the region asked about.
    To(Node<'a>),
}

impl<'a> Leaving<'a> {
    /// The statement the path leaves from or to, for messages.
    pub fn node(&self) -> Option<Node<'a>> {
        match *self {
            Leaving::Exit { from } => from,
            Leaving::To(to) => Some(to),
        }
    }
}

/// How many times a statement can run in one call of the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// No path from the start of the body reaches it.
    Never,
    /// Once at most, and on every path that ends the function.
    Once,
    /// Once at most: some paths skip it.
    AtMostOnce,
    /// Possibly more than once: it is on a cycle (a loop, a backward `goto`).
    Many,
}

/// The control-flow view of one function body. See the module documentation.
#[derive(Debug)]
pub struct Flow<'a> {
    steps: Vec<Step<'a>>,
    /// Successors of step `i`: `edges[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<u32>,
    edges: Vec<StepId>,
    /// Statement node id -> its step.
    by_node: HashMap<usize, StepId>,
    defers: Vec<StepId>,
    /// Straight-line runs: statements of one statement list that follow each other with no
    /// other way in or out. Step `i` is at position `run_of[i].1` of run `run_of[i].0`, whose
    /// steps are `run_steps[run_offsets[r]..run_offsets[r + 1]]`. A search for explicit
    /// statements (`after_avoiding`) moves run by run, so a long function costs it the number
    /// of branches it passes, not of statements.
    run_of: Vec<(u32, u32)>,
    run_steps: Vec<StepId>,
    run_offsets: Vec<u32>,
    /// The continuation forest, numbered: each step's parent in it is its `next` (what runs
    /// once it has completed), except that the end of a loop's iteration and `Exit` are roots.
    /// The continuation of a step, the statements that run after it in order, in its
    /// iteration, on every way that completes the statements around it, are its ancestors
    /// there: `a` is on `d`'s continuation exactly when `continuation[a]` (its entry and exit
    /// times in one depth-first walk) holds `continuation[d]`. One walk at build time; every
    /// question "does this statement come after that one?" then costs O(1).
    continuation: Vec<(u32, u32)>,
    /// The `switch` statements with a `fallthrough` in a case (one case can run into the next).
    falls_through: HashSet<StepId>,
    /// Where the labeled statements some `goto` jumps to start, sorted: the only ways into
    /// the middle of a statement list.
    goto_targets: Vec<usize>,
}

/// What `Flow::after_avoiding` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search<'a> {
    /// A path that passes none of the stops and ends the function or leaves the region: the
    /// first one found, taking each statement's first way on first (an `if`'s consequence
    /// before what follows it, a `switch`'s first case first).
    pub leaves: Option<Leaving<'a>>,
    /// The stops some path reaches, in the order found.
    pub reached: Vec<Node<'a>>,
    /// The search visited as many runs as its `limit` before it ended: `leaves` and `reached`
    /// are incomplete, and the caller must not conclude anything from them.
    pub exhausted: bool,
}

/// The targets of `break` and `continue` inside a `for`, `switch` or `select`.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// The `for`, `switch` or `select`.
    owner: StepId,
    break_to: StepId,
    /// The nearest loop head at or around this frame, for `continue`.
    continue_to: Option<StepId>,
}

/// A statement waiting to have its edges built.
#[derive(Clone, Copy)]
struct Task<'a> {
    node: Node<'a>,
    step: StepId,
    /// Where control goes when the statement completes normally.
    after: StepId,
    frame: Option<usize>,
    /// The label on this statement (`L: for ...`).
    label: Option<&'a str>,
    /// For the statements of a `switch` case: the next case (where `fallthrough` goes).
    next_case: Option<StepId>,
}

struct Builder<'a> {
    source: &'a str,
    steps: Vec<Step<'a>>,
    by_node: HashMap<usize, StepId>,
    /// (from, to), in any order: sorted into `offsets`/`edges` at the end.
    edges: Vec<(StepId, StepId)>,
    frames: Vec<Frame>,
    labeled_frames: HashMap<&'a str, usize>,
    labels: HashMap<&'a str, StepId>,
    gotos: Vec<(StepId, &'a str)>,
    defers: Vec<StepId>,
    tasks: Vec<Task<'a>>,
    /// (a statement, the next one in the same statement list).
    siblings: Vec<(StepId, StepId)>,
    /// The `switch` statements with a `fallthrough` in one of their cases.
    falls_through: HashSet<StepId>,
}

impl<'a> Builder<'a> {
    fn step(&mut self, node: Node<'a>, kind: StepKind, parent: StepId) -> StepId {
        let id = StepId::try_from(self.steps.len()).expect("fewer than 2^32 statements");
        self.steps.push(Step {
            node: Some(node),
            kind,
            after: EXIT,
            ends_function: false,
            parent,
            next: EXIT,
        });
        self.by_node.insert(node.id(), id);
        id
    }

    fn edge(&mut self, from: StepId, to: StepId) {
        self.edges.push((from, to));
    }

    /// Allocates the steps of a statement list's statements (`list` may be absent: an empty
    /// block or case, the step `parent`) and schedules them; returns the first one's step, or
    /// `after` when empty.
    fn sequence(&mut self, list: Option<Node<'a>>, parent: StepId, template: Task<'a>) -> StepId {
        let statements = list.map(statements_of).unwrap_or_default();
        let ids: Vec<StepId> = statements
            .iter()
            .map(|statement| self.step(*statement, step_kind(*statement), parent))
            .collect();
        self.siblings
            .extend(ids.windows(2).map(|pair| (pair[0], pair[1])));
        for (index, statement) in statements.iter().enumerate() {
            self.tasks.push(Task {
                node: *statement,
                step: ids[index],
                after: ids.get(index + 1).copied().unwrap_or(template.after),
                frame: template.frame,
                label: None,
                next_case: template.next_case,
            });
        }
        ids.first().copied().unwrap_or(template.after)
    }

    /// Adds a frame for a `for`, `switch` or `select` at `task`.
    fn frame(&mut self, task: &Task<'a>, is_loop: bool) -> usize {
        let continue_to = if is_loop {
            Some(task.step)
        } else {
            task.frame.and_then(|outer| self.frames[outer].continue_to)
        };
        self.frames.push(Frame {
            owner: task.step,
            break_to: task.after,
            continue_to,
        });
        let index = self.frames.len() - 1;
        if let Some(label) = task.label {
            self.labeled_frames.insert(label, index);
        }
        index
    }

    fn run(&mut self, task: Task<'a>) {
        let node = task.node;
        let here = task.step;
        self.steps[here as usize].after = task.after;
        self.steps[here as usize].next = task.after;
        let inner = |next_case: Option<StepId>, frame: Option<usize>, after: StepId| Task {
            node,
            step: here,
            after,
            frame,
            label: None,
            next_case,
        };
        match kind_of(node) {
            "block" => {
                let first = self.sequence(
                    statement_list(node),
                    here,
                    inner(None, task.frame, task.after),
                );
                self.edge(here, first);
            }
            "labeled_statement" => {
                let label = node
                    .child_by_field_id(syntax::field::LABEL.id())
                    .map(|label| text(label, self.source));
                if let Some(label) = label {
                    self.labels.insert(label, here);
                }
                let mut cursor = node.walk();
                let statement = node
                    .named_children(&mut cursor)
                    .find(|child| kind_of(child) != "label_name" && kind_of(child) != "comment");
                match statement {
                    Some(statement) => {
                        let id = self.step(statement, step_kind(statement), here);
                        self.edge(here, id);
                        self.tasks.push(Task {
                            node: statement,
                            step: id,
                            after: task.after,
                            frame: task.frame,
                            label,
                            next_case: None,
                        });
                    }
                    None => self.edge(here, task.after),
                }
            }
            "if_statement" => {
                for field in [&syntax::field::CONSEQUENCE, &syntax::field::ALTERNATIVE] {
                    match node.child_by_field_id(field.id()) {
                        Some(branch) => {
                            let id = self.step(branch, step_kind(branch), here);
                            self.edge(here, id);
                            self.tasks.push(Task {
                                node: branch,
                                step: id,
                                after: task.after,
                                frame: task.frame,
                                label: None,
                                next_case: None,
                            });
                        }
                        None => self.edge(here, task.after),
                    }
                }
            }
            "for_statement" => {
                let frame = self.frame(&task, true);
                if let Some(body) = node.child_by_field_id(syntax::field::BODY.id()) {
                    let id = self.step(body, StepKind::Pass, here);
                    self.edge(here, id);
                    self.tasks.push(Task {
                        node: body,
                        step: id,
                        after: here,
                        frame: Some(frame),
                        label: None,
                        next_case: None,
                    });
                }
                if !loops_forever(node) {
                    self.edge(here, task.after);
                }
            }
            "expression_switch_statement" | "type_switch_statement" | "select_statement" => {
                let select = kind_of(node) == "select_statement";
                let frame = self.frame(&task, false);
                let mut cursor = node.walk();
                let cases: Vec<Node> = node
                    .named_children(&mut cursor)
                    .filter(|child| {
                        matches!(
                            kind_of(child),
                            "expression_case" | "type_case" | "default_case" | "communication_case"
                        )
                    })
                    .collect();
                let ids: Vec<StepId> = cases
                    .iter()
                    .map(|case| self.step(*case, StepKind::Pass, here))
                    .collect();
                for (index, case) in cases.iter().enumerate() {
                    self.edge(here, ids[index]);
                    let next_case = if select {
                        None
                    } else {
                        ids.get(index + 1).copied()
                    };
                    let body = inner(next_case, Some(frame), task.after);
                    let list = statement_list(*case);
                    match case.child_by_field_id(syntax::field::COMMUNICATION.id()) {
                        Some(communication) => {
                            let id = self.step(communication, StepKind::Act, ids[index]);
                            self.edge(ids[index], id);
                            let first = self.sequence(list, ids[index], body);
                            self.steps[id as usize].after = first;
                            self.steps[id as usize].next = task.after;
                            self.edge(id, first);
                        }
                        None => {
                            let first = self.sequence(list, ids[index], body);
                            self.edge(ids[index], first);
                        }
                    }
                }
                let has_default = cases.iter().any(|case| kind_of(case) == "default_case");
                if !select && !has_default {
                    self.edge(here, task.after);
                }
            }
            "return_statement" => {
                self.steps[here as usize].ends_function = true;
                self.edge(here, EXIT);
            }
            "break_statement" => {
                let target = match jump_label(node, self.source) {
                    Some(label) => self.labeled_frames.get(label).map(|f| self.frames[*f]),
                    None => task.frame.map(|f| self.frames[f]),
                };
                self.edge(here, target.map_or(EXIT, |frame| frame.break_to));
            }
            "continue_statement" => {
                let target = match jump_label(node, self.source) {
                    Some(label) => self
                        .labeled_frames
                        .get(label)
                        .and_then(|f| self.frames[*f].continue_to),
                    None => task.frame.and_then(|f| self.frames[f].continue_to),
                };
                self.edge(here, target.unwrap_or(EXIT));
            }
            "goto_statement" => match jump_label(node, self.source) {
                Some(label) => self.gotos.push((here, label)),
                None => self.edge(here, EXIT),
            },
            "fallthrough_statement" => {
                if let Some(frame) = task.frame {
                    self.falls_through.insert(self.frames[frame].owner);
                }
                self.edge(here, task.next_case.unwrap_or(task.after));
            }
            "expression_statement" => match call_effect(node, self.source) {
                CallEffect::EndsGoroutine => {
                    self.steps[here as usize].ends_function = true;
                    self.edge(here, EXIT);
                }
                CallEffect::EndsProgram => {}
                CallEffect::Returns => self.edge(here, task.after),
            },
            "defer_statement" => {
                self.defers.push(here);
                self.edge(here, task.after);
            }
            _ => self.edge(here, task.after),
        }
    }
}

/// The straight-line runs of a flow (see `Flow::run_of`): a statement joins the run of the
/// one before it in its statement list when that one only goes to it and nothing else does.
fn straight_runs(
    offsets: &[u32],
    edges: &[StepId],
    siblings: &[(StepId, StepId)],
) -> (Vec<(u32, u32)>, Vec<StepId>, Vec<u32>) {
    let count = offsets.len() - 1;
    let mut predecessors = vec![0u32; count];
    for &to in edges {
        predecessors[to as usize] += 1;
    }
    let mut joined_by: Vec<Option<StepId>> = vec![None; count];
    let mut joins = vec![false; count];
    for &(first, next) in siblings {
        let successors =
            &edges[offsets[first as usize] as usize..offsets[first as usize + 1] as usize];
        if successors == [next] && predecessors[next as usize] == 1 {
            joined_by[first as usize] = Some(next);
            joins[next as usize] = true;
        }
    }
    let mut run_of = vec![(0u32, 0u32); count];
    let mut run_steps = Vec::with_capacity(count);
    let mut run_offsets = vec![0u32];
    for (head, _) in joins.iter().enumerate().filter(|(_, joins)| !**joins) {
        let run = u32::try_from(run_offsets.len() - 1).expect("fewer than 2^32 runs");
        let mut current = Some(StepId::try_from(head).expect("fewer than 2^32 steps"));
        let mut position = 0;
        while let Some(step) = current {
            run_of[step as usize] = (run, position);
            run_steps.push(step);
            position += 1;
            current = joined_by[step as usize];
        }
        run_offsets.push(u32::try_from(run_steps.len()).expect("fewer than 2^32 steps"));
    }
    (run_of, run_steps, run_offsets)
}

/// The entry and exit times of each step in one depth-first walk of the continuation forest
/// (see `Flow::continuation`). Iterative, linear in the number of steps.
fn continuation_spans(steps: &[Step]) -> Vec<(u32, u32)> {
    let count = steps.len();
    let parent_of = |index: usize| -> Option<usize> {
        if index == ENTRY as usize || index == EXIT as usize {
            return None;
        }
        let step = &steps[index];
        let next = step.next as usize;
        // The head of a loop around the step: the iteration ends; what follows the loop does
        // not follow the step in the same iteration (it may never come).
        let ends_iteration = steps[next].node.is_some_and(|head| {
            syntax::is_loop(head) && step.node.is_some_and(|node| syntax::contains(head, node))
        });
        (!ends_iteration).then_some(next)
    };
    let parents: Vec<Option<usize>> = (0..count).map(parent_of).collect();
    let mut offsets = vec![0usize; count + 1];
    for parent in parents.iter().flatten() {
        offsets[parent + 1] += 1;
    }
    for index in 0..count {
        offsets[index + 1] += offsets[index];
    }
    let mut filled = offsets.clone();
    let mut children = vec![0usize; offsets[count]];
    for (child, parent) in parents.iter().enumerate() {
        if let Some(parent) = parent {
            children[filled[*parent]] = child;
            filled[*parent] += 1;
        }
    }
    let mut spans = vec![(0u32, 0u32); count];
    let mut clock = 0u32;
    // (step, whether its children are done)
    let mut stack: Vec<(usize, bool)> = (0..count)
        .filter(|index| parents[*index].is_none())
        .map(|root| (root, false))
        .collect();
    while let Some((step, done)) = stack.pop() {
        if done {
            spans[step].1 = clock;
            continue;
        }
        spans[step].0 = clock;
        clock += 1;
        stack.push((step, true));
        stack.extend(
            children[offsets[step]..offsets[step + 1]]
                .iter()
                .map(|child| (*child, false)),
        );
    }
    spans
}

/// Whether `for_statement` has no condition: it only ends by `break`, `return` or `goto`.
fn loops_forever(for_statement: Node) -> bool {
    let mut cursor = for_statement.walk();
    let header = for_statement
        .named_children(&mut cursor)
        .find(|child| !matches!(kind_of(child), "block" | "comment"));
    match header {
        None => true,
        Some(clause) if kind_of(clause) == "for_clause" => clause
            .child_by_field_id(syntax::field::CONDITION.id())
            .is_none(),
        Some(_) => false,
    }
}

fn jump_label<'a>(jump: Node, source: &'a str) -> Option<&'a str> {
    let mut cursor = jump.walk();
    jump.named_children(&mut cursor)
        .find(|child| kind_of(child) == "label_name")
        .map(|label| text(label, source))
}

enum CallEffect {
    Returns,
    /// `t.Fatal`, `runtime.Goexit`...: the goroutine ends (deferred calls run).
    EndsGoroutine,
    /// `panic`, `os.Exit`: nothing after runs, and the function does not return.
    EndsProgram,
}

fn call_effect(statement: Node, source: &str) -> CallEffect {
    let Some(call) = statement
        .named_child(0)
        .filter(|call| kind_of(call) == "call_expression")
    else {
        return CallEffect::Returns;
    };
    if syntax::is_exit(call, source) {
        return CallEffect::EndsGoroutine;
    }
    match syntax::callee_name(call, source) {
        Some("panic" | "os.Exit") => CallEffect::EndsProgram,
        _ => CallEffect::Returns,
    }
}

fn step_kind(statement: Node) -> StepKind {
    match kind_of(statement) {
        "block" | "labeled_statement" | "empty_statement" => StepKind::Pass,
        "if_statement"
        | "for_statement"
        | "expression_switch_statement"
        | "type_switch_statement"
        | "select_statement" => StepKind::Branch,
        "break_statement" | "continue_statement" | "goto_statement" | "fallthrough_statement" => {
            StepKind::Jump
        }
        _ => StepKind::Act,
    }
}

/// The `statement_list` child of a block or case clause.
fn statement_list(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .find(|child| kind_of(child) == "statement_list")
}

fn statements_of(list: Node) -> Vec<Node> {
    let mut cursor = list.walk();
    list.named_children(&mut cursor)
        .filter(|child| kind_of(child) != "comment")
        .collect()
}

impl<'a> Flow<'a> {
    /// The flow of `body`, a function's or func literal's `block`. `source` is the text of its
    /// file (for labels and the names of calls that end the goroutine).
    pub fn build(body: Node<'a>, source: &'a str) -> Flow<'a> {
        let mut builder = Builder {
            source,
            steps: vec![
                Step {
                    node: None,
                    kind: StepKind::Entry,
                    after: EXIT,
                    ends_function: false,
                    parent: ENTRY,
                    next: EXIT,
                },
                Step {
                    node: None,
                    kind: StepKind::Exit,
                    after: EXIT,
                    ends_function: false,
                    parent: ENTRY,
                    next: EXIT,
                },
            ],
            by_node: HashMap::new(),
            edges: Vec::new(),
            frames: Vec::new(),
            labeled_frames: HashMap::new(),
            labels: HashMap::new(),
            gotos: Vec::new(),
            defers: Vec::new(),
            tasks: Vec::new(),
            siblings: Vec::new(),
            falls_through: HashSet::new(),
        };
        let root = builder.step(body, StepKind::Pass, ENTRY);
        debug_assert_eq!(root, ROOT);
        builder.edge(ENTRY, root);
        builder.tasks.push(Task {
            node: body,
            step: root,
            after: EXIT,
            frame: None,
            label: None,
            next_case: None,
        });
        while let Some(task) = builder.tasks.pop() {
            builder.run(task);
        }
        let mut goto_targets = Vec::new();
        for (from, label) in std::mem::take(&mut builder.gotos) {
            let to = builder.labels.get(label).copied().unwrap_or(EXIT);
            builder.edge(from, to);
            if let Some(target) = builder.steps[to as usize].node.filter(|_| to != EXIT) {
                goto_targets.push(target.start_byte());
            }
        }
        goto_targets.sort_unstable();
        // Successor lists by counting sort, in the order the edges were added.
        let count = builder.steps.len();
        let mut offsets = vec![0u32; count + 1];
        for &(from, _) in &builder.edges {
            offsets[from as usize + 1] += 1;
        }
        for index in 0..count {
            offsets[index + 1] += offsets[index];
        }
        let mut filled = offsets.clone();
        let mut edges = vec![0; builder.edges.len()];
        for &(from, to) in &builder.edges {
            edges[filled[from as usize] as usize] = to;
            filled[from as usize] += 1;
        }
        let (run_of, run_steps, run_offsets) = straight_runs(&offsets, &edges, &builder.siblings);
        let continuation = continuation_spans(&builder.steps);
        Flow {
            continuation,
            falls_through: builder.falls_through,
            goto_targets,
            steps: builder.steps,
            offsets,
            edges,
            by_node: builder.by_node,
            defers: builder.defers,
            run_of,
            run_steps,
            run_offsets,
        }
    }

    /// The number of steps: the size of the body, for sharing out search limits.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the body has no statement at all.
    pub fn is_empty(&self) -> bool {
        self.steps.len() <= 3
    }

    fn run(&self, run: u32) -> &[StepId] {
        let run = run as usize;
        &self.run_steps[self.run_offsets[run] as usize..self.run_offsets[run + 1] as usize]
    }

    /// Where control can go after `from` (a statement, or a node inside one: a `go` call,
    /// a `select`) without passing any of the statements `stops` (a path stops at the first
    /// one it meets). With `region` (a block or statement list: a variable's scope), leaving
    /// it counts as leaving. Costs the straight-line runs visited, not the statements.
    pub fn after_avoiding(
        &self,
        from: Node<'a>,
        region: Option<Node<'a>>,
        stops: &[Node<'a>],
    ) -> Search<'a> {
        self.after_avoiding_in_loops(from, region, stops, &[], usize::MAX)
    }

    /// `after_avoiding`, where each loop of `until_stopped` (`for` statements) is taken to run
    /// until one of the stops in it ends it: its condition never ends it (a loop that receives
    /// is waiting for the value; whether it runs often enough is a count, not a path); and
    /// that visits at most `limit` runs (then `Search::exhausted`). A caller that searches
    /// once per channel keeps its total cost linear with a limit of a multiple of `len()`
    /// shared out among the channels.
    pub fn after_avoiding_in_loops(
        &self,
        from: Node<'a>,
        region: Option<Node<'a>>,
        stops: &[Node<'a>],
        until_stopped: &[Node<'a>],
        mut limit: usize,
    ) -> Search<'a> {
        let endless: HashSet<StepId> = until_stopped
            .iter()
            .filter_map(|node| self.step_of(*node))
            .collect();
        let mut search = Search {
            leaves: None,
            reached: Vec::new(),
            exhausted: false,
        };
        let Some(from) = self.step_around(from) else {
            return search;
        };
        // Stop positions by run.
        let mut stop_at: HashMap<u32, Vec<(u32, Node<'a>)>> = HashMap::new();
        for stop in stops {
            if let Some(step) = self.step_of(*stop) {
                let (run, position) = self.run_of[step as usize];
                stop_at.entry(run).or_default().push((position, *stop));
            }
        }
        let (run, position) = self.run_of[from as usize];
        // (run, position entered at, the step it was entered from)
        let mut stack: Vec<(u32, u32, StepId)> = Vec::new();
        let mut seen: HashSet<u32> = HashSet::new();
        let enter_after = |stack: &mut Vec<(u32, u32, StepId)>, last: StepId| {
            let ends_loop =
                |next: StepId| endless.contains(&last) && next == self.steps[last as usize].after;
            for &next in self.successors(last).iter().rev() {
                if ends_loop(next) {
                    continue;
                }
                let (run, position) = self.run_of[next as usize];
                stack.push((run, position, last));
            }
        };
        if (position as usize) + 1 < self.run(run).len() {
            stack.push((run, position + 1, from));
        } else {
            enter_after(&mut stack, from);
        }
        while let Some((run, position, came_from)) = stack.pop() {
            let Some(left) = limit.checked_sub(1) else {
                search.exhausted = true;
                return search;
            };
            limit = left;
            // Runs are entered at their start, but for the one `from` is in.
            if position == 0 && !seen.insert(run) {
                continue;
            }
            let steps = self.run(run);
            let first = steps[position as usize];
            if first == EXIT {
                if search.leaves.is_none() {
                    let from = self.steps[came_from as usize].node;
                    search.leaves = Some(Leaving::Exit { from });
                }
                continue;
            }
            if let (Some(region), Some(node)) = (region, self.steps[first as usize].node)
                && !syntax::contains(region, node)
            {
                if search.leaves.is_none() {
                    search.leaves = Some(Leaving::To(node));
                }
                continue;
            }
            let stop = stop_at.get(&run).and_then(|stops| {
                stops
                    .iter()
                    .filter(|(at, _)| *at >= position)
                    .min_by_key(|(at, _)| *at)
            });
            if let Some((_, node)) = stop {
                if !search.reached.iter().any(|known| known.id() == node.id()) {
                    search.reached.push(*node);
                }
                continue;
            }
            let last = *steps.last().expect("a run has a step");
            enter_after(&mut stack, last);
        }
        search
    }

    fn successors(&self, step: StepId) -> &[StepId] {
        let index = step as usize;
        &self.edges[self.offsets[index] as usize..self.offsets[index + 1] as usize]
    }

    fn step_of(&self, statement: Node) -> Option<StepId> {
        self.by_node.get(&statement.id()).copied()
    }

    /// Whether `statement` is a step of this flow: a statement of the body (not of a closure
    /// in it), a block, a case clause, or a `select` case's communication.
    pub fn has(&self, statement: Node) -> bool {
        self.step_of(statement).is_some()
    }

    /// What `statement` is to the flow, when it is a step.
    pub fn kind_of(&self, statement: Node) -> Option<StepKind> {
        self.step_of(statement)
            .map(|step| self.steps[step as usize].kind)
    }

    /// The `defer` statements of the body (their calls run at `Exit`).
    pub fn defers(&self) -> impl Iterator<Item = Node<'a>> + '_ {
        self.defers
            .iter()
            .filter_map(|step| self.steps[*step as usize].node)
    }

    /// Whether `node` is an `Act`, `Branch` or `Jump`: a statement a predicate is asked about.
    fn asks(&self, step: StepId) -> Option<Node<'a>> {
        let step = self.steps[step as usize];
        matches!(step.kind, StepKind::Act | StepKind::Branch | StepKind::Jump)
            .then_some(step.node)
            .flatten()
    }

    /// A path from `start` (inclusive) that passes no statement where `passes` holds and
    /// reaches `Exit`, or a step outside `region` when one is given; `None` when every path
    /// passes one (or never ends: an endless loop, a `panic`). `passes` is asked about
    /// `Act`s, `Branch`es and `Jump`s, never about blocks, labels or case clauses.
    fn escape(
        &self,
        start: StepId,
        region: Option<Node<'a>>,
        passes: &mut dyn FnMut(Node<'a>) -> bool,
    ) -> Option<Leaving<'a>> {
        let mut seen = HashSet::from([start]);
        // (step, the step it was reached from)
        let mut stack = vec![(start, None::<StepId>)];
        while let Some((step, from)) = stack.pop() {
            if step == EXIT {
                let from = from.and_then(|from| self.steps[from as usize].node);
                return Some(Leaving::Exit { from });
            }
            if let (Some(region), Some(node)) = (region, self.steps[step as usize].node)
                && !syntax::contains(region, node)
            {
                return Some(Leaving::To(node));
            }
            if self.asks(step).is_some_and(&mut *passes) {
                continue;
            }
            for &next in self.successors(step).iter().rev() {
                if seen.insert(next) {
                    stack.push((next, Some(step)));
                }
            }
        }
        None
    }

    /// A path from the start of the body to the function's end that passes no statement where
    /// `passes` holds (`passes` is asked about statements that do something or branch, not
    /// about blocks or case clauses): where it leaves, or `None` when every ending path passes
    /// one. "Does the goroutine surely send before it can return?" is
    /// `flow.exit_avoiding(None, is_our_send).is_none()`.
    ///
    /// With `from`, the path starts at that statement (which `passes` is asked about too).
    pub fn exit_avoiding(
        &self,
        from: Option<Node<'a>>,
        mut passes: impl FnMut(Node<'a>) -> bool,
    ) -> Option<Leaving<'a>> {
        let start = match from {
            Some(statement) => self.step_of(statement)?,
            None => ENTRY,
        };
        self.escape(start, None, &mut passes)
    }

    /// A path that enters `region` (a statement, block or case clause of the body) and leaves
    /// it, or ends the function, without passing a statement where `passes` holds; `None`
    /// when running the region always passes one first (or never ends). "Does this `if`
    /// receive in every branch before anything can leave?" is
    /// `flow.leaves_avoiding(if_statement, is_receive).is_none()`.
    pub fn leaves_avoiding(
        &self,
        region: Node<'a>,
        mut passes: impl FnMut(Node<'a>) -> bool,
    ) -> Option<Leaving<'a>> {
        let Some(start) = self.step_of(region) else {
            // Not a statement of this body: it can only leave.
            return Some(Leaving::To(region));
        };
        self.escape(start, Some(region), &mut passes)
    }

    /// Whether, on every path after `statement`, only statements `may_follow` allows run
    /// before the function ends (blocks, labels and case clauses are no acts and always
    /// allowed; a deferred call runs at the end in any case). `statement` running again (a
    /// loop) is never allowed; a path that never ends (`panic`) does not count.
    /// "Is this send its goroutine's last act, but for a bare `return`?" is
    /// `flow.is_last_act(send, is_bare_return)`.
    pub fn is_last_act(
        &self,
        statement: Node<'a>,
        mut may_follow: impl FnMut(Node<'a>) -> bool,
    ) -> bool {
        let Some(start) = self.step_of(statement) else {
            return false;
        };
        let mut seen = HashSet::new();
        let mut stack: Vec<StepId> = self.successors(start).to_vec();
        while let Some(step) = stack.pop() {
            if step == start {
                return false;
            }
            if !seen.insert(step) {
                continue;
            }
            if self.asks(step).is_some_and(|node| !may_follow(node)) {
                return false;
            }
            stack.extend_from_slice(self.successors(step));
        }
        true
    }

    /// Whether `to` can run after `from` in one call: a path leads from one to the other,
    /// not counting the step itself unless a cycle comes back to it.
    fn reaches(&self, from: StepId, to: StepId, within: Option<Node<'a>>) -> bool {
        let mut seen = HashSet::new();
        let mut stack: Vec<StepId> = self.successors(from).to_vec();
        while let Some(step) = stack.pop() {
            if step == to {
                return true;
            }
            if !seen.insert(step) {
                continue;
            }
            if let (Some(within), Some(node)) = (within, self.steps[step as usize].node)
                && !syntax::contains(within, node)
            {
                continue;
            }
            stack.extend_from_slice(self.successors(step));
        }
        false
    }

    /// Whether `then` can run after `first` in one call: a path leads from `first` to `then`
    /// (from a statement to itself only around a cycle). Either may also be a node inside a
    /// statement (a call in an expression statement): its statement is asked about.
    pub fn can_follow(&self, first: Node<'a>, then: Node<'a>) -> bool {
        match (self.step_around(first), self.step_around(then)) {
            (Some(first), Some(then)) => self.reaches(first, then, None),
            _ => false,
        }
    }

    /// Whether every way to `later` (a node of the body) passes `earlier` (a statement) first:
    /// `later` lies in a statement after `earlier` in the same statement list, and no `goto`
    /// jumps to a label between them. A statement list is entered at its start (a block, a
    /// case clause, a loop's next iteration, a `fallthrough`) or at a label, so nothing else
    /// can skip `earlier`; and `later` runs only once `earlier` has completed. Costs a binary
    /// search.
    pub fn passes_first(&self, earlier: Node<'a>, later: Node<'a>) -> bool {
        let Some(list) = earlier.parent() else {
            return false;
        };
        let between = earlier.end_byte()..later.start_byte();
        let jumped_into = self.goto_targets[self
            .goto_targets
            .partition_point(|target| *target < between.start)..]
            .first()
            .is_some_and(|target| *target < between.end);
        self.has(earlier)
            && between.start <= between.end
            && matches!(list.kind(), "block" | "statement_list")
            && syntax::contains(list, later)
            && !jumped_into
    }

    /// Whether `statement` ends the function by itself: a `return`, or a call that ends the
    /// goroutine (`t.Fatal`...). A statement that reaches the end by being the last is not.
    pub fn ends_function(&self, statement: Node) -> bool {
        self.step_of(statement)
            .is_some_and(|step| self.steps[step as usize].ends_function)
    }

    /// The statement of this flow that `node` is or is in (the nearest around it, not across
    /// a func literal): the step a query about `node` asks about.
    pub fn statement_of(&self, node: Node<'a>) -> Option<Node<'a>> {
        self.step_around(node)
            .and_then(|step| self.steps[step as usize].node)
    }

    /// The step of `node`, or of the nearest statement around it (not across a func literal).
    /// Found by one descent from the body: climbing with `parent()` costs the depth at every
    /// step, the square of it for a node deep in nested expressions (a receive inside 100,000
    /// parentheses).
    fn step_around(&self, node: Node<'a>) -> Option<StepId> {
        if let Some(step) = self.step_of(node) {
            return Some(step);
        }
        if syntax::is_function_like(node) {
            return None;
        }
        let root = self.steps[ROOT as usize].node?;
        for ancestor in syntax::ancestors_until(node, root) {
            if let Some(step) = self.step_of(ancestor) {
                return Some(step);
            }
            if syntax::is_function_like(ancestor) {
                return None;
            }
        }
        syntax::contains(root, node).then_some(ROOT)
    }

    /// Whether step `later` is on the continuation of step `earlier`: it runs after `earlier`
    /// has completed, in the same iteration, once the statements between have completed.
    fn continues(&self, earlier: StepId, later: StepId) -> bool {
        let (later_in, later_out) = self.continuation[later as usize];
        let (earlier_in, earlier_out) = self.continuation[earlier as usize];
        later != earlier && later_in <= earlier_in && earlier_out <= later_out
    }

    /// The step whose continuation follows `from` (its statement); `None` when `from` is in a
    /// loop's header (the loop runs it again before anything after it) or not in this flow.
    fn continuation_start(&self, from: Node<'a>) -> Option<StepId> {
        let step = self.step_around(from)?;
        let statement = self.steps[step as usize].node?;
        (statement.id() == from.id() || !syntax::is_loop(statement)).then_some(step)
    }

    /// The statements that come after `from` on its continuation and hold one of `nodes`, in
    /// the order they run (document order), each once. The continuation of `from` is what
    /// runs once its statement has completed: the later statements of its statement list,
    /// then those of the lists around it, up to the end of the innermost loop's iteration or
    /// of the body. A node in `from`'s own statement, or in another branch of an `if`, `switch`
    /// or `select` around it, is not on it; nor is anything after a loop around `from`.
    ///
    /// Why this is cheap: the continuation forest is numbered once at build time, so whether a
    /// statement is on `from`'s continuation is one comparison. Each node climbs from its own
    /// statement to the first one that is on the continuation or holds `from` (its nesting
    /// below the statements it shares with `from`); the statements in between `from` and it
    /// are never visited. Asked once per channel about that channel's own uses, the total over
    /// a function is the nesting depth of each use summed over the uses, whatever the number
    /// of channels and however far apart each channel's start and receives lie.
    pub fn following(
        &self,
        from: Node<'a>,
        nodes: impl IntoIterator<Item = Node<'a>>,
    ) -> Vec<Node<'a>> {
        let Some(start) = self.continuation_start(from) else {
            return Vec::new();
        };
        let mut found: Vec<Node<'a>> = nodes
            .into_iter()
            .filter_map(|node| {
                let mut step = self.step_around(node)?;
                loop {
                    let here = self.steps[step as usize];
                    let statement = here.node?;
                    if self.continues(start, step) {
                        return Some(statement);
                    }
                    if syntax::contains(statement, from) {
                        return None;
                    }
                    step = here.parent;
                }
            })
            .collect();
        found.sort_by_key(|statement| statement.start_byte());
        found.dedup_by_key(|statement| statement.id());
        found
    }

    /// Whether the continuation of `from` runs to the end of the body: no loop around `from`
    /// ends it first (see `following`).
    pub fn continues_to_end(&self, from: Node<'a>) -> bool {
        self.continuation_start(from)
            .is_some_and(|start| self.continues(start, EXIT))
    }

    /// Whether `node` can run after `from` and before `to` (a statement after `from`; `None`:
    /// the end of the body): it lies after `from` in `from`'s own statement (an `if` whose
    /// header calls something, then its body), or in a statement of `from`'s continuation
    /// (see `following`) that starts before `to`. In another branch of an `if` or `select`
    /// around `from`, or in another case of a `switch` around it, it cannot (unless that
    /// `switch` has a `fallthrough`: then, conservatively, it can); nor after a loop around
    /// `from`. Costs the nesting of `node` below the statements it shares with `from`, as
    /// `following` does.
    pub fn on_the_way(&self, from: Node<'a>, to: Option<Node<'a>>, node: Node<'a>) -> bool {
        let before_to = to.is_none_or(|to| node.start_byte() < to.start_byte());
        if node.start_byte() < from.end_byte() || !before_to {
            return false;
        }
        let (Some(start), Some(mut step)) = (self.continuation_start(from), self.step_around(node))
        else {
            return false;
        };
        loop {
            if step == start || self.continues(start, step) {
                return true;
            }
            let here = self.steps[step as usize];
            let Some(statement) = here.node else {
                return false;
            };
            if syntax::contains(statement, from) {
                return self.falls_through.contains(&step);
            }
            step = here.parent;
        }
    }

    /// How many of `statements` can run in one pass through `region` (a statement list, or the
    /// block or case clause holding one, with no loop between it and them: a loop would run
    /// them again), and how many run on every pass that completes `region`. Each counts 1
    /// (a statement holding two counts 2); the branches of an `if`, the cases of a `select`
    /// and of a `switch` without `fallthrough` exclude each other, so they count their
    /// maximum; anything else adds up. One runs on every pass when only blocks lie between it
    /// and `region` (no branch, loop or label). Visits the steps between each statement and
    /// `region` by their parent links, each once: the statements' nesting, not the region.
    pub fn count_in_one_pass(&self, region: Node<'a>, statements: &[Node<'a>]) -> (usize, usize) {
        // For each step on a path from a statement up to `region`: its count so far, and
        // whether the walk up from it is done.
        let mut count: HashMap<StepId, usize> = HashMap::new();
        let mut by_depth: Vec<Vec<StepId>> = Vec::new();
        let mut unconditional = 0;
        let inside = |step: StepId| {
            self.steps[step as usize]
                .node
                .is_some_and(|node| node.id() != region.id() && syntax::contains(region, node))
        };
        for statement in statements {
            let Some(step) = self.step_around(*statement) else {
                continue;
            };
            let mut path = Vec::new();
            let mut current = step;
            while inside(current) {
                path.push(current);
                current = self.steps[current as usize].parent;
            }
            let Some((own, between)) = path.split_first() else {
                continue;
            };
            // The statement itself, or a call that is all of its statement (`group.Go(f)`).
            let whole = self.steps[*own as usize].node.is_some_and(|own| {
                own.id() == statement.id()
                    || (kind_of(own) == "expression_statement"
                        && own
                            .named_child(0)
                            .is_some_and(|call| call.id() == statement.id()))
            });
            let only_blocks = between.iter().all(|step| {
                self.steps[*step as usize]
                    .node
                    .is_some_and(|node| kind_of(node) == "block")
            });
            if whole && only_blocks {
                unconditional += 1;
            }
            *count.entry(step).or_insert(0) += 1;
            for (height, step) in path.iter().rev().enumerate() {
                if by_depth.len() <= height {
                    by_depth.push(Vec::new());
                }
                by_depth[height].push(*step);
            }
        }
        // Bottom up: each step passes its count to its parent, by the parent's kind.
        let mut total = 0;
        let mut passed: HashSet<StepId> = HashSet::new();
        for level in by_depth.iter().rev() {
            for step in level {
                if !passed.insert(*step) {
                    continue;
                }
                let own = count.get(step).copied().unwrap_or(0);
                let parent = self.steps[*step as usize].parent;
                if !inside(parent) {
                    total += own;
                    continue;
                }
                let excludes = self.branches_exclude_each_other(parent);
                let slot = count.entry(parent).or_insert(0);
                *slot = if excludes {
                    (*slot).max(own)
                } else {
                    *slot + own
                };
            }
        }
        (total, unconditional)
    }

    /// Whether at most one of the statements `step` holds runs: the two branches of an `if`,
    /// the cases of a `select`, the cases of a `switch` without `fallthrough`.
    fn branches_exclude_each_other(&self, step: StepId) -> bool {
        self.steps[step as usize]
            .node
            .is_some_and(|node| match kind_of(node) {
                "if_statement" | "select_statement" => true,
                "expression_switch_statement" | "type_switch_statement" => {
                    !self.falls_through.contains(&step)
                }
                _ => false,
            })
    }

    /// How many times `statement` can run per call. With `within` (a block or statement
    /// holding it, say the scope of a variable), only cycles inside it count: a loop around
    /// `within` runs the statement again, but for a new run of `within` (a new variable).
    pub fn runs(&self, statement: Node<'a>, within: Option<Node<'a>>) -> Runs {
        let Some(step) = self.step_of(statement) else {
            return Runs::Never;
        };
        if !self.reaches(ENTRY, step, None) {
            return Runs::Never;
        }
        if self.reaches(step, step, within) {
            return Runs::Many;
        }
        let mut is_it = |node: Node<'a>| node.id() == statement.id();
        if self.escape(ENTRY, None, &mut is_it).is_none() {
            Runs::Once
        } else {
            Runs::AtMostOnce
        }
    }

    /// Whether `a` and `b` never both run in one call: neither can follow the other (they are
    /// in different branches of an `if`, `switch` or `select`). Statements that are not steps
    /// of this flow are not exclusive of anything.
    pub fn exclusive(&self, a: Node<'a>, b: Node<'a>) -> bool {
        let (Some(a), Some(b)) = (self.step_of(a), self.step_of(b)) else {
            return false;
        };
        a != b && !self.reaches(a, b, None) && !self.reaches(b, a, None)
    }

    /// The statements inside `region` (a loop, a block...) that can send control out of it
    /// other than by finishing it: a `break` or `continue` to a statement outside, a
    /// `return`, a `goto` out, a call like `t.Fatal`; in document order. Only statements
    /// reachable from the region's start are found. The region's own head going on past it (a
    /// loop's condition ending the loop) is finishing it, and so is its last statement
    /// falling through to what follows.
    pub fn ways_out(&self, region: Node<'a>) -> Vec<Node<'a>> {
        let Some(start) = self.step_of(region) else {
            return Vec::new();
        };
        let finish = self.steps[start as usize].after;
        let mut found = Vec::new();
        let mut seen = HashSet::from([start]);
        let mut stack = vec![start];
        while let Some(step) = stack.pop() {
            let here = self.steps[step as usize];
            for &next in self.successors(step) {
                let inside = self.steps[next as usize]
                    .node
                    .is_some_and(|node| syntax::contains(region, node));
                if inside {
                    if seen.insert(next) {
                        stack.push(next);
                    }
                    continue;
                }
                let finishes = step == start
                    || (next == finish && here.kind != StepKind::Jump && !here.ends_function);
                if !finishes && let Some(node) = here.node {
                    found.push(node);
                }
            }
        }
        found.sort_by_key(|node| node.start_byte());
        found.dedup_by_key(|node| node.id());
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{go_parser, parse};

    /// Parses `package p` + `code`, builds the flow of the first function's body, and hands
    /// `check` the flow and a finder of statements by the text they start with.
    fn with_flow(code: &str, check: impl for<'t> FnOnce(&Flow<'t>, &dyn Fn(&str) -> Node<'t>)) {
        let source = format!("package p\n\n{code}");
        let mut parser = go_parser();
        let tree = parse(&mut parser, &source);
        let function = syntax::functions(tree.root_node())
            .next()
            .expect("a function");
        let body = function
            .child_by_field_id(syntax::field::BODY.id())
            .expect("a body");
        let flow = Flow::build(body, &source);
        let find = |needle: &str| -> Node {
            let at = source
                .find(needle)
                .unwrap_or_else(|| panic!("{needle:?} not found"));
            let mut node = body.descendant_for_byte_range(at, at + 1).expect("a node");
            while !(flow.has(node) && node.start_byte() == at) {
                node = node
                    .parent()
                    .unwrap_or_else(|| panic!("no statement at {needle:?}"));
            }
            node
        };
        check(&flow, &find);
    }

    fn find_exit<'t>(_: &Flow<'t>, from: Node<'t>) -> Option<Leaving<'t>> {
        Some(Leaving::Exit { from: Some(from) })
    }

    fn text_of<'t>(node: Option<Node<'t>>, code: &str) -> String {
        let source = format!("package p\n\n{code}");
        node.map(|n| source[n.byte_range()].to_string())
            .unwrap_or_default()
    }

    #[test]
    fn a_send_in_both_branches_of_an_if_is_on_every_path() {
        let both =
            "func f(c chan int, x bool) {\n\tif x {\n\t\tc <- 1\n\t} else {\n\t\tc <- 2\n\t}\n}\n";
        with_flow(both, |flow, _| {
            let sends = |n: Node| kind_of(n) == "send_statement";
            assert_eq!(flow.exit_avoiding(None, sends), None);
        });
        let one = "func f(c chan int, x bool) {\n\tif x {\n\t\tc <- 1\n\t}\n\tprintln()\n}\n";
        with_flow(one, |flow, find| {
            let sends = |n: Node| kind_of(n) == "send_statement";
            assert_eq!(
                flow.exit_avoiding(None, sends),
                Some(Leaving::Exit {
                    from: Some(find("println()"))
                })
            );
        });
    }

    #[test]
    fn an_early_return_is_where_the_path_leaves() {
        let code =
            "func f(c chan int, x bool) int {\n\tif x {\n\t\treturn 0\n\t}\n\treturn <-c\n}\n";
        with_flow(code, |flow, find| {
            assert!(flow.ends_function(find("return 0")));
            assert!(!flow.ends_function(find("if x")));
            // A node inside a statement is asked about as that statement.
            let receive = find("return <-c").named_child(0).unwrap();
            assert_eq!(flow.statement_of(receive), Some(find("return <-c")));
            let found = flow.exit_avoiding(None, |n: Node| n.id() == find("return <-c").id());
            assert_eq!(
                found,
                Some(Leaving::Exit {
                    from: Some(find("return 0"))
                })
            );
        });
    }

    #[test]
    fn panic_and_an_endless_select_never_reach_the_end() {
        let code = "func f(c chan int, x bool) {\n\tif x {\n\t\tpanic(1)\n\t}\n\tif !x {\n\t\tselect {}\n\t}\n\tc <- 1\n}\n";
        with_flow(code, |flow, _| {
            let sends = |n: Node| kind_of(n) == "send_statement";
            assert_eq!(flow.exit_avoiding(None, sends), None);
        });
        // `t.Fatal` ends the goroutine: a way to the end.
        let fatal = "func f(t *testing.T, c chan int, x bool) {\n\tif x {\n\t\tt.Fatal(1)\n\t}\n\tc <- 1\n}\n";
        with_flow(fatal, |flow, find| {
            let sends = |n: Node| kind_of(n) == "send_statement";
            assert_eq!(
                flow.exit_avoiding(None, sends),
                Some(Leaving::Exit {
                    from: Some(find("t.Fatal(1)"))
                })
            );
        });
    }

    #[test]
    fn a_select_inside_an_endless_for_waits_until_the_receive_or_a_return() {
        let retries = "func f(c chan int, tick chan bool) int {\n\tfor {\n\t\tselect {\n\t\tcase v := <-c:\n\t\t\treturn v\n\t\tcase <-tick:\n\t\t}\n\t}\n}\n";
        with_flow(retries, |flow, find| {
            let ours = find("v := <-c");
            assert_eq!(
                flow.exit_avoiding(None, |n: Node| n.id() == ours.id()),
                None
            );
            // The receive ends the loop, so it runs once; the other case, many times.
            assert_eq!(flow.runs(ours, None), Runs::Once);
            assert_eq!(flow.runs(find("<-tick"), None), Runs::Many);
        });
        let gives_up = "func f(c chan int, done chan bool) int {\n\tfor {\n\t\tselect {\n\t\tcase v := <-c:\n\t\t\treturn v\n\t\tcase <-done:\n\t\t\treturn 0\n\t\t}\n\t}\n}\n";
        with_flow(gives_up, |flow, find| {
            let ours = find("v := <-c");
            assert_eq!(
                flow.exit_avoiding(None, |n: Node| n.id() == ours.id()),
                Some(Leaving::Exit {
                    from: Some(find("return 0"))
                })
            );
            assert!(flow.exclusive(find("return v"), find("return 0")));
        });
    }

    #[test]
    fn labeled_break_and_continue_leave_the_outer_loop() {
        let code = "func f(xs []bool) {\nouter:\n\tfor _, x := range xs {\n\t\tfor {\n\t\t\tif x {\n\t\t\t\tcontinue outer\n\t\t\t}\n\t\t\tbreak outer\n\t\t}\n\t\tunreached()\n\t}\n\tdone()\n}\n";
        with_flow(code, |flow, find| {
            assert_eq!(flow.runs(find("unreached()"), None), Runs::Never);
            assert_eq!(flow.runs(find("done()"), None), Runs::Once);
            let inner = find("for {");
            let out: Vec<String> = flow
                .ways_out(inner)
                .into_iter()
                .map(|n| text_of(Some(n), code))
                .collect();
            assert_eq!(out, ["continue outer", "break outer"]);
            // Of the outer loop, only the labeled break leaves (continue goes to its head).
            let outer = find("for _, x");
            let out: Vec<String> = flow
                .ways_out(outer)
                .into_iter()
                .map(|n| text_of(Some(n), code))
                .collect();
            assert_eq!(out, ["break outer"]);
        });
    }

    #[test]
    fn an_unlabeled_break_leaves_the_innermost_switch_or_select_not_the_loop() {
        let code = "func f(c chan int, x int) {\n\tfor {\n\t\tswitch x {\n\t\tcase 1:\n\t\t\tbreak\n\t\t}\n\t\tselect {\n\t\tcase <-c:\n\t\t\tbreak\n\t\t}\n\t\tif x > 2 {\n\t\t\tbreak\n\t\t}\n\t}\n}\n";
        with_flow(code, |flow, find| {
            let out: Vec<String> = flow
                .ways_out(find("for {"))
                .into_iter()
                .map(|n| text_of(Some(n), code))
                .collect();
            assert_eq!(out, ["break"]);
            assert_eq!(flow.ways_out(find("for {"))[0].start_byte(), {
                let source = format!("package p\n\n{code}");
                source.find("break\n\t\t}\n\t}").unwrap()
            });
        });
    }

    #[test]
    fn early_returns_in_nested_loops_leave_both() {
        let code = "func f(xs, ys []int) error {\n\tfor _, x := range xs {\n\t\tfor _, y := range ys {\n\t\t\tif x == y {\n\t\t\t\treturn nil\n\t\t\t}\n\t\t\twork(y)\n\t\t}\n\t}\n\treturn nil\n}\n";
        with_flow(code, |flow, find| {
            let inner = find("for _, y");
            assert_eq!(flow.ways_out(inner).len(), 1);
            assert_eq!(flow.ways_out(find("for _, x")).len(), 1);
            assert_eq!(flow.runs(find("work(y)"), None), Runs::Many);
            // Within the inner loop's body, `work` runs once per iteration.
            let body = inner.child_by_field_id(syntax::field::BODY.id()).unwrap();
            assert_eq!(flow.runs(find("work(y)"), Some(body)), Runs::AtMostOnce);
            // A loop's head runs again after every iteration.
            assert_eq!(flow.runs(find("for _, x"), None), Runs::Many);
        });
    }

    #[test]
    fn switch_cases_exclude_each_other_unless_one_falls_through() {
        let code = "func f(x int) {\n\tswitch x {\n\tcase 1:\n\t\ta()\n\t\tfallthrough\n\tcase 2:\n\t\tb()\n\tcase 3:\n\t\tc()\n\tdefault:\n\t\td()\n\t}\n\te()\n}\n";
        with_flow(code, |flow, find| {
            assert!(!flow.exclusive(find("a()"), find("b()")));
            assert!(flow.exclusive(find("a()"), find("c()")));
            assert!(flow.exclusive(find("b()"), find("d()")));
            assert!(!flow.exclusive(find("d()"), find("e()")));
            assert_eq!(flow.runs(find("e()"), None), Runs::Once);
            assert_eq!(flow.runs(find("b()"), None), Runs::AtMostOnce);
        });
        // A switch with no default can skip every case.
        let no_default =
            "func f(c chan int, x int) {\n\tswitch x {\n\tcase 1:\n\t\tc <- 1\n\t}\n}\n";
        with_flow(no_default, |flow, find| {
            let switch = find("switch x");
            assert!(
                flow.leaves_avoiding(switch, |n| kind_of(n) == "send_statement")
                    .is_some()
            );
        });
    }

    #[test]
    fn a_region_is_left_by_falling_off_its_end_or_jumping_out() {
        let code = "func f(c chan int, x bool) {\n\tif x {\n\t\t<-c\n\t} else {\n\t\tif !x {\n\t\t\treturn\n\t\t}\n\t\t<-c\n\t}\n\twork()\n}\n";
        with_flow(code, |flow, find| {
            let receives =
                |n: Node| kind_of(n) == "expression_statement" && text_of(Some(n), code) == "<-c";
            // The inner `if` can return before the receive.
            assert_eq!(
                flow.leaves_avoiding(find("if x"), receives),
                Some(Leaving::Exit {
                    from: Some(find("return\n"))
                })
            );
            assert_eq!(
                flow.leaves_avoiding(find("if !x"), receives),
                find_exit(flow, find("return\n"))
            );
            let consequence = find("if x")
                .child_by_field_id(syntax::field::CONSEQUENCE.id())
                .unwrap();
            assert_eq!(flow.leaves_avoiding(consequence, receives), None);
            assert_eq!(
                flow.leaves_avoiding(find("work()"), receives),
                Some(Leaving::Exit {
                    from: Some(find("work()"))
                })
            );
        });
        let falls_off = "func f(c chan int, x bool) {\n\tif x {\n\t\t<-c\n\t}\n\twork()\n}\n";
        with_flow(falls_off, |flow, find| {
            let receives = |n: Node| text_of(Some(n), falls_off) == "<-c";
            assert_eq!(
                flow.leaves_avoiding(find("if x"), receives),
                Some(Leaving::To(find("work()")))
            );
        });
    }

    #[test]
    fn the_last_act_allows_only_what_the_caller_allows_after_it() {
        let code = "func f(c chan int, x bool) {\n\tdefer cleanup()\n\tif x {\n\t\tc <- 1\n\t\tclose(c)\n\t\treturn\n\t}\n\tc <- 2\n\tclose(c)\n}\n";
        with_flow(code, |flow, find| {
            let closes_or_returns = |n: Node| {
                let t = text_of(Some(n), code);
                t == "close(c)" || t == "return"
            };
            assert!(flow.is_last_act(find("c <- 1"), closes_or_returns));
            assert!(flow.is_last_act(find("c <- 2"), closes_or_returns));
            assert!(!flow.is_last_act(find("c <- 1"), |_| false));
            assert_eq!(
                flow.defers()
                    .map(|n| text_of(Some(n), code))
                    .collect::<Vec<_>>(),
                ["defer cleanup()"]
            );
        });
        let before = "func f(c chan int, x bool) {\n\tif x {\n\t\tc <- 1\n\t}\n\twork()\n}\n";
        with_flow(before, |flow, find| {
            assert!(!flow.is_last_act(find("c <- 1"), |_| false));
            assert!(flow.is_last_act(find("c <- 1"), |n| text_of(Some(n), before) == "work()"));
        });
        let looped = "func f(c chan int, xs []int) {\n\tfor range xs {\n\t\tc <- 1\n\t}\n}\n";
        with_flow(looped, |flow, find| {
            // The loop head runs after the send, and the send again.
            assert!(!flow.is_last_act(find("c <- 1"), |_| true));
        });
        let deferred = "func f(c chan int) {\n\tc <- 1\n\tdefer done()\n}\n";
        with_flow(deferred, |flow, find| {
            assert!(flow.is_last_act(find("c <- 1"), |n| kind_of(n) == "defer_statement"));
            assert!(!flow.is_last_act(find("c <- 1"), |_| false));
        });
    }

    #[test]
    fn goto_jumps_to_its_label_and_backward_makes_a_cycle() {
        let code = "func f(x bool) {\nagain:\n\twork()\n\tif x {\n\t\tgoto again\n\t}\n\tgoto end\n\tskipped()\nend:\n\tdone()\n}\n";
        with_flow(code, |flow, find| {
            assert_eq!(flow.runs(find("work()"), None), Runs::Many);
            assert_eq!(flow.runs(find("skipped()"), None), Runs::Never);
            assert_eq!(flow.runs(find("done()"), None), Runs::Once);
        });
    }

    #[test]
    fn closures_are_not_entered() {
        let code = "func f(c chan int) {\n\tgo func() {\n\t\tc <- 1\n\t}()\n\treturn\n}\n";
        with_flow(code, |flow, find| {
            assert!(flow.has(find("go func")));
            let source = format!("package p\n\n{code}");
            let at = source.find("c <- 1").unwrap();
            let send = find("go func")
                .descendant_for_byte_range(at, at + 1)
                .unwrap()
                .parent()
                .unwrap();
            assert_eq!(kind_of(send), "send_statement");
            assert!(!flow.has(send));
            assert!(!flow.is_last_act(send, |_| true));
        });
    }

    #[test]
    fn after_a_statement_the_search_stops_at_the_stops_and_reports_the_way_out() {
        let code = "func f(c chan int, x, y bool) int {\n\tgo work()\n\tprepare()\n\tif x {\n\t\treturn 0\n\t}\n\tif y {\n\t\t<-c\n\t}\n\treturn <-c\n}\n";
        with_flow(code, |flow, find| {
            let stops = [find("return <-c")];
            let search = flow.after_avoiding(find("go work()"), None, &stops);
            assert_eq!(
                search.leaves,
                Some(Leaving::Exit {
                    from: Some(find("return 0"))
                })
            );
            assert_eq!(search.reached, stops);
            // The nested receive is a stop too: still the early return.
            let both = [find("<-c\n"), find("return <-c")];
            let search = flow.after_avoiding(find("prepare()"), None, &both);
            assert_eq!(search.reached.len(), 2);
            // From inside the `if x` branch nothing is avoided: it returns.
            let search = flow.after_avoiding(find("if y"), None, &stops);
            assert_eq!(search.leaves, None);
        });
        // A region: a loop around the scope brings control back out of it.
        let looped = "func f(xs []int) {\n\tfor range xs {\n\t\tc := make(chan int)\n\t\tgo work(c)\n\t\tif ok() {\n\t\t\t<-c\n\t\t}\n\t}\n}\n";
        with_flow(looped, |flow, find| {
            let scope = find("c := make").parent().unwrap();
            let search = flow.after_avoiding(find("go work"), Some(scope), &[find("<-c")]);
            assert_eq!(search.leaves, Some(Leaving::To(find("for range"))));
        });
        // A long straight function is one run: the search does not walk its statements.
        let long = format!(
            "func f(c chan int) {{\n\tgo work()\n{}\t<-c\n}}\n",
            "\tx++\n".repeat(1000)
        );
        with_flow(&long, |flow, find| {
            let (run, _) = flow.run_of[flow.step_of(find("go work()")).unwrap() as usize];
            assert!(flow.run(run).len() > 1000);
            let search = flow.after_avoiding(find("go work()"), None, &[find("<-c")]);
            assert_eq!(search.leaves, None);
        });
    }

    #[test]
    fn a_search_stops_at_its_limit() {
        let code =
            "func f(c chan int, x bool) {\n\tgo work()\n\tif x {\n\t\tprintln()\n\t}\n\t<-c\n}\n";
        with_flow(code, |flow, find| {
            let stops = [find("<-c")];
            let search = flow.after_avoiding(find("go work()"), None, &stops);
            assert!(!search.exhausted);
            assert_eq!(search.reached, stops);
            let search = flow.after_avoiding_in_loops(find("go work()"), None, &stops, &[], 2);
            assert!(search.exhausted);
            let search = flow.after_avoiding_in_loops(find("go work()"), None, &stops, &[], 6);
            assert!(!search.exhausted);
            assert_eq!(search.reached, stops);
        });
    }

    #[test]
    fn the_continuation_is_what_runs_next_in_the_same_iteration() {
        let code = "func f(c, d chan int, x bool, xs []int) {\n\tif x {\n\t\tgo work()\n\t\t<-d\n\t} else {\n\t\t<-c\n\t}\n\tselect {\n\tcase <-c:\n\tcase <-d:\n\t}\n\tfor range xs {\n\t\tgo more()\n\t}\n\t<-c\n}\n";
        with_flow(code, |flow, find| {
            let texts = |nodes: Vec<Node>| -> Vec<String> {
                nodes.into_iter().map(|n| text_of(Some(n), code)).collect()
            };
            let uses = |needle: &str| {
                let source = format!("package p\n\n{code}");
                source
                    .match_indices(needle)
                    .map(|(at, _)| {
                        find("{\n\tif x")
                            .descendant_for_byte_range(at, at + needle.len())
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            };
            // From inside the `if`: the rest of its branch, then the statements after the `if`
            // (holding the uses, once each, in order); not the other branch.
            let after_go = flow.following(
                find("go work()"),
                uses("<-c").into_iter().chain(uses("<-d")),
            );
            assert_eq!(
                texts(after_go)
                    .iter()
                    .map(|t| t.lines().next().unwrap().to_string())
                    .collect::<Vec<_>>(),
                ["<-d", "select {", "<-c"]
            );
            // From inside a loop: nothing after the loop is in the same iteration.
            assert!(flow.following(find("go more()"), uses("<-c")).is_empty());
            // The other branch is not on the way; the `select` is.
            let last = find("<-c\n}");
            assert!(!flow.on_the_way(find("go work()"), Some(last), find("<-c\n\t}")));
            assert!(flow.on_the_way(find("go work()"), Some(last), find("select {")));
            assert!(flow.on_the_way(find("go work()"), Some(last), find("<-d\n\t}")));
            assert!(!flow.on_the_way(find("go work()"), Some(find("select {")), last));
        });
        // A `switch` with a `fallthrough`: a later case may run, so it counts as on the way.
        let falls = "func f(c chan int, k int) int {\n\tswitch k {\n\tcase 1:\n\t\tgo work()\n\t\tfallthrough\n\tcase 2:\n\t\treturn 0\n\t}\n\treturn <-c\n}\n";
        with_flow(falls, |flow, find| {
            assert!(flow.on_the_way(
                find("go work()"),
                Some(find("return <-c")),
                find("return 0")
            ));
        });
        let exclusive = falls.replace("\t\tfallthrough\n", "");
        with_flow(&exclusive, |flow, find| {
            assert!(!flow.on_the_way(
                find("go work()"),
                Some(find("return <-c")),
                find("return 0")
            ));
        });
    }

    #[test]
    fn deep_nesting_builds_without_recursion() {
        let depth = 20_000;
        let code = format!(
            "func f(c chan int) {{\n{}c <- 1\n{}}}\n",
            "{\n".repeat(depth),
            "}\n".repeat(depth)
        );
        with_flow(&code, |flow, find| {
            assert!(flow.is_last_act(find("c <- 1"), |_| false));
            assert_eq!(
                flow.exit_avoiding(None, |n| kind_of(n) == "send_statement"),
                None
            );
        });
    }
}
