//! The documents the code cites are in the repository: a comment naming a file elsewhere
//! sends the next engineer to something they cannot read.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The words of `line` that name a document by a path from the repository's top directory
/// (`docs/CONTRACT.md`) or by a capitalised file name; placeholders (`<id>`) and
/// absolute or relative paths built at run time are not citations.
fn cited_documents(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c.is_whitespace() || matches!(c, '`' | '(' | ')' | ',' | '"' | ';'))
        .map(|word| word.trim_end_matches(['.', ':']))
        .filter(|word| word.ends_with(".md") && !word.contains('<'))
        .filter(|word| !word.starts_with('/') && !word.starts_with(".."))
        .filter(|word| {
            let name = word.rsplit('/').next().unwrap_or(word);
            word.contains('/') || name.starts_with(|c: char| c.is_ascii_uppercase())
        })
}

#[test]
fn every_document_a_comment_cites_is_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("build.rs")];
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    let mut missing = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let Some((_, comment)) = line.split_once("//") else {
                continue;
            };
            for cited in cited_documents(comment) {
                // A bare name (`PATCH.md`) is found anywhere under the top directory it names.
                let exists = root.join(cited).is_file()
                    || (!cited.contains('/') && found_by_name(root, cited));
                if !exists {
                    missing.push(format!("{}:{}: {cited}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "cited but not in the repository:\n{}",
        missing.join("\n")
    );
}

fn found_by_name(root: &Path, name: &str) -> bool {
    ["", "docs", "grammar/tree-sitter-go"]
        .iter()
        .any(|dir| root.join(dir).join(name).is_file())
}

#[test]
fn the_readme_links_to_the_contract() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("(docs/CONTRACT.md)"));
    assert!(root.join("docs/CONTRACT.md").is_file());
}

/// Each codemod is documented once, in `codemods/<id>/README.md`: its module's doc comment
/// points there and holds none of the README's sections, so the two cannot drift.
#[test]
fn a_codemod_module_points_at_its_readme_instead_of_repeating_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in fs::read_dir(root.join("codemods")).unwrap() {
        let entry = entry.unwrap();
        // Codemods are directories; codemods/go.mod (the examples' module) is not one.
        if !entry.file_type().unwrap().is_dir() {
            continue;
        }
        let id = entry.file_name().to_string_lossy().into_owned();
        let module = root
            .join("src/codemods")
            .join(format!("{}.rs", id.replace('-', "_")));
        let text = fs::read_to_string(&module).unwrap();
        let doc: Vec<&str> = text.lines().take_while(|l| l.starts_with("//!")).collect();
        let doc = doc.join("\n");
        assert!(
            doc.contains(&format!("codemods/{id}/README.md")),
            "{}: the module documentation must point at codemods/{id}/README.md",
            module.display()
        );
        assert!(
            !doc.contains("//! #"),
            "{}: a heading in the module documentation repeats the README",
            module.display()
        );
    }
}

/// Every flag the command line accepts (and every alias it shows) is in the contract, so a
/// new flag cannot ship undocumented.
#[test]
fn every_flag_is_in_the_contract() {
    use clap::CommandFactory;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let contract = fs::read_to_string(root.join("docs/CONTRACT.md")).unwrap();
    let command = goleak_fix::cli::Cli::command();
    let missing: Vec<String> = command
        .get_arguments()
        .flat_map(|arg| arg.get_long_and_visible_aliases().unwrap_or_default())
        .map(|name| format!("--{name}"))
        .filter(|flag| !contract.contains(&format!("`{flag}")))
        .collect();
    assert!(missing.is_empty(), "not in docs/CONTRACT.md: {missing:?}");
}
