// Clean: producers started with the Go 1.25 wg.Go, a ranging consumer, and
// close(ids) right after wg.Wait(). Every producer has sent by then, so the
// close is safe and the consumer's range ends.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

type roster struct {
	mu  sync.Mutex
	ids []int
}

func enroll(r *roster, users []int) {
	var wg sync.WaitGroup
	ids := make(chan int)
	go func() {
		for id := range ids {
			r.mu.Lock()
			r.ids = append(r.ids, id)
			r.mu.Unlock()
		}
	}()
	for _, u := range users {
		wg.Go(func() {
			ids <- u + 100
		})
	}
	wg.Wait()
	close(ids)
}

func main() {
	r := &roster{}
	for i := 0; i < 3; i++ {
		enroll(r, []int{1, 2, 3})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
