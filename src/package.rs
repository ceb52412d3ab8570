//! The files of one Go package (one directory), parsed, with an index of the functions and
//! methods they declare, so that `go worker(c)` can be followed into `worker` even when it is
//! defined in another file.

use crate::facts::body::BodyView;
use crate::go_mod::{self, GoVersion};
use crate::source::SourceFile;
use crate::syntax::{self, text};
use std::collections::{HashMap, HashSet};
use tree_sitter::{Node, Tree};

pub struct ParsedFile {
    pub source: SourceFile,
    pub tree: Tree,
}

/// Index into `Package::files`.
pub type FileId = usize;

#[derive(Clone, Copy)]
pub struct FunctionRef<'a> {
    pub file: FileId,
    pub node: Node<'a>,
}

pub struct Package<'a> {
    pub files: &'a [ParsedFile],
    functions: HashMap<&'a str, Vec<FunctionRef<'a>>>,
    methods: HashMap<&'a str, Vec<FunctionRef<'a>>>,
    /// Method names that some interface of the package declares: a call `x.m()` with such a
    /// name may dispatch anywhere, so it is never resolved to a method of ours.
    interface_methods: HashSet<&'a str>,
    /// Per file, the names it imports packages under (see `import_names`), computed once.
    imports: Vec<HashSet<&'a str>>,
    /// The builtins fixes call that the package redeclares (see `builtins`), found the first
    /// time a fix asks: most packages have no fix at all.
    redeclared_builtins: std::sync::OnceLock<HashSet<&'static str>>,
    /// Every call in the parsed code, by the name it calls, built the first time a codemod
    /// asks (see `calls_of`).
    calls: std::sync::OnceLock<HashMap<&'a str, Vec<Call<'a>>>>,
    /// The module's language version, read the first time a fix asks (see `go_mod`).
    go_version: std::sync::OnceLock<Option<GoVersion>>,
    /// The views of bodies of the package a codemod read (see `body_view`), by body.
    bodies: std::cell::RefCell<HashMap<usize, std::rc::Rc<BodyView<'a>>>>,
    /// What the package's functions do with their channel parameters, each found the first
    /// time an analysed function follows a call into one, and shared by all of them.
    pub summaries: crate::facts::summaries::Summaries<'a>,
}

/// A call `name(...)` or `x.name(...)` somewhere in the package.
#[derive(Clone, Copy)]
pub struct Call<'a> {
    pub file: FileId,
    /// The `call_expression`.
    pub node: Node<'a>,
    /// Called through a selector (`x.name`): a method, or a function of another package.
    pub selector: bool,
}

impl<'a> Package<'a> {
    pub fn new(files: &'a [ParsedFile]) -> Self {
        let mut package = Package {
            files,
            functions: HashMap::new(),
            methods: HashMap::new(),
            interface_methods: HashSet::new(),
            imports: files.iter().map(imports_of).collect(),
            redeclared_builtins: std::sync::OnceLock::new(),
            calls: std::sync::OnceLock::new(),
            go_version: std::sync::OnceLock::new(),
            bodies: Default::default(),
            summaries: Default::default(),
        };
        for (file_id, file) in files.iter().enumerate() {
            let source = file.source.text.as_str();
            let root = file.tree.root_node();
            for function in syntax::functions(root) {
                let Some(name) = function.child_by_field_id(syntax::field::NAME.id()) else {
                    continue;
                };
                let entry = FunctionRef {
                    file: file_id,
                    node: function,
                };
                let table = if function.kind() == "method_declaration" {
                    &mut package.methods
                } else {
                    &mut package.functions
                };
                table.entry(text(name, source)).or_default().push(entry);
            }
            collect_interface_methods(root, source, &mut package.interface_methods);
        }
        package
    }

