// Clean: the future's goroutine sends in a select with the caller's context, so
// a caller that gives up and cancels lets it return instead of blocking.
package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func Lookup(ctx context.Context, key string) <-chan string {
	c := make(chan string)
	go func() {
		time.Sleep(20 * time.Millisecond)
		select {
		case c <- "value of " + key:
		case <-ctx.Done():
		}
	}()
	return c
}

func get(key string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	select {
	case v := <-Lookup(ctx, key):
		return v, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func main() {
	for i := 0; i < 3; i++ {
		get("k")
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
