package golangci_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis/analysistest"

	_ "goleak-fix.invalid/go/golangci"
	"goleak-fix.invalid/go/goleakfix"
)

// The analyzers run the real goleak-fix ($GOLEAK_FIX or PATH); without it the tests fail.
func TestMain(m *testing.M) {
	if _, err := goleakfix.FindBinary(""); err != nil {
		fmt.Fprintln(os.Stderr, "golangci tests:", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// testdata is the analyzer's (absolute: analysistest makes it a GOPATH entry).
var testdata = func() string {
	dir, err := filepath.Abs(filepath.Join("..", "goleakfix", "testdata"))
	if err != nil {
		panic(err)
	}
	return dir
}()

// The plugin registers itself under the linter's name, as golangci-lint looks it up, and its
// analyzers find and fix the leaks with the settings given.
func TestThePluginIsRegisteredAndRunsWithItsSettings(t *testing.T) {
	newPlugin, err := register.GetPlugin("goleakfix")
	if err != nil {
		t.Fatal(err)
	}
	// As golangci-lint passes them: decoded from YAML into maps and lists.
	plugin, err := newPlugin(map[string]any{
		"select":       []any{"channel-iteration-misuse", "timeout-leak"},
		"unsafe-fixes": true,
		"timeout":      "90s",
	})
	if err != nil {
		t.Fatal(err)
	}
	if mode := plugin.GetLoadMode(); mode != register.LoadModeSyntax {
		t.Errorf("load mode %q, want %q", mode, register.LoadModeSyntax)
	}
	analyzers, err := plugin.BuildAnalyzers()
	if err != nil || len(analyzers) != 1 || analyzers[0].Name != "goleakfix" {
		t.Fatalf("analyzers %v, error %v", analyzers, err)
	}
	// Selected codemods are reported and fixed; the unsafe fix is offered (unsafe-fixes).
	analysistest.RunWithSuggestedFixes(t, testdata, analyzers[0], "timeoutleak", "unsafefix")
	// A codemod left out by select is not reported: ncastleak's `// want` stays unmet.
	var recorder recorder
	analysistest.Run(&recorder, testdata, analyzers[0], "ncastleak")
	if len(recorder.errors) != 1 || !strings.Contains(recorder.errors[0], "no diagnostic was reported") {
		t.Errorf("ncast-leak was reported though not selected: %q", recorder.errors)
	}
}

func TestBadSettingsAreErrors(t *testing.T) {
	newPlugin, err := register.GetPlugin("goleakfix")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		settings map[string]any
		want     string
	}{
		{map[string]any{"unsafe_fixes": true}, `unknown field "unsafe_fixes"`},
		{map[string]any{"timeout": "soon"}, `timeout "soon" is not a positive duration`},
		{map[string]any{"timeout": "-1s"}, `timeout "-1s" is not a positive duration`},
		{map[string]any{"select": "timeout-leak"}, "goleakfix settings: decoding settings"},
	} {
		if _, err := newPlugin(c.settings); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("settings %v: error %v, want one containing %q", c.settings, err, c.want)
		}
	}
}

type recorder struct{ errors []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
