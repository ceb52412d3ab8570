// Two channels share the name resultC, each declared in its own block, like a
// Wait function with a fast path. The fast path always receives; the slow
// path gives up on a timeout, and its goroutine then blocks forever on its
// send. Only the second resultC leaks.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func wait(fast bool, timeout time.Duration) (int, bool) {
	if fast {
		resultC := make(chan int)
		go func() { resultC <- 1 }()
		return <-resultC, true
	}
	resultC := make(chan int)
	go func() {
		time.Sleep(20 * time.Millisecond)
		resultC <- 2
	}()
	select {
	case r := <-resultC:
		return r, true
	case <-time.After(timeout):
		return 0, false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		wait(true, time.Second)
		wait(false, 2*time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
