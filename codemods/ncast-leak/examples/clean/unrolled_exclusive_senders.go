// Clean: two go statements send on one channel, but they are in the two
// branches of an if/else, so one call starts only one of them, and the
// function always receives once.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func compute(fast bool) int {
	result := make(chan int)
	if fast {
		go func() { result <- 1 }()
	} else {
		go func() {
			time.Sleep(5 * time.Millisecond)
			result <- 2
		}()
	}
	return <-result
}

func main() {
	for i := 0; i < 3; i++ {
		compute(i%2 == 0)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
