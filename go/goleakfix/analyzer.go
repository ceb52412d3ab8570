// Package goleakfix is a go/analysis front end for goleak-fix: its findings and fixes, found
// by running the goleak-fix binary on one package's files, become Diagnostics with
// SuggestedFixes, for go vet -vettool, go fix -fixtool, golangci-lint and any other driver.
//
// The analyzer reads each file of the package through the driver (pass.ReadFile), copies the
// files into a fresh temporary directory and runs `goleak-fix --check --format json` there on
// exactly those files, with no goleak-fix.toml unless one is named. goleak-fix thus reads
// nothing but the package's files as the driver parsed them, and the byte offsets of its
// edits are offsets into the very text the driver's token.File describes.
package goleakfix

import (
	"flag"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/tools/go/analysis"
)

// Name is the analyzer's name: go vet's flags for it are -goleakfix.<flag>.
const Name = "goleakfix"

const doc = `report goroutine leaks found by goleak-fix, with its fixes

goleakfix runs the goleak-fix binary on the files of each package and reports what it finds:
senders left blocked after their parent returned or timed out, N senders and fewer receives,
workers ranging over a channel nobody closes. Each finding comes with goleak-fix's safe fix
(a buffer of the right size, or a close in the right place), applied by go vet -fix, go fix
-fixtool and golangci-lint --fix. The binary is found through the bin flag, then $GOLEAK_FIX,
then PATH.`

// DefaultTimeout bounds one goleak-fix run (one package).
const DefaultTimeout = 2 * time.Minute

// Options configure an analyzer made with New. The zero value is the default: goleak-fix
// from $GOLEAK_FIX or PATH, no goleak-fix.toml, every codemod, safe fixes only.
type Options struct {
	// Binary is the goleak-fix binary to run; empty: $GOLEAK_FIX, then PATH.
	Binary string
	// Config is a goleak-fix.toml to read, for its select and ignore keys. Its exclude
	// patterns do not apply (the driver chooses the packages, and goleak-fix sees copies of
	// the files), nor does its unsafe-fixes key (UnsafeFixes decides). Empty: none.
	Config string
	// Select and Ignore choose codemods by ID, as goleak-fix's --select and --ignore.
	Select, Ignore []string
	// UnsafeFixes also offers the fixes goleak-fix marks unsafe. Without it a finding whose
	// only fix is unsafe is reported without a fix.
	UnsafeFixes bool
	// Timeout bounds one goleak-fix run; zero means DefaultTimeout.
	Timeout time.Duration
}

// New returns an analyzer configured by options (for golangci-lint's plugin and for
// programs that embed it).
func New(options Options) *analysis.Analyzer {
	return &analysis.Analyzer{
		Name: Name,
		Doc:  doc,
		Run: func(pass *analysis.Pass) (any, error) {
			return run(pass, options)
		},
		// goleak-fix reads syntax only and copes with syntax errors itself.
		RunDespiteErrors: true,
	}
}

// Analyzer is configured by its flags (go vet -goleakfix.bin=PATH and so on).
var Analyzer = newFlagAnalyzer()

func newFlagAnalyzer() *analysis.Analyzer {
	var (
		options        Options
		selected, skip string
	)
	flags := flag.NewFlagSet(Name, flag.ExitOnError)
	flags.StringVar(&options.Binary, "bin", "", "the goleak-fix binary (default: $"+BinaryEnv+", then goleak-fix on PATH); an absolute path, since go vet runs the analyzer in each package's directory")
	flags.StringVar(&options.Config, "config", "", "a goleak-fix.toml to read (absolute path); none by default")
	flags.StringVar(&selected, "select", "", "only these codemods (comma-separated IDs)")
	flags.StringVar(&skip, "ignore", "", "never these codemods (comma-separated IDs)")
	flags.BoolVar(&options.UnsafeFixes, "unsafe-fixes", false, "also offer the fixes goleak-fix marks unsafe")
	flags.DurationVar(&options.Timeout, "timeout", DefaultTimeout, "the longest one goleak-fix run (one package) may take")
	analyzer := New(Options{})
	analyzer.Flags = *flags
	analyzer.Run = func(pass *analysis.Pass) (any, error) {
		configured := options
		configured.Select = splitList(selected)
		configured.Ignore = splitList(skip)
		return run(pass, configured)
	}
	return analyzer
}

