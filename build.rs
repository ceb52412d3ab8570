//! Compiles the Go grammar: tree-sitter-go 0.25.0 with the Go 1.26 `new(expr)` patch, kept as
//! generated C in `grammar/tree-sitter-go/src` (see `grammar/tree-sitter-go/PATCH.md` for what
//! differs from upstream and `regenerate.sh` for how `parser.c` is made).

fn main() {
    let src = std::path::Path::new("grammar/tree-sitter-go/src");
    let parser = src.join("parser.c");
    println!("cargo:rerun-if-changed={}", parser.display());
    println!(
        "cargo:rerun-if-changed={}",
        src.join("tree_sitter").display()
    );
    cc::Build::new()
        .std("c11")
        .include(src)
        .file(&parser)
        // The parser is on the hot path of every run, tests included: always optimised.
        .opt_level(2)
        // Generated code: its warnings are not ours to fix.
        .warnings(false)
        .compile("tree-sitter-go-patched");
}
