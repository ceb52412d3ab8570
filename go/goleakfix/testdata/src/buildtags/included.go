// Clean: the select can give up on time.After, but the channel already has a
// buffer of one, so the late send lands in the buffer and the goroutine exits.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func fetchQuote(d time.Duration) (string, error) {
	quotes := make(chan string, 1)
	go func() {
		time.Sleep(20 * time.Millisecond)
		quotes <- "to be or not to be"
	}()
	select {
	case q := <-quotes:
		return q, nil
	case <-time.After(d):
		return "", errors.New("timed out")
	}
}

func main() {
	for i := 0; i < 3; i++ {
		fetchQuote(2 * time.Millisecond)
	}
	fetchQuote(time.Second)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
