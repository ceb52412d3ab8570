// Clean: a helper closure names its parameter like the channel (replies) and
// selects on it with a way out; that parameter is another channel. The
// channel of the goroutine is always received by the parent.
package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func handle(ctx context.Context, req string) string {
	replies := make(chan string)
	offer := func(replies chan string, v string) {
		select {
		case replies <- v:
		case <-ctx.Done():
		}
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		replies <- req + "!"
	}()
	spare := make(chan string, 1)
	offer(spare, req)
	return <-replies
}

func main() {
	for i := 0; i < 3; i++ {
		handle(context.Background(), "ping")
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
