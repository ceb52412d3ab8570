// The parent takes the result only if it is ready right now: a select with a
// `default` case. The goroutine is still working at that moment, so default
// wins, tryStatus returns and the later send blocks forever.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func tryStatus(host string) (string, bool) {
	status := make(chan string)
	go func() {
		time.Sleep(10 * time.Millisecond)
		status <- host + ": ok"
	}()
	select {
	case s := <-status:
		return s, true
	default:
		return "", false
	}
}

func main() {
	for _, host := range []string{"a", "b", "c"} {
		tryStatus(host)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
