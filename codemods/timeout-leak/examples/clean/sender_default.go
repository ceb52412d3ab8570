// Clean: the sender offers its value with a `default` case. If the parent has
// already timed out and left, nobody is receiving, so the value is dropped
// and the goroutine exits instead of blocking.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func sample(limit time.Duration) (float64, bool) {
	values := make(chan float64)
	go func() {
		time.Sleep(10 * time.Millisecond)
		select {
		case values <- 0.75:
		default:
		}
	}()
	select {
	case v := <-values:
		return v, true
	case <-time.After(limit):
		return 0, false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		sample(2 * time.Millisecond)
	}
	sample(time.Second)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
