package golangci_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"goleak-fix.invalid/go/internal/testkit"
)

// TestCustomGolangciLint builds a golangci-lint with the plugin the way `golangci-lint
// custom` does with ../.custom-gcl.yml (the source of the version it names, a plugins.go
// importing the plugin, a replace directive to the plugin's path, go build), then runs it
// on the codemod examples: it must report what goleak-fix --check reports and, with --fix,
// write what goleak-fix writes.
//
// `golangci-lint custom` itself clones golangci-lint's git repository, which needs the
// network; here the same source comes from the module cache (go/download.sh fetches it and
// the modules it needs), so the build runs offline. Building golangci-lint takes a few
// minutes of CPU the first time; the Go build cache makes later runs quick.
func TestCustomGolangciLint(t *testing.T) {
	binary := testkit.GoleakFix(t)
	config := readCustomConfig(t, filepath.Join("..", ".custom-gcl.yml"))
	if len(config.plugins) != 1 {
		t.Fatalf(".custom-gcl.yml: %d plugins, want 1", len(config.plugins))
	}
	plugin := config.plugins[0]
	module := modulePath(t)
	if plugin["module"] != module || plugin["import"] != module+"/golangci" {
		t.Fatalf(".custom-gcl.yml names module %q, import %q; want %q and %q/golangci", plugin["module"], plugin["import"], module, module)
	}
	pluginDir, err := filepath.Abs(filepath.Join("..", plugin["path"]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(pluginDir, "go.mod")); err != nil {
		t.Fatalf(".custom-gcl.yml's path %q is not the plugin module (relative to go/): %v", plugin["path"], err)
	}

	custom := buildCustom(t, config.version, plugin, pluginDir)
	version := testkit.Run(t, ".", nil, 0, custom, "version")
	if !strings.Contains(version, strings.TrimPrefix(config.version, "v")) {
		t.Errorf("custom golangci-lint version %q, want %s", version, config.version)
	}

	examples := testkit.ExamplesModule(t)
	testkit.Write(t, filepath.Join(examples, ".golangci.yml"), fmt.Sprintf(golangciConfig, binary))
	env := []string{"GOLANGCI_LINT_CACHE=" + t.TempDir()}
	reported := testkit.Lines(testkit.Run(t, examples, env, 1, custom, "run", "--show-stats=false", "./..."))
	var want []string
	for _, line := range testkit.Check(t, binary, examples) {
		want = append(want, line+" (goleakfix)")
	}
	if !slices.Equal(reported, want) {
		t.Fatalf("golangci-lint reports\n%s\nbut goleak-fix --check reports\n%s", strings.Join(reported, "\n"), strings.Join(want, "\n"))
	}
	testkit.CheckCoverage(t, examples, reported)

	byCLI := testkit.FixedByCLI(t, binary, examples)
	testkit.Run(t, examples, env, -1, custom, "run", "--fix", "--show-stats=false", "./...")
	testkit.CompareTrees(t, examples, byCLI)
}

// golangciConfig enables only goleakfix and shows every issue (by default golangci-lint
// shows one per line and three of the same text).
const golangciConfig = `version: "2"
linters:
  default: none
  enable:
    - goleakfix
  settings:
    custom:
      goleakfix:
        type: module
        description: goroutine leaks found and fixed by goleak-fix
        settings:
          binary: %q
issues:
  max-issues-per-linter: 0
  max-same-issues: 0
  uniq-by-line: false
output:
  formats:
    text:
      path: stdout
      print-linter-name: true
      print-issued-lines: false
`

// buildCustom builds golangci-lint version with the plugin compiled in and returns the
// binary's path.
func buildCustom(t *testing.T, version string, plugin map[string]string, pluginDir string) string {
	t.Helper()
	offline := []string{"GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local"}
	downloaded := testkit.Run(t, ".", offline, -1, "go", "mod", "download", "-json", "github.com/golangci/golangci-lint/v2@"+version)
	var source struct{ Dir, Error string }
	if err := json.Unmarshal([]byte(downloaded), &source); err != nil || source.Dir == "" {
		t.Fatalf("golangci-lint %s is not in the module cache (run go/download.sh): %s %v", version, source.Error, err)
	}
	repo := testkit.CopyDir(t, source.Dir)
	// As `golangci-lint custom` writes it.
	plugins := fmt.Sprintf("package main\n\nimport (\n\t_ %q\n)\n", plugin["import"])
	testkit.Write(t, filepath.Join(repo, "cmd", "golangci-lint", "plugins.go"), plugins)
	testkit.Run(t, repo, offline, 0, "go", "mod", "edit", "-replace", plugin["module"]+"="+pluginDir)
	binary := testkit.BuildOutput(t, "custom-gcl")
	// The version as `golangci-lint custom` stamps it (it adds a hash of the plugins).
	// -trimpath: the copy's directory changes every run; without it no compiled package of
	// golangci-lint itself would be reused from the build cache.
	ldflags := fmt.Sprintf("-s -w -X 'main.version=%s-custom-gcl' -X 'main.date=(test build)'", strings.TrimPrefix(version, "v"))
	testkit.Run(t, repo, offline, 0, "go", "build", "-trimpath", "-ldflags", ldflags, "-o", binary, "./cmd/golangci-lint")
	return binary
}

type customConfig struct {
	version string
	plugins []map[string]string
}

// readCustomConfig reads the .custom-gcl.yml of this module: the subset of YAML it is
// written in (top-level `key: value` lines and a `plugins:` list of `key: value` maps), so
// that the test needs no YAML library. Anything else in it is an error.
func readCustomConfig(t *testing.T, path string) customConfig {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var config customConfig
	inPlugins := false
	for number, line := range strings.Split(string(content), "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		key, value, ok := strings.Cut(strings.TrimPrefix(trimmed, "- "), ":")
		if !ok {
			t.Fatalf("%s:%d: not `key: value`: %q", path, number+1, line)
		}
		value = strings.Trim(strings.TrimSpace(value), `"'`)
		switch {
		case !strings.HasPrefix(line, " "):
			inPlugins = key == "plugins"
			if key == "version" {
				config.version = value
			}
		case inPlugins && strings.HasPrefix(trimmed, "- "):
			config.plugins = append(config.plugins, map[string]string{key: value})
		case inPlugins && len(config.plugins) > 0:
			config.plugins[len(config.plugins)-1][key] = value
		default:
			t.Fatalf("%s:%d: unexpected line %q", path, number+1, line)
		}
	}
	if config.version == "" {
		t.Fatalf("%s: no version", path)
	}
	return config
}

// modulePath is this module's path, from go.mod.
func modulePath(t *testing.T) string {
	t.Helper()
	content, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(content)) {
		if path, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return path
		}
	}
	t.Fatal("go.mod: no module line")
	return ""
}
