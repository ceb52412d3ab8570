//! The grammar reads all of today's Go: every `.go` file of the local Go installation's
//! `src/` parses with no ERROR or MISSING node, except the files Go itself keeps as invalid
//! on purpose (test data whose syntax `gofmt` rejects, or that carries the type checker's
//! `ERROR` annotations, and `// errorcheck` programs). And Go 1.26's `new(expr)` parses,
//! while every older form keeps the tree tree-sitter-go 0.25.0 gave it.

use goleak_fix::syntax::{go_parser, kind_of, parse, syntax_error_count};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn goroot() -> PathBuf {
    let output = Command::new("go")
        .args(["env", "GOROOT"])
        .output()
        .expect("the Go toolchain is needed for the grammar test (`go` on PATH)");
    assert!(output.status.success(), "go env GOROOT failed");
    PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
}

fn go_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            go_files(&path, found);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "go") {
            found.push(path);
        }
    }
}

/// Whether Go keeps `path` as deliberately invalid: an errorcheck program, or test data that
/// gofmt rejects or that annotates the errors it expects.
fn deliberately_invalid(path: &Path, text: &str) -> bool {
    let head: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    if head.contains("// errorcheck") {
        return true;
    }
    if !path.components().any(|c| c.as_os_str() == "testdata") {
        return false;
    }
    if text.contains("/* ERROR") || text.contains("// ERROR") {
        return true;
    }
    let gofmt = Command::new("gofmt")
        .arg("-e")
        .arg("-l")
        .arg(path)
        .output()
        .expect("gofmt");
    !gofmt.status.success() || !gofmt.stderr.is_empty()
}

#[test]
fn every_go_file_of_the_go_installation_parses() {
    let src = goroot().join("src");
    let mut files = Vec::new();
    go_files(&src, &mut files);
    assert!(
        files.len() > 5_000,
        "only {} files under {}",
        files.len(),
        src.display()
    );
    let failing: Vec<(PathBuf, String)> = files
        .par_iter()
        .filter_map(|path| {
            let text = String::from_utf8(std::fs::read(path).ok()?).ok()?;
            let tree = parse(&mut go_parser(), &text);
            (syntax_error_count(&tree) > 0).then(|| (path.clone(), text))
        })
        .collect();
    let unexpected: Vec<String> = failing
        .iter()
        .filter(|(path, text)| !deliberately_invalid(path, text))
        .map(|(path, _)| {
            path.strip_prefix(&src)
                .unwrap_or(path)
                .display()
                .to_string()
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} of {} files do not parse (of {} failing, the rest are invalid on purpose):\n{}",
        unexpected.len(),
        files.len(),
        failing.len(),
        unexpected.join("\n")
    );
}

/// The s-expression of the first function's body in `package p; func f() { <statement> }`.
fn body_tree(statement: &str) -> String {
    let text = format!("package p\n\nfunc f() {{\n\t{statement}\n}}\n");
    let tree = parse(&mut go_parser(), &text);
    assert_eq!(
        syntax_error_count(&tree),
        0,
        "{statement}: {}",
        tree.root_node().to_sexp()
    );
    let function = tree.root_node().named_child(1).unwrap();
    assert_eq!(kind_of(function), "function_declaration");
    function.child_by_field_name("body").unwrap().to_sexp()
}

#[test]
fn new_takes_an_expression_since_go_1_26() {
    for statement in [
        "p := new(\"abc\")",
        "p := new(3)",
        "p := new(f())",
        "p := new(x + 1)",
        "p := new(T{A: 1})",
        "p := new([]int{1, 2})",
        "o := Options{Retry: new(3)}",
    ] {
        let tree = body_tree(statement);
        assert!(!tree.contains("ERROR"), "{statement}: {tree}");
    }
}

#[test]
fn types_in_make_and_new_keep_their_old_trees() {
    assert!(body_tree("c := make(chan int)").contains("(argument_list (channel_type"));
    assert!(
        body_tree("c := make(chan int, n)")
            .contains("(argument_list (channel_type value: (type_identifier)) (identifier))")
    );
    assert!(body_tree("s := new(ProcessorSuite)").contains("(argument_list (type_identifier))"));
    assert!(body_tree("s := new(pkg.T)").contains("(argument_list (qualified_type"));
    assert!(body_tree("m := make(map[string]int)").contains("(argument_list (map_type"));
}

#[test]
fn generic_functions_named_like_builtins_parse() {
    let text = "package p\n\nfunc new[T any](v T) *T { return &v }\n\nfunc make[T any](n int) []T { return nil }\n\nfunc f() {\n\t_ = new[int](3)\n\t_ = make[string](2)\n}\n";
    let tree = parse(&mut go_parser(), text);
    assert_eq!(
        syntax_error_count(&tree),
        0,
        "{}",
        tree.root_node().to_sexp()
    );
}
