package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"goleak-fix.invalid/go/goleakfix"
	"goleak-fix.invalid/go/internal/testkit"
)

// These tests drive the real thing: go vet -vettool and go fix -fixtool with this command
// built, on a module made of the repository's codemod examples, against the real goleak-fix
// ($GOLEAK_FIX or PATH). What go vet reports and what go fix writes must be exactly what
// goleak-fix's own --check reports and its default mode writes.

func TestGoVetReportsAndGoFixFixesTheExamples(t *testing.T) {
	binary := testkit.GoleakFix(t)
	tool := buildTool(t)
	module := testkit.ExamplesModule(t)

	vetted := testkit.Lines(testkit.Run(t, module, nil, 1, "go", "vet", "-vettool="+tool, "./..."))
	if checked := testkit.Check(t, binary, module); !slices.Equal(vetted, checked) {
		t.Fatalf("go vet reports\n%s\nbut goleak-fix --check reports\n%s", strings.Join(vetted, "\n"), strings.Join(checked, "\n"))
	}
	testkit.CheckCoverage(t, module, vetted)

	// go fix applies the fixes: the files are then those goleak-fix's default mode writes.
	byCLI := testkit.FixedByCLI(t, binary, module)
	testkit.Run(t, module, []string{goleakfix.BinaryEnv + "=" + binary}, 0, "go", "fix", "-fixtool="+tool, "./...")
	testkit.CompareTrees(t, module, byCLI)
	// What is left is what goleak-fix leaves: findings without a safe fix.
	left := testkit.Lines(testkit.Run(t, module, nil, -1, "go", "vet", "-vettool="+tool, "./..."))
	if leftByCLI := testkit.Check(t, binary, byCLI); !slices.Equal(left, leftByCLI) {
		t.Errorf("after go fix, go vet reports\n%s\nbut goleak-fix --check reports\n%s", strings.Join(left, "\n"), strings.Join(leftByCLI, "\n"))
	}
}

// In fix mode unitchecker drops analyzer errors; this command turns them into a failure.
func TestGoFixWithoutTheBinaryFails(t *testing.T) {
	testkit.GoleakFix(t)
	tool := buildTool(t)
	module := testkit.ExamplesModule(t)
	goBinary, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	onlyGo := t.TempDir()
	if err := os.Symlink(goBinary, filepath.Join(onlyGo, "go")); err != nil {
		t.Fatal(err)
	}
	env := []string{goleakfix.BinaryEnv + "=", "PATH=" + onlyGo}
	out := testkit.Run(t, module, env, 1, "go", "fix", "-fixtool="+tool, "./leaking/timeout-leak/seed")
	if !strings.Contains(out, "goleak-fix binary not found") {
		t.Errorf("go fix without goleak-fix says:\n%s", out)
	}
}

// go vet caches results under the tool's -V=full answer, which covers the goleak-fix binary.
func TestToolIDCoversTheGoleakFixBinary(t *testing.T) {
	tool := buildTool(t)
	dir := t.TempDir()
	id := func(content string) string {
		binary := filepath.Join(dir, "goleak-fix")
		if err := os.WriteFile(binary, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
		return testkit.Run(t, dir, []string{goleakfix.BinaryEnv + "=" + binary}, 0, tool, "-V=full")
	}
	first, again, other := id("one"), id("one"), id("two")
	if !strings.Contains(first, " version devel ") || !strings.Contains(first, "buildID=") {
		t.Errorf("-V=full printed %q", first)
	}
	if first != again || first == other {
		t.Errorf("-V=full does not follow the goleak-fix binary: %q, %q, %q", first, again, other)
	}
}

func buildTool(t *testing.T) string {
	t.Helper()
	tool := testkit.BuildOutput(t, "goleak-fix-vet")
	testkit.Run(t, ".", nil, 0, "go", "build", "-o", tool, ".")
	return tool
}
