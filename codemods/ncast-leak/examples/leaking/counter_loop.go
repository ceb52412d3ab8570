// Three-clause loop bounded by a parameter: n goroutines each send one value,
// the parent takes whichever comes first and returns. The remaining n-1
// senders block forever on the unbuffered channel.
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

func anySquare(n int) int {
	c := make(chan int)
	for i := 0; i < n; i++ {
		go func() {
			c <- i * i
		}()
	}
	return <-c
}

func main() {
	for i := 0; i < 3; i++ {
		anySquare(5)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
