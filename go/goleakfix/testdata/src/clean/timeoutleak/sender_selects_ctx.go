// Clean: the parent gives up on ctx.Done(), and so does the sender: it selects
// between its send and the same ctx.Done(). After a timeout both sides see the
// context end and the goroutine exits.
package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func resolve(host string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	addrs := make(chan string)
	go func() {
		time.Sleep(20 * time.Millisecond)
		select {
		case addrs <- host + ".internal":
		case <-ctx.Done():
		}
	}()
	select {
	case a := <-addrs:
		return a, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func main() {
	for i := 0; i < 3; i++ {
		resolve("db", 2*time.Millisecond)
	}
	resolve("cache", time.Second)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
