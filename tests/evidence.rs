//! `--evidence` fed with real evidence: the example programs of `codemods/*/examples` are
//! built and run with Go, and each writes, once its goroutines have settled, what a service
//! would expose (`tests/go/evidence/evidence.go`): the goroutine dump (debug=2), the goroutine
//! profile (gzipped protobuf), and in a build with `GOEXPERIMENT=goroutineleakprofile` the
//! goroutineleak profile in both forms. A `go test` with go.uber.org/goleak v1.3.0 gives a
//! goleak failure. The evidence is then read back against a checkout of the same programs in
//! another directory (another machine's paths), and with `-trimpath`.
//!
//! Then what no Go run makes: huge, cut, binary and hostile evidence files.

use crate::common;

use common::go_build::GoPrograms;
use common::*;
use rayon::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The wait every example program ends with before it counts its goroutines.
const WAIT: &str = "time.Sleep(300 * time.Millisecond)";
/// What it becomes: settle (tests/go/settle.go), then write the evidence, on the same line so
/// that every line number stays the example's own.
const WAIT_AND_WRITE: &str = "time.Sleep(goleakFixSettle()); goleakFixWriteEvidence()";
const SETTLE_GO: &str = include_str!("go/settle.go");
const EVIDENCE_GO: &str = include_str!("go/evidence/evidence.go");
const UNRELATED_GO: &str = include_str!("go/evidence/unrelated.go");

/// The programs, built once (see `common::go_build`: kept under `target/`, so a warm run links
/// only what changed), and the checkout the evidence is read against,
/// `checkout/examples/<key>/main.go`: the same text in another directory.
struct Lab {
    root: tempfile::TempDir,
    programs: GoPrograms,
    /// (key, codemod, kind) of every example.
    examples: Vec<(String, String, String)>,
}

impl Lab {
    fn checkout(&self) -> PathBuf {
        self.root.path().join("checkout")
    }

    /// A checkout of only the examples of `codemod`, at the same relative paths. Each example
    /// is checked against its own evidence here: its neighbours are the programs most like it
    /// (the same leak, the same names), and a scan of a tenth of the examples per run is what
    /// keeps a hundred such runs cheap. The tests with one piece of evidence read the full
    /// checkout.
    fn codemod_checkout(&self, codemod: &str) -> PathBuf {
        self.root.path().join("by-codemod").join(codemod)
    }
}

fn go_command(dir: &Path, cache: Option<&Path>) -> Command {
    let mut command = Command::new("go");
    command
        .current_dir(dir)
        .env("GOFLAGS", "-mod=mod")
        .env("GO111MODULE", "on")
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off");
    if let Some(cache) = cache {
        command.env(
            "GOCACHE",
            std::env::var_os("GOCACHE").unwrap_or(cache.into()),
        );
    }
    command
}

fn suite_cache() -> PathBuf {
    repo_root().join("target").join("go-build-cache")
}

/// Writes one program (its wait made to write the evidence, and the two helpers) and, under
/// `checkout` when given, the example as written.
fn add_program(programs: &mut GoPrograms, checkout: Option<&Path>, key: &str, text: &str) {
    add_program_with(programs, checkout, key, text, &[]);
}

/// `add_program` of a multi-file example: `others` (file name, text) beside its `main.go`.
fn add_program_with(
    programs: &mut GoPrograms,
    checkout: Option<&Path>,
    key: &str,
    text: &str,
    others: &[(String, String)],
) {
    assert_eq!(
        text.matches(WAIT).count(),
        1,
        "{key}: one `{WAIT}` expected"
    );
    programs.write(key, "main.go", &text.replace(WAIT, WAIT_AND_WRITE));
    programs.write(key, "settle.go", SETTLE_GO);
    programs.write(key, "evidence.go", EVIDENCE_GO);
    for (name, other) in others {
        programs.write(key, name, other);
    }
    if let Some(checkout) = checkout {
        write_example(checkout, key, text, others);
    }
}

