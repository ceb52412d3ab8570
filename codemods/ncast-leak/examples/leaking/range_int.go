// Range over an integer (Go 1.22): n attempts race and the first token wins.
// The parent receives once, so n-1 attempts stay blocked on their send.
//
// n is a signed int: a buffer of n would make `make` panic for a negative n, where the
// loop simply starts nothing. The fix sizes it max(n, 0), exactly the number of
// goroutines, since the module's Go (codemods/go.mod) has the max builtin; in a module
// older than Go 1.21 it offers n as an unsafe fix instead.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func firstToken(n int) string {
	tokens := make(chan string)
	for i := range n {
		go func() {
			tokens <- fmt.Sprintf("token-%d", i)
		}()
	}
	return <-tokens
}

func main() {
	for i := 0; i < 3; i++ {
		firstToken(4)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
