// The parent waits for the query in a select beside `<-ctx.Done()` of a
// context.WithTimeout. Once the deadline passes, query returns ctx.Err() and
// the goroutine blocks forever on its send to rows.
package main

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

func query(parent context.Context, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()

	rows := make(chan int)
	go func() {
		time.Sleep(20 * time.Millisecond)
		rows <- 42
	}()
	select {
	case n := <-rows:
		return n, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func main() {
	for i := 0; i < 3; i++ {
		query(context.Background(), 2*time.Millisecond)
	}
	query(context.Background(), time.Second)
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
