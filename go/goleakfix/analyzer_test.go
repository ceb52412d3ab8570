package goleakfix_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"goleak-fix.invalid/go/goleakfix"
	"goleak-fix.invalid/go/internal/testkit"
)

// These tests run the real goleak-fix binary: $GOLEAK_FIX (the Rust test tests/go_analyzer.rs
// sets it to the binary cargo built) or goleak-fix on PATH. Without one they fail: a test of
// the front end that skips proves nothing.
func TestMain(m *testing.M) {
	if _, err := goleakfix.FindBinary(""); err != nil {
		os.Stderr.WriteString("goleakfix tests: " + err.Error() + "\n")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// One leaking example per codemod (the seed example of codemods/<id>/examples/leaking, for
// future-leak its caller_timeout example), each
// reported on the line its `// want` names and fixed as its .golden file says.
func TestEachCodemodIsReportedAndFixed(t *testing.T) {
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), goleakfix.Analyzer,
		"abandonedreceivers", "prematurereturn", "ncastleak", "channeliteration", "timeoutleak", "futureleak")
}

// abandoned-producers' fix for a producer declared in another file edits both files: the
// finding is reported without a SuggestedFix, since drivers apply one only in its own file
// (golangci-lint's --fix) and half of the fix would not build.
func TestAFixAcrossFilesIsNotOffered(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), goleakfix.Analyzer, "abandonedproducers")
	if len(results) != 1 || results[0].Err != nil || len(results[0].Diagnostics) != 1 {
		t.Fatalf("want one package with one diagnostic, got %d packages", len(results))
	}
	if fixes := results[0].Diagnostics[0].SuggestedFixes; len(fixes) != 0 {
		t.Errorf("a fix across files offered: %q", fixes[0].Message)
	}
}

// A clean example of each codemod, a suppressed leak, and a package whose leaking file is left
// out by a build constraint: no diagnostic, and no error. The last would be an error ("not a
// file of package") if goleak-fix read the directory instead of the package's files.
func TestCleanPackagesHaveNoDiagnostics(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), goleakfix.Analyzer,
		"clean/...", "suppressed", "buildtags")
	if len(results) != 8 {
		t.Fatalf("%d packages analysed, want 8 (6 clean, suppressed, buildtags)", len(results))
	}
	for _, result := range results {
		if result.Err != nil {
			t.Errorf("%s: %v", result.Pass.Pkg.Path(), result.Err)
		}
	}
}

// A fix goleak-fix marks unsafe is offered only with UnsafeFixes; the finding is reported
// either way.
func TestUnsafeFixesOnlyWhenAskedFor(t *testing.T) {
	for _, result := range analysistest.Run(t, analysistest.TestData(), goleakfix.Analyzer, "unsafefix") {
		if len(result.Diagnostics) != 1 {
			t.Fatalf("%d diagnostics, want 1", len(result.Diagnostics))
		}
		if fixes := result.Diagnostics[0].SuggestedFixes; len(fixes) != 0 {
			t.Errorf("an unsafe fix offered without UnsafeFixes: %q", fixes[0].Message)
		}
	}
	unsafe := goleakfix.New(goleakfix.Options{UnsafeFixes: true})
	results := analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), unsafe, "unsafefix")
	fix := results[0].Diagnostics[0].SuggestedFixes[0]
	if !strings.HasSuffix(fix.Message, " (unsafe)") {
		t.Errorf("fix message %q does not say it is unsafe", fix.Message)
	}
}

func TestSelectAndIgnoreChooseCodemods(t *testing.T) {
	for _, options := range []goleakfix.Options{
		{Select: []string{"ncast-leak"}},
		{Ignore: []string{"timeout-leak"}},
	} {
		for _, result := range analysistest.Run(t, analysistest.TestData(), goleakfix.New(options), "suppressed") {
			if result.Err != nil || len(result.Diagnostics) != 0 {
				t.Errorf("%+v: %d diagnostics, error %v; want none", options, len(result.Diagnostics), result.Err)
			}
		}
	}
	// The leak of timeoutleak: reported when selected (its `// want` is met), not when
	// another codemod is (the `// want` is then unmet, which the recorder counts).
	selected := goleakfix.New(goleakfix.Options{Select: []string{"timeout-leak"}})
	analysistest.Run(t, analysistest.TestData(), selected, "timeoutleak")
	other := goleakfix.New(goleakfix.Options{Select: []string{"ncast-leak"}})
	var recorder recorder
	analysistest.Run(&recorder, analysistest.TestData(), other, "timeoutleak")
	if len(recorder.errors) != 1 || !strings.Contains(recorder.errors[0], "no diagnostic was reported") {
		t.Errorf("with only ncast-leak selected, the timeout leak was still reported: %q", recorder.errors)
	}
}

