//! The text goroutine dump: what `pprof.Lookup("goroutine").WriteTo(w, 2)`,
//! `/debug/pprof/goroutine?debug=2`, a panic, `SIGQUIT` and the `goroutineleak` profile at
//! debug level 2 print. One block per goroutine:
//!
//! ```text
//! goroutine 22 [chan send, 5 minutes]:
//! main.leak.func1()
//!     /src/app/main.go:13 +0x1e
//! created by main.leak in goroutine 1
//!     /src/app/main.go:12 +0x5f
//! ```
//!
//! The header may carry `gp=... m=...` (`GOTRACEBACK=system`), and its state the marks
//! `(leaked)` (the leak profile), `(scan)` or `(durable)`, and after commas the minutes
//! waited, `locked to thread` or a synctest bubble. Lines that are none of these (a panic's
//! message, `exit status 2`, `...additional frames elided...`) are skipped, so a dump cut
//! anywhere still yields the goroutines read up to the cut.

use super::{Frame, Goroutine};

/// Frames kept per goroutine: the runtime prints at most 100, and only the innermost few
/// decide where a goroutine blocks; a forged stack of millions of frames costs no memory.
const MAX_FRAMES: usize = 64;

/// Whether `bytes` has a goroutine header at the start of a line.
pub fn has_header(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(1 << 20)]);
    if text.lines().any(|line| header(line).is_some()) {
        return true;
    }
    // A header can come after a first megabyte of panic output or logs.
    memchr::memmem::find_iter(bytes, b"goroutine ").any(|at| {
        (at == 0 || bytes[at - 1] == b'\n') && {
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n);
            header(&String::from_utf8_lossy(&bytes[at..end])).is_some()
        }
    })
}

/// A header's state and the marks after it: (state, minutes waited, leaked).
#[derive(Debug, PartialEq, Eq)]
pub struct Header {
    pub state: String,
    pub waiting_minutes: Option<u64>,
    pub leaked: bool,
}

/// `goroutine 7 [chan send, 2 minutes]:` read, or `None`.
pub fn header(line: &str) -> Option<Header> {
    let rest = line.trim_end().strip_prefix("goroutine ")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    // Character searches, not substring ones: this runs on every line of a big dump.
    let open = rest.find('[').filter(|&at| rest[..at].ends_with(' '))?;
    let inside = rest[open + 1..].strip_suffix("]:")?;
    Some(parse_state(inside))
}

/// `chan send (leaked), 5 minutes, locked to thread` as its parts.
pub fn parse_state(inside: &str) -> Header {
    let mut parts = inside.split(',').map(str::trim_start);
    let mut state = parts.next().unwrap_or_default().trim().to_string();
    let mut leaked = false;
    loop {
        if let Some(base) = state.strip_suffix(" (leaked)") {
            leaked = true;
            state = base.to_string();
        } else if let Some(base) = state
            .strip_suffix(" (scan)")
            .or_else(|| state.strip_suffix(" (durable)"))
        {
            state = base.to_string();
        } else {
            break;
        }
    }
    let waiting_minutes = parts.find_map(|part| {
        let number = part
            .strip_suffix(" minutes")
            .or_else(|| part.strip_suffix(" minute"))?;
        number.trim().parse().ok()
    });
    Header {
        state,
        // The runtime prints the minutes from the first on: none printed is under a minute.
        waiting_minutes: Some(waiting_minutes.unwrap_or(0)),
        leaked,
    }
}

/// `\t/src/app/main.go:13 +0x1e` as (file, line); the leading white space is optional.
pub fn location(line: &str) -> Option<(&str, u32)> {
    let line = line.trim();
    // ` +0x1e`, the program counter's offset; found by character (see `header`).
    let line = match line.rfind('+') {
        Some(at) if line[..at].ends_with(' ') && line[at + 1..].starts_with("0x") => {
            &line[..at - 1]
        }
        _ => line,
    };
    let (file, number) = line.rsplit_once(':')?;
    if file.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((file, number.parse().ok()?))
}

/// `main.(*T).run(0xc000010000, ...)` as `main.(*T).run`; `created by main.f in goroutine 1`
/// as `main.f`, with whether it was a `created by` line.
pub fn function(line: &str) -> (&str, bool) {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("created by ") {
        // `main.f in goroutine 1`: a function name has no space.
        let name = rest.split(' ').next().unwrap_or(rest);
        return (name, true);
    }
    let name = if line.ends_with(')') {
        // The argument list is the last parenthesised group: `(*T)` belongs to the name.
        match line.rfind('(') {
            Some(at) if at > 0 => &line[..at],
            _ => line,
        }
    } else {
        line
    };
    (name, false)
}

/// Reads the goroutines of `text`, one block at a time.
pub fn parse(text: &str, sink: &mut dyn FnMut(Goroutine)) {
    parse_lines(text.lines(), sink);
}

