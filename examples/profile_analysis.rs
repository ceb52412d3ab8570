//! The analysis alone, in memory: reads every package under DIR once, then runs
//! `process_package` (as `--check` does) over all of them on one thread, ROUNDS times (7 by
//! default), and prints the fastest round. No I/O, no threads: the number to watch under a
//! profiler, where the end-to-end benchmark (`bench/run.sh`) is too noisy to see a 5% change.
//!
//!     cargo run --release --example profile_analysis -- DIR
//!     ROUNDS=1 valgrind --tool=callgrind target/release/examples/profile_analysis DIR
use goleak_fix::codemods::REGISTRY;
use goleak_fix::engine::{Settings, process_package};
use goleak_fix::source::SourceFile;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: profile_analysis DIR");
    let walk = goleak_fix::walk::collect(&[dir]);
    let packages: Vec<Vec<SourceFile>> = walk
        .packages
        .into_values()
        .map(|files| goleak_fix::pipeline::read_package(files).0)
        .collect();
    let files: usize = packages.iter().map(Vec::len).sum();
    let settings = Settings::new(REGISTRY.to_vec(), false).report_only();
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(7);
    let mut parser = goleak_fix::syntax::go_parser();
    let mut fastest = f64::MAX;
    let mut findings = 0;
    for _ in 0..rounds {
        let started = std::time::Instant::now();
        findings = packages
            .iter()
            .flat_map(|package| process_package(&mut parser, package.clone(), &settings))
            .map(|outcome| outcome.findings.len())
            .sum::<usize>();
        fastest = fastest.min(started.elapsed().as_secs_f64());
    }
    println!(
        "{files} files, {findings} finding(s): fastest of {rounds} round(s) {:.1} ms",
        fastest * 1000.0
    );
}