// recorder is an analysistest.Testing that keeps the errors instead of failing the test.
type recorder struct{ errors []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// The offsets are mapped byte for byte: a byte order mark, CRLF line endings and non-ASCII
// text before the leak shift nothing. The fix applied to the raw bytes gives exactly the
// file with `, 1` inserted, and nothing else changed (analysistest's golden comparison
// formats both sides, so it cannot see this).
func TestFixOffsetsAreExactBytes(t *testing.T) {
	text := "\ufeff" + strings.ReplaceAll(seed(t, "timeoutleak"), "\n", "\r\n")
	text = strings.Replace(text, "package main", "// Ünïcödé: 日本語 text before the leak.\r\npackage main", 1)
	dir := writePackage(t, "bomcrlf", "a.go", text)
	// No `// want` in this file (a comment would change the bytes under test): the
	// recorder takes analysistest's "unexpected diagnostic", and the test checks it.
	var recorder recorder
	results := analysistest.Run(&recorder, dir, goleakfix.Analyzer, "bomcrlf")
	if len(results) != 1 || len(results[0].Diagnostics) != 1 {
		t.Fatalf("want one package with one diagnostic, got %d packages", len(results))
	}
	pass, diagnostic := results[0].Pass, results[0].Diagnostics[0]
	position := pass.Fset.Position(diagnostic.Pos)
	if want := lineOf(text, "done := make(chan any)"); position.Line != want {
		t.Errorf("reported at line %d, want %d", position.Line, want)
	}
	fixed := apply(t, pass, []byte(text), diagnostic.SuggestedFixes[0].TextEdits)
	want := strings.Replace(text, "done := make(chan any)", "done := make(chan any, 1)", 1)
	if string(fixed) != want {
		t.Errorf("fixed file differs from the input plus `, 1`:\n%q", fixed)
	}
}

// seed is the leaking seed example of a testdata package, without its `// want` comments.
func seed(t *testing.T, pkg string) string {
	t.Helper()
	content, err := os.ReadFile(filepath.Join("testdata", "src", pkg, "seed.go"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(content), "\n")
	for i, line := range lines {
		if at := strings.Index(line, " // want "); at >= 0 {
			lines[i] = line[:at]
		}
	}
	return strings.Join(lines, "\n")
}

// writePackage makes a GOPATH-style testdata tree with one package of one file.
func writePackage(t *testing.T, pkg, name, content string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "src", pkg), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", pkg, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func lineOf(text, substring string) int {
	return strings.Count(text[:strings.Index(text, substring)], "\n") + 1
}

// apply applies edits (in order, not overlapping) to content.
func apply(t *testing.T, pass *analysis.Pass, content []byte, edits []analysis.TextEdit) []byte {
	t.Helper()
	var out bytes.Buffer
	at := 0
	for _, edit := range edits {
		start := pass.Fset.Position(edit.Pos).Offset
		end := pass.Fset.Position(edit.End).Offset
		out.Write(content[at:start])
		out.Write(edit.NewText)
		at = end
	}
	out.Write(content[at:])
	return out.Bytes()
}

// The package's Go version (its module's go directive, as the driver reports it) reaches
// goleak-fix: from Go 1.21 a signed count is sized with `max(n, 0)`, a safe fix; before, the
// only fix does without `max` and is unsafe, so none is offered by default.
func TestTheModulesGoVersionDecidesFixesThatNeedIt(t *testing.T) {
	example, err := os.ReadFile(filepath.Join(testkit.RepoRoot(t), "codemods", "ncast-leak", "examples", "leaking", "signed_count.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		version string
		fix     string // the fixed line; "" for no fix offered
	}{
		{"1.22", "answers := make(chan int, max(n, 0))"},
		{"1.20", ""},
	} {
		dir := t.TempDir()
		testkit.Write(t, filepath.Join(dir, "go.mod"), "module example.com/m\n\ngo "+c.version+"\n")
		testkit.Write(t, filepath.Join(dir, "signed", "main.go"), string(example))
		var recorder recorder // the example has no `// want`
		results := analysistest.Run(&recorder, dir, goleakfix.Analyzer, "./signed")
		if len(results) != 1 || results[0].Err != nil || len(results[0].Diagnostics) != 1 {
			t.Fatalf("go %s: want one diagnostic, got %d packages (%v)", c.version, len(results), recorder.errors)
		}
		diagnostic := results[0].Diagnostics[0]
		switch {
		case c.fix == "" && len(diagnostic.SuggestedFixes) != 0:
			t.Errorf("go %s: a fix offered: %q", c.version, diagnostic.SuggestedFixes[0].Message)
		case c.fix != "" && len(diagnostic.SuggestedFixes) != 1:
			t.Errorf("go %s: no fix offered", c.version)
		case c.fix != "":
			fixed := apply(t, results[0].Pass, example, diagnostic.SuggestedFixes[0].TextEdits)
			if !strings.Contains(string(fixed), c.fix) {
				t.Errorf("go %s: the fix does not make %q:\n%s", c.version, c.fix, fixed)
			}
		}
	}
}