func splitList(list string) []string {
	var items []string
	for item := range strings.SplitSeq(list, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}

// packageFile is one file of the package: its name as the driver knows it, the driver's
// token.File for it, and its text as the driver read it.
type packageFile struct {
	name    string
	file    *token.File
	content []byte
}

func run(pass *analysis.Pass, options Options) (any, error) {
	files, err := packageFiles(pass)
	if err != nil || len(files) == 0 {
		return nil, err
	}
	binary, err := FindBinary(options.Binary)
	if err != nil {
		return nil, err
	}
	copies, err := os.MkdirTemp("", "goleak-fix-vet-")
	if err != nil {
		return nil, fmt.Errorf("goleak-fix: cannot make a temporary directory: %s", reason(err))
	}
	defer os.RemoveAll(copies)
	// The paths goleak-fix prints are relative to its working directory, which it may
	// resolve: resolve it first so that the paths line up (a /tmp that is a symbolic link).
	if resolved, err := filepath.EvalSymlinks(copies); err == nil {
		copies = resolved
	}
	byCopy, paths, err := copyPackage(pass, files, copies)
	if err != nil {
		return nil, err
	}
	stdout, err := runBinary(binary, copies, arguments(options, paths), options.Timeout)
	if err != nil {
		return nil, fmt.Errorf("goleak-fix on package %s: %w", packagePath(pass), err)
	}
	findings, err := parseReport(stdout)
	if err != nil {
		return nil, fmt.Errorf("goleak-fix on package %s: %w", packagePath(pass), err)
	}
	diagnostics := make([]analysis.Diagnostic, 0, len(findings.Findings))
	lookup := func(path string) (*packageFile, bool) {
		if !filepath.IsAbs(path) {
			path = filepath.Join(copies, path)
		}
		file, ok := byCopy[filepath.Clean(path)]
		return file, ok
	}
	for _, found := range findings.Findings {
		file, ok := lookup(found.Path)
		if !ok {
			return nil, fmt.Errorf("goleak-fix reported a finding in %s, which is not a file of package %s",
				forTerminal(found.Path), packagePath(pass))
		}
		diagnostic, err := toDiagnostic(found, file, lookup, options.UnsafeFixes)
		if err != nil {
			return nil, fmt.Errorf("goleak-fix on %s: %w", forTerminal(file.name), err)
		}
		diagnostics = append(diagnostics, diagnostic)
	}
	// Reported only once every finding has been checked, so that a malformed report yields
	// one clear error and no partial set of diagnostics.
	for _, diagnostic := range diagnostics {
		pass.Report(diagnostic)
	}
	return nil, nil
}

// copyPackage writes the package's files into dir, with a go.mod, and returns the files by
// the path of their copy, and those paths.
func copyPackage(pass *analysis.Pass, files []*packageFile, dir string) (map[string]*packageFile, []string, error) {
	// goleak-fix reads the package's language version from the go.mod that applies to it
	// (a fix may call `max` only from Go 1.21): give the copies the package's own.
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod(pass)), 0o600); err != nil {
		return nil, nil, fmt.Errorf("goleak-fix: cannot write a go.mod in a temporary directory: %s", reason(err))
	}
	byCopy := make(map[string]*packageFile, len(files))
	paths := make([]string, 0, len(files))
	for _, file := range files {
		copyPath := filepath.Join(dir, filepath.Base(file.name))
		if _, taken := byCopy[copyPath]; taken {
			return nil, nil, fmt.Errorf("goleak-fix: two files of package %s are named %s",
				packagePath(pass), forTerminal(filepath.Base(file.name)))
		}
		if err := os.WriteFile(copyPath, file.content, 0o600); err != nil {
			return nil, nil, fmt.Errorf("goleak-fix: cannot copy %s to a temporary directory: %s",
				forTerminal(file.name), reason(err))
		}
		byCopy[copyPath] = file
		paths = append(paths, copyPath)
	}
	return byCopy, paths, nil
}

