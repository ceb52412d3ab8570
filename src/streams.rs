//! The standard streams, written so that a failure to write them never ends the run early or
//! changes what it does on disk.
//!
//! `eprintln!` and `println!` panic when the stream cannot be written (a full disk behind
//! `2>/dev/full`, a reader that went away in `2>&1 | head -1`), which ends the run with exit
//! status 101 halfway through: after the branch, before the pull-request body. Here stderr is
//! best effort (a line that cannot be shown is dropped; the exit status still says what went
//! wrong), and stdout remembers its first error instead of returning it, so that the run goes
//! on to its other side effects and then decides its exit status knowing what was lost.

use crate::{color, escape};
use std::io::{self, Write};

/// One line on stderr, with its control characters escaped (it may hold a path or text from
/// the repository, see `escape`). Not being able to write it is not an error of the run.
pub fn say(line: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{}", escape::for_terminal(line));
    let _ = stderr.flush();
}

/// One line on stderr: `mark` (a word such as `fixed` or `verified`) in `style` when stderr is
/// coloured (see `color`), then ` ` and `rest`; both escaped as `say` escapes, before the
/// colour is added.
pub fn say_marked(style: color::Style, mark: &str, rest: &str) {
    let mark = color::paint(style, &escape::for_terminal(mark), color::on_stderr());
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{mark} {}", escape::for_terminal(rest));
    let _ = stderr.flush();
}

/// A writer that never fails: the first error is kept (see `error`) and everything written
/// after it is dropped.
pub struct Recorded<W: Write> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> Recorded<W> {
    pub fn new(inner: W) -> Self {
        Recorded { inner, error: None }
    }

    /// Flushes, and returns the first error met, if any.
    pub fn finish(mut self) -> Option<io::Error> {
        let _ = self.flush();
        self.error
    }

    fn record(&mut self, result: io::Result<()>) {
        if let Err(error) = result {
            self.error.get_or_insert(error);
        }
    }
}

impl<W: Write> Write for Recorded<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.error.is_none() {
            let result = self.inner.write_all(buf);
            self.record(result);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.error.is_none() {
            let result = self.inner.flush();
            self.record(result);
        }
        Ok(())
    }
}

/// Whether a lost stdout is the reader's choice (a closed pipe: `| head`), which leaves the
/// exit status as the run earned it, rather than output that went missing (a full disk).
pub fn is_broken_pipe(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::BrokenPipe
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts `room` bytes, then fails every write.
    struct Full {
        room: usize,
        written: Vec<u8>,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            self.written.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_writer_keeps_its_first_error_and_never_fails_the_caller() {
        let mut out = Recorded::new(Full {
            room: 3,
            written: Vec::new(),
        });
        assert!(write!(out, "hello").is_ok());
        assert!(writeln!(out, "world").is_ok());
        let error = out.finish().expect("the error was kept");
        assert!(is_broken_pipe(&error));

        let mut out = Recorded::new(Vec::new());
        write!(out, "fine").unwrap();
        assert!(out.finish().is_none());
    }
}
