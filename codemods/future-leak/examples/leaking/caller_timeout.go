// A future: lookup starts a goroutine that sends one result on the channel it
// returns. The caller selects between that result and a timeout; when the
// timeout wins, the goroutine blocks forever on its send.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func slowLookup(key string) string {
	time.Sleep(20 * time.Millisecond)
	return "value of " + key
}

func lookup(key string) <-chan string {
	c := make(chan string)
	go func() {
		c <- slowLookup(key)
	}()
	return c
}

func get(key string, timeout time.Duration) (string, bool) {
	select {
	case v := <-lookup(key):
		return v, true
	case <-time.After(timeout):
		return "", false
	}
}

func main() {
	for i := 0; i < 3; i++ {
		get("k", 5*time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
