// The module the example programs belong to, for the analysis: their language version (the
// `go` line) is what decides whether a fix may call `max` (see src/go_mod.rs). The test suite
// builds each example on its own, in a module of its own.
module goleak-fix.invalid/codemods

go 1.22
