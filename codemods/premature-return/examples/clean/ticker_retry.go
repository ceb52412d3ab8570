// Clean: the parent waits in a loop with a ticker case that only counts and
// tries again. No case leaves the loop except the receive, so the parent
// always takes the value.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func waitForUpload(size int) (int, int) {
	uploaded := make(chan int)
	go func() {
		time.Sleep(20 * time.Millisecond)
		uploaded <- size
	}()

	ticker := time.NewTicker(2 * time.Millisecond)
	defer ticker.Stop()
	polls := 0
	for {
		select {
		case n := <-uploaded:
			return n, polls
		case <-ticker.C:
			polls++
		}
	}
}

func main() {
	for i := 0; i < 3; i++ {
		waitForUpload(1024)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
