// Clean: the parent receives once from an unbuffered channel, but each sender
// selects between its send and a done channel that the parent closes on
// return, so the senders that lose the race give up and exit.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func firstLength(words []string) int {
	lengths := make(chan int)
	done := make(chan struct{})
	defer close(done)
	for _, w := range words {
		go func() {
			select {
			case lengths <- len(w):
			case <-done:
			}
		}()
	}
	return <-lengths
}

func main() {
	for i := 0; i < 3; i++ {
		firstLength([]string{"one", "two", "three", "four"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
