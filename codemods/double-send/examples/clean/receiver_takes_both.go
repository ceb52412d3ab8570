// The goroutine sends twice on its error path, but nothing blocks: one
// receiver ranges until the channel is closed, and one channel has a buffer
// of one, so the second send fits once the first value was taken.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func collect(fail bool) []string {
	c := make(chan string)
	go func() {
		defer close(c)
		if fail {
			c <- "warning: failed"
		}
		c <- "done"
	}()
	var lines []string
	for line := range c {
		lines = append(lines, line)
	}
	return lines
}

func first(fail bool) string {
	c := make(chan string, 1)
	go func() {
		if fail {
			c <- "failed"
		}
		c <- "done"
	}()
	return <-c
}

func main() {
	collect(true)
	collect(false)
	first(true)
	first(false)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