/// `parse` over lines that have already lost whatever prefix their container adds (goleak's
/// `go test` indentation).
pub fn parse_lines<'a>(lines: impl Iterator<Item = &'a str>, sink: &mut dyn FnMut(Goroutine)) {
    let mut current: Option<Goroutine> = None;
    // The function named by the line before a location line, and whether it was `created by`.
    let mut pending: Option<(String, bool)> = None;
    for line in lines {
        if let Some(header) = header(line) {
            if let Some(done) = current.take() {
                sink(done);
            }
            pending = None;
            current = Some(Goroutine {
                count: 1,
                state: header.state,
                waiting_minutes: header.waiting_minutes,
                leaked: header.leaked,
                frames: Vec::new(),
                created_by: None,
            });
            continue;
        }
        let Some(goroutine) = current.as_mut() else {
            continue;
        };
        if line.trim().is_empty() {
            // A blank line ends a goroutine's block.
            if let Some(done) = current.take() {
                sink(done);
            }
            pending = None;
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if let Some((file, number)) = indented.then(|| location(line)).flatten() {
            if let Some((function, created)) = pending.take() {
                let frame = Frame {
                    function,
                    file: file.to_string(),
                    line: number,
                };
                if created {
                    goroutine.created_by = Some(frame);
                } else if goroutine.frames.len() < MAX_FRAMES {
                    goroutine.frames.push(frame);
                }
            }
            continue;
        }
        let (name, created) = function(line);
        pending =
            (!name.is_empty() && !name.starts_with("...")).then(|| (name.to_string(), created));
    }
    if let Some(done) = current {
        sink(done);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<Goroutine> {
        let mut found = Vec::new();
        parse(text, &mut |g| found.push(g));
        found
    }

    const DUMP: &str = "goroutine 1 [running]:\nmain.main()\n\t/tmp/ev/main.go:23 +0xbd\n\n\
goroutine 22 [chan send, 5 minutes]:\nmain.leak.func1()\n\t/tmp/ev/main.go:13 +0x1e\n\
created by main.leak in goroutine 1\n\t/tmp/ev/main.go:12 +0x5f\n\n\
goroutine 23 [sync.Mutex.Lock]:\ninternal/sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\
\t/usr/local/go/src/runtime/sema.go:95 +0x25\nsync.(*Mutex).Lock(...)\n\t/usr/local/go/src/sync/mutex.go:46\n\
main.(*Server).run(0xc000010000)\n\t/tmp/ev/main.go:21 +0x2d\n";

    #[test]
    fn a_dump_gives_each_goroutine_its_state_frames_and_creator() {
        let found = all(DUMP);
        assert_eq!(found.len(), 3);
        assert_eq!(found[1].state, "chan send");
        assert_eq!(found[1].waiting_minutes, Some(5));
        assert_eq!(
            found[1].frames,
            vec![Frame {
                function: "main.leak.func1".into(),
                file: "/tmp/ev/main.go".into(),
                line: 13
            }]
        );
        let creator = found[1].created_by.as_ref().unwrap();
        assert_eq!((creator.function.as_str(), creator.line), ("main.leak", 12));
        assert_eq!(found[2].frames.len(), 3);
        assert_eq!(found[2].frames[2].function, "main.(*Server).run");
        assert_eq!(found[2].frames[1].line, 46);
    }

    #[test]
    fn header_marks_are_read_and_stripped() {
        let h = header("goroutine 7 [chan send (leaked)]:").unwrap();
        assert_eq!((h.state.as_str(), h.leaked), ("chan send", true));
        let h =
            header("goroutine 7 gp=0xc0 m=nil [select (no cases), 1 minutes, locked to thread]:")
                .unwrap();
        assert_eq!(h.state, "select (no cases)");
        assert_eq!(h.waiting_minutes, Some(1));
        assert!(!h.leaked);
        assert!(header("goroutine x [chan send]:").is_none());
        assert!(header("goroutines: 4").is_none());
        assert!(header("goroutine 7 [chan send]").is_none());
    }

    #[test]
    fn panic_output_and_a_cut_dump_still_give_what_they_hold() {
        let text = "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/x/m.go:5 +0x1\n\
goroutine 9 [chan receive]:\nmain.w(...)\n\t/x/m.go:9";
        let found = all(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].frames[0].line, 9);
    }

    #[test]
    fn malformed_lines_are_skipped_not_fatal() {
        let text = "goroutine 3 [chan send]:\n\t:12 +0x1\nmain.f(\n\t/a.go:notanumber\n\
\t/a.go:99999999999999999999\nmain.g()\n\t/b.go:4 +0x1\n";
        let found = all(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].frames.len(), 1);
        assert_eq!(found[0].frames[0].file, "/b.go");
    }

    #[test]
    fn a_forged_deep_stack_keeps_a_bounded_number_of_frames() {
        let mut text = String::from("goroutine 3 [chan send]:\n");
        for i in 0..10_000 {
            text.push_str(&format!("main.f{i}()\n\t/a.go:{i} +0x1\n"));
        }
        let found = all(&text);
        assert_eq!(found[0].frames.len(), MAX_FRAMES);
    }

    #[test]
    fn windows_paths_and_paths_with_spaces_keep_their_colons() {
        assert_eq!(
            location("\tC:/Program Files/app/a.go:12 +0x1e"),
            Some(("C:/Program Files/app/a.go", 12))
        );
    }

    #[test]
    fn a_header_after_a_megabyte_of_logs_is_found() {
        let mut text = "log line\n".repeat(200_000);
        text.push_str("goroutine 1 [running]:\n");
        assert!(has_header(text.as_bytes()));
        assert!(!has_header("log line\n".repeat(10).as_bytes()));
    }
}
