//! Never lose a byte: bad input, hostile trees and interrupted runs. Each test snapshots the
//! whole tree (bytes, modes, symlinks) before and after the run and checks that nothing but the
//! expected fixes changed.

use crate::common;

use common::{LEAKY, goleak_fix, stderr};
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn fixed(text: &str) -> String {
    text.replace("make(chan string)", "make(chan string, 1)")
}

fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    dir
}

/// Everything in a tree, symlinks not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    File {
        bytes: Vec<u8>,
        mode: u32,
    },
    Directory {
        mode: u32,
    },
    Symlink(PathBuf),
    /// A FIFO, a device: never opened (that could block).
    Special {
        mode: u32,
    },
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, Entry> {
    fn visit(root: &Path, dir: &Path, entries: &mut BTreeMap<PathBuf, Entry>) {
        for child in fs::read_dir(dir).unwrap() {
            let path = child.unwrap().path();
            let metadata = fs::symlink_metadata(&path).unwrap();
            let mode = metadata.permissions().mode() & 0o7777;
            let entry = if metadata.file_type().is_symlink() {
                Entry::Symlink(fs::read_link(&path).unwrap())
            } else if metadata.is_dir() {
                visit(root, &path, entries);
                Entry::Directory { mode }
            } else if !metadata.is_file() {
                Entry::Special { mode }
            } else {
                Entry::File {
                    bytes: fs::read(&path).unwrap(),
                    mode,
                }
            };
            entries.insert(path.strip_prefix(root).unwrap().to_path_buf(), entry);
        }
    }
    let mut entries = BTreeMap::new();
    visit(root, root, &mut entries);
    entries
}

/// `after` is `before` with only the files in `changed` given new bytes (mode kept).
fn assert_only_changed(
    before: &BTreeMap<PathBuf, Entry>,
    after: &BTreeMap<PathBuf, Entry>,
    changed: &[(&str, &[u8])],
) {
    let mut expected = before.clone();
    for (path, bytes) in changed {
        match expected.get_mut(Path::new(path)) {
            Some(Entry::File { bytes: old, .. }) => *old = bytes.to_vec(),
            other => panic!("{path} is not a file in the tree: {other:?}"),
        }
    }
    let paths = |tree: &BTreeMap<PathBuf, Entry>| tree.keys().cloned().collect::<Vec<_>>();
    assert_eq!(paths(after), paths(&expected), "files appeared or vanished");
    for (path, entry) in &expected {
        assert!(
            after[path] == *entry,
            "{} is not as expected",
            path.display()
        );
    }
}

