// Clean: a handshake where the receive sits in a conditional branch, but both
// branches of the if receive exactly once and neither returns before it. The
// parent takes the value on every path.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func compress(data string, measure bool) (int, time.Duration) {
	sizes := make(chan int)
	go func() {
		time.Sleep(10 * time.Millisecond)
		sizes <- len(data) / 2
	}()
	var n int
	var took time.Duration
	if measure {
		start := time.Now()
		n = <-sizes
		took = time.Since(start)
	} else {
		n = <-sizes
	}
	return n, took
}

func main() {
	for i := 0; i < 3; i++ {
		compress("aaaaaaaa", i%2 == 0)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
