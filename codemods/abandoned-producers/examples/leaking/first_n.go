// An endless generator of IDs; the caller takes the first n and returns.
// The generator then blocks forever on its next send.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func firstIDs(n int) []int {
	ids := make(chan int)
	go func() {
		for id := 1; ; id++ {
			ids <- id * 10
		}
	}()
	var out []int
	for i := 0; i < n; i++ {
		out = append(out, <-ids)
	}
	return out
}

func main() {
	for i := 0; i < 3; i++ {
		firstIDs(2)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
