// Clean: two channels share the name resultC, each in its own block. The one
// that a select may abandon has a buffer of one; the other is always received.
// Neither sender can block forever.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func wait(fast bool, timeout time.Duration) (int, bool) {
	if fast {
		resultC := make(chan int, 1)
		go func() {
			time.Sleep(20 * time.Millisecond)
			resultC <- 1
		}()
		select {
		case r := <-resultC:
			return r, true
		case <-time.After(timeout):
			return 0, false
		}
	}
	resultC := make(chan int)
	go func() { resultC <- 2 }()
	return <-resultC, true
}

func main() {
	for i := 0; i < 3; i++ {
		wait(true, 2*time.Millisecond)
		wait(false, time.Second)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