/// The example as written, at `checkout/examples/<key>/`.
fn write_example(checkout: &Path, key: &str, text: &str, others: &[(String, String)]) {
    let dir = checkout.join("examples").join(key);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.go"), text).unwrap();
    for (name, other) in others {
        std::fs::write(dir.join(name), other).unwrap();
    }
}

/// Every example (and the unrelated program) built once, with one `go build`.
fn lab() -> &'static Lab {
    static LAB: OnceLock<Lab> = OnceLock::new();
    LAB.get_or_init(|| {
        let root = tempfile::tempdir().unwrap();
        let checkout = root.path().join("checkout");
        let mut programs = GoPrograms::open("evidence", "module example.com/build\n\ngo 1.26\n");
        let mut examples = Vec::new();
        for id in codemod_ids() {
            for kind in ["leaking", "clean"] {
                for path in common::examples(id, kind) {
                    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
                    let key = format!("{id}.{kind}.{name}");
                    let text = std::fs::read_to_string(&path).unwrap();
                    let companions = common::companions(&path);
                    add_program_with(&mut programs, Some(&checkout), &key, &text, &companions);
                    let by_codemod = root.path().join("by-codemod").join(id);
                    write_example(&by_codemod, &key, &text, &companions);
                    examples.push((key, id.to_string(), kind.to_string()));
                }
            }
        }
        add_program(&mut programs, Some(&checkout), "unrelated", UNRELATED_GO);
        let _ = writeln!(
            std::io::stderr(),
            "evidence: building {} Go programs...",
            examples.len() + 1
        );
        let output = programs.build(|| {
            let mut command = go_command(&programs.src(), Some(&suite_cache()));
            command.arg("build");
            command
        });
        assert!(
            output.status.success(),
            "go build: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Lab {
            root,
            programs,
            examples,
        }
    })
}

/// Runs `binary` with the evidence directory set; returns the directory.
fn run_for_evidence(binary: &Path, out: &Path) -> PathBuf {
    std::fs::create_dir_all(out).unwrap();
    let output = Command::new(binary)
        .env("GOLEAK_FIX_EVIDENCE_DIR", out)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    assert!(
        output.status.success(),
        "{}: {}",
        binary.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    out.to_path_buf()
}

/// The evidence of the program `key` of the lab. Every program runs once, all at the same
/// time: each spends most of its life waiting for its goroutines to settle (at least 300 ms
/// when some are left), so running them one after another was most of this suite's time.
fn evidence_of(key: &str) -> PathBuf {
    static EVIDENCE: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    let all = EVIDENCE.get_or_init(|| {
        let lab = lab();
        let keys = lab
            .examples
            .iter()
            .map(|(key, _, _)| key.as_str())
            .chain(["unrelated"]);
        std::thread::scope(|scope| {
            let runs: Vec<_> = keys
                .map(|key| {
                    scope.spawn(move || {
                        let out = lab.root.path().join("evidence").join(key);
                        (
                            key.to_string(),
                            run_for_evidence(&lab.programs.binary(key), &out),
                        )
                    })
                })
                .collect();
            runs.into_iter()
                .map(|run| run.join().expect("a program's run panicked"))
                .collect()
        })
    });
    all.get(key)
        .unwrap_or_else(|| panic!("no program {key} in the lab"))
        .clone()
}

/// `goleak-fix --check --format json --evidence FILE...` over the whole checkout.
fn check_with(dir: &Path, evidence: &[&Path], extra: &[&str]) -> (Value, Output) {
    let mut args: Vec<String> = vec!["--check".into(), "--format".into(), "json".into()];
    for file in evidence {
        args.push("--evidence".into());
        args.push(file.display().to_string());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(".".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = goleak_fix(dir, &args);
    let document = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stderr(&output)));
    (document, output)
}

fn confirmed(document: &Value) -> Vec<(String, Value)> {
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("evidence").is_some())
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["evidence"].clone(),
            )
        })
        .collect()
}

fn checkout_path(key: &str) -> String {
    format!("examples/{key}/main.go")
}

