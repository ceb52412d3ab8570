//! Thin helpers over tree-sitter-go: parsing, node text, and the structural questions every
//! analysis asks (which function or goroutine a node belongs to, which loops surround it).

use tree_sitter::{Node, Parser, Tree};

unsafe extern "C" {
    /// The grammar compiled by `build.rs` from `grammar/tree-sitter-go`.
    fn tree_sitter_go() -> *const ();
}

/// The Go grammar: tree-sitter-go 0.25.0 patched to read Go 1.26 (`new(expr)`), built from
/// `grammar/tree-sitter-go` (see its `PATCH.md`).
pub const GO_LANGUAGE: tree_sitter_language::LanguageFn =
    // SAFETY: `tree_sitter_go` is the generated parser's entry point, compiled by `build.rs`;
    // it returns a pointer to a static `TSLanguage`, as `LanguageFn` requires.
    unsafe { tree_sitter_language::LanguageFn::from_raw(tree_sitter_go) };

/// A field of the Go grammar, its id looked up once. `child_by_field_name` looks the name up
/// in the grammar's field table on every call (a scan with string compares): a seventieth of a
/// run's instructions on moby, from the hot paths of fact collection. The id is the one that
/// lookup finds, so `child_by_field_id` answers the same.
pub struct Field {
    name: &'static str,
    id: std::sync::OnceLock<u16>,
}

impl Field {
    pub const fn new(name: &'static str) -> Self {
        Field {
            name,
            id: std::sync::OnceLock::new(),
        }
    }

    pub fn id(&self) -> u16 {
        *self.id.get_or_init(|| {
            tree_sitter::Language::from(GO_LANGUAGE)
                .field_id_for_name(self.name)
                .expect("the Go grammar has this field")
                .get()
        })
    }
}

/// The fields looked up in hot paths.
pub mod field {
    use super::Field;
    pub static ALIAS: Field = Field::new("alias");
    pub static ARGUMENTS: Field = Field::new("arguments");
    pub static BODY: Field = Field::new("body");
    pub static COMMUNICATION: Field = Field::new("communication");
    pub static CONDITION: Field = Field::new("condition");
    pub static CONSEQUENCE: Field = Field::new("consequence");
    pub static ALTERNATIVE: Field = Field::new("alternative");
    pub static FIELD: Field = Field::new("field");
    pub static FUNCTION: Field = Field::new("function");
    pub static LABEL: Field = Field::new("label");
    pub static LEFT: Field = Field::new("left");
    pub static NAME: Field = Field::new("name");
    pub static OPERAND: Field = Field::new("operand");
    pub static OPERATOR: Field = Field::new("operator");
    pub static PARAMETERS: Field = Field::new("parameters");
    pub static PATH: Field = Field::new("path");
    pub static RECEIVER: Field = Field::new("receiver");
    pub static RIGHT: Field = Field::new("right");
    pub static TYPE: Field = Field::new("type");
    pub static VALUE: Field = Field::new("value");
    pub static CHANNEL: Field = Field::new("channel");
}

/// Builds a parser for Go. One per thread: parsers are cheap to keep, costly to rebuild per file.
pub fn go_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&GO_LANGUAGE.into())
        .expect("the bundled tree-sitter-go grammar matches the tree-sitter runtime");
    parser
}

pub fn parse(parser: &mut Parser, text: &str) -> Tree {
    parser
        .parse(text, None)
        .expect("parsing without a timeout or cancellation flag always yields a tree")
}

/// Parses only `ranges` of `text` (sorted, disjoint); nodes keep their offsets in `text`.
pub fn parse_ranges(parser: &mut Parser, text: &str, ranges: &[std::ops::Range<usize>]) -> Tree {
    // Rows and columns, counted in one pass over the sorted offsets.
    let mut row = 0;
    let mut counted_to = 0;
    let mut point = |offset: usize| {
        row += memchr::memchr_iter(b'\n', &text.as_bytes()[counted_to..offset]).count();
        counted_to = offset;
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        tree_sitter::Point::new(row, offset - line_start)
    };
    let included: Vec<tree_sitter::Range> = ranges
        .iter()
        .map(|range| {
            let start_point = point(range.start);
            let end_point = point(range.end);
            tree_sitter::Range {
                start_byte: range.start,
                end_byte: range.end,
                start_point,
                end_point,
            }
        })
        .collect();
    let tree = match parser.set_included_ranges(&included) {
        Ok(()) => parse(parser, text),
        // Ranges that tree-sitter refuses: parse it all.
        Err(_) => parse(parser, text),
    };
    parser
        .set_included_ranges(&[])
        .expect("the empty list of ranges is always accepted");
    tree
}

