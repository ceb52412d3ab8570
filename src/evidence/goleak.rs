//! go.uber.org/goleak's failure message, as `go test` prints it:
//!
//! ```text
//! --- FAIL: TestLeak (0.45s)
//!     leak_test.go:20: found unexpected goroutines:
//!         [Goroutine 6 in state chan send, with gl.leak.func1 on top of the stack:
//!         gl.leak.func1()
//!             /tmp/gl/leak_test.go:12 +0x1e
//!         created by gl.leak in goroutine 5
//!             /tmp/gl/leak_test.go:11 +0x5f
//!          Goroutine 7 in state chan send, with gl.leak.func1 on top of the stack:
//!         ...
//!         ]
//! ```
//!
//! (`goleak.VerifyTestMain` prints the same message unindented, after `goleak: Errors on
//! successful test run: `). Each `Goroutine N in state S, with F on top of the stack:` is
//! rewritten as the dump header `goroutine N [S]:`, the closing `]` as the blank line that
//! ends a block, `go test`'s indentation is dropped, and `text_dump` reads the result.

use super::{Goroutine, text_dump};

/// What every goleak failure says.
pub const MARKER: &str = "found unexpected goroutines:";

/// `[Goroutine 6 in state chan send, with f on top of the stack:` as `goroutine 6 [chan send]:`.
fn header(line: &str) -> Option<String> {
    let line = line.trim_start_matches(['[', ' ']);
    let rest = line.strip_prefix("Goroutine ")?;
    let (id, rest) = rest.split_once(" in state ")?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (state, top) = rest.rsplit_once(", with ")?;
    top.trim_end().strip_suffix(" on top of the stack:")?;
    Some(format!("goroutine {id} [{state}]:"))
}

/// The goroutines of every goleak message in `text`.
pub fn parse(text: &str, sink: &mut dyn FnMut(Goroutine)) {
    let mut rewritten = String::with_capacity(text.len());
    for line in text.lines() {
        // `go test` indents a message's lines with spaces; a location line keeps its tab.
        let line = line.trim_start_matches(' ');
        if let Some(header) = header(line) {
            rewritten.push('\n');
            rewritten.push_str(&header);
        } else if line.trim_end() == "]" {
            // The end of the list (a line of its own after the last stack).
        } else if line.contains(MARKER) {
            // The message's first line ends whatever came before it.
        } else {
            rewritten.push_str(line);
        }
        rewritten.push('\n');
    }
    text_dump::parse(&rewritten, sink);
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO_TEST: &str = "--- FAIL: TestLeak (0.45s)\n    leak_test.go:20: found unexpected goroutines:\n        [Goroutine 6 in state chan send, with gl.leak.func1 on top of the stack:\n        gl.leak.func1()\n        \t/tmp/gl/leak_test.go:12 +0x1e\n        created by gl.leak in goroutine 5\n        \t/tmp/gl/leak_test.go:11 +0x5f\n         Goroutine 7 in state select, 3 minutes, with gl.(*T).wait on top of the stack:\n        gl.(*T).wait(0xc000010000)\n        \t/tmp/gl/leak_test.go:30 +0x1e\n        ]\nFAIL\nFAIL\tgl\t0.452s\nFAIL\n";

    #[test]
    fn a_go_test_failure_gives_each_goroutine() {
        let mut found = Vec::new();
        parse(GO_TEST, &mut |g| found.push(g));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].state, "chan send");
        assert_eq!(found[0].frames[0].file, "/tmp/gl/leak_test.go");
        assert_eq!(found[0].frames[0].line, 12);
        assert_eq!(found[0].created_by.as_ref().unwrap().line, 11);
        assert_eq!(found[1].state, "select");
        assert_eq!(found[1].waiting_minutes, Some(3));
        assert_eq!(found[1].frames.len(), 1, "FAIL lines are not frames");
        assert_eq!(found[1].frames[0].function, "gl.(*T).wait");
    }

    #[test]
    fn verify_test_main_prints_it_unindented() {
        let text = "goleak: Errors on successful test run: found unexpected goroutines:\n[Goroutine 9 in state chan receive, with main.w on top of the stack:\nmain.w()\n\t/src/w.go:4 +0x1\n]\n";
        let mut found = Vec::new();
        parse(text, &mut |g| found.push(g));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].state, "chan receive");
    }

    #[test]
    fn a_forged_header_is_not_a_goroutine() {
        assert!(header("Goroutine x in state s, with f on top of the stack:").is_none());
        assert!(header("Goroutine 1 in state s").is_none());
        assert_eq!(
            header("[Goroutine 1 in state a, with b, with f on top of the stack:").unwrap(),
            "goroutine 1 [a, with b]:"
        );
    }
}
