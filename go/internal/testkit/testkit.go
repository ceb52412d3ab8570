// Package testkit holds what the end-to-end tests of go vet, go fix and golangci-lint share:
// a Go module made of the repository's codemod examples, and goleak-fix's own verdict on it
// to compare the front ends with.
package testkit

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"goleak-fix.invalid/go/goleakfix"
)

// Codemods are the IDs of the codemods with examples: the directories codemods/<id>/examples.
func Codemods(t testing.TB) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(RepoRoot(t), "codemods", "*", "examples"))
	if err != nil || len(dirs) < 6 {
		t.Fatalf("codemods/*/examples: %d found (%v)", len(dirs), err)
	}
	var ids []string
	for _, dir := range dirs {
		ids = append(ids, filepath.Base(filepath.Dir(dir)))
	}
	return ids
}

// RepoRoot is the goleak-fix repository's top directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the testkit source")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// GoleakFix is the goleak-fix binary under test, as an absolute path.
func GoleakFix(t testing.TB) string {
	t.Helper()
	binary, err := goleakfix.FindBinary("")
	if err != nil {
		t.Fatal(err)
	}
	if binary, err = filepath.Abs(binary); err != nil {
		t.Fatal(err)
	}
	return binary
}

// ExamplesModule is a module with each example codemods/<id>/examples/<kind>/<name>.go as
// the package <kind>/<id>/<name> (they are all package main), with the other files of a
// multi-file example (the .go files of codemods/<id>/examples/<kind>/<name>/) beside it, in a
// git repository of its own:
// goleak-fix looks for the go.mod above a package only inside a repository, and the module's
// Go version decides some fixes. It is Go 1.26, for the examples that use its syntax
// (codemods/go.mod says less: it is read by goleak-fix only, never built).
func ExamplesModule(t testing.TB) string {
	t.Helper()
	module := t.TempDir()
	Write(t, filepath.Join(module, "go.mod"), "module example.com/examples\n\ngo 1.26\n")
	Run(t, module, nil, 0, "git", "init", "--quiet")
	for _, codemod := range Codemods(t) {
		for _, kind := range []string{"leaking", "clean"} {
			examples, err := filepath.Glob(filepath.Join(RepoRoot(t), "codemods", codemod, "examples", kind, "*.go"))
			if err != nil || len(examples) == 0 {
				t.Fatalf("no examples in codemods/%s/examples/%s (%v)", codemod, kind, err)
			}
			for _, example := range examples {
				content, err := os.ReadFile(example)
				if err != nil {
					t.Fatal(err)
				}
				name := strings.TrimSuffix(filepath.Base(example), ".go")
				Write(t, filepath.Join(module, kind, codemod, name, "main.go"), string(content))
				others, err := filepath.Glob(filepath.Join(strings.TrimSuffix(example, ".go"), "*.go"))
				if err != nil {
					t.Fatal(err)
				}
				for _, other := range others {
					text, err := os.ReadFile(other)
					if err != nil {
						t.Fatal(err)
					}
					Write(t, filepath.Join(module, kind, codemod, name, filepath.Base(other)), string(text))
				}
			}
		}
	}
	return module
}

// CheckCoverage fails the test unless findings (`path:line:col: ...`, paths relative to the
// examples module) name every leaking example and no clean one.
func CheckCoverage(t testing.TB, module string, findings []string) {
	t.Helper()
	for _, codemod := range Codemods(t) {
		entries, err := os.ReadDir(filepath.Join(module, "leaking", codemod))
		if err != nil {
			t.Fatal(err)
		}
		for _, entry := range entries {
			dir := "leaking/" + codemod + "/" + entry.Name() + "/"
			if !slices.ContainsFunc(findings, func(line string) bool { return strings.HasPrefix(line, dir) }) {
				t.Errorf("nothing reported in the leaking example %s", dir)
			}
		}
	}
	if at := slices.IndexFunc(findings, func(line string) bool { return strings.HasPrefix(line, "clean/") }); at >= 0 {
		t.Errorf("a clean example reported: %s", findings[at])
	}
}

