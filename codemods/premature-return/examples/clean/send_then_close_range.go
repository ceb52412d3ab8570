// Clean: the goroutine sends and then closes, and the parent drains the
// channel with range on every path, so the send always completes and the
// range ends at the close.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func collect(cancelled bool) []string {
	results := make(chan string)
	go func() {
		time.Sleep(10 * time.Millisecond)
		results <- "data"
		close(results)
	}()
	var all []string
	for r := range results {
		if cancelled {
			continue
		}
		all = append(all, r)
	}
	return all
}

func main() {
	for i := 0; i < 3; i++ {
		collect(i%2 == 0)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
