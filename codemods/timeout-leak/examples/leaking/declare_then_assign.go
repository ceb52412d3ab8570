// The channel variable is declared first (`var heads chan uint64`) and made by
// a later assignment, a common style in large Go code bases. When the wait
// times out, waitHead returns and the goroutine blocks forever on its send.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func waitHead(timeout time.Duration) (uint64, bool) {
	var heads chan uint64
	heads = make(chan uint64)
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
