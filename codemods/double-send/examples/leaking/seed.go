// The goroutine's error branch sends the error and, lacking its `return`,
// falls through to the second send. load receives once, so on the error path
// the second send blocks forever.
// goleak-fix-test: unsafe-fix
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func readConfig(path string) (string, error) {
	if path == "" {
		return "", errors.New("no path")
	}
	return "config of " + path, nil
}

func load(path string) error {
	errc := make(chan error)
	go func() {
		data, err := readConfig(path)
		if err != nil {
			errc <- err
		}
		_ = data
		errc <- nil
	}()
	return <-errc
}

func main() {
	for _, path := range []string{"a.toml", "", "b.toml", ""} {
		_ = load(path)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
