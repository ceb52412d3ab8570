// Range over an integer (Go 1.22): n attempts race and the first token wins.
// The parent receives once, so n-1 attempts stay blocked on their send.
//
// goleak-fix-test: unsafe-fix (n is a signed int: a negative n would make `make` panic,
// so sizing the buffer by n is offered only with --unsafe-fixes)
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
