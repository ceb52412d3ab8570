// Clean: the parent sends in a loop and never closes jobs, but each worker
// receives exactly one value instead of ranging. One worker per value, so
// every worker gets its value and returns.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func doubleAll(nums []int) int {
	jobs := make(chan int)
	results := make(chan int, len(nums))
	for range nums {
		go func() {
			n := <-jobs
			results <- 2 * n
		}()
	}
	for _, x := range nums {
		jobs <- x
	}

	sum := 0
	for range nums {
		sum += <-results
	}
	return sum
}

func main() {
	for i := 0; i < 3; i++ {
		doubleAll([]int{1, 2, 3, 4, 5})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