// Check is goleak-fix --check's findings on dir, sorted.
func Check(t testing.TB, binary, dir string) []string {
	t.Helper()
	return Lines(Run(t, dir, nil, -1, binary, "--check", "--no-config", "--quiet", "./..."))
}

// FixedByCLI is a copy of dir with goleak-fix's safe fixes applied by goleak-fix itself, but
// for the fixes that also edit other files of their package: the analyzer does not offer
// those to a driver (a driver would apply only the diagnostic's file), so their files are
// left as they were.
func FixedByCLI(t testing.TB, binary, dir string) string {
	t.Helper()
	fixed := CopyDir(t, dir)
	Run(t, fixed, nil, -1, binary, "--no-config", "--quiet", "./...")
	report := Run(t, dir, nil, -1, binary, "--check", "--no-config", "--quiet", "--format=json", "./...")
	var parsed struct {
		Findings []struct {
			Path string `json:"path"`
			Fix  *struct {
				OtherFiles []struct {
					Path string `json:"path"`
				} `json:"other_files"`
			} `json:"fix"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(report), &parsed); err != nil {
		t.Fatalf("goleak-fix --format=json: %v", err)
	}
	for _, found := range parsed.Findings {
		if found.Fix == nil || len(found.Fix.OtherFiles) == 0 {
			continue
		}
		paths := []string{found.Path}
		for _, other := range found.Fix.OtherFiles {
			paths = append(paths, other.Path)
		}
		for _, path := range paths {
			original, err := os.ReadFile(filepath.Join(dir, path))
			if err != nil {
				t.Fatal(err)
			}
			Write(t, filepath.Join(fixed, path), string(original))
		}
	}
	return fixed
}

// Lines are out's non-empty lines but for `# package` headers, trimmed and sorted.
func Lines(out string) []string {
	var lines []string
	for line := range strings.Lines(out) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			lines = append(lines, line)
		}
	}
	slices.Sort(lines)
	return lines
}

// Run runs name in dir with env added and returns its stdout and stderr; want is the exit
// status it must have, -1 for 0 or 1.
func Run(t testing.TB, dir string, env []string, want int, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	status := cmd.ProcessState.ExitCode()
	if err != nil && status < 0 {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	if status != want && (want != -1 || status > 1) {
		t.Fatalf("%s %s in %s: exit status %d, want %d:\n%s", name, strings.Join(args, " "), dir, status, want, out.String())
	}
	return out.String()
}

// Write writes a file, making its directory.
func Write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// CopyDir copies the regular files of a tree into a new temporary directory, writable.
func CopyDir(t testing.TB, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.WalkDir(from, func(path string, entry os.DirEntry, err error) error {
		if err != nil || !entry.Type().IsRegular() {
			return err
		}
		relative, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		content, err := os.ReadFile(path)
		if err == nil {
			Write(t, filepath.Join(to, relative), string(content))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// CompareTrees fails the test for each file of want that differs in got.
func CompareTrees(t testing.TB, got, want string) {
	t.Helper()
	err := filepath.WalkDir(want, func(path string, entry os.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		relative, err := filepath.Rel(want, path)
		if err != nil {
			return err
		}
		wanted, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		gotten, err := os.ReadFile(filepath.Join(got, relative))
		if err != nil || !bytes.Equal(gotten, wanted) {
			t.Errorf("%s differs from goleak-fix's own fix (%v):\n%s", relative, err, gotten)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BuildDirEnv names a directory that outlives the test run, where the tests put the programs
// they build (tests/go_analyzer.rs sets it to one under target/). `go build -o` finds last
// run's binary there and links again only when its build ID (a hash of everything that went
// into it) differs, so a warm run does not relink golangci-lint. Without it, a temporary
// directory.
const BuildDirEnv = "GOLEAK_FIX_GO_BUILD_DIR"

// BuildOutput is where the test builds the program `name`.
func BuildOutput(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv(BuildDirEnv)
	if dir == "" {
		return filepath.Join(t.TempDir(), name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}