/// `node.kind()`, from a table of the grammar's kind names built once: `Node::kind` measures
/// and checks a C string on every call, and the analysis asks for the kind of every node it
/// walks. Both name the node's (alias-aware) symbol.
pub fn kind_of<'t>(node: impl std::borrow::Borrow<Node<'t>>) -> &'t str {
    static LANGUAGE: std::sync::LazyLock<tree_sitter::Language> =
        std::sync::LazyLock::new(|| GO_LANGUAGE.into());
    static NAMES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        (0..LANGUAGE.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| LANGUAGE.node_kind_for_id(id))
                    .unwrap_or("")
            })
            .collect()
    });
    let node = node.borrow();
    match NAMES.get(usize::from(node.kind_id())) {
        Some(name) if !name.is_empty() => name,
        _ => node.kind(),
    }
}

pub fn text<'s>(node: Node, source: &'s str) -> &'s str {
    &source[node.byte_range()]
}

/// Counts ERROR and MISSING nodes: a fix must never add one. Iterative, entering only the
/// subtrees that hold an error, so neither deep nesting nor a large clean file costs much.
pub fn syntax_error_count(tree: &Tree) -> usize {
    let mut count = 0;
    visit(tree.root_node(), &mut |node| {
        if !node.has_error() {
            return Visit::Skip;
        }
        count += usize::from(node.is_error() || node.is_missing());
        Visit::Descend
    });
    count
}

/// The first ERROR or MISSING node under `node` (or `node` itself), in document order.
pub fn first_syntax_error(node: Node) -> Option<Node> {
    let mut found = None;
    visit(node, &mut |current| {
        if found.is_some() || !current.has_error() {
            return Visit::Skip;
        }
        if current.is_error() || current.is_missing() {
            found = Some(current);
            return Visit::Skip;
        }
        Visit::Descend
    });
    found
}

/// Top-level function and method declarations of a file.
pub fn functions(root: Node) -> impl Iterator<Item = Node> {
    let mut cursor = root.walk();
    let children: Vec<Node> = root.children(&mut cursor).collect();
    children
        .into_iter()
        .filter(|node| matches!(kind_of(node), "function_declaration" | "method_declaration"))
}

/// The name of the top-level function or method declaration around byte `at`, as Go's
/// runtime names it in a stack trace without the package: `Fetch`, `(*Server).run`,
/// `Server.run` (type parameters left out). `None` outside any declaration.
pub fn top_level_function_name(root: Node, source: &str, at: usize) -> Option<String> {
    let mut cursor = root.walk();
    let declaration = root.children(&mut cursor).find(|node| {
        matches!(kind_of(node), "function_declaration" | "method_declaration")
            && node.start_byte() <= at
            && at < node.end_byte()
    })?;
    function_declaration_name(declaration, source)
}

/// `Fetch`, `(*Server).run` or `Server.run` for a function or method declaration.
pub fn function_declaration_name(declaration: Node, source: &str) -> Option<String> {
    let name = text(declaration.child_by_field_id(field::NAME.id())?, source);
    let Some(receiver) = declaration.child_by_field_id(field::RECEIVER.id()) else {
        return Some(name.to_string());
    };
    let mut cursor = receiver.walk();
    let receiver_type = receiver
        .named_children(&mut cursor)
        .find_map(|parameter| parameter.child_by_field_id(field::TYPE.id()))
        .map(|node| text(node, source))?;
    let receiver_type: String = receiver_type
        .split('[')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    Some(match receiver_type.strip_prefix('*') {
        Some(base) => format!("(*{base}).{name}"),
        None => format!("{receiver_type}.{name}"),
    })
}

pub fn is_function_like(node: Node) -> bool {
    matches!(
        kind_of(node),
        "function_declaration" | "method_declaration" | "func_literal"
    )
}

/// The innermost function, method or func literal whose range holds byte `at`: one descent
/// from `root`, no walk.
pub fn innermost_function_at(root: Node, at: usize) -> Option<Node> {
    let mut cursor = root.walk();
    let mut innermost = None;
    while cursor.goto_first_child_for_byte(at).is_some() {
        let node = cursor.node();
        // The first child ending after `at` starts after it: `at` falls between children.
        if node.start_byte() > at {
            break;
        }
        if is_function_like(node) {
            innermost = Some(node);
        }
    }
    innermost
}

pub fn is_loop(node: Node) -> bool {
    kind_of(node) == "for_statement"
}

