// An error-and-result pair: the goroutine answers on exactly one of two
// channels, from the tail of an if/else. quotients is already buffered; errs
// is not, and lenient callers return before reading it, so the error send
// blocks forever.
package main

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

func divide(a, b int, strict bool) (int, error) {
	quotients := make(chan int, 1)
	errs := make(chan error)
	go func() {
		time.Sleep(10 * time.Millisecond)
		if b == 0 {
			errs <- errors.New("division by zero")
		} else {
			quotients <- a / b
		}
	}()
	if b == 0 {
		if !strict {
			return 0, nil
		}
		return 0, <-errs
	}
	return <-quotients, nil
}

func main() {
	for i := 0; i < 3; i++ {
		divide(1, 0, false)
	}
	divide(6, 3, true)
	divide(1, 0, true)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
