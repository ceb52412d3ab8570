// Seed shape from "Channel Iteration Misuse": producers send one value each,
// a consumer goroutine ranges over c and calls wg.Done per value, and the
// parent waits. Nobody closes c, so the consumer's range never ends.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

func process(items []int) {
	wg := &sync.WaitGroup{}
	c := make(chan any, 1) // want "channel-iteration-misuse: a goroutine ranges over `c`, but nobody closes it after the producers finish"

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
}

func main() {
	for i := 0; i < 3; i++ {
		process([]int{1, 2, 3, 4, 5})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
