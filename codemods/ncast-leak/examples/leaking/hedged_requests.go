// A hedged request: the same lookup is started twice and the first answer
// wins, or the context gives up. Either way at most one value is received, and
// the slower attempt (or both, on timeout) blocks forever on its send.
package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func lookup(delay time.Duration) int {
	time.Sleep(delay)
	return 42
}

func hedged(ctx context.Context) (int, error) {
	answer := make(chan int)
	go func() { answer <- lookup(5 * time.Millisecond) }()
	go func() { answer <- lookup(20 * time.Millisecond) }()
	select {
	case v := <-answer:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func main() {
	for i := 0; i < 3; i++ {
		hedged(context.Background())
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
