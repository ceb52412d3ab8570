// Clean: closure workers range over jobs, and the parent closes jobs with a
// deferred close. The close runs when sumCubes returns, after every result
// was received, and the workers then leave their range loop.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func sumCubes(nums []int) int {
	jobs := make(chan int)
	defer close(jobs)
	results := make(chan int, len(nums))
	for w := 0; w < 4; w++ {
		go func() {
			for n := range jobs {
				results <- n * n * n
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
		sumCubes([]int{1, 2, 3, 4, 5, 6, 7})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
