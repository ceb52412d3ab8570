package goleakfix

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// BinaryEnv names the environment variable that points the analyzer at a goleak-fix binary
// when no flag or setting does.
const BinaryEnv = "GOLEAK_FIX"

// binaryName is what the analyzer looks for on PATH last.
const binaryName = "goleak-fix"

// FindBinary returns the goleak-fix binary to run: the one named by the flag or setting
// (configured), else by $GOLEAK_FIX, else the first goleak-fix on PATH. A binary named
// explicitly must exist; PATH lookups never take one from the current directory (Go's
// exec.LookPath refuses those), since go vet runs the analyzer in the package's directory,
// which the scanned repository controls.
func FindBinary(configured string) (string, error) {
	for _, candidate := range []struct{ path, from string }{
		{configured, "the analyzer's binary setting"},
		{os.Getenv(BinaryEnv), "$" + BinaryEnv},
	} {
		if candidate.path == "" {
			continue
		}
		info, err := os.Stat(candidate.path)
		if err != nil {
			return "", fmt.Errorf("goleak-fix binary %s (from %s) cannot be used: %s",
				forTerminal(candidate.path), candidate.from, reason(err))
		}
		if info.IsDir() {
			return "", fmt.Errorf("goleak-fix binary %s (from %s) is a directory",
				forTerminal(candidate.path), candidate.from)
		}
		return candidate.path, nil
	}
	path, err := exec.LookPath(binaryName)
	if err != nil {
		return "", errors.New("goleak-fix binary not found: put goleak-fix on PATH " +
			"(cargo install --locked --path . in its repository), or name it with $" + BinaryEnv +
			" or the analyzer's binary setting (go vet: -goleakfix.bin=PATH)")
	}
	return path, nil
}

// reason is the error's own words, without the path an *os.PathError repeats.
func reason(err error) string {
	var pathError *os.PathError
	if errors.As(err, &pathError) {
		return pathError.Err.Error()
	}
	return err.Error()
}
