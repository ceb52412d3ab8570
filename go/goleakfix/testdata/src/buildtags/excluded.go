//go:build never

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
