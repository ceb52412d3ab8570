// Fetch is exported: callers outside the package cannot be checked, and any of
// them that stops waiting strands the sender. Here the caller hands the future
// to a helper that gives up after a timeout.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func Fetch(url string) <-chan []byte {
	body := make(chan []byte)
	go func() {
		time.Sleep(20 * time.Millisecond)
		body <- []byte("body of " + url)
	}()
	return body
}

func waitFor(c <-chan []byte, d time.Duration) ([]byte, bool) {
	select {
	case b := <-c:
		return b, true
	case <-time.After(d):
		return nil, false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		waitFor(Fetch("https://example.invalid/"), 5*time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
