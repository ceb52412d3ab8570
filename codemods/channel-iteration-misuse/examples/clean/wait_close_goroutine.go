// Clean: the usual idiom. A helper goroutine waits for the producers and then
// closes c; the parent itself ranges over c, so its loop ends once every
// producer is done.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

func collect(items []int) int {
	var wg sync.WaitGroup
	c := make(chan int)
	for _, item := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c <- item * 2
		}()
	}
	go func() {
		wg.Wait()
		close(c)
	}()

	sum := 0
	for v := range c {
		sum += v
	}
	return sum
}

func main() {
	for i := 0; i < 3; i++ {
		collect([]int{1, 2, 3, 4, 5})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
