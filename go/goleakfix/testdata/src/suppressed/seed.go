// Seed shape from "The Timeout Leak": the parent selects between the result
// and a timeout. When the timeout wins, the parent returns and the goroutine
// blocks forever on its send to done.
package main

import (
	"fmt"
	"runtime"
	"time"
)

type TimeoutOption struct {
	after time.Duration
}

func (o TimeoutOption) Timeout() <-chan time.Time {
	return time.After(o.after)
}

func SomeTimeoutOption() TimeoutOption {
	return TimeoutOption{after: 2 * time.Millisecond}
}

func slowResult() any {
	time.Sleep(20 * time.Millisecond)
	return "result"
}

func Example() {
	timeoutOption := SomeTimeoutOption()
	//goleak-fix:ignore timeout-leak the caller always drains it
	done := make(chan any)
	go func() {
		result := slowResult()
		done <- result
	}()

	select {
	case <-done:
		return
	case <-timeoutOption.Timeout():
		return
	}
}

func main() {
	for i := 0; i < 3; i++ {
		Example()
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
