// The goroutine sends its one result and then closes the channel: its last
// two acts, the same as a send with `defer close(results)`. When fetch gives
// up before receiving, the goroutine blocks forever on the send and never
// reaches the close.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func fetch(cancelled bool) (string, error) {
	results := make(chan string)
	go func() {
		time.Sleep(10 * time.Millisecond)
		results <- "data"
		close(results)
	}()
	if cancelled {
		return "", errors.New("cancelled")
	}
	return <-results, nil
}

func main() {
	for i := 0; i < 3; i++ {
		fetch(true)
	}
	fetch(false)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
