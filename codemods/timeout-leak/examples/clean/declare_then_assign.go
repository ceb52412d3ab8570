// Clean: the channel variable is declared first and made by a later
// assignment, with a buffer of one, so the send completes even after the wait
// timed out.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func waitHead(timeout time.Duration) (uint64, bool) {
	var heads chan uint64
	heads = make(chan uint64, 1)
	go func() {
		time.Sleep(20 * time.Millisecond)
		heads <- 42
	}()
	select {
	case head := <-heads:
		return head, true
	case <-time.After(timeout):
		return 0, false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		waitHead(2 * time.Millisecond)
	}
	waitHead(time.Second)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