#[test]
fn a_function_with_a_syntax_error_is_left_alone_and_the_intact_one_is_fixed() {
    let broken = "
func broken() string {
\tc := make(chan string)
\tgo func() {
\t\tc <- \"x\"
\t}()
\tselect {
\tcase v := <-c:
\t\treturn v
\tcase <-time.After(time.Millisecond):
\t\treturn \"\" +
\t}
}
";
    let original = format!("{LEAKY}{broken}");
    let dir = tree(&[("a.go", original.as_bytes())]);
    let before = snapshot(dir.path());
    let output = goleak_fix(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let expected = format!("{}{broken}", fixed(LEAKY));
    assert_only_changed(
        &before,
        &snapshot(dir.path()),
        &[("a.go", expected.as_bytes())],
    );
}

#[test]
fn a_closure_inside_a_broken_function_is_left_alone_too() {
    // The func literal parses on its own, but the function around it does not: its shape (and
    // so what the closure captures and who receives) is a guess.
    let broken = "
func brokenOuter() {
\trun := func() string {
\t\tc := make(chan string)
\t\tgo func() {
\t\t\tc <- \"x\"
\t\t}()
\t\tselect {
\t\tcase v := <-c:
\t\t\treturn v
\t\tcase <-time.After(time.Millisecond):
\t\t\treturn \"\"
\t\t}
\t}
\t_ = run(
}
";
    let original = format!("{LEAKY}{broken}");
    let dir = tree(&[("a.go", original.as_bytes())]);
    let before = snapshot(dir.path());
    let output = goleak_fix(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let expected = format!("{}{broken}", fixed(LEAKY));
    assert_only_changed(
        &before,
        &snapshot(dir.path()),
        &[("a.go", expected.as_bytes())],
    );
}

#[test]
fn a_non_utf8_file_is_named_and_left_alone_while_the_rest_is_fixed() {
    let latin1 = [LEAKY.as_bytes(), b"// caf\xe9\n"].concat();
    let dir = tree(&[("latin1.go", &latin1), ("good.go", LEAKY.as_bytes())]);
    let before = snapshot(dir.path());
    let output = goleak_fix(dir.path(), &["./..."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("latin1.go: not valid UTF-8"),
        "{}",
        stderr(&output)
    );
    assert_only_changed(
        &before,
        &snapshot(dir.path()),
        &[("good.go", fixed(LEAKY).as_bytes())],
    );
}

#[test]
fn a_bom_crlf_and_mixed_line_endings_are_kept_byte_for_byte() {
    let bom = format!("\u{feff}{LEAKY}");
    let crlf = LEAKY.replace('\n', "\r\n");
    // Every other line ends in CRLF; the inserted `close` line takes its neighbour's ending.
    let producer = "package main\n\nfunc run(records []string) {\n\tinput := make(chan string, len(records))\n\tfor _, r := range records {\n\t\tinput <- r\n\t}\n\tfor i := 0; i < 2; i++ {\n\t\tgo func() {\n\t\t\tfor range input {\n\t\t\t}\n\t\t}()\n\t}\n}\n";
    let mixed: String = producer
        .split_inclusive('\n')
        .enumerate()
        .map(|(index, line)| {
            if index % 2 == 0 {
                line.replace('\n', "\r\n")
            } else {
                line.to_string()
            }
        })
        .collect();
    let dir = tree(&[
        ("bom.go", bom.as_bytes()),
        ("crlf.go", crlf.as_bytes()),
        ("mixed.go", mixed.as_bytes()),
    ]);
    let before = snapshot(dir.path());
    let output = goleak_fix(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // `close` goes after the loop's `}`, and its line ends the way that line ended.
    let loop_end = if mixed.contains("\t}\r\n\tfor i") {
        "\t}\r\n"
    } else {
        "\t}\n"
    };
    let mixed_fixed = mixed.replacen(
        &format!("{loop_end}\tfor i"),
        &format!("{loop_end}\tclose(input){}\tfor i", &loop_end[2..]),
        1,
    );
    assert_ne!(mixed_fixed, mixed);
    let after = snapshot(dir.path());
    let Entry::File { bytes, .. } = &after[Path::new("mixed.go")] else {
        panic!("mixed.go is a file");
    };
    assert_eq!(String::from_utf8_lossy(bytes), mixed_fixed);
    assert_only_changed(
        &before,
        &after,
        &[
            ("bom.go", fixed(&bom).as_bytes()),
            ("crlf.go", fixed(&crlf).as_bytes()),
            ("mixed.go", mixed_fixed.as_bytes()),
        ],
    );
}

#[test]
fn empty_and_blank_files_are_scanned_and_left_alone() {
    let dir = tree(&[
        ("empty.go", b""),
        ("blank.go", b"\n\r\n  \t\n"),
        ("package_only.go", b"package main"),
    ]);
    let before = snapshot(dir.path());
    for args in [&["--check"][..], &["--dry-run"][..], &[][..]] {
        let output = goleak_fix(dir.path(), args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    assert_only_changed(&before, &snapshot(dir.path()), &[]);
}

#[test]
fn a_10_mb_generated_file_is_skipped_quickly() {
    let mut generated = String::from("// Code generated by bigtable-gen. DO NOT EDIT.\n\n");
    let mut index = 0;
    while generated.len() < 10 * 1024 * 1024 {
        generated.push_str(
            &LEAKY[LEAKY.find("func").unwrap()..]
                .replace("func fetch()", &format!("func fetch{index}()")),
        );
        index += 1;
    }
    generated.insert_str(
        generated.find("\n\n").unwrap() + 2,
        "package main\n\nimport \"time\"\n\n",
    );
    let dir = tree(&[
        ("big.go", generated.as_bytes()),
        ("small.go", LEAKY.as_bytes()),
    ]);
    let before = snapshot(dir.path());
    let started = Instant::now();
    let output = goleak_fix(dir.path(), &[]);
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        elapsed < Duration::from_secs(10),
        "a generated file must be skipped, not analysed: took {elapsed:?}"
    );
    assert_only_changed(
        &before,
        &snapshot(dir.path()),
        &[("small.go", fixed(LEAKY).as_bytes())],
    );
}

#[test]
fn a_directory_named_like_a_go_file_is_walked_not_read() {
    let dir = tree(&[
        ("x.go/inner.go", LEAKY.as_bytes()),
        ("a.go", LEAKY.as_bytes()),
    ]);
    let before = snapshot(dir.path());
    let check = goleak_fix(dir.path(), &["--check", "x.go"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(String::from_utf8_lossy(&check.stdout).starts_with("x.go/inner.go:6:7: "));
    let output = goleak_fix(dir.path(), &["./..."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_only_changed(
        &before,
        &snapshot(dir.path()),
        &[
            ("a.go", fixed(LEAKY).as_bytes()),
            ("x.go/inner.go", fixed(LEAKY).as_bytes()),
        ],
    );
}

#[test]
fn dangling_symlinks_and_symlink_loops_are_named_and_the_rest_is_fixed() {
    let dir = tree(&[("a.go", LEAKY.as_bytes())]);
    symlink("missing.go", dir.path().join("dangling.go")).unwrap();
    symlink("loop2.go", dir.path().join("loop1.go")).unwrap();
    symlink("loop1.go", dir.path().join("loop2.go")).unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    // A directory loop: not followed, so not even an error.
    symlink("..", dir.path().join("sub/up")).unwrap();
    let before = snapshot(dir.path());
    let output = goleak_fix(dir.path(), &["./..."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let errors = stderr(&output);
    for name in ["dangling.go", "loop1.go", "loop2.go"] {
        assert!(
            errors
                .lines()
                .any(|line| line.starts_with("goleak-fix: ") && line.contains(name)),
            "{name} not named: {errors}"
        );
    }
    assert!(!errors.contains("sub/up"), "{errors}");
    assert_only_changed(
        &before,
        &snapshot(dir.path()),
        &[("a.go", fixed(LEAKY).as_bytes())],
    );
    // Named on the command line, a dangling symlink is an error too.
    let output = goleak_fix(dir.path(), &["dangling.go"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("dangling.go"));
}

#[test]
fn nothing_outside_the_scanned_tree_is_written_through_a_symlink() {
    let dir = tree(&[
        ("outside/leak.go", LEAKY.as_bytes()),
        ("root/real.go", LEAKY.as_bytes()),
    ]);
    let root = dir.path().join("root");
    symlink("../outside/leak.go", root.join("escape.go")).unwrap();
    symlink("../outside", root.join("escape_dir")).unwrap();
    // Inside the tree: the target is fixed where it is, once; the link stays a link.
    symlink("real.go", root.join("alias.go")).unwrap();
    let before = snapshot(dir.path());

    let output = goleak_fix(&root, &["./..."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(
        errors.contains("escape.go: symbolic link to") && errors.contains("outside"),
        "{errors}"
    );
    assert!(
        !errors.contains("escape_dir"),
        "directories are not followed: {errors}"
    );
    assert!(!errors.contains("alias.go"), "{errors}");
    assert!(errors.contains("fixed real.go"), "{errors}");
    assert_only_changed(
        &before,
        &snapshot(dir.path()),
        &[("root/real.go", fixed(LEAKY).as_bytes())],
    );

    // Named on the command line, a link out of the current directory is refused too.
    let output = goleak_fix(&root, &["escape.go"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("outside"), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(dir.path().join("outside/leak.go")).unwrap(),
        LEAKY
    );
    // And `--check` does not read through it either.
    let output = goleak_fix(&root, &["--check", "escape_dir/..."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn control_characters_in_a_file_name_are_escaped_on_stderr() {
    let name = "evil\x1b[2J\nfixed all.go";
    let dir = tree(&[(name, LEAKY.as_bytes())]);
    let output = goleak_fix(dir.path(), &["./..."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let errors = stderr(&output);
    assert!(
        errors.contains("fixed evil\\u{1b}[2J\\nfixed all.go: 1 leak (timeout-leak)"),
        "{errors}"
    );
    assert!(!errors.contains('\x1b'), "{errors}");
}

#[test]
fn a_file_reached_through_two_arguments_is_fixed_once() {
    let dir = tree(&[("pkg/a.go", LEAKY.as_bytes())]);
    let before = snapshot(dir.path());
    let output = goleak_fix(dir.path(), &["./...", "pkg/...", "pkg/a.go"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stderr(&output).matches("fixed ").count(),
        1,
        "{}",
        stderr(&output)
    );
    assert_only_changed(
        &before,
        &snapshot(dir.path()),
        &[("pkg/a.go", fixed(LEAKY).as_bytes())],
    );
}

#[test]
fn a_file_changed_deleted_or_replaced_by_a_symlink_since_it_was_read_is_not_written() {
    use goleak_fix::write::write_atomically;
    let dir = tree(&[("a.go", LEAKY.as_bytes()), ("target.go", LEAKY.as_bytes())]);
    let path = dir.path().join("a.go");
    let edited_by_someone = format!("{LEAKY}// edited\n");
    fs::write(&path, &edited_by_someone).unwrap();
    let before = snapshot(dir.path());
    let error = write_atomically(&path, LEAKY, &fixed(LEAKY)).unwrap_err();
    assert!(
        format!("{error:#}").contains("changed on disk"),
        "{error:#}"
    );
    assert_only_changed(&before, &snapshot(dir.path()), &[]);

    fs::remove_file(&path).unwrap();
    let before = snapshot(dir.path());
    let error = write_atomically(&path, LEAKY, &fixed(LEAKY)).unwrap_err();
    assert!(format!("{error:#}").contains("vanished"), "{error:#}");
    assert_only_changed(&before, &snapshot(dir.path()), &[]);

    symlink("target.go", &path).unwrap();
    let before = snapshot(dir.path());
    let error = write_atomically(&path, LEAKY, &fixed(LEAKY)).unwrap_err();
    assert!(format!("{error:#}").contains("symbolic link"), "{error:#}");
    assert_only_changed(&before, &snapshot(dir.path()), &[]);

    // The unchanged case still writes, keeping the mode.
    let target = dir.path().join("target.go");
    fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
    write_atomically(&target, LEAKY, &fixed(LEAKY)).unwrap();
    assert_eq!(fs::read_to_string(&target).unwrap(), fixed(LEAKY));
    assert_eq!(fs::metadata(&target).unwrap().mode() & 0o777, 0o600);
}

#[test]
fn a_file_deleted_between_the_last_check_and_the_rename_is_not_recreated() {
    use goleak_fix::write::write_atomically_with;
    let dir = tree(&[("a.go", LEAKY.as_bytes()), ("b.go", LEAKY.as_bytes())]);
    let path = dir.path().join("a.go");
    let mut expected = snapshot(dir.path());
    expected.remove(Path::new("a.go"));
    let error = write_atomically_with(&path, LEAKY, &fixed(LEAKY), &mut || {
        fs::remove_file(&path).unwrap()
    })
    .unwrap_err();
    assert_eq!(
        format!("{error:#}"),
        "it vanished since it was read; not recreated"
    );
    assert_only_changed(&expected, &snapshot(dir.path()), &[]);
}

#[test]
fn a_file_changed_between_the_last_check_and_the_rename_keeps_the_change() {
    use goleak_fix::write::write_atomically_with;
    let dir = tree(&[("a.go", LEAKY.as_bytes())]);
    let path = dir.path().join("a.go");
    let theirs = format!("{LEAKY}// theirs\n");
    let error = write_atomically_with(&path, LEAKY, &fixed(LEAKY), &mut || {
        fs::write(&path, &theirs).unwrap()
    })
    .unwrap_err();
    assert!(
        format!("{error:#}").contains("changed on disk"),
        "{error:#}"
    );
    let after = snapshot(dir.path());
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(fs::read_to_string(&path).unwrap(), theirs);
}

#[test]
fn a_fix_replaces_the_file_so_a_hard_link_keeps_the_old_content() {
    let dir = tree(&[("a.go", LEAKY.as_bytes())]);
    fs::hard_link(dir.path().join("a.go"), dir.path().join("alias.txt")).unwrap();
    let output = goleak_fix(dir.path(), &["a.go"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        fs::read_to_string(dir.path().join("a.go")).unwrap(),
        fixed(LEAKY)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("alias.txt")).unwrap(),
        LEAKY,
        "documented in the README: the other name keeps the old file"
    );
}

/// Whether this process can write whatever the permission bits say (root).
fn ignores_permission_bits() -> bool {
    let probe = tempfile::NamedTempFile::new().unwrap();
    fs::set_permissions(probe.path(), fs::Permissions::from_mode(0o444)).unwrap();
    fs::OpenOptions::new()
        .write(true)
        .open(probe.path())
        .is_ok()
}

const NOBODY: u32 = 65534;

#[test]
fn read_only_files_and_directories_are_named_and_the_rest_is_fixed() {
    let dir = tree(&[
        ("ok.go", LEAKY.as_bytes()),
        ("readonly.go", LEAKY.as_bytes()),
        ("locked/a.go", LEAKY.as_bytes()),
    ]);
    fs::set_permissions(
        dir.path().join("readonly.go"),
        fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    // Root writes whatever the permission bits say; run as `nobody` instead, owning the tree,
    // so that the bits mean what they say.
    let unprivileged = !ignores_permission_bits() || hand_to_nobody(dir.path());
    fs::set_permissions(dir.path().join("locked"), fs::Permissions::from_mode(0o555)).unwrap();
    let before = snapshot(dir.path());
    let mut command = Command::new(env!("CARGO_BIN_EXE_goleak-fix"));
    command.current_dir(dir.path()).arg("./...");
    if unprivileged && ignores_permission_bits() {
        std::os::unix::process::CommandExt::uid(&mut command, NOBODY);
        std::os::unix::process::CommandExt::gid(&mut command, NOBODY);
    }
    let output = command.output().expect("run goleak-fix");
    fs::set_permissions(dir.path().join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
    let mut before = before;
    before.insert(PathBuf::from("locked"), Entry::Directory { mode: 0o755 });

    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{errors}");
    // The read-only file is refused by goleak-fix itself, whoever runs it.
    assert!(
        errors.contains("goleak-fix: readonly.go: it is read-only"),
        "{errors}"
    );
    assert!(errors.contains("fixed ok.go"), "{errors}");
    let fixed_leaky = fixed(LEAKY);
    let mut changed = vec![("ok.go", fixed_leaky.as_bytes())];
    if unprivileged {
        assert!(
            errors.contains("goleak-fix: locked/a.go: cannot create a temporary file"),
            "{errors}"
        );
    } else {
        eprintln!(
            "SKIPPED one assertion: running as root and unable to run as `nobody`, so the \
             read-only directory does not stop the write of locked/a.go"
        );
        changed.push(("locked/a.go", fixed_leaky.as_bytes()));
    }
    assert_only_changed(&before, &snapshot(dir.path()), &changed);
}

/// Gives the tree to `nobody`, if this process may; `false` when it may not.
fn hand_to_nobody(root: &Path) -> bool {
    let paths = snapshot(root).into_keys().map(|path| root.join(path));
    let chowned = std::iter::once(root.to_path_buf())
        .chain(paths)
        .all(|path| std::os::unix::fs::lchown(path, Some(NOBODY), Some(NOBODY)).is_ok());
    // Can `nobody` start a process at all here (setuid allowed, the binary reachable)?
    chowned && fs::set_permissions(root, fs::Permissions::from_mode(0o755)).is_ok() && {
        let mut probe = Command::new(env!("CARGO_BIN_EXE_goleak-fix"));
        probe.arg("--version");
        std::os::unix::process::CommandExt::uid(&mut probe, NOBODY);
        std::os::unix::process::CommandExt::gid(&mut probe, NOBODY);
        probe.output().is_ok_and(|output| output.status.success())
    }
}

/// `n` packages of `per_package` leaking files each.
fn many_leaks(root: &Path, n: usize, per_package: usize) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for package in 0..n {
        let dir = root.join(format!("p{package:04}"));
        fs::create_dir_all(&dir).unwrap();
        for file in 0..per_package {
            let path = dir.join(format!("f{file}.go"));
            fs::write(
                &path,
                LEAKY.replace("func fetch()", &format!("func fetch{file}()")),
            )
            .unwrap();
            files.push(path);
        }
    }
    files
}

/// Runs goleak-fix over a tree of leaking files, sends `signal` once the writes have started,
/// and checks that every file is the original or the fixed version and no temp file is left.
/// Returns whether the signal landed before the run ended (on a very fast disk it may not).
fn interrupt_mid_run(packages: usize, signal: &str, expected_status: i32) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let files = many_leaks(dir.path(), packages, 5);
    let mut child = Command::new(env!("CARGO_BIN_EXE_goleak-fix"))
        .arg("./...")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    // Wait for the writes to start, then interrupt.
    loop {
        line.clear();
        let read = stderr.read_line(&mut line).unwrap();
        assert!(read > 0, "the run ended before writing anything");
        if line.starts_with("fixed ") {
            break;
        }
    }
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    let interrupted = status.code() == Some(expected_status);
    assert!(
        interrupted || status.code() == Some(0),
        "{status:?}: {rest}"
    );

    let mut fixed_files = 0;
    for path in &files {
        let text = fs::read_to_string(path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy();
        let original = LEAKY.replace(
            "func fetch()",
            &format!("func fetch{}()", name.trim_start_matches('f')),
        );
        if text == fixed(&original) {
            fixed_files += 1;
        } else {
            assert_eq!(text, original, "{} is half-written", path.display());
        }
    }
    assert!(
        fixed_files > 0,
        "the first write was reported, so it happened"
    );
    if interrupted {
        assert!(
            fixed_files < files.len(),
            "interrupted, yet all fixed: {rest}"
        );
    }
    let leftovers: Vec<_> = snapshot(dir.path())
        .into_keys()
        .filter(|path| path.to_string_lossy().contains(".goleak-fix-"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    interrupted
}

/// `interrupt_mid_run` on ever larger trees until the signal lands mid-run.
fn interrupt_some_run(signal: &str, expected_status: i32) {
    let landed = [60, 240, 960]
        .into_iter()
        .any(|packages| interrupt_mid_run(packages, signal, expected_status));
    assert!(landed, "every run ended before the signal arrived");
}

#[test]
fn sigterm_mid_run_leaves_every_file_old_or_new_and_no_temp_file() {
    interrupt_some_run("-TERM", 143);
}

#[test]
fn sigint_mid_run_leaves_every_file_old_or_new_and_no_temp_file() {
    interrupt_some_run("-INT", 130);
}

/// The walk found `root/<path>` a regular file; `swap` then puts something else there, as a
/// racer would between the walk and the read. Returns what the read made of it: the texts
/// analysed and the errors named.
fn read_after_swap(path: &str, swap: impl FnOnce(&Path)) -> (Vec<String>, Vec<String>) {
    use goleak_fix::codemods::REGISTRY;
    use goleak_fix::engine::Settings;
    use goleak_fix::pipeline::{self, Progress};
    let secret = format!("{LEAKY}// SECRET: the key line of a file outside the tree\n");
    let dir = tree(&[
        ("outside/a.go", secret.as_bytes()),
        ("outside/pkg/a.go", secret.as_bytes()),
        (&format!("root/{path}"), LEAKY.as_bytes()),
    ]);
    let root = dir.path().join("root");
    let walk = goleak_fix::walk::collect(&[root.display().to_string()]);
    assert_eq!(
        walk.packages.values().flatten().count(),
        1,
        "{:?}",
        walk.packages
    );
    swap(&root);
    let settings = Settings::new(REGISTRY.to_vec(), false);
    let analysis = pipeline::analyse_walked(
        walk.packages,
        &walk.identities,
        &walk.package_bytes,
        &settings,
        &Progress::hidden(),
    );
    let texts: Vec<String> = analysis
        .outcomes
        .iter()
        .flat_map(|o| [o.source.text.clone(), o.fixed.clone().unwrap_or_default()])
        .chain(
            analysis
                .outcomes
                .iter()
                .flat_map(|o| o.findings.iter().map(|f| format!("{f:?}"))),
        )
        .collect();
    let errors = analysis
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.reason))
        .collect();
    (texts, errors)
}

#[test]
fn a_go_file_swapped_for_a_link_outside_after_the_walk_is_never_read_through_it() {
    // The file itself becomes a link to a file outside the tree.
    let (texts, errors) = read_after_swap("a.go", |root| {
        fs::remove_file(root.join("a.go")).unwrap();
        symlink("../outside/a.go", root.join("a.go")).unwrap();
    });
    assert!(texts.iter().all(|t| !t.contains("SECRET")), "{texts:?}");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("a.go: it is a symbolic link now; not read through"),
        "{errors:?}"
    );
    assert!(!errors[0].contains("SECRET"), "{errors:?}");

    // A directory on its path becomes a link outside: the last component is a regular file,
    // but not the one the walk found.
    let (texts, errors) = read_after_swap("pkg/a.go", |root| {
        fs::rename(root.join("pkg"), root.join("pkg.old")).unwrap();
        symlink("../outside/pkg", root.join("pkg")).unwrap();
    });
    assert!(texts.iter().all(|t| !t.contains("SECRET")), "{texts:?}");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("pkg/a.go: another file is there since the walk found it; not read"),
        "{errors:?}"
    );

    // Another regular file renamed over it.
    let (texts, errors) = read_after_swap("a.go", |root| {
        fs::copy(root.join("../outside/a.go"), root.join("new.tmp")).unwrap();
        fs::rename(root.join("new.tmp"), root.join("a.go")).unwrap();
    });
    assert!(texts.iter().all(|t| !t.contains("SECRET")), "{texts:?}");
    assert!(
        errors.len() == 1 && errors[0].contains("another file is there"),
        "{errors:?}"
    );

    // A FIFO: refused at once, never waited on.
    let (texts, errors) = read_after_swap("a.go", |root| {
        fs::remove_file(root.join("a.go")).unwrap();
        make_fifo(&root.join("a.go"));
    });
    assert!(texts.is_empty(), "{texts:?}");
    assert!(
        errors.len() == 1 && errors[0].contains("a.go: it is not a regular file now; not read"),
        "{errors:?}"
    );
}

fn make_fifo(path: &Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
}

#[test]
fn a_fifo_a_device_or_stdin_named_on_the_command_line_is_an_error_not_ignored() {
    let dir = tree(&[("a.go", LEAKY.as_bytes())]);
    make_fifo(&dir.path().join("fifo.go"));
    symlink("/dev/null", dir.path().join("null.go")).unwrap();
    symlink("/dev/stdin", dir.path().join("stdin.go")).unwrap();
    let before = snapshot(dir.path());
    for (name, kind) in [
        ("fifo.go", "a FIFO"),
        ("null.go", "a character device"),
        // Standard input is a pipe here.
        ("stdin.go", "a FIFO"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_goleak-fix"))
            .args(["--check", name, "a.go"])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .output()
            .expect("run goleak-fix");
        let errors = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {errors}");
        assert!(
            errors.contains(&format!(
                "goleak-fix: {name}: {kind}, not a regular file or a directory; not read"
            )),
            "{name}: {errors}"
        );
        // The rest of the run goes on.
        assert!(
            String::from_utf8_lossy(&output.stdout).starts_with("a.go:6:7: "),
            "{name}"
        );
    }
    assert_only_changed(&before, &snapshot(dir.path()), &[]);
}

#[test]
fn a_nul_byte_or_a_late_byte_order_mark_in_code_keeps_the_file_unread_and_unedited() {
    let nul = LEAKY.replace("c <- \"x\"", "c <- \"x\"\0");
    let late_bom = LEAKY.replace("\treturn \"\"", "\treturn \"\u{feff}\"");
    let dir = tree(&[
        ("nul.go", nul.as_bytes()),
        ("bom.go", late_bom.as_bytes()),
        ("good.go", LEAKY.as_bytes()),
    ]);
    let before = snapshot(dir.path());
    let output = goleak_fix(dir.path(), &["./..."]);
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{errors}");
    assert!(
        errors.contains(
            "goleak-fix: nul.go: a NUL byte at 8:11, which Go rejects; not analysed or edited"
        ),
        "{errors}"
    );
    assert!(
        errors.contains("goleak-fix: bom.go: a byte order mark (U+FEFF) after the start at 14:11"),
        "{errors}"
    );
    assert_only_changed(
        &before,
        &snapshot(dir.path()),
        &[("good.go", fixed(LEAKY).as_bytes())],
    );
}

#[test]
fn a_generated_file_marked_after_a_byte_order_mark_is_skipped() {
    let generated = format!("\u{feff}// Code generated by stringer. DO NOT EDIT.\n\n{LEAKY}");
    let dir = tree(&[("gen.go", generated.as_bytes())]);
    let before = snapshot(dir.path());
    let output = goleak_fix(dir.path(), &["./..."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("fixed"), "{}", stderr(&output));
    assert_only_changed(&before, &snapshot(dir.path()), &[]);
}

#[test]
fn a_root_owned_file_in_a_directory_the_user_owns_is_not_replaced() {
    let dir = tree(&[
        ("theirs.go", LEAKY.as_bytes()),
        ("mine.go", LEAKY.as_bytes()),
    ]);
    if !ignores_permission_bits() || !hand_to_nobody(dir.path()) {
        eprintln!(
            "SKIPPED: needs to run as root and start a process as `nobody`, to make a file \
             another user owns in a directory this one owns"
        );
        return;
    }
    // 0644 and root's: `nobody` may read it, not write it, yet may rename over it.
    std::os::unix::fs::lchown(dir.path().join("theirs.go"), Some(0), Some(0)).unwrap();
    let before = snapshot(dir.path());
    let mut command = Command::new(env!("CARGO_BIN_EXE_goleak-fix"));
    command.current_dir(dir.path()).arg("./...");
    std::os::unix::process::CommandExt::uid(&mut command, NOBODY);
    std::os::unix::process::CommandExt::gid(&mut command, NOBODY);
    let output = command.output().expect("run goleak-fix");
    let errors = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{errors}");
    assert!(
        errors.contains(
            "goleak-fix: theirs.go: this user may not write it (only replace it); not written"
        ),
        "{errors}"
    );
    assert!(errors.contains("fixed mine.go"), "{errors}");
    assert_only_changed(
        &before,
        &snapshot(dir.path()),
        &[("mine.go", fixed(LEAKY).as_bytes())],
    );
    assert_eq!(fs::metadata(dir.path().join("theirs.go")).unwrap().uid(), 0);
}

#[test]
fn a_fixed_file_keeps_its_owner_and_extended_attributes() {
    let dir = tree(&[("a.go", LEAKY.as_bytes())]);
    let path = dir.path().join("a.go");
    rustix::fs::setxattr(
        &path,
        "user.goleak-fix.test",
        b"kept",
        rustix::fs::XattrFlags::empty(),
    )
    .expect("the test's file system takes user.* extended attributes");
    let root = ignores_permission_bits();
    if root {
        std::os::unix::fs::lchown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
    } else {
        eprintln!("SKIPPED one assertion: not root, so the file cannot belong to another user");
    }
    let owner = fs::metadata(&path).map(|m| (m.uid(), m.gid())).unwrap();
    let output = goleak_fix(dir.path(), &["a.go"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(fs::read_to_string(&path).unwrap(), fixed(LEAKY));
    let metadata = fs::metadata(&path).unwrap();
    assert_eq!((metadata.uid(), metadata.gid()), owner);
    let mut value = [0; 16];
    let length = rustix::fs::getxattr(&path, "user.goleak-fix.test", &mut value[..])
        .expect("the extended attribute is kept");
    assert_eq!(&value[..length], b"kept");
}

#[test]
fn a_file_that_grows_while_it_is_read_or_before_the_swap_keeps_every_line() {
    use goleak_fix::pipeline::read_source;
    use goleak_fix::write::{write_atomically, write_atomically_with};
    use std::io::Write;
    let dir = tree(&[("a.go", LEAKY.as_bytes())]);
    let path = dir.path().join("a.go");
    let line = "// appended by a writer that had the file open\n";
    let mut writer = fs::OpenOptions::new().append(true).open(&path).unwrap();

    // The read saw the file before the writer's append landed.
    let read = read_source(&path).unwrap().unwrap();
    writer.write_all(line.as_bytes()).unwrap();
    let error = write_atomically(&path, &read, &fixed(&read)).unwrap_err();
    assert!(
        format!("{error:#}").contains("changed on disk"),
        "{error:#}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), format!("{LEAKY}{line}"));

    // The writer appends after the last check, just before the swap: the swap is undone.
    let read = read_source(&path).unwrap().unwrap();
    let error = write_atomically_with(&path, &read, &fixed(&read), &mut || {
        writer.write_all(line.as_bytes()).unwrap()
    })
    .unwrap_err();
    assert!(
        format!("{error:#}").contains("changed on disk"),
        "{error:#}"
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        format!("{LEAKY}{line}{line}")
    );
    let names: Vec<_> = snapshot(dir.path()).into_keys().collect();
    assert_eq!(names, [PathBuf::from("a.go")]);
}

#[test]
fn a_finding_whose_fix_could_not_be_written_stays_in_the_json_report() {
    let dir = tree(&[
        ("ok.go", LEAKY.as_bytes()),
        ("readonly.go", LEAKY.as_bytes()),
    ]);
    fs::set_permissions(
        dir.path().join("readonly.go"),
        fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    let output = goleak_fix(dir.path(), &["--format", "json", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let outcomes: Vec<(&str, &str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().unwrap(),
                finding["outcome"]["status"].as_str().unwrap(),
                finding["outcome"]["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    // ok.go was fixed; readonly.go was not written, and says so.
    assert_eq!(
        outcomes,
        [
            ("ok.go", "fixed", ""),
            ("readonly.go", "unfixed", "not-written")
        ],
        "{report:#}"
    );
    assert_eq!(report["summary"]["fixed"], 1);
    assert_eq!(report["summary"]["unfixed"], 1);
    assert_eq!(
        fs::read(dir.path().join("readonly.go")).unwrap(),
        LEAKY.as_bytes()
    );
}
