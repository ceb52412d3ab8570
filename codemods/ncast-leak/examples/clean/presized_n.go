// Clean: first answer wins inside a select with a timeout, but the channel is
// already sized n, one slot per goroutine, so no sender blocks whichever case
// the parent picks.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func firstProbe(n int, timeout time.Duration) (int, bool) {
	probes := make(chan int, n)
	for i := 0; i < n; i++ {
		go func() {
			time.Sleep(time.Millisecond) // simulated probe
			probes <- i
		}()
	}
	select {
	case p := <-probes:
		return p, true
	case <-time.After(timeout):
		return 0, false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		firstProbe(4, 100*time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
