package goleakfix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// stderrShown is how much of goleak-fix's stderr an error quotes.
const stderrShown = 2000

// runBinary runs goleak-fix in dir and returns its stdout when it ran to a verdict: exit 0
// (no findings) or 1 (findings). Exit 2 (an error: a file it could not read, a bad
// goleak-fix.toml, a bad codemod ID) and anything else is an error quoting its stderr,
// escaped.
func runBinary(binary, dir string, args []string, timeout time.Duration) ([]byte, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	// After the timeout kills goleak-fix, stop waiting for its output even if a process it
	// started still holds the pipes open.
	cmd.WaitDelay = 2 * time.Second
	// The report is read by a program, and the errors quoted: no colour.
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return nil, fmt.Errorf("%s did not finish within %s (see the timeout setting)", forTerminal(binary), timeout)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.Bytes(), nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return stdout.Bytes(), nil
	case errors.As(err, &exit):
		return nil, fmt.Errorf("%s failed (%s): %s", forTerminal(binary), exit.ProcessState, quoteStderr(stderr.Bytes()))
	default:
		return nil, fmt.Errorf("cannot run %s: %s", forTerminal(binary), reason(err))
	}
}

// quoteStderr is the start of goleak-fix's stderr as one escaped line.
func quoteStderr(stderr []byte) string {
	stderr = bytes.TrimSpace(stderr)
	if len(stderr) == 0 {
		return "(nothing on stderr)"
	}
	cut := len(stderr) > stderrShown
	if cut {
		stderr = stderr[:stderrShown]
	}
	quoted := forTerminal(string(stderr))
	if cut {
		quoted += "…"
	}
	return quoted
}
