// Clean: a single producer sends every value and then closes the channel
// itself, so the consumer's range ends. The parent's wg.Wait only tracks the
// producer; the consumer exits on its own right after.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

type inbox struct {
	mu   sync.Mutex
	msgs []string
}

func deliver(box *inbox, msgs []string) {
	var wg sync.WaitGroup
	c := make(chan string)
	go func() {
		for m := range c {
			box.mu.Lock()
			box.msgs = append(box.msgs, m)
			box.mu.Unlock()
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, m := range msgs {
			c <- m
		}
		close(c)
	}()
	wg.Wait()
}

func main() {
	box := &inbox{}
	for i := 0; i < 3; i++ {
		deliver(box, []string{"hi", "there"})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
