// The goroutine sends in either branch of an if/else, then closes the
// channel. When the timeout wins the select, the goroutine blocks forever on
// whichever send it reached.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func lookup(key string, timeout time.Duration) (string, bool) {
	found := make(chan string)
	go func() {
		time.Sleep(20 * time.Millisecond)
		if key == "" {
			found <- "default"
		} else {
			found <- "value of " + key
		}
		close(found)
	}()
	select {
	case v := <-found:
		return v, true
	case <-time.After(timeout):
		return "", false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		lookup("k", 2*time.Millisecond)
	}
	lookup("", time.Second)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
