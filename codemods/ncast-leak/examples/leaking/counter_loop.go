// Three-clause loop bounded by a parameter: n goroutines each send one value,
// the parent takes whichever comes first and returns. The remaining n-1
// senders block forever on the unbuffered channel.
//
// goleak-fix-test: unsafe-fix (n is a signed int: a negative n would make `make` panic,
// so sizing the buffer by n is offered only with --unsafe-fixes)
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
