// Clean: a timer is involved, but only to tell whether the work was slow. The
// parent receives unconditionally right after starting the goroutine, so the
// send always completes.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func timedHash(s string, limit time.Duration) (int, bool) {
	hashes := make(chan int)
	go func() {
		time.Sleep(10 * time.Millisecond)
		hashes <- len(s) * 31
	}()
	timer := time.NewTimer(limit)
	h := <-hashes
	slow := !timer.Stop()
	return h, slow
}

func main() {
	for i := 0; i < 3; i++ {
		timedHash("abc", 2*time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
