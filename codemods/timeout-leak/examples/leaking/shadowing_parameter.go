// A helper closure names its parameter like the channel (replies). That
// parameter is another variable; the channel itself is sent on by the
// goroutine and abandoned by the parent when the context expires, leaving the
// goroutine blocked forever on its send.
package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"
)

func handle(ctx context.Context, req string) (string, error) {
	replies := make(chan string)
	join := func(replies []string) string { return strings.Join(replies, ",") }
	go func() {
		time.Sleep(20 * time.Millisecond)
		replies <- join([]string{req, req})
	}()
	select {
	case reply := <-replies:
		return reply, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func main() {
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Millisecond)
		handle(ctx, "ping")
		cancel()
	}
	handle(context.Background(), "ping")
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
