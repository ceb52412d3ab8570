//! The prefilter's losslessness on real code: for every package under each DIR, compares the
//! outcome of parsing only what can matter (the default) with parsing every file whole, and
//! names each package where the findings, fixes or fixed text differ. Exits 1 on any
//! difference. `tests/prefilter.rs` does the same on the examples; this is for checkouts of
//! public repositories, too large to keep in the tests.
//!
//!     cargo run --release --example compare_parsing -- DIR...
use goleak_fix::codemods::REGISTRY;
use goleak_fix::engine::{FileOutcome, Parsing, Settings, process_package_with};
use goleak_fix::syntax::go_parser;
use rayon::prelude::*;

fn summary(outcomes: Vec<FileOutcome>) -> Vec<String> {
    let mut lines: Vec<String> = outcomes
        .into_iter()
        .flat_map(|outcome| {
            let path = outcome.source.display_path.clone();
            let fixed = outcome.fixed.map(|text| format!("{path}: fixed {text:?}"));
            outcome
                .findings
                .into_iter()
                .map(move |f| {
                    format!(
                        "{path}: {:?} {} {} {:?}",
                        f.range, f.codemod, f.message, f.fix
                    )
                })
                .chain(fixed)
        })
        .collect();
    lines.sort();
    lines
}

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    assert!(!dirs.is_empty(), "usage: compare_parsing DIR...");
    let walk = goleak_fix::walk::collect(&dirs);
    let settings = Settings::new(REGISTRY.to_vec(), true);
    let packages: Vec<_> = walk.packages.into_iter().collect();
    let results: Vec<(String, usize, bool)> = packages
        .into_par_iter()
        .map(|(directory, paths)| {
            let (sources, _) = goleak_fix::pipeline::read_package(paths);
            let mut parser = go_parser();
            let run = |parser: &mut _, parsing| {
                summary(process_package_with(
                    parser,
                    sources.clone(),
                    &settings,
                    parsing,
                ))
            };
            let everything = run(&mut parser, Parsing::Everything);
            let filtered = run(&mut parser, Parsing::WhatCanMatter);
            let same = everything == filtered;
            if !same {
                println!("DIFFERENT {}", directory.display());
                println!("  everything: {everything:#?}\n  filtered:   {filtered:#?}");
            }
            (directory.display().to_string(), everything.len(), same)
        })
        .collect();
    let different = results.iter().filter(|(_, _, same)| !same).count();
    let lines: usize = results.iter().map(|(_, lines, _)| lines).sum();
    println!(
        "{} package(s), {lines} finding and fix line(s) when parsing everything, {different} package(s) different",
        results.len()
    );
    std::process::exit(i32::from(different > 0));
}
