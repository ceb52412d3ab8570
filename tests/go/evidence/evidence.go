package main

// Added by tests/evidence.rs beside each program it runs, whose wait before counting
// goroutines becomes `time.Sleep(goleakFixSettle()); goleakFixWriteEvidence()`: once the
// goroutines have settled, the program writes what a production service would expose, into
// the directory $GOLEAK_FIX_EVIDENCE_DIR names.

import (
	"os"
	"path/filepath"
	"runtime/pprof"
)

// goleakFixWriteEvidence writes the goroutine dump (debug=2, as /debug/pprof/goroutine?debug=2
// serves it), the goroutine profile (gzipped protobuf, debug=0), and, in a build with
// GOEXPERIMENT=goroutineleakprofile, the goroutineleak profile in both forms.
func goleakFixWriteEvidence() {
	dir := os.Getenv("GOLEAK_FIX_EVIDENCE_DIR")
	if dir == "" {
		return
	}
	write := func(profile, name string, debug int) {
		p := pprof.Lookup(profile)
		if p == nil {
			return
		}
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			panic(err)
		}
		defer f.Close()
		if err := p.WriteTo(f, debug); err != nil {
			panic(err)
		}
	}
	write("goroutine", "goroutine.txt", 2)
	write("goroutine", "goroutine.pb.gz", 0)
	write("goroutineleak", "goroutineleak.txt", 2)
	write("goroutineleak", "goroutineleak.pb.gz", 0)
}
