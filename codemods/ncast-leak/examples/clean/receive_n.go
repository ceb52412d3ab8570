// Clean: n goroutines send on an unbuffered channel and the parent receives n
// times in a three-clause loop. Same number of sends and receives, no leak.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func sumOfSquares(n int) int {
	squares := make(chan int)
	for i := 0; i < n; i++ {
		go func() {
			squares <- i * i
		}()
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-squares
	}
	return sum
}

func main() {
	for i := 0; i < 3; i++ {
		sumOfSquares(5)
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
