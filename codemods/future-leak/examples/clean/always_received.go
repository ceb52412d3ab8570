// Clean: lookup returns a future, and every caller in the package receives the
// value on every path. The function is unexported, so no other caller exists.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func lookup(key string) <-chan string {
	c := make(chan string)
	go func() {
		time.Sleep(5 * time.Millisecond)
		c <- "value of " + key
	}()
	return c
}

func get(key string) string {
	return <-lookup(key)
}

func getTwo(a, b string) (string, string) {
	first := lookup(a)
	second := lookup(b)
	x := <-first
	y := <-second
	return x, y
}

func main() {
	for i := 0; i < 3; i++ {
		get("k")
		getTwo("a", "b")
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
