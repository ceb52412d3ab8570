package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"

	"goleak-fix.invalid/go/goleakfix"
)

// printToolID answers go vet's -V=full, which it asks once per run and makes part of the
// key of every cached vet result. unitchecker's answer hashes this executable only; this one
// also hashes the goleak-fix binary that $GOLEAK_FIX or PATH leads to, so that a new
// goleak-fix (new codemods, new fixes) is not hidden behind results cached with the old one.
// (A binary named with -goleakfix.bin is not seen here: go vet asks without the flags. The
// flag's value is part of the key, its contents are not.)
func printToolID() {
	hash := sha256.New()
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "goleak-fix-vet: cannot find its own executable: %v\n", err)
		os.Exit(1)
	}
	if err := hashFile(hash, self); err != nil {
		fmt.Fprintf(os.Stderr, "goleak-fix-vet: cannot read its own executable: %v\n", err)
		os.Exit(1)
	}
	binary, err := goleakfix.FindBinary("")
	if err != nil || hashFile(hash, binary) != nil {
		// The run will fail (or use -goleakfix.bin): still a key of its own.
		fmt.Fprint(hash, "no goleak-fix binary")
	}
	fmt.Printf("%s version devel goleak-fix-vet buildID=%02x\n", self, hash.Sum(nil))
}

func hashFile(hash io.Writer, path string) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	_, err = io.Copy(hash, file)
	return err
}
