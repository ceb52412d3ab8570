// Clean: the seed's shape with close(c) right after wg.Wait(). When Wait
// returns every value has been received, so closing cannot hit a sender, and
// the consumer's range ends.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

func processAll(items []int) {
	wg := &sync.WaitGroup{}
	c := make(chan any, 1)

	for _, item := range items {
		wg.Add(1)
		go func() {
			c <- item * 2
		}()
	}

	go func() {
		for range c {
			wg.Done()
		}
	}()

	wg.Wait()
	close(c)
}

func main() {
	for i := 0; i < 3; i++ {
		processAll([]int{1, 2, 3, 4, 5})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
