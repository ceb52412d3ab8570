// Clean: the future already has a buffer of one, so the goroutine's send
// completes whether or not the caller still waits.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func Fetch(url string) <-chan []byte {
	body := make(chan []byte, 1)
	go func() {
		time.Sleep(20 * time.Millisecond)
		body <- []byte("body of " + url)
	}()
	return body
}

func main() {
	for i := 0; i < 3; i++ {
		select {
		case <-Fetch("https://example.invalid/"):
		case <-time.After(5 * time.Millisecond):
		}
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
