// Clean: the parent may return early, but the sender selects between its send
// and ctx.Done(). The deferred cancel fires on every return, so an abandoned
// sender takes the ctx.Done() case and exits.
package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func lookupPrice(item string, cached bool) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	prices := make(chan int)
	go func() {
		time.Sleep(10 * time.Millisecond)
		select {
		case prices <- len(item) * 100:
		case <-ctx.Done():
		}
	}()
	if cached {
		return 1
	}
	return <-prices
}

func main() {
	for i := 0; i < 3; i++ {
		lookupPrice("book", true)
	}
	lookupPrice("pen", false)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
