//! A fix that calls a builtin is safe only where the name is the builtin: a package or a
//! function that declares its own `len`, `close`, ... gets the fix as unsafe, never applied by
//! default. And a buffer changes what `len(c)`/`cap(c)` return, so reading them makes a buffer
//! fix unsafe. The leaking examples are the codemods' own seeds, with one declaration added.

use crate::common;

use common::*;
use goleak_fix::edit::Applicability;

fn seed(codemod: &str) -> String {
    let path = repo_root()
        .join("codemods")
        .join(codemod)
        .join("examples/leaking/seed.go");
    std::fs::read_to_string(&path).unwrap()
}

/// The one finding's fix applicability on `text`, and its description.
fn fix_of(text: &str) -> (Applicability, String) {
    let outcome = run_on_text("seed.go", text, true);
    assert_eq!(outcome.findings.len(), 1, "{:#?}", outcome.findings);
    let fix = outcome.findings[0].fix.clone().expect("a fix");
    (fix.applicability, fix.description)
}

#[test]
fn the_seeds_get_safe_fixes() {
    for codemod in ["abandoned-receivers", "ncast-leak", "timeout-leak"] {
        assert_eq!(fix_of(&seed(codemod)).0, Applicability::Safe, "{codemod}");
    }
}

#[test]
fn a_package_level_close_makes_an_inserted_close_unsafe() {
    let text = seed("abandoned-receivers") + "\nfunc close(c chan string) {}\n";
    let (applicability, description) = fix_of(&text);
    assert_eq!(applicability, Applicability::Unsafe, "{description}");
    assert!(
        description.contains("`close` is redeclared"),
        "{description}"
    );
}

#[test]
fn a_package_level_len_makes_a_len_sized_buffer_unsafe() {
    let text = seed("ncast-leak") + "\nvar len = func(xs []int) int { return 0 }\n";
    let (applicability, description) = fix_of(&text);
    assert_eq!(applicability, Applicability::Unsafe, "{description}");
    assert!(description.contains("`len` is redeclared"), "{description}");
}

#[test]
fn a_local_len_in_force_at_the_make_makes_the_fix_unsafe() {
    let text = seed("ncast-leak").replace(
        "\tc := make(chan any)\n",
        "\tlen := 4\n\t_ = len\n\tc := make(chan any)\n",
    );
    assert_eq!(fix_of(&text).0, Applicability::Unsafe);
}

#[test]
fn reading_len_of_the_channel_makes_a_buffer_unsafe() {
    let text = seed("timeout-leak");
    let at = text.find("\tselect {").expect("the seed selects");
    let text = format!(
        "{}\tif len(done) > 0 {{\n\t\treturn\n\t}}\n{}",
        &text[..at],
        &text[at..]
    );
    let (applicability, description) = fix_of(&text);
    assert_eq!(applicability, Applicability::Unsafe, "{description}");
    assert!(description.contains("`len` or `cap`"), "{description}");
}

#[test]
fn a_method_or_field_named_like_a_builtin_changes_nothing() {
    let text = seed("ncast-leak")
        + "\ntype box struct{ len int }\n\nfunc (b box) close() int { return b.len }\n";
    assert_eq!(fix_of(&text).0, Applicability::Safe);
}
