// Closure workers: four anonymous goroutines range over the unbuffered jobs
// channel. sumSquares sends every number but never closes jobs, so the workers
// are still waiting for another job after it returns.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func sumSquares(nums []int) int {
	jobs := make(chan int)
	results := make(chan int, len(nums))
	for w := 0; w < 4; w++ {
		go func() {
			for n := range jobs {
				results <- n * n
			}
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
		sumSquares([]int{1, 2, 3, 4, 5, 6, 7})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