/// Examples whose leaked goroutine blocks inside a named function or method that the `go`
/// statement calls, not in the function that makes the channel: a profile has no `created by`
/// frame, so only a dump can tie them to the finding.
const BLOCKED_IN_A_CALLEE: &[&str] = &[
    "abandoned-producers.leaking.producer_in_other_file",
    "abandoned-receivers.leaking.counter_send_loop",
    "abandoned-receivers.leaking.method_worker",
    "abandoned-receivers.leaking.seed",
    "double-send.leaking.named_func",
    "premature-return.leaking.named_func",
];

#[test]
fn each_leaking_example_is_confirmed_by_its_own_dump_and_profile() {
    let lab = lab();
    let leaking: Vec<(&str, &str)> = lab
        .examples
        .iter()
        .filter(|(_, _, kind)| kind == "leaking")
        .map(|(key, codemod, _)| (key.as_str(), codemod.as_str()))
        .collect();
    let failures: Vec<String> = leaking
        .par_iter()
        .flat_map(|(key, codemod)| confirmation_failures(&lab.codemod_checkout(codemod), key))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What is wrong with how the evidence of the leaking example `key` confirms its finding in
/// `checkout`.
fn confirmation_failures(checkout: &Path, key: &str) -> Vec<String> {
    let mut failures = Vec::new();
    {
        let dir = evidence_of(key);
        let (dump, _) = check_with(checkout, &[&dir.join("goroutine.txt")], &[]);
        let found = confirmed(&dump);
        let expected = checkout_path(key);
        if found.len() != 1 || found[0].0 != expected {
            failures.push(format!("{key}: dump confirmed {found:?}"));
            return failures;
        }
        let state = found[0].1["state"].as_str().unwrap().to_string();
        if !["chan send", "chan receive", "select"].contains(&state.as_str())
            || found[0].1["goroutines"].as_u64().unwrap() < 1
        {
            failures.push(format!("{key}: evidence {}", found[0].1));
        }
        // Confirmed findings come first in every format.
        if dump["findings"][0]["path"] != expected.as_str() {
            failures.push(format!("{key}: the confirmed finding is not first"));
        }
        if !dump["unexplained"].as_array().unwrap().is_empty() {
            failures.push(format!("{key}: unexplained {}", dump["unexplained"]));
        }
        let (profile, _) = check_with(checkout, &[&dir.join("goroutine.pb.gz")], &[]);
        let found = confirmed(&profile);
        let by_profile = found.len() == 1 && found[0].0 == expected;
        if by_profile == BLOCKED_IN_A_CALLEE.contains(&key) {
            failures.push(format!("{key}: profile confirmed {found:?}"));
        }
    }
    failures
}

#[test]
fn clean_examples_get_nothing() {
    let lab = lab();
    let clean: Vec<(&str, &str)> = lab
        .examples
        .iter()
        .filter(|(_, _, kind)| kind == "clean")
        .map(|(key, codemod, _)| (key.as_str(), codemod.as_str()))
        .collect();
    clean.par_iter().for_each(|(key, codemod)| {
        let dir = evidence_of(key);
        for file in ["goroutine.txt", "goroutine.pb.gz"] {
            let (document, _) = check_with(&lab.codemod_checkout(codemod), &[&dir.join(file)], &[]);
            assert!(
                confirmed(&document).is_empty(),
                "{key} {file}: {document:#}"
            );
            assert_eq!(
                document["summary"]["evidence"]["blocked"], 0,
                "{key} {file}"
            );
            assert_eq!(
                document["unexplained"],
                serde_json::json!([]),
                "{key} {file}"
            );
        }
    });
}

#[test]
fn an_unrelated_blocked_goroutine_is_unexplained_with_its_line_and_function() {
    let lab = lab();
    let dir = evidence_of("unrelated");
    let (document, output) = check_with(&lab.checkout(), &[&dir.join("goroutine.txt")], &[]);
    assert!(confirmed(&document).is_empty(), "{document:#}");
    let unexplained = document["unexplained"].as_array().unwrap();
    let places: BTreeSet<(String, u64, String, String, String)> = unexplained
        .iter()
        .map(|u| {
            (
                u["path"].as_str().unwrap().to_string(),
                u["line"].as_u64().unwrap(),
                u["function"].as_str().unwrap().to_string(),
                u["state"].as_str().unwrap().to_string(),
                u["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let path = checkout_path("unrelated");
    assert_eq!(
        places,
        BTreeSet::from([
            (
                path.clone(),
                18,
                "holdAndWait".into(),
                "sync.Mutex.Lock".into(),
                "mu.Lock()".into()
            ),
            (
                path.clone(),
                25,
                "waitForSignal".into(),
                "chan receive".into(),
                "<-ready".into()
            ),
        ]),
        "{document:#}\n{}",
        stderr(&output)
    );
    // The text report lists them after the findings, one line each.
    let text = goleak_fix(
        &lab.checkout(),
        &[
            "--check",
            "--evidence",
            dir.join("goroutine.txt").to_str().unwrap(),
            ".",
        ],
    );
    let text = stdout(&text);
    assert!(
        text.contains(&format!("unexplained: {path}:25: 1 goroutine(s) blocked in chan receive, waiting under a minute in waitForSignal: <-ready\n")),
        "{text}"
    );
}

#[test]
fn evidence_only_fixes_only_what_the_evidence_confirms_and_never_an_unsafe_fix() {
    let lab = lab();
    let seed = evidence_of("timeout-leak.leaking.seed");
    let unsafe_key = "ncast-leak.leaking.counter_loop";
    let unsafe_dump = evidence_of(unsafe_key);
    let args = |only: bool| {
        let mut args = vec![
            "--dry-run".to_string(),
            "--evidence".into(),
            seed.join("goroutine.txt").display().to_string(),
            "--evidence".into(),
            unsafe_dump.join("goroutine.txt").display().to_string(),
        ];
        if only {
            args.push("--evidence-only".into());
        }
        args.push(".".into());
        args
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        stdout(&goleak_fix(&lab.checkout(), &args))
    };
    let everything = run(args(false));
    let files = |diff: &str| -> BTreeSet<String> {
        diff.lines()
            .filter_map(|l| l.strip_prefix("+++ b/"))
            .map(str::to_string)
            .collect()
    };
    assert!(files(&everything).len() > 20, "{everything}");
    let only = run(args(true));
    // The unsafe fix is confirmed too, but evidence never makes a fix safe.
    assert_eq!(
        files(&only),
        BTreeSet::from([checkout_path("timeout-leak.leaking.seed")]),
        "{only}"
    );
    let (document, _) = check_with(
        &lab.checkout(),
        &[
            &seed.join("goroutine.txt"),
            &unsafe_dump.join("goroutine.txt"),
        ],
        &["--evidence-only"],
    );
    let findings = document["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{document:#}");
    assert!(findings.iter().all(|f| f.get("evidence").is_some()));
    let unsafe_finding = findings
        .iter()
        .find(|f| f["path"] == checkout_path(unsafe_key).as_str())
        .unwrap();
    assert_eq!(unsafe_finding["fix"]["applicability"], "unsafe");
}

#[test]
fn confirmed_findings_are_in_sarif_and_the_pull_request_body() {
    let lab = lab();
    let seed = evidence_of("timeout-leak.leaking.seed");
    let unrelated = evidence_of("unrelated");
    let dump = seed.join("goroutine.txt");
    let other = unrelated.join("goroutine.txt");
    let output = goleak_fix(
        &lab.checkout(),
        &[
            "--check",
            "--format",
            "sarif",
            "--evidence",
            dump.to_str().unwrap(),
            ".",
        ],
    );
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let marked: Vec<&Value> = results
        .iter()
        .filter(|r| r["properties"].get("evidence").is_some())
        .collect();
    assert_eq!(marked.len(), 1, "{sarif:#}");
    assert_eq!(marked[0]["properties"]["evidence"]["state"], "chan send");
    let body = lab.root.path().join("pr.md");
    let _ = goleak_fix(
        &lab.checkout(),
        &[
            "--dry-run",
            "--pr-body",
            body.to_str().unwrap(),
            "--evidence",
            dump.to_str().unwrap(),
            "--evidence",
            other.to_str().unwrap(),
            "--evidence-only",
            ".",
        ],
    );
    let body = std::fs::read_to_string(body).unwrap();
    assert!(
        body.contains("- **Run-time evidence**: ") && body.contains("goroutine(s) in chan send.\n"),
        "{body}"
    );
    assert!(
        body.contains("## What the run-time evidence shows"),
        "{body}"
    );
    assert!(body.contains("in `waitForSignal`: `<-ready`"), "{body}");
}

/// The goroutineleak profile (Go 1.26, `GOEXPERIMENT=goroutineleakprofile`), built with
/// `-trimpath` so that its frames name files by import path, not by this machine's paths.
#[test]
fn the_goroutineleak_profile_confirms_leaks_by_import_path() {
    let lab = lab();
    let mut programs = GoPrograms::open(
        "evidence-leak-profile",
        "module example.com/evidence\n\ngo 1.26\n",
    );
    let keys = [
        "timeout-leak.leaking.seed",
        "premature-return.leaking.named_func",
        "unrelated",
    ];
    for key in keys {
        let text = std::fs::read_to_string(lab.checkout().join(checkout_path(key))).unwrap();
        add_program(&mut programs, None, key, &text);
    }
    // The experiment rebuilds the standard library: Go's default cache, which `--verify`'s
    // tests fill with the same build.
    let output = programs.build(|| {
        let mut command = go_command(&programs.src(), None);
        command
            .env("GOEXPERIMENT", "goroutineleakprofile")
            .args(["build", "-trimpath"]);
        command
    });
    assert!(
        output.status.success(),
        "go build with the experiment: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = lab.root.path().join("leak-out");
    let evidence = |key: &str| run_for_evidence(&programs.binary(key), &out.join(key));

    let seed = evidence("timeout-leak.leaking.seed");
    let text = std::fs::read_to_string(seed.join("goroutineleak.txt")).unwrap();
    assert!(text.contains("(leaked)]:"), "{text}");
    assert!(
        text.contains("example.com/evidence/timeout-leak.leaking.seed/main.go:"),
        "{text}"
    );
    for file in ["goroutineleak.txt", "goroutineleak.pb.gz"] {
        let (document, output) = check_with(&lab.checkout(), &[&seed.join(file)], &[]);
        let found = confirmed(&document);
        assert_eq!(found.len(), 1, "{file}: {document:#}\n{}", stderr(&output));
        assert_eq!(found[0].0, checkout_path("timeout-leak.leaking.seed"));
        // Three calls to Example leaked three senders.
        assert_eq!(found[0].1["goroutines"], 3, "{file}");
    }
    let named = evidence("premature-return.leaking.named_func");
    let (document, _) = check_with(&lab.checkout(), &[&named.join("goroutineleak.txt")], &[]);
    assert_eq!(confirmed(&document).len(), 1, "{document:#}");

    // Only what the profile proved leaked counts: the goroutine waiting on a mutex that a
    // global still holds is blocked, not leaked.
    let unrelated = evidence("unrelated");
    for file in ["goroutineleak.txt", "goroutineleak.pb.gz"] {
        let (document, _) = check_with(&lab.checkout(), &[&unrelated.join(file)], &[]);
        let unexplained = document["unexplained"].as_array().unwrap();
        assert!(
            unexplained
                .iter()
                .any(|u| u["function"] == "waitForSignal" && u["state"] == "chan receive"),
            "{file}: {document:#}"
        );
    }
    let (document, _) = check_with(
        &lab.checkout(),
        &[&unrelated.join("goroutineleak.txt")],
        &[],
    );
    assert_eq!(
        document["unexplained"].as_array().unwrap().len(),
        1,
        "{document:#}"
    );
}

/// go.uber.org/goleak v1.3.0 must be in the module cache (`.ci/run` downloads it); the test
/// runs offline.
#[test]
fn a_goleak_failure_in_go_test_output_confirms_the_finding() {
    let lab = lab();
    let module = lab.root.path().join("goleak");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        module.join("go.mod"),
        "module example.com/gl\n\ngo 1.26\n\nrequire go.uber.org/goleak v1.3.0\n",
    )
    .unwrap();
    std::fs::write(
        module.join("go.sum"),
        "go.uber.org/goleak v1.3.0 h1:2K3zAYmnTNqV73imy9J1T3WC+gmCePx2hEGkimedGto=\n\
         go.uber.org/goleak v1.3.0/go.mod h1:CoHD4mav9JJNrW/WLlf7HGZPjdw8EucARQHekz1X6bE=\n",
    )
    .unwrap();
    let seed = std::fs::read_to_string(
        lab.checkout()
            .join(checkout_path("timeout-leak.leaking.seed")),
    )
    .unwrap();
    std::fs::write(module.join("main.go"), &seed).unwrap();
    std::fs::write(
        module.join("main_test.go"),
        "package main\n\nimport (\n\t\"testing\"\n\n\t\"go.uber.org/goleak\"\n)\n\n\
         func TestExample(t *testing.T) {\n\tdefer goleak.VerifyNone(t)\n\tExample()\n}\n",
    )
    .unwrap();
    let output = go_command(&module, Some(&suite_cache()))
        .args(["test", "-count=1", "."])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        printed.contains("found unexpected goroutines:"),
        "go test with goleak (is go.uber.org/goleak@v1.3.0 in the module cache? \
         `go mod download go.uber.org/goleak@v1.3.0`):\n{printed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = module.join("go-test.txt");
    std::fs::write(&report, &printed).unwrap();
    // The checkout holds the same file under another directory.
    let checkout = lab.root.path().join("checkout-goleak");
    std::fs::create_dir_all(checkout.join("goleak")).unwrap();
    std::fs::write(checkout.join("goleak").join("main.go"), &seed).unwrap();
    std::fs::write(checkout.join("goleak").join("other.go"), "package main\n").unwrap();
    let (document, output) = check_with(&checkout, &[&report], &[]);
    let found = confirmed(&document);
    assert_eq!(
        found.len(),
        1,
        "{document:#}\n{}\n{printed}",
        stderr(&output)
    );
    assert_eq!(found[0].0, "goleak/main.go");
    assert_eq!(found[0].1["state"], "chan send");
    assert!(
        stderr(&output).contains("goleak failure"),
        "{}",
        stderr(&output)
    );
    // The same output through the standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_goleak-fix"))
        .args(["--check", "--format", "json", "--evidence", "-", "."])
        .current_dir(&checkout)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(printed.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(confirmed(&document).len(), 1, "{document:#}");
}

// ---- Evidence no Go run makes ----

const LEAKY_DUMP: &str = "goroutine 9 [chan send, 7 minutes]:\nmain.fetch.func1()\n\t/build/svc/pkg/a.go:8 +0x1e\ncreated by main.fetch in goroutine 1\n\t/build/svc/pkg/a.go:7 +0x5f\n\n";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_dump_of_a_hundred_thousand_goroutines_is_read_and_counted() {
    let dir = tree(&[("pkg/a.go", LEAKY)]);
    let mut dump =
        String::from("goroutine 1 [running]:\nmain.main()\n\t/build/svc/main.go:3 +0x1\n\n");
    for id in 0..100_000 {
        dump.push_str(&LEAKY_DUMP.replacen("goroutine 9", &format!("goroutine {}", id + 10), 1));
    }
    let file = write(dir.path(), "dump.txt", dump.as_bytes());
    let (document, _) = check_with(dir.path(), &[&file], &[]);
    let found = confirmed(&document);
    assert_eq!(found.len(), 1, "{document:#}");
    assert_eq!(
        found[0].1,
        serde_json::json!({"goroutines": 100000, "state": "chan send", "waiting": "up to 7 minutes"})
    );
    assert_eq!(document["summary"]["evidence"]["goroutines"], 100_001);
}

#[test]
fn binary_junk_a_cut_gzip_and_a_missing_file_are_errors_naming_the_file() {
    let dir = tree(&[("pkg/a.go", LEAKY)]);
    let junk = write(
        dir.path(),
        "junk.bin",
        &[0u8, 159, 146, 150, 1, 2, 255, 10, 0, 0],
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(LEAKY_DUMP.repeat(100).as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let cut = write(dir.path(), "cut.pb.gz", &gz[..gz.len() / 2]);
    let not_proto = write(dir.path(), "text.gz", &gz);
    for (file, reason) in [
        (junk.as_path(), "not a goroutine dump"),
        (cut.as_path(), "a gzipped file that does not unpack"),
        (not_proto.as_path(), "not a pprof profile"),
        (
            Path::new("missing.txt"),
            "cannot read: No such file or directory",
        ),
        (Path::new("pkg"), "cannot read: it is a directory"),
    ] {
        let output = goleak_fix(
            dir.path(),
            &["--dry-run", "--evidence", file.to_str().unwrap(), "."],
        );
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{file:?}: {err}");
        assert!(
            err.contains(&format!("--evidence {}: {reason}", file.display())),
            "{file:?}: {err}"
        );
        assert!(!err.contains("os error"), "{err}");
        // Refused before anything was read or written: no diff.
        assert_eq!(stdout(&output), "", "{file:?}");
    }
    let output = goleak_fix(dir.path(), &["--evidence-only", "."]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "--evidence-only needs --evidence"
    );
}

#[test]
fn hostile_names_in_the_evidence_are_escaped_everywhere() {
    let dir = tree(&[
        ("a/pkg/x.go", CLEAN),
        ("b/pkg/x.go", CLEAN),
        ("pkg/a.go", LEAKY),
    ]);
    let dump = "goroutine 5 [chan send]:\nmain.f\u{1b}]8;;http://evil\u{7}x\u{202e}()\n\t/build/pkg/x.go:4 +0x1\n\n\
goroutine 6 [sync.Mutex.Lock]:\nmain.g\u{1b}[31m()\n\t/b\u{1b}[1m/\u{202e}/pkg/x.go:4 +0x1\n\n";
    let file = write(dir.path(), "dump.txt", dump.as_bytes());
    let output = goleak_fix(
        dir.path(),
        &["--check", "--evidence", file.to_str().unwrap(), "."],
    );
    let text = stdout(&output) + &stderr(&output);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(!text.contains('\u{202e}'), "{text}");
    assert!(
        text.contains("ambiguous: matches a/pkg/x.go, b/pkg/x.go equally"),
        "{text}"
    );
    let (document, _) = check_with(dir.path(), &[&file], &[]);
    let json = document.to_string();
    assert!(
        !json.contains('\u{1b}') && !json.contains("\\u001b"),
        "{json}"
    );
    assert!(!json.contains('\u{202e}'), "{json}");
    assert_eq!(
        document["summary"]["evidence"]["ambiguous"], 2,
        "{document:#}"
    );
}

#[test]
fn commit_reads_the_evidence_against_the_committed_files() {
    let dir = tree(&[("pkg/a.go", LEAKY), ("pkg/c.go", CLEAN)]);
    commit_all(dir.path());
    // Outside the repository's files: the dump is not committed.
    let evidence = tempfile::tempdir().unwrap();
    let dump = write(evidence.path(), "dump.txt", LEAKY_DUMP.as_bytes());
    let body = evidence.path().join("pr.md");
    let output = goleak_fix(
        dir.path(),
        &[
            "--commit",
            "--format",
            "json",
            "--evidence-only",
            "--evidence",
            dump.to_str().unwrap(),
            "--pr-body",
            body.to_str().unwrap(),
            ".",
        ],
    );
    let document: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
    assert_eq!(
        document["summary"]["evidence"]["confirmed"], 1,
        "{document:#}"
    );
    assert_eq!(
        document["commit"][0]["files"],
        serde_json::json!(["pkg/a.go"]),
        "{document:#}"
    );
    let body = std::fs::read_to_string(body).unwrap();
    assert!(
        body.contains("### `pkg/a.go`")
            && body.contains("- **Run-time evidence**: 1 goroutine(s) in chan send.\n"),
        "{body}"
    );
}