    /// The view of `body`, a function's or func literal's block in `file` (its flow, exits and
    /// identifiers), built the first time any codemod asks and kept for the package.
    pub fn body_view(&self, file: FileId, body: Node<'a>) -> std::rc::Rc<BodyView<'a>> {
        // Building a view asks nothing of the package: the map is not borrowed twice.
        self.bodies
            .borrow_mut()
            .entry(body.id())
            .or_insert_with(|| std::rc::Rc::new(BodyView::build(body, self.source(file))))
            .clone()
    }

    /// Whether the package declares `name` (a builtin a fix calls) at package level.
    pub fn redeclares_builtin(&self, name: &str) -> bool {
        self.redeclared_builtins
            .get_or_init(|| crate::builtins::redeclared_in(self.files))
            .contains(name)
    }

    /// The names `file` imports packages under.
    pub fn imports(&self, file: FileId) -> &HashSet<&'a str> {
        &self.imports[file]
    }

    /// The calls of the package's parsed code that call `name` (`name(...)` or `x.name(...)`),
    /// in file order. One walk of every parsed tree, the first time any name is asked for.
    pub fn calls_of(&self, name: &str) -> &[Call<'a>] {
        let calls = self.calls.get_or_init(|| {
            let mut calls: HashMap<&'a str, Vec<Call<'a>>> = HashMap::new();
            for (file, parsed) in self.files.iter().enumerate() {
                let source = parsed.source.text.as_str();
                syntax::visit(parsed.tree.root_node(), &mut |node| {
                    if node.kind() == "call_expression"
                        && let Some(function) = node.child_by_field_id(syntax::field::FUNCTION.id())
                    {
                        let (called, selector) = match function.kind() {
                            "identifier" => (Some(function), false),
                            "selector_expression" => {
                                (function.child_by_field_id(syntax::field::FIELD.id()), true)
                            }
                            _ => (None, false),
                        };
                        if let Some(called) = called {
                            calls.entry(text(called, source)).or_default().push(Call {
                                file,
                                node,
                                selector,
                            });
                        }
                    }
                    syntax::Visit::Descend
                });
            }
            calls
        });
        calls.get(name).map_or(&[], Vec::as_slice)
    }

    /// The Go language version of the package's module (the `go` directive of its `go.mod`),
    /// when it can be read within the repository; `None` otherwise.
    pub fn go_version(&self) -> Option<GoVersion> {
        *self.go_version.get_or_init(|| {
            let path = &self.files.first()?.source.path;
            let directory = path
                .parent()
                .filter(|parent| !parent.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            go_mod::language_version(directory)
        })
    }

    pub fn source(&self, file: FileId) -> &'a str {
        &self.files[file].source.text
    }

    /// The one function of this package named `name`; `None` when there is none or several
    /// (per-platform files can each define it, and we cannot tell which one runs).
    pub fn function(&self, name: &str) -> Option<FunctionRef<'a>> {
        unique(self.functions.get(name))
    }

    /// The one method named `name`, unless an interface also declares that name.
    pub fn method(&self, name: &str) -> Option<FunctionRef<'a>> {
        if self.interface_methods.contains(name) {
            return None;
        }
        unique(self.methods.get(name))
    }
}

fn unique<'a>(candidates: Option<&Vec<FunctionRef<'a>>>) -> Option<FunctionRef<'a>> {
    match candidates.map(Vec::as_slice) {
        Some([only]) => Some(*only),
        _ => None,
    }
}

/// The method names of every interface type in the file, named or anonymous (`x interface{
/// Close() error }`): found from each `interface` keyword in the text, one descent each,
/// rather than by walking every node of the file.
fn collect_interface_methods<'a>(root: Node<'a>, source: &'a str, names: &mut HashSet<&'a str>) {
    for at in memchr::memmem::find_iter(source.as_bytes(), b"interface") {
        // The keyword's own token; a word that merely contains it, a comment or a string is
        // some other node.
        let Some(keyword) = root.descendant_for_byte_range(at, at + "interface".len()) else {
            continue;
        };
        if keyword.kind() != "interface" || keyword.is_named() {
            continue;
        }
        let Some(interface_type) = keyword.parent().filter(|p| p.kind() == "interface_type") else {
            continue;
        };
        let mut cursor = interface_type.walk();
        for element in interface_type.named_children(&mut cursor) {
            if element.kind() == "method_elem"
                && let Some(name) = element.child_by_field_id(syntax::field::NAME.id())
            {
                names.insert(text(name, source));
            }
        }
    }
}