/// Ancestors of `node`, nearest first, stopping before `root`.
///
/// Found by one descent from `root` rather than by `Node::parent`, which tree-sitter answers
/// by descending from the root of the whole tree every time: climbing a deep node that way
/// costs the square of its depth, and the analysis climbs from every use of a channel.
pub fn ancestors_until<'t>(node: Node<'t>, root: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let path = nodes_between(root, node).unwrap_or_else(|| {
        // `root` is not above `node` (or `node` is empty): climb to the top of the tree.
        let mut up = Vec::new();
        let mut current = node.parent();
        while let Some(here) = current.filter(|here| here.id() != root.id()) {
            up.push(here);
            current = here.parent();
        }
        up.reverse();
        up
    });
    path.into_iter().rev()
}

/// The nodes strictly between `root` and its descendant `node`, outermost first; `None` when
/// `node` is not found below `root` that way.
fn nodes_between<'t>(root: Node<'t>, node: Node<'t>) -> Option<Vec<Node<'t>>> {
    let mut cursor = root.walk();
    let mut between = Vec::new();
    loop {
        // The one child that extends past `node`'s start holds it, if anything here does.
        cursor.goto_first_child_for_byte(node.start_byte())?;
        let child = cursor.node();
        if child.id() == node.id() {
            return Some(between);
        }
        if child.start_byte() > node.start_byte() || child.end_byte() < node.end_byte() {
            return None;
        }
        between.push(child);
    }
}

/// Whether `inner` lies within `outer` (or is it).
pub fn contains(outer: Node, inner: Node) -> bool {
    outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
}

/// The loops around `node` up to `root`, nearest first, ignoring the loop whose own range
/// clause holds `node` (`for v := range c` ranges over `c` but is not a loop around it).
pub fn loops_between<'t>(node: Node<'t>, root: Node<'t>) -> Vec<Node<'t>> {
    ancestors_until(node, root)
        .filter(|ancestor| is_loop(*ancestor))
        .filter(|for_statement| {
            for_statement
                .child_by_field_id(field::BODY.id())
                .is_some_and(|body| contains(body, node))
        })
        .collect()
}

/// The nearest enclosing node that is a statement (a direct child of a `statement_list`).
pub fn enclosing_statement(node: Node) -> Option<Node> {
    let mut current = node;
    loop {
        let parent = current.parent()?;
        if kind_of(parent) == "statement_list" {
            return Some(current);
        }
        if is_function_like(parent) {
            return None;
        }
        current = parent;
    }
}

/// Every descendant of `node` (itself included) for which `keep` holds, not entering
/// `func_literal`s: their code runs elsewhere, at another time.
pub fn descendants_outside_closures<'t>(
    node: Node<'t>,
    keep: &mut dyn FnMut(Node<'t>) -> bool,
) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    visit(node, &mut |current| {
        if kind_of(current) == "func_literal" && current.id() != node.id() {
            return Visit::Skip;
        }
        if keep(current) {
            found.push(current);
        }
        Visit::Descend
    });
    found
}

/// What `visit` does after seeing a node.
pub enum Visit {
    Descend,
    Skip,
}

/// Calls `f` on `node` and its descendants in document order, entering a node's children only
/// when `f` says `Descend`. One cursor for the whole walk: this is the hot loop of the analysis.
pub fn visit<'t>(node: Node<'t>, f: &mut dyn FnMut(Node<'t>) -> Visit) {
    let mut cursor = node.walk();
    loop {
        let descend = matches!(f(cursor.node()), Visit::Descend);
        if descend && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Whether `node` ends the function here: a `return`, a `goto` (it may jump out), or a call that
/// ends the goroutine (`t.Fatal`, `t.FailNow`, `t.Skip` and their forms call `runtime.Goexit`).
/// A `panic` is not counted: it ends the program unless recovered.
pub fn is_exit(node: Node, source: &str) -> bool {
    match kind_of(node) {
        "return_statement" | "goto_statement" => true,
        "call_expression" => callee_name(node, source).is_some_and(|name| {
            name == "runtime.Goexit"
                || name.rsplit_once('.').is_some_and(|(_, method)| {
                    matches!(
                        method,
                        "Fatal" | "Fatalf" | "FailNow" | "Skip" | "Skipf" | "SkipNow"
                    )
                })
        }),
        _ => false,
    }
}

/// Whether control can leave the function from inside `node` (see `is_exit`), not counting
/// closures.
pub fn can_leave_function(node: Node, source: &str) -> bool {
    !descendants_outside_closures(node, &mut |n| is_exit(n, source)).is_empty()
}

/// The statements of a block-like node (`block`, a case clause), in order.
pub fn statements(node: Node) -> Vec<Node> {
    let list = if kind_of(node) == "statement_list" {
        Some(node)
    } else {
        let mut cursor = node.walk();

        node.named_children(&mut cursor)
            .find(|child| kind_of(child) == "statement_list")
    };
    let Some(list) = list else { return Vec::new() };
    let mut cursor = list.walk();
    list.named_children(&mut cursor)
        .filter(|child| kind_of(child) != "comment")
        .collect()
}

/// The callee of a call as a dotted name (`close`, `wg.Wait`, `p.work`), when it is one.
pub fn callee_name<'s>(call: Node, source: &'s str) -> Option<&'s str> {
    let function = call.child_by_field_id(field::FUNCTION.id())?;
    match kind_of(function) {
        "identifier" | "selector_expression" => Some(text(function, source)),
        _ => None,
    }
}

