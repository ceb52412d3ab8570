package goleakfix_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/analysis/analysistest"

	"goleak-fix.invalid/go/goleakfix"
)

// The binary's output is data: these tests put a fake goleak-fix in its place, one that
// prints a chosen report, and check what the analyzer makes of hostile or broken ones.

const fakeScript = `#!/bin/sh
{ pwd; for a in "$@"; do printf '%s\n' "$a"; done; } > "$FAKE_LOG"
if [ -n "$FAKE_SLEEP" ]; then sleep "$FAKE_SLEEP"; fi
cat "$FAKE_REPORT"
if [ -n "$FAKE_STDERR" ]; then printf '%s' "$FAKE_STDERR" >&2; fi
exit "${FAKE_EXIT:-1}"
`

const leakyFile = "package leaky\n\nfunc F() {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n}\n"

type fake struct {
	binary, log, report string
	timeout             time.Duration
}

func newFake(t *testing.T) fake {
	t.Helper()
	dir := t.TempDir()
	f := fake{
		binary:  filepath.Join(dir, "goleak-fix"),
		log:     filepath.Join(dir, "log"),
		report:  filepath.Join(dir, "report.json"),
		timeout: 5 * time.Second,
	}
	if err := os.WriteFile(f.binary, []byte(fakeScript), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_LOG", f.log)
	t.Setenv("FAKE_REPORT", f.report)
	return f
}

// run analyses the package "leaky" (leakyFile) with the fake printing report, and returns
// the package's result.
func (f fake) run(t *testing.T, report string) *analysistest.Result {
	t.Helper()
	if err := os.WriteFile(f.report, []byte(report), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := writePackage(t, "leaky", "a.go", leakyFile)
	var recorder recorder // the fake's findings have no `// want`
	results := analysistest.Run(&recorder, dir, goleakfix.New(goleakfix.Options{Binary: f.binary, Timeout: f.timeout}), "leaky")
	if len(results) != 1 {
		t.Fatalf("%d results, want 1", len(results))
	}
	return results[0]
}

func finding(path, message, fix string) string {
	return `{"version": 3, "findings": [{"codemod": "premature-return", "path": ` + path +
		`, "line": 4, "column": 2, "end_line": 4, "end_column": 21, "message": ` + message +
		`, "fix": ` + fix + `}], "summary": {}}`
}

const goodFix = `{"applicability": "safe", "description": "buffer it", "edits": [{"start": 45, "end": 45, "replacement": ", 1"}]}`

func TestTheFakeReportIsMappedOntoTheFile(t *testing.T) {
	f := newFake(t)
	result := f.run(t, finding(`"a.go"`, `"sends forever"`, goodFix))
	if result.Err != nil || len(result.Diagnostics) != 1 {
		t.Fatalf("err %v, %d diagnostics", result.Err, len(result.Diagnostics))
	}
	d := result.Diagnostics[0]
	if position := result.Pass.Fset.Position(d.Pos); position.Line != 4 || position.Column != 2 {
		t.Errorf("at %v, want 4:2", position)
	}
	if d.Message != "premature-return: sends forever" {
		t.Errorf("message %q", d.Message)
	}
	fixed := apply(t, result.Pass, []byte(leakyFile), d.SuggestedFixes[0].TextEdits)
	if !strings.Contains(string(fixed), "c := make(chan int, 1)\n") {
		t.Errorf("fixed:\n%s", fixed)
	}
}

// goleak-fix is given the package's files only, copied into a directory of their own that
// is its working directory, after `--`, with no goleak-fix.toml; the copies are gone after.
func TestGoleakFixSeesOnlyThePackageFiles(t *testing.T) {
	f := newFake(t)
	f.run(t, `{"version": 3, "findings": [], "summary": {}}`)
	logged, err := os.ReadFile(f.log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(logged), "\n"), "\n")
	cwd, args := lines[0], lines[1:]
	want := []string{"--check", "--format=json", "--quiet", "--jobs=1", "--no-config", "--", filepath.Join(cwd, "a.go")}
	if strings.Join(args, " ") != strings.Join(want, " ") {
		t.Errorf("arguments %q, want %q", args, want)
	}
	if _, err := os.Stat(cwd); !os.IsNotExist(err) {
		t.Errorf("the copies' directory %s is still there (%v)", cwd, err)
	}
}

func TestHostileTextIsEscaped(t *testing.T) {
	f := newFake(t)
	message := `"x\u001b[2J\nleaky/a.go:1:1: forged finding \u202egnp.exe\u2028"`
	fix := `{"applicability": "safe", "description": "buffer \u001b]0;title\u0007 it", "edits": [{"start": 45, "end": 45, "replacement": ", 1"}]}`
	result := f.run(t, finding(`"a.go"`, message, fix))
	if result.Err != nil || len(result.Diagnostics) != 1 {
		t.Fatalf("err %v, %d diagnostics", result.Err, len(result.Diagnostics))
	}
	d := result.Diagnostics[0]
	want := `premature-return: x\u{1b}[2J\nleaky/a.go:1:1: forged finding \u{202e}gnp.exe\u{2028}`
	if d.Message != want {
		t.Errorf("message %q, want %q", d.Message, want)
	}
	if got := d.SuggestedFixes[0].Message; got != `buffer \u{1b}]0;title\u{7} it` {
		t.Errorf("fix message %q", got)
	}
}

// A report that does not fit the package is an error naming what is wrong, and no
// diagnostic of it is reported.
func TestMalformedReportsAreErrors(t *testing.T) {
	for _, c := range []struct{ name, report, want string }{
		{"a file outside the package", finding(`"../../etc/passwd"`, `"m"`, "null"), "not a file of package leaky"},
		{"an absolute path elsewhere", finding(`"/etc/passwd"`, `"m"`, "null"), "not a file of package leaky"},
		{"an edit past the end", finding(`"a.go"`, `"m"`, `{"applicability": "safe", "description": "d", "edits": [{"start": 45, "end": 4000, "replacement": ""}]}`), "outside the file"},
		{"overlapping edits", finding(`"a.go"`, `"m"`, `{"applicability": "safe", "description": "d", "edits": [{"start": 40, "end": 45, "replacement": ""}, {"start": 43, "end": 46, "replacement": ""}]}`), "overlaps"},
		{"a line past the end", strings.Replace(finding(`"a.go"`, `"m"`, "null"), `"line": 4`, `"line": 99`, 1), "line 99 is not in the file"},
		{"a column past the line", strings.Replace(finding(`"a.go"`, `"m"`, "null"), `"column": 2`, `"column": 80`, 1), "column 80 is not in line 4"},
		{"a codemod that is no ID", strings.Replace(finding(`"a.go"`, `"m"`, "null"), "premature-return", `x\u001b[31m`, 1), `codemod "x\\u{1b}[31m" is not a codemod ID`},
		{"a later version", `{"version": 5, "findings": []}`, "a version 5 JSON report"},
		{"a fix that also edits a file outside the package", finding(`"a.go"`, `"m"`, `{"applicability": "safe", "description": "d", "edits": [{"start": 45, "end": 45, "replacement": ", 1"}], "other_files": [{"path": "../b.go", "edits": [{"start": 0, "end": 0, "replacement": "x"}]}]}`), "which is not another file of the package"},
		{"a fix whose other file is its own", finding(`"a.go"`, `"m"`, `{"applicability": "safe", "description": "d", "edits": [{"start": 45, "end": 45, "replacement": ", 1"}], "other_files": [{"path": "a.go", "edits": [{"start": 0, "end": 0, "replacement": "x"}]}]}`), "which is not another file of the package"},
		{"no version", `{"findings": []}`, "a version 0 JSON report"},
		{"not JSON", "fixed a.go\n", "printed no JSON report"},
	} {
		t.Run(c.name, func(t *testing.T) {
			result := newFake(t).run(t, c.report)
			if result.Err == nil || !strings.Contains(result.Err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", result.Err, c.want)
			}
			if len(result.Diagnostics) != 0 {
				t.Errorf("%d diagnostics reported from a malformed report", len(result.Diagnostics))
			}
		})
	}
}

func TestFailuresOfTheBinaryAreErrors(t *testing.T) {
	t.Run("exit 2 quotes stderr, escaped", func(t *testing.T) {
		f := newFake(t)
		t.Setenv("FAKE_EXIT", "2")
		t.Setenv("FAKE_STDERR", "a.go: bad\x1b[2J thing\n")
		result := f.run(t, "")
		if result.Err == nil || !strings.Contains(result.Err.Error(), `exit status 2): a.go: bad\u{1b}[2J thing`) {
			t.Fatalf("error %v", result.Err)
		}
	})
	t.Run("a run over the timeout", func(t *testing.T) {
		f := newFake(t)
		f.timeout = time.Second
		t.Setenv("FAKE_SLEEP", "30")
		started := time.Now()
		result := f.run(t, "")
		if result.Err == nil || !strings.Contains(result.Err.Error(), "did not finish within 1s") {
			t.Fatalf("error %v", result.Err)
		}
		if time.Since(started) > 20*time.Second {
			t.Errorf("the run was not stopped at its timeout")
		}
	})
}

func TestAMissingBinaryIsAClearError(t *testing.T) {
	dir := writePackage(t, "leaky", "a.go", leakyFile)
	for _, c := range []struct {
		name, binary, env, path, want string
	}{
		{"named", "/nonexistent/goleak-fix", "", "", "goleak-fix binary /nonexistent/goleak-fix (from the analyzer's binary setting) cannot be used: no such file or directory"},
		{"from the environment", "", "/nonexistent/gl", "", "goleak-fix binary /nonexistent/gl (from $GOLEAK_FIX) cannot be used"},
		{"nowhere", "", "", pathWithGoOnly(t), "goleak-fix binary not found: put goleak-fix on PATH"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(goleakfix.BinaryEnv, c.env)
			if c.path != "" {
				t.Setenv("PATH", c.path)
			}
			var recorder recorder
			results := analysistest.Run(&recorder, dir, goleakfix.New(goleakfix.Options{Binary: c.binary}), "leaky")
			if err := results[0].Err; err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// pathWithGoOnly is a PATH on which go (which analysistest runs to load packages) is found
// and goleak-fix is not.
func pathWithGoOnly(t *testing.T) string {
	t.Helper()
	goBinary, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(goBinary, filepath.Join(dir, "go")); err != nil {
		t.Fatal(err)
	}
	return dir
}
