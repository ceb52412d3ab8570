// Clean: a handshake where the parent receives in both branches of an if.
// With a deadline it still waits and only notes whether the deadline passed,
// so on every path the single send is received.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func convert(s string, deadline time.Duration) (string, bool) {
	out := make(chan string)
	go func() {
		time.Sleep(10 * time.Millisecond)
		out <- "[" + s + "]"
	}()
	var res string
	late := false
	if deadline > 0 {
		start := time.Now()
		res = <-out
		late = time.Since(start) > deadline
	} else {
		res = <-out
	}
	return res, late
}

func main() {
	for i := 0; i < 3; i++ {
		convert("x", time.Duration(i)*time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
