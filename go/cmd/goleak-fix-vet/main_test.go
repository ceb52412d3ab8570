package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"goleak-fix.invalid/go/goleakfix"
)

// These tests drive the real thing: go vet -vettool and go fix -fixtool with this command
// built, on a module made of the repository's codemod examples, against the real goleak-fix
// ($GOLEAK_FIX or PATH). What go vet reports and what go fix writes must be exactly what
// goleak-fix's own --check reports and its default mode writes.

var codemods = []string{"abandoned-receivers", "premature-return", "timeout-leak", "ncast-leak", "channel-iteration-misuse"}

func TestGoVetReportsAndGoFixFixesTheExamples(t *testing.T) {
	binary := goleakFix(t)
	tool := buildTool(t)
	module := examplesModule(t)

	vetted := vet(t, module, tool, 1)
	checked := check(t, binary, module)
	if !slices.Equal(vetted, checked) {
		t.Fatalf("go vet reports\n%s\nbut goleak-fix --check reports\n%s", strings.Join(vetted, "\n"), strings.Join(checked, "\n"))
	}
	for _, codemod := range codemods {
		leaking := filepath.Join("leaking", codemod)
		for _, dir := range exampleDirs(t, module, leaking) {
			if !slices.ContainsFunc(vetted, func(line string) bool { return strings.HasPrefix(line, dir+"/") }) {
				t.Errorf("go vet reports nothing in the leaking example %s", dir)
			}
		}
	}
	if at := slices.IndexFunc(vetted, func(line string) bool { return strings.HasPrefix(line, "clean/") }); at >= 0 {
		t.Errorf("go vet reports a clean example: %s", vetted[at])
	}

	// go fix applies the fixes; the files are then those goleak-fix's default mode writes.
	byCLI := copyDir(t, module)
	run(t, byCLI, nil, -1, binary, "--no-config", "--quiet", "./...")
	goCommand(t, module, []string{goleakfix.BinaryEnv + "=" + binary}, 0, "fix", "-fixtool="+tool, "./...")
	compareTrees(t, module, byCLI)
	// What is left is what goleak-fix leaves: findings without a safe fix.
	if left, leftByCLI := vet(t, module, tool, -1), check(t, binary, byCLI); !slices.Equal(left, leftByCLI) {
		t.Errorf("after go fix, go vet reports\n%s\nbut goleak-fix --check reports\n%s", strings.Join(left, "\n"), strings.Join(leftByCLI, "\n"))
	}
}

// In fix mode unitchecker drops analyzer errors; this command turns them into a failure.
func TestGoFixWithoutTheBinaryFails(t *testing.T) {
	goleakFix(t)
	tool := buildTool(t)
	module := examplesModule(t)
	goBinary, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	onlyGo := t.TempDir()
	if err := os.Symlink(goBinary, filepath.Join(onlyGo, "go")); err != nil {
		t.Fatal(err)
	}
	env := []string{goleakfix.BinaryEnv + "=", "PATH=" + onlyGo}
	out := goCommand(t, module, env, 1, "fix", "-fixtool="+tool, "./leaking/timeout-leak/seed")
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
		return run(t, dir, []string{goleakfix.BinaryEnv + "=" + binary}, 0, tool, "-V=full")
	}
	first, again, other := id("one"), id("one"), id("two")
	if !strings.Contains(first, " version devel ") || !strings.Contains(first, "buildID=") {
		t.Errorf("-V=full printed %q", first)
	}
	if first != again || first == other {
		t.Errorf("-V=full does not follow the goleak-fix binary: %q, %q, %q", first, again, other)
	}
}

func goleakFix(t *testing.T) string {
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

func buildTool(t *testing.T) string {
	t.Helper()
	tool := filepath.Join(t.TempDir(), "goleak-fix-vet")
	run(t, ".", nil, 0, "go", "build", "-o", tool, ".")
	return tool
}

// examplesModule is a module with each example of codemods/<id>/examples/<kind>/<name>.go
// as the package <kind>/<id>/<name> (they are all package main).
func examplesModule(t *testing.T) string {
	t.Helper()
	module := t.TempDir()
	write(t, filepath.Join(module, "go.mod"), "module example.com/examples\n\ngo 1.26\n")
	for _, codemod := range codemods {
		for _, kind := range []string{"leaking", "clean"} {
			examples, err := filepath.Glob(filepath.Join("..", "..", "..", "codemods", codemod, "examples", kind, "*.go"))
			if err != nil || len(examples) == 0 {
				t.Fatalf("no examples in codemods/%s/examples/%s (%v)", codemod, kind, err)
			}
			for _, example := range examples {
				content, err := os.ReadFile(example)
				if err != nil {
					t.Fatal(err)
				}
				name := strings.TrimSuffix(filepath.Base(example), ".go")
				write(t, filepath.Join(module, kind, codemod, name, "main.go"), string(content))
			}
		}
	}
	return module
}

func exampleDirs(t *testing.T, module, under string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(module, under))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, entry := range entries {
		dirs = append(dirs, filepath.ToSlash(filepath.Join(under, entry.Name())))
	}
	return dirs
}

// vet runs go vet with the tool and returns its findings (`path:line:col: id: message`),
// sorted; want is its exit status, -1 for either 0 or 1.
func vet(t *testing.T, module, tool string, want int) []string {
	t.Helper()
	out := goCommand(t, module, nil, want, "vet", "-vettool="+tool, "./...")
	var findings []string
	for line := range strings.Lines(out) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			findings = append(findings, line)
		}
	}
	slices.Sort(findings)
	return findings
}

// check is goleak-fix --check's findings on the module, sorted.
func check(t *testing.T, binary, module string) []string {
	t.Helper()
	out := run(t, module, nil, -1, binary, "--check", "--no-config", "--quiet", "./...")
	findings := strings.Split(strings.TrimSpace(out), "\n")
	slices.Sort(findings)
	return slices.DeleteFunc(findings, func(line string) bool { return line == "" })
}

func goCommand(t *testing.T, dir string, env []string, want int, args ...string) string {
	t.Helper()
	return run(t, dir, env, want, "go", args...)
}

// run runs name in dir with env added and returns its stdout and stderr; want is the exit
// status it must have, -1 for 0 or 1.
func run(t *testing.T, dir string, env []string, want int, name string, args ...string) string {
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
	if status != want && !(want == -1 && status <= 1) {
		t.Fatalf("%s %s in %s: exit status %d, want %d:\n%s", name, strings.Join(args, " "), dir, status, want, out.String())
	}
	return out.String()
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.WalkDir(from, func(path string, entry os.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		relative, _ := filepath.Rel(from, path)
		content, err := os.ReadFile(path)
		if err == nil {
			write(t, filepath.Join(to, relative), string(content))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// compareTrees fails the test for each file that differs between the two trees.
func compareTrees(t *testing.T, got, want string) {
	t.Helper()
	err := filepath.WalkDir(want, func(path string, entry os.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		relative, _ := filepath.Rel(want, path)
		wanted, _ := os.ReadFile(path)
		gotten, err := os.ReadFile(filepath.Join(got, relative))
		if err != nil || !bytes.Equal(gotten, wanted) {
			t.Errorf("%s after go fix differs from goleak-fix's fix (%v):\n%s", relative, err, gotten)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