/// `import_names` of the file, also when its header was left unparsed (see
/// `engine::process_package_with`): a tree that starts past the header, of a file whose header
/// `prefilter::header_imports` reads, has its imports read from that text. Any other tree (one
/// that holds the header's `package` clause, or a file with any other header) is read as it is.
fn imports_of(file: &ParsedFile) -> HashSet<&str> {
    let root = file.tree.root_node();
    let source = file.source.text.as_str();
    let header_end = crate::prefilter::header_end(source);
    if root.start_byte() >= header_end
        && let Some(specs) = crate::prefilter::header_imports(&source[..header_end])
    {
        return specs
            .into_iter()
            .map(|(alias, path)| import_name(alias, path))
            .collect();
    }
    import_names(root, source)
}

/// The name a spec imports its package under: its alias, or the last element of its path
/// (the literal, with its quotes).
fn import_name<'a>(alias: Option<&'a str>, path: &'a str) -> &'a str {
    if let Some(alias) = alias {
        return alias;
    }
    let path = path.trim_matches(['"', '`']);
    let last = path.rsplit('/').next().unwrap_or(path);
    // `gopkg.in/yaml.v3` is imported as `yaml`, `foo/v2` as `foo`.
    let last =
        if last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit())
        {
            path.rsplit('/').nth(1).unwrap_or(last)
        } else {
            last
        };
    last.split('.').next().unwrap_or(last)
}

/// The names a file imports packages under (`fmt`, `errgroup`, an alias), so that `pkg.F(c)`
/// is not mistaken for a method call.
pub fn import_names<'a>(root: Node<'a>, source: &'a str) -> HashSet<&'a str> {
    let mut names = HashSet::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "import_spec" => {
                let alias = node
                    .child_by_field_id(syntax::field::NAME.id())
                    .map(|alias| text(alias, source));
                if let Some(path) = node.child_by_field_id(syntax::field::PATH.id()) {
                    names.insert(import_name(alias, text(path, source)));
                } else if let Some(alias) = alias {
                    names.insert(alias);
                }
            }
            "source_file" | "import_declaration" | "import_spec_list" => {
                let mut cursor = node.walk();
                stack.extend(node.children(&mut cursor));
            }
            _ => {}
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{go_parser, parse};

    fn package_of(text: &str) -> Vec<ParsedFile> {
        let tree = parse(&mut go_parser(), text);
        let source = SourceFile::new("p.go".into(), "p.go".into(), text.to_string());
        vec![ParsedFile { source, tree }]
    }

    #[test]
    fn methods_an_interface_declares_are_never_resolved() {
        let files = package_of(
            "package p\n\ntype T struct{}\n\nfunc (T) Close() error { return nil }\nfunc (T) Run()          {}\nfunc (T) Drain()        {}\nfunc (T) Stop()         {}\n\ntype closer interface {\n\tClose() error\n}\n\nfunc use(x interface{ Run() }) {\n\tvar _ interface {\n\t\tio(f interface{ Drain() })\n\t}\n}\n\n// not an interface { Stop() }, nor is this: \"interface { Stop() }\"\nvar interfaces = 1\n",
        );
        let package = Package::new(&files);
        for name in ["Close", "Run", "Drain"] {
            assert!(
                package.method(name).is_none(),
                "{name} is an interface method"
            );
        }
        assert!(
            package.method("Stop").is_some(),
            "`Stop` appears only in a comment and a string"
        );
    }

    #[test]
    fn a_function_declared_twice_is_not_resolved() {
        let files = package_of("package p\n\nfunc once() {}\nfunc twice() {}\nfunc twice() {}\n");
        let package = Package::new(&files);
        assert!(package.function("once").is_some());
        assert!(package.function("twice").is_none());
    }
}