/// Arguments of a call, skipping punctuation and comments.
pub fn call_arguments(call: Node) -> Vec<Node> {
    let Some(arguments) = call.child_by_field_id(field::ARGUMENTS.id()) else {
        return Vec::new();
    };
    let mut cursor = arguments.walk();
    arguments
        .named_children(&mut cursor)
        .filter(|child| kind_of(child) != "comment")
        .collect()
}

/// Whether `node` is, after parentheses, the identifier `name`.
pub fn is_identifier(node: Node, source: &str, name: &str) -> bool {
    let mut node = node;
    while kind_of(node) == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => return false,
        }
    }
    kind_of(node) == "identifier" && text(node, source) == name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_syntax_errors() {
        let mut parser = go_parser();
        assert_eq!(
            syntax_error_count(&parse(&mut parser, "package p\nfunc f() {}\n")),
            0
        );
        assert!(syntax_error_count(&parse(&mut parser, "package p\nfunc f() {\n")) > 0);
    }

    #[test]
    fn finds_the_innermost_function_around_a_byte() {
        let source =
            "package p\n\nvar x = 1\n\nfunc f() {\n\ta := 1\n\tgo func() {\n\t\tb := 2\n\t}()\n}\n";
        let mut parser = go_parser();
        let tree = parse(&mut parser, source);
        let root = tree.root_node();
        let kind_at =
            |needle: &str| innermost_function_at(root, source.find(needle).unwrap()).map(kind_of);
        assert_eq!(kind_at("a := 1"), Some("function_declaration"));
        assert_eq!(kind_at("b := 2"), Some("func_literal"));
        assert_eq!(kind_at("x = 1"), None);
        assert_eq!(kind_at("\n\nfunc f"), None);
    }

    #[test]
    fn ancestors_found_by_descent_are_the_parent_chain() {
        let source = "package p\n\nfunc f(xs []int) {\n\tfor _, x := range xs {\n\t\tgo func() {\n\t\t\tif x > 0 { println(x, (x + 1)) }\n\t\t}()\n\t}\n\tvar _ = struct{ a int }{a: 1}\n}\n";
        let mut parser = go_parser();
        let tree = parse(&mut parser, source);
        let root = tree.root_node();
        let mut nodes = Vec::new();
        visit(root, &mut |node| {
            nodes.push(node);
            Visit::Descend
        });
        let function = nodes
            .iter()
            .copied()
            .find(|node| kind_of(node) == "function_declaration")
            .unwrap();
        for &node in &nodes {
            for top in [root, function] {
                let mut expected = Vec::new();
                let mut current = node.parent();
                while let Some(here) = current.filter(|here| here.id() != top.id()) {
                    expected.push(here.id());
                    current = here.parent();
                }
                let found: Vec<usize> = ancestors_until(node, top).map(|n| n.id()).collect();
                assert_eq!(found, expected, "{} under {}", node.kind(), top.kind());
            }
        }
    }

    #[test]
    fn kinds_from_the_table_are_the_node_kinds() {
        let mut parser = go_parser();
        let tree = parse(
            &mut parser,
            "package p\n\nimport \"fmt\"\n\nfunc f[T any](c chan<- T, v T) { c <- v; fmt.Println(`x`, 'y', 1.5) }\n",
        );
        visit(tree.root_node(), &mut |node| {
            assert_eq!(kind_of(node), node.kind());
            Visit::Descend
        });
    }

    #[test]
    fn a_range_clause_is_not_a_loop_around_its_own_channel() {
        let source = "package p\nfunc f(c chan int) {\n\tfor v := range c {\n\t\t_ = v\n\t}\n}\n";
        let mut parser = go_parser();
        let tree = parse(&mut parser, source);
        let root = tree.root_node();
        let at = source.find("range c").unwrap() + "range ".len();
        let channel = root.descendant_for_byte_range(at, at + 1).unwrap();
        assert_eq!(text(channel, source), "c");
        assert!(loops_between(channel, root).is_empty());
        let at = source.find("_ = v").unwrap();
        let body_node = root.descendant_for_byte_range(at, at + 1).unwrap();
        assert_eq!(loops_between(body_node, root).len(), 1);
    }
}
