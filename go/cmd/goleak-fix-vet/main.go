// Command goleak-fix-vet runs goleak-fix as a vet tool:
//
//	go install ./cmd/goleak-fix-vet     (in the go/ directory of goleak-fix's repository)
//	go vet -vettool=$(which goleak-fix-vet) ./...
//	go fix -fixtool=$(which goleak-fix-vet) ./...
//
// It needs the goleak-fix binary: -goleakfix.bin=PATH, $GOLEAK_FIX, or goleak-fix on PATH.
package main

import (
	"fmt"
	"os"

	"goleak-fix.invalid/go/goleakfix"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"
)

func main() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "-V=full" {
		printToolID()
		return
	}
	analyzer := goleakfix.Analyzer
	if fixMode(args) {
		failLoudly(analyzer)
	}
	unitchecker.Main(analyzer)
}

// fixMode tells whether go fix (or go vet -fix) runs the tool: it passes -fix.
func fixMode(args []string) bool {
	for _, arg := range args {
		switch arg {
		case "-fix", "-fix=true", "--fix", "--fix=true":
			return true
		}
	}
	return false
}

// failLoudly makes an analyzer error end the run with the error on stderr. In fix mode
// unitchecker applies the fixes it has and drops the analyzers' errors without a word, so a
// missing goleak-fix binary would look like a package without leaks.
func failLoudly(analyzer *analysis.Analyzer) {
	run := analyzer.Run
	analyzer.Run = func(pass *analysis.Pass) (any, error) {
		result, err := run(pass)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", pass.Pkg.Path(), err)
			os.Exit(1)
		}
		return result, nil
	}
}
