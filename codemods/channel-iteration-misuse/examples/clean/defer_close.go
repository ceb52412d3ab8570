// Clean: the seed article's own fix, defer close(c) right after the make. It
// does not leak here: the deferred close runs when the function returns, after
// wg.Wait, and no producer can panic before sending.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

type scoreboard struct {
	mu    sync.Mutex
	total int
}

func score(sb *scoreboard, points []int) {
	var wg sync.WaitGroup
	c := make(chan int)
	defer close(c)
	go func() {
		for p := range c {
			sb.mu.Lock()
			sb.total += p
			sb.mu.Unlock()
		}
	}()
	for _, p := range points {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c <- p
		}()
	}
	wg.Wait()
}

func main() {
	sb := &scoreboard{}
	for i := 0; i < 3; i++ {
		score(sb, []int{3, 1, 4, 1, 5})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
