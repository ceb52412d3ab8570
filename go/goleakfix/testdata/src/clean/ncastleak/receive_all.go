// Clean: one goroutine per word sends on an unbuffered channel, and the parent
// receives once per goroutine in a loop, so every sender is matched by a
// receive and returns.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func totalLength(words []string) int {
	lengths := make(chan int)
	for _, w := range words {
		go func() {
			lengths <- len(w)
		}()
	}
	total := 0
	for range words {
		total += <-lengths
	}
	return total
}

func main() {
	for i := 0; i < 3; i++ {
		totalLength([]string{"one", "two", "three", "four"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
