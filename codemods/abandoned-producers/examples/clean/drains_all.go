// The consumer ranges over the whole stream, and the producer closes it:
// every send is received, nothing leaks.
package main

import (
	"fmt"
	"runtime"
	"time"
)

func sum(xs []int) int {
	squares := make(chan int)
	go func() {
		defer close(squares)
		for _, x := range xs {
			squares <- x * x
		}
	}()
	total := 0
	for s := range squares {
		total += s
	}
	return total
}

func main() {
	for i := 0; i < 3; i++ {
		sum([]int{1, 2, 3})
	}
	time.Sleep(300 * time.Millisecond)
	fmt.Println("goroutines:", runtime.NumGoroutine())
}