// goVersion is what a go.mod's go directive may say: 1.21, 1.21.3, 1.22rc1.
var goVersion = regexp.MustCompile(`^[1-9][0-9]*\.[0-9]+(\.[0-9]+|(rc|beta)[0-9]+)?$`)

// goMod is a go.mod stating the package's Go language version as the driver knows it (its
// module's go directive, or the version it type-checked the package with). Without one it
// has no go directive, which goleak-fix reads as an unknown version, as where it finds no
// go.mod: a fix that needs a newer Go is then not offered as safe. It is always written,
// so that goleak-fix never looks above the copies' directory for another.
func goMod(pass *analysis.Pass) string {
	version := ""
	if pass.Module != nil {
		version = pass.Module.GoVersion
	}
	if version == "" && pass.Pkg != nil {
		version = pass.Pkg.GoVersion()
	}
	// go/packages says 1.21; go vet's unitchecker, like go/types, go1.21.0.
	version = strings.TrimPrefix(version, "go")
	const module = "module goleak-fix.invalid/analyzed\n"
	if !goVersion.MatchString(version) {
		return module
	}
	return module + "\ngo " + version + "\n"
}

// packageFiles returns the package's Go files as the driver read them. A file whose text no
// longer matches what the driver parsed (changed on disk in between) is an error: offsets
// into it would land in the wrong place. Files outside the package's source (cgo's
// generated files, which carry //line directives back to the source) are generated, and
// goleak-fix skips generated files itself.
func packageFiles(pass *analysis.Pass) ([]*packageFile, error) {
	read := pass.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	files := make([]*packageFile, 0, len(pass.Files))
	for _, syntax := range pass.Files {
		file := pass.Fset.File(syntax.FileStart)
		if file == nil || !strings.HasSuffix(file.Name(), ".go") {
			continue
		}
		content, err := read(file.Name())
		if err != nil {
			return nil, fmt.Errorf("goleak-fix: cannot read %s: %s", forTerminal(file.Name()), reason(err))
		}
		if len(content) != file.Size() {
			return nil, fmt.Errorf("goleak-fix: %s changed after it was parsed (%d bytes, then %d); run again",
				forTerminal(file.Name()), file.Size(), len(content))
		}
		files = append(files, &packageFile{name: file.Name(), file: file, content: content})
	}
	return files, nil
}

// arguments are goleak-fix's: a check that writes nothing and prints the JSON report, on
// the given files only. Values are joined to their flag with `=`, and the paths (absolute)
// follow `--`, so that no value can be taken for a flag.
func arguments(options Options, paths []string) []string {
	args := []string{"--check", "--format=json", "--quiet", "--jobs=1"}
	if options.Config != "" {
		args = append(args, "--config="+options.Config)
	} else {
		args = append(args, "--no-config")
	}
	if len(options.Select) > 0 {
		args = append(args, "--select="+strings.Join(options.Select, ","))
	}
	if len(options.Ignore) > 0 {
		args = append(args, "--ignore="+strings.Join(options.Ignore, ","))
	}
	args = append(args, "--")
	return append(args, paths...)
}

// packagePath is the package's import path for a message, escaped.
func packagePath(pass *analysis.Pass) string {
	if pass.Pkg == nil {
		return "(unnamed)"
	}
	return forTerminal(pass.Pkg.Path())
}
