//! The function a finding is in, by name: `Serve`, `(*Server).Close`, `Cache.Get`.
//!
//! A name, unlike a line number, survives an unrelated edit above the finding, so it is what
//! identifies a fix from one run to the next: the default `--commit` branch name, SARIF's
//! `partialFingerprints`, and the pull-request body's "in function ..." all use it. A func
//! literal is named by the declared function around it (Go's `F.func1` numbering shifts when
//! another literal is added above); code outside any declared function (a package-level
//! `var f = func() {...}`) has no name.
//!
//! The file is parsed once for all its findings; only files with findings are asked.

use crate::syntax::{self, kind_of};
use tree_sitter::Node;

/// The name of the declared function or method around each of `offsets` in `text`.
///
/// Declarations are top-level, so one pass over the file's top-level nodes, in step with the
/// offsets in sorted order, finds them all: linear in the file and the offsets, however many
/// functions and findings a (generated) file has. (A descent from the root per offset would
/// scan the top-level nodes again for each one.)
pub fn function_names(text: &str, offsets: &[usize]) -> Vec<Option<String>> {
    if offsets.is_empty() {
        return Vec::new();
    }
    let tree = syntax::parse(&mut syntax::go_parser(), text);
    let root = tree.root_node();
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut names = vec![None; offsets.len()];
    let mut cursor = root.walk();
    let mut children = root.children(&mut cursor).peekable();
    for index in order {
        let at = offsets[index];
        while children.next_if(|child| child.end_byte() <= at).is_some() {}
        let Some(&child) = children.peek() else {
            break;
        };
        if child.start_byte() <= at
            && matches!(
                kind_of(child),
                "function_declaration" | "method_declaration"
            )
        {
            names[index] = name_of(child, text);
        }
    }
    names
}

/// `F` for a function, `T.M` or `(*T).M` for a method (type parameters left out).
fn name_of(declaration: Node, text: &str) -> Option<String> {
    let name = syntax::text(declaration.child_by_field_name("name")?, text);
    if kind_of(declaration) == "function_declaration" {
        return Some(name.to_string());
    }
    let receiver = declaration.child_by_field_name("receiver")?;
    let mut cursor = receiver.walk();
    let parameter = receiver
        .named_children(&mut cursor)
        .find(|child| kind_of(child) == "parameter_declaration")?;
    let receiver_type = syntax::text(parameter.child_by_field_name("type")?, text);
    let receiver_type: String = receiver_type
        .split('[')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Some(match receiver_type.strip_prefix('*') {
        Some(pointee) => format!("(*{pointee}).{name}"),
        None => format!("{receiver_type}.{name}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_methods_and_literals_are_named_by_their_declaration() {
        let text = "package p\n\nvar g = func() { make(chan int) }\n\nfunc F() {\n\tgo func() { make(chan int) }()\n}\n\nfunc (s *Server[K]) Close() { make(chan int) }\n\nfunc (c Cache) Get() { make(chan int) }\n";
        let offsets: Vec<usize> = text.match_indices("make").map(|(at, _)| at).collect();
        assert_eq!(
            function_names(text, &offsets),
            [
                None,
                Some("F".to_string()),
                Some("(*Server).Close".to_string()),
                Some("Cache.Get".to_string())
            ]
        );
    }
}
